import copy
import datetime
import graphlib
import io
import os
import shutil

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.utils import timezone, translation

from agreements import caching
from tests.factories import (
    AgreementFactory,
    MilestoneFactory,
    ProvinceFactory,
    RegencyFactory,
    build_register,
)
from tests.helpers import written_once_per_module

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_collectstatic():
    """Static files straight from static/, as on a laptop, whatever DEBUG says.

    Production's hashed-name storage needs ``collectstatic`` to have run, and WhiteNoise warns
    (an error here) when STATIC_ROOT does not exist yet. Session-wide, so the live server of the
    browser tests starts with it too.
    """
    with override_settings(
        STORAGES={
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_AUTOREFRESH=True,
        WHITENOISE_USE_FINDERS=True,
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _passwords_hashed_quickly():
    """Test users' passwords hashed with a fast hasher, as Django's testing docs advise.

    The default hasher spends a third of a second on each password by design; the suite makes a
    user with a password in most tests, so that alone was a large part of its time. What a
    password is checked against (validators, logins, lockouts) does not depend on the hasher.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _committed_rows_deleted_not_truncated():
    """After a test that commits its rows (``transaction=True``), its tables are emptied by
    DELETE in one transaction, on PostgreSQL, rather than by Django's TRUNCATE.

    TRUNCATE gives each of the register's tables and indexes (over 300) new files, which took
    two seconds after every such test, a third of the PostgreSQL pass; deleting the few rows a
    test wrote takes milliseconds. A table is emptied before those its rows refer to: the
    triggers count each deletion as any other, reading the rows it refers to (a party row's
    region), which must still be there. The counts they bring to zero are dropped, as the
    rebuild TRUNCATE's trigger runs would leave none (``agreements_tally_rebuild``). Sequences
    go on counting, as after TRUNCATE.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def referring_first(operations, tables):
        """``tables``, each before every table its required foreign keys refer to (Django
        lists them in no set order). One that may be empty (an agreement's next step) is left
        out: it would close a circle (the step's agreement)."""
        with operations.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text "
                "FROM pg_constraint c JOIN pg_attribute a "
                "ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
                "WHERE c.contype = 'f' AND c.conrelid <> c.confrelid AND a.attnotnull"
            )
            references = cursor.fetchall()
        order = graphlib.TopologicalSorter(dict.fromkeys(sorted(tables), ()))
        for referring, referred in references:
            order.add(referred.strip('"'), referring.strip('"'))
        listed = set(tables)
        return [table for table in order.static_order() if table in listed]

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            *(f"DELETE FROM {self.quote_name(table)}" for table in referring_first(self, tables)),
            "DELETE FROM agreements_tally WHERE n = 0",
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in English leaves English active in its thread; no later test inherits it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _cache_asked_afresh():
    """A cache a test made fail is not left alone by the tests after it
    (``agreements.caching.cache_failed``)."""
    yield
    caching._cache_down_until = 0.0


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throw-away folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


# -- rows written once for many tests -------------------------------------------------------------


@pytest.fixture
def register(db):
    """The records of ``build_register()``, written for the test."""
    return build_register()


_register_of_the_module = written_once_per_module(build_register)


@pytest.fixture
def register_kept_for_the_module(_register_of_the_module, db):
    """The records of ``build_register()``, written once for the module: a test's own changes
    to the rows are rolled back after it, and it gets copies of the objects to change freely.

    A module opts in by taking it as its ``register``; then every test of the module finds
    these rows, asked for or not, so none may expect an empty register.
    """
    return copy.deepcopy(_register_of_the_module)


@pytest.fixture
def kaltim(db):
    return ProvinceFactory(code="64", name="Kalimantan Timur")


@pytest.fixture
def samarinda(kaltim):
    return RegencyFactory(code="64.72", name="Kota Samarinda", level="city", province=kaltim)


@pytest.fixture
def bali(db):
    return ProvinceFactory(code="51", name="Bali")


@pytest.fixture
def staff_user(django_user_model):
    """A bureau administrator: staff with every permission."""
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.invalid", password="a-long-test-password"
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


# -- the named users of the roles (access.models) ------------------------------------------------


@pytest.fixture
def roles(db):
    """The four role groups with their permissions, as ``manage.py setup_roles`` makes them."""
    from django.core.management import call_command

    call_command("setup_roles", stdout=io.StringIO())


def _role_user(django_user_model, username, role, *, is_staff, regions=()):
    from django.contrib.auth.models import Group

    from access.models import RegionAssignment

    user = django_user_model.objects.create_user(
        username=username, password="a-long-test-password", is_staff=is_staff
    )
    user.groups.add(Group.objects.get(name=role))
    for region in regions:
        RegionAssignment.objects.create(user=user, region=region)
    return user


@pytest.fixture
def editor_kaltim(roles, django_user_model, kaltim):
    """Bureau staff of Kalimantan Timur: edits the province's agreements and its cities'."""
    return _role_user(django_user_model, "editor.kaltim", "Editor", is_staff=True, regions=[kaltim])


@pytest.fixture
def editor_bali(roles, django_user_model, bali):
    return _role_user(django_user_model, "editor.bali", "Editor", is_staff=True, regions=[bali])


@pytest.fixture
def official(roles, django_user_model):
    """An official (Pejabat) who also reads the admin: sees internal records, changes nothing."""
    return _role_user(django_user_model, "pejabat.sekda", "Pejabat", is_staff=True)


@pytest.fixture
def analyst(roles, django_user_model):
    """An analyst (Analis), not bureau staff: logs in on the site, exports internal records."""
    return _role_user(django_user_model, "analis.bappeda", "Analis", is_staff=False)


# -- real browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright.

    Skips where no Chromium is installed, except in CI (``CI`` set), which installs it and must
    fail rather than skip.
    """
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} does not exist")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses database access
    # from a thread with a running loop unless told it is safe, which it is here: one thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


# -- tests that only mean something on PostgreSQL -------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """On SQLite, leave out the tests marked ``postgresql``, saying so: they test row locks, a
    restore or COPY, which SQLite has not. Deselected rather than skipped, so CI's no-skip rule
    still holds; ``.ci/run`` checks that its PostgreSQL pass ran them."""
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    left_out = [item for item in items if item.get_closest_marker("postgresql")]
    if not left_out:
        return
    config.hook.pytest_deselected(items=left_out)
    items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"{len(left_out)} PostgreSQL-only test(s) deselected: the database is not PostgreSQL"
        )


@pytest.fixture
def kemlu_step(kaltim):
    """A sister-province text whose drafting waits on the Foreign Ministry, following an LoI."""
    loi = AgreementFactory(
        title="LoI",
        kind="loi",
        scope="ksdpl",
        status="signed",
        lead_region=kaltim,
        in_force_from=None,
        expires_on=None,
    )
    text = AgreementFactory(
        title="Provinsi kembar",
        kind="sister_province",
        scope="ksdpl",
        status="preparation",
        lead_region=kaltim,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        follows=loi,
        relation="implements",
    )
    step = MilestoneFactory(
        agreement=text,
        kind="drafting",
        title="Finalisasi",
        due_on=timezone.localdate() - datetime.timedelta(3),
        waits_on="kemlu",
    )
    return loi, text, step
