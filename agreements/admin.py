"""The admin bureau staff work in: agreements with their milestones and documents, sectors and
regional potential."""

from urllib.parse import parse_qsl, urlsplit

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from access.admin import RowRulesAdmin, autocomplete_source
from access.models import editable_regions, is_editor
from agreements.admin_export import AgreementExportMixin
from agreements.admin_history import AgreementHistoryMixin
from agreements.admin_import import AgreementImportMixin
from agreements.admin_parties import (
    ProvinceListFilter,
    RankedAutocomplete,
    RegisterAdmin,
    ShortFormSearch,
)
from agreements.dates import KnownDate
from agreements.forms import (
    FROM_AGREEMENT,
    AgreementAdminForm,
    ContactInlineForm,
    DocumentForm,
    DocumentInlineForm,
    MilestoneForm,
    MilestoneInlineForm,
)
from agreements.models import (
    WAITS_ON_CHOICES,
    Agency,
    Agreement,
    AgreementRelation,
    AgreementStatus,
    ChangedMeanwhile,
    Contact,
    Document,
    Milestone,
    MilestoneKind,
    Potential,
    PotentialSurvey,
    Sector,
    Signatory,
)
from agreements.paging import LargeTablePaginator, RowSearchPaginator, SearchPaginator
from agreements.parties import writing_parties
from agreements.templatetags.known_dates import known, on_time
from common.admin import (
    EMPTY,
    URL_FIELDS,
    BoundedDatesChangeList,
    BoundedInline,
    OfferedValuesOnly,
    OwnRowsFormSet,
    refuse_long_search,
)
from common.admin_markup import LabelledChangeList, LabelledTabularInline
from common.widgets import escaped
from partners.models import Country, Partner, Region

admin.site.site_header = _("Register Kerja Sama Daerah")
admin.site.site_title = _("Register Kerja Sama Daerah")
admin.site.index_title = _("Pengelolaan data")
# The sidebar repeats the index beside every form and takes a quarter of a 1280-pixel screen
# the milestone table needs; the breadcrumbs and the index lead to every list.
admin.site.enable_nav_sidebar = False

SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}


# -- list filters -------------------------------------------------------------------------------


class ShownStatusFilter(OfferedValuesOnly):
    """The status as shown on every page: an in-force agreement past its expiry is expired."""

    title = _("status")
    parameter_name = "shown_status"

    def lookups(self, request, model_admin):
        return Agreement.Status.choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.with_shown_status(self.value())


class AgreementProvinceFilter(ProvinceListFilter):
    """Agreements any region of the province is party to, its regencies and cities included."""

    def within(self, queryset, province):
        return queryset.in_region(province)


class AgencyProvinceFilter(ProvinceListFilter):
    """Agencies of the province and of its regencies and cities."""

    def within(self, queryset, province):
        return queryset.filter(region__in=Region.objects.within(province))


class SectorFilter(admin.RelatedFieldListFilter):
    """By sector, with the agreements of no sector named as such: Django offers them as "-",
    which told a clerk nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = _("Tanpa bidang")


class PartnerCountryFilter(OfferedValuesOnly):
    title = _("negara mitra")
    parameter_name = "partner_country"

    def lookups(self, request, model_admin):
        # Each country asked once whether it has a partner (its index), rather than every
        # partner joined and made distinct: the partners grow with the register, the
        # countries do not.
        countries = Country.objects.filter(Exists(Partner.objects.filter(country=OuterRef("pk"))))
        return [(country.code, country.name) for country in countries]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        # A semi-join rather than a join: no duplicate rows, so no DISTINCT over the page.
        parties = Agreement.partners.through.objects.filter(partner__country_id=self.value())
        return queryset.filter(pk__in=parties.values("agreement_id"))


class ExpiringSoonFilter(OfferedValuesOnly):
    title = _("segera berakhir")
    parameter_name = "expiring_within"

    def lookups(self, request, model_admin):
        return [
            ("30", _("dalam 30 hari")),
            ("90", _("dalam 90 hari")),
            ("180", _("dalam 180 hari")),
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.expiring_within(int(self.value()))


class WaitsOnFilter(OfferedValuesOnly):
    """Whom the cooperation waits on today (``AgreementQuerySet.waiting_on``): a party, or
    nobody named yet ("Belum ditentukan", ``waits_on=none``), as the list's filter offers them.
    The list of steps filters by it too, whom a step waits on as every page says it
    (``MilestoneQuerySet.waiting_on``): a TKKSD review naming nobody waits on the TKKSD, where
    Django's filter of the field compared the stored value and missed it under "TKKSD"."""

    title = _("menunggu")
    parameter_name = "waits_on"

    def lookups(self, request, model_admin):
        return WAITS_ON_CHOICES

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.waiting_on([self.value()])


