from django.urls import include, path

from agreements import dashboard, party_views, report_views, views
from agreements.caching import shared_agreement_page, shared_page
from common.methods import read_only_patterns

# The pages the public and officials browse are cached until the register changes
# (``agreements.caching``); downloads, documents and exports are always read afresh. Each is
# only read (``read_only_patterns``, below). A list page asked with what sets nothing
# (``?q=&region=``, as its form sends it) sends the reader on to the address without it
# (``views.only_what_is_set``).
urlpatterns = [
    path(
        "",
        views.reads_no_parameters(shared_page(dashboard.DashboardView.as_view())),
        name="dashboard",
    ),
    path(
        "agreements/",
        views.only_what_is_set(
            shared_page(views.AgreementListView.as_view(), sign=views.AgreementListView.signed)
        ),
        name="agreement-list",
    ),
    path("laporan/", report_views.ReportView.as_view(), name="report"),
    path("laporan/laporan.pdf", report_views.ReportPdfView.as_view(), name="report-pdf"),
    path("laporan/laporan.xlsx", report_views.ReportXlsxView.as_view(), name="report-xlsx"),
    path(
        "perubahan/",
        views.only_what_is_set(shared_page(views.ChangeLogView.as_view()), ordered=False),
        name="change-log",
    ),
    path(
        "agreements/<int:pk>/",
        views.reads_no_parameters(shared_agreement_page(views.AgreementDetailView.as_view())),
        name="agreement-detail",
    ),
    path(
        "agreements/<int:pk>/documents/<int:document_pk>/",
        views.DocumentDownloadView.as_view(),
        name="document-download",
    ),
    path(
        "sectors/<slug:slug>/",
        views.only_what_is_set(
            shared_page(views.SectorDetailView.as_view(), sign=views.SectorDetailView.signed),
            subject="sector",
        ),
        name="sector-detail",
    ),
    path(
        "regions/<str:code>/",
        views.only_what_is_set(
            shared_page(
                party_views.RegionDetailView.as_view(), sign=party_views.RegionDetailView.signed
            ),
            subject="region",
        ),
        name="region-detail",
    ),
    path(
        "partners/<int:pk>/",
        views.only_what_is_set(
            shared_page(
                party_views.PartnerDetailView.as_view(), sign=party_views.PartnerDetailView.signed
            ),
            subject="partner",
        ),
        name="partner-detail",
    ),
    path(
        "countries/<str:code>/",
        views.only_what_is_set(
            shared_page(
                party_views.CountryDetailView.as_view(), sign=party_views.CountryDetailView.signed
            ),
            subject="country",
        ),
        name="country-detail",
    ),
    path(
        "countries/<str:code>/mitra/",
        shared_page(
            party_views.CountryPartnersView.as_view(), sign=party_views.CountryPartnersView.signed
        ),
        name="country-partners",
    ),
    path("data-dictionary/", views.DataDictionaryView.as_view(), name="data-dictionary"),
    # …/export.csv, .xlsx, .json beside each list page
    path("", include("agreements.export_urls")),
]
read_only_patterns(urlpatterns)
