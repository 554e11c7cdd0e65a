"""The admin's search of milestones and documents: a row's own title, or its agreement as the
register's search finds it (``MilestoneQuerySet.search``, ``DocumentQuerySet.search``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
)
from tests.helpers import words_tested

pytestmark = pytest.mark.django_db

MILESTONES = reverse("admin:agreements_milestone_changelist")
DOCUMENTS = reverse("admin:agreements_document_changelist")


@pytest.fixture
def register(db):
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    samarinda = RegencyFactory(code="64.72", name="Kota Samarinda", level="city", province=kaltim)
    anhui = PartnerFactory(name="Pemerintah Provinsi Anhui")
    schools = AgreementFactory(
        title="Kerja sama pendidikan vokasi",
        reference="119/KSD/IV/2024",
        lead_region=samarinda,
        partners=[anhui],
    )
    roads = AgreementFactory(title="Pembangunan jalan provinsi", reference="7/PU/2023")
    for agreement, titles in [
        (schools, ["Penandatanganan naskah", "Rapat koordinasi awal"]),
        (roads, ["Survei lokasi jembatan", "Rapat Koordinasi teknis"]),
    ]:
        for title in titles:
            MilestoneFactory(agreement=agreement, title=title)
            DocumentFactory(agreement=agreement, title=f"Berkas {title}")
    return schools, roads


def listed(client, url, q):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return sorted(row.title for row in response.context["cl"].result_list)


CASES = [
    # A word of a milestone's own title, in any case, anywhere in it.
    ("koordinasi", ["Rapat Koordinasi teknis", "Rapat koordinasi awal"]),
    ("KOORDINASI teknis", ["Rapat Koordinasi teknis"]),
    ("jembat", ["Survei lokasi jembatan"]),
    # Its agreement's title, reference, or a party, as the register's search finds them.
    ("pendidikan", ["Penandatanganan naskah", "Rapat koordinasi awal"]),
    ("119/KSD", ["Penandatanganan naskah", "Rapat koordinasi awal"]),
    ("7/PU/2023", ["Rapat Koordinasi teknis", "Survei lokasi jembatan"]),
    ("Samarinda", ["Penandatanganan naskah", "Rapat koordinasi awal"]),
    ("Anhui", ["Penandatanganan naskah", "Rapat koordinasi awal"]),
    # A word of the title and a word of its agreement together.
    ("rapat samarinda", ["Rapat koordinasi awal"]),
    ("koordinasi jalan", ["Rapat Koordinasi teknis"]),
    # "kerja sama" of the agreement's title, typed apart or joined.
    ("kerjasama awal", ["Rapat koordinasi awal"]),
    ("kerja sama awal", ["Rapat koordinasi awal"]),
    # Nothing that matches neither.
    ("bendungan", []),
]


@pytest.mark.parametrize(("q", "milestones"), CASES)
def test_the_milestone_and_document_searches_list_what_a_clerk_looks_for(
    staff_client, register, q, milestones
):
    assert listed(staff_client, MILESTONES, q) == milestones
    assert listed(staff_client, DOCUMENTS, q) == sorted(f"Berkas {t}" for t in milestones)


@pytest.mark.postgresql  # elsewhere every word is read one way
def test_words_of_many_rows_find_the_same_rows_tested_row_by_row(
    staff_client, register, monkeypatch
):
    """A word found in many agreements or titles (kerja, of every PKS) is tested on each row as
    the list walks its order, its agreement probed by key, where a rare one's rows are read
    from the indexes first: either way a clerk finds the same rows."""
    from agreements import search

    # A rare word: the rows of the agreements it finds are read by their agreement's key.
    with CaptureQueriesContext(connection) as captured:
        listed(staff_client, MILESTONES, "pendidikan")
    # The words tested once, reading the matches' keys; the rows, a page's worth, by those keys.
    (rows,) = words_tested(captured)
    assert '"agreement_id" = ANY(ARRAY(' in rows and "IS NOT NULL" not in rows
    # Those ids are the whole condition, read once and then the rows by key: tested a second
    # time, each row read was compared with every id (195 × 195 for "rapat" at 100,000).
    assert rows.count('"agreement_id" = ANY(ARRAY(') == 1
    assert '"agreements_milestone"."id" = ANY(ARRAY(' in rows

    monkeypatch.setattr(search, "COMMON_WORD_MATCHES", 1)  # every word found in many
    for q, milestones in CASES:
        assert listed(staff_client, MILESTONES, q) == milestones, q
        assert listed(staff_client, DOCUMENTS, q) == sorted(f"Berkas {t}" for t in milestones)
    with CaptureQueriesContext(connection) as captured:
        listed(staff_client, MILESTONES, "pendidikan")
    (rows,) = words_tested(captured)
    probe = '."id" = ("agreements_milestone"."agreement_id")) LIMIT 1) IS NOT NULL'
    assert probe in rows


@pytest.mark.postgresql  # elsewhere no word is sized
def test_a_word_the_register_search_found_common_is_not_sized_again_for_its_rows(
    staff_client, register, monkeypatch
):
    """Building its search, the register already asked how many agreements a word finds
    (``_is_common``): found in many, the milestones of its agreements are tested row by row
    without asking the register's search again for its many-th match (4 ms of the milestones
    searched for "kerja" at 100,000 agreements)."""
    from agreements import search

    monkeypatch.setattr(search, "COMMON_WORD_MATCHES", 1)  # every word found in many
    with CaptureQueriesContext(connection) as captured:
        assert listed(staff_client, MILESTONES, "pendidikan") == [
            "Penandatanganan naskah",
            "Rapat koordinasi awal",
        ]
    sized = [
        q["sql"]
        for q in captured
        if q["sql"].startswith(('SELECT 1 AS "a" FROM "agreements_agreement"', "SELECT EXISTS"))
    ]
    # The word's text sized once, when the search was built; the agreements it finds (by
    # their parties too) not sized again.
    assert len(sized) == 1
    assert "agreements_agreement_regions" not in sized[0]


@pytest.mark.postgresql  # near spellings are read from trigram indexes
def test_a_word_the_rows_titles_hold_is_no_typo_of_a_regions_name(staff_client, register):
    """ "paraf" is the initialling of a text, found in the steps' titles as typed: no typo of
    "Parigi Moutong", whose agreements' steps the list of "paraf" held beside those titled
    "Paraf naskah". A word no title holds still finds a name spelt near it."""
    schools, roads = register
    parigi = RegencyFactory(code="72.08", name="Kabupaten Parigi Moutong")
    coast = AgreementFactory(title="Pengembangan wisata pantai", lead_region=parigi)
    for agreement, title in [(roads, "Paraf naskah"), (coast, "Survei lokasi pantai")]:
        MilestoneFactory(agreement=agreement, title=title)
        DocumentFactory(agreement=agreement, title=f"Berkas {title}")

    assert listed(staff_client, MILESTONES, "paraf") == ["Paraf naskah"]
    assert listed(staff_client, DOCUMENTS, "paraf") == ["Berkas Paraf naskah"]
    assert listed(staff_client, MILESTONES, "parigy") == ["Survei lokasi pantai"]
    assert listed(staff_client, DOCUMENTS, "parigy") == ["Berkas Survei lokasi pantai"]


def test_kerja_sama_typed_apart_finds_a_title_that_writes_it_joined(staff_client, register):
    """A clerk types "kerja sama" as the KBBI writes it; the step was recorded "Rapat
    kerjasama" (and the other way round)."""
    schools, roads = register
    MilestoneFactory(agreement=roads, title="Rapat kerjasama teknis")
    MilestoneFactory(agreement=roads, title="Evaluasi kerja sama teknis")
    both = ["Evaluasi kerja sama teknis", "Rapat kerjasama teknis"]
    assert listed(staff_client, MILESTONES, "kerja sama teknis") == both
    assert listed(staff_client, MILESTONES, "kerjasama teknis") == both


