import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from common.outage import connection_errors

logger = logging.getLogger(__name__)


def database_reachable():
    """Whether a fresh connection to the default database can be opened."""
    try:
        connection.close()
        connection.ensure_connection()
    except DatabaseError:
        return False
    return True


def connection_failed():
    """Whether the request's own database connection failed: it could not be opened (refused,
    the server starting up or shutting down) or the server ended it. Then the database was
    unavailable when the request needed it, even if a new connection opens a moment later, as
    one does the instant a restarted server is ready."""
    if connection.connection is None:
        return True
    return bool(getattr(connection.connection, "closed", False))  # psycopg: ended by the server


# SQLSTATE of a statement stopped by statement_timeout (or cancelled).
QUERY_CANCELED = "57014"


class DatabaseUnavailableMiddleware:
    """Answer 503 with a styled page, not a traceback, when the database cannot be reached.

    The page is rendered without a request context: context processors might query the very
    database that is down.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, connection_errors()):
            return None
        if getattr(exception.__cause__, "pgcode", None) == QUERY_CANCELED:
            # A statement ran past the request's limit (``settings.STATEMENT_TIMEOUT``) and
            # PostgreSQL stopped it: the database is busy, not broken. Ask to come back.
            logger.error("statement timeout on %s: %s", request.path, exception)
            response = HttpResponse(render_to_string("503.html"), status=503)
            response["Retry-After"] = "30"
            return response
        if not connection_failed() and database_reachable():
            return None  # the server answers: a query problem, not an outage; let it be a 500
        logger.error("database unavailable: %s", exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


NUL = "\x00"


def _carries_nul(values):
    return any(NUL in key or any(NUL in value for value in items) for key, items in values.lists())


class RefuseNulMiddleware:
    """Answer 400 to a request whose address, query string or posted form holds a NUL byte.

    No value of the register holds one, and PostgreSQL refuses one in any string it is sent, so a
    NUL in a path segment, a filter, a search or a form field reaching a query would be a 500.
    Refused here once, before any view reads it. Uploads (multipart bodies) are left to their
    forms: reading them here would take the upload handlers away from the views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        posted = request.content_type == "application/x-www-form-urlencoded"
        if (
            NUL in request.path
            or _carries_nul(request.GET)
            or (request.method == "POST" and posted and _carries_nul(request.POST))
        ):
            message = _("Alamat atau isian memuat karakter NUL, yang tidak diterima.")
            return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
