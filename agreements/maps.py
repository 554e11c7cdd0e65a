"""Maps drawn on the server as inline SVG: Indonesia's provinces and the partners' countries,
each shaded by its number of agreements and linking to its agreements.

The outlines ship in ``agreements/data/maps/`` (built once by ``scripts/build_maps.py``; sources
and licences in ``SOURCES.md``). The Indonesian outline still has the 34 provinces of before
2022: Papua's outline stands for Papua, Papua Selatan, Papua Tengah and Papua Pegunungan, and
Papua Barat's for Papua Barat and Papua Barat Daya. Such an outline is shaded by the agreements
of all its provinces together and says so in its title; it links nowhere, since no one list
holds exactly its provinces, and the table beside the map lists and links each of the 38.

A map never stands alone: the table beside it holds every number (a colour is never the only
way to read it), and both are in the reader's language.
"""

import bisect
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django.db.models import Case, CharField, Count, F, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.models import Agreement
from common.urls import object_url
from common.widgets import escaped
from partners.models import Region

DATA = Path(__file__).resolve().parent / "data" / "maps"

# Kemendagri code of each province → ISO 3166-2 code of the outline that draws it.
OUTLINE_OF_PROVINCE = {
    "11": "ID-AC", "12": "ID-SU", "13": "ID-SB", "14": "ID-RI", "15": "ID-JA", "16": "ID-SS",
    "17": "ID-BE", "18": "ID-LA", "19": "ID-BB", "21": "ID-KR", "31": "ID-JK", "32": "ID-JB",
    "33": "ID-JT", "34": "ID-YO", "35": "ID-JI", "36": "ID-BT", "51": "ID-BA", "52": "ID-NB",
    "53": "ID-NT", "61": "ID-KB", "62": "ID-KT", "63": "ID-KS", "64": "ID-KI", "65": "ID-KU",
    "71": "ID-SA", "72": "ID-ST", "73": "ID-SN", "74": "ID-SG", "75": "ID-GO", "76": "ID-SR",
    "81": "ID-MA", "82": "ID-MU",
    # The provinces of the 2022 split, drawn within the outline of the province they left.
    "91": "ID-PA", "93": "ID-PA", "94": "ID-PA", "95": "ID-PA",
    "92": "ID-PB", "96": "ID-PB",
}  # fmt: skip

