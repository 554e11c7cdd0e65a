"""Paging the admin's lists of large tables without counting every row.

A national register holds 100,000 agreements and half a million milestones. The admin counts
the rows of every list it shows; unfiltered, that is a pass over the whole table on every page
load. ``LargeTablePaginator`` asks PostgreSQL's statistics instead (the row count ANALYZE and
autovacuum keep in ``pg_class.reltuples``) once a table is large enough for the difference to
matter, and keeps the exact count of a filtered list until the register changes
(``agreements.caching``).
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

from agreements.caching import cached_count

# Below this many rows an exact count is cheaper than it is worth estimating.
ESTIMATE_FROM = 50_000


def rows_of_table(model, using):
    """The rows of ``model``'s table: PostgreSQL's estimate once the table holds at least
    ``ESTIMATE_FROM`` rows, an exact count below that. One query either way: the count runs only
    when the estimate is small (or missing, before the table was first analysed)."""
    table = connections[using].ops.quote_name(model._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT CASE WHEN coalesce(max(reltuples), -1) >= %s
                        THEN max(reltuples)::bigint
                        ELSE (SELECT count(*) FROM {table}) END
            FROM pg_class WHERE oid = to_regclass(%s)
            """,
            [ESTIMATE_FROM, model._meta.db_table],
        )
        return cursor.fetchone()[0]


class LargeTablePaginator(Paginator):
    """Count an unfiltered list of a large table from the database's statistics (an estimate,
    close to the true count, that costs no scan); count anything else exactly, once per
    version of the register."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where and connections[queryset.db].vendor == "postgresql":
            return rows_of_table(queryset.model, queryset.db)
        return cached_count(queryset)
