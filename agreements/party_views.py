"""Pages of a region, a partner and a partner country: who they are and what they are party to.

The list of agreements on each is the agreement list restricted to the subject, with the same
filters, chips, sorting and pagination (``agreements.views.browse``).
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.shortcuts import get_object_or_404

from agreements import maps
from agreements.attention import attention_in
from agreements.dashboard import expiring_filters
from agreements.export_views import SUBJECTS
from agreements.filters import PAGE
from agreements.models import Agreement, reads_internal
from agreements.potentials import regional_potential
from agreements.views import SignedListPage, SignedPage, browse, page_or_errors, row_values
from common.parameters import refuse_unknown
from common.urls import object_url
from partners.models import Country, Partner, Region

# What needs attention on a region's page: at most this many expiring agreements, late steps
# and steps coming due, the nearest (the longest late) first; the expiring and the late are
# one click away on the page's own list.
ATTENTION_SHOWN = 10

# A country's page lists at most this many of its partners, the first by name, with how many
# there are in all and a link to the full list (``CountryPartnersView``): Indonesia's domestic
# partners are 2,029 at 100,000 agreements, and an official had to scroll past them all to
# reach the map and the agreements.
PARTNERS_SHOWN = 60

# The full list of a country's partners, this many a page.
PARTNERS_PAGE_SIZE = 200

# The order a country's partners are listed in, on its page and on the full list alike; the
# primary key makes it total, so that paging never skips or repeats a partner of the same name.
PARTNER_ORDER = ("name", "pk")


def partner_rows(partners):
    """``partners`` (a values list of id, name, subdivision code and ``internal_only``, and
    anything after: ``PartnerQuerySet.marking_internal_only``) as plain rows, each partner's
    id, address, name, subdivision and whether only internal agreements name it: a country's
    partners are thousands at national scale, and read as models and rendered by their methods
    they cost the page more than all the rest of it."""
    return [
        (pk, object_url("partner-detail", pk), name, subdivision, internal_only)
        for pk, name, subdivision, internal_only, *_rest in partners
    ]


class RegionDetailView(SignedListPage):
    template_name = "partners/region_detail.html"

    @staticmethod
    def read(request, code):
        """The region's list, and besides it, as plain values: its surveys and potentials,
        the agreements and steps needing attention (every stored value of each row shown:
        ``row_values``) and the counts of the map. Its regencies and cities, and the names of
        regions and sectors, are in the shared tables' version."""
        region = get_object_or_404(Region.objects.select_related("province"), code=code)
        agreements = SUBJECTS["region"].narrow(Agreement.objects.visible_to(request.user), region)
        context, status = browse(
            request,
            agreements,
            fixed=SUBJECTS["region"].fixes(region),
            reads=SUBJECTS["region"].reads,
            selection={"region": region.code},
        )
        potential, potential_errors = regional_potential(region, request.GET)
        if potential_errors:
            status = 400
        members = list(region.members.order_by("code")) if region.is_province else []
        # What needs attention in the agreements listed: those the region (with its regencies
        # and cities) is party to, whoever leads them.
        attention = attention_in(agreements, shown=ATTENTION_SHOWN)
        # The province, or the regency's or city's province, marked on the map.
        indonesia = maps.indonesia_map(
            Agreement.objects.visible_to(request.user),
            highlight=region.province.code if region.province else region.code,
        )
        context.update(
            potential,
            # The expiring agreements on the page's own list, as the dashboard leads to them.
            expiring_query=urlencode(expiring_filters(attention.today), doseq=True),
            potential_errors=potential_errors,
            region=region,
            members=members,
            attention=attention,
            map=indonesia,
        )
        shown = [
            potential_errors,
            [
                [*row_values(survey), [each.pk for each in survey.participants.all()]]
                + [row_values(each) for each in found]
                for survey, found in potential["surveys"]
            ],
            [row_values(each) for each in potential["potentials"]],
            # Each with whether a signed extension already extends it, or a signed follow-up
            # carries it on: not values of its row.
            [
                [
                    *row_values(item.agreement),
                    item.agreement.is_extended,
                    item.agreement.is_followed_up,
                ]
                for item in attention.expiring
            ],
            [attention.expiring_total, attention.late_total, attention.due_soon_total],
            [
                [*row_values(item.milestone), *row_values(item.milestone.agreement)]
                for item in attention.milestones
            ],
            [[area.code, area.count] for area in indonesia.areas],
            [[row.url, row.count] for row in indonesia.rows],
        ]
        return context, status, shown


