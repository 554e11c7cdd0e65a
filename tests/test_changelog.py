"""The public change log: "Riwayat perubahan" on each status page, /perubahan/ across the
register (filtered like the list, with its own feed), never an internal field or a name."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Milestone
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    make_official,
)
from tests.helpers import (
    admin_url,
    agreement_form_data,
    change_url,
    form_errors,
    logged_in,
    with_existing_milestone,
    with_new_row,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def save_as(agreement, user, **changes):
    for name, value in changes.items():
        setattr(agreement, name, value)
    agreement._history_user = user
    agreement.save()
    del agreement._history_user


@pytest.fixture
def changed(kaltim, bali, editor_kaltim):
    """A Kaltim MoU whose editor moved it into force and extended it; a Bali MoU renamed."""
    mou = AgreementFactory(
        title="MoU Kaltim–Anhui",
        lead_region=kaltim,
        status="signed",
        in_force_from=None,
        expires_on=datetime.date(2029, 1, 14),
    )
    save_as(mou, editor_kaltim, status="in_force", in_force_from=datetime.date(2024, 2, 1))
    save_as(mou, editor_kaltim, expires_on=datetime.date(2031, 1, 14), visibility="public")
    bali_mou = AgreementFactory(title="MoU Bali", lead_region=bali)
    save_as(bali_mou, None, title="MoU Bali–Kalteng")
    return {"mou": mou, "bali": bali_mou}


def section(html, heading_id="riwayat-perubahan"):
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_status_page_shows_what_changed_from_what_and_the_role(client, changed):
    html = client.get(changed["mou"].get_absolute_url()).content.decode()
    log = section(html)
    assert "Riwayat perubahan" in html
    assert 'data-field="status"' in log
    assert "<td>Ditandatangani</td><td>Berlaku</td>" in log
    assert 'data-field="expires_on"' in log
    assert "<td>14 Januari 2029</td><td>14 Januari 2031</td>" in log
    # The role, never the person.
    assert "Editor (staf biro)" in log
    assert "editor.kaltim" not in html


def test_a_date_known_to_the_month_is_told_as_its_month_in_the_change_log(
    client, kaltim, editor_kaltim
):
    """An editor who learns only the month of a proposal records "Desember 2023"; the change
    log says so, and that the day once written was replaced by the month."""
    plan = AgreementFactory(
        lead_region=kaltim,
        status="exploration",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        proposed_on=datetime.date(2023, 12, 5),
    )
    save_as(
        plan, editor_kaltim, proposed_on=datetime.date(2023, 12, 1), proposed_on_precision="month"
    )

    log = section(client.get(plan.get_absolute_url()).content.decode())
    assert 'data-field="proposed_on"' in log
    assert "<td>5 Desember 2023</td><td>Desember 2023</td>" in log
    assert "1 Desember 2023" not in log


def test_the_change_log_never_shows_internal_fields_or_versions(client, kaltim, editor_kaltim):
    draft = AgreementFactory(
        title="Rancangan", lead_region=kaltim, visibility="internal", summary="Catatan awal."
    )
    save_as(draft, editor_kaltim, summary="Angka rahasia 42.")
    save_as(draft, editor_kaltim, visibility="public", summary="Ringkasan publik.")
    save_as(draft, editor_kaltim, title="MoU terbit")

    log = section(client.get(draft.get_absolute_url()).content.decode())

    assert "diterbitkan untuk publik" in log
    assert "Rancangan" in log and "MoU terbit" in log
    for secret in ("Angka rahasia", "Catatan awal", "visibility", "Internal", "internal"):
        assert secret not in log
    # The site-wide log and its feed hold the same, no more.
    page = client.get("/perubahan/").content.decode()
    feed = client.get("/perubahan/feed.atom").content.decode()
    for text in (page, feed):
        assert "Angka rahasia" not in text and "Catatan awal" not in text
        assert "editor.kaltim" not in text


def test_an_official_reads_that_a_record_was_published_or_made_internal(
    client, django_user_model, kaltim, editor_kaltim
):
    """The official reads the "Internal" badge on the status page and the list: the version
    that published a record, or took it back, changed what they are shown. It said "saved
    without a change to what is shown here", on the status page and on /perubahan/ alike;
    the public reads it as published, and never the word internal."""
    published = AgreementFactory(title="MoU terbit", lead_region=kaltim, visibility="internal")
    save_as(published, editor_kaltim, visibility="public")
    withdrawn = AgreementFactory(title="MoU ditarik", lead_region=kaltim)
    save_as(withdrawn, editor_kaltim, visibility="internal")

    official = logged_in(make_official(django_user_model))
    for agreement, was, now in (
        (published, "Internal", "Publik"),
        (withdrawn, "Publik", "Internal"),
    ):
        log = section(official.get(agreement.get_absolute_url()).content.decode())
        row = f'<tr data-field="visibility"><th scope="row">Visibilitas</th><td>{was}</td>'
        assert row + f"<td>{now}</td></tr>" in log
        assert "Disimpan tanpa perubahan" not in log
    site_log = official.get("/perubahan/").content.decode()
    assert site_log.count('data-field="visibility"') == 2
    assert "Disimpan tanpa perubahan" not in site_log

    public_log = section(client.get(published.get_absolute_url()).content.decode())
    assert "diterbitkan untuk publik" in public_log
    assert "Internal" not in public_log and 'data-field="visibility"' not in public_log


def entry_heads(html):
    """The head line of each entry of a change log page, its tags taken away."""
    heads = re.findall(r'<p class="change-head">(.*?)</p>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", head).split()) for head in heads]


def test_an_officials_change_log_marks_the_entries_of_internal_records(
    client, django_user_model, kaltim, editor_kaltim
):
    """Each entry of /perubahan/ of a record internal today reads "Internal" beside its title,
    as its row on the list does, for the official: every version of it, those saved while it
    was public too (the record is internal now). A public record's entries, the version that
    made it public included, carry no mark. The public reads no entry of the internal record,
    neither on the page nor in its feed, and never the word."""
    kept = AgreementFactory(title="MoU dalam penjajakan", lead_region=kaltim)
    save_as(kept, editor_kaltim, summary="Dijajaki.")
    save_as(kept, editor_kaltim, visibility="internal")
    published = AgreementFactory(title="MoU terbit", lead_region=kaltim, visibility="internal")
    save_as(published, editor_kaltim, visibility="public")

    official = logged_in(make_official(django_user_model))
    heads = entry_heads(official.get("/perubahan/").content.decode())
    of_kept = [head for head in heads if "MoU dalam penjajakan" in head]
    of_published = [head for head in heads if "MoU terbit" in head]
    assert len(of_kept) == 3 and len(of_published) == 2
    assert all("MoU dalam penjajakan · Internal · oleh" in head for head in of_kept)
    assert not any("Internal" in head for head in of_published)

    public = client.get("/perubahan/").content.decode()
    feed = client.get("/perubahan/feed.atom").content.decode()
    assert "MoU terbit" in public
    for text in (public, feed):
        assert "MoU dalam penjajakan" not in text
        assert "Internal" not in text and "badge-internal" not in text


def test_site_change_log_is_filtered_like_the_list(client, changed):
    everything = client.get("/perubahan/")
    kaltim_only = client.get("/perubahan/", {"region": "64"})

    assert everything.status_code == kaltim_only.status_code == 200
    titles = {entry.title for entry in kaltim_only.context["entries"]}
    assert titles == {"MoU Kaltim–Anhui"}
    assert "MoU Bali–Kalteng" in everything.content.decode()
    assert "sistem (impor atau perintah)" in everything.content.decode()
    # Its feed, linked from it, holds the same selection.
    assert 'href="feed.atom?region=64"' in kaltim_only.content.decode()
    root = ET.fromstring(client.get("/perubahan/feed.atom?region=64").content)
    entries = root.findall(f"{ATOM}entry")
    assert entries and all("MoU Kaltim" in e.findtext(f"{ATOM}title") for e in entries)
    assert "Berlaku" in ET.tostring(root, encoding="unicode")


def test_a_status_the_register_raised_after_a_clerks_save_is_told_as_following_that_save(
    client, kaltim, editor_kaltim
):
    """The editor records the visit done on the step's own page; the register raises the MoU
    from "Prakarsa" to "Penjajakan" by its rule. That version is the register's, not the
    editor's (``history_user`` stays empty, as the search by person finds it), but it was
    told "oleh sistem (impor atau perintah)", as though no one had touched the record: it
    follows the editor's save, and says so, in the role the public reads. A status raised by
    a command, with no one's save behind it, is still the system's."""
    unsigned = {"status": "initiative", "signed_on": None, "in_force_from": None}
    unsigned["expires_on"] = None
    mou = AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim, **unsigned)
    editor = logged_in(editor_kaltim)
    data = {
        "agreement": mou.pk,
        "kind": "exploration",
        "title": "Kunjungan ke Hefei",
        "due_on": "",
        "done_on": "03/03/2025",
        "waits_on": "",
        "findings": "",
        "notes": "",
    }
    response = editor.post(reverse("admin:agreements_milestone_add"), data)
    assert response.status_code == 302
    mou.refresh_from_db()
    assert mou.status == "exploration"
    assert mou.history.latest().history_user is None

    page = client.get(mou.get_absolute_url()).content.decode()
    log = " ".join(re.sub(r"<[^>]+>", " ", section(page)).split())
    assert "Status Prakarsa Penjajakan" in log
    assert "oleh sistem, mengikuti perubahan oleh Editor (staf biro)" in log
    assert log.count("sistem (impor atau perintah)") == 1  # the record made by the factory
    assert "editor.kaltim" not in log  # the public reads the role, never the person
    site_log = client.get("/perubahan/").content.decode()
    assert "oleh sistem, mengikuti perubahan oleh Editor (staf biro)" in site_log
    assert site_log.count("sistem (impor atau perintah)") == 1
    feed = client.get("/perubahan/feed.atom").content.decode()
    assert "sistem, mengikuti perubahan oleh Editor (staf biro)" in feed

    # Staff read whose save it followed by name, in the agreement's history.
    history = editor.get(reverse("admin:agreements_agreement_history", args=[mou.pk]))
    text = " ".join(re.sub(r"<[^>]+>", " ", history.content.decode()).split())
    assert "sistem, mengikuti perubahan oleh editor.kaltim" in text

    # The same raise with no one's save behind it: the daily command's.
    quiet = AgreementFactory(title="MoU Kaltim–Jiangxi", lead_region=kaltim, **unsigned)
    Milestone.objects.filter(pk=MilestoneFactory(agreement=quiet, kind="exploration").pk).update(
        done_on=datetime.date(2025, 3, 3), due_on=None
    )
    Agreement.objects.filter(pk=quiet.pk).refresh_progress()
    quiet.refresh_from_db()
    assert quiet.status == "exploration"
    page = client.get(quiet.get_absolute_url()).content.decode()
    log = " ".join(re.sub(r"<[^>]+>", " ", section(page)).split())
    assert "oleh sistem (impor atau perintah)" in log
    assert "mengikuti perubahan" not in log


def test_internal_agreements_changes_are_shown_to_officials_only(
    client, django_user_model, kaltim, editor_kaltim
):
    secret = AgreementFactory(
        title="Kerja sama internal", lead_region=kaltim, visibility="internal"
    )
    save_as(secret, editor_kaltim, status="expired")

    assert "Kerja sama internal" not in client.get("/perubahan/").content.decode()
    assert "Kerja sama internal" not in client.get("/perubahan/feed.atom").content.decode()
    client.force_login(make_official(django_user_model))
    assert "Kerja sama internal" in client.get("/perubahan/").content.decode()


def test_an_agreements_own_change_feed_is_linked_and_404_when_internal(client, changed, kaltim):
    mou = changed["mou"]
    html = client.get(mou.get_absolute_url()).content.decode()
    address = reverse("agreement-changes-atom", args=[mou.pk])
    assert f'<link rel="alternate" type="application/atom+xml" href="{address}"' in html
    root = ET.fromstring(client.get(address).content)
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles[0] == "MoU Kaltim–Anhui: berakhir pada diubah"
    internal = AgreementFactory(lead_region=kaltim, visibility="internal")
    assert client.get(reverse("agreement-changes-atom", args=[internal.pk])).status_code == 404


def test_change_log_entries_have_absolute_ids_that_never_change(client, changed, settings):
    """Atom ids are absolute IRIs; a feed reader fetching again, or at another of the site's
    addresses, finds each version under the same id."""
    settings.SITE_URL = "https://kerjasama.kaltimprov.go.id"

    def ids(address, **headers):
        root = ET.fromstring(client.get(address, **headers).content)
        return [entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")]

    first = ids("/perubahan/feed.atom")
    assert first and all(
        re.fullmatch(
            r"tag:kerjasama\.kaltimprov\.go\.id,\d{4}-\d{2}-\d{2}:agreement/\d+/version/"
            r"\d{8}T\d{6}\.\d{6}Z",
            i,
        )
        for i in first
    )
    assert len(set(first)) == len(first)
    assert ids("/perubahan/feed.atom", HTTP_HOST="localhost") == first
    save_as(changed["mou"], None, title="MoU Kaltim–Anhui (perpanjangan)")
    assert ids("/perubahan/feed.atom")[1:] == first
    one = ids(reverse("agreement-changes-atom", args=[changed["mou"].pk]))
    assert set(one[1:]) <= set(first)


def test_a_change_feeds_ids_count_no_version_the_public_may_not_see(client, kaltim):
    """An entry's id numbered its version among every agreement's versions: two public
    versions numbered 7 and 10 told the public that two versions of records kept from it were
    saved between them, and when. Each is named by the moment it was saved, as its entry is
    dated: the same ids whether or not an internal agreement was saved meanwhile."""
    mou = AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui")
    kept = AgreementFactory(lead_region=kaltim, title="MoU dalam penjajakan", visibility="internal")
    save_as(kept, None, title="MoU dalam penjajakan (draf 2)")
    save_as(kept, None, title="MoU dalam penjajakan (draf 3)")
    save_as(mou, None, title="MoU Kaltim–Anhui (perpanjangan)")

    root = ET.fromstring(client.get("/perubahan/feed.atom").content)
    entries = root.findall(f"{ATOM}entry")

    assert len(entries) == 2
    for entry in entries:
        saved = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        version = entry.findtext(f"{ATOM}id").rsplit("/", 1)[1]
        assert version == f"{saved.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%fZ}"


def test_a_bad_filter_on_the_change_log_is_a_400(client, changed):
    assert client.get("/perubahan/", {"year": "x"}).status_code == 400
    assert client.get("/perubahan/feed.atom", {"year": "x"}).status_code == 400


def test_the_change_log_offers_no_order_it_does_not_keep(client, changed):
    """The change log is newest first, always. Its form offered the list's "Urutkan" (by
    title, by expiry, …), and an order chosen there listed the versions as before, with no
    word why; an address asking for one is refused, as a parameter the log does not read."""
    html = client.get("/perubahan/").content.decode()
    ordered = client.get("/perubahan/", {"sort": "title"})

    assert 'name="sort"' not in html and "Judul, A–Z" not in html
    assert "<summary>Filter lainnya</summary>" in html
    assert ordered.status_code == 400
    assert "sort=title" in ordered.content.decode()
    assert client.get("/perubahan/feed.atom", {"sort": "title"}).status_code == 400


# -- the rows saved with an agreement: steps, signatories, documents, contact persons ---------


@pytest.fixture
def anhui_mou(kaltim):
    """A Kaltim–Anhui MoU being drafted, its signing planned for 1 June 2024."""
    mou = AgreementFactory(
        title="MoU Kaltim–Anhui",
        lead_region=kaltim,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(
        agreement=mou,
        kind="signing",
        title="Penandatanganan",
        due_on=datetime.date(2024, 6, 1),
        waits_on="partner",
    )
    return mou


def entry_rows(log):
    """The rows of a change table as (field, label, old, new)."""
    return re.findall(
        r'<tr data-field="([^"]+)"><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td>',
        log,
    )


def test_a_step_changed_in_the_agreement_form_is_a_change_of_its_agreement(
    client, editor_kaltim, anhui_mou
):
    """Only the signing step's target and whom it waits on change: the change log, its feed and
    the status page tell it as a change of the MoU, and list every version they count."""
    step = anhui_mou.milestones.get()
    data = with_existing_milestone(
        agreement_form_data(anhui_mou),
        step,
        due_on="2027-03-31",
        waits_on="kemlu",
    )
    response = logged_in(editor_kaltim).post(change_url(anhui_mou), data)
    assert response.status_code == 302, form_errors(response)

    label = "Tahapan ‘Penandatanganan’, "
    expected = [
        ("milestones", label + "target tanggal", "1 Juni 2024", "31 Maret 2027"),
        ("milestones", label + "menunggu", "Mitra", "Kementerian Luar Negeri"),
    ]
    assert entry_rows(section(client.get(anhui_mou.get_absolute_url()).content.decode())) == (
        expected
    )

    page = client.get("/perubahan/", {"q": "Anhui"})
    html = page.content.decode()
    assert "2 versi tersimpan" in html
    assert len(page.context["entries"]) == page.context["page_obj"].paginator.count == 2
    assert html.count('class="change-entry"') == 2
    assert entry_rows(html) == expected
    assert "Kerja sama dicatat." in html

    root = ET.fromstring(client.get("/perubahan/feed.atom", {"q": "Anhui"}).content)
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["MoU Kaltim–Anhui: tahapan diubah", "MoU Kaltim–Anhui: dicatat"]
    summary = root.find(f"{ATOM}entry").findtext(f"{ATOM}summary")
    assert f"{label}target tanggal: 1 Juni 2024 → 31 Maret 2027" in summary


def test_a_step_changed_on_its_own_page_is_a_change_of_its_agreement_by_its_editor(
    client, editor_kaltim, anhui_mou
):
    step = anhui_mou.milestones.get()
    response = logged_in(editor_kaltim).post(
        change_url(step),
        {
            "agreement": anhui_mou.pk,
            "kind": "signing",
            "title": "Penandatanganan",
            "due_on": "2027-03-31",
            "due_on_precision": "day",
            "done_on_precision": "day",
            "waits_on": "partner",
        },
    )
    assert response.status_code == 302, form_errors(response)

    [changed, created] = client.get("/perubahan/").context["entries"]
    assert created.kind == "created"
    assert changed.kind == "changed"
    assert changed.role == "Editor (staf biro)"
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("Tahapan ‘Penandatanganan’, target tanggal", "1 Juni 2024", "31 Maret 2027")
    ]
    assert changed.when > created.when


def test_a_step_changed_by_the_import_is_a_change_of_its_agreement_by_the_importer(
    client, editor_kaltim, anhui_mou
):
    """The file leaves the MoU as it is and moves its signing: a version of the MoU, before the
    step, as on the step's own page."""
    editor = logged_in(editor_kaltim)
    export = editor.get(reverse("agreement-export", args=["json"]))
    data = json.loads(b"".join(export.streaming_content))
    [step] = data["milestones"]
    step["due_on"] = "2027-03-31"
    url = reverse("admin:agreements_agreement_import")
    upload = SimpleUploadedFile("kerjasama.json", json.dumps(data).encode())
    preview = editor.post(url, {"file": upload})
    assert editor.post(url, {"token": preview.context["token"]}).status_code == 302

    [changed, created] = client.get("/perubahan/").context["entries"]
    assert created.kind == "created"
    assert changed.role == "Editor (staf biro)"
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("Tahapan ‘Penandatanganan’, target tanggal", "1 Juni 2024", "31 Maret 2027")
    ]


