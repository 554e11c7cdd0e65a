"""The register as files: one set of columns (``agreements.export_columns``, documented in
``docs/data-dictionary.md``), three formats.

``iter_records`` turns a queryset of agreements into plain dicts, a chunk at a time, with a fixed
number of set-based queries per chunk (the rows, then the party regions, partners and sectors of
that chunk, one query each), so memory stays flat and the database does the work in a few large
queries however many rows there are. The writers below turn those dicts into
CSV, XLSX or JSON; the importer (``agreements.imports``) reads the same columns back.
"""

import csv
import datetime
import decimal
import io
import re
import tempfile
import zipfile
from itertools import islice

from django.db import connections
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from agreements import export_columns, exports_postgresql
from agreements.dates import KnownDate
from agreements.export_columns import JSON
from common.streaming import started

CHUNK_SIZE = 2000


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def iter_records(queryset, page_url, *, readable, chunk_size=None, today=None, columns=None):
    """Yield one dict per agreement of ``queryset`` (in its order), keyed by the names of
    ``columns`` (by default ``export_columns.public_columns()``; ``columns_for(reader)`` adds the
    budget and contact persons for officials and staff).

    One streaming query reads the agreements, then one query per chunk of ``chunk_size`` rows
    each list of their parties (``export_columns.party_values``). ``page_url(pk)`` gives the
    address of an agreement's status page. Labels and names are taken in the language active
    now, not when the rows are read: a streaming response reads them after the view has
    returned. ``readable`` is every agreement the downloader may see
    (``export_columns.computed_fields``). The query has run when this returns.
    """
    today = today or timezone.localdate()
    chunk_size = chunk_size or CHUNK_SIZE
    columns = _columns(columns)
    rows = (
        queryset.prefetch_related(None)
        .annotate(**export_columns.computed_fields(today, readable))
        .values(*export_columns.fields_read(columns))
    )
    # The first rows are read now: a download meets a database that is down before its response
    # starts (``common.streaming``).
    return map(
        export_columns.record_builder(columns, page_url),
        started(_party_rows(rows, chunk_size, get_language(), export_columns.parties_of(columns))),
    )


def _columns(columns):
    """``columns``, or by default those every reader may have (``public_columns``)."""
    return export_columns.public_columns() if columns is None else columns


def _party_rows(rows, chunk_size, language, names):
    """Each row of ``rows`` with the ``export_columns.PARTIES`` lists ``names``, one query a
    list and chunk."""
    for chunk in _chunks(rows.iterator(chunk_size=chunk_size), chunk_size):
        ids = [row["id"] for row in chunk]
        parties = {party: export_columns.party_values(party, ids, language) for party in names}
        for row in chunk:
            for party, by_agreement in parties.items():
                row[party] = by_agreement.get(row["id"], ())
            yield row


# -- writers ------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming ``csv.writer``."""

    def write(self, value):
        return value


# A streamed download is handed to the server in pieces of about this size: one write per line
# would cost a system call each, more than writing the line.
PIECE = 1 << 16


def _pieces(texts):
    """Join ``texts`` into pieces of about ``PIECE`` characters."""
    piece, size = [], 0
    for text in texts:
        piece.append(text)
        size += len(text)
        if size >= PIECE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def text_chunks(queryset, file_format, page_url, *, readable, columns=None):
    """The CSV or JSON export of ``queryset``, in pieces of about ``PIECE`` characters;
    ``readable`` and ``columns`` as for ``iter_records``.

    On PostgreSQL the query writes the cells (``agreements.exports_postgresql``); elsewhere
    ``csv_chunks`` and ``json_chunks`` write them from ``iter_records``. Both give the same text.
    """
    if connections[queryset.db].vendor == "postgresql":
        lines = (
            exports_postgresql.csv_lines if file_format == "csv" else exports_postgresql.json_lines
        )
        return _pieces(
            lines(queryset, page_url, CHUNK_SIZE, readable=readable, columns=_columns(columns))
        )
    writer = csv_chunks if file_format == "csv" else json_chunks
    return writer(iter_records(queryset, page_url, readable=readable, columns=columns), columns)


