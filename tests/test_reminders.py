"""The daily reminder digest (``manage.py send_reminders``) and the "needs attention" lists."""

import base64
import datetime
import os
import re
import shutil
import smtplib
import subprocess
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db.models.signals import post_init
from django.template.loader import render_to_string
from django.utils import timezone, translation

from access.models import RegionAssignment, Role
from agreements.attention import needs_attention
from agreements.models import Agreement, Milestone
from partners.models import Region
from reminders.digest import plan
from reminders.models import Notice, ReminderPreference, Threshold
from tests.factories import AgreementFactory, MilestoneFactory
from tests.helpers import html_lang, opened_afresh

TODAY = datetime.date(2025, 3, 3)
BASE_DIR = Path(__file__).resolve().parent.parent


def days(n):
    return TODAY + datetime.timedelta(days=n)


def run(today=TODAY, *args):
    """The daily run on ``today``, the clock at that day's morning: a day still to come is
    refused (``test_a_run_for_a_day_still_to_come_is_refused_unless_dry``)."""
    out = StringIO()
    with on_the_day(today):
        call_command("send_reminders", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def on_the_day(day):
    """The clock at 06:30 on ``day``, in the site's time zone, as cron runs the command."""
    morning = timezone.make_aware(datetime.datetime.combine(day, datetime.time(6, 30)))
    return mock.patch("django.utils.timezone.now", return_value=morning)


def mails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPException("451 relay temporarily unavailable")


@pytest.fixture
def make_editor(django_user_model):
    def make(username, *regions, language=None, active=True):
        user = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.invalid", first_name=username.title()
        )
        user.groups.add(Group.objects.get_or_create(name=Role.EDITOR)[0])
        for region in regions:
            RegionAssignment.objects.create(user=user, region=region)
        if language or not active:
            ReminderPreference.objects.create(user=user, language=language or "id", active=active)
        return user

    return make


@pytest.fixture
def kaltim_editor(make_editor, kaltim):
    return make_editor("kaltim", kaltim)


@pytest.fixture
def bali_editor(make_editor, bali):
    return make_editor("bali", bali)


# -- who receives what --------------------------------------------------------------------------


def test_editor_of_kaltim_gets_the_90_day_notice_for_a_kaltim_agreement_expiring_in_80_days(
    kaltim, bali, kaltim_editor, bali_editor
):
    AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim, expires_on=days(80))
    AgreementFactory(title="MoU Bali–Kalteng", lead_region=bali, expires_on=days(80))

    run()

    [message] = mails_to(kaltim_editor)
    assert message.subject == "Pengingat kerja sama: 1 hal perlu perhatian"
    assert "MoU Kaltim–Anhui" in message.body
    assert "Berakhir dalam 90 hari" in message.body
    assert "Berakhir dalam 180 hari" not in message.body
    assert "MoU Bali–Kalteng" not in message.body
    [bali_message] = mails_to(bali_editor)
    assert "MoU Bali–Kalteng" in bali_message.body
    assert "MoU Kaltim–Anhui" not in bali_message.body


def test_an_mou_and_the_addendum_ending_with_it_are_one_cooperation_in_the_digest(
    kaltim, kaltim_editor
):
    """Not two notices, "MoU X" and "Adendum MoU X" on the same day: the cooperation once,
    under the MoU. An addendum ending before the MoU is told of on its own."""
    mou = AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim, expires_on=days(80))
    AgreementFactory(
        title="Adendum MoU Kaltim–Anhui",
        kind="amendment",
        follows=mou,
        relation="amends",
        lead_region=kaltim,
        expires_on=mou.expires_on,
    )
    AgreementFactory(
        title="Adendum lebih singkat",
        kind="amendment",
        follows=AgreementFactory(title="MoU Kaltim–Jiangxi", lead_region=kaltim),
        relation="amends",
        lead_region=kaltim,
        expires_on=days(20),
    )

    run()

    [message] = mails_to(kaltim_editor)
    assert message.subject == "Pengingat kerja sama: 2 hal perlu perhatian"
    assert "MoU Kaltim–Anhui" in message.body
    assert "Adendum MoU Kaltim–Anhui" not in message.body
    assert "Adendum lebih singkat" in message.body


def test_editor_of_kaltim_province_is_told_about_kota_samarinda_agreements(
    samarinda, kaltim_editor
):
    AgreementFactory(title="Kota kembar Samarinda–Wuhu", lead_region=samarinda, expires_on=days(20))

    run()

    [message] = mails_to(kaltim_editor)
    assert "Kota kembar Samarinda–Wuhu" in message.body
    assert "Berakhir dalam 30 hari" in message.body


def test_editor_of_samarinda_is_not_told_about_the_province_agreements(
    kaltim, samarinda, make_editor
):
    samarinda_editor = make_editor("samarinda", samarinda)
    AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim, expires_on=days(20))

    run()

    assert mails_to(samarinda_editor) == []


def test_editor_is_told_about_agreements_led_by_their_region_not_those_it_only_joins(
    kaltim, bali, kaltim_editor
):
    AgreementFactory(
        title="Kerja sama Bali–Kaltim", lead_region=bali, regions=[kaltim], expires_on=days(20)
    )

    run()

    assert mails_to(kaltim_editor) == []


def test_editors_are_told_about_internal_agreements_of_their_region(kaltim, kaltim_editor):
    AgreementFactory(
        title="Rancangan internal", lead_region=kaltim, expires_on=days(100), visibility="internal"
    )

    run()

    [message] = mails_to(kaltim_editor)
    assert "Rancangan internal" in message.body
    assert "Berakhir dalam 180 hari" in message.body


