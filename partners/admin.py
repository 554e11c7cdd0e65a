"""Admin for the parties: regions, partners and the country reference data they point to.

``HistoryAdmin`` and ``ProvinceListFilter`` are shared with the agreements admin.
"""

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from access.admin import autocomplete_source
from access.models import editable_regions, is_editor
from agreements.caching import KeptAdminPages
from partners.models import Country, Partner, Region, Subdivision
from partners.short_names import expand_text

EMPTY = "—"


class ReadableChanges(HistoricalRecordContextHelper):
    """Word a recorded change the way the form shows it.

    A choice appears as its label and a date in the reader's format, so the history reads
    "Berlaku → Berakhir" rather than "in_force → expired"; an empty value is a dash; the parties
    of a many-to-many field are listed alphabetically.
    """

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return EMPTY
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.date):
            return formats.localize(value)
        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, list):  # many-to-many: the related objects, alphabetically
            return sorted(value, key=str)
        return value


# A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class HistoryAdmin(KeptAdminPages, SimpleHistoryAdmin):
    """The register's admins: every change kept per record, with who made it, when, and what
    changed (in words); lists and forms kept for their reader until the register changes
    (``KeptAdminPages``).

    A past version can be read but not restored from its history page: restoring would save
    past the checks of the change form (the agreement's version, its milestones and documents).
    Staff change the current record instead.
    """

    formfield_overrides = URL_FIELDS
    object_history_list_template = "admin/history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def search_rank(term, exact_fields, prefix_fields, also_exact=None):
    """0 where a field in ``exact_fields`` is ``term`` (a code typed in full) or the row is what
    ``also_exact`` says (what a short form stands for), 1 where a field in ``prefix_fields``
    starts with it, 2 for anything else the search found."""
    exact = also_exact if also_exact is not None else Q(pk__in=[])
    for field in exact_fields:
        exact |= Q(**{f"{field}__iexact": term})
    prefix = Q()
    for field in prefix_fields:
        prefix |= Q(**{f"{field}__istartswith": term})
    return Case(
        When(exact, then=Value(0)),
        When(prefix, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


class ShortFormSearch:
    """Admin search, in change lists and autocompletes, that knows the short forms staff write
    (Kaltim, NTT, Jabar, RRT, AS: ``partners.short_names``).

    Rows a short form in the search text stands for are found beside what the text itself
    finds. ``short_form_q(meaning)`` says which rows those are (None: none of this model's).
    """

    def short_form_q(self, meaning):
        return None

    def short_form_condition(self, search_term):
        meaning = expand_text(search_term)
        return self.short_form_q(meaning) if meaning else None

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        condition = self.short_form_condition(search_term)
        if condition is not None:
            found = found | queryset.filter(condition)
        return found, may_have_duplicates


class RankedAutocomplete(ShortFormSearch):
    """Autocomplete answers in the order staff mean them: what carries the typed code exactly
    first ("DE" is Germany), then names that start with it (Denmark, Jerman), then the rest it
    was found in (Bangladesh), each group in the list's own order.

    ``exact_fields`` are codes and full names, ``prefix_fields`` the names, in Indonesian,
    English and the partner's own script. Only autocompletes are ranked: a change list sorts by
    its columns.
    """

    exact_fields = ()
    prefix_fields = ()

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and autocomplete_source(request) is not None:
            ordering = self.get_ordering(request) or self.model._meta.ordering or ["pk"]
            rank = search_rank(
                term, self.exact_fields, self.prefix_fields, self.short_form_condition(term)
            )
            queryset = queryset.annotate(search_rank=rank).order_by("search_rank", *ordering)
        return queryset, may_have_duplicates


class ProvinceListFilter(admin.SimpleListFilter):
    """Pick a province by name; subclasses decide what "in the province" means for their rows.

    Lists the provinces only (38 rows), never the 500-odd regencies and cities.
    """

    title = _("provinsi")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return [(region.code, region.name) for region in Region.objects.provinces()]

    def chosen_province(self):
        """The chosen province, or None when the parameter names no province (one query)."""
        return Region.objects.provinces().filter(code=self.value()).first()

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        province = self.chosen_province()
        if province is None:
            return queryset.none()
        return self.within(queryset, province)

    def within(self, queryset, province):
        raise NotImplementedError


class RegionInProvinceFilter(ProvinceListFilter):
    def within(self, queryset, province):
        return queryset.within(province)


@admin.register(Country)
class CountryAdmin(RankedAutocomplete, admin.ModelAdmin):
    """ISO 3166-1 reference data, loaded by ``load_reference_data``; corrected here, rarely."""

    list_display = ["code", "alpha3", "name_id", "name_en"]
    search_fields = ["code", "alpha3", "name_id", "name_en"]
    exact_fields = ["code", "alpha3", "name_id", "name_en"]
    prefix_fields = ["name_id", "name_en"]
    ordering = ["name_id"]

    def short_form_q(self, meaning):
        return Q(code__in=meaning.country_codes) if meaning.country_codes else None

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key: editing it would copy the country, not rename it.
        return ["code"] if obj else []


@admin.register(Subdivision)
class SubdivisionAdmin(RankedAutocomplete, admin.ModelAdmin):
    """ISO 3166-2 reference data, loaded by ``load_reference_data``."""

    list_display = ["code", "name", "kind", "country"]
    list_select_related = ["country"]
    search_fields = ["code", "name", "country__name_id", "country__name_en"]
    exact_fields = ["code", "name"]
    prefix_fields = ["name", "code"]
    autocomplete_fields = ["country"]
    ordering = ["code"]

    def short_form_q(self, meaning):
        return Q(country_id__in=meaning.country_codes) if meaning.country_codes else None

    def get_readonly_fields(self, request, obj=None):
        return ["code", "country"] if obj else []


# Form fields whose region decides who may change the record: an editor is offered only the
# regions they edit for (the admin forms check the same).
REGION_SCOPED_FIELDS = {
    ("agreements", "agreement", "lead_region"),
    ("agreements", "potential", "region"),
}


@admin.register(Region)
class RegionAdmin(RankedAutocomplete, HistoryAdmin):
    list_display = ["code", "name", "level", "province"]
    list_filter = ["level", RegionInProvinceFilter]
    list_select_related = ["province"]
    search_fields = ["code", "name"]
    exact_fields = ["code", "name"]
    prefix_fields = ["name", "code"]
    search_help_text = _("Cari kode Kemendagri (64.72), nama daerah atau singkatannya (Kaltim).")
    ordering = ["code"]
    autocomplete_fields = ["province"]
    fields = ["code", "name", "level", "province"]

    def short_form_q(self, meaning):
        return Q(code__in=meaning.region_codes) if meaning.region_codes else None

    def get_search_results(self, request, queryset, search_term):
        if autocomplete_source(request) in REGION_SCOPED_FIELDS and is_editor(request.user):
            queryset = queryset.filter(pk__in=editable_regions(request.user).values("pk"))
        return super().get_search_results(request, queryset, search_term)


@admin.register(Partner)
class PartnerAdmin(RankedAutocomplete, HistoryAdmin):
    list_display = ["name", "name_local", "kind", "country", "subdivision", "parent"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country", "subdivision", "parent"]
    search_fields = [
        "name",
        "name_local",
        "subdivision__name",
        "subdivision__code",
        "=country__code",
        "country__name_id",
        "country__name_en",
    ]
    # "DE" first offers the partners in Germany, then those whose name starts with it.
    exact_fields = ["country__code", "subdivision__code", "name", "name_local"]
    prefix_fields = ["name", "name_local", "country__name_id", "country__name_en"]
    search_help_text = _(
        "Cari nama mitra (juga dalam aksara aslinya), subdivisinya, atau negaranya (kode atau "
        "nama)."
    )
    autocomplete_fields = ["country", "subdivision", "parent"]
    fieldsets = [
        (None, {"fields": ["name", "name_local", "kind", "website"]}),
        (_("Tempat"), {"fields": ["country", "subdivision", "parent"]}),
    ]

    def short_form_q(self, meaning):
        return Q(country_id__in=meaning.country_codes) if meaning.country_codes else None

    def has_delete_permission(self, request, obj=None):
        # Deleting a partner takes it off every agreement it is party to: an editor may only
        # when they may change all of those (one query).
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or not is_editor(request.user):
            return True
        from agreements.models import Agreement

        others = Agreement.objects.with_partner(obj).exclude(
            pk__in=Agreement.objects.editable_by(request.user).values("pk")
        )
        return not others.exists()
