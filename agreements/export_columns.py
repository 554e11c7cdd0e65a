"""The export's columns, declared once, and how a cell is written.

Each ``Column`` is a name, what it holds (in short, as the data dictionary page shows it; its row
in ``docs/data-dictionary.md`` says it at length) and a cell rule: where its value comes from and
how its cell is written. Both ways of writing an export are made from ``COLUMNS``: the Python
writers of ``agreements.exports`` (CSV, JSON and XLSX from ``iter_records``) and the query of
``agreements.exports_postgresql`` that writes the CSV and JSON cells in the database. Adding a
column is one line in ``COLUMNS`` and one row in the data dictionary; ``tests/test_export_text.py``
holds both paths to the same bytes.

A rule reads one of:

- a field of the agreement (``"title"``) or of a row it points to (``"lead_region__name"``):
  Python reads it with ``QuerySet.values``, the query joins the rows it needs;
- the shown status (``"shown_status"``), annotated by ``AgreementQuerySet.shown_status_case``,
  the predecessor as the downloader may know it (``"shown_follows"``) and the day a
  terminated agreement ended (``"termination_done_on"``, ``AgreementQuerySet.termination_fields``):
  all computed by ``computed_fields``;
- one of the party lists of ``PARTIES``, aggregated per agreement: Python reads them with one
  query a list (``party_values``), the query aggregates each once for the whole selection;
- the next step as ``AgreementQuerySet.refresh_progress`` stores it on the agreement
  (``next_stage``, ``next_milestone``, ``next_due_on``, ``waits_on``).
"""

import datetime
import json
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from access.models import exports_leave_out_internal
from agreements.dates import DatePrecision, KnownDate
from agreements.models import (
    ENDED_STATUSES,
    WAITS_ON_CHOICES,
    WAITS_ON_NOBODY,
    Agreement,
    AgreementQuerySet,
    BudgetSource,
    Document,
    Milestone,
    MilestoneKind,
    MilestoneWaitsOn,
    Potential,
    PotentialSurvey,
    Scope,
    reads_internal,
)
from common.text import ESCAPE, FORMULA_TRIGGERS, NEEDS_NEUTRALISER, NEUTRALISER, join_values
from partners.models import Partner, Region

# Several values in one cell are joined by "; ", a ";" or "\" inside a value escaped with a
# backslash (``common.text.join_values``), so a partner called "A; B" survives the round trip.
# A cell beginning with a formula trigger is written after an apostrophe
# (``common.text.FORMULA_TRIGGERS``, ``neutralise``).

JSON = json.JSONEncoder(ensure_ascii=False)


@dataclass(frozen=True)
class Party:
    """One list of an agreement's parties: the many-to-many field of ``Agreement`` that holds
    them, the fields of a party it is in the order of, and the values it gives of each party
    (name → field path from the party; ``{language}`` is ``id`` or ``en``, the reader's)."""

    field: str
    order: tuple
    values: dict

    def paths(self, language):
        """The field paths of the values, from the party, in the reader's language."""
        return [path.format(language=language) for path in self.values.values()]


# The lists of an agreement's parties, each a tuple of its values per party, in the order of
# ``values``. The query aggregates each into ``party_<list>.<value>``; ``agreements.exports``
# reads them with ``party_values``. A missing value (a partner without a subdivision) is "".
PARTIES = {
    "regions": Party("regions", ("code",), {"codes": "code", "names": "name"}),
    "partners": Party(
        "partners",
        ("name", "country_id"),
        {
            "names": "name",
            "countries": "country_id",
            "country_names": "country__name_{language}",
            "names_local": "name_local",
            "subdivisions": "subdivision_id",
            "kinds": "kind",
        },
    ),
    "sectors": Party(
        "sectors", ("position", "name_id"), {"slugs": "slug", "names": "name_{language}"}
    ),
    "agencies": Party(
        "agencies", ("region__code", "name"), {"names": "name", "regions": "region__code"}
    ),
    # Not a many-to-many: each signatory is a row of its own agreement.
    "signatories": Party(
        "signatories",
        ("position", "id"),
        {"names": "name", "offices": "office", "parties": "party"},
    ),
    # Officials and staff only (``Column.internal``).
    "contacts": Party(
        "contacts",
        ("party", "name", "id"),
        {
            "names": "name",
            "offices": "office",
            "parties": "party",
            "emails": "email",
            "phones": "phone",
        },
    ),
}


def reader_language(language):
    """``id`` or ``en``: the language names are read in for the reader's ``language``."""
    return "en" if (language or "id").startswith("en") else "id"


def party_values(party, ids, language):
    """{agreement id: [(value, …) per party, in order]} of ``PARTIES[party]`` for the
    agreements ``ids``, from one query."""
    spec = PARTIES[party]
    field = Agreement._meta.get_field(spec.field)
    if field.many_to_many:
        links, to_party = field.remote_field.through, field.m2m_reverse_field_name() + "__"
    else:  # rows of their own, pointing at the agreement
        links, to_party = field.related_model, ""
    rows = (
        links.objects.filter(agreement_id__in=ids)
        .order_by("agreement_id", *(f"{to_party}{name}" for name in spec.order))
        .values_list(
            "agreement_id",
            *(
                Coalesce(f"{to_party}{path}", Value(""))
                for path in spec.paths(reader_language(language))
            ),
        )
    )
    grouped = {}
    for agreement_id, *values in rows:
        grouped.setdefault(agreement_id, []).append(tuple(values))
    return grouped


# -- cells --------------------------------------------------------------------------------------


def split_values(cell):
    """The inverse of ``join_values``: ``"a; b\\; c"`` → ``["a", "b; c"]``; blanks dropped."""
    values, current, escaped = [], [], False
    for char in cell or "":
        if escaped:
            current.append(char)
            escaped = False
        elif char == ESCAPE:
            escaped = True
        elif char == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return [value.strip() for value in values if value.strip()]


def neutralise(text):
    """Make a text cell safe to open in a spreadsheet (see ``FORMULA_TRIGGERS``)."""
    if text and text.startswith((*FORMULA_TRIGGERS, NEUTRALISER)):
        return NEUTRALISER + text
    return text


