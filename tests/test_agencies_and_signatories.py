"""The implementing agencies (OPD) of an agreement, chosen from the list each region keeps, and
who signed it for each party: recorded in the admin, shown on the status page of a public
agreement, never shown to the public for an internal one."""

import io
import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from agreements.imports import REJECT, UNCHANGED, UPDATE, AgreementImport
from agreements.models import Agency, Agreement, Signatory
from tests.factories import AgencyFactory, AgreementFactory
from tests.helpers import agreement_form_data, form_errors

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_agreement_changelist")


@pytest.fixture
def disdik_kaltim(kaltim):
    return AgencyFactory(
        region=kaltim, name="Dinas Pendidikan dan Kebudayaan", short_name="Disdikbud"
    )


@pytest.fixture
def dispar_bali(bali):
    return AgencyFactory(region=bali, name="Dinas Pariwisata", short_name="Dispar")


@pytest.fixture
def carried_out(kaltim, bali, disdik_kaltim, dispar_bali):
    agreement = AgreementFactory(
        title="Kerja sama pendidikan dan pariwisata Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        agencies=[disdik_kaltim, dispar_bali],
        signing_place="Denpasar",
    )
    Signatory.objects.create(
        agreement=agreement,
        party="Pemerintah Provinsi Kalimantan Timur",
        name="Isran Noor",
        office="Gubernur Kalimantan Timur",
        position=0,
    )
    Signatory.objects.create(
        agreement=agreement,
        party="Pemerintah Provinsi Bali",
        name="Wayan Koster",
        office="Gubernur Bali",
        position=1,
    )
    return agreement


def page_text(client, agreement):
    response = client.get(agreement.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_status_page_names_the_implementing_agencies_and_their_regions(carried_out):
    html = page_text(Client(), carried_out)
    assert "Perangkat daerah pelaksana" in html
    assert "Dinas Pendidikan dan Kebudayaan (Disdikbud) (Kalimantan Timur)" in html
    assert "Dinas Pariwisata (Dispar) (Bali)" in html


def test_the_status_page_names_who_signed_for_each_party_and_where(carried_out):
    html = page_text(Client(), carried_out)
    assert "Penanda tangan" in html
    assert "Isran Noor, Gubernur Kalimantan Timur" in html
    assert "untuk Pemerintah Provinsi Bali" in html
    assert html.index("Isran Noor") < html.index("Wayan Koster")
    assert "di Denpasar" in html


def test_the_status_page_speaks_of_signatories_in_english(carried_out):
    client = Client()
    client.cookies["django_language"] = "en"
    html = page_text(client, carried_out)
    assert "Signatories" in html
    assert "for Pemerintah Provinsi Bali" in html
    assert "Implementing agencies" in html


def test_the_agencies_and_signatories_of_an_internal_agreement_never_reach_the_public(
    carried_out, official
):
    Agreement.objects.filter(pk=carried_out.pk).update(visibility="internal")
    response = Client().get(carried_out.get_absolute_url())
    assert response.status_code == 404
    listing = Client().get(reverse("agreement-list")).content.decode()
    assert "Disdikbud" not in listing and "Isran Noor" not in listing
    reader = Client()
    reader.force_login(official)
    assert "Disdikbud" in page_text(reader, carried_out)


def test_an_agency_of_a_region_not_party_is_refused_by_the_form(staff_client, kaltim, bali):
    stranger = AgencyFactory(region=bali, name="Dinas Pariwisata", short_name="Dispar")
    agreement = AgreementFactory(lead_region=kaltim, regions=[])
    data = agreement_form_data(agreement, agencies=[stranger.pk])
    response = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )
    assert response.status_code == 200
    assert any(
        "Perangkat daerah pelaksana harus dari daerah pihak" in error and "Bali" in error
        for error in form_errors(response)
    )
    assert not agreement.agencies.exists()


def test_staff_choose_the_agencies_of_the_party_regions(
    staff_client, kaltim, bali, disdik_kaltim, dispar_bali
):
    agreement = AgreementFactory(lead_region=kaltim, regions=[bali])
    data = agreement_form_data(agreement, agencies=[disdik_kaltim.pk, dispar_bali.pk])
    response = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )
    assert response.status_code == 302, form_errors(response)
    assert set(agreement.agencies.all()) == {disdik_kaltim, dispar_bali}
    # The change is in the agreement's history entry, as its parties are.
    latest = agreement.history.latest()
    assert {row.agency_id for row in latest.agencies.all()} == {disdik_kaltim.pk, dispar_bali.pk}


