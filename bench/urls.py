"""The site's URLs, and ``/bench/floor/``: the least a page of this stack can cost."""

from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path

from agreements.models import Agreement


def floor(request):
    """A minimal view rendering a trivial template, through the same middleware as every page.

    The template greets a signed-in reader by name, as every page of the site does, so for them
    the floor includes what any of their requests costs: reading their session and user.
    """
    return render(request, "bench/floor.html", {"message": "floor"})


class StockAgreementAdmin(admin.ModelAdmin):
    """The agreements in Django's admin as it comes: the peer the benchmark holds the project's
    own admin and list against (same data, same columns where it can, a title search)."""

    list_display = [
        "title",
        "reference",
        "kind",
        "status",
        "lead_region",
        "signed_on",
        "expires_on",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    list_select_related = ["lead_region"]


stock_admin = admin.AdminSite(name="stock-admin")
stock_admin.register(Agreement, StockAgreementAdmin)

urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/stock-admin/", stock_admin.urls),
    path("", include("coopdb.urls")),
]
