"""What keeps pages fast at national scale must not change what they show: counts without
DISTINCT, the filter lists' markup written by hand, cached filter choices and counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import exports, filters, paging
from agreements.models import Agreement, Milestone
from common.widgets import PlainSelect
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def test_a_filter_that_joins_party_regions_still_counts_each_agreement_once(kaltim, samarinda):
    AgreementFactory(lead_region=kaltim, regions=[samarinda], signed_on="2024-01-15")
    # Joined to both its party regions: two rows for one agreement.
    joined = Agreement.objects.filter(regions__in=[kaltim, samarinda])
    assert joined.count() == 2

    assert joined.counts_by_kind() == {"mou": 1}
    assert joined.counts_by_status()[Agreement.Status.IN_FORCE] == 1
    assert joined.counts_by_signing_year() == {2024: 1}


def test_the_dashboard_counts_read_each_agreement_once_without_a_join(kaltim, bali):
    AgreementFactory(lead_region=kaltim)
    AgreementFactory(lead_region=bali, kind=Agreement.Kind.PKS)

    agreements = Agreement.objects.public()
    assert agreements.counts_by_kind() == {"mou": 1, "pks": 1}
    assert sum(agreements.counts_by_status().values()) == 2


def test_a_plain_select_marks_only_the_chosen_option_and_escapes_every_label():
    select = PlainSelect(
        choices=[
            ("", "Semua daerah"),
            (
                "Kalimantan Timur",
                [("64", "Seluruh Kalimantan Timur"), ("64.72", "Kota <Samarinda>")],
            ),
            ("51", 'Bali "Dewata"'),
        ]
    )

    html = select.render("region", "64.72", attrs={"id": "id_region"})

    assert html == (
        '<select name="region" id="id_region"><option value="">Semua daerah</option>'
        '<optgroup label="Kalimantan Timur"><option value="64">Seluruh Kalimantan Timur</option>'
        '<option value="64.72" selected>Kota &lt;Samarinda&gt;</option></optgroup>'
        '<option value="51">Bali &quot;Dewata&quot;</option></select>'
    )


def test_the_export_tells_parties_sectors_and_next_step_as_each_status_page_does(
    kaltim, samarinda, bali
):
    """PostgreSQL reads the whole export in one query; other databases read it a chunk at a
    time. On either, each record must say what the agreement itself says, in the list's order.
    """
    education = SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")
    signed = AgreementFactory(
        title="=SUM(A1)",
        lead_region=kaltim,
        regions=[samarinda],
        sectors=[education, SectorFactory(slug="trade")],
        partners=[PartnerFactory(name="Mitra; dengan titik koma"), PartnerFactory(name="Anhui")],
        signed_on=datetime.date(2020, 1, 1),
        in_force_from=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2021, 1, 1),
    )
    MilestoneFactory(agreement=signed, due_on=datetime.date(2026, 3, 1), title="Evaluasi")
    MilestoneFactory(agreement=signed, due_on=datetime.date(2025, 3, 1), title="Kegiatan awal")
    MilestoneFactory(agreement=signed, due_on=None, done_on=datetime.date(2020, 6, 1))
    unsigned = AgreementFactory(
        title="Rintisan",
        lead_region=bali,
        status=Agreement.Status.EXPLORATION,
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        visibility=Agreement.Visibility.INTERNAL,
    )
    MilestoneFactory(
        agreement=unsigned, kind=Milestone.Kind.INITIATIVE, due_on=None, done_on="2025-01-01"
    )
    MilestoneFactory(agreement=unsigned, kind=Milestone.Kind.PLAN, due_on="2026-02-01")
    AgreementFactory(title="Tanpa apa-apa", lead_region=bali, follows=signed, relation="extends")

    for queryset in (
        Agreement.objects.order_by("-signed_on", "-id"),
        Agreement.objects.order_by("title", "pk"),
        Agreement.objects.public().order_by("-pk"),
    ):
        records = list(
            exports.iter_records(
                queryset, page_url=str, readable=Agreement.objects.all(), chunk_size=2
            )
        )
        agreements = list(queryset)
        assert [record["title"] for record in records] == [a.title for a in agreements]
        for agreement, record in zip(agreements, records, strict=True):
            regions = agreement.regions.order_by("code")
            partners = agreement.partners.order_by("name", "country_id")
            step = agreement.step_along_chain()
            assert record["status"] == agreement.shown_status
            assert record["region_codes"] == [region.code for region in regions]
            assert record["partners"] == [partner.name for partner in partners]
            assert record["partner_countries"] == [partner.country_id for partner in partners]
            sectors = agreement.sectors.order_by("position", "name_id")
            assert record["sectors"] == [sector.slug for sector in sectors]
            assert record["next_milestone"] == (str(step.label) if step else "")
            assert record["next_milestone_due"] == (step.known_due_on if step else None)
            assert record["follows"] == (agreement.follows.title if agreement.follows else "")


def test_the_admin_lists_milestones_without_counting_a_large_table(
    staff_client, kaltim, monkeypatch
):
    agreement = AgreementFactory(lead_region=kaltim)
    for n in range(3):
        MilestoneFactory(agreement=agreement, title=f"Kegiatan {n}")
    url = "/admin/agreements/milestone/"

    # A small table is counted exactly.
    assert "3 tahapan" in staff_client.get(url).content.decode()

    if connection.vendor == "postgresql":
        # Past the threshold, PostgreSQL's own statistics stand in for a count of every row.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE agreements_milestone")
        monkeypatch.setattr(paging, "ESTIMATE_FROM", 1)
        with CaptureQueriesContext(connection) as captured:
            page = staff_client.get(url).content.decode()
        assert "3 tahapan" in page
        assert not any("COUNT(*)" in query["sql"] for query in captured)


def test_a_national_list_of_partners_asks_for_a_country_first(client, kaltim, monkeypatch):
    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    anhui = PartnerFactory(name="Pemerintah Provinsi Anhui", country=china)
    osaka = PartnerFactory(name="Osaka", country=japan)
    AgreementFactory(lead_region=kaltim, partners=[anhui])
    AgreementFactory(lead_region=kaltim, partners=[osaka])
    monkeypatch.setattr(filters, "PARTNER_CHOICES_MAX", 1)

    everything = client.get("/agreements/").content.decode()
    of_china = client.get("/agreements/?country=CN").content.decode()
    one_chosen = client.get(f"/agreements/?partner={osaka.pk}").content.decode()

    assert "pilih negara mitra dulu" in everything
    assert f'<option value="{anhui.pk}"' not in everything
    assert f'<option value="{anhui.pk}">Pemerintah Provinsi Anhui (CN)</option>' in of_china
    assert f'<option value="{osaka.pk}"' not in of_china
    assert f'<option value="{osaka.pk}" selected>Osaka (JP)</option>' in one_chosen


@pytest.mark.postgresql  # other databases plan without statistics
def test_a_bulk_write_leaves_the_planner_statistics_of_every_register_table_fresh(kaltim):
    from agreements.statistics import refresh_planner_statistics

    for index in range(3):
        agreement = AgreementFactory(
            lead_region=kaltim, regions=[kaltim], partners=[PartnerFactory()]
        )
        MilestoneFactory(agreement=agreement, title=f"Kegiatan {index}")
    tables = {
        "agreements_agreement": 3,
        "agreements_agreement_regions": 3,
        "agreements_agreement_partners": 3,
        "agreements_milestone": 3,
        "partners_partner": 3,
    }

    refresh_planner_statistics()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [list(tables)]
        )
        estimates = dict(cursor.fetchall())
    assert estimates == tables
