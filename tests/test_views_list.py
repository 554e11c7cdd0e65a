"""The agreement list at /agreements/: filters, chips, sorting, pagination, bad input,
visibility, language and the number of queries."""

import datetime
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import timezone

from agreements.dates import DatePrecision
from agreements.models import Agreement, Scope
from partners.models import Partner
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    SectorFactory,
    make_official,
)
from tests.helpers import on_postgresql, page_problems, titles_in

pytestmark = pytest.mark.django_db

LIST = reverse("agreement-list")


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def register(kaltim, samarinda, bali):
    """Four public agreements that differ in every filtered respect, and one internal one."""
    education = SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")
    trade = SectorFactory(slug="trade", name_id="Perdagangan", name_en="Trade")
    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    anhui = PartnerFactory(name="Pemerintah Provinsi Anhui", country=china)
    osaka = PartnerFactory(name="Osaka", kind=Partner.Kind.FOREIGN_CITY, country=japan)
    kalteng = ProvinceFactory(code="62", name="Kalimantan Tengah")
    records = SimpleNamespace(
        education=education,
        trade=trade,
        china=china,
        japan=japan,
        anhui=anhui,
        osaka=osaka,
        kalteng=kalteng,
        kaltim_school=AgreementFactory(
            title="Beasiswa guru Kalimantan Timur",
            lead_region=kaltim,
            kind=Agreement.Kind.MOU,
            sectors=[education],
            signed_on=datetime.date(2024, 1, 15),
            in_force_from=datetime.date(2024, 1, 15),
            expires_on=days(400),
        ),
        samarinda_anhui=AgreementFactory(
            title="Kota kembar Samarinda dan Anhui",
            lead_region=samarinda,
            partners=[anhui],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.SISTER_CITY,
            status=Agreement.Status.PREPARATION,
            signed_on=None,
            in_force_from=None,
            expires_on=None,
            sectors=[trade],
        ),
        bali_kalteng=AgreementFactory(
            title="Pariwisata Kalimantan Tengah dan Bali",
            lead_region=bali,
            regions=[kalteng],
            kind=Agreement.Kind.PKS,
            status=Agreement.Status.IN_FORCE,  # recorded in force, but lapsed: shows expired
            signed_on=datetime.date(2020, 3, 1),
            in_force_from=datetime.date(2020, 3, 1),
            expires_on=datetime.date(2023, 3, 1),
            sectors=[trade],
        ),
        bali_osaka=AgreementFactory(
            title="Pertukaran budaya Bali dan Osaka",
            lead_region=bali,
            partners=[osaka],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.SISTER_CITY,
            signed_on=datetime.date(2022, 6, 1),
            in_force_from=datetime.date(2022, 6, 1),
            expires_on=days(30),
        ),
        internal=AgreementFactory(
            title="Rahasia Kalimantan Timur",
            lead_region=kaltim,
            visibility=Agreement.Visibility.INTERNAL,
            sectors=[education],
            signed_on=datetime.date(2025, 2, 1),
            in_force_from=datetime.date(2025, 2, 1),
            expires_on=days(100),
        ),
    )
    DocumentFactory(agreement=records.kaltim_school)
    return records


