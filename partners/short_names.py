"""The short forms staff write for regions and partner countries: Kaltim, NTT, Jabar, RRT, AS.

One table holds them, each with its source: ``partners/data/short_names.csv`` (see
``partners/data/SOURCES.md``). Search (``agreements.search``) and the admin's searches and
autocompletes expand a word through it, so "Kaltim" finds what "Kalimantan Timur" finds. The
expansion is a dictionary look-up in memory: it adds a few codes to a query, never a scan.
"""

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "short_names.csv"


@dataclass(frozen=True)
class Expansion:
    """What a short form stands for: regions by Kemendagri code, countries by ISO code, and
    their names as the register writes them."""

    region_codes: frozenset = field(default_factory=frozenset)
    country_codes: frozenset = field(default_factory=frozenset)
    names: tuple = ()

    def __bool__(self):
        return bool(self.region_codes or self.country_codes)

    def __or__(self, other):
        return Expansion(
            self.region_codes | other.region_codes,
            self.country_codes | other.country_codes,
            tuple(dict.fromkeys(self.names + other.names)),
        )


NOTHING = Expansion()


@functools.cache
def short_forms():
    """Every short form, case-folded, with what it stands for. Read once per process."""
    table = {}
    with TABLE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            codes = frozenset([row["code"]])
            if row["kind"] == "region":
                meaning = Expansion(region_codes=codes, names=(row["name"],))
            else:
                meaning = Expansion(country_codes=codes, names=(row["name"],))
            key = row["short_name"].casefold()
            table[key] = table.get(key, NOTHING) | meaning
    return table


def expand(word):
    """What ``word`` stands for if it is a short form (in any case), else an empty Expansion."""
    return short_forms().get(word.casefold(), NOTHING)


def expand_text(text):
    """What the words of ``text`` stand for together (an admin search term: "kerja sama NTT")."""
    meaning = NOTHING
    for word in (text or "").split():
        meaning = meaning | expand(word.strip(".,;:()"))
    return meaning
