"""The seed stories' status pages, read as an official reads them: stage by stage what is
passed, what is next and whom it waits on, along the chain of documents; and the export's next
step agreeing with the page."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timesince import timesince

from agreements.models import Agreement
from tests.test_seed_stories import (
    BALIKPAPAN_ANHUI,
    KALTENG_BALI,
    KALTIM_ANHUI,
    MUARA_ENIM_MOU,
    MUARA_ENIM_SISTER_CITY,
    NTT_JIANGXI,
    NTT_JIANGXI_LOI,
    SAMARINDA_ANHUI,
    d,
    seeded,  # noqa: F401 - the class fixture
    story,
)


def late_by(day):
    """How late a step due by ``day`` is today, as the page words it: the demo's today is the
    real one."""
    with translation.override("id"):
        return " ".join(timesince(day, timezone.localdate()).split())


def on(day):
    with translation.override("id"):
        return date_format(day, "DATE_FORMAT")


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class Page:
    """A status page as rendered: its stage path, its glance and its chain."""

    def __init__(self, client, title):
        self.agreement = story(title)
        response = client.get(reverse("agreement-detail", args=[self.agreement.pk]))
        assert response.status_code == 200
        self.html = response.content.decode()
        path = self.html.split('<ol class="stage-path">', 1)[1].split("</ol>", 1)[0]
        self.stages = {
            name: (state, text(note))
            for state, name, note in re.findall(
                r'<li class="stage stage-([a-z_]+)[^"]*".*?<span class="stage-name">(.*?)</span>\s*'
                r'<span class="stage-state">(.*?)</span>\s*</li>',
                path,
                re.S,
            )
        }
        glance = self.html.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
        items = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", glance, re.S)
        self.glance = {text(term): text(value) for term, value in items}
        dates = self.html.split('id="dates-heading"', 1)[1].split("</dl>", 1)[0]
        items = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", dates, re.S)
        self.key_dates = {text(term): text(value) for term, value in items}
        chain = self.html.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
        self.chain = text(chain)

    def state(self, stage):
        return self.stages[stage][0]

    def note(self, stage):
        return self.stages[stage][1]


def export_row(client, agreement):
    response = client.get(reverse("agreement-export", args=["csv"]), {"q": agreement.title})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [row for row in csv.DictReader(io.StringIO(body)) if row["title"] == agreement.title]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
class TestStoryPages:
    # -- 001: Kalteng and Bali ---------------------------------------------------------------

    def test_kalteng_bali_is_still_exploring_the_governors_visit_comes_next(self, client):
        page = Page(client, KALTENG_BALI)
        # The secretaries met on 24 March 2022; the governors' visit of the 26th is not told
        # as done, so exploration is not passed: it is what comes next.
        # Both it and the signing planned for the same day are late, in words.
        late = f"target {on(d(2022, 3, 26))} · terlambat {late_by(d(2022, 3, 26))}"
        assert page.stages["Penjajakan / kunjungan"] == ("next", "berikutnya · " + late)
        assert page.stages["Penandatanganan"] == ("ahead", "direncanakan · " + late)
        assert page.glance["Langkah berikutnya"].startswith("Penjajakan / kunjungan")
        assert "Kunjungan Gubernur Kalteng" in page.glance["Langkah berikutnya"]
        assert "terlambat" in page.glance["Langkah berikutnya"]
        assert export_row(client, page.agreement)["next_milestone"] == "Penjajakan / kunjungan"

    # -- 002: NTT and Jiangxi ----------------------------------------------------------------

    def test_ntt_jiangxi_loi_passed_exploration_and_the_loi_and_waits_with_the_sister_province(
        self, client
    ):
        page = Page(client, NTT_JIANGXI_LOI)
        assert list(page.stages) == [
            "Prakarsa",
            "Penjajakan / kunjungan",
            "Pernyataan kehendak (LoI)",
        ]
        assert {page.state(stage) for stage in page.stages} == {"passed"}
        # No DPRD, ministry, drafting, initialling or full powers on the LoI's own path.
        assert "Persetujuan DPRD" not in page.stages
        # The cooperation goes on in the sister-province text, and the LoI page says so.
        assert page.glance["Langkah berikutnya"].startswith("Penyusunan naskah")
        assert "pada naskah lanjutan: " + NTT_JIANGXI in page.glance["Langkah berikutnya"]
        assert page.glance["Menunggu"] == "Kementerian Luar Negeri"
        assert NTT_JIANGXI in page.chain

    def test_ntt_jiangxi_loi_chain_row_says_the_step_is_the_sister_provinces_as_above(self, client):
        """The LoI waits with the sister-province text: its row in the chain says the step is
        taken in that text, as the summary box above says it, not as if it were the LoI's own."""
        page = Page(client, NTT_JIANGXI_LOI)
        via = "pada naskah lanjutan: " + NTT_JIANGXI
        assert via in page.glance["Langkah berikutnya"]
        loi_row = page.chain.split(NTT_JIANGXI_LOI + " (halaman ini)", 1)[1].split(NTT_JIANGXI, 1)[
            0
        ]
        assert loi_row.startswith(" Pernyataan kehendak (LoI)")
        assert "Berikutnya: Penyusunan naskah · " + via in page.chain
        assert "menunggu Kementerian Luar Negeri" in page.chain
        # The sister-province text's own row tells the same step as its own.
        own_row = page.chain.split(via, 1)[1].split(NTT_JIANGXI, 1)[1]
        assert own_row.count("Berikutnya: Penyusunan naskah") == 1
        assert "naskah lanjutan" not in own_row

    def test_ntt_jiangxi_loi_reads_as_signed_on_a_day_not_recorded_not_as_unsigned(self, client):
        """The story says the LoI was signed, not when: the list and the page say the day is
        not recorded, never "belum" beside its status "Ditandatangani"."""
        page = Page(client, NTT_JIANGXI_LOI)
        signed = page.html.split("<dt>Ditandatangani</dt>", 1)[1].split("</dd>", 1)[0]
        assert text(signed) == "tanggal tidak tercatat"
        listed = client.get(reverse("agreement-list"), {"q": "Jiangxi"}).content.decode()
        row = listed.split(NTT_JIANGXI_LOI, 1)[1].split("</tr>", 1)[0]
        assert "Ditandatangani" in row
        assert "tanggal tidak tercatat" in row
        assert "belum" not in row

    def test_ntt_jiangxi_names_no_implementing_agency_the_story_does_not_name(self, client):
        """The story names no NTT agency for the LoI or the sister province: the pages leave
        the implementing agencies empty rather than guess them from the sectors."""
        for title in (NTT_JIANGXI_LOI, NTT_JIANGXI):
            html = Page(client, title).html
            agencies = html.split("<dt>Perangkat daerah pelaksana</dt>", 1)[1].split("</dd>", 1)[0]
            assert text(agencies) == "—", title

    def test_ntt_jiangxi_sister_province_is_in_drafting_waiting_on_kemlu_overdue(self, client):
        page = Page(client, NTT_JIANGXI)
        # What the LoI passed, the sister-province text has passed too.
        for stage in ("Prakarsa", "Penjajakan / kunjungan", "Pernyataan kehendak (LoI)"):
            assert page.state(stage) == "passed"
            assert "pada Pernyataan kehendak (LoI)" in page.note(stage)
        # The story records nothing between the LoI and the drafting through the Foreign
        # Ministry: the page does not claim those stages were passed.
        for stage in (
            "Rencana kerja sama (KAK, rencana aksi)",
            "Pembahasan TKKSD",
            "Persetujuan DPRD",
            "Verifikasi Kementerian Dalam Negeri",
        ):
            assert page.stages[stage] == ("unrecorded", "tidak tercatat")
        assert page.state("Penyusunan naskah") == "next"
        # Early 2026 has passed (the demo's today is the real one): the path says the drafting
        # is late and by how much, as the summary box says it is late.
        assert timezone.localdate() > d(2026, 3, 31)
        assert page.note("Penyusunan naskah") == (
            f"berikutnya · target {on(d(2026, 3, 31))} · terlambat {late_by(d(2026, 3, 31))}"
        )
        assert page.state("Penandatanganan") == "ahead"
        assert page.glance["Langkah berikutnya"].startswith("Penyusunan naskah")
        assert "terlambat" in page.glance["Langkah berikutnya"]
        assert page.glance["Menunggu"] == "Kementerian Luar Negeri"
        # The LoI is not shown as "not yet" anywhere on the page.
        assert "LoI" in page.chain and NTT_JIANGXI_LOI in page.chain

    def test_ntt_jiangxi_timeline_says_once_how_late_the_drafting_is(self, client):
        """The timeline gives the drafting's target, then how late it is, as the stage path
        says it: "terlambat" once, not as a state and again after the date."""
        page = Page(client, NTT_JIANGXI)
        timeline = text(page.html.split('id="timeline-heading"', 1)[1].split("</section>", 1)[0])
        assert f"Target {on(d(2026, 3, 31))} · terlambat {late_by(d(2026, 3, 31))}" in timeline
        assert timeline.lower().count("terlambat") == 1

    def test_ntt_jiangxi_export_tells_the_next_step_the_page_tells(self, client):
        for title in (NTT_JIANGXI_LOI, NTT_JIANGXI):
            row = export_row(client, story(title))
            assert row["next_milestone"] == "Penyusunan naskah"
            assert row["next_milestone_due"] == "2026-03-31"
            assert row["waits_on"] == "kemlu"

    def test_kalteng_bali_names_kalimantan_tengah_first_as_the_story_does(self, client):
        """Kalimantan Tengah leads the MoU ("Pemprov Kalteng jalin kerja sama dengan Bali"):
        the status page and the list row name it first among the parties, not after Bali
        because Bali's code comes first."""
        page = Page(client, KALTENG_BALI)
        assert page.glance["Para pihak"] == "Kalimantan Tengah Bali"
        regions = page.html.split("<dt>Daerah pihak</dt>", 1)[1].split("</dd>", 1)[0]
        assert text(regions).replace(" ,", ",") == "Kalimantan Tengah, Bali"
        listed = client.get(reverse("agreement-list"), {"q": "Kalteng"}).content.decode()
        row = listed.split(KALTENG_BALI, 1)[1].split("</tr>", 1)[0]
        parties = text(row.split('data-label="Para pihak"', 1)[1].split("</td>", 1)[0])
        assert parties.endswith("Kalimantan Tengah Bali")

    def test_kalteng_bali_late_steps_need_attention_on_both_regions_pages(self, client):
        """Bali is party to the MoU Kalimantan Tengah leads: its page lists the MoU, and what
        is late in it needs attention there too, not only on Kalimantan Tengah's page."""
        mou = story(KALTENG_BALI)
        late = [step.title for step in mou.milestones.all() if step.is_overdue]
        assert late
        for region in mou.regions.all():
            page = client.get(reverse("region-detail", args=[region.code])).content.decode()
            attention = page.split('id="needs-attention-title"', 1)[1].split("</section>", 1)[0]
            for title in late:
                assert title in attention, region
            # Worded as the status page and the dashboard word it: "terlambat 4 tahun, 8 bulan".
            due = on(mou.milestones.get(title=late[0]).due_on)
            assert re.search(f"target {due} · terlambat \\d+ tahun", text(attention))

    # -- 003: Muara Enim and Japan ------------------------------------------------------------

    def test_muara_enim_mou_starts_at_the_mou_without_an_loi(self, client):
        page = Page(client, MUARA_ENIM_MOU)
        assert "Pernyataan kehendak (LoI)" not in page.stages
        assert page.stages["Penjajakan / kunjungan"] == ("passed", "dilalui " + on(d(2018, 4, 9)))
        assert page.state("Rencana kerja sama (KAK, rencana aksi)") == "next"

    def test_muara_enim_the_visit_of_9_april_2018_counts_for_the_sister_city(self, client):
        page = Page(client, MUARA_ENIM_SISTER_CITY)
        assert page.stages["Prakarsa"] == ("passed", "dilalui " + on(d(2018, 4, 9)))
        assert page.stages["Penjajakan / kunjungan"] == (
            "passed",
            "dilalui " + on(d(2018, 4, 9)) + " · pada Nota kesepahaman / kesepakatan bersama (MoU)",
        )
        # The story goes straight to an MoU: no LoI is asked for.
        assert page.stages["Pernyataan kehendak (LoI)"] == (
            "not_required",
            "tidak diperlukan: kerja sama ini ditempuh melalui "
            "Nota kesepahaman / kesepakatan bersama (MoU)",
        )
        assert page.state("Rencana kerja sama (KAK, rencana aksi)") == "next"
        assert page.glance["Langkah berikutnya"] == "Rencana kerja sama (KAK, rencana aksi)"
        assert page.glance["Menunggu"] == "belum ditentukan"
        assert MUARA_ENIM_MOU in page.chain
        # The status agrees with the path: exploring with the MoU, no longer just an idea.
        assert page.glance["Status"] == "Penjajakan"
        assert "Prakarsa" not in page.chain

    def test_muara_enim_export_agrees_with_the_sister_city_page(self, client):
        row = export_row(client, story(MUARA_ENIM_SISTER_CITY))
        assert row["next_milestone"] == "Rencana kerja sama (KAK, rencana aksi)"
        assert row["waits_on"] == ""

    # -- 000: Kaltim and Anhui ----------------------------------------------------------------

    def test_kaltim_anhui_passed_the_loi_and_the_visit_and_the_june_2024_signing_is_overdue(
        self, client
    ):
        page = Page(client, KALTIM_ANHUI)
        # The story gives December 2023 and June 2024 as months: no page claims a day.
        assert page.stages["Prakarsa"] == ("passed", "dilalui Desember 2023")
        assert page.stages["Pernyataan kehendak (LoI)"] == ("passed", "dilalui Desember 2023")
        assert page.stages["Penjajakan / kunjungan"] == ("passed", "dilalui " + on(d(2024, 4, 23)))
        assert page.stages["Persetujuan DPRD"] == ("unrecorded", "tidak tercatat")
        assert page.state("Penandatanganan") == "next"
        # Late from July 2024, when the whole of June had passed.
        assert page.note("Penandatanganan") == (
            f"berikutnya · target Juni 2024 · terlambat {late_by(d(2024, 6, 30))}"
        )
        # The glance and the chain say how late, in the words of the path.
        late = f"target Juni 2024 · terlambat {late_by(d(2024, 6, 30))}"
        assert late in page.glance["Langkah berikutnya"]
        assert f"Berikutnya: Penandatanganan · {late}" in page.chain
        assert "Diusulkan Desember 2023" in text(page.html)
        for day in (d(2023, 12, 1), d(2024, 6, 1)):
            assert on(day) not in text(page.html)
        assert page.glance["Menunggu"] == "belum ditentukan"
        # The city sister-city plans it spawned are in its chain, each with its own state.
        assert SAMARINDA_ANHUI in page.chain
        assert "Berikutnya: Penjajakan / kunjungan" in page.chain

    def test_samarinda_sister_city_is_its_own_cooperation_spawned_by_the_province(self, client):
        page = Page(client, SAMARINDA_ANHUI)
        assert page.state("Prakarsa") == "passed"
        # Spawned, not carried out: the province's LoI is not the city's.
        assert page.state("Pernyataan kehendak (LoI)") == "ahead"
        assert page.state("Penjajakan / kunjungan") == "next"
        assert KALTIM_ANHUI in page.chain

    def test_the_sister_cities_were_proposed_when_their_path_says_the_initiative_was_taken(
        self, client
    ):
        """The city sister cities were put forward on 23 April 2024, during the delegation's
        visit, and Muara Enim's on 9 April 2018: the path says the initiative was passed then,
        and the key dates say they were proposed then, not "—" beside it. Kaltim–Anhui's,
        recorded by its month, stays so."""
        for title, day in (
            (SAMARINDA_ANHUI, on(d(2024, 4, 23))),
            (BALIKPAPAN_ANHUI, on(d(2024, 4, 23))),
            (MUARA_ENIM_SISTER_CITY, on(d(2018, 4, 9))),
            (KALTIM_ANHUI, "Desember 2023"),
        ):
            page = Page(client, title)
            assert page.stages["Prakarsa"][1].startswith("dilalui " + day), title
            assert page.key_dates["Diusulkan"] == day, title
        # Where neither the proposal nor the initiative's day is recorded, the page says so.
        page = Page(client, KALTENG_BALI)
        assert page.stages["Prakarsa"] == ("passed", "dilalui (tanggal tidak tercatat)")
        assert page.key_dates["Diusulkan"] == "—"

    def test_the_city_sister_cities_read_as_offshoots_in_summary_and_chain_alike(self, client):
        """The chain calls the city sister cities offshoots ("Turunan") of Kaltim–Anhui, which
        go through their own stages; the summary above it does not call them its follow-up
        ("tindak lanjut"), the chain's word for a text that carries its predecessor's stages."""
        for title in (SAMARINDA_ANHUI, BALIKPAPAN_ANHUI):
            page = Page(client, title)
            assert "Turunan" in page.chain
            summary = page.html.split('id="summary-heading"', 1)[1].split("</section>", 1)[0]
            assert "tindak lanjut" not in text(summary).lower(), title
            assert "turunan dari kerja sama Kaltim–Anhui" in text(summary)

    def test_every_story_page_and_its_export_agree_on_the_next_step(self, client):
        stories = Agreement.objects.filter(
            title__in=[KALTIM_ANHUI, KALTENG_BALI, NTT_JIANGXI, MUARA_ENIM_MOU]
        )
        for agreement in stories:
            page = Page(client, agreement.title)
            row = export_row(client, agreement)
            assert page.glance["Langkah berikutnya"].startswith(row["next_milestone"])
