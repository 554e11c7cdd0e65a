"""Benchmark the admin import of a 10,000-row file: the preview and the confirm, each one request.

Not part of the test suite. Point ``DATABASE_URL`` at a PostgreSQL database of its own (created
if missing, migrated and given the reference data):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdb_bench_import \\
        .venv/bin/python bench/imports.py --rows 10000

The file is a bureau's register of foreign cooperation: every row a new agreement of a region
with a foreign city or province, a year-only or full signing date, one partner named in Latin
and local script. One row in five names a partner of the register under another form of its
name; the others name 1,000 new partners (ten rows each), which the import creates. Each request
goes through the admin view (upload → preview, then confirm) in this process, timed from the
request to the response; peak memory is the process's resident set at its highest, read after
each request. The request timeout it is held to is the production server's (``GUNICORN_TIMEOUT``
in ``gunicorn.conf.py``, 60 s). Every agreement and partner it made is deleted afterwards.
"""

import argparse
import csv
import io
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The benchmark's environment, as bench/run.py sets it up on import: its settings (production's,
# DEBUG off), the database made if missing, Django set up.
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

import bench.run  # noqa: E402, F401
from agreements.models import Agreement, Sector  # noqa: E402
from partners.models import Partner, Region, Subdivision  # noqa: E402

REFERENCE = "BENCH-IMPORT/"
NEW_PARTNER = "Bench City "
TIMEOUT = 60  # gunicorn.conf.py: GUNICORN_TIMEOUT
COLUMNS = [
    "reference",
    "title",
    "kind",
    "scope",
    "status",
    "lead_region_code",
    "lead_region_name",
    "partners",
    "partner_names_local",
    "partner_countries",
    "partner_subdivisions",
    "sectors",
    "signed_on",
    "in_force_from",
]


def register_partners():
    """A few foreign partners of the register, as the demo and any bureau would have them."""
    subdivisions = list(Subdivision.objects.filter(country_id__in=["CN", "JP", "KR"])[:200])
    partners = []
    for index, subdivision in enumerate(subdivisions):
        partner, _created = Partner.objects.get_or_create(
            name=f"Pemerintah Kota Bench {index}",
            country_id=subdivision.country_id,
            defaults={
                "kind": Partner.Kind.FOREIGN_CITY,
                "subdivision": subdivision,
                "name_local": f"本池{index}市人民政府",
            },
        )
        partners.append(partner)
    return partners, subdivisions


def bench_file(rows, seed):
    rng = random.Random(seed)
    regions = list(Region.objects.values_list("code", "name"))
    sectors = list(Sector.objects.values_list("slug", flat=True))
    partners, subdivisions = register_partners()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for index in range(rows):
        code, name = rng.choice(regions)
        if index % 5 == 0:
            # A partner of the register under another form of its name.
            partner = rng.choice(partners)
            number = partner.name.rsplit(" ", 1)[1]
            names = (f"Bench {number} City", "", partner.country_id, "")
        else:
            number = index % 1000
            subdivision = subdivisions[number % len(subdivisions)]
            names = (
                f"{NEW_PARTNER}{number}",
                f"新池{number}市",
                subdivision.country_id,
                subdivision.code,
            )
        year = rng.randint(1970, 2025)
        signed = str(year) if index % 2 else f"{year}-{rng.randint(1, 12):02d}-01"
        writer.writerow(
            [
                f"{REFERENCE}{index}",
                f"Kota kembar {name} – {names[0]} ({index})",
                "sister_city",
                "ksdpl",
                "in_force",
                code,
                name,
                *names,
                "; ".join(rng.sample(sectors, 2)),
                signed,
                signed,
            ]
        )
    return out.getvalue().encode("utf-8")


def clean_up():
    made = Agreement.objects.filter(reference__startswith=REFERENCE)
    Agreement.history.filter(reference__startswith=REFERENCE).delete()
    made.delete()
    Partner.history.filter(name__startswith=NEW_PARTNER).delete()
    Partner.objects.filter(name__startswith=NEW_PARTNER).delete()


def peak_memory_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call):
    start = time.perf_counter()
    response = call()
    return response, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", help="write the results as JSON to this file")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)
    clean_up()
    user, _created = get_user_model().objects.get_or_create(
        username="bench-import", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    url = reverse("admin:agreements_agreement_import")

    content = bench_file(args.rows, args.seed)
    before = peak_memory_mb()
    upload = SimpleUploadedFile("register.csv", content, content_type="text/csv")
    preview, preview_seconds = timed(lambda: client.post(url, {"file": upload}))
    preview_memory = peak_memory_mb()
    page = preview.content.decode()
    if preview.status_code != 200 or 'name="token"' not in page:
        sys.exit(f"the preview did not offer a confirm ({preview.status_code})")
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    confirm, confirm_seconds = timed(lambda: client.post(url, {"token": token}))
    confirm_memory = peak_memory_mb()
    created = Agreement.objects.filter(reference__startswith=REFERENCE).count()
    new_partners = Partner.objects.filter(name__startswith=NEW_PARTNER).count()
    clean_up()
    if confirm.status_code != 302 or created != args.rows:
        sys.exit(f"the confirm wrote {created} of {args.rows} rows ({confirm.status_code})")

    results = {
        "rows": args.rows,
        "file_bytes": len(content),
        "partners_created": new_partners,
        "preview_seconds": round(preview_seconds, 2),
        "confirm_seconds": round(confirm_seconds, 2),
        "timeout_seconds": TIMEOUT,
        "peak_memory_mb_before": round(before),
        "peak_memory_mb_after_preview": round(preview_memory),
        "peak_memory_mb_after_confirm": round(confirm_memory),
    }
    print(
        f"import of {args.rows:,} rows ({len(content) / 1e6:.1f} MB, {new_partners} new partners)"
    )
    for step, seconds in (("preview", preview_seconds), ("confirm", confirm_seconds)):
        verdict = "within" if seconds < TIMEOUT else "OVER"
        print(f"  {step:8} {seconds:6.1f} s  ({verdict} the {TIMEOUT} s request timeout)")
    print(
        f"  peak memory {before:.0f} MB before, {preview_memory:.0f} MB after the preview, "
        f"{confirm_memory:.0f} MB after the confirm"
    )
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
