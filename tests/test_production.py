"""Running for real: login lock-out, the security headers, the health check and the styled 503
page while the database is down, static files served by the app, and settings that pass
``check --deploy`` with the variables docs/deploying.md documents."""

import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connections
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from common.streaming import reset_on_outage
from coopdb.middleware import DatabaseUnavailableMiddleware
from tests.factories import AgreementFactory, DocumentFactory, MilestoneFactory
from tests.helpers import pdf_text

BASE_DIR = Path(__file__).resolve().parent.parent
ADMIN_LOGIN = reverse("admin:login")
SITE_LOGIN = reverse("login")
PASSWORD = "a-long-test-password"  # the conftest staff user's

# What docs/deploying.md tells an operator to set, with a fresh random secret key.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "kerjasama.example.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://kerjasama.example.go.id",
    "HTTPS": "true",
    "TRUSTED_PROXY_COUNT": "1",
}


def run_with_env(env, *args):
    """Run ``python`` with ``args`` in a fresh process whose settings come from ``env`` alone.

    Nothing else of this process's environment is passed on (the browser tests set variables a
    deployment must not have), except what finds programs and the database under test.
    """
    passed_on = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={
            **{name: value for name, value in os.environ.items() if name in passed_on},
            "DJANGO_SETTINGS_MODULE": "coopdb.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(env, *names):
    """The values of settings ``names`` as a process started with ``env`` sees them."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    result = run_with_env(env, "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {
        parts[0]: parts[1:]
        for parts in (directive.split() for directive in header.split(";"))
        if parts
    }


@contextmanager
def database_unreachable(tmp_path):
    """The default database cannot be reached for the duration, the way an outage looks.

    The app's connection is swapped for one pointing where no database answers (a closed port
    on PostgreSQL, a folder that does not exist for SQLite); the real driver fails to connect.
    The shared server is never touched, and the test's own connection, with its transaction,
    comes back unchanged afterwards.
    """
    original = connections["default"]
    params = {**original.settings_dict}
    if original.vendor == "sqlite":
        params["NAME"] = str(tmp_path / "no-such-folder" / "coopdb.sqlite3")
    else:
        params.update(HOST="127.0.0.1", PORT="1")
    unreachable = original.__class__(params, alias="default")
    connections["default"] = unreachable
    try:
        yield
    finally:
        unreachable.close()
        connections["default"] = original


# -- login lock-out ----------------------------------------------------------------------------


def fail_to_log_in(client, url, times, username="admin", **extra):
    responses = [
        client.post(url, {"username": username, "password": "wrong-guess"}, **extra)
        for _ in range(times)
    ]
    return responses[-1]


def is_locked_out_page(response):
    content = response.content.decode()
    return response.status_code == 429 and "Terlalu banyak percobaan masuk yang gagal" in content


@pytest.mark.django_db
@pytest.mark.parametrize("login_url", [ADMIN_LOGIN, SITE_LOGIN], ids=["admin", "site"])
def test_fifth_wrong_password_locks_the_account_out_and_the_right_one_is_then_refused(
    client, staff_user, login_url
):
    fourth = fail_to_log_in(client, login_url, 4)
    assert fourth.status_code == 200  # the form again, with the usual wrong-password message

    fifth = fail_to_log_in(client, login_url, 1)
    assert is_locked_out_page(fifth)
    assert "30 menit" in fifth.content.decode()

    right = client.post(login_url, {"username": "admin", "password": PASSWORD})
    assert is_locked_out_page(right)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to log in


@pytest.mark.django_db
@pytest.mark.parametrize("login_url", [ADMIN_LOGIN, SITE_LOGIN], ids=["admin", "site"])
def test_a_wrong_password_is_said_once_and_an_overlong_name_is_refused_by_the_form(
    client, staff_user, login_url
):
    """Django's Indonesian message doubled its words ("nama pengguna nama pengguna"); a user
    name longer than any account's reached the lock-out's record and failed in the database
    (a 500 on PostgreSQL)."""
    wrong = fail_to_log_in(client, login_url, 1)
    assert wrong.status_code == 200
    page = wrong.content.decode()
    assert "Nama pengguna atau kata sandi salah" in page
    assert "nama pengguna nama pengguna" not in page.lower()

    overlong = fail_to_log_in(client, login_url, 1, username="u" * 300)
    assert overlong.status_code == 200
    assert "paling banyak 150 karakter" in overlong.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="uuu").exists()


@pytest.mark.django_db
def test_locked_out_account_can_log_in_again_after_thirty_minutes(client, staff_user):
    fail_to_log_in(client, ADMIN_LOGIN, 5)
    attempt = AccessAttempt.objects.get(username="admin")
    attempt.attempt_time -= timedelta(minutes=31)  # the clock moves on
    attempt.save()

    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_user.pk)


@pytest.mark.django_db
def test_lock_out_of_one_account_does_not_lock_out_a_colleague_at_the_same_address(
    client, staff_user, django_user_model
):
    django_user_model.objects.create_user(username="siti", password=PASSWORD, is_staff=True)
    fail_to_log_in(client, ADMIN_LOGIN, 5)

    response = client.post(ADMIN_LOGIN, {"username": "siti", "password": PASSWORD})

    assert response.status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_lock_out_follows_the_client_address_the_proxy_forwarded(
    client, staff_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    colleague = {"HTTP_X_FORWARDED_FOR": "10.1.2.3"}  # same proxy, so the same REMOTE_ADDR
    assert is_locked_out_page(fail_to_log_in(client, ADMIN_LOGIN, 5, **attacker))

    response = Client().post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD}, **colleague)

    assert response.status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_address_does_not_escape_the_lock_out(client, staff_user, settings):
    """Only the last entry, the one our proxy appended, counts; anything before it was sent by
    the client and changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    for forged in range(5):
        client.post(
            ADMIN_LOGIN,
            {"username": "admin", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{forged}, 203.0.113.66",
        )

    response = client.post(
        ADMIN_LOGIN,
        {"username": "admin", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.66",
    )

    assert is_locked_out_page(response)


@pytest.mark.django_db
def test_a_forged_forwarded_address_sent_straight_to_the_app_does_not_escape_the_lock_out(
    staff_user, settings
):
    """Someone who reaches gunicorn directly, not through the proxy, is known by their own
    address: a different X-Forwarded-For on every try changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    outsider = Client(REMOTE_ADDR="198.51.100.7")
    for forged in range(5):
        outsider.post(
            ADMIN_LOGIN,
            {"username": "admin", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{forged}",
        )

    response = outsider.post(
        ADMIN_LOGIN,
        {"username": "admin", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    assert is_locked_out_page(response)


def spray(client, url, usernames, **extra):
    """One wrong password tried once for each of ``usernames``, from one address."""
    return [
        client.post(url, {"username": name, "password": "Musim-Hujan-2026"}, **extra)
        for name in usernames
    ][-1]


@pytest.mark.django_db
@pytest.mark.parametrize("login_url", [ADMIN_LOGIN, SITE_LOGIN], ids=["admin", "site"])
def test_one_address_trying_a_password_across_many_usernames_is_locked_out(
    client, staff_user, settings, login_url
):
    """Password spraying: never twice the same username, so the pair's limit is never met;
    the address's own, higher limit stops it, on either login, and says so."""
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    before_the_limit = spray(client, login_url, [f"pegawai{n}" for n in range(limit - 1)])
    assert before_the_limit.status_code == 200  # the form again

    at_the_limit = spray(client, login_url, ["pegawai-terakhir"])
    assert is_locked_out_page(at_the_limit)
    page = at_the_limit.content.decode()
    said = f"Setelah {limit} kali gagal masuk dari alamat Anda, dengan nama pengguna apa pun"
    assert said in page
    assert "30 menit" in page

    right = client.post(login_url, {"username": "admin", "password": PASSWORD})
    assert is_locked_out_page(right)
    assert "_auth_user_id" not in client.session

    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    response = elsewhere.post(login_url, {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302  # the username itself is not locked


@pytest.mark.django_db
def test_a_login_that_succeeds_does_not_clear_the_address_count(
    client, staff_user, settings, django_user_model
):
    """Whoever sprays with one account of their own cannot log into it now and then to start
    the count again; a colleague's success does not either."""
    django_user_model.objects.create_user(username="siti", password=PASSWORD)
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    spray(client, SITE_LOGIN, [f"pegawai{n}" for n in range(limit - 1)])
    assert Client().post(SITE_LOGIN, {"username": "siti", "password": PASSWORD}).status_code == 302

    assert is_locked_out_page(spray(client, SITE_LOGIN, ["pegawai-terakhir"]))


@pytest.mark.django_db
def test_an_office_behind_one_address_is_not_locked_out_by_a_few_typos_each(
    staff_user, settings, django_user_model
):
    """The address's limit is well above the pair's: a handful of colleagues mistyping their
    passwords a few times each lock out none of them."""
    office = Client(REMOTE_ADDR="10.9.8.7")
    colleagues = [f"staf{n}" for n in range(5)]
    for name in colleagues:
        django_user_model.objects.create_user(username=name, password=PASSWORD)
        fail_to_log_in(office, SITE_LOGIN, settings.AXES_FAILURE_LIMIT - 1, username=name)

    for name in colleagues:
        response = Client(REMOTE_ADDR="10.9.8.7").post(
            SITE_LOGIN, {"username": name, "password": PASSWORD}
        )
        assert response.status_code == 302, name


@pytest.mark.django_db
def test_a_clerk_trying_again_and_again_while_locked_out_does_not_lock_the_office_out(
    staff_user, settings, django_user_model
):
    """A clerk locked out after five typos who keeps trying (the right password too, or the
    form sent again) is refused each time, and each try extends their own lock-out; it is no
    failure on another username, so the address's count, which stops password spraying, does
    not grow by it: the colleagues behind the same address still log in."""
    django_user_model.objects.create_user(username="siti", password=PASSWORD)
    clerk = Client(REMOTE_ADDR="10.9.8.7")
    assert is_locked_out_page(
        fail_to_log_in(clerk, SITE_LOGIN, settings.AXES_FAILURE_LIMIT, username="siti")
    )
    for _ in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        still = clerk.post(SITE_LOGIN, {"username": "siti", "password": PASSWORD})
        assert is_locked_out_page(still)
        assert "dengan nama pengguna apa pun" not in still.content.decode()

    colleague = Client(REMOTE_ADDR="10.9.8.7")
    response = colleague.post(SITE_LOGIN, {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_cannot_set_a_short_common_or_numeric_password(staff_client, staff_user):
    change_password = reverse("admin:auth_user_password_change", args=[staff_user.pk])
    for weak in ["kopi", "password123", "20240315"]:
        response = staff_client.post(
            change_password, {"password1": weak, "password2": weak, "usable_password": "true"}
        )

        assert response.status_code == 200, weak  # the form again, with the reason
        assert response.context["form"].errors["password2"], weak
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)


# -- security headers --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/agreements/", "agreement", ADMIN_LOGIN, SITE_LOGIN, "/no-such-page/"]
)
def test_every_page_carries_a_content_security_policy_without_inline_script(client, url):
    if url == "agreement":
        url = reverse("agreement-detail", args=[AgreementFactory().pk])

    response = client.get(url)

    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", ADMIN_LOGIN])
def test_pages_refuse_to_be_framed_and_to_be_sniffed(client, url):
    response = client.get(url)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(client, staff_client):
    """What the policy would block must not be there in the first place."""
    agreement = AgreementFactory()
    pages = [
        client.get("/"),
        client.get("/agreements/"),
        client.get(reverse("agreement-detail", args=[agreement.pk])),
        staff_client.get(reverse("admin:agreements_agreement_changelist")),
        staff_client.get(reverse("admin:agreements_agreement_change", args=[agreement.pk])),
    ]
    for response in pages:
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), response.wsgi_request.path
        assert "<style" not in html, response.wsgi_request.path
        assert not re.search(r"\sstyle=", html), response.wsgi_request.path
        assert not re.search(r"\son[a-z]+=", html), response.wsgi_request.path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_site_and_admin_pages_run_in_chromium_without_a_policy_violation(
    page, live_server, staff_user, kaltim
):
    """The policy is only as good as the pages that live under it: open them in a real browser,
    use the admin's scripted widgets, and listen for anything the browser refused."""
    agreement = AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui")
    MilestoneFactory(agreement=agreement)
    DocumentFactory(agreement=agreement)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', event => console.error("
        "'Content Security Policy violation: ' + event.violatedDirective + ' ' + event.blockedURI"
        "))"
    )

    def visit(path):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")

    for path in ["/", "/agreements/", agreement.get_absolute_url(), SITE_LOGIN, ADMIN_LOGIN]:
        visit(path)
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state("networkidle")
    for name in ["agreement", "document", "milestone", "partner", "region"]:
        app = "partners" if name in {"partner", "region"} else "agreements"
        visit(reverse(f"admin:{app}_{name}_changelist"))
        visit(reverse(f"admin:{app}_{name}_add"))
    visit(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
    page.locator(".select2-selection").first.click()  # the autocomplete widget
    page.keyboard.type("Kal")
    page.wait_for_timeout(500)
    page.keyboard.press("Escape")
    page.locator(".add-row a").first.click()  # a new inline row
    page.locator(".datetimeshortcuts a:visible").nth(1).click()  # the calendar
    visit(reverse("admin:agreements_agreement_history", args=[agreement.pk]))
    visit(reverse("admin:agreements_agreement_import"))

    assert refused == []


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SECURE",
    ]
    production = settings_under(PRODUCTION_ENV, *names)
    local = settings_under({}, *names)

    assert production == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
    }
    # A first look over plain http://127.0.0.1 must still be able to log in.
    assert local["SESSION_COOKIE_SECURE"] is False
    assert local["SECURE_SSL_REDIRECT"] is False


@pytest.mark.django_db
def test_over_https_behind_the_proxy_plain_http_is_redirected_but_the_health_check_is_not(
    client, settings
):
    production = settings_under(
        PRODUCTION_ENV,
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_REDIRECT_EXEMPT",
    )
    for name, value in production.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)

    plain = client.get("/agreements/")
    secure = client.get("/agreements/", headers={"X-Forwarded-Proto": "https"})
    health = client.get("/health/")

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/agreements/"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert health.status_code == 200