def unneutralise(text):
    """Undo ``neutralise``: strip the one apostrophe it adds, and nothing else."""
    if (
        text
        and len(text) > 1
        and text[0] == NEUTRALISER
        and text[1:].startswith((*FORMULA_TRIGGERS, NEUTRALISER))
    ):
        return text[1:]
    return text


def plain_cell(value):
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    # ``neutralise``, inlined: it runs for most cells of every row.
    return NEUTRALISER + text if text and text[0] in NEEDS_NEUTRALISER else text


def several_cell(values):
    return "" if values is None else plain_cell(join_values(values))


def date_cell(value):
    return "" if value is None else value.isoformat()


def datetime_cell(value):
    return "" if value is None else value.isoformat(timespec="seconds")


def choice_labels(choices):
    return {value: str(label) for value, label in choices.choices}


# -- cell rules ---------------------------------------------------------------------------------
#
# A rule gives, for its column:
#   fields      what it reads of the agreement's row (field paths for ``QuerySet.values``);
#   reader()    a function of that row to the value (called once per export, in the reader's
#               language: labels are looked up then);
#   text        the value as the text of a CSV or XLSX cell;
#   json        the value as JSON holds it;
#   sql(sql)    the cell as the query writes it, in the format of ``sql`` (a ``_CsvSql`` or
#               ``_JsonSql`` of ``agreements.exports_postgresql``).


class Rule:
    fields = ()
    several = False  # several values: joined with SEPARATOR in CSV and XLSX, a list in JSON
    text = staticmethod(plain_cell)
    json = None  # None: the value as it is

    def reader(self, context):
        return itemgetter(self.fields[0])


class Text(Rule):
    """A text field, written "" when missing."""

    def __init__(self, field):
        self.fields = (field,)

    def sql(self, sql):
        return sql.plain(sql.column(self.fields[0]))


class Choice(Rule):
    """The stored value of a field held by its CHECK constraint to ``choices`` (or blank)."""

    def __init__(self, field, choices, blank=False):
        self.fields = (field,)
        self.values = ["", *choices.values] if blank else list(choices.values)

    def sql(self, sql):
        return sql.known(sql.column(self.fields[0]), self.values)


class ShownRelation(Choice):
    """How the agreement relates to the one it follows, when the downloader may see that one
    (``shown_follows`` names it): else "", since a relation alone tells that there is one."""

    def __init__(self):
        super().__init__("relation", Agreement.Relation, blank=True)
        self.fields = ("relation", "shown_follows")

    def reader(self, context):
        return lambda row: row["relation"] if row["shown_follows"] else ""

    def sql(self, sql):
        relation = super().sql(sql)
        hidden = f"{sql.column('shown_follows')} = ''"
        return f"(CASE WHEN {hidden} THEN {sql.plain(EMPTY_TEXT)} ELSE {relation} END)"


class Label(Rule):
    """The label of a field's value among ``choices``; an unknown value stands for itself."""

    def __init__(self, field, choices):
        self.fields = (field,)
        self.choices = choices

    def reader(self, context):
        labels, field = choice_labels(self.choices), self.fields[0]
        return lambda row: labels.get(row[field], row[field])

    def sql(self, sql):
        return sql.label(sql.column(self.fields[0]), choice_labels(self.choices))


class Date(Rule):
    """A date as it is known (``agreements.dates``): ``1982``, ``2018-05`` or ``2018-05-03``."""

    def __init__(self, field):
        self.fields = (field, f"{field}_precision")

    def reader(self, context):
        field, precision = self.fields
        return lambda row: None if row[field] is None else KnownDate(row[field], row[precision])

    @staticmethod
    def text(value):
        return "" if value is None else value.iso

    @staticmethod
    def json(value):
        return None if value is None else value.iso

    def sql(self, sql):
        return sql.known_date(sql.column(self.fields[0]), sql.column(self.fields[1]))


class Timestamp(Rule):
    """A moment, in the current time zone with its UTC offset, to the second."""

    text = staticmethod(datetime_cell)

    def __init__(self, field):
        self.fields = (field,)

    def reader(self, context):
        field, zone = self.fields[0], context.local_tz
        return lambda row: None if row[field] is None else timezone.localtime(row[field], zone)

    @staticmethod
    def json(value):
        return None if value is None else value.isoformat(timespec="seconds")

    def sql(self, sql):
        return sql.timestamp(sql.column(self.fields[0]))


class Several(Rule):
    """One value of each of an agreement's parties (``PARTIES``), in their order."""

    several = True
    text = staticmethod(several_cell)

    def __init__(self, party, value):
        self.party, self.value = party, value
        self.index = list(PARTIES[party].values).index(value)

    def reader(self, context):
        party, index = self.party, self.index
        return lambda row: [values[index] for values in row[party]]

    def sql(self, sql):
        return sql.several(f"party_{self.party}.{self.value}")


def amount_text(amount):
    """An amount as a spreadsheet in any locale reads it back as the number it is: a whole
    amount as its digits alone (``1250000000``), which a spreadsheet with Indonesian settings,
    where the dot separates thousands, reads as well as one with English settings; an amount
    with cents with a decimal point (``1250000.50``); "" when missing."""
    if amount is None:
        return ""
    if amount == amount.to_integral_value():
        return f"{amount.to_integral_value():f}"
    return f"{amount:f}"


class Amount(Rule):
    """A decimal amount as ``amount_text`` writes it (``1250000000``, ``1250000.50``), "" when
    missing; a text in JSON too, so no reader rounds it."""

    def __init__(self, field):
        self.fields = (field,)

    def reader(self, context):
        field = self.fields[0]
        return lambda row: amount_text(row[field])

    def sql(self, sql):
        amount = sql.column(self.fields[0])
        return sql.plain(
            f"coalesce(CASE WHEN {amount} = trunc({amount}) THEN trunc({amount})::text "
            f"ELSE {amount}::text END, '')"
        )


