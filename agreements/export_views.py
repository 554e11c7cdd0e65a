"""Downloads of exactly what a list page shows: the agreement list and the region, partner,
country and sector pages, as CSV, XLSX or JSON.

One view serves them all: it starts from what the reader may see, narrows it to the page's
subject the way the page does, applies the page's own ``AgreementFilter`` to the same query
string, and hands the rows to a writer in ``agreements.exports``. Every format streams: the
first bytes leave at once and memory stays flat, whatever the number of rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View

from access.models import can_export_internal
from agreements import export_slots
from agreements.export_columns import Selection, columns_for, download_note, note_text
from agreements.exports import register_json, register_xlsx, text_chunks
from agreements.filters import (
    DORMANT,
    LATE,
    WITH_DOCUMENTS,
    WITHOUT_DOCUMENTS,
    AgreementFilter,
)
from agreements.models import WAITS_ON_NOBODY, Agreement, Potential, Sector
from agreements.potentials import PotentialFilter
from common.streaming import read_ahead, reset_on_outage
from partners.models import Country, Partner, Region

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Subject:
    """A page listing the agreements of one region, partner, country or sector."""

    find: Callable  # (reader, URL kwargs) → the object, or 404 if it is none the reader may know
    narrow: Callable  # (agreements, object) → its agreements, as the page narrows them
    # object → the filters the page fixes and what to (``AgreementFilter``'s ``fixed``): the
    # page, its downloads and its feeds all read them here
    fixes: Callable
    name: Callable  # object → the part of the file name that says which one
    # The parameters the page, its downloads and its feeds read besides the agreements'
    # filters (``AgreementFilter``'s ``reads``): a region's, the sector of its potentials.
    reads: tuple = ()


SUBJECTS = {
    "region": Subject(
        find=lambda reader, code: get_object_or_404(Region, code=code),
        narrow=lambda agreements, region: agreements.in_region(region),
        fixes=lambda region: {"region": region},
        name=lambda region: f"daerah-{region.code}-{slugify(region.name)}",
        reads=("potential_sector",),
    ),
    "partner": Subject(
        find=lambda reader, pk: get_object_or_404(
            Partner.objects.visible_to(reader).select_related("country"), pk=pk
        ),
        narrow=lambda agreements, partner: agreements.with_partner(partner),
        fixes=lambda partner: {"partner": partner, "country": partner.country},
        name=lambda partner: "-".join(
            filter(None, ["mitra", str(partner.pk), slugify(partner.name)])
        ),
    ),
    "country": Subject(
        find=lambda reader, code: get_object_or_404(Country, code=code.upper()),
        narrow=lambda agreements, country: agreements.with_partner_country(country),
        fixes=lambda country: {"country": country},
        name=lambda country: f"negara-{country.code}",
    ),
    "sector": Subject(
        find=lambda reader, slug: get_object_or_404(Sector, slug=slug),
        narrow=lambda agreements, sector: agreements.in_sector(sector),
        fixes=lambda sector: {"sector": sector},
        name=lambda sector: f"bidang-{sector.slug}",
    ),
}


def exportable_agreements(user, agreements=None):
    """What ``user`` may download of ``agreements`` (by default the whole register): what they
    may read, less internal records unless their role may export those (analysts and
    administrators, ``access.models.can_export_internal``). The list pages' downloads and the
    admin's export of a selection both start here."""
    agreements = Agreement.objects.all() if agreements is None else agreements
    agreements = agreements.visible_to(user)
    if can_export_internal(user):
        return agreements
    # The public records of what they read, each line read as they read it on the page the
    # file is taken from (an official's dormant: ``AgreementQuerySet.reads_inside``).
    return agreements.public().read_inside(agreements.reads_inside())


