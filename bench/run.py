"""Benchmark coopdb on a generated national register: pages, exports, and a load test.

Not part of the test suite. Point ``DATABASE_URL`` at a PostgreSQL database of its own (created
if missing, filled once, kept for the next run at the same size):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdb_bench_100k \\
        .venv/bin/python bench/run.py --agreements 100000

See ``bench/README.md`` for what is measured, how, and the targets.
"""

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# As in production: DEBUG off (no query log kept), persistent database connections.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "only-for-the-benchmark-" + "x" * 40)
os.environ.setdefault("CONN_MAX_AGE", "60")
# The benchmark's own queries (the generator, the reference COPYs) are no web request: no
# statement limit in this process. The servers it starts keep the shipped one (``Gunicorn``).
SHIPPED_STATEMENT_TIMEOUT = os.environ.get("STATEMENT_TIMEOUT")
os.environ["STATEMENT_TIMEOUT"] = "0"
# Static files collected as for production (hashed names), outside the project folder.
os.environ.setdefault("STATIC_ROOT", "/tmp/coopdb-bench-static")

CPUS = os.cpu_count() or 1


def ensure_database(url):
    """Create the database ``url`` names unless it exists."""
    import psycopg2

    parts = urllib.parse.urlparse(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("bench/run.py measures PostgreSQL: point DATABASE_URL at one")
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    admin.close()


ensure_database(os.environ.get("DATABASE_URL", ""))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from access.models import RegionAssignment, Role  # noqa: E402
from agreements.models import Agreement, Milestone, Sector  # noqa: E402
from bench import copy_reference  # noqa: E402
from bench.generate import generate, vacuum_analyze  # noqa: E402
from partners.models import Partner, Region  # noqa: E402

MARKER = "bench_register"


# -- the register -------------------------------------------------------------------------------


def prepare(agreements, seed, regenerate):
    """Migrate, load the reference data and generate the register unless it is already there.
    A register migrated here is vacuumed and analysed as a generated one is: a migration that
    writes every agreement again leaves the table's old rows and statistics behind, and the
    pages measured then read them (the stock admin's list took four times as long)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    migrating = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (agreements int, seed int)")
        cursor.execute(f"SELECT agreements, seed FROM {MARKER}")
        have = cursor.fetchone()
    if regenerate or have != (agreements, seed) or Agreement.objects.count() != agreements:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {MARKER}")
        generate(agreements, seed)
        vacuum_analyze()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s)", [agreements, seed])
    else:
        print(f"register of {agreements:,} agreements already generated (seed {seed})")
        if migrating:
            vacuum_analyze()
    return {
        "agreements": Agreement.objects.count(),
        "public_agreements": Agreement.objects.public().count(),
        "milestones": Milestone.objects.count(),
        "regions": Region.objects.count(),
        "partners": Partner.objects.count(),
    }


def readers():
    """A superuser (the admin pages, the full exports), an official (internal reader) and an
    editor of Kalimantan Timur (the admin held to one province's rows)."""
    call_command("setup_roles", verbosity=0)
    users = get_user_model().objects
    admin = users.filter(username="bench-admin").first() or users.create_superuser(
        "bench-admin", "bench-admin@example.invalid", None
    )
    official = users.filter(username="bench-official").first() or users.create_user(
        "bench-official", "bench-official@example.invalid", None
    )
    official.groups.add(Group.objects.get(name=Role.OFFICIAL))
    editor = users.filter(username="bench-editor").first() or users.create_user(
        "bench-editor", "bench-editor@example.invalid", None, is_staff=True
    )
    editor.groups.add(Group.objects.get(name=Role.EDITOR))
    RegionAssignment.objects.get_or_create(user=editor, region=Region.objects.get(code="64"))
    return admin, official, editor


# -- pages --------------------------------------------------------------------------------------


FLOOR, PAGE, ADMIN = "floor", "page", "admin"


def busiest():
    """The subjects of the pages measured on this register, as parts of their addresses.

    - ``agreement``: a status page with a full timeline, the public agreement with the most
      milestones;
    - ``sector``: the sector Kalimantan Timur's public agreements name most, so that the list
      by that province and sector shows a full page on every register (a sector chosen once for
      all left the list at 10,000 agreements empty, and a page of no rows was held against one
      of rows);
    - ``province``, ``regency``, ``big_sector``, ``country``: the province, the regency or
      city, the sector and the partner country with the most public agreements: the largest
      subject pages there are.
    """
    Count = django.db.models.Count
    public = Agreement.objects.public()
    kaltim = public.in_region(Region.objects.get(code="64"))
    in_kaltim = Count("agreements", filter=django.db.models.Q(agreements__in=kaltim))

    def most(dimension, among=None):  # the key with the most public agreements, by the counts
        counts = public.tallies(dimension)
        return max(sorted(among or counts), key=lambda key: counts.get(key, 0))

    regencies = Region.objects.exclude(level=Region.Level.PROVINCE).values_list("pk", flat=True)

    return {
        "agreement": public.alias(n=Count("milestones")).order_by("-n", "pk")[0].pk,
        "sector": Sector.objects.alias(n=in_kaltim).order_by("-n", "position")[0].slug,
        "province": Region.objects.get(pk=most("province")).code,
        "regency": Region.objects.get(pk=most("region", [str(pk) for pk in regencies])).code,
        "big_sector": Sector.objects.get(pk=most("sector")).slug,
        "country": most("country"),
    }


def page_list():
    """(name, reader, path, what) of every page measured: a floor, a public page, an admin page."""
    subjects = busiest()
    agreement = subjects["agreement"]
    province = Region.objects.get(code="64")  # Kalimantan Timur, with its regencies and cities
    deep = max(1, Agreement.objects.public().count() // 25 - 5)  # the fifth page from the end
    province_sector = f"region=64&sector={subjects['sector']}"
    return [
        ("floor", "anonymous", "/bench/floor/", FLOOR),
        ("floor", "official", "/bench/floor/", FLOOR),
        ("floor", "admin", "/bench/floor/", FLOOR),
        ("floor", "editor", "/bench/floor/", FLOOR),
        ("dashboard", "anonymous", "/", PAGE),
        ("dashboard", "official", "/", PAGE),
        ("list", "anonymous", "/agreements/", PAGE),
        ("list", "official", "/agreements/", PAGE),
        ("list province+sector", "anonymous", f"/agreements/?{province_sector}", PAGE),
        ("list sorted by title", "anonymous", "/agreements/?sort=title", PAGE),
        ("list deep page", "anonymous", f"/agreements/?page={deep}", PAGE),
        ("search 1 word", "anonymous", "/agreements/?q=pendidikan", PAGE),
        ("search 2 words", "anonymous", "/agreements/?q=pariwisata+samarinda", PAGE),
        # Short forms (partners/short_names.csv): a province's and a country's, expanded to codes.
        ("search short form", "anonymous", "/agreements/?q=Kaltim", PAGE),
        ("search short forms", "anonymous", "/agreements/?q=pendidikan+RRT", PAGE),
        ("status page", "anonymous", f"/agreements/{agreement}/", PAGE),
        ("region page", "anonymous", f"/regions/{province.code}/", PAGE),
        ("largest province's page", "anonymous", f"/regions/{subjects['province']}/", PAGE),
        ("largest sector's page", "anonymous", f"/sectors/{subjects['big_sector']}/", PAGE),
        ("largest country's page", "anonymous", f"/countries/{subjects['country']}/", PAGE),
        ("admin agreement list", "admin", "/admin/agreements/agreement/", ADMIN),
        ("admin agreement list", "editor", "/admin/agreements/agreement/", ADMIN),
        ("admin change form", "admin", f"/admin/agreements/agreement/{agreement}/change/", ADMIN),
        ("admin milestone list", "admin", "/admin/agreements/milestone/", ADMIN),
    ]


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def touch_register():
    """Move the register version on without changing anything: every cached page goes cold.

    An UPDATE of no row still fires the statement trigger of migration 0006.
    """
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agreements_sector SET position = position WHERE id < 0")


def timed_get(client, path):
    start = time.perf_counter()
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return time.perf_counter() - start, response


def measure_pages(pages, clients, warmup, repeat, cold):
    """Per page: ``repeat`` timed requests after ``warmup`` (served as a returning reader is).

    Every page the site keeps in its cache (all but the floor) is also requested ``cold``
    times right after a change to the register, which therefore builds it from scratch; the
    first of those requests gives the page's own queries.
    """
    results = []
    for name, reader, path, what in pages:
        client = clients[reader]
        for _ in range(warmup):
            response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"{name}: {path} answered {response.status_code}")
        times = [timed_get(client, path)[0] for _ in range(repeat)]
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        result = {
            "page": name,
            "reader": reader,
            "path": path,
            "what": what,
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": percentile(times, 0.95) * 1000,
            "queries": len(captured),
            "fresh_median_ms": None,
            "fresh_queries": None,
            "bytes": len(response.content),
        }
        if what != FLOOR and cold:
            fresh = []
            for round_ in range(cold):
                touch_register()
                with CaptureQueriesContext(connection) as captured:
                    fresh.append(timed_get(client, path)[0])
                if round_ == 0:
                    result["fresh_queries"] = len(captured)
            result["fresh_median_ms"] = statistics.median(fresh) * 1000
        results.append(result)
        print(
            f"  {name:<22} {reader:<9} {result['median_ms']:8.1f} ms median "
            f"{result['p95_ms']:8.1f} p95 {result['queries']:3d} queries"
            + (
                f"; built afresh {result['fresh_median_ms']:7.1f} ms "
                f"{result['fresh_queries']:3d} queries"
                if result["fresh_median_ms"] is not None
                else ""
            ),
            flush=True,
        )
    return results


# -- a server in a subprocess -------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving the site (the project's gunicorn.conf.py) on a free local port."""

    def __init__(self, workers, timeout=900, env=None):
        """``timeout=None`` keeps the shipped one; ``env`` adds to (or overrides) this
        process's environment."""
        self.port = free_port()
        env = dict(os.environ, GUNICORN_BIND=f"127.0.0.1:{self.port}", **(env or {}))
        env.pop("STATEMENT_TIMEOUT")
        if SHIPPED_STATEMENT_TIMEOUT is not None:
            env["STATEMENT_TIMEOUT"] = SHIPPED_STATEMENT_TIMEOUT
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "--workers",
                str(workers),
                *(["--timeout", str(timeout)] if timeout is not None else []),
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                "-",
                "--log-level",
                "warning",
                "coopdb.wsgi",
            ],
            cwd=ROOT,
            env=env,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/bench/floor/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)

    def workers(self):
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def status_kb(pid, key):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


