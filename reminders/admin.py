from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from agreements.filters import AgreementFilter
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
    """Readers' followed selections, to answer "why did I get this mail?" (and why not: a
    selection the list refuses now is mailed no more, ``follow.plan``, said here as on the
    reader's ``/ikuti/``).

    Whose it is and what it selects are the reader's, made from the list (``FollowView``):
    read only here. A query typed here was saved as it was typed, which the list may refuse (a
    misspelt parameter: never mailed, with no word) or read as another selection than its name
    says, mailed under that name; nor was it told what it held when followed, so its first
    digest missed what left it. Staff set how often and in which language it is mailed, or
    delete it."""

    list_display = ["user", "name", "frequency", "language", "covered_until"]
    list_filter = ["frequency", "language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "name"]
    readonly_fields = ["user", "query", "name", "problems", "created_at"]
    fields = [
        "user",
        "query",
        "name",
        "problems",
        "frequency",
        "language",
        "created_at",
        "covered_until",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("dapat dibaca"))
    def problems(self, subscription):
        """Whether the list reads its selection now for its reader, else why not."""
        found = AgreementFilter.problems_of([subscription.query], subscription.user)
        if subscription.query not in found:
            return _("Ya")
        return format_html(
            "{}<ul>{}</ul>",
            _("Tidak: ringkasannya tidak dikirim."),
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (
                        f"{problem['label']}: {problem['message']}"
                        if problem["label"]
                        else problem["message"],
                    )
                    for problem in found[subscription.query]
                ),
            ),
        )
