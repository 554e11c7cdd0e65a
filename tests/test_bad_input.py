"""Bad input gets a 4xx with a message, never a 500: what a careless or hostile reader may type
into an address, a filter or a form (a NUL byte, which PostgreSQL cannot hold in a string; a
year past the calendar; a region id that is not a number)."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement, Document
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    SectorFactory,
)
from tests.helpers import (
    agreement_form_data,
    change_url,
    form_errors,
    logged_in,
    with_existing_milestone,
    with_new_milestone,
)

pytestmark = pytest.mark.django_db


def assert_refused_with_message(response, *, status=400):
    assert response.status_code == status
    body = response.content.decode()
    assert "Traceback" not in body
    return body


@pytest.mark.parametrize(
    "path", ["/regions/%00/", "/countries/%00/", "/calendar/regions/%00.ics", "/agreements/%00/"]
)
def test_nul_byte_in_a_path_is_refused_with_a_message(client, kaltim, path):
    body = assert_refused_with_message(client.get(path))
    assert "karakter NUL" in body


PAST_EVERY_ID = ["99999999999999999999", "9223372036854775808"]


@pytest.mark.parametrize("number", PAST_EVERY_ID)
@pytest.mark.parametrize(
    "path",
    [
        "/agreements/{}/",
        "/agreements/{}/feed.atom",
        "/calendar/agreements/{}.ics",
        "/agreements/{}/documents/1/",
        "/partners/{}/",
        "/partners/{}/feed.atom",
        "/partners/{}/calendar.ics",
        "/partners/{}/export.csv",
    ],
)
def test_an_id_past_the_databases_numbers_is_not_found(client, kaltim, path, number):
    assert_refused_with_message(client.get(path.format(number)), status=404)


@pytest.mark.django_db(transaction=True)
def test_an_id_past_the_databases_numbers_is_not_found_where_pages_are_kept(client):
    """Outside a test's transaction, as a site runs, the status page is looked for among the
    pages kept by each agreement's version first."""
    for number in PAST_EVERY_ID:
        assert_refused_with_message(client.get(f"/agreements/{number}/"), status=404)


def test_nul_byte_in_a_public_filter_is_refused_with_a_message(client, kaltim):
    body = assert_refused_with_message(client.get(reverse("agreement-list"), {"q": "a\x00b"}))
    assert "karakter NUL" in body


@pytest.mark.parametrize(
    "query",
    [
        {"q": "\x00"},
        {"province": "\x00"},
        {"partner_country": "\x00"},
        {"kind__exact": "\x00"},
        {"lead_region__id__exact": "\x00"},
    ],
)
def test_nul_byte_in_an_admin_list_filter_is_refused(editor_kaltim, query):
    response = logged_in(editor_kaltim).get(reverse("admin:agreements_agreement_changelist"), query)
    assert "karakter NUL" in assert_refused_with_message(response)


def test_nul_byte_in_an_admin_autocomplete_search_is_refused(editor_kaltim):
    response = logged_in(editor_kaltim).get(
        reverse("admin:autocomplete"),
        {
            "term": "sam\x00",
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "lead_region",
        },
    )
    assert "karakter NUL" in assert_refused_with_message(response)


# Words enough to hold every connection of the admin for its statement timeout, and a worker
# for minutes, where one long title is the most anyone pastes.
PASTED_BOOK = " ".join(f"kata{number}" for number in range(2000))


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:agreements_agreement_changelist",
        "admin:agreements_milestone_changelist",
        "admin:partners_partner_changelist",
    ],
)
def test_an_admin_search_longer_than_any_title_is_refused_saying_how_long_it_may_be(
    editor_kaltim, changelist
):
    response = logged_in(editor_kaltim).get(reverse(changelist), {"q": PASTED_BOOK})
    body = assert_refused_with_message(response)
    assert "paling banyak 1.000" in body
    # A title pasted whole is still searched.
    pasted_title = logged_in(editor_kaltim).get(reverse(changelist), {"q": "MoU " * 75})
    assert pasted_title.status_code == 200


def test_an_admin_search_of_many_words_reads_the_first_eight_each_once(admin_client):
    """A paragraph pasted into the partners' search: Django's search adds a condition on every
    searched field for each word (five hundred one-letter words, a thousand characters, held
    the list for seconds at national scale). Its first eight distinct words are read, as the
    register's own search reads them, each once: the partner they name is found, and the words
    after them are not searched for."""
    PartnerFactory(name="Universitas Teknologi Hefei Kampus Timur Gedung Utama Baru")
    PartnerFactory(name="Universitas Teknologi Wuhu Kampus Timur Gedung Utama Baru")
    named = "universitas teknologi hefei kampus timur gedung utama baru"
    words = "teknologi " * 30 + named + " " + " ".join(f"zz{n}" for n in range(100))

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:partners_partner_changelist"), {"q": words})

    assert response.status_code == 200
    assert [partner.name for partner in response.context["cl"].result_list] == [
        "Universitas Teknologi Hefei Kampus Timur Gedung Utama Baru"
    ]
    searched = " ".join(query["sql"].upper() for query in queries)
    assert "%HEFEI%" in searched
    assert "ZZ0" not in searched


@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [("agreement", "partners"), ("agreement", "follows"), ("milestone", "agreement")],
)
def test_an_admin_autocomplete_search_longer_than_any_title_is_refused(
    editor_kaltim, model_name, field_name
):
    response = logged_in(editor_kaltim).get(
        reverse("admin:autocomplete"),
        {
            "term": PASTED_BOOK,
            "app_label": "agreements",
            "model_name": model_name,
            "field_name": field_name,
        },
    )
    assert_refused_with_message(response)


@pytest.mark.parametrize("year", ["99999999999999999999", "100000", "9999", "-5"])
def test_a_year_past_the_calendar_in_an_admin_filter_is_refused(editor_kaltim, kaltim, year):
    AgreementFactory(lead_region=kaltim)
    client = logged_in(editor_kaltim)
    for query in ({"signed_on__year": year}, {"signed_on__year": "2024", "signed_on__month": year}):
        response = client.get(reverse("admin:agreements_agreement_changelist"), query)
        # Django's admin went back to the list with ?e=1; the address is refused, naming it.
        assert response.status_code == 400, (query, response.status_code)
        assert "signed_on__" in response.content.decode()


def test_a_year_past_the_calendar_in_a_public_filter_is_refused(client, kaltim):
    response = client.get(reverse("agreement-list"), {"year": "99999999999999999999"})
    assert "Tahun ditandatangani" in assert_refused_with_message(response)


