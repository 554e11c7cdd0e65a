"""A text about to end whose follow-up is signed (*Tindak lanjut*: the MoU after an LoI, the PKS
after an MoU) stays listed as expiring, marked "sudah ditindaklanjuti" wherever a text already
extended is marked "sudah diperpanjang": the dashboard, the region pages, the list, the status
page (naming and linking the follow-up), the editors' digest, the calendar, the Atom feed, the
periodic report and the downloads. Only a follow-up the reader may see marks it: an internal
one tells the public nothing (``AgreementQuerySet.marking_followed_up``)."""

import csv
import datetime
import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements.models import Agreement
from tests.factories import AgreementFactory

MARK = "sudah ditindaklanjuti"


def plain(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def running_out(kaltim, bali, kind):
    """A public text of ``kind`` between Kalimantan Timur and Bali running out in 20 days."""
    return AgreementFactory(
        title="Naskah pembangunan daerah",
        kind=kind,
        lead_region=kaltim,
        regions=[bali],
        expires_on=timezone.localdate() + datetime.timedelta(days=20),
    )


def follow_up_of(text, kind, **fields):
    """A follow-up of ``text`` (*Tindak lanjut*) between its parties, by default still being
    prepared."""
    unsigned = {
        "status": Agreement.Status.PREPARATION,
        "signed_on": None,
        "in_force_from": None,
        "expires_on": None,
    }
    return AgreementFactory(
        title="Tindak lanjut pembangunan daerah",
        kind=kind,
        lead_region=text.lead_region,
        regions=[region for region in text.regions.all() if region != text.lead_region],
        follows=text,
        relation=Agreement.Relation.IMPLEMENTS,
        **{**unsigned, **fields},
    )


def sign(follow_up):
    today = timezone.localdate()
    Agreement.objects.filter(pk=follow_up.pk).update(
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=2),
        in_force_from=None,
        expires_on=today + datetime.timedelta(days=5 * 365),
    )


def surfaces(reader, text, region):
    """What ``reader`` reads of ``text`` on each surface that marks an expiring text: the status
    page's summary box, its row in the dashboard's list of what expires soon, in the region
    page's "Perlu perhatian", on the list the dashboard leads to and on the whole list."""
    page = reader.get(text.get_absolute_url()).content.decode()
    glance = page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    dashboard = reader.get(reverse("dashboard"))
    expiring = dashboard.content.decode().split('id="expiring"', 1)[1].split("</section>", 1)[0]
    [on_dashboard] = [r for r in expiring.split("<tr>") if text.shown_title in r]
    html = reader.get(reverse("region-detail", args=[region.code])).content.decode()
    attention = html.split('class="needs-attention"', 1)[1].split("</section>", 1)[0]
    [on_region] = [li for li in attention.split("<li>") if text.shown_title in li]
    link = f'href="{text.get_absolute_url()}"'
    rows = []
    for address in (dashboard.context["expiring_url"], reverse("agreement-list")):
        listed = reader.get(address).content.decode()
        [row] = [r.split("</tr>", 1)[0] for r in listed.split("<tr>") if link in r]
        rows.append(plain(row))
    return {
        "page": plain(glance),
        "page_html": glance,
        "dashboard": plain(on_dashboard),
        "region": plain(on_region),
        "expiring list": rows[0],
        "list": rows[1],
    }


