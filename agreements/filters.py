"""The one FilterSet of the agreement list.

The list page, the region, partner, country and sector pages and every export of them use
``AgreementFilter``, so a download can never disagree with the page it was taken from. It only
filters and orders the queryset it is given; what the reader may see is decided before, by
``Agreement.objects.visible_to(user)``.
"""

import datetime
from typing import NamedTuple
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db.models import DateField, F, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.db.models.lookups import GreaterThanOrEqual
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from agreements.caching import cached_value, parties_version
from agreements.dates import FIRST_YEAR, LAST_YEAR, YEAR_OUT_OF_RANGE
from agreements.models import (
    SIGNED_STATUSES,
    WAITS_ON_CHOICES,
    Agency,
    Agreement,
    BudgetSource,
    Scope,
    Sector,
    reads_internal,
)
from common.one_value import OneValueEach
from common.parameters import KnownParameters
from common.text import refuse_hidden_characters
from common.widgets import PlainSelect
from partners.models import Country, Partner, Region, reads_english


def marked_internal(label, internal_only):
    """An option's ``label``, followed by the site's internal mark (" · Internal", as
    ``includes/internal_mark.html`` writes it after a row) when it names a party the public may
    not know of (``internal_only``: ``PartnerQuerySet.marking_internal_only``,
    ``AgencyQuerySet.marking_internal_only``)."""
    return f"{label} · {gettext('Internal')}" if internal_only else label


def _partner_rows(partners, internal, limit=None):
    """(pk, label, country) of ``partners`` in the order lists offer them, at most ``limit``;
    for a reader of internal records (``internal``) a partner known from internal agreements
    alone is marked in its label, read by the same query (``marking_internal_only``)."""
    rows = (
        partners.marking_internal_only(internal)
        .order_by("name", "pk")
        .values_list("pk", "name", "name_local", "country_id", "internal_only")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        (pk, marked_internal(Partner.label_of(name, name_local, country), internal_only), country)
        for pk, name, name_local, country, internal_only in rows
    ]


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegisterDateField(forms.DateField):
    """A day of a year the register holds (``FIRST_YEAR`` to ``LAST_YEAR``), refused otherwise
    in the words the admin refuses such a date with: ``0001-01-01`` or ``9999-12-31`` selects
    nothing the register can hold, and a day at the calendar's end has no day after it."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                YEAR_OUT_OF_RANGE,
                code="out_of_range",
                params={"year": value.year, "first": FIRST_YEAR, "last": LAST_YEAR},
            )


class RegisterDateFilter(django_filters.DateFilter):
    field_class = RegisterDateField


# The day each cooperation ends (``Agreement.ends_by``), or the calendar's last day where none
# is known, as the index of migration 0052 holds it: the list's order by expiry, soonest first
# with no end last, and the bound (``>=`` a day) that starts those still running at today, one
# range of that index, where "or none" beside it made the database read the index from its start.
ENDS_OR_NEVER = Coalesce(F("ends_by"), Value(datetime.date.max), output_field=DateField())

# Every ordering the ``sort`` parameter accepts; anything else is refused. Each ends on the
# primary key so that pages never overlap or skip a row. The expiry sorts by the day each
# cooperation ends (``Agreement.ends_by``): a terminated one's termination day, whose row says
# "Diakhiri pada …", else the last day its expiry covers, as the dashboard's soon expiring and
# the report read it: "Januari 2027" ends after 23 January 2027, not before it.
SORTS = {
    "-signed": [F("signed_on").desc(nulls_last=True), "-pk"],
    "signed": [F("signed_on").asc(nulls_last=True), "pk"],
    "expires": [ENDS_OR_NEVER, "pk"],
    "-expires": [F("ends_by").desc(nulls_last=True), "-pk"],
    "title": [Lower("title"), "pk"],
    "-title": [Lower("title").desc(), "-pk"],
    "-updated": ["-updated_at", "-pk"],
}
# The title an English reader sees: the English one where filled, else the Indonesian
# (``Agreement.shown_title``). English pages sort by it, read from the indexes of migration 0057.
SHOWN_TITLE_IN_ENGLISH = Lower(Coalesce(NullIf(F("title_en"), Value("")), F("title")))
SORTS_IN_ENGLISH = {
    "title": [SHOWN_TITLE_IN_ENGLISH, "pk"],
    "-title": [SHOWN_TITLE_IN_ENGLISH.desc(), "-pk"],
}


def sorts_for_reader():
    """``SORTS`` as the reader's language orders titles: by the title the page shows."""
    return {**SORTS, **SORTS_IN_ENGLISH} if reads_english() else SORTS


DEFAULT_SORT = "-signed"
RELEVANCE = "relevance"
SORT_CHOICES = [
    (RELEVANCE, _("Paling sesuai dengan kata kunci")),
    ("-signed", _("Tanggal ditandatangani, terbaru dulu")),
    ("signed", _("Tanggal ditandatangani, terlama dulu")),
    ("expires", _("Tanggal berakhir, terdekat dulu")),
    ("-expires", _("Tanggal berakhir, terjauh dulu")),
    ("title", _("Judul, A–Z")),
    ("-title", _("Judul, Z–A")),
    ("-updated", _("Terakhir diubah, terbaru dulu")),
]

# The parameter naming the page of a list (``paging.page_asked``), which no filter reads.
PAGE = "page"

WITH_DOCUMENTS, WITHOUT_DOCUMENTS = "yes", "no"
DORMANT = "yes"
LATE = "yes"

# Past this many partners a list of them all is no longer a usable control (see
# ``AgreementFilter._partner_choices``).
PARTNER_CHOICES_MAX = 300


def several_of(label, choices, method, **options):
    """A filter taking any of ``choices`` (an enumeration of choices, or a list of them) at once,
    as boxes to tick."""
    return django_filters.MultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        label=label,
        choices=getattr(choices, "choices", choices),
        method=method,
        **options,
    )


