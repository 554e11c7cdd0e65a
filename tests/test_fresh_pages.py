"""Pages built afresh (nothing cached) read indexes and stop at a page of rows: the shape of
their queries is pinned here, so a query that passes over the whole register cannot come back
unnoticed. ``bench/run.py`` measures what this costs at national scale."""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models.expressions import Col
from django.db.models.sql import Query
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.tree import Node

from agreements.caching import (
    ESTIMATE_TABLES,
    READER_TABLES,
    CachedAdminPages,
    agreement_tables,
    parties_tables,
    watched_tables,
)
from agreements.filters import DEFAULT_SORT, SORTS, AgreementFilter
from agreements.models import Agreement
from tests.factories import (
    AgreementFactory,
    MilestoneFactory,
    PartnerFactory,
    build_register,
    make_official,
)
from tests.helpers import words_tested

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
        # The partner countries of the filter are each asked for a partner, not found by
        # sorting every partner.
        assert "DISTINCT" not in sql.upper() or "partners_partner" not in sql
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


def test_the_milestones_date_hierarchy_offers_the_due_years_without_reading_every_date(
    staff_client, kaltim
):
    """Django's own hierarchy read the first and last due date of the milestones listed, then
    every distinct year among them: each a pass over all of them, over a second of a search's
    page at national scale. The years are read from the due dates' index, as the agreements'."""
    agreement = AgreementFactory(lead_region=kaltim)
    for year in (2013, 2021):
        MilestoneFactory(agreement=agreement, title="Rapat kerja", due_on=datetime.date(year, 3, 1))
    changelist = reverse("admin:agreements_milestone_changelist")

    for params in ({}, {"q": "rapat"}):
        with CaptureQueriesContext(connection) as captured:
            page = staff_client.get(changelist, params).content.decode()
        for year in ("2013", "2021"):
            assert re.search(f'due_on__year={year}[^"]*">{year}</a>', page)
        assert "due_on__year=2017" not in page
        for sql in sql_of(captured):
            assert "DATE_TRUNC" not in sql.upper() and "django_date_trunc" not in sql
        assert any("EXISTS" in sql and "due_on" in sql for sql in sql_of(captured))

    # Within a year, the months are Django's own, over that year's rows.
    year_page = staff_client.get(changelist, {"due_on__year": "2021"}).content.decode()
    assert "due_on__month=3" in year_page


@pytest.mark.parametrize("model", ["milestone", "document"])
def test_a_search_of_milestones_or_documents_is_counted_up_to_a_limit(
    staff_client, kaltim, monkeypatch, model
):
    """Past ``SEARCH_LISTS_AT_MOST`` matches, a search of the milestones or the documents is no
    longer counted: the list holds the first that many in its order and says more matched. A
    common word's count passed over every milestone it matched on every page."""
    from agreements import paging
    from agreements.admin import DocumentAdmin, MilestoneAdmin
    from tests.factories import DocumentFactory

    monkeypatch.setattr(paging, "SEARCH_LISTS_AT_MOST", 2)
    monkeypatch.setattr(MilestoneAdmin, "list_per_page", 1)
    monkeypatch.setattr(DocumentAdmin, "list_per_page", 1)
    agreement = AgreementFactory(lead_region=kaltim)
    factory = MilestoneFactory if model == "milestone" else DocumentFactory
    for _n in range(3):
        factory(agreement=agreement, title="Rapat kerja")
    factory(agreement=agreement, title="Evaluasi tahunan")
    changelist = reverse(f"admin:agreements_{model}_changelist")

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(changelist, {"q": "rapat"})

    assert response.context["cl"].result_count == 2
    page = response.content.decode()
    assert "Lebih dari 2 hasil; yang ditampilkan 2 yang pertama menurut urutan daftar" in page
    # The keys of the first three matches in the list's order, read once; the page's row by
    # its key alone.
    (found,) = words_tested(captured)
    assert "LIMIT 3" in found
    # Two pages of one, and no third.
    assert staff_client.get(changelist, {"q": "rapat", "p": 2}).status_code == 200
    assert response.context["cl"].paginator.num_pages == 2

    # Within the limit, every match is counted and listed, and nothing more is said.
    response = staff_client.get(changelist, {"q": "evaluasi"})
    assert response.context["cl"].result_count == 1
    assert "Lebih dari" not in response.content.decode()


