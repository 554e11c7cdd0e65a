"""iCalendar feeds: milestones (planned on their due date, done on the day they were done) and
expiry dates, as all-day events a calendar application can subscribe to; a date known only to
its month or year spans that month or year. An expiry a signed extension the reader may see
already extends says "sudah diperpanjang", and one a signed follow-up carries on "sudah
ditindaklanjuti", as the list, the dashboard, the digest and the Atom feed say it
(``carried_on_note``).

Every event keeps its UID from one fetch to the next (built from the record's id and the site's
host name), so a subscribed calendar updates an event in place when its date moves.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from agreements.models import AgreementQuerySet, AgreementStatus, Milestone
from agreements.templatetags.known_dates import late_by
from common.text import on_one_line

# Only a signed agreement has a term that ends; one terminated early or never signed has not.
EXPIRES_IN_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED)

REFRESH = datetime.timedelta(hours=6)


def uid_domain():
    """The site's host name, configured once, so UIDs do not change with the address used."""
    return urlsplit(settings.SITE_URL).hostname or "coopdb"


# A calendar holds the events nearest today: at most this many from today on and as many
# before it. A subscribed calendar wants what is coming and what just happened; the whole
# history of a national selection (hundreds of thousands of steps) would take minutes and
# gigabytes to write, and no calendar application shows it.
EVENTS_EACH_WAY = 500


def nearest(rows, on, today):
    """The rows of ``rows`` whose date ``on`` (an expression) is nearest ``today``: at most
    ``EVENTS_EACH_WAY`` from today on, as many before it (two queries)."""
    rows = rows.alias(on=on).filter(on__isnull=False)
    return [
        *rows.filter(on__gte=today).order_by("on", "pk")[:EVENTS_EACH_WAY],
        *rows.filter(on__lt=today).order_by("-on", "-pk")[:EVENTS_EACH_WAY],
    ]


def milestones_of(agreements, today):
    """The milestones of ``agreements`` nearest ``today`` (``nearest``: on the day they were
    done, else their target), each with ``last_changed`` from its history, and
    ``public_since``, when its agreement was first public (``with_public_since``), before which
    its event was never issued to the public (two queries)."""
    history = Milestone.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date")
    steps = (
        Milestone.objects.filter(agreement__in=agreements.order_by())
        .select_related("agreement")
        .annotate(
            last_changed=Subquery(history.values("history_date")[:1]),
            public_since=AgreementQuerySet.public_since(
                OuterRef("agreement_id"), "agreement__created_at"
            ),
        )
    )
    return nearest(steps, Coalesce("done_on", "due_on"), today)


def all_day(summary, known, *, uid, stamp, description, url, categories):
    """An event on the day ``known`` (a ``KnownDate``), or over its whole month or year when
    that is all the register knows: never the 1st of the month as if it were the day."""
    length = known.end - known.date + datetime.timedelta(days=1)
    # The day after its last (the end is exclusive), unless that is past the calendar: a date
    # of the year 9999 recorded before such years were refused then says how long instead.
    end = known.date + length if known.end < datetime.date.max else None
    event = Event.new(
        uid=uid,
        start=known.date,
        end=end,
        stamp=stamp,
        summary=summary,
        description=description,
        url=url,
        categories=categories,
        # A marker on a day, not a meeting: it does not make anyone busy.
        transparency="TRANSPARENT",
    )
    if end is None:
        event.add("duration", length)
    return event


def carried_on_note(agreement):
    """The words "sudah diperpanjang" where a signed extension the reader may see already extends
    ``agreement`` (``is_extended``, ``AgreementQuerySet.marking_extended``), and "sudah
    ditindaklanjuti" where a signed follow-up they may see carries it on (``is_followed_up``,
    ``marking_followed_up``), joined by " · ", else None: said beside its expiry by the
    calendar's event and the Atom feed's entry alike, as the list, the dashboard and the
    digest say it, since its cooperation goes on past that day."""
    marks = [
        *([_("sudah diperpanjang")] if getattr(agreement, "is_extended", False) else []),
        *([_("sudah ditindaklanjuti")] if getattr(agreement, "is_followed_up", False) else []),
    ]
    return " · ".join(marks) or None


