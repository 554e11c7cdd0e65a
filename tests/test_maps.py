"""The maps: Indonesia's provinces and the partners' countries, shaded by their agreements, drawn
on the server from the outlines the project ships, each with a table of every number."""

import re

import pytest

from agreements import maps
from tests.factories import AgreementFactory, CountryFactory, PartnerFactory, ProvinceFactory


@pytest.fixture
def register(kaltim, samarinda, bali):
    china = CountryFactory(code="CN")
    AgreementFactory(
        title="MoU Kaltim–Anhui", lead_region=kaltim, partners=[PartnerFactory(country=china)]
    )
    AgreementFactory(title="Kota kembar Samarinda", lead_region=samarinda)
    AgreementFactory(title="MoU Bali", lead_region=bali)
    AgreementFactory(title="Rancangan internal Bali", lead_region=bali, visibility="internal")


def area(html, code):
    """The outline of ``code`` on a page: (its link or None, its classes, its title)."""
    match = re.search(
        r'(?:<a href="([^"]*)"[^>]*>)?<path class="([^"]*)" [^>]*d="[^"]*" data-code="'
        + code
        + r'"><title>([^<]*)</title>',
        html,
    )
    assert match, code
    return match.group(1), match.group(2), match.group(3)


def test_every_province_outline_and_every_country_ships(db):
    assert len(maps.outlines("indonesia")["shapes"]) == 34
    assert set(maps.OUTLINE_OF_PROVINCE.values()) == set(maps.outlines("indonesia")["shapes"])
    assert len(maps.OUTLINE_OF_PROVINCE) == 38
    assert {"CN", "JP", "AU", "US", "FR"} <= set(maps.outlines("world")["shapes"])


def test_dashboard_map_shades_each_province_by_its_agreements_and_links_its_list(client, register):
    html = client.get("/").content.decode()

    url, classes, title = area(html, "ID-KI")
    assert url == "/agreements/?region=64"
    assert title == "Kalimantan Timur: 2 kerja sama"  # the province's and Samarinda's
    assert "shade-4" in classes
    url, classes, title = area(html, "ID-BA")
    assert title == "Bali: 1 kerja sama"  # the internal one is not counted for the public
    assert "shade-2" in classes
    url, classes, title = area(html, "ID-AC")
    assert "shade-0" in classes and url is None or "shade-0" in classes
    # The table beside it holds every number, each linked.
    assert (
        '<a href="/agreements/?region=64">Kalimantan Timur</a></th><td class="num">2</td>' in html
    )
    # And the world map, the partner's country linking to its page.
    url, classes, title = area(html, "CN")
    assert url == "/countries/CN/"
    assert title == "Tiongkok: 1 kerja sama"


def test_the_four_new_papua_provinces_are_drawn_within_papua_and_listed_each(client, db):
    papua = ProvinceFactory(code="91", name="Papua")
    selatan = ProvinceFactory(code="93", name="Papua Selatan")
    ProvinceFactory(code="94", name="Papua Tengah")
    ProvinceFactory(code="95", name="Papua Pegunungan")
    AgreementFactory(lead_region=papua, regions=[selatan])  # counted once for the outline
    AgreementFactory(lead_region=selatan)

    html = client.get("/").content.decode()

    url, classes, title = area(html, "ID-PA")
    assert url is None  # no single list holds exactly these four
    assert "Papua, Papua Selatan, Papua Tengah, Papua Pegunungan" in title
    assert title.endswith(": 2 kerja sama")
    assert '<a href="/agreements/?region=93">Papua Selatan</a></th><td class="num">2</td>' in html
    assert '<a href="/agreements/?region=91">Papua</a></th><td class="num">1</td>' in html
    assert "batas 34 provinsi" in html


def test_officials_map_counts_internal_agreements(client, register, django_user_model):
    from tests.factories import make_official

    client.force_login(make_official(django_user_model))
    _url, _classes, title = area(client.get("/").content.decode(), "ID-BA")
    assert title == "Bali: 2 kerja sama"


def test_region_page_marks_its_province_on_the_map(client, register):
    html = client.get("/regions/64.72/").content.decode()
    _url, classes, _title = area(html, "ID-KI")
    assert "is-highlighted" in classes
    assert "is-highlighted" not in area(html, "ID-BA")[1]


def test_country_page_marks_its_country_on_the_world_map(client, register):
    html = client.get("/countries/CN/").content.decode()
    _url, classes, title = area(html, "CN")
    assert "is-highlighted" in classes
    assert "Tabel: kerja sama per negara mitra" in html


def test_maps_speak_english_too(client, register):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Map of provinces by number of agreements" in html
    assert area(html, "ID-KI")[2] == "Kalimantan Timur: 2 agreements"


def test_a_page_with_a_map_loads_nothing_from_elsewhere(client, register):
    html = client.get("/").content.decode()
    for address in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not address.startswith(("http:", "https:", "//")), address
