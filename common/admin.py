"""The admin base every app's admin builds on: a record's history in words, no restoring of
past versions, and links typed without a scheme taken as https."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import formats
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from common.admin_markup import ValidAutocompletes

EMPTY = "—"


class ReadableChanges(HistoricalRecordContextHelper):
    """Word a recorded change the way the form shows it.

    A choice appears as its label and a date in the reader's format, so the history reads
    "Berlaku → Berakhir" rather than "in_force → expired"; an empty value is a dash; the parties
    of a many-to-many field are listed alphabetically.
    """

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return EMPTY
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.date):
            return formats.localize(value)
        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, list):  # many-to-many: the related objects, alphabetically
            return sorted(value, key=str)
        return value


# A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class HistoryAdmin(ValidAutocompletes, SimpleHistoryAdmin):
    """Every change recorded per record, with who made it, when, and what changed (in words).

    A past version can be read but not restored from its history page: restoring would save
    past the checks of the change form (the agreement's version, its milestones and documents).
    Staff change the current record instead.
    """

    formfield_overrides = URL_FIELDS
    object_history_list_template = "admin/history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
