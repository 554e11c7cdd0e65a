"""Addresses that are only read: a page, a download, a feed, a calendar, the sitemap."""

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


def read_only(view):
    """``view`` read with GET or HEAD, any other method refused (405, naming them), OPTIONS too.

    The CSRF check ran first: a script's PUT or DELETE, which carries no token, was answered
    "403 CSRF verification failed", as though a token were all it lacked. Nothing here is
    changed by any method, so there is nothing for the check to guard.
    """
    return csrf_exempt(require_safe(view))


def read_only_patterns(patterns):
    """``patterns`` with the view of each address ``read_only`` (an ``include`` left as it
    is: its own patterns say)."""
    for pattern in patterns:
        if hasattr(pattern, "callback"):
            pattern.callback = read_only(pattern.callback)
    return patterns