def text_of(response):
    """What a reader sees of a page: its text, spaces as they read."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return set(titles_in(response))


# -- what is listed, and to whom ---------------------------------------------------------------


def test_list_shows_every_public_agreement_and_how_many(client, register):
    response = client.get(LIST)
    assert response.status_code == 200
    assert set(titles_in(response)) == {
        "Beasiswa guru Kalimantan Timur",
        "Kota kembar Samarinda dan Anhui",
        "Pariwisata Kalimantan Tengah dan Bali",
        "Pertukaran budaya Bali dan Osaka",
    }
    assert "4 kerja sama ditemukan" in response.content.decode()


def test_anonymous_reader_never_sees_or_counts_an_internal_agreement(client, register):
    response = client.get(LIST)
    html = response.content.decode()
    assert "Rahasia Kalimantan Timur" not in html
    assert "5 kerja sama" not in html
    # Not through a filter that only the internal agreement matches either.
    assert listed(client, year="2025") == set()


def test_official_sees_internal_agreements(client, register, django_user_model):
    client.force_login(make_official(django_user_model))
    assert "Rahasia Kalimantan Timur" in listed(client)


def test_an_internal_row_is_marked_so_for_those_who_read_it(client, register, django_user_model):
    """An official's list holds internal agreements that their downloads leave out: each such
    row says "Internal", as its status page does; the public ones say nothing of it."""
    client.force_login(make_official(django_user_model))
    page = client.get(LIST).content.decode()
    rows = re.findall(r"<tr><th scope=\"row\".*?</tr>", page, re.S)
    marked = [row for row in rows if 'class="badge badge-internal"' in row]
    assert len(marked) == 1 and "Rahasia Kalimantan Timur" in marked[0]
    assert len(rows) == 5


def test_staff_see_internal_agreements(staff_client, register):
    assert "Rahasia Kalimantan Timur" in listed(staff_client)


def test_filter_form_offers_no_party_of_an_internal_agreement_to_the_public(
    client, register, django_user_model
):
    hidden_partner = PartnerFactory(name="Mitra Tersembunyi", country=register.japan)
    register.internal.partners.add(hidden_partner)
    assert "Mitra Tersembunyi" not in client.get(LIST).content.decode()
    client.force_login(make_official(django_user_model))
    assert "Mitra Tersembunyi" in client.get(LIST).content.decode()


# -- each filter alone ------------------------------------------------------------------------


def test_filter_by_kind(client, register):
    assert listed(client, kind="sister_city") == {
        "Kota kembar Samarinda dan Anhui",
        "Pertukaran budaya Bali dan Osaka",
    }


def test_filter_by_scope(client, register):
    assert listed(client, scope="ksdd") == {
        "Beasiswa guru Kalimantan Timur",
        "Pariwisata Kalimantan Tengah dan Bali",
    }


def test_filter_by_status_uses_the_shown_status(client, register):
    # Recorded "in force" but past its expiry: it is listed as expired, not as in force.
    assert listed(client, status="expired") == {"Pariwisata Kalimantan Tengah dan Bali"}
    assert listed(client, status="in_force") == {
        "Beasiswa guru Kalimantan Timur",
        "Pertukaran budaya Bali dan Osaka",
    }
    assert listed(client, status="preparation") == {"Kota kembar Samarinda dan Anhui"}


def test_filter_by_sector(client, register):
    assert listed(client, sector="trade") == {
        "Kota kembar Samarinda dan Anhui",
        "Pariwisata Kalimantan Tengah dan Bali",
    }


def test_filter_by_province_includes_its_regencies_and_cities(client, register):
    # Samarinda is a city in Kalimantan Timur; the province's page of the list includes it.
    assert listed(client, region="64") == {
        "Beasiswa guru Kalimantan Timur",
        "Kota kembar Samarinda dan Anhui",
    }


def test_filter_by_city_leaves_out_the_rest_of_its_province(client, register):
    assert listed(client, region="64.72") == {"Kota kembar Samarinda dan Anhui"}


def test_filter_by_region_counts_an_agreement_with_two_parties_in_the_province_once(
    client, register, samarinda
):
    register.kaltim_school.regions.add(samarinda)
    response = client.get(LIST, {"region": "64"})
    assert titles_in(response).count("Beasiswa guru Kalimantan Timur") == 1
    assert "2 kerja sama ditemukan" in response.content.decode()


def test_filter_by_party_region_that_is_not_the_lead(client, register):
    assert listed(client, region="62") == {"Pariwisata Kalimantan Tengah dan Bali"}


def test_filter_by_partner(client, register):
    assert listed(client, partner=register.osaka.pk) == {"Pertukaran budaya Bali dan Osaka"}


def test_filter_by_partner_country(client, register):
    assert listed(client, country="CN") == {"Kota kembar Samarinda dan Anhui"}


def test_a_country_code_in_lower_case_is_the_same_country(client, register):
    """ISO codes are kept in capitals; an address typed or shared in lower case (``?country=cn``)
    answered 400 "Masukkan pilihan yang valid" where ``CN`` listed China's, as the country's own
    page, ``/countries/cn/``, does. The list shows China chosen, and its downloads, feeds and
    the country's page given the filter read it alike."""
    response = client.get(LIST, {"country": "cn"})
    assert response.status_code == 200
    assert titles_in(response) == ["Kota kembar Samarinda dan Anhui"]
    html = response.content.decode()
    assert '<option value="CN" selected>' in html
    assert "Negara mitra: Tiongkok" in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for address in (
        reverse("agreement-export", args=["csv"]),
        "/agreements/feed.atom",
        "/agreements/calendar.ics",
        "/perubahan/",
        reverse("country-detail", args=["CN"]),
    ):
        assert client.get(address, {"country": "cn"}).status_code == 200, address
    csv = client.get(reverse("agreement-export", args=["csv"]), {"country": "cn"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Kota kembar Samarinda dan Anhui" in body
    assert "Pertukaran budaya Bali dan Osaka" not in body
    # A country's page given another country in lower case still says which it asked for.
    refused = client.get(reverse("country-detail", args=["JP"]), {"country": "cn"})
    assert refused.status_code == 400
    assert "meminta Tiongkok" in refused.content.decode()


def test_filter_by_partner_country_lists_an_agreement_with_two_partners_from_it_once(
    client, register
):
    register.samarinda_anhui.partners.add(PartnerFactory(name="Hefei", country=register.china))
    response = client.get(LIST, {"country": "CN"})
    assert titles_in(response) == ["Kota kembar Samarinda dan Anhui"]


def test_filter_by_signing_year(client, register):
    assert listed(client, year="2022") == {"Pertukaran budaya Bali dan Osaka"}


def test_filter_by_signing_date_range(client, register):
    assert listed(client, signed_from="2021-01-01", signed_to="2023-12-31") == {
        "Pertukaran budaya Bali dan Osaka"
    }
    assert listed(client, signed_from="2022-06-02") == {"Beasiswa guru Kalimantan Timur"}


def test_signed_up_to_a_day_holds_a_signing_known_to_its_month_or_year_once_that_has_ended(
    client, kaltim
):
    """ "Ditandatangani sampai 30 Juni 2024" listed a text known to be signed "2024", stored as
    1 January, though it may have been signed in December; the first half of 2024 on the list
    then disagreed with the report of that semester. Read as "Berakhir paling lambat" reads an
    expiry: the whole month or year by that day. Its download holds the same."""
    for title, precision in [("MoU 2024", "year"), ("MoU Maret 2024", "month")]:
        AgreementFactory(
            title=title,
            lead_region=kaltim,
            signed_on=datetime.date(2024, 3 if precision == "month" else 1, 1),
            signed_on_precision=precision,
            in_force_from=None,
        )
    first_half = {"signed_from": "2024-01-01", "signed_to": "2024-06-30"}
    assert listed(client, **first_half) == {"MoU Maret 2024"}
    assert listed(client, signed_to="2024-03-15") == set()
    assert listed(client, signed_to="2024-12-31") == {"MoU 2024", "MoU Maret 2024"}
    download = client.get(reverse("agreement-export", args=["csv"]), first_half)
    rows = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()[1:]
    assert [row.split(",")[1] for row in rows] == ["MoU Maret 2024"]


def test_filter_expiring_before_a_date(client, register):
    assert listed(client, expires_before=days(60).isoformat()) == {
        "Pariwisata Kalimantan Tengah dan Bali",
        "Pertukaran budaya Bali dan Osaka",
    }


@pytest.fixture
def terminated(kaltim):
    """A cooperation terminated on 2 March 2023, its first term running to 28 July 2027."""
    agreement = AgreementFactory(
        title="Kerja sama yang diakhiri",
        lead_region=kaltim,
        status=Agreement.Status.TERMINATED,
        signed_on=datetime.date(2022, 7, 28),
        in_force_from=datetime.date(2022, 7, 28),
        expires_on=datetime.date(2027, 7, 28),
    )
    MilestoneFactory(
        agreement=agreement,
        kind="termination",
        title="Pengakhiran kerja sama",
        due_on=None,
        done_on=datetime.date(2023, 3, 2),
    )
    return agreement


def test_a_terminated_agreement_ended_before_a_date_on_its_termination_day(
    client, register, terminated
):
    """An analyst asking what ended before 2025 is given the cooperation terminated in 2023,
    as its row says, though its first term ran to 2027; and not what ended before that day."""
    response = client.get(LIST, {"status": "terminated", "expires_before": "2025-01-01"})
    assert titles_in(response) == ["Kerja sama yang diakhiri"]
    assert "Diakhiri pada 2 Maret 2023" in text_of(response)
    assert "Kerja sama yang diakhiri" in listed(client, expires_before="2023-03-02")
    assert "Kerja sama yang diakhiri" not in listed(client, expires_before="2023-03-01")


def test_a_terminated_agreement_whose_term_ran_out_first_ended_when_it_ran_out(
    client, register, kaltim
):
    """A termination recorded after the term had already run out does not move the end on: the
    cooperation ended with its term, 31 December 2022, not on the day recorded in 2024. Asked
    what ended before 2023, the list gave nothing, and sorted it among those ending in 2024."""
    ran_out = AgreementFactory(
        title="Kerja sama yang diakhiri setelah jangka waktunya habis",
        lead_region=kaltim,
        status=Agreement.Status.TERMINATED,
        signed_on=datetime.date(2020, 1, 10),
        in_force_from=datetime.date(2020, 1, 10),
        expires_on=datetime.date(2022, 12, 31),
    )
    MilestoneFactory(
        agreement=ran_out,
        kind="termination",
        title="Pengakhiran kerja sama",
        due_on=None,
        done_on=datetime.date(2024, 3, 1),
    )
    ran_out.refresh_from_db()

    assert ran_out.ends_by == datetime.date(2022, 12, 31)
    assert ran_out.title in listed(client, expires_before="2023-01-01")
    assert ran_out.title not in listed(client, expires_before="2022-12-30")
    row = text_of(client.get(LIST, {"status": "terminated", "q": "jangka waktunya habis"}))
    assert "31 Desember 2022" in row and "Diakhiri 1 Maret 2024" not in row
    page = text_of(client.get(ran_out.get_absolute_url()))
    assert "Berakhir pada 31 Desember 2022" in page
    assert "Jangka waktu semula" not in page and "diakhiri 1 Maret 2024" not in page


def test_filter_with_and_without_documents(client, register):
    assert listed(client, documents="yes") == {"Beasiswa guru Kalimantan Timur"}
    assert listed(client, documents="no") == {
        "Kota kembar Samarinda dan Anhui",
        "Pariwisata Kalimantan Tengah dan Bali",
        "Pertukaran budaya Bali dan Osaka",
    }


def test_free_text_search_finds_a_title(client, register):
    assert listed(client, q="Osaka") == {"Pertukaran budaya Bali dan Osaka"}


# -- filters combined ------------------------------------------------------------------------


def test_province_and_sector_combined(client, register):
    assert listed(client, region="64", sector="trade") == {"Kota kembar Samarinda dan Anhui"}


def test_region_kind_and_status_combined(client, register):
    assert listed(client, region="51", kind="sister_city", status="in_force") == {
        "Pertukaran budaya Bali dan Osaka"
    }
    assert listed(client, region="51", kind="pks", status="in_force") == set()


def test_search_within_a_filtered_selection(client, register):
    assert listed(client, q="Bali", sector="trade") == {"Pariwisata Kalimantan Tengah dan Bali"}


def test_filters_that_exclude_each_other_show_an_empty_list_not_an_error(client, register):
    response = client.get(LIST, {"country": "JP", "region": "64"})
    assert response.status_code == 200
    assert "Tidak ada kerja sama yang cocok" in response.content.decode()


# -- chips and shareable URLs ----------------------------------------------------------------


def test_active_filters_show_as_chips_each_removable_by_one_link(client, register):
    response = client.get(LIST, {"region": "64", "sector": "trade", "page": "1"})
    chips = {chip["label"]: chip for chip in response.context["chips"]}
    assert set(chips) == {"Daerah", "Bidang"}
    assert chips["Daerah"]["value"] == "Kalimantan Timur"
    assert chips["Bidang"]["value"] == "Perdagangan"
    html = response.content.decode()
    # Each opens the wider list at its results (below the filters, on a phone).
    assert 'href="?sector=trade#results"' in html  # removes the region, keeps the sector
    assert 'href="?region=64#results"' in html  # removes the sector, keeps the region
    # Following a chip's link shows the wider selection.
    assert listed(client, region="64") == {
        "Beasiswa guru Kalimantan Timur",
        "Kota kembar Samarinda dan Anhui",
    }


def test_a_value_repeated_in_the_address_is_one_chip(client, register):
    """``?kind=mou&kind=mou&kind=pks``, an address edited by hand, showed the MoU chip twice:
    each value selects once, and is shown once."""
    response = client.get(LIST, {"kind": ["mou", "mou", "pks"]})
    values = [chip["value"] for chip in response.context["chips"]]
    assert sorted(map(str, values)) == sorted(
        ["Nota kesepahaman / kesepakatan bersama (MoU)", "Perjanjian kerja sama (PKS)"]
    )


def test_sorting_is_not_a_chip(client, register):
    response = client.get(LIST, {"sort": "title"})
    assert response.context["chips"] == []


def test_shared_url_reproduces_the_view(client, register):
    url = f"{LIST}?region=64&sector=trade&sort=title"
    first = client.get(url)
    second = client.get(url)  # a colleague opening the same link: nothing kept in a session
    assert titles_in(first) == titles_in(second) == ["Kota kembar Samarinda dan Anhui"]
    html = second.content.decode()
    assert re.search(r'<input type="checkbox" name="sector" value="trade"[^>]* checked', html)


def test_pagination_links_keep_the_filters(client, register, kaltim):
    for n in range(30):
        AgreementFactory(title=f"Kerja sama tambahan {n:02d}", lead_region=kaltim)
    html = client.get(LIST, {"region": "64"}).content.decode()
    assert 'href="?region=64&amp;page=2#results"' in html


# -- sorting ---------------------------------------------------------------------------------


def test_default_order_is_newest_signing_first_with_unsigned_last(client, register):
    assert titles_in(client.get(LIST)) == [
        "Beasiswa guru Kalimantan Timur",  # 2024
        "Pertukaran budaya Bali dan Osaka",  # 2022
        "Pariwisata Kalimantan Tengah dan Bali",  # 2020
        "Kota kembar Samarinda dan Anhui",  # not signed yet
    ]


def test_the_form_applied_without_a_keyword_marks_the_column_the_list_is_sorted_by(
    client, register
):
    """The form's order starts at "Paling sesuai dengan kata kunci"; applied without a keyword
    (``?kind=…&sort=relevance``), the list is by signing date, newest first, as by default, but
    no column said so, and the signing date's header sorted it newest first again: a click
    that changed nothing."""
    applied = client.get(LIST, {"sort": "relevance"}, follow=True)
    # Sent on to the list asked for no order (``only_what_is_set``): the same order.
    assert applied.redirect_chain == [(LIST, 302)]
    html = applied.content.decode()

    assert titles_in(applied) == titles_in(client.get(LIST))
    sorted_by = r'<th scope="col" aria-sort="descending"><a href="\?sort=signed#results"'
    assert re.search(sorted_by, html)


def test_sort_by_title(client, register):
    assert titles_in(client.get(LIST, {"sort": "title"})) == [
        "Beasiswa guru Kalimantan Timur",
        "Kota kembar Samarinda dan Anhui",
        "Pariwisata Kalimantan Tengah dan Bali",
        "Pertukaran budaya Bali dan Osaka",
    ]
    assert titles_in(client.get(LIST, {"sort": "-title"}))[0] == "Pertukaran budaya Bali dan Osaka"


def test_sort_by_expiry_soonest_first_with_no_expiry_last(client, register):
    assert titles_in(client.get(LIST, {"sort": "expires"})) == [
        "Pariwisata Kalimantan Tengah dan Bali",
        "Pertukaran budaya Bali dan Osaka",
        "Beasiswa guru Kalimantan Timur",
        "Kota kembar Samarinda dan Anhui",
    ]


def test_sort_by_expiry_puts_a_terminated_agreement_at_the_day_its_row_says_it_ended(
    client, register, terminated
):
    """Terminated on 2 March 2023 ("Diakhiri pada 2 Maret 2023" in its row), it sorts beside
    the term that ran out the day before, both ways, not at its first term's 28 July 2027."""
    by_end = [
        "Pariwisata Kalimantan Tengah dan Bali",  # 1 March 2023
        "Kerja sama yang diakhiri",  # terminated 2 March 2023
        "Pertukaran budaya Bali dan Osaka",  # in 30 days
        "Beasiswa guru Kalimantan Timur",  # in 400 days
    ]
    assert titles_in(client.get(LIST, {"sort": "expires"})) == [
        *by_end,
        "Kota kembar Samarinda dan Anhui",  # no expiry: last
    ]
    response = client.get(LIST, {"sort": "-expires"})
    assert titles_in(response) == [*reversed(by_end), "Kota kembar Samarinda dan Anhui"]
    assert "Diakhiri pada 2 Maret 2023" in text_of(response)


def test_those_in_force_by_expiry_soonest_first_keep_a_term_known_to_its_year(
    client, register, kaltim
):
    """Filtered to those in force and sorted by expiry, the list starts at today's terms: one
    known only as this year (stored as 1 January, running to 31 December) is still in force and
    listed by its year's last day; one with no expiry comes last; the lapsed one is not there."""
    today = timezone.localdate()
    AgreementFactory(
        title="Tanpa tanggal berakhir", lead_region=kaltim, expires_on=None, in_force_from=None
    )
    AgreementFactory(
        title="Berakhir tahun ini",
        lead_region=kaltim,
        signed_on=datetime.date(2021, 1, 1),
        in_force_from=datetime.date(2021, 1, 1),
        expires_on=today.replace(month=1, day=1),
        expires_on_precision=DatePrecision.YEAR,
    )
    in_year = (today.replace(month=12, day=31) - today).days
    expected = ["Pertukaran budaya Bali dan Osaka"]  # in 30 days
    expected.insert(0 if in_year < 30 else 1, "Berakhir tahun ini")
    expected += ["Beasiswa guru Kalimantan Timur", "Tanpa tanggal berakhir"]  # 400 days; none
    assert titles_in(client.get(LIST, {"status": "in_force", "sort": "expires"})) == expected


@pytest.mark.postgresql  # SQLite's embedded registers have no index of this order
@pytest.mark.parametrize(
    "sort, status", [("expires", None), ("-expires", None), ("expires", "in_force")]
)
def test_the_order_by_expiry_is_read_from_its_index_not_sorted(
    client, register, sort, status, monkeypatch
):
    """The list by expiry orders by the day each cooperation ends (``Agreement.ends_by``), which
    the indexes of migration 0052 hold, one each way: a page is read from them, where at
    100,000 agreements each page read and sorted the whole register. Sorting forbidden to
    the planner, the list's query still has a plan without one only while the indexes'
    expression is the order's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import caching

    monkeypatch.setattr(caching, "READ_APART_UP_TO", 0)  # as a selection of thousands
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"sort": sort, **({"status": status} if status else {})})
    assert len(titles_in(response)) == (2 if status else 4)
    (listed,) = [
        q["sql"]
        for q in captured
        if re.search(r'ORDER BY (COALESCE\()?"agreements_agreement"."ends_by"', q["sql"])
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {listed}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index = "agreement_ends_order" if sort == "expires" else "agreement_ends_order_desc"
    assert f"Index Scan using {index} on agreements_agreement" in plan, plan
    assert " Sort " not in plan and not plan.startswith("Sort"), plan
    if status:
        # Those signed or in force start at today's terms in the index, not at its start; they
        # are counted from the counts the database keeps, no row read.
        assert "Index Cond: (COALESCE(" in plan, plan
        assert not [q for q in captured if q["sql"].startswith("SELECT COUNT(*)")]


def page_query(captured):
    """The query that read the list's rows (the one with their change counters)."""
    (listed,) = [q["sql"] for q in captured if '"change_count"' in q["sql"]]
    return listed


@pytest.mark.postgresql  # elsewhere the list is read as it is ordered
def test_a_small_selection_is_read_as_a_set_then_sorted(client, register, monkeypatch):
    """A page of at most ``READ_APART_UP_TO`` agreements is read from its selection's ids,
    gathered first by the indexes its conditions use, then sorted: walked in the order's index,
    a search's few matches or those never signed (which sort last by signing date) were found
    only past the whole register. A larger selection is walked, where its matches come soon."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import caching

    read_apart = '"agreements_agreement"."id" = ANY(ARRAY(SELECT'
    for params in ({"q": "Bali", "sort": "-signed"}, {"kind": "sister_city", "sort": "title"}):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, params)
        assert titles_in(response) == (
            ["Pertukaran budaya Bali dan Osaka", "Pariwisata Kalimantan Tengah dan Bali"]
            if "q" in params
            else ["Kota kembar Samarinda dan Anhui", "Pertukaran budaya Bali dan Osaka"]
        )
        sql = page_query(captured)
        assert read_apart in sql
        # The selection's conditions are read once, inside the array, not again around it.
        assert sql.count("'sister_city'") == (0 if "q" in params else 1)

    monkeypatch.setattr(caching, "READ_APART_UP_TO", 1)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"kind": "sister_city", "sort": "title"})
    assert titles_in(response) == [
        "Kota kembar Samarinda dan Anhui",
        "Pertukaran budaya Bali dan Osaka",
    ]
    assert read_apart not in page_query(captured)


@pytest.mark.postgresql  # elsewhere the list is read as it is ordered
def test_a_small_selection_reads_whole_only_the_rows_up_to_its_page(client, register, monkeypatch):
    """Read apart, a page's keys are sorted among the selection's first, and only the rows up
    to the page are read whole, with their lead region, next step and version: a region's page
    of 25 read all its 411 agreements at 100,000 to sort them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"kind": "sister_city", "sort": "title", "page": 2})
    assert titles_in(response) == ["Pertukaran budaya Bali dan Osaka"]
    sql = page_query(captured)
    # The keys of the first two, sorted among the selection's keys, then those two rows.
    sorted_keys = re.search(
        r"= ANY\(ARRAY\(SELECT (\w+)\.\"id\" AS \"pk\" FROM .* LIMIT 2\)\)", sql
    )
    assert sorted_keys, sql
    assert sql.endswith("LIMIT 1 OFFSET 1")