def test_a_region_that_is_not_a_number_in_a_post_is_refused(editor_kaltim, kaltim):
    from tests.helpers import change_url

    agreement = AgreementFactory(lead_region=kaltim)
    client = logged_in(editor_kaltim)
    for url in (reverse("admin:agreements_agreement_add"), change_url(agreement)):
        response = client.post(url, {"title": "X", "lead_region": "abc", "regions": ["abc"]})
        assert response.status_code in (200, 400)
        assert "daerah" in response.content.decode().lower()


@pytest.mark.parametrize("key", ["abc", "99999999999999999999", "-9223372036854775809"])
def test_a_related_key_that_no_row_can_have_is_an_invalid_choice_on_every_admin_form(
    staff_client, kaltim, key
):
    """Not a number, or past what the column holds (an OverflowError on SQLite): the form
    again, the field saying its choice is invalid, on the agreements' forms and on the forms
    of the roles' regions and of reminders, whose autocompletes are Django's own."""
    agreement = AgreementFactory(lead_region=kaltim)
    for url, data in (
        (
            reverse("admin:agreements_agreement_change", args=[agreement.pk]),
            {"title": "X", "lead_region": key, "regions": [key], "partners": [key]},
        ),
        (reverse("admin:agreements_milestone_add"), {"agreement": key, "title": "X"}),
        (reverse("admin:access_regionassignment_add"), {"user": key, "region": key}),
        (reverse("admin:reminders_reminderpreference_add"), {"user": key}),
    ):
        response = staff_client.post(url, data)
        assert response.status_code == 200, url
        assert "errorlist" in response.content.decode(), url


@pytest.mark.parametrize("key", ["abc", "99999999999999999999"])
def test_a_related_key_that_no_row_can_have_in_an_inline_row_is_an_invalid_choice(
    staff_client, kaltim, key
):
    """A survey's potentials, its inline rows, choose their region and sector by autocomplete:
    a key that is none (not a number) failed Django's lookup of the choice as the form was
    shown again, a server error, where the survey's own fields said it was invalid. The form
    again, the row saying its choice is invalid, and nothing written."""
    from agreements.models import PotentialSurvey

    sector = SectorFactory()
    response = staff_client.post(
        reverse("admin:agreements_potentialsurvey_add"),
        {
            "title": "Survei potensi Kaltim",
            "held_on": "2025-03-01",
            "host_region": kaltim.pk,
            "potentials-TOTAL_FORMS": "1",
            "potentials-INITIAL_FORMS": "0",
            "potentials-0-region": key,
            "potentials-0-sector": sector.pk,
            "potentials-0-title": "Rumput laut",
        },
    )

    assert response.status_code == 200
    assert "Masukkan pilihan yang valid" in response.content.decode()
    assert not PotentialSurvey.objects.exists()


def test_every_inline_of_the_admin_refuses_a_related_key_that_is_none():
    """Each inline of every admin page checks its related keys as the admin's own forms do
    (``CheckedKeys``): an inline left without it answers a key that is none with a 500."""
    from django.contrib import admin

    from common.admin import CheckedKeys

    inlines = {
        inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }
    assert inlines
    assert {inline.__name__ for inline in inlines if not issubclass(inline, CheckedKeys)} == set()


