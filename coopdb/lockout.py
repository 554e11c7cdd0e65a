"""The login lock-out's two rules: one username from one address, and one address alone.

django-axes counts failures for each set of ``AXES_LOCKOUT_PARAMETERS`` but holds the largest
of those counts to a single ``AXES_FAILURE_LIMIT`` (a callable limit is given the request, not
the set it is for). Listing ``"ip_address"`` beside ``["username", "ip_address"]`` would
therefore lock a whole office behind one address out after five wrong passwords among its
staff, and a successful login (``AXES_RESET_ON_SUCCESS``) would delete every failure of that
address, the attacker's on other usernames included. So the pair stays axes' one parameter
set, with its limit and its reset, and this handler adds the address's own count, held to the
higher ``AXES_ADDRESS_FAILURE_LIMIT``: one address trying a password across many usernames
(password spraying) is stopped too, and nobody's success at that address clears it.

A pair counts towards its address no more than the pair's own limit: a clerk locked out who
keeps trying (the right password, the form sent again) extends their own lock-out, as axes
records each try, but spreads no password across usernames, and does not lock out every
colleague behind the office's one address.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F, Sum, Value
from django.db.models.functions import Least


class PairAndAddressHandler(AxesDatabaseHandler):
    def address_failures(self, request, credentials=None):
        """Failed logins from the request's address within the cool-off, whatever username,
        each username's counted up to the pair's limit."""
        limit = get_failure_limit(request, credentials)
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return (
            attempts.aggregate(failures=Sum(Least(F("failures_since_start"), Value(limit))))[
                "failures"
            ]
            or 0
        )

    def get_failures(self, request, credentials=None):
        """The pair's failures; at the pair's limit at least once the address reached its own.

        axes locks out at ``failures >= AXES_FAILURE_LIMIT``, both before checking a password
        and after recording a failure; the lock-out page reads ``request.address_failure_limit``
        to say that the address, not the username, is locked.
        """
        failures = super().get_failures(request, credentials)
        address_limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        if address_limit and self.address_failures(request, credentials) >= address_limit:
            request.address_failure_limit = address_limit
            return max(failures, get_failure_limit(request, credentials))
        return failures