@pytest.mark.postgresql  # SQLite's embedded registers have no index of these orders
@pytest.mark.parametrize(
    "params, language, index, titles",
    [
        # Those never signed sort last by signing date: walked in its index, they were found
        # past every signed agreement.
        (
            {"status": "preparation"},
            "id",
            "agreement_status_newest_signed",
            ["Kota kembar Samarinda dan Anhui"],
        ),
        # A title names its kind: walked in the title index, a kind's first page was found past
        # the other kinds' titles.
        (
            {"kind": "sister_city", "sort": "-title"},
            "id",
            "agreement_kind_title",
            ["Pertukaran budaya Bali dan Osaka", "Kota kembar Samarinda dan Anhui"],
        ),
        # English pages sort by the title they show (migration 0057).
        (
            {"kind": "sister_city", "sort": "-title"},
            "en",
            "agreement_kind_english_title",
            ["Pertukaran budaya Bali dan Osaka", "Kota kembar Samarinda dan Anhui"],
        ),
        (
            {"sort": "title"},
            "en",
            "agreement_english_title_order",
            [
                "Beasiswa guru Kalimantan Timur",
                "Kota kembar Samarinda dan Anhui",
                "Pariwisata Kalimantan Tengah dan Bali",
                "Pertukaran budaya Bali dan Osaka",
            ],
        ),
    ],
)
def test_one_status_or_kind_in_its_order_is_read_from_an_index(
    client, register, monkeypatch, params, language, index, titles
):
    """Those of one status, newest signing first (the default order), and those of one kind by
    title are read in an index of that order within the status or the kind (migration 0047);
    on English pages, by the title they show (migration 0057)."""
    assert_read_in_index(client, monkeypatch, params, language, index, titles)


