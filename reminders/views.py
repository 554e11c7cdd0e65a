"""The iCalendar feeds: one beside every list page (``…/calendar.ics`` with the page's query
string: exactly the page's selection), one per region under its first address (its page's
selection too), one per agreement. Each shows only what the reader may see; an internal
agreement's own calendar does not exist for the public."""

import hashlib

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from agreements.export_views import SUBJECTS, bad_filters, selection
from agreements.models import Agreement
from common.one_value import one_value

from . import digest, follow, forms, ical
from .models import Frequency, Language, ReminderPreference, Subscription, SubscriptionMember


def calendar_response(cal, filename):
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def region_calendar(request, code):
    """A region's calendar under its first address (``/calendar/regions/64.ics``): the
    selection of its page, as ``/regions/64/calendar.ics`` reads it (``selection``), the
    filters of its address included, under the name it has always had."""
    filterset, region = selection(
        request, Agreement.objects.visible_to(request.user), "region", {"code": code}
    )
    if not filterset.is_valid():
        return bad_filters(filterset.form)
    cal = ical.calendar(
        filterset.qs,
        name=follow.named_with_selection(
            _("Kerja sama daerah: %(region)s") % {"region": region.name}, filterset
        ),
        uid=selection_ident(f"region-{region.code}", request),
        readable=Agreement.objects.visible_to(request.user),
        absolute_url=request.build_absolute_uri,
    )
    return calendar_response(cal, f"{region.code}.ics")


@require_safe
def agreement_calendar(request, pk):
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
    cal = ical.calendar(
        Agreement.objects.visible_to(request.user).filter(pk=agreement.pk),
        name=agreement.shown_title,
        uid=f"agreement-{agreement.pk}",
        readable=Agreement.objects.visible_to(request.user),
        absolute_url=request.build_absolute_uri,
    )
    return calendar_response(cal, f"kerja-sama-{agreement.pk}.ics")


def selection_ident(ident, request):
    """The calendar's id ``ident``, told apart by the selection its address asks for: a
    calendar of another selection of the same page is another calendar."""
    query = request.GET.urlencode()
    if query:
        ident += "-" + hashlib.sha256(query.encode()).hexdigest()[:12]
    return ident


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
        cal = ical.calendar(
            filterset.qs,
            name=follow.named_with_selection(name, filterset),
            uid=selection_ident(ident, request),
            readable=Agreement.objects.visible_to(request.user),
            absolute_url=request.build_absolute_uri,
        )
        return calendar_response(cal, f"{ident}.ics")


# -- following a selection ----------------------------------------------------------------------


# The longest selection a subscription keeps (its column's length).
QUERY_MAX_LENGTH = Subscription._meta.get_field("query").max_length
# The most selections one reader follows: each costs every digest run a reading of its
# selection, and a reader following every filter of the list by script would cost it one per
# address. Far more than a person reads in their mail.
FOLLOWS_AT_MOST = 100


class FollowView(LoginRequiredMixin, View):
    """``/ikuti/``: the selections the reader follows (GET), and following one (POST, from the
    form under a list page's results: its filters, and how often)."""

    def get(self, request):
        return follows_page(request)

    def post(self, request):
        problems = []
        # Each given once (``one_value``), the selection's filters too: which was meant is not
        # for the site to guess.
        given = {}
        for name in ("frequency", "query"):
            try:
                given[name] = one_value(request.POST, name)
            except ValidationError as refused:
                label = capfirst(Subscription._meta.get_field(name).verbose_name)
                problems.extend(f"{label}: {message}" for message in refused.messages)
        frequency = given.get("frequency")
        if "frequency" in given and frequency not in Frequency.values:
            problems.append(forms.FREQUENCY_REFUSED)
        filterset = follow.selection_of(given.get("query", ""), request.user)
        if "query" in given and not filterset.is_valid():
            problems.append(_("Filter pilihan ini tidak valid; buka lagi halaman daftarnya."))
        elif len(follow.normal_query(filterset)) > QUERY_MAX_LENGTH:
            problems.append(
                _("Pilihan ini memuat terlalu banyak filter untuk diikuti; sederhanakan filternya.")
            )
        if not request.user.email:
            problems.append(forms.NO_ADDRESS)
        followed = request.user.subscriptions
        if (
            not problems
            and followed.count() >= FOLLOWS_AT_MOST
            and not followed.filter(query=follow.normal_query(filterset)).exists()
        ):
            problems.append(
                _(
                    "Anda sudah mengikuti %(count)s pilihan, batas untuk satu akun: berhenti "
                    "mengikuti salah satunya sebelum mengikuti pilihan baru."
                )
                % {"count": FOLLOWS_AT_MOST}
            )
        if problems:
            return render(
                request, "reminders/follow_refused.html", {"problems": problems}, status=400
            )
        query = follow.normal_query(filterset)
        # Following the same selection again sets how often and in which language; its name
        # is said again in that language.
        language = translation.get_language()[:2]
        chosen = {
            "frequency": frequency,
            "language": language,
            "name": follow.name_of(filterset, language),
        }
        with transaction.atomic():
            subscription, created = Subscription.objects.update_or_create(
                user=request.user,
                query=query,
                defaults=chosen,
                create_defaults={**chosen, "covered_until": timezone.now()},
            )
            if created:  # what is in it now, so that the first digest tells what leaves it
                SubscriptionMember.objects.remember(subscription, filterset.qs)
        messages.success(
            request,
            _("Anda mengikuti: %(name)s (%(frequency)s).")
            % {
                "name": subscription.name_for_reader(),
                "frequency": subscription.get_frequency_display(),
            },
        )
        return redirect("follows")


