from django.contrib import admin

from common.admin import SoundInputOnly

from .models import Notice, ReminderPreference, Subscription


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(SoundInputOnly, admin.ModelAdmin):
    list_display = ["user", "language", "active"]
    list_filter = ["language", "active"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Notice)
class NoticeAdmin(SoundInputOnly, admin.ModelAdmin):
    """The log of reminders, to answer "was I told?"; written only by ``send_reminders``."""

    list_display = ["user", "threshold", "agreement", "milestone", "on_date", "sent_at"]
    list_filter = ["threshold", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "agreement", "milestone"]
    search_fields = ["user__username", "agreement__title", "milestone__title"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(SoundInputOnly, admin.ModelAdmin):
    """Readers' followed selections, to answer "why did I get this mail?"."""

    list_display = ["user", "name", "frequency", "language", "covered_until"]
    list_filter = ["frequency", "language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "name"]
    readonly_fields = ["created_at"]
