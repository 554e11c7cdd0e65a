"""Import agreements in the admin: upload → preview → confirm.

The preview writes nothing. The uploaded file waits in a private temporary folder under a random
name; the preview's confirm form carries that name signed together with the user's id, so a
confirm can only use a file this user uploaded, for an hour. Confirming reads the file again and
``AgreementImport.apply`` writes all of it in one transaction, or nothing.
"""

import json
import re
import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.imports import CREATE, REJECT, UNCHANGED, UPDATE, AgreementImport, ImportFileError

SIGNING_SALT = "agreements.admin_import"
TOKEN_MAX_AGE = 60 * 60  # seconds a preview stays confirmable
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 500  # rows listed besides the rejected ones, which are always all listed
ACTION_LABELS = {
    CREATE: gettext_lazy("Dibuat"),
    UPDATE: gettext_lazy("Diperbarui"),
    UNCHANGED: gettext_lazy("Tidak berubah"),
    REJECT: gettext_lazy("Ditolak"),
}


def upload_dir():
    folder = Path(tempfile.gettempdir()) / "coopdb-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def versions_file(stored):
    """Beside an upload: the versions its preview showed (``ImportPlan.versions``)."""
    return stored.with_suffix(".versions")


def discard(stored):
    stored.unlink(missing_ok=True)
    versions_file(stored).unlink(missing_ok=True)


def _sweep(folder, older_than=TOKEN_MAX_AGE * 2):
    """Remove uploads nobody confirmed."""
    limit = time.time() - older_than
    for stale in [*folder.glob("*.upload"), *folder.glob("*.versions")]:
        if stale.stat().st_mtime < limit:
            stale.unlink(missing_ok=True)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas"),
        help_text=gettext_lazy(
            "CSV (UTF-8) atau XLSX dengan kolom yang sama dengan ekspor; lihat kamus data."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Unggah berkas .csv atau .xlsx."))
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
        """``(agreement, stored version or None) → message or None``: the admin's own
        permissions, asked of each agreement as it would be after the import and before.

        The object permissions hold an editor to the agreements of their own regions
        (``Agreement.is_editable_by``; their regions are read once, not per row).
        """

        def authorise(agreement, original):
            if original is None and not self.has_add_permission(request):
                return _("Anda tidak berhak menambah kerja sama.")
            for obj in (original, agreement):
                if obj is not None and not self.has_change_permission(request, obj):
                    return _("Anda tidak berhak mengubah kerja sama daerah %(region)s.") % {
                        "region": obj.lead_region
                    }
            return None

        return authorise

    # -- the view -------------------------------------------------------------------------------

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            return self._preview(request, form)
        return self._render(request, self.import_template, {"form": form})

    def _preview(self, request, form):
        upload = form.cleaned_data["file"]
        folder = upload_dir()
        _sweep(folder)
        key = uuid.uuid4().hex
        stored = folder / f"{key}.upload"
        with stored.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        stored.chmod(0o600)
        try:
            plan = self._importer(request, stored, upload.name).plan()
        except ImportFileError as error:
            stored.unlink(missing_ok=True)
            form.add_error("file", str(error))
            return self._render(request, self.import_template, {"form": form}, status=400)
        token = signing.dumps(
            {"key": key, "name": upload.name, "user": request.user.pk}, salt=SIGNING_SALT
        )
        if not plan.is_valid:
            stored.unlink(missing_ok=True)
            token = None
        else:
            # What the preview showed each row to be, for the confirm to hold it to.
            versions_file(stored).write_text(json.dumps(plan.versions))
            versions_file(stored).chmod(0o600)
        return self._render_plan(request, plan, upload.name, token)

    def _confirm(self, request):
        try:
            data = signing.loads(request.POST["token"], salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            return self._expired(request)
        key = str(data.get("key", ""))
        stored = upload_dir() / f"{key}.upload"
        if (
            data.get("user") != request.user.pk
            or not re.fullmatch(r"[0-9a-f]{32}", key)
            or not stored.is_file()
        ):
            return self._expired(request)
        name = str(data.get("name", ""))
        try:
            expected = {
                int(row): int(version)
                for row, version in json.loads(versions_file(stored).read_text()).items()
            }
        except (OSError, ValueError, AttributeError):
            return self._expired(request)
        try:
            plan = self._importer(request, stored, name).apply(expected_versions=expected)
        except ImportFileError as error:
            discard(stored)
            messages.error(request, str(error))
            return HttpResponseRedirect(request.path)
        discard(stored)
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
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    def _importer(self, request, stored, name):
        with stored.open("rb") as handle:
            return AgreementImport.from_file(
                handle,
                name,
                authorise=self.authorise_import(request),
                change_reason=_("Impor dari %(name)s") % {"name": name},
            )

    def _expired(self, request):
        messages.error(
            request, _("Pratinjau impor ini sudah tidak berlaku; unggah berkasnya lagi.")
        )
        form = ImportUploadForm()
        return self._render(request, self.import_template, {"form": form}, status=400)

    def _render_plan(self, request, plan, name, token, status=200):
        rejected = plan.rejected
        others = [row for row in plan.rows if not row.rejected]
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
                    "changes": [self._field_label(name) for name in row.changes],
                }
                for row in rows
            ],
            "hidden_rows": len(plan.rows) - len(rows),
            "counts": [(ACTION_LABELS[action], n) for action, n in plan.counts.items()],
        }
        return self._render(request, self.preview_template, context, status=status)

    def _field_label(self, name):
        try:
            return str(self.opts.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 — not a field: show the name as it is
            return name

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
