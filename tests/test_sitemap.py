"""``/sitemap.xml``: an index of the sections' sitemaps, the agreements' paged by id
(``agreements.sitemaps``). What it may name is tested with the rest of the visibility rules
(``tests/test_visibility.py``)."""

import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from django.urls import reverse

from agreements import sitemaps
from agreements.models import Agreement
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    PartnerFactory,
    ProvinceFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOST = "http://testserver"


def locations(response):
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text.removeprefix(HOST) for loc in root.iter(f"{SITEMAP}loc")]


def agreements_section(page=None):
    path = reverse("sitemap-section", args=["agreements"])
    return path if page is None else f"{path}?p={page}"


@pytest.fixture
def small_pages(monkeypatch):
    """Three ids to a page of the agreements' sitemap."""
    monkeypatch.setattr(sitemaps.AgreementSitemap, "limit", 3)


@pytest.fixture
def one_page(monkeypatch):
    """Every id on the first page of the agreements' sitemap: ids run on from the tests
    before (a rolled-back test does not give its ids back), past a page of 1,000."""
    monkeypatch.setattr(sitemaps.AgreementSitemap, "limit", 10**12)


def test_the_sitemap_is_an_index_of_every_section(client, kaltim, one_page):
    AgreementFactory(lead_region=kaltim)

    listed = locations(client.get(reverse("sitemap")))

    assert listed == [
        reverse("sitemap-section", args=[section])
        for section in ("agreements", "regions", "partners", "countries", "sectors")
    ]


