"""What needs attention: agreements expiring soon and milestones due soon or overdue.

``attention_in`` answers it for a set of agreements: those a region is party to, on its page;
``needs_attention`` for those a set of regions leads that a reader may see, in the editors' daily
digest (the include ``reminders/needs_attention.html`` renders either).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.dates import PeriodEnd
from agreements.models import (
    DUE_WITHIN_DAYS,
    EXPIRY_WINDOWS,
    WAITS_ON_NOBODY,
    Agreement,
    Milestone,
    MilestoneWaitsOn,
    read_compiled_once,
)

# An agreement is reminded of when it enters each window, narrowest last (``EXPIRY_WINDOWS``).
# Planned steps are reminded of within the register's notice window.
MILESTONE_DUE_DAYS = DUE_WITHIN_DAYS
# Whom the digest says cooperations whose next step names nobody yet wait on (``standing``).
WAITED_ON_BY_NOBODY = _("pihak yang belum ditentukan")


@dataclass(frozen=True)
class Expiring:
    agreement: Agreement
    days_left: int  # to the last day its expiry covers (``Agreement.expires_by``)

    @property
    def window(self):
        """The narrowest reminder window (180, 90 or 30 days) the agreement is in."""
        return min(w for w in EXPIRY_WINDOWS if self.days_left <= w)

    @property
    def on_date(self):
        return self.agreement.expires_on

    @property
    def by_a_periods_end(self):
        """Its expiry is known only to a month or a year: the days left run to the period's
        last day, the most it may have, so a page says "at the latest"
        (``Agreement.expires_by_a_periods_end``)."""
        return self.agreement.expires_by_a_periods_end


@dataclass(frozen=True)
class MilestoneDue:
    milestone: Milestone
    days_left: int  # to the last day of its target (``Milestone.due_by``); negative when late

    @property
    def is_overdue(self):
        return self.days_left < 0

    @property
    def days_overdue(self):
        return -self.days_left

    @property
    def on_date(self):
        return self.milestone.due_on

    @property
    def by_a_periods_end(self):
        """Its target is known only to a month or a year: the days left run to the period's
        last day, which may be later than the list's window, so a page says "at the latest"."""
        return self.milestone.by_a_periods_end("due_on")


@dataclass(frozen=True)
class ExpiryGroup:
    window: int
    items: list


@dataclass
class Attention:
    """The lists, each soonest first. Empty when nothing needs attention."""

    today: datetime.date
    expiring: list = field(default_factory=list)
    milestones: list = field(default_factory=list)
    # Standing facts of the same agreements, told beside the lists (not notices of their own):
    # how many are dormant, and how many wait on each party ({label: count}, non-zero only).
    dormant_count: int = 0
    waiting: dict = field(default_factory=dict)
    # How many there are in all where only the nearest are listed (``attention_in`` with
    # ``shown``); None where every one is.
    expiring_total: int | None = None
    late_total: int | None = None
    due_soon_total: int | None = None

    due_days = MILESTONE_DUE_DAYS

    def __len__(self):
        return len(self.expiring) + len(self.milestones)

    @property
    def expiry_groups(self):
        """Non-empty groups of expiring agreements, the most urgent window first."""
        groups = [
            ExpiryGroup(window, [item for item in self.expiring if item.window == window])
            for window in sorted(EXPIRY_WINDOWS)
        ]
        return [group for group in groups if group.items]

    @property
    def overdue(self):
        return [item for item in self.milestones if item.is_overdue]

    @property
    def due_soon(self):
        return [item for item in self.milestones if not item.is_overdue]

    @property
    def items(self):
        """Every entry; each has ``on_date``; with ``reminders.models.Threshold.of``, the key of
        its notice."""
        return [*self.expiring, *self.milestones]


def needs_attention(regions, user, today=None, shown=None, left_out=None):
    """What needs attention in the agreements led by ``regions`` that ``user`` may see: the
    editors' digest (their bureau keeps those agreements).

    ``regions`` is a Region queryset or list (e.g. ``RegionAssignment.objects.regions_for(user)``),
    or None for every region. ``shown`` and ``left_out`` as for ``attention_in``.
    """
    agreements = Agreement.objects.visible_to(user)
    if regions is not None:
        agreements = agreements.filter(lead_region__in=regions)
    return attention_in(agreements, today, shown, left_out)


