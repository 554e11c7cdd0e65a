"""The admin bureau staff work in: every page renders, the lists filter the way staff mean, a bad
agreement is refused with a clear message, and every change is kept with who made it."""

import datetime
import decimal
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django import forms as django_forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from agreements.dates import KnownDate
from agreements.models import Agency, Agreement, Milestone, Potential, PotentialSurvey, Signatory
from common.admin_markup import InlineMediaOnce, innermost
from common.widgets import PlainSelect
from partners.models import Partner
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
    SectorFactory,
    SubdivisionFactory,
)
from tests.helpers import agreement_form_data, form_errors, logged_in, no_inline_rows
from tests.helpers import change_url as admin_change_url
from tests.test_documents import change_form_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_agreement_changelist")
ADD = reverse("admin:agreements_agreement_add")


def change_url(agreement):
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def history_url(agreement):
    return reverse("admin:agreements_agreement_history", args=[agreement.pk])


def listed(response):
    """The rows the changelist shows, as a set."""
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def collapse_space(html):
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def anhui(db):
    return PartnerFactory(
        name="Pemerintah Provinsi Anhui",
        name_local="安徽省",
        kind=Partner.Kind.FOREIGN_REGION,
        country=CountryFactory(code="CN"),
        subdivision=SubdivisionFactory(code="CN-AH"),
    )


@pytest.fixture
def osaka(db):
    return PartnerFactory(
        name="Osaka Prefecture",
        kind=Partner.Kind.FOREIGN_REGION,
        country=CountryFactory(code="JP"),
    )


@pytest.fixture
def siti(django_user_model):
    """A second member of the bureau, so a history entry can be told apart from the viewer."""
    return django_user_model.objects.create_superuser(
        username="siti.kaltim", email="siti@example.invalid", password="a-long-test-password"
    )


@pytest.fixture
def siti_client(siti):
    client = Client()
    client.force_login(siti)
    return client


def agreement_form(lead_region, **fields):
    """What the add/change form posts for a signed, in-force MoU, with no inline rows; between
    the lead region and Bali (or Kalimantan Timur, Bali's) unless the parties are given."""
    data = {
        "title": "Kerja sama pengembangan pariwisata",
        "reference": "",
        "kind": "mou",
        "status": "in_force",
        "summary": "",
        "scope": "ksdd",
        "lead_region": lead_region.pk,
        "regions": [lead_region.pk],
        "proposed_on": "",
        "signed_on": "2024-03-01",
        "in_force_from": "2024-03-01",
        "expires_on": "2029-02-28",
        "follows": "",
        "relation": "",
        "visibility": "public",
        "source_url": "",
        # The version the change form was loaded with; an add form ignores it.
        "loaded_version": "1",
    }
    data.update(no_inline_rows())
    data.update(fields)
    if data["scope"] == "ksdd" and "regions" not in fields and "partners" not in fields:
        other = ProvinceFactory(code="64", name="Kalimantan Timur")
        if other == lead_region:
            other = ProvinceFactory(code="51", name="Bali")
        data["regions"] = [lead_region.pk, other.pk]
    return data


def with_milestone(data, **milestone):
    data["milestones-TOTAL_FORMS"] = "1"
    for field, value in milestone.items():
        data[f"milestones-0-{field}"] = value
    return data


# -- every page renders -------------------------------------------------------------------------


@pytest.fixture
def one_of_each(kaltim, samarinda, anhui):
    sector = SectorFactory(slug="tourism", name_id="Pariwisata", name_en="Tourism")
    agreement = AgreementFactory(lead_region=kaltim, scope="ksdpl", partners=[anhui])
    agency = Agency.objects.create(region=kaltim, name="Dinas Pariwisata", short_name="Dispar")
    agreement.agencies.add(agency)
    Signatory.objects.create(
        agreement=agreement,
        party="Pemerintah Provinsi Kalimantan Timur",
        name="Isran Noor",
        office="Gubernur Kalimantan Timur",
    )
    survey = PotentialSurvey.objects.create(
        title="Rakor identifikasi potensi 2021",
        held_on=datetime.date(2021, 3, 10),
        host_region=kaltim,
    )
    return {
        "partners.country": anhui.country,
        "partners.subdivision": anhui.subdivision,
        "partners.region": samarinda,
        "partners.partner": anhui,
        "agreements.sector": sector,
        "agreements.agency": agency,
        "agreements.agreement": agreement,
        "agreements.milestone": MilestoneFactory(agreement=agreement),
        "agreements.document": DocumentFactory(agreement=agreement),
        "agreements.potentialsurvey": survey,
        "agreements.potential": Potential.objects.create(
            region=samarinda, sector=sector, title="Wisata tepian Mahakam", survey=survey
        ),
    }


MODELS = [
    "partners.country",
    "partners.subdivision",
    "partners.region",
    "partners.partner",
    "agreements.sector",
    "agreements.agency",
    "agreements.agreement",
    "agreements.milestone",
    "agreements.document",
    "agreements.potentialsurvey",
    "agreements.potential",
]


@pytest.mark.parametrize("page", ["changelist", "add", "change", "history"])
@pytest.mark.parametrize("model", MODELS)
def test_every_admin_page_renders_for_staff(staff_client, one_of_each, model, page):
    app_label, model_name = model.split(".")
    obj = one_of_each[model]
    args = [] if page in ("changelist", "add") else [quote(obj.pk)]
    response = staff_client.get(reverse(f"admin:{app_label}_{model_name}_{page}", args=args))
    assert response.status_code == 200
    if page == "changelist":
        assert obj in response.context["cl"].result_list


def test_admin_pages_are_closed_to_anonymous_visitors(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_add_page_speaks_english_when_the_reader_chose_english(staff_client, kaltim):
    assert 'value="Simpan"' in staff_client.get(ADD).text

    staff_client.cookies["django_language"] = "en"
    response = staff_client.get(ADD)
    assert response.status_code == 200
    assert 'value="Save"' in response.text


def test_add_page_follows_the_browser_language(staff_client, kaltim):
    response = staff_client.get(ADD, headers={"accept-language": "en"})
    assert 'value="Save"' in response.text


# -- the agreement list -------------------------------------------------------------------------


def make_agreements(count, partner):
    sectors = [SectorFactory(), SectorFactory()]
    for n in range(count):
        province = ProvinceFactory(code=f"{11 + n:02d}")
        city = RegencyFactory(province=province, code=f"{province.code}.71", level="city")
        AgreementFactory(
            lead_region=province,
            regions=[city],
            scope="ksdpl",
            partners=[partner, PartnerFactory(country=partner.country)],
            sectors=sectors,
        )


@pytest.mark.parametrize("rows", [1, 25])
def test_agreement_list_runs_the_same_queries_for_1_and_25_rows(
    staff_client, anhui, django_assert_num_queries, rows
):
    make_agreements(rows, anhui)
    # 1. the session, 2. the staff user,
    # 3. the sectors (sector filter), 4. the provinces (province filter),
    # 5. the countries that have partners (partner-country filter),
    # 6. the count of the filtered list (paginator; the whole-table count is switched off),
    # 7. the page of agreements with their lead regions, 8. their partners,
    # 9. the first and last signing dates and 10. the dates to offer (date hierarchy).
    with django_assert_num_queries(10):
        response = staff_client.get(CHANGELIST)
    assert len(listed(response)) == rows
    assert response.context["cl"].show_full_result_count is False


def test_agreement_list_shows_lead_region_and_partners_in_words(staff_client, samarinda, anhui):
    AgreementFactory(title="Kota kembar Samarinda", lead_region=samarinda, partners=[anhui])
    response = staff_client.get(CHANGELIST)
    row = collapse_space(response.text)
    assert "Kota kembar Samarinda" in row
    assert '<td class="field-lead_region nowrap">Kota Samarinda</td>' in row
    assert '<td class="field-partner_names">Pemerintah Provinsi Anhui</td>' in row
    assert '<td class="field-shown_status">Berlaku</td>' in row


def test_admin_lists_write_every_value_not_recorded_alike(staff_client, kaltim, today):
    """An agreement with no number and no partner read "-" in one cell and "—" in the next:
    Django's empty value beside the register's own. Every list, read-only field and filter of
    the admin writes "—"."""
    agreement = AgreementFactory(lead_region=kaltim, reference="")
    MilestoneFactory(agreement=agreement, due_on=today, waits_on="")
    row = collapse_space(staff_client.get(CHANGELIST).text)
    assert '<td class="field-reference_shown">—</td>' in row
    assert '<td class="field-partner_names">—</td>' in row
    steps = collapse_space(staff_client.get(reverse("admin:agreements_milestone_changelist")).text)
    assert '<td class="field-done_on_known">—</td>' in steps
    assert '<td class="field-waited_on">—</td>' in steps
    assert ">-</" not in row + steps


def test_agreement_list_says_in_words_what_it_is_sorted_by(staff_client, kaltim):
    """A narrow screen leaves columns out, and with them the arrows of the one the list is
    sorted by: sorted by when each was last changed (``?o=-9``, kept from a wide screen), the
    list at 1280 pixels showed an order nothing on it told. A line above the table says it, in
    the columns' names, dates newest or oldest first."""
    AgreementFactory(lead_region=kaltim)

    def order_said(params):
        page = collapse_space(staff_client.get(CHANGELIST, params).text)
        return re.findall(r'<p class="sort-order">(.*?)</p>', page)

    assert order_said({"o": "-9"}) == ["Diurutkan menurut terakhir diubah (terbaru dulu)."]
    assert order_said({"o": "2.-3"}) == [
        "Diurutkan menurut nomor naskah (menaik), lalu jenis (menurun)."
    ]
    # Unsorted by the address, the list's own order, newest signing first.
    assert order_said({}) == [
        "Diurutkan menurut tanggal ditandatangani (terbaru dulu, lalu yang belum ditandatangani)."
    ]


SIGNED_IN_2024 = datetime.date(2024, 3, 1)


def test_unsigned_agreements_are_listed_after_the_signed_on_every_database(
    client, staff_client, kaltim
):
    """PostgreSQL puts a missing signing date first in a descending order, SQLite last (and
    the other way round ascending): the admin's list, in its own order and sorted by the
    signing date's header, listed the unsigned agreements first on one database and last on
    the other. They come after the signed ones, whichever way, as on the public list, and the
    line above the table says so."""
    unsigned = {"status": "initiative", "signed_on": None, "in_force_from": None}
    AgreementFactory(
        title="Prakarsa tanpa tanggal", lead_region=kaltim, expires_on=None, **unsigned
    )
    for title, signed in (("MoU lama", datetime.date(2019, 5, 1)), ("MoU baru", SIGNED_IN_2024)):
        AgreementFactory(title=title, lead_region=kaltim, signed_on=signed, in_force_from=signed)

    def listed(params):
        page = staff_client.get(CHANGELIST, params).text
        table = page.split('id="result_list"', 1)[1].split("</table>", 1)[0]
        titles = re.findall(r'<th class="field-title">.*?>([^<>]+)</a>', table)
        said = re.findall(r'<p class="sort-order">(.*?)</p>', collapse_space(page))
        return titles, said

    newest_first = ["MoU baru", "MoU lama", "Prakarsa tanpa tanggal"]
    said = "Diurutkan menurut tanggal ditandatangani ({}, lalu yang belum ditandatangani)."
    newest_said, oldest_said = [said.format("terbaru dulu")], [said.format("terlama dulu")]
    assert listed({}) == (newest_first, newest_said)
    assert listed({"o": "-7"}) == (newest_first, newest_said)
    assert listed({"o": "7"}) == (["MoU lama", "MoU baru", "Prakarsa tanpa tanggal"], oldest_said)
    # The public list, sorted newest signing first, agrees.
    public = client.get("/agreements/", {"sort": "-signed"}).content.decode()
    assert [t for t in newest_first if t in public] == newest_first
    assert sorted(newest_first, key=public.index) == newest_first


def test_province_filter_includes_its_regencies_and_cities_and_not_other_provinces(
    staff_client, kaltim, samarinda, bali
):
    led_by_kaltim = AgreementFactory(lead_region=kaltim)
    led_by_samarinda = AgreementFactory(lead_region=samarinda)
    led_by_bali = AgreementFactory(lead_region=bali)

    assert listed(staff_client.get(CHANGELIST, {"province": "64"})) == {
        led_by_kaltim,
        led_by_samarinda,
    }
    assert listed(staff_client.get(CHANGELIST, {"province": "51"})) == {led_by_bali}


def test_province_filter_counts_an_agreement_a_city_of_the_province_is_party_to(
    staff_client, samarinda, bali
):
    bali_with_samarinda = AgreementFactory(lead_region=bali, regions=[samarinda])
    assert listed(staff_client.get(CHANGELIST, {"province": "64"})) == {bali_with_samarinda}


def test_province_filter_lists_provinces_only(staff_client, kaltim, samarinda):
    response = staff_client.get(CHANGELIST)
    province_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == "province"
    )
    assert province_filter.lookup_choices == [("64", "Kalimantan Timur")]


def test_unknown_province_lists_nothing_but_says_the_filter_is_not_offered(staff_client, kaltim):
    AgreementFactory(lead_region=kaltim)
    response = staff_client.get(CHANGELIST, {"province": "99"})
    assert response.status_code == 400
    assert "<h1>Filter tidak tersedia</h1>" in response.content.decode()


def test_in_force_agreement_past_its_expiry_is_listed_as_expired_not_in_force(
    staff_client, kaltim, today
):
    lapsed = AgreementFactory(
        title="MoU yang sudah lewat",
        lead_region=kaltim,
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2019, 1, 1),
        in_force_from=datetime.date(2019, 1, 1),
        expires_on=today - datetime.timedelta(days=1),
    )
    current = AgreementFactory(lead_region=kaltim, expires_on=today + datetime.timedelta(days=400))

    expired = staff_client.get(CHANGELIST, {"shown_status": "expired"})
    assert listed(expired) == {lapsed}
    assert '<td class="field-shown_status">Berakhir</td>' in expired.text
    assert listed(staff_client.get(CHANGELIST, {"shown_status": "in_force"})) == {current}


def test_change_form_shows_beside_the_recorded_status_the_status_the_dates_imply(
    staff_client, kaltim, today
):
    lapsed = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2019, 1, 1),
        in_force_from=datetime.date(2019, 1, 1),
        expires_on=today - datetime.timedelta(days=1),
    )
    form = collapse_space(staff_client.get(change_url(lapsed)).text)
    assert re.search(r"Status hari ini:</label> <div class=\"readonly\">Berakhir</div>", form)


def test_expiring_soon_filter_lists_agreements_expiring_within_the_chosen_days(
    staff_client, kaltim, today
):
    def expiring_in(days):
        return AgreementFactory(lead_region=kaltim, expires_on=today + datetime.timedelta(days))

    in_20_days, in_100_days, _in_400_days = expiring_in(20), expiring_in(100), expiring_in(400)
    AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.TERMINATED,
        expires_on=today + datetime.timedelta(days=10),
    )

    assert listed(staff_client.get(CHANGELIST, {"expiring_within": "30"})) == {in_20_days}
    assert listed(staff_client.get(CHANGELIST, {"expiring_within": "180"})) == {
        in_20_days,
        in_100_days,
    }


def test_partner_country_filter_lists_agreements_with_a_partner_of_that_country(
    staff_client, kaltim, anhui, osaka
):
    with_china = AgreementFactory(lead_region=kaltim, scope="ksdpl", partners=[anhui])
    with_japan = AgreementFactory(lead_region=kaltim, scope="ksdpl", partners=[osaka])
    AgreementFactory(lead_region=kaltim)

    assert listed(staff_client.get(CHANGELIST, {"partner_country": "CN"})) == {with_china}
    assert listed(staff_client.get(CHANGELIST, {"partner_country": "JP"})) == {with_japan}


