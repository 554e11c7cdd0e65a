"""The periodic report (/laporan/): a region and a period, as a page, a PDF and an XLSX."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation
from openpyxl import load_workbook

from agreements import report as reports
from agreements.models import Agreement
from tests.factories import AgreementFactory, MilestoneFactory, make_official
from tests.helpers import chart_table, pdf_text, public_addendum_of_an_internal_mou


@pytest.fixture
def register(kaltim, samarinda, bali):
    signed = AgreementFactory(
        title="MoU Kaltim–Anhui 2024",
        lead_region=kaltim,
        scope="ksdpl",
        signed_on=datetime.date(2024, 3, 1),
        in_force_from=datetime.date(2024, 3, 1),
        expires_on=datetime.date(2029, 2, 28),
    )
    expiring = AgreementFactory(
        title="Kota kembar Samarinda berakhir 2025",
        lead_region=samarinda,
        signed_on=datetime.date(2020, 5, 1),
        in_force_from=datetime.date(2020, 5, 1),
        expires_on=datetime.date(2025, 4, 30),
    )
    MilestoneFactory(
        agreement=expiring,
        kind="evaluation",
        title="Monev 2024",
        due_on=datetime.date(2024, 9, 1),
        done_on=datetime.date(2024, 9, 10),
        rating=3,
        findings="Kegiatan pertukaran pelajar belum berjalan.",
    )
    MilestoneFactory(
        agreement=signed,
        title="Rapat koordinasi",
        waits_on="partner",
        due_on=datetime.date(2025, 1, 15),
    )
    AgreementFactory(
        title="MoU Kaltim lama tanpa kegiatan",
        lead_region=kaltim,
        signed_on=datetime.date(2019, 1, 1),
        in_force_from=datetime.date(2019, 1, 1),
        expires_on=datetime.date(2030, 1, 1),
    )
    AgreementFactory(
        title="Rancangan internal Kaltim",
        lead_region=kaltim,
        visibility="internal",
        signed_on=datetime.date(2024, 6, 1),
        in_force_from=datetime.date(2024, 6, 1),
    )
    AgreementFactory(title="MoU Bali 2024", lead_region=bali, signed_on=datetime.date(2024, 1, 2))


def section(html, heading_id):
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_report_of_kaltim_for_2024_holds_each_section(client, register):
    response = client.get("/laporan/", {"region": "64", "period": "2024"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kalimantan Timur · Tahun 2024" in html
    assert "MoU Kaltim–Anhui 2024" in section(html, "r-signed")
    assert "Kota kembar Samarinda" not in section(html, "r-signed")
    assert "Kota kembar Samarinda berakhir 2025" in section(html, "r-expiring")
    assert "Tahun 2025" in section(html, "r-expiring")
    assert "MoU Kaltim lama tanpa kegiatan" in section(html, "r-dormant")
    assert "Mitra: 1" in section(html, "r-waiting")
    evaluations = section(html, "r-evaluations")
    assert "Kegiatan pertukaran pelajar belum berjalan." in evaluations
    assert "Bali" not in section(html, "r-in-force")
    # A public report holds public records only.
    assert "Rancangan internal" not in html
    assert 'data-code="ID-KI"' in html and "is-highlighted" in html
    # What is not of the region and the period says so: whom each waits on now, and the map of
    # the whole country.
    assert "Keadaan hari ini, bukan pada akhir periode" in section(html, "r-waiting")
    assert "seluruh Indonesia, semua kerja sama yang tercatat hingga hari ini" in section(
        html, "r-charts"
    )


def test_officials_report_holds_internal_records(client, register, django_user_model):
    client.force_login(make_official(django_user_model))
    html = client.get("/laporan/", {"region": "64", "period": "2024-S1"}).content.decode()
    assert "Semester I 2024" in html
    assert "Rancangan internal Kaltim" in section(html, "r-signed")


def internal_evaluation_and_step():
    """The internal draft of ``register`` evaluated in October 2024, and a step of it waiting
    on the bureau: rows of the report's lists that only its internal readers read."""
    draft = Agreement.objects.get(title="Rancangan internal Kaltim")
    MilestoneFactory(
        agreement=draft,
        kind="evaluation",
        title="Monev internal",
        due_on=None,
        done_on=datetime.date(2024, 10, 1),
        rating=4,
    )
    MilestoneFactory(
        agreement=draft,
        title="Rapat internal",
        waits_on="bureau",
        due_on=datetime.date(2027, 1, 15),
    )


def test_the_officials_report_marks_each_internal_row_as_the_list_does(
    client, register, django_user_model
):
    """The page says the internal records it shows are not in its downloads, and is printed
    for the DPRD and the ministry: each internal row is marked, as the list and the status
    page mark it, so the official can tell which (its rows were unmarked)."""
    internal_evaluation_and_step()
    client.force_login(make_official(django_user_model))
    html = client.get("/laporan/", {"region": "64", "period": "2024"}).content.decode()
    internal = '<span class="badge badge-internal">Internal</span>'
    for name in ("r-signed", "r-waiting", "r-evaluations"):
        rows = section(html, name)
        assert f"<td>Rancangan internal Kaltim · {internal}</td>" in rows, name
        assert rows.count(internal) == 1, name
    assert "<td>MoU Kaltim–Anhui 2024</td>" in section(html, "r-signed")


def test_a_semester_has_its_own_lists(client, register):
    html = client.get("/laporan/", {"region": "64", "period": "2024-S2"}).content.decode()
    assert "MoU Kaltim–Anhui 2024" not in section(html, "r-signed")
    assert "Kota kembar Samarinda berakhir 2025" in section(html, "r-expiring")  # 2025-S1


def test_a_signing_known_to_its_year_is_reported_in_that_years_report_not_in_its_first_half(
    client, kaltim
):
    """A text the register knows was signed "2024", no more, is stored as 1 January 2024: the
    report of the first semester listed it as signed then, and the second's did not, though
    either half may be the one. It is signed within the year 2024, as its row says; a signing
    known to its month falls in one half, and is reported there. Nor was the one of "2024"
    in force as the first semester ended, as its signing's first day had it, nor a text
    signed in January whose entry into force is known only as "2024": a start known to its
    year is reached on its last day, in the second semester's report, as the status page and
    the list read it."""
    AgreementFactory(
        title="MoU Kaltim ditandatangani 2024",
        lead_region=kaltim,
        signed_on=datetime.date(2024, 1, 1),
        signed_on_precision="year",
        in_force_from=None,
        expires_on=datetime.date(2029, 1, 1),
        expires_on_precision="year",
    )
    AgreementFactory(
        title="MoU Kaltim ditandatangani Maret 2024",
        lead_region=kaltim,
        signed_on=datetime.date(2024, 3, 1),
        signed_on_precision="month",
        in_force_from=None,
        expires_on=datetime.date(2029, 2, 28),
    )
    AgreementFactory(
        title="MoU Kaltim berlaku 2024",
        lead_region=kaltim,
        signed_on=datetime.date(2024, 1, 10),
        in_force_from=datetime.date(2024, 1, 1),
        in_force_from_precision="year",
        expires_on=datetime.date(2029, 1, 1),
        expires_on_precision="year",
    )

    def signed(period):
        query = {"region": "64", "period": period}
        html = client.get("/laporan/", query).content.decode()
        row = re.search(r"KSDD — antardaerah</th><td class=\"num\">(\d+)</td>", html)
        listed = re.findall(r"<td>(MoU Kaltim[^<]*)</td>", section(html, "r-signed"))
        assert sheet_titles(workbook(client, query), "Ditandatangani") == listed
        return int(row.group(1)), [t for t in listed if t != "MoU Kaltim berlaku 2024"]

    def in_force(period):
        html = client.get("/laporan/", {"region": "64", "period": period}).content.decode()
        return re.findall(r"<td>(MoU Kaltim[^<]*)</td>", section(html, "r-in-force"))

    assert signed("2024-S1") == (2, ["MoU Kaltim ditandatangani Maret 2024"])
    assert in_force("2024-S1") == ["MoU Kaltim ditandatangani Maret 2024"]
    assert signed("2024-S2") == (0, [])
    assert in_force("2024-S2") == [
        "MoU Kaltim berlaku 2024",
        "MoU Kaltim ditandatangani 2024",
        "MoU Kaltim ditandatangani Maret 2024",
    ]
    assert signed("2024") == (
        3,
        ["MoU Kaltim ditandatangani 2024", "MoU Kaltim ditandatangani Maret 2024"],
    )