def one_of(label, model, method, empty_label, queryset=None, **options):
    """A filter taking one row of ``model`` (of ``queryset``, if given), from a list
    (``PlainSelect``)."""
    return django_filters.ModelChoiceFilter(
        widget=PlainSelect,
        label=label,
        queryset=model.objects.all() if queryset is None else queryset,
        method=method,
        empty_label=empty_label,
        **options,
    )


class CountryCodeField(django_filters.fields.ModelChoiceField):
    """A partner country by its ISO 3166-1 code, in capitals as the register keeps it, whatever
    case the address writes it in: ``?country=jp`` is Japan, as ``?country=JP`` and the
    country's page, ``/countries/jp/``, are; its list shows Japan chosen."""

    def to_python(self, value):
        return super().to_python(value.upper() if isinstance(value, str) else value)

    def prepare_value(self, value):
        return super().prepare_value(value.upper() if isinstance(value, str) else value)


class CountryFilter(django_filters.ModelChoiceFilter):
    field_class = CountryCodeField


# At most this many values of a filter a page fixes are read to tell a conflict
# (``AgreementFilter.fixed_conflicts``).
FIXED_VALUES_READ = 10


class Conflict(NamedTuple):
    """A filter a subject page fixes, which its address asks to set to something else
    (``AgreementFilter.fixed_conflicts``): ``/countries/CN/?country=JP``."""

    name: str  # the filter's parameter: "country"
    label: str  # its label: "Negara mitra"
    subject: object  # what the page fixes it to: China
    given: list  # each value the address asks for: the record it names, else the value as written
    parameter: str  # the parameter as the address writes it: "country=JP"

    @property
    def message(self):
        return _(
            "%(label)s di alamat ini (%(parameter)s) meminta %(given)s, padahal halaman ini "
            "hanya memuat kerja sama %(subject)s; filter itu tidak dapat diganti di halaman ini."
        ) % {
            "label": self.label,
            "parameter": self.parameter,
            "given": ", ".join(getattr(item, "name", None) or f"“{item}”" for item in self.given),
            "subject": getattr(self.subject, "name", None) or "—",
        }


class AgreementFilterForm(OneValueEach, KnownParameters, forms.Form):
    """The list's filters as a form: what each field refuses, a filter of one value given
    more than once (``?region=64.72&region=`` would list the whole register, with no word why:
    ``OneValueEach``), a signing period that ends before it starts or a signing year outside
    it (either would list nothing, with no word why), and a filter the page
    fixes set otherwise by the address (it would be ignored, with no word why): the form's only
    errors outside its fields (``fixed_conflicts``, set by ``AgreementFilter``)."""

    fixed_conflicts = list  # no page fixes anything unless its FilterSet says so
    # The parameters the address may name (``AgreementFilter``'s filters, those the page fixes
    # and the page); None: anything, as a form not made by ``AgreementFilter``. A parameter no
    # filter reads (``?regoin=64``) would list, download or follow the whole selection in place
    # of the one asked for, with no word why: refused (``KnownParameters``).
    known_parameters = None
    unknown_message = _(
        "Alamat ini memuat parameter yang tidak dikenali daftar ini: "
        "%(parameters)s. Hapus dari alamat, atau pilih filter pada formulir."
    )
    # Whether the selection is read whole (``AgreementFilter``'s ``whole``): then an address
    # naming a page of it is refused.
    whole = False

    def clean(self):
        cleaned = super().clean()
        # A value repeated in a filter of several (``?kind=mou&kind=mou``, an address edited by
        # hand) selects what it selects once: read once, the page shows one chip for it and
        # its downloads' names say it once (``mou``, not ``mou-mou``). Sectors, read as
        # records, already are.
        for name, value in cleaned.items():
            if isinstance(value, list):
                cleaned[name] = list(dict.fromkeys(value))
        for conflict in self.fixed_conflicts():
            self.add_error(None, ValidationError(conflict.message, code="fixed"))
        pages = getattr(self.data, "getlist", lambda name: [])(PAGE)
        if self.whole and pages:
            self.add_error(
                None,
                ValidationError(
                    _(
                        "Unduhan, umpan dan kalender memuat seluruh hasil, bukan satu halaman: "
                        "hapus %(parameter)s dari alamat."
                    ),
                    code="paged",
                    params={"parameter": urlencode([(PAGE, page) for page in pages])},
                ),
            )
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end and end < start:
            self.add_error(
                "signed_to",
                _("Tanggal akhir penandatanganan lebih awal dari tanggal awalnya: tukar keduanya."),
            )
        year = cleaned.get("year")
        if year is not None and start and start > datetime.date(year, 12, 31):
            self.add_error(
                "year",
                _(
                    "Tahun %(year)s berakhir sebelum tanggal awal penandatanganan (%(date)s): "
                    "ubah tahun atau tanggalnya."
                )
                % {"year": year, "date": date_format(start)},
            )
        elif year is not None and end and end < datetime.date(year, 1, 1):
            self.add_error(
                "year",
                _(
                    "Tahun %(year)s dimulai sesudah tanggal akhir penandatanganan (%(date)s): "
                    "ubah tahun atau tanggalnya."
                )
                % {"year": year, "date": date_format(end)},
            )
        return cleaned


