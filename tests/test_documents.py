"""Signed documents: only complete PDFs within the size limit get in, by every way in the admin
(the document admin and the agreement's inline), and they are stored under MEDIA_ROOT and read
back through the download that checks who may see them."""

import datetime
import os
import re
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from agreements.models import Agreement, Document
from tests.factories import AgreementFactory, DocumentFactory

pytestmark = pytest.mark.django_db

DOCUMENT_ADD = reverse("admin:agreements_document_add")

# The first bytes of a real PNG image (signature and the start of its header chunk).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def small_pdf(padding=0):
    """A complete one-page PDF (A4, blank) with a correct cross-reference table.

    ``padding`` adds a comment of that many bytes, to make a file as large as a test needs.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if padding:
        pdf += b"%" + b"x" * padding + b"\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def agreement(kaltim):
    return AgreementFactory(lead_region=kaltim, title="MoU Kaltim–Anhui")


def document_form(agreement, file, **fields):
    return {
        "agreement": agreement.pk,
        "title": "Naskah MoU yang ditandatangani",
        "kind": Document.Kind.SIGNED_TEXT,
        "language": Document.Language.BILINGUAL,
        "file": file,
        **fields,
    }


def file_errors(response):
    """The messages shown beside the file field of the document admin's form."""
    assert response.status_code == 200, "the form should be shown again, not saved"
    return response.context["adminform"].form.errors.get("file", [])


# -- the document admin ------------------------------------------------------------------------