def csv_chunks(records, columns=None):
    """CSV text in pieces of whole lines: UTF-8 with a byte-order mark (Excel, LibreOffice);
    ``columns`` as for ``iter_records``."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    # Each column with the function that writes its cells, chosen once rather than per cell.
    cells = [(column.name, column.rule.text) for column in _columns(columns)]

    def lines():
        yield "\ufeff" + writer.writerow([name for name, _cell in cells])
        for record in records:
            yield writer.writerow([cell(record[name]) for name, cell in cells])

    return _pieces(lines())


def json_chunks(records, columns=None):
    """A JSON array of objects keyed by column name; several values are a list, no date null;
    ``columns`` as for ``iter_records``."""
    return _pieces(_json_array(_columns(columns), records))


def _json_array(columns, records):
    """The text of a JSON array of ``records``, an object of ``columns`` each, a line each."""
    names = [column.name for column in columns]
    # The values JSON does not hold as they are (dates), with what writes them.
    converted = [(column.name, column.rule.json) for column in columns if column.rule.json]

    def objects():
        for record in records:
            item = {name: record[name] for name in names}
            for name, convert in converted:
                item[name] = convert(item[name])
            yield JSON.encode(item)

    return exports_postgresql.json_array(objects())


def table_records(table, selection):
    """The records of one of ``export_columns.TABLES`` for ``selection``, keyed by column name."""
    return map(export_columns.record_builder(table.columns, None), table.rows(selection))


def table_json(table, selection):
    """The text of the JSON array of one of ``export_columns.TABLES`` for ``selection``. On
    PostgreSQL its query writes each object (``exports_postgresql.table_json_lines``) where it
    can; elsewhere ``_json_array`` writes them from ``table_records``. Both give the same text."""
    using = selection.agreements.db
    if connections[using].vendor == "postgresql" and exports_postgresql.writes_table(table):
        return exports_postgresql.json_array(
            exports_postgresql.table_json_lines(table, selection, CHUNK_SIZE)
        )
    return _json_array(table.columns, table_records(table, selection))


def register_json(agreement_pieces, selection, note):
    """The JSON export of a page: an object holding ``note`` (what the file leaves out and
    why), the agreements (``agreement_pieces``: the text of ``text_chunks``'s array) and a list
    per table of ``export_columns.TABLES``, in pieces as it is written."""

    def parts():
        yield '{"note": ' + JSON.encode(note) + ',\n"agreements": '
        yield from agreement_pieces
        for table in export_columns.TABLES:
            yield f',\n"{table.name}": '
            yield from table_json(table, selection)
        yield "}\n"

    return _pieces(parts())


def _xlsx_cell(text, value):
    """``value`` as a worksheet holds it: a date as a date, the rest as their ``text`` cell."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value  # openpyxl shows a date as yyyy-mm-dd
    if isinstance(value, KnownDate):
        return value.in_worksheet
    # Control characters a worksheet cannot hold are dropped; every other text is kept.
    return ILLEGAL_CHARACTERS_RE.sub("", text(value)) or None


# -- XLSX, written as it is sent ------------------------------------------------------------------
# A workbook is a zip of XML parts. The sheet is written row by row straight into a zip that
# streams (data descriptors, no seeking back), so the first bytes leave at once, memory stays
# flat, and the 100,000 rows of a national register take seconds rather than the half a minute a
# general-purpose library needs. Text cells are inline strings; dates are day numbers shown as
# yyyy-mm-dd, as spreadsheet programs store them.

XLSX_ROWS_PER_PIECE = 500
_XLSX_EPOCH = datetime.date(1899, 12, 30)
_XLSX_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_SHEET_TYPE = "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_XLSX_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx_static(sheets):
    """The parts of a workbook of ``sheets`` sheets besides the sheets themselves."""
    numbers = range(1, sheets + 1)
    return {
        "[Content_Types].xml": (
            _XLSX_XML
            + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
                f'ContentType="application/{_XLSX_SHEET_TYPE}"/>'
                for n in numbers
            )
            + '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            _XLSX_XML
            + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_XLSX_RELATIONSHIPS}/officeDocument" '
            'Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/_rels/workbook.xml.rels": (
            _XLSX_XML
            + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_XLSX_RELATIONSHIPS}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in numbers
            )
            + f'<Relationship Id="rId{sheets + 1}" Type="{_XLSX_RELATIONSHIPS}/styles" '
            'Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _XLSX_STYLES,
    }


