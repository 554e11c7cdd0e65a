"""Exports of the list pages: the same rows as the page, in documented columns, safe to open."""

import csv
import datetime
import io
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from access.models import Role
from agreements import export_columns, exports
from agreements.export_columns import COLUMN_NAMES, split_values
from agreements.models import Agreement
from tests.factories import (
    AT_PARTNER,
    CHINESE_PARTNER,
    FORMULA_TITLE,
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    SectorFactory,
)
from tests.helpers import more_matches_than_listed

FORMATS = ["csv", "xlsx", "json"]
DICTIONARY = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"


@pytest.fixture
def register(register_kept_for_the_module):
    """The register, written once for this module's tests."""
    return register_kept_for_the_module


@pytest.fixture
def analyst(django_user_model):
    user = django_user_model.objects.create_user(username="analis", password="x-long-password")
    user.groups.add(Group.objects.get_or_create(name=Role.ANALYST)[0])
    return user


@pytest.fixture
def official(django_user_model):
    user = django_user_model.objects.create_user(username="pejabat", password="x-long-password")
    user.groups.add(Group.objects.get_or_create(name=Role.OFFICIAL)[0])
    return user


def download(client, url, params=None):
    """GET a download and read it whole (the test client then closes the file behind it)."""
    response = client.get(url, params or {})
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    assert response.status_code == 200, response.body[:500]
    return response


def content(response):
    return response.body


def rows_of(response, file_format):
    """The exported rows as {column: text or list} dicts, whatever the format."""
    data = content(response)
    if file_format == "json":
        return json.loads(data.decode("utf-8"))["agreements"]
    if file_format == "csv":
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        return [
            {
                k: split_values(v) if k in export_columns.SEVERAL_VALUE_COLUMNS else v
                for k, v in row.items()
            }
            for row in reader
        ]
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        table = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    rows = []
    for cells in table[1:]:
        row = {}
        for name, cell in zip(table[0], cells, strict=True):
            cell = "" if cell is None else cell
            row[name] = split_values(cell) if name in export_columns.SEVERAL_VALUE_COLUMNS else cell
        rows.append(row)
    return rows


def titles_of(response, file_format):
    return sorted(exports_unneutralised(row["title"]) for row in rows_of(response, file_format))


def exports_unneutralised(text):
    return export_columns.unneutralise(text) if isinstance(text, str) else text


def page_titles(client, url, params=None):
    """The titles the page at ``url`` lists for ``params``, read from the page itself."""
    response = client.get(url, params or {})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.num_pages == 1  # every row is on this one page
    return sorted(agreement.title for agreement in page.object_list)


# -- visibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_anonymous_export_holds_no_internal_agreement(client, register, file_format):
    response = download(client, reverse("agreement-export", args=[file_format]))

    titles = titles_of(response, file_format)
    assert register["sister_city"].title not in titles
    assert register["campus"].title not in titles
    assert len(titles) == Agreement.objects.public().count() == 3


@pytest.mark.parametrize("file_format", FORMATS)
def test_analyst_export_holds_internal_agreements_too(client, register, analyst, file_format):
    client.force_login(analyst)

    response = download(client, reverse("agreement-export", args=[file_format]))

    assert len(titles_of(response, file_format)) == Agreement.objects.count() == 5


def test_official_reads_internal_agreements_but_downloads_only_public_ones(
    client, register, official
):
    client.force_login(official)

    response = download(client, reverse("agreement-export", args=["csv"]))

    assert len(page_titles(client, reverse("agreement-list"))) == 5
    assert titles_of(response, "csv") == sorted(
        Agreement.objects.public().values_list("title", flat=True)
    )


# -- filters ------------------------------------------------------------------------------------

