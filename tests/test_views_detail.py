"""An agreement's status page: what it is, where it stands, what happens next and who it waits
on; its stages, milestones, documents, related agreements; who may see it and its files."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import Agreement, Milestone, Scope, Signatory, Stage
from partners.models import Partner
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CountryFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    SectorFactory,
    make_official,
)
from tests.helpers import page_problems

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def status_page(client, agreement):
    response = client.get(reverse("agreement-detail", args=[agreement.pk]))
    assert response.status_code == 200
    return response


@pytest.fixture
def anhui():
    return PartnerFactory(name="Pemerintah Provinsi Anhui", country=CountryFactory(code="CN"))


@pytest.fixture
def sister_province(kaltim, anhui):
    """Kaltim–Anhui (seed 000): KSDPL, explored and past the TKKSD, waiting on the DPRD."""
    agreement = AgreementFactory(
        title="Kerja sama Provinsi Kalimantan Timur dan Provinsi Anhui",
        kind=Agreement.Kind.SISTER_PROVINCE,
        scope=Scope.KSDPL,
        status=Agreement.Status.PREPARATION,
        lead_region=kaltim,
        partners=[anhui],
        sectors=[SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")],
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        summary="Beasiswa dan pelatihan guru.",
    )
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.EXPLORATION,
        title="Kunjungan delegasi ke Anhui",
        due_on=None,
        done_on=datetime.date(2024, 4, 23),
    )
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.TKKSD,
        title="Rapat TKKSD",
        due_on=None,
        done_on=datetime.date(2024, 5, 2),
    )
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.DPRD,
        title="Persetujuan DPRD Kaltim",
        due_on=days(-10),
        waits_on=Milestone.WaitsOn.DPRD,
    )
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.SIGNING,
        title="Penandatanganan",
        due_on=days(60),
        waits_on=Milestone.WaitsOn.PARTNER,
    )
    return agreement


# -- above the fold: what, where, next, who --------------------------------------------------


def test_status_page_says_what_it_is_where_it_stands_what_is_next_and_who_it_waits_on(
    client, sister_province
):
    html = status_page(client, sister_province).content.decode()
    glance = html[html.index('class="glance"') : html.index('id="path-heading"')]
    assert "Provinsi kembar (sister province)" in html
    assert '<span class="badge status-preparation">Penyiapan naskah</span>' in glance
    assert "Persetujuan DPRD" in glance  # next step
    assert "terlambat" in glance  # its due date has passed: said in words
    assert "<strong>DPRD</strong>" in glance  # waits on
    assert "Pemerintah Provinsi Anhui" in glance  # parties


def test_parties_and_sectors_link_to_their_pages(client, sister_province, kaltim, anhui):
    html = status_page(client, sister_province).content.decode()
    assert f'href="{kaltim.get_absolute_url()}"' in html
    assert f'href="{anhui.get_absolute_url()}"' in html
    assert 'href="/sectors/education/"' in html
    assert 'href="/countries/CN/"' in html


def test_cooperation_abroad_goes_through_dprd_ministry_initialling_and_full_powers(
    client, sister_province
):
    stages = status_page(client, sister_province).context["stages"]
    kinds = [stage.kind for stage in stages]
    for required in (
        Milestone.Kind.DPRD,
        Milestone.Kind.MINISTRY,
        Milestone.Kind.INITIALLING,
        Milestone.Kind.FULL_POWERS,
    ):
        assert required in kinds


def test_cooperation_between_regions_skips_the_ministry_stages(client, kaltim, bali):
    agreement = AgreementFactory(lead_region=kaltim, regions=[bali], scope=Scope.KSDD)
    kinds = [stage.kind for stage in status_page(client, agreement).context["stages"]]
    assert Milestone.Kind.MINISTRY not in kinds
    assert Milestone.Kind.FULL_POWERS not in kinds
    assert Milestone.Kind.SIGNING in kinds


def test_stage_path_marks_passed_next_and_ahead(client, sister_province):
    stages = {stage.kind: stage for stage in status_page(client, sister_province).context["stages"]}
    assert stages[Milestone.Kind.TKKSD].state == Stage.PASSED
    assert stages[Milestone.Kind.TKKSD].milestone.done_on == datetime.date(2024, 5, 2)
    # No LoI was recorded, but the TKKSD came after it: the step is counted as passed.
    assert stages[Milestone.Kind.LOI].state == Stage.PASSED
    assert stages[Milestone.Kind.LOI].milestone is None
    assert stages[Milestone.Kind.DPRD].state == Stage.NEXT
    assert stages[Milestone.Kind.MINISTRY].state == Stage.AHEAD
    html = status_page(client, sister_province).content.decode()
    assert 'aria-current="step"' in html
    assert 'dilalui <time datetime="2024-05-02">2 Mei 2024</time>' in html
    assert "dilalui (tanggal tidak tercatat)" in html


def test_a_signing_recorded_on_a_day_of_its_signing_month_shows_both_without_contradiction(
    client, kaltim
):
    """Signed "Februari 2025" (known to the month), its signing step done on 14 February, its
    initiative on the day it was proposed, an activity once in force: each step as the forms
    accept it (``Milestone.full_clean``, which reads the agreement's own dates), and the page
    gives the facts and the path that agree with them."""
    agreement = AgreementFactory(
        lead_region=kaltim,
        proposed_on=datetime.date(2024, 6, 3),
        signed_on=datetime.date(2025, 2, 1),
        signed_on_precision="month",
        in_force_from=datetime.date(2025, 3, 1),
        expires_on=datetime.date(2030, 2, 28),
    )
    steps = [
        ("initiative", "Surat usulan Gubernur", datetime.date(2024, 6, 3)),
        ("signing", "Penandatanganan MoU", datetime.date(2025, 2, 14)),
        ("activity", "Pameran pariwisata bersama", datetime.date(2025, 4, 2)),
    ]
    for kind, title, done_on in steps:
        step = Milestone(agreement=agreement, kind=kind, title=title, done_on=done_on)
        step.full_clean()
        step.save()
    Agreement.objects.filter(pk=agreement.pk).refresh_progress()  # as every write path
    assert not agreement.step_date_contradictions(agreement.milestones.all())

    html = status_page(client, agreement).content.decode()

    assert '<dt>Ditandatangani</dt><dd><time datetime="2025-02">Februari 2025</time>' in html
    assert 'dilalui <time datetime="2025-02-14">14 Februari 2025</time>' in html
    assert 'dilalui <time datetime="2024-06-03">3 Juni 2024</time>' in html
    assert "Pameran pariwisata bersama" in html


def test_signed_agreement_has_passed_every_stage_and_waits_on_its_next_activity(client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.EVALUATION,
        title="Monev tahunan",
        due_on=days(20),
        waits_on=Milestone.WaitsOn.BUREAU,
    )
    response = status_page(client, agreement)
    assert all(stage.state == Stage.PASSED for stage in response.context["stages"])
    next_step = response.context["next_step"]
    assert next_step.label == "Monev tahunan"
    assert next_step.waits_on == "Biro/Bagian Kerja Sama"


def test_cancelled_agreement_has_no_next_step(client, kaltim):
    agreement = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.CANCELLED,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    response = status_page(client, agreement)
    assert response.context["next_step"] is None
    assert "kerja sama ini batal" in response.content.decode()


def glance_next_step(client, agreement):
    html = status_page(client, agreement).content.decode()
    item = html.split("<dt>Langkah berikutnya</dt>", 1)[1].split("</dd>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", item).split()), item


def test_an_expired_text_points_to_the_extension_that_carries_its_cooperation_on(
    client, kaltim, django_user_model
):
    """The MoU has expired, its extension is in force: the MoU's page says the cooperation goes
    on there, not that it is over; an extension the reader may not see is never named."""
    mou = AgreementFactory(
        title="Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        kind="mou",
        signed_on=datetime.date(2019, 3, 1),
        in_force_from=datetime.date(2019, 3, 1),
        expires_on=days(-30),
    )
    extension = AgreementFactory(
        title="Perpanjangan Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        kind="mou",
        follows=mou,
        relation="extends",
        signed_on=days(-40),
        in_force_from=days(-29),
        expires_on=days(5 * 365),
    )
    told, item = glance_next_step(client, mou)
    assert told == (
        "Naskah ini sudah berakhir; kerja samanya berlanjut dalam "
        "Perpanjangan Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Berlaku"
    )
    assert f'href="{extension.get_absolute_url()}"' in item
    assert glance_waits_on(client, mou) == (
        "tidak ada pada naskah ini: lihat naskah yang melanjutkannya"
    )
    # Its extension's own page goes on as any text in force; an ended extension points nowhere.
    assert "berlanjut" not in glance_next_step(client, extension)[0]
    Agreement.objects.filter(pk=extension.pk).update(visibility="internal")
    assert glance_next_step(client, mou)[0] == "Tidak ada: kerja sama ini sudah berakhir."
    client.force_login(make_official(django_user_model))
    # An official reads it, marked as the chain's row of it is: a page printed or passed on
    # says which text is not for the public.
    assert glance_next_step(client, mou)[0] == (
        "Naskah ini sudah berakhir; kerja samanya berlanjut dalam "
        "Perpanjangan Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Berlaku · Internal"
    )
    Agreement.objects.filter(pk=extension.pk).update(status="terminated")
    assert glance_next_step(client, mou)[0] == "Tidak ada: kerja sama ini sudah berakhir."


def test_an_loi_followed_up_in_an_internal_mou_says_so_to_an_official_only(
    client, kaltim, django_user_model
):
    """A signed public LoI whose MoU is internal: the official reads that the LoI was followed
    up, the MoU named and marked "Internal" as its row in the chain is; the public's page names
    no MoU."""
    loi = AgreementFactory(
        title="LoI Kaltim–Bali",
        lead_region=kaltim,
        kind="loi",
        status="signed",
        in_force_from=None,
        expires_on=None,
    )
    AgreementFactory(
        title="MoU rahasia Kaltim–Bali",
        lead_region=kaltim,
        kind="mou",
        follows=loi,
        relation="implements",
        visibility=Agreement.Visibility.INTERNAL,
    )
    assert "MoU rahasia" not in glance_next_step(client, loi)[0]
    client.force_login(make_official(django_user_model))
    told = glance_next_step(client, loi)[0]
    assert told.startswith("Pernyataan kehendak ini sudah ditindaklanjuti dengan MoU rahasia")
    assert told.endswith("· Berlaku · Internal")


def test_a_cancelled_text_whose_pks_goes_on_is_said_cancelled_not_ended(client, kaltim):
    """An MoU cancelled before it was signed, whose PKS is still being drafted: its page says
    the MoU was cancelled (*Batal*, as its status) and where the cooperation goes on, not that
    it "has ended", which a text never signed did not."""
    mou = AgreementFactory(
        title="Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        status="cancelled",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    AgreementFactory(
        title="PKS Kaltim–Bali",
        lead_region=kaltim,
        kind="pks",
        follows=mou,
        relation="implements",
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    told, _item = glance_next_step(client, mou)
    assert told == (
        "Naskah ini batal; kerja samanya berlanjut dalam "
        "PKS Kaltim–Bali Perjanjian kerja sama (PKS) · Penyiapan naskah"
    )


def test_an_expired_loi_points_to_the_text_its_cooperation_goes_on_in(client, kaltim):
    """The LoI with Anhui ran out after a year while the sister-province text it led to is
    still being prepared: the cooperation is not over, and the LoI's page says where it goes on
    and that nothing is waited for on the LoI itself. A follow-up that was cancelled carries
    nothing on; nor does a city's sister city spawned from it, a cooperation of its own."""
    anhui = PartnerFactory(name="Provinsi Anhui")
    loi = AgreementFactory(
        title="LoI Kaltim–Anhui",
        lead_region=kaltim,
        kind="loi",
        scope="ksdpl",
        partners=[anhui],
        signed_on=datetime.date(2024, 6, 10),
        in_force_from=datetime.date(2024, 6, 10),
        expires_on=datetime.date(2025, 6, 9),
    )
    text = AgreementFactory(
        title="Provinsi kembar Kaltim–Anhui",
        lead_region=kaltim,
        kind="sister_province",
        scope="ksdpl",
        partners=[anhui],
        follows=loi,
        relation="implements",
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    told, item = glance_next_step(client, loi)
    assert told == (
        "Naskah ini sudah berakhir; kerja samanya berlanjut dalam "
        "Provinsi kembar Kaltim–Anhui Provinsi kembar (sister province) · Penyiapan naskah"
    )
    assert f'href="{text.get_absolute_url()}"' in item
    assert glance_waits_on(client, loi) == (
        "tidak ada pada naskah ini: lihat naskah yang melanjutkannya"
    )
    Agreement.objects.filter(pk=text.pk).update(relation="spawns")
    assert glance_next_step(client, loi)[0] == "Tidak ada: kerja sama ini sudah berakhir."
    text.relation, text.status = "implements", "cancelled"
    text.save()
    Agreement.objects.filter(pk=text.pk).refresh_progress()
    assert glance_next_step(client, loi)[0] == "Tidak ada: kerja sama ini sudah berakhir."


@pytest.fixture
def mou_and_its_pks(kaltim, bali):
    """The Kesepakatan Bersama Kaltim–Bali ran out at the end of February 2024; the PKS on
    tourism signed under it in 2022 is in force for three more years."""
    mou = AgreementFactory(
        title="Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        kind="mou",
        signed_on=datetime.date(2019, 3, 1),
        in_force_from=datetime.date(2019, 3, 1),
        expires_on=datetime.date(2024, 2, 29),
    )
    pks = AgreementFactory(
        title="PKS Pariwisata Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        kind="pks",
        follows=mou,
        relation="implements",
        signed_on=datetime.date(2022, 5, 10),
        in_force_from=datetime.date(2022, 5, 10),
        expires_on=days(3 * 365),
    )
    # Carried out: a visit last month, so the PKS is not dormant.
    MilestoneFactory(agreement=pks, title="Famtrip Bali", due_on=None, done_on=days(-30))
    return mou, pks


def test_an_expired_mou_points_to_the_pks_that_still_carries_it_out(
    client, kaltim, mou_and_its_pks, django_user_model
):
    """The MoU has expired, a PKS signed under it is in force: the MoU's page says the
    cooperation goes on in that PKS, not that it is over. A PKS signed later and terminated, an
    amendment of the MoU, a PKS still being drafted while one is in force: none of them is
    named; nor a PKS the reader may not see. With the PKS in force gone, the one being drafted
    carries the cooperation on, as the text an LoI led to does."""
    mou, pks = mou_and_its_pks
    AgreementFactory(
        title="PKS Pendidikan Kaltim–Bali",
        lead_region=kaltim,
        kind="pks",
        follows=mou,
        relation="implements",
        status="terminated",
        signed_on=datetime.date(2023, 8, 1),
        in_force_from=datetime.date(2023, 8, 1),
        expires_on=datetime.date(2026, 7, 31),
    )
    AgreementFactory(
        title="Adendum Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        kind="amendment",
        follows=mou,
        relation="amends",
        signed_on=datetime.date(2023, 9, 1),
        in_force_from=datetime.date(2023, 9, 1),
        expires_on=None,
    )
    drafted = AgreementFactory(
        title="PKS Perikanan Kaltim–Bali",
        lead_region=kaltim,
        kind="pks",
        follows=mou,
        relation="implements",
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    told, item = glance_next_step(client, mou)
    assert told == (
        "Naskah ini sudah berakhir; kerja samanya berlanjut dalam "
        "PKS Pariwisata Kaltim–Bali Perjanjian kerja sama (PKS) · Berlaku"
    )
    assert f'href="{pks.get_absolute_url()}"' in item
    assert glance_waits_on(client, mou) == (
        "tidak ada pada naskah ini: lihat naskah yang melanjutkannya"
    )
    # The PKS the public may not see is never named to them; an official reads it.
    Agreement.objects.filter(pk__in=[pks.pk, drafted.pk]).update(visibility="internal")
    assert glance_next_step(client, mou)[0] == "Tidak ada: kerja sama ini sudah berakhir."
    assert glance_waits_on(client, mou) == "tidak ada: kerja sama ini sudah selesai"
    client.force_login(make_official(django_user_model))
    assert "berlanjut dalam PKS Pariwisata Kaltim–Bali" in glance_next_step(client, mou)[0]
    # The PKS in force ran out too: the one being drafted is where the cooperation goes on.
    Agreement.objects.filter(pk=pks.pk).update(expires_on=days(-1))
    assert glance_next_step(client, mou)[0] == (
        "Naskah ini sudah berakhir; kerja samanya berlanjut dalam "
        "PKS Perikanan Kaltim–Bali Perjanjian kerja sama (PKS) · Penyiapan naskah · Internal"
    )
    drafted.status = "cancelled"
    drafted.save()
    Agreement.objects.filter(pk=drafted.pk).refresh_progress()
    assert glance_next_step(client, mou)[0] == "Tidak ada: kerja sama ini sudah berakhir."


def test_an_expired_mou_extended_and_carried_out_points_to_its_extension(
    client, kaltim, mou_and_its_pks
):
    """The extension carries the whole text on, a PKS a part of it: with both in force the
    MoU's page names its extension, though the PKS was signed later."""
    mou, pks = mou_and_its_pks
    extension = AgreementFactory(
        title="Perpanjangan Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        kind="mou",
        follows=mou,
        relation="extends",
        signed_on=datetime.date(2021, 12, 1),
        in_force_from=datetime.date(2024, 3, 1),
        expires_on=days(4 * 365),
    )
    told, item = glance_next_step(client, mou)
    assert told == (
        "Naskah ini sudah berakhir; kerja samanya berlanjut dalam "
        "Perpanjangan Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Berlaku"
    )
    assert f'href="{extension.get_absolute_url()}"' in item


def glance_warnings(client, agreement):
    """The notes under the glance (what a reader is warned of), each as read."""
    html = status_page(client, agreement).content.decode()
    glance = html[html.index('class="glance"') : html.index('id="path-heading"')]
    return [
        (" ".join(re.sub(r"<[^>]+>", " ", note).split()).replace(" :", ":"), note)
        for note in re.findall(r'<div class="warning" role="note">(.*?)</div>', glance, re.S)
    ]


def test_a_pks_says_that_the_mou_it_carries_out_has_ended(
    client, kaltim, mou_and_its_pks, django_user_model
):
    """The PKS is in force, the MoU it carries out expired: its page still tells the PKS's own
    status and next step, and warns that the MoU has ended, naming it and when. Only to a
    reader who may see the MoU; never on a PKS that has ended itself, nor for an MoU in force
    or a text that follows an LoI (an LoI is meant to run out)."""
    mou, pks = mou_and_its_pks
    [(told, note)] = glance_warnings(client, pks)
    assert told == (
        "Naskah yang dilaksanakannya sudah berakhir pada 29 Februari 2024: "
        "Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Berakhir"
    )
    assert f'href="{mou.get_absolute_url()}"' in note
    html = status_page(client, pks).content.decode()
    status = html.split("<dt>Status</dt>", 1)[1].split("</dd>", 1)[0]
    assert '<span class="badge status-in_force">Berlaku</span>' in status
    assert page_problems(html) == []
    # Terminated rather than run out: ended, with no date the register keeps.
    Agreement.objects.filter(pk=mou.pk).update(status="terminated")
    assert [told for told, _note in glance_warnings(client, pks)] == [
        "Naskah yang dilaksanakannya sudah berakhir: Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Diakhiri"
    ]
    # An MoU the public may not see is not told of to them; an official is warned.
    Agreement.objects.filter(pk=mou.pk).update(status="in_force", visibility="internal")
    assert glance_warnings(client, pks) == []
    client.force_login(make_official(django_user_model))
    assert [told for told, _note in glance_warnings(client, pks)] == [
        "Naskah yang dilaksanakannya sudah berakhir pada 29 Februari 2024: "
        "Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Berakhir"
    ]
    # Nothing to warn of: the MoU was extended by a text in force, which the PKS carries out
    # as it did the MoU; the PKS itself has ended; or the MoU is still in force. (Its term
    # still ends before the PKS's, which a note of its own tells:
    # ``test_a_pks_running_past_the_mou_it_carries_out_says_so``.)

    def ended_notes():
        told = [told for told, _note in glance_warnings(client, pks)]
        return [line for line in told if line.startswith("Naskah yang dilaksanakannya")]

    extension = AgreementFactory(
        title="Perpanjangan Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        kind="mou",
        follows=mou,
        relation="extends",
        signed_on=datetime.date(2024, 2, 1),
        in_force_from=datetime.date(2024, 3, 1),
        expires_on=days(365),
    )
    assert ended_notes() == []
    Agreement.objects.filter(pk=extension.pk).update(expires_on=days(-1))
    assert len(ended_notes()) == 1  # the extension has run out too
    # Renewed a second time: the MoU's term goes on in the extension of its extension.
    renewal = AgreementFactory(
        title="Perpanjangan kedua Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        kind="mou",
        follows=extension,
        relation="extends",
        signed_on=days(-30),
        in_force_from=days(0),
        expires_on=days(365),
    )
    assert ended_notes() == []
    renewal.delete()
    extension.delete()
    Agreement.objects.filter(pk=pks.pk).update(status="terminated")
    assert ended_notes() == []
    Agreement.objects.filter(pk=pks.pk).update(status="in_force")
    Agreement.objects.filter(pk=mou.pk).update(expires_on=days(30))
    assert ended_notes() == []
    # An MoU that an expired LoI led to is not warned of the LoI.
    loi = AgreementFactory(
        title="LoI Kaltim–Bali", lead_region=kaltim, kind="loi", expires_on=days(-10)
    )
    Agreement.objects.filter(pk=mou.pk).update(follows=loi, relation="implements")
    told = [told for told, _note in glance_warnings(client, mou)]
    assert not any("dilaksanakannya" in line for line in told)


def test_an_expired_mou_and_its_pks_in_english(client, mou_and_its_pks):
    """The English reader is told the same: the MoU's cooperation goes on in the PKS, and the
    PKS's page names the MoU that ended, with the date as English writes it."""
    mou, pks = mou_and_its_pks
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = status_page(client, mou).content.decode()
    item = html.split("<dt>Next step</dt>", 1)[1].split("</dd>", 1)[0]
    assert " ".join(re.sub(r"<[^>]+>", " ", item).split()) == (
        "This text has ended; its cooperation goes on in "
        "PKS Pariwisata Kaltim–Bali Cooperation agreement (PKS) · In force"
    )
    waits = html.split("<dt>Waiting on</dt>", 1)[1].split("</dd>", 1)[0]
    assert re.sub(r"<[^>]+>", "", waits).strip() == (
        "nobody on this text: see the text that continues it"
    )
    [(told, note)] = glance_warnings(client, pks)
    translation.deactivate()  # the request left English active in this thread
    assert told == (
        "The text it carries out ended on 29 February 2024: Kesepakatan Bersama Kaltim–Bali "
        "Memorandum of Understanding (MoU) · Expired"
    )
    assert '<time datetime="2024-02-29">29 February 2024</time>' in note


def test_a_signed_text_whose_term_starts_later_says_from_when_it_is_in_force(client, kaltim):
    agreement = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.SIGNED,
        signed_on=days(-10),
        in_force_from=datetime.date(2031, 1, 29),
        expires_on=datetime.date(2036, 1, 28),
    )
    html = status_page(client, agreement).content.decode()
    item = html.split("<dt>Status</dt>", 1)[1].split("</dd>", 1)[0]
    told = " ".join(re.sub(r"<[^>]+>", " ", item).split())
    assert told.startswith("Ditandatangani berlaku mulai 29 Januari 2031 berakhir dalam")
    # Its key dates say it alike: in force from a day still to come, not "since" it.
    assert "<dt>Berlaku mulai</dt>" in html and "Berlaku sejak" not in html
    # Once in force, since that day.
    Agreement.objects.filter(pk=agreement.pk).update(in_force_from=days(-1))
    html = status_page(client, agreement).content.decode()
    assert "<dt>Berlaku sejak</dt>" in html and "Berlaku mulai" not in html


# -- whom it waits on: a step pending with nobody named, or nothing pending -----------------


def glance_waits_on(client, agreement):
    html = status_page(client, agreement).content.decode()
    item = html.split("<dt>Menunggu</dt>", 1)[1].split("</dd>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", item).split())


def test_in_force_with_nothing_scheduled_waits_on_nothing_not_on_someone_unknown(client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    html = status_page(client, agreement).content.decode()
    assert "Belum ada tahapan yang dijadwalkan." in html
    assert glance_waits_on(client, agreement) == "tidak ada yang ditunggu"


def test_a_step_pending_with_nobody_named_waits_on_someone_not_yet_known(client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    MilestoneFactory(agreement=agreement, title="Pameran bersama", due_on=days(10), waits_on="")
    assert glance_waits_on(client, agreement) == "belum ditentukan"
    MilestoneFactory(agreement=agreement, due_on=days(5), waits_on=Milestone.WaitsOn.PARTNER)
    assert glance_waits_on(client, agreement) == "Mitra"


# -- dates -----------------------------------------------------------------------------------


def test_key_dates_and_days_left_until_expiry(client, kaltim):
    agreement = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2024, 1, 15),
        in_force_from=datetime.date(2024, 2, 1),
        expires_on=days(45),
    )
    html = status_page(client, agreement).content.decode()
    assert "15 Januari 2024" in html  # the Indonesian date format, the month in full
    assert "1 Februari 2024" in html
    assert "berakhir dalam 45 hari" in html


@pytest.mark.parametrize(
    ("left", "told"),
    [(0, "berakhir hari ini"), (1, "berakhir besok"), (2, "berakhir dalam 2 hari")],
)
def test_the_last_days_left_are_said_as_one_says_them(client, kaltim, left, told):
    agreement = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2024, 1, 15),
        in_force_from=datetime.date(2024, 2, 1),
        expires_on=days(left),
    )
    html = status_page(client, agreement).content.decode()
    assert told in html
    assert "dalam 1 hari" not in html


