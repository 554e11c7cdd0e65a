"""The short forms staff write for regions and partner countries: Kaltim, NTT, Jabar, RRT, AS;
and the generic words of party names that mean the same in Indonesian and English.

One table holds the short forms, each with its source: ``partners/data/short_names.csv`` (see
``partners/data/SOURCES.md``). Search (``agreements.search``) and the admin's searches and
autocompletes expand a word through it, so "Kaltim" finds what "Kalimantan Timur" finds. The
search reads the table the other way too (``full_names``): a region's name typed in full stands
for the short forms written of it, so "Kalimantan Timur" finds the texts that write "Kaltim".
The expansion is a dictionary look-up in memory: it adds a few codes to a query, never a scan.

Another holds the generic words of party names in the languages staff type (``University``,
``Universitas``; ``Prefecture``, ``Prefektur``; ``Regency``, ``Kabupaten``), each with where it
is written: ``partners/data/equivalent_words.csv``. The search expands a word of it to the
others of its group (``Expansion.words``), so "University" finds Universitas Indonesia and
"Universitas" Hiroshima University.
"""

import csv
import functools
import re
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
    # The words of the same meaning in party names in another language
    # (``equivalent_words``): "Universitas" and "Universiti" for "University".
    words: tuple = ()

    def __bool__(self):
        """Whether it is a short form: stands for regions or countries (an equivalent word is
        not one, and is looked for inside other words as any word is)."""
        return bool(self.region_codes or self.country_codes)

    def __or__(self, other):
        return Expansion(
            self.region_codes | other.region_codes,
            self.country_codes | other.country_codes,
            tuple(dict.fromkeys(self.names + other.names)),
            tuple(dict.fromkeys(self.words + other.words)),
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


EQUIVALENT_WORDS = Path(__file__).resolve().parent / "data" / "equivalent_words.csv"


@functools.cache
def equivalent_words():
    """{word, case-folded: the other words of its group, as written} of
    ``equivalent_words.csv``. Read once per process."""
    groups = {}
    with EQUIVALENT_WORDS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            groups.setdefault(row["group"], []).append(row["word"])
    return {
        word.casefold(): tuple(other for other in words if other != word)
        for words in groups.values()
        for word in words
    }


@functools.cache
def full_names():
    """{a region's name, case-folded: the region and its name, and the short forms written of
    it} of ``short_names.csv``, read the other way: "kalimantan timur" stands for region 64,
    written "Kalimantan Timur" or "Kaltim". Regions only: a country's short forms are
    words of other languages too ("AS", "UK": as a word of a text, not the country). A regency's
    or city's name is read without its level too, as staff write it ("Kutai Kartanegara" for
    Kabupaten Kutai Kartanegara: "Kukar"). Read once per process."""
    table = {}
    with TABLE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] != "region":
                continue
            meaning = Expansion(
                region_codes=frozenset([row["code"]]), names=(row["name"], row["short_name"])
            )
            bare = re.sub(LEVEL, "", row["name"])
            for key in {row["name"].casefold(), bare.casefold()}:
                table[key] = table.get(key, NOTHING) | meaning
    return table


# The level a regency's or city's name begins with (regions.csv), left out where staff write
# the name alone.
LEVEL = re.compile(r"^(Kabupaten|Kota Administrasi|Kabupaten Administrasi|Kota) ")


@functools.cache
def full_name_words():
    """The words of each region's name of ``full_names``, case-folded, as tuples: the search
    reads them typed in a row as the one name (``agreements.search.search_words``)."""
    return frozenset(tuple(name.split()) for name in full_names())


@functools.cache
def _expansions():
    """``short_forms`` with the equivalent words of each word that has them."""
    table = dict(short_forms())
    for word, others in equivalent_words().items():
        table[word] = table.get(word, NOTHING) | Expansion(words=others)
    return table


def expand(word):
    """What ``word`` stands for if it is a short form (in any case), and the words of the same
    meaning in another language if it is a generic word of party names (``Expansion.words``);
    else an empty Expansion."""
    return _expansions().get(word.casefold(), NOTHING)


def expand_searched(word):
    """``expand``, and for a region's name that has short forms (``full_names``: "Kalimantan
    Timur", typed in any case), the region and its name and short forms: what a word of the
    register's search stands for (``agreements.search``). The admin's searches keep to
    ``expand``: they offer a region by its name already."""
    return expand(word) | full_names().get(word.casefold(), NOTHING)


def expand_text(text):
    """What the words of ``text`` stand for together (an admin search term: "kerja sama NTT")."""
    meaning = NOTHING
    for word in (text or "").split():
        meaning = meaning | expand(word.strip(".,;:()"))
    return meaning
