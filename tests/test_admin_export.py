"""Export of the agreements ticked in the admin's list: the list pages' files, of exactly the
ticked rows the user may download."""

import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import RegionAssignment, Role
from agreements.export_columns import COLUMN_NAMES, unneutralise
from agreements.models import Agreement
from tests.factories import FORMULA_TITLE, AgreementFactory, ProvinceFactory
from tests.helpers import logged_in, more_matches_than_listed
from tests.test_export import download, rows_of

CHANGELIST = reverse("admin:agreements_agreement_changelist")
FORMATS = ["csv", "xlsx", "json"]


@pytest.fixture
def register(register_kept_for_the_module):
    """The register, written once for this module's tests."""
    return register_kept_for_the_module


@pytest.fixture
def roles(db):
    from django.core.management import call_command

    call_command("setup_roles", verbosity=0)


def role_user(django_user_model, username, role, regions=()):
    user = django_user_model.objects.create_user(
        username=username, password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    for region in regions:
        RegionAssignment.objects.create(user=user, region=region)
    return user


def export_ticked(client, file_format, agreements, url=CHANGELIST, **extra):
    """Tick ``agreements`` in the admin's list at ``url`` and choose the export to
    ``file_format``; the response, read whole."""
    response = client.post(
        url,
        {
            "action": f"export_{file_format}",
            "_selected_action": [agreement.pk for agreement in agreements],
            **extra,
        },
    )
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def titles(response, file_format):
    return sorted(unneutralise(row["title"]) for row in rows_of(response, file_format))


def test_the_list_offers_the_export_of_a_selection_and_says_what_it_leaves_out(
    staff_client, register
):
    page = staff_client.get(CHANGELIST).content.decode()

    for file_format in ("CSV", "XLSX", "JSON"):
        assert f"Ekspor kerja sama terpilih ke {file_format}" in page
    assert 'class="help export-note"' in page
    assert "berkas dokumen" in page  # what no download holds


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_member_of_staff_downloads_exactly_the_ticked_agreements(
    staff_client, register, file_format
):
    ticked = [register["anhui_mou"], register["formula"], register["campus"]]

    response = export_ticked(staff_client, file_format, ticked)

    assert response.status_code == 200, response.body[:500]
    assert response.streaming
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="coopdb-kerjasama-pilihan-')
    assert disposition.endswith(f'.{file_format}"')
    # An administrator downloads internal records too (the campus PKS).
    assert titles(response, file_format) == sorted(agreement.title for agreement in ticked)


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_selection_has_the_columns_of_the_list_downloads_and_is_formula_safe(
    staff_client, register, file_format
):
    listed = download(
        staff_client, reverse("agreement-export", kwargs={"file_format": file_format})
    )
    listed_columns = list(rows_of(listed, file_format)[0])

    response = export_ticked(staff_client, file_format, [register["formula"]])

    [row] = rows_of(response, file_format)
    assert list(row) == listed_columns
    assert set(COLUMN_NAMES) <= set(row)  # budget and contacts included, as for staff
    # A spreadsheet shows the title, never runs it; JSON holds it as it is.
    assert row["title"] == (FORMULA_TITLE if file_format == "json" else "'" + FORMULA_TITLE)


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_editor_downloads_the_public_ones_of_their_ticked_rows(
    client, django_user_model, roles, register, file_format
):
    """docs/roles.md: an editor downloads public records, their own internal ones included
    no more than anyone else's; the file (JSON) and the list say so."""
    editor = role_user(django_user_model, "editor.kaltim", Role.EDITOR, [register["kaltim"]])
    ticked = [register["anhui_mou"], register["campus"], register["sister_city"]]
    # Posted besides: Kalteng's agreement, which their list does not show.
    posted = [*ticked, register["formula"]]

    response = export_ticked(logged_in(editor), file_format, posted)

    assert response.status_code == 200, response.body[:500]
    assert titles(response, file_format) == [register["anhui_mou"].title]
    if file_format == "json":
        note = json.loads(response.body)["note"]
        assert "Kerja sama internal" in note and "tidak ikut diunduh" in note
    page = logged_in(editor).get(CHANGELIST).content.decode()
    assert "<strong>Kerja sama internal" in page


def test_an_official_reading_the_admin_exports_the_public_ticked_rows(
    django_user_model, roles, register
):
    official = role_user(django_user_model, "pejabat.sekda", Role.OFFICIAL)
    ticked = [register["anhui_mou"], register["campus"]]

    response = export_ticked(logged_in(official), "csv", ticked)

    assert response.status_code == 200, response.body[:500]
    assert titles(response, "csv") == [register["anhui_mou"].title]


def test_selecting_every_row_of_a_filtered_list_exports_that_list(staff_client, register):
    response = export_ticked(
        staff_client,
        "csv",
        [register["formula"]],
        select_across="1",
        url=f"{CHANGELIST}?scope=ksdd",
    )

    assert response.status_code == 200
    assert titles(response, "csv") == sorted(
        Agreement.objects.filter(scope="ksdd").values_list("title", flat=True)
    )


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_export_of_a_selection_costs_the_same_queries_for_two_rows_as_for_twelve(
    staff_client, register, file_format
):
    many = [register["anhui_mou"], register["formula"], *AgreementFactory.create_batch(10)]

    def queries(ticked):
        with CaptureQueriesContext(connection) as captured:
            response = export_ticked(staff_client, file_format, ticked)
        assert response.status_code == 200
        assert len(rows_of(response, file_format)) == len(ticked)
        return len(captured)

    queries(many[:2])  # the session and the user read once before counting
    assert queries(many) == queries(many[:2])


def test_an_export_posted_with_nothing_ticked_writes_no_file(staff_client, register):
    # As the list's action bar posts it: the action, the bar's index, no row ticked.
    response = staff_client.post(CHANGELIST, {"action": "export_csv", "index": "0"}, follow=True)

    assert response.redirect_chain == [(CHANGELIST, 302)]
    assert "Content-Disposition" not in response
    assert 'class="messagelist"' in response.content.decode()  # tick rows first


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_ticked_rows_are_downloaded_in_the_lists_order(staff_client, register, file_format):
    """The list sorted by title, Z first (its header's ``o=-1``): the file's rows in that
    order, as the list pages' downloads keep theirs."""
    url = f"{CHANGELIST}?o=-1"
    listed = list(staff_client.get(url).context["cl"].result_list)
    assert len(listed) > 2

    response = export_ticked(staff_client, file_format, listed, url=url)

    assert response.status_code == 200
    rows = rows_of(response, file_format)
    assert [unneutralise(row["title"]) for row in rows] == [a.title for a in listed]


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_ticked_rows_sorted_by_lead_region_are_downloaded_in_the_lists_order(
    staff_client, register, file_format
):
    """The list sorted by lead region (its header's ``o=5``) lists the regions by their code, as
    the region's own order says: on PostgreSQL, where the export's query numbers the rows
    itself, the file followed the regions' keys instead, and a province recorded before
    another with a lower code came first."""
    papua = ProvinceFactory(code="95", name="Papua Pegunungan")
    riau = ProvinceFactory(code="14", name="Riau")
    assert papua.pk < riau.pk
    ticked = [
        AgreementFactory(title="Kerja sama Papua Pegunungan", lead_region=papua),
        AgreementFactory(title="Kerja sama Riau", lead_region=riau),
    ]
    url = f"{CHANGELIST}?o=5"
    listed = [a for a in staff_client.get(url).context["cl"].result_list if a in ticked]
    assert [a.title for a in listed] == ["Kerja sama Riau", "Kerja sama Papua Pegunungan"]

    response = export_ticked(staff_client, file_format, listed, url=url)

    assert response.status_code == 200
    rows = rows_of(response, file_format)
    assert [unneutralise(row["title"]) for row in rows] == [a.title for a in listed]


def test_every_row_of_a_search_past_the_limit_exports_the_rows_it_lists(
    staff_client, register, monkeypatch
):
    """A search matching more than a list holds lists the most recently signed of them
    (``SearchPaginator``), and "select all" offers that many: the file holds those, not
    every match."""
    more_matches_than_listed(monkeypatch, register["kaltim"])
    url = f"{CHANGELIST}?q=nelayan"
    cl = staff_client.get(url).context["cl"]
    assert cl.result_count == 2

    response = export_ticked(
        staff_client, "csv", list(cl.result_list)[:1], select_across="1", url=url
    )

    assert response.status_code == 200
    assert titles(response, "csv") == ["Pelatihan nelayan 2021", "Pelatihan nelayan 2023"]
