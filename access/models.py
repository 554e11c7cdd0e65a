"""Who may see and change what.

Four roles, as Django groups (created by ``manage.py setup_roles``):

- **Editor** (bureau staff): creates and changes agreements whose lead region is one of the
  regions assigned to them; a province's editor also covers its regencies and cities.
- **Pejabat** (officials): see internal records, change nothing.
- **Analis** (analysts): see internal records and may export them.
- **Administrator**: everything (as does a Django superuser).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import Region


class Role(models.TextChoices):
    EDITOR = "Editor", _("Editor (staf biro)")
    OFFICIAL = "Pejabat", _("Pejabat (hanya melihat)")
    ANALYST = "Analis", _("Analis (boleh mengekspor data internal)")
    ADMINISTRATOR = "Administrator", _("Administrator")


class TimeZone(models.TextChoices):
    """Indonesia's three time zones, by the names officials use."""

    WIB = "Asia/Jakarta", _("WIB (Waktu Indonesia Barat, UTC+7)")
    WITA = "Asia/Makassar", _("WITA (Waktu Indonesia Tengah, UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (Waktu Indonesia Timur, UTC+9)")


# Provinces (Kemendagri codes) that keep WITA or WIT; every other province keeps WIB.
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})


def time_zone_of_region(code):
    """The zone of the region with Kemendagri code ``code`` (``64.72`` keeps its province's)."""
    province = code.split(".")[0]
    if province in WIT_PROVINCES:
        return TimeZone.WIT
    if province in WITA_PROVINCES:
        return TimeZone.WITA
    return TimeZone.WIB


class WorkSetting(models.Model):
    """How one user works in the register: the time zone their times are shown in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="work_setting",
        verbose_name=_("pengguna"),
    )
    time_zone = models.CharField(
        _("zona waktu"),
        max_length=20,
        choices=TimeZone.choices,
        blank=True,
        help_text=_("Kosongkan untuk memakai zona waktu daerah yang ditugaskan."),
    )

    class Meta:
        verbose_name = _("pengaturan kerja")
        verbose_name_plural = pgettext_lazy("jamak", "pengaturan kerja")
        constraints = [
            models.CheckConstraint(
                condition=Q(time_zone="") | Q(time_zone__in=TimeZone.values),
                name="work_setting_time_zone_valid",
            ),
        ]

    def __str__(self):
        return str(self.user)


def time_zone_for(user):
    """The zone ``user``'s times are shown in: the one they chose, else that of the first region
    they edit for, else the register's own (``TIME_ZONE``). Two queries at most; read once a
    session (``access.middleware``)."""
    chosen = WorkSetting.objects.filter(user=user).values_list("time_zone", flat=True).first()
    if chosen:
        return chosen
    assignment = (
        RegionAssignment.objects.filter(user=user).select_related("region").order_by("pk").first()
    )
    if assignment is not None:
        return time_zone_of_region(assignment.region.code).value
    return settings.TIME_ZONE


def role_names(user):
    """The role group names of ``user``; cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_coopdb_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._coopdb_roles = cached
    return cached


def is_administrator(user):
    return user.is_authenticated and (user.is_superuser or Role.ADMINISTRATOR in role_names(user))


def can_see_internal(user):
    """Officials, analysts, editors, administrators and the bureau's staff read internal
    records; the public not. The one rule every page, count and report asks
    (``AgreementQuerySet.visible_to``)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or bool(role_names(user)))
    )


def can_export_internal(user):
    return (
        user.is_authenticated
        and user.is_active
        and (is_administrator(user) or Role.ANALYST in role_names(user))
    )


def exports_leave_out_internal(user):
    """Whether ``user`` reads internal records on a page but downloads it without them (an
    official, an editor): what every download link and the JSON export say."""
    return can_see_internal(user) and not can_export_internal(user)


def is_editor(user):
    """An editor held to their regions (an administrator who is also an editor is not)."""
    # The superuser check first: it needs no query.
    return not is_administrator(user) and Role.EDITOR in role_names(user)


class RegionAssignmentQuerySet(models.QuerySet):
    def regions_for(self, user):
        """Every region ``user`` edits for: assigned ones plus the members of assigned provinces."""
        assigned = self.filter(user=user).values("region_id")
        return Region.objects.filter(Q(pk__in=assigned) | Q(province_id__in=assigned))


class RegionAssignment(models.Model):
    """An editor's region. A province covers its regencies and cities."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="region_assignments",
        verbose_name=_("pengguna"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("daerah")
    )

    objects = RegionAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("penugasan daerah")
        verbose_name_plural = pgettext_lazy("jamak", "penugasan daerah")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="region_assignment_unique"),
        ]

    def __str__(self):
        return f"{self.user} → {self.region}"


def editable_regions(user):
    """The regions whose agreements ``user`` may create and change (all, for administrators)."""
    if is_administrator(user):
        return Region.objects.all()
    if not is_editor(user):
        return Region.objects.none()
    return RegionAssignment.objects.regions_for(user)


def may_edit_region(user, region_id):
    """Whether ``user`` may change the records of region ``region_id`` (``editable_regions``).

    For checking one object after another (the admin's object permissions, every row of an
    import): an editor's region ids are read once (one query) and kept on the user object for
    the request.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if is_administrator(user):
        return True
    if not is_editor(user):
        return False
    return region_id in editable_region_ids(user)


def editable_region_ids(user):
    """The ids of ``editable_regions(user)``, read once and kept on the user object for the
    request. Rows filtered by these ids (rather than by a subquery) let the database see how
    few an editor has."""
    cached = getattr(user, "_coopdb_editable_region_ids", None)
    if cached is None:
        cached = frozenset(editable_regions(user).values_list("pk", flat=True))
        user._coopdb_editable_region_ids = cached
    return cached


def access_key(user):
    """Everything about ``user`` that decides what the admin shows them, as one text: who they
    are (the header names them), their standing, and what they may see and change: their
    permissions, roles and, for an editor, regions. A page cached under it is never shown to
    anyone else, nor to the same user once any of that changed.

    An active superuser may do everything, whatever their groups and permissions say: nothing
    more to read. Anyone else costs the queries the admin makes of them anyway (permissions,
    roles, regions), each once a request.
    """
    standing = (user.pk, user.get_username(), user.first_name, user.last_name)
    flags = (user.is_active, user.is_staff, user.is_superuser)
    if user.is_active and user.is_superuser:
        return repr((standing, flags))
    regions = sorted(editable_region_ids(user)) if is_editor(user) else []
    permissions = sorted(user.get_all_permissions())
    return repr((standing, flags, sorted(role_names(user)), permissions, regions))
