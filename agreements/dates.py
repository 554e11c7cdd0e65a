"""Dates as they are known: a year, a month of a year, or a day.

Old registers and news reports often give only "1982" or "Mei 2018". Every date of the register
is stored as a ``DateField`` holding the first day of what is known (1 January 1982, 1 May 2018)
and a ``<field>_precision`` beside it (``precision_field``), so it sorts and filters as a date
(a signing year filter finds 1982, a list sorted by signing date puts it at the start of its year)
and shows and exports as it was given: "1982", "Mei 2018" / "May 2018", "1982" and "2018-05" in
files.
"""

import datetime
import functools
import re
from typing import NamedTuple

from django.db import models
from django.db.models import Q
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# The years a query may name (the list's signing year, the report's period) and a date of the
# register may fall in (``KnownDate.parse``): a step due "12/9999" is a slip of the keyboard,
# and the end of its month lies past the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# What a form says of a date outside them (the admin's dates, the list's date filters).
YEAR_OUT_OF_RANGE = _(
    "Tahun %(year)s di luar jangkauan register: tulis tahun %(first)s sampai %(last)s."
)

# The moments the register stores (a document's upload): a day inside the calendar's ends, so
# that UTC, in which the databases hold them, and every zone they are read in can show them.
FIRST_MOMENT = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
LAST_MOMENT = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)


def is_storable_moment(moment):
    """Whether the aware ``moment`` lies within ``FIRST_MOMENT`` … ``LAST_MOMENT``. Past them
    SQLite's adapter fails to write it (an OverflowError turning it into UTC), and a page in
    WIT to show it; nothing checks it earlier, a ``DateTimeField`` takes any ``datetime``."""
    return FIRST_MOMENT <= moment <= LAST_MOMENT


class DatePrecision(models.TextChoices):
    DAY = "day", _("tanggal")
    MONTH = "month", _("bulan")
    YEAR = "year", _("tahun")


def precision_field(verbose_name):
    """The precision beside a date field (see the module docstring)."""
    return models.CharField(
        verbose_name,
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        # A form that leaves it out keeps the default (a whole date); ``clean`` reads a blank
        # choice as that default too.
        blank=True,
        help_text=_("Seberapa rinci tanggal ini diketahui: tanggal, bulan, atau tahun saja."),
    )


