"""The daily reminder digest: who gets told what, recorded so nothing is told twice or lost.

For each editor, ``plan`` finds what needs attention in the regions they edit for (agreements
whose lead region is one of them) and keeps what they have not been told yet at that threshold.
``record_pending`` writes those notices as pending; ``send`` mails the digest and marks them sent
only once the mail backend accepted it. A failed send leaves them pending, and the next run
(which plans again) sends them, unless what they were about no longer needs attention.

Two runs at the same time (a retry started by hand beside the cron job) each ``claim`` an editor
before planning: the editor's row is locked for that run's transaction, and the other run skips
an editor it finds locked, so each notice is planned, recorded and sent by one run only.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from access.models import RegionAssignment, Role
from agreements.attention import Attention, needs_attention, standing

from .mail import NotAccepted, email, linked
from .models import Language, Notice, ReminderPreference, Threshold


def recipients():
    """Active editors with an e-mail address and at least one region, unless they opted out."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.EDITOR, region_assignments__isnull=False)
        .exclude(email="")
        .exclude(reminder_preference__active=False)
        .distinct()
        .order_by("pk")
    )


PREFERENCES_SALT = "reminders.preferences"


def preferences_token(user):
    """The token of ``user``'s link to their reminder preferences: signed, so that nobody can
    make one for someone else, and needing no login (the digest is read on a phone)."""
    return signing.dumps(user.pk, salt=PREFERENCES_SALT)


def user_of_token(token):
    """The active user a preferences token was made for, or None."""
    try:
        pk = signing.loads(token, salt=PREFERENCES_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def preferences_url(user):
    return settings.SITE_URL + reverse("reminder-preferences", args=[preferences_token(user)])


def claim(user):
    """Lock ``user``'s row until the current transaction ends, unless another run holds it.

    True when this run may plan and send ``user``'s digest now. ``SKIP LOCKED``: a run does not
    wait for the other to finish with an editor, it leaves that editor to it. (SQLite has no
    row locks; it runs one writer at a time.)
    """
    claimed = (
        get_user_model()
        .objects.select_for_update(skip_locked=True)
        .filter(pk=user.pk)
        .values_list("pk", flat=True)
    )
    return bool(list(claimed))


def notice_key(item):
    """The key of the notice an attention item is recorded as (see ``Notice.key``)."""
    milestone = getattr(item, "milestone", None)
    if milestone is not None:
        return (Threshold.of(item), None, milestone.pk, item.on_date)
    return (Threshold.of(item), item.agreement.pk, None, item.on_date)


# The most entries one digest lists in each of its lists (expiring agreements, overdue
# milestones, milestones due soon), the most urgent first. A province's backlog runs to tens of
# thousands of overdue steps at national scale: listed whole, one mail held 14 MB, which mail
# servers refuse (Postfix: 10 MB), so its notices stayed pending and failed again every day.
# What a digest leaves out is not recorded as told: the next digests tell it.
DIGEST_LIST_LENGTH = 100


@dataclass
class Digest:
    user: object
    language: str
    regions: list  # the regions assigned to the user, for the footer
    attention: Attention  # only what the user has not been told yet, at most a list's length
    held_back: int = 0  # what the user has not been told yet beyond that, for the next digests

    def __len__(self):
        return len(self.attention)

    @property
    def keys(self):
        return {notice_key(item) for item in self.attention.items}


def plan(user, today):
    """What ``user`` should be told on ``today`` and was not yet. Reads, never writes."""
    regions_edited = RegionAssignment.objects.regions_for(user)
    # What was told is left out, and each list's most urgent chosen and the rest counted, in
    # SQL: an editor of every province has some 40,000 steps overdue, read whole they took
    # seconds and 300 MB to list 100 of each.
    told = Notice.objects.sent()
    fresh = needs_attention(
        regions_edited,
        user,
        today,
        shown=DIGEST_LIST_LENGTH,
        left_out=(told.told_of_expiry(user, today), told.told_of_step(user, today)),
    )
    fresh.dormant_count, fresh.waiting = standing(regions_edited, user, today)
    preference = ReminderPreference.objects.for_user(user)
    regions = [
        assignment.region
        for assignment in RegionAssignment.objects.filter(user=user)
        .select_related("region")
        .order_by("region__code")
    ]
    return Digest(
        user=user,
        language=preference.language,
        regions=regions,
        attention=fresh,
        held_back=fresh.expiring_total + fresh.late_total + fresh.due_soon_total - len(fresh),
    )


@transaction.atomic
def record_pending(digest):
    """Make the user's pending notices exactly the digest's; return their ids.

    Pending notices left by a failed send are kept when they are still due and dropped when what
    they were about no longer needs attention (a milestone done, an agreement extended, or moved
    on to a narrower window since).
    """
    wanted = digest.keys
    pending = Notice.objects.pending().filter(user=digest.user)
    have = {notice.key: notice.pk for notice in pending}
    stale = [pk for key, pk in have.items() if key not in wanted]
    if stale:
        Notice.objects.filter(pk__in=stale).delete()
    Notice.objects.bulk_create(
        [
            Notice(
                user=digest.user,
                threshold=threshold,
                agreement_id=agreement_id,
                milestone_id=milestone_id,
                on_date=on_date,
            )
            for (threshold, agreement_id, milestone_id, on_date) in wanted - have.keys()
        ]
    )
    return list(pending.values_list("pk", flat=True))


def message(digest, connection=None):
    """The digest as an e-mail in the user's language (text with an HTML alternative)."""
    user = digest.user
    with translation.override(digest.language or Language.INDONESIAN):
        context = {
            "name": user.get_full_name() or user.get_username(),
            "attention": digest.attention,
            "held_back": digest.held_back,
            "regions": [region.name for region in digest.regions],
            # Opens the form in the mail's language (``mail.linked``), as every link of it.
            "preferences_url": linked(preferences_url(user)),
        }
        count = len(digest)
        subject = ngettext(
            "Pengingat kerja sama: %(count)d hal perlu perhatian",
            "Pengingat kerja sama: %(count)d hal perlu perhatian",
            count,
        ) % {"count": count}
        return email(
            user,
            subject,
            "reminders/email/digest",
            context,
            connection,
            headers={
                "List-Unsubscribe": f"<{context['preferences_url']}>",
                # A mail program may stop them in one click, by a POST there (RFC 8058).
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )


def send(digest, connection):
    """Send the digest and mark its notices sent; return how many notices were sent.

    An empty digest sends nothing (but still drops stale pending notices). Raises whatever the
    backend raises (``OSError``, of which ``SMTPException`` is one, for SMTP), or ``NotAccepted``
    when it reports it took no message; the notices then stay pending.
    """
    notice_ids = record_pending(digest)
    if not notice_ids:
        return 0
    if not connection.send_messages([message(digest, connection)]):
        raise NotAccepted(digest.user.email)
    return Notice.objects.filter(pk__in=notice_ids).update(sent_at=timezone.now())
