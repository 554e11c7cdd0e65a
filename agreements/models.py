"""What is agreed: agreements, sectors, milestones, signed documents, and regional potential.

The status an agreement *shows* is derived from its recorded status and its dates (see
``Agreement.shown_status`` and ``AgreementQuerySet.with_shown_status``), so nothing past its expiry
ever shows as in force, whether or not someone remembered to update the record.
"""

import contextlib
import dataclasses
import datetime
import functools
import hashlib
import logging
import os
import re
import typing
import unicodedata
from collections import defaultdict
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, EmptyResultSet, ValidationError
from django.db import connection, connections, models, transaction
from django.db.models import F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Substr
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, IsNull
from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.where import WhereNode
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history import signals as history_signals
from simple_history.models import HistoricalRecords

from agreements import stages
from agreements.dates import (
    DatePrecision,
    KnownDate,
    KnownDates,
    PeriodEnd,
    ended_before,
    ended_by,
    ends_before,
    ends_between,
    ends_between_by_day_and_period,
    not_before,
    not_ended_before,
    precision_field,
    still_running,
)
from agreements.validators import validate_document_file, validate_phone
from common.choices import ChoiceLabels, choice_values
from common.text import PrintableText
from common.urls import object_url
from common.years import years_with_rows
from partners.currencies import currency_codes, is_currency
from partners.models import INDONESIA, Country, Partner, Region, pick_language

logger = logging.getLogger(__name__)


class SetOffBy(models.Model):
    """What a version of an agreement the register wrote by its own rule keeps of whose save
    set it off (``AgreementQuerySet.mark_changed``, ``by_system``): the version is no one's
    (``history_user`` empty: not a change that user made, nor one a search of their changes
    finds), but the change log tells it as following that save (``changelog.Entry.role``).
    Empty where no one's save set it off: a command's."""

    history_set_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mengikuti perubahan oleh"),
    )

    class Meta:
        abstract = True


class HistoricalRecordsWithM2M(HistoricalRecords):
    """``HistoricalRecords`` whose version of a save records the many-to-many rows of the
    instance just saved, as the library does, but without reading that instance back first.

    The library reaches the through tables from ``history_instance.instance``, which, on a model
    with ``excluded_fields``, reads the row again from the database: one query for each
    many-to-many field of each save, a third of what an import of thousands of updates ran.
    The through table is the field's own; its rows are read as ids, where the library joined
    the agreement and the other side to each. Otherwise this is the library's own method, as
    django-simple-history 3.13 (pinned in pyproject.toml) writes it: an upgrade compares the
    two again."""

    def create_historical_record_m2ms(self, history_instance, instance):
        for field in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[field]
            through_model = field.remote_field.through
            # Each link's ids: what its history row holds, with no join to the agreement and
            # the other side for every link.
            columns = [f.attname for f in through_model._meta.fields]
            rows = through_model.objects.filter(**{field.m2m_field_name(): instance})
            insert_rows = [
                m2m_history_model(
                    history=history_instance, **dict(zip(columns, values, strict=True))
                )
                for values in rows.values_list(*columns)
            ]
            history_signals.pre_create_historical_m2m_records.send(
                sender=m2m_history_model,
                rows=insert_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )
            created_rows = m2m_history_model.objects.bulk_create(insert_rows)
            history_signals.post_create_historical_m2m_records.send(
                sender=m2m_history_model,
                created_rows=created_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )


