"""``/sitemap.xml``: the public register for search engines.

Public agreements only, whoever asks (like the Atom feed: a sitemap is fetched without logging in
and cached by crawlers), and the region, partner, country and sector pages that list at least one
of them, so no internal agreement is named, counted or hinted at.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from agreements.models import Agreement
from partners.models import Partner


def public_agreements():
    return Agreement.objects.public()


class AgreementSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        # Ordered, so the pages of a large sitemap do not overlap.
        return public_agreements().only("pk", "updated_at").order_by("pk")

    def lastmod(self, agreement):
        return agreement.updated_at


class RegionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return public_agreements().party_regions().only("code").order_by("code")


class PartnerSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Partner.objects.visible_to(None).only("pk").order_by("pk")


class CountrySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return public_agreements().partner_countries().only("code").order_by("code")

    def location(self, country):
        return reverse("country-detail", args=[country.code])


class SectorSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return public_agreements().covered_sectors().only("slug").order_by("position", "slug")


SITEMAPS = {
    "agreements": AgreementSitemap,
    "regions": RegionSitemap,
    "partners": PartnerSitemap,
    "countries": CountrySitemap,
    "sectors": SectorSitemap,
}