@pytest.mark.parametrize("key", ["\x00", "ID\x00"])
def test_a_nul_byte_in_a_related_code_posted_as_an_upload_is_an_invalid_choice(staff_client, key):
    """A form posted as ``multipart/form-data`` (as the test client posts it) is left to its
    fields by ``RefuseNulMiddleware``: a country or a subdivision is chosen by its code, and
    the form shown again looked the posted code up to show it chosen, which PostgreSQL refused
    (a server error)."""
    response = staff_client.post(
        reverse("admin:partners_partner_add"),
        {"name": "Mitra", "kind": "company", "country": key, "subdivision": key},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "country" in errors
    assert "subdivision" in errors


@pytest.mark.parametrize("version", ["abc", "1.5", "99999999999999999999"])
def test_a_history_version_that_cannot_be_one_is_not_found(admin_client, version):
    """Typed into the address bar, a version that is no number is a page not found, as a
    missing one is, on every history of the admin: never a server error."""
    from tests.factories import AgreementFactory

    agreement = AgreementFactory()
    response = admin_client.get(f"/admin/agreements/agreement/{agreement.pk}/history/{version}/")
    assert response.status_code == 404
    sector = agreement.sectors.first()
    if sector is not None:
        response = admin_client.get(f"/admin/agreements/sector/{sector.pk}/history/{version}/")
        assert response.status_code == 404


@pytest.mark.parametrize("record", ["abc", "1.5"])
@pytest.mark.parametrize("page", ["history/", "history/1/"])
@pytest.mark.parametrize("model", ["agreements/agreement", "agreements/sector", "partners/partner"])
def test_a_record_that_cannot_be_one_has_no_history_to_show(admin_client, model, record, page):
    """A record's id typed wrong in a history address is a page not found, as a missing
    record's is: never a server error."""
    response = admin_client.get(f"/admin/{model}/{record}/{page}")
    assert_refused_with_message(response, status=404)


@pytest.mark.parametrize("action", ["export_csv", "export_json", "delete_selected"])
def test_a_ticked_row_that_cannot_be_one_is_no_row_to_act_on(admin_client, action):
    """A forged tick ("abc") is no row: the list comes back saying nothing was ticked, as
    for a row deleted meanwhile, and nothing is deleted."""
    AgreementFactory()
    changelist = reverse("admin:agreements_agreement_changelist")

    response = admin_client.post(
        changelist,
        {"action": action, "index": "0", "_selected_action": ["abc", "1.5"]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Objek harus dipilih sebelum dimanipulasi." in response.content.decode()
    assert Agreement.objects.count() == 1


def registered_lists():
    """The admin's lists of the site's own models, and of its users and roles."""
    from django.contrib import admin

    return sorted(
        f"{model._meta.app_label}_{model._meta.model_name}"
        for model in admin.site._registry
        if model._meta.app_label in ("agreements", "partners", "access", "reminders", "auth")
    )


@pytest.mark.parametrize("model", registered_lists())
def test_every_admin_list_answers_a_forged_tick_or_a_year_past_the_calendar_with_a_4xx(
    admin_client, model
):
    """Every list of the admin, the reminders' and the users' too, holds to what the register's
    lists do: a ticked key that is none, or a drill-down to the year 9999, is no server error."""
    from django.apps import apps

    changelist = reverse(f"admin:{model}_changelist")
    ticked = admin_client.post(
        changelist, {"action": "delete_selected", "index": "0", "_selected_action": ["abc"]}
    )
    assert ticked.status_code in (200, 302, 403), ticked.status_code

    app_label, model_name = model.split("_", 1)
    dated = [
        field.name
        for field in apps.get_model(app_label, model_name)._meta.concrete_fields
        if isinstance(field, models.DateField)
    ]
    for name in dated:
        for year in ("9999", "99999999999999999999"):
            response = admin_client.get(changelist, {f"{name}__year": year})
            assert response.status_code in (200, 302, 400), (name, year, response.status_code)


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "0001-01-01T03:00:00+07:00"]
)
def test_an_upload_moment_past_the_calendar_is_refused_in_the_import_preview(
    staff_client, kaltim, moment
):
    """In WIB the first moment of the calendar is a moment before it in UTC, which SQLite's
    driver cannot write: confirming failed with a server error after the preview accepted it."""
    content = {
        "agreements": [
            {
                "reference": "KT/9",
                "title": "MoU UMKM",
                "kind": "mou",
                "scope": "ksdd",
                "lead_region_code": "64",
            }
        ],
        "documents": [
            {
                "agreement_reference": "KT/9",
                "title": "Naskah MoU",
                "kind": "signed_text",
                "language": "id",
                "file": "documents/2025/naskah.pdf",
                "uploaded_at": moment,
            }
        ],
    }
    upload = SimpleUploadedFile("kerjasama.json", json.dumps(content).encode())

    response = staff_client.post(reverse("admin:agreements_agreement_import"), {"file": upload})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'name="token"' not in page  # nothing to confirm
    assert (
        f"Lembar documents, baris 2: Kolom uploaded_at: waktu “{moment}” di luar rentang yang "
        "dapat disimpan (0001-01-02 sampai 9999-12-30)." in page
    )
    assert not Agreement.objects.exists()
    assert not Document.objects.exists()


def test_a_government_abroad_recorded_in_indonesia_is_refused_at_its_kind(staff_client):
    """A city typed in as "Kota asing" with Indonesia left as its country made a sister city
    with it a KSDPK: the agreement form refused "KSDPL", saying its parties showed a third
    party, of a partner the clerk had called a foreign city. The partner form says what is
    wrong, where: an Indonesian regional government is a party region. One stored so before
    the rule still saves with its kind and country left as they are."""
    from partners.models import Partner
    from tests.factories import CountryFactory, PartnerFactory

    indonesia = CountryFactory(code="ID")
    CountryFactory(code="CN")
    typed = {"name": "Pemerintah Kota Hefei", "kind": "foreign_city", "country": "ID"}

    response = staff_client.post(reverse("admin:partners_partner_add"), typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Jenis “Kota asing” untuk pemerintah di luar negeri, tetapi negara mitra ini Indonesia."
        in html
    )
    assert not Partner.objects.exists()
    in_china = {**typed, "country": "CN"}
    assert staff_client.post(reverse("admin:partners_partner_add"), in_china).status_code == 302
    stored = PartnerFactory(name="Kota Lama", kind="foreign_region", country=indonesia)
    change = reverse("admin:partners_partner_change", args=[stored.pk])
    kept = {"name": stored.name, "kind": "foreign_region", "country": "ID", "website": ""}
    assert staff_client.post(change, {**kept, "name_local": "旧城"}).status_code == 302
    assert staff_client.post(change, {**kept, "kind": "foreign_city"}).status_code == 200


def test_a_partner_recorded_twice_is_refused_saying_it_is_already_there(staff_client):
    """Django's own Indonesian message for a pair of unique fields says the partner "does not
    exist": the form says it is already recorded."""
    from tests.factories import PartnerFactory

    partner = PartnerFactory(name="Pemerintah Kota Ma'anshan", kind="foreign_region")
    response = staff_client.post(
        reverse("admin:partners_partner_add"),
        {"name": partner.name, "kind": partner.kind, "country": partner.country_id},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mitra dengan nama ini di negara yang sama sudah tercatat" in html
    assert "tidak ada" not in html.split('class="errornote"', 1)[-1].split("</form>", 1)[0]
    assert type(partner).objects.filter(name=partner.name).count() == 1


def test_a_partner_recorded_twice_is_named_and_linked_once(staff_client):
    """The refusal names the partner already recorded and links its page, once: the clerk
    opens it instead of searching the list for it."""
    from tests.factories import PartnerFactory

    partner = PartnerFactory(name="Pemerintah Provinsi Anhui", kind="foreign_region")
    response = staff_client.post(
        reverse("admin:partners_partner_add"),
        {"name": partner.name, "kind": partner.kind, "country": partner.country_id},
    )
    assert response.status_code == 200
    html = response.content.decode()
    link = reverse("admin:partners_partner_change", args=[partner.pk])
    assert (
        f'Mitra yang sudah tercatat: <a href="{link}">Pemerintah Provinsi Anhui '
        f"({partner.country_id})</a>." in html
    )
    assert html.count("Mitra dengan nama ini di negara yang sama sudah tercatat") == 1
    # Saving the partner itself again is no duplicate.
    response = staff_client.post(
        reverse("admin:partners_partner_change", args=[partner.pk]),
        {"name": partner.name, "kind": partner.kind, "country": partner.country_id},
    )
    assert response.status_code == 302


def test_a_second_government_of_a_foreign_region_is_refused_naming_the_first(staff_client):
    """The regional government of an ISO 3166-2 subdivision is one partner (the import finds
    it so, ``PartnerIndex``): recorded again under another name ("Provinsi Gyeonggi" beside
    "Pemerintah Provinsi Gyeonggi", both 경기도), every later file naming it was refused as
    ambiguous. The form names and links the one recorded; a city of the subdivision is
    another partner."""
    from tests.factories import PartnerFactory, SubdivisionFactory

    gyeonggi = SubdivisionFactory(code="KR-41", country__code="KR", name="Gyeonggi-do")
    recorded = PartnerFactory(
        name="Pemerintah Provinsi Gyeonggi",
        name_local="경기도",
        kind="foreign_region",
        country=gyeonggi.country,
        subdivision=gyeonggi,
    )
    typed = {
        "name": "Provinsi Gyeonggi",
        "name_local": "경기도",
        "kind": "foreign_region",
        "country": "KR",
        "subdivision": "KR-41",
    }

    response = staff_client.post(reverse("admin:partners_partner_add"), typed)

    assert response.status_code == 200
    html = response.content.decode()
    link = reverse("admin:partners_partner_change", args=[recorded.pk])
    assert "Pemerintah daerah subdivisi ini sudah tercatat sebagai mitra" in html
    assert (
        f'Mitra yang sudah tercatat: <a href="{link}">Pemerintah Provinsi Gyeonggi (KR)</a>.'
        in (html)
    )
    assert 'value="Provinsi Gyeonggi"' in html  # what was typed is kept
    assert type(recorded).objects.count() == 1
    city = {**typed, "name": "Kota Suwon", "name_local": "수원시", "kind": "foreign_city"}
    assert staff_client.post(reverse("admin:partners_partner_add"), city).status_code == 302
    saved_again = {**typed, "name": recorded.name}
    response = staff_client.post(
        reverse("admin:partners_partner_change", args=[recorded.pk]), saved_again
    )
    assert response.status_code == 302


def test_two_governments_of_a_foreign_region_stored_before_the_rule_still_save(staff_client):
    """Two governments of Gyeonggi recorded before the form refused the second: a clerk who
    opens either to correct its website saves it, kind and subdivision left as they are, as a
    text's stored parties do; the rule speaks when either is changed."""
    from tests.factories import PartnerFactory, SubdivisionFactory

    gyeonggi = SubdivisionFactory(code="KR-41", country__code="KR", name="Gyeonggi-do")
    PartnerFactory(
        name="Pemerintah Provinsi Gyeonggi",
        kind="foreign_region",
        country=gyeonggi.country,
        subdivision=gyeonggi,
    )
    second = PartnerFactory(
        name="Provinsi Gyeonggi",
        kind="foreign_region",
        country=gyeonggi.country,
        subdivision=gyeonggi,
    )
    typed = {
        "name": second.name,
        "name_local": "",
        "kind": "foreign_region",
        "country": "KR",
        "subdivision": "KR-41",
        "website": "https://www.gg.go.kr",
    }
    url = reverse("admin:partners_partner_change", args=[second.pk])

    response = staff_client.post(url, typed)

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.website == "https://www.gg.go.kr"


@pytest.mark.parametrize(
    "model, typed, said",
    [
        (
            "partners/region",
            {"code": "64.99", "name": "Kabupaten Baru", "level": "province"},
            "Kode provinsi ditulis dua angka (64), tanpa provinsi di atasnya; kode kabupaten "
            "atau kota ditulis PP.KK (64.72), dengan provinsinya.",
        ),
        (
            "partners/country",
            {"code": "c1", "alpha3": "CCC", "name_id": "Negeri", "name_en": "Land"},
            "Kode negara ISO 3166-1 ditulis dua huruf kapital, mis. CN atau AU.",
        ),
        (
            "partners/subdivision",
            {"code": "AH", "country": "CN", "name": "Anhui"},
            "Kode ISO 3166-2 diawali kode negaranya dan tanda hubung, mis. CN-AH.",
        ),
    ],
)
def test_a_code_of_the_reference_data_written_wrong_is_refused_saying_how_to_write_it(
    admin_client, db, model, typed, said
):
    """Not by the name of the database's constraint ("Batasan “region_code_matches_level”
    dilanggar"), which tells an administrator nothing."""
    from partners.models import Country

    Country.objects.get_or_create(
        code="CN", defaults={"alpha3": "CHN", "name_id": "Tiongkok", "name_en": "China"}
    )

    response = admin_client.post(f"/admin/{model}/add/", typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert said in html
    assert "Batasan" not in html


def test_a_chain_recorded_looping_before_loops_were_refused_still_shows_its_pages(client, kaltim):
    """A register may hold a loop written before the rule above (an MoU following its own
    PKS): each status page shows its agreement alone, not a server error."""
    mou = AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui")
    pks = AgreementFactory(
        lead_region=kaltim,
        title="PKS Kaltim–Anhui",
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    Agreement.objects.filter(pk=mou.pk).update(follows=pks, relation=Agreement.Relation.IMPLEMENTS)
    for agreement in (mou, pks):
        response = client.get(agreement.get_absolute_url())
        assert response.status_code == 200
        assert agreement.title in response.content.decode()


@pytest.mark.parametrize("hops", [1, 2])
def test_a_chain_of_follows_that_would_loop_is_refused_saying_which_continues_it(
    staff_client, kaltim, hops
):
    """An MoU set to follow the PKS that carries it out (directly, or two documents down) would
    leave the chain with no first document: both status pages failed. The form refuses it."""
    from tests.helpers import agreement_form_data, change_url, form_errors

    mou = AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui", reference="KT/1")
    chain = [mou]
    for number in range(hops):
        chain.append(
            AgreementFactory(
                lead_region=kaltim,
                title=f"PKS {number + 1}",
                reference=f"KT/1/{number + 1}",
                follows=chain[-1],
                relation=Agreement.Relation.IMPLEMENTS,
            )
        )
    last = chain[-1]

    response = staff_client.post(
        change_url(mou),
        agreement_form_data(mou, follows=last.pk, relation=Agreement.Relation.EXTENDS),
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        f"Rantai “kelanjutan dari” akan berputar: “{last.title}” sudah merupakan kelanjutan "
        "kerja sama ini. Pilih naskah yang mendahuluinya."
    ]
    mou.refresh_from_db()
    assert mou.follows_id is None
    assert staff_client.get(f"/agreements/{mou.pk}/").status_code == 200

    # The import holds to the same rule: the model's.
    import io

    from agreements.imports import AgreementImport

    columns = ["reference", "title", "kind", "scope", "lead_region_code", "follows", "relation"]
    values = [mou.reference, mou.title, mou.kind, mou.scope, kaltim.code, last.reference]
    data = ",".join(columns) + "\n" + ",".join([*values, "extends"]) + "\n"
    plan = AgreementImport.from_file(io.BytesIO(data.encode()), "rantai.csv").apply()
    assert not plan.is_valid
    assert any("akan berputar" in error for error in plan.rows[0].errors), plan.rows[0].errors
    mou.refresh_from_db()
    assert mou.follows_id is None


def test_a_stage_set_aside_without_its_reason_is_refused_saying_where_to_write_it(
    staff_client, kaltim
):
    """A stage "not required" shows on the status page with its reason: the form asks for it,
    and writes nothing until it is given."""
    from agreements.models import Milestone

    agreement = AgreementFactory(lead_region=kaltim)
    form = {
        "agreement": agreement.pk,
        "kind": "dprd",
        "title": "Persetujuan DPRD",
        "done_on": "01/03/2024",
        "mark": "not_required",
        "notes": "  ",
    }
    response = staff_client.post(reverse("admin:agreements_milestone_add"), form)
    assert response.status_code == 200
    assert "Tulis alasannya pada catatan" in response.content.decode()
    assert not Milestone.objects.filter(agreement=agreement, kind="dprd").exists()

    form["notes"] = "Tidak membebani APBD."
    response = staff_client.post(reverse("admin:agreements_milestone_add"), form)
    assert response.status_code == 302
    assert Milestone.objects.get(agreement=agreement, kind="dprd").notes == form["notes"]


def test_a_stage_before_signing_recorded_as_done_after_the_signing_is_refused_at_its_date(
    staff_client, kaltim
):
    """A clerk records the initiative of a text signed in 2025 as done in March 2026: its page
    would say "Prakarsa dilalui 1 Maret 2026" above a signing a year earlier. Refused at the
    date, saying what to check; nothing kept. Set aside as not required, it is dated by that
    decision, which may come later: accepted."""
    from agreements.models import Milestone

    mou = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2025, 3, 10),
        in_force_from=datetime.date(2025, 3, 10),
        expires_on=datetime.date(2030, 3, 9),
    )
    step = {"title": "Prakarsa Gubernur", "done_on": "2026-03-01"}

    response = staff_client.post(
        change_url(mou),
        with_new_milestone(agreement_form_data(mou, title="Judul baru"), kind="initiative", **step),
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "Tahap “Prakarsa” dilalui sebelum naskah ditandatangani (10 Maret 2025), tetapi tanggal "
        "terlaksananya sesudah itu. Periksa tanggal ini, atau tanggal ditandatangani kerja "
        "samanya."
    ]
    mou.refresh_from_db()
    assert mou.title != "Judul baru"
    assert not Milestone.objects.filter(agreement=mou).exists()

    set_aside = Milestone(
        agreement=mou,
        kind="initiative",
        title="Prakarsa Gubernur",
        done_on=datetime.date(2026, 3, 1),
        mark=Milestone.Mark.NOT_REQUIRED,
        notes="Diprakarsai pihak mitra.",
    )
    set_aside.full_clean()  # the step's own page writes it so, with its notes


def test_a_step_towards_signing_planned_after_the_text_was_signed_is_refused_at_its_kind(
    staff_client, kaltim
):
    """The clerk plans the drafting of the PKS that is to carry out a signed MoU as a step of
    the MoU: the page would show it "no longer needed" and no next step. The form refuses it,
    saying what to record instead, and keeps nothing of the save."""
    from agreements.models import Milestone

    mou = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2025, 3, 10),
        in_force_from=datetime.date(2025, 3, 10),
        expires_on=datetime.date(2030, 3, 9),
    )
    step = {"title": "Penyusunan PKS bidang pendidikan", "due_on": "2027", "waits_on": "bureau"}

    response = staff_client.post(
        change_url(mou),
        with_new_milestone(agreement_form_data(mou, title="Judul baru"), kind="drafting", **step),
    )

    assert response.status_code == 200
    [error] = form_errors(response)
    assert error.startswith(
        "Naskah ini sudah ditandatangani (10 Maret 2025), jadi tahap “Penyusunan naskah” sudah "
        "dilaluinya"
    )
    assert "kelanjutan naskah ini" in error
    # What to do instead, said where the save was refused.
    assert "Isi tanggal terlaksananya, tandai “Dilewati” atau “Tidak diperlukan”" in error
    assert "atau hapus baris ini" in error
    assert 'value="Penyusunan PKS bidang pendidikan"' in response.content.decode()
    mou.refresh_from_db()
    assert mou.title != "Judul baru"
    assert not Milestone.objects.filter(agreement=mou).exists()

    # Recorded as the activity it is, it is the MoU's next step.
    response = staff_client.post(
        change_url(mou), with_new_milestone(agreement_form_data(mou), kind="activity", **step)
    )
    assert response.status_code == 302
    page = staff_client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    assert "Penyusunan PKS bidang pendidikan" in page
    assert "Belum ada tahapan yang dijadwalkan" not in page
    assert "tidak lagi diperlukan" not in page.lower()


