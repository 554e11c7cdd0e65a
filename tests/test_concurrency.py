"""No lost updates: when two people edit the same agreement, the second save is refused with a
message saying who changed what and when, and nothing of it is written; the first one stays."""

import contextlib
import datetime
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, transaction
from django.db.models.signals import m2m_changed
from django.urls import reverse

from agreements.models import Agreement, ChangedMeanwhile, Milestone
from tests.factories import AgreementFactory, DocumentFactory, MilestoneFactory
from tests.helpers import (
    agreement_form_data,
    change_url,
    form_errors,
    logged_in,
    run_at_once,
    with_existing_milestone,
    with_new_milestone,
)

IMPORT = reverse("admin:agreements_agreement_import")


@pytest.fixture
def agreement(kaltim):
    return AgreementFactory(
        title="MoU Kaltim–Anhui", reference="KT/1", summary="Ringkasan awal", lead_region=kaltim
    )


@pytest.fixture
def siti(django_user_model, editor_kaltim, kaltim):
    """A second editor of Kalimantan Timur, working on the same records."""
    from django.contrib.auth.models import Group

    from access.models import RegionAssignment

    user = django_user_model.objects.create_user(
        username="siti.kaltim", password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editor"))
    RegionAssignment.objects.create(user=user, region=kaltim)
    return user


def loaded_form(client, agreement):
    """Open the change form as a browser would; the data it would post, as loaded."""
    response = client.get(change_url(agreement))
    assert response.status_code == 200
    version = re.search(r'name="loaded_version" value="(\d+)"', response.content.decode())
    assert version, "the change form carries the version it was loaded with"
    stored = response.context["original"]
    return agreement_form_data(stored, loaded_version=version.group(1))


def non_field_errors(response):
    return [str(error) for error in response.context["adminform"].form.non_field_errors()]


# -- in the admin -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_of_two_concurrent_edits_is_refused_naming_who_changed_what(
    agreement, editor_kaltim, siti
):
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    first = loaded_form(editor, agreement)
    second = loaded_form(other, agreement)

    saved = editor.post(change_url(agreement), {**first, "title": "MoU Kaltim–Anhui 2025"})
    assert saved.status_code == 302, form_errors(saved)
    records = agreement.history.count()

    second = with_new_milestone(
        {**second, "summary": "Ringkasan Siti"},
        kind="activity",
        title="Pameran yang ditambahkan Siti",
        due_on="2030-01-01",
    )
    refused = other.post(change_url(agreement), second)

    assert refused.status_code == 200
    [message] = non_field_errors(refused)
    assert "sudah diubah oleh editor.kaltim" in message
    assert "yang berubah: Judul." in message
    assert "Perubahan Anda tidak disimpan" in message
    assert message in refused.content.decode()
    # The first edit is kept; nothing of the second is written, its inline row included.
    agreement.refresh_from_db()
    assert agreement.title == "MoU Kaltim–Anhui 2025"
    assert agreement.summary == "Ringkasan awal"
    assert agreement.version == 2
    assert not Milestone.objects.exists()
    assert agreement.history.count() == records


@pytest.mark.django_db
def test_refused_form_marks_each_field_changed_meanwhile(agreement, editor_kaltim, siti):
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    first, second = loaded_form(editor, agreement), loaded_form(other, agreement)
    editor.post(change_url(agreement), {**first, "title": "Judul baru", "status": "terminated"})

    refused = other.post(change_url(agreement), {**second, "summary": "Ringkasan Siti"})

    errors = refused.context["adminform"].form.errors
    marker = ["Diubah orang lain sejak Anda membuka formulir ini."]
    assert errors["title"] == marker
    assert errors["status"] == marker
    assert "summary" not in errors
    assert "Judul, Status" in non_field_errors(refused)[0]