class _ReadTogether:
    """The records a model choice ``field`` (its queryset, narrowed to its reader) holds of
    ``values``, read in one query, and looked up by the field in place of its queryset as it
    validates a value (``AgreementFilter.problems_of``): what the field finds here, it finds in
    the database, and what it refuses, it refuses alike."""

    def __init__(self, field, values):
        self.queryset = field.queryset
        self.model = self.queryset.model
        self.key = field.to_field_name or "pk"
        self.column = (
            self.model._meta.pk if self.key == "pk" else self.model._meta.get_field(self.key)
        )
        keys = set()
        for value in values:
            key = self._read(value)
            if key is not None:
                keys.add(key)
        self.records = (
            {
                getattr(record, self.key): record
                for record in self.queryset.filter(**{f"{self.key}__in": keys})
            }
            if keys
            else {}
        )

    def _read(self, value):
        """``value`` as the database compares it with the key, or None where it names none
        (one the field refuses before it asks the database: a NUL, a key past its column)."""
        if "\x00" in str(value):
            return None
        try:
            key = self.column.to_python(value)
        except ValidationError:
            return None
        if isinstance(key, int) and not -(2**63) <= key < 2**63:
            return None
        return key

    def all(self):
        return self

    def none(self):
        return []

    def get(self, **lookup):
        ((_name, value),) = lookup.items()
        self.queryset.filter(**lookup)  # refused as the field's own lookup refuses it
        key = self._read(value)
        if key not in self.records:
            raise self.model.DoesNotExist
        return self.records[key]

    def filter(self, **lookup):
        ((name, value),) = lookup.items()
        if name.endswith("__in"):
            keys = {self._read(one) for one in value}
            return [record for key, record in self.records.items() if key in keys]
        self.queryset.filter(**lookup)  # refused as the field's own lookup refuses it
        return self

    def __iter__(self):
        return iter(self.records.values())


