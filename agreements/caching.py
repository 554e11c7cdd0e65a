"""Keeping what the register shows for as long as the register does not change.

Every key carries the register version: a number the database moves on in the same transaction
as any change to the register's tables (migration 0006, triggers). Each request reads it (one
query), so a page or count cached by one server process is never used once anything changed,
in that process or any other: stale entries are simply never asked for again, and the cache
culls them. What is cached also depends on who reads (the public sees fewer agreements than
officials do), the day (a status follows the dates), the language, and the address; and every
key names the release that made it (``RELEASE``), so an upgrade never serves the pages of the
release before it.

Nothing is cached inside a transaction: a page built there may show the transaction's own,
uncommitted changes under a version number that a rollback hands back to someone else.
"""

import hashlib
import importlib.metadata
import logging
import re
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection, connections
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language

from access.models import access_key, role_names
from common.parameters import without_tracking

logger = logging.getLogger(__name__)

# Long enough to outlive a quiet day's browsing; old versions' entries are culled before that.
TIMEOUT = 60 * 60 * 6

# The one part of a shared page that differs per visitor: the CSRF token of the language form.
# Quotes in anything a user typed are escaped, so this markup can only come from the template.
# Pages are cached as the bytes sent, so that serving one copies it once and encodes nothing.
CSRF_FIELD = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
CSRF_SLOT = b'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'


def register_version():
    """The register's current version (one query), or None where nothing may be cached.

    The number of changes, prefixed with this database's epoch (migration 0015): a database made
    again counts from zero again, and must not meet the pages a shared cache holds for another.
    A backup restored in place brings back its epoch and its counters, so the next edits would
    reuse numbers whose pages were cached from data the restore undid: on PostgreSQL the version
    also names the counter table itself (its OID), which every restore creates anew; on SQLite,
    whose restored file nothing tells from the original, every change draws a new epoch
    (migration 0023).
    """
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        table = (
            "'coopdb_register_version'::regclass::oid"
            if connection.vendor == "postgresql"
            else "''"
        )
        cursor.execute(
            f"SELECT (SELECT min(epoch) FROM coopdb_register_epoch), {table}, "
            "coalesce(sum(changes), 0) FROM coopdb_register_version"
        )
        epoch, table_id, changes = cursor.fetchone()
        return f"{epoch}.{table_id}.{changes}"


# What one agreement's pages are keyed on besides the reader (migration 0026): the agreements
# of its chain, each with its own counter, and the shared tables' counter. One query, whatever
# the length of the chain; the chain is read as ``AgreementQuerySet.chains`` reads it, and the
# agreement itself is always among them.
_AGREEMENT_VERSION = """
    WITH RECURSIVE up(id, follows_id) AS (
        SELECT id, follows_id FROM agreements_agreement WHERE id = %s
        UNION
        SELECT a.id, a.follows_id FROM agreements_agreement a JOIN up ON a.id = up.follows_id
    ),
    down(id) AS (
        SELECT id FROM up WHERE follows_id IS NULL
        UNION
        SELECT a.id FROM agreements_agreement a JOIN down ON a.follows_id = down.id
    ),
    chain(id) AS (SELECT id FROM up UNION SELECT id FROM down)
    SELECT 0, {header}, (SELECT coalesce(sum(changes), 0) FROM coopdb_shared_version)
    UNION ALL
    SELECT chain.id, '', coalesce(version.changes, 0)
    FROM chain LEFT JOIN coopdb_agreement_version version ON version.agreement_id = chain.id
"""


def _versions_header():
    """The SQL of what names this database's agreement and shared counters besides their
    numbers: on PostgreSQL its epoch and both counter tables' OIDs, which a restore creates
    anew; on SQLite nothing, as each change draws a new random number (migration 0026)."""
    if connection.vendor != "postgresql":
        return "''"
    return (
        "(SELECT min(epoch) FROM coopdb_register_epoch) || '.' "
        "|| 'coopdb_agreement_version'::regclass::oid || '.' "
        "|| 'coopdb_shared_version'::regclass::oid"
    )


