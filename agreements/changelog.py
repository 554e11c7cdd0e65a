"""The change log: what changed in an agreement, when, from what to what, and in which role.

Read from the agreements' change history (simple-history): each saved version is compared with
the one before it, field by field. The public sees only the fields the status page shows
(``PUBLIC_FIELDS``), only versions saved while the agreement was public, and the role of whoever
changed it, never their name; staff searching the history in the admin see every field and the
person (``FULL_FIELDS``, ``Entry.person``).

The rows the agreement form saves with it, its steps, signatories, documents and contact persons
(``PARTS``), are part of its versions: a version tells what changed in them since the version
before, read from their own history. A row belongs to the version saved last before it, up to
the next one (``part_changes``): the form saves the agreement, then its rows, and the pages of a
step or a document save a version of their agreement before the row (``mark_changed``).

Every version is an entry, so a page lists as many as it counts: one that changed nothing the
reader is shown reads as saved without a change shown here (``Entry.kind`` "saved").

``entries`` turns a page of history records into entries in a fixed number of queries: the
versions before them and the parties and sectors of both (one query each), and the history of
their rows (one query per kind of row).
"""

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import (
    Case,
    CharField,
    F,
    FileField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.models import Role
from agreements.dates import DatePrecision, KnownDate
from agreements.models import (
    Agreement,
    AgreementVisibility,
    Contact,
    Document,
    Milestone,
    Signatory,
)
from partners.models import pick_language

HistoricalAgreement = Agreement.history.model

# What the status page shows about an agreement, in the order it shows it, then the rows it shows
# (``PARTS``). Left out: the visibility (that a record was internal is itself internal),
# "follows" and its "relation" (they may name an internal agreement, or tell that there is one),
# the contact persons (officials and staff only), the version and the time stamps (bookkeeping).
PUBLIC_FIELDS = (
    "title",
    "title_en",
    "reference",
    "kind",
    "scope",
    "status",
    "lead_region",
    "regions",
    "partners",
    "sectors",
    "agencies",
    "summary",
    "summary_en",
    "proposed_on",
    "signed_on",
    "signing_place",
    "in_force_from",
    "expires_on",
    "treaty_room_reference",
    "treaty_room_url",
    "source_url",
    "milestones",
    "signatories",
    "documents",
)
# What a reader of internal records is told besides: whether the record is public, which the
# status page's badge and the list's rows show them ("Internal"). A version that published a
# record, or took it back, changed what they read; it was listed as saved without a change.
INTERNAL_READER_FIELDS = (
    *PUBLIC_FIELDS[: PUBLIC_FIELDS.index("scope") + 1],
    "visibility",
    *PUBLIC_FIELDS[PUBLIC_FIELDS.index("scope") + 1 :],
)
# What staff may search the history by: the public fields and the ones kept from the public.
FULL_FIELDS = (*PUBLIC_FIELDS, "visibility", "follows", "relation", "contacts")

MANY = {"regions": "region", "partners": "partner", "sectors": "sector", "agencies": "agency"}

# The status page shows the latest versions; /perubahan/ pages through all of them.
STATUS_PAGE_LENGTH = 20

NO_ONE = gettext_lazy("sistem (impor atau perintah)")
# A version the register wrote by its own rule after someone's save (``SetOffBy``).
FOLLOWING = gettext_lazy("sistem, mengikuti perubahan oleh %(role)s")


def _role_label(user, role):
    """How the change log names ``user``, whose widest role group is ``role`` (or None)."""
    if role:
        return str(Role(role).label)
    return str(Role.ADMINISTRATOR.label) if user.is_superuser else _("staf biro")


@dataclass(frozen=True)
class Part:
    """A kind of row saved with its agreement, in its form's inlines (``Agreement.<name>``)."""

    model: type
    fields: tuple  # what a version tells of a row, in the order the status page shows it

    @property
    def history(self):
        return self.model.history.model

    @property
    def label(self):
        return str(self.model._meta.verbose_name)

    def name_of(self, record):
        """How the change log names one row (a history record of it): its title or name."""
        return str(getattr(record, "title", None) or record.name)


PARTS = {
    "milestones": Part(
        Milestone,
        (
            "kind",
            "title",
            "due_on",
            "done_on",
            "waits_on",
            "mark",
            "pdln_number",
            "rating",
            "findings",
            "notes",
        ),
    ),
    "signatories": Part(Signatory, ("party", "name", "office", "position")),
    "documents": Part(Document, ("title", "kind", "language", "file")),
    "contacts": Part(Contact, ("party", "name", "office", "email", "phone")),
}


def field_label(name):
    if name in PARTS:
        return PARTS[name].label
    return str(Agreement._meta.get_field(name).verbose_name)


def field_choices(fields=FULL_FIELDS):
    """(name, label) of ``fields``, for a form's select."""
    return [(name, capfirst(field_label(name))) for name in fields]


@dataclass(frozen=True)
class FieldChange:
    field: str  # the agreement's field, or the kind of row (``PARTS``): "status", "milestones"
    label: str  # "status", "tahapan ‘Penandatanganan’, target tanggal"
    old: str
    new: str
    topic: str  # what a title names it by: the field's label, or the kind of row ("tahapan")


@dataclass
class Entry:
    """One saved version of an agreement, as the change log shows it."""

    record: object  # the history record
    # "created", "published" (the first version the public may see), "changed", or "saved":
    # a version that changed nothing the reader is shown (a field or row kept from them, or
    # nothing at all)
    kind: str
    changes: list = field(default_factory=list)

    @property
    def when(self):
        return self.record.history_date

    @property
    def agreement_id(self):
        return self.record.id

    @property
    def title(self):
        """The agreement's title as it was then, in the reader's language as the status page
        gives it (``Agreement.shown_title``)."""
        return pick_language(self.record.title, self.record.title_en)

    @property
    def visibility(self):
        """The agreement's visibility as it stands, not as it was in this version
        (``history``'s ``visibility_now``): what marks the entry "Internal" for a reader of
        internal records (``includes/internal_mark.html``, read as of an agreement), as the
        list marks the record's row today."""
        return getattr(self.record, "visibility_now", self.record.visibility)

    @property
    def person(self):
        """Who saved it (staff only: the public sees ``role``)."""
        user = self.record.history_user
        return user.get_username() if user else None

    @property
    def role(self):
        """The role in which the version was saved, never the person (``history_role``). A
        version the register wrote by its own rule after someone's save (a status raised,
        ``SetOffBy``) is the system's, following the role of whoever saved; one no one's save
        set off (a command's) is the system's alone."""
        user = self.record.history_user
        if user is None:
            set_off_by = self.record.history_set_off_by
            if set_off_by is None:
                return str(NO_ONE)
            return FOLLOWING % {
                "role": _role_label(set_off_by, self.record.set_off_by_role),
            }
        return _role_label(user, self.record.history_role)

    @property
    def field_names(self):
        return [change.field for change in self.changes]


def changed_by(agreements):
    """The ids of the users who saved a version of ``agreements`` (a queryset), as a subquery:
    whom a search of their history can find changes by (the admin's "Diubah oleh")."""
    return HistoricalAgreement.objects.filter(
        id__in=agreements.order_by().values("pk"), history_user__isnull=False
    ).values("history_user_id")


def history(agreements, *, public=True):
    """The history records of ``agreements`` (a queryset), newest first, each annotated with
    ``previous_id``: the version before it (one query when read), and ``next_date``: when the
    version after it was saved, if any (its rows are those saved up to then). Deletions are left
    out.

    With ``public``, only the versions saved while the agreement was public: what the public
    may read of the history of a record published later.

    Each carries ``visibility_now``, the agreement's visibility as it stands (read in the same
    query): a reader of internal records reads each entry of an internal record marked so
    (``Entry.visibility``), as the list marks its rows. The public reads no such entry:
    ``agreements`` is what it may see, records public today.
    """
    before = HistoricalAgreement.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    records = HistoricalAgreement.objects.all()
    if public:
        records = records.filter(visibility=AgreementVisibility.PUBLIC)
    return (
        records.filter(id__in=agreements.order_by().values("pk"))
        .exclude(history_type="-")
        .annotate(
            previous_id=Subquery(
                before.order_by("-history_date", "-history_id").values("history_id")[:1]
            ),
            next_date=next_version_date(),
            visibility_now=Subquery(
                Agreement.objects.filter(pk=OuterRef("id")).values("visibility")[:1]
            ),
        )
        .annotate(
            history_role=_role_of(OuterRef("history_user_id")),
            set_off_by_role=_role_of(OuterRef("history_set_off_by_id")),
        )
        .select_related("lead_region", "history_user", "history_set_off_by")
        .order_by("-history_date", "-history_id")
    )


def next_version_date():
    """When the version after the outer history record of an agreement was saved (whoever may
    read it), as a subquery; None for its latest version."""
    after = HistoricalAgreement.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return Subquery(after.order_by("history_date", "history_id").values("history_date")[:1])


# A person holding several roles acted in the widest of them.
ROLE_ORDER = (Role.ADMINISTRATOR, Role.EDITOR, Role.ANALYST, Role.OFFICIAL)


def _role_of(user_id):
    """The name of the widest role group of the user ``user_id``, as a subquery."""
    groups = Group.objects.filter(user=user_id, name__in=Role.values)
    rank = Case(
        *(When(name=role.value, then=Value(n)) for n, role in enumerate(ROLE_ORDER)),
        output_field=IntegerField(),
    )
    return Subquery(groups.order_by(rank).values("name")[:1])


def reads_public_history(user):
    """Whether ``user`` reads the history as the public does (``history(..., public=True)``):
    the same rule as ``Agreement.objects.visible_to``, read from it."""
    return Agreement.objects.visible_to(user).query.has_filters()


def _parties(records):
    """{history_id: {field: sorted names}} for the parties, sectors and implementing agencies,
    each named as the status page names it (three queries: the regions, the partners, and the
    sectors with the agencies read together)."""
    ids = [record.history_id for record in records]
    found = defaultdict(dict)
    names = defaultdict(lambda: defaultdict(list))
    for rows in (
        _names_of("regions", ids),
        _names_of("partners", ids),
        _names_of("sectors", ids).union(_names_of("agencies", ids), all=True),
    ):
        for history_id, name, label, other in rows:
            if label is None:
                continue
            if name == "sectors":
                label = pick_language(label, other)  # as ``Sector.name``
            elif other:
                label = f"{label} ({other})"  # as ``Agency.label``
            names[history_id][name].append(label)
    for history_id in ids:
        for name in MANY:
            found[history_id][name] = sorted(names[history_id].get(name, []))
    return found


def _names_of(name, ids):
    """(history id, field, name, other) of each row of the many-to-many field ``name`` of the
    versions ``ids``: a sector's Indonesian name and its English one, an agency's name and its
    short form, a region's or a partner's name and nothing."""
    target = MANY[name]
    label, other = {
        "sectors": (F("sector__name_id"), F("sector__name_en")),
        "agencies": (F("agency__name"), F("agency__short_name")),
    }.get(name, (F(f"{target}__name"), Value("")))
    return (
        _many_model(name)
        .objects.filter(history_id__in=ids)
        .annotate(
            field_name=Value(name, output_field=CharField()),
            label=Cast(label, output_field=CharField()),
            other=Cast(other, output_field=CharField()),
        )
        .values_list("history_id", "field_name", "label", "other")
        .order_by()
    )


def _many_model(name):
    return HistoricalAgreement._meta.get_field(f"historicalagreement_{name}").related_model


def _shown(record, name, parties=None):
    """The value of field ``name`` of a history record (of an agreement or of one of its rows)
    as the status page words it."""
    if name in MANY:
        return ", ".join(parties[record.history_id][name]) or "—"
    if name == "lead_region":
        return record.lead_region.name if record.lead_region_id else "—"
    if name == "follows":
        return str(record.follows_id or "—")
    value = getattr(record, name)
    if value in (None, ""):
        return "—"
    model_field = record._meta.get_field(name)
    if model_field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if hasattr(value, "isoformat"):
        # As precisely as it is known: "Desember 2023", not the 1st it is stored as.
        return str(KnownDate(value, getattr(record, f"{name}_precision", DatePrecision.DAY)))
    if isinstance(record.instance_type._meta.get_field(name), FileField):
        # The file as it was uploaded, not its folder; the history keeps its stored name as
        # text (simple-history's own field is no FileField).
        return posixpath.basename(str(value))
    return str(value)


def part_changes(records, parts):
    """{history id: [FieldChange]}: what changed in the rows of kinds ``parts`` (``PARTS``)
    saved with each of ``records`` (history records of agreements, from ``history``).

    A version's rows are those whose history falls between it and the next version of its
    agreement (``next_date``), each compared with its state before the version: changed field
    by field, added or removed. A row removed and one added under the same name in one version
    (the import writes an agreement's signatories and contact persons anew) are one row changed.

    Queries: one per kind of row, the history of those rows of the agreements up to the last
    version read; none without records.
    """
    windows = defaultdict(list)  # agreement id: [(from, until or None, history id)]
    for record in records:
        windows[record.id].append((record.history_date, record.next_date, record.history_id))
    if not windows or not parts:
        return {}
    ends = [until for spans in windows.values() for _start, until, _id in spans]
    latest = None if None in ends else max(ends)
    found = defaultdict(list)
    for name in parts:
        part = PARTS[name]
        rows = part.history.objects.filter(agreement_id__in=list(windows))
        if latest is not None:
            rows = rows.filter(history_date__lt=latest)
        kept = defaultdict(lambda: defaultdict(list))  # agreement: row: its versions, in order
        for row in rows.order_by("history_date", "history_id"):
            kept[row.agreement_id][row.id].append(row)
        for agreement_id, spans in windows.items():
            for start, until, history_id in spans:
                found[history_id].extend(
                    _rows_changed(name, part, kept[agreement_id].values(), start, until)
                )
    return found


def _rows_changed(name, part, versions_of_rows, start, until):
    """The changes of one kind of row of an agreement saved from ``start`` until ``until``."""
    before, after = {}, {}
    for versions in versions_of_rows:
        inside = [v for v in versions if v.history_date >= start and _before(v, until)]
        if not inside:
            continue
        earlier = [v for v in versions if v.history_date < start]
        state = earlier[-1] if earlier and earlier[-1].history_type != "-" else None
        if state is not None:
            before[state.id] = state
        if inside[-1].history_type != "-":
            after[inside[-1].id] = inside[-1]
    removed = [before[key] for key in before if key not in after]
    added = [after[key] for key in after if key not in before]
    pairs = [(before[key], after[key]) for key in before if key in after]
    # Written anew under the same name: the same row, changed.
    for old in list(removed):
        twin = next((new for new in added if part.name_of(new) == part.name_of(old)), None)
        if twin is not None:
            removed.remove(old)
            added.remove(twin)
            pairs.append((old, twin))
    changes = []
    topic = part.label
    label = capfirst(part.label)
    for old in removed:
        changes.append(FieldChange(name, label, part.name_of(old), "—", topic))
    for old, new in sorted(pairs, key=lambda pair: pair[1].id):
        for field_name in part.fields:
            was, now = _shown(old, field_name), _shown(new, field_name)
            if was != now:
                row_label = _("%(part)s ‘%(name)s’, %(field)s") % {
                    "part": label,
                    "name": part.name_of(new),
                    "field": part.model._meta.get_field(field_name).verbose_name,
                }
                changes.append(FieldChange(name, row_label, was, now, topic))
    for new in sorted(added, key=lambda row: row.id):
        changes.append(FieldChange(name, label, "—", part.name_of(new), topic))
    return changes


def _before(row, until):
    return until is None or row.history_date < until


def entries(records, *, fields=None, public=True):
    """The change-log entries of ``records`` (history records from ``history``), in order: one
    for each.

    Each is compared with the version before it on ``fields``, the rows saved with it included
    (``part_changes``); one that changed none of them is "saved". By default, what the reader
    is shown: ``PUBLIC_FIELDS``, and for a reader of internal records (not ``public``) its
    visibility too (``INTERNAL_READER_FIELDS``). With ``public``, a version whose predecessor
    was internal is the first the public may see: it is shown as published, without what it
    was before.

    Queries: the versions before, the parties and sectors of all (three), and the history of
    each kind of row among ``fields`` (none when no version is compared): however many records
    (the roles come with the records, ``history``).
    """
    if fields is None:
        fields = PUBLIC_FIELDS if public else INTERNAL_READER_FIELDS
    records = list(records)
    previous_ids = {record.previous_id for record in records if record.previous_id}
    previous = {
        record.history_id: record
        for record in HistoricalAgreement.objects.filter(
            history_id__in=previous_ids
        ).select_related("lead_region")
    }
    parties = _parties([*records, *previous.values()])
    kinds = {}
    for record in records:
        before = previous.get(record.previous_id)
        if before is None:
            kinds[record.history_id] = "created"
        elif public and before.visibility != AgreementVisibility.PUBLIC:
            kinds[record.history_id] = "published"
        else:
            kinds[record.history_id] = "changed"
    rows_changed = part_changes(
        [record for record in records if kinds[record.history_id] == "changed"],
        [name for name in fields if name in PARTS],
    )
    shown = []
    for record in records:
        if kinds[record.history_id] != "changed":
            shown.append(Entry(record, kinds[record.history_id]))
            continue
        before = previous[record.previous_id]
        changes = []
        for name in fields:
            if name in PARTS:
                continue
            old, new = _shown(before, name, parties), _shown(record, name, parties)
            if old != new:
                label = field_label(name)
                changes.append(FieldChange(name, label, old, new, label))
        changes.extend(rows_changed.get(record.history_id, []))
        shown.append(Entry(record, "changed" if changes else "saved", changes))
    return shown