# Style 1: a date, yyyy-mm-dd; style 2: a column's name in the header row, in bold.
_XLSX_STYLES = (
    _XLSX_XML + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _xlsx_workbook_part(titles, filtered):
    """The workbook part: its sheets, and the range each sheet's filter buttons cover
    (``filtered``, ``A1:AV14`` each, or None for a sheet left without), as Excel names it."""
    sheets = "".join(
        f'<sheet name="{escape(title[:31])}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(titles, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
        f"{escape(_absolute_range(title[:31], cells))}</definedName>"
        for index, (title, cells) in enumerate(zip(titles, filtered, strict=True))
        if cells
    )
    return (
        _XLSX_XML + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_XLSX_RELATIONSHIPS}"><sheets>{sheets}</sheets>'
        + (f"<definedNames>{names}</definedNames>" if names else "")
        + "</workbook>"
    )


def _absolute_range(title, cells):
    """``A1:AV14`` of sheet ``title`` as a formula names it: ``'agreements'!$A$1:$AV$14``."""
    first, last = cells.split(":")
    absolute = ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", cell) for cell in (first, last))
    return "'" + title.replace("'", "''") + "'!" + absolute


# Wide enough for a date (yyyy-mm-dd): in a column of the default width a spreadsheet shows a
# date as "########" until the reader widens it.
XLSX_NARROWEST = 12


def _xlsx_sheet_start(names):
    """A sheet's opening up to its rows: the header row stays in view as the reader scrolls
    down (frozen), and each column is wide enough for its name and for a date."""
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{max(len(name) + 2, XLSX_NARROWEST)}" customWidth="1"/>'
        for n, name in enumerate(names, start=1)
    )
    return (
        _XLSX_XML + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>" + (f"<cols>{widths}</cols>" if widths else "") + "<sheetData>"
    )


def _xlsx_sheet_end(cells):
    """A sheet's closing after its rows: filter buttons on its header over ``cells``."""
    return "</sheetData>" + (f'<autoFilter ref="{cells}"/>' if cells else "") + "</worksheet>"


