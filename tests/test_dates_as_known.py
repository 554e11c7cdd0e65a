"""Dates as they are known: a year, a month or a day, stored with the precision, shown, sorted,
filtered, imported and kept as given."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timesince, timeuntil

from agreements.dates import KnownDate
from agreements.imports import UNCHANGED, UPDATE
from agreements.models import Agreement, Milestone
from tests.factories import AgreementFactory, MilestoneFactory
from tests.helpers import (
    agreement_form_data,
    change_url,
    form_errors,
    logged_in,
    with_existing_milestone,
    with_new_milestone,
)
from tests.test_import import plan_for, row

d = datetime.date


@pytest.fixture
def register(register_kept_for_the_module):
    """The register, written once for this module's tests."""
    return register_kept_for_the_module


@pytest.mark.parametrize(
    "text, date, precision, shown_id, shown_en",
    [
        ("1982", d(1982, 1, 1), "year", "1982", "1982"),
        ("2018-05", d(2018, 5, 1), "month", "Mei 2018", "May 2018"),
        ("2018-05-03", d(2018, 5, 3), "day", "3 Mei 2018", "3 May 2018"),
    ],
)
def test_a_date_is_read_stored_and_shown_as_precisely_as_it_is_known(
    text, date, precision, shown_id, shown_en
):
    from django.utils import translation

    known = KnownDate.parse(text)

    assert (known.date, known.precision, known.iso) == (date, precision, text)
    with translation.override("id"):
        assert str(known) == shown_id
    with translation.override("en"):
        assert str(known) == shown_en


@pytest.mark.parametrize("text", ["82", "2018-5", "2018-13", "03/05/2018", "2018-02-30"])
def test_a_date_in_another_form_is_refused(text):
    with pytest.raises(ValueError):
        KnownDate.parse(text)


def test_a_year_only_signing_date_imports_shows_on_the_status_page_and_sorts_in_its_year(
    client, register
):
    plan = plan_for(
        [
            row(
                reference="SC/1982",
                title="Kota kembar lama",
                signed_on="1982",
                in_force_from="1982",
                expires_on="",
            )
        ]
    ).apply()

    assert plan.is_valid, plan.rows[0].errors
    agreement = Agreement.objects.get(reference="SC/1982")
    assert (agreement.signed_on, agreement.signed_on_precision) == (d(1982, 1, 1), "year")
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert '<time datetime="1982">1982</time>' in page
    listed = client.get(reverse("agreement-list"), {"year": "1982"}).content.decode()
    assert "Kota kembar lama" in listed
    assert '<time datetime="1982">1982</time>' in listed


def test_a_less_precise_date_in_the_file_keeps_the_precise_one_stored(register):
    mou = register["anhui_mou"]  # signed 2024-06-10
    columns = ["reference", "title", "kind", "scope", "lead_region_code", "signed_on"]
    same = {
        "reference": mou.reference,
        "title": mou.title,
        "kind": mou.kind,
        "scope": mou.scope,
        "lead_region_code": "64",
        "signed_on": "2024",
    }

    plan = plan_for([same], columns=columns).apply()

    assert [r.action for r in plan.rows] == [UNCHANGED]
    mou.refresh_from_db()
    assert (mou.signed_on, mou.signed_on_precision) == (d(2024, 6, 10), "day")

    # A date that disagrees replaces it, with its own precision; not while its signing step
    # stays recorded as done on 10 June 2024 (``Milestone.signing_day_errors``).
    assert not plan_for([{**same, "signed_on": "2024-05"}], columns=columns).apply().is_valid
    mou.milestones.filter(kind="signing").delete()
    assert plan_for([{**same, "signed_on": "2024-05"}], columns=columns).apply().is_valid
    mou.refresh_from_db()
    assert (mou.signed_on, mou.signed_on_precision) == (d(2024, 5, 1), "month")


def test_a_month_known_date_not_on_the_first_is_refused_by_the_model(register):
    mou = register["anhui_mou"]
    mou.signed_on_precision = "month"  # 2024-06-10 is not the first of its month

    with pytest.raises(ValidationError, match="hari pertamanya"):
        mou.full_clean()


def test_a_month_known_milestone_shows_its_month(client, register):
    mou = register["anhui_mou"]
    Milestone.objects.create(
        agreement=mou,
        kind="initiative",
        title="Tawaran kerja sama",
        done_on=d(2023, 12, 1),
        done_on_precision="month",
    )

    page = client.get(mou.get_absolute_url()).content.decode()

    assert '<time datetime="2023-12">Desember 2023</time>' in page


def test_reimporting_a_year_only_date_changes_nothing(register):
    rows = [
        row(reference="SC/1990", title="Lama", signed_on="1990", in_force_from="", expires_on="")
    ]
    plan_for(rows).apply()

    again = plan_for(rows).apply()

    assert [r.action for r in again.rows] == [UNCHANGED]


