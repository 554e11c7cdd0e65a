"""The budget of a cooperation and the contact persons of its parties: recorded in the admin,
read by officials and staff on the status page and in their exports (and imported back), and
never shown to the public: not on the page, not in an export, not in a feed."""

import csv
import decimal
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from agreements.imports import REJECT, UNCHANGED, UPDATE, AgreementImport
from agreements.models import Agreement, Contact
from tests.factories import AgreementFactory
from tests.helpers import agreement_form_data, change_url, form_errors, with_new_row

pytestmark = pytest.mark.django_db

EMAIL = "lina.kerjasama@kaltimprov.go.id"

# Phones as they are written, and what is none (``validators.validate_phone``).
PHONES_AS_WRITTEN = [
    "+62 541 123456",
    "(0541) 736 123",
    "0812-3456-7890",
    "+62 541 733333 ext. 12",
    "0541 736123 psw. 12",
    "+62 (541) 736.123",
    "112",
]
NO_PHONES = ["tanya pak budi", "-", "0812 atau 0813", "ext. 12", "12", "+62 541 1234 5678 9012 345"]
NOT_A_PHONE = "bukan nomor telepon. Tulis angkanya, boleh diawali + dan kode negara"


@pytest.fixture
def funded(kaltim):
    agreement = AgreementFactory(
        title="Kerja sama beasiswa Kalimantan Timur",
        lead_region=kaltim,
        regions=[kaltim],
        budget_amount=decimal.Decimal("1250000000.00"),
        budget_currency="IDR",
        budget_source="apbd",
    )
    Contact.objects.create(
        agreement=agreement,
        party="Biro Pemerintahan Setda Kaltim",
        name="Lina Marlina",
        office="Analis Kerja Sama",
        email=EMAIL,
        phone="+62 541 733333",
    )
    return agreement


def page_text(client, agreement):
    response = client.get(agreement.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_official_reads_the_budget_and_the_contact_persons(funded, official):
    client = Client()
    client.force_login(official)
    html = page_text(client, funded)
    assert "Anggaran dan narahubung" in html
    # Rupiah as Indonesian writes it (EYD/PUEBI), the symbol before the figure.
    assert '<abbr title="IDR">Rp</abbr>1.250.000.000,00' in html
    assert "APBD" in html
    assert "Lina Marlina, Analis Kerja Sama (Biro Pemerintahan Setda Kaltim)" in html
    assert f'href="mailto:{EMAIL}"' in html


def test_a_budget_in_another_currency_is_shown_with_its_code(funded, official):
    Agreement.objects.filter(pk=funded.pk).update(budget_currency="USD")
    client = Client()
    client.force_login(official)
    html = page_text(client, funded)
    assert "USD 1.250.000.000,00" in html
    assert "Rp</abbr>" not in html


def test_the_public_never_sees_the_budget_or_the_contact_persons_on_the_page(funded):
    html = page_text(Client(), funded)
    assert "Anggaran dan narahubung" not in html
    assert "1.250.000.000" not in html and "1250000000" not in html
    assert "Lina Marlina" not in html and EMAIL not in html


def export_text(client, file_format):
    response = client.get(reverse("agreement-export", args=[file_format]))
    assert response.status_code == 200
    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        try:
            return "\n".join(
                ",".join(str(cell) for cell in row if cell is not None)
                for row in workbook.worksheets[0].iter_rows(values_only=True)
            )
        finally:
            workbook.close()
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_no_public_export_holds_the_budget_or_the_contact_persons(funded, file_format):
    text = export_text(Client(), file_format)
    assert "Kerja sama beasiswa Kalimantan Timur" in text
    assert "budget_amount" not in text and "contact_names" not in text
    assert "1250000000" not in text
    assert "Lina Marlina" not in text and EMAIL not in text


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
@pytest.mark.parametrize("reader", ["official", "analyst", "staff_user"])
def test_the_exports_of_officials_and_staff_hold_the_budget_and_the_contact_persons(
    funded, file_format, reader, request
):
    client = Client()
    client.force_login(request.getfixturevalue(reader))
    text = export_text(client, file_format)
    # A whole amount is its digits alone, in every format (a worksheet's number cell too).
    assert "1250000000" in text and "1250000000.00" not in text
    assert "apbd" in text
    assert "Lina Marlina" in text and EMAIL in text and "Analis Kerja Sama" in text


def test_the_budget_is_a_number_a_spreadsheet_adds_up_and_comes_back_from_the_xlsx(funded, analyst):
    client = Client()
    client.force_login(analyst)
    response = client.get(reverse("agreement-export", args=["xlsx"]))
    exported = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(exported))
    try:
        sheet = workbook.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        budget = sheet.cell(row=2, column=header.index("budget_amount") + 1)
        assert budget.data_type == "n"
        assert budget.value == 1250000000
    finally:
        workbook.close()

    Agreement.objects.filter(pk=funded.pk).update(budget_amount=None)
    plan = AgreementImport.from_file(io.BytesIO(exported), "kerjasama.xlsx").apply()
    assert [row.action for row in plan.rows] == [UPDATE], [row.errors for row in plan.rows]
    funded.refresh_from_db()
    assert funded.budget_amount == decimal.Decimal("1250000000.00")


