"""Times in the reader's zone: WIB, WITA or WIT, chosen per user and by default their region's.

Dates have no time and so no zone; a time (when a record was last changed) is shown in the zone
of the person reading it.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from access.models import TimeZone, time_zone_of_region
from agreements.models import Agreement
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

# 02:30 UTC: 09:30 WIB, 10:30 WITA, 11:30 WIT.
CHANGED = datetime.datetime(2026, 1, 5, 2, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("31", TimeZone.WIB),  # DKI Jakarta
        ("62", TimeZone.WIB),  # Kalimantan Tengah
        ("64", TimeZone.WITA),  # Kalimantan Timur
        ("64.72", TimeZone.WITA),  # Kota Samarinda, as its province
        ("51", TimeZone.WITA),  # Bali
        ("81", TimeZone.WIT),  # Maluku
        ("95", TimeZone.WIT),  # Papua Pegunungan
    ],
)
def test_a_region_keeps_the_zone_of_its_province(code, zone):
    assert time_zone_of_region(code) == zone


@pytest.fixture
def kaltim_agreement(kaltim):
    agreement = AgreementFactory(lead_region=kaltim, regions=[kaltim])
    Agreement.objects.filter(pk=agreement.pk).update(updated_at=CHANGED)
    return agreement


def last_changed_as_shown(client, agreement):
    response = client.get(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('class="form-row field-updated_at"')
    return html[start : start + 600]


def shows_time(html, hour):
    """Whether ``html`` shows ``hour``:30 (9.30, 09:30, …) and no other hour at :30."""
    hours = {int(h) for h in re.findall(r"\b(\d{1,2})[.:]30\b", html)}
    return hours == {hour}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_of_kaltim_reads_times_in_wita_without_choosing(editor_kaltim, kaltim_agreement):
    shown = last_changed_as_shown(logged_in(editor_kaltim), kaltim_agreement)
    assert shows_time(shown, 10), shown


def test_staff_without_a_region_read_times_in_the_registers_zone(staff_user, kaltim_agreement):
    shown = last_changed_as_shown(logged_in(staff_user), kaltim_agreement)
    assert shows_time(shown, 9), shown


def test_a_user_who_chooses_wit_reads_times_in_wit_from_then_on(editor_kaltim, kaltim_agreement):
    client = logged_in(editor_kaltim)
    url = reverse("admin:agreements_agreement_change", args=[kaltim_agreement.pk])
    response = client.post(reverse("set-time-zone"), {"time_zone": "Asia/Jayapura", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    shown = last_changed_as_shown(client, kaltim_agreement)
    assert shows_time(shown, 11), shown
    # And at the next login too.
    shown = last_changed_as_shown(logged_in(editor_kaltim), kaltim_agreement)
    assert shows_time(shown, 11), shown


def test_the_zone_picker_shows_the_readers_zone(editor_kaltim):
    html = logged_in(editor_kaltim).get(reverse("admin:index")).content.decode()
    assert (
        '<option value="Asia/Makassar" title="WITA (Waktu Indonesia Tengah, UTC+8)" selected>'
        "WITA</option>" in html
    )


def test_an_unknown_zone_is_refused_with_a_message_and_nothing_changes(editor_kaltim):
    client = logged_in(editor_kaltim)
    response = client.post(reverse("set-time-zone"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "WIB, WITA atau WIT" in response.content.decode()
    assert not editor_kaltim.__class__.objects.filter(work_setting__isnull=False).exists()


def test_a_zone_given_twice_is_refused_and_nothing_changes(editor_kaltim):
    """The last of them was saved: which one was meant is not for the site to guess."""
    client = logged_in(editor_kaltim)
    response = client.post(
        reverse("set-time-zone"), {"time_zone": ["Mars/Olympus", "Asia/Jayapura"]}
    )
    assert response.status_code == 400
    assert "menerima satu nilai saja" in response.content.decode()
    assert not editor_kaltim.__class__.objects.filter(work_setting__isnull=False).exists()


def test_the_zone_is_not_taken_from_another_site(editor_kaltim):
    response = logged_in(editor_kaltim).post(
        reverse("set-time-zone"), {"time_zone": "", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == "/admin/"


def test_a_zone_chosen_without_logging_in_is_sent_to_the_sites_login(client):
    """The site's login, which every role may use, as for every page of the site that needs
    one; the admin's refuses whoever is not staff."""
    response = client.post(reverse("set-time-zone"), {"time_zone": "Asia/Makassar"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    # A session that lapsed on a page: logged in again, the reader is back on that page, not
    # on this address, which takes only the form.
    back = client.post(
        reverse("set-time-zone"),
        {"time_zone": "Asia/Makassar", "next": "/admin/agreements/agreement/"},
    )
    assert back["Location"] == "/accounts/login/?next=/admin/agreements/agreement/"
    elsewhere = client.post(
        reverse("set-time-zone"), {"time_zone": "", "next": "https://elsewhere.example/"}
    )
    assert elsewhere["Location"] == "/accounts/login/?next=/admin/"


def test_a_download_is_named_by_the_time_in_the_readers_zone_as_the_dictionary_says(
    editor_kaltim, kaltim_agreement
):
    """An editor of Kalimantan Timur reads WITA on every page: the file they download is named
    by the same clock, and the data dictionary says so rather than "the bureau's time"."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    client = Client()
    client.force_login(editor_kaltim)
    wita = ZoneInfo("Asia/Makassar")
    before = timezone.now().astimezone(wita).strftime("%Y-%m-%dT%H%M")
    response = client.get(reverse("agreement-export", args=["csv"]))
    after = timezone.now().astimezone(wita).strftime("%Y-%m-%dT%H%M")

    stamp = re.search(r"(\d{4}-\d\d-\d\dT\d{4})\.csv", response["Content-Disposition"]).group(1)
    assert stamp in {before, after}
    dictionary = " ".join(client.get(reverse("data-dictionary")).content.decode().split())
    assert "menurut zona waktu pengunduh: WIB, WITA atau WIT" in dictionary
    assert "waktu setempat biro" not in dictionary


def listed_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return set(
        re.findall(r'<th class="field-title"><a [^>]*>([^<]*)</a>', response.content.decode())
    )


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_the_date_drill_down_lists_the_days_it_names_in_every_zone(kaltim, editor_kaltim, zone):
    """Dates have no zone: "Juni 2024" of the agreement list's drill-down lists the texts signed
    from 1 to 30 June to a reader in WITA or WIT as in WIB, and its "30 Juni" the text signed
    that day. Bounded by midnights of the reader's zone read in the site's, it listed the text
    of 31 May under June and that of 30 June under July; "30 Juni" led to an empty list."""
    for title, signed in [
        ("Ditandatangani 31 Mei", datetime.date(2024, 5, 31)),
        ("Ditandatangani 1 Juni", datetime.date(2024, 6, 1)),
        ("Ditandatangani 30 Juni", datetime.date(2024, 6, 30)),
        ("Ditandatangani 1 Juli", datetime.date(2024, 7, 1)),
    ]:
        AgreementFactory(title=title, lead_region=kaltim, signed_on=signed, in_force_from=signed)
    client = logged_in(editor_kaltim)
    client.post(reverse("set-time-zone"), {"time_zone": zone})
    changelist = reverse("admin:agreements_agreement_changelist")

    june = f"{changelist}?signed_on__year=2024&signed_on__month=6"
    assert listed_titles(client, june) == {"Ditandatangani 1 Juni", "Ditandatangani 30 Juni"}
    last_day = f"{changelist}?signed_on__year=2024&signed_on__month=6&signed_on__day=30"
    assert listed_titles(client, last_day) == {"Ditandatangani 30 Juni"}
    july = f"{changelist}?signed_on__year=2024&signed_on__month=7"
    assert listed_titles(client, july) == {"Ditandatangani 1 Juli"}