def test_the_digest_marks_each_internal_agreement_as_its_regions_page_does(kaltim, kaltim_editor):
    """A region's page marks each internal row of what needs attention ("Internal"); the
    editor's digest told the same rows unmarked, and a mail is forwarded more readily than a
    page is printed: each internal agreement and each step of one says so, in either part of
    the mail, a public one does not."""
    draft = AgreementFactory(
        title="Rancangan internal", lead_region=kaltim, expires_on=days(100), visibility="internal"
    )
    MilestoneFactory(agreement=draft, title="Rapat internal", due_on=days(-3))
    MilestoneFactory(agreement=draft, title="Rapat internal berikutnya", due_on=days(5))
    public = AgreementFactory(title="MoU publik", lead_region=kaltim, expires_on=days(120))
    MilestoneFactory(agreement=public, title="Rapat publik", due_on=days(-4))

    run()

    [message] = mails_to(kaltim_editor)
    html = message.alternatives[0][0]
    for line in message.body.splitlines():
        if "internal" in line.lower().replace("Internal", ""):
            assert line.endswith(" · Internal"), line
        if "publik" in line:
            assert "Internal" not in line, line
    assert message.body.count(" · Internal") == 3
    assert html.count('<span class="badge badge-internal">Internal</span>') == 3


def test_users_without_the_editor_role_or_who_opted_out_get_nothing(
    kaltim, make_editor, django_user_model
):
    official = django_user_model.objects.create_user(username="pejabat", email="p@example.invalid")
    official.groups.add(Group.objects.get_or_create(name=Role.OFFICIAL)[0])
    RegionAssignment.objects.create(user=official, region=kaltim)
    make_editor("quiet", kaltim, active=False)
    AgreementFactory(lead_region=kaltim, expires_on=days(20))

    run()

    assert mail.outbox == []


def test_agreements_far_from_expiry_or_already_expired_are_not_reminded(kaltim, kaltim_editor):
    AgreementFactory(lead_region=kaltim, expires_on=days(181))
    AgreementFactory(lead_region=kaltim, expires_on=days(-1))
    AgreementFactory(lead_region=kaltim, expires_on=days(20), status=Agreement.Status.TERMINATED)

    run()

    assert mail.outbox == []


@pytest.mark.parametrize(
    "precision, expires_on, shown",
    [
        ("month", datetime.date(2026, 12, 1), "Desember 2026"),
        ("year", datetime.date(2026, 1, 1), "2026"),
    ],
)
def test_an_expiry_known_to_the_month_or_year_is_reminded_by_the_periods_last_day(
    kaltim, kaltim_editor, precision, expires_on, shown
):
    """An agreement "Berakhir pada Desember 2026" (or "2026") ends on 31 December at the
    latest: its 180-day notice comes on 4 July, not before, the 90- and 30-day ones on 2
    October and 1 December, each counting the days to 31 December, the most it has left ("paling
    lambat", as its page says); from 1 January 2027 it is expired, told nothing."""
    AgreementFactory(
        title="MoU Kaltim–Anhui",
        lead_region=kaltim,
        expires_on=expires_on,
        expires_on_precision=precision,
    )

    run(datetime.date(2026, 7, 3))  # 181 days to 31 December
    assert mail.outbox == []
    for day, notice, days_left in [
        (datetime.date(2026, 7, 4), "Berakhir dalam 180 hari", 180),
        (datetime.date(2026, 10, 2), "Berakhir dalam 90 hari", 90),
        (datetime.date(2026, 12, 5), "Berakhir dalam 30 hari", 26),
    ]:
        run(day)
        message = mails_to(kaltim_editor)[-1]
        assert notice in message.body, day
        assert f"berakhir {shown}, paling lambat {days_left} hari lagi" in message.body, day
        assert f"paling lambat {days_left} hari lagi" in message.alternatives[0][0], day
    told = len(mail.outbox)
    run(datetime.date(2026, 12, 31))
    run(datetime.date(2027, 1, 1))
    assert len(mail.outbox) == told


def test_an_agreement_recorded_on_its_last_day_is_told_it_expires_today(kaltim, kaltim_editor):
    """Not "0 hari lagi": the status page and the dashboard say "hari ini" of it too."""
    AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim, expires_on=TODAY)

    run()

    message = mails_to(kaltim_editor)[-1]
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "berakhir hari ini (3 Maret 2025)" in text
        assert "0 hari lagi" not in text


def test_milestones_due_within_14_days_and_overdue_ones_are_in_the_digest(kaltim, kaltim_editor):
    agreement = AgreementFactory(title="PKS Pendidikan", lead_region=kaltim)
    MilestoneFactory(agreement=agreement, title="Rapat TKKSD", due_on=days(14), waits_on="tkksd")
    MilestoneFactory(agreement=agreement, title="Persetujuan DPRD", due_on=days(-3))
    MilestoneFactory(agreement=agreement, title="Monev tahunan", due_on=days(15))
    MilestoneFactory(
        agreement=agreement, title="Kunjungan", due_on=days(-10), done_on=datetime.date(2025, 2, 1)
    )

    run()

    [message] = mails_to(kaltim_editor)
    assert message.subject == "Pengingat kerja sama: 2 hal perlu perhatian"
    overdue, due = message.body.split("Tahapan terlambat")[1].split("Tahapan jatuh tempo")
    assert "Persetujuan DPRD" in overdue
    assert "terlambat 3\xa0hari" in overdue
    assert "Rapat TKKSD" in due
    assert "menunggu TKKSD" in due
    assert "Monev tahunan" not in message.body
    assert "Kunjungan" not in message.body


