"""Times in the reader's own zone: WIB, WITA or WIT (``access.models.time_zone_for``).

The zone is worked out when a user logs in and kept in their session, so a page costs no query
for it; changing it (``access.views.set_time_zone``) updates the session too.
"""

import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError
from django.dispatch import receiver
from django.utils import timezone
from django.utils.cache import patch_cache_control

from access.models import TimeZone, time_zone_for

SESSION_KEY = "coopdb_time_zone"


@receiver(user_logged_in)
def remember_time_zone(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = time_zone_for(user)


class UserTimeZoneMiddleware:
    """Activate the session's time zone, if it holds one of Indonesia's three."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            zone = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        except DatabaseError:
            # The session cannot be read while the database is down; the view meets the same
            # outage and coopdb.middleware answers it with the styled 503 page.
            zone = None
        if zone in TimeZone.values:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PrivatePagesMiddleware:
    """A page built for a signed-in reader is theirs: ``Cache-Control: private``, so that no
    shared cache between the register and its readers (an office's proxy) keeps it for anyone
    else. Such pages may hold internal records, budgets and contacts. A page that says how it
    may be kept already (the admin's ``no-cache``, a download's) is left as it says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and self._signed_in(request):
            patch_cache_control(response, private=True)
        return response

    @staticmethod
    def _signed_in(request):
        try:
            return request.user.is_authenticated
        except (AttributeError, DatabaseError):
            # No user, or a session that cannot be read while the database is down (the page
            # is then the 503 page, which holds nothing of anyone's).
            return False
