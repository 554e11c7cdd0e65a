"""Agreements from a CSV, XLSX or JSON file in the export's columns (``docs/data-dictionary.md``).

An import is planned before anything is written: every row is read, resolved (regions, partners,
sectors, the agreement it follows) and validated with the model's own rules (``full_clean``,
``Agreement.party_errors``), and the plan says row by row what would be created, updated, left
unchanged or rejected, and why. ``AgreementImport.apply`` plans again against the database as it
is then and writes the whole file in one transaction, or nothing at all if any row is rejected.

Identity: a row with a reference is the agreement with that reference (or a new one); a row
without a reference is the agreement without a reference with the same title and lead region (or
a new one). A reference therefore cannot be changed by an import.
"""

import csv
import datetime
import decimal
import io
import json
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import bulk_create_with_history

from agreements.dates import DatePrecision
from agreements.export_columns import (
    TABLE_NAMES,
    join_values,
    labelled_columns,
    split_values,
    unneutralise,
)
from agreements.import_tables import (
    TablesImport,
    label_not_read,
    read_known_date,
)
from agreements.models import (
    Agency,
    Agreement,
    BudgetSource,
    ChangedMeanwhile,
    Contact,
    Milestone,
    Scope,
    Sector,
    Signatory,
)
from agreements.parties import add_parties_in_bulk, set_parties
from agreements.statistics import BULK_ROWS, refresh_planner_statistics
from common.text import control_character_message
from partners.matching import PartnerIndex
from partners.models import INDONESIA, Country, Partner, Region, Subdivision
from partners.short_names import short_forms

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
# A new row that looks like a stored agreement (same lead region, partner and kind): written only
# once someone decides to update that agreement or to create a new one (``decisions``).
DUPLICATE = "duplicate"
DECIDE_CREATE = "create"
DECIDE_UPDATE = "update"  # as a default for every such row: update the one it looks like
TABLE_ACTIONS = (CREATE, UPDATE, UNCHANGED, REJECT)
# The verdicts of a row that writes its agreement (a lookalike, once decided).
WRITTEN = (CREATE, UPDATE, DUPLICATE)
# The steps whose order the admin warns of (``Agreement.approved_before_review``).
REVIEW_AND_APPROVAL = (Milestone.Kind.TKKSD, Milestone.Kind.DPRD)
# What each verdict on a row is called, wherever a row's verdict is told: the admin's preview
# and the command's listing.
ACTION_LABELS = {
    CREATE: gettext_lazy("Dibuat"),
    UPDATE: gettext_lazy("Diperbarui"),
    UNCHANGED: gettext_lazy("Tidak berubah"),
    DUPLICATE: gettext_lazy("Mirip yang sudah ada"),
    REJECT: gettext_lazy("Ditolak"),
}