# Shades from none to most; a class is a band of the largest count (see ``shade``). The colours
# are written on each outline as well as in site.css, for renderers that read no stylesheet
# into an inline SVG (WeasyPrint, for the report's PDF).
SHADES = 5
FILLS = ("#eaecf0", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
INDONESIA = "ID"


# What an outline's path data is written in: SVG path commands, numbers and separators.
PATH_DATA = re.compile(r"[MmLlHhVvCcSsQqTtAaZz0-9 ,.eE+-]*")


@cache
def outlines(name):
    """{"viewBox": ..., "shapes": {code: SVG path}} of ``indonesia`` or ``world``.

    The paths are checked once, here, to hold nothing but path data, and kept as safe markup:
    escaping 77 KB of outlines on every page that draws both maps cost 4 ms a page."""
    data = json.loads((DATA / f"{name}.json").read_text())
    for code, path in data["shapes"].items():
        if not PATH_DATA.fullmatch(path):
            raise ValueError(f"{name}.json: the outline {code} holds more than path data")
        data["shapes"][code] = mark_safe(path)
    return data


def shade(count, most):
    """The shade class (0 for none, up to SHADES - 1) of ``count`` against the largest count."""
    if not count:
        return 0
    return max(1, min(SHADES - 1, -(-(SHADES - 1) * count // max(most, 1))))


@dataclass
class Area:
    """One outline on a map: what it stands for, its count and where it leads."""

    code: str
    path: str
    title: str
    count: int
    url: str | None
    highlighted: bool = False
    shade: int = 0


@dataclass
class Row:
    """One row of the table beside a map."""

    name: str
    count: int
    url: str


@dataclass
class Map:
    kind: str  # "indonesia" or "world"
    caption: str
    view_box: str
    areas: list
    rows: list
    most: int

    def svg(self):
        """The map as inline SVG: every outline with its title; those that lead somewhere are
        links, reachable by keyboard.

        A group named by its caption, not an image: a screen reader reads no link inside an
        image, and these links are the ones the keyboard reaches.

        Written with ``escaped`` rather than ``format_html`` (the same markup): the world map
        has 174 outlines, and Django's wrapper around each call cost more than the outline."""
        shapes = []
        for area in self.areas:
            highlighted = area.highlighted
            title = escaped(area.title)
            marked = " is-highlighted" if highlighted else ""
            shape = (
                f'<path class="map-area shade-{area.shade}{marked}"'
                f' fill="{FILLS[area.shade]}" stroke="{"#b42318" if highlighted else "#667085"}"'
                f' stroke-width="{"2" if highlighted else ".4"}" d="{escaped(area.path)}"'
                f' data-code="{escaped(area.code)}"><title>{title}</title></path>'
            )
            if area.url:
                shape = f'<a href="{escaped(area.url)}" aria-label="{title}">{shape}</a>'
            shapes.append(shape)
        kind = escaped(self.kind)
        return mark_safe(
            f'<svg class="map map-{kind}" viewBox="{escaped(self.view_box)}" role="group" '
            f'aria-labelledby="{kind}-title" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{kind}-title">{escaped(self.caption)}</title>{"".join(shapes)}</svg>'
        )

    @property
    def legend(self):
        """(shade class, counts it stands for), from none to most.

        A shade never falls as the count rises, so each stands for one run of counts, whose ends
        are found by bisection: shading every count up to the largest took 66,000 calls on the
        dashboard of 100,000 agreements."""
        counts = range(1, self.most + 1)

        def first_of(band):
            return bisect.bisect_left(counts, band, key=lambda count: shade(count, self.most))

        bands = [(0, "0")]
        for band in range(1, SHADES):
            first, end = first_of(band), first_of(band + 1)
            if first < end:
                low, high = counts[first], counts[end - 1]
                bands.append((band, f"{low}–{high}" if high > low else str(low)))
        return bands


def count_title(name, count):
    return ngettext("%(name)s: %(count)d kerja sama", "%(name)s: %(count)d kerja sama", count) % {
        "name": name,
        "count": count,
    }


def kept_province_counts(agreements, provinces):
    """{province code: number of ``agreements`` any of its regions is party to}, read from the
    counts the database keeps (``AgreementQuerySet.tallies``, migration 0021) for the whole
    register or what the public sees: one query over 38 rows. None for anything narrower, and
    where no counts are kept (SQLite)."""
    kept = agreements.tallies("province")
    if kept is None:
        return None
    return {
        province.code: kept[str(province.pk)] for province in provinces if str(province.pk) in kept
    }


def province_counts(agreements):
    """{province code: number of ``agreements`` any of its regions is party to} (one query),
    counted from the party rows."""
    parties = Agreement.regions.through.objects.filter(agreement__in=agreements.order_by())
    rows = (
        parties.annotate(province=Coalesce(F("region__province__code"), F("region__code")))
        .values("province")
        .annotate(count=Count("agreement_id", distinct=True))
    )
    return {row["province"]: row["count"] for row in rows}


def outline_counts(agreements, per_province=None):
    """{outline code: number of ``agreements`` in its provinces together} (one query): an
    agreement of Papua and of Papua Selatan counts once for Papua's outline.

    Given the counts per province the database keeps, an outline of one province takes its
    count, and those of several provinces (Papua's, Papua Barat's) are kept too (migration
    0022); else every outline is counted from the party rows."""
    if per_province is not None:
        shared = agreements.tallies("outline")
        if shared is not None:
            members = {}
            for code, iso in OUTLINE_OF_PROVINCE.items():
                members.setdefault(iso, []).append(code)
            counts = {
                iso: per_province[codes[0]]
                for iso, codes in members.items()
                if len(codes) == 1 and codes[0] in per_province
            }
            counts.update(shared)
            return counts
    parties = Agreement.regions.through.objects.filter(agreement__in=agreements.order_by())
    province = Coalesce(F("region__province__code"), F("region__code"))
    outline = Case(
        *(When(**{"province": code}, then=Value(iso)) for code, iso in OUTLINE_OF_PROVINCE.items()),
        output_field=CharField(),
    )
    rows = (
        parties.annotate(province=province)
        .annotate(outline=outline)
        .values("outline")
        .annotate(count=Count("agreement_id", distinct=True))
    )
    return {row["outline"]: row["count"] for row in rows if row["outline"]}


def indonesia_map(agreements, highlight=None):
    """Indonesia's provinces shaded by ``agreements`` (already what the reader may see), each
    leading to the list of its agreements; ``highlight`` a province code. Three queries: the
    provinces, the counts per province and per outline (kept by the database where it keeps
    them)."""
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
    kept = kept_province_counts(agreements, provinces)
    per_province = kept if kept is not None else province_counts(agreements)
    per_outline = outline_counts(agreements, kept)
    members = {}
    for province in provinces:
        members.setdefault(OUTLINE_OF_PROVINCE.get(province.code), []).append(province)
    most = max(per_outline.values(), default=0)
    list_url = reverse("agreement-list")
    areas = []
    for code, path in outlines("indonesia")["shapes"].items():
        within = members.get(code, [])
        count = per_outline.get(code, 0)
        if len(within) == 1:
            title = count_title(within[0].name, count)
            url = f"{list_url}?{urlencode({'region': within[0].code})}"
        else:
            names = ", ".join(province.name for province in within)
            title = _(
                "%(provinces)s (digambar dalam batas provinsi sebelum pemekaran 2022): "
                "%(count)d kerja sama"
            ) % {"provinces": names, "count": count}
            url = None
        areas.append(
            Area(
                code=code,
                path=path,
                title=title,
                count=count,
                url=url,
                highlighted=any(province.code == highlight for province in within),
                shade=shade(count, most),
            )
        )
    rows = [
        Row(
            name=province.name,
            count=per_province.get(province.code, 0),
            url=f"{list_url}?{urlencode({'region': province.code})}",
        )
        for province in provinces
    ]
    caption = _("Peta provinsi menurut jumlah kerja sama")
    return Map("indonesia", caption, outlines("indonesia")["viewBox"], areas, rows, most)


def world_map(agreements, highlight=None, countries=None):
    """Partner countries shaded by ``agreements``, each leading to its country page;
    ``highlight`` an ISO 3166-1 code. One query, none when ``countries`` already holds
    ``agreements.counts_by_partner_country()``."""
    if countries is None:
        countries = agreements.counts_by_partner_country()
    counts = {country.code: country for country in countries}
    most = max((country.agreement_count for country in countries), default=0)
    areas = []
    for code, path in outlines("world")["shapes"].items():
        country = counts.get(code)
        count = country.agreement_count if country else 0
        areas.append(
            Area(
                code=code,
                path=path,
                title=count_title(country.name, count) if country else code,
                count=count,
                url=object_url("country-detail", code) if country else None,
                highlighted=code == highlight,
                shade=shade(count, most),
            )
        )
    rows = [
        Row(
            name=country.name,
            count=country.agreement_count,
            url=object_url("country-detail", country.code),
        )
        for country in countries
    ]
    caption = _("Peta negara mitra menurut jumlah kerja sama")
    return Map("world", caption, outlines("world")["viewBox"], areas, rows, most)