def test_staff_upload_a_real_pdf_and_anyone_who_may_see_the_agreement_downloads_it(
    staff_client, client, agreement
):
    content = small_pdf()

    response = staff_client.post(DOCUMENT_ADD, document_form(agreement, upload("mou.pdf", content)))

    assert response.status_code == 302
    document = Document.objects.get(agreement=agreement)
    download = client.get(reverse("document-download", args=[agreement.pk, document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize("name", ["naskah.html", "naskah.svg", "naskah", "naskah.PDF.exe"])
def test_an_accepted_document_is_stored_and_served_as_a_pdf_whatever_its_name(
    staff_client, client, agreement, name
):
    # A complete PDF inside, so it is accepted; the name it came with says nothing of it.
    content = small_pdf()
    response = staff_client.post(
        DOCUMENT_ADD, document_form(agreement, upload(name, content, "text/html"))
    )
    assert response.status_code == 302

    document = Document.objects.get(agreement=agreement)
    assert document.file.name.endswith(".pdf")
    download = client.get(reverse("document-download", args=[agreement.pk, document.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].endswith('.pdf"')
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize(
    "name, stored",
    [
        (".pdf", "pdf.pdf"),
        (".naskah.pdf", "naskah.pdf"),
        # Characters a stored name cannot hold are dropped: what is left must not begin with a
        # dot either, nor be nothing at all.
        ("(.naskah).pdf", "naskah.pdf"),
        ("!!!.pdf", "dokumen.pdf"),
        ("«» .pdf", "dokumen.pdf"),
    ],
)
def test_a_document_named_as_a_hidden_file_is_stored_and_served_under_a_visible_name(
    staff_client, client, agreement, name, stored
):
    """A name that begins with a dot hides the file on the server and on the reader's
    computer once downloaded (".pdf.pdf")."""
    response = staff_client.post(DOCUMENT_ADD, document_form(agreement, upload(name, small_pdf())))
    assert response.status_code == 302

    document = Document.objects.get(agreement=agreement)
    assert os.path.basename(document.file.name) == stored


def test_a_scan_with_a_long_name_is_stored_under_a_name_that_fits(staff_client, client, agreement):
    """Scanners and mail attachments give long names; the register stores the file under a
    name of its own making, so the name it came with is never a reason to refuse it."""
    name = "Scan_Nota_Kesepahaman_Pemerintah_Provinsi_Kalimantan_Timur_dan_Pemerintah_" * 3
    response = staff_client.post(
        DOCUMENT_ADD, document_form(agreement, upload(f"{name}.pdf", small_pdf()))
    )
    assert response.status_code == 302, file_errors(response)

    document = Document.objects.get(agreement=agreement)
    stored = document.file.name
    assert len(stored) <= Document._meta.get_field("file").max_length
    assert os.path.basename(stored).startswith("Scan_Nota_Kesepahaman_")
    assert stored.endswith(".pdf")
    download = client.get(reverse("document-download", args=[agreement.pk, document.pk]))
    assert download.status_code == 200
    download.close()


def test_a_document_stored_under_another_extension_is_served_as_a_pdf(client, agreement):
    # Uploaded before every document was stored as .pdf.
    document = DocumentFactory(agreement=agreement)
    old_name = default_storage.save("documents/2020/lama.html", ContentFile(small_pdf()))
    Document.objects.filter(pk=document.pk).update(file=old_name)

    download = client.get(reverse("document-download", args=[agreement.pk, document.pk]))

    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'inline; filename="Naskah MoU.pdf"'
    download.close()


def download_name(client, document):
    """The name the browser saves ``document``'s download under, as its header gives it."""
    download = client.get(reverse("document-download", args=[document.agreement_id, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # read whole, then closed
    disposition = download["Content-Disposition"]
    assert disposition.startswith("inline; ")
    if "filename*=utf-8''" in disposition:
        return unquote(disposition.split("filename*=utf-8''", 1)[1])
    return re.fullmatch(r'inline; filename="(.*)"', disposition).group(1)


def test_a_document_is_downloaded_under_its_agreement_and_title_not_its_stored_name(
    staff_client, client, agreement
):
    """Two scans both called "naskah.pdf": the second is stored as "naskah_<random>.pdf",
    and was downloaded so. Each is downloaded under its agreement's reference and its title,
    as the page lists it."""
    agreement.reference = "075/12/KSD/2023"
    agreement.save()
    for title in ("Naskah MoU yang ditandatangani", "Lampiran rencana kerja"):
        response = staff_client.post(
            DOCUMENT_ADD, document_form(agreement, upload("naskah.pdf", small_pdf()), title=title)
        )
        assert response.status_code == 302, file_errors(response)
    first, second = Document.objects.filter(agreement=agreement).order_by("pk")
    assert os.path.basename(first.file.name) == "naskah.pdf"
    assert os.path.basename(second.file.name).startswith("naskah_")

    assert download_name(client, first) == "075-12-KSD-2023 - Naskah MoU yang ditandatangani.pdf"
    assert download_name(client, second) == "075-12-KSD-2023 - Lampiran rencana kerja.pdf"
    # The clerk's form links the file by the name it is downloaded under, not the stored one.
    form = staff_client.get(reverse("admin:agreements_document_change", args=[second.pk]))
    widget = form.content.decode().split("file-upload", 1)[1]
    link = re.search(r'<a href="([^"]+)">([^<]*)</a>', widget)
    assert link.groups() == (
        reverse("document-download", args=[agreement.pk, second.pk]),
        "075-12-KSD-2023 - Lampiran rencana kerja.pdf",
    )


@pytest.mark.parametrize(
    ("reference", "title", "name"),
    [
        ("", "Naskah MoU", "Naskah MoU.pdf"),
        # Another script is kept, sent as RFC 6266 and 5987 say (filename*=utf-8'').
        ("", "Naskah MoU Kaltim–Anhui 安徽省", "Naskah MoU Kaltim–Anhui 安徽省.pdf"),
        # No folder, nothing Windows refuses, no hidden file, no line break.
        ("B\\12/2024", '../naskah: "final" <v2>?*|', "B-12-2024 - ..-naskah final v2.pdf"),
        ("", "...naskah\tbaru\n ", "naskah baru.pdf"),
        ("", "???", "Naskah yang ditandatangani.pdf"),
        ("", "Naskah " * 40, ("Naskah " * 40)[:150].strip() + ".pdf"),
        # A title copied from the scan's name ends with it once, not "….pdf.pdf".
        ("12/2024", "Naskah MoU.PDF", "12-2024 - Naskah MoU.pdf"),
        ("", "naskah.pdf", "naskah.pdf"),
    ],
)
def test_a_documents_download_name_is_one_any_disk_takes(client, agreement, reference, title, name):
    Agreement.objects.filter(pk=agreement.pk).update(reference=reference)
    document = DocumentFactory(agreement=agreement, title=title)

    assert download_name(client, document) == name


@pytest.mark.parametrize("name", ["documents/2020", "documents/2020/missing.pdf"])
def test_a_document_whose_file_is_a_folder_or_missing_is_not_found(client, agreement, name):
    """The import's documents sheet names a stored file without uploading it: a name that
    reaches a folder, or nothing, is a document whose file is not found, not a server error."""
    default_storage.save("documents/2020/lama.pdf", ContentFile(small_pdf()))
    document = DocumentFactory(agreement=agreement)
    Document.objects.filter(pk=document.pk).update(file=name)

    download = client.get(reverse("document-download", args=[agreement.pk, document.pk]))

    assert download.status_code == 404


def test_uploaded_pdf_is_stored_under_media_root_never_with_the_static_files(
    staff_client, agreement
):
    staff_client.post(DOCUMENT_ADD, document_form(agreement, upload("mou.pdf", small_pdf())))

    stored = Document.objects.get().file.path
    assert stored.startswith(str(settings.MEDIA_ROOT))
    assert not stored.startswith(str(settings.STATIC_ROOT))
    assert all(not stored.startswith(str(folder)) for folder in settings.STATICFILES_DIRS)


def test_text_file_renamed_to_pdf_is_refused_with_a_message_in_indonesian(staff_client, agreement):
    fake = upload("naskah.pdf", b"Ini hanya catatan, bukan naskah yang dipindai.\n")

    response = staff_client.post(DOCUMENT_ADD, document_form(agreement, fake))

    [message] = file_errors(response)
    assert "bukan PDF" in message
    assert not Document.objects.exists()


def test_png_sent_as_application_pdf_is_refused(staff_client, agreement):
    scan = upload("scan.pdf", PNG + b"\x00" * 200, content_type="application/pdf")

    response = staff_client.post(DOCUMENT_ADD, document_form(agreement, scan))

    [message] = file_errors(response)
    assert "bukan PDF" in message
    assert not Document.objects.exists()


def test_pdf_cut_off_before_its_end_is_refused(staff_client, agreement):
    content = small_pdf()
    cut = upload("mou.pdf", content[: len(content) // 2])

    response = staff_client.post(DOCUMENT_ADD, document_form(agreement, cut))

    [message] = file_errors(response)
    assert "tidak utuh" in message
    assert not Document.objects.exists()


def test_pdf_over_the_size_limit_is_refused_and_the_message_names_the_limit(
    staff_client, agreement, settings
):
    settings.DOCUMENT_MAX_BYTES = 50_000
    large = upload("mou-300dpi.pdf", small_pdf(padding=60_000))

    response = staff_client.post(DOCUMENT_ADD, document_form(agreement, large))

    [message] = file_errors(response)
    assert "terlalu besar" in message
    assert "48,8\xa0KB" in message or "48.8\xa0KB" in message  # the limit, as people read sizes
    assert not Document.objects.exists()


def test_pdf_just_within_the_size_limit_is_accepted(staff_client, agreement, settings):
    content = small_pdf(padding=10_000)
    settings.DOCUMENT_MAX_BYTES = len(content)

    response = staff_client.post(DOCUMENT_ADD, document_form(agreement, upload("mou.pdf", content)))

    assert response.status_code == 302
    assert Document.objects.get().file.size == len(content)


def test_default_size_limit_is_twenty_megabytes():
    assert settings.DOCUMENT_MAX_BYTES == 20 * 1024 * 1024


def test_changing_a_title_does_not_ask_for_the_file_again(staff_client, agreement):
    """A document already stored is not re-checked: its file passed when it came in."""
    document = DocumentFactory(agreement=agreement, title="Draf")
    change = reverse("admin:agreements_document_change", args=[document.pk])

    response = staff_client.post(change, document_form(agreement, "", title="Naskah final"))

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Naskah final"


def uploaded_long_ago(agreement, title="Draf"):
    """A document whose file came in on 2 January 2025."""
    document = DocumentFactory(agreement=agreement, title=title)
    Document.objects.filter(pk=document.pk).update(
        uploaded_at=datetime.datetime(2025, 1, 2, 3, 0, tzinfo=datetime.UTC)
    )
    return document


def uploaded_on_status_page(client, agreement):
    """The "Diunggah" (uploaded) cells of the agreement's status page's documents table."""
    page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    table = page.split('id="documents-heading"', 1)[1].split("</table>", 1)[0]
    return [" ".join(row.split()) for row in re.findall(r"<td>([^<]*)</td>\s*</tr>", table)]


def test_a_file_replaced_on_its_page_is_said_to_be_uploaded_when_it_came(
    staff_client, client, agreement
):
    """The signed scan put in place of the draft a month later: the status page and the
    downloads say when the file now held came in, not when the draft did."""
    document = uploaded_long_ago(agreement)
    change = reverse("admin:agreements_document_change", args=[document.pk])
    today = date_format(timezone.localdate(), "DATE_FORMAT")

    kept = staff_client.post(change, document_form(agreement, "", title="Draf kedua"))
    assert kept.status_code == 302
    assert uploaded_on_status_page(client, agreement) == ["2 Januari 2025"]

    replaced = staff_client.post(
        change, document_form(agreement, upload("naskah ttd.pdf", small_pdf()), title="Naskah")
    )

    assert replaced.status_code == 302
    assert uploaded_on_status_page(client, agreement) == [today]


def test_a_deleted_or_replaced_documents_file_leaves_the_server_once_committed(
    staff_client, agreement, django_capture_on_commit_callbacks
):
    """A scan uploaded to the wrong agreement and deleted stayed on the server, and in every
    backup of it, though nothing linked to it any more; so did the draft a signed scan
    replaced. Each leaves once its change is committed: on its own, several at once, or with
    its agreement. A change rolled back keeps the file."""

    def uploaded(name):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                DOCUMENT_ADD, document_form(agreement, upload(name, small_pdf()), title=name)
            )
        assert response.status_code == 302, file_errors(response)
        return Document.objects.get(title=name)

    def stored(document):
        return default_storage.exists(document.file.name)

    draft = uploaded("draf.pdf")
    change = reverse("admin:agreements_document_change", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        replaced = staff_client.post(
            change, document_form(agreement, upload("naskah.pdf", small_pdf()), title="Naskah")
        )
    assert replaced.status_code == 302
    signed = Document.objects.get(pk=draft.pk)
    assert (stored(draft), stored(signed)) == (False, True)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = staff_client.post(
            reverse("admin:agreements_document_delete", args=[signed.pk]), {"post": "yes"}
        )
    assert deleted.status_code == 302
    assert not stored(signed)

    kept = uploaded("lampiran.pdf")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Document.objects.filter(pk=kept.pk).delete()
        raise RuntimeError("rolled back")
    assert Document.objects.filter(pk=kept.pk).exists()
    assert stored(kept)
    with django_capture_on_commit_callbacks(execute=True):
        Agreement.objects.filter(pk=agreement.pk).delete()
    assert not stored(kept)


# -- the agreement's inline --------------------------------------------------------------------


def as_posted(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [as_posted(item) for item in value]
    return str(value)


def change_form_data(response):
    """What the agreement's change page posts back when nothing is changed, as a browser would
    send it: the form's values and each inline's management form and rows."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is False:
            continue  # an unticked checkbox is not sent
        data[form.add_prefix(name)] = "on" if value is True else as_posted(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = as_posted(
                formset.management_form[name].value()
            )
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if value is not False:
                    data[row.add_prefix(name)] = "on" if value is True else as_posted(value)
    return data


def post_inline_document(staff_client, agreement, file, **changes):
    """The agreement's change form posted back with a new document row holding ``file``, and
    the form's own fields changed by ``changes``."""
    change = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = change_form_data(staff_client.get(change))
    data.update(
        {
            "documents-TOTAL_FORMS": str(int(data["documents-TOTAL_FORMS"]) + 1),
            "documents-0-title": "Naskah PKS",
            "documents-0-kind": Document.Kind.SIGNED_TEXT,
            "documents-0-language": Document.Language.INDONESIAN,
            "documents-0-file": file,
            "documents-0-agreement": agreement.pk,
            **changes,
        }
    )
    return staff_client.post(change, data)


def new_row_file_error(response):
    """The one message at the file of the new document row of the page that came back."""
    [documents] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "documents"
    ]
    [message] = documents.forms[0].errors["file"]
    return message


def test_a_file_replaced_in_the_agreement_form_is_said_to_be_uploaded_when_it_came(
    staff_client, client, agreement
):
    uploaded_long_ago(agreement)
    change = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = change_form_data(staff_client.get(change))
    data["documents-0-file"] = upload("naskah ttd.pdf", small_pdf())

    response = staff_client.post(change, data)

    assert response.status_code == 302
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert uploaded_on_status_page(client, agreement) == [today]


def test_inline_on_the_agreement_page_refuses_a_text_file_named_pdf(staff_client, agreement):
    response = post_inline_document(staff_client, agreement, upload("pks.pdf", b"bukan pdf\n"))

    assert response.status_code == 200
    message = new_row_file_error(response)
    assert "bukan PDF" in message
    assert "bukan PDF" in response.content.decode()
    assert not Document.objects.exists()


def test_inline_on_the_agreement_page_accepts_a_real_pdf(staff_client, agreement):
    response = post_inline_document(staff_client, agreement, upload("pks.pdf", small_pdf()))

    assert response.status_code == 302, response.context and [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]
    ]
    assert Agreement.objects.get().documents.get().title == "Naskah PKS"


def test_a_scan_attached_beside_a_mistake_is_asked_for_again_at_its_row(staff_client, agreement):
    """The page comes back for a mistake elsewhere (the title left empty): the scan chosen on
    the document row is not kept by any browser, so the row says to choose it again, and
    nothing was saved."""
    response = post_inline_document(
        staff_client, agreement, upload("pks.pdf", small_pdf()), title=""
    )

    assert response.status_code == 200
    message = new_row_file_error(response)
    assert "Pilih berkasnya lagi" in message
    assert "Pilih berkasnya lagi" in response.content.decode()
    assert not Document.objects.exists()


def test_the_file_pickers_of_a_document_offer_pdfs(staff_client, agreement):
    """A document is accepted as a PDF only: the picker on its own form and in its agreement's
    table offers PDFs, rather than a .docx refused once the whole form is sent."""
    pages = [
        reverse("admin:agreements_document_add"),
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
    ]
    for page in pages:
        html = staff_client.get(page).content.decode()
        pickers = re.findall(r'<input type="file"[^>]*>', html)
        assert pickers, page
        assert all('accept="application/pdf,.pdf"' in picker for picker in pickers), pickers
