"""The counts the database keeps (migration 0016) stay equal to counting the rows, whatever
writes them: the dashboard's charts and the list's filter lists read them instead of passing
over the register. On SQLite no counts are kept and both sides read the rows."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from agreements import maps
from agreements.attention import nearest_late_and_coming
from agreements.filters import PARTNER_CHOICES_MAX
from agreements.models import Agreement, Milestone, Sector
from partners.models import Country, Partner, Region
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def kept_and_counted(agreements):
    """What the dashboard reads for ``agreements`` (the whole register or the public's), and
    the same counted from the rows (a narrowing that selects the same rows but is not what
    the tallies count)."""
    counted = agreements.filter(pk__gt=0)
    assert agreements._tallied_visibilities() is not None or connection.vendor != "postgresql"
    assert counted._tallied_visibilities() is None

    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE))

    def read(queryset):
        per_province = maps.kept_province_counts(queryset, provinces)
        return {
            "province": (
                per_province if per_province is not None else maps.province_counts(queryset)
            ),
            "outline": maps.outline_counts(queryset, per_province),
            "kind": queryset.counts_by_kind(),
            "year": queryset.counts_by_signing_year(),
            "sector": [(s.slug, s.agreement_count) for s in queryset.counts_by_sector()],
            "country": [(c.code, c.agreement_count) for c in queryset.counts_by_partner_country()],
        }

    return read(agreements), read(counted)


def nothing_kept():
    """Whether the database keeps no counts (SQLite): then both sides of every comparison of
    what is kept with what is counted count the same rows the same way, and tell nothing."""
    return connection.vendor != "postgresql"


def assert_in_step():
    if nothing_kept():
        return
    for agreements in (Agreement.objects.all(), Agreement.objects.public()):
        kept, counted = kept_and_counted(agreements)
        assert kept == counted
    pairs_in_step()


PARTIES = {"region": Region, "partner": Partner, "country": Country}


def pairs_in_step():
    """The regions, partners and countries party to each region's (a province's with its
    regencies' and cities'), country's and sector's agreements, read from the pairs kept
    (migrations 0046, 0054), equal those read from the party rows, for the whole register and
    the public's; and what the triggers kept is what counting every row again keeps."""
    subjects = []
    for region in Region.objects.all():
        subjects.append(lambda a, region=region: a.in_region(region))
    for country in Country.objects.all():
        subjects.append(lambda a, country=country: a.with_partner_country(country))
    for sector in Sector.objects.all():
        subjects.append(lambda a, sector=sector: a.in_sector(sector))
    kept_any = False
    for subject in subjects:
        for agreements in (Agreement.objects.all(), Agreement.objects.public()):
            agreements = subject(agreements)
            for party, model in PARTIES.items():
                cast = "text" if model is Country else "bigint"
                tallied = agreements.tallied_keys(party, cast=cast)
                if tallied is None:
                    continue
                kept_any = True
                kept = set(model.objects.filter(pk__in=tallied).values_list("pk", flat=True))
                unread = agreements.filter(pk__gt=0)  # the same rows, not what is counted
                if party == "country":
                    counted = Partner.objects.filter(unread.linked("partners")).values_list(
                        "country", flat=True
                    )
                else:
                    counted = model.objects.filter(unread.linked(f"{party}s")).values_list(
                        "pk", flat=True
                    )
                assert kept == set(counted), (party, agreements.query)
    assert kept_any or connection.vendor != "postgresql"
    kept_as_counted_again(
        "SELECT dimension, key, visibility, n FROM agreements_tally "
        "WHERE n <> 0 AND position('|' in dimension) > 0 ORDER BY 1, 2, 3",
        "SELECT * FROM agreements_tally_pairs ORDER BY agreement_id",
    )


def kept_as_counted_again(*queries):
    """What each of ``queries`` reads of what the triggers kept is what it reads once
    ``agreements_tally_rebuild`` has counted every row again (PostgreSQL: elsewhere nothing
    is kept)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        by_triggers = []
        for query in queries:
            cursor.execute(query)
            by_triggers.append(cursor.fetchall())
        cursor.execute("SELECT agreements_tally_rebuild()")
        for query, before in zip(queries, by_triggers, strict=True):
            cursor.execute(query)
            assert before == cursor.fetchall(), query


def test_tallies_follow_every_kind_of_write(kaltim, samarinda, bali):
    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    anhui = PartnerFactory(name="Pemerintah Provinsi Anhui", country=china)
    hefei = PartnerFactory(name="Kota Hefei", country=china)
    osaka = PartnerFactory(name="Osaka Prefecture", country=japan)
    education = SectorFactory(slug="education", name_id="Pendidikan")
    trade = SectorFactory(slug="trade", name_id="Perdagangan")

    # Two partners of one country in one statement: the country counts the agreement once.
    first = AgreementFactory(lead_region=kaltim, scope="ksdpl", partners=[anhui, hefei])
    first.sectors.add(education, trade)
    second = AgreementFactory(
        lead_region=bali, scope="ksdpl", partners=[osaka], kind=Agreement.Kind.PKS
    )
    second.regions.add(samarinda)
    internal = AgreementFactory(
        lead_region=kaltim,
        scope="ksdpl",
        partners=[anhui],
        sectors=[education],
        visibility=Agreement.Visibility.INTERNAL,
    )
    assert_in_step()
    kept, _counted = kept_and_counted(Agreement.objects.public())
    assert ("CN", 1) in kept["country"]

    # Made public, and back: every count moves with it.
    Agreement.objects.filter(pk=internal.pk).update(visibility=Agreement.Visibility.PUBLIC)
    assert_in_step()
    kept, _counted = kept_and_counted(Agreement.objects.public())
    assert ("CN", 2) in kept["country"]
    internal.visibility = Agreement.Visibility.INTERNAL
    internal.save()
    assert_in_step()

    # Party rows taken away one by one and all at once; a kind and a year changed in bulk.
    first.partners.remove(hefei)
    assert_in_step()
    first.partners.clear()
    first.sectors.clear()
    Agreement.objects.filter(pk=second.pk).update(
        kind=Agreement.Kind.MOU, signed_on=datetime.date(2020, 1, 15)
    )
    assert_in_step()

    # A partner moves country; an agreement is deleted; then one behind Django's back.
    Partner.objects.filter(pk=osaka.pk).update(country=china)
    assert_in_step()
    # Two regions of one province count the agreement once for it, until the regency moves
    # to another province, and back.
    first.regions.add(samarinda)
    assert_in_step()
    kept, _counted = kept_and_counted(Agreement.objects.all())
    assert kept["province"][kaltim.code] == 3  # first, second (Samarinda) and internal
    Region.objects.filter(pk=samarinda.pk).update(province=bali)
    assert_in_step()
    kept, _counted = kept_and_counted(Agreement.objects.all())
    assert kept["province"] == {kaltim.code: 2, bali.code: 2}
    Region.objects.filter(pk=samarinda.pk).update(province=kaltim)
    assert_in_step()
    first.regions.remove(samarinda)
    assert_in_step()
    # Papua and Papua Selatan are drawn in one outline: it counts the agreement once.
    papua = ProvinceFactory(code="91", name="Papua")
    selatan = ProvinceFactory(code="93", name="Papua Selatan")
    merauke = RegencyFactory(code="93.01", name="Kabupaten Merauke", province=selatan)
    first.regions.add(papua, merauke)
    assert_in_step()
    kept, _counted = kept_and_counted(Agreement.objects.all())
    assert kept["outline"]["ID-PA"] == 1
    assert kept["province"][selatan.code] == 1
    first.regions.remove(papua)
    assert_in_step()
    # Papua Selatan given another code leaves the outline (counted again).
    Region.objects.filter(pk=selatan.pk).update(code="99")
    assert_in_step()
    assert "ID-PA" not in kept_and_counted(Agreement.objects.all())[0]["outline"]
    Region.objects.filter(pk=selatan.pk).update(code="93")
    assert_in_step()
    first.regions.remove(merauke)
    assert_in_step()
    second.delete()
    assert_in_step()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM agreements_agreement_sectors")
        cursor.execute("DELETE FROM agreements_agreement_partners")
        cursor.execute("DELETE FROM agreements_agreement_regions")
        cursor.execute("DELETE FROM agreements_agreement")
    assert_in_step()
    assert kept_and_counted(Agreement.objects.all())[0]["kind"] == {}


def test_the_filter_lists_offer_exactly_the_regions_and_partners_with_public_agreements(
    client, kaltim, bali
):
    tenggarong = RegencyFactory(code="64.02", name="Kabupaten Kutai Kartanegara", province=kaltim)
    denpasar = RegencyFactory(code="51.71", name="Kota Denpasar", province=bali, level="city")
    shown = PartnerFactory(name="Universitas Mulawarman")
    hidden = PartnerFactory(name="Mitra rahasia")
    AgreementFactory(lead_region=tenggarong, regions=[tenggarong], partners=[shown])
    AgreementFactory(
        lead_region=denpasar,
        regions=[denpasar],
        partners=[hidden],
        visibility=Agreement.Visibility.INTERNAL,
    )

    page = client.get(reverse("agreement-list")).content.decode()

    assert "Kabupaten Kutai Kartanegara" in page
    assert "Universitas Mulawarman" in page
    # Named only by an internal agreement: never offered to the public.
    assert "Kota Denpasar" not in page
    assert "Mitra rahasia" not in page


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_the_filter_lists_read_the_tallies_once_not_once_per_region_or_partner(client, kaltim):
    """Thousands of partners at national scale: the region list reads the tallies as one
    semi-join, never as a subquery run for every region; the partner list walks the partners
    in its order, probing each one's count by its key, and stops at what it can offer, never
    reading every partner's key first."""
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        AgreementFactory(lead_region=kaltim, partners=[PartnerFactory(name=f"Mitra {n}")])

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("agreement-list")).content.decode()

    assert "Mitra 2" in page
    lists = [
        query["sql"]
        for query in captured
        if query["sql"].startswith(('SELECT "partners_partner"', 'SELECT "partners_region"'))
    ]
    assert len(lists) == 2
    partners, regions = sorted(lists)
    assert "agreements_tally" in regions
    assert "AND n > 0" in regions
    # No correlation to the outer row: the tallies are read once.
    assert "partners_region.id::text" not in regions
    assert "agreements_tally" in partners
    assert "GROUP BY key" not in partners
    assert 'AND key = "partners_partner"."id"::text' in partners
    assert partners.endswith(f"LIMIT {PARTNER_CHOICES_MAX + 1}")


