"""Importing agreements from CSV/XLSX: row-by-row verdicts, all or nothing, in the admin and from
the command line."""

import csv
import datetime
import html
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from access.models import RegionAssignment, Role
from agreements.exports import csv_chunks, iter_records
from agreements.imports import CREATE, REJECT, UNCHANGED, UPDATE, AgreementImport, ImportFileError
from agreements.models import Agreement, Milestone
from partners.models import Partner
from tests.factories import (
    AgreementFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
)

COLUMNS = [
    "reference",
    "title",
    "kind",
    "scope",
    "status",
    "lead_region_code",
    "region_codes",
    "partners",
    "partner_countries",
    "sectors",
    "signed_on",
    "in_force_from",
    "expires_on",
    "follows",
    "relation",
]


def row(**changes):
    """A good row: a new KSDD MoU of Kalimantan Timur and Bali on tourism."""
    values = {
        "reference": "556/KSDD/2025",
        "title": "Kerja sama pariwisata Kalimantan Timur – Bali",
        "kind": "mou",
        "scope": "ksdd",
        "status": "in_force",
        "lead_region_code": "64",
        "region_codes": "64; 51",
        "sectors": "tourism",
        "signed_on": "2025-03-01",
        "in_force_from": "2025-03-01",
        "expires_on": "2030-02-28",
    }
    values.update(changes)
    return values


def csv_bytes(rows, columns=COLUMNS, delimiter=","):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def plan_for(rows, **kwargs):
    return AgreementImport.from_file(io.BytesIO(csv_bytes(rows, **kwargs)), "kerjasama.csv")


@pytest.fixture
def register(register_kept_for_the_module):
    """The register, written once for this module's tests."""
    return register_kept_for_the_module


# -- what a row becomes -------------------------------------------------------------------------


def test_new_row_creates_an_agreement_with_its_parties_and_sectors(register):
    plan = plan_for([row()]).apply()

    assert [r.action for r in plan.rows] == [CREATE]
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    assert agreement.lead_region == register["kaltim"]
    assert {r.code for r in agreement.regions.all()} == {"64", "51"}
    assert [s.slug for s in agreement.sectors.all()] == ["tourism"]
    assert agreement.status == Agreement.Status.IN_FORCE
    assert agreement.history.count() == 1
    # That one entry holds the parties and sectors the row gave.
    first = agreement.history.get()
    assert {link.region.code for link in first.regions.all()} == {"64", "51"}
    assert [link.sector.slug for link in first.sectors.all()] == ["tourism"]


def test_lead_region_is_made_a_party_as_in_the_admin_form(register):
    plan_for([row(region_codes="51")]).apply()

    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    assert {r.code for r in agreement.regions.all()} == {"64", "51"}


def test_row_with_a_known_reference_updates_that_agreement(register):
    mou = register["anhui_mou"]
    history = mou.history.count()
    changed = row(
        reference=mou.reference,
        title="MoU Kalimantan Timur – Anhui (diperbarui)",
        scope="ksdpl",
        status="signed",
        region_codes="64",
        partners="安徽省",
        partner_countries="CN",
        sectors="education; trade; food-security; tourism",
        signed_on="2024-06-10",
        in_force_from="2024-06-10",
        expires_on="2029-06-09",
    )

    plan = plan_for([changed]).apply()

    assert [r.action for r in plan.rows] == [UPDATE]
    assert set(plan.rows[0].changes) == {"title", "sectors"}
    mou.refresh_from_db()
    assert mou.title == "MoU Kalimantan Timur – Anhui (diperbarui)"
    assert mou.sectors.count() == 4
    assert Agreement.objects.count() == 5
    assert mou.history.count() == history + 1
    # One history record for the update, holding the new sectors.
    recorded = {link.sector.slug for link in mou.history.latest().sectors.all()}
    assert recorded == {"education", "trade", "food-security", "tourism"}


def test_an_updated_rows_history_does_not_read_the_agreement_back(
    register, django_assert_num_queries
):
    """Writing an update and its history costs a fixed number of queries, none of them reading
    the agreement just saved back once for each of its four many-to-many fields: at national
    scale an import of thousands of updates ran a third of its queries doing that. (One reads
    the steps stored for every agreement of the file, all at once, to check the row's status
    and dates against them; one the chains of the agreements it writes, all at once, to warn
    of a PKS running past its MoU.)"""
    mou = register["anhui_mou"]
    signed = mou.signed_on.isoformat()  # the day its signing step was done
    importer = plan_for(
        [
            row(
                reference=mou.reference,
                title="MoU Kalimantan Timur – Anhui 2",
                signed_on=signed,
                in_force_from=signed,
            )
        ]
    )

    with django_assert_num_queries(58):
        plan = importer.apply()

    assert [r.action for r in plan.rows] == [UPDATE]
    assert mou.history.latest().title == "MoU Kalimantan Timur – Anhui 2"


def test_row_without_reference_is_the_agreement_with_that_title_and_lead_region(register):
    campus = register["campus"]
    same = row(
        reference="",
        title=campus.title,
        kind="pks",
        scope="ksdpk",
        lead_region_code="64",
        region_codes="64; 64.72",
        partners="Universitas Mulawarman",
        partner_countries="ID",
        sectors="education",
        signed_on="2025-01-20",
        in_force_from="2025-02-01",
        expires_on="2031-01-19",
    )

    plan = plan_for([same]).apply()

    assert [r.action for r in plan.rows] == [UPDATE]
    campus.refresh_from_db()
    assert str(campus.expires_on) == "2031-01-19"
    assert [p.name for p in campus.partners.all()] == ["Universitas Mulawarman"]


def test_changed_shown_status_is_stored_even_when_a_recorded_status_is_given(register):
    formula = register["formula"]  # recorded in force, shows as expired
    rows = [
        {
            "reference": formula.reference,
            "title": formula.title,
            "kind": "mou",
            "scope": "ksdd",
            "status": "terminated",
            "recorded_status": "in_force",
            "lead_region_code": "62",
        }
    ]
    columns = [
        "reference",
        "title",
        "kind",
        "scope",
        "status",
        "recorded_status",
        "lead_region_code",
    ]

    plan_for(rows, columns=columns).apply()

    formula.refresh_from_db()
    assert formula.status == Agreement.Status.TERMINATED
    # The columns the file left out are kept.
    assert formula.regions.count() == 2
    assert str(formula.signed_on) == "2019-03-01"


def test_partner_is_matched_by_name_and_country(register):
    PartnerFactory(name="Kota Hefei", kind="foreign_city", country__code="JP")
    new = row(
        reference="LoI/2025/7",
        kind="loi",
        scope="ksdpl",
        region_codes="64",
        partners="kota hefei",
        partner_countries="CN",
        status="exploration",
        signed_on="",
        in_force_from="",
        expires_on="",
    )

    plan_for([new]).apply()

    partner = Agreement.objects.get(reference="LoI/2025/7").partners.get()
    assert partner == register["hefei"]


def test_agreement_following_a_later_row_of_the_file_is_written_after_it(register):
    pks = row(
        reference="PKS/2025/1",
        title="PKS pariwisata",
        kind="pks",
        follows="556/KSDD/2025",
        relation="implements",
    )

    plan = plan_for([pks, row()]).apply()

    assert plan.is_valid, [r.errors for r in plan.rows]
    follower = Agreement.objects.get(reference="PKS/2025/1")
    assert follower.follows.reference == "556/KSDD/2025"
    assert follower.relation == "implements"


def test_a_chain_of_follows_that_loops_is_rejected(register):
    first = row(reference="A/1", follows="A/2", relation="extends")
    second = row(reference="A/2", title="Lain", follows="A/1", relation="extends")

    plan = plan_for([first, second]).apply()

    assert not plan.is_valid
    assert Agreement.objects.filter(reference__startswith="A/").count() == 0


def test_excel_csv_with_semicolons_and_a_formula_prefix_is_read(register):
    data = csv_bytes([row(reference="'-1/2025", title="'=SUM(A1)")], delimiter=";")

    plan = AgreementImport.from_file(io.BytesIO(data), "dari-excel.csv").apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="-1/2025")
    assert agreement.title == "=SUM(A1)"


def test_xlsx_file_with_date_cells_is_read(register):
    workbook = Workbook()
    sheet = workbook.active
    values = row()
    sheet.append(COLUMNS)
    cells = [values.get(name, "") for name in COLUMNS]
    cells[COLUMNS.index("signed_on")] = datetime.datetime(2025, 3, 1)
    sheet.append(cells)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)

    plan = AgreementImport.from_file(data, "kerjasama.xlsx").apply()

    assert plan.is_valid, plan.rows[0].errors
    assert str(Agreement.objects.get(reference="556/KSDD/2025").signed_on) == "2025-03-01"