def test_an_officials_export_pairs_each_contact_with_its_office_and_address(funded, official):
    client = Client()
    client.force_login(official)
    (record,) = json.loads(export_text(client, "json"))["agreements"]
    assert (record["budget_amount"], record["budget_currency"], record["budget_source"]) == (
        "1250000000",
        "IDR",
        "apbd",
    )
    assert record["contact_names"] == ["Lina Marlina"]
    assert record["contact_parties"] == ["Biro Pemerintahan Setda Kaltim"]
    assert record["contact_emails"] == [EMAIL]
    assert record["contact_phones"] == ["+62 541 733333"]


def test_the_budget_and_contacts_come_back_from_an_officials_export(funded, analyst):
    client = Client()
    client.force_login(analyst)
    exported = export_text(client, "csv").encode("utf-8")
    Agreement.objects.filter(pk=funded.pk).update(budget_amount=None, budget_source="")
    funded.contacts.all().delete()
    plan = AgreementImport.from_file(io.BytesIO(exported), "kerjasama.csv").apply()
    assert [row.action for row in plan.rows] == [UPDATE], [row.errors for row in plan.rows]
    funded.refresh_from_db()
    assert funded.budget_amount == decimal.Decimal("1250000000.00")
    assert funded.budget_source == "apbd"
    contact = funded.contacts.get()
    assert (contact.name, contact.email, contact.phone) == ("Lina Marlina", EMAIL, "+62 541 733333")
    plan = AgreementImport.from_file(io.BytesIO(exported), "kerjasama.csv").plan()
    assert [row.action for row in plan.rows] == [UNCHANGED]


def csv_cells(client):
    """{column: cell} of the one agreement of the CSV download ``client`` gets."""
    header, row = csv.reader(io.StringIO(export_text(client, "csv").lstrip("\ufeff")))
    return dict(zip(header, row, strict=True))


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("1250000000.00", "1250000000"),
        ("0.00", "0"),
        ("1250000.50", "1250000.50"),
        ("99999999.99", "99999999.99"),
    ],
)
def test_a_whole_budget_is_downloaded_as_digits_any_spreadsheet_reads_as_a_number(
    funded, analyst, amount, written
):
    """A spreadsheet with Indonesian settings reads "1250000000.00" as text, the dot being its
    thousands separator; "1250000000" it reads as the number in every locale. An amount with
    cents keeps its decimal point (docs/data-dictionary.md), and each comes back unchanged."""
    Agreement.objects.filter(pk=funded.pk).update(budget_amount=decimal.Decimal(amount))
    client = Client()
    client.force_login(analyst)
    cells = csv_cells(client)
    assert (cells["budget_amount"], cells["budget_currency"]) == (written, "IDR")
    exported = export_text(client, "csv").encode("utf-8")
    plan = AgreementImport.from_file(io.BytesIO(exported), "kerjasama.csv").plan()
    assert [row.action for row in plan.rows] == [UNCHANGED], [row.changes for row in plan.rows]