class Sector(PrintableText, models.Model):
    """A field of cooperation (education, trade, tourism, …); a list the bureau maintains."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=120, unique=True)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bidang")
        verbose_name_plural = pgettext_lazy("jamak", "bidang")
        ordering = ["position", "name_id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return object_url("sector-detail", self.slug)

    @property
    def name(self):
        return pick_language(self.name_id, self.name_en)


class AgencyQuerySet(models.QuerySet):
    def of_regions(self, regions):
        """The agencies of ``regions`` (exactly those regions: a province's agencies are not its
        regencies')."""
        return self.filter(region__in=regions)

    def editable_by(self, user):
        """The agencies of the regions ``user`` edits for (``access.models.editable_regions``);
        all of them for administrators."""
        from access.models import editable_region_ids, is_administrator

        if is_administrator(user):
            return self.all()
        return self.filter(region_id__in=editable_region_ids(user))

    def called(self, text):
        """Agencies whose name or short name is ``text``, whatever its case: how a file names
        an agency of a region's list (``agreements.imports``), so a region's list holds each
        such name once (``Agency.clean``)."""
        return self.filter(Q(name__iexact=text) | Q(short_name__iexact=text))

    def used_by(self, agreements):
        """Agencies carrying out one of ``agreements`` (``AgreementQuerySet.linked``)."""
        return self.filter(agreements.linked("agencies"))

    def visible_to(self, user):
        """Agencies ``user`` may know of: those carrying out an agreement ``user`` may read
        (``AgreementQuerySet.visible_to``). An agency named only by internal agreements is as
        hidden from the public as those agreements: its name in a filter's chip, a download's
        file name or a feed's title is read through here (``PartnerQuerySet.visible_to``)."""
        return self.used_by(Agreement.objects.visible_to(user))

    def marking_internal_only(self, internal):
        """These agencies, each with ``internal_only``: for a reader of internal records
        (``internal``), whether the public may not know of it (``visible_to``: named by internal
        agreements alone), which a list of agencies says beside its name, as
        ``PartnerQuerySet.marking_internal_only`` does of a partner; False for any other
        reader, who lists no such agency. A subquery of each row, no query of its own."""
        if not internal:
            return self.annotate(internal_only=models.Value(False))
        public = Agency.objects.visible_to(None).filter(pk=models.OuterRef("pk"))
        return self.annotate(internal_only=~models.Exists(public))


class Agency(PrintableText, models.Model):
    """A regional agency (*perangkat daerah*, OPD: a dinas, badan or biro) that carries out
    cooperations of its region; a list the bureau keeps per region."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("daerah")
    )
    name = models.CharField(
        _("nama"), max_length=200, help_text=_("Mis. Dinas Pendidikan dan Kebudayaan.")
    )
    short_name = models.CharField(
        _("singkatan"), max_length=40, blank=True, help_text=_("Mis. Disdikbud, Bappeda.")
    )

    history = HistoricalRecords()
    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("perangkat daerah (OPD)")
        verbose_name_plural = pgettext_lazy("jamak", "perangkat daerah (OPD)")
        ordering = ["region__code", "name", "id"]
        constraints = [
            # Django's Indonesian message for a pair of unique fields says the opposite ("…
            # tidak ada", does not exist), and a partial one names the constraint: each says
            # what is so.
            models.UniqueConstraint(
                fields=["region", "name"],
                name="agency_name_unique_in_region",
                violation_error_message=_(
                    "Perangkat daerah dengan nama ini sudah tercatat di daerah yang sama; pilih "
                    "yang sudah ada."
                ),
            ),
            models.UniqueConstraint(
                fields=["region", "short_name"],
                condition=~Q(short_name=""),
                name="agency_short_name_unique_in_region",
                violation_error_message=_(
                    "Singkatan ini sudah dipakai perangkat daerah lain di daerah yang sama."
                ),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="agency_has_a_name"),
        ]

    def __str__(self):
        return f"{self.label} — {self.region.name}"

    def clean(self):
        """A name or short name another agency of the region bears as its name or short name,
        in any case, is refused as the constraints refuse the same one typed alike: a file
        naming either could not tell the two apart (``AgencyQuerySet.called``). One query for
        each of the two."""
        if self.region_id is None:
            return
        constraints = {c.name: c for c in self._meta.constraints}
        others = Agency.objects.filter(region_id=self.region_id).exclude(pk=self.pk)
        errors = {}
        for field, constraint in (
            ("name", "agency_name_unique_in_region"),
            ("short_name", "agency_short_name_unique_in_region"),
        ):
            text = getattr(self, field)
            if text and others.called(text).exists():
                errors[field] = constraints[constraint].violation_error_message
        if errors:
            raise ValidationError(errors)

    @property
    def label(self):
        """The name with its short form, as the status page shows it: "Badan Perencanaan
        Pembangunan Daerah (Bappeda)"."""
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    def is_editable_by(self, user):
        """Whether ``user`` may change this agency: an editor of its region (or its province)."""
        from access.models import may_edit_region

        return may_edit_region(user, self.region_id)

    def is_deletable_by(self, user):
        """Whether ``user`` may delete this agency: they may change it, and every agreement it
        carries out is one they may change too. Deleting it takes it off those agreements, and
        another region's agreement (its region a party there) is not theirs to change (one
        query for an editor)."""
        if not self.is_editable_by(user):
            return False
        theirs = Agreement.objects.editable_by(user).values("pk")
        return not self.agreements.exclude(pk__in=theirs).exists()


class Scope(models.TextChoices):
    """The four forms of *kerja sama daerah* in PP 28/2018, named by who the parties are."""

    KSDD = "ksdd", _("KSDD — antardaerah")
    KSDPK = "ksdpk", _("KSDPK — dengan pihak ketiga")
    KSDPL = "ksdpl", _("KSDPL — dengan pemerintah daerah di luar negeri")
    KSDLL = "ksdll", _("KSDLL — dengan lembaga di luar negeri")

    @classmethod
    def for_parties(cls, regions, partners):
        """The scope the parties imply, or None while they do not yet settle it.

        ``regions`` are the Indonesian regions that are party, ``partners`` the other parties.
        """
        foreign = [p for p in partners if not p.is_domestic]
        if any(p.is_foreign_government for p in foreign):
            return cls.KSDPL
        if foreign:
            return cls.KSDLL
        if partners:
            return cls.KSDPK
        if len(regions) >= 2:
            return cls.KSDD
        return None


# The scopes whose other party is a partner, not a region (PP 28/2018): a third party, a
# regional government abroad, an institution abroad. One naming no partner is refused
# (``Agreement.party_errors``), as a KSDD naming one region alone is.
PARTNERED_SCOPES = (Scope.KSDPK, Scope.KSDPL, Scope.KSDLL)


def required_stages(kind, scope, carries_out=False):
    """The stages a document of ``kind`` in ``scope`` passes, in order, optional ones included
    (``agreements.stages.STAGE_TABLE``; ``carries_out``: it carries out a predecessor)."""
    rule = stages.rule_for(kind, scope, carries_out)
    return [MilestoneKind(stage) for stage in rule.stages]


def reads_internal(user):
    """Whether ``user`` may read internal agreements (``AgreementQuerySet.visible_to``), and the
    budget and contact persons of every agreement: officials and staff, never the public."""
    from access.models import can_see_internal

    return user is not None and can_see_internal(user)


# What ``AgreementQuerySet._whole_selected_as`` found, by the compiled selection and the
# selections it was compared with: a page counting a region's dormant compiled five queries to
# find it was one (11 ms in all), each time it was asked. A selection whose SQL is the same
# string is the same selection; one built after its regions or the register changed compiles
# to another string and is compared afresh. Bounded: emptied when full.
_SELECTED_AS = {}
_SELECTED_AS_MAX = 1024


@functools.cache
def _tallied_shapes():
    """The SQL of the two selections the tallies count (the whole register, what the public
    sees), as ``AgreementQuerySet._tallied_visibilities`` compares a selection with them:
    the same for the life of the process."""
    return (
        str(Agreement.objects.order_by().values("pk").query),
        str(Agreement.objects.public().order_by().values("pk").query),
    )


def ends_on_or_after_q(day):
    """A ``Q``: the day stored as the end (``Agreement.ends_by``) is ``day`` or later, or there
    is none. True of every agreement shown in force on ``day``: it has not lapsed, and the end
    of one signed or in force is the last day its expiry covers. Said beside that, it reads the
    amendments from their index by the day each ends (migrations 0060 and 0062)."""
    return Q(ends_by__gte=day) | Q(ends_by__isnull=True)


def counted_apart(rows):
    """SQL taking away how many ``rows`` (a queryset, a list of querysets none of whose rows
    meet, or None) hold, to follow a count read from what the database keeps in the same
    statement (`` - (SELECT count(*) FROM …)``), and its parameters: nothing for None."""
    if rows is None:
        return "", []
    if isinstance(rows, (list, tuple)):
        parts = [counted_apart(part) for part in rows]
        return "".join(sql for sql, _ in parts), [p for _, params in parts for p in params]
    sql, params = rows.order_by().values("pk").query.sql_with_params()
    return f" - (SELECT count(*) FROM ({sql}) apart)", list(params)


# SQL compiled once (``compiled_once``), by what decides it. A query built through the ORM of
# the register's rules (each cooperation once, what the reader may see, an extension signed)
# and compiled costs a page more Python than the database takes to answer it: the dashboard's
# soonest expiring, 17 ms to build and compile, 5 ms to answer at 10,000 agreements. Each is
# kept under what decides its SQL: the query's name and values, the day, and the selection it
# is built from (``AgreementQuerySet.built_key``). It names no row of the register but those
# its selection names (a province's regencies and cities), and reads the rest as it stands.
# A few KB each; a day of every region's page read by both visibilities holds about 2,200
# (the amendments dormant with their text, the expiring soonest).
_COMPILED = {}
_COMPILED_MAX = 4096


def compiled_once(key, compile):
    """``compile()`` (SQL, its parameters, and whatever else it gives) once per ``key``
    (``_COMPILED``)."""
    found = _COMPILED.get(key, _COMPILED)  # the dict itself: not compiled yet (None may be kept)
    if found is _COMPILED:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        found = _COMPILED[key] = compile()
    return found


def dormant_apart_sql(key, rows):
    """``counted_apart(rows())`` compiled once per ``key``: the amendments dormant with their
    text, by the database, the visibilities counted, how they are read, the day and the region
    (or None). Built through the ORM (the dormant read twice, the second in the amendment's test
    of its text) and compiled, it cost the dashboard and each region's page 12 ms of Python at
    every build. A province's regencies and cities are read when it is compiled
    (``in_region``): for one made the same day (by law, with the reference data), its
    amendments dormant with their text are taken away from the next day."""
    return compiled_once(("dormant apart", *key), lambda: counted_apart(rows()))


def read_compiled_once(key, build, related=()):
    """The rows of the queryset ``build()`` gives, read by its SQL compiled once per ``key``
    (``compiled_once``; ``key`` names the query and all that decides its SQL), then their
    ``related`` records (foreign keys, as ``select_related`` names them), read by key in a
    query of their own: a row read by its SQL alone loads nothing with it, so ``build`` selects
    none. Each value computed for a row (an annotation) is converted as the queryset would
    convert it: the same rows, the same values, without building the query again. With no
    ``key`` (nothing but the queryset decides it), built and read each time, its ``related``
    records joined.
    """

    def compile():
        built = build()
        try:
            sql, params = built.query.sql_with_params()
        except EmptyResultSet:  # nothing can match
            return None
        reading = connections[built.db]
        # The converters the queryset's compiler applies: the backend's, then the expression's.
        annotations = [
            (
                name,
                expression,
                [
                    *reading.ops.get_db_converters(expression),
                    *expression.get_db_converters(reading),
                ],
            )
            for name, expression in built.query.annotation_select.items()
        ]
        return built.model, built.db, sql, params, annotations

    if key is None:
        return list(build().select_related(*related))
    compiled = compiled_once(key, compile)
    if compiled is None:
        return []
    model, db, sql, params, annotations = compiled
    rows = list(model._default_manager.db_manager(db).raw(sql, params))
    reading = connections[db]
    for row in rows:
        for name, expression, converters in annotations:
            value = getattr(row, name)
            for converter in converters:
                value = converter(value, expression, reading)
            setattr(row, name, value)
    models.prefetch_related_objects(rows, *related)
    return rows


class ReadApart:
    """A QuerySet of the register's large tables (agreements, their milestones and documents)
    whose small selections are paged by reading their ids first (``read_apart``)."""

    def _reads_each_row_once(self):
        """Whether every table this queryset joins is one row per row of its own (what each
        points at: an agreement's lead region, a milestone's agreement, loaded with it by
        ``select_related``), so that with its conditions taken away it still reads each row
        once. A condition on an agreement's regions, partners or sectors joins many rows per
        agreement. (The admin's list loads the lead region with every agreement: a search read
        every match twice over it.)"""
        return all(
            isinstance(join, BaseTable) or isinstance(join.join_field, models.ForeignObject)
            for join in self.query.alias_map.values()
        )

    def listed_first(self):
        """The keys of these rows in their order: a search of the milestones or documents lists
        the first ``SEARCH_LISTS_AT_MOST`` of them (``paging.RowSearchPaginator``), read once,
        in the walk that finds them, then the page read by key (``among``)."""
        return self.values_list("pk", flat=True)

    def among(self, keys):
        """These rows whose keys are among ``keys``, read already (``paging.SearchPaginator``),
        in this queryset's order. Their conditions are not tested again where every table this
        reads is one row per row (``_reads_each_row_once``): around the keys, the page read
        every match of a search a second time, and ranked or sorted them all again. (Conditions
        that joined a table of many rows per row stay, or the join would repeat rows.)"""
        chosen = self._chain()
        if self._reads_each_row_once():
            chosen.query.where = WhereNode()
        return chosen.filter(pk__in=keys)

    def read_in_parts(self, top):
        """These rows in their order, the first ``top`` of them read from the first ``top`` of
        each of the parts they are made of (the hint ``parts``, conditions none of whose rows
        meet: ``AgreementQuerySet.waiting_on`` of several parties), each part walked in an index
        of its own in that order and stopped there, then the few found sorted: their order's
        index walked with the parts ORed finds them only where they lie, and those waiting on
        the DPRD or a ministry, drafts never signed, lie at the far end of the signing order
        (300–400 ms at 100,000 agreements, waiting on the DPRD, Kemendagri or Kemlu). Else, and
        off PostgreSQL, ``self``."""
        parts = self._hints.get("parts")
        if (
            not parts
            or connections[self.db].vendor != "postgresql"
            or not self.ordered
            or not self._reads_each_row_once()
        ):
            return self
        first, *others = (self.filter(part).values("pk")[:top] for part in parts)
        return self.filter(pk__in=first.union(*others, all=True))

    def read_apart(self, top=None):
        """These rows in their order, read as a set first and then sorted: their ids read into
        an array by whatever index their conditions use, then the rows of those ids
        (``= ANY(ARRAY(…))``, by the primary key) sorted and sliced. For a page of a small
        selection (``caching.CachedCountPaginator``): in the list's order the database walks
        that order's index and tests each row until the page is full, which costs nothing
        where matches are spread along it, and the whole table where they lie at its far end:
        agreements in preparation, never signed, sort last by signing date (230 ms at 100,000
        agreements), a search's 200 matches among every agreement (150 ms), or among half a
        million milestones (600 ms). Read apart, a page costs what its selection holds.
        PostgreSQL only (elsewhere ``self``), and not where a condition joined a table of many
        rows per row (the join would repeat rows), as ``among``.

        ``top``: only the first ``top`` are wanted (a page and those before it). Their keys are
        sorted among the selection's keys first, and only theirs read whole: each row read
        whole is read with what the list loads beside it (its lead region, its next step, its
        version), and a region's page of 25 read 411 at 100,000 agreements to sort them. The
        keys sorted are an array of a size the database cannot know, which it reads by key,
        never by walking the order's index."""
        if connections[self.db].vendor != "postgresql" or not self.ordered:
            return self
        if not self._reads_each_row_once():
            return self
        apart = self._chain()
        from agreements.search import AnyOf

        apart.query.where = WhereNode()
        keys = models.Subquery(self.order_by().values("pk"))
        if top is not None:
            keys = models.Subquery(apart.filter(AnyOf(F("pk"), keys)).values("pk")[:top])
        return apart.filter(AnyOf(F("pk"), keys))


# The selections of today whose count the database keeps (``tallied_count``): each hint's
# name, with the ``AgreementQuerySet`` methods that select them and count them.
KEPT_SELECTIONS = {
    "dormant": ("dormant_cooperations", "dormant_count"),
    "late": ("with_overdue_steps", "late_count"),
    "status": ("with_shown_status_in", "shown_status_count"),
}


class AgreementQuerySet(ReadApart, models.QuerySet):
    def public(self):
        """What the public may read: the published agreements, each line read as the public
        reads it (``reads_inside``)."""
        public = self.filter(visibility=Agreement.Visibility.PUBLIC)
        public._hints = {**public._hints, "read_as_public": True}
        return public

    def reads_inside(self):
        """Whether these agreements are read as a reader of internal records reads their lines
        (``Agreement.last_sign_of_life_read``): all but what the public may read (``public``,
        ``visible_to`` the public), which read each line as the public does. A public
        amendment of an internal text is part of that text; whoever may read the text reads its
        activities as the amendment's, in their lists and counts as on its status page."""
        return not self._hints.get("read_as_public")

    def read_inside(self, inside):
        """These agreements, each line read as a reader of internal records reads it
        (``inside``) or as the public does (``reads_inside``), whatever they hold: an
        official's download, the public records of the page they read, is read as they read
        the page (``export_views.exportable_agreements``)."""
        read = self._chain()
        read._hints = {**read._hints, "read_as_public": not inside}
        return read

    def with_shown_status(self, status, today=None, on=None):
        """Agreements whose *shown* status is ``status`` (see ``Agreement.shown_status``), on
        ``today`` or, given, on the day ``on`` (``Agreement.shown_status_on``)."""
        return self.filter(Agreement.shown_status_q(status, today or timezone.localdate(), on))

    def with_shown_status_in(self, statuses, today=None, on=None):
        """Agreements whose shown status is one of ``statuses``. Today's are counted from the
        counts the database keeps where they are all of them, or all the public sees
        (``tallied_count``): the list's ``status=``."""
        today = today or timezone.localdate()
        shown = self.filter(Agreement.shown_status_in_q(statuses, today, on))
        if on is None:
            shown._hints = {**shown._hints, "kept": ("status", (tuple(statuses), today))}
        return shown

    def shown_status_count(self, statuses, today=None):
        """How many of these agreements show one of ``statuses`` on ``today``
        (``with_shown_status_in``), from ``counts_by_status``."""
        counts = self.counts_by_status(today)
        return sum(counts.get(status, 0) for status in set(statuses))

    def each_cooperation_once(self, among=None, running_on=None, alike=None):
        """These agreements, less each amendment that ends with the text it amends where that
        text is among ``among`` (these, unless given; ``Agreement.ends_with_text_among_q``):
        an amendment is part of the text it amends, not a cooperation beside it
        (docs/stages.md), so what ends, is in force or is dormant lists and counts the
        cooperation once, under its text, not "MoU X" and "Adendum MoU X" as two ending on
        the same day. The expiring soon (``expiring_within``: the dashboard, a region's page,
        the digest, the report), the dormant (``dormant_cooperations``: the same, and the
        list's "Mati suri"), the list's "Berakhir paling lambat" and the report's lists.

        ``running_on``: a day every one of ``among`` runs on (shown in force then, today), by
        which the amendments left out are read from their own index (``ends_on_or_after_q``).

        ``alike``: an expression an amendment and its text must agree on for the amendment to
        be left out, where these hold texts of every kind (the status each shows on a day: the
        report's status chart). An addendum being drafted for an MoU in force is counted among
        the texts being prepared, as the lists of one status count it; an addendum in force
        with it, once."""
        among = (self if among is None else among).order_by()
        if alike is not None:
            among = among.annotate(cooperation_alike=alike)
        # Those left out read apart, once (the few amendments among them, by the index of
        # migration 0060 or 0062), so that what is counted of the rest reads no more of each
        # row.
        amendments = among if running_on is None else among.filter(ends_on_or_after_q(running_on))
        once = Agreement.ends_with_text_among_q(among, alike=alike is not None)
        return self.exclude(pk__in=amendments.filter(once).values("pk"))

    def expiring_within(self, days, today=None, on=None):
        """In force or signed (as shown) and expiring in the next ``days`` days, soonest first:
        from ``today`` or, given, from the day ``on`` (``with_shown_status``). A month- or
        year-known expiry counts to its period's last day (``Agreement.expires_by``): "Desember
        2026" is within 30 days from 1 December, not from 2 November."""
        today = today or timezone.localdate()
        day = today if on is None else on
        last = day + datetime.timedelta(days=days)
        if day < today:
            going = self.with_shown_status_in(SIGNED_STATUSES, today, on)
        else:
            # Expiring on the day or later, a signed or in-force text shows as such then: the
            # stored status says it, and the index on status and expiry answers the dashboard.
            going = self.filter(status__in=SIGNED_STATUSES)
        # Sorted by the day each ends on, not by the index on ``expires_on``: the window's
        # rows, a few points and a range of it, are read first and sorted (``ends_between``).
        window = going.filter(ends_between("expires_on", day, last))
        # Each cooperation once: an amendment ending with its text goes with the text. Where
        # the stored status is read, the window is also the range of the day each ends, by
        # which the amendments within it are read from their own index (migration 0060).
        among = window if day < today else window.filter(ends_by__gte=day, ends_by__lte=last)
        return window.each_cooperation_once(among).order_by(PeriodEnd("expires_on"), "pk")

    def expiring_first(self, days, shown, today=None):
        """``expiring_within(days, today)`` narrowed to those among which its first ``shown``
        are, in its order (slice it to ``shown``): those known to the day read from the index
        on expiry up to the ``shown``-th, and the few known to the month or year, instead of
        every row of the window read and sorted."""
        today = today or timezone.localdate()
        by_day, by_period = ends_between_by_day_and_period(
            "expires_on", today, today + datetime.timedelta(days=days)
        )
        going = self.filter(status__in=SIGNED_STATUSES)
        # The amendments ending with their text take no place among the first (the text ends
        # the same day, as signed, within the window, known to the day or not).
        within = going.filter(ends_by__gte=today, ends_by__lte=today + datetime.timedelta(days))
        first = (
            going.filter(by_day)
            .each_cooperation_once(within)
            .order_by("expires_on", "pk")
            .values("pk")[:shown]
        )
        expiring = self.expiring_within(days, today)
        if by_period is None:
            return expiring.filter(pk__in=first)
        if not connections[self.db].features.supports_slicing_ordering_in_compound:
            return expiring.filter(Q(pk__in=first) | by_period)  # SQLite: no LIMIT in a UNION
        return expiring.filter(
            pk__in=first.union(going.filter(by_period).order_by().values("pk"), all=True)
        )

    def tallied_expiring_count(self, days, today=None):
        """How many of ``expiring_within(days, today)`` there are, as an SQL expression read
        from the counts the database keeps by day of expiry (migration 0039): a few hundred
        kept counts, not the window's rows; None where ``self`` is not what they count."""
        today = today or timezone.localdate()
        visibilities = self._tallied_visibilities()
        if visibilities is None:
            return None
        after = today + datetime.timedelta(days=days + 1)
        kept = RawSQL(
            "SELECT coalesce(sum(n), 0)::bigint FROM agreements_tally "
            "WHERE dimension = 'status_day' AND visibility = ANY(%s) AND key >= %s AND key < %s "
            "AND split_part(key, '|', 2) = ANY(%s)",
            (visibilities, today.isoformat(), after.isoformat(), [str(s) for s in SIGNED_STATUSES]),
            output_field=models.BigIntegerField(),
        )
        # Less the amendments ending with their text within the window, which the kept counts
        # count apart (``each_cooperation_once``): the few of them, read from their own index
        # by the day each ends (signed or in force, that is the last day its expiry covers).
        going = self.filter(status__in=SIGNED_STATUSES)
        with_text = (
            going.filter(ends_by__gte=today, ends_by__lt=after)
            .filter(Agreement.ends_with_text_among_q(going))
            .order_by()
            .annotate(n=models.Func(models.F("pk"), function="COUNT"))
            .values("n")
        )
        return models.ExpressionWrapper(
            kept - models.Subquery(with_text), output_field=models.BigIntegerField()
        )

    def signed_by(self, day):
        """Agreements signed by ``day``, its last day included, as the signing is known: the
        whole of its day, month or year by then (``ended_by``), as the list's "Berakhir paling
        lambat" reads an expiry. The list's "Ditandatangani sampai 30 Juni 2024" holds a text
        signed "Maret 2024", not one known to be signed "2024", stored as 1 January: it may have
        been signed in December."""
        return self.filter(ended_by("signed_on", day))

    def signed_within(self, first, last):
        """Agreements signed from ``first`` to ``last`` as the signing is known: stored from
        ``first`` on (a month or a year as its first day) and ``signed_by`` ``last``, the list's
        "Ditandatangani sejak … sampai …". A report's "signed within the period": a text known
        to be signed "2024" was signed within 2024, but the register cannot say in which half,
        so it is not told as signed in the first semester; one signed "Maret 2024" was."""
        return self.filter(signed_on__gte=first).signed_by(last)

    def ending_between(self, first, last, today=None):
        """Agreements in force some time from ``first`` to ``last`` that ended within it, on
        the day stored with each (``Agreement.ends_by``): a terminated one on its termination
        day, else the last day its expiry covers (a month- or year-known one by its period's
        last day): signed or in force as the period began, as shown on the day before
        ``first`` (``expiring_within``), or signed within and not cancelled. A report's "ended
        within the period": a one-year text signed in March and ending with the year is one,
        though not yet signed when the period began; so is one terminated in September whose
        first term ran years longer, as the list's "Berakhir paling lambat" reads it
        (``expiring_by``), and one terminated on ``first`` itself, or in its month or year,
        stored as that day: shown as terminated from that day, month or year on (its last day,
        ``dated_status``), it was in force the day before, and the report of the period
        before listed it as in force at its end."""
        today = today or timezone.localdate()
        signed_within = Q(
            signed_on__gte=first,
            signed_on__lte=last,
            status__in=(*SIGNED_STATUSES, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED),
        )
        began = first - datetime.timedelta(days=1)
        return (
            self.filter(signed_within | Agreement.shown_status_in_q(SIGNED_STATUSES, today, began))
            .filter(ends_by__gte=first, ends_by__lte=last)
            .order_by("ends_by", "pk")
        )

    def lapsed_between(self, first, last):
        """Agreements signed or in force whose term ended from ``first`` to ``last``: the last
        day their expiry covers (a month- or year-known one by its period's last day,
        ``ends_between``) falls within, so they show as expired from the day after it, with
        no write (``lapsed_q``). What ``manage.py refresh_progress`` stores the chains of
        again."""
        return self.filter(status__in=SIGNED_STATUSES).filter(
            ends_between("expires_on", first, last)
        )

    def expiring_by(self, day):
        """Agreements that ended, or end, by ``day``, its last day included: by the day stored
        with each (``Agreement.ends_by``), a terminated one's termination day, else the last day
        its expiry covers (a month- or year-known one by the period's last day), as
        ``expiring_within`` reads it, so the list's "Berakhir paling lambat" holds what the
        dashboard counts, and a cooperation terminated in 2023 whose first term ran to 2027
        ended before 2025. One range of the list's index by that day (migration 0052)."""
        return self.filter(ends_by__lte=day)

    def with_contradicting_status(self, today=None):
        """Agreements whose recorded status contradicts their dates or steps, as the forms
        refuse it (``Agreement.status_contradictions``): recorded as expired ("Berakhir") while
        their term has not run out on ``today`` or with no expiry (``expired_too_soon_q``),
        still signed or in force with their termination recorded as done, or not yet signed
        with their signing recorded as done (``contradicted_by_steps_q``). Rows written before
        those rules were enforced; what the admin's "Pemeriksaan data" filter and
        ``manage.py check_statuses`` list for the bureau to mend by hand."""
        today = today or timezone.localdate()
        return self.filter(
            Agreement.expired_too_soon_q(today) | Agreement.contradicted_by_steps_q()
        )

    def with_contradicting_steps(self):
        """Agreements one of whose steps contradicts their own dates, as the forms refuse it
        (``Agreement.step_date_contradictions``): a signing recorded as done on a day other than
        the signing date, a step done before the agreement was proposed, an activity or an
        evaluation dated before it was signed or came into force, a stage on the way to signing
        done or planned after it was signed (``Milestone.contradicts_agreement_dates_q``). Rows
        written before those rules were enforced; what the admin's "Pemeriksaan data" filter
        and ``manage.py check_statuses`` list beside ``with_contradicting_status``."""
        return self.filter(Agreement.step_dates_contradicted_q())

    def with_contradicting_parties(self):
        """Agreements whose stored parties contradict their scope as the forms refuse it
        (``Agreement.party_errors``): a KSDD naming no partner and no region beside its lead
        region (``lone_ksdd_q``), a KSDPK, KSDPL or KSDLL naming no partner
        (``partnerless_q``): a cooperation between a region and nobody. Rows written
        before that rule, which the forms still save while their scope and parties are left as
        they are; what the admin's "Pemeriksaan data" filter and ``manage.py check_statuses``
        list for the bureau to complete by hand."""
        return self.filter(Agreement.lone_ksdd_q() | Agreement.partnerless_q())

    def marking_carried_on(self, readable):
        """``self`` with both marks a text about to end may carry, each read among
        ``readable`` (what the reader may see), in the same query: ``is_extended``
        (``marking_extended``) and ``is_followed_up`` (``marking_followed_up``). What every
        list of what expires or ends reads: the dashboard, the region pages, the list, the
        digest, the report, the calendar and the Atom feed."""
        return self.marking_extended(readable).marking_followed_up(readable)

    def marking_extended(self, readable):
        """``self`` with ``is_extended`` on each: whether a signed extension among ``readable``
        (what the reader may see: an internal extension is not told to the public) extends it
        (``Agreement.signed_extension_q``), a probe of the index on what each follows.

        Asked as whether the first such extension's id is there, not as an ``EXISTS``: the
        planner may turn an ``EXISTS`` into one pass hashing every signed extension of the
        register, and chose it for a page of the list, whose 25 rows it weighed as the whole
        register's (at 100,000 agreements, 57 ms where the 25 probes took a fraction of one).
        The downloads, which read the whole selection at once, ask it of every row in one pass
        instead (``extended_among``).

        Never of a text itself terminated (``NOT_TERMINATED``): its term does not go on, and
        "Diakhiri pada September 2026 · sudah diperpanjang" read as if its cooperation did."""
        first = (
            AgreementQuerySet.extensions_among(readable)
            .filter(follows=OuterRef("pk"))
            .values("pk")[:1]
        )
        return self.annotate(
            is_extended=models.ExpressionWrapper(
                Q(IsNull(models.Subquery(first), False)) & NOT_TERMINATED,
                output_field=models.BooleanField(),
            )
        )

    def marking_followed_up(self, readable):
        """``self`` with ``is_followed_up`` on each: whether a signed text among ``readable``
        carries it on as its follow-up (*Tindak lanjut*: the MoU after an LoI, the PKS after an
        MoU; ``Agreement.signed_follow_up_q``), so that its end is no longer where its
        cooperation stops ("sudah ditindaklanjuti"). Beside the extension's mark, read the same
        way (``marking_extended``): a probe of the index on what each follows, asked as whether
        the first such text's id is there; an internal follow-up is not told to the public. The
        downloads ask it of every row at once (``followed_up_among``). Never of a text itself
        terminated (``NOT_TERMINATED``): its cooperation was ended there."""
        first = (
            AgreementQuerySet.follow_ups_among(readable)
            .filter(follows=OuterRef("pk"))
            .values("pk")[:1]
        )
        return self.annotate(
            is_followed_up=models.ExpressionWrapper(
                Q(IsNull(models.Subquery(first), False)) & NOT_TERMINATED,
                output_field=models.BooleanField(),
            )
        )

    @staticmethod
    def follow_ups_among(readable):
        """The signed follow-ups (``Agreement.signed_follow_up_q``) among ``readable``, what the
        reader may see: what makes the text each follows already followed up, on the pages
        (``marking_followed_up``) and in the downloads (``followed_up_among``)."""
        return readable.order_by().filter(Agreement.signed_follow_up_q(), follows__isnull=False)

    @staticmethod
    def followed_up_among(readable):
        """Whether a signed follow-up among ``readable`` carries the agreement on
        (``marking_followed_up``'s ``is_followed_up``), as an SQL expression for a whole
        selection read at once, as the downloads read it: a hashed set of the ids the
        follow-ups follow, as ``extended_among``."""
        followed = AgreementQuerySet.follow_ups_among(readable).values("follows_id")
        return models.ExpressionWrapper(
            Q(pk__in=followed) & NOT_TERMINATED, output_field=models.BooleanField()
        )

    @staticmethod
    def extensions_among(readable):
        """The signed extensions (``Agreement.signed_extension_q``) among ``readable``, what the
        reader may see: what makes the text each follows already extended, on the pages
        (``marking_extended``) and in the downloads (``extended_among``)."""
        return readable.order_by().filter(Agreement.signed_extension_q(), follows__isnull=False)

    @staticmethod
    def extended_among(readable):
        """Whether a signed extension among ``readable`` extends the agreement
        (``marking_extended``'s ``is_extended``), as an SQL expression for a whole selection
        read at once, as the downloads read it (``export_columns.computed_fields``): its id
        among those the extensions follow, a set the database builds once and looks each row
        up in (a hashed subplan), where a probe per row would cost an index search for each
        of the 100,000 rows of a full download (at 100,000 agreements, 70 ms for the whole
        selection where the probes took 190 ms, beside the seconds the download takes)."""
        extended = AgreementQuerySet.extensions_among(readable).values("follows_id")
        return models.ExpressionWrapper(
            Q(pk__in=extended) & NOT_TERMINATED, output_field=models.BooleanField()
        )

    def awaiting_extension_record(self):
        """Texts with an extension step still open whose extension is signed: those whose step
        ``carry_out_extension_steps`` records as done when their chain is next stored (a step
        planned past the text's term aside). Rows written before that rule, which
        ``manage.py refresh_progress`` stores again. A semi-join over the extensions and one
        over the open steps."""
        extensions = Agreement.objects.filter(Agreement.signed_extension_q())
        public = extensions.filter(visibility=AgreementVisibility.PUBLIC)
        steps = Milestone.objects.filter(
            agreement=OuterRef("pk"), kind=MilestoneKind.EXTENSION, done_on__isnull=True
        )
        # An internal extension tells nothing on a public text (``_tells``).
        told = Q(pk__in=public.values("follows_id")) | (
            ~Q(visibility=AgreementVisibility.PUBLIC) & Q(pk__in=extensions.values("follows_id"))
        )
        return self.filter(told).filter(models.Exists(steps))

    def with_unknown_currency(self):
        """Agreements whose budget's currency is no code ISO 4217 lists
        (``Agreement.currency_contradictions``): three capitals the database's rule lets
        through ("RUP", "RMB"), stored before every write path checked the list, or by a code
        ISO has since withdrawn from the shipped list. Shown as an amount in a currency of
        nowhere, on the status page and in every download, and refused by the form at its next
        save; what the admin's "Pemeriksaan data" filter and ``manage.py check_statuses`` list
        for the bureau to mend by hand."""
        return self.filter(Agreement.unknown_currency_q())

    def with_contradicting_term(self):
        """Amendments outlasting the text they amend (``Agreement.term_contradictions``):
        ending after it, as the forms refuse them (the amendment's end read as the first day
        its date covers, the text's as the last, so that only an end certainly after is
        listed); with no expiry while the text has one; still signed or in force, not run out
        by its own date, while the text is recorded terminated or cancelled. Extensions ending
        no later than the text they extend (the extension's end read as the last day its date
        covers, the text's as the first). Rows written before those rules; what the
        admin's "Pemeriksaan data" filter and ``manage.py check_statuses`` list for the bureau
        to mend by hand (an end to correct, an extension recorded as an amendment, a status to
        record)."""
        amendments = Q(relation=AgreementRelation.AMENDS) & (
            Q(GreaterThan(F("expires_on"), PeriodEnd("follows__expires_on")))
            | Q(expires_on__isnull=True, follows__expires_on__isnull=False)
            | (
                Q(status__in=SIGNED_STATUSES, follows__status__in=TERM_CUT_SHORT)
                & ~Agreement.lapsed_q(timezone.localdate())
            )
        )
        extensions = Q(relation=AgreementRelation.EXTENDS) & Q(
            GreaterThanOrEqual(F("follows__expires_on"), PeriodEnd("expires_on"))
        )
        return self.filter(amendments | extensions)

    def in_region(self, region):
        """Agreements any region of ``region`` is party to; a province includes its regencies.

        A semi-join (``id IN (…)``) rather than a join, so an agreement with several party
        regions in the province comes once without ``DISTINCT``, and counting stays cheap.

        The regions are read first (``Region.objects.ids_within``), so the planner sees how many
        agreements they are party to: a province's list read its few hundred agreements by
        walking the whole register in signing order, probing each for a party in the province.
        """
        parties = Agreement.regions.through.objects.filter(
            region__in=Region.objects.ids_within(region)
        )
        dimension = "province" if region.level == Region.Level.PROVINCE else "region"
        return self._narrowed(
            parties.values("agreement_id"), ("in_region", region), dimension, region.pk
        )

    def linked(self, field):
        """A condition on the rows ``field`` links agreements to (regions, partners, sectors,
        agencies): true of a row at least one of ``self`` links to, e.g. ``Region.objects.filter(
        agreements.linked("regions"))``, the regions party to one of ``agreements``.

        An ``EXISTS``, which the planner may run for each row, probing that row's links by the
        index of them by row (migration 0042), or turn into one pass over every link of
        ``self``, where ``pk IN (…)`` always collects them all. Within an ``OR`` (every
        province, or a region party to the selection) it weighs the two by how much of the
        register ``self`` is: at 100,000 agreements, the regions of a sector's page holding
        77,000 of them took 3.8 ms where collecting took 59 ms; for a sector of 8,600, or of
        240, both ways took the same."""
        relation = Agreement._meta.get_field(field)
        through = relation.remote_field.through
        column = relation.m2m_reverse_field_name()
        return Q(
            models.Exists(
                through.objects.filter(
                    **{column: OuterRef("pk")}, agreement__in=self.order_by().values("pk")
                )
            )
        )

    def _narrowed(self, agreement_ids, narrowing, dimension, key):
        """``self`` narrowed to ``agreement_ids`` (a semi-join) by ``narrowing``, the method
        and argument that did it, which the counts the database keeps count under ``dimension``
        and ``key``: remembered for ``tallied_count`` (hints go along with every clone)."""
        narrowed = self.filter(pk__in=agreement_ids)
        narrowed._hints = {**narrowed._hints, "narrowed": (narrowing, dimension, str(key))}
        return narrowed

    def hinted(self, condition):
        """``self`` with ``condition``, which its own conditions imply, said to the database in
        the terms of an index its order reads (``AgreementFilter.filter_queryset``), and counted
        without it (``caching.cached_count``): a count reads the narrow index of migration 0007,
        which the condition's terms are not in."""
        hinted = self.filter(condition)
        hinted._hints = {**hinted._hints, "counted": self}
        return hinted

    # -- who may read and change what, and the pages that list it ----------------------------

    def editable_by(self, user):
        """What ``user`` may change: agreements led by one of their regions (a province's editor
        also covers its regencies and cities); everything for administrators, nothing for
        officials, analysts and the public. Mirrors ``Agreement.is_editable_by``."""
        from access.models import editable_region_ids, is_administrator

        if is_administrator(user):
            return self.all()
        return self.filter(lead_region_id__in=editable_region_ids(user))

    def visible_to(self, user):
        """What ``user`` may read: the public sees published agreements only.

        Staff and anyone holding a role (officials, analysts, editors, administrators; see
        ``access.models.can_see_internal``) see internal ones too. Every page, count, search
        and export starts here.
        """
        return self.visible_as(reads_internal(user))

    def visible_as(self, internal):
        """``visible_to`` a reader who reads internal agreements (``internal``) or one who does
        not: all there is to a reader here, so what is built for one (a search's SQL,
        ``agreements.search._compiled_word``) serves every reader of the same."""
        return self.all() if internal else self.public()

    def for_list_page(self):
        """Everything a row of an agreement list shows, in a fixed number of queries.

        The agreements with their lead region, their stored next step with its own agreement
        (whether it is overdue is read from them, ``Agreement.next_step_overdue``) and the day a
        terminated one ended (``with_termination``), in one query; then the party
        regions, partners and sectors of the whole page (one query each), however many rows
        there are, each row's as a list (``listed_regions``, ``listed_partners``,
        ``listed_sectors``): kept as the relation's queryset, each was filtered again for each
        row, 3 ms of a page of 25.
        """
        return (
            self.select_related("lead_region", "next_milestone__agreement")
            .prefetch_related(
                models.Prefetch("regions", to_attr="listed_regions"),
                models.Prefetch("partners", to_attr="listed_partners"),
                models.Prefetch("sectors", to_attr="listed_sectors"),
            )
            .with_termination()
        )

    def with_change_count(self):
        """Each agreement with ``change_count``: the counter the database moves on with any
        change to its rows (its own, its parties, sectors, milestones, documents…; migration
        0026), read in the same statement as the agreement itself. A list page names the
        agreements it shows by it (``agreements.views.page_signature``)."""
        return self.annotate(
            change_count=models.Func(
                F("pk"),
                template="coalesce((SELECT changes FROM coopdb_agreement_version "
                "WHERE agreement_id = %(expressions)s), 0)",
                output_field=models.BigIntegerField(),
            )
        )

    def with_public_since(self):
        """Each agreement with ``public_since``: when the public could first read it, the time
        of its first version saved while public (its history), else when it was recorded. A
        draft kept internal and published later was not there for the public before: what a
        public surface dates by it (the Atom feed's "published") never tells how long the
        bureau kept it internal. Read in the same statement as the agreement itself."""
        return self.annotate(public_since=self.public_since(OuterRef("pk"), "created_at"))

    @staticmethod
    def public_since(agreement, created):
        """``public_since`` (``with_public_since``) of the agreement ``agreement`` (an
        ``OuterRef`` to its id) recorded at ``created`` (a field path), as an expression:
        what a query of its rows (its milestones) reads it by."""
        first_public = (
            Agreement.history.model.objects.filter(
                id=agreement, visibility=AgreementVisibility.PUBLIC
            )
            .order_by("history_date", "history_id")
            .values("history_date")[:1]
        )
        return Coalesce(models.Subquery(first_public), created)

    def with_termination(self):
        """Each agreement with the day its termination step was done, as known
        (``termination_done_on`` and its precision, ``Agreement.terminated_on``), read in the
        same statement as the agreement itself: a list's rows say when a terminated agreement
        ended without reading its milestones (``termination_fields``)."""
        return self.annotate(**self.termination_fields())

    @staticmethod
    def termination_fields():
        """{name: expression} of the day a terminated agreement's termination step was done, as
        known: ``termination_done_on`` and ``termination_done_on_precision``, NULL for every
        other agreement. Annotated by ``with_termination`` and read by the exports' column
        ``terminated_on`` (``export_columns.computed_fields``). The earliest day, and the finest
        precision it is known to that day, each an aggregate of the agreement's few steps,
        read for a terminated agreement alone: nothing sorted beside the list's own order, no
        step read for the rest. Mirrors ``Agreement.terminated_on``; the precision refers to
        the day, so the two are annotated in this order."""

        def steps(**more):
            return (
                Milestone.objects.filter(
                    Milestone.records_termination_q(), agreement=OuterRef("pk"), **more
                )
                .order_by()
                .values("agreement")
            )

        def of_terminated(subquery):
            return models.Case(
                models.When(Q(status=AgreementStatus.TERMINATED), then=models.Subquery(subquery))
            )

        return {
            "termination_done_on": of_terminated(
                steps().annotate(day=models.Min("done_on")).values("day")
            ),
            "termination_done_on_precision": of_terminated(
                steps(done_on=OuterRef("termination_done_on"))
                .annotate(precision=models.Min("done_on_precision"))
                .values("precision")
            ),
        }

    def for_status_page(self, reader=None):
        """An agreement with all its status page shows ``reader``, in a fixed number of queries.

        The agreement with its lead region, then its party regions, partners (with country and
        subdivision), sectors, implementing agencies, signatories, milestones and documents
        (each with when the reader may know it was uploaded, ``with_upload_known_to``): eight
        queries, however many of each.
        """
        return self.select_related("lead_region").prefetch_related(
            "regions",
            models.Prefetch(
                "partners", queryset=Partner.objects.select_related("country", "subdivision")
            ),
            "sectors",
            models.Prefetch("agencies", queryset=Agency.objects.select_related("region")),
            "signatories",
            "milestones",
            models.Prefetch("documents", queryset=Document.objects.with_upload_known_to(reader)),
        )

    def chains(self):
        """Every agreement of the chains these agreements belong to: up from each through what
        it follows to the first document, then down from there through all that follows, every
        hop and every relation. One recursive query, inside the queryset's own."""
        table = connection.ops.quote_name(Agreement._meta.db_table)
        try:
            selection_sql, params = self.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # nothing selected: no chain either
            return Agreement.objects.none()
        chain = f"""
            WITH RECURSIVE up(id, follows_id) AS (
                SELECT id, follows_id FROM {table} WHERE id IN ({selection_sql})
                UNION
                SELECT a.id, a.follows_id FROM {table} a JOIN up ON a.id = up.follows_id
            ),
            down(id) AS (
                SELECT id FROM up WHERE follows_id IS NULL
                UNION
                SELECT a.id FROM {table} a JOIN down ON a.follows_id = down.id
            )
            SELECT id FROM down
        """
        return Agreement.objects.filter(pk__in=RawSQL(chain, params))

    def continuations(self):
        """Every agreement that continues one of these, however many documents down (these
        themselves only where a chain already loops back). One recursive query."""
        table = connection.ops.quote_name(Agreement._meta.db_table)
        try:
            selection_sql, params = self.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return Agreement.objects.none()
        down = f"""
            WITH RECURSIVE down(id) AS (
                SELECT id FROM {table} WHERE follows_id IN ({selection_sql})
                UNION
                SELECT a.id FROM {table} a JOIN down ON a.follows_id = down.id
            )
            SELECT id FROM down
        """
        return Agreement.objects.filter(pk__in=RawSQL(down, params))

    def along_lines(self, inside=False):
        """Every agreement a sign of life done on one of these counts for: the documents of
        each one's line (``lines_of``) that it may tell on; ``inside``, as a reader of internal
        records reads them (an internal text's for its public amendment too). The rule of
        ``lines_of`` in one recursive query, inside the queryset's own, for a day whose signs
        of life are not those stored (``dormant`` on an earlier day)."""
        table = connection.ops.quote_name(Agreement._meta.db_table)
        try:
            selection_sql, params = self.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return Agreement.objects.none()
        carrying_out = ", ".join(["%s"] * len(CARRYING_OUT))
        # Read inside, every sign of life of an amendment's line counts for it (``lines_of``).
        amendment = "OR a.relation = %s" if inside else ""
        # Each document reached keeps the visibility of the one whose sign of life it carries:
        # up through what it follows, and down through what follows it, never up then down
        # (a PKS's activity is not its sister PKS's), but for the amendments of what is reached
        # up (an amendment is part of the text it amends).
        line = f"""
            WITH RECURSIVE done(id, visibility) AS (
                SELECT id, visibility FROM {table} WHERE id IN ({selection_sql})
            ),
            up(id, visibility) AS (
                SELECT id, visibility FROM done
                UNION
                SELECT a.follows_id, up.visibility FROM {table} a JOIN up ON a.id = up.id
                WHERE a.follows_id IS NOT NULL AND a.relation IN ({carrying_out})
            ),
            down(id, visibility) AS (
                SELECT id, visibility FROM done
                UNION
                SELECT a.id, down.visibility FROM {table} a JOIN down ON a.follows_id = down.id
                WHERE a.relation IN ({carrying_out})
            ),
            amending(id, visibility) AS (
                SELECT id, visibility FROM up
                UNION
                SELECT a.id, amending.visibility FROM {table} a
                JOIN amending ON a.follows_id = amending.id
                WHERE a.relation = %s
            )
            SELECT told.id
            FROM (
                SELECT id, visibility FROM amending UNION SELECT id, visibility FROM down
            ) told
            JOIN {table} a ON a.id = told.id
            WHERE told.visibility = %s OR a.visibility <> %s {amendment}
        """
        public = AgreementVisibility.PUBLIC.value
        values = [v.value for v in CARRYING_OUT]
        amends = AgreementRelation.AMENDS.value
        told = [public, public, *([amends] if inside else [])]
        return Agreement.objects.filter(
            pk__in=RawSQL(line, [*params, *values, *values, amends, *told])
        )

    def for_chain_page(self):
        """The documents of a chain as the status page lists them: each with its lead region
        and milestones (two queries)."""
        return self.select_related("lead_region").prefetch_related("milestones")

    def refresh_progress(self, today=None):
        """Store where the chains of these agreements stand (``progress_of_chain``): next
        stage, next milestone, whom it waits on, its target date; the latest sign of life
        done along each one's line (``lines_of``), which says whether it is dormant
        (``dormant``); and raise the status of a document not yet signed that is behind its
        path (``status_on_path``).

        Every write path calls it, in its transaction, after writing an agreement or its
        milestones: the admin, the importer, the demo and the benchmark's generator. A change
        to one document changes what the documents following it inherit, so the whole chain is
        read again. Returns how many agreements changed. Reads the chains' agreements and
        milestones (a query each, in chunks at national scale) and writes only what changed.

        What is stored holds on ``today``: a text that ends by its date lends its step to the
        text it carries out no more from the day after (``progress_of_chain``), with no write
        to tell it; ``manage.py refresh_progress``, run daily, stores those chains again
        (``lapsed_between``).
        """
        everything = not self.query.where
        chain = Agreement.objects.all() if everything else self.chains()
        return store_progress(chain, Milestone.objects, everything=everything, today=today)

    def waiting_on(self, parties, today=None):
        """Cooperations whose next step waits on one of ``parties`` (values of
        ``WAITS_ON_CHOICES``) today: the stored rule, and nobody after the end, expired by its
        date included. ``WAITS_ON_NOBODY`` among them: those whose next step names nobody yet
        (``with_next_step``, ``waits_on`` empty), as the report counts them."""
        today = today or timezone.localdate()
        parties = list(parties)
        named = [party for party in parties if party != WAITS_ON_NOBODY]
        waiting = Q(waits_on__in=named) if named else Q(pk__in=[])
        each = [Q(waits_on=party) for party in named]
        if WAITS_ON_NOBODY in parties:
            nobody = Q(waits_on="") & Agreement.has_next_step_q()
            waiting |= nobody
            each.append(nobody)
        waiting_on = self.filter(waiting).exclude(
            Agreement.shown_status_q(AgreementStatus.EXPIRED, today)
        )
        if len(each) > 1:
            # Each party's are read apart in their own index (migration 0064) when paged
            # (``read_in_parts``): together, they are no range of one.
            waiting_on._hints = {**waiting_on._hints, "parts": tuple(each)}
        return waiting_on

    def with_next_step(self, today=None):
        """Cooperations with a next step today (stored by ``refresh_progress``), whether it
        names whom it waits on or not: those ``waiting_on`` counts under a party, and those
        whose step nobody is named for yet (``waits_on`` empty, ``WAITS_ON_NOBODY``). None
        after the end, expired by its date included."""
        today = today or timezone.localdate()
        return self.filter(Agreement.has_next_step_q()).exclude(
            Agreement.shown_status_q(AgreementStatus.EXPIRED, today)
        )

    def counts_by_waits_on(self, today=None):
        """{value of ``WAITS_ON_CHOICES``: how many of these cooperations wait on it} in one
        query, every party and then ``WAITS_ON_NOBODY``, those whose next step names nobody yet
        (``waiting_on``): from the counts the database keeps by month and day of expiry
        (``_tallied_by_expiry``, migrations 0024, 0039 and 0063), else one GROUP BY."""
        today = today or timezone.localdate()
        counts = self._tallied_by_expiry("waits", today)
        if counts is None:
            rows = (
                self.waiting_on([value for value, _label in WAITS_ON_CHOICES], today)
                .order_by()
                .values("waits_on")
                .annotate(count=self._agreement_count())
            )
            counts = {row["waits_on"] or WAITS_ON_NOBODY: row["count"] for row in rows}
        return {party: counts.get(party, 0) for party, _label in WAITS_ON_CHOICES}

    def with_overdue_steps(self, today=None):
        """Agreements with a step of their own overdue on ``today``
        (``MilestoneQuerySet.overdue``): those whose steps the dashboard counts as late. Read
        from the earliest target stored with where each stands (``overdue_after``), less those
        ended by their date: a step's target passing needs no write, and the list and its
        count read one index, where reading the overdue steps read a sixth of them at 100,000
        agreements (280 ms). A signed LoI whose next step is a late step of the text carrying it
        out is not one: that text is."""
        today = today or timezone.localdate()
        late = (
            self.filter(overdue_after__lt=today)
            .exclude(status__in=ENDED_STATUSES)
            .exclude(Agreement.lapsed_q(today))
        )
        # Counted from the counts the database keeps where it is all of them, or all the
        # public sees (``tallied_count``): the list's ``late=yes``.
        late._hints = {**late._hints, "kept": ("late", (today,))}
        return late

    def late_count(self, today=None):
        """How many of these agreements have a step overdue on ``today``
        (``with_overdue_steps``), in one query.

        Where the database keeps the counts (migration 0051), the months before today's give
        those late since before this month and lapsing after it (or never), and this month's
        days those turning late or lapsing this month, as ``dormant_count`` reads the dormant.
        Elsewhere every agreement with a target passed is read.
        """
        today = today or timezone.localdate()
        if self._tallied_visibilities() is None:
            return self.with_overdue_steps(today).count()
        return self._kept_turning_until_lapse("late", today)

    def overdue_step_count(self, today=None):
        """How many planned steps of these agreements are overdue on ``today``
        (``MilestoneQuerySet.overdue``), in one query.

        Where the database keeps the counts (migrations 0025 and 0039), the months before
        today's give the steps overdue since before this month, and this month's days the
        steps due this month and those of cooperations lapsing this month; elsewhere every
        overdue step is counted.
        """
        today = today or timezone.localdate()
        visibilities = self._tallied_visibilities()
        if visibilities is None:
            return Milestone.objects.overdue(today).filter(agreement__in=self.order_by()).count()
        first, _ = self._month_of(today)
        previous = (first - datetime.timedelta(days=1)).strftime("%Y-%m")
        this_month, this_month_params = self._tallied_this_month(
            "overdue_day",
            today,
            # Due before today; lapsed before today in the month it was due; lapsing from
            # today on, when it was due in a month before (counted by month as lapsed).
            [("due", "<", 1), ("gone", "<", -1), ("lapse", ">=", 1)],
        )
        kept = """
            (SELECT coalesce(sum(n) FILTER (WHERE key BETWEEN 'due|0' AND %s), 0)
                    - coalesce(sum(n) FILTER (WHERE key BETWEEN 'exp|0' AND %s), 0)
             FROM agreements_tally WHERE dimension = 'overdue' AND visibility = ANY(%s))
        """
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT {kept} + {this_month}",
                [
                    f"due|{previous}",
                    f"exp|{today:%Y-%m}",
                    visibilities,
                    *this_month_params,
                ],
            )
            # A count: PostgreSQL's sum of the kept counts is a numeric, which a plural
            # ("27 tahapan", "1 step") may not be chosen by.
            return int(cursor.fetchone()[0])

    def mark_changed(self, by_system=False):
        """Save a version of these agreements for a change to one of their parts (a milestone,
        a document) made on that part's own page or by the import; call it before writing the
        parts. ``by_system``: a change the register made by its own rule (``store_progress``
        raising a status), kept as no one's, not as the change of whoever's save set it off,
        whom it names apart (``SetOffBy``), for the change log to say it followed their save.

        A change form of the agreement carries its milestones and documents as they were when
        it was opened; saved after such a change it would write them back. With the version
        moved on it is refused instead (``AgreementAdminForm.check_unchanged``). The version is
        kept in the agreement's history, by whoever is saving (the request's user), with its
        parties: the parts saved after it are told as its changes (``agreements.changelog``),
        as those saved with the agreement's form are.

        Queries: the update, the agreements, their history entries, then the parties
        (``record_parties``).
        """
        from agreements.parties import record_parties  # it writes through this module

        changed = self.update(version=F("version") + 1, updated_at=timezone.now())
        agreements = list(Agreement.objects.filter(pk__in=self.values("pk")).order_by())
        kept = {}
        if by_system and agreements:
            # Whose save set it off: the request's user (an import's or a form's), none for a
            # command's (``SetOffBy``).
            kept["history_set_off_by"] = Agreement.history.model.get_default_history_user(
                agreements[0]
            )
            for agreement in agreements:
                agreement._history_user = None  # read before the request's user
        if agreements:
            Agreement.history.bulk_history_create(
                agreements, update=True, custom_historical_attrs=kept
            )
            record_parties([agreement.pk for agreement in agreements])
        return changed

    def carried_out_by(self, agency):
        """Agreements ``agency`` carries out (a semi-join: each agreement once)."""
        links = Agreement.agencies.through.objects.filter(agency=agency)
        return self.filter(pk__in=links.values("agreement_id"))

    def funded_from(self, sources):
        """Agreements whose budget comes from one of ``sources`` (``BudgetSource`` values).
        Only for readers of the budget (``reads_internal``)."""
        return self.filter(budget_source__in=list(sources))

    def with_partner(self, partner):
        parties = Agreement.partners.through.objects.filter(partner=partner)
        return self._narrowed(
            parties.values("agreement_id"), ("with_partner", partner), "partner", partner.pk
        )

    def with_partner_country(self, country):
        """Agreements with at least one partner from ``country``."""
        parties = Agreement.partners.through.objects.filter(partner__country=country)
        return self._narrowed(
            parties.values("agreement_id"),
            ("with_partner_country", country),
            "country",
            getattr(country, "pk", country),
        )

    def in_sector(self, sector):
        return self.in_sectors([sector])

    def in_sectors(self, sectors):
        """Agreements in any of ``sectors`` (a semi-join: each agreement once)."""
        sectors = list(sectors)
        links = Agreement.sectors.through.objects.filter(sector__in=sectors)
        if len(sectors) != 1:
            return self.filter(pk__in=links.values("agreement_id"))
        (sector,) = sectors
        return self._narrowed(
            links.values("agreement_id"), ("in_sectors", sectors), "sector", sector.pk
        )

    # -- the pages that list these agreements (the sitemap's subject pages) --------------------

    def party_regions(self):
        """Regions whose page lists one of these agreements: the party regions and, as a
        province's page includes its regencies and cities, their provinces."""
        parties = Agreement.regions.through.objects.filter(
            agreement__in=self.order_by().values("pk")
        )
        region_ids = parties.values("region_id")
        provinces = Region.objects.filter(pk__in=region_ids).values("province_id")
        return Region.objects.filter(Q(pk__in=region_ids) | Q(pk__in=provinces))

    def party_partners(self):
        """Partners party to one of these agreements."""
        parties = Agreement.partners.through.objects.filter(
            agreement__in=self.order_by().values("pk")
        )
        return Partner.objects.filter(pk__in=parties.values("partner_id"))

    def partner_countries(self):
        """Countries whose page lists one of these agreements: those of their partners."""
        return Country.objects.filter(pk__in=self.party_partners().values("country_id"))

    def covered_sectors(self):
        """Sectors whose page lists one of these agreements."""
        links = Agreement.sectors.through.objects.filter(agreement__in=self.order_by().values("pk"))
        return Sector.objects.filter(pk__in=links.values("sector_id"))

    def with_documents(self):
        return self.filter(pk__in=Document.objects.values("agreement_id"))

    def without_documents(self):
        return self.exclude(pk__in=Document.objects.values("agreement_id"))

    def dormant(self, today=None, on=None, inside=None):
        """In force for over a year with no activity or evaluation done along its line in the
        last year: on ``today`` or, given, on the day ``on`` (``with_shown_status``).

        The *mati suri* of many cooperations: signed, then nothing. A sign of life done on a
        document counts for every document of its line (``lines_of``): an amendment whose MoU
        is carried out every month is not dormant. A start or a sign of life known only to its
        month or year counts from the last day of that period (``quiet_from``). Today's is read
        from what is stored (``Agreement.last_sign_of_life_on``); an earlier day's from the
        steps done by then, as what was done after the day tells nothing (``along_lines``).
        Each line read as these agreements' reader reads it (``inside``: unless given,
        ``reads_inside``). Mirrors ``Agreement.is_dormant_on``.
        """
        today = today or timezone.localdate()
        day = today if on is None else on
        since = day - DORMANT_AFTER
        inside = self.reads_inside() if inside is None else inside
        # A start and a sign of life count from the last day their known period covers
        # (``quiet_from``): the stored sign of life is that day already.
        in_force_a_year = self.with_shown_status(AgreementStatus.IN_FORCE, today, on).filter(
            started_by_q(since)
        )
        if on is None:
            dormant = in_force_a_year.filter(Agreement.quiet_since_q(since, inside))
            # Counted from the counts the database keeps where it is all of them, or all the
            # public sees (``tallied_count``): the list's ``dormant=yes``.
            dormant._hints = {**dormant._hints, "kept": ("dormant", (today,))}
            return dormant
        alive = Milestone.objects.filter(
            signs_of_life_q(), not_ended_before("done_on", since + datetime.timedelta(days=1), on)
        )
        lively = Agreement.objects.filter(pk__in=alive.values("agreement_id"))
        return in_force_a_year.exclude(pk__in=lively.along_lines(inside).values("pk"))

    def dormant_to_the_public_alone(self, today=None):
        """The agreements among these that lie dormant on ``today`` as the public reads their
        lines, as the counts the database keeps count them, and not as a reader of internal
        records reads them (``Agreement.quiet_since_q``): the few public amendments of internal
        texts active in the last year. Read from their index (migration 0070); what a reader
        of internal records' kept counts take away (``dormant_count``)."""
        today = today or timezone.localdate()
        since = today - DORMANT_AFTER
        return self.dormant(today, inside=False).filter(inside_sign_of_life_on__gt=since)

    def dormant_cooperations(self, today=None, on=None):
        """The cooperations of these agreements dormant on ``today`` or, given, on the day
        ``on`` (``dormant``), each once (``each_cooperation_once``): an amendment dormant with
        the text it amends, that text dormant among these too, is part of it, not a second
        cooperation lying dormant beside it (docs/stages.md). What every surface that lists or
        counts the dormant reads: the dashboard's *Mati suri* and the list it leads to
        (``dormant=yes``, which applies the same rule to the whole selection), a region's page,
        the editors' digest, the report and the admin's filter (``dormant_count``)."""
        today = today or timezone.localdate()
        running_on = today if on is None else None
        return self.dormant(today, on).each_cooperation_once(running_on=running_on)

    def dormant_with_their_text(self, today=None):
        """The amendments among ``dormant(today)`` that ``dormant_cooperations`` leaves out:
        dormant with the text they amend, that text dormant among these too
        (``Agreement.ends_with_text_among_q``), which the counts the database keeps count
        apart. Read from the index of the amendments by the day each ends (migration 0060),
        not every cooperation in force (``ends_on_or_after_q``)."""
        today = today or timezone.localdate()
        dormant = self.dormant(today)
        return dormant.filter(ends_on_or_after_q(today)).filter(
            Agreement.ends_with_text_among_q(dormant)
        )

    def dormant_count(self, today=None):
        """How many cooperations of these agreements are dormant on ``today``, each once
        (``dormant_cooperations``), in one query.

        Where the database keeps the counts (migrations 0027 and 0039), the months before
        today's give those that turned dormant before this month and lapse after it (or
        never): those quiet since a month before this one, less those of them lapsing by this
        month. This month's days give those turning dormant or lapsing this month. Less, in
        the same statement, the few amendments dormant with their text
        (``dormant_with_their_text``), which the kept counts count apart. Elsewhere every
        cooperation in force is read.
        """
        today = today or timezone.localdate()
        visibilities = self._tallied_visibilities()
        if visibilities is None:
            return self.dormant_cooperations(today).count()
        less = dormant_apart_sql(
            (self.db, tuple(visibilities), self.reads_inside(), today, None),
            lambda: self._counted_apart_of_dormant(today),
        )
        return self._kept_turning_until_lapse("dormant", today, turned="quiet", less=less)

    def _counted_apart_of_dormant(self, today):
        """What the counts the database keeps of the dormant count, and ``dormant_cooperations``
        does not (``dormant_count``): the amendments dormant with their text; for a reader of
        internal records, the public amendments dormant only as the public reads their lines
        too (``dormant_to_the_public_alone``). None of one among the other."""
        apart = [self.dormant_with_their_text(today)]
        if self.reads_inside():
            apart.append(self.dormant_to_the_public_alone(today))
        return apart

    def _kept_turning_until_lapse(self, dimension, today, turned=None, less=None):
        """How many of ``self`` the counts the database keeps of ``dimension`` (dormant, late)
        hold on ``today``: each agreement counted from the day it turned so (key ``turned``,
        by default the dimension's name) until it lapses (``exp``), by month
        (``<turned>|YYYY-MM``) and by day of today's month (``<dimension>_day``, migration
        0039): the months before today's give those turned before this month and lapsing
        after it (or never), this month's days those turning or lapsing this month. Less the
        rows ``less`` counts, given (``counted_apart``'s SQL and parameters), in the same
        statement."""
        turned = turned or dimension
        month = today.strftime("%Y-%m")
        this_month, this_month_params = self._tallied_this_month(
            f"{dimension}_day",
            today,
            # Turned by today; lapsed before today in the month it turned; lapsing from today
            # on, when it turned in a month before (counted by month as lapsed).
            [(turned, "<=", 1), ("gone", "<", -1), ("lapse", ">=", 1)],
        )
        sql = f"""
            SELECT (SELECT coalesce(sum(n) FILTER (WHERE key >= %s AND key < %s), 0)
                           - coalesce(sum(n) FILTER (WHERE key BETWEEN 'exp|0' AND %s), 0)
                    FROM agreements_tally
                    WHERE dimension = %s AND visibility = ANY(%s))::bigint
                 + {this_month}
        """
        params = [f"{turned}|", f"{turned}|{month}", f"exp|{month}", dimension]
        less_sql, less_params = less or ("", [])
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                sql + less_sql,
                [*params, self._tallied_visibilities(), *this_month_params, *less_params],
            )
            return cursor.fetchone()[0]

    def search(self, text, reader=None):
        """Agreements matching every word of ``text``, best match first where the database can rank.

        A word matches an agreement's title, summary or reference, the name of a party region
        or partner (or the partner's country), or a sector, in Indonesian or English. On
        PostgreSQL the words are stemmed (``pendidikan`` finds ``didik``), ranked, and party
        names tolerate a small typo; elsewhere a case-insensitive substring search stands in.
        See ``agreements.search``. ``reader`` is who searches (else the public): a partner they
        may not know of (``PartnerQuerySet.visible_to``) changes nothing they find.
        """
        from agreements.search import search_agreements

        return search_agreements(self, text, reads_internal(reader))

    def listed_first(self):
        """The keys of these agreements, the most recently signed first (undated ones last): a
        search lists the first ``SEARCH_LISTS_AT_MOST`` of them when more match, and ranks
        those (``paging.SearchPaginator``, ``among``)."""
        return self.order_by(F("signed_on").desc(nulls_last=True), "-pk").values_list(
            "pk", flat=True
        )

    def signing_years(self):
        """The years in which one of these agreements was signed, oldest first, read from the
        signing-date index at a few points (``common.years.years_with_rows``)."""
        return years_with_rows(self, "signed_on")

    # -- counts the database keeps (migration 0016) --------------------------------------------

    def _tallied_visibilities(self):
        """The visibilities whose tallies (``agreements_tally``) count exactly ``self``: every
        one for the whole register, the public one for what the public sees; None for anything
        narrower, and where there are no tallies (SQLite)."""
        # Asked by each count of a page of ``self`` (the dashboard asks ten times): worked
        # out once per queryset, which no later call changes (every filter makes a new one).
        try:
            return self._tallied
        except AttributeError:
            pass
        self._tallied = None
        if connections[self.db].vendor != "postgresql":
            return None
        shape = self._selection_shape()
        if shape is None:
            return None
        whole, public = _tallied_shapes()
        if shape == whole:
            self._tallied = list(AgreementVisibility.values)
        elif shape == public:
            self._tallied = [AgreementVisibility.PUBLIC.value]
        return self._tallied

    def built_key(self):
        """All that decides the SQL of a query built from ``self`` by the same code with the
        same values (``read_compiled_once``): its database, the SQL selecting it
        (``_selection_shape``, a province's regencies and cities included, read as they stand),
        as a digest, and how its lines are read (``reads_inside``). None where nothing can
        match."""
        shape = self._selection_shape()
        if shape is None:
            return None
        return self.db, hashlib.sha256(shape.encode()).hexdigest(), self.reads_inside()

    def _tallied_by(self, dimension):
        """(dimension, visibilities) of the counts the database keeps of ``self`` by
        ``dimension`` (region, partner or country): the whole register's or the public's, or
        one subject's, as pairs (migration 0046: ``province.partner|37`` where ``self`` is the
        agreements of the province with id 37); None where none count ``self``."""
        visibilities = self._tallied_visibilities()
        if visibilities is not None:
            return dimension, visibilities
        narrowing = self._tallied_narrowing()
        if narrowing is None or (narrowing[0], dimension) not in TALLIED_PAIRS:
            return None
        subject, key, visibilities = narrowing
        return f"{subject}.{dimension}|{key}", visibilities

    def tally_expression(self, dimension, key_sql):
        """How many of ``self`` each row of another table has, as an SQL expression read from the
        counts the database keeps (``dimension``: sector, region, partner or country;
        ``key_sql`` the row's key as text); None where ``self`` is not the whole register or
        what the public sees. (A subject's few keys are read whole: ``tallied_keys``.)"""
        visibilities = self._tallied_visibilities()
        if visibilities is None:
            return None
        return RawSQL(
            "SELECT coalesce(sum(n), 0)::bigint FROM agreements_tally "
            f"WHERE dimension = %s AND key = {key_sql} AND visibility = ANY(%s)",
            (dimension, visibilities),
            output_field=models.BigIntegerField(),
        )

    def tallied_keys(self, dimension, cast="bigint", limit=None):
        """The keys of ``dimension`` (sector, region, partner or country) that at least one of
        ``self`` has, as a subquery to filter another table's keys by (``pk__in=``), read from
        the counts the database keeps: a scan of that dimension's few rows, where
        ``tally_expression`` probes them once per row of the other table; None where ``self``
        is not what they count (``_tallied_by``). Given ``limit``, at most that many, the
        first in the order of the counts' index: enough to tell whether there are more (the
        largest province shares agreements with 4,900 of 5,000 partners at 100,000)."""
        tallied = self._tallied_by(dimension)
        if tallied is None:
            return None
        # A count is never below zero: a key counted under some visibility is one of them, and
        # no key is summed over its visibilities. Summed (GROUP BY key HAVING sum(n) > 0), the
        # database summed the counts of all 5,000 partners to ask whether the one a word names
        # is a party (``PartnerQuerySet.party_to``), three times in each query of a search;
        # unsummed, a key of its own is one look in their index.
        if limit is None:
            return RawSQL(
                f"SELECT key::{cast} FROM agreements_tally WHERE dimension = %s "
                "AND visibility = ANY(%s) AND n > 0",
                tallied,
            )
        return RawSQL(
            f"SELECT key::{cast} FROM (SELECT DISTINCT key FROM agreements_tally "
            "WHERE dimension = %s AND visibility = ANY(%s) AND n > 0 ORDER BY key LIMIT %s) k",
            (*tallied, limit),
        )

    def tallied_count(self):
        """How many agreements ``self`` holds, from the counts the database keeps, where they
        count exactly ``self``: the whole register or what the public sees (its kinds), or
        those of one region (``in_region``: a province counts an agreement once however many
        of its regions are party), one partner, one partner country or one sector, or one
        region's dormant (``_kept_quiet_of_region``), and nothing narrower (``_narrowed``).
        None otherwise: count the rows."""
        kinds = self.tallies("kind")
        if kinds is not None:
            return sum(kinds.values())
        kept = self._kept_selection()
        if kept is not None:
            name, arguments = self._hints["kept"]
            return getattr(kept, KEPT_SELECTIONS[name][1])(*arguments)
        quiet = self._kept_quiet_of_region()
        if quiet is not None:
            return self._region_dormant_count(*quiet)
        narrowing = self._tallied_narrowing()
        if narrowing is None:
            return None
        dimension, key, visibilities = narrowing
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(n), 0)::bigint FROM agreements_tally "
                "WHERE dimension = %s AND key = %s AND visibility = ANY(%s)",
                [dimension, key, visibilities],
            )
            return cursor.fetchone()[0]

    def _kept_selection(self):
        """The whole register or what the public sees, where ``self`` is exactly its dormant
        agreements today (``dormant``), those with a step overdue (``with_overdue_steps``) or
        those of some shown statuses (``with_shown_status_in``), whose count the database
        keeps (``KEPT_SELECTIONS``); None otherwise, and for anything narrower. (Counted row by
        row, the dormant of 100,000 agreements took 100 ms, those in force 35 ms.)"""
        kept = self._hints.get("kept")
        if kept is None or connections[self.db].vendor != "postgresql":
            return None
        name, arguments = kept
        selection, _count = KEPT_SELECTIONS[name]
        return self._whole_selected_as(
            lambda whole: [getattr(whole, selection)(*arguments)], selection, *arguments
        )

    def _selection_shape(self):
        """The SQL selecting ``self``'s ids, as compared with the selections whose counts the
        database keeps; None for ``none()`` or a filter nothing can match. Compiled once per
        queryset, which no later call changes (every filter makes a new one): a count asks it
        up to four times."""
        try:
            return self._shape
        except AttributeError:
            pass
        try:
            self._shape = str(self.order_by().values("pk").query)
        except EmptyResultSet:
            self._shape = None
        return self._shape

    def _whole_selected_as(self, selections, *named):
        """The whole register or what the public sees, whichever one of ``selections(whole)``
        (querysets) is exactly ``self``, in its conditions as compiled; None where none is.
        ``named`` names the selections (their method and arguments), under which the answer is
        kept for the same compiled ``self`` (``_SELECTED_AS``)."""
        shape = self._selection_shape()
        if shape is None:
            return None
        wholes = (Agreement.objects.all(), Agreement.objects.public())
        key = (self.db, shape, repr(named))
        if key in _SELECTED_AS:
            found = _SELECTED_AS[key]
            return None if found is None else wholes[found]
        found = next(
            (
                index
                for index, whole in enumerate(wholes)
                for selection in selections(whole)
                if shape == str(selection.order_by().values("pk").query)
            ),
            None,
        )
        if len(_SELECTED_AS) >= _SELECTED_AS_MAX:
            _SELECTED_AS.clear()
        _SELECTED_AS[key] = found
        return None if found is None else wholes[found]

    def _kept_quiet_of_region(self):
        """(region id, visibilities, today) where ``self`` is exactly one region's dormant
        agreements on ``today`` (``in_region``: a province's include its regencies' and
        cities'; ``dormant``), of the whole register or of what the public sees, whose rows the
        database keeps (migration 0053); None otherwise, and for anything narrower. (Counted row
        by row, those of the largest province, party to 56,000 of 100,000 agreements, read the
        whole register: 100-300 ms.)"""
        kept, narrowed = self._hints.get("kept"), self._hints.get("narrowed")
        if (
            kept is None
            or kept[0] != "dormant"
            or narrowed is None
            or narrowed[0][0] != "in_region"
            or connections[self.db].vendor != "postgresql"
        ):
            return None
        (today,) = kept[1]
        region = narrowed[0][1]
        # Narrowed to the region first, as the list and the region's page do, or after; each
        # cooperation once among the region's dormant (``dormant_cooperations``).
        whole = self._whole_selected_as(
            lambda whole: [
                whole.in_region(region).dormant_cooperations(today),
                whole.dormant(today).in_region(region).each_cooperation_once(running_on=today),
            ],
            "in_region.dormant_cooperations",
            region.pk,
            today,
        )
        return None if whole is None else (whole, region, today)

    def _region_dormant_count(self, whole, region, today):
        """How many cooperations of ``region`` (a province's include its regencies' and
        cities') among ``whole`` (the register, or what the public sees) are dormant on
        ``today``, each once, from the region's rows kept (migration 0053): those quiet by
        ``today`` and not lapsed before it, a range of the region's index; less, in the same
        statement, its few amendments dormant with their text (``dormant_with_their_text``)."""
        less_sql, less_params = dormant_apart_sql(
            (self.db, tuple(whole._tallied_visibilities()), whole.reads_inside(), today, region.pk),
            lambda: whole.in_region(region)._counted_apart_of_dormant(today),
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM agreements_tally_region_quiet "
                "WHERE region_id = %s AND visibility = ANY(%s) AND quiet_until <= %s "
                "AND (expires_by IS NULL OR expires_by >= %s))" + less_sql,
                [region.pk, whole._tallied_visibilities(), today, today, *less_params],
            )
            return cursor.fetchone()[0]

    def _tallied_narrowing(self):
        """(dimension, key, visibilities) where ``self`` is exactly the agreements of one
        subject that the counts the database keeps count (``_narrowed``: one region, partner,
        partner country or sector), of the whole register or of what the public sees; None
        otherwise. Worked out once per queryset: a page asks it of the same one for each of
        its filter lists, and each time compiled three queries to compare them."""
        try:
            return self._narrowing
        except AttributeError:
            pass
        self._narrowing = None
        narrowed = self._hints.get("narrowed")
        if narrowed is None or connections[self.db].vendor != "postgresql":
            return None
        (method, argument), dimension, key = narrowed
        whole = self._whole_selected_as(
            lambda whole: [getattr(whole, method)(argument)],
            method,
            getattr(argument, "pk", argument),
        )
        if whole is not None:
            self._narrowing = dimension, key, whole._tallied_visibilities()
        return self._narrowing

    def kept_late_and_coming(self, days, shown, today):
        """The first ``shown`` late steps of ``self`` (the longest late first) and the first
        ``shown`` coming due within ``days`` (the soonest first), as ``(step id, late, how many
        in its list)``, read from the steps kept for each province (migration 0045) where
        ``self`` is one province's agreements (``in_region``): each list reads its first rows
        from the province's index. How many are late is counted as the register's overdue
        steps are (``overdue_step_count``): those late since before today's month from the
        counts kept by month, less those lapsed by its end, with the rows of today's month (those
        due in it, those lapsing in it): the largest province's 19,000 late steps were counted
        one by one. None otherwise: number the milestones.

        Late and coming as ``MilestoneQuerySet.overdue`` and ``due_within`` tell them: still to
        do (the rows kept) and of a cooperation not lapsed by ``today``; late once the last day
        its target covers has passed (``ended_before``), coming where it has not and it begins
        by ``today`` and ``days`` (``not_ended_before``)."""
        narrowing = self._tallied_narrowing()
        # A province's, or (migration 0054) a regency's or a city's.
        if narrowing is None or narrowing[0] not in ("province", "region"):
            return None
        _dimension, province, visibilities = narrowing
        until = today + datetime.timedelta(days=days)
        kept = """
            FROM agreements_tally_province_step
            WHERE province_id = %s AND visibility = ANY(%s)
              AND (lapses_by IS NULL OR lapses_by >= %s)
        """
        scope = [province, visibilities, today]
        # As ``not_ended_before``; a coming step's target begins this year at the earliest.
        this_month, following = self._month_of(today)
        this_year = today.replace(month=1, day=1)
        previous = this_month - datetime.timedelta(days=1)
        month_end = following - datetime.timedelta(days=1)
        coming = """
            due_on >= %s AND (
                due_on BETWEEN %s AND %s
                OR (due_precision = 'month' AND due_on = %s)
                OR (due_precision = 'year' AND due_on = %s)
            )
        """
        coming_params = [this_year, today, until, this_month, this_year]
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"""
                SELECT s.milestone_id, s.late, CASE WHEN s.late THEN c.late ELSE c.coming END
                FROM (
                    SELECT ((
                        SELECT coalesce(sum(n) FILTER (WHERE key BETWEEN 'due|0' AND %s), 0)
                               - coalesce(sum(n) FILTER (WHERE key BETWEEN 'exp|0' AND %s), 0)
                        FROM agreements_tally WHERE dimension = %s AND visibility = ANY(%s)
                    ) + (
                        SELECT count(*) {kept} AND lapses_by <= %s AND due_by < %s
                    ) + (
                        SELECT count(*) {kept} AND due_by >= %s AND due_by < %s
                    ))::bigint AS late,
                    (SELECT count(*) {kept} AND ({coming})) AS coming
                ) c
                JOIN (
                    (SELECT milestone_id, true AS late, due_on {kept} AND due_by < %s
                     ORDER BY due_on, milestone_id LIMIT %s)
                    UNION ALL
                    (SELECT milestone_id, false, due_on FROM (
                        -- The coming steps' three ranges of the index, apart: walked as one,
                        -- from this year's first day, they passed this year's late steps.
                        (SELECT milestone_id, due_on {kept} AND due_on BETWEEN %s AND %s
                         ORDER BY due_on, milestone_id LIMIT %s)
                        UNION ALL
                        (SELECT milestone_id, due_on {kept}
                         AND due_precision = 'month' AND due_on = %s AND due_on < %s
                         ORDER BY milestone_id LIMIT %s)
                        UNION ALL
                        (SELECT milestone_id, due_on {kept}
                         AND due_precision = 'year' AND due_on = %s AND due_on < %s
                         ORDER BY milestone_id LIMIT %s)
                    ) parts ORDER BY due_on, milestone_id LIMIT %s)
                ) s ON true
                ORDER BY s.late, s.due_on, s.milestone_id
                """,
                [
                    f"due|{previous:%Y-%m}",
                    f"exp|{today:%Y-%m}",
                    f"province_overdue|{province}",
                    visibilities,
                    *(*scope, month_end, this_month),
                    *(*scope, this_month, today),
                    *(*scope, *coming_params),
                    *(*scope, today, shown),
                    *(*scope, today, until, shown),
                    *(*scope, this_month, today, shown),
                    *(*scope, this_year, today, shown),
                    shown,
                ],
            )
            return cursor.fetchall()

    def tallies(self, dimension):
        """{key: how many of ``self``} for ``dimension`` (kind or year) from the counts the
        database keeps, in one query over a few rows; None where ``self`` is not what they
        count."""
        visibilities = self._tallied_visibilities()
        if visibilities is None:
            return None
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT key, sum(n)::bigint FROM agreements_tally WHERE dimension = %s "
                "AND visibility = ANY(%s) GROUP BY key HAVING sum(n) > 0",
                [dimension, visibilities],
            )
            return dict(cursor.fetchall())

    # -- dashboard aggregates -----------------------------------------------------------------
    # Each answers one question of the dashboard with one GROUP BY query over the agreements in
    # ``self`` (already narrowed to what the reader may see). A filter that joins regions or
    # partners never counts an agreement twice: they count distinct agreements whenever a join
    # could repeat one (``_agreement_count``), and a plain COUNT otherwise, which PostgreSQL
    # answers from an index without sorting (migration 0007).

    def _agreement_count(self):
        """COUNT of the agreements in ``self``: DISTINCT only where a join may repeat a row."""
        return models.Count("id", distinct=len(self.query.alias_map) > 1)

    @staticmethod
    def predecessor_among(readable, field="pk"):
        """``field`` of the agreement this one follows, as an SQL expression: NULL unless that
        predecessor is among ``readable`` (what the reader may see).

        An editor may make a public agreement continue an internal one; a reader who may not
        see the internal one must not learn its number or title from its successor.
        """
        return models.Subquery(readable.filter(pk=OuterRef("follows_id")).values(field)[:1])

    @staticmethod
    def shown_status_case(today, on=None):
        """The shown status on ``today`` or, given, on the day ``on``, as an SQL expression:
        ``shown_status_q`` as a CASE (before today ``Agreement.dated_status_case``)."""
        if on is not None and on < today:
            return Agreement.dated_status_case(on, today)
        day = today if on is None else on
        derived = (AgreementStatus.EXPIRED, AgreementStatus.IN_FORCE, AgreementStatus.SIGNED)
        return models.Case(
            *(
                models.When(Agreement.shown_status_q(status, day), then=models.Value(status.value))
                for status in derived
            ),
            default=F("status"),
            output_field=models.CharField(),
        )

    def counts_by_status(self, today=None, on=None):
        """{shown status: number of agreements} for every status, in the order of a life, on
        ``today`` or, given, on the day ``on``.

        Where the database keeps the counts (``_tallied_by_expiry``), one query reads them and
        the few agreements whose shown status today they cannot tell: the signed ones, and
        those in force expiring this month. A day before today is counted from the dates
        (``Agreement.dated_status_case``), in ``PAST_STATUSES``, leaving out the agreements
        the register knew nothing of by then.
        """
        today = today or timezone.localdate()
        if on is not None and on < today:
            shown = self.shown_status_case(today, on)
            rows = self.order_by().values(shown=shown).annotate(count=self._agreement_count())
            counts = {row["shown"]: row["count"] for row in rows}
            return {status.value: counts.get(status.value, 0) for status in PAST_STATUSES}
        if on is not None:
            today = on
        # A signed text enters into force on a date of its own: read from the rows.
        counts = self._tallied_by_expiry(
            "status",
            today,
            rows=lambda: (
                self.filter(status=AgreementStatus.SIGNED)
                .order_by()
                .values(shown=self.shown_status_case(today))
                .annotate(count=models.Count("id"))
            ),
            lapsed_to=AgreementStatus.EXPIRED,
            leave_out=[AgreementStatus.SIGNED],
        )
        if counts is None:
            shown = self.shown_status_case(today)
            rows = self.order_by().values(shown=shown).annotate(count=self._agreement_count())
            counts = {row["shown"]: row["count"] for row in rows}
        return {status: counts.get(status, 0) for status in AgreementStatus.values}

    @staticmethod
    def _month_of(today):
        """The first day of ``today``'s month and of the month after."""
        first = today.replace(day=1)
        return first, (first + datetime.timedelta(days=31)).replace(day=1)

    def _tallied_by_expiry(self, dimension, today, *, rows=None, lapsed_to=None, leave_out=()):
        """{value: how many of ``self``} of ``dimension`` (status or waits, migrations 0024 and
        0039) on ``today``, in one query, from the counts the database keeps by month and day of
        expiry; None where ``self`` is not what they count.

        A signed or in-force agreement of a month before today's has lapsed: it counts for
        ``lapsed_to`` (or for nothing); one of a later month, or one that lapses by no date,
        counts for its value. Today's month is read by day: one of a day before today has
        lapsed. The values in ``leave_out`` are what ``rows`` (a function giving a
        ``values(…).annotate(count=…)`` of ``self``, one value and a count per row, compiled
        once a day: ``compiled_once``) counts from the agreements themselves.
        """
        visibilities = self._tallied_visibilities()
        if visibilities is None:
            return None
        rows_sql, rows_params = "SELECT NULL, 0 WHERE false", ()
        if rows is not None:

            def compile_rows():
                with contextlib.suppress(EmptyResultSet):  # no rows: the tallies alone
                    return rows().query.sql_with_params()
                return "SELECT NULL, 0 WHERE false", ()

            rows_sql, rows_params = compiled_once(
                (f"{dimension} rows", self.built_key(), today), compile_rows
            )
        first, following = self._month_of(today)
        sql = f"""
            SELECT CASE WHEN split_part(key, '|', 2) BETWEEN '0' AND %s THEN %s
                        ELSE split_part(key, '|', 1) END,
                   sum(n)::bigint
            FROM agreements_tally
            WHERE dimension = %s AND visibility = ANY(%s)
              AND split_part(key, '|', 2) <> %s AND NOT split_part(key, '|', 1) = ANY(%s)
            GROUP BY 1
            UNION ALL
            SELECT CASE WHEN key < %s THEN %s ELSE split_part(key, '|', 2) END, sum(n)::bigint
            FROM agreements_tally
            WHERE dimension = %s AND visibility = ANY(%s) AND key >= %s AND key < %s
              AND NOT split_part(key, '|', 2) = ANY(%s)
            GROUP BY 1
            UNION ALL
            ({rows_sql})
        """
        # ``BETWEEN '0' AND`` the month before: an empty month (no lapsing) sorts before '0'.
        previous = (first - datetime.timedelta(days=1)).strftime("%Y-%m")
        lapsed_to = None if lapsed_to is None else str(lapsed_to)
        leave_out = [str(v) for v in leave_out]
        params = [
            *(previous, lapsed_to, dimension, visibilities, f"{today:%Y-%m}", leave_out),
            *(today.isoformat(), lapsed_to, f"{dimension}_day", visibilities),
            *(first.isoformat(), following.isoformat(), leave_out),
        ]
        counts = {}
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [*params, *rows_params])
            for value, n in cursor.fetchall():
                if value is not None and n:
                    counts[value] = counts.get(value, 0) + n
        return counts

    def _tallied_this_month(self, dimension, today, terms):
        """An SQL sum, and its parameters, over the counts the database keeps by day of
        ``today``'s month (a ``…_day`` dimension of migration 0039, keyed ``<day>|<what>``):
        for each ``(what, comparison, sign)`` of ``terms``, ``sign`` times the count of
        ``what`` on the days that compare so with today. Reads at most the month's days."""
        first, following = self._month_of(today)
        sums, params = [], []
        for what, comparison, sign in terms:
            assert comparison in ("<", "<=", ">=") and sign in (1, -1)
            sums.append(
                f"{'-' if sign < 0 else '+'} coalesce(sum(n) FILTER (WHERE split_part(key, '|', 2)"
                f" = %s AND split_part(key, '|', 1) {comparison} %s), 0)"
            )
            params.extend([what, today.isoformat()])
        sql = f"""
            (SELECT 0 {" ".join(sums)}
             FROM agreements_tally
             WHERE dimension = %s AND visibility = ANY(%s) AND key >= %s AND key < %s)::bigint
        """
        visibilities = self._tallied_visibilities()
        return sql, [*params, dimension, visibilities, first.isoformat(), following.isoformat()]

    def counts_by_kind(self):
        """{kind: number of agreements}, most common first; kinds without any are left out."""
        tallied = self.tallies("kind")
        if tallied is not None:
            return dict(sorted(tallied.items(), key=lambda item: (-item[1], item[0])))
        rows = (
            self.order_by()
            .values("kind")
            .annotate(count=self._agreement_count())
            .order_by("-count", "kind")
        )
        return {row["kind"]: row["count"] for row in rows}

    def counts_by_sector(self):
        """Sectors with at least one of these agreements, each with its ``agreement_count``."""
        tallied = self.tally_expression("sector", "agreements_sector.id::text")
        if tallied is not None:
            return list(
                Sector.objects.annotate(agreement_count=tallied)
                .filter(agreement_count__gt=0)
                .order_by("-agreement_count", "position", "name_id")
            )
        return list(
            Sector.objects.filter(agreements__in=self.order_by())
            # An agreement is linked to a sector once, and ``self`` is read as a set of ids:
            # no row repeats, so no DISTINCT (a sort of every link) is needed.
            .annotate(agreement_count=models.Count("agreements"))
            .order_by("-agreement_count", "position", "name_id")
        )

    def counts_by_partner_country(self):
        """Foreign countries of these agreements' partners, each with its ``agreement_count``.

        Indonesia is left out: a domestic third party (KSDPK) is not cooperation abroad.
        """
        tallied = self.tally_expression("country", "partners_country.code")
        if tallied is not None:
            return list(
                Country.objects.exclude(code=INDONESIA)
                .annotate(agreement_count=tallied)
                .filter(agreement_count__gt=0)
                .order_by("-agreement_count", "name_id")
            )
        return list(
            Country.objects.exclude(code=INDONESIA)
            .filter(partners__agreements__in=self.order_by())
            .annotate(agreement_count=models.Count("partners__agreements", distinct=True))
            .order_by("-agreement_count", "name_id")
        )

    def counts_by_signing_year(self):
        """{year: number of agreements signed that year}, oldest first; unsigned ones left out."""
        tallied = self.tallies("year")
        if tallied is not None:
            return {int(year): n for year, n in sorted(tallied.items(), key=lambda i: int(i[0]))}
        signed = self.filter(signed_on__isnull=False)
        rows = (
            signed.order_by()
            .values(year=F("signed_on__year"))
            .annotate(count=signed._agreement_count())
            .order_by("year")
        )
        return {row["year"]: row["count"] for row in rows}


