"""The agreement list, and the country, sector, region and partner pages built on it, kept
past saves that leave them as they were (``caching.cached_page``'s ``sign``,
``views.page_signature``): served as kept when what it shows is unchanged, drawn again
the moment anything it shows changed, and then the very page drawn afresh.

These tests commit their data (``transaction=True``), as a running site does: inside a
transaction nothing is cached at all.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import filters
from agreements.models import Agreement, Milestone, Potential, PotentialSurvey, Sector
from agreements.parties import writing_parties
from partners.models import Partner, Region
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    SectorFactory,
    make_official,
)
from tests.helpers import agreement_form_data

pytestmark = pytest.mark.django_db(transaction=True)

LIST = reverse("agreement-list")
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
# Addresses of the list (plain, its second page, narrowed to a region, searched), the page of a
# partner country (its list, its partners, the world map) and the full list of its partners, of
# a sector (its list, the regions' potentials in it) and of a region (its list, its regencies
# and cities, its potentials and surveys, what needs attention, the map of provinces); and of a
# partner (``addresses``).
ADDRESSES = [
    LIST,
    f"{LIST}?page=2",
    f"{LIST}?region=64",
    f"{LIST}?q=kerja",
    reverse("country-detail", args=["JP"]),
    reverse("country-partners", args=["JP"]),
    reverse("sector-detail", args=["education"]),
    reverse("region-detail", args=["64"]),
    # Bali's page with its list narrowed to nothing: what else it shows stands alone.
    reverse("region-detail", args=["51"]) + "?kind=pks",
]


def addresses():
    """``ADDRESSES`` and the page of a partner (its list, the partners part of it)."""
    nara = Partner.objects.get(name="Prefektur Nara")
    return [*ADDRESSES, reverse("partner-detail", args=[nara.pk])]


@pytest.fixture
def register(kaltim, bali):
    """30 public agreements, one signed each day (the list shows the latest first, 25 a page),
    every third of Bali, with a sector each; the latest with a step still planned and a partner
    in Japan (the one before with a partner part of it), one of Bali's with a step overdue, the
    first (on page 2) with partners in Japan and Korea; a partner in Osaka party to none yet; a
    potential and a survey of Bali; and an internal one signed after them all."""
    education = SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")
    japan, korea = CountryFactory(code="JP", name_id="Jepang"), CountryFactory(code="KR")
    PartnerFactory(name="Pemerintah Kota Osaka", country=japan)
    agreements = [
        AgreementFactory(
            title=f"Kerja sama {n:02d}",
            lead_region=bali if n % 3 == 0 else kaltim,
            signed_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
            in_force_from=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
            sectors=[education],
        )
        for n in range(30)
    ]
    nara = PartnerFactory(name="Prefektur Nara", country=japan)
    with writing_parties(agreements[-1]):
        agreements[-1].partners.add(nara)
    # Part of Nara's prefecture, on its page while party to an agreement the reader may read.
    with writing_parties(agreements[-2]):
        agreements[-2].partners.add(PartnerFactory(name="Kota Nara", country=japan, parent=nara))
    with writing_parties(agreements[0]):
        agreements[0].partners.add(
            PartnerFactory(name="Kota Kyoto", country=japan),
            PartnerFactory(name="Kota Busan", country=korea),
        )
    MilestoneFactory(agreement=agreements[-1], due_on=datetime.date(2030, 1, 1), done_on=None)
    # Of Bali's: overdue, so on Bali's page among what needs attention.
    MilestoneFactory(
        agreement=agreements[3],
        title="Rapat koordinasi",
        due_on=timezone.localdate() - datetime.timedelta(days=10),
        done_on=None,
    )
    Potential.objects.create(region=bali, sector=education, title="Sekolah pariwisata")
    PotentialSurvey.objects.create(
        title="Identifikasi potensi 2023", held_on=datetime.date(2023, 3, 1), host_region=bali
    ).participants.add(bali)
    # Signed last of all, but internal: on no page the public reads.
    AgreementFactory(
        title="Rancangan kerja sama rahasia",
        lead_region=kaltim,
        signed_on=datetime.date(2025, 1, 1),
        in_force_from=datetime.date(2025, 1, 1),
        visibility=Agreement.Visibility.INTERNAL,
    )
    Agreement.objects.all().refresh_progress()
    return agreements


def fresh(address):
    """The page as a visitor meets it with nothing kept, CSRF tokens aside."""
    cache.clear()
    return TOKEN.sub(b"", Client().get(address).content)


def drawn(response):
    return "agreements/agreement_list.html" in [t.name for t in response.templates]


def test_a_save_of_an_agreement_not_listed_keeps_the_page_without_drawing_it(register):
    client = Client()
    first = client.get(LIST)
    assert drawn(first)
    on_page_two = register[0]

    Agreement.objects.filter(pk=on_page_two.pk).update(title="Kerja sama yang diperbarui")

    kept = client.get(LIST)
    assert not drawn(kept)
    assert TOKEN.sub(b"", kept.content) == TOKEN.sub(b"", first.content)
    # The page that lists it is drawn again, with the new title.
    page_two = client.get(f"{LIST}?page=2")
    assert drawn(page_two)
    assert "Kerja sama yang diperbarui" in page_two.text


def test_a_save_of_an_agreement_listed_draws_the_page_again(register):
    client = Client()
    client.get(LIST)
    latest = register[-1]

    Agreement.objects.filter(pk=latest.pk).update(title="Kerja sama terbaru, diperbarui")

    page = client.get(LIST)
    assert drawn(page)
    assert "Kerja sama terbaru, diperbarui" in page.text


def _retitle_listed(register):
    Agreement.objects.filter(pk=register[-1].pk).update(title="Judul baru di halaman pertama")


def _retitle_unlisted(register):
    Agreement.objects.filter(pk=register[0].pk).update(title="Judul baru di halaman kedua")


def _sign_a_new_one(register):
    AgreementFactory(
        title="Kerja sama yang paling baru",
        lead_region=Region.objects.get(code="64"),
        signed_on=datetime.date(2025, 6, 1),
        in_force_from=datetime.date(2025, 6, 1),
    )


def _make_one_internal(register):
    Agreement.objects.filter(pk=register[-2].pk).update(visibility=Agreement.Visibility.INTERNAL)


def _make_the_internal_one_public(register):
    Agreement.objects.filter(title="Rancangan kerja sama rahasia").update(
        visibility=Agreement.Visibility.PUBLIC
    )


def _delete_one_unlisted(register):
    Agreement.objects.filter(pk=register[1].pk).delete()


def _add_a_party_region(register):
    with writing_parties(register[-3]):
        register[-3].regions.add(Region.objects.get(code="51"))


def _add_a_partner_to_one_unlisted(register):
    # The partner list of the filter form gains it; no row of page one changes.
    with writing_parties(register[0]):
        register[0].partners.add(Partner.objects.get(name="Pemerintah Kota Osaka"))


def _add_a_partner_in_korea_to_a_listed_agreement(register):
    # Korea's count on the world map moves; the rows of Japan's page do not.
    with writing_parties(register[-2]):
        register[-2].partners.add(Partner.objects.get(name="Kota Busan"))


def _move_a_listed_partner_to_another_country(register):
    # A row shows the partner's country; the countries offered stay Japan and Korea.
    Partner.objects.filter(name="Prefektur Nara").update(country="KR")


def _add_a_part_to_a_partner(register):
    # Nara's page lists the partners part of it; the list's rows of page one do not change.
    part = PartnerFactory(
        name="Kota Ikoma",
        country=Partner.objects.get(name="Prefektur Nara").country,
        parent=Partner.objects.get(name="Prefektur Nara"),
    )
    with writing_parties(register[0]):
        register[0].partners.add(part)


def _rename_a_region(register):
    Region.objects.filter(code="51").update(name="Provinsi Bali")


def _rename_a_sector(register):
    Sector.objects.filter(slug="education").update(name_id="Pendidikan tinggi")


def _finish_a_step(register):
    Milestone.objects.filter(agreement=register[-1]).update(done_on=datetime.date(2024, 6, 1))
    Agreement.objects.filter(pk=register[-1].pk).refresh_progress()


def _add_a_potential(register):
    Potential.objects.create(
        region=Region.objects.get(code="64"),
        sector=Sector.objects.get(slug="education"),
        title="Politeknik perkebunan",
    )


def _retitle_a_potential(register):
    Potential.objects.filter(title="Sekolah pariwisata").update(title="Sekolah pariwisata Bali")


def _move_a_potential_to_another_region(register):
    Potential.objects.filter(title="Sekolah pariwisata").update(
        region=Region.objects.get(code="64")
    )


def _finish_a_step_needing_attention(register):
    Milestone.objects.filter(title="Rapat koordinasi").update(done_on=timezone.localdate())
    Agreement.objects.filter(pk=register[3].pk).refresh_progress()


def _bring_an_expiry_near(register):
    Agreement.objects.filter(pk=register[6].pk).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=20)
    )


def _record_a_survey(register):
    bali = Region.objects.get(code="51")
    survey = PotentialSurvey.objects.create(
        title="Temu usaha pariwisata", held_on=datetime.date(2024, 5, 1), host_region=bali
    )
    survey.participants.add(bali)
    Potential.objects.filter(title="Sekolah pariwisata").update(survey=survey)


def _retitle_a_survey(register):
    PotentialSurvey.objects.filter(title="Identifikasi potensi 2023").update(
        title="Identifikasi potensi daerah 2023"
    )


def _add_a_participant_to_a_survey(register):
    PotentialSurvey.objects.get(title="Identifikasi potensi 2023").participants.add(
        Region.objects.get(code="64")
    )


def _add_a_regency(register):
    Region.objects.create(
        code="51.71", name="Kota Denpasar", level="city", province=Region.objects.get(code="51")
    )


def _move_an_agreement_to_another_province(register):
    # The map's counts move; neither region page lists it (Bali's list is narrowed to PKS).
    Agreement.objects.filter(pk=register[9].pk).update(lead_region=Region.objects.get(code="64"))


CHANGES = {
    "a listed agreement retitled": _retitle_listed,
    "an agreement of page two retitled": _retitle_unlisted,
    "a new agreement signed last": _sign_a_new_one,
    "a listed agreement made internal": _make_one_internal,
    "an internal agreement made public": _make_the_internal_one_public,
    "an agreement of page two deleted": _delete_one_unlisted,
    "a party region added to a listed agreement": _add_a_party_region,
    "a partner added to an agreement of page two": _add_a_partner_to_one_unlisted,
    "a partner in Korea added to a listed agreement": (
        _add_a_partner_in_korea_to_a_listed_agreement
    ),
    "a listed agreement's partner moved to another country": (
        _move_a_listed_partner_to_another_country
    ),
    "a part added to a partner, party to an agreement of page two": _add_a_part_to_a_partner,
    "a region renamed": _rename_a_region,
    "a sector renamed": _rename_a_sector,
    "a listed agreement's step done": _finish_a_step,
    "a potential added in the sector": _add_a_potential,
    "a potential retitled": _retitle_a_potential,
    "a potential moved to another region": _move_a_potential_to_another_region,
    "a step needing attention done": _finish_a_step_needing_attention,
    "an agreement's expiry brought near": _bring_an_expiry_near,
    "a survey recorded with its potential": _record_a_survey,
    "a survey retitled": _retitle_a_survey,
    "a region added to a survey's participants": _add_a_participant_to_a_survey,
    "a city added to a province": _add_a_regency,
    "an agreement moved to another province": _move_an_agreement_to_another_province,
}


@pytest.mark.parametrize("change", CHANGES)
def test_after_any_change_the_list_is_the_page_drawn_afresh(register, change):
    client, pages = Client(), addresses()
    for address in pages:
        assert client.get(address).status_code == 200

    CHANGES[change](register)

    served = {address: TOKEN.sub(b"", client.get(address).content) for address in pages}
    for address in pages:
        assert served[address] == fresh(address), address


def test_a_partner_renamed_shows_on_the_list_when_its_filter_lists_no_partners(
    register, monkeypatch
):
    """Past ``PARTNER_CHOICES_MAX`` partners (a national register) the filter asks for a country
    first and names no partner: a row's partner is known to the page by the shared tables'
    version alone."""
    monkeypatch.setattr(filters, "PARTNER_CHOICES_MAX", 1)
    client, pages = Client(), addresses()
    for address in pages:
        client.get(address)
    assert "Prefektur Nara" in client.get(LIST).text

    Partner.objects.filter(name="Prefektur Nara").update(name="Prefektur Nara (Jepang)")

    served = {address: TOKEN.sub(b"", client.get(address).content) for address in pages}
    for address in pages:
        assert served[address] == fresh(address), address


def test_an_officials_kept_list_follows_the_internal_agreements_only_they_read(
    register, django_user_model
):
    official, public = Client(), Client()
    official.force_login(make_official(django_user_model))
    assert "Rancangan kerja sama rahasia" in official.get(LIST).text
    public_page = public.get(LIST)

    Agreement.objects.filter(title="Rancangan kerja sama rahasia").update(
        title="Rancangan kerja sama rahasia, diperbarui"
    )

    assert "Rancangan kerja sama rahasia, diperbarui" in official.get(LIST).text
    kept = public.get(LIST)
    assert not drawn(kept)
    assert TOKEN.sub(b"", kept.content) == TOKEN.sub(b"", public_page.content)
    assert "Rancangan" not in kept.text


def test_a_save_in_the_admin_keeps_the_list_pages_that_do_not_show_it(register, staff_client):
    client = Client()
    for address in ADDRESSES:
        client.get(address)
    on_page_two = register[3]  # of Bali: on neither the first page nor Kalimantan Timur's

    data = agreement_form_data(on_page_two, title="Sebuah judul lain")
    saved = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[on_page_two.pk]), data
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]

    assert not drawn(client.get(LIST))
    assert not drawn(client.get(f"{LIST}?region=64"))
    page_two = client.get(f"{LIST}?page=2")
    assert drawn(page_two)
    assert "Sebuah judul lain" in page_two.text


def test_a_save_of_another_regions_agreement_keeps_a_region_page_without_drawing_it(register):
    client = Client()
    kaltim = reverse("region-detail", args=["64"])
    first = client.get(kaltim)
    assert "partners/region_detail.html" in [t.name for t in first.templates]

    Agreement.objects.filter(pk=register[3].pk).update(title="Kerja sama Bali, diperbarui")

    kept = client.get(kaltim)
    assert "partners/region_detail.html" not in [t.name for t in kept.templates]
    assert TOKEN.sub(b"", kept.content) == TOKEN.sub(b"", first.content)
    bali = client.get(reverse("region-detail", args=["51"]))
    assert "Kerja sama Bali, diperbarui" in bali.text


def test_a_save_of_an_agreement_it_is_not_party_to_keeps_a_partner_page_without_drawing_it(
    register,
):
    client = Client()
    nara = reverse("partner-detail", args=[Partner.objects.get(name="Prefektur Nara").pk])
    first = client.get(nara)
    assert "partners/partner_detail.html" in [t.name for t in first.templates]
    assert "Kota Nara" in first.text

    Agreement.objects.filter(pk=register[3].pk).update(title="Kerja sama Bali, diperbarui")

    kept = client.get(nara)
    assert "partners/partner_detail.html" not in [t.name for t in kept.templates]
    assert TOKEN.sub(b"", kept.content) == TOKEN.sub(b"", first.content)
    # Its own agreement retitled, the page is drawn again.
    Agreement.objects.filter(pk=register[-1].pk).update(title="Kerja sama Nara, diperbarui")
    assert "Kerja sama Nara, diperbarui" in client.get(nara).text


def test_a_save_that_leaves_a_countrys_partners_as_they_were_keeps_their_list_undrawn(register):
    client = Client()
    japan = reverse("country-partners", args=["JP"])
    first = client.get(japan)
    assert "partners/country_partners.html" in [t.name for t in first.templates]
    assert "Prefektur Nara" in first.text

    Agreement.objects.filter(pk=register[3].pk).update(title="Kerja sama Bali, diperbarui")

    kept = client.get(japan)
    assert "partners/country_partners.html" not in [t.name for t in kept.templates]
    assert TOKEN.sub(b"", kept.content) == TOKEN.sub(b"", first.content)
    # A partner in Japan made party to an agreement, the list is drawn again with it.
    with writing_parties(register[3]):
        register[3].partners.add(Partner.objects.get(name="Pemerintah Kota Osaka"))
    again = client.get(japan)
    assert "partners/country_partners.html" in [t.name for t in again.templates]
    assert "Pemerintah Kota Osaka" in again.text


def test_an_expiring_agreements_extension_signed_shows_on_a_kept_region_page(register):
    """Bali's page, its list narrowed to nothing, lists an agreement of Bali's expiring in 20
    days as needing attention: its extension signed later, not on the list, is said there at
    once ("sudah diperpanjang"), as on the page drawn afresh."""
    today = timezone.localdate()
    expiring = register[6]
    Agreement.objects.filter(pk=expiring.pk).update(expires_on=today + datetime.timedelta(days=20))
    extension = AgreementFactory(
        title="Perpanjangan kerja sama 06",
        lead_region=expiring.lead_region,
        follows=expiring,
        relation=Agreement.Relation.EXTENDS,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    address = reverse("region-detail", args=["51"]) + "?kind=pks"
    client = Client()
    assert "sudah diperpanjang" not in client.get(address).text

    Agreement.objects.filter(pk=extension.pk).update(
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=1),
        in_force_from=today + datetime.timedelta(days=21),
        expires_on=today + datetime.timedelta(days=5 * 365),
    )

    served = TOKEN.sub(b"", client.get(address).content)
    assert "sudah diperpanjang" in served.decode()
    assert served == fresh(address)


def test_an_agreements_extension_signed_shows_on_a_kept_list_page(register):
    """The list narrowed to a sector lists an agreement of Bali's expiring in 20 days; its
    extension, of no sector and so not listed, signed later: the row says at once that it is
    already extended ("sudah diperpanjang"), as on the page drawn afresh."""
    today = timezone.localdate()
    expiring = register[6]
    Agreement.objects.filter(pk=expiring.pk).update(expires_on=today + datetime.timedelta(days=20))
    extension = AgreementFactory(
        title="Perpanjangan kerja sama 06",
        lead_region=expiring.lead_region,
        follows=expiring,
        relation=Agreement.Relation.EXTENDS,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    address = f"{LIST}?sector=education"
    client = Client()
    first = client.get(address).text
    assert "Kerja sama 06" in first
    assert "sudah diperpanjang" not in first

    Agreement.objects.filter(pk=extension.pk).update(
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=1),
        in_force_from=today + datetime.timedelta(days=21),
        expires_on=today + datetime.timedelta(days=5 * 365),
    )

    served = TOKEN.sub(b"", client.get(address).content)
    [row] = [r for r in served.decode().split("<tr>") if "Kerja sama 06" in r]
    assert "sudah diperpanjang" in row.split("</tr>", 1)[0]
    assert served == fresh(address)


def follow_up_prepared(expiring):
    """A PKS carrying out ``expiring`` (*Tindak lanjut*), of no sector, still being prepared."""
    return AgreementFactory(
        title="PKS kerja sama 06",
        kind=Agreement.Kind.PKS,
        lead_region=expiring.lead_region,
        follows=expiring,
        relation=Agreement.Relation.IMPLEMENTS,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )


def signed_since(follow_up):
    today = timezone.localdate()
    Agreement.objects.filter(pk=follow_up.pk).update(
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=1),
        expires_on=today + datetime.timedelta(days=3 * 365),
    )


def test_an_expiring_agreements_follow_up_signed_shows_on_a_kept_region_page(register):
    """Bali's page, its list narrowed to nothing, lists an agreement of Bali's expiring in 20
    days as needing attention: its PKS signed later, not on the list, is said there at once
    ("sudah ditindaklanjuti"), as on the page drawn afresh."""
    today = timezone.localdate()
    expiring = register[6]
    Agreement.objects.filter(pk=expiring.pk).update(expires_on=today + datetime.timedelta(days=20))
    follow_up = follow_up_prepared(expiring)
    address = reverse("region-detail", args=["51"]) + "?kind=sister_city"
    client = Client()
    assert "sudah ditindaklanjuti" not in client.get(address).text

    signed_since(follow_up)

    served = TOKEN.sub(b"", client.get(address).content)
    assert "sudah ditindaklanjuti" in served.decode()
    assert served == fresh(address)


def test_an_agreements_follow_up_signed_shows_on_a_kept_list_page(register):
    """The list narrowed to a sector lists an agreement of Bali's expiring in 20 days; its PKS,
    of no sector and so not listed, signed later: the row says at once that it is already
    followed up ("sudah ditindaklanjuti"), as on the page drawn afresh."""
    today = timezone.localdate()
    expiring = register[6]
    Agreement.objects.filter(pk=expiring.pk).update(expires_on=today + datetime.timedelta(days=20))
    follow_up = follow_up_prepared(expiring)
    address = f"{LIST}?sector=education"
    client = Client()
    first = client.get(address).text
    assert "Kerja sama 06" in first
    assert "sudah ditindaklanjuti" not in first

    signed_since(follow_up)

    served = TOKEN.sub(b"", client.get(address).content)
    [row] = [r for r in served.decode().split("<tr>") if "Kerja sama 06" in r]
    assert "sudah ditindaklanjuti" in row.split("</tr>", 1)[0]
    assert served == fresh(address)