def test_a_subject_page_offers_the_parties_of_its_public_agreements_from_the_pairs_kept(
    client, kaltim, bali
):
    """A province's, a country's and a sector's page offer in their filters the partners,
    countries and regions party to one of their public agreements, and nothing an internal
    agreement alone names; on PostgreSQL read from the pairs kept for that subject, not from
    its agreements' party rows."""
    from django.test.utils import CaptureQueriesContext

    china, japan = CountryFactory(code="CN", name_id="Tiongkok"), CountryFactory(code="JP")
    denpasar = RegencyFactory(code="51.71", name="Kota Denpasar", province=bali, level="city")
    hubei = PartnerFactory(name="Pemerintah Provinsi Hubei", country=china)
    osaka = PartnerFactory(name="Prefektur Osaka", country=japan)
    trade = SectorFactory(slug="perdagangan", name_id="Perdagangan")
    AgreementFactory(lead_region=kaltim, partners=[hubei], sectors=[trade])
    AgreementFactory(
        lead_region=kaltim,
        regions=[kaltim, denpasar],
        partners=[hubei, osaka],
        sectors=[trade],
        visibility=Agreement.Visibility.INTERNAL,
    )

    for url, dimension, offered, hidden in (
        (reverse("region-detail", args=["64"]), "province", "Pemerintah Provinsi Hubei", osaka),
        (reverse("country-detail", args=["CN"]), "country", "Kalimantan Timur", denpasar),
        (reverse("sector-detail", args=["perdagangan"]), "sector", "Tiongkok", osaka),
    ):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        assert offered in page
        assert f'value="{hidden.pk}"' not in page and hidden.name not in page
        if connection.vendor == "postgresql":
            lists = [
                q["sql"]
                for q in captured
                if q["sql"].startswith(('SELECT "partners_partner"', 'SELECT "partners_region"'))
                and "agreements_tally" in q["sql"]
            ]
            assert any(f"'{dimension}." in sql for sql in lists), url
            # None collects the parties of the subject's agreements.
            assert not [sql for sql in lists if "EXISTS" in sql], url


def test_a_regency_page_reads_its_steps_and_partners_from_the_rows_kept_for_it(
    client, kaltim, samarinda
):
    """A city's page lists its late steps and offers its partners as a province's page does:
    those of its public agreements only, on PostgreSQL read from the rows and pairs kept for
    the city (migration 0054), not from its agreements' milestones and party rows; the
    largest regency's page numbered its 56,000 agreements' steps at 100,000."""
    from django.test.utils import CaptureQueriesContext

    china, japan = CountryFactory(code="CN", name_id="Tiongkok"), CountryFactory(code="JP")
    hubei = PartnerFactory(name="Pemerintah Provinsi Hubei", country=china)
    osaka = PartnerFactory(name="Prefektur Osaka", country=japan)
    public = AgreementFactory(lead_region=samarinda, partners=[hubei])
    internal = AgreementFactory(
        lead_region=samarinda, partners=[osaka], visibility=Agreement.Visibility.INTERNAL
    )
    AgreementFactory(lead_region=kaltim, partners=[osaka])  # the province's, not the city's
    late = MilestoneFactory(
        agreement=public, title="Rapat koordinasi", due_on=datetime.date(2025, 1, 6)
    )
    MilestoneFactory(agreement=internal, title="Rapat tertutup", due_on=datetime.date(2025, 1, 6))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("region-detail", args=[samarinda.code]))
    page = response.content.decode()
    assert [item.milestone for item in response.context["attention"].overdue] == [late]
    assert "Rapat koordinasi" in page and "Rapat tertutup" not in page
    assert "Pemerintah Provinsi Hubei" in page
    assert f'value="{osaka.pk}"' not in page and "Prefektur Osaka" not in page
    if connection.vendor == "postgresql":
        read = [q["sql"] for q in captured]
        assert any("agreements_tally_province_step" in sql for sql in read)
        # No numbering of the city's milestones (``nearest_late_and_coming`` row by row).
        assert not any(sql.startswith('SELECT "pk", "late", "in_all"') for sql in read)
        partners = [sql for sql in read if sql.startswith('SELECT "partners_partner"."id"')]
        assert partners and all("EXISTS" not in sql for sql in partners)
        assert any("'region.partner|" in sql for sql in partners), partners


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_the_map_of_provinces_reads_the_tallies_not_every_party_row(client, kaltim, samarinda):
    AgreementFactory(lead_region=samarinda, regions=[kaltim, samarinda])
    AgreementFactory(lead_region=kaltim)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("dashboard")).content.decode()

    # Two agreements in the province, one of them through two of its regions.
    assert "Kalimantan Timur: 2 kerja sama" in page
    grouped = [
        query["sql"]
        for query in captured
        if "agreements_agreement_regions" in query["sql"] and "GROUP BY" in query["sql"]
    ]
    assert grouped == []


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_a_national_partner_list_reads_no_more_partners_than_it_can_offer(
    client, kaltim, monkeypatch
):
    """Past the list's limit the partner field asks for a country first: the page reads one
    partner more than the limit (to know), and the countries from their tallies."""
    from django.test.utils import CaptureQueriesContext

    from agreements import filters

    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    for n, country in enumerate((china, china, japan)):
        AgreementFactory(
            lead_region=kaltim, partners=[PartnerFactory(name=f"Mitra {n}", country=country)]
        )
    monkeypatch.setattr(filters, "PARTNER_CHOICES_MAX", 2)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("agreement-list")).content.decode()

    assert "pilih negara mitra dulu" in page
    assert '<option value="CN">' in page and '<option value="JP">' in page
    partners = [q["sql"] for q in captured if q["sql"].startswith('SELECT "partners_partner"')]
    assert len(partners) == 1
    assert partners[0].endswith("LIMIT 3")
    assert any(
        q["sql"].startswith('SELECT "partners_country"') and "'country'" in q["sql"]
        for q in captured
    )


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
@pytest.mark.parametrize("limit, asks_for_a_country", [(2, True), (3, False)])
def test_a_subjects_partner_list_reads_no_more_partners_than_it_can_offer(
    client, kaltim, monkeypatch, limit, asks_for_a_country
):
    """A province's page reads no more of its partners' keys than the list can offer and one
    (the largest province's are 4,900 of 5,000 partners at 100,000 agreements): past the limit
    the field asks for a country first; within it, every partner is offered."""
    from django.test.utils import CaptureQueriesContext

    from agreements import filters

    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    for n, country in enumerate((china, china, japan)):
        AgreementFactory(
            lead_region=kaltim, partners=[PartnerFactory(name=f"Mitra {n}", country=country)]
        )
    monkeypatch.setattr(filters, "PARTNER_CHOICES_MAX", limit)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("region-detail", args=[kaltim.code])).content.decode()

    assert ("pilih negara mitra dulu" in page) is asks_for_a_country
    offered = page.split('name="partner"', 1)[1].split("</select>", 1)[0]
    assert ("Mitra 2" in offered) is not asks_for_a_country
    assert '<option value="CN">' in page and '<option value="JP">' in page
    (partners,) = [q["sql"] for q in captured if q["sql"].startswith('SELECT "partners_partner"')]
    assert f"ORDER BY key LIMIT {limit + 1}) k" in partners


# The counts read from the tallies kept by month and day, each by the QuerySet method the pages
# call with a day.
COUNTS_BY_DAY = (
    "counts_by_status",
    "counts_by_waits_on",
    "overdue_step_count",
    "dormant_count",
    "late_count",
)


STATUS_COUNTS = ("counts_by_status", "counts_by_waits_on")
STEP_COUNTS = ("overdue_step_count", "late_count")
DORMANT_COUNTS = ("dormant_count",)


