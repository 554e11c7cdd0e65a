"""A deterministic synthetic national register, written with PostgreSQL's COPY.

``generate(agreements)`` fills the agreement tables of the current (PostgreSQL) database with
``agreements`` agreements, five milestones each on average, party regions drawn from all 552
regions of the reference data, one partner for every twenty agreements (5,000 at 100,000) and a
document for about one agreement in five. The same size and seed give the same register, row for
row: every choice comes from one ``random.Random(seed)``, and every date is counted from the
fixed ``ANCHOR`` rather than from today.

The mix is meant to look like a real register, not to be uniform: KSDD and KSDPK dominate,
sister cities appear only abroad, most agreements are signed and about a third have lapsed (some
still recorded as in force, as in life), unsigned ones have a next step planned with whom it
waits on, some of it overdue; signing years lean towards the recent; sectors and regions are
skewed (a few are in most agreements); one agreement in seven is internal.

Rows are streamed to ``COPY … FROM STDIN`` one table at a time; a column the generator does
not set takes the model field's default, so a field added later needs no change here. History
tables are left empty: no page measured reads them.
"""

import datetime
import io
import random
import time

from django.db import connection, transaction

from agreements.models import (
    CARRYING_OUT,
    Agreement,
    Document,
    Milestone,
    Scope,
    Sector,
    required_stages,
)
from agreements.statistics import refresh_planner_statistics
from partners.models import Country, Partner, Region, Subdivision

# Every date is counted from here, not from today, so the register is the same on every run.
ANCHOR = datetime.date(2026, 1, 1)
ANCHOR_TIME = datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.UTC)

SCOPES = [(Scope.KSDD, 45), (Scope.KSDPK, 35), (Scope.KSDPL, 12), (Scope.KSDLL, 8)]
KINDS = {
    Scope.KSDD: [("mou", 35), ("pks", 45), ("loi", 5), ("amendment", 7), ("other", 8)],
    Scope.KSDPK: [("mou", 35), ("pks", 50), ("loi", 5), ("amendment", 5), ("other", 5)],
    Scope.KSDPL: [("sister_city", 30), ("sister_province", 10), ("mou", 30), ("loi", 20)]
    + [("pks", 10)],
    Scope.KSDLL: [("mou", 50), ("loi", 20), ("pks", 30)],
}
KIND_WORDS = {
    "loi": "Pernyataan Kehendak",
    "mou": "Nota Kesepahaman",
    "pks": "Perjanjian Kerja Sama",
    "sister_city": "Kerja Sama Kota Kembar",
    "sister_province": "Kerja Sama Provinsi Kembar",
    "amendment": "Adendum Perjanjian Kerja Sama",
    "other": "Kesepakatan Bersama",
}
# (status, weight) of agreements never signed; the rest are signed and their status follows
# their dates.
UNSIGNED = [("initiative", 3), ("exploration", 4), ("preparation", 5), ("cancelled", 3)]
UNSIGNED_SHARE = 15
FOREIGN_COUNTRIES = [
    ("CN", 20),
    ("JP", 12),
    ("KR", 10),
    ("AU", 8),
    ("MY", 8),
    ("SG", 5),
    ("TH", 4),
    ("NL", 5),
    ("DE", 5),
    ("US", 5),
    ("FR", 3),
    ("GB", 3),
    ("VN", 3),
    ("PH", 2),
    ("IN", 2),
    ("AE", 2),
    ("TR", 2),
    ("NZ", 1),
]
CITY_WORDS = [
    "Nan",
    "Hai",
    "Shan",
    "Jiang",
    "Kita",
    "Minami",
    "Busan",
    "Gwang",
    "Perth",
    "Darwin",
    "Johor",
    "Kuching",
    "Chiang",
    "Rotter",
    "Frei",
    "Lyon",
    "Hue",
    "Cebu",
    "Pune",
    "Ajman",
    "Izmir",
    "Nelson",
]
DOMESTIC_KINDS = [("company", 45), ("university", 30), ("ngo", 15), ("national_agency", 10)]
FOREIGN_KINDS = [("foreign_city", 45), ("foreign_region", 20)] + [
    ("university", 15),
    ("international", 10),
    ("company", 10),
]
COMPANY_WORDS = ["Nusantara", "Mandiri", "Sejahtera", "Abadi", "Energi", "Agro", "Bahari", "Jaya"]
TOPICS = [
    "peningkatan kapasitas aparatur",
    "pengembangan kawasan ekonomi",
    "pertukaran pelajar dan budaya",
    "promosi produk unggulan daerah",
    "pengelolaan sampah dan air bersih",
    "hilirisasi hasil perkebunan",
    "pelatihan vokasi dan magang",
    "pengembangan destinasi wisata",
    "pemanfaatan teknologi informasi",
    "penanganan bencana dan kesiapsiagaan",
    "ketahanan pangan dan pertanian terpadu",
    "layanan kesehatan rujukan",
]


