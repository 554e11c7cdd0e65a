"""The years a date column of a large table holds, read from its index at a few points."""

import datetime

from django.db import connections, models

# The bounds the probe of ``years_with_rows`` is compiled with, each replaced by a year's
# bounds: days no row of the register is dated.
PROBE_FROM, PROBE_UNTIL = datetime.date(1, 1, 1), datetime.date(1, 1, 2)


def years_with_rows(queryset, field_name):
    """The years in which a row of ``queryset`` has a ``field_name``, oldest first, in two
    queries that read the column's index at a few points rather than every row: the first and
    last date (the index's two ends), then one probe per year between them, each stopping at
    its first row. (``dates(field_name, "year")`` sorts every date: seconds over the half
    million milestones of a national register.) The probe is compiled once and given each
    year's bounds. An admin list's date hierarchy offers these years
    (``agreements.templatetags.register_admin``)."""
    bounds = queryset.order_by().aggregate(
        first=models.Min(field_name), last=models.Max(field_name)
    )
    if bounds["first"] is None:
        return []
    # (Bounds were found, so ``queryset`` is not empty by construction: no EmptyResultSet.)
    probe = (
        queryset.filter(**{f"{field_name}__gte": PROBE_FROM, f"{field_name}__lt": PROBE_UNTIL})
        .order_by()
        .values("pk")
    )
    sql, probe_params = probe.query.sql_with_params()
    adapt = connections[queryset.db].ops.adapt_datefield_value
    marks = {adapt(PROBE_FROM): 0, adapt(PROBE_UNTIL): 1}
    parts, params = [], []
    for year in range(bounds["first"].year, bounds["last"].year + 1):
        days = (adapt(datetime.date(year, 1, 1)), adapt(datetime.date(year + 1, 1, 1)))
        parts.append(f"SELECT {year} WHERE EXISTS ({sql})")
        params.extend(days[marks[p]] if _is_mark(p, marks) else p for p in probe_params)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return sorted(row[0] for row in cursor.fetchall())


def _is_mark(param, marks):
    return isinstance(param, datetime.date | str) and param in marks
