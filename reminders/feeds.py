"""Atom feeds of newly signed and newly changed public agreements: one beside every list page.

``…/feed.atom`` sits next to the agreement list and each region, partner, country and sector
page, carrying the page's query string: the feed holds the latest ``FEED_LENGTH`` agreements of
the page's selection, filtered by the page's own ``AgreementFilter``
(``agreements.export_views.selection``), most recently changed first. A feed tells what is new;
the page and its downloads hold the whole selection. ``/feeds/agreements.atom`` is the list's
feed under its older address.

Each feed names itself (``rel="self"``) with its query string: a reader subscribed to one
selection is not pointed at another. An entry's id is a tag URI on the
host of ``SITE_URL`` that never changes, whatever address the feed was fetched at.

Public only, whoever asks: feed readers fetch without logging in, and aggregators cache and
pass the feed on, so it never depends on the reader.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agreements import changelog
from agreements.dates import DatePrecision
from agreements.export_views import bad_filters, selection
from agreements.models import Agreement
from common.text import printable

from .follow import named_with_selection
from .ical import carried_on_note, uid_domain

# The most entries a feed holds: the latest of its selection (a feed is for what is new).
FEED_LENGTH = 50


class PrintableAtomFeed(Atom1Feed):
    """An Atom feed whose texts leave out the control characters XML cannot hold
    (``common.text``): stored before they were refused, one such character in a title made the
    feed of every list holding it, and the change log's for good, answer with an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*printable(args), **{name: printable(v) for name, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*printable(args), **{name: printable(v) for name, v in kwargs.items()})


class InvalidSelection(Exception):
    def __init__(self, form):
        self.form = form


class ReadFeed(Feed):
    """A feed, read as every page is read: GET or HEAD, anything else refused (405) rather
    than answered with the feed; a selection its address cannot make is a 400 that says why."""

    feed_type = PrintableAtomFeed

    @method_decorator(require_safe)
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidSelection as invalid:
            return bad_filters(invalid.form)


def with_query(path, request):
    """``path`` with the request's query string, as the request gave it."""
    query = request.GET.urlencode()
    return f"{path}?{query}" if query else path


