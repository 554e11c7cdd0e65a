from django.urls import include, path

from agreements import dashboard, views
from partners import views as partner_views

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path(
        "agreements/<int:pk>/documents/<int:document_pk>/",
        views.DocumentDownloadView.as_view(),
        name="document-download",
    ),
    path("sectors/<slug:slug>/", views.SectorDetailView.as_view(), name="sector-detail"),
    path("regions/<str:code>/", partner_views.RegionDetailView.as_view(), name="region-detail"),
    path("partners/<int:pk>/", partner_views.PartnerDetailView.as_view(), name="partner-detail"),
    path("countries/<str:code>/", partner_views.CountryDetailView.as_view(), name="country-detail"),
    # …/export.csv, .xlsx, .json beside each list page
    path("", include("agreements.export_urls")),
]
