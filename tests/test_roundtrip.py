"""What the export writes, the import reads back to the same records."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from agreements.exports import csv_chunks, iter_records, json_chunks, write_xlsx
from agreements.imports import UNCHANGED, AgreementImport
from agreements.models import (
    Agreement,
    Contact,
    Document,
    Milestone,
    Potential,
    PotentialSurvey,
    Signatory,
)
from partners.models import Partner
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    snapshot,
)


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
def register(register_kept_for_the_module):
    """The register, written once for this module's tests."""
    return register_kept_for_the_module


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


# -- every table --------------------------------------------------------------------------------
#
# The XLSX (a sheet per table) and the JSON export (a list per table) of the whole register, as
# an administrator downloads it, imported into a register wiped of everything the file holds:
# every table comes back the same.


@pytest.fixture
def whole_register(register):
    """The register with a record in every table the files carry."""
    anhui_mou, sister_city = register["anhui_mou"], register["sister_city"]
    MilestoneFactory(
        agreement=sister_city,
        kind="exploration",
        title="Kunjungan ke Hefei",
        due_on=None,
        # After the plan was proposed (23 April 2024), as every step of it.
        done_on=datetime.date(2024, 5, 1),
        done_on_precision="month",
        notes="Bertemu wali kota;\nmembahas pariwisata.",
        pdln_number="'=PDLN/2024/7",
    )
    MilestoneFactory(
        agreement=anhui_mou,
        kind="activity",
        title="Beasiswa guru",
        due_on=None,
        done_on=datetime.date(2025, 1, 5),
    )  # a second milestone of that title
    MilestoneFactory(
        agreement=anhui_mou,
        kind="evaluation",
        title="Monev 2025",
        done_on=datetime.date(2025, 7, 1),
        due_on=None,
        rating=4,
        findings="Berjalan baik.",
    )
    DocumentFactory(agreement=anhui_mou, title="Naskah MoU Anhui", language="id+en")
    DocumentFactory(agreement=sister_city, title="Surat minat", kind="draft", language="zh")
    register["hefei"].parent = register["anhui"]
    register["hefei"].website = "https://contoh.invalid/hefei"
    # Former names with the cell separator, a formula's first character and a backslash in
    # them, in Latin script and in its own.
    register["hefei"].former_names = "Luzhou; kota lama\n=Hefei 1949\n廬州府 \\ Luzhou"
    register["hefei"].save()
    survey = PotentialSurvey.objects.create(
        title="Rakor identifikasi potensi Kaltim 2021",
        held_on=datetime.date(2021, 6, 8),
        host_region=register["kaltim"],
        organiser="Biro Pemerintahan",
        summary="Potensi kabupaten dan kota.",
    )
    survey.participants.set([register["kaltim"], register["samarinda"]])
    Potential.objects.create(
        region=register["samarinda"],
        sector=register["tourism"],
        title="Wisata tepian Mahakam",
        description="Dermaga; kuliner.",
        survey=survey,
    )
    Potential.objects.create(
        region=register["bali"], sector=register["trade"], title="Kopi Kintamani"
    )
    return register


def every_table():
    """Every table the files carry, as comparable values, without ids."""
    documents = sorted(
        # Uploaded: to the second, as the files write it.
        (
            d.agreement.title,
            d.title,
            d.kind,
            d.language,
            d.file.name,
            d.uploaded_at.replace(microsecond=0),
        )
        for d in Document.objects.select_related("agreement")
    )
    return {
        "agreements and their parties": snapshot(),
        # What the bureau records beyond the parties: English words, signing, the Treaty Room,
        # the budget and the implementing agencies.
        "agreement details": sorted(
            (
                a.title,
                a.title_en,
                a.summary_en,
                a.signing_place,
                a.treaty_room_reference,
                a.treaty_room_url,
                a.budget_amount,
                a.budget_currency,
                a.budget_source,
                sorted((agency.region.code, agency.name) for agency in a.agencies.all()),
            )
            for a in Agreement.objects.prefetch_related("agencies__region")
        ),
        "signatories": sorted(
            (s.agreement.title, str(s.party), s.name, s.office)
            for s in Signatory.objects.select_related("agreement")
        ),
        "contacts": sorted(
            (c.agreement.title, str(c.party), c.name, c.office, c.email, c.phone)
            for c in Contact.objects.select_related("agreement")
        ),
        "milestones": sorted(
            (
                m.agreement.title,
                m.kind,
                m.title,
                str(m.known("due_on") and m.known("due_on").iso),
                str(m.known("done_on") and m.known("done_on").iso),
                m.waits_on,
                m.mark,
                m.rating,
                m.findings,
                m.notes,
                m.pdln_number,
            )
            for m in Milestone.objects.select_related("agreement")
        ),
        "documents": documents,
        "partners": sorted(
            (
                p.name,
                p.name_local,
                p.country_id,
                p.subdivision_id or "",
                p.kind,
                p.parent.name if p.parent else "",
                p.website,
                p.former_names,
            )
            for p in Partner.objects.select_related("parent")
        ),
        "potentials": sorted(
            (p.region.code, p.sector.slug, p.title, p.description, str(p.survey))
            for p in Potential.objects.select_related("region", "sector", "survey")
        ),
        "surveys": sorted(
            (
                s.title,
                s.held_on,
                s.host_region.code,
                sorted(r.code for r in s.participants.all()),
                s.organiser,
                s.summary,
                s.source_url,
            )
            for s in PotentialSurvey.objects.select_related("host_region")
        ),
    }


