"""Free-text search: every word must match the title, summary, reference, a party's name or a
sector, in Indonesian or English.

PostgreSQL (production and CI) stems words, ranks results and forgives a typo in a party name;
SQLite, the embedded default, stands in with a case-insensitive substring match. Where the two
differ, a test says what each does rather than skipping one of them: CI runs both and refuses a
skipped test.
"""

import datetime
import io
import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from agreements.models import Agreement, Scope
from partners.models import Partner
from partners.short_names import expand
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
    SectorFactory,
    make_official,
)
from tests.helpers import on_postgresql, titles_in, words_tested

pytestmark = pytest.mark.django_db

# A word's agreements read from a link table, after its own text: ``… UNION ALL (SELECT
# "agreements_agreement_regions"."agreement_id" AS "agreement_id" FROM …`` (compiled once on
# its own, its tables go by their names; inside a larger query, by aliases).
TABLE = r'(?:\w+|"\w+")'
LINK_SOURCES = re.compile(rf'UNION ALL \(SELECT {TABLE}\."agreement_id"')
# A word's own text read first from its index, as the first source of its ``UNION ALL``.
READ_FIRST = re.compile(
    r'\(\(SELECT "agreements_agreement"\."id" AS "pk" FROM "agreements_agreement" '
    r'WHERE \(?"agreements_agreement"\."search_vector" @@'
)
# The agreements of the kinds a word names, read by their kind: ``… UNION ALL (SELECT
# "agreements_agreement"."id" AS "pk" FROM "agreements_agreement" WHERE
# "agreements_agreement"."kind" IN ('sister_city'))``.
KIND_SOURCE = re.compile(
    rf'UNION ALL \(SELECT {TABLE}\."id" AS "pk" FROM "agreements_agreement"(?: \w+)? '
    rf'WHERE {TABLE}\."kind" IN'
)


def search(text, user=None):
    user = user or AnonymousUser()
    agreements = Agreement.objects.visible_to(user).search(text, user)
    return [agreement.title for agreement in agreements]


@pytest.fixture
def education():
    return SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")


@pytest.fixture
def register(kaltim, samarinda, bali, education):
    anhui = PartnerFactory(
        name="Pemerintah Provinsi Anhui", name_local="安徽省", country=CountryFactory(code="CN")
    )
    tourism = SectorFactory(slug="tourism", name_id="Pariwisata", name_en="Tourism")
    return {
        "sister_city": AgreementFactory(
            title="Kota kembar Samarinda dan Anhui",
            reference="119/KSD/IV/2024",
            lead_region=samarinda,
            partners=[anhui],
            scope=Scope.KSDPL,
            sectors=[education],
            summary="Beasiswa dan pelatihan guru-guru di Samarinda.",
        ),
        "kaltim_trade": AgreementFactory(
            title="Kerja sama Kalimantan Timur dan Bali",
            lead_region=kaltim,
            regions=[bali],
            sectors=[tourism],
            summary="Kedua provinsi sepakat untuk berdagang hasil bumi dan mempromosikan "
            "kebudayaan daerah.",
        ),
        "bali_exchange": AgreementFactory(
            title="Bali teacher exchange",
            lead_region=bali,
            summary="An educational exchange programme for teachers.",
        ),
        "internal": AgreementFactory(
            title="Rencana rahasia Samarinda",
            lead_region=samarinda,
            visibility=Agreement.Visibility.INTERNAL,
        ),
    }


# -- the same on every database --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["-", "...", "#", "—", "\ufffd"])
def test_a_keyword_without_a_letter_or_digit_finds_nothing(client, register, typed):
    """A keyword of marks alone ("-", "…", a dash pasted from a document) finds nothing, as a
    keyword that no agreement holds: it listed every agreement under a chip naming it, and the
    download held the whole register."""
    assert search(typed) == []
    page = client.get(reverse("agreement-list"), {"q": typed})
    assert page.status_code == 200
    assert titles_in(page) == []


@pytest.mark.parametrize("typed", ["-", "\U0001f600"])
@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_the_download_of_a_keyword_finding_nothing_holds_no_row(
    client, register, kaltim, typed, file_format
):
    """The page of a keyword of marks alone lists nothing, and so does its download, on the
    list and on a region's page: on PostgreSQL, whose query writes the file's cells, the
    selection that can match nothing answered 500."""
    for page in (reverse("agreement-list"), reverse("region-detail", args=[kaltim.code])):
        response = client.get(f"{page}export.{file_format}", {"q": typed})
        assert response.status_code == 200, page
        body = b"".join(response.streaming_content)
        if file_format == "csv":
            assert body.decode("utf-8-sig").splitlines()[0].startswith("reference,")
            assert len(body.decode("utf-8-sig").splitlines()) == 1
        elif file_format == "json":
            assert json.loads(body)["agreements"] == []
        else:
            sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
            assert len(list(sheet.iter_rows(values_only=True))) == 1


def test_title_words_match_whatever_their_case(register):
    assert "Kota kembar Samarinda dan Anhui" in search("SAMARINDA")


def test_a_party_region_is_found_by_its_name(register):
    assert search("Bali") == search("bali")
    assert set(search("Bali")) == {
        "Kerja sama Kalimantan Timur dan Bali",
        "Bali teacher exchange",
    }


def test_a_partner_is_found_by_its_name_in_latin_or_its_own_script(register):
    assert search("Anhui") == ["Kota kembar Samarinda dan Anhui"]
    assert search("安徽") == ["Kota kembar Samarinda dan Anhui"]


@pytest.fixture
def renamed(kaltim, samarinda):
    """A Chinese city renamed (Xiangfan became Xiangyang in 2010), a university merged and
    renamed, known only from an internal agreement."""
    xiangyang = PartnerFactory(
        name="Pemerintah Kota Xiangyang",
        name_local="襄阳市人民政府",
        former_names="Kota Xiangfan\n襄樊市",
        kind=Partner.Kind.FOREIGN_CITY,
        country=CountryFactory(code="CN"),
    )
    gorontalo = PartnerFactory(
        name="Universitas Negeri Gorontalo",
        former_names="IKIP Negeri Gorontalo",
        kind=Partner.Kind.UNIVERSITY,
        country=CountryFactory(code="ID"),
    )
    AgreementFactory(
        title="Kota kembar Samarinda dan Xiangyang",
        lead_region=samarinda,
        partners=[xiangyang],
        scope=Scope.KSDPL,
    )
    AgreementFactory(
        title="Rencana beasiswa guru",
        lead_region=kaltim,
        partners=[gorontalo],
        scope=Scope.KSDPK,
        visibility=Agreement.Visibility.INTERNAL,
    )
    return {"xiangyang": xiangyang, "gorontalo": gorontalo}


