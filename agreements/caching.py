"""Keeping what the register shows for as long as the register does not change.

Every key carries the register version: a number the database moves on in the same transaction
as any change to the register's tables (migration 0006, triggers). Each request reads it (one
query), so a page or count cached by one server process is never used once anything changed,
in that process or any other: stale entries are simply never asked for again, and the cache
culls them. What is cached also depends on who reads (the public sees fewer agreements than
officials do), the day (a status follows the dates), the language, and the address.

Nothing is cached inside a transaction: a page built there may show the transaction's own,
uncommitted changes under a version number that a rollback hands back to someone else.
"""

import hashlib
import re
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language

# Long enough to outlive a quiet day's browsing; old versions' entries are culled before that.
TIMEOUT = 60 * 60 * 6

# The one part of a shared page that differs per visitor: the CSRF token of the language form.
# Quotes in anything a user typed are escaped, so this markup can only come from the template.
# Pages are kept as the bytes sent, so that serving one copies it once and encodes nothing.
CSRF_FIELD = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
CSRF_SLOT = b'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'


def register_version():
    """The register's current version (one query), or None where nothing may be cached."""
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(changes), 0) FROM coopdb_register_version")
        return cursor.fetchone()[0]


def reader_class(user):
    """``"internal"`` or ``"public"``: what ``Agreement.objects.visible_to(user)`` lets them see.

    Read from the visibility rule itself (it filters nothing for an internal reader), so the
    cache can never disagree with the one rule every page uses.
    """
    from agreements.models import Agreement

    return "public" if Agreement.objects.visible_to(user).query.has_filters() else "internal"


def reader_key(user):
    """Whose page it is: one shared page for every anonymous visitor; a signed-in reader's own
    (the page greets them by name), which also records what they may see."""
    if not user.is_authenticated:
        return "anonymous"
    return f"{reader_class(user)}:{user.pk}:{user.get_username()}"


def make_key(kind, *parts):
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"coopdb:{kind}:{digest}"


def cached_value(kind, parts, compute):
    """``compute()``, cached under ``parts`` and the register version (uncached in a
    transaction). ``parts`` must name everything the value depends on besides the register."""
    version = register_version()
    if version is None:
        return compute()
    key = make_key(kind, version, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def cached_count(queryset):
    """``queryset.count()``, cached under its own SQL (which names the reader's visibility, the
    filters and today's date wherever they matter) and the register version."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # ``none()``, or a filter nothing can match: no query to run
        return 0
    return cached_value("count", [queryset.db, sql, repr(params)], queryset.count)


class CachedCountPaginator(Paginator):
    """A paginator whose count, a pass over every matching agreement, is kept until the
    register changes: paging through a selection or re-sorting it counts it once."""

    @cached_property
    def count(self):
        return cached_count(self.object_list)


def shared_page(view):
    """Serve the view's page from the cache while the register stays as it was.

    For readers who are not staff (the public, officials, analysts): staff pages carry links to
    change what they may change, so they are always built afresh. Anonymous visitors share one
    copy; a signed-in reader has their own (see ``reader_key``). Only a complete 200 HTML page
    is kept, never one showing a message meant for one visitor. A page comes back from the cache
    with this visitor's own CSRF token in its language form.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_staff:
            return view(request, *args, **kwargs)
        if len(get_messages(request)):
            return view(request, *args, **kwargs)
        version = register_version()
        if version is None:
            return view(request, *args, **kwargs)
        key = make_key(
            "page",
            version,
            timezone.localdate().isoformat(),
            get_language(),
            reader_key(request.user),
            request.scheme,
            request.get_host(),
            request.get_full_path(),
        )
        content = cache.get(key)
        if content is not None:
            token = get_token(request).encode()
            return HttpResponse(content.replace(CSRF_SLOT, CSRF_SLOT.replace(b"{token}", token)))
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
        ):
            cache.set(key, CSRF_FIELD.sub(CSRF_SLOT, response.content), TIMEOUT)
        return response

    return wrapped
