"""Streamed downloads that meet a database outage the way pages do.

A page that cannot reach the database answers the styled 503 (``coopdb.middleware``). A
streamed download has only two moments to fail in: before its response starts, where it can
still be that 503, and after, where its status has been sent. ``started`` moves the first
database work of a download before the response starts, and ``read_ahead`` all of it for a
small download; ``reset_on_outage`` ends one the database drops later as a broken transfer,
never as a shorter file that looks whole.
"""

import errno
import itertools
import logging

from django.db import DEFAULT_DB_ALIAS, connections

from common.outage import connection_errors

logger = logging.getLogger(__name__)


def started(items):
    """``items`` (an iterator) with its first item already taken, so whatever it does first
    (open its cursor, run its query) is done by the time this returns."""
    items = iter(items)
    try:
        first = next(items)
    except StopIteration:
        return iter(())
    return itertools.chain([first], items)


# How much of a download is written before its response starts: one that fits has done all its
# database work by then, so an outage can only make it the styled 503; a longer one streams on.
READ_AHEAD = 1 << 20


def read_ahead(pieces, limit=READ_AHEAD):
    """``pieces`` with as many already taken as fill ``limit`` characters or bytes.

    ``started`` opens a download's first query; its later ones (the parties of the next rows,
    the other tables of a workbook) run as it is sent. Reading ahead runs them all for a
    download of up to ``limit``, so a small file is whole or the 503, never cut short.
    """
    pieces = iter(pieces)
    taken, size = [], 0
    for piece in pieces:
        taken.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return itertools.chain(taken, pieces)


def reset_on_outage(chunks, using=DEFAULT_DB_ALIAS):
    """The pieces of a download being sent; if the database connection fails before the last,
    the connection is dropped (the next request opens a new one) and the download ends with a
    reset of the reader's connection.

    A reset is what gunicorn and Django's development server end a response with, without the
    closing chunk and without a traceback: the reader's program reports an unfinished download.
    An exception of any other kind would be logged as a server error with its traceback.
    """
    try:
        yield from chunks
    except connection_errors(using) as error:
        connections[using].close()
        logger.error("download cut short, the database connection failed: %s", error)
        raise ConnectionResetError(errno.ECONNRESET, "the database connection failed") from None
