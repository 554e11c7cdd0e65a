"""Rows written before the status rules, found and shown for the bureau to mend by hand: a
status recorded as expired ("Berakhir") while the term runs or with no expiry, one still
signed or in force whose termination is recorded as done, and one not yet signed whose signing
is recorded as done. The register's query
(``AgreementQuerySet.with_contradicting_status``), the model's rules (``Agreement.clean``,
``status_step_errors``), the admin's "Pemeriksaan data" filter, the notice on the change form and
``manage.py check_statuses`` all name the same rows, in the same words.

Likewise the rows whose steps contradict their agreement's own dates (a signing done on another
day than the signing date, a step done before the proposal, an activity before the text came
into force …): ``AgreementQuerySet.with_contradicting_steps`` and
``Milestone.agreement_date_errors``, under the filter's second check."""

import datetime
import re

import factory
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import execute_from_command_line
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agreements.admin import DataCheckFilter
from agreements.models import Agreement, Milestone
from agreements.parties import writing_parties
from tests import factories
from tests.factories import MilestoneFactory, PartnerFactory, RegencyFactory
from tests.helpers import agreement_form_data

pytestmark = pytest.mark.django_db


class AgreementFactory(factories.AgreementFactory):
    """As the shared factory, with a regency of its lead province as the second party: a KSDD
    between two regions, so that only what a test breaks is listed."""

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create:
            with writing_parties(self):
                self.regions.add(
                    self.lead_region, *(extracted or [RegencyFactory(province=self.lead_region)])
                )


CHANGELIST = reverse("admin:agreements_agreement_changelist")
CHECK = {"check": "status"}
NOTICE = "Status yang tercatat bertentangan dengan tanggal atau tahapan kerja sama ini."
SIGNED = datetime.date(2020, 3, 2)
ENDED = datetime.date(2025, 2, 3)


def change_url(agreement):
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def written_past_the_rules(agreement, **fields):
    """``fields`` written as an old row or a script would have, past every form's rules."""
    Agreement.objects.filter(pk=agreement.pk).update(**fields)
    agreement.refresh_from_db()
    return agreement


def ended_agreement(title, expires_on, precision="day", **fields):
    """Recorded as expired ("Berakhir"), as a row is written: nothing next after the end."""
    agreement = AgreementFactory(
        title=title, reference=f"No. {title[:12]}", signed_on=SIGNED, in_force_from=SIGNED
    )
    return written_past_the_rules(
        agreement,
        status=Agreement.Status.EXPIRED,
        expires_on=expires_on,
        expires_on_precision=precision,
        next_stage="",
        next_milestone=None,
        waits_on="",
        next_due_on=None,
        **fields,
    )


def with_termination(agreement, done_on):
    step = MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.TERMINATION,
        title="Pengakhiran kerja sama",
        due_on=ENDED,
    )
    Milestone.objects.filter(pk=step.pk).update(done_on=done_on)
    return agreement