def shared_version():
    """The version of the shared tables (sectors, agencies, countries, subdivisions, regions,
    partners: their names on every page), one query, with what names this database
    (``_versions_header``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_versions_header()}, "
            "(SELECT coalesce(sum(changes), 0) FROM coopdb_shared_version)"
        )
        header, changes = cursor.fetchone()
    return f"{header}.{changes}"


def agreement_version(pk):
    """The version of what agreement ``pk``'s own pages show (one query), or None where nothing
    may be cached: its status page and its admin change form.

    Made of the shared tables' counter (sectors, agencies, countries, regions, partners) and the
    counter of each agreement of its chain (itself, what it follows, what follows it: the
    documents its pages show beside it), each moved on by the database with any change to that
    agreement's rows (migration 0026). A save of another agreement leaves it as it was. An
    agreement joining or leaving the chain changes the list of agreements itself. The restore
    guarantee is kept as for the register version: on PostgreSQL this database's epoch and both
    counter tables' OIDs, which a restore creates anew; on SQLite, where the register's epoch is
    renewed by every change anywhere, each change sets the counters to a new random number
    instead, never met again in this file, a restored copy or another database.
    """
    if connection.in_atomic_block:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return register_version()  # no agreement by that name: the page is an error or a redirect
    low, high = connection.ops.integer_field_range("BigIntegerField")  # an agreement's id
    if not low <= pk <= high:
        return register_version()  # no agreement's: the database could not even compare it
    with connection.cursor() as cursor:
        cursor.execute(_AGREEMENT_VERSION.format(header=_versions_header()), [pk])
        rows = sorted(cursor.fetchall())
    (_, epoch, shared), chain = rows[0], rows[1:]
    return f"{epoch}.{shared}:" + ",".join(f"{id_}={changes}" for id_, _, changes in chain)


def parties_version():
    """The version of which regions, partners, countries and agencies each selection of
    agreements a list offers has (one query), or None where nothing may be cached: what a filter
    form offers (``AgreementFilter.offer_choices``).

    Made of the shared tables' version (their names, a region's province, a partner's country)
    and the parties' counter (migration 0073), which the database moves on with any change to
    the agreements' links to their regions, partners, sectors and agencies, any agreement added
    or removed or made public or internal, and any count it keeps reaching zero or leaving it.
    A title corrected or a step recorded leaves it as it was. The restore guarantee is kept as
    for ``agreement_version``: on PostgreSQL this database's epoch and the counter tables' OIDs;
    on SQLite a new random number with each change."""
    if connection.in_atomic_block:
        return None
    header = _versions_header()
    if connection.vendor == "postgresql":
        header += " || '.' || 'coopdb_parties_version'::regclass::oid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {header}, "
            "(SELECT coalesce(sum(changes), 0) FROM coopdb_shared_version), "
            "(SELECT coalesce(sum(changes), 0) FROM coopdb_parties_version)"
        )
        header, shared, parties = cursor.fetchone()
    return f"{header}.{shared}.{parties}"


# How long a process leaves the cache alone once a call to it failed (seconds). A Redis that
# refuses connections fails at once, but one that does not answer (its host down or cut off,
# the server stalled) holds each call for its timeout, a second: a page makes several, and
# took 4 to 8 s each while Redis was unreachable. Left alone, it costs one call a process
# every RETRY_SECONDS; pages are cached again at most that long after it is back.
CACHE_RETRY_SECONDS = 30
_cache_down_until = 0.0


def cache_usable():
    """False while a recent call to the cache failed (``cache_failed``)."""
    return time.monotonic() >= _cache_down_until


def cache_failed():
    """A call to the cache failed: leave it alone for ``CACHE_RETRY_SECONDS``."""
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS


def cache_get(key):
    """The cached value of ``key``, or None, also when the cache cannot be reached: a cache
    server that is down costs the time to build pages, never an error page."""
    if not cache_usable():
        return None
    try:
        return cache.get(key)
    except Exception:  # the backend's own connection errors (redis.exceptions.RedisError, …)
        cache_failed()
        logger.warning("cache unavailable: building %s afresh", key, exc_info=True)
        return None


def cache_set(key, value):
    if not cache_usable():
        return
    try:
        cache.set(key, value, TIMEOUT)
    except Exception:
        cache_failed()
        logger.warning("cache unavailable: %s not cached", key, exc_info=True)


def reader_class(user):
    """``"internal"`` or ``"public"``: what ``Agreement.objects.visible_to(user)`` lets them see.

    Read from the visibility rule itself (it filters nothing for an internal reader), so the
    cache can never disagree with the one rule every page uses.
    """
    from agreements.models import Agreement

    return "public" if Agreement.objects.visible_to(user).query.has_filters() else "internal"


def reader_key(user):
    """Whose page it is: one shared page for every anonymous visitor; a signed-in reader's own
    (the page greets them by name), as they stand: what they may see, and their roles, which
    decide what a page says of its downloads (an official's leave out the internal records an
    analyst's hold). A reader given another role is served a page built for it.

    The roles are those the visibility rule has just read (``access.models.role_names``, kept
    with the user): no query more, but for a superuser, who needs none."""
    if not user.is_authenticated:
        return "anonymous"
    standing = "superuser" if user.is_superuser else ",".join(sorted(role_names(user)))
    return f"{reader_class(user)}:{user.pk}:{user.get_username()}:{standing}"


def release_digest(folders):
    """A short digest of every file in ``folders`` (``__pycache__`` and dotfiles left out), by
    path and content, with the name and version of every installed package: the same on every
    server running the same release, whenever and wherever it was installed."""
    digest = hashlib.sha256()
    for folder in sorted(Path(folder) for folder in folders):
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if not path.is_file() or any(
                part == "__pycache__" or part.startswith(".") for part in relative.parts
            ):
                continue
            digest.update(f"{folder.name}/{relative.as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, version in sorted(
        (dist.metadata["Name"] or "", dist.version) for dist in importlib.metadata.distributions()
    ):
        digest.update(f"{name}=={version}\0".encode())
    return digest.hexdigest()[:16]


def release_folders():
    """What decides how a page looks, besides the register: the project's Python packages, its
    templates, translations and static files (``settings``)."""
    base = Path(settings.BASE_DIR)
    packages = [path for path in base.iterdir() if (path / "__init__.py").is_file()]
    templates = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    return {
        *packages,
        *templates,
        *map(Path, settings.LOCALE_PATHS),
        *map(Path, settings.STATICFILES_DIRS),
    }


# The release this server runs. Every key names it (``make_key``): after an upgrade, no page,
# count or list the previous release kept is read again, though the register is as it was (a
# template fixed, a column added, a translation changed). Read once, when the site loads (in
# gunicorn's master, before its workers are forked: ``preload_app``).
RELEASE = release_digest(release_folders())


def make_key(kind, *parts):
    digest = hashlib.sha256(
        "\x1f".join(str(part) for part in (RELEASE, *parts)).encode()
    ).hexdigest()
    return f"coopdb:{kind}:{digest}"


def cached_value(kind, parts, compute, version=register_version):
    """``compute()``, cached under ``parts`` and the register version (uncached in a
    transaction). ``parts`` must name everything the value depends on besides the register.
    ``version`` reads the version of what it depends on where that is less than the whole
    register (``parties_version``)."""
    version = version()
    if version is None:
        return compute()
    key = make_key(kind, version, *parts)
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value)
    return value


def cached_count(queryset):
    """``queryset.count()``, cached under its own SQL (which names the reader's visibility, the
    filters and today's date wherever they matter) and the register version.

    The whole register, what the public sees, and the agreements of one region, partner,
    partner country or sector are counted from the counts the database keeps
    (``AgreementQuerySet.tallied_count``): a few rows read, whatever the size of the register.
    """
    # A condition said only for the order's index (``AgreementQuerySet.hinted``) is not counted.
    queryset = getattr(queryset, "_hints", {}).get("counted", queryset)
    tallied_count = getattr(queryset, "tallied_count", None)
    count = tallied_count() if tallied_count is not None else None
    if count is not None:
        return count
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # ``none()``, or a filter nothing can match: no query to run
        return 0
    return cached_value("count", [queryset.db, sql, repr(params)], queryset.count)


# A list of at most this many rows is read as a set, then sorted (``CachedCountPaginator.page``):
# a few milliseconds at most, where a walk of its order's index may pass the whole register.
READ_APART_UP_TO = 1_000
# A larger selection made of parts with an index each (``read_in_parts``) is paged from the
# first rows of each part up to this row of the list; past it, walked in its order.
READ_IN_PARTS_UP_TO = 1_000


class CachedCountPaginator(Paginator):
    """A paginator whose count, a pass over every matching agreement, is cached until the
    register changes: paging through a selection or re-sorting it counts it once."""

    @cached_property
    def count(self):
        return cached_count(self.object_list)

    def page(self, number):
        """Page ``number``, read from whichever end of the list is nearer.

        A page is read by skipping the rows before it, and the database steps over every one:
        the fifth page from the end of 100,000 agreements skipped 99,875. Past the middle the
        list is read in the opposite order (the same index, backwards) and the page turned
        round, so no page skips more than half the list and the last ones skip almost none.

        A list of at most ``READ_APART_UP_TO`` rows is read as a set first and then sorted
        (``read_apart``, where its QuerySet has it): walked in its order's index, a small
        selection whose rows lie at the index's far end was found only past the whole
        register. A larger one made of parts with an index of their own each reads its first
        pages from the first rows of each (``read_in_parts``).
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        read_apart = getattr(self.object_list, "read_apart", None)
        if read_apart is not None and self.count <= READ_APART_UP_TO:
            return self._get_page(read_apart(top)[bottom:top], number, self)
        if top <= READ_IN_PARTS_UP_TO and getattr(self.object_list, "_hints", {}).get("parts"):
            # A selection made of parts each with an index of the order: their first rows
            # (``read_in_parts``), up to as many as a small selection has.
            return self._get_page(self.object_list.read_in_parts(top)[bottom:top], number, self)
        if bottom <= self.count - top or not self.object_list.ordered:
            return super().page(number)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)


def page_key(request, parts, version):
    """The key of the page ``request`` asks for. Not its host: every page links within the
    site by paths alone, so the page is the same at each name and port the site answers to
    (``127.0.0.1:8000``, ``localhost:8000``, any port in a ``Host`` header), and each would
    otherwise keep a copy of it. What does name the host (the sitemaps, the report's PDF) is
    kept under it by its own key."""
    return make_key(
        "page",
        version,
        timezone.localdate().isoformat(),
        get_language(),
        timezone.get_current_timezone_name(),  # times are shown in the reader's zone
        *parts,
        request.scheme,
        request.get_full_path(),
    )


def tracking_left_out(request):
    """The redirect of ``request`` to its address without a link's tracking parameters
    (``utm_…``, ``fbclid`` …: ``common.parameters.without_tracking``), or None when it names
    none. Nothing reads them, and each of their values would keep one more copy of the page."""
    kept = without_tracking(request.GET)
    if kept is request.GET:
        return None
    query = kept.urlencode()
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


def cached_page(request, parts, build, version=register_version, sign=None):
    """``build()``'s page, served from the cache while the register stays as it was.

    ``parts`` name whose page it is (what it depends on besides the register, the day, the
    language and the address); ``version`` reads the version of what it shows (by default the
    whole register's). An address naming a link's tracking is sent on to the one without it
    (``tracking_left_out``). Only a complete 200 HTML page of a GET is cached, never one
    showing a message meant for one visitor or one setting a cookie of its own. A page comes
    back from the cache with this visitor's own CSRF token in each of its forms. Of the readers
    missing the same page at once, one builds it and the others wait for it (``wait_for``).

    ``sign``, where given, is how the page is built when the version moved on: it reads what the
    page shows and returns its signature (a digest of all of it that the database decides, or
    None) and the function that draws the page from what it read. A page is kept under its
    signature too; when the register moved on but the page's signature is the one it was kept
    under (a save elsewhere in the register), the kept page is served, not drawn again. The
    signature is read before or with what the page shows, never after, so a page is never kept
    under a signature newer than its content.
    """
    if request.method not in ("GET", "HEAD"):
        return build()
    redirect = tracking_left_out(request)
    if redirect is not None:
        return redirect
    if len(get_messages(request)):
        return build()
    version = version()
    if version is None:
        return build()
    key = page_key(request, parts, version)
    content = cache_get(key)
    building = content is None and start_building(key)
    if content is None and not building:
        content = wait_for(key)
    if content is not None:
        return _served(request, content)
    try:
        signature = None
        if sign is None:
            response = build()
        else:
            signature, draw = sign()
            signed_key = page_key(request, parts, "signed")
            kept = cache_get(signed_key) if signature is not None else None
            if kept is not None and kept[0] == signature:
                cache_set(key, kept[1])
                return _served(request, kept[1])
            response = draw()
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if (
            response.status_code == 200
            and not response.streaming
            # The CSRF cookie (the admin's views set it themselves) is set again when a cached
            # page is served: ``get_token`` asks the middleware to.
            and not set(response.cookies) - {settings.CSRF_COOKIE_NAME}
            and response.get("Content-Type", "").startswith("text/html")
        ):
            content = CSRF_FIELD.sub(CSRF_SLOT, response.content)
            cache_set(key, content)
            if signature is not None:
                cache_set(signed_key, (signature, content))
    finally:
        if building:
            done_building(key)
    return response


def _served(request, content):
    """A kept page, with this visitor's own CSRF token in each of its forms."""
    token = get_token(request).encode()
    return HttpResponse(content.replace(CSRF_SLOT, CSRF_SLOT.replace(b"{token}", token)))


# One build per page at a time. Right after a save, every reader of a page renewed misses it at
# once, and each built it: on a busy site a dozen workers drew the same page side by side. The
# first to miss takes a short lock in the shared cache (``cache.add``: one succeeds) and builds;
# the others look for the page it stores, every POLL_SECONDS, as long as the lock is held and
# for at most WAIT_POLLS looks, then build it themselves. What they are served is the page
# stored under the key they asked for, which names the version they read: never an older page.
# The lock expires by itself (LOCK_SECONDS) should its holder die mid-build.
POLL_SECONDS = 0.02
WAIT_POLLS = 150  # 3 s: longer than most pages take to build under load
LOCK_SECONDS = 10


def _lock(key):
    return f"{key}:building"


def start_building(key):
    """True if this request is to build the page of ``key``: no one else is (or the cache
    cannot say, when it cannot be reached)."""
    if not cache_usable():
        return True
    try:
        return cache.add(_lock(key), 1, LOCK_SECONDS)
    except Exception:
        cache_failed()
        logger.warning("cache unavailable: building %s afresh", key, exc_info=True)
        return True


def done_building(key):
    if not cache_usable():
        return  # the lock, if it was taken, expires by itself
    try:
        cache.delete(_lock(key))
    except Exception:
        cache_failed()
        logger.warning("cache unavailable: lock of %s left to expire", key, exc_info=True)


def wait_for(key):
    """The page of ``key`` once whoever builds it has stored it; None if they stop without
    storing one (a page never cached: a 404, a message) or take longer than the wait."""
    lock = _lock(key)
    for _look in range(WAIT_POLLS):
        time.sleep(POLL_SECONDS)
        try:
            found = cache.get_many([key, lock])
        except Exception:
            cache_failed()
            return None
        if key in found:
            return found[key]
        if lock not in found:
            return None
    return None


def shared_page(view, sign=None):
    """A public page cached while the register stays as it was (``cached_page``); with
    ``sign(request, *args, **kwargs)``, also kept past saves that leave it as it was.

    For readers who are not staff (the public, officials, analysts): staff pages carry links to
    change what they may change, so they are always built afresh. Anonymous visitors share one
    copy; a signed-in reader has their own (see ``reader_key``).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_staff:
            return view(request, *args, **kwargs)
        return cached_page(
            request,
            [reader_key(request.user)],
            lambda: view(request, *args, **kwargs),
            sign=(lambda: sign(request, *args, **kwargs)) if sign is not None else None,
        )

    return wrapped


def shared_agreement_page(view):
    """``shared_page`` for the status page of agreement ``pk``: kept until that agreement, one of
    its chain or a shared table changes (``agreement_version``), not until anything does."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_staff:
            return view(request, *args, **kwargs)
        return cached_page(
            request,
            [reader_key(request.user)],
            lambda: view(request, *args, **kwargs),
            lambda: agreement_version(kwargs["pk"]),
        )

    return wrapped


# What a cached admin page may read besides the register's watched tables: who the reader is and
# what they may do, which its key names (``access.models.access_key``), and what never changes
# while the site runs (content types).
READER_TABLES = frozenset(
    {
        "django_session",
        "django_content_type",
        "auth_user",
        "auth_user_groups",
        "auth_user_user_permissions",
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "access_regionassignment",
    }
)


# PostgreSQL's own statistics, which a large table's admin list reads for its estimated count
# (``agreements.paging``): an estimate ANALYZE moves on by itself, shown as one.
ESTIMATE_TABLES = frozenset({"pg_class"})


def agreement_tables(using="default"):
    """The tables whose every change moves on the version of the agreements it names, and those
    whose every change moves on the shared tables' version (migration 0026): together, what an
    agreement's own pages may read (``agreement_version``)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT trigger_name, event_object_table "
                "FROM information_schema.triggers "
                "WHERE trigger_name IN ('coopdb_agreements_inserted', 'coopdb_agreements_updated', "
                "'coopdb_agreements_deleted', 'coopdb_shared_changed')"
            )
            rows = cursor.fetchall()
            own = {t for name, t in rows if name.startswith("coopdb_agreements_")}
            shared = {t for name, t in rows if name == "coopdb_shared_changed"} - own
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND (name LIKE 'coopdb_agreements_changed_%' "
                "OR name LIKE 'coopdb_shared_changed_%')"
            )
            rows = cursor.fetchall()
            own = {t for name, t in rows if name.startswith("coopdb_agreements_")}
            shared = {t for name, t in rows if name.startswith("coopdb_shared_")}
    return own, shared


def parties_tables(using="default"):
    """The tables whose every change moves the parties version on (migration 0073): what the
    filter lists kept under it may read (``parties_version``), besides the shared tables and the
    agreements' own visibility."""
    return _triggered_tables(using, "coopdb_parties_%", "coopdb_parties_changed_%")


def watched_tables(using="default"):
    """The tables whose every change moves the register version on: those with the database's
    trigger (migration 0006 and any that add a table to it)."""
    return _triggered_tables(using, "coopdb_register_changed", "coopdb_register_changed_%")


def _triggered_tables(using, postgresql_name, sqlite_name):
    """The tables with a trigger whose name is like ``postgresql_name`` on PostgreSQL, like
    ``sqlite_name`` on SQLite (which names each trigger apart, by its table and event)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE %s",
                [postgresql_name],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s",
                [sqlite_name],
            )
        return {row[0] for row in cursor.fetchall()}


class CachedAdminPages:
    """ModelAdmin mixin: a register model's list and change pages, cached for each member of staff
    while the register stays as it was (``cached_page``).

    Staff go back and forth between the same lists and records all day, and Django's admin takes
    about a tenth of a second to draw one however small the register. A cached page is the
    reader's own: its key holds everything the admin shows differently from one user to another
    (``access.models.access_key``), and the context a caller adds (the import link). A save
    moves the register on, so the page after it is built afresh; the one showing "saved" is
    never cached.

    Every table such a page reads must be watched (``watched_tables``), name the reader
    (``READER_TABLES``) or be the database's estimate (``ESTIMATE_TABLES``):
    ``tests/test_fresh_pages.py`` reads every cached admin's pages and fails on any other, so a
    new admin, column or filter reading a table no save would move the version on for cannot
    cache a page that goes stale.
    """

    # True where the model is the agreement: its change form is kept until that agreement, one of
    # its chain or a shared table changes (``agreement_version``), not until anything does.
    change_form_by_agreement = False

    def _cached(self, request, view, *args, version=register_version):
        return cached_page(
            request,
            ["admin", access_key(request.user), repr(args)],
            lambda: view(request, *args),
            version,
        )

    def changelist_view(self, request, extra_context=None):
        return self._cached(request, super().changelist_view, _sorted(extra_context))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._cached(
            request,
            super().change_view,
            object_id,
            form_url,
            _sorted(extra_context),
            version=(
                (lambda: agreement_version(object_id))
                if self.change_form_by_agreement
                else register_version
            ),
        )


def _sorted(context):
    """An extra context in a repeatable order, or None."""
    return None if context is None else dict(sorted(context.items()))