@pytest.mark.django_db
def test_after_reloading_the_second_editor_saves_on_top_of_the_first(
    agreement, editor_kaltim, siti
):
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    first = loaded_form(editor, agreement)
    editor.post(change_url(agreement), {**first, "title": "Judul baru"})

    reloaded = loaded_form(other, agreement)
    saved = other.post(change_url(agreement), {**reloaded, "summary": "Ringkasan Siti"})

    assert saved.status_code == 302, form_errors(saved)
    agreement.refresh_from_db()
    assert (agreement.title, agreement.summary, agreement.version) == (
        "Judul baru",
        "Ringkasan Siti",
        3,
    )


@pytest.mark.django_db
def test_a_form_saved_as_it_was_opened_writes_nothing_and_refuses_no_colleague(
    agreement, editor_kaltim, siti, client
):
    """The editor opens the agreement and presses "Simpan" to leave it: no version, no entry
    in the public change log, and Siti, who opened it meanwhile, keeps her change rather than
    being told it "was changed by editor.kaltim" when nothing was."""
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    first, second = loaded_form(editor, agreement), loaded_form(other, agreement)
    records = agreement.history.count()

    left = editor.post(change_url(agreement), first)

    assert left.status_code == 302, form_errors(left)
    agreement.refresh_from_db()
    assert (agreement.version, agreement.history.count()) == (1, records)
    changes = client.get(reverse("change-log")).content.decode()
    assert "Disimpan tanpa perubahan" not in changes
    saved = other.post(change_url(agreement), {**second, "summary": "Ringkasan Siti"})
    assert saved.status_code == 302, form_errors(saved) or non_field_errors(saved)
    agreement.refresh_from_db()
    assert (agreement.summary, agreement.version) == ("Ringkasan Siti", 2)


@pytest.mark.django_db
def test_change_form_posted_without_its_version_is_refused(agreement, editor_kaltim):
    editor = logged_in(editor_kaltim)
    data = loaded_form(editor, agreement)
    del data["loaded_version"]

    refused = editor.post(change_url(agreement), {**data, "title": "Tanpa versi"})

    assert refused.status_code == 200
    assert "tidak membawa versi" in non_field_errors(refused)[0]
    agreement.refresh_from_db()
    assert agreement.title == "MoU Kaltim–Anhui"


@pytest.mark.django_db
def test_a_change_made_only_in_an_inline_also_moves_the_version_on(agreement, editor_kaltim, siti):
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    first, second = loaded_form(editor, agreement), loaded_form(other, agreement)
    added = editor.post(
        change_url(agreement),
        with_new_milestone(
            first, kind="activity", title="Pameran", due_on=datetime.date(2030, 1, 1)
        ),
    )
    assert added.status_code == 302, form_errors(added)

    refused = other.post(change_url(agreement), {**second, "title": "Judul Siti"})

    assert refused.status_code == 200
    # What changed is named: the steps, not "maybe its steps or documents".
    assert "yang berubah: Tahapan." in non_field_errors(refused)[0]
    agreement.refresh_from_db()
    assert agreement.title == "MoU Kaltim–Anhui"


@pytest.mark.django_db
def test_a_refused_save_names_the_steps_changed_beside_the_fields(agreement, editor_kaltim, siti):
    """Terminated with its termination step recorded in one save: the second editor is told
    both, not the status alone, before reloading over the step they did not see."""
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    first, second = loaded_form(editor, agreement), loaded_form(other, agreement)
    terminated = editor.post(
        change_url(agreement),
        with_new_milestone(
            {**first, "status": "terminated"},
            kind="termination",
            title="Pengakhiran",
            done_on=datetime.date(2026, 11, 20),
        ),
    )
    assert terminated.status_code == 302, form_errors(terminated)

    refused = other.post(change_url(agreement), {**second, "summary": "Ringkasan Siti"})

    assert "yang berubah: Status, Tahapan." in non_field_errors(refused)[0]
    assert refused.context["adminform"].form.errors["status"] == [
        "Diubah orang lain sejak Anda membuka formulir ini."
    ]