class AmountsCurrency(Text):
    """The currency of an amount (``budget_currency`` of ``budget_amount``), "" where no amount
    is recorded: a currency alone says nothing, and the import reads it back as it was."""

    def __init__(self, field, amount):
        self.fields = (field, amount)

    def reader(self, context):
        field, amount = self.fields
        return lambda row: "" if row[amount] is None else row[field]

    def sql(self, sql):
        currency, amount = (sql.column(field) for field in self.fields)
        empty = sql.plain(EMPTY_TEXT)
        return f"(CASE WHEN {amount} IS NULL THEN {empty} ELSE {sql.plain(currency)} END)"


class Number(Text):
    """A whole number (an evaluation's rating), "" when missing: its digits in CSV, a number in
    JSON, and a number cell in a worksheet, so that it adds and averages them up."""


class PageUrl(Rule):
    """The address of the agreement's status page."""

    fields = ("id",)

    def reader(self, context):
        page_url = context.page_url
        return lambda row: page_url(row["id"])

    def sql(self, sql):
        return sql.page_url()


# SQL: an empty text, typed (PostgreSQL's to_json cannot take an untyped literal).
EMPTY_TEXT = "''::text"


def _ended_sql(sql):
    """SQL: the agreement shows as ended (``ENDED_STATUSES``, expired by its date included)."""
    ended = ", ".join(sql.literal(status) for status in ENDED_STATUSES)
    return f"{sql.column('shown_status')} IN ({ended})"


class NextStep(Rule):
    """What the status page says comes next, as stored by ``refresh_progress``: the next
    stage's label, or the next milestone's title; "" once the agreement shows as ended."""

    fields = ("shown_status", "next_stage", "next_milestone__title")

    def reader(self, context):
        labels = choice_labels(MilestoneKind)

        def label(row):
            if row["shown_status"] in ENDED_STATUSES:
                return ""
            if row["next_stage"]:
                return labels.get(row["next_stage"], row["next_stage"])
            return row["next_milestone__title"] or ""

        return label

    def sql(self, sql):
        stage = sql.column("next_stage")
        title = sql.column("next_milestone__title")
        return (
            f"(CASE WHEN {_ended_sql(sql)} THEN {sql.plain(EMPTY_TEXT)} "
            f"WHEN {stage} <> '' THEN {sql.label(stage, choice_labels(MilestoneKind))} "
            f"ELSE {sql.plain(f'coalesce({title}, {EMPTY_TEXT})')} END)"
        )


class NextStepDue(Rule):
    """The target date of the next step (``refresh_progress``), as precisely as its milestone
    knows it ("2024-06" for a step planned for June); none once the agreement shows as ended."""

    fields = ("shown_status", "next_due_on", "next_milestone__due_on_precision")
    text = staticmethod(Date.text)
    json = staticmethod(Date.json)

    def reader(self, context):
        def due(row):
            if row["shown_status"] in ENDED_STATUSES or row["next_due_on"] is None:
                return None
            precision = row["next_milestone__due_on_precision"] or DatePrecision.DAY
            return KnownDate(row["next_due_on"], precision)

        return due

    def sql(self, sql):
        due = sql.column("next_due_on")
        return sql.known_date(
            f"(CASE WHEN {_ended_sql(sql)} THEN NULL ELSE {due} END)",
            sql.column("next_milestone__due_on_precision"),
        )


class WaitsOn(Rule):
    """Whom the next step waits on (``refresh_progress``): a ``MilestoneWaitsOn`` value, ""
    when nobody is named and once the agreement shows as ended."""

    fields = ("shown_status", "waits_on")

    def reader(self, context):
        return lambda row: "" if row["shown_status"] in ENDED_STATUSES else row["waits_on"]

    def sql(self, sql):
        waits = sql.column("waits_on")
        return sql.known(
            f"(CASE WHEN {_ended_sql(sql)} THEN '' ELSE {waits} END)",
            ["", *MilestoneWaitsOn.values],
        )


class WaitsOnLabel(WaitsOn):
    """Whom the next step waits on, in the words of the list's "Menunggu" column
    (``WAITS_ON_CHOICES`` labels): "Belum ditentukan" where a next step is stored that names
    nobody yet (``Agreement.has_next_step_now``), as the list's column, the report and the
    filter ``waits_on=none`` say it; "" where nothing is next and once the agreement shows as
    ended, as ``WaitsOn``. The machine value (``WaitsOn``) stays "" for nobody named: it is
    what the import reads back."""

    fields = (*WaitsOn.fields, "next_stage", "next_milestone")

    @staticmethod
    def labels():
        """{value of ``WAITS_ON_CHOICES``: its words}, in the language of the export."""
        return {party: str(label) for party, label in WAITS_ON_CHOICES}

    def reader(self, context):
        value, labels = super().reader(context), self.labels()

        def label(row):
            party = value(row)
            if not party and row["shown_status"] not in ENDED_STATUSES:
                pending = row["next_stage"] or row["next_milestone"] is not None
                party = WAITS_ON_NOBODY if pending else ""
            return labels.get(party, party)

        return label

    def sql(self, sql):
        waits = sql.column("waits_on")
        pending = (
            f"({sql.column('next_stage')} <> '' OR {sql.column('next_milestone')} IS NOT NULL)"
        )
        party = (
            f"(CASE WHEN {_ended_sql(sql)} THEN {EMPTY_TEXT} WHEN {waits} <> '' THEN {waits} "
            f"WHEN {pending} THEN {sql.literal(WAITS_ON_NOBODY)} ELSE {EMPTY_TEXT} END)"
        )
        return sql.label(party, self.labels())


class Flag(Rule):
    """A yes or no the agreement's row computes: ``true`` or ``false``, in every format the
    same word (a boolean in JSON)."""

    def __init__(self, field):
        self.fields = (field,)

    def reader(self, context):
        field = self.fields[0]
        return lambda row: bool(row[field])

    @staticmethod
    def text(value):
        return "true" if value else "false"

    def sql(self, sql):
        return f"(CASE WHEN {sql.column(self.fields[0])} THEN 'true' ELSE 'false' END)"


