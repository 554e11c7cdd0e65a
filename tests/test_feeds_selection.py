"""The Atom and iCalendar feeds beside every list page: linked from the page, holding exactly
the selection the page shows, through every filter, and never more than the reader may see."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from agreements.filters import AgreementFilter
from agreements.models import Agreement
from reminders import feeds
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CountryFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    RegencyFactory,
    SectorFactory,
    make_official,
)

ATOM = "{http://www.w3.org/2005/Atom}"
ALTERNATE = re.compile(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"')


@pytest.fixture
def register(kaltim, samarinda, bali):
    """Agreements that differ in every way a filter can tell apart, each with a milestone so
    that each is in its selection's calendar, and one internal agreement in every selection an
    official's filters would put it in."""
    education = SectorFactory(slug="pendidikan", name_id="Pendidikan", name_en="Education")
    tourism = SectorFactory(slug="pariwisata", name_id="Pariwisata", name_en="Tourism")
    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    anhui = PartnerFactory(name="Anhui", country=china)
    osaka = PartnerFactory(name="Osaka", country=japan)
    balikpapan = RegencyFactory(code="64.71", name="Kota Balikpapan", level="city", province=kaltim)
    disdik = AgencyFactory(region=kaltim, name="Dinas Pendidikan", short_name="Disdik")
    made = [
        AgreementFactory(
            title="MoU Kaltim Anhui pendidikan",
            lead_region=kaltim,
            scope="ksdpl",
            partners=[anhui],
            sectors=[education],
            agencies=[disdik],
            budget_source="apbd",
            signed_on=datetime.date(2023, 3, 1),
            in_force_from=datetime.date(2023, 3, 1),
            expires_on=datetime.date(2026, 12, 31),
        ),
        AgreementFactory(
            title="Kota kembar Samarinda Osaka",
            kind="sister_city",
            scope="ksdpl",
            lead_region=samarinda,
            partners=[osaka],
            sectors=[tourism],
            signed_on=datetime.date(2024, 5, 2),
            in_force_from=datetime.date(2024, 5, 2),
            expires_on=datetime.date(2029, 5, 1),
        ),
        AgreementFactory(
            title="PKS Balikpapan pariwisata",
            kind="pks",
            scope="ksdd",
            lead_region=balikpapan,
            sectors=[tourism],
            signed_on=datetime.date(2024, 8, 8),
            in_force_from=datetime.date(2024, 8, 8),
            expires_on=datetime.date(2027, 8, 7),
        ),
        AgreementFactory(
            title="Rencana Bali Kalteng",
            kind="loi",
            status="initiative",
            lead_region=bali,
            signed_on=None,
            in_force_from=None,
            expires_on=None,
        ),
        AgreementFactory(
            title="MoU Bali Anhui berakhir",
            lead_region=bali,
            scope="ksdpl",
            partners=[anhui],
            sectors=[education],
            status="expired",
            signed_on=datetime.date(2019, 1, 1),
            in_force_from=datetime.date(2019, 1, 1),
            expires_on=datetime.date(2022, 1, 1),
        ),
        AgreementFactory(
            title="Rancangan internal Kaltim Anhui pendidikan",
            lead_region=kaltim,
            scope="ksdpl",
            visibility="internal",
            partners=[anhui],
            sectors=[education],
            agencies=[disdik],
            budget_source="apbd",
            signed_on=datetime.date(2024, 2, 2),
            in_force_from=datetime.date(2024, 2, 2),
            expires_on=datetime.date(2027, 2, 1),
        ),
    ]
    for agreement in made:
        MilestoneFactory(agreement=agreement, title=f"Langkah {agreement.title}")
    DocumentFactory(agreement=made[0])
    DocumentFactory(agreement=made[5])
    return {
        "education": education,
        "tourism": tourism,
        "anhui": anhui,
        "osaka": osaka,
        "disdik": disdik,
    }


