"""The stage table (``agreements.stages``): each row as the status page draws it, and
``docs/stages.md`` in step with it."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timesince import timesince

from agreements import stages
from agreements.management.commands.stage_table import english_table
from agreements.models import Agreement, Milestone, Scope, Stage, required_stages
from tests.factories import AgreementFactory, MilestoneFactory, PartnerFactory

pytestmark = pytest.mark.django_db

K = Milestone.Kind
DOCS = Path(__file__).resolve().parent.parent / "docs" / "stages.md"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def on(year, month, day):
    """A date as the status page writes it (Indonesian, the default language)."""
    with translation.override("id"):
        return date_format(datetime.date(year, month, day), "DATE_FORMAT")


def late_by(day):
    """How late a step due by ``day`` is today, as a reader sees it ("8 bulan")."""
    with translation.override("id"):
        return " ".join(timesince(day, timezone.localdate()).split())


def unsigned(**kwargs):
    return AgreementFactory(
        signed_on=None, in_force_from=None, expires_on=None, **{"status": "exploration", **kwargs}
    )


def page_stages(client, agreement):
    """{stage label: its text on the status page}, in the path's order, read from the HTML."""
    response = client.get(reverse("agreement-detail", args=[agreement.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    path = html.split('<ol class="stage-path">', 1)[1].split("</ol>", 1)[0]
    found = {}
    for state, name, text in re.findall(
        r'<li class="stage stage-([a-z_]+)[^"]*".*?<span class="stage-name">(.*?)</span>\s*'
        r'<span class="stage-state">(.*?)</span>\s*</li>',
        path,
        re.S,
    ):
        text = re.sub(r"</?time[^>]*>", "", text)  # a date is inline, as the reader sees it
        found[name] = (state, " ".join(re.sub(r"<[^>]+>", " ", text).split()))
    return found


@pytest.mark.parametrize("document", [DOCS, DOCS.parent.parent / "README.md"])
def test_docs_and_readme_hold_the_table_the_code_applies(document):
    text = document.read_text()
    table = text.split("<!-- stage-table -->\n", 1)[1].split("<!-- /stage-table -->", 1)[0]
    assert table == english_table()


def test_every_stage_and_kind_of_the_table_is_a_known_choice():
    for rule in stages.STAGE_TABLE:
        assert set(rule.kinds) <= set(Agreement.Kind.values)
        assert set(rule.scopes) <= set(Scope.values)
        assert set(rule.stages) <= set(K.values)
        assert set(rule.optional) <= set(rule.stages)
        assert rule.sources
    assert set(stages.DECIDED_BY.values()) <= set(Milestone.WaitsOn.values)


@pytest.mark.parametrize(
    "kind, scope",
    [(kind, scope) for kind in Agreement.Kind.values for scope in Scope.values],
)
def test_every_kind_in_every_scope_has_a_path_ending_in_signing_or_the_loi(kind, scope):
    path = required_stages(kind, scope)
    assert path[-1] == (K.LOI if kind == "loi" else K.SIGNING)


# -- row 1: the LoI ----------------------------------------------------------------------------


def test_row_1_a_signed_loi_passes_exploration_and_the_loi_and_nothing_after(client, kaltim):
    loi = AgreementFactory(
        kind="loi", scope=Scope.KSDPL, status="signed", lead_region=kaltim, in_force_from=None
    )
    MilestoneFactory(agreement=loi, kind=K.EXPLORATION, done_on=datetime.date(2023, 11, 2))
    shown = page_stages(client, loi)
    assert list(shown) == ["Prakarsa", "Penjajakan / kunjungan", "Pernyataan kehendak (LoI)"]
    assert shown["Penjajakan / kunjungan"] == ("passed", "dilalui " + on(2023, 11, 2))
    assert shown["Pernyataan kehendak (LoI)"][0] == "passed"
    for absent in ("Persetujuan DPRD", "Verifikasi Kementerian Dalam Negeri", "Surat kuasa"):
        assert absent not in " ".join(shown)


def test_a_signed_loi_dates_its_loi_stage_by_its_signing_here_and_on_its_follow_up(client, kaltim):
    """An LoI signed on a known day with no step recorded for it: its signing is the LoI stage,
    dated by that day on its own page and on the sister-province text that carries it on, not
    "date not recorded" beside a "Tanggal penting" that gives the date."""
    loi = AgreementFactory(
        kind="loi",
        scope=Scope.KSDPL,
        status="signed",
        lead_region=kaltim,
        signed_on=datetime.date(2025, 5, 10),
        in_force_from=None,
    )
    follow_up = unsigned(
        kind="sister_province",
        scope=Scope.KSDPL,
        lead_region=kaltim,
        status="preparation",
        follows=loi,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    assert page_stages(client, loi)["Pernyataan kehendak (LoI)"] == (
        "passed",
        "dilalui " + on(2025, 5, 10),
    )
    assert page_stages(client, follow_up)["Pernyataan kehendak (LoI)"] == (
        "passed",
        "dilalui " + on(2025, 5, 10) + " · pada Pernyataan kehendak (LoI)",
    )
    # The stages before it, with nothing recorded, still say so.
    assert page_stages(client, loi)["Prakarsa"] == ("passed", "dilalui (tanggal tidak tercatat)")


def test_an_initiative_with_no_step_recorded_is_dated_by_the_day_proposed(client, kaltim):
    """An MoU proposed on a known day ("Diusulkan 10 Januari 2022" in its key dates) with no
    initiative step recorded: its path said "Prakarsa dilalui (tanggal tidak tercatat)" below
    a date the page gives. The initiative is when it was put forward, dated by that day on its
    own page and on the extension carrying it on; an MoU proposed on no recorded day still says
    the date is not recorded, and a step recorded for the initiative dates it as before."""
    mou = AgreementFactory(
        kind="mou",
        scope=Scope.KSDPK,
        lead_region=kaltim,
        proposed_on=datetime.date(2022, 1, 10),
        signed_on=datetime.date(2022, 7, 30),
        in_force_from=datetime.date(2022, 7, 30),
        expires_on=datetime.date(2024, 7, 29),
        status="expired",
    )
    MilestoneFactory(agreement=mou, kind=K.EXPLORATION, done_on=datetime.date(2022, 1, 20))
    extension = AgreementFactory(
        kind="mou",
        scope=Scope.KSDPK,
        lead_region=kaltim,
        proposed_on=datetime.date(2024, 3, 1),
        signed_on=datetime.date(2024, 7, 1),
        in_force_from=datetime.date(2024, 7, 30),
        expires_on=datetime.date(2029, 7, 29),
        follows=mou,
        relation=Agreement.Relation.EXTENDS,
    )
    assert page_stages(client, mou)["Prakarsa"] == ("passed", "dilalui " + on(2022, 1, 10))
    assert page_stages(client, extension)["Prakarsa"] == (
        "passed",
        "dilalui " + on(2022, 1, 10) + " · pada Nota kesepahaman / kesepakatan bersama (MoU)",
    )
    unproposed = AgreementFactory(kind="mou", scope=Scope.KSDPK, lead_region=kaltim)
    assert unproposed.proposed_on is None
    assert page_stages(client, unproposed)["Prakarsa"] == (
        "passed",
        "dilalui (tanggal tidak tercatat)",
    )
    stepped = AgreementFactory(
        kind="mou", scope=Scope.KSDPK, lead_region=kaltim, proposed_on=datetime.date(2022, 1, 10)
    )
    MilestoneFactory(agreement=stepped, kind=K.INITIATIVE, done_on=datetime.date(2022, 2, 1))
    assert page_stages(client, stepped)["Prakarsa"] == ("passed", "dilalui " + on(2022, 2, 1))


# -- row 2: a PKS carrying out an MoU ---------------------------------------------------------


def test_row_2_a_pks_carrying_out_an_mou_is_drafted_and_signed_only(client, kaltim):
    mou = AgreementFactory(kind="mou", scope=Scope.KSDD, lead_region=kaltim)
    pks = unsigned(
        kind="pks",
        scope=Scope.KSDD,
        lead_region=kaltim,
        status="preparation",
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    MilestoneFactory(agreement=pks, kind=K.DRAFTING, due_on=days(10), done_on=None)
    shown = page_stages(client, pks)
    assert list(shown) == ["Penyusunan naskah", "Penandatanganan"]
    assert shown["Penyusunan naskah"][0] == "next"


def test_row_2_a_pks_left_at_the_forms_first_status_reads_as_being_prepared(client, kaltim):
    """A PKS added under a signed MoU and saved with the form's first status, "Prakarsa": its
    path begins at drafting (the MoU's initiative and exploration are the cooperation's), so
    its page does not say "Prakarsa" above a path whose first step is drafting the text; it
    reads "Penyiapan naskah", as the list and its filter do."""
    mou = AgreementFactory(kind="mou", scope=Scope.KSDD, lead_region=kaltim)
    pks = unsigned(
        kind="pks",
        scope=Scope.KSDD,
        lead_region=kaltim,
        status="initiative",
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    page = client.get(reverse("agreement-detail", args=[pks.pk])).content.decode()
    glance = page.split('class="glance-grid"', 1)[1].split("</dd>", 1)[0]
    told = " ".join(re.sub(r"<[^>]+>", " ", glance).split())
    assert "Penyiapan naskah" in told and "Prakarsa" not in told
    assert list(page_stages(client, pks)) == ["Penyusunan naskah", "Penandatanganan"]
    listed = client.get(reverse("agreement-list"), {"status": "preparation"})
    assert pks.pk in [row.pk for row in listed.context["agreements"]]


def test_row_2_a_pks_straight_after_an_loi_goes_the_way_of_its_scope(client, kaltim):
    """Signing an LoI passes exploration and intent, nothing after (row 1): a PKS signed
    straight after it carries out no text the DPRD and the ministries approved. Its page said
    "Penyusunan naskah" and "Penandatanganan" were all the stages required of it, as of a PKS
    under an MoU: an official read that a cooperation abroad needed no TKKSD, no DPRD, no
    ministry and no full powers."""
    loi = AgreementFactory(
        kind="loi",
        scope=Scope.KSDPL,
        lead_region=kaltim,
        partners=[PartnerFactory()],
        status="signed",
        in_force_from=None,
        expires_on=None,
    )
    pks = unsigned(
        kind="pks",
        scope=Scope.KSDPL,
        lead_region=kaltim,
        partners=list(loi.partners.all()),
        status="preparation",
        follows=loi,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    shown = page_stages(client, pks)
    assert list(shown) == [stage.label for stage in required_stages("pks", Scope.KSDPL)]
    assert shown["Pernyataan kehendak (LoI)"] == (
        "passed",
        "dilalui " + on(2024, 1, 15) + " · pada Pernyataan kehendak (LoI)",
    )
    assert shown["Rencana kerja sama (KAK, rencana aksi)"][0] == "next"
    for stage in ("Pembahasan TKKSD", "Persetujuan DPRD", "Surat kuasa (full powers)"):
        assert shown[stage][0] == "ahead"


def test_row_2_a_pks_standing_alone_goes_the_whole_domestic_way(kaltim):
    assert required_stages("pks", Scope.KSDPK, carries_out=False)[:2] == [
        K.INITIATIVE,
        K.EXPLORATION,
    ]


# -- row 3: cooperation with a regional government abroad ------------------------------------


def test_row_3_a_sister_province_goes_through_dprd_both_ministries_and_full_powers(client, kaltim):
    text = unsigned(kind="sister_province", scope=Scope.KSDPL, lead_region=kaltim)
    MilestoneFactory(agreement=text, kind=K.TKKSD, done_on=datetime.date(2024, 5, 2))
    MilestoneFactory(agreement=text, kind=K.DPRD, due_on=days(-3), done_on=None, waits_on="")
    shown = page_stages(client, text)
    assert list(shown)[-5:] == [
        "Verifikasi Kementerian Dalam Negeri",
        "Penyusunan naskah",
        "Paraf naskah",
        "Surat kuasa (full powers)",
        "Penandatanganan",
    ]
    assert shown["Pernyataan kehendak (LoI)"] == ("passed", "dilalui (tanggal tidak tercatat)")
    assert shown["Pembahasan TKKSD"] == ("passed", "dilalui " + on(2024, 5, 2))
    assert shown["Persetujuan DPRD"][0] == "next"
    assert shown["Paraf naskah"] == ("ahead", "belum")


def test_row_3_the_next_stage_is_the_one_planned_and_those_before_it_are_unrecorded(client, kaltim):
    text = unsigned(kind="mou", scope=Scope.KSDPL, lead_region=kaltim, status="preparation")
    MilestoneFactory(agreement=text, kind=K.EXPLORATION, done_on=datetime.date(2024, 4, 23))
    MilestoneFactory(agreement=text, kind=K.SIGNING, due_on=days(-30), done_on=None, waits_on="")
    shown = page_stages(client, text)
    assert shown["Persetujuan DPRD"] == ("unrecorded", "tidak tercatat")
    assert shown["Penandatanganan"][0] == "next"
    assert text.next_step().label == "Penandatanganan"


def test_a_stage_with_a_step_still_planned_is_under_way_not_passed(client, kaltim, bali):
    """A first meeting done and the governors' visit still to come: the page tells the visit as
    what comes next, not exploration as passed with the signing next; once the visit is done,
    exploration is passed."""
    text = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, regions=[kaltim, bali])
    MilestoneFactory(agreement=text, kind=K.EXPLORATION, done_on=datetime.date(2022, 3, 24))
    visit = MilestoneFactory(
        agreement=text,
        kind=K.EXPLORATION,
        title="Kunjungan Gubernur",
        due_on=datetime.date(2022, 3, 26),
        done_on=None,
        waits_on="partner",
    )
    MilestoneFactory(
        agreement=text, kind=K.SIGNING, due_on=datetime.date(2022, 3, 26), done_on=None
    )
    shown = page_stages(client, text)
    assert shown["Penjajakan / kunjungan"] == (
        "next",
        f"berikutnya · target {on(2022, 3, 26)} · terlambat {late_by(datetime.date(2022, 3, 26))}",
    )
    assert shown["Penandatanganan"][0] == "ahead"
    step = text.next_step()
    assert step.label == "Penjajakan / kunjungan" and step.milestone == visit

    visit.done_on = datetime.date(2022, 3, 26)
    visit.save()
    shown = page_stages(client, text)
    assert shown["Penjajakan / kunjungan"] == ("passed", "dilalui " + on(2022, 3, 26))
    assert shown["Penandatanganan"][0] == "next"


# -- row 4: cooperation with an institution abroad ---------------------------------------------


def test_row_4_an_mou_with_an_institution_abroad_may_start_without_an_loi(client, kaltim):
    mou = unsigned(kind="mou", scope=Scope.KSDLL, lead_region=kaltim)
    MilestoneFactory(agreement=mou, kind=K.EXPLORATION, done_on=datetime.date(2018, 4, 9))
    shown = page_stages(client, mou)
    assert "Pernyataan kehendak (LoI)" not in shown
    assert shown["Penjajakan / kunjungan"] == ("passed", "dilalui " + on(2018, 4, 9))
    assert shown["Rencana kerja sama (KAK, rencana aksi)"][0] == "next"
    assert "Persetujuan DPRD" in shown


def test_row_4_an_loi_recorded_for_an_institution_abroad_shows(client, kaltim):
    mou = unsigned(kind="mou", scope=Scope.KSDLL, lead_region=kaltim)
    MilestoneFactory(agreement=mou, kind=K.LOI, done_on=datetime.date(2018, 4, 9))
    assert page_stages(client, mou)["Pernyataan kehendak (LoI)"][0] == "passed"


# -- row 5: domestic cooperation -------------------------------------------------------------


def test_row_5_an_mou_between_regions_needs_no_foreign_ministry_step(client, kaltim, bali):
    mou = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, regions=[bali])
    shown = page_stages(client, mou)
    assert list(shown) == [
        "Prakarsa",
        "Penjajakan / kunjungan",
        "Rencana kerja sama (KAK, rencana aksi)",
        "Pembahasan TKKSD",
        "Penyusunan naskah",
        "Penandatanganan",
    ]


@pytest.mark.parametrize("kind", [K.MINISTRY, K.INITIALLING, K.FULL_POWERS])
def test_row_5_a_domestic_cooperation_takes_no_step_of_a_cooperation_abroad(
    staff_client, kaltim, bali, kind
):
    """Between regions there is no verification by the Ministry of Home Affairs, no initialling
    and no full powers: a step of one typed into the agreement form's milestone table is
    refused at that row, with the reason; otherwise the page told "next: the plan, scheduled:
    initialling" and a domestic MoU waiting on the Foreign Ministry."""
    from tests.helpers import agreement_form_data, change_url, form_errors, with_new_milestone

    text = unsigned(
        kind="mou",
        scope=Scope.KSDD,
        lead_region=kaltim,
        regions=[kaltim, bali],
        status="preparation",
    )
    data = with_new_milestone(
        agreement_form_data(text), kind=kind, title="Langkah", due_on="10/01/2027"
    )
    response = staff_client.post(change_url(text), data)
    assert response.status_code == 200
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "kind" in row.errors
    assert any("KSDD" in message for message in form_errors(response))
    assert not text.milestones.exists()
    # Abroad, the same step is taken.
    abroad = unsigned(kind="sister_province", scope=Scope.KSDPL, lead_region=kaltim)
    MilestoneFactory.build(agreement=abroad, kind=kind, due_on=days(30)).full_clean()


def test_row_5_dprd_approval_shows_where_the_bureau_records_it(client, kaltim, bali):
    mou = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, regions=[bali])
    MilestoneFactory(agreement=mou, kind=K.DPRD, due_on=days(5), done_on=None, waits_on="dprd")
    shown = page_stages(client, mou)
    assert "Persetujuan DPRD" in shown
    assert mou.next_step().waits_on == "DPRD"


# -- marks by the bureau ---------------------------------------------------------------------


def test_the_bureau_marks_a_stage_skipped_or_not_required_and_the_page_says_why(client, kaltim):
    text = unsigned(kind="sister_city", scope=Scope.KSDPL, lead_region=kaltim)
    MilestoneFactory(
        agreement=text,
        kind=K.LOI,
        done_on=datetime.date(2024, 2, 1),
        mark=Milestone.Mark.NOT_REQUIRED,
        notes="Langsung ke naskah kota kembar atas arahan Sekda.",
    )
    MilestoneFactory(
        agreement=text,
        kind=K.PLAN,
        done_on=datetime.date(2024, 2, 2),
        mark=Milestone.Mark.SKIPPED,
        notes="Rencana aksi disusun bersama naskah.",
    )
    shown = page_stages(client, text)
    assert shown["Pernyataan kehendak (LoI)"] == (
        "not_required",
        "tidak diperlukan (diputuskan " + on(2024, 2, 1) + "): "
        "Langsung ke naskah kota kembar atas arahan Sekda.",
    )
    assert shown["Rencana kerja sama (KAK, rencana aksi)"] == (
        "skipped",
        "dilewati " + on(2024, 2, 2) + ": Rencana aksi disusun bersama naskah.",
    )
    assert shown["Pembahasan TKKSD"][0] == "next"
    assert text.next_step().waits_on == "TKKSD"


def test_a_stage_found_not_required_passes_no_stage_still_planned_before_it(client, kaltim):
    """The DPRD's approval found not needed while the plan is still to be made: the plan is
    the next step, with its own target, and neither it nor the TKKSD is claimed passed."""
    text = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim)
    MilestoneFactory(agreement=text, kind=K.EXPLORATION, due_on=None, done_on=days(-60))
    MilestoneFactory(
        agreement=text, kind=K.PLAN, title="Menyusun KAK", due_on=days(50), done_on=None
    )
    MilestoneFactory(
        agreement=text,
        kind=K.DPRD,
        due_on=None,
        done_on=days(-3),
        mark=Milestone.Mark.NOT_REQUIRED,
        notes="Tidak membebani APBD.",
    )
    shown = page_stages(client, text)
    assert shown["Penjajakan / kunjungan"][0] == "passed"
    assert shown["Rencana kerja sama (KAK, rencana aksi)"][0] == "next"
    assert shown["Pembahasan TKKSD"][0] == "ahead"
    assert shown["Persetujuan DPRD"][0] == "not_required"
    page = client.get(reverse("agreement-detail", args=[text.pk])).content.decode()
    step = page.split("Langkah berikutnya", 1)[1].split("</dd>", 1)[0]
    assert "Rencana kerja sama (KAK, rencana aksi)" in step
    assert "Penyusunan naskah" not in step


def test_a_mark_needs_the_day_it_was_decided(kaltim):
    from django.core.exceptions import ValidationError

    milestone = Milestone(
        agreement=unsigned(lead_region=kaltim),
        kind=K.DPRD,
        title="DPRD",
        due_on=days(3),
        mark=Milestone.Mark.NOT_REQUIRED,
    )
    with pytest.raises(ValidationError) as error:
        milestone.full_clean()
    assert "done_on" in error.value.message_dict


def test_a_stage_marked_not_required_in_the_milestone_table_asks_for_its_reason(
    staff_client, kaltim, bali
):
    """The agreement form's milestone table offers "recorded as: not required" but not the
    notes its reason goes in (they are on the step's own page): a row so marked is refused
    with a message at that row saying where the reason is written, never a server error, and
    nothing is saved."""
    from tests.helpers import agreement_form_data, change_url, form_errors, with_new_milestone

    text = AgreementFactory(
        kind="mou", scope=Scope.KSDD, lead_region=kaltim, regions=[kaltim, bali]
    )
    data = with_new_milestone(
        agreement_form_data(text),
        kind=K.DPRD,
        title="Persetujuan DPRD",
        done_on="01/12/2023",
        mark=Milestone.Mark.NOT_REQUIRED,
    )
    response = staff_client.post(change_url(text), data)
    assert response.status_code == 200
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "mark" in row.errors
    assert any("alasan" in message for message in form_errors(response))
    assert not text.milestones.exists()


def test_a_cancelled_cooperation_has_no_next_stage(client, kaltim):
    text = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, status="cancelled")
    shown = page_stages(client, text)
    assert all(state != "next" for state, _text in shown.values())
    assert text.next_step() is None


def test_a_cancelled_text_never_says_a_stage_it_did_not_reach_is_still_to_come(client, kaltim):
    """An MoU cancelled after its plan was made, its TKKSD review planned: the stages it never
    reached are not "belum" (not yet), as if they were still to come, nor planned with a
    target; the path says they were not taken, as the timeline below says the planned review
    is no longer needed."""
    text = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, status="cancelled")
    planned_on = days(-200)
    MilestoneFactory(agreement=text, kind=K.PLAN, done_on=planned_on, due_on=None)
    MilestoneFactory(agreement=text, kind=K.TKKSD, title="Pembahasan", due_on=days(-100))
    shown = page_stages(client, text)
    made = on(planned_on.year, planned_on.month, planned_on.day)
    assert shown["Rencana kerja sama (KAK, rencana aksi)"] == ("passed", f"dilalui {made}")
    not_taken = ("not_taken", "tidak ditempuh: naskah ini batal")
    assert shown["Pembahasan TKKSD"] == not_taken
    assert shown["Penyusunan naskah"] == not_taken
    assert shown["Penandatanganan"] == not_taken
    assert "Tidak lagi diperlukan" in client.get(text.get_absolute_url()).content.decode()


def test_the_model_reads_the_path_of_its_kind_and_scope(kaltim):
    text = unsigned(
        kind="mou",
        scope=Scope.KSDPL,
        lead_region=kaltim,
        partners=[PartnerFactory()],
    )
    assert [s.kind for s in text.stage_path()] == required_stages("mou", Scope.KSDPL)
    assert Stage.NEXT in {s.state for s in text.stage_path()}


def test_a_stage_the_bureau_set_aside_is_not_told_as_done_in_the_timeline(client, kaltim):
    """The stage path says "dilewati" and "tidak diperlukan"; the milestone timeline below it
    says the same, not "Selesai" as if the step had been carried out."""
    text = unsigned(kind="sister_city", scope=Scope.KSDPL, lead_region=kaltim)
    for kind, day, mark, title in (
        (K.LOI, 1, Milestone.Mark.NOT_REQUIRED, "LoI tidak diperlukan"),
        (K.PLAN, 2, Milestone.Mark.SKIPPED, "Rencana aksi dilewati"),
        (K.EXPLORATION, 3, Milestone.Mark.DONE, "Kunjungan penjajakan"),
    ):
        MilestoneFactory(
            agreement=text, kind=kind, title=title, done_on=datetime.date(2024, 2, day), mark=mark
        )

    html = client.get(reverse("agreement-detail", args=[text.pk])).content.decode()
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    told = {
        title: state
        for state, title in re.findall(
            r'<span class="milestone-state">(.*?)</span>.*?<strong>(.*?)</strong>', timeline, re.S
        )
    }
    assert told == {
        "LoI tidak diperlukan": "Tidak diperlukan",
        "Rencana aksi dilewati": "Dilewati",
        "Kunjungan penjajakan": "Selesai",
    }


def test_a_planned_step_in_the_admin_is_not_offered_as_recorded_done(staff_client, kaltim):
    """The bureau's "recorded as" on a step still planned does not read "Terlaksana" (done):
    the ordinary choice says it covers a planned step too, on the agreement's form and on the
    step's own page."""
    from tests.helpers import change_url

    text = unsigned(kind="sister_city", scope=Scope.KSDPL, lead_region=kaltim)
    planned = MilestoneFactory(agreement=text, kind=K.TKKSD, due_on=datetime.date(2026, 1, 5))

    for url, name in ((change_url(text), "milestones-0-mark"), (change_url(planned), "mark")):
        html = staff_client.get(url).content.decode()
        select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        selected = re.search(r'<option value=""[^>]*selected>(.*?)</option>', select).group(1)
        assert selected == "Terlaksana atau direncanakan", url


def test_an_extension_carries_on_the_path_of_the_text_it_extends(client, kaltim, bali):
    """The extension of an expired MoU, being prepared: the cooperation was proposed and
    explored on the way to the MoU, so its page does not send it back to "initiative" as the
    next step under a status of "preparation"; the plan is next."""
    mou = AgreementFactory(
        kind="mou",
        scope=Scope.KSDD,
        lead_region=kaltim,
        regions=[kaltim, bali],
        signed_on=datetime.date(2020, 2, 1),
        in_force_from=datetime.date(2020, 2, 1),
        expires_on=datetime.date(2025, 2, 1),
    )
    MilestoneFactory(agreement=mou, kind=K.EXPLORATION, done_on=datetime.date(2019, 6, 3))
    extension = unsigned(
        kind="mou",
        scope=Scope.KSDD,
        lead_region=kaltim,
        regions=[kaltim, bali],
        status="preparation",
        follows=mou,
        relation=Agreement.Relation.EXTENDS,
    )
    shown = page_stages(client, extension)
    assert shown["Prakarsa"][0] == "passed"
    assert shown["Penjajakan / kunjungan"] == (
        "passed",
        "dilalui " + on(2019, 6, 3) + " · pada Nota kesepahaman / kesepakatan bersama (MoU)",
    )
    assert shown["Rencana kerja sama (KAK, rencana aksi)"][0] == "next"
    page = client.get(reverse("agreement-detail", args=[extension.pk])).content.decode()
    step = page.split("Langkah berikutnya", 1)[1].split("</dd>", 1)[0]
    assert "Rencana kerja sama" in step and "Prakarsa" not in step


def test_a_text_recorded_as_in_preparation_is_not_sent_back_to_its_initiative(client, kaltim):
    """An MoU the bureau records as "Penyiapan naskah" with no step recorded yet: its page
    does not say "Prakarsa" is next under that status; the initiative and the exploration it
    is past count as passed (date not recorded), and the plan is next."""
    text = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, status="preparation")
    shown = page_stages(client, text)
    assert shown["Prakarsa"] == ("passed", "dilalui (tanggal tidak tercatat)")
    assert shown["Penjajakan / kunjungan"] == ("passed", "dilalui (tanggal tidak tercatat)")
    assert shown["Rencana kerja sama (KAK, rencana aksi)"][0] == "next"
    page = client.get(reverse("agreement-detail", args=[text.pk])).content.decode()
    step = page.split("Langkah berikutnya", 1)[1].split("</dd>", 1)[0]
    assert "Rencana kerja sama" in step and "Prakarsa" not in step
    # Recorded as being explored, the exploration itself is what comes next.
    explored = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, status="exploration")
    assert page_stages(client, explored)["Prakarsa"][0] == "passed"
    assert page_stages(client, explored)["Penjajakan / kunjungan"][0] == "next"