def test_staff_record_signatories_in_the_change_form(staff_client, carried_out):
    html = staff_client.get(
        reverse("admin:agreements_agreement_change", args=[carried_out.pk])
    ).content.decode()
    assert 'name="signatories-0-office"' in html
    assert 'value="Gubernur Kalimantan Timur"' in html
    assert 'name="agencies"' in html


def test_the_bureau_keeps_the_list_of_agencies_per_region(staff_client, kaltim, disdik_kaltim):
    response = staff_client.get(reverse("admin:agreements_agency_changelist"))
    assert response.status_code == 200
    assert "Disdikbud" in response.content.decode()
    response = staff_client.post(
        reverse("admin:agreements_agency_add"),
        {
            "region": kaltim.pk,
            "name": "Badan Perencanaan Pembangunan Daerah",
            "short_name": "Bappeda",
        },
    )
    assert response.status_code == 302
    assert Agency.objects.filter(region=kaltim, short_name="Bappeda").exists()


@pytest.mark.parametrize(
    "typed, said",
    [
        (
            {"name": "Dinas Pendidikan dan Kebudayaan", "short_name": ""},
            "Perangkat daerah dengan nama ini sudah tercatat di daerah yang sama; pilih yang "
            "sudah ada.",
        ),
        (
            {"name": "Dinas Pendidikan", "short_name": "Disdikbud"},
            "Singkatan ini sudah dipakai perangkat daerah lain di daerah yang sama.",
        ),
    ],
)
def test_an_agency_recorded_twice_in_a_region_is_refused_saying_it_is_already_there(
    staff_client, kaltim, disdik_kaltim, typed, said
):
    """Django's own Indonesian message for a pair of unique fields says the agency "does not
    exist", and a partial one names the database's constraint: the form says what is so."""
    response = staff_client.post(
        reverse("admin:agreements_agency_add"), {"region": kaltim.pk, **typed}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert said in html
    errors = html.split('class="errornote"', 1)[-1].split("</form>", 1)[0]
    assert "tidak ada" not in errors
    assert "agency_" not in errors
    assert Agency.objects.filter(region=kaltim).count() == 1


def test_an_editor_keeps_the_agencies_of_their_own_region_only(
    editor_kaltim, kaltim, bali, disdik_kaltim, dispar_bali
):
    client = Client()
    client.force_login(editor_kaltim)
    listing = client.get(reverse("admin:agreements_agency_changelist")).content.decode()
    assert "Disdikbud" in listing and "Dispar" not in listing
    response = client.get(reverse("admin:agreements_agency_change", args=[dispar_bali.pk]))
    assert response.status_code == 404


def test_the_agreement_autocomplete_offers_agencies_of_every_region_to_an_editor(
    editor_kaltim, disdik_kaltim, dispar_bali
):
    """A KSDD with Bali names Bali's agency too; the form keeps it to the party regions."""
    client = Client()
    client.force_login(editor_kaltim)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "agencies",
            "term": "Dinas",
        },
    )
    assert response.status_code == 200
    found = {item["text"] for item in response.json()["results"]}
    assert any("Dispar" in text for text in found) and any("Disdikbud" in text for text in found)


def agencies_offered(user, term):
    client = Client()
    client.force_login(user)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "agencies",
            "term": term,
        },
    )
    assert response.status_code == 200
    return [item["text"] for item in response.json()["results"]]


def test_the_agreement_autocomplete_offers_an_editor_their_own_regions_agency_first(
    editor_kaltim, dispar_bali, kaltim
):
    """The editor of Kaltim types "Dinas Pariwisata": Bali's (code 51) came before Kaltim's
    (64), and Enter picked it; the form then refused it, not of a party region."""
    AgencyFactory(region=kaltim, name="Dinas Pariwisata", short_name="Dispar")
    offered = agencies_offered(editor_kaltim, "Dinas Pariwisata")
    assert offered[0] == "Dinas Pariwisata (Dispar) — Kalimantan Timur"
    assert "Dinas Pariwisata (Dispar) — Bali" in offered


def test_an_agency_named_with_its_regions_short_form_is_offered_first(staff_user, kaltim):
    """ "Dispar Kaltim" offered every agency of Kaltim first in the list's order, its
    Bappeda before its Dispar, and Enter picked the Bappeda."""
    AgencyFactory(region=kaltim, name="Badan Perencanaan Pembangunan Daerah", short_name="Bappeda")
    AgencyFactory(region=kaltim, name="Dinas Pariwisata", short_name="Dispar")
    offered = agencies_offered(staff_user, "Dispar Kaltim")
    assert offered[0] == "Dinas Pariwisata (Dispar) — Kalimantan Timur"