class AgreementKind(models.TextChoices):
    LOI = "loi", _("Pernyataan kehendak (LoI)")
    MOU = "mou", _("Nota kesepahaman / kesepakatan bersama (MoU)")
    PKS = "pks", _("Perjanjian kerja sama (PKS)")
    SISTER_CITY = "sister_city", _("Kota kembar (sister city)")
    SISTER_PROVINCE = "sister_province", _("Provinsi kembar (sister province)")
    AMENDMENT = "amendment", _("Amendemen / adendum")
    OTHER = "other", _("Lainnya")


class AgreementStatus(models.TextChoices):
    INITIATIVE = "initiative", _("Prakarsa")
    EXPLORATION = "exploration", _("Penjajakan")
    PREPARATION = "preparation", _("Penyiapan naskah")
    SIGNED = "signed", _("Ditandatangani")
    IN_FORCE = "in_force", _("Berlaku")
    EXPIRED = "expired", _("Berakhir")
    TERMINATED = "terminated", _("Diakhiri")
    CANCELLED = "cancelled", _("Batal")


class PastStatus(models.TextChoices):
    """What a day before today shows where the register does not date the status itself
    (``Agreement.dated_status``)."""

    # Signed later, or not yet: the stages before signing are not dated by a status.
    BEFORE_SIGNING = "before_signing", _("Belum ditandatangani")
    # Terminated, cancelled or ended on a day the register does not record: still going or
    # already over on that day, it cannot say.
    UNRECORDED = "unrecorded", _("Tidak diketahui")


# The statuses a day before today shows, in the order of a life (``counts_by_status`` with
# ``on``).
PAST_STATUSES = (
    PastStatus.BEFORE_SIGNING,
    AgreementStatus.SIGNED,
    AgreementStatus.IN_FORCE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.CANCELLED,
    PastStatus.UNRECORDED,
)


class AgreementVisibility(models.TextChoices):
    PUBLIC = "public", _("Publik")
    INTERNAL = "internal", _("Internal")


class BudgetSource(models.TextChoices):
    """Where a cooperation's money comes from (PP 28/2018: the APBD and other lawful sources)."""

    APBD = "apbd", _("APBD")
    APBN = "apbn", _("APBN")
    PARTNER = "partner", _("Dana mitra")
    OTHER = "other", _("Sumber lain yang sah")


class AgreementRelation(models.TextChoices):
    IMPLEMENTS = "implements", _("Tindak lanjut (LoI → MoU → PKS)")
    EXTENDS = "extends", _("Perpanjangan")
    AMENDS = "amends", _("Amendemen / adendum")
    SPAWNS = "spawns", _("Turunan (mis. kota kembar dari kerja sama provinsi)")

    @property
    def short_label(self):
        """The relation in a word or two, where a page says how a text follows the one before
        it (the chain on a status page: "Turunan", "Tindak lanjut"); the label, with its
        example, is what a clerk chooses from."""
        return RELATION_SHORT_LABELS.get(self, self.label)


RELATION_SHORT_LABELS = {
    AgreementRelation.IMPLEMENTS: _("Tindak lanjut"),
    AgreementRelation.SPAWNS: _("Turunan"),
}


class MilestoneKind(models.TextChoices):
    INITIATIVE = "initiative", _("Prakarsa")
    EXPLORATION = "exploration", _("Penjajakan / kunjungan")
    LOI = "loi", _("Pernyataan kehendak (LoI)")
    PLAN = "plan", _("Rencana kerja sama (KAK, rencana aksi)")
    TKKSD = "tkksd", _("Pembahasan TKKSD")
    DPRD = "dprd", _("Persetujuan DPRD")
    MINISTRY = "ministry", _("Verifikasi Kementerian Dalam Negeri")
    DRAFTING = "drafting", _("Penyusunan naskah")
    INITIALLING = "initialling", _("Paraf naskah")
    FULL_POWERS = "full_powers", _("Surat kuasa (full powers)")
    SIGNING = "signing", _("Penandatanganan")
    ACTIVITY = "activity", _("Kegiatan")
    EVALUATION = "evaluation", _("Monitoring dan evaluasi")
    EXTENSION = "extension", _("Perpanjangan")
    TERMINATION = "termination", _("Pengakhiran")
    OTHER = "other", _("Lainnya")


class MilestoneWaitsOn(models.TextChoices):
    BUREAU = "bureau", _("Biro/Bagian Kerja Sama")
    TKKSD = "tkksd", _("TKKSD")
    DPRD = "dprd", _("DPRD")
    KEMENDAGRI = "kemendagri", _("Kementerian Dalam Negeri")
    KEMLU = "kemlu", _("Kementerian Luar Negeri")
    PARTNER = "partner", _("Mitra")


# Whom a cooperation's next step waits on where it names nobody yet (``waits_on`` empty beside a
# next step: ``AgreementQuerySet.with_next_step``), as the report says it ("Belum ditentukan"):
# the value of the list's ``waits_on`` filter (``?waits_on=none``) and the key of
# ``AgreementQuerySet.counts_by_waits_on`` and of the counts the database keeps (migration
# 0063) for them. Never stored: a milestone or an agreement naming nobody stores "".
WAITS_ON_NOBODY = "none"
WAITS_ON_NOBODY_LABEL = _("Belum ditentukan")
# What the ``waits_on`` filter and the dashboard's "waiting on" counts offer: every party, then
# nobody named yet.
WAITS_ON_CHOICES = [*MilestoneWaitsOn.choices, (WAITS_ON_NOBODY, WAITS_ON_NOBODY_LABEL)]


def waits_on_label(value):
    """The words for ``value`` of ``WAITS_ON_CHOICES``: a party's name, or "Belum ditentukan"."""
    return dict(WAITS_ON_CHOICES)[value]


# A document that follows another this way carries it out: it is drafted and signed, not
# approved again (``agreements.stages``).
CARRYING_OUT = (AgreementRelation.IMPLEMENTS, AgreementRelation.AMENDS, AgreementRelation.EXTENDS)


def carries_out_text(relation, follows_kind):
    """Whether a document following one of ``follows_kind`` by ``relation`` carries that text
    out (``CARRYING_OUT``), its path shortened to what the text did not pass (row 2 of
    ``stages.STAGE_TABLE``: a PKS under an MoU is drafted and signed). Not a follow-up of an
    LoI: signing an LoI passes exploration and intent, nothing after, so a PKS signed straight
    after an LoI still goes through its plan, the TKKSD and the DPRD (and, abroad, the
    ministries, initialling and full powers) itself. Its page said those stages were not
    required of it, "Penyusunan naskah" and "Penandatanganan" alone. ``follows_kind`` None:
    not known, the relation decides."""
    if relation not in CARRYING_OUT:
        return False
    return not (relation == AgreementRelation.IMPLEMENTS and follows_kind == AgreementKind.LOI)


# These carry a cooperation on once the text they follow has ended (``Agreement.continued_in``);
# an amendment ends with the text it amends.
CARRYING_ON = (AgreementRelation.IMPLEMENTS, AgreementRelation.EXTENDS)
# The relations by which a text changes the one it follows (``Agreement.following_refused_to``).
CHANGING_WHAT_IT_FOLLOWS = (AgreementRelation.AMENDS, AgreementRelation.EXTENDS)
# After these nothing is next and nobody is waited on.
ENDED_STATUSES = (AgreementStatus.CANCELLED, AgreementStatus.TERMINATED, AgreementStatus.EXPIRED)
# A term these cut short is no longer the one recorded: a PKS runs past no such text, and
# such a PKS runs past nothing (``Agreement.runs_past_text_carried_out``).
TERM_CUT_SHORT = (AgreementStatus.CANCELLED, AgreementStatus.TERMINATED)


# The notice window of planned steps: the dashboard, the region pages and the editors' digest
# list what comes due within it.
DUE_WITHIN_DAYS = 14
# The notice windows of expiry, widest first: the dashboard lists what ends within the widest,
# the digest reminds of an agreement as it enters each.
EXPIRY_WINDOWS = (180, 90, 30)


# Before signing there is no signing date; these statuses describe an unsigned text.
UNSIGNED_STATUSES = (
    AgreementStatus.INITIATIVE,
    AgreementStatus.EXPLORATION,
    AgreementStatus.PREPARATION,
    AgreementStatus.CANCELLED,
)
SIGNED_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE)
# A text not itself terminated: one terminated is never "already extended", its term does not
# go on (``AgreementQuerySet.marking_extended``, ``extended_among``, ``Agreement.extended_by``),
# nor "already followed up" (``marking_followed_up``, ``Agreement.followed_up_by``).
NOT_TERMINATED = ~Q(status=AgreementStatus.TERMINATED)

# The subjects whose agreements' parties are counted as pairs (migrations 0046, 0054): (the
# dimension narrowing to a subject, ``AgreementQuerySet._narrowed``; the party counted with it).
TALLIED_PAIRS = frozenset(
    {
        ("province", "partner"),
        ("province", "country"),
        ("region", "partner"),
        ("region", "country"),
        ("country", "region"),
        ("country", "partner"),
        ("sector", "region"),
        ("sector", "partner"),
        ("sector", "country"),
    }
)


class ChangedMeanwhile(Exception):
    """Saving would overwrite a change someone saved after this copy was loaded."""

    def __init__(self, pk, expected_version):
        super().__init__(f"agreement {pk} changed since version {expected_version}")
        self.pk = pk
        self.expected_version = expected_version

    def conflict(self):
        """The ``Conflict`` to show: who changed the agreement meanwhile, when and what."""
        stored = Agreement._base_manager.filter(pk=self.pk).first()
        if stored is None:
            return None
        return stored.changes_since(self.expected_version)


@dataclasses.dataclass(frozen=True)
class Conflict:
    """Changes saved since a version someone started editing from."""

    version: int  # the version now stored
    users: list  # who saved since, latest first (usernames; empty when not recorded)
    when: datetime.datetime  # the latest of those saves
    field_names: list  # the fields that differ, by name
    fields: list  # the same, by label, in form order; then the kinds of row written since


# A budget's currency: its ISO 4217 code, three capital letters, the database's rule; a write
# path checks first that it is one of the codes ISO 4217 lists (``Agreement.is_currency_code``).
CURRENCY_CODE = r"^[A-Z]{3}$"
# What a currency that is no code is told by the database's rule.
CURRENCY_REFUSED = _(
    "Tulis mata uang sebagai kode ISO 4217: tiga huruf kapital, mis. IDR, USD, CNY."
)
# What a currency that is no code is told where it is typed, naming what was typed.
CURRENCY_UNKNOWN = _(
    "“%(value)s” bukan kode mata uang ISO 4217. Tulis kode tiga hurufnya, mis. IDR, USD, CNY."
)