def test_a_stage_past_a_signed_loi_s_path_is_refused_without_saying_the_loi_passed_it(
    staff_client, kaltim, bali
):
    """The clerk records a signed LoI and plans its next stage, the cooperation plan, on it.
    Signing an LoI passes exploration and intent, nothing after: the refusal must not tell the
    clerk the LoI "already passed" the plan, but that the plan is not a stage of an LoI and
    belongs to the text that follows it, recorded on its own."""
    from agreements.models import Milestone

    loi = AgreementFactory(
        lead_region=kaltim,
        regions=[bali],
        kind=Agreement.Kind.LOI,
        status=Agreement.Status.SIGNED,
        signed_on=datetime.date(2024, 6, 10),
        in_force_from=None,
        expires_on=None,
    )
    step = {"title": "Penyusunan rencana kerja sama", "due_on": "2025-03", "waits_on": "bureau"}

    response = staff_client.post(
        change_url(loi), with_new_milestone(agreement_form_data(loi), kind="plan", **step)
    )

    assert response.status_code == 200
    [error] = form_errors(response)
    assert "sudah dilaluinya" not in error
    assert error.startswith(
        "Tahap “Rencana kerja sama (KAK, rencana aksi)” tidak ditempuh oleh naskah "
        "“Pernyataan kehendak (LoI)”"
    )
    # Where to plan it instead, said where the save was refused.
    assert "naskah berikutnya" in error
    assert "Tambahkan naskah tindak lanjut" in error
    assert "atau hapus baris ini" in error
    assert not Milestone.objects.filter(agreement=loi).exists()