@pytest.mark.parametrize("currency", ["IDR", "USD"])
def test_no_currency_is_downloaded_where_no_budget_is_recorded_and_it_comes_back_unchanged(
    funded, analyst, currency
):
    """A currency beside no amount read as a budget in rupiah that nobody recorded."""
    Agreement.objects.filter(pk=funded.pk).update(budget_amount=None, budget_currency=currency)
    client = Client()
    client.force_login(analyst)
    cells = csv_cells(client)
    assert (cells["budget_amount"], cells["budget_currency"]) == ("", "")
    (record,) = json.loads(export_text(client, "json"))["agreements"]
    assert (record["budget_amount"], record["budget_currency"]) == ("", "")
    for file_format in ("csv", "json"):
        exported = export_text(client, file_format).encode("utf-8")
        plan = AgreementImport.from_file(io.BytesIO(exported), f"k.{file_format}").plan()
        assert [row.action for row in plan.rows] == [UNCHANGED], [r.changes for r in plan.rows]
    funded.refresh_from_db()
    assert funded.budget_currency == currency


def test_a_blank_currency_beside_an_amount_is_the_rupiah(funded):
    header = ["reference", "title", "kind", "scope", "lead_region_code", "budget_amount"]
    header.append("budget_currency")
    Agreement.objects.filter(pk=funded.pk).update(budget_currency="USD")
    values = [funded.reference, funded.title, funded.kind, funded.scope, "64", "5000", ""]
    (row,) = AgreementImport(header, [(2, dict(zip(header, values, strict=True)))]).plan().rows
    assert row.action == UPDATE, row.errors
    assert row.instance.budget_currency == "IDR"


def test_the_import_refuses_a_budget_that_is_no_amount(kaltim):
    header = ["title", "kind", "scope", "lead_region_code", "budget_amount", "budget_currency"]
    for amount, currency in (("1,5 miliar", "IDR"), ("-5", "IDR"), ("100", "RUPIAH")):
        values = ["Kerja sama", "mou", "ksdd", "64", amount, currency]
        (row,) = AgreementImport(header, [(2, dict(zip(header, values, strict=True)))]).plan().rows
        assert row.action == REJECT, (amount, currency)


