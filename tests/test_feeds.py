"""The iCalendar feeds (per region, per agreement) and the Atom feed of recent agreements."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from access.models import Role
from tests.factories import AgreementFactory, MilestoneFactory, PartnerFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def events_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def atom_entries(response):
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


@pytest.fixture
def official_client(client, django_user_model):
    official = django_user_model.objects.create_user(username="pejabat")
    official.groups.add(Group.objects.get_or_create(name=Role.OFFICIAL)[0])
    client.force_login(official)
    return client


@pytest.fixture
def kaltim_register(kaltim, samarinda, bali):
    """A Kaltim MoU, a Samarinda sister city and a Bali MoU, each with milestones."""
    mou = AgreementFactory(
        title="MoU Kaltim–Anhui", lead_region=kaltim, expires_on=datetime.date(2029, 4, 30)
    )
    sister = AgreementFactory(
        title="Kota kembar Samarinda–Wuhu",
        lead_region=samarinda,
        kind="sister_city",
        expires_on=datetime.date(2028, 6, 1),
    )
    bali_mou = AgreementFactory(title="MoU Bali–Kalteng", lead_region=bali)
    return {
        "mou": mou,
        "sister": sister,
        "bali": bali_mou,
        "planned": MilestoneFactory(
            agreement=mou, title="Monev tahunan", due_on=datetime.date(2028, 5, 4)
        ),
        "done": MilestoneFactory(
            agreement=sister,
            title="Kunjungan ke Wuhu",
            due_on=datetime.date(2024, 9, 1),
            done_on=datetime.date(2024, 9, 12),
        ),
        "bali_step": MilestoneFactory(agreement=bali_mou, title="Rapat TKKSD Bali"),
    }


# -- iCalendar: per region ------------------------------------------------------------------------


def test_kaltim_calendar_holds_the_province_and_its_cities_dates(client, kaltim_register, settings):
    settings.SITE_URL = "https://kerjasama.kaltimprov.go.id"
    r = kaltim_register

    events = events_of(client.get("/calendar/regions/64.ics"))

    assert set(events) == {
        f"agreement-{r['mou'].pk}-expiry@kerjasama.kaltimprov.go.id",
        f"agreement-{r['sister'].pk}-expiry@kerjasama.kaltimprov.go.id",
        f"milestone-{r['planned'].pk}@kerjasama.kaltimprov.go.id",
        f"milestone-{r['done'].pk}@kerjasama.kaltimprov.go.id",
    }
    expiry = events[f"agreement-{r['mou'].pk}-expiry@kerjasama.kaltimprov.go.id"]
    assert expiry.start == datetime.date(2029, 4, 30)
    assert str(expiry["SUMMARY"]) == "Berakhir: MoU Kaltim–Anhui"
    planned = events[f"milestone-{r['planned'].pk}@kerjasama.kaltimprov.go.id"]
    assert planned.start == datetime.date(2028, 5, 4)
    assert str(planned["SUMMARY"]) == "Target: Monev tahunan (MoU Kaltim–Anhui)"
    done = events[f"milestone-{r['done'].pk}@kerjasama.kaltimprov.go.id"]
    assert done.start == datetime.date(2024, 9, 12)  # the day it was done, not the target
    assert str(done["SUMMARY"]) == "Terlaksana: Kunjungan ke Wuhu (Kota kembar Samarinda–Wuhu)"


def test_a_regions_calendar_under_its_first_address_follows_the_pages_filters(
    client, kaltim_register
):
    """``/calendar/regions/64.ics`` is the calendar of the region's page, as
    ``/regions/64/calendar.ics`` is: a filter in its address selects as the page does, and one
    that cannot be read is refused, not dropped for the region's every date."""
    r = kaltim_register

    events = events_of(client.get("/calendar/regions/64.ics", {"kind": "sister_city"}))

    assert {str(event["SUMMARY"]) for event in events.values()} == {
        "Berakhir: Kota kembar Samarinda–Wuhu",
        "Terlaksana: Kunjungan ke Wuhu (Kota kembar Samarinda–Wuhu)",
    }
    assert set(events) == set(
        events_of(client.get("/regions/64/calendar.ics", {"kind": "sister_city"}))
    )
    assert not any(uid.startswith(f"agreement-{r['mou'].pk}-") for uid in events)
    for bad in ({"kind": "perjanjian"}, {"region": "51"}, {"page": "2"}):
        response = client.get("/calendar/regions/64.ics", bad)
        assert response.status_code == 400, bad
        assert "Filter tidak valid" in response.content.decode()