def test_an_evaluation_dated_before_its_text_was_signed_is_refused(staff_client, kaltim):
    """An evaluation planned for 2020 on a text signed in 2024 became its next step, late for
    years, on its status page: the form refuses it at its date, naming the signing."""
    from agreements.models import Milestone

    agreement = AgreementFactory(
        lead_region=kaltim, signed_on=datetime.date(2024, 6, 10), in_force_from=None
    )
    form = {
        "agreement": agreement.pk,
        "kind": "evaluation",
        "title": "Monev sebelum TTD",
        "due_on": "01/01/2020",
    }
    response = staff_client.post(reverse("admin:agreements_milestone_add"), form)
    assert response.status_code == 200
    assert (
        "Monitoring dan evaluasi dilakukan sesudah naskah ditandatangani (10 Juni 2024)"
        in response.content.decode()
    )
    assert not Milestone.objects.filter(agreement=agreement).exists()
    # Its signing month, known by the month only, is not before it.
    form.update(due_on="01/06/2024", due_on_precision="month")
    assert staff_client.post(reverse("admin:agreements_milestone_add"), form).status_code == 302


def test_a_termination_dated_before_its_text_was_signed_is_refused(staff_client, kaltim):
    """A termination done in 2021 on a text signed in 2024: its status page said "Ditandatangani
    10 Juni 2024" above "Diakhiri pada 1 Juni 2021". The step's page refuses it at its date,
    naming the signing; dated after the signing, it is saved."""
    from agreements.models import Milestone

    agreement = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.TERMINATED,
        signed_on=datetime.date(2024, 6, 10),
        in_force_from=None,
    )
    form = {
        "agreement": agreement.pk,
        "kind": "termination",
        "title": "Pengakhiran atas kesepakatan para pihak",
        "done_on": "01/06/2021",
    }
    response = staff_client.post(reverse("admin:agreements_milestone_add"), form)
    assert response.status_code == 200
    assert (
        "Pengakhiran dilakukan sesudah naskah ditandatangani (10 Juni 2024); tanggal ini "
        "sebelum itu." in response.content.decode()
    )
    assert not Milestone.objects.filter(agreement=agreement).exists()
    form.update(done_on="01/07/2025")
    assert staff_client.post(reverse("admin:agreements_milestone_add"), form).status_code == 302


