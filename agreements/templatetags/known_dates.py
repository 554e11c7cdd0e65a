"""``{{ agreement|known:"signed_on" }}``: a date as it is known, in a ``<time>`` element (a
``KnownDate`` read otherwise: ``{{ agreement.terminated_on|known_time }}``), or as a sentence
says when something happened, "pada 2 Maret 2023" (``known_on``, ``on_time``); and
``{% late_by milestone today %}``: how late a step is, in the one wording of every page; and
``{% ended_ago agreement today %}``: how long ago an agreement ended, in the same words; and
``{% ends_in agreement today %}``: how long until it ends, in the same words."""

import functools

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from agreements.dates import ON_DATE

register = template.Library()


@register.filter
def known(obj, name):
    """``<time datetime="1982">1982</time>``, ``… "2018-05">Mei 2018</time>``; "" when empty."""
    value = obj.known(name) if obj is not None else None
    if value is None:
        return ""
    return _time_element(value, get_language())


@register.filter
def known_time(value):
    """A ``KnownDate`` (``Agreement.terminated_on``) in its ``<time>`` element; "" for None."""
    return "" if value is None else _time_element(value, get_language())


@register.filter
def known_on(obj, name):
    """``known`` as a sentence says when something happened: "pada <time>…</time>" ("on 3
    May 2018", "in May 2018": ``KnownDate.on``); "" when empty."""
    value = obj.known(name) if obj is not None else None
    return on_time(value)


@register.filter
def on_time(value):
    """``known_time`` as a sentence says when something happened (``KnownDate.on``)."""
    if value is None:
        return ""
    # The phrase escaped, the date's <time> element kept.
    phrase = conditional_escape(ON_DATE[value.precision])
    return mark_safe(phrase % {"date": _time_element(value, get_language())})


@functools.lru_cache(maxsize=8192)
def _time_element(value, language):
    """The ``<time>`` of ``value`` (a ``KnownDate``) in ``language``, the reader's, kept: a page
    of 100 rows writes two or three a row, from a few thousand distinct dates."""
    return format_html('<time datetime="{}">{}</time>', value.iso, str(value))


@register.filter
def known_text(obj, name):
    """The same date as plain text ("Mei 2018"), for mail and other text without markup."""
    value = obj.known(name) if obj is not None else None
    return "" if value is None else str(value)


@register.simple_tag
def late_by(milestone, today):
    """How late ``milestone``, overdue, is on ``today``: "terlambat 8 bulan" ("8 months
    overdue"), counted from the last day its target covers (``Milestone.due_by``: a step due
    "Juni 2024" from 30 June). The stage path, the timeline, the dashboard, the report and a
    region's page all say it so, after the target: "target 31 Maret 2026 · terlambat 8 bulan"."""
    return _("terlambat %(late)s") % {"late": timesince(milestone.due_by, today)}


@register.simple_tag
def ended_ago(agreement, today):
    """How long ago ``agreement``, expired, ended on ``today``: "berakhir 1 tahun, 2 bulan yang
    lalu", counted from the last day its expiry covers (``Agreement.expires_by``: one that
    ends "2025" ended on 31 December), in the words ``late_by`` counts a late step in: days
    for a few weeks, then months and years, never a count of days that reads more exact than
    the date it stands for. An expiry known only to its month or year may have fallen on any
    day of it: the time since its last day is the least that has passed, "berakhir
    sekurang-kurangnya 11 bulan yang lalu" (``Agreement.expires_by_a_periods_end``)."""
    ago = {"ago": timesince(agreement.expires_by, today)}
    if agreement.expires_by_a_periods_end:
        return _("berakhir sekurang-kurangnya %(ago)s yang lalu") % ago
    return _("berakhir %(ago)s yang lalu") % ago


# Up to this many days, the time left is said in days ("berakhir dalam 45 hari"); beyond, in
# years and months, as the time since an end is (``ended_ago``).
DAYS_COUNTED = 60


@register.simple_tag
def ends_in(agreement, today):
    """How long ``agreement``, not yet ended, has left on ``today``: "berakhir dalam 45 hari"
    within ``DAYS_COUNTED`` days, beyond in the words ``ended_ago`` tells the past in
    ("berakhir dalam 3 tahun, 9 bulan", not "berakhir dalam 1.382 hari"), counted to the last
    day its expiry covers (``Agreement.days_until_expiry_on``), the last two days as "hari ini"
    and "besok"; "" with no expiry or past it.
    An expiry known only to its month or year may fall on any day of it: the time to its last
    day is the most left, "berakhir paling lambat dalam 24 hari"
    (``Agreement.expires_by_a_periods_end``)."""
    days = agreement.days_until_expiry_on(today)
    if days is None or days < 0:
        return ""
    at_the_latest = agreement.expires_by_a_periods_end
    if days == 0:
        return _("berakhir paling lambat hari ini") if at_the_latest else _("berakhir hari ini")
    if days == 1:  # as one says it, not "dalam 1 hari"
        return _("berakhir paling lambat besok") if at_the_latest else _("berakhir besok")
    if days <= DAYS_COUNTED:
        if at_the_latest:
            said = ngettext(
                "berakhir paling lambat dalam %(number)s hari",
                "berakhir paling lambat dalam %(number)s hari",
                days,
            )
        else:
            said = ngettext(
                "berakhir dalam %(number)s hari", "berakhir dalam %(number)s hari", days
            )
        return said % {"number": intcomma(days)}
    left = {"left": timeuntil(agreement.expires_by, today)}
    if at_the_latest:
        return _("berakhir paling lambat dalam %(left)s") % left
    return _("berakhir dalam %(left)s") % left