FILTERS = [
    {},
    {"kind": "mou"},
    {"scope": "ksdpl"},
    {"status": "in_force"},
    {"status": "expired"},
    {"status": "signed"},
    {"sector": "education"},
    {"region": "64"},
    {"region": "64.72"},
    {"country": "CN"},
    {"year": "2024"},
    {"signed_from": "2024-01-01", "signed_to": "2025-12-31"},
    {"expires_before": "2029-12-31"},
    {"q": "Anhui"},
    {"documents": "no"},
    {"sort": "title"},
    {"kind": "mou", "region": "64", "status": "in_force"},
]


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize(
    "params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_export_holds_exactly_the_rows_of_the_filtered_page(
    client, register, analyst, params, file_format
):
    client.force_login(analyst)

    response = download(client, reverse("agreement-export", args=[file_format]), params)

    assert titles_of(response, file_format) == page_titles(
        client, reverse("agreement-list"), params
    )


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_terminated_agreement_is_downloaded_among_those_ended_by_its_termination_day(
    client, register, analyst, file_format
):
    """Terminated on 2 March 2023, its first term running to 28 July 2027: the download of
    what ended before 2025 holds it, as the page does, and sorted by expiry it comes where the
    page puts it, before every term still running."""
    client.force_login(analyst)
    ended = AgreementFactory(
        title="Kerja sama yang diakhiri",
        lead_region=register["kaltim"],
        status=Agreement.Status.TERMINATED,
        signed_on=datetime.date(2022, 7, 28),
        in_force_from=datetime.date(2022, 7, 28),
        expires_on=datetime.date(2027, 7, 28),
    )
    MilestoneFactory(
        agreement=ended, kind="termination", due_on=None, done_on=datetime.date(2023, 3, 2)
    )
    url = reverse("agreement-export", args=[file_format])
    params = {"status": "terminated", "expires_before": "2025-01-01"}
    response = download(client, url, params)
    assert titles_of(response, file_format) == ["Kerja sama yang diakhiri"]
    assert page_titles(client, reverse("agreement-list"), params) == ["Kerja sama yang diakhiri"]

    by_expiry = {"sort": "expires"}
    listed = client.get(reverse("agreement-list"), by_expiry).context["page_obj"].object_list
    downloaded = [
        exports_unneutralised(row["title"])
        for row in rows_of(download(client, url, by_expiry), file_format)
    ]
    assert downloaded == [agreement.title for agreement in listed]
    running = [a.title for a in listed if a.ends_by and a.ends_by >= datetime.date.today()]
    assert downloaded.index("Kerja sama yang diakhiri") < downloaded.index(running[0])


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_a_terminated_agreement_is_downloaded_with_the_day_it_was_terminated(
    client, register, analyst, file_format
):
    """The CSV said a terminated agreement's status and its first term, not when it was ended:
    the analyst had to look it up in the workbook's milestones. Its ``terminated_on`` holds the
    day its termination step was done, as precisely as it is known; empty for one still in
    force, and for one terminated on a day not recorded."""
    client.force_login(analyst)

    def terminated(title, **termination):
        agreement = AgreementFactory(
            title=title,
            lead_region=register["kaltim"],
            status=Agreement.Status.TERMINATED,
            signed_on=datetime.date(2022, 7, 28),
            in_force_from=datetime.date(2022, 7, 28),
            expires_on=datetime.date(2027, 7, 28),
        )
        if termination:
            MilestoneFactory(agreement=agreement, kind="termination", due_on=None, **termination)
        return agreement

    terminated("Diakhiri pada harinya", done_on=datetime.date(2023, 3, 2))
    terminated(
        "Diakhiri pada bulannya", done_on=datetime.date(2024, 5, 1), done_on_precision="month"
    )
    terminated("Diakhiri, harinya tidak tercatat")
    response = download(client, reverse("agreement-export", args=[file_format]))

    ended = {
        exports_unneutralised(row["title"]): row["terminated_on"]
        for row in rows_of(response, file_format)
    }
    empty = "" if file_format == "csv" else None
    assert ended["Diakhiri pada harinya"] == "2023-03-02"
    assert ended["Diakhiri pada bulannya"] == "2024-05"
    assert ended["Diakhiri, harinya tidak tercatat"] == empty
    assert ended[register["anhui_mou"].title] == empty


@pytest.mark.parametrize("file_format", FORMATS)
def test_partner_filter_exports_only_that_partners_agreements(
    client, register, analyst, file_format
):
    client.force_login(analyst)
    params = {"partner": register["anhui"].pk}

    response = download(client, reverse("agreement-export", args=[file_format]), params)

    titles = titles_of(response, file_format)
    assert titles == page_titles(client, reverse("agreement-list"), params)
    assert titles == [register["anhui_mou"].title]


@pytest.mark.parametrize("file_format", FORMATS)
def test_anonymous_filtered_export_still_hides_internal_agreements(client, register, file_format):
    # The campus PKS (internal) is the only one with Universitas Mulawarman.
    # To the public that partner does not exist: the filter is refused, nothing is exported.
    params = {"partner": register["unmul"].pk}

    response = client.get(reverse("agreement-export", args=[file_format]), params)

    assert response.status_code == 400
    assert register["unmul"].name not in response.content.decode()


