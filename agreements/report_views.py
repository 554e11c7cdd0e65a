"""``/laporan/``: the periodic report on cooperation (``agreements.report``) as a print-ready
page, as PDF (WeasyPrint renders the same template) and as XLSX. The page's form asks for a
region and a period; each format carries the same query string."""

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from access.models import can_export_internal, can_see_internal, exports_leave_out_internal
from agreements import report as reports
from agreements.caching import cached_value, reader_class, tracking_left_out
from agreements.dates import FIRST_YEAR, LAST_YEAR
from agreements.export_views import exportable_agreements
from agreements.models import Agreement
from common.one_value import one_value
from common.parameters import refuse_unknown
from partners.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# What the report's address may name; any other is refused (``refuse_unknown``).
PARAMETERS = ("region", "period")


def chosen(request):
    """(region, period, problems) from the query string; nothing chosen is no problem. A region
    or a period given more than once is refused (``one_value``): which report was meant is not
    for the site to guess; so is a parameter the report does not read (``PARAMETERS``)."""
    problems = []
    region = period = None
    asked = {}
    try:
        # A parameter the report does not read (``?periode=2024``) asks for nothing it shows.
        refuse_unknown(request.GET, PARAMETERS)
    except ValidationError as refused:
        problems.extend(refused.messages)
    for name, label in (("region", _("Daerah")), ("period", _("Periode"))):
        try:
            asked[name] = one_value(request.GET, name)
        except ValidationError as refused:
            problems.extend(f"{label}: {message}" for message in refused.messages)
    if problems:
        return region, period, problems
    code, period_code = asked["region"], asked["period"]
    if code:
        region = Region.objects.select_related("province").filter(code=code).first()
        if region is None:
            problems.append(_("Daerah dengan kode “%(code)s” tidak ada.") % {"code": code})
    if period_code:
        try:
            period = reports.Period.parse(period_code)
        except reports.OutOfRange:
            problems.append(
                _("Periode “%(period)s” di luar jangkauan: tulis tahun %(first)s sampai %(last)s.")
                % {"period": period_code, "first": FIRST_YEAR, "last": LAST_YEAR}
            )
        except ValueError:
            problems.append(
                _("Periode “%(period)s” tidak dikenal; tulis tahun (2024) atau semester (2024-S1).")
                % {"period": period_code}
            )
        else:
            if not period.has_begun(timezone.localdate()):
                problems.append(
                    _(
                        "Periode %(period)s belum dimulai (mulai %(start)s): laporan hanya "
                        "disusun untuk periode yang sudah berjalan."
                    )
                    % {"period": period.label, "start": date_format(period.start)}
                )
    if (code or period_code) and not problems and not (region and period):
        problems.append(_("Pilih daerah dan periode."))
    return region, period, problems


def public_only(user, download=False):
    """Whether the report ``user`` reads (or, ``download``, downloads) holds public records
    only: said in the report itself, on the page and in either file, and the one thing about
    its reader a downloaded report's content depends on (``ReportPdfView``)."""
    return not can_see_internal(user) or (download and not can_export_internal(user))


def context_for(request, download=False, asked=None):
    """The report's page context, of what the reader may read, or for a ``download`` of what
    they may download (an official reads internal records but downloads public ones only).
    ``asked`` is what ``chosen`` read of the request, when it was read already."""
    user = request.user
    region, period, problems = asked or chosen(request)
    report = None
    if region and period and not problems:
        agreements = exportable_agreements(user) if download else Agreement.objects.visible_to(user)
        report = reports.build(agreements, region, period)
    return {
        "report": report,
        "problems": problems,
        # Said in the report itself, on the page and in either file.
        "public_only": public_only(user, download),
        # Said beside the download links.
        "downloads_leave_out_internal": exports_leave_out_internal(user),
        # A province comes right before its regencies and cities.
        "regions": list(Region.objects.order_by("code")),
        "periods": reports.period_choices(timezone.localdate()),
        "chosen_region": request.GET.get("region", ""),
        # The period under its own code ("2024-s1" typed is ``2024-S1``): the menu shows it
        # chosen and the download links name it as the menu does.
        "chosen_period": period.code if period else request.GET.get("period", ""),
        "query": canonical_query(request.GET, period),
        "generated": timezone.now(),
    }


