"""Who may change what: an editor works on their own regions' records only, on every admin
surface; an official reads internal records and changes nothing; an analyst exports internal
records; everyone with a role can log in."""

import csv
import datetime
import io
import json
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Document, Milestone, Potential, PotentialSurvey
from reminders.models import Notice, Subscription, SubscriptionMember
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    SectorFactory,
)
from tests.helpers import (
    admin_url,
    agreement_form_data,
    change_url,
    form_errors,
    logged_in,
    page_problems,
    with_existing_milestone,
    with_new_milestone,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_agreement_changelist")
ADD = reverse("admin:agreements_agreement_add")
IMPORT = reverse("admin:agreements_agreement_import")
AUTOCOMPLETE = reverse("admin:autocomplete")
INTERNAL = Agreement.Visibility.INTERNAL


@pytest.fixture
def of_kaltim(kaltim):
    return AgreementFactory(title="MoU Kaltim–Anhui", reference="KT/1", lead_region=kaltim)


@pytest.fixture
def of_samarinda(samarinda):
    return AgreementFactory(title="Kota kembar Samarinda", reference="SMD/1", lead_region=samarinda)


@pytest.fixture
def of_bali(bali, kaltim):
    """Led by Bali, with Kaltim as a party: party to it is not leading it."""
    return AgreementFactory(
        title="MoU Bali–Kaltim pariwisata",
        reference="BALI/1",
        lead_region=bali,
        regions=[kaltim],
        visibility=INTERNAL,
    )


@pytest.fixture
def kaltim_client(editor_kaltim):
    return logged_in(editor_kaltim)


def listed(response):
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def autocomplete(client, model_name, field_name, term=""):
    response = client.get(
        AUTOCOMPLETE,
        {
            "app_label": "agreements",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    assert response.status_code == 200
    return {result["text"] for result in response.json()["results"]}


# -- an editor: their own regions ---------------------------------------------------------------


def test_editor_of_kaltim_lists_agreements_of_kaltim_and_its_cities_not_of_bali(
    kaltim_client, of_kaltim, of_samarinda, of_bali
):
    assert listed(kaltim_client.get(CHANGELIST)) == {of_kaltim, of_samarinda}


@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_editor_of_kaltim_cannot_open_a_bali_agreement_by_its_address(kaltim_client, of_bali, page):
    assert kaltim_client.get(admin_url(of_bali, page)).status_code == 404


@pytest.mark.parametrize(
    "address",
    [
        lambda of_bali: change_url(of_bali),
        lambda of_bali: change_url(MilestoneFactory(agreement=of_bali)),
        lambda of_bali: change_url(DocumentFactory(agreement=of_bali)),
    ],
    ids=["agreement", "milestone", "document"],
)
def test_another_regions_record_not_found_in_the_admin_says_why_and_leads_back(
    kaltim_client, of_bali, address
):
    """A colleague's link to Bali's record: not found for Kaltim's editor, as for anyone it is
    not open to; the page says an editor opens their own regions' records only, where another
    region's is read, and leads back to the admin's list, not only to the public pages."""
    response = kaltim_client.get(address(of_bali))

    assert response.status_code == 404
    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert "Halaman ini tidak ada, atau memuat data daerah lain." in page
    assert "Kerja sama daerah lain tetap dapat dibaca di halaman statusnya" in page
    assert "tidak terbuka untuk umum" not in page
    assert f'href="{CHANGELIST}"' in response.content.decode()


def test_a_page_not_found_on_the_public_site_says_nothing_of_regions(kaltim_client, client):
    for reader in (client, kaltim_client):
        response = reader.get("/agreements/999999/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "tidak terbuka untuk umum" in html
        assert "daerah lain" not in html
        assert f'href="{CHANGELIST}"' not in html


def test_editor_of_kaltim_cannot_change_bali_agreement(kaltim_client, of_bali):
    data = agreement_form_data(of_bali, title="Diambil alih Kaltim")

    response = kaltim_client.post(change_url(of_bali), data)

    assert response.status_code == 404
    of_bali.refresh_from_db()
    assert of_bali.title == "MoU Bali–Kaltim pariwisata"


def test_editor_of_kaltim_cannot_delete_bali_agreement_by_its_delete_page(kaltim_client, of_bali):
    response = kaltim_client.post(admin_url(of_bali, "delete"), {"post": "yes"})

    assert response.status_code == 404
    assert Agreement.objects.filter(pk=of_bali.pk).exists()


def test_editor_of_kaltim_cannot_delete_bali_agreement_through_the_bulk_delete_action(
    kaltim_client, of_kaltim, of_bali
):
    response = kaltim_client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "_selected_action": [of_kaltim.pk, of_bali.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert Agreement.objects.filter(pk=of_bali.pk).exists()
    assert not Agreement.objects.filter(pk=of_kaltim.pk).exists()  # their own one: deleted


def test_editor_of_kaltim_deletes_their_agreement_however_it_was_reminded_of_or_followed(
    kaltim_client, editor_kaltim, of_kaltim, django_user_model
):
    """The reminders mailed of an agreement and a reader's followed selection holding it go with
    it: the editor is not refused for lack of a right to records the admin never shows them,
    and the page does not tell them who was reminded or who follows it. Its links to its party
    regions are listed as they are to an administrator, named by the region (they have no
    permission of their own, which left them out for an editor alone)."""
    milestone = MilestoneFactory(agreement=of_kaltim, title="Rapat TKKSD")
    today = datetime.date.today()
    Notice.objects.create(
        user=editor_kaltim, agreement=of_kaltim, threshold="expires_90", on_date=today
    )
    Notice.objects.create(
        user=editor_kaltim, milestone=milestone, threshold="milestone_due", on_date=today
    )
    reader = django_user_model.objects.create_user(username="pembaca_rahasia")
    subscription = Subscription.objects.create(
        user=reader, query="region=64", name="Kaltim", covered_until=timezone.now()
    )
    SubscriptionMember.objects.create(subscription=subscription, agreement=of_kaltim)

    page = kaltim_client.get(admin_url(of_kaltim, "delete"))

    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Rapat TKKSD" in text  # its own records are listed, as Django lists them
    assert "Keterkaitan dengan daerah pihak: Kalimantan Timur" in text
    assert "pemberitahuan" not in text.lower()
    assert "pilihan yang diikuti" not in text.lower()
    assert not page.context["perms_lacking"]
    response = kaltim_client.post(admin_url(of_kaltim, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Agreement.objects.filter(pk=of_kaltim.pk).exists()
    assert not Notice.objects.exists()
    assert not SubscriptionMember.objects.exists()
    assert Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("which", ["of_kaltim", "of_samarinda"])
def test_editor_of_kaltim_changes_agreements_of_kaltim_and_of_samarinda(
    kaltim_client, editor_kaltim, request, which
):
    agreement = request.getfixturevalue(which)

    response = kaltim_client.post(
        change_url(agreement), agreement_form_data(agreement, title="Judul yang diperbaiki")
    )

    assert response.status_code == 302, form_errors(response)
    agreement.refresh_from_db()
    assert agreement.title == "Judul yang diperbaiki"
    assert agreement.history.latest().history_user == editor_kaltim


def test_editor_of_kaltim_adds_an_agreement_with_bali_as_a_party(kaltim_client, kaltim, bali):
    data = agreement_form_data(
        AgreementFactory.build(lead_region=kaltim), regions=[kaltim.pk, bali.pk]
    )

    response = kaltim_client.post(ADD, data)

    assert response.status_code == 302, form_errors(response)
    assert set(Agreement.objects.get().regions.all()) == {kaltim, bali}


def test_editor_of_kaltim_cannot_add_an_agreement_led_by_bali(kaltim_client, kaltim, bali):
    data = agreement_form_data(
        AgreementFactory.build(lead_region=kaltim), lead_region=bali.pk, regions=[bali.pk]
    )

    response = kaltim_client.post(ADD, data)

    assert response.status_code == 200
    message = "Pilih salah satu daerah yang ditugaskan kepada Anda sebagai daerah pengampu."
    assert response.context["adminform"].form.errors["lead_region"] == [message]
    assert not Agreement.objects.exists()


def test_editor_of_kaltim_cannot_hand_a_kaltim_agreement_over_to_bali(
    kaltim_client, of_kaltim, bali
):
    data = agreement_form_data(of_kaltim, lead_region=bali.pk)

    response = kaltim_client.post(change_url(of_kaltim), data)

    assert response.status_code == 200
    assert "lead_region" in response.context["adminform"].form.errors
    of_kaltim.refresh_from_db()
    assert of_kaltim.lead_region.name == "Kalimantan Timur"


def test_lead_region_autocomplete_offers_an_editor_only_their_regions(
    kaltim_client, kaltim, samarinda, bali
):
    assert autocomplete(kaltim_client, "agreement", "lead_region") == {
        "Kalimantan Timur",
        "Kota Samarinda",
    }
    # Any region may be a party.
    assert autocomplete(kaltim_client, "agreement", "regions") == {
        "Kalimantan Timur",
        "Kota Samarinda",
        "Bali",
    }


@pytest.mark.parametrize("model_name", ["agency", "potential"])
def test_the_region_autocomplete_of_an_agency_or_potential_offers_an_editor_their_regions(
    kaltim_client, kaltim, samarinda, bali, model_name
):
    """An editor keeps the agencies and potentials of their own regions: the form refuses any
    other region, and its autocomplete does not offer one."""
    assert autocomplete(kaltim_client, model_name, "region") == {
        "Kalimantan Timur",
        "Kota Samarinda",
    }


def test_agreement_autocomplete_of_a_milestone_offers_an_editor_only_their_agreements(
    kaltim_client, of_kaltim, of_bali
):
    assert autocomplete(kaltim_client, "milestone", "agreement") == {of_kaltim.title}


def test_follows_autocomplete_offers_another_regions_agreement_to_continue(
    kaltim_client, of_kaltim, of_bali
):
    assert autocomplete(kaltim_client, "agreement", "follows") == {of_kaltim.title, of_bali.title}


def test_an_editor_amends_or_extends_only_a_text_they_may_change(kaltim_client, of_kaltim, of_bali):
    """An amendment or an extension changes the text it follows: an editor of Kalimantan Timur
    recorded an extension of Bali's MoU, and Bali's page said it was extended (its extension
    step recorded as done). Refused, saying whose text it is; a text spawned by Bali's still
    follows it."""
    for relation in ("extends", "amends"):
        data = agreement_form_data(of_kaltim, follows=of_bali.pk, relation=relation)
        response = kaltim_client.post(change_url(of_kaltim), data)

        assert response.status_code == 200
        assert any(
            "“MoU Bali–Kaltim pariwisata” dikelola daerah Bali" in error
            for error in form_errors(response)
        ), form_errors(response)
        of_kaltim.refresh_from_db()
        assert of_kaltim.follows_id is None

    data = agreement_form_data(of_kaltim, follows=of_bali.pk, relation="spawns")
    assert kaltim_client.post(change_url(of_kaltim), data).status_code == 302
    of_kaltim.refresh_from_db()
    assert of_kaltim.follows == of_bali


def test_an_editor_carries_out_another_regions_text_only_where_their_region_is_a_party(
    kaltim_client, of_kaltim, of_bali, bali
):
    """A text carrying out another (*Tindak lanjut*) lends it its next step: an editor of
    Kalimantan Timur recorded a PKS of theirs as carrying out an MoU of Bali and a university,
    to which Kalimantan Timur is no party, and Bali's status page said the MoU waited on the
    DPRD for a step the Kaltim editor had typed, late, in Bali's lists of what is overdue.
    Refused, saying whose text it is; a text Kalimantan Timur is party to it still carries
    out."""
    of_bali_alone = AgreementFactory(
        title="MoU Bali–Universitas Udayana", reference="BALI/2", lead_region=bali
    )
    data = with_new_milestone(
        agreement_form_data(of_kaltim, follows=of_bali_alone.pk, relation="implements", kind="pks"),
        kind="evaluation",
        title="Langkah yang diketik di Kaltim",
        due_on="2099-01-15",
        waits_on="dprd",
    )

    response = kaltim_client.post(change_url(of_kaltim), data)

    assert response.status_code == 200
    assert any(
        "“MoU Bali–Universitas Udayana” dikelola daerah Bali" in error
        for error in form_errors(response)
    ), form_errors(response)
    of_kaltim.refresh_from_db()
    assert of_kaltim.follows_id is None
    page = kaltim_client.get(of_bali_alone.get_absolute_url()).content.decode()
    assert "Langkah yang diketik di Kaltim" not in page

    data = agreement_form_data(of_kaltim, follows=of_bali.pk, relation="implements", kind="pks")
    assert kaltim_client.post(change_url(of_kaltim), data).status_code == 302, form_errors(
        kaltim_client.post(change_url(of_kaltim), data)
    )
    of_kaltim.refresh_from_db()
    assert of_kaltim.follows == of_bali


def test_inline_milestone_of_a_bali_agreement_is_unreachable(kaltim_client, of_kaltim, of_bali):
    bali_step = MilestoneFactory(agreement=of_bali, title="Rapat TKKSD Bali")

    # Its own admin page does not exist for the editor …
    assert kaltim_client.get(change_url(bali_step)).status_code == 404
    # … nor can it be slipped into a Kaltim agreement's inline.
    data = with_existing_milestone(
        agreement_form_data(of_kaltim), bali_step, title="Diubah lewat Kaltim"
    )
    response = kaltim_client.post(change_url(of_kaltim), data)

    assert response.status_code == 200
    assert form_errors(response)
    bali_step.refresh_from_db()
    assert bali_step.title == "Rapat TKKSD Bali"
    assert bali_step.agreement == of_bali


def test_an_inline_row_naming_another_agreements_step_is_refused_not_left_out(
    kaltim_client, of_kaltim, of_bali
):
    """A row posted with a Bali step's key, under the Kaltim agreement it is posted with: the
    form says the row is wrong and saves nothing, not the rest of the form without a word."""
    bali_step = MilestoneFactory(agreement=of_bali, title="Rapat TKKSD Bali")
    data = with_existing_milestone(
        agreement_form_data(of_kaltim),
        bali_step,
        agreement=of_kaltim.pk,
        title="Diubah lewat Kaltim",
    )
    data["title"] = "MoU Kaltim–Anhui, diubah"
    response = kaltim_client.post(change_url(of_kaltim), data)

    assert response.status_code == 200
    assert form_errors(response)
    of_kaltim.refresh_from_db()
    bali_step.refresh_from_db()
    assert (of_kaltim.title, bali_step.title) == ("MoU Kaltim–Anhui", "Rapat TKKSD Bali")
    assert not Milestone.objects.filter(title="Diubah lewat Kaltim").exists()


@pytest.mark.parametrize("saved_rows_posted", ["0", "-1"])
def test_a_saved_step_posted_as_a_new_row_is_refused_not_copied(
    kaltim_client, of_kaltim, saved_rows_posted
):
    """The form tells its saved rows from the rows it adds by a count it posts beside them
    (``milestones-INITIAL_FORMS``). Posted lower by hand, a saved step came back as a row to
    add, its key with it, and was saved a second time beside itself. A new row carries no key:
    the row says it is not among the saved ones, and nothing is written."""
    step = MilestoneFactory(agreement=of_kaltim, title="Kunjungan ke Anhui")
    data = with_existing_milestone(agreement_form_data(of_kaltim), step)
    data["milestones-INITIAL_FORMS"] = saved_rows_posted

    response = kaltim_client.post(change_url(of_kaltim), data)

    assert response.status_code == 200
    assert (
        "Baris ini tidak ditemukan di antara baris yang tersimpan; muat ulang halaman, lalu "
        "ulangi perubahan Anda."
    ) in form_errors(response)
    assert list(Milestone.objects.filter(agreement=of_kaltim)) == [step]
    version = of_kaltim.version
    of_kaltim.refresh_from_db()
    assert of_kaltim.version == version


def test_editor_of_kaltim_lists_only_milestones_and_documents_of_their_agreements(
    kaltim_client, of_kaltim, of_bali
):
    own_step, bali_step = MilestoneFactory(agreement=of_kaltim), MilestoneFactory(agreement=of_bali)
    own_doc, bali_doc = DocumentFactory(agreement=of_kaltim), DocumentFactory(agreement=of_bali)

    assert listed(kaltim_client.get(reverse("admin:agreements_milestone_changelist"))) == {own_step}
    assert listed(kaltim_client.get(reverse("admin:agreements_document_changelist"))) == {own_doc}
    assert kaltim_client.get(change_url(bali_doc)).status_code == 404
    assert kaltim_client.get(change_url(bali_step)).status_code == 404


def test_editor_of_kaltim_cannot_attach_a_milestone_to_a_bali_agreement(kaltim_client, of_bali):
    response = kaltim_client.post(
        reverse("admin:agreements_milestone_add"),
        {"agreement": of_bali.pk, "kind": "activity", "title": "Titipan", "due_on": "2030-01-01"},
    )

    assert response.status_code == 200
    assert "agreement" in response.context["adminform"].form.errors
    assert not Milestone.objects.exists()


def test_editor_of_kaltim_records_potentials_of_their_regions_only(kaltim_client, samarinda, bali):
    tourism = SectorFactory()
    bali_potential = Potential.objects.create(region=bali, sector=tourism, title="Pantai")
    add = reverse("admin:agreements_potential_add")

    refused = kaltim_client.post(add, {"region": bali.pk, "sector": tourism.pk, "title": "Pura"})
    accepted = kaltim_client.post(
        add, {"region": samarinda.pk, "sector": tourism.pk, "title": "Wisata tepian Mahakam"}
    )

    assert "region" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    assert kaltim_client.get(change_url(bali_potential)).status_code == 404
    assert set(Potential.objects.values_list("title", flat=True)) == {
        "Pantai",
        "Wisata tepian Mahakam",
    }


def test_editor_cannot_delete_a_partner_of_another_regions_agreement(kaltim_client, kaltim, bali):
    shared = PartnerFactory(name="Pemerintah Provinsi Anhui")
    AgreementFactory(lead_region=bali, scope="ksdpl", partners=[shared])
    own = PartnerFactory(name="Salah ketik")

    kaltim_client.post(admin_url(shared, "delete"), {"post": "yes"})
    kaltim_client.post(admin_url(own, "delete"), {"post": "yes"})

    assert set(type(shared).objects.values_list("name", flat=True)) == {shared.name}


def csv_upload(*rows):
    out = io.StringIO()
    columns = ["reference", "title", "kind", "scope", "status", "lead_region_code", "region_codes"]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("kerjasama.csv", out.getvalue().encode(), content_type="text/csv")


def import_row(**values):
    return {
        "reference": "KT/2",
        "title": "Penjajakan kerja sama UMKM",
        "kind": "mou",
        "scope": "ksdd",
        "status": "exploration",
        "lead_region_code": "64",
        "region_codes": "64; 51",
        **values,
    }


def test_editor_of_kaltim_cannot_import_rows_for_a_bali_agreement(kaltim_client, of_bali):
    new_of_bali = import_row(reference="BALI/2", lead_region_code="51", region_codes="51; 64")
    taken_over = import_row(reference=of_bali.reference, title=of_bali.title, status="in_force")

    response = kaltim_client.post(
        IMPORT, {"file": csv_upload(import_row(), new_of_bali, taken_over)}
    )

    page = response.content.decode()
    assert 'name="token"' not in page  # nothing to confirm
    assert page.count("Anda tidak berhak mengubah kerja sama daerah Bali") == 2
    assert not Agreement.objects.filter(reference__in=["KT/2", "BALI/2"]).exists()
    of_bali.refresh_from_db()
    assert of_bali.lead_region.name == "Bali"


def test_editor_of_kaltim_imports_an_agreement_of_kaltim(kaltim_client, kaltim, bali):
    response = kaltim_client.post(IMPORT, {"file": csv_upload(import_row())})

    assert 'name="token"' in response.content.decode()


def json_upload(**tables):
    content = json.dumps(tables).encode()
    return SimpleUploadedFile("kerjasama.json", content, content_type="application/json")


def test_an_editor_cannot_add_or_change_a_survey_through_the_import(
    client, editor_bali, bali, kaltim, samarinda
):
    """Editors read surveys without changing them, in the import as in the admin."""
    held = PotentialSurvey.objects.create(
        title="Rakor potensi Bali", held_on=datetime.date(2023, 5, 2), host_region=bali
    )
    client.force_login(editor_bali)
    agreement = {
        "reference": "ZZBALI/9",
        "title": "ZZBALI base",
        "kind": "mou",
        "scope": "ksdd",
        "lead_region_code": "51",
        "region_codes": "51; 64",
    }
    new = {
        "title": "ZZBALI survey by editor",
        "held_on": "2024-01-01",
        "host_region_code": "51",
        "participant_codes": "51; 64; 64.72",
    }
    changed = {
        "title": held.title,
        "held_on": "2023-05-02",
        "host_region_code": "51",
        "participant_codes": "51; 64",
    }

    response = client.post(
        IMPORT, {"file": json_upload(agreements=[agreement], surveys=[new, changed])}
    )

    page = response.content.decode()
    assert 'name="token"' not in page  # nothing to confirm
    assert "Lembar surveys, baris 2: Anda tidak berhak menambah identifikasi potensi." in page
    assert (
        "Lembar surveys, baris 3: Anda tidak berhak mengubah identifikasi potensi "
        "“Rakor potensi Bali”." in page
    )
    assert list(PotentialSurvey.objects.values_list("title", flat=True)) == [held.title]
    assert not held.participants.exists()
    region_page = client.get(reverse("region-detail", args=["64"])).content.decode()
    assert "ZZBALI survey by editor" not in region_page


def test_an_editor_imports_potentials_of_their_own_regions_only(kaltim_client, samarinda, bali):
    tourism = SectorFactory(slug="tourism")
    Potential.objects.create(region=bali, sector=tourism, title="Pantai")
    potentials = [
        {"region_code": "64.72", "title": "Wisata tepian Mahakam", "sector": "tourism"},
        {"region_code": "51", "title": "Pura", "sector": "tourism"},
        {"region_code": "51", "title": "Pantai", "sector": "tourism", "description": "Diubah."},
    ]

    response = kaltim_client.post(
        IMPORT, {"file": json_upload(agreements=[import_row()], potentials=potentials)}
    )

    page = response.content.decode()
    assert 'name="token"' not in page
    assert "Lembar potentials, baris 2" not in page
    assert "Lembar potentials, baris 3: Anda tidak berhak mengubah potensi daerah" in page
    assert "Lembar potentials, baris 4: Anda tidak berhak mengubah potensi daerah" in page
    assert set(Potential.objects.values_list("title", "description")) == {("Pantai", "")}


def document_row(file, **values):
    return {
        "agreement_reference": "KT/2",
        "title": "Naskah MoU UMKM",
        "kind": "signed_text",
        "language": "id",
        "file": file,
        **values,
    }


def test_an_imported_document_cannot_take_the_file_of_another_agreements_document(
    client, kaltim_client, of_bali
):
    """Its download would check the public agreement the row names, and hand out the file of
    the internal one."""
    internal = DocumentFactory(agreement=of_bali, title="Naskah internal")
    upload = json_upload(agreements=[import_row()], documents=[document_row(internal.file.name)])

    response = kaltim_client.post(IMPORT, {"file": upload})

    page = response.content.decode()
    assert 'name="token"' not in page
    assert (
        f"Lembar documents, baris 2: Kolom file: berkas “{internal.file.name}” milik dokumen lain."
        in page
    )
    assert list(Document.objects.all()) == [internal]
    assert not Agreement.objects.filter(reference="KT/2").exists()


@pytest.mark.parametrize("how", ["document deleted", "file replaced", "agreement deleted"])
def test_an_imported_document_cannot_take_the_file_another_agreements_document_left(
    client, kaltim_client, of_bali, how
):
    """A document deleted, or given another file on its page, leaves its file in storage, under
    a name made from the one it was uploaded with: naming it for a public agreement of theirs
    would hand an editor's readers the internal text of another region's agreement."""
    internal = DocumentFactory(agreement=of_bali, title="Naskah internal")
    left = internal.file.name
    if how == "document deleted":
        internal.delete()
    elif how == "file replaced":
        internal.file = "documents/2024/pengganti.pdf"
        internal.save()
    else:
        of_bali.delete()
    upload = json_upload(agreements=[import_row()], documents=[document_row(left)])

    response = kaltim_client.post(IMPORT, {"file": upload})

    page = response.content.decode()
    assert 'name="token"' not in page
    assert f"Lembar documents, baris 2: Kolom file: berkas “{left}” milik dokumen lain." in page
    assert not Document.objects.filter(file=left).exists()
    assert not Agreement.objects.filter(reference="KT/2").exists()


def test_an_editor_imports_a_document_naming_the_file_their_own_agreement_left(
    kaltim_client, kaltim, bali
):
    """Their own agreement's file, its document deleted, may be named again (the file put back
    as it was), for that agreement or another of theirs."""
    theirs = AgreementFactory(lead_region=kaltim, reference="KT/1", visibility=INTERNAL)
    gone = DocumentFactory(agreement=theirs, title="Naskah lama")
    left = gone.file.name
    gone.delete()
    upload = json_upload(agreements=[import_row()], documents=[document_row(left)])

    response = kaltim_client.post(IMPORT, {"file": upload})

    assert 'name="token"' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "../../../../etc/passwd",
        "/etc/passwd",
        "documents/2024/../../../etc/passwd",
        "documents/../coopdb/settings.py",
        "./documents/2024/naskah.pdf",
        "documents\\..\\..\\etc\\passwd",
        "import_previews/naskah.pdf",
        "documents",
    ],
)
def test_an_imported_document_names_a_file_inside_the_documents_folder_only(kaltim_client, path):
    upload = json_upload(agreements=[import_row()], documents=[document_row(path)])

    response = kaltim_client.post(IMPORT, {"file": upload})

    page = response.content.decode()
    assert 'name="token"' not in page
    assert "Lembar documents, baris 2: Kolom file:" in page
    assert "bukan berkas dokumen tersimpan" in page
    assert not Document.objects.exists()


def test_two_imported_documents_cannot_share_one_file(kaltim_client, kaltim):
    rows = [
        document_row("documents/2025/naskah.pdf"),
        document_row("documents/2025/naskah.pdf", title="Salinan"),
    ]
    upload = json_upload(agreements=[import_row()], documents=rows)

    response = kaltim_client.post(IMPORT, {"file": upload})

    page = response.content.decode()
    assert 'name="token"' not in page
    assert (
        "Lembar documents, baris 3: Kolom file: berkas “documents/2025/naskah.pdf” sudah dipakai "
        "di baris 2." in page
    )


def export_titles(client):
    response = client.get(reverse("agreement-export", args=["csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["title"] for row in csv.DictReader(io.StringIO(text))}


def test_editor_of_kaltim_does_not_export_the_internal_bali_agreement(
    kaltim_client, of_kaltim, of_bali
):
    assert export_titles(kaltim_client) == {of_kaltim.title}


def test_status_page_links_an_editor_to_the_admin_only_for_their_own_agreements(
    kaltim_client, of_kaltim, of_bali
):
    own = kaltim_client.get(of_kaltim.get_absolute_url())
    other = kaltim_client.get(of_bali.get_absolute_url())

    assert own.context["admin_url"] == change_url(of_kaltim)
    assert other.status_code == 200  # editors read internal records
    assert other.context["admin_url"] is None
    assert "Ubah di admin" not in other.content.decode()


def test_an_administrator_who_is_not_a_superuser_changes_any_regions_agreement(
    roles, django_user_model, of_bali
):
    from django.contrib.auth.models import Group

    keeper = django_user_model.objects.create_user(username="kepala.biro", is_staff=True)
    keeper.groups.add(Group.objects.get(name="Administrator"))
    client = logged_in(keeper)

    response = client.post(change_url(of_bali), agreement_form_data(of_bali, title="Diperbaiki"))

    assert response.status_code == 302, form_errors(response)
    assert Agreement.objects.get(pk=of_bali.pk).title == "Diperbaiki"
    assert autocomplete(client, "agreement", "lead_region") == {"Kalimantan Timur", "Bali"}


# -- an official: reads everything, changes nothing ---------------------------------------------


def test_official_sees_internal_records_in_the_admin_read_only(official, of_kaltim, of_bali):
    client = logged_in(official)

    assert listed(client.get(CHANGELIST)) == {of_kaltim, of_bali}
    page = client.get(change_url(of_bali))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert client.get(admin_url(of_bali, "history")).status_code == 200


def test_official_sees_internal_records_on_the_pages(official, of_bali):
    client = logged_in(official)

    assert of_bali.title in client.get(reverse("agreement-list")).content.decode()
    assert client.get(of_bali.get_absolute_url()).status_code == 200


def official_change_requests(of_bali):
    step = MilestoneFactory(agreement=of_bali)
    return {
        "change": (change_url(of_bali), agreement_form_data(of_bali, title="Diubah pejabat")),
        "add": (ADD, agreement_form_data(of_bali, reference="BARU/1", title="Diubah pejabat")),
        "delete": (admin_url(of_bali, "delete"), {"post": "yes"}),
        "milestone": (change_url(step), {"title": "Diubah pejabat", "kind": step.kind}),
        "import": (IMPORT, {"file": csv_upload(import_row(title="Diubah pejabat"))}),
    }


@pytest.mark.parametrize("surface", ["change", "add", "delete", "milestone", "import"])
def test_every_change_an_official_posts_is_refused(official, of_bali, surface):
    url, data = official_change_requests(of_bali)[surface]

    response = logged_in(official).post(url, data)

    assert response.status_code == 403
    assert Agreement.objects.get() == of_bali
    assert Agreement.objects.get().title == "MoU Bali–Kaltim pariwisata"
    assert not Milestone.objects.filter(title="Diubah pejabat").exists()


def test_a_refusal_is_a_page_of_the_site_in_the_readers_language(official, of_bali):
    """Not Django's bare "403 Forbidden" in English: the site's own page says what happened."""
    client = logged_in(official)
    url, data = official_change_requests(of_bali)["change"]

    response = client.post(url, data)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Akses ditolak" in html and "tidak ada yang diubah" in html
    assert page_problems(html) == []

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.post(url, data).content.decode()


@pytest.mark.parametrize("confirmed", [True, False])
def test_official_cannot_bulk_delete(official, of_bali, confirmed):
    data = {"action": "delete_selected", "_selected_action": [of_bali.pk]}
    if confirmed:
        data["post"] = "yes"
    else:
        data["index"] = "0"

    response = logged_in(official).post(CHANGELIST, data)

    assert response.status_code == 403
    assert Agreement.objects.filter(pk=of_bali.pk).exists()


# -- an analyst: exports internal records --------------------------------------------------------


def test_analysts_export_holds_internal_records_and_the_officials_does_not(
    analyst, official, of_kaltim, of_bali
):
    assert export_titles(logged_in(analyst)) == {of_kaltim.title, of_bali.title}
    assert export_titles(logged_in(official)) == {of_kaltim.title}


# -- logging in ---------------------------------------------------------------------------------

LOGIN = reverse("login")
PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("who", ["editor_kaltim", "editor_bali", "official", "analyst"])
def test_every_role_user_logs_in_on_the_site_and_reads_internal_records(
    client, request, who, of_bali
):
    user = request.getfixturevalue(who)

    response = client.post(
        LOGIN, {"username": user.get_username(), "password": PASSWORD, "next": "/agreements/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/agreements/"
    page = client.get("/agreements/").content.decode()
    assert of_bali.title in page
    assert f"Masuk sebagai {user.get_username()}" in page


def test_a_signed_in_reader_asked_back_to_the_login_page_goes_to_the_dashboard(client, official):
    # The login page's own "Masuk" link, opened again once signed in (a second tab, the back
    # button): the page it asks to come back to is the login page itself.
    client.force_login(official)

    response = client.get(LOGIN, {"next": LOGIN})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_an_official_who_is_not_staff_logs_in_on_the_site_but_not_in_the_admin(
    client, analyst, of_bali
):
    client.post(LOGIN, {"username": analyst.get_username(), "password": PASSWORD})

    assert client.get(of_bali.get_absolute_url()).status_code == 200
    assert client.get(CHANGELIST).status_code == 302  # the admin's own login page


def test_staff_log_in_through_the_admin_too(client, editor_kaltim, of_kaltim):
    response = client.post(
        reverse("admin:login"),
        {"username": editor_kaltim.get_username(), "password": PASSWORD, "next": CHANGELIST},
    )

    assert response.status_code == 302
    assert listed(client.get(CHANGELIST)) == {of_kaltim}


@pytest.mark.parametrize("asked", ["", "https://elsewhere.example/", "//elsewhere.example/"])
def test_the_admins_login_leads_to_the_admin_when_the_page_asked_for_is_not_one_of_the_sites(
    client, editor_kaltim, asked
):
    """A login at ``/admin/login/?next=`` with nothing to go back to, or an address elsewhere,
    led on to Django's own default, ``/accounts/profile/``: a page that does not exist (404)."""
    response = client.post(
        reverse("admin:login") + "?next=" + asked,
        {"username": editor_kaltim.get_username(), "password": PASSWORD, "next": asked},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


def test_wrong_password_is_refused_with_a_message(client, official):
    response = client.post(LOGIN, {"username": official.get_username(), "password": "salah"})

    assert response.status_code == 200
    assert "Belum berhasil masuk" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_header_offers_login_to_a_visitor_and_logout_to_a_signed_in_reader(client, official, db):
    visitor = client.get(reverse("agreement-list")).content.decode()
    assert f'href="{LOGIN}?next=/agreements/"' in visitor

    client.force_login(official)
    reader = client.get(reverse("agreement-list")).content.decode()
    assert f'action="{reverse("logout")}"' in reader


def test_logout_returns_a_reader_to_the_public_view(client, official, of_bali):
    client.force_login(official)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert of_bali.title not in client.get(reverse("agreement-list")).content.decode()


@pytest.mark.parametrize("address", [reverse("logout"), reverse("admin:logout")])
def test_the_logout_address_opened_as_a_page_asks_to_log_out_rather_than_showing_nothing(
    client, official, address
):
    """Typed in, bookmarked or followed from an old link, the logout address was a blank page
    (405): it logs out only by its form (a POST), so it shows that form, and logs out nobody
    by being opened."""
    client.force_login(official)

    page = client.get(address)

    assert page.status_code == 200
    content = page.content.decode()
    assert "Keluar dari register" in content
    assert f'<form method="post" action="{reverse("logout")}"' in content
    assert "_auth_user_id" in client.session  # still signed in
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("address", [reverse("logout"), reverse("admin:logout")])
def test_the_logout_address_opened_once_logged_out_leads_on(client, db, address):
    response = client.get(address)

    assert response.status_code == 302


# -- documents' files in the admin, and assigning regions ----------------------------------------


def test_admin_links_a_document_file_to_its_checked_download(kaltim_client, official, of_kaltim):
    document = DocumentFactory(agreement=of_kaltim)
    download = reverse("document-download", args=[of_kaltim.pk, document.pk])

    for client in (kaltim_client, logged_in(official)):  # the file input, and read-only
        for url in (change_url(of_kaltim), change_url(document)):
            page = client.get(url).content.decode()
            assert f'href="{download}"' in page
            assert document.file.url not in page


def test_uploaded_files_have_no_address_of_their_own_even_for_staff(staff_client, of_kaltim):
    document = DocumentFactory(agreement=of_kaltim)
    assert staff_client.get(document.file.url).status_code == 404


def test_administrator_assigns_an_editor_their_regions_in_the_user_admin(
    staff_client, editor_kaltim, samarinda
):
    page = staff_client.get(change_url(editor_kaltim)).content.decode()
    assert "daerah yang disunting" in page.lower()

    response = staff_client.post(
        reverse("admin:access_regionassignment_add"),
        {"user": editor_kaltim.pk, "region": samarinda.pk},
    )

    assert response.status_code == 302
    assert set(editor_kaltim.region_assignments.values_list("region__code", flat=True)) == {
        "64",
        "64.72",
    }
