"""What a download is called and what the page says it leaves out."""

import re

import pytest
from django.urls import reverse

from tests.factories import build_register


@pytest.fixture
def register(db):
    return build_register()


def test_file_name_carries_the_filters_in_effect(client, register):
    response = client.get(
        reverse("agreement-export", args=["csv"]), {"region": "64", "scope": "ksdpl"}
    )
    b"".join(response.streaming_content)

    assert re.search(
        r'filename="coopdb-kerjasama-ksdpl-kalimantan-timur-\d{4}-\d\d-\d\dT\d{4}\.csv"',
        response["Content-Disposition"],
    ), response["Content-Disposition"]


def test_an_official_is_told_the_download_leaves_out_the_internal_rows_they_see(
    client, register, official
):
    client.force_login(official)

    page = client.get(reverse("agreement-list")).content.decode()

    assert "Rencana kota kembar Samarinda – Hefei" in page  # internal, shown to an official
    assert "Kerja sama internal yang tampil di halaman ini tidak ikut diunduh" in page
    assert "tahapan dan dokumennya ada di halaman status masing-masing" in page


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
def test_whoever_downloads_what_they_see_is_not_told_of_internal_rows(
    client, register, analyst, who
):
    if who == "analyst":
        client.force_login(analyst)

    page = client.get(reverse("agreement-list")).content.decode()

    assert "tidak ikut diunduh" not in page
    assert "tahapan dan dokumennya ada di halaman status masing-masing" in page