def test_lapsed_agreement_shows_expired_and_how_long_ago(client, kaltim):
    agreement = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2019, 1, 1),
        in_force_from=datetime.date(2019, 1, 1),
        expires_on=days(-3),
    )
    html = status_page(client, agreement).content.decode()
    assert '<span class="badge status-expired">Berakhir</span>' in html
    # The number and its unit are kept on one line (a no-break space).
    assert "berakhir 3\xa0hari yang lalu" in html


def test_an_agreement_that_ended_long_ago_says_so_in_years_and_months_not_days(client, kaltim):
    today = timezone.localdate()
    by_day = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2015, 1, 1),
        in_force_from=datetime.date(2015, 1, 1),
        expires_on=today - datetime.timedelta(days=800),
    )
    note = re.search(r'<span class="glance-note">(.*?)</span>', page_of(client, by_day))
    note = note.group(1).replace("\xa0", " ")
    assert re.fullmatch(r"berakhir 2 tahun(, \d+ (bulan|minggu))? yang lalu", note), note

    # Known to its year: it ended by the last day of that year at the latest, so that long
    # ago at least, and no count of days is given that the date does not hold.
    by_year = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2015, 1, 1),
        in_force_from=datetime.date(2015, 1, 1),
        expires_on=datetime.date(today.year - 3, 1, 1),
        expires_on_precision="year",
    )
    html = page_of(client, by_year).replace("\xa0", " ")
    assert "hari yang lalu" not in html
    assert re.search(r'<span class="glance-note">berakhir sekurang-kurangnya (2|3) tahun', html)

    english = client.get(
        reverse("agreement-detail", args=[by_day.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert re.search(
        r'<span class="glance-note">expired 2\xa0years(, \d+\xa0(months?|weeks?))? ago', english
    )


def page_of(client, agreement):
    return status_page(client, agreement).content.decode()


def test_last_change_is_shown(client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    html = status_page(client, agreement).content.decode()
    assert "Terakhir diubah" in html


# -- milestone timeline ----------------------------------------------------------------------


def test_timeline_shows_done_planned_and_overdue_in_words(client, sister_province):
    html = status_page(client, sister_province).content.decode()
    timeline = html[html.index('class="timeline"') :]
    assert "Selesai" in timeline and "23 April 2024" in timeline
    # Late, said once: its target, then how late it is, as the stage path says it.
    late = " ".join(re.sub(r"<[^>]+>", " ", timeline).split())
    assert re.search(r"Target \d+ \w+ \d{4} · terlambat \d", late)
    assert late.lower().count("terlambat") == 1 and "Persetujuan DPRD Kaltim" in timeline
    assert "Direncanakan" in timeline and days(60).strftime("%Y") in timeline
    assert "Menunggu: Mitra" in timeline
    # Done first, in the order they happened, then planned by due date.
    assert timeline.index("Kunjungan delegasi") < timeline.index("Rapat TKKSD")
    assert timeline.index("Rapat TKKSD") < timeline.index("Persetujuan DPRD Kaltim")
    assert timeline.index("Persetujuan DPRD Kaltim") < timeline.index("Penandatanganan")


def test_evaluation_shows_its_rating_and_findings(client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.EVALUATION,
        title="Monev 2025",
        due_on=None,
        done_on=days(-30),
        rating=4,
        findings="Program beasiswa berjalan.",
    )
    html = status_page(client, agreement).content.decode()
    assert "Nilai evaluasi: 4 dari 5" in html
    assert "Program beasiswa berjalan." in html


def test_the_next_step_is_the_one_due_first_however_precisely_its_target_is_known(client, kaltim):
    """A step due "this year" is due by 31 December: the late one, due three days ago, is
    what happens next, said late above the fold and in the list's column, not the one with
    the rest of the year to go because its year began before."""
    agreement = in_force_since(kaltim, days(-800))
    this_year = datetime.date(days(0).year, 1, 1)
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.ACTIVITY,
        title="Pameran tahunan",
        due_on=this_year,
        due_on_precision="year",
    )
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.ACTIVITY,
        title="Pelatihan guru",
        due_on=days(-3),
        waits_on=Milestone.WaitsOn.PARTNER,
    )

    html = status_page(client, agreement).content.decode()
    glance = html[html.index('class="glance"') : html.index('id="path-heading"')]
    glance = " ".join(re.sub(r"<[^>]+>", " ", glance).split())
    assert "Langkah berikutnya Pelatihan guru target" in glance
    assert "· terlambat 3 hari Menunggu Mitra" in glance
    assert "Pameran tahunan" not in glance
    listed = client.get(reverse("agreement-list")).content.decode()
    row = listed[listed.index(agreement.title) :]
    row = " ".join(re.sub(r"<[^>]+>", " ", row[: row.index("</tr>")]).split())
    assert "Mitra · terlambat" in row


# -- dormancy --------------------------------------------------------------------------------


def in_force_since(region, start):
    return AgreementFactory(
        lead_region=region, signed_on=start, in_force_from=start, expires_on=days(1000)
    )


def test_agreement_in_force_for_years_without_activity_is_flagged_dormant(client, kaltim):
    agreement = in_force_since(kaltim, days(-800))
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.ACTIVITY,
        title="Pelatihan",
        due_on=None,
        done_on=days(-500),
    )
    html = status_page(client, agreement).content.decode()
    assert "mati suri" in html
    assert agreement in Agreement.objects.dormant()
    assert Agreement.objects.get(pk=agreement.pk).is_dormant


@pytest.mark.parametrize(
    "language, precision, shown",
    [
        ("id", "month", 'sejak <time datetime="2023-05">Mei 2023</time> — lebih dari setahun'),
        ("en", "month", 'since <time datetime="2023-05">May 2023</time> — more than a year'),
        ("id", "year", 'sejak <time datetime="2023">2023</time> — lebih dari setahun'),
        ("en", "year", 'since <time datetime="2023">2023</time> — more than a year'),
    ],
    ids=["id-month", "en-month", "id-year", "en-year"],
)
def test_the_dormant_warning_says_the_last_activity_as_precisely_as_it_is_known(
    client, kaltim, language, precision, shown
):
    """An activity done "Mei 2023" (or "2023") is not said to be of 1 May (or 1 January)."""
    agreement = in_force_since(kaltim, datetime.date(2022, 3, 1))
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.ACTIVITY,
        title="Pelatihan",
        due_on=None,
        done_on=datetime.date(2023, 5 if precision == "month" else 1, 1),
        done_on_precision=precision,
    )
    client.cookies["django_language"] = language

    html = status_page(client, agreement).content.decode()

    assert shown in " ".join(html.split())
    assert "1 Mei 2023" not in html and "1 May 2023" not in html
    assert "1 Januari 2023" not in html and "1 January 2023" not in html


