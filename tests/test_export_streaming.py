"""The XLSX export streams as it is written, like CSV and JSON: a download of the whole national
register starts at once and never waits, in one piece, past the server's patience."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agreements.export_columns import COLUMN_NAMES
from agreements.exports import XLSX_ROWS_PER_PIECE
from tests.factories import CHINESE_PARTNER, AgreementFactory, build_register


@pytest.fixture
def register(db):
    return build_register()


def test_the_xlsx_download_starts_before_the_register_is_read(staff_client, register):
    response = staff_client.get(reverse("agreement-export", args=["xlsx"]))

    assert response.status_code == 200
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    pieces = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as captured:
        first = next(pieces)
    # The workbook's first parts are on their way while no agreement has been read yet.
    assert first.startswith(b"PK")
    assert not [q for q in captured if "agreements_agreement" in q["sql"]]

    workbook = load_workbook(io.BytesIO(first + b"".join(pieces)), read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    assert list(rows[0]) == COLUMN_NAMES
    partners = {row[COLUMN_NAMES.index("partners")] for row in rows[1:]}
    assert CHINESE_PARTNER in partners


def test_a_long_xlsx_export_comes_in_many_pieces_and_opens_whole(staff_client, kaltim):
    titles = [f"Kerja sama nomor {n} & <mitra>" for n in range(XLSX_ROWS_PER_PIECE + 20)]
    for title in titles:
        AgreementFactory(title=title, lead_region=kaltim)

    response = staff_client.get(reverse("agreement-export", args=["xlsx"]))
    pieces = list(response.streaming_content)

    # Sent as it is written: a piece per few hundred rows, never the whole file at the end.
    assert len(pieces) >= 3
    workbook = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    assert len(rows) == len(titles) + 1
    assert {row[COLUMN_NAMES.index("title")] for row in rows[1:]} == set(titles)