@pytest.mark.parametrize(
    ("done_on", "precision", "ended", "period", "before"),
    [
        # On the first day of the second semester: in force when it began, ended within.
        (datetime.date(2024, 7, 1), "day", "1 Juli 2024", "2024-S2", "2024-S1"),
        (datetime.date(2024, 7, 1), "month", "Juli 2024", "2024-S2", "2024-S1"),
        (datetime.date(2024, 1, 1), "year", "tahun 2024", "2024", "2023"),
        # Known only to its year: it may have run until December, as its end is read
        # (``ends_by``), so in force as the first half ended, and ended within the second. It
        # was read as terminated from 1 January, so no half-year report said it ended.
        (datetime.date(2024, 1, 1), "year", "tahun 2024", "2024-S2", "2024-S1"),
    ],
)
def test_a_cooperation_terminated_as_its_period_begins_is_told_as_ended_within_it(
    client, kaltim, done_on, precision, ended, period, before
):
    """Terminated on 1 July 2024, in July 2024, or in 2024, each stored as the period's first
    day: the report of the period before listed it as in force at its end, but the next one's
    "ended within the period" left it out, read as already terminated when that period began,
    and no report said it ended. It was in force when the period began: it ended within it."""
    agreement = AgreementFactory(
        title="MoU Kaltim diakhiri",
        lead_region=kaltim,
        status="terminated",
        signed_on=datetime.date(2021, 3, 1),
        in_force_from=datetime.date(2021, 3, 1),
        expires_on=datetime.date(2026, 2, 28),
    )
    MilestoneFactory(
        agreement=agreement,
        kind="termination",
        title="Pengakhiran",
        due_on=None,
        done_on=done_on,
        done_on_precision=precision,
    )
    told = f"Diakhiri pada {ended}"

    earlier = client.get("/laporan/", {"region": "64", "period": before}).content.decode()
    assert "MoU Kaltim diakhiri" in section(earlier, "r-in-force")

    query = {"region": "64", "period": period}
    html = client.get("/laporan/", query).content.decode()
    ending = re.sub(r"<[^>]+>", "", section(html, "r-ending"))
    assert "MoU Kaltim diakhiri" in ending and told in ending
    assert "MoU Kaltim diakhiri" not in section(html, "r-in-force")
    row = re.search(r"KSDD — antardaerah</th>" + r'<td class="num">(\d+)</td>' * 3, html)
    assert row.group(3) == "1"  # ended within the period
    assert sheet_titles(workbook(client, query), "Berakhir dalam periode") == [
        "MoU Kaltim diakhiri"
    ]


def test_the_dormant_at_the_end_of_a_period_read_a_date_known_to_its_month_or_year_to_its_last_day(
    client, kaltim
):
    """The end of 2024 is a year after 1 January 2024, the day "Januari 2024" and "2024" are
    stored as: a cooperation in force from then, or last active then, may have been so on the
    period's last day, and was not dormant yet when the period ended. A day is read as before.
    """
    for title, start, sign in [
        ("Berlaku Januari 2024", "month", None),
        ("Berlaku 2024", "year", None),
        ("Berlaku 1 Januari 2024", "day", None),
        ("Kegiatan Januari 2024", "day", "month"),
        ("Kegiatan 2024", "day", "year"),
        ("Kegiatan 1 Januari 2024", "day", "day"),
    ]:
        agreement = AgreementFactory(
            title=title,
            lead_region=kaltim,
            signed_on=datetime.date(2019, 1, 1),
            in_force_from=datetime.date(2024, 1, 1) if sign is None else datetime.date(2019, 1, 1),
            in_force_from_precision=start,
            expires_on=datetime.date(2030, 1, 1),
        )
        if sign is not None:
            MilestoneFactory(
                agreement=agreement,
                kind="activity",
                due_on=None,
                done_on=datetime.date(2024, 1, 1),
                done_on_precision=sign,
            )

    dormant = section(
        client.get("/laporan/", {"region": "64", "period": "2024"}).content.decode(), "r-dormant"
    )

    listed = set(re.findall(r"(?:Berlaku|Kegiatan)[^<]*2024", dormant))
    assert listed == {"Berlaku 1 Januari 2024", "Kegiatan 1 Januari 2024"}


def period_options(html):
    """The period form's options, as (value, what the reader reads)."""
    menu = html[
        html.index('<select id="report-period"') : html.index(
            "</select>", html.index('id="report-period"')
        )
    ]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', menu)


def test_the_periods_offered_read_as_officials_say_them_and_keep_their_codes(client, register):
    html = client.get("/laporan/", {"region": "64", "period": "2024-S1"}).content.decode()
    options = dict(period_options(html))
    assert options["2024"] == "Tahun 2024"
    assert options["2024-S1"] == "Semester I 2024"
    assert options["2024-S2"] == "Semester II 2024"
    assert '<option value="2024-S1" selected>Semester I 2024</option>' in html
    assert not [label for label in options.values() if "-S" in label]


@pytest.mark.parametrize("typed", ["2024-s1", "2024-s2"])
def test_a_semester_typed_in_lower_case_is_the_semester_under_its_own_code(client, register, typed):
    """A semester typed in lower case, "2024-s1", as a clerk writes an address by hand, was
    refused as a period the report does not know, while "2024-S1" was read. It is the same
    semester: the report is drawn, the menu shows it chosen and the download links and the
    file name carry its code as the menu writes it."""
    code = typed.upper()
    response = client.get("/laporan/", {"region": "64", "period": typed})
    assert response.status_code == 200
    html = response.content.decode()
    label = "Semester I 2024" if code.endswith("S1") else "Semester II 2024"
    assert f"{label}</h1>" in html
    assert f'<option value="{code}" selected>{label}</option>' in html
    assert f'laporan.xlsx?region=64&amp;period={code}"' in html
    assert f'laporan.pdf?region=64&amp;period={code}"' in html
    response = client.get("/laporan/laporan.xlsx", {"region": "64", "period": typed})
    assert response.status_code == 200
    assert f'filename="laporan-kerjasama-64-{code}.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.active.title


def test_in_english_the_periods_offered_read_as_words(english_client, register):
    html = english_client.get("/laporan/").content.decode()
    options = dict(period_options(html))
    assert options["2024"] == "Year 2024"
    assert options["2024-S1"] == "First semester 2024"
    assert options["2024-S2"] == "Second semester 2024"


def test_bad_choices_get_a_400_that_says_why(client, register):
    response = client.get("/laporan/", {"region": "99", "period": "2024"})
    assert response.status_code == 400
    assert "tidak ada" in response.content.decode()
    response = client.get("/laporan/", {"region": "64", "period": "2024-S3"})
    assert response.status_code == 400
    assert "2024-S1" in response.content.decode()
    assert client.get("/laporan/laporan.pdf", {"region": "64"}).status_code == 400
    assert client.get("/laporan/").status_code == 200  # the form alone
    # A line break after the period would reach the download's file name.
    for address in ("/laporan/", "/laporan/laporan.pdf", "/laporan/laporan.xlsx"):
        response = client.get(address, {"region": "64", "period": "2024\n"})
        assert response.status_code == 400, address


@pytest.mark.parametrize(
    ("query", "says"),
    [
        # The 2025 report was shown, and NTT's.
        ({"region": "64", "period": ["2024", "2025"]}, "Periode: "),
        ({"region": ["64", "53"], "period": "2024"}, "Daerah: "),
        ({"region": ["64", ""], "period": "2024"}, "Daerah: "),
        ({"region": "64", "period": ["2024", "2024"]}, "Periode: "),
    ],
)
def test_a_region_or_period_given_twice_gets_a_400_that_says_so(client, register, query, says):
    message = says + "Isian ini menerima satu nilai saja, tetapi diberi 2 nilai: pilih satu."
    for address in ("/laporan/", "/laporan/laporan.pdf", "/laporan/laporan.xlsx"):
        response = client.get(address, query)
        assert response.status_code == 400, address
        assert message in response.content.decode(), address
    assert client.get("/laporan/").status_code == 200