def test_a_blank_search_lists_every_milestone(staff_client, register):
    assert len(listed(staff_client, MILESTONES, "  ")) == 4


@pytest.mark.parametrize("count", [1, 12])
def test_a_milestone_search_costs_the_same_queries_whatever_it_finds(staff_client, count):
    agreement = AgreementFactory(title="Kerja sama pariwisata")
    for n in range(count):
        MilestoneFactory(agreement=agreement, title=f"Promosi wisata {n}")
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(MILESTONES, {"q": "promosi"})
    assert len(response.context["cl"].result_list) == count
    # The session and user, the matches' keys (how many, up to a limit), the date hierarchy's
    # bounds and its years, and the rows with their agreements; on PostgreSQL, the register's
    # search sizing its word too, and the titles and the agreements it finds sized, to be read
    # first or tested row by row.
    assert len(captured) == (9 if connection.vendor == "postgresql" else 6)
    # The words are tested where the keys are read; the rows, read by those keys, test none.
    (found,) = words_tested(captured)
    searched = [q["sql"] for q in captured if "LIKE" in q["sql"]]
    # No row is compared through a join to its agreement's title (Django's search): the
    # agreement's side is the register's search, a semi-join.
    joined = 'UPPER("agreements_agreement"."title"'
    assert searched and not any(joined in sql for sql in searched)


def test_an_action_on_every_row_of_a_search_past_the_limit_acts_on_the_rows_it_lists(
    staff_client, register, monkeypatch
):
    """Past ``SEARCH_LISTS_AT_MOST`` matches the list holds the first that many in its order and
    "select all" counts them: deleting them all deletes those, not every match."""
    from django.contrib import admin

    from agreements import paging
    from agreements.models import Milestone

    schools, _roads = register
    MilestoneFactory(agreement=schools, title="Rapat koordinasi lanjutan")
    monkeypatch.setattr(paging, "SEARCH_LISTS_AT_MOST", 2)
    monkeypatch.setattr(admin.site._registry[Milestone], "list_per_page", 1)
    url = f"{MILESTONES}?q=koordinasi"
    cl = staff_client.get(url).context["cl"]
    assert cl.result_count == 2
    listed = list(cl.paginator.object_list)
    assert len(listed) == 2

    response = staff_client.post(
        url,
        {
            "action": "delete_selected",
            "select_across": "1",
            "index": "0",
            "_selected_action": [listed[0].pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    left = list(Milestone.objects.filter(title__icontains="koordinasi"))
    assert len(left) == 1 and left[0] not in listed
