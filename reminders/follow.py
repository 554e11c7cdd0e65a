"""Followed selections: what changed in a reader's saved filter, mailed daily or weekly.

A subscription holds a query string of the agreement list (``Subscription.query``). Its digest
is the change log (``agreements.changelog``) of that selection, read through the list's own
``AgreementFilter`` over what the reader may see *now*, for the period after
``covered_until``: a record that became internal, or a reader who lost their role, is told no
more than the site would show them.

An agreement that leaves the selection is told too, with the change that took it out, or
with none when the dates alone did (an agreement past its expiry leaves the ones in force):
each digest compares the selection with its members when the one before was planned
(``SubscriptionMember``), and keeps its members as they are now.

Each change goes out once. ``send_due`` claims each due subscription by locking its row
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL: a second run at the same time passes it
by), sends, and moves ``covered_until`` on in the same transaction; a failed send rolls back and
the next run sends the same period again.
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access.models import time_zone_for
from agreements import changelog
from agreements.filters import AgreementFilter
from agreements.models import Agreement
from common.text import on_one_line

from .mail import NotAccepted, email, linked, site_link
from .models import Frequency, Subscription, SubscriptionMember

logger = logging.getLogger(__name__)

PERIODS = {
    Frequency.DAILY: datetime.timedelta(days=1),
    Frequency.WEEKLY: datetime.timedelta(days=7),
}
# A run from cron starts a little earlier or later each day; a subscription is due this much
# before its period has fully passed, so that a daily run never skips a day.
GRACE = datetime.timedelta(hours=2)
# The most changes one digest lists; it says when there were more and links the change log.
DIGEST_LENGTH = 100
# Leaves out of a followed selection what only orders it or pages it.
NOT_A_FILTER = ("page", "sort")

UNFOLLOW_SALT = "reminders.unfollow"
# How much of a selection's name a digest's subject holds: a phone shows the start of it.
SUBJECT_NAME_LENGTH = 120


def normal_query(filterset):
    """The query string of ``filterset`` (``selection_of``) as the selection it names: its
    filters alone (without page and sort, or anything the list does not read for its reader,
    ``AgreementFilter.withheld``), each value once, in a fixed order, so that following the
    same selection twice is one subscription: a day as the list's date fields send it
    (``2027-12-31``, however it was typed: ``31/12/2027``), a word or a year as it is read."""
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
    pairs = {
        (key, written(cleaned.get(key), value))
        for key, values in filterset.data.lists()
        if key in filterset.filters and key not in NOT_A_FILTER
        for value in values
    }
    pairs = sorted((key, value) for key, value in pairs if value != "")
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query.urlencode()


def written(read, given):
    """The value of a filter of one value as the selection names it: what the list read from
    ``given`` (``read``), written as its date fields send a day; ``given`` where the list reads
    it as it is (a choice, a region's code) or as several."""
    if isinstance(read, datetime.date):
        return read.isoformat()
    if isinstance(read, str | int) and not isinstance(read, bool):
        return str(read)
    return given


def selection_of(query, user, today=None):
    """The ``AgreementFilter`` of a followed selection over what ``user`` may see now, read on
    ``today`` (else today)."""
    return AgreementFilter(
        QueryDict(query), queryset=Agreement.objects.visible_to(user), reader=user, today=today
    )


def filters_in_words(filterset):
    """The filters of a selection in words, in the language active now, as the page's chips
    show them (a date as "30 Juni 2030", not "2030-06-30"); "" when it has none. A subject
    page's own filter is its subject, not one of these (``AgreementFilter``'s ``fixed``)."""
    from agreements.views import filter_chips

    chips = filter_chips(filterset)
    return "; ".join(f"{chip['label']}: {formats.localize(chip['value'])}" for chip in chips)


def describe(filterset):
    """The selection in words (``filters_in_words``), "Semua kerja sama" when it has no
    filter."""
    return filters_in_words(filterset) or _("Semua kerja sama")


def one_line(name):
    """``name`` on one line and cut to ``SUBJECT_NAME_LENGTH``: a mail's subject, a calendar's
    or a feed's name (none can hold a line break; a phone shows the start of it)."""
    return on_one_line(Truncator(name).chars(SUBJECT_NAME_LENGTH))


def named_with_selection(name, filterset):
    """``name`` (what a page's calendar or feed is called) with the filters of its selection
    (``filters_in_words``), as following it names it: a reader subscribed to two selections of
    the same page tells them apart in their calendar application or feed reader. ``name``
    alone when the page's address filters nothing."""
    words = filters_in_words(filterset)
    if not words:
        return name
    return one_line(_("%(name)s (%(selection)s)") % {"name": name, "selection": words})


def name_of(filterset, language):
    """The name a subscription keeps for its selection: ``describe`` in ``language``, the one
    it is mailed in, cut to what its column holds."""
    with translation.override(language):
        return describe(filterset)[: Subscription._meta.get_field("name").max_length]


def due(now):
    """Subscriptions whose period has passed (daily or weekly), of users who can be mailed."""
    period_passed = Q()
    for frequency, period in PERIODS.items():
        period_passed |= Q(frequency=frequency, covered_until__lte=now - period + GRACE)
    return (
        Subscription.objects.filter(period_passed, user__is_active=True)
        .exclude(user__email="")
        .order_by("pk")
    )


def unfollow_token(subscription):
    return signing.dumps(subscription.pk, salt=UNFOLLOW_SALT)


def unfollow_url(subscription):
    return settings.SITE_URL + reverse("unfollow", args=[unfollow_token(subscription)])


def subscription_of_token(token):
    """The id a token was made for, or None when it was not made by this site."""
    try:
        return signing.loads(token, salt=UNFOLLOW_SALT)
    except signing.BadSignature:
        return None


@dataclasses.dataclass
class Digest:
    subscription: Subscription
    entries: list
    more: bool  # more changes than DIGEST_LENGTH
    # The selection in words, in the subscription's language (``describe``); the name kept
    # with the subscription is in the language it was followed in.
    name: str = ""
    # The agreements that left the selection since the digest before (``Departure``).
    left: list = dataclasses.field(default_factory=list)
    # The agreements in the selection now, to be kept as its members once the digest is sent;
    # None when the selection can no longer be read (its members stay as they were).
    selection: object = None
    # When the selection was read (the clock's time, whatever moment the digest is for).
    read_at: datetime.datetime | None = None

    @property
    def count(self):
        """How many changes the digest tells: each saved change, and each departure no saved
        change of it tells (past its expiry with nothing saved). An agreement terminated is one
        change, told among the entries and named again among those that left."""
        told = {entry.agreement_id for entry in self.entries}
        return len(self.entries) + sum(
            1 for departure in self.left if departure.agreement_id not in told
        )


@dataclasses.dataclass
class Departure:
    """An agreement that left a followed selection: how the reader finds it, and its status
    now, which often says why (ended, expired)."""

    agreement_id: int
    title: str
    status: str


def departures(subscription, filterset, today):
    """The agreements among ``subscription``'s members that ``filterset`` (its selection over
    what the reader may see now) no longer holds, and which the reader may still see: one that
    became internal, for a public reader, is told no more than the site shows. At most
    ``DIGEST_LENGTH``, the most recently changed first. One query."""
    left = (
        filterset.queryset.filter(pk__in=subscription.members.values("agreement_id"))
        .exclude(pk__in=filterset.qs.order_by().values("pk"))
        .order_by("-updated_at", "-pk")[:DIGEST_LENGTH]
    )
    return [
        Departure(agreement.pk, agreement.shown_title, str(agreement.shown_status_on(today).label))
        for agreement in left
    ]


def plan(subscription, now, until=None):
    """What ``subscription``'s reader is to be told for the period up to ``now``: the changes
    saved after its ``covered_until`` up to ``until`` (``covered_until(now)``, else ``now``), the
    selection read on ``now``'s day. Reads only.

    The entries and the selection's name are worded in the subscription's language.
    """
    user = subscription.user
    read_at = timezone.now()
    today = timezone.localdate(now)
    # The selection as it stands on the digest's day: an expiry passed by then has taken its
    # agreement out of those in force, as the status told of it says.
    filterset = selection_of(subscription.query, user, today)
    if not filterset.is_valid() or filterset.withheld:
        # A region or partner named in it is gone, or it selects by what its reader may select
        # by no more (the budget's source, their role taken away): read without it, it would
        # be another selection, told under the name of this one.
        return Digest(subscription, [], False, subscription.name)
    public = changelog.reads_public_history(user)
    with translation.override(subscription.language):
        left = departures(subscription, filterset, today)
    # The changes of what is in the selection now, and of what left it: the change that took
    # it out among them.
    told_of = filterset.queryset.filter(
        Q(pk__in=filterset.qs.order_by().values("pk"))
        | Q(pk__in=[departure.agreement_id for departure in left])
    )
    records = list(
        changelog.history(told_of, public=public)
        .filter(history_date__gt=subscription.covered_until, history_date__lte=until or now)
        .order_by("history_date", "history_id")[: DIGEST_LENGTH + 1]
    )
    with translation.override(subscription.language):
        entries = changelog.entries(records[:DIGEST_LENGTH], public=public)
        name = describe(filterset)
    # A save that changed nothing the reader is shown is no news to mail.
    entries = [entry for entry in entries if entry.kind != "saved"]
    return Digest(
        subscription,
        entries,
        len(records) > DIGEST_LENGTH,
        name,
        left=left,
        selection=filterset.qs,
        read_at=read_at,
    )


def message(digest, connection=None):
    """The digest as an e-mail in the subscription's language, its times in the reader's zone
    (WIB, WITA or WIT, as the site shows them to them: ``time_zone_for``), named."""
    subscription = digest.subscription
    user = subscription.user
    with translation.override(subscription.language), timezone.override(time_zone_for(user)):
        context = {
            "name": user.get_full_name() or user.get_username(),
            "subscription": subscription,
            "selection": digest.name,
            "entries": digest.entries,
            "left": digest.left,
            "more": digest.more,
            # Each link opens the site in the mail's language (``mail.site_link``).
            "list_url": site_link(subscription.get_list_url()),
            "unfollow_url": linked(unfollow_url(subscription)),
            "period": subscription.get_frequency_display().lower(),
        }
        count = digest.count
        # Which selection, first: a reader following several tells them apart in the inbox.
        # One line, whatever a name holds (a header cannot hold a line break). The count in
        # brackets: the name already holds a colon ("Daerah: Kalimantan Timur").
        selection = one_line(digest.name)
        if digest.more:
            # It lists ``count`` and says there are more (``more``): the subject says so too.
            subject = ngettext(
                "%(selection)s (lebih dari %(count)d perubahan)",
                "%(selection)s (lebih dari %(count)d perubahan)",
                count,
            )
        else:
            subject = ngettext(
                "%(selection)s (%(count)d perubahan)",
                "%(selection)s (%(count)d perubahan)",
                count,
            )
        subject %= {"selection": selection, "count": count}
        return email(
            user,
            subject,
            "reminders/email/follow_digest",
            context,
            connection,
            headers={
                "List-Unsubscribe": f"<{context['unfollow_url']}>",
                # A mail program may stop it in one click, by a POST to that address (RFC 8058).
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )


def covered_until(now):
    """How far a digest planned for ``now`` covers its selection's changes: to ``now``, or to
    the moment it is sent when ``now`` is later (``send_follow_digests --now``, a digest tried
    ahead of time). Only what was saved by then can be in it; what is saved in the hours up to
    ``now`` is the next digest's, not passed over as though it had been mailed."""
    return min(now, timezone.now())


def send_due(now, connection):
    """Send every due digest; return (mails sent, subscriptions covered, failed ids, ids of
    those the list refuses now: a region gone, a parameter refused, which are mailed nothing
    and whose readers ``/ikuti/`` tells why).

    Each subscription is claimed before its mail goes out: its row locked and its
    ``covered_until`` moved on by a conditional UPDATE, in the transaction that sends. A run at
    the same time passes a locked row by (PostgreSQL) or is refused the write (SQLite), and
    finds nothing to send; a failed send rolls the claim back for the next run.
    """
    sent = covered = 0
    failed, unreadable = [], []
    try:
        waiting = list(due(now).values_list("pk", flat=True))
    except OperationalError:
        if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
            raise
        # SQLite: another run holds the database for writing; it sends what is due.
        logger.info("Ringkasan sedang dikirim oleh proses lain")
        return sent, covered, failed, unreadable
    for pk in waiting:
        try:
            with transaction.atomic():
                subscription = (
                    due(now)
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("user")
                    .filter(pk=pk)
                    .first()
                )
                if subscription is None:  # held by a run at the same time, or unfollowed
                    continue
                until = covered_until(now)
                claimed = Subscription.objects.filter(
                    pk=pk, covered_until=subscription.covered_until
                ).update(covered_until=until)
                if not claimed:
                    continue
                digest = plan(subscription, now, until)
                if digest.count:
                    if not connection.send_messages([message(digest, connection)]):
                        raise NotAccepted(subscription.user.email)
                    sent += 1
                if digest.selection is not None:
                    SubscriptionMember.objects.remember(
                        subscription,
                        digest.selection,
                        digest.read_at,
                        told=[departure.agreement_id for departure in digest.left],
                    )
                else:
                    unreadable.append(pk)
                covered += 1
        except OperationalError:
            if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
                raise
            # SQLite: another run holds the database for writing; it sends this one.
            logger.info("Ringkasan %s sedang dikirim oleh proses lain", pk)
        except (OSError, NotAccepted):
            logger.warning("Ringkasan untuk %s gagal dikirim", pk, exc_info=True)
            failed.append(pk)
    return sent, covered, failed, unreadable