def canonical_query(data, period):
    """The report's query string ``data`` with the period named by its own code, where it
    names one: the address of its downloads."""
    if period is None or data.get("period") == period.code:
        return data.urlencode()
    data = data.copy()
    data["period"] = period.code
    return data.urlencode()


class ReportView(View):
    def get(self, request):
        context = context_for(request)
        status = 400 if context["problems"] else 200
        return render(request, "agreements/report.html", context, status=status)


def static_file(name):
    """The path of the static file ``name`` as the site serves it: the collected copy (in
    production its name carries a hash of its content), or else the one in an app's folder."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.exceptions import SuspiciousFileOperation

    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except (SuspiciousFileOperation, NotImplementedError):
        return None
    return finders.find(name)


def local_files():
    """WeasyPrint's fetcher: the site's own static files from disk, nothing from a network."""
    from django.conf import settings
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    class LocalFiles(URLFetcher):
        def fetch(self, url, headers=None):
            path = urlsplit(url).path
            if url.startswith(("http:", "https:")) and path.startswith(settings.STATIC_URL):
                found = static_file(path.removeprefix(settings.STATIC_URL))
                if found:
                    content_type = (
                        "text/css" if found.endswith(".css") else "application/octet-stream"
                    )
                    return URLFetcherResponse(
                        url, body=Path(found).read_bytes(), headers={"Content-Type": content_type}
                    )
            raise URLFetchingError(f"not fetched: {url}")

    return LocalFiles()


class ReportPdfView(View):
    """The report as PDF: its lists cut to ``PRINTED_ROWS`` each (``Report.printed``), and the
    file kept until the register changes. Laying out a large province still takes WeasyPrint
    seconds; a second reader of the same report, in the same words and with the same right to
    internal records and in the same time zone, asking at the same address, is handed the file
    the first one waited for. The file is looked for before the report is read: reading the
    region's lists (15 queries) cost a kept file 100 times what handing it over does."""

    def get(self, request):
        # Kept under its address: each value of a link's tracking would be one more file.
        redirect = tracking_left_out(request)
        if redirect is not None:
            return redirect
        asked = region, period, problems = chosen(request)
        if problems or not (region and period):
            return bad_request({"problems": problems})
        pdf = cached_value(
            "report-pdf",
            [
                # What it holds: public records only, or every record (``context_for``).
                public_only(request.user, download=True),
                # How its public records are read: an official reads each line as a reader of
                # internal records (``AgreementQuerySet.reads_inside``), whose addendum of an
                # internal MoU is alive with it; the public's lies dormant.
                reader_class(request.user),
                get_language(),
                # It says when it was composed in the reader's zone (WIB, WITA or WIT).
                timezone.get_current_timezone_name(),
                timezone.localdate(),
                # Its links are absolute, on the host and scheme it was asked at (as the
                # sitemaps' and the pages' keys name them), and the query names the report.
                request.build_absolute_uri(),
            ],
            lambda: as_pdf(request, context_for(request, download=True, asked=asked)),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename(region, period, "pdf")}"'
        return response


def as_pdf(request, context):
    from weasyprint import HTML

    printed = context["report"].printed(reports.PRINTED_ROWS)
    # The file is kept for every reader its key names (``ReportPdfView``), so it holds nothing
    # of this one: no message waiting for them ("Anda mengikuti: Mitra: …", which may name what
    # only they may read) is printed, and it is left for their next page.
    html = render_to_string(
        "agreements/report.html",
        {**context, "report": printed, "pdf": True, "messages": ()},
        request,
    )
    return HTML(
        string=html, base_url=request.build_absolute_uri("/"), url_fetcher=local_files()
    ).write_pdf()


class ReportXlsxView(View):
    def get(self, request):
        context = context_for(request, download=True)
        if context["problems"] or not context["report"]:
            return bad_request(context)
        report = context["report"]
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        reports.as_workbook(report, handle, context["generated"], context["public_only"])
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename(report.region, report.period, "xlsx"),
            content_type=XLSX,
        )


def filename(region, period, extension):
    return f"laporan-kerjasama-{region.code}-{period.code}.{extension}"


def bad_request(context):
    lines = context["problems"] or [_("Pilih daerah dan periode.")]
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )
