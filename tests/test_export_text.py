"""The streamed CSV and JSON files are the documented ones, whichever writes their cells.

On PostgreSQL the query writes the cells (``agreements.exports_postgresql``); the writers of
``agreements.exports`` write the same file from ``iter_records`` (XLSX, SQLite). Here both are
held to the same text, byte for byte, over every awkward value a cell can hold: formula
triggers, quotes, commas and line breaks, the separator and its escape inside names, missing
references, Chinese names, control characters, the next step of signed and unsigned agreements,
in both languages, in several orders and across chunks.
"""

import copy
import csv
import datetime
import io
import json

import pytest
from django.http import QueryDict
from django.utils import timezone, translation
from openpyxl import load_workbook

from agreements import export_columns, exports
from agreements.filters import AgreementFilter
from agreements.models import Agreement, Milestone
from partners.models import Region
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    RegencyFactory,
    SectorFactory,
    SubdivisionFactory,
    build_register,
)
from tests.helpers import written_once_per_module


def page_url(pk):
    return f"http://testserver/agreements/{pk}/"


AWKWARD_TEXTS = [
    "=1+1",
    "+62 541",
    "-7/KSDD",
    "@SUM(A1)",
    "\tTab di depan",
    "\rCR di depan",
    "'sudah berapostrof",
    'Kutip "ganda", dan koma',
    "Baris\nbaru",
    "Akhir baris\r\nWindows",
    "Titik koma; dan \\ garis miring",
    "安徽省合肥市",
    "Kontrol \x01 \x1f \x7f",
    "",
]


@pytest.fixture
def awkward_register(awkward_register_of_the_module, db):
    """The register with a partner, an agreement and its steps for each awkward text, written
    once for the module (each test's changes are rolled back after it)."""
    return copy.deepcopy(awkward_register_of_the_module)


def _awkward_register():
    register = build_register()
    bali = register["bali"]
    comma_city = RegencyFactory(code="51.71", name="Kota Denpasar, Bali", province=bali)
    country = CountryFactory(code="JP", name_id="Jepang; Nippon", name_en='"Japan"')
    dash_sector = SectorFactory(slug="-ekonomi", name_id="=Ekonomi", name_en="Economy, creative")
    for index, text in enumerate(AWKWARD_TEXTS):
        # Awkward names in the local-script column too; every other partner in a subdivision.
        partner = PartnerFactory(
            name=f"{text} mitra {index}",
            name_local=text,
            # And in the former names, one a line, with the separator between two of them.
            former_names=f"{text}\nDahulu {index}; {text}" if index % 3 else "",
            country=country,
            subdivision=None if index % 2 else SubdivisionFactory(code="JP-27", country=country),
        )
        agreement = AgreementFactory(
            reference=text and f"{text}/{index}",
            title=text or f"Judul {index}",
            summary=text,
            source_url="" if index % 2 else "https://contoh.invalid/a,b",
            lead_region=comma_city if index % 3 else bali,
            regions=[register["kaltim"], comma_city],
            partners=[partner, register["anhui"]],
            sectors=[dash_sector, register["trade"]],
            status=[
                Agreement.Status.IN_FORCE,
                Agreement.Status.EXPLORATION,
                Agreement.Status.CANCELLED,
                Agreement.Status.SIGNED,
            ][index % 4],
            # Dates known to the day, the month or the year only.
            signed_on=None
            if index % 4 in (1, 2)
            else datetime.date(2024, 1, 1 + 14 * (index % 8 == 4)),
            signed_on_precision=["year", "day", "day", "month", "day", "day", "day", "month"][
                index % 8
            ],
            in_force_from=None if index % 4 in (1, 2, 3) else datetime.date(2024, 2, 1),
            expires_on=None if index % 4 in (1, 2) else datetime.date(2025 + index, 1, 1),
            follows=register["anhui_mou"] if index % 2 else register["sister_city"],
            relation=Agreement.Relation.IMPLEMENTS,
        )
        MilestoneFactory(agreement=agreement, kind="exploration", title=text or "Kunjungan")
        MilestoneFactory(
            agreement=agreement,
            kind="loi",
            title=f"{text} LoI",
            due_on=datetime.date(2026, 1, index + 1),
            waits_on="partner",
        )
        MilestoneFactory(agreement=agreement, kind="exploration", done_on=datetime.date(2023, 5, 1))
        # Due the same day as the LoI: the earlier one recorded comes first.
        MilestoneFactory(
            agreement=agreement, kind="activity", due_on=datetime.date(2026, 1, index + 1)
        )
    return register


awkward_register_of_the_module = written_once_per_module(_awkward_register)


