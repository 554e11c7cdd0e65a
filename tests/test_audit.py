"""Every change to agreements, their milestones and documents, and the parties (regions,
partners) is kept with who made it, when and what changed, and reads in words on the admin's
history page."""

import datetime
import re

import pytest
from django.urls import reverse

from agreements.models import Agreement
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
)
from tests.helpers import (
    admin_url,
    agreement_form_data,
    change_url,
    form_errors,
    logged_in,
    with_existing_milestone,
    with_new_milestone,
    with_new_row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(kaltim):
    return AgreementFactory(title="MoU Kaltim–Anhui", reference="KT/1", lead_region=kaltim)


@pytest.fixture
def editor(editor_kaltim):
    return logged_in(editor_kaltim)


def history_table(client, obj):
    """The change history table of ``obj``'s admin history page, whitespace collapsed."""
    response = client.get(admin_url(obj, "history"))
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    return html[html.index('id="change-history"') :]


def latest(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def changed_fields(record):
    return set(record.diff_against(record.prev_record).changed_fields)


def test_agreement_change_of_fields_and_parties_is_kept_with_its_editor(
    editor, editor_kaltim, staff_client, agreement, bali
):
    data = agreement_form_data(
        agreement, title="MoU Kaltim–Anhui (perubahan)", regions=[agreement.lead_region_id, bali.pk]
    )

    response = editor.post(change_url(agreement), data)

    assert response.status_code == 302, form_errors(response)
    record = latest(agreement)
    assert record.history_user == editor_kaltim
    assert changed_fields(record) == {"title", "regions"}
    table = history_table(staff_client, agreement)
    assert "editor.kaltim" in table
    assert "<strong>Judul:</strong> MoU Kaltim–Anhui &rarr; MoU Kaltim–Anhui (perubahan)" in table
    assert "<strong>Daerah pihak:</strong> [Kalimantan Timur] &rarr; [Bali, Kalimantan Timur]" in (
        table
    )


def test_milestone_changed_through_the_inline_is_kept_with_its_editor(
    editor, editor_kaltim, agreement
):
    step = MilestoneFactory(agreement=agreement, title="Rapat TKKSD", waits_on="tkksd")
    data = with_existing_milestone(
        agreement_form_data(agreement), step, title="Rapat TKKSD kedua", waits_on="dprd"
    )

    response = editor.post(change_url(agreement), data)

    assert response.status_code == 302, form_errors(response)
    record = latest(step)
    assert record.history_user == editor_kaltim
    assert changed_fields(record) == {"title", "waits_on"}
    table = history_table(editor, step)
    assert "editor.kaltim" in table
    assert "<strong>Judul:</strong> Rapat TKKSD &rarr; Rapat TKKSD kedua" in table
    assert "<strong>Menunggu:</strong> TKKSD &rarr; DPRD" in table


def test_milestone_added_and_deleted_through_the_inline_are_kept_with_their_editor(
    editor, editor_kaltim, agreement
):
    step = MilestoneFactory(agreement=agreement, title="Kunjungan yang batal")
    data = with_new_milestone(
        with_existing_milestone(agreement_form_data(agreement), step, DELETE="on"),
        kind="activity",
        title="Pameran bersama",
        due_on="2030-03-01",
    )

    response = editor.post(change_url(agreement), data)

    assert response.status_code == 302, form_errors(response)
    added = agreement.milestones.get()
    assert added.title == "Pameran bersama"
    assert latest(added).history_type == "+"
    assert latest(added).history_user == editor_kaltim
    deleted = step.history.filter(history_type="-").get()
    assert deleted.history_user == editor_kaltim


def test_agreement_history_page_tells_what_changed_in_its_steps_and_contact_persons(
    editor, staff_client, agreement
):
    """A save that changed only a step and a contact person says so in its row, not an empty
    "Yang berubah"."""
    step = MilestoneFactory(
        agreement=agreement,
        kind="activity",
        title="Pameran bersama",
        due_on=datetime.date(2024, 6, 1),
        waits_on="partner",
    )
    data = with_new_row(
        with_existing_milestone(agreement_form_data(agreement), step, due_on="2027-03-31"),
        "contacts",
        party="Biro Pemerintahan Setda Kaltim",
        name="Siti Rahmawati",
    )

    response = editor.post(change_url(agreement), data)

    assert response.status_code == 302, form_errors(response)
    table = history_table(staff_client, agreement)
    start = table.index("<tbody>")
    newest = table[start : table.index("</tr>", start)]
    assert "editor.kaltim" in newest
    assert (
        "<strong>Tahapan ‘Pameran bersama’, target tanggal:</strong> 1 Juni 2024 &rarr; "
        "31 Maret 2027" in newest
    )
    assert "<strong>Narahubung:</strong> — &rarr; Siti Rahmawati" in newest


def test_history_page_tells_a_date_as_precisely_as_it_was_known_before_and_after(
    editor, staff_client, agreement
):
    """A signing known to the month, then found to the day: the history says "Maret 2025 →
    10 Maret 2025", as the change log does, not "1 Maret 2025" and a line for the precision.
    A milestone's own history page words its dates the same way."""
    agreement.signed_on, agreement.signed_on_precision = datetime.date(2025, 3, 1), "month"
    agreement.in_force_from = None
    agreement.save()
    step = MilestoneFactory(
        agreement=agreement, kind="activity", title="Pameran", due_on=datetime.date(2026, 1, 1)
    )
    step.due_on_precision = "year"
    step.save()

    response = editor.post(
        change_url(agreement),
        agreement_form_data(agreement, signed_on="10/03/2025", signed_on_precision="day"),
    )
    assert response.status_code == 302, form_errors(response)
    response = editor.post(
        change_url(step),
        {"agreement": agreement.pk, "kind": "activity", "title": "Pameran", "due_on": "06/2026"},
    )
    assert response.status_code == 302, form_errors(response)

    table = history_table(staff_client, agreement)
    assert "<strong>Tanggal ditandatangani:</strong> Maret 2025 &rarr; 10 Maret 2025" in table
    assert "Ketelitian" not in table
    table = history_table(staff_client, step)
    assert "<strong>Target tanggal:</strong> 2026 &rarr; Juni 2026" in table
    assert "Ketelitian" not in table


def test_document_change_is_kept_with_its_editor(editor, editor_kaltim, agreement):
    document = DocumentFactory(agreement=agreement, title="Naskah MoU")

    response = editor.post(
        change_url(document),
        {
            "agreement": agreement.pk,
            "title": "Naskah MoU bertanda tangan",
            "kind": "signed_text",
            "language": "id+en",
        },
    )

    assert response.status_code == 302, form_errors(response)
    record = latest(document)
    assert record.history_user == editor_kaltim
    assert changed_fields(record) == {"title", "language"}
    table = history_table(editor, document)
    assert "editor.kaltim" in table
    assert "<strong>Bahasa:</strong> Indonesia &rarr; Indonesia dan Inggris" in table


def test_partner_change_is_kept_with_its_editor(editor, editor_kaltim, db):
    partner = PartnerFactory(name="Anhui", country=CountryFactory(code="CN"))

    response = editor.post(
        change_url(partner),
        {
            "name": "Pemerintah Provinsi Anhui",
            "name_local": "安徽省",
            "kind": partner.kind,
            "website": "",
            "country": "CN",
            "subdivision": "",
            "parent": "",
        },
    )

    assert response.status_code == 302, form_errors(response)
    record = latest(partner)
    assert record.history_user == editor_kaltim
    assert changed_fields(record) == {"name", "name_local"}
    table = history_table(editor, partner)
    assert "<strong>Nama:</strong> Anhui &rarr; Pemerintah Provinsi Anhui" in table


def test_region_change_is_kept_with_the_administrator(staff_client, staff_user, samarinda):
    response = staff_client.post(
        change_url(samarinda),
        {"code": "64.72", "name": "Kota Samarinda Raya", "level": "city", "province": ""},
    )
    # A city needs its province: the form refuses, and nothing is recorded …
    assert response.status_code == 200
    assert samarinda.history.count() == 1

    response = staff_client.post(
        change_url(samarinda),
        {
            "code": "64.72",
            "name": "Kota Samarinda Raya",
            "level": "city",
            "province": samarinda.province_id,
        },
    )

    # … until it is right.
    assert response.status_code == 302, form_errors(response)
    record = latest(samarinda)
    assert record.history_user == staff_user
    assert changed_fields(record) == {"name"}
    table = history_table(staff_client, samarinda)
    assert "admin" in table
    assert "<strong>Nama:</strong> Kota Samarinda &rarr; Kota Samarinda Raya" in table


def test_editors_may_read_but_not_change_regions(editor, samarinda):
    assert editor.get(change_url(samarinda)).status_code == 200
    response = editor.post(
        change_url(samarinda),
        {"code": "64.72", "name": "Diubah", "level": "city", "province": samarinda.province_id},
    )
    assert response.status_code == 403


def test_import_update_is_kept_with_the_importing_editor(editor, editor_kaltim, agreement, bali):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        "reference,title,kind,scope,status,lead_region_code,region_codes\n"
        "KT/1,MoU Kaltim–Anhui (impor),mou,ksdd,in_force,64,64; 51\n"
    )
    url = reverse("admin:agreements_agreement_import")
    preview = editor.post(url, {"file": SimpleUploadedFile("k.csv", csv.encode())})
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)

    assert editor.post(url, {"token": token}).status_code == 302

    record = latest(agreement)
    assert record.history_user == editor_kaltim
    assert changed_fields(record) == {"title", "regions"}
    assert Agreement.objects.get().version == 2