def _column_letters(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xml_text(text):
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _xlsx_row(number, values, header=False):
    cells = []
    _xlsx_letters(len(values))
    for letter, value in zip(_XLSX_COLUMNS, values, strict=False):
        if value is None:
            continue
        if header:
            cells.append(
                f'<c r="{letter}{number}" s="2" t="inlineStr"><is><t xml:space="preserve">'
                f"{_xml_text(value)}</t></is></c>"
            )
        elif type(value) is datetime.date:
            days = (value - _XLSX_EPOCH).days
            cells.append(f'<c r="{letter}{number}" s="1"><v>{days}</v></c>')
        elif type(value) is decimal.Decimal:
            cells.append(f'<c r="{letter}{number}"><v>{value:f}</v></c>')
        else:
            cells.append(
                f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">'
                f"{_xml_text(value)}</t></is></c>"
            )
    return f'<row r="{number}">{"".join(cells)}</row>'


# The letters of the columns, A, B, ..., AA, ...: as many as the widest row so far asked for.
_XLSX_COLUMNS = []


def _xlsx_letters(count):
    """The letters of the first ``count`` columns."""
    while len(_XLSX_COLUMNS) < count:
        _XLSX_COLUMNS.append(_column_letters(len(_XLSX_COLUMNS)))
    return _XLSX_COLUMNS[:count]


class _Sink(io.RawIOBase):
    """Where the zip writes: kept until taken, never seeked (so the zip streams)."""

    def __init__(self):
        self.parts = []

    def writable(self):
        return True

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def xlsx_cells(queryset, page_url, *, readable, columns=None):
    """The cells of the XLSX export of ``queryset``, a list per agreement in the order of
    ``columns``: text, a date, or None for an empty cell; ``readable`` and ``columns`` as for
    ``iter_records``. Its query has run when this returns.

    On PostgreSQL they are read from the CSV export's lines, whose cells the query writes
    (``agreements.exports_postgresql``) and which hold the same text; elsewhere from
    ``iter_records``.
    """
    columns = _columns(columns)
    if connections[queryset.db].vendor != "postgresql":
        records = iter_records(queryset, page_url, readable=readable, columns=columns)
        return _xlsx_rows(records, columns)
    lines = exports_postgresql.csv_lines(
        queryset, page_url, CHUNK_SIZE, readable=readable, columns=columns
    )
    next(lines)  # the column names
    return _xlsx_rows_of_csv(lines, columns)


def _xlsx_rows_of_csv(lines, columns):
    # Dates known to the day are date cells, as ``_xlsx_cell`` writes them; a year or a month
    # alone stays its text. A column is one of dates when its cells are written as dates are
    # (the next step's target date borrows ``Date``'s writer).
    date_writers = (export_columns.Date.text, export_columns.date_cell)
    dates = [index for index, column in enumerate(columns) if column.rule.text in date_writers]
    numbers = _number_columns(columns)
    strip = ILLEGAL_CHARACTERS_RE.sub
    for cells in csv.reader(lines):
        row = [strip("", cell) or None for cell in cells]
        for index in dates:
            if row[index] and len(row[index]) == 10:
                row[index] = datetime.date.fromisoformat(row[index])
        for index in numbers:
            if row[index]:
                row[index] = decimal.Decimal(row[index])
        yield row


def _number_columns(columns):
    """The indexes of ``columns`` holding amounts or whole numbers (a rating): number cells in
    a worksheet, so that it adds them up (CSV carries their digits as text; JSON an amount as
    text, so no reader rounds it, and a whole number as a number)."""
    return [
        index
        for index, column in enumerate(columns)
        if isinstance(column.rule, export_columns.Amount | export_columns.Number)
    ]


def _xlsx_rows(records, columns=None):
    columns = _columns(columns)
    cells = [(column.name, column.rule.text) for column in columns]
    numbers = _number_columns(columns)
    for record in records:
        row = [_xlsx_cell(text, record[name]) for name, text in cells]
        for index in numbers:
            if row[index]:
                row[index] = decimal.Decimal(row[index])
        yield row


def xlsx_chunks(rows, title="kerja sama", columns=None):
    """An XLSX workbook of ``rows`` (lists of cells in the order of ``columns``, as
    ``xlsx_cells`` gives them), in pieces of bytes as it is written: one sheet, the column
    names, then the rows."""
    names = [column.name for column in _columns(columns)]
    return xlsx_workbook([(title, names, rows)])


def xlsx_workbook(sheets):
    """An XLSX workbook of ``sheets``, ``(title, column names, rows)`` each, in pieces of bytes
    as it is written: each sheet in turn, its column names and then its rows, read as they are
    written."""
    sink = _Sink()
    filtered = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in _xlsx_static(len(sheets)).items():
            book.writestr(name, text)
        yield sink.take()
        for index, (_title, names, rows) in enumerate(sheets, start=1):
            with book.open(f"xl/worksheets/sheet{index}.xml", "w") as sheet:
                written = [_xlsx_sheet_start(names), _xlsx_row(1, names, header=True)]
                number = 1
                for number, cells in enumerate(rows, start=2):
                    written.append(_xlsx_row(number, cells))
                    if len(written) >= XLSX_ROWS_PER_PIECE:
                        sheet.write("".join(written).encode())
                        written.clear()
                        yield sink.take()
                # Filter buttons over the header and every row, as the reader asks for them
                # (Data → Filter) on a table they opened.
                letters = _xlsx_letters(len(names))
                cells = f"A1:{letters[-1]}{number}" if letters else None
                filtered.append(cells)
                written.append(_xlsx_sheet_end(cells))
                sheet.write("".join(written).encode())
            yield sink.take()
        # Written last, when the extent of each sheet's filter is known; a zip is read from its
        # directory, in any order.
        book.writestr(
            "xl/workbook.xml",
            _xlsx_workbook_part([title for title, *_ in sheets], filtered),
        )
    yield sink.take()


def register_xlsx(queryset, page_url, selection, columns=None):
    """The XLSX export of a page: the agreements of ``queryset`` (``xlsx_cells``, of
    ``columns`` as for ``iter_records``) on the first sheet, then a sheet per table of
    ``export_columns.TABLES`` for ``selection``."""
    columns = _columns(columns)
    sheets = [
        (
            "agreements",
            [column.name for column in columns],
            xlsx_cells(queryset, page_url, readable=selection.readable, columns=columns),
        )
    ]
    for table in export_columns.TABLES:
        rows = _xlsx_rows(table_records(table, selection), table.columns)
        sheets.append((table.name, table.column_names, rows))
    return xlsx_workbook(sheets)


def write_xlsx(records, title="kerja sama", columns=None):
    """The XLSX workbook of ``records`` in a temporary file, rewound (``xlsx_chunks``)."""
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    for piece in xlsx_chunks(_xlsx_rows(records, columns), title, columns):
        output.write(piece)
    output.seek(0)
    return output
