"""The site's URLs, and ``/bench/floor/``: the least a page of this stack can cost."""

from django.shortcuts import render
from django.urls import include, path


def floor(request):
    """A minimal view rendering a trivial template, through the same middleware as every page.

    The template greets a signed-in reader by name, as every page of the site does, so for them
    the floor includes what any of their requests costs: reading their session and user.
    """
    return render(request, "bench/floor.html", {"message": "floor"})


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("coopdb.urls")),
]