def test_export_keeps_the_order_of_the_page(client, register, analyst):
    client.force_login(analyst)

    response = download(client, reverse("agreement-export", args=["csv"]), {"sort": "-title"})

    titles = [export_columns.unneutralise(row["title"]) for row in rows_of(response, "csv")]
    page = client.get(reverse("agreement-list"), {"sort": "-title"}).context["page_obj"]
    assert titles == [agreement.title for agreement in page.object_list]


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_search_finding_more_than_the_list_holds_downloads_every_match(
    client, register, analyst, monkeypatch, file_format
):
    """Past ``SEARCH_LISTS_AT_MOST`` matches the page lists the most recently signed of them
    and says there are more; the download holds every match: what was searched for, not what
    one page could show."""
    more_matches_than_listed(monkeypatch, register["kaltim"])
    client.force_login(analyst)

    page = client.get(reverse("agreement-list"), {"q": "nelayan"})
    assert "Lebih dari 2 kerja sama ditemukan" in page.content.decode()
    listed = [agreement.title for agreement in page.context["page_obj"].object_list]
    assert sorted(listed) == ["Pelatihan nelayan 2021", "Pelatihan nelayan 2023"]

    response = download(client, reverse("agreement-export", args=[file_format]), {"q": "nelayan"})

    titles = [exports_unneutralised(row["title"]) for row in rows_of(response, file_format)]
    assert sorted(titles) == [f"Pelatihan nelayan {year}" for year in (2019, 2021, 2023)]


