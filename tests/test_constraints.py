"""The database itself refuses inconsistent records: these tests bypass forms and hit it."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agreements.models import Agreement, Milestone
from partners.models import Partner, Region
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    SubdivisionFactory,
)

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2024, 6, 1)


def refused(name):
    """Expect the database to refuse the write, naming the constraint."""
    return pytest.raises(IntegrityError, match=name)


def test_agreement_cannot_expire_before_it_is_signed(kaltim):
    with refused("agreement_not_expiring_before_signed"), transaction.atomic():
        AgreementFactory(
            lead_region=kaltim,
            signed_on=SIGNED,
            in_force_from=None,
            expires_on=SIGNED.replace(year=2023),
        )


def test_agreement_may_expire_on_the_day_it_is_signed(kaltim):
    AgreementFactory(lead_region=kaltim, signed_on=SIGNED, in_force_from=SIGNED, expires_on=SIGNED)


def test_agreement_cannot_come_into_force_before_it_is_signed(kaltim):
    with refused("agreement_not_in_force_before_signed"), transaction.atomic():
        AgreementFactory(
            lead_region=kaltim, signed_on=SIGNED, in_force_from=SIGNED.replace(day=1, month=1)
        )


def test_agreement_cannot_be_signed_before_it_was_proposed(kaltim):
    with refused("agreement_not_signed_before_proposed"), transaction.atomic():
        AgreementFactory(lead_region=kaltim, proposed_on=SIGNED.replace(year=2025))


def test_a_date_known_to_its_year_or_month_is_not_before_a_day_within_it(kaltim):
    """A date known to its month or year stands for that whole period: signed on 1 June 2024,
    an agreement may end "2024" or come into force "Juni 2024"; signed "2024" it may have been
    proposed in May. A period that ended before still is refused."""
    AgreementFactory(
        lead_region=kaltim,
        signed_on=SIGNED,
        in_force_from=datetime.date(2024, 6, 1),
        in_force_from_precision="month",
        expires_on=datetime.date(2024, 1, 1),
        expires_on_precision="year",
    )
    AgreementFactory(
        lead_region=kaltim,
        proposed_on=datetime.date(2024, 5, 20),
        signed_on=datetime.date(2024, 1, 1),
        signed_on_precision="year",
        in_force_from=None,
        expires_on=None,
    )
    with refused("agreement_not_expiring_before_signed"), transaction.atomic():
        AgreementFactory(
            lead_region=kaltim,
            signed_on=SIGNED,
            in_force_from=None,
            expires_on=datetime.date(2024, 5, 1),
            expires_on_precision="month",
        )
    with refused("agreement_not_signed_before_proposed"), transaction.atomic():
        AgreementFactory(
            lead_region=kaltim,
            proposed_on=datetime.date(2025, 2, 1),
            signed_on=datetime.date(2024, 1, 1),
            signed_on_precision="year",
            in_force_from=None,
            expires_on=None,
        )


@pytest.mark.parametrize("status", ["initiative", "exploration", "preparation", "cancelled"])
def test_unsigned_status_cannot_carry_a_signing_date(kaltim, status):
    with refused("agreement_unsigned_has_no_signing_date"), transaction.atomic():
        AgreementFactory(lead_region=kaltim, status=status, in_force_from=None, expires_on=None)


def test_reference_is_unique_when_given(kaltim):
    AgreementFactory(lead_region=kaltim, reference="120/1/KSD/2024")
    with (
        refused("agreement_reference_unique_when_given|agreements_agreement.reference"),
        transaction.atomic(),
    ):
        AgreementFactory(lead_region=kaltim, reference="120/1/KSD/2024")


def test_many_agreements_may_have_no_reference_yet(kaltim):
    AgreementFactory(lead_region=kaltim, reference="")
    AgreementFactory(lead_region=kaltim, reference="")
    assert Agreement.objects.filter(reference="").count() == 2


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("kind", "treaty", "agreement_kind_valid"),
        ("scope", "ksdx", "agreement_scope_valid"),
        ("status", "maybe", "agreement_status_valid"),
        ("visibility", "secret", "agreement_visibility_valid"),
    ],
)
def test_agreement_refuses_values_the_code_does_not_know(kaltim, field, value, constraint):
    with refused(constraint), transaction.atomic():
        AgreementFactory(lead_region=kaltim, **{field: value})


def test_follows_needs_its_relation(kaltim):
    loi = AgreementFactory(lead_region=kaltim, kind="loi")
    with refused("agreement_follows_with_relation"), transaction.atomic():
        AgreementFactory(lead_region=kaltim, follows=loi, relation="")


def test_agreement_cannot_follow_itself(kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    agreement.follows = agreement
    agreement.relation = "extends"
    with refused("agreement_not_following_itself"), transaction.atomic():
        agreement.save()


def test_region_code_is_unique(kaltim):
    with refused("partners_region_code_key|partners_region.code"), transaction.atomic():
        Region.objects.create(code="64", name="Kaltim lagi", level="province")


@pytest.mark.parametrize(
    ("code", "level", "has_province"),
    [
        ("6", "province", False),  # too short
        ("64.72", "province", False),  # a province has a two-digit code
        ("65", "city", True),  # a city has PP.KK
        ("64.72", "city", False),  # a city belongs to a province
    ],
)
def test_region_code_matches_its_level(kaltim, code, level, has_province):
    province = kaltim if has_province else None
    with refused("region_code_matches_level"), transaction.atomic():
        Region.objects.create(code=code, name="X", level=level, province=province)


def test_milestone_done_date_cannot_be_in_the_future(kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    future = timezone.localdate() + datetime.timedelta(days=3)
    with refused("milestone_done_not_in_future"), transaction.atomic():
        Milestone.objects.create(agreement=agreement, kind="activity", title="x", done_on=future)


def test_milestone_done_date_cannot_be_moved_into_the_future(kaltim):
    milestone = MilestoneFactory(agreement__lead_region=kaltim, done_on=timezone.localdate())
    milestone.done_on = timezone.localdate() + datetime.timedelta(days=30)
    with refused("milestone_done_not_in_future"), transaction.atomic():
        milestone.save()


def test_milestone_done_today_is_accepted(kaltim):
    MilestoneFactory(agreement__lead_region=kaltim, done_on=timezone.localdate())


def test_milestone_needs_a_due_or_done_date(kaltim):
    with refused("milestone_has_a_date"), transaction.atomic():
        MilestoneFactory(agreement__lead_region=kaltim, due_on=None, done_on=None)


def test_rating_only_on_evaluations_and_between_one_and_five(kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    with refused("milestone_rating_only_for_evaluation"), transaction.atomic():
        MilestoneFactory(agreement=agreement, kind="activity", rating=4)
    with refused("milestone_rating_only_for_evaluation"), transaction.atomic():
        MilestoneFactory(agreement=agreement, kind="evaluation", rating=6)
    MilestoneFactory(agreement=agreement, kind="evaluation", rating=5)


def test_partner_subdivision_must_lie_in_its_country():
    anhui = SubdivisionFactory(code="CN-AH", country=CountryFactory(code="CN"))
    japan = CountryFactory(code="JP")
    with refused("partner_subdivision_in_country"), transaction.atomic():
        PartnerFactory(name="Anhui", country=japan, subdivision=anhui)
    PartnerFactory(name="Anhui", country=anhui.country, subdivision=anhui)


def test_partner_kind_is_known():
    with refused("partner_kind_valid"), transaction.atomic():
        PartnerFactory(kind="alien")


def test_the_database_accepts_every_partner_kind_and_region_level_the_code_offers():
    """The allowed values come from the choices themselves: a kind added to ``Partner.Kind``
    is allowed by the database once its migration (which ``makemigrations --check`` asks for)
    has run, never refused by a list written out by hand."""
    country = CountryFactory()
    for kind in Partner.Kind:
        PartnerFactory(name=f"Mitra {kind}", kind=kind, country=country)
    assert Partner.objects.filter(country=country).count() == len(Partner.Kind)

    constraints = {c.name: c for c in [*Partner._meta.constraints, *Region._meta.constraints]}
    assert constraints["partner_kind_valid"].condition == Q(kind__in=list(Partner.Kind.values))
    assert constraints["region_level_valid"].condition == Q(level__in=list(Region.Level.values))


def test_partner_name_unique_within_a_country():
    PartnerFactory(name="Hefei", country=CountryFactory(code="CN"))
    with (
        refused("partner_unique_per_country|partners_partner.name, partners_partner.country_id"),
        transaction.atomic(),
    ):
        PartnerFactory(name="Hefei", country=CountryFactory(code="CN"))
    PartnerFactory(name="Hefei", country=CountryFactory(code="JP"))
    assert Partner.objects.filter(name="Hefei").count() == 2


def test_subdivision_code_starts_with_its_country():
    from partners.models import Subdivision

    with refused("subdivision_code_in_its_country"), transaction.atomic():
        Subdivision.objects.create(code="JP-AH", country=CountryFactory(code="CN"), name="x")


def test_province_factory_codes_do_not_clash():
    assert ProvinceFactory().code != ProvinceFactory().code