class Agreement(PrintableText, KnownDates, ChoiceLabels, models.Model):
    Kind = AgreementKind
    Status = AgreementStatus
    Visibility = AgreementVisibility
    Relation = AgreementRelation

    reference = models.CharField(
        _("nomor naskah"),
        max_length=120,
        blank=True,
        help_text=_("Nomor resmi naskah, bila sudah ada. Unik."),
    )
    title = models.CharField(_("judul"), max_length=300)
    title_en = models.CharField(
        _("judul dalam bahasa Inggris"),
        max_length=300,
        blank=True,
        help_text=_("Ditampilkan kepada pembaca berbahasa Inggris; bila kosong, judul Indonesia."),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    scope = models.CharField(_("lingkup"), max_length=10, choices=Scope.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INITIATIVE
    )
    lead_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="led_agreements",
        verbose_name=_("daerah pengampu"),
        help_text=_("Daerah yang memiliki dan memperbarui catatan ini."),
    )
    regions = models.ManyToManyField(
        Region,
        related_name="agreements",
        verbose_name=_("daerah pihak"),
        help_text=_("Semua daerah Indonesia yang menjadi pihak, termasuk daerah pengampu."),
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="agreements", verbose_name=_("mitra")
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="agreements", verbose_name=_("bidang")
    )
    agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="agreements",
        verbose_name=_("perangkat daerah pelaksana"),
        help_text=_(
            "PP 28/2018: kerja sama dilaksanakan oleh perangkat daerah sesuai urusannya. Hanya "
            "perangkat daerah dari daerah pihak."
        ),
    )
    summary = models.TextField(_("ringkasan"), blank=True)
    summary_en = models.TextField(_("ringkasan dalam bahasa Inggris"), blank=True)
    proposed_on = models.DateField(_("tanggal diusulkan"), null=True, blank=True)
    signed_on = models.DateField(_("tanggal ditandatangani"), null=True, blank=True)
    in_force_from = models.DateField(_("berlaku sejak"), null=True, blank=True)
    expires_on = models.DateField(_("berakhir pada"), null=True, blank=True)
    # The budget is for officials and staff only (``reads_internal``): never on a
    # public page, in an export or a feed.
    budget_amount = models.DecimalField(
        _("nilai anggaran"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(
        _("mata uang"),
        max_length=3,
        default="IDR",
        help_text=_("Kode ISO 4217: IDR, USD, CNY …"),
    )
    budget_source = models.CharField(
        _("sumber anggaran"),
        max_length=10,
        choices=BudgetSource.choices,
        blank=True,
        help_text=_(
            "PP 28/2018: kerja sama daerah didanai dari APBD dan/atau sumber lain yang sah. "
            "Hanya untuk pejabat dan staf; tidak tampil di halaman umum."
        ),
    )
    signing_place = models.CharField(
        _("tempat penandatanganan"),
        max_length=200,
        blank=True,
        help_text=_("Kota tempat naskah ditandatangani, mis. Samarinda atau Hefei."),
    )
    treaty_room_reference = models.CharField(
        _("nomor Treaty Room"),
        max_length=120,
        blank=True,
        help_text=_(
            "Naskah KSDPL/KSDLL yang sudah ditandatangani disimpan di Ruang Perjanjian (Treaty "
            "Room) Kementerian Luar Negeri; catat nomor simpannya."
        ),
    )
    treaty_room_url = models.URLField(
        _("tautan Treaty Room"),
        max_length=500,
        blank=True,
        help_text=_("Alamat naskah di laman Treaty Room Kementerian Luar Negeri."),
    )
    # How precisely each date is known (``agreements.dates``).
    proposed_on_precision = precision_field(_("ketelitian tanggal diusulkan"))
    signed_on_precision = precision_field(_("ketelitian tanggal ditandatangani"))
    in_force_from_precision = precision_field(_("ketelitian tanggal berlaku"))
    expires_on_precision = precision_field(_("ketelitian tanggal berakhir"))
    # RESTRICT: an agreement something follows from stays in the register (deleting it would
    # break the chain, and SET_NULL would leave a relation with nothing to relate to), unless
    # what follows it is deleted with it: an MoU and its amendment ticked together go together.
    follows = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name=_("kelanjutan dari"),
    )
    relation = models.CharField(
        _("hubungan dengan naskah sebelumnya"),
        max_length=20,
        choices=Relation.choices,
        blank=True,
    )
    visibility = models.CharField(
        _("visibilitas"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    source_url = models.URLField(_("tautan sumber"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("terakhir diubah"), auto_now=True)
    # Where the cooperation stands, stored so that lists can filter and count by it at national
    # scale: written only by ``AgreementQuerySet.refresh_progress`` (the rule of
    # ``progress_of_chain``), which every write path calls in its transaction.
    next_stage = models.CharField(
        _("tahap berikutnya"),
        max_length=20,
        choices=MilestoneKind.choices,
        blank=True,
        editable=False,
    )
    next_milestone = models.ForeignKey(
        "agreements.Milestone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("tahapan berikutnya"),
    )
    waits_on = models.CharField(
        _("menunggu"),
        max_length=20,
        choices=MilestoneWaitsOn.choices,
        blank=True,
        editable=False,
    )
    next_due_on = models.DateField(
        _("target langkah berikutnya"), null=True, blank=True, editable=False
    )
    # The day the latest sign of life (``SIGNS_OF_LIFE``) done along its line (``lines_of``)
    # counts from (``quiet_from``: the last day of a month or a year it is known to only): what
    # tells whether it is dormant (``is_dormant_on``, ``AgreementQuerySet.dormant`` and the
    # counts the database keeps, migrations 0049 and 0059). Pages name the milestone itself,
    # as precisely as it is known (``latest_sign_of_life``). Stored with where it stands, by the
    # same service in the same transaction, for every agreement of the chains a write touched.
    last_sign_of_life_on = models.DateField(
        _("kegiatan atau monitoring dan evaluasi terakhir"),
        null=True,
        blank=True,
        editable=False,
    )
    # The same day as a reader of internal records reads its line, where that is later: a public
    # amendment of an internal text, whose activities the stored line, read as the public reads
    # it, leaves out (``lines_of`` with every document shown); else none. What their lists,
    # counts and its status page read (``last_sign_of_life_read``, ``quiet_since_q``), from an
    # index of its few rows (migration 0070). Stored by the same service in the same transaction.
    inside_sign_of_life_on = models.DateField(
        _("kegiatan atau monitoring dan evaluasi terakhir"),
        null=True,
        blank=True,
        editable=False,
    )
    # The last day of the earliest target among its steps still to do (``overdue_after``):
    # from the day after it, while the cooperation is still going, it has a step overdue
    # (``AgreementQuerySet.with_overdue_steps``). Stored with where it stands, by the same
    # service in the same transaction (migration 0050).
    overdue_after = models.DateField(
        _("batas target tahapan terdekat yang belum terlaksana"),
        null=True,
        blank=True,
        editable=False,
    )
    # The last day the cooperation runs or ran (``ends_by_of``): a terminated one's termination
    # day ("Diakhiri pada 2 Maret 2023"), else the last day its expiry covers (``expires_by``).
    # What the list filters ("Berakhir paling lambat") and sorts by expiry read, from indexes of
    # their own (migration 0052). Set from the row's own dates on every save; the termination
    # day stored with where it stands, by the same service in the same transaction.
    ends_by = models.DateField(
        _("hari terakhir kerja sama berjalan"),
        null=True,
        blank=True,
        editable=False,
    )
    # Bumped by every save that goes through a form or import; a save that started from an
    # older version is refused instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField(_("versi"), default=1, editable=False)

    # The stored progress is derived, not edited: the history tells what people changed.
    history = HistoricalRecordsWithM2M(
        bases=[SetOffBy],
        m2m_fields=[regions, partners, sectors, agencies],
        excluded_fields=[
            "next_stage",
            "next_milestone",
            "waits_on",
            "next_due_on",
            "last_sign_of_life_on",
            "inside_sign_of_life_on",
            "overdue_after",
            "ends_by",
        ],
    )
    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("kerja sama")
        verbose_name_plural = pgettext_lazy("jamak", "kerja sama")
        # Newest signing first, those not signed after them, on every database (PostgreSQL
        # puts an empty date first in a descending order, SQLite last), as the public list's
        # "-signed" and the index of migration 0004 read it.
        ordering = [F("signed_on").desc(nulls_last=True), "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="agreement_reference_unique_when_given",
                violation_error_code="reference",
                violation_error_message=_(
                    "Nomor naskah ini sudah dipakai oleh kerja sama lain; periksa nomornya, atau "
                    "ubah kerja sama yang sudah tercatat dengan nomor itu."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=choice_values(AgreementKind)), name="agreement_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=choice_values(Scope)), name="agreement_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=choice_values(AgreementStatus)),
                name="agreement_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=choice_values(AgreementVisibility)),
                name="agreement_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(relation="") | Q(relation__in=choice_values(AgreementRelation)),
                name="agreement_relation_valid",
            ),
            # Each date against the period of the other, as known: "berakhir 2024" is not
            # before a signing on 10 March 2024 (``agreements.dates.not_before``).
            models.CheckConstraint(
                condition=not_before("expires_on", "signed_on"),
                name="agreement_not_expiring_before_signed",
            ),
            models.CheckConstraint(
                condition=not_before("in_force_from", "signed_on"),
                name="agreement_not_in_force_before_signed",
            ),
            models.CheckConstraint(
                condition=not_before("signed_on", "proposed_on"),
                name="agreement_not_signed_before_proposed",
            ),
            # An unsigned text has no signing or entry-into-force date: the status would lie.
            models.CheckConstraint(
                condition=~Q(status__in=UNSIGNED_STATUSES)
                | Q(signed_on__isnull=True, in_force_from__isnull=True),
                name="agreement_unsigned_has_no_signing_date",
            ),
            # "In force" is said of a signed text: a row never reads "Berlaku" beside
            # "Ditandatangani: —".
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.IN_FORCE) | Q(signed_on__isnull=False),
                name="agreement_in_force_has_signing_date",
            ),
            # After a cooperation is cancelled, terminated or ended nothing is next and nobody
            # is waited on (``ENDED_STATUSES``).
            models.CheckConstraint(
                condition=~Q(status__in=ENDED_STATUSES)
                | Q(next_stage="", next_milestone__isnull=True, waits_on="", next_due_on=None),
                name="agreement_waits_on_nobody_after_the_end",
            ),
            models.CheckConstraint(
                condition=Q(waits_on="") | Q(waits_on__in=choice_values(MilestoneWaitsOn)),
                name="agreement_waits_on_valid",
            ),
            # "Follows" and "how" go together.
            models.CheckConstraint(
                condition=Q(follows__isnull=True, relation="")
                | (Q(follows__isnull=False) & ~Q(relation="")),
                name="agreement_follows_with_relation",
            ),
            models.CheckConstraint(
                condition=~Q(follows=F("id")), name="agreement_not_following_itself"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}_precision__in": choice_values(DatePrecision)}),
                    name=f"agreement_{name}_precision_valid",
                )
                for name in ("proposed_on", "signed_on", "in_force_from", "expires_on")
            ],
            models.CheckConstraint(
                condition=Q(budget_source="") | Q(budget_source__in=choice_values(BudgetSource)),
                name="agreement_budget_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="agreement_budget_not_negative",
                violation_error_code="budget_amount",
                violation_error_message=_("Nilai anggaran tidak boleh negatif."),
            ),
            models.CheckConstraint(
                condition=Q(budget_currency__regex=CURRENCY_CODE),
                name="agreement_budget_currency_iso4217",
                violation_error_code="budget_currency",
                violation_error_message=CURRENCY_REFUSED,
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_on"], name="agreement_status_expiry"),
            models.Index(fields=["-updated_at"], name="agreement_recently_changed"),
            # A search word that names a kind ("sister city", "MoU"): its agreements by their
            # kind (``agreements.search.kinds_named``).
            models.Index(fields=["kind"], name="agreement_kind"),
            # The amendments by the day each ends: those ending with their text, which what
            # ends lists and counts once, under the text (``each_cooperation_once``).
            models.Index(
                fields=["ends_by"],
                condition=Q(relation="amends"),
                name="agreement_amendment_end",
            ),
            # The amendments by what they show and the day each ends: those in force, which
            # the dormant count less those dormant with their text reads, of the register or
            # of what the public sees (``dormant_with_their_text``), not every cooperation in
            # force.
            models.Index(
                fields=["visibility", "status", "ends_by"],
                condition=Q(relation="amends"),
                name="agreement_amendment_in_force",
            ),
            # The few public amendments of internal texts whose line a reader of internal records
            # reads livelier than it is stored (``quiet_since_q``): what their dormant counts
            # take away from the kept counts (``dormant_count``).
            models.Index(
                fields=["inside_sign_of_life_on"],
                condition=Q(inside_sign_of_life_on__isnull=False),
                name="agreement_alive_inside",
            ),
            # The waits-on filter, its counts on the dashboard and the list column.
            models.Index(
                fields=["waits_on", "status"],
                condition=~Q(waits_on=""),
                name="agreement_waiting",
            ),
            # The late filter (``with_overdue_steps``): the agreements with a step still to
            # do, by its earliest target, with what says whether they are still going.
            models.Index(
                fields=["overdue_after"],
                include=["id", "visibility", "status", "expires_on"],
                condition=Q(overdue_after__isnull=False),
                name="agreement_overdue_after",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The database refuses an ended cooperation that waits on someone
        # (``agreement_waits_on_nobody_after_the_end``): its stored next step goes with the
        # status that ends it, in the same row. ``refresh_progress`` does the rest.
        if self.status in ENDED_STATUSES:
            self.next_stage, self.next_milestone, self.waits_on, self.next_due_on = (
                "",
                None,
                "",
                None,
            )
        # The day it ends, as far as the row tells it: its expiry, unless it was terminated,
        # whose day ``refresh_progress`` reads from its steps (every write path calls it); until
        # then a terminated one keeps the day stored, else its expiry's.
        if self.status != AgreementStatus.TERMINATED or self.ends_by is None:
            self.ends_by = self.ends("expires_on")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"status", "expires_on", "expires_on_precision"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "ends_by"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return object_url("agreement-detail", self.pk)

    @property
    def shown_title(self):
        """The title in the reader's language: the English one for English readers, where filled."""
        return pick_language(self.title, self.title_en)

    @property
    def shown_summary(self):
        """The summary in the reader's language, as ``shown_title``."""
        return pick_language(self.summary, self.summary_en)

    DATE_FIELDS = ("proposed_on", "signed_on", "in_force_from", "expires_on")
    # What a document continuing this one (its PKS, amendment or extension) is between and about,
    # as it begins: the same scope, parties, agencies, sectors and readers, changed where it
    # differs.
    SHARED_WITH_FOLLOW_UP = (
        "scope",
        "lead_region",
        "regions",
        "partners",
        "agencies",
        "sectors",
        "visibility",
    )
    # The dates a document continuing this one by a relation begins with too: an amendment
    # changes a text within its term, so it ends when that text ends unless the clerk writes
    # otherwise. An extension continues after the term, and a PKS has its own: none.
    DATES_SHARED_BY = {AgreementRelation.AMENDS: ("expires_on",)}
    # The kind of text that usually carries out one of a kind (LoI → MoU → PKS).
    CARRIED_OUT_BY = {
        AgreementKind.LOI: AgreementKind.MOU,
        AgreementKind.MOU: AgreementKind.PKS,
        AgreementKind.SISTER_CITY: AgreementKind.PKS,
        AgreementKind.SISTER_PROVINCE: AgreementKind.PKS,
    }
    # With a regional government abroad (KSDPL) the main text an LoI leads on to is the
    # sister-province text of a province, the sister-city text of a regency or city: by the
    # level of the lead region.
    TWINNED_BY = {
        Region.Level.PROVINCE: AgreementKind.SISTER_PROVINCE,
        Region.Level.REGENCY: AgreementKind.SISTER_CITY,
        Region.Level.CITY: AgreementKind.SISTER_CITY,
    }

    def follow_up_initial(self, relation, shared):
        """What the add form of a document continuing this one by ``relation`` starts with: the
        values it shares with this one (``shared``, by the names of ``SHARED_WITH_FOLLOW_UP``),
        this one as what it follows, the dates it shares by ``relation`` (``DATES_SHARED_BY``:
        as files write them, with their precision) and the kind such a document mostly is.
        Reads the lead region of a KSDPL LoI: no query where it is loaded with it
        (``select_related``)."""
        dates = {}
        for name in self.DATES_SHARED_BY.get(relation, ()):
            known = self.known(name)
            if known is not None:
                dates.update({name: known.iso, f"{name}_precision": known.precision})
        if relation == AgreementRelation.AMENDS:
            kind = AgreementKind.AMENDMENT
        elif relation == AgreementRelation.EXTENDS:
            kind = self.kind
        elif self.kind == AgreementKind.LOI and self.scope == Scope.KSDPL:
            kind = self.TWINNED_BY[self.lead_region.level]
        else:
            kind = self.CARRIED_OUT_BY.get(self.kind, "")
        return {**shared, **dates, "follows": self.pk, "relation": relation, "kind": kind}

    @property
    def regions_lead_first(self):
        """Its party regions as pages name them: the lead region first, as the cooperation is
        told ("Kalteng dengan Bali"), then the others in their order. Reads the prefetched
        regions (those of a list's row, ``AgreementQuerySet.for_list_page``): no query of its
        own where they are prefetched."""
        regions = getattr(self, "listed_regions", None)
        regions = self.regions.all() if regions is None else regions
        return sorted(regions, key=lambda region: region.pk != self.lead_region_id)

    def is_visible_to(self, user):
        """Whether ``user`` may read this agreement; mirrors ``AgreementQuerySet.visible_to``
        for a row already read (a document of a chain read whole)."""
        return self.visibility == AgreementVisibility.PUBLIC or reads_internal(user)

    def is_editable_by(self, user):
        """Whether ``user`` may change this agreement; mirrors ``AgreementQuerySet.editable_by``."""
        from access.models import may_edit_region

        return may_edit_region(user, self.lead_region_id)

    def has_party_region_of(self, user):
        """Whether one of the regions ``user`` edits for (``access.models.editable_region_ids``)
        is a party to this agreement (one query)."""
        from access.models import editable_region_ids

        return self.regions.filter(pk__in=editable_region_ids(user)).exists()

    def following_refused_to(self, user):
        """Why ``user`` may not record this text as following the one it follows, or None. An
        amendment or an extension changes the text it follows: its term, its status, its
        extension steps recorded as done (``carry_out_extension_steps``), what its pages say
        ("sudah diperpanjang"). Only one who may change that text may record one: an editor of
        Kalimantan Timur extended Bali's MoU, and Bali's public page said it was extended. A
        text carrying another out (*Tindak lanjut*) lends it its next step and whom it waits on
        (its status page, the ``waits_on`` and ``late`` filters, its region's digests): only
        one who may change that text, or whose region is a party to it (Bali's PKS under the
        Kalteng–Bali MoU), may record one; an editor of Kalimantan Timur made Bali's MoU with a
        university wait on the DPRD for a step they typed. A text spawned by another region's
        (a city's sister city from its province's agreement) tells it nothing and may follow
        any."""
        if self.follows_id is None or self.relation not in (
            *CHANGING_WHAT_IT_FOLLOWS,
            AgreementRelation.IMPLEMENTS,
        ):
            return None
        followed = self.follows
        if followed.is_editable_by(user):
            return None
        if self.relation == AgreementRelation.IMPLEMENTS:
            if followed.has_party_region_of(user):
                return None
            return gettext(
                "Tindak lanjut tampil di halaman naskah yang dilaksanakannya (langkah berikutnya "
                "dan siapa yang ditunggu), dan “%(followed)s” dikelola daerah %(region)s, yang "
                "tidak ditugaskan kepada Anda dan tidak satu pun daerah Anda menjadi pihaknya. "
                "Mintalah pengelola daerah itu mencatatnya, atau pilih hubungan “%(spawns)s” "
                "bila naskah ini turunannya."
            ) % {
                "followed": followed.title,
                "region": followed.lead_region,
                "spawns": AgreementRelation.SPAWNS.label,
            }
        return gettext(
            "%(relation)s mengubah naskah yang diikutinya, dan “%(followed)s” dikelola daerah "
            "%(region)s, yang tidak ditugaskan kepada Anda. Mintalah pengelola daerah itu "
            "mencatatnya, atau pilih hubungan “%(implements)s” bila naskah ini melaksanakannya."
        ) % {
            "relation": AgreementRelation(self.relation).label,
            "followed": followed.title,
            "region": followed.lead_region,
            "implements": AgreementRelation.IMPLEMENTS.label,
        }

    # -- saving without overwriting someone else's change ---------------------------------------

    def save_if_unchanged(self, expected_version=None, **kwargs):
        """Save, unless someone saved this agreement since it was at ``expected_version``.

        ``expected_version`` is the version the editor started from (by default the version
        this object was loaded with). One conditional ``UPDATE … WHERE version = expected``
        claims the next version; a second writer that started from the same version finds no
        row to update (on PostgreSQL it waits for the first one's transaction, then finds the
        version moved on) and gets ``ChangedMeanwhile``, with nothing written. Saves and bumps
        ``version`` otherwise. A new agreement is simply saved.
        """
        if self._state.adding or self.pk is None:
            self.save(**kwargs)
            return
        expected = self.version if expected_version is None else expected_version
        with transaction.atomic(using=kwargs.get("using")):
            claimed = (
                type(self)
                ._base_manager.using(kwargs.get("using"))
                .filter(pk=self.pk, version=expected)
                .update(version=expected + 1)
            )
            if not claimed:
                raise ChangedMeanwhile(self.pk, expected)
            self.version = expected + 1
            self.save(**kwargs)

    def changes_since(self, version):
        """Who changed this agreement since ``version``, when last, and which fields (labels).

        Read from the change history: the record of ``version`` (the state the reader started
        from) is compared with the latest record; then the rows saved with it since
        (``_rows_changed_since``). Two queries, and one per kind of row.
        """
        records = list(
            self.history.filter(version__gt=version)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        )
        before = self.history.filter(version__lte=version)
        baseline = before.order_by("-history_date", "-history_id").first()
        if not records:
            return None
        latest = records[0]
        changed = set(latest.diff_against(baseline).changed_fields) if baseline else set()
        users = []
        for record in records:
            name = record.history_user.get_username() if record.history_user else None
            if name and name not in users:
                users.append(name)
        fields = [f for f in (*self._meta.fields, *self._meta.many_to_many) if f.name in changed]
        return Conflict(
            version=latest.version,
            users=users,
            when=latest.history_date,
            field_names=[field.name for field in fields],
            fields=[
                *(field.verbose_name for field in fields),
                *self._rows_changed_since(records[-1].history_date),
            ],
        )

    def _rows_changed_since(self, since):
        """The kinds of row saved with this agreement (``changelog.PARTS``: steps, signatories,
        documents, contact persons) written from ``since`` on, by their plural names: a version
        that changed only them changed no field of the agreement, and one that changed a field
        may have changed them too. Every write path saves the agreement's version before its
        rows (``mark_changed``), so the rows of the versions since one are those written from
        it on. One query per kind of row."""
        from agreements.changelog import PARTS  # it reads this module

        return [
            part.model._meta.verbose_name_plural
            for part in PARTS.values()
            if part.history.objects.filter(agreement_id=self.pk, history_date__gte=since).exists()
        ]

    # -- status -------------------------------------------------------------------------------

    @staticmethod
    def has_next_step_q():
        """A ``Q``: a next step is stored (``refresh_progress``), a stage or a milestone,
        whether it names whom it waits on or not: the rows ``with_next_step`` reads, and those
        the counts of whom nobody is named for count (migration 0063, which says it in SQL)."""
        return ~Q(next_stage="", next_milestone__isnull=True)

    @classmethod
    def shown_status_in_q(cls, statuses, today, on=None):
        """A ``Q``: the shown status is one of ``statuses`` (``shown_status_q`` of each)."""
        condition = Q(pk__in=[])
        for status in statuses:
            condition |= cls.shown_status_q(status, today, on)
        return condition

    @classmethod
    def shown_status_q(cls, status, today, on=None):
        """A filter for agreements whose shown status is ``status`` on ``today`` or, given
        ``on``, on that day as the register read on ``today`` tells it.

        Mirrors ``shown_status_on``: a signed or in-force agreement past the last day its
        expiry covers shows as expired (``ended_before``: "Berakhir pada 2026" from 1 January
        2027); a signed one whose entry into force has come, the whole of its day, month or
        year (``entered_into_force_q``), shows as in force. A day before today is read from
        the dates (``dated_status_case``).
        """
        if on is not None and on < today:
            return Q(Exact(cls.dated_status_case(on, today), status))
        day = today if on is None else on
        lapsed = cls.lapsed_q(day)
        entered = Q(status=cls.Status.SIGNED) & cls.entered_into_force_q(day)
        if status == cls.Status.EXPIRED:
            return Q(status=cls.Status.EXPIRED) | lapsed
        if status == cls.Status.IN_FORCE:
            return (Q(status=cls.Status.IN_FORCE) | entered) & ~lapsed
        if status == cls.Status.SIGNED:
            return Q(status=cls.Status.SIGNED) & ~entered & ~lapsed
        return Q(status=status)

    @staticmethod
    def entered_into_force_q(day):
        """A filter for agreements whose entry into force has come by ``day``, its last day
        included: the whole of the day, month or year it is known to (``ended_by``), as an
        expiry is read to its period's last day. A text "berlaku Desember 2026" may enter into
        force on 31 December: on 5 December nobody can say it is in force, so it is not told
        so before then ("berlaku paling lambat Desember 2026",
        ``in_force_by_a_periods_end``). Mirrors ``entered_into_force_on``; the signing is read
        alike (``AgreementQuerySet.signed_by``)."""
        return ended_by("in_force_from", day)

    def entered_into_force_on(self, day):
        """Whether its entry into force, as known, has come by ``day``: the last day its day,
        month or year covers (``entered_into_force_q``). False with none recorded."""
        return self.in_force_from is not None and self.ends("in_force_from") <= day

    @property
    def in_force_by_a_periods_end(self):
        """Its entry into force is known only to a month or a year: it is in force by that
        period's last day at the latest, and a signed text says "berlaku paling lambat" (in
        force at the latest) beside it (``KnownDates.by_a_periods_end``)."""
        return self.by_a_periods_end("in_force_from")

    @staticmethod
    def lapsed_q(day, prefix=""):
        """A filter for agreements signed or in force whose expiry ended before ``day``, the
        whole of its period (``ended_before``; ``prefix``, e.g. ``"agreement__"``, reads them
        from a related row). Those stored before ``day`` less the few whose month or year still
        runs, read by their ids (``still_running``): a count of every agreement shown as in
        force reads the narrow index of migration 0007 alone, as it did with days only."""
        running = Agreement.objects.filter(still_running("expires_on", day)).values("pk")
        return Q(**{f"{prefix}status__in": SIGNED_STATUSES, f"{prefix}expires_on__lt": day}) & ~Q(
            **{f"{prefix}pk__in": running}
        )

    @classmethod
    def dated_status_case(cls, on, today):
        """The status on ``on``, a day before ``today``, as its dates tell it: an SQL expression,
        NULL for an agreement the register knows nothing of by then. Mirrors ``dated_status``.

        The stored status is what stands today. Before today the dates tell the rest: signed
        by the last day ``signed_on`` covers (``signed_by``: "2024" is not told as signed by 30
        June 2024), in force from the last day ``in_force_from`` covers
        (``entered_into_force_q``; else from signing, once recorded as in force or ended),
        lapsed after the last day its expiry covers (``expires_by``: a year-known expiry after
        31 December), terminated or cancelled once the day of its
        termination milestone has passed, as known (a month- or year-known one after its last
        day, as its end is stored, ``ends_by``: "2024" is not told as terminated by 30 June
        2024, and is told as ending in the second half). Where no date says when a cooperation
        ended (terminated or cancelled without a termination milestone, recorded as expired
        before its expiry covers its last day or with none) or which stage it had reached
        before signing, it says so (``PastStatus``) rather than guess. Reads the milestones in
        subqueries.
        """
        steps = Milestone.objects.filter(agreement=OuterRef("pk"))
        ending = steps.filter(kind=MilestoneKind.TERMINATION, done_on__isnull=False)
        known = (
            Q(proposed_on__lte=on)
            | Q(signed_on__lte=on)
            | Q(created_at__date__lte=on)
            | Q(models.Exists(steps.filter(done_on__lte=on)))
        )
        ended_by_then = Q(models.Exists(ending.filter(ended_by("done_on", on))))
        end_dated = Q(models.Exists(ending))
        lapsed = Q(expires_on__lt=on) & ~Q(
            pk__in=Agreement.objects.filter(still_running("expires_on", on)).values("pk")
        )
        rules = (
            (~known, None),
            (Q(status=AgreementStatus.CANCELLED) & ended_by_then, AgreementStatus.CANCELLED),
            (Q(status=AgreementStatus.CANCELLED) & end_dated, PastStatus.BEFORE_SIGNING),
            (Q(status=AgreementStatus.CANCELLED), PastStatus.UNRECORDED),
            (Q(signed_on__isnull=True) | ~ended_by("signed_on", on), PastStatus.BEFORE_SIGNING),
            (
                Q(status=AgreementStatus.TERMINATED) & (ended_by_then | ~end_dated & lapsed),
                AgreementStatus.TERMINATED,
            ),
            (Q(status=AgreementStatus.TERMINATED) & ~end_dated, PastStatus.UNRECORDED),
            (cls.expired_too_soon_q(today), PastStatus.UNRECORDED),
            (lapsed, AgreementStatus.EXPIRED),
            (
                cls.entered_into_force_q(on)
                | Q(in_force_from__isnull=True) & ~Q(status=AgreementStatus.SIGNED),
                AgreementStatus.IN_FORCE,
            ),
        )
        return models.Case(
            *(
                models.When(condition, then=models.Value(None if status is None else status.value))
                for condition, status in rules
            ),
            default=models.Value(AgreementStatus.SIGNED.value),
            output_field=models.CharField(),
        )

    def dated_status(self, on, today):
        """The status on ``on``, a day before ``today``, as its dates tell it; None when the
        register knows nothing of it by then. Mirrors ``dated_status_case``, which explains
        the rule; reads the milestones unless they are prefetched."""
        done = [m for m in self.milestones.all() if m.done_on]
        begun = [self.proposed_on, self.signed_on, timezone.localdate(self.created_at)]
        if not any(day and day <= on for day in begun + [m.done_on for m in done]):
            return None
        ends = [m.ends("done_on") for m in done if m.kind == MilestoneKind.TERMINATION]
        ended_on = min(ends, default=None)
        lapsed = self.expires_on is not None and self.expires_by < on
        if self.status == AgreementStatus.CANCELLED:
            if ended_on is None:
                return PastStatus.UNRECORDED
            return AgreementStatus.CANCELLED if ended_on <= on else PastStatus.BEFORE_SIGNING
        if self.signed_on is None or self.ends("signed_on") > on:
            return PastStatus.BEFORE_SIGNING
        if self.status == AgreementStatus.TERMINATED:
            if (ended_on is not None and ended_on <= on) or (ended_on is None and lapsed):
                return AgreementStatus.TERMINATED
            if ended_on is None:
                return PastStatus.UNRECORDED
        if self.expired_too_soon_on(today):
            return PastStatus.UNRECORDED
        if lapsed:
            return AgreementStatus.EXPIRED
        if self.in_force_from is not None:
            entered = self.entered_into_force_on(on)
        else:
            entered = self.status != AgreementStatus.SIGNED
        return AgreementStatus.IN_FORCE if entered else AgreementStatus.SIGNED

    def shown_status_on(self, today, on=None):
        """The status shown on ``today`` or, given ``on``, on that day as the register read on
        ``today`` tells it: from today on the stored status as the dates make it then (a
        signed text in force once its entry into force has come, ``entered_into_force_on``:
        "Desember 2026" from 31 December), before
        today what the dates tell (``dated_status``, None when it was not yet known)."""
        if on is not None and on < today:
            return self.dated_status(on, today)
        day = today if on is None else on
        if self.lapsed_on(day):
            return self.Status.EXPIRED
        if self.status == self.Status.SIGNED and self.entered_into_force_on(day):
            return self.Status.IN_FORCE
        return self.Status(self.status)

    def lapsed_on(self, day):
        """Whether it is signed or in force and its expiry ended before ``day``, the whole of
        its period (``expires_by``): shown as expired then though stored as in force. Mirrors
        ``lapsed_q``."""
        return (
            self.status in SIGNED_STATUSES and self.expires_on is not None and self.expires_by < day
        )

    def has_ended_on(self, today):
        """Whether it shows as ended on ``today``: cancelled, terminated or expired, by its
        date included (``shown_status_on`` in ``ENDED_STATUSES``)."""
        return self.status in ENDED_STATUSES or self.lapsed_on(today)

    @property
    def shown_status(self):
        """The status as it stands today, never contradicting the dates."""
        return self.shown_status_on(timezone.localdate())

    def get_shown_status_display(self):
        return self.shown_status.label

    @property
    def expires_by(self):
        """The last day its expiry covers, or None: an agreement "Berakhir pada 2026" is in
        force through 31 December 2026 (``KnownDate.end``). Every rule of expiry reads it:
        the shown status, days left, expiring within a window, the tallies' month."""
        return self.ends("expires_on")

    @property
    def expires_by_a_periods_end(self):
        """Its expiry is known only to a month or a year, so the days left to it
        (``days_until_expiry_on``) are the most it may have: every page that counts them says
        "paling lambat" (at the latest) beside them (``KnownDates.by_a_periods_end``)."""
        return self.by_a_periods_end("expires_on")

    def days_until_expiry_on(self, today):
        """Days from ``today`` to the last day its expiry covers (``expires_by``), or None."""
        if self.expires_on is None:
            return None
        return (self.expires_by - today).days

    @property
    def days_until_expiry(self):
        return self.days_until_expiry_on(timezone.localdate())

    def get_relation_short_display(self):
        """How it follows the text before it, in a word or two (``AgreementRelation.short_label``),
        or "" when it follows none."""
        return AgreementRelation(self.relation).short_label if self.relation else ""

    @property
    def proposal(self):
        """When it was proposed, as known (a ``KnownDate``): the day recorded
        (``proposed_on``), or where none is, the day its own initiative step was done (the
        earliest, if several; not one set aside), which is when it was put forward: the key
        dates said "Diusulkan —" above a path saying "Prakarsa dilalui 23 April 2024". Never
        a predecessor's initiative: a follow-up was proposed after it. None where neither is
        known. Reads the milestones, prefetched on the status page."""
        recorded = self.known("proposed_on")
        if recorded is not None:
            return recorded
        taken = [
            m
            for m in self.milestones.all()
            if m.kind == MilestoneKind.INITIATIVE and m.done_on and m.mark == MilestoneMark.DONE
        ]
        first = min(taken, key=lambda m: (m.done_on, m.done_on_precision), default=None)
        return first.known("done_on") if first is not None else None

    @property
    def terminated_on(self):
        """When it was terminated, as known (a ``KnownDate``): the day its termination step was
        done (``Milestone.records_termination``; the earliest, if several), or None when it is
        not terminated or no step records that day. A terminated agreement ended then ("Diakhiri
        pada 2 Maret 2023"), not on its expiry, which stays the term first agreed. Read from the
        row when it was read ``with_termination`` (a list's rows), else from its milestones
        (prefetched on the status page and its chain)."""
        if self.status != AgreementStatus.TERMINATED:
            return None
        if hasattr(self, "termination_done_on"):
            if self.termination_done_on is None:
                return None
            return KnownDate(
                self.termination_done_on,
                self.termination_done_on_precision or DatePrecision.DAY,
            )
        done = [m for m in self.milestones.all() if m.records_termination]
        # The earliest day; of two steps that day, the finer precision ("day" < "month" <
        # "year"), as ``with_termination`` reads it.
        first = min(done, key=lambda m: (m.done_on, m.done_on_precision), default=None)
        return first.known("done_on") if first is not None else None

    @property
    def term_ran_out_first(self):
        """Whether it is terminated on a day after its term had certainly run out (the
        termination's first day, as known, after the last day its expiry covers): it ended
        when its term ran out, ``expires_by``, as its end is stored (``ends_by_of``); the rows
        that say when it ended say its expiry, not the termination recorded later."""
        ended = self.terminated_on
        return ended is not None and self.expires_on is not None and ended.date > self.expires_by

    @property
    def terminated_undated(self):
        """Whether it is terminated on a day no step records (``terminated_on`` None): every
        row that says when it ended says "Diakhiri; tanggal tidak tercatat", never its expiry,
        the term first agreed (the report's row said "4 Desember 2031" of an addendum
        terminated with its MoU, where the list's said it was terminated)."""
        return self.status == AgreementStatus.TERMINATED and self.terminated_on is None

    # -- validation ---------------------------------------------------------------------------

    def validate_constraints(self, exclude=None):
        """The database's constraints, each refusal shown at the field it concerns: a
        constraint that names one in its ``violation_error_code`` (the reference already in
        use, a negative budget), not above the form as the constraint's name."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            fields = {field.name for field in self._meta.concrete_fields}
            placed = {}
            for name, errors in error.update_error_dict({}).items():
                for each in errors:
                    at = each.code if name == NON_FIELD_ERRORS and each.code in fields else name
                    placed.setdefault(at, []).append(each)
            raise ValidationError(placed) from error

    def clean(self):
        errors = defaultdict(list)
        today = timezone.localdate()
        if self.signed_on and self.signed_on > today:
            errors["signed_on"].append(
                _(
                    "Tanggal ditandatangani tidak boleh di masa depan: catat penandatanganan "
                    "setelah terjadi; sampai saat itu pilih status sebelum ditandatangani."
                )
            )
        if self.proposed_on and self.proposed_on > today:
            # A typo of the year: the public page said "Diusulkan 1 Maret 2027", and a step
            # done today was refused as coming before the proposal.
            errors["proposed_on"].append(
                _(
                    "Tanggal diusulkan tidak boleh di masa depan: isi tanggal kerja sama ini "
                    "diajukan. Usulan yang masih direncanakan dicatat sebagai tahapan "
                    "“Prakarsa” dengan target tanggal."
                )
            )
        if (
            self.status == self.Status.IN_FORCE
            and self.in_force_from
            and self.in_force_from > today
        ):
            errors["status"].append(
                _(
                    "Status “Berlaku” berarti kerja sama sudah berlaku, tetapi tanggal mulai "
                    "berlaku masih di masa depan. Pilih status “Ditandatangani”: kerja sama "
                    "tampil berlaku mulai tanggal itu."
                )
            )
        # A date known to its month or year stands for that whole period, as the database's
        # constraints read it (``agreements.dates.not_before``).
        if self.signed_on and self.expires_on and self.ends("expires_on") < self.signed_on:
            errors["expires_on"].append(
                _("Tanggal berakhir tidak boleh sebelum tanggal ditandatangani.")
            )
        if (
            self.in_force_from
            and self.expires_on
            and self.ends("expires_on") < self.in_force_from
            and "expires_on" not in errors
        ):
            # A term that ends before it begins: the page would say it is in force from a day
            # after it expired ("berlaku mulai 1 Januari 2027 · berakhir dalam 26 hari").
            errors["expires_on"].append(
                _("Tanggal berakhir tidak boleh sebelum tanggal mulai berlaku.")
            )
        if self.signed_on and self.in_force_from and self.ends("in_force_from") < self.signed_on:
            errors["in_force_from"].append(
                _("Tanggal mulai berlaku tidak boleh sebelum tanggal ditandatangani.")
            )
        if self.proposed_on and self.signed_on and self.ends("signed_on") < self.proposed_on:
            errors["signed_on"].append(
                _("Tanggal ditandatangani tidak boleh sebelum tanggal diusulkan.")
            )
        if self.status in UNSIGNED_STATUSES and (self.signed_on or self.in_force_from):
            errors["status"].append(
                _(
                    "Status “%(status)s” berarti naskah belum ditandatangani; kosongkan tanggal "
                    "ditandatangani dan berlaku sejak, atau pilih status lain."
                )
                % {"status": self.Status(self.status).label}
            )
        # Recorded "Ditandatangani" with its entry into force, it shows "Berlaku" from that
        # day (``entered_into_force_q``): held to the same rule, its page said "Berlaku" above
        # "Ditandatangani: tanggal tidak tercatat", which "Berlaku" itself is refused for.
        shows_in_force = self.status == self.Status.IN_FORCE or (
            self.status == self.Status.SIGNED and self.in_force_from
        )
        if shows_in_force and not self.signed_on:
            errors["signed_on"].append(
                _("Kerja sama yang berlaku sudah ditandatangani: isi tanggal ditandatangani.")
            )
        if self.expired_too_soon_on(today):
            errors["status"].append(self.expired_too_soon())
        if bool(self.follows_id) != bool(self.relation):
            errors["relation"].append(
                _("Isi “kelanjutan dari” dan hubungannya bersama-sama, atau kosongkan keduanya.")
            )
        if self.pk and self.follows_id == self.pk:
            errors["follows"].append(
                _("Kerja sama tidak dapat menjadi kelanjutan dirinya sendiri.")
            )
        elif self.pk and self.follows_id:
            # Following one of its own continuations, the chain would have no first document
            # to read its stages from (``chains``). One query.
            loop = (
                Agreement.objects.filter(pk=self.pk)
                .continuations()
                .filter(pk=self.follows_id)
                .values_list("title", flat=True)
                .first()
            )
            if loop is not None:
                errors["follows"].append(
                    _(
                        "Rantai “kelanjutan dari” akan berputar: “%(title)s” sudah merupakan "
                        "kelanjutan kerja sama ini. Pilih naskah yang mendahuluinya."
                    )
                    % {"title": loop}
                )
        for name, message in self.precision_errors(self.DATE_FIELDS).items():
            errors[name].append(message)
        if not errors.get("expires_on") and not errors.get("follows"):
            amended = self.amended_text()
            self.end_with_amended(amended)
            for name, messages in self.term_contradictions_by_field(amended).items():
                errors[name].extend(messages)
        errors = {name: messages for name, messages in errors.items() if messages}
        if errors:
            raise ValidationError(errors)

    def expired_too_soon_on(self, today):
        """Whether it is recorded as expired ("Berakhir") while its term, as known on ``today``,
        has not run out (``expires_by``) or it has none. "Berakhir" is said of a term that has
        run out: the page would say it ended while its term still runs ("Berakhir · berakhir
        dalam 26 hari"), or with no term at all. A date known to its month or year runs through
        that period's last day. Mirrors ``expired_too_soon_q``."""
        return self.status == self.Status.EXPIRED and (
            self.expires_on is None or self.expires_by >= today
        )

    @classmethod
    def expired_too_soon_q(cls, today):
        """A filter for the agreements ``expired_too_soon_on(today)``: recorded as expired with
        no expiry, or one whose period has not ended before ``today`` (``ended_before``)."""
        return Q(status=cls.Status.EXPIRED) & (
            Q(expires_on__isnull=True) | ~ended_before("expires_on", today)
        )

    @staticmethod
    def contradicted_by_steps_q():
        """A filter for the agreements ``status_step_errors`` refuses as they stand: signed or
        in force, or still being prepared, with a termination step recorded as done, not yet
        signed (or cancelled before signing) with its signing recorded as done, or terminated
        with its termination still planned and none done."""
        steps = Milestone.objects.filter(agreement=OuterRef("pk"))
        ended = steps.filter(Milestone.records_termination_q())
        planned = steps.filter(Milestone.plans_termination_q())
        signed = steps.filter(Milestone.records_signing_q())
        not_ended = (*SIGNED_STATUSES, *STATUSES_BEFORE_SIGNING)
        return (
            (Q(status__in=not_ended) & Q(models.Exists(ended)))
            | (Q(status__in=UNSIGNED_STATUSES) & Q(models.Exists(signed)))
            | (
                Q(status=AgreementStatus.TERMINATED)
                & Q(models.Exists(planned))
                & ~Q(models.Exists(ended))
            )
        )

    @classmethod
    def lone_ksdd_q(cls):
        """A filter for the KSDDs ``party_errors`` refuses as they stand: no partner, and no
        second party region. Two semi-joins over the link tables, by agreement."""
        links = cls.regions.through.objects.filter(agreement=OuterRef("pk"))
        second_region = links.exclude(region=OuterRef("lead_region"))
        partners = cls.partners.through.objects.filter(agreement=OuterRef("pk"))
        return Q(scope=Scope.KSDD) & ~Q(models.Exists(partners)) & ~Q(models.Exists(second_region))

    @classmethod
    def partnerless_q(cls):
        """A filter for the KSDPKs, KSDPLs and KSDLLs ``party_errors`` refuses as they stand:
        no partner named (``PARTNERED_SCOPES``). A semi-join over the link table."""
        partners = cls.partners.through.objects.filter(agreement=OuterRef("pk"))
        return Q(scope__in=PARTNERED_SCOPES) & ~Q(models.Exists(partners))

    def party_contradictions(self, regions=None, partners=None, agencies=None):
        """What its stored parties contradict, in the words its form refuses them with
        (``party_errors`` as a new record is checked): a list of messages, empty where its
        parties agree with its scope. Its party ``regions``, ``partners`` and ``agencies`` as
        already read (a form's initial values), or else read (no query where prefetched).
        ``AgreementQuerySet.with_contradicting_parties`` finds them: the KSDDs naming one
        region alone, the KSDPKs, KSDPLs and KSDLLs naming no partner."""
        return [
            str(message)
            for message in self.party_errors(
                self.scope,
                self.lead_region,
                self.regions.all() if regions is None else regions,
                self.partners.all() if partners is None else partners,
                self.agencies.all() if agencies is None else agencies,
            ).values()
        ]

    @staticmethod
    def step_dates_contradicted_q():
        """A filter for the agreements ``step_date_contradictions`` finds something in, as
        they stand. One semi-join over the steps."""
        steps = Milestone.objects.filter(Milestone.contradicts_agreement_dates_q())
        return Q(pk__in=steps.values("agreement_id"))

    def step_date_contradictions(self, milestones):
        """What its own dates contradict in ``milestones`` (its steps), in the words each
        step's form refuses it with (``Milestone.agreement_date_errors``), each naming its
        step: a list of messages, empty where they agree. Read against this agreement as it
        is to be written (a form's or an import's dates), so a date changed beside steps
        already stored is checked too. ``AgreementQuerySet.with_contradicting_steps`` finds
        the rows written before the rules."""
        problems = []
        for milestone in milestones:
            milestone.agreement = self  # its dates as they stand here, with no query
            for messages in milestone.agreement_date_errors().values():
                problems.extend(
                    _("Tahapan “%(title)s”: %(problem)s")
                    % {"title": milestone.title, "problem": message}
                    for message in messages
                )
        return problems

    def status_contradictions(self, milestones, today=None):
        """What its recorded status contradicts, as it stands, in the words its form refuses
        it with (``expired_too_soon``, ``status_step_errors``): a list of messages, empty
        where the status agrees with its dates and ``milestones`` (its steps; only those
        recording its termination or its signing as done are read). Rows written before these
        rules, or behind the forms' back, may break them;
        ``AgreementQuerySet.with_contradicting_status`` finds them."""
        problems = []
        if self.expired_too_soon_on(today or timezone.localdate()):
            problems.append(self.expired_too_soon())
        problems.extend(self.status_step_errors(milestones).values())
        return problems

    def amended_text(self):
        """The text it amends or extends as its term rules read it (its expiry and status), or
        None where it is neither an amendment nor an extension of a stored text. One query."""
        if self.relation not in (AgreementRelation.AMENDS, AgreementRelation.EXTENDS):
            return None
        if not self.follows_id:
            return None
        return (
            Agreement.objects.filter(pk=self.follows_id)
            .only("expires_on", "expires_on_precision", "status")
            .first()
        )

    # The fields its check (``clean``) filled in, which a form saved as opened still writes.
    filled_by_check = ()

    def end_with_amended(self, amended):
        """An amendment written with no expiry of its own ends with the text it amends
        (``DATES_SHARED_BY``, docs/stages.md): it takes that text's expiry, as the add form
        offers it. Left blank, its page said "Berlaku" for good once the text had ended. What
        the model's check (the admin's forms) and the importer do before checking its term."""
        if (
            self.relation == AgreementRelation.AMENDS
            and self.expires_on is None
            and amended is not None
            and amended.expires_on is not None
        ):
            self.expires_on = amended.expires_on
            self.expires_on_precision = amended.expires_on_precision
            self.filled_by_check = ("expires_on", "expires_on_precision")

    @staticmethod
    def unknown_currency_q():
        """A filter for the agreements ``currency_contradictions`` finds something in: a
        currency none of ISO 4217's codes (``partners.currencies``)."""
        return ~Q(budget_currency__in=sorted(currency_codes()))

    def currency_contradictions(self):
        """What its stored currency contradicts, in the words its form refuses it with
        (``CURRENCY_UNKNOWN``, naming it): a list of messages, empty where it is one of ISO
        4217's codes (``is_currency_code``). ``AgreementQuerySet.with_unknown_currency`` finds
        the rows written before the rule."""
        if self.is_currency_code(self.budget_currency):
            return []
        return [str(CURRENCY_UNKNOWN % {"value": self.budget_currency})]

    def term_contradictions(self, amended=None):
        """What its term contradicts (``term_contradictions_by_field``), as a list of
        messages, empty where there is none."""
        by_field = self.term_contradictions_by_field(amended)
        return [message for messages in by_field.values() for message in messages]

    def term_contradictions_by_field(self, amended=None):
        """What its term contradicts, in the words its form refuses it with, by the field to
        mend: an amendment (``AgreementRelation.AMENDS``) ends with the text it amends
        (docs/stages.md). Refused: an amendment ending after that text, whatever day its date
        known to a month or year may be (an addendum known to end in "2029" may end with a text
        ending on 30 June 2029); a term made longer is an extension's, which the pages follow.
        Refused too: one still signed or in force while that text is recorded terminated or
        cancelled, whose page would go on saying "Berlaku" (not one that ran out by its own
        date before, whose page says "Berakhir"); one signed or in force after that
        text ended, which would end before it began (an addendum of a text since extended
        amends the extension). Listed for rows written before
        these rules: one with no expiry while the text has one, which a save mends
        (``end_with_amended``). An extension (``AgreementRelation.EXTENDS``) makes the term
        longer: one ending no later than the text it extends, whatever day its date known to a
        month or year may be, is refused; its text's page, the dashboard and the downloads said
        "sudah diperpanjang" of a text its extension ended before. ``amended``: the text it
        amends or extends, read where not given (one query).
        ``AgreementQuerySet.with_contradicting_term`` finds them."""
        if self.relation not in (AgreementRelation.AMENDS, AgreementRelation.EXTENDS):
            return {}
        if amended is None:
            amended = self.amended_text()
        if amended is None:
            return {}
        if self.relation == AgreementRelation.EXTENDS:
            return self.extension_term_errors(amended)
        problems = {}
        # One that ran out by its own date already says "Berakhir": not terminated with it.
        going_on = self.status in SIGNED_STATUSES and not self.lapsed_on(timezone.localdate())
        if amended.status == AgreementStatus.CANCELLED and going_on:
            # A cancelled text was never signed (``UNSIGNED_STATUSES``): recorded "Batal" as
            # the words above ask, the signed amendment was refused for its signing dates.
            problems["status"] = [
                _(
                    "Naskah yang diubahnya tercatat “%(ended)s”, yaitu tidak ditandatangani, "
                    "dan amendemen atau adendum berakhir bersama naskah itu: catat statusnya "
                    "“%(ended)s” juga dan kosongkan tanggal ditandatangani dan berlaku sejak, "
                    "atau perbaiki status naskah itu bila sudah ditandatangani."
                )
                % {"ended": AgreementStatus(amended.status).label}
            ]
        elif amended.status in TERM_CUT_SHORT and going_on:
            problems["status"] = [
                _(
                    "Naskah yang diubahnya tercatat “%(ended)s”, dan amendemen atau adendum "
                    "berakhir bersama naskah itu: catat statusnya “%(ended)s” juga."
                )
                % {"ended": AgreementStatus(amended.status).label}
            ]
        if amended.expires_on is None:
            return problems
        begun = max((day for day in (self.signed_on, self.in_force_from) if day), default=None)
        if begun is not None and amended.ends("expires_on") < begun:
            # Its end, left blank, filled in with the text's, would come before it was signed:
            # refused here in these words, not by the database's constraint by its name.
            problems["expires_on"] = [
                _(
                    "Amendemen atau adendum berakhir bersama naskah yang diubahnya, tetapi "
                    "naskah itu berakhir %(expires)s, sebelum amendemen atau adendum ini "
                    "ditandatangani atau berlaku. Jika naskah itu sudah diperpanjang, pilih "
                    "perpanjangannya pada “kelanjutan dari”."
                )
                % {"expires": amended.known("expires_on")}
            ]
        elif self.expires_on is None:
            problems["expires_on"] = [
                _(
                    "Amendemen atau adendum berakhir bersama naskah yang diubahnya, yang berakhir "
                    "%(expires)s, tetapi tanggal berakhirnya tidak diisi. Saat disimpan, "
                    "tanggal itu diisikan."
                )
                % {"expires": amended.known("expires_on")}
            ]
        elif self.known("expires_on").date > amended.ends("expires_on"):
            # An end known to its month or year may be the text's: not refused.
            problems["expires_on"] = [
                _(
                    "Amendemen atau adendum berakhir bersama naskah yang diubahnya, yang "
                    "berakhir %(expires)s. Untuk memperpanjang jangka waktunya, catat naskah ini "
                    "sebagai perpanjangan: pilih hubungan “Perpanjangan”."
                )
                % {"expires": amended.known("expires_on")}
            ]
        return problems

    def extension_term_errors(self, extended):
        """{field: messages} when, as an extension of ``extended``, it ends no later than that
        text (``term_contradictions_by_field``): its end read as the last day its date covers,
        the text's as the first, so that only an end certainly not after is refused."""
        if self.expires_on is None or extended.expires_on is None:
            return {}
        if self.ends("expires_on") > extended.known("expires_on").date:
            return {}
        return {
            "expires_on": [
                _(
                    "Perpanjangan melanjutkan jangka waktu naskah yang diperpanjangnya, yang "
                    "berakhir %(expires)s, tetapi perpanjangan ini berakhir %(own)s, tidak "
                    "sesudahnya. Periksa tanggal berakhirnya; bila naskah ini mengubah naskah "
                    "itu tanpa memperpanjang jangka waktunya, pilih hubungan “Amendemen / "
                    "adendum”."
                )
                % {
                    "expires": extended.known("expires_on"),
                    "own": self.known("expires_on"),
                }
            ]
        }

    def expired_too_soon(self):
        """What to tell a clerk who recorded it as expired ("Berakhir") while its term, as
        known, has not run out (``expires_by``) or it has no expiry."""
        if self.expires_on is None:
            return _(
                "Status “Berakhir” berarti jangka waktu kerja sama sudah habis, tetapi tanggal "
                "berakhirnya tidak diisi: isi tanggal berakhir. Kerja sama yang diakhiri sebelum "
                "jangka waktunya habis berstatus “Diakhiri”."
            )
        return _(
            "Status “Berakhir” berarti jangka waktu kerja sama sudah habis, tetapi kerja sama "
            "ini berlaku sampai %(expires)s. Kerja sama yang diakhiri sebelum jangka waktunya "
            "habis berstatus “Diakhiri”; bila belum diakhiri, pilih “Berlaku”."
        ) % {"expires": self.known("expires_on")}

    def status_step_errors(self, milestones):
        """{field: message} when its status contradicts one of ``milestones`` (its steps as
        they are to be written): still signed or in force while its termination is recorded as
        done (the status page would say "Berlaku" above "Pengakhiran: terlaksana"), or still
        being prepared while it is (a text never signed that ended is "Batal"), or not yet
        signed (or cancelled before signing) while its signing is recorded as done (the page
        would say "Batal" above a path whose every stage was passed, signing included), or
        terminated while its termination is still planned and none is done (the page said
        "Diakhiri", the day "tidak tercatat", of a cooperation in force until that day).

        Called by every path a person writes an agreement with its steps through (the admin
        form with its milestone table, a milestone's own page, the importer), because
        ``clean()`` sees the agreement alone, not the steps posted or imported beside it (as
        ``party_errors``). Mirrors ``contradicted_by_steps_q``."""
        if self.status in SIGNED_STATUSES:
            ended = next((m for m in milestones if m.records_termination), None)
            if ended is None:
                return {}
            return {
                "status": _(
                    "Pengakhiran kerja sama ini tercatat terlaksana (%(ended)s), tetapi "
                    "statusnya masih “%(status)s”. Kerja sama yang pengakhirannya dicatat "
                    "berstatus “Diakhiri”: pilih status itu, atau kosongkan tanggal terlaksana "
                    "tahapan pengakhiran bila belum terjadi."
                )
                % {"ended": ended.known("done_on"), "status": self.Status(self.status).label}
            }
        if self.status == self.Status.TERMINATED and not any(
            m.records_termination for m in milestones
        ):
            planned = next((m for m in milestones if m.plans_termination), None)
            if planned is not None:
                # Ended on a day still to come: its page said "Diakhiri", the day "tidak
                # tercatat" and nothing next, of a cooperation in force until that day.
                return {
                    "status": _(
                        "Status “%(status)s”, tetapi pengakhiran kerja sama ini belum "
                        "terlaksana: tahapan “%(step)s” masih direncanakan%(due)s. Bila sudah "
                        "diakhiri, isi tanggal terlaksana tahapan itu; bila belum, pilih status "
                        "yang berlaku sampai saat itu (mis. “%(in_force)s”)."
                    )
                    % {
                        "status": self.Status.TERMINATED.label,
                        "step": planned.title,
                        "due": (
                            _(" (target %(due)s)") % {"due": planned.known("due_on")}
                            if planned.due_on
                            else ""
                        ),
                        "in_force": self.Status.IN_FORCE.label,
                    }
                }
        if self.status in STATUSES_BEFORE_SIGNING:
            ended = next((m for m in milestones if m.records_termination), None)
            if ended is not None:
                # Ended before it was signed: the talks were called off, which is "Batal". Its
                # page said "Penyiapan naskah", the next step waiting on the partner, above
                # "Pengakhiran: terlaksana".
                return {
                    "status": _(
                        "Pengakhiran kerja sama ini tercatat terlaksana (%(ended)s), tetapi "
                        "status “%(status)s” berarti naskahnya masih disiapkan. Naskah yang "
                        "dihentikan sebelum ditandatangani berstatus “%(cancelled)s”: pilih "
                        "status itu, atau kosongkan tanggal terlaksana tahapan pengakhiran bila "
                        "belum terjadi."
                    )
                    % {
                        "ended": ended.known("done_on"),
                        "status": self.Status(self.status).label,
                        "cancelled": self.Status.CANCELLED.label,
                    }
                }
        if self.status in UNSIGNED_STATUSES:
            signed = next((m for m in milestones if m.records_signing), None)
            if signed is None:
                return {}
            if signed.kind == MilestoneKind.LOI:
                # An LoI recorded as signed at its own LoI step: the step named as it is shown.
                return {
                    "status": _(
                        "Tahap “%(step)s” naskah LoI ini tercatat terlaksana (%(signed)s), "
                        "artinya LoI sudah ditandatangani, tetapi statusnya masih “%(status)s”. "
                        "Pilih status “%(signed_status)s” atau “%(in_force)s” dan isi tanggal "
                        "ditandatangani; bila LoI belum ditandatangani, kosongkan tanggal "
                        "terlaksana tahap itu."
                    )
                    % {
                        "step": signed.get_kind_display(),
                        "signed": signed.known("done_on"),
                        "status": self.Status(self.status).label,
                        "signed_status": self.Status.SIGNED.label,
                        "in_force": self.Status.IN_FORCE.label,
                    }
                }
            return {
                "status": _(
                    "Penandatanganan naskah ini tercatat terlaksana (%(signed)s), tetapi status "
                    "“%(status)s” berarti naskah belum ditandatangani. Bila sudah ditandatangani, "
                    "pilih status “%(signed_status)s” atau “%(in_force)s” dan isi tanggal "
                    "ditandatangani; bila belum, kosongkan tanggal terlaksana tahapan "
                    "penandatanganan."
                )
                % {
                    "signed": signed.known("done_on"),
                    "status": self.Status(self.status).label,
                    "signed_status": self.Status.SIGNED.label,
                    "in_force": self.Status.IN_FORCE.label,
                }
            }
        return {}

    @staticmethod
    def is_currency_code(value):
        """Whether ``value`` is a currency the register records: one of ISO 4217's codes
        (``partners.currencies``), in capitals, which the database's constraint
        (``CURRENCY_CODE``) holds too. Every write path checks it first, so that a value is
        refused at its field, never on the write: three capitals of no currency ("RUP", "ABC")
        were stored and shown as a budget's currency."""
        return re.fullmatch(CURRENCY_CODE, value) is not None and is_currency(value)

    @staticmethod
    def party_errors(scope, lead_region, regions, partners, agencies=(), as_stored=False):
        """Problems with the parties of an agreement, as a dict of field → message.

        Called by every path that sets parties (the admin form, the importer, the demo data),
        because the database cannot check many-to-many relations against the scope, nor an
        agency against the party regions (``agencies`` are read with their region's id only).

        A KSDD names another region beside its lead region, and a KSDPK, KSDPL or KSDLL a
        partner (``PARTNERED_SCOPES``): each refused on a new record, an imported row and a
        change of scope or parties. ``as_stored``: the scope and the parties
        are saved as stored, beside changes to other fields (the admin form, an imported row of a
        stored agreement), so a KSDD stored with one region before that rule is not refused for
        a change that does not concern its parties.
        """
        errors = {}
        regions = list(regions)
        partners = list(partners)
        region_ids = {region.pk for region in regions}
        strangers = [agency for agency in agencies if agency.region_id not in region_ids]
        if strangers:
            errors["agencies"] = _(
                "Perangkat daerah pelaksana harus dari daerah pihak; bukan dari daerah pihak: "
                "%(agencies)s."
            ) % {"agencies": ", ".join(str(agency) for agency in strangers)}
        if lead_region is not None and lead_region not in regions:
            errors["regions"] = _("Daerah pengampu harus termasuk daerah pihak.")
        if (
            scope == Scope.KSDD
            and not partners
            and len(regions) == 1
            and not as_stored
            and "regions" not in errors
        ):
            # Between a region and another region (PP 28/2018): one region alone is half of it.
            # With a partner named, the scope it implies says what is wrong instead (below).
            errors["regions"] = _(
                "Kerja sama antardaerah (KSDD) adalah kerja sama antara dua daerah atau lebih, "
                "tetapi hanya satu daerah pihak yang disebut (%(region)s): sebutkan juga daerah "
                "mitranya."
            ) % {"region": regions[0]}
        if scope in PARTNERED_SCOPES and not partners and not as_stored:
            # With a third party, a regional government or an institution abroad (PP 28/2018):
            # that party is the cooperation's other half. One not yet known is recorded as a
            # partner that says so (the demo's "Kota di Provinsi Anhui (belum ditentukan)").
            errors["partners"] = _(
                "Kerja sama dalam lingkup “%(scope)s” memerlukan mitra, tetapi tidak ada mitra "
                "yang disebut: sebutkan mitranya. Bila mitranya belum diketahui, catat mitra "
                "yang menyatakannya belum ditentukan (seperti “Kota di Provinsi Anhui (belum "
                "ditentukan)”)."
            ) % {"scope": Scope(scope).label}
        implied = Scope.for_parties(regions, partners)
        if implied is not None and scope and implied != scope:
            errors["scope"] = _(
                "Lingkup %(scope)s tidak sesuai dengan para pihak, yang menunjukkan %(implied)s."
            ) % {"scope": Scope(scope).label, "implied": implied.label}
        return errors

    # -- where it stands: stages, next step, dormancy ------------------------------------------
    # These read ``self.milestones.all()``: one query each unless the milestones are prefetched,
    # as ``AgreementQuerySet.for_status_page`` does.

    @property
    def carries_out(self):
        """Whether it carries out the text it follows (a PKS under an MoU, an amendment, an
        extension) rather than being a cooperation of its own or a new stage of one
        (``carries_out_text``: a PKS straight after an LoI carries out no text). Reads the text
        it follows, unless loaded, only for a PKS or an amendment following one as its
        follow-up, whose path that decides."""
        if self.relation not in CARRYING_OUT:
            return False
        if self.relation != AgreementRelation.IMPLEMENTS or self.follows_id is None:
            return True
        if self.kind not in (AgreementKind.PKS, AgreementKind.AMENDMENT):
            return True
        return carries_out_text(self.relation, self.follows.kind)

    @property
    def is_signed(self):
        return self.status not in UNSIGNED_STATUSES

    @property
    def expiry_unrecorded(self):
        """Whether its page says its expiry is not recorded: signed with none, where a term is
        to be written down. Not of an LoI, which often has no term: with none it shows "—",
        as its row on the list does, not a gap for the bureau to fill."""
        return self.is_signed and not self.expires_on and self.kind != AgreementKind.LOI

    @property
    def is_signed_extension(self):
        """Whether it extends the text it follows and is signed: that text's term goes on in
        it, its extension step is done (``carry_out_extension_steps``), and its page and the
        dashboard say it is extended (``extended_by``, ``AgreementQuerySet.marking_extended``).
        Not once it is terminated: its term was cut short, so the text's does not go on in it
        (an MoU running out in 20 days whose extension was terminated before it came into
        force said "sudah diperpanjang", its talks on an extension done, nothing pending).
        Mirrors ``signed_extension_q``."""
        return (
            self.relation == AgreementRelation.EXTENDS
            and self.is_signed
            and self.status != AgreementStatus.TERMINATED
        )

    @staticmethod
    def signed_extension_q():
        """A filter for the agreements ``is_signed_extension``."""
        return Q(relation=AgreementRelation.EXTENDS) & ~Q(
            status__in=(*UNSIGNED_STATUSES, AgreementStatus.TERMINATED)
        )

    @property
    def is_signed_follow_up(self):
        """Whether it carries on the text it follows as its follow-up (*Tindak lanjut*: the MoU
        or sister-city text after an LoI, the PKS after an MoU) and is signed: that text's
        cooperation goes on in it, and the lists of what expires mark the text "sudah
        ditindaklanjuti" (``followed_up_by``, ``AgreementQuerySet.marking_followed_up``). Not
        once it is terminated, as ``is_signed_extension``. Mirrors ``signed_follow_up_q``."""
        return (
            self.relation == AgreementRelation.IMPLEMENTS
            and self.is_signed
            and self.status != AgreementStatus.TERMINATED
        )

    @staticmethod
    def signed_follow_up_q():
        """A filter for the agreements ``is_signed_follow_up``."""
        return Q(relation=AgreementRelation.IMPLEMENTS) & ~Q(
            status__in=(*UNSIGNED_STATUSES, AgreementStatus.TERMINATED)
        )

    def followed_up_by(self, chain, shown=None):
        """The signed follow-up of ``chain`` that carries this text on
        (``is_signed_follow_up``), the latest signed where there are several; None where none
        does, or this text is itself terminated. With ``shown`` (the pks the reader may see),
        only those: a public page never names an internal follow-up. The status page says it
        beside the text's end, as it says ``extended_by``. Reads the chain given, no query."""
        return self._latest_carrying_on(chain, shown, lambda document: document.is_signed_follow_up)

    def extended_by(self, chain, shown=None):
        """The signed extension of ``chain`` that extends this text (``is_signed_extension``),
        the latest signed where there are several; None where none does. With ``shown`` (the
        pks the reader may see), only those: a public page never names an internal extension.
        None of a text itself terminated, whose term does not go on (``marking_extended``).
        Reads the chain given, no query."""
        return self._latest_carrying_on(chain, shown, lambda document: document.is_signed_extension)

    def _latest_carrying_on(self, chain, shown, carries_on):
        """The latest signed text of ``chain`` following this one for which ``carries_on``
        holds, among ``shown`` where given; None where there is none or this text is itself
        terminated (``followed_up_by``, ``extended_by``)."""
        if self.status == AgreementStatus.TERMINATED:
            return None
        return max(
            (
                document
                for document in chain
                if document.follows_id == self.pk
                and carries_on(document)
                and (shown is None or document.pk in shown)
            ),
            key=lambda d: (d.signed_on or datetime.date.min, d.pk),
            default=None,
        )

    def extension_outliving_termination(self, chain, today):
        """The signed extension of ``chain`` extending this text that has not ended on
        ``today``, where this text is recorded terminated; the latest signed of several, None
        otherwise. A clerk records the early ending of an MoU on the MoU, while the extension
        it was carried on in stays in force: that extension's page went on saying "Berlaku",
        and the MoU's that the cooperation goes on there. The admin's save says so. Reads the
        chain given, no query."""
        if self.status != AgreementStatus.TERMINATED:
            return None
        going_on = [
            document
            for document in chain
            if document.follows_id == self.pk
            and document.is_signed_extension
            and not document.has_ended_on(today)
        ]
        return max(going_on, key=lambda d: (d.signed_on or datetime.date.min, d.pk), default=None)

    @classmethod
    def ends_with_text_among_q(cls, among, alike=False):
        """A ``Q``: an amendment ending with the text it amends, on the same day
        (``ends_by``: its own end, as known, is not after the text's, and one with no end
        takes the text's, ``end_with_amended``), or neither with an end, where that text is
        among ``among`` (a queryset of agreements). Part of that text, not a cooperation
        beside it: ``AgreementQuerySet.each_cooperation_once`` leaves it out. ``alike``: the
        text is also of the amendment's ``cooperation_alike`` (an annotation of ``among``)."""
        text = among.order_by().filter(pk=OuterRef("follows_id"))
        if alike:
            text = text.filter(cooperation_alike=OuterRef("cooperation_alike"))
        same_end = models.Exists(text.filter(ends_by=OuterRef("ends_by")).values("pk"))
        neither_ends = models.Exists(text.filter(ends_by__isnull=True).values("pk"))
        return Q(relation=AgreementRelation.AMENDS) & (
            Q(same_end, ends_by__isnull=False) | Q(neither_ends, ends_by__isnull=True)
        )

    def amendments_in(self, chain):
        """The documents of ``chain`` amending this text (``AgreementRelation.AMENDS``).
        Reads the chain given, no query."""
        return [
            document
            for document in chain
            if document.follows_id == self.pk and document.relation == AgreementRelation.AMENDS
        ]

    def amendments_outlasting(self, chain):
        """The amendments of ``chain`` amending this text that outlast it
        (``term_contradictions``), in the chain's order: a clerk who terminates an MoU, or
        moves its expiry earlier, leaves its addendum as it was, and the addendum's page went
        on saying "Berlaku". The admin's save of the text says so. Reads the chain given, no
        query."""
        return [
            amendment
            for amendment in self.amendments_in(chain)
            if amendment.term_contradictions(amended=self)
        ]

    def amendments_left_behind(self, chain, previous):
        """The amendments of ``chain`` amending this text that still end on ``previous`` (a
        ``KnownDate``), the end this text was saved from, now that it ends later: an addendum
        saved with no end of its own took the text's (``end_with_amended``), and a clerk who
        then corrects the text's end leaves the addendum ending first, its page saying
        "Berakhir" while the text's says "Berlaku". One cut short itself is left out. What the
        admin's save of the text warns of; its own shorter term, stated, stays the clerk's to
        keep. Reads the chain given, no query."""
        if previous is None or self.expires_on is None:
            return []
        if self.ends("expires_on") <= previous.end:
            return []
        return [
            amendment
            for amendment in self.amendments_in(chain)
            if amendment.status not in TERM_CUT_SHORT and amendment.known("expires_on") == previous
        ]

    def outlasting_warning(self, amendment, link=None):
        """What a save of this text warns of an amendment of it that outlasts it
        (``amendments_outlasting``): plain text naming it by its title, or, given ``link``
        (HTML leading to it), safe HTML naming it by that link. It says what the clerk can
        mend on the amendment, as its own form would refuse it
        (``term_contradictions_by_field``): its status, once this text is recorded terminated
        or cancelled (no end date makes it end with a text cut short: it told the clerk to fix
        the end date), its end date where it ends after this text's."""
        until = _(" tanpa tanggal berakhir")
        if amendment.expires_on is not None:
            until = _(" sampai %(date)s") % {"date": amendment.known("expires_on")}
        fields = amendment.term_contradictions_by_field(amended=self)
        if "status" in fields and "expires_on" in fields:
            told = gettext(
                "Amendemen atau adendum berakhir bersama naskah yang diubahnya, tetapi "
                "{amendment} tercatat “{status}”{until}: halaman statusnya tidak berakhir "
                "bersama naskah ini. Catat statusnya “{ended}” juga, dan perbaiki tanggal "
                "berakhirnya."
            )
        elif "status" in fields:
            told = gettext(
                "Amendemen atau adendum berakhir bersama naskah yang diubahnya, tetapi "
                "{amendment} tercatat “{status}”{until}: halaman statusnya tidak berakhir "
                "bersama naskah ini. Catat statusnya “{ended}” juga."
            )
        else:
            told = gettext(
                "Amendemen atau adendum berakhir bersama naskah yang diubahnya, tetapi "
                "{amendment} tercatat “{status}”{until}: halaman statusnya tidak berakhir "
                "bersama naskah ini. Perbaiki tanggal berakhirnya."
            )
        values = {
            "status": amendment.get_shown_status_display(),
            "until": until,
            "ended": AgreementStatus(self.status).label,
        }
        if link is None:
            return told.format(amendment=f"“{amendment.title}”", **values)
        return format_html(told, amendment=link, **values)

    def stage_path(self, inherited=None, predecessor_kinds=()):
        """The stages its kind and scope require (``stage_path_of``); ``inherited`` and
        ``predecessor_kinds`` are what the documents it follows passed and were."""
        return self._by_stages(stage_path_of, inherited, predecessor_kinds)

    def next_step(self, inherited=None, predecessor_kinds=()):
        """What happens next and whom it waits on, or None (``next_step_of``)."""
        return self._by_stages(next_step_of, inherited, predecessor_kinds)

    def _by_stages(self, rule, inherited, predecessor_kinds):
        """``rule`` (``stage_path_of``, ``next_step_of``) of this agreement and its milestones."""
        return rule(
            self.kind,
            self.status,
            self.scope,
            self.milestones.all(),
            carries_out=self.carries_out,
            inherited=inherited,
            predecessor_kinds=predecessor_kinds,
        )

    def step_shown_on(self, step, today):
        """``step`` as the register shows it on ``today``: nothing once the cooperation shows
        as ended, expired by its date included (``AgreementQuerySet.waiting_on``)."""
        return None if self.has_ended_on(today) else step

    def continued_in(self, chain, today, shown=None):
        """The document of ``chain`` that carries this cooperation on once this text has ended:
        its extension, the text an LoI led to (an LoI is a step on the way to that text, and its
        term often runs out while the text is prepared), a PKS carrying out an MoU (an MoU's term
        often runs out while a PKS signed under it is in force), or that one's in turn: the
        nearest along the chain not ended on ``today``. Where there are several, a signed one
        before one still prepared, an extension (it carries the whole text on) before a PKS
        (it carries out a part), then the latest signed. An amendment ends with the text it
        amends, and a document it spawned is a cooperation of its own: neither carries it on.
        None when nothing carries it on, or all that do have ended too, or this text has not
        ended. With ``shown`` (the pks the reader may see), only those: a public page never
        points to an internal extension or PKS. An amendment that ended with its text (not cut
        short itself) is carried on where that text is: its page said the cooperation was over
        while its MoU's said it went on in the MoU's extension. Reads the chain given, no
        query."""
        if not self.has_ended_on(today):
            return None
        going_on = self._carried_on(chain, today, shown)
        if going_on is not None or self.relation != AgreementRelation.AMENDS:
            return going_on
        text = next((document for document in chain if document.pk == self.follows_id), None)
        if text is None or self.status in TERM_CUT_SHORT:
            return None
        if shown is not None and text.pk not in shown:
            return None
        return text.continued_in(chain, today, shown)

    def followed_up_in(self, chain, today, shown=None):
        """What a signed LoI that has not ended by its own date (an LoI often has no term) led
        to: the text carrying its cooperation on as ``continued_in`` chooses it, or, where
        every text carrying it on has ended, the one of them signed last, which its page says
        the cooperation ended with. None for any other text, or an LoI followed up by no text
        the reader may see (``shown``). The page of an LoI of 2020 whose MoU expired in 2025
        said "no step scheduled, waiting on nobody", as if the LoI stood alone. Reads the
        chain given, no query."""
        if self.kind != AgreementKind.LOI or not self.is_signed or self.has_ended_on(today):
            return None
        going_on = self._carried_on(chain, today, shown)
        if going_on is not None:
            return going_on
        carrying_on = self._following_by_level(
            chain,
            lambda document: document.relation in CARRYING_ON,
            shown,
            passed=lambda document: document.has_ended_on(today),
        )
        return max(
            (document for level in carrying_on for document in level),
            key=self._carrying_on_first,
            default=None,
        )

    def _carried_on(self, chain, today, shown):
        """The document of ``chain`` carrying this one on (``CARRYING_ON``) nearest along it
        that has not ended on ``today``, the first by ``_carrying_on_first``; None when none.
        One the reader may not see (``shown``) that has ended is passed through, what carries
        it on taking its place, as the chain on the status page hangs it from the text before:
        the public page of an MoU whose internal extension ran out listed the public extension
        in force under it and said, above, that the cooperation was over. One still going on
        is not: the cooperation goes on there, which the reader may not be told."""
        carrying_on = self._following_by_level(
            chain,
            lambda document: document.relation in CARRYING_ON,
            shown,
            passed=lambda document: document.has_ended_on(today),
        )
        for level in carrying_on:
            going_on = [document for document in level if not document.has_ended_on(today)]
            if going_on:
                return max(going_on, key=self._carrying_on_first)
        return None

    @staticmethod
    def _carrying_on_first(document):
        """Of several documents carrying a text on: a signed one before one still prepared, an
        extension (it carries the whole text on) before a PKS (it carries out a part), then the
        latest signed."""
        return (
            document.is_signed,
            document.relation == AgreementRelation.EXTENDS,
            document.signed_on or datetime.date.min,
            document.pk,
        )

    def ended_text_carried_out(self, chain, today, shown=None):
        """The text of ``chain`` this one carries out (the MoU a PKS implements) when that text
        has ended on ``today`` and this one has not: a PKS in force, or still prepared, under an
        MoU that has expired, been terminated or cancelled. Not an LoI: the text it led to
        does not carry it out, and its term is meant to run out. Nor an MoU whose term goes on
        in a signed extension not ended (``term_of``: however many extensions down, through one
        the reader may not see): the PKS carries out the MoU as extended. None
        otherwise, or when the reader may not see that text (``shown``, the pks they may).
        Reads the chain given, no query."""
        if self.relation != AgreementRelation.IMPLEMENTS or self.has_ended_on(today):
            return None
        text = next((document for document in chain if document.pk == self.follows_id), None)
        if (
            text is None
            or text.kind == AgreementKind.LOI
            or (shown is not None and text.pk not in shown)
            or not text.has_ended_on(today)
        ):
            return None
        extensions = text.term_of(chain, shown)[1:]
        if any(not extension.has_ended_on(today) for extension in extensions):
            # The page of a PKS under an MoU renewed a second time, its first extension run
            # out, said the MoU had ended.
            return None
        return text

    def amended_text_ended(self, chain, today, shown=None):
        """The text of ``chain`` this amendment amends when that text has been terminated or
        cancelled by ``today`` and this one, still recorded signed or in force, has not ended:
        an amendment ends with its text, but the text's save only warns the clerk of it
        (``Agreement.outlasting_warning``), so until it is mended its page would tell it
        running for years beside a text that ended. None otherwise, or when the reader may not
        see that text (``shown``, the pks they may). Reads the chain given, no query."""
        if self.relation != AgreementRelation.AMENDS or self.has_ended_on(today):
            return None
        text = next((document for document in chain if document.pk == self.follows_id), None)
        if text is None or (shown is not None and text.pk not in shown):
            return None
        ended = (AgreementStatus.TERMINATED, AgreementStatus.CANCELLED)
        return text if text.shown_status_on(today) in ended else None

    def term_of(self, chain, shown=None):
        """The documents of ``chain`` its term runs through: itself, then each signed extension
        of it (``is_signed_extension``), and of that one in turn. With ``shown`` (the pks the
        reader may see), only those: a public page reads no internal extension's dates. One it
        may not see is passed through to the extensions of it they may, as the chain on the
        status page hangs them from the text (``views.chain_order``): the term goes on in them,
        and a PKS within it was said to run past the text, whose page says its cooperation
        goes on there (``continued_in``). Reads the chain given, no query."""
        extending = self._following_by_level(
            chain,
            lambda document: document.is_signed_extension,
            shown,
            passed=lambda document: True,
        )
        return [self, *(document for level in extending for document in level)]

    def _following_by_level(self, chain, follows_so, shown=None, passed=None):
        """The documents of ``chain`` that follow this one in a way ``follows_so(document)``
        holds of, level by level: those following it, then those following them, each once
        (a chain that loops back ends). With ``shown`` (the pks the reader may see), only
        those, and nothing past one they may not, unless ``passed(document)`` holds of it:
        then what follows it takes its place, as the chain on the status page hangs what
        follows an unseen text from the one before it (``views.chain_order``). Reads the chain
        given, no query."""
        following = defaultdict(list)
        for document in chain:
            if document.follows_id is not None and follows_so(document):
                following[document.follows_id].append(document)
        level, seen = [self], {self.pk}
        while level:
            ahead = [document for current in level for document in following[current.pk]]
            level = []
            while ahead:
                document = ahead.pop(0)
                if document.pk in seen:
                    continue
                seen.add(document.pk)
                if shown is None or document.pk in shown:
                    level.append(document)
                elif passed is not None and passed(document):
                    ahead.extend(following[document.pk])
            if level:
                yield level

    def runs_past_text_carried_out(self, chain, shown=None):
        """Whether this PKS runs past the text it carries out (``follows``, *Tindak lanjut*):
        a ``TermOverrun`` when it expires after that text's term as extended (``term_of``), or
        was signed after it, each date read as certainly after (a date known to its month or
        year by its first day, the text's end by its last), or was signed before that text was
        (``signed_before``: a PKS of January under an MoU signed in June); None otherwise. A
        PKS carrying out an MoU should not outlast it, nor come before it (PP 28/2018): the
        register records what was signed and says so, at the admin's save (both ways: the PKS
        saved, or the MoU's term shortened or its signing moved) and on the PKS's status page.
        Not of a text with no end known (no expiry recorded, on it or on an extension carrying
        it on) but for its signing, nor of a cancelled or terminated PKS or text,
        nor of an LoI, whose term is meant to run out before the text it led to. With
        ``shown`` (the pks the reader may see), only a text they may see, read with the
        extensions they may see. Reads the chain given, no query."""
        if (
            self.kind != AgreementKind.PKS
            or self.relation != AgreementRelation.IMPLEMENTS
            or self.status in TERM_CUT_SHORT
            or not (self.expires_on or self.signed_on)
        ):
            return None
        text = next((document for document in chain if document.pk == self.follows_id), None)
        if (
            text is None
            or text.kind not in stages.MAIN_TEXTS
            or text.status in TERM_CUT_SHORT
            or (shown is not None and text.pk not in shown)
        ):
            return None
        if (
            self.signed_on
            and text.signed_on
            and self.ends("signed_on") < text.known("signed_on").date
        ):
            # Signed certainly before the text it carries out was (a date known to its month
            # or year: the PKS's by its last day, the text's by its first): what it carries
            # out was not there yet.
            return TermOverrun(self, text, (text,), text, False, signed_before=True)
        term = text.term_of(chain, shown)
        if any(document.expires_on is None for document in term):
            return None  # a term with no known end: nothing runs past it
        last = max(term, key=lambda document: (document.ends("expires_on"), document.pk))
        ends = last.ends("expires_on")
        signed_after = bool(self.signed_on) and self.known("signed_on").date > ends
        if not signed_after and not (self.expires_on and self.known("expires_on").date > ends):
            return None
        return TermOverrun(self, text, tuple(term), last, signed_after)

    def term_overruns(self, chain):
        """The PKSs of ``chain`` that run past the text they carry out
        (``runs_past_text_carried_out``) where this agreement's dates are part of it: it is
        the PKS, the text, or an extension the text's term runs through. What its admin save
        warns of. Reads the chain given, no query."""
        overruns = (document.runs_past_text_carried_out(chain) for document in chain)
        return [
            overrun
            for overrun in overruns
            if overrun is not None
            and (overrun.pks.pk == self.pk or any(d.pk == self.pk for d in overrun.term))
        ]

    def approved_before_review(self, milestones=None):
        """Whether its DPRD approval is recorded done before its TKKSD review
        (``approved_before_review``): the two steps, or None. ``milestones``: its steps as they
        are to be written, else those stored (no query where prefetched)."""
        early = approved_before_review(self.milestones.all() if milestones is None else milestones)
        return None if early is None else early._replace(agreement=self.title)

    def step_along_chain(self, today=None):
        """The next step as its status page tells it, read along its chain (two queries)."""
        today = today or timezone.localdate()
        chain = list(Agreement.objects.filter(pk=self.pk).chains().for_chain_page())
        return self.step_shown_on(progress_of_chain(chain, today=today)[self.pk][1], today)

    @property
    def next_step_title(self):
        """The stored next step as a line of text: its milestone's title, else the stage's name
        (reads the milestone unless it is selected with the agreement)."""
        if self.next_milestone_id:
            return self.next_milestone.title
        return self.get_next_stage_display()

    @property
    def next_step_overdue(self):
        """Whether the next step stored for it (``refresh_progress``) is overdue today, by the
        rule of every page (``Milestone.is_overdue_on``): a list row says a pending step is
        late, as its status page does. Reads the step unless it is selected with the
        agreement (``AgreementQuerySet.for_list_page``)."""
        # The step may be of another text of the chain (an LoI stores the step of the text
        # that carries it out): its own agreement says whether it is still to do.
        return bool(self.next_milestone_id) and self.next_milestone.is_overdue_on(
            timezone.localdate()
        )

    @property
    def next_step_on_another_text(self):
        """Whether the next step stored for it is a step of another text of its chain (the
        sister-province text a signed LoI waits with): late, it makes that text late
        (``AgreementQuerySet.with_overdue_steps``), not this one. Reads the step unless it is
        selected with the agreement (``AgreementQuerySet.for_list_page``)."""
        return bool(self.next_milestone_id) and self.next_milestone.agreement_id != self.pk

    @property
    def next_step_taken_on(self):
        """The text of its chain the next step stored for it is a step of, when it is not this
        one (``next_step_on_another_text``: the sister-province text a signed LoI waits with),
        else None: where a row tells the step, it names that text, as the status page does
        ("pada naskah lanjutan: …"). Reads the step and its agreement unless they are selected
        with this one."""
        return self.next_milestone.agreement if self.next_step_on_another_text else None

    @property
    def has_next_step_now(self):
        """Whether a next step is stored for it today, whether or not it names whom it waits
        on; none once it shows as ended. Mirrors ``AgreementQuerySet.with_next_step``."""
        return bool(self.next_stage or self.next_milestone_id) and (
            self.shown_status not in ENDED_STATUSES
        )

    @property
    def waits_on_now(self):
        """Whom it waits on today, as a label (the stored rule), or "": nobody once it shows
        as ended (``AgreementQuerySet.waiting_on``)."""
        if not self.waits_on or self.shown_status in ENDED_STATUSES:
            return ""
        return self.get_waits_on_display()

    def line_read_apart_for(self, chain, shown):
        """``shown`` (the pks of the documents of ``chain`` a reader may see) where that reader
        reads this agreement's line otherwise than the public does (``lines_of`` with
        ``shown``), else None: a public amendment of a text the reader may see and the public
        may not (an official reading a public addendum of an internal MoU, whose activities
        the line read as the public reads it leaves out). What the status page names as the
        latest sign of life of its line; whether it lies dormant, every surface reads from what
        is stored for its reader (``last_sign_of_life_read``)."""
        public = AgreementVisibility.PUBLIC
        if self.relation != AgreementRelation.AMENDS or self.visibility != public:
            return None
        if any(document.pk in shown and document.visibility != public for document in chain):
            return shown
        return None

    @staticmethod
    def quiet_since_q(since, inside):
        """A ``Q``: no sign of life done along its line counts from after ``since``, its line
        read as a reader of internal records reads it (``inside``) or as the public does;
        ``last_sign_of_life_read`` in SQL, what ``AgreementQuerySet.dormant`` reads today."""
        quiet = Q(last_sign_of_life_on__isnull=True) | Q(last_sign_of_life_on__lte=since)
        return quiet & ~Q(inside_sign_of_life_on__gt=since) if inside else quiet

    def last_sign_of_life_read(self, inside):
        """The day the latest sign of life done along its line counts from (``quiet_from``),
        as a reader of internal records reads its line (``inside``) or as the public does:
        what tells whether it lies dormant today, for that reader, on its status page as in
        their lists and counts (``AgreementQuerySet.quiet_since_q``). The two differ for a
        public amendment of an internal text alone: it is part of that text, whose activities
        the public may not know of (``lines_of``). Reads the row: no query."""
        if inside and self.inside_sign_of_life_on is not None:
            return self.inside_sign_of_life_on
        return self.last_sign_of_life_on

    def latest_sign_of_life(self, chain=None, until=None, shown=None):
        """The latest activity or evaluation done along its line (``lines_of``), by ``until``
        if given, or None: the milestone, whose ``done_on`` a page shows as precisely as it is
        known ("sejak Januari 2025", not "sejak 1 Januari 2025"). The latest by the day it
        counts from (``quiet_from``, the last day of its period), as ``last_sign_of_life_on``
        stores it: "2025" after "3 Maret 2025". ``chain``: the documents of
        its chain with their milestones (``AgreementQuerySet.for_chain_page``), read (two
        queries) unless given. ``shown``: the pks of the documents a reader may see, whose
        line is read as they see it (``lines_of``)."""
        if chain is None:
            chain = list(Agreement.objects.filter(pk=self.pk).chains().for_chain_page())
        by_pk = {document.pk: document for document in chain}
        by_pk.setdefault(self.pk, self)  # a chain that loops back: the agreement alone
        done = [
            m
            for pk in lines_of(by_pk.values(), shown)[self.pk]
            for m in by_pk[pk].milestones.all()
            if is_sign_of_life(m) and (until is None or m.done_on <= until)
        ]
        return max(
            done,
            key=lambda m: (quiet_from(m.done_on, m.done_on_precision), m.done_on, m.pk),
            default=None,
        )

    def document_of_step(self, milestone, chain, shown=None):
        """The document of ``chain`` ``milestone`` was recorded on, when that is another one
        than this (the PKS whose activity was the last sign of life of its MoU's line), for a
        page to name it; None when it is this one's own, or the reader may not see that
        document (``shown``, the pks they may). Reads the chain given, no query."""
        if milestone is None or milestone.agreement_id == self.pk:
            return None
        if shown is not None and milestone.agreement_id not in shown:
            return None
        return next((document for document in chain if document.pk == milestone.agreement_id), None)

    def is_dormant_on(self, today, on=None, inside=False):
        """In force for over a year with no activity or evaluation done along its line in the
        last year: on ``today`` or, given, on the day ``on``; its line read as a reader of
        internal records reads it (``inside``), or as the public does.

        A start or a sign of life known only to its month or year counts from the last day of
        that period (``quiet_from``). Today's reads what is stored for that reader
        (``last_sign_of_life_read``, that day already); an earlier day's reads the steps of
        its line done by then (``latest_sign_of_life``: its chain, two queries). Mirrors
        ``AgreementQuerySet.dormant``.
        """
        if self.shown_status_on(today, on) != AgreementStatus.IN_FORCE:
            return False
        day = today if on is None else on
        since = day - DORMANT_AFTER
        if self.in_force_from is not None:
            started = quiet_from(self.in_force_from, self.in_force_from_precision)
        else:
            started = quiet_from(self.signed_on, self.signed_on_precision)
        if started is not None and started > since:
            return False
        if on is None:
            last = self.last_sign_of_life_read(inside)
        else:
            chain = list(Agreement.objects.filter(pk=self.pk).chains().for_chain_page())
            shown = {document.pk for document in chain} if inside else None
            latest = self.latest_sign_of_life(chain, until=on, shown=shown)
            last = quiet_from(latest.done_on, latest.done_on_precision) if latest else None
        return last is None or last <= since

    @property
    def is_dormant(self):
        return self.is_dormant_on(timezone.localdate())


# The rules of where a cooperation stands, as functions of the facts they read, so that the
# export can apply them to thousands of agreements whose milestones it read in one query.
# ``milestones`` are in ``Milestone.Meta.ordering`` (done ones by date, then planned ones by due
# date) and need ``kind``, ``title``, ``due_on``, ``done_on``, ``waits_on``, ``mark`` and ``pk``.


def stage_path_of(
    kind, status, scope, milestones, *, carries_out=False, inherited=None, predecessor_kinds=()
):
    """The stages a document of ``kind`` in ``scope`` passes, each with its state.

    The stages come from ``agreements.stages.STAGE_TABLE``. A stage is passed when a milestone
    of its kind is done (or marked skipped or not required by the bureau), or when a document
    it follows passed it (``inherited``: {stage kind: ``Stage``}); every stage before the
    furthest one passed is passed too (a step the register did not record still happened),
    short of a stage with a step still planned and none done, and a signed document has passed
    them all; a document not yet signed has passed the stages of the statuses before the one
    the bureau recorded (``STATUS_OF_STAGE``). The furthest stage a milestone of this document
    reached is under way, not passed, while another of its kind is still planned: it is the
    next stage, with that milestone. A stage the table waives after a predecessor's kind
    is not required. The next stage is the first with a planned milestone after the furthest
    passed, the stages between it and them unrecorded; or, with none planned, the one right
    after. A cancelled cooperation has no next stage, and the stages it did not reach are
    not taken (never "ahead", as if still to come).
    """
    rule = stages.rule_for(kind, scope, carries_out)
    inherited = inherited or {}
    done, planned, approval_and_review = {}, {}, []
    for milestone in milestones:
        if milestone.done_on:
            done[milestone.kind] = milestone  # ordered by date: the latest wins
            if milestone.kind in (stages.TKKSD, stages.DPRD):
                approval_and_review.append(milestone)
        else:
            # The soonest due wins (``due_first``).
            soonest = planned.get(milestone.kind)
            if soonest is None or due_first(milestone) < due_first(soonest):
                planned[milestone.kind] = milestone
    kinds = [
        stage
        for stage in rule.stages
        if stage not in rule.optional or stage in done or stage in planned or stage in inherited
    ]
    settled = {}
    for index, stage in enumerate(kinds):
        if stage in done:
            milestone = done[stage]
            state = MARKED_STATES.get(getattr(milestone, "mark", ""), Stage.PASSED)
            settled[index] = Stage(MilestoneKind(stage), state, milestone)
        elif stage in inherited and index < len(kinds) - 1:
            # Never its own signing: the extension of an LoI still has its LoI to sign.
            settled[index] = inherited[stage]
    # The furthest stage settled: those before it happened, recorded or not; but not past a
    # stage with a step still planned and none done (the plan still to be made is not passed
    # because the DPRD was found not to be needed).
    first_open = min(
        (index for index, stage in enumerate(kinds) if stage in planned and index not in settled),
        default=len(kinds),
    )
    reached = max((index for index in settled if index < first_open), default=-1)
    # The status the bureau recorded says how far it came, recorded step or not: a text being
    # prepared was proposed and explored (``status_on_path`` the other way round). Never to its
    # own signing, the last stage of its path: an LoI's LoI stage is its signing (row 1), still
    # to come while the LoI is being prepared, though an MoU being prepared has passed its LoI.
    if status in STATUSES_BEFORE_SIGNING:
        rank = STATUSES_BEFORE_SIGNING.index(status)
        behind = [
            index
            for index, stage in enumerate(kinds)
            if index < first_open
            and index < len(kinds) - 1
            and stage in STATUS_OF_STAGE
            and STATUSES_BEFORE_SIGNING.index(STATUS_OF_STAGE[stage]) < rank
        ]
        reached = max([reached, *behind])
    # The furthest stage reached is still under way while a step of it is planned (a second
    # visit after the first): it is the next, not passed.
    under_way = None
    if (
        status in UNSIGNED_STATUSES
        and status != AgreementStatus.CANCELLED
        and reached in settled
        and kinds[reached] in done
        and kinds[reached] in planned
        and settled[reached].state == Stage.PASSED
    ):
        under_way = reached
    if status not in UNSIGNED_STATUSES:
        reached = len(kinds) - 1
    waived = {
        index: kind
        for index, stage in enumerate(kinds)
        if index not in settled and (kind := rule.waived_by(stage, predecessor_kinds))
    }
    # Steps done out of the order of a cooperation's life are shown as dated, and said so.
    early = approved_before_review(approval_and_review)
    target = under_way
    open_ahead = [
        index
        for index in range(reached + 1, len(kinds))
        if index not in waived and index not in settled
    ]
    if target is None and status != AgreementStatus.CANCELLED and open_ahead:
        planned_ahead = [index for index in open_ahead if kinds[index] in planned]
        target = (planned_ahead or open_ahead)[0]
    path = []
    for index, stage in enumerate(kinds):
        label = MilestoneKind(stage)
        waived_by = waived.get(index)
        if index == under_way:
            path.append(Stage(label, Stage.NEXT, planned[stage]))
        elif index in settled:
            passed = settled[index]
            if early is not None and passed.kind == stages.DPRD and passed.state == Stage.PASSED:
                passed = dataclasses.replace(passed, done_before=early.review)
            path.append(passed)
        elif waived_by:
            reason = _("tidak diperlukan: kerja sama ini ditempuh melalui %(kind)s") % {
                "kind": AgreementKind(waived_by).label
            }
            path.append(Stage(label, Stage.NOT_REQUIRED, None, reason=reason))
        elif index <= reached:
            # The last stage of a signed document's path is passed by its signing: the signing
            # itself, or for an LoI the LoI (row 1), dated by the document's signing date. Its
            # initiative is dated by the day it was proposed: the key dates said "Diusulkan 10
            # Januari 2022" above "Prakarsa dilalui (tanggal tidak tercatat)".
            dated_by = ""
            if status not in UNSIGNED_STATUSES and index == len(kinds) - 1:
                dated_by = "signed_on"
            elif stage == stages.INITIATIVE:
                dated_by = "proposed_on"
            path.append(Stage(label, Stage.PASSED, None, dated_by=dated_by))
        elif target is not None and index < target:
            path.append(Stage(label, Stage.UNRECORDED, None))
        elif index == target:
            path.append(Stage(label, Stage.NEXT, planned.get(stage)))
        elif status == AgreementStatus.CANCELLED:
            # A cancelled text reaches no stage further: "not yet" would tell the reader one
            # is still to come, above a timeline saying its planned steps are no longer needed.
            path.append(Stage(label, Stage.NOT_TAKEN, None))
        else:
            path.append(Stage(label, Stage.AHEAD, planned.get(stage)))
    return path


# The status before signing that each stage on the way to it belongs to: the cooperation's
# idea, its exploration (visits, letters, the LoI), the preparation of its text (the plan, the
# approvals, drafting, initialling, full powers). Signing itself is recorded by its date.
STATUS_OF_STAGE = {
    stages.INITIATIVE: AgreementStatus.INITIATIVE,
    stages.EXPLORATION: AgreementStatus.EXPLORATION,
    stages.LOI: AgreementStatus.EXPLORATION,
    stages.PLAN: AgreementStatus.PREPARATION,
    stages.TKKSD: AgreementStatus.PREPARATION,
    stages.DPRD: AgreementStatus.PREPARATION,
    stages.MINISTRY: AgreementStatus.PREPARATION,
    stages.DRAFTING: AgreementStatus.PREPARATION,
    stages.INITIALLING: AgreementStatus.PREPARATION,
    stages.FULL_POWERS: AgreementStatus.PREPARATION,
}
STATUSES_BEFORE_SIGNING = (
    AgreementStatus.INITIATIVE,
    AgreementStatus.EXPLORATION,
    AgreementStatus.PREPARATION,
)


def status_on_path(status, path):
    """The status of a document not yet signed, never behind its path (``stage_path_of``).

    Stages belong to the cooperation: a sister-city plan that follows an MoU whose delegation
    visited the partner has passed exploration with it, and a status page that said "Prakarsa"
    above a path showing "Penjajakan / kunjungan ✓" would contradict itself. The status is the
    bureau's record and may run ahead of what the register holds (a text being prepared before
    its plan is recorded); it is only raised, to the status of the furthest stage passed. A
    signed, ended or cancelled document keeps its own. Nor is a document behind the first
    stage of its path: a PKS carrying out an MoU begins at drafting its text (the initiative
    and the exploration were the cooperation's, on the way to the MoU), so it is being
    prepared, whatever status the form was left at."""
    if status not in STATUSES_BEFORE_SIGNING:
        return status
    reached = [
        STATUSES_BEFORE_SIGNING.index(STATUS_OF_STAGE[stage.kind])
        for index, stage in enumerate(path)
        if (stage.state == Stage.PASSED or index == 0) and stage.kind in STATUS_OF_STAGE
    ]
    return STATUSES_BEFORE_SIGNING[max([STATUSES_BEFORE_SIGNING.index(status), *reached])]


def passed_by_signing(kind, status):
    """Whether a step of ``kind`` belongs to a stage that a document of ``status`` passed by
    being signed: every stage on the way to signing (``stages.ALL_STAGES``). Left open from
    before, such a step is no one's work any more: never the next step, never due or overdue
    (``MilestoneQuerySet.still_to_do``; the tallies of migration 0032 hold the same rule)."""
    return status in SIGNED_STATUSES and kind in stages.ALL_STAGES


def next_step_of(
    kind, status, scope, milestones, *, carries_out=False, inherited=None, predecessor_kinds=()
):
    """What happens next and whom it waits on, or None when nothing is ahead.

    Before signing: the next stage (``stage_path_of``), with the milestone planned for it or,
    when none is, the soonest milestone planned at all (what the bureau has actually
    scheduled). After signing, or before the signed date is recorded once its path is passed
    to the signing (no stage ahead): the soonest planned milestone (an activity, an evaluation,
    an extension), never one of a stage on the way to signing, which its path shows passed (a
    visit still open from before is no step ahead). A
    cooperation cancelled, terminated or ended has no next step. A signed agreement's done
    milestones are never read, so a caller may leave them out.
    """
    if status in ENDED_STATUSES:
        return None
    milestones = list(milestones)
    planned = [m for m in milestones if not m.done_on and not passed_by_signing(m.kind, status)]
    soonest = min(planned, key=due_first, default=None)
    if status in UNSIGNED_STATUSES:
        path = stage_path_of(
            kind,
            status,
            scope,
            milestones,
            carries_out=carries_out,
            inherited=inherited,
            predecessor_kinds=predecessor_kinds,
        )
        for stage in path:
            if stage.state == Stage.NEXT:
                return NextStep(stage.kind.label, stage.milestone or soonest, stage.kind)
        # No stage ahead: its path is passed to the signing (the bureau ticked off the signing
        # before recording the signed date). What follows is as after signing: the soonest
        # activity, evaluation or other step, never one of a stage its path shows passed.
        planned = [m for m in planned if m.kind not in stages.ALL_STAGES]
        soonest = min(planned, key=due_first, default=None)
    if soonest is None:
        return None
    return NextStep(soonest.title, soonest)


def due_first(step):
    """The order of planned steps (``Milestone`` or ``MilestoneFacts``, or None), the soonest
    due first: by the last day its target covers (``due_by``), as the overdue rule reads it.
    A step due "2026" is due by 31 December, after one due "November 2026" (late by December),
    though the first day of its year sorts before: read so, the next step was the one with a
    month to spare, and the late one went unsaid above the fold and in the list's column."""
    if step is None or step.due_on is None:
        return (datetime.date.max, step.pk if step is not None else 0)
    return (step.due_by, step.pk)


def waited_on(kind, waits_on):
    """Whom a step of ``kind`` naming ``waits_on`` waits on: the party it names, else the body
    that decides its stage (``stages.DECIDED_BY``), else "" (``Milestone.waited_on``)."""
    return waits_on or stages.DECIDED_BY.get(kind, "")


class TermOverrun(typing.NamedTuple):
    """A PKS running past the text it carries out (``Agreement.runs_past_text_carried_out``)."""

    pks: "Agreement"
    text: "Agreement"
    # The documents the text's term runs through (``Agreement.term_of``): the text, then its
    # signed extensions; ``last`` is the one whose expiry ends it.
    term: tuple
    last: "Agreement"
    # Signed after the text's term ended, not only expiring after it.
    signed_after: bool
    # Signed before the text it carries out was signed: out of order, whatever their terms.
    signed_before: bool = False

    @property
    def is_extended(self):
        """Whether the text's term ends at an extension's expiry rather than its own."""
        return self.last.pk != self.text.pk

    def warning(self):
        """What the admin tells the clerk who saved the PKS, the text or its extension."""
        if self.signed_before:
            return _(
                "PKS “%(pks)s” ditandatangani %(signed)s, sebelum naskah yang dilaksanakannya, "
                "“%(text)s”, ditandatangani %(text_signed)s. PKS melaksanakan naskah yang sudah "
                "ditandatangani: periksa tanggal penandatanganan keduanya."
            ) % {
                "pks": self.pks.title,
                "signed": self.pks.known("signed_on").on,
                "text": self.text.title,
                "text_signed": self.text.known("signed_on").on,
            }
        named = {
            "pks": self.pks.title,
            "text": self.text.title,
            "ends": self.last.known("expires_on").on,
        }
        if self.signed_after:
            message = _(
                "PKS “%(pks)s” ditandatangani %(signed)s, setelah jangka waktu naskah yang "
                "dilaksanakannya, “%(text)s”, berakhir %(ends)s. PKS semestinya ditandatangani "
                "dan berlaku dalam jangka waktu naskah yang dilaksanakannya: periksa tanggal "
                "keduanya, atau catat perpanjangan naskah itu."
            ) % {**named, "signed": self.pks.known("signed_on").on}
        else:
            message = _(
                "PKS “%(pks)s” berlaku sampai %(expires)s, melewati jangka waktu naskah yang "
                "dilaksanakannya, “%(text)s”, yang berakhir %(ends)s. PKS semestinya tidak "
                "berlaku lebih lama daripada naskah yang dilaksanakannya: periksa tanggal "
                "berakhir keduanya, atau catat perpanjangan naskah itu."
            ) % {**named, "expires": self.pks.known("expires_on")}
        if self.is_extended:
            extension = _(
                "Tanggal berakhir itu tanggal berakhir perpanjangannya, “%(extension)s”."
            ) % {"extension": self.last.title}
            message = f"{message} {extension}"
        return message


class ApprovedBeforeReview(typing.NamedTuple):
    """A DPRD approval recorded done before the TKKSD review (``approved_before_review``)."""

    approval: "Milestone | MilestoneFacts"
    review: "Milestone | MilestoneFacts"
    # The agreement's title (``Agreement.approved_before_review``): the warning is read on the
    # list a save leads to, or in an import's preview, among other agreements.
    agreement: str = ""

    def warning(self):
        """What the admin tells the clerk who saved the steps, naming the agreement, both steps
        and their dates."""
        told = _(
            "Tahap “%(approval)s” tercatat terlaksana %(approved)s, sebelum tahap “%(review)s” "
            "(%(reviewed)s), padahal DPRD memberi persetujuan setelah TKKSD membahas kerja "
            "sama itu. Periksa tanggal kedua tahapan itu; halaman status kerja sama ini "
            "menandai urutan tersebut."
        ) % {
            "approval": MilestoneKind(self.approval.kind).label,
            "approved": _known_done_on(self.approval).on,
            "review": MilestoneKind(self.review.kind).label,
            "reviewed": _known_done_on(self.review),
        }
        if not self.agreement:
            return told
        return _("Kerja sama “%(agreement)s”: %(warning)s") % {
            "agreement": self.agreement,
            "warning": told,
        }


def _known_done_on(milestone):
    """When ``milestone`` (a ``Milestone`` or its ``MilestoneFacts``) was done, as known."""
    return KnownDate(milestone.done_on, milestone.done_on_precision or DatePrecision.DAY)


def approved_before_review(milestones):
    """The DPRD approval of ``milestones`` (a document's steps) recorded done before its TKKSD
    review is, as an ``ApprovedBeforeReview``, or None.

    The life of a cooperation puts the review by the regional coordination team (TKKSD) before
    the DPRD's approval (docs/stages.md). The register does not refuse steps dated otherwise
    (the bureau records the dates as they were), but says so: the admin warns the clerk who
    saves them, and the status page's path marks the approval (``Stage.done_before``) rather
    than show it passed in an order that was not kept. The approval the path shows (the latest
    done) is read against the first review done, each done rather than set aside as skipped or
    not required, and only a date certainly before counts (a date known to its month or year
    by its last day against the other's first). No query."""
    done = [m for m in milestones if m.done_on and m.kind in (stages.TKKSD, stages.DPRD)]
    approvals = sorted((m for m in done if m.kind == stages.DPRD), key=lambda m: m.done_on)
    reviews = sorted(
        (m for m in done if m.kind == stages.TKKSD and not getattr(m, "mark", "")),
        key=lambda m: m.done_on,
    )
    if not approvals or not reviews or getattr(approvals[-1], "mark", ""):
        return None
    approval, review = approvals[-1], reviews[0]
    if _known_done_on(approval).end < _known_done_on(review).date:
        return ApprovedBeforeReview(approval, review)
    return None


class MilestoneFacts(typing.NamedTuple):
    """What the stage rules read of a milestone, without building a model instance."""

    pk: int
    kind: str
    title: str
    due_on: datetime.date | None
    done_on: datetime.date | None
    waits_on: str
    mark: str
    due_on_precision: str = DatePrecision.DAY
    done_on_precision: str = DatePrecision.DAY

    @property
    def due_by(self):
        """The last day of its target (``Milestone.due_by``)."""
        return KnownDate(self.due_on, self.due_on_precision).end

    @property
    def waited_on(self):
        return waited_on(self.kind, self.waits_on)


class _AgreementFacts(typing.NamedTuple):
    """What the chain's rules read of an agreement, without building a model instance; whether
    it has ended on a day is read by the agreement's own rule (``Agreement.has_ended_on``)."""

    pk: int
    kind: str
    status: str
    scope: str
    relation: str
    follows_id: int | None
    visibility: str
    expires_on: datetime.date | None
    expires_on_precision: str

    known = KnownDates.known
    ends = KnownDates.ends
    expires_by = Agreement.expires_by
    is_signed = Agreement.is_signed
    is_signed_extension = Agreement.is_signed_extension
    lapsed_on = Agreement.lapsed_on
    has_ended_on = Agreement.has_ended_on


def overdue_after(status, milestones):
    """The last day of the earliest target among ``milestones`` (``MilestoneFacts`` of one
    agreement of stored ``status``) still to do, None when none is: from the day after it the
    agreement has a step overdue, as long as it has not ended by its date. Mirrors
    ``MilestoneQuerySet.overdue``; stored as ``Agreement.overdue_after``."""
    if status in ENDED_STATUSES:
        return None
    return min(
        (
            step.due_by
            for step in milestones
            if step.done_on is None
            and step.due_on is not None
            and not passed_by_signing(step.kind, status)
        ),
        default=None,
    )


def ends_by_of(status, expires_by, milestones):
    """The last day a cooperation of stored ``status`` runs or ran: terminated, the day its
    termination step was done (the earliest; the last day of its month or year when known only
    so), as ``Agreement.terminated_on`` reads it from ``milestones`` (``MilestoneFacts``); else,
    and for a terminated one no step dates, ``expires_by`` (the last day its expiry covers);
    of the two, the earlier, as a termination recorded after the term ran out does not move
    its end on. Stored as ``Agreement.ends_by``: an analyst asking what ended before 2025 is
    given the cooperation terminated in 2023 whose first term ran to 2027, and the one whose
    term ran out in 2022 and whose termination was recorded in 2024."""
    if status == AgreementStatus.TERMINATED:
        done = [
            step
            for step in milestones
            if step.kind == MilestoneKind.TERMINATION and step.done_on is not None
        ]
        first = min(done, key=lambda step: (step.done_on, step.done_on_precision), default=None)
        if first is not None:
            terminated_by = KnownDate(first.done_on, first.done_on_precision).end
            # A termination recorded after the term had run out ends nothing more: the
            # cooperation ended with its term (``Agreement.term_ran_out_first``).
            return terminated_by if expires_by is None else min(terminated_by, expires_by)
    return expires_by


# The reason kept in a step's history where the register recorded it done for a signed
# extension (``carry_out_extension_steps``), and where it took that back: only a step it
# recorded so is opened again, never one the bureau recorded done. Kept as written here, and
# shown in the reader's language by the admin's history.
EXTENSION_STEP_RECORDED = gettext_noop("Dicatat selesai: perpanjangan ditandatangani")
EXTENSION_STEP_REOPENED = gettext_noop("Dibuka kembali: perpanjangan tidak lagi ditandatangani")


# The reason kept in the history of every row an import wrote: the file it came from. Kept in
# Indonesian as written here, whatever the language of the clerk who imported it, and shown in
# the reader's (``change_reason_shown``).
IMPORTED_FROM = gettext_noop("Impor dari %(name)s")


def imported_from(name):
    """The reason kept for the rows an import of file ``name`` wrote (``IMPORTED_FROM``), as
    much of it as a version keeps (``kept_reason``)."""
    return kept_reason(IMPORTED_FROM % {"name": name})


def kept_reason(reason):
    """``reason`` as a version keeps it: the history's reason holds 100 characters, which
    PostgreSQL enforces, and a file's name may run to 255; a longer one is cut, with "…"."""
    limit = Agreement.history.model._meta.get_field("history_change_reason").max_length
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def change_reason_shown(reason):
    """A version's kept reason in the reader's language: the register's own reasons
    (``EXTENSION_STEP_RECORDED``, ``EXTENSION_STEP_REOPENED``, ``IMPORTED_FROM`` with its file's
    name) are kept in Indonesian and translated here; any other (a command's, one kept before)
    is shown as kept."""
    if not reason:
        return reason
    imported, _name = IMPORTED_FROM.split("%(name)s")
    if reason.startswith(imported) and len(reason) > len(imported):
        return gettext(IMPORTED_FROM) % {"name": reason[len(imported) :]}
    return gettext(reason)


def reopen_extension_steps(facts, by_agreement, extended):
    """Open again each extension step the register recorded as done for a signed extension
    (``carry_out_extension_steps``) of a text no signed extension follows any longer: the
    extension was cancelled, taken back to drafting, made another relation, or deleted. The
    text is not extended after all, so its step is ahead, late or waited on again. A step
    the bureau recorded done itself, or changed since, is left as it is: only one whose
    latest version is the register's, with the day it recorded, is opened. ``extended``: the
    texts a signed extension still follows, and those whose term ran out in an extension since
    terminated (``ran_on_in_extension``). Returns the steps opened.

    Queries: none where no such text has an extension step done; else the steps' latest
    versions, and where one is opened the text's version, the steps and their history."""
    done = {
        step.pk: (text, step)
        for text in facts
        if text not in extended
        for step in by_agreement.get(text, ())
        if step.kind == MilestoneKind.EXTENSION and step.done_on is not None
    }
    if not done:
        return []
    opened = _as_the_register_recorded({pk: step for pk, (_text, step) in done.items()})
    if not opened:
        return []
    texts = {done[pk][0] for pk in opened}
    _write_steps_done(
        by_agreement,
        {
            text: (None, DatePrecision.DAY, [pk for pk in opened if done[pk][0] == text])
            for text in texts
        },
        EXTENSION_STEP_REOPENED,
    )
    return opened


def _as_the_register_recorded(steps):
    """The ids of those of ``steps`` ({id: ``MilestoneFacts``}, each done) whose latest version
    is the register's record for a signed extension (``carry_out_extension_steps``) and still
    holds the day it recorded: a step the bureau recorded done itself, or changed since, is
    theirs. Queries: the steps' latest versions."""
    latest = {}
    for pk, reason, done_on in (
        Milestone.history.filter(id__in=list(steps))
        .order_by("id", "-history_date", "-history_id")
        .values_list("id", "history_change_reason", "done_on")
    ):
        latest.setdefault(pk, (reason, done_on))  # each step's newest version comes first
    return [
        pk
        for pk, (reason, done_on) in latest.items()
        if reason == EXTENSION_STEP_RECORDED and done_on == steps[pk].done_on
    ]


def _write_steps_done(by_agreement, written, reason):
    """Write the done dates of steps as the register's own change: ``written`` maps each text
    to (done on, its precision, the ids of its steps), None to open them again. Each text gets a
    new version first (``mark_changed``), each step a version of its own under ``reason``, no
    one's; ``by_agreement`` (``MilestoneFacts`` by text) is brought up to date. Returns the ids
    written."""
    Agreement.objects.filter(pk__in=list(written)).mark_changed(by_system=True)
    ids = []
    for text, (done_on, precision, steps) in written.items():
        Milestone.objects.filter(pk__in=steps).update(done_on=done_on, done_on_precision=precision)
        by_agreement[text] = [
            step._replace(done_on=done_on, done_on_precision=precision)
            if step.pk in steps
            else step
            for step in by_agreement[text]
        ]
        ids.extend(steps)
    recorded = list(Milestone.objects.filter(pk__in=ids).order_by("pk"))
    for step in recorded:
        step._history_user = None  # the register's change, not whoever's save set it off
    Milestone.history.bulk_history_create(recorded, update=True, default_change_reason=reason)
    return ids


def ran_on_in_extension(facts, today=None):
    """The texts of ``facts`` (``_AgreementFacts`` by id) whose own term ran out while an
    extension carried them on, since terminated: they were extended, their talks held and
    signed, though the extension no longer counts as signed (``is_signed_extension``). Only one
    terminated before the text's term was out leaves the text not extended, its talks ahead
    again (``reopen_extension_steps``)."""
    today = today or timezone.localdate()
    return {
        agreement.follows_id
        for agreement in facts.values()
        if agreement.relation == AgreementRelation.EXTENDS
        and agreement.status == AgreementStatus.TERMINATED
        and agreement.follows_id in facts
        and (text := facts[agreement.follows_id]).expires_by is not None
        and text.expires_by < today
    }


def carry_out_extension_steps(facts, by_agreement):
    """Record as done each extension step (``MilestoneKind.EXTENSION``) still open of a text
    whose extension is signed, on the day the extension was signed, as the bureau would: the
    text is extended, so its step is no longer ahead, late or waiting on anyone. Only the steps
    due by the end of the text's term (or undated): a step planned past it is about something
    else. Not by an internal extension on a public text (``_tells``), which the bureau records
    by hand if it will. ``facts`` are whole chains (``_AgreementFacts`` by id) and
    ``by_agreement`` their milestones (``MilestoneFacts``), brought up to date here. Each text
    whose steps are recorded gets a new version first, kept in the history as the register's
    change (``mark_changed``), and each step a version of its own. Returns the steps recorded.

    A step it recorded so is dated again when the extension's signing date is corrected, and
    opened again once no signed extension follows the text any longer
    (``reopen_extension_steps``); one the bureau recorded or changed since is left to it.

    Queries: none where no signed extension follows a text with an extension step; else the
    extensions' signing dates, where a step recorded done holds another day its latest
    versions, and where a step is written the version, the steps and their history; and those
    of ``reopen_extension_steps``."""
    extensions = defaultdict(list)
    for agreement in facts.values():
        if (
            agreement.is_signed_extension
            and agreement.follows_id in facts
            # An internal extension records nothing on a public text: the public would read
            # in its step's date of a document it may not see.
            and _tells(agreement, facts[agreement.follows_id])
        ):
            extensions[agreement.follows_id].append(agreement.pk)
    reopen_extension_steps(facts, by_agreement, extensions.keys() | ran_on_in_extension(facts))
    waiting = {
        text: [
            step
            for step in by_agreement.get(text, ())
            if step.kind == MilestoneKind.EXTENSION
            and step.done_on is None
            and (
                step.due_on is None
                or facts[text].expires_by is None
                or step.due_on <= facts[text].expires_by
            )
        ]
        for text in extensions
    }
    waiting = {text: steps for text, steps in waiting.items() if steps}
    recorded = {
        text: [
            step
            for step in by_agreement.get(text, ())
            if step.kind == MilestoneKind.EXTENSION and step.done_on is not None
        ]
        for text in extensions
    }
    recorded = {text: steps for text, steps in recorded.items() if steps}
    if not waiting and not recorded:
        return []
    signed = {
        pk: (signed_on, precision)
        for pk, signed_on, precision in Agreement.objects.filter(
            pk__in=[pk for text in {*waiting, *recorded} for pk in extensions[text]],
            signed_on__isnull=False,
        ).values_list("pk", "signed_on", "signed_on_precision")
    }
    # The day each text was extended: the earliest signing of its extensions. A text signed
    # with no date recorded leaves its steps to the bureau.
    days = {
        text: min(dates)
        for text in {*waiting, *recorded}
        if (dates := [signed[pk] for pk in extensions[text] if pk in signed])
    }
    done = {text: [step.pk for step in steps] for text, steps in waiting.items() if text in days}
    # A step recorded on another day (the extension's signing date was corrected since) is
    # dated again, unless the bureau recorded or changed it.
    moved = {
        step.pk: (text, step)
        for text, steps in recorded.items()
        if text in days
        for step in steps
        if (step.done_on, step.done_on_precision) != days[text]
    }
    if moved:
        for pk in _as_the_register_recorded({pk: step for pk, (_text, step) in moved.items()}):
            done.setdefault(moved[pk][0], []).append(pk)
    if not done:
        return []
    return _write_steps_done(
        by_agreement,
        {text: (*days[text], steps) for text, steps in done.items()},
        EXTENSION_STEP_RECORDED,
    )


def store_progress(agreements, milestones, everything=False, today=None):
    """Store where each of ``agreements`` (whole chains) stands on ``today``, and the latest
    sign of life along its line (``lines_of``), from its milestones among ``milestones`` (a
    manager or queryset of them):
    ``AgreementQuerySet.refresh_progress``, and the migrations that store it again when the
    rules change (with their models of the time). A status before signing behind the path is
    raised (``status_on_path``), with a new version in the history where the models keep one
    (``mark_changed``; a migration records its own). Returns how many agreements changed."""
    today = today or timezone.localdate()
    # Stored since migrations 0049 and 0050; the migrations before store progress without them.
    stored_fields = ["next_stage", "next_milestone_id", "waits_on", "next_due_on"]
    fields = {field.name for field in agreements.model._meta.concrete_fields}
    keeps_signs = "last_sign_of_life_on" in fields
    if keeps_signs:
        stored_fields.append("last_sign_of_life_on")
    keeps_inside = "inside_sign_of_life_on" in fields  # since migration 0070
    if keeps_inside:
        stored_fields.append("inside_sign_of_life_on")
    keeps_overdue = "overdue_after" in fields
    if keeps_overdue:
        stored_fields.append("overdue_after")
    keeps_end = "ends_by" in fields  # since migration 0052
    if keeps_end:
        stored_fields.append("ends_by")
    rows = list(
        agreements.order_by().values_list(
            "pk",
            "kind",
            "status",
            "scope",
            "relation",
            "follows_id",
            "visibility",
            "expires_on",
            "expires_on_precision",
            *stored_fields,
        )
    )
    facts = {row[0]: _AgreementFacts(*row[:9]) for row in rows}
    stored = {row[0]: tuple(row[9:]) for row in rows}
    milestones = milestones.order_by("agreement_id", *milestones.model._meta.ordering)
    if not everything:
        milestones = milestones.filter(agreement_id__in=list(facts))
    by_agreement = {}
    for row in milestones.values_list("agreement_id", *MilestoneFacts._fields).iterator(
        chunk_size=5000
    ):
        by_agreement.setdefault(row[0], []).append(MilestoneFacts(*row[1:]))
    if hasattr(agreements, "mark_changed"):  # the models of today, not a migration's
        carry_out_extension_steps(facts, by_agreement)
    progress = progress_of_chain(facts.values(), lambda a: by_agreement.get(a.pk, ()), today)
    if keeps_signs:
        # Each the day it counts from (``quiet_from``), what tells dormant from alive.
        own = {
            pk: max(
                (quiet_from(m.done_on, m.done_on_precision) for m in steps if is_sign_of_life(m)),
                default=None,
            )
            for pk, steps in by_agreement.items()
        }
        # Read as a reader of internal records reads them (every document shown); for every
        # reader, the documents of each line that may tell on it (``_tells``): the same line
        # but a public amendment's of an internal text (``lines_of``).
        inside = lines_of(facts.values(), shown=set(facts))

        def latest(line):
            return max((own[x] for x in line if own.get(x)), default=None)

        last_signs, inside_signs = {}, {}
        for pk, line in inside.items():
            told = {x for x in line if _tells(facts[x], facts[pk])}
            last_signs[pk] = latest(told)
            read_inside = latest(line) if told != line else None
            inside_signs[pk] = read_inside if read_inside != last_signs[pk] else None
    changed, raised = [], defaultdict(list)
    for pk, (path, step) in progress.items():
        status = status_on_path(facts[pk].status, path)
        if status != facts[pk].status:
            raised[status].append(pk)
        wanted = _stored_progress(step) + ((last_signs[pk],) if keeps_signs else ())
        if keeps_inside:
            wanted += (inside_signs[pk],)
        if keeps_overdue:
            wanted += (overdue_after(status, by_agreement.get(pk, ())),)
        if keeps_end:
            wanted += (ends_by_of(status, facts[pk].expires_by, by_agreement.get(pk, ())),)
        if stored[pk] != wanted:
            changed.append(agreements.model(pk=pk, **dict(zip(stored_fields, wanted, strict=True))))
    agreements.model.objects.bulk_update(changed, stored_fields, batch_size=1000)
    for status, pks in raised.items():
        agreements.model.objects.filter(pk__in=pks).update(status=status)
    everyone_raised = [pk for pks in raised.values() for pk in pks]
    if everyone_raised and hasattr(agreements, "mark_changed"):
        # A new version, kept in the history as the system's change: the change log tells
        # the status moving on, and a form opened before is told the record changed.
        agreements.model.objects.filter(pk__in=everyone_raised).mark_changed(by_system=True)
    return len({agreement.pk for agreement in changed} | set(everyone_raised))


def progress_of_chain(agreements, milestones_of=None, today=None):
    """{pk: (stages, next step)} of each agreement of a chain on ``today``, read along the chain.

    ``agreements`` need ``pk``, ``kind``, ``status``, ``scope``, ``relation``, ``follows_id``,
    ``visibility`` and ``has_ended_on`` (model instances or ``_AgreementFacts``);
    ``milestones_of(agreement)`` gives an
    agreement's milestones in ``Milestone.Meta.ordering`` (by default its prefetched
    ``milestones``). A document that carries out another (``CARRYING_OUT``: a follow-up, an
    amendment, an extension) inherits what that one passed, and what kinds came before it: the
    extension of an MoU was proposed and explored with it. A signed document with nothing of
    its own ahead waits for what the documents carrying it out wait for (an MoU in force for
    its PKS or its amendment): its next step is theirs (the soonest), with ``via`` naming the
    document. A document it spawned (a city's sister city) is a cooperation of its own. One
    that has ended on ``today`` (``Agreement.has_ended_on``: cancelled, terminated, or expired,
    by its date included) lends it nothing of its own: a PKS past its term waits on nobody for
    its MoU. What carries an ended one on (its extension, the PKS drafted under an MoU that ran
    out) lends its step in its place, as that one's page says the cooperation goes on there.
    """
    today = today or timezone.localdate()
    if milestones_of is None:

        def milestones_of(agreement):
            return agreement.milestones.all()

    by_pk = {agreement.pk: agreement for agreement in agreements}
    children = {}
    for agreement in by_pk.values():
        if (
            agreement.follows_id in by_pk
            and agreement.relation in CARRYING_OUT
            and _tells(agreement, by_pk[agreement.follows_id])
        ):
            children.setdefault(agreement.follows_id, []).append(agreement)
    own = {}

    def visit(agreement, seen=()):
        if agreement.pk in own:
            return own[agreement.pk]
        inherited, earlier = {}, ()
        parent = by_pk.get(agreement.follows_id)
        if (
            parent is not None
            and agreement.relation in CARRYING_OUT
            and parent.pk not in seen
            and _tells(parent, agreement)
        ):
            parent_stages, _step, parent_earlier = visit(parent, (*seen, agreement.pk))
            for stage in parent_stages:
                if stage.is_settled and stage.kind in stages.INHERITED:
                    by = stage.by if stage.by is not None else _by(parent)
                    inherited[stage.kind] = dataclasses.replace(stage, by=by)
            earlier = (parent.kind, *parent_earlier)
        milestones = list(milestones_of(agreement))
        arguments = {
            # Carrying out a text shortens the path to what that text did not pass (a PKS
            # under an MoU: drafting and signing). A public one carrying out an internal text
            # is read as the public sees its chain (``_tells``): as a text standing alone,
            # whose short path would tell there is a text before it.
            "carries_out": carries_out_text(
                agreement.relation, parent.kind if parent is not None else None
            )
            and (parent is None or _tells(parent, agreement)),
            "inherited": inherited,
            "predecessor_kinds": earlier,
        }
        path = stage_path_of(
            agreement.kind, agreement.status, agreement.scope, milestones, **arguments
        )
        step = next_step_of(
            agreement.kind, agreement.status, agreement.scope, milestones, **arguments
        )
        own[agreement.pk] = (path, step, earlier)
        return own[agreement.pk]

    for agreement in by_pk.values():
        visit(agreement)

    done = {}

    def going_on(agreement, relations, seen):
        """The documents carrying ``agreement`` out by ``relations`` that have not ended; in
        place of one that has, what carries it on in turn (``CARRYING_ON``, as
        ``Agreement.continued_in`` reads the chain): an LoI whose MoU ran out waits with the
        PKS still drafted under it. An amendment ends with its text: it carries no ended
        text on."""
        for child in children.get(agreement.pk, ()):
            if child.pk in seen or child.relation not in relations:
                continue
            if not child.has_ended_on(today):
                yield child
            elif child.relation in CARRYING_ON:
                yield from going_on(child, CARRYING_ON, (*seen, child.pk))

    def cooperation_step(agreement, seen=()):
        if agreement.pk in done:
            return done[agreement.pk]
        _path, step, _earlier = own[agreement.pk]
        if step is None and agreement.status in SIGNED_STATUSES:
            ahead = [
                (child, cooperation_step(child, (*seen, agreement.pk)))
                for child in going_on(agreement, CARRYING_OUT, (*seen, agreement.pk))
            ]
            ahead = [(child, step) for child, step in ahead if step is not None]
            if ahead:
                child, found = min(
                    ahead, key=lambda pair: (due_first(pair[1].milestone)[0], pair[0].pk)
                )
                step = dataclasses.replace(found, via=found.via or _by(child))
        done[agreement.pk] = step
        return step

    return {pk: (own[pk][0], cooperation_step(by_pk[pk])) for pk in by_pk}


def lines_of(agreements, shown=None):
    """{pk: the pks of the documents whose signs of life count for it} of each agreement of a
    chain (``agreements`` need ``pk``, ``relation``, ``follows_id`` and ``visibility``).

    A cooperation is alive along its line, not per document: an activity or an evaluation
    done on a document (``SIGNS_OF_LIFE``) counts for the document itself, for what it follows
    and what that follows, up to the first document, and for what follows it, however many
    documents down. A hop of the line is a document carrying out the one it follows
    (``CARRYING_OUT``: a PKS its MoU, an amendment or an extension its text); a document
    spawned by another (a city's sister city) is a cooperation of its own, on a line of its
    own. Two PKSs under one MoU are each on the MoU's line, not on each other's: the MoU's
    activities count for both, one PKS's not for the other. An amendment is part of the text it
    amends: what counts for that text counts for it (the activities of the MoU's PKS count for
    the MoU's addendum). An internal document's never count
    for a public one (``_tells``): what is worked out is stored once and shown to every reader.
    ``AgreementQuerySet.along_lines`` is the same rule in SQL.

    ``shown``, the pks of the documents one reader may see, reads an amendment's line as that
    reader sees it: every document of it they may see counts. An amendment is part of the text
    it amends, and a public addendum of an internal MoU lay dormant on the page of an official
    who reads the MoU's activities of last month below it. Read with every document shown, it
    is stored for readers of internal records where it is later (``inside_sign_of_life_on``,
    ``store_progress``), which their pages, lists and counts read. Not a document carrying
    another out: a public MoU whose internal PKS alone was active is a cooperation the public
    may know of, and lies dormant for every reader, as stored.
    """
    by_pk = {agreement.pk: agreement for agreement in agreements}
    up, down, amended = {}, {}, {}
    for agreement in by_pk.values():
        if agreement.follows_id in by_pk and agreement.relation in CARRYING_OUT:
            up[agreement.pk] = (agreement.follows_id,)
            down.setdefault(agreement.follows_id, []).append(agreement.pk)
            if agreement.relation == AgreementRelation.AMENDS:
                amended[agreement.pk] = (agreement.follows_id,)

    def reached(pk, hops):
        seen, ahead = {pk}, [pk]
        while ahead:
            for next_pk in hops.get(ahead.pop(), ()):
                if next_pk not in seen:  # a chain that loops back ends where it began
                    seen.add(next_pk)
                    ahead.append(next_pk)
        return seen

    def line(pk):
        # An amendment is part of the text it amends, not a cooperation beside it: whatever
        # keeps that text alive keeps it alive (its PKS's activities too).
        texts = reached(pk, amended)
        return set().union(*(reached(text, up) | reached(text, down) for text in texts))

    def counts_for(other, pk):
        if shown is not None and pk in amended:
            return other == pk or other in shown
        return _tells(by_pk[other], by_pk[pk])

    return {pk: {other for other in line(pk) if counts_for(other, pk)} for pk in by_pk}


def _tells(source, about):
    """Whether ``source``, a document of ``about``'s chain, may tell on ``about``'s page what it
    passed or what it waits for: never an internal document on a public one's. What is worked
    out is stored once and shown to every reader (``store_progress``), so a public document's
    path and next step are worked out as the public sees its chain: without its internal
    documents' steps, dates and notes, or the kinds that would tell they exist."""
    return (
        source.visibility == AgreementVisibility.PUBLIC
        or about.visibility != AgreementVisibility.PUBLIC
    )


def _by(agreement):
    """The agreement a stage or step is credited to: the instance, or its pk for rows."""
    return agreement if isinstance(agreement, Agreement) else agreement.pk


def _stored_progress(step):
    """The stored fields of ``step``: (next stage, next milestone id, waits on, due date)."""
    if step is None:
        return ("", None, "", None)
    return (
        step.stage or "",
        step.milestone.pk if step.milestone is not None else None,
        step.party,
        step.due_on,
    )


@dataclasses.dataclass(frozen=True)
class Stage:
    """One step on a document's path, as its status page draws it."""

    PASSED = "passed"
    SKIPPED = "skipped"
    NOT_REQUIRED = "not_required"
    UNRECORDED = "unrecorded"
    NEXT = "next"
    AHEAD = "ahead"
    # Beyond where a cancelled text stopped: never to come.
    NOT_TAKEN = "not_taken"

    kind: "MilestoneKind"
    state: str
    # The done milestone of a passed stage (None when the register has no record of it), or
    # the planned one of a stage ahead (None when none is scheduled).
    milestone: "Milestone | None"
    # The earlier document of the chain that passed it, when it was not this one.
    by: "Agreement | None" = None
    # Why a stage is not required, when the rule rather than the bureau says so.
    reason: str = ""
    # Passed with no milestone recorded, on a day its document (``by``, else the page's own)
    # records: the field of that document the path dates it by. Its signing by the signing
    # date ("signed_on"; an LoI's LoI stage, which signing it passes, too), its initiative by
    # the day it was proposed ("proposed_on", when it was put forward: ``Agreement.proposal``
    # the other way round); "" for a stage no date of the document tells.
    dated_by: str = ""
    # Its step was done before the step of an earlier stage it follows (a DPRD approval dated
    # before the TKKSD review, ``approved_before_review``): that step, which the path names.
    done_before: "Milestone | None" = None

    @property
    def is_settled(self):
        """Passed, skipped or not required: nothing more to do for it."""
        return self.state in (Stage.PASSED, Stage.SKIPPED, Stage.NOT_REQUIRED)

    @property
    def is_planned(self):
        """Still ahead (next or later) with a step of it someone still has to take
        (``Milestone.is_still_to_do_on``): the path gives that step's target. Not of a
        cooperation that ended, whose steps are no one's work any more."""
        return (
            self.state in (Stage.NEXT, Stage.AHEAD)
            and self.milestone is not None
            and self.milestone.is_still_to_do
        )

    @property
    def is_late(self):
        """Planned, and its step overdue by the rule every page applies
        (``Milestone.is_overdue_on``: a target known by its month or year only once the whole
        period has passed). Reads the milestone's agreement unless it is loaded, as the
        prefetched milestones of ``for_chain_page`` are."""
        return self.is_planned and self.milestone.is_overdue


@dataclasses.dataclass(frozen=True)
class NextStep:
    """What happens next in a cooperation: a label and, when scheduled, its milestone."""

    label: str
    milestone: "Milestone | None"
    # The stage it is, before signing (None for a milestone after signing).
    stage: "MilestoneKind | None" = None
    # The document of the chain it is a step of, when it is not this one.
    via: "Agreement | int | None" = None

    @property
    def party(self):
        """Whom the step waits on (a ``MilestoneWaitsOn`` value), or "" when nobody is named:
        with a milestone scheduled, whom that step waits on wherever it is listed
        (``Milestone.waited_on``: the party it names, else the body that decides its own
        stage), even when it stands in for a stage it is not of (a coordination meeting
        scheduled while the TKKSD review is next waits on whom it names, not on the TKKSD);
        with none, the body that decides the stage."""
        if self.milestone is not None:
            return self.milestone.waited_on
        return stages.DECIDED_BY.get(self.stage, "") if self.stage else ""

    @property
    def waits_on(self):
        """Whom the step waits on, as a label, or "" when nobody is named."""
        party = self.party
        return MilestoneWaitsOn(party).label if party else ""

    @property
    def due_on(self):
        return self.milestone.due_on if self.milestone else None

    @property
    def known_due_on(self):
        """The target date as precisely as the bureau knows it (a ``KnownDate``), or None."""
        return self.milestone.known("due_on") if self.milestone else None

    @property
    def is_overdue(self):
        return bool(self.milestone and self.milestone.is_overdue)


class MilestoneQuerySet(ReadApart, models.QuerySet):
    def search(self, text, reader=None):
        """Milestones matching ``text``: those whose title holds every word, and every one of an
        agreement the register's search finds (``AgreementQuerySet.search``). See
        ``agreements.search.search_agreement_rows``."""
        from agreements.search import search_agreement_rows

        return search_agreement_rows(self, text, reads_internal(reader))

    def of_open_cooperations(self, today=None):
        """Milestones of cooperations still going: not cancelled, terminated or ended, expired
        by its date included (``ENDED_STATUSES``). The steps of the others are no one's work
        any more: never overdue, never due, never waited on."""
        today = today or timezone.localdate()
        return self.exclude(agreement__status__in=ENDED_STATUSES).exclude(
            Agreement.lapsed_q(today, prefix="agreement__")
        )

    def still_to_do(self, today=None):
        """Planned steps someone still has to take: of a cooperation still going, and not of a
        stage its document passed by being signed (``passed_by_signing``: a visit or a signing
        left open from before is no step ahead). Mirrors ``Milestone.is_still_to_do_on``."""
        today = today or timezone.localdate()
        return (
            self.of_open_cooperations(today)
            .filter(done_on__isnull=True)
            .exclude(kind__in=stages.ALL_STAGES, agreement__status__in=SIGNED_STATUSES)
        )

    def overdue(self, today=None):
        """Steps still to do whose target has passed: the day, or the whole month or year
        when that is all that is known (``ended_before``). Mirrors ``Milestone.is_overdue_on``."""
        today = today or timezone.localdate()
        return self.still_to_do(today).filter(ended_before("due_on", today))

    def due_within(self, days=DUE_WITHIN_DAYS, today=None):
        """Steps still to do, not overdue, whose target begins by ``days`` after ``today`` (a
        step due "Desember 2026" is due within the window all through December)."""
        today = today or timezone.localdate()
        until = today + datetime.timedelta(days=days)
        return self.still_to_do(today).filter(not_ended_before("due_on", today, until))

    def late_or_due_within(self, days=DUE_WITHIN_DAYS, today=None):
        """``overdue`` and ``due_within`` together, each step marked ``late`` (overdue) or not:
        a page listing both reads the agreements' steps once."""
        today = today or timezone.localdate()
        until = today + datetime.timedelta(days=days)
        late = ended_before("due_on", today)
        return (
            self.still_to_do(today)
            .filter(late | not_ended_before("due_on", today, until))
            .annotate(late=models.ExpressionWrapper(late, output_field=models.BooleanField()))
        )

    def needing_attention(self, days=DUE_WITHIN_DAYS, today=None):
        """Overdue, or due within ``days``: what the reminder digest and region pages list."""
        today = today or timezone.localdate()
        return self.still_to_do(today).filter(due_on__lte=today + datetime.timedelta(days=days))

    def waiting_on(self, parties):
        """Steps waiting on one of ``parties`` (values of ``WAITS_ON_CHOICES``) as every page
        says it (``Milestone.waited_on``): the party a step names, else the body that decides
        its stage (``stages.DECIDED_BY``: a TKKSD review naming nobody waits on the TKKSD).
        ``WAITS_ON_NOBODY`` among them: those naming nobody, of no stage a body decides. A step
        done (or set aside) waits on nobody, as its pages say nothing of it; nor does one no
        one has to take any more (``still_to_do``: of a cooperation that has ended, or of a
        stage passed by signing)."""
        waiting = Q(pk__in=[])
        for party in parties:
            if party == WAITS_ON_NOBODY:
                waiting |= Q(waits_on="") & ~Q(kind__in=list(stages.DECIDED_BY))
                continue
            decided = [kind for kind, body in stages.DECIDED_BY.items() if body == party]
            waiting |= Q(waits_on=party) | Q(waits_on="", kind__in=decided)
        return self.still_to_do().filter(waiting)

    def done(self):
        return self.filter(done_on__isnull=False)

    def planned(self):
        return self.filter(done_on__isnull=True)

    def editable_by(self, user):
        """Milestones of the agreements ``user`` may change (``AgreementQuerySet.editable_by``)."""
        return self.filter(agreement__in=Agreement.objects.editable_by(user))


class MilestoneMark(models.TextChoices):
    """How a done milestone passed its stage: done, or set aside by the bureau (with the reason
    in its notes) where a rule is uncertain."""

    DONE = "", _("Terlaksana")
    SKIPPED = "skipped", _("Dilewati")
    NOT_REQUIRED = "not_required", _("Tidak diperlukan")


MARKED_STATES = {
    MilestoneMark.SKIPPED: Stage.SKIPPED,
    MilestoneMark.NOT_REQUIRED: Stage.NOT_REQUIRED,
}


# Milestones that may be a trip abroad, and so carry a travel permit (PDLN).
VISITS = ("exploration", "activity", "signing")
# Milestones that show a cooperation is alive after signing, once done (``is_sign_of_life``).
SIGNS_OF_LIFE = (MilestoneKind.ACTIVITY, MilestoneKind.EVALUATION)
# The steps that come once the text is signed (``Milestone.before_signing_errors``): what
# carries it out or evaluates it, and its termination, which ends a signed text.
AFTER_SIGNING = (*SIGNS_OF_LIFE, MilestoneKind.TERMINATION)


def is_sign_of_life(step):
    """Whether ``step`` (a ``Milestone`` or its ``MilestoneFacts``) shows its cooperation alive:
    an activity or an evaluation done. Not one the bureau recorded as skipped or not required
    ("Monev 2026 dilewati: anggaran tidak tersedia"): its page says it was not held, and a
    cooperation whose only evaluation of the year was skipped is as quiet as one with none.
    Mirrors ``signs_of_life_q``."""
    return step.done_on is not None and step.kind in SIGNS_OF_LIFE and not step.mark


def signs_of_life_q(prefix=""):
    """A filter for the steps ``is_sign_of_life`` counts (``prefix``, e.g. ``"milestones__"``,
    reads them from a related row)."""
    return Q(
        **{
            f"{prefix}kind__in": SIGNS_OF_LIFE,
            f"{prefix}done_on__isnull": False,
            f"{prefix}mark": MilestoneMark.DONE,
        }
    )


# In force this long without a sign of life, a cooperation counts as dormant (*mati suri*).
DORMANT_AFTER = datetime.timedelta(days=365)


def quiet_from(date, precision):
    """The day a start (its entry into force, else its signing) or a sign of life counts from
    when telling whether a cooperation is dormant, or None for no date: the last day its known
    period covers (``KnownDate.end``), the benefit of the doubt, as an expiry is read
    (``Agreement.expires_by``). A cooperation signed "Desember 2025" may have been signed on
    31 December, and an activity done "2025" on 31 December 2025: neither turns dormant before
    a year from that day. In SQL: ``quiet_by`` (the queries), ``not_ended_before`` (an earlier
    day's signs of life), the period's last day in the database's functions (migration 0059)."""
    return None if date is None else KnownDate(date, precision).end


def quiet_by(name, since):
    """A ``Q``: the dates ``name`` (with ``<name>_precision``) that count (``quiet_from``) from
    ``since`` or before: their whole period ended by then (``ended_by``)."""
    return ended_by(name, since)


def started_by_q(since):
    """A ``Q``: the agreements whose start counts (``quiet_from``) from ``since`` or before, or
    with no start recorded: their entry into force, else their signing."""
    by_entry_into_force = Q(in_force_from__isnull=False) & quiet_by("in_force_from", since)
    by_signing = Q(in_force_from__isnull=True) & (
        Q(signed_on__isnull=True) | quiet_by("signed_on", since)
    )
    return by_entry_into_force | by_signing


class Milestone(PrintableText, KnownDates, ChoiceLabels, models.Model):
    Kind = MilestoneKind
    WaitsOn = MilestoneWaitsOn
    Mark = MilestoneMark

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("kerja sama")
    )
    kind = models.CharField(_("tahap / jenis"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=300)
    due_on = models.DateField(_("target tanggal"), null=True, blank=True)
    done_on = models.DateField(_("tanggal terlaksana"), null=True, blank=True)
    due_on_precision = precision_field(_("ketelitian target tanggal"))
    done_on_precision = precision_field(_("ketelitian tanggal terlaksana"))
    waits_on = models.CharField(_("menunggu"), max_length=20, choices=WaitsOn.choices, blank=True)
    mark = models.CharField(
        _("dicatat sebagai"),
        max_length=20,
        choices=Mark.choices,
        blank=True,
        default=Mark.DONE,
        help_text=_(
            "Untuk tahapan yang dilewati atau tidak diperlukan: isi tanggal keputusannya pada "
            "tanggal terlaksana dan alasannya pada catatan."
        ),
    )
    rating = models.PositiveSmallIntegerField(_("nilai evaluasi (1–5)"), null=True, blank=True)
    findings = models.TextField(_("temuan evaluasi"), blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    pdln_number = models.CharField(
        _("nomor PDLN"),
        max_length=100,
        blank=True,
        help_text=_(
            "Persetujuan perjalanan dinas luar negeri (PDLN) bagi kunjungan ke luar negeri: "
            "penjajakan, kegiatan atau penandatanganan."
        ),
    )

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    # Steps still to do as every page lists them (the dashboard's, a region page's, the digest):
    # the soonest due first, so the longest overdue first.
    SOONEST_DUE_FIRST = ("due_on", "id")

    class Meta:
        verbose_name = _("tahapan")
        verbose_name_plural = pgettext_lazy("jamak", "tahapan")
        ordering = [F("done_on").asc(nulls_last=True), F("due_on").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=choice_values(MilestoneKind)), name="milestone_kind_valid"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}_precision__in": choice_values(DatePrecision)}),
                    name=f"milestone_{name}_precision_valid",
                )
                for name in ("due_on", "done_on")
            ],
            models.CheckConstraint(
                condition=Q(waits_on="") | Q(waits_on__in=choice_values(MilestoneWaitsOn)),
                name="milestone_waits_on_valid",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=False) | Q(done_on__isnull=False),
                name="milestone_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(mark__in=choice_values(MilestoneMark)), name="milestone_mark_valid"
            ),
            # Skipping a stage or finding it not required is a decision taken on a day.
            models.CheckConstraint(
                condition=Q(mark="") | Q(done_on__isnull=False), name="milestone_mark_dated"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(kind="evaluation", rating__gte=1, rating__lte=5),
                name="milestone_rating_only_for_evaluation",
            ),
            # A travel permit belongs to a trip: a visit, an activity or a signing abroad.
            models.CheckConstraint(
                condition=Q(pdln_number="") | Q(kind__in=choice_values(MilestoneKind, VISITS)),
                name="milestone_pdln_only_on_visits",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(done_on__isnull=True),
                name="milestone_open_by_due",  # the dashboard's overdue list
            ),
        ]

    def __str__(self):
        return self.title

    def is_editable_by(self, user):
        """Whether ``user`` may change this milestone: its agreement's lead region decides
        (reads the agreement unless it is loaded)."""
        return self.agreement.is_editable_by(user)

    @property
    def is_done(self):
        return self.done_on is not None

    def is_still_to_do_on(self, today):
        """Planned, its cooperation still going and its stage not passed by signing (reads the
        agreement unless it is loaded). Mirrors ``MilestoneQuerySet.still_to_do``."""
        if self.done_on is not None:
            return False
        status = self.agreement.shown_status_on(today)
        return status not in ENDED_STATUSES and not passed_by_signing(self.kind, status)

    @property
    def is_still_to_do(self):
        return self.is_still_to_do_on(timezone.localdate())

    def shown_state_on(self, today):
        """What the step is, as its entry in the milestone timeline and its calendar event say
        it on ``today``: ``"done"``, or ``"set_aside"`` by the bureau (skipped, not required) on
        the day it was done; else ``"overdue"`` (``is_overdue_on``), ``"missed"``, not recorded
        as done (``missed_before_its_end``), ``"not_needed"`` any more (``is_still_to_do_on``: a
        stage passed by signing, a cooperation that has ended), or ``"planned"``. A calendar
        said "Target" of a signing planned for a cooperation cancelled since, and "Terlaksana"
        of an evaluation the bureau recorded as skipped, beside a status page saying
        otherwise."""
        if self.done_on is not None:
            return "set_aside" if self.mark else "done"
        if self.is_overdue_on(today):
            return "overdue"
        if self.missed_before_its_end:
            return "missed"
        if not self.is_still_to_do_on(today):
            return "not_needed"
        return "planned"

    @property
    def shown_state(self):
        return self.shown_state_on(timezone.localdate())

    @property
    def missed_before_its_end(self):
        """Planned, never recorded done, and due while its cooperation still ran: an
        evaluation due in December 2023 of a PKS that ran to the end of 2024. Its page said
        "Tidak lagi diperlukan" (no longer needed), as of a step planned past the day the
        cooperation ended, where it was due and is not recorded as done. Not of a stage passed
        by signing, which its page says is no longer needed (reads the agreement, as
        ``is_still_to_do`` does). Nor of a target still to come: the cooperation has ended
        before it, whatever day it ran to as recorded (a text terminated on a day not recorded
        runs, as stored, to the expiry it was signed for)."""
        if self.done_on is not None or self.due_on is None:
            return False
        agreement = self.agreement
        today = timezone.localdate()
        status = agreement.shown_status_on(today)
        if status not in ENDED_STATUSES or passed_by_signing(self.kind, status):
            return False
        ended = agreement.ends_by or agreement.expires_by
        return ended is not None and self.due_by <= ended and self.due_by < today

    @property
    def waited_on(self):
        """Whom this step waits on (a ``MilestoneWaitsOn`` value), or "" when nobody is named:
        the party it names, else the body that decides its stage (``stages.DECIDED_BY``: a TKKSD
        review waits on the TKKSD), as the next step says it (``NextStep.party``); nobody once
        it is done (or set aside, ``done_on`` recorded): its pages say nothing of it then
        (``MilestoneQuerySet.waiting_on``). What is stored of a chain's next step reads it
        (``NextStep.party``), whatever day the text ends by (``waiting_on_today``)."""
        if self.done_on is not None:
            return ""
        return waited_on(self.kind, self.waits_on)

    @property
    def waiting_on_today(self):
        """Whom this step waits on today, as a list of steps says it beside the step: who
        ``waited_on`` names while someone still has to take it (``is_still_to_do``), else "".
        A step of a cooperation that has ended, or of a stage its text passed by being signed,
        is no one's work, and its timeline says "Tidak tercatat terlaksana" or "Tidak lagi
        diperlukan" with no one waited on: the admin's list of steps said "Biro/Bagian Kerja
        Sama" beside the evaluation of an MoU expired a year before. Mirrors
        ``MilestoneQuerySet.waiting_on``; reads the agreement unless it is loaded."""
        return self.waited_on if self.is_still_to_do else ""

    def get_waited_on_display(self):
        """``waiting_on_today`` as a label, or ""."""
        party = self.waiting_on_today
        return MilestoneWaitsOn(party).label if party else ""

    @property
    def due_by(self):
        """The last day its target covers (a step due "Juni 2024" is due by 30 June), or None."""
        known = self.known("due_on")
        return known.end if known is not None else None

    @property
    def records_termination(self):
        """Whether it records its cooperation's termination as done. Mirrors
        ``records_termination_q``."""
        return self.kind == MilestoneKind.TERMINATION and self.done_on is not None

    @staticmethod
    def records_termination_q():
        return Q(kind=MilestoneKind.TERMINATION, done_on__isnull=False)

    @property
    def plans_termination(self):
        """Whether it is its cooperation's termination still to come: planned, not done (a
        step set aside carries the day it was decided). Mirrors ``plans_termination_q``."""
        return self.kind == MilestoneKind.TERMINATION and self.done_on is None

    @staticmethod
    def plans_termination_q():
        return Q(kind=MilestoneKind.TERMINATION, done_on__isnull=True)

    @property
    def signs_its_text(self):
        """Whether its stage is its own text's signing: the signing, or an LoI's own LoI step
        (the last stage of an LoI's path, row 1 of ``stages.STAGE_TABLE``: the LoI is signed
        when it is passed). Mirrors ``signs_its_text_q``."""
        if self.kind == MilestoneKind.SIGNING:
            return True
        return self.kind == MilestoneKind.LOI and self.agreement.kind == AgreementKind.LOI

    @staticmethod
    def signs_its_text_q():
        return Q(kind=MilestoneKind.SIGNING) | Q(
            kind=MilestoneKind.LOI, agreement__kind=AgreementKind.LOI
        )

    @property
    def records_signing(self):
        """Whether it records its text's signing as done (not set aside as skipped or not
        required): "Penandatanganan", or on an LoI its "Pernyataan kehendak (LoI)" step, which
        the bureau records its signing with as often. Mirrors ``records_signing_q``."""
        return (
            self.done_on is not None
            and self.mark == MilestoneMark.DONE
            and self.kind in (MilestoneKind.SIGNING, MilestoneKind.LOI)
            and self.signs_its_text
        )

    @staticmethod
    def records_signing_q():
        return Milestone.signs_its_text_q() & Q(done_on__isnull=False, mark=MilestoneMark.DONE)

    @staticmethod
    def records_signing_or_termination_q():
        """The steps ``Agreement.status_step_errors`` reads: those recording a signing or a
        termination as done."""
        return Milestone.records_signing_q() | Milestone.records_termination_q()

    def is_overdue_on(self, today):
        """Still to do and past the last day of its target. Mirrors
        ``MilestoneQuerySet.overdue``."""
        return self.due_on is not None and self.due_by < today and self.is_still_to_do_on(today)

    @property
    def is_overdue(self):
        return self.is_overdue_on(timezone.localdate())

    # "Done" is never in the future: clean() checks against the bureau's local date; the database
    # refuses it too (migration 0002, a CHECK on PostgreSQL and a trigger on SQLite, whose CHECK
    # constraints cannot read the clock).

    def clean(self):
        errors = defaultdict(list)
        if self.done_on and self.done_on > timezone.localdate():
            errors["done_on"].append(_("Tanggal terlaksana tidak boleh di masa depan."))
        if self.due_on is None and self.done_on is None:
            errors["due_on"].append(_("Isi target tanggal atau tanggal terlaksana."))
        if self.mark and self.done_on is None:
            errors["done_on"].append(
                _("Tahapan yang dilewati atau tidak diperlukan perlu tanggal keputusannya.")
            )
        if self.mark and not self.notes.strip():
            # The status page says why a stage was set aside; an official asks no less.
            errors["notes"].append(
                _(
                    "Tulis alasannya pada catatan: mengapa tahapan ini dilewati atau tidak "
                    "diperlukan."
                )
            )
        if self.rating is not None and self.kind != self.Kind.EVALUATION:
            errors["rating"].append(_("Nilai hanya untuk tahapan monitoring dan evaluasi."))
        if self.rating is not None and not 1 <= self.rating <= 5:
            errors["rating"].append(_("Nilai evaluasi antara 1 dan 5."))
        if self.pdln_number and self.kind not in VISITS:
            errors["pdln_number"].append(
                _("Nomor PDLN hanya untuk kunjungan: penjajakan, kegiatan atau penandatanganan.")
            )
        for name, message in self.precision_errors(("due_on", "done_on")).items():
            errors[name].append(message)
        for name, messages in self.agreement_date_errors().items():
            errors[name].extend(messages)
        for name, message in self.scope_errors().items():
            errors[name].append(message)
        if errors:
            raise ValidationError(dict(errors))

    def agreement_date_errors(self):
        """{field: [message, …]} for a step its agreement's own dates contradict, each rule
        below in turn; the status page would show both, one in the facts and one on the path.
        Reads the agreement the form or the import holds, never with a query of its own (the
        demo register is written in bulk, its steps with their agreement's key only). A date
        known to its month or year stands for that whole period. Mirrors
        ``contradicts_agreement_dates_q``."""
        errors = defaultdict(list)
        if not Milestone.agreement.is_cached(self):
            return errors
        for rule in (
            self.before_signing_errors,
            self.before_in_force_errors,
            self.after_signing_errors,
            self.done_after_signing_errors,
            self.signing_day_errors,
            self.before_proposal_errors,
        ):
            for name, message in rule().items():
                errors[name].append(message)
        return errors

    @staticmethod
    def contradicts_agreement_dates_q():
        """A filter for the steps ``agreement_date_errors`` refuses as they stand, their
        agreement's dates read through the join (``ends_before``: either date unknown, no
        contradiction)."""
        signed, proposed = "agreement__signed_on", "agreement__proposed_on"
        in_force = "agreement__in_force_from"
        lives = Q(kind__in=SIGNS_OF_LIFE)
        towards_signing = Q(kind__in=stages.ALL_STAGES)
        return (
            # ``before_signing_errors``
            Q(kind__in=AFTER_SIGNING)
            & (ends_before("due_on", signed) | ends_before("done_on", signed))
            # ``before_in_force_errors``
            | lives & (ends_before("due_on", in_force) | ends_before("done_on", in_force))
            # ``after_signing_errors``
            | towards_signing & Q(done_on__isnull=True) & ends_before(signed, "due_on")
            # ``done_after_signing_errors``
            | towards_signing
            & ~Q(kind=MilestoneKind.SIGNING)
            & Q(done_on__isnull=False, mark=MilestoneMark.DONE)
            & ends_before(signed, "done_on")
            # ``signing_day_errors``
            | Milestone.records_signing_q()
            & (ends_before("done_on", signed) | ends_before(signed, "done_on"))
            # ``before_proposal_errors``
            | ends_before("done_on", proposed)
        )

    def signing_day_errors(self):
        """{field: message} for a signing recorded as done on a day its text was not signed:
        the status page said "Ditandatangani 1 Februari 2025" in its facts and "Penandatanganan
        dilalui 3 Maret 2025" on its path. Either known only to its month or year agrees with
        any day of that period (``KnownDate.overlaps``). A signing set aside (skipped, not
        required) records no signing (``records_signing``)."""
        if not self.records_signing or not Milestone.agreement.is_cached(self):
            return {}
        signed, done = self.agreement.known("signed_on"), self.known("done_on")
        if signed is None or done.overlaps(signed):
            return {}
        return {
            "done_on": _(
                "Tahap “%(kind)s” tercatat terlaksana %(done)s, tetapi kerja sama ini "
                "ditandatangani %(signed)s. Tanggal terlaksana penandatanganan adalah tanggal "
                "naskah ditandatangani: perbaiki yang keliru, tanggal ini atau tanggal "
                "ditandatangani kerja samanya."
            )
            % {"kind": self.get_kind_display(), "done": done.on, "signed": signed.on}
        }

    def before_proposal_errors(self):
        """{field: message} for a step recorded as done (or set aside) wholly before its
        agreement was proposed: the page's facts said "Diusulkan 2 Juni 2024" beside a path
        that had passed a stage in 2023. Each step of a document comes with or after its
        proposal; what came before it belongs to the document it follows (an LoI's
        exploration is the LoI's)."""
        if self.done_on is None or not Milestone.agreement.is_cached(self):
            return {}
        proposed, done = self.agreement.known("proposed_on"), self.known("done_on")
        if proposed is None or done.end >= proposed.date:
            return {}
        return {
            "done_on": _(
                "%(kind)s tercatat terlaksana %(done)s, sebelum kerja sama ini diusulkan "
                "(%(proposed)s). Periksa tanggal ini, atau tanggal diusulkan kerja samanya."
            )
            % {"kind": self.get_kind_display(), "done": done.on, "proposed": proposed}
        }

    def before_in_force_errors(self):
        """{field: message} for an activity or an evaluation dated after its text was signed
        but wholly before it came into force (``in_force_from``): what carries a cooperation
        out, or evaluates it, happens while it is in force. (Before the signing,
        ``before_signing_errors`` says it.)"""
        if self.kind not in SIGNS_OF_LIFE or not Milestone.agreement.is_cached(self):
            return {}
        in_force = self.agreement.known("in_force_from")
        if in_force is None:
            return {}
        signed = self.agreement.known("signed_on")
        errors = {}
        for name in ("due_on", "done_on"):
            known = self.known(name)
            if known is None or known.end >= in_force.date:
                continue
            if signed is not None and known.end < signed.date:
                continue  # before the signing: ``before_signing_errors``
            errors[name] = _(
                "%(kind)s dilakukan selama kerja sama berlaku, sejak %(in_force)s; tanggal ini "
                "sebelum itu. Periksa tanggal ini, atau tanggal berlaku sejak kerja samanya."
            ) % {"kind": self.get_kind_display(), "in_force": in_force}
        return errors

    def on_path_of_its_text(self):
        """Whether its stage is on the path of its agreement's kind and scope
        (``stages.rule_for``): the plan is not on an LoI's, nor the TKKSD review on a PKS
        carrying out an MoU's. Reads the agreement the form holds; a path it cannot name yet
        (no scope chosen) holds every stage."""
        agreement = self.agreement
        try:
            rule = stages.rule_for(agreement.kind, agreement.scope, agreement.carries_out)
        except LookupError:
            return True
        return self.kind in rule.stages

    def scope_errors(self):
        """{field: message} for a step of a stage no document of its agreement's scope passes
        (``stages.stages_of_scope``): the Ministry of Home Affairs' verification, initialling
        or full powers of a domestic cooperation, which the status page would otherwise give
        as its next step, waiting on a ministry. Reads the agreement the form holds, never
        with a query of its own (as ``before_signing_errors``)."""
        if self.kind not in stages.ALL_STAGES or not Milestone.agreement.is_cached(self):
            return {}
        scope = self.agreement.scope
        if not scope or self.kind in stages.stages_of_scope(scope):
            return {}
        return {
            "kind": _(
                "Kerja sama %(scope)s tidak menempuh tahap “%(kind)s”: tahap itu hanya untuk "
                "kerja sama dengan pihak di luar negeri (PP 28/2018, Permendagri 22/2020)."
            )
            % {"scope": scope.upper(), "kind": self.get_kind_display()}
        }

    def after_signing_errors(self):
        """{field: message} for a step on the way to signing planned wholly after its text was
        signed (the drafting of the PKS that is to carry out a signed MoU): the text passed that
        stage by being signed, so such a step would show as no longer needed and never as the
        next step (``passed_by_signing``). What follows a signed text is a document of its own
        (a PKS, an amendment) continuing it, or an activity of this one."""
        if (
            self.done_on is not None
            or self.kind not in stages.ALL_STAGES
            or not Milestone.agreement.is_cached(self)  # as ``before_signing_errors``
        ):
            return {}
        signed, due = self.agreement.known("signed_on"), self.known("due_on")
        if signed is None or due is None or due.date <= signed.end:
            return {}
        if not self.on_path_of_its_text():
            # The plan on a signed LoI: signing it passed exploration and intent, nothing after.
            # The stage was not passed; it is the way to the text that follows.
            return {
                "kind": _(
                    "Tahap “%(kind)s” tidak ditempuh oleh naskah “%(document)s” (lihat "
                    "“Tahapan menuju penandatanganan” di halaman statusnya), jadi tidak dapat "
                    "direncanakan sesudah naskah ini ditandatangani (%(signed)s). Bila tahap itu "
                    "menuju naskah berikutnya (mis. MoU sesudah LoI), catat naskah itu sebagai "
                    "kerja sama tersendiri yang merupakan kelanjutan naskah ini (“Tambahkan "
                    "naskah tindak lanjut” di formulir naskah ini) dan rencanakan tahap itu di "
                    "sana; atau hapus baris ini."
                )
                % {
                    "kind": self.get_kind_display(),
                    "document": self.agreement.get_kind_display(),
                    "signed": signed,
                }
            }
        return {
            "kind": _(
                "Naskah ini sudah ditandatangani (%(signed)s), jadi tahap “%(kind)s” sudah "
                "dilaluinya dan tidak dapat direncanakan sesudah tanggal itu. Isi tanggal "
                "terlaksananya, tandai “%(skipped)s” atau “%(not_required)s” (dengan alasannya "
                "di catatan), atau hapus baris ini. Naskah berikutnya (mis. PKS yang "
                "melaksanakannya, atau adendum) dicatat sebagai kerja sama tersendiri yang "
                "merupakan kelanjutan naskah ini; pelaksanaannya dicatat sebagai “%(activity)s”."
            )
            % {
                "signed": signed,
                "kind": self.get_kind_display(),
                "skipped": MilestoneMark.SKIPPED.label,
                "not_required": MilestoneMark.NOT_REQUIRED.label,
                "activity": MilestoneKind.ACTIVITY.label,
            }
        }

    def done_after_signing_errors(self):
        """{field: message} for a stage on the way to signing recorded as done wholly after its
        text was signed: the status page of a text signed in 2020 said "Prakarsa dilalui
        1 Maret 2026". A stage set aside (skipped, not required) is dated by the decision, which
        may come later. Reads the agreement the form or the import holds (as
        ``before_signing_errors``)."""
        if (
            self.done_on is None
            or self.mark != MilestoneMark.DONE
            or self.kind not in stages.ALL_STAGES
            or self.kind == MilestoneKind.SIGNING
            or not Milestone.agreement.is_cached(self)
        ):
            return {}
        signed, done = self.agreement.known("signed_on"), self.known("done_on")
        if signed is None or done is None or done.date <= signed.end:
            return {}
        return {
            "done_on": _(
                "Tahap “%(kind)s” dilalui sebelum naskah ditandatangani (%(signed)s), tetapi "
                "tanggal terlaksananya sesudah itu. Periksa tanggal ini, atau tanggal "
                "ditandatangani kerja samanya."
            )
            % {"kind": self.get_kind_display(), "signed": signed}
        }

    def before_signing_errors(self):
        """{field: message} for an activity, an evaluation or a termination dated wholly before
        its text was signed: what carries out a text, evaluates it or ends it comes after it.
        (Planned so, an activity read as the next step, late for years, on the status page of a
        text in force; a termination done so said "Ditandatangani 10 Januari 2022" above
        "Diakhiri pada 1 Juni 2021".)"""
        # Read from the agreement the form or the import holds, never with a query of its own
        # (the demo register is written in bulk, its steps with their agreement's key only).
        if self.kind not in AFTER_SIGNING or not Milestone.agreement.is_cached(self):
            return {}
        signed = self.agreement.known("signed_on")
        if signed is None:
            return {}
        errors = {}
        for name in ("due_on", "done_on"):
            known = self.known(name)
            if known is not None and known.end < signed.date:
                errors[name] = _(
                    "%(kind)s dilakukan sesudah naskah ditandatangani (%(signed)s); tanggal ini "
                    "sebelum itu."
                ) % {"kind": self.get_kind_display(), "signed": signed}
        return errors