@pytest.mark.parametrize("words", ["Xiangfan", "xiangfan", "襄樊", "Kota Xiangfan"])
def test_a_partner_is_found_by_a_word_of_a_name_it_was_known_by_before(renamed, words):
    """An agreement signed with Xiangfan is found by that name after the city was renamed
    Xiangyang, in Latin script or in its own."""
    assert search(words) == ["Kota kembar Samarinda dan Xiangyang"]


def test_a_former_name_finds_only_what_the_reader_may_read(renamed, django_user_model):
    assert search("IKIP") == []
    assert search("IKIP", make_official(django_user_model)) == ["Rencana beasiswa guru"]


def test_the_list_and_the_admin_searched_for_a_former_name_list_its_agreements(
    client, staff_client, renamed
):
    response = client.get(reverse("agreement-list"), {"q": "Xiangfan"})
    assert titles_in(response) == ["Kota kembar Samarinda dan Xiangyang"]
    assert "1 kerja sama ditemukan" in response.content.decode()
    response = staff_client.get(reverse("admin:agreements_agreement_changelist"), {"q": "IKIP"})
    assert [a.title for a in response.context["cl"].result_list] == ["Rencana beasiswa guru"]


@pytest.mark.postgresql  # SQLite has no index to read the names from
def test_a_former_name_is_read_from_its_trigram_index(renamed):
    """The partners a word names by a former name are read from the trigram index of the
    former names (migration 0055), as those it names by its name are from theirs (0028)."""
    from django.db import connection

    from agreements.search import PARTNER_NAMES, Word, _contains

    partners = Partner.objects.filter(_contains(Word("Xiangfan", "Xiangfan"), *PARTNER_NAMES))
    assert list(partners) == [renamed["xiangyang"]]
    sql, params = partners.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("partner_name_trgm", "partner_name_local_trgm", "partner_former_names_trgm"):
        assert f"Bitmap Index Scan on {index}" in plan, plan


@pytest.mark.postgresql  # elsewhere the names are one substring condition
def test_the_search_looks_for_a_former_name_apart_from_the_names(renamed):
    """ORed with the name and the name in its own script, the three trigram indexes cost
    PostgreSQL more than reading every partner, which it did (1.6 ms for each query of a page
    at 5,000 partners): the former names are a way of their own in the word's union."""
    sql, _params = Agreement.objects.search("Xiangfan").query.sql_with_params()
    # The near spelling's way asks too whether any name holds the word as typed.
    (way,) = [
        part for part in sql.split("UNION ALL") if "former_names" in part and "EXISTS" not in part
    ]
    assert '"name"' not in way and '"name_local"' not in way, way
    assert Agreement.objects.search("Xiangfan").count() == 1


@pytest.fixture
def accented(kaltim, samarinda):
    """A partner and a title spelt with their accents, as their own languages write them."""
    sao_paulo = PartnerFactory(name="Prefeitura de São Paulo", country=CountryFactory(code="BR"))
    return {
        "city": AgreementFactory(
            title="Kota kembar Samarinda dan São Paulo",
            lead_region=samarinda,
            partners=[sao_paulo],
        ),
        "scholar": AgreementFactory(
            title="Beasiswa José Rizal untuk guru Kalimantan Timur",
            lead_region=kaltim,
            summary="Pertukaran guru dengan Universidad de Bogotá.",
        ),
        # Words of two letters, too short to be looked for inside others, accented too.
        "port": AgreementFactory(
            title="Pelabuhan Balikpapan dan Thành phố Hồ Chí Minh",
            lead_region=kaltim,
            summary="Kunjungan ke Đà Nẵng.",
        ),
    }


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("Jose", "scholar"),
        ("jose rizal", "scholar"),
        ("José", "scholar"),
        ("Bogota", "scholar"),
        ("Sao Paulo", "city"),
        ("sao paulo", "city"),
        ("São Paulo", "city"),
        ("Prefeitura Sao", "city"),
        ("Ho Chi Minh", "port"),
        ("Hồ Chí Minh", "port"),
        ("Da Nang", "port"),
        ("Đà Nẵng", "port"),
    ],
)
def test_a_word_typed_without_its_accents_finds_it_written_with_them(accented, words, found):
    """A reader types on a keyboard without accents: "Jose" found no "José", "Sao Paulo" no
    agreement with São Paulo, in a title, a summary or a partner's name."""
    assert search(words) == [accented[found].title]


def test_a_word_typed_with_accents_finds_it_written_without_them(register):
    assert "Kota kembar Samarinda dan Anhui" in search("Ánhui")


@pytest.mark.postgresql  # SQLite has no index to read the names from
def test_a_name_typed_without_its_accents_is_read_from_a_trigram_index(accented):
    """The partners a word names, their accents aside, are read from the trigram indexes of
    their names with the accents taken away (migration 0069), not every partner."""
    from django.db import connection

    from agreements.search import PARTNER_NAMES, Word, _contains

    partners = Partner.objects.filter(
        _contains(Word("Paulo", "Paulo"), *PARTNER_NAMES, fold_accents=True)
    )
    assert [partner.name for partner in partners] == ["Prefeitura de São Paulo"]
    sql, params = partners.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for column in PARTNER_NAMES:
        assert f"Bitmap Index Scan on partner_{column}_unaccented_trgm" in plan, plan


def test_a_partner_country_is_found_by_its_indonesian_or_english_name(register):
    assert search("Tiongkok") == ["Kota kembar Samarinda dan Anhui"]
    assert search("China") == ["Kota kembar Samarinda dan Anhui"]


def test_a_sector_is_found_in_indonesian_and_in_english(register):
    assert search("Pendidikan") == ["Kota kembar Samarinda dan Anhui"]
    assert "Kota kembar Samarinda dan Anhui" in search("education")


def test_english_summary_matches_an_english_word(register):
    assert "Bali teacher exchange" in search("education")
    assert search("teachers") == ["Bali teacher exchange"]


def test_the_reference_number_is_found(register):
    assert search("119/KSD/IV/2024") == ["Kota kembar Samarinda dan Anhui"]