def unsigned_with_signing(
    title, done_on, mark="", kind=Milestone.Kind.SIGNING, status=Agreement.Status.PREPARATION
):
    """In preparation (an MoU), with a signing step written past the rules (done on
    ``done_on``); an LoI (``kind`` "loi", ``status`` before signing) with its own LoI step."""
    agreement = AgreementFactory(
        title=title,
        kind="loi" if status == Agreement.Status.EXPLORATION else "mou",
        status=status,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    step = MilestoneFactory(
        agreement=agreement,
        kind=kind,
        title="Penandatanganan",
        due_on=SIGNED,
    )
    Milestone.objects.filter(pk=step.pk).update(done_on=done_on, mark=mark, notes="Alasan.")
    return agreement


@pytest.fixture
def rows():
    """Rows breaking each rule, and rows alike that keep them."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    broken = {
        "running": ended_agreement(
            "Beasiswa guru Kalimantan Timur", today + datetime.timedelta(days=60)
        ),
        "no expiry": ended_agreement("Promosi wisata Derawan", None),
        # "Berakhir pada <this year>" runs to 31 December, "<this month>" to its last day.
        "this year": ended_agreement("Pelatihan UMKM", this_month.replace(month=1), "year"),
        "this month": ended_agreement("Festival budaya Samarinda", this_month, "month"),
        "terminated": with_termination(AgreementFactory(title="Pasar ikan Balikpapan"), ENDED),
        # Called off before signing: "Batal", not still "Penyiapan naskah".
        "terminated while in preparation": with_termination(
            unsigned_with_signing("Terminal Samarinda", None), ENDED
        ),
        "signed while in preparation": unsigned_with_signing("Kota kembar Bontang", SIGNED),
        # An LoI is signed at its own LoI step.
        "loi signed while in exploration": unsigned_with_signing(
            "LoI Hainan", SIGNED, kind=Milestone.Kind.LOI, status=Agreement.Status.EXPLORATION
        ),
    }
    last_year = datetime.date(today.year - 1, 1, 1)
    sound = {
        "ended": ended_agreement("Jalan perbatasan", today - datetime.timedelta(days=1)),
        "ended last year": ended_agreement("Kebun raya Balikpapan", last_year, "year"),
        "termination planned": with_termination(
            AgreementFactory(title="Rumah sakit rujukan"), None
        ),
        "terminated as such": with_termination(AgreementFactory(title="Bandara perintis"), ENDED),
        "in force": AgreementFactory(title="Air bersih Kutai"),
        "called off": with_termination(
            unsigned_with_signing("Taman safari", None, status=Agreement.Status.CANCELLED),
            ENDED,
        ),
        "signing planned": unsigned_with_signing("Pelabuhan Tarakan", None),
        "signing not required": unsigned_with_signing(
            "Jembatan Mahakam", SIGNED, Milestone.Mark.NOT_REQUIRED
        ),
        # The LoI passed on the way to an MoU signs no MoU.
        "mou's loi signed": unsigned_with_signing("MoU Hainan", SIGNED, kind=Milestone.Kind.LOI),
    }
    written_past_the_rules(
        sound["terminated as such"],
        status=Agreement.Status.TERMINATED,
        next_stage="",
        next_milestone=None,
        waits_on="",
        next_due_on=None,
    )
    return broken, sound


def problems_of(agreement):
    """What the model's own rules say of the row as stored: ``clean`` and ``status_step_errors``."""
    found = []
    try:
        agreement.clean()
    except ValidationError as error:
        found.extend(str(m) for m in error.message_dict.get("status", []))
    found.extend(str(m) for m in agreement.status_step_errors(agreement.milestones.all()).values())
    return found


def test_the_query_selects_exactly_what_the_models_rules_refuse(rows):
    broken, sound = rows
    selected = set(Agreement.objects.with_contradicting_status())
    assert selected == set(broken.values())
    for agreement in Agreement.objects.all():
        stored = Agreement.objects.get(pk=agreement.pk)
        refused = problems_of(stored)
        assert bool(refused) == (agreement in selected), agreement.title
        # The change form's notice and the command say it in the same words.
        ended = stored.milestones.filter(done_on__isnull=False)
        assert [str(m) for m in stored.status_contradictions(ended)] == refused


def test_the_query_reads_the_day_it_is_asked_for(rows):
    broken, _sound = rows
    running = broken["running"]
    after_its_term = running.expires_on + datetime.timedelta(days=1)
    on_its_last_day = Agreement.objects.with_contradicting_status(running.expires_on)
    assert running in on_its_last_day
    assert running not in Agreement.objects.with_contradicting_status(after_its_term)
    assert not running.status_contradictions([], after_its_term)


def test_the_admin_filter_lists_the_contradicting_agreements_only(staff_client, rows):
    broken, sound = rows
    page = staff_client.get(CHANGELIST, CHECK).content.decode()
    assert "Status bertentangan dengan tanggal/tahapan" in page
    assert 'class="selected"><a href="?check=status"' in page
    for agreement in broken.values():
        assert escape(agreement.title) in page
    for agreement in sound.values():
        assert escape(agreement.title) not in page
    everything = staff_client.get(CHANGELIST).content.decode()
    assert all(escape(a.title) in everything for a in sound.values())


def test_the_filter_counts_them_when_counts_are_shown(staff_client, rows):
    page = staff_client.get(CHANGELIST, {"_facets": "True"}).content.decode()
    assert f"Status bertentangan dengan tanggal/tahapan ({len(rows[0])})" in page


def test_an_unknown_check_lists_nothing(staff_client, rows):
    page = staff_client.get(CHANGELIST, {"check": "nonsense"}).content.decode()
    assert all(escape(a.title) not in page for group in rows for a in group.values())


@pytest.mark.parametrize("count", [1, 25])
def test_the_filtered_list_runs_the_same_queries_for_1_and_25_rows(
    staff_client, django_assert_num_queries, count
):
    for n in range(count):
        with_termination(AgreementFactory(title=f"Kerja sama diakhiri {n}"), ENDED)
    # As the whole list (tests/test_admin.py): the filter is a condition of the page's query
    # and of its count, with no query of its own.
    with django_assert_num_queries(10):
        response = staff_client.get(CHANGELIST, CHECK)
    assert len(response.context["cl"].result_list) == count


def test_a_termination_recorded_done_shows_on_the_cached_filtered_list(staff_client):
    agreement = AgreementFactory(title="Pasar ikan Balikpapan")
    step = MilestoneFactory(agreement=agreement, kind=Milestone.Kind.TERMINATION, due_on=ENDED)
    assert "Pasar ikan Balikpapan" not in staff_client.get(CHANGELIST, CHECK).content.decode()

    Milestone.objects.filter(pk=step.pk).update(done_on=ENDED)  # behind the forms' back

    assert "Pasar ikan Balikpapan" in staff_client.get(CHANGELIST, CHECK).content.decode()


def test_the_change_form_says_what_contradicts_and_what_to_do(staff_client, rows):
    broken, sound = rows
    running = broken["running"]
    page = staff_client.get(change_url(running)).content.decode()
    assert NOTICE in page
    assert f'<li class="warning">{escape(running.expired_too_soon())}</li>' in page
    assert "pilih “Berlaku”" in page

    terminated = broken["terminated"]
    page = staff_client.get(change_url(terminated)).content.decode()
    [message] = terminated.status_step_errors(terminated.milestones.all()).values()
    assert f'<li class="warning">{escape(message)}</li>' in page
    assert "3 Februari 2025" in page

    for agreement in sound.values():
        assert NOTICE not in staff_client.get(change_url(agreement)).content.decode()


def test_the_notice_reads_the_steps_for_a_reader_not_shown_them(rows, django_user_model):
    """Without the milestone table (no permission to see steps), the form still says it."""
    from django.contrib.auth.models import Permission

    reader = django_user_model.objects.create_user(
        username="pembaca", password="a-long-test-password", is_staff=True
    )
    reader.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    client = Client()
    client.force_login(reader)
    broken, _sound = rows
    terminated = broken["terminated"]
    page = client.get(change_url(terminated)).content.decode()
    assert "milestones-group" not in page  # no table of steps
    assert NOTICE in page
    assert "Pengakhiran kerja sama ini tercatat terlaksana (3 Februari 2025)" in page


def test_the_change_form_notice_goes_once_the_row_is_mended(staff_client, rows):
    broken, _sound = rows
    terminated = broken["terminated"]
    assert NOTICE in staff_client.get(change_url(terminated)).content.decode()

    written_past_the_rules(
        terminated,
        status=Agreement.Status.TERMINATED,
        next_stage="",
        next_milestone=None,
        waits_on="",
        next_due_on=None,
    )

    assert NOTICE not in staff_client.get(change_url(terminated)).content.decode()


@pytest.fixture
def run_check(capsys, monkeypatch):
    """``manage.py check_statuses`` as an operator runs it: (exit status, output, errors).
    The command line closes the database connections as it ends, which the test's own
    transaction still needs."""
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run():
        try:
            execute_from_command_line(["manage.py", "check_statuses"])
        except SystemExit as exit:
            status = exit.code
        else:
            status = 0
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_the_command_lists_each_contradicting_agreement_and_exits_with_1(rows, run_check):
    broken, sound = rows
    status, out, err = run_check()
    assert status == 1
    for agreement in broken.values():
        assert f"{agreement.reference} · {agreement.title} (id {agreement.pk})" in out
    for agreement in sound.values():
        assert agreement.title not in out
    assert f"  - {broken['no expiry'].expired_too_soon()}\n" in out
    terminated = broken["terminated"]
    [message] = terminated.status_step_errors(terminated.milestones.all()).values()
    assert f"  - {message}\n" in out
    assert (
        f"{len(broken)} kerja sama dengan status, tahapan, para pihak, jangka waktu atau mata "
        "uang yang bertentangan dengan tanggal, tahapan, lingkup, naskahnya atau ISO 4217"
    ) in err


def test_the_command_exits_with_0_when_every_status_agrees(run_check):
    AgreementFactory(title="Air bersih Kutai")
    ended_agreement("Jalan perbatasan", timezone.localdate() - datetime.timedelta(days=1))
    status, out, _err = run_check()
    assert status == 0
    assert out == (
        "Tidak ada kerja sama yang status, tahapan, para pihak, jangka waktu atau mata uangnya "
        "bertentangan.\n"
    )


def test_the_command_writes_nothing(rows, run_check):
    before = list(Agreement.objects.order_by("pk").values_list("pk", "status", "version"))
    run_check()
    assert list(Agreement.objects.order_by("pk").values_list("pk", "status", "version")) == before


def test_the_command_says_what_it_does(capsys):
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "check_statuses", "--help"])
    assert exited.value.code == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "statusnya bertentangan dengan tanggal atau tahapannya" in said
    assert "para pihaknya tidak sesuai dengan lingkupnya" in said
    assert "Tidak mengubah data." in said