# Columns a file must have; every other column is optional. A column that is absent leaves that
# field of an existing agreement as it is (and a new one gets the default); a column that is
# present but empty in a row empties the field.
REQUIRED_COLUMNS = ("title", "kind", "scope")
TEXT_FIELDS = (
    "title",
    "title_en",
    "summary",
    "summary_en",
    "source_url",
    "signing_place",
    "treaty_room_reference",
    "treaty_room_url",
)
DATE_FIELDS = ("proposed_on", "signed_on", "in_force_from", "expires_on")
# Said among a row's columns refused by their column when a region or partner it names is
# refused: the rules of its parties are then not read (``AgreementImport._model_errors``).
PARTIES_REFUSED = "parties"
CHOICE_FIELDS = {
    "kind": Agreement.Kind,
    "scope": Scope,
    "visibility": Agreement.Visibility,
    "relation": Agreement.Relation,
    "budget_source": BudgetSource,
}
# Fields compared to tell an update from an unchanged row.
COMPARED_FIELDS = (
    "title",
    "kind",
    "scope",
    "status",
    "visibility",
    "lead_region_id",
    "summary",
    "source_url",
    "title_en",
    "summary_en",
    "signing_place",
    "treaty_room_reference",
    "treaty_room_url",
    "budget_amount",
    "budget_currency",
    "budget_source",
    *DATE_FIELDS,
    *(f"{name}_precision" for name in DATE_FIELDS),
    "follows_id",
    "relation",
)
M2M_FIELDS = ("regions", "partners", "sectors", "agencies")
# The columns, of every table, that hold Kemendagri codes: a cell holding one code alone may have
# been turned into a number by a spreadsheet, and is read as the code that number means.
REGION_CODE_COLUMNS = {
    "lead_region_code",
    "region_codes",
    "agency_regions",
    "agreement_lead_region_code",
    "region_code",
    "host_region_code",
    "participant_codes",
}
# The columns of an agreement's signatories, one value per signatory in each.
SIGNATORY_COLUMNS = ("signatories", "signatory_offices", "signatory_parties")
# The columns of an agreement's contact persons, one value per person in each; the first names.
CONTACT_COLUMNS = (
    "contact_names",
    "contact_parties",
    "contact_offices",
    "contact_emails",
    "contact_phones",
)
CONTACT_FIELDS = ("name", "party", "office", "email", "phone")
# The columns that name a row's partners, one value per partner in each (see
# ``_RowReader.partners``).
PARTNER_COLUMNS = (
    "partner_ids",
    "partners",
    "partner_names_local",
    "partner_countries",
    "partner_subdivisions",
    "partner_kinds",
)
LOOKUP_BATCH = 500
# {label column: the column whose value it shows}: labels are for people, never read back.
LABELLED_COLUMNS = labelled_columns()
# A phone a spreadsheet read as a number (``_RowReader.phone``): eight digits or more with no 0
# or + before them (a service number such as 14045 is shorter), or one written in powers of ten.
LOST_LEADING_SIGN = re.compile(r"[1-9][0-9]{7,}")
SCIENTIFIC_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, missing columns)."""


@dataclass
class RowResult:
    number: int  # the row in the spreadsheet; the header is row 1
    reference: str = ""
    title: str = ""
    action: str = REJECT
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # names of the fields an update changes
    partner_notes: list = field(default_factory=list)  # what each named partner turned out to be
    # The version of the stored agreement this row is (0 when the row creates one); a confirm
    # refuses a row whose agreement moved on from the version its preview showed.
    stored_version: int = 0
    # Internal state between planning and writing.
    instance: Agreement = None
    m2m: dict = field(default_factory=dict)
    follows_row: "RowResult" = None
    # Stored agreements this row looks like (same lead region, partner and kind), and the one
    # it was taken to be, by decision or because an update would change nothing.
    lookalikes: list = field(default_factory=list)
    lookalike: Agreement = None
    partner_objs: list = None  # the row's partners, stored ones and ones to create
    signatories: list = field(default_factory=list)  # (party, name, office) in order
    contacts: list = field(default_factory=list)  # (name, party, office, e-mail, phone)
    # The phones its stored agreement's contacts hold (``Contact.left_unchecked``).
    stored_phones: frozenset = frozenset()
    new_partners: list = field(default_factory=list)  # the partners this row creates
    # What the admin's save would warn of, told in the preview and written all the same: a PKS
    # running past the text it carries out, a DPRD approval done before the TKKSD review
    # (``AgreementImport._warn_of_terms``, ``_check_endings``).
    warnings: list = field(default_factory=list)

    @property
    def rejected(self):
        return self.action == REJECT

    @property
    def needs_attention(self):
        return self.action in (REJECT, DUPLICATE)


@dataclass
class ImportPlan:
    rows: list
    # {table: [import_tables.TableRow]}: the file's other tables (milestones, documents …).
    tables: dict = field(default_factory=dict)

    @property
    def rejected(self):
        return [row for row in self.rows if row.rejected]

    @property
    def rejected_table_rows(self):
        return [row for rows in self.tables.values() for row in rows if row.rejected]

    def table_counts(self):
        """[(table, {action: rows})] of the other tables, in the order they are written."""
        return [
            (name, {action: sum(row.action == action for row in rows) for action in TABLE_ACTIONS})
            for name, rows in self.tables.items()
        ]

    @property
    def undecided(self):
        return [row for row in self.rows if row.action == DUPLICATE]

    @property
    def is_valid(self):
        return (
            bool(self.rows)
            and not self.rejected
            and not self.undecided
            and not self.rejected_table_rows
        )

    @property
    def warned_table_rows(self):
        """The rows of the other tables written with a warning (``TableRow.warnings``)."""
        return [row for rows in self.tables.values() for row in rows if row.warnings]

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def versions(self):
        """{row number: version of the stored agreement it is, 0 for a new one}: what a
        confirm of this plan expects to find (``AgreementImport.apply(expected_versions=…)``)."""
        return {row.number: row.stored_version for row in self.rows}

    @property
    def counts(self):
        return {
            action: self.count(action) for action in (CREATE, UPDATE, UNCHANGED, DUPLICATE, REJECT)
        }


# -- reading ------------------------------------------------------------------------------------


# The most columns a file may hold: the export's, with room for a bureau's own notes. Columns
# past it are never read, so a sheet declaring 16,384 columns costs no more than one of 100.
MAX_COLUMNS = 100


def _too_many_rows():
    return ImportFileError(
        _("Berkas memuat lebih dari %(rows)s baris kerja sama; bagi menjadi beberapa berkas.")
        % {"rows": settings.IMPORT_MAX_ROWS}
    )


def _too_many_columns():
    return ImportFileError(
        _("Berkas memuat lebih dari %(columns)s kolom; hapus kolom yang tidak dipakai.")
        % {"columns": MAX_COLUMNS}
    )


def _bounded(rows):
    """The rows of ``rows`` as lists (a blank one empty, so rows keep their numbers), refusing a
    row past ``IMPORT_MAX_ROWS`` (and the header) or a cell past ``MAX_COLUMNS``, as soon as one
    is met."""
    table = []
    for number, row in enumerate(rows, start=1):
        if number > settings.IMPORT_MAX_ROWS + 1:
            raise _too_many_rows()
        cells = list(row)
        if len(cells) > MAX_COLUMNS:
            if any(cell not in (None, "") for cell in cells[MAX_COLUMNS:]):
                raise _too_many_columns()
            cells = cells[:MAX_COLUMNS]
        table.append(cells if any(cell not in (None, "") for cell in cells) else [])
    return table


def read_table(file, filename):
    """``(header, [(row number, {column: text}), …])`` of the agreements of a CSV, XLSX or JSON
    file (``read_tables``)."""
    return read_tables(file, filename)["agreements"]


def read_tables(file, filename):
    """{table: (header, [(row number, {column: text}), …])} from a CSV, XLSX or JSON file; blank
    rows skipped. ``agreements`` always; the other tables of ``export_columns.TABLES`` when the
    file holds them (an XLSX sheet or a JSON list of that name).

    A JSON file is the JSON export: an object holding a list of objects per table keyed by
    column name (or, as it was written before, the agreements' list alone), several values as a
    list. Its values are taken as they are (JSON is never neutralised); its row numbers count
    the objects from 2, as if the first were a spreadsheet's second row.

    Of a CSV or XLSX file at most ``IMPORT_MAX_ROWS`` rows and ``MAX_COLUMNS`` columns a table
    are read; a file with more is refused as soon as the reading meets them, whatever size its
    sheet declares.
    """
    name = (filename or "").lower()
    cell_text = _cell_text
    if name.endswith(".xlsx"):
        tables = _read_xlsx(file)
    elif name.endswith(".csv"):
        tables = {"agreements": _read_csv(file)}
    elif name.endswith(".json"):
        tables, cell_text = _read_json(file), _json_text
    else:
        raise ImportFileError(_("Unggah berkas .csv, .xlsx atau .json."))
    table = tables.pop("agreements")
    if not table:
        raise ImportFileError(_("Berkas kosong."))
    header, rows = _header_and_rows(table, cell_text)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if "lead_region_code" not in header and "lead_region_name" not in header:
        missing.append("lead_region_code")
    if missing:
        if (number := _header_row_below(table, cell_text)) is not None:
            raise ImportFileError(
                _(
                    "Nama kolom ada di baris %(row)s, bukan di baris pertama: hapus baris di "
                    "atasnya (judul tabel, baris kosong), lalu unggah lagi."
                )
                % {"row": number}
            )
        raise ImportFileError(
            _("Kolom wajib tidak ada: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if not rows:
        raise ImportFileError(_("Berkas hanya berisi baris judul kolom, tanpa kerja sama."))
    read = {"agreements": (header, rows)}
    for table_name, other in tables.items():
        if other:
            read[table_name] = _header_and_rows(other, cell_text)
    return read


# How far down a sheet whose first row names no required column its column names are looked
# for: below a title and a blank row or two, as bureau sheets open.
HEADER_SEARCH_ROWS = 10


def _header_row_below(table, cell_text):
    """The spreadsheet row number, past the first, of the row naming the required columns,
    among the first ``HEADER_SEARCH_ROWS``; None when none does."""
    for number, cells in enumerate(table[1:HEADER_SEARCH_ROWS], start=2):
        names = {cell_text(cell).strip().lower() for cell in cells}
        if set(REQUIRED_COLUMNS) <= names:
            return number
    return None


def _header_and_rows(table, cell_text):
    header = [str(cell or "").strip().lstrip("\ufeff").lower() for cell in table[0]]
    # A column named twice (copied beside itself) is refused: the second would silently
    # replace every value the first gave.
    for name in dict.fromkeys(header):
        if name and header.count(name) > 1:
            raise ImportFileError(
                _("Kolom %(column)s tercantum lebih dari sekali; hapus salinannya.")
                % {"column": name}
            )
    rows = []
    for index, cells in enumerate(table[1:], start=2):
        values = [cell_text(cell) for cell in cells]
        if not any(values):
            continue
        # Refused as the file is read: such a character can be neither stored nor looked up.
        for name, value in zip(header, values, strict=False):
            message = control_character_message(value)
            if message is not None:
                raise ImportFileError(
                    _("Baris %(row)s, kolom %(column)s: %(message)s")
                    % {"row": index, "column": name or "?", "message": message}
                )
        rows.append(
            (
                index,
                {
                    name: Region.code_as_typed(value) if name in REGION_CODE_COLUMNS else value
                    for name, value in zip(header, values, strict=False)
                    if name
                },
            )
        )
    return header, rows


def _read_csv(file):
    data = file.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("Berkas CSV harus dalam pengodean UTF-8.")) from error
    delimiters = (",", ";", "\t")
    # The first line with cells: a sheet's title above its column names has none
    # (``_header_row_below``).
    lines = data.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    first_line = next((line for line in lines if any(d in line for d in delimiters)), lines[0])
    # Excel in an Indonesian locale saves CSV with ";" between cells.
    delimiter = max(delimiters, key=first_line.count)
    read = 0

    def rows():
        nonlocal read
        for row in csv.reader(io.StringIO(data, newline=""), delimiter=delimiter):
            read += 1
            yield row

    try:
        return _bounded(rows())
    except csv.Error as error:
        # The one error the reader raises on text (it is not strict): a cell past its limit,
        # most often the rest of the file read into one after a quote that is never closed.
        raise ImportFileError(
            _(
                "Berkas CSV tidak dapat dibaca: sel di baris %(row)s lebih panjang dari "
                "%(limit)s karakter; periksa tanda petik yang tidak ditutup."
            )
            % {"row": read + 1, "limit": csv.field_size_limit()}
        ) from error


def _read_json(file):
    """The JSON export as tables: each its columns (in the order first met), then one row per
    object. The export is an object of a list per table (``export_columns.TABLE_NAMES``) and
    its ``note``; a list alone is the agreements, as the export was written before.

    As of a CSV or XLSX file, at most ``IMPORT_MAX_ROWS`` objects and ``MAX_COLUMNS`` names a
    table are read: the objects are read one at a time, and a file with more is refused as soon
    as the reading meets them, before the rest is built.
    """
    data = file.read()
    tables = {}
    try:
        text = (
            data.decode(json.detect_encoding(data), "surrogatepass")
            if isinstance(data, bytes)
            else data
        )
        for name, items in _json_tables(text):
            header, rows = {}, []
            for number, item in enumerate(items, start=2):
                if number > settings.IMPORT_MAX_ROWS + 1:
                    raise _too_many_rows()
                if not isinstance(item, dict):
                    raise _not_a_list_of_objects()
                header.update(dict.fromkeys(item))
                if len(header) > MAX_COLUMNS:
                    raise _too_many_columns()
                rows.append(item)
            tables[name] = [list(header), *([item.get(key) for key in header] for item in rows)]
    # Where and how the file breaks, in the site's words, never the decoder's own English.
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _(
                "Berkas JSON tidak dapat dibaca: penulisannya salah di baris %(line)s, "
                "kolom %(column)s."
            )
            % {"line": error.lineno, "column": error.colno}
        ) from error
    except UnicodeDecodeError as error:
        raise ImportFileError(_("Berkas JSON harus dalam pengodean UTF-8.")) from error
    except RecursionError as error:  # nested past Python's limit
        raise ImportFileError(
            _("Berkas JSON tidak dapat dibaca: isinya bersarang terlalu dalam.")
        ) from error
    except ValueError as error:  # a number of more digits than Python converts
        raise ImportFileError(
            _("Berkas JSON tidak dapat dibaca: memuat angka yang terlalu panjang.")
        ) from error
    if "agreements" not in tables:
        raise _not_a_list_of_objects()
    return tables


def _not_a_list_of_objects():
    return ImportFileError(_("Berkas JSON harus berisi daftar objek, satu per kerja sama."))


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _object_naming_each_once(pairs):
    """An object of the file as a dict, refused if it names a key twice: of a row, a column
    copied beside itself, whose second value would silently replace the first, as a CSV or
    XLSX file's is refused (``_header_and_rows``)."""
    read = {}
    for name, value in pairs:
        if name in read:
            raise ImportFileError(
                _("Kolom %(column)s tercantum lebih dari sekali; hapus salinannya.")
                % {"column": name}
            )
        read[name] = value
    return read


def _json_tables(text):
    """``(table, its objects)`` for each list of a table ``text`` holds, the objects parsed one
    at a time as they are asked for (each must be read to its end before the next table). A
    table given twice is refused: the first list would be read past without a word."""
    decoder = json.JSONDecoder(object_pairs_hook=_object_naming_each_once)
    tables_read = set()

    def skip(position):
        return _JSON_SPACE.match(text, position).end()

    at = [skip(0)]  # where the reading is, moved on by ``items``

    def items():
        position = at[0]
        if not text.startswith("[", position):
            raise _not_a_list_of_objects()
        position = skip(position + 1)
        if text.startswith("]", position):
            at[0] = position + 1
            return
        while True:
            item, position = decoder.raw_decode(text, position)
            yield item
            position = skip(position)
            if text.startswith(",", position):
                position = skip(position + 1)
            elif text.startswith("]", position):
                at[0] = position + 1
                return
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, position)

    if text.startswith("[", at[0]):
        yield "agreements", items()
    elif text.startswith("{", at[0]):
        at[0] = skip(at[0] + 1)
        while not text.startswith("}", at[0]):
            key, position = decoder.raw_decode(text, at[0])
            position = skip(position)
            if not isinstance(key, str) or not text.startswith(":", position):
                raise json.JSONDecodeError("Expecting a name and ':'", text, position)
            at[0] = skip(position + 1)
            if key in tables_read and key in TABLE_NAMES:
                raise ImportFileError(
                    _(
                        "Daftar %(table)s tercantum lebih dari sekali dalam berkas JSON; "
                        "gabungkan isinya menjadi satu daftar."
                    )
                    % {"table": key}
                )
            tables_read.add(key)
            if key in TABLE_NAMES:
                yield key, items()
            else:  # the note, or anything else: read past
                at[0] = decoder.raw_decode(text, at[0])[1]
            at[0] = skip(at[0])
            if text.startswith(",", at[0]):
                at[0] = skip(at[0] + 1)
            elif not text.startswith("}", at[0]):
                raise json.JSONDecodeError("Expecting ',' delimiter", text, at[0])
        at[0] = skip(at[0] + 1)
    else:
        raise _not_a_list_of_objects()
    if skip(at[0]) != len(text):
        raise json.JSONDecodeError("Extra data", text, at[0])


def _json_text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return join_values(value)
    return str(value).strip()


