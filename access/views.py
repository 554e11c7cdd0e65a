"""Logging in on the site, and a user's choice of time zone, from the form beside their name in
the admin."""

from django import forms
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from access.middleware import SESSION_KEY
from access.models import TimeZone, WorkSetting, time_zone_for
from common.one_value import OneValueEach

ZONE_UNKNOWN = _("Zona waktu tidak dikenal: pilih WIB, WITA atau WIT.")


class LoginView(auth_views.LoginView):
    """``/accounts/login/``: a reader already signed in goes on to the page asked for (``next``),
    or the dashboard. Asked to come back to the login page itself (its own "Masuk" link, opened
    again once signed in), they go to the dashboard: Django would answer that with a server
    error, as a loop."""

    redirect_authenticated_user = True
    next_page = "dashboard"

    def get_redirect_url(self):
        target = super().get_redirect_url()
        return "" if target == self.request.path else target


class LogoutView(auth_views.LogoutView):
    """``/accounts/logout/``: logs out by its form (a POST), as Django's. Opened as a page
    (typed in, bookmarked, an old link), it was a blank page (405); it shows that form now, to a
    reader still signed in, and logs out nobody by being opened. A reader already signed out
    goes on to where logging out leads."""

    http_method_names = ["get", "head", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(self.get_success_url())
        return render(request, "registration/logout_confirm.html")


def admin_logout(request):
    """The admin's logout address (behind the admin's own checks, ``AdminSite.admin_view``):
    opened as a page, the site's (``LogoutView``), whose form logs out of the same session;
    posted, the admin's own."""
    if request.method in ("GET", "HEAD"):
        return LogoutView.as_view(next_page="dashboard")(request)
    return admin.site.logout(request)


class TimeZoneForm(OneValueEach, forms.Form):
    """The zone chosen, given once (``OneValueEach``): a zone given twice was saved as the
    last of them."""

    # Empty: the zone of the user's region again.
    time_zone = forms.ChoiceField(
        choices=[("", ""), *TimeZone.choices],
        required=False,
        error_messages={"invalid_choice": ZONE_UNKNOWN},
    )


def _back_to(request):
    """The page the form was on (its ``next``), if it is one of this site's; the admin's
    index otherwise."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/admin/"
    return target


@require_POST
def set_time_zone(request):
    if not request.user.is_authenticated:
        # A session that lapsed while the page was open: log in, then back to that page (this
        # address takes only the form's POST; led back here, the reader would get a 405).
        return redirect_to_login(_back_to(request))
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["time_zone"]))
    WorkSetting.objects.update_or_create(
        user=request.user, defaults={"time_zone": form.cleaned_data["time_zone"]}
    )
    request.session[SESSION_KEY] = time_zone_for(request.user)
    return HttpResponseRedirect(_back_to(request))


def csrf_failure(request, reason=""):
    """A form refused because its security token no longer holds (``CSRF_FAILURE_VIEW``): the
    reader opened the page, then logged in or out in another tab, or their browser keeps no
    cookies. The site's own page in their language, fitting a phone, saying nothing was changed
    and leading back to the page the form was on; not Django's bare "403 Forbidden"."""
    back = request.POST.get("next") or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return HttpResponseForbidden(render_to_string("csrf_failure.html", {"back": back}, request))