def milestone_page_data(milestone, **changes):
    """What the milestone's own admin page posts, saved with ``changes``."""
    data = {
        "agreement": milestone.agreement_id,
        "kind": milestone.kind,
        "title": milestone.title,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else "",
        "done_on": milestone.done_on.isoformat() if milestone.done_on else "",
        "waits_on": milestone.waits_on,
        "rating": "",
        "findings": "",
        "notes": "",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_a_milestone_saved_on_its_own_page_refuses_an_agreement_form_opened_before(
    agreement, editor_kaltim, siti
):
    milestone = MilestoneFactory(
        agreement=agreement, title="Rapat TKKSD", due_on=datetime.date(2030, 1, 1)
    )
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    opened = with_existing_milestone(loaded_form(editor, agreement), milestone)

    saved = other.post(change_url(milestone), milestone_page_data(milestone, done_on="2026-11-20"))
    assert saved.status_code == 302, form_errors(saved)

    refused = editor.post(change_url(agreement), {**opened, "title": "Judul baru"})

    assert refused.status_code == 200
    # The step's save is a version of the agreement: who saved it is named.
    message = non_field_errors(refused)[0]
    assert "sudah diubah oleh siti.kaltim" in message
    assert "yang berubah: Tahapan." in message
    milestone.refresh_from_db()
    assert milestone.done_on.isoformat() == "2026-11-20"  # not written back to empty
    agreement.refresh_from_db()
    assert agreement.title == "MoU Kaltim–Anhui"


def loaded_row_page(client, row, **changes):
    """Open a milestone's or document's own page as a browser would: what it would post, with
    the version it carries, saved with ``changes``."""
    response = client.get(change_url(row))
    assert response.status_code == 200
    version = re.search(r'name="loaded_version" value="(\d+)"', response.content.decode())
    assert version, "the page carries the version of its agreement it was loaded with"
    if isinstance(row, Milestone):
        data = milestone_page_data(row)
    else:
        data = {"agreement": row.agreement_id, "title": row.title, "kind": row.kind}
        data["language"] = row.language
    return {**data, "loaded_version": version.group(1), **changes}


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["milestone", "document"])
def test_a_row_changed_on_its_own_page_refuses_a_colleagues_page_opened_before(
    agreement, editor_kaltim, siti, part
):
    """Two editors open the same step (or document) on its own page; the second save would
    have written the row as it was opened over the first, unsaid. It is refused, naming who
    changed it and when, and the first change stays."""
    if part == "milestone":
        row = MilestoneFactory(
            agreement=agreement, title="Rapat TKKSD", due_on=datetime.date(2030, 1, 1)
        )
    else:
        row = DocumentFactory(agreement=agreement, title="Naskah MoU")
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    first = loaded_row_page(other, row, title=f"{row.title} (disunting Siti)")
    second = loaded_row_page(editor, row, title=f"{row.title} (disunting editor)")

    assert other.post(change_url(row), first).status_code == 302
    refused = editor.post(change_url(row), second)

    assert refused.status_code == 200
    message = non_field_errors(refused)[0]
    noun = "Tahapan" if part == "milestone" else "Dokumen"
    assert message.startswith(f"{noun} ini sudah diubah oleh siti.kaltim pada ")
    assert "Perubahan Anda tidak disimpan." in message
    assert "(disunting editor)" in refused.content.decode()  # what they typed is still there
    row.refresh_from_db()
    assert row.title.endswith("(disunting Siti)")