# One selection per filter of the agreement list: a filter added to ``AgreementFilter`` without
# a case here fails ``test_every_filter_has_a_case``.
def filter_cases(register):
    anhui = register["anhui"]
    return {
        "q": {"q": "pendidikan"},
        "kind": {"kind": "sister_city"},
        "scope": {"scope": "ksdpl"},
        "status": {"status": "expired"},
        "sector": {"sector": "pariwisata"},
        "region": {"region": "64"},
        "partner": {"partner": str(anhui.pk)},
        "country": {"country": "CN"},
        "year": {"year": "2024"},
        "signed_from": {"signed_from": "2024-01-01"},
        "signed_to": {"signed_to": "2023-12-31"},
        "expires_before": {"expires_before": "2027-12-31"},
        "documents": {"documents": "yes"},
        "waits_on": {"waits_on": ["partner", "bureau"]},
        "dormant": {"dormant": "yes"},
        "late": {"late": "yes"},
        "sort": {"sort": "title"},
        "agency": {"agency": str(register["disdik"].pk)},
        # Officials only: the public's pages and feeds ignore it.
        "budget_source": {"budget_source": "apbd"},
    }


def test_every_filter_has_a_case(register):
    assert set(filter_cases(register)) == set(AgreementFilter.base_filters)


def subject_pages(register):
    """Each kind of list page, with a filter it does not fix."""
    return [
        "/agreements/",
        "/regions/64/",
        f"/partners/{register['anhui'].pk}/",
        "/countries/CN/",
        "/sectors/pendidikan/",
    ]


def page_links(client, url, params):
    """The status-page links of the rows the page lists, and its feeds' addresses."""
    response = client.get(url, params)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.num_pages == 1
    shown = {agreement.get_absolute_url() for agreement in response.context["agreements"]}
    html = response.content.decode()
    head = html.split("</head>", 1)[0]
    alternates = dict(ALTERNATE.findall(head))
    # The page's visible links are the same as those in its head.
    for feed_type, href in alternates.items():
        assert f'href="{href}" type="{feed_type}"' in html.split("</head>", 1)[1]
    return shown, alternates


def resolve(page_url, href):
    return page_url + href.replace("&amp;", "&")


def atom_links(client, address):
    response = client.get(address)
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    return {
        entry.find(f"{ATOM}link").get("href").removeprefix("http://testserver")
        for entry in root.findall(f"{ATOM}entry")
    }


def calendar_links(client, address):
    response = client.get(address)
    assert response.status_code == 200, response.content
    calendar = Calendar.from_ical(response.content)
    return {
        str(event["URL"]).removeprefix("http://testserver") for event in calendar.walk("VEVENT")
    }


# A page's own filter set to another subject: refused by the page and its feeds alike
# (``tests/test_subject_filters.py``), never a selection to compare. The other cases of a
# page's own filter name its own subject, which the page lists as it is.
REFUSED = {("/sectors/pendidikan/", "sector")}


@pytest.mark.parametrize("page_index", range(5))
def test_every_feed_holds_exactly_the_selection_of_its_page_through_every_filter(
    client, django_user_model, register, page_index
):
    official = make_official(django_user_model)
    internal_url = None
    page_url = subject_pages(register)[page_index]
    for name, params in filter_cases(register).items():
        if (page_url, name) in REFUSED:
            continue
        # The public: the page, its Atom feed and its calendar list the same public rows.
        client.logout()
        shown, alternates = page_links(client, page_url, params)
        assert set(alternates) == {"application/atom+xml", "text/calendar"}
        atom = atom_links(client, resolve(page_url, alternates["application/atom+xml"]))
        ics = calendar_links(client, resolve(page_url, alternates["text/calendar"]))
        assert atom == shown, (page_url, name)
        assert ics == shown, (page_url, name)

        # An official sees the internal draft on the page and in the calendar; the Atom feed is
        # public whoever fetches it (it is passed on): it holds the page's public rows, and is
        # not offered beside a selection the public may not make (the budget's source).
        client.force_login(official)
        official_shown, alternates = page_links(client, page_url, params)
        ics = calendar_links(client, resolve(page_url, alternates["text/calendar"]))
        assert ics == official_shown, (page_url, name)
        if name in AgreementFilter.INTERNAL_ONLY:
            assert "application/atom+xml" not in alternates, (page_url, name)
        else:
            atom = atom_links(client, resolve(page_url, alternates["application/atom+xml"]))
            assert atom == {url for url in official_shown if url in shown}, (page_url, name)
            assert atom == shown, (page_url, name)
        extra = official_shown - shown
        assert len(extra) <= 1
        internal_url = internal_url or next(iter(extra), None)
    # The internal draft was in at least one selection, so the checks above could catch it.
    assert internal_url is not None