# -- steps that contradict their agreement's dates ---------------------------------------------

STEPS_CHECK = {"check": "steps"}
STEPS_NOTICE = "Tahapan yang tercatat bertentangan dengan tanggal kerja sama ini."
PROPOSED, IN_FORCE = datetime.date(2019, 6, 3), datetime.date(2020, 4, 1)


def with_step(title, kind, agreement_dates=None, **step_fields):
    """An agreement proposed on 3 June 2019, signed on 2 March 2020 and in force from 1 April
    2020, with one step of ``kind`` written as an old row or a script would have, past every
    form's rules (``step_fields``, with ``.update()``)."""
    dates = {
        "proposed_on": PROPOSED,
        "signed_on": SIGNED,
        "in_force_from": IN_FORCE,
        "expires_on": datetime.date(2030, 3, 1),
        **(agreement_dates or {}),
    }
    agreement = AgreementFactory(title=title, reference=f"No. {title}", **dates)
    step = MilestoneFactory(agreement=agreement, kind=kind, title=f"Tahapan {title}")
    Milestone.objects.filter(pk=step.pk).update(**step_fields)
    return agreement


@pytest.fixture
def stepped():
    """Agreements with a step breaking each rule, and alike ones keeping them, as known."""
    d = datetime.date
    broken = {
        "signed another day": with_step(
            "Kota kembar Bontang", "signing", due_on=None, done_on=d(2020, 3, 5)
        ),
        "done before the proposal": with_step(
            "Promosi wisata Derawan", "initiative", due_on=None, done_on=d(2019, 5, 31)
        ),
        "activity before in force": with_step(
            "Pameran UMKM Samarinda", "activity", due_on=None, done_on=d(2020, 3, 20)
        ),
        "evaluation before signing": with_step(
            "Beasiswa guru", "evaluation", due_on=d(2019, 12, 1), done_on=None
        ),
        "stage done after signing": with_step(
            "Pasar ikan Balikpapan", "drafting", due_on=None, done_on=d(2021, 1, 4)
        ),
        "stage planned after signing": with_step(
            "Pelatihan aparatur", "tkksd", due_on=d(2022, 5, 1), done_on=None
        ),
    }
    sound = {
        "signed that month": with_step(
            "Jalan perbatasan",
            "signing",
            {"signed_on_precision": "month", "signed_on": d(2020, 3, 1)},
            due_on=None,
            done_on=d(2020, 3, 17),
        ),
        "proposed that month": with_step(
            "Kebun raya Balikpapan",
            "initiative",
            due_on=None,
            done_on=d(2019, 6, 1),
            done_on_precision="month",
        ),
        "activity in force": with_step(
            "Air bersih Kutai", "activity", due_on=None, done_on=IN_FORCE
        ),
        "no proposal date": with_step(
            "Bandara perintis",
            "exploration",
            {"proposed_on": None},
            due_on=None,
            done_on=d(2018, 5, 2),
        ),
        "set aside after signing": with_step(
            "Rumah sakit rujukan",
            "dprd",
            due_on=None,
            done_on=d(2021, 2, 1),
            mark=Milestone.Mark.NOT_REQUIRED,
            notes="Tidak membebani APBD.",
        ),
    }
    return broken, sound


def test_the_step_query_selects_exactly_what_the_steps_rules_refuse(stepped):
    broken, sound = stepped
    assert set(Agreement.objects.with_contradicting_steps()) == set(broken.values())
    for agreement in Agreement.objects.prefetch_related("milestones"):
        said = agreement.step_date_contradictions(agreement.milestones.all())
        assert bool(said) == (agreement in broken.values()), (agreement.title, said)
        for step in agreement.milestones.all():
            # Each step's own form refuses it in the words the data check says.
            try:
                step.full_clean()
            except ValidationError as error:
                refused = [m for messages in error.message_dict.values() for m in messages]
            else:
                refused = []
            assert [f"Tahapan “{step.title}”: {m}" for m in refused] == said


def test_the_admin_filter_lists_the_agreements_whose_steps_contradict_their_dates(
    staff_client, stepped
):
    broken, sound = stepped
    page = staff_client.get(CHANGELIST, STEPS_CHECK).content.decode()
    assert 'class="selected"><a href="?check=steps"' in page
    assert "Tahapan bertentangan dengan tanggal kerja sama" in page
    for agreement in broken.values():
        assert escape(agreement.title) in page
    for agreement in sound.values():
        assert escape(agreement.title) not in page
    # The status check does not list them: their statuses agree with their dates.
    page = staff_client.get(CHANGELIST, CHECK).content.decode()
    assert all(escape(a.title) not in page for a in broken.values())


@pytest.mark.parametrize("count", [1, 25])
def test_the_steps_check_runs_the_same_queries_for_1_and_25_rows(
    staff_client, django_assert_num_queries, count
):
    for n in range(count):
        with_step(f"Kegiatan sebelum berlaku {n}", "activity", due_on=None, done_on=SIGNED)
    # As the status check: a condition of the page's query and of its count.
    with django_assert_num_queries(10):
        response = staff_client.get(CHANGELIST, STEPS_CHECK)
    assert len(response.context["cl"].result_list) == count


def test_the_change_form_names_the_step_and_what_to_do(staff_client, stepped):
    broken, sound = stepped
    signed = broken["signed another day"]
    page = staff_client.get(change_url(signed)).content.decode()
    assert STEPS_NOTICE in page
    assert NOTICE not in page  # its status agrees with its dates
    assert (
        '<li class="warning">Tahapan “Tahapan Kota kembar Bontang”: Tahap “Penandatanganan” '
        "tercatat terlaksana pada 5 Maret 2020, tetapi kerja sama ini ditandatangani pada 2 Maret "
        "2020."
    ) in page
    for agreement in sound.values():
        assert STEPS_NOTICE not in staff_client.get(change_url(agreement)).content.decode()