def test_deploy_check_is_clean_with_the_documented_production_variables():
    result = run_with_env(PRODUCTION_ENV, "manage.py", "check", "--deploy", "--fail-level", "INFO")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
def test_migrate_as_make_run_runs_it_warns_of_nothing():
    """``make run`` migrates first: its first lines are the system checks, and a warning there
    ("System check identified some issues") is the first thing a newcomer reads."""
    out, err = io.StringIO(), io.StringIO()

    call_command("migrate", "--check", skip_checks=False, stdout=out, stderr=err)

    assert "System check identified" not in out.getvalue() + err.getvalue()


def test_every_documented_production_variable_is_in_the_deployment_guide():
    guide = (BASE_DIR / "docs" / "deploying.md").read_text()
    for name in [*PRODUCTION_ENV, "DATABASE_URL", "DOCUMENT_MAX_BYTES", "MEDIA_ROOT"]:
        assert f"`{name}`" in guide, name


def test_every_variable_the_settings_and_gunicorn_read_is_in_the_deployment_guide():
    """An operator learns every variable from the guide: each name the settings or
    gunicorn.conf.py read from the environment is in its table."""
    guide = (BASE_DIR / "docs" / "deploying.md").read_text()
    read = re.compile(r'(?:os\.environ\.get\(|os\.environ\[|env(?:bool|int|list)\()\s*"([A-Z_]+)"')
    names = {
        name
        for source in ("coopdb/settings.py", "gunicorn.conf.py")
        for name in read.findall((BASE_DIR / source).read_text())
    }
    assert {"EMAIL_BACKEND", "GUNICORN_BIND", "STATEMENT_TIMEOUT"} <= names
    assert [name for name in sorted(names) if f"`{name}`" not in guide] == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HTTPS", "maybe"),
        ("DEBUG", "production"),
        ("DOCUMENT_MAX_BYTES", "20MB"),
        # Past the check, every connection to PostgreSQL failed: the whole site answered 503.
        ("STATEMENT_TIMEOUT", "-5"),
        # Set but empty: a KeyError on 'ENGINE' that named nothing.
        ("DATABASE_URL", ""),
        # Every link of every mail began with it: a host alone, or no host, linked nowhere.
        ("SITE_URL", "kerjasama.example.go.id"),
        ("SITE_URL", "https://"),
        ("SITE_URL", "https://kerjasama.example.go.id:443x"),
    ],
)
def test_a_nonsense_setting_stops_the_site_from_starting(name, value):
    result = run_with_env({**PRODUCTION_ENV, name: value}, "manage.py", "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.parametrize(
    "static_root, media_root",
    [
        # The app serves every file under STATIC_ROOT to anyone, uploads of internal agreements
        # among them, at the address their stored name makes ("documents/2024/naskah.pdf").
        ("{tmp}/static", "{tmp}/static/media"),
        ("{tmp}/static", "{tmp}/static"),
        # The folder of the site's own static files, which the local demo serves as they are.
        ("{tmp}/static", str(BASE_DIR / "static" / "media")),
    ],
)
def test_documents_kept_among_the_static_files_stop_the_site_from_starting(
    tmp_path, static_root, media_root
):
    env = {
        **PRODUCTION_ENV,
        "STATIC_ROOT": static_root.format(tmp=tmp_path),
        "MEDIA_ROOT": media_root.format(tmp=tmp_path),
    }
    result = run_with_env(env, "manage.py", "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "MEDIA_ROOT" in result.stderr


def test_documents_beside_the_static_files_start_the_site(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    assert run_with_env(env, "manage.py", "check").returncode == 0


def test_document_size_limit_comes_from_the_environment():
    assert settings_under({"DOCUMENT_MAX_BYTES": "5242880"}, "DOCUMENT_MAX_BYTES") == {
        "DOCUMENT_MAX_BYTES": 5 * 1024 * 1024
    }


def test_without_a_secret_key_production_refuses_to_start():
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != "SECRET_KEY"}

    result = run_with_env(env, "manage.py", "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# -- health check and database outage ---------------------------------------------------------


@pytest.mark.django_db
def test_health_check_answers_503_while_the_database_is_down_and_200_when_it_is_back(
    client, tmp_path
):
    before = client.get("/health/")
    with database_unreachable(tmp_path):
        during = client.get("/health/")
    after = client.get("/health/")

    assert (before.status_code, during.status_code, after.status_code) == (200, 503, 200)
    assert before.json() == {"status": "ok", "database": "ok"}
    assert during.json()["status"] == "unavailable"
    assert "no-cache" in during["Cache-Control"]  # a proxy must never keep an answer


@pytest.mark.postgresql  # the driver's own connection wait
@pytest.mark.django_db
def test_a_database_host_that_never_answers_gives_the_503_page_not_a_request_that_hangs(client):
    """A database server cut off, or stalled, does not refuse the connection: without a limit
    on connecting the driver waited for its answer for ever, and so did the reader, the
    load balancer's health check and, one after the other, every thread of the site."""
    AgreementFactory(title="Kerja sama pariwisata Kaltim–Bali")
    silent = socket.socket()  # takes connections (the kernel does) and never says a word
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    original = connections["default"]
    params = {**original.settings_dict, "HOST": "127.0.0.1", "PORT": str(silent.getsockname()[1])}
    answers = {}

    def read(url):
        connections["default"] = original.__class__(params, alias="default")
        try:
            answers[url] = Client().get(url)
        finally:
            connections["default"].close()

    readers = [threading.Thread(target=read, args=(url,)) for url in ("/health/", "/agreements/")]
    try:
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=90)  # a bound on a test that would wait for ever, not a measure
        assert not any(reader.is_alive() for reader in readers), "the page never answered"
    finally:
        silent.close()
    assert answers["/health/"].status_code == 503
    assert answers["/agreements/"].status_code == 503
    assert "Layanan sedang tidak tersedia" in answers["/agreements/"].content.decode()
    assert client.get("/agreements/").status_code == 200


@pytest.mark.django_db
def test_load_balancers_polling_with_head_get_the_same_answer(client, tmp_path):
    with database_unreachable(tmp_path):
        during = client.head("/health/")

    assert client.head("/health/").status_code == 200
    assert during.status_code == 503
    assert client.post("/health/").status_code == 405  # nothing to change here


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reader", "url"),
    [("public", "/"), ("public", "/agreements/"), ("staff", "/admin/")],
)
def test_pages_show_the_styled_503_page_while_the_database_is_down(
    client, staff_client, tmp_path, reader, url
):
    client = staff_client if reader == "staff" else client
    AgreementFactory(title="Kerja sama pariwisata Kaltim–Bali")

    with database_unreachable(tmp_path):
        during = client.get(url)
    after = client.get(url)

    assert during.status_code == 503
    assert during["Retry-After"] == "30"
    html = during.content.decode()
    assert "Layanan sedang tidak tersedia" in html
    assert 'href="/static/css/site.css"' in html  # styled by the site's own stylesheet
    assert "Traceback" not in html and "OperationalError" not in html
    assert "Content-Security-Policy" in during
    assert after.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_downloads_show_the_styled_503_page_while_the_database_is_down(
    client, tmp_path, file_format
):
    """A download's query runs before its response starts, so an outage is the styled page,
    not a 200 whose body then fails (a 500 from the server, or a broken file)."""
    AgreementFactory(title="Kerja sama pariwisata Kaltim–Bali")
    url = f"/agreements/export.{file_format}"

    with database_unreachable(tmp_path):
        during = client.get(url)
    after = client.get(url)

    assert during.status_code == 503
    assert during["Retry-After"] == "30"
    assert "Layanan sedang tidak tersedia" in during.content.decode()
    assert after.status_code == 200
    assert b"".join(after.streaming_content)