def signed_mou(region, **dates):
    """A KSDD MoU of ``region`` proposed in June 2024, signed on 1 February 2025 and in force
    from 1 March 2025, as the status page's facts give it."""
    fields = {
        "proposed_on": datetime.date(2024, 6, 3),
        "signed_on": datetime.date(2025, 2, 1),
        "in_force_from": datetime.date(2025, 3, 1),
        "expires_on": datetime.date(2030, 1, 31),
        **dates,
    }
    return AgreementFactory(lead_region=region, **fields)


def test_a_signing_step_done_on_another_day_than_the_signing_is_refused_at_its_date(
    staff_client, kaltim
):
    """The status page said "Ditandatangani 1 Februari 2025" in its facts and "Penandatanganan
    dilalui 3 Maret 2025" on its path. The form refuses the step at its date, saying which
    dates disagree and what to do; nothing of the save is kept. A signing known only to its
    month agrees with any day of it: accepted."""
    from agreements.models import Milestone

    mou = signed_mou(kaltim)
    step = {"title": "Penandatanganan MoU", "done_on": "03/03/2025"}

    response = staff_client.post(
        change_url(mou),
        with_new_milestone(agreement_form_data(mou, title="Judul baru"), kind="signing", **step),
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "Tahap “Penandatanganan” tercatat terlaksana pada 3 Maret 2025, tetapi kerja sama ini "
        "ditandatangani pada 1 Februari 2025. Tanggal terlaksana penandatanganan adalah tanggal "
        "naskah ditandatangani: perbaiki yang keliru, tanggal ini atau tanggal ditandatangani "
        "kerja samanya."
    ]
    mou.refresh_from_db()
    assert mou.title != "Judul baru"
    assert not Milestone.objects.filter(agreement=mou).exists()

    known_by_month = agreement_form_data(mou, signed_on="02/2025", signed_on_precision="month")
    step["done_on"] = "14/02/2025"
    response = staff_client.post(
        change_url(mou), with_new_milestone(known_by_month, kind="signing", **step)
    )
    assert response.status_code == 302, form_errors(response)
    assert Milestone.objects.get(agreement=mou).done_on == datetime.date(2025, 2, 14)


def test_a_signing_date_moved_away_from_its_signing_step_is_refused_at_the_step(
    staff_client, kaltim
):
    """The clerk corrects the agreement's signing date and leaves its signing step on the old
    day: refused at the step's row, which names both dates; the agreement keeps its date."""
    from agreements.models import Milestone

    mou = signed_mou(kaltim)
    signing = MilestoneFactory(
        agreement=mou,
        kind="signing",
        title="Penandatanganan MoU",
        due_on=None,
        done_on=mou.signed_on,
    )

    data = with_existing_milestone(agreement_form_data(mou, signed_on="10/02/2025"), signing)
    response = staff_client.post(change_url(mou), data)

    assert response.status_code == 200
    assert form_errors(response) == [
        "Tahap “Penandatanganan” tercatat terlaksana pada 1 Februari 2025, tetapi kerja sama ini "
        "ditandatangani pada 10 Februari 2025. Tanggal terlaksana penandatanganan adalah tanggal "
        "naskah ditandatangani: perbaiki yang keliru, tanggal ini atau tanggal ditandatangani "
        "kerja samanya."
    ]
    mou.refresh_from_db()
    assert mou.signed_on == datetime.date(2025, 2, 1)

    # Both moved together: saved.
    data = with_existing_milestone(
        agreement_form_data(mou, signed_on="10/02/2025"), signing, done_on="10/02/2025"
    )
    assert staff_client.post(change_url(mou), data).status_code == 302
    assert Milestone.objects.get(pk=signing.pk).done_on == datetime.date(2025, 2, 10)


def test_a_milestone_table_posted_without_its_saved_rows_checks_them_as_stored(
    staff_client, kaltim
):
    """A form whose milestone table was cut short by hand (its row count posted as none) saved
    a signing date moved away from the signing step, and a status still in force beside a
    termination recorded as done: the rows left out of the post stay as stored, and are
    checked as such. Nothing is written."""
    mou = signed_mou(kaltim, status=Agreement.Status.IN_FORCE)
    MilestoneFactory(
        agreement=mou,
        kind="signing",
        title="Penandatanganan MoU",
        due_on=None,
        done_on=mou.signed_on,
    )

    response = staff_client.post(change_url(mou), agreement_form_data(mou, signed_on="10/02/2025"))

    assert response.status_code == 200
    assert form_errors(response) == [
        "Tahapan “Penandatanganan MoU”: Tahap “Penandatanganan” tercatat terlaksana pada "
        "1 Februari 2025, tetapi kerja sama ini ditandatangani pada 10 Februari 2025. Tanggal "
        "terlaksana penandatanganan adalah tanggal naskah ditandatangani: perbaiki yang keliru, "
        "tanggal ini atau tanggal ditandatangani kerja samanya."
    ]
    mou.refresh_from_db()
    assert mou.signed_on == datetime.date(2025, 2, 1)

    MilestoneFactory(
        agreement=mou,
        kind="termination",
        title="Pengakhiran",
        due_on=None,
        done_on=datetime.date(2026, 1, 5),
    )
    response = staff_client.post(change_url(mou), agreement_form_data(mou, title="Judul baru"))

    assert response.status_code == 200
    assert any("Pengakhiran kerja sama ini tercatat terlaksana" in e for e in form_errors(response))
    mou.refresh_from_db()
    assert mou.title != "Judul baru"


