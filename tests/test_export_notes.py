"""What a download is called and what the page says it leaves out."""

import json
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse


@pytest.fixture
def register(register_kept_for_the_module):
    """The register, written once for this module's tests."""
    return register_kept_for_the_module


def test_file_name_carries_the_filters_in_effect(client, register):
    response = client.get(
        reverse("agreement-export", args=["csv"]), {"region": "64", "scope": "ksdpl"}
    )
    b"".join(response.streaming_content)

    assert re.search(
        r'filename="coopdb-kerjasama-ksdpl-kalimantan-timur-\d{4}-\d\d-\d\dT\d{4}\.csv"',
        response["Content-Disposition"],
    ), response["Content-Disposition"]


def test_file_name_writes_a_sector_filter_as_the_data_dictionary_says(client, register):
    """The page telling the names of files says a sector is written by its slug, as the file
    name writes it, not by its name ("pendidikan")."""
    response = client.get(reverse("agreement-export", args=["csv"]), {"sector": "education"})
    b"".join(response.streaming_content)
    dictionary = " ".join(client.get(reverse("data-dictionary")).content.decode().split())

    assert re.search(
        r'filename="coopdb-kerjasama-education-\d{4}', response["Content-Disposition"]
    ), response["Content-Disposition"]
    assert "bidang dengan slug-nya (<code>education</code>)" in dictionary
    assert "mitra dan bidang dengan namanya" not in dictionary


def test_file_name_says_which_flag_and_date_filters_are_in_effect(client, register):
    """A flag or a date alone ("yes", "no", "2030-12-31") does not tell what was filtered: the
    name says it in words."""
    response = client.get(
        reverse("agreement-export", args=["csv"]),
        {"expires_before": "2030-12-31", "dormant": "yes", "late": "yes", "documents": "no"},
    )
    b"".join(response.streaming_content)

    assert re.search(
        r'filename="coopdb-kerjasama-berakhir-sampai-2030-12-31-mati-suri-tahapan-terlambat-'
        r'tanpa-dokumen-\d{4}-\d\d-\d\dT\d{4}\.csv"',
        response["Content-Disposition"],
    ), response["Content-Disposition"]


def test_an_official_is_told_the_download_leaves_out_the_internal_rows_they_see(
    client, register, official
):
    client.force_login(official)

    page = client.get(reverse("agreement-list")).content.decode()

    assert "Rencana kota kembar Samarinda – Hefei" in page  # internal, shown to an official
    assert "Kerja sama internal yang tampil di halaman ini tidak ikut diunduh" in page
    assert "berkas dokumen (ada di halaman status masing-masing)" in page


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
def test_whoever_downloads_what_they_see_is_not_told_of_internal_rows(
    client, register, analyst, who
):
    if who == "analyst":
        client.force_login(analyst)

    page = client.get(reverse("agreement-list")).content.decode()

    assert "Kerja sama internal yang tampil di halaman ini" not in page
    assert "berkas dokumen (ada di halaman status masing-masing)" in page


def downloaded_note(client):
    response = client.get(reverse("agreement-export", args=["json"]))
    return json.loads(b"".join(response.streaming_content))["note"]


def page_note(client):
    page = client.get(reverse("agreement-list")).content.decode()
    note = re.search(r'<p class="downloads-note">(.*?)</p>', page, re.S).group(1)
    return " ".join(re.sub(r"</?strong>", "", note).split())


def test_the_json_export_carries_the_note_the_page_shows_an_official(client, register, official):
    client.force_login(official)

    note = downloaded_note(client)

    assert "Kerja sama internal yang tampil di halaman ini tidak ikut diunduh" in note
    # An official's files hold the budget and contact persons, and say so.
    assert "memuat anggaran dan narahubung" in note
    assert note == page_note(client)


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
def test_the_json_export_of_whoever_downloads_what_they_see_says_no_row_is_left_out(
    client, register, analyst, who
):
    if who == "analyst":
        client.force_login(analyst)

    note = downloaded_note(client)

    assert "Kerja sama internal" not in note
    assert "berkas dokumen" in note
    assert note == page_note(client)


def test_file_name_says_a_year_filter_is_the_year_of_signing(client, register):
    """A year alone, just before the download's own date, read as a span of years
    (``coopdb-kerjasama-2024-2026-12-07T0052.csv``): the name says it is the signing year."""
    response = client.get(reverse("agreement-export", args=["csv"]), {"year": "2024"})
    b"".join(response.streaming_content)

    assert re.search(
        r'filename="coopdb-kerjasama-ditandatangani-2024-\d{4}-\d\d-\d\dT\d{4}\.csv"',
        response["Content-Disposition"],
    ), response["Content-Disposition"]


def test_file_name_of_a_search_in_chinese_says_what_was_searched(client, register):
    """Searching a partner's own name (安徽) found it, and the file was named as the whole
    register's, ``coopdb-kerjasama-2026-12-07T0101.csv``: its words were dropped as not ASCII."""
    response = client.get(reverse("agreement-export", args=["csv"]), {"q": "安徽"})
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(rows) > 1
    disposition = unquote(response["Content-Disposition"])
    assert re.search(
        r"filename\*=utf-8''coopdb-kerjasama-安徽-\d{4}-\d\d-\d\dT\d{4}\.csv$", disposition
    ), disposition


def test_file_name_says_a_value_repeated_in_the_address_once(client, register):
    """``?kind=mou&kind=mou``, an address edited by hand, was named
    ``coopdb-kerjasama-mou-mou-ksdpl-ksdpl-…``: each value selects once, and is named once."""
    response = client.get(
        reverse("agreement-export", args=["csv"]),
        {"kind": ["mou", "mou"], "scope": ["ksdpl", "ksdpl"], "waits_on": ["dprd", "dprd"]},
    )
    b"".join(response.streaming_content)

    assert re.search(
        r'filename="coopdb-kerjasama-mou-ksdpl-menunggu-dprd-\d{4}-\d\d-\d\dT\d{4}\.csv"',
        response["Content-Disposition"],
    ), response["Content-Disposition"]