def test_recent_evaluation_keeps_an_agreement_alive(client, kaltim):
    agreement = in_force_since(kaltim, days(-800))
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.EVALUATION,
        title="Monev",
        due_on=None,
        done_on=days(-90),
    )
    assert "mati suri" not in status_page(client, agreement).content.decode()
    assert agreement not in Agreement.objects.dormant()
    assert not Agreement.objects.get(pk=agreement.pk).is_dormant


@pytest.mark.parametrize("mark", ["skipped", "not_required"])
def test_an_evaluation_recorded_as_skipped_does_not_keep_an_agreement_alive(client, kaltim, mark):
    """Its page says the evaluation was not held ("Dilewati"): the cooperation is as quiet as
    one with none, on its page, in the list's *Mati suri* and in the dashboard's figure."""
    agreement = in_force_since(kaltim, days(-800))
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.EVALUATION,
        title="Monev tahunan",
        due_on=None,
        done_on=days(-90),
        mark=mark,
        notes="Anggaran monev tidak tersedia.",
    )
    html = status_page(client, agreement).content.decode()
    assert "mati suri" in html
    listed = client.get(reverse("agreement-list"), {"dormant": "yes"}).content.decode()
    assert "1 kerja sama ditemukan." in listed
    assert agreement.title in listed


