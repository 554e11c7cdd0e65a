"""Measure the agreement export at national scale, beside PostgreSQL's own COPY of the same rows.

Not part of the test suite. Run against a PostgreSQL database of its own (it is filled with
generated agreements, then left for the next run):

    createdb -h 127.0.0.1 -U postgres coopdb_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdb_bench \\
        .venv/bin/python bench/export_measure.py --rows 100000

It fills the database once (``--rows`` public agreements with party regions, partners, sectors
and two milestones each; reference data from ``load_reference_data``), then for each format
requests the export view as the public would (``/agreements/export.<format>``) and reads the
whole response, reporting rows per second and the peak of Python memory (tracemalloc, in a
second run so tracing does not slow the timed one), once for the whole register and once for
one signing year (about a sixteenth of it): the peak should not grow with the rows. Beside each,
``COPY (SELECT …) TO STDOUT`` of the same rows and columns: what the database alone can do.

On the development machine (PostgreSQL 15 on the same host, 100,000 agreements):

    selection    what         rows  seconds    rows/s  MB out  peak MB
    all          COPY       100000    11.93      8384    35.7        -
    all          csv        100000    20.05      4988    50.2     26.5
    all          json       100000    21.70      4609   106.8     26.4
    all          xlsx       100000    55.38      1806    15.6     26.6
    year=2012    COPY         6102     0.74      8241     2.2        -
    year=2012    csv          6102     1.27      4807     3.1     23.0
    year=2012    json         6102     1.28      4767     6.5     26.3
    year=2012    xlsx         6102     3.30      1847     1.0     18.6
"""

import argparse
import datetime
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopdb.settings")
# As in production: no query log kept in memory, and the request's host allowed.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "only-for-measuring-the-export")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from agreements.export_views import AgreementExportView  # noqa: E402
from agreements.models import Agreement, Milestone, Sector  # noqa: E402
from partners.models import Country, Partner, Region  # noqa: E402

BATCH = 5000