def by_expiry_in_step(days, regions=True, counts=COUNTS_BY_DAY):
    """The shown status, waiting-on, overdue step, late and dormant counts read from the tallies
    kept by month and day equal those counted from the rows, for the whole register and the
    public's, on each day; and what the triggers kept is what counting every row again keeps.

    ``regions``: each region's late steps and dormant cooperations, read from the rows kept for
    it, as well (its steps where ``counts`` has the steps' counts, its dormant where it has the
    dormant count). ``counts``: the counts compared (``COUNTS_BY_DAY``). What is kept is held
    to a count of every row again after each write all the same; tests writing again and again
    read each region's, and every count, once, and after every write the counts the test is
    about (building the queries that count from the rows, each day, was most of their time)."""
    if nothing_kept():
        return
    for agreements in (Agreement.objects.all(), Agreement.objects.public()):
        counted = agreements.filter(pk__gt=0)
        for day in days:
            for count in counts:
                kept, again = getattr(agreements, count)(day), getattr(counted, count)(day)
                assert kept == again, (count, day)
    if regions and set(counts) & set(STEP_COUNTS):
        province_steps_in_step(days)
    if regions and "dormant_count" in counts:
        region_dormant_in_step(days)
    kept_as_counted_again(
        "SELECT dimension, key, visibility, n FROM agreements_tally WHERE n <> 0 ORDER BY 1, 2, 3",
        "SELECT * FROM agreements_tally_province_step ORDER BY milestone_id, province_id",
        "SELECT * FROM agreements_tally_region_quiet ORDER BY agreement_id, region_id",
    )


def region_dormant_in_step(days):
    """Each region's dormant cooperations, as its list counts them (``?region=<code>
    &dormant=yes``, each cooperation once; a province's include its regencies' and cities'),
    read from the rows kept for it (migration 0053) equal those counted row by row, for the
    whole register and the public's, on each day."""
    for region in Region.objects.all():
        for agreements in (Agreement.objects.all(), Agreement.objects.public()):
            for day in days:
                dormant = agreements.in_region(region).dormant_cooperations(day)
                counted = dormant.count()
                after = agreements.dormant(day).in_region(region)
                after = after.each_cooperation_once(running_on=day)
                if connection.vendor == "postgresql":
                    assert dormant.tallied_count() == counted, (region, day)
                    assert after.tallied_count() == counted, (region, day)
                else:
                    assert dormant.tallied_count() is None


def province_steps_in_step(days):
    """Each region's late and coming steps (a province's with its regencies' and cities'), as
    its page lists and counts them, read from the steps kept for it (migrations 0045, 0054)
    equal those read from the milestones, whole lists, for the whole register and the
    public's, on each day."""
    for province in Region.objects.all():
        for agreements in (Agreement.objects.all(), Agreement.objects.public()):
            agreements = agreements.in_region(province)
            steps = Milestone.objects.filter(agreement__in=agreements)
            for day in days:
                counted = nearest_late_and_coming(steps, 100, day)
                kept = nearest_late_and_coming(steps, 100, day, kept=agreements)
                assert kept == counted, (province, day)
                if connection.vendor == "postgresql":
                    assert agreements.kept_late_and_coming(14, 100, day) is not None