ISO_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A month as staff type it, month first as in a day first date: ``05/2018``, ``5-2018``.
TYPED_MONTH_PATTERN = re.compile(r"^(\d{1,2})[/-](\d{4})$")
# A month by its name, as the pages write it and letters are dated ("Juni 2024", "10 Juni
# 2024"), in Indonesian or English whatever the reader's language, so a date copied from a
# status page or a letter reads the same for everyone; the spellings older letters use
# ("Pebruari", "Nopember") and the usual abbreviations ("Agt", "Des.", "Oct") too.
NAMED_MONTH_PATTERN = re.compile(r"^(?:(\d{1,2})\s+)?([^\W\d_]+)\.?\s+(\d{4})$")
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "pebruari", "february", "feb", "peb"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "ags", "aug"),
            ("september", "sept", "sep"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nopember", "nov", "nop"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
# A month as a spreadsheet shows a date cell of the format "mmm-yy" and saves it to CSV that way
# ("Des-23", "Dec-23"; "Mar-2025" of "mmm-yyyy"), by the names and abbreviations above.
SHOWN_MONTH_PATTERN = re.compile(r"^([^\W\d_]+)\.?-(\d{2}|\d{4})$")
# How precise each precision is, the day most.
FINENESS = {"year": 0, "month": 1, "day": 2}


class OutOfRange(ValueError):
    """A date of a year the register does not hold (``FIRST_YEAR`` to ``LAST_YEAR``)."""

    def __init__(self, text, year):
        super().__init__(text)
        self.year = year

    def in_column(self, column):
        """What an import says of it, naming the file's ``column``."""
        return _(
            "Kolom %(column)s: tahun %(year)s di luar jangkauan register; tulis tahun "
            "%(first)s sampai %(last)s."
        ) % {"column": column, "year": self.year, "first": FIRST_YEAR, "last": LAST_YEAR}


@functools.lru_cache(maxsize=8192)
def _written(date, precision, language):
    """A date as ``KnownDate`` writes it in ``language``, the reader's (the key that makes it
    safe to keep). Django's ``date_format`` looks up the language's formats and builds a
    formatter each time: a list of 100 rows writes two or three dates a row, and a register
    has a few thousand distinct ones."""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return date_format(date, "YEAR_MONTH_FORMAT")
    return date_format(date, "DATE_FORMAT")


# How a sentence says when something happened (``KnownDate.on``): in English "on 3 May 2018" but
# "in May 2018" and "in 1982"; in Indonesian "pada" before each, "pada tahun 1982".
ON_DATE = {
    DatePrecision.DAY: pgettext_lazy("tanggal dalam kalimat", "pada %(date)s"),
    DatePrecision.MONTH: pgettext_lazy("bulan dalam kalimat", "pada %(date)s"),
    DatePrecision.YEAR: pgettext_lazy("tahun dalam kalimat", "pada tahun %(date)s"),
}


class KnownDate(NamedTuple):
    date: datetime.date
    precision: str = DatePrecision.DAY

    @classmethod
    def parse(cls, text, *, typed=False, spreadsheet=False):
        """``"1982"``, ``"2018-05"`` or ``"2018-05-03"``, as files write them; ``OutOfRange``
        for a date of a year the register does not hold, ``ValueError`` for anything else.

        ``typed``: as staff type it into a form or a file they import (a spreadsheet saved as
        CSV with Indonesian settings writes ``17/05/2024``), which also takes a month as
        ``05/2018`` and a day in any of ``DATE_INPUT_FORMATS`` (``coopdb.formats``: ISO or day
        first, ``03/05/2018``, the same in every language, so a file reads the same whoever
        imports it), and a month by its name, as the pages write it ("Juni 2024", "10 Juni
        2024", "10 June 2024").

        ``spreadsheet``: as a file a spreadsheet saved writes it, which also takes a month as a
        date cell of the format "mmm-yy" shows it ("Des-23", "Dec-23": December 2023), as the
        XLSX reader reads such a cell (``imports.shown_precision``). Its two-digit year is
        read as Python's ``%y`` reads it (POSIX): 69 to 99 in the 1900s, 00 to 68 in the
        2000s."""
        text = text.strip()
        try:
            known = cls._read(text, typed)
        except ValueError:
            known = cls._shown_month(text) if spreadsheet else None
            if known is None:
                raise
        if not FIRST_YEAR <= known.date.year <= LAST_YEAR:
            raise OutOfRange(text, known.date.year)
        return known

    @classmethod
    def _read(cls, text, typed):
        match = ISO_PATTERN.match(text)
        if match:
            year, month, day = match.groups()
            if day:
                return cls(datetime.date(int(year), int(month), int(day)), DatePrecision.DAY)
            if month:
                return cls(datetime.date(int(year), int(month), 1), DatePrecision.MONTH)
            return cls(datetime.date(int(year), 1, 1), DatePrecision.YEAR)
        if typed:
            match = TYPED_MONTH_PATTERN.match(text)
            if match:
                month, year = match.groups()
                return cls(datetime.date(int(year), int(month), 1), DatePrecision.MONTH)
            match = NAMED_MONTH_PATTERN.match(text)
            if match and match.group(2).lower() in MONTH_NAMES:
                day, name, year = match.groups()
                month = MONTH_NAMES[name.lower()]
                if day:
                    return cls(datetime.date(int(year), month, int(day)), DatePrecision.DAY)
                return cls(datetime.date(int(year), month, 1), DatePrecision.MONTH)
            for day_format in get_format("DATE_INPUT_FORMATS"):
                try:
                    day = datetime.datetime.strptime(text, day_format).date()
                except ValueError:
                    continue
                return cls(day, DatePrecision.DAY)
        raise ValueError(text)

    @classmethod
    def _shown_month(cls, text):
        """The month ``text`` shows as a spreadsheet's "mmm-yy" does, else None."""
        match = SHOWN_MONTH_PATTERN.match(text)
        if not match or match.group(1).lower() not in MONTH_NAMES:
            return None
        name, year = match.groups()
        year = datetime.datetime.strptime(year, "%y").year if len(year) == 2 else int(year)
        return cls(datetime.date(year, MONTH_NAMES[name.lower()], 1), DatePrecision.MONTH)

    @property
    def typed(self):
        """As staff type it (``parse(typed=True)`` reads it back): ``03/05/2018`` (the
        reader's first ``DATE_INPUT_FORMATS``), ``05/2018``, ``1982``."""
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.month:02d}/{self.date.year:04d}"
        return self.date.strftime(get_format("DATE_INPUT_FORMATS")[0])

    def read_as(self, chosen):
        """This date, as typed, with the precision ``chosen`` beside it (blank: none chosen), or
        None when the two disagree.

        What was typed decides ("05/2018" is a month, whatever is chosen beside it, unless it
        is a year); a precision chosen coarser than what was typed holds only where the typed
        day is the first of that month or year, as such a date is stored
        (``is_start_of_period``): "01/05/2018" with "bulan" is May 2018, "15/05/2018" with
        "bulan" and "2018" with "bulan" disagree.
        """
        if not chosen or chosen == self.precision or chosen == DatePrecision.DAY:
            return self
        coarser = KnownDate(self.date, chosen)
        if FINENESS[chosen] < FINENESS[self.precision] and coarser.is_start_of_period():
            return coarser
        return None

    @property
    def iso(self):
        """As written in files and in ``<time datetime>``: ``1982``, ``2018-05``, ``2018-05-03``."""
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    @property
    def in_worksheet(self):
        """As a worksheet holds it: a whole date as a date cell, a year or a month as its
        text (``iso``), never as the first day it is stored as."""
        return self.date if self.precision == DatePrecision.DAY else self.iso

    def __str__(self):
        """In the reader's language: "1982", "Mei 2018", "3 Mei 2018"."""
        return _written(self.date, self.precision, get_language())

    @property
    def on(self):
        """When it happened, as a sentence says it in the reader's language: "pada 3 Mei
        2018", "pada tahun 1982"; in English "on 3 May 2018" but "in May 2018" ("on May 2018"
        was what a sentence with "on %(date)s" made of a date known to its month)."""
        return ON_DATE[self.precision] % {"date": str(self)}

    @property
    def end(self):
        """The last day of what is known: the day itself, the last of its month or its year."""
        if self.precision == DatePrecision.YEAR:
            return datetime.date(self.date.year, 12, 31)
        if self.precision == DatePrecision.MONTH:
            following = self.date.replace(day=28) + datetime.timedelta(days=4)
            return following.replace(day=1) - datetime.timedelta(days=1)
        return self.date

    def overlaps(self, other):
        """Whether the two periods share a day: a signing known as "Maret 2025" is consistent
        with one on 3 March 2025, and a year with any day of it."""
        return self.date <= other.end and other.date <= self.end

    def is_start_of_period(self):
        """A month or year is stored as its first day."""
        if self.precision == DatePrecision.YEAR:
            return (self.date.month, self.date.day) == (1, 1)
        if self.precision == DatePrecision.MONTH:
            return self.date.day == 1
        return True

    def agrees_with(self, other):
        """Whether ``other`` (as precise or more) falls within this date's period."""
        if other is None:
            return False
        if self.precision == DatePrecision.YEAR:
            return other.date.year == self.date.year
        if self.precision == DatePrecision.MONTH:
            return (other.date.year, other.date.month) == (self.date.year, self.date.month)
        return other.date == self.date and other.precision == DatePrecision.DAY


