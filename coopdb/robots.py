"""``/robots.txt``: where crawlers find the register's pages, and what they leave alone.

The sitemap names every public page worth reading (each agreement's status page, each region's,
partner's, country's and sector's). What a crawler would otherwise walk is endless and costly:
every mix of a list's filters, sorts and pages (each built afresh, ``bench/README.md``), the
downloads of each (a national CSV or XLSX takes seconds), the calendars and feeds, the admin
and the login pages.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

# Read although a rule below would leave them alone: the sitemap's pages after the first
# (``/sitemap-agreements.xml?p=2``) have a query too. A crawler follows the longest rule that
# matches an address (RFC 9309), and the first one matching, for those that read in order.
OPEN = [
    "/sitemap-*.xml?p=",
]

LEFT_ALONE = [
    "/admin/",
    "/accounts/",
    "/i18n/",
    "/*?",  # a list's filters, sorts and pages: the status pages are all in the sitemap
    "/*export.",
    "/*.ics",
    "/*.atom",
    "/laporan/laporan.",  # the report's PDF and workbook
]


@require_safe
def robots(request):
    lines = [
        "User-agent: *",
        *(f"Allow: {path}" for path in OPEN),
        *(f"Disallow: {path}" for path in LEFT_ALONE),
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