def test_the_agreements_are_paged_by_id_each_public_one_on_one_page(client, kaltim, small_pages):
    made = [AgreementFactory(lead_region=kaltim) for _ in range(7)]
    hidden = made[4]
    Agreement.objects.filter(pk=hidden.pk).update(visibility=Agreement.Visibility.INTERNAL)
    pages = -(-max(a.pk for a in made) // 3)  # as many as the highest id needs

    listed = locations(client.get(reverse("sitemap")))
    sitemap_pages = [path for path in listed if path.startswith(agreements_section())]
    assert sitemap_pages == [agreements_section()] + [
        agreements_section(n) for n in range(2, pages + 1)
    ]
    by_page = {number: locations(client.get(path)) for number, path in enumerate(sitemap_pages, 1)}
    # Page n holds the public agreements of ids 3n - 2 to 3n; together, each once.
    for number, listed_on_page in by_page.items():
        assert listed_on_page == [
            a.get_absolute_url() for a in made if a != hidden and (a.pk - 1) // 3 + 1 == number
        ]
    assert sum(len(page) for page in by_page.values()) == 6


@pytest.mark.parametrize("asked", ["01", "1", "001"])
def test_another_address_of_the_first_page_is_sent_to_its_own(client, kaltim, asked):
    AgreementFactory(lead_region=kaltim)

    response = client.get(agreements_section(asked))

    assert response.status_code == 301
    assert response["Location"] == agreements_section()


def test_a_page_asked_with_leading_zeros_or_more_is_sent_to_its_own_address(
    client, kaltim, small_pages
):
    for _ in range(7):
        AgreementFactory(lead_region=kaltim)

    for asked in ("?p=02", "?p=2&x=1", "?x=1&p=2"):
        response = client.get(agreements_section() + asked)
        assert response.status_code == 301
        assert response["Location"] == agreements_section(2)
    assert client.get(agreements_section(2)).status_code == 200


@pytest.mark.parametrize("asked", ["x", "0", "-1", "2.0", "", "99999999999999999999"])
def test_a_page_that_is_none_is_not_found(client, kaltim, asked):
    AgreementFactory(lead_region=kaltim)

    assert client.get(agreements_section() + f"?p={asked}").status_code == 404


@pytest.mark.parametrize("asked", ["?p=1&p=2", "?p=2&p=2", "?p=2&p="])
def test_a_page_asked_twice_is_not_found(client, kaltim, small_pages, asked):
    for _ in range(7):
        AgreementFactory(lead_region=kaltim)

    assert client.get(agreements_section() + asked).status_code == 404


def test_an_unknown_section_is_not_found(client, db):
    assert client.get(reverse("sitemap-section", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("rows", [1, 10])
def test_the_sitemaps_run_the_same_queries_however_many_rows(
    client, db, django_assert_num_queries, rows, one_page
):
    country = CountryFactory(code="CN")
    for n in range(rows):
        province = ProvinceFactory(code=f"{11 + n:02d}")
        AgreementFactory(
            lead_region=province,
            scope="ksdpl",
            partners=[PartnerFactory(country=country)],
            sectors=[SectorFactory()],
        )
    # (Inside the test's transaction nothing is cached: no register version is read.)
    # The highest public id; a count of each other section.
    with django_assert_num_queries(5):
        client.get(reverse("sitemap"))
    # The highest public id (is there such a page?) and the page's agreements, both read by
    # their ids: no count.
    with django_assert_num_queries(2):
        assert len(locations(client.get(agreements_section()))) == rows
    # The count and the rows.
    with django_assert_num_queries(2):
        assert len(locations(client.get(reverse("sitemap-section", args=["regions"])))) == rows


@pytest.mark.django_db(transaction=True)
def test_a_sitemap_is_kept_until_the_register_changes(client, kaltim, django_assert_num_queries):
    first = AgreementFactory(lead_region=kaltim)
    regions = reverse("sitemap-section", args=["regions"])
    client.get(reverse("sitemap"))
    client.get(regions)

    with django_assert_num_queries(1):  # the register version only
        assert client.get(reverse("sitemap")).status_code == 200
    with django_assert_num_queries(1):
        assert locations(client.get(regions)) == [kaltim.get_absolute_url()]

    with transaction.atomic():
        second = AgreementFactory(lead_region=kaltim)
    # Every page of the agreements the index names now (a committed test's ids run on from the
    # tests before it, past the first page's).
    named = [
        location
        for page in locations(client.get(reverse("sitemap")))
        if page.startswith(agreements_section())
        for location in locations(client.get(page))
    ]
    assert named == [first.get_absolute_url(), second.get_absolute_url()]


def disallowed(path, rules):
    """Whether a crawler reading ``rules`` (``Disallow:`` paths, ``*`` for any run of
    characters, as the major crawlers read them) leaves ``path`` alone."""
    import re

    return any(re.match(re.escape(rule).replace(r"\*", ".*"), path) for rule in rules)


def left_alone(path, robots_txt):
    """Whether a crawler reading ``robots_txt`` leaves ``path`` alone, as RFC 9309 (2.2.2) has
    it read: of the ``Allow:`` and ``Disallow:`` rules matching the path (``*`` any run of
    characters), the longest decides, an ``Allow:`` winning a tie; none matching, it may read it.
    """
    import re

    matching = []
    for line in robots_txt.splitlines():
        verb, _, rule = line.partition(": ")
        if verb in ("Allow", "Disallow") and re.match(re.escape(rule).replace(r"\*", ".*"), path):
            matching.append((len(rule), verb == "Allow"))
    return bool(matching) and not max(matching)[1]


def test_every_page_of_the_sitemap_is_open_to_crawlers(client, kaltim, small_pages):
    """The sitemap's pages after the first (``?p=2``) have a query, as the list addresses
    ``/robots.txt`` keeps crawlers from do; a crawler reads them all the same, or the public
    agreements on them would be named to no search engine."""
    for _ in range(7):
        AgreementFactory(lead_region=kaltim)
    robots_txt = client.get("/robots.txt").content.decode()

    sitemaps_named = locations(client.get(reverse("sitemap")))

    assert agreements_section(2) in sitemaps_named
    assert [path for path in sitemaps_named if left_alone(path, robots_txt)] == []
    for path in ["/agreements/?region=64", "/regions/64/?page=2", "/agreements/export.csv"]:
        assert left_alone(path, robots_txt), path


def test_robots_txt_leads_crawlers_to_the_sitemap_and_away_from_endless_addresses(
    client, kaltim, one_page
):
    """A crawler finds the sitemap from ``/robots.txt`` and may read every page it names;
    it leaves alone the admin, the login, and what would have it walk every mix of a list's
    filters and download each (every list address with a query, its exports, calendars and
    feeds), each built afresh."""
    agreement = AgreementFactory(lead_region=kaltim)
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    rules = [line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")]
    [sitemap] = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap: ")]
    assert sitemap == f"{HOST}{reverse('sitemap')}"

    named = []
    for section in locations(client.get(reverse("sitemap"))):
        named.extend(locations(client.get(section)))
    assert agreement.get_absolute_url() in named
    assert not [path for path in named if disallowed(path, rules)]
    for path in [
        "/admin/",
        "/accounts/login/",
        "/agreements/?region=64&sector=education",
        "/regions/64/?page=2",
        "/agreements/export.csv",
        f"/regions/{kaltim.code}/export.xlsx",
        f"/calendar/agreements/{agreement.pk}.ics",
        "/feeds/agreements.atom",
    ]:
        assert disallowed(path, rules), path
    assert client.post("/robots.txt").status_code == 405
