"""The data dictionary page: the exports' columns as their declarations give them, and the rules
around them, in the reader's language (Indonesian first, English when chosen)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from agreements.export_columns import COLUMNS, TABLES

URL = reverse("data-dictionary")


def page(client, language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def row(html, table, column):
    """The text of the table row of ``column`` in ``table``."""
    found = re.search(rf'<tr id="{table}-{column}">(.*?)</tr>', html, flags=re.DOTALL)
    assert found, f"{table}.{column} is not listed"
    return found.group(1)


def body(html):
    """The page's own text, without the menu and the language switch around it."""
    return re.search(r"<article[^>]*>(.*)</article>", html, flags=re.DOTALL).group(1)


def cells(html, table, column):
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td>(.*?)</td>", row(html, table, column), flags=re.DOTALL)
    ]


def in_language(text, language):
    with translation.override(language):
        return str(text)


def test_in_indonesian_every_column_is_listed_with_its_indonesian_description(client, db):
    html = page(client)

    assert '<html lang="id"' in html
    assert "<h1>Kamus data ekspor dan impor</h1>" in html
    for column in COLUMNS:
        name, description = cells(html, "agreements", column.name)[:2]
        assert name == column.name
        assert description == escape(in_language(column.description, "id"))
    for table in TABLES:
        assert f"<code>{table.name}</code>" in html
        assert escape(in_language(table.description, "id")) in html
        for column in table.columns:
            described = cells(html, table.name, column.name)[1]
            assert described == escape(in_language(column.description, "id"))


def test_in_indonesian_the_page_has_no_english_body_text(client, db):
    html = body(page(client))

    assert 'lang="en"' not in html
    for english in (
        "Data dictionary",
        "The columns are the same",
        "officials and staff only",
        "Officials and staff only",
        "Import",
        "every reader",
        "What a download leaves out",
    ):
        assert english not in html
    for column in COLUMNS:
        assert escape(in_language(column.description, "en")) not in html
    # The rules are told in Indonesian.
    for indonesian in (
        "Yang tidak ikut diunduh",
        "Unduhan memuat persis kerja sama yang ditampilkan halaman itu",
        "CSV hanya memuat kerja sama",
        "Impor selalu menampilkan pratinjau lebih dahulu",
    ):
        assert indonesian in html
    # No code names of the program.
    assert "export_columns" not in html
    assert "agreements." not in html


def test_in_english_the_descriptions_and_the_rules_are_english(client, db):
    html = page(client, "en")

    assert '<html lang="en"' in html
    assert "<h1>Data dictionary of exports and imports</h1>" in html
    for column in COLUMNS:
        description = cells(html, "agreements", column.name)[1]
        assert description == escape(in_language(column.description, "en"))
        assert description != escape(in_language(column.description, "id"))
    for table in TABLES:
        assert escape(in_language(table.description, "en")) in html
    for english in (
        "What a download leaves out",
        "A download holds exactly the agreements the page lists",
        "The import always shows a preview first",
    ):
        assert english in html
    for indonesian in ("Yang tidak ikut diunduh", "Dibaca impor", "hanya pejabat dan staf"):
        assert indonesian not in html


@pytest.mark.parametrize(
    ("language", "described"),
    [
        ("id", {"milestones": "Tahap / jenis (teks).", "documents": "Jenis (teks)."}),
        ("en", {"milestones": "Stage / type (text).", "documents": "Type (text)."}),
    ],
)
def test_a_label_column_is_described_by_what_the_forms_call_its_choice(
    client, db, language, described
):
    """ "kind_label" is the kind as text, named as staff know it, never "kind (teks).": a
    reader of the page reads no column names into their descriptions."""
    html = page(client, language)

    for table, description in described.items():
        assert cells(html, table, "kind_label")[1] == description
    assert cells(html, "partners", "kind_label")[1] == described["documents"]
    assert "kind (te" not in html


@pytest.mark.parametrize(
    ("language", "officials_only", "everyone"),
    [
        ("id", "hanya pejabat dan staf", "setiap pembaca"),
        ("en", "officials and staff only", "every reader"),
    ],
)
def test_a_column_only_officials_and_staff_download_is_marked_so(
    client, db, language, officials_only, everyone
):
    html = page(client, language)

    internal = [column for column in COLUMNS if column.internal]
    assert internal  # the budget and the contact persons
    for column in COLUMNS:
        downloaded_by = cells(html, "agreements", column.name)[3]
        assert downloaded_by == (officials_only if column.internal else everyone), column.name


def test_whether_the_import_reads_a_column_back_follows_its_declaration(client, db):
    html = page(client)

    for column in COLUMNS:
        imported = cells(html, "agreements", column.name)[2]
        assert imported == ("ya" if column.imported else "tidak"), column.name
    assert cells(html, "agreements", "lead_region_name")[2] == "ya"  # when the code is empty
    assert cells(html, "agreements", "kind_label")[2] == "tidak"
    assert cells(html, "milestones", "agreement_reference")[2] == "ya"
    # The parties sheet is there to read: the import takes the parties from the agreements.
    assert cells(html, "parties", "agreement_reference")[2] == "tidak"


def test_the_page_asks_the_database_nothing(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        page(client)
