"""Download links of the list pages: ``…/export.csv``, ``.xlsx`` or ``.json`` beside each page,
carrying the page's query string."""

from django.urls import re_path

from agreements.export_views import AgreementExportView

FORMAT = r"export\.(?P<file_format>csv|xlsx|json)$"

urlpatterns = [
    re_path(rf"^agreements/{FORMAT}", AgreementExportView.as_view(), name="agreement-export"),
    re_path(
        rf"^regions/(?P<code>[0-9.]+)/{FORMAT}",
        AgreementExportView.as_view(subject="region"),
        name="region-export",
    ),
    re_path(
        rf"^partners/(?P<pk>[0-9]+)/{FORMAT}",
        AgreementExportView.as_view(subject="partner"),
        name="partner-export",
    ),
    re_path(
        rf"^countries/(?P<code>[A-Za-z]{{2}})/{FORMAT}",
        AgreementExportView.as_view(subject="country"),
        name="country-export",
    ),
    re_path(
        rf"^sectors/(?P<slug>[-a-zA-Z0-9_]+)/{FORMAT}",
        AgreementExportView.as_view(subject="sector"),
        name="sector-export",
    ),
]
