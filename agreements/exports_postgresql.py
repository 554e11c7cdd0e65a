"""The CSV and JSON exports on PostgreSQL, their cells written by the database.

At national scale an export's cost is its cells: 31 a row, each neutralised, joined, dated and
quoted. Written one by one in Python they cost four times what the database's own ``COPY`` of
the same rows takes (``bench/``). Here the query that reads the rows also writes them: each row
comes back as its CSV line (or JSON object) in runs of cells, either side of the next-step
columns, which Python fills in by the status page's own rule (``next_step_of``).

The query is made from the columns declared in ``agreements.export_columns``: each column's
cell rule writes its SQL through ``_CsvSql`` or ``_JsonSql`` (the separator, escape, formula
triggers and neutraliser of ``export_columns`` compiled to SQL), and every label is written by
Python, in the reader's language, into the query. ``tests/test_export_text.py`` holds this
path and the writers of ``agreements.exports`` to the same bytes. XLSX, and every format on
SQLite, are written from ``iter_records``.

The query reads the selection (the page's filters, visibility and order, from the ORM) once,
aggregates each party table once for all of it, and takes of the milestones only what the next
step reads: every milestone of an unsigned agreement, and the soonest planned one of a signed
agreement (``next_step_of`` reads no other). Rows come through a server-side cursor,
``CHUNK_SIZE`` at a time, so memory stays flat.
"""

import datetime
import json

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language

from agreements import export_columns
from agreements.models import (
    CARRYING_OUT,
    UNSIGNED_STATUSES,
    Agreement,
    Milestone,
    Sector,
    next_step_of,
)
from partners.models import Country, Partner, Region

# What makes ``csv.writer`` quote a field (QUOTE_MINIMAL): the delimiter, the quote character and
# the characters of the line terminator. A quote inside a quoted field is doubled.
CSV_SPECIALS = ',"\r\n'


def csv_field(text):
    """``text`` as ``csv.writer`` writes it as one field of a row."""
    if any(char in text for char in CSV_SPECIALS):
        return '"' + text.replace('"', '""') + '"'
    return text


assert export_columns.NEUTRALISER not in CSV_SPECIALS


# The fields the selection computes, by the names the cell rules read them.
SELECTION_FIELDS = {
    "shown_status": "selection.shown_status",
    "shown_follows": "selection.shown_follows",
}


class _Sql:
    """The SQL of the export's cells in one format, its constants quoted by ``cursor``'s
    connection. Each format writes a text, a value of a known few, a label, a list, a date and
    a time its own way, and joins cells into part of a line. The cell rules of
    ``export_columns`` call these; ``column`` joins the rows a field path reaches."""

    def __init__(self, cursor, page_url):
        self.cursor = cursor
        self._page_url = page_url
        self.joins = {}  # alias → its LEFT JOIN, for the rows the cells read
        self.quote = connections[Agreement.objects.db].ops.quote_name

    def literal(self, value):
        return self.cursor.mogrify("%s", [value]).decode()

    def column(self, field):
        """The SQL of a field path of ``QuerySet.values`` (``"title"``, ``"lead_region__code"``):
        a column of the agreement, or of a row it points to, joined once under the path's name."""
        if field in SELECTION_FIELDS:
            return SELECTION_FIELDS[field]
        quote = self.quote
        *path, name = field.split("__")
        model, alias = Agreement, "agreement"
        for depth, part in enumerate(path, 1):
            relation = model._meta.get_field(part)
            joined = "to_" + "_".join(path[:depth])
            target = relation.related_model
            self.joins.setdefault(
                joined,
                f"LEFT JOIN {quote(target._meta.db_table)} {joined} ON "
                f"{joined}.{quote(relation.target_field.column)} = "
                f"{alias}.{quote(relation.column)}",
            )
            model, alias = target, joined
        return f"{alias}.{quote(model._meta.get_field(name).column)}"

    def page_url(self):
        """The status page's address around the agreement's id: digits change nothing of how
        the address is written, so one address stands for all."""
        marker = 999999999
        before, after = self._page_url(marker).split(str(marker))
        url = f"{self.literal(before)} || agreement.id || {self.literal(after)}"
        return self.known(url, [self._page_url(1)])

    def _case(self, column, written, otherwise):
        whens = " ".join(
            f"WHEN {self.literal(value)} THEN {self.literal(text)}"
            for value, text in written.items()
        )
        return f"(CASE {column} {whens} ELSE {otherwise} END)"

    def local_time(self, value):
        """ISO 8601 to the second, in the current time zone with its offset then, as
        ``timezone.localtime(value).isoformat(timespec="seconds")`` writes it (the session's own
        time zone stays as Django set it)."""
        zone = self.literal(timezone.get_current_timezone_name())
        local = f"({value} AT TIME ZONE {zone})"
        offset = f"({local} - ({value} AT TIME ZONE 'UTC'))"
        size = f"(CASE WHEN {offset} < interval '0' THEN -{offset} ELSE {offset} END)"
        seconds = (
            f"(CASE WHEN extract(second FROM {offset}) = 0 THEN '' ELSE to_char({size}, ':SS') END)"
        )
        return (
            f"""concat(to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS'), """
            f"CASE WHEN {offset} < interval '0' THEN '-' ELSE '+' END, "
            f"to_char({size}, 'HH24:MI'), {seconds})"
        )


