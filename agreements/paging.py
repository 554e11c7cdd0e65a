"""Paging the admin's lists of large tables without counting every row.

A national register holds 100,000 agreements and half a million milestones. The admin counts
the rows of every list it shows; unfiltered, that is a pass over the whole table on every page
load. ``LargeTablePaginator`` asks PostgreSQL's statistics instead (the row count ANALYZE and
autovacuum keep in ``pg_class.reltuples``) once a table is large enough for the difference to
matter, and keeps the exact count of a filtered list until the register changes
(``agreements.caching``).
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy

from agreements.caching import CachedCountPaginator, cached_count, cached_value
from common.one_value import one_value

# A search lists at most this many agreements: when more match, the most recently signed of
# them (``SearchPaginator``).
SEARCH_LISTS_AT_MOST = 1000

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


def count_up_to(queryset, limit):
    """How many rows ``queryset`` holds, counting no further than ``limit`` + 1: one more than
    ``limit`` says there are more, without the pass over every match an exact count of a search
    that finds most of the register would take."""
    return queryset.order_by().values("pk")[: limit + 1].count()


def page_asked(paginator, data):
    """The page of ``paginator`` that the query string ``data`` asks for with ``page`` (the
    first when it asks for none); ``ValidationError`` saying what is wrong with the number
    asked for: not a whole number, no such page, or given more than once (``one_value``).
    Every public page that is paged reads its page here."""
    number = one_value(data, "page") or 1
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        raise ValidationError(gettext("Nomor halaman harus bilangan bulat positif.")) from None
    except EmptyPage:
        raise ValidationError(
            gettext("Halaman %(number)s tidak ada; hasil ini ada %(pages)s halaman.")
            % {"number": number, "pages": paginator.num_pages}
        ) from None


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


class SearchPaginator(CachedCountPaginator):
    """Paging the agreements a search found, at a cost that follows the page, not the matches.

    Counting stops one past ``SEARCH_LISTS_AT_MOST`` (``count_up_to``). Up to
    that many, every match is listed, best first. Past it, the list holds the
    ``SEARCH_LISTS_AT_MOST`` most recently signed matches in the order chosen
    (``AgreementQuerySet.most_recently_signed``), so ranking reads that many agreements, not
    all of a word found in most of the register; ``more`` says so, and the page tells the reader
    that more matched than are listed. The count is cached until the register changes.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        object_list, found = self.listed(object_list)
        self.more = found > SEARCH_LISTS_AT_MOST
        self._found = min(found, SEARCH_LISTS_AT_MOST)
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)

    @classmethod
    def listed(cls, object_list):
        """What a search's list holds of the matches ``object_list``, in its order, and how many
        matched, counted up to one past the limit: every match up to ``SEARCH_LISTS_AT_MOST``,
        past it the shortlist (``shortlist``). The page lists this, and the admin's actions on
        all it lists act on it (``admin.SearchListedAtMost``); the downloads of the public
        list hold every match."""
        limit = SEARCH_LISTS_AT_MOST
        try:
            sql, params = object_list.order_by().query.sql_with_params()
        except EmptyResultSet:  # a filter nothing can match
            found = 0
        else:
            found = cached_value(
                "count-up-to",
                [object_list.db, sql, repr(params), limit],
                lambda: count_up_to(object_list, limit),
            )
        if found > limit:
            object_list = cls.shortlist(object_list, limit)
        return object_list, found

    # What the admin's search box says when more matched than are listed (``more_text``).
    MORE = gettext_lazy(
        "Lebih dari %(number)s hasil; yang ditampilkan %(number)s yang terakhir ditandatangani"
    )

    @staticmethod
    def shortlist(object_list, limit):
        """The ``limit`` matches listed when more match."""
        return object_list.most_recently_signed(limit)

    @cached_property
    def count(self):
        return self._found

    @property
    def more_text(self):
        return self.MORE % {"number": intcomma(self._found)}


class RowSearchPaginator(SearchPaginator):
    """Paging the milestones or documents a search found (``search_agreement_rows``) as
    ``SearchPaginator`` pages agreements: counted up to ``SEARCH_LISTS_AT_MOST``, and past it
    the first that many in the list's own order (``first_matches``), its pages stopping there.
    A word found in most of the register (kerja, of every PKS) was counted over all its half
    million milestones on every page (360 ms at 100,000 agreements)."""

    MORE = gettext_lazy(
        "Lebih dari %(number)s hasil; yang ditampilkan %(number)s yang pertama menurut urutan "
        "daftar"
    )

    @staticmethod
    def shortlist(object_list, limit):
        return object_list.first_matches(limit)