def test_the_change_form_refuses_a_save_until_the_step_is_mended(staff_client, stepped):
    """The row written before the rule is refused at its own row on the next save; moved to
    the signing day, the save goes through and the notice goes."""
    from tests.helpers import agreement_form_data, form_errors, with_existing_milestone

    agreement = broken_signing = stepped[0]["signed another day"]
    step = broken_signing.milestones.get()
    data = with_existing_milestone(agreement_form_data(agreement, title="Judul baru"), step)
    response = staff_client.post(change_url(agreement), data)
    assert response.status_code == 200
    assert [e for e in form_errors(response) if "5 Maret 2020" in e]
    agreement.refresh_from_db()
    assert agreement.title != "Judul baru"

    data = with_existing_milestone(
        agreement_form_data(agreement, title="Judul baru"), step, done_on="02/03/2020"
    )
    assert staff_client.post(change_url(agreement), data).status_code == 302
    assert STEPS_NOTICE not in staff_client.get(change_url(agreement)).content.decode()


def test_the_command_lists_the_agreements_whose_steps_contradict_their_dates(stepped, run_check):
    broken, sound = stepped
    status, out, err = run_check()
    assert status == 1
    for agreement in broken.values():
        assert f"{agreement.reference} · {agreement.title} (id {agreement.pk})" in out
        [problem] = agreement.step_date_contradictions(agreement.milestones.all())
        assert f"  - {problem}\n" in out
    for agreement in sound.values():
        assert agreement.title not in out
    assert f"{len(broken)} kerja sama dengan status, tahapan, para pihak, jangka waktu" in err


# -- a KSDD naming one region alone, a cooperation abroad naming no partner ---------------------

PARTIES_CHECK = {"check": "parties"}
PARTIES_NOTICE = "Para pihak yang tercatat tidak sesuai dengan ketentuan kerja sama ini."
ALONE = (
    "Kerja sama antardaerah (KSDD) adalah kerja sama antara dua daerah atau lebih, tetapi hanya "
    "satu daerah pihak yang disebut (%s): sebutkan juga daerah mitranya."
)
NO_PARTNER = (
    "Kerja sama dalam lingkup “KSDPL — dengan pemerintah daerah di luar negeri” memerlukan "
    "mitra, tetapi tidak ada mitra yang disebut: sebutkan mitranya. Bila mitranya belum "
    "diketahui, catat mitra yang menyatakannya belum ditentukan (seperti “Kota di Provinsi "
    "Anhui (belum ditentukan)”)."
)


@pytest.fixture
def parties():
    """A KSDD stored with its lead region alone and a sister province stored with no partner,
    as rows were written before the rules; beside them a KSDD of a province and its regency,
    a KSDPK of a province and a company, and a KSDD of two other regions whose lead region is
    one of them."""
    alone = factories.AgreementFactory(title="Jalan antarkabupaten")  # the lead region only
    alone.partnerless = factories.AgreementFactory(
        title="Provinsi kembar tanpa mitra", scope="ksdpl", kind="sister_province"
    )
    company = PartnerFactory(
        name="PT Pelabuhan", kind="company", country=factories.CountryFactory(code="ID")
    )
    sound = {
        "two regions": AgreementFactory(title="Air bersih Kutai"),
        "with a company": AgreementFactory(
            title="Pelabuhan Kariangau", scope="ksdpk", regions=[], partners=[company]
        ),
    }
    return alone, sound


def test_the_parties_query_selects_a_ksdd_of_one_region_as_its_form_refuses_it(parties):
    alone, sound = parties
    assert list(Agreement.objects.with_contradicting_parties().order_by("pk")) == [
        alone,
        alone.partnerless,
    ]
    assert alone.party_contradictions() == [ALONE % alone.lead_region.name]
    assert alone.partnerless.party_contradictions() == [NO_PARTNER]
    for agreement in sound.values():
        assert agreement.party_contradictions() == [], agreement.title


def test_the_admin_filter_lists_the_ksdd_of_one_region(staff_client, parties):
    alone, sound = parties
    page = staff_client.get(CHANGELIST, PARTIES_CHECK).content.decode()
    assert 'class="selected"><a href="?check=parties"' in page
    assert "Para pihak tidak lengkap" in page
    assert escape(alone.title) in page
    assert escape(alone.partnerless.title) in page
    for agreement in sound.values():
        assert escape(agreement.title) not in page


def test_the_change_form_asks_for_the_partner_region(staff_client, parties):
    """The notice names the one region and what is missing, in the words the form refuses a
    new one with; it goes once a second region is recorded."""
    alone, sound = parties
    page = staff_client.get(change_url(alone)).content.decode()
    assert PARTIES_NOTICE in page
    assert f'<li class="warning">{escape(ALONE % alone.lead_region.name)}</li>' in page
    for agreement in sound.values():
        assert PARTIES_NOTICE not in staff_client.get(change_url(agreement)).content.decode()

    with writing_parties(alone):
        alone.regions.add(RegencyFactory(province=alone.lead_region))
    assert PARTIES_NOTICE not in staff_client.get(change_url(alone)).content.decode()


def test_the_command_lists_the_ksdd_of_one_region(parties, run_check):
    alone, sound = parties
    status, out, err = run_check()
    assert status == 1
    assert f"{alone.reference or '(tanpa nomor naskah)'} · {alone.title} (id {alone.pk})" in out
    assert f"  - {ALONE % alone.lead_region.name}\n" in out
    assert f"  - {NO_PARTNER}\n" in out
    for agreement in sound.values():
        assert agreement.title not in out
    assert "2 kerja sama dengan status, tahapan, para pihak, jangka waktu atau mata uang" in err


def test_a_cooperation_abroad_naming_no_partner_is_refused_and_one_stored_so_saves(
    staff_client, parties
):
    """A sister province saved with no partner at all: a cooperation of a region with nobody.
    The form refuses it at its partners, saying what is missing; one stored so before the rule
    says so above its form and still saves a change that leaves its parties as they are."""
    alone, _sound = parties
    stored = alone.partnerless
    page = staff_client.get(change_url(stored)).content.decode()
    assert f'<li class="warning">{escape(NO_PARTNER)}</li>' in page

    new = Agreement(
        title="Provinsi kembar baru",
        kind="sister_province",
        scope="ksdpl",
        status="initiative",
        lead_region=stored.lead_region,
    )
    refused = staff_client.post(reverse("admin:agreements_agreement_add"), agreement_form_data(new))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["partners"] == [NO_PARTNER]

    saved = staff_client.post(
        change_url(stored), agreement_form_data(stored, title="Provinsi kembar (diperbarui)")
    )
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors


# -- an amendment ending after the text it amends -----------------------------------------------

TERM_CHECK = {"check": "term"}
TERM_NOTICE = (
    "Jangka waktu atau status yang tercatat bertentangan dengan naskah yang diubah atau "
    "diperpanjang:"
)
OUTLASTS = (
    "Amendemen atau adendum berakhir bersama naskah yang diubahnya, yang berakhir %s. Untuk "
    "memperpanjang jangka waktunya, catat naskah ini sebagai perpanjangan: pilih hubungan "
    "“Perpanjangan”."
)