def downloaded(client, file_format):
    response = client.get(reverse("agreement-export", args=[file_format]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def wipe_everything_the_file_holds():
    delete_all_agreements()  # and with them their milestones and documents
    Potential.objects.all().delete()
    PotentialSurvey.objects.all().delete()
    Partner.objects.update(parent=None)
    Partner.objects.all().delete()


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_export_wipe_import_gives_back_every_table(client, whole_register, staff_user, file_format):
    client.force_login(staff_user)
    before = every_table()
    assert all(before.values()), before
    data = downloaded(client, file_format)
    wipe_everything_the_file_holds()

    plan = AgreementImport.from_file(io.BytesIO(data), f"kerjasama.{file_format}").apply()

    assert plan.is_valid, (plan.rejected, plan.rejected_table_rows)
    assert [name for name, _counts in plan.table_counts()] == [
        "partners",
        "surveys",
        "potentials",
        "milestones",
        "documents",
    ]
    assert every_table() == before


def test_the_partners_former_names_are_written_as_several_values(
    client, whole_register, staff_user
):
    client.force_login(staff_user)
    partners = json.loads(downloaded(client, "json"))["partners"]

    (hefei,) = [partner for partner in partners if partner["name"] == "Kota Hefei"]
    assert hefei["former_names"] == ["Luzhou; kota lama", "=Hefei 1949", "廬州府 \\ Luzhou"]
    assert {partner["former_names"] == [] for partner in partners if partner is not hefei} == {True}


def test_a_partners_sheet_without_former_names_leaves_them_as_stored(
    client, whole_register, staff_user
):
    """A file downloaded before the column was (or a sheet of partners that leaves it out)
    changes none of the former names the register holds."""
    client.force_login(staff_user)
    data = json.loads(downloaded(client, "json"))
    for partner in data["partners"]:
        del partner["former_names"]
    before = every_table()

    plan = AgreementImport.from_file(
        io.BytesIO(json.dumps(data).encode()), "kerjasama.json"
    ).apply()

    assert plan.is_valid, plan.rejected_table_rows
    assert dict(plan.table_counts())["partners"]["unchanged"] == len(data["partners"])
    assert every_table() == before


def test_former_names_changed_in_the_file_update_the_partner_with_a_version(
    client, whole_register, staff_user
):
    client.force_login(staff_user)
    data = json.loads(downloaded(client, "json"))
    (hefei,) = [partner for partner in data["partners"] if partner["name"] == "Kota Hefei"]
    hefei["former_names"] = ["Luzhou", "Luzhou", " "]
    versions = Partner.history.filter(name="Kota Hefei").count()

    plan = AgreementImport.from_file(
        io.BytesIO(json.dumps(data).encode()), "kerjasama.json"
    ).apply()

    assert plan.is_valid, plan.rejected_table_rows
    assert dict(plan.table_counts())["partners"]["update"] == 1
    assert Partner.objects.get(name="Kota Hefei").former_names == "Luzhou"
    assert Partner.history.filter(name="Kota Hefei").count() == versions + 1


def test_former_names_the_partners_sheet_could_not_write_in_one_cell_are_rejected(
    client, whole_register, staff_user
):
    """Names that fit a cell one a line but not joined by "; " (31,499 characters against
    40,498) would be downloaded cut: the import refuses them as the partner form does."""
    client.force_login(staff_user)
    data = json.loads(downloaded(client, "json"))
    (hefei,) = [partner for partner in data["partners"] if partner["name"] == "Kota Hefei"]
    hefei["former_names"] = [f"a;{number:04d}" for number in range(4500)]
    before = every_table()

    plan = AgreementImport.from_file(io.BytesIO(json.dumps(data).encode()), "kerjasama.json").plan()

    assert not plan.is_valid
    (row,) = plan.rejected_table_rows
    assert any("menjadi 40.498 karakter, paling banyak 32.767" in error for error in row.errors)
    assert every_table() == before


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_importing_the_whole_export_again_changes_nothing(
    client, whole_register, staff_user, file_format
):
    client.force_login(staff_user)
    before = every_table()
    data = downloaded(client, file_format)
    history = Milestone.history.count() + Partner.history.count() + Document.history.count()

    plan = AgreementImport.from_file(io.BytesIO(data), f"kerjasama.{file_format}").apply()

    assert plan.is_valid
    for table, counts in plan.table_counts():
        assert counts["unchanged"] > 0 and counts["unchanged"] == sum(counts.values()), table
    assert every_table() == before
    assert Milestone.history.count() + Partner.history.count() + Document.history.count() == (
        history
    )


def test_importing_the_export_again_keeps_a_parent_the_export_could_not_name(
    client, whole_register, staff_user
):
    """A partner's parent that is party to no agreement is named in no download (as
    ``Partner.visible_to`` reads it): the empty cell of a file downloaded and uploaded again
    says nothing of it, so the parent stays as stored, where it was taken away."""
    hefei = whole_register["hefei"]
    province = PartnerFactory(name="Pemerintah Provinsi Anhui (lama)", country=hefei.country)
    hefei.parent = province
    hefei.save()
    client.force_login(staff_user)
    data = downloaded(client, "json")
    (row,) = [p for p in json.loads(data)["partners"] if p["name"] == hefei.name]
    assert row["parent_name"] == ""

    plan = AgreementImport.from_file(io.BytesIO(data), "kerjasama.json").apply()

    assert plan.is_valid, plan.rejected_table_rows
    assert dict(plan.table_counts())["partners"]["update"] == 0
    hefei.refresh_from_db()
    assert hefei.parent == province


def test_the_admin_previews_then_confirms_every_sheet_of_the_xlsx(
    client, whole_register, staff_user
):
    client.force_login(staff_user)
    before = every_table()
    data = downloaded(client, "xlsx")
    wipe_everything_the_file_holds()
    url = reverse("admin:agreements_agreement_import")

    upload = SimpleUploadedFile("kerjasama.xlsx", data)
    preview = client.post(url, {"file": upload})

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Lembar lain berkas ini" in page
    assert "milestones" in page and "potentials" in page
    assert every_table()["milestones"] == []  # nothing written yet
    confirmed = client.post(url, {"token": preview.context["token"]})
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    assert every_table() == before


def test_a_milestone_of_an_agreement_neither_stored_nor_in_the_file_refuses_the_whole_file(
    client, whole_register, staff_user
):
    client.force_login(staff_user)
    data = json.loads(downloaded(client, "json"))
    data["milestones"][0]["agreement_reference"] = "tidak/ada/2099"
    data["milestones"][0]["agreement_title"] = "Tidak ada"
    before = every_table()
    wipe_everything_the_file_holds()

    plan = AgreementImport.from_file(io.BytesIO(json.dumps(data).encode()), "x.json").apply()

    assert not plan.is_valid
    (row,) = plan.rejected_table_rows
    assert (row.table, row.number) == ("milestones", 2)
    assert "tidak/ada/2099" in row.errors[0]
    assert Agreement.objects.count() == 0
    assert before["milestones"]


def test_an_editor_may_change_only_the_potentials_of_their_own_regions(
    client, whole_register, staff_user, editor_bali
):
    client.force_login(staff_user)
    potentials = json.loads(downloaded(client, "json"))["potentials"]
    for potential in potentials:
        potential["description"] = "Diubah."
    own = {"title": "Promosi Bali", "kind": "mou", "scope": "ksdd", "lead_region_code": "51"}
    content = json.dumps({"agreements": [own], "potentials": potentials}).encode()
    client.force_login(editor_bali)

    response = client.post(
        reverse("admin:agreements_agreement_import"),
        {"file": SimpleUploadedFile("x.json", content, content_type="application/json")},
    )

    refused = {
        potentials[row["number"] - 2]["region_code"] for row in response.context["table_rejections"]
    }
    assert refused == {"64.72"}  # Samarinda's; Bali's is the editor's own
    assert response.context["token"] is None
    assert not Potential.objects.filter(description="Diubah.").exists()


@pytest.mark.postgresql  # the benchmark's reference is PostgreSQL's COPY
def test_the_benchmarks_json_copy_holds_every_table_the_json_export_holds(
    client, whole_register, staff_user
):
    """The benchmark holds the full JSON export to a plain COPY of the same rows (``bench/``):
    the JSON holds a list per table, so the COPY copies every table too, from the queries the
    export reads it with, as many rows of each as the export writes."""
    from bench import copy_reference

    client.force_login(staff_user)
    exported = json.loads(downloaded(client, "json"))
    copied = {}
    for table, sqls in copy_reference.table_sqls().items():
        copied[table] = copy_reference.copy(sqls)[1].lines

    assert set(copied) == set(exported) - {"note", "agreements"}
    assert copied == {table: len(exported[table]) for table in copied}
    assert all(copied.values())  # every table has rows, so a table copied from nothing shows


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_importing_a_download_again_keeps_the_internal_text_it_could_not_name(
    client, editor_kaltim, kaltim, file_format
):
    """An editor's download holds the public records only and names no internal text a public
    one continues: its ``follows`` and ``relation`` cells are empty, as they would be for a
    text that continues none. Uploaded again, those empty cells say nothing of the internal
    text: the public one still continues it, as a partner's parent no download could name
    stays."""
    mou = AgreementFactory(
        title="Kesepakatan Bersama yang belum diumumkan",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    pks = AgreementFactory(
        title="Perjanjian Kerja Sama pelaksanaan",
        kind=Agreement.Kind.PKS,
        lead_region=kaltim,
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    client.force_login(editor_kaltim)
    data = downloaded(client, file_format)
    assert mou.title.encode() not in data

    plan = AgreementImport.from_file(io.BytesIO(data), f"kerjasama.{file_format}").apply()

    assert plan.is_valid, [(row.number, row.errors) for row in plan.rejected]
    assert {row.action for row in plan.rows} == {UNCHANGED}
    pks.refresh_from_db()
    assert (pks.follows_id, pks.relation) == (mou.pk, Agreement.Relation.IMPLEMENTS)


def test_importing_a_download_again_keeps_a_parent_of_internal_agreements_only(
    client, register, editor_kaltim
):
    """A partner's parent party to internal agreements only is named in no public download
    (an editor's or an official's included), as ``Partner.visible_to`` reads it for them: the
    empty cell of such a file uploaded again says nothing of it, and the parent stays."""
    anhui = register["anhui"]
    province = PartnerFactory(name="Pemerintah Provinsi Anhui (induk)", country=anhui.country)
    AgreementFactory(
        title="Kerja sama yang belum diumumkan",
        scope="ksdpl",
        lead_region=register["kaltim"],
        partners=[province],
        visibility=Agreement.Visibility.INTERNAL,
    )
    anhui.parent = province
    anhui.save()
    client.force_login(editor_kaltim)
    data = downloaded(client, "json")
    (row,) = [p for p in json.loads(data)["partners"] if p["name"] == anhui.name]
    assert row["parent_name"] == ""

    plan = AgreementImport.from_file(io.BytesIO(data), "kerjasama.json").apply()

    assert plan.is_valid, plan.rejected_table_rows
    assert dict(plan.table_counts())["partners"]["update"] == 0
    anhui.refresh_from_db()
    assert anhui.parent == province


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_importing_the_publics_download_again_keeps_when_a_document_was_uploaded(
    client, kaltim, file_format
):
    """A signed text uploaded in March 2021 while its agreement was kept internal, the
    agreement published since: the public's download says the text is there since the
    publication. Imported back, as a clerk may take a download from the public site, the
    document keeps its upload in March 2021 and the row changes nothing."""
    agreement = AgreementFactory(
        title="Kesepakatan Bersama yang diumumkan kemudian",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    document = DocumentFactory(agreement=agreement, title="Naskah yang ditandatangani")
    uploaded = datetime.datetime(2021, 3, 4, 9, 30, tzinfo=datetime.UTC)
    Document.objects.filter(pk=document.pk).update(uploaded_at=uploaded)
    agreement.refresh_from_db()
    agreement.visibility = Agreement.Visibility.PUBLIC
    agreement.save()
    data = downloaded(client, file_format)
    assert b"2021-03-04" not in data

    plan = AgreementImport.from_file(io.BytesIO(data), f"kerjasama.{file_format}").apply()

    assert plan.is_valid, [(row.number, row.errors) for row in plan.rejected]
    document.refresh_from_db()
    assert document.uploaded_at == uploaded
    assert dict(plan.table_counts())["documents"]["unchanged"] == 1


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_importing_the_publics_download_again_finds_the_files_it_names_without_their_year(
    client, kaltim, file_format
):
    """Two texts stored as "naskah.pdf" in the folders of 2021 and 2022 while their agreement
    was kept internal, the agreement published since: the public's download names each
    without its year's folder. Imported back, each row is its own document again, by its
    title, and nothing changes."""
    agreement = AgreementFactory(
        title="Kesepakatan Bersama yang diumumkan kemudian",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    stored = {}
    for year, title in (
        (2022, "Adendum yang ditandatangani"),
        (2021, "Naskah yang ditandatangani"),
    ):
        document = DocumentFactory(agreement=agreement, title=title)
        Document.objects.filter(pk=document.pk).update(
            uploaded_at=datetime.datetime(year, 3, 4, 9, 30, tzinfo=datetime.UTC),
            file=f"documents/{year}/naskah.pdf",
        )
        stored[title] = f"documents/{year}/naskah.pdf"
    agreement.refresh_from_db()
    agreement.visibility = Agreement.Visibility.PUBLIC
    agreement.save()
    data = downloaded(client, file_format)
    if file_format == "json":
        named = [row["file"] for row in json.loads(data)["documents"]]
    else:
        rows = list(load_workbook(io.BytesIO(data), read_only=True)["documents"].values)
        named = [row[rows[0].index("file")] for row in rows[1:]]
    assert named == ["naskah.pdf", "naskah.pdf"]

    plan = AgreementImport.from_file(io.BytesIO(data), f"kerjasama.{file_format}").apply()

    assert plan.is_valid, [(row.number, row.errors) for row in plan.rejected]
    assert dict(plan.table_counts())["documents"]["unchanged"] == 2
    assert {d.title: d.file.name for d in agreement.documents.all()} == stored


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_download_imported_again_warns_of_no_label_and_an_edited_one_is_warned_of(
    client, whole_register, staff_user, language
):
    """Every label of a download, in the language it was taken in, names the value beside it:
    no warning. A milestone's kind_label changed alone is not read, and the preview says so at
    its sheet and row, naming the column to change."""
    client.force_login(staff_user)
    client.cookies["django_language"] = language
    data = json.loads(downloaded(client, "json"))
    labels = {m["kind_label"] for m in data["milestones"]}
    assert ("Signing" in labels) == (language == "en"), labels
    plan = AgreementImport.from_file(io.BytesIO(json.dumps(data).encode()), "k.json").plan()
    assert [r.warnings for r in plan.rows if r.warnings] == []
    assert plan.warned_table_rows == []

    milestone = data["milestones"][0]
    milestone["kind_label"] = "Penandatanganan" if milestone["kind"] != "signing" else "Inisiatif"
    # The preview in the clerk's language.
    with translation.override(language):
        plan = AgreementImport.from_file(io.BytesIO(json.dumps(data).encode()), "k.json").plan()
    (warned,) = plan.warned_table_rows
    assert (warned.table, warned.number, warned.action) == ("milestones", 2, UNCHANGED)
    (warning,) = warned.warnings
    said = {
        "id": (
            "Kolom kind_label (“",
            f"tidak sesuai dengan kolom kind (“{milestone['kind']}”) dan tidak dibaca saat impor: "
            "yang disimpan adalah nilai kolom kind. Untuk mengubahnya, ubah kolom kind.",
        ),
        "en": (
            "Column kind_label (“",
            f"does not match column kind (“{milestone['kind']}”) and is not read on import: "
            "what is stored is the value of column kind. To change it, change column kind.",
        ),
    }[language]
    assert warning.startswith(said[0]) and warning.endswith(said[1]), warning