def agreements(query=""):
    filterset = AgreementFilter(QueryDict(query), queryset=Agreement.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def streamed(file_format, query=""):
    return "".join(
        exports.text_chunks(
            agreements(query),
            file_format,
            page_url,
            readable=Agreement.objects.all(),
            # Every column, the budget and contact persons of officials and staff included.
            columns=export_columns.COLUMNS,
        )
    )


def written_from_records(file_format, query=""):
    writer = exports.csv_chunks if file_format == "csv" else exports.json_chunks
    columns = export_columns.COLUMNS
    records = exports.iter_records(
        agreements(query), page_url, readable=Agreement.objects.all(), columns=columns
    )
    return "".join(writer(records, columns))


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("file_format", ["csv", "json"])
@pytest.mark.parametrize("query", ["", "sort=title", "q=mitra", "region=51&status=exploration"])
def test_streamed_file_is_the_file_written_from_the_records(
    awkward_register, file_format, query, language
):
    with translation.override(language):
        text = streamed(file_format, query)
        assert text == written_from_records(file_format, query)
    rows = (
        json.loads(text)
        if file_format == "json"
        else list(csv.DictReader(io.StringIO(text[1:], newline="")))
    )
    assert len(rows) == agreements(query).count() > 0


def test_awkward_values_come_through_the_csv_whole(awkward_register):
    rows = list(csv.DictReader(io.StringIO(streamed("csv")[1:], newline="")))

    titles = {export_columns.unneutralise(row["title"]) for row in rows}
    assert {text for text in AWKWARD_TEXTS if text} <= titles
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
    quoted = next(row for row in rows if row["title"] == 'Kutip "ganda", dan koma')
    assert quoted["region_names"] == "Kota Denpasar, Bali; Kalimantan Timur"
    assert quoted["sectors"] == "'-ekonomi; trade"
    assert quoted["partner_country_names"].startswith("Jepang\\; Nippon; ")
    assert export_columns.split_values(quoted["partners"])[0] == 'Kutip "ganda", dan koma mitra 7'
    assert sum(row["source_url"] == "https://contoh.invalid/a,b" for row in rows) == 7


def test_the_next_step_is_the_status_pages(awkward_register):
    rows = {row["title"]: row for row in json.loads(streamed("json"))}

    today = timezone.localdate()
    for title, row in rows.items():
        agreement = Agreement.objects.get(title=title)
        step = agreement.step_along_chain(today)  # as the status page reads it
        assert row["next_milestone"] == (str(step.label) if step else ""), title
        due = step.known_due_on.iso if step and step.known_due_on else None
        assert row["next_milestone_due"] == due, title


def test_rows_across_chunks_are_those_of_one_chunk(awkward_register, monkeypatch):
    whole = streamed("csv")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 3)

    assert streamed("csv") == whole


def test_an_empty_selection_is_a_header_or_an_empty_list(awkward_register):
    query = "q=tidak-ada-yang-cocok-xyz"

    assert streamed("csv", query) == "\ufeff" + ",".join(export_columns.COLUMN_NAMES) + "\r\n"
    assert json.loads(streamed("json", query)) == []


def test_a_column_added_to_the_declaration_is_in_every_format(awkward_register, monkeypatch):
    """One line in ``export_columns.COLUMNS`` is all a new column takes, in CSV, JSON and XLSX,
    from the query of PostgreSQL and from the Python writers: here a label of a row the
    agreement points to, first; a date of another in the middle; a time last."""
    level = export_columns.Column(
        "lead_region_level", "", export_columns.Label("lead_region__level", Region.Level)
    )
    follows_signed = export_columns.Column(
        "follows_signed_on", "", export_columns.Date("follows__signed_on")
    )
    created = export_columns.Column("created_at", "", export_columns.Timestamp("created_at"))
    columns = list(export_columns.COLUMNS)
    step_at = export_columns.COLUMN_NAMES.index("next_milestone")
    columns.insert(step_at + 1, follows_signed)
    monkeypatch.setattr(export_columns, "COLUMNS", [level, *columns, created])

    expected = [
        {
            "lead_region_level": agreement.lead_region.get_level_display(),
            "follows_signed_on": agreement.follows.signed_on.isoformat()
            if agreement.follows and agreement.follows.signed_on
            else "",
            "created_at": timezone.localtime(agreement.created_at).isoformat(timespec="seconds"),
        }
        for agreement in agreements().select_related("lead_region", "follows")
    ]
    assert len({row["lead_region_level"] for row in expected}) > 1
    assert any(row["follows_signed_on"] for row in expected)
    names = ["lead_region_level", "follows_signed_on", "created_at"]

    text = streamed("csv")
    assert text == written_from_records("csv")
    header = text[1:].split("\r\n", 1)[0].split(",")
    assert header[0] == "lead_region_level" and header[-1] == "created_at"
    assert header[header.index("next_milestone") + 1] == "follows_signed_on"
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert [{name: row[name] for name in names} for row in rows] == expected

    text = streamed("json")
    assert text == written_from_records("json")
    rows = [{name: row[name] or "" for name in names} for row in json.loads(text)]
    assert rows == expected

    # The workbook as the export view writes it: on PostgreSQL from the query's CSV lines.
    cells = exports.xlsx_cells(agreements(), page_url, readable=Agreement.objects.all())
    written = io.BytesIO(b"".join(exports.xlsx_chunks(cells)))
    sheet = load_workbook(written).worksheets[0].iter_rows(values_only=True)
    header = next(sheet)
    assert header[0] == "lead_region_level" and header[-1] == "created_at"
    rows = [dict(zip(header, row, strict=True)) for row in sheet]
    written = [
        {
            "lead_region_level": row["lead_region_level"],
            "follows_signed_on": row["follows_signed_on"].date().isoformat()
            if row["follows_signed_on"]
            else "",
            "created_at": row["created_at"],
        }
        for row in rows
    ]
    assert written == expected


