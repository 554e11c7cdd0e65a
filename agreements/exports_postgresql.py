"""The CSV and JSON exports on PostgreSQL, their cells written by the database.

At national scale an export's cost is its cells: 31 a row, each neutralised, joined, dated and
quoted. Written one by one in Python they cost four times what the database's own ``COPY`` of
the same rows takes (``bench/``). Here the query that reads the rows also writes them: each row
comes back as its CSV line (or JSON object), whole.

The query is made from the columns declared in ``agreements.export_columns``: each column's
cell rule writes its SQL through ``_CsvSql`` or ``_JsonSql`` (the separator, escape, formula
triggers and neutraliser of ``export_columns`` compiled to SQL), and every label is written by
Python, in the reader's language, into the query. ``tests/test_export_text.py`` holds this
path and the writers of ``agreements.exports`` to the same bytes. XLSX on PostgreSQL takes its
cells from the CSV lines (``exports.xlsx_cells``); on SQLite every format is written from
``iter_records``.

The query (``export_query``) reads the selection (the page's filters, visibility and order, from
the ORM) once and aggregates each list of parties (``export_columns.PARTIES``) once for all of
it; the next step is the one the agreement stores. Rows come through a server-side cursor,
``CHUNK_SIZE`` at a time, so memory stays flat.

The JSON export's lists of the other tables (``export_columns.TABLES``: half a million
milestones at national scale) are written the same way (``table_query``), each over its own
``values()`` query, for every table whose rules all have their SQL and whose rows need nothing
added in Python (``writes_table``); the others are written by ``exports._json_array``.
"""

import itertools
import json

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections, transaction
from django.db.models import F, OrderBy, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language

