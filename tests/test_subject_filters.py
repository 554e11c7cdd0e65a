"""A subject page's address naming a filter the page fixes: /countries/CN/?country=JP.

A region's, partner's, country's or sector's page does not offer the filter it fixes. An address
naming it with the page's own subject is harmless; with anything else it is refused, on the
page (a 400 saying which filter and linking to where the address can be read) and on its
downloads, feeds and calendars (a 400 saying the same), never ignored.
"""

import html
import re
from urllib.parse import urlsplit

import pytest

from agreements import views
from agreements.models import Agreement, Scope
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    PartnerFactory,
    SectorFactory,
)
from tests.helpers import page_problems, titles_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def education():
    return SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")


@pytest.fixture
def tourism():
    return SectorFactory(slug="tourism", name_id="Pariwisata", name_en="Tourism")


@pytest.fixture
def anhui():
    return PartnerFactory(name="Pemerintah Provinsi Anhui", country=CountryFactory(code="CN"))


@pytest.fixture
def osaka():
    return PartnerFactory(name="Prefektur Osaka", country=CountryFactory(code="JP"))


@pytest.fixture
def register(kaltim, samarinda, bali, anhui, osaka, education, tourism):
    """Kaltim and Samarinda with Anhui (China), Samarinda and Bali with Osaka (Japan): at least
    two agreements on each subject's page."""
    return [
        AgreementFactory(
            title="Provinsi kembar Kaltim–Anhui",
            lead_region=kaltim,
            partners=[anhui],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.SISTER_PROVINCE,
            sectors=[education, tourism],
        ),
        AgreementFactory(
            title="Beasiswa Samarinda–Anhui",
            lead_region=samarinda,
            partners=[anhui],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.MOU,
            sectors=[education],
        ),
        AgreementFactory(
            title="Pelatihan guru Samarinda–Osaka",
            lead_region=samarinda,
            partners=[osaka],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.PKS,
            sectors=[education],
        ),
        AgreementFactory(
            title="Pariwisata Bali–Osaka",
            lead_region=bali,
            partners=[osaka],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.MOU,
            sectors=[tourism],
        ),
    ]


def page_of(kind, request):
    """The address of the page of a subject of ``kind`` in the register above."""
    return {
        "region": "/regions/64/",
        "city": "/regions/64.72/",
        "partner": f"/partners/{request.getfixturevalue('anhui').pk}/",
        "country": "/countries/CN/",
        "sector": "/sectors/education/",
    }[kind]


# A number past any partner's, and past what the database's integers hold.
NOTHING = "9" * 20

# (page, query, the refusal's words, the subject pages it links to besides the page and the list)
CONFLICTS = [
    (
        "country",
        "country=JP",
        "Negara mitra di alamat ini (country=JP) meminta Jepang, padahal halaman ini hanya "
        "memuat kerja sama Tiongkok; filter itu tidak dapat diganti di halaman ini.",
        ["/countries/JP/"],
    ),
    (
        "region",
        "region=51",
        "Daerah di alamat ini (region=51) meminta Bali, padahal halaman ini hanya memuat kerja "
        "sama Kalimantan Timur",
        ["/regions/51/"],
    ),
    # A city inside the province: refused too, and led to the city's own page.
    (
        "region",
        "region=64.72",
        "Daerah di alamat ini (region=64.72) meminta Kota Samarinda, padahal halaman ini hanya "
        "memuat kerja sama Kalimantan Timur",
        ["/regions/64.72/"],
    ),
    # Its province, from a city's page.
    ("city", "region=64", "(region=64) meminta Kalimantan Timur", ["/regions/64/"]),
    (
        "partner",
        "country=JP",
        "Negara mitra di alamat ini (country=JP) meminta Jepang, padahal halaman ini hanya "
        "memuat kerja sama Tiongkok",
        ["/countries/JP/"],
    ),
    (
        "sector",
        "sector=tourism",
        "Bidang di alamat ini (sector=tourism) meminta Pariwisata, padahal halaman ini hanya "
        "memuat kerja sama Pendidikan",
        ["/sectors/tourism/"],
    ),
    # Its own sector and another: either of them, more than the page holds.
    (
        "sector",
        "sector=education&sector=tourism",
        "(sector=education&amp;sector=tourism) meminta Pendidikan, Pariwisata",
        ["/sectors/tourism/"],
    ),
    # A value that names nothing is said as written.
    ("country", "country=ZZ", "(country=ZZ) meminta “ZZ”, padahal", []),
    ("partner", f"partner={NOTHING}", f"(partner={NOTHING}) meminta “{NOTHING}”, padahal", []),
]


@pytest.mark.parametrize(("kind", "query", "words", "pages"), CONFLICTS)
def test_a_page_refuses_an_address_setting_the_filter_it_fixes_otherwise(
    client, register, request, kind, query, words, pages
):
    address = page_of(kind, request)
    response = client.get(f"{address}?{query}&kind=mou")
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page
    assert page_problems(page) == []
    assert titles_in(response) == []  # nothing listed under the page's name
    links = [
        html.unescape(link) for link in re.findall(r'class="conflict-links">(.*?)</ul>', page, re.S)
    ]
    assert len(links) == 1
    # The page without the filter (the other filters kept), the list with the address as it is,
    # and the page of what the address named.
    assert f'href="{address}?kind=mou">Halaman ini tanpa filter tersebut' in links[0]
    assert f'href="/agreements/?{query}&kind=mou">Daftar semua kerja sama' in links[0]
    for other in pages:
        assert f'href="{other}?kind=mou">Halaman ' in links[0]
    # Each leads to a page that answers; the list refuses a value naming nothing in its turn,
    # under the filter's own field.
    for link in re.findall(r'href="([^"]+)"', links[0]):
        answer = client.get(link)
        if "ZZ" in link or NOTHING in link:
            assert answer.status_code == 400 and 'href="#id_' in answer.content.decode()
        else:
            assert answer.status_code == 200, link