class _CsvSql(_Sql):
    separator = export_columns.SEPARATOR

    def text(self, text):
        """The CSV field of the SQL text ``text`` (not NULL): ``export_columns.plain_cell``, then
        quoted as ``csv_field`` does. The neutraliser is none of ``CSV_SPECIALS``, so whether a
        field needs quotes is the same before and after neutralising it."""
        triggers = self.literal("".join(sorted(export_columns.NEEDS_NEUTRALISER)))
        starts_a_formula = f"({text} <> '' AND strpos({triggers}, left({text}, 1)) > 0)"
        neutraliser = self.literal(export_columns.NEUTRALISER)
        neutralised = f"(CASE WHEN {starts_a_formula} THEN {neutraliser} || {text} ELSE {text} END)"
        needs_quotes = " OR ".join(
            f"strpos({text}, {self.literal(char)}) > 0" for char in CSV_SPECIALS
        )
        quoted = f"""'"' || replace({neutralised}, '"', '""') || '"'"""
        return f"(CASE WHEN {needs_quotes} THEN {quoted} ELSE {neutralised} END)"

    def plain(self, column):
        """A text column, written "" when missing."""
        return self.text(f"coalesce({column}, '')")

    def known(self, text, values):
        """A text that is one of ``values`` (a column its CHECK constraint holds to them) or
        like them: as it is when none of them needs neutralising or quoting."""
        if all(csv_field(export_columns.plain_cell(value)) == value for value in values):
            return text
        return self.text(text)

    def label(self, column, labels):
        """The label of ``column``'s value, written in Python into the query; an unknown value
        stands for itself, as in ``export_columns.Label``."""
        written = {
            value: csv_field(export_columns.plain_cell(label)) for value, label in labels.items()
        }
        return self._case(column, written, self.text(column))

    def several_value(self, value):
        """One value of a several-value cell, escaped as ``export_columns.join_values`` does."""
        escape = export_columns.ESCAPE
        escaped = f"replace({value}, {self.literal(escape)}, {self.literal(escape * 2)})"
        return f"replace({escaped}, ';', {self.literal(escape + ';')})"

    def several(self, joined):
        return self.text(f"coalesce({joined}, '')")

    @staticmethod
    def date(value):
        return f"coalesce(to_char({value}, 'YYYY-MM-DD'), '')"

    @staticmethod
    def known_date(value, precision):
        return f"coalesce(to_char({value}, {_KNOWN_DATE_FORMAT.format(precision=precision)}), '')"

    def timestamp(self, value):
        return f"(CASE WHEN {value} IS NULL THEN '' ELSE {self.local_time(value)} END)"

    @staticmethod
    def joined(cells, names):
        """The cells of ``names`` as part of a CSV line. One ``concat`` writes it once, where
        ``||`` would copy the growing line at every cell."""
        parts = [part for name in names for part in ("','", cells[name])][1:]
        return f"concat({', '.join(parts)})"