def deleted_behind_djangos_back(agreement, days, counts):
    """``agreement`` deleted in SQL before its steps, then its steps, then every step at once
    (TRUNCATE, which counts everything again): the counts stay in step at each stage, those of
    ``counts`` before the TRUNCATE and every count after it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM agreements_agreement_regions WHERE agreement_id = %s", [agreement.pk]
        )
        cursor.execute("DELETE FROM agreements_agreement WHERE id = %s", [agreement.pk])
        by_expiry_in_step(days, counts=counts)
        cursor.execute("DELETE FROM agreements_milestone WHERE agreement_id = %s", [agreement.pk])
    by_expiry_in_step(days, counts=counts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE agreements_milestone CASCADE")
        by_expiry_in_step(days)


def test_status_and_waiting_tallies_follow_every_write_on_every_day(kaltim):
    """Today moves: an agreement in force shows as expired from the day after its expiry, and
    then waits on nobody. Days before, in and after the month of each expiry are compared."""
    days = [
        datetime.date(2026, 5, 31),
        datetime.date(2026, 6, 1),
        datetime.date(2026, 6, 15),
        datetime.date(2026, 6, 16),
        datetime.date(2026, 6, 30),
        datetime.date(2026, 7, 1),
        datetime.date(2027, 1, 1),
    ]
    in_force = AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2026, 6, 15))
    Agreement.objects.filter(pk=in_force.pk).update(waits_on="bureau")
    signed = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.SIGNED,
        in_force_from=datetime.date(2026, 6, 10),
        expires_on=datetime.date(2026, 12, 31),
    )
    AgreementFactory(lead_region=kaltim, expires_on=None, visibility=Agreement.Visibility.INTERNAL)
    AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    by_expiry_in_step(days)
    assert Agreement.objects.counts_by_status(datetime.date(2026, 6, 16))["expired"] == 1
    assert Agreement.objects.counts_by_waits_on(datetime.date(2026, 6, 15))["bureau"] == 1
    assert Agreement.objects.counts_by_waits_on(datetime.date(2026, 6, 16))["bureau"] == 0

    # A next step naming nobody yet counts under "none" (migration 0063), and lapses with its
    # cooperation as one naming a party does; one with no next step counts nowhere. Naming
    # someone, and the step going, move it.
    # (The text in preparation's next stage names nobody: counted under "none" throughout.)
    def nobody_named(day):
        counted = Agreement.objects.counts_by_waits_on(day)["none"]
        assert Agreement.objects.waiting_on(["none"], day).count() == counted, day
        return counted

    named_before = {day: nobody_named(day) for day in days}
    nobody = AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2026, 6, 20))
    step = MilestoneFactory(agreement=nobody, due_on=datetime.date(2026, 9, 1), waits_on="")
    Agreement.objects.filter(pk=nobody.pk).update(next_milestone=step, waits_on="")
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    assert [nobody_named(day) - named_before[day] for day in days] == [1, 1, 1, 1, 0, 0, 0]
    # Through the last day of its expiry, and not after.
    assert nobody_named(datetime.date(2026, 6, 20)) == named_before[days[3]] + 1
    assert nobody_named(datetime.date(2026, 6, 21)) == named_before[days[3]]
    Agreement.objects.filter(pk=nobody.pk).update(waits_on="partner")
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    assert nobody_named(days[0]) == named_before[days[0]]
    Agreement.objects.filter(pk=nobody.pk).update(waits_on="")
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    Agreement.objects.filter(pk=nobody.pk).update(next_milestone=None)
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    assert nobody_named(days[0]) == named_before[days[0]]
    Agreement.objects.filter(pk=nobody.pk).update(next_milestone=step)
    nobody.delete()
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    assert nobody_named(days[0]) == named_before[days[0]]

    # Expiries known to the month or the year: in force through the period's last day, then
    # expired, and waiting on nobody. The days around each period's end are compared.
    around_ends = [
        *days,
        datetime.date(2026, 1, 2),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 5),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 12, 31),
        datetime.date(2028, 1, 1),
    ]
    month = AgreementFactory(
        lead_region=kaltim, expires_on=datetime.date(2026, 6, 1), expires_on_precision="month"
    )
    year = AgreementFactory(
        lead_region=kaltim, expires_on=datetime.date(2026, 1, 1), expires_on_precision="year"
    )
    Agreement.objects.filter(pk__in=[month.pk, year.pk]).update(waits_on="dprd")
    # Entries into force known to the month or the year: signed, not yet in force, through
    # the period's last day but one; in force on it, not from its first day.
    signed_before = {day: Agreement.objects.counts_by_status(day)["signed"] for day in around_ends}
    for start, precision in [
        (datetime.date(2026, 6, 1), "month"),
        (datetime.date(2026, 1, 1), "year"),
    ]:
        AgreementFactory(
            lead_region=kaltim,
            status=Agreement.Status.SIGNED,
            in_force_from=start,
            in_force_from_precision=precision,
            expires_on=None,
        )
    by_expiry_in_step(around_ends)
    assert [
        Agreement.objects.counts_by_status(day)["signed"] - signed_before[day]
        for day in around_ends
    ] == [2, 2, 2, 2, 1, 1, 0, 2, 2, 1, 1, 0, 0, 0]
    if connection.vendor == "postgresql":  # counted again from the rows, as TRUNCATE does
        with connection.cursor() as cursor:
            cursor.execute("SELECT agreements_tally_rebuild()")
        by_expiry_in_step(around_ends, regions=False, counts=STATUS_COUNTS)
    for day, expired, waiting in [
        (datetime.date(2026, 6, 30), 1, 2),  # the day-known one of 15 June has lapsed
        (datetime.date(2026, 7, 1), 2, 1),
        (datetime.date(2026, 12, 31), 2, 1),
        (datetime.date(2027, 1, 1), 4, 0),  # the signed one of 31 December too
    ]:
        assert Agreement.objects.counts_by_status(day)["expired"] == expired, day
        assert Agreement.objects.counts_by_waits_on(day)["dprd"] == waiting, day
    # Only the precision changes: the counts move with it.
    Agreement.objects.filter(pk=year.pk).update(expires_on_precision="day")
    by_expiry_in_step(around_ends, regions=False, counts=STATUS_COUNTS)
    assert Agreement.objects.counts_by_waits_on(datetime.date(2026, 1, 2))["dprd"] == 1
    Agreement.objects.filter(pk=year.pk).update(expires_on_precision="year")
    Agreement.objects.filter(pk=month.pk).update(
        expires_on=datetime.date(2027, 1, 1), expires_on_precision="year"
    )
    by_expiry_in_step(around_ends, regions=False, counts=STATUS_COUNTS)
    Agreement.objects.filter(pk=month.pk).update(
        expires_on=datetime.date(2027, 12, 1), expires_on_precision="month"
    )
    by_expiry_in_step(around_ends, regions=False, counts=STATUS_COUNTS)
    Agreement.objects.filter(pk__in=[month.pk, year.pk]).delete()
    by_expiry_in_step(around_ends, regions=False, counts=STATUS_COUNTS)

    # An expiry moved to another month and to none, a status, a party waited on, a visibility.
    Agreement.objects.filter(pk=in_force.pk).update(expires_on=datetime.date(2026, 7, 1))
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    Agreement.objects.filter(pk=signed.pk).update(waits_on="dprd", expires_on=None)
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    signed.refresh_from_db()
    signed.status = Agreement.Status.IN_FORCE
    signed.expires_on = datetime.date(2026, 6, 30)
    signed.save()
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    Agreement.objects.filter(pk=in_force.pk).update(visibility=Agreement.Visibility.INTERNAL)
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    Agreement.objects.filter(pk=in_force.pk).update(status=Agreement.Status.TERMINATED, waits_on="")
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    signed.delete()
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM agreements_agreement_regions")
        cursor.execute("DELETE FROM agreements_agreement")
    by_expiry_in_step(days, regions=False, counts=STATUS_COUNTS)
    assert sum(Agreement.objects.counts_by_status(days[0]).values()) == 0


def test_overdue_step_tallies_follow_every_write_on_every_day(kaltim):
    """A step is overdue from the day after it is due until its cooperation ends, by its status
    or by its expiry date; days in and around the months of both are compared."""
    days = [
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 10),
        datetime.date(2026, 3, 11),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 15),
        datetime.date(2026, 6, 16),
        datetime.date(2026, 7, 1),
    ]
    lapsing = AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2026, 6, 15))
    open_ended = AgreementFactory(
        lead_region=kaltim, expires_on=None, visibility=Agreement.Visibility.INTERNAL
    )
    due = MilestoneFactory(agreement=lapsing, due_on=datetime.date(2026, 3, 10))
    MilestoneFactory(agreement=lapsing, due_on=datetime.date(2026, 6, 1))
    MilestoneFactory(agreement=lapsing, due_on=datetime.date(2026, 6, 20))  # after it lapses
    later = MilestoneFactory(agreement=open_ended, due_on=datetime.date(2026, 3, 31))
    MilestoneFactory(agreement=open_ended, due_on=None, done_on=datetime.date(2026, 1, 5))
    by_expiry_in_step(days)
    assert Agreement.objects.overdue_step_count(datetime.date(2026, 6, 15)) == 3
    assert Agreement.objects.overdue_step_count(datetime.date(2026, 6, 16)) == 1
    assert Agreement.objects.public().overdue_step_count(datetime.date(2026, 4, 1)) == 1

    # A step done, undone, moved to another date and to another agreement, deleted.

    Milestone.objects.filter(pk=due.pk).update(done_on=datetime.date(2026, 3, 12))
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Milestone.objects.filter(pk=due.pk).update(done_on=None, due_on=datetime.date(2026, 2, 1))
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Milestone.objects.filter(pk=later.pk).update(agreement=lapsing)
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    later.delete()
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    # A signing planned and never ticked off, on a cooperation in force: a stage passed by
    # signing, no one's work. Counted once it is an activity, or its document is unsigned.
    signing = MilestoneFactory(
        agreement=lapsing, kind=Milestone.Kind.SIGNING, due_on=datetime.date(2026, 2, 1)
    )
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    assert Agreement.objects.overdue_step_count(datetime.date(2026, 3, 1)) == 1
    Milestone.objects.filter(pk=signing.pk).update(kind=Milestone.Kind.ACTIVITY)
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    assert Agreement.objects.overdue_step_count(datetime.date(2026, 3, 1)) == 2
    Milestone.objects.filter(pk=signing.pk).update(kind=Milestone.Kind.SIGNING)
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Agreement.objects.filter(pk=lapsing.pk).update(
        status=Agreement.Status.PREPARATION, signed_on=None, in_force_from=None
    )
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    assert Agreement.objects.overdue_step_count(datetime.date(2026, 3, 1)) == 2
    Agreement.objects.filter(pk=lapsing.pk).update(
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2024, 3, 1),
        in_force_from=datetime.date(2024, 3, 1),
    )
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    # A step of every kind left open on it: the counts kept agree with the rows for each.
    for kind in Milestone.Kind.values:
        MilestoneFactory(agreement=lapsing, kind=kind, due_on=datetime.date(2026, 2, 15))
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    # Targets known to the month or the year: late once the whole month or year has passed.
    month = MilestoneFactory(
        agreement=open_ended, due_on=datetime.date(2026, 3, 1), due_on_precision="month"
    )
    year = MilestoneFactory(
        agreement=lapsing, due_on=datetime.date(2025, 1, 1), due_on_precision="year"
    )
    this_year = MilestoneFactory(
        agreement=open_ended, due_on=datetime.date(2026, 1, 1), due_on_precision="year"
    )
    by_expiry_in_step([*days, datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)])
    internal = Agreement.objects.all()
    assert month.is_overdue_on(datetime.date(2026, 3, 31)) is False
    assert month.is_overdue_on(datetime.date(2026, 4, 1)) is True
    assert internal.overdue_step_count(datetime.date(2026, 3, 31)) + 1 == (
        internal.overdue_step_count(datetime.date(2026, 4, 1))
    )
    assert year.is_overdue_on(datetime.date(2026, 1, 1))
    assert not this_year.is_overdue_on(datetime.date(2026, 12, 31))
    Milestone.objects.filter(pk=this_year.pk).update(due_on_precision="day")
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Milestone.objects.filter(pk=month.pk).update(due_on_precision="year")
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Milestone.objects.filter(pk__in=[month.pk, year.pk, this_year.pk]).delete()
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    # Cooperations whose expiry is known to the month or the year: a step stays late through
    # the period's last day, and is no one's work from the day after.
    around_ends = [
        *days,
        datetime.date(2026, 6, 30),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 1),
    ]
    month_known = AgreementFactory(
        lead_region=kaltim, expires_on=datetime.date(2026, 6, 1), expires_on_precision="month"
    )
    year_known = AgreementFactory(
        lead_region=kaltim, expires_on=datetime.date(2026, 1, 1), expires_on_precision="year"
    )
    for agreement in (month_known, year_known):
        MilestoneFactory(agreement=agreement, due_on=datetime.date(2025, 11, 10))
        MilestoneFactory(agreement=agreement, due_on=datetime.date(2026, 6, 1))
        MilestoneFactory(
            agreement=agreement, due_on=datetime.date(2026, 6, 1), due_on_precision="month"
        )
    by_expiry_in_step(around_ends)
    both = Agreement.objects.filter(pk__in=[month_known.pk, year_known.pk])
    assert both.overdue_step_count(datetime.date(2026, 6, 30)) == 4
    assert both.overdue_step_count(datetime.date(2026, 7, 1)) == 3
    assert both.overdue_step_count(datetime.date(2026, 12, 31)) == 3
    assert both.overdue_step_count(datetime.date(2027, 1, 1)) == 0
    Agreement.objects.filter(pk=year_known.pk).update(
        expires_on=datetime.date(2026, 6, 1), expires_on_precision="month"
    )
    by_expiry_in_step(around_ends, regions=False, counts=STEP_COUNTS)
    Agreement.objects.filter(pk=year_known.pk).update(expires_on_precision="day")
    by_expiry_in_step(around_ends, regions=False, counts=STEP_COUNTS)
    Agreement.objects.filter(pk=month_known.pk).update(
        expires_on=datetime.date(2026, 1, 1), expires_on_precision="year"
    )
    by_expiry_in_step(around_ends, regions=False, counts=STEP_COUNTS)
    both.delete()
    by_expiry_in_step(around_ends, regions=False, counts=STEP_COUNTS)
    # The cooperation's expiry moved and removed, its visibility, its status, the end of it.
    Agreement.objects.filter(pk=lapsing.pk).update(expires_on=datetime.date(2026, 3, 31))
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Agreement.objects.filter(pk=lapsing.pk).update(expires_on=None)
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Agreement.objects.filter(pk=lapsing.pk).update(visibility=Agreement.Visibility.INTERNAL)
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    Agreement.objects.filter(pk=lapsing.pk).update(
        status=Agreement.Status.TERMINATED,
        waits_on="",
        next_stage="",
        next_milestone=None,
        next_due_on=None,
    )
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    assert Agreement.objects.overdue_step_count(datetime.date(2026, 7, 1)) == 0
    Agreement.objects.filter(pk=lapsing.pk).update(status=Agreement.Status.IN_FORCE)
    by_expiry_in_step(days, regions=False, counts=STEP_COUNTS)
    deleted_behind_djangos_back(lapsing, days, STEP_COUNTS)


def test_the_steps_kept_for_each_province_follow_its_regions(kaltim, samarinda, bali):
    """A province lists the steps of every agreement one of its regions is party to, once
    however many are: a party region added and removed, a regency moved to another province
    and back, an agreement made internal, all in step with the milestones."""
    days = [datetime.date(2026, 3, 1), datetime.date(2026, 6, 16)]
    badung = RegencyFactory(code="51.03", name="Kabupaten Badung", province=bali)
    agreement = AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2026, 6, 15))
    agreement.regions.add(samarinda)
    late = MilestoneFactory(agreement=agreement, due_on=datetime.date(2026, 2, 10))
    MilestoneFactory(agreement=agreement, due_on=datetime.date(2026, 3, 5))
    by_expiry_in_step(days)
    kept = Agreement.objects.public().in_region(bali)
    steps = Milestone.objects.filter(agreement__in=kept)
    assert nearest_late_and_coming(steps, 10, days[0], kept=kept)[2:] == (0, 0)

    agreement.regions.add(badung)
    by_expiry_in_step(days, counts=STEP_COUNTS)
    listed = nearest_late_and_coming(steps, 10, days[0], kept=kept)
    assert (listed[0], listed[2:]) == ([late], (1, 1))
    agreement.regions.remove(kaltim, samarinda)
    by_expiry_in_step(days, counts=STEP_COUNTS)
    Region.objects.filter(pk=samarinda.pk).update(province=bali)
    agreement.regions.add(samarinda)
    by_expiry_in_step(days, counts=STEP_COUNTS)
    Region.objects.filter(pk=samarinda.pk).update(province=kaltim)
    by_expiry_in_step(days, counts=STEP_COUNTS)
    Agreement.objects.filter(pk=agreement.pk).update(visibility=Agreement.Visibility.INTERNAL)
    by_expiry_in_step(days, counts=STEP_COUNTS)
    assert nearest_late_and_coming(steps, 10, days[0], kept=kept)[2:] == (0, 0)
    agreement.regions.clear()
    by_expiry_in_step(days, counts=STEP_COUNTS)


def test_dormant_tallies_follow_every_write_on_every_day(kaltim):
    """A cooperation in force turns dormant a year after it started or after its last activity
    or evaluation done, whichever is later, and stops being so when it lapses; days in and
    around the months of each are compared, after every kind of write."""
    days = [
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 9),
        datetime.date(2026, 3, 10),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 15),
        datetime.date(2026, 6, 16),
        datetime.date(2026, 7, 1),
        datetime.date(2027, 6, 1),
    ]
    started = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2024, 11, 1),
        in_force_from=datetime.date(2025, 3, 10),
        expires_on=datetime.date(2026, 6, 15),
    )
    undated = AgreementFactory(  # in force from its signing, with no date of its own
        lead_region=kaltim,
        signed_on=datetime.date(2025, 1, 15),
        in_force_from=None,
        expires_on=None,
        visibility=Agreement.Visibility.INTERNAL,
    )
    entering = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.SIGNED,
        signed_on=datetime.date(2024, 12, 1),
        in_force_from=datetime.date(2025, 1, 20),
        expires_on=None,
    )
    activity = MilestoneFactory(
        agreement=started, kind=Milestone.Kind.ACTIVITY, done_on=datetime.date(2025, 3, 20)
    )
    MilestoneFactory(agreement=undated, kind=Milestone.Kind.EVALUATION, done_on=None)
    by_expiry_in_step(days)
    assert Agreement.objects.dormant_count(datetime.date(2026, 3, 19)) == 2
    assert Agreement.objects.dormant_count(datetime.date(2026, 3, 20)) == 3
    assert Agreement.objects.dormant_count(datetime.date(2026, 6, 16)) == 2
    assert Agreement.objects.public().dormant_count(datetime.date(2026, 3, 20)) == 2

    # A sign of life done, moved, undone, turned into another kind, moved to another
    # cooperation, and deleted; each stored with where its chain stands, as every write path
    # of the site does (``refresh_progress``).
    def written(**change):
        Milestone.objects.filter(pk=activity.pk).update(**change)
        Agreement.objects.filter(pk__in=[started.pk, entering.pk]).refresh_progress()
        by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)

    written(done_on=datetime.date(2026, 1, 5))
    assert Agreement.objects.dormant_count(datetime.date(2026, 3, 20)) == 2
    written(done_on=None)
    written(done_on=datetime.date(2025, 12, 31))
    written(kind=Milestone.Kind.OTHER)
    written(kind=Milestone.Kind.EVALUATION)
    written(agreement=entering)
    MilestoneFactory(
        agreement=undated, kind=Milestone.Kind.ACTIVITY, done_on=datetime.date(2025, 6, 30)
    )
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    activity.delete()
    Agreement.objects.filter(pk=entering.pk).refresh_progress()
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    # The cooperation's dates, its status, its visibility, saved through the model.
    Agreement.objects.filter(pk=started.pk).update(in_force_from=None)
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    Agreement.objects.filter(pk=started.pk).update(expires_on=datetime.date(2026, 3, 31))
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    # An expiry known to the month or the year: dormant through the period's last day.
    Agreement.objects.filter(pk=started.pk).update(
        expires_on=datetime.date(2026, 3, 1), expires_on_precision="month"
    )
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    month_known = Agreement.objects.get(pk=started.pk)
    assert month_known.is_dormant_on(datetime.date(2026, 3, 31))
    assert not month_known.is_dormant_on(datetime.date(2026, 4, 1))
    Agreement.objects.filter(pk=started.pk).update(
        expires_on=datetime.date(2026, 1, 1), expires_on_precision="year"
    )
    by_expiry_in_step([*days, datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)])
    assert Agreement.objects.dormant_count(datetime.date(2026, 12, 31)) == 3
    assert Agreement.objects.dormant_count(datetime.date(2027, 1, 1)) == 2
    Agreement.objects.filter(pk=started.pk).update(expires_on_precision="day")
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    Agreement.objects.filter(pk=started.pk).update(expires_on=datetime.date(2026, 3, 31))
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    Agreement.objects.filter(pk=entering.pk).update(in_force_from=datetime.date(2026, 6, 1))
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    assert Agreement.objects.dormant_count(datetime.date(2027, 5, 31)) == 1
    assert Agreement.objects.dormant_count(datetime.date(2027, 6, 1)) == 2
    Agreement.objects.filter(pk=entering.pk).update(in_force_from=None)
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    Agreement.objects.filter(pk=undated.pk).update(visibility=Agreement.Visibility.PUBLIC)
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    started.refresh_from_db()
    started.status = Agreement.Status.TERMINATED
    started.save()
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    Agreement.objects.filter(pk=started.pk).update(status=Agreement.Status.IN_FORCE)
    by_expiry_in_step(days, regions=False, counts=DORMANT_COUNTS)
    deleted_behind_djangos_back(undated, days, DORMANT_COUNTS)


def test_an_addendum_dormant_with_its_mou_is_counted_once_as_the_rows_are(kaltim, bali):
    """ "MoU X" and "Adendum MoU X", ending the same day and both dormant, are one dormant
    cooperation: counted once from the counts kept, for the register, the public and each
    region, as the rows counted are, on every day; not so an addendum ending before its MoU,
    nor, to the public, one whose MoU it may not see. On SQLite the rows are counted."""
    days = [
        datetime.date(2025, 3, 9),
        datetime.date(2025, 3, 10),
        datetime.date(2026, 6, 30),
        datetime.date(2026, 7, 1),
        datetime.date(2027, 6, 30),
        datetime.date(2027, 7, 1),
    ]

    def text(title, **kwargs):
        kwargs.setdefault("expires_on", datetime.date(2027, 6, 30))
        return AgreementFactory(
            title=title,
            lead_region=kaltim,
            signed_on=datetime.date(2024, 3, 10),
            in_force_from=datetime.date(2024, 3, 10),
            **kwargs,
        )

    def addendum(of, **kwargs):
        kwargs.setdefault("expires_on", of.expires_on)
        kwargs.setdefault("visibility", of.visibility)
        return text(
            f"Adendum {of.title}",
            kind=Agreement.Kind.AMENDMENT,
            follows=of,
            relation=Agreement.Relation.AMENDS,
            **kwargs,
        )

    mou = text("MoU X", regions=[bali])
    addendum(mou, regions=[bali])
    # Ending with the year known only: its last day, as the MoU's.
    yearly = text("MoU Y", expires_on=datetime.date(2026, 1, 1), expires_on_precision="year")
    addendum(yearly, expires_on=datetime.date(2026, 12, 31))
    earlier = text("MoU Z")
    addendum(earlier, expires_on=datetime.date(2026, 6, 30))
    hidden = text("MoU W", visibility=Agreement.Visibility.INTERNAL)
    addendum(hidden, visibility=Agreement.Visibility.PUBLIC)
    # With no end, neither of them.
    endless = text("MoU V", expires_on=None)
    addendum(endless)

    by_expiry_in_step(days)
    day = datetime.date(2025, 3, 10)
    # MoU X, MoU Y, MoU Z and its addendum ending first, MoU W and MoU V; to the public, the
    # addendum of MoU W on its own in its place.
    assert Agreement.objects.dormant(day).count() == 10
    assert Agreement.objects.dormant_count(day) == 6
    assert Agreement.objects.dormant_cooperations(day).count() == 6
    assert Agreement.objects.public().dormant_count(day) == 6
    public = Agreement.objects.public().dormant_cooperations(day)
    assert "Adendum MoU W" in {agreement.title for agreement in public}
    assert Agreement.objects.in_region(bali).dormant_cooperations(day).count() == 1
    assert Agreement.objects.dormant_count(datetime.date(2025, 3, 9)) == 0
    # The addendum ending first has ended; the year-known MoU and its addendum with it.
    assert Agreement.objects.dormant_count(datetime.date(2027, 1, 1)) == 4
    # An activity of the MoU keeps its addendum alive too: neither is dormant.
    MilestoneFactory(agreement=mou, kind=Milestone.Kind.ACTIVITY, done_on=day)
    Agreement.objects.filter(pk=mou.pk).refresh_progress()
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    assert Agreement.objects.dormant_count(day) == 5


def test_dormant_tallies_read_a_date_known_to_its_month_or_year_to_its_last_day(kaltim):
    """A start (entry into force, else signing) or a sign of life known only as "Januari 2025"
    or "2025" may have been on the period's last day: the cooperation turns dormant a year
    after that day, not after the first. The counts kept follow each change of a precision
    alone, and each day's dormant ones are those."""
    days = [
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 1, 30),
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 12, 30),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 1),
    ]
    in_force = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2024, 11, 1),
        in_force_from=datetime.date(2025, 1, 1),
        in_force_from_precision="month",
        expires_on=None,
    )
    signed = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2025, 1, 1),
        signed_on_precision="year",
        in_force_from=None,
        expires_on=None,
    )
    active = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2020, 1, 1),
        in_force_from=datetime.date(2020, 1, 1),
        expires_on=None,
        visibility=Agreement.Visibility.INTERNAL,
    )
    activity = MilestoneFactory(
        agreement=active,
        kind=Milestone.Kind.ACTIVITY,
        due_on=None,
        done_on=datetime.date(2025, 1, 1),
        done_on_precision="month",
    )
    everyone = {in_force, signed, active}

    def dormant_on(day, expected):
        assert set(Agreement.objects.dormant(day)) == expected, day
        assert Agreement.objects.dormant_count(day) == len(expected), day
        for agreement in Agreement.objects.filter(pk__in=[a.pk for a in everyone]):
            assert agreement.is_dormant_on(day) is (agreement in expected), (agreement, day)

    by_expiry_in_step(days)
    # Stored as the day it counts from; its page names it as it is known ("Januari 2025").
    assert Agreement.objects.get(pk=active.pk).last_sign_of_life_on == datetime.date(2025, 1, 31)
    dormant_on(datetime.date(2026, 1, 30), set())
    dormant_on(datetime.date(2026, 1, 31), {in_force, active})
    dormant_on(datetime.date(2026, 12, 30), {in_force, active})
    dormant_on(datetime.date(2026, 12, 31), everyone)

    # Each precision changed alone, as the admin's form saves it.
    Agreement.objects.filter(pk=in_force.pk).update(in_force_from_precision="day")
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    dormant_on(datetime.date(2026, 1, 1), {in_force})
    Agreement.objects.filter(pk=signed.pk).update(signed_on_precision="month")
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    dormant_on(datetime.date(2026, 1, 31), everyone)
    Milestone.objects.filter(pk=activity.pk).update(done_on_precision="year")
    Agreement.objects.filter(pk=active.pk).refresh_progress()
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    dormant_on(datetime.date(2026, 12, 30), {in_force, signed})
    dormant_on(datetime.date(2026, 12, 31), everyone)
    Milestone.objects.filter(pk=activity.pk).update(done_on_precision="day")
    Agreement.objects.filter(pk=active.pk).refresh_progress()
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    dormant_on(datetime.date(2026, 1, 1), {in_force, active})
    assert Agreement.objects.public().dormant_count(datetime.date(2026, 1, 31)) == 2