def test_the_email_links_to_the_agreement(kaltim, kaltim_editor, settings):
    settings.SITE_URL = "https://kerjasama.kaltimprov.go.id"
    agreement = AgreementFactory(lead_region=kaltim, expires_on=days(20))

    run()

    [message] = mails_to(kaltim_editor)
    link = f"https://kerjasama.kaltimprov.go.id{agreement.get_absolute_url()}"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html


def test_the_email_links_to_the_port_the_demo_is_served_on(kaltim, kaltim_editor, settings):
    """``make run PORT=8201`` and ``make reminders PORT=8201`` give the server and the mail
    commands ``SITE_URL=http://127.0.0.1:8201`` (``test_make_gives_…`` below)."""
    settings.SITE_URL = "http://127.0.0.1:8201"
    agreement = AgreementFactory(lead_region=kaltim, expires_on=days(20))

    run()

    [message] = mails_to(kaltim_editor)
    assert f"http://127.0.0.1:8201{agreement.get_absolute_url()}" in message.body
    assert "127.0.0.1:8000" not in message.body


def make_plan(*arguments):
    """What ``make`` would run for ``arguments`` (``make -n``), in the project's folder."""
    if not shutil.which("make"):
        pytest.fail("make is needed: the README's commands are make targets")
    return subprocess.run(
        ["make", "-n", *arguments], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout


def test_make_gives_the_server_and_the_mail_commands_the_demos_address():
    served = make_plan("run", "PORT=8201")
    assert re.search(r"^SITE_URL=http://127\.0\.0\.1:8201 \S+ manage\.py runserver ", served, re.M)
    mailed = make_plan("reminders", "HOST=localhost", "PORT=8201")
    for command in ("send_reminders", "send_follow_digests"):
        assert re.search(
            rf"^SITE_URL=http://localhost:8201 \S+ manage\.py {command}$", mailed, re.M
        )


def test_the_site_address_comes_from_the_environment():
    """What ``make`` passes is what the settings read (a trailing slash left out)."""
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "coopdb.settings"}
    read = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**environment, "SITE_URL": "http://127.0.0.1:8201/"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == "http://127.0.0.1:8201"


# -- at most once per threshold -------------------------------------------------------------------


def test_a_backlog_is_told_a_lists_length_a_day_the_most_urgent_first(
    kaltim, kaltim_editor, monkeypatch
):
    """A province's thousands of overdue steps make no mail too large to deliver: each list
    holds at most its length, says how many more wait, and they come in the next digest."""
    monkeypatch.setattr("reminders.digest.DIGEST_LIST_LENGTH", 2)
    agreement = AgreementFactory(title="PKS Pendidikan", lead_region=kaltim)
    for late in (30, 20, 10):
        MilestoneFactory(agreement=agreement, title=f"Terlambat {late}", due_on=days(-late))
    MilestoneFactory(agreement=agreement, title="Rapat TKKSD", due_on=days(5))

    run()

    [first] = mails_to(kaltim_editor)
    assert first.subject == "Pengingat kerja sama: 3 hal perlu perhatian"
    assert "Terlambat 30" in first.body and "Terlambat 20" in first.body
    assert "Terlambat 10" not in first.body
    assert "Rapat TKKSD" in first.body
    assert "1 hal lain juga perlu perhatian" in first.body

    run(days(1))

    [_, second] = mails_to(kaltim_editor)
    assert second.subject == "Pengingat kerja sama: 1 hal perlu perhatian"
    assert "Terlambat 10" in second.body
    assert "hal lain" not in second.body


def in_order(body, *titles):
    """Whether ``titles`` all appear in ``body``, in this order."""
    places = [body.find(title) for title in titles]
    return -1 not in places and places == sorted(places)


def test_a_backlog_in_every_list_comes_a_lists_length_a_day_most_urgent_first_each_once(
    kaltim, kaltim_editor, monkeypatch
):
    """Each list (expiring, overdue, due soon) holds its most urgent not yet told: the
    narrowest window and the soonest expiry first (then by title), the longest late, the
    soonest due. The mail counts what waits beyond, told ones not among them; a second run the
    same day sends the next of each, and none is told twice."""
    monkeypatch.setattr("reminders.digest.DIGEST_LIST_LENGTH", 2)
    for title, left in [
        ("MoU Jauh", 150),
        ("MoU Sedang", 60),
        ("MoU Dekat Bravo", 20),
        ("MoU Dekat Alfa", 20),
        ("MoU Paling Dekat", 10),
    ]:
        AgreementFactory(title=title, lead_region=kaltim, expires_on=days(left))
    agreement = AgreementFactory(title="PKS Pendidikan", lead_region=kaltim, expires_on=None)
    late = {50: "Langkah Lima", 40: "Langkah Empat", 30: "Langkah Tiga", 20: "Langkah Dua"}
    late[10] = "Langkah Satu"
    for days_late, title in late.items():
        MilestoneFactory(agreement=agreement, title=title, due_on=days(-days_late))
    coming = {3: "Rapat Pagi", 7: "Rapat Siang", 12: "Rapat Malam"}
    for days_left, title in coming.items():
        MilestoneFactory(agreement=agreement, title=title, due_on=days(days_left))

    run()
    run()  # the same day: the next of each list
    run()
    run()  # nothing left to tell

    first, second, third = mails_to(kaltim_editor)
    assert first.subject == "Pengingat kerja sama: 6 hal perlu perhatian"
    assert in_order(
        first.body,
        "MoU Paling Dekat",
        "MoU Dekat Alfa",
        "Langkah Lima",
        "Langkah Empat",
        "Rapat Pagi",
        "Rapat Siang",
        "7 hal lain juga perlu perhatian",
    )
    assert second.subject == "Pengingat kerja sama: 5 hal perlu perhatian"
    assert in_order(
        second.body,
        "Berakhir dalam 30 hari",
        "MoU Dekat Bravo",
        "Berakhir dalam 90 hari",
        "MoU Sedang",
        "Langkah Tiga",
        "Langkah Dua",
        "Rapat Malam",
        "2 hal lain juga perlu perhatian",
    )
    assert third.subject == "Pengingat kerja sama: 2 hal perlu perhatian"
    assert in_order(third.body, "Berakhir dalam 180 hari", "MoU Jauh", "Langkah Satu")
    assert "hal lain" not in third.body
    everything = [*late.values(), *coming.values(), "MoU Jauh", "MoU Sedang", "MoU Dekat"]
    for title in everything:
        told = sum(message.body.count(title) for message in (first, second, third))
        assert told == (2 if title == "MoU Dekat" else 1), title
    assert Notice.objects.sent().filter(user=kaltim_editor).count() == 13