class DormantFilter(OfferedValuesOnly):
    """Dormant cooperations (*mati suri*), each once, as the dashboard counts them
    (``AgreementQuerySet.dormant_cooperations``)."""

    title = _("mati suri")
    parameter_name = "dormant"

    def lookups(self, request, model_admin):
        return [("yes", _("Mati suri"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.dormant_cooperations()
        return queryset


class DataCheckFilter(OfferedValuesOnly):
    """Rows to mend by hand, written before the forms refused them: a recorded status that
    contradicts the agreement's dates or steps (``AgreementQuerySet.with_contradicting_status``),
    a step that contradicts the agreement's dates (``.with_contradicting_steps``), a KSDD
    naming one region alone or a KSDPK, KSDPL or KSDLL naming no partner
    (``.with_contradicting_parties``), an amendment ending after the
    text it amends (``.with_contradicting_term``), or a budget's currency that is no ISO 4217
    code (``.with_unknown_currency``). Nothing mends them by itself:
    the register keeps official records as recorded."""

    title = _("pemeriksaan data")
    parameter_name = "check"

    CHECKS = {
        "status": "with_contradicting_status",
        "steps": "with_contradicting_steps",
        "parties": "with_contradicting_parties",
        "term": "with_contradicting_term",
        "currency": "with_unknown_currency",
    }

    def lookups(self, request, model_admin):
        return [
            ("status", _("Status bertentangan dengan tanggal/tahapan")),
            ("steps", _("Tahapan bertentangan dengan tanggal kerja sama")),
            ("parties", _("Para pihak tidak lengkap")),
            ("term", _("Adendum/perpanjangan bertentangan dengan jangka waktu naskahnya")),
            ("currency", _("Mata uang bukan kode ISO 4217")),
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return getattr(queryset, self.CHECKS[self.value()])()


class OverdueFilter(OfferedValuesOnly):
    title = _("keterlambatan")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Terlambat")), ("no", _("Tidak terlambat"))]

    def queryset(self, request, queryset):
        overdue = Milestone.objects.overdue()
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue.values("pk"))
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue.values("pk"))
        return queryset


# -- dates as they are known --------------------------------------------------------------------


def known_date_column(model, name, rows_without=None):
    """A change list column showing the date ``name`` as it is known ("September 2024",
    "2024", "10 Juni 2024"), in the markup of the public pages (the ``known`` filter), sorted
    by the date itself. ``rows_without``: the rows with no date, in words, as the list's line
    of its order names them where it sorts them first or last (``sort_order``)."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(self, obj):
        return known(obj, name) or None  # None: the list's dash

    column.__name__ = f"{name}_known"
    column.rows_without = rows_without
    return column


def date_and_time_column(model, name):
    """A change list column showing the moment ``name`` as Django does ("7 Desember 2026,
    17.27", in the reader's time zone), sorted by it, whose time may go under its date where
    the list is narrow: Django keeps the whole on one line, as wide as two dates."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(self, obj):
        moment = getattr(obj, name)
        if moment is None:
            return None  # the list's dash
        moment = timezone.localtime(moment)
        return mark_safe(
            f'<span class="nowrap">{escaped(date_format(moment, "DATE_FORMAT"))},</span> '
            f'<span class="nowrap">{escaped(time_format(moment, "TIME_FORMAT"))}</span>'
        )

    column.__name__ = f"{name}_shown"
    return column


# -- documents' files ---------------------------------------------------------------------------


def download_url(document):
    """The download that checks the reader may see the document's agreement (never the raw file
    under MEDIA_ROOT)."""
    return reverse("document-download", args=[document.agreement_id, document.pk])


class StoredFile:
    """A stored document file as the file widget shows it: linked to its download, under the
    name it is downloaded by (``Document.download_name``), not the one it is stored under
    ("naskah_rQHcg33.pdf" for the second scan called "naskah.pdf")."""

    def __init__(self, document):
        self.url = download_url(document)
        self.document = document

    def __str__(self):
        return self.document.download_name


class DocumentFileWidget(AdminFileWidget):
    """The admin's file input, linking the current file to its checked download."""

    def format_value(self, value):
        value = super().format_value(value)
        document = getattr(value, "instance", None)
        if value and document is not None and document.pk:
            return StoredFile(document)
        return value


class DocumentFileLinks:
    """Document admins: the file links to its checked download, in the form and read-only."""

    # The file is stored under a name of the register's making (``document_path``), cut to
    # fit: the name it came with is not held to the stored name's length.
    formfield_overrides = {models.FileField: {"widget": DocumentFileWidget, "max_length": None}}

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            # Shown read-only, Django would link the file's raw storage address.
            fields = ["download" if name == "file" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "download"]

    @admin.display(description=_("berkas"))
    def download(self, document):
        if document is None or document.pk is None or not document.file:
            return EMPTY
        return format_html('<a href="{}">{}</a>', download_url(document), document.download_name)


# -- agreements ---------------------------------------------------------------------------------


class MilestoneRowsFormSet(OwnRowsFormSet):
    """The agreement form's milestone table. Django builds it before it checks the agreement
    form, and checks it after: it is handed to the agreement it is posted with, so that the
    form checks the status against the steps as posted (``AgreementAdminForm.check_ending``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.instance.milestone_table = self

    def left_out(self):
        """The saved steps this table was posted without (its row count posted lower by hand):
        a row left out is neither changed nor deleted, so it stays as stored, and is held to
        the agreement as the form has it like any other (``AgreementAdminForm.check_ending``).
        The table's own rows, read already: no query more."""
        posted = {form.instance.pk for form in self.initial_forms}
        return [row for row in self.get_queryset() if row.pk not in posted]

    def as_posted(self):
        """The steps as this table would write them: its rows (each checked first, with the
        agreement as the form has it), less those ticked for deletion and blank new rows, and
        the saved ones it was posted without, as stored (``left_out``)."""
        rows = self.left_out()
        for index, form in enumerate(self.forms):
            form.is_valid()  # its instance is then as posted
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            rows.append(form.instance)
        return rows


class MilestoneInline(BoundedInline, LabelledTabularInline):
    """The steps of an agreement as one compact table: what, when, and whom it waits on.

    The evaluation and notes of a step are on its own page, one click away (the pencil link of
    each saved row), so the table fits a 1280-pixel screen.
    """

    model = Milestone
    form = MilestoneInlineForm
    formset = MilestoneRowsFormSet
    extra = 1
    fields = ["kind", "title", "due_on", "done_on", "waits_on", "mark", "details"]
    readonly_fields = ["details"]
    show_change_link = True
    formfield_overrides = SHORT_TEXT

    @admin.display(description=_("evaluasi dan catatan"))
    def details(self, milestone):
        """What the step's own page holds, in a few words: the rating and whether notes exist."""
        if milestone is None or milestone.pk is None:
            return EMPTY
        parts = []
        if milestone.rating:
            parts.append(_("nilai %(rating)d/5") % {"rating": milestone.rating})
        if milestone.findings:
            parts.append(_("temuan"))
        if milestone.notes:
            parts.append(_("catatan"))
        if milestone.pdln_number:
            parts.append(_("PDLN %(number)s") % {"number": milestone.pdln_number})
        return ", ".join(str(part) for part in parts) or EMPTY


class ContactInline(BoundedInline, LabelledTabularInline):
    """Contact persons of each party: officials and staff only, never on a public page."""

    model = Contact
    form = ContactInlineForm
    extra = 0
    fields = ["party", "name", "office", "email", "phone"]


class SignatoryInline(BoundedInline, LabelledTabularInline):
    """Who signed for each party, in which office; public wherever the agreement is."""

    model = Signatory
    extra = 0
    fields = ["party", "name", "office", "position"]


class DocumentInline(BoundedInline, DocumentFileLinks, LabelledTabularInline):
    model = Document
    form = DocumentInlineForm
    extra = 0
    fields = ["title", "kind", "language", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


class AgreementChangeList(BoundedDatesChangeList):
    """The list shows the lead region and the partners of every row: two queries in all, the
    partners kept as each row's list (``AgreementAdmin.partner_names``), so that no row makes a
    related manager of its own."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .prefetch_related(Prefetch("partners", to_attr="listed_partners"))
            # The day a terminated agreement ended, in the rows' own statement (``ends_known``).
            .with_termination()
        )


class SearchListedAtMost:
    """A ModelAdmin whose search is paged by ``search_paginator``: counted up to a limit, and
    past it listing that many (``paging.SearchPaginator``: the agreements most recently signed;
    ``RowSearchPaginator``: the first milestones or documents in the list's order). Its actions
    act on what the list lists: "select all" of such a search counts that many, and an export
    or a delete of them all holds those, not every match."""

    search_paginator = SearchPaginator

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if self._searched(request):
            return self.search_paginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def get_changelist_instance(self, request):
        """A search whose matches fit on one page lists them by the keys its paginator read, as
        every other page of a search does: Django lists such a page from the list's own
        queryset, which tested the words again over every agreement they match."""
        cl = super().get_changelist_instance(request)
        keys = getattr(cl.paginator, "keys", None)
        if keys is not None and not cl.multi_page and not cl.show_all:
            cl.result_list = cl.paginator.object_list
        return cl

    def response_action(self, request, queryset):
        if self._searched(request):
            queryset = self.search_paginator.listed(queryset)
        return super().response_action(request, queryset)

    @staticmethod
    def _searched(request):
        return bool(request.GET.get(SEARCH_VAR, "").strip())


@admin.register(Agreement)
class AgreementAdmin(
    AgreementExportMixin,
    AgreementHistoryMixin,
    AgreementImportMixin,
    SearchListedAtMost,
    RowRulesAdmin,
    ShortFormSearch,
    RegisterAdmin,
):
    form = AgreementAdminForm
    inlines = [MilestoneInline, SignatoryInline, DocumentInline, ContactInline]
    change_form_by_agreement = True
    save_on_top = True

    list_display = [
        "title",
        "reference_shown",
        "kind",
        "shown_status",
        "lead_region",
        "partner_names",
        "signed_on_known",
        "ends_known",
        "updated_at_shown",
    ]
    list_filter = [
        "kind",
        ShownStatusFilter,
        "scope",
        ("sectors", SectorFilter),
        AgreementProvinceFilter,
        PartnerCountryFilter,
        ExpiringSoonFilter,
        WaitsOnFilter,
        DormantFilter,
        "visibility",
        DataCheckFilter,
    ]
    search_fields = [
        "title",
        "title_en",
        "reference",
        "summary",
        "summary_en",
        "regions__name",
        "partners__name",
        "partners__name_local",
    ]
    search_help_text = _(
        "Cari judul, nomor naskah, ringkasan, atau nama daerah dan mitra; singkatan seperti "
        "Kaltim, NTT atau RRT juga dikenali."
    )
    date_hierarchy = "signed_on"
    # Counting the whole register on every page load costs a full scan at national scale.
    show_full_result_count = False
    paginator = LargeTablePaginator
    autocomplete_fields = ["lead_region", "regions", "partners", "agencies", "sectors", "follows"]
    readonly_fields = ["status_today", "created_at", "updated_at"]
    formfield_overrides = {
        **URL_FIELDS,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})},
    }
    # In the order staff fill them in: what the text is, who the parties are, where it stands
    # (status and dates, the number it gets on signing), what it continues, who may read it.
    fieldsets = [
        (_("Naskah"), {"fields": ["kind", "title", "summary", "sectors"]}),
        (
            _("Dalam bahasa Inggris"),
            {
                "fields": ["title_en", "summary_en"],
                "classes": ["collapse"],
                "description": _("Untuk pembaca berbahasa Inggris, bila sudah ada terjemahannya."),
            },
        ),
        (
            _("Para pihak"),
            {"fields": ["scope", "lead_region", "regions", "partners", "agencies"]},
        ),
        (
            _("Status dan tanggal"),
            {
                "fields": [
                    "status",
                    "status_today",
                    # Each date beside how precisely it is known (a year, a month, a day).
                    ("proposed_on", "proposed_on_precision"),
                    ("signed_on", "signed_on_precision"),
                    "signing_place",
                    "reference",
                    "treaty_room_reference",
                    "treaty_room_url",
                    ("in_force_from", "in_force_from_precision"),
                    ("expires_on", "expires_on_precision"),
                ]
            },
        ),
        (
            _("Anggaran"),
            {
                "fields": ["budget_amount", "budget_currency", "budget_source"],
                "description": _("Hanya untuk pejabat dan staf; tidak tampil di halaman umum."),
            },
        ),
        (
            _("Rangkaian naskah"),
            {
                "fields": ["follows", "relation"],
                "description": _("Naskah sebelumnya yang dilanjutkan, diperpanjang atau diubah."),
            },
        ),
        # ``loaded_version``, the version the form was loaded with (see the form), is in no
        # fieldset: a hidden input with no label of its own, written by the change form template.
        (_("Publikasi"), {"fields": ["visibility", "source_url", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lead_region")

    def get_form(self, request, obj=None, **kwargs):
        # The form knows who saves it: an amendment or extension of a text they may not change
        # is refused (``AgreementAdminForm.check_following``).
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"changer": request.user})

    def get_changelist(self, request, **kwargs):
        return AgreementChangeList

    # The documents that continue an agreement, each a link to the add form filled in with
    # what it shares with it (``Agreement.follow_up_initial``): an amendment a year on is
    # between the same parties, and typing them again is where a clerk errs.
    FOLLOW_UPS = [
        (AgreementRelation.IMPLEMENTS, _("Tambahkan naskah tindak lanjut")),
        (AgreementRelation.AMENDS, _("Tambahkan adendum")),
        (AgreementRelation.EXTENDS, _("Tambahkan perpanjangan")),
    ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and self.has_add_permission(request):
            context["follow_up_links"] = self.follow_up_links(obj, context["adminform"].form)
        if change and obj is not None and request.method != "POST":
            # As it is stored (a posted form has the posted values, and its own errors).
            context["status_contradictions"] = self.status_contradictions(obj, context)
            context["step_contradictions"] = self.step_contradictions(obj, context)
            context["party_contradictions"] = self.party_contradictions(obj, context)
            context["term_contradictions"] = obj.term_contradictions()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def status_contradictions(self, agreement, context):
        """What its stored status contradicts (``Agreement.status_contradictions``), shown
        above its form: a row written before the rules, which no save of it passes until the
        bureau mends it. Its steps are the milestone table's, already read; without the table
        (a reader who may not see steps), its steps recording a signing or a termination as
        done are read (``status_step_errors``)."""
        steps = self.milestone_table_rows(context)
        if steps is None:
            steps = agreement.milestones.filter(
                Milestone.records_signing_or_termination_q()
            ).order_by("done_on", "pk")
        return agreement.status_contradictions(steps)

    def step_contradictions(self, agreement, context):
        """Its steps that contradict its own dates (``Agreement.step_date_contradictions``),
        shown above its form: rows written before the rules, which the milestone table
        refuses to save again until the bureau mends them. The table's steps, already read;
        without the table, its steps are read."""
        steps = self.milestone_table_rows(context)
        if steps is None:
            steps = agreement.milestones.all()
        return agreement.step_date_contradictions(steps)

    @staticmethod
    def party_contradictions(agreement, context):
        """What its stored parties contradict (``Agreement.party_contradictions``), shown
        above its form: a KSDD stored with one region, or a KSDPK, KSDPL or KSDLL with no
        partner, before the rule, which the form saves
        while its parties are left as they are. Its parties as the form read them; a reader
        whose form has no party fields has them read."""
        initial = context["adminform"].form.initial
        return agreement.party_contradictions(
            initial.get("regions"), initial.get("partners"), initial.get("agencies")
        )

    @staticmethod
    def milestone_table_rows(context):
        """The steps of the change form's milestone table, already read; None without it."""
        return next(
            (
                inline.formset.get_queryset()
                for inline in context.get("inline_admin_formsets", ())
                if isinstance(inline.opts, MilestoneInline)
            ),
            None,
        )

    def follow_up_links(self, agreement, form):
        """(label, address) of each follow-up's add form. Reads the shared values from the
        change form's initial data, already loaded: no query of its own."""
        shared = {}
        for name in Agreement.SHARED_WITH_FOLLOW_UP:
            value = form.initial.get(name)
            if isinstance(value, list | tuple):  # many-to-many: the rows, as Django's admin
                value = ",".join(str(row.pk) for row in value)  # reads them from the address
            if value not in (None, ""):
                shared[name] = value
        add = reverse("admin:agreements_agreement_add", current_app=self.admin_site.name)
        return [
            (label, f"{add}?{urlencode(agreement.follow_up_initial(relation, shared))}")
            for relation, label in self.FOLLOW_UPS
        ]

    def short_form_q(self, meaning):
        """Agreements a region or a partner's country the short form stands for is party to."""
        condition = Q(pk__in=[])
        if meaning.region_codes:
            parties = Agreement.regions.through.objects.filter(
                region__code__in=meaning.region_codes
            )
            condition |= Q(pk__in=parties.values("agreement_id"))
        if meaning.country_codes:
            parties = Agreement.partners.through.objects.filter(
                partner__country_id__in=meaning.country_codes
            )
            condition |= Q(pk__in=parties.values("agreement_id"))
        for name in meaning.names:  # a title that writes the name out
            condition |= Q(title__icontains=name)
        return condition

    signed_on_known = known_date_column(Agreement, "signed_on", _("yang belum ditandatangani"))
    updated_at_shown = date_and_time_column(Agreement, "updated_at")

    @admin.display(
        description=Agreement._meta.get_field("expires_on").verbose_name, ordering="ends_by"
    )
    def ends_known(self, agreement):
        """When it ends, as the agreement list on the site says it: a terminated agreement on
        the day its termination step was done ("Diakhiri pada 1 Desember 2026", read with the
        row: ``AgreementChangeList``), not on the term first agreed beside its status
        "Diakhiri"; sorted by the day each ends (``ends_by``), as the list's sort by expiry."""
        if agreement.status == Agreement.Status.TERMINATED:
            ended = agreement.terminated_on
            if ended is None:
                return _("Diakhiri; tanggal tidak tercatat")
            # The sentence escaped, the date's <time> element kept: as the list's rows write it.
            return mark_safe(conditional_escape(_("Diakhiri %(date)s")) % {"date": on_time(ended)})
        return known(agreement, "expires_on") or None  # None: the list's dash

    @admin.display(
        description=Agreement._meta.get_field("reference").verbose_name, ordering="reference"
    )
    def reference_shown(self, agreement):
        """The text's number, free to break after each slash ("119/<wbr>1234/<wbr>2024"): a
        browser keeps it on one line, and a number of thirty characters made the column, and
        the list, wider than a 1280-pixel screen."""
        if not agreement.reference:
            return None  # the list's dash
        return mark_safe("/<wbr>".join(escaped(part) for part in agreement.reference.split("/")))

    @admin.display(description=_("status"))
    def shown_status(self, agreement):
        return agreement.get_shown_status_display()

    @admin.display(description=_("status hari ini"))
    def status_today(self, agreement):
        """On the form, beside the recorded status: what every page shows, given the dates."""
        if agreement.pk is None:
            return EMPTY
        return agreement.get_shown_status_display()

    @admin.display(description=_("mitra"))
    def partner_names(self, agreement):
        return ", ".join(partner.name for partner in agreement.listed_partners) or EMPTY

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_region" and self.narrows_rows(request):
            # The lead region decides who may change the record: an editor picks one of theirs.
            # Party regions may be any region.
            kwargs["queryset"] = editable_regions(request.user)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.error_messages["invalid_choice"] = _(
                "Pilih salah satu daerah yang ditugaskan kepada Anda sebagai daerah pengampu."
            )
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """The register's own search (``AgreementQuerySet.search``), as on the public list.

        It reads the full-text and trigram indexes and joins no party table, so no row comes
        twice and no DISTINCT is needed; Django's search would compare every field of every
        row, joined to every party, in upper case.
        """
        refuse_long_search(search_term)
        if autocomplete_source(request) == ("agreements", "agreement", "follows"):
            # A cooperation may continue another region's (a city's sister-city plan spawned by
            # its province's agreement): "follows" offers every agreement, as its field accepts.
            queryset = Agreement.objects.all()
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term, request.user), False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ChangedMeanwhile:
            # Someone saved between this form's check and its save; the transaction rolled
            # back, inlines included. Checking the form again now shows them what changed.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if not change:
            obj.save()
        # A change is saved with its rows (``save_related``), which knows whether any changed.

    def save_related(self, request, form, formsets, change):
        if change:
            if (
                not form.has_changed()
                and not form.instance.filled_by_check
                and not any(formset.has_changed() for formset in formsets)
            ):
                # Saved as it was opened: nothing is written, as on a step's or a document's
                # own page. No version of the agreement, no entry in the change log telling no
                # change, and a colleague's form opened before is not refused for it. Unless
                # the model's check filled in what a row written before its rules lacks.
                for formset in formsets:  # what the admin's change message reads
                    formset.new_objects = []
                    formset.changed_objects = []
                    formset.deleted_objects = []
                self.warn_of_chain_and_steps(request, form.instance)
                return
            form.instance.save_if_unchanged(form.cleaned_data["loaded_version"])
        # The parties and sectors belong to the history entry of the save just made.
        with writing_parties(form.instance):
            super().save_related(request, form, formsets, change)
        # Its milestones are saved: where its chain stands, in the same transaction; and where
        # the chain it left stands, if it now follows another text (what it followed may have
        # been waiting for its step, which is no longer that text's to tell).
        left = form.initial.get("follows") if change and "follows" in form.changed_data else None
        Agreement.objects.filter(pk__in=[form.instance.pk, left]).refresh_progress()
        typed = form.instance.status
        saved = Agreement.objects.filter(pk=form.instance.pk).values_list("status", flat=True)
        stored = saved.first()
        if stored is not None and stored != typed:
            form.instance.status = stored
            self.message_user(
                request,
                _(
                    "Status dicatat “%(stored)s”, bukan “%(typed)s”: jalur tahapan kerja sama "
                    "ini sudah melewati tahap itu (lihat “Tahapan menuju penandatanganan” di "
                    "halaman statusnya)."
                )
                % {
                    "stored": AgreementStatus(stored).label,
                    "typed": AgreementStatus(typed).label,
                },
                messages.WARNING,
            )
        previous = None
        if change and {"expires_on", "expires_on_precision"} & set(form.changed_data):
            previous = form.initial.get("expires_on") or None  # as the form was opened with it
            if previous is not None and not isinstance(previous, KnownDate):
                previous = KnownDate(previous, form.initial.get("expires_on_precision"))
        self.warn_of_chain_and_steps(request, form.instance, previous_end=previous)

    def warn_of_chain_and_steps(self, request, agreement, previous_end=None):
        """Warn of what the register records as signed or dated though the life of a
        cooperation says otherwise, without refusing it: a PKS running past the text it carries
        out, whether the PKS, that text or its extension was saved
        (``Agreement.term_overruns``), a DPRD approval recorded done before the TKKSD
        review (``Agreement.approved_before_review``), a text recorded terminated whose
        signed extension is still in force (``Agreement.extension_outliving_termination``),
        a text whose amendments outlast it (``Agreement.amendments_outlasting``), and, where
        its end was moved later from ``previous_end``, its amendments still ending there
        (``Agreement.amendments_left_behind``). Two queries: its chain, its steps."""
        chain = list(Agreement.objects.filter(pk=agreement.pk).chains())
        for overrun in agreement.term_overruns(chain):
            self.message_user(request, overrun.warning(), messages.WARNING)
        early = agreement.approved_before_review(Milestone.objects.filter(agreement=agreement))
        if early is not None:
            self.message_user(request, early.warning(), messages.WARNING)
        extension = agreement.extension_outliving_termination(chain, timezone.localdate())
        if extension is not None:
            told = _(
                "Naskah ini dicatat diakhiri, tetapi perpanjangannya, {extension}, masih "
                "tercatat “{status}”{until}: halaman status perpanjangan itu tetap menyebutnya "
                "demikian, dan halaman naskah ini menyebut kerja samanya berlanjut di sana. Bila "
                "pengakhiran ini mengakhiri kerja samanya, catat juga "
                "pengakhirannya pada perpanjangan itu (tahapan “{termination}” dan status "
                "“{terminated}”)."
            )
            until = ""
            if extension.expires_on is not None:
                until = _(" sampai %(date)s") % {"date": extension.known("expires_on")}
            link = change_link(extension)
            message = format_html(
                told,
                extension=link,
                status=extension.get_shown_status_display(),
                until=until,
                termination=MilestoneKind.TERMINATION.label,
                terminated=AgreementStatus.TERMINATED.label,
            )
            self.message_user(request, message, messages.WARNING)
        for amendment in agreement.amendments_outlasting(chain):
            link = change_link(amendment)
            warning = agreement.outlasting_warning(amendment, link)
            self.message_user(request, warning, messages.WARNING)
        for amendment in agreement.amendments_left_behind(chain, previous_end):
            link = change_link(amendment)
            told = _(
                "Naskah ini kini berakhir {expires}, tetapi amendemen atau adendumnya, "
                "{amendment}, masih berakhir {previous}, tanggal berakhir naskah ini "
                "sebelumnya. Bila adendum itu berakhir bersama naskah ini, perbaiki juga tanggal "
                "berakhirnya."
            )
            message = format_html(
                told,
                expires=agreement.known("expires_on"),
                amendment=link,
                previous=previous_end,
            )
            self.message_user(request, message, messages.WARNING)

    def delete_model(self, request, obj):
        chain = list(Agreement.objects.filter(pk=obj.pk).chains().exclude(pk=obj.pk))
        super().delete_model(request, obj)
        Agreement.objects.filter(pk__in=[a.pk for a in chain]).refresh_progress()

    def delete_queryset(self, request, queryset):
        chain = list(queryset.chains().exclude(pk__in=queryset.values("pk")).values_list("pk"))
        super().delete_queryset(request, queryset)
        Agreement.objects.filter(pk__in=[pk for (pk,) in chain]).refresh_progress()


def change_link(agreement):
    """A link to ``agreement``'s change form, named by its title in quotation marks: how the
    save's warnings name another document of its chain."""
    return format_html(
        '<a href="{}">“{}”</a>',
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        agreement.title,
    )


def opened_from_agreement(request):
    """Whether the page was opened from an agreement's change form: marked so by the form it
    posts (``FROM_AGREEMENT``), or, first opened, linked from one (the browser's Referer, sent
    within the site)."""
    if request.GET.get(FROM_AGREEMENT):
        return True
    referer = request.headers.get("referer", "")
    if request.method != "GET" or not referer:
        return False
    try:
        parsed = urlsplit(referer)
    except ValueError:  # not an address ("http://[::1"): linked from nowhere the site knows
        return False
    if parsed.netloc and parsed.netloc != request.get_host():
        return False
    try:
        match = resolve(parsed.path)
    except Resolver404:
        return False
    return match.url_name == "agreements_agreement_change"


class AgreementRowsAdmin(SearchListedAtMost, RowRulesAdmin):
    """Milestones and documents follow their agreement: an editor picks one of theirs.

    They are parts of it: every add, change and delete here first saves a version of the
    agreement (``AgreementQuerySet.mark_changed``), in the same transaction, so an agreement
    form opened before cannot write the old part back, and the change log tells the part's
    change as its agreement's, by whoever made it.

    Their change form links to their agreement's above its fields; opened from the agreement's
    form, it goes back there once saved or deleted (``FROM_AGREEMENT``, which its "Hapus" link
    carries to the page confirming the delete).
    """

    change_form_template = "admin/agreements/agreement_row_change_form.html"
    search_paginator = RowSearchPaginator

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not form_url and opened_from_agreement(request):
            query = request.GET.copy()
            query[FROM_AGREEMENT] = "1"
            form_url = "?" + query.urlencode()
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.agreement_id is not None:
            agreement = Agreement.objects.only("title").get(pk=obj.agreement_id)
            context["agreement_link"] = (
                reverse("admin:agreements_agreement_change", args=[agreement.pk]),
                agreement.title,
            )
        if FROM_AGREEMENT in form_url and self.has_change_permission(request, obj):
            # Read by the buttons' row alone (the template), so that its "Hapus" link carries the
            # mark; the breadcrumbs' list of every row keeps its own filters, which know no mark.
            # A reader who may not change the row gets "Tutup" to that list instead: no mark.
            context["submit_row_filters"] = urlencode(
                [*parse_qsl(context.get("preserved_filters", "")), (FROM_AGREEMENT, "1")]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_post_save_change(self, request, obj):
        if request.GET.get(FROM_AGREEMENT):
            return HttpResponseRedirect(
                reverse("admin:agreements_agreement_change", args=[obj.agreement_id])
            )
        return super().response_post_save_change(request, obj)

    def response_post_save_add(self, request, obj):
        # Added from the agreement's form (a step set aside, whose reason its table has no
        # room for: ``MilestoneInlineForm.notes_elsewhere``): back to that form.
        if request.GET.get(FROM_AGREEMENT):
            return HttpResponseRedirect(
                reverse("admin:agreements_agreement_change", args=[obj.agreement_id])
            )
        return super().response_post_save_add(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        """Deleted from the page opened from its agreement's form, a row goes back to that form,
        as it does once saved, rather than to the list of every row. Its agreement is read before
        the delete (one query, on the confirmation alone)."""
        agreement_id = None
        if request.method == "POST" and request.GET.get(FROM_AGREEMENT):
            row = self.get_object(request, unquote(object_id))
            agreement_id = row.agreement_id if row is not None else None
        response = super().delete_view(request, object_id, extra_context)
        if agreement_id is not None and response.status_code == 302:
            return HttpResponseRedirect(
                reverse("admin:agreements_agreement_change", args=[agreement_id])
            )
        return response

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            # Saved as it was opened: nothing is written, so no version of the agreement and
            # no entry in its history that tells no change.
            return
        agreements = {obj.agreement_id}
        if change and "agreement" in form.changed_data:
            agreements.add(form.initial.get("agreement"))  # moved from another agreement
        Agreement.objects.filter(pk__in=agreements).mark_changed()
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        Agreement.objects.filter(pk=obj.agreement_id).mark_changed()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        agreements = set(queryset.values_list("agreement_id", flat=True))
        Agreement.objects.filter(pk__in=agreements).mark_changed()
        super().delete_queryset(request, queryset)

    def get_search_results(self, request, queryset, search_term):
        """A row's own title, or its agreement as the register's search finds it
        (``MilestoneQuerySet.search``, ``DocumentQuerySet.search``): read from indexes, each row
        once, where Django's search compared three fields of every row joined to its agreement."""
        refuse_long_search(search_term)
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term, request.user), False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agreement" and self.narrows_rows(request):
            kwargs["queryset"] = Agreement.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Milestone)
class MilestoneAdmin(AgreementRowsAdmin, RegisterAdmin):
    form = MilestoneForm
    list_display = [
        "title",
        "agreement",
        "kind",
        "due_on_known",
        "done_on_known",
        "waited_on",
        "overdue",
    ]
    list_filter = [OverdueFilter, "kind", WaitsOnFilter]
    list_select_related = ["agreement"]
    # The steps still to do first, as the pages list them (the soonest due first), then those
    # done, the latest first: the model's own order (a timeline's) opened on steps done years
    # ago. Read from its index (migration 0065), not sorted, at half a million steps.
    ordering = [F("done_on").desc(nulls_first=True), *Milestone.SOONEST_DUE_FIRST]
    search_fields = ["title", "agreement__title", "agreement__reference"]
    date_hierarchy = "due_on"
    # Half a million milestones at national scale: never counted in full on a page load.
    show_full_result_count = False
    paginator = LargeTablePaginator
    autocomplete_fields = ["agreement"]
    formfield_overrides = {**URL_FIELDS, **SHORT_TEXT}
    fieldsets = [
        (None, {"fields": ["agreement", "kind", "title"]}),
        (
            _("Waktu"),
            {
                "fields": [
                    # Each date beside how precisely it is known (a year, a month, a day).
                    ("due_on", "due_on_precision"),
                    ("done_on", "done_on_precision"),
                    "waits_on",
                    "mark",
                    "pdln_number",
                ]
            },
        ),
        (_("Evaluasi dan catatan"), {"fields": ["rating", "findings", "notes"]}),
    ]

    # A milestone changes where its agreement's chain stands: refreshed in the same transaction.

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("agreement") if change else None
        super().save_model(request, obj, form, change)
        Agreement.objects.filter(pk__in=[obj.agreement_id, previous]).refresh_progress()
        if obj.kind in (Milestone.Kind.TKKSD, Milestone.Kind.DPRD):
            # Recorded as dated, out of the order of a cooperation's life: said, not refused.
            steps = Milestone.objects.filter(agreement=obj.agreement_id)
            early = obj.agreement.approved_before_review(steps)
            if early is not None:
                self.message_user(request, early.warning(), messages.WARNING)

    def delete_model(self, request, obj):
        agreement_id = obj.agreement_id
        super().delete_model(request, obj)
        Agreement.objects.filter(pk=agreement_id).refresh_progress()

    def delete_queryset(self, request, queryset):
        agreement_ids = list(queryset.values_list("agreement_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        Agreement.objects.filter(pk__in=agreement_ids).refresh_progress()

    due_on_known = known_date_column(Milestone, "due_on")
    # The steps with no done date, which the list's own order puts first, are those still to do.
    done_on_known = known_date_column(Milestone, "done_on", _("yang belum terlaksana"))

    @admin.display(description=Milestone._meta.get_field("waits_on").verbose_name)
    def waited_on(self, milestone):
        """Whom the step waits on as the filter beside it reads it: nobody once no one has to
        take it any more (``Milestone.waiting_on_today``)."""
        return milestone.get_waited_on_display() or None

    @admin.display(boolean=True, description=_("terlambat"))
    def overdue(self, milestone):
        return milestone.is_overdue


@admin.register(Document)
class DocumentAdmin(DocumentFileLinks, AgreementRowsAdmin, RegisterAdmin):
    form = DocumentForm
    list_display = ["title", "agreement", "kind", "language", "uploaded_at_shown"]
    list_filter = ["kind", "language"]
    list_select_related = ["agreement"]
    search_fields = ["title", "agreement__title", "agreement__reference"]
    autocomplete_fields = ["agreement"]
    readonly_fields = ["uploaded_at"]

    uploaded_at_shown = date_and_time_column(Document, "uploaded_at")


@admin.register(Sector)
class SectorAdmin(RankedAutocomplete, LabelledChangeList, RegisterAdmin):
    list_display = ["name_id", "name_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_id", "name_en", "slug"]
    exact_fields = ["slug", "name_id", "name_en"]
    prefix_fields = ["name_id", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}
    ordering = ["position", "name_id"]


@admin.register(Agency)
class AgencyAdmin(RowRulesAdmin, RankedAutocomplete, LabelledChangeList, RegisterAdmin):
    """The implementing agencies (OPD) of each region, the list an agreement's agencies are
    chosen from. An editor keeps those of their own regions."""

    list_display = ["name", "short_name", "region"]
    list_filter = [AgencyProvinceFilter]
    list_select_related = ["region"]
    search_fields = ["name", "short_name", "region__name", "region__code"]
    exact_fields = ["short_name", "name"]
    prefix_fields = ["short_name", "name"]
    autocomplete_fields = ["region"]
    ordering = ["region__code", "name"]

    def short_form_q(self, meaning):
        return Q(region__code__in=meaning.region_codes) if meaning.region_codes else None

    def ranked_ordering(self, request):
        # An editor's own regions' agencies first among those found alike: "Dinas Pariwisata"
        # offered Aceh's first to the editor of Kaltim, and Enter picked it.
        if autocomplete_source(request) != ("agreements", "agreement", "agencies"):
            return ()
        if not is_editor(request.user):
            return ()
        own = Q(region__in=editable_regions(request.user))
        return [Case(When(own, then=Value(0)), default=Value(1), output_field=IntegerField())]

    def narrows_rows(self, request):
        # An agreement's agencies may be another party region's: its autocomplete offers every
        # agency, and the form keeps them to the party regions (``Agreement.party_errors``).
        if autocomplete_source(request) == ("agreements", "agreement", "agencies"):
            return False
        return super().narrows_rows(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region" and self.narrows_rows(request):
            kwargs["queryset"] = editable_regions(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PotentialInline(BoundedInline, LabelledTabularInline):
    """A survey's potentials. A region or sector posted as a key that is none ("abc") is an
    invalid choice at its row (``CheckedKeys``): Django's autocomplete looked it up to show
    the form again, a server error."""

    model = Potential
    extra = 1
    fields = ["region", "sector", "title", "description"]
    autocomplete_fields = ["region", "sector"]
    formfield_overrides = SHORT_TEXT


@admin.register(PotentialSurvey)
class PotentialSurveyAdmin(RegisterAdmin):
    list_display = ["title", "held_on", "host_region", "organiser"]
    list_select_related = ["host_region"]
    search_fields = ["title", "organiser", "summary"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["host_region", "participants"]
    inlines = [PotentialInline]


@admin.register(Potential)
class PotentialAdmin(RowRulesAdmin, ShortFormSearch, RegisterAdmin):
    """A potential belongs to its region: an editor records those of their own regions."""

    list_display = ["title", "region", "sector", "survey"]
    list_filter = ["sector"]
    list_select_related = ["region", "sector", "survey"]
    search_fields = ["title", "description", "region__name", "region__code"]
    autocomplete_fields = ["region", "sector", "survey"]

    def short_form_q(self, meaning):
        return Q(region__code__in=meaning.region_codes) if meaning.region_codes else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region" and self.narrows_rows(request):
            kwargs["queryset"] = editable_regions(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
