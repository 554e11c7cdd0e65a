"""Times in the reader's own zone: WIB, WITA or WIT (``access.models.time_zone_for``).

The zone is worked out when a user logs in and kept in their session, so a page costs no query
for it; changing it (``access.views.set_time_zone``) updates the session too.
"""

import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError
from django.dispatch import receiver
from django.utils import timezone

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