@pytest.mark.django_db
def test_the_drivers_own_connection_error_is_an_outage_too(rf, tmp_path):
    """Where Django closes a server-side cursor (``cursor_iter``) the driver's own error reaches
    the view unwrapped: a download being read as PostgreSQL stops. It is an outage all the same:
    the styled 503 page before the response starts, a reset once the file is being sent."""
    error = connections["default"].Database.OperationalError(
        "server closed the connection unexpectedly"
    )
    with database_unreachable(tmp_path):
        response = DatabaseUnavailableMiddleware(lambda request: None).process_exception(
            rf.get("/agreements/export.json"), error
        )
    assert response is not None and response.status_code == 503
    assert "Layanan sedang tidak tersedia" in response.content.decode()

    def sent():
        yield b"["
        raise error

    with pytest.raises(ConnectionResetError):
        list(reset_on_outage(sent()))


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_a_small_download_is_whole_though_the_database_goes_down_as_it_is_sent(
    client, tmp_path, file_format
):
    """A file of a page's few agreements has read every table it holds before its response
    starts: an outage after that point cannot cut it short."""
    AgreementFactory(title="Kerja sama pariwisata Kaltim–Bali")
    response = client.get(f"/agreements/export.{file_format}")
    assert response.status_code == 200

    with database_unreachable(tmp_path):
        body = b"".join(response.streaming_content)

    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        try:
            sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
        finally:
            workbook.close()
        assert len(sheets) > 1
        assert "Kerja sama pariwisata Kaltim–Bali" in sheets["agreements"][1]
    elif file_format == "json":
        document = json.loads(body)
        assert document["agreements"][0]["title"] == "Kerja sama pariwisata Kaltim–Bali"
        assert "partners" in document
    else:
        assert "Kerja sama pariwisata Kaltim–Bali" in body.decode("utf-8-sig")