def test_xlsx_date_cells_showing_a_month_or_a_year_are_read_as_that_month_or_year(register):
    """A download's CSV opened in a spreadsheet and saved as XLSX: the spreadsheet turns the
    month "2025-03" into a date cell, the 1 March 2025 it stands for, shown as "Mar-25". It is
    read as the month it shows, as the cell said it before, not as the 1st: a re-import of the
    file changed nothing the clerk changed, yet the preview said the dates' precision changed
    and the register then showed "1 Maret 2025". A cell that shows a month but holds another
    day than the 1st keeps its day: the file knows it."""

    def workbook_bytes(cells_and_formats):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(COLUMNS)
        values = row()
        sheet.append([values.get(name, "") for name in COLUMNS])
        for name, (value, number_format) in cells_and_formats.items():
            cell = sheet.cell(row=2, column=COLUMNS.index(name) + 1, value=value)
            cell.number_format = number_format
        data = io.BytesIO()
        workbook.save(data)
        return data.getvalue()

    data = workbook_bytes(
        {
            "signed_on": (datetime.datetime(2025, 3, 1), "mmm-yy"),
            "in_force_from": (datetime.datetime(2025, 3, 17), "mmm-yy"),
            "expires_on": (datetime.datetime(2030, 1, 1), "yyyy"),
        }
    )
    plan = AgreementImport.from_file(io.BytesIO(data), "kerjasama.xlsx").apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    assert (agreement.signed_on.isoformat(), agreement.signed_on_precision) == (
        "2025-03-01",
        "month",
    )
    assert (agreement.in_force_from.isoformat(), agreement.in_force_from_precision) == (
        "2025-03-17",
        "day",
    )
    assert (agreement.expires_on.isoformat(), agreement.expires_on_precision) == (
        "2030-01-01",
        "year",
    )
    again = AgreementImport.from_file(io.BytesIO(data), "kerjasama.xlsx").plan()
    assert [(r.action, r.changes) for r in again.rows] == [(UNCHANGED, [])]


def test_a_csv_with_dates_day_first_as_an_indonesian_spreadsheet_saves_them_is_read(register):
    """A spreadsheet saved as CSV with Indonesian settings writes its dates day first: they are
    read as the admin's forms read a typed date, a month as ``05/2030``; a date no way of
    writing it reads is refused, saying which ways do."""
    plan = plan_for(
        [row(signed_on="17/05/2024", in_force_from="17-05-2024", expires_on="05/2029")]
    ).apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    assert str(agreement.signed_on) == str(agreement.in_force_from) == "2024-05-17"
    assert (str(agreement.expires_on), agreement.expires_on_precision) == ("2029-05-01", "month")

    plan = plan_for([row(reference="B/2", signed_on="05/17/2024")]).apply()
    assert not plan.is_valid
    assert (
        "Kolom signed_on: tanggal “05/17/2024” tidak valid; tulis TTTT-BB-HH atau HH/BB/TTTT, "
        "TTTT-BB atau BB/TTTT (bulan saja), atau TTTT (tahun saja)."
    ) in plan.rows[0].errors


@pytest.mark.parametrize(
    ("column", "shown", "month"),
    [
        ("signed_on", "Des-23", "2023-12"),
        ("signed_on", "Dec-23", "2023-12"),
        ("signed_on", "Agu-24", "2024-08"),
        ("signed_on", "Okt-82", "1982-10"),
        ("signed_on", "Sep-2024", "2024-09"),
        ("expires_on", "mei-31", "2031-05"),
        ("expires_on", "MAY-31", "2031-05"),
    ],
)
def test_a_csv_date_a_spreadsheet_shows_as_its_month_is_read_as_that_month(
    register, column, shown, month
):
    """A download's CSV opened in a spreadsheet and saved as CSV again: the spreadsheet turned
    the month "2023-12" into a date cell shown as "Des-23" (Indonesian) or "Dec-23" (English)
    and saved it so. It is read as that month, as the XLSX reader reads the same cell, not
    refused."""
    values = {"in_force_from": ""} if column == "signed_on" else {}
    plan = plan_for([row(**{column: shown}, **values)]).apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    date, precision = getattr(agreement, column), getattr(agreement, f"{column}_precision")
    assert (date.isoformat(), precision) == (f"{month}-01", "month")


@pytest.mark.parametrize("shown", ["23-Des", "Des-3", "Des-202", "Dez-23", "Des 23-24"])
def test_a_csv_date_that_only_looks_like_a_spreadsheets_month_is_still_refused(register, shown):
    """A day and month without a year (a cell of the format "d-mmm"), a one- or three-digit
    year, a month no language of the register names: refused, saying how to write it."""
    plan = plan_for([row(signed_on=shown)]).plan()

    assert [r.action for r in plan.rows] == [REJECT]
    assert plan.rows[0].errors == [
        f"Kolom signed_on: tanggal “{shown}” tidak valid; tulis TTTT-BB-HH atau HH/BB/TTTT, "
        "TTTT-BB atau BB/TTTT (bulan saja), atau TTTT (tahun saja)."
    ]


def test_a_date_that_cannot_be_read_is_refused_once_by_its_column(register):
    """A clerk's typo in a signing date (31 February) is refused by its column, saying how to
    write it, and only so: the row was also told to fill in the signing date it had filled in,
    the rules of an agreement in force read against a date left empty."""
    plan = plan_for([row(signed_on="31/02/2024")]).plan()

    assert [r.action for r in plan.rows] == [REJECT]
    assert plan.rows[0].errors == [
        "Kolom signed_on: tanggal “31/02/2024” tidak valid; tulis TTTT-BB-HH atau HH/BB/TTTT, "
        "TTTT-BB atau BB/TTTT (bulan saja), atau TTTT (tahun saja)."
    ]


def test_a_follows_naming_no_agreement_is_refused_once_by_its_column(register):
    """A clerk's ``follows`` naming no agreement is refused by its column, and only so: the row
    was also told to fill in ``follows`` and its relation together, or neither, beside the
    two it had filled in."""
    plan = plan_for([row(follows="MoU yang tidak ada", relation="implements")]).plan()

    assert [r.action for r in plan.rows] == [REJECT]
    assert plan.rows[0].errors == [
        "Kolom follows: kerja sama “MoU yang tidak ada” tidak ditemukan."
    ]


def test_a_status_the_column_does_not_know_is_refused_once_by_its_column(register):
    """A status typed in words the column does not take ("aktif") is refused by its column,
    listing the statuses it takes, and only so: the row was also told that "Prakarsa" means the
    text is unsigned, a status the clerk never wrote, read in place of the one refused."""
    plan = plan_for([row(status="aktif")]).plan()

    assert [r.action for r in plan.rows] == [REJECT]
    assert plan.rows[0].errors == [
        "Kolom status: nilai “aktif” tidak dikenal. Tulis salah satu dari: Prakarsa, "
        "Penjajakan, Penyiapan naskah, Ditandatangani, Berlaku, Berakhir, Diakhiri, Batal."
    ]


def test_a_party_the_row_names_and_no_record_is_refused_once_by_its_column(register):
    """A party region the register does not know (a mistyped code) is refused, and only so:
    the KSDD row was also told it names one region alone and to name the other, beside the
    other it had named."""
    plan = plan_for([row(region_codes="64; 99.99")]).plan()

    assert [r.action for r in plan.rows] == [REJECT]
    assert plan.rows[0].errors == ["Daerah “99.99” tidak dikenal."]


def test_a_region_a_bureau_sheet_names_by_its_short_form_is_that_region(register):
    """A bureau's sheet names its regions as staff write them, "Kaltim": the region the short
    form stands for, as the admin's searches and autocompletes read it, not an unknown one."""
    columns = [c for c in COLUMNS if c not in ("lead_region_code", "region_codes")]
    columns += ["lead_region_name", "region_names"]
    values = row(lead_region_name="Kaltim", region_names="Kaltim; Bali")
    del values["lead_region_code"], values["region_codes"]

    plan = plan_for([values], columns=columns).apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    assert agreement.lead_region == register["kaltim"]
    assert {r.code for r in agreement.regions.all()} == {"64", "51"}

    # Beside its code, the short form names the same region: no contradiction to refuse.
    columns = [*COLUMNS, "lead_region_name", "region_names"]
    values = row(reference="557/KSDD/2025", lead_region_name="Kaltim", region_names="Kaltim; Bali")
    plan = plan_for([values], columns=columns).apply()
    assert plan.is_valid, plan.rows[0].errors


def test_a_region_a_bureau_sheet_names_with_its_level_is_that_region(register):
    """Bureau sheets write a region with its level or as its government, "Provinsi Kalimantan
    Timur", "Kab. Kutai Kartanegara", "Pemerintah Kota Samarinda", "Pemprov Bali", as the
    admin's searches read them: each was refused as an unknown region ("Daerah “Provinsi
    Kalimantan Timur” tidak dikenal"), and beside its code as naming another region. A level
    that is not the region's own names no region."""
    columns = [c for c in COLUMNS if c not in ("lead_region_code", "region_codes")]
    columns += ["lead_region_name", "region_names"]
    values = row(
        lead_region_name="Provinsi Kalimantan Timur",
        region_names="Provinsi Kalimantan Timur; Pemerintah Kota Samarinda; Pemprov Bali",
    )
    del values["lead_region_code"], values["region_codes"]

    plan = plan_for([values], columns=columns).apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    assert agreement.lead_region == register["kaltim"]
    assert {r.code for r in agreement.regions.all()} == {"64", "64.72", "51"}

    # Beside its code, the name written with its level names the same region.
    columns = [*COLUMNS, "lead_region_name", "region_names"]
    values = row(
        reference="557/KSDD/2025",
        lead_region_name="Provinsi Kalimantan Timur",
        region_names="Provinsi Kalimantan Timur; Provinsi Bali",
    )
    plan = plan_for([values], columns=columns).plan()
    assert plan.is_valid, plan.rows[0].errors

    values = row(reference="558/KSDD/2025", lead_region_name="Kabupaten Samarinda")
    plan = plan_for([values], columns=[*COLUMNS, "lead_region_name"]).plan()
    assert not plan.is_valid
    assert any("Kabupaten Samarinda" in error for error in plan.rows[0].errors)


