"""The cache production uses: Redis, shared by every worker (``settings.CACHES``, REDIS_URL),
and the statement limits every request runs under.

These run against a real Redis server (REDIS_URL, else the default port on this machine; CI
starts one in ``.ci/run``), under a key prefix of their own.
"""

import os
import re
import threading
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import caching
from agreements.caching import cached_page, make_key, page_key, register_version
from agreements.models import Agreement
from tests.factories import AgreementFactory

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


# As the browser tests do without Chromium: skipped where no Redis server runs; CI starts one
# (``.ci/run``) and refuses any skipped test.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis server answers at {REDIS_URL}"),
]
LIST = reverse("agreement-list")
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
NO_CACHE = "django.core.cache.backends.dummy.DummyCache"


def redis_cache(prefix, location=REDIS_URL):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def prefix():
    """A key prefix of this test's own; its keys are removed afterwards."""
    name = f"coopdb-test-{uuid.uuid4().hex}"
    yield name
    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{name}:*"))
    if keys:
        server.delete(*keys)


@pytest.fixture
def agreement(kaltim):
    return AgreementFactory(title="Beasiswa guru Kalimantan Timur", lead_region=kaltim)


def test_a_page_built_by_one_worker_is_served_by_another_from_redis(prefix, agreement):
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        assert "Beasiswa guru" in Client().get(LIST).content.decode()

        # The page is in the Redis server itself, where a worker that has just started (its
        # own connection, nothing in memory) finds it.
        stored = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*:coopdb:page:*"))
        assert stored
        fresh_worker = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
        # (The page under the register version, and the same page under its signature.)
        found = [fresh_worker.get(key.decode().split(":", 2)[2]) for key in stored]
        pages = [value if isinstance(value, bytes) else value[1] for value in found]
        assert all(b"Beasiswa guru Kalimantan Timur" in page for page in pages)

        # And serving it reads nothing but the register version.
        with CaptureQueriesContext(connection) as captured:
            page = Client().get(LIST).content.decode()
        assert len(captured) == 1
        assert "Beasiswa guru Kalimantan Timur" in page
    caches.close_all()


def test_a_save_shows_at_once_through_redis(prefix, agreement):
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        client = Client()
        client.get(LIST)

        Agreement.objects.filter(pk=agreement.pk).update(title="Beasiswa dosen Kalimantan Timur")

        page = client.get(LIST).content.decode()
        assert "Beasiswa dosen Kalimantan Timur" in page
        assert "Beasiswa guru Kalimantan Timur" not in page
    caches.close_all()


# -- one copy of each page --------------------------------------------------------------------