@pytest.mark.django_db
def test_static_files_are_served_while_the_database_is_down(client, tmp_path):
    with database_unreachable(tmp_path):
        response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert b".error-page" in b"".join(response.streaming_content)


# -- static files in production ----------------------------------------------------------------


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """``collectstatic`` run as production runs it (DEBUG off): hashed, compressed copies."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = run_with_env(
        {**PRODUCTION_ENV, "STATIC_ROOT": str(root)}, "manage.py", "collectstatic", "--noinput"
    )
    assert result.returncode == 0, result.stderr
    return root


def test_collectstatic_writes_hashed_and_compressed_files(collected_static):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]

    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (collected_static / (hashed + ".gz")).exists()


@pytest.mark.django_db
def test_production_pages_link_hashed_static_files_the_app_serves_for_a_year(
    collected_static, settings
):
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    client = Client()  # a new handler, so WhiteNoise reads the collected files

    page = client.get("/agreements/")
    [stylesheet] = re.findall(
        r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.content.decode()
    )
    response = client.get(stylesheet, headers={"Accept-Encoding": "gzip"})

    body = b"".join(response.streaming_content)  # read to the end, which closes the file

    assert response.status_code == 200
    assert body.startswith(b"\x1f\x8b")  # the gzip copy collectstatic made
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_reports_pdf_is_drawn_with_the_collected_stylesheets(
    collected_static, settings, kaltim
):
    """In production the page links the hashed copies collectstatic made: the PDF is drawn with
    them (its pages numbered as the report's print sheet says), not refused for a file the
    app's own folders do not hold."""
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    AgreementFactory(title="MoU Kaltim dicetak", lead_region=kaltim)

    response = Client().get("/laporan/laporan.pdf", {"region": "64", "period": "2024"})

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "MoU Kaltim dicetak" in text
    assert re.search(r"\b1 ?/ ?\d+\b", text)  # "@page { @bottom-right: counter(page) … }"


def test_the_error_pages_render_without_a_request_or_a_database():
    """The 500 and 503 pages share one frame (``error_page.html``) and need nothing but the
    template engine: no request, no context processor, no query."""
    for name, heading in [
        ("500.html", "Terjadi kesalahan di server"),
        ("503.html", "Layanan sedang tidak tersedia"),
    ]:
        html = render_to_string(name)
        assert f"<h1>{heading}</h1>" in html, name
        assert 'href="/static/css/site.css"' in html, name
        assert "Register Kerja Sama Daerah" in html, name


def test_the_server_process_loads_the_site_warm_without_opening_a_database_connection():
    """gunicorn forks its workers from the process that loaded ``coopdb.wsgi``: that process
    compiles the templates ahead and loads the shared cache's client library (``coopdb.warm``),
    so a new worker's first reader waits for neither, and must hold no database connection,
    which every worker would otherwise share."""
    script = (
        "import json, sys, coopdb.wsgi; from django.db import connections; "
        "from django.template import engines; "
        "loader = engines['django'].engine.template_loaders[0]; "
        "print(json.dumps({'open': [c.alias for c in connections.all() if c.connection], "
        "'compiled': sorted(loader.get_template_cache), 'redis': 'redis' in sys.modules}))"
    )
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    result = run_with_env({**PRODUCTION_ENV, "REDIS_URL": redis_url}, "-c", script)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["open"] == []
    assert {"base.html", "admin/change_list.html"} <= set(loaded["compiled"])
    assert loaded["redis"]


@pytest.mark.django_db
def test_a_warm_server_compiles_no_template_for_its_first_pages(client, staff_client, kaltim):
    """After ``warm``, a worker's first public and admin pages find every template compiled: a
    recycled worker's first readers no longer wait for it."""
    from django.template import Template, engines

    from coopdb.warm import warm

    agreement = AgreementFactory(lead_region=kaltim)
    MilestoneFactory(agreement=agreement)

    def compiled():
        """The templates the loader holds compiled (it also remembers names it looked for in
        vain, as the admin does for a model's own templates)."""
        cache = engines["django"].engine.template_loaders[0].get_template_cache
        return {name for name, found in cache.items() if isinstance(found, Template)}

    warm()
    before = compiled()

    for url in (
        reverse("dashboard"),
        reverse("agreement-list"),
        agreement.get_absolute_url(),
        kaltim.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200
    for url in (
        reverse("admin:agreements_agreement_changelist"),
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
    ):
        assert staff_client.get(url).status_code == 200

    assert compiled() == before


@pytest.mark.parametrize(
    "status, open_connections, ends_at_once",
    [(0, 0, True), (0, 1, False), (3, 0, False), (-1, 0, False)],
    ids=["leaving-cleanly", "a-request-still-open", "failed-to-boot", "crashed"],
)
def test_a_worker_leaving_cleanly_ends_at_once_and_one_leaving_on_an_error_keeps_its_status(
    status, open_connections, ends_at_once
):
    """gunicorn calls ``worker_exit`` (``gunicorn.conf.py``) as a worker leaves, on its way out
    with the status it leaves with. A worker leaving with 0 and nothing open skips the
    interpreter's teardown; one leaving with an error keeps its status (a worker that failed to
    boot stops the master), and one with a request still open finishes it as usual."""
    script = f"""
import atexit, sys, types
config = {{}}
exec(open("gunicorn.conf.py").read(), config)
atexit.register(print, "torn down")
worker = types.SimpleNamespace(nr_conns={open_connections})
try:
    sys.exit({status})
finally:
    config["worker_exit"](None, worker)
"""
    result = run_with_env({}, "-c", script)
    assert result.returncode == status % 256
    assert ("torn down" in result.stdout) is not ends_at_once


LOGGED = {
    "django.request": ("warning", "Not Found: /tidak-ada/"),
    "django.security.csrf": ("warning", "Forbidden (CSRF cookie not set.): /ikuti/"),
    "coopdb.middleware": ("error", "The database does not answer"),
    "reminders": ("info", "Pengingat terkirim: 3"),
    "django.server": ("info", '"GET / HTTP/1.1" 200 5'),
}


@pytest.mark.parametrize(
    "env",
    [{"DEBUG": "true"}, PRODUCTION_ENV],
    ids=["development", "production"],
)
def test_each_log_line_is_written_once(env):
    """In development (``make run``, DEBUG on) every line Django's loggers wrote was printed
    twice: by Django's own console handler and again by the root logger's, which the site
    configures for every logger. Each is printed once, in production as in development, and
    none is lost on the way: the site's own loggers' lines neither."""
    lines = "\n".join(
        f"logging.getLogger({name!r}).{level}({message!r})"
        for name, (level, message) in LOGGED.items()
    )
    script = f"import django, logging\ndjango.setup()\n{lines}\n"
    result = run_with_env(env, "-c", script)
    assert result.returncode == 0, result.stderr
    for _level, message in LOGGED.values():
        assert result.stderr.count(message) == 1, result.stderr
    # runserver's line for each request, with the time it was answered, once.
    served = re.findall(r'^\[[^\]]+\] "GET / HTTP/1.1" 200 5$', result.stderr, re.MULTILINE)
    assert len(served) == 1, result.stderr
