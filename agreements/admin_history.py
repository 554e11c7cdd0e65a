"""The agreements' history in the admin: each agreement's history page, and the search across
all agreements by person, date range, field and value.

The search answers "who changed this agreement's status last week, and from what": each row is
one field changed in one saved version, with the person and role who saved it and the value
before and after, read through ``agreements.changelog`` (every field, names shown: this is
staff's own record of their work). An agreement's history page tells, beside its fields, what
changed in the rows saved with each version (steps, signatories, documents, contact persons),
read through the same module.
"""

import contextlib

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agreements import changelog
from agreements.dates import KnownDate
from common.one_value import OneValueEach
from common.parameters import KnownParameters

# Versions read per search, newest first; the page says when a search reached it.
SEARCH_LIMIT = 200

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HistorySearchForm(OneValueEach, KnownParameters, forms.Form):
    """The history search, each field given once (``OneValueEach``): a field given twice was
    searched by the last of its values; and nothing but its fields (``KnownParameters``): a
    field misspelt in an address (``?agremeent=MoU``) searched the whole history."""

    agreement = forms.CharField(
        label=_("Kerja sama"),
        required=False,
        max_length=200,
        help_text=_("Sebagian judul atau nomor naskah."),
    )
    person = forms.ModelChoiceField(
        label=_("Diubah oleh"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=_("Siapa saja"),
    )
    date_from = forms.DateField(label=_("Sejak tanggal"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False, widget=DATE)
    field = forms.ChoiceField(label=_("Isian"), required=False)
    value = forms.CharField(
        label=_("Nilai"),
        required=False,
        max_length=200,
        help_text=_("Sebagian nilai sebelum atau sesudah perubahan, mis. “Berlaku”."),
    )

    def __init__(self, *args, agreements, **kwargs):
        """``agreements``: those the reader's search reads (an editor's, their regions'); the
        people offered are those who changed one of them (``changelog.changed_by``)."""
        super().__init__(*args, **kwargs)
        self.known_parameters = {self.add_prefix(name) for name in self.fields}
        self.fields["person"].queryset = (
            get_user_model()
            .objects.filter(pk__in=changelog.changed_by(agreements))
            .order_by("username")
        )
        self.fields["field"].choices = [("", _("Semua isian")), *changelog.field_choices()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("Tanggal awal harus sebelum tanggal akhir."))
        return cleaned


def search(agreements, form):
    """(rows, reached the limit): one row per matching field change, newest first.

    Queries: the versions (with person and role), the versions before them, their parties and
    sectors, and the history of each kind of row searched (steps, signatories, documents,
    contact persons): at most nine, however many rows.
    """
    data = form.cleaned_data
    if data["agreement"]:
        agreements = agreements.filter(title__icontains=data["agreement"]) | agreements.filter(
            reference__icontains=data["agreement"]
        )
    records = changelog.history(agreements, public=False)
    if data["person"]:
        records = records.filter(history_user=data["person"])
    if data["date_from"]:
        records = records.filter(history_date__date__gte=data["date_from"])
    if data["date_to"]:
        records = records.filter(history_date__date__lte=data["date_to"])
    fields = [data["field"]] if data["field"] else changelog.FULL_FIELDS
    records = list(records[:SEARCH_LIMIT])
    wanted = searched_texts(data["value"])
    rows = []
    for entry in changelog.entries(records, fields=fields, public=False):
        for change in entry.changes:
            old, new = change.old.casefold(), change.new.casefold()
            if wanted and not any(text in old or text in new for text in wanted):
                continue
            rows.append({"entry": entry, "change": change})
    return rows, len(records) == SEARCH_LIMIT


def searched_texts(value):
    """What the history search looks for in a change's values, casefolded: ``value`` as typed,
    and, typed as the admin's forms take a date ("14/01/2031", "01/2031", "2031-01-14"),
    that date as the history writes it ("14 Januari 2031", ``KnownDate``). Empty: anything."""
    if not value:
        return []
    texts = [value.casefold()]
    # Not a date, or one of a year the register does not hold: the value as typed alone.
    with contextlib.suppress(ValueError):
        texts.append(str(KnownDate.parse(value, typed=True)).casefold())
    return texts


class AgreementHistoryMixin:
    """The agreements' ModelAdmin: its history page tells what changed in the rows saved with
    each version, and ``history-search/`` is linked from its list."""

    history_search_template = "admin/agreements/history_search.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "history-search/",
                self.admin_site.admin_view(self.history_search_view),
                name="{}_{}_history_search".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "history_search_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_history_search",
                current_app=self.admin_site.name,
            ),
        }
        return super().changelist_view(request, extra_context)

    def history_search_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        agreements = self.get_queryset(request)
        form = HistorySearchForm(request.GET or None, agreements=agreements)
        rows, limited, status = [], False, 200
        if form.is_bound:
            if form.is_valid():
                rows, limited = search(agreements, form)
            else:
                status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Cari riwayat perubahan"),
            "form": form,
            "rows": rows,
            "limited": limited,
            "limit": SEARCH_LIMIT,
        }
        return TemplateResponse(request, self.history_search_template, context, status=status)

    # -- one agreement's history page (simple-history's) ----------------------------------------

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # When each version's successor was saved: its rows are those saved up to then; and
        # whose save set off a version the register wrote (``SetOffBy``), read with it.
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .annotate(next_date=changelog.next_version_date())
            .select_related("history_set_off_by")
        )

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each version's changes in words (``common.admin.ReadableChanges``), then those of
        its rows (``changelog.part_changes``: one query per kind of row)."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        changed = [record for record in historical_records if record.history_type == "~"]
        parts = [name for name in changelog.FULL_FIELDS if name in changelog.PARTS]
        rows = changelog.part_changes(changed, parts)
        for record in changed:
            record.history_delta_changes = [
                *getattr(record, "history_delta_changes", []),
                *(
                    {"field": capfirst(change.label), "old": change.old, "new": change.new}
                    for change in rows.get(record.history_id, [])
                ),
            ]
