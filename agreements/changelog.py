"""The change log: what changed in an agreement, when, from what to what, and in which role.

Read from the agreements' change history (simple-history): each saved version is compared with
the one before it, field by field. The public sees only the fields the status page shows
(``PUBLIC_FIELDS``), only versions saved while the agreement was public, and the role of whoever
changed it, never their name; staff searching the history in the admin see every field and the
person (``FULL_FIELDS``, ``Entry.person``).

``entries`` turns a page of history records into entries in a fixed number of queries: the
versions before them and the parties and sectors of both (one query each).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.models import Role
from agreements.dates import DatePrecision, KnownDate
from agreements.models import Agreement, AgreementVisibility

HistoricalAgreement = Agreement.history.model

# What the status page shows about an agreement, in the order it shows it. Left out: the
# visibility (that a record was internal is itself internal), "follows" and its "relation" (they
# may name an internal agreement, or tell that there is one), the version and the time stamps
# (bookkeeping).
PUBLIC_FIELDS = (
    "title",
    "reference",
    "kind",
    "scope",
    "status",
    "lead_region",
    "regions",
    "partners",
    "sectors",
    "summary",
    "proposed_on",
    "signed_on",
    "in_force_from",
    "expires_on",
    "source_url",
)
# What staff may search the history by: the public fields and the ones kept from the public.
FULL_FIELDS = (*PUBLIC_FIELDS, "visibility", "follows", "relation")

MANY = {"regions": "region", "partners": "partner", "sectors": "sector"}

# The status page shows the latest versions; /perubahan/ pages through all of them.
STATUS_PAGE_LENGTH = 20

NO_ONE = gettext_lazy("sistem (impor atau perintah)")


def field_label(name):
    return str(Agreement._meta.get_field(name).verbose_name)


def field_choices(fields=FULL_FIELDS):
    """(name, label) of ``fields``, for a form's select."""
    return [(name, field_label(name).capitalize()) for name in fields]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One saved version of an agreement, as the change log shows it."""

    record: object  # the history record
    kind: str  # "created", "published" (first version the public may see) or "changed"
    changes: list = field(default_factory=list)

    @property
    def when(self):
        return self.record.history_date

    @property
    def agreement_id(self):
        return self.record.id

    @property
    def title(self):
        return self.record.title

    @property
    def person(self):
        """Who saved it (staff only: the public sees ``role``)."""
        user = self.record.history_user
        return user.get_username() if user else None

    @property
    def role(self):
        """The role in which the version was saved, never the person (``history_role``)."""
        user = self.record.history_user
        if user is None:
            return str(NO_ONE)
        if self.record.history_role:
            return str(Role(self.record.history_role).label)
        return str(Role.ADMINISTRATOR.label) if user.is_superuser else _("staf biro")

    @property
    def field_names(self):
        return [change.field for change in self.changes]


def history(agreements, *, public=True):
    """The history records of ``agreements`` (a queryset), newest first, each annotated with
    ``previous_id``: the version before it (one query when read). Deletions are left out.

    With ``public``, only the versions saved while the agreement was public: what the public
    may read of the history of a record published later.
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
            )
        )
        .annotate(history_role=_role_of(OuterRef("history_user_id")))
        .select_related("lead_region", "history_user")
        .order_by("-history_date", "-history_id")
    )


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
    """{history_id: {field: sorted names}} for the parties and sectors (three queries)."""
    ids = [record.history_id for record in records]
    found = defaultdict(dict)
    for name, target in MANY.items():
        rows = _many_model(name).objects.filter(history_id__in=ids).select_related(target)
        names = defaultdict(list)
        for row in rows:
            item = getattr(row, target)
            if item is not None:
                names[row.history_id].append(str(item.name))
        for history_id in ids:
            found[history_id][name] = sorted(names.get(history_id, []))
    return found


def _many_model(name):
    return HistoricalAgreement._meta.get_field(f"historicalagreement_{name}").related_model


def _shown(record, name, parties):
    """The value of field ``name`` of a history record as the status page words it."""
    if name in MANY:
        return ", ".join(parties[record.history_id][name]) or "—"
    if name == "lead_region":
        return record.lead_region.name if record.lead_region_id else "—"
    if name == "follows":
        return str(record.follows_id or "—")
    value = getattr(record, name)
    if value in (None, ""):
        return "—"
    model_field = HistoricalAgreement._meta.get_field(name)
    if model_field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if hasattr(value, "isoformat"):
        # As precisely as it is known: "Desember 2023", not the 1st it is stored as.
        return str(KnownDate(value, getattr(record, f"{name}_precision", DatePrecision.DAY)))
    return str(value)


def entries(records, *, fields=PUBLIC_FIELDS, public=True):
    """The change-log entries of ``records`` (history records from ``history``), in order.

    Each is compared with the version before it on ``fields``; a version that changed none of
    them is left out. With ``public``, a version whose predecessor was internal is the first
    the public may see: it is shown as published, without what it was before.

    Queries: the versions before, and the parties and sectors of all (three): four, however
    many records (the roles come with the records, ``history``).
    """
    records = list(records)
    previous_ids = {record.previous_id for record in records if record.previous_id}
    previous = {
        record.history_id: record
        for record in HistoricalAgreement.objects.filter(
            history_id__in=previous_ids
        ).select_related("lead_region")
    }
    parties = _parties([*records, *previous.values()])
    shown = []
    for record in records:
        before = previous.get(record.previous_id)
        if before is None:
            shown.append(Entry(record, "created"))
            continue
        if public and before.visibility != AgreementVisibility.PUBLIC:
            shown.append(Entry(record, "published"))
            continue
        changes = []
        for name in fields:
            old, new = _shown(before, name, parties), _shown(record, name, parties)
            if old != new:
                changes.append(FieldChange(name, field_label(name), old, new))
        if changes:
            shown.append(Entry(record, "changed", changes))
    return shown