def test_a_filter_narrows_the_feeds(client, register):
    everything = atom_links(client, "/agreements/feed.atom")
    chinese = atom_links(client, "/agreements/feed.atom?country=CN")
    assert len(chinese) == 2
    assert chinese < everything
    assert atom_links(client, "/feeds/agreements.atom?country=CN") == chinese
    assert calendar_links(client, "/agreements/calendar.ics?country=CN") == chinese


@pytest.mark.parametrize(
    "address",
    [
        "/regions/64/feed.atom?status=initiative",
        "/agreements/feed.atom?country=CN&sector=pendidikan",
        "/feeds/agreements.atom?scope=ksdpl",
        "/perubahan/feed.atom?region=64",
        "/agreements/feed.atom",
    ],
)
def test_a_feed_names_itself_with_its_selection(client, register, address):
    """A reader subscribed to one selection is not sent to the feed of another (rel="self")."""
    root = ET.fromstring(client.get(address).content)
    [self_link] = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link.get("href") == f"http://testserver{address}"


def test_a_feed_holds_the_latest_of_its_selection_newest_first(client, kaltim, bali, monkeypatch):
    """The feed is the selection's newest agreements, however many the page lists."""
    monkeypatch.setattr(feeds, "FEED_LENGTH", 3)
    kaltim_ones = [AgreementFactory(title=f"MoU Kaltim {n}", lead_region=kaltim) for n in range(5)]
    bali_one = AgreementFactory(title="MoU Bali", lead_region=bali)
    start = timezone.now() - datetime.timedelta(days=30)
    # Changed in this order, the Bali one last: MoU Kaltim 3, 0, 4, 1, 2, MoU Bali.
    for days, agreement in enumerate([*(kaltim_ones[n] for n in (3, 0, 4, 1, 2)), bali_one]):
        Agreement.objects.filter(pk=agreement.pk).update(
            updated_at=start + datetime.timedelta(days=days)
        )

    root = ET.fromstring(client.get("/regions/64/feed.atom").content)

    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["MoU Kaltim 2", "MoU Kaltim 1", "MoU Kaltim 4"]
    assert client.get("/regions/64/").context["page_obj"].paginator.count == 5


def test_the_readme_says_how_many_agreements_a_feed_holds():
    readme = " ".join((settings.BASE_DIR / "README.md").read_text().split())
    assert f"holds the latest {feeds.FEED_LENGTH} agreements of the same selection" in readme


def test_a_bad_filter_in_a_feed_is_a_400_that_says_why(client, register):
    for address in ("/agreements/feed.atom?year=abc", "/regions/64/calendar.ics?signed_from=x"):
        response = client.get(address)
        assert response.status_code == 400
        assert "Filter tidak valid" in response.content.decode()


def test_a_page_named_in_a_feed_is_a_400_saying_the_feed_holds_every_page(client, register):
    for address in (
        "/agreements/feed.atom?page=2",
        "/countries/CN/calendar.ics?kind=mou&page=abc",
        "/perubahan/feed.atom?page=3",
    ):
        response = client.get(address)
        assert response.status_code == 400, address
        assert "seluruh hasil, bukan satu halaman" in response.content.decode()


def test_feeds_of_an_unknown_subject_are_404(client, register):
    for address in ("/regions/99/feed.atom", "/countries/ZZ/calendar.ics", "/partners/0/feed.atom"):
        assert client.get(address).status_code == 404


def test_status_page_links_its_calendar(client, register):
    agreement = register["anhui"].agreements.filter(visibility="public").first()
    response = client.get(agreement.get_absolute_url())
    head = response.content.decode().split("</head>", 1)[0]
    alternates = dict(ALTERNATE.findall(head))
    assert alternates["text/calendar"] == f"/calendar/agreements/{agreement.pk}.ics"
    assert calendar_links(client, alternates["text/calendar"]) == {agreement.get_absolute_url()}