@pytest.mark.parametrize("scope", [Scope.KSDD, Scope.KSDPL])
def test_an_loi_whose_text_is_being_prepared_has_its_signing_still_to_come(
    client, kaltim, bali, scope
):
    """An LoI the bureau records as "Penyiapan naskah" (its text is being drafted) with no step
    recorded: the initiative and the exploration count as passed, but its LoI stage is its own
    signing, still to come and next, not passed "(tanggal tidak tercatat)" beneath a status
    that says it is not signed; its page and the list say a step is pending, whom it waits on
    not yet known, rather than that nothing is."""
    parties = {"regions": [bali]} if scope == Scope.KSDD else {}
    loi = unsigned(kind="loi", scope=scope, lead_region=kaltim, status="preparation", **parties)
    shown = page_stages(client, loi)
    assert shown["Prakarsa"] == ("passed", "dilalui (tanggal tidak tercatat)")
    assert shown["Penjajakan / kunjungan"] == ("passed", "dilalui (tanggal tidak tercatat)")
    assert shown["Pernyataan kehendak (LoI)"] == ("next", "berikutnya")
    page = client.get(reverse("agreement-detail", args=[loi.pk])).content.decode()
    glance = " ".join(re.sub(r"<[^>]+>", " ", page.split('class="glance-grid"', 1)[1]).split())
    assert "Penyiapan naskah Langkah berikutnya Pernyataan kehendak (LoI)" in glance
    assert "Menunggu belum ditentukan" in glance
    listed = client.get(reverse("agreement-list")).content.decode()
    [row] = [r for r in listed.split("<tr>") if f'href="{loi.get_absolute_url()}"' in r]
    assert "belum ditentukan" in row