def test_one_or_two_letters_find_a_word_not_a_piece_of_one(register, kaltim):
    """A search for "RI" finds the agreement that says RI, not every one with "ri" inside a word
    (Samarinda, Timur, a partner's name): so short a word is part of most names in a national
    register."""
    AgreementFactory(title="Kerja sama RI dan Jepang", lead_region=kaltim)
    AgreementFactory(title="Kerja sama Riau", lead_region=kaltim, reference="RI-77/2023")

    assert search("RI") == ["Kerja sama RI dan Jepang"]
    assert search("ri jepang") == ["Kerja sama RI dan Jepang"]
    assert search("b") == []
    # A single ideograph is part of many names; two name a place: 安徽, Anhui.
    assert search("省") == []
    assert search("安徽") == ["Kota kembar Samarinda dan Anhui"]


def test_a_short_word_is_found_in_a_reference_with_what_it_was_typed_with(register, kaltim):
    AgreementFactory(title="Pengelolaan sampah", lead_region=kaltim, reference="12/2024")
    AgreementFactory(title="Penanganan banjir", lead_region=kaltim, reference="120/KSD/2024")

    assert search("12/2024") == ["Pengelolaan sampah"]
    assert search("(IV/2024)") == ["Kota kembar Samarinda dan Anhui"]
    assert search("IV") == []  # alone, in no reference
    # Three characters or more are still found anywhere in a reference.
    assert set(search("2024")) == {
        "Pengelolaan sampah",
        "Penanganan banjir",
        "Kota kembar Samarinda dan Anhui",
    }
    assert set(search("KSD")) == {"Penanganan banjir", "Kota kembar Samarinda dan Anhui"}


def test_short_words_are_looked_for_in_no_reference_or_name_by_substring(register):
    """No index finds one or two characters inside a text: each such word read every reference
    and every party's name, and matched most of them, a second or so a word at 100,000
    agreements. Eight of them took ten seconds."""
    sql = str(Agreement.objects.search("b c d f g h j k").order_by().values("pk").query)

    assert "LIKE" not in sql.upper()
    # A word of three characters still is.
    assert "LIKE" in str(Agreement.objects.search("ksd").order_by().values("pk").query).upper()


def test_every_word_must_match_somewhere_but_not_in_the_same_field(register):
    # "pendidikan" is the sector, "Samarinda" a party: together they name one agreement.
    assert search("pendidikan Samarinda") == ["Kota kembar Samarinda dan Anhui"]
    assert search("pendidikan Bali") == []


def test_kerjasama_written_joined_finds_kerja_sama_written_apart(register, kaltim):
    """Staff, and the seed stories, write "kerjasama" joined; the register writes "kerja sama"
    apart, as the KBBI does. Typed joined, it finds both spellings, with the other words."""
    AgreementFactory(lead_region=kaltim, title="Kerja Sama Pendidikan Vokasi")
    AgreementFactory(lead_region=kaltim, title="Kerjasama Kebudayaan")
    AgreementFactory(lead_region=kaltim, title="Pertukaran Pelajar")

    assert {"Kerja Sama Pendidikan Vokasi", "Kerjasama Kebudayaan"} <= set(search("kerjasama"))
    assert "Pertukaran Pelajar" not in search("kerjasama")
    assert search("Kerjasama vokasi") == ["Kerja Sama Pendidikan Vokasi"]
    culture = search("kerjasama kebudayaan")
    assert "Kerjasama Kebudayaan" in culture and "Kerja Sama Pendidikan Vokasi" not in culture


def test_kerja_sama_written_apart_finds_kerjasama_written_joined(register, kaltim):
    """Typed apart, as the KBBI writes it, "kerja sama" finds the titles written joined too
    ("Kerjasama Kebudayaan", as the seed stories write them): each word alone was not in them."""
    AgreementFactory(lead_region=kaltim, title="Kerja Sama Pendidikan Vokasi")
    AgreementFactory(lead_region=kaltim, title="Kerjasama Kebudayaan")
    AgreementFactory(lead_region=kaltim, title="Kerja bakti sama warga")

    found = search("kerja sama")
    assert {"Kerja Sama Pendidikan Vokasi", "Kerjasama Kebudayaan"} <= set(found)
    assert "Kerja bakti sama warga" not in found
    for typed in ("Kerja-sama kebudayaan", "kebudayaan KERJA SAMA"):
        culture = search(typed)
        assert "Kerjasama Kebudayaan" in culture and "Kerja Sama Pendidikan Vokasi" not in culture


def test_a_query_of_spaces_alone_is_no_search(register):
    assert len(search("   ")) == 3


def test_anonymous_search_never_finds_an_internal_agreement(register, django_user_model):
    assert search("rahasia") == []
    assert search("rahasia", make_official(django_user_model)) == ["Rencana rahasia Samarinda"]


def test_search_follows_a_changed_title(register):
    # No application code maintains the search data: a bulk update is found at once.
    Agreement.objects.filter(pk=register["bali_exchange"].pk).update(title="Bali beasiswa")
    assert set(search("beasiswa")) == {"Bali beasiswa", "Kota kembar Samarinda dan Anhui"}


def test_list_page_searches_and_counts(client, register):
    response = client.get(reverse("agreement-list"), {"q": "Anhui"})
    assert titles_in(response) == ["Kota kembar Samarinda dan Anhui"]
    assert "1 kerja sama ditemukan" in response.content.decode()


@pytest.fixture
def kinds(kaltim, samarinda):
    """Two sister cities, one of whose titles says so only in English, and an MoU; none
    titled with its kind's Indonesian name."""
    wuhu = AgreementFactory(
        title="Kerja sama Samarinda dan Wuhu",
        kind=Agreement.Kind.SISTER_CITY,
        lead_region=samarinda,
        scope=Scope.KSDPL,
    )
    hefei = AgreementFactory(
        title="Kerja sama Balikpapan dan Hefei",
        title_en="Sister city of Balikpapan and Hefei",
        kind=Agreement.Kind.SISTER_CITY,
        lead_region=kaltim,
        scope=Scope.KSDPL,
    )
    mou = AgreementFactory(title="Kerja sama Kaltim dan Jawa Barat", lead_region=kaltim)
    return {"sister_cities": {wuhu.title, hefei.title}, "mous": {mou.title}}


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("sister city", "sister_cities"),
        ("Kota kembar", "sister_cities"),
        ("sister city Samarinda", None),
        ("MoU", "mous"),
        ("nota kesepahaman", "mous"),
        ("memorandum of understanding", "mous"),
    ],
)
def test_a_kind_is_found_by_the_words_of_its_name_in_either_language(kinds, words, found):
    """A reader searches a kind of document by its name, Indonesian or English, and finds
    every agreement of that kind, as the kind filter lists them, whatever their titles say."""
    expected = kinds[found] if found else {"Kerja sama Samarinda dan Wuhu"}
    assert set(search(words)) == expected