# A date as it is known (``agreements.dates.KnownDate.iso``): the format for its precision.
_KNOWN_DATE_FORMAT = (
    "(CASE {precision} WHEN 'year' THEN 'YYYY' WHEN 'month' THEN 'YYYY-MM' ELSE 'YYYY-MM-DD' END)"
)


class _JsonSql(_Sql):
    separator = ", "

    @staticmethod
    def text(text):
        return f"coalesce(to_json({text})::text, 'null')"

    plain = text  # a missing text is null

    def known(self, text, values):
        if all(json.dumps(value, ensure_ascii=False) == f'"{value}"' for value in values):
            return f"""('"' || {text} || '"')"""
        return self.text(text)

    def label(self, column, labels):
        written = {value: json.dumps(label, ensure_ascii=False) for value, label in labels.items()}
        return self._case(column, written, self.text(column))

    @staticmethod
    def several_value(value):
        return f"to_json({value})::text"

    @staticmethod
    def several(joined):
        return f"coalesce('[' || {joined} || ']', '[]')"

    @staticmethod
    def date(value):
        return f"""coalesce('"' || to_char({value}, 'YYYY-MM-DD') || '"', 'null')"""

    @staticmethod
    def known_date(value, precision):
        written = f"to_char({value}, {_KNOWN_DATE_FORMAT.format(precision=precision)})"
        return f"""coalesce('"' || {written} || '"', 'null')"""

    def timestamp(self, value):
        written = f"""('"' || {self.local_time(value)} || '"')"""
        return f"(CASE WHEN {value} IS NULL THEN 'null' ELSE {written} END)"

    @staticmethod
    def joined(cells, names):
        """The cells of ``names`` as part of a JSON object (column names are plain words:
        ``"name": `` needs no escaping), written by one ``concat``."""
        keys = [f"""'{", " * bool(index)}"{name}": '""" for index, name in enumerate(names)]
        parts = [part for key, name in zip(keys, names, strict=True) for part in (key, cells[name])]
        return f"concat({', '.join(parts)})"