def test_sectors_joined_with_commas_are_refused_saying_how_to_join_them(register):
    """A bureau's sheet lists a cooperation's sectors as people write lists, "Pariwisata,
    Pendidikan": refused (a sector's own name may hold a comma), and told how the cell joins
    several, rather than only that no sector is called so."""
    plan = plan_for([row(sectors="Pariwisata, Pendidikan")]).plan()

    assert [r.action for r in plan.rows] == [REJECT]
    assert plan.rows[0].errors == [
        "Bidang “Pariwisata, Pendidikan” tidak dikenal. Beberapa bidang dalam satu sel "
        "dipisahkan dengan titik koma: “Pariwisata; Pendidikan”."
    ]


def test_party_regions_joined_with_commas_are_refused_saying_how_to_join_them(register):
    """ "64, 51" in region_codes (or "Kalimantan Timur, Bali" in region_names) was refused as
    one unknown region called so; as for sectors, the row says how a cell joins several."""
    plan = plan_for([row(region_codes="64, 51")]).plan()

    assert [r.action for r in plan.rows] == [REJECT]
    assert plan.rows[0].errors == [
        "Daerah “64, 51” tidak dikenal. Beberapa daerah dalam satu sel dipisahkan dengan titik "
        "koma: “64; 51”."
    ]


def test_a_partners_country_named_by_its_short_form_is_that_country(register):
    """A partner's country written "RRT", as Indonesian letters name China, is China, as the
    admin's searches read it, not an unknown country that refuses the row."""
    new = row(
        reference="LoI/2025/8",
        kind="loi",
        scope="ksdpl",
        region_codes="64",
        partners="kota hefei",
        partner_countries="RRT",
        status="exploration",
        signed_on="",
        in_force_from="",
        expires_on="",
    )

    plan = plan_for([new]).apply()

    assert plan.is_valid, plan.rows[0].errors
    partner = Agreement.objects.get(reference="LoI/2025/8").partners.get()
    assert partner == register["hefei"]