@pytest.mark.parametrize(("kind", "query", "words", "pages"), CONFLICTS)
@pytest.mark.parametrize(
    "beside", ["export.csv", "export.json", "export.xlsx", "feed.atom", "calendar.ics"]
)
def test_downloads_and_feeds_refuse_it_alike(
    client, register, request, kind, query, words, pages, beside
):
    response = client.get(f"{page_of(kind, request)}{beside}?{query}")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Filter tidak valid; tidak ada yang diekspor." in text
    assert html.unescape(words) in text


def test_a_partner_page_refuses_another_partner_by_its_number_only(client, register, anhui):
    hidden = PartnerFactory(name="Mitra rahasia", country=anhui.country)
    AgreementFactory(title="Internal", partners=[hidden], visibility=Agreement.Visibility.INTERNAL)
    response = client.get(f"/partners/{anhui.pk}/?partner={hidden.pk}")
    assert response.status_code == 400
    page = response.content.decode()
    # The public may not know of it: named as the address writes it, never by its name.
    assert f"(partner={hidden.pk}) meminta “{hidden.pk}”" in page
    assert "Mitra rahasia" not in page


# The page's own subject: what the agreement list with that filter lists too.
HARMLESS = [
    ("country", "country=CN"),
    ("country", "country="),
    ("region", "region=64"),
    ("city", "region=64.72"),
    ("partner", "partner={anhui}&country=CN"),
    ("sector", "sector=education"),
    ("sector", "sector=education&sector=education"),
]


@pytest.mark.parametrize(("kind", "query"), HARMLESS)
def test_an_address_naming_the_pages_own_subject_lists_the_page(
    client, register, request, anhui, kind, query
):
    address = page_of(kind, request)
    query = query.format(anhui=anhui.pk)
    plain = client.get(address)
    # An empty filter sets nothing: the page sends the reader on to its address without it.
    named = client.get(f"{address}?{query}", follow=True)
    assert named.status_code == 200, named.content.decode()[:2000]
    assert titles_in(named) == titles_in(plain) != []
    for beside in ("export.csv", "feed.atom", "calendar.ics"):
        assert client.get(f"{address}{beside}?{query}").status_code == 200


def test_case_of_a_country_code_is_read_as_the_list_reads_it(client, register):
    # The agreement list reads "cn" as China or refuses it; the country page does the same.
    listed = client.get("/agreements/?country=cn")
    on_page = client.get("/countries/CN/?country=cn")
    assert (listed.status_code == 200) == (on_page.status_code == 200)


LIST_PAGE = re.compile(
    r"^/(regions/[0-9.]+|partners/[0-9]+|countries/[A-Za-z]{2}|sectors/[-\w]+)/"
    r"(export\.(csv|xlsx|json)|feed\.atom|calendar\.ics)?$"
)


def own_links(page, address):
    """Every link of ``page`` (drawn at ``address``) to a subject page, its downloads or its
    feeds, made absolute, and the GET forms' hidden fields as the addresses they submit."""
    links = set()
    for href in re.findall(r'(?:href|action)="([^"#]*)"', page):
        href = html.unescape(href)
        if href.startswith("?") or href == "":
            href = address + href
        elif not href.startswith("/"):
            href = address + href  # export.csv?… beside the page
        path = urlsplit(href).path
        if LIST_PAGE.match(path):
            links.add(href)
    return links


@pytest.mark.parametrize("kind", ["region", "city", "partner", "country", "sector"])
@pytest.mark.parametrize(
    "query",
    ["", "kind=mou&sort=title", "{fixed}&kind=mou&scope=ksdpl", "{fixed}&page=2"],
)
def test_the_pages_own_links_never_set_the_filter_it_fixes_otherwise(
    client, register, request, anhui, monkeypatch, kind, query
):
    # One row a page, so that the pagination links are drawn too.
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    address = page_of(kind, request)
    fixed = {
        "region": "region=64",
        "city": "region=64.72",
        "partner": f"partner={anhui.pk}",
        "country": "country=CN",
        "sector": "sector=education",
    }[kind]
    start = f"{address}?{query.format(fixed=fixed)}" if query else address
    response = client.get(start)
    assert response.status_code == 200, response.content.decode()[:2000]
    links = own_links(response.content.decode(), address)
    # Chips, sorting, pagination, quick questions, downloads and feeds at least.
    assert any("export.csv" in link for link in links)
    assert any("feed.atom" in link for link in links)
    for link in links:
        answer = client.get(link)
        assert answer.status_code == 200, (link, answer.content.decode()[:2000])
    # The page's own forms name the filter it fixes with its own value only.
    for name, value in re.findall(
        r'<input type="hidden" name="(region|partner|country|sector)" value="([^"]*)"',
        response.content.decode(),
    ):
        assert f"{name}={value}" == fixed, (name, value)


def test_a_refused_page_offers_no_feed_of_its_address(client, register):
    page = client.get("/countries/CN/?country=JP").content.decode()
    assert "feed.atom" not in page and "calendar.ics" not in page


def test_a_fixed_filter_repeated_many_times_is_refused_without_a_query_for_each(
    client, register, django_assert_max_num_queries
):
    """Each value of a fixed filter is read as the list reads it, one query each: an address
    naming a sector a few hundred times is refused from its first values."""
    query = "&".join(f"sector=sektor-{n}" for n in range(300))
    with django_assert_max_num_queries(40):
        response = client.get(f"/sectors/education/?{query}")
    assert response.status_code == 400