from agreements import export_columns
from agreements.models import Agreement
from common.streaming import started
from common.text import ESCAPE, SEPARATOR

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
    "shown_follows_visibility": "selection.shown_follows_visibility",
    "termination_done_on": "selection.termination_done_on",
    "termination_done_on_precision": "selection.termination_done_on_precision",
    "is_extended": "selection.is_extended",
    "is_followed_up": "selection.is_followed_up",
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
        return self.field(Agreement, "agreement", field, self.joins)

    def field(self, model, alias, path, joins):
        """The SQL of the field path ``path`` from ``model``'s row ``alias``; the rows it passes
        through are added to ``joins`` (alias → its LEFT JOIN), each once under its path."""
        quote = self.quote
        *hops, name = path.split("__")
        for depth, part in enumerate(hops, 1):
            relation = model._meta.get_field(part)
            joined = f"{alias}_to_" + "_".join(hops[:depth])
            target = relation.related_model
            joins.setdefault(
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

    def aggregate(self, value):
        """The values of a list of parties joined into one: by the separator, each escaped."""
        return f"string_agg({self.several_value(value)}, {self.literal(self.separator)})"

    def _case(self, column, written, otherwise):
        whens = " ".join(
            f"WHEN {self.literal(value)} THEN {self.literal(text)}"
            for value, text in written.items()
        )
        return f"(CASE {column} {whens} ELSE {otherwise} END)"

    def local_time(self, value):
        """ISO 8601 to the second, in the current time zone with its offset then, as
        ``timezone.localtime(value).isoformat(timespec="seconds")`` writes it.

        ``streamed_rows`` runs the query in the current time zone, so ``to_char`` writes the
        local time and its offset in one call. It writes the offset to the minute: a moment
        whose offset has seconds (a zone's local mean time, before its standard time) is
        written from its local time in the zone and in UTC, as Python writes it."""
        written = f"""to_char({value}, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')"""
        return (
            f"(CASE WHEN extract(timezone FROM {value}) % 60 = 0 THEN {written} "
            f"ELSE {self._local_time_to_the_second(value)} END)"
        )

    def _local_time_to_the_second(self, value):
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
    separator = SEPARATOR

    def text(self, text):
        """The CSV field of the SQL text ``text`` (not NULL): ``export_columns.plain_cell``, then
        quoted as ``csv_field`` does. The neutraliser is none of ``CSV_SPECIALS``, so whether a
        field needs quotes is the same before and after neutralising it.

        One CASE, its cheapest answers first: an empty cell (three in five of a row's text cells
        in the benchmark's register: contacts, signatories, English texts) is written without a
        test of its characters, and a cell that needs no quotes without building the quoted one."""
        triggers = self.literal("".join(sorted(export_columns.NEEDS_NEUTRALISER)))
        starts_a_formula = f"strpos({triggers}, left({text}, 1)) > 0"
        neutraliser = self.literal(export_columns.NEUTRALISER)
        neutralised = f"(CASE WHEN {starts_a_formula} THEN {neutraliser} || {text} ELSE {text} END)"
        needs_quotes = " OR ".join(
            f"strpos({text}, {self.literal(char)}) > 0" for char in CSV_SPECIALS
        )
        quoted = f"""'"' || replace({neutralised}, '"', '""') || '"'"""
        return (
            f"(CASE WHEN {text} = '' THEN '' WHEN {needs_quotes} THEN {quoted} "
            f"WHEN {starts_a_formula} THEN {neutraliser} || {text} ELSE {text} END)"
        )

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
        """One value of a several-value cell, escaped as ``common.text.join_values`` does."""
        escape = ESCAPE
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
        """The cells of ``names`` as part of a CSV line, written by one ``concat_ws``: ``||``
        would copy the growing line at every cell, and ``concat`` takes each comma as an
        argument of its own, converted like a cell. ``concat_ws`` leaves out a NULL, where the
        line needs it empty."""
        return _concat([f"coalesce({cells[name]}, '')" for name in names], separator="','")


# PostgreSQL passes a function at most 100 arguments.
CONCAT_MAX = 100


def _concat(parts, separator=None):
    """``concat`` of the SQL texts ``parts`` (``concat_ws`` by the SQL text ``separator``),
    nested where they are more than one call takes."""
    function, first = ("concat", []) if separator is None else ("concat_ws", [separator])
    size = CONCAT_MAX - len(first)
    while len(parts) > size:
        parts = [
            f"{function}({', '.join([*first, *parts[start : start + size]])})"
            for start in range(0, len(parts), size)
        ]
    return f"{function}({', '.join([*first, *parts])})"


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
        return _concat(parts)


_QUERY = """
WITH selection AS MATERIALIZED ({selection}),
{parties}
SELECT {line}
FROM selection
JOIN {agreements} agreement ON agreement.id = selection.id
{joins}
ORDER BY selection.export_position
"""

# Each list of an agreement's parties (``export_columns.PARTIES``), its values joined per
# agreement, in order. Aggregated over a window, whose order the values follow, the table is
# sorted once, where ``string_agg(… ORDER BY …)`` would sort each agreement's few values apart.
_PARTY = """party_{name} AS (
    SELECT agreement_id, {names} FROM (
        SELECT link.agreement_id, row_number() OVER parties AS position, {aggregates}
        FROM {links} link
        JOIN selection ON selection.id = link.agreement_id
        JOIN {table} party ON party.{key} = link.{to_party}
        {joins}
        WINDOW parties AS (
            PARTITION BY link.agreement_id ORDER BY {order}
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        )
    ) joined WHERE position = 1
)"""


def _party_ctes(sql, names):
    """The query's ``party_<list>`` tables, one for each of ``names`` (of
    ``export_columns.PARTIES``), each of its values aggregated by ``sql.aggregate``; and their
    joins."""
    language = export_columns.reader_language(get_language())
    quote = sql.quote
    tables, joins = [], []
    for name in names:
        party = export_columns.PARTIES[name]
        field = Agreement._meta.get_field(party.field)
        if field.many_to_many:
            through = field.remote_field.through._meta
            to_party = through.get_field(field.m2m_reverse_field_name())
            key, link_key = to_party.target_field.column, to_party.column
        else:  # rows of their own, pointing at the agreement: each joined to itself
            through = field.related_model._meta
            key = link_key = through.pk.column
        passed = {}  # the rows a value reads beyond the party's own

        def value(path, passed=passed, model=field.related_model):
            return sql.field(model, "party", path, passed)

        aggregates = [
            f"{sql.aggregate(f'coalesce({value(path)}, {export_columns.EMPTY_TEXT})')}"
            f" OVER parties AS {quote(value_name)}"
            for value_name, path in zip(party.values, party.paths(language), strict=True)
        ]
        tables.append(
            _PARTY.format(
                name=name,
                names=", ".join(quote(value_name) for value_name in party.values),
                aggregates=", ".join(aggregates),
                links=quote(through.db_table),
                table=quote(field.related_model._meta.db_table),
                key=quote(key),
                to_party=quote(link_key),
                joins="\n".join(passed.values()),
                order=", ".join(value(path) for path in party.order),
            )
        )
        joins.append(f"LEFT JOIN party_{name} ON party_{name}.agreement_id = selection.id")
    return ",\n".join(tables), joins


def as_the_query_orders(model, ordering):
    """``ordering`` (a queryset's, of ``model``) with each name of a relation replaced by the
    order of the model it leads to, as Django writes a query's ORDER BY: ``lead_region`` by the
    region's code (``Region.Meta.ordering``). The window that numbers the export's rows reads
    a name as its column, the relation's key: the admin's list sorted by lead region was
    downloaded in the order the regions were recorded in."""
    expanded = []
    for item in ordering:
        related = _related_ordering(model, item.lstrip("-")) if isinstance(item, str) else None
        if related is None:
            expanded.append(item)
            continue
        name, descending = item.lstrip("-"), item.startswith("-")
        for part in related:
            if isinstance(part, str):
                # "-code" under "-lead_region" sorts up: the two directions compose.
                flipped = descending != part.startswith("-")
                path = f"{name}__{part.lstrip('-')}"
                expanded.extend(as_the_query_orders(model, [f"-{path}" if flipped else path]))
                continue
            if not isinstance(part, OrderBy):
                part = part.desc() if descending else part.asc()
            expanded.append(part.prefix_references(f"{name}__"))
    return expanded


def _related_ordering(model, name):
    """The ``Meta.ordering`` of the model ``name`` leads to from ``model`` where ``name`` ends
    on a relation (``lead_region``, not ``lead_region_id`` nor ``pk``), else None."""
    if name in ("pk", "?"):
        return None
    opts, field = model._meta, None
    for piece in name.split("__"):
        if opts is None:
            return None  # a lookup or transform after a plain field
        try:
            field = opts.get_field(piece)
        except FieldDoesNotExist:
            return None  # an annotation ("search_rank") or a transform
        opts = field.related_model._meta if field.is_relation and field.related_model else None
    if opts is None or not opts.ordering or getattr(field, "attname", None) == piece:
        return None
    return opts.ordering


def export_query(sql_format, queryset, page_url, today, readable, columns=None):
    """The query of the export of ``queryset``: a row for each agreement, in the selection's
    order, holding its CSV line or JSON object (``sql_format``: ``_CsvSql``, ``_JsonSql``)
    of ``columns`` (by default the public's) without the line's end. Every constant is
    written into the text: no parameters."""
    columns = export_columns.public_columns() if columns is None else columns
    ordering = as_the_query_orders(
        queryset.model, queryset.query.order_by or queryset.model._meta.ordering
    )
    selection = (
        queryset.values("id")
        .annotate(
            **export_columns.computed_fields(today, readable),
            export_position=Window(RowNumber(), order_by=list(ordering)),
        )
        .order_by()
    )
    with connections[queryset.db].cursor() as cursor:  # quotes the query's constants
        sql = sql_format(cursor.cursor, page_url)
        line = sql.joined(
            {column.name: column.rule.sql(sql) for column in columns},
            [column.name for column in columns],
        )
        parties, party_joins = _party_ctes(sql, export_columns.parties_of(columns))
        selection_sql, selection_params = selection.query.sql_with_params()
        return _QUERY.format(
            selection=sql.cursor.mogrify(selection_sql, selection_params).decode(),
            parties=parties,
            line=line,
            agreements=sql.quote(Agreement._meta.db_table),
            joins="\n".join([*sql.joins.values(), *party_joins]),
        )


def _lines(queryset, sql_format, page_url, chunk_size, readable, columns):
    """The CSV line or JSON object of each agreement of ``queryset``, in its order: none of a
    selection that can match nothing (``none()``, a keyword of marks alone), which has no SQL
    to write into the export's."""
    try:
        query = export_query(
            sql_format, queryset, page_url, timezone.localdate(), readable, columns
        )
    except EmptyResultSet:
        return
    for (line,) in streamed_rows(queryset.db, query, None, chunk_size):
        yield line


def csv_lines(queryset, page_url, chunk_size, *, readable, columns=None):
    """The CSV export of ``queryset``, line by line (``exports.csv_chunks``'s bytes);
    ``readable`` and ``columns`` as for ``exports.iter_records``. Its query has run when this
    returns."""
    columns = export_columns.public_columns() if columns is None else columns
    lines = started(_lines(queryset, _CsvSql, page_url, chunk_size, readable, columns))
    names = [column.name for column in columns]
    header = "\ufeff" + ",".join(csv_field(name) for name in names) + "\r\n"
    return itertools.chain([header], (line + "\r\n" for line in lines))


class _RowSql:
    """Cells read from the columns of the subquery ``row``: each field path of the rules under
    the name ``aliases`` gives it."""

    aliases = {}

    def column(self, field):
        return f"row.{self.quote(self.aliases[field])}"


def writes_table(table):
    """Whether the database can write ``table``'s cells: every rule has its SQL, and nothing
    is added to the rows in Python (``Table.completed``)."""
    return table.completed is None and all(hasattr(column.rule, "sql") for column in table.columns)


def table_query(sql_format, queryset, columns):
    """The query of ``queryset``'s rows (a ``values()`` query of a table of
    ``export_columns.TABLES``), in its order, each row the JSON object (``_JsonSql``) of
    ``columns`` without its braces. The rows are read by a subquery that keeps its ORDER BY
    (PostgreSQL never folds a sorted subquery into the query around it) and whose columns are
    named for the rules' field paths; every constant is written into the text."""
    fields = dict.fromkeys(field for column in columns for field in column.rule.fields)
    aliases = {field: f"field_{index}" for index, field in enumerate(fields)}
    rows = queryset.values(**{alias: F(field) for field, alias in aliases.items()})
    with connections[queryset.db].cursor() as cursor:
        sql = type("Row" + sql_format.__name__, (_RowSql, sql_format), {"aliases": aliases})(
            cursor.cursor, None
        )
        line = sql.joined(
            {column.name: column.rule.sql(sql) for column in columns},
            [column.name for column in columns],
        )
        inner, params = rows.query.sql_with_params()
        return f"SELECT {line} FROM ({sql.cursor.mogrify(inner, params).decode()}) row"


def table_json_lines(table, selection, chunk_size):
    """The JSON objects of ``table``'s rows for ``selection`` (``exports.json_chunks``'s text
    of each), its queries one after the other (``Table.querysets``): none of a queryset that
    can match nothing (those of a selection that can)."""
    for queryset in table.querysets(selection):
        try:
            query = table_query(_JsonSql, queryset, table.columns)
        except EmptyResultSet:
            continue
        for (line,) in streamed_rows(queryset.db, query, None, chunk_size):
            yield "{" + line + "}"


def json_array(objects):
    """The text of a JSON array of ``objects`` (each an object's text), an object a line."""
    yield "[\n"
    separator = ""
    for item in objects:
        yield separator + item
        separator = ",\n"
    yield "\n]\n"


def json_lines(queryset, page_url, chunk_size, *, readable, columns=None):
    """The JSON export of ``queryset``, an object a line (``exports.json_chunks``'s text);
    ``readable`` and ``columns`` as for ``exports.iter_records``. Its query has run when this
    returns."""
    columns = export_columns.public_columns() if columns is None else columns
    lines = started(_lines(queryset, _JsonSql, page_url, chunk_size, readable, columns))
    return json_array("{" + line + "}" for line in lines)


def streamed_rows(using, sql, params, chunk_size):
    """The rows of an export query on PostgreSQL, read ``chunk_size`` at a time.

    In a transaction the server-side cursor streams the rows as they are read, instead of
    materialising the whole result first (``WITH HOLD``, outside one). The planner cannot see
    how few rows the aggregates join to and guesses billions, which would have it compile the
    query to machine code (JIT) for a second, longer than the query takes to run.

    The last, short batch is handed on once the transaction has ended: an export of fewer rows
    than ``chunk_size`` has done all its work with the database when its first row is read
    (before its response starts, ``common.streaming.started``), so a database restart can only
    give it the styled 503, never a broken download.
    """
    connection = connections[using]
    enclosed = connection.in_atomic_block
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            # No JIT; the one long query of a request gets its own limit, longer than a page's
            # (``settings.EXPORT_STATEMENT_TIMEOUT``); and it writes moments in the current
            # time zone (``_Sql.local_time``): for this transaction only.
            cursor.execute(
                "SET LOCAL jit = off; SELECT set_config('statement_timeout', %s, true), "
                "set_config('TimeZone', %s, true)",
                [str(settings.EXPORT_STATEMENT_TIMEOUT), timezone.get_current_timezone_name()],
            )
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while len(batch := cursor.fetchmany(chunk_size)) == chunk_size:
                yield from batch
        if enclosed:  # the caller's transaction goes on in Django's zone
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('TimeZone', %s, true)", [connection.timezone_name]
                )
    yield from batch