@pytest.mark.django_db
def test_a_rows_page_opened_before_a_change_elsewhere_in_the_agreement_still_saves(
    agreement, editor_kaltim, siti
):
    """Only a change of the row itself refuses its page: a colleague's change of the agreement
    or of another step meanwhile loses nothing when the row is saved."""
    row = MilestoneFactory(
        agreement=agreement, title="Rapat TKKSD", due_on=datetime.date(2030, 1, 1)
    )
    neighbour = MilestoneFactory(
        agreement=agreement, title="Persetujuan DPRD", due_on=datetime.date(2030, 2, 1)
    )
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    opened = loaded_row_page(editor, row, title="Rapat TKKSD pertama")

    assert (
        other.post(
            change_url(neighbour), loaded_row_page(other, neighbour, waits_on="dprd")
        ).status_code
        == 302
    )
    changed = other.post(change_url(agreement), loaded_form(other, agreement) | {"summary": "Baru"})
    assert changed.status_code == 302, form_errors(changed)

    saved = editor.post(change_url(row), opened)
    assert saved.status_code == 302, form_errors(saved)
    row.refresh_from_db()
    neighbour.refresh_from_db()
    agreement.refresh_from_db()
    assert (row.title, neighbour.waits_on, agreement.summary) == (
        "Rapat TKKSD pertama",
        "dprd",
        "Baru",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["milestone", "document"])