def test_report_as_xlsx(client, register):
    response = client.get("/laporan/laporan.xlsx", {"region": "64", "period": "2024"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "Ringkasan" in book.sheetnames
    signed = [row[0] for row in book["Ditandatangani"].iter_rows(min_row=2, values_only=True)]
    assert signed == ["MoU Kaltim–Anhui 2024"]
    findings = [row[3] for row in book["Evaluasi"].iter_rows(min_row=2, values_only=True)]
    assert findings == ["Kegiatan pertukaran pelajar belum berjalan."]


def test_report_xlsx_opens_with_its_dates_readable_and_its_headings_in_view(client, register):
    """A spreadsheet shows a date wider than its column as "########": the signing and end
    dates open readable, each heading fits its column and stays in view, in bold, as the
    reader scrolls down."""
    book = workbook(client, {"region": "64", "period": "2024"})
    signed = book["Ditandatangani"]
    assert signed.cell(2, 4).is_date and signed.cell(2, 5).is_date
    for sheet in book.worksheets[1:]:
        # A column the file gives no width opens at the spreadsheet's default, 8.43.
        widths = {
            index: column.width
            for column in sheet.column_dimensions.values()
            for index in range(column.min, column.max + 1)
        }
        for index, heading in enumerate(sheet[1], start=1):
            needed = max(len(heading.value), len("2024-12-31")) + 1
            assert widths.get(index, 8.43) >= needed, (sheet.title, heading.value)
            assert heading.font.b, (sheet.title, heading.value)
        assert sheet.freeze_panes == "A2", sheet.title
    assert book["Ditandatangani"].column_dimensions["A"].width >= 50


@pytest.mark.parametrize("reader", ["official", "staff without a role"])
def test_an_official_reads_internal_records_on_the_page_but_downloads_only_public_ones(
    client, register, django_user_model, reader
):
    """Officials, and staff (who read internal records as officials do), read internal
    records; only analysts and administrators may download them (docs/roles.md): the report's
    workbook and PDF hold what the reader may download, and the page says which is which."""
    if reader == "official":
        client.force_login(make_official(django_user_model))
    else:
        client.force_login(
            django_user_model.objects.create_user("staf-biro", password="x", is_staff=True)
        )
    query = {"region": "64", "period": "2024"}
    html = client.get("/laporan/", query).content.decode()
    assert "Rancangan internal Kaltim" in section(html, "r-signed")
    assert "Rancangan internal Kaltim" not in sheet_titles(
        workbook(client, query), "Ditandatangani"
    )
    assert "MoU Kaltim–Anhui 2024" in sheet_titles(workbook(client, query), "Ditandatangani")
    pdf = client.get("/laporan/laporan.pdf", query)
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "MoU Kaltim–Anhui 2024" in text
    assert "Rancangan internal Kaltim" not in text
    # Neither the page nor the files leave the official to find that out by counting.
    assert "Kerja sama internal yang tampil di halaman ini tidak ikut diunduh" in html
    assert "Hanya kerja sama yang dipublikasikan." not in html
    assert "Hanya kerja sama yang dipublikasikan." in " ".join(text.split())
    assert "Hanya kerja sama yang dipublikasikan." in sheet_titles(
        workbook(client, query), "Laporan"
    )


def test_an_analysts_downloads_hold_internal_records_and_say_what_they_are(
    client, register, django_user_model
):
    from django.contrib.auth.models import Group

    from access.models import Role

    analyst = django_user_model.objects.create_user("analis-laporan", password="x")
    analyst.groups.add(Group.objects.get_or_create(name=Role.ANALYST)[0])
    client.force_login(analyst)
    query = {"region": "64", "period": "2024"}
    html = client.get("/laporan/", query).content.decode()
    assert "tidak ikut diunduh" not in html
    book = workbook(client, query)
    assert "Rancangan internal Kaltim" in sheet_titles(book, "Ditandatangani")
    cover = [row[0] for row in book["Laporan"].iter_rows(values_only=True)]
    assert cover[:3] == [
        "Laporan kerja sama daerah",
        "Kalimantan Timur · Tahun 2024",
        "Periode 1 Januari 2024 sampai 31 Desember 2024.",
    ]
    assert cover[3].startswith("Disusun ")
    assert "Hanya kerja sama yang dipublikasikan." not in cover
    text = pdf_text(client.get("/laporan/laporan.pdf", query).content)
    assert "Rancangan internal Kaltim" in text
    assert "dipublikasikan" not in text


def test_an_analysts_workbook_marks_each_internal_row_as_the_page_does(
    client, register, analyst, django_user_model
):
    """The page and its PDF mark each internal row ("Internal"), so a report passed on shows
    which rows are not for the public; the analyst's workbook, which holds them too, listed
    them unmarked beside the public ones. Each of its lists says which is which in a column of
    its own; the workbook of a reader who downloads public records only has none."""
    internal_evaluation_and_step()
    client.force_login(analyst)
    query = {"region": "64", "period": "2024"}
    book = workbook(client, query)
    for name in ("Ditandatangani", "Menunggu", "Evaluasi"):
        rows = list(book[name].iter_rows(values_only=True))
        assert rows[0][-1] == "Visibilitas", name
        marks = {row[0]: row[-1] for row in rows[1:]}
        assert marks["Rancangan internal Kaltim"] == "Internal", name
        assert set(marks.values()) == {"Internal", "Publik"}, name
    client.force_login(make_official(django_user_model))
    book = workbook(client, query)
    assert "Visibilitas" not in next(book["Ditandatangani"].iter_rows(values_only=True))


def test_a_title_written_as_a_formula_is_text_in_the_workbook(client, register):
    """A title "=HYPERLINK(…)" typed by an editor opens as that text, not as a live link; a
    control character stored before the register refused them does not break the download."""
    from agreements.models import Agreement

    trap = '=HYPERLINK("http://evil.example/x","Klik di sini")'
    Agreement.objects.filter(title="MoU Kaltim–Anhui 2024").update(title=trap)
    Agreement.objects.filter(title="MoU Kaltim lama tanpa kegiatan").update(
        title="MoU Kaltim\x0blama"
    )
    book = workbook(client, {"region": "64", "period": "2024"})
    cells = {row[0].value: row[0] for row in book["Ditandatangani"].iter_rows(min_row=2)}
    # As the register's exports write it: text, and text still once saved again as CSV.
    assert cells["'" + trap].data_type == "s"
    assert "MoU Kaltimlama" in sheet_titles(book, "Berlaku")


def test_report_as_pdf(client, register):
    response = client.get("/laporan/laporan.pdf", {"region": "64", "period": "2024"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_printed_report_holds_the_first_rows_of_a_long_list_and_says_how_many_more(
    client, register, monkeypatch
):
    """On paper each list stops after ``PRINTED_ROWS`` rows and says how many more the
    workbook holds; the summary counts every agreement, printed or not."""
    monkeypatch.setattr(reports, "PRINTED_ROWS", 1)
    query = {"region": "64", "period": "2024"}
    text = pdf_text(client.get("/laporan/laporan.pdf", query).content)
    in_force = sheet_titles(workbook(client, query), "Berlaku")
    assert len(in_force) == 3
    printed = text[
        text.index("\nBerlaku pada akhir periode\n") : text.index("Berakhir pada periode berikut (")
    ]
    assert sum(title in printed for title in in_force) == 1
    assert "Dan 2 lainnya: daftar lengkap ada di berkas XLSX laporan ini." in printed
    summary = re.search(r"KSDD —\s+(\d+)\s+(\d+)", text)
    assert summary.group(2) == "2"  # its two texts in force are counted, one of them unprinted
    # The page itself lists them all.
    html = client.get("/laporan/", query).content.decode()
    assert all(title in section(html, "r-in-force") for title in in_force)
    assert "lainnya" not in html


def test_the_report_lists_what_ended_within_the_period_and_says_which_steps_are_late(
    client, register, kaltim
):
    """A text in force when the period began and expiring within it is in neither "in force at
    the end" nor "expiring next period": it has its own list. A step past its target is said
    to be late, by how long, as on every page."""
    AgreementFactory(
        title="PKS Kaltim berakhir Juni 2024",
        lead_region=kaltim,
        kind="pks",
        signed_on=datetime.date(2021, 7, 1),
        in_force_from=datetime.date(2021, 7, 1),
        expires_on=datetime.date(2024, 6, 30),
    )
    # Signed in March and ending with the year: signed and ended within the period, in both.
    AgreementFactory(
        title="MoU Kaltim setahun 2024",
        lead_region=kaltim,
        signed_on=datetime.date(2024, 3, 10),
        in_force_from=None,
        expires_on=datetime.date(2024, 1, 1),
        expires_on_precision="year",
    )
    query = {"region": "64", "period": "2024"}
    html = client.get("/laporan/", query).content.decode()
    assert "PKS Kaltim berakhir Juni 2024" in section(html, "r-ending")
    assert "MoU Kaltim setahun 2024" in section(html, "r-ending")
    assert "MoU Kaltim setahun 2024" in section(html, "r-signed")
    assert "PKS Kaltim berakhir Juni 2024" not in section(html, "r-in-force")
    assert "PKS Kaltim berakhir Juni 2024" not in section(html, "r-expiring")
    assert "MoU Kaltim–Anhui 2024" not in section(html, "r-ending")
    # "Rapat koordinasi" was due 15 January 2025.
    waiting = section(html, "r-waiting")
    assert re.search(r"15 Januari 2025</time> · <span[^>]*>terlambat \d+\s(tahun|bulan)", waiting)
    book = workbook(client, query)
    assert sheet_titles(book, "Berakhir dalam periode") == [
        "PKS Kaltim berakhir Juni 2024",
        "MoU Kaltim setahun 2024",
    ]
    [row] = book["Menunggu"].iter_rows(min_row=2, values_only=True)
    assert row[0] == "MoU Kaltim–Anhui 2024" and row[-1] == "ya"


def test_a_terminated_agreements_row_says_when_it_ended_not_its_first_term(
    client, register, kaltim
):
    """Signed in 2024 and terminated that September, its first term running to 2029: its row
    in the report and in the workbook says when it ended, as its row on the list does."""
    ended = AgreementFactory(
        title="MoU Kaltim diakhiri 2024",
        lead_region=kaltim,
        status="terminated",
        signed_on=datetime.date(2024, 2, 1),
        in_force_from=datetime.date(2024, 2, 1),
        expires_on=datetime.date(2029, 1, 31),
    )
    MilestoneFactory(
        agreement=ended, kind="termination", due_on=None, done_on=datetime.date(2024, 9, 2)
    )
    query = {"region": "64", "period": "2024"}
    signed = section(client.get("/laporan/", query).content.decode(), "r-signed")
    row = next(tr for tr in signed.split("<tr>") if "MoU Kaltim diakhiri 2024" in tr)
    text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "Diakhiri pada 2 September 2024" in text
    assert "2029" not in text
    rows = workbook(client, query)["Ditandatangani"].iter_rows(values_only=True)
    [cells] = [cells for cells in rows if cells[0] == "MoU Kaltim diakhiri 2024"]
    assert cells[-1] == "Diakhiri pada 2 September 2024"


def test_a_row_of_an_agreement_terminated_on_a_day_not_recorded_does_not_say_its_first_term(
    client, register, kaltim
):
    """Recorded terminated with no step dating it (an addendum terminated with its MoU): its
    row in the report and in the workbook said "31 Januari 2029", its first term, as if it ran
    until then, where its row on the list says it was terminated on a day not recorded."""
    AgreementFactory(
        title="Adendum MoU Kaltim diakhiri",
        lead_region=kaltim,
        status="terminated",
        signed_on=datetime.date(2024, 2, 1),
        in_force_from=datetime.date(2024, 2, 1),
        expires_on=datetime.date(2029, 1, 31),
    )
    query = {"region": "64", "period": "2024"}
    signed = section(client.get("/laporan/", query).content.decode(), "r-signed")
    row = next(tr for tr in signed.split("<tr>") if "Adendum MoU Kaltim diakhiri" in tr)
    text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "Diakhiri; tanggal tidak tercatat" in text
    assert "2029" not in text
    rows = workbook(client, query)["Ditandatangani"].iter_rows(values_only=True)
    [cells] = [cells for cells in rows if cells[0] == "Adendum MoU Kaltim diakhiri"]
    assert cells[-1] == "Diakhiri; tanggal tidak tercatat"
    listed = client.get("/agreements/", {"q": "Adendum MoU Kaltim diakhiri"}).content.decode()
    assert "Diakhiri; tanggal tidak tercatat" in listed


def test_a_cooperation_terminated_within_the_period_is_listed_as_ended_in_it(
    client, register, kaltim
):
    """In force when 2024 began and terminated that September, its first term running to
    2029: the report of 2024 lists it among what ended within the period, on the day it was
    terminated, and counts it there, rather than losing it between "in force" lists; the report
    of 2025 does not."""
    ended = AgreementFactory(
        title="MoU Kaltim diakhiri September 2024",
        lead_region=kaltim,
        status="terminated",
        signed_on=datetime.date(2021, 2, 1),
        in_force_from=datetime.date(2021, 2, 1),
        expires_on=datetime.date(2029, 1, 31),
    )
    MilestoneFactory(
        agreement=ended, kind="termination", due_on=None, done_on=datetime.date(2024, 9, 2)
    )
    query = {"region": "64", "period": "2024"}
    html = client.get("/laporan/", query).content.decode()
    ending = section(html, "r-ending")
    row = next(tr for tr in ending.split("<tr>") if "MoU Kaltim diakhiri September 2024" in tr)
    assert "Diakhiri pada 2 September 2024" in " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "tercatat pada hari diakhirinya" in ending
    assert "MoU Kaltim diakhiri September 2024" not in section(html, "r-in-force")
    assert "MoU Kaltim diakhiri September 2024" in sheet_titles(
        workbook(client, query), "Berakhir dalam periode"
    )
    later = client.get("/laporan/", {"region": "64", "period": "2025"}).content.decode()
    assert "MoU Kaltim diakhiri September 2024" not in section(later, "r-ending")


def test_a_report_downloaded_again_after_a_change_shows_the_change(client, register):
    """The PDF is kept until the register changes, and no longer."""
    from agreements.models import Agreement

    query = {"region": "64", "period": "2024"}
    assert "MoU Kaltim–Anhui 2024" in pdf_text(client.get("/laporan/laporan.pdf", query).content)
    renamed = Agreement.objects.get(title="MoU Kaltim–Anhui 2024")
    renamed.title = "MoU Kaltim–Anhui 2024 (diperbarui)"
    renamed.save()
    assert "(diperbarui)" in pdf_text(client.get("/laporan/laporan.pdf", query).content)


def test_the_report_says_whom_a_cooperation_waits_on_as_the_dashboard_does(client, kaltim):
    """One rule for "waiting on": a cooperation is listed once, under whom its next step waits
    on, and a cancelled one's open steps wait on nobody."""
    live = AgreementFactory(title="MoU Kaltim berjalan", lead_region=kaltim)
    MilestoneFactory(
        agreement=live,
        title="Kegiatan bersama",
        waits_on="partner",
        due_on=datetime.date(2025, 2, 1),
    )
    MilestoneFactory(
        agreement=live, title="Monev tahunan", waits_on="bureau", due_on=datetime.date(2025, 6, 1)
    )
    called_off = AgreementFactory(
        title="Rencana Kaltim dibatalkan",
        lead_region=kaltim,
        status="cancelled",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(
        agreement=called_off, title="Rapat DPRD", waits_on="dprd", due_on=datetime.date(2025, 3, 1)
    )

    response = client.get("/laporan/", {"region": "64", "period": "2024"})
    waiting = section(response.content.decode(), "r-waiting")
    assert "Mitra: 1" in waiting
    assert waiting.count("MoU Kaltim berjalan") == 1
    assert "Kegiatan bersama" in waiting and "Monev tahunan" not in waiting
    assert "Rencana Kaltim dibatalkan" not in waiting and "DPRD" not in waiting


def sheet_titles(book, name):
    return [row[0] for row in book[name].iter_rows(min_row=2, values_only=True)]


def workbook(client, query):
    response = client.get("/laporan/laporan.xlsx", query)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def kaltim_over_the_years(kaltim):
    """Texts of Kalimantan Timur whose status today differs from that at the end of 2020."""
    AgreementFactory(
        title="PKS Kaltim berakhir Februari 2021",
        lead_region=kaltim,
        status="expired",
        signed_on=datetime.date(2019, 3, 1),
        in_force_from=datetime.date(2019, 3, 1),
        expires_on=datetime.date(2021, 2, 25),
    )
    AgreementFactory(
        title="MoU Kaltim ditandatangani Juni 2024",
        lead_region=kaltim,
        proposed_on=datetime.date(2024, 1, 10),
        signed_on=datetime.date(2024, 6, 10),
        in_force_from=datetime.date(2024, 6, 10),
        expires_on=datetime.date(2029, 6, 9),
    )
    ended = AgreementFactory(
        title="Kerja sama Kaltim diakhiri Agustus 2020",
        lead_region=kaltim,
        status="terminated",
        signed_on=datetime.date(2018, 5, 1),
        in_force_from=datetime.date(2018, 5, 1),
        expires_on=datetime.date(2023, 4, 30),
    )
    MilestoneFactory(
        agreement=ended,
        kind="termination",
        title="Pengakhiran atas kesepakatan para pihak",
        due_on=None,
        done_on=datetime.date(2020, 8, 1),
    )
    # Terminated, but the register holds no termination milestone: when, it cannot say.
    AgreementFactory(
        title="Kerja sama Kaltim diakhiri tanpa tanggal",
        lead_region=kaltim,
        status="terminated",
        signed_on=datetime.date(2019, 7, 1),
        in_force_from=datetime.date(2019, 7, 1),
        expires_on=datetime.date(2024, 6, 30),
    )
    AgreementFactory(
        title="Rencana Kaltim diusulkan 2023",
        lead_region=kaltim,
        status="preparation",
        proposed_on=datetime.date(2023, 2, 1),
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )


def test_in_force_at_the_end_of_a_past_period_is_read_from_the_dates(client, kaltim_over_the_years):
    """Not today's status: what was signed later was not in force yet, what expired since
    was, what was terminated before the end was not, and where no date says when a text was
    terminated the report says it cannot tell."""
    html = client.get("/laporan/", {"region": "64", "period": "2020"}).content.decode()

    in_force, _, maybe = section(html, "r-in-force").partition('id="r-maybe-in-force"')
    assert "PKS Kaltim berakhir Februari 2021" in in_force
    assert "MoU Kaltim ditandatangani Juni 2024" not in in_force
    assert "Kerja sama Kaltim diakhiri Agustus 2020" not in in_force
    assert "Kerja sama Kaltim diakhiri tanpa tanggal" not in in_force
    assert "tanggal yang tidak tercatat" in maybe
    assert "Kerja sama Kaltim diakhiri tanpa tanggal" in maybe
    expiring = section(html, "r-expiring")
    assert "Tahun 2021" in expiring
    assert "PKS Kaltim berakhir Februari 2021" in expiring
    # KSDD: none signed in 2020, one in force at its end, one terminated in 2020, one
    # expiring in 2021.
    summary = section(html, "r-summary")
    row = re.search(r"KSDD — antardaerah</th>" + r'<td class="num">(\d+)</td>' * 4, summary)
    assert row.groups() == ("0", "1", "1", "1")  # signed, in force, ended in 2020, in 2021
    assert "Kerja sama Kaltim diakhiri Agustus 2020" in section(html, "r-ending")
    assert "Kerja sama Kaltim diakhiri tanpa tanggal" not in section(html, "r-ending")

    book = workbook(client, {"region": "64", "period": "2020"})
    assert sheet_titles(book, "Berlaku") == ["PKS Kaltim berakhir Februari 2021"]
    assert sheet_titles(book, "Mungkin berlaku") == ["Kerja sama Kaltim diakhiri tanpa tanggal"]
    assert sheet_titles(book, "Berakhir periode berikut") == ["PKS Kaltim berakhir Februari 2021"]


def test_the_status_chart_counts_what_existed_at_the_end_by_its_status_then(
    client, kaltim_over_the_years
):
    """At the end of 2020 the MoU of 2024 and the plan of 2023 were not yet in the register's
    story; the PKS that has expired since was in force, the one terminated in August was
    terminated, and the one terminated on an unrecorded day is counted as unknown."""
    html = client.get("/laporan/", {"region": "64", "period": "2020"}).content.decode()

    chart = dict(chart_table(html, "status"))
    assert chart["Berlaku"] == "1"
    assert chart["Berakhir"] == "0"
    assert chart["Diakhiri"] == "1"
    assert chart["Tidak diketahui"] == "1"
    assert chart["Belum ditandatangani"] == "0"
    assert sum(int(n) for n in chart.values()) == 3

    # At the end of 2023 the plan was under way and the MoU not yet signed or proposed; the
    # PKS had expired.
    html = client.get("/laporan/", {"region": "64", "period": "2023"}).content.decode()
    chart = dict(chart_table(html, "status"))
    assert chart["Belum ditandatangani"] == "1"
    assert chart["Berakhir"] == "1"
    assert sum(int(n) for n in chart.values()) == 4
    assert "MoU Kaltim ditandatangani Juni 2024" not in section(html, "r-in-force")


def test_every_cooperation_with_a_next_step_is_counted_whoever_it_waits_on(client, kaltim):
    """A signing due in June 2024 that names nobody is counted under "not yet known"; those
    naming a party are counted as the dashboard counts them."""
    plan = AgreementFactory(
        title="MoU Kaltim–Anhui belum ditandatangani",
        lead_region=kaltim,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(
        agreement=plan,
        kind="signing",
        title="Penandatanganan MoU Kaltim–Anhui",
        due_on=datetime.date(2024, 6, 1),
    )
    live = AgreementFactory(title="MoU Kaltim berjalan", lead_region=kaltim)
    MilestoneFactory(
        agreement=live,
        title="Kegiatan bersama",
        waits_on="partner",
        due_on=datetime.date(2025, 2, 1),
    )

    html = client.get("/laporan/", {"region": "64", "period": "2024"}).content.decode()

    waiting = section(html, "r-waiting")
    assert "Belum ditentukan: 1" in waiting and "Mitra: 1" in waiting
    assert "Penandatanganan MoU Kaltim–Anhui" in waiting
    assert "MoU Kaltim–Anhui belum ditandatangani" in waiting
    dashboard = client.get("/").content.decode()
    assert ("Mitra", "1") in re.findall(
        r'<th scope="row">([^<]*)</th><td class="num"><a href="[^"]*">([^<]*)</a>',
        dashboard[dashboard.index('id="waiting-table"') :],
    )
    book = workbook(client, {"region": "64", "period": "2024"})
    rows = list(book["Menunggu"].iter_rows(min_row=2, values_only=True))
    assert sorted((row[1], row[2]) for row in rows) == [
        ("Kegiatan bersama", "Mitra"),
        ("Penandatanganan MoU Kaltim–Anhui", "Belum ditentukan"),
    ]


@pytest.mark.parametrize("period", ["1900", "1900-S1"])
def test_the_first_periods_the_site_accepts_are_reported(client, kaltim, period):
    response = client.get("/laporan/", {"region": "64", "period": period})
    assert response.status_code == 200
    following = {"1900": "1901", "1900-S1": "1900"}[period]
    assert following in section(response.content.decode(), "r-expiring")
    assert workbook(client, {"region": "64", "period": period})


def test_the_first_year_as_pdf(client, kaltim):
    response = client.get("/laporan/laporan.pdf", {"region": "64", "period": "1900-S1"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def next_year():
    return timezone.localdate().year + 1


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("{next}", "Periode Tahun {next} belum dimulai (mulai 1 Januari {next})"),
        ("{next}-S2", "Periode Semester II {next} belum dimulai (mulai 1 Juli {next})"),
        ("2999", "Periode Tahun 2999 belum dimulai"),
    ],
)
def test_a_period_not_yet_begun_gets_a_400_that_says_so(client, register, period, says):
    """Its lists would be today's register read as if the period had passed: none is drawn."""
    period, says = (text.format(next=next_year()) for text in (period, says))
    for address in ("/laporan/", "/laporan/laporan.pdf", "/laporan/laporan.xlsx"):
        response = client.get(address, {"region": "64", "period": period})
        assert response.status_code == 400, address
        text = response.content.decode()
        assert says in text, address
        assert "MoU Kaltim lama tanpa kegiatan" not in text, address
    page = client.get("/laporan/", {"region": "64", "period": period}).content.decode()
    assert 'id="report-title"' not in page


def test_the_period_menu_offers_only_periods_that_have_begun(client, register):
    today = timezone.localdate()
    html = client.get("/laporan/").content.decode()
    codes = [code for code, _label in period_options(html) if code]
    assert str(today.year) in codes
    assert str(next_year()) not in codes
    assert all(reports.Period.parse(code).start <= today for code in codes)
    # The half of this year that has begun is offered; the one to come is not.
    assert (f"{today.year}-S2" in codes) == (today.month >= 7)


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("3000", "1900 sampai 2999"),
        ("3000-S1", "1900 sampai 2999"),
        ("9999", "1900 sampai 2999"),
        ("1899", "1900 sampai 2999"),
        ("0000", "1900 sampai 2999"),
        ("2024-Q1", "semester (2024-S1)"),
        ("2024-S3", "semester (2024-S1)"),
        ("2024-S", "semester (2024-S1)"),
        ("24", "semester (2024-S1)"),
        ("２０２４", "semester (2024-S1)"),
    ],
)
def test_a_period_the_report_cannot_serve_gets_a_400_that_says_why(client, kaltim, period, says):
    for address in ("/laporan/", "/laporan/laporan.pdf", "/laporan/laporan.xlsx"):
        response = client.get(address, {"region": "64", "period": period})
        assert response.status_code == 400, address
        assert says in response.content.decode(), address


@pytest.fixture
def english_client(client):
    """A reader who chose English; a request in English leaves English active in this thread,
    which later tests do not expect."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.deactivate()


def test_in_english_the_expiry_column_says_expires_on(english_client, register):
    """The column of dates reads "Expires on": "Berakhir" is also the status "Expired"."""
    client = english_client
    html = client.get("/laporan/", {"region": "64", "period": "2024"}).content.decode()

    in_force = section(html, "r-in-force")
    assert '<th scope="col" class="col-date">Expires on</th>' in in_force
    assert "Expired" not in in_force
    assert "MoU Kaltim–Anhui 2024" in in_force  # in force to 2029
    book = workbook(client, {"region": "64", "period": "2024"})
    assert next(book["In force"].iter_rows(max_row=1, values_only=True))[-1] == "Expires on"


def test_in_english_the_evaluations_score_column_says_what_it_is(english_client, register):
    """The column of the evaluations' 1–5 scores reads as the status page and the form say it,
    not "Value", which a reader takes for an amount."""
    client = english_client
    html = client.get("/laporan/", {"region": "64", "period": "2024"}).content.decode()

    evaluations = section(html, "r-evaluations")
    assert '<th scope="col" class="num">Evaluation score (1–5)</th>' in evaluations
    assert ">Value<" not in evaluations
    book = workbook(client, {"region": "64", "period": "2024"})
    header = next(book["Evaluations"].iter_rows(max_row=1, values_only=True))
    assert header[2] == "Evaluation score (1–5)"


def test_in_english_the_workbook_names_agreements_as_the_page_does(english_client, kaltim):
    """An agreement with an English title is named by it on the English page, in its PDF and
    in its workbook alike, in every list of the workbook."""
    client = english_client
    mou = AgreementFactory(
        title="Nota Kesepahaman Kaltim–Osaka",
        title_en="MoU East Kalimantan–Osaka",
        lead_region=kaltim,
        signed_on=datetime.date(2024, 3, 1),
        in_force_from=datetime.date(2024, 3, 1),
        expires_on=datetime.date(2029, 2, 28),
    )
    MilestoneFactory(
        agreement=mou, kind="evaluation", due_on=None, done_on=datetime.date(2024, 9, 2), rating=4
    )
    MilestoneFactory(agreement=mou, kind="activity", due_on=datetime.date(2027, 1, 15))
    query = {"region": "64", "period": "2024"}
    html = client.get("/laporan/", query).content.decode()
    assert "MoU East Kalimantan–Osaka" in section(html, "r-signed")

    book = workbook(client, query)
    for sheet in ("Signed", "In force", "Waiting on", "Evaluations"):
        titles = [row[0] for row in book[sheet].iter_rows(min_row=2, values_only=True)]
        assert "MoU East Kalimantan–Osaka" in titles, sheet
        assert "Nota Kesepahaman Kaltim–Osaka" not in titles, sheet


def test_the_reports_queries_do_not_grow_with_its_rows(client, kaltim):
    """However many agreements and steps a region has, its report runs the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/laporan/", {"region": "64", "period": "2024"})
        waiting = section(response.content.decode(), "r-waiting")
        assert waiting.count("terlambat") == waiting.count("<tr>") - 1  # every step is late
        return len(captured)

    def add(count):
        for number in range(count):
            agreement = AgreementFactory(
                title=f"MoU Kaltim {number}",
                lead_region=kaltim,
                signed_on=datetime.date(2024, 3, 1),
                in_force_from=datetime.date(2024, 3, 1),
                expires_on=datetime.date(2029, 6, 30),
            )
            MilestoneFactory(agreement=agreement, waits_on="dprd", due_on=datetime.date(2025, 1, 1))
            MilestoneFactory(
                agreement=agreement,
                kind="evaluation",
                due_on=datetime.date(2024, 9, 1),
                done_on=datetime.date(2024, 9, 2),
            )

    add(1)
    few = queries()
    add(6)
    assert queries() == few


def test_what_ends_says_it_is_already_extended_on_the_page_in_the_pdf_and_the_workbook(
    client, kaltim, django_user_model
):
    """What ended within the period and what ends in the next say which of it a signed
    extension already extends ("sudah diperpanjang", as the dashboard says it), on the page, in
    the PDF and in the workbook alike; an extension still prepared or cancelled says nothing,
    nor does an internal one where the reader may not read or download it."""
    from django.contrib.auth.models import Group

    from access.models import Role
    from agreements.models import Agreement

    day = datetime.date

    def text(title, signed, expires):
        return AgreementFactory(
            title=title,
            lead_region=kaltim,
            signed_on=signed,
            in_force_from=signed,
            expires_on=expires,
        )

    def extension(of, title, **fields):
        return AgreementFactory(
            title=title,
            lead_region=kaltim,
            follows=of,
            relation=Agreement.Relation.EXTENDS,
            **fields,
        )

    unsigned = {"signed_on": None, "in_force_from": None, "expires_on": None}
    ended = text("MoU Kaltim berakhir Juni 2024", day(2019, 7, 1), day(2024, 6, 30))
    extension(
        ended,
        "Perpanjangan MoU Juni",
        signed_on=day(2024, 5, 2),
        in_force_from=day(2024, 7, 1),
        expires_on=day(2029, 6, 30),
    )
    unextended = text("MoU Kaltim berakhir Oktober 2024", day(2019, 11, 1), day(2024, 10, 31))
    extension(unextended, "Perpanjangan disusun", status=Agreement.Status.PREPARATION, **unsigned)
    extension(unextended, "Perpanjangan batal", status=Agreement.Status.CANCELLED, **unsigned)
    ending = text("MoU Kaltim berakhir April 2025", day(2020, 5, 1), day(2025, 4, 30))
    extension(
        ending,
        "Perpanjangan MoU April",
        visibility=Agreement.Visibility.INTERNAL,
        signed_on=day(2025, 3, 1),
        in_force_from=day(2025, 5, 1),
        expires_on=day(2030, 4, 30),
    )
    query = {"region": "64", "period": "2024"}

    def on_page(reader):
        """{title: whether its row says it is extended} of each list of what ends."""
        html = reader.get("/laporan/", query).content.decode()
        return [
            {
                title: "sudah diperpanjang" in row
                for title, row in re.findall(
                    r"<tr><td>([^<]*)</td>(.*?)</tr>", section(html, heading)
                )
            }
            for heading in ("r-ending", "r-expiring")
        ]

    def in_workbook(reader):
        book = workbook(reader, query)
        assert book["Berakhir dalam periode"]["F1"].value == "Perpanjangan"
        return [
            {
                row[0]: row[5] == "sudah diperpanjang"
                for row in book[name].iter_rows(min_row=2, values_only=True)
            }
            for name in ("Berakhir dalam periode", "Berakhir periode berikut")
        ]

    def in_pdf(reader):
        """How many rows say it in each list of what ends (a cell may break across lines)."""
        text = " ".join(pdf_text(reader.get("/laporan/laporan.pdf", query).content).split())
        ending = text[text.index("Berakhir dalam periode Berlaku") :]
        expiring = ending[ending.index("Berakhir pada periode berikut (") :]
        ending = ending[: ending.index("Berakhir pada periode berikut (")]
        expiring = expiring[: expiring.index("Menunggu, dan pada siapa")]
        return [ending.count("sudah diperpanjang"), expiring.count("sudah diperpanjang")]

    public = [
        {"MoU Kaltim berakhir Juni 2024": True, "MoU Kaltim berakhir Oktober 2024": False},
        {"MoU Kaltim berakhir April 2025": False},
    ]
    internal = [public[0], {"MoU Kaltim berakhir April 2025": True}]
    assert on_page(client) == public
    assert in_workbook(client) == public
    assert in_pdf(client) == [1, 0]

    # An official reads the internal extension on the page, and downloads public records only.
    client.force_login(make_official(django_user_model))
    assert on_page(client) == internal
    assert in_workbook(client) == public
    assert in_pdf(client) == [1, 0]

    analyst = django_user_model.objects.create_user("analis-perpanjangan", password="x")
    analyst.groups.add(Group.objects.get_or_create(name=Role.ANALYST)[0])
    client.force_login(analyst)
    assert in_workbook(client) == internal
    assert in_pdf(client) == [1, 1]


def test_a_terminated_text_is_not_marked_extended_in_the_report(client, kaltim):
    """The MoU of 2020, extended in June 2024, was ended early in September 2024, recorded on
    the MoU alone (its extension left "Berlaku"): the report's list of what ended in 2024 read
    "Diakhiri 15 September 2024 · sudah diperpanjang", on the page and in the workbook, as if
    the cooperation went on."""
    from agreements.models import Agreement

    texts = []
    for title, follows, signed, expires in (
        ("MoU Kaltim diakhiri", None, datetime.date(2020, 2, 14), datetime.date(2025, 2, 13)),
        ("Perpanjangan MoU Kaltim", True, datetime.date(2024, 6, 10), datetime.date(2030, 2, 13)),
    ):
        texts.append(
            AgreementFactory(
                title=title,
                lead_region=kaltim,
                status=Agreement.Status.IN_FORCE if follows else Agreement.Status.TERMINATED,
                follows=texts[0] if follows else None,
                relation=Agreement.Relation.EXTENDS if follows else "",
                signed_on=signed,
                in_force_from=signed,
                expires_on=expires,
            )
        )
    MilestoneFactory(
        agreement=texts[0], kind="termination", due_on=None, done_on=datetime.date(2024, 9, 15)
    )
    Agreement.objects.filter(pk__in=[t.pk for t in texts]).refresh_progress()
    query = {"region": "64", "period": "2024"}
    html = section(client.get("/laporan/", query).content.decode(), "r-ending")
    [row] = [r for r in html.split("<tr>") if "MoU Kaltim diakhiri" in r]
    assert "Diakhiri" in row and "diperpanjang" not in row
    book = workbook(client, query)
    [row] = [
        r
        for r in book["Berakhir dalam periode"].iter_rows(min_row=2, values_only=True)
        if r[0] == "MoU Kaltim diakhiri"
    ]
    assert not row[5]


def test_a_date_known_to_the_month_is_written_as_that_month_in_the_workbook(client, kaltim):
    """A target of "Juni 2025" is not the first of June: the workbook writes "2025-06", as the
    register's exports do, and a whole date as a date."""
    agreement = AgreementFactory(
        title="MoU Kaltim bertarget bulan",
        lead_region=kaltim,
        signed_on=datetime.date(2024, 3, 1),
        in_force_from=datetime.date(2024, 3, 1),
        expires_on=datetime.date(2029, 2, 28),
    )
    MilestoneFactory(
        agreement=agreement,
        waits_on="partner",
        due_on=datetime.date(2025, 6, 1),
        due_on_precision="month",
    )
    book = workbook(client, {"region": "64", "period": "2024"})
    [row] = book["Menunggu"].iter_rows(min_row=2, values_only=True)
    assert row[3] == "2025-06"
    [signed] = book["Ditandatangani"].iter_rows(min_row=2, values_only=True)
    assert signed[3] == datetime.datetime(2024, 3, 1)  # openpyxl reads a date cell back so


def test_a_signed_loi_waiting_on_its_follow_ups_late_step_is_late_in_the_report(client, kemlu_step):
    """The LoI stores the step of the text that carries it out: that text, being drafted, says
    whether the step is late, not the signed LoI."""
    html = client.get("/laporan/", {"region": "64", "period": "2026"}).content.decode()
    rows = re.findall(r"<tr><td>([^<]*)</td>.*?</tr>", section(html, "r-waiting"))
    assert rows == ["LoI", "Provinsi kembar"]
    assert section(html, "r-waiting").count("terlambat") == 2


def test_a_signed_loi_row_says_its_step_and_its_lateness_are_on_the_follow_up_text(
    client, kemlu_step
):
    """Seed 002's shape: the signed LoI waits with the sister-province text being finalised
    through the Foreign Ministry. The report's row of the LoI names the text the step is taken
    on and says it is late there ("terlambat pada naskah lanjutan"), as the LoI's status page
    and the list's row say it: not the drafting as if the LoI itself were late with it. The
    sister-province text's own row says plainly how late it is; the workbook says it alike."""
    html = client.get("/laporan/", {"region": "64", "period": "2026"}).content.decode()
    rows = dict(re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", section(html, "r-waiting"), re.S))
    loi = " ".join(re.sub(r"<[^>]+>", " ", rows["LoI"]).split())
    assert "Finalisasi · pada naskah lanjutan: Provinsi kembar" in loi
    assert loi.endswith("· terlambat pada naskah lanjutan")
    text = " ".join(re.sub(r"<[^>]+>", " ", rows["Provinsi kembar"]).split())
    assert "naskah lanjutan" not in text
    assert re.search(r"· terlambat \d+ hari$", text)
    book = workbook(client, {"region": "64", "period": "2026"})
    sheet = {row[0]: row for row in book["Menunggu"].iter_rows(min_row=2, values_only=True)}
    assert sheet["LoI"][1] == "Finalisasi · pada naskah lanjutan: Provinsi kembar"
    assert sheet["LoI"][4] == "terlambat pada naskah lanjutan"
    assert sheet["Provinsi kembar"][1] == "Finalisasi"
    assert sheet["Provinsi kembar"][4] == "ya"


def test_in_english_the_lists_by_title_are_in_the_order_of_the_title_shown(english_client, kaltim):
    """As the English list sorted by title: a sister city titled in English "Sister city …"
    comes after "MoU …", not among the "Kota kembar" it is titled in Indonesian."""
    for title, title_en in (
        ("Kota kembar Samarinda–Anhui", "Sister city Samarinda–Anhui"),
        ("Nota Kesepahaman Kaltim–Osaka", "MoU East Kalimantan–Osaka"),
    ):
        AgreementFactory(
            title=title,
            title_en=title_en,
            lead_region=kaltim,
            signed_on=datetime.date(2022, 3, 1),
            in_force_from=datetime.date(2022, 3, 1),
            expires_on=datetime.date(2029, 2, 28),
        )
    html = english_client.get("/laporan/", {"region": "64", "period": "2024"}).content.decode()

    in_force = section(html, "r-in-force")
    assert in_force.index("MoU East Kalimantan–Osaka") < in_force.index("Sister city Samarinda")


def test_an_mou_and_the_addendum_ending_with_it_are_one_cooperation_in_each_list(client, kaltim):
    """In force at the end of 2024, dormant then and ending in 2025, or ended within 2024: the
    MoU, not the MoU and "Adendum MoU …" beside it, in the lists, their counts and the
    workbook. An addendum ending before its MoU ends on its own."""
    for title, expires_on, status in [
        ("MoU Kaltim–Anhui", datetime.date(2025, 6, 30), "in_force"),
        ("MoU Kaltim–Jiangxi", datetime.date(2024, 8, 31), "expired"),
    ]:
        mou = AgreementFactory(
            title=title,
            lead_region=kaltim,
            status=status,
            signed_on=datetime.date(2019, 7, 1),
            in_force_from=datetime.date(2019, 7, 1),
            expires_on=expires_on,
        )
        AgreementFactory(
            title=f"Adendum {title}",
            kind="amendment",
            follows=mou,
            relation="amends",
            lead_region=kaltim,
            status=status,
            signed_on=datetime.date(2021, 3, 1),
            in_force_from=datetime.date(2021, 3, 1),
            expires_on=expires_on,
        )
    AgreementFactory(
        title="Adendum lebih singkat",
        kind="amendment",
        follows=mou,
        relation="amends",
        lead_region=kaltim,
        status="expired",
        signed_on=datetime.date(2021, 3, 1),
        in_force_from=datetime.date(2021, 3, 1),
        expires_on=datetime.date(2024, 2, 29),
    )

    html = client.get("/laporan/", {"region": "64", "period": "2024"}).content.decode()

    for heading, listed in [
        ("r-in-force", "MoU Kaltim–Anhui"),
        ("r-expiring", "MoU Kaltim–Anhui"),
        ("r-dormant", "MoU Kaltim–Anhui"),
        ("r-ending", "MoU Kaltim–Jiangxi"),
    ]:
        shown = section(html, heading)
        assert listed in shown, heading
        assert f"Adendum {listed}" not in shown, heading
    assert "Adendum lebih singkat" in section(html, "r-ending")
    row = re.search(
        r"KSDD — antardaerah</th>" + r'<td class="num">(\d+)</td>' * 5, section(html, "r-summary")
    )
    assert row.groups() == ("0", "1", "2", "1", "1")  # signed, in force, ended, next, dormant
    book = workbook(client, {"region": "64", "period": "2024"})
    assert sheet_titles(book, "Berlaku") == ["MoU Kaltim–Anhui"]
    assert sheet_titles(book, "Berakhir periode berikut") == ["MoU Kaltim–Anhui"]


@pytest.mark.parametrize("period", ["2024", str(timezone.localdate().year)])
def test_the_status_chart_counts_an_mou_and_the_addendum_ending_with_it_once(
    client, kaltim, period
):
    """The report's summary and its list said one cooperation was in force at the end of the
    period, the MoU with its addendum; the chart beside them, "Kerja sama menurut status",
    said two."""
    mou = AgreementFactory(
        title="MoU Kaltim–Anhui",
        lead_region=kaltim,
        signed_on=datetime.date(2019, 7, 1),
        in_force_from=datetime.date(2019, 7, 1),
        expires_on=datetime.date(2035, 6, 30),
    )
    AgreementFactory(
        title="Adendum MoU Kaltim–Anhui",
        kind="amendment",
        follows=mou,
        relation="amends",
        lead_region=kaltim,
        signed_on=datetime.date(2021, 3, 1),
        in_force_from=datetime.date(2021, 3, 1),
        expires_on=datetime.date(2035, 6, 30),
    )

    html = client.get("/laporan/", {"region": "64", "period": period}).content.decode()

    row = re.search(r"KSDD — antardaerah</th>" + r'<td class="num">(\d+)</td>' * 2, html)
    assert row.group(2) == "1"  # in force at the end of the period
    assert dict(chart_table(html, "status"))["Berlaku"] == "1"


def test_the_status_chart_still_counts_an_addendum_being_prepared_for_an_mou_in_force(
    client, kaltim
):
    """An addendum still being drafted is work of its own, listed as such: the chart counts
    it among the texts being prepared, beside its MoU in force, as the list of dormant
    cooperation and the list page count it; one cooperation is counted once within a status,
    not dropped from another."""
    mou = AgreementFactory(
        title="MoU Kaltim–Anhui",
        lead_region=kaltim,
        signed_on=datetime.date(2019, 7, 1),
        in_force_from=datetime.date(2019, 7, 1),
        expires_on=datetime.date(2035, 6, 30),
    )
    AgreementFactory(
        title="Adendum MoU Kaltim–Anhui",
        kind="amendment",
        follows=mou,
        relation="amends",
        lead_region=kaltim,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=datetime.date(2035, 6, 30),
    )
    period = str(timezone.localdate().year)

    html = client.get("/laporan/", {"region": "64", "period": period}).content.decode()

    chart = dict(chart_table(html, "status"))
    assert chart["Berlaku"] == "1"
    assert chart["Penyiapan naskah"] == "1"


@pytest.mark.parametrize(
    ("today", "period", "listed"),
    [
        # The period still running: what lies dormant today, not at its end.
        (datetime.date(2026, 3, 1), "2026", False),
        (datetime.date(2026, 3, 1), "2026-S1", False),
        (datetime.date(2026, 6, 10), "2026-S1", True),
        # The period ended: what lay dormant at its end.
        (datetime.date(2027, 1, 5), "2026", True),
        (datetime.date(2027, 1, 5), "2026-S1", True),
    ],
)
def test_a_period_still_running_lists_what_lies_dormant_today(
    client, kaltim, monkeypatch, today, period, listed
):
    """In force since 1 June 2025 with nothing done: dormant from 2 June 2026. On 1 March 2026
    the report of 2026 called it dormant, as it would be at the year's end if nothing were
    done, while its status page, the list and the dashboard did not."""
    AgreementFactory(
        title="MoU Kaltim tanpa kegiatan",
        lead_region=kaltim,
        signed_on=datetime.date(2025, 6, 1),
        in_force_from=datetime.date(2025, 6, 1),
        expires_on=datetime.date(2030, 6, 1),
    )
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda value=None, tz=None: today if value is None else localdate(value, tz),
    )

    html = client.get("/laporan/", {"region": "64", "period": period}).content.decode()

    dormant = section(html, "r-dormant")
    assert ("MoU Kaltim tanpa kegiatan" in dormant) is listed
    assert ("Periode ini belum berakhir" in dormant) is (today <= reports.Period.parse(period).end)


def site_menu(html):
    start = html.index('<nav class="site-nav"')
    return html[start : html.index("</nav>", start)]


@pytest.mark.django_db
def test_every_reader_finds_the_report_in_the_site_menu(client, official, analyst):
    """The report is open to everyone (the public's holds public records only), so every
    reader finds it where they find the list and the change log: in the menu of every page."""
    for reader in (None, official, analyst):
        if reader:
            client.force_login(reader)
        for page in ("/", "/agreements/", "/perubahan/"):
            menu = site_menu(client.get(page).content.decode())
            assert '<a href="/laporan/">Laporan</a>' in menu, (reader, page)
        report = client.get("/laporan/")
        assert report.status_code == 200
        assert '<a href="/laporan/" aria-current="page">Laporan</a>' in site_menu(
            report.content.decode()
        )


def test_the_publics_report_reads_a_public_addendum_of_an_internal_mou_dormant_as_its_page(
    client, kaltim, django_user_model
):
    """Its internal MoU active last month, the public addendum lies dormant for the public, as
    its status page says; the public's report left it out of its dormant, read as an official
    reads it, telling of the internal MoU's activity. The official's report reads it alive."""
    today = timezone.localdate()
    public_addendum_of_an_internal_mou(kaltim)
    query = {"region": "64", "period": str(today.year)}

    def dormant(reader):
        html = reader.get("/laporan/", query).content.decode()
        return "Adendum MoU Kaltim–Bali" in section(html, "r-dormant")

    assert dormant(client) is True
    client.force_login(make_official(django_user_model))
    assert dormant(client) is False
