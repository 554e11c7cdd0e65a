"""Import agreements in the admin: upload → preview → confirm.

The preview writes nothing but the uploaded file, kept as an ``ImportPreview`` in the database
under a random id with the user who uploaded it, so that any app server can confirm it, for an
hour (``PREVIEW_LIFETIME``). Rows that look like a stored agreement ask, in the preview, whether
to update that agreement or create a new one; the confirm carries the answers. Confirming reads
the file again and ``AgreementImport.apply`` writes all of it in one transaction, or nothing.
"""

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agreements.import_previews import ImportPreview
from agreements.imports import (
    ACTION_LABELS,
    CREATE,
    DECIDE_CREATE,
    DECIDE_UPDATE,
    REJECT,
    UNCHANGED,
    UPDATE,
    AgreementImport,
    ImportFileError,
)
from agreements.models import Agreement, imported_from
from common.admin import written_again_when_met
from common.one_value import one_value

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 500  # rows listed besides the rejected ones, which are always all listed
TABLE_ACTION_LABELS = {
    action: ACTION_LABELS[action] for action in (CREATE, UPDATE, UNCHANGED, REJECT)
}
DECISION_FIELD = "decide-%d"  # one per row that looks like a stored agreement
# One answer for every such row the reader did not answer on its own: a file of thousands of
# them is confirmed in one field, where one per row would pass the fields a POST may hold
# (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) and be refused unread (``import_agreements --duplicates``).
DECISION_FOR_ALL_FIELD = "decide-all"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas"),
        help_text=gettext_lazy(
            "CSV (UTF-8), XLSX atau JSON dengan kolom yang sama dengan ekspor; lihat kamus data."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".json")):
            raise forms.ValidationError(_("Unggah berkas .csv, .xlsx atau .json."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (paling besar %(mb)d MB).")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class AgreementImportMixin:
    """Adds ``import/`` to a ModelAdmin of ``Agreement`` (and an Import button, through
    ``templates/admin/agreements/agreement/change_list.html``)."""

    import_template = "admin/agreements/import_form.html"
    preview_template = "admin/agreements/import_preview.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if self.has_import_permission(request):
            extra_context = {
                **(extra_context or {}),
                "import_url": reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_import",
                    current_app=self.admin_site.name,
                ),
            }
        return super().changelist_view(request, extra_context)

    def has_import_permission(self, request):
        return self.has_add_permission(request) or self.has_change_permission(request)

    def authorise_import(self, request):
        """``(record, stored version or None) → message or None``: the admin's own permissions
        for the record's model, asked of each record of the file (an agreement, a survey, a
        potential, a milestone …) as it would be after the import and before. What the admin
        of that model refuses this user, the import refuses too: an editor adds no survey.

        The object permissions hold an editor to the records of their own regions
        (``is_editable_by``; their regions and permissions are read once, not per row).
        """

        def authorise(record, original):
            model_admin = self.admin_site.get_model_admin(type(record))
            if original is None and not model_admin.has_add_permission(request):
                if isinstance(record, Agreement):
                    return _("Anda tidak berhak menambah kerja sama.")
                return _("Anda tidak berhak menambah %(model)s.") % {
                    "model": record._meta.verbose_name
                }
            for obj in (original, record):
                if obj is not None and not model_admin.has_change_permission(request, obj):
                    if isinstance(obj, Agreement):
                        return _("Anda tidak berhak mengubah kerja sama daerah %(region)s.") % {
                            "region": obj.lead_region
                        }
                    return _("Anda tidak berhak mengubah %(model)s “%(record)s”.") % {
                        "model": obj._meta.verbose_name,
                        "record": obj,
                    }
            if isinstance(record, Agreement) and (
                original is None
                or (original.follows_id, original.relation) != (record.follows_id, record.relation)
            ):
                # As the form: an amendment or extension of a text not theirs to change.
                return record.following_refused_to(request.user)
            return None

        return authorise

    # -- the view -------------------------------------------------------------------------------

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            # Stopped by another write of the same moment (a colleague's save or confirm moving
            # the same kept counts the other way), its transaction rolled back with the preview
            # still there: confirmed again, as the admin's forms are.
            return written_again_when_met(request, lambda: self._confirm(request))
        if request.method != "POST":
            return self._render(request, self.import_template, {"form": ImportUploadForm()})
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            return self._preview(request, form)
        # No file, or an empty one: refused as a file that cannot be read is.
        return self._render(request, self.import_template, {"form": form}, status=400)

    def _preview(self, request, form):
        upload = form.cleaned_data["file"]
        content = b"".join(upload.chunks())
        try:
            plan = self._importer(request, content, upload.name).plan()
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self._render(request, self.import_template, {"form": form}, status=400)
        if plan.rejected or plan.rejected_table_rows:
            # Rows that cannot be written: said row by row, and answered as bad input is (400),
            # with nothing to confirm.
            return self._render_plan(request, plan, upload.name, None, status=400)
        # What the preview showed each row to be, for the confirm to hold it to.
        token = ImportPreview.keep(request.user, upload.name, content, plan.versions).pk
        return self._render_plan(request, plan, upload.name, token)

    def _confirm(self, request):
        # One confirmation of a preview at a time: a second one (a double click, the preview
        # confirmed in another tab) waits for the first on the preview's row, then finds it
        # used, rather than writing the file again (its new agreements twice).
        with transaction.atomic():
            try:
                preview = (
                    ImportPreview.objects.confirmable_by(request.user)
                    .select_for_update()
                    .get(pk=request.POST["token"])
                )
            except (ImportPreview.DoesNotExist, ValidationError):
                return self._expired(request)
            return self._confirm_preview(request, preview)

    def _confirm_preview(self, request, preview):
        name = preview.filename
        decisions = {}
        for key in request.POST:
            # A row's number as the preview writes it: ASCII digits ("²" is a digit too, and
            # no number ``int`` reads). Any other key names no row.
            number = key.removeprefix("decide-")
            if key.startswith("decide-") and number.isascii() and number.isdigit():
                decisions[int(number)] = self._decision(request, key)
        for_all = self._decision(request, DECISION_FOR_ALL_FIELD)
        for_all = for_all if for_all in (DECIDE_UPDATE, DECIDE_CREATE) else ""
        try:
            importer = self._importer(request, bytes(preview.content), name, decisions, for_all)
            plan = importer.apply(expected_versions=preview.expected_versions)
        except ImportFileError as error:
            preview.delete()
            messages.error(request, str(error))
            return HttpResponseRedirect(request.path)
        if plan.undecided and not plan.rejected:
            # Asked again, with the same preview: nothing was written.
            messages.error(
                request,
                _("Pilih untuk setiap baris yang mirip: perbarui yang sudah ada, atau buat baru."),
            )
            return self._render_plan(request, plan, name, token=preview.pk, status=400)
        preview.delete()
        if not plan.is_valid:
            # The database changed since the preview; nothing was written.
            return self._render_plan(request, plan, name, token=None, status=409)
        counts = plan.counts
        messages.success(
            request,
            _(
                "Impor %(name)s selesai: %(create)d dibuat, %(update)d diperbarui, "
                "%(unchanged)d tidak berubah."
            )
            % {"name": name, **counts},
        )
        warned = [str(row.number) for row in plan.rows if row.warnings] + [
            _("%(row)d (lembar %(sheet)s)") % {"sheet": row.table, "row": row.number}
            for row in plan.warned_table_rows
        ]
        if warned:
            # The preview told each warning in full; after it, which rows to check.
            messages.warning(
                request,
                ngettext(
                    "%(count)d baris ditulis dengan peringatan yang ditampilkan di pratinjau: "
                    "baris %(rows)s. Periksa tanggalnya.",
                    "%(count)d baris ditulis dengan peringatan yang ditampilkan di pratinjau: "
                    "baris %(rows)s. Periksa tanggalnya.",
                    len(warned),
                )
                % {"count": len(warned), "rows": ", ".join(warned)},
            )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    @staticmethod
    def _decision(request, key):
        """The answer ``key`` posts; none when it posts two (``one_value``), which of them was
        meant being not for the site to guess: that row is asked about again, as a row not
        answered is, and nothing is written."""
        try:
            return one_value(request.POST, key)
        except ValidationError:
            return ""

    def _importer(self, request, content, name, decisions=None, default_decision=""):
        return AgreementImport.from_file(
            io.BytesIO(content),
            name,
            authorise=self.authorise_import(request),
            change_reason=imported_from(name),
            decisions=decisions,
            default_decision=default_decision,
        )

    def _expired(self, request):
        messages.error(
            request, _("Pratinjau impor ini sudah tidak berlaku; unggah berkasnya lagi.")
        )
        form = ImportUploadForm()
        return self._render(request, self.import_template, {"form": form}, status=400)

    def _render_plan(self, request, plan, name, token, status=200):
        # Rows refused, asked about or written with a warning are all listed, however many.
        rejected = [row for row in plan.rows if row.needs_attention or row.warnings]
        others = [row for row in plan.rows if not (row.needs_attention or row.warnings)]
        rows = rejected + others[:PREVIEW_ROWS]
        rows.sort(key=lambda row: row.number)
        context = {
            "plan": plan,
            "filename": name,
            "token": token,
            "rows": [
                {
                    "number": row.number,
                    "action": row.action,
                    "action_label": ACTION_LABELS[row.action],
                    "reference": row.reference,
                    "title": row.title,
                    "errors": row.errors,
                    "warnings": row.warnings,
                    "changes": [self._field_label(name) for name in row.changes],
                    "partner_notes": row.partner_notes,
                    "lookalikes": [self._lookalike(a) for a in row.lookalikes],
                    "lookalike": self._lookalike(row.lookalike) if row.lookalike else None,
                    "decision_field": DECISION_FIELD % row.number,
                    "decide_create": DECIDE_CREATE,
                }
                for row in rows
            ],
            "hidden_rows": len(plan.rows) - len(rows),
            "decision_for_all_field": DECISION_FOR_ALL_FIELD,
            "decide_update": DECIDE_UPDATE,
            "decide_create": DECIDE_CREATE,
            # The file's other sheets: what each would write, and every row refused, with why.
            "tables": [
                {
                    "name": name,
                    "counts": [(TABLE_ACTION_LABELS[action], n) for action, n in counts.items()],
                }
                for name, counts in plan.table_counts()
            ],
            "table_rejections": [
                {"sheet": row.table, "number": row.number, "errors": row.errors}
                for row in plan.rejected_table_rows
            ],
            # What the admin's save would warn of, written all the same: told before the
            # confirm (``RowResult.warnings``).
            "table_warnings": [
                {"sheet": row.table, "number": row.number, "warnings": row.warnings}
                for row in plan.warned_table_rows
            ],
            "warned": any(row.warnings for row in plan.rows) or bool(plan.warned_table_rows),
            "counts": [(ACTION_LABELS[action], n) for action, n in plan.counts.items()],
        }
        return self._render(request, self.preview_template, context, status=status)

    def _lookalike(self, agreement):
        return {
            "pk": agreement.pk,
            "reference": agreement.reference,
            "title": agreement.title,
            "status": agreement.get_shown_status_display(),
            "signed_on": agreement.signed_on,
            "url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[agreement.pk],
                current_app=self.admin_site.name,
            ),
        }

    def _field_label(self, name):
        try:
            field = self.opts.get_field(name)
        except Exception:  # noqa: BLE001 — not a field: show the name as it is
            return name
        if field.one_to_many:  # rows of their own (signatories): their plural name
            return str(field.related_model._meta.verbose_name_plural)
        return str(field.verbose_name)

    def _render(self, request, template, context, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Impor kerja sama"),
            "changelist_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
            ),
            **context,
        }
        return TemplateResponse(request, template, context, status=status)