def test_young_agreement_is_not_dormant_yet(client, kaltim):
    agreement = in_force_since(kaltim, days(-100))
    assert "mati suri" not in status_page(client, agreement).content.decode()
    assert agreement not in Agreement.objects.dormant()


def test_planned_activity_does_not_count_as_a_sign_of_life(kaltim):
    agreement = in_force_since(kaltim, days(-800))
    MilestoneFactory(agreement=agreement, kind=Milestone.Kind.ACTIVITY, due_on=days(-30))
    assert agreement in Agreement.objects.dormant()
    assert Agreement.objects.get(pk=agreement.pk).is_dormant


def test_expired_agreement_is_not_dormant(kaltim):
    agreement = AgreementFactory(
        lead_region=kaltim,
        signed_on=days(-2000),
        in_force_from=days(-2000),
        expires_on=days(-1),
    )
    assert agreement not in Agreement.objects.dormant()
    assert not agreement.is_dormant


# -- dormancy along the line: a sign of life counts for what it follows and what follows it ---


@pytest.fixture
def mou_line(kaltim):
    """An MoU in force for years, and in force for years beside it: an addendum to it, two PKSs
    carrying it out and a sister-city text it spawned. Nothing done on any of them yet."""
    mou = AgreementFactory(
        title="MoU Kaltim–Bali",
        lead_region=kaltim,
        signed_on=days(-900),
        in_force_from=days(-900),
        expires_on=days(1000),
    )

    def following(title, kind, relation):
        return AgreementFactory(
            title=title,
            lead_region=kaltim,
            kind=kind,
            follows=mou,
            relation=relation,
            signed_on=days(-800),
            in_force_from=days(-800),
            expires_on=days(1000),
        )

    return {
        "mou": mou,
        "addendum": following("Adendum MoU Kaltim–Bali", "amendment", "amends"),
        "tourism": following("PKS Pariwisata Kaltim–Bali", "pks", "implements"),
        "education": following("PKS Pendidikan Kaltim–Bali", "pks", "implements"),
        "twinned": following("Kota kembar Samarinda–Denpasar", "sister_city", "spawns"),
    }


def activity(agreement, on):
    return MilestoneFactory(
        agreement=agreement, kind=Milestone.Kind.ACTIVITY, due_on=None, done_on=days(on)
    )


def flagged(client, line):
    """The documents of ``line`` whose status page says *mati suri*."""
    return {
        name
        for name, agreement in line.items()
        if "mati suri" in status_page(client, agreement).content.decode()
    }


def counted_and_listed(client):
    """The dashboard's *mati suri* figure, and the titles its link lists."""
    html = client.get(reverse("dashboard")).content.decode()
    figure = re.search(r"<dt>Mati suri</dt>\s*<dd><a href=\"([^\"]+)\">(\d+)</a>", html)
    assert figure[1].replace("&amp;", "&").endswith("dormant=yes")
    listed = client.get(figure[1].replace("&amp;", "&")).content.decode()
    assert f"{figure[2]} kerja sama ditemukan." in listed
    return int(figure[2]), listed


def test_an_addendum_whose_mou_had_an_activity_last_month_is_not_dormant(client, mou_line):
    """The MoU's activity counts for the documents following it: the addendum and both PKSs.
    The sister-city text it spawned is a cooperation of its own, and is dormant."""
    assert flagged(client, mou_line) == set(mou_line)

    activity(mou_line["mou"], -30)

    assert flagged(client, mou_line) == {"twinned"}
    count, listed = counted_and_listed(client)
    assert count == 1
    assert "Kota kembar Samarinda–Denpasar" in listed
    assert "Adendum MoU Kaltim–Bali" not in listed and ">MoU Kaltim–Bali</a>" not in listed
    assert set(Agreement.objects.dormant()) == {mou_line["twinned"]}


def test_an_mou_carried_out_by_its_pks_is_not_dormant_but_its_other_pks_is(client, mou_line):
    """An activity recorded on one PKS counts for the MoU it carries out and for the MoU's
    addendum, which is part of the MoU; not for the MoU's other PKS (which follows the MoU,
    not that PKS)."""
    activity(mou_line["tourism"], -30)

    assert flagged(client, mou_line) == {"education", "twinned"}
    count, listed = counted_and_listed(client)
    assert count == 2
    for title in ("PKS Pendidikan", "Kota kembar Samarinda"):
        assert title in listed, title
    for title in ("PKS Pariwisata", ">MoU Kaltim–Bali</a>", "Adendum MoU"):
        assert title not in listed, title


def test_a_text_extended_lives_by_the_activities_of_its_extension(client, kaltim):
    """An extension signed before the text it extends ends: its activities count for that
    text, and the text's for it; and for the MoU the extended text carries out, down the line.
    """
    mou = in_force_since(kaltim, days(-1500))
    pks = AgreementFactory(
        lead_region=kaltim,
        kind="pks",
        follows=mou,
        relation="implements",
        signed_on=days(-1400),
        in_force_from=days(-1400),
        expires_on=days(30),
    )
    extension = AgreementFactory(
        lead_region=kaltim,
        kind="pks",
        follows=pks,
        relation="extends",
        signed_on=days(-400),
        in_force_from=days(-400),
        expires_on=days(1500),
    )
    line = {"mou": mou, "pks": pks, "extension": extension}
    assert flagged(client, line) == set(line)

    activity(extension, -60)

    assert flagged(client, line) == set()
    assert Agreement.objects.dormant_count() == 0


def test_an_internal_pks_does_not_keep_its_public_mou_alive(client, mou_line, django_user_model):
    """What is worked out is shown to every reader: an internal document's activity never
    counts for a public one (the public would learn of it), though the MoU's counts for it."""
    Agreement.objects.filter(pk=mou_line["tourism"].pk).update(
        visibility=Agreement.Visibility.INTERNAL
    )
    activity(mou_line["tourism"], -30)

    assert "mati suri" in status_page(client, mou_line["mou"]).content.decode()
    client.force_login(make_official(django_user_model))
    assert "mati suri" not in status_page(client, mou_line["tourism"]).content.decode()
    assert "mati suri" in status_page(client, mou_line["mou"]).content.decode()

    activity(mou_line["mou"], -20)

    assert "mati suri" not in status_page(client, mou_line["tourism"]).content.decode()
    assert "mati suri" not in status_page(client, mou_line["mou"]).content.decode()


def test_an_official_reads_a_public_addendum_of_an_internal_mou_alive_with_it(
    client, mou_line, django_user_model
):
    """An addendum is part of the MoU it amends. Its MoU internal and active last month, the
    public addendum said "mati suri" to an official, who reads the MoU's activity on its page:
    read as the official sees its line, it is not dormant. The public's page names nothing of
    the MoU, as before."""
    Agreement.objects.filter(pk=mou_line["mou"].pk).update(visibility=Agreement.Visibility.INTERNAL)
    MilestoneFactory(
        agreement=mou_line["mou"],
        kind=Milestone.Kind.ACTIVITY,
        title="Rapat kerja rahasia",
        due_on=None,
        done_on=days(-30),
    )
    addendum = mou_line["addendum"]

    public = status_page(client, addendum).content.decode()
    assert "mati suri" in public
    assert "Rapat kerja rahasia" not in public
    client.force_login(make_official(django_user_model))
    assert "mati suri" not in status_page(client, addendum).content.decode()


