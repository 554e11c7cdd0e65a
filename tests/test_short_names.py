"""Short forms staff write (Kaltim, Kalteng, NTT, Jabar, RRT, AS) find what they stand for: in
the public search, on PostgreSQL and SQLite alike, and in the admin's searches and
autocompletes. One table holds them, with the source of each (partners/data/short_names.csv)."""

import csv
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from agreements.models import Agreement, Scope
from partners.short_names import expand, expand_text
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
)
from tests.helpers import titles_in

DATA = Path(__file__).resolve().parent.parent / "partners" / "data"

# Provinces with no short form in use: their names are written in full.
WRITTEN_IN_FULL = {
    "14": "Riau",
    "15": "Jambi",
    "17": "Bengkulu",
    "18": "Lampung",
    "36": "Banten",
    "51": "Bali",
    "75": "Gorontalo",
    "81": "Maluku",
    "91": "Papua",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
}


def read(name):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- the table ---------------------------------------------------------------------------------


def test_each_short_form_names_a_shipped_region_or_country_by_its_shipped_name():
    regions = {row["code"]: row["name"] for row in read("regions.csv")}
    countries = {row["code"]: row["name_id"] for row in read("countries.csv")}
    rows = read("short_names.csv")
    for row in rows:
        shipped = regions if row["kind"] == "region" else countries
        assert row["kind"] in ("region", "country"), row
        assert shipped.get(row["code"]) == row["name"], row
        assert row["source"].strip(), row
    short = [row["short_name"].casefold() for row in rows]
    assert len(short) == len(set(short))


def test_each_generic_word_has_its_equivalent_in_the_other_language_and_no_short_form():
    """partners/data/equivalent_words.csv: each group means one thing in Indonesian and
    English (Malay too, as Malaysian parties write their names), each word in one group, with
    where it is written; none a short form, which stands for regions or countries instead."""
    rows = read("equivalent_words.csv")
    groups = {}
    for row in rows:
        assert row["language"] in ("id", "en", "ms"), row
        assert row["source"].strip(), row
        groups.setdefault(row["group"], set()).add(row["language"])
    assert all({"id", "en"} <= languages for languages in groups.values()), groups
    words = [row["word"].casefold() for row in rows]
    assert len(words) == len(set(words))
    assert not set(words) & {row["short_name"].casefold() for row in read("short_names.csv")}
    assert set(expand("university").words) == {"Universitas", "Universiti"}
    assert expand("Kabupaten").words == ("Regency",)
    assert not expand("Universitas")  # no short form: the admin's short forms are unchanged
    assert expand("Samarinda").words == ()


def test_every_province_has_its_short_form_or_is_written_in_full():
    provinces = {row["code"]: row["name"] for row in read("regions.csv") if len(row["code"]) == 2}
    shortened = {row["code"] for row in read("short_names.csv") if row["code"] in provinces}
    assert len(provinces) == 38
    assert shortened | set(WRITTEN_IN_FULL) == set(provinces)
    assert not shortened & set(WRITTEN_IN_FULL)
    assert {provinces[code] for code in WRITTEN_IN_FULL} == set(WRITTEN_IN_FULL.values())


def test_short_forms_expand_whatever_their_case():
    assert expand("Kaltim").region_codes == {"64"}
    assert expand("kalteng").region_codes == {"62"}
    assert expand("NTT").region_codes == {"53"} and expand("ntb").region_codes == {"52"}
    assert expand("RRT").country_codes == {"CN"} and expand("china").country_codes == {"CN"}
    assert expand("AS").country_codes == {"US"}
    assert not expand("Samarinda")
    assert expand_text("kerja sama Jabar dan Jatim").region_codes == {"32", "35"}


# -- the public search -------------------------------------------------------------------------


@pytest.fixture
def register(db):
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    kalteng = ProvinceFactory(code="62", name="Kalimantan Tengah")
    ntt = ProvinceFactory(code="53", name="Nusa Tenggara Timur")
    bali = ProvinceFactory(code="51", name="Bali")
    kukar = RegencyFactory(code="64.02", name="Kabupaten Kutai Kartanegara", province=kaltim)
    jiangxi = PartnerFactory(name="Pemerintah Provinsi Jiangxi", country=CountryFactory(code="CN"))
    ohio = PartnerFactory(
        name="State of Ohio",
        country=CountryFactory(code="US", name_id="Amerika Serikat", name_en="United States"),
    )
    return {
        "kaltim": AgreementFactory(title="Kerja sama perdagangan hasil bumi", lead_region=kaltim),
        "kalteng_bali": AgreementFactory(
            title="Nota kesepahaman pembangunan", lead_region=kalteng, regions=[bali]
        ),
        "ntt": AgreementFactory(
            title="Provinsi kembar", lead_region=ntt, partners=[jiangxi], scope=Scope.KSDPL
        ),
        "kukar": AgreementFactory(title="Beasiswa", lead_region=kukar),
        "ohio": AgreementFactory(
            title="Pertukaran pelajar", lead_region=bali, partners=[ohio], scope=Scope.KSDPL
        ),
        "text_only": AgreementFactory(
            title="Kajian pasar Kalimantan Timur untuk Bali", lead_region=bali
        ),
    }