def test_the_signs_of_life_stored_from_their_first_day_are_stored_again_from_their_last(kaltim):
    """Migration 0059 stores again, as the day it counts from, a sign of life stored as the first
    day of the month or year it is known to, and the counts kept follow it."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "agreements.migrations.0059_dormant_from_the_last_day_a_date_covers"
    )
    agreement = AgreementFactory(
        lead_region=kaltim,
        signed_on=datetime.date(2020, 1, 1),
        in_force_from=datetime.date(2020, 1, 1),
        expires_on=None,
    )
    MilestoneFactory(
        agreement=agreement,
        kind=Milestone.Kind.EVALUATION,
        due_on=None,
        done_on=datetime.date(2025, 1, 1),
        done_on_precision="year",
    )
    # As the rule before stored it.
    Agreement.objects.filter(pk=agreement.pk).update(last_sign_of_life_on=datetime.date(2025, 1, 1))
    assert Agreement.objects.dormant_count(datetime.date(2026, 1, 1)) == 1

    migration.store_signs_of_life(apps, None)

    assert Agreement.objects.get(pk=agreement.pk).last_sign_of_life_on == datetime.date(
        2025, 12, 31
    )
    by_expiry_in_step([datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)])
    assert Agreement.objects.dormant_count(datetime.date(2026, 12, 30)) == 0
    assert Agreement.objects.dormant_count(datetime.date(2026, 12, 31)) == 1


def test_migration_0070_stores_a_public_addendums_line_as_readers_of_internal_records_read_it(
    kaltim,
):
    """A public addendum of an internal MoU active last month, stored before the rule as the
    public reads its line: dormant in the counts of every reader. Migration 0070 stores the day
    its line was last alive for readers of internal records, and their counts (kept, on
    PostgreSQL) leave it out; the public's still count it."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "agreements.migrations.0070_amendments_alive_inside_their_internal_text"
    )
    today = datetime.date(2026, 6, 1)
    start = datetime.date(2024, 1, 1)
    mou = AgreementFactory(
        lead_region=kaltim,
        signed_on=start,
        in_force_from=start,
        expires_on=datetime.date(2030, 1, 1),
        visibility=Agreement.Visibility.INTERNAL,
    )
    addendum = AgreementFactory(
        lead_region=kaltim,
        kind="amendment",
        follows=mou,
        relation="amends",
        signed_on=start,
        in_force_from=start,
        expires_on=datetime.date(2030, 1, 1),
    )
    MilestoneFactory(
        agreement=mou, kind=Milestone.Kind.ACTIVITY, due_on=None, done_on=datetime.date(2026, 5, 1)
    )
    # As the rule before stored it.
    Agreement.objects.filter(pk=addendum.pk).update(inside_sign_of_life_on=None)
    assert Agreement.objects.dormant_count(today) == 1

    migration.forward(apps, None)

    assert Agreement.objects.get(pk=addendum.pk).inside_sign_of_life_on == datetime.date(2026, 5, 1)
    assert Agreement.objects.dormant_count(today) == 0
    assert list(Agreement.objects.public().dormant(today)) == [addendum]
    assert Agreement.objects.public().dormant_count(today) == 1
    by_expiry_in_step([today, datetime.date(2027, 5, 1), datetime.date(2027, 5, 2)])
    # A year on, both lie dormant: one cooperation, under the MoU.
    assert Agreement.objects.dormant_count(datetime.date(2027, 5, 2)) == 1