def test_a_region_code_a_spreadsheet_turned_into_a_number_is_read_as_that_code(register):
    """Typed 35.10 in a spreadsheet, a code is kept as the number 35.1 (and saved so in CSV):
    it is Kabupaten Banyuwangi, not an unknown region. (Its KSDD with Jawa Timur, 35 kept as
    a whole number.)"""
    jatim = ProvinceFactory(code="35", name="Jawa Timur")
    banyuwangi = RegencyFactory(code="35.10", name="Kabupaten Banyuwangi", province=jatim)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    values = row(lead_region_code=35.10, region_codes=35)
    sheet.append([values.get(name, "") for name in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)

    plan = AgreementImport.from_file(data, "kerjasama.xlsx").apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    assert agreement.lead_region == banyuwangi
    assert set(agreement.regions.all()) == {banyuwangi, jatim}


def test_a_sheet_with_its_title_above_the_column_names_is_refused_saying_where_they_are(
    register,
):
    """A bureau's sheet opens with its title ("DAFTAR KERJA SAMA …") and a blank row above the
    column names: the file was refused as missing "title, kind, scope", which it holds, and
    the clerk could not tell why. The refusal says which row holds the names."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "agreements"
    sheet.append(["DAFTAR KERJA SAMA DAERAH PROVINSI KALIMANTAN TIMUR"])
    sheet.append([])
    sheet.append(COLUMNS)
    sheet.append([row().get(column) for column in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)

    with pytest.raises(ImportFileError) as refused:
        AgreementImport.from_file(data, "kerjasama.xlsx").plan()

    assert "baris 3" in str(refused.value)
    assert "baris pertama" in str(refused.value)
    # So is a CSV saved from it with Indonesian settings, ";" between its cells.
    data = csv_bytes([row()], delimiter=";").decode("utf-8-sig")
    data = "DAFTAR KERJA SAMA DAERAH PROVINSI KALIMANTAN TIMUR\r\n\r\n" + data
    with pytest.raises(ImportFileError, match="baris 3"):
        AgreementImport.from_file(io.BytesIO(data.encode()), "kerjasama.csv").plan()


def test_file_without_required_columns_is_refused_as_a_whole(register):
    data = csv_bytes([{"reference": "X"}], columns=["reference"])

    with pytest.raises(ImportFileError, match="title, kind, scope, lead_region_code"):
        AgreementImport.from_file(io.BytesIO(data), "kerjasama.csv")


@pytest.mark.parametrize("header", ["title", "Title "])
def test_file_naming_a_column_twice_is_refused_as_a_whole_saying_which(register, header):
    """A column copied beside itself: which of the two is the title? Neither is guessed (the
    second would have replaced every title the first gave)."""
    data = "\ufeff" + ",".join([*COLUMNS, header]) + "\n"
    data += ",".join([*(row().get(column, "") for column in COLUMNS), "Salinan"]) + "\n"

    with pytest.raises(ImportFileError) as refused:
        AgreementImport.from_file(io.BytesIO(data.encode()), "kerjasama.csv")

    assert str(refused.value) == "Kolom title tercantum lebih dari sekali; hapus salinannya."
    assert not Agreement.objects.filter(title="Salinan").exists()


def test_a_json_object_naming_a_column_twice_is_refused_as_a_whole_saying_which(register):
    """The JSON file's own way of a column copied beside itself: an object with a name twice.
    The second silently replaced the first (the title "Salinan" was written); as of a CSV or
    XLSX file, neither is guessed and nothing is written."""
    data = json.dumps({"agreements": [row()]}).replace(
        '"title": ', '"title": "Salinan", "title": ', 1
    )

    with pytest.raises(ImportFileError) as refused:
        AgreementImport.from_file(io.BytesIO(data.encode()), "kerjasama.json")

    assert str(refused.value) == "Kolom title tercantum lebih dari sekali; hapus salinannya."
    assert not Agreement.objects.filter(title="Salinan").exists()


def test_a_json_file_giving_a_sheet_twice_is_refused_as_a_whole(register):
    """Two lists under one name ("agreements" twice, the second pasted after the first): the
    first was read past without a word, its rows never written while the second's were."""
    first = json.dumps([row(title="Yang pertama")])
    second = json.dumps([row(reference="B/2", title="Yang kedua")])
    data = f'{{"agreements": {first}, "agreements": {second}}}'

    with pytest.raises(ImportFileError) as refused:
        AgreementImport.from_file(io.BytesIO(data.encode()), "kerjasama.json")

    assert str(refused.value) == (
        "Daftar agreements tercantum lebih dari sekali dalam berkas JSON; gabungkan isinya "
        "menjadi satu daftar."
    )
    assert not Agreement.objects.filter(title__startswith="Yang ").exists()


UNREADABLE_FILES = {
    "a cell past the CSV reader's limit": (
        "rusak.csv",
        csv_bytes([row(title="x" * 200_000)]),
        "Berkas CSV tidak dapat dibaca: sel di baris 2 lebih panjang dari 131072 karakter; "
        "periksa tanda petik yang tidak ditutup.",
    ),
    "a quote never closed": (
        "rusak.csv",
        csv_bytes([row()]) + b'"' + b"x\n" * 100_000,
        "Berkas CSV tidak dapat dibaca: sel di baris 3 lebih panjang dari 131072 karakter; "
        "periksa tanda petik yang tidak ditutup.",
    ),
    "JSON cut short": (
        "rusak.json",
        b'[\n  {"reference": "1",\n   "title": }\n]',
        "Berkas JSON tidak dapat dibaca: penulisannya salah di baris 3, kolom 13.",
    ),
    "JSON not in UTF-8": (
        "rusak.json",
        '[{"title": "Kerja sama Bandung–Braunschweig"}]'.encode("cp1252"),
        "Berkas JSON harus dalam pengodean UTF-8.",
    ),
    "JSON nested past any depth": (
        "dalam.json",
        b"[" * 100_000 + b"]" * 100_000,
        "Berkas JSON tidak dapat dibaca: isinya bersarang terlalu dalam.",
    ),
    "JSON number past Python's digits": (
        "angka.json",
        b'[{"budget_amount": ' + b"9" * 5000 + b"}]",
        "Berkas JSON tidak dapat dibaca: memuat angka yang terlalu panjang.",
    ),
}


@pytest.mark.parametrize("case", UNREADABLE_FILES, ids=list(UNREADABLE_FILES))
def test_a_file_that_cannot_be_read_is_refused_saying_where_in_the_readers_words(register, case):
    """Never the reader library's own English ("field larger than field limit", "Expecting
    value: line 3 column 13"): where the file breaks, and how, in the site's words."""
    name, data, said = UNREADABLE_FILES[case]

    with pytest.raises(ImportFileError) as refused:
        AgreementImport.from_file(io.BytesIO(data), name)

    assert str(refused.value) == said


def test_file_with_a_header_and_no_rows_is_refused(register):
    with pytest.raises(ImportFileError, match="tanpa kerja sama"):
        AgreementImport.from_file(io.BytesIO(csv_bytes([])), "kosong.csv")


def test_file_that_is_not_csv_or_xlsx_is_refused(register):
    with pytest.raises(ImportFileError):
        AgreementImport.from_file(io.BytesIO(b"%PDF"), "naskah.pdf")
    with pytest.raises(ImportFileError):
        AgreementImport.from_file(io.BytesIO(b"not a zip"), "rusak.xlsx")


def xlsx_with_part(part, replace=None):
    """A good one-row XLSX file whose ``part`` is ``replace``d, or left out (None)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append([row().get(name, "") for name in COLUMNS])
    good = io.BytesIO()
    workbook.save(good)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == part:
                if replace is None:
                    continue
                data = replace(data)
            archive.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
BROKEN_XLSX = {
    "a sheet cut short": (SHEET, lambda data: data[:200]),
    "a sheet that is no XML": (SHEET, lambda data: b"\x00\x01"),
    "the workbook part cut short": ("xl/workbook.xml", lambda data: data[:40]),
    "the styles cut short": ("xl/styles.xml", lambda data: data[:40]),
    "an entity the sheet does not define": (
        SHEET,
        lambda data: (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
            + data.replace(b"<t>title</t>", b"<t>&e;</t>")
        ),
    ),
    "a cell address past the last column": (
        SHEET,
        lambda data: data.replace(b'r="A2"', b'r="ZZZZZZ2"'),
    ),
    "a row numbered with letters": (SHEET, lambda data: data.replace(b'r="2"', b'r="dua"')),
    "a shared text past the file's table of them": (
        SHEET,
        lambda data: re.sub(
            rb'<c r="A2" t="inlineStr"><is><t>[^<]*</t></is></c>',
            b'<c r="A2" t="s"><v>7</v></c>',
            data,
        ),
    ),
    "a sheet in an encoding there is none of": (
        SHEET,
        lambda data: b'<?xml version="1.0" encoding="UTF-8-1"?>' + data.split(b"?>", 1)[-1],
    ),
    "a number format that is no number": (
        "xl/styles.xml",
        lambda data: data.replace(b'numFmtId="0"', b'numFmtId="nol"', 1),
    ),
    "the only sheet missing": (SHEET, None),
}


@pytest.mark.parametrize("case", BROKEN_XLSX, ids=list(BROKEN_XLSX))
def test_an_xlsx_whose_parts_are_broken_is_refused_as_unreadable(staff_client, register, case):
    """A zip that opens but holds no sound workbook is refused in words, a 400, not a server
    error, whether opening the workbook or reading its rows finds it out."""
    part, replace = BROKEN_XLSX[case]
    data = xlsx_with_part(part, replace)
    with pytest.raises(ImportFileError, match="Berkas XLSX tidak dapat dibaca"):
        AgreementImport.from_file(io.BytesIO(data), "rusak.xlsx")

    file = SimpleUploadedFile("rusak.xlsx", data)
    response = staff_client.post(reverse("admin:agreements_agreement_import"), {"file": file})

    assert response.status_code == 400
    assert "Berkas XLSX tidak dapat dibaca" in response.content.decode()


# -- one bad row: nothing written ---------------------------------------------------------------

BAD_ROWS = {
    "unknown region": (row(reference="B/1", region_codes="64; 99"), "“99”"),
    "unknown sector": (row(reference="B/1", sectors="tourism; astrologi"), "astrologi"),
    "unknown partner without a country to create it in": (
        row(reference="B/1", scope="ksdpl", partners="Provinsi Atlantis"),
        "isi partner_countries",
    ),
    "bad date": (row(reference="B/1", signed_on="31/02/2025"), "31/02/2025"),
    "expiry before signing": (
        row(reference="B/1", expires_on="2024-01-01"),
        "Tanggal berakhir tidak boleh sebelum tanggal ditandatangani",
    ),
    "expiry before entry into force": (
        row(reference="B/1", in_force_from="2025-06-01", expires_on="2025-05-31"),
        "Tanggal berakhir tidak boleh sebelum tanggal mulai berlaku",
    ),
    "duplicate reference": (row(title="Salinan"), "baris 2"),
    "scope inconsistent with parties": (row(reference="B/1", scope="ksdpl"), "tidak sesuai"),
    "KSDD of its lead region alone": (
        row(reference="B/1", region_codes="64"),
        "daerah pihak: Kerja sama antardaerah (KSDD) adalah kerja sama antara dua daerah atau "
        "lebih, tetapi hanya satu daerah pihak yang disebut (Kalimantan Timur): sebutkan juga "
        "daerah mitranya.",
    ),
    "KSDD naming no region besides its lead": (
        row(reference="B/1", region_codes=""),
        "hanya satu daerah pihak yang disebut (Kalimantan Timur)",
    ),
    "KSDPL naming no partner": (
        row(reference="B/1", scope="ksdpl", kind="sister_province", region_codes="64"),
        "Kerja sama dalam lingkup “KSDPL — dengan pemerintah daerah di luar negeri” memerlukan "
        "mitra, tetapi tidak ada mitra yang disebut: sebutkan mitranya.",
    ),
    "unknown kind": (row(reference="B/1", kind="perjanjian"), "perjanjian"),
    "unsigned status with a signing date": (row(reference="B/1", status="exploration"), "Status"),
    "expired while its term still runs": (
        row(reference="B/1", status="expired", expires_on="2099-12-31"),
        "status: Status “Berakhir” berarti jangka waktu kerja sama sudah habis, tetapi kerja sama "
        "ini berlaku sampai 31 Desember 2099. Kerja sama yang diakhiri sebelum jangka waktunya "
        "habis berstatus “Diakhiri”; bila belum diakhiri, pilih “Berlaku”.",
    ),
    "expired without an expiry": (
        row(reference="B/1", status="expired", expires_on=""),
        "tetapi tanggal berakhirnya tidak diisi: isi tanggal berakhir.",
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_one_bad_row_among_good_ones_writes_nothing_and_names_the_row_and_reason(register, case):
    bad, reason = BAD_ROWS[case]
    good_after = row(reference="556/KSDD/2026", title="Kerja sama lain")
    before = Agreement.objects.count()
    history = Agreement.history.count()

    plan = plan_for([row(), bad, good_after]).apply()

    assert not plan.is_valid
    assert [(r.number, r.action) for r in plan.rows] == [(2, CREATE), (3, REJECT), (4, CREATE)]
    assert any(reason in error for error in plan.rows[1].errors), plan.rows[1].errors
    assert Agreement.objects.count() == before
    assert Agreement.history.count() == history


def test_a_ksdd_stored_with_one_region_keeps_its_parties_and_takes_other_changes(register):
    """A KSDD stored with its lead region alone, before a KSDD had to name another region:
    its export comes back with another title and is taken, its parties as they are; a row
    moving it to another region alone is refused, as a new row would be."""
    old = AgreementFactory(
        reference="7/KSDD/2019", title="Kerja sama lama", lead_region=ProvinceFactory(code="64")
    )
    kept = row(reference=old.reference, title="Kerja sama lama (diperbarui)", region_codes="64")

    plan = plan_for([kept]).apply()

    assert [r.action for r in plan.rows] == [UPDATE], plan.rows[0].errors
    assert Agreement.objects.get(pk=old.pk).title == "Kerja sama lama (diperbarui)"
    moved = dict(kept, lead_region_code="51", region_codes="51")
    plan = plan_for([moved]).apply()
    assert [r.action for r in plan.rows] == [REJECT]
    assert any("hanya satu daerah pihak yang disebut (Bali)" in e for e in plan.rows[0].errors)


KINDS_TO_WRITE = (
    "Pernyataan kehendak (LoI), Nota kesepahaman / kesepakatan bersama (MoU), Perjanjian kerja "
    "sama (PKS), Kota kembar (sister city), Provinsi kembar (sister province), Amendemen / "
    "adendum, Lainnya"
)
SCOPES_TO_WRITE = (
    "KSDD — antardaerah, KSDPK — dengan pihak ketiga, KSDPL — dengan pemerintah daerah di luar "
    "negeri, KSDLL — dengan lembaga di luar negeri"
)


@pytest.mark.parametrize(
    ("column", "value", "choices"),
    [("kind", "perjanjian", KINDS_TO_WRITE), ("scope", "KSDX", SCOPES_TO_WRITE)],
)
def test_a_value_the_column_does_not_know_is_one_message_naming_the_column_and_its_values(
    register, column, value, choices
):
    """The cell holds a value, so the row is not also told that the field is empty; it is told
    what the column takes, to mend the sheet without the data dictionary at hand."""
    plan = plan_for([row(reference="B/1", **{column: value})]).apply()

    assert plan.rows[0].errors == [
        f"Kolom {column}: nilai “{value}” tidak dikenal. Tulis salah satu dari: {choices}."
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Nota kesepahaman", "mou"),
        ("kesepakatan  bersama", "mou"),
        ("Kota kembar", "sister_city"),
        ("Memorandum of Understanding", "mou"),
        ("Pernyataan kehendak", "loi"),
        ("Letter of Intent", "loi"),
        ("Adendum", "amendment"),
        ("Perjanjian kerja sama", "pks"),
    ],
)
def test_a_kind_written_as_one_of_the_names_its_label_gives_is_read(register, kind, expected):
    """A bureau's sheet writes the kind as it says it, one name of those its label puts side by
    side ("Nota kesepahaman / kesepakatan bersama (MoU)"): each is that kind."""
    plan = plan_for([row(reference="B/2", kind=kind)]).apply()

    assert plan.is_valid, plan.rows[0].errors
    assert Agreement.objects.get(reference="B/2").kind == expected


# -- a termination recorded as done -------------------------------------------------------------

ENDED_IN_FORCE = (
    "status: Pengakhiran kerja sama ini tercatat terlaksana (30 Juni 2025), tetapi statusnya "
    "masih “Berlaku”. Kerja sama yang pengakhirannya dicatat berstatus “Diakhiri”: pilih "
    "status itu, atau kosongkan tanggal terlaksana tahapan pengakhiran bila belum terjadi."
)


def terminated_in_the_register():
    """The good row's agreement, stored in force with its termination recorded as done (as a
    record entered before the rule could be)."""
    assert plan_for([row()]).apply().is_valid
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    MilestoneFactory(
        agreement=agreement,
        kind="termination",
        title="Pengakhiran",
        due_on=None,
        done_on=datetime.date(2025, 6, 30),
    )
    return agreement


def test_a_row_keeping_in_force_an_agreement_whose_termination_is_done_is_refused(register):
    """The row's status beside the steps stored: one message, at the row; nothing written.
    Recorded as "Diakhiri" the row is written."""
    agreement = terminated_in_the_register()

    plan = plan_for([row(title="Judul baru")]).apply()

    assert not plan.is_valid
    assert [(r.number, r.action, r.errors) for r in plan.rows] == [(2, REJECT, [ENDED_IN_FORCE])]
    agreement.refresh_from_db()
    assert agreement.title != "Judul baru"
    assert plan_for([row(title="Judul baru", status="terminated")]).apply().is_valid
    agreement.refresh_from_db()
    assert (agreement.title, agreement.status) == ("Judul baru", "terminated")


def json_file(agreements, milestones):
    data = json.dumps({"agreements": agreements, "milestones": milestones}).encode()
    return AgreementImport.from_file(io.BytesIO(data), "register.json")


def termination(reference, **changes):
    return {
        "agreement_reference": reference,
        "agreement_title": "",
        "agreement_lead_region_code": "",
        "kind": "termination",
        "title": "Pengakhiran",
        "due_on": "",
        "done_on": "2025-06-30",
        **changes,
    }


def test_a_file_recording_a_termination_done_beside_a_status_in_force_is_refused(register):
    """The milestones sheet records the ending of an agreement its agreements sheet keeps in
    force: refused at the agreement's row. Of a stored agreement in force the file does not
    list, at the milestone's own row. Nothing is written either way."""
    milestones = Milestone.objects.count()

    plan = json_file([row()], [termination("556/KSDD/2025")]).apply()

    assert not plan.is_valid
    assert [(r.number, r.errors) for r in plan.rows] == [(2, [ENDED_IN_FORCE])]
    assert not Agreement.objects.filter(reference="556/KSDD/2025").exists()

    assert plan_for([row()]).apply().is_valid
    plan = json_file([row(reference="B/2", title="Lain")], [termination("556/KSDD/2025")]).apply()

    assert not plan.is_valid
    ((table_row),) = plan.rejected_table_rows
    assert (table_row.table, table_row.number, table_row.errors) == (
        "milestones",
        2,
        [ENDED_IN_FORCE],
    )
    assert Milestone.objects.count() == milestones
    assert not Agreement.objects.filter(reference="B/2").exists()