def assert_read_in_index(client, monkeypatch, params, language, index, titles):
    """The list of ``params`` lists ``titles``, its page read in ``index``, in its order, as a
    selection of thousands (not read apart), with no sort of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import caching

    monkeypatch.setattr(caching, "READ_APART_UP_TO", 0)  # as a selection of thousands
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, params, HTTP_ACCEPT_LANGUAGE=language)
    assert titles_in(response) == titles
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {page_query(captured)}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"using {index} on agreements_agreement" in plan, plan
    assert " Sort " not in plan and not plan.startswith("Sort"), plan


@pytest.mark.postgresql  # SQLite's embedded registers have no index of these orders
@pytest.mark.parametrize(
    "waits_on, index, titles",
    [
        ("dprd", "agreement_waiting_newest_signed", ["Rancangan kerja sama menunggu DPRD"]),
        ("none", "agreement_nobody_newest_signed", ["Rancangan kerja sama belum ditentukan"]),
    ],
)
def test_those_waiting_on_a_party_or_on_nobody_named_are_read_from_an_index(
    client, waiting_drafts, monkeypatch, waits_on, index, titles
):
    """Those waiting are mostly drafts, never signed, which sort last by signing date: walked
    in its index, the first page waiting on the DPRD was found past nearly every agreement
    (480–770 ms at 100,000). Each party's, and nobody's, are read in an index of that order
    of their own (migration 0064)."""
    assert_read_in_index(client, monkeypatch, {"waits_on": waits_on}, "id", index, titles)


@pytest.mark.postgresql  # SQLite's embedded registers have no index of these orders
def test_several_parties_waiting_are_read_each_from_its_own_index(
    client, waiting_drafts, monkeypatch
):
    """The dashboard's "Yang menunggu DPRD atau kementerian" names several parties: their rows
    are no range of one index, and the list walked the signing order past nearly every
    agreement (300–400 ms at 100,000). The first rows of each party's are read from its own
    index and the few found sorted (``read_in_parts``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import caching

    monkeypatch.setattr(caching, "READ_APART_UP_TO", 0)  # as a selection of thousands
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"waits_on": ["dprd", "none"]})
    assert titles_in(response) == [
        "Rancangan kerja sama belum ditentukan",
        "Rancangan kerja sama menunggu DPRD",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {page_query(captured)}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "using agreement_waiting_newest_signed on agreements_agreement" in plan, plan
    assert "using agreement_nobody_newest_signed on agreements_agreement" in plan, plan
    # The list's rows are not walked in the signing order's index (a step's agreement, joined
    # under an alias of its own, may be looked up in any index with its id).
    assert not re.search(r"agreement_newest_signed on agreements_agreement\s+\(", plan), plan


@pytest.fixture
def waiting_drafts(kaltim):
    """A draft waiting on the DPRD, one whose next step names nobody yet, and an MoU in force
    waiting on no one."""
    for title, party in [
        ("Rancangan kerja sama menunggu DPRD", "dprd"),
        ("Rancangan kerja sama belum ditentukan", ""),
    ]:
        draft = AgreementFactory(
            title=title,
            lead_region=kaltim,
            status=Agreement.Status.PREPARATION,
            signed_on=None,
            in_force_from=None,
            expires_on=None,
        )
        MilestoneFactory(agreement=draft, due_on=datetime.date(2030, 1, 1), waits_on=party)
    AgreementFactory(title="MoU yang berlaku", lead_region=kaltim)
    Agreement.objects.all().refresh_progress()


def test_an_english_reader_sorts_by_the_titles_they_read(client, register):
    """On the English list the titles shown are the English ones where filled: sorted by title,
    "Bali and Osaka cultural exchange" comes first, and an agreement with no English title
    takes its place by the Indonesian one it shows, either way. The Indonesian list keeps its
    own order."""
    english = {
        register.kaltim_school: "Teacher scholarships of East Kalimantan",
        register.samarinda_anhui: "Sister city Samarinda and Anhui",
        register.bali_osaka: "Bali and Osaka cultural exchange",
    }
    for agreement, title in english.items():
        Agreement.objects.filter(pk=agreement.pk).update(title_en=title)
    shown = [
        "Bali and Osaka cultural exchange",
        "Pariwisata Kalimantan Tengah dan Bali",  # no English title
        "Sister city Samarinda and Anhui",
        "Teacher scholarships of East Kalimantan",
    ]

    for sort, order in (("title", shown), ("-title", shown[::-1])):
        page = client.get(LIST, {"sort": sort}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert sorted(shown, key=page.index) == order, sort
        # The download from that page holds its rows in its order.
        download = client.get(
            reverse("agreement-export", args=["json"]), {"sort": sort}, HTTP_ACCEPT_LANGUAGE="en"
        )
        rows = json.loads(b"".join(download.streaming_content))["agreements"]
        assert [row["title_en"] or row["title"] for row in rows] == order, sort
    assert titles_in(client.get(LIST, {"sort": "title"}, HTTP_ACCEPT_LANGUAGE="id")) == [
        "Beasiswa guru Kalimantan Timur",
        "Kota kembar Samarinda dan Anhui",
        "Pariwisata Kalimantan Tengah dan Bali",
        "Pertukaran budaya Bali dan Osaka",
    ]


def test_sort_by_oldest_signing(client, register):
    assert titles_in(client.get(LIST, {"sort": "signed"}))[0] == (
        "Pariwisata Kalimantan Tengah dan Bali"
    )


def test_column_header_sorts_and_says_which_way(client, register):
    html = client.get(LIST, {"sort": "title", "kind": "sister_city"}).content.decode()
    assert 'aria-sort="ascending"' in html
    # The title header now offers the reverse order, keeping the filter.
    assert 'href="?kind=sister_city&amp;sort=-title#results"' in html


# -- pagination ------------------------------------------------------------------------------


@pytest.fixture
def thirty(kaltim):
    return [
        AgreementFactory(
            title=f"Kerja sama {n:02d}", lead_region=kaltim, signed_on=datetime.date(2020, 1, 1)
        )
        for n in range(30)
    ]


def test_first_page_shows_twenty_five_of_thirty(client, thirty):
    response = client.get(LIST, {"sort": "title"})
    assert len(titles_in(response)) == 25
    html = response.content.decode()
    assert "30 kerja sama ditemukan" in html
    assert "Menampilkan 1–25" in html
    assert 'rel="next"' in html


def test_second_page_shows_the_rest(client, thirty):
    response = client.get(LIST, {"sort": "title", "page": "2"})
    assert titles_in(response) == [f"Kerja sama {n:02d}" for n in range(25, 30)]
    assert 'aria-current="page"' in response.content.decode()


# -- bad input: a 400 with a message, never a 500 --------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"signed_from": "2024-13-45"}, "Masukkan tanggal yang valid"),
        ({"expires_before": "besok"}, "Masukkan tanggal yang valid"),
        ({"kind": "treaty"}, "Masukkan pilihan yang valid"),
        ({"status": "hidup"}, "Masukkan pilihan yang valid"),
        ({"sort": "password"}, "Masukkan pilihan yang valid"),
        ({"region": "99.99"}, "Masukkan pilihan yang valid"),
        ({"partner": "abc"}, "Masukkan pilihan yang valid"),
        ({"country": "XX"}, "Masukkan pilihan yang valid"),
        ({"sector": "<script>"}, "Masukkan pilihan yang valid"),
        ({"year": "dua ribu"}, "Masukkan keseluruhan angka bilangan"),
        ({"documents": "maybe"}, "Masukkan pilihan yang valid"),
        # One value filters, given two: which would win is no choice of the reader's.
        ({"region": ["64", "51"]}, "Isian ini menerima satu nilai saja, tetapi diberi 2 nilai"),
        ({"year": ["2020", "2021"]}, "Isian ini menerima satu nilai saja, tetapi diberi 2 nilai"),
        ({"page": ["2", "3"]}, "Isian ini menerima satu nilai saja, tetapi diberi 2 nilai"),
        ({"page": "dua"}, "Nomor halaman harus bilangan bulat positif"),
        ({"page": "0"}, "Halaman 0 tidak ada"),
        ({"page": "99"}, "Halaman 99 tidak ada; hasil ini ada 1 halaman"),
        (
            {"signed_from": "2025-01-01", "signed_to": "2020-01-01"},
            "Tanggal akhir penandatanganan lebih awal dari tanggal awalnya",
        ),
    ],
)
def test_malformed_parameter_gets_400_and_a_visible_message(client, register, params, message):
    response = client.get(LIST, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ada isian yang tidak dapat dipakai" in html
    assert message in html
    assert "<script>" not in html  # echoed values are escaped
    assert response.context["agreements"] == []


def test_malformed_date_is_marked_on_its_field(client, register):
    html = client.get(LIST, {"signed_from": "kemarin"}).content.decode()
    assert 'aria-invalid="true"' in html
    assert 'href="#id_signed_from"' in html  # the summary links to the field
    assert 'value="kemarin"' in html  # the reader sees what they typed


def test_a_signing_period_that_ends_before_it_starts_is_refused_everywhere_it_is_read(
    client, register
):
    """The list, its download and its feed: refused with the reason, not an empty result."""
    query = {"signed_from": "2025-01-01", "signed_to": "2020-01-01"}
    for url in (LIST, reverse("agreement-export", args=["csv"]), LIST + "feed.atom"):
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert "lebih awal dari tanggal awalnya" in response.content.decode(), url
    # The same day at both ends is one day, not a reversed period.
    same_day = {"signed_from": "2020-01-01", "signed_to": "2020-01-01"}
    assert client.get(LIST, same_day).status_code == 200


ONE_VALUE_ONLY = "Isian ini menerima satu nilai saja, tetapi diberi"
# Every filter of one value, with a value it takes.
ONE_VALUE_FILTERS = {
    "q": "Bali",
    "region": "64.72",
    "agency": None,  # none in this register: a value of it is refused as unknown anyway
    "partner": None,
    "country": "JP",
    "year": "2024",
    "signed_from": "2020-01-01",
    "signed_to": "2030-01-01",
    "expires_before": "2030-01-01",
    "dormant": "yes",
    "late": "yes",
    "documents": "yes",
    "sort": "title",
}


@pytest.mark.parametrize("name", [name for name, value in ONE_VALUE_FILTERS.items() if value])
@pytest.mark.parametrize("order", ["empty last", "empty first", "the same twice"])
def test_a_one_value_filter_given_twice_is_refused_whatever_its_values(
    client, register, name, order
):
    """``?region=64.72&region=`` listed the whole register, with no chip: which one was meant
    is not for the site to guess, whether the other is empty, the same, or another."""
    value = ONE_VALUE_FILTERS[name]
    values = {
        "empty last": [value, ""],
        "empty first": ["", value],
        "the same twice": [value, value],
    }[order]
    response = client.get(LIST, {name: values})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{ONE_VALUE_ONLY} 2 nilai: pilih satu." in html
    assert f'href="#id_{name}"' in html  # said at the filter, as any refusal of it
    assert response.context["agreements"] == []
    assert response.context["chips"] == []


def test_a_one_value_filter_given_three_times_says_how_many(client, register):
    response = client.get(LIST, {"region": ["64", "", "51"]})
    assert response.status_code == 400
    assert f"{ONE_VALUE_ONLY} 3 nilai: pilih satu." in response.content.decode()


def test_a_filter_of_several_values_still_takes_them(client, register):
    both = listed(client, kind=["mou", "pks"])
    assert both == {"Beasiswa guru Kalimantan Timur", "Pariwisata Kalimantan Tengah dan Bali"}


def test_a_one_value_filter_given_once_empty_is_no_filter(client, register):
    """Sent on to the list without them (``only_what_is_set``), which lists everything."""
    response = client.get(LIST, {"region": "", "q": "", "year": "", "sort": ""}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert len(titles_in(response)) == 4


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"year": "2024", "signed_from": "2025-01-01"},
            "Tahun 2024 berakhir sebelum tanggal awal penandatanganan (1 Januari 2025)",
        ),
        (
            {"year": "2024", "signed_to": "2023-12-31"},
            "Tahun 2024 dimulai sesudah tanggal akhir penandatanganan (31 Desember 2023)",
        ),
    ],
)
def test_a_signing_year_outside_the_signing_period_is_refused_at_the_year(
    client, register, params, message
):
    """It listed nothing, with no word why."""
    response = client.get(LIST, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'href="#id_year"' in html
    assert response.context["agreements"] == []


def test_a_signing_year_that_meets_the_signing_period_at_either_end_is_that_year(client, register):
    school = {"Beasiswa guru Kalimantan Timur"}
    assert listed(client, year="2024", signed_from="2024-12-31") == set()
    assert listed(client, year="2024", signed_to="2024-01-01") == set()
    assert listed(client, year="2024", signed_from="2024-01-15", signed_to="2024-01-15") == school
    assert listed(client, year="2024", signed_from="2023-06-01", signed_to="2025-06-01") == school


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (LIST, "region=64.72&region="),
        (reverse("agreement-export", args=["csv"]), "region=64.72&region="),
        (reverse("agreement-export", args=["json"]), "country=JP&country="),
        (reverse("agreement-export", args=["xlsx"]), "late=yes&late="),
        (LIST + "feed.atom", "region=64&region="),
        (reverse("feed-agreements"), "q=Bali&q="),
        (LIST + "calendar.ics", "region=64.72&region="),
        (reverse("change-log"), "signed_from=2020-01-01&signed_from="),
        (reverse("change-log-atom"), "region=64&region=64"),
        (reverse("region-export", args=["64", "csv"]), "country=JP&country="),
        (reverse("region-atom", args=["64"]), "year=2024&year="),
        (reverse("region-ics", args=["64"]), "sort=title&sort="),
        (reverse("sector-export", args=["education", "json"]), "region=&region=64"),
    ],
)
def test_a_one_value_filter_given_twice_is_refused_by_every_download_and_feed(
    client, register, url, query
):
    """The page, its downloads, its feeds and calendars read one selection: each refuses it
    with the same words, never a file of the whole register."""
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400, url
    assert f"{ONE_VALUE_ONLY} 2 nilai: pilih satu." in response.content.decode(), url