def test_dormant_tallies_follow_the_signs_of_life_along_each_line(kaltim):
    """A sign of life counts for the document it is done on, what it follows and what follows
    it (``lines_of``): the counts kept follow each write that moves one along a chain, for the
    whole register and the public's, on each day; and each day's dormant ones are those."""
    days = [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 6, 30),
        datetime.date(2026, 7, 1),
        datetime.date(2027, 2, 1),
    ]
    since = datetime.date(2024, 1, 1)

    def in_force(title, follows=None, relation=""):
        return AgreementFactory(
            title=title,
            lead_region=kaltim,
            follows=follows,
            relation=relation,
            signed_on=since,
            in_force_from=since,
            expires_on=datetime.date(2030, 1, 1),
        )

    mou = in_force("MoU")
    addendum = in_force("Adendum", mou, "amends")
    pks = in_force("PKS", mou, "implements")
    sister = in_force("PKS lain", mou, "implements")
    extension = in_force("Perpanjangan PKS", pks, "extends")
    everyone = {mou, addendum, pks, sister, extension}

    def dormant_on(day, expected):
        assert set(Agreement.objects.dormant(day)) == expected, day
        # Counted each cooperation once: the addendum, ending with its MoU, with the MoU.
        once = expected - {addendum} if mou in expected else expected
        assert set(Agreement.objects.dormant_cooperations(day)) == once, day
        assert Agreement.objects.dormant_count(day) == len(once), day
        for agreement in Agreement.objects.filter(pk__in=[a.pk for a in everyone]):
            # The whole register is read as a reader of internal records reads it.
            dormant = agreement.is_dormant_on(day, inside=True)
            assert dormant is (agreement in expected), (agreement, day)

    by_expiry_in_step(days)
    dormant_on(days[0], everyone)

    # Done on the extension: alive along its line up to the MoU, and the MoU's addendum, part
    # of the MoU; not the MoU's other PKS.
    activity = MilestoneFactory(
        agreement=extension, kind=Milestone.Kind.ACTIVITY, due_on=None, done_on=days[0]
    )
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    dormant_on(days[0], {sister})
    dormant_on(days[-1], everyone)

    def written(*agreements, **change):
        """A write, then its chains stored again, as every write path of the site does."""
        for agreement in agreements:
            Agreement.objects.filter(pk=agreement.pk).update(**change)
        Agreement.objects.filter(pk__in=[a.pk for a in everyone]).refresh_progress()
        by_expiry_in_step(days, counts=DORMANT_COUNTS)

    # Moved to the MoU: alive for everything that follows it.
    Milestone.objects.filter(pk=activity.pk).update(agreement=mou)
    written()
    dormant_on(days[0], set())
    # On the addendum: alive for it and the MoU only.
    Milestone.objects.filter(pk=activity.pk).update(agreement=addendum)
    written()
    dormant_on(days[0], {pks, sister, extension})
    # The PKS spawned by the MoU rather than carrying it out: a cooperation of its own, with
    # its extension.
    Milestone.objects.filter(pk=activity.pk).update(agreement=extension)
    written(pks, relation="spawns")
    dormant_on(days[0], {mou, addendum, sister})
    written(pks, relation="implements")
    dormant_on(days[0], {sister})
    # The extension made internal: its activity no longer tells on the public texts, and the
    # public counts leave it out; but for the MoU's addendum, part of the MoU, read by a reader
    # who may see the extension, as its status page reads it.
    written(extension, visibility=Agreement.Visibility.INTERNAL)
    dormant_on(days[0], {mou, pks, sister})
    assert set(Agreement.objects.public().dormant(days[0])) == {mou, addendum, pks, sister}
    assert Agreement.objects.public().dormant_count(days[0]) == 3
    written(extension, visibility=Agreement.Visibility.PUBLIC)
    # The extension now follows the sister PKS instead.
    written(extension, follows=sister)
    dormant_on(days[0], {pks})
    # Deleted with its extension, as the admin does: the chain left is stored again.
    written(extension, follows=pks)
    everyone.discard(extension)
    extension.delete()
    written()
    dormant_on(days[0], everyone)


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_the_dashboard_counts_what_depends_on_today_from_the_tallies(client, kaltim):
    """The status chart, the waiting-on counts, the overdue steps and the dormant count read the
    tallies, this month's by day: no query groups every agreement by its shown status, none
    counts the planned steps of every open cooperation or reads the signs of life of every
    cooperation in force."""
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    today = timezone.localdate()
    lapsed = AgreementFactory(lead_region=kaltim, expires_on=today - datetime.timedelta(days=400))
    going = AgreementFactory(lead_region=kaltim, expires_on=today + datetime.timedelta(days=400))
    Agreement.objects.filter(pk=going.pk).update(waits_on="dprd")
    for agreement in (lapsed, going, going):
        MilestoneFactory(agreement=agreement, due_on=today - datetime.timedelta(days=90))

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("dashboard")).content.decode()

    assert '<a href="#overdue">2 tahapan</a>' in page
    sqls = [query["sql"] for query in captured]
    for dimension in ("status", "waits", "overdue", "dormant"):
        assert any(f"dimension = '{dimension}'" in sql for sql in sqls), dimension
    first = today.replace(day=1).isoformat()
    for sql in sqls:
        if "agreements_tally" in sql:
            # The rows read beside the tallies are those of this month only.
            continue
        assert "THEN 'expired'" not in sql  # the shown status, grouped over the register
        assert not sql.startswith('SELECT COUNT(*) AS "__count" FROM "agreements_milestone"')
        assert not ('"waits_on" IN' in sql and "GROUP BY" in sql)
        # The dormant ones, by every cooperation's signs of life.
        assert not ("agreements_milestone" in sql and "'evaluation'" in sql)
    # Today's month is read from the tallies kept by day: beside them, only the signed
    # agreements (which enter into force on a date of their own) are read, and no step; the
    # agreements expiring soon are counted from them beside the ten soonest listed.
    beside = [sql for sql in sqls if "agreements_tally" in sql and "agreements_agreement" in sql]
    counted = [sql for sql in beside if "'status_day'" in sql and "LIMIT 10" in sql]
    assert len(counted) == 1 and len(beside) > 1
    assert all(""""status" = 'signed'""" in sql for sql in beside if sql not in counted)
    assert not any("agreements_tally" in sql and "agreements_milestone" in sql for sql in sqls)
    assert any("dormant_day" in sql and f"'{first}'" in sql for sql in sqls)


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_a_region_page_counts_its_agreements_from_the_tallies(client, kaltim, samarinda):
    """A province's page counts an agreement once however many of its regions are party, and
    the public never counts an internal one: read from the tallies, not by counting."""
    from django.test.utils import CaptureQueriesContext

    AgreementFactory(lead_region=samarinda, regions=[kaltim, samarinda])
    AgreementFactory(lead_region=kaltim)
    AgreementFactory(lead_region=samarinda, visibility=Agreement.Visibility.INTERNAL)

    for code, shown, dimension in (
        ("64", "2 kerja sama ditemukan.", "province"),
        ("64.72", "1 kerja sama ditemukan.", "region"),
    ):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("region-detail", args=[code])).content.decode()
        assert shown in page
        # Its agreements are never counted by their rows; those expiring within the coming
        # months are (what needs attention says how many, a window of the calendar).
        counted = 'SELECT COUNT(*) AS "__count" FROM "agreements_agreement"'
        assert [
            q
            for q in captured
            if q["sql"].startswith(counted) and '"expires_on" <=' not in q["sql"]
        ] == []
        assert any(f"dimension = '{dimension}' AND key" in q["sql"] for q in captured)
    # Narrowed further (by kind), the page counts its rows.
    page = client.get(reverse("region-detail", args=["64"]), {"kind": "pks"}).content.decode()
    assert "0 kerja sama ditemukan." in page