def _refuse_unpacking_past_the_limit(file):
    """Refuse an XLSX file (a zip) whose parts unpack to more than ``IMPORT_MAX_UNPACKED_MB``,
    before any part is read: the upload's size does not bound what a zip unpacks to (a few
    kilobytes of one repeated letter unpack to gigabytes). A part is never read past the size
    the zip declares for it (``zipfile`` stops there), so the declared sizes bound the reading."""
    try:
        unpacked = sum(part.file_size for part in zipfile.ZipFile(file).infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(_("Berkas XLSX tidak dapat dibaca.")) from error
    finally:
        file.seek(0)
    limit = settings.IMPORT_MAX_UNPACKED_MB
    if unpacked > limit * 1024 * 1024:
        raise ImportFileError(
            _(
                "Berkas XLSX ini berisi %(size)s MB setelah dibuka, paling banyak %(limit)s MB; "
                "bagi menjadi beberapa berkas."
            )
            % {"size": -(-unpacked // (1024 * 1024)), "limit": limit}
        )


# What reading a zip whose parts are not the spreadsheet they claim to be raises, as the
# workbook is opened or as its rows are read (read-only mode parses a sheet only then): a part
# that is no XML or cut short (``ParseError``, an entity it does not define included) or says
# it is in an encoding there is none of (``LookupError``: "UTF-8-1"), a cell
# or row address that is none ("ZZZZZZ1", row "abc": ``ValueError``), a part named but absent
# (``KeyError``), a shared text past the file's table of them (``IndexError``), a style whose
# number format is no number (``TypeError``), bytes that do not unpack (``zlib.error``, a CRC
# that does not match: ``BadZipFile``, ``EOFError``).
UNREADABLE_XLSX = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    ElementTree.ParseError,
    LookupError,
    TypeError,
    ValueError,
    EOFError,
    OSError,
)


def _read_xlsx(file):
    """The first sheet as the agreements, and every other sheet named for a table of
    ``export_columns.TABLES`` as that table. A file that is not the workbook it says it is is
    refused as one that is no zip at all, whether opening it or reading its rows finds it."""
    _refuse_unpacking_past_the_limit(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except UNREADABLE_XLSX as error:
        raise ImportFileError(_("Berkas XLSX tidak dapat dibaca.")) from error
    try:
        sheets = workbook.worksheets
        if not sheets:  # its only sheet a chart, or a sheet the workbook names and lacks
            raise ImportFileError(_("Berkas XLSX tidak dapat dibaca."))
        tables = {"agreements": _read_sheet(sheets[0])}
        for sheet in sheets[1:]:
            if sheet.title in TABLE_NAMES[1:]:
                tables[sheet.title] = _read_sheet(sheet)
        return tables
    except UNREADABLE_XLSX as error:
        raise ImportFileError(_("Berkas XLSX tidak dapat dibaca.")) from error
    finally:
        workbook.close()


def _read_sheet(sheet):
    # What the sheet says it holds, before reading any of it.
    if (sheet.max_column or 0) > MAX_COLUMNS:
        raise _too_many_columns()
    if (sheet.max_row or 0) > settings.IMPORT_MAX_ROWS + 1:
        raise _too_many_rows()
    # One column past the limit, to see whether a row goes on; read-only mode pads each row
    # to the columns asked for, never to the 16,384 a sheet may declare.
    rows = (
        tuple(_cell_value(cell) for cell in row)
        for row in sheet.iter_rows(max_row=settings.IMPORT_MAX_ROWS + 2, max_col=MAX_COLUMNS + 1)
    )
    with warnings.catch_warnings():
        # A cell formatted as a date holding a number past any calendar (1e10) is read as the
        # error "#VALUE!", with a warning for the log: the row's date is then refused as any
        # date that is none.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return _bounded(rows)


# A number format's parts that show no date or time: text in quotes, a colour, a locale or a
# condition in brackets, a character escaped (``[$-421]mmmm yyyy;@``, ``"Bulan "mm/yyyy``).
FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def shown_precision(number_format):
    """How precisely a date cell of ``number_format`` shows its date: ``"month"`` for
    ``mmm-yy`` or ``mm/yyyy``, ``"year"`` for ``yyyy``, else None (a day, or a time)."""
    shown = FORMAT_LITERALS.sub("", (number_format or "").split(";")[0]).lower()
    if "d" in shown or "h" in shown or "s" in shown or "y" not in shown:
        return None
    return DatePrecision.MONTH if "m" in shown else DatePrecision.YEAR


def _cell_value(cell):
    """The value of one XLSX cell; a date shown to its month or year alone (a spreadsheet that
    opened the CSV's "2025-03" stored the 1 March 2025 it stands for, shown as "Mar-25") as
    that month or year, as the cell shows it: ``2025-03``, ``2025``. A cell holding another
    day than the first of what it shows keeps its day, which the file knows."""
    value = cell.value
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        precision = shown_precision(getattr(cell, "number_format", None))
        if precision == DatePrecision.MONTH and value.day == 1:
            return f"{value.year:04d}-{value.month:02d}"
        if precision == DatePrecision.YEAR and (value.month, value.day) == (1, 1):
            return f"{value.year:04d}"
    return value


def _cell_text(cell):
    """The text of one cell, whatever type the spreadsheet gave it."""
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        if cell.time() == datetime.time(0):
            return cell.date().isoformat()
        return cell.isoformat()
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return unneutralise(str(cell).strip())


# -- reference data -----------------------------------------------------------------------------


class _Lookup:
    """Case-insensitive lookup of objects by several keys; remembers ambiguous keys."""

    def __init__(self):
        self._by_key = {}

    def add(self, key, obj):
        if key:
            self._by_key.setdefault(key.casefold(), {})[obj.pk] = obj

    def add_unless_taken(self, key, obj):
        """``add``, unless ``key`` already names something: a short form never makes a name
        the register spells out ambiguous."""
        if key and key.casefold() not in self._by_key:
            self.add(key, obj)

    def find(self, key):
        """(object, None) or (None, "unknown" | "ambiguous")."""
        found = self._by_key.get((key or "").casefold(), {})
        if len(found) == 1:
            return next(iter(found.values())), None
        return None, ("ambiguous" if found else "unknown")


def joined_with_commas(value, find):
    """``value`` as several values ``find`` knows (``_Lookup.find``,
    ``_ReferenceData.find_region``), joined with commas as a list is written ("Pariwisata,
    Pendidikan"), joined instead as a cell of several values is ("Pariwisata; Pendidikan");
    None when it is not that."""
    parts = [part.strip() for part in value.split(",")]
    if len(parts) < 2 or not all(find(part)[0] is not None for part in parts):
        return None
    return "; ".join(parts)


def _add_short_forms(lookup, by_code, codes):
    """Each short form standing for one of ``by_code`` (its meaning's ``codes``: "region_codes"
    or "country_codes") read as that row, unless a name or code is written the same way."""
    for short_form, meaning in short_forms().items():
        meant = getattr(meaning, codes)
        if len(meant) == 1:
            [code] = meant
            if code in by_code:
                lookup.add_unless_taken(short_form, by_code[code])


class _ReferenceData:
    """Regions, partners, sectors and countries, loaded once per import (a few thousand rows)."""

    def __init__(self):
        self.regions = _Lookup()
        by_code = {}
        for region in Region.objects.all():
            self.regions.add(region.code, region)
            self.regions.add(region.name, region)
            by_code[region.code] = region
        # The short forms staff write ("Kaltim", "Kukar"), as the admin's searches read them.
        _add_short_forms(self.regions, by_code, "region_codes")
        self.sectors = _Lookup()
        for sector in Sector.objects.all():
            for key in (sector.slug, sector.name_id, sector.name_en):
                self.sectors.add(key, sector)
        self.countries = _Lookup()
        by_code = {}
        for country in Country.objects.all():
            for key in (country.code, country.alpha3, country.name_id, country.name_en):
                self.countries.add(key, country)
            by_code[country.code] = country
        # The short forms staff write ("RRT", "Korsel"), as the admin's searches read them.
        _add_short_forms(self.countries, by_code, "country_codes")
        self.subdivisions = set(Subdivision.objects.values_list("code", flat=True))
        # {(region code, name or short name, casefolded): agency}
        self.agencies = {}
        for agency in Agency.objects.select_related("region"):
            for key in (agency.name, agency.short_name):
                if key:
                    self.agencies[(agency.region.code, key.casefold())] = agency
        partners = list(Partner.objects.all())
        self.partners = PartnerIndex(partners)
        self.partner_names = {(p.name.casefold(), p.country_id) for p in partners}
        self.choice_labels = {}
        statuses = {
            "status": Agreement.Status,
            "recorded_status": Agreement.Status,
            "partner_kinds": Partner.Kind,
        }
        self.choice_names = {}
        for column, choices in {**CHOICE_FIELDS, **statuses}.items():
            keys = {}
            parts = {}
            for value, label in choices.choices:
                keys[value.casefold()] = value
                for language in ("id", "en"):
                    with translation.override(language):
                        keys[str(label).casefold()] = value
                        for part in label_parts(str(label)):
                            parts.setdefault(part, set()).add(value)
            # A part of one label only, as sheets write it: "Nota kesepahaman", "Kota kembar",
            # "sister city", "adendum"; a part two labels share names neither.
            for part, values in parts.items():
                if len(values) == 1:
                    keys.setdefault(part, next(iter(values)))
            self.choice_labels[column] = keys
            self.choice_names[column] = ", ".join(str(label) for label in choices.labels)

    def find_region(self, text):
        """(region, None) or (None, "unknown" | "ambiguous") for the region ``text`` names: its
        code, its name, its short form ("Kaltim"), or its name written with its level or as
        its government ("Provinsi Kalimantan Timur", "Kab. Kutai Kartanegara", "Pemkot
        Samarinda"), as the admin's searches read it (``Region.searched_name``); a level that
        is not the region's own names none ("Kabupaten Samarinda")."""
        region, problem = self.regions.find(text)
        if problem != "unknown":
            return region, problem
        name, level = Region.searched_name(text)
        if level is None or not name:
            return None, problem
        region, problem = self.regions.find(name)
        if region is not None and region.level != level:
            return None, "unknown"
        return region, problem


def _reference_taken(original):
    """What a row is told whose reference names ``original``, a stored agreement the importing
    user may not change."""
    return _(
        "Nomor naskah “%(reference)s” adalah kerja sama “%(title)s”. Hapus baris ini, atau "
        "perbaiki nomor naskahnya bila yang dimaksud kerja sama lain."
    ) % {"reference": original.reference, "title": original.title}


def label_parts(label):
    """The names a choice's label writes side by side, casefolded, as a sheet may write one of
    them alone: "Nota kesepahaman / kesepakatan bersama (MoU)" is "nota kesepahaman",
    "kesepakatan bersama" and "mou"; "KSDD — antardaerah" is "ksdd" and "antardaerah"."""
    parts = []
    for piece in re.split(r"[()/—]", label):
        piece = " ".join(piece.split()).casefold()
        if piece:
            parts.append(piece)
    return parts


# -- planning -----------------------------------------------------------------------------------


def _batched(values, size=LOOKUP_BATCH):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _RowReader:
    """Reads one row's cells into field values, collecting errors instead of stopping."""

    def __init__(self, number, cells, header, data):
        self.number = number
        self.cells = cells
        self.header = header
        self.data = data
        self.errors = []
        self.partner_notes = []
        self._partners = None

    def has(self, column):
        return column in self.header

    def text(self, column):
        return self.cells.get(column, "")

    def choice(self, column):
        raw = self.text(column)
        if not raw:
            return ""
        value = self.data.choice_labels[column].get(" ".join(raw.split()).casefold())
        if value is None:
            self.errors.append(
                _(
                    "Kolom %(column)s: nilai “%(value)s” tidak dikenal. Tulis salah satu dari: "
                    "%(choices)s."
                )
                % {"column": column, "value": raw, "choices": self.data.choice_names[column]}
            )
        return value or ""

    def date(self, column):
        """The date as it is known (``KnownDate``): ``1982``, ``2018-05`` or ``2018-05-03``, or
        as staff type it and a spreadsheet saved with Indonesian settings writes it, day first
        (``03/05/2018``, ``05/2018``), as the admin's forms read it (``read_known_date``)."""
        known, problem = read_known_date(self.text(column), column)
        if problem:
            self.errors.append(problem)
        return known

    def region(self, value, several=False):
        """The region ``value`` names; ``several``: of a cell that may name several."""
        region, problem = self.data.find_region(value)
        if problem == "ambiguous":
            self.errors.append(
                _("Nama daerah “%(value)s” tidak tunggal; tulis kode Kemendagri-nya.")
                % {"value": value}
            )
        elif problem and several and (joined := joined_with_commas(value, self.data.find_region)):
            # "64, 51": several regions, joined as a list is written.
            self.errors.append(
                _(
                    "Daerah “%(value)s” tidak dikenal. Beberapa daerah dalam satu sel "
                    "dipisahkan dengan titik koma: “%(joined)s”."
                )
                % {"value": value, "joined": joined}
            )
        elif problem:
            self.errors.append(_("Daerah “%(value)s” tidak dikenal.") % {"value": value})
        return region

    def ignored_labels(self):
        """A warning for each label column (``status_label``) that names another value than
        the column it shows (``status``): a clerk who wrote "Berakhir" there and left the
        status as it was is told that the label is not read, and which column to change,
        rather than shown the row unchanged without a word."""
        warned = []
        for label, column in LABELLED_COLUMNS.items():
            written, value = self.text(label), self.text(column)
            if not (written and value and self.has(label)):
                continue
            choices = self.data.choice_labels[column]
            named = choices.get(" ".join(value.split()).casefold())
            if named is None or choices.get(" ".join(written.split()).casefold()) == named:
                continue
            warned.append(label_not_read(label, written, column, value))
        return warned

    def ignored_termination_day(self, instance, original):
        """A warning for the day a row that terminates its agreement writes in
        ``terminated_on``: the column is read from the termination step, never back, so the
        status would be written and the day typed beside it dropped without a word. An
        agreement terminated before comes back with the day its step records: no warning."""
        written = self.text("terminated_on")
        if not (written and self.has("terminated_on")):
            return []
        if instance.status != Agreement.Status.TERMINATED or (
            original is not None and original.status == Agreement.Status.TERMINATED
        ):
            return []
        return [
            _(
                "Kolom terminated_on (“%(written)s”) tidak dibaca saat impor: hari kerja sama "
                "diakhiri dicatat sebagai tahapan “%(termination)s” yang terlaksana pada hari "
                "itu (lembar milestones, kolom done_on)."
            )
            % {"written": written, "termination": Milestone.Kind.TERMINATION.label}
        ]

    def lead_region(self):
        code, name = self.text("lead_region_code"), self.text("lead_region_name")
        if not (code or name):
            self.errors.append(_("Daerah pengampu wajib diisi."))
            return None
        region = self.region(code or name)
        if region is not None and code and name and not self._agrees(region, name):
            return None
        return region

    def regions(self):
        codes = split_values(self.text("region_codes"))
        names = split_values(self.text("region_names"))
        found = [r for r in (self.region(v, several=True) for v in (codes or names)) if r]
        pairs = zip(found, names, strict=False)
        if (
            codes
            and len(names) == len(codes) == len(found)
            and not all(self._agrees(region, name) for region, name in pairs)
        ):
            return []
        return found

    def _agrees(self, region, name):
        """A code that names another region than the name beside it (a typo that is still a
        valid code) is refused rather than guessed at."""
        if region.is_named(name):
            return True
        named, _problem = self.data.find_region(name)
        if named == region:  # its short form ("Kaltim" beside 64)
            return True
        self.errors.append(
            _(
                "Kode %(code)s adalah %(region)s, tetapi namanya ditulis “%(name)s”%(hint)s. "
                "Perbaiki kode atau namanya."
            )
            % {
                "code": region.code,
                "region": region.name,
                "name": name,
                "hint": f" ({named.code})" if named is not None else "",
            }
        )
        return False

    def sectors(self):
        column = "sectors" if self.text("sectors") else "sector_names"
        found = []
        for value in split_values(self.text(column)):
            sector, _problem = self.data.sectors.find(value)
            if sector is not None:
                found.append(sector)
            elif joined := joined_with_commas(value, self.data.sectors.find):
                # "Pariwisata, Pendidikan": several sectors, joined as a list is written.
                self.errors.append(
                    _(
                        "Bidang “%(value)s” tidak dikenal. Beberapa bidang dalam satu sel "
                        "dipisahkan dengan titik koma: “%(joined)s”."
                    )
                    % {"value": value, "joined": joined}
                )
            else:
                self.errors.append(_("Bidang “%(value)s” tidak dikenal.") % {"value": value})
        return found

    def agencies(self, regions):
        """The agencies the row names, each from the list of its region (``agency_regions``,
        paired) or, where that is empty, of the one party region whose list has it."""
        names = split_values(self.text("agencies"))
        codes = split_values(self.text("agency_regions"))
        if codes and len(codes) != len(names):
            self.errors.append(
                _("Kolom agency_regions harus berisi satu kode untuk tiap perangkat daerah.")
            )
            return []
        found = []
        for index, name in enumerate(names):
            places = [codes[index]] if codes else [region.code for region in regions]
            candidates = [
                self.data.agencies[(code, name.casefold())]
                for code in places
                if (code, name.casefold()) in self.data.agencies
            ]
            if len(candidates) == 1:
                found.append(candidates[0])
            elif candidates:
                self.errors.append(
                    _(
                        "Perangkat daerah “%(name)s” ada di lebih dari satu daerah pihak; isi "
                        "kode daerahnya di agency_regions."
                    )
                    % {"name": name}
                )
            else:
                self.errors.append(
                    _("Perangkat daerah “%(name)s” tidak ada dalam daftar %(regions)s.")
                    % {"name": name, "regions": ", ".join(places) or "—"}
                )
        return found

    def signatories(self):
        """The signatories the row names, as (party, name, office), in order."""
        names = split_values(self.text("signatories"))
        offices = split_values(self.text("signatory_offices"))
        parties = split_values(self.text("signatory_parties"))
        for values in (offices, parties):
            if values and len(values) != len(names):
                self.errors.append(
                    _(
                        "Kolom signatory_offices dan signatory_parties harus berisi satu nilai "
                        "untuk tiap penanda tangan."
                    )
                )
                return []
        return [
            (
                parties[index] if parties else "",
                name,
                offices[index] if offices else "",
            )
            for index, name in enumerate(names)
        ]

    def contacts(self, stored=()):
        """The contact persons the row names, as (name, party, office, e-mail, phone); a phone
        a spreadsheet turned into a number read as the stored one it was (``phone``)."""
        lists = [split_values(self.text(column)) for column in CONTACT_COLUMNS]
        names = lists[0]
        if any(values and len(values) != len(names) for values in lists[1:]):
            self.errors.append(_("Kolom contact_… harus berisi satu nilai untuk tiap narahubung."))
            return []
        phones = {values[-1] for values in stored}
        lists[-1] = [self.phone(value, phones) for value in lists[-1]]
        return [
            tuple(values[index] if values else "" for values in lists)
            for index in range(len(names))
        ]

    def phone(self, value, stored):
        """A phone as it was typed. A spreadsheet reads a phone of digits alone as a number
        and drops what leads it: the 0 of 081234567890 (or the + of +6281234567890, typed
        into a cell) is gone from the cell and from the CSV it saves, and a number past
        eleven digits is saved as 8,12346E+11. The digits alone cannot tell 0812… from
        +81 2… (Japan) or +62 8… from the North Sumatran 0628…, so such a cell is read as the
        agreement's stored phone it is (a download opened and saved again), and refused,
        naming its column, when it is none: a phone is worth typing again as text rather
        than a wrong one stored without a word."""
        if value in stored or not (
            LOST_LEADING_SIGN.fullmatch(value) or SCIENTIFIC_NUMBER.fullmatch(value)
        ):
            return value
        for phone in stored:
            # Its digits, less the 0 or + a spreadsheet drops: "+62 812-3456-7890" typed again
            # as the number 6281234567890 is the stored phone as written.
            if re.sub(r"\D", "", phone).lstrip("0") == value:
                return phone
        self.errors.append(
            _(
                "Kolom contact_phones: “%(value)s” terbaca sebagai angka, bukan nomor telepon: "
                "lembar kerja menghapus angka 0 atau tanda + di depannya. Ketik nomornya "
                "sebagai teks (mis. 081234567890 atau +6281234567890) lalu unggah lagi."
            )
            % {"value": value}
        )
        # Said once, here: not again by the contact's own rule (``validate_phone``) as no phone.
        return ""

    def amount(self, column):
        """A decimal amount (``1250000000.00``; a comma is not read as a decimal point), or
        None for an empty cell."""
        raw = self.text(column).strip()
        if not raw:
            return None
        if SCIENTIFIC_NUMBER.fullmatch(raw):
            # 1.25E+11: what a spreadsheet saves of a large amount in a column of the General
            # format, rounded to six figures; read, it would store a budget no one wrote.
            self.errors.append(
                _(
                    "Kolom %(column)s: “%(value)s” ditulis dalam pangkat sepuluh, yang membulatkan "
                    "nilainya (lembar kerja menyimpannya begitu bila kolomnya berformat umum). "
                    "Tulis nilai lengkapnya, mis. 125000000000, lalu unggah lagi."
                )
                % {"column": column, "value": raw}
            )
            return None
        try:
            amount = decimal.Decimal(raw)
        except decimal.InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            self.errors.append(
                _(
                    "Kolom %(column)s: “%(value)s” bukan nilai anggaran (angka tidak negatif, "
                    "mis. 1250000000.00)."
                )
                % {"column": column, "value": raw}
            )
            return None
        return amount

    def partners(self, kind, scope):
        """The partners the row names (read once; a row planned again gets the same ones)."""
        if self._partners is None:
            before = len(self.errors)
            found = self._read_partners(kind, scope)
            self._partners = (found, self.errors[before:])
        else:
            self.errors.extend(self._partners[1])
        return list(self._partners[0])

    def _read_partners(self, kind, scope):
        """The partners the row names, each found in the register or planned for creation.

        A partner is named by any of ``partner_ids``, ``partners`` (its name),
        ``partner_names_local`` (its name in its own script), narrowed by ``partner_countries``,
        ``partner_subdivisions`` and ``partner_kinds``: parallel lists, one value per partner.
        What each became is said in ``self.partner_notes``.
        """
        lists = {column: split_values(self.text(column)) for column in PARTNER_COLUMNS}
        count = max(len(values) for values in lists.values())
        for column, values in lists.items():
            if values and len(values) != count:
                self.errors.append(
                    _(
                        "Kolom %(column)s berisi %(given)d nilai, padahal mitranya %(count)d; "
                        "tulis satu nilai untuk setiap mitra."
                    )
                    % {"column": column, "given": len(values), "count": count}
                )
                return []
        found = []
        for index in range(count):
            values = {column: (v[index] if v else "") for column, v in lists.items()}
            partner = self._partner(values, kind, scope)
            if partner is not None:
                found.append(partner)
        return found

    def _partner(self, values, kind, scope):
        name = values["partners"]
        name_local = values["partner_names_local"]
        shown = name or name_local or values["partner_ids"]
        pk = None
        if values["partner_ids"]:
            try:
                pk = int(values["partner_ids"])
            except ValueError:
                self.errors.append(
                    _("Kolom partner_ids: “%(value)s” bukan nomor mitra.")
                    % {"value": values["partner_ids"]}
                )
                return None
        country = None
        if values["partner_countries"]:
            country, _problem = self.data.countries.find(values["partner_countries"])
            if country is None:
                self.errors.append(
                    _("Negara “%(value)s” tidak dikenal.") % {"value": values["partner_countries"]}
                )
                return None
        subdivision = values["partner_subdivisions"].upper()
        if subdivision:
            if subdivision not in self.data.subdivisions:
                self.errors.append(
                    _("Subdivisi ISO 3166-2 “%(value)s” tidak dikenal.") % {"value": subdivision}
                )
                return None
            if country is None:
                country, _problem = self.data.countries.find(subdivision[:2])
            elif not subdivision.startswith(f"{country.code}-"):
                self.errors.append(
                    _("Subdivisi %(subdivision)s tidak berada di negara %(country)s.")
                    % {"subdivision": subdivision, "country": country.code}
                )
                return None
        partner_kind = ""
        if values["partner_kinds"]:
            partner_kind = self.data.choice_labels["partner_kinds"].get(
                values["partner_kinds"].casefold(), ""
            )
            if not partner_kind:
                self.errors.append(
                    _("Kolom partner_kinds: nilai “%(value)s” tidak dikenal.")
                    % {"value": values["partner_kinds"]}
                )
                return None
        match = self.data.partners.find(
            pk=pk,
            name=name,
            name_local=name_local,
            country=country.code if country else None,
            subdivision=subdivision or None,
            kind=partner_kind
            or (default_partner_kind(country.code, kind, scope) if country else ""),
            stated_kind=partner_kind,
        )
        if match.partner is not None:
            self.partner_notes.append(
                _("“%(value)s”: cocok dengan %(partner)s (%(how)s).")
                % {"value": shown, "partner": describe_partner(match.partner), "how": _how(match)}
            )
            return match.partner
        if match.problem == "ambiguous":
            self.errors.append(
                _("Mitra “%(value)s” ambigu: %(candidates)s. Tulis partner_ids atau subdivisinya.")
                % {
                    "value": shown,
                    "candidates": "; ".join(
                        f"{describe_partner(p)} [id {p.pk}]" for p in match.candidates
                    ),
                }
            )
        elif match.problem == "unknown id":
            self.errors.append(_("Mitra dengan id %(value)s tidak ada.") % {"value": pk})
        elif match.problem == "no country":
            self.errors.append(
                _(
                    "Mitra “%(value)s” tidak ditemukan; isi partner_countries agar mitra baru "
                    "dapat dibuat."
                )
                % {"value": shown}
            )
        else:
            return self._new_partner(
                name, name_local, country, subdivision, partner_kind, kind, scope
            )
        return None

    def _new_partner(self, name, name_local, country, subdivision, partner_kind, kind, scope):
        partner = Partner(
            name=name or name_local,
            name_local=name_local if name else "",
            country=country,
            subdivision_id=subdivision or None,
            kind=partner_kind or default_partner_kind(country.code, kind, scope),
        )
        if message := partner.place_error():
            self.errors.append(f"{partner.name}: {message}")
            return None
        if (partner.name.casefold(), country.code) in self.data.partner_names:
            # Found by name but narrowed away by subdivision or kind: a second partner of that
            # name in that country is not allowed.
            self.errors.append(
                _(
                    "Mitra “%(name)s” di %(country)s sudah ada dengan subdivisi atau jenis lain; "
                    "tulis partner_ids-nya atau perbaiki subdivisinya."
                )
                % {"name": partner.name, "country": country.code}
            )
            return None
        self.data.partner_names.add((partner.name.casefold(), country.code))
        self.data.partners.add_new(partner)
        partner._import_row = self.number
        self.partner_notes.append(
            _("akan dibuat: %(partner)s.") % {"partner": describe_partner(partner, full=True)}
        )
        return partner


def describe_partner(partner, full=False):
    """ "Pemerintah Kota Guangzhou · 广州市人民政府 (CN-GD)", with its kind when ``full``."""
    text = partner.name
    if partner.name_local:
        text += f" · {partner.name_local}"
    place = partner.subdivision_id or partner.country_id
    if full:
        return f"{text} ({place}, {Partner.Kind(partner.kind).label})"
    return f"{text} ({place})"


def default_partner_kind(country, kind, scope):
    """The kind a new partner gets when the file does not say: a sister province's partner is
    a foreign region, a sister city's a foreign city, and so on."""
    K = Partner.Kind
    if country == INDONESIA:
        return K.OTHER
    if kind == Agreement.Kind.SISTER_CITY:
        return K.FOREIGN_CITY
    if kind == Agreement.Kind.SISTER_PROVINCE or scope == Scope.KSDPL:
        return K.FOREIGN_REGION
    return K.OTHER


def _how(match):
    if match.how == "similar name":
        return _("nama mirip, %(percent)d%%") % {"percent": round(match.similarity * 100)}
    if match.how == "similar former name":
        return _("nama terdahulu mirip, %(percent)d%%") % {"percent": round(match.similarity * 100)}
    if match.partner is not None and getattr(match.partner, "_import_row", None):
        return _("mitra baru dari baris %(row)d") % {"row": match.partner._import_row}
    return {
        "id": _("menurut id"),
        "name": _("menurut nama"),
        "local name": _("menurut nama aksara asli"),
        "former name": _("menurut nama terdahulu"),
        "subdivision": _("pemerintah daerah subdivisi itu"),
    }[match.how]


class AgreementImport:
    """One file's worth of agreements; ``plan()`` to preview, ``apply()`` to write.

    ``authorise(record, original)`` may return a message when the importing user may not
    write ``record``, an agreement or a row of another table (``original`` is the stored
    version of an existing one, else None); without it (the command line) anything is written.
    """

    def __init__(
        self,
        header,
        rows,
        authorise=None,
        today=None,
        change_reason="",
        decisions=None,
        default_decision="",
        tables=None,
    ):
        self.header = header
        self.rows = rows
        # The file's other tables (``import_tables``), written after its agreements and held to
        # the same ``authorise``.
        self.tables = TablesImport(tables or {}, change_reason=change_reason, authorise=authorise)
        self.authorise = authorise
        self.today = today or timezone.localdate()
        self.change_reason = change_reason
        # {row number: DECIDE_CREATE or the id of the stored agreement to update} for rows that
        # look like a stored agreement (``DUPLICATE``).
        self.decisions = decisions or {}
        self.default_decision = default_decision

    @classmethod
    def from_file(cls, file, filename, **kwargs):
        tables = read_tables(file, filename)
        header, rows = tables.pop("agreements")
        return cls(header, rows, tables=tables, **kwargs)

    # -- plan -----------------------------------------------------------------------------------

    def plan(self):
        data = _ReferenceData()
        results = []
        readers = []
        for number, cells in self.rows:
            results.append(
                RowResult(
                    number=number, reference=cells.get("reference", ""), title=cells.get("title")
                )
            )
            readers.append(_RowReader(number, cells, self.header, data))

        leads = [reader.lead_region() for reader in readers]
        existing = self._existing(results, leads)
        self._mark_duplicates(results, leads, readers)
        follows = self._resolve_follows(results, leads, readers)

        planned = []
        for result, reader, lead in zip(results, readers, leads, strict=True):
            original = existing.get(result.number)
            target = follows.get(result.number)
            if target and target[1] is not None and target[1].number in existing:
                # A row of the file that is a stored agreement: follow the stored one.
                target = (existing[target[1].number], None)
            before = (list(result.errors), list(reader.errors))
            self._plan_row(result, reader, lead, original, target)
            planned.append((result, reader, lead, target, before))
        self._look_for_lookalikes(planned)
        self._refuse_second_updates(results)
        self._order_and_check_cycles(results)
        self._check_terms(results)
        as_filed = {
            r.instance.pk: r.instance
            for r in results
            if not r.rejected and r.instance is not None and r.instance.pk
        }
        tables = self.tables.plan(self.rows, as_filed) if self.tables else {}
        self._check_endings(results, tables.get("milestones", []))
        self._warn_of_terms(results)
        return ImportPlan(results, tables)

    def _check_endings(self, results, milestone_rows):
        """Refuse a status still signed or in force beside a termination recorded as done, or
        not yet signed beside a signing recorded as done (``Agreement.status_step_errors``),
        with its steps as the file leaves them: the stored ones, as the file's milestones sheet
        changes them, and those it adds. Said at the row of the agreements sheet that gives the
        status; where the agreement is not in that sheet, at the rows of the milestones sheet
        that record its termination or signing. Refuse too a row of the agreements sheet whose
        dates contradict a step it leaves stored (a signing date other than the day its
        signing step was done: ``Agreement.step_date_contradictions``). Warn, without refusing,
        of a DPRD approval done before the TKKSD review among those steps
        (``Agreement.approved_before_review``), as the admin's save does: at the row of the
        agreements sheet that writes the agreement, else at the rows of the milestones sheet
        that write its review or approval. One query per ``LOOKUP_BATCH`` agreements."""
        # Not a row like a stored agreement still to be decided on (``DUPLICATE``): planned as
        # that agreement's update, it was refused for steps of the stored one the file never
        # named, and the clerk could not choose to create it instead. Decided, it is read here
        # as what it was decided to be.
        rows_of = {r.number: r for r in results if r.action not in (REJECT, DUPLICATE)}
        number_of_key, number_of_pk = {}, {}
        for number, cells in self.rows:
            reference = cells.get("reference", "")
            key = (reference,) if reference else (cells.get("title"), cells.get("lead_region_code"))
            number_of_key[key] = number
        for result in rows_of.values():
            if result.instance.pk:
                number_of_pk[result.instance.pk] = result.number
        # (the row of the agreements sheet, or None) or (None, a stored agreement): its steps.
        agreements = {("row", number): result.instance for number, result in rows_of.items()}
        posted = {key: [] for key in agreements}
        for row in milestone_rows:
            if row.rejected:
                continue
            reference, title, lead = row.after["agreement"]
            if row.instance.agreement_id:
                number = number_of_pk.get(row.instance.agreement_id)
                key = ("row", number) if number else ("stored", row.instance.agreement_id)
                if key not in agreements:
                    agreements[key] = row.instance.agreement
            else:
                key = ("row", number_of_key.get((reference,) if reference else (title, lead)))
                if key in agreements:
                    # A step of a text the file is to create: its text as the file gives it,
                    # which the rules of its steps read (an LoI's own LoI step signs it:
                    # ``Milestone.signs_its_text``). Planned again once the text is written.
                    row.instance.agreement = agreements[key]
            if key in agreements:
                posted.setdefault(key, []).append(row)
        stored_steps = {}
        ids = [a.pk for a in agreements.values() if a.pk]
        for batch in _batched(ids):
            for milestone in Milestone.objects.filter(agreement_id__in=batch).order_by(
                *Milestone._meta.ordering
            ):
                stored_steps.setdefault(milestone.agreement_id, []).append(milestone)
        for key, agreement in agreements.items():
            rows = posted.get(key, [])
            replaced = {row.instance.pk for row in rows if row.instance.pk}
            milestones = [m for m in stored_steps.get(agreement.pk, []) if m.pk not in replaced]
            steps = [*milestones, *(row.instance for row in rows)]
            in_sheet = rows_of[key[1]] if key[0] == "row" else None
            self._warn_of_step_order(agreement, steps, in_sheet, rows)
            errors = agreement.status_step_errors(steps)
            if key[0] == "row":
                # The file's dates against the steps it leaves stored (those it writes are
                # checked at their own rows, against these dates once written).
                dated = agreement.step_date_contradictions(milestones)
                if dated:
                    rows_of[key[1]].errors.extend(dated)
                    rows_of[key[1]].action = REJECT
            if not errors:
                continue
            messages = _messages(ValidationError(errors))
            if key[0] == "row":
                rows_of[key[1]].errors.extend(messages)
                rows_of[key[1]].action = REJECT
                continue
            for row in rows:
                if row.instance.records_termination or row.instance.records_signing:
                    row.errors.extend(messages)
                    row.action = REJECT

    @staticmethod
    def _warn_of_step_order(agreement, steps, result, milestone_rows):
        """Warn of ``agreement``'s DPRD approval done before its TKKSD review among ``steps``
        (its steps as the file leaves them), where the file writes it: at ``result``, its row
        of the agreements sheet (None when the sheet leaves it out), when that row writes it;
        else at each row of ``milestone_rows`` (those of the milestones sheet naming it) that
        writes its review or approval, as the admin's page of a step warns. No query."""
        early = agreement.approved_before_review(steps)
        if early is None:
            return
        if result is not None and result.action in WRITTEN:
            result.warnings.append(early.warning())
            return
        for row in milestone_rows:
            if row.action in (CREATE, UPDATE) and row.instance.kind in REVIEW_AND_APPROVAL:
                row.warnings.append(early.warning())

    def _warn_of_terms(self, results):
        """Warn, without refusing, at each row that writes an agreement a PKS running past the
        text it carries out involves, as the admin's save does (``Agreement.term_overruns``:
        the PKS, the text or an extension its term runs through), and at each row that writes
        a text its stored amendments outlast (``Agreement.amendments_outlasting``), of the
        chains as the file leaves them: its rows in place of the stored agreements they are,
        its new ones among them. Each chain is read apart from the others. One query per
        ``LOOKUP_BATCH`` stored agreements the rows written are or follow, none when the file
        writes nothing."""
        # Each row of the file that writes its agreement, as it would be written, a new one
        # under a stand-in id (as when it is validated) and following the row it follows (a
        # row of the file that is no stored agreement: one written too). The rows it leaves
        # unchanged are read as stored.
        as_filed = {}
        for result in results:
            if result.action not in WRITTEN or result.instance is None:
                continue
            document = _copy(result.instance)
            if document.pk is None:
                document.pk = -result.number
            as_filed[result.number] = document
        for result in results:
            if result.number in as_filed and result.follows_row is not None:
                followed = as_filed.get(result.follows_row.number)
                as_filed[result.number].follows_id = followed.pk if followed else None
        stored = {
            pk
            for document in as_filed.values()
            for pk in (document.pk, document.follows_id)
            if pk is not None and pk > 0
        }
        documents = {}
        for batch in _batched(stored):
            for agreement in Agreement.objects.filter(pk__in=batch).chains():
                documents[agreement.pk] = agreement
        documents.update((document.pk, document) for document in as_filed.values())
        chains = _chains(documents.values())
        for result in results:
            if result.number in as_filed:
                document = as_filed[result.number]
                for overrun in document.term_overruns(chains[document.pk]):
                    result.warnings.append(overrun.warning())
                for amendment in document.amendments_outlasting(chains[document.pk]):
                    result.warnings.append(document.outlasting_warning(amendment))

    def _check_terms(self, results):
        """Refuse an amendment outlasting the text it amends (``Agreement.term_contradictions``)
        where that text is a row of this file, one with no expiry ending with it
        (``end_with_amended``): a new one (its model check saw no text to read),
        or a stored one whose expiry the file sets, read as the file leaves it. An amendment of
        a stored text the file leaves alone was checked with its row. No query."""
        in_file = {
            result.instance.pk: result.instance
            for result in results
            if not result.rejected and result.instance is not None and result.instance.pk
        }
        for result in results:
            if result.rejected or result.instance is None:
                continue
            if result.follows_row is not None:
                amended = result.follows_row.instance
            else:
                amended = in_file.get(result.instance.follows_id)
            if amended is None:
                continue
            result.instance.end_with_amended(amended)
            errors = result.instance.term_contradictions_by_field(amended=amended)
            if errors:
                result.errors.extend(_messages(ValidationError(errors)))
                result.action = REJECT

    def _look_for_lookalikes(self, planned):
        """Rows that would create an agreement the register seems to hold already.

        Looks-like: the same lead region, kind and a partner in common. Such a row is written
        only as decided (``decisions``): as an update of the stored agreement or as a new one.
        Undecided, a row whose update would change nothing is that agreement, unchanged (so a
        second import of a file changes nothing); any other waits for a decision.
        """
        new = [entry for entry in planned if entry[0].action == CREATE and entry[2] is not None]
        keys = {}
        for entry in new:
            result = entry[0]
            for partner_id in result.m2m["partners"]:
                if isinstance(partner_id, int):
                    keys.setdefault(
                        (result.instance.lead_region_id, result.instance.kind, partner_id), []
                    ).append(result)
        if not keys:
            return
        found = {}
        leads = {key[0] for key in keys}
        partner_ids = {key[2] for key in keys}
        link = Agreement.partners.through.objects
        for batch in _batched(partner_ids):
            for agreement_id, lead_id, kind, partner_id in link.filter(
                partner_id__in=batch, agreement__lead_region_id__in=leads
            ).values_list(
                "agreement_id", "agreement__lead_region_id", "agreement__kind", "partner_id"
            ):
                for result in keys.get((lead_id, kind, partner_id), []):
                    found.setdefault(result.number, set()).add(agreement_id)
        if not found:
            return
        stored = Agreement.objects.in_bulk({pk for pks in found.values() for pk in pks})
        self._load_m2m(stored.values())
        for result, reader, lead, target, (errors, reader_errors) in new:
            if result.number not in found:
                continue
            result.lookalikes = sorted(
                (stored[pk] for pk in found[result.number]), key=lambda a: a.pk
            )
            decision = str(self.decisions.get(result.number, self.default_decision))
            if decision == DECIDE_CREATE:
                continue
            chosen = [a for a in result.lookalikes if str(a.pk) == decision]
            if not chosen and len(result.lookalikes) == 1:
                chosen = result.lookalikes
                decision = decision if decision == DECIDE_UPDATE else ""
            if not chosen:
                result.action = DUPLICATE
                continue
            # Plan the row again as an update of the agreement it looks like.
            result.errors, reader.errors = list(errors), list(reader_errors)
            self._plan_row(result, reader, lead, chosen[0], target, keep_reference=True)
            result.lookalike = chosen[0]
            if result.action == UPDATE and not decision:
                result.action = DUPLICATE

    @staticmethod
    def _refuse_second_updates(results):
        """A row that would update a stored agreement an earlier row of the file updates
        already (a lookalike row decided as the agreement another row names by its reference)
        is refused, naming that row: written twice, the second write would find the agreement
        moved on by the first, and which of the two was meant is not for the import to guess.
        A row that leaves the agreement as it is (unchanged) writes nothing and takes no turn."""
        first = {}
        for result in results:
            if result.action != UPDATE or result.instance is None:
                continue
            earlier = first.setdefault(result.instance.pk, result.number)
            if earlier != result.number:
                result.errors.append(
                    _("Kerja sama yang sama sudah ada di baris %(row)d.") % {"row": earlier}
                )
                result.action = REJECT

    def _identity(self, result, lead):
        if result.reference:
            return ("reference", result.reference)
        return ("title", result.title, lead.pk if lead else None)

    def _existing(self, results, leads):
        """{row number: the stored agreement this row is}, found in a few batched queries."""
        by_reference, by_title = {}, {}
        # With the visibility of the text each continues (``_keep_unnamed_predecessor``).
        stored = Agreement.objects.annotate(follows_visibility=F("follows__visibility"))
        references = {r.reference for r in results if r.reference}
        for batch in _batched(references):
            for agreement in stored.filter(reference__in=batch):
                by_reference[agreement.reference] = agreement
        titles = {r.title for r in results if not r.reference and r.title}
        for batch in _batched(titles):
            for agreement in stored.filter(reference="", title__in=batch):
                by_title.setdefault((agreement.title, agreement.lead_region_id), []).append(
                    agreement
                )
        found = {}
        for result, lead in zip(results, leads, strict=True):
            if result.reference:
                agreement = by_reference.get(result.reference)
            else:
                candidates = by_title.get((result.title, lead.pk if lead else None), [])
                if len(candidates) > 1:
                    result.errors.append(
                        _(
                            "Ada beberapa kerja sama tanpa nomor naskah berjudul “%(title)s” "
                            "dengan daerah pengampu yang sama; isi nomor naskahnya."
                        )
                        % {"title": result.title}
                    )
                agreement = candidates[0] if len(candidates) == 1 else None
            if agreement is not None:
                found[result.number] = agreement
        self._load_m2m(found.values())
        return found

    def _load_m2m(self, agreements):
        """Remember each stored agreement's party, partner, sector and agency ids, and its
        signatories (5 queries a batch)."""
        agreements = {a.pk: a for a in agreements}
        for agreement in agreements.values():
            agreement._import_m2m = {name: set() for name in M2M_FIELDS}
            agreement._import_signatories = []
            agreement._import_contacts = []
        for batch in _batched(agreements):
            for agreement_id, *values in (
                Contact.objects.filter(agreement_id__in=batch)
                .order_by("agreement_id", "party", "name", "id")
                .values_list("agreement_id", *CONTACT_FIELDS)
            ):
                agreements[agreement_id]._import_contacts.append(tuple(values))
            for agreement_id, *values in (
                Signatory.objects.filter(agreement_id__in=batch)
                .order_by("agreement_id", "position", "id")
                .values_list("agreement_id", "party", "name", "office")
            ):
                agreements[agreement_id]._import_signatories.append(tuple(values))
            for name, column in (
                ("regions", "region_id"),
                ("partners", "partner_id"),
                ("sectors", "sector_id"),
                ("agencies", "agency_id"),
            ):
                through = getattr(Agreement, name).through.objects
                for agreement_id, target in through.filter(agreement_id__in=batch).values_list(
                    "agreement_id", column
                ):
                    agreements[agreement_id]._import_m2m[name].add(target)

    def _mark_duplicates(self, results, leads, readers):
        seen = {}
        for result, lead, reader in zip(results, leads, readers, strict=True):
            key = self._identity(result, lead)
            if key in seen:
                if result.reference:
                    message = _("Nomor naskah “%(reference)s” sudah ada di baris %(row)d.")
                else:
                    message = _("Kerja sama yang sama sudah ada di baris %(row)d.")
                reader.errors.append(message % {"reference": result.reference, "row": seen[key]})
            else:
                seen[key] = result.number

    def _resolve_follows(self, results, leads, readers):
        """{row number: (stored agreement or None, row in this file or None)} for ``follows``."""
        wanted = {reader.text("follows") for reader in readers if reader.text("follows")}
        stored_by_reference, stored_by_title = {}, {}
        for batch in _batched(wanted):
            for agreement in Agreement.objects.filter(
                Q(reference__in=batch) | Q(reference="", title__in=batch)
            ):
                if agreement.reference:
                    stored_by_reference[agreement.reference] = agreement
                else:
                    stored_by_title.setdefault(agreement.title, {})[agreement.pk] = agreement
        rows_by_reference = {r.reference: r for r in reversed(results) if r.reference}
        rows_by_title = {}
        for result, lead in zip(results, leads, strict=True):
            if not result.reference and result.title:
                rows_by_title.setdefault(result.title, {})[(lead.pk if lead else None)] = result

        resolved = {}
        for result, reader in zip(results, readers, strict=True):
            value = reader.text("follows")
            if not value:
                continue
            if value in rows_by_reference:
                resolved[result.number] = (None, rows_by_reference[value])
            elif value in stored_by_reference:
                resolved[result.number] = (stored_by_reference[value], None)
            else:
                # By title, among agreements without a reference; a stored one and a row of the
                # file with the same title and lead region are the same agreement.
                rows = rows_by_title.get(value, {})
                stored = [
                    agreement
                    for agreement in stored_by_title.get(value, {}).values()
                    if agreement.lead_region_id not in rows
                ]
                if len(rows) + len(stored) == 1:
                    resolved[result.number] = (
                        stored[0] if stored else None,
                        next(iter(rows.values()), None),
                    )
                elif rows or stored:
                    reader.errors.append(
                        _("Kolom follows: judul “%(value)s” tidak tunggal; tulis nomor naskahnya.")
                        % {"value": value}
                    )
                else:
                    reader.errors.append(
                        _("Kolom follows: kerja sama “%(value)s” tidak ditemukan.")
                        % {"value": value}
                    )
        return resolved

    def _plan_row(self, result, reader, lead, original, follows, keep_reference=False):
        instance = _copy(original) if original is not None else Agreement()
        result.instance = instance
        result.stored_version = original.version if original is not None else 0

        # Plain fields: an absent column keeps what is stored.
        if reader.has("reference") and (result.reference or not keep_reference):
            # A row taken for a stored agreement it looks like keeps that one's reference.
            instance.reference = result.reference
        for column in TEXT_FIELDS:
            if reader.has(column):
                setattr(instance, column, reader.text(column))
        if reader.has("budget_amount"):
            instance.budget_amount = reader.amount("budget_amount")
        if reader.has("budget_currency"):
            # The export leaves the currency of no amount blank: such a row keeps the stored
            # one, so a round trip changes nothing; a blank beside an amount is the rupiah.
            kept = original.budget_currency if original is not None else "IDR"
            blank = kept if instance.budget_amount is None else "IDR"
            typed = reader.text("budget_currency") or blank
            instance.budget_currency = typed.upper()
            if not Agreement.is_currency_code(instance.budget_currency):
                # Named as typed, as the admin's form names it ("Rupiah", not "RUPIAH").
                reader.errors.append(
                    _("Kolom budget_currency: “%(value)s” bukan kode ISO 4217 (mis. IDR, USD).")
                    % {"value": typed}
                )
                currency_refused = True
            else:
                currency_refused = False
        # A value the column does not know is refused once, by the column's name; the model is
        # not asked again whether the field it left empty may be blank (nor a currency refused
        # by its column whether it is too long).
        unknown = []
        if reader.has("budget_currency") and currency_refused:
            unknown.append("budget_currency")
        for column in CHOICE_FIELDS:
            if reader.has(column):
                value = reader.choice(column)
                if reader.text(column) and not value:
                    unknown.append(column)
                if value or column != "visibility":  # no visibility: public, or as stored
                    setattr(instance, column, value)
        for column in DATE_FIELDS:
            if reader.has(column):
                given = reader.date(column)
                if given is None and reader.text(column):
                    unknown.append(column)  # refused by its column: not again as left empty
                before = original.known(column) if original is not None else None
                if given is not None and given.agrees_with(before):
                    # As precise as the register or less, and agreeing with it: keep the
                    # register's date ("2018" in the file, 3 May 2018 stored).
                    given = before
                setattr(instance, column, given.date if given else None)
                setattr(instance, f"{column}_precision", given.precision if given else "day")
        refused = len(reader.errors)
        instance.status = self._status(reader, instance, original)
        if len(reader.errors) > refused:
            # A status the column does not know, refused by its column: the model's rules are
            # not read against the one put in its place ("Prakarsa" means unsigned).
            unknown.append("status")
        if lead is not None:
            instance.lead_region = lead

        # Parties and sectors: an absent column keeps what is stored; the lead region is always
        # one of the party regions.
        stored = getattr(original, "_import_m2m", {name: set() for name in M2M_FIELDS})
        regions = partners = sectors = agencies = None
        refused = len(reader.errors)
        if reader.has("region_codes") or reader.has("region_names"):
            regions = reader.regions()
        if lead is not None and (regions == [] or (regions is None and original is None)):
            regions = [lead]
        elif lead is not None and regions is not None and lead not in regions:
            regions.append(lead)  # as the admin form does: the lead region is always a party
        if any(reader.has(column) for column in PARTNER_COLUMNS):
            partners = reader.partners(instance.kind, instance.scope)
        if len(reader.errors) > refused:
            # A region or partner refused (unknown, ambiguous): the parties are not read as
            # the row's without it ("names one region alone", beside the one it named).
            unknown.append(PARTIES_REFUSED)
        if reader.has("sectors") or reader.has("sector_names"):
            sectors = reader.sectors()
        if reader.has("agencies"):
            agencies = reader.agencies(
                regions if regions is not None else Region.objects.filter(pk__in=stored["regions"])
            )
        result.m2m = {
            name: {_party_key(obj) for obj in objs} if objs is not None else stored[name]
            for name, objs in (
                ("regions", regions),
                ("partners", partners),
                ("sectors", sectors),
                ("agencies", agencies),
            )
        }
        stored_signatories = getattr(original, "_import_signatories", [])
        result.signatories = (
            reader.signatories() if reader.has("signatories") else stored_signatories
        )
        stored_contacts = getattr(original, "_import_contacts", [])
        result.stored_phones = frozenset(values[-1] for values in stored_contacts)
        result.contacts = (
            reader.contacts(stored_contacts) if reader.has("contact_names") else stored_contacts
        )
        result.partner_notes = reader.partner_notes
        if partners is not None:
            result.partner_objs = partners
            result.new_partners = [
                p for p in partners if p.pk is None and p._import_row == result.number
            ]

        # The agreement it follows: a stored one, or a row of this file written before it.
        if reader.has("follows"):
            instance.follows = None
            if follows:
                stored_target, row_target = follows
                if row_target is result:
                    reader.errors.append(
                        _("Kerja sama tidak dapat menjadi kelanjutan dirinya sendiri.")
                    )
                elif row_target is not None:
                    result.follows_row = row_target
                else:
                    instance.follows = stored_target
            elif reader.text("follows"):
                # Named, and refused by its column (no such agreement, or several): its
                # relation is not refused again for standing without it.
                unknown.append("relation")
        _keep_unnamed_predecessor(instance, reader, original)

        # The model's own rules, then whether this user may write it.
        # One message once, however many columns led to it (a bad code in lead_region_code
        # and region_codes).
        errors = list(dict.fromkeys(result.errors + reader.errors))
        # A stored agreement whose scope and parties the row leaves as they are: a rule of the
        # parties newer than the record does not refuse the rest of the row (as the admin form).
        as_stored = (
            original is not None
            and instance.scope == original.scope
            and instance.lead_region_id == original.lead_region_id
            and all(result.m2m[name] == stored[name] for name in ("regions", "partners"))
        )
        errors.extend(
            self._model_errors(
                instance, result, lead, regions, partners, agencies, unknown, as_stored
            )
        )
        errors.extend(_part_errors(result))
        # Whether this user may write it is asked whenever its lead region is known, and said
        # first: a row of another region's is not theirs to mend, and mending its dates only
        # to be told so next would be a wasted round.
        if self.authorise is not None and (not errors or instance.lead_region_id is not None):
            problem = self.authorise(instance, original)
            if problem and original is not None and result.reference:
                # Its reference names a stored agreement not theirs to change: what the row
                # makes of that record is no one's to mend here (its dates, agencies, scope
                # beside the row's cells). Said which record it is, as a typo in a new row's
                # reference is mended there.
                errors = [str(problem), _reference_taken(original)]
            elif problem:
                errors.insert(0, str(problem))
        result.errors = errors
        result.warnings.extend(
            warning
            for warning in [
                *reader.ignored_labels(),
                *reader.ignored_termination_day(instance, original),
            ]
            if warning not in result.warnings
        )
        result.title = instance.title
        if errors:
            result.action = REJECT
        elif original is None:
            result.action = CREATE
        else:
            result.changes = _changes(original, instance, stored, result.m2m, result.follows_row)
            if result.signatories != stored_signatories:
                result.changes.append("signatories")
            if sorted(result.contacts) != sorted(stored_contacts):
                result.changes.append("contacts")
            result.action = UPDATE if result.changes else UNCHANGED

    def _status(self, reader, instance, original):
        """The recorded status to store.

        ``status`` is the status shown (what a reader of the export sees), ``recorded_status``
        what was stored. A recorded status (the row's, else the stored one) that with this row's
        dates still shows as ``status`` is kept, so a round trip is lossless; otherwise
        ``status`` was edited and is stored as it is.
        """
        shown = reader.choice("status") if reader.has("status") else ""
        recorded = reader.choice("recorded_status") if reader.has("recorded_status") else ""
        recorded = recorded or (original.status if original is not None else "")
        if recorded:
            probe = _copy(instance)
            probe.status = recorded
            if not shown or probe.shown_status_on(self.today) == shown:
                return recorded
        return shown or instance.status or Agreement.Status.INITIATIVE

    def _model_errors(
        self, instance, result, lead, regions, partners, agencies, unknown, as_stored=False
    ):
        messages = []
        if result.follows_row is not None:
            # A row of this file not written yet: stands in for the real id while validating.
            instance.follows_id = -result.follows_row.number
        try:
            # Foreign keys were resolved from the database already, and the reference is unique
            # by the identity rule; checking them again would cost queries for every row.
            instance.full_clean(
                exclude=["lead_region", "follows", *unknown],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            # A column the row's reader refused already (a value it does not know, a date it
            # cannot read) is not refused again by the rules its value, read as empty, breaks:
            # "fill in the signing date" beside the signing date that was filled in.
            said = {
                name: texts for name, texts in error.message_dict.items() if name not in unknown
            }
            if said:
                messages.extend(_messages(ValidationError(said)))
        finally:
            if result.follows_row is not None:
                instance.follows = None
        if lead is None or PARTIES_REFUSED in unknown:
            return messages
        if regions is None:
            regions = Region.objects.filter(pk__in=result.m2m["regions"])
        if partners is None:
            partners = Partner.objects.filter(pk__in=result.m2m["partners"])
        if agencies is None:
            agencies = Agency.objects.filter(pk__in=result.m2m["agencies"])
        party_errors = Agreement.party_errors(
            instance.scope, lead, regions, partners, agencies, as_stored=as_stored
        )
        if party_errors:
            messages.extend(_messages(ValidationError(party_errors)))
        return messages

    def _order_and_check_cycles(self, results):
        """Order rows so that one following another row of the file comes after it."""
        state = {}
        ordered = []

        def visit(result, path):
            if state.get(result.number) == "done":
                return
            if result.number in path:
                result.errors.append(_("Rantai “kelanjutan dari” berputar kembali ke baris ini."))
                result.action = REJECT
                return
            path.add(result.number)
            if result.follows_row is not None:
                visit(result.follows_row, path)
                if result.follows_row.rejected and not result.rejected:
                    result.errors.append(
                        _("Kerja sama yang dilanjutkan (baris %(row)d) ditolak.")
                        % {"row": result.follows_row.number}
                    )
                    result.action = REJECT
            path.discard(result.number)
            state[result.number] = "done"
            ordered.append(result)

        for result in results:
            visit(result, set())
        self._write_order = ordered

    # -- apply ----------------------------------------------------------------------------------

    def apply(self, expected_versions=None):
        """Plan again and write everything in one transaction, or nothing if a row is rejected.

        ``expected_versions`` (``ImportPlan.versions`` of the preview someone confirmed) refuses
        every row whose agreement was saved, or created, since that preview: confirming must not
        overwrite a change the preview did not show. An update is written with
        ``Agreement.save_if_unchanged``, so a save that comes in while this runs is not
        overwritten either.

        Returns the plan; ``plan.is_valid`` says whether it was written. An import of many
        rows leaves the planner's statistics fresh (``agreements.statistics``).
        """
        plan = self._apply(expected_versions)
        written = sum(result.action in (CREATE, UPDATE) for result in plan.rows)
        if plan.is_valid and written >= BULK_ROWS:
            refresh_planner_statistics()
        return plan

    def _apply(self, expected_versions):
        with transaction.atomic():
            plan = self.plan()
            if expected_versions is not None:
                self._refuse_changed_since_preview(plan, expected_versions)
            if not plan.is_valid:
                return plan
            self._writing = None
            try:
                self._create_partners(plan)
                # What the updated agreements follow before the file is written: a chain one
                # leaves is read again with the others (what it followed may have been
                # waiting for its step, which is no longer that text's to tell).
                updated = [r.instance.pk for r in plan.rows if r.action == UPDATE]
                left = set(
                    Agreement.objects.filter(pk__in=updated, follows__isnull=False).values_list(
                        "follows_id", flat=True
                    )
                )
                self._write_rows()
                written = {r.instance.pk for r in plan.rows if r.action in (CREATE, UPDATE)}
                if self.tables:
                    # Planned again now that every agreement of the file is written, so a
                    # milestone finds the agreement the file created; the warnings found
                    # before (``_check_endings``) kept at their rows, which the clerk is told.
                    warned = {
                        (row.table, row.number): row.warnings for row in plan.warned_table_rows
                    }
                    plan.tables = self.tables.plan(self.rows)
                    for rows in plan.tables.values():
                        for row in rows:
                            row.warnings = warned.get((row.table, row.number), row.warnings)
                    if plan.rejected_table_rows:
                        transaction.set_rollback(True)
                        return plan
                    # Their parts change: a version of each agreement the file leaves as it
                    # was, saved before its parts, as on their pages (a form opened before is
                    # refused, and the change log tells the parts' changes with the version).
                    parts_changed = self.tables.parts_changing(plan.tables)
                    Agreement.objects.filter(pk__in=parts_changed - written).mark_changed()
                    try:
                        self.tables.write(plan.tables)
                    except IntegrityError as error:
                        transaction.set_rollback(True)
                        refused = self.tables.writing
                        refused.errors.append(_("Basis data menolak baris ini: %s") % error)
                        refused.action = REJECT
                        return plan
                    written |= parts_changed
                Agreement.objects.filter(pk__in=written | left).refresh_progress()
            except IntegrityError as error:
                # The database refused what validation let through (e.g. a concurrent change).
                transaction.set_rollback(True)
                self._writing.errors.append(_("Basis data menolak baris ini: %s") % error)
                self._writing.action = REJECT
            except ChangedMeanwhile as changed:
                # Who changed it is read before the transaction is marked to roll back: after
                # that, no query runs in it, and the clerk met a server error instead of why.
                message = changed_since_message(changed.conflict())
                transaction.set_rollback(True)
                self._writing.errors.append(message)
                self._writing.action = REJECT
            return plan

    def _write_rows(self):
        """Write the rows in waves: each wave the rows whose predecessor in the file (``follows``)
        is written already. A wave's new agreements are inserted together, with their history
        and parties, in a few queries whatever their number; its updates one by one, each
        against the version its plan read (``Agreement.save_if_unchanged``)."""
        remaining = [row for row in self._write_order if row.action in (CREATE, UPDATE)]
        written = set()

        def ready(row):
            before = row.follows_row
            return (
                before is None or before.action not in (CREATE, UPDATE) or before.number in written
            )

        while remaining:
            wave = [row for row in remaining if ready(row)]
            self._create_together([row for row in wave if row.action == CREATE])
            for row in wave:
                if row.action == UPDATE:
                    self._writing = row
                    self._write(row)
            written.update(row.number for row in wave)
            remaining = [row for row in remaining if row.number not in written]

    def _create_together(self, rows):
        if not rows:
            return
        self._writing = rows[0]  # the database refuses a batch, not a row
        for row in rows:
            self._prepare(row)
        bulk_create_with_history(
            [row.instance for row in rows],
            Agreement,
            batch_size=LOOKUP_BATCH,
            default_change_reason=self.change_reason,
        )
        add_parties_in_bulk(
            {row.instance.pk: {name: row.m2m[name] for name in M2M_FIELDS} for row in rows}
        )
        self._write_signatories([row for row in rows if row.signatories])
        self._write_contacts([row for row in rows if row.contacts])

    def _prepare(self, result):
        """The row's instance as it is to be written: its new partners' ids, the agreement of
        the file it follows (written by now), the reason for its history entry."""
        if result.partner_objs is not None:
            result.m2m["partners"] = {partner.pk for partner in result.partner_objs}
        if result.follows_row is not None:
            result.instance.follows = result.follows_row.instance
        if self.change_reason:
            result.instance._change_reason = self.change_reason

    def _refuse_changed_since_preview(self, plan, expected_versions):
        for result in plan.rows:
            expected = expected_versions.get(result.number)
            if expected is None or expected == result.stored_version:
                continue
            if result.action == CREATE and result.lookalikes:
                # Made beside the agreement it looks like, as decided: the version the preview
                # read is that agreement's, which the row no longer touches.
                continue
            if expected == 0:
                message = _(
                    "Kerja sama ini dibuat orang lain setelah pratinjau; unggah berkasnya lagi "
                    "untuk melihat apa yang akan berubah."
                )
            elif result.stored_version == 0:
                message = _(
                    "Kerja sama ini dihapus orang lain setelah pratinjau; unggah berkasnya lagi "
                    "untuk melihat apa yang akan berubah."
                )
            else:
                message = changed_since_message(result.instance.changes_since(expected))
            result.errors.append(message)
            result.action = REJECT

    def _create_partners(self, plan):
        new = [partner for row in plan.rows for partner in row.new_partners]
        if new:
            bulk_create_with_history(
                new, Partner, batch_size=LOOKUP_BATCH, default_change_reason=self.change_reason
            )

    def _write(self, result):
        self._prepare(result)
        instance = result.instance
        with transaction.atomic():
            # Updates from the version this plan read; anything saved since is not overwritten.
            instance.save_if_unchanged()
            changed = [
                name
                for name in M2M_FIELDS
                if result.m2m[name] != getattr(instance, "_import_m2m", {}).get(name, set())
            ]
            if changed:
                # The parties and sectors belong to the history entry of this save.
                set_parties(instance, **{name: result.m2m[name] for name in changed})
            if result.signatories != getattr(instance, "_import_signatories", []):
                Signatory.objects.filter(agreement=instance).delete()
                self._write_signatories([result])
            if sorted(result.contacts) != sorted(getattr(instance, "_import_contacts", [])):
                Contact.objects.filter(agreement=instance).delete()
                self._write_contacts([result])

    def _write_contacts(self, rows):
        """Each row's contact persons for its written agreement (one insert)."""
        bulk_create_with_history(
            [
                Contact(agreement=row.instance, **dict(zip(CONTACT_FIELDS, values, strict=True)))
                for row in rows
                for values in row.contacts
            ],
            Contact,
            batch_size=LOOKUP_BATCH,
            default_change_reason=self.change_reason,
        )

    def _write_signatories(self, rows):
        """Each row's signatories, in order, for its written agreement (one insert)."""
        bulk_create_with_history(
            [
                Signatory(agreement=row.instance, party=party, name=name, office=office, position=n)
                for row in rows
                for n, (party, name, office) in enumerate(row.signatories)
            ],
            Signatory,
            batch_size=LOOKUP_BATCH,
            default_change_reason=self.change_reason,
        )


def changed_since_message(conflict):
    """A row refused because its agreement was saved since it was read: by whom, what, when."""
    if conflict is None:
        return _(
            "Kerja sama ini diubah orang lain setelah pratinjau; unggah berkasnya lagi untuk "
            "melihat apa yang akan berubah."
        )
    return _(
        "Kerja sama ini diubah oleh %(users)s pada %(when)s setelah pratinjau (yang berubah: "
        "%(fields)s); unggah berkasnya lagi untuk melihat apa yang akan berubah."
    ) % {
        "users": ", ".join(conflict.users) or _("seseorang"),
        "when": date_format(timezone.localtime(conflict.when), "DATETIME_FORMAT"),
        "fields": ", ".join(capfirst(str(label)) for label in conflict.fields) or "—",
    }


def _chains(documents):
    """{id: the documents of its chain} of ``documents``, each joined to the one it follows
    where that one is among them. No query."""
    parent = {document.pk: document.pk for document in documents}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for document in documents:
        if document.follows_id in parent:
            parent[root(document.pk)] = root(document.follows_id)
    chains = {}
    for document in documents:
        chains.setdefault(root(document.pk), []).append(document)
    return {document.pk: chains[root(document.pk)] for document in documents}


def _party_key(obj):
    """What stands for a party in ``RowResult.m2m``: its id, or for a partner still to be
    created a key of its own."""
    return obj.pk if obj.pk is not None else ("new", id(obj))


def _keep_unnamed_predecessor(instance, reader, original):
    """Keep the internal text a stored public agreement continues where the row names none.

    No public download names it: its ``follows`` and ``relation`` cells are empty there, as for
    a text that continues none (``export_columns.computed_fields``), and an official's or an
    editor's download is a public one. Uploaded again, those empty cells say nothing of it, as
    the empty parent of a partner no download names says nothing (``TablesImport``); the link
    is undone in the agreement's form."""
    if (
        original is not None
        and original.visibility == Agreement.Visibility.PUBLIC
        and getattr(original, "follows_visibility", None) == Agreement.Visibility.INTERNAL
        and not reader.text("follows")
        and not reader.text("relation")
    ):
        instance.follows_id, instance.relation = original.follows_id, original.relation


def _copy(agreement):
    """An unsaved-looking copy of ``agreement`` to change without touching the original."""
    copy = Agreement()
    copy.__dict__.update(
        {key: value for key, value in agreement.__dict__.items() if key != "_state"}
    )
    copy._state.adding = agreement._state.adding
    copy._state.db = agreement._state.db
    copy._state.fields_cache = {}
    return copy


def _changes(original, instance, stored_m2m, m2m, follows_row):
    changed = [
        name for name in COMPARED_FIELDS if getattr(original, name) != getattr(instance, name)
    ]
    if follows_row is not None and "follows_id" not in changed:
        changed.append("follows_id")
    changed.extend(name for name in M2M_FIELDS if stored_m2m[name] != m2m[name])
    return [name.removesuffix("_id") for name in changed]


def _messages(error, model=Agreement, whose=""):
    """Readable messages from a ValidationError: "field label: message", the label of
    ``model``'s field, after ``whose`` (the record of a part of the row) where given."""
    messages = []
    for name, texts in error.message_dict.items():
        if name == NON_FIELD_ERRORS:
            messages.extend(f"{whose}: {text}" if whose else text for text in texts)
            continue
        try:
            label = model._meta.get_field(name).verbose_name
        except Exception:  # noqa: BLE001 — a key that is not a field is shown as it is
            label = name
        messages.extend(
            f"{whose}, {label}: {text}" if whose else f"{label}: {text}" for text in texts
        )
    return messages


def _part_errors(result):
    """The model's own rules for the records a row brings along besides its agreement: the
    partners it creates, its signatories and its contact persons (their lengths, an e-mail
    address), each named; their links are checked when the row is resolved."""
    parts = [
        (partner, ["country", "subdivision", "parent"], _("mitra baru “%(name)s”"))
        for partner in result.new_partners
    ]
    parts += [
        (
            Signatory(party=party, name=name, office=office),
            # The file may leave a signatory's party out, as it always could.
            ["agreement"] if party else ["agreement", "party"],
            _("penanda tangan “%(name)s”"),
        )
        for party, name, office in result.signatories
    ]
    contacts = [
        Contact(**dict(zip(CONTACT_FIELDS, values, strict=True))) for values in result.contacts
    ]
    parts += [
        (
            contact,
            ["agreement", *contact.left_unchecked(result.stored_phones)],
            _("narahubung “%(name)s”"),
        )
        for contact in contacts
    ]
    messages = []
    for record, links, whose in parts:
        try:
            record.full_clean(exclude=links, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            named = whose % {"name": record.name[:60]}
            messages.extend(_messages(error, type(record), named))
    return messages