def amendment_form(mou, title, expires_on, precision):
    """What the admin's add form posts for an amendment of ``mou`` titled ``title`` and ending
    on ``expires_on`` as typed, known to ``precision``; the rest as ``mou`` is."""
    return {
        **agreement_form_data(mou),
        "title": title,
        "kind": "amendment",
        "follows": mou.pk,
        "relation": "amends",
        "expires_on": expires_on,
        "expires_on_precision": precision,
    }


@pytest.fixture
def amendments():
    """An MoU running to 31 December 2029, and beside it three amendments of it: one stored
    ending in 2031, as rows were written before the rule; one ending in "Desember 2029", known
    to its month, which covers the MoU's last day and no more; one ending with it. And an
    extension ending in 2034, which is what lengthens a term."""
    mou = AgreementFactory(title="MoU Kaltim–Daejeon", expires_on=datetime.date(2029, 12, 31))

    def following(title, relation, expires_on, precision="day"):
        follow_up = AgreementFactory(
            title=title,
            kind="amendment",
            follows=mou,
            relation=relation,
            lead_region=mou.lead_region,
        )
        return written_past_the_rules(
            follow_up, expires_on=expires_on, expires_on_precision=precision
        )

    outlasting = following("Adendum I MoU Kaltim–Daejeon", "amends", datetime.date(2031, 6, 30))
    sound = {
        "to the month": following(
            "Adendum II MoU Kaltim–Daejeon", "amends", datetime.date(2029, 12, 1), "month"
        ),
        "with its text": following(
            "Adendum III MoU Kaltim–Daejeon", "amends", datetime.date(2029, 12, 31)
        ),
        "an extension": following(
            "Perpanjangan MoU Kaltim–Daejeon", "extends", datetime.date(2034, 12, 31)
        ),
    }
    return mou, outlasting, sound


def test_the_term_query_selects_an_amendment_outlasting_its_text_as_its_form_refuses_it(
    amendments,
):
    mou, outlasting, sound = amendments
    assert list(Agreement.objects.with_contradicting_term()) == [outlasting]
    assert outlasting.term_contradictions() == [OUTLASTS % "31 Desember 2029"]
    with pytest.raises(ValidationError) as refused:
        outlasting.full_clean()
    assert refused.value.message_dict["expires_on"] == [OUTLASTS % "31 Desember 2029"]
    for agreement in sound.values():
        assert agreement.term_contradictions() == [], agreement.title
        agreement.full_clean()


def test_the_add_form_refuses_an_amendment_ending_after_its_text_and_points_to_an_extension(
    staff_client, amendments
):
    """An addendum typed with a later end is not written: the clerk is told the amendment ends
    with its text and to record the new term as an extension, which the form then takes."""
    mou, _outlasting, _sound = amendments
    before = Agreement.objects.count()
    typed = amendment_form(mou, "Adendum IV MoU Kaltim–Daejeon", "31/12/2032", "day")
    refused = staff_client.post(reverse("admin:agreements_agreement_add"), typed)
    assert refused.status_code == 200
    assert escape(OUTLASTS % "31 Desember 2029") in refused.content.decode()
    assert Agreement.objects.count() == before

    extension = {
        **typed,
        "title": "Perpanjangan II MoU Kaltim–Daejeon",
        "kind": "mou",
        "relation": "extends",
    }
    saved = staff_client.post(reverse("admin:agreements_agreement_add"), extension)
    assert saved.status_code == 302
    assert Agreement.objects.count() == before + 1


def test_the_admin_filter_and_the_change_form_show_the_amendment_outlasting_its_text(
    staff_client, amendments
):
    mou, outlasting, sound = amendments
    page = staff_client.get(CHANGELIST, TERM_CHECK).content.decode()
    assert 'class="selected"><a href="?check=term"' in page
    assert "Adendum/perpanjangan bertentangan dengan jangka waktu naskahnya" in page
    assert escape(outlasting.title) in page
    for agreement in [mou, *sound.values()]:
        assert f">{escape(agreement.title)}<" not in page

    form = staff_client.get(change_url(outlasting)).content.decode()
    assert TERM_NOTICE in form
    assert f'<li class="warning">{escape(OUTLASTS % "31 Desember 2029")}</li>' in form
    for agreement in [mou, *sound.values()]:
        assert TERM_NOTICE not in staff_client.get(change_url(agreement)).content.decode()


def test_the_command_lists_the_amendment_outlasting_its_text(amendments, run_check):
    mou, outlasting, sound = amendments
    status, out, err = run_check()
    assert status == 1
    assert f"{outlasting.title} (id {outlasting.pk})" in out
    assert f"  - {OUTLASTS % '31 Desember 2029'}\n" in out
    for agreement in [mou, *sound.values()]:
        assert f" · {agreement.title} (id" not in out


ENDS_FIRST = (
    "Perpanjangan melanjutkan jangka waktu naskah yang diperpanjangnya, yang berakhir "
    "31 Desember 2029, tetapi perpanjangan ini berakhir %s, tidak sesudahnya. Periksa tanggal "
    "berakhirnya; bila naskah ini mengubah naskah itu tanpa memperpanjang jangka waktunya, "
    "pilih hubungan “Amendemen / adendum”."
)


def test_the_add_form_refuses_an_extension_ending_no_later_than_its_text(staff_client, amendments):
    """An extension typed with an end before its MoU's (a year mistyped): its MoU's page, the
    dashboard and the downloads said "sudah diperpanjang" of a text the extension ended
    before. Refused at its end, nothing written; one known only as "2029" cannot end after the
    MoU's 31 December 2029 either. With a later end, it is saved."""
    mou, _outlasting, _sound = amendments
    before = Agreement.objects.count()
    typed = {
        **amendment_form(mou, "Perpanjangan II MoU Kaltim–Daejeon", "30/06/2029", "day"),
        "kind": "mou",
        "relation": "extends",
    }
    for expires_on, precision, said in [
        ("30/06/2029", "day", "30 Juni 2029"),
        ("2029", "year", "2029"),
    ]:
        typed.update(expires_on=expires_on, expires_on_precision=precision)
        refused = staff_client.post(reverse("admin:agreements_agreement_add"), typed)
        assert refused.status_code == 200
        assert escape(ENDS_FIRST % said) in refused.content.decode()
        assert Agreement.objects.count() == before

    typed.update(expires_on="30/06/2034", expires_on_precision="day")
    saved = staff_client.post(reverse("admin:agreements_agreement_add"), typed)
    assert saved.status_code == 302
    assert Agreement.objects.count() == before + 1