class Contact(PrintableText, models.Model):
    """A contact person of one party of an agreement. For officials and staff only
    (``reads_internal``): never on a public page, in an export or a feed."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("kerja sama")
    )
    party = models.CharField(
        _("pihak"), max_length=200, help_text=_("Mis. Biro Pemerintahan Setda Kaltim, atau mitra.")
    )
    name = models.CharField(_("nama"), max_length=200)
    office = models.CharField(_("jabatan / unit"), max_length=200, blank=True)
    email = models.EmailField(_("surel"), blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True, validators=[validate_phone])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("narahubung")
        verbose_name_plural = pgettext_lazy("jamak", "narahubung")
        ordering = ["party", "name", "id"]

    def __str__(self):
        return f"{self.name} ({self.party})"

    def left_unchecked(self, stored_phones):
        """The fields ``full_clean`` leaves aside (its ``exclude``) for this contact, given the
        phones its agreement's contacts hold (``stored_phones``): a phone held already was
        recorded before phones were checked (migration 0061) or checked then, and is kept as
        it is. A clerk saving a change elsewhere in the agreement, or importing its download
        back, is never refused for a phone no one typed; the admin and the import alike."""
        return {"phone"} if self.phone and self.phone in stored_phones else set()


class Signatory(PrintableText, models.Model):
    """Who signed an agreement for one of its parties, and in which office. Public wherever its
    agreement is (the place of signing is ``Agreement.signing_place``)."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="signatories",
        verbose_name=_("kerja sama"),
    )
    party = models.CharField(
        _("pihak"),
        max_length=200,
        help_text=_("Mis. Pemerintah Provinsi Kalimantan Timur, atau nama mitra."),
    )
    name = models.CharField(_("nama"), max_length=200)
    office = models.CharField(
        _("jabatan"),
        max_length=200,
        blank=True,
        help_text=_(
            "PP 28/2018: kepala daerah, atau pejabat yang diberi kuasa. Mis. Gubernur "
            "Kalimantan Timur, Mayor of Ōita."
        ),
    )
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("penanda tangan")
        verbose_name_plural = pgettext_lazy("jamak", "penanda tangan")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="signatory_has_a_name"),
        ]

    def __str__(self):
        return f"{self.name}, {self.office}" if self.office else self.name