@pytest.mark.parametrize("rows", [1, 4])
def test_a_filtered_calendar_runs_the_same_queries_however_many_rows(
    client, kaltim, rows, django_assert_num_queries
):
    for _n in range(rows):
        MilestoneFactory(agreement=AgreementFactory(lead_region=kaltim))

    # 1. the region named in the query string (validation), 2. the province's regencies and
    # cities, which the party filter names as numbers, 3.–4. the expiring agreements with their
    # lead region, from today on and before, 5.–6. the milestones with their agreements, from
    # today on and before
    with django_assert_num_queries(6):
        assert len(calendar_links(client, "/agreements/calendar.ics?region=64")) == rows


def calendar_name(client, address, **headers):
    response = client.get(address, **headers)
    assert response.status_code == 200, response.content
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])  # RFC 7986, and older apps
    return str(calendar["X-WR-CALNAME"])


def feed_title(client, address):
    response = client.get(address)
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content).find(f"{ATOM}title").text


def test_a_calendar_or_feed_of_a_selection_is_named_after_it_as_following_it_is(client, register):
    """Subscribed to two selections of one page, a reader tells them apart in their calendar
    application or feed reader: each is named with its filters, in the words of its chips."""
    assert calendar_name(client, "/agreements/calendar.ics") == "Kerja sama daerah"
    assert (
        calendar_name(client, "/agreements/calendar.ics?region=64&sort=title")
        == "Kerja sama daerah (Daerah: Kalimantan Timur)"
    )
    assert (
        calendar_name(client, "/regions/64/calendar.ics?status=in_force")
        == "Kerja sama daerah: Kalimantan Timur (Status: Berlaku)"
    )
    assert (
        calendar_name(client, "/calendar/regions/64.ics?scope=ksdpl")
        == "Kerja sama daerah: Kalimantan Timur "
        "(Lingkup: KSDPL — dengan pemerintah daerah di luar negeri)"
    )
    assert (
        calendar_name(client, "/agreements/calendar.ics?region=64", HTTP_ACCEPT_LANGUAGE="en")
        == "Regional cooperation (Region: Kalimantan Timur)"
    )
    assert feed_title(client, "/agreements/feed.atom") == "Kerja sama daerah: terbaru"
    assert (
        feed_title(client, "/agreements/feed.atom?region=64&expires_before=2027-12-31")
        == "Kerja sama daerah: terbaru "
        "(Daerah: Kalimantan Timur; Berakhir paling lambat: 31 Desember 2027)"
    )
    assert (
        feed_title(client, "/sectors/pendidikan/feed.atom?country=CN")
        == "Kerja sama daerah: Pendidikan (Negara mitra: Tiongkok)"
    )
    assert (
        feed_title(client, "/perubahan/feed.atom?region=64")
        == "Kerja sama daerah: riwayat perubahan (Daerah: Kalimantan Timur)"
    )


def test_a_public_feeds_name_says_only_what_the_public_may_select_by(client, official, register):
    """A feed is passed on to anyone: read for the public, whoever fetches it, its name leaves
    out the budget's source an official's address names (the feed ignores it too), while their
    own calendar, which holds what they may see, names it."""
    client.force_login(official)
    assert (
        feed_title(client, "/agreements/feed.atom?budget_source=apbd&kind=sister_city")
        == "Kerja sama daerah: terbaru (Jenis naskah: Kota kembar (sister city))"
    )
    assert "APBD" in calendar_name(client, "/agreements/calendar.ics?budget_source=apbd")


