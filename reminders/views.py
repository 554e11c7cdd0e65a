"""The iCalendar feeds: one per region (a province with its regencies and cities), one per
agreement. Each shows only what the reader may see; an internal agreement's own calendar does not
exist for the public."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from agreements.models import Agreement
from partners.models import Region

from . import ical


def calendar_response(cal, filename):
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def region_calendar(request, code):
    region = get_object_or_404(Region, code=code)
    cal = ical.calendar(
        Agreement.objects.visible_to(request.user).in_region(region),
        name=_("Kerja sama daerah: %(region)s") % {"region": region.name},
        uid=f"region-{region.code}",
        absolute_url=request.build_absolute_uri,
    )
    return calendar_response(cal, f"{region.code}.ics")


def agreement_calendar(request, pk):
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
    cal = ical.calendar(
        Agreement.objects.visible_to(request.user).filter(pk=agreement.pk),
        name=agreement.title,
        uid=f"agreement-{agreement.pk}",
        absolute_url=request.build_absolute_uri,
    )
    return calendar_response(cal, f"kerja-sama-{agreement.pk}.ics")