def test_a_country_partner_or_sector_counts_its_agreements_from_the_tallies(client, kaltim):
    """A country's, a partner's and a sector's page, and the list narrowed to one of them,
    count an agreement once however many of its partners come from the country, never count
    an internal one for the public, and read the count from the tallies: counting the rows of
    a country's 3,000 agreements at 100,000 took 12 ms of its page."""
    from django.test.utils import CaptureQueriesContext

    china = CountryFactory(code="CN")
    hubei, wuhan = PartnerFactory(country=china), PartnerFactory(country=china)
    sector = SectorFactory(slug="pendidikan")
    AgreementFactory(lead_region=kaltim, partners=[hubei, wuhan], sectors=[sector])
    AgreementFactory(lead_region=kaltim, partners=[wuhan])
    AgreementFactory(lead_region=kaltim, partners=[hubei], sectors=[sector], kind="pks")
    AgreementFactory(
        lead_region=kaltim,
        partners=[hubei],
        sectors=[sector],
        visibility=Agreement.Visibility.INTERNAL,
    )

    for url, query, found, dimension, found_pks in (
        (reverse("country-detail", args=["CN"]), {}, 3, "country", 1),
        (reverse("partner-detail", args=[hubei.pk]), {}, 2, "partner", 1),
        (reverse("sector-detail", args=["pendidikan"]), {}, 2, "sector", 1),
        (reverse("agreement-list"), {"country": "CN"}, 3, "country", 1),
        (reverse("agreement-list"), {"partner": wuhan.pk}, 2, "partner", 0),
        (reverse("agreement-list"), {"sector": "pendidikan"}, 2, "sector", 1),
    ):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url, query).content.decode()
        assert f"{found} kerja sama ditemukan." in page, url
        counted = [q for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
        if connection.vendor == "postgresql":
            assert counted == [], url
            assert any(f"dimension = '{dimension}' AND key" in q["sql"] for q in captured), url
        # Narrowed further (by kind), the page counts its rows.
        page = client.get(url, {**query, "kind": "pks"}).content.decode()
        assert f"{found_pks} kerja sama ditemukan." in page, url


def test_late_tallies_follow_every_write_on_every_day(kaltim):
    """A cooperation is late from the day after the last day of its earliest target still to
    do, and stops being so when it lapses, ends, or the step is done or passed by signing; days
    in and around the months of each are compared with the steps themselves, after every kind
    of write, each stored with where its chain stands as every write path does."""
    days = [
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 10),
        datetime.date(2026, 3, 11),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 15),
        datetime.date(2026, 6, 16),
        datetime.date(2027, 1, 1),
    ]
    in_force = AgreementFactory(lead_region=kaltim, expires_on=datetime.date(2026, 6, 15))
    proposed = AgreementFactory(
        lead_region=kaltim,
        status=Agreement.Status.PREPARATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        visibility=Agreement.Visibility.INTERNAL,
    )
    step = MilestoneFactory(
        agreement=in_force, kind=Milestone.Kind.ACTIVITY, due_on=datetime.date(2026, 3, 10)
    )
    drafting = MilestoneFactory(
        agreement=proposed, kind=Milestone.Kind.DRAFTING, due_on=datetime.date(2026, 3, 1)
    )

    def in_step(regions=False):
        by_expiry_in_step(days, regions, counts=COUNTS_BY_DAY if regions else STEP_COUNTS)
        for day in days:
            overdue = Milestone.objects.overdue(day).values("agreement_id").distinct().count()
            assert Agreement.objects.late_count(day) == overdue, day

    in_step(regions=True)
    assert Agreement.objects.late_count(datetime.date(2026, 3, 10)) == 1
    assert Agreement.objects.late_count(datetime.date(2026, 3, 11)) == 2
    assert Agreement.objects.public().late_count(datetime.date(2026, 3, 11)) == 1
    assert Agreement.objects.late_count(datetime.date(2026, 6, 16)) == 1  # lapsed

    def written(milestone, **change):
        Milestone.objects.filter(pk=milestone.pk).update(**change)
        Agreement.objects.filter(pk__in=[in_force.pk, proposed.pk]).refresh_progress()
        in_step()

    # A target moved, known to the month or the year, done, undone, moved to another
    # cooperation; a stage passed by signing.
    written(step, due_on=datetime.date(2026, 3, 1), due_on_precision="month")
    assert Agreement.objects.public().late_count(datetime.date(2026, 3, 31)) == 0
    assert Agreement.objects.public().late_count(datetime.date(2026, 4, 1)) == 1
    written(step, due_on=datetime.date(2026, 1, 1), due_on_precision="year")
    written(step, due_on=datetime.date(2026, 6, 1), due_on_precision="day")
    written(step, done_on=datetime.date(2026, 1, 5))
    written(step, done_on=None)
    written(step, agreement=proposed)
    written(step, agreement=in_force)
    Agreement.objects.filter(pk=proposed.pk).update(
        status=Agreement.Status.SIGNED, signed_on=datetime.date(2026, 1, 20)
    )
    Agreement.objects.filter(pk=proposed.pk).refresh_progress()
    in_step()
    # The cooperation's expiry, known to the month and the year, its visibility and its end.
    for change in [
        {"expires_on": datetime.date(2026, 3, 1), "expires_on_precision": "month"},
        {"expires_on": datetime.date(2026, 1, 1), "expires_on_precision": "year"},
        {"expires_on": None, "expires_on_precision": "day"},
        {"visibility": Agreement.Visibility.INTERNAL},
        # Ended: nothing next and nobody waited on, in the same row.
        {
            "status": Agreement.Status.TERMINATED,
            "next_stage": "",
            "next_milestone": None,
            "waits_on": "",
            "next_due_on": None,
        },
    ]:
        Agreement.objects.filter(pk=in_force.pk).update(**change)
        Agreement.objects.filter(pk=in_force.pk).refresh_progress()
        in_step()
    drafting.delete()
    Agreement.objects.filter(pk=proposed.pk).refresh_progress()
    in_step()
    in_force.delete()
    in_step()


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_the_late_list_is_counted_from_the_kept_counts(client, kaltim):
    """``/agreements/?late=yes`` is counted from the counts the database keeps (counted row by
    row, a quarter of the register was read at 100,000 agreements); narrowed further, it is
    counted row by row, and either way rightly."""
    from django.test.utils import CaptureQueriesContext

    week_ago = datetime.date.today() - datetime.timedelta(days=7)
    for kind, visibility in [("mou", "public"), ("pks", "public"), ("mou", "internal")]:
        late = AgreementFactory(lead_region=kaltim, kind=kind, visibility=visibility)
        MilestoneFactory(agreement=late, kind=Milestone.Kind.ACTIVITY, due_on=week_ago)
    on_time = AgreementFactory(lead_region=kaltim)
    next_week = datetime.date.today() + datetime.timedelta(days=7)
    MilestoneFactory(agreement=on_time, kind=Milestone.Kind.ACTIVITY, due_on=next_week)

    for params, expected in [({"late": "yes"}, 2), ({"late": "yes", "kind": "mou"}, 1)]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("agreement-list"), params)
        assert response.context["page_obj"].paginator.count == expected, params
        assert f"{expected} kerja sama ditemukan" in response.content.decode()
        counted_rows = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
        assert bool(counted_rows) is ("kind" in params), params
    late = Agreement.objects.with_overdue_steps()
    assert late.tallied_count() == 3 == late.count()


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_a_list_of_shown_statuses_is_counted_from_the_kept_counts(client, kaltim):
    """``/agreements/?status=in_force`` counts what the dashboard's status figures count, from
    the counts the database keeps (counted row by row, those in force took 35 ms at 100,000
    agreements): one lapsed by its date is expired, one signed and come into force is in
    force. Narrowed further, it is counted row by row, and either way rightly."""
    from django.test.utils import CaptureQueriesContext

    today = datetime.date.today()
    AgreementFactory(lead_region=kaltim, kind="mou")
    AgreementFactory(lead_region=kaltim, kind="pks", visibility=Agreement.Visibility.INTERNAL)
    AgreementFactory(lead_region=kaltim, kind="pks", expires_on=today - datetime.timedelta(1))
    AgreementFactory(
        lead_region=kaltim,
        kind="pks",
        status=Agreement.Status.SIGNED,
        in_force_from=today - datetime.timedelta(days=3),
    )
    AgreementFactory(lead_region=kaltim, kind="pks", status=Agreement.Status.EXPIRED)

    for params, expected in [
        ({"status": "in_force"}, 2),
        ({"status": ["in_force", "expired"]}, 4),
        ({"status": "in_force", "kind": "mou"}, 1),
    ]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("agreement-list"), params)
        assert response.context["page_obj"].paginator.count == expected, params
        assert f"{expected} kerja sama ditemukan" in response.content.decode()
        counted_rows = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
        assert bool(counted_rows) is ("kind" in params), params
    in_force = Agreement.objects.with_shown_status_in(["in_force"])
    assert in_force.tallied_count() == 3 == in_force.count()