@pytest.mark.postgresql  # SQLite's small tables are read whole
def test_the_documents_list_is_read_from_its_index_newest_first(staff_client, kaltim):
    from tests.factories import DocumentFactory

    agreement = AgreementFactory(lead_region=kaltim)
    for _n in range(3):
        DocumentFactory(agreement=agreement)
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(reverse("admin:agreements_document_changelist"))
    listed = response.context["cl"].result_list
    assert [d.pk for d in listed] == sorted((d.pk for d in listed), reverse=True)
    (rows,) = [sql for sql in sql_of(captured) if '"agreements_document"."file"' in sql]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {rows}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "document_newest_uploaded" in plan, plan
    assert " Sort " not in plan and not plan.startswith("Sort"), plan


@pytest.mark.postgresql  # SQLite's small tables are read whole
def test_the_milestones_list_is_read_from_its_index_steps_to_do_first(staff_client, kaltim):
    """The list of steps opens on those still to do, the soonest due first, then those done
    (``MilestoneAdmin.ordering``): read from the index of that order (migration 0065), not
    sorted, at half a million steps."""
    agreement = AgreementFactory(lead_region=kaltim)
    today = datetime.date.today()
    for days in (-30, 10, 20):
        MilestoneFactory(
            agreement=agreement,
            due_on=today + datetime.timedelta(days=days),
            done_on=today if days < 0 else None,
        )
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(reverse("admin:agreements_milestone_changelist"))
    listed = response.context["cl"].result_list
    assert [step.done_on for step in listed] == [None, None, today]
    (rows,) = [sql for sql in sql_of(captured) if '"agreements_milestone"."pdln_number"' in sql]
    with connection.cursor() as cursor:
        # No sort of any kind: a few test rows may be sorted by the model's order's index and
        # then by the rest (an incremental sort), which at half a million is no cheaper.
        for method in ("sort", "incremental_sort", "seqscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute(f"EXPLAIN {rows}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "milestone_admin_to_do_first" in plan, plan
    assert " Sort " not in plan and not plan.startswith("Sort"), plan


def test_the_list_of_the_late_reads_no_steps_and_costs_what_the_list_costs(client, kaltim):
    """``?late=yes`` reads the earliest target stored with each agreement
    (``Agreement.overdue_after``): its count reads no step (on PostgreSQL, no row), its rows
    read them as the plain list's do, and it runs as many queries as the plain list. Reading
    the overdue steps, its count read a sixth of half a million milestones at 100,000
    agreements."""
    today = datetime.date.today()
    late = AgreementFactory(lead_region=kaltim, title="Kerja sama yang terlambat")
    MilestoneFactory(agreement=late, due_on=today - datetime.timedelta(days=10), done_on=None)
    on_time = AgreementFactory(lead_region=kaltim, title="Kerja sama yang tepat waktu")
    MilestoneFactory(agreement=on_time, due_on=today + datetime.timedelta(days=10), done_on=None)
    Agreement.objects.all().refresh_progress()
    client.get(reverse("agreement-list"))  # the filters' choices, kept for the next pages

    with CaptureQueriesContext(connection) as plain:
        client.get(reverse("agreement-list"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("agreement-list"), {"late": "yes"})
    page = response.content.decode()
    assert "Kerja sama yang terlambat" in page and "Kerja sama yang tepat waktu" not in page
    assert "1 kerja sama ditemukan" in page

    # The steps are read as the plain list reads them, for the rows' end dates, and no more.
    def steps_read(queries):
        return sum(sql.count('"agreements_milestone"') for sql in sql_of(queries))

    # Counted from the counts the database keeps (migration 0051), or where none are kept
    # from the agreements alone.
    counts = [sql for sql in sql_of(captured) if sql.startswith("SELECT COUNT(*)")]
    assert len(counts) == (0 if connection.vendor == "postgresql" else 1)
    assert not [sql for sql in counts if "agreements_milestone" in sql]
    assert steps_read(captured) == steps_read(plain)
    assert len(captured) == len(plain)


def test_a_page_near_the_end_of_the_list_is_read_from_the_end(client, kaltim, monkeypatch):
    from agreements import caching

    # As a list of thousands: a small one is read as a set and sorted (``read_apart``).
    monkeypatch.setattr(caching, "READ_APART_UP_TO", 0)
    base = datetime.date(2010, 1, 1)
    for n in range(55):
        signed = base + datetime.timedelta(days=30 * n)
        AgreementFactory(
            title=f"Kerja sama {n:02d}",
            lead_region=kaltim,
            signed_on=signed,
            in_force_from=signed,
            expires_on=signed + datetime.timedelta(days=3650),
        )
    for n in range(5):  # never signed: last in the list
        AgreementFactory(
            title=f"Rintisan {n}",
            lead_region=kaltim,
            status="initiative",
            signed_on=None,
            in_force_from=None,
            expires_on=None,
        )
    everything = list(
        Agreement.objects.public().order_by(*SORTS[DEFAULT_SORT]).values_list("title", flat=True)
    )

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("agreement-list"), {"page": 3}).content.decode()

    # The last ten, newest signing first and the unsigned last, exactly as paging from the
    # start would show them ...
    shown = [title for title in everything if title in page]
    assert shown == everything[50:]
    for title in everything[:50]:
        assert f">{title}<" not in page
    # ... read without skipping the fifty before them.
    rows = [q["sql"] for q in captured if q["sql"].startswith('SELECT "agreements_agreement"."id"')]
    assert len(rows) == 1
    assert "OFFSET" not in rows[0]


READS = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
# The names a query gives its own parts (``WITH RECURSIVE up(id, follows_id) AS (``).
NAMED_PARTS = re.compile(
    r'(?:WITH(?: RECURSIVE)?|,)\s*"?(\w+)"?(?:\([^)]*\))?\s+AS\s+\(', re.IGNORECASE
)


def tables_read(query):
    sql = query["sql"]
    return set(READS.findall(sql)) - set(NAMED_PARTS.findall(sql))


def test_every_cached_admin_page_reads_only_tables_whose_changes_renew_it(staff_client, db):
    """A cached admin page is used until the register version moves on; a table it reads that
    no trigger watches would leave it stale after a change there."""
    build_register()
    MilestoneFactory(agreement=Agreement.objects.first())
    allowed = watched_tables() | READER_TABLES | ESTIMATE_TABLES
    own, shared = agreement_tables()
    # An agreement's change form is kept until that agreement, one of its chain or a shared
    # table changes (``agreements.caching.agreement_version``): it may read nothing else.
    by_agreement = own | shared | READER_TABLES
    cached = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, CachedAdminPages)
    ]
    assert {type(model_admin).__name__ for model_admin in cached} >= {
        "AgreementAdmin",
        "MilestoneAdmin",
        "PartnerAdmin",
    }
    unwatched, read = {}, set()
    for model_admin in cached:
        opts = model_admin.model._meta
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
        first = model_admin.model._default_manager.first()
        if first is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
        for url in urls:
            renewing = (
                by_agreement
                if model_admin.change_form_by_agreement and url.endswith("/change/")
                else allowed
            )
            with CaptureQueriesContext(connection) as captured:
                assert staff_client.get(url).status_code == 200, url
            for query in captured:
                read |= tables_read(query)
                for table in tables_read(query) - renewing:
                    unwatched.setdefault(table, set()).add(url)
    assert {"agreements_agreement", "agreements_milestone", "partners_partner"} <= read
    assert unwatched == {}