def test_an_officials_lists_and_counts_read_a_public_addendum_of_an_internal_mou_as_its_page(
    client, mou_line, django_user_model
):
    """Its internal MoU active last month, the public addendum is alive on the official's
    status page; the official's dashboard counted it among the *mati suri*, the list the count
    leads to and the region's list of the dormant listed it, beside a page saying otherwise.
    Every surface now reads the official's line alike (on PostgreSQL, the counts from what the
    database keeps); the public's still read the addendum dormant, on its page and its lists."""
    Agreement.objects.filter(pk=mou_line["mou"].pk).update(visibility=Agreement.Visibility.INTERNAL)
    activity(mou_line["mou"], -30)
    addendum = mou_line["addendum"]
    region_dormant = f"{addendum.lead_region.get_absolute_url()}?dormant=yes"

    def read_by(reader):
        page = status_page(reader, addendum).content.decode()
        count, listed = counted_and_listed(reader)
        region = reader.get(region_dormant).content.decode()
        return "mati suri" in page, count, addendum.title in listed, addendum.title in region

    # The PKSs and the sister-city text lie dormant for every reader; the addendum for the
    # public, which may not read the MoU's activity, on every surface.
    assert read_by(client) == (True, 4, True, True)
    client.force_login(make_official(django_user_model))
    assert read_by(client) == (False, 3, False, False)


def test_the_dormant_warning_of_an_addendum_says_when_its_mou_was_last_active(client, mou_line):
    """The warning names the last sign of life along the line, wherever it was recorded."""
    MilestoneFactory(
        agreement=mou_line["mou"],
        kind=Milestone.Kind.EVALUATION,
        due_on=None,
        done_on=datetime.date(2023, 5, 1),
        done_on_precision="month",
    )

    html = " ".join(status_page(client, mou_line["addendum"]).content.decode().split())

    assert 'sejak <time datetime="2023-05">Mei 2023</time> — lebih dari setahun' in html


def test_the_dormant_warning_names_the_last_sign_of_life_and_the_text_it_was_recorded_on(
    client, mou_line
):
    """An official who reads "since May 2023" on the MoU's page, above a timeline of its own
    with nothing that month, is told what that was and on which text: the PKS carrying it out.
    """
    MilestoneFactory(
        agreement=mou_line["tourism"],
        kind=Milestone.Kind.EVALUATION,
        title="Monev pariwisata 2023",
        due_on=None,
        done_on=datetime.date(2023, 5, 1),
        done_on_precision="month",
    )
    MilestoneFactory(
        agreement=mou_line["mou"],
        kind=Milestone.Kind.ACTIVITY,
        title="Festival budaya 2022",
        due_on=None,
        done_on=datetime.date(2022, 8, 17),
    )

    mou = " ".join(status_page(client, mou_line["mou"]).content.decode().split())
    tourism_url = reverse("agreement-detail", args=[mou_line["tourism"].pk])
    assert (
        "Yang terakhir tercatat: Monitoring dan evaluasi “Monev pariwisata 2023”, pada naskah "
        f'<a href="{tourism_url}">PKS Pariwisata Kaltim–Bali</a>.'
    ) in mou

    # On the PKS's own page, the step is its own.
    tourism = " ".join(status_page(client, mou_line["tourism"]).content.decode().split())
    assert "mati suri" in tourism
    assert (
        "Yang terakhir tercatat: Monitoring dan evaluasi “Monev pariwisata 2023”, pada naskah ini."
    ) in tourism


@pytest.mark.parametrize("count", [1, 5])
def test_the_dormant_warning_is_read_from_what_the_page_reads_anyway(
    client, kaltim, count, django_assert_num_queries
):
    """The flag is the sign of life stored with the agreement, its date read from the chain's
    milestones the page has loaded: no query more however many documents carry the MoU out."""
    mou = in_force_since(kaltim, days(-900))
    for n in range(count):
        pks = AgreementFactory(lead_region=kaltim, kind="pks", follows=mou, relation="implements")
        activity(pks, -500 - n)
    # As in the pins below, a record never changed: 1-8 the agreement and what it shows,
    # 9 its latest version, 10-12 its parties and sectors, 13-14 its chain and their
    # milestones.
    with django_assert_num_queries(14):
        response = client.get(reverse("agreement-detail", args=[mou.pk]))
    html = " ".join(response.content.decode().split())
    assert "mati suri" in html
    assert f'sejak <time datetime="{days(-500).isoformat()}">' in html


# -- documents -------------------------------------------------------------------------------