def test_what_was_told_is_not_counted_among_what_waits(kaltim, kaltim_editor, monkeypatch):
    """A step told as due and now late, and an agreement told at 90 days now within 30, are
    told again (a new notice each) and counted as such; those told already are not."""
    monkeypatch.setattr("reminders.digest.DIGEST_LIST_LENGTH", 1)
    AgreementFactory(title="MoU Lama", lead_region=kaltim, expires_on=days(40))
    AgreementFactory(title="MoU Tetap", lead_region=kaltim, expires_on=days(170))
    agreement = AgreementFactory(title="PKS Pendidikan", lead_region=kaltim, expires_on=None)
    MilestoneFactory(agreement=agreement, title="Paraf naskah", due_on=days(5))
    MilestoneFactory(agreement=agreement, title="Rapat TKKSD", due_on=days(8))
    run()
    run()
    assert len(mails_to(kaltim_editor)) == 2

    run(days(11))  # MoU Lama within 30 days, Paraf naskah and Rapat TKKSD late

    [*_, message] = mails_to(kaltim_editor)
    assert message.subject == "Pengingat kerja sama: 2 hal perlu perhatian"
    assert in_order(message.body, "Berakhir dalam 30 hari", "MoU Lama", "Paraf naskah")
    assert "MoU Tetap" not in message.body
    assert "1 hal lain juga perlu perhatian" in message.body  # Rapat TKKSD, late now


def test_a_step_planned_for_a_month_is_told_once_as_due_and_once_as_late(kaltim, kaltim_editor):
    """Due "Maret 2025" all through March and late from 1 April: one notice each."""
    MilestoneFactory(
        agreement__lead_region=kaltim,
        agreement__expires_on=None,
        title="Persetujuan DPRD",
        due_on=datetime.date(2025, 3, 1),
        due_on_precision="month",
    )

    for day in (TODAY, days(10), datetime.date(2025, 4, 1), datetime.date(2025, 4, 20)):
        run(day)

    due, late = mails_to(kaltim_editor)
    assert "Tahapan jatuh tempo dalam 14 hari" in due.body
    assert "Tahapan terlambat" in late.body and "Persetujuan DPRD" in late.body


@pytest.mark.parametrize("backlog", [4, 12])
def test_an_editors_digest_is_planned_in_the_same_queries_however_large_the_backlog(
    kaltim, samarinda, kaltim_editor, monkeypatch, backlog, django_assert_num_queries
):
    """What was told is left out, and each list chosen and counted, by the database: the
    digest of an editor of every province reads 100 of each, not their 40,000 late steps."""
    monkeypatch.setattr("reminders.digest.DIGEST_LIST_LENGTH", 2)
    for n in range(backlog):
        agreement = AgreementFactory(lead_region=samarinda, expires_on=days(10 + n))
        MilestoneFactory(agreement=agreement, due_on=days(-1 - n))
        MilestoneFactory(agreement=agreement, due_on=days(1 + n % 10))
    run()  # some told already

    # The editor's roles (what they may see), the expiring agreements, the late and coming
    # steps numbered, the chosen ones read, the waiting and dormant counts, the editor's
    # preference, the editor's regions.
    read = []

    def reading(sender, **kwargs):
        read.append(sender)

    post_init.connect(reading)
    try:
        with django_assert_num_queries(8):
            digest = plan(kaltim_editor, TODAY)
    finally:
        post_init.disconnect(reading)

    assert len(digest) == 6
    assert digest.held_back == 3 * backlog - 12
    # Only what it lists is read: 2 agreements expiring, 2 + 2 steps with their agreements.
    assert read.count(Milestone) == 4
    assert read.count(Agreement) == 2 + 4


def test_running_twice_the_same_day_sends_nothing_the_second_time(kaltim, kaltim_editor):
    AgreementFactory(lead_region=kaltim, expires_on=days(80))
    MilestoneFactory(agreement__lead_region=kaltim, due_on=days(-1))

    run()
    run()

    assert len(mails_to(kaltim_editor)) == 1
    assert Notice.objects.sent().filter(user=kaltim_editor).count() == 2
    assert not Notice.objects.pending().exists()