def pick(rng, weighted):
    """One value of ``[(value, weight), …]``."""
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def days(n):
    return datetime.timedelta(days=n)


class Copier:
    """Rows of one model, as a COPY text stream of all its concrete columns."""

    def __init__(self, model, **overrides):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.defaults = {}
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults[field.attname] = ANCHOR_TIME
            elif field.has_default():
                self.defaults[field.attname] = field.get_default()
            elif field.null:
                self.defaults[field.attname] = None
            elif field.blank and field.get_internal_type() in {"CharField", "TextField"}:
                self.defaults[field.attname] = ""
        self.defaults.update(overrides)
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, **values):
        row = []
        for field in self.fields:
            name = field.attname
            value = values[name] if name in values else self.defaults[name]
            row.append(text(value))
        self.buffer.write("\t".join(row))
        self.buffer.write("\n")
        self.count += 1

    def flush(self, cursor):
        if not self.count:
            return
        table = self.model._meta.db_table
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        self.buffer.seek(0)
        cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN', self.buffer)
        self.buffer = io.StringIO()
        self.count = 0


def text(value):
    """``value`` in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def clear():
    """Empty the register (agreements, their parts, partners), keeping the reference data."""
    tables = [
        Agreement._meta.db_table,
        Partner._meta.db_table,
        Agreement.history.model._meta.db_table,
        Milestone.history.model._meta.db_table,
        Partner.history.model._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def make_partners(rng, count, cursor):
    """``count`` partners, two in five domestic; returns {"domestic": [...], ...} of (pk, kind)."""
    subdivisions = {}
    for code, country in Subdivision.objects.values_list("code", "country_id"):
        subdivisions.setdefault(country, []).append(code)
    known = set(Country.objects.values_list("code", flat=True))
    countries = [(code, w) for code, w in FOREIGN_COUNTRIES if code in known]
    copier = Copier(Partner)
    made = {"domestic": [], "government": [], "institution": []}
    for pk in range(1, count + 1):
        if rng.random() < 0.4:
            kind = pick(rng, DOMESTIC_KINDS)
            country, subdivision = "ID", None
            word = rng.choice(COMPANY_WORDS)
            name = {
                "company": f"PT {word} {pk}",
                "university": f"Universitas {word} {pk}",
                "ngo": f"Yayasan {word} Lestari {pk}",
                "national_agency": f"Balai Besar {word} {pk}",
            }[kind]
            made["domestic"].append(pk)
        else:
            kind = pick(rng, FOREIGN_KINDS)
            country = pick(rng, countries)
            subdivision = None
            stem = rng.choice(CITY_WORDS)
            if kind == "foreign_region":
                name = f"Provinsi {stem}{pk}"
                if subdivisions.get(country):
                    subdivision = rng.choice(subdivisions[country])
            elif kind == "foreign_city":
                name = f"Kota {stem}{pk}"
            elif kind == "university":
                name = f"University of {stem}{pk}"
            elif kind == "international":
                name = f"International {stem} Foundation {pk}"
            else:
                name = f"{stem} Trading Co. {pk}"
            government = kind in Partner.GOVERNMENT_KINDS
            made["government" if government else "institution"].append(pk)
        copier.add(
            id=pk,
            name=name,
            kind=kind,
            country_id=country,
            subdivision_id=subdivision,
            website=f"https://mitra-{pk}.example.org/" if pk % 3 == 0 else "",
        )
    copier.flush(cursor)
    return made


def skewed(rng, items):
    """One of ``items``, the first ones far more often (a few sectors/regions dominate)."""
    return items[min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)]


def signing_date(rng):
    """A signing date from 1995 to the anchor, most of them in the last fifteen years."""
    span = (ANCHOR - datetime.date(1995, 1, 1)).days
    return ANCHOR - days(int(span * (1 - rng.random() ** 0.6)))


def milestones_of(rng, agreement, count):
    """``count`` milestones telling how ``agreement`` (a dict) came to where it stands."""
    carries_out = agreement["follows_id"] is not None and agreement["relation"] in CARRYING_OUT
    stages = required_stages(agreement["kind"], agreement["scope"], carries_out)
    out = []
    signed = agreement["signed_on"]
    if signed:
        # Some of the path to signing, then signs of life (or none: *mati suri*), and what is
        # planned next.
        before = sorted(rng.sample(stages[:-1], min(len(stages) - 1, max(1, count // 3))))
        start = agreement["proposed_on"] or signed - days(200)
        for index, kind in enumerate(before):
            when = start + days(int((signed - start).days * (index + 1) / (len(before) + 1)))
            out.append({"kind": kind, "title": kind.label, "done_on": when})
        out.append({"kind": "signing", "title": "Penandatanganan naskah", "done_on": signed})
        moment = signed
        while len(out) < count:
            moment += days(rng.randint(60, 500))
            kind = "evaluation" if rng.random() < 0.4 else "activity"
            title = (
                "Monitoring dan evaluasi pelaksanaan"
                if kind == "evaluation"
                else f"Kegiatan {rng.choice(TOPICS)}"
            )
            if moment <= ANCHOR and rng.random() < 0.8:
                out.append(
                    {
                        "kind": kind,
                        "title": title,
                        "done_on": moment,
                        "rating": rng.randint(1, 5) if kind == "evaluation" else None,
                        "findings": "Pelaksanaan sesuai rencana." if kind == "evaluation" else "",
                    }
                )
            else:
                out.append(
                    {
                        "kind": kind,
                        "title": title,
                        "due_on": moment,
                        "waits_on": rng.choice(WAITS_ON),
                    }
                )
    else:
        proposed = agreement["proposed_on"]
        reached = {"initiative": 1, "exploration": 2, "preparation": 4, "cancelled": 2}[
            agreement["status"]
        ]
        done = stages[: min(reached, len(stages) - 1)]
        for index, kind in enumerate(done):
            when = min(proposed + days(40 * index), ANCHOR)
            out.append({"kind": kind, "title": kind.label, "done_on": when})
        ahead = stages[len(done) :]
        due = max(proposed, ANCHOR - days(120)) + days(rng.randint(0, 240))
        for kind in ahead[: max(1, count - len(out))]:
            out.append(
                {"kind": kind, "title": kind.label, "due_on": due, "waits_on": WAITS_BY[kind]}
            )
            due += days(rng.randint(30, 120))
    return out[: max(count, 1)]


WAITS_ON = ["bureau", "partner", "tkksd"]
WAITS_BY = {
    "initiative": "bureau",
    "exploration": "partner",
    "loi": "partner",
    "plan": "bureau",
    "tkksd": "tkksd",
    "dprd": "dprd",
    "ministry": "kemendagri",
    "drafting": "bureau",
    "initialling": "kemlu",
    "full_powers": "kemlu",
    "signing": "partner",
}


def generate(agreements, seed=2026, stdout=print):
    """Replace the register with ``agreements`` generated agreements (see the module doc)."""
    rng = random.Random(f"coopdb-bench-{seed}-{agreements}")
    started = time.perf_counter()
    clear()
    regions = list(Region.objects.order_by("code").values("id", "code", "name", "province_id"))
    by_province = {}
    for region in regions:
        by_province.setdefault(region["province_id"] or region["id"], []).append(region)
    # A deterministic "popularity" order: a few regions and sectors appear in most agreements.
    popular_regions = regions[:]
    rng.shuffle(popular_regions)
    sectors = list(Sector.objects.order_by("position", "slug").values_list("id", flat=True))
    popular_sectors = sectors[:]
    rng.shuffle(popular_sectors)
    load_sector_names()

    with transaction.atomic(), connection.cursor() as cursor:
        # A bulk load, not a web request: no statement limit for its COPYs.
        cursor.execute("SET LOCAL statement_timeout = 0")
        # The tallies are counted once at the end. Moved row by row, each write updated the same
        # few rows (every agreement of a kind adds to that kind's count) again and again in this
        # one transaction, whose every version of them PostgreSQL keeps and steps over: each
        # batch of 10,000 agreements took longer than the one before, 55 minutes for 100,000.
        cursor.execute("SET LOCAL session_replication_role = replica")
        partners = make_partners(rng, max(100, agreements // 20), cursor)
        names = dict(Partner.objects.values_list("id", "name"))
        copiers = {
            "agreement": Copier(Agreement),
            "regions": Copier(Agreement.regions.through),
            "partners": Copier(Agreement.partners.through),
            "sectors": Copier(Agreement.sectors.through),
            "milestone": Copier(Milestone),
            "document": Copier(Document),
        }
        ids = {"regions": 0, "partners": 0, "sectors": 0, "milestone": 0, "document": 0}
        signed_ids = []
        for pk in range(1, agreements + 1):
            scope = pick(rng, SCOPES)
            kind = pick(rng, KINDS[scope])
            lead = skewed(rng, popular_regions)
            party_regions = [lead]
            party_partners = []
            if scope == Scope.KSDD:
                neighbours = by_province[lead["province_id"] or lead["id"]]
                for _other in range(rng.choice([1, 1, 1, 2])):
                    other = rng.choice(neighbours) if rng.random() < 0.6 else rng.choice(regions)
                    if other not in party_regions:
                        party_regions.append(other)
                if len(party_regions) < 2:
                    party_regions.append(next(r for r in regions if r is not lead))
            elif scope == Scope.KSDPK:
                party_partners = rng.sample(partners["domestic"], rng.choice([1, 1, 1, 2]))
            elif scope == Scope.KSDPL:
                party_partners = [rng.choice(partners["government"])]
            else:
                party_partners = [rng.choice(partners["institution"])]
            agreement_sectors = list(
                dict.fromkeys(skewed(rng, popular_sectors) for _ in range(rng.randint(1, 3)))
            )

            unsigned = rng.randrange(100) < UNSIGNED_SHARE
            if unsigned:
                status = pick(rng, UNSIGNED)
                proposed = ANCHOR - days(rng.randint(10, 1500))
                signed = in_force = expires = None
            else:
                signed = signing_date(rng)
                proposed = signed - days(rng.randint(30, 400)) if rng.random() < 0.8 else None
                in_force = signed + days(rng.choice([0, 0, 0, 14, 30]))
                term = {"pks": [1, 2, 3], "mou": [3, 5], "loi": [1, 2]}.get(kind, [5, 10])
                expires = signed + days(365 * rng.choice(term)) if rng.random() < 0.92 else None
                if expires and expires < ANCHOR:
                    status = "expired" if rng.random() < 0.7 else "in_force"
                elif rng.random() < 0.04:
                    status = "terminated"
                else:
                    status = "in_force" if in_force <= ANCHOR else "signed"
            follows = relation = None
            if signed_ids and not unsigned and rng.random() < 0.08:
                follows = rng.choice(signed_ids[-5000:])
                relation = rng.choice(["implements", "extends", "amends", "spawns"])
            if not unsigned:
                signed_ids.append(pk)

            other_party = names[party_partners[0]] if party_partners else party_regions[1]["name"]
            sector_id = agreement_sectors[0]
            topic = rng.choice(TOPICS)
            year = (signed or proposed).year
            row = {
                "id": pk,
                "reference": (
                    f"{rng.randint(1, 999):03d}/{lead['code']}/KSD/{year}-{pk:06d}"
                    if rng.random() < 0.9
                    else ""
                ),
                "title": (
                    f"{KIND_WORDS[kind]} tentang {topic} bidang {SECTOR_NAMES[sector_id]} "
                    f"antara {lead['name']} dan {other_party}"
                ),
                "kind": kind,
                "scope": scope.value,
                "status": status,
                "lead_region_id": lead["id"],
                "summary": (
                    f"Kerja sama {topic} untuk mendukung "
                    f"{SECTOR_NAMES[rng.choice(agreement_sectors)].lower()} di "
                    f"{lead['name']}. Para pihak sepakat menyusun rencana aksi, "
                    f"melaksanakan kegiatan bersama dan melakukan monitoring serta evaluasi."
                ),
                "proposed_on": proposed,
                "signed_on": signed,
                "in_force_from": in_force,
                "expires_on": expires,
                "follows_id": follows,
                "relation": relation or "",
                "visibility": "internal" if rng.randrange(7) == 0 else "public",
                "source_url": f"https://jdih.example.go.id/naskah/{pk}" if pk % 4 == 0 else "",
                "created_at": ANCHOR_TIME - days(rng.randint(0, 3000)),
                "updated_at": ANCHOR_TIME - days(rng.randint(0, 900)),
            }
            copiers["agreement"].add(**row)
            for region in party_regions:
                ids["regions"] += 1
                copiers["regions"].add(id=ids["regions"], agreement_id=pk, region_id=region["id"])
            for partner in party_partners:
                ids["partners"] += 1
                copiers["partners"].add(id=ids["partners"], agreement_id=pk, partner_id=partner)
            for sector in agreement_sectors:
                ids["sectors"] += 1
                copiers["sectors"].add(id=ids["sectors"], agreement_id=pk, sector_id=sector)
            for milestone in milestones_of(rng, row, rng.randint(2, 8)):
                ids["milestone"] += 1
                copiers["milestone"].add(id=ids["milestone"], agreement_id=pk, **milestone)
            if rng.random() < 0.2:
                for n in range(rng.choice([1, 1, 2])):
                    ids["document"] += 1
                    copiers["document"].add(
                        id=ids["document"],
                        agreement_id=pk,
                        title="Naskah yang ditandatangani" if n == 0 else "Lampiran",
                        kind="signed_text" if n == 0 else "annex",
                        language="id",
                        file=f"documents/{year}/naskah-{pk}-{n}.pdf",
                    )
            if pk % 10000 == 0 or pk == agreements:
                # Agreements first: the other tables point at them.
                for name in ("agreement", "regions", "partners", "sectors", "milestone"):
                    copiers[name].flush(cursor)
                copiers["document"].flush(cursor)
                stdout(f"  {pk:,} agreements written", end="\r")
        for model in (
            Partner,
            Agreement,
            Agreement.regions.through,
            Agreement.partners.through,
            Agreement.sectors.through,
            Milestone,
            Document,
        ):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
            )
        # Where each cooperation stands, by the register's own rule (as every write path).
        Agreement.objects.all().refresh_progress()
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SELECT agreements_tally_rebuild()")
        # The register version moves on, as after any write: no page kept from before is used.
        cursor.execute(f"UPDATE {Agreement._meta.db_table} SET id = id WHERE false")
    # The planner's statistics describe the register just written, not the one before.
    refresh_planner_statistics()
    written = {
        "agreements": agreements,
        "milestones": ids["milestone"],
        "partners": len(names),
        "region_links": ids["regions"],
        "documents": ids["document"],
    }
    stdout(
        f"generated {agreements:,} agreements, {ids['milestone']:,} milestones, "
        f"{len(names):,} partners in {time.perf_counter() - started:.0f} s"
    )
    return written


SECTOR_NAMES = {}


def load_sector_names():
    SECTOR_NAMES.update(Sector.objects.values_list("id", "name_id"))


def vacuum_analyze():
    """Fresh statistics and visibility map, as a database some days old would have."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