def search(text):
    return {a.title for a in Agreement.objects.visible_to(AnonymousUser()).search(text)}


def test_kaltim_finds_what_kalimantan_timur_finds(register):
    # The province as a party, and a title that writes the name out.
    assert search("Kaltim") == {
        "Kerja sama perdagangan hasil bumi",
        "Kajian pasar Kalimantan Timur untuk Bali",
    }


def test_kalteng_and_ntt_find_their_provinces_agreements(register):
    assert search("Kalteng") == {"Nota kesepahaman pembangunan"}
    assert search("ntt") == {"Provinsi kembar"}


def test_a_regency_short_form_finds_the_regency(register):
    assert search("Kukar") == {"Beasiswa"}


def test_tiongkok_rrt_and_china_find_the_partners_in_china(register):
    assert search("Tiongkok") == search("RRT") == search("China") == {"Provinsi kembar"}


def test_as_and_amerika_find_the_partners_in_the_united_states(register):
    assert search("AS") == search("Amerika") == {"Pertukaran pelajar"}


def test_a_short_form_is_one_word_of_the_query_like_any_other(register):
    assert search("NTT kembar") == {"Provinsi kembar"}
    assert search("NTT beasiswa") == set()


def test_the_list_page_finds_kaltim(client, register):
    response = client.get(reverse("agreement-list"), {"q": "Kaltim"})
    assert response.status_code == 200
    assert set(titles_in(response)) == {
        "Kerja sama perdagangan hasil bumi",
        "Kajian pasar Kalimantan Timur untuk Bali",
    }
    assert "2 kerja sama ditemukan" in response.content.decode()


def test_a_regions_full_name_finds_the_texts_that_write_its_short_form(client, register):
    """The short forms read the other way: an official typing the name in full finds the
    plans whose summaries write "Kaltim–Anhui", on the list and in its download, as "Kaltim"
    finds the texts that write the name. An internal text stays out of the public's list."""
    import csv
    import io

    bali = Agreement.objects.get(title="Pertukaran pelajar").lead_region
    AgreementFactory(
        title="Rencana kota kembar",
        summary="Penjajakan kota kembar Kaltim–Anhui.",
        lead_region=bali,
    )
    AgreementFactory(
        title="Rencana internal",
        summary="Catatan Kaltim untuk biro.",
        lead_region=bali,
        visibility=Agreement.Visibility.INTERNAL,
    )
    AgreementFactory(title="Kajian NTT dan Bali", lead_region=bali)
    found = {
        "Kerja sama perdagangan hasil bumi",
        "Kajian pasar Kalimantan Timur untuk Bali",
        "Rencana kota kembar",
    }

    response = client.get(reverse("agreement-list"), {"q": "Kalimantan Timur"})
    assert response.status_code == 200
    assert set(titles_in(response)) == found
    download = client.get(reverse("agreement-export", args=["csv"]), {"q": "kalimantan timur"})
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert {row["title"] for row in csv.DictReader(io.StringIO(text))} == found
    assert set(titles_in(client.get(reverse("agreement-list"), {"q": "Kaltim"}))) == found
    # With other words, as one word of the query; a short form of three letters as a word.
    assert search("kembar Kalimantan Timur") == {"Rencana kota kembar"}
    assert search("Nusa Tenggara Timur") == {"Provinsi kembar", "Kajian NTT dan Bali"}


def test_a_regencys_name_without_its_level_finds_the_texts_that_write_its_short_form(register):
    bali = Agreement.objects.get(title="Pertukaran pelajar").lead_region
    AgreementFactory(title="Pelatihan guru Kukar", lead_region=bali)
    both = {"Beasiswa", "Pelatihan guru Kukar"}
    assert search("Kutai Kartanegara") == search("Kabupaten Kutai Kartanegara") == both
    assert search("Kukar") == both


def test_a_short_form_costs_the_search_no_extra_query(client, register, django_assert_num_queries):
    def queries(q):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("agreement-list"), {"q": q})
        return len(captured)

    queries("Kalimantan")  # warm the kept filter lists
    assert queries("Kaltim") == queries("Kalimantan")
    # Nor does a region's name its short forms are read from ("Kalimantan Timur": one word).
    assert queries("Kalimantan Timur") <= queries("Kalimantan")


# -- the admin ---------------------------------------------------------------------------------


def autocomplete(client, model_name, field_name, term, app_label="agreements"):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200, response.content.decode()[:500]
    return [row["text"] for row in response.json()["results"]]


def test_region_autocomplete_offers_the_province_for_its_short_form(staff_client, register):
    assert autocomplete(staff_client, "agreement", "lead_region", "Kaltim")[0] == (
        "Kalimantan Timur"
    )
    assert autocomplete(staff_client, "agreement", "regions", "NTT") == ["Nusa Tenggara Timur"]
    assert autocomplete(staff_client, "agreement", "regions", "kalteng") == ["Kalimantan Tengah"]