def test_the_english_list_searched_for_sister_city_lists_what_the_kind_filter_lists(client, kinds):
    """Searched in English for "sister city", the list shows every sister city, as filtering
    it by that kind does, not only those whose English title says so."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    searched = client.get(reverse("agreement-list"), {"q": "sister city"})
    filtered = client.get(reverse("agreement-list"), {"kind": "sister_city"})
    translation.deactivate()  # the requests left English active in this thread
    assert sorted(titles_in(searched)) == sorted(titles_in(filtered))
    assert set(titles_in(searched)) == kinds["sister_cities"]
    assert "2 agreements found" in searched.content.decode()


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("KSDPL", {"Kota kembar Samarinda dan Anhui"}),
        ("ksdd", {"Kerja sama Kalimantan Timur dan Bali", "Bali teacher exchange"}),
        ("KSDD Bali", {"Kerja sama Kalimantan Timur dan Bali", "Bali teacher exchange"}),
        ("KSDD Kaltim", {"Kerja sama Kalimantan Timur dan Bali"}),
        ("KSDPL Bali", set()),
        ("KSDPK", set()),
    ],
)
def test_a_scope_code_finds_the_agreements_of_that_scope(register, words, found):
    """Bureau staff write the scope by its code: "KSDPL" found nothing, none of the titles
    saying it. It finds the agreements of that scope, as the scope filter lists them, and
    beside another word those of the scope that word finds."""
    assert set(search(words)) == found


def test_the_list_and_the_admin_searched_for_a_scope_code_list_that_scope(staff_client, register):
    """Searched for "KSDPL", the public list shows what its scope filter shows; the admin's
    search for "ksdd" every KSDD, the internal one too."""
    client = Client()  # a visitor's, beside the staff's
    searched = client.get(reverse("agreement-list"), {"q": "KSDPL"})
    filtered = client.get(reverse("agreement-list"), {"scope": "ksdpl"})
    assert titles_in(searched) == titles_in(filtered) == ["Kota kembar Samarinda dan Anhui"]

    response = staff_client.get(reverse("admin:agreements_agreement_changelist"), {"q": "ksdd"})
    assert {agreement.title for agreement in response.context["cl"].result_list} == {
        "Kerja sama Kalimantan Timur dan Bali",
        "Bali teacher exchange",
        "Rencana rahasia Samarinda",
    }


def test_the_download_of_a_search_for_a_scope_code_holds_what_its_page_lists(register):
    """Searched for "KSDPL", the list's CSV, XLSX and JSON hold the page's rows: on PostgreSQL
    counting such a search (a download counts its rows before it starts) failed on the stored
    search vector the word is tested against row by row, a 500 in place of each file."""
    import csv
    import io
    import json

    client = Client()
    listed = titles_in(client.get(reverse("agreement-list"), {"q": "KSDPL"}))
    assert listed == ["Kota kembar Samarinda dan Anhui"]
    response = client.get(reverse("agreement-export", args=["csv"]), {"q": "KSDPL"})
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert [row["title"] for row in rows] == listed
    response = client.get(reverse("agreement-export", args=["json"]), {"q": "KSDPL"})
    assert response.status_code == 200
    document = json.loads(b"".join(response.streaming_content))
    assert [row["title"] for row in document["agreements"]] == listed
    response = client.get(reverse("agreement-export", args=["xlsx"]), {"q": "KSDPL"})
    assert response.status_code == 200
    assert Agreement.objects.public().search("KSDPL").count() == 1


@pytest.mark.postgresql  # SQLite asks no question of the index
def test_a_scope_code_is_tested_row_by_row_and_other_words_as_before(register):
    """A scope is a large share of any register and has no index of its own: its code is
    tested on each agreement as the list reads its order, without asking the full-text index
    whether it is common; a word beside it is asked and read from the indexes as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements.search import COMMON_WORD_MATCHES

    asks = f"OFFSET {COMMON_WORD_MATCHES - 1}"
    with CaptureQueriesContext(connection) as captured:
        assert search("KSDPL") == ["Kota kembar Samarinda dan Anhui"]
    assert not [q for q in captured if asks in q["sql"]]
    with CaptureQueriesContext(connection) as captured:
        assert search("KSDPL Samarinda") == ["Kota kembar Samarinda dan Anhui"]
    asked = [q["sql"] for q in captured if asks in q["sql"]]
    assert len(asked) == 1  # Samarinda's question alone


def test_a_very_long_query_is_refused_with_a_message(client, register):
    response = client.get(reverse("agreement-list"), {"q": "kerja " * 100})
    assert response.status_code == 400
    assert "Kata kunci" in response.content.decode()


# -- where PostgreSQL and the SQLite stand-in differ -----------------------------------------


def test_indonesian_words_are_stemmed_on_postgresql(register):
    # The summary says "berdagang"; a reader types "perdagangan". Both stem to "dagang".
    found = search("perdagangan")
    if on_postgresql():
        assert found == ["Kerja sama Kalimantan Timur dan Bali"]
    else:
        assert found == []  # a substring match knows no stems


def test_pendidikan_finds_mendidik_on_postgresql(kaltim):
    AgreementFactory(title="Program nelayan", lead_region=kaltim, summary="Untuk mendidik nelayan.")
    found = search("pendidikan")  # both stem to "didik"
    if on_postgresql():
        assert found == ["Program nelayan"]
    else:
        assert found == []


def test_indonesian_stem_finds_the_longer_word_everywhere(register):
    # "didik" is inside "Pendidikan" (the sector): stemmed on PostgreSQL, a substring on SQLite.
    assert search("didik") == ["Kota kembar Samarinda dan Anhui"]


def test_indonesian_derived_form_matches_its_root_on_postgresql(register):
    found = search("budaya")  # the summary says "kebudayaan"
    assert found == ["Kerja sama Kalimantan Timur dan Bali"]  # substring on SQLite too
    found = search("berbudaya")  # "berbudaya" stems to "budaya"; it is no substring
    if on_postgresql():
        assert found == ["Kerja sama Kalimantan Timur dan Bali"]
    else:
        assert found == []


