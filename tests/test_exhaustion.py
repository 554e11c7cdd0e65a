"""No upload or form may tie up a worker: what a file or a POST declares is bounded before it is
read (the importer's rows, columns and cells; the agreement form's inline rows)."""

import datetime
import io
import json
import tracemalloc
import zipfile

import pytest
from django.conf import settings

from agreements.imports import ImportFileError, read_table
from agreements.models import Milestone
from common.admin import INLINE_MAX_ROWS
from tests.factories import AgreementFactory
from tests.helpers import (
    agreement_form_data,
    change_url,
    form_errors,
    logged_in,
    with_existing_milestone,
)

XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="kerja sama" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def xlsx_declaring(rows, last_column="XFD"):
    """A tiny XLSX whose every row has a cell in ``last_column`` (XFD is the 16,384th)."""
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip("ABCD", ["title", "kind", "scope", "lead_region_code"], strict=True)
    )
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c>'
        f'<c r="{last_column}{n}"><v>1</v></c></row>'
        for n in range(2, rows + 1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last_column}{rows}"/><sheetData>'
        f'<row r="1">{header}<c r="{last_column}1"><v>1</v></c></row>{body}'
        "</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, text)
    buffer.seek(0)
    return buffer


def test_an_xlsx_declaring_16384_columns_is_refused_without_reading_them():
    upload = xlsx_declaring(300)
    assert len(upload.getvalue()) < 8000  # a few kilobytes declaring 300 × 16,384 cells

    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="kolom"):
            read_table(upload, "bom.xlsx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 20 * 1024 * 1024


def xlsx_with_a_cell_of(megabytes):
    """A small XLSX whose one cell unpacks to ``megabytes`` of text (written as it is packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c></row>'
                b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
            )
            for _ in range(megabytes):
                sheet.write(b"A" * (1024 * 1024))
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    buffer.seek(0)
    return buffer


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_without_reading_it(settings):
    """The upload's size bounds a CSV or a JSON file, not an XLSX, a zip: a few kilobytes may
    unpack to gigabytes (200 MB in 200 KB took a worker 25 s and a gigabyte of memory)."""
    settings.IMPORT_MAX_UNPACKED_MB = 2
    upload = xlsx_with_a_cell_of(3)
    assert len(upload.getvalue()) < 10_000

    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="paling banyak 2 MB"):
            read_table(upload, "bom.xlsx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 2 * 1024 * 1024
    # Within the limit, the same file is read (and refused for what it lacks).
    with pytest.raises(ImportFileError, match="Kolom wajib tidak ada"):
        read_table(xlsx_with_a_cell_of(1), "sel-panjang.xlsx")


def test_an_xlsx_with_more_rows_than_the_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 50
    with pytest.raises(ImportFileError, match="50 baris"):
        read_table(xlsx_declaring(60, last_column="E"), "besar.xlsx")


def test_a_csv_with_more_rows_or_columns_than_the_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 50
    header = "title,kind,scope,lead_region_code\r\n"
    rows = "".join(f"Kerja sama {n},mou,ksdd,64\r\n" for n in range(60))
    with pytest.raises(ImportFileError, match="50 baris"):
        read_table(io.BytesIO((header + rows).encode()), "besar.csv")
    wide = header.strip() + "," * 5000 + "catatan\r\nX,mou,ksdd,64\r\n"
    with pytest.raises(ImportFileError, match="kolom"):
        read_table(io.BytesIO(wide.encode()), "lebar.csv")


JSON_ROW = {"title": "Kerja sama", "kind": "mou", "scope": "ksdd", "lead_region_code": "64"}


def test_a_json_with_more_objects_or_names_than_the_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 50
    with pytest.raises(ImportFileError, match="50 baris"):
        read_table(io.BytesIO(json.dumps([JSON_ROW] * 60).encode()), "besar.json")
    # Names are columns, whether one object holds them all or each adds a few.
    wide = [{**JSON_ROW, **{f"catatan {n}": "" for n in range(200)}}]
    spread = [{**JSON_ROW, f"a {n}": "", f"b {n}": "", f"c {n}": ""} for n in range(40)]
    for table in (wide, spread):
        with pytest.raises(ImportFileError, match="kolom"):
            read_table(io.BytesIO(json.dumps(table).encode()), "lebar.json")
    # Within the limits, the export's list is read, also as the member of an object.
    for table in ([JSON_ROW] * 50, {"agreements": [JSON_ROW] * 50}):
        header, rows = read_table(io.BytesIO(json.dumps(table).encode()), "kerjasama.json")
        assert len(rows) == 50 and rows[0][1]["lead_region_code"] == "64"


def test_a_json_of_millions_of_objects_is_refused_without_building_them():
    upload = io.BytesIO(("[" + ",".join(["{}"] * 3_000_000) + "]").encode())

    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="baris"):
            read_table(upload, "bom.json")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The file's own text, and the objects up to the limit; never three million of them.
    assert peak < 60 * 1024 * 1024


def test_a_json_nested_past_any_depth_is_refused_with_a_message():
    with pytest.raises(ImportFileError, match="JSON tidak dapat dibaca"):
        read_table(io.BytesIO(b"[" * 100_000 + b"]" * 100_000), "dalam.json")


def test_a_form_declaring_100000_inline_rows_is_refused_without_building_them(
    editor_kaltim, kaltim
):
    agreement = AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui")
    data = agreement_form_data(agreement, title="Diubah")
    data["milestones-TOTAL_FORMS"] = "100000"

    response = logged_in(editor_kaltim).post(change_url(agreement), data)

    assert response.status_code == 200
    [formset] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "milestones"
    ]
    assert len(formset.forms) <= 200
    assert formset.non_form_errors()
    agreement.refresh_from_db()
    assert agreement.title == "MoU Kaltim–Anhui"


def test_an_agreement_with_as_many_milestones_as_its_form_holds_is_saved(editor_kaltim, kaltim):
    """The change form of an agreement with the most milestones the form shows, saved as the
    browser posts it (every row's fields), is written, not refused as too many fields."""
    agreement = AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui")
    Milestone.objects.bulk_create(
        Milestone(
            agreement=agreement,
            kind=Milestone.Kind.ACTIVITY,
            title=f"Kegiatan {n}",
            due_on=datetime.date(2025, 6, 1),
        )
        for n in range(INLINE_MAX_ROWS)
    )
    data = agreement_form_data(agreement, title="MoU Kaltim–Anhui 2025")
    for milestone in agreement.milestones.order_by("pk"):
        with_existing_milestone(data, milestone, mark=milestone.mark)
        for hidden in ("rating", "findings", "notes"):  # on the step's own page
            del data[f"milestones-{int(data['milestones-TOTAL_FORMS']) - 1}-{hidden}"]

    response = logged_in(editor_kaltim).post(change_url(agreement), data)

    assert response.status_code == 302, form_errors(response)
    agreement.refresh_from_db()
    assert agreement.title == "MoU Kaltim–Anhui 2025"
    assert agreement.milestones.count() == INLINE_MAX_ROWS


def test_a_post_with_thousands_of_fields_is_refused(staff_user, kaltim):
    """A form posting more fields than the site reads is refused unread, with the site's own
    page in the reader's language saying nothing was changed; not Django's bare "Bad Request
    (400)"."""
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 2000
    agreement = AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui")
    data = agreement_form_data(agreement, title="Diubah lewat formulir raksasa")
    data.update({f"extra-{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)})

    response = logged_in(staff_user).post(change_url(agreement), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Galat 400" in page and "tidak ada yang diubah" in page
    agreement.refresh_from_db()
    assert agreement.title == "MoU Kaltim–Anhui"