def computed_fields(today, readable):
    """The fields the cell rules read that the agreement's row computes: its shown status on
    ``today``, the ``follows`` cell, the predecessor's reference (or else its title) when
    the predecessor is among ``readable``, what the downloader may see, and "" otherwise, the
    ``follows_visibility`` cell, that predecessor's visibility (likewise "" otherwise), and
    the day a terminated agreement's termination step was done (``termination_fields``),
    whether a signed extension among ``readable`` already extends it (``extended_among``), and
    whether a signed follow-up among ``readable`` already carries it on
    (``followed_up_among``)."""
    named = readable.annotate(
        export_name=Coalesce(NullIf("reference", Value("")), NullIf("title", Value("")))
    )
    return {
        "shown_status": AgreementQuerySet.shown_status_case(today),
        "shown_follows": Coalesce(
            AgreementQuerySet.predecessor_among(named, "export_name"), Value("")
        ),
        # Whether that predecessor is public or internal (its column ``follows_visibility``):
        # a downloader of internal records reads an internal one named there as internal, as
        # the status page's chain marks it; "" where ``follows`` names none.
        "shown_follows_visibility": Coalesce(
            AgreementQuerySet.predecessor_among(readable, "visibility"), Value("")
        ),
        # The day a terminated agreement ended (its column ``terminated_on``).
        **AgreementQuerySet.termination_fields(),
        # Already extended (its column ``extended``), as the list and the dashboard say it.
        "is_extended": AgreementQuerySet.extended_among(readable),
        # Already followed up (its column ``followed_up``), likewise.
        "is_followed_up": AgreementQuerySet.followed_up_among(readable),
    }


# -- the columns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    rule: Rule
    imported: bool = False  # read back by the importer (the data dictionary page says so)
    # Read by officials and staff only (``reads_internal``): never in the public's exports.
    internal: bool = False

    @property
    def several(self):
        return self.rule.several


Kind, Status = Agreement.Kind, Agreement.Status

