"""What the register records though the life of a cooperation says otherwise, told and not
refused: a PKS running past the MoU it carries out (``Agreement.runs_past_text_carried_out``),
and a DPRD approval recorded done before the TKKSD review (``approved_before_review``). The
clerk is warned in the admin when saving; the status page says so."""

import datetime
import io
import json
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, Milestone, Scope
from tests.factories import AgreementFactory, MilestoneFactory, PartnerFactory, make_official
from tests.helpers import agreement_form_data, change_url, with_new_milestone

pytestmark = pytest.mark.django_db


def warnings_on(response):
    """The warnings the admin shows on the page it leads to, each as read."""
    assert response.status_code == 200
    found = re.findall(r'<li class="warning">(.*?)</li>', response.content.decode(), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in found]


def glance_notes(client, agreement):
    """The notes under the status page's glance on the text it carries out, each as read (not
    the one of a dormant cooperation)."""
    response = client.get(reverse("agreement-detail", args=[agreement.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    glance = html[html.index('class="glance"') : html.index('id="path-heading"')]
    notes = re.findall(r'<div class="warning" role="note">(.*?)</div>', glance, re.S)
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", note)).split())
        .replace(" :", ":")
        .replace(" ,", ",")
        for note in notes
        if "mati suri" not in note
    ]


@pytest.fixture
def mou_and_its_pks(kaltim, bali):
    """The Kesepakatan Bersama Kaltim–Bali runs to 30 June 2031; the PKS on tourism signed
    under it runs to the end of 2030, within it."""
    mou = AgreementFactory(
        title="Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        kind="mou",
        signed_on=datetime.date(2021, 3, 1),
        in_force_from=datetime.date(2021, 3, 1),
        expires_on=datetime.date(2031, 6, 30),
    )
    pks = AgreementFactory(
        title="PKS Pariwisata Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        kind="pks",
        follows=mou,
        relation="implements",
        signed_on=datetime.date(2022, 5, 10),
        in_force_from=datetime.date(2022, 5, 10),
        expires_on=datetime.date(2030, 12, 31),
    )
    return mou, pks


RUNS_PAST = (
    "PKS “PKS Pariwisata Kaltim–Bali” berlaku sampai 31 Desember 2033, melewati jangka waktu "
    "naskah yang dilaksanakannya, “Kesepakatan Bersama Kaltim–Bali”, yang berakhir pada 30 Juni "
    "2031. PKS semestinya tidak berlaku lebih lama daripada naskah yang dilaksanakannya: "
    "periksa tanggal berakhir keduanya, atau catat perpanjangan naskah itu."
)


def test_saving_a_pks_that_runs_past_its_mou_warns_the_clerk_naming_the_mou(
    staff_client, mou_and_its_pks
):
    """Saved within its MoU's term, the PKS is saved without a word; given an expiry after
    the MoU's, it is saved too (the bureau records what was signed), and the page the clerk
    is taken to says so, naming the MoU and the day it ends."""
    mou, pks = mou_and_its_pks
    response = staff_client.post(change_url(pks), agreement_form_data(pks), follow=True)
    assert warnings_on(response) == []
    data = agreement_form_data(pks, expires_on="2033-12-31", _continue="1")
    response = staff_client.post(change_url(pks), data, follow=True)
    assert response.redirect_chain[-1][0] == change_url(pks)
    assert warnings_on(response) == [RUNS_PAST]
    pks.refresh_from_db()
    assert pks.expires_on == datetime.date(2033, 12, 31)  # recorded, not refused


def test_a_pks_signed_after_its_mou_ended_is_told_so(staff_client, kaltim, bali):
    mou = AgreementFactory(
        title="Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        signed_on=datetime.date(2019, 3, 1),
        in_force_from=datetime.date(2019, 3, 1),
        expires_on=datetime.date(2024, 2, 29),
    )
    data = agreement_form_data(
        AgreementFactory.build(lead_region=kaltim),
        title="PKS Pariwisata Kaltim–Bali",
        kind="pks",
        regions=[kaltim.pk, bali.pk],
        follows=mou.pk,
        relation="implements",
        signed_on="2024-05-10",
        in_force_from="2024-05-10",
        expires_on="",
    )
    response = staff_client.post(reverse("admin:agreements_agreement_add"), data, follow=True)
    assert Agreement.objects.filter(title="PKS Pariwisata Kaltim–Bali").exists()
    assert warnings_on(response) == [
        "PKS “PKS Pariwisata Kaltim–Bali” ditandatangani pada 10 Mei 2024, setelah jangka waktu "
        "naskah yang dilaksanakannya, “Kesepakatan Bersama Kaltim–Bali”, berakhir pada 29 Februari "
        "2024. PKS semestinya ditandatangani dan berlaku dalam jangka waktu naskah yang "
        "dilaksanakannya: periksa tanggal keduanya, atau catat perpanjangan naskah itu."
    ]


def test_the_warning_in_english_says_a_date_known_to_its_month_is_in_that_month(
    mou_and_its_pks,
):
    """ "Signed in May 2024", not "signed on May 2024": English says "on" a day only."""
    mou, pks = mou_and_its_pks
    Agreement.objects.filter(pk=mou.pk).update(
        expires_on=datetime.date(2024, 2, 1), expires_on_precision="month"
    )
    Agreement.objects.filter(pk=pks.pk).update(
        signed_on=datetime.date(2024, 5, 1),
        signed_on_precision="month",
        in_force_from=datetime.date(2024, 5, 1),
    )
    chain = list(Agreement.objects.filter(pk=pks.pk).chains())
    pks = next(document for document in chain if document.pk == pks.pk)
    with translation.override("en"):
        warning = pks.runs_past_text_carried_out(chain).warning()
    assert warning.startswith(
        "The PKS “PKS Pariwisata Kaltim–Bali” was signed in May 2024, after the term of the "
        "text it carries out, “Kesepakatan Bersama Kaltim–Bali”, ended in February 2024."
    )


def test_shortening_an_mou_under_a_pks_warns_naming_the_pks(staff_client, mou_and_its_pks):
    """The other way round: the MoU's term cut to end before its PKS's, the MoU's save warns,
    naming the PKS; an extension signed to run past the PKS, it does not."""
    mou, pks = mou_and_its_pks
    data = agreement_form_data(mou, expires_on="2029-12-31", _continue="1")
    response = staff_client.post(change_url(mou), data, follow=True)
    assert warnings_on(response) == [
        "PKS “PKS Pariwisata Kaltim–Bali” berlaku sampai 31 Desember 2030, melewati jangka "
        "waktu naskah yang dilaksanakannya, “Kesepakatan Bersama Kaltim–Bali”, yang berakhir "
        "pada 31 Desember 2029. PKS semestinya tidak berlaku lebih lama daripada naskah yang "
        "dilaksanakannya: periksa tanggal berakhir keduanya, atau catat perpanjangan naskah "
        "itu."
    ]
    mou.refresh_from_db()
    AgreementFactory(
        title="Perpanjangan Kesepakatan Bersama Kaltim–Bali",
        lead_region=mou.lead_region,
        follows=mou,
        relation="extends",
        signed_on=datetime.date(2026, 1, 5),
        in_force_from=datetime.date(2030, 1, 1),
        expires_on=datetime.date(2034, 12, 31),
    )
    response = staff_client.post(change_url(mou), agreement_form_data(mou), follow=True)
    assert warnings_on(response) == []


def test_the_status_page_of_a_pks_running_past_its_mou_says_so(
    client, mou_and_its_pks, django_user_model
):
    """An official reads that the PKS runs past the MoU it carries out, naming it and the day
    it ends; the public only where the MoU is public. A PKS within its MoU's term, or one under
    an MoU extended past it, says nothing."""
    mou, pks = mou_and_its_pks
    assert glance_notes(client, pks) == []
    Agreement.objects.filter(pk=pks.pk).update(expires_on=datetime.date(2033, 12, 31))
    Agreement.objects.filter(pk=mou.pk).update(visibility="internal")
    assert glance_notes(client, pks) == []  # the public may not see the MoU
    client.force_login(make_official(django_user_model))
    told = (
        "PKS ini berlaku sampai 31 Desember 2033, melewati jangka waktu naskah yang "
        "dilaksanakannya, yang berakhir pada 30 Juni 2031: Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Berlaku"
    )
    assert glance_notes(client, pks) == [told]
    html = client.get(reverse("agreement-detail", args=[pks.pk])).content.decode()
    assert f'href="{mou.get_absolute_url()}"' in html
    client.logout()
    Agreement.objects.filter(pk=mou.pk).update(visibility="public")
    assert glance_notes(client, pks) == [told]
    AgreementFactory(
        title="Perpanjangan Kesepakatan Bersama Kaltim–Bali",
        lead_region=mou.lead_region,
        follows=mou,
        relation="extends",
        signed_on=datetime.date(2026, 1, 5),
        in_force_from=datetime.date(2031, 7, 1),
        expires_on=datetime.date(2036, 6, 30),
    )
    assert glance_notes(client, pks) == []


SIGNED_BEFORE = (
    "PKS “PKS Pariwisata Kaltim–Bali” ditandatangani pada 10 Januari 2021, sebelum naskah yang "
    "dilaksanakannya, “Kesepakatan Bersama Kaltim–Bali”, ditandatangani pada 1 Maret 2021. PKS "
    "melaksanakan naskah yang sudah ditandatangani: periksa tanggal penandatanganan keduanya."
)


def test_a_pks_signed_before_its_mou_is_told_so_on_its_page_and_at_the_save(
    client, staff_client, mou_and_its_pks
):
    """A PKS recorded signed in January under an MoU signed in March carries out a text that
    was not there yet: saved as recorded, the clerk is warned, and its page says so above the
    fold, naming the MoU and when it was signed. A PKS signed in the MoU's month, known to
    its month only, may have come after it, and is said nothing of."""
    mou, pks = mou_and_its_pks
    data = agreement_form_data(
        pks, signed_on="2021-01-10", in_force_from="2021-01-10", _continue="1"
    )
    response = staff_client.post(change_url(pks), data, follow=True)
    assert warnings_on(response) == [SIGNED_BEFORE]
    pks.refresh_from_db()
    assert pks.signed_on == datetime.date(2021, 1, 10)  # recorded, not refused
    assert glance_notes(client, pks) == [
        "PKS ini ditandatangani pada 10 Januari 2021, sebelum naskah yang dilaksanakannya "
        "ditandatangani pada 1 Maret 2021: Kesepakatan Bersama Kaltim–Bali "
        "Nota kesepahaman / kesepakatan bersama (MoU) · Berlaku"
    ]
    # The MoU's save warns too: it is its signing that came after.
    response = staff_client.post(
        change_url(mou), agreement_form_data(mou, _continue="1"), follow=True
    )
    assert warnings_on(response) == [SIGNED_BEFORE]
    Agreement.objects.filter(pk=pks.pk).update(
        signed_on=datetime.date(2021, 3, 1),
        signed_on_precision="month",
        in_force_from=datetime.date(2021, 3, 15),
    )
    assert glance_notes(client, pks) == []


# -- DPRD approval before the TKKSD review -------------------------------------------------------


def prepared_text(lead_region, **fields):
    """The add form of a sister-province text abroad being prepared, not yet signed."""
    partner = PartnerFactory(name="Pemerintah Provinsi Anhui")
    return agreement_form_data(
        AgreementFactory.build(lead_region=lead_region),
        title="Kerja sama Kalimantan Timur–Anhui",
        kind="sister_province",
        scope=Scope.KSDPL,
        status="preparation",
        regions=[lead_region.pk],
        partners=[partner.pk],
        signed_on="",
        in_force_from="",
        expires_on="",
        **fields,
    )


def with_review_and_approval(data, reviewed, approved):
    with_new_milestone(data, kind="tkksd", title="Rapat TKKSD", done_on=reviewed)
    return with_new_milestone(data, kind="dprd", title="Persetujuan DPRD", done_on=approved)


APPROVED_FIRST = (
    "Kerja sama “{title}”: Tahap “Persetujuan DPRD” tercatat terlaksana pada 3 Maret 2025, "
    "sebelum tahap “Pembahasan "
    "TKKSD” (2 April 2025), padahal DPRD memberi persetujuan setelah TKKSD membahas kerja sama "
    "itu. Periksa tanggal kedua tahapan itu; halaman status kerja sama ini menandai urutan "
    "tersebut."
)


def test_a_dprd_approval_dated_before_the_tkksd_review_is_told_not_refused(staff_client, kaltim):
    data = with_review_and_approval(prepared_text(kaltim), "2025-04-02", "2025-03-03")
    response = staff_client.post(reverse("admin:agreements_agreement_add"), data, follow=True)
    assert warnings_on(response) == [
        APPROVED_FIRST.format(title="Kerja sama Kalimantan Timur–Anhui")
    ]
    agreement = Agreement.objects.get()
    assert agreement.milestones.count() == 2  # saved as dated


def test_a_dprd_approval_after_the_tkksd_review_is_saved_without_a_word(staff_client, kaltim):
    data = with_review_and_approval(prepared_text(kaltim), "2025-03-03", "2025-04-02")
    response = staff_client.post(reverse("admin:agreements_agreement_add"), data, follow=True)
    assert warnings_on(response) == []
    assert Agreement.objects.get().milestones.count() == 2


def test_a_step_saved_on_its_own_page_out_of_order_is_told_too(staff_client, kaltim):
    """Its own page: the approval's date moved before the review, the clerk is warned on the
    list of steps the save leads to, which holds every agreement's steps, so the warning names
    the agreement; moved back after it, not."""
    agreement = AgreementFactory(
        title="Kesepakatan Bersama Kalimantan Timur–Anhui",
        lead_region=kaltim,
        status="preparation",
        signed_on=None,
        in_force_from=None,
    )
    agreement.expires_on = None
    agreement.save()
    MilestoneFactory(
        agreement=agreement, kind="tkksd", title="Rapat TKKSD", done_on=datetime.date(2025, 4, 2)
    )
    approval = MilestoneFactory(
        agreement=agreement,
        kind="dprd",
        title="Persetujuan DPRD",
        due_on=None,
        done_on=datetime.date(2025, 5, 6),
    )
    page = change_url(approval)
    form = {
        "agreement": agreement.pk,
        "kind": "dprd",
        "title": "Persetujuan DPRD",
        "due_on": "",
        "due_on_precision": "day",
        "done_on": "2025-03-03",
        "done_on_precision": "day",
        "waits_on": "",
        "mark": "",
        "pdln_number": "",
        "rating": "",
        "findings": "",
        "notes": "",
    }
    response = staff_client.post(page, form, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:agreements_milestone_changelist")
    assert warnings_on(response) == [
        APPROVED_FIRST.format(title="Kesepakatan Bersama Kalimantan Timur–Anhui")
    ]
    response = staff_client.post(page, dict(form, done_on="2025-05-06"), follow=True)
    assert warnings_on(response) == []


def test_the_stage_path_marks_an_approval_recorded_before_the_review(client, kaltim):
    """The path keeps the order of a cooperation's life and each step's date; the approval
    done before the review says so, naming the review and its date. In order, nothing."""
    agreement = AgreementFactory(
        lead_region=kaltim,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    review = MilestoneFactory(
        agreement=agreement, kind="tkksd", title="Rapat TKKSD", done_on=datetime.date(2025, 4, 2)
    )
    MilestoneFactory(
        agreement=agreement,
        kind="dprd",
        title="Persetujuan DPRD",
        due_on=None,
        done_on=datetime.date(2025, 3, 3),
    )

    def stages():
        html = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
        path = html.split('<ol class="stage-path">', 1)[1].split("</ol>", 1)[0]
        items = re.findall(r"<li[^>]*>(.*?)</li>", path, re.S)
        return {
            name: " ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split())
            .replace("( ", "(")
            .replace(" )", ")")
            for item in items
            for name in re.findall(r'<span class="stage-name">(.*?)</span>', item)
        }

    shown = stages()
    assert shown["Persetujuan DPRD"] == (
        "✓ Persetujuan DPRD dilalui 3 Maret 2025 · sebelum tahap “Pembahasan TKKSD” "
        "(2 April 2025), yang semestinya mendahuluinya"
    )
    assert shown["Pembahasan TKKSD"] == "✓ Pembahasan TKKSD dilalui 2 April 2025"
    Milestone.objects.filter(pk=review.pk).update(done_on=datetime.date(2025, 2, 3))
    assert stages()["Persetujuan DPRD"] == "✓ Persetujuan DPRD dilalui 3 Maret 2025"


# -- the same warnings in the import's preview ---------------------------------------------------

IMPORT_URL = "admin:agreements_agreement_import"


def preview(client, agreements, milestones=None):
    """The admin's preview of a JSON file of ``agreements`` (and ``milestones``)."""
    data = {"agreements": agreements, "milestones": milestones or []}
    file = SimpleUploadedFile(
        "kerjasama.json", json.dumps(data).encode(), content_type="application/json"
    )
    return client.post(reverse(IMPORT_URL), {"file": file})


def preview_warnings(response):
    """{row of the agreements sheet, or "sheet, row" of another: its warnings as read}, and
    whether the preview offers its confirmation."""
    assert response.status_code == 200
    html = response.content.decode()
    read = {}
    for number, cell in re.findall(r"<tr class=\"\w+\">\s*<td>(\d+)</td>(.*?)</tr>", html, re.S):
        warnings = re.findall(r'<li class="warning">(.*?)</li>', cell, re.S)
        if warnings:
            read[int(number)] = [" ".join(unescape(w).split()) for w in warnings]
    for sheet, number, warning in re.findall(
        r'<li class="warning">\s*Lembar (\w+), baris (\d+):(.*?)</li>', html, re.S
    ):
        read[f"{sheet}, {number}"] = [" ".join(unescape(warning).split())]
    return read


def confirm(client, response):
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post(reverse(IMPORT_URL), {"token": token})


def agreement_row(title, **fields):
    """A row of the agreements sheet: a KSDD text of Kalimantan Timur and Bali."""
    return {
        "reference": "",
        "title": title,
        "kind": "mou",
        "scope": "ksdd",
        "lead_region_code": "64",
        "region_codes": ["64", "51"],
        "signed_on": "",
        "in_force_from": "",
        "expires_on": "",
        "follows": "",
        "relation": "",
        **fields,
    }


def pks_row(expires_on, follows="Kesepakatan Bersama Kaltim–Bali"):
    return agreement_row(
        "PKS Pariwisata Kaltim–Bali",
        kind="pks",
        status="in_force",
        signed_on="2022-05-10",
        in_force_from="2022-05-10",
        expires_on=expires_on,
        follows=follows,
        relation="implements",
    )


def test_an_imported_pks_running_past_its_mou_is_told_in_the_preview_and_written(
    staff_client, kaltim, bali
):
    """The admin warned the clerk who saved a PKS outlasting its MoU; the import wrote it
    without a word. Its preview now says so at the PKS's row, in the admin's words, and
    confirming writes it all the same. Within the MoU's term, nothing is said."""
    AgreementFactory(
        title="Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        kind="mou",
        signed_on=datetime.date(2021, 3, 1),
        in_force_from=datetime.date(2021, 3, 1),
        expires_on=datetime.date(2031, 6, 30),
    )
    assert preview_warnings(preview(staff_client, [pks_row("2030-12-31")])) == {}

    response = preview(staff_client, [pks_row("2033-12-31")])

    assert preview_warnings(response) == {2: [RUNS_PAST]}
    assert "tetap ditulis bila impor dikonfirmasi" in response.content.decode()
    confirmed = confirm(staff_client, response)
    assert confirmed.status_code == 302
    pks = Agreement.objects.get(title="PKS Pariwisata Kaltim–Bali")
    assert pks.expires_on == datetime.date(2033, 12, 31)  # recorded, not refused
    # And once written, the list it leads to says which row to check.
    assert warnings_on(staff_client.get(confirmed.url)) == [
        "1 baris ditulis dengan peringatan yang ditampilkan di pratinjau: baris 2. Periksa "
        "tanggalnya."
    ]


def test_an_mou_and_its_pks_of_one_file_are_read_together(staff_client, kaltim, bali):
    """Both new, in one file: the MoU's row ending before its PKS's, the PKS's row is told of
    it, and the MoU's, whose term the PKS runs past."""
    mou = agreement_row(
        "Kesepakatan Bersama Kaltim–Bali",
        status="in_force",
        signed_on="2021-03-01",
        in_force_from="2021-03-01",
        expires_on="2031-06-30",
    )

    response = preview(staff_client, [pks_row("2033-12-31"), mou])

    assert preview_warnings(response) == {2: [RUNS_PAST], 3: [RUNS_PAST]}


def step(kind, title, done_on, agreement="Kerja sama Kalimantan Timur–Bali"):
    return {
        "agreement_reference": "",
        "agreement_title": agreement,
        "agreement_lead_region_code": "64",
        "kind": kind,
        "title": title,
        "due_on": "",
        "done_on": done_on,
    }


def test_an_imported_approval_before_the_review_is_told_in_the_preview_and_written(
    staff_client, kaltim, bali
):
    """A file recording the DPRD's approval before the TKKSD's review: the preview says so at
    the agreement's row, in the admin's words, and confirming writes both steps as dated. In
    order, nothing is said."""
    text = agreement_row("Kerja sama Kalimantan Timur–Bali", status="preparation")
    in_order = [
        step("tkksd", "Rapat TKKSD", "2025-03-03"),
        step("dprd", "Persetujuan DPRD", "2025-04-02"),
    ]
    assert preview_warnings(preview(staff_client, [text], in_order)) == {}

    out_of_order = [
        step("tkksd", "Rapat TKKSD", "2025-04-02"),
        step("dprd", "Persetujuan DPRD", "2025-03-03"),
    ]
    response = preview(staff_client, [text], out_of_order)

    told = APPROVED_FIRST.format(title="Kerja sama Kalimantan Timur–Bali")
    assert preview_warnings(response) == {2: [told]}
    assert confirm(staff_client, response).status_code == 302
    agreement = Agreement.objects.get(title="Kerja sama Kalimantan Timur–Bali")
    assert agreement.milestones.count() == 2  # saved as dated


def test_an_approval_imported_before_a_stored_review_is_told_at_its_own_row(
    staff_client, kaltim, bali
):
    """The agreement stored, its row of the file unchanged: the row of the milestones sheet
    recording the approval is told, as the admin's page of a step is."""
    agreement = AgreementFactory(
        title="Kerja sama Kalimantan Timur–Bali",
        lead_region=kaltim,
        regions=[bali],
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(
        agreement=agreement, kind="tkksd", title="Rapat TKKSD", done_on=datetime.date(2025, 4, 2)
    )

    text = agreement_row("Kerja sama Kalimantan Timur–Bali", status="preparation")
    response = preview(staff_client, [text], [step("dprd", "Persetujuan DPRD", "2025-03-03")])

    assert re.search(r'<tr class="unchanged">\s*<td>2</td>', response.content.decode())
    told = APPROVED_FIRST.format(title="Kerja sama Kalimantan Timur–Bali")
    assert preview_warnings(response) == {"milestones, 2": [told]}
    confirmed = confirm(staff_client, response)
    assert warnings_on(staff_client.get(confirmed.url)) == [
        "1 baris ditulis dengan peringatan yang ditampilkan di pratinjau: baris 2 (lembar "
        "milestones). Periksa tanggalnya."
    ]


def test_the_command_line_import_tells_the_warnings_and_writes(kaltim, bali, tmp_path):
    """``manage.py import_agreements`` says the same at the row, and writes the file."""
    AgreementFactory(
        title="Kesepakatan Bersama Kaltim–Bali",
        lead_region=kaltim,
        regions=[bali],
        kind="mou",
        signed_on=datetime.date(2021, 3, 1),
        in_force_from=datetime.date(2021, 3, 1),
        expires_on=datetime.date(2031, 6, 30),
    )
    path = tmp_path / "kerjasama.json"
    path.write_text(json.dumps({"agreements": [pks_row("2033-12-31")]}))
    told = io.StringIO()

    call_command("import_agreements", str(path), stdout=io.StringIO(), stderr=told)

    assert " ".join(told.getvalue().split()) == f"baris 2 (peringatan): {RUNS_PAST}"
    assert Agreement.objects.filter(title="PKS Pariwisata Kaltim–Bali").exists()


@pytest.fixture
def mou_and_its_extension(kaltim):
    """The MoU of Kaltim with the city of Ho Chi Minh, 2020–2025, extended in 2025 to 2099."""
    partner = PartnerFactory(name="Komite Rakyat Kota Ho Chi Minh")
    mou = AgreementFactory(
        title="MoU Kaltim–Kota Ho Chi Minh",
        lead_region=kaltim,
        scope=Scope.KSDPL,
        partners=[partner],
        kind="mou",
        status="in_force",
        signed_on=datetime.date(2020, 2, 14),
        in_force_from=datetime.date(2020, 2, 14),
        expires_on=datetime.date(2025, 2, 13),
    )
    extension = AgreementFactory(
        title="Perpanjangan MoU Kaltim–Kota Ho Chi Minh",
        lead_region=kaltim,
        scope=Scope.KSDPL,
        partners=[partner],
        kind="mou",
        status="in_force",
        follows=mou,
        relation="extends",
        signed_on=datetime.date(2025, 2, 10),
        in_force_from=datetime.date(2025, 2, 14),
        expires_on=datetime.date(2099, 2, 13),
    )
    return mou, extension


def test_terminating_an_mou_whose_extension_is_in_force_warns_to_end_the_extension_too(
    staff_client, mou_and_its_extension
):
    """The clerk records the MoU's early ending on the MoU: saved, but the extension it goes on
    in still said "Berlaku" to 2099 on its page, and the MoU's page that the cooperation goes
    on there. The save says so, naming the extension; once the extension is ended too, no
    more."""
    mou, extension = mou_and_its_extension
    data = with_new_milestone(
        agreement_form_data(mou, status="terminated", _continue="1"),
        kind="termination",
        title="Pengakhiran sepihak oleh Kota Ho Chi Minh",
        done_on="2026-09-15",
    )
    response = staff_client.post(change_url(mou), data, follow=True)
    mou.refresh_from_db()
    assert mou.status == "terminated"  # recorded, not refused
    assert [told.replace(" ,", ",") for told in warnings_on(response)] == [
        "Naskah ini dicatat diakhiri, tetapi perpanjangannya, “Perpanjangan MoU Kaltim–Kota Ho "
        "Chi Minh”, masih tercatat “Berlaku” sampai 13 Februari 2099: halaman status "
        "perpanjangan itu tetap menyebutnya demikian, dan halaman naskah ini menyebut kerja "
        "samanya berlanjut di sana. Bila pengakhiran ini mengakhiri kerja samanya, catat juga "
        "pengakhirannya pada perpanjangan itu (tahapan “Pengakhiran” dan status “Diakhiri”)."
    ]
    assert f'href="{change_url(extension)}"' in response.content.decode()
    ending = with_new_milestone(
        agreement_form_data(extension, status="terminated"),
        kind="termination",
        title="Pengakhiran sepihak oleh Kota Ho Chi Minh",
        done_on="2026-09-15",
    )
    assert staff_client.post(change_url(extension), ending).status_code == 302
    mou.refresh_from_db()
    response = staff_client.post(change_url(mou), agreement_form_data(mou), follow=True)
    assert warnings_on(response) == []


def test_the_warning_says_what_the_page_of_an_extension_signed_not_yet_in_force_says(
    staff_client, client, mou_and_its_extension
):
    """An extension signed, with no date in force yet, shows "Ditandatangani" on its page:
    the MoU's termination warns of it in those words, never that its page calls the
    cooperation in force, which the official opening it would not find there."""
    mou, extension = mou_and_its_extension
    Agreement.objects.filter(pk=extension.pk).update(status="signed", in_force_from=None)
    data = agreement_form_data(mou, status="terminated", _continue="1")
    data = with_new_milestone(data, kind="termination", title="Pengakhiran", done_on="2026-09-15")

    response = staff_client.post(change_url(mou), data, follow=True)

    (told,) = warnings_on(response)
    assert "masih tercatat “Ditandatangani” sampai 13 Februari 2099" in told
    assert "berlaku" not in told
    page = client.get(reverse("agreement-detail", args=[extension.pk])).content.decode()
    assert "Ditandatangani" in page
