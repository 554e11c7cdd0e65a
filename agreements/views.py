"""Public pages of the register: the agreement list, an agreement's status page, its documents,
and the page of a sector.

Every page starts from ``Agreement.objects.visible_to(request.user)``: the public never sees,
counts or downloads an internal agreement. Lists go through ``browse``, which the region,
partner and country pages (``agreements.party_views``) share.
"""

import datetime
import hashlib
import json
from functools import wraps
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agreements import changelog
from agreements.caching import CachedCountPaginator, shared_version
from agreements.export_columns import COLUMNS, TABLE_NAMES, TABLES, download_note
from agreements.export_views import SUBJECTS
from agreements.filters import AgreementFilter
from agreements.import_tables import READ_ONLY
from agreements.models import (
    Agency,
    Agreement,
    Potential,
    Scope,
    Sector,
    progress_of_chain,
    reads_internal,
)
from agreements.paging import SearchPaginator, page_asked
from common.parameters import refuse_unknown, without_tracking

PAGE_SIZE = 25
# Filters always in view; the others fold away under "more filters" until one is in use.
BASIC_FILTERS = ("q", "region", "scope", "waits_on", "kind", "status", "sector")
# Columns whose header sorts the table: column → (ascending sort, descending sort).
SORTABLE_COLUMNS = {
    "title": ("title", "-title"),
    "signed": ("signed", "-signed"),
    "expires": ("expires", "-expires"),
}


def query_string(data, **changes):
    """``data`` (a QueryDict) as a query string with ``changes`` applied; None removes a key."""
    data = data.copy()
    for key, value in changes.items():
        data.pop(key, None)
        if value is not None:
            data[key] = value
    return data.urlencode()


def filter_chips(filterset):
    """The filters in effect as (label, value, query string without it) for removable chips.

    A filter of several values has a chip for each, which removes that value only. A partner
    or an agency the public may not know of is marked "Internal" (``internal``), as the form's
    options mark it (``AgreementFilter.chosen_beyond_public``): only a reader of internal
    records may choose one."""
    if not filterset.is_valid():
        return []
    form = filterset.form
    beyond_public = filterset.chosen_beyond_public
    chips = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name == "sort" or value in (None, "") or (_is_several(value) and not value):
            continue
        if _is_several(value):
            labels = dict(field.choices) if not hasattr(field, "queryset") else {}
            for item in value:
                raw = getattr(item, "slug", item)
                shown = item.name if hasattr(item, "name") else labels.get(item, item)
                remaining = [v for v in filterset.data.getlist(name) if v != str(raw)]
                data = filterset.data.copy()
                data.setlist(name, remaining)
                chips.append(
                    {
                        "label": field.label,
                        "value": shown,
                        "remove_query": query_string(data, page=None),
                    }
                )
            continue
        if isinstance(value, Agency):
            shown = str(value)  # "Dinas Pendidikan (Disdik) — Bali": names repeat across regions
        elif hasattr(field, "queryset"):
            shown = value.name if hasattr(value, "name") else str(value)
        elif hasattr(field, "choices"):
            shown = dict(field.choices).get(value, value)
        elif name == "q":
            shown = f"“{value}”"
        elif isinstance(value, int):
            shown = str(value)  # a year, never "2.024"
        else:
            shown = value
        chips.append(
            {
                "label": field.label,
                "value": shown,
                "internal": name in beyond_public,
                "remove_query": query_string(filterset.data, **{name: None, "page": None}),
            }
        )
    return chips


def _is_several(value):
    return isinstance(value, list | tuple) or hasattr(value, "model")


# Questions officials ask of the list, one click each on top of the filters in use.
SHORTCUTS = (
    (
        gettext_lazy("Kerja sama luar negeri yang menunggu DPRD atau kementerian"),
        {"scope": [Scope.KSDPL, Scope.KSDLL], "waits_on": ["dprd", "kemendagri", "kemlu"]},
    ),
    (gettext_lazy("Yang mati suri"), {"dormant": ["yes"]}),
)