def test_history_page_tells_a_version_written_by_an_import_and_from_which_file(
    editor, agreement, staff_client
):
    """Staff reading an agreement's history tell the rows an import rewrote from the edits
    made by hand: the version says the file it came from."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor.post(change_url(agreement), agreement_form_data(agreement, title="Diubah di admin"))
    CountryFactory(code="CN")  # the partner's country, as the reference data has it
    csv = (
        "reference,title,kind,scope,status,lead_region_code,partners,partner_countries\n"
        "KT/1,Diubah lewat impor,mou,ksdpl,in_force,64,Pemerintah Provinsi Anhui,CN\n"
    )
    url = reverse("admin:agreements_agreement_import")
    preview = editor.post(url, {"file": SimpleUploadedFile("register-kaltim.csv", csv.encode())})
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    assert editor.post(url, {"token": token}).status_code == 302

    rows = history_table(staff_client, agreement).split("<tr>")[2:]

    imported, by_hand = rows[0], rows[1]
    assert "Diubah di admin &rarr; Diubah lewat impor" in imported
    assert "Impor dari register-kaltim.csv" in imported
    assert "MoU Kaltim–Anhui &rarr; Diubah di admin" in by_hand
    assert "Impor dari" not in by_hand

    search = staff_client.get(
        reverse("admin:agreements_agreement_history_search"), {"field": "title"}
    )
    found = re.sub(r"\s+", " ", search.content.decode()).split("<tbody>", 1)[1].split("<tr")
    assert "Diubah lewat impor" in found[1] and "Impor dari register-kaltim.csv" in found[1]
    assert "Impor dari" not in found[2]


def test_the_file_an_import_wrote_a_version_from_is_told_in_the_readers_language(
    editor_kaltim, agreement, staff_client
):
    """A clerk importing with the site in English and a colleague reading the history in
    Indonesian each read the reason in their own language; so does an English reader of a
    version imported in Indonesian."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    CountryFactory(code="CN")  # the partner's country, as the reference data has it
    csv = (
        "reference,title,kind,scope,status,lead_region_code,partners,partner_countries\n"
        "KT/1,Diubah lewat impor,mou,ksdpl,in_force,64,Pemerintah Provinsi Anhui,CN\n"
    )
    editor = logged_in(editor_kaltim)
    editor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("admin:agreements_agreement_import")
    preview = editor.post(url, {"file": SimpleUploadedFile("register-kaltim.csv", csv.encode())})
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    assert editor.post(url, {"token": token}).status_code == 302

    assert "Impor dari register-kaltim.csv" in history_table(staff_client, agreement)
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = history_table(staff_client, agreement)
    assert "Import from register-kaltim.csv" in english and "Impor dari" not in english
    search = staff_client.get(
        reverse("admin:agreements_agreement_history_search"), {"field": "title"}
    ).content.decode()
    assert "Import from register-kaltim.csv" in search and "Impor dari" not in search