class Memory:
    """A process's resident memory: before a request, and its peak during it.

    The kernel's high-water mark (VmHWM) is reset first by writing 5 to ``clear_refs``, so the
    peak is the request's own; a sampler every 10 ms stands in where that is not allowed.
    """

    def __init__(self, pid):
        self.pid = pid
        self.before = status_kb(pid, "VmRSS")
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            self.kernel = True
        except OSError:
            self.kernel = False
        self.sampled = self.before
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while self.running:
            self.sampled = max(self.sampled, status_kb(self.pid, "VmRSS"))
            time.sleep(0.01)

    def stop(self):
        self.running = False
        self.thread.join()
        peak = status_kb(self.pid, "VmHWM") if self.kernel else self.sampled
        return self.before / 1024, max(peak, self.sampled) / 1024


def fetch(url, cookie):
    """Read the whole response, counting bytes; returns (status, bytes)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    size = 0
    with urllib.request.urlopen(request, timeout=900) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
        return response.status, size


def measure_exports(formats, rows, cookie, runs):
    """Each full export through gunicorn (one worker, otherwise ``gunicorn.conf.py`` as shipped:
    its timeout, its threads), beside COPY of the same rows.

    Each of ``runs`` rounds times the COPY, then the export (with the worker's memory), one
    right after the other, so both meet the same load on a shared machine; the medians are
    compared. XLSX, far slower and without a target, is measured once.
    """
    server = Gunicorn(workers=1, timeout=None)
    results, copies = [], {}
    try:
        (worker,) = server.workers()
        for file_format in formats:
            copy_name = "json" if file_format == "json" else "csv"
            # Warm up: the worker's imports and first queries, and the database's cache.
            fetch(f"{server.url}/agreements/export.{file_format}?year=2012", cookie)
            copy_reference.measure(file_format)
            seconds, copy_seconds, growth = [], [], []
            for _ in range(1 if file_format == "xlsx" else runs):
                copy_time, copy_mb = copy_reference.measure(file_format)
                copy_seconds.append(copy_time)
                memory = Memory(worker)
                start = time.perf_counter()
                try:
                    status, size = fetch(f"{server.url}/agreements/export.{file_format}", cookie)
                except (OSError, http.client.HTTPException) as error:  # a 500, a cut download
                    status, size = getattr(error, "code", repr(error)), 0
                seconds.append(time.perf_counter() - start)
                before, peak = memory.stop()
                growth.append((peak - before, before, peak))
                if status != 200:
                    print(f"  export {file_format} answered {status}", flush=True)
            elapsed, copy_time = statistics.median(seconds), statistics.median(copy_seconds)
            if copy_name not in copies or file_format == copy_name:
                copies[copy_name] = {"seconds": copy_time, "rows": rows, "mb": copy_mb}
            worst, before, peak = max(growth)
            result = {
                "format": file_format,
                "rows": rows,
                "runs": len(seconds),
                "seconds": elapsed,
                "all_seconds": seconds,
                "rows_per_second": rows / elapsed,
                "mb": size / 1e6,
                "rss_before_mb": before,
                "rss_peak_mb": peak,
                "rss_growth_mb": worst,
                "status": status,
                "copy": copy_name,
                "copy_seconds": copy_time,
                "all_copy_seconds": copy_seconds,
                "times_copy": elapsed / copy_time,
            }
            results.append(result)
            print(
                f"  {file_format:<5} {elapsed:7.2f} s {rows / elapsed:9.0f} rows/s "
                f"{size / 1e6:7.1f} MB  RSS {before:6.1f} → {peak:6.1f} MB ({worst:+.1f})  "
                f"COPY {copy_name} {copy_time:.2f} s: {elapsed / copy_time:.2f}×",
                flush=True,
            )
    finally:
        server.stop()
    return copies, results


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# -- load ---------------------------------------------------------------------------------------


def load_test(seconds, connections, path="/agreements/"):
    """wrk against gunicorn with as many workers as cores; requests/s, latency, errors."""
    server = Gunicorn(workers=CPUS, timeout=60)
    try:
        for _ in range(4 * CPUS):  # every worker warm
            urllib.request.urlopen(server.url + path, timeout=60).read()
        output = wrk(server.url + path, seconds, connections)
    finally:
        server.stop()
    print(output)
    return parse_wrk(output) | {"seconds": seconds, "connections": connections, "path": path}


def wrk(url, seconds, connections, script=None, env=None):
    """What ``wrk`` prints after ``seconds`` of ``connections`` requesting ``url`` (each request
    as the Lua ``script`` file makes it, if any), latencies included."""
    options = ["-s", script] if script else []
    return subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            *options,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout


def parse_wrk(output):
    def duration_ms(text):
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.MULTILINE))
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": duration_ms(latency["50"]),
        "p99_ms": duration_ms(latency["99"]),
        "errors": errors,
    }


# -- report -------------------------------------------------------------------------------------


def floors(pages):
    return {page["reader"]: page["median_ms"] for page in pages if page["what"] == FLOOR}


def targets(results, baseline):
    """Each target of the issue, met or not, with the figure measured."""
    checks = []
    floor = floors(results["pages"])
    base = {(p["page"], p["reader"]): p for p in baseline["pages"]} if baseline else {}
    for page in results["pages"]:
        if page["what"] == FLOOR:
            continue
        label = f"{page['page']} ({page['reader']})"
        times = page["median_ms"] / floor[page["reader"]]
        checks.append(
            {
                "target": f"{label}: median within 5x the framework floor",
                "measured": f"{times:.1f}x ({page['median_ms']:.1f} ms)",
                "met": times <= 5,
            }
        )
        before = base.get((page["page"], page["reader"]))
        if before:
            ratio = page["median_ms"] / before["median_ms"]
            checks.append(
                {
                    "target": f"{label}: median within 1.5x its median at "
                    f"{baseline['register']['agreements']:,}",
                    "measured": f"{ratio:.2f}x",
                    "met": ratio <= 1.5,
                }
            )
    for export in results.get("exports", []):
        if export["format"] in ("csv", "json"):
            checks.append(
                {
                    "target": f"{export['format']} export within 2x COPY of the same rows",
                    "measured": f"{export['times_copy']:.2f}x ({export['seconds']:.1f} s)",
                    "met": export["times_copy"] <= 2,
                }
            )
        checks.append(
            {
                "target": f"{export['format']} export: peak memory within 50 MB of before",
                "measured": f"{export['rss_growth_mb']:+.1f} MB",
                "met": export["rss_growth_mb"] <= 50,
            }
        )
    if results.get("load"):
        load = results["load"]
        checks.append(
            {
                "target": f"load test: {load['seconds']} s on {load['path']} with no error",
                "measured": f"{load['errors']} errors, {load['requests_per_second']:.0f} req/s, "
                f"p99 {load['p99_ms']:.0f} ms",
                "met": load["errors"] == 0,
            }
        )
    return checks


def report(results, baseline):
    floor = floors(results["pages"])
    base = {}
    if baseline:
        base = {(p["page"], p["reader"]): p for p in baseline["pages"]}
        base_n = baseline["register"]["agreements"]
    lines = []
    header = (
        f"{'page':<22} {'reader':<9} {'median ms':>9} {'p95 ms':>8} {'queries':>7} "
        f"{'× floor':>7} {'fresh ms':>8} {'queries':>7}"
    )
    if base:
        header += f" {f'× {base_n:,}':>9}"
    lines.append(header)
    for page in results["pages"]:
        fresh = page["fresh_median_ms"]
        line = (
            f"{page['page']:<22} {page['reader']:<9} {page['median_ms']:9.1f} "
            f"{page['p95_ms']:8.1f} {page['queries']:7d} "
            f"{page['median_ms'] / floor[page['reader']]:7.1f} "
            + (f"{fresh:8.1f} {page['fresh_queries']:7d}" if fresh is not None else f"{'':16}")
        )
        before = base.get((page["page"], page["reader"]))
        if before:
            line += f" {page['median_ms'] / before['median_ms']:9.2f}"
        lines.append(line.rstrip())
    if results.get("copy"):
        lines.append("")
        lines.append(
            f"{'export':<9} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'MB':>6} "
            f"{'× COPY':>6} {'RSS before MB':>13} {'peak':>7} {'growth':>7}"
        )
        for name, copy in results["copy"].items():
            lines.append(
                f"{'COPY ' + name:<9} {copy['rows']:7d} {copy['seconds']:8.2f} "
                f"{copy['rows'] / copy['seconds']:8.0f} {copy['mb']:6.1f}"
            )
        for export in results["exports"]:
            lines.append(
                f"{export['format']:<9} {export['rows']:7d} {export['seconds']:8.2f} "
                f"{export['rows_per_second']:8.0f} {export['mb']:6.1f} "
                f"{export['times_copy']:6.2f} {export['rss_before_mb']:13.1f} "
                f"{export['rss_peak_mb']:7.1f} {export['rss_growth_mb']:+7.1f}"
            )
    if results.get("load"):
        load = results["load"]
        lines.append("")
        lines.append(
            f"load: {load['path']} for {load['seconds']} s, {load['connections']} connections, "
            f"{results['machine']['cpus']} gunicorn workers: {load['requests_per_second']:.0f} "
            f"requests/s, p50 {load['p50_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms, "
            f"{load['errors']} errors"
        )
    lines.append("")
    for check in results["targets"]:
        lines.append(
            f"{'met    ' if check['met'] else 'NOT MET'}  {check['target']}: {check['measured']}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--regenerate", action="store_true", help="generate even if present")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--cold", type=int, default=5, help="requests after a change, per page")
    parser.add_argument("--pages", default="", help="only pages whose name contains this")
    parser.add_argument("--formats", default="csv,json,xlsx", help="'' to skip the exports")
    parser.add_argument("--export-runs", type=int, default=3, help="rounds of COPY and export")
    parser.add_argument(
        "--load-seconds", type=int, default=0, help="the single-URL load test (0 skips it)"
    )
    parser.add_argument(
        "--compare-url",
        help="a database with a smaller register (e.g. coopdb_bench_10k): pages built afresh "
        "on both, side by side",
    )
    parser.add_argument("--compare-agreements", type=int, default=10_000)
    parser.add_argument("--fresh-rounds", type=int, default=7, help="requests per page and side")
    parser.add_argument(
        "--traffic-seconds", type=int, default=30, help="each traffic mix (0 skips them)"
    )
    parser.add_argument(
        "--mixes",
        choices=["all", "saves"],
        default="all",
        help="the traffic mixes: all, or only the 20 URLs with and without saves",
    )
    parser.add_argument(
        "--after-saves",
        type=int,
        default=12,
        help="saves after each of which the 20 URLs are served once, in-process (0 skips)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        help="the shared cache of the traffic mixes",
    )
    parser.add_argument(
        "--describe", action="store_true", help="print this register's pages as JSON and stop"
    )
    parser.add_argument("--load-connections", type=int, default=8)
    parser.add_argument("--baseline", help="a JSON result (e.g. at 10,000) to compare with")
    parser.add_argument("--output", help="where to write the JSON (default bench/results/N.json)")
    options = parser.parse_args()

    register = prepare(options.agreements, options.seed, options.regenerate)
    if options.describe:
        from bench import afresh

        print(json.dumps(afresh.describe(register["agreements"])))
        return
    admin, official, editor = readers()
    clients = {"anonymous": Client(), "official": Client(), "admin": Client(), "editor": Client()}
    clients["official"].force_login(official)
    clients["admin"].force_login(admin)
    clients["editor"].force_login(editor)

    results = {
        "register": register,
        "machine": {
            "cpus": CPUS,
            "python": platform.python_version(),
            "postgresql": connection.cursor().connection.server_version,
        },
        "settings": {"warmup": options.warmup, "repeat": options.repeat, "cold": options.cold},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    from bench import afresh

    extra_lines = afresh.fresh_and_traffic(options, register, results)

    print(f"pages ({options.warmup} warm-up, {options.repeat} timed requests each):")
    pages = page_list()
    if options.pages:
        pages = [p for p in pages if p[3] == FLOOR or options.pages in p[0]]
    results["pages"] = measure_pages(pages, clients, options.warmup, options.repeat, options.cold)

    formats = [f for f in options.formats.split(",") if f]
    if formats:
        print("exports through gunicorn (one worker), as an administrator, beside COPY:")
        results["copy"], results["exports"] = measure_exports(
            formats, register["agreements"], session_cookie(admin), options.export_runs
        )
    if options.load_seconds:
        print(f"load test ({options.load_seconds} s):")
        results["load"] = load_test(options.load_seconds, options.load_connections)

    baseline = json.loads(Path(options.baseline).read_text()) if options.baseline else None
    results["targets"] = afresh.targets(
        results.get("afresh", {}).get("pages"),
        results.get("traffic"),
        results.get("exports"),
        register["agreements"],
        options.compare_agreements,
    ) + targets(results, baseline)
    table = "\n".join(extra_lines + [""]) + report(results, baseline)
    results["table"] = table
    output = Path(options.output or ROOT / "bench" / "results" / f"{options.agreements}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table)
    print(f"\nwritten to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