def test_the_extension_of_an_loi_is_not_passed_by_the_loi_it_extends(client, kaltim):
    """An LoI extended by a new LoI not yet signed: the new one carries on the initiative and
    the exploration, but its LoI stage is its own signing, still to come, not the old one's."""
    loi = AgreementFactory(
        kind="loi",
        scope=Scope.KSDPL,
        status="signed",
        lead_region=kaltim,
        signed_on=datetime.date(2022, 5, 10),
        in_force_from=None,
    )
    extension = unsigned(
        kind="loi",
        scope=Scope.KSDPL,
        lead_region=kaltim,
        status="exploration",
        follows=loi,
        relation=Agreement.Relation.EXTENDS,
    )
    shown = page_stages(client, extension)
    assert shown["Penjajakan / kunjungan"][0] == "passed"
    assert shown["Pernyataan kehendak (LoI)"][0] == "next"


def test_an_mou_in_force_waits_with_its_amendment_being_drafted(client, kaltim, bali):
    """An MoU in force with nothing of its own planned, its amendment being drafted by the
    bureau: the MoU's page does not say that nothing is pending while the chain below it shows
    the amendment's step; it names that step, on the amendment, and whom it waits on."""
    mou = AgreementFactory(kind="mou", scope=Scope.KSDD, lead_region=kaltim, regions=[kaltim, bali])
    amendment = unsigned(
        title="Adendum pertama",
        kind="amendment",
        scope=Scope.KSDD,
        lead_region=kaltim,
        regions=[kaltim, bali],
        status="preparation",
        follows=mou,
        relation=Agreement.Relation.AMENDS,
    )
    MilestoneFactory(
        agreement=amendment,
        kind=K.DRAFTING,
        title="Penyusunan adendum",
        due_on=days(40),
        done_on=None,
        waits_on=Milestone.WaitsOn.BUREAU,
    )
    page = client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    glance = page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    told = " ".join(re.sub(r"<[^>]+>", " ", glance).split())
    assert "Penyusunan naskah" in told and "Adendum pertama" in told
    assert "Biro/Bagian Kerja Sama" in told
    assert "tidak ada yang ditunggu" not in told
    # The list says the same of it as its page.
    listed = client.get(reverse("agreement-list"), {"waits_on": "bureau"})
    assert mou.pk in [row.pk for row in listed.context["agreements"]]


