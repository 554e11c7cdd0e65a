"""How many large downloads are made at once, across the site.

A download of the whole register keeps a worker's thread and a core busy for as long as it
streams: at 100,000 agreements the XLSX took 23 s and the JSON 9 s, and with two XLSX downloads
running a status page waited 31 s for a core (gunicorn runs a worker per core, two threads each:
``gunicorn.conf.py``). A download of more than ``settings.EXPORT_SLOT_ROWS`` agreements takes one
of ``settings.EXPORT_SLOTS`` slots, kept in the shared cache (``cache.add``: one request of all
the servers gets each), and gives it back when its response ends, however it ends (sent whole,
cut off by the reader, broken by an error: the server closes every response). A worker that dies
mid-download gives nothing back: its slot lapses ``HOLD_SECONDS`` after the download last sent
something, as the slot is renewed while it streams. When every slot is taken, a large download
answers 503 with ``Retry-After`` and says why; a smaller one is never held up.

The size is the selection's count (``agreements.caching.cached_count``): the whole register and a
region's, partner's, country's or sector's page are counted from the counts the database keeps,
and any other selection is the count its list page shows, kept until the register changes. If the
cache cannot be reached, downloads are not held back (as pages are then built afresh, never
refused).
"""

import contextlib
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from agreements.caching import cache_failed, cache_usable, cached_count

logger = logging.getLogger(__name__)

KEY = "export-slot"
# A slot lapses this long after its download last sent something (its worker died); while the
# download streams it is renewed every ``RENEW_SECONDS``.
HOLD_SECONDS = 60
RENEW_SECONDS = 10
# What a refused reader is told to wait, in seconds: about what a large download takes.
RETRY_AFTER = 60


class Slot:
    """One of the slots, held by this request until ``release``."""

    def __init__(self, key, token):
        self.key, self.token = key, token
        self.renewed = time.monotonic()

    def renew(self):
        now = time.monotonic()
        if now - self.renewed < RENEW_SECONDS:
            return
        self.renewed = now
        try:
            cache.touch(self.key, HOLD_SECONDS)
        except Exception:
            logger.warning("cache unavailable: export slot %s not renewed", self.key, exc_info=True)

    def release(self):
        if self.token is None:
            return
        token, self.token = self.token, None
        try:
            # Another request may hold it by now, if this one's lapsed: leave theirs alone.
            if cache.get(self.key) == token:
                cache.delete(self.key)
        except Exception:
            logger.warning(
                "cache unavailable: export slot %s left to lapse", self.key, exc_info=True
            )

    @contextlib.contextmanager
    def given_back_on_error(self):
        """Gives the slot back if the block fails (the download's first query, an outage)."""
        try:
            yield
        except BaseException:
            self.release()
            raise

    def holding(self, chunks):
        """``chunks``, the slot renewed as they are sent and given back when the server closes
        the response (``Held``)."""
        return Held(chunks, self)


class NoSlot(Slot):
    """What a small download holds: nothing."""

    def __init__(self):
        super().__init__(None, None)

    def renew(self):
        pass

    def holding(self, chunks):
        return chunks


class Held:
    """An iterator over a download's pieces with a ``close`` that gives its slot back: Django
    closes a streamed response's content when the server closes the response, whether it was
    sent whole or the reader went away."""

    def __init__(self, chunks, slot):
        self.chunks, self.slot = iter(chunks), slot

    def __iter__(self):
        return self

    def __next__(self):
        try:
            piece = next(self.chunks)
        except BaseException:
            self.slot.release()
            raise
        self.slot.renew()
        return piece

    def close(self):
        try:
            close = getattr(self.chunks, "close", None)
            if close is not None:
                close()
        finally:
            self.slot.release()


def is_large(agreements):
    return cached_count(agreements) > settings.EXPORT_SLOT_ROWS


def take(agreements):
    """A slot for downloading ``agreements`` (``NoSlot`` for a small download, or when the cache
    cannot say), or None when every slot is taken."""
    if settings.EXPORT_SLOTS == 0 or not is_large(agreements) or not cache_usable():
        return NoSlot()
    token = uuid.uuid4().hex
    for number in range(settings.EXPORT_SLOTS):
        key = f"{KEY}:{number}"
        try:
            if cache.add(key, token, HOLD_SECONDS):
                return Slot(key, token)
        except Exception:
            cache_failed()
            logger.warning("cache unavailable: large download not held back", exc_info=True)
            return NoSlot()
    return None


def busy():
    """The answer to a large download while every slot is taken."""
    message = _(
        "Server sedang membuat unduhan besar lain. Silakan coba lagi dalam satu menit, atau "
        "persempit filter hingga paling banyak %(rows)s kerja sama: unduhan sekecil itu dibuat "
        "segera."
    ) % {"rows": number_format(settings.EXPORT_SLOT_ROWS, force_grouping=True)}
    response = HttpResponse(message + "\n", status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    return response
