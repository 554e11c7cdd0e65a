"""The register as files: one set of columns (``docs/data-dictionary.md``), three formats.

``iter_records`` turns a queryset of agreements into plain dicts, a chunk at a time, with a fixed
number of set-based queries per chunk (the rows, then the party regions, partners, sectors and
next milestones of that chunk, one query each), so memory stays flat and the database does the
work in a few large queries however many rows there are. The writers below turn those dicts into
CSV, XLSX or JSON; the importer (``agreements.imports``) reads the same columns back.
"""

import csv
import datetime
import json
import tempfile
from dataclasses import dataclass
from itertools import groupby, islice
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import Q, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from agreements.models import (
    UNSIGNED_STATUSES,
    Agreement,
    AgreementQuerySet,
    Milestone,
    Scope,
    Sector,
    next_step_of,
)
from partners.models import Country, Partner, Region

CHUNK_SIZE = 2000

# Several values in one cell are joined by "; ". A ";" or "\" inside a value is escaped with a
# backslash, so a partner called "A; B" survives the round trip (see the data dictionary).
SEPARATOR = "; "
ESCAPE = "\\"

# A spreadsheet runs a cell beginning with one of these as a formula (CSV injection). Such a cell
# is written with a leading apostrophe; so is a value that itself begins with an apostrophe, so
# the importer can strip exactly one leading apostrophe and get the value back unchanged.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    multi: bool = False  # several values, joined with SEPARATOR in CSV and XLSX, a list in JSON
    imported: bool = False  # read back by the importer


