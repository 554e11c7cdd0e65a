"""Row rules in the admin, and the regions assigned to editors.

``RowRulesAdmin`` holds an editor to the rows of their own regions on every admin surface: the
list, the change, delete and history pages, the bulk actions, the import and the autocompletes
that offer rows of its model. The rows come from the model's ``QuerySet.editable_by(user)``; one
object is checked with its ``is_editable_by(user)`` (and, for deleting, its
``is_deletable_by(user)`` where the model has one).
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from access.models import RegionAssignment, WorkSetting, is_editor
from common.admin import BoundedInline, SoundInputOnly
from common.admin_markup import LabelledTabularInline


def autocomplete_source(request):
    """``(app_label, model_name, field_name)`` of the form field an admin autocomplete request
    fills, or None when ``request`` is not one."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return None
    return (
        request.GET.get("app_label"),
        request.GET.get("model_name"),
        request.GET.get("field_name"),
    )


class RowRulesAdmin:
    """Editors work on the rows of their regions only; any other row is not found (404).

    Officials and analysts see every row, read-only (their Django permissions are view-only);
    administrators see and change everything. The model's QuerySet has ``editable_by(user)`` and
    its objects ``is_editable_by(user)``.
    """

    def narrows_rows(self, request):
        """Whether this user's admin holds only the rows they may change."""
        return is_editor(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.narrows_rows(request):
            queryset = queryset.editable_by(request.user)
        return queryset

    def get_object(self, request, object_id, from_field=None):
        # Django answers a row missing from the queryset with a redirect to the admin index; for
        # an editor that row is another region's, and it does not exist for them.
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self.narrows_rows(request):
            raise Http404(_("Data ini tidak ditemukan."))
        return obj

    def _not_found_unless_theirs(self, request, object_id):
        if not self.narrows_rows(request):
            return
        try:
            found = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            raise Http404(_("Data ini tidak ditemukan."))

    def history_view(self, request, object_id, extra_context=None):
        self._not_found_unless_theirs(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._not_found_unless_theirs(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _may_touch(self, request, obj):
        return obj is None or obj.is_editable_by(request.user)

    def _may_delete(self, request, obj):
        """Deleting may reach further than changing (an agency is taken off every agreement it
        carries out): a model whose rows say so has ``is_deletable_by(user)``."""
        if obj is None:
            return True
        return getattr(obj, "is_deletable_by", obj.is_editable_by)(request.user)

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return not self.narrows_rows(request) or self._may_touch(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_delete(request, obj)


class RegionAssignmentInline(BoundedInline, LabelledTabularInline):
    model = RegionAssignment
    extra = 1
    autocomplete_fields = ["region"]
    verbose_name = _("daerah yang disunting")
    verbose_name_plural = _("daerah yang disunting (untuk peran Editor)")


class WorkSettingInline(BoundedInline, admin.StackedInline):
    model = WorkSetting
    can_delete = False
    verbose_name_plural = _("pengaturan kerja")


# A model's own permissions, named in the reader's language. Django stores a permission's name
# once, in the language of the migration that made it ("Can add penugasan daerah"); the page
# names it again from its action and its model.
PERMISSION_ACTIONS = {
    "add": _("Dapat menambah %(name)s"),
    "change": _("Dapat mengubah %(name)s"),
    "delete": _("Dapat menghapus %(name)s"),
    "view": _("Dapat melihat %(name)s"),
}


def permission_label(permission):
    """``app | model | what it allows``, each in the reader's language; a permission that is not
    one of a model's own four as it is stored."""
    content_type = permission.content_type
    model = content_type.model_class()
    action, _underscore, model_name = permission.codename.partition("_")
    if model is None or action not in PERMISSION_ACTIONS or model_name != content_type.model:
        return str(permission)
    model_name = model_label(model)
    name = PERMISSION_ACTIONS[action] % {"name": model_name}
    return f"{model._meta.app_config.verbose_name} | {model_name} | {name}"


def model_label(model):
    """A model's name in the reader's language; a history table as the history of what it
    keeps. django-simple-history names its tables "historical …" in every language, and the
    history of a many-to-many field after its class ("HistoricalAgreement_regions")."""
    kept = getattr(model, "instance_type", None)
    if kept is None:
        return model._meta.verbose_name
    owner = kept._meta.auto_created
    if owner:
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is kept)
        return _("riwayat %(field)s %(model)s") % {
            "field": field.verbose_name,
            "model": owner._meta.verbose_name,
        }
    return _("riwayat %(name)s") % {"name": kept._meta.verbose_name}


class PermissionsInReadersLanguage:
    """The permission lists of a user's or a role's form, each permission in the reader's
    language."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class RegisterUserAdmin(PermissionsInReadersLanguage, SoundInputOnly, UserAdmin):
    """Users with their roles (groups) and, for editors, the regions they edit for."""

    inlines = [*UserAdmin.inlines, RegionAssignmentInline, WorkSettingInline]


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(PermissionsInReadersLanguage, SoundInputOnly, GroupAdmin):
    """The roles (``setup_roles``), answering bad input as every list of the admin does."""


@admin.register(RegionAssignment)
class RegionAssignmentAdmin(SoundInputOnly, admin.ModelAdmin):
    list_display = ["user", "region"]
    list_select_related = ["user", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "region__name"]
    autocomplete_fields = ["user", "region"]


# The login records of django-axes, answering bad input as every list of the admin does: an
# address that is none typed into ``?ip_address=``, or a year past the calendar, was a database
# error. Registered again only where django-axes registered them (``AXES_ENABLE_ADMIN``).


class AttemptsAdmin(SoundInputOnly, AccessAttemptAdmin):
    pass


class LoginsAdmin(SoundInputOnly, AccessLogAdmin):
    pass


class FailedLoginsAdmin(SoundInputOnly, AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (AccessAttempt, AttemptsAdmin),
    (AccessLog, LoginsAdmin),
    (AccessFailureLog, FailedLoginsAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