# -- a signed document's path and next step, as its page shows them ----------------------------


def test_a_signed_document_without_a_signing_step_shows_its_signing_date_on_the_path(
    client, kaltim
):
    """Signed on a known date with no signing step recorded (as an import leaves it): the path
    dates the signing by the agreement's own date, as "Tanggal penting" beside it does."""
    agreement = AgreementFactory(lead_region=kaltim, signed_on=datetime.date(2019, 3, 4))
    shown = page_stages(client, agreement)
    assert shown["Penandatanganan"] == ("passed", "dilalui " + on(2019, 3, 4))
    # A stage before it, unrecorded, still says so.
    assert shown["Penjajakan / kunjungan"] == ("passed", "dilalui (tanggal tidak tercatat)")


def test_a_visit_left_open_before_signing_is_no_next_step_of_the_signed_document(client, kaltim):
    """The page shows exploration passed once the document is signed; a visit planned before
    and never closed is not "Langkah berikutnya", nor whom the list says the cooperation waits
    on: the next activity is."""
    agreement = unsigned(lead_region=kaltim, kind="mou", scope=Scope.KSDD, title="Kerja sama Y")
    MilestoneFactory(
        agreement=agreement,
        kind=K.EXPLORATION,
        title="Kunjungan penjajakan",
        due_on=days(5),
        done_on=None,
        waits_on=Milestone.WaitsOn.PARTNER,
    )
    Agreement.objects.filter(pk=agreement.pk).update(
        status="signed", signed_on=days(-2), in_force_from=days(30), expires_on=days(2000)
    )
    Agreement.objects.filter(pk=agreement.pk).refresh_progress()
    page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    assert page_stages(client, agreement)["Penjajakan / kunjungan"][0] == "passed"
    step = page.split("Langkah berikutnya", 1)[1].split("</dd>", 1)[0]
    assert "Kunjungan penjajakan" not in step
    listed = client.get(reverse("agreement-list"), {"q": "Kerja sama Y"}).content.decode()
    assert "Mitra" not in listed.split('<table class="agreement-table">', 1)[1]

    MilestoneFactory(
        agreement=agreement,
        kind=K.ACTIVITY,
        title="Pertukaran guru",
        due_on=days(40),
        done_on=None,
        waits_on=Milestone.WaitsOn.BUREAU,
    )
    Agreement.objects.filter(pk=agreement.pk).refresh_progress()
    page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    assert "Pertukaran guru" in page.split("Langkah berikutnya", 1)[1].split("</dd>", 1)[0]