def test_every_cached_status_page_reads_only_tables_whose_changes_renew_it(
    client, django_user_model
):
    """A status page is kept until its agreement, one of its chain or a shared table changes
    (``agreements.caching.agreement_version``): a table it reads that moves none of those
    versions would leave it stale after a change there. Read by the public and by an official,
    who also sees budgets and contact persons."""
    build_register()
    chained = Agreement.objects.filter(follows__isnull=False).first()
    MilestoneFactory(agreement=chained)
    own, shared = agreement_tables()
    assert {"agreements_agreement", "agreements_milestone", "agreements_contact"} <= own
    assert {"partners_region", "agreements_sector"} <= shared
    official = type(client)()
    official.force_login(make_official(django_user_model))
    unwatched, read = {}, set()
    for reader in (client, official):
        for agreement in Agreement.objects.public():
            url = agreement.get_absolute_url()
            with CaptureQueriesContext(connection) as captured:
                assert reader.get(url).status_code == 200, url
            for query in captured:
                read |= tables_read(query)
                for table in tables_read(query) - own - shared - READER_TABLES:
                    unwatched.setdefault(table, set()).add(url)
    assert {"agreements_agreement", "agreements_milestone", "agreements_contact"} <= read
    assert unwatched == {}


def agreement_columns(node):
    """The columns of the agreements' own table that ``node`` (a query, a condition or an
    expression, with every subquery in it) reads."""
    if isinstance(node, Query):
        yield from agreement_columns(node.where)
        for annotation in node.annotations.values():
            yield from agreement_columns(annotation)
        return
    if isinstance(node, Node):
        for child in node.children:
            yield from agreement_columns(child)
        return
    if isinstance(node, Col):
        if node.target.model is Agreement:
            yield node.target.column
        return
    for expression in getattr(node, "get_source_expressions", list)():
        if expression is not None:
            yield from agreement_columns(expression)


