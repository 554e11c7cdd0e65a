"""English titles and summaries, and what staff are asked about a signing: where it was signed,
the Foreign Ministry's Treaty Room reference, and the travel permit (PDLN) of a visit.

Each is on the status page, searched or exported, and read back by the import.
"""

import csv
import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from agreements.imports import AgreementImport
from agreements.models import Agreement, Milestone
from tests.factories import AgreementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sister_province(kaltim, bali):
    return AgreementFactory(
        title="Provinsi kembar Kalimantan Timur dan Anhui",
        title_en="Sister province partnership of East Kalimantan and Anhui",
        summary="Beasiswa, perdagangan dan ketahanan pangan.",
        summary_en="Scholarships, trade and food security.",
        lead_region=kaltim,
        regions=[kaltim, bali],
        signing_place="Hefei",
        treaty_room_reference="TR/2024/0117",
        treaty_room_url="https://treaty.kemlu.go.id/apisearch/pdf?filename=CHN-2024-0117.pdf",
    )


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_english_reader_reads_the_english_title_and_summary(sister_province):
    html = english(Client()).get(sister_province.get_absolute_url()).content.decode()
    assert "<h1>Sister province partnership of East Kalimantan and Anhui</h1>" in html
    assert "Scholarships, trade and food security." in html
    assert "Beasiswa, perdagangan" not in html


def test_indonesian_reader_reads_the_indonesian_title(sister_province):
    html = Client().get(sister_province.get_absolute_url()).content.decode()
    assert "<h1>Provinsi kembar Kalimantan Timur dan Anhui</h1>" in html
    assert "Scholarships" not in html


def test_english_reader_of_a_record_without_english_reads_the_indonesian_title(kaltim):
    agreement = AgreementFactory(title="Kerja sama pariwisata Kaltim", lead_region=kaltim)
    html = english(Client()).get(agreement.get_absolute_url()).content.decode()
    assert "<h1>Kerja sama pariwisata Kaltim</h1>" in html


def test_the_list_shows_english_readers_the_english_title(sister_province):
    html = english(Client()).get(reverse("agreement-list")).content.decode()
    assert "Sister province partnership of East Kalimantan and Anhui" in html


def test_every_place_naming_an_agreement_names_it_in_english_for_an_english_reader(
    sister_province, kaltim
):
    """The chain on a status page, the dashboard's steps and a region's steps needing
    attention name each agreement as its page's heading does: in English where it has an
    English title."""
    pks = AgreementFactory(
        title="PKS beasiswa Kaltim–Anhui",
        title_en="Scholarship agreement of East Kalimantan and Anhui",
        kind="pks",
        lead_region=kaltim,
        regions=[kaltim],
        follows=sister_province,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    MilestoneFactory(
        agreement=pks,
        kind="activity",
        title="Scholarship intake",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        done_on=None,
    )
    client = english(Client())
    chain = client.get(pks.get_absolute_url()).content.decode()
    chain = chain.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    assert "Sister province partnership of East Kalimantan and Anhui" in chain
    assert "Scholarship agreement of East Kalimantan and Anhui" in chain
    assert "Provinsi kembar" not in chain and "PKS beasiswa" not in chain
    for page in (reverse("dashboard"), kaltim.get_absolute_url()):
        html = client.get(page).content.decode()
        assert "Scholarship agreement of East Kalimantan and Anhui" in html, page
        assert "PKS beasiswa" not in html, page


@pytest.mark.parametrize("words", ["scholarships", "sister province Anhui", "Beasiswa"])
def test_search_finds_an_agreement_by_its_words_in_either_language(sister_province, words):
    found = Agreement.objects.search(words)
    assert list(found) == [sister_province]


def test_status_page_says_where_it_was_signed_and_links_the_treaty_room(sister_province):
    html = Client().get(sister_province.get_absolute_url()).content.decode()
    assert "di Hefei" in html
    assert f'<a href="{sister_province.treaty_room_url}">TR/2024/0117</a>' in html, (
        "the Treaty Room reference links to the text"
    )


def test_the_timeline_shows_the_travel_permit_of_a_visit(sister_province):
    MilestoneFactory(
        agreement=sister_province,
        kind="exploration",
        title="Kunjungan delegasi ke Hefei",
        due_on=None,
        done_on=datetime.date(2024, 4, 23),
        pdln_number="B-1234/KSA/04/2024",
    )
    html = Client().get(sister_province.get_absolute_url()).content.decode()
    assert "Izin perjalanan dinas luar negeri (PDLN): B-1234/KSA/04/2024" in html


def test_the_timeline_says_once_in_english_how_late_a_step_is(sister_province):
    """ "Due 12 May 2026 · 3 days overdue": its target, then how late, as the stage path says
    it; not "Overdue" as its state and again after the date."""
    due = timezone.localdate() - datetime.timedelta(days=3)
    MilestoneFactory(agreement=sister_province, title="Pameran dagang di Hefei", due_on=due)
    html = english(Client()).get(sister_province.get_absolute_url()).content.decode()
    translation.deactivate()  # the request left English active in this thread
    timeline = html.split('id="timeline-heading"', 1)[1].split("</section>", 1)[0]
    timeline = " ".join(re.sub(r"<[^>]+>", " ", timeline).split())
    with translation.override("en"):
        date = date_format(due, "DATE_FORMAT")
    assert f"Due {date} · 3 days overdue" in timeline
    assert timeline.lower().count("overdue") == 1


def test_a_travel_permit_on_a_step_that_is_no_trip_is_refused(sister_province):
    milestone = Milestone(
        agreement=sister_province,
        kind="dprd",
        title="Persetujuan DPRD",
        due_on=datetime.date(2025, 1, 1),
        pdln_number="B-1/KSA/2025",
    )
    with pytest.raises(ValidationError) as refused:
        milestone.full_clean()
    assert "pdln_number" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        milestone.save()


def test_the_change_form_asks_for_them_with_the_rule_they_follow(staff_client, sister_province):
    html = staff_client.get(
        reverse("admin:agreements_agreement_change", args=[sister_province.pk])
    ).content.decode()
    for name in ("title_en", "summary_en", "signing_place", "treaty_room_reference"):
        assert f'name="{name}"' in html
    assert "Ruang Perjanjian (Treaty Room) Kementerian Luar Negeri" in html


def test_the_export_holds_them_and_the_import_reads_them_back(
    staff_client, django_user_model, sister_province, kaltim
):
    admin = django_user_model.objects.create_superuser("kepala", "", "a-long-test-password")
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("agreement-export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["title_en"] == "Sister province partnership of East Kalimantan and Anhui"
    assert row["summary_en"] == "Scholarships, trade and food security."
    assert row["signing_place"] == "Hefei"
    assert row["treaty_room_reference"] == "TR/2024/0117"
    assert row["treaty_room_url"] == sister_province.treaty_room_url

    # The same row, as a new agreement in a spreadsheet: the import writes every one of them.
    row.update(reference="", title="Provinsi kembar Kalimantan Timur dan Jiangxi")
    row.update(title_en="Sister province partnership of East Kalimantan and Jiangxi")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    AgreementImport.from_file(io.BytesIO(out.getvalue().encode()), "baru.csv").apply()
    copy = Agreement.objects.get(title="Provinsi kembar Kalimantan Timur dan Jiangxi")
    assert copy.title_en == "Sister province partnership of East Kalimantan and Jiangxi"
    assert copy.summary_en == "Scholarships, trade and food security."
    assert copy.signing_place == "Hefei"
    assert copy.treaty_room_reference == "TR/2024/0117"
    assert copy.treaty_room_url == sister_province.treaty_room_url