_QUERY = """
WITH selection AS MATERIALIZED ({selection}),
-- Each party table's values joined per agreement, in order. Aggregated over a window, whose
-- order the values follow, the table is sorted once, where ``string_agg(… ORDER BY …)`` would
-- sort each agreement's few values apart.
party_regions AS (
    SELECT agreement_id, codes, names FROM (
        SELECT link.agreement_id, row_number() OVER parties AS position,
               string_agg({region_code}, {separator}) OVER parties AS codes,
               string_agg({region_name}, {separator}) OVER parties AS names
        FROM {region_links} link
        JOIN selection ON selection.id = link.agreement_id
        JOIN {regions} region ON region.id = link.region_id
        WINDOW parties AS (PARTITION BY link.agreement_id ORDER BY region.code {whole})
    ) joined WHERE position = 1
),
party_partners AS (
    SELECT agreement_id, names, countries, country_names, names_local, subdivisions, kinds FROM (
        SELECT link.agreement_id, row_number() OVER parties AS position,
               string_agg({partner_name}, {separator}) OVER parties AS names,
               string_agg({partner_country}, {separator}) OVER parties AS countries,
               string_agg({country_name}, {separator}) OVER parties AS country_names,
               string_agg({partner_name_local}, {separator}) OVER parties AS names_local,
               string_agg({partner_subdivision}, {separator}) OVER parties AS subdivisions,
               string_agg({partner_kind}, {separator}) OVER parties AS kinds
        FROM {partner_links} link
        JOIN selection ON selection.id = link.agreement_id
        JOIN {partners} partner ON partner.id = link.partner_id
        JOIN {countries} country ON country.code = partner.country_id
        WINDOW parties AS (
            PARTITION BY link.agreement_id ORDER BY partner.name, partner.country_id {whole}
        )
    ) joined WHERE position = 1
),
party_sectors AS (
    SELECT agreement_id, slugs, names FROM (
        SELECT link.agreement_id, row_number() OVER sectors AS position,
               string_agg({sector_slug}, {separator}) OVER sectors AS slugs,
               string_agg({sector_name}, {separator}) OVER sectors AS names
        FROM {sector_links} link
        JOIN selection ON selection.id = link.agreement_id
        JOIN {sectors} sector ON sector.id = link.sector_id
        WINDOW sectors AS (
            PARTITION BY link.agreement_id ORDER BY sector.position, sector.name_id {whole}
        )
    ) joined WHERE position = 1
),
-- A signed agreement's next step is its soonest planned milestone (``next_step_of``).
soonest_planned AS (
    SELECT DISTINCT ON (milestone.agreement_id)
           milestone.agreement_id, milestone.id, milestone.kind, milestone.title,
           milestone.due_on, milestone.waits_on
    FROM {milestones} milestone JOIN selection ON selection.id = milestone.agreement_id
    WHERE milestone.done_on IS NULL AND selection.status NOT IN {unsigned}
    ORDER BY milestone.agreement_id, coalesce(milestone.due_on, {last_day}), milestone.id
),
-- An unsigned agreement's next stage reads all its milestones, in ``Milestone.Meta.ordering``.
unsigned_milestones AS (
    SELECT milestone.agreement_id,
           {milestone_facts} AS facts
    FROM {milestones} milestone JOIN selection ON selection.id = milestone.agreement_id
    WHERE selection.status IN {unsigned}
    GROUP BY milestone.agreement_id
)
SELECT agreement.kind, agreement.status, agreement.scope, agreement.relation,
       soonest.id, soonest.kind, soonest.title, soonest.due_on, soonest.waits_on,
       unsigned.facts, {runs}
FROM selection
JOIN {agreements} agreement ON agreement.id = selection.id
{joins}
LEFT JOIN party_regions ON party_regions.agreement_id = selection.id
LEFT JOIN party_partners ON party_partners.agreement_id = selection.id
LEFT JOIN party_sectors ON party_sectors.agreement_id = selection.id
LEFT JOIN soonest_planned soonest ON soonest.agreement_id = selection.id
LEFT JOIN unsigned_milestones unsigned ON unsigned.agreement_id = selection.id
ORDER BY selection.export_position
"""


def _layout(columns):
    """``columns`` as the query and Python write them: runs of columns whose cells the query
    writes (a list each), between the columns Python writes (the next step's)."""
    layout = []
    for column in columns:
        if column.rule.in_python:
            layout.append(column)
        elif layout and isinstance(layout[-1], list):
            layout[-1].append(column)
        else:
            layout.append([column])
    return layout


def _query(sql, queryset, layout, today, readable):
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    selection = (
        queryset.values("id", "status")
        .annotate(
            **export_columns.computed_fields(today, readable),
            export_position=Window(RowNumber(), order_by=list(ordering)),
        )
        .order_by()
    )
    english = (get_language() or "id").startswith("en")
    value = sql.several_value
    runs = [part for part in layout if isinstance(part, list)]
    cells = [
        sql.joined({column.name: column.rule.sql(sql) for column in run}, [c.name for c in run])
        for run in runs
    ]
    selection_sql, selection_params = selection.query.sql_with_params()
    return _QUERY.format(
        selection=sql.cursor.mogrify(selection_sql, selection_params).decode(),
        separator=sql.literal(sql.separator),
        whole="ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
        region_code=value("region.code"),
        region_name=value("region.name"),
        partner_name=value("partner.name"),
        partner_country=value("partner.country_id"),
        partner_name_local=value("partner.name_local"),
        partner_subdivision=value("coalesce(partner.subdivision_id, '')"),
        partner_kind=value("partner.kind"),
        country_name=value("country.name_en" if english else "country.name_id"),
        sector_slug=value("sector.slug"),
        sector_name=value("sector.name_en" if english else "sector.name_id"),
        unsigned="(" + ", ".join(sql.literal(status) for status in UNSIGNED_STATUSES) + ")",
        last_day=sql.literal(datetime.date.max.isoformat()) + "::date",
        runs=", ".join(f"{cell} AS run_{index}" for index, cell in enumerate(cells)),
        joins="\n".join(sql.joins.values()),
        milestone_facts=export_columns.MILESTONE_FACTS,
        **table_names(),
    )