def test_an_update_that_only_makes_a_date_more_precise_is_an_update(register):
    rows = [
        row(reference="SC/1990", title="Lama", signed_on="1990", in_force_from="", expires_on="")
    ]
    plan_for(rows).apply()

    plan = plan_for([{**rows[0], "signed_on": "1990-04-02"}]).apply()

    assert [r.action for r in plan.rows] == [UPDATE]
    assert Agreement.objects.get(reference="SC/1990").signed_on_precision == "day"


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_writes_dates_as_given_and_partners_in_both_scripts(register, file_format):
    from agreements import exports

    anhui = register["anhui"]
    anhui.name, anhui.name_local = "Pemerintah Provinsi Anhui", "安徽省人民政府"
    anhui.save()
    mou = register["anhui_mou"]
    Agreement.objects.filter(pk=mou.pk).update(
        signed_on=d(2024, 6, 1),
        signed_on_precision="month",
        proposed_on=d(2023, 1, 1),
        proposed_on_precision="year",
    )

    text = "".join(
        exports.text_chunks(
            Agreement.objects.filter(pk=mou.pk),
            file_format,
            lambda pk: f"/{pk}/",
            readable=Agreement.objects.all(),
        )
    )

    if file_format == "json":
        (record,) = json.loads(text)
    else:
        (record,) = csv.DictReader(io.StringIO(text[1:], newline=""))
    assert (record["proposed_on"], record["signed_on"]) == ("2023", "2024-06")
    several = (lambda v: [v]) if file_format == "json" else (lambda v: v)
    assert record["partners"] == several("Pemerintah Provinsi Anhui")
    assert record["partner_names_local"] == several("安徽省人民政府")
    assert record["partner_subdivisions"] == several("CN-AH")
    assert record["partner_kinds"] == several("foreign_region")


def month_known_plan(register):
    """A cooperation proposed by an LoI of "Desember 2023" whose signing is planned for
    "Juni 2024", waiting on the Foreign Ministry."""
    plan = Agreement.objects.create(
        title="Kerja sama yang tanggalnya hanya diketahui bulannya",
        kind=Agreement.Kind.OTHER,
        scope="ksdpl",
        status=Agreement.Status.EXPLORATION,
        lead_region=register["kaltim"],
    )
    plan.regions.add(register["kaltim"])
    plan.partners.add(register["anhui"])
    Milestone.objects.create(
        agreement=plan,
        kind="loi",
        title="Pernyataan kehendak",
        done_on=d(2023, 12, 1),
        done_on_precision="month",
    )
    Milestone.objects.create(
        agreement=plan,
        kind="signing",
        title="Penandatanganan yang direncanakan",
        due_on=d(2024, 6, 1),
        due_on_precision="month",
        waits_on="kemlu",
    )
    Agreement.objects.filter(pk=plan.pk).refresh_progress()
    return plan


def test_a_month_known_step_shows_its_month_on_the_status_page_dashboard_and_report(
    client, register
):
    """A step planned for "Juni 2024" and an LoI of "Desember 2023" are shown as months on
    every page an official reads them: the stage path, the glance, the dashboard's overdue
    steps and the report's waiting list; never as the 1st of the month."""
    plan = month_known_plan(register)

    status_page = client.get(plan.get_absolute_url()).content.decode()
    path = status_page.split('<ol class="stage-path">', 1)[1].split("</ol>", 1)[0]
    glance = status_page.split('class="glance-grid"', 1)[1].split("</dl>", 1)[0]
    assert 'dilalui <time datetime="2023-12">Desember 2023</time>' in path
    assert 'target <time datetime="2024-06">Juni 2024</time>' in path
    assert 'target <time datetime="2024-06">Juni 2024</time>' in glance
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert '<time datetime="2024-06">Juni 2024</time>' in dashboard
    report = client.get(reverse("report"), {"region": "64", "period": "2024"}).content.decode()
    assert '<time datetime="2024-06">Juni 2024</time>' in report
    for page in (status_page, dashboard, report):
        assert "1 Desember 2023" not in page
        assert "1 Juni 2024" not in page


def test_a_step_due_this_month_is_due_not_late_until_the_month_has_passed(client, register):
    """A signing planned for this month, known to the month: all month long its page, the
    dashboard and the region page say it is due, never late; one planned for last month is
    late, by the days since that month ended."""
    from django.utils import timezone

    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    plan = month_known_plan(register)
    Milestone.objects.filter(agreement=plan, kind="signing").update(due_on=this_month)
    Agreement.objects.filter(pk=plan.pk).refresh_progress()

    page = client.get(plan.get_absolute_url()).content.decode()
    timeline = page.split('<ol class="timeline">', 1)[1]
    assert "Terlambat" not in timeline and "terlambat" not in page
    assert "Direncanakan" in timeline
    dashboard = client.get(reverse("dashboard")).content.decode()
    soon = dashboard.split('id="due-soon"', 1)[1].split("</section>", 1)[0]
    assert "Penandatanganan yang direncanakan" in soon
    late = dashboard.split('id="overdue"', 1)[1].split("</section>", 1)[0]
    assert "Penandatanganan yang direncanakan" not in late
    listed = client.get(reverse("agreement-list"), {"late": "yes"}).content.decode()
    assert plan.title not in listed

    Milestone.objects.filter(agreement=plan, kind="signing").update(due_on=last_month)
    Agreement.objects.filter(pk=plan.pk).refresh_progress()
    page = client.get(plan.get_absolute_url()).content.decode()
    timeline = page.split('<ol class="timeline">', 1)[1]
    assert "terlambat" in timeline
    days_late = (today - this_month).days + 1
    # Counted in days for the first week, then in weeks ("terlambat 1 minggu" from the 7th).
    if days_late < 7:
        late_by = f"terlambat {days_late}\xa0hari"
    elif days_late < 14:
        late_by = "terlambat 1\xa0minggu"
    else:
        late_by = "terlambat "
    assert late_by in page
    assert plan.title in client.get(reverse("agreement-list"), {"late": "yes"}).content.decode()


