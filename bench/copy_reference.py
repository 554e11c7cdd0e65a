"""What PostgreSQL alone can deliver: a plain ``COPY (SELECT …) TO STDOUT`` of the export's rows.

The same rows, in the same order, with the same columns as the full export, made from the one
declaration of them (``agreements.export_columns.COLUMNS``) by the query of the PostgreSQL
export (``agreements.exports_postgresql.export_query``): the same selection, the same joins,
each list of parties aggregated once. What differs is who writes the cells. Here each column is
its value as it is, a column of its own, and ``COPY`` writes the CSV (or ``row_to_json`` the
JSON object), where the export neutralises, escapes, quotes and formats every cell in its query.
So the export is compared with the database's own writing of the same rows, and a column added
to the declaration is in both.

The JSON export also holds a list per table of ``export_columns.TABLES`` (parties, milestones,
documents, partners, potentials, surveys): its reference copies those too, each table from the
very queries the export reads it with (``Table.querysets``), one ``COPY`` after another in one
transaction. Only the surveys' participants, which the export adds to each survey in Python,
are left out of it: a handful of rows beside hundreds of thousands.
"""

import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone

from agreements import export_columns
from agreements.exports_postgresql import _CsvSql, export_query
from agreements.filters import AgreementFilter
from agreements.models import Agreement


def page_url(pk):
    return f"http://127.0.0.1/agreements/{pk}/"


class PlainCsv(_CsvSql):
    """The cells as their values, each a column of its own: ``COPY`` writes the CSV."""

    @staticmethod
    def text(text):
        return text

    plain = text
    several = text
    several_value = text

    def known(self, text, values):
        return text

    def label(self, column, labels):
        return self._case(column, {value: str(label) for value, label in labels.items()}, column)

    @staticmethod
    def date(value):
        return value

    @staticmethod
    def known_date(value, precision):
        return value

    def timestamp(self, value):
        return f"({value} AT TIME ZONE {self.literal(timezone.get_current_timezone_name())})"

    def joined(self, cells, names):
        return ", ".join(f"{cells[name]} AS {self.quote(name)}" for name in names)


class PlainJson(PlainCsv):
    """As ``PlainCsv``, the lists of parties as arrays: ``row_to_json`` writes the object."""

    @staticmethod
    def aggregate(value):
        return f"array_agg({value})"


def everything():
    """What the full export holds (an administrator's, unfiltered): ``export_columns.Selection``."""
    queryset = AgreementFilter(QueryDict(""), queryset=Agreement.objects.all()).qs
    # Downloaded by an administrator (never saved): the tables as staff read them.
    administrator = get_user_model()(is_superuser=True)
    return export_columns.Selection(
        agreements=queryset, readable=Agreement.objects.all(), reader=administrator
    )


def select(plain, today=None):
    """The SELECT of every agreement as the full export has them, its cells written by
    ``plain`` (``PlainCsv``, ``PlainJson``)."""
    selection = everything()
    queryset, readable = selection.agreements, selection.readable
    # Every column, as an analyst's export has them (``export_columns.columns_for``).
    columns = export_columns.COLUMNS
    return export_query(plain, queryset, page_url, today or timezone.localdate(), readable, columns)


def sql_for(file_format, today=None):
    """The COPY of the agreements an export of ``file_format`` is compared with: JSON with
    JSON, the rest with CSV (no database writes XLSX)."""
    if file_format == "json":
        return f"COPY (SELECT row_to_json(r) FROM ({select(PlainJson, today)}) r) TO STDOUT"
    return f"COPY ({select(PlainCsv, today)}) TO STDOUT WITH (FORMAT csv, HEADER)"


def _json_copy(cursor, queryset):
    """The COPY of ``queryset``'s rows, each a JSON object."""
    query = cursor.mogrify(*queryset.query.sql_with_params()).decode()
    return f"COPY (SELECT row_to_json(r) FROM ({query}) r) TO STDOUT"


def table_sqls():
    """{table name: [COPY]}: each table of ``export_columns.TABLES`` as JSON objects, one COPY
    per query the export reads the table with."""
    selection = everything()
    with connection.cursor() as cursor:
        return {
            table.name: [
                _json_copy(cursor.cursor, queryset) for queryset in table.querysets(selection)
            ]
            for table in export_columns.TABLES
        }


def sqls_for(file_format, today=None):
    """Every COPY an export of ``file_format`` is compared with: the agreements, and for JSON,
    which holds every table, the tables too."""
    sqls = [sql_for(file_format, today)]
    if file_format == "json":
        sqls += [sql for table in table_sqls().values() for sql in table]
    return sqls


class Sink:
    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def write(self, data):
        self.bytes += len(data)
        self.lines += data.count(b"\n") if isinstance(data, bytes) else data.count("\n")


def copy(sqls, sink=None):
    """``sqls`` (a COPY, or several) written into ``sink`` one after the other, as the export
    runs its queries: in one transaction, without JIT (``exports_postgresql.streamed_rows``).
    (seconds, sink)"""
    sink = Sink() if sink is None else sink
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        for sql in [sqls] if isinstance(sqls, str) else sqls:
            cursor.cursor.copy_expert(sql, sink)
    return time.perf_counter() - start, sink


def measure(file_format):
    """The COPY of the full export's rows as the export's format would be: (seconds, MB)."""
    seconds, sink = copy(sqls_for(file_format))
    return seconds, sink.bytes / 1e6