COPY_SQL = """
COPY (
  SELECT a.reference, a.title, a.kind, a.scope, a.status, a.visibility,
         lead.code, lead.name,
         (SELECT string_agg(r.code, '; ' ORDER BY r.code) FROM agreements_agreement_regions ar
            JOIN partners_region r ON r.id = ar.region_id WHERE ar.agreement_id = a.id),
         (SELECT string_agg(r.name, '; ' ORDER BY r.code) FROM agreements_agreement_regions ar
            JOIN partners_region r ON r.id = ar.region_id WHERE ar.agreement_id = a.id),
         (SELECT string_agg(p.name, '; ' ORDER BY p.name) FROM agreements_agreement_partners ap
            JOIN partners_partner p ON p.id = ap.partner_id WHERE ap.agreement_id = a.id),
         (SELECT string_agg(p.country_id, '; ' ORDER BY p.name)
            FROM agreements_agreement_partners ap
            JOIN partners_partner p ON p.id = ap.partner_id WHERE ap.agreement_id = a.id),
         (SELECT string_agg(s.slug, '; ' ORDER BY s.position, s.name_id)
            FROM agreements_agreement_sectors ags
            JOIN agreements_sector s ON s.id = ags.sector_id WHERE ags.agreement_id = a.id),
         a.proposed_on, a.signed_on, a.in_force_from, a.expires_on,
         f.reference, a.relation, a.summary, a.source_url,
         (SELECT m.title FROM agreements_milestone m WHERE m.agreement_id = a.id
            AND m.done_on IS NULL ORDER BY m.due_on, m.id LIMIT 1),
         (SELECT m.due_on FROM agreements_milestone m WHERE m.agreement_id = a.id
            AND m.done_on IS NULL ORDER BY m.due_on, m.id LIMIT 1),
         a.id, a.updated_at
  FROM agreements_agreement a
  JOIN partners_region lead ON lead.id = a.lead_region_id
  LEFT JOIN agreements_agreement f ON f.id = a.follows_id
  WHERE a.visibility = 'public' {where}
  ORDER BY a.signed_on DESC NULLS LAST, a.id DESC
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


class Sink:
    """A file that only counts what is written to it."""

    def __init__(self):
        self.bytes = 0

    def write(self, data):
        self.bytes += len(data)


def populate(rows):
    """Fill the database with ``rows`` public agreements, unless it holds that many already."""
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)
    have = Agreement.objects.count()
    if have == rows:
        return
    if have:
        sys.exit(f"the database holds {have} agreements, not {rows}: use a fresh one")
    rng = random.Random("coopdb-bench")
    regions = list(Region.objects.values_list("pk", flat=True))
    sectors = list(Sector.objects.values_list("pk", flat=True))
    china = Country.objects.get(code="CN")
    partners = Partner.objects.bulk_create(
        Partner(name=f"Mitra uji {n}", kind=Partner.Kind.FOREIGN_CITY, country=china)
        for n in range(500)
    )
    start = time.perf_counter()
    for first in range(0, rows, BATCH):
        with transaction.atomic():
            batch = []
            for n in range(first, min(first + BATCH, rows)):
                signed = datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(6000))
                foreign = n % 3 == 0
                batch.append(
                    Agreement(
                        reference=f"UJI/{n:06d}",
                        title=f"Kerja sama uji {n} bidang pendidikan dan perdagangan",
                        kind=rng.choice(["mou", "pks", "loi"]) if not foreign else "sister_city",
                        scope="ksdpl" if foreign else "ksdd",
                        status="in_force",
                        lead_region_id=rng.choice(regions),
                        signed_on=signed,
                        in_force_from=signed,
                        expires_on=signed + datetime.timedelta(days=5 * 365),
                        summary="Data uji untuk mengukur ekspor.",
                    )
                )
            created = Agreement.objects.bulk_create(batch)
            region_links, partner_links, sector_links, milestones = [], [], [], []
            for agreement in created:
                others = {agreement.lead_region_id, rng.choice(regions)}
                region_links += [
                    Agreement.regions.through(agreement_id=agreement.pk, region_id=r)
                    for r in others
                ]
                if agreement.scope == "ksdpl":
                    partner_links.append(
                        Agreement.partners.through(
                            agreement_id=agreement.pk, partner_id=rng.choice(partners).pk
                        )
                    )
                sector_links += [
                    Agreement.sectors.through(agreement_id=agreement.pk, sector_id=s)
                    for s in rng.sample(sectors, rng.randint(1, 3))
                ]
                milestones += [
                    Milestone(
                        agreement_id=agreement.pk,
                        kind="signing",
                        title="Penandatanganan",
                        done_on=agreement.signed_on,
                    ),
                    Milestone(
                        agreement_id=agreement.pk,
                        kind="evaluation",
                        title="Monitoring dan evaluasi tahunan",
                        due_on=agreement.signed_on + datetime.timedelta(days=365),
                    ),
                ]
            Agreement.regions.through.objects.bulk_create(region_links)
            Agreement.partners.through.objects.bulk_create(partner_links)
            Agreement.sectors.through.objects.bulk_create(sector_links)
            Milestone.objects.bulk_create(milestones)
        print(f"  {first + len(batch)} agreements", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled {rows} agreements in {time.perf_counter() - start:.0f} s")


def export(file_format, params):
    request = RequestFactory().get(f"/agreements/export.{file_format}", params)
    request.user = AnonymousUser()
    response = AgreementExportView.as_view()(request, file_format=file_format)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size


def measure_export(file_format, params):
    start = time.perf_counter()
    size = export(file_format, params)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    export(file_format, params)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size, peak


def measure_copy(where):
    sink = Sink()
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(COPY_SQL.format(where=where), sink)
    return time.perf_counter() - start, sink.bytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,json,xlsx")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("point DATABASE_URL at a PostgreSQL database")
    populate(options.rows)

    year = 2012  # one year: about a sixteenth of the generated signing dates
    selections = [
        ("all", {}, ""),
        (f"year={year}", {"year": str(year)}, f"AND EXTRACT(year FROM a.signed_on) = {year}"),
    ]
    print(
        f"{'selection':<12} {'what':<8} {'rows':>8} {'seconds':>8} {'rows/s':>9} "
        f"{'MB out':>7} {'peak MB':>8}"
    )
    for label, params, where in selections:
        rows = (
            Agreement.objects.public()
            .filter(**({"signed_on__year": year} if params else {}))
            .count()
        )
        elapsed, size = measure_copy(where)
        print(
            f"{label:<12} {'COPY':<8} {rows:>8} {elapsed:>8.2f} {rows / elapsed:>9.0f} "
            f"{size / 1e6:>7.1f} {'-':>8}"
        )
        for file_format in options.formats.split(","):
            elapsed, size, peak = measure_export(file_format, params)
            print(
                f"{label:<12} {file_format:<8} {rows:>8} {elapsed:>8.2f} "
                f"{rows / elapsed:>9.0f} {size / 1e6:>7.1f} {peak / 1e6:>8.1f}"
            )


if __name__ == "__main__":
    main()