@pytest.mark.parametrize("file_format", FORMATS)
def test_malformed_filter_is_a_400_with_the_reason_and_no_rows(client, register, file_format):
    response = client.get(
        reverse("agreement-export", args=[file_format]), {"status": "berlaku-selamanya"}
    )

    assert response.status_code == 400
    assert "Status" in response.content.decode()


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("page", ["2", "abc", "99999999999999999999", "0"])
def test_a_page_named_in_a_download_is_a_400_saying_the_file_holds_every_page(
    client, register, analyst, page, file_format
):
    """A download holds the whole selection, every page of it: an address naming a page (a
    page's address with ``export.csv`` typed in) would get every row in place of that page's,
    with no word why. It is refused, saying what to remove, and no file is written."""
    client.force_login(analyst)

    response = client.get(
        reverse("region-export", args=["64", file_format]), {"kind": "mou", "page": page}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Content-Disposition" not in response
    text = response.content.decode()
    assert "seluruh hasil, bukan satu halaman" in text
    assert f"page={page}" in text


# -- subject pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_region_export_includes_the_regencies_of_a_province(client, register, analyst, file_format):
    client.force_login(analyst)
    kaltim = register["kaltim"]

    response = download(client, reverse("region-export", args=[kaltim.code, file_format]))

    titles = titles_of(response, file_format)
    assert register["sister_city"].title in titles  # Samarinda's, a city in Kalimantan Timur
    assert register["formula"].title not in titles  # Kalimantan Tengah and Bali
    assert titles == page_titles(client, reverse("region-detail", args=[kaltim.code]))


@pytest.mark.parametrize("subject", ["partner", "country", "sector"])
@pytest.mark.parametrize("file_format", FORMATS)
def test_subject_page_export_holds_the_rows_of_that_page(client, register, subject, file_format):
    key = {
        "partner": register["anhui"].pk,
        "country": "CN",
        "sector": register["tourism"].slug,
    }[subject]

    response = download(client, reverse(f"{subject}-export", args=[key, file_format]))

    titles = titles_of(response, file_format)
    assert titles == page_titles(client, reverse(f"{subject}-detail", args=[key]))
    assert titles  # not trivially empty


@pytest.mark.parametrize("subject", ["region", "partner", "country", "sector"])
def test_a_subject_page_and_its_downloads_narrow_by_the_one_rule(
    client, register, monkeypatch, subject
):
    """What a subject's page lists is narrowed once, by its ``Subject.narrow``, which its
    downloads read too: a rule changed there changes the page and the file alike."""
    import dataclasses

    from agreements.export_views import SUBJECTS

    key = {
        "region": "64",
        "partner": register["anhui"].pk,
        "country": "CN",
        "sector": register["tourism"].slug,
    }[subject]
    narrowed = SUBJECTS[subject]
    monkeypatch.setitem(
        SUBJECTS,
        subject,
        dataclasses.replace(
            narrowed,
            narrow=lambda agreements, obj: narrowed.narrow(agreements, obj).filter(pk__lt=0),
        ),
    )

    assert page_titles(client, reverse(f"{subject}-detail", args=[key])) == []
    response = download(client, reverse(f"{subject}-export", args=[key, "csv"]))
    assert titles_of(response, "csv") == []


def test_subject_page_export_applies_the_page_filters(client, register, analyst):
    client.force_login(analyst)
    url = reverse("region-export", args=["64", "csv"])

    response = download(client, url, {"kind": "loi"})

    titles = titles_of(response, "csv")
    assert titles == page_titles(client, reverse("region-detail", args=["64"]), {"kind": "loi"})
    assert titles == [register["sister_city"].title]


def test_export_of_an_unknown_region_is_a_404(client, register):
    assert client.get(reverse("region-export", args=["99", "csv"])).status_code == 404


# -- the file itself ----------------------------------------------------------------------------


def csv_export(client, analyst, params=None):
    client.force_login(analyst)
    response = download(client, reverse("agreement-export", args=["csv"]), params)
    return response, content(response).decode("utf-8")


def test_csv_starts_with_a_byte_order_mark_and_the_documented_header(client, register, analyst):
    response, text = csv_export(client, analyst)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert text.startswith("\ufeff")
    header = next(csv.reader(io.StringIO(text[1:])))
    assert header == COLUMN_NAMES
    text, *tables = re.split(r"^### `([a-z_]+)`$", DICTIONARY.read_text(), flags=re.MULTILINE)
    documented = re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE)
    assert documented == COLUMN_NAMES
    # Then each other table, under its own heading, in the order of the files.
    names, sections = tables[0::2], tables[1::2]
    assert names == [table.name for table in export_columns.TABLES]
    for table, section in zip(export_columns.TABLES, sections, strict=True):
        documented = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
        assert documented == table.column_names, table.name


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, register, analyst):
    _response, text = csv_export(client, analyst)

    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    by_reference = {row["reference"]: row for row in rows}
    formula = by_reference["'-7/KSDD/2019"]
    assert formula["title"] == "'" + FORMULA_TITLE
    campus = next(row for row in rows if row["title"].startswith("PKS beasiswa"))
    # The partner list starts with "@": the whole cell gets the apostrophe; the ";" inside the
    # name is escaped so it stays one partner.
    assert campus["partners"] == "'@lliance Pendidikan\\; Nusantara; Universitas Mulawarman"
    assert split_values(export_columns.unneutralise(campus["partners"]))[0] == AT_PARTNER
    # No cell of the file begins with a character that starts a formula.
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_csv_keeps_chinese_and_indonesian_names_and_writes_iso_dates(client, register, analyst):
    _response, text = csv_export(client, analyst)

    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(text[1:], newline=""))}
    anhui = rows["Kerja sama Provinsi Kalimantan Timur dan Provinsi Anhui"]
    assert anhui["partners"] == CHINESE_PARTNER
    assert anhui["partner_countries"] == "CN"
    assert anhui["lead_region_name"] == "Kalimantan Timur"
    assert anhui["signed_on"] == "2024-06-10"
    assert anhui["expires_on"] == "2029-06-09"
    assert anhui["proposed_on"] == "2023-12-05"
    # Recorded as signed, in force since its date: the shown status is "in force".
    assert (anhui["status"], anhui["status_label"], anhui["recorded_status"]) == (
        "in_force",
        "Berlaku",
        "signed",
    )
    assert anhui["sectors"] == "food-security; education; trade"
    assert anhui["sector_names"] == "Ketahanan pangan; Pendidikan; Perdagangan"
    assert anhui["next_milestone"] == "Monev tahun pertama"
    assert anhui["next_milestone_due"] == "2025-06-30"
    assert anhui["url"] == f"http://testserver/agreements/{register['anhui_mou'].pk}/"
    assert datetime.datetime.fromisoformat(anhui["updated_at"]).tzinfo is not None
    campus = rows["PKS beasiswa daerah dengan Universitas Mulawarman"]
    assert campus["region_codes"] == "64; 64.72"
    assert campus["region_names"] == "Kalimantan Timur; Kota Samarinda"
    assert campus["partner_countries"] == "ID; ID"
    assert campus["partner_country_names"] == "Indonesia; Indonesia"
    lapsed = rows["'" + FORMULA_TITLE]
    assert (lapsed["status"], lapsed["recorded_status"]) == ("expired", "in_force")
    assert rows["Rencana kota kembar Samarinda – Hefei"]["follows"] == ("120/4321/B.Kerjasama/2024")