def test_english_words_are_stemmed_on_postgresql(register):
    found = search("educated")  # "educational" in the summary, "Education" the sector
    if on_postgresql():
        assert set(found) == {"Bali teacher exchange", "Kota kembar Samarinda dan Anhui"}
    else:
        assert found == []


def test_a_typo_in_a_party_name_is_forgiven_on_postgresql(register):
    found = search("Samarnda")
    if on_postgresql():
        assert found == ["Kota kembar Samarinda dan Anhui"]
    else:
        assert found == []


def test_a_generic_word_of_party_names_finds_the_names_that_write_it_in_another_language(
    client, kaltim, samarinda
):
    """Officials and analysts type a party's generic words in either language: "University"
    found Universitas Indonesia only where trigram similarity happened to reach it, and
    "Universitas" never found Hiroshima University. The words of one meaning in Indonesian,
    English (and Malay, as Malaysian parties write their names) find each other's names
    (partners/data/equivalent_words.csv), as whole words: "City" finds Kota Samarinda, not
    Kabupaten Kotawaringin Barat."""
    kotawaringin = RegencyFactory(
        code="62.01",
        name="Kabupaten Kotawaringin Barat",
        province=ProvinceFactory(code="62", name="Kalimantan Tengah"),
    )
    AgreementFactory(
        title="Beasiswa dokter",
        lead_region=kaltim,
        partners=[PartnerFactory(name="Universitas Mulawarman")],
    )
    AgreementFactory(
        title="Riset kebencanaan",
        lead_region=kaltim,
        partners=[PartnerFactory(name="Hiroshima University", country=CountryFactory(code="JP"))],
    )
    AgreementFactory(
        title="Pertukaran dosen",
        lead_region=kaltim,
        partners=[PartnerFactory(name="Universiti Malaya", country=CountryFactory(code="MY"))],
    )
    AgreementFactory(
        title="Perdagangan sapi",
        lead_region=kaltim,
        partners=[
            PartnerFactory(
                name="Pemerintah Negara Bagian Queensland", country=CountryFactory(code="AU")
            )
        ],
    )
    AgreementFactory(title="Pengelolaan sampah", lead_region=samarinda)
    AgreementFactory(title="Hutan adat", lead_region=kotawaringin)
    universities = ["Beasiswa dokter", "Pertukaran dosen", "Riset kebencanaan"]

    page = client.get(reverse("agreement-list"), {"q": "University"})

    assert sorted(titles_in(page)) == universities
    assert sorted(search("Universitas")) == universities
    assert sorted(search("universiti")) == universities
    assert search("City") == ["Pengelolaan sampah"]
    assert search("Regency") == ["Hutan adat"]
    assert search("State") == ["Perdagangan sapi"]
    assert search("Government") == ["Perdagangan sapi"]


def test_a_partner_named_with_a_typo_as_far_as_the_threshold_is_found_on_postgresql(kaltim):
    """A near spelling as far from a partner's name as the threshold allows ("Fujan": word
    similarity 0.5 to "Fujian Province") finds its agreements: the trigram index of the names
    answers at the search's threshold, not at pg_trgm's own 0.6."""
    fujian = PartnerFactory(name="Fujian Province", country=CountryFactory(code="CN"))
    AgreementFactory(title="Kerja sama pertanian", lead_region=kaltim, partners=[fujian])

    assert search("Fujan") == (["Kerja sama pertanian"] if on_postgresql() else [])


def test_a_name_typed_as_it_is_written_lists_that_party_alone(client, kaltim):
    """ "Jiangxi" is a province's name as it is written, not a typo of "Guangxi", though the
    two are as near as a dropped letter (word similarity over the threshold): the list of an
    analyst looking for Jiangxi's agreements, and the download of it, held Guangxi's beside
    them. A near spelling stands in only for a word no party's name holds; "Guangxy", which
    none does, still finds Guangxi's."""
    china = CountryFactory(code="CN")
    jiangxi = PartnerFactory(name="Pemerintah Provinsi Jiangxi", country=china)
    guangxi = PartnerFactory(name="Pemerintah Daerah Otonom Guangxi Zhuang", country=china)
    AgreementFactory(title="Provinsi kembar NTT", lead_region=kaltim, partners=[jiangxi])
    AgreementFactory(title="Ketahanan pangan Papua", lead_region=kaltim, partners=[guangxi])

    page = client.get(reverse("agreement-list"), {"q": "Jiangxi"}).content.decode()

    assert "Provinsi kembar NTT" in page
    assert "Ketahanan pangan Papua" not in page
    assert search("Guangxy") == (["Ketahanan pangan Papua"] if on_postgresql() else [])


def test_a_country_typed_by_its_name_lists_that_countrys_agreements_alone(client, kaltim):
    """ "Japan" is a country's name as it is written, not a typo of "Balikpapan" (word
    similarity 0.5, over the threshold): an analyst's search for Japan listed the sister city
    of Kota Balikpapan and a Chinese province beside the agreements with Japanese partners, as
    "China" listed Ho Chi Minh City's. A country's name, in either language, is a name: a near
    spelling stands in only for a word no name of a party or of a country holds."""
    balikpapan = RegencyFactory(code="64.71", province=kaltim, name="Kota Balikpapan")
    anhui = PartnerFactory(name="Pemerintah Provinsi Anhui", country=CountryFactory(code="CN"))
    yokohama = PartnerFactory(name="Pemerintah Kota Yokohama", country=CountryFactory(code="JP"))
    AgreementFactory(title="Kota kembar Balikpapan", lead_region=balikpapan, partners=[anhui])
    AgreementFactory(title="Pengelolaan pelabuhan", lead_region=kaltim, partners=[yokohama])

    for language in ("id", "en"):
        listed = titles_in(
            client.get(reverse("agreement-list"), {"q": "Japan"}, HTTP_ACCEPT_LANGUAGE=language)
        )
        assert listed == ["Pengelolaan pelabuhan"], language
    assert search("Jepang") == ["Pengelolaan pelabuhan"]


