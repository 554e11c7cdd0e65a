"""The demo register: the five seed stories as they are told, and generated records around them.

``seed_demo()`` is what ``python manage.py seed_demo`` runs. It is idempotent: every agreement is
identified by its title and lead region, every partner by its name and country, the survey by
its title, date and host, a potential by its region and title; what exists already is left alone.

The five seed stories (``story_plans`` below) are entered with what they say and nothing more:
where a source names only a month, the date is recorded as known to the month
(``agreements.dates``);
where it names no partner, the partner is a placeholder that says it is not yet known.

The generated records are deterministic: one ``random.Random`` per family of related records,
seeded by a fixed string and the family's number, so a family's titles and parties never depend
on the day. Their dates are counted back or forward from ``today`` so that "expiring in 30 days",
"overdue" and "dormant" stay true whenever the demo is loaded, and no milestone is ever done in
the future. Every generated record says "Data contoh." at the start of its summary.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agreements.dates import DatePrecision
from agreements.models import (
    Agency,
    Agreement,
    Milestone,
    Potential,
    PotentialSurvey,
    Scope,
    Sector,
    Signatory,
    carries_out_text,
    required_stages,
)
from agreements.parties import add_parties_in_bulk
from partners.models import INDONESIA, Country, Partner, Region, Subdivision

DEMO_MARK = "Data contoh."
SEED = "coopdb-demo"

Kind = Agreement.Kind
Status = Agreement.Status
Relation = Agreement.Relation
MKind = Milestone.Kind
Waits = Milestone.WaitsOn
PKind = Partner.Kind


class ReferenceDataMissing(Exception):
    """The regions, countries, subdivisions or sectors the demo refers to are not in the DB."""


MONTH = DatePrecision.MONTH  # a date the source gives only to the month


# -- plans: what to write, before anything is written -----------------------------------------


@dataclass
class PartnerPlan:
    name: str
    kind: str
    country: str
    subdivision: str | None = None
    name_local: str = ""
    parent: str | None = None  # the parent partner's name (same country)


@dataclass
class MilestonePlan:
    kind: str
    title: str
    done_on: datetime.date | None = None
    due_on: datetime.date | None = None
    waits_on: str = ""
    rating: int | None = None
    findings: str = ""
    notes: str = ""
    precision: str = DatePrecision.DAY  # of done_on or due_on, whichever is given


@dataclass(eq=False)
class AgreementPlan:
    title: str
    kind: str
    scope: str
    status: str
    lead: str  # Kemendagri code of the lead region
    regions: list[str] = field(default_factory=list)  # every region party, lead included
    partners: list[str] = field(default_factory=list)  # partner names
    sectors: list[str] = field(default_factory=list)  # sector slugs
    summary: str = ""
    reference: str = ""
    proposed_on: datetime.date | None = None
    proposed_on_precision: str = DatePrecision.DAY
    signed_on: datetime.date | None = None
    in_force_from: datetime.date | None = None
    expires_on: datetime.date | None = None
    follows: "AgreementPlan | None" = None
    relation: str = ""
    visibility: str = Agreement.Visibility.PUBLIC
    milestones: list[MilestonePlan] = field(default_factory=list)
    # Implementing agencies as (region code, short name) of ``AGENCIES``.
    agencies: list[tuple[str, str]] = field(default_factory=list)
    # Who signed: (party, name, office).
    signatories: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self):
        if self.lead not in self.regions:
            self.regions.insert(0, self.lead)


@dataclass
class SurveyPlan:
    title: str
    held_on: datetime.date
    host: str
    participants_within: str  # every region within this code takes part
    organiser: str
    summary: str


# -- the seed stories ---------------------------------------------------------------------------

ANHUI = "Pemerintah Provinsi Anhui"
ANHUI_CITIES = "Kota di Provinsi Anhui (belum ditentukan)"
JIANGXI = "Pemerintah Provinsi Jiangxi"
JAPAN_INSTITUTIONS = "Lembaga dan instansi di Jepang (belum ditentukan)"
JAPAN_CITY = "Kota mitra di Jepang (belum ditentukan)"

STORY_PARTNERS = [
    PartnerPlan(ANHUI, PKind.FOREIGN_REGION, "CN", "CN-AH", "安徽省人民政府"),
    # Seed 000 speaks of "beberapa kota di Anhui" without naming one: a placeholder in Anhui
    # that says so, rather than a guessed city.
    PartnerPlan(ANHUI_CITIES, PKind.FOREIGN_CITY, "CN", "CN-AH", parent=ANHUI),
    PartnerPlan(JIANGXI, PKind.FOREIGN_REGION, "CN", "CN-JX", "江西省人民政府"),
    # Seed 003 names neither the institutions of the MoU nor the city of the sister city.
    PartnerPlan(JAPAN_INSTITUTIONS, PKind.OTHER, "JP"),
    PartnerPlan(JAPAN_CITY, PKind.FOREIGN_CITY, "JP"),
]

STORY_REGIONS = ["64", "64.71", "64.72", "62", "51", "53", "16.03"]
STORY_SECTORS = [
    "education",
    "trade",
    "investment",
    "tourism",
    "culture",
    "food-security",
    "industry",
    "village-empowerment",
    "msme",
    "marine-fisheries",
    "agriculture-livestock",
    "forestry-plantations",
    "transmigration",
    "human-resources",
    "urban-development",
    "technology",
]


def story_plans():
    """The agreements of seeds 000–003, in the order they are written (predecessors first)."""
    d = datetime.date
    plans = []

    # 000 — Kalimantan Timur and Anhui. The December 2023 "perjanjian persetujuan tentang
    # pembentukan kerja sama" is recorded as the LoI *stage* of this cooperation rather than as
    # an agreement of its own: the story gives it no title, number, day or content, only that it
    # opened the relationship whose own signing was planned for June 2024. A separate record
    # would have to invent what the story does not say. The story calls the June document only
    # "tanda tangan kerjasama", so its kind is "other" until the text is known.
    kaltim_anhui = AgreementPlan(
        title="Kerja sama Provinsi Kalimantan Timur dan Provinsi Anhui (Tiongkok)",
        kind=Kind.OTHER,
        scope=Scope.KSDPL,
        status=Status.EXPLORATION,
        lead="64",
        partners=[ANHUI],
        sectors=[
            "education",
            "trade",
            "investment",
            "tourism",
            "food-security",
            "industry",
            "village-empowerment",
        ],
        proposed_on=d(2023, 12, 1),
        proposed_on_precision=MONTH,  # "pada Desember 2023 lalu": the month, not a day
        # The story names the head of the village-empowerment agency as the delegation's voice.
        agencies=[("64", "DPMPD"), ("64", "Biro Pemotda")],
        summary=(
            "Pemerintah Provinsi Anhui menawarkan kerja sama kepada Pemprov Kaltim pada Desember "
            "2023 (hanya bulannya yang diketahui), diterima Pj Gubernur Kaltim Akmal Malik; "
            "hubungan kedua provinsi diawali penandatanganan perjanjian persetujuan tentang "
            "pembentukan kerja sama. Anhui melihat peluang usaha di Kaltim dengan adanya Ibu Kota "
            "Nusantara (IKN); Kaltim berharap investor mengisi kawasan penyangga. Pada April 2024 "
            "delegasi Kaltim (tim pendahulu) berkunjung ke Anhui menjajaki kerja sama di bidang "
            "pendidikan (beasiswa, pelatihan guru), perdagangan, investasi (hilirisasi industri), "
            "pariwisata dan ketahanan pangan sampai ke desa-desa. Penandatanganan direncanakan "
            "Juni 2024; durasi kerja sama akan diatur melalui Biro Pemerintahan dan capaiannya "
            "dievaluasi. Bentuk naskah belum disebutkan dalam sumber."
        ),
        milestones=[
            MilestonePlan(
                MKind.INITIATIVE,
                "Tawaran kerja sama dari Pemerintah Provinsi Anhui",
                done_on=d(2023, 12, 1),
                precision=MONTH,
                notes="Pemerintah Anhui mendatangi Kaltim dan diterima Pj Gubernur Akmal Malik.",
            ),
            MilestonePlan(
                MKind.LOI,
                "Penandatanganan perjanjian persetujuan tentang pembentukan kerja sama",
                done_on=d(2023, 12, 1),
                precision=MONTH,
            ),
            MilestonePlan(
                MKind.EXPLORATION,
                "Kunjungan delegasi Kaltim ke Provinsi Anhui",
                done_on=d(2024, 4, 23),
                notes="Tim pendahulu menjajaki rencana kerja sama; disampaikan Puguh Harjanto, "
                "Kepala Dinas Pemberdayaan Masyarakat Desa Kaltim.",
            ),
            MilestonePlan(
                MKind.SIGNING,
                "Penandatanganan kerja sama Kaltim–Anhui",
                due_on=d(2024, 6, 1),
                precision=MONTH,
                notes="Direncanakan Juni 2024.",
            ),
        ],
    )
    plans.append(kaltim_anhui)
    for code, city in (("64.72", "Kota Samarinda"), ("64.71", "Kota Balikpapan")):
        plans.append(
            AgreementPlan(
                title=f"Kota kembar {city} dengan kota di Provinsi Anhui (Tiongkok)",
                kind=Kind.SISTER_CITY,
                scope=Scope.KSDPL,
                status=Status.INITIATIVE,
                lead=code,
                partners=[ANHUI_CITIES],
                follows=kaltim_anhui,
                relation=Relation.SPAWNS,
                summary=(
                    f"Rencana kerja sama kota kembar (sister city) {city} dengan kota di Provinsi "
                    "Anhui, turunan dari kerja sama Kaltim–Anhui. Kota mitra di Anhui belum "
                    "disebutkan."
                ),
                milestones=[
                    MilestonePlan(
                        MKind.INITIATIVE,
                        "Rencana kota kembar disampaikan saat kunjungan delegasi Kaltim ke Anhui",
                        done_on=d(2024, 4, 23),
                        notes="Disampaikan Puguh Harjanto; kota mitra belum ditentukan.",
                    )
                ],
            )
        )

    # 001 — Kalimantan Tengah and Bali: an MoU between the governors, being explored.
    plans.append(
        AgreementPlan(
            title=(
                "Nota kesepahaman Gubernur Kalimantan Tengah dan Gubernur Bali tentang kerja sama "
                "pembangunan dan pengembangan potensi daerah"
            ),
            kind=Kind.MOU,
            scope=Scope.KSDD,
            status=Status.EXPLORATION,
            lead="62",
            regions=["62", "51"],
            sectors=[
                "tourism",
                "culture",
                "msme",
                "trade",
                "village-empowerment",
                "marine-fisheries",
                "agriculture-livestock",
                "forestry-plantations",
                "transmigration",
                "human-resources",
            ],
            summary=(
                "Nota kesepahaman untuk menyinergikan program dan mengoptimalkan sumber daya kedua "
                "provinsi dalam pembangunan dan pengembangan potensi daerah, dalam tahap "
                "penjajakan. Ruang lingkup: pariwisata dan kebudayaan, UMKM, perdagangan, "
                "pemberdayaan masyarakat desa, kelautan dan perikanan, pertanian dan peternakan, "
                "kehutanan dan perkebunan, transmigrasi, pengembangan SDM, dan bidang lain yang "
                "disepakati."
            ),
            milestones=[
                MilestonePlan(
                    MKind.EXPLORATION,
                    "Pertemuan Pj Sekda Kalteng dan Sekda Bali di Kantor Gubernur Bali",
                    done_on=d(2022, 3, 24),
                    notes="Penjajakan awal: Pj Sekda Kalteng Nuryakin dan Sekda Bali Dewa Made "
                    "Indra sepakat mempelajari konsep nota kesepahaman dan mempertajam ruang "
                    "lingkupnya.",
                ),
                MilestonePlan(
                    MKind.EXPLORATION,
                    "Kunjungan Gubernur Kalteng kepada Gubernur Bali membahas nota kesepahaman",
                    due_on=d(2022, 3, 26),
                    notes="Direncanakan Sabtu 26 Maret 2022.",
                ),
                MilestonePlan(
                    MKind.SIGNING,
                    "Penandatanganan nota kesepahaman (bila substansi disepakati)",
                    due_on=d(2022, 3, 26),
                    notes="Menurut Pj Sekda Kalteng, penandatanganan dimungkinkan saat kunjungan "
                    "26 Maret 2022 jika kedua pihak sudah sepakat pada substansi kerja sama.",
                ),
            ],
        )
    )

    # 002 — Nusa Tenggara Timur and Jiangxi: a signed LoI, the sister province in preparation.
    # The story gives no date for the LoI or for the study visits, and a milestone needs one, so
    # both are told in the LoI's summary instead of being given an invented date.
    ntt_sectors = [
        "investment",
        "agriculture-livestock",
        "marine-fisheries",
        "tourism",
        "culture",
        "industry",
    ]
    ntt_loi = AgreementPlan(
        title="Letter of Intent Provinsi Nusa Tenggara Timur dan Provinsi Jiangxi (Tiongkok)",
        kind=Kind.LOI,
        scope=Scope.KSDPL,
        status=Status.SIGNED,
        lead="53",
        partners=[JIANGXI],
        sectors=ntt_sectors,
        # No implementing agency: the story names none, and the sectors do not say which
        # agency of NTT carries the cooperation out.
        # Both parties signed; the story names only the governor of NTT.
        signatories=[
            (
                "Pemerintah Provinsi Nusa Tenggara Timur",
                "Viktor Bungtilu Laiskodat",
                "Gubernur Nusa Tenggara Timur",
            )
        ],
        summary=(
            "Pernyataan kehendak menuju provinsi kembar (sister province), ditandatangani kedua "
            "pihak saat kunjungan kerja Gubernur NTT Viktor Bungtilu Laiskodat ke Jiangxi; "
            "tanggal penandatanganan tidak disebutkan dalam sumber. Mencakup komitmen pertukaran "
            "pengetahuan, teknologi dan fasilitasi investasi. Dalam kunjungan itu delegasi NTT "
            "juga melakukan studi banding ke pusat industri dan pertanian unggulan di Jiangxi "
            "(tanggal tidak disebutkan). Fokus: investasi, pertanian ramah lingkungan, budidaya "
            "laut dan pengolahan hasil perikanan, promosi pariwisata NTT ke pasar Tiongkok, "
            "pertukaran budaya dan industri pengolahan."
        ),
    )
    plans.append(ntt_loi)
    plans.append(
        AgreementPlan(
            title="Provinsi kembar (sister province) Nusa Tenggara Timur dan Jiangxi (Tiongkok)",
            kind=Kind.SISTER_PROVINCE,
            scope=Scope.KSDPL,
            status=Status.PREPARATION,
            lead="53",
            partners=[JIANGXI],
            sectors=ntt_sectors,
            follows=ntt_loi,
            relation=Relation.IMPLEMENTS,
            summary=(
                "Dokumen resmi provinsi kembar NTT–Jiangxi, tindak lanjut LoI, diproses melalui "
                "Kementerian Luar Negeri RI dan lembaga terkait di Tiongkok; ditargetkan rampung "
                "pada awal tahun 2026."
            ),
            milestones=[
                MilestonePlan(
                    MKind.DRAFTING,
                    "Finalisasi dokumen provinsi kembar melalui Kementerian Luar Negeri",
                    due_on=d(2026, 3, 31),
                    waits_on=Waits.KEMLU,
                    notes="Target: awal 2026 (sumber tidak menyebut tanggal; akhir Maret 2026 "
                    "dicatat sebagai penanda).",
                )
            ],
        )
    )

    # 003 — Kabupaten Muara Enim and Japan: an MoU with institutions first, then a sister city.
    muara_enim_sectors = [
        "urban-development",
        "agriculture-livestock",
        "education",
        "technology",
        "human-resources",
    ]
    muara_enim_mou = AgreementPlan(
        title="Nota kesepahaman Kabupaten Muara Enim dengan lembaga dan instansi di Jepang",
        kind=Kind.MOU,
        scope=Scope.KSDLL,
        status=Status.EXPLORATION,
        lead="16.03",
        partners=[JAPAN_INSTITUTIONS],
        sectors=muara_enim_sectors,
        summary=(
            "Pendekatan kerja sama dengan Jepang diawali nota kesepahaman bersama lembaga dan "
            "instansi penting di sana, yang akan menindaklanjuti dan menggali potensi daerah "
            "yang bisa dikerjasamakan. Lembaga mitra belum disebutkan. Bidang: perkotaan, "
            "pertanian, pendidikan, teknologi dan peningkatan kemampuan SDM."
        ),
        milestones=[
            MilestonePlan(
                MKind.EXPLORATION,
                "Keberangkatan delegasi Kabupaten Muara Enim ke Jepang untuk penjajakan",
                done_on=d(2018, 4, 9),
                notes="Delegasi diketuai Bupati Muara Enim H. Muzakir Sai Sohar.",
            )
        ],
    )
    plans.append(muara_enim_mou)
    plans.append(
        AgreementPlan(
            title="Kota kembar (sister city) Kabupaten Muara Enim dengan kota di Jepang",
            kind=Kind.SISTER_CITY,
            scope=Scope.KSDPL,
            status=Status.INITIATIVE,
            lead="16.03",
            partners=[JAPAN_CITY],
            sectors=muara_enim_sectors,
            follows=muara_enim_mou,
            relation=Relation.IMPLEMENTS,
            summary=(
                "Rencana program kota kembar dengan Jepang, yang pertama bagi Muara Enim, dengan "
                "kota Muara Enim sebagai proyek percontohan; menyusul nota kesepahaman dengan "
                "lembaga dan instansi di Jepang. Kota mitra belum disebutkan."
            ),
            milestones=[
                MilestonePlan(
                    MKind.INITIATIVE,
                    "Rencana kota kembar disampaikan Sekda Muara Enim",
                    done_on=d(2018, 4, 9),
                    notes="Disampaikan Sekda Kabupaten Muara Enim Ir. H. Hasanuddin.",
                )
            ],
        )
    )
    return plans


# 004 — the Rakor of 2021. It lists no potentials, so none are entered for it.
STORY_SURVEY = SurveyPlan(
    title="Rakor Identifikasi Potensi Ekonomi Daerah Provinsi Kalimantan Timur",
    held_on=datetime.date(2021, 6, 8),
    host="64",
    participants_within="64",
    organiser="Pusat Fasilitasi Kerja Sama, Kementerian Dalam Negeri",
    summary=(
        "Rakor satu hari dalam rangka meningkatkan kerja sama daerah. Kalimantan Timur "
        "penyelenggara pertama dari 10 provinsi terpilih, sebagai percontohan, ditunjuk Pusat "
        "Fasilitasi Kerja Sama Kemendagri selaku pembina dan narasumber. Dihadiri Sekretaris "
        "Daerah 10 kabupaten/kota, Bappeda dan Bagian Kerja Sama kabupaten/kota, serta perangkat "
        "daerah lingkup Provinsi Kaltim. Hasil yang diharapkan: data potensi daerah tiap "
        "pemerintah daerah terkumpul."
    ),
)


# -- generated partners -------------------------------------------------------------------------

R, C = PKind.FOREIGN_REGION, PKind.FOREIGN_CITY
GENERATED_FOREIGN_GOVERNMENTS = [
    PartnerPlan(
        "Pemerintah Daerah Otonom Guangxi Zhuang", R, "CN", "CN-GX", "广西壮族自治区人民政府"
    ),
    PartnerPlan("Pemerintah Provinsi Fujian", R, "CN", "CN-FJ", "福建省人民政府"),
    PartnerPlan("Pemerintah Provinsi Guangdong", R, "CN", "CN-GD", "广东省人民政府"),
    PartnerPlan("Pemerintah Provinsi Zhejiang", R, "CN", "CN-ZJ", "浙江省人民政府"),
    PartnerPlan("Pemerintah Provinsi Yunnan", R, "CN", "CN-YN", "云南省人民政府"),
    PartnerPlan("Pemerintah Provinsi Hainan", R, "CN", "CN-HI", "海南省人民政府"),
    PartnerPlan("Pemerintah Provinsi Sichuan", R, "CN", "CN-SC", "四川省人民政府"),
    PartnerPlan("Pemerintah Provinsi Shandong", R, "CN", "CN-SD", "山东省人民政府"),
    PartnerPlan(
        "Pemerintah Kota Nanning",
        C,
        "CN",
        "CN-GX",
        "南宁市人民政府",
        "Pemerintah Daerah Otonom Guangxi Zhuang",
    ),
    PartnerPlan(
        "Pemerintah Kota Xiamen", C, "CN", "CN-FJ", "厦门市人民政府", "Pemerintah Provinsi Fujian"
    ),
    PartnerPlan(
        "Pemerintah Kota Guangzhou",
        C,
        "CN",
        "CN-GD",
        "广州市人民政府",
        "Pemerintah Provinsi Guangdong",
    ),
    PartnerPlan(
        "Pemerintah Kota Hangzhou",
        C,
        "CN",
        "CN-ZJ",
        "杭州市人民政府",
        "Pemerintah Provinsi Zhejiang",
    ),
    PartnerPlan("Pemerintah Prefektur Osaka", R, "JP", "JP-27", "大阪府"),
    PartnerPlan("Pemerintah Metropolitan Tokyo", R, "JP", "JP-13", "東京都"),
    PartnerPlan("Pemerintah Prefektur Hokkaido", R, "JP", "JP-01", "北海道"),
    PartnerPlan("Pemerintah Prefektur Fukuoka", R, "JP", "JP-40", "福岡県"),
    PartnerPlan("Pemerintah Prefektur Kanagawa", R, "JP", "JP-14", "神奈川県"),
    PartnerPlan("Pemerintah Prefektur Okinawa", R, "JP", "JP-47", "沖縄県"),
    PartnerPlan("Pemerintah Prefektur Hiroshima", R, "JP", "JP-34", "広島県"),
    PartnerPlan(
        "Pemerintah Kota Kitakyushu", C, "JP", "JP-40", "北九州市", "Pemerintah Prefektur Fukuoka"
    ),
    PartnerPlan(
        "Pemerintah Kota Yokohama", C, "JP", "JP-14", "横浜市", "Pemerintah Prefektur Kanagawa"
    ),
    PartnerPlan("Pemerintah Kota Sakai", C, "JP", "JP-27", "堺市", "Pemerintah Prefektur Osaka"),
    PartnerPlan("Pemerintah Kota Metropolitan Busan", C, "KR", "KR-26", "부산광역시"),
    PartnerPlan("Pemerintah Kota Khusus Seoul", C, "KR", "KR-11", "서울특별시"),
    PartnerPlan("Pemerintah Kota Metropolitan Incheon", C, "KR", "KR-28", "인천광역시"),
    PartnerPlan("Pemerintah Provinsi Gyeonggi", R, "KR", "KR-41", "경기도"),
    PartnerPlan("Pemerintah Provinsi Otonom Khusus Jeju", R, "KR", "KR-49", "제주특별자치도"),
    PartnerPlan("Pemerintah Provinsi Gyeongsang Selatan", R, "KR", "KR-48", "경상남도"),
    PartnerPlan(
        "Pemerintah Kota Changwon",
        C,
        "KR",
        "KR-48",
        "창원시",
        "Pemerintah Provinsi Gyeongsang Selatan",
    ),
    PartnerPlan("Pemerintah Negara Bagian Queensland", R, "AU", "AU-QLD"),
    PartnerPlan("Pemerintah Northern Territory", R, "AU", "AU-NT"),
    PartnerPlan("Pemerintah Negara Bagian Australia Barat", R, "AU", "AU-WA"),
    PartnerPlan("Pemerintah Negara Bagian New South Wales", R, "AU", "AU-NSW"),
    PartnerPlan("Pemerintah Negara Bagian Australia Selatan", R, "AU", "AU-SA"),
    PartnerPlan("Pemerintah Kota Darwin", C, "AU", "AU-NT", parent="Pemerintah Northern Territory"),
    PartnerPlan(
        "Pemerintah Kota Perth", C, "AU", "AU-WA", parent="Pemerintah Negara Bagian Australia Barat"
    ),
    PartnerPlan("Pemerintah Negeri Johor", R, "MY", "MY-01"),
    PartnerPlan("Pemerintah Negeri Sabah", R, "MY", "MY-12"),
    PartnerPlan("Pemerintah Negeri Sarawak", R, "MY", "MY-13"),
    PartnerPlan("Pemerintah Negeri Melaka", R, "MY", "MY-04"),
    PartnerPlan("Pemerintah Negeri Pulau Pinang", R, "MY", "MY-07"),
    PartnerPlan("Majlis Bandaraya Johor Bahru", C, "MY", "MY-01", parent="Pemerintah Negeri Johor"),
    PartnerPlan(
        "Dewan Bandaraya Kuching Utara", C, "MY", "MY-13", parent="Pemerintah Negeri Sarawak"
    ),
    PartnerPlan(
        "Dewan Bandaraya Kota Kinabalu", C, "MY", "MY-12", parent="Pemerintah Negeri Sabah"
    ),
    PartnerPlan("Pemerintah Provinsi Phuket", R, "TH", "TH-83", "จังหวัดภูเก็ต"),
    PartnerPlan("Pemerintah Provinsi Chiang Mai", R, "TH", "TH-50", "จังหวัดเชียงใหม่"),
    PartnerPlan("Pemerintah Provinsi Songkhla", R, "TH", "TH-90", "จังหวัดสงขลา"),
    PartnerPlan(
        "Komite Rakyat Kota Ho Chi Minh", C, "VN", "VN-SG", "Ủy ban nhân dân Thành phố Hồ Chí Minh"
    ),
    PartnerPlan(
        "Komite Rakyat Kota Da Nang", C, "VN", "VN-DN", "Ủy ban nhân dân thành phố Đà Nẵng"
    ),
    PartnerPlan("Pemerintah Provinsi Cebu", R, "PH", "PH-CEB"),
    PartnerPlan("Pemerintah Kota Davao", C, "PH", "PH-DAS"),
    PartnerPlan("Pemerintah Kota Dili", C, "TL", "TL-DI"),
    PartnerPlan("Pemerintah Negara Bagian Hawaii", R, "US", "US-HI"),
]

# Foreign institutions (KSDLL): agencies, international organisations, universities abroad.
GENERATED_FOREIGN_INSTITUTIONS = [
    PartnerPlan("Japan International Cooperation Agency (JICA)", PKind.NATIONAL_AGENCY, "JP"),
    PartnerPlan("Korea International Cooperation Agency (KOICA)", PKind.NATIONAL_AGENCY, "KR"),
    PartnerPlan(
        "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)",
        PKind.NATIONAL_AGENCY,
        "DE",
    ),
    PartnerPlan("United Nations Development Programme (UNDP)", PKind.INTERNATIONAL, "US"),
    PartnerPlan("Food and Agriculture Organization (FAO)", PKind.INTERNATIONAL, "IT"),
    PartnerPlan("Asian Development Bank (ADB)", PKind.INTERNATIONAL, "PH"),
    PartnerPlan("James Cook University", PKind.UNIVERSITY, "AU", "AU-QLD"),
    PartnerPlan("Hiroshima University", PKind.UNIVERSITY, "JP", "JP-34"),
]

# Domestic third parties (KSDPK). A university's home province, where its partners mostly are.
GENERATED_DOMESTIC = [
    (PartnerPlan("Universitas Mulawarman", PKind.UNIVERSITY, INDONESIA), "64"),
    (PartnerPlan("Universitas Gadjah Mada", PKind.UNIVERSITY, INDONESIA), "34"),
    (PartnerPlan("Universitas Indonesia", PKind.UNIVERSITY, INDONESIA), "32"),
    (PartnerPlan("Institut Teknologi Bandung", PKind.UNIVERSITY, INDONESIA), "32"),
    (PartnerPlan("Universitas Hasanuddin", PKind.UNIVERSITY, INDONESIA), "73"),
    (PartnerPlan("Universitas Udayana", PKind.UNIVERSITY, INDONESIA), "51"),
    (PartnerPlan("Universitas Nusa Cendana", PKind.UNIVERSITY, INDONESIA), "53"),
    (PartnerPlan("Universitas Sriwijaya", PKind.UNIVERSITY, INDONESIA), "16"),
    (PartnerPlan("IPB University", PKind.UNIVERSITY, INDONESIA), "32"),
    (PartnerPlan("PT PLN (Persero)", PKind.COMPANY, INDONESIA), None),
    (PartnerPlan("PT Telkom Indonesia (Persero) Tbk", PKind.COMPANY, INDONESIA), None),
    (PartnerPlan("Perum BULOG", PKind.COMPANY, INDONESIA), None),
    (PartnerPlan("PT Pos Indonesia (Persero)", PKind.COMPANY, INDONESIA), None),
    (PartnerPlan("PT Bank Rakyat Indonesia (Persero) Tbk", PKind.COMPANY, INDONESIA), None),
    (PartnerPlan("Palang Merah Indonesia", PKind.NGO, INDONESIA), None),
    (PartnerPlan("Yayasan WWF Indonesia", PKind.NGO, INDONESIA), None),
    (PartnerPlan("Yayasan Konservasi Alam Nusantara", PKind.NGO, INDONESIA), None),
]


def all_partner_plans():
    return (
        STORY_PARTNERS
        + GENERATED_FOREIGN_GOVERNMENTS
        + GENERATED_FOREIGN_INSTITUTIONS
        + [plan for plan, _home in GENERATED_DOMESTIC]
    )


# -- generated agreements -----------------------------------------------------------------------

# Sector slug → (the subject of an MoU, the subject of a PKS carrying it out, an activity).
TOPICS = {
    "education": (
        "Peningkatan Mutu Pendidikan",
        "Pertukaran Guru dan Beasiswa",
        "Pelatihan guru",
    ),
    "trade": (
        "Pengembangan Perdagangan",
        "Misi Dagang dan Promosi Produk Unggulan",
        "Misi dagang",
    ),
    "investment": (
        "Promosi dan Fasilitasi Penanaman Modal",
        "Forum Bisnis dan Fasilitasi Investasi",
        "Forum bisnis dan investasi",
    ),
    "tourism": (
        "Pengembangan Pariwisata",
        "Promosi Destinasi dan Paket Wisata Bersama",
        "Pameran pariwisata bersama",
    ),
    "culture": (
        "Pelestarian dan Pertukaran Budaya",
        "Festival dan Misi Kesenian",
        "Misi kesenian",
    ),
    "food-security": (
        "Ketahanan Pangan",
        "Pasokan Beras dan Cadangan Pangan",
        "Pengiriman cadangan pangan",
    ),
    "agriculture-livestock": (
        "Pengembangan Pertanian dan Peternakan",
        "Pengembangan Benih Unggul dan Inseminasi Buatan",
        "Demplot benih unggul",
    ),
    "marine-fisheries": (
        "Pengembangan Kelautan dan Perikanan",
        "Budidaya Perikanan dan Pengolahan Hasil Laut",
        "Pelatihan budidaya rumput laut",
    ),
    "forestry-plantations": (
        "Pengelolaan Hutan dan Perkebunan",
        "Peremajaan Kebun Rakyat",
        "Peremajaan kebun rakyat",
    ),
    "msme": (
        "Pemberdayaan UMKM",
        "Kurasi dan Pemasaran Produk UMKM",
        "Pameran produk UMKM",
    ),
    "village-empowerment": (
        "Pemberdayaan Masyarakat Desa",
        "Pendampingan Desa Mandiri",
        "Pendampingan desa",
    ),
    "human-resources": (
        "Pengembangan Sumber Daya Manusia",
        "Pelatihan Aparatur dan Magang",
        "Pelatihan aparatur",
    ),
    "transmigration": (
        "Pembangunan Kawasan Transmigrasi",
        "Penempatan dan Pembinaan Transmigran",
        "Pembinaan kawasan transmigrasi",
    ),
    "industry": (
        "Pengembangan Industri dan Hilirisasi",
        "Hilirisasi Komoditas Unggulan",
        "Kajian hilirisasi komoditas",
    ),
    "technology": (
        "Pemanfaatan Teknologi dan Inovasi",
        "Penerapan Teknologi Tepat Guna",
        "Alih teknologi",
    ),
    "urban-development": (
        "Pembangunan Perkotaan",
        "Penataan Kawasan Kota",
        "Lokakarya penataan kota",
    ),
    "health": (
        "Pelayanan Kesehatan",
        "Rujukan dan Pelatihan Tenaga Kesehatan",
        "Pelatihan tenaga kesehatan",
    ),
    "environment": (
        "Perlindungan Lingkungan Hidup",
        "Pengelolaan Sampah dan Rehabilitasi Lahan",
        "Penanaman pohon bersama",
    ),
    "infrastructure": (
        "Pembangunan Infrastruktur",
        "Pembangunan dan Pemeliharaan Jalan Penghubung",
        "Peninjauan jalan penghubung",
    ),
    "energy": (
        "Energi dan Sumber Daya Mineral",
        "Pengembangan Energi Terbarukan",
        "Pemasangan PLTS desa",
    ),
    "transport": (
        "Konektivitas dan Perhubungan",
        "Layanan Angkutan Antardaerah",
        "Uji coba trayek angkutan",
    ),
    "governance": (
        "Peningkatan Tata Kelola Pemerintahan",
        "Pertukaran Data dan Layanan Pemerintahan Digital",
        "Pertukaran data",
    ),
    "youth-sports": (
        "Kepemudaan dan Olahraga",
        "Pembinaan Atlet Daerah",
        "Pertandingan persahabatan",
    ),
    "disaster-management": (
        "Penanggulangan Bencana",
        "Kesiapsiagaan dan Tanggap Darurat Bencana",
        "Simulasi tanggap darurat",
    ),
}

# Who a planned step waits on.
STAGE_WAITS = {
    MKind.INITIATIVE: Waits.BUREAU,
    MKind.EXPLORATION: Waits.PARTNER,
    MKind.LOI: Waits.PARTNER,
    MKind.PLAN: Waits.BUREAU,
    MKind.TKKSD: Waits.TKKSD,
    MKind.DPRD: Waits.DPRD,
    MKind.MINISTRY: Waits.KEMENDAGRI,
    MKind.DRAFTING: Waits.KEMLU,
    MKind.INITIALLING: Waits.PARTNER,
    MKind.FULL_POWERS: Waits.KEMLU,
    MKind.SIGNING: Waits.PARTNER,
}
STAGE_TITLES = {
    MKind.INITIATIVE: "Surat usulan kerja sama",
    MKind.EXPLORATION: "Kunjungan penjajakan",
    MKind.LOI: "Penandatanganan pernyataan kehendak",
    MKind.PLAN: "Penyusunan rencana kerja sama dan kerangka acuan kerja",
    MKind.TKKSD: "Pembahasan oleh TKKSD",
    MKind.DPRD: "Persetujuan DPRD",
    MKind.MINISTRY: "Verifikasi oleh Kementerian Dalam Negeri",
    MKind.DRAFTING: "Penyusunan naskah",
    MKind.INITIALLING: "Paraf naskah",
    MKind.FULL_POWERS: "Penerbitan surat kuasa (full powers)",
    MKind.SIGNING: "Penandatanganan naskah",
}
FINDINGS = {
    1: "Belum ada kegiatan sejak penandatanganan; perlu ditinjau ulang.",
    2: "Sebagian kecil program terlaksana; koordinasi dengan mitra tersendat.",
    3: "Program berjalan sebagian; anggaran tahun berjalan terbatas.",
    4: "Sebagian besar program terlaksana sesuai rencana aksi.",
    5: "Seluruh program terlaksana; kerja sama diusulkan diperluas.",
}

# The fields a specialised partner works in; the others (universities, development agencies,
# governments) cooperate on anything.
SECTOR_HINTS = {
    "PT PLN (Persero)": ["energy", "infrastructure"],
    "PT Telkom Indonesia (Persero) Tbk": ["technology", "governance"],
    "Perum BULOG": ["food-security", "agriculture-livestock"],
    "PT Pos Indonesia (Persero)": ["msme", "trade", "governance"],
    "PT Bank Rakyat Indonesia (Persero) Tbk": ["msme", "village-empowerment"],
    "Palang Merah Indonesia": ["health", "disaster-management"],
    "Yayasan WWF Indonesia": ["environment", "forestry-plantations", "marine-fisheries"],
    "Yayasan Konservasi Alam Nusantara": ["environment", "marine-fisheries"],
    "Food and Agriculture Organization (FAO)": [
        "food-security",
        "agriculture-livestock",
        "marine-fisheries",
    ],
    "Asian Development Bank (ADB)": ["infrastructure", "urban-development", "health"],
    "United Nations Development Programme (UNDP)": [
        "governance",
        "disaster-management",
        "environment",
    ],
    "James Cook University": ["marine-fisheries", "education", "health"],
    "Hiroshima University": ["education", "disaster-management", "human-resources"],
}

DOMESTIC_ONLY_SECTORS = {"transmigration", "village-empowerment"}
DOMESTIC_NAMES = {plan.name for plan, _home in GENERATED_DOMESTIC}

# How many families of each shape. A family is one agreement or a short chain of them; the
# total is about 200 agreements.
FAMILY_SHAPES = (
    ["active"] * 30
    + ["expiring"] * 15
    + ["lapsed"] * 8
    + ["expired"] * 12
    + ["dormant"] * 14
    + ["extended"] * 8
    + ["chain"] * 10
    + ["mou_pks"] * 12
    + ["pipeline"] * 30
    + ["terminated"] * 4
    + ["cancelled"] * 4
    + ["awaiting_force"] * 5
    + ["amended"] * 4
)


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def days(n):
    return datetime.timedelta(days=n)


def lower_first(text):
    return text[:1].lower() + text[1:]


def party_name(region):
    """How a region is named in a title: "Provinsi Bali", "Kabupaten Badung", "Kota Denpasar"."""
    if region.level == Region.Level.PROVINCE:
        return f"Provinsi {region.name}"
    return region.name


class Generator:
    """Plans the generated agreements; see the module docstring for what stays deterministic."""

    def __init__(self, today, regions, sector_slugs):
        self.today = today
        self.regions = sorted(regions, key=lambda r: r.code)
        self.by_code = {r.code: r for r in self.regions}
        self.provinces = [r for r in self.regions if r.level == Region.Level.PROVINCE]
        self.cities = [r for r in self.regions if r.level == Region.Level.CITY]
        self.regencies = [r for r in self.regions if r.level == Region.Level.REGENCY]
        self.members = {}
        for region in self.regions:
            if region.province_id:
                self.members.setdefault(region.province_id, []).append(region)
        self.sector_slugs = [slug for slug in TOPICS if slug in sector_slugs]
        self.titles = set()

    # -- structure (independent of today) --

    def pick_lead(self, rng, level=None):
        level = level or rng.choices(["province", "regency", "city"], weights=[45, 30, 25])[0]
        pool = {"province": self.provinces, "regency": self.regencies, "city": self.cities}[level]
        return rng.choice(pool)

    def province_of(self, region):
        if region.level == Region.Level.PROVINCE:
            return region
        return next(p for p in self.provinces if p.pk == region.province_id)

    def pick_sectors(self, rng, partners):
        """One to four sectors; a specialised partner's own field comes first.

        Transmigration and village empowerment are domestic programmes: no foreign partner.
        """
        count = rng.choice([1, 1, 2, 2, 3, 4])
        pool = self.sector_slugs
        if partners and partners[0] not in DOMESTIC_NAMES:
            pool = [s for s in pool if s not in DOMESTIC_ONLY_SECTORS]
        hints = [s for s in SECTOR_HINTS.get(partners[0], []) if s in pool] if partners else []
        first = rng.choice(hints or pool)
        rest = rng.sample([s for s in pool if s != first], k=count - 1)
        return [first, *rest]

    def pick_parties(self, rng, scope):
        """(lead region, other regions, partner names) for a family of this scope."""
        if scope == Scope.KSDD:
            lead = self.pick_lead(rng)
            if lead.level == Region.Level.PROVINCE:
                other = rng.choice([p for p in self.provinces if p != lead])
            else:
                roll = rng.random()
                neighbours = [r for r in self.members[lead.province_id] if r != lead]
                if roll < 0.6 and neighbours:
                    other = rng.choice(neighbours)
                elif roll < 0.8:
                    other = self.province_of(lead)
                else:
                    other = rng.choice(
                        [c for c in self.cities if c.province_id != lead.province_id]
                    )
            return lead, [other], []
        if scope == Scope.KSDPK:
            partner, home = rng.choice(GENERATED_DOMESTIC)
            if home and home in self.by_code and rng.random() < 0.7:
                province = self.by_code[home]
                lead = rng.choice([province, *self.members[province.pk]])
            else:
                lead = self.pick_lead(rng)
            return lead, [], [partner.name]
        if scope == Scope.KSDPL:
            lead = self.pick_lead(
                rng, rng.choices(["province", "city", "regency"], [55, 35, 10])[0]
            )
            wanted = R if lead.level == Region.Level.PROVINCE else C
            pool = [p for p in GENERATED_FOREIGN_GOVERNMENTS if p.kind == wanted]
            return lead, [], [rng.choice(pool).name]
        lead = self.pick_lead(rng)
        return lead, [], [rng.choice(GENERATED_FOREIGN_INSTITUTIONS).name]

    def unique_title(self, title, lead):
        candidate, n = title, 1
        while (candidate, lead.code) in self.titles:
            n += 1
            candidate = f"{title} (Tahap {n})"
        self.titles.add((candidate, lead.code))
        return candidate

    def family(self, index, shape):
        """The records of family ``index``: structure first, then dates counted from today."""
        rng = random.Random(f"{SEED}-{index}")
        if shape == "chain":  # LoI → MoU → PKS is the usual road of cooperation abroad
            scope = rng.choice([Scope.KSDPL, Scope.KSDPL, Scope.KSDPL, Scope.KSDLL, Scope.KSDPK])
        else:
            scope = rng.choices(
                [Scope.KSDD, Scope.KSDPK, Scope.KSDPL, Scope.KSDLL], weights=[40, 25, 25, 10]
            )[0]
        lead, others, partners = self.pick_parties(rng, scope)
        sectors = self.pick_sectors(rng, partners)
        internal = rng.random() < 0.1
        a = f"Pemerintah {party_name(lead)}"
        b = partners[0] if partners else f"Pemerintah {party_name(others[0])}"
        mou_topic, pks_topic, _activity = TOPICS[sectors[0]]
        position = iter(range(1, 10))

        def plan(kind, title, **extra):
            return AgreementPlan(
                title=self.unique_title(title, lead),
                kind=kind,
                scope=scope,
                status=Status.INITIATIVE,
                lead=lead.code,
                regions=[lead.code] + [r.code for r in others],
                partners=list(partners),
                sectors=list(sectors),
                visibility=(
                    Agreement.Visibility.INTERNAL if internal else Agreement.Visibility.PUBLIC
                ),
                reference=f"{index + 1:03d}.{next(position)}",  # completed once signed
                **extra,
            )

        mou_word = "Kesepakatan Bersama" if scope == Scope.KSDD else "Nota Kesepahaman"
        main_kind = Kind.MOU
        main_title = f"{mou_word} antara {a} dan {b} tentang {mou_topic}"
        twinnable = shape in ("active", "dormant", "pipeline", "expiring")
        if scope == Scope.KSDPL and twinnable and rng.random() < 0.4:
            twin = f"{party_name(lead)} dan {partners[0].removeprefix('Pemerintah ')}"
            if lead.level == Region.Level.PROVINCE:
                main_kind, main_title = Kind.SISTER_PROVINCE, f"Provinsi Kembar {twin}"
            else:
                main_kind, main_title = Kind.SISTER_CITY, f"Kota Kembar {twin}"

        if shape == "chain":
            loi = plan(Kind.LOI, f"Pernyataan Kehendak antara {a} dan {b} tentang {mou_topic}")
            mou = plan(main_kind, main_title, follows=loi, relation=Relation.IMPLEMENTS)
            pks = plan(
                Kind.PKS,
                f"Perjanjian Kerja Sama antara {a} dan {b} tentang {pks_topic}",
                follows=mou,
                relation=Relation.IMPLEMENTS,
            )
            records = [loi, mou, pks]
        elif shape == "mou_pks":
            mou = plan(main_kind, main_title)
            records = [mou]
            for n in range(rng.choice([1, 1, 2])):
                topic = TOPICS[sectors[n % len(sectors)]][1]
                records.append(
                    plan(
                        Kind.PKS,
                        f"Perjanjian Kerja Sama antara {a} dan {b} tentang {topic}",
                        follows=mou,
                        relation=Relation.IMPLEMENTS,
                    )
                )
        elif shape == "extended":
            old = plan(main_kind, main_title)
            new = plan(
                main_kind, f"Perpanjangan {main_title}", follows=old, relation=Relation.EXTENDS
            )
            records = [old, new]
        elif shape == "amended":
            base = plan(main_kind, main_title)
            amendment = plan(
                Kind.AMENDMENT, f"Adendum {main_title}", follows=base, relation=Relation.AMENDS
            )
            records = [base, amendment]
        else:
            records = [plan(main_kind, main_title)]

        getattr(self, f"date_{shape}")(rng, records)
        for record in records:
            record.summary = self.summary(record, lead, b)
            # A number only for what has been signed; the family's number keeps it unique.
            record.reference = (
                f"CONTOH/{record.reference}/KSD/{record.signed_on.year}" if record.signed_on else ""
            )
        return records

    @staticmethod
    def summary(record, lead, with_whom):
        fields = ", ".join(lower_first(TOPICS[s][0]) for s in record.sectors)
        return (
            f"{DEMO_MARK} Kerja sama Pemerintah {party_name(lead)} dengan {with_whom} di bidang "
            f"{fields}. Dibuat otomatis untuk memperlihatkan register; bukan kerja sama yang "
            "sebenarnya."
        )

    # -- milestones --

    @staticmethod
    def stages_to_sign(record):
        """The steps before signing this record still has to go through itself.

        An LoI is the first document: before it come the initiative and exploration. What
        follows an earlier document skips the steps that document already took.
        """
        carries_out = record.follows is not None and carries_out_text(
            record.relation, record.follows.kind
        )
        stages = [
            s for s in required_stages(record.kind, record.scope, carries_out) if s != MKind.SIGNING
        ]
        if record.kind == Kind.LOI:
            return [MKind.INITIATIVE, MKind.EXPLORATION]
        if record.follows is not None:
            return [s for s in stages if s not in (MKind.INITIATIVE, MKind.EXPLORATION, MKind.LOI)]
        return stages

    def stages_before_signing(self, rng, record, signed_on, start_back):
        """Some of the pre-signing stages, done in order within ``start_back`` days of signing."""
        stages = self.stages_to_sign(record)
        n = len(stages)
        chosen = [
            stages[i] for i in sorted(rng.sample(range(n), k=rng.randint(min(2, n), min(5, n))))
        ]
        offsets = sorted(rng.sample(range(1, max(start_back, len(chosen) + 2)), k=len(chosen)))
        return [
            MilestonePlan(kind, STAGE_TITLES[kind], done_on=signed_on - days(offset))
            for kind, offset in zip(chosen, reversed(offsets), strict=True)
        ]

    def signing(self, record, signed_on):
        record.milestones.append(
            MilestonePlan(MKind.SIGNING, STAGE_TITLES[MKind.SIGNING], done_on=signed_on)
        )

    def sign(self, rng, record, signed_on, term_years, status=Status.IN_FORCE, lead_in=None):
        record.status = status
        record.signed_on = signed_on
        record.in_force_from = signed_on
        record.expires_on = add_years(signed_on, term_years) - days(1) if term_years else None
        record.proposed_on = signed_on - days(lead_in or rng.randint(120, 420))
        stages = self.stages_before_signing(
            rng, record, signed_on, (signed_on - record.proposed_on).days
        )
        if stages and stages[0].kind == MKind.INITIATIVE:
            # The proposal letter is the proposal: the page says "Diusulkan" on its day.
            record.proposed_on = stages[0].done_on
        record.milestones.extend(stages)
        self.signing(record, signed_on)

    def activities(self, rng, record, start, end, count):
        """``count`` done activities between ``start`` and ``end`` (never after today)."""
        end = min(end, self.today)
        if end <= start:
            return
        activity = TOPICS[record.sectors[0]][2]
        span = (end - start).days
        for offset in sorted(rng.sample(range(1, span + 1), k=min(count, span))):
            day = start + days(offset)
            record.milestones.append(
                MilestonePlan(MKind.ACTIVITY, f"{activity} {day.year}", done_on=day)
            )

    def evaluations(self, rng, record, start, end):
        """A yearly monitoring and evaluation, rated, from a year after ``start`` to ``end``."""
        day = add_years(start, 1)
        while day <= min(end, self.today):
            rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 4, 2])[0]
            record.milestones.append(
                MilestonePlan(
                    MKind.EVALUATION,
                    f"Monitoring dan evaluasi tahun {day.year}",
                    done_on=day,
                    rating=rating,
                    findings=FINDINGS[rating],
                )
            )
            day = add_years(day, 1)

    def planned(self, record, kind, title, due_on, waits_on, notes=""):
        record.milestones.append(
            MilestonePlan(kind, title, due_on=due_on, waits_on=waits_on, notes=notes)
        )

    # -- one method per family shape --

    def date_active(self, rng, records):
        (record,) = records
        signed = self.today - days(rng.randint(200, 1600))
        # Long enough to be in force for at least another half year.
        term = 5 if (self.today - signed).days > 900 else rng.choice([3, 5])
        self.sign(rng, record, signed, term)
        self.activities(rng, record, signed, self.today - days(20), rng.randint(1, 4))
        self.evaluations(rng, record, signed, self.today)
        recent = self.today - days(rng.randint(10, 250))
        record.milestones.append(
            MilestonePlan(
                MKind.ACTIVITY, f"{TOPICS[record.sectors[0]][2]} {recent.year}", done_on=recent
            )
        )
        due = self.today + days(rng.randint(20, 200))
        self.planned(
            record, MKind.EVALUATION, f"Monitoring dan evaluasi tahun {due.year}", due, Waits.BUREAU
        )
        if rng.random() < 0.35:
            # Overdue: a report the partner owes.
            self.planned(
                record,
                MKind.ACTIVITY,
                "Laporan pelaksanaan program dari mitra",
                self.today - days(rng.randint(10, 120)),
                Waits.PARTNER,
            )

    def date_expiring(self, rng, records):
        # In force and ending within 30, 90 or 180 days; the extension talks may be overdue.
        (record,) = records
        expires = self.today + days(rng.randint(*rng.choice([(3, 29), (31, 89), (91, 179)])))
        term = rng.choice([2, 3, 5])
        signed = add_years(expires + days(1), -term)
        self.sign(rng, record, signed, term)
        record.expires_on = expires
        self.activities(rng, record, signed, self.today, rng.randint(1, 3))
        self.evaluations(rng, record, signed, self.today)
        self.planned(
            record,
            MKind.EXTENSION,
            "Pembahasan perpanjangan kerja sama",
            expires - days(rng.randint(30, 90)),
            rng.choice([Waits.TKKSD, Waits.PARTNER, Waits.BUREAU, Waits.DPRD]),
        )

    def date_lapsed(self, rng, records):
        # Recorded as in force although the term has run out: the register shows it expired.
        (record,) = records
        expires = self.today - days(rng.randint(15, 700))
        term = rng.choice([2, 3, 5])
        signed = add_years(expires + days(1), -term)
        self.sign(rng, record, signed, term)
        self.activities(rng, record, signed, expires, rng.randint(1, 3))

    def date_expired(self, rng, records):
        (record,) = records
        term = rng.choice([2, 3, 5])
        signed = self.today - days(rng.randint(term * 366 + 100, 4200))  # back to 2015
        self.sign(rng, record, signed, term, status=Status.EXPIRED)
        expires = record.expires_on
        self.activities(rng, record, signed, expires, rng.randint(0, 3))
        self.evaluations(rng, record, signed, expires)

    def date_dormant(self, rng, records):
        # In force, nothing done or evaluated for well over a year (mati suri).
        (record,) = records
        signed = self.today - days(rng.randint(550, 1700))
        self.sign(rng, record, signed, 5)
        if rng.random() < 0.6:
            last = min(signed + days(rng.randint(20, 120)), self.today - days(420))
            self.activities(rng, record, signed, last, 1)

    def date_extended(self, rng, records):
        old, new = records
        old_expires = self.today - days(rng.randint(60, 1500))
        term = rng.choice([3, 5])
        old_signed = add_years(old_expires + days(1), -term)
        self.sign(rng, old, old_signed, term, status=Status.EXPIRED)
        self.activities(rng, old, old_signed, old_expires, rng.randint(1, 3))
        self.evaluations(rng, old, old_signed, old_expires)
        new_signed = old_expires - days(rng.randint(0, 45))
        new.status = Status.IN_FORCE
        new.signed_on = new_signed
        new.in_force_from = old_expires + days(1)
        new.expires_on = add_years(old_expires, term)
        new.proposed_on = new_signed - days(rng.randint(60, 200))
        new.milestones.append(
            MilestonePlan(
                MKind.EXTENSION,
                "Pembahasan perpanjangan kerja sama",
                done_on=new.proposed_on + days(rng.randint(10, 50)),
            )
        )
        self.signing(new, new_signed)
        self.activities(rng, new, new.in_force_from, self.today, rng.randint(0, 2))
        self.evaluations(rng, new, new.in_force_from, self.today)

    def date_chain(self, rng, records):
        loi, mou, pks = records
        loi_signed = self.today - days(rng.randint(900, 4000))
        self.sign(rng, loi, loi_signed, None, status=Status.SIGNED)
        loi.in_force_from = None
        mou_signed = loi_signed + days(rng.randint(150, 500))
        self.sign(rng, mou, mou_signed, 5, lead_in=(mou_signed - loi_signed).days - 1)
        if mou.expires_on < self.today:
            mou.status = Status.EXPIRED
        pks_signed = mou_signed + days(rng.randint(60, 400))
        if pks_signed < self.today - days(30) and rng.random() < 0.7:
            self.sign(rng, pks, pks_signed, 2, lead_in=(pks_signed - mou_signed).days - 1)
            if pks.expires_on < self.today:
                pks.status = Status.EXPIRED
            self.activities(rng, pks, pks_signed, pks.expires_on, rng.randint(1, 4))
            self.evaluations(rng, pks, pks_signed, pks.expires_on)
        else:
            self.pipeline(rng, pks, start=min(mou_signed + days(30), self.today - days(60)))
        self.activities(rng, mou, mou_signed, mou.expires_on, rng.randint(0, 2))

    def date_mou_pks(self, rng, records):
        mou, *pkss = records
        mou_signed = self.today - days(rng.randint(400, 3000))
        self.sign(rng, mou, mou_signed, 5)
        if mou.expires_on < self.today:
            mou.status = Status.EXPIRED
        self.evaluations(rng, mou, mou_signed, mou.expires_on)
        for pks in pkss:
            pks_signed = mou_signed + days(rng.randint(45, 360))
            if pks_signed < self.today - days(10):
                self.sign(rng, pks, pks_signed, rng.choice([1, 2, 3]), lead_in=30)
                if pks.expires_on < self.today:
                    pks.status = Status.EXPIRED
                self.activities(rng, pks, pks_signed, pks.expires_on, rng.randint(1, 4))
            else:
                self.pipeline(rng, pks, start=mou_signed)

    def pipeline(self, rng, record, start=None):
        """Not signed yet: the stages done so far, the next one planned (sometimes overdue)."""
        stages = self.stages_to_sign(record)
        # Most plans stall early: the lower of two draws. A text that carries out another has
        # only its drafting ahead.
        last = len(stages) - 1
        reached = min(rng.randint(1, last), rng.randint(1, last)) if last >= 1 else 0
        begin = start or self.today - days(rng.randint(60, 1000))
        span = (self.today - days(5) - begin).days
        offsets = sorted(rng.sample(range(1, span + 1), k=reached))
        for kind, offset in zip(stages[:reached], offsets, strict=True):
            record.milestones.append(
                MilestonePlan(kind, STAGE_TITLES[kind], done_on=begin + days(offset))
            )
        next_stage = stages[reached]
        waits = STAGE_WAITS[next_stage]
        if next_stage == MKind.DRAFTING and record.scope in (Scope.KSDD, Scope.KSDPK):
            waits = Waits.BUREAU  # a domestic text needs no Foreign Ministry
        due = self.today + days(rng.randint(-150, 240))
        self.planned(record, next_stage, STAGE_TITLES[next_stage], due, waits)
        record.proposed_on = record.milestones[0].done_on if reached else begin
        early = (MKind.INITIATIVE, MKind.EXPLORATION, MKind.LOI)
        record.status = Status.EXPLORATION if next_stage in early else Status.PREPARATION

    def date_pipeline(self, rng, records):
        (record,) = records
        if rng.random() < 0.15:
            # Only an idea so far.
            record.status = Status.INITIATIVE
            day = self.today - days(rng.randint(5, 300))
            record.proposed_on = day
            record.milestones.append(
                MilestonePlan(MKind.INITIATIVE, STAGE_TITLES[MKind.INITIATIVE], done_on=day)
            )
            self.planned(
                record,
                MKind.EXPLORATION,
                STAGE_TITLES[MKind.EXPLORATION],
                day + days(rng.randint(30, 200)),
                Waits.PARTNER,
            )
            return
        self.pipeline(rng, record)

    def date_terminated(self, rng, records):
        (record,) = records
        signed = self.today - days(rng.randint(1500, 4000))
        self.sign(rng, record, signed, 5, status=Status.TERMINATED)
        ended = signed + days(rng.randint(200, 700))
        self.activities(rng, record, signed, ended, 1)
        record.milestones.append(
            MilestonePlan(
                MKind.TERMINATION,
                "Pengakhiran kerja sama atas kesepakatan para pihak",
                done_on=ended,
                notes="Program tidak lagi sejalan dengan prioritas daerah.",
            )
        )

    def date_cancelled(self, rng, records):
        (record,) = records
        record.status = Status.CANCELLED
        day = self.today - days(rng.randint(200, 3500))
        record.proposed_on = day
        record.milestones.append(
            MilestonePlan(MKind.INITIATIVE, STAGE_TITLES[MKind.INITIATIVE], done_on=day)
        )
        record.milestones.append(
            MilestonePlan(
                MKind.EXPLORATION,
                STAGE_TITLES[MKind.EXPLORATION],
                done_on=day + days(rng.randint(20, 120)),
                notes="Para pihak tidak melanjutkan; rencana dibatalkan.",
            )
        )

    def date_awaiting_force(self, rng, records):
        # Signed recently, in force from a later date (or once the partner confirms).
        (record,) = records
        signed = self.today - days(rng.randint(3, 40))
        self.sign(rng, record, signed, rng.choice([3, 5]), status=Status.SIGNED)
        if rng.random() < 0.6:
            record.in_force_from = self.today + days(rng.randint(5, 60))
        else:
            record.in_force_from = None
            self.planned(
                record,
                MKind.OTHER,
                "Konfirmasi mulai berlaku dari mitra",
                self.today + days(rng.randint(10, 60)),
                Waits.PARTNER,
            )

    def date_amended(self, rng, records):
        base, amendment = records
        signed = self.today - days(rng.randint(500, 1500))
        self.sign(rng, base, signed, 5)
        self.activities(rng, base, signed, self.today, rng.randint(1, 3))
        self.evaluations(rng, base, signed, self.today)
        amended = signed + days(rng.randint(120, (self.today - signed).days - 30))
        amendment.status = Status.IN_FORCE
        amendment.signed_on = amended
        amendment.in_force_from = amended
        amendment.expires_on = base.expires_on
        amendment.proposed_on = amended - days(rng.randint(30, 120))
        amendment.milestones.append(
            MilestonePlan(
                MKind.DRAFTING, "Penyusunan naskah adendum", done_on=amendment.proposed_on
            )
        )
        self.signing(amendment, amended)

    def plans(self):
        order = random.Random(f"{SEED}-order").sample(FAMILY_SHAPES, k=len(FAMILY_SHAPES))
        plans = []
        for index, shape in enumerate(order):
            plans.extend(self.family(index, shape))
        return plans


# Implementing agencies (OPD) of the story regions: (name, short name). Every province also
# has ``PROVINCE_AGENCIES``, so generated cooperations of any province name theirs.
AGENCIES = {
    "64": [
        ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("Biro Pemerintahan dan Otonomi Daerah", "Biro Pemotda"),
        ("Dinas Pendidikan dan Kebudayaan", "Disdikbud"),
        ("Dinas Pemberdayaan Masyarakat dan Pemerintahan Desa", "DPMPD"),
        ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
        ("Dinas Pariwisata", "Dispar"),
    ],
    "64.71": [
        ("Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan", "Bappedalitbang"),
        ("Dinas Pendidikan dan Kebudayaan", "Disdikbud"),
    ],
    "64.72": [
        ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("Dinas Pendidikan", "Disdik"),
    ],
    "62": [
        ("Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", "Bapperida"),
        ("Dinas Kebudayaan dan Pariwisata", "Disbudpar"),
    ],
    "51": [
        ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("Dinas Pariwisata", "Dispar"),
        ("Dinas Kebudayaan", "Disbud"),
    ],
    "53": [
        ("Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah", "Bappelitbangda"),
        ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
        ("Dinas Kelautan dan Perikanan", "DKP"),
        ("Dinas Pertanian dan Ketahanan Pangan", "Distanak"),
    ],
    "16.03": [
        ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("Dinas Pendidikan", "Disdik"),
    ],
}
PROVINCE_AGENCIES = [
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("Dinas Pendidikan", "Disdik"),
    ("Dinas Pariwisata", "Dispar"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
]
# Which agency carries out a generated cooperation of each sector (short names, first found).
SECTOR_AGENCIES = {
    "education": ("Disdik", "Disdikbud"),
    "tourism": ("Dispar", "Disbudpar"),
    "culture": ("Disbud", "Disbudpar", "Disdikbud"),
    "investment": ("DPMPTSP",),
    "trade": ("DPMPTSP",),
    "marine-fisheries": ("DKP",),
    "agriculture-livestock": ("Distanak",),
    "food-security": ("Distanak",),
    "village-empowerment": ("DPMPD",),
}
PLANNERS = ("Bappeda", "Bappedalitbang", "Bapperida", "Bappelitbangda")


def agency_lists(regions):
    """{region code: [(name, short name)]}: ``AGENCIES``, and ``PROVINCE_AGENCIES`` for every
    other province among ``regions``."""
    lists = {r.code: PROVINCE_AGENCIES for r in regions if r.level == Region.Level.PROVINCE}
    lists.update(AGENCIES)
    return lists


def implementing_agencies(plan, lists):
    """The agencies a generated cooperation names: the lead region's agency for its first
    sector that has one, else its planning agency; none where the region keeps no list."""
    shorts = {short for _name, short in lists.get(plan.lead, ())}
    for sector in plan.sectors:
        for short in SECTOR_AGENCIES.get(sector, ()):
            if short in shorts:
                return [(plan.lead, short)]
    return [(plan.lead, short) for short in PLANNERS if short in shorts][:1]


# Potentials a few regions offer, as examples; seed 004 names none, so none belong to its survey.
GENERATED_POTENTIALS = [
    ("51", "tourism", "Desa wisata berbasis budaya", "Paket desa wisata dan kerajinan lokal."),
    ("53", "marine-fisheries", "Budidaya rumput laut", "Sentra budidaya di pesisir selatan."),
    ("53", "agriculture-livestock", "Peternakan sapi potong", "Padang penggembalaan terbuka."),
    ("73", "forestry-plantations", "Kakao rakyat", "Kebun kakao rakyat siap diremajakan."),
    ("16.03", "energy", "Pembangkit listrik mulut tambang", "Kawasan tambang batu bara."),
    ("34", "msme", "Kerajinan perak dan batik", "Sentra perajin siap ekspor."),
    ("12", "agriculture-livestock", "Kopi arabika dataran tinggi", "Lahan kopi di pegunungan."),
    ("62", "forestry-plantations", "Rotan dan hasil hutan bukan kayu", "Bahan baku industri."),
]


# -- writing -----------------------------------------------------------------------------------


def check_reference_data():
    """Refuse early, saying what is missing, unless ``load_reference_data`` has run."""
    if not Region.objects.provinces().exists():
        raise ReferenceDataMissing(
            "Data rujukan belum dimuat. Jalankan dulu: python manage.py load_reference_data"
        )
    missing = []
    codes = set(Region.objects.filter(code__in=STORY_REGIONS).values_list("code", flat=True))
    if set(STORY_REGIONS) - codes:
        missing.append("kabupaten/kota (" + ", ".join(sorted(set(STORY_REGIONS) - codes)) + ")")
    plans = all_partner_plans()
    countries = {p.country for p in plans}
    if countries - set(Country.objects.filter(code__in=countries).values_list("code", flat=True)):
        missing.append("negara")
    subdivisions = {p.subdivision for p in plans if p.subdivision}
    found = set(Subdivision.objects.filter(code__in=subdivisions).values_list("code", flat=True))
    if subdivisions - found:
        missing.append("subdivisi ISO 3166-2 (" + ", ".join(sorted(subdivisions - found)) + ")")
    slugs = set(Sector.objects.filter(slug__in=STORY_SECTORS).values_list("slug", flat=True))
    if set(STORY_SECTORS) - slugs:
        missing.append("bidang (" + ", ".join(sorted(set(STORY_SECTORS) - slugs)) + ")")
    if missing:
        raise ReferenceDataMissing(
            "Data rujukan belum dimuat atau tidak lengkap ("
            + "; ".join(missing)
            + "). Jalankan dulu: python manage.py load_reference_data"
        )


def write_partners(plans):
    """Create the partners not yet there; return every one by name, and how many were new."""
    country_of = {p.name: p.country for p in plans}
    by_name = {
        partner.name: partner
        for partner in Partner.objects.filter(name__in=country_of)
        if partner.country_id == country_of[partner.name]
    }
    created = 0
    for with_parent in (False, True):  # parents first, so children can point at them
        new = [
            Partner(
                name=p.name,
                kind=p.kind,
                country_id=p.country,
                subdivision_id=p.subdivision,
                name_local=p.name_local,
                parent=by_name[p.parent] if p.parent else None,
            )
            for p in plans
            if p.name not in by_name and bool(p.parent) == with_parent
        ]
        for partner in new:
            partner.clean()
        for partner in bulk_create_with_history(new, Partner):
            by_name[partner.name] = partner
            created += 1
    return by_name, created


def write_agencies(lists, regions):
    """Create the agencies of ``lists`` not yet there; return every one by (region code, short
    name), and how many were new."""
    existing = {
        (agency.region.code, agency.name): agency
        for agency in Agency.objects.filter(region__code__in=lists).select_related("region")
    }
    new = [
        Agency(region=regions[code], name=name, short_name=short)
        for code, rows in lists.items()
        if code in regions
        for name, short in rows
        if (code, name) not in existing
    ]
    created = bulk_create_with_history(new, Agency)
    by_short = {}
    for agency in [*existing.values(), *created]:
        by_short[(agency.region.code, agency.short_name)] = agency
    return by_short, len(created)


def write_agreements(plans, regions, partners, sectors, agencies=None):
    """Create the planned agreements not yet there (by title and lead region); ``agencies`` by
    (region code, short name), as ``write_agencies`` returns them.

    Agreements are written in waves so that each follower is written after what it follows;
    milestones and the many-to-many rows of the new agreements follow in one insert each, and
    each agreement's first history entry is then brought up to date with its parties
    (``agreements.parties``), so it holds them from the start.
    """
    agencies = agencies or {}
    existing = {
        (title, lead): pk
        for title, lead, pk in Agreement.objects.filter(
            title__in={p.title for p in plans}
        ).values_list("title", "lead_region__code", "pk")
    }
    pk_of = {}
    for plan in plans:
        if (plan.title, plan.lead) in existing:
            pk_of[plan] = existing[(plan.title, plan.lead)]
    pending = [p for p in plans if p not in pk_of]
    created = []
    while pending:
        wave = [p for p in pending if p.follows is None or p.follows in pk_of]
        objects = []
        for plan in wave:
            agreement = Agreement(
                reference=plan.reference,
                title=plan.title,
                kind=plan.kind,
                scope=plan.scope,
                status=plan.status,
                lead_region=regions[plan.lead],
                summary=plan.summary,
                proposed_on=plan.proposed_on,
                proposed_on_precision=plan.proposed_on_precision,
                signed_on=plan.signed_on,
                in_force_from=plan.in_force_from,
                expires_on=plan.expires_on,
                follows_id=pk_of[plan.follows] if plan.follows else None,
                relation=plan.relation,
                visibility=plan.visibility,
            )
            agreement.clean()
            errors = Agreement.party_errors(
                plan.scope,
                regions[plan.lead],
                [regions[c] for c in plan.regions],
                [partners[n] for n in plan.partners],
                [agencies[key] for key in plan.agencies],
            )
            if errors:
                raise ValueError(f"{plan.title}: {errors}")
            objects.append(agreement)
        for plan, agreement in zip(wave, bulk_create_with_history(objects, Agreement), strict=True):
            pk_of[plan] = agreement.pk
            created.append(plan)
        pending = [p for p in pending if p not in pk_of]

    add_parties_in_bulk(
        {
            pk_of[p]: {
                "regions": [regions[c].pk for c in p.regions],
                "partners": [partners[n].pk for n in p.partners],
                "sectors": [sectors[s].pk for s in p.sectors if s in sectors],
                "agencies": [agencies[key].pk for key in p.agencies],
            }
            for p in created
        }
    )
    bulk_create_with_history(
        [
            Signatory(agreement_id=pk_of[plan], party=party, name=name, office=office, position=n)
            for plan in created
            for n, (party, name, office) in enumerate(plan.signatories)
        ],
        Signatory,
    )
    milestones = []
    for plan in created:
        for m in plan.milestones:
            milestone = Milestone(
                agreement_id=pk_of[plan],
                kind=m.kind,
                title=m.title,
                done_on=m.done_on,
                due_on=m.due_on,
                done_on_precision=m.precision if m.done_on else DatePrecision.DAY,
                due_on_precision=m.precision if m.due_on else DatePrecision.DAY,
                waits_on=m.waits_on,
                rating=m.rating,
                findings=m.findings,
                notes=m.notes,
            )
            milestone.clean()
            milestones.append(milestone)
    bulk_create_with_history(milestones, Milestone)
    return len(created), len(milestones)


def write_survey(plan, regions):
    host = regions[plan.host]
    survey, created = PotentialSurvey.objects.get_or_create(
        title=plan.title,
        held_on=plan.held_on,
        host_region=host,
        defaults={"organiser": plan.organiser, "summary": plan.summary},
    )
    if created:
        survey.participants.set(Region.objects.within(host))
    return int(created)


def write_potentials(regions, sectors):
    existing = set(Potential.objects.values_list("region__code", "title"))
    new = [
        Potential(
            region=regions[code],
            sector=sectors[slug],
            title=title,
            description=f"{DEMO_MARK} {description}",
        )
        for code, slug, title, description in GENERATED_POTENTIALS
        if code in regions and slug in sectors and (code, title) not in existing
    ]
    bulk_create_with_history(new, Potential)
    return len(new)


@dataclass
class SeedReport:
    agreements: int = 0
    milestones: int = 0
    partners: int = 0
    surveys: int = 0
    potentials: int = 0
    agencies: int = 0


def seed_demo(today=None):
    """Write the demo register (see the module docstring); return what was created.

    Raises ``ReferenceDataMissing`` before writing anything if reference data is absent.
    """
    today = today or timezone.localdate()
    check_reference_data()
    with transaction.atomic():
        report = SeedReport()
        regions = {r.code: r for r in Region.objects.all()}
        sectors = {s.slug: s for s in Sector.objects.all()}
        partner_plans = all_partner_plans()
        partners, report.partners = write_partners(partner_plans)
        lists = agency_lists(regions.values())
        agencies, report.agencies = write_agencies(lists, regions)
        generated = Generator(today, regions.values(), set(sectors)).plans()
        for plan in generated:
            plan.agencies = implementing_agencies(plan, lists)
        report.agreements, report.milestones = write_agreements(
            story_plans() + generated, regions, partners, sectors, agencies
        )
        report.surveys = write_survey(STORY_SURVEY, regions)
        report.potentials = write_potentials(regions, sectors)
        # Where each cooperation stands, by the register's own rule (as every write path).
        Agreement.objects.all().refresh_progress()
    return report


DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "coopdb-demo"  # published: the local demo only


def ensure_demo_admin(debug):
    """Create the demo administrator on a local (DEBUG) site that has no superuser yet.

    Returns ``"created"``, ``"exists"`` (a superuser is already there: nothing is touched) or
    ``"skipped"`` (not in DEBUG: a real site never gets a published password).
    """
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return "exists"
    if not debug:
        return "skipped"
    User.objects.create_superuser(
        username=DEMO_ADMIN_USERNAME,
        email=demo_email(DEMO_ADMIN_USERNAME),
        password=DEMO_ADMIN_PASSWORD,
    )
    return "created"


def demo_admin_works():
    """Whether ``admin`` / ``coopdb-demo`` logs in, so the login line printed is true."""
    user = get_user_model().objects.filter(username=DEMO_ADMIN_USERNAME).first()
    return bool(user and user.is_superuser and user.check_password(DEMO_ADMIN_PASSWORD))


# (username, role group, staff, region codes): one user per role, so a first look can see what
# each role sees. Created only on a local (DEBUG) site, with the demo password. Each has an
# address under a reserved domain (RFC 2606), so the first ``send_reminders`` of a demo shows the
# editors' digests on the console and mails nobody.
DEMO_ROLE_USERS = [
    ("editor_kaltim", "Editor", True, ["64"]),
    ("editor_bali", "Editor", True, ["51"]),
    ("pejabat", "Pejabat", True, []),
    ("analis", "Analis", False, []),
]
DEMO_EMAIL_DOMAIN = "demo.coopdb.invalid"


def demo_email(username):
    return f"{username.replace('_', '.')}@{DEMO_EMAIL_DOMAIN}"


def ensure_demo_role_users(debug):
    """Create the demo users of each role that do not exist yet, and give back to those that
    do what their role needs and they lost (its group, the staff flag it needs, the regions it
    edits), so the users printed are what they are said to be; returns their usernames.

    Nothing is taken away: a group, a region or a password given since stays. A demo user made
    before they had an address gets one, so an older demo reminds too.
    """
    import io

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from access.models import RegionAssignment

    if not debug:
        return []
    if Group.objects.filter(name__in=[role for _u, role, _s, _r in DEMO_ROLE_USERS]).count() < 3:
        call_command("setup_roles", stdout=io.StringIO())
    User = get_user_model()
    for username, role, staff, codes in DEMO_ROLE_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=demo_email(username),
                password=DEMO_ADMIN_PASSWORD,
                is_staff=staff,
            )
        else:
            lost = {"email": demo_email(username)} if not user.email else {}
            if staff and not user.is_staff:
                lost["is_staff"] = True
            if lost:
                User.objects.filter(pk=user.pk).update(**lost)
        user.groups.add(Group.objects.get(name=role))  # no second row when it is there
        for region in Region.objects.filter(code__in=codes):
            RegionAssignment.objects.get_or_create(user=user, region=region)
    return [username for username, *_rest in DEMO_ROLE_USERS]