def test_a_signing_never_ticked_off_is_not_late_once_the_document_is_signed(client, kaltim):
    """The bureau planned the signing, then recorded the signed document without closing the
    step. Its path shows signing passed: the step is no longer said to be late on its page, on
    the dashboard or on the list of the late; an activity of it that is late still is."""
    agreement = AgreementFactory(lead_region=kaltim, title="Kerja sama Z")
    MilestoneFactory(
        agreement=agreement,
        kind=K.SIGNING,
        title="Penandatanganan di Balikpapan",
        due_on=days(-30),
        done_on=None,
        waits_on=Milestone.WaitsOn.PARTNER,
    )
    page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    timeline = page.split('<ol class="timeline">', 1)[1]
    signing = timeline.split("Penandatanganan di Balikpapan", 1)[0].rsplit("<li", 1)[1]
    assert "Tidak lagi diperlukan" in signing
    assert "terlambat" not in timeline.lower()
    assert "Menunggu: Mitra" not in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Penandatanganan di Balikpapan" not in dashboard
    late = client.get(reverse("agreement-list"), {"late": "yes"}).content.decode()
    assert "Kerja sama Z" not in late

    MilestoneFactory(agreement=agreement, title="Pameran bersama", due_on=days(-3), done_on=None)
    page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    timeline = page.split('<ol class="timeline">', 1)[1]
    assert "terlambat" in timeline.split("Pameran bersama", 1)[0].rsplit("<li", 1)[1]
    assert "Pameran bersama" in client.get(reverse("dashboard")).content.decode()
    late = client.get(reverse("agreement-list"), {"late": "yes"}).content.decode()
    assert "Kerja sama Z" in late