@pytest.mark.postgresql  # SQLite forgives no typo: nothing to read as one
def test_a_word_the_registers_texts_hold_is_no_misspelt_name(client, kaltim, django_user_model):
    """ "batik" is a craft written in the register's titles, not a misspelling of Kota Batu
    (word similarity 0.5, at the threshold): an analyst's search for batik listed every
    agreement of Kota Batu beside the batik agreements, and so did its download, as "garam"
    (salt) listed Kota Mataram's. A near spelling stands in only for a word no text the reader
    may read holds either; a text they may not read changes nothing they find."""
    batu = RegencyFactory(code="64.79", province=kaltim, name="Kota Batu")
    AgreementFactory(title="Promosi batik tulis", lead_region=kaltim)
    AgreementFactory(title="Pengembangan agrowisata apel", lead_region=batu)

    listed = titles_in(client.get(reverse("agreement-list"), {"q": "batik"}))
    download = client.get(reverse("agreement-export", args=["csv"]), {"q": "batik"})
    text = b"".join(download.streaming_content).decode("utf-8-sig")

    assert listed == ["Promosi batik tulis"]
    assert "Promosi batik tulis" in text and "Pengembangan agrowisata apel" not in text
    # "Batuu", which no text holds, is still read as Kota Batu.
    assert search("Batuu") == ["Pengembangan agrowisata apel"]
    # An internal text holding the word tells the public nothing: they find what they found.
    AgreementFactory(
        title="Kajian garam rakyat",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    mataram = RegencyFactory(code="64.80", province=kaltim, name="Kota Mataram")
    AgreementFactory(title="Penataan kawasan kumuh", lead_region=mataram)
    official = Client()
    official.force_login(make_official(django_user_model))
    assert titles_in(client.get(reverse("agreement-list"), {"q": "garam"})) == [
        "Penataan kawasan kumuh"
    ]
    assert titles_in(official.get(reverse("agreement-list"), {"q": "garam"})) == [
        "Kajian garam rakyat"
    ]


@pytest.mark.postgresql  # SQLite forgives no typo: nothing for a hidden name to switch off
def test_a_partner_the_public_may_not_know_of_changes_nothing_it_finds(
    client, kaltim, django_user_model
):
    """Whether a near spelling is read as a name turned on every partner's name, those party to
    internal agreements only too: once a partner called Jiangxi was entered for an internal
    agreement, the public's search for "Jiangxi" no longer listed Guangxi's agreements, which
    told them a partner of that name exists. The public finds what they found before it was
    entered; an official, who may know of it, finds its agreement and not Guangxi's."""
    china = CountryFactory(code="CN")
    guangxi = PartnerFactory(name="Pemerintah Daerah Otonom Guangxi Zhuang", country=china)
    AgreementFactory(title="Ketahanan pangan Papua", lead_region=kaltim, partners=[guangxi])

    def listed(reader):
        return titles_in(reader.get(reverse("agreement-list"), {"q": "Jiangxi"}))

    before = listed(client)
    jiangxi = PartnerFactory(name="Pemerintah Provinsi Jiangxi", country=china)
    AgreementFactory(
        title="Rencana rahasia NTT",
        lead_region=kaltim,
        partners=[jiangxi],
        visibility=Agreement.Visibility.INTERNAL,
    )
    official = Client()
    official.force_login(make_official(django_user_model))

    assert before == ["Ketahanan pangan Papua"]
    assert listed(client) == before
    assert listed(official) == ["Rencana rahasia NTT"]


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_whether_a_partner_a_word_names_is_a_party_is_asked_of_that_partner_alone(client, kaltim):
    """Whether a partner whose name holds the word is party to an agreement the reader may
    read was asked of the counts of every partner, summed, three times in each query of a
    search: at 100,000 agreements (5,000 partners) that read grew with the register, a tenth of
    it at 10,000. Each partner the word names is looked up in the counts' index by its key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    china = CountryFactory(code="CN")
    jiangxi = PartnerFactory(name="Pemerintah Provinsi Jiangxi", country=china)
    AgreementFactory(title="Provinsi kembar NTT", lead_region=kaltim, partners=[jiangxi])

    with CaptureQueriesContext(connection) as captured:
        assert titles_in(client.get(reverse("agreement-list"), {"q": "Jiangxi"})) == [
            "Provinsi kembar NTT"
        ]
    # The words are tested once, where the matches' keys are read; the rows by those keys.
    (found,) = words_tested(captured)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {found}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The partners' counts are read, each by the key of a partner the word names ...
    assert "::text = agreements_tally" in plan or re.search(r"key = \(\w+\.id\)::text", plan), plan
    # ... and never summed, key by key, over every partner.
    assert "Group Key: agreements_tally" not in plan, plan


@pytest.mark.postgresql  # SQLite has no index to read the names from
@pytest.mark.parametrize("word", ["Fujian", "Fujan", "China", "福建"])
def test_the_partners_a_word_names_are_found_by_conditions_their_indexes_answer(word):
    """A national register has thousands of partners. Each way a word names them is a query of
    its own that an index answers (migration 0028): a part of the name or local-script name
    (``UPPER(…) LIKE``, their trigram indexes), a near spelling (``%>``, the name's trigram
    index), the country (its code, from the countries the word names). ORed across a join to
    the countries, with the near spelling a function of each name, every partner was tested."""
    sql = str(Agreement.objects.search(word).order_by().values("pk").query)

    assert 'JOIN "partners_country"' not in sql
    assert '"country_id" IN (SELECT' in sql
    if len(word) >= 5 and not expand(word):  # long enough to be forgiven a typo, no short form
        assert '"name" %> ' in sql
    else:  # "China" is a short form of Tiongkok, never read as a near spelling
        assert '"name" %> ' not in sql


def test_short_words_are_never_matched_by_similarity(register):
    # "Samr" is as similar to "Samarinda" by trigrams as "Samarnda" is; four letters are too
    # few to guess what was meant, so only the letters as typed count.
    assert search("Samr") == []


def test_better_matches_come_first_on_postgresql(kaltim):
    AgreementFactory(
        title="Kerja sama daerah",
        lead_region=kaltim,
        summary="Termasuk sedikit pelatihan nelayan.",
        signed_on=datetime.date(2025, 1, 1),
        in_force_from=datetime.date(2025, 1, 1),
    )
    AgreementFactory(
        title="Pelatihan nelayan Kalimantan Timur",
        lead_region=kaltim,
        summary="Pelatihan nelayan dan pelatihan pengolahan ikan.",
        signed_on=datetime.date(2020, 1, 1),
        in_force_from=datetime.date(2020, 1, 1),
    )
    found = search("pelatihan nelayan")
    if on_postgresql():
        # Ranked: the words in the title outweigh a passing mention in the summary.
        assert found == ["Pelatihan nelayan Kalimantan Timur", "Kerja sama daerah"]
    else:
        # No ranking: the list's default order, newest signing first.
        assert found == ["Kerja sama daerah", "Pelatihan nelayan Kalimantan Timur"]


def test_relevance_is_the_default_order_of_a_search_on_the_list(client, kaltim):
    AgreementFactory(
        title="Kerja sama daerah",
        lead_region=kaltim,
        summary="Sedikit tentang nelayan.",
        signed_on=datetime.date(2025, 1, 1),
        in_force_from=datetime.date(2025, 1, 1),
    )
    AgreementFactory(
        title="Nelayan nelayan",
        lead_region=kaltim,
        signed_on=datetime.date(2020, 1, 1),
        in_force_from=datetime.date(2020, 1, 1),
    )
    response = client.get(reverse("agreement-list"), {"q": "nelayan"})
    expected = ["Nelayan nelayan", "Kerja sama daerah"]
    assert titles_in(response) == (expected if on_postgresql() else expected[::-1])
    # An explicit sort wins over relevance.
    response = client.get(reverse("agreement-list"), {"q": "nelayan", "sort": "-signed"})
    assert titles_in(response) == ["Kerja sama daerah", "Nelayan nelayan"]


@pytest.mark.postgresql  # SQLite has no index to read the words from
def test_each_word_reads_its_matches_from_the_indexes_not_every_agreement(client, register):
    """Each word is one ``id IN (… UNION ALL …)`` the database starts from: the full-text index
    and the link tables of the parties and sectors it names. Joined by OR, the same conditions
    made PostgreSQL read every agreement and test it against each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("agreement-list"), {"q": "pendidikan Samarinda"})

    assert titles_in(response) == ["Kota kembar Samarinda dan Anhui"]
    # (Besides the question whether each word is common, which asks the index alone.)
    searched = words_tested(captured)
    assert searched
    for sql in searched:
        assert len(LINK_SOURCES.findall(sql)) == 2 * 3  # two words, four sources each
        assert 'OR "agreements_agreement"."id" IN' not in sql
        # Each link table read by its index for the parties found first: named as ``IN
        # (subquery)``, PostgreSQL estimated a word's regions as a third of them and hashed
        # every party row of the register (150,000 at 100,000 agreements) against them.
        for party in ("region", "partner", "sector"):
            assert sql.count(f'"{party}_id" = ANY(ARRAY(SELECT') == 2, party