# The precisions that stand for a whole period, stored as its first day.
PERIODS = (DatePrecision.MONTH, DatePrecision.YEAR)


def ended_before(name, today):
    """A ``Q``: the dates ``name`` (with ``<name>_precision`` beside it) whose whole period
    ended before ``today`` (``KnownDate.end``): a day before it, a month before its month, a
    year before its year. A step due "Maret 2026" is late from 1 April, not from 2 March."""
    precision = f"{name}_precision"
    return (
        (Q(**{f"{name}__lt": today}) & ~Q(**{f"{precision}__in": PERIODS}))
        | Q(**{precision: DatePrecision.MONTH, f"{name}__lt": today.replace(day=1)})
        | Q(**{precision: DatePrecision.YEAR, f"{name}__lt": today.replace(month=1, day=1)})
    )


def not_ended_before(name, today, until):
    """A ``Q``: the dates ``name`` up to ``until`` whose period has not ended before ``today``
    (the opposite of ``ended_before``). Written for an index on ``name``, each part a range of
    it: a day from ``today`` to ``until``, or this month's or this year's first day, where a
    month or a year is stored (``is_start_of_period``)."""
    return Q(**{f"{name}__gte": today, f"{name}__lte": until}) | still_running(name, today)


def still_running(name, today):
    """A ``Q``: the dates ``name`` stored before ``today`` whose period has not ended before it
    (a month's or a year's first day): "Desember 2026" and "2026" on 5 December 2026. Two points
    of an index on ``name``; ``ended_before`` is the dates before ``today`` less these."""
    precision = f"{name}_precision"
    return Q(**{precision: DatePrecision.MONTH, name: today.replace(day=1)}) | Q(
        **{precision: DatePrecision.YEAR, name: today.replace(month=1, day=1)}
    )