def selection(request, agreements, subject_key, subject_kwargs, reader=None, ordered=True):
    """The selection a list page shows, as its ``AgreementFilter`` over ``agreements``.

    ``subject_key`` names the page (None: the agreement list; else a key of ``SUBJECTS``) and
    ``subject_kwargs`` its URL's arguments; returns the filterset and the subject (or None),
    404 when there is no such subject. Exports and feeds start here, so that a download or a
    feed holds exactly what its page lists, every page of it (an address naming a page is
    refused: ``AgreementFilter``'s ``whole``). ``reader`` is who the selection is for (by default
    the request's user; a public feed passes the public, as ``AgreementFilter`` takes it).
    ``ordered`` False is for the change log's feed, which keeps its own order.
    """
    if not subject_key:
        filterset = AgreementFilter(
            request.GET,
            queryset=agreements,
            request=request,
            reader=reader,
            whole=True,
            ordered=ordered,
        )
        return filterset, None
    subject = SUBJECTS[subject_key]
    # A partner named only by agreements the reader may not read is unknown to them, as on its
    # page: its feed, calendar and downloads say nothing of it, not even its name.
    obj = subject.find(request.user if reader is None else reader, **subject_kwargs)
    filterset = AgreementFilter(
        request.GET,
        queryset=subject.narrow(agreements, obj),
        fixed=subject.fixes(obj),
        reads=subject.reads,
        request=request,
        reader=reader,
        whole=True,
    )
    return filterset, obj


def export_filename(subject_name, file_format, now=None, filters=""):
    """``coopdb-kerjasama[-subject][-filters]-2026-11-23T1015.csv``: what, which, and when
    (the reader's time zone, as every time they read: an editor of Kalimantan Timur, WITA)."""
    stamp = timezone.localtime(now).strftime("%Y-%m-%dT%H%M")
    parts = ["coopdb-kerjasama", subject_name, filters, stamp]
    return "-".join(part for part in parts if part) + f".{file_format}"


# Past this many characters the filters' part of a file name is cut (a file name stays short
# enough for every system; the file itself holds exactly the selection).
FILTERS_IN_NAME_MAX = 80


# Filter values that alone would not say what was filtered ("yes", "no", "none"): the words
# for each in a file name (a filter's other values are named as below).
WORDS_IN_FILENAME = {
    "dormant": {DORMANT: "mati-suri"},
    "late": {LATE: "tahapan-terlambat"},
    "documents": {WITH_DOCUMENTS: "ada-dokumen", WITHOUT_DOCUMENTS: "tanpa-dokumen"},
    "waits_on": {WAITS_ON_NOBODY: "menunggu-belum-ditentukan"},
}
# Filters whose value is said after a word naming the filter: a date alone could be any of them,
# and a year alone, just before the file's own date, reads as a span of years.
PREFIXES_IN_FILENAME = {
    "waits_on": "menunggu",
    "year": "ditandatangani",
    "signed_from": "sejak",
    "signed_to": "sampai",
    "expires_before": "berakhir-sampai",
}


def _slug(value):
    """``value`` as words of a file name: in ASCII, or where that leaves nothing (a search for
    安徽, a partner's own name) in its own script, rather than not at all."""
    return slugify(str(value)) or slugify(str(value), allow_unicode=True)


def filters_in_filename(filterset):
    """The filters in effect, as words of a file name: ``kalimantan-timur-ditandatangani-2024``.

    Each filter the reader set, in the form's order (the sort is not a filter): a region or
    partner by its name, a sector by its slug (as its page's files name it: the same in either
    language), a country by its code, a flag by what it selects
    (``mati-suri``), a date or year after what it bounds (``berakhir-sampai-2030-12-31``), any other
    value as it is written.
    """
    words = []
    for name, value in filterset.form.cleaned_data.items():
        if hasattr(value, "model"):  # several records chosen (sectors): a queryset of them
            value = list(value)
        if name == "sort" or value in (None, "", [], ()):
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if item in WORDS_IN_FILENAME.get(name, {}):
                words.append(WORDS_IN_FILENAME[name][item])
            elif name in WORDS_IN_FILENAME and name not in PREFIXES_IN_FILENAME:
                words.append(_slug(item))
            elif name in PREFIXES_IN_FILENAME:
                words.append(f"{PREFIXES_IN_FILENAME[name]}-{_slug(item)}")
            elif isinstance(item, Country):
                words.append(item.code.lower())
            elif isinstance(item, Sector):
                words.append(item.slug)
            elif isinstance(item, Region | Partner):
                words.append(_slug(item.name))
            else:
                words.append(_slug(item))
    return "-".join(word for word in words if word)[:FILTERS_IN_NAME_MAX].strip("-")