def test_xlsx_holds_formulas_as_text_and_dates_as_dates(client, register, analyst):
    client.force_login(analyst)
    response = download(client, reverse("agreement-export", args=["xlsx"]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(content(response)))
    try:
        sheet = workbook.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        assert header == COLUMN_NAMES
        column = {name: index for index, name in enumerate(header)}
        row = next(r for r in sheet.iter_rows(min_row=2) if r[column["title"]].value[1] == "=")
        title = row[column["title"]]
        assert title.data_type == "s"
        assert title.value == "'" + FORMULA_TITLE
        assert row[column["signed_on"]].value == datetime.datetime(2019, 3, 1)
        assert row[column["signed_on"]].number_format == "yyyy-mm-dd"
        chinese = [r for r in sheet.iter_rows(min_row=2) if r[column["partners"]].value]
        assert CHINESE_PARTNER in {r[column["partners"]].value for r in chinese}
    finally:
        workbook.close()


def test_xlsx_opens_with_its_dates_readable_and_its_header_in_view(client, register, analyst):
    """A spreadsheet shows a date wider than its column as "########": each column opens wide
    enough for a date and for its name, the header row stays in view (frozen, in bold) as the
    reader scrolls, and it carries filter buttons over every row, on every sheet."""
    client.force_login(analyst)
    response = download(client, reverse("agreement-export", args=["xlsx"]))

    workbook = load_workbook(io.BytesIO(content(response)))
    try:
        for sheet in workbook.worksheets:
            header = [cell.value for cell in sheet[1]]
            # A column the file gives no width opens at the spreadsheet's default, 8.43.
            widths = {
                index: column.width
                for column in sheet.column_dimensions.values()
                for index in range(column.min, column.max + 1)
            }
            for index, name in enumerate(header, start=1):
                width = widths.get(index, 8.43)
                assert width >= max(len(name), len("2026-12-31")) + 1, (sheet.title, name)
            assert sheet.freeze_panes == "A2", sheet.title
            assert all(cell.font.b for cell in sheet[1]), sheet.title
            last = f"{sheet.cell(1, len(header)).column_letter}{sheet.max_row}"
            assert sheet.auto_filter.ref == f"A1:{last}", sheet.title
        dates = workbook["agreements"]
        signed = [cell.value for cell in dates[1]].index("signed_on") + 1
        assert any(dates.cell(row, signed).is_date for row in range(2, dates.max_row + 1))
    finally:
        workbook.close()


def test_xlsx_holds_the_next_steps_due_date_as_a_date(client, register, analyst):
    """A spreadsheet sorts and filters the next step's target date as a date, as it does the
    signing date: on every database, not only where the rows are written in Python."""
    client.force_login(analyst)
    response = download(client, reverse("agreement-export", args=["xlsx"]))

    workbook = load_workbook(io.BytesIO(content(response)))
    try:
        sheet = workbook.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        title, due = header.index("title"), header.index("next_milestone_due")
        anhui = next(
            row
            for row in sheet.iter_rows(min_row=2)
            if row[title].value == "Kerja sama Provinsi Kalimantan Timur dan Provinsi Anhui"
        )
        assert anhui[due].value == datetime.datetime(2025, 6, 30)
        assert anhui[due].number_format == "yyyy-mm-dd"
    finally:
        workbook.close()


def test_xlsx_holds_an_evaluations_rating_as_a_number(client, register, analyst):
    """A spreadsheet averages the ratings of the evaluations downloaded: a number cell, not
    the text "4" (CSV and JSON carry it as before)."""
    MilestoneFactory(
        agreement=register["anhui_mou"],
        kind="evaluation",
        title="Monev 2025",
        done_on=datetime.date(2025, 7, 1),
        due_on=None,
        rating=4,
    )
    client.force_login(analyst)
    response = download(client, reverse("agreement-export", args=["xlsx"]))

    workbook = load_workbook(io.BytesIO(content(response)))
    try:
        sheet = workbook["milestones"]
        header = [cell.value for cell in sheet[1]]
        title, rating = header.index("title"), header.index("rating")
        rows = {row[title].value: row[rating] for row in sheet.iter_rows(min_row=2)}
        assert rows["Monev 2025"].data_type == "n"
        assert rows["Monev 2025"].value == 4
        # A step that is no evaluation: an empty cell, not a zero.
        assert {cell.value for name, cell in rows.items() if name != "Monev 2025"} == {None}
    finally:
        workbook.close()


def test_json_holds_lists_and_iso_dates(client, register, analyst):
    client.force_login(analyst)
    response = download(client, reverse("agreement-export", args=["json"]))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    rows = {row["title"]: row for row in json.loads(content(response))["agreements"]}
    assert list(next(iter(rows.values()))) == COLUMN_NAMES
    formula = rows[FORMULA_TITLE]  # JSON is not a spreadsheet: no apostrophe
    assert formula["reference"] == "-7/KSDD/2019"
    assert formula["region_codes"] == ["51", "62"]
    assert formula["signed_on"] == "2019-03-01"
    assert formula["next_milestone_due"] is None
    campus = rows["PKS beasiswa daerah dengan Universitas Mulawarman"]
    assert campus["partners"] == [AT_PARTNER, "Universitas Mulawarman"]


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_csv_and_json_stream(client, register, file_format):
    response = client.get(reverse("agreement-export", args=[file_format]))

    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content)