def loi_step(reference):
    return {
        "agreement_reference": reference,
        "agreement_title": "",
        "agreement_lead_region_code": "",
        "kind": "loi",
        "title": "Penandatanganan LoI",
        "due_on": "",
        "done_on": "2025-01-15",
    }


def test_a_new_text_is_imported_with_its_loi_step_done(register):
    """A text not yet in the register whose steps record its LoI as done: an MoU being
    prepared, the LoI passed on its way (Kaltim and Anhui's path, seed 000). Its preview was a
    server error, the step asked whose text it was before that text was written. Written, the
    step with it; the same step on an LoI still being prepared says the LoI is signed, and the
    row is refused saying so, nothing written."""
    unsigned = {"status": "preparation", "signed_on": "", "in_force_from": "", "expires_on": ""}
    mou = row(reference="MOU/1/2025", **unsigned)

    plan = json_file([mou], [loi_step("MOU/1/2025")]).apply()

    assert plan.is_valid, [(r.number, r.errors) for r in plan.rows]
    step = Milestone.objects.get(agreement__reference="MOU/1/2025")
    assert (step.kind, step.done_on) == ("loi", datetime.date(2025, 1, 15))

    loi = row(reference="LOI/1/2025", title="Pernyataan kehendak pariwisata", kind="loi")
    plan = json_file([{**loi, **unsigned}], [loi_step("LOI/1/2025")]).apply()

    assert not plan.is_valid
    ((number, errors),) = [(r.number, r.errors) for r in plan.rows]
    assert number == 2
    assert "naskah LoI ini tercatat terlaksana" in " ".join(errors)
    assert not Agreement.objects.filter(reference="LOI/1/2025").exists()


def partner_row(name, parent=""):
    return {
        "name": name,
        "name_local": "",
        "country": "CN",
        "subdivision": "",
        "kind": "foreign_city",
        "parent_name": parent,
        "parent_country": "CN" if parent else "",
        "website": "",
    }


def partners_file(partners):
    data = json.dumps({"agreements": [row()], "partners": partners}).encode()
    return AgreementImport.from_file(io.BytesIO(data), "register.json")


def test_a_partner_made_its_own_parent_or_part_of_its_own_part_is_refused_at_its_row(register):
    """A partner its own parent passed the preview, then its confirmation was refused with the
    database's words; one part of what is part of it (Jiangxi in Nanchang, Nanchang in Jiangxi) was
    written, each page then saying the other is part of it."""
    jiangxi = PartnerFactory(name="Pemerintah Provinsi Jiangxi", country__code="CN")
    looped = "adalah mitra ini sendiri atau bagian darinya"

    plan = partners_file([partner_row("Kota Nanchang", parent="Kota Nanchang")]).apply()

    assert not plan.is_valid
    ((refused,),) = [plan.rejected_table_rows]
    assert refused.table == "partners"
    assert any(looped in error for error in refused.errors), refused.errors

    plan = partners_file(
        [
            partner_row("Kota Nanchang", parent="Pemerintah Provinsi Jiangxi"),
            partner_row("Pemerintah Provinsi Jiangxi", parent="Kota Nanchang"),
        ]
    ).apply()

    assert not plan.is_valid
    assert [row.number for row in plan.rejected_table_rows] == [2, 3]
    assert all(looped in " ".join(row.errors) for row in plan.rejected_table_rows)
    jiangxi.refresh_from_db()
    assert jiangxi.parent is None
    assert not Partner.objects.filter(name="Kota Nanchang").exists()
    assert not Agreement.objects.filter(reference="556/KSDD/2025").exists()

    plan = partners_file(
        [partner_row("Kota Nanchang", parent="Pemerintah Provinsi Jiangxi")]
    ).apply()
    assert plan.is_valid, plan.rejected_table_rows
    assert Partner.objects.get(name="Kota Nanchang").parent == jiangxi


def test_a_partner_set_as_part_of_its_own_part_in_the_admin_is_refused(staff_client, db):
    jiangxi = PartnerFactory(name="Pemerintah Provinsi Jiangxi", country__code="CN")
    nanchang = PartnerFactory(name="Kota Nanchang", country__code="CN", parent=jiangxi)
    data = {
        "name": jiangxi.name,
        "name_local": "",
        "kind": jiangxi.kind,
        "country": "CN",
        "subdivision": "",
        "parent": nanchang.pk,
        "website": "",
    }

    response = staff_client.post(reverse("admin:partners_partner_change", args=[jiangxi.pk]), data)

    assert response.status_code == 200
    assert "Induk ini bagian dari mitra ini sendiri" in response.content.decode()
    jiangxi.refresh_from_db()
    assert jiangxi.parent is None


def test_a_file_clearing_the_termination_it_keeps_in_force_is_written(register):
    """The rule reads the steps as the file leaves them: a termination stored as done that the
    file's milestones sheet plans instead no longer contradicts the status."""
    agreement = terminated_in_the_register()

    plan = json_file(
        [row()], [termination("556/KSDD/2025", done_on="", due_on="2027-06-30")]
    ).apply()

    assert plan.is_valid, [r.errors for r in plan.rows]
    assert agreement.milestones.get().done_on is None