def test_every_write_to_a_part_on_its_own_page_moves_the_agreement_on(
    agreement, editor_kaltim, part
):
    client = logged_in(editor_kaltim)
    versions = [agreement.version]

    def moved():
        agreement.refresh_from_db()
        versions.append(agreement.version)
        return versions[-1] > versions[-2]

    if part == "milestone":
        row = MilestoneFactory(agreement=agreement, due_on=datetime.date(2030, 1, 1))
        fields = milestone_page_data(row)
        add_url = reverse("admin:agreements_milestone_add")
        new = {}
    else:
        row = DocumentFactory(agreement=agreement)
        pdf = b"%PDF-1.4\n" + b"0" * 2000 + b"\nstartxref\n9\n%%EOF\n"
        fields = {"agreement": agreement.pk, "kind": row.kind, "language": row.language}
        add_url = reverse("admin:agreements_document_add")
        new = {"file": SimpleUploadedFile("naskah.pdf", pdf, content_type="application/pdf")}

    added = client.post(add_url, {**fields, "title": "Baru", **new})
    assert added.status_code == 302, form_errors(added)
    assert moved(), "adding"
    changed = client.post(change_url(row), {**fields, "title": "Diubah"})
    assert changed.status_code == 302, form_errors(changed)
    assert moved(), "changing"

    delete_url = reverse(f"admin:agreements_{part}_delete", args=[row.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert moved(), "deleting"

    other = type(row).objects.get(title="Baru")
    changelist = reverse(f"admin:agreements_{part}_changelist")
    bulk = {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}
    assert client.post(changelist, bulk).status_code == 302
    assert moved(), "deleting in bulk"


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["milestone", "agreement"])
def test_a_bulk_delete_that_fails_half_way_leaves_everything_as_it_was(
    editor_kaltim, agreement, part, monkeypatch
):
    """Deleting the ticked rows, the version of their agreement it saves and where the chain
    then stands are one transaction, as the delete page's are: a failure after the delete
    (here in the refresh of the chain) undoes all of it."""
    from agreements.models import AgreementQuerySet

    step = MilestoneFactory(agreement=agreement, title="Kunjungan")
    follower = AgreementFactory(
        lead_region=agreement.lead_region, follows=agreement, relation=Agreement.Relation.EXTENDS
    )
    row = step if part == "milestone" else follower
    before = (Agreement.objects.get(pk=agreement.pk).version, Agreement.history.count())

    def failed(queryset):
        raise RuntimeError("the refresh failed half way")

    monkeypatch.setattr(AgreementQuerySet, "refresh_progress", failed)
    client = logged_in(editor_kaltim)
    client.raise_request_exception = False
    response = client.post(
        reverse(f"admin:agreements_{part}_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )

    assert response.status_code == 500
    assert type(row).objects.filter(pk=row.pk).exists()
    after = (Agreement.objects.get(pk=agreement.pk).version, Agreement.history.count())
    assert after == before


# -- in the model ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_of_two_objects_loaded_at_the_same_version_cannot_save(agreement):
    mine = Agreement.objects.get(pk=agreement.pk)
    theirs = Agreement.objects.get(pk=agreement.pk)

    mine.title = "Judul saya"
    mine.save_if_unchanged()
    theirs.summary = "Ringkasan mereka"
    with pytest.raises(ChangedMeanwhile) as refused:
        theirs.save_if_unchanged()

    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.title, stored.summary, stored.version) == ("Judul saya", "Ringkasan awal", 2)
    conflict = refused.value.conflict()
    assert conflict.version == 2
    assert conflict.field_names == ["title"]


@pytest.mark.django_db
def test_each_save_from_the_current_version_moves_it_on(agreement):
    for expected in (2, 3, 4):
        agreement.summary = f"Ringkasan {expected}"
        agreement.save_if_unchanged()
        assert Agreement.objects.get(pk=agreement.pk).version == expected


@pytest.mark.django_db
def test_plain_save_leaves_the_version_alone(agreement):
    agreement.title = "Disimpan tanpa pemeriksaan"
    agreement.save()
    assert Agreement.objects.get(pk=agreement.pk).version == 1


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_leave_exactly_one_written(kaltim):
    """Two connections, each in its own transaction, save the same version at once: the
    conditional UPDATE lets one through; the other is refused (PostgreSQL makes it wait for the
    first and then finds the version moved on; SQLite refuses the second writer outright)."""
    agreement = AgreementFactory(title="Awal", lead_region=kaltim)
    # Both loaded at version 1, before either saves.
    mine = Agreement.objects.get(pk=agreement.pk)
    theirs = Agreement.objects.get(pk=agreement.pk)
    first_saved, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                mine.title = "Yang pertama"
                mine.save_if_unchanged()
                first_saved.set()
                release.wait(10)
            outcome["first"] = "saved"
        finally:
            first_saved.set()

    def second():
        first_saved.wait(10)
        theirs.title = "Yang kedua"
        try:
            with transaction.atomic():
                threading.Timer(0.5, release.set).start()
                theirs.save_if_unchanged()
            outcome["second"] = "saved"
        except ChangedMeanwhile:
            outcome["second"] = "refused"
        except OperationalError:  # SQLite: the table is locked by the first writer
            outcome["second"] = "refused"
        finally:
            release.set()

    run_at_once(first, second)

    assert outcome == {"first": "saved", "second": "refused"}
    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.title, stored.version) == ("Yang pertama", 2)


# -- in the import ---------------------------------------------------------------------------------


def import_file(title, region_codes="64"):
    text = (
        # Signed on the day the stored agreement was: only the title differs.
        "reference,title,kind,scope,status,signed_on,lead_region_code,region_codes\n"
        f"KT/1,{title},mou,ksdd,in_force,2024-01-15,64,{region_codes}\n"
    )
    return SimpleUploadedFile("kerjasama.csv", text.encode(), content_type="text/csv")


def preview_token(response):
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


@pytest.mark.django_db
def test_import_confirm_refuses_a_row_whose_agreement_changed_since_the_preview(
    agreement, editor_kaltim, siti
):
    importer, other = logged_in(editor_kaltim), logged_in(siti)
    token = preview_token(importer.post(IMPORT, {"file": import_file("Judul dari berkas")}))
    form = loaded_form(other, agreement)
    other.post(change_url(agreement), {**form, "summary": "Ringkasan Siti"})

    confirmed = importer.post(IMPORT, {"token": token})

    assert confirmed.status_code == 409
    page = confirmed.content.decode()
    assert "diubah oleh siti.kaltim" in page
    assert "Ringkasan" in page  # the field that changed
    agreement.refresh_from_db()
    assert (agreement.title, agreement.summary) == ("MoU Kaltim–Anhui", "Ringkasan Siti")


@pytest.mark.django_db
def test_import_confirm_refuses_a_row_whose_agreement_was_created_since_the_preview(
    editor_kaltim, kaltim, bali
):
    importer = logged_in(editor_kaltim)
    new = import_file("Judul dari berkas", region_codes="64; 51")
    token = preview_token(importer.post(IMPORT, {"file": new}))
    AgreementFactory(reference="KT/1", title="Dibuat orang lain", lead_region=kaltim)

    confirmed = importer.post(IMPORT, {"token": token})

    assert confirmed.status_code == 409
    assert "dibuat orang lain setelah pratinjau" in confirmed.content.decode()
    assert Agreement.objects.get().title == "Dibuat orang lain"


@pytest.mark.postgresql  # SQLite writes one transaction at a time
@pytest.mark.django_db(transaction=True)
def test_a_preview_confirmed_twice_at_once_is_written_once(
    editor_kaltim, kaltim, bali, monkeypatch
):
    """A double click on "Konfirmasi" (or the preview confirmed in two tabs): the second waits
    for the first, then finds the preview used, rather than writing the file a second time."""
    from agreements.imports import AgreementImport

    importer = logged_in(editor_kaltim)
    # No number yet (a text still being drafted): nothing in the database tells the two apart.
    new = SimpleUploadedFile(
        "kerjasama.csv",
        b"reference,title,kind,scope,status,lead_region_code,region_codes\n"
        b",Judul dari berkas,mou,ksdd,preparation,64,64; 51\n",
        content_type="text/csv",
    )
    token = preview_token(importer.post(IMPORT, {"file": new}))
    writing, write_rows = threading.Event(), AgreementImport._write_rows

    def write_rows_slowly(self):
        write_rows(self)
        if not writing.is_set():
            writing.set()
            threading.Event().wait(1.5)  # the first confirm, still writing

    monkeypatch.setattr(AgreementImport, "_write_rows", write_rows_slowly)
    answers = []

    def confirm(wait_for_the_first=False):
        if wait_for_the_first:
            writing.wait(10)
        client = logged_in(editor_kaltim)
        answers.append(client.post(IMPORT, {"token": token}).status_code)

    run_at_once(confirm, lambda: confirm(wait_for_the_first=True))

    assert Agreement.objects.filter(title="Judul dari berkas").count() == 1
    # Written, and the second told the preview is used: upload the file again to see it now.
    assert sorted(answers) == [302, 400]


@pytest.mark.django_db
def test_import_update_moves_the_version_on(agreement, editor_kaltim):
    importer = logged_in(editor_kaltim)
    token = preview_token(importer.post(IMPORT, {"file": import_file("Judul dari berkas")}))

    assert importer.post(IMPORT, {"token": token}).status_code == 302

    agreement.refresh_from_db()
    assert (agreement.title, agreement.version) == ("Judul dari berkas", 2)


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["agreement", "milestone", "document"])
@pytest.mark.parametrize("tampered", ["abc", "0", "-3", "1.5", "99999999999999999999999"])
def test_a_tampered_version_is_refused_saying_so(agreement, editor_kaltim, part, tampered):
    """The form's hidden version (``loaded_version``) posted as something no version is: the
    page said "Mohon perbaiki kesalahan di bawah ini" above a form that showed no error, the
    error being the hidden field's. It is refused with a message saying what to do, no server
    error, and nothing is written."""
    editor = logged_in(editor_kaltim)
    if part == "agreement":
        row, data = agreement, loaded_form(editor, agreement)
        data["title"] = "Diubah dengan versi palsu"
    else:
        factory = MilestoneFactory if part == "milestone" else DocumentFactory
        row = factory(agreement=agreement, title="Judul awal")
        data = loaded_row_page(editor, row, title="Diubah dengan versi palsu")
    data["loaded_version"] = tampered

    refused = editor.post(change_url(row), data)

    assert refused.status_code == 200
    assert non_field_errors(refused) == [
        "Formulir ini membawa versi yang tidak dapat dibaca; muat ulang halaman lalu ulangi "
        "perubahan Anda."
    ]
    assert "muat ulang halaman lalu ulangi perubahan Anda" in refused.content.decode()
    row.refresh_from_db()
    assert row.title != "Diubah dengan versi palsu"


