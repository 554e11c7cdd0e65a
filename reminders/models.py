"""Reminders to editors: their language preference and a log of every notice sent or pending.

The log is what makes the daily digest safe to run again: a notice is recorded *pending* before
its e-mail goes out and marked sent only once the mail backend accepted it, so a re-run the same
day sends nothing new and a failed send is retried by the next run.
"""

import datetime

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, OuterRef, Q
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.attention import MilestoneDue
from agreements.dates import PeriodEnd, ended_before
from agreements.filters import AgreementFilter, SelectionsRead
from agreements.models import EXPIRY_WINDOWS, Agreement, Milestone
from common.choices import choice_values


class Language(models.TextChoices):
    INDONESIAN = "id", _("Bahasa Indonesia")
    ENGLISH = "en", _("English")


class ReminderPreferenceQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's preference, or an unsaved default one (Indonesian, active)."""
        return self.filter(user=user).first() or ReminderPreference(user=user)


class ReminderPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("pengguna"),
    )
    language = models.CharField(
        _("bahasa surel"), max_length=5, choices=Language.choices, default=Language.INDONESIAN
    )
    active = models.BooleanField(
        _("kirim pengingat"),
        default=True,
        help_text=_("Hapus centang untuk berhenti menerima surel pengingat."),
    )

    objects = ReminderPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("preferensi pengingat")
        verbose_name_plural = pgettext_lazy("jamak", "preferensi pengingat")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=choice_values(Language)),
                name="reminder_preference_language_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.language})"


class Threshold(models.TextChoices):
    """What a notice says. An agreement gets the notice of the narrowest window it is in."""

    EXPIRES_180 = "expires_180", _("Berakhir dalam 180 hari")
    EXPIRES_90 = "expires_90", _("Berakhir dalam 90 hari")
    EXPIRES_30 = "expires_30", _("Berakhir dalam 30 hari")
    MILESTONE_DUE = "milestone_due", _("Tahapan jatuh tempo dalam 14 hari")
    MILESTONE_OVERDUE = "milestone_overdue", _("Tahapan terlambat")

    @classmethod
    def for_expiry_window(cls, days):
        return {30: cls.EXPIRES_30, 90: cls.EXPIRES_90, 180: cls.EXPIRES_180}[days]

    @classmethod
    def of(cls, item):
        """The notice an entry of ``agreements.attention`` calls for."""
        if isinstance(item, MilestoneDue):
            return cls.MILESTONE_OVERDUE if item.is_overdue else cls.MILESTONE_DUE
        return cls.for_expiry_window(item.window)


EXPIRY_THRESHOLDS = (Threshold.EXPIRES_180, Threshold.EXPIRES_90, Threshold.EXPIRES_30)
MILESTONE_THRESHOLDS = (Threshold.MILESTONE_DUE, Threshold.MILESTONE_OVERDUE)


class NoticeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)

    def sent(self):
        return self.filter(sent_at__isnull=False)

    def told_of_expiry(self, user, today):
        """A ``Q`` on expiring agreements: those whose notice ``user`` has among these (their
        narrowest window on ``today``, their expiry date), as ``notice_key`` keys one (mirrors
        ``Threshold.of``). Made to leave them out of the digest in SQL (``attention_in``'s
        ``left_out``), where reading them all first grew with the backlog."""
        told = Q()
        narrower = None
        for window in sorted(EXPIRY_WINDOWS):
            notice = self.filter(
                user=user,
                threshold=Threshold.for_expiry_window(window),
                agreement=OuterRef("pk"),
                on_date=OuterRef("expires_on"),
            )
            within = Q(
                LessThanOrEqual(PeriodEnd("expires_on"), today + datetime.timedelta(days=window))
            )
            # Its narrowest window: within this one and not within the narrower one.
            in_window = within if narrower is None else within & ~narrower
            told |= in_window & Q(Exists(notice))
            narrower = within
        return told

    def told_of_step(self, user, today):
        """A ``Q`` on milestones: those whose notice ``user`` has among these (overdue or due,
        as the step is on ``today``, at its target date), as ``notice_key`` keys one (mirrors
        ``Threshold.of``)."""
        late = ended_before("due_on", today)

        def notice(threshold):
            return Exists(
                self.filter(
                    user=user,
                    threshold=threshold,
                    milestone=OuterRef("pk"),
                    on_date=OuterRef("due_on"),
                )
            )

        return (late & Q(notice(Threshold.MILESTONE_OVERDUE))) | (
            ~late & Q(notice(Threshold.MILESTONE_DUE))
        )


