"""Export the agreements ticked in the admin's list, as CSV, XLSX or JSON.

The same files as the list pages' downloads (``agreements.export_views.download``): one set of
columns, formula-safe, streamed. They hold what the downloader may download of the ticked rows
(``exportable_agreements``): an editor or an official downloads the public ones, an analyst or an
administrator the internal ones too (``docs/roles.md``), and the list says beside its actions
what the files leave out, as every list page does beside its downloads.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agreements.export_views import download, export_filename, exportable_agreements

# The part of the file name that says the rows were ticked in the admin.
SELECTION_NAME = "pilihan"


def export_selection(file_format, description):
    """The admin action exporting the ticked agreements as ``file_format``."""

    @admin.action(permissions=["view"], description=description)
    def action(modeladmin, request, queryset):
        # ``queryset`` is the ticked rows of the list the user sees (an editor's own regions').
        return download(
            request,
            exportable_agreements(request.user, queryset),
            exportable_agreements(request.user),
            file_format,
            filename=export_filename(SELECTION_NAME, file_format),
        )

    action.__name__ = f"export_{file_format}"
    return action


EXPORT_ACTIONS = [
    export_selection("csv", _("Ekspor kerja sama terpilih ke CSV")),
    export_selection("xlsx", _("Ekspor kerja sama terpilih ke XLSX")),
    export_selection("json", _("Ekspor kerja sama terpilih ke JSON")),
]


class AgreementExportMixin:
    """Adds the export actions to a ModelAdmin of ``Agreement``; what their files leave out is
    said beside the list's actions (``templates/admin/agreements/agreement/change_list.html``,
    the ``export_note`` tag)."""

    actions = EXPORT_ACTIONS
