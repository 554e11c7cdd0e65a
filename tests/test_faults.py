"""Fault tests: what happens when processes race and servers fail, on a real PostgreSQL.

They need PostgreSQL's own behaviour (row locks, a server that can be stopped), so they are
marked ``postgresql`` and, on SQLite, deselected by ``conftest.py`` with the reason printed;
``.ci/run`` checks that its PostgreSQL pass ran them.
"""

import contextlib
import datetime
import http.client
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db import connection

from access.models import RegionAssignment, Role
from reminders.models import Notice
from tests.factories import AgreementFactory

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2025, 3, 3)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def database_url():
    """The test database, for processes of their own."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def manage(*args, **env):
    """``manage.py args`` started in a process of its own, on the test database."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_reminder_runs_send_each_notice_exactly_once(django_user_model, kaltim):
    editors = []
    for n in range(8):
        user = django_user_model.objects.create_user(
            username=f"editor{n}", email=f"editor{n}@example.invalid"
        )
        user.groups.add(Group.objects.get_or_create(name=Role.EDITOR)[0])
        RegionAssignment.objects.create(user=user, region=kaltim)
        editors.append(user)
    AgreementFactory(lead_region=kaltim, expires_on=TODAY + datetime.timedelta(days=80))

    runs = [
        manage(
            "send_reminders",
            "--today",
            TODAY.isoformat(),
            EMAIL_BACKEND="tests.mail_backends.SlowConsoleBackend",
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]

    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in err
    sent_to = re.findall(r"^To: (\S+)$", "".join(out for out, _err in outputs), re.MULTILINE)
    assert sorted(sent_to) == sorted(user.email for user in editors)
    assert Notice.objects.sent().count() == len(editors)
    assert not Notice.objects.pending().exists()


def test_a_restore_in_place_followed_by_an_edit_serves_no_stale_page(client, kaltim, tmp_path):
    from django.urls import reverse

    from agreements.models import Agreement

    AgreementFactory(title="Festival budaya", lead_region=kaltim)
    hidden = AgreementFactory(
        title="Eksplorasi tambang rahasia",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    db = connection.settings_dict
    target = ["-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d", db["NAME"]]
    backup = tmp_path / "coopdb.dump"
    subprocess.run(["pg_dump", "-Fc", *target, "-f", str(backup)], check=True, timeout=120)

    # Published after the backup; anonymous readers see it, and the page is kept.
    Agreement.objects.filter(pk=hidden.pk).update(visibility=Agreement.Visibility.PUBLIC)
    assert "Eksplorasi tambang rahasia" in client.get(reverse("agreement-list")).content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 200  # its own version's page

    # The backup restored in place: internal again, and the change counters back where they were.
    connection.close()
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", *target, str(backup)],
        check=True,
        timeout=120,
    )
    assert Agreement.objects.get(pk=hidden.pk).visibility == Agreement.Visibility.INTERNAL
    # One edit moves the counters on by as much as the publication did.
    Agreement.objects.filter(title="Festival budaya").update(summary="Diperbarui")
    # And its own counter as much as the publication moved it (``agreement_version``).
    Agreement.objects.filter(pk=hidden.pk).update(summary="Diperbarui")

    page = client.get(reverse("agreement-list")).content.decode()
    assert "Festival budaya" in page
    assert "Eksplorasi tambang rahasia" not in page
    assert client.get(hidden.get_absolute_url()).status_code == 404


# -- PostgreSQL stopped and started under a running site ------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A PostgreSQL server of its own, in a temporary folder, to stop and start at will; the
    machine's own server is never touched. ``initdb`` refuses to run as root, so as root (CI)
    the server runs as the ``postgres`` account."""

    def __init__(self):
        self.bin = Path(
            subprocess.run(
                ["pg_config", "--bindir"], check=True, capture_output=True, text=True
            ).stdout.strip()
        )
        self.folder = Path(tempfile.mkdtemp(prefix="coopdb-faults-"))
        self.as_owner = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/coopdb"

    def create(self):
        self.pg_ctl("initdb", "-o", "--auth=trust --username=postgres --encoding=UTF8 --no-sync")
        self.start()
        self.psql("CREATE DATABASE coopdb", database="postgres")

    def pg_ctl(self, *args):
        subprocess.run(
            [*self.as_owner, self.bin / "pg_ctl", "-D", self.folder / "data", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("start", "-w", "-l", self.folder / "server.log", "-o", options)

    def stop(self, mode="fast"):
        self.pg_ctl("stop", "-w", "-m", mode)

    def psql(self, sql, database="coopdb"):
        return subprocess.run(
            [self.bin / "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
            + ["-d", database, "-XtAc", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


# The schema, made by ``migrate``; the register the site serves: ``build_register``'s agreements,
# and a province whose agreements, more than one fetch of the export's cursor
# (``exports.CHUNK_SIZE``) and long to write, make a download of megabytes; copied from one of them
# by the database.
SEED = """
from django.core.management import call_command
from django.db import connection
from agreements.models import Agreement
from tests.factories import AgreementFactory, ProvinceFactory, build_register
call_command("migrate", interactive=False, verbosity=0)
build_register()
first = AgreementFactory(
    title="Arsip kerja sama dengan judul yang cukup panjang",
    summary="Ringkasan kegiatan bersama. " * 100,
    lead_region=ProvinceFactory(code="99", name="Arsip"),
)
columns = [
    field.column
    for field in Agreement._meta.concrete_fields
    if not field.primary_key and field.column != "title"
]
with connection.cursor() as cursor:
    cursor.execute(
        f"INSERT INTO {Agreement._meta.db_table} (title, {', '.join(columns)}) "
        f"SELECT title || ' ' || n, {', '.join(columns)} "
        f"FROM {Agreement._meta.db_table}, generate_series(1, %s) n WHERE id = %s",
        [ARCHIVED, first.pk],
    )
"""
ARCHIVED = 2500


class Site:
    """coopdb under gunicorn with the shipped ``gunicorn.conf.py``, set up as
    ``docs/deploying.md`` says (DEBUG off, collected static files, kept connections), on
    ``cluster``."""

    def __init__(self, cluster):
        self.port = free_port()
        self.log = cluster.folder.parent / f"{cluster.folder.name}-gunicorn.log"
        passed_on = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
        self.env = {
            **{name: value for name, value in os.environ.items() if name in passed_on},
            "DJANGO_SETTINGS_MODULE": "coopdb.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": cluster.url,
            "CONN_MAX_AGE": "60",
            "STATIC_ROOT": str(cluster.folder.parent / f"{cluster.folder.name}-static"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            # Its control socket would go in the home folder, shared with any other gunicorn.
            "GUNICORN_CMD_ARGS": "--no-control-socket",
        }
        self.process = None

    def manage(self, *args, **env):
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def start(self):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "coopdb.wsgi"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.get("/health/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer:\n" + self.log.read_text())

    def workers(self):
        """The process ids of gunicorn's workers."""
        found = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        )
        return sorted(int(pid) for pid in found.stdout.split())

    def get(self, path, read=True):
        """``(status, headers, body)``; ``body`` raises ``http.client.IncompleteRead`` (or a
        connection error) where the server cut the answer short."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", path)
        response = connection.getresponse()
        if not read:
            return response.status, response, connection
        try:
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            # A worker being started as the shutdown comes (one replaced after max_requests)
            # is waited for up to gunicorn's graceful_timeout (30 s) before the master kills
            # it: wait past that, then end the master, so no server outlives its test.
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def restartable_site():
    """A site under gunicorn on a PostgreSQL server of its own: its schema made by ``migrate``,
    its register by the factories."""
    cluster = Cluster()
    site = Site(cluster)
    try:
        static = site.manage("collectstatic", "--noinput")  # meanwhile, the database
        cluster.create()
        seed = site.manage(
            "shell", "-c", SEED.replace("ARCHIVED", str(ARCHIVED)), STATEMENT_TIMEOUT="0"
        )
        for step in (static, seed):
            output, _ = step.communicate(timeout=180)
            assert step.returncode == 0, output
        site.start()
        yield cluster, site
    finally:
        site.stop()
        cluster.remove()
        for leftover in (site.log, Path(site.env["STATIC_ROOT"])):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


# What readers ask for while the database restarts: downloads shorter than one fetch of their
# cursor, of the agreement list (whose view reads nothing before the download's own query) and of
# a region's page, and pages.
SMALL_DOWNLOADS = [
    "/agreements/export.csv?scope=ksdpl",
    "/agreements/export.json?scope=ksdpl",
    "/agreements/export.xlsx?scope=ksdpl",
    "/regions/64/export.csv",
]
PAGES = ["/regions/64/", "/agreements/?region=64"]


def xlsx_cells(body):
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def whole(path, body, expected):
    """Whether ``body`` is the whole of what ``path`` answers with the database up."""
    if "/export.xlsx" in path:  # its zip entries carry the time they were written
        try:
            return xlsx_cells(body) == expected
        except Exception:  # noqa: BLE001 (a cut workbook is not a zip file)
            return False
    if "/export." in path:
        return body == expected
    return body.rstrip().endswith(b"</html>") and expected in body


def answer(site, path):
    """``(status, headers, body)`` of ``path``, or what cut it short."""
    try:
        return site.get(path)
    except (http.client.HTTPException, OSError) as error:
        return f"cut short: {error!r}", {}, b""


def outcome(path, answer, expected):
    """What a reader of ``path`` got: "whole", "503" (the styled page), or what went wrong."""
    status, headers, body = answer
    if status == 200 and whole(path, body, expected):
        return "whole"
    if (
        status == 503
        and headers.get("Retry-After") == "30"
        and "Layanan sedang tidak tersedia" in body.decode()
    ):
        return "503"
    return f"{status} {body[:200]!r}"


def expected_answers(site):
    answers = {}
    for path in SMALL_DOWNLOADS + PAGES:
        status, _headers, body = site.get(path)
        assert status == 200, (path, body[:500])
        if "/export.xlsx" in path:
            answers[path] = xlsx_cells(body)
        elif "/export." in path:
            answers[path] = body
        else:
            answers[path] = b"Kalimantan Timur"
    assert len(answers["/agreements/export.xlsx?scope=ksdpl"]) > 1  # the column names and rows
    return answers


def problems_in_log(site):
    log = site.log.read_text(errors="replace")
    return [
        line
        for line in log.splitlines()
        if "Traceback" in line or re.search(r'" 500 ', line) or "Error handling request" in line
    ]


def test_postgresql_stopped_and_started_while_requests_stream_gives_503s_then_recovers(
    restartable_site,
):
    cluster, site = restartable_site
    expected = expected_answers(site)
    workers = site.workers()
    answers = []
    stop = threading.Event()

    def reader(offset):
        paths = SMALL_DOWNLOADS + PAGES
        n = offset
        while not stop.is_set():
            path, asked = paths[n % len(paths)], time.monotonic()
            answers.append((asked, path, answer(site, path)))
            n += 1
            time.sleep(0.02)

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(5)]
    for thread in readers:
        thread.start()
    try:
        time.sleep(1)
        cluster.stop()
        time.sleep(2)
        cluster.start()
        restarted = time.monotonic()
        time.sleep(2)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)

    # Workbooks are read here, in one thread: openpyxl's warning filters are not thread-safe.
    outcomes = [(when, path, outcome(path, got, expected[path])) for when, path, got in answers]
    wrong = [(path, what) for _when, path, what in outcomes if what not in ("whole", "503")]
    assert not wrong, wrong
    # The outage was seen by every kind of request, as the styled page.
    for path in SMALL_DOWNLOADS + PAGES:
        assert (path, "503") in {(p, what) for _when, p, what in outcomes}, path
    # The same running app, without a restart, serves everything whole again.
    assert all(what == "whole" for when, _p, what in outcomes if when > restarted + 1)
    for path in SMALL_DOWNLOADS + PAGES:
        assert outcome(path, answer(site, path), expected[path]) == "whole", path
    assert site.process.poll() is None
    assert site.workers() == workers
    assert not problems_in_log(site)


def test_a_download_cut_short_by_the_restart_ends_broken_and_logs_no_traceback(restartable_site):
    cluster, site = restartable_site
    path = "/agreements/export.csv"  # every agreement: ``ARCHIVED`` rows and more, megabytes
    status, _headers, expected = site.get(path)
    assert status == 200 and expected.count(b"\r\n") > ARCHIVED
    workers = site.workers()

    # A reader who has the first bytes and reads no further, so the download waits, its
    # cursor open in the database, when the server stops.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", site.port))
    reader = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    reader.sock = sock
    reader.request("GET", path)
    response = reader.getresponse()
    assert response.status == 200
    received = response.read(1000)
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
    deadline = time.monotonic() + 30
    while cluster.psql(waiting).strip() != "1":
        assert time.monotonic() < deadline, "the download did not wait on its cursor"
        time.sleep(0.1)

    cluster.stop()
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        received += response.read()
    reader.close()
    cluster.start()

    # The reader saw a broken download, not a shorter file; the next ones are whole, from the
    # same running workers.
    assert len(received) < len(expected)
    for _ in range(4):
        status, _headers, body = site.get(path)
        assert status == 200 and body == expected
        assert site.get("/regions/64/")[0] == 200
    assert site.process.poll() is None
    assert site.workers() == workers
    assert not problems_in_log(site)


def test_workers_replaced_after_max_requests_leave_no_request_unanswered(restartable_site):
    """gunicorn replaces each worker after ``max_requests`` (``gunicorn.conf.py``): the worker
    leaving ends its process at once (``worker_exit``) and its successor starts from the
    master's loaded site. Across many replacements every request is answered, whole, and no
    worker leaves with an error status."""
    cluster, shipped = restartable_site
    site = Site(cluster)
    site.log = shipped.log.with_name(shipped.log.stem + "-recycled.log")
    site.env.update(
        GUNICORN_MAX_REQUESTS="3",
        GUNICORN_CMD_ARGS="--no-control-socket --max-requests-jitter 0",
    )
    site.start()
    try:
        first = site.workers()
        paths = SMALL_DOWNLOADS + PAGES
        expected = expected_answers(site)  # its downloads link pages at its own address
        answers = [(path, answer(site, path)) for path in paths * 5]
        replaced = site.workers()
        assert site.process.poll() is None
    finally:
        site.stop()
        log = site.log.read_text(errors="replace")
        problems = problems_in_log(site)
        site.log.unlink()
    outcomes = [outcome(path, got, expected[path]) for path, got in answers]
    assert outcomes == ["whole"] * len(answers)
    assert log.count("Autorestarting worker") >= 6
    assert not set(first) & set(replaced)
    # While it served, no worker left with an error status. At the shutdown that ends the
    # test, a worker still starting (one replaced after its third request) has no handler of
    # its own yet for the signal, and the master kills it after ``graceful_timeout``.
    serving = log.split("Handling signal: int", 1)[0]
    assert "exited with code" not in serving and "SIGKILL" not in serving
    assert not problems