@pytest.mark.postgresql  # SQLite has no index to read the words from
def test_a_word_naming_a_kind_reads_its_agreements_by_the_kind_index(client, kinds):
    """ "sister" and "city" name the sister cities: each word's ``UNION ALL`` reads them by
    their kind, one more source beside its text and parties, never an OR over the register;
    whether the word is common is asked in the same one query, from the kept counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("agreement-list"), {"q": "sister city"})

    assert set(titles_in(response)) == kinds["sister_cities"]
    asked = [q["sql"] for q in captured if "agreements_tally" in q["sql"] and "OFFSET" in q["sql"]]
    assert len(asked) == 2  # a question per word
    searched = words_tested(captured)
    assert searched
    for sql in searched:
        assert len(KIND_SOURCE.findall(sql)) == 2  # a source of its own for each word
        assert len(LINK_SOURCES.findall(sql)) == 2 * 3  # beside the parties' link tables
        assert 'OR "agreements_agreement"."id" IN' not in sql


@pytest.mark.postgresql  # SQLite has no index to read the words from
@pytest.mark.parametrize(
    "text",
    [
        "SAMARINDA",
        "Kerja sama",
        "education",
        "teachers",
        "Bali",
        "pendidikan Samarinda",
        "Anhui",
        "sister city",
        "MoU Bali",
    ],
)
def test_a_word_in_much_of_the_register_finds_what_a_rare_one_would(
    client, register, monkeypatch, text
):
    """A word whose text is in much of the register is tested row by row rather than read from
    the index: the same agreements, in the same order, on the list page too, and internal ones
    still hidden from the public."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import search as search_module

    with CaptureQueriesContext(connection) as captured_rare:
        as_rare = search(text), titles_in(client.get(reverse("agreement-list"), {"q": text}))
    monkeypatch.setattr(search_module, "COMMON_WORD_MATCHES", 1)
    with CaptureQueriesContext(connection) as captured:
        # (Another address than the first page's, which the site may have kept.)
        page = client.get(reverse("agreement-list"), {"q": text, "page": 1})
        as_common = search(text), titles_in(page)

    assert as_common == as_rare
    assert "Rencana rahasia Samarinda" not in as_common[0] + as_common[1]
    if text in ("SAMARINDA", "Kerja sama"):  # every word is in a title: tested row by row
        assert any(READ_FIRST.search(q["sql"]) for q in captured_rare)
        assert not any(READ_FIRST.search(q["sql"]) for q in captured)
        # Its parties' agreements, from the three link tables, compiled once into one
        # semi-join tested on each row.
        searched = words_tested(captured)
        assert searched and all(len(LINK_SOURCES.findall(sql)) == 2 for sql in searched)


def _nelayan(kaltim, year, **fields):
    return AgreementFactory(
        title=f"Pelatihan nelayan {year}",
        lead_region=kaltim,
        signed_on=datetime.date(year, 1, 1),
        in_force_from=datetime.date(year, 1, 1),
        **fields,
    )