def test_documents_are_listed_with_title_kind_and_language(client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    document = DocumentFactory(agreement=agreement, title="Naskah MoU bertanda tangan")
    html = status_page(client, agreement).content.decode()
    assert "Naskah MoU bertanda tangan" in html
    assert "Naskah yang ditandatangani" in html
    assert "Indonesia" in html
    assert reverse("document-download", args=[agreement.pk, document.pk]) in html
    assert document.file.url not in html  # never the raw file, which skips the visibility check


def test_document_download_serves_the_file(client, kaltim):
    document = DocumentFactory(agreement=AgreementFactory(lead_region=kaltim))
    response = client.get(reverse("document-download", args=[document.agreement_id, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    response.close()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")


def test_uploaded_html_is_downloaded_never_shown_as_a_page(client, kaltim):
    from django.core.files.base import ContentFile

    document = DocumentFactory(
        agreement=AgreementFactory(lead_region=kaltim),
        file=ContentFile(b"<script>alert(1)</script>", name="catatan.html"),
    )
    response = client.get(reverse("document-download", args=[document.agreement_id, document.pk]))
    response.close()
    # Only PDFs are accepted, so whatever a stored file is named it is sent as a PDF, and the
    # browser is told not to guess otherwise: its markup never runs as a page of this site.
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].endswith('filename="Naskah MoU.pdf"')


def test_document_of_another_agreement_is_not_found(client, kaltim):
    one = AgreementFactory(lead_region=kaltim)
    document = DocumentFactory(agreement=AgreementFactory(lead_region=kaltim))
    response = client.get(reverse("document-download", args=[one.pk, document.pk]))
    assert response.status_code == 404


def test_uploaded_files_are_not_served_to_the_public_by_path(client, kaltim):
    document = DocumentFactory(
        agreement=AgreementFactory(lead_region=kaltim, visibility=Agreement.Visibility.INTERNAL)
    )
    response = client.get(document.file.url)
    assert response.status_code in (302, 404)  # to the login page, never the file
    assert not getattr(response, "streaming", False)


# -- related agreements ----------------------------------------------------------------------


def test_chain_shows_every_hop_with_each_documents_own_state(client, kaltim):
    loi = AgreementFactory(title="LoI Kaltim–Anhui", lead_region=kaltim, kind="loi")
    mou = AgreementFactory(
        title="MoU Kaltim–Anhui", lead_region=kaltim, follows=loi, relation="implements"
    )
    pks = AgreementFactory(
        title="PKS beasiswa",
        lead_region=kaltim,
        kind="pks",
        follows=mou,
        relation="implements",
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(
        agreement=pks, kind=Milestone.Kind.DRAFTING, due_on=days(9), done_on=None, waits_on=""
    )
    # From the first document, two hops down: the whole chain, not one hop either way.
    response = status_page(client, loi)
    chain = response.context["chain"]
    assert [item["agreement"].pk for item in chain] == [loi.pk, mou.pk, pks.pk]
    assert [item["depth"] for item in chain] == [0, 1, 2]
    assert [item["status"] for item in chain] == ["in_force", "in_force", "preparation"]
    html = response.content.decode()
    section = html.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    assert "LoI Kaltim–Anhui" in section and "(halaman ini)" in section
    assert "MoU Kaltim–Anhui" in section and "PKS beasiswa" in section
    # The relation's short name: the example with it is for the clerk choosing it.
    metas = [read_text(meta) for meta in re.findall(r'<p class="meta">(.*?)</p>', section, re.S)]
    assert "Nota kesepahaman / kesepakatan bersama (MoU) · Tindak lanjut · Berlaku" in metas
    assert not any("LoI → MoU → PKS" in meta for meta in metas)
    assert "Berikutnya: Penyusunan naskah" in section
    assert "Penyiapan naskah" in section and "Berlaku" in section


def test_the_chain_names_a_relation_once_where_the_kind_already_says_it(client, kaltim):
    """An amendment that amends its MoU reads "Amendemen / adendum · Berlaku", not the same
    words twice; a PKS carrying out the MoU still says how it follows it."""
    mou = AgreementFactory(title="MoU Kaltim–Daejeon", lead_region=kaltim, kind="mou")
    AgreementFactory(
        title="Adendum pertama",
        lead_region=kaltim,
        kind="amendment",
        follows=mou,
        relation="amends",
    )
    AgreementFactory(
        title="PKS pendidikan", lead_region=kaltim, kind="pks", follows=mou, relation="implements"
    )
    html = status_page(client, mou).content.decode()
    section = html.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    metas = [
        re.sub(r"<[^>]+>|\s+", " ", meta).split()
        for meta in re.findall(r'<p class="meta">(.*?)</p>', section, re.S)
    ]
    told = [" ".join(words) for words in metas]
    assert "Amendemen / adendum · Berlaku" in told
    assert not any("Amendemen / adendum · Amendemen / adendum" in line for line in told)
    assert any(line.startswith("Perjanjian kerja sama (PKS) · Tindak lanjut") for line in told)


def read_text(html):
    """What a reader sees of ``html``: its text, spaces as they read."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\xa0", " ").split())


def part(html, start, end="</section>"):
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_chain_names_relations_shortly_and_the_admin_offers_them_with_their_examples(
    client, kaltim, samarinda, django_user_model, staff_client
):
    """Seen by an official: "Kota kembar (sister city) · Turunan · Prakarsa", not the example
    the clerk chooses it by; the admin's choice keeps it."""
    province = AgreementFactory(title="MoU Kaltim–Guangxi", lead_region=kaltim)
    AgreementFactory(
        title="Kota kembar Samarinda–Nanning",
        lead_region=samarinda,
        kind="sister_city",
        follows=province,
        relation="spawns",
        status=Agreement.Status.INITIATIVE,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    # The clerk chooses it in the admin with its example.
    form = staff_client.get(reverse("admin:agreements_agreement_add")).content.decode()
    assert "Turunan (mis. kota kembar dari kerja sama provinsi)" in form
    assert "Tindak lanjut (LoI → MoU → PKS)" in form

    client.force_login(make_official(django_user_model))
    section = part(status_page(client, province).content.decode(), 'id="related-heading"')
    metas = [read_text(meta) for meta in re.findall(r'<p class="meta">(.*?)</p>', section, re.S)]
    assert "Kota kembar (sister city) · Turunan · Prakarsa" in metas
    assert not any("mis. kota kembar" in meta for meta in metas)


def test_chain_hides_internal_relatives_from_the_public(client, kaltim, django_user_model):
    secret = AgreementFactory(
        title="Naskah pendahuluan internal",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    public = AgreementFactory(lead_region=kaltim, follows=secret, relation="implements")
    assert "Naskah pendahuluan internal" not in status_page(client, public).content.decode()
    client.force_login(make_official(django_user_model))
    assert "Naskah pendahuluan internal" in status_page(client, public).content.decode()


def test_the_public_chain_shows_no_gap_where_an_internal_document_stands(client, kaltim):
    """A public text following an internal one that follows a public one: the public reads the
    two texts as one following the other, no step down where the internal one would be."""
    first = AgreementFactory(title="MoU Kaltim umum", lead_region=kaltim)
    secret = AgreementFactory(
        title="Adendum internal",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
        follows=first,
        relation="amends",
    )
    last = AgreementFactory(
        title="PKS Kaltim umum",
        lead_region=kaltim,
        kind="pks",
        follows=secret,
        relation="implements",
    )
    html = status_page(client, last).content.decode()
    section = html.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    assert "Adendum internal" not in section
    assert re.findall(r"chain-depth-(\d+)", section) == ["0", "1"]


# -- who may see it --------------------------------------------------------------------------


@pytest.fixture
def internal_with_document(kaltim):
    agreement = AgreementFactory(
        title="Kerja sama internal", lead_region=kaltim, visibility=Agreement.Visibility.INTERNAL
    )
    return agreement, DocumentFactory(agreement=agreement)


def test_internal_agreement_is_not_found_for_anonymous_readers(client, internal_with_document):
    agreement, document = internal_with_document
    assert client.get(reverse("agreement-detail", args=[agreement.pk])).status_code == 404
    download = reverse("document-download", args=[agreement.pk, document.pk])
    assert client.get(download).status_code == 404


def test_official_reads_internal_agreement_and_its_documents(
    client, internal_with_document, django_user_model
):
    agreement, document = internal_with_document
    client.force_login(make_official(django_user_model))
    html = status_page(client, agreement).content.decode()
    assert "Internal" in html
    response = client.get(reverse("document-download", args=[agreement.pk, document.pk]))
    response.close()
    assert response.status_code == 200


def test_unknown_agreement_is_not_found(client, db):
    assert client.get(reverse("agreement-detail", args=[999])).status_code == 404


def test_staff_who_may_change_it_get_a_link_to_the_admin(staff_client, kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    response = status_page(staff_client, agreement)
    assert response.context["admin_url"] == reverse(
        "admin:agreements_agreement_change", args=[agreement.pk]
    )
    assert "Ubah di admin" in response.content.decode()


def test_readers_without_change_permission_get_no_admin_link(client, kaltim, django_user_model):
    agreement = AgreementFactory(lead_region=kaltim)
    assert "Ubah di admin" not in status_page(client, agreement).content.decode()
    client.force_login(make_official(django_user_model))
    assert "Ubah di admin" not in status_page(client, agreement).content.decode()


# -- page quality and queries ----------------------------------------------------------------


def test_status_page_is_well_formed_and_accessible(client, sister_province):
    DocumentFactory(agreement=sister_province)
    assert page_problems(status_page(client, sister_province).content.decode()) == []


def test_status_page_in_english(client, sister_province):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = status_page(client, sister_province).content.decode()
    assert '<html lang="en">' in html


def parties_and_sectors(html):
    """{term: what it lists} of the "Pihak dan bidang" facts, as a reader reads them."""
    section = html.split('id="parties-heading"', 1)[1].split("</section>", 1)[0]
    return {
        re.sub(r"<[^>]+>", "", term): " ".join(re.sub(r"<[^>]+>", " ", value).split()).replace(
            " ,", ","
        )
        for term, value in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", section, re.S)
    }


@pytest.mark.parametrize(
    ("language", "count", "term"),
    [("id", 1, "Bidang"), ("id", 3, "Bidang"), ("en", 1, "Sector"), ("en", 3, "Sectors")],
)
def test_the_sectors_are_headed_as_one_or_several_as_they_are(
    client, kaltim, language, count, term
):
    """Indonesian says "Bidang" for one sector or many; English heads one "Sector" and
    several "Sectors"."""
    sectors = [SectorFactory(slug=f"sektor-{n}") for n in range(count)]
    agreement = AgreementFactory(lead_region=kaltim, sectors=sectors)
    client.cookies["django_language"] = language
    facts = parties_and_sectors(status_page(client, agreement).content.decode())
    translation.deactivate()  # the request left its language active in this thread
    named = "Sector" if language == "en" else "Bidang"
    assert facts[term] == ", ".join(f"{named} sektor-{n}" for n in range(count))


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        (Agreement.Kind.OTHER, "“Other”"),
        (Agreement.Kind.MOU, "“Memorandum of Understanding (MoU)”"),
        (Agreement.Kind.LOI, "“Letter of Intent (LoI)”"),
    ],
)
def test_the_stage_path_names_the_kind_it_follows_in_english_whatever_the_kind(
    client, kaltim, kind, named
):
    """No article in front of the kind's name: "a “Other” text" read wrong."""
    agreement = AgreementFactory(lead_region=kaltim, kind=kind, scope=Scope.KSDPK)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = status_page(client, agreement).content.decode()
    translation.deactivate()  # the request left English active in this thread
    hint = html.split('id="path-heading"', 1)[1].split("</p>", 1)[0]
    assert f"The stages required for the document kind {named} in scope" in hint


@pytest.mark.parametrize("count", [1, 10])
def test_status_page_queries_do_not_grow_with_milestones_documents_or_parties(
    client, kaltim, samarinda, count, django_assert_num_queries
):
    agreement = AgreementFactory(
        lead_region=kaltim,
        regions=[samarinda],
        partners=[
            PartnerFactory(kind=Partner.Kind.UNIVERSITY, country=CountryFactory(code="ID"))
            for _n in range(count)
        ],
        sectors=[SectorFactory() for _n in range(count)],
        agencies=[AgencyFactory(region=kaltim) for _n in range(count)],
        scope=Scope.KSDPK,
    )
    for n in range(count):
        Signatory.objects.create(agreement=agreement, party="Kaltim", name=f"Pejabat {n}")
    agreement.follows = AgreementFactory(lead_region=kaltim, kind="loi")
    agreement.relation = "implements"
    agreement.save()
    for n in range(count):
        MilestoneFactory(agreement=agreement, due_on=days(n - 5))
        DocumentFactory(agreement=agreement)
        follower = AgreementFactory(lead_region=kaltim, follows=agreement, relation="implements")
        # Two hops down: the chain's length does not add queries either.
        MilestoneFactory(agreement=follower, due_on=days(n))
        AgreementFactory(lead_region=kaltim, follows=follower, relation="extends")
    agreement.summary = "Diperbarui."
    agreement.save()  # a second version, so that the change log compares two
    # 1 the agreement with its lead region; 2 its regions; 3 its partners with their country
    # and subdivision; 4 its sectors; 5 its implementing agencies with their region; 6 its
    # signatories; 7 its milestones; 8 its documents; 9 its latest versions (change log) with
    # their role, 10 the versions before them (none to read for a record never changed), 11-13
    # the parties and sectors of both, 14-16 the history of the milestones, signatories and
    # documents saved with them; 17 every document of its chain (a recursive query) with its
    # lead region, 18 their milestones.
    with django_assert_num_queries(18):
        response = client.get(reverse("agreement-detail", args=[agreement.pk]))
    assert len(response.context["chain"]) == 2 + 2 * count


@pytest.mark.parametrize("late", [1, 4])
def test_status_page_queries_do_not_grow_with_late_stages_on_its_path(
    client, kaltim, late, django_assert_num_queries
):
    """The path tells each stage planned ahead and whether it is late from the milestones the
    page has read already, its own and those of its chain."""
    loi = AgreementFactory(lead_region=kaltim, kind="loi", scope=Scope.KSDPL)
    text = AgreementFactory(
        lead_region=kaltim,
        kind=Agreement.Kind.SISTER_PROVINCE,
        scope=Scope.KSDPL,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        follows=loi,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    stages = [Milestone.Kind.TKKSD, Milestone.Kind.DPRD, Milestone.Kind.MINISTRY]
    for kind in [*stages[: late - 1], Milestone.Kind.SIGNING]:
        MilestoneFactory(agreement=text, kind=kind, due_on=days(-20), waits_on="")
    # 1 the agreement with its lead region; 2 its regions; 3 its partners; 4 its sectors; 5 its
    # agencies; 6 its signatories; 7 its milestones; 8 its documents; 9 its latest version
    # (change log; never changed, so no version before it), 10-12 its parties and sectors;
    # 13 every document of its chain with its lead region, 14 their milestones (each with its
    # document, which the rule of lateness reads).
    with django_assert_num_queries(14):
        response = client.get(reverse("agreement-detail", args=[text.pk]))
    path = response.content.decode().split('<ol class="stage-path">', 1)[1].split("</ol>")[0]
    assert path.count("terlambat") == late


@pytest.mark.parametrize("mou_ended", [False, True])
def test_status_page_tells_of_an_ended_mou_from_the_chain_it_has_read(
    client, mou_and_its_pks, mou_ended, django_assert_num_queries
):
    """Whether the MoU a PKS carries out has ended, and where an MoU's cooperation goes on, are
    read from the chain the page loads: no query more than for an MoU in force."""
    mou, pks = mou_and_its_pks
    if not mou_ended:
        Agreement.objects.filter(pk=mou.pk).update(expires_on=days(30))
    # As in the pins above, a record never changed: 1-8 the agreement and what it shows,
    # 9 its latest version, 10-12 its parties and sectors, 13-14 its chain and their
    # milestones.
    pages = {}
    for agreement in (pks, mou):
        with django_assert_num_queries(14):
            pages[agreement] = client.get(reverse("agreement-detail", args=[agreement.pk]))
    assert ("Naskah yang dilaksanakannya" in pages[pks].content.decode()) is mou_ended
    assert ("kerja samanya berlanjut dalam" in pages[mou].content.decode()) is mou_ended
    # Running past an MoU still in force, the PKS says so, from the same chain.
    assert ("melewati jangka waktu" in pages[pks].content.decode()) is not mou_ended


# -- when it ends: terminated, or the time it has left ------------------------------------------


@pytest.fixture
def terminated(kaltim):
    """An MoU agreed to run until 28 July 2027, terminated on 2 March 2023 (the demo's 92)."""
    agreement = AgreementFactory(
        title="MoU Kaltim–Sabah",
        lead_region=kaltim,
        status=Agreement.Status.TERMINATED,
        signed_on=datetime.date(2022, 7, 28),
        in_force_from=datetime.date(2022, 7, 28),
        expires_on=datetime.date(2027, 7, 28),
    )
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.TERMINATION,
        title="Surat pengakhiran",
        due_on=None,
        done_on=datetime.date(2023, 3, 2),
    )
    return agreement


def test_a_terminated_agreement_says_it_ended_on_its_termination_not_its_old_expiry(
    client, terminated
):
    html = status_page(client, terminated).content.decode()
    glance = read_text(part(html, 'class="glance"'))
    assert "Diakhiri diakhiri pada 2 Maret 2023" in glance
    dates = read_text(part(html, 'id="dates-heading"'))
    assert "Diakhiri pada 2 Maret 2023" in dates
    # The term first agreed is still there, named for what it is.
    assert "Jangka waktu semula sampai 28 Juli 2027" in dates
    assert "Berakhir pada" not in dates


def test_a_terminated_agreement_whose_termination_is_undated_does_not_guess(client, kaltim):
    agreement = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.TERMINATED,
        expires_on=datetime.date(2024, 11, 18),
    )
    html = status_page(client, agreement).content.decode()
    dates = read_text(part(html, 'id="dates-heading"'))
    assert "Diakhiri pada tanggal tidak tercatat" in dates
    assert "Jangka waktu semula sampai 18 November 2024" in dates
    assert "diakhiri pada" not in read_text(part(html, 'class="glance"'))


def test_a_terminated_agreement_with_no_term_recorded_claims_no_first_term(client, terminated):
    """Signed without an expiry, then terminated: there was no term first agreed to name."""
    Agreement.objects.filter(pk=terminated.pk).update(expires_on=None)

    html = status_page(client, terminated).content.decode()

    dates = read_text(part(html, 'id="dates-heading"'))
    assert "Diakhiri pada 2 Maret 2023" in dates
    assert "Jangka waktu semula" not in dates


def test_a_termination_known_to_the_month_is_said_to_the_month(client, terminated):
    Milestone.objects.filter(agreement=terminated).update(
        done_on=datetime.date(2023, 3, 1), done_on_precision="month"
    )
    html = status_page(client, terminated).content.decode()
    assert "Diakhiri pada Maret 2023" in read_text(part(html, 'id="dates-heading"'))


@pytest.mark.parametrize(
    ("precision", "done_on", "said"),
    [
        ("day", datetime.date(2023, 3, 2), "terminated on 2 March 2023"),
        ("month", datetime.date(2023, 3, 1), "terminated in March 2023"),
        ("year", datetime.date(2023, 1, 1), "terminated in 2023"),
    ],
)
def test_a_termination_is_said_in_english_on_its_day_or_in_its_month_or_year(
    client, terminated, precision, done_on, said
):
    """English says "on" a day but "in" a month or a year: "terminated on March 2023" was what
    the sentence made of a termination known to its month. The list and the PKS under it say
    it the same way."""
    Milestone.objects.filter(agreement=terminated).update(
        done_on=done_on, done_on_precision=precision
    )
    pks = AgreementFactory(
        title="PKS pariwisata",
        lead_region=terminated.lead_region,
        kind="pks",
        follows=terminated,
        relation="implements",
    )
    client.cookies["django_language"] = "en"

    glance = read_text(part(status_page(client, terminated).content.decode(), 'class="glance"'))
    assert said in glance
    html = status_page(client, pks).content.decode()
    warning = read_text(part(html, 'class="warning" role="note"', "</div>"))
    assert f"The text it carries out was {said} :" in warning
    listed = client.get(reverse("agreement-list"), {"status": "terminated"}).content.decode()
    translation.deactivate()  # the requests left their language active in this thread
    assert "T" + said[1:] in read_text(listed)


def test_a_pks_under_a_terminated_mou_says_when_the_mou_was_terminated(client, terminated):
    pks = AgreementFactory(
        title="PKS pariwisata",
        lead_region=terminated.lead_region,
        kind="pks",
        follows=terminated,
        relation="implements",
    )
    html = status_page(client, pks).content.decode()
    warning = read_text(part(html, 'class="warning" role="note"', "</div>"))
    assert "Naskah yang dilaksanakannya sudah diakhiri pada 2 Maret 2023 : MoU Kaltim–Sabah" in (
        warning
    )


def test_an_addendum_of_a_terminated_text_says_its_text_has_ended(client, terminated):
    """An addendum ends with the text it amends. Terminating the text only warns the clerk
    that the addendum is still recorded signed; until it is mended, its page said
    "Ditandatangani", running for years, with no word that its text had been terminated."""
    addendum = AgreementFactory(
        title="Adendum MoU Kaltim–Sabah",
        lead_region=terminated.lead_region,
        kind="amendment",
        status=Agreement.Status.SIGNED,
        signed_on=datetime.date(2022, 12, 1),
        in_force_from=None,
        expires_on=datetime.date(2027, 7, 28),
        follows=terminated,
        relation="amends",
    )
    html = status_page(client, addendum).content.decode()
    warning = read_text(part(html, 'class="warning" role="note"', "</div>"))
    assert "Naskah yang diubahnya sudah diakhiri pada 2 Maret 2023 : MoU Kaltim–Sabah" in warning
    assert "berakhir bersama naskah yang diubahnya" in warning
    # The text's own page has no such note.
    assert 'class="warning" role="note"' not in status_page(client, terminated).content.decode()


def test_the_time_left_is_told_in_days_up_to_two_months_then_in_years_and_months(client, kaltim):
    soon = AgreementFactory(lead_region=kaltim, expires_on=days(45))
    later = AgreementFactory(lead_region=kaltim, expires_on=days(1382))
    assert "berakhir dalam 45 hari" in read_text(
        part(status_page(client, soon).content.decode(), 'class="glance"')
    )
    glance = read_text(part(status_page(client, later).content.decode(), 'class="glance"'))
    assert re.search(r"berakhir dalam 3 tahun, \d+ bulan", glance), glance
    assert "1.382" not in glance and "hari" not in glance


def test_an_internal_text_in_the_chain_is_marked_so_for_those_who_read_it(
    client, kaltim, django_user_model
):
    """The chain an official reads on a public MoU's page names its internal PKS, which their
    downloads leave out: it says "Internal" there, as its own page does. The public's chain
    does not hold it at all."""
    mou = AgreementFactory(title="MoU Kaltim–Bali", lead_region=kaltim)
    AgreementFactory(
        title="PKS rahasia",
        lead_region=kaltim,
        kind="pks",
        follows=mou,
        relation="implements",
        visibility=Agreement.Visibility.INTERNAL,
    )
    page = client.get(mou.get_absolute_url()).content.decode()
    assert "PKS rahasia" not in page

    client.force_login(make_official(django_user_model))
    page = client.get(mou.get_absolute_url()).content.decode()
    items = re.findall(r'<li class="chain-item.*?</li>', page, re.S)
    marked = [item for item in items if 'class="badge badge-internal"' in item]
    assert len(marked) == 1 and "PKS rahasia" in marked[0]


def test_a_signed_agreement_with_no_expiry_recorded_says_so(client, kaltim):
    """Signed, its expiry not recorded: the page says the date is not recorded, as it does of a
    signing date, rather than a dash a reader could take for a term without end. A text not yet
    signed has no expiry to record."""
    signed = AgreementFactory(lead_region=kaltim, expires_on=None)
    drafted = AgreementFactory(
        lead_region=kaltim,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )

    dates = read_text(part(status_page(client, signed).content.decode(), 'id="dates-heading"'))
    assert "Berakhir pada tanggal tidak tercatat" in dates
    dates = read_text(part(status_page(client, drafted).content.decode(), 'id="dates-heading"'))
    assert "Berakhir pada —" in dates


def test_a_signed_loi_with_no_expiry_is_not_told_as_a_date_missing(client, kaltim):
    """An LoI often has no term: signed with none, its page shows a dash, as its row on the list
    does, not "tanggal tidak tercatat", a gap the bureau would look to fill."""
    loi = AgreementFactory(lead_region=kaltim, kind="loi", expires_on=None)

    dates = read_text(part(status_page(client, loi).content.decode(), 'id="dates-heading"'))
    assert "Berakhir pada —" in dates
    assert "tidak tercatat" not in dates
    row = client.get("/agreements/").content.decode()
    assert loi.title in row


def test_a_signed_loi_says_what_it_led_to_going_on_then_ended(client, kaltim):
    """An LoI with no term of its own said "Belum ada tahapan yang dijadwalkan" and "tidak ada
    yang ditunggu" for as long as it stands, as if nothing had come of it: its page now says
    the MoU it led to, going on, and once that MoU and the PKS under it have expired, that the
    cooperation it began ended with them. An internal MoU is not named to the public."""
    loi = AgreementFactory(
        title="LoI Kaltim–Osaka",
        lead_region=kaltim,
        kind="loi",
        status=Agreement.Status.SIGNED,
        signed_on=datetime.date(2020, 12, 10),
        in_force_from=None,
        expires_on=None,
    )
    mou = AgreementFactory(
        title="MoU Kaltim–Osaka",
        lead_region=kaltim,
        kind="mou",
        follows=loi,
        relation="implements",
        signed_on=datetime.date(2021, 6, 1),
        in_force_from=datetime.date(2021, 6, 1),
        expires_on=days(400),
    )

    glance = read_text(part(status_page(client, loi).content.decode(), 'class="glance"'))
    assert "Pernyataan kehendak ini sudah ditindaklanjuti dengan MoU Kaltim–Osaka" in glance
    assert "tidak ada pada naskah ini: lihat naskah yang melanjutkannya" in glance
    assert "Belum ada tahapan yang dijadwalkan" not in glance

    Agreement.objects.filter(pk=mou.pk).update(expires_on=days(-30))
    AgreementFactory(
        title="PKS Kaltim–Osaka",
        lead_region=kaltim,
        kind="pks",
        follows=mou,
        relation="implements",
        signed_on=datetime.date(2022, 2, 1),
        in_force_from=datetime.date(2022, 2, 1),
        expires_on=days(-10),
    )
    glance = read_text(part(status_page(client, loi).content.decode(), 'class="glance"'))
    assert (
        "Tidak ada: kerja sama yang dirintis pernyataan kehendak ini sudah berakhir, dengan PKS "
        "Kaltim–Osaka"
    ) in glance
    assert "tidak ada: kerja sama ini sudah selesai" in glance

    Agreement.objects.filter(pk__in=[mou.pk]).update(visibility="internal", expires_on=days(400))
    Agreement.objects.filter(kind="pks").delete()
    glance = read_text(part(status_page(client, loi).content.decode(), 'class="glance"'))
    assert "MoU Kaltim–Osaka" not in glance
    assert "Belum ada tahapan yang dijadwalkan" in glance


# -- dormancy of dates known only to their month or year: from the last day they cover --------

# A day a year after the first day of 2025, which a date known only as "Januari 2025" or "2025"
# is stored as: a cooperation started then, or last active then, may be so to the period's
# last day, and is not dormant yet.
NEW_YEAR_2026 = datetime.date(2026, 1, 1)


@pytest.fixture
def on_new_year_2026(monkeypatch):
    """Today is 1 January 2026 for every page."""
    localdate = timezone.localdate

    def today(value=None, timezone=None):
        return NEW_YEAR_2026 if value is None else localdate(value, timezone)

    monkeypatch.setattr(timezone, "localdate", today)
    return NEW_YEAR_2026


# (title, its start: (in force from or, if None, signed on, precision),
#  its sign of life: (done on, precision) or None, dormant on 1 January 2026)
KNOWN_TO_A_PERIOD = [
    ("Berlaku Januari 2025", (datetime.date(2025, 1, 1), "month"), None, False),
    ("Berlaku 2025", (datetime.date(2025, 1, 1), "year"), None, False),
    ("Berlaku Desember 2024", (datetime.date(2024, 12, 1), "month"), None, True),
    ("Berlaku 2024", (datetime.date(2024, 1, 1), "year"), None, True),
    ("Berlaku 1 Januari 2025", (datetime.date(2025, 1, 1), "day"), None, True),
    ("Berlaku 2 Januari 2025", (datetime.date(2025, 1, 2), "day"), None, False),
    ("Kegiatan Januari 2025", (datetime.date(2020, 6, 1), "day"), (2025, 1, "month"), False),
    ("Kegiatan 2025", (datetime.date(2020, 6, 1), "day"), (2025, 1, "year"), False),
    ("Kegiatan Desember 2024", (datetime.date(2020, 6, 1), "day"), (2024, 12, "month"), True),
    ("Kegiatan 2024", (datetime.date(2020, 6, 1), "day"), (2024, 1, "year"), True),
    ("Kegiatan 1 Januari 2025", (datetime.date(2020, 6, 1), "day"), (2025, 1, "day"), True),
]


def known_to_a_period(kaltim, title, start, sign, *, signed_only=False):
    """An agreement in force from ``start`` (else only signed then, ``signed_only``), with an
    activity done on ``sign``, as ``KNOWN_TO_A_PERIOD`` gives them."""
    day, precision = start
    agreement = AgreementFactory(
        title=title,
        lead_region=kaltim,
        signed_on=day if signed_only else datetime.date(2019, 1, 1),
        signed_on_precision=precision if signed_only else "day",
        in_force_from=None if signed_only else day,
        in_force_from_precision="day" if signed_only else precision,
        expires_on=datetime.date(2030, 1, 1),
    )
    if sign is not None:
        year, month, precision = sign
        MilestoneFactory(
            agreement=agreement,
            kind=Milestone.Kind.ACTIVITY,
            title="Pelatihan",
            due_on=None,
            done_on=datetime.date(year, month, 1),
            done_on_precision=precision,
        )
    return agreement


@pytest.mark.parametrize("signed_only", [False, True], ids=["in-force-from", "signed-on"])
@pytest.mark.parametrize(
    "title, start, sign, dormant", KNOWN_TO_A_PERIOD, ids=[c[0] for c in KNOWN_TO_A_PERIOD]
)
def test_a_date_known_to_its_month_or_year_turns_dormant_a_year_after_its_last_day(
    client, kaltim, on_new_year_2026, title, start, sign, dormant, signed_only
):
    """A cooperation in force from "Januari 2025" or "2025" (or, with no date of entry into
    force, signed then), or last active then, may have been so on the last day of that period:
    its status page does not call it *mati suri* a year after the period's first day. A date
    known to the day is read as before."""
    agreement = known_to_a_period(kaltim, title, start, sign, signed_only=signed_only)

    html = " ".join(status_page(client, agreement).content.decode().split())

    assert ("Peringatan: mati suri." in html) is dormant
    assert Agreement.objects.get(pk=agreement.pk).is_dormant is dormant
    assert (agreement in Agreement.objects.dormant()) is dormant


def test_the_dormant_list_and_the_dashboard_read_a_period_to_its_last_day(
    client, kaltim, on_new_year_2026
):
    """The list's *Mati suri* (``dormant=yes``) and the dashboard's figure leading to it hold
    the cooperations whose status page calls them dormant, and only those."""
    dormant = set()
    for title, start, sign, is_dormant in KNOWN_TO_A_PERIOD:
        known_to_a_period(kaltim, title, start, sign)
        if is_dormant:
            dormant.add(title)

    count, listed = counted_and_listed(client)

    assert count == len(dormant) == 6
    for title, *_ in KNOWN_TO_A_PERIOD:
        assert (f">{title}</a>" in listed) is (title in dormant), title


def test_the_dormant_warning_names_the_sign_of_life_that_may_have_been_the_latest(
    client, kaltim, on_new_year_2026
):
    """An activity done "2024" may have been in December 2024, after one of 2 February 2024:
    the warning counts from it and names it."""
    agreement = known_to_a_period(kaltim, "MoU lama", (datetime.date(2020, 6, 1), "day"), None)
    for title, done_on, precision in [
        ("Pameran", datetime.date(2024, 1, 1), "year"),
        ("Rapat koordinasi", datetime.date(2024, 2, 2), "day"),
    ]:
        MilestoneFactory(
            agreement=agreement,
            kind=Milestone.Kind.ACTIVITY,
            title=title,
            due_on=None,
            done_on=done_on,
            done_on_precision=precision,
        )

    html = " ".join(status_page(client, agreement).content.decode().split())

    assert 'sejak <time datetime="2024">2024</time> — lebih dari setahun' in html
    assert "Yang terakhir tercatat: Kegiatan “Pameran”, pada naskah ini." in html


def chain_rows(page):
    """{title: what its row of the chain says of it}, as a reader reads the rows."""
    rows = {}
    for item in re.findall(r'<li class="chain-item.*?</li>', page, re.S):
        title = read_text(part(item, '<p class="chain-title">', "</p>"))
        rows[title.replace(" (halaman ini)", "")] = read_text(
            part(item, '<p class="chain-next">', "</p>")
        )
    return rows


def ended_with_extension(kaltim, **mou):
    """An MoU that expired a month ago, and its extension, signed, going on; ``mou``: more of
    the MoU's fields."""
    ended = AgreementFactory(
        title="MoU Kaltim–Bali",
        lead_region=kaltim,
        signed_on=days(-1900),
        in_force_from=days(-1900),
        expires_on=days(-30),
        **mou,
    )
    extension = AgreementFactory(
        title="Perpanjangan MoU Kaltim–Bali",
        lead_region=kaltim,
        signed_on=days(-60),
        in_force_from=days(-29),
        expires_on=days(1800),
        follows=ended,
        relation="extends",
    )
    return ended, extension


def test_the_chain_row_of_an_ended_text_says_where_its_cooperation_goes_on(client, kaltim):
    """An MoU that expired while its extension, signed, goes on: its page's summary says the
    cooperation continues in the extension, and its row in the chain, on its page and on the
    extension's, says the same, not "Tidak ada langkah berikutnya" as if it had ended there.
    A signed LoI that led to that MoU, with no step to show, says what it led to in its row
    as on its page. One rule each (``continued_in``, ``followed_up_in``), read from the chain
    the page loads."""
    loi = AgreementFactory(
        title="LoI Kaltim–Bali",
        kind="loi",
        lead_region=kaltim,
        status="signed",
        signed_on=days(-2000),
        in_force_from=None,
        expires_on=None,
    )
    mou, extension = ended_with_extension(kaltim, follows=loi, relation="implements")
    extended = "Perpanjangan MoU Kaltim–Bali"
    goes_on = f"Naskah ini sudah berakhir; kerja samanya berlanjut dalam {extended}"
    led_to = f"Pernyataan kehendak ini sudah ditindaklanjuti dengan {extended}"
    page = status_page(client, mou).content.decode()
    assert goes_on in read_text(part(page, 'class="glance"'))
    for text in (mou, extension, loi):
        rows = chain_rows(status_page(client, text).content.decode())
        assert rows["MoU Kaltim–Bali"].startswith(goes_on), rows
        assert rows["LoI Kaltim–Bali"].startswith(led_to), rows
        assert rows[extended] == "Tidak ada langkah berikutnya."


def test_a_chain_row_names_the_text_it_goes_on_in_without_a_link_on_that_texts_page(client, kaltim):
    """On the extension's own page, the ended MoU's row names the extension as this page, as the
    chain's title does, rather than linking the reader to the page they are reading."""
    mou, extension = ended_with_extension(kaltim)
    goes_on = (
        "Naskah ini sudah berakhir; kerja samanya berlanjut dalam Perpanjangan MoU Kaltim–Bali"
    )
    link = f'href="{extension.get_absolute_url()}"'

    here = status_page(client, extension).content.decode()
    row = part(part(here, "MoU Kaltim–Bali</a></p>", "</li>"), '<p class="chain-next">', "</p>")
    assert read_text(row) == f"{goes_on} (halaman ini)"
    assert link not in row
    elsewhere = status_page(client, mou).content.decode()
    row = chain_rows(elsewhere)["MoU Kaltim–Bali"]
    assert row == goes_on
    assert link in part(elsewhere, "(halaman ini)", "</li>")
