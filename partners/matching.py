"""Finding a partner from how a spreadsheet writes it.

Bureaus write the same partner many ways: "Guangzhou", "Pemerintah Kota Guangzhou", "City of
Guangzhou", 广州市, 广州市人民政府. ``name_key`` reduces a name to what is left once the usual
prefixes and suffixes of government names, case, accents, punctuation and spacing are set aside,
so all of those give the same key. ``PartnerIndex`` finds partners by id, by that key (of the
Latin or the local-script name, or of a name the partner was known by before, its
``former_names``), narrowed by country, ISO 3166-2 subdivision and kind, and forgives small typos
by trigram similarity. A name a partner bears now wins over the same name another partner bore
before: an old spreadsheet's "Xiangfan" is the city renamed Xiangyang, unless a partner is called
Xiangfan today.

The similarity is the one PostgreSQL's ``pg_trgm`` computes (words padded with two spaces before
and one after, shared trigrams over all trigrams), reckoned here over the partners already loaded
for the import: it gives the same answer on PostgreSQL and SQLite, and needs no database extension
that a hosting provider may not allow.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from partners.models import Partner, former_name_list

# Words that say what kind of government a name belongs to, not which one. Longest first, so
# "pemerintah kota" goes before "pemerintah". Compared after ``fold`` (lower case, no accents).
PREFIXES = sorted(
    [
        "pemerintah daerah otonom",
        "pemerintah daerah",
        "pemerintah kota metropolitan",
        "pemerintah kota khusus",
        "pemerintah kota",
        "pemerintah kabupaten",
        "pemerintah provinsi otonom khusus",
        "pemerintah provinsi",
        "pemerintah prefektur",
        "pemerintah metropolitan",
        "pemerintah negara bagian",
        "pemerintah negeri",
        "pemerintah",
        "pemkot",
        "pemprov",
        "pemkab",
        "komite rakyat kota",
        "komite rakyat provinsi",
        "komite rakyat",
        "majlis bandaraya",
        "dewan bandaraya",
        "kota metropolitan",
        "kota",
        "provinsi",
        "prefektur",
        "negara bagian",
        "city of",
        "province of",
        "prefecture of",
        "state of",
        "government of",
        "municipality of",
        "metropolitan city of",
        "the",
        "uy ban nhan dan thanh pho",
        "uy ban nhan dan tinh",
        "uy ban nhan dan",
        "thanh pho",
        "tinh",
        "จังหวัด",
    ],
    key=len,
    reverse=True,
)
SUFFIXES = sorted(
    [
        "metropolitan government",
        "metropolitan city",
        "municipal government",
        "provincial government",
        "prefectural government",
        "city government",
        "government",
        "city",
        "province",
        "prefecture",
        "municipality",
        "metropolis",
        "special city",
        "shi",
        "sheng",
    ],
    key=len,
    reverse=True,
)
# Suffixes in Chinese, Japanese and Korean script, after which nothing but the name is left
# (人民政府 "people's government", 市 city, 省 province, 府 県 都 prefecture, 광역시/특별시/시
# city, 특별자치도/도 province). 道 is left alone: it is part of 北海道.
SCRIPT_SUFFIXES = sorted(
    [
        "人民政府",
        "政府",
        "自治区",
        "市",
        "省",
        "府",
        "県",
        "都",
        "광역시",
        "특별시",
        "특별자치도",
        "시",
        "도",
    ],
    key=len,
    reverse=True,
)
# Below this trigram similarity two names are not taken for the same partner.
SIMILARITY_THRESHOLD = 0.5
# A foreign city and the foreign region it lies in often bear one name (大阪市 Osaka city, 大阪府
# Osaka prefecture; Hiroshima, Kyoto, Fukuoka): once the government words are set aside the name
# no longer tells them apart, and a row that says which of the two it names is never the other.
GOVERNMENT_LEVELS = (Partner.Kind.FOREIGN_CITY, Partner.Kind.FOREIGN_REGION)


def fold(text):
    """Lower case, accents and punctuation removed, single spaces."""
    text = unicodedata.normalize("NFKD", text or "").replace("đ", "d").replace("Đ", "D")
    # Recomposed after the accents go, so that Hangul syllables are whole again.
    text = unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))
    text = text.casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def name_words(text):
    """The words of a name once the usual government prefixes and suffixes are removed."""
    text = fold(text)
    changed = True
    while changed and text:
        changed = False
        for prefix in PREFIXES:
            if text.startswith(prefix + " "):
                text = text[len(prefix) + 1 :]
                changed = True
                break
        for suffix in SUFFIXES:
            if text.endswith(" " + suffix):
                text = text[: -len(suffix) - 1]
                changed = True
                break
        for suffix in SCRIPT_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].rstrip()
                changed = True
                break
    return text


def name_key(text):
    """``name_words`` without spaces: "Kita Kyushu" and "Kitakyushu" are the same name."""
    return name_words(text).replace(" ", "")


def trigrams(text):
    """The trigrams ``pg_trgm`` takes of a text."""
    grams = set()
    for word in fold(text).split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a, b):
    """``pg_trgm``'s ``similarity(a, b)``."""
    return _jaccard(trigrams(a), trigrams(b))