def shortcuts(data, fixed=()):
    """Each of ``SHORTCUTS`` as a query string: the filters in use with its own added. None
    that the filters in use already ask (the dormant ones, on the list of the dormant): its
    link led back to the page it was on, and nothing changed when a reader followed it."""
    links = []
    for label, filters in SHORTCUTS:
        if any(name in fixed for name in filters):
            continue
        if all(
            sorted(data.getlist(name)) == sorted(str(value) for value in values)
            for name, values in filters.items()
        ):
            continue
        query = data.copy()
        for name, values in filters.items():
            query.setlist(name, [str(value) for value in values])
        query.pop("page", None)
        links.append({"label": label, "query": query.urlencode()})
    return links


def sort_headers(filterset):
    """For each sortable column: the query string that sorts by it and its current order."""
    current = filterset.current_sort
    headers = {}
    for column, (ascending, descending) in SORTABLE_COLUMNS.items():
        if current == ascending:
            order, next_sort = "ascending", descending
        elif current == descending:
            order, next_sort = "descending", ascending
        else:
            order, next_sort = "", ascending if column == "title" else descending
        headers[column] = {
            "order": order,
            "query": query_string(filterset.data, sort=next_sort, page=None),
        }
    return headers


def describe_errors(form):
    """Each invalid field's label and message, with the id of its control to link to; a
    problem of no field (a filter the page fixes, asked for otherwise) by its message alone."""
    errors = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        for message in messages:
            errors.append(
                {
                    "label": field.label if field else None,
                    "message": message,
                    "anchor": form[name].auto_id if field else None,
                }
            )
    return errors


def selection_feeds(query, page="", filterset=None):
    """The Atom and iCalendar feeds of the selection a list page shows, beside the page
    (``…/feed.atom``, ``…/calendar.ics``) with its query string: for the page's links and the
    ``<link rel="alternate">`` in its head. ``page`` is the list page's path when the links are
    shown elsewhere (the dashboard links the whole list's). No Atom feed where ``filterset``,
    the page's, selects by what the public may not (``public_feed_note``): that feed is read
    for the public and would hold another selection, or refuse a partner the public does not
    know of."""
    suffix = f"?{query}" if query else ""
    atom = [
        {
            "type": "application/atom+xml",
            "href": f"{page}feed.atom{suffix}",
            "name": "Atom",
            "title": _("Umpan Atom: kerja sama yang baru diubah dalam pilihan ini"),
        }
    ]
    return [
        *([] if public_feed_note(filterset) else atom),
        {
            "type": "text/calendar",
            "href": f"{page}calendar.ics{suffix}",
            "name": "iCalendar",
            "title": _("Kalender (iCalendar): tahapan dan tanggal berakhir dalam pilihan ini"),
        },
    ]


# Why a page offers no Atom feed, by what its selection names that the feed, read for the
# public, cannot hold (``public_feed_note``): each the ``AgreementFilter`` property listing the
# filters that do so, by their labels, and what the page then says of them, in that order.
NO_PUBLIC_FEED_BECAUSE = (
    # The filters only officials and staff select by, which the feed ignores.
    (
        "selects_beyond_public",
        gettext_lazy(
            "Tanpa umpan Atom: umpan Atom terbuka untuk umum dan tidak memilih menurut "
            "%(filters)s, yang hanya untuk pejabat dan staf."
        ),
    ),
    # A partner or an agency the public does not know of, whose address the feed refuses.
    (
        "names_beyond_public",
        gettext_lazy(
            "Tanpa umpan Atom: umpan Atom terbuka untuk umum, sedangkan %(filters)s yang "
            "dipilih di sini hanya dikenal dari kerja sama internal."
        ),
    ),
)


def public_feed_note(filterset):
    """Why the page of ``filterset`` offers no Atom feed, or "" when it offers one: the Atom
    feeds are read for the public, whoever fetches them, and ignore the filters only officials
    and staff select by (``AgreementFilter.selects_beyond_public``); beside a selection made by
    one, such a feed would be every agreement under the name of a few. Nor where it names a
    partner or an agency the public does not know of (``AgreementFilter.names_beyond_public``):
    read for the public, the feed refuses that address. The first reason of
    ``NO_PUBLIC_FEED_BECAUSE`` that holds is said; the next is read only where none before
    it held."""
    if filterset is None:
        return ""
    for attribute, note in NO_PUBLIC_FEED_BECAUSE:
        if labels := getattr(filterset, attribute):
            return note % {"filters": ", ".join(f"“{label}”" for label in labels)}
    return ""