class AgreementExportView(View):
    """The agreements of a list page as a file; ``subject`` names the page (None: the list)."""

    subject = None

    def get(self, request, file_format, **subject_kwargs):
        # Every row, and every agreement a row names, is one the reader may download.
        readable = exportable_agreements(request.user)
        filterset, obj = selection(request, readable, self.subject, subject_kwargs)
        subject_name = SUBJECTS[self.subject].name(obj) if self.subject else ""
        if not filterset.is_valid():
            return bad_filters(filterset.form)
        potential_sector = None
        if self.subject == "region":
            # A region's page narrows its potentials by their own filter, which its download
            # links carry: the file's potentials are the page's, a sector the page refuses is
            # refused here too.
            potentials = PotentialFilter(request.GET, queryset=Potential.objects.none())
            if not potentials.is_valid():
                return bad_filters(potentials.form)
            potential_sector = potentials.form.cleaned_data.get("potential_sector")
        filters = filters_in_filename(filterset)
        if potential_sector is not None:
            filters = "-".join(filter(None, [filters, f"potensi-{potential_sector.slug}"]))
        if self.subject == "sector":
            # A sector's page lists the regions' potentials in its sector alone
            # (``SectorDetailView``): so does its download, whose name says the sector already.
            potential_sector = obj
        return download(
            request,
            filterset.qs,
            readable,
            file_format,
            region=region_of(self.subject, obj, filterset),
            potential_sector=potential_sector,
            filename=export_filename(subject_name, file_format, filters=filters),
        )


def download(
    request, agreements, readable, file_format, *, region=None, potential_sector=None, filename
):
    """The response downloading ``agreements`` as ``file_format`` under ``filename``, streamed.

    ``readable`` is every agreement the reader may download (``exportable_agreements``), which
    ``agreements`` must be within; ``region`` the page's region, if any (``region_of``), and
    ``potential_sector`` the sector its potentials are narrowed to, if any. The
    list pages' downloads and the admin's export of a selection are both made here.
    """
    # A large download waits for a slot (``export_slots``); a small one never does.
    slot = export_slots.take(agreements)
    if slot is None:
        return export_slots.busy()
    with slot.given_back_on_error():
        response = _streamed(
            request, agreements, readable, file_format, region, slot, potential_sector
        )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _streamed(request, agreements, readable, file_format, region, slot, potential_sector=None):
    page_url = page_url_builder(request)
    # XLSX and JSON carry every table of the register the agreements name; the budget and
    # contact persons for officials and staff only, as on the status page.
    columns = columns_for(request.user)
    tables = Selection(agreements, readable, region, request.user, potential_sector)
    if file_format == "xlsx":
        chunks = register_xlsx(agreements, page_url, tables, columns)
    else:
        chunks = text_chunks(agreements, file_format, page_url, readable=readable, columns=columns)
    if file_format == "json":
        chunks = register_json(chunks, tables, note_text(download_note(request.user)))
    # The export's query has run by now, and all its queries for a small file
    # (``read_ahead``): a database that is down gives the styled 503
    # (``coopdb.middleware``), and one lost later cuts the download.
    return StreamingHttpResponse(
        slot.holding(reset_on_outage(read_ahead(chunks))), content_type=FORMATS[file_format]
    )


def region_of(subject_key, obj, filterset):
    """The region a page is about (a region page's, else the region filter's), or None: the
    potentials and surveys an export holds are that region's."""
    if subject_key == "region":
        return obj
    return filterset.form.cleaned_data.get("region")


def page_url_builder(request):
    """``pk → absolute URL of its status page``, reversing the route once rather than per row."""
    marker = 999999999
    template = request.build_absolute_uri(reverse("agreement-detail", args=[marker]))
    before, after = template.split(str(marker), 1)
    return lambda pk: f"{before}{pk}{after}"


def bad_filters(form):
    """The 400 of a download, feed or calendar whose filters cannot be used, each problem on a
    line: a field's after its label; a filter the page fixes, asked for otherwise, says which
    (``AgreementFilter.fixed_conflicts``)."""
    lines = [_("Filter tidak valid; tidak ada yang diekspor.")]
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        lines.extend(f"{label}: {message}" if label else message for message in messages)
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