def test_every_filter_list_reads_only_what_moves_the_parties_version_on(
    client, monkeypatch, django_user_model
):
    """What a list's filter form offers is kept until the parties version moves on
    (``agreements.caching.parties_version``): the agreements' links, their visibility, the
    counts the database keeps and the shared tables. A list whose selection came to depend on
    anything else (an agreement's status, its dates), or lists reading another table, would
    offer stale choices after a save there. Every page with the form, read by the public and by
    an official."""
    records = build_register()
    official = type(client)()
    official.force_login(make_official(django_user_model))
    kaltim, samarinda = records["kaltim"], records["samarinda"]
    allowed = parties_tables() | agreement_tables()[1] | {"agreements_agreement"}
    assert {"agreements_agreement_partners", "agreements_agreement_agencies"} <= parties_tables()
    read = []
    offered = AgreementFilter._offered

    def reading(filterset, wanted):
        with CaptureQueriesContext(connection) as captured:
            lists = offered(filterset, wanted)
        read.append((filterset.queryset, captured.captured_queries))
        return lists

    monkeypatch.setattr(AgreementFilter, "_offered", reading)
    urls = [
        reverse("agreement-list"),
        reverse("change-log"),
        kaltim.get_absolute_url(),
        samarinda.get_absolute_url(),
        records["anhui"].get_absolute_url(),
        reverse("country-detail", args=["CN"]),
        reverse("sector-detail", args=["education"]),
    ]
    for reader in (client, official):
        for url in urls:
            assert reader.get(url).status_code == 200, url
    assert len(read) == 2 * len(urls)
    columns, tables = set(), set()
    for queryset, queries in read:
        columns |= set(agreement_columns(queryset.query))
        for query in queries:
            tables |= tables_read(query)
    assert "visibility" in columns
    assert columns <= {"id", "visibility"}
    assert {"partners_region", "partners_partner"} <= tables
    assert tables <= allowed