class AgreementsFeed(ReadFeed):
    """The feed of one list page's selection; ``subject`` names the page (None: the list)."""

    subject = None

    def __init__(self, subject=None):
        self.subject = subject

    def get_object(self, request, *args, **kwargs):
        """The page's selection: (its filterset, its subject or None, the page's address, the
        feed's own address), both addresses with the query string."""
        # Passed on to anyone: selected as the public may select (no budget filter).
        filterset, subject = selection(
            request, Agreement.objects.public(), self.subject, kwargs, reader=AnonymousUser()
        )
        if not filterset.is_valid():
            raise InvalidSelection(filterset.form)
        # The page the feed sits beside (the list, for the feed under its first address).
        page = request.path.removesuffix("feed.atom")
        if page == request.path:
            page = reverse("agreement-list")
        return filterset, subject, with_query(page, request), with_query(request.path, request)

    def title(self, obj):
        filterset, subject, *_addresses = obj
        if subject is None:
            name = _("Kerja sama daerah: terbaru")
        else:
            name = _("Kerja sama daerah: %(subject)s") % {"subject": subject.name}
        # Its filters as the public may read them: the selection is read for the public.
        return named_with_selection(name, filterset)

    def subtitle(self, obj):
        return _("Kerja sama publik yang baru ditandatangani atau baru diubah.")

    def link(self, obj):
        _filterset, _subject, page, _feed = obj
        return page

    def feed_url(self, obj):
        return obj[3]

    def items(self, obj):
        filterset, *_rest = obj
        # Recording a signature changes the agreement, so "newly changed" covers newly signed.
        return (
            filterset.qs.with_public_since()
            .with_termination()
            # An expiry already extended or followed up says so (``ical.carried_on_note``):
            # of the public, as the feed is read.
            .marking_carried_on(Agreement.objects.public())
            .select_related("lead_region")
            .prefetch_related("regions", "partners")
            .order_by("-updated_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return item.shown_title

    def item_description(self, item):
        # Rendered as HTML by feed readers: everything a user typed is escaped.
        facts = [
            (_("Jenis"), item.get_kind_display()),
            (_("Status"), item.get_shown_status_display()),
            (_("Daerah pengampu"), item.lead_region.name),
            (_("Para pihak"), ", ".join(party.name for party in self.parties(item))),
        ]
        if item.signed_on:
            facts.append((_("Ditandatangani"), str(item.known("signed_on"))))
        if item.status == item.Status.TERMINATED:
            # Ended on the day its termination step was done, not on the expiry first agreed.
            ended = item.terminated_on
            facts.append((_("Diakhiri pada"), str(ended) if ended else _("tanggal tidak tercatat")))
        elif item.expires_on:
            ends = str(item.known("expires_on"))
            note = carried_on_note(item)
            facts.append((_("Berakhir pada"), f"{ends} · {note}" if note else ends))
        description = format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", facts))
        if item.shown_summary:
            description += format_html("<p>{}</p>", item.shown_summary)
        return description

    @staticmethod
    def parties(item):
        # The lead region first, as the list's rows and the status page name them.
        return [*item.regions_lead_first, *item.partners.all()]

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        """A tag URI (RFC 4151) naming the agreement, as the change log's feed names a version:
        the same whatever address the feed was fetched at (``http`` or ``https``, a host name
        or an address, through a proxy or not), so a reader never sees an entry twice. Dated
        by the day the public could first read it (``with_public_since``), as its entry is
        published: not by the day the record was begun, which for a draft kept internal and
        published later would tell how long the bureau kept it."""
        first_public = item.public_since.astimezone(datetime.UTC)
        return f"tag:{uid_domain()},{first_public:%Y-%m-%d}:agreement/{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item):
        return item.lead_region.name

    def item_updateddate(self, item):
        # Never before it was published (``item_pubdate``): a record made public is saved,
        # and its first public version is written just after the agreement's own time stamp.
        return max(item.updated_at, item.public_since or item.updated_at)

    def item_pubdate(self, item):
        signed = item.known("signed_on")
        if signed is not None and signed.precision == DatePrecision.DAY:
            return timezone.make_aware(datetime.datetime.combine(signed.date, datetime.time()))
        # Not when the record was begun: it may have been internal then. Nor the first day of
        # the month or year a signing is known to: feed readers would show "1 January 2024"
        # for a text signed some time in 2024 (the entry's description says "2024").
        return item.public_since

    def item_categories(self, item):
        return [item.get_kind_display()]


class ChangesFeed(ReadFeed):
    """The public change log (``agreements.changelog``) as a feed: one entry per saved version,
    saying which public fields changed from what to what, and in which role.

    Site-wide with the list's filters (``/perubahan/feed.atom``), or one agreement's
    (``/agreements/<pk>/feed.atom``, linked from its status page; 404 unless it is public).
    Public only, whoever asks, like the agreements' feed.
    """

    def __init__(self, one_agreement=False):
        self.one_agreement = one_agreement

    def get_object(self, request, pk=None):
        """(the one agreement's rows, else the list's filterset; the one agreement or None; the
        change log's address; the feed's own address), both addresses with the query string."""
        public = Agreement.objects.public()
        if self.one_agreement:
            agreement = get_object_or_404(public, pk=pk)
            return public.filter(pk=pk), agreement, agreement.get_absolute_url(), request.path
        # Newest first, as the change log: no order of the list (``ordered``).
        filterset, _subject = selection(
            request, public, None, {}, reader=AnonymousUser(), ordered=False
        )
        if not filterset.is_valid():
            raise InvalidSelection(filterset.form)
        page = reverse("change-log")
        return filterset, None, with_query(page, request), with_query(request.path, request)

    def title(self, obj):
        selected, agreement, *_addresses = obj
        if agreement is None:
            return named_with_selection(_("Kerja sama daerah: riwayat perubahan"), selected)
        return _("Riwayat perubahan: %(agreement)s") % {"agreement": agreement.shown_title}

    def link(self, obj):
        return obj[2]

    def feed_url(self, obj):
        return obj[3]

    def items(self, obj):
        selected, agreement, *_rest = obj
        agreements = selected if agreement is not None else selected.qs
        return changelog.entries(changelog.history(agreements)[:FEED_LENGTH])

    def item_title(self, entry):
        if entry.kind == "changed":
            # Each field once, and each kind of row once however many of them changed.
            fields = ", ".join(dict.fromkeys(change.topic for change in entry.changes))
            return _("%(agreement)s: %(fields)s diubah") % {
                "agreement": entry.title,
                "fields": fields,
            }
        if entry.kind == "published":
            return _("%(agreement)s: diterbitkan") % {"agreement": entry.title}
        if entry.kind == "saved":
            return _("%(agreement)s: disimpan") % {"agreement": entry.title}
        return _("%(agreement)s: dicatat") % {"agreement": entry.title}

    def item_description(self, entry):
        rows = [(change.label, change.old, change.new) for change in entry.changes]
        description = format_html("<p>{}</p>", _("Diubah oleh: %(role)s") % {"role": entry.role})
        if rows:
            description += format_html(
                "<ul>{}</ul>", format_html_join("", "<li>{}: {} → {}</li>", rows)
            )
        return description

    def item_link(self, entry):
        return reverse("agreement-detail", args=[entry.agreement_id]) + "#riwayat-perubahan"

    def item_guid(self, entry):
        """A tag URI (RFC 4151) naming the version: absolute, and the same whatever address
        the feed was fetched at (the site's configured host, ``SITE_URL``) and however often.
        The version is named by the moment it was saved (as its entry is dated), not by its
        number, which counts every agreement's versions: two public versions numbered 7 and
        10 told that two versions of records kept from the reader were saved between them."""
        saved = entry.when.astimezone(datetime.UTC)
        return (
            f"tag:{uid_domain()},{saved:%Y-%m-%d}:"
            f"agreement/{entry.agreement_id}/version/{saved:%Y%m%dT%H%M%S.%fZ}"
        )

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.when

    def item_updateddate(self, entry):
        return entry.when