def test_a_step_due_while_the_cooperation_ran_and_never_done_is_not_said_no_longer_needed(
    client, kaltim
):
    """A PKS of 2021 ran to the end of 2024; its evaluation, planned for December 2023, was
    never recorded done. Its page told officials the evaluation was "no longer needed"; it was
    due, and is not recorded as done. A step planned past the day the PKS ended is no longer
    needed, as before."""
    pks = AgreementFactory(
        lead_region=kaltim,
        kind="pks",
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2021, 6, 1),
        signed_on_precision="month",
        in_force_from=datetime.date(2021, 6, 1),
        in_force_from_precision="month",
        expires_on=datetime.date(2024, 1, 1),
        expires_on_precision="year",
    )
    MilestoneFactory(
        agreement=pks,
        kind=K.EVALUATION,
        title="Evaluasi pelaksanaan PKS",
        due_on=datetime.date(2023, 12, 1),
        due_on_precision="month",
        done_on=None,
    )
    MilestoneFactory(
        agreement=pks,
        kind=K.ACTIVITY,
        title="Pameran 2025",
        due_on=datetime.date(2025, 3, 1),
        done_on=None,
    )
    Agreement.objects.filter(pk=pks.pk).refresh_progress()
    page = client.get(reverse("agreement-detail", args=[pks.pk])).content.decode()
    timeline = page.split('<ol class="timeline">', 1)[1]
    evaluation = timeline.split("Evaluasi pelaksanaan PKS", 1)[0].rsplit("<li", 1)[1]
    assert "Tidak tercatat terlaksana" in evaluation
    assert "Tidak lagi diperlukan" not in evaluation
    later = timeline.split("Pameran 2025", 1)[0].rsplit("<li", 1)[1]
    assert "Tidak lagi diperlukan" in later