def test_the_term_query_selects_an_extension_ending_before_its_text_as_its_form_refuses_it(
    amendments,
):
    mou, outlasting, _sound = amendments
    short = AgreementFactory(
        title="Perpanjangan singkat MoU Kaltim–Daejeon",
        follows=mou,
        relation="extends",
        lead_region=mou.lead_region,
    )
    written_past_the_rules(short, expires_on=datetime.date(2029, 6, 30))
    assert set(Agreement.objects.with_contradicting_term()) == {outlasting, short}
    assert short.term_contradictions() == [ENDS_FIRST % "30 Juni 2029"]
    with pytest.raises(ValidationError) as refused:
        short.full_clean()
    assert refused.value.message_dict["expires_on"] == [ENDS_FIRST % "30 Juni 2029"]


def test_an_amendment_known_to_its_year_may_end_with_a_text_ending_within_that_year(
    staff_client,
):
    """An MoU running to 30 June 2029, and an addendum whose end the clerk knows only as
    "2029": it may well end with the MoU, so the form takes it, and the data check does not
    list it; one known as "2030" ends after the MoU whatever its day, and is refused."""
    mou = AgreementFactory(title="MoU Kaltim–Daejeon", expires_on=datetime.date(2029, 6, 30))
    typed = amendment_form(mou, "Adendum I MoU Kaltim–Daejeon", "2030", "year")
    refused = staff_client.post(reverse("admin:agreements_agreement_add"), typed)
    assert refused.status_code == 200
    assert escape(OUTLASTS % "30 Juni 2029") in refused.content.decode()

    typed["expires_on"] = "2029"
    saved = staff_client.post(reverse("admin:agreements_agreement_add"), typed)
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    amendment = Agreement.objects.get(title="Adendum I MoU Kaltim–Daejeon")
    assert (amendment.expires_on, amendment.expires_on_precision) == (
        datetime.date(2029, 1, 1),
        "year",
    )
    listed = staff_client.get(reverse("admin:agreements_agreement_changelist"), TERM_CHECK)
    assert amendment not in listed.context["cl"].result_list
    page = staff_client.get(reverse("admin:agreements_agreement_change", args=[amendment.pk]))
    assert TERM_NOTICE not in page.content.decode()


# -- an amendment ends with its text, on its status page too ------------------------------------

BLANK_END = (
    "Amendemen atau adendum berakhir bersama naskah yang diubahnya, yang berakhir %s, tetapi "
    "tanggal berakhirnya tidak diisi. Saat disimpan, tanggal itu diisikan."
)
OUTLIVES = (
    "Naskah yang diubahnya tercatat “Diakhiri”, dan amendemen atau adendum berakhir bersama "
    "naskah itu: catat statusnya “Diakhiri” juga."
)


def shown_badge(client, agreement):
    """The status word its public status page shows, as the class of its badge."""
    page = client.get(agreement.get_absolute_url()).content.decode()
    return re.search(r'<span class="badge status-([a-z_]+)">', page).group(1)


def daejeon_mou(expires_on=datetime.date(2024, 12, 31)):
    """The MoU of Kalimantan Timur and Daejeon, in force from 15 January 2020 to
    ``expires_on``: by default a term that ran out at the end of 2024."""
    return AgreementFactory(
        title="MoU Kaltim–Daejeon",
        signed_on=datetime.date(2020, 1, 15),
        in_force_from=datetime.date(2020, 1, 15),
        expires_on=expires_on,
    )


def addendum_of(mou, title, **fields):
    """An amendment of ``mou`` titled ``title``, as stored, of the MoU's region."""
    return AgreementFactory(
        title=title,
        kind="amendment",
        follows=mou,
        relation="amends",
        lead_region=mou.lead_region,
        **fields,
    )


def add_addendum(staff_client, mou, signed):
    """What the admin's add form answers a clerk recording "Adendum I" of ``mou``, signed and
    in force on ``signed`` as typed, its end left blank."""
    typed = {
        **amendment_form(mou, "Adendum I MoU Kaltim–Daejeon", "", "day"),
        "signed_on": signed,
        "in_force_from": signed,
    }
    return staff_client.post(reverse("admin:agreements_agreement_add"), typed)


def test_an_addendum_saved_with_no_end_of_its_own_ends_with_its_mou_on_its_status_page(
    client, staff_client
):
    """An MoU that ran out at the end of 2024, and an addendum of it a clerk records with the
    end left blank, as addenda seldom state their own term: it ends with the MoU, so its page
    says "Berakhir" as the MoU's does, not "Berlaku" for good."""
    mou = daejeon_mou()
    saved = add_addendum(staff_client, mou, "10/01/2022")
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    addendum = Agreement.objects.get(title="Adendum I MoU Kaltim–Daejeon")

    assert addendum.expires_on == datetime.date(2024, 12, 31)
    assert shown_badge(client, mou) == shown_badge(client, addendum) == "expired"


def test_the_data_check_lists_an_addendum_stored_with_no_end_and_a_save_mends_it(
    client, staff_client, run_check
):
    mou = daejeon_mou()
    addendum = written_past_the_rules(
        addendum_of(
            mou,
            "Adendum I MoU Kaltim–Daejeon",
            signed_on=datetime.date(2022, 1, 10),
            in_force_from=datetime.date(2022, 1, 10),
        ),
        expires_on=None,
    )
    assert shown_badge(client, addendum) == "in_force"  # as stored before the rule
    listed = staff_client.get(CHANGELIST, TERM_CHECK)
    assert list(listed.context["cl"].result_list) == [addendum]
    form = staff_client.get(change_url(addendum)).content.decode()
    assert TERM_NOTICE in form
    assert f'<li class="warning">{escape(BLANK_END % "31 Desember 2024")}</li>' in form
    status, out, _err = run_check()
    assert status == 1
    assert f"  - {BLANK_END % '31 Desember 2024'}\n" in out

    saved = staff_client.post(change_url(addendum), agreement_form_data(addendum))
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert shown_badge(client, addendum) == "expired"
    assert list(staff_client.get(CHANGELIST, TERM_CHECK).context["cl"].result_list) == []