@pytest.mark.parametrize(
    ("url", "query", "year"),
    [
        (LIST, "signed_from=0001-01-01", 1),
        (LIST, "signed_to=1899-12-31", 1899),
        (LIST, "expires_before=9999-12-31", 9999),
        (reverse("agreement-export", args=["csv"]), "expires_before=9999-12-31", 9999),
        (reverse("agreement-export", args=["json"]), "signed_from=0001-01-01", 1),
        (reverse("agreement-export", args=["xlsx"]), "signed_to=1899-12-31", 1899),
        (LIST + "feed.atom", "expires_before=9999-12-31", 9999),
        (reverse("feed-agreements"), "signed_from=1899-12-31", 1899),
        (LIST + "calendar.ics", "expires_before=0001-01-01", 1),
        (reverse("change-log"), "signed_from=0001-01-01", 1),
        (reverse("change-log-atom"), "signed_to=9999-12-31", 9999),
        (reverse("region-detail", args=["64"]), "expires_before=9999-12-31", 9999),
        (reverse("region-export", args=["64", "csv"]), "signed_from=0001-01-01", 1),
    ],
)
def test_a_date_filter_of_a_year_the_register_cannot_hold_is_refused_on_the_page_and_its_files(
    client, register, url, query, year
):
    """``signed_from=0001-01-01`` listed the whole register, ``expires_before=9999-12-31``
    everything that ends at all: a year the admin refuses in a date is refused in a date
    filter too, in the same words, by the page, its downloads and its feeds."""
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400, url
    assert (
        f"Tahun {year} di luar jangkauan register: tulis tahun 1900 sampai 2999."
        in response.content.decode()
    ), url


