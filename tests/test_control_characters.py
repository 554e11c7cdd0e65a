"""Text no page, feed or spreadsheet can hold (``common.text``): a control character pasted into
a form or carried by an import file is refused with a message naming it, and one stored before
that leaves every feed readable."""

import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from agreements.models import Agreement
from common.text import PrintableText
from tests.helpers import agreement_form_data

pytestmark = pytest.mark.django_db


def test_every_model_an_editor_types_text_into_refuses_control_characters():
    """A model of the register the admin edits, with a text field, validates it."""
    typed_into = [
        model
        for model in admin.site._registry
        if model._meta.app_label in ("agreements", "partners")
        and any(
            isinstance(field, models.CharField | models.TextField)
            for field in model._meta.concrete_fields
        )
    ]
    assert Agreement in typed_into
    assert [m.__name__ for m in typed_into if not issubclass(m, PrintableText)] == []


def test_a_control_character_pasted_into_the_change_form_is_refused_at_its_field(
    staff_client, register
):
    agreement = register["anhui_mou"]
    # A word processor's soft line break is a vertical tab.
    data = agreement_form_data(agreement, summary="Pendidikan dan perdagangan\x0bdan investasi")

    response = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "karakter kendali U+000B" in page
    assert "errors field-summary" in page  # at the field, not only above the form
    agreement.refresh_from_db()
    assert "\x0b" not in agreement.summary


def test_a_summary_longer_than_a_spreadsheet_cell_holds_is_refused_at_its_field(
    staff_client, register
):
    """A whole agreement pasted into the summary: its XLSX export would hold a cell past the
    32,767 characters a spreadsheet holds, and Excel would open it only to repair it, cut."""
    agreement = register["anhui_mou"]
    data = agreement_form_data(agreement, summary="Kerja sama pendidikan." * 2000)

    response = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Teks ini terlalu panjang untuk satu sel spreadsheet: 44.000 karakter, paling banyak "
        "32.767. Persingkat teksnya; naskah lengkap dapat diunggah sebagai dokumen."
    ) in page
    assert "errors field-summary" in page
    agreement.refresh_from_db()
    assert len(agreement.summary) < 32_767


def test_a_summary_filling_a_cell_before_its_apostrophe_is_refused_at_its_field(
    staff_client, register
):
    """A summary pasted as a list ("- …") is downloaded after an apostrophe, so no spreadsheet
    runs it as a formula: of the cell's 32,767 characters it may fill 32,766."""
    agreement = register["anhui_mou"]
    summary = "- " + "a" * 32_765
    data = agreement_form_data(agreement, summary=summary)

    response = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )

    assert response.status_code == 200
    assert (
        "Teks ini terlalu panjang untuk satu sel spreadsheet: 32.767 karakter, paling banyak "
        "32.766."
    ) in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.summary != summary


@pytest.mark.parametrize(
    "character, why", [("\u202e", "a right-to-left override"), ("\u200b", "a zero-width space")]
)
def test_an_invisible_character_that_changes_how_a_title_reads_is_refused_at_its_field(
    staff_client, register, character, why
):
    """Pasted into a title, a right-to-left override shows it backwards in every list; a
    zero-width space splits a word no search then finds. The form names the character."""
    agreement = register["anhui_mou"]
    title = agreement.title
    data = agreement_form_data(agreement, title=f"MoU {character}Anhui")

    response = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )

    assert response.status_code == 200, why
    page = response.content.decode()
    assert f"karakter tak tampak U+{ord(character):04X}" in page
    assert "errors field-title" in page
    agreement.refresh_from_db()
    assert agreement.title == title


def test_the_marks_and_joiners_a_script_needs_are_kept(staff_client, register):
    """A right-to-left mark and a zero-width joiner belong to the texts that use them."""
    agreement = register["anhui_mou"]
    title = "MoU \u0645\u062f\u064a\u0646\u0629\u200f Anhui \u0915\u094d\u200d\u0937"
    data = agreement_form_data(agreement, title=title)
    response = staff_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == title