class Notice(models.Model):
    """One thing one editor was (or is about to be) told about, at one threshold.

    ``on_date`` is the expiry or due date the notice is about. It is part of the key so that an
    agreement extended to a new expiry date, or a milestone moved to a new due date, is reminded
    of again when the new date comes near.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_notices",
        verbose_name=_("pengguna"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_notices",
        verbose_name=_("kerja sama"),
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_notices",
        verbose_name=_("tahapan"),
    )
    threshold = models.CharField(_("jenis pengingat"), max_length=20, choices=Threshold.choices)
    on_date = models.DateField(_("tanggal yang diingatkan"))
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pemberitahuan")
        verbose_name_plural = pgettext_lazy("jamak", "pemberitahuan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__in=choice_values(Threshold)),
                name="notice_threshold_valid",
            ),
            # An expiry notice is about an agreement, a milestone notice about a milestone.
            models.CheckConstraint(
                condition=Q(
                    threshold__in=EXPIRY_THRESHOLDS,
                    agreement__isnull=False,
                    milestone__isnull=True,
                )
                | Q(
                    threshold__in=MILESTONE_THRESHOLDS,
                    agreement__isnull=True,
                    milestone__isnull=False,
                ),
                name="notice_subject_matches_threshold",
            ),
            models.UniqueConstraint(
                fields=["user", "agreement", "threshold", "on_date"],
                condition=Q(agreement__isnull=False),
                name="notice_once_per_agreement_threshold",
            ),
            models.UniqueConstraint(
                fields=["user", "milestone", "threshold", "on_date"],
                condition=Q(milestone__isnull=False),
                name="notice_once_per_milestone_threshold",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user"],
                condition=Q(sent_at__isnull=True),
                name="notice_pending_by_user",  # send_reminders' retry of failed sends
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_threshold_display()} · {self.agreement or self.milestone}"

    @property
    def is_pending(self):
        return self.sent_at is None

    @property
    def key(self):
        return (self.threshold, self.agreement_id, self.milestone_id, self.on_date)


class Frequency(models.TextChoices):
    DAILY = "daily", _("Harian")
    WEEKLY = "weekly", _("Mingguan")


# What a follow is called to its reader where its selection names a partner or an agency they
# may not know of now (``SubscriptionQuerySet.named_for``).
NAMES_UNKNOWN = _("Pilihan dengan mitra atau perangkat daerah yang tidak lagi dapat Anda lihat")


class SubscriptionQuerySet(models.QuerySet):
    def named_for(self, reader, checked=False):
        """These follows of ``reader``, each with ``shown_name``: the name it was saved with,
        or, where its selection names a partner or an agency ``reader`` may not know of now
        (``AgreementFilter.naming_unknown``: a role taken away, its agreements made internal
        since), words that name none of it. Every page and message naming a follow to its
        reader reads it here. One query, and one more for the partners and one for the
        agencies any of them names.

        ``checked``: each with ``problems`` too, why the list refuses its selection now
        (``AgreementFilter.problems_of``), empty where it reads it; one query more for each
        region, sector or country any of them names, the partners and agencies read once for
        both (``SelectionsRead``)."""
        subscriptions = list(self)
        queries = {s.query for s in subscriptions}
        read = SelectionsRead(AgreementFilter, queries, reader)
        unknown = AgreementFilter.naming_unknown(queries, reader, read)
        problems = AgreementFilter.problems_of(queries, reader, read) if checked else {}
        for subscription in subscriptions:
            subscription.shown_name = (
                str(NAMES_UNKNOWN) if subscription.query in unknown else subscription.name
            )
            if checked:
                subscription.problems = problems.get(subscription.query, [])
        return subscriptions


class Subscription(models.Model):
    """A signed-in reader following a selection of the register: a saved filter of the
    agreement list, whose changes are mailed to them daily or weekly (``reminders.follow``).

    ``covered_until`` is the end of the last period whose changes were mailed (or the moment
    they began to follow): the next digest holds the changes after it, so each change is told
    once. A digest run claims a subscription by locking its row and moves ``covered_until`` on
    in the same transaction as it sends.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("pengguna"),
    )
    query = models.CharField(
        _("pilihan"),
        max_length=1000,
        blank=True,
        help_text=_("Filter daftar kerja sama, seperti pada alamat halamannya."),
    )
    name = models.CharField(_("nama pilihan"), max_length=500)
    frequency = models.CharField(
        _("frekuensi"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    language = models.CharField(
        _("bahasa surel"), max_length=5, choices=Language.choices, default=Language.INDONESIAN
    )
    created_at = models.DateTimeField(_("mulai diikuti"), auto_now_add=True)
    covered_until = models.DateTimeField(_("perubahan terkirim sampai"))

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("pilihan yang diikuti")
        verbose_name_plural = pgettext_lazy("jamak", "pilihan yang diikuti")
        constraints = [
            models.UniqueConstraint(fields=["user", "query"], name="subscription_once_per_query"),
            models.CheckConstraint(
                condition=Q(frequency__in=choice_values(Frequency)),
                name="subscription_frequency_valid",
            ),
            models.CheckConstraint(
                condition=Q(language__in=choice_values(Language)),
                name="subscription_language_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.name}"

    def name_for_reader(self):
        """Its name as its reader may read it now (``SubscriptionQuerySet.named_for``)."""
        if self.query in AgreementFilter.naming_unknown([self.query], self.user):
            return str(NAMES_UNKNOWN)
        return self.name

    def get_list_url(self):
        return self._with_query("agreement-list")

    def get_change_log_url(self):
        """The change log of the selection: every change, where a digest lists the first."""
        return self._with_query("change-log")

    def _with_query(self, viewname):
        from django.urls import reverse

        path = reverse(viewname)
        return f"{path}?{self.query}" if self.query else path


class SubscriptionMemberQuerySet(models.QuerySet):
    def remember(self, subscription, selection, read_at=None, told=()):
        """Make ``subscription``'s members exactly the agreements of ``selection`` (a queryset
        of them): the rows that left it go, the ones that came are added. Two statements,
        however large the selection: the new members are inserted from the selection's own
        query (``INSERT … SELECT``), not read into Python first, so that following the whole
        register of 100,000 agreements stays one statement.

        ``read_at`` is when the digest read the selection: a member changed since (saved while
        the digest was sent) stays one, so that the next digest tells it left, if it did,
        rather than no digest ever telling it; unless the digest told it left (``told``, the
        ids of its departures): it is told once."""
        members = self.filter(subscription=subscription)
        selected = selection.order_by().values("pk")
        leaving = members.exclude(agreement__in=selected)
        if read_at is not None:
            leaving = leaving.exclude(
                Q(agreement__updated_at__gt=read_at) & ~Q(agreement__in=list(told))
            )
        leaving.delete()
        new = selected.exclude(pk__in=members.values("agreement_id"))
        sql, params = new.query.sql_with_params()
        connection = connections[self.db]
        quote = connection.ops.quote_name
        meta = self.model._meta
        columns = ", ".join(
            quote(meta.get_field(name).column) for name in ("subscription", "agreement")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                f"SELECT %s, selected.* FROM ({sql}) selected",
                [subscription.pk, *params],
            )


class SubscriptionMember(models.Model):
    """An agreement of a followed selection as it stood when its last digest was planned (or
    when the reader began to follow it). The next digest compares the selection with these, so
    that an agreement leaving it is told too: terminated while the reader follows those in
    force, or past its expiry with no save at all (``reminders.follow``)."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("pilihan yang diikuti"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kerja sama"),
    )

    objects = SubscriptionMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("kerja sama dalam pilihan yang diikuti")
        verbose_name_plural = pgettext_lazy("jamak", "kerja sama dalam pilihan yang diikuti")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "agreement"], name="subscription_member_once"
            )
        ]

    def __str__(self):
        return f"{self.subscription_id} · {self.agreement_id}"