SIGNED_ELSEWHERE = (
    "Tahapan “Penandatanganan MoU”: Tahap “Penandatanganan” tercatat terlaksana pada 1 Maret 2025, "
    "tetapi kerja sama ini ditandatangani pada 1 Februari 2025. Tanggal terlaksana penandatanganan "
    "adalah tanggal naskah ditandatangani: perbaiki yang keliru, tanggal ini atau tanggal "
    "ditandatangani kerja samanya."
)


def signed_in_the_register():
    """The good row's agreement, stored with its signing recorded as done on its signing day,
    1 March 2025."""
    assert plan_for([row()]).apply().is_valid
    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    MilestoneFactory(
        agreement=agreement,
        kind="signing",
        title="Penandatanganan MoU",
        due_on=None,
        done_on=datetime.date(2025, 3, 1),
    )
    return agreement


def test_a_row_moving_the_signing_date_away_from_its_signing_step_is_refused(register):
    """A CSV row gives the agreement another signing day than its signing step's: its status
    page would give the two. Refused at the row, naming the step and both dates; nothing
    written. Given only to its month, the signing agrees with the step's day: written (the
    stored day, more precise, is kept)."""
    agreement = signed_in_the_register()

    plan = plan_for([row(title="Judul baru", signed_on="2025-02-01")]).apply()

    assert not plan.is_valid
    assert [(r.number, r.action, r.errors) for r in plan.rows] == [(2, REJECT, [SIGNED_ELSEWHERE])]
    agreement.refresh_from_db()
    assert (agreement.title, agreement.signed_on) == (
        "Kerja sama pariwisata Kalimantan Timur – Bali",
        datetime.date(2025, 3, 1),
    )

    assert plan_for([row(title="Judul baru", signed_on="2025-03")]).apply().is_valid
    agreement.refresh_from_db()
    assert (agreement.title, agreement.signed_on) == ("Judul baru", datetime.date(2025, 3, 1))


def test_a_file_moving_the_signing_date_with_its_signing_step_is_previewed_and_written(register):
    """The agreements sheet corrects the signing date and the milestones sheet moves the
    signing step with it: each is checked against the other as the file leaves them, in the
    preview as on writing, and both are written."""
    agreement = signed_in_the_register()
    moved = termination(
        "556/KSDD/2025", kind="signing", title="Penandatanganan MoU", done_on="2025-02-01"
    )

    def importer():
        return json_file([row(signed_on="2025-02-01", in_force_from="2025-02-01")], [moved])

    preview = importer().plan()
    assert preview.is_valid, [r.errors for r in preview.rows] + preview.rejected_table_rows
    plan = importer().apply()

    assert plan.is_valid
    agreement.refresh_from_db()
    assert agreement.signed_on == datetime.date(2025, 2, 1)
    assert agreement.milestones.get().done_on == datetime.date(2025, 2, 1)


def test_a_file_recording_the_signing_on_another_day_than_its_agreement_is_refused(register):
    """The milestones sheet records the signing of an agreement the file creates on a day other
    than the one its agreements sheet gives: refused at the milestone's row, and neither the
    agreement nor the step is written."""
    milestones = Milestone.objects.count()
    signing = termination(
        "556/KSDD/2025", kind="signing", title="Penandatanganan MoU", done_on="2025-03-03"
    )

    plan = json_file([row()], [signing]).apply()

    assert not plan.is_valid
    ((table_row),) = plan.rejected_table_rows
    assert (table_row.table, table_row.number) == ("milestones", 2)
    assert table_row.errors == [
        "tanggal terlaksana: Tahap “Penandatanganan” tercatat terlaksana pada 3 Maret 2025, "
        "tetapi kerja sama ini ditandatangani pada 1 Maret 2025. Tanggal terlaksana "
        "penandatanganan adalah tanggal naskah ditandatangani: perbaiki yang keliru, tanggal "
        "ini atau tanggal ditandatangani kerja samanya."
    ]
    assert Milestone.objects.count() == milestones
    assert not Agreement.objects.filter(reference="556/KSDD/2025").exists()


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def import_file(tmp_path):
    def write(rows, name="kerjasama.csv"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return str(path)

    return write


def test_command_dry_run_reports_and_writes_nothing(register, import_file, capsys):
    call_command("import_agreements", import_file([row()]), "--dry-run")

    assert "1 dibuat" in capsys.readouterr().out
    assert not Agreement.objects.filter(reference="556/KSDD/2025").exists()


def test_command_writes_the_file(register, import_file, capsys):
    call_command("import_agreements", import_file([row()]))

    assert "1 dibuat" in capsys.readouterr().out
    assert Agreement.objects.filter(reference="556/KSDD/2025").exists()


def test_command_writes_a_file_with_a_long_name_keeping_what_fits_of_it(
    register, import_file, capsys
):
    """The reason a version keeps holds 100 characters (PostgreSQL enforces it); a file named
    at length was refused with a database error and nothing written."""
    name = "rekapitulasi-kerja-sama-daerah-provinsi-kalimantan-timur-" * 3 + "2024.csv"
    assert 100 < len(name) < 255

    call_command("import_agreements", import_file([row()], name=name))

    agreement = Agreement.objects.get(reference="556/KSDD/2025")
    reason = agreement.history.get().history_change_reason
    assert len(reason) == 100
    assert reason.startswith("import_agreements rekapitulasi-kerja-sama") and reason[-1] == "…"


def test_command_lists_each_rows_verdict_in_words(register, import_file, capsys):
    """With -v 2 each row is told as the admin's preview tells it, with the fields an update
    changes: "2: Dibuat", never the verdict's code."""
    call_command("import_agreements", import_file([row()]), verbosity=2)
    capsys.readouterr()
    call_command(
        "import_agreements", import_file([row(title="Pariwisata Kaltim – Bali")]), verbosity=2
    )

    listed = capsys.readouterr().out.splitlines()
    assert "2: Diperbarui (title)" in listed
    assert not any(line.startswith("2: update") for line in listed)


def test_command_with_a_bad_row_fails_names_the_row_and_writes_nothing(
    register, import_file, capsys
):
    path = import_file([row(), row(reference="B/1", sectors="astrologi")])

    with pytest.raises(CommandError, match="1 ditolak"):
        call_command("import_agreements", path)

    assert "baris 3" in capsys.readouterr().err
    assert not Agreement.objects.filter(reference="556/KSDD/2025").exists()


def test_command_refuses_a_missing_file(db):
    with pytest.raises(CommandError, match="Berkas /tidak/ada.csv tidak ada."):
        call_command("import_agreements", "/tidak/ada.csv")


def test_command_refuses_a_folder_saying_it_is_one(db, tmp_path):
    """A folder exists: "tidak ada" would send the reader looking for a typing error."""
    with pytest.raises(CommandError) as refused:
        call_command("import_agreements", str(tmp_path))
    assert str(refused.value) == (
        f"{tmp_path} adalah folder, bukan berkas: sebutkan berkas .csv, .xlsx atau .json."
    )


# -- the admin ----------------------------------------------------------------------------------

IMPORT_URL = "admin:agreements_agreement_import"


def upload(client, rows, name="kerjasama.csv"):
    file = SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")
    return client.post(reverse(IMPORT_URL), {"file": file})


def confirm_token(response):
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    return match.group(1) if match else None


def test_changelist_offers_the_import(staff_client, db):
    response = staff_client.get(reverse("admin:agreements_agreement_changelist"))

    # Named for every format it takes: a clerk holding a JSON download looks for it here.
    assert f'<a href="{reverse(IMPORT_URL)}">Impor CSV/XLSX/JSON</a>' in response.content.decode()


def test_admin_upload_form_is_shown(staff_client, db):
    response = staff_client.get(reverse(IMPORT_URL))

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


def test_admin_preview_lists_each_row_and_writes_nothing_until_confirmed(staff_client, register):
    updated = row(
        reference=register["formula"].reference,
        title=register["formula"].title,
        lead_region_code="62",
        region_codes="62; 51",
        status="expired",
        sectors="tourism",
        signed_on="2019-03-01",
        in_force_from="2019-03-01",
        expires_on="2024-02-29",
    )
    count = Agreement.objects.count()
    history = Agreement.history.count()

    response = upload(staff_client, [row(), updated])

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<tr class="create">\s*<td>2</td>', page)
    assert re.search(r'<tr class="unchanged">\s*<td>3</td>', page)
    assert Agreement.objects.count() == count
    assert Agreement.history.count() == history

    confirmed = staff_client.post(reverse(IMPORT_URL), {"token": confirm_token(response)})

    assert confirmed.status_code == 302
    assert Agreement.objects.count() == count + 1
    assert Agreement.history.count() == history + 1


def test_admin_preview_with_a_rejected_row_offers_no_confirm_and_says_why(staff_client, register):
    response = upload(staff_client, [row(), row(reference="B/1", region_codes="64; 99")])

    page = response.content.decode()
    assert response.status_code == 400
    assert confirm_token(response) is None
    assert re.search(r'<tr class="reject">\s*<td>3</td>', page)
    assert "“99”" in page
    assert not Agreement.objects.filter(reference="556/KSDD/2025").exists()


def test_admin_confirm_checks_again_and_writes_nothing_if_a_row_fails_now(staff_client, register):
    response = upload(staff_client, [row(), row(reference="C/1", sectors="education")])
    token = confirm_token(response)
    register["education"].delete()  # someone removes the sector meanwhile

    confirmed = staff_client.post(reverse(IMPORT_URL), {"token": token})

    assert confirmed.status_code == 409
    assert "education" in confirmed.content.decode()
    assert not Agreement.objects.filter(reference__in=["556/KSDD/2025", "C/1"]).exists()


def test_admin_preview_refuses_a_status_in_force_beside_a_termination_done(staff_client, register):
    """The preview names the row and says what to choose, offering no confirm."""
    agreement = terminated_in_the_register()

    response = upload(staff_client, [row(title="Judul baru")])

    page = response.content.decode()
    assert response.status_code == 400
    assert confirm_token(response) is None
    assert re.search(r'<tr class="reject">\s*<td>2</td>', page)
    assert "Kerja sama yang pengakhirannya dicatat berstatus “Diakhiri”" in page
    agreement.refresh_from_db()
    assert agreement.title != "Judul baru"


def test_admin_confirm_refuses_a_status_in_force_beside_a_termination_done_meanwhile(
    staff_client, register
):
    """A preview that was clean; the termination recorded as done before the confirm: the
    confirm checks again, says why and writes nothing."""
    assert plan_for([row()]).apply().is_valid
    token = confirm_token(upload(staff_client, [row(title="Judul baru")]))
    assert token is not None
    MilestoneFactory(
        agreement=Agreement.objects.get(reference="556/KSDD/2025"),
        kind="termination",
        due_on=None,
        done_on=datetime.date(2025, 6, 30),
    )

    confirmed = staff_client.post(reverse(IMPORT_URL), {"token": token})

    assert confirmed.status_code == 409
    assert "Kerja sama yang pengakhirannya dicatat berstatus “Diakhiri”" in (
        confirmed.content.decode()
    )
    assert not Agreement.objects.filter(title="Judul baru").exists()


def test_admin_confirm_with_a_forged_token_writes_nothing(staff_client, register):
    response = staff_client.post(reverse(IMPORT_URL), {"token": "../../etc/passwd:forged"})

    assert response.status_code == 400
    assert Agreement.objects.count() == 5


@pytest.mark.parametrize("key", ["decide-²", "decide-٣", "decide-x", "decide-"])
def test_admin_confirm_with_a_forged_decision_key_imports_as_without_it(
    staff_client, register, key
):
    """A decision names a row by its number in ASCII digits, as the preview writes it; any
    other key ("²" is a digit Python's ``int`` cannot read) names no row, and is passed by."""
    token = confirm_token(upload(staff_client, [row()]))

    confirmed = staff_client.post(reverse(IMPORT_URL), {"token": token, key: "create"})

    assert confirmed.status_code == 302
    assert Agreement.objects.filter(reference="556/KSDD/2025").exists()


def test_admin_confirm_token_of_another_user_is_refused(
    staff_client, register, client, django_user_model
):
    token = confirm_token(upload(staff_client, [row()]))
    other = django_user_model.objects.create_superuser(username="lain", password="x-long-pw-123")
    client.force_login(other)

    response = client.post(reverse(IMPORT_URL), {"token": token})

    assert response.status_code == 400
    assert not Agreement.objects.filter(reference="556/KSDD/2025").exists()


def test_admin_upload_of_an_unreadable_file_is_a_400_with_the_reason(staff_client, db):
    response = upload(staff_client, [], name="kerjasama.xlsx")

    assert response.status_code == 400
    assert "XLSX" in response.content.decode()


@pytest.mark.parametrize("files", [{}, {"file": SimpleUploadedFile("kosong.csv", b"")}])
def test_admin_upload_of_no_file_or_an_empty_one_is_a_400_with_the_reason(
    staff_client, register, files
):
    before = Agreement.objects.count()
    response = staff_client.post(reverse(IMPORT_URL), files)

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert Agreement.objects.count() == before


def test_staff_without_agreement_permissions_cannot_import(client, django_user_model, db):
    user = django_user_model.objects.create_user(
        username="tamu", password="x-long-pw-123", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    client.force_login(user)

    assert client.get(reverse(IMPORT_URL)).status_code == 403


def test_reimport_through_the_admin_reports_every_row_unchanged(staff_client, register):
    rows = [row()]
    staff_client.post(reverse(IMPORT_URL), {"token": confirm_token(upload(staff_client, rows))})

    response = upload(staff_client, rows)

    assert re.search(r'<tr class="unchanged">\s*<td>2</td>', response.content.decode())
    plan = plan_for(rows).plan()
    assert [r.action for r in plan.rows] == [UNCHANGED]


@pytest.fixture
def kaltim_editor(client, register, django_user_model):
    user = django_user_model.objects.create_user(
        username="editor-kaltim", password="x-long-pw-123", is_staff=True
    )
    user.groups.add(Group.objects.get_or_create(name=Role.EDITOR)[0])
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_agreement", "add_agreement", "change_agreement"]
        )
    )
    RegionAssignment.objects.create(user=user, region=register["kaltim"])
    client.force_login(user)
    return client