@pytest.mark.parametrize("file_format", FORMATS)
def test_file_name_says_what_and_when(client, register, file_format):
    response = download(client, reverse("agreement-export", args=[file_format]))

    assert re.search(
        rf'filename="coopdb-kerjasama-\d{{4}}-\d\d-\d\dT\d{{4}}\.{file_format}"',
        response["Content-Disposition"],
    )
    assert response["Content-Disposition"].startswith("attachment")


def test_file_name_of_a_subject_page_names_the_subject(client, register):
    response = download(client, reverse("region-export", args=["64", "csv"]))

    assert re.search(
        r'filename="coopdb-kerjasama-daerah-64-kalimantan-timur-\d{4}-\d\d-\d\dT\d{4}\.csv"',
        response["Content-Disposition"],
    )


# -- the other tables -----------------------------------------------------------------------------


def tables_of(response, file_format):
    """{table: [{column: value}]} of an XLSX or JSON export: the agreements, then every table of
    ``export_columns.TABLES``."""
    data = content(response)
    if file_format == "json":
        payload = json.loads(data.decode("utf-8"))
        return {name: payload[name] for name in export_columns.TABLE_NAMES}
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            header, *rows = sheet.iter_rows(values_only=True)
            # A row ends at its last cell that holds something.
            sheets[sheet.title] = [
                dict.fromkeys(header) | dict(zip(header, row, strict=False)) for row in rows
            ]
    finally:
        workbook.close()
    return sheets


@pytest.fixture
def internal_records(register):
    MilestoneFactory(
        agreement=register["sister_city"], kind="exploration", title="Kunjungan ke Hefei"
    )
    DocumentFactory(agreement=register["campus"], title="Naskah PKS Unmul")
    DocumentFactory(agreement=register["anhui_mou"], title="Naskah MoU Anhui")
    return register


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
@pytest.mark.parametrize("who", ["anonymous", "official"])
def test_no_table_of_the_file_names_an_internal_agreement_or_what_only_it_names(
    client, internal_records, official, who, file_format
):
    if who == "official":
        client.force_login(official)  # reads internal agreements, downloads the public ones

    tables = tables_of(
        download(client, reverse("agreement-export", args=[file_format])), file_format
    )

    assert list(tables) == export_columns.TABLE_NAMES
    public = {row["title"] for row in tables["agreements"]}
    assert "PKS beasiswa daerah dengan Universitas Mulawarman" not in public
    for name in ("parties", "milestones", "documents"):
        assert {row["agreement_title"] for row in tables[name]} <= public, name
    assert "Kunjungan ke Hefei" not in {row["title"] for row in tables["milestones"]}
    assert [row["title"] for row in tables["documents"]] == ["Naskah MoU Anhui"]
    # Hefei, Mulawarman and the alliance are parties to internal agreements only.
    assert [row["name"] for row in tables["partners"]] == [CHINESE_PARTNER]


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_an_analyst_downloads_every_table_of_the_internal_agreements_too(
    client, internal_records, analyst, file_format
):
    client.force_login(analyst)

    tables = tables_of(
        download(client, reverse("agreement-export", args=[file_format])), file_format
    )

    assert "Kunjungan ke Hefei" in {row["title"] for row in tables["milestones"]}
    assert {row["title"] for row in tables["documents"]} == {"Naskah PKS Unmul", "Naskah MoU Anhui"}
    assert {exports_unneutralised(row["name"]) for row in tables["partners"]} == {
        CHINESE_PARTNER,
        "Kota Hefei",
        AT_PARTNER,
        "Universitas Mulawarman",
    }
    campus = [r for r in tables["parties"] if r["agreement_title"].startswith("PKS beasiswa")]
    parties = {
        (r["party"], r["region_code"] or exports_unneutralised(r["partner_name"])) for r in campus
    }
    assert parties == {
        ("region", "64"),
        ("region", "64.72"),
        ("partner", AT_PARTNER),
        ("partner", "Universitas Mulawarman"),
    }


# -- cost -------------------------------------------------------------------------------------


def make_agreements(count):
    sector = SectorFactory()
    for index in range(count):
        agreement = AgreementFactory(sectors=[sector], partners=[PartnerFactory()])
        if index % 2:
            MilestoneFactory(agreement=agreement)


