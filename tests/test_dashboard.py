"""The dashboard at ``/``: what it counts, lists and draws, for whom, in how many queries."""

import datetime
import re
from collections import Counter
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.dashboard import EXPIRING_WITHIN_DAYS
from agreements.models import PAST_STATUSES, Agreement, AgreementQuerySet, Milestone
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    SectorFactory,
)
from tests.helpers import chart_table, titles_in

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def signed(today, *, status=Agreement.Status.IN_FORCE, in_force=-300, expires=600, **kwargs):
    """An agreement signed a year ago; ``in_force`` and ``expires`` are days from today."""
    kwargs.setdefault("signed_on", today - 365 * DAY)
    return AgreementFactory(
        status=status,
        in_force_from=None if in_force is None else today + in_force * DAY,
        expires_on=None if expires is None else today + expires * DAY,
        **kwargs,
    )


def unsigned(status=Agreement.Status.EXPLORATION, **kwargs):
    kwargs.setdefault("expires_on", None)
    return AgreementFactory(status=status, signed_on=None, in_force_from=None, **kwargs)


def dashboard(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def section(html, heading_id):
    """The markup of the dashboard section whose heading has ``heading_id``."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def row_titles(html):
    return re.findall(r'<a href="/[^"]*">([^<]*)</a>', html)


# -- the shown status, counted in SQL ---------------------------------------------------------


def every_kind_of_date(today):
    """Agreements of every status with dates before, on and after ``today``."""
    agreements = [
        unsigned(status) for status in ("initiative", "exploration", "preparation", "cancelled")
    ]
    # An unsigned text can carry a planned end date; it still shows its own status.
    agreements.append(unsigned("preparation", expires_on=today - 5 * DAY))
    for status in ("signed", "in_force", "expired", "terminated"):
        for in_force in (None, -30, 0, 30):
            for expires in (None, -1, 0, 1, 400):
                agreements.append(signed(today, status=status, in_force=in_force, expires=expires))
    # Starts known only to today's month or year: reached on the period's last day.
    for status in ("signed", "in_force"):
        for first, precision in [
            (today.replace(day=1), "month"),
            (today.replace(month=1, day=1), "year"),
        ]:
            agreements.append(
                signed(
                    today,
                    status=status,
                    in_force=(first - today).days,
                    in_force_from_precision=precision,
                )
            )
        agreements.append(
            signed(
                today,
                status=status,
                in_force=None,
                signed_on=today.replace(month=1, day=1),
                signed_on_precision="year",
            )
        )
    return agreements


@pytest.mark.django_db
def test_status_counts_in_sql_agree_with_the_shown_status_of_each_agreement(today):
    agreements = every_kind_of_date(today)

    counts = Agreement.objects.counts_by_status(today)

    expected = Counter(a.shown_status_on(today) for a in agreements)
    assert counts == {status: expected[status] for status in Agreement.Status.values}
    # The lapsed ones really are in the test: signed or in force, past their expiry.
    assert counts["expired"] > Agreement.objects.filter(status="expired").count()


@pytest.mark.django_db
def test_each_agreement_gets_the_same_shown_status_in_sql_as_in_python(today):
    agreements = every_kind_of_date(today)

    in_sql = dict(Agreement.objects.values_list("pk", AgreementQuerySet.shown_status_case(today)))

    assert in_sql == {a.pk: a.shown_status_on(today) for a in agreements}


@pytest.mark.django_db
def test_on_a_day_before_today_sql_and_python_read_the_same_status_from_the_dates(today):
    """The status on an earlier day (the periodic report's end of period): the same in SQL as
    in Python, and the counts agree with the filter, for agreements signed, entering into force,
    expiring, terminated and cancelled before, on and after that day; and so is being dormant,
    which an activity done after the day does not end."""
    agreements = every_kind_of_date(today)
    proposed = unsigned("preparation", proposed_on=today - 200 * DAY)
    for status in ("terminated", "cancelled"):
        for ended in (-100, -30):
            agreement = signed(today, status=status) if status == "terminated" else unsigned(status)
            MilestoneFactory(
                agreement=agreement,
                kind=Milestone.Kind.TERMINATION,
                due_on=None,
                done_on=today + ended * DAY,
            )
            agreements.append(agreement)
    agreements.append(proposed)
    agreements += [signed(today, status=s, expires=-200) for s in ("in_force", "expired")]
    long_ago = today - 800 * DAY
    quiet = AgreementFactory(signed_on=long_ago, in_force_from=long_ago, expires_on=None)
    MilestoneFactory(agreement=quiet, due_on=None, done_on=today - 50 * DAY)
    agreements = list(Agreement.objects.prefetch_related("milestones"))

    seen = set()
    for days_before in (400, 365, 364, 100, 60, 30, 29, 1):
        on = today - days_before * DAY
        in_sql = dict(
            Agreement.objects.values_list("pk", AgreementQuerySet.shown_status_case(today, on))
        )
        assert in_sql == {a.pk: a.shown_status_on(today, on) for a in agreements}, on
        counts = Agreement.objects.counts_by_status(on=on)
        for status, count in counts.items():
            assert count == Agreement.objects.with_shown_status(status, on=on).count(), (on, status)
        # What the register knew nothing of by then is in no status.
        assert sum(counts.values()) == sum(1 for status in in_sql.values() if status), on
        seen |= {status for status, count in counts.items() if count}
        dormant = set(Agreement.objects.dormant(on=on).values_list("pk", flat=True))
        assert dormant == {a.pk for a in agreements if a.is_dormant_on(today, on)}, on
        seen |= {"dormant"} if quiet.pk in dormant else set()
    # Each status a day before today can show is in the test, and a dormant agreement.
    assert seen == {*PAST_STATUSES, "dormant"}


@pytest.mark.django_db
def test_on_a_day_before_today_a_sign_of_life_done_by_then_counts_along_its_line(today):
    """On an earlier day (the report's end of period) a sign of life done by then counts for
    the documents of its line, in SQL as in Python; one done after the day counts for none."""
    long_ago = today - 900 * DAY
    mou = AgreementFactory(signed_on=long_ago, in_force_from=long_ago, expires_on=None)

    def following(relation):
        return AgreementFactory(
            follows=mou,
            relation=relation,
            kind="amendment" if relation == "amends" else "pks",
            signed_on=long_ago,
            in_force_from=long_ago,
            expires_on=None,
        )

    addendum, pks, sister = following("amends"), following("implements"), following("implements")
    MilestoneFactory(agreement=pks, kind="evaluation", due_on=None, done_on=today - 200 * DAY)
    MilestoneFactory(agreement=addendum, kind="activity", due_on=None, done_on=today - 20 * DAY)
    everyone = {mou, addendum, pks, sister}
    expected = {
        # Before the evaluation: nothing done by then.
        300: everyone,
        # After it: alive on the PKS's line, the MoU with it, and the MoU's addendum.
        100: {sister},
        # After the addendum's activity too; the sister PKS follows neither.
        10: {sister},
    }
    for days_before, dormant in expected.items():
        on = today - days_before * DAY
        assert set(Agreement.objects.dormant(on=on)) == dormant, days_before
        assert {a for a in everyone if a.is_dormant_on(today, on)} == dormant, days_before
    # Today's, read from what is stored, is the latest day's.
    assert set(Agreement.objects.dormant()) == {sister}


@pytest.mark.django_db
def test_status_counts_agree_with_the_shown_status_filter_on_another_day(today):
    every_kind_of_date(today)
    tomorrow = today + DAY

    counts = Agreement.objects.counts_by_status(tomorrow)

    for status, count in counts.items():
        assert count == Agreement.objects.with_shown_status(status, tomorrow).count(), status


@pytest.mark.django_db
def test_an_agreement_in_two_sectors_counts_once_in_each_and_once_in_all(today):
    education, tourism = SectorFactory(name_id="Pendidikan"), SectorFactory(name_id="Pariwisata")
    signed(today, sectors=[education, tourism])
    signed(today, sectors=[education])

    by_sector = {s.name_id: s.agreement_count for s in Agreement.objects.counts_by_sector()}

    assert by_sector == {"Pendidikan": 2, "Pariwisata": 1}
    assert sum(Agreement.objects.counts_by_status(today).values()) == 2


@pytest.mark.django_db
def test_partner_countries_count_foreign_partners_only_and_each_agreement_once(today):
    china, japan, indonesia = (CountryFactory(code=c) for c in ("CN", "JP", "ID"))
    anhui, hefei = PartnerFactory(country=china), PartnerFactory(country=china)
    signed(today, partners=[anhui, hefei, PartnerFactory(country=indonesia)])
    signed(today, partners=[PartnerFactory(country=japan)])
    signed(today, partners=[PartnerFactory(country=indonesia, kind="university")])

    by_country = {c.code: c.agreement_count for c in Agreement.objects.counts_by_partner_country()}

    assert by_country == {"CN": 1, "JP": 1}


# -- the page: counts and charts --------------------------------------------------------------


@pytest.fixture
def register(today):
    """A small public register with one of everything the dashboard counts."""
    education = SectorFactory(name_id="Pendidikan", name_en="Education")
    trade = SectorFactory(name_id="Perdagangan", name_en="Trade")
    anhui = PartnerFactory(name="Anhui", country=CountryFactory(code="CN"))
    osaka = PartnerFactory(name="Osaka", country=CountryFactory(code="JP"))
    return {
        "anhui_mou": signed(
            today,
            title="MoU Kaltim–Anhui",
            kind="mou",
            scope="ksdpl",
            sectors=[education, trade],
            partners=[anhui],
        ),
        # Recorded as in force, but its term ended yesterday: it shows as expired.
        "lapsed_pks": signed(
            today, title="PKS yang lewat masa", kind="pks", expires=-1, sectors=[trade]
        ),
        "osaka_loi": signed(
            today,
            title="LoI Osaka",
            kind="loi",
            scope="ksdll",
            status="signed",
            in_force=None,
            partners=[osaka],
        ),
        "bali_plan": unsigned(title="Rencana Kalteng–Bali", kind="mou"),
    }


@pytest.mark.django_db
def test_status_chart_counts_the_shown_status_so_a_lapsed_agreement_counts_as_expired(
    client, register
):
    html = dashboard(client)

    assert chart_table(html, "status") == [
        ("Prakarsa", "0"),
        ("Penjajakan", "1"),
        ("Penyiapan naskah", "0"),
        ("Ditandatangani", "1"),
        ("Berlaku", "1"),
        ("Berakhir", "1"),
        ("Diakhiri", "0"),
        ("Batal", "0"),
    ]


@pytest.mark.django_db
def test_headline_figures_count_all_agreements_and_those_in_force(client, register):
    html = dashboard(client)

    figures = dict(re.findall(r"<dt>(.*?)</dt>\s*<dd>(?:<a [^>]*>)?(\d+)", html))
    assert figures["Kerja sama tercatat"] == "4"
    assert figures["Berlaku"] == "1"


@pytest.mark.django_db
def test_kind_chart_counts_each_kind_most_common_first(client, register):
    html = dashboard(client)

    assert chart_table(html, "kind") == [
        ("Nota kesepahaman / kesepakatan bersama (MoU)", "2"),
        ("Pernyataan kehendak (LoI)", "1"),
        ("Perjanjian kerja sama (PKS)", "1"),
    ]


@pytest.mark.django_db
def test_sector_chart_counts_agreements_per_sector(client, register):
    html = dashboard(client)

    assert chart_table(html, "sector") == [("Perdagangan", "2"), ("Pendidikan", "1")]


@pytest.mark.django_db
def test_country_chart_counts_agreements_per_foreign_partner_country(client, register):
    html = dashboard(client)

    assert chart_table(html, "country") == [("Jepang", "1"), ("Tiongkok", "1")]


@pytest.mark.django_db
def test_year_chart_has_a_column_for_every_year_including_empty_ones(client, today):
    signed(today)
    AgreementFactory(signed_on=datetime.date(2021, 3, 1), in_force_from=None, expires_on=None)
    AgreementFactory(signed_on=datetime.date(2021, 9, 1), in_force_from=None, expires_on=None)
    unsigned()  # never signed: no year

    html = dashboard(client)

    last = (today - 365 * DAY).year
    expected = {str(year): "0" for year in range(2021, last + 1)} | {"2021": "2", str(last): "1"}
    assert chart_table(html, "year") == list(expected.items())


@pytest.mark.django_db
def test_each_counted_row_links_to_the_list_narrowed_the_same_way(client, register):
    html = dashboard(client)

    rows = re.findall(r'<th scope="row"><a href="([^"]*)">([^<]*)</a>', html)
    links = {label: url for url, label in rows}
    assert links["Berlaku"] == "/agreements/?status=in_force"
    assert links["Pernyataan kehendak (LoI)"] == "/agreements/?kind=loi"
    sector = register["anhui_mou"].sectors.get(name_id="Pendidikan")
    assert links["Pendidikan"] == f"/agreements/?sector={sector.slug}"
    assert links["Tiongkok"] == "/agreements/?country=CN"
    assert re.search(r'<a href="/agreements/\?status=in_force">1</a>', html)


@pytest.mark.django_db
def test_an_empty_register_shows_a_calm_page_without_charts(client):
    html = dashboard(client)

    assert "<svg" not in html
    assert "Belum ada data untuk grafik ini." in html
    assert "Tidak ada kerja sama yang berakhir dalam waktu dekat." in html
    assert "Tidak ada tahapan yang terlambat." in html


@pytest.mark.django_db
def test_a_sector_named_like_markup_is_shown_as_text(client, today):
    signed(today, sectors=[SectorFactory(name_id="<script>alert(1)</script>")])

    html = dashboard(client)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert chart_table(html, "sector") == [("<script>alert(1)</script>", "1")]


# -- the page: lists --------------------------------------------------------------------------


@pytest.mark.django_db
def test_expiring_soon_lists_the_soonest_first_with_days_left(client, today):
    signed(today, title="Dalam 100 hari", expires=100)
    signed(today, title="Dalam 3 hari", expires=3, status="signed", in_force=None)
    signed(today, title="Hari ini", expires=0)
    signed(today, title="Dalam 180 hari", expires=180)
    signed(today, title="Dalam 181 hari", expires=181)
    signed(today, title="Sudah lewat", expires=-1)
    AgreementFactory(title="Berakhir tercatat", status="expired", expires_on=today + 10 * DAY)
    signed(today, title="Internal", expires=5, visibility="internal")

    expiring = section(dashboard(client), "expiring")

    assert row_titles(expiring) == ["Hari ini", "Dalam 3 hari", "Dalam 100 hari", "Dalam 180 hari"]
    assert "hari ini" in expiring
    assert "3 hari" in expiring
    assert "180 hari" in expiring


@pytest.mark.django_db
def test_expiring_soon_counts_all_but_lists_the_first_ten(client, today):
    for days in range(12):
        signed(today, title=f"Berakhir {days + 1}", expires=days + 1)

    html = dashboard(client)

    expiring = section(html, "expiring")
    assert row_titles(expiring.split('<p class="more">')[0]) == [
        f"Berakhir {n}" for n in range(1, 11)
    ]
    assert "Menampilkan 10 yang paling dekat dari 12 kerja sama." in expiring
    assert re.search(r'<a href="#expiring">12</a>', html)


@pytest.mark.django_db
def test_expiring_soon_places_an_expiry_known_to_the_month_or_year_by_its_last_day(client, today):
    """ "Berakhir pada <this month>" ends on the month's last day: listed among the expiries known
    to the day by that day, and counted once; an internal one is neither listed nor counted.
    (On PostgreSQL the count is read from the tallies and the first rows from the index.)"""
    for days in range(0, 60, 5):
        signed(today, title=f"Hari ke-{days}", expires=days)
    first_of_month = today.replace(day=1)
    next_month = (first_of_month + 31 * DAY).replace(day=1)
    for title, expires_on, precision, visibility in [
        ("Bulan ini", first_of_month, "month", "public"),
        ("Bulan depan", next_month, "month", "public"),
        ("Tahun ini", today.replace(month=1, day=1), "year", "public"),
        ("Bulan ini, internal", first_of_month, "month", "internal"),
    ]:
        agreement = signed(today, title=title, visibility=visibility)
        Agreement.objects.filter(pk=agreement.pk).update(
            expires_on=expires_on, expires_on_precision=precision
        )
    within = [
        a
        for a in Agreement.objects.public()
        if today <= a.expires_by <= today + EXPIRING_WITHIN_DAYS * DAY
    ]
    expected = [a.title for a in sorted(within, key=lambda a: (a.expires_by, a.pk))]
    assert "Bulan ini" in expected[:10]

    html = dashboard(client)

    expiring = section(html, "expiring")
    assert row_titles(expiring.split('<p class="more">')[0]) == expected[:10]
    assert f"Menampilkan 10 yang paling dekat dari {len(expected)} kerja sama." in expiring
    assert re.search(rf'<a href="#expiring">{len(expected)}</a>', html)


@pytest.mark.django_db
@pytest.mark.parametrize("days", [3, EXPIRING_WITHIN_DAYS])
def test_the_first_to_expire_read_from_the_index_are_the_first_of_those_expiring(today, days):
    """``expiring_first``, the dashboard's reading of the soonest, holds the first ten of
    ``expiring_within`` in its order, with expiries known to the day, the month and the year,
    for a window holding a month's end or none."""
    for n in range(0, 40, 3):
        signed(today, title=f"Hari ke-{n}", expires=n)
    first_of_month = today.replace(day=1)
    for expires_on, precision in [
        (first_of_month, "month"),
        ((first_of_month + 31 * DAY).replace(day=1), "month"),
        (today.replace(month=1, day=1), "year"),
    ]:
        agreement = signed(today)
        Agreement.objects.filter(pk=agreement.pk).update(
            expires_on=expires_on, expires_on_precision=precision
        )
    agreements = Agreement.objects.public()

    expected = list(agreements.expiring_within(days, today)[:10])
    assert list(agreements.expiring_first(days, 10, today)[:10]) == expected
    assert expected


@pytest.mark.django_db
def test_the_expiring_and_the_late_beyond_the_first_ten_are_one_click_away_on_the_list(
    client, today
):
    """ "Menampilkan 10 … dari 12" leads to the list holding the twelve, soonest first; the
    overdue steps' lead to the list of their cooperations."""
    for days in range(12):
        expiring = signed(today, title=f"Berakhir {days + 1}", expires=days + 1)
        MilestoneFactory(agreement=expiring, title=f"Terlambat {days}", due_on=today - DAY)
    signed(today, title="Berakhir nanti", expires=400)
    signed(today, title="Sudah berakhir", status="expired", expires=-3)
    MilestoneFactory(agreement=signed(today, title="Tepat waktu"), due_on=today + DAY)

    html = dashboard(client)

    twelve = [f"Berakhir {n}" for n in range(1, 13)]
    listed = {}
    for heading in ("expiring", "overdue"):
        link = re.findall(r'<p class="more">.*?<a href="([^"]+)"', section(html, heading))[0]
        response = client.get(unescape(link))
        assert response.status_code == 200, link
        assert "12 kerja sama ditemukan." in response.text, link
        listed[heading] = re.findall(
            r'<th scope="row" class="cell-title">\s*<a href="[^"]*">([^<]*)</a>', response.text
        )
    assert listed["expiring"] == twelve  # soonest first, as on the dashboard
    assert sorted(listed["overdue"]) == sorted(twelve)


def amending(text, title, **kwargs):
    """An addendum of ``text``, signed with it and ending with it unless told otherwise."""
    kwargs.setdefault("expires_on", text.expires_on)
    return AgreementFactory(
        title=title,
        kind=Agreement.Kind.AMENDMENT,
        follows=text,
        relation=Agreement.Relation.AMENDS,
        status=text.status,
        signed_on=text.signed_on,
        in_force_from=text.in_force_from,
        lead_region=text.lead_region,
        **kwargs,
    )


@pytest.mark.django_db
def test_an_addendum_ending_with_its_mou_is_one_cooperation_ending_soon(client, today):
    """ "MoU X" and "Adendum MoU X", ending the same day, are one cooperation ending: listed and
    counted once, under the MoU, and the list the count leads to holds the same rows. An
    addendum with an end of its own before the MoU's, or whose MoU the reader may not see,
    still ends on its own. (On PostgreSQL the count is read from the tallies.)"""
    mou = signed(today, title="MoU X", expires=40)
    amending(mou, "Adendum MoU X")
    earlier = signed(today, title="MoU Y", expires=150)
    amending(earlier, "Adendum MoU Y berakhir lebih awal", expires_on=today + 35 * DAY)
    hidden = signed(today, title="MoU Z internal", expires=60, visibility="internal")
    amending(hidden, "Adendum MoU Z", visibility="public")
    # Ending "<this month>", both: on the same last day.
    monthly = AgreementFactory(
        title="MoU W",
        signed_on=today - 365 * DAY,
        in_force_from=today - 300 * DAY,
        expires_on=today.replace(day=1),
        expires_on_precision="month",
    )
    amending(monthly, "Adendum MoU W", expires_on_precision="month")
    for n in range(10):
        signed(today, title=f"Berakhir {160 + n}", expires=160 + n)

    html = dashboard(client)

    expiring = section(html, "expiring")
    shown, more = expiring.split('<p class="more">')
    assert row_titles(shown) == [
        "MoU W",
        "Adendum MoU Y berakhir lebih awal",
        "MoU X",
        "Adendum MoU Z",
        "MoU Y",
        *(f"Berakhir {160 + n}" for n in range(5)),
    ]
    assert "Menampilkan 10 yang paling dekat dari 15 kerja sama." in more
    assert re.search(r'<a href="#expiring">15</a>', html)
    listed = client.get(unescape(re.findall(r'<a href="([^"]+)"', more)[0])).text
    assert "15 kerja sama ditemukan." in listed
    assert "Adendum MoU Z" in listed
    assert "Adendum MoU X" not in listed
    assert "Adendum MoU W" not in listed


@pytest.mark.django_db
def test_overdue_milestones_show_their_agreement_due_date_and_who_they_wait_on(client, today):
    plan = signed(today, title="MoU Kaltim–Anhui")
    MilestoneFactory(
        agreement=plan,
        title="Persetujuan DPRD",
        due_on=today - 40 * DAY,
        waits_on="dprd",
    )
    MilestoneFactory(agreement=plan, title="Rapat TKKSD", due_on=today - 3 * DAY, waits_on="")
    MilestoneFactory(agreement=plan, title="Belum jatuh tempo", due_on=today + 3 * DAY)
    MilestoneFactory(agreement=plan, title="Jatuh tempo hari ini", due_on=today)
    MilestoneFactory(
        agreement=plan, title="Sudah terlaksana", due_on=today - 9 * DAY, done_on=today - DAY
    )
    MilestoneFactory(
        agreement=signed(today, visibility="internal"),
        title="Tahapan internal",
        due_on=today - 5 * DAY,
    )

    html = dashboard(client)

    overdue = section(html, "overdue")
    titles = re.findall(r'<th scope="row">\s*([^<]+?)\s*<span', overdue)
    assert titles == ["Persetujuan DPRD", "Rapat TKKSD"]
    assert overdue.count("MoU Kaltim–Anhui") == 2
    # Whom each waits on, in the status page's words where nobody is named yet.
    waits_on = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>((?:(?!<td).)*?)</td>\s*</tr>", overdue, re.S)
    ]
    assert waits_on == ["DPRD", "belum ditentukan"]
    assert f'datetime="{(today - 40 * DAY).isoformat()}"' in overdue
    assert re.search(r'<a href="#overdue">2 tahapan</a>', html)


@pytest.mark.django_db
def test_the_late_steps_figure_says_it_counts_steps_and_links_to_their_agreements(client, today):
    """Three steps late on two cooperations: the figure reads "3 tahapan", and the link to the
    list says it shows their agreements (two), not three of anything."""
    twice = signed(today, title="MoU Kaltim–Anhui")
    for late in (40, 3):
        MilestoneFactory(agreement=twice, due_on=today - late * DAY, waits_on="dprd")
    MilestoneFactory(agreement=signed(today), due_on=today - 9 * DAY, waits_on="dprd")

    html = dashboard(client)

    figure = re.search(r"<dt>Tahapan terlambat</dt>\s*<dd>(.*?)</dd>", html, re.S).group(1)
    links = {
        " ".join(re.sub(r"<[^>]+>", "", text).split()): unescape(href)
        for href, text in re.findall(r'<a[^>]* href="([^"]+)">(.*?)</a>', figure, re.S)
    }
    assert links["3 tahapan"] == "#overdue"
    listed = client.get(links["lihat kerja samanya"])
    assert listed.status_code == 200
    assert len(titles_in(listed)) == 2


@pytest.mark.django_db
def test_an_overdue_stage_naming_nobody_waits_on_the_body_that_decides_it_as_on_its_page(
    client, today
):
    """A TKKSD review overdue with nobody named: the status page says it waits on the TKKSD
    (the body that decides the stage), and so do the dashboard's count of whom cooperations
    wait on and its table of overdue steps, not "belum ditentukan" beside that count."""
    text = unsigned(
        status=Agreement.Status.PREPARATION,
        title="Provinsi kembar Kaltim–Anhui",
        kind="sister_province",
        scope="ksdpl",
    )
    MilestoneFactory(
        agreement=text,
        kind=Milestone.Kind.TKKSD,
        title="Pembahasan TKKSD",
        due_on=today - 30 * DAY,
        waits_on="",
    )
    page = client.get(reverse("agreement-detail", args=[text.pk])).content.decode()
    glance = page.split("<dt>Menunggu</dt>", 1)[1].split("</dd>", 1)[0]
    assert "TKKSD" in glance

    overdue = section(dashboard(client), "overdue")
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>((?:(?!<td).)*?)</td>\s*</tr>", overdue, re.S)
    ]
    assert cells == ["TKKSD"]


@pytest.mark.django_db
def test_a_meeting_scheduled_ahead_of_a_stage_waits_on_whom_it_names_on_every_surface(
    client, today
):
    """The plan is done and the TKKSD review is next, but what the bureau scheduled is a
    coordination meeting naming nobody: the status page shows it as the step of the review. It
    is not the TKKSD's review, so it waits on whom it names, nobody yet, on the status page and
    the list as in the dashboard's table of overdue steps; the dashboard counts no cooperation
    waiting on the TKKSD that its own table says waits on nobody known."""
    text = unsigned(
        status=Agreement.Status.PREPARATION,
        title="Kesepakatan bersama Kaltim–Bali",
        kind="mou",
        scope="ksdd",
    )
    MilestoneFactory(
        agreement=text, kind=Milestone.Kind.PLAN, title="KAK", due_on=None, done_on=today - 40 * DAY
    )
    MilestoneFactory(
        agreement=text,
        kind=Milestone.Kind.OTHER,
        title="Rapat koordinasi",
        due_on=today - 2 * DAY,
        waits_on="",
    )
    page = client.get(reverse("agreement-detail", args=[text.pk])).content.decode()
    step = page.split("<dt>Langkah berikutnya</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Pembahasan TKKSD" in step and "Rapat koordinasi" in step
    glance = page.split("<dt>Menunggu</dt>", 1)[1].split("</dd>", 1)[0]

    html = dashboard(client)
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(
            r"<td[^>]*>((?:(?!<td).)*?)</td>\s*</tr>", section(html, "overdue"), re.S
        )
    ]
    assert cells == ["belum ditentukan"]
    assert "belum ditentukan" in glance and "TKKSD" not in glance
    listed = client.get(reverse("agreement-list"), {"waits_on": "tkksd"}).content.decode()
    assert "Kesepakatan bersama Kaltim–Bali" not in listed
    row = client.get(reverse("agreement-list")).content.decode()
    row = row.split("Kesepakatan bersama Kaltim–Bali", 1)[1].split("</tr>", 1)[0]
    assert "belum ditentukan" in row and "TKKSD" not in row


def waiting_rows(html):
    """The dashboard's "Menunggu siapa" rows: {label: (count, link)}."""
    rows = re.findall(
        r'<th scope="row">([^<]*)</th><td class="num"><a href="([^"]*)">([^<]*)</a>',
        section(html, "waiting"),
    )
    return {unescape(label): (int(count), unescape(url)) for label, url, count in rows}


@pytest.mark.django_db
def test_the_waiting_counts_hold_the_texts_whose_step_names_nobody_as_the_report_does(
    staff_client, kaltim, today
):
    """A next step naming nobody yet is counted under "Belum ditentukan", as the report of the
    region counts it: for each reader the number on the dashboard is what its link lists (and
    downloads and follows), and every row agrees with the report's; the public counts and
    reaches the public text only. Nothing next, an ended text, or one lapsed by its date
    waits on nobody and is counted nowhere."""

    def planned(title, waits_on, **kwargs):
        text = unsigned(
            status=Agreement.Status.PREPARATION, title=title, lead_region=kaltim, **kwargs
        )
        MilestoneFactory(
            agreement=text, title=f"Rapat {title}", due_on=today + 9 * DAY, waits_on=waits_on
        )
        return text

    planned("Rancangan tanpa pihak", "")
    planned("Rancangan internal tanpa pihak", "", visibility="internal")
    planned("Rancangan menunggu mitra", "partner")
    signed(today, title="Berlaku tanpa langkah", lead_region=kaltim)
    unsigned("cancelled", title="Batal", lead_region=kaltim)
    lapsed = signed(today, title="Berakhir kemarin", lead_region=kaltim, expires=-1)
    MilestoneFactory(agreement=lapsed, due_on=today + 9 * DAY, waits_on="")

    for reader, nobody in ((Client(), ["Rancangan tanpa pihak"]), (staff_client, None)):
        nobody = nobody or ["Rancangan internal tanpa pihak", "Rancangan tanpa pihak"]
        rows = waiting_rows(dashboard(reader))
        count, url = rows["Belum ditentukan"]
        assert (count, url) == (len(nobody), "/agreements/?waits_on=none")
        assert list(rows)[-1] == "Belum ditentukan"
        listed = reader.get(url)
        assert sorted(titles_in(listed)) == nobody
        page = listed.content.decode()
        assert '<input type="checkbox" name="waits_on" value="none"' in page
        assert "Belum ditentukan" in page.split('class="chips', 1)[1]
        export = reader.get(reverse("agreement-export", args=["csv"]), {"waits_on": "none"})
        assert "-menunggu-belum-ditentukan-" in export["Content-Disposition"]
        body = b"".join(export.streaming_content).decode("utf-8-sig")
        assert sorted(line.split(",")[1] for line in body.splitlines()[1:]) == nobody
        # The feed is passed on to anyone: what the public may read of the same selection.
        feed = reader.get("/agreements/feed.atom", {"waits_on": "none"}).content.decode()
        assert re.findall(r"<entry><title>([^<]*)</title>", feed) == ["Rancangan tanpa pihak"]

        report = reader.get("/laporan/", {"region": kaltim.code, "period": "2024"})
        summary = section(report.content.decode(), "r-waiting").split("</ul>", 1)[0]
        said = dict(re.findall(r"<li>([^<:]*): (\d+)</li>", summary))
        assert {label: str(n) for label, (n, _url) in rows.items() if n} == said


@pytest.mark.django_db
def test_steps_of_a_cancelled_or_terminated_cooperation_are_not_overdue(client, today):
    cancelled = unsigned("cancelled", title="Dibatalkan")
    terminated = signed(today, status="terminated", title="Diakhiri lebih awal")
    MilestoneFactory(agreement=cancelled, title="Sisa cancelled", due_on=today - 9 * DAY)
    MilestoneFactory(agreement=terminated, title="Sisa terminated", due_on=today - 9 * DAY)

    html = dashboard(client)

    assert "Sisa cancelled" not in html
    assert "Sisa terminated" not in html
    assert "Tidak ada tahapan yang terlambat." in html


@pytest.mark.django_db
def test_recently_changed_lists_the_latest_change_first(client, today):
    first, second, third = (signed(today, title=t) for t in ("Pertama", "Kedua", "Ketiga"))
    now = timezone.now()
    # auto_now would stamp every save with the same moment; set the changes apart.
    Agreement.objects.filter(pk=second.pk).update(updated_at=now - datetime.timedelta(hours=1))
    Agreement.objects.filter(pk=first.pk).update(updated_at=now - datetime.timedelta(hours=2))
    Agreement.objects.filter(pk=third.pk).update(updated_at=now - datetime.timedelta(days=3))

    recent = section(dashboard(client), "recent")

    assert row_titles(recent) == ["Kedua", "Pertama", "Ketiga"]


@pytest.mark.django_db
def test_recently_changed_shows_the_shown_status_not_the_recorded_one(client, today):
    signed(today, title="Lewat masa", expires=-1)

    recent = section(dashboard(client), "recent")

    assert "Berakhir" in recent
    assert "Berlaku" not in recent


# -- who sees what ----------------------------------------------------------------------------


@pytest.fixture
def internal_everywhere(today, register):
    """An internal agreement that would show in every count, chart and list of the page."""
    secret = signed(
        today,
        title="Kerja sama internal rahasia",
        kind="amendment",
        status="terminated",
        expires=20,
        visibility="internal",
        sectors=[SectorFactory(name_id="Bidang internal", name_en="Internal sector")],
        partners=[PartnerFactory(country=CountryFactory(code="KR", name_id="Korea Selatan"))],
    )
    Agreement.objects.filter(pk=secret.pk).update(signed_on=datetime.date(2011, 5, 5))
    expiring_secret = signed(
        today, title="Internal yang segera berakhir", expires=20, visibility="internal"
    )
    MilestoneFactory(
        agreement=expiring_secret, title="Tahapan internal terlambat", due_on=today - 2 * DAY
    )
    return secret


INTERNAL_TRACES = [
    "Kerja sama internal rahasia",
    "Internal yang segera berakhir",
    "Tahapan internal terlambat",
    "Bidang internal",
    "Korea Selatan",
    "Amendemen / adendum",
    "2011",
]


@pytest.mark.django_db
def test_anonymous_readers_never_see_internal_agreements_in_any_count_chart_or_list(
    client, internal_everywhere
):
    html = dashboard(client)

    for trace in INTERNAL_TRACES:
        assert trace not in html, trace
    assert dict(chart_table(html, "status"))["Diakhiri"] == "0"
    assert sum(int(n) for _s, n in chart_table(html, "status")) == 4
    assert re.search(r'<a href="#expiring">0</a>', html)
    assert re.search(r'<a href="#overdue">0 tahapan</a>', html)


@pytest.mark.django_db
def test_staff_see_internal_agreements_in_every_count_chart_and_list(
    staff_client, internal_everywhere
):
    html = dashboard(staff_client)

    for trace in INTERNAL_TRACES:
        assert trace in html, trace
    assert dict(chart_table(html, "status"))["Diakhiri"] == "1"
    assert sum(int(n) for _s, n in chart_table(html, "status")) == 6
    assert re.search(r'<a href="#expiring">1</a>', html)
    assert re.search(r'<a href="#overdue">1 tahapan</a>', html)


@pytest.mark.django_db
def test_officials_without_staff_rights_see_internal_agreements_too(
    client, django_user_model, internal_everywhere
):
    official = django_user_model.objects.create_user(username="pejabat", password="x" * 20)
    official.groups.add(Group.objects.create(name="Pejabat"))
    client.force_login(official)

    html = dashboard(client)

    for trace in INTERNAL_TRACES:
        assert trace in html, trace


@pytest.mark.django_db
def test_an_official_reads_which_rows_of_the_dashboard_and_a_region_page_are_internal(
    client, django_user_model, internal_everywhere
):
    """The list and the status page mark an internal record for the official, whose downloads
    leave it out; the dashboard's tables and a region's "Perlu perhatian" showed the same
    records unmarked, beside public ones."""
    official = django_user_model.objects.create_user(username="pejabat", password="x" * 20)
    official.groups.add(Group.objects.create(name="Pejabat"))
    client.force_login(official)
    badge = '<span class="badge badge-internal">Internal</span>'

    html = dashboard(client)
    for heading, internal_rows in (("expiring", 1), ("overdue", 1), ("recent", 2)):
        assert section(html, heading).count(badge) == internal_rows, heading
    row = re.search(
        r"Internal yang segera berakhir</a>\s*<span class=\"meta\">(.*?)</span>\s*</th>",
        section(html, "expiring"),
        re.S,
    )
    assert row and row[1].endswith(" · " + badge)
    assert "MoU Kaltim–Anhui" in html and html.count(badge) == 4

    expiring = Agreement.objects.get(title="Internal yang segera berakhir")
    page = client.get(expiring.lead_region.get_absolute_url()).content.decode()
    start = page.index('id="needs-attention-title"')
    attention = page[start : page.index("</section>", start)]
    assert attention.count(badge) == 2  # the text ending soon, and its late step


@pytest.mark.django_db
def test_the_dormant_figure_is_what_the_dormant_list_finds(staff_client, today):
    """*Mati suri* on the dashboard leads to the list of dormant cooperations, and says how many
    that list finds: for the public, without the internal one; for the bureau, with it."""
    quiet = {"in_force": -365, "expires": 300}  # in force since it was signed, a year ago
    signed(today, **quiet)  # in force for over a year, nothing since
    signed(today, **quiet, visibility=Agreement.Visibility.INTERNAL)
    lively = signed(today, **quiet)
    MilestoneFactory(agreement=lively, kind="activity", done_on=today - 30 * DAY)
    signed(today, in_force=-365, expires=-1)  # lapsed yesterday
    signed(today, in_force=-200, expires=300)  # in force for less than a year

    for reader, dormant in ((Client(), 1), (staff_client, 2)):
        html = dashboard(reader)
        figure = re.search(r"<dt>Mati suri</dt>\s*<dd><a href=\"([^\"]+)\">(\d+)</a>", html)
        listed = reader.get(unescape(figure[1])).content.decode()
        assert int(figure[2]) == dormant
        assert f"{dormant} kerja sama ditemukan." in listed


@pytest.mark.django_db
def test_an_addendum_dormant_with_its_mou_is_one_dormant_cooperation(staff_client, today):
    """ "MoU X" and "Adendum MoU X", in force for a year with nothing done and ending the same
    day, lie dormant as one cooperation: *Mati suri* counts it once, and the list it leads to
    lists it once, under the MoU, holding as many rows as the figure says. An addendum ending
    before its MoU, or whose MoU the reader may not see, lies dormant on its own. (On
    PostgreSQL the figure and the list's count are read from the tallies.)"""
    quiet = {"in_force": -365, "expires": 300}
    mou = signed(today, title="MoU X", **quiet)
    amending(mou, "Adendum MoU X")
    earlier = signed(today, title="MoU Y", **quiet)
    amending(earlier, "Adendum MoU Y berakhir lebih awal", expires_on=today + 100 * DAY)
    hidden = signed(today, title="MoU Z internal", visibility="internal", **quiet)
    amending(hidden, "Adendum MoU Z", visibility="public")
    both = {"MoU X", "MoU Y", "Adendum MoU Y berakhir lebih awal"}

    for reader, titles in (
        (Client(), {*both, "Adendum MoU Z"}),
        (staff_client, {*both, "MoU Z internal"}),
    ):
        html = dashboard(reader)
        figure = re.search(r"<dt>Mati suri</dt>\s*<dd><a href=\"([^\"]+)\">(\d+)</a>", html)
        assert int(figure[2]) == len(titles)
        listed = reader.get(unescape(figure[1]))
        assert f"{len(titles)} kerja sama ditemukan." in listed.content.decode()
        assert set(titles_in(listed)) == titles
    # Narrowed to the amendments, the list leaves out their texts: each addendum is listed.
    amendments = staff_client.get(
        reverse("agreement-list"), {"dormant": "yes", "kind": Agreement.Kind.AMENDMENT}
    )
    assert set(titles_in(amendments)) == {
        "Adendum MoU X",
        "Adendum MoU Y berakhir lebih awal",
        "Adendum MoU Z",
    }


# -- queries ----------------------------------------------------------------------------------

# The dashboard's own queries, whatever the size of the register:
#  1-5  counts by shown status, kind, sector, partner country and signing year (GROUP BY each)
#  6-7  the soonest ten agreements to expire within 180 days, with how many expire in all,
#       then their lead regions (read by the query's SQL, compiled once a day:
#       ``read_compiled_once``)
#  8-9  how many milestones are overdue, and the oldest ten with agreement and lead region
#  10   the steps due within 14 days, soonest ten with agreement and lead region
#  11   how many cooperations wait on each party (one GROUP BY)
#  12   how many are dormant
#  13   the ten agreements changed last, with their lead region
#  14-16 the maps: the provinces, agreements per province and per outline on the map
DASHBOARD_QUERIES = 16
# A signed-in reader adds the session and the user.
SIGNED_IN_QUERIES = 2


def populate(today, size):
    sectors = [SectorFactory() for _ in range(3)]
    countries = [CountryFactory(code=code) for code in ("CN", "JP", "KR")]
    for n in range(size):
        agreement = signed(
            today,
            expires=10 + n,
            visibility="internal" if n % 3 == 2 else "public",
            sectors=sectors[: 1 + n % 3],
            partners=[PartnerFactory(country=countries[n % 3])],
        )
        MilestoneFactory(agreement=agreement, due_on=today - (n + 1) * DAY, waits_on="partner")
        MilestoneFactory(agreement=agreement, due_on=today + DAY)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_anonymous_dashboard_runs_a_fixed_number_of_queries(
    client, today, size, django_assert_num_queries
):
    populate(today, size)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard(client)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_staff_dashboard_runs_a_fixed_number_of_queries(
    staff_client, today, size, django_assert_num_queries
):
    populate(today, size)

    with django_assert_num_queries(DASHBOARD_QUERIES + SIGNED_IN_QUERIES):
        dashboard(staff_client)


# -- language ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_speaks_english_when_the_language_cookie_says_so(client, register):
    client.cookies["django_language"] = "en"

    html = dashboard(client)

    assert re.search(r'<html[^>]* lang="en"', html)
    assert chart_table(html, "sector") == [("Trade", "2"), ("Education", "1")]
    assert ("China", "1") in chart_table(html, "country")


@pytest.mark.django_db
def test_dashboard_speaks_english_when_the_browser_asks_for_it(client, register):
    response = client.get(reverse("dashboard"), headers={"accept-language": "en-GB,en;q=0.8"})

    html = response.content.decode()
    assert re.search(r'<html[^>]* lang="en"', html)
    assert "Education" in html


@pytest.mark.django_db
def test_dashboard_is_indonesian_by_default(client, register):
    html = dashboard(client)

    assert re.search(r'<html[^>]* lang="id"', html)
    assert "Pendidikan" in html


# -- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_fits_a_phone_and_reads_without_javascript(browser, live_server):
    today = timezone.localdate()
    long_names = [
        "Pengembangan sumber daya manusia aparatur dan masyarakat",
        "Pemberdayaan masyarakat desa",
        "Kelautan dan perikanan",
    ]
    sectors = [SectorFactory(name_id=name, name_en=name) for name in long_names]
    for n in range(14):
        agreement = signed(
            today,
            title=f"Nota kesepahaman tentang pembangunan dan pengembangan potensi daerah {n}",
            expires=20 + n,
            sectors=sectors,
            partners=[PartnerFactory(country=CountryFactory(code="CN"))],
        )
        Agreement.objects.filter(pk=agreement.pk).update(signed_on=datetime.date(2005 + n, 1, 1))
        MilestoneFactory(agreement=agreement, due_on=today - (n + 1) * DAY, waits_on="kemendagri")
    context = browser.new_context(
        locale="id-ID", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + reverse("dashboard"))

        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        charts = page.locator("svg.chart-svg")
        assert charts.count() == 5
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        # Chart text keeps a readable size instead of shrinking with the drawing.
        font_size = page.locator("svg.chart-svg text").first.evaluate(
            "t => getComputedStyle(t).fontSize"
        )
        assert float(font_size.rstrip("px")) >= 14
        # The data behind a chart opens without JavaScript.
        sector_table = page.locator("#chart-sector table")
        assert not sector_table.is_visible()
        page.locator("#chart-sector summary").click()
        assert sector_table.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_steps_coming_due_within_two_weeks_are_listed_as_in_the_digest(client, db, kaltim):
    from tests.factories import AgreementFactory, MilestoneFactory

    today = timezone.localdate()
    agreement = AgreementFactory(lead_region=kaltim, expires_on=None)
    MilestoneFactory(
        agreement=agreement, title="Rapat TKKSD", due_on=today + datetime.timedelta(days=10)
    )
    MilestoneFactory(
        agreement=agreement, title="Rapat jauh", due_on=today + datetime.timedelta(days=40)
    )
    internal = AgreementFactory(lead_region=kaltim, expires_on=None, visibility="internal")
    MilestoneFactory(
        agreement=internal, title="Rapat internal", due_on=today + datetime.timedelta(days=3)
    )

    html = client.get("/").content.decode()
    section = html.split('id="due-soon"')[1].split("</section>")[0]
    assert "Rapat TKKSD" in section
    assert "Rapat jauh" not in section
    assert "Rapat internal" not in section