@pytest.mark.django_db
def test_a_milestones_page_posted_with_a_version_its_agreement_never_had_is_refused(
    agreement, editor_kaltim, siti
):
    """The version a step's own page carries is what tells whether the step was changed since
    it was opened. Posted with one the agreement has not reached yet, the check found no version
    after it and saved over a colleague's change; now the page says so above the form, writes
    nothing and keeps what was typed. (One no version is at all: above.)"""
    row = MilestoneFactory(
        agreement=agreement, title="Rapat TKKSD", due_on=datetime.date(2030, 1, 1)
    )
    editor, other = logged_in(editor_kaltim), logged_in(siti)
    opened = loaded_row_page(editor, row, title="Rapat TKKSD (disunting editor)")
    changed = other.post(
        change_url(row), loaded_row_page(other, row, title="Rapat TKKSD (disunting Siti)")
    )
    assert changed.status_code == 302

    refused = editor.post(change_url(row), {**opened, "loaded_version": "999999"})

    assert refused.status_code == 200
    assert non_field_errors(refused) == [
        "Formulir ini membawa versi yang tidak dikenal; muat ulang halaman lalu ulangi "
        "perubahan Anda."
    ]
    assert "(disunting editor)" in refused.content.decode()
    assert "Formulir ini membawa versi yang tidak dikenal" in refused.content.decode()
    row.refresh_from_db()
    assert row.title == "Rapat TKKSD (disunting Siti)"