@pytest.mark.parametrize(
    ("kind", "follow_up_kind"), [("loi", "mou"), ("mou", "pks")], ids=["loi-mou", "mou-pks"]
)
def test_a_text_whose_follow_up_is_signed_is_marked_on_every_page(
    client, kaltim, bali, official, kind, follow_up_kind
):
    """An LoI (an MoU) running out in 20 days stays listed as expiring; once its MoU (its PKS)
    is signed, every page listing it says "sudah ditindaklanjuti" beside its end, and its status
    page names and links the follow-up, to the public and to an official alike. A follow-up
    still prepared marks nothing. Made internal, the follow-up marks nothing for the public,
    and its title reaches them nowhere; the official still reads the mark."""
    text = running_out(kaltim, bali, kind)
    follow_up = follow_up_of(text, follow_up_kind)
    officials = Client()
    officials.force_login(official)

    for reader in (client, officials):
        read = surfaces(reader, text, kaltim)
        assert "berakhir dalam 20 hari" in read["page"]
        for where, said in read.items():
            assert "ditindaklanjuti" not in said, where

    sign(follow_up)
    ends = f"{text.known('expires_on')}"
    for reader in (client, officials):
        read = surfaces(reader, text, kaltim)
        assert "berakhir dalam 20 hari" in read["page"]
        assert f"{MARK} dengan Tindak lanjut pembangunan daerah" in read["page"]
        assert f'href="{follow_up.get_absolute_url()}"' in read["page_html"]
        assert MARK in read["dashboard"]
        assert "20 hari lagi · sudah ditindaklanjuti" in read["region"]
        assert f"{ends} · {MARK}" in read["expiring list"]
        assert f"{ends} · {MARK}" in read["list"]
        assert "diperpanjang" not in read["list"]

    Agreement.objects.filter(pk=follow_up.pk).update(visibility=Agreement.Visibility.INTERNAL)
    read = surfaces(client, text, kaltim)
    for where, said in read.items():
        assert "ditindaklanjuti" not in said, where
        assert "Tindak lanjut pembangunan daerah" not in said, where
    read = surfaces(officials, text, kaltim)
    assert f"{MARK} dengan Tindak lanjut pembangunan daerah" in read["page"]
    for where in ("dashboard", "region", "expiring list", "list"):
        assert MARK in read[where], where


@pytest.mark.parametrize(
    "status",
    [Agreement.Status.CANCELLED, Agreement.Status.TERMINATED],
)
def test_a_follow_up_cancelled_or_terminated_marks_nothing(client, kaltim, bali, status):
    """A PKS called off before it was signed, or terminated, carries the MoU's cooperation on
    no longer: the MoU running out is listed as it is, unmarked."""
    mou = running_out(kaltim, bali, "mou")
    if status == Agreement.Status.TERMINATED:
        today = timezone.localdate()
        follow_up_of(
            mou,
            "pks",
            status=status,
            signed_on=today - datetime.timedelta(days=60),
            expires_on=today + datetime.timedelta(days=365),
        )
    else:
        follow_up_of(mou, "pks", status=status)
    for where, said in surfaces(client, mou, kaltim).items():
        assert "ditindaklanjuti" not in said, where


def test_an_extension_and_a_follow_up_are_both_marked(client, kaltim, bali):
    """An MoU extended and carried out by a signed PKS says both, the extension first."""
    mou = running_out(kaltim, bali, "mou")
    sign(follow_up_of(mou, "pks"))
    AgreementFactory(
        title="Perpanjangan naskah",
        kind="mou",
        lead_region=kaltim,
        regions=[bali],
        follows=mou,
        relation=Agreement.Relation.EXTENDS,
        status=Agreement.Status.SIGNED,
        signed_on=timezone.localdate() - datetime.timedelta(days=1),
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
        expires_on=timezone.localdate() + datetime.timedelta(days=5 * 365),
    )
    read = surfaces(client, mou, kaltim)
    assert "sudah diperpanjang dengan Perpanjangan naskah" in read["page"]
    assert f"{MARK} dengan Tindak lanjut pembangunan daerah" in read["page"]
    for where in ("dashboard", "region", "expiring list", "list"):
        assert f"sudah diperpanjang · {MARK}" in read[where], where