class PeriodEnd(models.Func):
    """The last day the date ``name`` covers (``KnownDate.end``), as an SQL expression: to sort
    by it, where the ranges of ``ends_between`` select."""

    output_field = models.DateField()

    def __init__(self, name):
        super().__init__(models.F(name), models.F(f"{name}_precision"))

    def as_sql(self, compiler, connection, **extra):
        (date, date_params), (precision, precision_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if connection.vendor == "postgresql":
            year = f"({date} + interval '1 year - 1 day')::date"
            month = f"({date} + interval '1 month - 1 day')::date"
        else:
            year, month = (
                f"date({date}, '+1 year', '-1 day')",
                f"date({date}, '+1 month', '-1 day')",
            )
        sql = f"CASE {precision} WHEN 'year' THEN {year} WHEN 'month' THEN {month} ELSE {date} END"
        return sql, (*precision_params, *date_params, *date_params, *date_params)


def not_before(later, earlier):
    """A ``Q``: the date ``later`` does not end before the date ``earlier`` begins, either
    unknown passing. A date stands for its whole period (``PeriodEnd``), and a period is stored
    as its first day: an expiry known as "2024" is not before a signing on 10 March 2024, nor
    a signing known as "Maret 2024" before a proposal of 20 March. Written in SQL both
    databases check (``PeriodEnd``), for the database's constraints."""
    return (
        Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": True})
        | Q(GreaterThanOrEqual(PeriodEnd(later), models.F(earlier)))
    )


def ends_before(name, other):
    """A ``Q``: the date ``name`` ends before the date ``other`` begins (``KnownDate.end`` of
    the one before the other's first day), either unknown failing: an activity done "2024"
    before a signing of 10 March 2025, not one done "Maret 2025". The opposite of
    ``not_before`` where both are known."""
    return Q(LessThan(PeriodEnd(name), models.F(other)))


def months_between(first, last):
    """The first days of the months from ``first``'s to ``last``'s."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=31)).replace(day=1)


def ends_between(name, first, last):
    """A ``Q``: the dates ``name`` whose period's last day (``KnownDate.end``) falls from
    ``first`` to ``last``: an agreement "Berakhir pada Desember 2026" ends within a window that
    holds 31 December. Written for an index on ``name``, each part a range or points of it,
    where a month or a year is stored (``is_start_of_period``): a day from ``first`` to
    ``last``; the first day of each month from ``first``'s to the last one ending by ``last``;
    the first day of each year likewise."""
    by_day, by_period = ends_between_by_day_and_period(name, first, last)
    return by_day if by_period is None else by_day | by_period


def ends_between_by_day_and_period(name, first, last):
    """``ends_between`` in its two parts: the dates known to the day (a range of the index)
    and those known to the month or the year (points of it; None where no month or year ends
    within)."""
    precision = f"{name}_precision"
    after = last + datetime.timedelta(days=1)
    by_day = Q(**{f"{name}__gte": first, f"{name}__lte": last}) & ~Q(
        **{f"{precision}__in": PERIODS}
    )
    by_period = None
    months = list(months_between(first, after.replace(day=1) - datetime.timedelta(days=1)))
    if months:
        by_period = Q(**{precision: DatePrecision.MONTH, f"{name}__in": months})
    years = [datetime.date(year, 1, 1) for year in range(first.year, after.year)]
    if years:
        in_years = Q(**{precision: DatePrecision.YEAR, f"{name}__in": years})
        by_period = in_years if by_period is None else by_period | in_years
    return by_day, by_period


def ended_by(name, last):
    """A ``Q``: the dates ``name`` whose whole period has ended by ``last``, its last day
    included (``ended_before`` the day after): "Berakhir paling lambat 30 Juni 2027" holds a
    date of June 2027, not one of "2027"."""
    if last >= datetime.date.max:
        return Q(**{f"{name}__isnull": False})
    return ended_before(name, last + datetime.timedelta(days=1))


class KnownDates:
    """For a model with ``<field>_precision`` beside its date fields."""

    @staticmethod
    def known_to(unit):
        """The precisions of a date known at least to ``unit`` ("month" or "day"): those a
        month or a day of the admin's date drill-down holds (``BoundedDatesChangeList``). A date
        known to its year is in no month of it, though stored on its first day."""
        if unit == "month":
            return [DatePrecision.DAY, DatePrecision.MONTH]
        return [DatePrecision.DAY]

    def known(self, name):
        """The date ``name`` as it is known (a ``KnownDate``), or None when empty."""
        value = getattr(self, name)
        if value is None:
            return None
        return KnownDate(value, getattr(self, f"{name}_precision"))

    def ends(self, name):
        """The last day the date ``name`` covers (``KnownDate.end``), or None when empty."""
        known = self.known(name)
        return known.end if known is not None else None

    def by_a_periods_end(self, name):
        """Whether the date ``name`` is known only to its month or its year: the days counted
        to it run to its period's last day (``ends``), the latest it can fall on, so a page
        says "paling lambat" (at the latest) beside them: "paling lambat 24 hari lagi", not
        "24 hari lagi", of a step due or a text expiring in "Desember 2026"."""
        return getattr(self, name) is not None and getattr(self, f"{name}_precision") in PERIODS

    def precision_errors(self, names):
        """{field: message} for a month or year that is not stored as its first day. A blank
        precision is a whole date."""
        errors = {}
        for name in names:
            if not getattr(self, f"{name}_precision"):
                setattr(self, f"{name}_precision", DatePrecision.DAY)
            known = self.known(name)
            if known is not None and not known.is_start_of_period():
                errors[name] = _(
                    "Tanggal yang hanya diketahui bulan atau tahunnya disimpan sebagai hari "
                    "pertamanya."
                )
        return errors