def test_search_finds_an_agreement_by_its_partner_name(staff_client, kaltim, anhui):
    with_anhui = AgreementFactory(lead_region=kaltim, scope="ksdpl", partners=[anhui])
    AgreementFactory(lead_region=kaltim)
    assert listed(staff_client.get(CHANGELIST, {"q": "anhui"})) == {with_anhui}
    assert listed(staff_client.get(CHANGELIST, {"q": "安徽"})) == {with_anhui}


def test_autocomplete_finds_the_lead_region_by_part_of_its_name(staff_client, kaltim, bali):
    response = staff_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "lead_region",
            "term": "kal",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(kaltim.pk), "text": "Kalimantan Timur"}]


def every_admin_list():
    """Every list of the admin, the login records (django-axes) included."""
    return sorted(
        f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry
    )


# Lookups no link of the admin writes, typed into a list's address: a pattern the database
# cannot read, a range of one value, an address that is none, a year past the calendar.
FORGED_LOOKUPS = [
    ("id__regex", "("),
    ("id__iregex", "["),
    ("id__range", "x"),
    ("pk__range", "1"),
]
FORGED_BY_LIST = {
    "agreements_agreement": [("title__regex", "("), ("title__range", "a"), ("budget_amount", "x")],
    "axes_accessattempt": [("ip_address", "x"), ("attempt_time__year", "99999999999999999999")],
    "axes_accesslog": [("ip_address", "x"), ("logout_time__year", "-1")],
    "axes_accessfailurelog": [("ip_address", "not an address")],
}


@pytest.mark.parametrize("model", every_admin_list())
def test_a_lookup_typed_into_any_admin_lists_address_is_refused_not_a_server_error(
    admin_client, model
):
    changelist = reverse(f"admin:{model}_changelist")
    for lookup, value in [*FORGED_LOOKUPS, *FORGED_BY_LIST.get(model, [])]:
        response = admin_client.get(changelist, {lookup: value})
        assert response.status_code == 400, (lookup, value, response.status_code)
        assert f"“{lookup}={value}”" in response.content.decode(), (lookup, value)


# What an address of any admin list may hold besides its filters, and is read as Django reads it.
READ_ON_EVERY_LIST = [
    {"e": "1"},  # where Django's admin once sent an address it could not read
    {"_popup": "1"},
    {"all": ""},
    {"q": "x"},
    {"_facets": ""},
    {"o": ""},
    {"p": "1"},
]
# And what none reads, each said by its name and value on a page of its own (400).
UNREAD_ON_EVERY_LIST = [
    ({"foo": "1"}, "“foo=1”"),
    ({"foo": "1", "e": "1"}, "“foo=1”"),  # Django's "Database error" page (200)
    ({"o": "abc"}, "“o=abc”"),
    ({"o": "999"}, "“o=999”"),
    ({"p": "abc"}, "“p=abc”"),
    ({"p": "99999"}, "“p=99999”"),
    ({"p": "2"}, "“p=2”"),  # past the only page: Django listed the first
    ({"_changelist_filters": "kind__exact=mou"}, "“_changelist_filters=kind__exact=mou”"),
]


@pytest.mark.parametrize("model", every_admin_list())
def test_every_admin_list_refuses_a_parameter_it_cannot_read_naming_it(admin_client, model):
    """Django's admin answered an address it could not read by going back to the whole list
    (``?e=1``), and a page past the last of one by that page: the list shown was not the one
    asked for, and nothing said which parameter was at fault. Every list refuses it (400),
    naming it, in the admin's frame with the way back; what a list reads still lists it."""
    changelist = reverse(f"admin:{model}_changelist")
    key = next(
        m for m in admin.site._registry if f"{m._meta.app_label}_{m._meta.model_name}" == model
    )
    for asked in [*READ_ON_EVERY_LIST, {"_popup": "1", "_to_field": key._meta.pk.name}]:
        response = admin_client.get(changelist, asked)
        assert response.status_code == 200, (asked, response.status_code)
    for asked, said in UNREAD_ON_EVERY_LIST:
        response = admin_client.get(changelist, asked)
        assert response.status_code == 400, (asked, response.status_code)
        page = collapse_space(response.content.decode())
        assert '<div id="site-name">' in page, asked
        assert said in page, (asked, page)
        assert f'<a href="{changelist}">' in page, asked


def rows_pointing_here(model_name):
    """The names of the relations that point at the model of the admin list ``model_name``
    from other models (an agreement's ``milestones``, a partner's ``agreements``)."""
    model = next(
        m for m in admin.site._registry if f"{m._meta.app_label}_{m._meta.model_name}" == model_name
    )
    return sorted(
        field.name
        for field in model._meta.get_fields()
        if field.auto_created and not field.concrete
    )


@pytest.mark.parametrize("model", every_admin_list())
def test_a_relation_pointing_here_named_as_the_field_to_pick_rows_by_is_refused(
    admin_client, model
):
    """``_to_field`` names the field a popup picks a row by. Naming a relation that points at
    the list's model from another (``/admin/partners/partner/?_to_field=agreements``) was a
    server error on the list, the add, change and delete pages alike (Django read it as a
    field of the model's own); it is refused as any field no relation uses is."""
    changelist = reverse(f"admin:{model}_changelist")
    for name in rows_pointing_here(model):
        response = admin_client.get(changelist, {"_to_field": name})
        assert response.status_code == 400, (name, response.status_code)
        assert "<h1>Filter tidak tersedia</h1>" in collapse_space(response.content.decode())
        assert admin_client.get(f"{changelist}add/", {"_to_field": name}).status_code in (
            400,
            403,
        )


@pytest.mark.parametrize(
    "forged",
    [
        {"title__regex": "("},
        {"_to_field": "password"},
        # A value none of the field's choices has: it listed nothing, as if none had it.
        {"kind__exact": "zzz"},
        {"visibility__exact": "secret"},
        {"kind__in": "mou,zzz"},
    ],
)
def test_a_filter_the_list_does_not_offer_is_said_in_the_admins_look_with_the_way_back(
    staff_client, forged
):
    """A pattern typed into the address of the agreement list, or a field to pick its rows by
    that no relation uses: the page says, in the admin's frame, that the address holds a
    filter the list does not offer, and links to the list without it."""
    response = staff_client.get(CHANGELIST, forged)

    assert response.status_code == 400
    page = collapse_space(response.content.decode())
    assert '<div id="site-name">' in page  # the admin's header, with its menu
    assert "<h1>Filter tidak tersedia</h1>" in page
    [(name, value)] = forged.items()
    assert (
        f"Alamat halaman ini memuat filter “{name}={value}” yang tidak ditawarkan daftar kerja "
        "sama, sehingga daftarnya tidak dapat ditampilkan."
    ) in page
    assert f'<a href="{CHANGELIST}">Buka daftar kerja sama tanpa filter itu</a>' in page


def test_a_filter_refused_by_a_rule_of_djangos_own_is_named_too(staff_client, monkeypatch):
    """A lookup refused by ``lookup_allowed`` answering False, as Django's own rules do, not
    by the register's ``RefusedLookup``: the page names the filters the address gives."""
    from agreements.admin import AgreementAdmin

    monkeypatch.setattr(
        AgreementAdmin, "lookup_allowed", lambda self, lookup, value, request: False
    )
    response = staff_client.get(CHANGELIST, {"kind__exact": "mou"})

    assert response.status_code == 400
    page = collapse_space(response.content.decode())
    assert "<h1>Filter tidak tersedia</h1>" in page
    assert "Alamat halaman ini memuat filter “kind__exact=mou” yang tidak ditawarkan" in page


# The admin's own list filters (``common.admin.OfferedValuesOnly``), each given a value it does
# not offer, or an offered one twice: the list listed everything (``dormant=maybe``, as if the
# filter were not there) or nothing (``shown_status=bogus``), without a word.
OWN_FILTERS_FORGED = [
    ("agreements_agreement", {"dormant": "maybe"}),
    ("agreements_agreement", {"dormant": ""}),
    ("agreements_agreement", {"dormant": ["yes", "yes"]}),
    ("agreements_agreement", {"shown_status": "bogus"}),
    ("agreements_agreement", {"expiring_within": "7"}),
    ("agreements_agreement", {"waits_on": "nobody"}),
    ("agreements_agreement", {"check": "everything"}),
    ("agreements_agreement", {"partner_country": "ZZ"}),
    ("agreements_agreement", {"province": "64.72"}),  # a city, not a province
    ("agreements_milestone", {"overdue": "maybe"}),
    ("agreements_agency", {"province": "99"}),
    ("partners_region", {"province": "x"}),
]


@pytest.mark.parametrize("model, forged", OWN_FILTERS_FORGED)
def test_a_value_the_admins_own_filter_does_not_offer_is_refused_as_a_field_filters_is(
    staff_client, samarinda, model, forged
):
    changelist = reverse(f"admin:{model}_changelist")
    response = staff_client.get(changelist, forged)

    assert response.status_code == 400
    page = collapse_space(response.content.decode())
    assert "<h1>Filter tidak tersedia</h1>" in page
    assert f'<a href="{changelist}">' in page


@pytest.mark.parametrize(
    "model, offered",
    [
        ("agreements_agreement", {"dormant": "yes"}),
        ("agreements_agreement", {"shown_status": "in_force"}),
        ("agreements_agreement", {"expiring_within": "90"}),
        ("agreements_agreement", {"check": "steps"}),
        ("agreements_agreement", {"province": "64"}),
        ("agreements_milestone", {"overdue": "no"}),
        ("partners_region", {"province": "64"}),
    ],
)
def test_a_value_the_admins_own_filter_offers_lists_what_it_names(
    staff_client, samarinda, model, offered
):
    response = staff_client.get(reverse(f"admin:{model}_changelist"), offered)

    assert response.status_code == 200


def test_the_admins_dormant_filter_lists_an_mou_and_its_addendum_once(staff_client, kaltim):
    """*Mati suri* in the admin, as on the dashboard: an MoU and its addendum ending with it,
    both in force for years with nothing done, are one cooperation, listed under the MoU."""
    long_ago = datetime.date(2020, 1, 1)
    mou = AgreementFactory(
        lead_region=kaltim,
        signed_on=long_ago,
        in_force_from=long_ago,
        expires_on=datetime.date(2035, 1, 1),
    )
    AgreementFactory(
        lead_region=kaltim,
        kind=Agreement.Kind.AMENDMENT,
        follows=mou,
        relation=Agreement.Relation.AMENDS,
        signed_on=long_ago,
        in_force_from=long_ago,
        expires_on=mou.expires_on,
    )

    assert listed(staff_client.get(CHANGELIST, {"dormant": "yes"})) == {mou}