def test_a_step_done_before_the_agreement_was_proposed_is_refused_at_its_date(staff_client, kaltim):
    """Its facts say "Diusulkan 3 Juni 2024"; a stage done in 2023 would sit on its path before
    it. Refused on the step's own page, naming the proposal; nothing written."""
    from agreements.models import Milestone

    mou = signed_mou(kaltim)
    form = {"agreement": mou.pk, "kind": "tkksd", "title": "Rapat TKKSD", "done_on": "12/2023"}

    response = staff_client.post(reverse("admin:agreements_milestone_add"), form)

    assert response.status_code == 200
    assert (
        "Pembahasan TKKSD tercatat terlaksana pada Desember 2023, sebelum kerja sama ini diusulkan "
        "(3 Juni 2024). Periksa tanggal ini, atau tanggal diusulkan kerja samanya."
    ) in response.content.decode()
    assert not Milestone.objects.filter(agreement=mou).exists()
    # Its month, known by the month only, is not before the proposal.
    form.update(done_on="06/2024")
    assert staff_client.post(reverse("admin:agreements_milestone_add"), form).status_code == 302


def test_an_activity_done_before_the_agreement_came_into_force_is_refused(staff_client, kaltim):
    """Signed on 1 February, in force from 1 March 2025: an activity recorded on 20 February
    carried out a text not yet in force. Refused at its date in the agreement's table."""
    from agreements.models import Milestone

    mou = signed_mou(kaltim)
    step = {"title": "Pameran bersama", "done_on": "20/02/2025"}

    response = staff_client.post(
        change_url(mou), with_new_milestone(agreement_form_data(mou), kind="activity", **step)
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "Kegiatan dilakukan selama kerja sama berlaku, sejak 1 Maret 2025; tanggal ini sebelum "
        "itu. Periksa tanggal ini, atau tanggal berlaku sejak kerja samanya."
    ]
    assert not Milestone.objects.filter(agreement=mou).exists()


READ_ONLY_ADDRESSES = [
    "/agreements/",
    "/agreements/{pk}/",
    "/agreements/{pk}/feed.atom",
    "/agreements/{pk}/documents/1/",
    "/feeds/agreements.atom",
    "/agreements/feed.atom",
    "/agreements/calendar.ics",
    "/perubahan/feed.atom",
    "/regions/64/feed.atom",
    "/regions/64/calendar.ics",
    "/calendar/regions/64.ics",
    "/calendar/agreements/{pk}.ics",
    "/sitemap.xml",
    "/sitemap-agreements.xml",
]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "TRACE"])
@pytest.mark.parametrize("path", READ_ONLY_ADDRESSES)
def test_every_read_only_address_refuses_a_method_that_is_not_reading(client, kaltim, path, method):
    """A feed, a calendar or a sitemap is read as every page is: a POST, a PUT, a DELETE or a
    TRACE is refused (405, naming GET and HEAD), never answered with the file as if read."""
    agreement = AgreementFactory(lead_region=kaltim)

    response = client.generic(method, path.format(pk=agreement.pk))

    assert response.status_code == 405
    assert {verb.strip() for verb in response["Allow"].split(",")} >= {"GET", "HEAD"}
    assert client.get(path.format(pk=agreement.pk)).status_code in (200, 404)


# Every address that is only read, pages and downloads too, as a browser or a script reaches it.
READ_ONLY_PAGES = [
    *READ_ONLY_ADDRESSES,
    "/",
    "/agreements/export.csv",
    "/regions/64/",
    "/regions/64/export.xlsx",
    "/countries/CN/mitra/",
    "/perubahan/",
    "/laporan/?region=64&period=2024",
    "/laporan/laporan.xlsx?region=64&period=2024",
    "/data-dictionary/",
    "/robots.txt",
    "/health/",
]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", READ_ONLY_PAGES)
def test_a_method_that_is_not_reading_is_refused_as_such_outside_the_test_client_too(
    kaltim, path, method
):
    """A script's PUT, DELETE or PATCH carries no CSRF token: the site answered it "403 CSRF
    verification failed", as if a token were all it lacked, not the 405 naming GET and HEAD that
    the same request got without the check; an OPTIONS was answered 200 on a page and 405 on
    its feed. Each is a 405, naming what the address is read with."""
    agreement = AgreementFactory(lead_region=kaltim)
    client = Client(enforce_csrf_checks=True)

    response = client.generic(method, path.format(pk=agreement.pk))

    assert response.status_code == 405
    assert {verb.strip() for verb in response["Allow"].split(",")} == {"GET", "HEAD"}


@pytest.mark.parametrize("row", ["milestone", "document"])
@pytest.mark.parametrize("referer", ["http://[::1", "http://[testserver/admin/"])
def test_a_rows_page_opened_with_a_referer_that_is_no_address_opens_as_from_the_list(
    staff_client, kaltim, row, referer
):
    """A step's or a document's own page reads the Referer to tell whether it was opened from its
    agreement's form. A Referer that is no address (a bracket never closed) is
    what a proxy or a hand-made request may send: the page opens as it does from the list of
    every row, never a server error."""
    factory = MilestoneFactory if row == "milestone" else DocumentFactory
    first = factory(agreement=AgreementFactory(lead_region=kaltim))
    page = reverse(f"admin:agreements_{row}_change", args=[first.pk])
    response = staff_client.get(page, HTTP_REFERER=referer)
    assert response.status_code == 200
    assert "_from_agreement" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/agreements/",
        "/agreements/export.csv",
        "/agreements/feed.atom",
        "/agreements/calendar.ics",
        "/regions/64/",
        "/regions/64/export.json",
        "/perubahan/",
    ],
)
def test_a_misspelt_filter_is_refused_not_read_as_the_whole_register(client, kaltim, path):
    """``?regoin=64`` listed, downloaded and fed every agreement with no word why: the analyst
    took the national register for Kalimantan Timur's."""
    AgreementFactory(
        title="Kerja sama di Bali", lead_region=ProvinceFactory(code="51", name="Bali")
    )
    body = assert_refused_with_message(client.get(path, {"regoin": "64"}))
    assert "“regoin”" in body
    assert "Kerja sama di Bali" not in body