# The other tables of an XLSX or JSON export (``export_columns.TABLES``), whatever the number of
# rows: the party regions and the party partners, the milestones, the documents, the partners,
# the potentials and the surveys (and their participants, when there are surveys: none here).
TABLE_QUERIES = 7
# Of those, the JSON export on PostgreSQL has the query write the objects of the parties (two
# queries), the milestones, the documents and the partners (``exports_postgresql.table_query``),
# each query in a transaction of its own, as the agreements' is.
WRITTEN_TABLE_QUERIES = 5


def export_queries(chunks, file_format="csv"):
    """Queries of one export of ``chunks`` chunks.

    First its size, from the counts the database keeps (``agreements.export_slots``: a large
    download waits for a slot). On PostgreSQL one query reads the whole export, whatever its
    size, in a transaction of its own: here a savepoint inside the test's transaction, the
    settings of the query (no JIT, its time limit and time zone), the query, the time zone set
    back for the test's transaction, and the savepoint's release. Elsewhere one streaming query
    reads the agreements (their next step is stored on them), then five per chunk: party
    regions, partners, sectors, implementing agencies and signatories. XLSX and JSON then read
    ``TABLE_QUERIES`` more; on PostgreSQL the JSON export's ``WRITTEN_TABLE_QUERIES`` are five
    each, as the agreements' query is.
    """
    size = 1
    tables = TABLE_QUERIES if file_format in ("xlsx", "json") else 0
    if connection.vendor == "postgresql":
        if file_format == "json":
            return size + 5 + tables + 4 * WRITTEN_TABLE_QUERIES
        return size + 5 + tables
    return size + 1 + 5 * chunks + tables


@pytest.mark.parametrize("file_format", FORMATS)
def test_export_queries_do_not_grow_with_the_rows(
    client, register, django_assert_num_queries, file_format
):
    url = reverse("agreement-export", args=[file_format])
    listed = len(rows_of(download(client, url), file_format))
    make_agreements(5)
    with django_assert_num_queries(export_queries(chunks=1, file_format=file_format)):
        assert len(rows_of(download(client, url), file_format)) == listed + 5
    make_agreements(45)
    with django_assert_num_queries(export_queries(chunks=1, file_format=file_format)):
        assert len(rows_of(download(client, url), file_format)) == listed + 50


def test_export_queries_grow_with_chunks_not_rows(
    client, register, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    # 25 rows in all: three chunks of ten.
    make_agreements(
        25 - len(rows_of(download(client, reverse("agreement-export", args=["csv"])), "csv"))
    )
    with django_assert_num_queries(export_queries(chunks=3)):
        response = download(client, reverse("agreement-export", args=["csv"]))
    assert len(rows_of(response, "csv")) == 25


# -- the links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "export"),
    [
        ("/agreements/", "/agreements/export.{}"),
        ("/regions/64/", "/regions/64/export.{}"),
        ("/countries/CN/", "/countries/CN/export.{}"),
        ("/sectors/tourism/", "/sectors/tourism/export.{}"),
    ],
)
def test_list_pages_link_to_their_downloads_with_the_current_filters(
    client, register, page, export
):
    response = client.get(page, {"kind": "mou", "page": "1"})

    html = response.content.decode()
    for file_format in FORMATS:
        link = re.search(rf'href="(export\.{file_format}\?[^"]*)"', html).group(1)
        resolved = urljoin(f"http://testserver{page}", link.replace("&amp;", "&"))
        assert resolved.startswith(f"http://testserver{export.format(file_format)}?")
        assert "kind=mou" in resolved and "page=" not in resolved
        download(client, resolved)  # answers 200 with a file


