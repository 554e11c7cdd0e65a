from django.urls import path, re_path

from agreements.export_urls import LIST_PAGES
from common.methods import read_only

from . import feeds, views

urlpatterns = [
    path(
        "calendar/regions/<str:code>.ics",
        read_only(views.region_calendar),
        name="calendar-region",
    ),
    path(
        "calendar/agreements/<int:pk>.ics",
        read_only(views.agreement_calendar),
        name="calendar-agreement",
    ),
    # The change log's feeds: the site's (with the list's filters) and each agreement's.
    path("perubahan/feed.atom", read_only(feeds.ChangesFeed()), name="change-log-atom"),
    path(
        "agreements/<int:pk>/feed.atom",
        read_only(feeds.ChangesFeed(one_agreement=True)),
        name="agreement-changes-atom",
    ),
    path("ikuti/", views.FollowView.as_view(), name="follows"),
    path("ikuti/<int:pk>/", views.FollowSettingsView.as_view(), name="follow-settings"),
    path("ikuti/berhenti/<str:token>/", views.unfollow, name="unfollow"),
    path("pengingat/<str:token>/", views.reminder_preferences, name="reminder-preferences"),
    # The agreement list's Atom feed under its first address.
    path("feeds/agreements.atom", read_only(feeds.AgreementsFeed()), name="feed-agreements"),
]

# Beside each list page, with the page's query string: …/feed.atom and …/calendar.ics.
for subject, (prefix, page) in LIST_PAGES.items():
    urlpatterns += [
        re_path(
            rf"{page}feed\.atom$", read_only(feeds.AgreementsFeed(subject)), name=f"{prefix}-atom"
        ),
        re_path(
            rf"{page}calendar\.ics$",
            read_only(views.SelectionCalendarView.as_view(subject=subject)),
            name=f"{prefix}-ics",
        ),
    ]
