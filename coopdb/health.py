"""Liveness and readiness for load balancers and monitoring."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe  # GET, and HEAD, which some load balancers poll with
def health(request):
    """200 when the database answers, 503 when it does not.

    The check runs a trivial query on the default connection; nothing else (no cache, no
    session) is touched, so the endpoint is cheap enough to poll every few seconds.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure to reach the database means "not ready"
        return JsonResponse({"status": "unavailable", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