# -- a record added twice at once ------------------------------------------------------------------


@pytest.mark.postgresql  # SQLite writes one transaction at a time
@pytest.mark.django_db(transaction=True)
def test_an_agency_added_by_two_clerks_at_once_is_refused_on_the_second_form(
    staff_user, kaltim, monkeypatch
):
    """Two clerks add the same agency at once (or one form is sent twice without the page's
    script): the second passed its check before the first was written, and its save met the
    database's unique constraint, a server error. It is refused as it would be a moment later,
    on its form, saying the agency is already there; the first stays, once."""
    from agreements.admin import AgencyAdmin
    from agreements.models import Agency

    save_model = AgencyAdmin.save_model

    def save_after_a_colleague(self, request, obj, form, change):
        # The colleague's add is written between this form's check and its save.
        run_at_once(lambda: Agency.objects.create(region=kaltim, name=obj.name))
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(AgencyAdmin, "save_model", save_after_a_colleague)
    clerk = logged_in(staff_user)

    response = clerk.post(
        reverse("admin:agreements_agency_add"),
        {"region": kaltim.pk, "name": "Dinas Pariwisata", "short_name": "Dispar"},
    )

    assert response.status_code == 200
    assert (
        "Perangkat daerah dengan nama ini sudah tercatat di daerah yang sama; pilih yang sudah "
        "ada." in response.content.decode()
    )
    assert list(Agency.objects.values_list("name", "short_name")) == [("Dinas Pariwisata", "")]


@contextlib.contextmanager
def sector_adds_meeting():
    """Two saves, each adding an agreement's new sector, meet before either adds it: each has
    taken its old sector's count away (``agreements_tally``) and waits for the other, so that
    the two hold the sectors' counts in opposite orders."""
    met, arrived = threading.Barrier(2, timeout=10), []

    def meet_before_adding(sender, instance, action, **kwargs):
        if action == "pre_add" and len(arrived) < 2:
            arrived.append(instance.pk)
            with contextlib.suppress(threading.BrokenBarrierError):
                met.wait()

    m2m_changed.connect(meet_before_adding, sender=Agreement.sectors.through, weak=False)
    try:
        yield
    finally:
        m2m_changed.disconnect(meet_before_adding, sender=Agreement.sectors.through)


