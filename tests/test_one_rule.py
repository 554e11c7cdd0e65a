"""One question, one answer: a cancelled agreement with a step 30 days past due is not overdue
and waits on nobody on the dashboard, in the admin filter, on the status page, in the export
and in the editor's digest, because all of them call the same rules (``MilestoneQuerySet
.overdue``, ``Milestone.is_overdue_on``, ``AgreementQuerySet.waiting_on``). A live agreement
with the same step is the control: overdue everywhere."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Milestone
from reminders.digest import message, plan
from tests.factories import AgreementFactory, MilestoneFactory
from tests.helpers import chart_table

pytestmark = pytest.mark.django_db

# Thirty days before the day the tests are collected: overdue whenever they run.
LATE = timezone.localdate() - datetime.timedelta(days=30)


@pytest.fixture
def two_alike(kaltim, editor_kaltim):
    """The same step 30 days late, of a cancelled cooperation and of one still being prepared."""
    made = {}
    for status in ("cancelled", "preparation"):
        agreement = AgreementFactory(
            title=f"Kerja sama {status}",
            lead_region=kaltim,
            status=status,
            signed_on=None,
            in_force_from=None,
            expires_on=None,
        )
        MilestoneFactory(
            agreement=agreement,
            kind=Milestone.Kind.TKKSD,
            title=f"Rapat TKKSD {status}",
            due_on=LATE,
            waits_on="tkksd",
        )
        made[status] = agreement
    return made


def test_the_dashboard_counts_only_the_live_one_overdue_and_waiting(client, two_alike):
    response = client.get(reverse("dashboard"))
    assert response.context["overdue_count"] == 1
    assert [m.title for m in response.context["overdue"]] == ["Rapat TKKSD preparation"]
    waiting = {row["party"]: row["count"] for row in response.context["waiting"]}
    assert waiting["tkksd"] == 1
    html = response.content.decode()
    assert "Rapat TKKSD preparation" in html
    assert "Rapat TKKSD cancelled" not in html


def test_the_admin_overdue_filter_lists_only_the_live_one(staff_client, two_alike):
    response = staff_client.get(
        reverse("admin:agreements_milestone_changelist"), {"overdue": "yes"}
    )
    listed = [m.title for m in response.context["cl"].result_list]
    assert listed == ["Rapat TKKSD preparation"]
    response = staff_client.get(reverse("admin:agreements_milestone_changelist"), {"overdue": "no"})
    assert [m.title for m in response.context["cl"].result_list] == ["Rapat TKKSD cancelled"]


def test_the_admins_list_of_steps_has_only_the_live_one_waiting_on_the_tkksd(
    staff_client, two_alike
):
    response = staff_client.get(
        reverse("admin:agreements_milestone_changelist"), {"waits_on": "tkksd"}
    )
    assert [m.title for m in response.context["cl"].result_list] == ["Rapat TKKSD preparation"]
    assert response.content.decode().count('<td class="field-waited_on">TKKSD</td>') == 1


def test_the_status_pages_call_only_the_live_one_late(client, two_alike):
    cancelled = client.get(two_alike["cancelled"].get_absolute_url()).content.decode()
    timeline = cancelled.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Rapat TKKSD cancelled" in timeline
    assert "terlambat" not in timeline.lower() and "milestone-overdue" not in timeline
    assert "Tidak ada: kerja sama ini batal." in cancelled
    live = client.get(two_alike["preparation"].get_absolute_url()).content.decode()
    timeline = live.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "terlambat" in timeline


def test_the_stage_paths_call_only_the_live_one_late(client, two_alike):
    """The TKKSD stage of the cancelled cooperation is no one's work: its path gives it neither
    a target nor lateness, and says it was not taken. The live one's path says it is late, as
    its timeline does."""

    def tkksd_stage(agreement):
        html = client.get(agreement.get_absolute_url()).content.decode()
        path = html.split('class="stage-path"', 1)[1].split("</ol>", 1)[0]
        stage = path.split("Pembahasan TKKSD", 1)[1].split("</li>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", stage).split())

    assert tkksd_stage(two_alike["cancelled"]) == "tidak ditempuh: naskah ini batal"
    assert tkksd_stage(two_alike["preparation"]).startswith("berikutnya · target ")
    assert " · terlambat " in tkksd_stage(two_alike["preparation"])


def test_the_export_gives_the_cancelled_one_no_step_and_nobody_to_wait_on(client, two_alike):
    response = client.get(reverse("agreement-export", args=["csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(body))}
    cancelled, live = rows["Kerja sama cancelled"], rows["Kerja sama preparation"]
    assert (cancelled["next_milestone"], cancelled["waits_on"]) == ("", "")
    assert cancelled["next_milestone_due"] == ""
    assert live["waits_on"] == "tkksd"
    assert live["next_milestone_due"] == LATE.isoformat()


def test_the_editors_digest_reminds_only_of_the_live_one(two_alike, editor_kaltim):
    digest = plan(editor_kaltim, timezone.localdate())
    assert [item.milestone.title for item in digest.attention.overdue] == [
        "Rapat TKKSD preparation"
    ]
    text = message(digest).body
    assert "Rapat TKKSD preparation" in text
    assert "Rapat TKKSD cancelled" not in text
    assert "1 kerja sama menunggu TKKSD." in text


def test_the_list_filter_finds_only_the_live_one_waiting(client, two_alike):
    response = client.get(reverse("agreement-list"), {"waits_on": "tkksd"})
    titles = [a.title for a in response.context["agreements"]]
    assert titles == ["Kerja sama preparation"]
    assert Agreement.objects.waiting_on(["tkksd"]).count() == 1


# -- an entry into force known only to its month: reached on the month's last day ----------

# A day within December 2026, in which a text "berlaku Desember 2026" may or may not be in
# force yet, and the month's last day, by which it is.
IN_DECEMBER, DECEMBERS_END = datetime.date(2026, 12, 5), datetime.date(2026, 12, 31)


@pytest.fixture
def entering_in_december(kaltim, monkeypatch):
    """A text signed in November 2026 that enters into force "Desember 2026", no more known,
    and a day to read every surface on (``on(day)``)."""
    agreement = AgreementFactory(
        title="MoU berlaku Desember 2026",
        lead_region=kaltim,
        status=Agreement.Status.SIGNED,
        signed_on=datetime.date(2026, 11, 10),
        in_force_from=datetime.date(2026, 12, 1),
        in_force_from_precision="month",
        expires_on=datetime.date(2031, 11, 30),
    )
    localdate = timezone.localdate

    def on(day):
        monkeypatch.setattr(
            timezone,
            "localdate",
            lambda value=None, tz=None: day if value is None else localdate(value, tz),
        )

    return agreement, on


def test_an_entry_into_force_known_to_its_month_is_reached_on_its_last_day_everywhere(
    client, entering_in_december
):
    """On 5 December nobody knows whether a text "berlaku Desember 2026" is in force yet: it
    was shown as in force from 1 December. Its status page, the list's status filter, the
    dashboard's counts and the export tell it as signed, in force by the end of December at
    the latest; on 31 December, in force, all alike."""
    agreement, on = entering_in_december

    def told(day):
        on(day)
        page = client.get(agreement.get_absolute_url()).content.decode()
        item = page.split("<dt>Status</dt>", 1)[1].split("</dd>", 1)[0]
        status = " ".join(re.sub(r"<[^>]+>", " ", item).split()).split(" berakhir ", 1)[0]
        listed = {
            shown: [
                a.title
                for a in client.get(reverse("agreement-list"), {"status": shown}).context[
                    "agreements"
                ]
            ]
            for shown in ("signed", "in_force")
        }
        dashboard = client.get(reverse("dashboard")).content.decode()
        chart = dict(chart_table(dashboard, "status"))
        counted = {"signed": chart["Ditandatangani"], "in_force": chart["Berlaku"]}
        response = client.get(reverse("agreement-export", args=["csv"]))
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        (row,) = csv.DictReader(io.StringIO(body))
        return status, listed, counted, row["status"]

    assert told(IN_DECEMBER) == (
        "Ditandatangani berlaku paling lambat Desember 2026",
        {"signed": ["MoU berlaku Desember 2026"], "in_force": []},
        {"signed": "1", "in_force": "0"},
        "signed",
    )
    assert told(DECEMBERS_END) == (
        "Berlaku",
        {"signed": [], "in_force": ["MoU berlaku Desember 2026"]},
        {"signed": "0", "in_force": "1"},
        "in_force",
    )
