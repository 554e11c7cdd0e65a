"""Pages of a region, a partner and a partner country: who they are and what they are party to.

The list of agreements on each is the agreement list restricted to the subject, with the same
filters, chips, sorting and pagination (``agreements.views.browse``).
"""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404

from agreements import maps
from agreements.attention import attention_in
from agreements.dashboard import expiring_filters
from agreements.models import Agreement
from agreements.potentials import regional_potential
from agreements.views import SignedListPage, browse, row_values
from common.urls import object_url
from partners.models import Country, Partner, Region

# What needs attention on a region's page: at most this many expiring agreements, late steps
# and steps coming due, the nearest (the longest late) first; the expiring and the late are
# one click away on the page's own list.
ATTENTION_SHOWN = 10


class RegionDetailView(SignedListPage):
    template_name = "partners/region_detail.html"

    @staticmethod
    def read(request, code):
        """The region's list, and besides it, as plain values: its surveys and potentials,
        the agreements and steps needing attention (every stored value of each row shown:
        ``row_values``) and the counts of the map. Its regencies and cities, and the names of
        regions and sectors, are in the shared tables' version."""
        region = get_object_or_404(Region.objects.select_related("province"), code=code)
        agreements = Agreement.objects.visible_to(request.user).in_region(region)
        context, status = browse(
            request, agreements, fixed=("region",), selection={"region": region.code}
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
            [row_values(item.agreement) for item in attention.expiring],
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
        agreements = Agreement.objects.visible_to(request.user).with_partner(partner)
        context, status = browse(
            request,
            agreements,
            fixed=("partner", "country"),
            selection={"partner": str(partner.pk)},
        )
        parent = known.filter(pk=partner.parent_id).first() if partner.parent_id else None
        children = list(known.filter(parent=partner).order_by("name"))
        context.update(partner=partner, parent=parent, children=children)
        shown = [parent and parent.pk, [child.pk for child in children]]
        return context, status, shown


class CountryDetailView(SignedListPage):
    template_name = "partners/country_detail.html"

    @staticmethod
    def read(request, code):
        """The page's context and status, and what it shows besides the list, as plain values:
        the map's counts and the partners listed."""
        country = get_object_or_404(Country, code=code.upper())
        visible = Agreement.objects.visible_to(request.user)
        agreements = visible.with_partner_country(country)
        context, status = browse(
            request, agreements, fixed=("country",), selection={"country": country.code}
        )
        countries = visible.counts_by_partner_country()
        # Plain rows, each partner's address, name and subdivision: a country's partners are
        # thousands at national scale (Indonesia's domestic partners, 2,029 at 100,000
        # agreements), and read as models and rendered by their methods they cost the page
        # more than all the rest of it.
        partners = [
            (pk, object_url("partner-detail", pk), name, subdivision)
            for pk, name, subdivision in country.partners.visible_to(request.user)
            .order_by("name")
            .values_list("pk", "name", "subdivision__code")
        ]
        context.update(
            country=country,
            map=maps.world_map(visible, highlight=country.code, countries=countries),
            partners=partners,
        )
        shown = [
            [[each.code, each.agreement_count] for each in countries],
            [pk for pk, _url, _name, _subdivision in partners],
        ]
        return context, status, shown