def test_the_admins_waits_on_filter_lists_the_texts_whose_step_names_nobody_as_the_list_does(
    staff_client, kaltim
):
    """ "Belum ditentukan" in the admin's "menunggu" filter lists the texts the list's
    ``waits_on=none`` lists (``AgreementQuerySet.waiting_on``): a next step naming nobody,
    not one naming a party, nor a text with nothing next, ended, or lapsed by its date."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    def planned(title, waits_on, status=Agreement.Status.PREPARATION, **kwargs):
        text = AgreementFactory(
            status=status,
            title=title,
            lead_region=kaltim,
            signed_on=None,
            in_force_from=None,
            expires_on=None,
            **kwargs,
        )
        MilestoneFactory(agreement=text, due_on=today + 9 * day, waits_on=waits_on)
        return text

    nobody = {
        planned("Rancangan tanpa pihak", ""),
        planned("Rancangan internal tanpa pihak", "", visibility="internal"),
    }
    planned("Rancangan menunggu mitra", "partner")
    AgreementFactory(title="Berlaku tanpa langkah", lead_region=kaltim)
    planned("Batal", "", status=Agreement.Status.CANCELLED)
    lapsed = AgreementFactory(
        title="Berakhir kemarin",
        lead_region=kaltim,
        signed_on=today - 400 * day,
        in_force_from=today - 400 * day,
        expires_on=today - day,
    )
    MilestoneFactory(agreement=lapsed, due_on=today + 9 * day, waits_on="")

    response = staff_client.get(CHANGELIST, {"waits_on": "none"})

    assert listed(response) == nobody
    page = collapse_space(response.content.decode())
    assert '<li class="selected"><a href="?waits_on=none">Belum ditentukan</a></li>' in page
    public_list = staff_client.get(reverse("agreement-list"), {"waits_on": "none"})
    assert {row.title for row in public_list.context["agreements"]} == {
        text.title for text in nobody
    }


@pytest.mark.parametrize(
    ("unreadable", "said"),
    [
        (
            {"p": "999"},
            "Parameter “p=999” pada alamat ini tidak dapat dibaca: Halaman 999 tidak ada; hasil "
            "ini ada 2 halaman.",
        ),
        (
            {"signed_on__year": "9999"},
            "Filter pada alamat ini tidak dapat dibaca: “signed_on__year=9999”.",
        ),
        # Django showed the first page for these, as if the address had asked for it.
        (
            {"p": "x"},
            "Parameter “p=x” pada alamat ini tidak dapat dibaca: Nomor halaman harus bilangan "
            "bulat positif.",
        ),
        ({"p": "0"}, "Parameter “p=0”"),
        ({"p": "-1"}, "Parameter “p=-1”"),
        (
            {"p": ["2", "1"]},
            "Parameter “p=2”, “p=1” pada alamat ini tidak dapat dibaca: Isian ini menerima satu "
            "nilai saja, tetapi diberi 2 nilai: pilih satu.",
        ),
        # And the list in its own order for a sort no column header writes.
        (
            {"o": "x"},
            "Parameter “o=x” pada alamat ini tidak dapat dibaca: daftar ini tidak dapat "
            "diurutkan menurut kolom “x”; pilih urutan dengan mengklik judul kolom.",
        ),
        ({"o": "99"}, "menurut kolom “99”"),
        ({"o": "1.x"}, "menurut kolom “x”"),
        ({"o": ["2", "-2"]}, "Parameter “o=2”, “o=-2”"),
    ],
)
def test_an_address_the_list_cannot_read_is_refused_naming_what_it_cannot_read(
    staff_client, kaltim, monkeypatch, unreadable, said
):
    """Django sent a page past the last, or a drill-down it could not read, to the whole list
    (``?e=1``), and showed the first page for a page that is none, the list in its own order
    for a sort no column header writes: the list shown was not the one asked for. The address
    is refused (400), the page saying which parameter it cannot read and why."""
    from agreements.admin import AgreementAdmin

    monkeypatch.setattr(AgreementAdmin, "list_per_page", 1)
    AgreementFactory(lead_region=kaltim)
    AgreementFactory(lead_region=kaltim)
    response = staff_client.get(CHANGELIST, unreadable)

    assert response.status_code == 400
    page = collapse_space(response.content.decode())
    assert "<h1>Alamat daftar tidak dapat dibaca</h1>" in page
    assert said in page
    assert f'<a href="{CHANGELIST}">Buka daftar kerja sama</a>' in page


def test_the_whole_of_a_list_longer_than_it_shows_whole_is_refused(
    staff_client, kaltim, monkeypatch
):
    """``?all=`` of a list longer than ``list_max_show_all`` listed its first page as if it
    were the whole list."""
    from agreements.admin import AgreementAdmin

    monkeypatch.setattr(AgreementAdmin, "list_per_page", 1)
    AgreementFactory(lead_region=kaltim)
    AgreementFactory(lead_region=kaltim)
    assert staff_client.get(CHANGELIST, {"all": ""}).context["cl"].result_count == 2

    monkeypatch.setattr(AgreementAdmin, "list_max_show_all", 1)
    response = staff_client.get(CHANGELIST, {"all": ""})

    assert response.status_code == 400
    assert (
        "Parameter “all=” pada alamat ini tidak dapat dibaca: daftar ini memuat 2 baris, lebih "
        "dari 1 yang dapat ditampilkan sekaligus; bukalah per halaman."
    ) in collapse_space(response.content.decode())


def test_a_list_opened_with_e_lists_every_row_and_says_nothing_of_it(staff_client, kaltim):
    """``?e=1``, where Django's admin sent an address it could not read, is only the list."""
    AgreementFactory(lead_region=kaltim)
    response = staff_client.get(CHANGELIST, {"e": "1"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert "tidak dapat dibaca" not in response.content.decode()


def test_a_change_form_opened_from_a_filtered_list_goes_back_to_it(staff_client, kaltim):
    """The list's filters a change form carries (``_changelist_filters``) are read on its way
    back to the list, as Django reads them."""
    agreement = AgreementFactory(lead_region=kaltim, kind="mou")
    change = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    carried = {"_changelist_filters": "kind__exact=mou"}

    assert staff_client.get(change, carried).status_code == 200
    response = staff_client.get(CHANGELIST, {"kind__exact": "mou"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [agreement.pk]


@pytest.mark.parametrize("asked", [{"o": "2"}, {"o": "2.-3"}, {"o": ""}, {"p": "2"}, {"p": ""}])
def test_a_sort_and_a_page_the_list_offers_are_shown(staff_client, kaltim, monkeypatch, asked):
    from agreements.admin import AgreementAdmin

    monkeypatch.setattr(AgreementAdmin, "list_per_page", 1)
    AgreementFactory(lead_region=kaltim)
    AgreementFactory(lead_region=kaltim)

    assert staff_client.get(CHANGELIST, asked).status_code == 200


@pytest.mark.parametrize("forged", [{"sectors__isnull": "maybe"}, {"kind__isnull": "x"}])
def test_an_isnull_filter_given_neither_true_nor_false_is_refused(staff_client, forged):
    """Django read any value but "", "false" and "0" as true: ``sectors__isnull=maybe`` listed
    the agreements of no sector."""
    response = staff_client.get(CHANGELIST, forged)

    assert response.status_code == 400
    assert "<h1>Filter tidak tersedia</h1>" in response.content.decode()


def test_a_related_filter_naming_a_row_that_is_none_is_refused(staff_client, kaltim):
    """A key of no row (a country code no country has, a deleted sector's id) listed nothing,
    unexplained, as if no row were related to it; the keys of rows still filter."""
    sector = SectorFactory()
    AgreementFactory(lead_region=kaltim, sectors=[sector])
    partners = reverse("admin:partners_partner_changelist")
    CountryFactory(code="CN")

    for address, forged in [
        (partners, {"country": "ZZ"}),
        (partners, {"country__in": "CN,ZZ"}),
        (CHANGELIST, {"sectors__id__exact": str(sector.pk + 1000)}),
    ]:
        response = staff_client.get(address, forged)
        assert response.status_code == 400, forged
        assert "<h1>Filter tidak tersedia</h1>" in response.content.decode()
    assert staff_client.get(partners, {"country": "CN"}).status_code == 200
    assert staff_client.get(CHANGELIST, {"sectors__id__exact": str(sector.pk)}).status_code == 200


def test_a_relations_key_or_a_choice_matched_by_text_no_row_can_hold_is_refused(
    staff_client, kaltim
):
    """A partner's country given by its name where its code goes
    (``country__code__startswith=Tiong``), a kind by a text no kind holds
    (``kind__contains=zz``) or a month past December listed nothing, unexplained, as if no row
    matched; a text some choice holds still filters."""
    CountryFactory(code="CN")
    AgreementFactory(lead_region=kaltim)
    partners = reverse("admin:partners_partner_changelist")

    for address, forged in [
        (partners, {"country__code__startswith": "Tiong"}),
        (partners, {"country__code__icontains": "Tiongkok"}),
        (CHANGELIST, {"kind__contains": "zz"}),
        (CHANGELIST, {"visibility__iexact": "rahasia"}),
        (CHANGELIST, {"signed_on__month": "13"}),
        (CHANGELIST, {"signed_on__day": "40"}),
    ]:
        response = staff_client.get(address, forged)
        assert response.status_code == 400, forged
        assert "<h1>Filter tidak tersedia</h1>" in response.content.decode()
    assert staff_client.get(CHANGELIST, {"kind__iexact": "MOU"}).status_code == 200
    assert staff_client.get(CHANGELIST, {"signed_on__month": "1"}).status_code == 200


def test_a_related_filter_naming_a_row_the_editor_does_not_see_is_refused(
    client, kaltim, bali, editor_kaltim
):
    """An editor's lists hold their regions' rows only: the steps of Bali's agreement, asked
    for by Kaltim's editor (``?agreement__id__exact=``), listed nothing, unexplained, as if it
    had no steps, where its change page is not found to them."""
    own = AgreementFactory(lead_region=kaltim)
    bali_agreement = AgreementFactory(lead_region=bali)
    MilestoneFactory(agreement=bali_agreement)
    steps = reverse("admin:agreements_milestone_changelist")
    client.force_login(editor_kaltim)

    response = client.get(steps, {"agreement__id__exact": str(bali_agreement.pk)})

    assert response.status_code == 400
    assert "<h1>Filter tidak tersedia</h1>" in response.content.decode()
    assert client.get(steps, {"agreement__id__exact": str(own.pk)}).status_code == 200


@pytest.mark.parametrize("empty", ["0", "1"])
def test_the_filter_of_notices_not_sent_yet_lists_them(admin_client, empty):
    """The admin's own link of an empty-value filter (``sent_at__isempty``) was refused as a
    filter the list does not offer."""
    changelist = reverse("admin:reminders_notice_changelist")

    assert admin_client.get(changelist, {"sent_at__isempty": empty}).status_code == 200


def test_the_lists_own_filters_and_drill_down_still_filter(admin_client, kaltim, anhui):
    sector = SectorFactory()
    agreement = AgreementFactory(
        lead_region=kaltim,
        regions=[kaltim],
        scope="ksdpl",
        partners=[anhui],
        sectors=[sector],
        signed_on=datetime.date(2024, 3, 1),
        in_force_from=datetime.date(2024, 3, 1),
    )
    AgreementFactory(
        lead_region=kaltim,
        regions=[kaltim],
        signed_on=datetime.date(2023, 3, 1),
        in_force_from=datetime.date(2023, 3, 1),
    )
    for query in (
        {"kind__exact": agreement.kind, "sectors__id__exact": sector.pk},
        {"scope__exact": "ksdpl", "visibility__exact": agreement.visibility},
        {"signed_on__year": "2024", "signed_on__month": "3"},
        {"sectors__isnull": "False", "scope__exact": "ksdpl"},
        {"lead_region__id__exact": kaltim.pk, "id__in": f"{agreement.pk},0"},
    ):
        assert listed(admin_client.get(CHANGELIST, query)) == {agreement}, query
    users = reverse("admin:auth_user_changelist")
    group = Group.objects.create(name="Biro Kerja Sama")
    assert (
        admin_client.get(
            users, {"is_staff__exact": "1", "groups__id__exact": str(group.pk)}
        ).status_code
        == 200
    )
    attempts = reverse("admin:axes_accessattempt_changelist")
    assert admin_client.get(attempts, {"ip_address": "10.0.0.1"}).status_code == 200


# -- adding and changing an agreement -----------------------------------------------------------


def test_staff_add_an_agreement_with_a_milestone_and_history_records_who(
    staff_client, staff_user, kaltim, bali
):
    data = with_milestone(
        agreement_form(kaltim, regions=[kaltim.pk, bali.pk]),
        kind="signing",
        title="Penandatanganan MoU",
        done_on="2024-03-01",
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert set(agreement.regions.all()) == {kaltim, bali}
    milestone = agreement.milestones.get()
    assert milestone.title == "Penandatanganan MoU"
    assert agreement.history.get().history_user == staff_user
    assert milestone.history.get().history_user == staff_user


def test_one_save_in_the_admin_is_one_history_entry_with_the_final_parties(
    staff_client, kaltim, samarinda
):
    tourism = SectorFactory(name_id="Pariwisata")
    staff_client.post(
        ADD, agreement_form(kaltim, regions=[kaltim.pk, samarinda.pk], sectors=[tourism.pk])
    )

    record = Agreement.objects.get().history.get()
    assert record.history_type == "+"
    assert {row.region for row in record.regions.all()} == {kaltim, samarinda}
    assert [row.sector for row in record.sectors.all()] == [tourism]


def test_the_follow_up_links_are_one_list_named_by_its_sentence(editor_kaltim, kaltim):
    """A screen reader hears "Naskah yang melanjutkan kerja sama ini", then a list of three
    links; on a phone each is a target of its own, not a word in a line of small print."""
    agreement = AgreementFactory(lead_region=kaltim)
    page = collapse_space(logged_in(editor_kaltim).get(change_url(agreement)).content.decode())

    labelled = re.search(r'<ul aria-labelledby="([^"]+)">(.*?)</ul>', page)
    assert labelled is not None, "the follow-up links are not a list"
    label = re.search(rf'<p id="{labelled.group(1)}">([^<]*)</p>', page).group(1)
    assert label == "Naskah yang melanjutkan kerja sama ini:"
    items = re.findall(r'<li><a href="[^"]+" class="addlink">([^<]*)</a></li>', labelled.group(2))
    assert items == [
        "Tambahkan naskah tindak lanjut",
        "Tambahkan adendum",
        "Tambahkan perpanjangan",
    ]


def test_an_amendment_is_added_from_its_mou_with_the_parties_and_sectors_filled_in(
    editor_kaltim, kaltim, anhui
):
    """A year after the MoU, its amendment: "Tambahkan adendum" on the MoU's form opens the
    add form with the MoU's scope, parties and sectors chosen and the MoU as what it amends,
    so the clerk types only the title and the dates."""
    client = logged_in(editor_kaltim)
    education, trade = SectorFactory(name_id="Pendidikan"), SectorFactory(name_id="Perdagangan")
    response = client.post(
        ADD,
        agreement_form(
            kaltim, scope="ksdpl", partners=[anhui.pk], sectors=[education.pk, trade.pk]
        ),
    )
    assert response.status_code == 302
    mou = Agreement.objects.get()

    page = client.get(change_url(mou)).content.decode()
    [link] = re.findall(r'<a href="([^"]+)" class="addlink">Tambahkan adendum</a>', page)
    response = client.get(link.replace("&amp;", "&"))

    assert response.status_code == 200
    shown = collapse_space(response.content.decode())
    for field, value in [("scope", "ksdpl"), ("kind", "amendment"), ("relation", "amends")]:
        assert re.search(rf'name="{field}"[^>]*>.*?<option value="{value}" selected>', shown)
    for field, row in [
        ("lead_region", kaltim),
        ("partners", anhui),
        ("sectors", trade),
        ("follows", mou),
    ]:
        assert re.search(rf'name="{field}"[^>]*>.*?<option value="{row.pk}" selected>', shown)

    # Posted as it is shown, with a title and a signing.
    form = response.context["adminform"].form
    data = agreement_form(kaltim, title="Adendum I", signed_on="2025-03-01", expires_on="")
    data.update(in_force_from="2025-03-01", relation="amends", kind="amendment")
    data.update(
        {
            name: form.initial.get(name, [])  # an empty list of agencies is not in the link
            for name in [*Agreement.SHARED_WITH_FOLLOW_UP, "follows"]
        }
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, form_errors(response)
    amendment = Agreement.objects.get(title="Adendum I")
    assert amendment.follows == mou
    assert list(amendment.partners.all()) == [anhui]
    assert set(amendment.sectors.all()) == {education, trade}


def follow_up_link(client, agreement, label):
    """The query of the follow-up link ``label`` on ``agreement``'s change form, as a dict."""
    page = client.get(change_url(agreement)).content.decode()
    [link] = re.findall(rf'<a href="([^"]+)" class="addlink">{label}</a>', page)
    return dict(parse_qsl(urlsplit(link.replace("&amp;", "&")).query))


@pytest.mark.parametrize(
    "lead, scope, kind",
    [
        ("kaltim", "ksdpl", "sister_province"),
        ("samarinda", "ksdpl", "sister_city"),
        ("kaltim", "ksdd", "mou"),
        ("kaltim", "ksdll", "mou"),
    ],
)
def test_an_lois_follow_up_is_the_text_its_scope_and_lead_region_lead_to(
    request, staff_client, anhui, lead, scope, kind
):
    """Kaltim's LoI with Anhui leads on to a sister-province text, Samarinda's with a city of
    Anhui to a sister-city text; an LoI between regions or with a foreign institution, to an
    MoU."""
    loi = AgreementFactory(
        kind="loi",
        scope=scope,
        lead_region=request.getfixturevalue(lead),
        partners=[anhui] if scope != "ksdd" else [],
    )

    follow_up = follow_up_link(staff_client, loi, "Tambahkan naskah tindak lanjut")

    assert (follow_up["kind"], follow_up["relation"]) == (kind, "implements")
    assert follow_up["scope"] == scope


def shown_input(page, name):
    """The value the input ``name`` of ``page`` shows ("" when none)."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def shown_choice(page, name):
    """The option chosen in the select ``name`` of ``page``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


@pytest.mark.parametrize(
    "expires_on, precision, shown, last_day",
    [
        (datetime.date(2026, 1, 1), "year", "2026", datetime.date(2026, 12, 31)),
        (datetime.date(2026, 6, 30), "day", "30/06/2026", datetime.date(2026, 6, 30)),
    ],
    ids=["2026", "30 Juni 2026"],
)
def test_an_amendment_begins_with_the_term_of_what_it_amends_and_ends_with_it(
    staff_client, kaltim, bali, expires_on, precision, shown, last_day
):
    """An MoU in force to the end of 2026 (or to 30 June 2026): its amendment's add form
    starts with "2026" as the expiry, known to the year ("30/06/2026", to the day), for the
    clerk to keep or change. Saved as shown, the amendment is in force on the expiry's last
    day and "Berakhir" from the next, as the MoU is. An extension continues after the MoU's
    term, so it starts with none."""
    mou = AgreementFactory(
        lead_region=kaltim,
        regions=[bali],
        signed_on=datetime.date(2024, 3, 1),
        in_force_from=datetime.date(2024, 3, 1),
        expires_on=expires_on,
        expires_on_precision=precision,
    )

    extension = follow_up_link(staff_client, mou, "Tambahkan perpanjangan")
    assert "expires_on" not in extension and "expires_on_precision" not in extension
    page = staff_client.get(ADD, extension).content.decode()
    assert shown_input(page, "expires_on") == ""

    response = staff_client.get(ADD, follow_up_link(staff_client, mou, "Tambahkan adendum"))
    assert response.status_code == 200
    page = response.content.decode()
    expiry = shown_input(page, "expires_on")
    assert (expiry, shown_choice(page, "expires_on_precision")) == (shown, precision)

    # Posted as it is shown, with a title and a signing.
    form = response.context["adminform"].form
    data = agreement_form(kaltim, title="Adendum I", signed_on="2025-03-01")
    data.update(in_force_from="2025-03-01", relation="amends", kind="amendment")
    data.update(expires_on=expiry, expires_on_precision=precision)
    data.update(
        {name: form.initial.get(name, []) for name in [*Agreement.SHARED_WITH_FOLLOW_UP, "follows"]}
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, form_errors(response)
    amendment = Agreement.objects.get(title="Adendum I")
    assert amendment.known("expires_on") == mou.known("expires_on")

    expired = Agreement.Status.EXPIRED
    mine = Agreement.objects.filter(pk=amendment.pk)
    next_day = last_day + datetime.timedelta(days=1)
    assert amendment.shown_status_on(last_day) == Agreement.Status.IN_FORCE
    assert amendment.shown_status_on(next_day) == expired
    assert expired.label == "Berakhir"
    assert mine.with_shown_status(expired, next_day).exists()
    assert not mine.with_shown_status(expired, last_day).exists()


def test_lead_region_is_added_to_the_parties_when_staff_leave_it_out(staff_client, kaltim, bali):
    response = staff_client.post(ADD, agreement_form(kaltim, regions=[bali.pk]))
    assert response.status_code == 302
    assert set(Agreement.objects.get().regions.all()) == {kaltim, bali}


def test_staff_record_an_agreement_signed_in_march_that_ends_with_the_year(staff_client, kaltim):
    """Signed on 10 March 2024 and known to end "2024": the form takes it, and the year is
    the one before the signing that is refused."""
    data = agreement_form(kaltim, signed_on="2024-03-10", in_force_from="", expires_on="2024")
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = Agreement.objects.get()
    assert (agreement.expires_on, agreement.expires_on_precision) == (
        datetime.date(2024, 1, 1),
        "year",
    )
    data = agreement_form(
        kaltim,
        title="Berakhir tahun lalu",
        signed_on="2024-03-10",
        in_force_from="",
        expires_on="2023",
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expires_on"] == [
        "Tanggal berakhir tidak boleh sebelum tanggal ditandatangani."
    ]


def test_agreement_expiring_before_it_is_signed_is_refused_and_nothing_is_written(
    staff_client, kaltim
):
    data = with_milestone(
        agreement_form(kaltim, signed_on="2024-03-01", expires_on="2023-03-01"),
        kind="signing",
        title="Penandatanganan",
        done_on="2024-03-01",
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["expires_on"] == [
        "Tanggal berakhir tidak boleh sebelum tanggal ditandatangani."
    ]
    assert "Tanggal berakhir tidak boleh sebelum tanggal ditandatangani." in response.text
    assert not Agreement.objects.exists()
    assert not Milestone.objects.exists()


def test_agreement_expiring_before_it_comes_into_force_is_refused(staff_client, kaltim):
    """Signed in November, in force from 1 January 2027, expiring on 31 December 2026 (a year
    typed wrong): its page would say "Ditandatangani · berlaku mulai 1 Januari 2027 · berakhir
    dalam 26 hari", a term that ends before it begins. Refused at the expiry, as an expiry
    before the signing is; a year-known expiry is not before an entry into force that year."""
    data = agreement_form(
        kaltim,
        status="signed",
        signed_on="2026-11-01",
        in_force_from="2027-01-01",
        expires_on="2026-12-31",
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expires_on"] == [
        "Tanggal berakhir tidak boleh sebelum tanggal mulai berlaku."
    ]
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai berlaku." in response.text
    assert not Agreement.objects.exists()
    data.update(in_force_from="2026-12-01", expires_on="2026")
    assert staff_client.post(ADD, data).status_code == 302


ENDED_IN_FORCE = (
    "Pengakhiran kerja sama ini tercatat terlaksana (%s), tetapi statusnya masih “Berlaku”. "
    "Kerja sama yang pengakhirannya dicatat berstatus “Diakhiri”: pilih status itu, atau "
    "kosongkan tanggal terlaksana tahapan pengakhiran bila belum terjadi."
)


def test_agreement_in_force_with_its_termination_done_is_refused_at_its_status(
    staff_client, kaltim
):
    """A termination recorded as done in the milestone table while the status stays "Berlaku":
    its page would say it is in force above "Pengakhiran: terlaksana". Refused at the status,
    saying what to choose; nothing is written. Recorded as terminated, it is saved."""
    data = with_milestone(
        agreement_form(kaltim),
        kind="termination",
        title="Pengakhiran atas kesepakatan para pihak",
        done_on="2025-06-30",
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    message = ENDED_IN_FORCE % "30 Juni 2025"
    assert response.context["adminform"].form.errors["status"] == [message]
    assert message in response.text
    assert not Agreement.objects.exists()
    assert not Milestone.objects.exists()
    data["status"] = "terminated"
    assert staff_client.post(ADD, data).status_code == 302
    assert Agreement.objects.get().status == "terminated"


def test_an_agreement_terminated_while_its_termination_is_still_planned_is_refused(
    staff_client, kaltim
):
    """The parties agreed to end the cooperation on a day still to come: the clerk planned the
    termination step for it and chose "Diakhiri". The status page then said "Diakhiri" with
    the day "tidak tercatat" and nothing next, for a cooperation in force until that day.
    Refused at the status, saying when the termination is planned; nothing is written.
    Recorded as in force until then, it is saved, its termination the next step."""
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    data = with_milestone(
        agreement_form(kaltim, status="terminated"),
        kind="termination",
        title="Pengakhiran atas kesepakatan para pihak",
        due_on=due,
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["status"]
    assert message.startswith("Status “Diakhiri”, tetapi pengakhiran kerja sama ini belum")
    assert str(KnownDate(datetime.date.fromisoformat(due))) in message
    assert not Agreement.objects.exists()
    data["status"] = "in_force"
    assert staff_client.post(ADD, data).status_code == 302
    assert Agreement.objects.get().next_milestone.kind == "termination"
    # One stored so before the rule is among those ``manage.py check_statuses`` lists.
    stored = AgreementFactory(lead_region=kaltim, status="terminated")
    Milestone.objects.create(agreement=stored, kind="termination", title="Pengakhiran", due_on=due)
    assert list(Agreement.objects.filter(Agreement.contradicted_by_steps_q())) == [stored]


def test_an_agreement_being_prepared_with_its_termination_done_is_refused_at_its_status(
    staff_client, kaltim
):
    """A termination recorded as done while the text is still being prepared ("Penyiapan
    naskah"): its page went on saying "Penyiapan naskah", its next step waiting on the partner,
    above "Pengakhiran: terlaksana". Refused at the status, saying that a text called off before
    signing is "Batal"; nothing is written. Recorded as cancelled, it is saved."""
    data = with_milestone(
        agreement_form(kaltim, status="preparation", signed_on="", in_force_from="", expires_on=""),
        kind="termination",
        title="Pembahasan dihentikan",
        done_on="2025-06-30",
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    message = (
        "Pengakhiran kerja sama ini tercatat terlaksana (30 Juni 2025), tetapi status "
        "“Penyiapan naskah” berarti naskahnya masih disiapkan. Naskah yang dihentikan sebelum "
        "ditandatangani berstatus “Batal”: pilih status itu, atau kosongkan tanggal terlaksana "
        "tahapan pengakhiran bila belum terjadi."
    )
    assert response.context["adminform"].form.errors["status"] == [message]
    assert message in response.text
    assert not Agreement.objects.exists()
    assert not Milestone.objects.exists()
    data["status"] = "cancelled"
    assert staff_client.post(ADD, data).status_code == 302
    assert Agreement.objects.get().status == "cancelled"


def test_an_agreement_stored_in_force_after_its_termination_tells_the_clerk_what_to_fix(
    staff_client, kaltim
):
    """Stored before the rule: in force, its termination done. A change of its title alone is
    refused saying why, nothing written; the status set to "Diakhiri", or the termination's
    date cleared in the table (the rule reads the steps as posted, not as stored), it saves."""
    agreement = AgreementFactory(lead_region=kaltim)
    ending = MilestoneFactory(
        agreement=agreement,
        kind="termination",
        title="Pengakhiran",
        due_on=None,
        done_on=datetime.date(2025, 6, 30),
    )
    data = change_form_data(staff_client.get(change_url(agreement)))
    data["title"] = "Judul yang dibetulkan"
    response = staff_client.post(change_url(agreement), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [ENDED_IN_FORCE % "30 Juni 2025"]
    assert Agreement.objects.get().title != "Judul yang dibetulkan"

    row = next(k for k, v in data.items() if k.endswith("-id") and str(v) == str(ending.pk))
    prefix = row.removesuffix("-id")
    planned = dict(data, **{f"{prefix}-done_on": "", f"{prefix}-due_on": "2027-06-30"})
    assert staff_client.post(change_url(agreement), planned).status_code == 302
    assert Agreement.objects.get().title == "Judul yang dibetulkan"
    assert Milestone.objects.get().done_on is None


def test_an_unsigned_agreement_with_its_signing_done_is_refused_at_its_status(staff_client, kaltim):
    """A signing recorded as done in the milestone table while the status says the text is not
    signed ("Batal", "Penyiapan naskah"): its page would say "Batal" above a path whose every
    stage was passed, signing included. Refused at the status, saying what to do; nothing is
    written. Recorded as signed, with its date, it is saved."""
    data = with_milestone(
        agreement_form(kaltim, status="cancelled", signed_on="", in_force_from="", expires_on=""),
        kind="signing",
        title="Penandatanganan MoU",
        done_on="2026-03-01",
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    message = (
        "Penandatanganan naskah ini tercatat terlaksana (1 Maret 2026), tetapi status “Batal” "
        "berarti naskah belum ditandatangani. Bila sudah ditandatangani, pilih status "
        "“Ditandatangani” atau “Berlaku” dan isi tanggal ditandatangani; bila belum, kosongkan "
        "tanggal terlaksana tahapan penandatanganan."
    )
    assert response.context["adminform"].form.errors["status"] == [message]
    assert message in response.text
    assert not Agreement.objects.exists()
    assert not Milestone.objects.exists()
    data.update(status="signed", signed_on="2026-03-01")
    assert staff_client.post(ADD, data).status_code == 302
    assert Agreement.objects.get().status == "signed"


def test_an_loi_recorded_signed_at_its_loi_step_is_refused_while_its_status_says_unsigned(
    staff_client, kaltim
):
    """An LoI is signed when its "Pernyataan kehendak (LoI)" step is passed (the last stage of
    its path), and the bureau records it there as often as at "Penandatanganan". Done while the
    status still says "Penjajakan", its page said "Penjajakan", no signing date and nothing
    next above a path whose every stage was passed. Refused at the status, naming the step and
    what to do; with the status and the date, saved. An MoU's own LoI step signs no MoU."""
    data = with_milestone(
        agreement_form(
            kaltim, kind="loi", status="exploration", signed_on="", in_force_from="", expires_on=""
        ),
        kind="loi",
        title="Penandatanganan LoI",
        done_on="2026-03-01",
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    message = (
        "Tahap “Pernyataan kehendak (LoI)” naskah LoI ini tercatat terlaksana (1 Maret 2026), "
        "artinya LoI sudah ditandatangani, tetapi statusnya masih “Penjajakan”. Pilih status "
        "“Ditandatangani” atau “Berlaku” dan isi tanggal ditandatangani; bila LoI belum "
        "ditandatangani, kosongkan tanggal terlaksana tahap itu."
    )
    assert response.context["adminform"].form.errors["status"] == [message]
    assert not Agreement.objects.exists()
    data.update(status="signed", signed_on="2026-03-01")
    assert staff_client.post(ADD, data).status_code == 302
    assert Agreement.objects.get().status == "signed"

    data.update(kind="mou", status="preparation", signed_on="", title="MoU lanjutannya")
    assert staff_client.post(ADD, data).status_code == 302
    assert Agreement.objects.get(title="MoU lanjutannya").status == "preparation"


def test_a_terminated_agreement_is_saved_beside_its_termination(staff_client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    MilestoneFactory(agreement=agreement, kind="termination", done_on=datetime.date(2025, 6, 30))
    data = change_form_data(staff_client.get(change_url(agreement)))
    data["status"] = "terminated"
    assert staff_client.post(change_url(agreement), data).status_code == 302
    assert Agreement.objects.get().status == "terminated"


def test_agreement_recorded_as_expired_before_its_term_runs_out_is_refused(
    staff_client, kaltim, today
):
    """ "Berakhir" is a term run out: recorded while the expiry, as known, still runs (a year
    runs to 31 December) or with no expiry, the page would say it ended while it runs. Refused
    at the status, saying that one ended early is "Diakhiri"; nothing is written."""
    running = (today + datetime.timedelta(days=30)).isoformat()
    for expires_on in (running, str(today.year)):
        response = staff_client.post(
            ADD, agreement_form(kaltim, status="expired", expires_on=expires_on)
        )
        assert response.status_code == 200
        (message,) = response.context["adminform"].form.errors["status"]
        assert message.startswith(
            "Status “Berakhir” berarti jangka waktu kerja sama sudah habis, tetapi kerja sama "
            "ini berlaku sampai "
        )
        assert "yang diakhiri sebelum jangka waktunya habis berstatus “Diakhiri”" in message
        assert message in response.text
    response = staff_client.post(ADD, agreement_form(kaltim, status="expired", expires_on=""))
    assert response.context["adminform"].form.errors["status"] == [
        "Status “Berakhir” berarti jangka waktu kerja sama sudah habis, tetapi tanggal "
        "berakhirnya tidak diisi: isi tanggal berakhir. Kerja sama yang diakhiri sebelum "
        "jangka waktunya habis berstatus “Diakhiri”."
    ]
    assert not Agreement.objects.exists()
    lapsed = (today - datetime.timedelta(days=1)).isoformat()
    data = agreement_form(kaltim, status="expired", expires_on=lapsed)
    assert staff_client.post(ADD, data).status_code == 302


@pytest.mark.parametrize(
    "fields, field, message",
    [
        (
            {"budget_amount": "-5", "budget_currency": "IDR"},
            "budget_amount",
            "Nilai anggaran tidak boleh negatif.",
        ),
        (
            {"budget_amount": "5000", "budget_currency": "rp"},
            "budget_currency",
            "“rp” bukan kode mata uang ISO 4217",
        ),
        ({"reference": "120/KSD/2024"}, "reference", "Nomor naskah ini sudah dipakai"),
    ],
)
def test_what_the_database_refuses_is_said_at_its_field_in_plain_words(
    staff_client, kaltim, fields, field, message
):
    """Not "Batasan “agreement_budget_not_negative” dilanggar." above the form."""
    AgreementFactory(lead_region=kaltim, reference="120/KSD/2024")
    before = Agreement.objects.count()

    response = staff_client.post(ADD, agreement_form(kaltim, **fields))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert [e for e in errors.get(field, []) if e.startswith(message)], errors
    assert "__all__" not in errors
    assert "Batasan" not in response.text and "dilanggar" not in response.text
    assert Agreement.objects.count() == before


def test_a_currency_typed_as_a_word_is_refused_whole_not_cut_to_three_letters(staff_client, kaltim):
    """A clerk types "Rupiah" into the currency: a box holding three letters at most would let
    the browser keep "Rup" without a word, saved as the currency "RUP" that exists nowhere.
    The box takes what is typed; the form refuses the word, says what to write, and shows it
    back as typed."""
    page = staff_client.get(ADD).content.decode()
    (box,) = re.findall(r'<input[^>]*name="budget_currency"[^>]*>', page)
    assert "maxlength" not in box

    response = staff_client.post(
        ADD, agreement_form(kaltim, budget_amount="5000", budget_currency="Rupiah")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["budget_currency"] == [
        "“Rupiah” bukan kode mata uang ISO 4217. Tulis kode tiga hurufnya, mis. IDR, USD, CNY."
    ]
    assert 'value="Rupiah"' in response.text
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("typed", ["RUP", "ABC", "xyz", "RMB"])
def test_three_letters_of_no_currency_are_refused_naming_them(staff_client, kaltim, typed):
    """Any three capitals passed as a currency: "RUP" (a "Rupiah" cut short), "RMB" (what the
    yuan is called, whose code is CNY) were stored and shown as a budget's currency. The form
    names what was typed and what to write; ISO 4217's codes, in any case, are recorded."""
    response = staff_client.post(
        ADD, agreement_form(kaltim, budget_amount="5000", budget_currency=typed)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["budget_currency"] == [
        f"“{typed}” bukan kode mata uang ISO 4217. Tulis kode tiga hurufnya, mis. IDR, USD, CNY."
    ]
    assert f"“{typed}” bukan kode mata uang ISO 4217" in response.content.decode()
    assert not Agreement.objects.exists()

    for code in ("usd", "CNY", "JPY"):
        response = staff_client.post(
            ADD,
            agreement_form(kaltim, budget_amount="5000", budget_currency=code, title=code),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(Agreement.objects.values_list("budget_currency", flat=True)) == [
        "CNY",
        "JPY",
        "USD",
    ]


def test_a_signing_in_the_future_or_in_force_before_its_date_is_refused(staff_client, kaltim):
    """Signed next month, or "in force" from a date still to come: neither is counted as in
    force on the dashboard."""
    ahead = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    later = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()

    response = staff_client.post(ADD, agreement_form(kaltim, signed_on=ahead, in_force_from=later))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["signed_on"][0].startswith("Tanggal ditandatangani tidak boleh di masa depan")

    today = timezone.localdate().isoformat()
    response = staff_client.post(ADD, agreement_form(kaltim, signed_on=today, in_force_from=later))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["status"][0].startswith("Status “Berlaku” berarti kerja sama sudah berlaku")
    assert not Agreement.objects.exists()

    # Signed today and in force next month: "Ditandatangani", shown in force from that day.
    response = staff_client.post(
        ADD, agreement_form(kaltim, status="signed", signed_on=today, in_force_from=later)
    )
    assert response.status_code == 302
    assert Agreement.objects.get().shown_status == Agreement.Status.SIGNED


def test_a_text_entering_into_force_is_refused_without_its_signing_date(staff_client, kaltim):
    """Recorded "Ditandatangani" with a date it entered into force and no signing date: its
    page said "Berlaku" above "Ditandatangani: tanggal tidak tercatat", as "Berlaku" itself is
    refused for. Refused at the signing date; with it, saved. Signed on a day not recorded,
    with no entry into force either, it is kept as the register knows it."""
    data = agreement_form(kaltim, status="signed", signed_on="", in_force_from="2025-03-01")

    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signed_on"] == [
        "Kerja sama yang berlaku sudah ditandatangani: isi tanggal ditandatangani."
    ]
    assert not Agreement.objects.exists()
    data["in_force_from"] = ""
    assert staff_client.post(ADD, data).status_code == 302
    data.update(title="Naskah kedua", signed_on="2025-02-01", in_force_from="2025-03-01")
    assert staff_client.post(ADD, data).status_code == 302


def test_a_proposal_in_the_future_is_refused(staff_client, kaltim):
    """Proposed "1 March" of next year, the year mistyped: the public page said so, and a
    step done today was refused as coming before the proposal. Refused at the proposal's
    date, nothing written; a month not yet over may be the one it was proposed in."""
    ahead = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    data = agreement_form(
        kaltim, status="preparation", proposed_on=ahead, signed_on="", in_force_from=""
    )
    data["expires_on"] = ""

    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    message = (
        "Tanggal diusulkan tidak boleh di masa depan: isi tanggal kerja sama ini diajukan. "
        "Usulan yang masih direncanakan dicatat sebagai tahapan “Prakarsa” dengan target "
        "tanggal."
    )
    assert response.context["adminform"].form.errors["proposed_on"] == [message]
    assert not Agreement.objects.exists()
    data.update(proposed_on=timezone.localdate().strftime("%m/%Y"), proposed_on_precision="month")
    assert staff_client.post(ADD, data).status_code == 302


def test_every_problem_with_a_date_is_said_not_only_the_last(staff_client, kaltim):
    """Signed ahead of today and before the proposal: both are said at the signing date, so
    mending one does not reveal the other only on the next save."""
    signed = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    proposed = (timezone.localdate() + datetime.timedelta(days=50)).isoformat()

    response = staff_client.post(
        ADD,
        agreement_form(
            kaltim, status="signed", proposed_on=proposed, signed_on=signed, in_force_from=""
        ),
    )

    assert response.status_code == 200
    said = response.context["adminform"].form.errors["signed_on"]
    assert said[0].startswith("Tanggal ditandatangani tidak boleh di masa depan")
    assert said[1] == "Tanggal ditandatangani tidak boleh sebelum tanggal diusulkan."
    assert not Agreement.objects.exists()


def test_ksdd_scope_with_a_foreign_government_partner_is_refused_on_the_scope_field(
    staff_client, kaltim, anhui
):
    response = staff_client.post(ADD, agreement_form(kaltim, scope="ksdd", partners=[anhui.pk]))

    assert response.status_code == 200
    message = (
        "Lingkup KSDD — antardaerah tidak sesuai dengan para pihak, yang menunjukkan "
        "KSDPL — dengan pemerintah daerah di luar negeri."
    )
    assert response.context["adminform"].form.errors["scope"] == [message]
    assert message in response.text
    assert not Agreement.objects.exists()


ALONE_IN_A_KSDD = (
    "Kerja sama antardaerah (KSDD) adalah kerja sama antara dua daerah atau lebih, tetapi hanya "
    "satu daerah pihak yang disebut (%s): sebutkan juga daerah mitranya."
)


def test_a_ksdd_naming_its_lead_region_alone_is_refused_at_the_party_regions(
    staff_client, kaltim, bali
):
    """A KSDD is a cooperation between a region and another region: one saved with Kalimantan
    Timur alone was a cooperation with nobody. Refused at the party regions, naming the one
    region and what is missing; with Bali beside it, saved. A KSDD stored with one region
    before the rule still saves a change that leaves its parties as they are (its summary),
    and is told once its parties are changed and still one region."""
    response = staff_client.post(ADD, agreement_form(kaltim, regions=[kaltim.pk]))

    assert response.status_code == 200
    message = ALONE_IN_A_KSDD % "Kalimantan Timur"
    assert response.context["adminform"].form.errors["regions"] == [message]
    assert message in response.text
    assert not Agreement.objects.exists()
    both = agreement_form(kaltim, regions=[kaltim.pk, bali.pk])
    assert staff_client.post(ADD, both).status_code == 302

    stored = AgreementFactory(lead_region=kaltim, title="Kerja sama lama")  # Kaltim alone
    data = agreement_form_data(stored, summary="Diperbarui setelah rapat.")
    assert staff_client.post(change_url(stored), data).status_code == 302
    stored.refresh_from_db()
    assert stored.summary == "Diperbarui setelah rapat."
    moved = agreement_form_data(stored, lead_region=bali.pk, regions=[bali.pk])
    response = staff_client.post(change_url(stored), moved)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["regions"] == [ALONE_IN_A_KSDD % "Bali"]
    assert Agreement.objects.get(pk=stored.pk).lead_region == kaltim


def test_ksdpl_scope_with_a_foreign_government_partner_is_accepted(staff_client, kaltim, anhui):
    response = staff_client.post(ADD, agreement_form(kaltim, scope="ksdpl", partners=[anhui.pk]))
    assert response.status_code == 302
    assert list(Agreement.objects.get().partners.all()) == [anhui]


def test_milestone_done_in_the_future_is_refused_in_the_inline(staff_client, kaltim, today):
    data = with_milestone(
        agreement_form(kaltim),
        kind="activity",
        title="Pameran bersama",
        done_on=(today + datetime.timedelta(days=5)).isoformat(),
    )
    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    assert "Tanggal terlaksana tidak boleh di masa depan." in response.text
    assert not Agreement.objects.exists()
    assert not Milestone.objects.exists()


def test_rating_on_a_milestone_that_is_not_an_evaluation_is_refused(staff_client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    response = staff_client.post(
        reverse("admin:agreements_milestone_add"),
        {
            "agreement": agreement.pk,
            "kind": "activity",
            "title": "Pameran",
            "due_on": "",
            "done_on": "2024-05-01",
            "waits_on": "",
            "rating": "4",
            "findings": "",
            "notes": "",
        },
    )
    assert "Nilai hanya untuk tahapan monitoring dan evaluasi." in response.text
    assert not Milestone.objects.exists()


def test_termination_done_on_its_own_page_is_refused_while_the_agreement_is_in_force(
    staff_client, kaltim
):
    """Recorded on the step's own page, the same contradiction is refused at its date."""
    agreement = AgreementFactory(lead_region=kaltim)
    data = {
        "agreement": agreement.pk,
        "kind": "termination",
        "title": "Pengakhiran",
        "due_on": "",
        "done_on": "30/06/2025",
        "waits_on": "",
        "findings": "",
        "notes": "",
    }
    response = staff_client.post(reverse("admin:agreements_milestone_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["done_on"] == [ENDED_IN_FORCE % "30 Juni 2025"]
    assert not Milestone.objects.exists()
    Agreement.objects.filter(pk=agreement.pk).update(status="terminated")
    response = staff_client.post(reverse("admin:agreements_milestone_add"), data)
    assert response.status_code == 302


def test_change_form_lists_milestones_compactly_with_their_details_one_click_away(
    staff_client, kaltim
):
    agreement = AgreementFactory(lead_region=kaltim)
    evaluation = MilestoneFactory(
        agreement=agreement,
        kind="evaluation",
        title="Monev tahun pertama",
        due_on=None,
        done_on=datetime.date(2025, 3, 1),
        rating=4,
        notes="Laporan diserahkan ke Sekda.",
    )
    html = staff_client.get(change_url(agreement)).text
    table = html[html.index('id="milestones-group"') :]
    table = table[: table.index('id="documents-group"')]
    # What, when and whom it waits on are edited in the table ...
    for field in ("kind", "title", "due_on", "done_on", "waits_on"):
        assert f'name="milestones-0-{field}"' in table
    # ... the evaluation and notes on the step's own page, summed up in the table.
    for field in ("rating", "findings", "notes"):
        assert f'name="milestones-0-{field}"' not in table
    assert "nilai 4/5, catatan" in table
    page = reverse("admin:agreements_milestone_change", args=[evaluation.pk])
    assert f'href="{page}"' in table


def _plain_selects_of(response):
    """Every select an admin change page writes straight from its choices, in its forms (the
    record's, each inline row's and each inline's empty row), with its bound field."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [*inline.formset.forms, inline.formset.empty_form]
    for form in forms:
        for bound in form:
            widget = innermost(bound.field.widget)
            if type(widget) is PlainSelect:
                yield bound, widget


def test_every_select_of_the_change_form_is_the_one_djangos_templates_write(staff_client, kaltim):
    """Selects are written straight from their choices (``common.widgets.PlainSelect``), with
    Django's markup: the same options, the chosen one selected, the same attributes, every
    label escaped as Django's templates escape it."""
    agreement = AgreementFactory(lead_region=kaltim, budget_source="apbd")
    MilestoneFactory(agreement=agreement, kind="evaluation", waits_on="partner")
    DocumentFactory(agreement=agreement)
    response = staff_client.get(change_url(agreement))
    assert response.status_code == 200

    written = 0
    for bound, widget in _plain_selects_of(response):
        written += 1
        plain = bound.as_widget()
        widget.__class__ = django_forms.Select  # the widget Django would have drawn
        try:
            expected = bound.as_widget()
        finally:
            widget.__class__ = PlainSelect
        assert re.sub(r">\s+<", "><", plain) == re.sub(r">\s+<", "><", expected), bound.html_name
    assert written >= 10  # the agreement's own choices, and each inline row's
    html = response.text
    assert '<option value="evaluation" selected>' in html
    assert '<option value="partner" selected>' in html


def test_the_change_forms_inputs_and_media_are_those_djangos_templates_write(
    staff_client, kaltim, settings, monkeypatch
):
    """Inputs are written straight (``common.renderers.PlainInputsRenderer``) and an inline's
    scripts are read once (``common.admin_markup.InlineMediaOnce``): the page is the one
    Django writes, byte for byte but for the CSRF token, with a title, a date, a hidden id
    and a box of every row carrying quotes and angle brackets."""
    agreement = AgreementFactory(
        lead_region=kaltim, title='Kerja sama "A" <b>&</b>', proposed_on=datetime.date(2020, 2, 3)
    )
    MilestoneFactory(agreement=agreement, kind="evaluation", title="Evaluasi <i>'1'</i>")
    DocumentFactory(agreement=agreement)
    ours = staff_client.get(change_url(agreement))
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    monkeypatch.setattr(InlineMediaOnce, "media", helpers.InlineAdminFormSet.media)
    djangos = staff_client.get(change_url(agreement))

    def page(response):
        assert response.status_code == 200
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.text)

    assert page(ours) == page(djangos)
    assert 'value="Kerja sama &quot;A&quot; &lt;b&gt;&amp;&lt;/b&gt;"' in ours.text
    assert ours.text.count('type="hidden"') >= 4 and 'class="vDateField"' in ours.text
    assert "admin/js/inlines.js" in ours.text


def test_history_page_shows_who_changed_the_agreement(staff_client, siti_client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    response = siti_client.post(
        change_url(agreement), agreement_form(kaltim, title="Judul yang diperbaiki")
    )
    assert response.status_code == 302

    history = staff_client.get(history_url(agreement)).text
    table = history[history.index('id="change-history"') :]
    assert "siti.kaltim" in table


def test_history_page_says_what_changed_in_words(staff_client, kaltim, bali):
    agreement = AgreementFactory(lead_region=kaltim)
    staff_client.post(
        change_url(agreement),
        agreement_form(kaltim, regions=[kaltim.pk, bali.pk], status="terminated"),
    )

    history = collapse_space(staff_client.get(history_url(agreement)).text)
    assert "<strong>Status:</strong> Berlaku &rarr; Diakhiri" in history
    assert (
        "<strong>Daerah pihak:</strong> [Kalimantan Timur] &rarr; [Bali, Kalimantan Timur]"
        in history
    )


def test_history_page_tells_a_long_value_whole_not_cut_in_the_middle(staff_client, kaltim, bali):
    """A summary rewritten, or parties named at length, read whole: not "Kalimantan
    [47 chars]imur", a shortening in English cut through the words being compared."""
    summary = (
        "Kerja sama kedua provinsi dalam pengembangan pariwisata budaya, pelatihan pemandu "
        "wisata, promosi bersama dan pertukaran pelaku usaha kecil dan menengah."
    )
    agreement = AgreementFactory(lead_region=kaltim, summary=summary)
    staff_client.post(
        change_url(agreement),
        agreement_form(kaltim, regions=[kaltim.pk, bali.pk], summary=summary + " Diperbarui."),
    )

    history = collapse_space(staff_client.get(history_url(agreement)).text)
    assert "chars]" not in history
    assert f"<strong>Ringkasan:</strong> {summary} &rarr; {summary} Diperbarui." in history


# -- the budget, grouped as the reader writes numbers ----------------------------------------------

# (language, the budget as the form shows it, a budget as typed, what the typed one means)
BUDGETS = [
    ("id", "1.250.000.000,00", "1.500.000.000,50", decimal.Decimal("1500000000.50")),
    ("en", "1,250,000,000.00", "1,500,000,000.50", decimal.Decimal("1500000000.50")),
]


def admin_agreement_form(data=None, instance=None):
    """The agreement form as the admin builds it for a superuser."""
    model_admin = admin.site._registry[Agreement]
    request = RequestFactory().get(ADD)
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    return model_admin.get_form(request, instance)(data=data, instance=instance)


@pytest.mark.parametrize("language, shown, typed, meant", BUDGETS)
def test_the_budget_is_shown_and_read_in_thousands_of_the_readers_language(
    kaltim, language, shown, typed, meant
):
    agreement = AgreementFactory(lead_region=kaltim, budget_amount=decimal.Decimal("1250000000"))
    with translation.override(language):
        form = admin_agreement_form(instance=agreement)
        assert f'value="{shown}"' in str(form["budget_amount"])

        form = admin_agreement_form(agreement_form(kaltim, budget_amount=typed))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["budget_amount"] == meant


@pytest.mark.parametrize(
    "language, typed, meant",
    [
        ("id", "1500000000", decimal.Decimal("1500000000")),
        # A point before two decimals is the point the import and the spreadsheets write, not
        # a thousands separator: never a budget a hundred times too large.
        ("id", "1500000000.50", decimal.Decimal("1500000000.50")),
        ("id", "1.500", decimal.Decimal("1500")),
        ("id", "2,5", decimal.Decimal("2.5")),
        ("en", "1500000000.50", decimal.Decimal("1500000000.50")),
        ("en", "1,500", decimal.Decimal("1500")),
    ],
)
def test_a_budget_typed_without_grouping_keeps_its_value(kaltim, language, typed, meant):
    with translation.override(language):
        form = admin_agreement_form(agreement_form(kaltim, budget_amount=typed))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["budget_amount"] == meant


@pytest.mark.parametrize(
    "language, typed, example",
    [
        ("id", "satu miliar", "1.500.000.000"),
        ("id", "1,500,000,000", "1.500.000.000"),
        ("en", "1.500.000.000", "1,500,000,000"),
        ("en", "Rp 5 juta", "1,500,000,000"),
        # Separators that group no thousands are refused, never read as another amount: not a
        # budget a hundred times too large, nor 15 for one and a half.
        ("id", "1.500.000.000.50", "1.500.000.000"),
        ("en", "1,500,000,000,50", "1,500,000,000"),
        ("en", "1,5", "1,500,000,000"),
        ("id", "15.00.000", "1.500.000.000"),
    ],
)
def test_a_budget_that_is_no_number_is_refused_at_its_field_with_an_example(
    kaltim, language, typed, example
):
    with translation.override(language):
        form = admin_agreement_form(agreement_form(kaltim, budget_amount=typed))
        assert not form.is_valid()
        [message] = form.errors["budget_amount"]
        assert example in message


@pytest.mark.parametrize("language, shown, typed, meant", BUDGETS)
def test_staff_save_a_grouped_budget_through_the_change_form(
    staff_client, kaltim, language, shown, typed, meant
):
    agreement = AgreementFactory(
        lead_region=kaltim, regions=[kaltim], budget_amount=decimal.Decimal("1250000000")
    )
    staff_client.cookies["django_language"] = language
    page = staff_client.get(change_url(agreement))
    assert f'value="{shown}"' in page.text

    response = staff_client.post(
        change_url(agreement), agreement_form_data(agreement, budget_amount=typed)
    )
    assert response.status_code == 302, form_errors(response)
    agreement.refresh_from_db()
    assert agreement.budget_amount == meant


@pytest.mark.parametrize(
    "language, stored, shown",
    [
        ("id", "250000", "250.000,00"),
        ("id", "7500.50", "7.500,50"),
        ("id", "1250000000", "1.250.000.000,00"),
        ("en", "250000", "250,000.00"),
    ],
)
def test_a_budget_saved_as_the_form_shows_it_keeps_its_value(
    staff_client, kaltim, language, stored, shown
):
    """A clerk opens an agreement with a budget of Rp 250.000,00 and corrects its title: the
    form shows the budget "250.000,00" and must take it back as it showed it, not refuse the
    save for a number the clerk never touched."""
    agreement = AgreementFactory(
        lead_region=kaltim, regions=[kaltim], budget_amount=decimal.Decimal(stored)
    )
    staff_client.cookies["django_language"] = language
    page = staff_client.get(change_url(agreement))
    assert f'value="{shown}"' in page.text

    response = staff_client.post(
        change_url(agreement),
        agreement_form_data(agreement, title="Judul diperbaiki", budget_amount=shown),
    )

    assert response.status_code == 302, form_errors(response)
    agreement.refresh_from_db()
    assert agreement.title == "Judul diperbaiki"
    assert agreement.budget_amount == decimal.Decimal(stored)


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_budget_that_is_no_number_is_kept_as_typed_and_nothing_is_saved(
    staff_client, kaltim, language
):
    agreement = AgreementFactory(
        lead_region=kaltim, regions=[kaltim], budget_amount=decimal.Decimal("1250000000")
    )
    staff_client.cookies["django_language"] = language
    response = staff_client.post(
        change_url(agreement), agreement_form_data(agreement, budget_amount="1,5 M")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["budget_amount"]
    assert 'value="1,5 M"' in response.text
    agreement.refresh_from_db()
    assert agreement.budget_amount == decimal.Decimal("1250000000")


@pytest.mark.parametrize(
    "language, change",
    [
        ("id", "<strong>Nilai anggaran:</strong> 1.250.000.000,00 &rarr; 1.500.000.000,50"),
        ("en", "<strong>Budget amount:</strong> 1,250,000,000.00 &rarr; 1,500,000,000.50"),
    ],
)
def test_the_history_tells_a_budget_change_grouped_as_the_form_shows_it(
    staff_client, kaltim, language, change
):
    agreement = AgreementFactory(
        lead_region=kaltim, regions=[kaltim], budget_amount=decimal.Decimal("1250000000")
    )
    response = staff_client.post(
        change_url(agreement), agreement_form_data(agreement, budget_amount="1500000000.50")
    )
    assert response.status_code == 302, form_errors(response)

    staff_client.cookies["django_language"] = language
    history = collapse_space(staff_client.get(history_url(agreement)).text)
    assert change in history


# -- the other lists ----------------------------------------------------------------------------


def test_milestone_list_marks_and_filters_overdue_steps(staff_client, kaltim, today):
    agreement = AgreementFactory(lead_region=kaltim)
    overdue = MilestoneFactory(agreement=agreement, due_on=today - datetime.timedelta(days=3))
    upcoming = MilestoneFactory(agreement=agreement, due_on=today + datetime.timedelta(days=3))
    done = MilestoneFactory(
        agreement=agreement,
        due_on=today - datetime.timedelta(days=9),
        done_on=today - datetime.timedelta(days=8),
    )
    url = reverse("admin:agreements_milestone_changelist")

    assert listed(staff_client.get(url, {"overdue": "yes"})) == {overdue}
    assert listed(staff_client.get(url, {"overdue": "no"})) == {upcoming, done}
    row = collapse_space(staff_client.get(url, {"overdue": "yes"}).text)
    assert 'class="field-overdue"><img src="/static/admin/img/icon-yes.svg" alt="True">' in row


def test_milestone_list_opens_on_the_steps_still_to_do_soonest_due_first(
    staff_client, kaltim, today
):
    """A clerk opening the list of steps looks for what is still to do: it opened on the steps
    done longest ago (the model's order, a timeline's), those still to do on its last pages.
    They come first now, as the dashboard lists them (the longest overdue, then the soonest
    due), then those done, the latest first."""
    agreement = AgreementFactory(lead_region=kaltim)

    def step(due, done=None):
        return MilestoneFactory(
            agreement=agreement,
            due_on=today + datetime.timedelta(days=due),
            done_on=None if done is None else today + datetime.timedelta(days=done),
        )

    done_long_ago = step(-400, -390)
    next_month = step(30)
    done_lately = step(-20, -10)
    overdue = step(-3)
    next_week = step(7)

    response = staff_client.get(reverse("admin:agreements_milestone_changelist"))
    assert list(response.context["cl"].result_list) == [
        overdue,
        next_week,
        next_month,
        done_lately,
        done_long_ago,
    ]


def test_milestone_list_says_the_steps_still_to_do_come_first(staff_client, kaltim, today):
    """The list of steps opens on those still to do, which have no done date; its line of
    order said "tanggal terlaksana (terbaru dulu)", as if it began with the step done last. It
    says the steps not yet done come first. A sort chosen by a header puts the steps with no
    date last, on every database, and says so."""
    MilestoneFactory(agreement=AgreementFactory(lead_region=kaltim), due_on=today)
    url = reverse("admin:agreements_milestone_changelist")

    def order_said(params):
        page = collapse_space(staff_client.get(url, params).text)
        return re.findall(r'<p class="sort-order">(.*?)</p>', page)

    assert order_said({}) == [
        "Diurutkan menurut tanggal terlaksana (yang belum terlaksana dulu, lalu terbaru dulu), "
        "lalu target tanggal (terlama dulu, lalu yang kosong)."
    ]
    assert order_said({"o": "-5"}) == [
        "Diurutkan menurut tanggal terlaksana (terbaru dulu, lalu yang belum terlaksana)."
    ]


def test_milestone_list_filters_whom_a_step_waits_on_as_its_pages_say_it(
    staff_client, kaltim, today
):
    """A TKKSD review naming nobody waits on the TKKSD on the status page and the dashboard:
    the milestone list says so and lists it under "TKKSD" (Django's filter of the field left it
    out, its column read "-"); "Belum ditentukan" lists the steps naming nobody of no stage a
    body decides. A step done waits on nobody, as its pages say nothing of it: the demo's
    "Belum ditentukan" listed 1,067 steps done among 1,070, and "TKKSD" every review long held."""
    agreement = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    review = MilestoneFactory(agreement=agreement, kind="tkksd", due_on=today, waits_on="")
    named = MilestoneFactory(agreement=agreement, kind="other", due_on=today, waits_on="tkksd")
    handed = MilestoneFactory(agreement=agreement, kind="tkksd", due_on=today, waits_on="bureau")
    visit = MilestoneFactory(agreement=agreement, kind="exploration", due_on=today, waits_on="")
    held = MilestoneFactory(agreement=agreement, kind="tkksd", done_on=today, waits_on="")
    visited = MilestoneFactory(agreement=agreement, kind="exploration", done_on=today, waits_on="")
    url = reverse("admin:agreements_milestone_changelist")

    response = staff_client.get(url, {"waits_on": "tkksd"})
    assert listed(response) == {review, named}
    page = collapse_space(response.text)
    assert page.count('<td class="field-waited_on">TKKSD</td>') == 2
    assert listed(staff_client.get(url, {"waits_on": "bureau"})) == {handed}
    assert listed(staff_client.get(url, {"waits_on": "none"})) == {visit}
    assert '<a href="?waits_on=none">Belum ditentukan</a>' in page
    everything = collapse_space(staff_client.get(url).text)
    assert everything.count('<td class="field-waited_on">TKKSD</td>') == 2
    assert {held, visited} <= listed(staff_client.get(url))


def test_milestone_list_waits_on_nobody_for_a_step_no_one_has_to_take_any_more(
    staff_client, kaltim, today
):
    """The evaluation of an MoU that expired before it was held is "Tidak tercatat
    terlaksana" on its status page, with no one waited on, and a visit left open on a text
    signed since is "Tidak lagi diperlukan": the list of steps said "Biro/Bagian Kerja Sama"
    and "Mitra" beside them and listed them under those parties, as if the bureau still owed
    an evaluation of a cooperation over for a year."""
    expired = AgreementFactory(
        lead_region=kaltim,
        signed_on=today - datetime.timedelta(days=5 * 365),
        expires_on=today - datetime.timedelta(days=30),
    )
    missed = MilestoneFactory(
        agreement=expired,
        kind="evaluation",
        due_on=today - datetime.timedelta(days=60),
        waits_on="bureau",
    )
    signed = AgreementFactory(lead_region=kaltim)
    left_open = MilestoneFactory(
        agreement=signed, kind="exploration", due_on=signed.signed_on, waits_on="partner"
    )
    still_to_do = MilestoneFactory(
        agreement=signed, kind="evaluation", due_on=today, waits_on="bureau"
    )
    url = reverse("admin:agreements_milestone_changelist")

    assert listed(staff_client.get(url, {"waits_on": "bureau"})) == {still_to_do}
    assert listed(staff_client.get(url, {"waits_on": "partner"})) == set()
    assert listed(staff_client.get(url, {"waits_on": "none"})) == set()
    page = collapse_space(staff_client.get(url).text)
    assert page.count('<td class="field-waited_on">Biro/Bagian Kerja Sama</td>') == 1
    assert '<td class="field-waited_on">Mitra</td>' not in page
    assert {missed, left_open, still_to_do} <= listed(staff_client.get(url))
    timeline = collapse_space(staff_client.get(expired.get_absolute_url()).text)
    assert "Tidak tercatat terlaksana" in timeline
    assert "Menunggu: Biro/Bagian Kerja Sama" not in timeline


def test_region_list_filters_a_province_with_its_regencies_and_cities(
    staff_client, kaltim, samarinda, bali
):
    url = reverse("admin:partners_region_changelist")
    assert listed(staff_client.get(url, {"province": "64"})) == {kaltim, samarinda}
    assert listed(staff_client.get(url, {"level": "city"})) == {samarinda}


def test_partner_autocomplete_finds_a_partner_by_name(staff_client, anhui, osaka):
    response = staff_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "partners",
            "term": "anhui",
        },
    )
    assert [result["id"] for result in response.json()["results"]] == [str(anhui.pk)]


def renamed_anhui_form(anhui, former_names):
    return {
        "name": anhui.name,
        "name_local": anhui.name_local,
        "former_names": former_names,
        "kind": anhui.kind,
        "country": "CN",
        "subdivision": "CN-AH",
        "parent": "",
        "website": "",
    }


def test_former_names_are_entered_in_the_partner_form_one_a_line_and_kept_in_its_history(
    staff_client, anhui
):
    url = reverse("admin:partners_partner_change", args=[anhui.pk])
    form = staff_client.get(url).content.decode()
    assert '<label for="id_former_names">Nama terdahulu:</label>' in form
    assert '<textarea name="former_names" cols="60" rows="3"' in form

    # Typed with a spreadsheet's line ends, spaces around, a blank line and a repeat.
    typed = " Anhwei \r\n\r\nProvinsi  Anhwei\r\nanhwei\r\nPemerintah Provinsi Anhui"
    response = staff_client.post(url, renamed_anhui_form(anhui, typed))

    assert response.status_code == 302, form_errors(response)
    anhui.refresh_from_db()
    assert anhui.former_names == "Anhwei\nProvinsi Anhwei"
    assert anhui.former_name_list == ["Anhwei", "Provinsi Anhwei"]
    latest, before = anhui.history.all()[:2]
    assert (before.former_names, latest.former_names) == ("", "Anhwei\nProvinsi Anhwei")
    history = collapse_space(
        staff_client.get(reverse("admin:partners_partner_history", args=[anhui.pk])).text
    )
    assert "Nama terdahulu" in history and "Provinsi Anhwei" in history


def test_former_names_too_many_for_the_sheets_one_cell_are_refused_in_the_partner_form(
    staff_client, anhui
):
    # 4,500 names of six characters: 31,499 characters one a line, within a cell's 32,767,
    # but the partners sheet writes them "a\\;0000; a\\;0001; …": 40,498, which no
    # spreadsheet cell holds, so the downloaded sheet would open cut and come back cut.
    typed = "\n".join(f"a;{number:04d}" for number in range(4500))
    assert len(typed) < 32_767
    url = reverse("admin:partners_partner_change", args=[anhui.pk])

    response = staff_client.post(url, renamed_anhui_form(anhui, typed))

    assert response.status_code == 200
    assert form_errors(response) == [
        "Nama terdahulu ini terlalu panjang untuk satu sel spreadsheet: lembar mitra menulisnya "
        "dalam satu sel, dipisahkan “; ”, menjadi 40.498 karakter, paling banyak 32.767. "
        "Kurangi nama terdahulunya."
    ]
    anhui.refresh_from_db()
    assert anhui.former_names == ""


def test_a_partner_is_found_in_the_admin_by_a_name_it_was_known_by_before(
    staff_client, anhui, osaka
):
    anhui.former_names = "Anhwei"
    anhui.save()

    assert autocomplete(staff_client, "partners", "anhwei") == [str(anhui)]
    listed_partners = staff_client.get(
        reverse("admin:partners_partner_changelist"), {"q": "Anhwei"}
    )
    assert set(listed_partners.context["cl"].result_list) == {anhui}
    assert "nama terdahulunya" in listed_partners.content.decode()


def autocomplete(client, field, term, model_name="agreement", app_label="agreements"):
    """The names an admin autocomplete offers for ``term``, in the order it offers them."""
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.fixture
def partners_of_three_countries(db):
    germany = CountryFactory(code="DE", alpha3="DEU", name_id="Jerman", name_en="Germany")
    bangladesh = CountryFactory(code="BD", alpha3="BGD", name_id="Bangladesh", name_en="Bangladesh")
    denmark = CountryFactory(code="DK", alpha3="DNK", name_id="Denmark", name_en="Denmark")
    return {
        "dhaka": PartnerFactory(name="Dhaka North City Corporation", country=bangladesh),
        "bayern": PartnerFactory(
            name="Freistaat Bayern", name_local="Bayern", country=germany, kind="foreign_region"
        ),
        "aarhus": PartnerFactory(name="Aarhus Kommune", country=denmark),
        "delft": PartnerFactory(
            name="Delft University of Technology",
            country=CountryFactory(
                code="NL", alpha3="NLD", name_id="Belanda", name_en="Netherlands"
            ),
        ),
    }


def test_country_autocomplete_offers_the_country_with_that_code_before_names_containing_it(
    staff_client, partners_of_three_countries
):
    offered = autocomplete(
        staff_client, "country", "DE", model_name="partner", app_label="partners"
    )
    # Germany by its code, then Denmark whose name starts with "De", then Bangladesh ("…desh").
    assert offered[:3] == ["Jerman", "Denmark", "Bangladesh"]


def test_partner_autocomplete_offers_partners_of_the_country_typed_by_code_first(
    staff_client, partners_of_three_countries
):
    offered = autocomplete(staff_client, "partners", "DE")
    assert offered == [
        "Freistaat Bayern (DE)",  # in the country whose code is DE
        "Aarhus Kommune (DK)",  # in Denmark, whose name starts with "De"
        "Delft University of Technology (NL)",  # a name that starts with "De"
        "Dhaka North City Corporation (BD)",  # "De" only inside the name of its country
    ]


def test_partner_autocomplete_finds_partners_by_the_indonesian_name_of_their_country(
    staff_client, partners_of_three_countries
):
    assert autocomplete(staff_client, "partners", "Jerman") == ["Freistaat Bayern (DE)"]


def test_partner_autocomplete_ranks_a_name_in_its_own_script_like_any_name(
    staff_client, anhui, osaka
):
    assert autocomplete(staff_client, "partners", "安徽") == ["Pemerintah Provinsi Anhui (CN)"]


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("Ho Chi Minh", ["Hồ Chí Minh (VN-SG)"]),
        ("da nang", ["Đà Nẵng (VN-DN)"]),
        ("Hồ Chí Minh", ["Hồ Chí Minh (VN-SG)"]),
        ("Zurich", ["Zürich (CH-ZH)"]),
    ],
)
def test_subdivision_autocomplete_finds_a_name_typed_without_its_accents(
    staff_client, typed, offered
):
    """A clerk adding the city of Ho Chi Minh as a partner types its province as the newspaper
    spells it; ISO spells it Hồ Chí Minh, and the autocomplete found nothing."""
    vietnam = CountryFactory(code="VN", alpha3="VNM", name_id="Vietnam", name_en="Viet Nam")
    swiss = CountryFactory(code="CH", alpha3="CHE", name_id="Swiss", name_en="Switzerland")
    SubdivisionFactory(code="VN-SG", name="Hồ Chí Minh", country=vietnam)
    SubdivisionFactory(code="VN-DN", name="Đà Nẵng", country=vietnam)
    SubdivisionFactory(code="CH-ZH", name="Zürich", country=swiss)
    assert (
        autocomplete(staff_client, "subdivision", typed, model_name="partner", app_label="partners")
        == offered
    )


def subdivisions_offered(client, country, term=""):
    """The codes of the subdivisions a partner's form offers for ``term`` beside ``country``
    (sent as its form's script sends it, ``static/js/admin-autocomplete-forward.js``)."""
    asked = {
        "app_label": "partners",
        "model_name": "partner",
        "field_name": "subdivision",
        "term": term,
    }
    if country is not None:
        asked["country"] = country
    response = client.get("/admin/autocomplete/", asked)
    assert response.status_code == 200
    return [result["id"] for result in response.json()["results"]]


def test_a_partners_subdivision_is_offered_among_those_of_the_country_chosen(staff_client):
    """The subdivision's autocomplete offered every country's, Anhui beside Osaka for a
    partner in Japan, which the form then refused. With a country chosen beside it, it offers
    that country's; with none, every one's. The form's box carries the country into its
    searches."""
    china = CountryFactory(code="CN")
    japan = CountryFactory(code="JP")
    SubdivisionFactory(code="CN-AH", name="Anhui Sheng", country=china)
    SubdivisionFactory(code="CN-SH", name="Shanghai Shi", country=china)
    SubdivisionFactory(code="JP-27", name="Osaka", country=japan)

    assert subdivisions_offered(staff_client, "JP") == ["JP-27"]
    assert subdivisions_offered(staff_client, "CN") == ["CN-AH", "CN-SH"]
    assert subdivisions_offered(staff_client, "CN", "osaka") == []
    assert subdivisions_offered(staff_client, "JP", "osaka") == ["JP-27"]
    assert subdivisions_offered(staff_client, None) == ["CN-AH", "CN-SH", "JP-27"]
    assert subdivisions_offered(staff_client, "") == ["CN-AH", "CN-SH", "JP-27"]
    assert subdivisions_offered(staff_client, "ZZ") == []

    form = staff_client.get(reverse("admin:partners_partner_add")).content.decode()
    (box,) = re.findall(r'<select[^>]*name="subdivision"[^>]*>', form)
    assert 'data-forward="country"' in box
    scripts = re.findall(r'<script src="([^"]+)"', form)
    assert scripts.index("/static/js/admin-autocomplete-forward.js") > scripts.index(
        "/static/admin/js/autocomplete.js"
    )


def test_a_country_given_twice_to_the_subdivisions_autocomplete_is_refused(staff_client):
    response = staff_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "partners",
            "model_name": "partner",
            "field_name": "subdivision",
            "term": "",
            "country": ["CN", "JP"],
        },
    )
    assert response.status_code == 400


def test_the_partner_form_refuses_a_subdivision_of_another_country(staff_client):
    """Chosen before the country was changed, or typed into the address: Anhui is not in
    Japan. Said at the subdivision, nothing saved."""
    china = CountryFactory(code="CN")
    CountryFactory(code="JP")
    SubdivisionFactory(code="CN-AH", name="Anhui Sheng", country=china)

    response = staff_client.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Prefektur Osaka",
            "name_local": "",
            "former_names": "",
            "kind": "foreign_region",
            "country": "JP",
            "subdivision": "CN-AH",
            "parent": "",
            "website": "",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["subdivision"] == ["Subdivisi CN-AH tidak berada di negara mitra."]
    assert "Subdivisi CN-AH tidak berada di negara mitra." in response.content.decode()
    assert not Partner.objects.filter(name="Prefektur Osaka").exists()


def test_partner_autocomplete_finds_a_name_typed_without_its_accents(staff_client):
    """The partner's own name is kept in its script, Thành phố Hồ Chí Minh, and its German
    name für: typed on a keyboard without accents, neither was found."""
    vietnam = CountryFactory(code="VN", alpha3="VNM", name_id="Vietnam", name_en="Viet Nam")
    germany = CountryFactory(code="DE", alpha3="DEU", name_id="Jerman", name_en="Germany")
    PartnerFactory(
        name="Komite Rakyat Kota Ho Chi Minh",
        name_local="Ủy ban nhân dân Thành phố Hồ Chí Minh",
        country=vietnam,
    )
    PartnerFactory(name="Deutsche Gesellschaft für Internationale Zusammenarbeit", country=germany)
    assert autocomplete(staff_client, "partners", "Thanh pho Ho Chi Minh") == [
        "Komite Rakyat Kota Ho Chi Minh (VN)"
    ]
    assert autocomplete(staff_client, "partners", "Gesellschaft fur") == [
        "Deutsche Gesellschaft für Internationale Zusammenarbeit (DE)"
    ]


def test_region_autocomplete_offers_the_exact_code_first(staff_client, kaltim, samarinda):
    offered = autocomplete(staff_client, "lead_region", "64")
    assert offered[0] == kaltim.name


def test_import_page_links_to_the_data_dictionary_which_lists_the_columns(staff_client, client):
    page = staff_client.get(reverse("admin:agreements_agreement_import")).content.decode()
    dictionary_url = reverse("data-dictionary")
    assert f'href="{dictionary_url}"' in page
    dictionary = client.get(dictionary_url)
    assert dictionary.status_code == 200
    text = dictionary.content.decode()
    assert "<h1>Kamus data ekspor dan impor</h1>" in text
    assert '<tr id="agreements-lead_region_code"><td><code>lead_region_code</code></td>' in text


@pytest.mark.parametrize("page", ["changelist", "add"])
def test_every_admin_page_names_its_icon_so_browsers_ask_for_no_missing_favicon(staff_client, page):
    html = staff_client.get(reverse(f"admin:agreements_agreement_{page}")).content.decode()
    assert '<link rel="icon" href="data:,">' in html


def test_a_second_unnumbered_agreement_of_the_same_title_and_lead_is_refused(staff_client, kaltim):
    """A file names an agreement by its reference, else by its title and lead region: a second
    one without a reference under the same two would make the register's own download
    impossible to import again. Either a reference or another title tells them apart."""
    assert staff_client.post(ADD, agreement_form(kaltim)).status_code == 302

    response = staff_client.post(ADD, agreement_form(kaltim))
    assert response.status_code == 200
    assert "Kerja sama lain tanpa nomor naskah sudah berjudul" in response.content.decode()
    assert Agreement.objects.count() == 1

    assert staff_client.post(ADD, agreement_form(kaltim, reference="KT/2/2024")).status_code == 302
    first = Agreement.objects.get(reference="")
    # Saving the first again, as it is, is no second one.
    assert (
        staff_client.post(
            reverse("admin:agreements_agreement_change", args=[first.pk]),
            agreement_form(kaltim, loaded_version=first.version),
        ).status_code
        == 302
    )


def test_a_second_entry_of_a_stored_agreement_links_to_it_and_says_to_change_it_there(
    staff_client, kaltim
):
    """Saved, then sent again (the back button, a second tab): the form is refused, and what
    it says must not lead to a second copy. It links the agreement already stored and says,
    if it is this one, to change it there, before telling how to keep two apart."""
    assert staff_client.post(ADD, agreement_form(kaltim)).status_code == 302
    stored = Agreement.objects.get()

    response = staff_client.post(ADD, agreement_form(kaltim))

    assert response.status_code == 200
    (message,) = response.context["adminform"].form.errors["reference"]
    assert f'<a href="{change_url(stored)}">' in message
    assert "ubah di sana dan jangan simpan formulir ini" in message
    assert message in response.text
    assert Agreement.objects.count() == 1


def test_an_mou_and_its_amendment_ticked_together_are_deleted_together(admin_client, kaltim):
    """The bulk delete takes a text with what follows it when both are ticked; an MoU ticked
    alone is still kept, its amendment named as what stands in the way."""
    mou = AgreementFactory(title="MoU Kaltim–Daejeon", lead_region=kaltim, kind="mou")
    amendment = AgreementFactory(
        title="Adendum MoU Kaltim–Daejeon",
        lead_region=kaltim,
        kind="amendment",
        follows=mou,
        relation="amends",
    )
    changelist = reverse("admin:agreements_agreement_changelist")

    alone = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [mou.pk], "post": "yes"}
    )
    assert alone.status_code == 200
    assert "Adendum MoU Kaltim–Daejeon" in alone.content.decode()
    assert Agreement.objects.filter(pk=mou.pk).exists()

    both = {"action": "delete_selected", "_selected_action": [mou.pk, amendment.pk]}
    confirm = admin_client.post(changelist, both)
    assert confirm.status_code == 200
    assert "protected" not in confirm.context or not confirm.context["protected"]
    done = admin_client.post(changelist, {**both, "post": "yes"})
    assert done.status_code == 302
    assert not Agreement.objects.filter(pk__in=[mou.pk, amendment.pk]).exists()


def page_text(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_delete_page_names_the_links_to_parties_and_sectors_by_what_they_link(
    staff_client, kaltim, samarinda, anhui
):
    """Deleting an agreement deletes its links to its party regions, partners, sectors and
    agencies (the rows of its many-to-many fields), not those records: Django listed them as
    "Hubungan agreement-region: Agreement_regions object (164)", words no clerk reads. They are
    named by what they link, which stays; deleting a partner, by the agreement."""
    sector = SectorFactory(name_id="Pariwisata")
    agreement = AgreementFactory(
        title="Kota kembar Samarinda–Wuhu",
        lead_region=samarinda,
        regions=[kaltim],
        partners=[anhui],
        sectors=[sector],
    )

    page = page_text(
        staff_client.get(reverse("admin:agreements_agreement_delete", args=[agreement.pk]))
    )
    assert "object (" not in page and "Hubungan" not in page
    assert "Keterkaitan dengan daerah pihak: Kota Samarinda" in page
    assert "Keterkaitan dengan daerah pihak: Kalimantan Timur" in page
    assert "Keterkaitan dengan mitra: Pemerintah Provinsi Anhui (CN)" in page
    assert "Keterkaitan dengan bidang: Pariwisata" in page
    # The summary counts them in the same words.
    assert "Keterkaitan dengan daerah pihak: 2" in page

    partner = reverse("admin:partners_partner_delete", args=[anhui.pk])
    page = page_text(staff_client.get(partner))
    assert "Keterkaitan dengan kerja sama: Kota kembar Samarinda–Wuhu" in page
    assert "object (" not in page


def test_an_loi_its_mou_follows_is_kept_saying_what_to_do_not_to_delete_the_mou(
    staff_client, kaltim
):
    """Deleting an LoI an MoU carries on: Django said deleting it "requires deleting" the MoU, an
    instruction a clerk might follow. The page says the MoU records it under "Kelanjutan dari",
    that the MoU itself need not be deleted, and leads back; the bulk delete says so too."""
    loi = AgreementFactory(title="LoI Kaltim–Hefei", lead_region=kaltim, kind="loi")
    mou = AgreementFactory(
        title="MoU Kaltim–Hefei", lead_region=kaltim, kind="mou", follows=loi, relation="implements"
    )
    page = staff_client.get(reverse("admin:agreements_agreement_delete", args=[loi.pk]))
    assert page.status_code == 200
    text = page_text(page)
    assert (
        "Kerja sama “LoI Kaltim–Hefei” tidak dapat dihapus: naskah berikut tercatat sebagai "
        "kelanjutannya (isian “Kelanjutan dari”)." in text
    )
    assert "naskah itu sendiri tidak perlu dihapus" in text
    assert "memerlukan penghapusan" not in text
    assert "MoU Kaltim–Hefei" in text
    html = page.content.decode()
    assert f'href="{reverse("admin:agreements_agreement_change", args=[loi.pk])}"' in html

    changelist = reverse("admin:agreements_agreement_changelist")
    bulk = staff_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [loi.pk], "post": "yes"}
    )
    assert bulk.status_code == 200
    text = page_text(bulk)
    assert "Kerja sama terpilih tidak dapat dihapus" in text
    assert "memerlukan penghapusan" not in text
    assert f'href="{changelist}"' in bulk.content.decode()
    assert Agreement.objects.filter(pk__in=[loi.pk, mou.pk]).count() == 2


def test_a_new_stage_set_aside_in_the_agreements_table_is_recorded_on_its_page_with_its_reason(
    staff_client, kaltim
):
    """DPRD approval "not required", typed as a new row of the agreement's table, which has no
    room for the reason: the row links to the step's own page holding what was typed, and saved
    there with the reason it leads back to the agreement. The stage is never saved as taken on
    the way (the history and the status page would tell it so)."""
    agreement = AgreementFactory(lead_region=kaltim, title="Kesepakatan Bersama Kaltim–Kaltara")
    table = change_form_data(staff_client.get(change_url(agreement)))
    row = int(table["milestones-TOTAL_FORMS"])
    table["milestones-TOTAL_FORMS"] = str(row + 1)
    typed = {"kind": "dprd", "title": "Persetujuan DPRD", "done_on": "01/12/2023"}
    for name, value in {**typed, "mark": "not_required"}.items():
        table[f"milestones-{row}-{name}"] = value

    refused = staff_client.post(change_url(agreement), table)

    assert refused.status_code == 200
    assert not Milestone.objects.exists()
    assert "simpan dulu baris ini" not in refused.text
    # Not "write it in the notes": the table has no notes; the row says where they are.
    assert "Tulis alasannya pada catatan" not in refused.text
    link = re.search(r'halaman tahapan itu sendiri: <a href="([^"]+)">catat tahapan', refused.text)
    assert link, "the row's message links to the step's own page"
    page = link.group(1).replace("&amp;", "&")
    opened = staff_client.get(page)
    form = opened.context["adminform"].form
    assert {name: form[name].value() for name in typed} == typed
    assert form["mark"].value() == "not_required"
    assert str(form["agreement"].value()) == str(agreement.pk)

    data = dict(change_form_data(opened), notes="Tidak membebani APBD.", _save="1")
    saved = staff_client.post(page, data)

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert saved["Location"] == change_url(agreement)
    step = Milestone.objects.get()
    assert (step.mark, step.notes, step.history.count()) == ("not_required", data["notes"], 1)


def test_a_stored_stage_set_aside_in_the_agreements_table_links_to_its_page_unsaved(
    staff_client, kaltim
):
    """A planned DPRD approval marked "not required" in the table, without the reason the
    table has no room for: the row links to the step's page (which leads back), and nothing
    of it is saved meanwhile, where "save it first as done or planned" would have told the
    stage as taken."""
    agreement = AgreementFactory(lead_region=kaltim, title="Kesepakatan Bersama Kaltim–Kaltara")
    step = MilestoneFactory(
        agreement=agreement,
        kind="dprd",
        title="Persetujuan DPRD",
        due_on=datetime.date(2023, 12, 1),
    )
    table = change_form_data(staff_client.get(change_url(agreement)))
    [row] = [
        key.removesuffix("-id")
        for key, value in table.items()
        if key.startswith("milestones-") and key.endswith("-id") and value == str(step.pk)
    ]
    table.update({f"{row}-done_on": "01/12/2023", f"{row}-mark": "not_required"})

    refused = staff_client.post(change_url(agreement), table)

    assert refused.status_code == 200
    page = reverse("admin:agreements_milestone_change", args=[step.pk])
    assert f'halaman tahapan itu sendiri: <a href="{page}?_from_agreement=1">buka' in refused.text
    assert "simpan dulu baris ini" not in refused.text
    assert "Tulis alasannya pada catatan" not in refused.text
    step.refresh_from_db()
    assert (step.done_on, step.mark, step.history.count()) == (None, "", 1)


def test_a_stage_set_aside_on_an_agreement_not_saved_yet_asks_to_save_the_agreement_first(
    staff_client, kaltim
):
    response = staff_client.get(reverse("admin:agreements_agreement_add"))
    data = change_form_data(response)
    data.update(
        agreement_form_data(AgreementFactory.build(lead_region=kaltim, title="MoU baru")),
    )
    data.update(
        {
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-kind": "dprd",
            "milestones-0-title": "Persetujuan DPRD",
            "milestones-0-done_on": "01/12/2023",
            "milestones-0-mark": "not_required",
        }
    )

    refused = staff_client.post(reverse("admin:agreements_agreement_add"), data)

    assert refused.status_code == 200
    assert "hapus baris ini dan simpan dulu kerja sama ini" in refused.text
    assert "Tulis alasannya pada catatan" not in refused.text
    assert not Agreement.objects.filter(title="MoU baru").exists()


def test_a_step_opened_from_its_agreements_table_links_back_and_returns_there_once_saved(
    staff_client, kaltim, django_assert_max_num_queries
):
    """A step's own page (its evaluation and notes, the pencil of its row in the agreement's
    table) names the agreement it is part of, linked. Opened from the agreement's form, it goes
    back there once saved, where the clerk was working; opened from the list of every step, to
    that list, as before. The agreement's title costs the page one query."""
    agreement = AgreementFactory(lead_region=kaltim, title="Nota kesepahaman Kaltim–Hainan")
    step = MilestoneFactory(
        agreement=agreement,
        kind="activity",
        title="Pelatihan pemandu wisata",
        due_on=datetime.date(2027, 1, 15),
        done_on=None,
    )
    page = reverse("admin:agreements_milestone_change", args=[step.pk])
    back = change_url(agreement)

    with django_assert_max_num_queries(7):
        response = staff_client.get(page)
    assert f'<a href="{back}">Nota kesepahaman Kaltim–Hainan</a>' in response.text
    assert "_from_agreement" not in response.text
    data = dict(change_form_data(response), notes="Dijadwalkan pada rapat Januari.", _save="1")
    saved = staff_client.post(page, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert saved["Location"] == reverse("admin:agreements_milestone_changelist")

    with django_assert_max_num_queries(7):
        response = staff_client.get(page, HTTP_REFERER=f"http://testserver{back}")
    assert 'action="?_from_agreement=1"' in response.text
    data = dict(change_form_data(response), notes="Dibahas pada rapat Januari.", _save="1")
    assert staff_client.post(f"{page}?_from_agreement=1", data)["Location"] == back
    assert Milestone.objects.get().notes == "Dibahas pada rapat Januari."
    # Refused, the form posts to the same address: once mended, still back to the agreement.
    refused = dict(data, rating="9")
    response = staff_client.post(f"{page}?_from_agreement=1", refused)
    assert response.status_code == 200
    assert 'action="?_from_agreement=1"' in response.text


@pytest.mark.parametrize("row", ["milestone", "document"])
def test_a_row_opened_from_its_agreements_table_returns_there_once_deleted(
    staff_client, kaltim, row
):
    """A step or a document opened from its agreement's form (the pencil of its row) and deleted
    from its own page ("Hapus", then "Ya, saya yakin") left the clerk on the list of every step
    or document, away from the agreement they were working on. It goes back to the agreement's
    form, as saving does; opened from the list, it still goes back to the list."""
    agreement = AgreementFactory(lead_region=kaltim, title="Nota kesepahaman Kaltim–Hainan")
    factory = MilestoneFactory if row == "milestone" else DocumentFactory
    back = change_url(agreement)
    changelist = reverse(f"admin:agreements_{row}_changelist")

    first = factory(agreement=agreement)
    page = reverse(f"admin:agreements_{row}_change", args=[first.pk])
    response = staff_client.get(page, HTTP_REFERER=f"http://testserver{back}")
    (delete,) = re.findall(r'<a href="([^"]*)" class="deletelink"', response.text)
    assert dict(parse_qsl(urlsplit(delete.replace("&amp;", "&")).query)) == {"_from_agreement": "1"}
    # The breadcrumbs' list of every row is the list as it was, no mark in its address.
    assert f'<a href="{changelist}">' in response.text
    assert staff_client.get(delete).status_code == 200
    deleted = staff_client.post(delete.replace("&amp;", "&"), {"post": "yes"})
    assert deleted.status_code == 302
    assert deleted["Location"] == back
    assert not type(first).objects.filter(pk=first.pk).exists()
    assert "berhasil dihapus" in staff_client.get(back).text

    second = factory(agreement=agreement)
    page = reverse(f"admin:agreements_{row}_change", args=[second.pk])
    response = staff_client.get(page)
    (delete,) = re.findall(r'<a href="([^"]*)" class="deletelink"', response.text)
    assert "_from_agreement" not in delete
    deleted = staff_client.post(delete, {"post": "yes"})
    assert deleted["Location"] == changelist


def test_a_step_saved_as_it_was_opened_adds_no_empty_entry_to_its_agreements_history(
    staff_client, kaltim
):
    """A step's page saved without a change (opened to read its notes, "Simpan" to go back)
    wrote a version of its agreement and of the step: the agreement's history listed a change
    by that clerk with nothing changed. It writes nothing; a real change is still told."""
    agreement = AgreementFactory(lead_region=kaltim)
    step = MilestoneFactory(
        agreement=agreement,
        kind="activity",
        title="Pameran bersama",
        due_on=datetime.date(2027, 5, 1),
        done_on=None,
    )
    page = reverse("admin:agreements_milestone_change", args=[step.pk])
    history = reverse("admin:agreements_agreement_history", args=[agreement.pk])

    def versions_listed():
        return re.search(r"(\d+) versi", staff_client.get(history).text).group(1)

    listed = versions_listed()
    versions = agreement.history.count(), step.history.count()

    data = dict(change_form_data(staff_client.get(page)), _save="1")
    assert staff_client.post(page, data).status_code == 302
    assert (agreement.history.count(), step.history.count()) == versions
    assert versions_listed() == listed

    data["notes"] = "Diikuti 12 UMKM."
    assert staff_client.post(page, data).status_code == 302
    assert int(versions_listed()) == int(listed) + 1


def test_the_milestone_kind_says_where_the_foreign_ministry_consultation_is_recorded(
    staff_client, kaltim
):
    """No stage is named after the consultation of the draft with the Foreign Ministry: recorded
    as "Verifikasi Kementerian Dalam Negeri" waiting on the Foreign Ministry, the status page
    put the Home Ministry's verification as passed. The kind's help, in the milestone table
    and on a step's page, names the stage it is."""
    help_text = (
        "Konsultasi rancangan naskah dengan Kementerian Luar Negeri dicatat sebagai “Penyusunan "
        "naskah” (menunggu Kementerian Luar Negeri)"
    )
    for page in (ADD, reverse("admin:agreements_milestone_add")):
        assert escape(help_text) in staff_client.get(page).text


class _FormReader(HTMLParser):
    """What a browser posts of a page's form ``id``: its inputs, selects and text areas, as
    they stand (checkboxes and radios when checked, a select's selected options)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.select, self.textarea = form_id, False, None, None
        self.data = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag in ("input", "select", "textarea"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select":
            self.select = attrs["name"]
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def posted_as_shown(response, form_id):
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return {name: values for name, values in reader.data.items() if values}


def test_a_saved_row_of_any_inline_posted_as_a_row_to_add_is_refused_not_copied(
    staff_client, kaltim, editor_kaltim
):
    """What the agreement form's rows do (``OwnRowsFormSet``), every inline does: a saved row
    posted back as one to add (``…-INITIAL_FORMS`` lowered by hand) is not saved again beside
    itself. The survey's potentials and a user's regions were copied."""
    survey = PotentialSurvey.objects.create(
        title="Identifikasi potensi 2025", held_on=datetime.date(2025, 5, 2), host_region=kaltim
    )
    Potential.objects.create(
        survey=survey, region=kaltim, sector=SectorFactory(), title="Rumput laut"
    )
    for record, prefix, rows in [
        (survey, "potentials", survey.potentials),
        (editor_kaltim, "region_assignments", editor_kaltim.region_assignments),
    ]:
        form_id = f"{record._meta.model_name}_form"
        data = posted_as_shown(staff_client.get(admin_change_url(record)), form_id)
        data[f"{prefix}-INITIAL_FORMS"] = ["0"]

        response = staff_client.post(admin_change_url(record), data)

        assert response.status_code == 200, prefix
        assert (
            "Baris ini tidak ditemukan di antara baris yang tersimpan" in response.content.decode()
        )
        assert rows.count() == 1, prefix


def test_every_inline_of_the_admin_changes_its_own_records_rows_only():
    """Each inline of every admin page is an ``OwnRowsFormSet``, as the one above: a new inline
    left with Django's own formset would copy a saved row posted as one to add."""
    from common.admin import OwnRowsFormSet

    inlines = {
        inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }
    assert inlines
    assert {
        inline.__name__ for inline in inlines if not issubclass(inline.formset, OwnRowsFormSet)
    } == set()


def test_a_form_declaring_thousands_of_rows_of_any_inline_is_refused_with_a_message(
    staff_client, kaltim, editor_kaltim
):
    """What the agreement form's rows do (``BoundedInline``), every inline does: a forged post
    declaring thousands of rows (``…-TOTAL_FORMS``) is refused at the table with Django's
    "submit at most" message, builds no more rows than the table holds, and writes nothing.
    The survey's potentials and a user's regions built 2,000 rows each, the survey's with an
    autocomplete each; a user's work settings, one row at most, were posted as two."""
    from common.admin import INLINE_MAX_ROWS

    survey = PotentialSurvey.objects.create(
        title="Identifikasi potensi 2025", held_on=datetime.date(2025, 5, 2), host_region=kaltim
    )
    for record, prefix, total, most in [
        (survey, "potentials", 2000, INLINE_MAX_ROWS),
        (editor_kaltim, "region_assignments", 2000, INLINE_MAX_ROWS),
        (editor_kaltim, "work_setting", 2, 1),
    ]:
        form_id = f"{record._meta.model_name}_form"
        data = posted_as_shown(staff_client.get(admin_change_url(record)), form_id)
        field = "title" if record is survey else "first_name"
        data[field] = ["Diubah lewat baris palsu"]
        data[f"{prefix}-TOTAL_FORMS"] = [str(total)]
        if prefix == "work_setting":
            for n in range(total):
                data[f"{prefix}-{n}-time_zone"] = ["Asia/Makassar"]

        response = staff_client.post(admin_change_url(record), data)

        assert response.status_code == 200, prefix
        [formset] = [
            inline.formset
            for inline in response.context["inline_admin_formsets"]
            if inline.formset.prefix == prefix
        ]
        assert len(formset.forms) <= INLINE_MAX_ROWS, prefix
        assert f"Harap ajukan paling banyak {most} formulir." in response.content.decode(), prefix
        record.refresh_from_db()
        assert getattr(record, field) != "Diubah lewat baris palsu", prefix
    assert not survey.potentials.exists()
    assert not editor_kaltim.region_assignments.exclude(region=kaltim).exists()


def test_every_inline_of_the_admin_holds_a_bounded_number_of_rows():
    """Each inline of every admin page is a ``BoundedInline``, as the ones above: a new inline
    left with Django's bound would build 1,000 rows more than it shows for a forged post."""
    from common.admin import BoundedInline

    inlines = {
        inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }
    assert inlines
    assert {inline.__name__ for inline in inlines if not issubclass(inline, BoundedInline)} == set()


@pytest.mark.parametrize(
    "model",
    sorted(f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry),
)
def test_every_sort_a_lists_column_headers_offer_is_shown(admin_client, one_of_each, model):
    """Each column header's link sorts the list, on every list of the admin: the roles' list
    (a column of the rows' own names, ``__str__``) offered a sort by it that it then refused
    (400)."""
    Group.objects.create(name="Editor")
    changelist = reverse(f"admin:{model}_changelist")
    page = admin_client.get(changelist).content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")] if "<thead>" in page else ""
    sorts = sorted(set(re.findall(r'href="(\?o=[^"]*)"', head)))

    for sort in sorts:
        assert admin_client.get(changelist + sort.replace("&amp;", "&")).status_code == 200, sort
    if model == "auth_group":
        assert 'class="sortable column-__str__"' not in page


def test_a_list_goes_back_to_a_page_it_still_has_after_its_last_pages_rows_are_deleted(
    staff_client, kaltim, monkeypatch
):
    """A clerk on the last page deletes its rows (the bulk action, or the change form opened
    from it): the list went back to that page, now past the last, and answered the refusal
    of an address it cannot read (400) after a deletion that was done. It goes back to its
    last page, its filters kept."""
    from agreements.admin import AgreementAdmin

    monkeypatch.setattr(AgreementAdmin, "list_per_page", 1)
    first, second, third, fourth = (
        AgreementFactory(lead_region=kaltim, kind="mou") for _ in range(4)
    )
    last_page = {"kind__exact": "mou", "p": "4"}
    shown = staff_client.get(CHANGELIST, last_page)
    (on_it,) = shown.context["cl"].result_list

    response = staff_client.post(
        f"{CHANGELIST}?kind__exact=mou&p=4",
        {"action": "delete_selected", "_selected_action": [on_it.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert parse_qsl(urlsplit(response["Location"]).query) == [("kind__exact", "mou"), ("p", "3")]
    back = staff_client.get(response["Location"])
    assert back.status_code == 200
    assert "tidak dapat dibaca" not in back.content.decode()

    (on_the_third,) = (
        staff_client.get(CHANGELIST, {"kind__exact": "mou", "p": "3"}).context["cl"].result_list
    )
    delete = reverse("admin:agreements_agreement_delete", args=[on_the_third.pk])
    response = staff_client.post(
        f"{delete}?_changelist_filters=kind__exact%3Dmou%26p%3D3", {"post": "yes"}
    )
    assert response.status_code == 302
    assert parse_qsl(urlsplit(response["Location"]).query) == [("kind__exact", "mou"), ("p", "2")]
    assert staff_client.get(response["Location"]).status_code == 200
