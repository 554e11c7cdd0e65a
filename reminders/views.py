"""The iCalendar feeds: one beside every list page (``…/calendar.ics`` with the page's query
string: exactly the page's selection), one per region under its first address, one per
agreement. Each shows only what the reader may see; an internal agreement's own calendar does not
exist for the public."""

import hashlib

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from agreements.export_views import SUBJECTS, bad_filters, selection
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


class SelectionCalendarView(View):
    """The calendar of a list page's selection; ``subject`` names the page (None: the list)."""

    subject = None

    def get(self, request, **subject_kwargs):
        filterset, obj = selection(
            request, Agreement.objects.visible_to(request.user), self.subject, subject_kwargs
        )
        if not filterset.is_valid():
            return bad_filters(filterset.form)
        if obj is None:
            name, ident = _("Kerja sama daerah"), "agreements"
        else:
            name = _("Kerja sama daerah: %(subject)s") % {"subject": obj.name}
            ident = SUBJECTS[self.subject].name(obj)
        query = request.GET.urlencode()
        if query:
            # A calendar of another selection of the same page is another calendar.
            ident += "-" + hashlib.sha256(query.encode()).hexdigest()[:12]
        cal = ical.calendar(
            filterset.qs, name=name, uid=ident, absolute_url=request.build_absolute_uri
        )
        return calendar_response(cal, f"{ident}.ics")