class DocumentKind(models.TextChoices):
    SIGNED_TEXT = "signed_text", _("Naskah yang ditandatangani")
    DRAFT = "draft", _("Rancangan naskah")
    ANNEX = "annex", _("Lampiran")
    MINUTES = "minutes", _("Notulen / berita acara")
    REPORT = "report", _("Laporan")
    OTHER = "other", _("Lainnya")


class DocumentLanguage(models.TextChoices):
    INDONESIAN = "id", _("Indonesia")
    ENGLISH = "en", _("Inggris")
    BILINGUAL = "id+en", _("Indonesia dan Inggris")
    CHINESE = "zh", _("Mandarin")
    JAPANESE = "ja", _("Jepang")
    KOREAN = "ko", _("Korea")
    OTHER = "other", _("Lainnya")


class DocumentQuerySet(ReadApart, models.QuerySet):
    def search(self, text, reader=None):
        """Documents matching ``text``: those whose title holds every word, and every one of an
        agreement the register's search finds (``AgreementQuerySet.search``). See
        ``agreements.search.search_agreement_rows``."""
        from agreements.search import search_agreement_rows

        return search_agreement_rows(self, text, reads_internal(reader))

    def editable_by(self, user):
        """Documents of the agreements ``user`` may change (``AgreementQuerySet.editable_by``)."""
        return self.filter(agreement__in=Agreement.objects.editable_by(user))

    def with_upload_known_to(self, user):
        """Each document with ``known_uploaded_at``: when ``user`` may know it was uploaded.
        Officials and staff (``reads_internal``) read when it was; the public reads nothing of
        an agreement's internal past (``AgreementQuerySet.with_public_since``), so a document
        uploaded while its agreement was kept internal is there for them since it was
        published, as a calendar stamps such a step (``reminders.ical.issued``). Read in the
        same statement as the documents."""
        if reads_internal(user):
            return self.annotate(known_uploaded_at=F("uploaded_at"))
        public_since = AgreementQuerySet.public_since(
            OuterRef("agreement_id"), "agreement__created_at"
        )
        return self.annotate(known_uploaded_at=Greatest("uploaded_at", public_since))

    def with_file_known_to(self, user):
        """``with_upload_known_to``, and ``known_file``: the name of each document's file as
        ``user`` may read it. A file lies in the folder of the year it came (``document_path``:
        ``documents/2021/naskah.pdf``), which would tell that year all the same: to the public,
        one uploaded while its agreement was internal is named without that folder
        (``naskah.pdf``), which an import reads back as that document's
        (``stored_document_names``). What a download names a document by; read in the same
        statement as the documents."""
        documents = self.with_upload_known_to(user)
        if reads_internal(user):
            return documents.annotate(known_file=F("file"))
        return documents.annotate(
            known_file=models.Case(
                models.When(
                    Q(uploaded_at__lt=F("known_uploaded_at"), file__regex=DATED_DOCUMENT),
                    then=Substr("file", DATED_FOLDER_LENGTH + 1),
                ),
                default=F("file"),
                output_field=models.CharField(),
            )
        )

    def holding(self, names):
        """Documents whose stored file is one of ``names``: a file belongs to one document, and
        its download is checked against that document's agreement only."""
        return self.filter(file__in=names)