def test_the_calendar_spans_a_month_known_date_over_its_month(client, register):
    """Subscribed in a calendar, the LoI of "Desember 2023" and the signing planned for "Juni
    2024" (late by now, so told as such) cover their months; neither sits on the 1st as if that
    were the day."""
    from icalendar import Calendar

    plan = month_known_plan(register)
    response = client.get(reverse("calendar-agreement", args=[plan.pk]))
    assert response.status_code == 200
    spans = {
        str(event["SUMMARY"]).split(":", 1)[0]: (event.decoded("DTSTART"), event.decoded("DTEND"))
        for event in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert spans["Terlaksana"] == (d(2023, 12, 1), d(2024, 1, 1))
    assert spans["Terlambat"] == (d(2024, 6, 1), d(2024, 7, 1))


def test_an_editor_retypes_a_month_known_step_as_a_day_in_the_agreement_form(
    register, editor_kaltim
):
    """The form's milestone table shows no precision, so a date typed into it is a day: the
    editor who moves a step planned for "Juni 2024" to 15 July 2025 saves it, rather than
    meeting an error about a field the table does not show. A row left alone keeps its month."""
    mou = register["anhui_mou"]
    moved = Milestone.objects.create(
        agreement=mou,
        kind="activity",
        title="Pertukaran guru",
        due_on=d(2024, 6, 1),
        due_on_precision="month",
    )
    kept = Milestone.objects.create(
        agreement=mou,
        kind="activity",
        title="Beasiswa",
        due_on=d(2024, 9, 1),
        due_on_precision="month",
    )
    mou.refresh_from_db()
    data = with_existing_milestone(agreement_form_data(mou), moved, due_on="2025-07-15")
    data = with_existing_milestone(data, kept)

    response = logged_in(editor_kaltim).post(change_url(mou), data)

    assert form_errors(response) == []
    assert response.status_code == 302
    moved.refresh_from_db()
    kept.refresh_from_db()
    assert moved.known("due_on") == KnownDate(d(2025, 7, 15), "day")
    assert kept.known("due_on") == KnownDate(d(2024, 9, 1), "month")


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_the_export_writes_a_month_known_next_step_as_its_month(client, register, file_format):
    """The next step's target in the files is "2024-06", as the status page says "Juni 2024",
    on both the Python writers and PostgreSQL's query."""
    month_known_plan(register)

    response = client.get(reverse("agreement-export", args=[file_format]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")

    if file_format == "json":
        records = json.loads(text)["agreements"]
    else:
        records = list(csv.DictReader(io.StringIO(text, newline="")))
    (record,) = [r for r in records if r["title"].endswith("hanya diketahui bulannya")]
    assert record["next_milestone_due"] == "2024-06"


# -- typed in the admin as staff write them -----------------------------------------------------


@pytest.mark.parametrize(
    "text, date, precision",
    [
        ("2024-09", d(2024, 9, 1), "month"),
        ("09/2024", d(2024, 9, 1), "month"),
        ("9-2024", d(2024, 9, 1), "month"),
        ("2024", d(2024, 1, 1), "year"),
        ("15/06/2025", d(2025, 6, 15), "day"),
        ("15-06-2025", d(2025, 6, 15), "day"),
        ("2025-06-15", d(2025, 6, 15), "day"),
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_date_typed_as_staff_write_it_is_read_as_known_in_both_languages(
    text, date, precision, language
):
    from django.utils import translation

    with translation.override(language):
        known = KnownDate.parse(text, typed=True)
        assert known == KnownDate(date, precision)
        assert KnownDate.parse(known.typed, typed=True) == known  # shown as it is read back


@pytest.mark.parametrize("text", ["06/25/2024", "13/2024", "2024-13", "31/02/2024", "Juni"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_typed_date_never_read_month_first_nor_past_the_calendar(text, language):
    from django.utils import translation

    with translation.override(language), pytest.raises(ValueError):
        KnownDate.parse(text, typed=True)


@pytest.mark.parametrize(
    "text, date, precision",
    [
        ("Juni 2024", d(2024, 6, 1), "month"),
        ("10 Juni 2024", d(2024, 6, 10), "day"),
        ("3 Mei 2018", d(2018, 5, 3), "day"),
        ("11 agustus 2026", d(2026, 8, 11), "day"),
        ("17 Agt. 1945", d(1945, 8, 17), "day"),
        ("Nopember 2023", d(2023, 11, 1), "month"),
        ("10 June 2024", d(2024, 6, 10), "day"),
        ("December 2023", d(2023, 12, 1), "month"),
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_date_written_with_its_months_name_is_read_in_both_languages(
    text, date, precision, language
):
    """As the pages and the bureau's letters write it: the clerk copies "Juni 2024" from a
    status page or "10 Juni 2024" from a letter's date line."""
    with translation.override(language):
        assert KnownDate.parse(text, typed=True) == KnownDate(date, precision)


@pytest.mark.parametrize("text", ["Juni", "31 Februari 2024", "10 Junio 2024", "Juni 24"])
def test_a_months_name_without_its_year_or_past_the_calendar_is_refused(text):
    with pytest.raises(ValueError):
        KnownDate.parse(text, typed=True)


@pytest.mark.parametrize(
    "known",
    [KnownDate(d(2024, 6, 1), "month"), KnownDate(d(2024, 6, 10), "day")],
    ids=["month", "day"],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_date_copied_from_the_status_page_into_the_form_is_saved_as_known(
    staff_client, register, known, language
):
    mou = register["anhui_mou"]
    with translation.override(language):
        shown = str(known)  # "Juni 2024", "10 June 2024": as the page writes it
    data = agreement_form_data(mou, signed_on=shown, signed_on_precision="")
    data.update(in_force_from="", expires_on="")

    response = staff_client.post(change_url(mou), data)

    assert form_errors(response) == []
    mou.refresh_from_db()
    assert mou.known("signed_on") == known


@pytest.mark.parametrize("text", ["09/2024", "15/06/2025"])
def test_a_file_is_still_read_in_iso_only(text):
    with pytest.raises(ValueError):
        KnownDate.parse(text)


@pytest.mark.parametrize(
    "typed, chosen, stored",
    [
        ("2024-09", "month", (d(2024, 9, 1), "month")),
        ("09/2024", "month", (d(2024, 9, 1), "month")),
        ("09/2024", "day", (d(2024, 9, 1), "month")),  # the day is the default: what is typed
        ("2024", "year", (d(2024, 1, 1), "year")),
        ("2024", "", (d(2024, 1, 1), "year")),
        ("01/06/2025", "month", (d(2025, 6, 1), "month")),  # a month's first day, as stored
        ("15/06/2025", "day", (d(2025, 6, 15), "day")),
    ],
)
def test_staff_type_a_date_as_they_know_it_in_the_agreement_form(
    staff_client, register, typed, chosen, stored
):
    mou = register["anhui_mou"]
    # Its signing step moved to the day typed, as a clerk correcting the date would: the form
    # refuses a signing date its signing step contradicts (the step's rows are not posted here,
    # and are checked as stored).
    mou.milestones.filter(kind="signing").update(done_on=stored[0], done_on_precision=stored[1])
    data = agreement_form_data(mou, signed_on=typed, signed_on_precision=chosen)
    data.update(in_force_from="", expires_on="")

    response = staff_client.post(change_url(mou), data)

    assert form_errors(response) == []
    assert response.status_code == 302
    mou.refresh_from_db()
    assert (mou.signed_on, mou.signed_on_precision) == stored


@pytest.mark.parametrize(
    "typed, chosen, said",
    [
        (
            "15/06/2025",
            "month",
            "“15/06/2025” ditulis sampai tanggal, tetapi ketelitian yang "
            "dipilih bulan. Tulis 06/2025 untuk ketelitian bulan",
        ),
        ("2024", "month", "“2024” ditulis sampai tahun, tetapi ketelitian yang dipilih bulan."),
        (
            "2024-09",
            "year",
            "“2024-09” ditulis sampai bulan, tetapi ketelitian yang dipilih tahun.",
        ),
    ],
)
def test_a_date_and_a_precision_that_disagree_are_refused_saying_so(
    staff_client, register, typed, chosen, said
):
    mou = register["anhui_mou"]
    before = (mou.signed_on, mou.signed_on_precision, mou.version)

    response = staff_client.post(
        change_url(mou), agreement_form_data(mou, signed_on=typed, signed_on_precision=chosen)
    )

    assert response.status_code == 200
    [error] = form_errors(response)
    assert error.startswith(said)
    assert "hari pertama" not in error
    mou.refresh_from_db()
    assert (mou.signed_on, mou.signed_on_precision, mou.version) == before


@pytest.mark.parametrize(
    "stored, typed, shown",
    [
        (KnownDate(d(2024, 6, 1), "month"), "10/06/2024", KnownDate(d(2024, 6, 10), "day")),
        (KnownDate(d(2024, 1, 1), "year"), "06/2024", KnownDate(d(2024, 6, 1), "month")),
        (KnownDate(d(2024, 6, 10), "day"), "2024", KnownDate(d(2024, 1, 1), "year")),
    ],
)
def test_a_date_retyped_more_or_less_precisely_is_saved_as_typed_with_the_precision_left_alone(
    staff_client, register, stored, typed, shown
):
    """The bureau finds the day on the paper: the form loaded the month beside the date, and
    the clerk retypes the date only. What is typed is what they know now."""
    mou = register["anhui_mou"]
    Agreement.objects.filter(pk=mou.pk).update(
        signed_on=stored.date, signed_on_precision=stored.precision, in_force_from=None
    )
    mou.refresh_from_db()
    data = agreement_form_data(mou, signed_on=typed)  # the precision posted as loaded

    response = staff_client.post(change_url(mou), data)

    assert form_errors(response) == []
    mou.refresh_from_db()
    assert mou.known("signed_on") == shown
    page = staff_client.get(reverse("agreement-detail", args=[mou.pk])).content.decode()
    assert str(shown) in page


def test_a_date_past_the_calendar_is_refused_with_what_to_type(staff_client, register):
    mou = register["anhui_mou"]

    response = staff_client.post(change_url(mou), agreement_form_data(mou, signed_on="2024-13"))

    assert response.status_code == 200
    assert form_errors(response) == [
        "Tanggal tidak dikenali. Tulis tanggalnya (15/06/2025), bulannya saja (06/2025) atau "
        "tahunnya saja (2025)."
    ]


@pytest.mark.parametrize("typed", ["31/02/2025", "Juni"])
def test_a_new_step_whose_date_is_refused_is_told_why_and_nothing_else(
    staff_client, register, typed
):
    """The date was typed: the row says it could not be read, not that none was given."""
    mou = register["anhui_mou"]
    data = with_new_milestone(
        agreement_form_data(mou), kind="activity", title="Kunjungan", due_on=typed
    )

    response = staff_client.post(change_url(mou), data)

    assert response.status_code == 200
    assert form_errors(response) == [
        "Tanggal tidak dikenali. Tulis tanggalnya (15/06/2025), bulannya saja (06/2025) atau "
        "tahunnya saja (2025)."
    ]


@pytest.mark.parametrize(
    "typed, year",
    [("12/9999", "9999"), ("31/12/9999", "9999"), ("3000", "3000"), ("1899-05", "1899")],
)
def test_a_year_the_register_does_not_hold_is_refused_saying_which_it_holds(
    staff_client, register, typed, year
):
    """A step due "12/9999" (a slip of the keyboard) is refused saying which years the register
    holds, as an expiry in the year 3000 is: nothing is written."""
    said = "Tahun %s di luar jangkauan register: tulis tahun 1900 sampai 2999."
    mou = register["anhui_mou"]
    data = with_new_milestone(
        agreement_form_data(mou, expires_on=typed), kind="activity", title="Kunjungan", due_on=typed
    )
    before = (mou.expires_on, mou.version, mou.milestones.count())

    response = staff_client.post(change_url(mou), data)

    assert response.status_code == 200
    assert form_errors(response) == [said % year, said % year]
    mou.refresh_from_db()
    assert (mou.expires_on, mou.version, mou.milestones.count()) == before


@pytest.mark.parametrize("text", ["9999-12", "3000", "1899-12-31", "0001-01-01"])
def test_a_file_date_of_a_year_the_register_does_not_hold_is_refused_naming_the_column(
    register, text
):
    plan = plan_for([row(reference="B/1", expires_on=text)]).apply()

    assert not plan.is_valid
    [error] = plan.rows[0].errors
    assert error == (
        f"Kolom expires_on: tahun {int(text[:4])} di luar jangkauan register; tulis tahun 1900 "
        "sampai 2999."
    )


def test_the_agreement_form_shows_a_date_as_known_and_says_what_to_type(staff_client, register):
    mou = register["anhui_mou"]
    Agreement.objects.filter(pk=mou.pk).update(
        proposed_on=d(2023, 12, 1), proposed_on_precision="month"
    )

    page = staff_client.get(change_url(mou)).content.decode()

    assert 'name="proposed_on" value="12/2023"' in page
    assert 'name="signed_on" value="10/06/2024"' in page
    assert "bulannya saja (06/2025 atau 2025-06)" in page


def test_a_new_agreement_is_added_with_a_year_known_signing(staff_client, register):
    mou = register["anhui_mou"]
    data = agreement_form_data(
        Agreement(
            kind=mou.kind,
            title="Kota kembar lama",
            scope="ksdd",
            status=Agreement.Status.SIGNED,
            lead_region=register["kaltim"],
            visibility="public",
        ),
        signed_on="1982",
        signed_on_precision="year",
        regions=[register["kaltim"].pk, register["bali"].pk],
    )
    data.pop("loaded_version")

    response = staff_client.post(reverse("admin:agreements_agreement_add"), data)

    assert form_errors(response) == []
    added = Agreement.objects.get(title="Kota kembar lama")
    assert added.known("signed_on") == KnownDate(d(1982, 1, 1), "year")


def test_a_month_is_typed_into_the_milestone_table_of_the_agreement_form(staff_client, register):
    mou = register["anhui_mou"]
    data = with_new_milestone(
        agreement_form_data(mou), kind="activity", title="Pertukaran guru", due_on="2024-07"
    )

    response = staff_client.post(change_url(mou), data)

    assert form_errors(response) == []
    step = Milestone.objects.get(agreement=mou, title="Pertukaran guru")
    assert step.known("due_on") == KnownDate(d(2024, 7, 1), "month")


@pytest.mark.parametrize(
    "typed, chosen, stored",
    [
        ("2025-06", "month", KnownDate(d(2025, 6, 1), "month")),
        ("06/2025", "", KnownDate(d(2025, 6, 1), "month")),
        ("2025", "year", KnownDate(d(2025, 1, 1), "year")),
    ],
)
def test_a_month_or_year_is_typed_on_the_milestone_page(
    staff_client, register, typed, chosen, stored
):
    step = Milestone.objects.filter(agreement=register["anhui_mou"], title="Beasiswa guru").get()
    data = {
        "agreement": step.agreement_id,
        "kind": step.kind,
        "title": step.title,
        "due_on": typed,
        "due_on_precision": chosen,
        "done_on": "",
        "done_on_precision": "",
        "waits_on": "",
        "mark": "",
    }

    response = staff_client.post(change_url(step), data)

    assert form_errors(response) == []
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.known("due_on") == stored


# -- typed in the admin, day first in every language ---------------------------------------------


def english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_day_month_year_typed_in_english_is_that_day(staff_client, register):
    mou = register["anhui_mou"]
    data = agreement_form_data(mou, signed_on="10/06/2024", signed_on_precision="day")
    data.update(in_force_from="25/06/2024", in_force_from_precision="day")

    response = english(staff_client).post(change_url(mou), data)

    assert form_errors(response) == []
    mou.refresh_from_db()
    assert (mou.signed_on, mou.in_force_from) == (d(2024, 6, 10), d(2024, 6, 25))


@pytest.mark.parametrize("language", ["id", "en"])
def test_any_date_field_of_the_admin_reads_a_typed_date_day_first(staff_client, register, language):
    from agreements.models import PotentialSurvey

    survey = PotentialSurvey.objects.create(
        title="Rakor potensi", held_on=d(2021, 3, 10), host_region=register["kaltim"]
    )
    if language == "en":
        english(staff_client)
    data = {"title": survey.title, "held_on": "10/06/2024", "host_region": survey.host_region_id}
    data.update(
        {f"potentials-{name}": value for name, value in [("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0)]}
    )

    response = staff_client.post(change_url(survey), data)

    assert response.status_code == 302, form_errors(response)
    survey.refresh_from_db()
    assert survey.held_on == d(2024, 6, 10)
    refused = staff_client.post(change_url(survey), {**data, "held_on": "06/25/2024"})
    assert refused.status_code == 200


# -- shown in the admin's lists as known ----------------------------------------------------------


def test_the_admin_list_shows_a_month_or_year_known_date_as_known_and_sorts_by_it(
    staff_client, register
):
    Agreement.objects.filter(pk=register["anhui_mou"].pk).update(
        signed_on=d(2024, 6, 1), signed_on_precision="month"
    )
    Agreement.objects.filter(pk=register["formula"].pk).update(
        signed_on=d(2019, 1, 1), signed_on_precision="year"
    )
    changelist = reverse("admin:agreements_agreement_changelist")
    column = 1 + response_columns(staff_client, changelist).index("signed_on_known")

    page = staff_client.get(changelist).content.decode()

    assert '<time datetime="2024-06">Juni 2024</time>' in page
    assert '<time datetime="2019">2019</time>' in page
    assert "1 Juni 2024" not in page and "1 Januari 2019" not in page
    assert '<time datetime="2025-01-20">20 Januari 2025</time>' in page  # a day stays a day
    for order in (column, -column):
        listed = staff_client.get(changelist, {"o": str(order)}).context["cl"].result_list
        dates = [agreement.signed_on for agreement in listed if agreement.signed_on]
        assert dates == sorted(dates, reverse=order < 0)
        assert len(dates) == 3


def response_columns(client, url):
    return list(client.get(url).context["cl"].list_display)


def test_the_admin_milestone_list_shows_a_month_known_target_as_its_month(staff_client, register):
    Milestone.objects.create(
        agreement=register["anhui_mou"],
        kind="activity",
        title="Pameran dagang",
        due_on=d(2025, 6, 1),
        due_on_precision="month",
    )

    page = staff_client.get(
        reverse("admin:agreements_milestone_changelist"), {"q": "Pameran"}
    ).content.decode()

    assert '<time datetime="2025-06">Juni 2025</time>' in page
    assert "1 Juni 2025" not in page


def drill_down(client, url, **params):
    """The links of the list's date drill-down, and the titles the list holds."""
    page = client.get(url, params).content.decode()
    hierarchy = re.search(r'<nav class="toplinks"[^>]*>(.*?)</nav>', page, re.S)
    links = re.findall(r"<a [^>]*>([^<]*)</a>", hierarchy.group(1)) if hierarchy else []
    return [" ".join(link.split()) for link in links], page


def test_the_date_drill_down_names_no_month_or_day_a_date_is_not_known_to(staff_client, register):
    """A step due "2026" is due in no month of 2026, and one due "Juni 2025" on no day of June:
    stored on the first day of their period, they were offered as "Januari 2026" and "1 Juni"
    and listed there, as if due on 1 January or 1 June."""
    for title, due, precision in [
        ("Target tahunan", d(2026, 1, 1), "year"),
        ("Target bulanan", d(2025, 6, 1), "month"),
        ("Target harian", d(2025, 6, 12), "day"),
    ]:
        Milestone.objects.create(
            agreement=register["anhui_mou"],
            kind="activity",
            title=title,
            due_on=due,
            due_on_precision=precision,
        )
    changelist = reverse("admin:agreements_milestone_changelist")

    links, page = drill_down(staff_client, changelist, due_on__year="2026")
    assert "Target tahunan" in page  # a year known to the year is in it
    assert "Januari 2026" not in links
    links, page = drill_down(staff_client, changelist, due_on__year="2026", due_on__month="1")
    assert "Target tahunan" not in page

    links, page = drill_down(staff_client, changelist, due_on__year="2025", due_on__month="6")
    assert "Target bulanan" in page and "Target harian" in page
    assert "12 Juni" in links and "1 Juni" not in links
    links, page = drill_down(
        staff_client, changelist, due_on__year="2025", due_on__month="6", due_on__day="1"
    )
    assert "Target bulanan" not in page


# -- an expiry known to the month or the year -----------------------------------------------------


def expiring_as_known(register, title, expires_on, precision):
    """A cooperation in force since 2020 that expires on ``expires_on`` as far as it is known."""
    return AgreementFactory(
        title=title,
        lead_region=register["kaltim"],
        signed_on=d(2020, 3, 2),
        in_force_from=d(2020, 3, 2),
        expires_on=expires_on,
        expires_on_precision=precision,
    )


def badge_of(page, agreement):
    """The status word shown for ``agreement`` on a page: its own page's first badge, or the
    badge of its row in a list."""
    url = agreement.get_absolute_url()
    if f'href="{url}"' in page:
        page = page.split(f'href="{url}"', 1)[1].split("</tr>", 1)[0]
    return page.split('class="badge status-', 1)[1].split(">", 1)[1].split("<", 1)[0]


@pytest.mark.parametrize(
    "precision, dec_2026",
    [("month", d(2026, 12, 1)), ("year", d(2026, 1, 1))],
    ids=["Desember 2026", "2026"],
)
def test_an_expiry_known_to_the_month_or_year_lasts_through_its_last_day(
    register, precision, dec_2026
):
    """An agreement in force "Berakhir pada Desember 2026" (or "2026") is in force on 5 and on
    31 December 2026, ends within 30 days of 5 December, 26 days later, and is expired from 1
    January 2027: its status, the status lists and counts, the soon expiring, the past status
    the report reads and the cooperations whose steps are still someone's work agree."""
    agreement = expiring_as_known(register, "Kerja sama sampai akhir 2026", dec_2026, precision)
    step = MilestoneFactory(agreement=agreement, kind="activity", due_on=d(2026, 11, 2))
    mine = Agreement.objects.filter(pk=agreement.pk)
    in_force, expired = Agreement.Status.IN_FORCE, Agreement.Status.EXPIRED

    assert agreement.expires_by == d(2026, 12, 31)
    for day in (d(2026, 12, 1), d(2026, 12, 5), d(2026, 12, 31)):
        assert agreement.shown_status_on(day) == in_force, day
        assert mine.with_shown_status(in_force, day).exists(), day
        assert not mine.with_shown_status(expired, day).exists(), day
        assert mine.counts_by_status(day)[in_force] == 1, day
        assert step.is_overdue_on(day), day
    assert agreement.days_until_expiry_on(d(2026, 12, 5)) == 26
    assert list(mine.expiring_within(30, d(2026, 12, 5))) == [agreement]
    assert list(mine.expiring_within(30, d(2026, 12, 31))) == [agreement]
    # 1 November is 60 days before its last day: within 90 days, not within 30.
    assert not mine.expiring_within(30, d(2026, 11, 1)).exists()
    assert mine.expiring_within(90, d(2026, 11, 1)).exists()
    assert list(mine.expiring_by(d(2026, 12, 31))) == [agreement]
    assert not mine.expiring_by(d(2026, 12, 30)).exists()

    new_year = d(2027, 1, 1)
    assert agreement.shown_status_on(new_year) == expired
    assert mine.with_shown_status(expired, new_year).exists()
    assert mine.counts_by_status(new_year)[expired] == 1
    assert not mine.expiring_within(30, new_year).exists()
    assert not step.is_overdue_on(new_year)
    assert agreement.days_until_expiry_on(new_year) == -1

    # Read back from 2027 (the report of a past period): in force on 31 December, expired on
    # 1 January, and ending within the last month of 2026.
    later = d(2027, 3, 1)
    for day, status in [(d(2026, 12, 31), in_force), (new_year, expired)]:
        assert agreement.dated_status(day, later) == status
        assert mine.with_shown_status(status, later, on=day).exists()
    assert list(mine.expiring_within(30, later, on=d(2026, 12, 1))) == [agreement]


def test_a_page_shows_an_agreement_in_force_through_the_month_or_year_its_expiry_is_known_to(
    client, register
):
    """Today: an agreement expiring "this month" or "this year", as known, reads "Berlaku" on its
    page, in its row of the list and on the dashboard's soon expiring, with the days to the
    period's last day; one expiring last month or last year reads "Berakhir"."""
    from django.utils import timezone

    today = timezone.localdate()
    this_month = today.replace(day=1)
    month_end = (this_month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    this_year, last_year = d(today.year, 1, 1), d(today.year - 1, 1, 1)
    going = {
        "month": expiring_as_known(register, "Kerja sama Uji Bulan Ini", this_month, "month"),
        "year": expiring_as_known(register, "Kerja sama Uji Tahun Ini", this_year, "year"),
    }
    ended = {
        "month": expiring_as_known(register, "Kerja sama Uji Bulan Lalu", last_month, "month"),
        "year": expiring_as_known(register, "Kerja sama Uji Tahun Lalu", last_year, "year"),
    }
    listed = client.get(reverse("agreement-list"), {"q": "Uji"}).content.decode()
    for precision, agreement in going.items():
        page = client.get(agreement.get_absolute_url()).content.decode()
        assert badge_of(page, agreement) == "Berlaku", precision
        assert badge_of(listed, agreement) == "Berlaku", precision
        days_left = (agreement.expires_by - today).days
        # Counted to the period's last day, the most it may have left: "at the latest".
        if days_left > 60:  # beyond two months, in months as the past is (``ends_in``)
            with translation.override("id"):
                note = f"berakhir paling lambat dalam {timeuntil(agreement.expires_by, today)}"
        elif days_left == 1:
            note = "berakhir paling lambat besok"
        elif days_left:
            note = f"berakhir paling lambat dalam {days_left}\xa0hari"
        else:
            note = "berakhir paling lambat hari ini"
        assert note.replace("\xa0", " ") in " ".join(page.replace("\xa0", " ").split())
    for precision, agreement in ended.items():
        page = client.get(agreement.get_absolute_url()).content.decode()
        assert badge_of(page, agreement) == "Berakhir", precision
        assert badge_of(listed, agreement) == "Berakhir", precision

    dashboard = client.get(reverse("dashboard")).content.decode()
    soon = dashboard.split('id="expiring"', 1)[1].split("</section>", 1)[0]
    row = soon.split(going["month"].get_absolute_url(), 1)[1].split("</tr>", 1)[0]
    days_left = (month_end - today).days
    assert (f"{days_left} hari" if days_left else "hari ini") in " ".join(row.split())
    for agreement in ended.values():
        assert agreement.get_absolute_url() not in soon


def test_the_time_left_to_an_expiry_known_to_its_month_is_said_to_be_at_the_latest(
    client, register
):
    """A text "Berakhir pada Desember 2026" may end on any day of December: on 7 December its
    page, the dashboard and its region's page said "berakhir dalam 24 hari", "24 hari" and "24
    hari lagi", a count of days more exact than what is known, read as the day it ends. They
    say the days to the month's last day are the most it has left, "paling lambat"; a text
    whose day is known is counted as before."""
    from django.utils import timezone

    today = timezone.localdate()
    this_month = today.replace(day=1)
    by_month = expiring_as_known(register, "Kerja sama Uji Bulan Ini", this_month, "month")
    on_a_day = expiring_as_known(
        register, "Kerja sama Uji Hari Tertentu", today + datetime.timedelta(days=3), "day"
    )
    left = (by_month.expires_by - today).days

    def said(html, agreement, start, end):
        """The words of ``agreement``'s entry in the part of ``html`` from ``start``."""
        section = html.split(start, 1)[1]
        entry = section.split(f'href="{agreement.get_absolute_url()}"', 1)[1].split(end, 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", entry).replace("\xa0", " ").split())

    page = client.get(by_month.get_absolute_url()).content.decode()
    glance = " ".join(
        re.sub(r"<[^>]+>", " ", page.split('class="glance"', 1)[1].split("</dl>", 1)[0])
        .replace("\xa0", " ")
        .split()
    )
    at_the_latest = f"paling lambat {left} hari lagi" if left else "paling lambat hari ini"
    assert (
        f"berakhir paling lambat dalam {left} hari" if left else "berakhir paling lambat hari ini"
    ) in glance, glance
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert at_the_latest in said(dashboard, by_month, 'id="expiring"', "</tr>")
    region = client.get(register["kaltim"].get_absolute_url()).content.decode()
    assert at_the_latest in said(region, by_month, 'id="needs-attention-title"', "</li>")

    day_page = client.get(on_a_day.get_absolute_url()).content.decode()
    day_glance = day_page.split('class="glance"', 1)[1].split("</dl>", 1)[0]
    assert "berakhir dalam 3" in day_glance and "paling lambat" not in day_glance
    for html, start, end in [
        (dashboard, 'id="expiring"', "</tr>"),
        (region, 'id="needs-attention-title"', "</li>"),
    ]:
        entry = said(html, on_a_day, start, end)
        assert "3 hari" in entry and "paling lambat" not in entry, entry


@pytest.mark.parametrize("file_format", ["page", "csv"])
def test_the_list_sorts_an_expiry_known_to_the_month_or_year_by_its_last_day(
    client, register, file_format
):
    """The list's "Tanggal berakhir, terdekat dulu" puts an agreement ending "Januari 2030"
    after one ending on 20 January 2030, and one ending "2030" after one ending on 30 June
    2030, as the dashboard's soon expiring does: on the page and in its download."""
    for title, expires_on, precision in [
        ("Urut Tahun 2030", d(2030, 1, 1), "year"),
        ("Urut Januari 2030", d(2030, 1, 1), "month"),
        ("Urut 30 Juni 2030", d(2030, 6, 30), "day"),
        ("Urut 20 Januari 2030", d(2030, 1, 20), "day"),
    ]:
        expiring_as_known(register, title, expires_on, precision)
    soonest_first = ["Urut 20 Januari 2030", "Urut Januari 2030", "Urut 30 Juni 2030"]
    soonest_first.append("Urut Tahun 2030")

    def listed(sort):
        query = {"q": "Urut", "sort": sort}
        if file_format == "csv":
            response = client.get(reverse("agreement-list") + "export.csv", query)
            text = b"".join(response.streaming_content).decode("utf-8-sig")
            return [row["title"] for row in csv.DictReader(io.StringIO(text))]
        page = client.get(reverse("agreement-list"), query).content.decode()
        return re.findall(r">(Urut [^<]+)</a>", page)

    assert listed("expires") == soonest_first
    assert listed("-expires") == soonest_first[::-1]


def test_the_time_since_an_expiry_known_to_its_year_is_said_to_be_the_least(client, register):
    """A text "Berakhir pada 2025" ended on some day of 2025: on 7 December 2026 its page said
    "berakhir 11 bulan, 1 minggu yang lalu", counted from 31 December as if that were the day.
    It says that much time at least has passed; a text ended on a known day says how long ago,
    as before."""
    from django.utils import timezone

    today = timezone.localdate()
    by_year = expiring_as_known(
        register, "Kerja sama Uji Tahun Lalu", d(today.year - 1, 1, 1), "year"
    )
    on_a_day = expiring_as_known(
        register, "Kerja sama Uji Hari Lalu", today - datetime.timedelta(days=40), "day"
    )

    def glance(agreement):
        page = client.get(agreement.get_absolute_url()).content.decode()
        part = page.split('class="glance"', 1)[1].split("</dl>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", part).replace("\xa0", " ").split())

    with translation.override("id"):
        since = " ".join(timesince(by_year.expires_by, today).replace("\xa0", " ").split())
    assert f"Berakhir berakhir sekurang-kurangnya {since} yang lalu" in glance(by_year)
    told = glance(on_a_day)
    assert "Berakhir berakhir 1 bulan" in told and "sekurang-kurangnya" not in told, told