def test_the_digest_the_calendar_and_the_feed_say_it_too(
    client, kaltim, bali, editor_kaltim, official, mailoutbox
):
    """The editors' digest says it beside the days left (text and HTML), the calendar in the
    expiry's event, the Atom feed beside the end in the text's entry: the feed is the public's,
    so an internal follow-up is not told there, while the official's calendar tells it."""
    mou = running_out(kaltim, bali, "mou")
    pks = follow_up_of(mou, "pks")
    sign(pks)

    editor_kaltim.email = "editor@kaltim.invalid"
    editor_kaltim.save()
    call_command("send_reminders", stdout=StringIO())
    [mail] = [m for m in mailoutbox if "editor@kaltim.invalid" in m.to]
    lines = mail.body.splitlines()
    [at] = [n for n, line in enumerate(lines) if "Naskah pembangunan daerah" in line]
    assert f"20 hari lagi · {MARK}" in lines[at + 1]
    [item] = [li for li in mail.alternatives[0][0].split("<li>") if "Naskah pembangunan" in li]
    assert MARK in plain(item)

    def expiry_summary(reader):
        calendar = reader.get(reverse("calendar-agreement", args=[mou.pk])).content.decode()
        unfolded = calendar.replace("\r\n ", "")
        return [line for line in unfolded.splitlines() if line.startswith("SUMMARY:Berakhir")][0]

    def feed_entry(reader):
        feed = reader.get(reverse("agreement-atom")).content.decode()
        entry = [e for e in feed.split("<entry>") if "Naskah pembangunan daerah" in e][0]
        return entry.split("</entry>", 1)[0]

    officials = Client()
    officials.force_login(official)
    assert expiry_summary(client).endswith(f" · {MARK}")
    assert MARK in feed_entry(client)

    Agreement.objects.filter(pk=pks.pk).update(visibility=Agreement.Visibility.INTERNAL)
    assert MARK not in expiry_summary(client)
    assert expiry_summary(officials).endswith(f" · {MARK}")
    assert MARK not in feed_entry(client) and MARK not in feed_entry(officials)


def test_the_downloads_hold_it_in_a_column_of_their_own(client, kaltim, bali, analyst):
    """Every list's download says in its column ``followed_up`` whether a signed follow-up the
    downloader may download carries the text on: the public's file not of an internal one,
    an analyst's (who downloads internal records) of it."""
    mou = running_out(kaltim, bali, "mou")
    pks = follow_up_of(mou, "pks")

    def followed_up(reader):
        response = reader.get(reverse("agreement-export", args=["csv"]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig")
        rows = {row["title"]: row for row in csv.DictReader(io.StringIO(text))}
        return rows["Naskah pembangunan daerah"]["followed_up"]

    analysts = Client()
    analysts.force_login(analyst)
    assert followed_up(client) == followed_up(analysts) == "false"
    sign(pks)
    assert followed_up(client) == followed_up(analysts) == "true"
    Agreement.objects.filter(pk=pks.pk).update(visibility=Agreement.Visibility.INTERNAL)
    assert followed_up(client) == "false"
    assert followed_up(analysts) == "true"


def test_the_periodic_report_says_it_on_its_page_and_in_its_workbook(
    client, kaltim, bali, official
):
    """The report of this year lists the MoU among what ends within it: its page says
    "sudah ditindaklanjuti" beside the end, its workbook in a column of its own beside
    "Perpanjangan", "Tindak lanjut"; of an internal PKS, to the official on the page alone (an
    official downloads public records only)."""
    mou = running_out(kaltim, bali, "mou")
    pks = follow_up_of(mou, "pks")
    sign(pks)
    query = {"region": kaltim.code, "period": str(mou.expires_on.year)}

    def on_page(reader):
        html = reader.get("/laporan/", query).content.decode()
        start = html.index('id="r-ending"')
        ending = html[start : html.index("</section>", start)]
        [row] = [r for r in ending.split("<tr>") if "Naskah pembangunan daerah" in r]
        return MARK in plain(row)

    def in_workbook(reader):
        response = reader.get("/laporan/laporan.xlsx", query)
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = book["Berakhir dalam periode"]
        assert [sheet["F1"].value, sheet["G1"].value] == ["Perpanjangan", "Tindak lanjut"]
        [row] = [
            row
            for row in sheet.iter_rows(min_row=2, values_only=True)
            if row[0] == "Naskah pembangunan daerah"
        ]
        return row[6] == MARK

    officials = Client()
    officials.force_login(official)
    for reader in (client, officials):
        assert on_page(reader) and in_workbook(reader)
    Agreement.objects.filter(pk=pks.pk).update(visibility=Agreement.Visibility.INTERNAL)
    assert not on_page(client) and not in_workbook(client)
    assert on_page(officials) and not in_workbook(officials)
