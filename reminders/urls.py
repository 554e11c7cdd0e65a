from django.urls import path

from . import feeds, views

urlpatterns = [
    path(
        "calendar/regions/<str:code>.ics",
        views.region_calendar,
        name="calendar-region",
    ),
    path(
        "calendar/agreements/<int:pk>.ics",
        views.agreement_calendar,
        name="calendar-agreement",
    ),
    path("feeds/agreements.atom", feeds.AgreementsFeed(), name="feed-agreements"),
]
