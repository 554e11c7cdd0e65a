"""The periodic report on cooperation of a region (with its regencies and cities) for a period.

What a bureau reports to the regional head, the DPRD and the Ministry of Home Affairs: what was
signed in the period, what is in force at its end, what expires within the next period, what
waits and on whom, what lies dormant, the evaluations done and what they found, a table per
scope, and the maps and charts. Every list is read through the register's own rules
(``AgreementQuerySet.with_shown_status``, ``expiring_within``, ``dormant``, ``counts_by_status``
on the period's end, ``with_next_step``) over what the reader may see, so a public report holds
public records only.

The end of a period before today is read from the dates (``Agreement.dated_status_case``), not
from the status stored today: what was signed later is not in force then, what has expired since
was. Where the register does not date how a cooperation ended, the report says so.

The page, its PDF (the same template, rendered by WeasyPrint) and its XLSX all come from
``build``.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from agreements import charts, maps
from agreements.dates import FIRST_YEAR, LAST_YEAR
from agreements.export_columns import neutralise
from agreements.exports import XLSX_NARROWEST
from agreements.filters import sorts_for_reader
from agreements.models import (
    Agreement,
    AgreementStatus,
    Milestone,
    MilestoneKind,
    PastStatus,
    Scope,
)

# The whole code, matched with ``fullmatch``: "$" would let a line break after it through, into
# the download's file name. ASCII digits only: ``\d`` would take other scripts' digits too. A
# semester typed in lower case ("2024-s1", an address written by hand) is the same semester,
# named by its code as the menu writes it (``Period.of``).
PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:-[Ss](?P<half>[12]))?")


class OutOfRange(ValueError):
    """A period of a year the site does not accept (``FIRST_YEAR`` to ``LAST_YEAR``)."""


@dataclass(frozen=True)
class Period:
    """A year (``2024``) or a semester (``2024-S1``, ``2024-S2``)."""

    code: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def parse(cls, code):
        """The period ``code`` names, under its own code ("2024-s1" is ``2024-S1``):
        ``OutOfRange`` for a year the site does not accept, ValueError when it names none."""
        match = PERIOD.fullmatch(code or "")
        if not match:
            raise ValueError(code)
        year = int(match["year"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise OutOfRange(code)
        return cls.of(year, match["half"])

    @classmethod
    def of(cls, year, half=None):
        """The year ``year`` or, with ``half`` ("1" or "2"), that semester of it."""
        if half is None:
            return cls(str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        if half == "1":
            return cls(f"{year}-S1", datetime.date(year, 1, 1), datetime.date(year, 6, 30))
        return cls(f"{year}-S2", datetime.date(year, 7, 1), datetime.date(year, 12, 31))

    @property
    def label(self):
        if self.code.endswith("-S1"):
            return _("Semester I %(year)s") % {"year": self.start.year}
        if self.code.endswith("-S2"):
            return _("Semester II %(year)s") % {"year": self.start.year}
        return _("Tahun %(year)s") % {"year": self.start.year}

    def has_begun(self, today):
        """Whether the period has begun by ``today``: the report of one yet to come would read
        today's register as if it were that period's, so it is neither offered nor drawn."""
        return self.start <= today

    @property
    def next(self):
        """The period of the same length that follows: of the year after ``LAST_YEAR`` for the
        last ones, whose reports still say what expires after them."""
        year = self.start.year
        if self.code.endswith("-S1"):
            return Period.of(year, "2")
        if self.code.endswith("-S2"):
            return Period.of(year + 1, "1")
        return Period.of(year + 1)


def period_choices(today):
    """Years and semesters that have begun (``Period.has_begun``) to offer, the latest first:
    each by its code (the address keeps it) and named as officials say it ("Semester I 2024",
    ``Period.label``)."""
    periods = []
    for year in range(today.year, 2009, -1):
        periods += [Period.of(year), Period.of(year, "2"), Period.of(year, "1")]
    return [(period.code, period.label) for period in periods if period.has_begun(today)]


@dataclass
class ScopeRow:
    scope: str
    label: str
    signed: int = 0
    in_force: int = 0
    ending: int = 0
    expiring: int = 0
    dormant: int = 0


# The rows of each list a printed report (the PDF) holds; the workbook holds them all.
PRINTED_ROWS = 100

# The width of a column of titles in the report's workbook, in characters.
TITLE_WIDTH = 60


@dataclass(frozen=True)
class Waiting:
    """A cooperation with a next step, and whom that step waits on."""

    agreement: object
    party: str  # the party's label, or that nobody is named yet
    is_late: bool = False  # its step is past its target (``Agreement.next_step_overdue``)

    @property
    def taken_on(self):
        """The text the step is taken on when it is not this cooperation's own (the
        sister-province text a signed LoI waits with, ``Agreement.next_step_taken_on``): the
        row names it, and says the step is late there, not on the LoI, as the list's row and
        the status page say it."""
        return self.agreement.next_step_taken_on


@dataclass
class Report:
    region: object
    period: Period
    today: datetime.date  # the day it was built: what waits, and how late, is of today
    signed: list
    in_force: list
    # Signed by the end of the period and ended since, on a day the register does not record:
    # in force then or not, it cannot say (``PastStatus.UNRECORDED``).
    maybe_in_force: list
    # In force some time in the period and ended within it: expired or terminated. This and
    # ``expiring`` mark each already extended (``is_extended``) or followed up
    # (``is_followed_up``).
    ending: list
    expiring: list
    waiting: list  # every cooperation with a next step today, as ``Waiting`` rows
    dormant: list
    evaluations: list
    scopes: list = field(default_factory=list)
    # (party, number of cooperations waiting on it), most first: of every one, printed or not.
    waiting_by_party: list = field(default_factory=list)
    map: object = None
    status_chart: object = None
    # How many rows of each list were left out of a printed copy (``printed``), by list name.
    omitted: dict = field(default_factory=dict)

    LISTS = (
        "signed",
        "in_force",
        "maybe_in_force",
        "ending",
        "expiring",
        "waiting",
        "dormant",
        "evaluations",
    )

    @property
    def score_heading(self):
        """The heading of the evaluations' 1–5 scores, as the form and the status page word
        them ("Nilai evaluasi (1–5)"), not a bare "Nilai" an English reader takes for a value."""
        return capfirst(str(Milestone._meta.get_field("rating").verbose_name))

    def printed(self, rows):
        """This report with at most ``rows`` rows in each list, and how many each left out.

        The PDF is read on paper: the lists of a large province ran to hundreds of pages and
        took WeasyPrint half a minute to lay out. The counts, the summary and the charts are of
        every agreement; the workbook holds every row.
        """
        cut = {name: getattr(self, name)[:rows] for name in self.LISTS}
        omitted = {name: len(getattr(self, name)) - len(cut[name]) for name in self.LISTS}
        return replace(self, **cut, omitted=omitted)


def build(agreements, region, period):
    """The report of ``agreements`` (what the reader may see) in ``region`` for ``period``.

    Queries: one per list (signed, in force, in force or not as the register cannot tell,
    ending in the period, expiring in the next, those two with whether each is already
    extended, waiting, dormant, evaluations), one for the status chart and three for the map.
    """
    today = timezone.localdate()
    # The region's agreements read first: the report's lists ask their status on a past day
    # of each (``Agreement.dated_status_case``), a few thousand rows, never the register's.
    # Each line read as the reader reads it (``AgreementQuerySet.reads_inside``): the public's
    # addendum of an internal MoU lies dormant, as its page says, whatever the MoU did.
    mine = Agreement.objects.filter(
        pk__in=list(agreements.in_region(region).values_list("pk", flat=True))
    ).read_inside(agreements.reads_inside())
    # With the day a terminated one ended (``with_termination``, in the same statement): its
    # row says so, as the list's does, rather than the term first agreed.
    listed = mine.select_related("lead_region").with_termination()
    # Lists by title in the order of the title shown, as the list sorted by title: an English
    # report ordered "Sister city …" among the "Kota kembar".
    by_title = sorts_for_reader()["title"]
    end, following = period.end, period.next
    signed = list(listed.signed_within(period.start, end).order_by("signed_on", "pk"))
    # Each cooperation once (``each_cooperation_once``): an amendment ending with its text,
    # listed too, is part of it, not a second cooperation in force, ending or dormant.
    in_force = list(
        listed.with_shown_status(AgreementStatus.IN_FORCE, on=end)
        .each_cooperation_once()
        .order_by(*by_title)
    )
    maybe_in_force = list(
        listed.with_shown_status(PastStatus.UNRECORDED, on=end)
        .signed_by(end)
        .each_cooperation_once()
        .order_by(*by_title)
    )
    # What ends, each with whether a signed extension the reader may see already extends it
    # (``is_extended``), or a signed follow-up carries it on (``is_followed_up``), as the
    # dashboard marks it: its cooperation goes on.
    ending = list(
        listed.ending_between(period.start, end)
        .each_cooperation_once()
        .marking_carried_on(agreements)
    )
    expiring = list(
        listed.expiring_within(
            (following.end - following.start).days, on=following.start
        ).marking_carried_on(agreements)
    )
    # Whom each cooperation waits on now: the one rule the dashboard and the lists read, and
    # those whose step names nobody yet, so that every next step is counted once.
    waiting = [
        Waiting(
            agreement,
            agreement.get_waits_on_display() or _("Belum ditentukan"),
            is_late=agreement.next_step_overdue,
        )
        for agreement in mine.with_next_step()
        .select_related("next_milestone__agreement")
        .order_by("waits_on", "next_due_on", "pk")
    ]
    # What lies dormant at the end of a period that has ended; of one still running, what lies
    # dormant today, as the status pages, the list and the dashboard say it: read for a day to
    # come, a cooperation was called dormant for the want of steps no one could take yet.
    dormant_now = listed.dormant_cooperations(on=None if end >= today else end)
    dormant = list(dormant_now.order_by(*by_title))
    evaluations = list(
        Milestone.objects.filter(
            kind=MilestoneKind.EVALUATION,
            done_on__gte=period.start,
            done_on__lte=period.end,
            agreement__in=mine.order_by(),
        )
        .select_related("agreement")
        .order_by("done_on", "pk")
    )
    rows = {scope.value: ScopeRow(scope.value, scope.label) for scope in Scope}
    for attribute, items in (
        ("signed", signed),
        ("in_force", in_force),
        ("ending", ending),
        ("expiring", expiring),
        ("dormant", dormant),
    ):
        for agreement in items:
            row = rows[agreement.scope]
            setattr(row, attribute, getattr(row, attribute) + 1)
    province = region.province if region.province_id else region
    return Report(
        region=region,
        period=period,
        today=today,
        signed=signed,
        in_force=in_force,
        maybe_in_force=maybe_in_force,
        ending=ending,
        expiring=expiring,
        waiting=waiting,
        dormant=dormant,
        evaluations=evaluations,
        scopes=list(rows.values()),
        waiting_by_party=Counter(row.party for row in waiting).most_common(),
        map=maps.indonesia_map(agreements, highlight=province.code),
        # Each cooperation once, as the lists and the summary beside it count them: an MoU and
        # the addendum ending with it are one cooperation in force, not two; an addendum being
        # drafted for an MoU in force is counted among the texts being prepared.
        status_chart=status_chart(
            mine.each_cooperation_once(alike=mine.shown_status_case(today, end)).counts_by_status(
                on=end
            ),
            end,
        ),
    )


def in_worksheet(known):
    """A date as it is known (``KnownDate``), as the register's exports write it in a sheet."""
    return None if not known else known.in_worksheet