def test_a_documents_file_replaced_is_told_by_the_name_it_was_uploaded_under(
    client, staff_client, editor_kaltim, anhui_mou
):
    """The history tells the file as staff uploaded it, never the folder it is stored in."""
    document = DocumentFactory(agreement=anhui_mou, title="Rancangan MoU")
    pdf = b"%PDF-1.4\n" + b"0" * 200 + b"\nstartxref\n9\n%%EOF\n"
    response = logged_in(editor_kaltim).post(
        change_url(document),
        {
            "agreement": anhui_mou.pk,
            "title": "Rancangan MoU",
            "kind": document.kind,
            "language": document.language,
            "file": SimpleUploadedFile("naskah final.pdf", pdf, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302

    [entry, *_] = client.get(anhui_mou.get_absolute_url()).context["changes"]
    [change] = entry.changes
    assert (change.old, change.new) == ("naskah.pdf", "naskah_final.pdf")
    history = staff_client.get(admin_url(anhui_mou, "history")).content.decode()
    assert "naskah.pdf &rarr; naskah_final.pdf" in history
    assert "documents/" not in history
    history = staff_client.get(admin_url(document, "history")).content.decode()
    assert "naskah.pdf &rarr; naskah_final.pdf" in history
    assert "documents/" not in history


def test_steps_documents_and_signatories_added_and_removed_are_told_by_name(
    client, editor_kaltim, anhui_mou
):
    document = DocumentFactory(agreement=anhui_mou, title="Rancangan MoU")
    editor = logged_in(editor_kaltim)
    data = with_new_row(
        with_new_row(
            agreement_form_data(anhui_mou),
            "milestones",
            kind="tkksd",
            title="Rapat TKKSD",
            due_on="2026-09-01",
        ),
        "signatories",
        party="Pemerintah Provinsi Kalimantan Timur",
        name="Gubernur Kalimantan Timur",
        position="0",
    )
    assert editor.post(change_url(anhui_mou), data).status_code == 302
    response = editor.post(admin_url(document, "delete"), {"post": "yes"})
    assert response.status_code == 302

    entries = client.get(anhui_mou.get_absolute_url()).context["changes"]
    assert [(c.field, c.label, c.old, c.new) for c in entries[0].changes] == [
        ("documents", "Dokumen", "Rancangan MoU", "—")
    ]
    assert [(c.field, c.label, c.old, c.new) for c in entries[1].changes] == [
        ("milestones", "Tahapan", "—", "Rapat TKKSD"),
        ("signatories", "Penanda tangan", "—", "Gubernur Kalimantan Timur"),
    ]


def test_contact_persons_changed_are_never_told_to_the_public(
    client, django_user_model, editor_kaltim, staff_client, anhui_mou
):
    """A version that changed only a contact person is listed, and counted, as saved without
    a change the public is shown; officials searching the admin's history read it."""
    data = with_new_row(
        agreement_form_data(anhui_mou),
        "contacts",
        party="Biro Pemerintahan Setda Kaltim",
        name="Siti Rahmawati",
        email="siti@kaltimprov.invalid",
    )
    assert logged_in(editor_kaltim).post(change_url(anhui_mou), data).status_code == 302

    for reader in (client, logged_in(make_official(django_user_model))):
        page = reader.get("/perubahan/")
        html = page.content.decode()
        assert "Siti" not in html and "siti@" not in html
        assert "2 versi tersimpan" in html and html.count('class="change-entry"') == 2
        assert "Disimpan tanpa perubahan pada apa yang ditampilkan di sini." in html
        status_page = reader.get(anhui_mou.get_absolute_url()).content.decode()
        assert "Siti" not in section(status_page)
    feed = client.get("/perubahan/feed.atom").content.decode()
    assert "Siti" not in feed and "MoU Kaltim–Anhui: disimpan" in feed

    rows = staff_client.get(
        reverse("admin:agreements_agreement_history_search"), {"field": "contacts"}
    ).context["rows"]
    assert [(r["change"].label, r["change"].old, r["change"].new) for r in rows] == [
        ("Narahubung", "—", "Siti Rahmawati")
    ]


def test_a_step_changed_while_the_agreement_was_internal_is_not_told_to_the_public(
    client, editor_kaltim, anhui_mou
):
    anhui_mou.visibility = "internal"
    anhui_mou.save()
    step = anhui_mou.milestones.get()
    editor = logged_in(editor_kaltim)
    anhui_mou.refresh_from_db()
    data = with_existing_milestone(
        agreement_form_data(anhui_mou), step, title="Penandatanganan di Hefei"
    )
    assert editor.post(change_url(anhui_mou), data).status_code == 302
    anhui_mou.refresh_from_db()
    step.refresh_from_db()
    data = with_existing_milestone(
        agreement_form_data(anhui_mou, visibility="public"), step, due_on="2027-03-31"
    )
    assert editor.post(change_url(anhui_mou), data).status_code == 302

    log = section(client.get(anhui_mou.get_absolute_url()).content.decode())
    assert "diterbitkan untuk publik" in log
    assert "Hefei" not in log and "2027" not in log and "1 Juni 2024" not in log


@pytest.mark.parametrize("versions", [1, 5])
def test_the_rows_of_many_versions_cost_the_same_queries(
    client, kaltim, editor_kaltim, versions, django_assert_num_queries
):
    mou = AgreementFactory(lead_region=kaltim)
    for n in range(versions):
        save_as(mou, editor_kaltim, title=f"MoU versi {n}")
        MilestoneFactory(agreement=mou, title=f"Kegiatan {n}")  # saved with that version

    # 1-4 the filter form's lists (sectors, regions, partners, agencies: no partner, so no
    # countries), 5 the COUNT of versions, 6 the page of versions, 7 the versions before them,
    # 8-10 their parties and sectors, 11-13 the history of their steps, signatories and
    # documents
    with django_assert_num_queries(13):
        response = client.get("/perubahan/")
    changes = [c for e in response.context["entries"] for c in e.changes]
    assert sum(c.field == "milestones" for c in changes) == versions


@pytest.mark.parametrize("versions", [2, 8])
def test_change_log_queries_do_not_grow_with_versions(
    client, kaltim, editor_kaltim, versions, django_assert_num_queries
):
    mou = AgreementFactory(lead_region=kaltim, partners=[PartnerFactory()])
    for n in range(versions):
        save_as(mou, editor_kaltim, title=f"MoU versi {n}")
        AgreementFactory(lead_region=kaltim, title=f"PKS {n}")

    # 1-5 the filter form's lists (sectors, regions, partners, countries, agencies), 6 the
    # COUNT of versions, 7 the page of versions with their lead region, user and role, 8 the
    # versions before them, 9-11 the parties and sectors of both, 12-14 the history of the
    # steps, signatories and documents saved with them (nothing is cached in a test's
    # transaction)
    with django_assert_num_queries(14):
        response = client.get("/perubahan/")
    assert len(response.context["entries"]) >= 2 * versions


# -- the admin's history search ---------------------------------------------------------------


def test_admin_history_search_answers_who_changed_a_status_last_week_and_from_what(
    client, changed, staff_user
):
    client.force_login(staff_user)
    today = timezone.localdate()
    response = client.get(
        reverse("admin:agreements_agreement_history_search"),
        {
            "agreement": "Kaltim",
            "date_from": (today - datetime.timedelta(days=7)).isoformat(),
            "date_to": today.isoformat(),
            "field": "status",
        },
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["entry"].person, r["change"].old, r["change"].new) for r in rows] == [
        ("editor.kaltim", "Ditandatangani", "Berlaku")
    ]
    html = response.content.decode()
    assert "editor.kaltim" in html and "Ditandatangani" in html


@pytest.mark.parametrize(
    "twice",
    [{"field": ["status", "title"]}, {"date_from": ["2024-01-01", ""]}, {"agreement": ["a", "b"]}],
)
def test_admin_history_search_refuses_a_field_given_twice(client, staff_user, twice):
    """It searched by the last of the values, with no word of the other."""
    client.force_login(staff_user)
    response = client.get(reverse("admin:agreements_agreement_history_search"), twice)

    assert response.status_code == 400
    assert "Isian ini menerima satu nilai saja, tetapi diberi 2 nilai" in response.content.decode()
    assert response.context["rows"] == []


def test_admin_history_search_refuses_a_parameter_it_does_not_read(client, changed, staff_user):
    """A field misspelt in an address searched the whole history, with no word why."""
    client.force_login(staff_user)
    response = client.get(
        reverse("admin:agreements_agreement_history_search"), {"agremeent": "Bali"}
    )

    assert response.status_code == 400
    assert "tidak dikenali halaman ini: “agremeent”" in response.content.decode()
    assert response.context["rows"] == []


def test_admin_history_search_by_person_and_value(client, changed, staff_user, editor_kaltim):
    client.force_login(staff_user)
    url = reverse("admin:agreements_agreement_history_search")

    by_person = client.get(url, {"person": editor_kaltim.pk}).context["rows"]
    assert {row["entry"].title for row in by_person} == {"MoU Kaltim–Anhui"}
    assert {row["change"].field for row in by_person} == {"status", "in_force_from", "expires_on"}

    by_value = client.get(url, {"value": "2031"}).context["rows"]
    assert [row["change"].field for row in by_value] == ["expires_on"]


def test_admin_history_search_finds_a_date_typed_as_the_forms_take_it(client, changed, staff_user):
    """A clerk looks for the expiry set to 14/01/2031 typing it as every date of the admin is
    typed; the history writes it "14 Januari 2031", so the search found nothing."""
    client.force_login(staff_user)
    url = reverse("admin:agreements_agreement_history_search")

    for typed in ("14/01/2031", "2031-01-14", "01/2031"):
        rows = client.get(url, {"value": typed}).context["rows"]
        assert [row["change"].new for row in rows] == ["14 Januari 2031"], typed


def test_admin_history_search_refuses_a_backwards_date_range(client, changed, staff_user):
    client.force_login(staff_user)
    response = client.get(
        reverse("admin:agreements_agreement_history_search"),
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "Tanggal awal harus sebelum tanggal akhir" in response.content.decode()


def test_admin_history_search_is_for_staff_only(client, changed):
    response = client.get(reverse("admin:agreements_agreement_history_search"))
    assert response.status_code == 302  # to the admin's login


@pytest.mark.parametrize("versions", [1, 6])
def test_admin_history_search_queries_do_not_grow(
    client, kaltim, staff_user, editor_kaltim, versions, django_assert_num_queries
):
    client.force_login(staff_user)
    mou = AgreementFactory(lead_region=kaltim, status="signed", in_force_from=None)
    for n in range(versions):
        save_as(mou, editor_kaltim, title=f"MoU versi {n}")
    url = reverse("admin:agreements_agreement_history_search")

    # 1 the session, 2 the user, 3 the versions with person and role, 4 the versions before
    # them, 5-7 the parties and sectors of both, 8 the people offered in the form
    with django_assert_num_queries(8):
        response = client.get(url, {"field": "title"})
    assert len(response.context["rows"]) == versions


def test_an_editors_history_search_offers_only_who_changed_their_regions_agreements(
    client, kaltim, bali, editor_kaltim, editor_bali
):
    """Kaltim's editor searches the history of Kaltim's agreements only; "changed by" offered
    them Bali's editor too, whose changes their search can never list."""
    from agreements.changelog import HistoricalAgreement

    own = AgreementFactory(lead_region=kaltim)
    others = AgreementFactory(lead_region=bali)
    HistoricalAgreement.objects.filter(id=own.pk).update(history_user=editor_kaltim)
    HistoricalAgreement.objects.filter(id=others.pk).update(history_user=editor_bali)
    client.force_login(editor_kaltim)
    url = reverse("admin:agreements_agreement_history_search")

    page = client.get(url).content.decode()

    assert f'<option value="{editor_kaltim.pk}">editor.kaltim</option>' in page
    assert "editor.bali" not in page
    refused = client.get(url, {"person": str(editor_bali.pk)})
    assert refused.status_code == 400


def test_what_the_status_page_shows_beside_its_main_fields_is_told_in_its_change_log(
    client, kaltim, editor_kaltim
):
    """The signing place, the Treaty Room's number and the English title and summary are on the
    status page: a save that changes them is told as such, not as saved with nothing shown
    changed."""
    mou = AgreementFactory(title="MoU Kaltim–Osaka", lead_region=kaltim, status="in_force")
    save_as(
        mou,
        editor_kaltim,
        signing_place="Osaka",
        treaty_room_reference="TR-2024/17",
        title_en="MoU East Kalimantan–Osaka",
        summary_en="Agriculture.",
    )

    log = section(client.get(mou.get_absolute_url()).content.decode())
    assert "Disimpan tanpa perubahan" not in log
    for name, new in (
        ("signing_place", "Osaka"),
        ("treaty_room_reference", "TR-2024/17"),
        ("title_en", "MoU East Kalimantan–Osaka"),
        ("summary_en", "Agriculture."),
    ):
        assert f'data-field="{name}"' in log
        assert f"<td>—</td><td>{new}</td>" in log


def test_the_change_log_names_an_agreement_by_its_english_title_for_english_readers(
    client, kaltim, editor_kaltim
):
    mou = AgreementFactory(
        title="Nota Kesepahaman Kaltim–Osaka",
        title_en="MoU East Kalimantan–Osaka",
        lead_region=kaltim,
    )
    save_as(mou, editor_kaltim, summary="Pertanian.")

    english = client.get("/perubahan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "MoU East Kalimantan–Osaka</a>" in english
    assert "Nota Kesepahaman Kaltim–Osaka</a>" not in english
    indonesian = client.get("/perubahan/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Nota Kesepahaman Kaltim–Osaka</a>" in indonesian


def test_implementing_agencies_changed_are_told_in_the_change_log(client, kaltim, editor_kaltim):
    """The status page names the implementing agencies (OPD): a save that adds one is told."""
    mou = AgreementFactory(title="MoU Kaltim–Osaka", lead_region=kaltim, status="in_force")
    agency = AgencyFactory(
        region=kaltim, name="Dinas Pertanian dan Peternakan", short_name="Distanak"
    )
    mou._history_user = editor_kaltim
    mou.agencies.add(agency)  # a version of its own, as the agreement form saves it

    log = section(client.get(mou.get_absolute_url()).content.decode())
    assert "Disimpan tanpa perubahan" not in log
    assert 'data-field="agencies"' in log
    assert "<td>—</td><td>Dinas Pertanian dan Peternakan (Distanak)</td>" in log


def test_admin_history_search_names_its_fields_with_their_proper_nouns(client, staff_user):
    """The fields to search by read as the form names them: "Inggris" and "Treaty Room" keep
    their capitals."""
    client.force_login(staff_user)
    html = client.get(reverse("admin:agreements_agreement_history_search")).content.decode()
    assert '<option value="title_en">Judul dalam bahasa Inggris</option>' in html
    assert '<option value="treaty_room_reference">Nomor Treaty Room</option>' in html
    assert "bahasa inggris" not in html and "treaty room<" not in html
