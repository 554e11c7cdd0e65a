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

    The matches' keys are read once, in the order of ``listed_first`` (the most recently signed
    first), up to one past ``SEARCH_LISTS_AT_MOST``: how many there are says whether more
    matched than are listed (``more``; the page tells the reader so). The list holds the first
    ``SEARCH_LISTS_AT_MOST`` of them, in the order chosen (best first, by default), read by key
    (``among``), so ranking reads that many agreements, not all of a word found in most of the
    register, and no page tests the words again. The keys are kept until the register changes.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        found = self.first_keys(object_list)
        self.more = found is not None and len(found) > SEARCH_LISTS_AT_MOST
        # The keys the list holds, in its order; None where a filter can match nothing.
        self.keys = None if found is None else found[:SEARCH_LISTS_AT_MOST]
        self._found = len(self.keys or ())
        if self.keys is not None:
            object_list = object_list.among(self.keys)
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)

    @classmethod
    def listed(cls, object_list):
        """What a search's list holds of the matches ``object_list``, in its order: what the
        admin's actions on all it lists act on (``admin.SearchListedAtMost``). The downloads of
        the public list hold every match."""
        keys = cls.first_keys(object_list)
        return object_list if keys is None else object_list.among(keys[:SEARCH_LISTS_AT_MOST])

    @staticmethod
    def first_keys(object_list):
        """The keys of the first matches ``object_list`` lists (``listed_first``), one past
        ``SEARCH_LISTS_AT_MOST`` at most, read once and kept until the register changes; None
        where a filter can match nothing.

        Counted, then ranked around a subquery of the first matches, a search read its matches
        twice on every page, and its words were tested again around them."""
        first = object_list.listed_first()[: SEARCH_LISTS_AT_MOST + 1]
        try:
            sql, params = first.query.sql_with_params()
        except EmptyResultSet:
            return None
        return cached_value("listed-first", [object_list.db, sql, repr(params)], lambda: [*first])

    # What the admin's search box says when more matched than are listed (``more_text``).
    MORE = gettext_lazy(
        "Lebih dari %(number)s hasil; yang ditampilkan %(number)s yang terakhir ditandatangani"
    )

    @cached_property
    def count(self):
        return self._found

    @property
    def more_text(self):
        return self.MORE % {"number": intcomma(self._found)}


class RowSearchPaginator(SearchPaginator):
    """Paging the milestones or documents a search found (``search_agreement_rows``) as
    ``SearchPaginator`` pages agreements: counted up to ``SEARCH_LISTS_AT_MOST``, and past it
    the first that many in the list's own order (``ReadApart.listed_first``), its pages
    stopping there. A word found in most of the register (kerja, of every PKS) was counted over
    all its half million milestones on every page (360 ms at 100,000 agreements)."""

    MORE = gettext_lazy(
        "Lebih dari %(number)s hasil; yang ditampilkan %(number)s yang pertama menurut urutan "
        "daftar"
    )

    def page(self, number):
        """The page's rows read by their keys alone: the keys are in the list's order, so the
        page's are known, where its query read every row listed to sort them (1,000 steps of a
        word found 1,900 times at 100,000 agreements)."""
        if self.keys is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list.among(self.keys[bottom:top]), number, self)
