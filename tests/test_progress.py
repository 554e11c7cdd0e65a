"""Where a cooperation stands is stored on the agreement (next stage, next milestone, whom it
waits on, target date) so lists filter and count by it at national scale. These tests hold the
stored value to the rule (``progress_of_chain``) after every path that writes: the admin's
agreement form and its milestone inline, the milestone admin, deleting, the importer, the demo
and the benchmark's generator; and hold the database to what cannot be true."""

import csv
import datetime
import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from agreements.imports import AgreementImport
from agreements.models import (
    Agreement,
    AgreementQuerySet,
    Milestone,
    _stored_progress,
    progress_of_chain,
    status_on_path,
)
from tests.factories import AgreementFactory, MilestoneFactory, RegencyFactory
from tests.helpers import assert_parties_fit_their_scope
from tests.test_admin import ADD, agreement_form, change_url, with_milestone
from tests.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db


def stored(agreement):
    agreement = Agreement.objects.get(pk=agreement.pk)
    return (
        agreement.next_stage,
        agreement.next_milestone_id,
        agreement.waits_on,
        agreement.next_due_on,
    )


def assert_every_stored_progress_is_the_rule():
    """Every agreement's stored progress equals the rule read afresh along its chain, and no
    status is behind the stages its path shows passed."""
    everything = list(Agreement.objects.all().for_chain_page())
    progress = progress_of_chain(everything)
    assert everything, "nothing was written"
    for agreement in everything:
        path, step = progress[agreement.pk]
        assert stored(agreement) == _stored_progress(step), agreement.title
        assert agreement.status == status_on_path(agreement.status, path), agreement.title
    # The late filter reads the earliest target stored with it: the agreements it finds are
    # those with a step overdue, on any day, before and after their targets and lapses.
    today = timezone.localdate()
    for day in (today - datetime.timedelta(days=400), today, today + datetime.timedelta(days=800)):
        found = Agreement.objects.with_overdue_steps(day).values_list("pk", flat=True)
        overdue = Milestone.objects.overdue(day).values_list("agreement_id", flat=True)
        assert set(found) == set(overdue), day
    # The list filters and sorts by expiry by the day stored with each: a terminated one's
    # termination day, as its pages say it ("Diakhiri pada …"), else its expiry's last day.
    for agreement in everything:
        ended = agreement.terminated_on
        assert agreement.ends_by == (ended.end if ended else agreement.expires_by), agreement.title


def test_the_loi_and_its_follow_up_both_store_the_step_the_chain_waits_on(kemlu_step):
    loi, text, step = kemlu_step
    assert stored(text) == ("drafting", step.pk, "kemlu", step.due_on)
    # The signed LoI has nothing of its own ahead: it waits for what carries it out.
    assert stored(loi) == ("drafting", step.pk, "kemlu", step.due_on)
    assert_every_stored_progress_is_the_rule()


# -- the admin ------------------------------------------------------------------------------


def test_admin_add_with_a_milestone_inline_stores_the_next_step(staff_client, kaltim):
    data = with_milestone(
        agreement_form(kaltim, status="preparation", signed_on="", in_force_from="", expires_on=""),
        kind="dprd",
        title="Sidang paripurna",
        due_on="2027-02-01",
    )
    assert staff_client.post(ADD, data).status_code == 302
    agreement = Agreement.objects.get()
    # A KSDD path shows DPRD approval where the bureau records it, as here: it is next.
    sidang = agreement.milestones.get()
    assert stored(agreement) == ("dprd", sidang.pk, "dprd", datetime.date(2027, 2, 1))
    assert_every_stored_progress_is_the_rule()


def test_admin_change_to_cancelled_stores_that_nobody_is_waited_on(staff_client, kemlu_step):
    loi, text, step = kemlu_step
    data = agreement_form(
        text.lead_region,
        title=text.title,
        kind=text.kind,
        scope=text.scope,
        status="cancelled",
        signed_on="",
        in_force_from="",
        expires_on="",
        follows=loi.pk,
        relation="implements",
        loaded_version=str(text.version),
        **{
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": str(step.pk),
            "milestones-0-agreement": str(text.pk),
            "milestones-0-kind": "drafting",
            "milestones-0-title": step.title,
            "milestones-0-due_on": step.due_on.isoformat(),
            "milestones-0-waits_on": "kemlu",
            "milestones-0-mark": "",
        },
    )
    response = staff_client.post(change_url(text), data)
    assert response.status_code == 302, response.context["errors"]
    assert stored(text) == ("", None, "", None)
    assert stored(loi) == ("", None, "", None)
    assert_every_stored_progress_is_the_rule()