class PartnerDetailView(SignedListPage):
    template_name = "partners/partner_detail.html"

    @staticmethod
    def read(request, pk):
        """The partner's list, and besides it, as plain values: the partner it is part of and
        the partners part of it, of those the reader may know of (which follows the agreements
        they are party to; their names are in the shared tables' version)."""
        known = Partner.objects.visible_to(request.user)
        partner = get_object_or_404(known.select_related("country", "subdivision"), pk=pk)
        agreements = SUBJECTS["partner"].narrow(Agreement.objects.visible_to(request.user), partner)
        context, status = browse(
            request,
            agreements,
            fixed=SUBJECTS["partner"].fixes(partner),
            selection={"partner": str(partner.pk)},
        )
        # Each marked for a reader of internal records where the public may not know of it.
        marked = known.marking_internal_only(reads_internal(request.user))
        parent = marked.filter(pk=partner.parent_id).first() if partner.parent_id else None
        children = list(marked.filter(parent=partner).order_by("name"))
        context.update(partner=partner, parent=parent, children=children)
        shown = [
            parent and [parent.pk, parent.internal_only],
            [[child.pk, child.internal_only] for child in children],
        ]
        return context, status, shown


class CountryDetailView(SignedListPage):
    template_name = "partners/country_detail.html"

    @staticmethod
    def read(request, code):
        """The page's context and status, and what it shows besides the list, as plain values:
        the map's counts, the first partners listed (``PARTNERS_SHOWN``) and how many there are
        in all."""
        country = get_object_or_404(Country, code=code.upper())
        visible = Agreement.objects.visible_to(request.user)
        agreements = SUBJECTS["country"].narrow(visible, country)
        context, status = browse(
            request,
            agreements,
            fixed=SUBJECTS["country"].fixes(country),
            selection={"country": country.code},
        )
        countries = visible.counts_by_partner_country()
        # The first partners, each row carrying how many there are in all: one query,
        # however many the country has.
        first = list(
            country.partners.visible_to(request.user)
            .marking_internal_only(reads_internal(request.user))
            .order_by(*PARTNER_ORDER)
            .annotate(total=Window(Count("pk")))
            .values_list("pk", "name", "subdivision__code", "internal_only", "total")[
                :PARTNERS_SHOWN
            ]
        )
        partners = partner_rows(first)
        partner_total = first[0][-1] if first else 0
        context.update(
            country=country,
            map=maps.world_map(visible, highlight=country.code, countries=countries),
            partners=partners,
            partner_total=partner_total,
            partners_more=partner_total > len(partners),
        )
        shown = [
            [[each.code, each.agreement_count] for each in countries],
            [[pk, internal_only] for pk, _url, _name, _subdivision, internal_only in partners],
            partner_total,
        ]
        return context, status, shown


class CountryPartnersView(SignedPage):
    """``/countries/<code>/mitra/``: every partner of the country the reader may know of, by
    name, ``PARTNERS_PAGE_SIZE`` a page.

    Queries: the country, the COUNT and the page's rows, however many partners it has. A page
    number that is not one, past the last page or given twice is refused (400) with the
    problem spelt out, as on the agreement list (``views.page_or_errors``); so is any parameter
    but the page (``refuse_unknown``).
    """

    template_name = "partners/country_partners.html"

    @staticmethod
    def read(request, code):
        """The page's context and status, and what it shows as plain values: the count, the
        page number and the partners listed (their names are in the shared tables' version)."""
        country = get_object_or_404(Country, code=code.upper())
        paginator = Paginator(
            country.partners.visible_to(request.user)
            .marking_internal_only(reads_internal(request.user))
            .order_by(*PARTNER_ORDER)
            .values_list("pk", "name", "subdivision__code", "internal_only"),
            PARTNERS_PAGE_SIZE,
        )
        try:
            # The page is all it reads: a parameter of the list's filters (``?region=64``)
            # selects none of its partners.
            refuse_unknown(request.GET, [PAGE])
        except ValidationError as refused:
            page, errors = None, [{"message": message} for message in refused.messages]
        else:
            page, errors = page_or_errors(paginator, request.GET)
        partners = partner_rows(page.object_list) if page else []
        context = {
            "country": country,
            "partners": partners,
            "page_obj": page,
            "page_query": "",
            "page_range": (
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
                if page
                else []
            ),
            "errors": errors,
        }
        shown = [
            errors,
            paginator.count,
            page and page.number,
            [[pk, internal_only] for pk, _url, _name, _sub, internal_only in partners],
        ]
        return context, 400 if errors else 200, shown
