"""Admin for the parties: regions, partners and the country reference data they point to.

``RegisterAdmin``, ``RankedAutocomplete`` and ``ProvinceListFilter`` are shared with the rest of
the register's admin (``agreements.admin``). These pages live here, above ``partners``, because
they are built on the register's cached pages and on who may edit which region (``access``).
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from access.admin import autocomplete_source
from access.models import editable_regions, is_editor
from agreements.caching import CachedAdminPages
from agreements.forms import formfield
from agreements.models import Agreement
from common.admin import (
    HistoryAdmin,
    OfferedValuesOnly,
    SoundInputOnly,
    forwarded,
    forwarding,
)
from partners.matching import accent_blind_pattern, fold
from partners.models import Country, Partner, Region, Subdivision
from partners.short_names import expand, expand_text


class RegisterAdmin(CachedAdminPages, HistoryAdmin):
    """The register's admins: the history of ``HistoryAdmin``, and lists and forms cached for their
    reader until the register changes (``CachedAdminPages``)."""


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


class AccentBlindSearch:
    """Admin search that finds a name typed without its accents: "Da Nang" finds Đà Nẵng, "Ho
    Chi Minh" Hồ Chí Minh, "fur" für, which a clerk's keyboard does not type; they found
    nothing. Rows whose ``accent_blind_fields`` hold every word typed, each letter with or
    without an accent (``accent_blind_pattern``: a regex PostgreSQL and SQLite read alike, as
    no database folds accents without an extension), are found beside what the search finds."""

    accent_blind_fields = ()

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = fold(search_term).split()
        if words and self.accent_blind_fields:
            spelled = Q()
            for word in words:
                pattern = accent_blind_pattern(word)
                one = Q()
                for field in self.accent_blind_fields:
                    one |= Q(**{f"{field}__iregex": pattern})
                spelled &= one
            found = found | queryset.filter(spelled)
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
        searched = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and autocomplete_source(request) is not None:
            ordering = self.get_ordering(request) or self.model._meta.ordering or ["pk"]
            rank = search_rank(
                term,
                self.exact_fields,
                self.prefix_fields,
                self.short_form_rank_condition(request, searched, term),
            )
            queryset = queryset.annotate(search_rank=rank).order_by(
                "search_rank", *self.ranked_ordering(request), *ordering
            )
        return queryset, may_have_duplicates

    def short_form_rank_condition(self, request, queryset, term):
        """The rows offered first for the short forms of ``term``: those they stand for, and,
        where ``term`` has other words too ("Dispar Kaltim"), only those of them the other
        words find. "Dispar Kaltim" offered every agency of Kaltim first, its Bappeda on top,
        which Enter picked; None where ``term`` has no short form."""
        condition = self.short_form_condition(term)
        if condition is None:
            return None
        rest = " ".join(word for word in term.split() if not expand(word.strip(".,;:()")))
        if not rest:
            return condition
        named, _ = super(ShortFormSearch, self).get_search_results(request, queryset, rest)
        return condition & Q(pk__in=named.values("pk"))

    def ranked_ordering(self, request):
        """What orders the rows of the same rank before the list's own order: nothing here."""
        return ()


class ProvinceListFilter(OfferedValuesOnly):
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
class CountryAdmin(SoundInputOnly, RankedAutocomplete, admin.ModelAdmin):
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
class SubdivisionAdmin(AccentBlindSearch, SoundInputOnly, RankedAutocomplete, admin.ModelAdmin):
    """ISO 3166-2 reference data, loaded by ``load_reference_data``: the names in their own
    spelling (Hồ Chí Minh), found as typed without their accents."""

    accent_blind_fields = ["name"]

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

    def get_search_results(self, request, queryset, search_term):
        """A partner's subdivision is offered among those of the partner's country, once one
        is chosen on its form (``forwarded``): the form refuses any other
        (``Partner.clean``), which the autocomplete offered all the same, Anhui beside
        Osaka for a partner in Japan."""
        if autocomplete_source(request) == ("partners", "partner", "subdivision"):
            country = forwarded(request, "country")
            if country:
                queryset = queryset.filter(country_id=country)
        return super().get_search_results(request, queryset, search_term)


# Form fields whose region decides who may change the record: an editor is offered only the
# regions they edit for (the admin forms check the same).
REGION_SCOPED_FIELDS = {
    ("agreements", "agreement", "lead_region"),
    ("agreements", "agency", "region"),
    ("agreements", "potential", "region"),
}


@admin.register(Region)
class RegionAdmin(RankedAutocomplete, RegisterAdmin):
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
        # "Kab. Bandung", "Provinsi Jawa Barat", "Pemkot Bogor", "Bau-Bau": the names as they
        # are stored ("Kabupaten Bandung", "Jawa Barat", "Kota Bogor", "Kota Bau Bau"), of the
        # level written.
        name, level = Region.searched_name(search_term)
        if level is not None:
            queryset = queryset.filter(level=level)
            if not name:
                return queryset, False
        if name:
            search_term = name
        return super().get_search_results(request, queryset, search_term)