def test_an_import_file_with_a_control_character_is_refused_naming_its_row_and_column(
    staff_client, register
):
    rows = [
        "title,kind,scope,lead_region_code,status",
        "Kerja sama pariwisata,mou,ksdd,64,draft",
        "Kerja sama\x00 pendidikan,mou,ksdd,64,draft",
    ]
    before = Agreement.objects.count()

    response = staff_client.post(
        reverse("admin:agreements_agreement_import"),
        {"file": SimpleUploadedFile("kerjasama.csv", "\r\n".join(rows).encode())},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Baris 3, kolom title" in page
    assert "U+0000" in page
    assert Agreement.objects.count() == before


def test_a_control_character_stored_before_it_was_refused_leaves_the_feeds_readable(
    client, register
):
    agreement = register["anhui_mou"]
    # Saved past validation, as records were before it refused such characters: its history
    # keeps the character too.
    agreement.title = "Kerja sama Kalimantan Timur\x0b dan Anhui"
    agreement.save()

    for address in (
        "/feeds/agreements.atom",
        "/agreements/feed.atom",
        "/perubahan/feed.atom",
        f"/agreements/{agreement.pk}/feed.atom",
        "/regions/64/feed.atom",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        feed = response.content.decode()
        assert "Kerja sama Kalimantan Timur dan Anhui" in feed, address
        assert "\x0b" not in feed, address


def test_the_import_reading_refuses_the_character_before_any_lookup():
    """Refused as the file is read: on PostgreSQL a NUL in a looked-up value was a 500."""
    from agreements.imports import ImportFileError, read_table

    data = b"title,kind,scope,lead_region_code\r\nKerja sama,mou,ksdd,6\x1f4\r\n"
    with pytest.raises(ImportFileError, match="Baris 2, kolom lead_region_code"):
        read_table(io.BytesIO(data), "kerjasama.csv")


# -- files the import cannot read, or rows whose parts break the model's rules ------------------


def _upload(client, name, data):
    return client.post(
        reverse("admin:agreements_agreement_import"), {"file": SimpleUploadedFile(name, data)}
    )


def test_a_json_file_with_half_a_surrogate_pair_is_refused_naming_its_row(staff_client, register):
    data = '[{"title": "Kerja\\ud800", "kind": "mou", "scope": "ksdd", "lead_region_code": "64"}]'
    response = _upload(staff_client, "kerjasama.json", data.encode())
    assert response.status_code == 400
    assert "Baris 2, kolom title" in response.content.decode()


def test_an_xlsx_date_cell_past_any_calendar_rejects_its_row(staff_client, register):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["title", "kind", "scope", "lead_region_code", "signed_on"])
    sheet.append(["Kerja sama", "mou", "ksdd", "64", 1e10])
    sheet.cell(row=2, column=5).number_format = "yyyy-mm-dd"
    data = io.BytesIO()
    workbook.save(data)

    response = _upload(staff_client, "kerjasama.xlsx", data.getvalue())
    page = response.content.decode()
    assert response.status_code == 400
    assert "#VALUE!" in page and 'class="reject"' in page
    assert 'name="token"' not in page


def test_a_rows_new_partner_signatory_or_contact_is_held_to_its_models_rules(
    staff_client, register
):
    """Written only on confirming, they were never validated: too long for their columns (a
    500 on PostgreSQL at the confirm) or an address that is none. Now the preview rejects the
    row, naming the record and its field, and nothing can be confirmed."""
    rows = [
        "title,kind,scope,status,lead_region_code,partners,partner_countries,"
        "signatories,contact_names,contact_emails,contact_phones",
        "Kerja sama pariwisata,mou,ksdpl,preparation,64,"
        + "Kota "
        + "Panjang" * 40
        + ",CN,"
        + "Penanda " * 40
        + ",Budi,bukan-surel,"
        + "0812" * 20,
    ]
    before = Agreement.objects.count()

    response = _upload(staff_client, "kerjasama.csv", "\r\n".join(rows).encode())
    page = response.content.decode()
    assert "mitra baru “Kota PanjangPanjang" in page
    assert "penanda tangan “Penanda Penanda" in page
    assert "narahubung “Budi”, surel" in page
    assert "narahubung “Budi”, telepon" in page
    assert 'name="token"' not in page  # nothing to confirm
    assert Agreement.objects.count() == before