def test_agreement_crossing_into_the_next_window_gets_that_notice_once(kaltim, kaltim_editor):
    agreement = AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim, expires_on=days(100))

    run(TODAY)  # 100 days left: the 180-day notice
    run(days(1))  # 99: already told
    run(days(11))  # 89: the 90-day notice
    run(days(12))  # 88: already told

    first, second = mails_to(kaltim_editor)
    assert "Berakhir dalam 180 hari" in first.body
    assert "Berakhir dalam 90 hari" in second.body
    assert "MoU Kaltim–Anhui" in second.body
    assert list(
        Notice.objects.filter(agreement=agreement)
        .order_by("pk")
        .values_list("threshold", flat=True)
    ) == [Threshold.EXPIRES_180, Threshold.EXPIRES_90]


def test_milestone_told_as_due_soon_is_told_again_once_it_is_overdue(kaltim, kaltim_editor):
    MilestoneFactory(agreement__lead_region=kaltim, title="Paraf naskah", due_on=days(5))

    run(TODAY)
    run(days(6))
    run(days(7))

    due, overdue = mails_to(kaltim_editor)
    assert "Tahapan jatuh tempo dalam 14 hari" in due.body
    assert "Tahapan terlambat" in overdue.body
    assert "Paraf naskah" in overdue.body


def test_extended_agreement_is_reminded_again_for_its_new_expiry_date(kaltim, kaltim_editor):
    agreement = AgreementFactory(lead_region=kaltim, expires_on=days(20))
    run(TODAY)
    agreement.expires_on = days(3 * 365 + 20)
    agreement.save()

    run(days(3 * 365))

    assert len(mails_to(kaltim_editor)) == 2
    assert "Berakhir dalam 30 hari" in mails_to(kaltim_editor)[1].body


# -- a failed send is retried ---------------------------------------------------------------------


def test_failed_send_leaves_the_notice_pending_and_the_next_run_sends_it(
    kaltim, kaltim_editor, settings
):
    AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim, expires_on=days(80))
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusingBackend"

    with pytest.raises(CommandError, match="gagal"):
        run(TODAY)

    notice = Notice.objects.get(user=kaltim_editor)
    assert notice.is_pending
    assert notice.threshold == Threshold.EXPIRES_90

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(days(1))

    [message] = mails_to(kaltim_editor)
    assert "MoU Kaltim–Anhui" in message.body
    notice.refresh_from_db()
    assert not notice.is_pending


def test_one_editors_failed_send_does_not_stop_the_others(
    kaltim, bali, kaltim_editor, bali_editor, settings
):
    AgreementFactory(lead_region=kaltim, expires_on=days(80))
    AgreementFactory(lead_region=bali, expires_on=days(80))
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusingBackend"

    with pytest.raises(CommandError, match="2 surel gagal"):
        run()

    assert Notice.objects.pending().count() == 2


def test_pending_notice_is_dropped_when_its_milestone_was_done_before_the_retry(
    kaltim, kaltim_editor, settings
):
    milestone = MilestoneFactory(agreement__lead_region=kaltim, due_on=days(-2))
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusingBackend"
    with pytest.raises(CommandError):
        run(TODAY)
    milestone.done_on = datetime.date(2025, 3, 2)
    milestone.save()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(days(1))

    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_dry_run_sends_and_records_nothing(kaltim, kaltim_editor):
    AgreementFactory(lead_region=kaltim, expires_on=days(80))

    out = run(TODAY, "--dry-run")

    assert "kaltim@example.invalid: 1 pemberitahuan" in out
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_a_run_for_a_day_still_to_come_is_refused_unless_dry(kaltim, kaltim_editor):
    """A run for a day to come would record its notices as told: the 30-day notice tried a
    week early would not be sent on its day. Refused, saying why; ``--dry-run`` shows it."""
    AgreementFactory(lead_region=kaltim, expires_on=days(37))
    ahead = ["send_reminders", "--today", days(7).isoformat()]

    with on_the_day(TODAY), pytest.raises(CommandError, match="--dry-run"):
        call_command(*ahead, stdout=StringIO())
    assert mail.outbox == []
    assert not Notice.objects.exists()

    out = StringIO()
    with on_the_day(TODAY):
        call_command(*ahead, "--dry-run", stdout=out)
    assert "kaltim@example.invalid: 1 pemberitahuan" in out.getvalue()

    run(days(7))  # on its day, the 30-day notice goes out
    [message] = mails_to(kaltim_editor)
    assert "Berakhir dalam 30 hari" in message.body


def test_a_malformed_today_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "3/3/2025", stdout=StringIO())


# -- in the editor's language ---------------------------------------------------------------------


def test_the_email_is_in_indonesian_by_default(kaltim, kaltim_editor):
    AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2025, 5, 22))

    run()

    [message] = mails_to(kaltim_editor)
    assert message.subject == "Pengingat kerja sama: 1 hal perlu perhatian"
    assert "Halo Kaltim," in message.body
    assert "berakhir 22 Mei 2025, 80 hari lagi" in message.body


def test_english_preferring_editor_gets_dates_in_english(kaltim, make_editor):
    editor = make_editor("english", kaltim, language="en")
    AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2025, 5, 22))

    run()

    [message] = mails_to(editor)
    assert "22 May 2025" in message.body
    assert "Mei" not in message.body


def test_english_preferring_editor_gets_the_subject_and_headings_in_english(kaltim, make_editor):
    """Needs the English catalogue (locale/en) to translate the digest's messages."""
    editor = make_editor("english", kaltim, language="en")
    AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2025, 5, 22))
    MilestoneFactory(agreement__lead_region=kaltim, due_on=days(-3), title="DPRD approval")

    run()

    [message] = mails_to(editor)
    assert message.subject == "Cooperation reminder: 2 items need attention"
    assert "Hello English," in message.body
    assert "Expiring within 90 days" in message.body
    assert "Overdue milestones" in message.body
    assert "3\xa0days overdue" in message.body
    assert "Berakhir" not in message.body
    assert translation.get_language() != "en"  # the override did not leak