# The folder of the media storage that holds the uploaded documents (``document_path``).
DOCUMENT_FOLDER = "documents"

# A document stored where ``document_path`` puts an upload: in the folder of its year
# (``documents/2021/``), whose name is this long.
DATED_DOCUMENT = rf"^{DOCUMENT_FOLDER}/[0-9]{{4}}/[^/]+$"
DATED_FOLDER_LENGTH = len(f"{DOCUMENT_FOLDER}/0000/")


def stored_document_names(stored, named):
    """The stored name of each file name of ``named`` ((agreement id or None, name, title) of
    a file's rows, in its order), as the public's downloads name a document: without the
    folder of the year it came, where it was uploaded while its agreement was internal
    (``DocumentQuerySet.with_file_known_to``). Such a name stands for the agreement's
    document of ``stored`` (with ``agreement_id``, ``file``, ``title``, ``uploaded_at`` and
    ``pk``) stored under it in a year's folder: the one of that title first, else the first
    by upload, as the download lists them. Any other name is left as it is."""
    dated = {}
    for document in sorted(stored, key=lambda d: (d.uploaded_at, d.pk)):
        name = document.file.name
        if re.match(DATED_DOCUMENT, name):
            bare = name[DATED_FOLDER_LENGTH:]
            dated.setdefault((document.agreement_id, bare), []).append(document)
    names = []
    for agreement_id, name, title in named:
        left = dated.get((agreement_id, name)) if "/" not in name else None
        if not left:
            names.append(name)
            continue
        document = next((d for d in left if d.title == title), left[0])
        left.remove(document)
        names.append(document.file.name)
    return names