def test_an_officials_page_selected_by_the_budget_offers_no_atom_feed_of_another_selection(
    client, official, register
):
    """The Atom feed is read for the public, whoever fetches it, and ignores the budget's
    source. An official's list of APBD-funded agreements linked "Atom" to the feed of every
    public agreement, under the page's address: subscribed to it, they read every change of the
    register as news of the APBD-funded ones. Their page offers the calendar, which holds their
    selection, and says why there is no Atom feed; the change log likewise."""
    client.force_login(official)
    for page_url in ("/agreements/", "/regions/64/", "/perubahan/"):
        response = client.get(page_url, {"budget_source": "apbd"})
        assert response.status_code == 200
        html = response.content.decode()
        head, body = html.split("</head>", 1)
        assert "feed.atom" not in html, page_url
        assert "Tanpa umpan Atom" in body, page_url
        if page_url != "/perubahan/":
            alternates = dict(ALTERNATE.findall(head))
            assert set(alternates) == {"text/calendar"}
            assert "budget_source=apbd" in alternates["text/calendar"]
    # Without that filter the page offers both, and so does the public's, which reads the list
    # as though the budget's source were not named (as the feed does).
    response = client.get("/agreements/", {"kind": "sister_city"})
    assert "feed.atom?kind=sister_city" in response.content.decode()
    client.logout()
    response = client.get("/agreements/", {"budget_source": "apbd"})
    assert "feed.atom?budget_source=apbd" in response.content.decode()


def test_an_officials_page_of_a_partner_known_only_internally_offers_no_atom_feed(
    client, official, register, kaltim
):
    """The Atom feed is read for the public, whoever fetches it, and the public does not know
    of a partner (or an agency) named only by internal agreements: the feed beside an
    official's page of such a partner, or of the list selected by it, answered 404 (the list's,
    400) to the official who followed its "Atom" link. Their page offers the calendar, which
    holds their selection, and says why there is no Atom feed."""
    sarawak = PartnerFactory(name="Sarawak", country=CountryFactory(code="MY"))
    biro = AgencyFactory(region=kaltim, name="Biro Rahasia", short_name="Birah")
    AgreementFactory(
        title="Rancangan internal Kaltim Sarawak",
        lead_region=kaltim,
        scope="ksdpl",
        visibility="internal",
        partners=[sarawak],
        agencies=[biro],
    )
    client.force_login(official)
    for page_url, query in (
        (sarawak.get_absolute_url(), {}),
        ("/agreements/", {"partner": sarawak.pk}),
        ("/agreements/", {"agency": biro.pk}),
        ("/perubahan/", {"partner": sarawak.pk}),
    ):
        response = client.get(page_url, query)
        assert response.status_code == 200, page_url
        html = response.content.decode()
        head, body = html.split("</head>", 1)
        assert "feed.atom" not in html, (page_url, query)
        assert "Tanpa umpan Atom" in body, (page_url, query)
        assert "hanya dikenal dari kerja sama internal" in body, (page_url, query)
        if page_url != "/perubahan/":
            assert set(dict(ALTERNATE.findall(head))) == {"text/calendar"}
    # A partner the public knows of keeps its feed on the official's page.
    response = client.get(register["anhui"].get_absolute_url())
    assert "feed.atom" in response.content.decode()
    assert client.get(f"{register['anhui'].get_absolute_url()}feed.atom").status_code == 200


def test_the_note_beside_a_page_without_an_atom_feed_says_why_in_its_words():
    """What an official's page says where it offers no Atom feed, pinned word for word: a
    filter only officials and staff select by goes first, then a partner or an agency the
    public does not know of; none, no note."""
    from types import SimpleNamespace

    from agreements.views import public_feed_note

    def note(selects=(), names=()):
        return public_feed_note(
            SimpleNamespace(selects_beyond_public=list(selects), names_beyond_public=list(names))
        )

    assert public_feed_note(None) == ""
    assert note() == ""
    assert note(selects=["Sumber anggaran"]) == (
        "Tanpa umpan Atom: umpan Atom terbuka untuk umum dan tidak memilih menurut "
        "“Sumber anggaran”, yang hanya untuk pejabat dan staf."
    )
    assert note(names=["Mitra", "Perangkat daerah"]) == (
        "Tanpa umpan Atom: umpan Atom terbuka untuk umum, sedangkan “Mitra”, “Perangkat "
        "daerah” yang dipilih di sini hanya dikenal dari kerja sama internal."
    )
    assert note(selects=["Sumber anggaran"], names=["Mitra"]) == note(selects=["Sumber anggaran"])