def expiry_event(agreement, absolute_url):
    """An agreement's expiry; one already extended or followed up says so
    (``carried_on_note``)."""
    summary = _("Berakhir: %(agreement)s") % {"agreement": agreement.shown_title}
    lines = [
        agreement.shown_title,
        _("Status: %(status)s") % {"status": agreement.get_shown_status_display()},
        _("Daerah pengampu: %(region)s") % {"region": agreement.lead_region.name},
    ]
    note = carried_on_note(agreement)
    if note:
        summary = f"{summary} · {note}"
        lines.insert(1, capfirst(note))
    return all_day(
        summary,
        agreement.known("expires_on"),
        uid=f"agreement-{agreement.pk}-expiry@{uid_domain()}",
        stamp=agreement.updated_at,
        description="\n".join(lines),
        url=absolute_url(agreement.get_absolute_url()),
        categories=[_("Masa berlaku berakhir")],
    )


def milestone_event(milestone, absolute_url, today):
    """A step on the day it was done, else on its target, said as its entry in the milestone
    timeline says it (``Milestone.shown_state_on``): a step overdue on ``today`` says so first,
    and how late, as the status page does (a calendar shows it on a day already past, where
    "Target" alone reads as nothing to chase); one set aside by the bureau says how, not that
    it was done; one planned and no longer anyone's work (a cooperation cancelled since, a stage
    passed by signing) says so, not "Target"."""
    agreement = milestone.agreement
    state = milestone.shown_state_on(today)
    day = milestone.known("done_on" if milestone.is_done else "due_on")
    summaries = {
        "done": _("Terlaksana: %(milestone)s (%(agreement)s)"),
        "overdue": _("Terlambat: %(milestone)s (%(agreement)s)"),
        "planned": _("Target: %(milestone)s (%(agreement)s)"),
    }
    states = {
        "set_aside": milestone.get_mark_display(),
        "missed": _("Tidak tercatat terlaksana"),
        "not_needed": _("Tidak lagi diperlukan"),
    }
    names = {"milestone": milestone.title, "agreement": agreement.shown_title}
    if state in summaries:
        summary = summaries[state] % names
    else:
        summary = _("%(state)s: %(milestone)s (%(agreement)s)") % {"state": states[state], **names}
    lines = [milestone.get_kind_display(), agreement.shown_title]
    if state == "overdue":
        lines.append(capfirst(late_by(milestone, today)))
    # Only a step still to do waits on anyone: not one of a cooperation that has ended.
    if milestone.waited_on and state in ("overdue", "planned"):
        lines.append(_("Menunggu: %(party)s") % {"party": milestone.get_waited_on_display()})
    return all_day(
        summary,
        day,
        uid=f"milestone-{milestone.pk}@{uid_domain()}",
        stamp=issued(milestone, agreement),
        description="\n".join(lines),
        url=absolute_url(agreement.get_absolute_url()),
        categories=[milestone.get_kind_display()],
    )


def issued(milestone, agreement):
    """When a step's event was last issued: its last change (else its agreement's), but never
    before its agreement was public, if it is (``milestones_of``): a step recorded while the
    agreement was internal does not tell the public when."""
    stamp = getattr(milestone, "last_changed", None) or agreement.updated_at
    if agreement.visibility == agreement.Visibility.PUBLIC:
        stamp = max(stamp, getattr(milestone, "public_since", None) or stamp)
    return stamp


def calendar(agreements, *, readable, name, uid, absolute_url):
    """A calendar of the expiry dates and milestones of ``agreements`` nearest today (four
    queries; ``nearest``).

    ``agreements`` must already be narrowed to what the reader may see, and ``readable`` is all
    they may see (``visible_to``): an expiry a signed extension among it extends says so,
    whether the extension is in the selection or not. ``absolute_url`` turns a path into a
    full address (``request.build_absolute_uri``).
    """
    today = timezone.localdate()
    expiring = (
        agreements.filter(status__in=EXPIRES_IN_STATUSES)
        .select_related("lead_region")
        .marking_carried_on(readable)
    )
    events = [
        expiry_event(agreement, absolute_url)
        for agreement in nearest(expiring, F("expires_on"), today)
    ]
    events += [
        milestone_event(milestone, absolute_url, today)
        for milestone in milestones_of(agreements, today)
    ]
    cal = Calendar.new(
        # A calendar's name is one content line: a title of two lines was a server error.
        name=on_one_line(name),
        uid=f"{uid}@{uid_domain()}",
        prodid="-//coopdb//Kerja Sama Daerah//ID",
        refresh_interval=REFRESH,
        subcomponents=events,
    )
    cal["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # as RFC 7986 writes it
    # Outlook reads the refresh interval from this older property instead.
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    return cal