def test_the_dormant_kept_for_each_region_follow_its_parties(kaltim, samarinda, bali):
    """A region counts the dormant cooperations it is party to, a province those any of its
    regions is party to, once however many are: a party region added and removed, a regency
    moved to another province and back, a sign of life recorded, an agreement made internal,
    then deleted, all in step with the agreements counted row by row."""
    days = [datetime.date(2026, 3, 1), datetime.date(2027, 6, 16)]
    badung = RegencyFactory(code="51.03", name="Kabupaten Badung", province=bali)
    long_ago = datetime.date(2023, 1, 10)
    agreement = AgreementFactory(
        lead_region=kaltim, signed_on=long_ago, in_force_from=long_ago, expires_on=None
    )
    agreement.regions.add(samarinda)
    AgreementFactory(lead_region=bali, signed_on=long_ago, in_force_from=long_ago)
    by_expiry_in_step(days)
    in_bali = Agreement.objects.public().in_region(bali).dormant(days[0])
    assert in_bali.count() == 1

    agreement.regions.add(badung)
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    assert in_bali.count() == 2
    agreement.regions.remove(kaltim, samarinda)
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    Region.objects.filter(pk=samarinda.pk).update(province=bali)
    agreement.regions.add(samarinda)
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    Region.objects.filter(pk=samarinda.pk).update(province=kaltim)
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    MilestoneFactory(
        agreement=agreement, kind=Milestone.Kind.ACTIVITY, due_on=None, done_on=days[0]
    )
    Agreement.objects.filter(pk=agreement.pk).refresh_progress()
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    assert in_bali.count() == 1
    Agreement.objects.filter(pk=agreement.pk).update(visibility=Agreement.Visibility.INTERNAL)
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    agreement.regions.clear()
    by_expiry_in_step(days, counts=DORMANT_COUNTS)
    agreement.delete()
    by_expiry_in_step(days, counts=DORMANT_COUNTS)


@pytest.mark.postgresql  # the rows are kept on PostgreSQL only
def test_a_regions_dormant_list_is_counted_from_the_rows_kept_for_it(client, kaltim, samarinda):
    """``/agreements/?region=<code>&dormant=yes`` and the region's own page narrowed to its
    dormant cooperations say how many there are from the rows kept for the region (migration
    0053), a province's with its regencies' and cities': at 100,000 agreements the largest
    province's were counted from every agreement of the register. Anything narrower is counted
    row by row; every count says what the rows are."""
    from django.test.utils import CaptureQueriesContext

    long_ago = datetime.date(2020, 1, 1)
    for lead, kind, visibility in [
        (kaltim, "mou", "public"),
        (samarinda, "pks", "public"),
        (samarinda, "mou", "internal"),
    ]:
        AgreementFactory(
            lead_region=lead,
            kind=kind,
            visibility=visibility,
            signed_on=long_ago,
            in_force_from=long_ago,
            expires_on=datetime.date(2035, 1, 1),
        )
    lively = AgreementFactory(
        lead_region=kaltim, signed_on=long_ago, in_force_from=long_ago, expires_on=None
    )
    MilestoneFactory(agreement=lively, kind="activity", due_on=None, done_on=datetime.date.today())
    Agreement.objects.filter(pk=lively.pk).refresh_progress()

    pages = [
        (reverse("agreement-list"), {"region": kaltim.code, "dormant": "yes"}, 2, True),
        (reverse("region-detail", args=[kaltim.code]), {"dormant": "yes"}, 2, True),
        (reverse("agreement-list"), {"region": samarinda.code, "dormant": "yes"}, 1, True),
        (reverse("region-detail", args=[samarinda.code]), {"dormant": "yes"}, 1, True),
        (
            reverse("agreement-list"),
            {"region": kaltim.code, "dormant": "yes", "kind": "mou"},
            1,
            False,
        ),
    ]
    for url, params, expected, kept in pages:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        assert response.context["page_obj"].paginator.count == expected, params
        assert len(response.context["agreements"]) == expected, params
        read = [q["sql"] for q in captured]
        counted_rows = [sql for sql in read if sql.startswith("SELECT COUNT(*)")]
        assert bool(counted_rows) is not kept, params
        assert any("agreements_tally_region_quiet" in sql for sql in read) is kept, params


@pytest.mark.postgresql  # the counts are kept on PostgreSQL only
def test_the_dormant_list_is_counted_from_the_kept_counts(client, kaltim):
    """``/agreements/?dormant=yes`` counts what the dashboard's *Mati suri* figure counts, from
    the counts the database keeps (counted row by row, the dormant of 100,000 agreements took
    100 ms); narrowed further, it is counted row by row, and either way rightly."""
    from django.test.utils import CaptureQueriesContext

    long_ago = datetime.date(2020, 1, 1)
    for kind, visibility in [("mou", "public"), ("pks", "public"), ("mou", "internal")]:
        AgreementFactory(
            lead_region=kaltim,
            kind=kind,
            visibility=visibility,
            signed_on=long_ago,
            in_force_from=long_ago,
            expires_on=datetime.date(2035, 1, 1),
        )
    lively = AgreementFactory(
        lead_region=kaltim, signed_on=long_ago, in_force_from=long_ago, expires_on=None
    )
    MilestoneFactory(agreement=lively, kind="activity", due_on=None, done_on=datetime.date.today())

    for params, expected in [({"dormant": "yes"}, 2), ({"dormant": "yes", "kind": "mou"}, 1)]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("agreement-list"), params)
        assert response.context["page_obj"].paginator.count == expected, params
        counted_rows = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
        assert bool(counted_rows) is ("kind" in params), params
    dormant = Agreement.objects.dormant_cooperations()
    assert dormant.tallied_count() == 3 == dormant.count()