def test_samarinda_calendar_leaves_out_the_province_agreements(client, kaltim_register):
    events = events_of(client.get("/calendar/regions/64.72.ics"))

    assert {str(event["SUMMARY"]) for event in events.values()} == {
        "Berakhir: Kota kembar Samarinda–Wuhu",
        "Terlaksana: Kunjungan ke Wuhu (Kota kembar Samarinda–Wuhu)",
    }


def test_calendar_events_are_subscribable_all_day_events(client, kaltim_register):
    mou = kaltim_register["mou"]

    events = events_of(client.get("/calendar/regions/64.ics"))

    for event in events.values():
        assert isinstance(event.start, datetime.date)
        assert not isinstance(event.start, datetime.datetime)
        assert event.end == event.start + datetime.timedelta(days=1)
        assert event.get("DTSTAMP") is not None
        assert str(event["URL"]).startswith("http://testserver/")
        assert str(event.get("DESCRIPTION"))
    expiry = events[next(uid for uid in events if uid.startswith(f"agreement-{mou.pk}-"))]
    assert str(expiry["URL"]) == f"http://testserver{mou.get_absolute_url()}"


def test_calendar_uids_stay_the_same_from_one_fetch_to_the_next(client, kaltim_register):
    milestone = kaltim_register["planned"]
    first = events_of(client.get("/calendar/regions/64.ics"))
    milestone.due_on = datetime.date(2026, 6, 1)
    milestone.save()

    second = events_of(client.get("/calendar/regions/64.ics"))

    assert set(first) == set(second)
    moved = next(uid for uid in second if uid.startswith(f"milestone-{milestone.pk}@"))
    assert second[moved].start == datetime.date(2026, 6, 1)


def test_a_calendar_of_a_provinces_late_steps_says_which_are_late_and_how_late(client, kaltim):
    """An analyst subscribes to the steps of Kalimantan Timur's cooperations that are late: a
    late step shows on a day already past, so its event says "Terlambat" and by how long,
    where a step still ahead says "Target"."""
    today = timezone.localdate()
    agreement = AgreementFactory(title="PKS Pendidikan", lead_region=kaltim)
    late = MilestoneFactory(
        agreement=agreement,
        title="Monev tahunan",
        due_on=datetime.date(today.year - 2, 1, 1),
        due_on_precision="year",
    )
    ahead = MilestoneFactory(
        agreement=agreement, title="Rapat evaluasi", due_on=today + datetime.timedelta(days=40)
    )

    events = events_of(client.get("/agreements/calendar.ics", {"region": "64", "late": "yes"}))

    late_event = events[f"milestone-{late.pk}@127.0.0.1"]
    assert str(late_event["SUMMARY"]) == "Terlambat: Monev tahunan (PKS Pendidikan)"
    assert late_event.start == datetime.date(today.year - 2, 1, 1)  # the whole year it is due
    how_late = str(late_event["DESCRIPTION"]).splitlines()[-1]
    assert how_late.startswith("Terlambat ") and "tahun" in how_late  # not a count of days
    ahead_event = events[f"milestone-{ahead.pk}@127.0.0.1"]
    assert str(ahead_event["SUMMARY"]) == "Target: Rapat evaluasi (PKS Pendidikan)"
    assert "Terlambat" not in str(ahead_event["DESCRIPTION"])