@pytest.mark.parametrize(
    "language, words", [("id", "Biro/Bagian Kerja Sama"), ("en", "Cooperation Bureau/Section")]
)
def test_the_csv_says_whom_a_cooperation_waits_on_in_the_lists_words(
    client, kaltim, analyst, language, words
):
    """The list's "Menunggu" column names the party; the file gives its value and, as for the
    kind, the scope and the status, its words, the list's own: an analyst filtering by whom a
    cooperation waits on reads the same in both."""
    plan = AgreementFactory(
        title="MoU menunggu biro",
        lead_region=kaltim,
        status="exploration",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(
        agreement=plan, kind="plan", due_on=datetime.date(2027, 3, 1), waits_on="bureau"
    )
    client.force_login(analyst)
    page = client.get("/agreements/", {"waits_on": "bureau"}, HTTP_ACCEPT_LANGUAGE=language)
    assert words in page.content.decode()

    response = client.get(
        reverse("agreement-export", args=["csv"]),
        {"waits_on": "bureau"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    [row] = csv.DictReader(io.StringIO(text[1:], newline=""))
    assert (row["waits_on"], row["waits_on_label"]) == ("bureau", words)


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_download_says_a_next_step_names_nobody_yet_as_the_list_does(
    client, kaltim, analyst, file_format
):
    """The list's ``waits_on=none`` lists the texts whose next step names nobody yet, its
    "Menunggu" column saying "belum ditentukan", as the report and its XLSX say it; the file
    of the same selection left the column's words empty, as for a text with nothing next."""
    plan = AgreementFactory(
        title="MoU tanpa pihak",
        lead_region=kaltim,
        status="exploration",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(agreement=plan, kind="plan", due_on=datetime.date(2027, 3, 1), waits_on="")
    cancelled = AgreementFactory(
        title="MoU batal",
        lead_region=kaltim,
        status="cancelled",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(agreement=cancelled, kind="plan", due_on=datetime.date(2027, 3, 1))
    client.force_login(analyst)
    page = client.get("/agreements/", {"waits_on": "none"}).content.decode()
    assert "MoU tanpa pihak" in page and "belum ditentukan" in page

    export = reverse("agreement-export", args=[file_format])
    rows = rows_of(download(client, export, {"waits_on": "none"}), file_format)
    said = {row["title"]: (row["waits_on"], row["waits_on_label"]) for row in rows}
    assert said["MoU tanpa pihak"] == ("", "Belum ditentukan")
    assert set(said.values()) == {("", "Belum ditentukan")}
    # Nothing is awaited of an ended text, whatever step it left planned.
    rows = rows_of(download(client, export), file_format)
    said = {row["title"]: row["waits_on_label"] for row in rows}
    assert (said["MoU tanpa pihak"], said["MoU batal"]) == ("Belum ditentukan", "")


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_download_says_which_texts_are_already_extended_as_the_list_does(
    client, kaltim, analyst, file_format
):
    """The list says "sudah diperpanjang" beside a text a signed extension extends; its
    download said nothing of it, and an analyst could not tell a lapsing text from one going
    on. Its ``extended`` says so, counting only an extension the downloader may download: the
    public's file does not tell of an internal one. An extension still prepared extends
    nothing yet."""

    def text(title, extension=None, **fields):
        agreement = AgreementFactory(
            title=title,
            lead_region=kaltim,
            kind="mou",
            signed_on=datetime.date(2021, 3, 1),
            in_force_from=datetime.date(2021, 3, 1),
            expires_on=datetime.date(2026, 2, 28),
            **fields,
        )
        if extension is not None:
            AgreementFactory(
                title=f"Perpanjangan {title}",
                lead_region=kaltim,
                kind="mou",
                follows=agreement,
                relation="extends",
                **extension,
            )
        return agreement

    signed = {
        "signed_on": datetime.date(2025, 11, 3),
        "in_force_from": datetime.date(2026, 3, 1),
        "expires_on": datetime.date(2031, 2, 28),
    }
    text("Diperpanjang", extension=signed)
    text("Diperpanjang secara internal", extension={**signed, "visibility": "internal"})
    text(
        "Perpanjangannya masih disiapkan",
        extension={
            "status": "preparation",
            "signed_on": None,
            "in_force_from": None,
            "expires_on": None,
        },
    )
    text("Tidak diperpanjang")
    # Terminated itself: its term does not go on, as its list row says "Diakhiri" alone.
    text("Diakhiri meski diperpanjang", extension=signed, status="terminated")
    yes, no = (True, False) if file_format == "json" else ("true", "false")

    def extended():
        response = download(client, reverse("agreement-export", args=[file_format]))
        titles = {
            "Diperpanjang",
            "Diperpanjang secara internal",
            "Perpanjangannya masih disiapkan",
            "Tidak diperpanjang",
            "Diakhiri meski diperpanjang",
        }
        return {
            title: row["extended"]
            for row in rows_of(response, file_format)
            if (title := exports_unneutralised(row["title"])) in titles
        }

    assert extended() == {
        "Diperpanjang": yes,
        "Diperpanjang secara internal": no,  # the public may not see the extension
        "Perpanjangannya masih disiapkan": no,
        "Tidak diperpanjang": no,
        "Diakhiri meski diperpanjang": no,
    }
    client.force_login(analyst)
    assert extended() == {
        "Diperpanjang": yes,
        "Diperpanjang secara internal": yes,
        "Perpanjangannya masih disiapkan": no,
        "Tidak diperpanjang": no,
        "Diakhiri meski diperpanjang": no,
    }
    page = client.get("/agreements/", {"q": "Diperpanjang"}).content.decode()
    assert page.count("sudah diperpanjang") == 2  # as the list says it
