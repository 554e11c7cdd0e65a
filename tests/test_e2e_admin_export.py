"""Bureau staff export a selection from the admin's list, in a real Chromium: tick two rows,
choose the export, run it, and the browser saves a file holding exactly those two."""

import csv
import io

import pytest

from tests.factories import AgreementFactory
from tests.test_e2e import log_in_browser_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_tick_two_agreements_and_download_them_as_csv(page, live_server, staff_user, kaltim):
    ticked = [
        AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim),
        AgreementFactory(title="PKS beasiswa Unmul", lead_region=kaltim),
    ]
    AgreementFactory(title="MoU tidak dipilih", lead_region=kaltim)
    log_in_browser_as(page, staff_user, live_server)

    page.goto(live_server.url + "/admin/agreements/agreement/")
    for agreement in ticked:
        page.locator(f'input.action-select[value="{agreement.pk}"]').check()
    page.select_option('select[name="action"]', "export_csv")
    with page.expect_download() as download_info:
        page.locator('button[name="index"]').first.click()
    download = download_info.value

    assert download.suggested_filename.startswith("coopdb-kerjasama-pilihan-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as saved:
        rows = list(csv.DictReader(io.StringIO(saved.read())))
    assert sorted(row["title"] for row in rows) == sorted(a.title for a in ticked)