@pytest.mark.postgresql  # SQLite writes one transaction at a time
@pytest.mark.django_db(transaction=True)
def test_two_agreements_saved_at_once_swapping_sectors_are_both_written(staff_user, kaltim):
    """Two clerks save two agreements at the same moment, one moving from education to
    tourism, the other from tourism to education. Each save moves the sectors' kept counts
    (``agreements_tally``): the first holds education's count and waits for tourism's, the
    second the other way round. PostgreSQL stopped one of them as a deadlock, a server error
    and that clerk's change lost; it is saved again once the other is written."""
    from tests.factories import SectorFactory

    education = SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")
    tourism = SectorFactory(slug="tourism", name_id="Pariwisata", name_en="Tourism")
    first = AgreementFactory(title="MoU pertama", lead_region=kaltim)
    second = AgreementFactory(title="MoU kedua", lead_region=kaltim)
    first.sectors.set([education])
    second.sectors.set([tourism])
    clerks = {first.pk: logged_in(staff_user), second.pk: logged_in(staff_user)}
    forms = {each.pk: loaded_form(clerks[each.pk], each) for each in (first, second)}
    answers = {}

    def save(agreement, sector):
        form = {**forms[agreement.pk], "sectors": [sector.pk]}
        answers[agreement.pk] = clerks[agreement.pk].post(change_url(agreement), form).status_code

    with sector_adds_meeting():
        run_at_once(lambda: save(first, tourism), lambda: save(second, education))

    assert answers == {first.pk: 302, second.pk: 302}
    assert list(first.sectors.values_list("slug", flat=True)) == ["tourism"]
    assert list(second.sectors.values_list("slug", flat=True)) == ["education"]


@pytest.mark.postgresql  # SQLite writes one transaction at a time
@pytest.mark.django_db(transaction=True)
def test_two_imports_confirmed_at_once_swapping_sectors_are_both_written(staff_user, kaltim, bali):
    """The import's confirm, met by another confirm at the same moment moving the same
    sectors' kept counts the other way: PostgreSQL stopped one as a deadlock, a server error
    with nothing written; it is written once the other is."""
    from tests.factories import SectorFactory

    education = SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")
    tourism = SectorFactory(slug="tourism", name_id="Pariwisata", name_en="Tourism")
    stored = {
        "KT/1": AgreementFactory(
            title="MoU pertama", reference="KT/1", lead_region=kaltim, regions=[bali]
        ),
        "KT/2": AgreementFactory(
            title="MoU kedua", reference="KT/2", lead_region=kaltim, regions=[bali]
        ),
    }
    stored["KT/1"].sectors.set([education])
    stored["KT/2"].sectors.set([tourism])

    def sheet(reference, sector):
        text = (
            "reference,title,kind,scope,status,signed_on,in_force_from,expires_on,"
            "lead_region_code,region_codes,sectors\n"
            f"{reference},{stored[reference].title},mou,ksdd,in_force,2024-01-15,2024-01-15,"
            f"2029-01-14,64,64; 51,{sector}\n"
        )
        return SimpleUploadedFile(f"{reference[-1]}.csv", text.encode(), content_type="text/csv")

    clerks = {reference: logged_in(staff_user) for reference in stored}
    tokens = {
        "KT/1": preview_token(clerks["KT/1"].post(IMPORT, {"file": sheet("KT/1", "tourism")})),
        "KT/2": preview_token(clerks["KT/2"].post(IMPORT, {"file": sheet("KT/2", "education")})),
    }
    answers = {}

    def confirm(reference):
        answers[reference] = clerks[reference].post(IMPORT, {"token": tokens[reference]})

    with sector_adds_meeting():
        run_at_once(lambda: confirm("KT/1"), lambda: confirm("KT/2"))

    assert {reference: answer.status_code for reference, answer in answers.items()} == {
        "KT/1": 302,
        "KT/2": 302,
    }
    assert list(stored["KT/1"].sectors.values_list("slug", flat=True)) == ["tourism"]
    assert list(stored["KT/2"].sectors.values_list("slug", flat=True)) == ["education"]