def test_a_step_still_to_come_of_a_text_terminated_on_an_unrecorded_day_is_not_said_missed(
    client, kaltim
):
    """An MoU running to 2029 is recorded terminated, the day of its termination not recorded;
    its mid-term evaluation is planned a year from now. Its page said the evaluation was "not
    recorded as done", of a target still to come: the cooperation ended first, so the
    evaluation is no longer needed."""
    today = timezone.localdate()
    mou = AgreementFactory(
        lead_region=kaltim,
        kind="mou",
        status=Agreement.Status.TERMINATED,
        signed_on=today - datetime.timedelta(days=2 * 365),
        in_force_from=today - datetime.timedelta(days=2 * 365),
        expires_on=today + datetime.timedelta(days=3 * 365),
    )
    MilestoneFactory(
        agreement=mou,
        kind=K.EVALUATION,
        title="Evaluasi tengah masa",
        due_on=today + datetime.timedelta(days=365),
        done_on=None,
    )
    Agreement.objects.filter(pk=mou.pk).refresh_progress()
    page = client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    timeline = page.split('<ol class="timeline">', 1)[1]
    evaluation = timeline.split("Evaluasi tengah masa", 1)[0].rsplit("<li", 1)[1]
    assert "Tidak tercatat terlaksana" not in evaluation
    assert "Tidak lagi diperlukan" in evaluation


