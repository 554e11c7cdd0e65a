"""Download links of the list pages: ``…/export.csv``, ``.xlsx`` or ``.json`` beside each page,
carrying the page's query string.

``LIST_PAGES`` names each list page's address by its subject (see
``agreements.export_views.SUBJECTS``); the feeds beside the same pages
(``reminders.urls``) are built from it too.
"""

from django.urls import re_path

from agreements.export_views import AgreementExportView
from common.methods import read_only

# subject (None: the agreement list) → (URL name prefix, address of the page)
LIST_PAGES = {
    None: ("agreement", r"^agreements/"),
    "region": ("region", r"^regions/(?P<code>[0-9.]+)/"),
    "partner": ("partner", r"^partners/(?P<pk>[0-9]+)/"),
    "country": ("country", r"^countries/(?P<code>[A-Za-z]{2})/"),
    "sector": ("sector", r"^sectors/(?P<slug>[-a-zA-Z0-9_]+)/"),
}

FORMAT = r"export\.(?P<file_format>csv|xlsx|json)$"

urlpatterns = [
    re_path(
        f"{page}{FORMAT}",
        read_only(AgreementExportView.as_view(subject=subject)),
        name=f"{prefix}-export",
    )
    for subject, (prefix, page) in LIST_PAGES.items()
]