def test_a_date_filter_at_either_end_of_the_years_the_register_holds_is_read(client, register):
    signed = Agreement.objects.filter(visibility="public", signed_on__isnull=False)
    assert listed(client, signed_from="1900-01-01", signed_to="2999-12-31") == set(
        signed.values_list("title", flat=True)
    )
    assert listed(client, expires_before="1900-01-01") == set()


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        reverse("change-log"),
        reverse("region-detail", args=["64"]),
        reverse("sector-detail", args=["education"]),
        reverse("country-detail", args=["JP"]),
    ],
)
def test_a_page_number_given_twice_is_refused_on_every_list(client, register, url):
    """``?page=2&page=3`` showed page 3."""
    response = client.get(url, {"page": ["1", "1"]})
    assert response.status_code == 400, url
    assert f"Halaman: {ONE_VALUE_ONLY} 2 nilai: pilih satu." in response.content.decode(), url


def test_no_link_or_form_of_a_list_page_repeats_a_parameter_of_one_value(client, register):
    """The site's own links and forms never give a filter of one value, or the page, twice:
    every link of a list page with filters of both kinds in use and a page chosen, and every
    control of its filter form, names each at most once."""
    for name in range(30):
        AgreementFactory(
            title=f"Kerja sama {name:02d}", lead_region=register.kaltim_school.lead_region
        )
    query = {
        "region": "64",
        "kind": ["mou", "pks"],
        "sort": "title",
        "late": "",
        "q": "",
        "page": "2",
    }
    response = client.get(LIST, query, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    several = {"kind", "scope", "status", "waits_on", "sector", "budget_source"}
    links = re.findall(r'href="([^"]*\?[^"]*)"', html)
    assert any("page=1" in link for link in links)  # the pagination is among them
    for link in links:
        pairs = QueryDict(link.split("?", 1)[1].replace("&amp;", "&")).lists()
        repeated = [key for key, values in pairs if len(values) > 1 and key not in several]
        assert not repeated, link
    form = html[html.index('<form class="filter-form"') :]
    form = form[: form.index("</form>")]
    names = re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', form)
    assert [name for name in names if names.count(name) > 1 and name not in several] == []


class SubmittedForm(HTMLParser):
    """What a browser sends when the list's filter form is applied as it stands: every text
    field and list, whatever it holds; each box ticked."""

    def __init__(self, html):
        super().__init__()
        self.pairs, self.select, self.chosen = [], None, []
        start = html.index('<form class="filter-form"')
        self.feed(html[start : html.index("</form>", start)])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                self.pairs.append((attrs["name"], attrs.get("value", "on")))
        elif tag == "input" and attrs.get("type") != "submit":
            self.pairs.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self.select, self.chosen = attrs["name"], []
        elif tag == "option" and self.select:
            # The option marked selected, else the first.
            self.chosen.append((attrs.get("value", ""), "selected" in attrs))

    def handle_endtag(self, tag):
        if tag == "select":
            selected = [value for value, marked in self.chosen if marked]
            self.pairs.append((self.select, (selected or [self.chosen[0][0]])[0]))
            self.select = None


def test_the_filter_form_applied_leads_to_an_address_of_the_filters_set(client, register):
    """Applied, the form sent every field it holds, set or not: the address shared and
    bookmarked read ``?q=&region=64&agency=&partner=&…&sort=relevance``. The list sends the
    reader on to ``?region=64`` (a browser keeps the ``#results`` it was asked at), with no
    script; what it lists is what it listed."""
    page = client.get(LIST, {"region": "64", "kind": "mou"})
    submitted = SubmittedForm(page.content.decode()).pairs
    assert ("q", "") in submitted and ("sort", "relevance") in submitted

    applied = client.get(LIST, QueryDict(urlencode(submitted)))
    assert applied.status_code == 302
    assert applied["Location"] == f"{LIST}?kind=mou&region=64"
    shown = client.get(applied["Location"])
    assert shown.status_code == 200
    assert titles_in(shown) == ["Beasiswa guru Kalimantan Timur"]

    # Nothing chosen: the list itself.
    nothing = client.get(
        LIST, QueryDict(urlencode(SubmittedForm(client.get(LIST).content.decode()).pairs))
    )
    assert nothing["Location"] == LIST


def test_addresses_naming_empty_filters_still_select_what_they_did(client, register, kaltim):
    """Addresses the forms sent before (``?kind=&status=&q=``, from when kind and status were
    each a list to choose from: refused, "Jenis naskah: Masukkan pilihan yang valid") select
    what they name: a list page sends the reader on to the address without the empty ones;
    its downloads, feeds and calendars read them as not there."""
    everything = set(titles_in(client.get(LIST)))
    old = {"kind": "", "status": "", "q": "", "region": "64"}
    for page, clean in (
        (LIST, f"{LIST}?region=64"),
        ("/perubahan/", "/perubahan/?region=64"),
        ("/sectors/education/", "/sectors/education/?region=64"),
        ("/countries/CN/", "/countries/CN/?region=64"),
    ):
        response = client.get(page, old)
        assert (response.status_code, response["Location"]) == (302, clean), page
        assert client.get(clean).status_code == 200, clean
    assert (
        set(titles_in(client.get(LIST, old, follow=True)))
        == {
            "Beasiswa guru Kalimantan Timur",
            "Kota kembar Samarinda dan Anhui",
        }
        < everything
    )
    # A region's page: the potentials' own empty filter too.
    response = client.get(f"/regions/{kaltim.code}/", {"potential_sector": "", "kind": ""})
    assert response["Location"] == f"/regions/{kaltim.code}/"
    # Several values, one of them empty: the others.
    assert client.get(LIST, {"kind": ["", "mou"]})["Location"] == f"{LIST}?kind=mou"

    for address in (
        reverse("agreement-export", args=["csv"]),
        "/agreements/feed.atom",
        "/agreements/calendar.ics",
        "/perubahan/feed.atom",
        reverse("region-export", args=["64", "json"]),
    ):
        with_empty = client.get(address, old)
        assert with_empty.status_code == 200, address
        without = client.get(address, {"region": "64"})
        body, plain = (
            b"".join(got.streaming_content) if got.streaming else got.content
            for got in (with_empty, without)
        )
        for title in everything:
            assert (title.encode() in body) == (title.encode() in plain), (address, title)

    # What the site refuses stays refused: a filter of one value given twice, even empty; a
    # parameter no filter reads; an order asked of the change log, which offers none.
    assert client.get(LIST, {"region": ["64", ""]}).status_code == 400
    assert client.get(LIST, {"regoin": ""}).status_code == 400
    assert client.get("/perubahan/", {"sort": ""}).status_code == 400


def test_a_links_tracking_is_ignored(client, register):
    response = client.get(LIST, {"utm_source": "surel"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(LIST, 302)]
    assert len(titles_in(response)) == 4


# -- language --------------------------------------------------------------------------------


def test_every_page_offers_english_through_a_form_without_javascript(client, register):
    html = client.get(LIST, {"region": "64"}).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert 'name="next" value="/agreements/?region=64"' in html
    assert 'name="language" value="en"' in html


def test_switching_to_english_returns_to_the_same_filtered_list(client, register):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": f"{LIST}?region=64&sort=title"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?region=64&sort=title"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in html
    # Django's own messages come in English now.
    assert "Enter a valid date." in client.get(LIST, {"signed_from": "x"}).content.decode()


def test_indonesian_is_the_default(client, register):
    html = client.get(LIST).content.decode()
    assert '<html lang="id">' in html


def test_dates_are_written_in_the_readers_language(client, register):
    html = client.get(LIST, {"year": "2022"}).content.decode()
    assert "1 Juni 2022" in html
    client.post(reverse("set_language"), {"language": "en", "next": LIST})
    html = client.get(LIST, {"year": "2022"}).content.decode()
    assert "1 June 2022" in html


# -- page quality ----------------------------------------------------------------------------


def test_list_page_is_well_formed_and_accessible(client, register):
    assert page_problems(client.get(LIST).content.decode()) == []


def test_list_page_with_errors_is_well_formed_and_accessible(client, register):
    response = client.get(LIST, {"signed_from": "x", "partner": "y"})
    assert page_problems(response.content.decode()) == []


def test_not_found_page_is_styled_and_well_formed(client, db):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html
    assert page_problems(html) == []


def test_server_error_page_needs_no_database(rf, django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Terjadi kesalahan di server" in html
    assert page_problems(html) == []


# -- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 15])
def test_list_page_queries_do_not_grow_with_rows(
    client, kaltim, samarinda, rows, django_assert_num_queries
):
    education = SectorFactory()
    partner = PartnerFactory()
    for _n in range(rows):
        agreement = AgreementFactory(
            lead_region=kaltim, regions=[samarinda], partners=[partner], sectors=[education]
        )
        MilestoneFactory(agreement=agreement, due_on=days(-3), waits_on="bureau")
    # 1 sectors, 2 regions, 3 partners, 4 the partners' countries, 5 the agencies: the filter
    # form's lists; 6 COUNT of the results; 7 the page of agreements with their lead region
    # and whether their next step is overdue; 8 their regions, 9 their partners, 10 their
    # sectors.
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert len(titles_in(response)) == rows
    assert response.content.decode().count("Biro/Bagian Kerja Sama · ") == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_terminated_rows_say_when_they_were_terminated_in_the_same_queries(
    client, kaltim, rows, django_assert_num_queries
):
    """A terminated agreement's row ends on the day its termination step was done, not on the
    expiry first agreed, read with the rows themselves: no query more, however many rows."""
    for _n in range(rows):
        agreement = AgreementFactory(
            lead_region=kaltim,
            status=Agreement.Status.TERMINATED,
            signed_on=datetime.date(2022, 7, 28),
            expires_on=datetime.date(2027, 7, 28),
        )
        MilestoneFactory(
            agreement=agreement,
            kind="termination",
            due_on=None,
            done_on=datetime.date(2023, 3, 2),
        )
        # A later step recording it too is not when it ended.
        MilestoneFactory(
            agreement=agreement,
            kind="termination",
            due_on=None,
            done_on=datetime.date(2023, 5, 1),
        )
    # The ten of the plain list (``test_list_page_queries_do_not_grow_with_rows``), less the
    # partners' countries: no agreement here has a partner.
    with django_assert_num_queries(9):
        response = client.get(LIST, {"status": "terminated"})
    html = response.content.decode()
    cells = re.findall(r'<td data-label="Berakhir pada">(.*?)</td>', html)
    assert [re.sub(r"<[^>]+>", "", cell) for cell in cells] == ["Diakhiri pada 2 Maret 2023"] * rows
    assert "28 Juli 2027" not in html


def test_a_terminated_row_without_its_termination_day_says_it_is_not_recorded(client, kaltim):
    AgreementFactory(lead_region=kaltim, status=Agreement.Status.TERMINATED, expires_on=days(300))
    html = client.get(LIST).content.decode()
    cell = re.search(r'<td data-label="Berakhir pada">(.*?)</td>', html).group(1)
    assert cell == "Diakhiri; tanggal tidak tercatat"


@pytest.mark.parametrize("rows", [1, 15])
def test_filtered_list_queries_do_not_grow_with_rows(
    client, kaltim, rows, django_assert_num_queries
):
    education = SectorFactory(slug="education")
    for _n in range(rows):
        AgreementFactory(lead_region=kaltim, sectors=[education])
    # The ten of the plain list, plus one each to look up the region and the sector named in
    # the query string and one for the province's regencies and cities (the party filter names
    # them as numbers), less the countries: they are those of the partners offered, and no
    # agreement here has one. On PostgreSQL, one more: whether the word is in much of the
    # register (``agreements.search``).
    with django_assert_num_queries(13 if on_postgresql() else 12):
        response = client.get(LIST, {"region": "64", "sector": "education", "q": "Kerja"})
    assert len(titles_in(response)) == rows


def test_list_describes_itself_to_search_engines_and_its_filter_form_names_its_address(
    client, register
):
    html = client.get(LIST, {"kind": "mou"}).content.decode()
    assert re.search(r'<meta name="description" content="[^"]{40,}">', html)
    # A form's action names an address; the empty one is invalid HTML.
    # Applied, it opens the list at its results, below the filters on a phone.
    assert f'<form class="filter-form" method="get" action="{LIST}#results"' in html


def test_status_page_is_described_by_its_own_summary(client, register):
    agreement = Agreement.objects.get(title="Beasiswa guru Kalimantan Timur")
    agreement.summary = "Beasiswa bagi guru sekolah dasar di pedalaman Kalimantan Timur."
    agreement.save()
    html = client.get(agreement.get_absolute_url()).content.decode()
    assert f'<meta name="description" content="{agreement.summary}">' in html


# -- whom a row waits on ----------------------------------------------------------------------


def waiting_cells(response):
    """{title: the text of its "Menunggu" cell} of a list page, as a reader sees it."""
    html = response.content.decode()
    body = html.split('<table class="agreement-table">', 1)[1].split("</tbody>", 1)[0]
    cells = {}
    for row in body.split("<tr>")[2:]:
        title = re.search(r'<th scope="row" class="cell-title">\s*<a [^>]*>(.*?)</a>', row, re.S)
        cell = re.search(r'<td data-label="Menunggu">(.*?)</td>', row, re.S)
        cells[title.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split())
    return cells


def test_the_waiting_column_tells_a_pending_step_and_its_lateness_from_nothing_pending(
    client, kaltim
):
    """Kaltim–Anhui's signing, planned for June 2024 with nobody named, is late: its row does
    not read "—" as if nothing were pending. A step due this month (known by its month) is not
    late yet; an agreement in force with nothing scheduled, and one cancelled with a step long
    past its target, have nothing pending."""
    this_month = timezone.localdate().replace(day=1)

    def unsigned(title, status="preparation"):
        return AgreementFactory(
            title=title,
            lead_region=kaltim,
            status=status,
            signed_on=None,
            in_force_from=None,
            expires_on=None,
        )

    anhui = unsigned("Kaltim dan Anhui")
    MilestoneFactory(agreement=anhui, kind="exploration", due_on=None, done_on=days(-400))
    MilestoneFactory(
        agreement=anhui,
        kind="signing",
        due_on=datetime.date(2024, 6, 1),
        due_on_precision="month",
        waits_on="",
    )
    dprd = unsigned("Menunggu DPRD")
    MilestoneFactory(agreement=dprd, kind="dprd", due_on=days(-6), waits_on="dprd")
    soon = unsigned("Tanda tangan bulan ini")
    MilestoneFactory(
        agreement=soon, kind="signing", due_on=this_month, due_on_precision="month", waits_on=""
    )
    AgreementFactory(title="Berlaku tanpa jadwal", lead_region=kaltim)
    cancelled = unsigned("Batal", status="cancelled")
    MilestoneFactory(agreement=cancelled, kind="tkksd", due_on=days(-30), waits_on="tkksd")

    assert waiting_cells(client.get(LIST)) == {
        "Kaltim dan Anhui": "belum ditentukan · terlambat",
        "Menunggu DPRD": "DPRD · terlambat",
        "Tanda tangan bulan ini": "belum ditentukan",
        "Berlaku tanpa jadwal": "—",
        "Batal": "—",
    }


def test_a_signed_lois_row_says_the_step_it_waits_for_in_its_follow_up_is_late(client, kemlu_step):
    """A signed LoI stores the step of the text that carries it out: whether that step is late
    is that text's to say (still being drafted), not the signed LoI's; its row says where."""
    cells = waiting_cells(client.get(LIST))
    assert cells["Provinsi kembar"] == "Kementerian Luar Negeri · terlambat"
    assert cells["LoI"] == "Kementerian Luar Negeri · terlambat pada naskah lanjutan"


def test_the_rows_said_late_are_those_the_late_filter_lists(client, kemlu_step):
    """The late filter ("Tahapan terlambat") lists the texts whose own steps are late; a row
    saying plainly "terlambat" is one of them, and the LoI, whose late step is its
    follow-up's, says so and is not listed (its follow-up is)."""
    every = waiting_cells(client.get(LIST))
    late = waiting_cells(client.get(LIST, {"late": "yes"}))
    assert set(late) == {title for title, cell in every.items() if cell.endswith("· terlambat")}
    assert set(late) == {"Provinsi kembar"}


def test_a_site_served_under_a_prefix_links_every_row_within_it(client, register):
    """Behind a proxy that serves the register at /kerjasama/, each row's links (the agreement,
    its regions, partners and sectors) lead within it; served at the root again, they do not."""
    school = register.kaltim_school

    def row_links():
        html = client.get(LIST, {"q": "Beasiswa"}).content.decode()
        return set(re.findall(r'href="(/[^"?#]*)"', html.split("<tbody>", 1)[1]))

    with override_script_prefix("/kerjasama/"):
        prefixed = row_links()
    assert f"/kerjasama/agreements/{school.pk}/" in prefixed
    assert "/kerjasama/sectors/education/" in prefixed
    assert all(link.startswith("/kerjasama/") for link in prefixed)
    at_root = row_links()
    assert f"/agreements/{school.pk}/" in at_root
    assert not any(link.startswith("/kerjasama/") for link in at_root)


def test_every_value_of_a_row_is_escaped_as_text(client, kaltim):
    """A title, reference, partner, its country code and a sector typed with markup in them
    read as the text they are on the list, never as markup."""
    mark = '<img src=x onerror="alert(1)">'
    country = CountryFactory(code="CN")
    AgreementFactory(
        title=f"Kerja sama {mark}",
        reference=f"No. 1/{mark}",
        lead_region=kaltim,
        partners=[PartnerFactory(name=f"Kota {mark}", country=country)],
        sectors=[SectorFactory(slug="odd", name_id=f"Bidang {mark}")],
    )
    html = client.get(LIST).content.decode()
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "<img" not in rows
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert rows.count(escaped) == 4  # title, reference, partner, sector


@pytest.mark.parametrize("page", ["list", "region"])
def test_a_quick_question_already_asked_is_not_offered_again(client, kaltim, page):
    """On the list of the dormant, "Yang mati suri" led back to the same page."""
    url = LIST if page == "list" else kaltim.get_absolute_url()
    asked = client.get(url, {"dormant": "yes"}).content.decode()
    quick = re.search(r'<p class="shortcuts">(.*?)</p>', asked).group(1)
    assert "Yang mati suri" not in quick
    assert "Kerja sama luar negeri yang menunggu DPRD atau kementerian" in quick
    offered = client.get(url).content.decode()
    assert '<a href="?dormant=yes#results">Yang mati suri</a>' in offered