def links_in(message):
    """Every address in ``message``'s text, each the same in its HTML alternative."""
    links = re.findall(r"http://\S+", message.body)
    html = message.alternatives[0][0]
    for link in links:
        assert f'href="{link.replace("&", "&amp;")}"' in html
    return links


def test_the_links_of_an_english_digest_open_the_site_in_english_in_a_fresh_browser(
    kaltim, make_editor
):
    """Its reader may never have chosen English on this browser (no cookie): each link still
    opens its page in English, the agreement's status page as the form that stops the mails."""
    editor = make_editor("english", kaltim, language="en")
    agreement = AgreementFactory(lead_region=kaltim, expires_on=days(80))
    MilestoneFactory(agreement__lead_region=kaltim, due_on=days(-3))

    run()

    [message] = mails_to(editor)
    links = links_in(message)
    assert len(links) == 3
    status = opened_afresh(links[0])
    assert status.redirect_chain == [(agreement.get_absolute_url(), 302)]
    assert html_lang(status) == "en"
    assert "Change history" in status.content.decode()
    preferences = opened_afresh(preferences_link(message))
    assert html_lang(preferences) == "en"
    assert "<h1>Reminder emails</h1>" in preferences.content.decode()


def test_the_links_of_an_indonesian_digest_are_the_pages_own_addresses(
    kaltim, kaltim_editor, settings
):
    agreement = AgreementFactory(lead_region=kaltim, expires_on=days(80))

    run()

    [message] = mails_to(kaltim_editor)
    links = links_in(message)
    assert links[0] == f"{settings.SITE_URL}{agreement.get_absolute_url()}"
    for link in links:
        assert "lang=" not in link
        opened = opened_afresh(link)
        assert opened.redirect_chain == []
        assert html_lang(opened) == "id"


# -- the lists the dashboard and region pages show ------------------------------------------------


def test_needs_attention_never_shows_internal_agreements_to_the_public(kaltim):
    AgreementFactory(title="Publik", lead_region=kaltim, expires_on=days(20))
    internal = AgreementFactory(
        title="Internal", lead_region=kaltim, expires_on=days(20), visibility="internal"
    )
    MilestoneFactory(agreement=internal, due_on=days(-1))

    attention = needs_attention(Region.objects.within(kaltim), AnonymousUser(), TODAY)

    assert [item.agreement.title for item in attention.expiring] == ["Publik"]
    assert attention.milestones == []


def test_needs_attention_groups_agreements_by_the_narrowest_window(kaltim, samarinda):
    AgreementFactory(title="A", lead_region=kaltim, expires_on=days(150))
    AgreementFactory(title="B", lead_region=samarinda, expires_on=days(60))
    AgreementFactory(title="C", lead_region=kaltim, expires_on=days(0))

    attention = needs_attention(Region.objects.within(kaltim), AnonymousUser(), TODAY)

    assert [
        (group.window, [item.agreement.title for item in group.items])
        for group in attention.expiry_groups
    ] == [(30, ["C"]), (90, ["B"]), (180, ["A"])]


@pytest.mark.parametrize("rows", [1, 4])
def test_needs_attention_runs_two_queries_however_many_rows(
    kaltim, rows, django_assert_num_queries
):
    for n in range(rows):
        agreement = AgreementFactory(lead_region=kaltim, expires_on=days(10 + n))
        MilestoneFactory(agreement=agreement, due_on=days(n - 2))
    regions = list(Region.objects.within(kaltim))

    # 1. the expiring agreements with their lead region, 2. the open milestones with theirs
    with django_assert_num_queries(2):
        attention = needs_attention(regions, AnonymousUser(), TODAY)
    with django_assert_num_queries(0):
        html = render_to_string("reminders/needs_attention.html", {"attention": attention})

    assert len(attention.expiring) == rows
    assert len(attention.milestones) == rows
    assert html.count("<li>") == 2 * rows


def test_needs_attention_include_says_when_there_is_nothing(kaltim):
    attention = needs_attention(Region.objects.within(kaltim), AnonymousUser(), TODAY)

    html = render_to_string("reminders/needs_attention.html", {"attention": attention})

    assert "Tidak ada kerja sama yang segera berakhir" in html


def test_a_step_planned_for_a_month_is_told_as_that_month_in_the_digest_and_region_page(
    client, kaltim, kaltim_editor
):
    """A step planned for "Februari 2025" is overdue on 3 March; the editor's mail and the
    region's "Perlu perhatian" name the month, never "1 Februari 2025"."""
    agreement = AgreementFactory(title="PKS Pendidikan", lead_region=kaltim, regions=[kaltim])
    MilestoneFactory(
        agreement=agreement,
        title="Persetujuan DPRD",
        due_on=datetime.date(2025, 2, 1),
        due_on_precision="month",
    )

    run()

    [message] = mails_to(kaltim_editor)
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "target Februari 2025" in body
        assert "1 Februari 2025" not in body
    page = client.get(kaltim.get_absolute_url()).content.decode()  # overdue today as well
    attention = page.split('id="needs-attention-title"', 1)[1].split("</section>", 1)[0]
    assert 'target <time datetime="2025-02">Februari 2025</time>' in attention
    assert "1 Februari 2025" not in attention