def test_terminating_an_mou_warns_of_its_addendum_in_force_which_is_then_recorded_so(
    client, staff_client, run_check
):
    """A clerk records the early ending of an MoU on the MoU. Its addendum, part of it, would
    go on saying "Berlaku": the MoU's save says so with a link, the addendum's form asks for
    its status to be recorded "Diakhiri" too, and its page then says so."""
    mou = AgreementFactory(title="MoU Kaltim–Daejeon", expires_on=datetime.date(2029, 12, 31))
    addendum = addendum_of(
        mou,
        "Adendum I MoU Kaltim–Daejeon",
        signed_on=datetime.date(2025, 2, 3),
        in_force_from=datetime.date(2025, 2, 3),
        expires_on=datetime.date(2029, 12, 31),
    )
    saved = staff_client.post(
        change_url(mou), agreement_form_data(mou, status="terminated"), follow=True
    )
    warnings = [str(m) for m in saved.context["messages"] if m.level_tag == "warning"]
    assert any(
        f'<a href="{change_url(addendum)}">“{escape(addendum.title)}”</a> tercatat “Berlaku” '
        "sampai 31 Desember 2029" in warning
        for warning in warnings
    ), warnings
    # What the clerk can do: no end date makes it end with an MoU cut short; its status does.
    told = [warning for warning in warnings if "tidak berakhir bersama naskah ini" in warning]
    assert [warning.split(": ", 1)[1] for warning in told] == [
        "halaman statusnya tidak berakhir bersama naskah ini. Catat statusnya “Diakhiri” juga."
    ]
    assert shown_badge(client, mou) == "terminated"
    assert list(staff_client.get(CHANGELIST, TERM_CHECK).context["cl"].result_list) == [addendum]
    status, out, _err = run_check()
    assert status == 1
    assert f"  - {OUTLIVES}\n" in out

    refused = staff_client.post(change_url(addendum), agreement_form_data(addendum))
    assert refused.status_code == 200
    assert escape(OUTLIVES) in refused.content.decode()
    assert shown_badge(client, addendum) == "in_force"

    saved = staff_client.post(
        change_url(addendum), agreement_form_data(addendum, status="terminated")
    )
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert shown_badge(client, addendum) == "terminated"
    assert list(staff_client.get(CHANGELIST, TERM_CHECK).context["cl"].result_list) == []


def test_moving_an_mous_end_earlier_asks_for_its_addendums_end_to_be_mended(staff_client):
    """The MoU ends earlier now than its addendum, still in force: here it is the addendum's
    end the clerk mends, and the MoU's save says that."""
    mou = AgreementFactory(title="MoU Kaltim–Daejeon", expires_on=datetime.date(2029, 12, 31))
    addendum_of(
        mou,
        "Adendum I MoU Kaltim–Daejeon",
        signed_on=datetime.date(2025, 2, 3),
        in_force_from=datetime.date(2025, 2, 3),
        expires_on=datetime.date(2029, 12, 31),
    )
    saved = staff_client.post(
        change_url(mou), agreement_form_data(mou, expires_on="30/06/2028"), follow=True
    )
    warnings = [str(m) for m in saved.context["messages"] if m.level_tag == "warning"]
    told = [warning for warning in warnings if "tidak berakhir bersama naskah ini" in warning]
    assert [warning.split(": ", 1)[1] for warning in told] == [
        "halaman statusnya tidak berakhir bersama naskah ini. Perbaiki tanggal berakhirnya."
    ]


def test_correcting_an_mous_end_later_warns_of_the_addendum_that_took_its_old_end(
    client, staff_client
):
    """An addendum saved with no end took its MoU's, 31 December 2024; the clerk then corrects
    the MoU's end to 31 December 2026. The addendum would say "Berakhir" from 2025 on while its
    MoU says "Berlaku": the MoU's save warns of it, with a link. An addendum whose own shorter
    term was stated differently is left to the clerk."""
    mou = daejeon_mou()
    assert add_addendum(staff_client, mou, "10/01/2022").status_code == 302
    addendum = Agreement.objects.get(title="Adendum I MoU Kaltim–Daejeon")
    shorter = addendum_of(
        mou,
        "Adendum II MoU Kaltim–Daejeon",
        signed_on=datetime.date(2022, 3, 1),
        in_force_from=datetime.date(2022, 3, 1),
        expires_on=datetime.date(2023, 6, 30),
    )
    mou.refresh_from_db()

    saved = staff_client.post(
        change_url(mou), agreement_form_data(mou, expires_on="31/12/2026"), follow=True
    )

    warnings = [str(m) for m in saved.context["messages"] if m.level_tag == "warning"]
    assert [w for w in warnings if "tanggal berakhir naskah ini sebelumnya" in w] == [
        "Naskah ini kini berakhir 31 Desember 2026, tetapi amendemen atau adendumnya, "
        f'<a href="{change_url(addendum)}">“{escape(addendum.title)}”</a>, masih berakhir '
        "31 Desember 2024, tanggal berakhir naskah ini sebelumnya. Bila adendum itu berakhir "
        "bersama naskah ini, perbaiki juga tanggal berakhirnya."
    ]
    assert shorter.title not in " ".join(warnings)
    assert shown_badge(client, mou) == "in_force"


def test_the_deploying_guide_says_what_the_command_says_and_names_every_check(run_check):
    """Whoever runs the command after an upgrade reads in docs/deploying.md the sentence a
    clean register answers with, and the admin filter's every check that holds the rows it
    lists, as the admin names them."""
    status, out, _err = run_check()
    guide = " ".join((settings.BASE_DIR / "docs" / "deploying.md").read_text().split())
    assert status == 0
    assert f'("{out.strip()}")' in guide
    for _value, label in DataCheckFilter.lookups(None, None, None):
        assert f"**… → {label}**" in guide or f"**Pemeriksaan data → {label}**" in guide, label


SIGNED_AFTER_ITS_TEXT = (
    "Amendemen atau adendum berakhir bersama naskah yang diubahnya, tetapi naskah itu berakhir "
    "%s, sebelum amendemen atau adendum ini ditandatangani atau berlaku. Jika naskah itu sudah "
    "diperpanjang, pilih perpanjangannya pada “kelanjutan dari”."
)


def test_an_addendum_signed_after_its_text_ended_is_refused_in_words_not_by_a_constraint(
    staff_client,
):
    """A clerk records an addendum signed in March 2025, its end left blank, as amending an MoU
    that ran out at the end of 2024 (it amends the MoU's extension): the end it would take
    comes before its signing. The form says so and what to choose, not the name of the
    database's constraint."""
    mou = daejeon_mou()
    refused = add_addendum(staff_client, mou, "10/03/2025")
    assert refused.status_code == 200
    page = refused.content.decode()
    assert escape(SIGNED_AFTER_ITS_TEXT % "31 Desember 2024") in page
    assert "agreement_not_expiring_before_signed" not in page
    assert not Agreement.objects.filter(title="Adendum I MoU Kaltim–Daejeon").exists()