COLUMNS = [
    Column("reference", _("Nomor naskah; kunci pencocokan saat impor."), imported=True),
    Column("title", _("Judul."), imported=True),
    Column("kind", _("Jenis naskah (nilai mesin, mis. mou)."), imported=True),
    Column("kind_label", _("Jenis naskah (teks).")),
    Column("scope", _("Lingkup (ksdd, ksdpk, ksdpl, ksdll)."), imported=True),
    Column("scope_label", _("Lingkup (teks).")),
    Column("status", _("Status yang ditampilkan hari ini (nilai mesin)."), imported=True),
    Column("status_label", _("Status yang ditampilkan (teks).")),
    Column("recorded_status", _("Status yang tercatat (nilai mesin)."), imported=True),
    Column("visibility", _("Visibilitas (public, internal)."), imported=True),
    Column("lead_region_code", _("Kode Kemendagri daerah pengampu."), imported=True),
    Column("lead_region_name", _("Nama daerah pengampu.")),
    Column("region_codes", _("Kode Kemendagri daerah pihak."), multi=True, imported=True),
    Column("region_names", _("Nama daerah pihak."), multi=True),
    Column("partners", _("Nama mitra."), multi=True, imported=True),
    Column(
        "partner_countries",
        _("Kode ISO 3166-1 negara mitra, berpasangan dengan kolom mitra."),
        multi=True,
        imported=True,
    ),
    Column("partner_country_names", _("Nama negara mitra."), multi=True),
    Column("sectors", _("Slug bidang."), multi=True, imported=True),
    Column("sector_names", _("Nama bidang."), multi=True),
    Column("proposed_on", _("Tanggal diusulkan (ISO 8601)."), imported=True),
    Column("signed_on", _("Tanggal ditandatangani (ISO 8601)."), imported=True),
    Column("in_force_from", _("Berlaku sejak (ISO 8601)."), imported=True),
    Column("expires_on", _("Berakhir pada (ISO 8601)."), imported=True),
    Column(
        "follows",
        _("Nomor naskah (atau judul, bila tanpa nomor) kerja sama yang dilanjutkan."),
        imported=True,
    ),
    Column("relation", _("Hubungan dengan naskah sebelumnya (nilai mesin)."), imported=True),
    Column("summary", _("Ringkasan."), imported=True),
    Column("source_url", _("Tautan sumber."), imported=True),
    Column("next_milestone", _("Tahapan berikutnya yang belum terlaksana.")),
    Column("next_milestone_due", _("Target tanggal tahapan berikutnya (ISO 8601).")),
    Column("url", _("Alamat halaman status kerja sama.")),
    Column("updated_at", _("Terakhir diubah (ISO 8601, dengan zona waktu).")),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
MULTI_COLUMNS = frozenset(column.name for column in COLUMNS if column.multi)

_FIELDS = (
    "id",
    "reference",
    "title",
    "kind",
    "scope",
    "status",
    "visibility",
    "summary",
    "source_url",
    "proposed_on",
    "signed_on",
    "in_force_from",
    "expires_on",
    "relation",
    "updated_at",
    "lead_region__code",
    "lead_region__name",
    "follows__reference",
    "follows__title",
)


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _grouped(rows):
    """``(agreement_id, *values)`` rows, ordered by agreement, as {agreement_id: [values, …]}."""
    return {key: [row[1:] for row in group] for key, group in groupby(rows, key=lambda r: r[0])}


def choice_labels(choices):
    return {value: str(label) for value, label in choices.choices}


def iter_records(queryset, page_url, chunk_size=None, today=None):
    """Yield one dict per agreement of ``queryset`` (in its order), keyed by ``COLUMN_NAMES``.

    On PostgreSQL one query reads everything (``_generate_postgresql``); elsewhere one streaming
    query reads the agreements, then four queries per chunk of ``chunk_size`` rows their party
    regions, partners, sectors and milestones. ``page_url(pk)`` gives the address of
    an agreement's status page. Labels and names are taken in the language active now, not when
    the rows are read: a streaming response reads them after the view has returned.
    """
    today = today or timezone.localdate()
    chunk_size = chunk_size or CHUNK_SIZE
    rows = (
        queryset.prefetch_related(None)
        .annotate(shown_status=AgreementQuerySet.shown_status_case(today))
        .values(*_FIELDS, "shown_status")
    )
    labels = {
        "kind": choice_labels(Agreement.Kind),
        "scope": choice_labels(Scope),
        "status": choice_labels(Agreement.Status),
    }
    english = (get_language() or "id").startswith("en")
    names = {
        "country": "partner__country__name_en" if english else "partner__country__name_id",
        "sector": "sector__name_en" if english else "sector__name_id",
    }
    local_tz = timezone.get_current_timezone()
    if connections[rows.db].vendor == "postgresql":
        return _generate_postgresql(rows, today, page_url, chunk_size, labels, names, local_tz)
    return _generate(rows, page_url, chunk_size, labels, names, local_tz)


class MilestoneFacts(NamedTuple):
    """What ``next_step_of`` reads of a milestone, without building a model instance."""

    pk: int
    kind: str
    title: str
    due_on: datetime.date | None
    done_on: datetime.date | None
    waits_on: str

    @classmethod
    def from_json(cls, facts):
        """From one element of ``MILESTONE_FACTS``."""
        pk, kind, title, due_on, done_on, waits_on = facts
        return cls(pk, kind, title, date_from_iso(due_on), date_from_iso(done_on), waits_on)


# SQL: the facts of ``milestone``'s rows in a group, as a JSON array in
# ``Milestone.Meta.ordering`` whose elements ``MilestoneFacts.from_json`` reads.
MILESTONE_FACTS = """json_agg(
    json_build_array(milestone.id, milestone.kind, milestone.title,
                     milestone.due_on, milestone.done_on, milestone.waits_on)
    ORDER BY milestone.done_on ASC NULLS LAST, milestone.due_on ASC NULLS LAST, milestone.id
)"""


def _next_steps(chunk):
    """{agreement id: its next step} for a chunk of rows, from one query.

    The next step as the status page tells it (``next_step_of``). A signed agreement's next
    step reads only its planned milestones, so done ones are read for unsigned agreements only:
    at national scale most milestones are done steps of signed agreements.
    """
    ids = [row["id"] for row in chunk]
    unsigned = [row["id"] for row in chunk if row["status"] in UNSIGNED_STATUSES]
    milestones = (
        Milestone.objects.filter(agreement_id__in=ids)
        .filter(Q(done_on__isnull=True) | Q(agreement_id__in=unsigned))
        .order_by("agreement_id", *Milestone._meta.ordering)
        .values_list("agreement_id", *MilestoneFacts._fields)
    )
    by_agreement = {
        key: [MilestoneFacts(*row[1:]) for row in group]
        for key, group in groupby(milestones, key=lambda row: row[0])
    }
    return {
        row["id"]: next_step_of(row["status"], row["scope"], by_agreement.get(row["id"], ()))
        for row in chunk
    }


def _generate(rows, page_url, chunk_size, labels, names, local_tz):
    through = {
        "regions": Agreement.regions.through.objects,
        "partners": Agreement.partners.through.objects,
        "sectors": Agreement.sectors.through.objects,
    }
    for chunk in _chunks(rows.iterator(chunk_size=chunk_size), chunk_size):
        ids = [row["id"] for row in chunk]
        regions = _grouped(
            through["regions"]
            .filter(agreement_id__in=ids)
            .order_by("agreement_id", "region__code")
            .values_list("agreement_id", "region__code", "region__name")
        )
        partners = _grouped(
            through["partners"]
            .filter(agreement_id__in=ids)
            .order_by("agreement_id", "partner__name", "partner__country_id")
            .values_list("agreement_id", "partner__name", "partner__country_id", names["country"])
        )
        sectors = _grouped(
            through["sectors"]
            .filter(agreement_id__in=ids)
            .order_by("agreement_id", "sector__position", "sector__name_id")
            .values_list("agreement_id", "sector__slug", names["sector"])
        )
        steps = _next_steps(chunk)

        for row in chunk:
            pk = row["id"]
            yield _record(
                row,
                regions.get(pk, ()),
                partners.get(pk, ()),
                sectors.get(pk, ()),
                steps[pk],
                labels,
                page_url,
                local_tz,
            )


def _record(row, regions, partners, sectors, step, labels, page_url, local_tz):
    """The export's dict for one agreement: ``row`` (its fields, ``_FIELDS`` and
    ``shown_status``), its (code, name) party regions, (name, country code, country name)
    partners, (slug, name) sectors and next step."""
    pk = row["id"]
    return {
        "reference": row["reference"],
        "title": row["title"],
        "kind": row["kind"],
        "kind_label": labels["kind"].get(row["kind"], row["kind"]),
        "scope": row["scope"],
        "scope_label": labels["scope"].get(row["scope"], row["scope"]),
        "status": row["shown_status"],
        "status_label": labels["status"].get(row["shown_status"], row["shown_status"]),
        "recorded_status": row["status"],
        "visibility": row["visibility"],
        "lead_region_code": row["lead_region__code"],
        "lead_region_name": row["lead_region__name"],
        "region_codes": [code for code, _name in regions],
        "region_names": [name for _code, name in regions],
        "partners": [name for name, _c, _n in partners],
        "partner_countries": [code for _p, code, _n in partners],
        "partner_country_names": [name for _p, _c, name in partners],
        "sectors": [slug for slug, _name in sectors],
        "sector_names": [name for _slug, name in sectors],
        "proposed_on": row["proposed_on"],
        "signed_on": row["signed_on"],
        "in_force_from": row["in_force_from"],
        "expires_on": row["expires_on"],
        "follows": row["follows__reference"] or row["follows__title"] or "",
        "relation": row["relation"],
        "summary": row["summary"],
        "source_url": row["source_url"],
        "next_milestone": str(step.label) if step else "",
        "next_milestone_due": step.due_on if step else None,
        "url": page_url(pk),
        "updated_at": timezone.localtime(row["updated_at"], local_tz),
    }


# On PostgreSQL the whole export is one query, shaped like the database's own best answer. The
# selection (the page's filters and order, from the ORM) is read once, narrow: each agreement's
# id and place. Each party table is aggregated once for all of it (a hash aggregate over the
# table, where asking for each chunk's thousands of ids costs an index probe per id and
# table). Those narrow rows are put in order, and only then is each agreement's own row read,
# by its key, so the wide rows are never sorted. Rows come through a server-side cursor,
# ``chunk_size`` at a time.
_POSTGRESQL = """
WITH selection AS MATERIALIZED ({selection}),
party_regions AS (
    SELECT link.agreement_id,
           array_agg(region.code ORDER BY region.code) AS codes,
           array_agg(region.name ORDER BY region.code) AS names
    FROM {region_links} link JOIN {regions} region ON region.id = link.region_id
    WHERE link.agreement_id IN (SELECT id FROM selection)
    GROUP BY link.agreement_id
),
party_partners AS (
    SELECT link.agreement_id,
           array_agg(partner.name ORDER BY partner.name, partner.country_id) AS names,
           array_agg(partner.country_id ORDER BY partner.name, partner.country_id) AS countries,
           array_agg(country.{country_name} ORDER BY partner.name, partner.country_id)
               AS country_names
    FROM {partner_links} link
    JOIN {partners} partner ON partner.id = link.partner_id
    JOIN {countries} country ON country.code = partner.country_id
    WHERE link.agreement_id IN (SELECT id FROM selection)
    GROUP BY link.agreement_id
),
agreement_sectors AS (
    SELECT link.agreement_id,
           array_agg(sector.slug ORDER BY sector.position, sector.name_id) AS slugs,
           array_agg(sector.{sector_name} ORDER BY sector.position, sector.name_id) AS names
    FROM {sector_links} link JOIN {sectors} sector ON sector.id = link.sector_id
    WHERE link.agreement_id IN (SELECT id FROM selection)
    GROUP BY link.agreement_id
),
-- What ``next_step_of`` reads: planned milestones, and done ones of unsigned agreements, in
-- ``Milestone.Meta.ordering``.
next_step_facts AS (
    SELECT milestone.agreement_id,
           {milestone_facts} AS facts
    FROM {milestones} milestone JOIN {agreements} agreement
        ON agreement.id = milestone.agreement_id
    WHERE milestone.agreement_id IN (SELECT id FROM selection)
        AND (milestone.done_on IS NULL OR agreement.status IN %s)
    GROUP BY milestone.agreement_id
)
SELECT main.*, ordered.region_codes, ordered.region_names, ordered.partner_names,
       ordered.countries, ordered.country_names, ordered.sector_slugs, ordered.sector_names,
       ordered.facts
FROM (
    SELECT selection.id, selection.export_position,
           party_regions.codes AS region_codes, party_regions.names AS region_names,
           party_partners.names AS partner_names, party_partners.countries,
           party_partners.country_names, agreement_sectors.slugs AS sector_slugs,
           agreement_sectors.names AS sector_names, next_step_facts.facts
    FROM selection
    LEFT JOIN party_regions ON party_regions.agreement_id = selection.id
    LEFT JOIN party_partners ON party_partners.agreement_id = selection.id
    LEFT JOIN agreement_sectors ON agreement_sectors.agreement_id = selection.id
    LEFT JOIN next_step_facts ON next_step_facts.agreement_id = selection.id
    ORDER BY selection.export_position
) ordered
CROSS JOIN LATERAL ({main}) main
ORDER BY ordered.export_position
"""


def _generate_postgresql(rows, today, page_url, chunk_size, labels, names, local_tz):
    ordering = rows.query.order_by or rows.model._meta.ordering
    selection_sql, selection_params = (
        rows.values("id")
        .annotate(export_position=Window(RowNumber(), order_by=list(ordering)))
        .order_by()
        .query.sql_with_params()
    )
    # Each agreement's own row, read by its key for one ``ordered`` row at a time.
    main = (
        Agreement.objects.filter(pk=RawSQL("ordered.id", ()))
        .annotate(shown_status=AgreementQuerySet.shown_status_case(today))
        .values(*_FIELDS, "shown_status")
        .order_by()
    )
    columns = [*main.query.values_select, *main.query.annotation_select]
    main_sql, main_params = main.query.sql_with_params()
    sql = _POSTGRESQL.format(
        selection=selection_sql,
        main=main_sql,
        country_name=names["country"].rsplit("__", 1)[1],
        sector_name=names["sector"].rsplit("__", 1)[1],
        milestone_facts=MILESTONE_FACTS,
        **table_names(),
    )
    params = (*selection_params, tuple(UNSIGNED_STATUSES), *main_params)
    width = len(columns)
    for values in streamed_rows(rows.db, sql, params, chunk_size):
        row = dict(zip(columns, values[:width], strict=True))
        parties = [value or () for value in values[width : width + 7]]
        codes, region_names, partner_names, countries, country_names = parties[:5]
        slugs, sector_names = parties[5:]
        milestones = [MilestoneFacts.from_json(f) for f in values[width + 7] or ()]
        yield _record(
            row,
            list(zip(codes, region_names, strict=True)),
            list(zip(partner_names, countries, country_names, strict=True)),
            list(zip(slugs, sector_names, strict=True)),
            next_step_of(row["status"], row["scope"], milestones),
            labels,
            page_url,
            local_tz,
        )


def table_names():
    """The tables of the register the export queries read, by the names their SQL uses."""
    return {
        "agreements": Agreement._meta.db_table,
        "region_links": Agreement.regions.through._meta.db_table,
        "regions": Region._meta.db_table,
        "partner_links": Agreement.partners.through._meta.db_table,
        "partners": Partner._meta.db_table,
        "countries": Country._meta.db_table,
        "sector_links": Agreement.sectors.through._meta.db_table,
        "sectors": Sector._meta.db_table,
        "milestones": Milestone._meta.db_table,
    }


def streamed_rows(using, sql, params, chunk_size):
    """The rows of an export query on PostgreSQL, read ``chunk_size`` at a time.

    In a transaction the server-side cursor streams the rows as they are read, instead of
    materialising the whole result first (``WITH HOLD``, outside one). The planner cannot see
    how few rows the aggregates join to and guesses billions, which would have it compile the
    query to machine code (JIT) for a second, longer than the query takes to run.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(chunk_size):
                yield from batch


def date_from_iso(text):
    """A date from its ISO text (how JSON carries it), or None."""
    return datetime.date.fromisoformat(text) if text else None


# -- cells --------------------------------------------------------------------------------------


def join_values(values):
    """Join several values into one cell: ``a; b``, with ``;`` and ``\\`` escaped."""
    values = [value if type(value) is str else str(value) for value in values]
    everything = "".join(values)
    if ";" not in everything and ESCAPE not in everything:  # nearly always: nothing to escape
        return SEPARATOR.join(values)
    return SEPARATOR.join(
        value.replace(ESCAPE, ESCAPE * 2).replace(";", ESCAPE + ";") for value in values
    )


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


# Formula triggers and the neutraliser are all one character long: a set of first characters.
NEEDS_NEUTRALISER = frozenset((*FORMULA_TRIGGERS, NEUTRALISER))
DATE_COLUMNS = frozenset(
    {"proposed_on", "signed_on", "in_force_from", "expires_on", "next_milestone_due"}
)
DATETIME_COLUMNS = frozenset({"updated_at"})


def plain_cell(value):
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    # ``neutralise``, inlined: it runs for most cells of every row.
    return NEUTRALISER + text if text and text[0] in NEEDS_NEUTRALISER else text


def _multi_cell(values):
    return "" if values is None else plain_cell(join_values(values))


def date_cell(value):
    return "" if value is None else value.isoformat()


def _datetime_cell(value):
    return "" if value is None else value.isoformat(timespec="seconds")


def _cell_for(name):
    if name in MULTI_COLUMNS:
        return _multi_cell
    if name in DATETIME_COLUMNS:
        return _datetime_cell
    if name in DATE_COLUMNS:
        return date_cell
    return plain_cell


# Each column with the function that writes its cells, chosen once rather than per cell.
CELLS = [(name, _cell_for(name)) for name in COLUMN_NAMES]
_CELL_OF = dict(CELLS)


def _text_cell(name, value):
    """The text a spreadsheet cell holds for ``value`` of column ``name``."""
    return _CELL_OF[name](value)


# -- writers ------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming ``csv.writer``."""

    def write(self, value):
        return value


# A streamed download is handed to the server in pieces of about this size: one write per line
# would cost a system call each, more than writing the line.
PIECE = 1 << 16


def _pieces(texts):
    """Join ``texts`` into pieces of about ``PIECE`` characters."""
    piece, size = [], 0
    for text in texts:
        piece.append(text)
        size += len(text)
        if size >= PIECE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def text_chunks(queryset, file_format, page_url):
    """The CSV or JSON export of ``queryset``, in pieces of about ``PIECE`` characters.

    On PostgreSQL the query writes the cells (``agreements.exports_postgresql``); elsewhere
    ``csv_chunks`` and ``json_chunks`` write them from ``iter_records``. Both give the same text.
    """
    if connections[queryset.db].vendor == "postgresql":
        from agreements import exports_postgresql

        lines = (
            exports_postgresql.csv_lines if file_format == "csv" else exports_postgresql.json_lines
        )
        return _pieces(lines(queryset, page_url))
    writer = csv_chunks if file_format == "csv" else json_chunks
    return writer(iter_records(queryset, page_url))


def csv_chunks(records):
    """CSV text in pieces of whole lines: UTF-8 with a byte-order mark (Excel, LibreOffice)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines():
        yield "\ufeff" + writer.writerow(COLUMN_NAMES)
        for record in records:
            yield writer.writerow([cell(record[name]) for name, cell in CELLS])

    return _pieces(lines())


JSON = json.JSONEncoder(ensure_ascii=False)
_JSON_DATES = [name for name in COLUMN_NAMES if name in DATE_COLUMNS | DATETIME_COLUMNS]


def json_chunks(records):
    """A JSON array of objects keyed by column name; several values are a list, no date null."""

    def items():
        yield "[\n"
        separator = ""
        for record in records:
            item = {name: record[name] for name in COLUMN_NAMES}
            for name in _JSON_DATES:
                if item[name] is not None:
                    item[name] = _CELL_OF[name](item[name])
            yield separator + JSON.encode(item)
            separator = ",\n"
        yield "\n]\n"

    return _pieces(items())


def _xlsx_cell(name, value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value  # openpyxl shows a date as yyyy-mm-dd
    # Control characters a worksheet cannot hold are dropped; every other text is kept.
    return ILLEGAL_CHARACTERS_RE.sub("", _text_cell(name, value)) or None


def write_xlsx(records, title="kerja sama"):
    """Write an XLSX workbook to a temporary file and return it, rewound.

    A write-only workbook streams rows to disk as they come, so memory does not grow with the
    number of rows.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(COLUMN_NAMES)
    for record in records:
        sheet.append([_xlsx_cell(name, record[name]) for name in COLUMN_NAMES])
    # The caller hands the file to a FileResponse, which closes (and so deletes) it.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output
