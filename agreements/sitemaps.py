"""``/sitemap.xml``: the public register for search engines.

Public agreements only, whoever asks (like the Atom feed: a sitemap is fetched without logging in
and cached by crawlers), and the region, partner, country and sector pages that list at least one
of them, so no internal agreement is named, counted or hinted at.

``/sitemap.xml`` is an index of the sections' sitemaps (``/sitemap-agreements.xml``,
``…?p=2``, …). One sitemap of every agreement was 7.7 MB and four seconds to build on a national
register, for every crawler that asked. The agreements' sitemap is paged by id
(``IdRangePaginator``): a page holds the public agreements among ``LIMIT`` consecutive ids, read
from the primary key's index, whatever the size of the register. The other sections read every
public agreement's parties: each page, and the index, is kept under the register version
(``agreements.caching.cached_value``) until the register changes. A page has one address:
``?p=01``, ``?p=1`` or anything else added is redirected to it, never built again.
"""

import math

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from agreements.caching import cached_value
from agreements.models import Agreement
from common.one_value import one_value
from partners.models import Partner

# Ids per page of the agreements' sitemap, and rows per page of the others: a page of a few
# hundred kilobytes, built in under a tenth of a second (the protocol allows 50,000).
LIMIT = 1000


def public_agreements():
    return Agreement.objects.public()


class IdRangePaginator(Paginator):
    """Page ``n`` holds the items whose ids lie in ``((n - 1) × per_page, n × per_page]``, read
    from the primary key's index: no page counts or skips the rows before it. A page may hold
    fewer (ids of internal or deleted agreements); there are as many as the highest id needs."""

    @cached_property
    def num_pages(self):
        last = self.object_list.order_by("-pk").values_list("pk", flat=True).first()
        return max(1, math.ceil((last or 0) / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list.filter(pk__gt=bottom, pk__lte=bottom + self.per_page)
        return self._get_page(rows, number, self)


class AgreementSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = LIMIT

    def items(self):
        return public_agreements().only("pk", "updated_at").order_by("pk")

    @property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)

    def lastmod(self, agreement):
        return agreement.updated_at

    def get_latest_lastmod(self):
        """None: the index names no date for the section (each page says its own). Django's
        default reads every agreement for it."""
        return None


class RegionSitemap(Sitemap):
    changefreq = "weekly"
    limit = LIMIT

    def items(self):
        return public_agreements().party_regions().only("code").order_by("code")


class PartnerSitemap(Sitemap):
    changefreq = "monthly"
    limit = LIMIT

    def items(self):
        return Partner.objects.visible_to(None).only("pk").order_by("pk")


class CountrySitemap(Sitemap):
    changefreq = "monthly"
    limit = LIMIT

    def items(self):
        return public_agreements().partner_countries().only("code").order_by("code")

    def location(self, country):
        return reverse("country-detail", args=[country.code])


class SectorSitemap(Sitemap):
    changefreq = "monthly"
    limit = LIMIT

    def items(self):
        return public_agreements().covered_sectors().only("slug").order_by("position", "slug")


SITEMAPS = {
    "agreements": AgreementSitemap,
    "regions": RegionSitemap,
    "partners": PartnerSitemap,
    "countries": CountrySitemap,
    "sectors": SectorSitemap,
}


def _kept(request, parts, view):
    """``view()``'s response, its content and headers kept under ``parts``, the address's
    scheme and host (its links are absolute) and the register version."""

    def build():
        response = view()
        response.render()
        return response.content, dict(response.headers)

    content, headers = cached_value("sitemap", [*parts, request.scheme, request.get_host()], build)
    return HttpResponse(content, headers=headers)


@require_safe
def index(request):
    return _kept(
        request,
        ["index"],
        lambda: sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section"),
    )


@require_safe
def section(request, section):
    """One page of a section's sitemap, at its one address: page 1 without ``?p``, page ``n``
    with ``?p=n`` and nothing else; ``?p`` given twice is no page (``one_value``)."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap section {section!r}")
    try:
        asked = one_value(request.GET, "p", "1")
    except ValidationError:
        raise Http404("One page at a time: ?p once") from None
    if not (asked.isascii() and asked.isdigit()):
        raise Http404(f"No page {asked!r}: a page is a number (?p=2)")
    number = int(asked)
    if number < 1:
        raise Http404("No page 0: pages are counted from 1")
    canonical = reverse("sitemap-section", args=[section]) + (f"?p={number}" if number > 1 else "")
    if request.get_full_path() != canonical:
        return HttpResponsePermanentRedirect(canonical)
    return _kept(
        request,
        [section, number],
        lambda: sitemap_views.sitemap(request, SITEMAPS, section=section),
    )