def _jaccard(first, second):
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


# How a partner was found, by the attribute the name a row gives was found in.
HOW_BY_ATTRIBUTE = {"name": "name", "name_local": "local name", "former_names": "former name"}


def _former(partner):
    """The names ``partner`` was known by before (none for one a row is to create)."""
    return former_name_list(getattr(partner, "former_names", ""))


@dataclass
class PartnerMatch:
    """What a row's partner turned out to be."""

    partner: Partner | None = None
    # "id", "name", "local name", "former name", "similar name", "similar former name",
    # "subdivision", or "new" for one to create
    how: str = ""
    candidates: list = field(default_factory=list)  # when ambiguous
    similarity: float = 0.0
    problem: str = ""  # "ambiguous", "unknown", "no country"

    @property
    def is_new(self):
        return self.how == "new"


class PartnerIndex:
    """Every partner, loaded once, found by the keys of its names.

    Partners planned for creation by earlier rows are added with ``add_new``, so that two rows
    naming the same new partner create it once.
    """

    def __init__(self, partners=None):
        partners = list(Partner.objects.all() if partners is None else partners)
        self.by_id = {partner.pk: partner for partner in partners}
        self.by_key = {}
        # Stored partners only, with the trigrams of their names: typos are forgiven against the
        # register, while new partners of one file find each other by exact key.
        self.by_country = {}
        for partner in partners:
            self.add_new(partner)
            grams = [
                (trigrams(name_words(text)), how)
                for text, how in (
                    (partner.name, "similar name"),
                    (partner.name_local, "similar name"),
                    *((former, "similar former name") for former in _former(partner)),
                )
            ]
            self.by_country.setdefault(partner.country_id, []).append((partner, grams))

    def add_new(self, partner):
        for attr, texts in (
            ("name", [partner.name]),
            ("name_local", [partner.name_local]),
            ("former_names", _former(partner)),
        ):
            for text in texts:
                key = name_key(text)
                if key:
                    self.by_key.setdefault(key, []).append((partner, attr))

    def find(
        self,
        *,
        pk=None,
        name="",
        name_local="",
        country=None,
        subdivision=None,
        kind="",
        stated_kind="",
    ):
        """The partner a row names (a ``PartnerMatch``).

        ``country`` and ``subdivision`` are codes (or None), ``kind`` a ``Partner.Kind`` value
        (or empty); they narrow candidates found by name and are what a new partner gets.
        ``stated_kind`` is the kind the row writes (not one guessed from the agreement): a
        partner of the other government level (``GOVERNMENT_LEVELS``) is never the one it names.
        """
        if pk is not None:
            partner = self.by_id.get(pk)
            if partner is None:
                return PartnerMatch(problem="unknown id")
            return PartnerMatch(partner, "id")
        # The names partners bear now first; the names they bore before only when no partner
        # of that country (and subdivision, kind) bears it now.
        for hows in (("local name", "name"), ("former name",)):
            found = {}
            for text in (name_local, name):
                for partner, attr in self.by_key.get(name_key(text), []) if text else []:
                    how = HOW_BY_ATTRIBUTE[attr]
                    if how in hows:
                        found.setdefault(id(partner), (partner, how))
            candidates = self._narrow(
                [p for p, _how in found.values() if not _other_level(p, stated_kind)],
                country,
                subdivision,
                kind,
            )
            if len(candidates) == 1:
                partner = candidates[0]
                return PartnerMatch(partner, found[id(partner)][1])
            if len(candidates) > 1:
                return PartnerMatch(problem="ambiguous", candidates=candidates)
        government = self._government_of(subdivision, kind)
        if government is not None:
            return government
        similar = self._similar(name or name_local, country, subdivision, stated_kind)
        if similar:
            return similar
        if not country:
            return PartnerMatch(problem="no country")
        return PartnerMatch(how="new")

    def _government_of(self, subdivision, kind):
        """The regional government of an ISO 3166-2 subdivision is one partner, whatever its
        name is written as ("Western Australia", "Pemerintah Negara Bagian Australia Barat")."""
        if not subdivision or kind != Partner.Kind.FOREIGN_REGION:
            return None
        found = [
            partner
            for partner, _grams in self.by_country.get(subdivision.split("-")[0], [])
            if partner.subdivision_id == subdivision and partner.kind == kind
        ]
        if len(found) == 1:
            return PartnerMatch(found[0], "subdivision")
        return None

    def _narrow(self, partners, country, subdivision, kind):
        for attr, wanted in (("country_id", country), ("subdivision_id", subdivision)):
            if wanted and partners:
                partners = [p for p in partners if getattr(p, attr) == wanted]
        if kind and len(partners) > 1:
            same_kind = [p for p in partners if p.kind == kind]
            partners = same_kind or partners
        return partners

    def _similar(self, text, country, subdivision, stated_kind):
        """A partner whose name is close to ``text`` (a typo), in the same country, not of the
        other government level than ``stated_kind``."""
        words = name_words(text)
        if not words or not country:
            return None
        wanted = trigrams(words)
        scored = []
        for partner, grams in self.by_country.get(country, []):
            if subdivision and partner.subdivision_id and partner.subdivision_id != subdivision:
                continue
            if _other_level(partner, stated_kind):
                continue
            # The closest of its names; of two as close, the name it bears now.
            best, how = max(
                ((_jaccard(wanted, other), how) for other, how in grams),
                key=lambda pair: (pair[0], pair[1] == "similar name"),
            )
            if best >= SIMILARITY_THRESHOLD:
                scored.append((best, partner, how))
        if not scored:
            return None
        scored.sort(key=lambda found: -found[0])
        top = scored[0][0]
        tied = [partner for score, partner, _how in scored if score == top]
        if len(tied) > 1:
            return PartnerMatch(problem="ambiguous", candidates=tied)
        return PartnerMatch(scored[0][1], scored[0][2], similarity=top)


def _other_level(partner, stated_kind):
    """Whether ``partner`` is a city where the row says a region, or a region where a city."""
    return (
        stated_kind in GOVERNMENT_LEVELS
        and partner.kind in GOVERNMENT_LEVELS
        and partner.kind != stated_kind
    )


@functools.cache
def _accented_letters():
    """{letter: the characters that fold to it} for the Latin letters written with accents
    (é, ö, ă, ơ, ư, đ, …)."""
    letters = {}
    for point in range(0x00C0, 0x1F00):
        char = chr(point)
        folded = fold(char)
        if len(folded) == 1 and folded.isascii() and folded.isalpha() and char.casefold() != folded:
            letters.setdefault(folded, set()).add(char)
    return letters


def accent_blind_pattern(word):
    """A regular expression finding ``word`` written with or without its accents ("da" finds
    "Đà", "zurich" "Zürich"), for a case-insensitive regex lookup (``iregex``): the database
    keeps the names as spelled and folds no accents of its own."""
    letters = _accented_letters()
    pattern = []
    for char in fold(word):
        accented = letters.get(char)
        if accented:
            pattern.append("[" + re.escape(char + "".join(sorted(accented))) + "]")
        else:
            pattern.append(re.escape(char))
    return "".join(pattern)
