from django.contrib import admin
from django.urls import include, path

from access import views as access_views
from access.forms import AdminLoginForm, LoginForm
from agreements import sitemaps
from common.admin import EMPTY
from common.methods import read_only
from coopdb.health import health
from coopdb.robots import robots

# Uploaded files have no address of their own: a document is downloaded through its agreement
# (``document-download``), which checks that the reader may see it. The web server must not
# publish MEDIA_ROOT either.

# The admin's login refuses a user name longer than any account's, and words a refusal once.
admin.site.login_form = AdminLoginForm
# One empty value in every list, read-only field and filter of the admin: the columns the
# register draws itself and Django's own showed "—" and "-" side by side.
admin.site.empty_value_display = EMPTY

urlpatterns = [
    path("health/", read_only(health), name="health"),
    # Opened as a page, the admin's logout asks to log out (``access.views.admin_logout``).
    path("admin/logout/", admin.site.admin_view(access_views.admin_logout)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Officials and analysts who do not work in the admin log in here to read internal records;
    # every role can, and staff can also log in through the admin.
    path(
        "accounts/login/",
        access_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/time-zone/", access_views.set_time_zone, name="set-time-zone"),
    path("accounts/logout/", access_views.LogoutView.as_view(next_page="dashboard"), name="logout"),
    path("robots.txt", read_only(robots), name="robots"),
    path("sitemap.xml", read_only(sitemaps.index), name="sitemap"),
    path("sitemap-<str:section>.xml", read_only(sitemaps.section), name="sitemap-section"),
    path("", include("agreements.urls")),
    path("", include("reminders.urls")),
]