def test_an_import_of_a_file_with_a_long_name_is_written_and_its_history_names_the_file(
    editor, agreement, staff_client
):
    """A file's name may run to 255 characters (a bureau names its sheets at length); the
    reason a version keeps holds 100, which PostgreSQL enforces: the import was answered with
    a server error once confirmed, and wrote nothing. The name is kept as much as fits."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    name = "Rekapitulasi kerja sama daerah Provinsi Kalimantan Timur " * 3 + "2024.csv"
    assert 100 < len(name) < 255
    CountryFactory(code="CN")  # the partner's country, as the reference data has it
    csv = (
        "reference,title,kind,scope,status,lead_region_code,partners,partner_countries\n"
        "KT/1,Diubah lewat impor,mou,ksdpl,in_force,64,Pemerintah Provinsi Anhui,CN\n"
    )
    url = reverse("admin:agreements_agreement_import")
    preview = editor.post(url, {"file": SimpleUploadedFile(name, csv.encode())})
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)

    assert editor.post(url, {"token": token}).status_code == 302

    agreement.refresh_from_db()
    assert agreement.title == "Diubah lewat impor"
    reason = latest(agreement).history_change_reason
    assert len(reason) == 100
    assert reason.startswith("Impor dari Rekapitulasi kerja sama daerah") and reason.endswith("…")
    assert reason in history_table(staff_client, agreement)


def test_history_page_of_an_agreement_shows_every_version_newest_first(
    editor, agreement, staff_client
):
    for title in ("Versi dua", "Versi tiga"):
        agreement.refresh_from_db()
        editor.post(change_url(agreement), agreement_form_data(agreement, title=title))

    table = history_table(staff_client, agreement)

    assert table.index("Versi dua &rarr; Versi tiga") < table.index(
        "MoU Kaltim–Anhui &rarr; Versi dua"
    )
    assert f"{agreement.history.count()} versi" in table


def test_a_past_version_can_be_read_but_not_restored(staff_client, agreement):
    first = agreement.history.earliest()
    staff_client.post(change_url(agreement), agreement_form_data(agreement, title="Versi dua"))
    url = reverse(
        "admin:agreements_agreement_simple_history", args=[agreement.pk, first.history_id]
    )

    page = staff_client.get(url)
    restore = staff_client.post(url, agreement_form_data(agreement, title="MoU Kaltim–Anhui"))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert restore.status_code == 403
    agreement.refresh_from_db()
    assert agreement.title == "Versi dua"
    # The past version is read, not typed into: its title is there, every field disabled.
    form = page.content.decode().split('id="historicalagreement_form"', 1)[1].split("</form>", 1)[0]
    fields = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    named = [field for field in fields if 'name="' in field and 'type="hidden"' not in field]
    assert 'value="MoU Kaltim–Anhui"' in form
    assert len(named) >= 10
    assert [field for field in named if " disabled" not in field] == []
    # It says it is a past version, read only, and links to no change of a related record.
    assert "“MoU Kaltim–Anhui” sebagaimana tercatat" in page.content.decode()
    assert "(hanya dibaca)" in page.content.decode()
    crumbs = page.content.decode().split('<div class="breadcrumbs">', 1)[1].split("</div>", 1)[0]
    assert "Kerja sama" in crumbs and "Versi lama" in crumbs
    assert "istorical" not in crumbs and "Agreements" not in crumbs
    assert "/delete/" not in form and 'class="related-widget-wrapper-link' not in form
    # The current record's form is still typed into.
    current = staff_client.get(change_url(agreement)).content.decode()
    assert re.search(r'<input type="text" name="title"(?![^>]* disabled)[^>]*>', current)


def test_who_changed_it_links_to_their_account_only_for_whoever_may_open_it(
    editor, editor_kaltim, staff_client, agreement
):
    """An editor may not open accounts: the name is text to them, where a link led to a bare
    "403 Forbidden"; an administrator follows it to the account."""
    response = editor.post(change_url(agreement), agreement_form_data(agreement, title="MoU baru"))
    assert response.status_code == 302, form_errors(response)
    account = reverse("admin:auth_user_change", args=[editor_kaltim.pk])

    assert "editor.kaltim" in history_table(editor, agreement)
    assert account not in history_table(editor, agreement)
    assert account in history_table(staff_client, agreement)
    assert editor.get(account).status_code == 403


def test_the_admin_switches_language_as_every_page_of_the_site_does(editor):
    """Staff reading the admin in Indonesian can turn it to English from any admin page."""
    page = reverse("admin:agreements_agreement_changelist")
    html = editor.get(page).content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html

    response = editor.post("/i18n/setlang/", {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert 'lang="en"' in editor.get(page).content.decode()