def test_the_database_refuses_the_same_agency_twice_in_a_region(kaltim, disdik_kaltim):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(region=kaltim, name=disdik_kaltim.name)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(region=kaltim, name="Dinas lain", short_name="Disdikbud")


def test_a_change_to_an_agency_renews_the_cached_status_page(carried_out, disdik_kaltim):
    client = Client()
    assert "Disdikbud" in page_text(client, carried_out)
    Agency.objects.filter(pk=disdik_kaltim.pk).update(short_name="Disdik")
    html = page_text(client, carried_out)
    assert "(Disdik)" in html and "Disdikbud" not in html


# -- the filter ---------------------------------------------------------------------------------

LIST = reverse("agreement-list")


def listed_titles(response):
    assert response.status_code == 200
    return {agreement.title for agreement in response.context["agreements"]}


def test_the_list_filters_by_implementing_agency_and_says_so_in_a_chip(
    client, kaltim, carried_out, disdik_kaltim
):
    AgreementFactory(title="Kerja sama tanpa dinas", lead_region=kaltim)
    response = client.get(LIST, {"agency": disdik_kaltim.pk})
    assert listed_titles(response) == {carried_out.title}
    chips = [chip["value"] for chip in response.context["chips"]]
    assert "Dinas Pendidikan dan Kebudayaan (Disdikbud) — Kalimantan Timur" in chips


def test_the_export_and_the_feed_of_an_agency_hold_what_its_list_shows(
    client, kaltim, carried_out, disdik_kaltim
):
    AgreementFactory(title="Kerja sama tanpa dinas", lead_region=kaltim)
    export = client.get(reverse("agreement-export", args=["csv"]), {"agency": disdik_kaltim.pk})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert carried_out.title in text and "Kerja sama tanpa dinas" not in text
    feed = client.get("/agreements/feed.atom", {"agency": disdik_kaltim.pk}).content.decode()
    assert carried_out.title in feed and "Kerja sama tanpa dinas" not in feed


def test_the_public_is_never_offered_the_agency_of_an_internal_agreement(
    client, kaltim, official, disdik_kaltim
):
    AgreementFactory(lead_region=kaltim, agencies=[disdik_kaltim], visibility="internal")
    assert "Disdikbud" not in client.get(LIST).content.decode()
    reader = Client()
    reader.force_login(official)
    assert "Disdikbud" in reader.get(LIST).content.decode()


def test_the_public_cannot_name_the_agency_of_an_internal_agreement_in_the_address(
    client, kaltim, official, disdik_kaltim
):
    """Typed into the address, the agency of an internal agreement is refused as unknown, as a
    partner of internal agreements only is: its name is in no chip, file name or feed title."""
    AgreementFactory(lead_region=kaltim, agencies=[disdik_kaltim], visibility="internal")
    query = {"agency": disdik_kaltim.pk}
    for address in (LIST, reverse("agreement-export", args=["csv"]), "/agreements/feed.atom"):
        response = client.get(address, query)
        assert response.status_code == 400, address
        assert "Disdikbud" not in response.content.decode(), address
        assert "disdikbud" not in response.get("Content-Disposition", ""), address
    reader = Client()
    reader.force_login(official)
    response = reader.get(LIST, query)
    assert response.status_code == 200
    chips = [chip["value"] for chip in response.context["chips"]]
    assert "Dinas Pendidikan dan Kebudayaan (Disdikbud) — Kalimantan Timur" in chips


def test_only_officials_and_staff_select_by_budget_source(client, kaltim, official):
    AgreementFactory(title="Didanai APBD", lead_region=kaltim, budget_source="apbd")
    AgreementFactory(title="Didanai mitra", lead_region=kaltim, budget_source="partner")
    reader = Client()
    reader.force_login(official)
    response = reader.get(LIST, {"budget_source": "apbd"})
    assert listed_titles(response) == {"Didanai APBD"}
    assert 'name="budget_source"' in response.content.decode()
    # The public can neither see the filter nor learn the budget by trying it: it is ignored.
    response = client.get(LIST, {"budget_source": "apbd"})
    assert listed_titles(response) == {"Didanai APBD", "Didanai mitra"}
    assert 'name="budget_source"' not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 15])
