"""The larger reads planned once per connection and then only executed (``coopdb.kept_plans``):
a page asked again is not planned again, and still reads the register as it stands."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coopdb import kept_plans
from tests.factories import AgreementFactory

pytestmark = pytest.mark.postgresql


def kept_statements():
    """The statements prepared on the connection, with how often each was executed by its kept
    plan."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans FROM pg_prepared_statements WHERE name LIKE 'kept%%'"
        )
        return dict(cursor.fetchall())


def long_read(table, padding=""):
    """A read long enough to be kept (``kept_plans.SHORTEST``)."""
    words = " OR ".join(f"name = 'tidak ada {n}{padding}'" for n in range(60))
    return f"SELECT id, name FROM {table} WHERE name = %s OR {words} ORDER BY id"


def test_a_page_asked_again_is_executed_by_its_kept_plans_and_shows_what_changed_since(
    client, official, kaltim
):
    """The dashboard asked twice plans its larger reads once: the second time they run on the
    plans kept from the first, none prepared again. An agreement entered since still shows
    at once, since only plans are kept, never rows."""
    today = timezone.localdate()
    AgreementFactory(
        title="MoU air bersih Samarinda",
        kind="mou",
        lead_region=kaltim,
        expires_on=today + datetime.timedelta(days=30),
    )
    client.force_login(official)
    assert "MoU air bersih Samarinda" in client.get(reverse("dashboard")).content.decode()
    first = kept_statements()
    assert first, "the dashboard's larger reads are prepared"

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboard"))
    second = kept_statements()
    # The query log reads as the statements were written, not as the EXECUTE that ran them.
    logged = [q["sql"] for q in queries.captured_queries]
    assert not any("EXECUTE kept" in sql or "PREPARE" in sql for sql in logged)
    larger = [sql for sql in logged if len(sql) >= kept_plans.SHORTEST]
    assert any("agreements_milestone" in sql for sql in larger)
    assert second.keys() == first.keys(), "nothing prepared again"
    executed = sum(second[name] - first[name] for name in first)
    assert executed == len(larger), "each larger read ran on its kept plan"

    AgreementFactory(
        title="PKS pelabuhan Balikpapan",
        kind="pks",
        lead_region=kaltim,
        expires_on=today + datetime.timedelta(days=20),
    )
    page = client.get(reverse("dashboard")).content.decode()
    assert "PKS pelabuhan Balikpapan" in page
    assert "MoU air bersih Samarinda" in page


def test_a_connection_keeps_only_the_plans_used_last(db, settings):
    """Past ``KEEP_QUERY_PLANS`` statements, the one used longest ago is released, so a
    connection serving thousands of different addresses holds a bounded number of plans."""
    settings.KEEP_QUERY_PLANS = 3
    with connection.cursor() as cursor:
        for n in range(6):
            cursor.execute(long_read("partners_region", padding=f"-{n}"), ["Jepang"])
        cursor.execute(long_read("partners_region", padding="-5"), ["Jepang"])
    assert len(kept_statements()) == 3


def test_a_read_that_failed_runs_again_once_it_can(db):
    """A kept read that failed (here, a division by zero while the table is empty) is prepared
    afresh the next time it is sent: no "already exists", and it then answers."""
    statement = (
        "SELECT count(*), 1 / count(*) FROM partners_country WHERE name_id = %s OR "
        + " OR ".join(f"name_id = 'tidak ada {n}'" for n in range(80))
    )
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT before_failing")
        with pytest.raises(Exception, match="division by zero"):
            cursor.execute(statement, ["Negeri Antah Berantah"])
        cursor.execute("ROLLBACK TO SAVEPOINT before_failing")
        cursor.execute(
            "INSERT INTO partners_country (code, alpha3, name_id, name_en) "
            "VALUES ('ZZ', 'ZZZ', 'Negeri Antah Berantah', 'Nowhere')"
        )
        cursor.execute(statement, ["Negeri Antah Berantah"])
        assert cursor.fetchone() == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_table_altered_under_a_kept_plan_is_read_all_the_same():
    """A migration run while the site serves may alter a table a kept plan reads; the read
    that follows answers from the table as altered, not with an error."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE kept_plan_probe (id integer, name varchar(20))")
        try:
            cursor.execute("INSERT INTO kept_plan_probe VALUES (1, 'Jepang')")
            cursor.execute(long_read("kept_plan_probe"), ["Jepang"])
            assert cursor.fetchall() == [(1, "Jepang")]
            cursor.execute("ALTER TABLE kept_plan_probe ALTER COLUMN name TYPE varchar(200)")
            cursor.execute(long_read("kept_plan_probe"), ["Jepang"])
            assert cursor.fetchall() == [(1, "Jepang")]
        finally:
            cursor.execute("DROP TABLE kept_plan_probe")


@pytest.mark.django_db(transaction=True)
def test_a_read_postgresql_cannot_run_is_refused_once_not_sent_again_and_again():
    """Only a kept plan gone stale is prepared again; a read PostgreSQL refuses as such (here
    a row lock over a count, "not supported") is refused at once with its own message."""
    statement = long_read("partners_region").replace("SELECT id, name", "SELECT count(*)", 1)
    statement = statement.replace(" ORDER BY id", " FOR UPDATE")
    with (
        connection.cursor() as cursor,
        pytest.raises(Exception, match="FOR UPDATE is not allowed with aggregate"),
    ):
        cursor.execute(statement, ["Jepang"])