def step_in_worksheet(row):
    """The cell of "Tahapan": the step, and the text it is taken on when it is another's
    (``Waiting.taken_on``), as the page's row says it."""
    step = str(row.agreement.next_step_title)
    if row.taken_on is None:
        return step
    elsewhere = _("pada naskah lanjutan: %(title)s") % {"title": row.taken_on.shown_title}
    return f"{step} · {elsewhere}"


def late_in_worksheet(row):
    """The cell of "Terlambat": "ya" for a step of its own past its target; late on the text
    carrying it on (``Waiting.taken_on``), said so, as the list's row says it."""
    if not row.is_late:
        return ""
    return _("terlambat pada naskah lanjutan") if row.taken_on is not None else _("ya")


def ended_in_worksheet(agreement):
    """The cell of "Berakhir pada": a terminated agreement's termination day, said so as its
    row on the page says it ("Diakhiri pada 2 Maret 2023"), or that no step records that
    day (``terminated_undated``), else its expiry as known (also of one whose term ran out
    before the termination recorded, ``term_ran_out_first``)."""
    if agreement.terminated_undated:
        return _("Diakhiri; tanggal tidak tercatat")
    ended = agreement.terminated_on
    if ended is not None and not agreement.term_ran_out_first:
        return _("Diakhiri %(date)s") % {"date": ended.on}
    return in_worksheet(agreement.known("expires_on"))


