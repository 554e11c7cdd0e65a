"""Factories for the register's models. Tests name the few records they care about and let these
fill in the rest."""

import datetime

import factory

from agreements.models import Agreement, Document, Milestone, Sector
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


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    agreement = factory.SubFactory(AgreementFactory)
    kind = Milestone.Kind.ACTIVITY
    title = factory.Sequence(lambda n: f"Kegiatan {n}")
    due_on = datetime.date(2025, 6, 1)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    agreement = factory.SubFactory(AgreementFactory)
    title = "Naskah MoU"
    kind = Document.Kind.SIGNED_TEXT
    language = Document.Language.INDONESIAN
    file = factory.django.FileField(filename="naskah.pdf", data=b"%PDF-1.4\n%%EOF\n")
