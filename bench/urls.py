"""The site's URLs, and ``/bench/floor/``: the least a page of this stack can cost."""

from django.shortcuts import render
from django.urls import include, path


def floor(request):
    """A minimal view rendering a trivial template, through the same middleware as every page."""
    return render(request, "bench/floor.html", {"message": "floor"})


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("coopdb.urls")),
]