def status_chart(counts, day):
    """The chart of ``counts`` (``counts_by_status`` on ``day``, the period's end). Its bars
    lead nowhere: the list filters by the status shown today."""
    labels = dict(AgreementStatus.choices) | dict(PastStatus.choices)
    description = _(
        "Status pada akhir periode menurut tanggal ditandatangani, berlaku, berakhir dan "
        "pengakhiran; kerja sama yang diusulkan atau dicatat sesudahnya tidak dihitung."
    )
    if day < timezone.localdate():
        description += " " + _(
            "Tahap sebelum penandatanganan tidak bertanggal, maka dihitung bersama sebagai "
            "“Belum ditandatangani”; “Tidak diketahui”: diakhiri, dibatalkan atau berakhir "
            "pada tanggal yang tidak tercatat."
        )
    return charts.bar_chart(
        [charts.Datum(labels[status], n) for status, n in counts.items()],
        chart_id="status",
        title=_("Kerja sama menurut status"),
        description=description,
        label_heading=_("Status"),
        value_heading=_("Jumlah kerja sama"),
    )


def as_workbook(report, file, generated, public_only):
    """Write ``report`` to ``file`` as an XLSX workbook: what it is (region, period, when it
    was compiled, whether it holds public records only), then a sheet per section."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)

    def cell(ws, value):
        if not isinstance(value, str):
            return value
        # Text, never a live formula: a title "=HYPERLINK(…)" is written as the register's
        # exports write it ('=HYPERLINK(…), ``neutralise``), so it stays text though the sheet
        # is saved again as CSV; a control character stored before the register refused them
        # is left out.
        text = WriteOnlyCell(ws, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        text.data_type = "s"
        return text

    def sheet(title, header, rows, widths=()):
        ws = book.create_sheet(title[:31])
        # Each column wide enough for its heading and for a date (a spreadsheet shows a date
        # wider than its column as "########"), a title's as ``widths`` asks; the heading in
        # bold stays in view as the reader scrolls down.
        for index, heading in enumerate(header, start=1):
            width = widths[index - 1] if index <= len(widths) else 0
            ws.column_dimensions[get_column_letter(index)].width = max(
                width, len(str(heading)) + 2, XLSX_NARROWEST
            )
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        headings = []
        for heading in header:
            text = WriteOnlyCell(ws, value=str(heading))
            text.font = bold
            headings.append(text)
        ws.append(headings)
        for row in rows:
            ws.append([cell(ws, value) for value in row])

    sheet(
        _("Laporan"),
        [_("Laporan kerja sama daerah")],
        [
            [f"{report.region.name} · {report.period.label}"],
            [
                _("Periode %(start)s sampai %(end)s.")
                % {"start": date_format(report.period.start), "end": date_format(report.period.end)}
            ],
            [
                _("Disusun %(when)s.")
                % {"when": date_format(localtime(generated), "DATETIME_FORMAT")}
            ],
            *([[_("Hanya kerja sama yang dipublikasikan.")]] if public_only else []),
        ],
    )
    sheet(
        _("Ringkasan"),
        [
            _("Lingkup"),
            _("Ditandatangani"),
            _("Berlaku"),
            _("Berakhir dalam periode"),
            _("Berakhir periode berikut"),
            _("Mati suri"),
        ],
        [
            [str(r.label), r.signed, r.in_force, r.ending, r.expiring, r.dormant]
            for r in report.scopes
        ],
    )
    # A workbook holding internal records says of each row whether it is one, in a last column,
    # as the page and its PDF mark it ("Internal"): passed on, it shows which rows are not for
    # the public. One of public records only has no such column.
    marked = [] if public_only else [capfirst(Agreement._meta.get_field("visibility").verbose_name)]

    def mark(agreement):
        return [str(agreement.get_visibility_display())] if marked else []

    # "Berakhir pada", not "Berakhir": that is the status "Expired" in English.
    columns = [
        _("Judul"),
        _("Lingkup"),
        _("Daerah pengampu"),
        _("Ditandatangani"),
        _("Berakhir pada"),
    ]

    def agreement_rows(items, extended=False):
        """A row per agreement; with ``extended``, the lists of what ends say in a column of
        their own which is already extended, and in the next which is already followed up
        (``is_followed_up``), as the page says it beside the end."""
        return [
            [
                a.shown_title,
                str(a.get_scope_display()),
                a.lead_region.name,
                in_worksheet(a.known("signed_on")),
                ended_in_worksheet(a),
                *(
                    [
                        _("sudah diperpanjang") if a.is_extended else "",
                        _("sudah ditindaklanjuti") if a.is_followed_up else "",
                    ]
                    if extended
                    else []
                ),
                *mark(a),
            ]
            for a in items
        ]

    ends = [*columns, _("Perpanjangan"), _("Tindak lanjut"), *marked]
    columns = [*columns, *marked]
    # A title is read whole where its cell is wide; the rest of a column, as wide as it needs.
    titled = (TITLE_WIDTH, 0, 24)
    sheet(_("Ditandatangani"), columns, agreement_rows(report.signed), titled)
    sheet(_("Berlaku"), columns, agreement_rows(report.in_force), titled)
    sheet(_("Mungkin berlaku"), columns, agreement_rows(report.maybe_in_force), titled)
    sheet(
        _("Berakhir dalam periode"),
        ends,
        agreement_rows(report.ending, extended=True),
        titled,
    )
    sheet(
        _("Berakhir periode berikut"),
        ends,
        agreement_rows(report.expiring, extended=True),
        titled,
    )
    sheet(_("Mati suri"), columns, agreement_rows(report.dormant), titled)
    sheet(
        _("Menunggu"),
        [_("Kerja sama"), _("Tahapan"), _("Menunggu"), _("Target"), _("Terlambat"), *marked],
        [
            [
                row.agreement.shown_title,
                step_in_worksheet(row),
                row.party,
                in_worksheet(
                    row.agreement.next_milestone and row.agreement.next_milestone.known("due_on")
                ),
                late_in_worksheet(row),
                *mark(row.agreement),
            ]
            for row in report.waiting
        ],
        (TITLE_WIDTH, 40, 24),
    )
    sheet(
        _("Evaluasi"),
        [_("Kerja sama"), _("Tanggal"), report.score_heading, _("Temuan"), *marked],
        [
            [
                m.agreement.shown_title,
                in_worksheet(m.known("done_on")),
                m.rating,
                m.findings,
                *mark(m.agreement),
            ]
            for m in report.evaluations
        ],
        (TITLE_WIDTH, 0, 0, TITLE_WIDTH),
    )
    book.save(file)