def test_an_addendum_ended_with_its_mou_goes_on_where_its_mou_does(client, staff_client):
    """An addendum of 2023 to an MoU that ran out at the end of 2024 and was extended to 2029:
    ended with the MoU, the addendum's page says, as the MoU's does, that the cooperation goes
    on in the extension, not that it is over."""
    mou = daejeon_mou()
    extension = AgreementFactory(
        title="Perpanjangan MoU Kaltim–Daejeon",
        kind=mou.kind,
        follows=mou,
        relation="extends",
        lead_region=mou.lead_region,
        signed_on=datetime.date(2024, 11, 1),
        in_force_from=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2029, 12, 31),
    )
    saved = add_addendum(staff_client, mou, "10/03/2023")
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    addendum = Agreement.objects.get(title="Adendum I MoU Kaltim–Daejeon")

    goes_on = "Naskah ini sudah berakhir; kerja samanya berlanjut dalam"
    link = f'<a href="{extension.get_absolute_url()}">'
    for document in (mou, addendum):
        page = " ".join(client.get(document.get_absolute_url()).content.decode().split())
        assert f"{goes_on} {link}" in page, document
        assert "tidak ada: kerja sama ini sudah selesai" not in page, document


CANCELLED_TEXT = (
    "Naskah yang diubahnya tercatat “Batal”, yaitu tidak ditandatangani, dan amendemen atau "
    "adendum berakhir bersama naskah itu: catat statusnya “Batal” juga dan kosongkan tanggal "
    "ditandatangani dan berlaku sejak, atau perbaiki status naskah itu bila sudah "
    "ditandatangani."
)


def test_a_signed_addendum_of_a_cancelled_text_is_told_the_whole_way_out(staff_client):
    """An MoU recorded "Batal" (never signed) whose addendum is recorded in force: the
    addendum's form says what to record, and the clerk who does so saves it, not refused a
    second time for the signing dates the first message left."""
    mou = AgreementFactory(title="MoU Kaltim–Daejeon", expires_on=datetime.date(2029, 12, 31))
    addendum = addendum_of(
        mou,
        "Adendum I MoU Kaltim–Daejeon",
        expires_on=datetime.date(2029, 12, 31),
    )
    written_past_the_rules(mou, status="cancelled", signed_on=None, in_force_from=None)

    refused = staff_client.post(change_url(addendum), agreement_form_data(addendum))
    assert refused.status_code == 200
    assert escape(CANCELLED_TEXT) in refused.content.decode()

    told = agreement_form_data(
        addendum,
        status="cancelled",
        signed_on="",
        signed_on_precision="day",
        in_force_from="",
        in_force_from_precision="day",
    )
    saved = staff_client.post(change_url(addendum), told)
    assert saved.status_code == 302, saved.context and saved.context["errors"]


def test_an_addendum_that_ran_out_before_its_mou_was_terminated_is_left_as_it_ended(
    client, staff_client, run_check
):
    """An addendum for the 2021–2023 programme, stored in force and shown "Berakhir" by its
    date since, of an MoU the bureau terminates in 2026: its page already says it ended. The
    MoU's save does not warn of it, the data check does not list it, and a save of its own is
    not refused for asking it to be recorded terminated, which it never was."""
    mou = daejeon_mou(datetime.date(2029, 12, 31))
    addendum = addendum_of(
        mou,
        "Adendum I MoU Kaltim–Daejeon",
        signed_on=datetime.date(2021, 1, 10),
        in_force_from=datetime.date(2021, 1, 10),
        expires_on=datetime.date(2023, 12, 31),
    )
    assert shown_badge(client, addendum) == "expired"

    saved = staff_client.post(
        change_url(mou), agreement_form_data(mou, status="terminated"), follow=True
    )
    assert saved.status_code == 200
    assert "Adendum I MoU Kaltim–Daejeon" not in " ".join(
        str(message) for message in saved.context["messages"]
    )
    assert list(staff_client.get(CHANGELIST, TERM_CHECK).context["cl"].result_list) == []
    kept = staff_client.post(change_url(addendum), agreement_form_data(addendum, notes="Arsip"))
    assert kept.status_code == 302, kept.context and kept.context["errors"]


# -- a budget's currency that is no ISO 4217 code ----------------------------------------------

CURRENCY_CHECK = {"check": "currency"}


@pytest.fixture
def currencies():
    """Two agreements whose currency, three capitals the database's rule lets through, is no
    code ISO 4217 lists ("RUP", a rupiah cut short; "RMB", the renminbi's name, not its code),
    as rows were stored before every write path checked the list; beside them one in rupiah
    and one in yuan."""
    typed = {
        "RUP": AgreementFactory(title="Beasiswa dalam rupiah terpotong"),
        "RMB": AgreementFactory(title="Pameran dagang dalam renminbi"),
    }
    for currency, agreement in typed.items():
        Agreement.objects.filter(pk=agreement.pk).update(budget_currency=currency)
        agreement.refresh_from_db()
    sound = [
        AgreementFactory(title="Air bersih Kutai"),
        AgreementFactory(title="Kota kembar dalam yuan", budget_currency="CNY"),
    ]
    return typed, sound


def unknown_currency(code):
    return f"“{code}” bukan kode mata uang ISO 4217. Tulis kode tiga hurufnya, mis. IDR, USD, CNY."


def test_the_command_lists_the_currencies_that_are_no_iso_4217_code(currencies, run_check):
    """A currency of nowhere was stored and shown with its amount, on the status page and in
    every download, and the form refused the record's next save for it, yet the check run
    after an upgrade said every record agreed. It lists each, naming the currency as stored,
    in the words the form refuses it with, and exits with 1."""
    typed, sound = currencies
    status, out, err = run_check()
    assert status == 1
    for code, agreement in typed.items():
        reference = agreement.reference or "(tanpa nomor naskah)"
        assert (
            f"{reference} · {agreement.title} (id {agreement.pk})\n  - {unknown_currency(code)}\n"
            in out
        )
    for agreement in sound:
        assert agreement.title not in out
    assert "2 kerja sama dengan status, tahapan, para pihak, jangka waktu atau mata uang" in err


def test_the_currency_query_and_the_admin_filter_hold_the_same_rows(staff_client, currencies):
    typed, sound = currencies
    assert set(Agreement.objects.with_unknown_currency()) == set(typed.values())
    assert [a.currency_contradictions() for a in typed.values()] == [
        [unknown_currency("RUP")],
        [unknown_currency("RMB")],
    ]
    assert all(agreement.currency_contradictions() == [] for agreement in sound)
    page = staff_client.get(CHANGELIST, CURRENCY_CHECK).content.decode()
    assert 'class="selected"><a href="?check=currency"' in page
    assert "Mata uang bukan kode ISO 4217" in page
    for agreement in typed.values():
        assert escape(agreement.title) in page
    for agreement in sound:
        assert escape(agreement.title) not in page
