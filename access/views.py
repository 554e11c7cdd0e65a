"""A user's choice of time zone, from the form beside their name in the admin."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.middleware import SESSION_KEY
from access.models import TimeZone, WorkSetting, time_zone_for


class TimeZoneForm(forms.Form):
    # Empty: the zone of the user's region again.
    time_zone = forms.ChoiceField(choices=[("", ""), *TimeZone.choices], required=False)


@require_POST
@login_required
def set_time_zone(request):
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Zona waktu tidak dikenal: pilih WIB, WITA atau WIT."))
    WorkSetting.objects.update_or_create(
        user=request.user, defaults={"time_zone": form.cleaned_data["time_zone"]}
    )
    request.session[SESSION_KEY] = time_zone_for(request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/admin/"
    return HttpResponseRedirect(target)
