"""Pages built afresh (nothing cached) read indexes and stop at a page of rows: the shape of
their queries is pinned here, so a query that passes over the whole register cannot come back
unnoticed. ``bench/run.py`` measures what this costs at national scale."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AgreementFactory, PartnerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_agreement_changelist")


def sql_of(captured):
    return [query["sql"] for query in captured]


@pytest.fixture
def anhui(db):
    return PartnerFactory(name="Pemerintah Provinsi Anhui", name_local="安徽省")


def test_admin_search_uses_the_registers_search_without_distinct_or_party_joins(
    staff_client, kaltim, anhui
):
    education = AgreementFactory(title="Beasiswa pendidikan guru", lead_region=kaltim)
    with_anhui = AgreementFactory(
        title="Kota kembar", lead_region=kaltim, scope="ksdpl", partners=[anhui]
    )
    AgreementFactory(title="Jalan tol", lead_region=kaltim)

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(CHANGELIST, {"q": "pendidikan"})
    page = response.content.decode()

    assert "Beasiswa pendidikan guru" in page
    assert "Jalan tol" not in page
    assert set(response.context["cl"].result_list) == {education}
    for sql in sql_of(captured):
        assert "DISTINCT" not in sql.upper() or "agreements_agreement" not in sql
        # Party names are searched in their own small tables, never joined row by row.
        assert "LEFT OUTER JOIN" not in sql.upper()
    if connection.vendor == "postgresql":
        assert any("search_vector" in sql for sql in sql_of(captured))

    # A partner's name, in Latin or in its own script, finds its agreements too.
    assert set(staff_client.get(CHANGELIST, {"q": "安徽"}).context["cl"].result_list) == {
        with_anhui
    }


def test_the_admin_date_hierarchy_offers_the_signing_years_without_reading_every_date(
    staff_client, kaltim
):
    for year in (2012, 2019, 2024):
        signed = datetime.date(year, 5, 1)
        AgreementFactory(
            lead_region=kaltim,
            signed_on=signed,
            in_force_from=signed,
            expires_on=signed + datetime.timedelta(days=3650),
        )

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(CHANGELIST)
    page = response.content.decode()

    for year in ("2012", "2019", "2024"):
        assert f'?signed_on__year={year}">{year}</a>' in page
    assert '?signed_on__year=2015"' not in page
    for sql in sql_of(captured):
        # Neither every distinct date nor every year is sorted out of the table.
        assert "DATE_TRUNC" not in sql.upper() and "django_date_trunc" not in sql
    assert any("EXISTS" in sql and "signed_on" in sql for sql in sql_of(captured))

    # Within a year, the months are Django's own, over that year's rows.
    year_page = staff_client.get(CHANGELIST, {"signed_on__year": "2019"}).content.decode()
    assert "signed_on__month=5" in year_page