class FollowSettingsView(LoginRequiredMixin, View):
    """``/ikuti/<pk>/``: how often and in which language one of the reader's own follows is
    mailed (POST, from its row on ``/ikuti/``). Whose it is decides who may change it, as on
    ``/ikuti/``: another reader's is not found. Opened as a page, it is ``/ikuti/``."""

    def get(self, request, pk):
        return redirect("follows")

    def post(self, request, pk):
        subscription = get_object_or_404(request.user.subscriptions, pk=pk)
        form = forms.FollowSettingsForm(request.POST, instance=subscription)
        if not form.is_valid():
            return follows_page(request, refused=form, status=400)
        subscription = form.save()
        messages.success(
            request,
            _("Tersimpan: perubahan pada “%(name)s” dikirim %(frequency)s dalam %(language)s.")
            % {
                "name": subscription.name_for_reader(),
                "frequency": subscription.get_frequency_display().lower(),
                "language": language_names()[subscription.language],
            },
        )
        return redirect("follows")


def follows_page(request, refused=None, status=200):
    """``/ikuti/``: each selection the reader follows, with the form that sets how often and in
    which language it is mailed. ``refused``, the form of one of them that could not be used,
    is shown at its row: what it chose where it could be used (the form's instance holds it),
    each problem at its field. A follow whose selection the list refuses now (a region
    removed, a parameter or a year it refuses, a filter its reader may no longer select by:
    ``AgreementFilter.problems_of``) is mailed no more (``follow.plan``): its row says so, and
    why, beside the link that stops it. Three queries (the session, the reader, their
    follows), however many they follow, and one per filter naming a record (a region, a
    partner) that any of them names (``SubscriptionQuerySet.named_for``)."""
    rows = []
    refused_name = None
    subscriptions = request.user.subscriptions.order_by("name", "pk").named_for(
        request.user, checked=True
    )
    for subscription in subscriptions:
        form = refused if refused is not None and refused.instance.pk == subscription.pk else None
        if form is not None:
            refused_name = form.instance.shown_name = subscription.shown_name
        rows.append(
            {
                "subscription": subscription if form is None else form.instance,
                "token": follow.unfollow_token(subscription),
                "errors": {} if form is None else form.errors,
                "broken": subscription.problems,
            }
        )
    return render(
        request,
        "reminders/follows.html",
        {
            "rows": rows,
            "refused": refused,
            "refused_name": refused_name,
            # Whether any is mailed no more: the page says so above them all.
            "broken": any(row["broken"] for row in rows),
            "frequencies": Frequency.choices,
            "languages": list(language_names().items()),
        },
        status=status,
    )


def language_names():
    """Each language of the mails named in itself ("English" on an Indonesian page too, as the
    language switcher names them), so a reader who does not read the page's language finds
    their own; a template marks each with its ``lang``."""
    return {code: translation.get_language_info(code)["name_local"] for code in Language.values}


@csrf_exempt  # the signed token in the address is the reader's say-so (RFC 8058 one-click)
@require_http_methods(["GET", "HEAD", "POST"])
def unfollow(request, token):
    """One link in every digest: stop following that selection, without logging in. Opening
    the link asks; only the button (a POST, or a mail program's one-click POST) stops it, so a
    link scanner or a preview that fetches the link unsubscribes nobody."""
    pk = follow.subscription_of_token(token)
    if pk is None:
        return render(request, "reminders/unfollowed.html", {"bad_link": True}, status=400)
    subscription = Subscription.objects.filter(pk=pk).select_related("user").first()
    name = None if subscription is None else subscription.name_for_reader()
    if request.method != "POST":
        return render(
            request,
            "reminders/unfollowed.html",
            {"subscription": subscription, "name": name, "asking": True},
        )
    if subscription is not None:
        subscription.delete()
    return render(
        request, "reminders/unfollowed.html", {"subscription": subscription, "name": name}
    )


# -- an editor's reminders ----------------------------------------------------------------------


@csrf_exempt  # the signed token in the address is the editor's say-so (RFC 8058 one-click)
@require_http_methods(["GET", "HEAD", "POST"])
def reminder_preferences(request, token):
    """The link in every reminder digest: stop the reminders or change their language, without
    logging in. Opening it shows the form; only a POST changes anything (the form's, or a mail
    program's one-click ``List-Unsubscribe=One-Click``, which stops them), so a link scanner
    that fetches the link changes nobody's mail."""
    user = digest.user_of_token(token)
    if user is None:
        return render(
            request, "reminders/reminder_preferences.html", {"bad_link": True}, status=400
        )
    preference = ReminderPreference.objects.for_user(user)
    if request.method != "POST":
        return render(
            request, "reminders/reminder_preferences.html", preferences_context(preference)
        )
    if request.POST.get("List-Unsubscribe") == "One-Click":
        preference.active = False
    else:
        form = forms.ReminderPreferenceForm(request.POST)
        if not form.is_valid():
            # What was ticked is shown again beside the refused language, not the stored
            # choice; a tick refused itself (given twice) shows the stored choice.
            if "active" in form.cleaned_data:
                preference.active = form.cleaned_data["active"]
            return render(
                request,
                "reminders/reminder_preferences.html",
                preferences_context(preference, refused=form),
                status=400,
            )
        preference.active = form.cleaned_data["active"]
        preference.language = form.cleaned_data["language"]
    # Written whether or not another post of the link (a one-click beside a click on "Simpan")
    # saved one since it was read: two writing a first preference at once made the second a
    # server error.
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"active": preference.active, "language": preference.language}
    )
    return render(
        request, "reminders/reminder_preferences.html", preferences_context(preference, saved=True)
    )


def preferences_context(preference, **more):
    """The preferences form's context, each language named in itself (``language_names``)."""
    names = language_names()
    return {
        "preference": preference,
        "languages": list(names.items()),
        "language_name": names[preference.language],
        **more,
    }