def test_partner_autocomplete_offers_the_partners_of_a_country_by_its_short_form(
    staff_client, register
):
    assert autocomplete(staff_client, "agreement", "partners", "RRT") == [
        "Pemerintah Provinsi Jiangxi (CN)"
    ]
    assert autocomplete(staff_client, "agreement", "partners", "Tiongkok") == [
        "Pemerintah Provinsi Jiangxi (CN)"
    ]
    assert autocomplete(staff_client, "agreement", "partners", "AS") == ["State of Ohio (US)"]


def test_country_autocomplete_offers_china_for_rrt(staff_client, register):
    assert autocomplete(staff_client, "partner", "country", "RRT", app_label="partners") == [
        "Tiongkok"
    ]


def test_admin_agreement_search_finds_kaltim(staff_client, register):
    response = staff_client.get(reverse("admin:agreements_agreement_changelist"), {"q": "Kaltim"})
    assert response.status_code == 200
    assert {a.title for a in response.context["cl"].result_list} == {
        "Kerja sama perdagangan hasil bumi",
        "Kajian pasar Kalimantan Timur untuk Bali",
    }


def test_an_editor_of_bali_is_not_offered_kaltim_as_lead_region(client, register, editor_bali):
    client.force_login(editor_bali)
    assert autocomplete(client, "agreement", "lead_region", "Kaltim") == []


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("Kab. Bandung", ["Kabupaten Bandung"]),
        ("Kab.Bandung", ["Kabupaten Bandung"]),
        ("Pemkab Bandung", ["Kabupaten Bandung"]),
        ("Pemerintah Kota Bandung", ["Kota Bandung"]),
        ("Pemkot Bandung", ["Kota Bandung"]),
        ("Provinsi Jawa Barat", ["Jawa Barat"]),
        ("Prov. Jawa Barat", ["Jawa Barat"]),
        ("Pemerintah Provinsi Jawa Barat", ["Jawa Barat"]),
        ("Bau-Bau", ["Kota Bau Bau"]),
    ],
)
def test_region_autocomplete_finds_a_region_written_as_staff_write_its_level(
    staff_client, typed, offered
):
    """A clerk of Jawa Barat types the region as letters write it: "Kab. Bandung", "Provinsi
    Jawa Barat". The names are stored "Kabupaten Bandung" and "Jawa Barat": both found nothing."""
    jabar = ProvinceFactory(code="32", name="Jawa Barat")
    RegencyFactory(code="32.04", name="Kabupaten Bandung", level="regency", province=jabar)
    RegencyFactory(code="32.73", name="Kota Bandung", level="city", province=jabar)
    sultra = ProvinceFactory(code="74", name="Sulawesi Tenggara")
    RegencyFactory(code="74.72", name="Kota Bau Bau", level="city", province=sultra)
    assert autocomplete(staff_client, "agreement", "regions", typed) == offered


# -- a short form is no typo -------------------------------------------------------------------


@pytest.fixture
def neighbours(db):
    """Provinces whose short forms are a few letters from a neighbour's name: "Malut" (Maluku
    Utara) from Maluku, "Sulut" (Sulawesi Utara) from Sulawesi Tengah."""
    return {
        "malut": AgreementFactory(
            title="Pengembangan perikanan tangkap",
            lead_region=ProvinceFactory(code="82", name="Maluku Utara"),
        ),
        "maluku": AgreementFactory(
            title="Pelatihan guru", lead_region=ProvinceFactory(code="81", name="Maluku")
        ),
        "sulut": AgreementFactory(
            title="Promosi pariwisata bahari",
            lead_region=ProvinceFactory(code="71", name="Sulawesi Utara"),
        ),
        "sulteng": AgreementFactory(
            title="Pembangunan jalan",
            lead_region=ProvinceFactory(code="72", name="Sulawesi Tengah"),
        ),
    }


def export_titles(client, q):
    response = client.get(reverse("agreement-export", args=["csv"]), {"q": q})
    assert response.status_code == 200
    rows = csv.DictReader(b"".join(response.streaming_content).decode("utf-8-sig").splitlines())
    return [row["title"] for row in rows]


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "q, found, not_found",
    [
        ("Malut", "Pengembangan perikanan tangkap", "Pelatihan guru"),
        ("Sulut", "Promosi pariwisata bahari", "Pembangunan jalan"),
    ],
)
def test_a_short_form_lists_its_own_province_not_a_neighbour_spelt_alike(
    client, neighbours, q, found, not_found
):
    """A short form stands for its province: an analyst typing "Malut" was listed Maluku's
    agreements beside Maluku Utara's, and "Sulut" Sulawesi Tengah's beside Sulawesi Utara's,
    the short form read as a misspelling of the neighbour's name, in the list and its download
    alike."""
    response = client.get(reverse("agreement-list"), {"q": q})
    assert response.status_code == 200
    assert titles_in(response) == [found]
    assert "1 kerja sama ditemukan" in response.content.decode()
    assert export_titles(client, q) == [found]
    assert not_found not in export_titles(client, q)
