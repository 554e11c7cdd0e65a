"""What the export writes, the import reads back to the same records."""

import io

import pytest

from agreements.exports import csv_chunks, iter_records, json_chunks, write_xlsx
from agreements.imports import UNCHANGED, AgreementImport
from agreements.models import Agreement
from partners.models import Partner
from tests.factories import build_register, snapshot


def delete_all_agreements():
    # Unlink the chains first: deleting a followed agreement would null ``follows`` and leave a
    # ``relation`` without it, which the database refuses.
    Agreement.objects.update(follows=None, relation="")
    Agreement.objects.all().delete()


def page_url(pk):
    return f"http://testserver/kerja-sama/{pk}/"


def exported(file_format):
    records = iter_records(Agreement.objects.all(), page_url, readable=Agreement.objects.all())
    if file_format == "csv":
        return io.BytesIO("".join(csv_chunks(records)).encode("utf-8")), "kerjasama.csv"
    if file_format == "json":
        return io.BytesIO("".join(json_chunks(records)).encode("utf-8")), "kerjasama.json"
    return write_xlsx(records), "kerjasama.xlsx"


@pytest.fixture
def register(db):
    return build_register()


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export_then_delete_everything_then_import_gives_back_equal_records(register, file_format):
    before = snapshot()
    file, name = exported(file_format)
    delete_all_agreements()

    with file:
        plan = AgreementImport.from_file(file, name).apply()

    assert plan.is_valid, [(row.number, row.errors) for row in plan.rejected]
    assert plan.counts["create"] == len(before)
    assert snapshot() == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_reimporting_an_export_changes_nothing_and_adds_no_history(register, file_format):
    before = snapshot()
    history = Agreement.history.count()
    file, name = exported(file_format)

    with file:
        plan = AgreementImport.from_file(file, name).apply()

    assert plan.is_valid
    assert {row.action for row in plan.rows} == {UNCHANGED}
    assert snapshot() == before
    assert Agreement.history.count() == history


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export_then_wipe_agreements_and_partners_then_import_gives_back_the_same_register(
    register, file_format
):
    before = snapshot()
    partners = sorted(
        Partner.objects.values_list("name", "name_local", "country", "subdivision", "kind")
    )
    file, name = exported(file_format)
    delete_all_agreements()
    Partner.objects.all().delete()

    with file:
        plan = AgreementImport.from_file(file, name).apply()

    assert plan.is_valid, [(row.number, row.errors) for row in plan.rejected]
    assert snapshot() == before
    assert (
        sorted(Partner.objects.values_list("name", "name_local", "country", "subdivision", "kind"))
        == partners
    )