def test_a_list_filtered_by_agency_runs_the_same_queries_however_many_rows(
    client, kaltim, rows, disdik_kaltim, django_assert_num_queries
):
    for _n in range(rows):
        AgreementFactory(lead_region=kaltim, agencies=[disdik_kaltim])
    # 1 sectors, 2 regions, 3 partners, 4 agencies: the form's lists (no partner, so no
    # countries); 5 the agency named in the query string (validation); 6 COUNT; 7 the page of
    # agreements with their lead region; 8 their regions, 9 partners, 10 sectors.
    with django_assert_num_queries(10):
        response = client.get(LIST, {"agency": disdik_kaltim.pk})
    assert len(response.context["agreements"]) == rows


# -- exports and the import ---------------------------------------------------------------------


def export_records(client, **params):
    response = client.get(reverse("agreement-export", args=["json"]), params)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content).decode("utf-8"))["agreements"]


def export_csv(client):
    response = client.get(reverse("agreement-export", args=["csv"]))
    return b"".join(response.streaming_content)


def test_the_export_holds_agencies_with_their_regions_and_signatories_with_their_offices(
    client, carried_out
):
    (record,) = export_records(client)
    # Paired: each agency's region, in the same order (by region code, then name).
    assert list(zip(record["agency_regions"], record["agencies"], strict=True)) == [
        ("51", "Dinas Pariwisata"),
        ("64", "Dinas Pendidikan dan Kebudayaan"),
    ]
    assert record["signatories"] == ["Isran Noor", "Wayan Koster"]
    assert record["signatory_offices"] == ["Gubernur Kalimantan Timur", "Gubernur Bali"]
    assert record["signatory_parties"] == [
        "Pemerintah Provinsi Kalimantan Timur",
        "Pemerintah Provinsi Bali",
    ]
    assert record["signing_place"] == "Denpasar"


def test_an_internal_agreements_agencies_and_signatories_are_in_no_public_export(
    client, carried_out
):
    Agreement.objects.filter(pk=carried_out.pk).update(visibility="internal")
    text = export_csv(client).decode("utf-8-sig")
    assert "Dinas Pariwisata" not in text and "Isran Noor" not in text


def test_agencies_and_signatories_come_back_from_their_own_export(client, carried_out):
    exported = export_csv(client)
    carried_out.agencies.clear()
    carried_out.signatories.all().delete()
    plan = AgreementImport.from_file(io.BytesIO(exported), "kerjasama.csv").apply()
    assert [row.action for row in plan.rows] == [UPDATE], [row.errors for row in plan.rows]
    assert {"agencies", "signatories"} <= set(plan.rows[0].changes)
    assert {a.short_name for a in carried_out.agencies.all()} == {"Disdikbud", "Dispar"}
    assert [(s.name, s.office) for s in carried_out.signatories.all()] == [
        ("Isran Noor", "Gubernur Kalimantan Timur"),
        ("Wayan Koster", "Gubernur Bali"),
    ]
    # Again: nothing to change.
    plan = AgreementImport.from_file(io.BytesIO(export_csv(client)), "kerjasama.csv").plan()
    assert [row.action for row in plan.rows] == [UNCHANGED]


def test_the_import_finds_an_agency_by_short_name_among_the_party_regions(
    kaltim, bali, disdik_kaltim, dispar_bali
):
    rows = [
        ["title", "kind", "scope", "lead_region_code", "region_codes", "agencies", "signatories"],
        ["Kerja sama baru", "mou", "ksdd", "64", "64; 51", "Disdikbud; Dispar", "Isran Noor"],
    ]
    plan = AgreementImport(rows[0], [(2, dict(zip(rows[0], rows[1], strict=True)))]).apply()
    assert [row.errors for row in plan.rows] == [[]]
    agreement = Agreement.objects.get(title="Kerja sama baru")
    assert set(agreement.agencies.all()) == {disdik_kaltim, dispar_bali}
    assert agreement.signatories.get().name == "Isran Noor"


def test_the_import_refuses_an_agency_of_a_region_that_is_no_party(kaltim, bali, dispar_bali):
    header = ["title", "kind", "scope", "lead_region_code", "agencies", "agency_regions"]
    cells = dict(zip(header, ["Kerja sama", "mou", "ksdd", "64", "Dispar", "51"], strict=True))
    plan = AgreementImport(header, [(2, cells)]).plan()
    (row,) = plan.rows
    assert row.action == REJECT
    assert any("harus dari daerah pihak" in error for error in row.errors), row.errors
    cells = dict(zip(header, ["Kerja sama", "mou", "ksdd", "64", "Dinas Kuliner", ""], strict=True))
    (row,) = AgreementImport(header, [(2, cells)]).plan().rows
    assert any("Dinas Kuliner" in error for error in row.errors), row.errors