def test_editor_of_kaltim_imports_agreements_of_kaltim_and_its_cities(kaltim_editor, register):
    samarinda_row = row(reference="SMD/1", lead_region_code="64.72", region_codes="64.72; 51")

    response = upload(kaltim_editor, [row(), samarinda_row])

    assert confirm_token(response) is not None


def test_editor_of_kaltim_cannot_import_an_agreement_of_bali(kaltim_editor, register):
    bali_row = row(reference="BALI/1", lead_region_code="51", region_codes="51; 64")
    formula = register["formula"]  # led by Kalimantan Tengah
    taken_over = row(
        reference=formula.reference,
        title=formula.title,
        lead_region_code="64",
        region_codes="64; 62; 51",
        signed_on="2019-03-01",
        in_force_from="2019-03-01",
        expires_on="2024-02-29",
    )

    response = upload(kaltim_editor, [row(), bali_row, taken_over])

    page = response.content.decode()
    assert confirm_token(response) is None
    assert re.search(r'<tr class="reject">\s*<td>3</td>', page)
    assert re.search(r'<tr class="reject">\s*<td>4</td>', page)
    assert "Anda tidak berhak mengubah kerja sama daerah Bali" in page
    assert "Anda tidak berhak mengubah kerja sama daerah Kalimantan Tengah" in page


def test_a_row_whose_reference_is_another_regions_agreement_says_which_and_nothing_else(
    kaltim_editor, register
):
    """A new Kaltim row typed with the reference of Kalimantan Tengah's agreement was told it
    may not change Kalimantan Tengah's agreement, then of that record's own dates, agencies
    and scope as the row made them: faults the editor neither wrote nor may mend. It is told
    which agreement the reference names, and how to mend the row."""
    formula = register["formula"]  # led by Kalimantan Tengah
    typo = row(reference=formula.reference, title="Kerja sama perbatasan Kaltim")

    response = upload(kaltim_editor, [typo])

    page = re.sub(r"\s+", " ", response.content.decode())
    refused = re.search(r'<tr class="reject"> <td>2</td>(.*?)</tr>', page).group(1)
    said = [html.unescape(text) for text in re.findall(r"<li>(.*?)</li>", refused)]
    assert said == [
        "Anda tidak berhak mengubah kerja sama daerah Kalimantan Tengah.",
        f"Nomor naskah “{formula.reference}” adalah kerja sama “{formula.title}”. Hapus baris "
        "ini, atau perbaiki nomor naskahnya bila yang dimaksud kerja sama lain.",
    ]


def test_a_row_of_another_region_with_other_errors_says_first_it_is_not_the_editors(
    kaltim_editor, register
):
    """Told only of the bad date, the editor would mend a row of Bali's, upload again and only
    then hear that it is not theirs to import."""
    bali_row = row(
        reference="BALI/1", lead_region_code="51", region_codes="51; 64", signed_on="2025-13-01"
    )

    response = upload(kaltim_editor, [row(), bali_row])

    page = re.sub(r"\s+", " ", response.content.decode())
    assert confirm_token(response) is None
    refused = re.search(r'<tr class="reject"> <td>3</td>(.*?)</tr>', page).group(1)
    assert "Anda tidak berhak mengubah kerja sama daerah Bali" in refused
    assert refused.index("tidak berhak") < refused.index("2025-13-01")


def test_editor_of_kaltim_cannot_import_an_amendment_of_another_regions_text(
    kaltim_editor, register
):
    """As in the form: an addendum changes the text it amends, and Kalimantan Tengah's is not
    theirs to change, though the addendum is led by their own region."""
    formula = register["formula"]  # led by Kalimantan Tengah
    amendment = addendum_row(follows=formula.reference, region_codes="64; 62")

    response = upload(kaltim_editor, [amendment])

    page = response.content.decode()
    assert confirm_token(response) is None
    assert "” dikelola daerah Kalimantan Tengah, yang tidak ditugaskan kepada Anda" in page


def addendum_row(**changes):
    """A good row of an addendum of the MoU of ``row()``, with ``changes``."""
    values = {
        "reference": "ADD/1/2025",
        "title": "Adendum I kerja sama pariwisata",
        "kind": "amendment",
        "follows": "556/KSDD/2025",
        "relation": "amends",
    }
    return row(**{**values, **changes})