def test_a_signing_recorded_before_the_signed_date_leaves_the_next_activity_next(client, kaltim):
    """The bureau ticked off the signing in the milestone table and planned the first activity,
    but left the status at "Penyiapan naskah" until the signed text comes back with its date.
    The path shows every stage passed; the activity, now late, is what happens next: the page
    does not say nothing is scheduled or pending while its timeline and the dashboard show that
    step overdue, and the list's row says whom it waits on and that it is late."""
    agreement = unsigned(
        lead_region=kaltim, kind="mou", scope=Scope.KSDD, status="preparation", title="MoU W"
    )
    MilestoneFactory(
        agreement=agreement, kind=K.SIGNING, title="Penandatanganan", due_on=None, done_on=days(-20)
    )
    MilestoneFactory(
        agreement=agreement,
        kind=K.ACTIVITY,
        title="Pelatihan guru",
        due_on=days(-5),
        done_on=None,
        waits_on=Milestone.WaitsOn.BUREAU,
    )
    assert all(state == "passed" for state, _text in page_stages(client, agreement).values())
    page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    glance = page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    told = " ".join(re.sub(r"<[^>]+>", " ", glance).split())
    assert "Pelatihan guru" in told and "terlambat 5 hari" in told
    assert "Biro/Bagian Kerja Sama" in told
    assert "Belum ada tahapan yang dijadwalkan" not in told
    assert "Pelatihan guru" in client.get(reverse("dashboard")).content.decode()
    listed = client.get(reverse("agreement-list"), {"q": "MoU W"}).content.decode()
    row = listed.split('<table class="agreement-table">', 1)[1]
    assert "Biro/Bagian Kerja Sama" in row and "terlambat" in row


# -- late and planned stages: the rule of the timeline, the dashboard and the list -----------


def test_the_next_stage_past_its_target_says_it_is_late_and_how_late(client, kaltim):
    """The drafting through the Foreign Ministry was due 40 days ago: the path says so in
    words beside its target, as the summary box and the timeline do, not by colour alone."""
    text = unsigned(kind="sister_province", scope=Scope.KSDPL, lead_region=kaltim)
    MilestoneFactory(agreement=text, kind=K.LOI, done_on=datetime.date(2024, 2, 1))
    due = days(-40)
    MilestoneFactory(agreement=text, kind=K.DRAFTING, due_on=due, done_on=None, waits_on="kemlu")
    shown = page_stages(client, text)
    assert shown["Penyusunan naskah"] == (
        "next",
        f"berikutnya · target {on(due.year, due.month, due.day)} · terlambat {late_by(due)}",
    )
    html = client.get(reverse("agreement-detail", args=[text.pk])).content.decode()
    assert '<li class="stage stage-next stage-late" aria-current="step">' in html


def test_a_stage_further_ahead_with_a_step_planned_shows_its_target_and_whether_it_is_late(
    client, kaltim, bali
):
    """Kalteng–Bali (seed 001): the governors' visit of 26 March is next, and the signing was
    planned for the same day. Both are late; the TKKSD, planned for next month, is not yet;
    a stage with nothing planned is just "belum"."""
    text = unsigned(kind="mou", scope=Scope.KSDD, lead_region=kaltim, regions=[kaltim, bali])
    MilestoneFactory(agreement=text, kind=K.EXPLORATION, done_on=datetime.date(2022, 3, 24))
    visit = datetime.date(2022, 3, 26)
    MilestoneFactory(agreement=text, kind=K.EXPLORATION, due_on=visit, done_on=None)
    MilestoneFactory(agreement=text, kind=K.SIGNING, due_on=visit, done_on=None)
    MilestoneFactory(agreement=text, kind=K.TKKSD, due_on=days(30), done_on=None)
    shown = page_stages(client, text)
    late = f"target {on(2022, 3, 26)} · terlambat {late_by(visit)}"
    assert shown["Penjajakan / kunjungan"] == ("next", "berikutnya · " + late)
    assert shown["Penandatanganan"] == ("ahead", "direncanakan · " + late)
    soon = days(30)
    assert shown["Pembahasan TKKSD"] == (
        "ahead",
        f"direncanakan · target {on(soon.year, soon.month, soon.day)}",
    )
    assert shown["Penyusunan naskah"] == ("ahead", "belum")


def test_a_target_known_by_its_month_is_late_on_the_path_only_after_the_whole_month(client, kaltim):
    """A step due "this month" is not late yet, however far into the month today is; one due
    last month is, counted from the month's last day (``Milestone.due_by``)."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_day = this_month - datetime.timedelta(days=1)  # the end of last month: due by then
    last_month = last_day.replace(day=1)
    text = unsigned(kind="mou", scope=Scope.KSDPL, lead_region=kaltim, status="preparation")
    MilestoneFactory(agreement=text, kind=K.TKKSD, done_on=datetime.date(2024, 5, 2))
    MilestoneFactory(
        agreement=text, kind=K.DPRD, due_on=this_month, due_on_precision="month", done_on=None
    )
    MilestoneFactory(
        agreement=text, kind=K.SIGNING, due_on=last_month, due_on_precision="month", done_on=None
    )
    with translation.override("id"):
        this_label = date_format(this_month, "YEAR_MONTH_FORMAT")
        last_label = date_format(last_month, "YEAR_MONTH_FORMAT")
    shown = page_stages(client, text)
    assert shown["Persetujuan DPRD"] == ("next", f"berikutnya · target {this_label}")
    assert shown["Penandatanganan"] == (
        "ahead",
        f"direncanakan · target {last_label} · terlambat {late_by(last_day)}",
    )


def test_the_path_reads_late_in_english(client, kaltim):
    text = unsigned(kind="sister_province", scope=Scope.KSDPL, lead_region=kaltim)
    MilestoneFactory(agreement=text, kind=K.LOI, done_on=datetime.date(2024, 2, 1))
    due = days(-40)
    MilestoneFactory(agreement=text, kind=K.DRAFTING, due_on=due, done_on=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("agreement-detail", args=[text.pk])).content.decode()
    translation.deactivate()  # the request left English active in this thread
    path = html.split('<ol class="stage-path">', 1)[1].split("</ol>", 1)[0]
    with translation.override("en"):
        date = date_format(due, "DATE_FORMAT")
        late = " ".join(timesince(due, timezone.localdate()).split())
    assert f"next · due {date} · {late} overdue" in " ".join(re.sub(r"<[^>]+>", " ", path).split())