def test_an_editor_records_signatories_and_contact_persons_on_their_agreement(
    editor_kaltim, carried_out
):
    """The bureau's editors are the ones asked who signed and whom to call: the change form of
    their own agreement lets them write both, not only read them."""
    client = Client()
    client.force_login(editor_kaltim)
    html = client.get(
        reverse("admin:agreements_agreement_change", args=[carried_out.pk])
    ).content.decode()
    assert '<input type="text" name="signatories-0-office"' in html
    assert 'name="signatories-__prefix__-name"' in html
    assert 'name="contacts-__prefix__-email"' in html


def test_an_editor_adds_an_agency_of_their_own_region(editor_kaltim, kaltim):
    client = Client()
    client.force_login(editor_kaltim)
    response = client.post(
        reverse("admin:agreements_agency_add"),
        {"region": kaltim.pk, "name": "Dinas Pariwisata", "short_name": "Dispar"},
    )
    assert response.status_code == 302
    assert Agency.objects.filter(region=kaltim, short_name="Dispar").exists()


def test_an_editor_cannot_delete_an_agency_another_regions_agreement_relies_on(
    editor_kaltim, kaltim, bali, disdik_kaltim
):
    """Deleting an agency takes it off every agreement it carries out: Kaltim's agency named by
    an agreement Bali leads (Kaltim a party) is not Kaltim's editor's to take off, by its delete
    page or the bulk action; an agency only their own agreements name is."""
    AgreementFactory(lead_region=bali, regions=[kaltim], agencies=[disdik_kaltim])
    own = AgencyFactory(region=kaltim, name="Dinas Perhubungan", short_name="Dishub")
    AgreementFactory(lead_region=kaltim, agencies=[own])
    client = Client()
    client.force_login(editor_kaltim)

    page = client.post(
        reverse("admin:agreements_agency_delete", args=[disdik_kaltim.pk]), {"post": "yes"}
    )
    bulk = client.post(
        reverse("admin:agreements_agency_changelist"),
        {"action": "delete_selected", "_selected_action": [disdik_kaltim.pk], "post": "yes"},
    )
    assert (page.status_code, bulk.status_code) == (403, 403)
    assert Agency.objects.filter(pk=disdik_kaltim.pk).exists()
    assert disdik_kaltim.agreements.count() == 1

    response = client.post(
        reverse("admin:agreements_agency_delete", args=[own.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize(
    "typed, said",
    [
        (
            {"name": "dinas pendidikan dan kebudayaan", "short_name": ""},
            "Perangkat daerah dengan nama ini sudah tercatat di daerah yang sama; pilih yang "
            "sudah ada.",
        ),
        (
            {"name": "Disdikbud", "short_name": ""},
            "Perangkat daerah dengan nama ini sudah tercatat di daerah yang sama; pilih yang "
            "sudah ada.",
        ),
        (
            {"name": "Dinas Pendidikan", "short_name": "DISDIKBUD"},
            "Singkatan ini sudah dipakai perangkat daerah lain di daerah yang sama.",
        ),
    ],
)
def test_an_agency_typed_again_in_another_case_is_refused_as_recorded_twice(
    staff_client, kaltim, disdik_kaltim, typed, said
):
    """An import names an agency by its name or short name whatever their case: beside
    "Dinas Pendidikan dan Kebudayaan (Disdikbud)", a second agency saved as "dinas pendidikan
    dan kebudayaan" (or "DISDIKBUD") made every file naming the first attach whichever of the
    two the import read last. The form refuses it as it refuses the same name typed alike."""
    response = staff_client.post(
        reverse("admin:agreements_agency_add"), {"region": kaltim.pk, **typed}
    )

    assert response.status_code == 200
    assert said in response.content.decode()
    assert Agency.objects.filter(region=kaltim).count() == 1
    # Its own name's case mended, the agency itself saves.
    response = staff_client.post(
        reverse("admin:agreements_agency_change", args=[disdik_kaltim.pk]),
        {"region": kaltim.pk, "name": "Dinas Pendidikan dan Kebudayaan", "short_name": "DISDIKBUD"},
    )
    assert response.status_code == 302