def test_a_calendar_says_of_each_step_what_its_status_page_says(client, kaltim):
    """The bureau's calendar and the agreement's page tell one story: an MoU cancelled before
    its signing, whose TKKSD review and signing were planned, has them "Tidak lagi diperlukan"
    on its page and in the calendar, not as targets still to meet; an evaluation the bureau
    recorded as skipped is "Dilewati" there as on the page, not "Terlaksana"."""
    today = timezone.localdate()
    cancelled = AgreementFactory(
        title="MoU batal",
        lead_region=kaltim,
        status="cancelled",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    review = MilestoneFactory(
        agreement=cancelled,
        kind="tkksd",
        title="Rapat TKKSD",
        due_on=today - datetime.timedelta(days=30),
    )
    signing = MilestoneFactory(
        agreement=cancelled,
        kind="signing",
        title="Penandatanganan MoU",
        due_on=today + datetime.timedelta(days=30),
    )
    in_force = AgreementFactory(title="MoU berlaku", lead_region=kaltim)
    skipped = MilestoneFactory(
        agreement=in_force,
        kind="evaluation",
        title="Monev 2025",
        due_on=None,
        done_on=datetime.date(2025, 6, 2),
        mark="skipped",
        notes="Anggaran tidak tersedia.",
    )

    events = events_of(client.get("/calendar/regions/64.ics"))
    page = client.get(f"/agreements/{cancelled.pk}/").content.decode()

    summaries = {
        step.pk: str(events[f"milestone-{step.pk}@127.0.0.1"]["SUMMARY"])
        for step in (review, signing, skipped)
    }
    assert summaries == {
        review.pk: "Tidak lagi diperlukan: Rapat TKKSD (MoU batal)",
        signing.pk: "Tidak lagi diperlukan: Penandatanganan MoU (MoU batal)",
        skipped.pk: "Dilewati: Monev 2025 (MoU berlaku)",
    }
    assert page.count("Tidak lagi diperlukan") == 2
    for step in (review, signing):
        description = str(events[f"milestone-{step.pk}@127.0.0.1"]["DESCRIPTION"])
        assert "Menunggu" not in description


def test_anonymous_region_calendar_leaves_out_internal_agreements_and_their_milestones(
    client, kaltim
):
    internal = AgreementFactory(
        title="Rancangan internal", lead_region=kaltim, visibility="internal"
    )
    MilestoneFactory(agreement=internal, title="Langkah internal")

    response = client.get("/calendar/regions/64.ics")

    assert events_of(response) == {}
    assert b"internal" not in response.content


def test_officials_see_internal_agreements_in_the_region_calendar(official_client, kaltim):
    internal = AgreementFactory(
        title="Rancangan internal", lead_region=kaltim, visibility="internal"
    )
    MilestoneFactory(agreement=internal, title="Langkah internal")

    events = events_of(official_client.get("/calendar/regions/64.ics"))

    assert len(events) == 2


def test_unknown_region_calendar_is_404(client, db):
    assert client.get("/calendar/regions/99.ics").status_code == 404


@pytest.mark.parametrize("rows", [1, 4])
def test_region_calendar_runs_the_same_queries_however_many_rows(
    client, kaltim, rows, django_assert_num_queries
):
    for _n in range(rows):
        MilestoneFactory(agreement__lead_region=kaltim)

    # 1. the region, 2. the province's regencies and cities, which the party filter names as
    # numbers, 3.–4. its agreements expiring from today on and before, with their lead region,
    # 5.–6. their milestones from today on and before, with their agreement and the date each
    # last changed
    with django_assert_num_queries(6):
        events = events_of(client.get("/calendar/regions/64.ics"))

    assert len(events) == 2 * rows


# -- iCalendar: per agreement ---------------------------------------------------------------------


def test_agreement_calendar_holds_its_expiry_and_its_milestones(client, kaltim_register):
    mou = kaltim_register["mou"]

    events = events_of(client.get(f"/calendar/agreements/{mou.pk}.ics"))

    assert sorted(str(event["SUMMARY"]) for event in events.values()) == [
        "Berakhir: MoU Kaltim–Anhui",
        "Target: Monev tahunan (MoU Kaltim–Anhui)",
    ]


def test_an_agreements_calendar_is_named_in_the_readers_language_as_its_events(client, kaltim):
    """An English reader's calendar of an agreement with an English title is named by it, as
    its events and its status page name the agreement."""
    mou = AgreementFactory(
        title="Nota Kesepahaman Kaltim–Osaka",
        title_en="MoU East Kalimantan–Osaka",
        lead_region=kaltim,
    )

    calendar = Calendar.from_ical(
        client.get(f"/calendar/agreements/{mou.pk}.ics", HTTP_ACCEPT_LANGUAGE="en").content
    )
    assert str(calendar["X-WR-CALNAME"]) == "MoU East Kalimantan–Osaka"
    assert "Expires: MoU East Kalimantan–Osaka" in [
        str(event["SUMMARY"]) for event in calendar.walk("VEVENT")
    ]


def test_a_calendar_named_by_a_text_of_two_lines_reads_it_on_one(client, kaltim):
    """A title or a partner's name keeps the line break of the spreadsheet cell it was
    imported from; a calendar's name can hold none, and the agreement's calendar and its
    partner's were a server error for every reader. Named on one line, as its events are."""
    partner = PartnerFactory(name="Osaka Prefectural\nGovernment")
    mou = AgreementFactory(
        title="Nota Kesepahaman\r\nKaltim–Osaka", lead_region=kaltim, partners=[partner]
    )

    for address, name in [
        (f"/calendar/agreements/{mou.pk}.ics", "Nota Kesepahaman Kaltim–Osaka"),
        (f"/partners/{partner.pk}/calendar.ics", "Kerja sama daerah: Osaka Prefectural Government"),
    ]:
        response = client.get(address)
        assert response.status_code == 200, address
        assert str(Calendar.from_ical(response.content)["X-WR-CALNAME"]) == name


def test_internal_agreement_calendar_is_404_for_anonymous(client, kaltim):
    internal = AgreementFactory(lead_region=kaltim, visibility="internal")

    assert client.get(f"/calendar/agreements/{internal.pk}.ics").status_code == 404


def test_internal_agreement_calendar_is_shown_to_officials(official_client, kaltim):
    internal = AgreementFactory(lead_region=kaltim, visibility="internal")

    assert len(events_of(official_client.get(f"/calendar/agreements/{internal.pk}.ics"))) == 1


def test_unsigned_or_terminated_agreements_have_no_expiry_event(client, kaltim):
    terminated = AgreementFactory(lead_region=kaltim, status="terminated")

    assert events_of(client.get(f"/calendar/agreements/{terminated.pk}.ics")) == {}


# -- Atom -----------------------------------------------------------------------------------------


def test_atom_feed_lists_public_agreements_most_recently_changed_first(client, kaltim):
    older = AgreementFactory(title="MoU lama", lead_region=kaltim)
    newer = AgreementFactory(title="PKS baru", lead_region=kaltim)
    older.summary = "Ringkasan diperbarui."
    older.save()

    response = client.get("/feeds/agreements.atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    entries = atom_entries(response)
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["MoU lama", "PKS baru"]
    link = entries[1].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{newer.get_absolute_url()}"
    assert entries[0].findtext(f"{ATOM}updated")
    feed_link = ET.fromstring(response.content).find(f"{ATOM}link[@rel='alternate']")
    assert feed_link.get("href") == "http://testserver/agreements/"


def test_an_atom_entry_of_a_terminated_agreement_says_when_it_was_terminated(
    client, kaltim, django_assert_num_queries
):
    agreement = AgreementFactory(
        title="MoU Kaltim–Sabah",
        lead_region=kaltim,
        status="terminated",
        expires_on=datetime.date(2027, 7, 28),
    )
    MilestoneFactory(
        agreement=agreement, kind="termination", due_on=None, done_on=datetime.date(2023, 3, 2)
    )
    AgreementFactory(title="MoU berlaku", lead_region=kaltim, expires_on=datetime.date(2030, 1, 1))

    # The day is read with the entries (``test_atom_feed_runs_the_same_queries…``).
    with django_assert_num_queries(3):
        entries = atom_entries(client.get("/feeds/agreements.atom"))

    told = {entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}summary") for entry in entries}
    assert "<li>Diakhiri pada: 2 Maret 2023</li>" in told["MoU Kaltim–Sabah"]
    assert "2027" not in told["MoU Kaltim–Sabah"]
    assert "<li>Berakhir pada: 1 Januari 2030</li>" in told["MoU berlaku"]


def test_an_atom_entry_names_the_parties_lead_region_first_as_the_pages_do(
    client, kaltim, samarinda
):
    """Samarinda's agreement with the province is told "Kota Samarinda · Kalimantan Timur" on
    its list row and status page; its feed entry said "Kalimantan Timur, Kota Samarinda"."""
    AgreementFactory(title="Kesepakatan Samarinda", lead_region=samarinda, regions=[kaltim])

    (entry,) = atom_entries(client.get("/feeds/agreements.atom"))

    assert "<li>Para pihak: Kota Samarinda, Kalimantan Timur</li>" in entry.findtext(
        f"{ATOM}summary"
    )


def test_atom_feed_never_lists_internal_agreements(client, official_client, kaltim):
    AgreementFactory(title="Publik", lead_region=kaltim)
    AgreementFactory(title="Rancangan internal", lead_region=kaltim, visibility="internal")

    for reader in (client, official_client):
        titles = [
            e.findtext(f"{ATOM}title") for e in atom_entries(reader.get("/feeds/agreements.atom"))
        ]
        assert titles == ["Publik"]


def test_feeds_name_agreements_in_the_english_readers_language(client, kaltim):
    """An English reader finds in the feed and the calendar of a selection the English title
    and summary the list page shows them, where the bureau filled them in."""
    AgreementFactory(
        lead_region=kaltim,
        title="Kota kembar Samarinda Osaka",
        title_en="Samarinda Osaka sister city",
        summary="Pertukaran pelajar.",
        summary_en="Student exchange.",
    )
    client.cookies["django_language"] = "en"

    [entry] = atom_entries(client.get("/agreements/feed.atom"))
    assert entry.findtext(f"{ATOM}title") == "Samarinda Osaka sister city"
    assert "Student exchange." in entry.findtext(f"{ATOM}summary")
    [expiry] = events_of(client.get("/agreements/calendar.ics")).values()
    assert str(expiry.get("summary")) == "Expires: Samarinda Osaka sister city"


def test_atom_feed_escapes_what_editors_typed(client, kaltim):
    AgreementFactory(lead_region=kaltim, title="<b>MoU</b>", summary="<script>x()</script>")

    [entry] = atom_entries(client.get("/feeds/agreements.atom"))

    assert entry.findtext(f"{ATOM}title") == "<b>MoU</b>"  # a text element: shown as typed
    summary = entry.findtext(f"{ATOM}summary")  # HTML: what was typed arrives escaped
    assert "&lt;script&gt;x()&lt;/script&gt;" in summary
    assert "<script>" not in summary


@pytest.mark.parametrize(
    "signed_on, precision, shown",
    [
        (datetime.date(2024, 1, 1), "year", "2024"),
        (datetime.date(2024, 6, 1), "month", "Juni 2024"),
    ],
)
def test_atom_feed_publishes_a_signing_known_to_its_year_or_month_when_it_was_public(
    client, kaltim, signed_on, precision, shown
):
    """A text signed "2024" (or "Juni 2024") is not published on 1 January (or 1 June) 2024,
    a day nobody recorded: the entry is dated when the public could first read it, and its
    description says the signing as it is known."""
    AgreementFactory(
        title="Kota kembar lama",
        lead_region=kaltim,
        signed_on=signed_on,
        signed_on_precision=precision,
        in_force_from=None,
        expires_on=None,
    )
    day_known = AgreementFactory(title="MoU baru", lead_region=kaltim)

    entries = {
        entry.findtext(f"{ATOM}title"): entry
        for entry in atom_entries(client.get("/feeds/agreements.atom"))
    }

    published = datetime.datetime.fromisoformat(
        entries["Kota kembar lama"].findtext(f"{ATOM}published")
    )
    assert published.date() != signed_on
    assert published > timezone.now() - datetime.timedelta(hours=1)  # when it was recorded
    assert f"Ditandatangani: {shown}</li>" in entries["Kota kembar lama"].findtext(f"{ATOM}summary")
    day = datetime.datetime.fromisoformat(entries["MoU baru"].findtext(f"{ATOM}published"))
    assert day.date() == day_known.signed_on


def test_atom_entry_ids_stay_the_same_whatever_address_the_feed_is_fetched_at(
    client, kaltim, settings
):
    """Fetched over https through the proxy and over http inside the office, the feed names
    each agreement the same, or a feed reader shows every entry twice."""
    settings.SITE_URL = "https://kerjasama.kaltimprov.go.id"
    settings.ALLOWED_HOSTS = ["*"]
    agreement = AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim)

    ids = set()
    for host, secure in (("kerjasama.kaltimprov.go.id", True), ("10.0.0.5:8000", False)):
        response = client.get("/agreements/feed.atom", headers={"host": host}, secure=secure)
        [entry] = atom_entries(response)
        ids.add(entry.findtext(f"{ATOM}id"))

    recorded = agreement.created_at.astimezone(datetime.UTC)
    assert ids == {f"tag:kerjasama.kaltimprov.go.id,{recorded:%Y-%m-%d}:agreement/{agreement.pk}"}


def test_an_unsigned_agreements_entry_is_never_updated_before_it_was_published(client, kaltim):
    """Not yet signed, an entry is published when the public could first read it; its last
    change is not earlier than that."""
    AgreementFactory(
        title="Prakarsa kota kembar",
        lead_region=kaltim,
        status="initiative",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )

    [entry] = atom_entries(client.get("/agreements/feed.atom"))

    published = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert published <= updated


@pytest.mark.parametrize("rows", [1, 4])
def test_atom_feed_runs_the_same_queries_however_many_rows(
    client, kaltim, rows, django_assert_num_queries
):
    for _n in range(rows):
        AgreementFactory(lead_region=kaltim)

    # 1. the agreements with their lead region, 2. their party regions, 3. their partners
    with django_assert_num_queries(3):
        assert len(atom_entries(client.get("/feeds/agreements.atom"))) == rows


def test_a_calendar_holds_the_events_nearest_today_however_long_the_history(
    client, kaltim, monkeypatch
):
    """A calendar subscribed for a whole register holds what is coming and what just happened,
    at most so many each way, never every step the register ever recorded."""
    from django.utils import timezone

    from reminders import ical

    monkeypatch.setattr(ical, "EVENTS_EACH_WAY", 2)
    today = timezone.localdate()
    mou = AgreementFactory(lead_region=kaltim, expires_on=today + datetime.timedelta(days=900))
    for days in (-300, -20, -10, 10, 20, 300):
        MilestoneFactory(
            agreement=mou,
            title=f"Langkah {days}",
            due_on=today + datetime.timedelta(days=days),
        )
    summaries = sorted(
        str(event["SUMMARY"])
        for event in events_of(client.get("/calendar/regions/64.ics")).values()
    )
    assert [s.split(" (")[0] for s in summaries] == [
        f"Berakhir: {mou.title}".split(" (")[0],
        "Target: Langkah 10",
        "Target: Langkah 20",
        "Terlambat: Langkah -10",  # planned steps whose day has passed
        "Terlambat: Langkah -20",
    ]


def test_an_expiry_on_the_last_day_the_calendar_holds_is_still_an_event(client, kaltim):
    """An expiry of 31 December 9999 (a register's old way to write "no expiry", recorded
    before such years were refused) has no day after it to end on: its event lasts the day."""
    agreement = AgreementFactory(lead_region=kaltim, signed_on=datetime.date(2020, 1, 1))
    type(agreement).objects.filter(pk=agreement.pk).update(expires_on=datetime.date.max)

    for url in (f"/calendar/agreements/{agreement.pk}.ics", "/calendar/regions/64.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        [expiry] = [
            event
            for uid, event in events_of(response).items()
            if uid.startswith(f"agreement-{agreement.pk}-") and event.start == datetime.date.max
        ]
        assert expiry.duration == datetime.timedelta(days=1)


def extended_internally(kaltim):
    """An MoU ending in 20 days and its extension, signed two days ago, internal."""
    today = timezone.localdate()
    mou = AgreementFactory(
        title="MoU pembangunan daerah",
        lead_region=kaltim,
        expires_on=today + datetime.timedelta(days=20),
    )
    extension = AgreementFactory(
        title="Perpanjangan MoU pembangunan daerah",
        lead_region=kaltim,
        follows=mou,
        relation="extends",
        signed_on=today - datetime.timedelta(days=2),
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
        expires_on=today + datetime.timedelta(days=5 * 365),
        visibility="internal",
    )
    return mou, extension


def test_an_expiry_already_extended_says_so_where_the_reader_may_see_the_extension(
    client, official_client, kaltim
):
    """A text whose extension is signed does not lapse on its expiry: its event says it is
    already extended, as the list, the dashboard and the digest say it, even in a calendar
    that holds the text alone; an internal extension is not told to the public."""
    mou, extension = extended_internally(kaltim)
    address = f"/calendar/agreements/{mou.pk}.ics"

    def expiry(reader):
        [event] = [
            event
            for uid, event in events_of(reader.get(address)).items()
            if uid.startswith(f"agreement-{mou.pk}-expiry@")
        ]
        return str(event["SUMMARY"]), str(event["DESCRIPTION"])

    public = Client()
    assert expiry(public)[0] == "Berakhir: MoU pembangunan daerah"
    assert "diperpanjang" not in expiry(public)[1]
    summary, description = expiry(official_client)
    assert summary == "Berakhir: MoU pembangunan daerah · sudah diperpanjang"
    assert "Sudah diperpanjang" in description.splitlines()

    extension.visibility = "public"
    extension.save()
    assert expiry(public)[0] == "Berakhir: MoU pembangunan daerah · sudah diperpanjang"


def test_a_feeds_entry_says_its_expiry_is_already_extended_as_the_calendar_does(client, kaltim):
    """The Atom feed's entry of a text whose extension is signed said only when it ends, read
    as a cooperation about to lapse, where the calendar of the same selection said it was
    already extended: it says so beside its end, by the same rule, an internal extension
    told to nobody (the feed is the public's)."""
    mou, extension = extended_internally(kaltim)

    def entry_of_the_mou():
        [entry] = [
            entry
            for entry in atom_entries(client.get("/regions/64/feed.atom"))
            if entry.findtext(f"{ATOM}title") == mou.title
        ]
        return entry.findtext(f"{ATOM}summary")

    ends = f"Berakhir pada: {mou.known('expires_on')}"
    assert f"{ends}</li>" in entry_of_the_mou()
    extension.visibility = "public"
    extension.save()
    assert f"{ends} · sudah diperpanjang</li>" in entry_of_the_mou()
    [event] = [
        event
        for uid, event in events_of(client.get("/regions/64/calendar.ics")).items()
        if uid.startswith(f"agreement-{mou.pk}-expiry@")
    ]
    assert str(event["SUMMARY"]).endswith(" · sudah diperpanjang")
