"""Checks on uploaded signed documents.

A document is accepted by what it contains, not by its name or by the content type the browser
sent: both are whatever the uploader's computer says. A PDF starts with ``%PDF-`` and a version,
and ends with a cross-reference pointer and ``%%EOF``; a file without both ends is not a PDF a
reader can open.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
# Readers look for the end marker within the last kilobyte (ISO 32000: trailing bytes after
# %%EOF, such as a newline or padding, are tolerated).
PDF_TAIL_BYTES = 1024


def _read_ends(file):
    """The first bytes and the last kilobyte of an uploaded file, leaving it rewound."""
    file.seek(0)
    head = file.read(16)
    size = file.size
    file.seek(max(0, size - PDF_TAIL_BYTES))
    tail = file.read(PDF_TAIL_BYTES)
    file.seek(0)
    return head, tail


def validate_document_size(file):
    limit = settings.DOCUMENT_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _(
                "Berkas terlalu besar (%(size)s). Ukuran paling besar yang diterima adalah "
                "%(limit)s; perkecil berkas PDF-nya (misalnya pindai ulang dengan resolusi lebih "
                "rendah) lalu unggah lagi."
            ),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def validate_pdf(file):
    """Refuse anything that is not a complete PDF file, whatever its name says."""
    if file.size == 0:
        raise ValidationError(_("Berkas kosong. Unggah naskah dalam bentuk PDF."), code="empty")
    head, tail = _read_ends(file)
    if not PDF_HEADER.match(head):
        raise ValidationError(
            _(
                "Berkas ini bukan PDF: isinya tidak diawali penanda PDF, apa pun nama atau "
                "ekstensinya. Simpan atau ekspor naskah sebagai PDF lalu unggah lagi."
            ),
            code="not_pdf",
        )
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise ValidationError(
            _(
                "Berkas PDF ini tidak utuh (akhir berkasnya tidak ada): mungkin unggahan atau "
                "unduhannya terputus. Buka berkasnya untuk memeriksa, lalu unggah lagi."
            ),
            code="truncated_pdf",
        )


def validate_document_file(file):
    """Every check an uploaded document passes, size first so a huge file is not read."""
    validate_document_size(file)
    validate_pdf(file)


# A phone as people write one: its digits, after a + and the country code or not, grouped by
# spaces, hyphens, dots or an area code in brackets ("+62 541 736123", "(0541) 736 123",
# "0812-3456-7890"), then an extension, if any ("ext. 12", "psw. 12").
PHONE = re.compile(
    r"(?P<number>\+?\s*(?:\(\+?[0-9][0-9 ]*\)|[0-9])(?:[\s.-]*(?:\([0-9][0-9 ]*\)|[0-9]))*)"
    r"(?:\s*(?:,\s*)?(?:ext|ekst|ex|x|psw|pes|pesawat)\.?\s*[0-9]{1,6})?",
    re.IGNORECASE,
)
# How many digits a phone has: from a service number (112, 14045) to the longest number the
# international plan allows (ITU-T E.164: fifteen) with the 0 dialled before it at home.
PHONE_DIGITS = range(3, 17)


def validate_phone(value):
    """Refuse what is not a phone number ("tanya pak budi"), wherever a contact's phone is
    entered: the admin's form and the import (``Contact.phone``)."""
    match = PHONE.fullmatch(value.strip())
    if match is None or len(re.sub(r"[^0-9]", "", match["number"])) not in PHONE_DIGITS:
        raise ValidationError(
            _(
                "“%(value)s” bukan nomor telepon. Tulis angkanya, boleh diawali + dan kode "
                "negara, dengan spasi, tanda hubung atau kode wilayah dalam kurung, mis. "
                "+62 541 736123, (0541) 736 123 atau 0812-3456-7890; nomor pesawat di "
                "belakangnya, mis. ext. 12."
            ),
            code="phone",
            params={"value": value},
        )
