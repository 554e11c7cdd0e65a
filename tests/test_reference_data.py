"""The reference data a bureau never types by hand: loaded by one command, again and again."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse

from agreements.models import Sector
from partners.models import Country, Region, Subdivision

ROOT = Path(__file__).resolve().parent.parent
REGIONS_CSV = ROOT / "partners" / "data" / "regions.csv"
COUNTRIES_CSV = ROOT / "partners" / "data" / "countries.csv"
KEMENDAGRI_CSV = ROOT / "partners" / "data" / "kemendagri_regions.csv"

# Where regions.csv writes a name differently from the Kemendagri list, on purpose (SOURCES.md).
KEMENDAGRI_DIFFERENCES = {
    # The name its government and the register's users write.
    "31": ("Daerah Khusus Ibukota Jakarta", "DKI Jakarta"),
    # The regency's own spelling.
    "92.03": ("Kabupaten Fak Fak", "Kabupaten Fakfak"),
}
SECTORS_CSV = ROOT / "agreements" / "data" / "sectors.csv"

# Kepmendagri No. 100.1.1-6117 Tahun 2022: the four provinces carved out of Papua and Papua
# Barat, and what each holds.
NEW_PAPUA_PROVINCES = {
    "93": ("Papua Selatan", {"93.01", "93.02", "93.03", "93.04"}),
    "94": ("Papua Tengah", {f"94.0{n}" for n in range(1, 9)}),
    "95": ("Papua Pegunungan", {f"95.0{n}" for n in range(1, 9)}),
    "96": ("Papua Barat Daya", {"96.01", "96.02", "96.03", "96.04", "96.05", "96.71"}),
}


def load():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def table_sizes():
    return {
        "regions": Region.objects.count(),
        "countries": Country.objects.count(),
        "subdivisions": Subdivision.objects.count(),
        "sectors": Sector.objects.count(),
    }


@pytest.fixture
def loaded(db):
    return load()


def test_the_shipped_regions_file_has_each_code_once():
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    assert len(codes) == 38 + 514
    assert len(set(codes)) == len(codes)


def test_loading_gives_38_provinces_and_514_regencies_and_cities(loaded):
    assert Region.objects.provinces().count() == 38
    assert Region.objects.filter(level=Region.Level.REGENCY).count() == 416
    assert Region.objects.filter(level=Region.Level.CITY).count() == 98
    assert Region.objects.count() == 38 + 514
    assert loaded.strip() == (
        "38 provinsi, 514 kabupaten/kota, 249 negara, 5046 subdivisi, 24 bidang"
    )


def test_the_papua_provinces_of_2022_hold_their_regencies(loaded):
    for code, (name, members) in NEW_PAPUA_PROVINCES.items():
        province = Region.objects.get(code=code)
        assert province.name == name
        assert province.is_province
        assert set(province.members.values_list("code", flat=True)) == members
    merauke = Region.objects.get(name="Kabupaten Merauke")
    assert merauke.code == "93.01"
    assert merauke.province.code == "93"
    papua = Region.objects.get(code="91")
    assert not papua.members.filter(name="Kabupaten Merauke").exists()
    assert papua.members.count() == 9
    assert Region.objects.get(code="92").members.count() == 7
    assert Region.objects.get(code="96.71").name == "Kota Sorong"


def test_every_regency_and_city_sits_under_its_province_code(loaded):
    members = Region.objects.exclude(level=Region.Level.PROVINCE).select_related("province")
    assert members.count() == 514
    for region in members:
        assert region.code.startswith(f"{region.province.code}.")
        assert region.province.is_province
        region.clean_fields()
        region.clean()


def test_kaltim_holds_samarinda_and_balikpapan(loaded):
    kaltim = Region.objects.get(code="64")
    assert kaltim.name == "Kalimantan Timur"
    within = Region.objects.within(kaltim)
    assert within.get(code="64.72").name == "Kota Samarinda"
    assert within.get(code="64.71").name == "Kota Balikpapan"
    assert within.get(code="64.72").level == Region.Level.CITY
    assert within.count() == 11  # the province, seven regencies, three cities


def test_jakarta_has_five_administrative_cities_and_one_regency(loaded):
    jakarta = Region.objects.get(code="31")
    assert jakarta.name == "DKI Jakarta"
    levels = dict(jakarta.members.values_list("code", "level"))
    assert levels.pop("31.01") == Region.Level.REGENCY
    assert set(levels.values()) == {Region.Level.CITY}
    assert len(levels) == 5
    assert Region.objects.get(code="34").name == "Daerah Istimewa Yogyakarta"


def test_reloading_creates_nothing_and_changes_no_count(loaded):
    before = table_sizes()
    assert load() == loaded
    assert table_sizes() == before
    duplicated = Region.objects.values("code").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicated.exists()


def test_reloading_restores_a_shipped_region_someone_changed(loaded):
    bali = Region.objects.get(code="51")
    Region.objects.filter(code="64.72").update(name="Samarinda (salah)", province=bali)
    load()
    samarinda = Region.objects.get(code="64.72")
    assert samarinda.name == "Kota Samarinda"
    assert samarinda.province.code == "64"


def test_reloading_leaves_rows_staff_added_alone(loaded):
    Sector.objects.create(slug="sport-tourism", name_id="Wisata olahraga", name_en="Sport tourism")
    Sector.objects.filter(slug="education").update(name_en="Schooling")
    Country.objects.filter(code="CN").update(name_id="Cina")
    load()
    assert Sector.objects.get(slug="sport-tourism").name_id == "Wisata olahraga"
    assert Sector.objects.get(slug="education").name_en == "Education"
    assert Country.objects.get(code="CN").name_id == "Tiongkok"
    assert Sector.objects.count() == 25


def test_a_staff_sector_with_a_shipped_name_stops_the_load_with_a_message(loaded):
    Sector.objects.filter(slug="education").delete()
    Sector.objects.create(slug="pendidikan", name_id="Pendidikan", name_en="Schools")
    Region.objects.filter(code="64.72").update(name="Samarinda (salah)")
    with pytest.raises(CommandError, match="pendidikan"):
        load()
    # Nothing was half-written: the region load ran in the same transaction.
    assert Region.objects.get(code="64.72").name == "Samarinda (salah)"


def test_china_and_japan_are_named_in_indonesian_and_english(loaded):
    china = Country.objects.get(code="CN")
    assert (china.alpha3, china.name_id, china.name_en) == ("CHN", "Tiongkok", "China")
    japan = Country.objects.get(code="JP")
    assert (japan.alpha3, japan.name_id, japan.name_en) == ("JPN", "Jepang", "Japan")
    korea = Country.objects.get(code="KR")
    assert (korea.name_id, korea.name_en) == ("Korea Selatan", "South Korea")
    assert Country.objects.get(code="ID").name_id == "Indonesia"
    assert Country.objects.count() == 249


def test_anhui_and_jiangxi_are_provinces_of_china(loaded):
    anhui = Subdivision.objects.get(code="CN-AH")
    assert (anhui.country_id, anhui.name, anhui.kind) == ("CN", "Anhui Sheng", "Province")
    jiangxi = Subdivision.objects.get(code="CN-JX")
    assert (jiangxi.country_id, jiangxi.name) == ("CN", "Jiangxi Sheng")
    assert Subdivision.objects.get(code="JP-27").name == "Osaka"
    assert Subdivision.objects.count() == 5046


def test_sectors_are_named_in_both_languages(loaded):
    education = Sector.objects.get(slug="education")
    assert (education.name_id, education.name_en) == ("Pendidikan", "Education")
    with SECTORS_CSV.open(encoding="utf-8", newline="") as handle:
        shipped = list(csv.DictReader(handle))
    assert Sector.objects.count() == len(shipped) == 24
    assert not Sector.objects.filter(name_id="").exists()
    assert not Sector.objects.filter(name_en="").exists()


def test_loading_takes_a_few_bulk_statements_not_one_per_row(db, django_assert_max_num_queries):
    # About 5,900 rows. PostgreSQL writes them in about ten statements; SQLite needs more,
    # because Django keeps each statement under 999 parameters there (some 20 batches for the
    # subdivisions alone). Either way, far from a query per row.
    with django_assert_max_num_queries(60):
        load()


def read_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_region_is_named_as_the_kemendagri_list_names_it():
    official = {row["code"]: row["name"] for row in read_rows(KEMENDAGRI_CSV)}
    ours = {row["code"]: row["name"] for row in read_rows(REGIONS_CSV)}
    assert set(ours) == set(official)
    differences = {}
    for code, name in ours.items():
        # The list abbreviates "Kep." (Kepulauan) in a few names; regions.csv writes it out.
        listed = official[code].replace("Kep. ", "Kepulauan ")
        if name != listed:
            differences[code] = (listed, name)
    assert differences == KEMENDAGRI_DIFFERENCES


def test_pohuwato_and_parepare_are_spelt_as_kemendagri_spells_them(loaded):
    assert Region.objects.get(code="75.04").name == "Kabupaten Pohuwato"
    assert Region.objects.get(code="73.72").name == "Kota Parepare"
    assert Region.objects.get(code="71.08").name == "Kabupaten Bolaang Mongondow Utara"
    assert not Region.objects.filter(name__contains="Pahuwato").exists()


def test_every_country_has_an_indonesian_name_as_the_government_writes_it():
    rows = {row["code"]: row for row in read_rows(COUNTRIES_CSV)}
    assert len(rows) == 249
    assert all(row["name_id"] for row in rows.values())
    names = {code: row["name_id"] for code, row in rows.items()}
    assert names["CN"] == "Tiongkok"  # Keppres 12/2014, not "Cina"
    assert names["TL"] == "Timor-Leste"  # the state, not the former province "Timor Timur"
    assert names["PS"] == "Palestina"
    # Countries the old catalogue left in English.
    assert (names["CZ"], names["GB"], names["FR"], names["RU"]) == (
        "Ceko",
        "Inggris Raya",
        "Prancis",
        "Rusia",
    )
    assert "Cina" not in names.values() and "Timor Timur" not in names.values()


def test_reloading_renames_the_countries_an_older_load_wrote(loaded):
    Country.objects.filter(code="CN").update(name_id="Cina")
    Country.objects.filter(code="TL").update(name_id="Timor Timur")
    Region.objects.filter(code="75.04").update(name="Kabupaten Pahuwato")
    load()
    assert Country.objects.get(code="CN").name_id == "Tiongkok"
    assert Country.objects.get(code="TL").name_id == "Timor-Leste"
    assert Region.objects.get(code="75.04").name == "Kabupaten Pohuwato"


def test_the_country_pages_of_china_and_timor_leste_use_the_official_names(loaded, client):
    china = client.get(reverse("country-detail", args=["CN"]))
    assert china.status_code == 200
    text = china.content.decode()
    assert "<h1>Tiongkok</h1>" in text
    assert "Cina" not in text
    timor = client.get(reverse("country-detail", args=["TL"]))
    text = timor.content.decode()
    assert "<h1>Timor-Leste</h1>" in text
    assert "Timor Timur" not in text