def in_order(order, text, amendment):
    """The rows of ``text`` and its ``amendment`` in ``order``: "text first" or not."""
    return [text, amendment] if order == "text first" else [amendment, text]


@pytest.mark.parametrize("order", ["text first", "amendment first"])
def test_admin_preview_refuses_an_amendment_outlasting_a_text_of_the_same_file(
    staff_client, register, order
):
    """A file recording an MoU to 28 February 2030 and, in the same file, an addendum of it
    ending in 2033: the preview refuses the addendum's row, whichever comes first, with the
    words the form uses, and writes nothing; an addendum ending with the MoU is taken."""
    addendum = addendum_row(expires_on="2033-12-31")
    rows = in_order(order, row(), addendum)
    response = upload(staff_client, rows)

    page = response.content.decode()
    assert response.status_code == 400
    assert confirm_token(response) is None
    number = 3 if order == "text first" else 2
    assert re.search(rf'<tr class="reject">\s*<td>{number}</td>', page)
    assert (
        "Amendemen atau adendum berakhir bersama naskah yang diubahnya, yang berakhir "
        "28 Februari 2030. Untuk memperpanjang jangka waktunya, catat naskah ini sebagai "
        "perpanjangan"
    ) in page
    assert not Agreement.objects.filter(reference__in=["556/KSDD/2025", "ADD/1/2025"]).exists()

    addendum["expires_on"] = "2030-02-28"
    rows = in_order(order, row(), addendum)
    assert confirm_token(upload(staff_client, rows)) is not None


@pytest.mark.parametrize("order", ["text first", "amendment first"])
def test_an_amendment_imported_with_no_end_ends_with_its_text_of_the_same_file(
    staff_client, register, order
):
    """A file recording an MoU to 28 February 2030 and an addendum of it whose end is left
    blank, as addenda seldom state their own: the addendum is written ending with the MoU,
    whichever row comes first, so that its page does not say "Berlaku" once the MoU has run
    out."""
    addendum = addendum_row(expires_on="")
    rows = in_order(order, row(), addendum)
    confirmed = staff_client.post(
        reverse(IMPORT_URL), {"token": confirm_token(upload(staff_client, rows))}
    )
    assert confirmed.status_code == 302
    written = Agreement.objects.get(reference="ADD/1/2025")
    assert written.expires_on == datetime.date(2030, 2, 28)


def test_the_preview_warns_of_a_stored_addendum_outlasting_the_text_the_file_terminates(
    staff_client, register
):
    """A file recording the early ending of an MoU whose addendum, stored, is in force: the
    row is taken, as the admin's save takes it, and the preview warns that the addendum's page
    does not end with the MoU, naming it."""
    staff_client.post(reverse(IMPORT_URL), {"token": confirm_token(upload(staff_client, [row()]))})
    mou = Agreement.objects.get(reference="556/KSDD/2025")
    addendum = AgreementFactory(
        title="Adendum I kerja sama pariwisata",
        kind="amendment",
        follows=mou,
        relation="amends",
        lead_region=mou.lead_region,
        signed_on=datetime.date(2025, 9, 1),
        in_force_from=datetime.date(2025, 9, 1),
        expires_on=mou.expires_on,
    )

    response = upload(staff_client, [row(status="terminated")])

    page = re.sub(r"\s+", " ", response.content.decode())
    assert confirm_token(response) is not None
    assert (
        f"tetapi “{addendum.title}” tercatat “Berlaku” sampai 28 Februari 2030: halaman "
        "statusnya tidak berakhir bersama naskah ini. Catat statusnya “Diakhiri” juga."
    ) in page
    assert "Perbaiki tanggal berakhir" not in page


def test_the_import_refuses_an_amendment_in_force_of_a_text_terminated_in_the_same_file(
    staff_client, register
):
    addendum = addendum_row()
    response = upload(staff_client, [row(status="terminated"), addendum])

    assert response.status_code == 400
    assert confirm_token(response) is None
    assert re.search(r'<tr class="reject">\s*<td>3</td>', response.content.decode())
    assert (
        "Naskah yang diubahnya tercatat “Diakhiri”, dan amendemen atau adendum berakhir "
        "bersama naskah itu"
    ) in response.content.decode()
    assert not Agreement.objects.filter(reference__in=["556/KSDD/2025", "ADD/1/2025"]).exists()


@pytest.mark.parametrize("order", ["text first", "amendment first"])
def test_an_amendment_with_no_end_signed_after_its_text_ended_is_refused_in_words(
    staff_client, register, order
):
    """A file recording an MoU that ran out in February 2026 and an addendum of it signed in
    March 2026, its end left blank: the end it would take comes before its signing. Its row is
    refused saying so, not written to fail on the database's constraint."""
    mou = row(signed_on="2021-03-01", in_force_from="2021-03-01", expires_on="2026-02-28")
    addendum = addendum_row(
        reference="ADD/1/2026", signed_on="2026-03-10", in_force_from="2026-03-10", expires_on=""
    )
    rows = in_order(order, mou, addendum)
    response = upload(staff_client, rows)

    assert response.status_code == 400
    assert confirm_token(response) is None
    assert (
        "Amendemen atau adendum berakhir bersama naskah yang diubahnya, tetapi naskah itu "
        "berakhir 28 Februari 2026, sebelum amendemen atau adendum ini ditandatangani"
    ) in response.content.decode()
    assert not Agreement.objects.filter(reference="ADD/1/2026").exists()


def test_a_label_column_changed_alone_is_warned_of_in_the_preview_naming_the_column_to_change(
    staff_client, register
):
    """A clerk who wrote "Berakhir" in status_label and left status as it was saw the row
    "Tidak berubah" and nothing more: the preview now says, at that row, that the label is not
    read and which column to change, and the file is not refused for it."""
    agreement = next(a for a in Agreement.objects.order_by("pk") if a.shown_status == "in_force")
    records = iter_records(
        Agreement.objects.filter(pk=agreement.pk),
        lambda pk: f"http://testserver/kerja-sama/{pk}/",
        readable=Agreement.objects.all(),
    )
    text = "".join(csv_chunks(records))
    assert ",in_force,Berlaku," in text
    edited = text.replace(",in_force,Berlaku,", ",in_force,Berakhir,").encode("utf-8")
    response = staff_client.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile("kerjasama.csv", edited)}
    )
    assert response.status_code == 200
    assert confirm_token(response) is not None
    page = " ".join(response.content.decode().split())
    assert "Tidak berubah" in page
    assert (
        "Kolom status_label (“Berakhir”) tidak sesuai dengan kolom status (“in_force”) dan "
        "tidak dibaca saat impor: yang disimpan adalah nilai kolom status. Untuk mengubahnya, "
        "ubah kolom status."
    ) in page
    (result,) = AgreementImport.from_file(io.BytesIO(edited), "kerjasama.csv").plan().rows
    assert result.action == UNCHANGED and len(result.warnings) == 1


def test_a_label_that_names_the_columns_value_in_either_language_is_no_warning(register):
    rows = [
        row(kind_label="MoU", scope_label="KSDD", status_label="In force"),
        row(reference="557/KSDD/2025", kind_label="Nota kesepahaman"),
    ]
    columns = [*COLUMNS, "kind_label", "scope_label", "status_label"]
    plan = plan_for(rows, columns=columns).plan()
    assert [(r.action, r.warnings) for r in plan.rows] == [(CREATE, []), (CREATE, [])]
    plan = plan_for([row(kind_label="PKS", scope_label="")], columns=columns).plan()
    (result,) = plan.rows
    assert result.action == CREATE
    assert [w.split(" (")[0] for w in result.warnings] == ["Kolom kind_label"]


def test_a_termination_day_written_in_the_agreements_row_is_told_where_it_is_read(register):
    """The clerk records a termination in the sheet: status "terminated" and the day in
    terminated_on. That column is derived from the termination step and never read back: the
    preview says so and where the day goes, rather than writing "Diakhiri" with no day while
    the typed day is silently dropped."""
    mou = register["anhui_mou"]
    columns = [*COLUMNS, "terminated_on"]
    ended = row(
        reference=mou.reference,
        title=mou.title,
        scope="ksdpl",
        status="terminated",
        region_codes="64",
        partners="安徽省",
        partner_countries="CN",
        sectors="education; trade; food-security",
        signed_on="2024-06-10",
        in_force_from="2024-06-10",
        expires_on="2029-06-09",
        terminated_on="2026-11-30",
    )

    (result,) = plan_for([ended], columns=columns).plan().rows

    assert result.action == UPDATE
    assert result.warnings == [
        "Kolom terminated_on (“2026-11-30”) tidak dibaca saat impor: hari kerja sama diakhiri "
        "dicatat sebagai tahapan “Pengakhiran” yang terlaksana pada hari itu (lembar "
        "milestones, kolom done_on)."
    ]
    # Terminated as it stood, or still in force: nothing typed is dropped, no warning.
    for status in ("terminated", "in_force"):
        unwritten = {**ended, "status": status, "terminated_on": ""}
        (result,) = plan_for([unwritten], columns=columns).plan().rows
        assert result.warnings == []
