"""Large downloads wait for one of a few slots across the site (``agreements.export_slots``),
kept in the shared cache the tests run on (Redis, ``REDIS_URL``): a download of more than
``EXPORT_SLOT_ROWS`` agreements while ``EXPORT_SLOTS`` others are being made answers 503."""

import time
import uuid

import pytest
from django.urls import reverse

from agreements import export_slots
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

LIST_EXPORT = reverse("agreement-export", args=["csv"])


@pytest.fixture(autouse=True)
def slots(settings, monkeypatch):
    """One slot, for downloads of more than two agreements, under keys of this test's own (the
    cache is shared with every other test run)."""
    settings.EXPORT_SLOTS = 1
    settings.EXPORT_SLOT_ROWS = 2
    monkeypatch.setattr(export_slots, "KEY", f"test-export-slot-{uuid.uuid4().hex}")


@pytest.fixture
def three(kaltim):
    """Three agreements of Kalimantan Timur, one more than a small download holds."""
    return [AgreementFactory(lead_region=kaltim, title=f"Kerja sama {n}") for n in range(3)]


def started(client, url):
    """A download under way: its response begun, not yet read to the end."""
    response = client.get(url)
    assert response.status_code == 200
    return response


def finish(response):
    """Read a download to its end, as the reader's program does; the server (here the test
    client) then closes it."""
    return b"".join(response.streaming_content)


def leave(response):
    """The reader goes away half way: the server closes the response unfinished."""
    next(iter(response.streaming_content))
    response.close()


def test_a_large_download_while_the_slots_are_taken_is_refused_with_a_reason(client, three):
    first = started(client, LIST_EXPORT)

    refused = client.get(reverse("agreement-export", args=["xlsx"]))

    assert refused.status_code == 503
    assert refused["Retry-After"] == str(export_slots.RETRY_AFTER)
    assert refused["Content-Type"].startswith("text/plain")
    message = refused.content.decode()
    assert "Server sedang membuat unduhan besar lain" in message
    assert "paling banyak 2 kerja sama" in message
    assert b"Kerja sama 2" in finish(first)


def test_the_slot_is_given_back_when_the_download_ends(client, three):
    finish(started(client, LIST_EXPORT))

    response = client.get(reverse("agreement-export", args=["json"]))

    assert response.status_code == 200
    assert b"Kerja sama 2" in finish(response)


# Committed: closing a response ends its request, which closes a database connection found
# inside a transaction (the test's own).
@pytest.mark.django_db(transaction=True)
def test_the_slot_is_given_back_when_the_reader_leaves_half_way(client, three):
    leave(started(client, LIST_EXPORT))

    assert client.get(LIST_EXPORT).status_code == 200


def test_a_small_download_is_never_held_up(client, kaltim, three):
    first = started(client, LIST_EXPORT)
    region = reverse("region-export", args=[kaltim.code, "csv"])

    # One of the three: a selection no larger than EXPORT_SLOT_ROWS.
    small = client.get(LIST_EXPORT, {"q": "Kerja sama 1"})
    assert small.status_code == 200
    assert client.get(region, {"q": "Kerja sama 1"}).status_code == 200
    assert client.get(region).status_code == 503
    finish(first)


def test_as_many_large_downloads_as_slots_are_made_at_once(client, settings, three):
    settings.EXPORT_SLOTS = 2
    first, second = started(client, LIST_EXPORT), started(client, LIST_EXPORT)

    assert client.get(LIST_EXPORT).status_code == 503
    finish(first)
    assert client.get(LIST_EXPORT).status_code == 200
    finish(second)


def test_no_limit_when_the_setting_is_zero(client, settings, three):
    settings.EXPORT_SLOTS = 0
    downloads = [started(client, LIST_EXPORT) for _ in range(3)]

    assert all(b"Kerja sama 2" in finish(response) for response in downloads)


def test_a_slot_whose_worker_died_lapses(client, three, monkeypatch):
    monkeypatch.setattr(export_slots, "HOLD_SECONDS", 1)
    # A download whose worker died: never read on, never closed.
    started(client, LIST_EXPORT)
    assert client.get(LIST_EXPORT).status_code == 503

    time.sleep(1.5)

    assert client.get(LIST_EXPORT).status_code == 200