def test_the_digest_says_how_late_a_step_is_in_months_as_the_site_does(kaltim, kaltim_editor):
    """A step due "Juni 2024" is 8 months late on 3 March 2025, as the status page and the
    region's page say it (``{% late_by %}``), never a count of days more exact than its date."""
    agreement = AgreementFactory(title="PKS Pendidikan", lead_region=kaltim)
    MilestoneFactory(
        agreement=agreement,
        title="Persetujuan DPRD",
        due_on=datetime.date(2024, 6, 1),
        due_on_precision="month",
    )

    run()

    [message] = mails_to(kaltim_editor)
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "target Juni 2024 · terlambat 8\xa0bulan" in body
        assert "246 hari" not in body


# -- stopping them, or changing their language, from the mail -----------------------------------


def preferences_link(message):
    return re.search(r"http://\S+/pengingat/\S+", message.body).group(0)


def preferences_path(message):
    """The path of the preferences link in ``message``'s text."""
    link = preferences_link(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{link}"' in message.alternatives[0][0]
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_one_click_in_the_digest_stops_the_reminders_without_logging_in(
    client, kaltim, kaltim_editor
):
    AgreementFactory(lead_region=kaltim, expires_on=days(80))
    run()
    path = preferences_path(mails_to(kaltim_editor)[0])

    # A link scanner or a mail preview fetches the link: it shows the form and stops nothing.
    assert client.head(path).status_code == 200
    assert "Kirimi saya surel pengingat harian" in client.get(path).content.decode()
    assert ReminderPreference.objects.for_user(kaltim_editor).active
    # A mail program's one-click POST (no CSRF token: the signed address is the say-so).
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "tidak lagi menerima surel pengingat" in response.content.decode()

    AgreementFactory(lead_region=kaltim, expires_on=days(20))
    run(days(1))
    assert len(mails_to(kaltim_editor)) == 1


def test_the_one_click_and_a_click_on_save_at_once_both_answer_and_the_reminders_stop(
    client, kaltim, kaltim_editor, monkeypatch
):
    """Two posts of the link at once (the mail program's one-click beside a click on "Simpan",
    a double click) for an editor who never chose: each read no preference and wrote a new
    one, and the second was a server error, the editor's choice unsaid."""
    AgreementFactory(lead_region=kaltim, expires_on=days(80))
    run()
    path = preferences_path(mails_to(kaltim_editor)[0])
    read = ReminderPreference.objects.for_user

    def read_as_the_other_post_saves(user):
        preference = read(user)  # none yet: an unsaved default
        ReminderPreference.objects.create(user=user, language="en")  # the other post's
        return preference

    monkeypatch.setattr(ReminderPreference.objects, "for_user", read_as_the_other_post_saves)
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    monkeypatch.undo()

    assert response.status_code == 200
    assert "tidak lagi menerima surel pengingat" in response.content.decode()
    preference = ReminderPreference.objects.get(user=kaltim_editor)
    assert not preference.active


def test_the_link_in_the_digest_changes_its_language(client, kaltim, kaltim_editor):
    MilestoneFactory(agreement__lead_region=kaltim, due_on=days(-3))
    run()
    path = preferences_path(mails_to(kaltim_editor)[0])

    response = client.post(path, {"language": "en", "active": "on"})

    assert response.status_code == 200
    MilestoneFactory(agreement__lead_region=kaltim, due_on=days(-2))
    run(days(1))
    english = mails_to(kaltim_editor)[-1]
    assert english.subject == "Cooperation reminder: 1 item needs attention"
    assert "Hello Kaltim," in english.body
    assert client.post(path, {"language": "fr", "active": "on"}).status_code == 400
    assert ReminderPreference.objects.for_user(kaltim_editor).language == "en"


@pytest.mark.parametrize(
    "posted, field",
    [
        ({"language": ["id", "en"], "active": "on"}, "Bahasa surel"),
        ({"language": "en", "active": ["on", "on"]}, "Kirimi saya surel pengingat harian"),
    ],
)
def test_a_preference_given_twice_is_refused_at_its_field_and_nothing_changes(
    client, kaltim, kaltim_editor, posted, field
):
    """A form posted with a value twice was read as the last of them (``language=id&
    language=en`` saved English): which one was meant is not for the site to guess."""
    AgreementFactory(lead_region=kaltim, expires_on=days(80))
    run()
    path = preferences_path(mails_to(kaltim_editor)[0])

    response = client.post(path, posted)

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        f"{field}: Isian ini menerima satu nilai saja, tetapi diberi 2 nilai: pilih satu." in page
    )
    preference = ReminderPreference.objects.for_user(kaltim_editor)
    assert (preference.language, preference.active) == ("id", True)


def test_a_tick_sent_otherwise_than_a_browser_sends_it_keeps_the_reminders_coming(
    client, kaltim, kaltim_editor
):
    """``active=1`` (a script, a form of another make) asks for the reminders; anything but
    ``on`` stopped them."""
    AgreementFactory(lead_region=kaltim, expires_on=days(80))
    run()
    path = preferences_path(mails_to(kaltim_editor)[0])

    assert client.post(path, {"language": "en", "active": "1"}).status_code == 200
    assert ReminderPreference.objects.for_user(kaltim_editor).active
    assert client.post(path, {"language": "en"}).status_code == 200
    assert not ReminderPreference.objects.for_user(kaltim_editor).active