class SelectionsRead:
    """Query strings of the list (followed selections) as ``reader`` reads them, and the
    records they name, read together: one query per filter naming a record that any of them
    names, the first time it is asked for (``records``), whatever asks (a follow's name,
    ``AgreementFilter.naming_unknown``; whether the list reads it, ``problems_of``)."""

    def __init__(self, filter_class, queries, reader):
        self.data = {query: QueryDict(query) for query in queries}
        if not any(
            name in data for data in self.data.values() for name in filter_class.READ_AS_READER
        ):
            # Only these filters read a selection otherwise for one reader than for another:
            # where none is named, it is read as the public reads it, without asking who
            # ``reader`` is (a query for their roles).
            reader = AnonymousUser()
        self.reader = reader
        self.filter_class = filter_class
        self._narrowed = None
        self._records = {}

    def names(self, name):
        """The values of the filter ``name`` any of the queries gives."""
        return {value for data in self.data.values() for value in data.getlist(name)}

    def records(self, name):
        """The records the filter ``name`` finds, for the reader, among the values the queries
        give it (``_ReadTogether``): one query, the first time."""
        if name not in self._records:
            if self._narrowed is None:
                self._narrowed = self.filter_class(
                    queryset=Agreement.objects.none(), reader=self.reader
                )
            self._records[name] = _ReadTogether(
                self._narrowed.filters[name].field, self.names(name)
            )
        return self._records[name]


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Kata kunci"),
        method="filter_q",
        max_length=200,
        validators=[refuse_hidden_characters],
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_(
            "Judul, ringkasan, nomor naskah, nama pihak atau bidang; singkatan seperti Kaltim, "
            "NTT atau RRT juga dikenali."
        ),
    )
    # Kind, scope, status, sector and whom it waits on take several values at once (KSDPL and
    # KSDLL together), each repeated in the query string: ``?scope=ksdpl&scope=ksdll``.
    kind = several_of(_("Jenis naskah"), Agreement.Kind, "filter_kind")
    scope = several_of(_("Lingkup"), Scope, "filter_scope")
    status = several_of(_("Status"), Agreement.Status, "filter_status")
    # Every party, and nobody named yet (``?waits_on=none``): a next step naming no one, as
    # the report counts it under "Belum ditentukan" and the dashboard beside the parties.
    waits_on = several_of(
        _("Menunggu"),
        WAITS_ON_CHOICES,
        "filter_waits_on",
        help_text=_("Pihak yang ditunggu langkah berikutnya."),
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        label=_("Bidang"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_sector",
    )
    region = one_of(
        _("Daerah"),
        Region,
        "filter_region",
        _("Semua daerah"),
        to_field_name="code",
        help_text=_("Provinsi mencakup kabupaten dan kotanya."),
    )
    agency = one_of(
        _("Perangkat daerah pelaksana"),
        Agency,
        "filter_agency",
        _("Semua perangkat daerah"),
        # Its chip names the region (agency names repeat): read with it. Narrowed to the
        # agencies the reader may know of in ``__init__``.
        queryset=Agency.objects.select_related("region"),
        help_text=_("Dinas, badan atau biro yang melaksanakan kerja sama."),
    )
    # Officials and staff only (``reads_internal``): the budget is never public, nor is
    # selecting by it (``__init__`` drops the filter for anyone else).
    budget_source = several_of(
        _("Sumber anggaran"),
        BudgetSource,
        "filter_budget_source",
        help_text=_("Hanya untuk pejabat dan staf."),
    )
    # Narrowed to the partners the reader may know of in ``__init__``.
    partner = one_of(_("Mitra"), Partner, "filter_partner", _("Semua mitra"))
    # Its code read in capitals (``CountryCodeField``): ``?country=jp`` is Japan.
    country = CountryFilter(
        widget=PlainSelect,
        label=_("Negara mitra"),
        queryset=Country.objects.all(),
        method="filter_country",
        empty_label=_("Semua negara"),
    )
    year = YearFilter(
        label=_("Tahun ditandatangani"),
        field_name="signed_on",
        lookup_expr="year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )
    signed_from = RegisterDateFilter(
        label=_("Ditandatangani sejak"),
        field_name="signed_on",
        lookup_expr="gte",
        widget=DATE_WIDGET,
    )
    signed_to = RegisterDateFilter(
        label=_("Ditandatangani sampai"),
        method="filter_signed_to",
        widget=DATE_WIDGET,
    )
    expires_before = RegisterDateFilter(
        label=_("Berakhir paling lambat"),
        method="filter_expires_before",
        widget=DATE_WIDGET,
    )
    dormant = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Mati suri"),
        choices=[(DORMANT, _("Hanya yang mati suri"))],
        method="filter_dormant",
        empty_label=_("Semua"),
        help_text=_(
            "Berlaku lebih dari setahun tanpa kegiatan atau monitoring dan evaluasi setahun "
            "terakhir."
        ),
    )
    late = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Tahapan terlambat"),
        choices=[(LATE, _("Hanya yang tahapannya terlambat"))],
        method="filter_late",
        empty_label=_("Semua"),
        help_text=_("Ada tahapan yang melewati target tanggalnya dan belum terlaksana."),
    )
    documents = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Dokumen"),
        choices=[(WITH_DOCUMENTS, _("Ada dokumen")), (WITHOUT_DOCUMENTS, _("Tanpa dokumen"))],
        method="filter_documents",
        empty_label=_("Dengan atau tanpa dokumen"),
    )
    sort = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Urutkan"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Agreement
        fields = []
        form = AgreementFilterForm

    # The filters whose value names a record not every reader may know of, each narrowed to
    # what its reader may in ``__init__`` (``PartnerQuerySet.visible_to``,
    # ``AgencyQuerySet.visible_to``).
    NARROWED_TO_READER = ("partner", "agency")

    # The filters a reader may select by, or select records of, as their role allows: the
    # partners and agencies they may know of, the budget's source for officials and staff.
    READ_AS_READER = (*NARROWED_TO_READER, "budget_source")
    # The filters whose value names a record, each read by its field from the database.
    NAMING_RECORDS = ("sector", "region", "agency", "partner", "country")
    # The filters only readers of internal records select by (the budget's source, never
    # public): anyone else's list, and the Atom feeds, read for the public whoever fetches
    # them, are read as though they were not named (``withheld``).
    INTERNAL_ONLY = ("budget_source",)

    @classmethod
    def naming_unknown(cls, queries, reader, read=None):
        """Which of ``queries`` (query strings of the list, as a followed selection keeps
        them) name a partner or an agency ``reader`` may not know of now, or a value that names
        none: a set of them. What a page said of such a selection when it was saved (a chip,
        a follow's name: "Mitra: …") is not for ``reader`` to read again once the partner is
        hidden from them (a role taken away, its agreements made internal). One query per
        such filter named by any of them, none when none is; none at all for the records
        ``read`` (``SelectionsRead`` of the same queries and reader) has read already."""
        read = read or SelectionsRead(cls, queries, reader)
        unknown = set()
        for name in cls.NARROWED_TO_READER:
            by_value = {}
            for query, data in read.data.items():
                for value in data.getlist(name):
                    by_value.setdefault(value, set()).add(query)
            if not by_value:
                continue
            known = {str(key) for key in read.records(name).records}
            for value, held_by in by_value.items():
                if value not in known:
                    unknown |= held_by
        return unknown

    @classmethod
    def problems_of(cls, queries, reader, read=None):
        """Which of ``queries`` (query strings of the list, as followed selections keep them)
        the list would refuse for ``reader`` now, each with its problems as
        ``describe_errors`` gives a form's ({"label", "message"}): a region or a sector since
        removed, a partner they may no longer know of, a parameter or a year the list refuses
        now; or a filter it would read as though not named (``withheld``: the budget's source
        to a reader who lost their role), which would be another selection. A dict of the
        refused ones; each is read by the list's own form. One query per filter naming a
        record (``NAMING_RECORDS``) that any of them names, however many there are, none for
        those ``read`` has read already: the records they name are read together
        (``SelectionsRead``), and each form looks its values up among them."""
        read = read or SelectionsRead(cls, queries, reader)
        problems = {}
        for query, data in read.data.items():
            filterset = cls(data, queryset=Agreement.objects.none(), reader=read.reader)
            form = filterset.form
            for name in cls.NAMING_RECORDS:
                if name in form.fields and read.names(name):
                    form.fields[name].queryset = read.records(name)
            found = []
            if not filterset.is_valid():
                for name, errors in form.errors.as_data().items():
                    field = form.fields.get(name)
                    found += [
                        {"label": field.label if field else None, "message": message}
                        for message in cls._told_to_a_follower(errors)
                    ]
            for name in sorted(filterset.withheld):
                found.append(
                    {
                        "label": cls.base_filters[name].label,
                        "message": _("Anda tidak lagi dapat memilih kerja sama menurut isian ini."),
                    }
                )
            if found:
                problems[query] = found
        return problems

    @staticmethod
    def _told_to_a_follower(errors):
        """The messages of ``errors`` (a form's ``ValidationError`` list) as a follower reads
        them: a parameter the list does not read is named without the list's advice to remove
        it from the address, which a followed selection has none of."""
        for error in errors:
            if error.code == "unknown":
                told = _("Pilihan ini memuat parameter yang tidak dikenali daftar: %(parameters)s.")
                yield told % error.params
            else:
                yield from error.messages

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        fixed=None,
        reads=(),
        reader=None,
        today=None,
        whole=False,
        ordered=True,
        **kwargs,
    ):
        """``fixed`` maps the filters a page has already applied to what it applies them to (a
        region page: ``{"region": <Region 64>}``, ``export_views.SUBJECTS``): they are left out
        of the form; an address naming one with another value is refused
        (``fixed_conflicts``).

        ``reader`` is who reads the selection (else the request's user; else the public): a
        partner or an agency they may not know of (``PartnerQuerySet.visible_to``,
        ``AgencyQuerySet.visible_to``) is refused as unknown, never named in a chip.

        ``today`` is the day the filters that depend on the date read the register on (the
        shown status, whom a step waits on, dormant, late): today unless given, as a followed
        selection's digest gives the day it is planned for.

        ``whole`` says the selection is read whole, every page of it (a download, a feed, a
        calendar: ``export_views.selection``): an address naming a page (``?page=2``) is
        refused, saying so, where the whole selection would be given in place of that page with
        no word why.

        ``reads`` names the parameters the page reads besides its filters (a region page's
        ``potential_sector``, ``Subject.reads``); an address naming any other is refused.

        ``ordered`` False drops the order (``sort``) for a page that keeps its own, the change
        log and its feed, newest first: the form offers none, and an address asking for one is
        refused, where it was read and the page listed as before, with no word why.
        """
        super().__init__(data, queryset, **kwargs)
        if hasattr(self.data, "lists"):
            # An address naming what sets nothing (``?kind=&q=``) selects as the one without it.
            self.data = self.without_unset(self.data, reads=reads, ordered=ordered)
        self.reads = tuple(reads)
        self.ordered = ordered
        if not ordered:
            self.filters.pop("sort")
        self.today = today
        self.whole = whole
        reader = reader or getattr(self.request, "user", None)
        self.reader = reader
        # A partner the reader may not know of is unknown here too, fixed or not.
        self.filters["partner"].queryset = Partner.objects.visible_to(reader)
        self.filters["agency"].queryset = Agency.objects.visible_to(reader).select_related("region")
        self.fixed = dict(fixed or {})
        self.fixed_filters = {name: self.filters.pop(name) for name in self.fixed}
        if not reads_internal(reader):
            for name in self.INTERNAL_ONLY:
                self.filters.pop(name)

    @classmethod
    def unset_in(cls, data, *, reads=(), ordered=True):
        """What ``data`` (a ``QueryDict``) names that sets nothing, as {name: [values]}: a
        filter's empty value, which a form sends for every field left as it was
        (``?q=&region=&sort=relevance``), as the list's kind and status sent it when each
        was one list to choose from (``?kind=&status=``); and the order the form offers first,
        ``sort=relevance``, which is the order of a list asked for none (``current_sort``). So
        is an empty value of a parameter the page reads besides (``reads``: a region's
        ``potential_sector``). Not a filter of one value given more than once, even empty
        (``?region=64&region=``, refused: ``one_value``), nor a parameter no filter reads
        (refused: ``KnownParameters``), nor the order of a page that offers none (refused:
        ``ordered``)."""
        unset = {}
        for name, values in data.lists():
            several = isinstance(cls.base_filters.get(name), django_filters.MultipleChoiceFilter)
            if several:
                blank = [value for value in values if value == ""]
            elif len(values) != 1:
                continue
            elif name in cls.base_filters and not (name == "sort" and not ordered):
                setting_nothing = ("", RELEVANCE) if name == "sort" else ("",)
                blank = [value for value in values if value in setting_nothing]
            else:
                blank = [value for value in values if value == "" and name in reads]
            if blank:
                unset[name] = blank
        return unset

    @classmethod
    def without_unset(cls, data, *, reads=(), ordered=True):
        """``data`` (a ``QueryDict``) less what sets nothing (``unset_in``): a copy, or
        ``data`` itself when it holds nothing of the kind. The list pages send an address
        naming any to the one without it (``views.only_what_is_set``); the downloads, feeds
        and calendars read it as that address (``__init__``), so every address the pages'
        forms ever sent still selects what it did."""
        unset = cls.unset_in(data, reads=reads, ordered=ordered)
        if not unset:
            return data
        kept = QueryDict(mutable=True)
        for name, values in data.lists():
            left = list(values)
            for value in unset.get(name, ()):
                left.remove(value)
            if left:
                kept.setlist(name, left)
        return kept

    @property
    def withheld(self):
        """The filters of the list its data names that its reader may not select by (the
        budget's source, to a reader who does not read internal records): the page reads the
        list as though they were not named. A followed selection naming one is not the
        selection its reader followed (``reminders.follow.plan``)."""
        return {
            name
            for name in self.data
            if name in self.base_filters
            and name not in self.filters
            and name not in self.fixed_filters
        }

    @property
    def selects_beyond_public(self):
        """The filters of ``INTERNAL_ONLY`` this selection applies (its reader selects by them,
        and the data gives them a value), each by its label: the public's list, and so the Atom
        feed beside the page, which is read for the public whoever fetches it, would hold
        another selection, every agreement whatever its budget. The page offers no such feed
        (``views.selection_feeds``); its calendar, read for its reader, holds the selection."""
        if not self.is_valid():
            return []
        return [
            self.filters[name].label
            for name in self.INTERNAL_ONLY
            if name in self.filters and self.form.cleaned_data.get(name)
        ]

    @property
    def names_beyond_public(self):
        """The filters of ``NARROWED_TO_READER`` this selection applies, or its page fixes (a
        partner's page), whose record the public may not know of (a partner or an agency named
        only by internal agreements: ``PartnerQuerySet.visible_to``), each by its label. The
        Atom feed beside the page is read for the public, whoever fetches it, and refuses such
        an address (a partner's page: 404), so the page offers none (``views.public_feed_note``);
        its calendar, read for its reader, holds the selection. None for a reader who may know
        of no more than the public does; else one query per such record named."""
        return [label for _name, label in self._beyond_public]

    @property
    def chosen_beyond_public(self):
        """The fields of the form (``NARROWED_TO_READER``, not those its page fixes) whose
        chosen record the public may not know of (``names_beyond_public``), by name: marked
        "Internal" where the page names it (its option, its chip: ``marked_internal``), as the
        site's other lists mark such a record. Empty for a reader who may know of no more than
        the public does, to whom no such record is ever named."""
        return {name for name, _label in self._beyond_public if name not in self.fixed}

    @property
    def _beyond_public(self):
        """(name, label) of each filter of ``names_beyond_public``, read once."""
        if hasattr(self, "_names_beyond_public"):
            return self._names_beyond_public
        named = []
        if reads_internal(self.reader) and self.is_valid():
            for name in self.NARROWED_TO_READER:
                if name in self.fixed:
                    chosen, label = self.fixed[name], self.fixed_filters[name].label
                else:
                    chosen, label = self.form.cleaned_data.get(name), self.filters[name].label
                if chosen is None:
                    continue
                known = type(chosen).objects.visible_to(None).filter(pk=chosen.pk)
                if not known.exists():
                    named.append((name, label))
        self._names_beyond_public = named
        return named

    @property
    def form(self):
        form = super().form
        form.fixed_conflicts = self.fixed_conflicts
        form.whole = self.whole
        # Every filter of the list is known, one the reader is not offered too (the public's
        # pages and feeds ignore the officials' ``budget_source``).
        form.known_parameters = {*self.base_filters, *self.reads, PAGE}
        if not self.ordered:
            form.known_parameters.discard("sort")
        return form

    def fixed_conflicts(self):
        """The filters the page fixes that its address names with another value, each a
        ``Conflict``; the page, its downloads and its feeds refuse them (400), never ignore
        them. This is the one rule of a subject page's address:

        - a fixed filter left out, or empty (``?country=``), says nothing: the page lists its
          subject;
        - a fixed filter naming the page's own subject (``/countries/CN/?country=CN``; a
          partner's page given the partner's country) is harmless, as the agreement list
          with that filter would list the same;
        - any other value is a conflict, a region inside a province's page included
          (``/regions/64/?region=64.72``): the province's page would list a city's agreements
          under the province's name, its map, potentials and attention; that city's own page
          is the narrower list. So is a value unknown, or a partner the reader may not know of
          (named as written, never by its name), and a sector's page given its own sector and
          another (``?sector=education&sector=tourism``), which asks for either.

        Each value is read as the agreement list reads it (one query per value named)."""
        if hasattr(self, "_fixed_conflicts"):
            return self._fixed_conflicts
        values_of = getattr(self.data, "getlist", lambda name: [self.data.get(name)])
        conflicts = []
        for name, subject in self.fixed.items():
            given = list(dict.fromkeys(v for v in values_of(name) if v not in ("", None)))
            if not given:
                continue
            # Read one by one: an address repeating the filter a thousand times is refused by
            # its first values without a query for each.
            given = given[:FIXED_VALUES_READ]
            read = [self._read_fixed(name, value) for value in given]
            if all(item == subject for item in read):
                continue
            conflicts.append(
                Conflict(
                    name=name,
                    label=self.fixed_filters[name].label,
                    subject=subject,
                    given=read,
                    parameter=urlencode([(name, value) for value in given]),
                )
            )
        self._fixed_conflicts = conflicts
        return conflicts

    def _read_fixed(self, name, value):
        """``value`` of the fixed filter ``name`` as the agreement list reads it: the record it
        names, else ``value`` itself."""
        field = self.fixed_filters[name].field
        several = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        try:
            read = field.clean([value] if several else value)
        except ValidationError:
            return value
        if several:
            read = list(read)
            return read[0] if len(read) == 1 else value
        return value if read is None else read

    # -- filters ----------------------------------------------------------------------------

    def filter_q(self, queryset, name, value):
        # A partner the reader may not know of changes nothing they find (``search``).
        return queryset.search(value, self.reader)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind__in=value) if value else queryset

    def filter_scope(self, queryset, name, value):
        return queryset.filter(scope__in=value) if value else queryset

    def filter_status(self, queryset, name, value):
        return queryset.with_shown_status_in(value, self.today) if value else queryset

    def filter_waits_on(self, queryset, name, value):
        return queryset.waiting_on(value, self.today) if value else queryset

    def filter_signed_to(self, queryset, name, value):
        return queryset.signed_by(value)

    def filter_expires_before(self, queryset, name, value):
        return queryset.expiring_by(value)  # each cooperation once: ``filter_queryset``

    def filter_dormant(self, queryset, name, value):
        # Each cooperation once: ``filter_queryset``.
        return queryset.dormant(self.today) if value == DORMANT else queryset

    def filter_late(self, queryset, name, value):
        return queryset.with_overdue_steps(self.today) if value == LATE else queryset

    def filter_sector(self, queryset, name, value):
        return queryset.in_sectors(value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.in_region(value)

    def filter_agency(self, queryset, name, value):
        return queryset.carried_out_by(value)

    def filter_budget_source(self, queryset, name, value):
        return queryset.funded_from(value) if value else queryset

    def filter_partner(self, queryset, name, value):
        return queryset.with_partner(value)

    def filter_country(self, queryset, name, value):
        return queryset.with_partner_country(value)

    def filter_documents(self, queryset, name, value):
        if value == WITH_DOCUMENTS:
            return queryset.with_documents()
        return queryset.without_documents()

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in filter_queryset

    def filter_queryset(self, queryset):
        filtered = super().filter_queryset(queryset)
        cleaned = self.form.cleaned_data if self.is_valid() else {}
        if cleaned.get("expires_before") or cleaned.get("dormant") == DORMANT:
            # What ends by a day, or lies dormant, each cooperation once, as the dashboard
            # counts what ends soon and what lies dormant (``dormant_cooperations``): an
            # amendment ending with its text, listed too, goes with the text. Read among the
            # whole selection, so that a text other filters leave out leaves its amendment
            # listed. The dormant are in force today: their amendments are read from their
            # own index, as ``dormant_cooperations`` reads them.
            dormant = cleaned.get("dormant") == DORMANT
            running_on = (self.today or timezone.localdate()) if dormant else None
            filtered = filtered.each_cooperation_once(running_on=running_on)
        if self.current_sort == "expires" and self._running_only():
            # What the status filter implies, said to the database in the order's terms: shown
            # as signed or in force, a term ends today or later, or never. The order by expiry
            # then starts at today in its index (migrations 0047 and 0051), where it read past
            # every term already ended first: 120 ms for those in force at 100,000 agreements.
            today = self.today or timezone.localdate()
            filtered = filtered.hinted(GreaterThanOrEqual(ENDS_OR_NEVER, today))
        return filtered.order_by(*self.ordering(filtered))

    def _running_only(self):
        """Whether the statuses chosen are all those of a term still running: signed, in
        force."""
        chosen = self.form.cleaned_data.get("status") if self.is_valid() else None
        return bool(chosen) and set(chosen) <= set(SIGNED_STATUSES)

    # -- ordering ---------------------------------------------------------------------------

    @property
    def current_sort(self):
        """The ordering in effect: the one asked for, else relevance for a search, else the
        default. Relevance asked for without a keyword, as the form sends it when applied with
        its first choice and no keyword, is the default: the list is so ordered, and its
        headers say so."""
        cleaned = self.form.cleaned_data if self.is_valid() else {}
        if cleaned.get("sort") and (cleaned["sort"] != RELEVANCE or cleaned.get("q")):
            return cleaned["sort"]
        return RELEVANCE if cleaned.get("q") else DEFAULT_SORT

    def ordering(self, queryset):
        sort = self.current_sort
        if sort == RELEVANCE:
            # Only PostgreSQL ranks; elsewhere a search keeps the default order.
            if "search_rank" in queryset.query.annotations:
                return ["-search_rank", *SORTS[DEFAULT_SORT]]
            sort = DEFAULT_SORT
        # By the title the page shows: "Sister city …" was sorted among the "Kota kembar".
        return sorts_for_reader()[sort]

    # -- the form as a page shows it --------------------------------------------------------

    def offer_choices(self):
        """Fill the form's lists with what is worth choosing, reading the database now.

        Regions, partners and countries are limited to those party to an agreement in the
        queryset (all provinces stay, since a province covers its regencies), so the public
        never finds the name of a party to an internal agreement here. Validation still accepts
        any existing region or country, so a shared link keeps working after its last agreement
        is gone, and any partner or agency the reader may know of (``PartnerQuerySet.visible_to``,
        ``AgencyQuerySet.visible_to``). A reader of internal records is offered the partners and
        agencies of internal agreements too, each one the public may not know of marked
        "Internal" in its label (``marked_internal``), as the site's other lists mark them.

        The agencies offered are those of the agreements in the queryset, for the same reason.

        Up to five queries (sectors, regions, partners, countries, agencies), so that rendering
        the form queries nothing; none while the parties of the agreements stay as they were,
        because the lists are cached under the version of what they are read from
        (``agreements.caching.parties_version``: a title corrected or a step recorded leaves
        them), the queryset they were read from, and whether the reader reads internal records,
        which the marks depend on. The queryset is what the reader may see of the register or
        of one subject's agreements (``export_views.SUBJECTS``), which that version follows.
        """
        fields = self.form.fields
        cleaned = self.form.cleaned_data if self.is_valid() else {}
        wanted = [
            name for name in ("sector", "region", "partner", "country", "agency") if name in fields
        ]
        try:
            sql, params = self.queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # nothing can match: nothing worth keeping either
            offered = self._offered(wanted)
        else:
            offered = cached_value(
                "filter-choices",
                [
                    self.queryset.db,
                    sql,
                    repr(params),
                    get_language(),
                    reads_internal(self.reader),
                    *wanted,
                ],
                lambda: self._offered(wanted),
                version=parties_version,
            )
        if "sector" in fields:
            fields["sector"].widget.choices = offered["sector"]
        if "region" in fields:
            regions = offered["region"]
            chosen = cleaned.get("region")
            codes = {code for code, _n, _p in regions}
            if chosen is not None and chosen.code not in codes:
                # Offered with its province, which heads its group in the list.
                added = [(chosen.code, chosen.name, chosen.is_province)]
                province = chosen.province
                if province is not None and province.code not in codes:
                    added.append((province.code, province.name, True))
                regions = sorted([*regions, *added])
            fields["region"].widget.choices = self._region_groups(
                fields["region"].empty_label, regions
            )
        if "partner" in fields:
            fields["partner"].widget.choices = [
                ("", fields["partner"].empty_label),
                *self._partner_choices(offered["partner"], cleaned),
            ]
        if "agency" in fields:
            fields["agency"].widget.choices = [
                ("", fields["agency"].empty_label),
                *self._agency_choices(offered["agency"], cleaned),
            ]
        if "country" in fields:
            countries = offered["country"]
            chosen = cleaned.get("country")
            if chosen and chosen.pk not in {code for code, _name in countries}:
                countries = sorted([*countries, (chosen.pk, chosen.name)], key=lambda c: c[1])
            fields["country"].widget.choices = [("", fields["country"].empty_label)] + countries

    def _offered(self, wanted):
        """The lists ``offer_choices`` offers, as plain values: {field name: [...]}.

        Read as plain rows, not model instances: at national scale the partner list alone has
        5,000 of them. For the whole register, or what the public sees, the counts the
        database keeps tell which regions and partners have agreements
        (``AgreementQuerySet.tallied_keys``): a semi-join over a few thousand kept rows; for
        one province's, partner country's or sector's agreements, the pairs it keeps of them
        (migration 0046).
        """
        regions_tallied = self.queryset.tallied_keys("region")
        register_partners = self.queryset.tally_expression(
            "partner", '"partners_partner"."id"::text'
        )
        partners_tallied = self.queryset.tallied_keys("partner")
        if register_partners is not None:
            # Walked in the order of the list, each partner's count probed by its key: the list
            # stops at what it can offer, where the partners' keys, read first, are every
            # partner of the register (5,000 at 100,000 agreements).
            partners = Partner.objects.alias(tallied=register_partners).filter(tallied__gt=0)
        elif partners_tallied is not None:
            # A subject's (a province's, a country's, a sector's): its keys, read first, no
            # more than a list can offer and one: past that the list is not offered.
            partners = Partner.objects.filter(
                pk__in=self.queryset.tallied_keys("partner", limit=PARTNER_CHOICES_MAX + 1)
            )
        else:
            partners = Partner.objects.filter(self.queryset.linked("partners"))
        internal = reads_internal(self.reader)
        offered = {}
        if "sector" in wanted:
            offered["sector"] = [(sector.slug, sector.name) for sector in Sector.objects.all()]
        if "region" in wanted:
            # The whole register, what the public sees, a country's and a sector's agreements
            # have their regions counted; any other selection (a partner's agreements, or one
            # narrowed further) is a part of it, each region probed for an agreement of it, or
            # its parties collected in one pass, as the planner weighs it
            # (``AgreementQuerySet.linked``). A province is offered where it or one of its
            # regencies and cities is party (choosing it selects them all): every province,
            # offered always, left most of a country's or a sector's choices listing nothing.
            # Ordered by code, a province ("64") comes right before its regencies ("64.72").
            if regions_tallied is not None:
                parties = Q(pk__in=regions_tallied)
            else:
                parties = self.queryset.linked("regions")
            listed = {}
            for code, name, level, province_code, province_name in Region.objects.filter(
                parties
            ).values_list("code", "name", "level", "province__code", "province__name"):
                if level == Region.Level.PROVINCE or province_code is None:
                    listed[code] = (code, name, True)
                else:
                    listed.setdefault(province_code, (province_code, province_name, True))
                    listed[code] = (code, name, False)
            offered["region"] = [listed[code] for code in sorted(listed)]
        if "agency" in wanted:
            # Only agencies of agreements the reader may see: an internal agreement's agencies
            # are never offered to the public, and marked to a reader of internal records.
            offered["agency"] = [
                (
                    agency.pk,
                    marked_internal(agency.label, agency.internal_only),
                    agency.region.code,
                    agency.region.name,
                )
                for agency in Agency.objects.used_by(self.queryset)
                .marking_internal_only(internal)
                .select_related("region")
                .order_by("region__code", "name", "pk")
            ]
        if "partner" in wanted or "country" in wanted:
            # Where the counts are kept, no more partners are read than a list can offer: past
            # that the field asks for a country first (``_partner_choices``), and the countries
            # come from their own tallies.
            listed = _partner_rows(
                partners,
                internal,
                PARTNER_CHOICES_MAX + 1 if partners_tallied is not None else None,
            )
            if len(listed) > PARTNER_CHOICES_MAX and partners_tallied is not None:
                listed = None
        if "partner" in wanted:
            offered["partner"] = listed
        if "country" in wanted:
            if listed is None:
                countries = Country.objects.filter(
                    pk__in=self.queryset.tallied_keys("country", cast="text")
                )
            else:
                # The countries of the partners just listed: no second pass over every party.
                countries = Country.objects.filter(
                    pk__in={country for _pk, _name, country in listed}
                )
            offered["country"] = sorted(
                ((country.pk, country.name) for country in countries), key=lambda c: c[1]
            )
        return offered

    def _partner_choices(self, partners, cleaned):
        """The partners to offer: all of them while the list is short enough to choose from.

        A national register has thousands of partners; a list of all of them is neither usable
        nor small (it would be most of every list page). Then only the partners of the chosen
        country are offered, if they are few enough, and the field says how to find the rest.
        A partner already chosen is always offered, so the form shows what is in effect.
        """
        chosen = cleaned.get("partner")
        country = cleaned.get("country")
        if partners is None and country is not None:
            # Too many to have been read (``_offered``): those of the chosen country, read now.
            partners = _partner_rows(
                Partner.objects.filter(
                    country=country, pk__in=self.queryset.tallied_keys("partner")
                ),
                reads_internal(self.reader),
                PARTNER_CHOICES_MAX + 1,
            )
        elif partners is not None and len(partners) > PARTNER_CHOICES_MAX and country is not None:
            partners = [partner for partner in partners if partner[2] == country.pk]
        if partners is None or len(partners) > PARTNER_CHOICES_MAX:
            hint = _(
                "Mitra terlalu banyak untuk satu daftar: pilih negara mitra dulu, atau ketik "
                "nama mitra pada kata kunci."
            )
            # The bound field took its help text when validation created it.
            self.form.fields["partner"].help_text = self.form["partner"].help_text = hint
            partners = []
        choices = [(pk, label) for pk, label, _country in partners]
        if chosen and chosen.pk not in {pk for pk, _label in choices}:
            # Marked as the options read from the register are (``_partner_rows``).
            internal_only = "partner" in self.chosen_beyond_public
            choices.append((chosen.pk, marked_internal(chosen.label, internal_only)))
        return choices

    def _agency_choices(self, agencies, cleaned):
        """The agencies to offer, grouped by region: those of the chosen region (a province
        with its regencies and cities) when one is chosen; all of them while the list is short
        enough to choose from (``PARTNER_CHOICES_MAX``); the chosen agency always."""
        chosen = cleaned.get("agency")
        region = cleaned.get("region")
        if region is not None:
            agencies = [
                agency
                for agency in agencies
                if agency[2] == region.code or agency[2].startswith(f"{region.code}.")
            ]
        if len(agencies) > PARTNER_CHOICES_MAX:
            hint = _("Perangkat daerah terlalu banyak untuk satu daftar: pilih daerah dulu.")
            self.form.fields["agency"].help_text = self.form["agency"].help_text = hint
            agencies = []
        if chosen and chosen.pk not in {agency[0] for agency in agencies}:
            # Marked as the options read from the register are (``_offered``).
            label = marked_internal(chosen.label, "agency" in self.chosen_beyond_public)
            agencies = [*agencies, (chosen.pk, label, chosen.region.code, chosen.region.name)]
        groups = {}
        for pk, label, _code, region_name in agencies:
            groups.setdefault(region_name, []).append((pk, label))
        return list(groups.items())

    @staticmethod
    def _region_groups(empty_label, regions):
        """Regions grouped by province, each province first as "the whole province"."""
        groups = []
        for code, name, is_province in regions:
            if is_province:
                whole = _("Seluruh %(province)s") % {"province": name}
                groups.append((name, [(code, whole)]))
            else:
                groups[-1][1].append((code, name))
        return [("", empty_label), *groups]