COLUMNS = [
    Column(
        "reference",
        _("Nomor naskah; kunci pencocokan saat impor."),
        Text("reference"),
        imported=True,
    ),
    Column("title", _("Judul."), Text("title"), imported=True),
    Column("title_en", _("Judul dalam bahasa Inggris."), Text("title_en"), imported=True),
    Column("kind", _("Jenis naskah (nilai mesin, mis. mou)."), Choice("kind", Kind), imported=True),
    Column("kind_label", _("Jenis naskah (teks)."), Label("kind", Kind)),
    Column(
        "scope", _("Lingkup (ksdd, ksdpk, ksdpl, ksdll)."), Choice("scope", Scope), imported=True
    ),
    Column("scope_label", _("Lingkup (teks)."), Label("scope", Scope)),
    Column(
        "status",
        _("Status yang ditampilkan hari ini (nilai mesin)."),
        Choice("shown_status", Status),
        imported=True,
    ),
    Column("status_label", _("Status yang ditampilkan (teks)."), Label("shown_status", Status)),
    Column(
        "recorded_status",
        _("Status yang tercatat (nilai mesin)."),
        Choice("status", Status),
        imported=True,
    ),
    Column(
        "visibility",
        _("Visibilitas (public, internal)."),
        Choice("visibility", Agreement.Visibility),
        imported=True,
    ),
    Column(
        "lead_region_code",
        _("Kode Kemendagri daerah pengampu."),
        Text("lead_region__code"),
        imported=True,
    ),
    # The names are read when the codes are empty (and must agree with them when both are given).
    Column(
        "lead_region_name", _("Nama daerah pengampu."), Text("lead_region__name"), imported=True
    ),
    Column(
        "region_codes",
        _("Kode Kemendagri daerah pihak."),
        Several("regions", "codes"),
        imported=True,
    ),
    Column("region_names", _("Nama daerah pihak."), Several("regions", "names"), imported=True),
    Column("partners", _("Nama mitra."), Several("partners", "names"), imported=True),
    Column(
        "partner_countries",
        _("Kode ISO 3166-1 negara mitra, berpasangan dengan kolom mitra."),
        Several("partners", "countries"),
        imported=True,
    ),
    Column("partner_country_names", _("Nama negara mitra."), Several("partners", "country_names")),
    Column(
        "partner_names_local",
        _("Nama mitra dalam aksara aslinya, berpasangan dengan kolom mitra."),
        Several("partners", "names_local"),
        imported=True,
    ),
    Column(
        "partner_subdivisions",
        _("Kode ISO 3166-2 subdivisi mitra, berpasangan dengan kolom mitra."),
        Several("partners", "subdivisions"),
        imported=True,
    ),
    Column(
        "partner_kinds",
        _("Jenis mitra (nilai mesin), berpasangan dengan kolom mitra."),
        Several("partners", "kinds"),
        imported=True,
    ),
    Column("sectors", _("Slug bidang."), Several("sectors", "slugs"), imported=True),
    Column("sector_names", _("Nama bidang."), Several("sectors", "names"), imported=True),
    Column(
        "agencies",
        _("Nama perangkat daerah pelaksana (OPD), dari daftar daerahnya."),
        Several("agencies", "names"),
        imported=True,
    ),
    Column(
        "agency_regions",
        _("Kode Kemendagri daerah tiap perangkat daerah, berpasangan dengan kolom agencies."),
        Several("agencies", "regions"),
        imported=True,
    ),
    Column(
        "proposed_on",
        _("Tanggal diusulkan (ISO 8601; TTTT-BB atau TTTT bila hanya bulan/tahun diketahui)."),
        Date("proposed_on"),
        imported=True,
    ),
    Column(
        "signed_on",
        _("Tanggal ditandatangani (ISO 8601; TTTT-BB atau TTTT bila hanya bulan/tahun diketahui)."),
        Date("signed_on"),
        imported=True,
    ),
    Column(
        "in_force_from",
        _("Berlaku sejak (ISO 8601; TTTT-BB atau TTTT bila hanya bulan/tahun diketahui)."),
        Date("in_force_from"),
        imported=True,
    ),
    Column(
        "expires_on",
        _("Berakhir pada (ISO 8601; TTTT-BB atau TTTT bila hanya bulan/tahun diketahui)."),
        Date("expires_on"),
        imported=True,
    ),
    Column(
        "terminated_on",
        _(
            "Diakhiri pada: hari tahapan pengakhiran terlaksana, bagi kerja sama berstatus "
            "Diakhiri (ISO 8601; TTTT-BB atau TTTT bila hanya bulan/tahun diketahui)."
        ),
        # Read from its termination milestone, which the import reads back (``milestones``).
        Date("termination_done_on"),
    ),
    Column(
        "extended",
        # In the list's words ("sudah diperpanjang"). Derived from the extensions the file
        # holds, it is not read back on import.
        format_lazy("{} (true, false).", capfirst(_("sudah diperpanjang"))),
        Flag("is_extended"),
    ),
    Column(
        "followed_up",
        # In the list's words ("sudah ditindaklanjuti"). Derived from the follow-ups the file
        # holds, it is not read back on import.
        format_lazy("{} (true, false).", capfirst(_("sudah ditindaklanjuti"))),
        Flag("is_followed_up"),
    ),
    Column("signing_place", _("Tempat penandatanganan."), Text("signing_place"), imported=True),
    Column(
        "signatories",
        _("Nama penanda tangan, menurut urutannya."),
        Several("signatories", "names"),
        imported=True,
    ),
    Column(
        "signatory_offices",
        _("Jabatan tiap penanda tangan, berpasangan dengan kolom signatories."),
        Several("signatories", "offices"),
        imported=True,
    ),
    Column(
        "signatory_parties",
        _("Pihak yang diwakili tiap penanda tangan, berpasangan dengan kolom signatories."),
        Several("signatories", "parties"),
        imported=True,
    ),
    Column(
        "treaty_room_reference",
        _("Nomor simpan naskah di Treaty Room Kementerian Luar Negeri."),
        Text("treaty_room_reference"),
        imported=True,
    ),
    Column(
        "treaty_room_url",
        _("Tautan naskah di Treaty Room Kementerian Luar Negeri."),
        Text("treaty_room_url"),
        imported=True,
    ),
    Column(
        "follows",
        _("Nomor naskah (atau judul, bila tanpa nomor) kerja sama yang dilanjutkan."),
        # Named only when the downloader may see it (``computed_fields``).
        Text("shown_follows"),
        imported=True,
    ),
    Column(
        "follows_visibility",
        _(
            "Visibilitas kerja sama yang disebut kolom follows (public, internal); kosong bila "
            "tidak ada."
        ),
        # Derived from the agreement ``follows`` names, which holds its own visibility: the
        # importer reads it not.
        Choice("shown_follows_visibility", Agreement.Visibility, blank=True),
    ),
    Column(
        "relation",
        _("Hubungan dengan naskah sebelumnya (nilai mesin)."),
        ShownRelation(),
        imported=True,
    ),
    Column("summary", _("Ringkasan."), Text("summary"), imported=True),
    Column("summary_en", _("Ringkasan dalam bahasa Inggris."), Text("summary_en"), imported=True),
    Column("source_url", _("Tautan sumber."), Text("source_url"), imported=True),
    Column(
        "budget_amount",
        _("Nilai anggaran (angka; titik desimal bila ada sen). Hanya untuk pejabat dan staf."),
        Amount("budget_amount"),
        imported=True,
        internal=True,
    ),
    Column(
        "budget_currency",
        _("Mata uang anggaran (ISO 4217). Hanya untuk pejabat dan staf."),
        AmountsCurrency("budget_currency", "budget_amount"),
        imported=True,
        internal=True,
    ),
    Column(
        "budget_source",
        _("Sumber anggaran (apbd, apbn, partner, other). Hanya untuk pejabat dan staf."),
        Choice("budget_source", BudgetSource, blank=True),
        imported=True,
        internal=True,
    ),
    *(
        Column(name, description, Several("contacts", value), imported=True, internal=True)
        for name, value, description in (
            ("contact_names", "names", _("Nama narahubung. Hanya untuk pejabat dan staf.")),
            (
                "contact_offices",
                "offices",
                _("Jabatan tiap narahubung, berpasangan dengan contact_names."),
            ),
            (
                "contact_parties",
                "parties",
                _("Pihak tiap narahubung, berpasangan dengan contact_names."),
            ),
            ("contact_emails", "emails", _("Surel tiap narahubung, berpasangan.")),
            ("contact_phones", "phones", _("Telepon tiap narahubung, berpasangan.")),
        )
    ),
    Column("next_milestone", _("Tahapan berikutnya yang belum terlaksana."), NextStep()),
    Column(
        "next_milestone_due",
        _("Target tanggal tahapan berikutnya (ISO 8601)."),
        NextStepDue(),
    ),
    Column(
        "waits_on",
        _("Pihak yang ditunggu langkah berikutnya (nilai mesin, mis. kemlu)."),
        WaitsOn(),
    ),
    Column(
        "waits_on_label",
        format_lazy(_("{} (teks)."), capfirst(Milestone._meta.get_field("waits_on").verbose_name)),
        WaitsOnLabel(),
    ),
    Column("url", _("Alamat halaman status kerja sama."), PageUrl()),
    Column(
        "updated_at",
        _("Terakhir diubah (ISO 8601, dengan zona waktu)."),
        Timestamp("updated_at"),
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def public_columns():
    """The columns every reader's exports hold: all but the ``internal`` ones."""
    return [column for column in COLUMNS if not column.internal]


def columns_for(reader):
    """The columns ``reader``'s exports hold: the budget and contact persons only for officials
    and staff (``reads_internal``), as on the status page."""
    return list(COLUMNS) if reads_internal(reader) else public_columns()


def parties_of(columns):
    """The lists of ``PARTIES`` that ``columns`` read, in ``PARTIES``'s order."""
    read = {column.rule.party for column in columns if isinstance(column.rule, Several)}
    return [name for name in PARTIES if name in read]


SEVERAL_VALUE_COLUMNS = frozenset(column.name for column in COLUMNS if column.several)


def labelled_columns(columns=None):
    """{label column: the imported column whose value it shows as text} (``status_label``:
    ``status``): the label is for people, and the import reads the value beside it."""
    columns = COLUMNS if columns is None else columns
    shown = {
        column.rule.fields[0]: column.name
        for column in columns
        if column.imported and isinstance(column.rule, Choice)
    }
    return {
        column.name: shown[column.rule.fields[0]]
        for column in columns
        if isinstance(column.rule, Label) and column.rule.fields[0] in shown
    }


# -- what the writers are made of ---------------------------------------------------------------


@dataclass(frozen=True)
class ReadContext:
    page_url: object  # pk → the address of its status page
    local_tz: datetime.tzinfo


def fields_read(columns):
    """What every path reads of an agreement's row for ``columns``: its id (the party lists are
    read by it), then each rule's fields, once each."""
    fields = {"id": None}
    for column in columns:
        fields.update(dict.fromkeys(column.rule.fields))
    return list(fields)


def record_builder(columns, page_url):
    """A function of an agreement's row (``fields_read`` and its ``PARTIES`` lists) to the
    export's record: {column name: value}. Labels and the time zone are
    those active now."""
    context = ReadContext(page_url, timezone.get_current_timezone())
    readers = [(column.name, column.rule.reader(context)) for column in columns]
    return lambda row: {name: read(row) for name, read in readers}


# -- the other tables ---------------------------------------------------------------------------
#
# The XLSX and JSON exports carry, besides the agreements (``COLUMNS``, one row each, as in the
# CSV), one sheet or list per table of the register: the agreements' parties, milestones,
# documents' metadata and partners, and the potentials and their surveys. Each is declared here
# like the agreements, its columns made of the same cell rules reading field paths of its own
# rows; ``Table.rows`` chooses the rows from what the agreements sheet holds, so no row names an
# agreement the downloader may not download. The importer (``agreements.import_tables``) reads
# the same columns back.


class Day(Rule):
    """A date always known to the day (a survey's date)."""

    text = staticmethod(date_cell)

    def __init__(self, field):
        self.fields = (field,)

    @staticmethod
    def json(value):
        return None if value is None else value.isoformat()


class Listed(Rule):
    """Several values its table's rows carry as a list (``Table.rows`` reads them)."""

    several = True
    text = staticmethod(several_cell)

    def __init__(self, field):
        self.fields = (field,)


class Lines(Rule):
    """A text field of one value a line (``Partner.former_names``), written as several values:
    joined by ``SEPARATOR`` in CSV and XLSX, a list in JSON; blank lines are no value."""

    several = True
    text = staticmethod(several_cell)

    def __init__(self, field):
        self.fields = (field,)

    def reader(self, context):
        field = self.fields[0]
        return lambda row: [line for line in (row[field] or "").split("\n") if line]

    def sql(self, sql):
        lines = (
            f"SELECT {sql.several_value('line')} AS line, position FROM unnest(string_to_array("
            f"coalesce({sql.column(self.fields[0])}, ''), E'\\n')) WITH ORDINALITY AS "
            "lines(line, position) WHERE line <> ''"
        )
        joined = (
            f"(SELECT string_agg(line, {sql.literal(sql.separator)} ORDER BY position) "
            f"FROM ({lines}) lines)"
        )
        return sql.several(joined)


@dataclass(frozen=True)
class Selection:
    """What an export holds: ``agreements`` (the page's rows), ``readable`` (every agreement the
    downloader may download), ``region`` (the page's region, a region page's or the region
    filter's; None for none), ``reader``, who downloads it (None: the public), and
    ``potential_sector``, the sector a region page's potentials are narrowed to
    (``potentials.PotentialFilter``; None for all)."""

    agreements: object
    readable: object
    region: object = None
    reader: object = None
    potential_sector: object = None

    @property
    def agreement_ids(self):
        return self.agreements.order_by().values("pk")


def _agreement_key(path="agreement__"):
    """The columns that name a row's agreement as the importer finds it: its reference, else its
    title and lead region."""
    return [
        Column(
            "agreement_reference",
            _("Nomor naskah kerja samanya; kunci pencocokan saat impor."),
            Text(f"{path}reference"),
            imported=True,
        ),
        Column(
            "agreement_title",
            _("Judul kerja samanya (dicocokkan bila tanpa nomor naskah)."),
            Text(f"{path}title"),
            imported=True,
        ),
        Column(
            "agreement_lead_region_code",
            _("Kode Kemendagri daerah pengampu kerja samanya."),
            Text(f"{path}lead_region__code"),
            imported=True,
        ),
    ]


def _values(queryset, columns, *extra):
    """``queryset`` read as the cell rules of ``columns`` read it (lists, ``Listed``, are the
    table's to add)."""
    fields = dict.fromkeys(extra)
    for column in columns:
        if not isinstance(column.rule, Listed):
            fields.update(dict.fromkeys(column.rule.fields))
    return queryset.values(*fields)


def _party_queries(selection, columns):
    """Each party of each agreement: its regions, then its partners, by the agreement's key."""
    empty = {"region_code": Value(""), "region_name": Value("")}
    none = {
        "partner_name": Value(""),
        "partner_country": Value(""),
        "partner_name_local": Value(""),
    }
    regions = (
        Agreement.regions.through.objects.filter(agreement__in=selection.agreement_ids)
        .annotate(
            party=Value("region"),
            region_code=F("region__code"),
            region_name=F("region__name"),
            **none,
        )
        .order_by("agreement_id", "region__code")
    )
    partners = (
        Agreement.partners.through.objects.filter(agreement__in=selection.agreement_ids)
        .annotate(
            party=Value("partner"),
            partner_name=F("partner__name"),
            partner_country=F("partner__country_id"),
            partner_name_local=F("partner__name_local"),
            **empty,
        )
        .order_by("agreement_id", "partner__name", "partner__country_id")
    )
    return [_values(regions, columns), _values(partners, columns)]


def _milestone_queries(selection, columns):
    rows = Milestone.objects.filter(agreement__in=selection.agreement_ids).order_by(
        "agreement_id", *Milestone._meta.ordering
    )
    return [_values(rows, columns)]


def _document_queries(selection, columns):
    """The documents of the agreements, each dated by when the downloader may know it was
    uploaded and named as they may read it (``DocumentQuerySet.with_file_known_to``)."""
    rows = (
        Document.objects.filter(agreement__in=selection.agreement_ids)
        .with_file_known_to(selection.reader)
        .order_by("agreement_id", "uploaded_at", "pk")
    )
    return [_values(rows, columns)]


def _partner_queries(selection, columns):
    """The partners the agreements name; a partner's parent is named only when the downloader
    may know of it (party to an agreement they may download), as ``Partner.visible_to`` does."""
    links = Agreement.partners.through.objects
    known_parent = Exists(
        links.filter(
            partner_id=OuterRef("parent_id"),
            agreement__in=selection.readable.order_by().values("pk"),
        )
    )
    rows = (
        Partner.objects.filter(
            pk__in=links.filter(agreement__in=selection.agreement_ids).values("partner_id")
        )
        .annotate(
            shown_parent_name=Case(When(known_parent, then="parent__name"), default=Value("")),
            shown_parent_country=Case(
                When(known_parent, then="parent__country_id"), default=Value("")
            ),
        )
        .order_by("name", "country_id")
    )
    return [_values(rows, columns)]


def _potential_queries(selection, columns):
    rows = Potential.objects.all()
    if selection.region is not None:
        rows = rows.offered_in(selection.region)
    if selection.potential_sector is not None:
        rows = rows.filter(sector=selection.potential_sector)
    return [_values(rows.order_by("region__code", "title", "pk"), columns)]


def _survey_queries(selection, columns):
    """The surveys of the page's region (all without one)."""
    rows = PotentialSurvey.objects.all()
    if selection.region is not None:
        rows = rows.concerning(Region.objects.within(selection.region))
    return [_values(rows.order_by("held_on", "title", "pk"), columns, "id")]


def _with_participants(rows):
    """The surveys ``rows``, each with its participants' codes: one query (none without a
    survey)."""
    rows = list(rows)
    if not rows:
        return rows
    links = PotentialSurvey.participants.through.objects.filter(
        potentialsurvey_id__in=[row["id"] for row in rows]
    ).order_by("potentialsurvey_id", "region__code")
    participants = {}
    for survey_id, code in links.values_list("potentialsurvey_id", "region__code"):
        participants.setdefault(survey_id, []).append(code)
    for row in rows:
        row["participant_codes"] = participants.get(row["id"], [])
    return rows


@dataclass(frozen=True)
class Table:
    """A sheet of the XLSX export and a list of the JSON export: its name (the sheet's, the
    JSON key), what it holds, its columns, ``queries(selection, columns)``, the ``values()``
    querysets its rows are read from, one after the other, and ``completed(rows)``, what is
    added to them in Python (the lists, ``Listed``), if anything."""

    name: str
    description: str
    columns: list
    queries: object
    completed: object = None

    def querysets(self, selection):
        """The queries of the table's rows for ``selection`` (the benchmark copies the same)."""
        return self.queries(selection, self.columns)

    def rows(self, selection):
        """The table's rows for ``selection``, as dicts the cell rules read, streamed."""
        rows = (
            row
            for queryset in self.querysets(selection)
            for row in queryset.iterator(chunk_size=2000)
        )
        return self.completed(rows) if self.completed else rows

    @property
    def column_names(self):
        return [column.name for column in self.columns]


def _choice_and_label(name, field, choices, description, shown_as, blank=False):
    """A choice's value and its label as text; ``shown_as`` is what the choice is called in the
    forms (the field's verbose name), which the label column's description names: "Tahap /
    jenis (teks).", never the column's name for people who read no column names."""
    return [
        Column(name, description, Choice(field, choices, blank=blank), imported=True),
        Column(
            f"{name}_label", format_lazy(_("{} (teks)."), capfirst(shown_as)), Label(field, choices)
        ),
    ]


def _tables():
    return [
        Table(
            "parties",
            _(
                "Setiap pihak setiap kerja sama, satu baris per pihak (sama dengan kolom daerah "
                "dan mitra di lembar kerja sama)."
            ),
            [
                *_agreement_key(),
                Column("party", _("Jenis pihak: region atau partner."), Text("party")),
                Column("region_code", _("Kode Kemendagri daerah pihak."), Text("region_code")),
                Column("region_name", _("Nama daerah pihak."), Text("region_name")),
                Column("partner_name", _("Nama mitra."), Text("partner_name")),
                Column(
                    "partner_country", _("Kode ISO 3166-1 negara mitra."), Text("partner_country")
                ),
                Column(
                    "partner_name_local",
                    _("Nama mitra dalam aksara aslinya."),
                    Text("partner_name_local"),
                ),
            ],
            _party_queries,
        ),
        Table(
            "milestones",
            _("Tahapan setiap kerja sama."),
            [
                *_agreement_key(),
                *_choice_and_label(
                    "kind",
                    "kind",
                    Milestone.Kind,
                    _("Tahap / jenis (nilai mesin)."),
                    Milestone._meta.get_field("kind").verbose_name,
                ),
                Column("title", _("Judul tahapan."), Text("title"), imported=True),
                Column(
                    "due_on",
                    _("Target tanggal (ISO 8601, seteliti yang diketahui)."),
                    Date("due_on"),
                    imported=True,
                ),
                Column(
                    "done_on",
                    _("Tanggal terlaksana (ISO 8601, seteliti yang diketahui)."),
                    Date("done_on"),
                    imported=True,
                ),
                Column(
                    "waits_on",
                    _("Pihak yang ditunggu (nilai mesin)."),
                    Choice("waits_on", Milestone.WaitsOn, blank=True),
                    imported=True,
                ),
                Column(
                    "mark",
                    _("Dicatat sebagai: kosong (terlaksana), skipped, not_required."),
                    Choice("mark", Milestone.Mark),
                    imported=True,
                ),
                Column("rating", _("Nilai evaluasi (1–5)."), Number("rating"), imported=True),
                Column("findings", _("Temuan evaluasi."), Text("findings"), imported=True),
                Column("notes", _("Catatan."), Text("notes"), imported=True),
                Column("pdln_number", _("Nomor PDLN."), Text("pdln_number"), imported=True),
            ],
            _milestone_queries,
        ),
        Table(
            "documents",
            _("Metadata dokumen setiap kerja sama; berkasnya sendiri tidak ikut."),
            [
                *_agreement_key(),
                Column("title", _("Judul dokumen."), Text("title"), imported=True),
                *_choice_and_label(
                    "kind",
                    "kind",
                    Document.Kind,
                    _("Jenis dokumen (nilai mesin)."),
                    Document._meta.get_field("kind").verbose_name,
                ),
                Column(
                    "language",
                    _("Bahasa dokumen (nilai mesin)."),
                    Choice("language", Document.Language),
                    imported=True,
                ),
                Column(
                    "file",
                    _("Nama berkas tersimpan; kunci pencocokan saat impor."),
                    # Named as the downloader may read it: to the public, one uploaded while
                    # its agreement was internal without the folder of that year.
                    Text("known_file"),
                    imported=True,
                ),
                Column(
                    "uploaded_at",
                    _("Diunggah (ISO 8601, dengan zona waktu)."),
                    Timestamp("known_uploaded_at"),
                    imported=True,
                ),
            ],
            _document_queries,
        ),
        Table(
            "partners",
            _("Mitra yang disebut kerja sama di lembar pertama."),
            [
                Column(
                    "name",
                    _("Nama mitra; bersama negara, kunci pencocokan."),
                    Text("name"),
                    imported=True,
                ),
                Column(
                    "name_local", _("Nama dalam aksara aslinya."), Text("name_local"), imported=True
                ),
                Column(
                    "former_names",
                    _("Nama terdahulu mitra (sebelum berganti nama atau bergabung)."),
                    Lines("former_names"),
                    imported=True,
                ),
                Column(
                    "country", _("Kode ISO 3166-1 negara mitra."), Text("country_id"), imported=True
                ),
                Column(
                    "subdivision",
                    _("Kode ISO 3166-2 subdivisi mitra."),
                    Text("subdivision_id"),
                    imported=True,
                ),
                *_choice_and_label(
                    "kind",
                    "kind",
                    Partner.Kind,
                    _("Jenis mitra (nilai mesin)."),
                    Partner._meta.get_field("kind").verbose_name,
                ),
                Column(
                    "parent_name",
                    _("Nama induk mitra, bila induk itu juga boleh diunduh."),
                    Text("shown_parent_name"),
                    imported=True,
                ),
                Column(
                    "parent_country",
                    _("Kode ISO 3166-1 negara induk mitra."),
                    Text("shown_parent_country"),
                    imported=True,
                ),
                Column("website", _("Situs web."), Text("website"), imported=True),
            ],
            _partner_queries,
        ),
        Table(
            "potentials",
            _(
                "Potensi daerah: semuanya, yang ditawarkan daerah halaman itu, atau yang di "
                "bidang halaman itu."
            ),
            [
                Column(
                    "region_code",
                    _("Kode Kemendagri daerahnya."),
                    Text("region__code"),
                    imported=True,
                ),
                Column("region_name", _("Nama daerahnya."), Text("region__name")),
                Column("sector", _("Slug bidang."), Text("sector__slug"), imported=True),
                Column("title", _("Judul potensi."), Text("title"), imported=True),
                Column("description", _("Uraian."), Text("description"), imported=True),
                Column(
                    "survey_title",
                    _("Judul identifikasi potensi yang menemukannya (lembar surveys)."),
                    Text("survey__title"),
                    imported=True,
                ),
                Column(
                    "survey_held_on",
                    _("Tanggal identifikasi itu (ISO 8601)."),
                    Day("survey__held_on"),
                    imported=True,
                ),
            ],
            _potential_queries,
        ),
        Table(
            "surveys",
            _("Identifikasi potensi daerah yang sama."),
            [
                Column(
                    "title",
                    _("Judul; bersama tanggalnya, kunci pencocokan."),
                    Text("title"),
                    imported=True,
                ),
                Column("held_on", _("Tanggal (ISO 8601)."), Day("held_on"), imported=True),
                Column(
                    "host_region_code",
                    _("Kode Kemendagri tuan rumah."),
                    Text("host_region__code"),
                    imported=True,
                ),
                Column(
                    "participant_codes",
                    _("Kode Kemendagri daerah peserta."),
                    Listed("participant_codes"),
                    imported=True,
                ),
                Column(
                    "organiser", _("Penyelenggara / pembina."), Text("organiser"), imported=True
                ),
                Column("summary", _("Ringkasan."), Text("summary"), imported=True),
                Column("source_url", _("Tautan sumber."), Text("source_url"), imported=True),
            ],
            _survey_queries,
            _with_participants,
        ),
    ]


TABLES = _tables()
TABLE_NAMES = ["agreements", *(table.name for table in TABLES)]


# -- what a download leaves out -----------------------------------------------------------------


class Note(NamedTuple):
    text: str
    important: bool = False  # said in bold beside the links: the reader would miss rows


def download_note(user):
    """What ``user``'s download holds and leaves out, and why, sentence by sentence: said
    beside every page's download links and in the JSON export's envelope (``note``)."""
    notes = [
        Note(
            _(
                "CSV memuat satu baris per kerja sama yang terdaftar di sini; XLSX dan JSON juga "
                "memuat pihak, tahapan, metadata dokumen dan mitranya, serta potensi daerah."
            )
        ),
    ]
    if reads_internal(user):  # their files hold the budget and contact persons
        notes.append(
            Note(
                _(
                    "Tidak ikut diunduh: berkas dokumen (ada di halaman status masing-masing). "
                    "Berkas Anda memuat anggaran dan narahubung, yang hanya untuk pejabat dan "
                    "staf: jangan diteruskan kepada umum."
                )
            )
        )
    else:
        notes.append(
            Note(
                _(
                    "Tidak ikut diunduh: berkas dokumen (ada di halaman status masing-masing), "
                    "anggaran dan narahubung (hanya untuk pejabat dan staf)."
                )
            )
        )
    if exports_leave_out_internal(user):
        notes.append(
            Note(
                _(
                    "Kerja sama internal yang tampil di halaman ini tidak ikut diunduh: hanya "
                    "analis dan administrator yang boleh mengunduhnya."
                ),
                important=True,
            )
        )
    return notes


def note_text(notes):
    return " ".join(str(note.text) for note in notes)