# Moments and what the reader in each zone reads of them: a whole hour east and west of UTC, half
# an hour, and a zone's local mean time of 1900, whose offset has seconds.
MOMENTS = {
    "Asia/Jakarta": [
        ("2026-03-04T05:06:07+00:00", "2026-03-04T12:06:07+07:00"),
        ("1900-01-01T00:00:00+00:00", "1900-01-01T07:07:12+07:07:12"),
    ],
    "America/Sao_Paulo": [
        ("2026-03-04T01:02:03+00:00", "2026-03-03T22:02:03-03:00"),
        ("1900-01-01T12:00:00+00:00", "1900-01-01T08:53:32-03:06:28"),
    ],
    "Asia/Kolkata": [("2026-03-04T05:06:07+00:00", "2026-03-04T10:36:07+05:30")],
    "UTC": [("2026-03-04T05:06:07+00:00", "2026-03-04T05:06:07+00:00")],
}


@pytest.mark.parametrize("zone", MOMENTS)
def test_a_moment_is_written_in_the_readers_zone_with_its_offset(awkward_register, zone):
    first = Agreement.objects.order_by("pk")[:3]
    for moment, read in MOMENTS[zone]:
        Agreement.objects.filter(pk__in=first).update(
            updated_at=datetime.datetime.fromisoformat(moment)
        )
        with timezone.override(zone):
            for file_format in ("csv", "json"):
                assert streamed(file_format) == written_from_records(file_format)
            written = [row["updated_at"] for row in json.loads(streamed("json"))]
        assert written.count(read) == 3


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("query", ["", "q=mitra", "region=51&status=exploration"])
def test_each_tables_json_is_the_one_written_from_the_records(awkward_register, query, language):
    """The JSON export's lists of the other tables (parties, milestones, documents, partners,
    potentials, surveys): on PostgreSQL the query writes the objects of each table whose rules
    it can write, the same text as the Python writer's, awkward titles, names, dates known to the
    month, times and labels included."""
    for index, text in enumerate(AWKWARD_TEXTS):
        agreement = Agreement.objects.get(title=text or f"Judul {index}")
        DocumentFactory(agreement=agreement, title=text)
        Milestone.objects.filter(agreement=agreement, kind="loi").update(
            notes=text, due_on_precision="month"
        )
        MilestoneFactory(
            agreement=agreement,
            kind="evaluation",
            done_on=datetime.date(2024, 6, 1),
            done_on_precision="year" if index % 2 else "day",
            rating=1 + index % 5,
            findings=text,
        )
    selection = export_columns.Selection(
        agreements=agreements(query), readable=Agreement.objects.all()
    )

    with translation.override(language):
        for table in export_columns.TABLES:
            text = "".join(exports.table_json(table, selection))
            records = exports.table_records(table, selection)
            assert text == "".join(exports._json_array(table.columns, records)), table.name
            assert isinstance(json.loads(text), list)
    assert len(json.loads("".join(exports.table_json(export_columns.TABLES[1], selection)))) > 4


@pytest.mark.postgresql  # the benchmark's reference is PostgreSQL's COPY
@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_the_benchmarks_copy_is_the_exports_rows_and_columns(
    awkward_register, monkeypatch, file_format
):
    """The benchmark compares the export with a plain COPY of the same rows (``bench/``): made
    from the same declaration, it has the export's rows in its order and its columns, a column
    added to the declaration included."""
    from bench import copy_reference

    created = export_columns.Column("created_at", "", export_columns.Timestamp("created_at"))
    monkeypatch.setattr(export_columns, "COLUMNS", [*export_columns.COLUMNS, created])
    copied = io.StringIO()
    copy_reference.copy(copy_reference.sql_for(file_format), copied)

    if file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(copied.getvalue(), newline="")))
    else:
        # COPY's text format doubles each backslash; JSON leaves no other character it escapes.
        lines = copied.getvalue().splitlines()
        rows = [json.loads(line.replace("\\\\", "\\")) for line in lines]
    exported = json.loads(streamed("json"))
    assert list(rows[0]) == [column.name for column in export_columns.COLUMNS]
    assert [row["title"] for row in rows] == [row["title"] for row in exported]
    assert [row["created_at"] for row in rows] != ["" for row in rows]