@pytest.mark.parametrize("written", ["1.25E+11", "1,25E+11", "1.23457e+11"])
def test_a_budget_a_spreadsheet_rounded_to_powers_of_ten_is_refused_not_stored_rounded(
    staff_client, funded, written
):
    """Rp 125,000,000,000.00 in a CSV saved again from a column of the General format comes back
    as 1.25E+11, or 1.23457E+11 for a less round one: read as a number, the budget stored would
    be rounded to six figures without a word. The preview refuses it at its column."""
    header = ["reference", "title", "kind", "scope", "lead_region_code", "budget_amount"]
    row = [funded.reference, funded.title, funded.kind, funded.scope, "64", f'"{written}"']
    content = (",".join(header) + "\n" + ",".join(row) + "\n").encode()
    upload = SimpleUploadedFile("anggaran.csv", content)
    response = staff_client.post(reverse("admin:agreements_agreement_import"), {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert f"Kolom budget_amount: “{written}” ditulis dalam pangkat sepuluh" in text
    assert 'name="token"' not in text
    before = funded.budget_amount
    funded.refresh_from_db()
    assert funded.budget_amount == before


@pytest.mark.parametrize("currency", ["123", "U$D", "ÜSD", "RUP", "ABC", "rup", "Rupiah"])
def test_the_import_refuses_a_currency_the_register_cannot_store_in_its_preview(
    staff_client, funded, currency
):
    """A currency of three characters that are not three letters ("123", "U$D") passed the
    import's preview as a change to confirm; the confirmation then met the database's rule and
    answered 409 with PostgreSQL's own words and a dump of the row. The preview refuses it at
    its column, as it refuses "RUPIAH", and nothing can be confirmed. So is one of three
    capitals that ISO 4217 has no currency for ("RUP", "ABC"), which was stored."""
    header = ["reference", "title", "kind", "scope", "lead_region_code", "budget_currency"]
    row = [funded.reference, funded.title, funded.kind, funded.scope, "64", currency]
    content = (",".join(header) + "\n" + ",".join(row) + "\n").encode()
    upload = SimpleUploadedFile("anggaran.csv", content)
    response = staff_client.post(reverse("admin:agreements_agreement_import"), {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert f"Kolom budget_currency: “{currency}” bukan kode ISO 4217" in text
    assert 'name="token"' not in text
    # Said once, by its column, as the admin's form says it: not again as too long.
    assert "paling banyak 3 karakter" not in text
    funded.refresh_from_db()
    assert funded.budget_currency == "IDR"


def test_the_currencies_are_iso_4217s_codes():
    """The shipped list (``partners/data/currencies.csv``) holds the codes budgets are
    recorded in, and none of three capitals that is no currency."""
    from partners.currencies import currency_codes

    codes = currency_codes()
    assert {"IDR", "USD", "CNY", "JPY", "EUR", "KRW", "AUD", "SGD", "MYR"} <= codes
    assert not {"RUP", "RMB", "ABC", "idr"} & codes
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in codes)


@pytest.mark.parametrize(
    ("currency", "name"), [("XCG", "Caribbean Guilder"), ("ZWG", "Zimbabwe Gold")]
)
def test_a_budget_in_a_currency_iso_4217_added_lately_is_recorded(
    staff_client, funded, currency, name
):
    """ISO 4217 added the Caribbean guilder (XCG, Curaçao and Sint Maarten, from March 2025)
    and Zimbabwe Gold (ZWG, in 2024); the shipped list, older, refused a budget of a
    cooperation with Willemstad or Harare in them as "bukan kode mata uang ISO 4217". The
    admin's form records it; the list names it as ISO does, and keeps the currencies they
    replaced for budgets recorded before (ANG, ZWL), as the other withdrawn ones (HRK, BGN)."""
    data = agreement_form_data(funded, budget_currency=currency.lower())
    response = staff_client.post(change_url(funded), data)
    assert response.status_code == 302, form_errors(response)
    funded.refresh_from_db()
    assert funded.budget_currency == currency

    from partners.currencies import TABLE

    with TABLE.open(encoding="utf-8", newline="") as handle:
        names = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    assert names[currency] == name
    assert {"ANG", "ZWL", "HRK", "BGN"} <= set(names)


def test_no_feed_holds_the_budget_or_the_contact_persons(funded):
    response = Client().get("/feeds/agreements.atom")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kerja sama beasiswa Kalimantan Timur" in text
    assert "1250000000" not in text and "1.250.000.000" not in text
    assert "Lina Marlina" not in text and EMAIL not in text


def test_staff_record_the_budget_and_contacts_in_the_change_form(staff_client, funded):
    html = staff_client.get(
        reverse("admin:agreements_agreement_change", args=[funded.pk])
    ).content.decode()
    for name in ("budget_amount", "budget_currency", "budget_source"):
        assert f'name="{name}"' in html
    assert f'value="{EMAIL}"' in html
    assert "PP 28/2018: kerja sama daerah didanai dari APBD" in html


def test_a_negative_budget_or_an_unknown_currency_is_refused_by_the_database(funded):
    for values in ({"budget_amount": decimal.Decimal("-1")}, {"budget_currency": "idr"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.filter(pk=funded.pk).update(**values)


def import_preview(client, content, filename):
    """The admin's preview of an uploaded file, as the clerk reads it."""
    upload = SimpleUploadedFile(filename, content)
    response = client.post(reverse("admin:agreements_agreement_import"), {"file": upload})
    return response.status_code, response.content.decode()


def with_phone_as_a_number(exported, phone):
    """The XLSX download with its contact's phone typed again as a number, as a clerk does."""
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("contact_phones") + 1).value = phone
    saved = io.BytesIO()
    workbook.save(saved)
    return saved.getvalue()


def test_a_phone_a_spreadsheet_turned_into_a_number_comes_back_as_the_phone_it_was(
    funded, analyst, staff_client
):
    """081234567890 opened in a spreadsheet is the number 81234567890: saved as CSV, or typed
    into an XLSX cell, it came back as "81234567890" and the preview said the contacts changed.
    It is the agreement's stored phone, leading 0 and all."""
    funded.contacts.update(phone="081234567890")
    client = Client()
    client.force_login(analyst)
    csv_text = export_text(client, "csv")
    assert ",081234567890," in csv_text
    saved_by_excel = csv_text.replace(",081234567890,", ",81234567890,").encode("utf-8")
    response = client.get(reverse("agreement-export", args=["xlsx"]))
    typed = with_phone_as_a_number(b"".join(response.streaming_content), 81234567890)
    for content, filename in ((saved_by_excel, "kerjasama.csv"), (typed, "kerjasama.xlsx")):
        plan = AgreementImport.from_file(io.BytesIO(content), filename).plan()
        assert [(row.action, row.changes) for row in plan.rows] == [(UNCHANGED, [])], filename
        assert plan.rows[0].contacts[0][-1] == "081234567890"
        status, page = import_preview(staff_client, content, filename)
        assert status == 200 and "Tidak berubah" in page, filename


def test_a_phone_stored_with_its_country_code_typed_as_a_number_comes_back_as_stored(
    funded, analyst
):
    """+62 812-3456-7890 typed again into an XLSX cell as 6281234567890, a number: its digits
    are the stored phone's, which comes back as it was written."""
    funded.contacts.update(phone="+62 812-3456-7890")
    client = Client()
    client.force_login(analyst)
    response = client.get(reverse("agreement-export", args=["xlsx"]))
    typed = with_phone_as_a_number(b"".join(response.streaming_content), 6281234567890)
    plan = AgreementImport.from_file(io.BytesIO(typed), "kerjasama.xlsx").plan()
    assert [(row.action, row.changes) for row in plan.rows] == [(UNCHANGED, [])]
    assert plan.rows[0].contacts[0][-1] == "+62 812-3456-7890"


@pytest.mark.parametrize(
    ("written", "filename"),
    [
        (81298765432, "kerjasama.xlsx"),  # typed as a number: 081298765432, or +81 298765432?
        (6281298765432, "kerjasama.xlsx"),  # +6281298765432 typed into a cell
        ("81298765432", "kerjasama.csv"),
        ("8,12988E+11", "kerjasama.csv"),  # past eleven digits, as the CSV is saved
    ],
)
def test_a_phone_a_spreadsheet_turned_into_a_number_the_register_does_not_hold_is_refused(
    funded, analyst, staff_client, written, filename
):
    """A new number has nothing to tell 0812… from +81 2…: the row is refused, naming the
    column, the value and how to type it, rather than a wrong phone stored."""
    client = Client()
    client.force_login(analyst)
    if filename.endswith(".xlsx"):
        response = client.get(reverse("agreement-export", args=["xlsx"]))
        content = with_phone_as_a_number(b"".join(response.streaming_content), written)
    else:
        content = (
            export_text(client, "csv")
            .replace("'+62 541 733333", written if "," not in written else f'"{written}"')
            .encode("utf-8")
        )
    status, page = import_preview(staff_client, content, filename)
    assert status == 400
    text = " ".join(page.split())
    assert "Kolom contact_phones: “" in text
    assert "terbaca sebagai angka, bukan nomor telepon" in text
    assert "Ketik nomornya sebagai teks (mis. 081234567890 atau +6281234567890)" in text
    assert NOT_A_PHONE not in text  # said once, by its column
    (row,) = AgreementImport.from_file(io.BytesIO(content), filename).plan().rows
    assert row.action == REJECT and row.number == 2
    funded.refresh_from_db()
    assert funded.contacts.get().phone == "+62 541 733333"


@pytest.mark.parametrize(
    "phone", ["14045", "1500123", "0541 733333", "+62 541 733333", *PHONES_AS_WRITTEN]
)
def test_a_service_number_or_a_phone_written_as_text_is_read_as_it_is(kaltim, phone):
    header = ["title", "kind", "scope", "lead_region_code", "contact_names", "contact_parties"]
    header.append("contact_phones")
    values = ["Kerja sama", "mou", "ksdd", "64", "Lina", "Biro", phone]
    (row,) = AgreementImport(header, [(2, dict(zip(header, values, strict=True)))]).plan().rows
    assert row.contacts[0][-1] == phone, row.errors
    assert not [error for error in row.errors if "telepon" in error], row.errors


# -- a contact's phone is a phone number ---------------------------------------------------------


def with_contact(agreement, phone):
    data = agreement_form_data(agreement)
    return with_new_row(data, "contacts", party="Biro Kerja Sama", name="Budi", phone=phone)


@pytest.mark.parametrize("phone", NO_PHONES)
def test_a_phone_that_is_no_phone_number_is_refused_in_the_change_form(staff_client, funded, phone):
    """ "tanya pak budi" was stored as a contact's phone; no one can call it."""
    response = staff_client.post(change_url(funded), with_contact(funded, phone))

    assert response.status_code == 200
    assert f"“{phone}” {NOT_A_PHONE}" in " ".join(form_errors(response))
    assert list(funded.contacts.values_list("phone", flat=True)) == ["+62 541 733333"]


@pytest.mark.parametrize("phone", PHONES_AS_WRITTEN)
def test_a_phone_written_as_people_write_one_is_recorded_in_the_change_form(
    staff_client, funded, phone
):
    response = staff_client.post(change_url(funded), with_contact(funded, phone))

    assert response.status_code == 302, form_errors(response)
    assert funded.contacts.get(name="Budi").phone == phone


def test_the_import_refuses_a_phone_that_is_no_phone_number_naming_the_contact(kaltim):
    header = ["title", "kind", "scope", "lead_region_code", "contact_names", "contact_parties"]
    header.append("contact_phones")
    values = ["Kerja sama", "mou", "ksdd", "64", "Lina; Budi", "Biro; Biro", "0541 733333; tanya"]
    (row,) = AgreementImport(header, [(2, dict(zip(header, values, strict=True)))]).plan().rows

    assert row.action == REJECT
    assert f"narahubung “Budi”, telepon: “tanya” {NOT_A_PHONE}" in " ".join(row.errors)


def with_existing_contact(data, contact, **changes):
    """``data`` with ``contact`` as an existing row of the inline, as the form shows it."""
    index = int(data["contacts-TOTAL_FORMS"])
    data["contacts-TOTAL_FORMS"] = str(index + 1)
    data["contacts-INITIAL_FORMS"] = str(int(data["contacts-INITIAL_FORMS"]) + 1)
    values = {"id": contact.pk, "agreement": contact.agreement_id, "party": contact.party}
    values.update(name=contact.name, office=contact.office, email=contact.email)
    values.update({"phone": contact.phone, **changes})
    for field, value in values.items():
        data[f"contacts-{index}-{field}"] = value
    return data


def test_a_phone_stored_before_the_rule_does_not_stop_an_edit_of_anything_else(
    staff_client, funded
):
    """A phone recorded before phones were checked ("0541 733333 / 0812 345 6789", two numbers)
    is left as it is: a clerk correcting the title saves it, never told of a phone no one
    typed; typed again, the phone is checked."""
    contact = funded.contacts.get()
    Contact.objects.filter(pk=contact.pk).update(phone="0541 733333 / 0812 345 6789")
    contact.refresh_from_db()
    data = with_existing_contact(agreement_form_data(funded, title="Beasiswa Kaltim"), contact)

    response = staff_client.post(change_url(funded), data)

    assert response.status_code == 302, form_errors(response)
    funded.refresh_from_db()
    assert funded.title == "Beasiswa Kaltim"
    assert funded.contacts.get().phone == "0541 733333 / 0812 345 6789"

    data = agreement_form_data(funded)
    response = staff_client.post(
        change_url(funded), with_existing_contact(data, contact, phone="tanya pak budi")
    )
    assert response.status_code == 200
    assert f"“tanya pak budi” {NOT_A_PHONE}" in " ".join(form_errors(response))


def test_a_download_of_a_phone_stored_before_the_rule_is_imported_back_unchanged(funded, analyst):
    """The register's own download, imported back as it is, holds the phones it holds: a row
    whose phone was recorded before phones were checked is unchanged, not refused."""
    funded.contacts.update(phone="0541 733333 / 0812 345 6789")
    client = Client()
    client.force_login(analyst)
    response = client.get(reverse("agreement-export", args=["xlsx"]))
    content = b"".join(response.streaming_content)
    plan = AgreementImport.from_file(io.BytesIO(content), "kerjasama.xlsx").plan()
    assert [(row.action, row.errors) for row in plan.rows] == [(UNCHANGED, [])]