def _lines(queryset, sql_format, page_url, chunk_size, python_cell, readable):
    """The parts of each row of the export, in the selection's order: the runs of cells the
    query wrote (``sql_format``: ``_CsvSql``, ``_JsonSql``), and between them the cells Python
    writes (``python_cell(column, value)``) from the next step."""
    layout = _layout(export_columns.COLUMNS)
    with connections[queryset.db].cursor() as cursor:  # quotes the query's constants
        sql = sql_format(cursor.cursor, page_url)
        query = _query(sql, queryset, layout, timezone.localdate(), readable)
    context = export_columns.ReadContext(page_url, timezone.get_current_timezone())
    parts = [
        None if isinstance(part, list) else (part, part.rule.reader(context)) for part in layout
    ]
    # Every value is in the query's text: no parameter to interpolate.
    for row in streamed_rows(queryset.db, query, None, chunk_size):
        kind, status, scope, relation, *soonest, facts = row[:10]
        runs = iter(row[10:])
        step = {"next_step": _next_step(kind, status, scope, relation, soonest, facts)}
        yield [
            next(runs) if part is None else python_cell(part[0], part[1](step)) for part in parts
        ]


def _next_step(kind, status, scope, relation, soonest, facts):
    if status in UNSIGNED_STATUSES:
        milestones = [export_columns.MilestoneFacts.from_json(f) for f in facts or ()]
    elif soonest[0] is not None:
        pk, kind, title, due_on, waits_on = soonest
        milestones = [export_columns.MilestoneFacts(pk, kind, title, due_on, None, waits_on)]
    else:
        milestones = ()
    return next_step_of(kind, status, scope, milestones, carries_out=relation in CARRYING_OUT)


def _csv_cell(column, value):
    return csv_field(column.rule.text(value))


def _json_cell(column, value):
    convert = column.rule.json
    encoded = export_columns.JSON.encode(convert(value) if convert else value)
    return f'"{column.name}": {encoded}'


def csv_lines(queryset, page_url, chunk_size, *, readable):
    """The CSV export of ``queryset``, line by line (``exports.csv_chunks``'s bytes);
    ``readable`` as for ``exports.iter_records``."""
    names = [column.name for column in export_columns.COLUMNS]
    yield "\ufeff" + ",".join(csv_field(name) for name in names) + "\r\n"
    for parts in _lines(queryset, _CsvSql, page_url, chunk_size, _csv_cell, readable):
        yield ",".join(parts) + "\r\n"


def json_lines(queryset, page_url, chunk_size, *, readable):
    """The JSON export of ``queryset``, an object a line (``exports.json_chunks``'s text);
    ``readable`` as for ``exports.iter_records``."""
    yield "[\n"
    separator = ""
    for parts in _lines(queryset, _JsonSql, page_url, chunk_size, _json_cell, readable):
        yield separator + "{" + ", ".join(parts) + "}"
        separator = ",\n"
    yield "\n]\n"


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
            # No JIT; and the one long query of a request gets its own limit, longer than a
            # page's (``settings.EXPORT_STATEMENT_TIMEOUT``), for this transaction only.
            cursor.execute(
                "SET LOCAL jit = off; SELECT set_config('statement_timeout', %s, true)",
                [str(settings.EXPORT_STATEMENT_TIMEOUT)],
            )
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(chunk_size):
                yield from batch