class PartnerAdminForm(forms.ModelForm):
    """A partner's form: a name already recorded in the same country is refused, as the model
    refuses it (``partner_unique_per_country``), naming and linking the partner recorded, so
    the clerk opens it rather than searching the list for it; so is the same name typed
    otherwise for a partner of the same kind (``PartnerQuerySet.named_alike``). Said at the
    name, the model's own check of the pair is then left out: one message, not two. So is a
    second government of a foreign region (an ISO 3166-2 subdivision has one, as
    ``PartnerIndex`` finds it in a file), said at the subdivision. Three queries at most."""

    class Meta:
        model = Partner
        fields = ["name", "name_local", "former_names", "kind", "website"]
        fields += ["country", "subdivision", "parent"]
        formfield_callback = formfield

    def clean(self):
        cleaned = super().clean()
        name, country = cleaned.get("name"), cleaned.get("country")
        if not name or not country:
            return cleaned
        recorded = (
            Partner.objects.filter(name=name, country=country).exclude(pk=self.instance.pk).first()
        )
        if recorded is None and not self._second_government(cleaned):
            kind = cleaned.get("kind")
            if kind and self._names_anew(name):
                # The same name typed otherwise ("universitas mulawarman"): recorded again,
                # every file naming it was refused as ambiguous.
                alike = Partner.objects.filter(country=country).named_alike(name, kind)
                recorded = alike.exclude(pk=self.instance.pk).first()
        if recorded is not None:
            constraint = next(
                c for c in Partner._meta.constraints if c.name == "partner_unique_per_country"
            )
            self.add_error(
                "name", recorded_partner_message(constraint.violation_error_message, recorded)
            )
        return cleaned

    def _second_government(self, cleaned):
        """Whether the form records a second government of a foreign region's subdivision,
        said so at the subdivision."""
        subdivision = cleaned.get("subdivision")
        if cleaned.get("kind") != Partner.Kind.FOREIGN_REGION or subdivision is None:
            return False
        if self.instance.pk and not {"kind", "subdivision"} & set(self.changed_data):
            # Two stored before the rule: each still saves with both left as they are (its
            # website, its former names), as a text's stored parties do.
            return False
        government = (
            Partner.objects.filter(kind=Partner.Kind.FOREIGN_REGION, subdivision=subdivision)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if government is None:
            return False
        self.add_error(
            "subdivision",
            recorded_partner_message(
                _(
                    "Pemerintah daerah subdivisi ini sudah tercatat sebagai mitra; pilih "
                    "mitra itu, atau perbaiki datanya bila ini bukan pemerintah daerahnya."
                ),
                government,
            ),
        )
        return True

    def _names_anew(self, name):
        """Whether the form records ``name`` for a new partner, or another name, country or kind
        for a stored one: two stored alike before the rule each still save with all three left
        as they are, as a text's stored parties do."""
        if not self.instance.pk:
            return True
        return bool({"name", "country", "kind"} & set(self.changed_data))


def recorded_partner_message(message, recorded):
    """``message``, then the partner already recorded, named and linked."""
    link = format_html(
        '<a href="{}">{}</a>',
        reverse("admin:partners_partner_change", args=[recorded.pk]),
        recorded,
    )
    return format_html(
        "{} {}", message, format_html(_("Mitra yang sudah tercatat: {link}."), link=link)
    )


@admin.register(Partner)
class PartnerAdmin(AccentBlindSearch, RankedAutocomplete, RegisterAdmin):
    form = PartnerAdminForm
    # "Thanh pho Ho Chi Minh", "Gesellschaft fur": a name as a keyboard without accents types it.
    accent_blind_fields = ["name", "name_local", "former_names"]
    list_display = ["name", "name_local", "kind", "country", "subdivision", "parent"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country", "subdivision", "parent"]
    search_fields = [
        "name",
        "name_local",
        "former_names",
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
        "Cari nama mitra (juga dalam aksara aslinya atau nama terdahulunya), subdivisinya, atau "
        "negaranya (kode atau nama)."
    )
    autocomplete_fields = ["country", "subdivision", "parent"]
    # A few former names, one a line: a short box.
    formfield_overrides = {
        **RegisterAdmin.formfield_overrides,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})},
    }
    fieldsets = [
        (None, {"fields": ["name", "name_local", "former_names", "kind", "website"]}),
        (_("Tempat"), {"fields": ["country", "subdivision", "parent"]}),
    ]

    def short_form_q(self, meaning):
        return Q(country_id__in=meaning.country_codes) if meaning.country_codes else None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "subdivision":
            # Searched among the subdivisions of the country chosen beside it.
            forwarding(field, "country")
        return field

    def has_delete_permission(self, request, obj=None):
        # Deleting a partner takes it off every agreement it is party to: an editor may only
        # when they may change all of those (one query).
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or not is_editor(request.user):
            return True
        others = Agreement.objects.with_partner(obj).exclude(
            pk__in=Agreement.objects.editable_by(request.user).values("pk")
        )
        return not others.exists()