def conflict_links(request, filterset):
    """Where a subject page whose address sets a filter the page fixes otherwise
    (``AgreementFilter.fixed_conflicts``) leads instead, as (text, address): the page without
    the filters it fixes, the agreement list with the address's filters as they are, and the
    page of each subject the address named (a city's, from its province's page), with the
    other filters. Empty when there is no conflict."""
    conflicts = filterset.fixed_conflicts()
    if not conflicts:
        return []
    others = query_string(request.GET, page=None, **dict.fromkeys(filterset.fixed))
    links = [
        {
            "text": _("Halaman ini tanpa filter tersebut"),
            "href": f"{request.path}?{others}" if others else request.path,
        },
        {
            "text": _("Daftar semua kerja sama dengan filter dari alamat ini"),
            "href": f"{reverse('agreement-list')}?{query_string(request.GET, page=None)}",
        },
    ]
    for conflict in conflicts:
        for item in conflict.given:
            if hasattr(item, "get_absolute_url") and item != conflict.subject:
                page = item.get_absolute_url()
                links.append(
                    {
                        "text": _("Halaman %(subject)s") % {"subject": item.name},
                        "href": f"{page}?{others}" if others else page,
                    }
                )
    return links


def reads_no_parameters(view):
    """``view``, a page that reads no parameter of its address (the dashboard, an agreement's
    status page), refusing one (400, naming it: ``common.parameters.unknown_parameters``), as
    the lists refuse a parameter they do not read. Answered with the page, ``/?region=64``
    showed the whole register's dashboard as though it were Kaltim's, and each value of a
    made-up parameter kept one more copy of the page in the shared cache, each built afresh. A
    link's tracking is let through, to be sent on to the address without it
    (``caching.tracking_left_out``)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            refuse_unknown(request.GET, ())
        except ValidationError as refused:
            context = {"message": refused.messages[0]}
            return render(request, "parameters_refused.html", context, status=400)
        return view(request, *args, **kwargs)

    return wrapped


def only_what_is_set(view, *, subject=None, ordered=True):
    """``view``, a list page (of ``subject``, a key of ``SUBJECTS``; None: the agreement list),
    at an address naming only the filters set: one naming what sets nothing, as its filter
    form sends every field it holds (``?q=&region=&sort=relevance``, ``AgreementFilter.unset_in``),
    is sent on to the address without it, before anything is read, and so, in the same step,
    is one naming a link's tracking (``?utm_source=…``, ``without_tracking``). The address a reader
    shares or bookmarks after applying the filters says what they chose, and nothing else;
    no script is needed for it. ``ordered`` False is for a page that offers no order (the
    change log), where ``?sort=`` stays refused."""
    reads = SUBJECTS[subject].reads if subject else ()

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        kept = without_tracking(
            AgreementFilter.without_unset(request.GET, reads=reads, ordered=ordered)
        )
        if kept is not request.GET:
            query = kept.urlencode()
            return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        return view(request, *args, **kwargs)

    return wrapped


def browse(request, agreements, *, fixed=None, reads=(), rows=None, selection=None, ordered=True):
    """Filter, sort and paginate ``agreements`` by the query string, for the list include.

    Returns the template context and the HTTP status: 400 with the problems spelt out when a
    parameter is malformed (a bad date, an unknown choice or sort, a page that is not one, a
    filter of one value or the page given twice), in which case no rows are read.

    Queries: five for the form's lists (``AgreementFilter.offer_choices``), one per region,
    partner, agency, country or sector named in the query string (validation), then one COUNT,
    one for the page's rows (each with its change counter, ``page_signature``, and whether a
    signed extension the reader may see already extends it, ``is_extended``, or a signed
    follow-up carries it on, ``is_followed_up``) and three for
    their regions, partners and sectors (``AgreementQuerySet.for_list_page``). The lists and the
    COUNT are cached until the register changes (``agreements.caching``), outside a transaction.

    ``rows`` turns the filtered agreements into what the page lists (by default the agreements
    themselves; the change log lists their history). ``fixed`` maps the filters a subject page
    fixes to its subject (``export_views.SUBJECTS``); an address setting one otherwise is a 400
    with ``conflict_links`` (``AgreementFilter.fixed_conflicts``). ``selection`` holds the
    list filters a subject page stands for ({"region": "64"} on a region's page), so that
    following the page follows the same agreements on the list. ``reads`` names the page's
    parameters besides the filters (``Subject.reads``); any other is refused. ``ordered`` False
    is for a page that keeps its own order (``AgreementFilter``'s ``ordered``).
    """
    fixed = fixed or {}
    filterset = AgreementFilter(
        request.GET,
        queryset=agreements,
        fixed=fixed,
        reads=reads,
        request=request,
        ordered=ordered,
    )
    filterset.offer_choices()
    errors = describe_errors(filterset.form) if not filterset.is_valid() else []
    page = None
    if not errors:
        listed = (
            rows(filterset.qs)
            if rows
            else filterset.qs.for_list_page()
            .with_change_count()
            # Each row says it is already extended or followed up, as the dashboard's list of
            # what expires soon does, where the reader may see the signed extension
            # (``is_extended``) or follow-up (``is_followed_up``).
            .marking_carried_on(Agreement.objects.visible_to(request.user))
        )
        searched = not rows and filterset.form.cleaned_data.get("q")
        paginator = (SearchPaginator if searched else CachedCountPaginator)(listed, PAGE_SIZE)
        page, errors = page_or_errors(paginator, request.GET)
    form = filterset.form
    return {
        "conflict_links": conflict_links(request, filterset),
        "filterset": filterset,
        "form": form,
        "basic_filters": BASIC_FILTERS,
        # The page's parameters besides the filters (a region's ``potential_sector``), kept
        # when the filters are applied, as the potentials' form keeps the filters.
        "kept_parameters": [
            (name, value) for name in reads for value in request.GET.getlist(name) if value
        ],
        "more_filters_open": any(
            name not in BASIC_FILTERS and (request.GET.get(name) or name in form.errors)
            for name in form.fields
        ),
        "errors": errors,
        "page_obj": page,
        "agreements": page.object_list if page else [],
        "chips": filter_chips(filterset),
        "shortcuts": shortcuts(request.GET, fixed),
        "sort_headers": sort_headers(filterset),
        "page_query": query_string(request.GET, page=None),
        "download_note": download_note(request.user),
        # A selection that cannot be read has no feed to offer.
        "feeds": []
        if errors
        else selection_feeds(query_string(request.GET, page=None), filterset=filterset),
        "feeds_note": "" if errors else public_feed_note(filterset),
        "follow_query": query_string(request.GET, page=None, sort=None, **(selection or {})),
        "page_range": (
            page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            if page
            else []
        ),
    }, (400 if errors else 200)


def page_or_errors(paginator, data):
    """The page the query string ``data`` asks for (``paging.page_asked``) and no problems, or
    None and the problem with the page number, as ``describe_errors`` gives a field's."""
    try:
        return page_asked(paginator, data), []
    except ValidationError as refused:
        return None, [{"label": _("Halaman"), "message": message} for message in refused.messages]


def page_signature(shared, context, status, *more):
    """What a list page drawn from ``browse``'s ``context`` shows that the database decides, as
    a short digest: the shared tables' version ``shared`` (the names of regions, partners and
    sectors), the problems of its filters, the filter form's choices and chips, the count, and
    each agreement listed with its change counter (its row, parties, sectors, milestones;
    ``AgreementQuerySet.with_change_count``) and whether it is already extended or followed up
    (``browse``'s ``is_extended``, ``is_followed_up``: the signing of its extension or its
    follow-up is no change of its own rows); and ``more``,
    what else the page shows (plain
    values). The rest of the page follows from its address, the reader, the language and the
    day, which the page's key names (``caching.cached_page``). Reads the page's rows, if they
    were not read yet."""
    page = context["page_obj"]
    shown = [
        shared,
        status,
        context["errors"],
        context["chips"],
        [
            [name, list(field.widget.choices)]
            for name, field in context["form"].fields.items()
            if hasattr(field.widget, "choices")
        ],
        page
        and [
            page.paginator.count,
            getattr(page.paginator, "more", False),
            page.number,
            [
                [
                    agreement.pk,
                    agreement.change_count,
                    agreement.is_extended,
                    agreement.is_followed_up,
                ]
                for agreement in page.object_list
            ],
        ],
        *more,
    ]
    return hashlib.sha256(json.dumps(shown, default=str).encode()).hexdigest()


def row_values(record):
    """Every value ``record`` (a model instance) stores, as plain values for a page's signature:
    whatever of the row the page shows, a change to it changes the signature."""
    return [
        record._meta.label,
        *(getattr(record, field.attname) for field in record._meta.concrete_fields),
    ]


class SignedPage(View):
    """A page ``caching.shared_page`` keeps past saves that leave it as it was (``sign=`` its
    ``signed``). ``read(request, **kwargs)`` gives the page's context and status, and what it
    shows that the database decides, as plain values (``signature``); ``template_name`` draws
    it."""

    template_name = None

    def get(self, request, **kwargs):
        context, status, _shown = self.read(request, **kwargs)
        return render(request, self.template_name, context, status=status)

    @staticmethod
    def signature(shared, context, status, shown):
        """A short digest of what the page shows: the shared tables' version ``shared`` (the
        names of regions, partners, sectors), its status and ``shown``."""
        return hashlib.sha256(
            json.dumps([shared, status, *shown], default=str).encode()
        ).hexdigest()

    @classmethod
    def signed(cls, request, **kwargs):
        """The page's signature, read before or with what it shows, and the function that
        draws it."""
        shared = shared_version()
        context, status, shown = cls.read(request, **kwargs)
        signature = cls.signature(shared, context, status, shown)
        return signature, lambda: render(request, cls.template_name, context, status=status)


class SignedListPage(SignedPage):
    """A ``SignedPage`` built on ``browse``'s list: what ``read`` gives besides it is what the
    page shows besides the list, and its signature is ``page_signature``."""

    @staticmethod
    def signature(shared, context, status, shown):
        return page_signature(shared, context, status, *shown)


class AgreementListView(SignedListPage):
    template_name = "agreements/agreement_list.html"

    @staticmethod
    def read(request):
        """``browse`` over what the reader may see; nothing besides."""
        context, status = browse(request, Agreement.objects.visible_to(request.user))
        return context, status, ()


class ChangeLogView(View):
    """``/perubahan/``: what changed in the agreements the reader may see, newest first,
    filtered like the list (``agreements.changelog``).

    Queries: those of ``browse`` for the form, then one COUNT and one page of versions, and the
    five of ``changelog.entries``.
    """

    def get(self, request):
        agreements = Agreement.objects.visible_to(request.user)
        public = changelog.reads_public_history(request.user)
        # Newest first, always: the log offers no order of the list (``ordered``).
        context, status = browse(
            request,
            agreements,
            rows=lambda qs: changelog.history(qs, public=public),
            ordered=False,
        )
        context["entries"] = changelog.entries(context["agreements"], public=public)
        # Read for the public, the log's feed holds no selection by the budget's source.
        context["feeds"] = (
            []
            if context["feeds_note"]
            else [
                {
                    "type": "application/atom+xml",
                    "href": "feed.atom"
                    + (f"?{context['page_query']}" if context["page_query"] else ""),
                    "name": "Atom",
                    "title": _("Umpan Atom: perubahan dalam pilihan ini"),
                }
            ]
        )
        return render(request, "agreements/change_log.html", context, status=status)


def carried_on(document, chain, today, shown):
    """Where the cooperation of ``document`` goes on, read from its ``chain`` (no query): the
    text carrying an ended one on (``Agreement.continued_in``), the text a signed LoI led to
    (``Agreement.followed_up_in``) and whether that one has ended too. The status page's
    summary and each row of its chain say it from here, alike."""
    followed_up_in = document.followed_up_in(chain, today, shown)
    return {
        "continued_in": document.continued_in(chain, today, shown),
        "followed_up_in": followed_up_in,
        "followed_up_ended": followed_up_in is not None and followed_up_in.has_ended_on(today),
    }


def status_page_context(request, pk):
    """Everything the status page of agreement ``pk`` shows, or 404 if the reader may not see it.

    Queries: the agreement with its lead region, then its regions, partners, sectors,
    implementing agencies, signatories, milestones and documents
    (``AgreementQuerySet.for_status_page``), then every document of its chain with its lead
    region and their milestones (``AgreementQuerySet.chains``): ten in all, however long the
    chain.

    Where it stands is read along the chain (``progress_of_chain``); the chain lists the
    documents the reader may see.
    """
    visible = Agreement.objects.visible_to(request.user)
    agreement = get_object_or_404(visible.for_status_page(request.user), pk=pk)
    public = changelog.reads_public_history(request.user)
    records = changelog.history(visible.filter(pk=agreement.pk), public=public)
    changes = changelog.entries(records[: changelog.STATUS_PAGE_LENGTH], public=public)
    chain = list(Agreement.objects.filter(pk=agreement.pk).chains().for_chain_page())
    if not any(document.pk == agreement.pk for document in chain):
        # A chain that loops back on itself has no first document to be read from: recorded
        # before loops were refused (``Agreement.clean``), it is shown as the agreement alone.
        chain = list(Agreement.objects.filter(pk=agreement.pk).for_chain_page())
    today = timezone.localdate()
    progress = progress_of_chain(chain, today=today)
    stages, step = progress[agreement.pk]
    shown = {document.pk for document in chain if document.is_visible_to(request.user)}
    documents = [
        {
            "agreement": document,
            "depth": depth,
            "status": document.shown_status_on(today),
            "next_step": document.step_shown_on(progress[document.pk][1], today),
            # With no step of its own, where its cooperation goes on, as its own page's
            # summary says it: an ended MoU's row said "no next step" beside its extension.
            **carried_on(document, chain, today, shown),
            "is_current": document.pk == agreement.pk,
            # How it follows the text before it, only where the reader sees that text: one
            # hung from an earlier text in place of an unseen one does not follow it so, and
            # a relation alone would tell there is another (as the downloads keep it). Not
            # where its kind already says it: an amendment that amends, an extension that
            # extends ("Amendemen / adendum · Amendemen / adendum").
            # Named shortly ("Turunan"): the example the admin gives with it is for the clerk.
            "relation": document.get_relation_short_display()
            if depth
            and document.follows_id in shown
            and document.get_relation_short_display() != document.get_kind_display()
            else "",
        }
        for document, depth in chain_order(chain, shown)
    ]
    days_left = agreement.days_until_expiry_on(today)
    going_on = carried_on(agreement, chain, today, shown)
    continued_in, followed_up_in = going_on["continued_in"], going_on["followed_up_in"]
    ended_text = agreement.ended_text_carried_out(chain, today, shown)
    # An amendment still recorded signed beside the text it amends, terminated since.
    amended_ended = agreement.amended_text_ended(chain, today, shown)
    # Where the reader may see the text it carries out; once that text has ended, the note of
    # ``ended_text`` says so instead.
    term_overrun = None if ended_text else agreement.runs_past_text_carried_out(chain, shown)
    # An amendment's line as the reader sees it, where that is not the public's: an official
    # sees the activities of the internal MoU its public addendum is part of, and their lists
    # and counts read it so (``Agreement.last_sign_of_life_read``).
    read_apart = agreement.line_read_apart_for(chain, shown)
    last_sign_of_life = agreement.latest_sign_of_life(chain, shown=read_apart)
    return {
        "agreement": agreement,
        "today": today,
        "days_left": days_left,
        "days_ago": -days_left if days_left is not None and days_left < 0 else None,
        "status": agreement.shown_status_on(today),
        # A terminated agreement ended on the day its termination step was done.
        "terminated_on": agreement.terminated_on,
        "stages": stages,
        "next_step": agreement.step_shown_on(step, today),
        # An ended text whose cooperation goes on (its extension, its PKS) says so, and where.
        "continued_in": continued_in,
        "continued_status": continued_in and continued_in.shown_status_on(today),
        # A signed LoI says what it led to: the text going on, or the one its cooperation
        # ended with.
        "followed_up_in": followed_up_in,
        "followed_up_status": followed_up_in and followed_up_in.shown_status_on(today),
        "followed_up_ended": going_on["followed_up_ended"],
        # A text still running whose extension is signed says so beside its end.
        "extended_by": agreement.extended_by(chain, shown),
        # And one whose follow-up is signed (the MoU after its LoI, the PKS after its MoU).
        "followed_up_by": agreement.followed_up_by(chain, shown),
        # A PKS going on under an MoU that has ended says so, for the reader to see to it.
        "ended_text": ended_text,
        "amended_text_ended": amended_ended,
        "amended_text_status": amended_ended and amended_ended.shown_status_on(today),
        "ended_text_status": ended_text and ended_text.shown_status_on(today),
        # A PKS whose term runs past the text it carries out says so, naming it.
        "term_overrun": term_overrun,
        "term_overrun_status": term_overrun and term_overrun.text.shown_status_on(today),
        "chain": documents if len(documents) > 1 else [],
        "shown_in_chain": shown,
        "is_dormant": agreement.is_dormant_on(today, inside=reads_internal(request.user)),
        "last_sign_of_life": last_sign_of_life,
        # Recorded on another text of its line (the PKS carrying it out): the warning names it.
        "last_sign_of_life_on": agreement.document_of_step(last_sign_of_life, chain, shown),
        "admin_url": admin_change_url(request.user, agreement),
        # Budget and contact persons: officials and staff only (one more query for them).
        "internal_details": reads_internal(request.user),
        "contacts": list(agreement.contacts.all()) if reads_internal(request.user) else [],
        "changes": changes,
        "feeds": [
            *(
                [
                    {
                        "type": "application/atom+xml",
                        "href": reverse("agreement-changes-atom", args=[agreement.pk]),
                        "name": "Atom",
                        "title": _("Umpan Atom: riwayat perubahan kerja sama ini"),
                    }
                ]
                if agreement.visibility == Agreement.Visibility.PUBLIC
                else []
            ),
            {
                "type": "text/calendar",
                "href": reverse("calendar-agreement", args=[agreement.pk]),
                "name": "iCalendar",
                "title": _("Kalender (iCalendar): tahapan dan tanggal berakhir kerja sama ini"),
            },
        ],
    }


def chain_order(chain, shown):
    """The documents of a chain the reader may see (``shown``), from its first, each followed by
    those that follow it (by signing date, then as recorded), with their depth.

    A document that follows one the reader may not see hangs from the nearest one before it
    they may, as if that were its own: the public page of a follow-up of an internal draft
    shows no gap where the draft would be.
    """
    by_pk = {document.pk: document for document in chain}

    def shown_parent(document):
        parent, passed = document.follows_id, set()
        while parent in by_pk and parent not in shown and parent not in passed:
            passed.add(parent)
            parent = by_pk[parent].follows_id
        return parent if parent in shown else None

    children = {}
    for document in chain:
        if document.pk in shown:
            children.setdefault(shown_parent(document), []).append(document)
    for followers in children.values():
        followers.sort(key=lambda a: (a.signed_on or datetime.date.max, a.pk))
    ordered, stack, seen = [], [(root, 0) for root in reversed(children.get(None, []))], set()
    while stack:
        document, depth = stack.pop()
        if document.pk in seen:
            continue
        seen.add(document.pk)
        ordered.append((document, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(document.pk, [])))
    return ordered


def admin_change_url(user, agreement):
    """The admin page to change ``agreement``, for staff allowed to change it (an editor: an
    agreement of their regions); otherwise None."""
    if not (
        user.is_staff
        and user.has_perm("agreements.change_agreement")
        and agreement.is_editable_by(user)
    ):
        return None
    try:
        return reverse("admin:agreements_agreement_change", args=[agreement.pk])
    except NoReverseMatch:  # the admin does not offer agreements
        return None


class AgreementDetailView(View):
    def get(self, request, pk):
        return render(request, "agreements/agreement_detail.html", status_page_context(request, pk))


def document_file_response(document):
    """The file of ``document`` as the PDF it is, or 404 when it is missing from storage or its
    name reaches a folder (the import's documents sheet names a file without uploading it).

    Only complete PDFs are accepted, so every document is served as ``application/pdf`` under a
    ``.pdf`` name (``Document.download_name``), whatever name it was stored under (documents
    uploaded before ``Document.file`` renamed them kept theirs): an ``.html`` or ``.svg`` name
    never makes a browser read it as a page or an image of this site.
    """
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404(_("Berkas dokumen tidak ditemukan.")) from None
    return FileResponse(handle, filename=document.download_name, content_type="application/pdf")


class DocumentDownloadView(View):
    """The file of one document of an agreement the reader may see; 404 otherwise."""

    def get(self, request, pk, document_pk):
        agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
        document = get_object_or_404(agreement.documents, pk=document_pk)
        return document_file_response(document)


class SectorDetailView(SignedListPage):
    template_name = "agreements/sector_detail.html"

    @staticmethod
    def read(request, slug):
        """The sector's list, and besides it the regions' potentials in the sector (every
        value each stores: ``row_values``; a region's name is in the shared tables' version)."""
        sector = get_object_or_404(Sector, slug=slug)
        agreements = SUBJECTS["sector"].narrow(Agreement.objects.visible_to(request.user), sector)
        context, status = browse(
            request,
            agreements,
            fixed=SUBJECTS["sector"].fixes(sector),
            selection={"sector": sector.slug},
        )
        potentials = Potential.objects.filter(sector=sector)
        filterset = context["filterset"]
        region = filterset.form.cleaned_data.get("region") if filterset.is_valid() else None
        if region is not None:
            # Narrowed to a region (a province with its regencies and cities), as the page's
            # download narrows them (``export_views.region_of``).
            potentials = potentials.offered_in(region)
        potentials = list(potentials.select_related("region").order_by("region__code", "title"))
        context.update(sector=sector, potentials=potentials)
        return context, status, [[row_values(each) for each in potentials]]


class DictionaryColumn(NamedTuple):
    """A column as the data dictionary shows it: its name, what it holds (a lazy text, read in
    the reader's language), whether the import reads it back, whether only officials and staff
    download it."""

    name: str
    description: str
    imported: bool
    internal: bool


class DictionaryTable(NamedTuple):
    name: str
    description: str
    read_back: bool  # the import reads the sheet or list back
    columns: list


def _dictionary_table(name, description, columns):
    read_back = name not in READ_ONLY
    return DictionaryTable(
        name,
        description,
        read_back,
        [
            DictionaryColumn(
                column.name, column.description, read_back and column.imported, column.internal
            )
            for column in columns
        ],
    )


# The tables of the data dictionary, made from the declarations every export and the import are
# made from, so the page never drifts from the files: the agreements, then the other tables.
DICTIONARY_TABLES = [
    _dictionary_table(
        TABLE_NAMES[0],
        gettext_lazy(
            "Kerja sama, satu baris per kerja sama: isi berkas CSV, lembar pertama XLSX dan "
            "daftar pertama JSON."
        ),
        COLUMNS,
    ),
    *(_dictionary_table(table.name, table.description, table.columns) for table in TABLES),
]


class DataDictionaryView(View):
    """The columns of every export and of the import, for analysts and bureau staff: the
    columns from their declarations, the rules around them in the template, in the reader's
    language (``docs/data-dictionary.md`` is the repository's account of the same)."""

    def get(self, request):
        return render(request, "agreements/data_dictionary.html", {"tables": DICTIONARY_TABLES})