def test_terminating_in_the_admin_stores_the_day_it_ended_and_mending_it_the_expiry(
    staff_client, kaltim
):
    """Terminated in the agreement form with its termination step done, a cooperation ends on
    that day, not on its first term; its step moved on the step's page moves it; the status
    mended back to in force, it ends with its term again."""

    def ends_by(agreement):
        return Agreement.objects.values_list("ends_by", flat=True).get(pk=agreement.pk)

    agreement = AgreementFactory(
        lead_region=kaltim,
        title="Kerja sama pengembangan pariwisata",
        signed_on=datetime.date(2022, 7, 28),
        in_force_from=datetime.date(2022, 7, 28),
        expires_on=datetime.date(2027, 7, 28),
    )
    assert ends_by(agreement) == datetime.date(2027, 7, 28)
    data = with_milestone(
        agreement_form(
            kaltim,
            status="terminated",
            signed_on="2022-07-28",
            in_force_from="2022-07-28",
            expires_on="2027-07-28",
            loaded_version=str(agreement.version),
        ),
        kind="termination",
        title="Pengakhiran kerja sama",
        due_on="",
        done_on="2023-03-02",
        waits_on="",
        mark="",
    )
    response = staff_client.post(change_url(agreement), data)
    assert response.status_code == 302, response.context["errors"]
    assert ends_by(agreement) == datetime.date(2023, 3, 2)
    assert_every_stored_progress_is_the_rule()

    step = Milestone.objects.get(agreement=agreement, kind="termination")
    response = staff_client.post(
        reverse("admin:agreements_milestone_change", args=[step.pk]),
        {
            "agreement": agreement.pk,
            "kind": "termination",
            "title": step.title,
            "due_on": "",
            "done_on": "04/2023",
            "waits_on": "",
            "mark": "",
            "rating": "",
            "findings": "",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    # Known to its month only: ended by the month's last day.
    assert ends_by(agreement) == datetime.date(2023, 4, 30)
    assert_every_stored_progress_is_the_rule()

    delete = reverse("admin:agreements_milestone_delete", args=[step.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    # No step dates its end: the list reads its term, as its row then shows it.
    assert ends_by(agreement) == datetime.date(2027, 7, 28)
    assert_every_stored_progress_is_the_rule()


def test_the_importer_stores_the_day_each_cooperation_it_writes_ends(register):
    """The importer writes its rows in bulk: the day each ends is stored with where it stands,
    a term known to its year by the year's last day."""
    plan = AgreementImport.from_file(
        io.BytesIO(csv_bytes([row(status="terminated", expires_on="2027")])), "kerjasama.csv"
    ).apply()
    assert plan.is_valid
    written = Agreement.objects.get(reference="556/KSDD/2025")
    assert written.ends_by == datetime.date(2027, 12, 31)
    assert_every_stored_progress_is_the_rule()


def test_milestone_admin_add_change_and_delete_keep_the_stored_step(staff_client, kemlu_step):
    loi, text, step = kemlu_step
    add = reverse("admin:agreements_milestone_add")
    response = staff_client.post(
        add,
        {
            "agreement": text.pk,
            "kind": "tkksd",
            "title": "Rapat TKKSD",
            "due_on": (timezone.localdate() - datetime.timedelta(10)).isoformat(),
            "done_on": "",
            "waits_on": "",
            "mark": "",
            "rating": "",
            "findings": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    tkksd = Milestone.objects.get(title="Rapat TKKSD")
    # Planned earlier in the path: the TKKSD is next now, and decides it.
    assert stored(text)[:3] == ("tkksd", tkksd.pk, "tkksd")
    assert_every_stored_progress_is_the_rule()

    change = reverse("admin:agreements_milestone_change", args=[tkksd.pk])
    response = staff_client.post(
        change,
        {
            "agreement": text.pk,
            "kind": "tkksd",
            "title": "Rapat TKKSD",
            "due_on": (timezone.localdate() - datetime.timedelta(10)).isoformat(),
            "done_on": (timezone.localdate() - datetime.timedelta(9)).isoformat(),
            "waits_on": "",
            "mark": "",
            "rating": "",
            "findings": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert stored(text)[:3] == ("drafting", step.pk, "kemlu")
    assert_every_stored_progress_is_the_rule()

    delete = reverse("admin:agreements_milestone_delete", args=[step.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    # Nothing planned any more: the stage after the TKKSD is next, and the DPRD decides it.
    assert stored(text) == ("dprd", None, "dprd", None)
    assert_every_stored_progress_is_the_rule()


def test_deleting_the_follow_up_in_the_admin_leaves_the_loi_waiting_on_nobody(
    staff_client, kemlu_step
):
    loi, text, step = kemlu_step
    delete = reverse("admin:agreements_agreement_delete", args=[text.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert stored(loi) == ("", None, "", None)
    assert_every_stored_progress_is_the_rule()


# -- the importer, the demo, the benchmark --------------------------------------------------


def test_the_importer_stores_the_next_step_of_what_it_writes(register):
    plan = AgreementImport.from_file(
        io.BytesIO(
            csv_bytes([row(status="exploration", signed_on="", in_force_from="", expires_on="")])
        ),
        "kerjasama.csv",
    ).apply()
    assert plan.is_valid
    written = Agreement.objects.get(reference="556/KSDD/2025")
    # Recorded as being explored, with no step recorded: exploring is what comes next, not
    # the initiative its status says it is past.
    assert stored(written)[0] == "exploration"
    assert_every_stored_progress_is_the_rule()


def test_the_demo_stores_the_next_step_of_every_agreement():
    call_command("load_reference_data", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert Agreement.objects.exclude(waits_on="").count() > 10
    assert_every_stored_progress_is_the_rule()


@pytest.mark.postgresql  # the benchmark writes with PostgreSQL's COPY
def test_the_benchmark_generator_stores_the_next_step_of_every_agreement():
    from bench.generate import generate

    call_command("load_reference_data", stdout=StringIO())
    generate(60, stdout=lambda *args, **kwargs: None)
    assert Agreement.objects.exclude(waits_on="").exists()
    assert_every_stored_progress_is_the_rule()


@pytest.mark.postgresql  # the benchmark writes with PostgreSQL's COPY
def test_the_benchmark_generators_parties_fit_each_agreements_scope():
    """The benchmark's register is one the site would accept: a KSDD names two regions or
    more, a partner's scope is the one its partners make (``Agreement.party_errors``)."""
    from bench.generate import generate

    call_command("load_reference_data", stdout=StringIO())
    generate(200, stdout=lambda *args, **kwargs: None)
    agreements = Agreement.objects.select_related("lead_region").prefetch_related(
        "regions", "partners"
    )
    assert agreements.filter(scope="ksdd").exists()
    assert_parties_fit_their_scope(agreements)


# -- what the database refuses ---------------------------------------------------------------


def test_the_database_refuses_in_force_without_a_signing_date(kaltim):
    agreement = AgreementFactory(lead_region=kaltim)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(signed_on=None, in_force_from=None)


def test_the_database_refuses_waiting_on_someone_after_the_end(kemlu_step):
    loi, text, step = kemlu_step
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=text.pk).update(status="cancelled")
    # Saved through the model, an ended cooperation lets go of its step in the same row.
    text.status = "cancelled"
    text.save()
    assert stored(text) == ("", None, "", None)


def test_in_force_without_a_signing_date_is_a_form_error(kaltim):
    from django.core.exceptions import ValidationError

    agreement = Agreement(status="in_force", signed_on=None)
    with pytest.raises(ValidationError) as error:
        agreement.clean()
    assert "signed_on" in error.value.message_dict


# -- the status is never behind the path ---------------------------------------------------------


@pytest.fixture
def visited_mou(kaltim):
    """An MoU abroad, its delegation's visit done, and a sister-city plan following it, which
    the bureau recorded as an idea ("Prakarsa") before the visit."""
    mou = AgreementFactory(
        title="MoU dengan Jepang",
        scope="ksdll",
        status="initiative",
        lead_region=kaltim,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    sister_city = AgreementFactory(
        title="Kota kembar dengan Jepang",
        kind="sister_city",
        scope="ksdpl",
        status="initiative",
        lead_region=kaltim,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        follows=mou,
        relation="implements",
    )
    return mou, sister_city


def test_a_visit_recorded_on_the_mou_moves_the_sister_city_it_carries_to_exploration(
    staff_client, visited_mou
):
    mou, sister_city = visited_mou
    response = staff_client.post(
        reverse("admin:agreements_milestone_add"),
        {
            "agreement": mou.pk,
            "kind": "exploration",
            "title": "Kunjungan delegasi ke Jepang",
            "due_on": "",
            "done_on": "2018-04-09",
            "waits_on": "",
            "mark": "",
            "rating": "",
            "findings": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    for agreement in (mou, sister_city):
        agreement.refresh_from_db()
        assert agreement.status == "exploration", agreement.title
    # What the official reads: the status above the path agrees with it.
    page = staff_client.get(reverse("agreement-detail", args=[sister_city.pk])).content.decode()
    glance = page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    assert "Penjajakan" in glance and "Prakarsa" not in glance
    # The change log tells the status moving on, as a change of its own.
    versions = sister_city.history.order_by("history_id")
    assert [entry.status for entry in versions] == ["initiative", "exploration"]
    assert sister_city.version == 2
    assert_every_stored_progress_is_the_rule()


def test_a_status_ahead_of_what_the_register_records_is_the_bureaus_and_is_kept(kaltim):
    text = AgreementFactory(
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        lead_region=kaltim,
    )
    MilestoneFactory(agreement=text, kind="initiative", done_on=datetime.date(2025, 1, 6))
    Agreement.objects.filter(pk=text.pk).refresh_progress()
    text.refresh_from_db()
    assert text.status == "preparation"
    assert text.version == 1


def test_staff_saving_a_status_behind_the_path_are_told_it_is_recorded_as_the_path_says(
    staff_client, kaltim
):
    data = with_milestone(
        agreement_form(kaltim, status="initiative", signed_on="", in_force_from="", expires_on=""),
        kind="tkksd",
        title="Rapat TKKSD",
        done_on="2025-02-03",
    )
    response = staff_client.post(ADD, data, follow=True)
    assert response.status_code == 200
    agreement = Agreement.objects.get()
    assert agreement.status == "preparation"
    shown = [str(message) for message in response.context["messages"]]
    assert any(
        "Status dicatat “Penyiapan naskah”, bukan “Prakarsa”" in message for message in shown
    ), shown
    # Staff recorded "Prakarsa"; the register moved it on, as a change of its own.
    versions = agreement.history.order_by("history_id")
    assert [(entry.status, entry.history_user_id) for entry in versions] == [
        ("initiative", response.context["user"].pk),
        ("preparation", None),
    ]
    assert_every_stored_progress_is_the_rule()


# -- a text that ends by its date lends nothing to the text it carries out ---------------------


def mou_and_its_pks(kaltim, bali, pks_expires_on):
    """A public KSDD MoU in force, and a PKS carrying it out, recorded in force and ending on
    ``pks_expires_on``, whose evaluation, 90 days late, waits on the partner."""
    today = timezone.localdate()
    mou = AgreementFactory(
        title="MoU pembangunan daerah",
        kind="mou",
        lead_region=kaltim,
        regions=[bali],
        expires_on=today + datetime.timedelta(days=800),
    )
    pks = AgreementFactory(
        title="PKS pelatihan aparatur",
        kind="pks",
        lead_region=kaltim,
        regions=[bali],
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
        expires_on=pks_expires_on,
    )
    MilestoneFactory(
        agreement=pks,
        kind=Milestone.Kind.EVALUATION,
        title="Monev pelatihan",
        due_on=today - datetime.timedelta(days=90),
        done_on=None,
        waits_on=Milestone.WaitsOn.PARTNER,
    )
    return mou, pks


def what_every_surface_says_of(client, mou):
    """What the MoU's status page, its list row, the list waiting on the partner, the
    dashboard and the CSV download say of its next step and whom it waits on."""
    page = client.get(reverse("agreement-detail", args=[mou.pk]))
    glance = page.content.decode().split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    told = " ".join(re.sub(r"<[^>]+>", " ", glance).split())
    [row] = [a for a in client.get(reverse("agreement-list")).context["agreements"] if a == mou]
    waiting = client.get(reverse("agreement-list"), {"waits_on": "partner"}).context["agreements"]
    dashboard = client.get(reverse("dashboard")).context["waiting"]
    export = client.get(reverse("agreement-export", args=["csv"]))
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    [exported] = [r for r in csv.DictReader(io.StringIO(body)) if r["title"] == mou.title]
    return {
        "page": ("Monev pelatihan" in told, "Mitra" in told, "tidak ada yang ditunggu" in told),
        "row": (row.next_step_title, row.waits_on),
        "waiting on the partner": sorted(a.title for a in waiting),
        "dashboard": {entry["party"]: entry["count"] for entry in dashboard}["partner"],
        "csv": (exported["next_milestone"], exported["waits_on"]),
    }


WAITS_ON_NOBODY = {
    "page": (False, False, True),
    "row": ("", ""),
    "waiting on the partner": [],
    "dashboard": 0,
    "csv": ("", ""),
}


def test_a_pks_ended_by_its_date_gives_its_mou_no_step_on_any_surface(client, kaltim, bali):
    """The PKS's own page says it has ended; the MoU it carries out does not wait on the
    partner for the PKS's evaluation, on its page, in the list, on the dashboard or in the
    download."""
    today = timezone.localdate()
    mou, pks = mou_and_its_pks(kaltim, bali, today - datetime.timedelta(days=60))
    own = client.get(reverse("agreement-detail", args=[pks.pk])).content.decode()
    assert "Tidak ada: kerja sama ini sudah berakhir." in own
    assert what_every_surface_says_of(client, mou) == WAITS_ON_NOBODY
    assert_every_stored_progress_is_the_rule()


def test_a_pks_ending_after_its_progress_was_stored_is_let_go_by_the_daily_command(
    client, kaltim, bali
):
    """The PKS ends by its date with no write: until ``refresh_progress`` runs the stored
    progress still has the MoU wait for the partner; once it has run (by default for the
    texts that ended yesterday), every surface agrees with the MoU's page. It runs again
    without changing anything, and adds nothing to the MoU's history."""
    today = timezone.localdate()
    mou, pks = mou_and_its_pks(kaltim, bali, today + datetime.timedelta(days=30))
    before = what_every_surface_says_of(client, mou)
    assert before["row"] == ("Monev pelatihan", "partner")
    assert before["waiting on the partner"] == sorted([mou.title, pks.title])
    versions = mou.history.count()

    # The days pass: the PKS's last day in force was yesterday.
    yesterday = today - datetime.timedelta(days=1)
    # Its expiry as a save would have stored it, with the day it ends.
    Agreement.objects.filter(pk=pks.pk).update(expires_on=yesterday, ends_by=yesterday)
    out = StringIO()
    call_command("refresh_progress", "--since", today.isoformat(), stdout=out)
    assert out.getvalue().startswith("0 ")  # ended yesterday, not since today
    out = StringIO()
    call_command("refresh_progress", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert what_every_surface_says_of(client, mou) == WAITS_ON_NOBODY
    assert_every_stored_progress_is_the_rule()
    out = StringIO()
    call_command("refresh_progress", stdout=out)
    assert out.getvalue().startswith("0 ")
    assert mou.history.count() == versions


@pytest.mark.parametrize(
    ("command", "option"), [("refresh_progress", "--since"), ("send_reminders", "--today")]
)
def test_a_daily_command_refuses_a_day_that_is_none_naming_its_option(command, option):
    """A day typed wrong into a daily command's option is refused by its parser, the option
    named, as an unknown option is: no traceback in the cron mail."""
    with pytest.raises(
        CommandError, match=f"argument {option}: bukan tanggal YYYY-MM-DD: '2026-13-01'"
    ):
        call_command(command, option, "2026-13-01", stdout=StringIO())


# -- a text that ended hands on to what carries its cooperation on -----------------------------


def loi_mou_ran_out_and_pks_drafted(kaltim):
    """A signed LoI with no term, the MoU it led to (its term ran out in 2022), and a PKS still
    drafted under that MoU, its drafting 90 days late on the Foreign Ministry; beside the PKS,
    an amendment of the MoU with an evaluation of its own, later still (it ended with the
    MoU, and carries nothing on)."""
    today = timezone.localdate()
    loi = AgreementFactory(
        title="LoI Sulbar dan FAO",
        kind="loi",
        scope="ksdll",
        status="signed",
        lead_region=kaltim,
        signed_on=datetime.date(2017, 4, 4),
        in_force_from=None,
        expires_on=None,
    )
    mou = AgreementFactory(
        title="MoU Sulbar dan FAO",
        kind="mou",
        scope="ksdll",
        status="expired",
        lead_region=kaltim,
        signed_on=datetime.date(2017, 10, 6),
        in_force_from=datetime.date(2017, 10, 6),
        expires_on=datetime.date(2022, 10, 5),
        follows=loi,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    amendment = AgreementFactory(
        title="Adendum MoU Sulbar dan FAO",
        kind="amendment",
        scope="ksdll",
        status="in_force",
        lead_region=kaltim,
        signed_on=datetime.date(2019, 1, 10),
        in_force_from=datetime.date(2019, 1, 10),
        expires_on=None,
        follows=mou,
        relation=Agreement.Relation.AMENDS,
    )
    MilestoneFactory(
        agreement=amendment,
        kind=Milestone.Kind.EVALUATION,
        title="Monev adendum",
        due_on=today - datetime.timedelta(days=120),
        done_on=None,
        waits_on=Milestone.WaitsOn.BUREAU,
    )
    pks = AgreementFactory(
        title="PKS Sulbar dan FAO tentang cadangan pangan",
        kind="pks",
        scope="ksdll",
        status="preparation",
        lead_region=kaltim,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    MilestoneFactory(
        agreement=pks,
        kind=Milestone.Kind.DRAFTING,
        title="Penyusunan naskah PKS",
        due_on=today - datetime.timedelta(days=90),
        done_on=None,
        waits_on=Milestone.WaitsOn.KEMLU,
    )
    return loi, mou, pks


def glance_of(client, agreement, **query):
    page = client.get(reverse("agreement-detail", args=[agreement.pk]), query, follow=True)
    glance = page.content.decode().split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", glance).split())


def test_an_loi_whose_mou_ran_out_waits_with_the_pks_still_drafted_under_it(client, kaltim):
    """The MoU's page says the cooperation goes on in the PKS; the LoI that led to it says
    the same of its next step: the PKS's drafting, late, on the Foreign Ministry, not that
    nothing is pending. Its list row, the list waiting on that ministry and the dashboard
    agree; the amendment that ended with the MoU lends the LoI nothing."""
    loi, mou, pks = loi_mou_ran_out_and_pks_drafted(kaltim)
    assert "kerja samanya berlanjut dalam PKS Sulbar dan FAO" in glance_of(client, mou)

    told = glance_of(client, loi)
    assert "Penyusunan naskah" in told
    assert "pada naskah lanjutan: PKS Sulbar dan FAO tentang cadangan pangan" in told
    assert "Kementerian Luar Negeri" in told
    assert "terlambat 2 bulan" in told or "terlambat 3 bulan" in told
    assert "tidak ada yang ditunggu" not in told
    assert "Monev adendum" not in told

    english = glance_of(client, loi, lang="en")
    assert "in the follow-up text: PKS Sulbar dan FAO tentang cadangan pangan" in english
    assert "Ministry of Foreign Affairs" in english
    assert "nothing is pending" not in english

    client.get("/", {"lang": "id"})
    listed = client.get(reverse("agreement-list"), {"waits_on": "kemlu"}).content.decode()
    row = listed.split(f'href="/agreements/{loi.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert "Kementerian Luar Negeri" in row and "terlambat pada naskah lanjutan" in row
    dashboard = client.get(reverse("dashboard")).context["waiting"]
    assert {entry["party"]: entry["count"] for entry in dashboard}["kemlu"] == 2
    assert_every_stored_progress_is_the_rule()


def mou_running_out(kaltim, bali, talks=True):
    """A public MoU between Kalimantan Timur and Bali running out in 20 days, and (``talks``)
    its talks on an extension, an extension step 30 days late that waits on the partner."""
    today = timezone.localdate()
    mou = AgreementFactory(
        title="MoU pembangunan daerah",
        kind="mou",
        lead_region=kaltim,
        regions=[bali],
        expires_on=today + datetime.timedelta(days=20),
    )
    if not talks:
        return mou, None
    return mou, MilestoneFactory(
        agreement=mou,
        kind=Milestone.Kind.EXTENSION,
        title="Pembahasan perpanjangan kerja sama",
        due_on=today - datetime.timedelta(days=30),
        done_on=None,
        waits_on=Milestone.WaitsOn.PARTNER,
    )


def extension_of(mou, **fields):
    """An extension of ``mou`` between its parties, as ``fields`` record it."""
    return AgreementFactory(
        title="Perpanjangan MoU pembangunan daerah",
        kind="mou",
        lead_region=mou.lead_region,
        regions=[region for region in mou.regions.all() if region != mou.lead_region],
        follows=mou,
        relation=Agreement.Relation.EXTENDS,
        **fields,
    )


def signed_extension_form(mou, kaltim, bali, signed_on):
    """What the admin's add form posts for an extension of ``mou``, signed on ``signed_on``, in
    force from the day after the MoU's end for five years."""
    return agreement_form(
        kaltim,
        title="Perpanjangan MoU pembangunan daerah",
        regions=[kaltim.pk, bali.pk],
        status="signed",
        signed_on=signed_on.isoformat(),
        in_force_from=(mou.expires_on + datetime.timedelta(days=1)).isoformat(),
        expires_on=(timezone.localdate() + datetime.timedelta(days=5 * 365)).isoformat(),
        follows=mou.pk,
        relation="extends",
    )


def extended_in_the_admin(staff_client, kaltim, bali, signed_on):
    """An MoU running out in 20 days, its talks on an extension late and a letter on it the
    bureau recorded done 55 days ago; then its extension, signed on ``signed_on``, recorded
    through the admin's add form, which records the talks done that day. (The MoU, the talks,
    the letter, the form's data and the extension.)"""
    today = timezone.localdate()
    mou, talks = mou_running_out(kaltim, bali)
    by_hand = MilestoneFactory(
        agreement=mou,
        kind=Milestone.Kind.EXTENSION,
        title="Surat usulan perpanjangan",
        due_on=today - datetime.timedelta(days=60),
        done_on=today - datetime.timedelta(days=55),
    )
    Agreement.objects.filter(pk=mou.pk).refresh_progress()
    data = signed_extension_form(mou, kaltim, bali, signed_on)
    assert staff_client.post(ADD, data).status_code == 302
    extension = Agreement.objects.get(title="Perpanjangan MoU pembangunan daerah")
    talks.refresh_from_db()
    assert talks.done_on == signed_on
    return mou, talks, by_hand, data, extension


def terminated_yesterday_in_the_admin(staff_client, extension, data):
    """``extension`` recorded terminated through its change form (``data``, as its add form
    posted it), with its termination step done yesterday."""
    extension.refresh_from_db()
    data.update(status="terminated", loaded_version=str(extension.version))
    with_milestone(
        data,
        kind="termination",
        title="Pengakhiran perpanjangan atas kesepakatan para pihak",
        done_on=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        done_on_precision="day",
    )
    response = staff_client.post(change_url(extension), data)
    assert response.status_code == 302, response.context and response.context["errors"]


def test_signing_an_extension_records_the_extension_step_of_the_text_it_extends(
    client, staff_client, kaltim, bali
):
    """An MoU in force, about to run out, whose talks on its extension are late and wait on the
    partner. The bureau records its extension, signed, through the admin's add form: the MoU's
    extension step is recorded as done on the day the extension was signed, as the register's
    own change, so that no page still calls it late, next or waited on. A step planned past the
    MoU's term is left as it is."""
    today = timezone.localdate()
    mou, talks = mou_running_out(kaltim, bali)
    later = MilestoneFactory(
        agreement=mou,
        kind=Milestone.Kind.EXTENSION,
        title="Kajian perpanjangan berikutnya",
        due_on=today + datetime.timedelta(days=400),
        done_on=None,
    )
    Agreement.objects.filter(pk=mou.pk).refresh_progress()

    def told(agreement):
        page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
        glance = page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", glance).split())

    def late_titles():
        listed = client.get(reverse("agreement-list"), {"late": "yes"}).context["agreements"]
        return [agreement.title for agreement in listed]

    assert "Pembahasan perpanjangan kerja sama" in told(mou)
    assert late_titles() == ["MoU pembangunan daerah"]
    assert client.get(reverse("dashboard")).context["overdue_count"] == 1

    signed_on = today - datetime.timedelta(days=3)
    data = signed_extension_form(mou, kaltim, bali, signed_on)
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    talks.refresh_from_db()
    assert (talks.done_on, talks.done_on_precision) == (signed_on, "day")
    assert talks.history.latest().history_user is None  # the register's, not the clerk's
    # The step's history says why, in the reader's language.
    history = reverse("admin:agreements_milestone_history", args=[talks.pk])
    assert (
        "Dicatat selesai: perpanjangan ditandatangani" in staff_client.get(history).content.decode()
    )
    staff_client.cookies["django_language"] = "en"
    assert "Recorded done: extension signed" in staff_client.get(history).content.decode()
    later.refresh_from_db()
    assert later.done_on is None
    assert "Pembahasan perpanjangan kerja sama" not in told(mou)
    assert late_titles() == []
    dashboard = client.get(reverse("dashboard")).context
    assert dashboard["overdue_count"] == 0
    assert dashboard["overdue"] == []
    assert_every_stored_progress_is_the_rule()


def test_a_text_already_extended_says_so_on_its_page_and_on_the_dashboard(
    client, kaltim, bali, official
):
    """An MoU running out in 20 days whose extension is signed: its page says, beside the days
    left, what it is extended by, and the dashboard's list of what expires soon marks it; an
    extension still prepared says nothing yet. An internal extension is told to officials, not
    to the public, who see the MoU as expiring."""
    today = timezone.localdate()
    mou, _talks = mou_running_out(kaltim, bali, talks=False)
    extension = extension_of(
        mou,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    officials = Client()
    officials.force_login(official)

    def told(reader):
        page = reader.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
        glance = page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
        dashboard = reader.get(reverse("dashboard")).content.decode()
        expiring = dashboard.split('id="expiring"', 1)[1].split("</section>", 1)[0]
        [row] = [r for r in expiring.split("<tr>") if "MoU pembangunan daerah" in r]
        return (
            " ".join(re.sub(r"<[^>]+>", " ", glance).split()),
            " ".join(re.sub(r"<[^>]+>", " ", row).split()),
        )

    page, row = told(client)
    assert "sudah diperpanjang" not in page
    assert "sudah diperpanjang" not in row

    Agreement.objects.filter(pk=extension.pk).update(
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=2),
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
        expires_on=today + datetime.timedelta(days=5 * 365),
    )
    page, row = told(client)
    assert "berakhir dalam 20 hari" in page
    assert "sudah diperpanjang dengan Perpanjangan MoU pembangunan daerah" in page
    assert (
        f'href="{extension.get_absolute_url()}"'
        in client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    )
    assert "sudah diperpanjang" in row

    Agreement.objects.filter(pk=extension.pk).update(visibility=Agreement.Visibility.INTERNAL)
    page, row = told(client)
    assert "diperpanjang" not in page
    assert "diperpanjang" not in row
    page, row = told(officials)
    assert "sudah diperpanjang dengan Perpanjangan MoU pembangunan daerah" in page
    assert "sudah diperpanjang" in row


def test_a_text_already_extended_says_so_where_it_needs_attention(
    client, kaltim, bali, editor_kaltim, mailoutbox
):
    """The regions' pages and the editors' digest list what expires within 30 days as needing
    attention: an MoU whose extension is already signed says so there too, as on its page and
    the dashboard, rather than look about to lapse."""
    today = timezone.localdate()
    mou, _talks = mou_running_out(kaltim, bali, talks=False)
    extension_of(
        mou,
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=2),
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
        expires_on=today + datetime.timedelta(days=5 * 365),
    )

    for region in (kaltim, bali):
        page = client.get(reverse("region-detail", args=[region.code])).content.decode()
        attention = page.split('class="needs-attention"', 1)[1].split("</section>", 1)[0]
        [item] = [li for li in attention.split("<li>") if "MoU pembangunan daerah" in li]
        assert "sudah diperpanjang" in " ".join(re.sub(r"<[^>]+>", " ", item).split())

    editor_kaltim.email = "editor@kaltim.invalid"
    editor_kaltim.save()
    call_command("send_reminders", stdout=StringIO())
    [mail] = [m for m in mailoutbox if "editor@kaltim.invalid" in m.to]
    lines = mail.body.splitlines()
    [at] = [n for n, line in enumerate(lines) if "MoU pembangunan daerah" in line]
    assert "20 hari lagi · sudah diperpanjang" in lines[at + 1]
    html = mail.alternatives[0][0]
    [item] = [li for li in html.split("<li>") if "MoU pembangunan daerah" in li]
    assert "sudah diperpanjang" in item


def test_what_expires_soon_is_built_once_a_day_and_read_as_the_register_stands(
    client, kaltim, bali, monkeypatch
):
    """The dashboard's and a region's lists of what expires soon are read by their SQL, built
    and compiled once a day for the same selection (``read_compiled_once``), and read the
    register as it stands at each reading: an extension signed since marks the MoU it extends,
    and a city made since, party to an MoU running out, counts in its province."""
    today = timezone.localdate()
    mou, _talks = mou_running_out(kaltim, bali, talks=False)
    built = []
    expiring_within = AgreementQuerySet.expiring_within

    def building(self, *args, **kwargs):
        built.append(args)
        return expiring_within(self, *args, **kwargs)

    monkeypatch.setattr(AgreementQuerySet, "expiring_within", building)

    def expiring(address):
        """What the page at ``address`` lists as expiring soon, as read."""
        html = client.get(address).content.decode()
        part = html.split('id="expiring"', 1)[1] if 'id="expiring"' in html else html
        part = part.split('class="needs-attention"', 1)[-1].split("</section>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", part).split())

    pages = [reverse("dashboard"), reverse("region-detail", args=[kaltim.code])]
    for page in pages:
        assert "MoU pembangunan daerah" in expiring(page)
        assert "diperpanjang" not in expiring(page)
    builds = len(built)

    extension_of(
        mou,
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=2),
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
        expires_on=today + datetime.timedelta(days=5 * 365),
    )
    for page in pages:
        assert "sudah diperpanjang" in expiring(page)
    assert len(built) == builds

    city = RegencyFactory(code="64.74", name="Kota Bontang", level="city", province=kaltim)
    AgreementFactory(
        title="MoU Kota Bontang",
        kind="mou",
        lead_region=city,
        expires_on=today + datetime.timedelta(days=40),
    )
    assert "MoU Kota Bontang" in expiring(pages[1])
    assert "MoU Kota Bontang" in expiring(pages[0])


def test_a_text_already_extended_says_so_on_the_list_the_dashboard_leads_to(
    client, kaltim, bali, official
):
    """The dashboard's list of what expires soon leads to the same agreements on the list
    ("Lihat semuanya di daftar kerja sama"): there an MoU whose extension is signed says so
    beside its end, as on the dashboard, and on the whole list too; an extension still prepared
    or cancelled says nothing, nor does an internal one to the public (officials read it)."""
    today = timezone.localdate()
    mou, _talks = mou_running_out(kaltim, bali, talks=False)
    extension = extension_of(
        mou,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    extension_of(
        mou, status=Agreement.Status.CANCELLED, signed_on=None, in_force_from=None, expires_on=None
    )
    officials = Client()
    officials.force_login(official)
    mou_link = f'href="{mou.get_absolute_url()}"'

    def rows(reader):
        """The MoU's row on the list the dashboard leads to and on the whole list, as read."""
        expiring = reader.get(reverse("dashboard")).context["expiring_url"]
        read = []
        for address in (expiring, reverse("agreement-list")):
            html = reader.get(address).content.decode()
            [row] = [r.split("</tr>", 1)[0] for r in html.split("<tr>") if mou_link in r]
            read.append(" ".join(re.sub(r"<[^>]+>", " ", row).split()))
        return read

    assert not any("diperpanjang" in read for read in rows(client))
    assert not any("diperpanjang" in read for read in rows(officials))

    Agreement.objects.filter(pk=extension.pk).update(
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=2),
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
        expires_on=today + datetime.timedelta(days=5 * 365),
    )
    ends = formats.date_format(mou.expires_on, "j F Y")
    for read in rows(client):
        assert f"{ends} · sudah diperpanjang" in read

    Agreement.objects.filter(pk=extension.pk).update(visibility=Agreement.Visibility.INTERNAL)
    assert not any("diperpanjang" in read for read in rows(client))
    for read in rows(officials):
        assert f"{ends} · sudah diperpanjang" in read


def test_a_terminated_text_is_not_marked_extended_beside_the_day_it_ended(client, kaltim, bali):
    """The MoU of 2020, extended in 2025, was ended early in September 2026, recorded on the
    MoU alone (its extension left "Berlaku", as the admin's save warns): its row on the list
    read "Diakhiri pada 15 September 2026 · sudah diperpanjang", as if the cooperation went on
    in the extension. A text terminated is not "already extended", on any surface. Its own
    term had run out in February 2025, before the termination recorded: its row says that day
    (``Agreement.term_ran_out_first``)."""
    mou = AgreementFactory(
        title="MoU Kaltim–Bali 2020",
        lead_region=kaltim,
        regions=[bali],
        kind="mou",
        status=Agreement.Status.TERMINATED,
        signed_on=datetime.date(2020, 2, 14),
        in_force_from=datetime.date(2020, 2, 14),
        expires_on=datetime.date(2025, 2, 13),
    )
    extension = AgreementFactory(
        title="Perpanjangan MoU Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        kind="mou",
        status=Agreement.Status.IN_FORCE,
        follows=mou,
        relation="extends",
        signed_on=datetime.date(2025, 2, 10),
        in_force_from=datetime.date(2025, 2, 14),
        expires_on=datetime.date(2030, 2, 13),
    )
    MilestoneFactory(
        agreement=mou, kind="termination", due_on=None, done_on=datetime.date(2026, 9, 15)
    )
    Agreement.objects.filter(pk__in=[mou.pk, extension.pk]).refresh_progress()
    html = client.get(reverse("agreement-list")).content.decode()
    link = f'href="{mou.get_absolute_url()}"'
    [row] = [r.split("</tr>", 1)[0] for r in html.split("<tr>") if link in r]
    read = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "13 Februari 2025" in read and "15 September 2026" not in read
    assert "diperpanjang" not in read


def test_the_daily_command_records_the_extension_step_of_a_text_extended_before_the_rule(
    client, kaltim, bali
):
    """An MoU whose extension was signed, written before the register recorded the extension
    step itself (here as an old import or script would: no progress stored): the step still
    reads late on the dashboard until ``refresh_progress`` runs, which records it done on the
    day the extension was signed; run again, it finds nothing to do."""
    today = timezone.localdate()
    mou, talks = mou_running_out(kaltim, bali)
    signed_on = today - datetime.timedelta(days=3)
    extension_of(
        mou,
        status=Agreement.Status.SIGNED,
        signed_on=signed_on,
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
    )
    # As the row stood before the rule: the step open, the MoU's progress stored with it.
    Milestone.objects.filter(pk=talks.pk).update(done_on=None)
    Agreement.objects.filter(pk=mou.pk).update(next_milestone=talks, overdue_after=talks.due_on)
    assert list(Agreement.objects.awaiting_extension_record()) == [mou]
    assert client.get(reverse("dashboard")).context["overdue_count"] == 1

    out = StringIO()
    call_command("refresh_progress", stdout=out)
    talks.refresh_from_db()
    assert talks.done_on == signed_on
    assert client.get(reverse("dashboard")).context["overdue_count"] == 0
    assert list(Agreement.objects.awaiting_extension_record()) == []
    assert_every_stored_progress_is_the_rule()
    out = StringIO()
    call_command("refresh_progress", stdout=out)
    assert out.getvalue().startswith("0 ")


def test_an_internal_extension_records_nothing_on_a_public_text(client, kaltim, bali):
    """The public would read in the public MoU's step the day an extension it may not see was
    signed: an internal extension leaves the step to the bureau, and the daily command does not
    look for it. Made public, the extension records it."""
    today = timezone.localdate()
    mou, talks = mou_running_out(kaltim, bali)
    extension = extension_of(
        mou,
        status=Agreement.Status.SIGNED,
        signed_on=today - datetime.timedelta(days=3),
        in_force_from=mou.expires_on + datetime.timedelta(days=1),
        visibility=Agreement.Visibility.INTERNAL,
    )
    talks.refresh_from_db()
    assert talks.done_on is None
    assert list(Agreement.objects.awaiting_extension_record()) == []
    assert client.get(reverse("dashboard")).context["overdue_count"] == 1

    Agreement.objects.filter(pk=extension.pk).update(visibility=Agreement.Visibility.PUBLIC)
    assert list(Agreement.objects.awaiting_extension_record()) == [mou]
    Agreement.objects.filter(pk=mou.pk).refresh_progress()
    talks.refresh_from_db()
    assert talks.done_on == today - datetime.timedelta(days=3)


@pytest.mark.parametrize("undo", ["cancelled", "preparation", "deleted"])
def test_an_extension_no_longer_signed_opens_again_the_step_the_register_recorded(
    client, staff_client, kaltim, bali, undo
):
    """An MoU running out in 20 days, its talks on the extension late. The bureau records its
    extension as signed, and the register records the talks done; then the extension is
    cancelled, taken back to drafting, or deleted. The MoU is not extended after all: its page
    no longer says the talks were done on the day a text now void was signed, and they are
    late again on the list. A step the bureau itself recorded done stays done."""
    today = timezone.localdate()
    signed_on = today - datetime.timedelta(days=3)
    mou, talks, by_hand, data, extension = extended_in_the_admin(
        staff_client, kaltim, bali, signed_on
    )

    if undo == "deleted":
        delete = reverse("admin:agreements_agreement_delete", args=[extension.pk])
        assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    else:
        data.update(status=undo, signed_on="", in_force_from="", expires_on="")
        response = staff_client.post(change_url(extension), data)
        assert response.status_code == 302, response.context and response.context["errors"]

    page = client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    timeline = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Selesai " + formats.date_format(signed_on, "j F Y") not in timeline
    listed = client.get(reverse("agreement-list"), {"late": "yes"}).context["agreements"]
    assert [agreement.title for agreement in listed] == ["MoU pembangunan daerah"]
    talks.refresh_from_db()
    assert talks.done_on is None
    assert talks.history.latest().history_user is None
    by_hand.refresh_from_db()
    assert by_hand.done_on == today - datetime.timedelta(days=55)
    assert_every_stored_progress_is_the_rule()


def test_correcting_the_extensions_signing_date_dates_again_the_step_the_register_recorded(
    client, staff_client, kaltim, bali
):
    """The bureau records an MoU's extension as signed three days ago, and the register records
    the MoU's talks on it done that day; then the clerk corrects the signing date to a week ago.
    The MoU's page dates the talks on the corrected day, as the register's change. A step the
    bureau itself recorded done on another day keeps its day."""
    today = timezone.localdate()
    mistaken = today - datetime.timedelta(days=3)
    mou, talks, by_hand, data, extension = extended_in_the_admin(
        staff_client, kaltim, bali, mistaken
    )

    corrected = today - datetime.timedelta(days=7)
    data.update(signed_on=corrected.isoformat())
    response = staff_client.post(change_url(extension), data)
    assert response.status_code == 302, response.context and response.context["errors"]

    page = client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    timeline = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Selesai " + formats.date_format(corrected, "j F Y") in timeline
    assert "Selesai " + formats.date_format(mistaken, "j F Y") not in timeline
    talks.refresh_from_db()
    assert (talks.done_on, talks.done_on_precision) == (corrected, "day")
    assert talks.history.latest().history_user is None
    by_hand.refresh_from_db()
    assert by_hand.done_on == today - datetime.timedelta(days=55)
    assert_every_stored_progress_is_the_rule()


def test_an_extension_terminated_before_it_took_effect_no_longer_extends_its_text(
    client, staff_client, kaltim, bali
):
    """An MoU running out in 20 days, its talks on the extension late. The bureau records its
    extension as signed, and the register records the talks done; then the extension is
    terminated before it ever came into force. The MoU is not extended: its page, the
    dashboard's list of what expires soon and the list no longer say "sudah diperpanjang",
    and the talks are late again, as the MoU's page and the list's late filter say."""
    today = timezone.localdate()
    signed_on = today - datetime.timedelta(days=3)
    mou, talks, by_hand, data, extension = extended_in_the_admin(
        staff_client, kaltim, bali, signed_on
    )
    terminated_yesterday_in_the_admin(staff_client, extension, data)

    page = client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    glance = page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    glance = " ".join(re.sub(r"<[^>]+>", " ", glance).split())
    assert "berakhir dalam 20 hari" in glance
    assert "diperpanjang" not in glance
    assert "Pembahasan perpanjangan kerja sama" in glance
    assert "terlambat 1 bulan" in glance
    dashboard = client.get(reverse("dashboard")).content.decode()
    expiring = dashboard.split('id="expiring"', 1)[1].split("</section>", 1)[0]
    [row] = [r for r in expiring.split("<tr>") if "MoU pembangunan daerah" in r]
    assert "diperpanjang" not in row
    listed = client.get(reverse("agreement-list")).content.decode()
    [row] = [r for r in listed.split("<tr>") if ">MoU pembangunan daerah<" in r]
    assert "diperpanjang" not in row
    late = client.get(reverse("agreement-list"), {"late": "yes"}).context["agreements"]
    assert [agreement.title for agreement in late] == ["MoU pembangunan daerah"]
    talks.refresh_from_db()
    assert talks.done_on is None
    by_hand.refresh_from_db()
    assert by_hand.done_on == today - datetime.timedelta(days=55)
    assert_every_stored_progress_is_the_rule()


def test_an_extension_terminated_once_its_text_ran_out_leaves_the_talks_done(
    staff_client, kaltim, bali
):
    """The MoU's extension was signed, and the MoU's own term then ran out: the cooperation
    went on in the extension, so the talks on it were held and led to a text. Terminated a year
    on, that extension does not make the register open the MoU's talks again ("Dibuka kembali:
    perpanjangan tidak lagi ditandatangani"), as it does for one terminated before it took
    effect: the MoU was extended."""
    today = timezone.localdate()
    signed_on = today - datetime.timedelta(days=400)
    mou, talks, _by_hand, data, extension = extended_in_the_admin(
        staff_client, kaltim, bali, signed_on
    )
    Agreement.objects.filter(pk=mou.pk).update(expires_on=today - datetime.timedelta(days=300))
    Agreement.objects.filter(pk=mou.pk).refresh_progress()
    terminated_yesterday_in_the_admin(staff_client, extension, data)

    talks.refresh_from_db()
    assert talks.done_on == signed_on
    reasons = list(talks.history.values_list("history_change_reason", flat=True))
    assert not any("Dibuka kembali" in (reason or "") for reason in reasons)
    assert_every_stored_progress_is_the_rule()
