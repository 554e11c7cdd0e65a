"""Text every page, feed and spreadsheet can hold.

XML 1.0 (the Atom feeds), a spreadsheet's cells and PostgreSQL's text (which refuses NUL) cannot
hold the C0 control characters other than tab, line feed and carriage return. Pasted from a word
processor, a title or a summary can carry one (a soft line break is a vertical tab): stored, it
broke every feed that lists the record, and the change log's feeds for good, since the record's
history keeps it. So text is refused with a message naming the character wherever it is
entered (``PrintableText`` on the models, the import's reading of a file), and the feeds leave
out any such character already stored (``printable``). Invisible characters that reverse or
split text unseen are refused where text is entered too (``INVISIBLE_FORMATTING``).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The C0 controls but tab, line feed and carriage return, the halves of a surrogate pair standing
# alone (no UTF-8 text holds one: a JSON file can write one as "\ud800"), and the two
# non-characters XML refuses.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Invisible characters that change how the text around them reads: the bidirectional embeddings,
# overrides and isolates (a right-to-left override shows a title backwards in every list, and can
# make one title pass for another), the zero-width space and the byte order mark (a word with one
# inside looks whole and is never found by a search). Pages could show them; nobody would see
# them. The marks a right-to-left script needs (U+200E, U+200F) and the joiners (U+200C, U+200D)
# are kept.
INVISIBLE_FORMATTING = re.compile("[\u200b\u202a-\u202e\u2066-\u2069\ufeff]")


def control_character_message(text):
    """What to tell whoever typed ``text``, if it holds a character no page can show, or one
    that would change unseen how it reads; else None."""
    found = CONTROL_CHARACTERS.search(text)
    if found is not None:
        return _(
            "Teks ini memuat karakter kendali U+%(code)04X (tidak tampak, biasanya terbawa saat "
            "menyalin dari pengolah kata), yang tidak dapat ditampilkan atau diunduh. Hapus "
            "karakter itu, atau ketik ulang bagian teks tersebut."
        ) % {"code": ord(found.group())}
    found = INVISIBLE_FORMATTING.search(text)
    if found is not None:
        return _(
            "Teks ini memuat karakter tak tampak U+%(code)04X (pengatur arah tulisan atau spasi "
            "tanpa lebar, biasanya terbawa saat menyalin), yang membalik atau memenggal teks "
            "tanpa terlihat. Hapus karakter itu, atau ketik ulang bagian teks tersebut."
        ) % {"code": ord(found.group())}
    return None


def refuse_hidden_characters(text):
    """A form field's validator: ``control_character_message`` as a ``ValidationError``. A
    search typed with one would be kept, in a followed selection's name, to reverse or cut the
    text around it on the reader's page and in their mail."""
    message = control_character_message(text)
    if message is not None:
        raise ValidationError(message, code="control_character")


# The most characters one cell of a spreadsheet holds (XLSX, and Excel): a longer text exported
# would open only to be repaired, cut, and would not come back whole through the import.
CELL_LIMIT = 32_767

# A spreadsheet runs a cell beginning with one of these as a formula (CSV injection). Such a cell
# is written with a leading apostrophe; so is a value that itself begins with an apostrophe, so
# the importer can strip exactly one leading apostrophe and get the value back unchanged
# (``agreements.export_columns.neutralise``).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
# Formula triggers and the neutraliser are all one character long: a set of first characters.
NEEDS_NEUTRALISER = frozenset((*FORMULA_TRIGGERS, NEUTRALISER))


def cell_limit(text):
    """The most characters ``text`` may have to fit the cell the downloads write it in: one
    fewer when they write it after an apostrophe (a summary pasted as a list, "- …")."""
    return CELL_LIMIT - 1 if text[:1] in NEEDS_NEUTRALISER else CELL_LIMIT


def too_long_message(text):
    """What to tell whoever typed ``text``, if a spreadsheet cell cannot hold it; else None."""
    return longer_than(
        text,
        cell_limit(text),
        gettext_lazy(
            "Teks ini terlalu panjang untuk satu sel spreadsheet: %(length)s karakter, paling "
            "banyak %(limit)s. Persingkat teksnya; naskah lengkap dapat diunggah sebagai dokumen."
        ),
    )


# Several values in one cell (of a spreadsheet, of a CSV file) are joined by "; ", a ";" or "\"
# inside a value escaped with a backslash, so a partner called "A; B" survives the round trip
# (docs/data-dictionary.md). The exports write them so (``agreements.export_columns``); a text
# stored as several values (``Partner.former_names``) is held to the cell it is written in.
SEPARATOR = "; "
ESCAPE = "\\"


def join_values(values):
    """Join several values into one cell: ``a; b``, with ``;`` and ``\\`` escaped."""
    values = [value if type(value) is str else str(value) for value in values]
    everything = "".join(values)
    if ";" not in everything and ESCAPE not in everything:  # nearly always: nothing to escape
        return SEPARATOR.join(values)
    return SEPARATOR.join(
        value.replace(ESCAPE, ESCAPE * 2).replace(";", ESCAPE + ";") for value in values
    )


def longer_than(text, limit, message):
    """``message`` (its ``%(length)s`` and ``%(limit)s`` filled in, grouped as numbers are
    written) if ``text`` is longer than ``limit`` characters; else None."""
    if len(text) <= limit:
        return None
    return str(message) % {
        "length": number_format(len(text), force_grouping=True),
        "limit": number_format(limit, force_grouping=True),
    }


def on_one_line(text):
    """``text`` with each line break (and every run of spaces) as one space: where a name must
    stand on one line (a calendar's, a mail's subject), though a title or a partner's name
    keeps the line breaks of the spreadsheet cell it was imported from."""
    return " ".join(str(text).split())


def printable(value):
    """``value`` with every control character left out: a text (or a lazily translated one), or
    a list or tuple of them; anything else as it is."""
    if isinstance(value, str | Promise):
        return CONTROL_CHARACTERS.sub("", str(value))
    if isinstance(value, list | tuple):
        return type(value)(printable(item) for item in value)
    return value


class PrintableText:
    """A model whose text fields refuse control characters, and a text longer than a
    spreadsheet cell holds (``CELL_LIMIT``), each at its field, wherever the model's own
    validation runs: the admin's forms and the import (``full_clean``)."""

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
        else:
            errors = {}
        for field in self._meta.concrete_fields:
            if field.name in exclude or field.name in errors:
                continue
            if not isinstance(field, models.CharField | models.TextField):
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str):
                continue
            message = control_character_message(value)
            if message is not None:
                errors[field.name] = [ValidationError(message, code="control_character")]
            elif (message := too_long_message(value)) is not None:
                errors[field.name] = [ValidationError(message, code="too_long")]
        if errors:
            raise ValidationError(errors)
