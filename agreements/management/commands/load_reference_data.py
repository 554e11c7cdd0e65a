"""Load the shipped reference data: countries, subdivisions, Indonesian regions and sectors.

The rows come from ``partners/data/*.csv`` and ``agreements/data/sectors.csv`` (see
``partners/data/SOURCES.md``). Loading is an upsert keyed on each row's code: running it again
adds nothing, and puts back the file's name and fields on any shipped row someone has changed.
Rows staff added themselves (codes the files do not hold) are left alone, and nothing is
deleted.

Everything is written with bulk upserts (``INSERT … ON CONFLICT DO UPDATE``) in one transaction,
a handful of statements for the whole country. Bulk writes send no ``post_save`` signals, so
django-simple-history records no history entries for these rows: the files and their git log are
the history of reference data.
"""

import csv
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from agreements.models import Sector
from partners.models import Country, Region, Subdivision


def read_csv(path):
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def data_file(app_label, name):
    return Path(apps.get_app_config(app_label).path) / "data" / name


class Command(BaseCommand):
    # A plain string: argparse cannot format a lazy translation.
    help = (
        "Memuat data rujukan (negara, subdivisi ISO 3166-2, provinsi, kabupaten/kota, bidang) "
        "dari berkas CSV yang dikirim bersama aplikasi. Aman dijalankan berulang kali."
    )

    def handle(self, *args, **options):
        countries = read_csv(data_file("partners", "countries.csv"))
        subdivisions = read_csv(data_file("partners", "subdivisions.csv"))
        regions = read_csv(data_file("partners", "regions.csv"))
        sectors = read_csv(data_file("agreements", "sectors.csv"))
        provinces = [row for row in regions if row["level"] == Region.Level.PROVINCE]
        members = [row for row in regions if row["level"] != Region.Level.PROVINCE]
        check_regions(provinces, members)

        with transaction.atomic():
            load_countries(countries)
            load_subdivisions(subdivisions)
            load_regions(provinces, members)
            load_sectors(sectors)

        self.stdout.write(
            _(
                "%(provinces)d provinsi, %(members)d kabupaten/kota, %(countries)d negara, "
                "%(subdivisions)d subdivisi, %(sectors)d bidang"
            )
            % {
                "provinces": len(provinces),
                "members": len(members),
                "countries": len(countries),
                "subdivisions": len(subdivisions),
                "sectors": len(sectors),
            }
        )


def check_regions(provinces, members):
    """Refuse a broken regions file before anything is written."""
    codes = [row["code"] for row in provinces + members]
    if len(codes) != len(set(codes)):
        raise CommandError(_("regions.csv memuat kode ganda."))
    province_codes = {row["code"] for row in provinces}
    for row in members:
        if row["province_code"] not in province_codes or not row["code"].startswith(
            f"{row['province_code']}."
        ):
            raise CommandError(
                _("regions.csv: %(code)s tidak berada di bawah provinsi %(province)s.")
                % {"code": row["code"], "province": row["province_code"]}
            )


def load_countries(rows):
    Country.objects.bulk_create(
        [Country(**row) for row in rows],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["alpha3", "name_id", "name_en"],
    )


def load_subdivisions(rows):
    Subdivision.objects.bulk_create(
        [
            Subdivision(
                code=row["code"], country_id=row["country"], name=row["name"], kind=row["kind"]
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["country", "name", "kind"],
        batch_size=1000,
    )


def load_regions(provinces, members):
    """Provinces first, then the regencies and cities that point at them."""
    upsert_regions(
        Region(code=row["code"], name=row["name"], level=row["level"], province=None)
        for row in provinces
    )
    # One query for the provinces' ids: bulk_create does not report ids of updated rows on
    # every backend.
    province_ids = dict(
        Region.objects.filter(code__in=[row["code"] for row in provinces]).values_list("code", "id")
    )
    upsert_regions(
        Region(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            province_id=province_ids[row["province_code"]],
        )
        for row in members
    )


def upsert_regions(regions):
    Region.objects.bulk_create(
        list(regions),
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "province"],
    )


def load_sectors(rows):
    # Slugs identify shipped sectors, but names are unique too: a sector staff created under
    # another slug with a shipped sector's name would make the upsert fail half-way through.
    # Say which one instead.
    clash = (
        Sector.objects.filter(
            Q(name_id__in=[row["name_id"] for row in rows])
            | Q(name_en__in=[row["name_en"] for row in rows])
        )
        .exclude(slug__in=[row["slug"] for row in rows])
        .first()
    )
    if clash:
        raise CommandError(
            _(
                "Bidang “%(name)s” (slug %(slug)s) memakai nama bidang bawaan; ubah nama atau "
                "slug-nya lalu jalankan perintah ini lagi."
            )
            % {"name": clash.name_id, "slug": clash.slug}
        )
    Sector.objects.bulk_create(
        [
            Sector(
                slug=row["slug"],
                name_id=row["name_id"],
                name_en=row["name_en"],
                position=int(row["position"]),
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["name_id", "name_en", "position"],
    )