def attention_in(agreements, today=None, shown=None, left_out=None):
    """What needs attention in ``agreements`` (e.g. those a region is party to, on its page).
    Runs two queries: the expiring agreements (each marked when a signed extension already
    extends it, or a signed follow-up carries it on), and the open milestones due within 14
    days or overdue (both with their lead region, the milestones with their agreement). With
    ``shown``, each list holds at most that many, the nearest (the longest late), and says how
    many there are in all (``*_total``): three queries, and a page the same size however large
    the register grows.

    ``left_out`` is a pair of ``Q``, of the expiring agreements and of the steps not to list
    (the digest's: those its reader was told of already), applied in the same queries: what is
    chosen and counted is what is left."""
    today = today or timezone.localdate()

    def expiring_rows():
        # Each with whether a signed extension among ``agreements`` already extends it
        # (``is_extended``), or a signed follow-up carries it on (``is_followed_up``), as the
        # dashboard marks it: not a text about to lapse.
        expiring = (
            agreements.expiring_within(max(EXPIRY_WINDOWS), today)
            .marking_carried_on(agreements)
            .order_by(PeriodEnd("expires_on"), "title", "id")
        )
        return expiring if left_out is None else expiring.filter(~left_out[0])

    steps = Milestone.objects.filter(agreement__in=agreements.order_by()).select_related(
        "agreement", "agreement__lead_region"
    )
    if left_out is not None:
        steps = steps.filter(~left_out[1])
    totals = {}
    if shown is None:
        expiring = expiring_rows().select_related("lead_region")
        chosen = list(
            steps.needing_attention(MILESTONE_DUE_DAYS, today).order_by(
                *Milestone.SOONEST_DUE_FIRST
            )
        )
    else:
        # The nearest, built and compiled once a day (``read_compiled_once``); not the
        # digest's, which leaves out what each reader was told of.
        built = agreements.built_key() if left_out is None else None
        expiring = read_compiled_once(
            built and ("attention expiring", built, shown, today),
            lambda: expiring_rows().annotate(in_all=Window(Count("pk")))[:shown],
            related=["lead_region"],
        )
        totals["expiring_total"] = expiring[0].in_all if expiring else 0
        late, coming, totals["late_total"], totals["due_soon_total"] = nearest_late_and_coming(
            steps, shown, today, kept=agreements if left_out is None else None
        )
        chosen = [*late, *coming]
    return Attention(
        today=today,
        expiring=[
            Expiring(agreement, agreement.days_until_expiry_on(today)) for agreement in expiring
        ],
        milestones=[MilestoneDue(step, (step.due_by - today).days) for step in chosen],
        **totals,
    )


def nearest(rows, shown):
    """The first ``shown`` of ``rows`` and how many there are in all, in one query: each row
    read carries the count of them all (a window over the whole selection, counted before the
    limit), where a count of its own read the same rows a second time."""
    first = list(rows.annotate(in_all=Window(Count("pk")))[:shown])
    return first, first[0].in_all if first else 0


def soonest_expiring(agreements, days, shown, today):
    """The first ``shown`` of ``agreements.expiring_within(days, today)``, with their lead
    regions and whether a signed extension among ``agreements`` already extends each
    (``is_extended``) or a signed follow-up carries it on (``is_followed_up``), and how many
    there are in all, in one query (as ``nearest``). Where the database keeps the count
    (``tallied_expiring_count``), it is read from there and the rows from the index on expiry
    (``expiring_first``), not every row of the window. Compiled once a day where
    ``agreements`` is a selection the database keeps counts of (``read_compiled_once``)."""

    def build():
        counted = agreements.tallied_expiring_count(days, today)
        if counted is None:
            going = agreements.expiring_within(days, today)
            counted = Window(Count("pk"))
        else:
            going = agreements.expiring_first(days, shown, today)
        return going.marking_carried_on(agreements).annotate(in_all=counted)[:shown]

    built = agreements.built_key()
    first = read_compiled_once(
        built and ("soonest expiring", built, days, shown, today),
        build,
        related=["lead_region"],
    )
    return first, first[0].in_all if first else 0


def nearest_late_and_coming(steps, shown, today, kept=None):
    """The first ``shown`` late steps (the longest late first) and the first ``shown`` coming
    due within the notice window (the soonest first), with how many there are of each, in two
    queries: the steps numbered and counted within their list (a window per list) by their ids
    and due dates alone, then the first ``shown`` of each read whole, with their agreements.
    Numbered whole, every late step of a large province went through the sort with its
    agreement: 330 ms for the 19,000 of the largest province at 100,000 agreements, 180 ms
    numbering their ids.

    ``kept``: the agreements of ``steps``, where the database may keep their steps
    (``AgreementQuerySet.kept_late_and_coming``, a province's): then they are numbered from
    there, 3 ms for that province."""
    ranked = None
    if kept is not None:
        ranked = kept.kept_late_and_coming(MILESTONE_DUE_DAYS, shown, today)
    if ranked is None:
        listed = "late", "due_on", "id"
        ranked = list(
            steps.late_or_due_within(MILESTONE_DUE_DAYS, today)
            .annotate(
                place=Window(RowNumber(), partition_by=F("late"), order_by=listed[1:]),
                in_all=Window(Count("pk"), partition_by=F("late")),
            )
            .filter(place__lte=shown)
            .order_by(*listed)
            .values_list("pk", "late", "in_all")
        )
    # Read by the keys found among ``steps``, without testing its conditions again.
    read = steps.among([pk for pk, _late, _in_all in ranked]).in_bulk()
    late = [read[pk] for pk, is_late, _in_all in ranked if is_late]
    coming = [read[pk] for pk, is_late, _in_all in ranked if not is_late]
    totals = {is_late: in_all for _pk, is_late, in_all in ranked}
    return late, coming, totals.get(True, 0), totals.get(False, 0)


def standing(regions, user, today=None):
    """How many of the agreements led by ``regions`` that ``user`` may see are dormant, and
    how many wait on each party ({label: count}, non-zero only), those whose next step names
    nobody yet last, as the dashboard and the report count them: the digest's closing lines.
    Two queries (``AgreementQuerySet.dormant_count``, ``counts_by_waits_on``)."""
    today = today or timezone.localdate()
    agreements = Agreement.objects.visible_to(user)
    if regions is not None:
        agreements = agreements.filter(lead_region__in=regions)
    waiting = {
        # Said after "menunggu": "2 kerja sama menunggu pihak yang belum ditentukan."
        (WAITED_ON_BY_NOBODY if party == WAITS_ON_NOBODY else MilestoneWaitsOn(party).label): count
        for party, count in agreements.counts_by_waits_on(today).items()
        if count
    }
    return agreements.dormant_count(today), waiting