def test_a_preferences_link_cannot_be_made_for_someone_else(
    client, kaltim, bali, kaltim_editor, bali_editor
):
    """The link names its editor under a signature: changing the id in it, or a link made up,
    changes nobody's reminders."""
    AgreementFactory(lead_region=kaltim, expires_on=days(80))
    run()
    path = preferences_path(mails_to(kaltim_editor)[0])
    token = path.split("/")[2]
    payload, rest = token.split(":", 1)
    other = base64.urlsafe_b64encode(str(bali_editor.pk).encode()).decode().rstrip("=")
    assert other != payload

    for forged in (f"/pengingat/{other}:{rest}/", "/pengingat/not-a-token/"):
        response = client.post(forged, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
        assert "Tautan ini tidak valid" in response.content.decode()
    assert ReminderPreference.objects.for_user(bali_editor).active
    assert ReminderPreference.objects.for_user(kaltim_editor).active


def test_a_refused_language_is_said_at_its_field(client, kaltim, kaltim_editor):
    """A forged language is refused where a screen reader meets it: the summary leads to the
    field, the field is marked invalid and reads the message with its label, and the box the
    editor unticked stays unticked."""
    path = reverse_preferences(kaltim_editor)

    response = client.post(path, {"language": "fr"})

    assert response.status_code == 400
    html = response.content.decode()
    select = re.search(r"<select [^>]*>", html).group(0)
    assert 'aria-invalid="true"' in select
    described = re.search(r'aria-describedby="([^"]+)"', select).group(1)
    message = re.search(rf'<p [^>]*id="{described}"[^>]*>([^<]*)</p>', html).group(1)
    assert message == "Pilih bahasa surel: Bahasa Indonesia atau English."
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#reminder-language"' in summary
    assert re.search(r'<input type="checkbox" id="reminder-active" name="active">', html)
    assert ReminderPreference.objects.for_user(kaltim_editor).active


def test_each_language_is_offered_in_its_own_name(client, kaltim_editor):
    """An editor who reads only English finds "English" on the Indonesian page (not
    "Inggris"), marked as English for a screen reader, and the saved choice says it so too."""
    path = reverse_preferences(kaltim_editor)

    html = client.get(path, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    options = {
        value: (lang, name)
        for value, lang, name in re.findall(
            r'<option value="(\w+)" lang="(\w+)"[^>]*>([^<]*)</option>', html
        )
    }
    assert options == {"id": ("id", "Bahasa Indonesia"), "en": ("en", "English")}
    saved = client.post(path, {"language": "en", "active": "on"}, HTTP_ACCEPT_LANGUAGE="id")
    assert "Tersimpan: Anda menerima pengingat dalam English." in saved.content.decode()


def reverse_preferences(user):
    from reminders.digest import preferences_url

    return "/" + preferences_url(user).split("://", 1)[1].split("/", 1)[1]


def test_the_digest_counts_a_dormant_mou_and_its_addendum_as_one_cooperation(kaltim, kaltim_editor):
    """An MoU in force for over two years with nothing done, and its addendum ending with it:
    one cooperation lying dormant, as the dashboard counts it, not two."""
    mou = AgreementFactory(
        title="MoU Kaltim–Anhui",
        lead_region=kaltim,
        signed_on=days(-800),
        in_force_from=days(-800),
        expires_on=days(20),
    )
    AgreementFactory(
        title="Adendum MoU Kaltim–Anhui",
        kind=Agreement.Kind.AMENDMENT,
        follows=mou,
        relation=Agreement.Relation.AMENDS,
        lead_region=kaltim,
        signed_on=days(-700),
        in_force_from=days(-700),
        expires_on=days(20),
    )

    run()

    [message] = mails_to(kaltim_editor)
    closing = message.body[message.body.index("== Keadaan kerja sama ==") :]
    assert "- 1 kerja sama mati suri: berlaku lebih dari setahun tanpa kegiatan atau monev." in (
        closing
    )


def test_the_digest_closes_with_the_dormant_and_the_waiting_of_the_editors_regions(
    kaltim, bali, kaltim_editor
):
    """Its last lines: how many of the editor's regions' cooperations are dormant and how many
    wait on each party, those whose next step names nobody yet last (as the dashboard and the
    report count them), in the text and in the HTML, under a heading drawn as the others. Of
    the regions they edit only: Bali's waiting cooperation is not counted."""
    AgreementFactory(
        lead_region=kaltim,
        signed_on=days(-800),
        in_force_from=days(-800),
        expires_on=days(20),
    )
    for region in (kaltim, bali):
        waiting = AgreementFactory(
            lead_region=region, signed_on=days(-100), in_force_from=days(-100), expires_on=days(400)
        )
        Agreement.objects.filter(pk=waiting.pk).update(waits_on="bureau")
    # Its plan is next, and names nobody yet.
    AgreementFactory(
        lead_region=kaltim,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )

    run()

    [message] = mails_to(kaltim_editor)
    closing = message.body[message.body.index("== Keadaan kerja sama ==") :]
    assert "- 1 kerja sama mati suri: berlaku lebih dari setahun tanpa kegiatan atau monev." in (
        closing
    )
    assert closing.split("\n")[2:4] == [
        "- 1 kerja sama menunggu Biro/Bagian Kerja Sama.",
        "- 1 kerja sama menunggu pihak yang belum ditentukan.",
    ]
    html = message.alternatives[0][0]
    assert "<li>1 kerja sama menunggu Biro/Bagian Kerja Sama.</li>" in html
    assert "<li>1 kerja sama menunggu pihak yang belum ditentukan.</li>" in html
    headings = re.findall(r"<h2([^>]*)>([^<]*)</h2>", html)
    assert [title for _style, title in headings][-1] == "Keadaan kerja sama"
    assert len({style for style, _title in headings}) == 1, headings