def kept_pages(prefix):
    """The keys of the pages kept in Redis under ``prefix``."""
    return set(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*:coopdb:page:*"))


def public_pages(agreement):
    return [
        reverse("dashboard"),
        LIST,
        f"{LIST}?status=signed",
        agreement.get_absolute_url(),
        reverse("region-detail", args=["64"]),
        reverse("change-log"),
    ]


def test_a_links_tracking_is_sent_to_the_page_without_it_keeping_no_copy(prefix, agreement):
    """``?utm_source=…`` and its kin ask for nothing: each of their values kept one more copy
    of the page, so anyone could fill the cache with copies of one page. They are sent on to
    the address without them, in one step, whatever else the address names."""
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        client = Client()
        for url in public_pages(agreement):
            assert client.get(url).status_code == 200, url
        kept = kept_pages(prefix)
        assert kept

        for url in public_pages(agreement):
            joined = "&" if "?" in url else "?"
            for n, tracking in enumerate(
                ["utm_source=buletin", "utm_campaign=x&fbclid=IwAR0", "gclid=1&msclkid=2"]
            ):
                response = client.get(f"{url}{joined}{tracking}&utm_content={n}")
                assert response.status_code == 302, url
                assert response["Location"] == url
        # An empty filter and a campaign's tracking are both left in one step.
        response = client.get(f"{LIST}?q=&status=signed&utm_medium=email")
        assert response["Location"] == f"{LIST}?status=signed"

        assert kept_pages(prefix) == kept
        page = client.get(LIST, {"utm_source": "buletin"}, follow=True)
        assert page.redirect_chain == [(LIST, 302)]
        html = page.content.decode()
        assert "Beasiswa guru Kalimantan Timur" in html
        assert "utm_" not in html  # no link of the page carries it on
    caches.close_all()


def test_a_links_tracking_keeps_no_second_copy_of_the_reports_pdf(prefix, agreement):
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        pdf = "/laporan/laporan.pdf?region=64&period=2024"
        assert Client().get(pdf)["Content-Type"] == "application/pdf"
        stored = set(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*"))

        response = Client().get(f"{pdf}&utm_source=buletin")

        assert response.status_code == 302
        assert response["Location"] == pdf
        assert set(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*")) == stored
    caches.close_all()


def test_a_page_is_kept_once_whatever_name_or_port_the_site_is_asked_at(prefix, agreement):
    """Each name and port the site answers to (``localhost:8000``, ``127.0.0.1:8000``, any port
    in a ``Host`` header) kept a copy of every page; the pages link by paths alone, so one copy
    serves them all, and is the page drawn at that name."""
    hosts = ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8001", "localhost.", "[::1]:9"]
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        drawn = {url: Client().get(url).content for url in public_pages(agreement)}
        kept = kept_pages(prefix)

        for host in hosts:
            for url in public_pages(agreement):
                with CaptureQueriesContext(connection) as captured:
                    response = Client().get(url, HTTP_HOST=host)
                assert response.status_code == 200, (host, url)
                assert len(captured) == 1, (host, url)  # the register version only
                assert TOKEN.sub(b"", response.content) == TOKEN.sub(b"", drawn[url])
        assert kept_pages(prefix) == kept
    caches.close_all()


@pytest.mark.parametrize("host", ["localhost:8000", "[::1]:9"])
def test_no_page_names_the_host_it_is_drawn_at(client, agreement, staff_client, host):
    """What lets one copy serve every name: a page drawn afresh at another host is the same."""
    pages = [(Client(), url) for url in public_pages(agreement)] + [
        (staff_client, reverse("admin:agreements_agreement_changelist")),
        (staff_client, reverse("admin:agreements_agreement_change", args=[agreement.pk])),
    ]
    with override_settings(CACHES={"default": {"BACKEND": NO_CACHE}}):
        for reader, url in pages:
            here = reader.get(url).content
            there = reader.get(url, HTTP_HOST=host).content
            assert TOKEN.sub(b"", there) == TOKEN.sub(b"", here), url
            assert host.encode() not in there


# -- one build per page at a time --------------------------------------------------------------

PAGE = b"<!DOCTYPE html><title>Kerja sama</title><p>Beasiswa guru Kalimantan Timur</p>"


def test_a_reader_missing_a_page_another_worker_is_building_is_served_its_page(
    prefix, agreement, monkeypatch
):
    """Right after a save every reader of a renewed page misses it at once; one builds it and
    the others are served the page it stores, under the key (the version) they asked for."""
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        request = RequestFactory().get(agreement.get_absolute_url())
        key = page_key(request, ["anonymous"], register_version())
        assert caching.start_building(key)  # another worker missed first and builds the page

        def builder_finishes(seconds):  # while this reader waits, the builder stores its page
            caching.cache_set(key, PAGE)
            caching.done_building(key)

        monkeypatch.setattr(caching.time, "sleep", builder_finishes)
        built = []
        response = cached_page(request, ["anonymous"], lambda: built.append(1))

        assert built == []
        assert response.content == PAGE
    caches.close_all()


def test_a_reader_builds_the_page_itself_when_the_builder_stores_none(
    prefix, agreement, monkeypatch
):
    """The builder's page was not one to keep (a 404, a message): the waiting readers build
    their own instead of waiting out the lock."""
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        request = RequestFactory().get(agreement.get_absolute_url())
        key = page_key(request, ["anonymous"], register_version())
        assert caching.start_building(key)
        monkeypatch.setattr(caching.time, "sleep", lambda seconds: caching.done_building(key))

        response = cached_page(request, ["anonymous"], lambda: HttpResponse(PAGE))

        assert response.content == PAGE
    caches.close_all()


def test_a_reader_never_waits_past_the_bound_for_a_builder_that_died(
    prefix, agreement, monkeypatch
):
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        request = RequestFactory().get(agreement.get_absolute_url())
        key = page_key(request, ["anonymous"], register_version())
        assert caching.start_building(key)  # and never stores anything nor lets go
        looks = []
        monkeypatch.setattr(caching.time, "sleep", looks.append)

        response = cached_page(request, ["anonymous"], lambda: HttpResponse(PAGE))

        assert response.content == PAGE
        assert len(looks) == caching.WAIT_POLLS
    caches.close_all()


def test_readers_missing_the_same_page_at_once_build_it_once(prefix):
    """Several workers' requests for a page no one has cached yet, through the real Redis."""
    with override_settings(CACHES=redis_cache(prefix)):
        caches.close_all()
        readers = 6
        together = threading.Barrier(readers)
        builds, pages = [], []

        def build():
            builds.append(1)
            time.sleep(0.2)  # long enough for the others to find it being built
            return HttpResponse(PAGE)

        def reader():
            request = RequestFactory().get("/agreements/1/")
            together.wait()
            response = cached_page(request, ["anonymous"], build, lambda: "one-version")
            pages.append(response.content)
            caches.close_all()

        threads = [threading.Thread(target=reader) for _ in range(readers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(builds) == 1
        assert pages == [PAGE] * readers
    caches.close_all()


def test_keys_name_the_database_they_were_built_from(agreement):
    """A database made again counts its versions from zero: its keys must still differ from
    those a shared cache holds for the one before (migration 0015)."""
    version = register_version()
    epoch, rest = version.split(".", 1)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE coopdb_register_epoch SET epoch = 'another-database'")
        try:
            assert register_version() == f"another-database.{rest}"
            assert make_key("page", register_version()) != make_key("page", version)
        finally:
            cursor.execute("UPDATE coopdb_register_epoch SET epoch = %s", [epoch])


def test_pages_are_served_while_redis_is_down(agreement):
    # Nothing listens on port 1: every cache read and write fails at once.
    with override_settings(CACHES=redis_cache("down", "redis://127.0.0.1:1/0")):
        caches.close_all()
        response = Client().get(LIST)
        assert response.status_code == 200
        assert "Beasiswa guru Kalimantan Timur" in response.content.decode()
    caches.close_all()


def test_every_statement_of_a_request_has_a_time_limit(client, agreement):
    if connection.vendor != "postgresql":
        # SQLite runs in the web process itself: nothing runs on once a request is gone.
        assert settings.STATEMENT_TIMEOUT > 0
        return
    client.get(LIST)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (limit,) = cursor.fetchone()
    assert limit == f"{settings.STATEMENT_TIMEOUT // 1000}s"


def test_a_page_whose_query_runs_too_long_answers_503_and_the_query_stops(client, agreement):
    if connection.vendor != "postgresql":
        assert settings.STATEMENT_TIMEOUT > 0
        return
    import psycopg2

    # Another session holds the agreements table, so the page's query waits on it, past the
    # limit (a short one here; the same mechanism as the configured one).
    blocker = psycopg2.connect(**connection.get_connection_params())
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE agreements_agreement IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 300")
        response = client.get(reverse("agreement-detail", args=[agreement.pk]))
    finally:
        blocker.rollback()
        blocker.close()
        connection.close()  # the next test starts with the configured limit
    assert response.status_code == 503
    assert "Silakan muat ulang" in response.content.decode()


def test_an_export_has_a_longer_limit_of_its_own(staff_client, agreement):
    if connection.vendor != "postgresql":
        assert settings.EXPORT_STATEMENT_TIMEOUT > settings.STATEMENT_TIMEOUT
        return
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(reverse("agreement-export", args=["csv"]))
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Beasiswa guru Kalimantan Timur" in body
    # Set once, for the export's own transaction only (``set_config``'s ``true``).
    limits = [q["sql"] for q in captured if "statement_timeout" in q["sql"]]
    assert len(limits) == 1
    assert (
        f"set_config('statement_timeout', '{settings.EXPORT_STATEMENT_TIMEOUT}', true)" in limits[0]
    )
    assert settings.EXPORT_STATEMENT_TIMEOUT > settings.STATEMENT_TIMEOUT


@pytest.mark.postgresql  # SQLite has no statement limit
def test_migrating_runs_without_the_statement_limit_and_keeps_it_after(db):
    """A migration that fills a column or rebuilds the kept counts reads every agreement: at
    national scale it stopped at the 15 s every connection starts with. The limit is lifted
    while migrating, and is the connection's own again afterwards."""
    from django.core.management import call_command
    from django.db.models.signals import pre_migrate

    seen = []

    def limit_now(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])

    # Heard after the project's own handler (connected first, at start-up).
    pre_migrate.connect(limit_now)
    try:
        call_command("migrate", verbosity=0)
    finally:
        pre_migrate.disconnect(limit_now)
    assert "0" in seen
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.STATEMENT_TIMEOUT // 1000}s"