@pytest.mark.parametrize(
    "path, query",
    [
        # The report of a region for a period misspelt: the empty form, with no word why.
        ("/laporan/", "region=64&periode=2024"),
        # Its downloads gave the report as though the parameter were not there.
        ("/laporan/laporan.xlsx", "region=64&period=2024&wilayah=64.72"),
        ("/laporan/laporan.pdf", "region=64&period=2024&wilayah=64.72"),
        # A country's partners listed every one of them, not those of a region.
        ("/countries/CN/mitra/", "region=64"),
    ],
)
def test_a_parameter_the_report_or_a_countrys_partners_do_not_read_is_refused(
    client, kaltim, path, query
):
    """The report and the list of a country's partners read their own parameters only; any
    other is refused naming it, as the agreement list refuses one, not passed over."""
    PartnerFactory(name="Mitra Tiongkok Satu")
    body = assert_refused_with_message(client.get(f"{path}?{query}"))
    unknown = query.rpartition("&")[2].partition("=")[0]
    assert f"tidak dikenali halaman ini: “{unknown}”" in body
    assert "Mitra Tiongkok Satu" not in body


def test_the_filters_the_sort_the_page_and_a_links_tracking_are_no_unknown_parameters(
    client, kaltim
):
    """A link shared with a campaign's or a social network's mark still opens its list (a
    cached page at its address without the mark: ``caching.tracking_left_out``)."""
    response = client.get(
        "/agreements/",
        {"region": "64", "sort": "title", "page": "1", "utm_campaign": "x", "fbclid": "y"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain == [("/agreements/?region=64&sort=title&page=1", 302)]
    assert client.get("/regions/64/", {"region": "64"}).status_code == 200
    PartnerFactory()
    tracked = {"utm_source": "surel", "fbclid": "y"}
    assert client.get("/laporan/", {"region": "64", "period": "2024", **tracked}).status_code == 200
    response = client.get("/countries/CN/mitra/", {"page": "1", **tracked}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/countries/CN/mitra/?page=1", 302)]


def test_a_partner_typed_again_in_other_case_or_spacing_is_refused_naming_the_first(
    staff_client,
):
    """Typed as "universitas mulawarman", "UNIVERSITAS  MULAWARMAN" or "Pemerintah Kota
    Hefei" beside Universitas Mulawarman and Kota Hefei, a partner was saved anew: both then
    showed in every list and autocomplete, and every later file naming it was refused as
    ambiguous ("Mitra “Universitas Mulawarman” ambigu"), the import reading those names as
    one. The form names and links the partner recorded, as for the same name typed alike."""
    from partners.matching import PartnerIndex
    from tests.factories import CountryFactory, PartnerFactory

    indonesia = CountryFactory(code="ID")
    unmul = PartnerFactory(name="Universitas Mulawarman", kind="university", country=indonesia)
    hefei = PartnerFactory(name="Kota Hefei", kind="foreign_city")
    add = reverse("admin:partners_partner_add")
    for typed, recorded in [
        ("universitas mulawarman", unmul),
        ("UNIVERSITAS  MULAWARMAN", unmul),
        ("Pemerintah Kota Hefei", hefei),
    ]:
        response = staff_client.post(
            add, {"name": typed, "kind": recorded.kind, "country": recorded.country_id}
        )

        assert response.status_code == 200, typed
        html = response.content.decode()
        link = reverse("admin:partners_partner_change", args=[recorded.pk])
        assert "Mitra dengan nama ini di negara yang sama sudah tercatat" in html
        assert f'Mitra yang sudah tercatat: <a href="{link}">{recorded}</a>.' in html
    assert type(unmul).objects.count() == 2
    # The import still finds each by its name, as before.
    index = PartnerIndex()
    assert index.find(name="Universitas Mulawarman", country="ID").partner == unmul
    # The region of the city's name is another partner (as a file tells them apart).
    region = {"name": "Hefei", "kind": "foreign_region", "country": hefei.country_id}
    assert staff_client.post(add, region).status_code == 302
    # The partner itself saved again, its name's case mended, is no duplicate.
    response = staff_client.post(
        reverse("admin:partners_partner_change", args=[hefei.pk]),
        {"name": "Kota Hefei", "kind": hefei.kind, "country": hefei.country_id, "website": ""},
    )
    assert response.status_code == 302


def test_a_government_abroad_under_a_parent_in_another_country_is_refused(staff_client):
    """Kota Wuhu (China) was saved with Pemerintah Kota Yokohama (Japan), offered first by the
    parent's autocomplete, as the government it lies in: Yokohama's page then listed a Chinese
    city among its own. A government abroad lies in one of its own country."""
    from tests.factories import CountryFactory, PartnerFactory

    japan = CountryFactory(code="JP", name_id="Jepang")
    yokohama = PartnerFactory(name="Pemerintah Kota Yokohama", kind="foreign_city", country=japan)
    anhui = PartnerFactory(name="Pemerintah Provinsi Anhui", kind="foreign_region")
    add = reverse("admin:partners_partner_add")
    typed = {"name": "Kota Wuhu", "kind": "foreign_city", "country": anhui.country_id}

    response = staff_client.post(add, {**typed, "parent": yokohama.pk})

    assert response.status_code == 200
    assert "Pemerintah Kota Yokohama (JP) berada di negara lain" in response.content.decode()
    assert not type(anhui).objects.filter(name="Kota Wuhu").exists()
    assert staff_client.post(add, {**typed, "parent": anhui.pk}).status_code == 302


@pytest.mark.parametrize("page", ["dashboard", "status page"])
def test_a_parameter_the_dashboard_or_a_status_page_does_not_read_is_refused_naming_it(
    client, kaltim, page
):
    """The dashboard and an agreement's status page read no parameter, and answered any with
    the page: ``/?region=64`` showed the whole country's dashboard as though it were Kaltim's,
    and every value of ``?x=…`` kept one more copy of the page in the shared cache, built
    afresh for each, so that anyone could fill the cache and keep the server building. Refused
    naming it (400), as the lists refuse one; a link's tracking is still sent on to the page."""
    agreement = AgreementFactory(lead_region=kaltim)
    path = "/" if page == "dashboard" else f"/agreements/{agreement.pk}/"

    refused = client.get(path, {"region": "64", "x": "1"})

    body = assert_refused_with_message(refused)
    assert "parameter yang tidak dikenali halaman ini: “region”, “x”" in body
    assert client.get(path, {"utm_source": "surat"})["Location"] == path
    assert client.get(path).status_code == 200