# What the file storage drops from a name it stores (``django.utils.text.get_valid_filename``).
STORED_NAME_DROPS = re.compile(r"(?u)[^-\w.]")

# The most characters of an uploaded file's own name kept in the name it is stored under.
DOCUMENT_STEM_MAX = 60


def document_path(document, filename):
    """Where an uploaded document is stored: under ``documents/<year>/``, named as it came but
    always ending in ``.pdf``. Only complete PDFs are accepted (``validate_document_file``), by
    their content: the name they came with (``.html``, ``.svg``) says nothing true of them."""
    # Never a name that begins with a dot (".pdf" would be stored and downloaded as
    # ".pdf.pdf"): such a file is hidden, on the server and on the reader's computer.
    # The storage keeps only letters, digits, "-", "_" and "." of a name: dropped here first, so
    # that what is left is checked ("(.naskah)" would be stored as the hidden ".naskah", and
    # "!!!" as ".pdf").
    stem = os.path.splitext(os.path.basename(filename))[0]
    stem = STORED_NAME_DROPS.sub("", stem.strip().replace(" ", "_")).lstrip(".") or "dokumen"
    # A scan's long name is cut to fit the stored name's column with room for the suffix the
    # storage adds to a name already taken: the name it came with never refuses a file.
    return f"{DOCUMENT_FOLDER}/{timezone.now():%Y}/{stem[:DOCUMENT_STEM_MAX]}.pdf"


# The most bytes of a document's download name before its ".pdf" (``Document.download_name``):
# a name a reader's disk takes whole (255 bytes at most), in any script.
DOWNLOAD_NAME_MAX_BYTES = 150

# What a download's name never holds, besides the separators of a folder (written "-"): what
# Windows refuses in a file's name.
DOWNLOAD_NAME_DROPS = re.compile(r'[<>:"|?*]')


def is_document_path(name):
    """Whether ``name`` is a place an uploaded document may be stored: a plain relative path
    inside ``DOCUMENT_FOLDER``, with no ``..``, ``.``, doubled or back slash, nothing absolute.
    What names a stored file without uploading it (the import's documents sheet) must be one,
    or a document's download would serve whatever file the name reaches."""
    path = PurePosixPath(name)
    return (
        "\\" not in name
        and str(path) == name
        and not path.is_absolute()
        and len(path.parts) > 1
        and path.parts[0] == DOCUMENT_FOLDER
        and ".." not in path.parts
    )


class Document(PrintableText, ChoiceLabels, models.Model):
    Kind = DocumentKind
    Language = DocumentLanguage

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="documents", verbose_name=_("kerja sama")
    )
    title = models.CharField(_("judul"), max_length=300)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("bahasa"), max_length=10, choices=Language.choices)
    file = models.FileField(_("berkas"), upload_to=document_path)
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    history = HistoricalRecords()
    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("dokumen")
        verbose_name_plural = pgettext_lazy("jamak", "dokumen")
        ordering = ["-uploaded_at"]
        indexes = [
            # The admin's list of documents, newest first (the primary key makes its order
            # total): read from here a page at a time, where each page sorted every document
            # (100 ms at 100,000 agreements), and every one a search matched.
            models.Index(F("uploaded_at").desc(), F("id").desc(), name="document_newest_uploaded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=choice_values(DocumentKind)), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=choice_values(DocumentLanguage)),
                name="document_language_valid",
            ),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        document = super().from_db(db, field_names, values)
        # The file it was read with: a save that replaces it lets that one go
        # (``let_go_of_files``).
        document._stored_file = document.__dict__.get("file")
        return document

    def is_editable_by(self, user):
        """Whether ``user`` may change this document: its agreement's lead region decides
        (reads the agreement unless it is loaded)."""
        return self.agreement.is_editable_by(user)

    @property
    def download_name(self):
        """The name the document is downloaded under: its agreement's reference and its title
        ("075-12-KSD-2023 - Naskah MoU yang ditandatangani.pdf"), or its kind where the title
        leaves nothing, never the name it is stored under (``document_path``: the name the
        file came with, and a random suffix where that name was taken, "naskah_rQHcg33.pdf").
        Safe on any reader's disk: no folder, no character Windows refuses or no one sees, no
        leading dot (a hidden file); a name in another script is sent as RFC 6266 says
        (``FileResponse``). Reads the agreement unless it is loaded."""
        name = " - ".join(part for part in (self.agreement.reference, self.title) if part)
        name = name.replace("/", "-").replace("\\", "-")
        name = "".join(c for c in name if c.isspace() or unicodedata.category(c)[0] != "C")
        name = " ".join(DOWNLOAD_NAME_DROPS.sub("", name).split())
        name = name.encode()[:DOWNLOAD_NAME_MAX_BYTES].decode(errors="ignore")
        # A title copied from the scan's name ("Naskah MoU.pdf") ends with ".pdf" once.
        name = re.sub(r"\.pdf$", "", name.strip(), flags=re.IGNORECASE)
        return f"{name.strip(' .-') or self.get_kind_display()}.pdf"

    def clean(self):
        super().clean()
        # Only a file being uploaded now is checked (a stored one was checked when it came in);
        # every way in (the document admin, the agreement's inline) runs through here.
        if self.file and not self.file._committed:
            try:
                validate_document_file(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error}) from None


def let_go_of_files(sender, instance, **kwargs):
    """A document's file leaves the storage with it: once the document is deleted (on its own,
    with its agreement, or several at once), or its file replaced, and the transaction that did
    so has committed. A scan uploaded to the wrong agreement and deleted stayed on the server,
    and in every backup of it, though nothing linked to it any more. Rolled back, the file
    stays. Connected in ``AgreementsConfig.ready`` (``post_delete``, ``post_save``)."""
    stored = getattr(instance, "_stored_file", None)
    if kwargs.get("signal") is models.signals.post_save:
        instance._stored_file = instance.file.name
        if not stored or stored == instance.file.name:
            return
    name = stored or instance.file.name
    if not name:
        return
    storage, using = instance.file.storage, kwargs.get("using") or "default"

    def delete():
        if Document.objects.using(using).filter(file=name).exists():
            return  # another document holds the same stored file
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Berkas dokumen %s tidak dapat dihapus", name, exc_info=True)

    transaction.on_commit(delete, using=using)


class PotentialSurveyQuerySet(models.QuerySet):
    def concerning(self, regions):
        """Surveys one of ``regions`` hosted, took part in, or had potentials recorded by."""
        attended = PotentialSurvey.participants.through.objects.filter(region__in=regions)
        found = Potential.objects.filter(region__in=regions, survey__isnull=False)
        return self.filter(
            Q(host_region__in=regions)
            | Q(pk__in=attended.values("potentialsurvey_id"))
            | Q(pk__in=found.values("survey_id"))
        )


class PotentialSurvey(PrintableText, models.Model):
    """A round of collecting regions' economic potential (seed 004: the Kaltim Rakor of 2021)."""

    title = models.CharField(_("judul"), max_length=300)
    held_on = models.DateField(_("tanggal"))
    host_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="hosted_surveys",
        verbose_name=_("tuan rumah"),
    )
    participants = models.ManyToManyField(
        Region, blank=True, related_name="surveys", verbose_name=_("daerah peserta")
    )
    organiser = models.CharField(_("penyelenggara / pembina"), max_length=200, blank=True)
    summary = models.TextField(_("ringkasan"), blank=True)
    source_url = models.URLField(_("tautan sumber"), max_length=500, blank=True)

    history = HistoricalRecords()
    objects = PotentialSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("identifikasi potensi")
        verbose_name_plural = pgettext_lazy("jamak", "identifikasi potensi")
        ordering = ["-held_on"]

    def __str__(self):
        return self.title


class PotentialQuerySet(models.QuerySet):
    def offered_in(self, region):
        """Potentials of ``region`` and, for a province, of its regencies and cities."""
        return self.filter(region__in=Region.objects.within(region))

    def editable_by(self, user):
        """Potentials of the regions ``user`` edits for (``access.models.editable_regions``)."""
        from access.models import editable_region_ids, is_administrator

        if is_administrator(user):
            return self.all()
        return self.filter(region_id__in=editable_region_ids(user))


class Potential(PrintableText, models.Model):
    """An economic potential a region offers for cooperation."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="potentials", verbose_name=_("daerah")
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        related_name="potentials",
        verbose_name=_("bidang"),
    )
    title = models.CharField(_("judul"), max_length=300)
    description = models.TextField(_("uraian"), blank=True)
    survey = models.ForeignKey(
        PotentialSurvey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="potentials",
        verbose_name=_("hasil identifikasi"),
    )

    history = HistoricalRecords()
    objects = PotentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("potensi daerah")
        verbose_name_plural = pgettext_lazy("jamak", "potensi daerah")
        ordering = ["region__code", "title"]

    def __str__(self):
        return f"{self.region}: {self.title}"

    def is_editable_by(self, user):
        """Whether ``user`` may change this potential; mirrors ``PotentialQuerySet.editable_by``."""
        from access.models import may_edit_region

        return may_edit_region(user, self.region_id)


# Defined in its own module, registered with the app here.
from agreements.import_previews import ImportPreview  # noqa: E402, F401