def test_a_search_finding_more_than_a_list_holds_lists_the_most_recently_signed(
    client, kaltim, monkeypatch
):
    """Counting stops one past the limit, and only the most recently signed matches are ranked
    and listed: a word found in most of the register costs a page, not a pass over every match.
    The page says that more matched than it lists."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import paging

    monkeypatch.setattr(paging, "SEARCH_LISTS_AT_MOST", 2)
    for year in (2019, 2021, 2023):
        _nelayan(kaltim, year)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("agreement-list"), {"q": "nelayan"})

    assert set(titles_in(response)) == {"Pelatihan nelayan 2023", "Pelatihan nelayan 2021"}
    assert "Lebih dari 2 kerja sama ditemukan" in response.content.decode()
    # The words are tested once, reading the keys of the first three matches, most recently
    # signed first: how many say whether more matched. The rows are read by those keys, not
    # tested a second time over every agreement the words match.
    (found,) = words_tested(captured)
    assert "LIMIT 3" in found and "signed_on" in found
    (rows,) = [q["sql"] for q in captured if '"agreements_agreement"."summary"' in q["sql"]]
    assert "LIKE" not in rows

    response = client.get(reverse("agreement-list"), {"q": "nelayan", "sort": "signed"})
    assert titles_in(response) == ["Pelatihan nelayan 2021", "Pelatihan nelayan 2023"]


def test_a_search_within_the_limit_is_counted_and_listed_whole(client, kaltim, monkeypatch):
    from agreements import paging

    monkeypatch.setattr(paging, "SEARCH_LISTS_AT_MOST", 2)
    for year in (2021, 2023):
        _nelayan(kaltim, year)
    # Internal: the public neither sees nor counts it, so two is all there is for them.
    _nelayan(kaltim, 2024, visibility=Agreement.Visibility.INTERNAL)

    response = client.get(reverse("agreement-list"), {"q": "nelayan"})

    page = response.content.decode()
    assert "2 kerja sama ditemukan" in page and "Lebih dari" not in page
    assert set(titles_in(response)) == {"Pelatihan nelayan 2023", "Pelatihan nelayan 2021"}


def test_admin_search_past_the_limit_lists_the_most_recently_signed(
    staff_client, kaltim, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import paging
    from agreements.admin import AgreementAdmin

    monkeypatch.setattr(paging, "SEARCH_LISTS_AT_MOST", 2)
    monkeypatch.setattr(AgreementAdmin, "list_per_page", 1)
    for year in (2019, 2021, 2023):
        _nelayan(kaltim, year)
    changelist = reverse("admin:agreements_agreement_changelist")

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(changelist, {"q": "nelayan"})

    assert response.context["cl"].result_count == 2
    assert "Lebih dari 2 hasil" in response.content.decode()
    (found,) = words_tested(captured)
    assert "LIMIT 3" in found
    # The rows, loaded with their lead region, are read by the keys found, the words not
    # tested a second time over every agreement they match (a common word's page read the
    # whole register again).
    (rows,) = [q["sql"] for q in captured if '"agreements_agreement"."summary"' in q["sql"]]
    assert '"partners_region"' in rows
    assert "LIKE" not in rows
    listed = set()
    for page in (1, 2):
        response = staff_client.get(changelist, {"q": "nelayan", "p": page})
        listed |= {agreement.title for agreement in response.context["cl"].result_list}
    assert listed == {"Pelatihan nelayan 2023", "Pelatihan nelayan 2021"}


def test_an_admin_search_of_one_page_reads_its_rows_by_the_keys_it_found(staff_client, kaltim):
    """A search whose matches fit on one page tests its words once, where the keys of its
    matches are read, and reads its rows by those keys, as its other pages do: Django lists
    such a page from the list's own queryset, which tested the words again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for year in (2021, 2023):
        _nelayan(kaltim, year)
    AgreementFactory(title="Jalan provinsi", lead_region=kaltim)

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(
            reverse("admin:agreements_agreement_changelist"), {"q": "nelayan"}
        )

    assert {agreement.title for agreement in response.context["cl"].result_list} == {
        "Pelatihan nelayan 2021",
        "Pelatihan nelayan 2023",
    }
    (found,) = words_tested(captured)
    (rows,) = [q["sql"] for q in captured if '"agreements_agreement"."summary"' in q["sql"]]
    assert "LIKE" not in rows and "@@" not in rows


@pytest.mark.postgresql  # elsewhere words are not sized
def test_a_rare_word_beside_a_common_one_is_read_first_and_finds_the_same(
    client, kaltim, monkeypatch
):
    """ "kerja sama pendidikan": the rare word's agreements are read first, by key, and each
    tested for the common word, which finds what reading both from the indexes finds. (As a
    semi-join, PostgreSQL read every agreement to test the common word: 250 ms at 100,000.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements import search as search_module

    for title in ("Kerja sama pendidikan vokasi", "Kerja sama jalan", "Kerja sama pelabuhan"):
        AgreementFactory(title=title, lead_region=kaltim)
    AgreementFactory(title="Beasiswa pendidikan", lead_region=kaltim)
    both_rare = titles_in(client.get(reverse("agreement-list"), {"q": "pendidikan kerja"}))
    assert both_rare == ["Kerja sama pendidikan vokasi"]

    monkeypatch.setattr(search_module, "COMMON_WORD_MATCHES", 3)  # "kerja": 3, "pendidikan": 2
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("agreement-list"), {"q": "pendidikan kerja", "page": 1})
    assert titles_in(page) == both_rare
    searched = words_tested(captured)
    assert searched and all('"agreements_agreement"."id" = ANY(ARRAY(' in sql for sql in searched)


def test_a_word_searched_before_finds_what_the_register_gained_and_lost_since(
    client, kaltim, monkeypatch
):
    """What a word is searched with is kept from one search to the next (on PostgreSQL, its
    SQL), never what it found: a partner, an agreement and a sector named after the first
    search are found by the next, one renamed is no longer found, and a word grown common
    (tested row by row) finds the same as it did when rare, on the list page too."""
    from agreements import search as search_module

    def found(text):
        return sorted(search(text)), sorted(
            titles_in(client.get(reverse("agreement-list"), {"q": text}))
        )

    assert found("Ningbo") == ([], [])
    ningbo = PartnerFactory(name="Pemerintah Kota Ningbo", country=CountryFactory(code="CN"))
    AgreementFactory(title="Kota kembar pertama", partners=[ningbo], lead_region=kaltim)
    AgreementFactory(title="Pertukaran pelajar Ningbo", lead_region=kaltim)
    sector = SectorFactory(slug="ports", name_id="Kepelabuhanan Ningbo", name_en="Ports")
    AgreementFactory(title="Pelabuhan", sectors=[sector], lead_region=kaltim)
    everything = sorted(["Kota kembar pertama", "Pertukaran pelajar Ningbo", "Pelabuhan"])
    assert found("Ningbo") == (everything, everything)

    monkeypatch.setattr(search_module, "COMMON_WORD_MATCHES", 1)
    assert found("ningbo") == (everything, everything)
    monkeypatch.undo()

    ningbo.name = "Pemerintah Kota Hangzhou"
    ningbo.save()
    sector.name_id = "Kepelabuhanan"
    sector.save()
    assert found("Ningbo") == (["Pertukaran pelajar Ningbo"], ["Pertukaran pelajar Ningbo"])
