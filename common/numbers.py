"""Amounts as the reader writes them: grouped in thousands in their language ("1.500.000.000,50"
in Indonesian, "1,500,000,000.50" in English), shown so and read back so.

The site leaves ``USE_THOUSAND_SEPARATOR`` off: it would group every number a template writes,
the years and the keys in addresses too. A page groups what a reader reads as an amount
(``intcomma``, ``floatformat:"2g"``); these do the same for what staff type.
"""

import decimal
import unicodedata

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy

# The amount the message of a refused value shows, in the reader's way of writing it.
EXAMPLE = decimal.Decimal("1500000000.50")


def grouped(value, decimal_places=None):
    """``value`` with its thousands grouped the active language's way, as ``intcomma`` and
    ``floatformat:"2g"`` write it on the pages; with ``decimal_places`` decimals if given."""
    return number_format(value, decimal_places, use_l10n=True, force_grouping=True)


def ungrouped(text):
    """``text`` with the active language's thousands separators left out, as Django reads a
    localized number when ``USE_THOUSAND_SEPARATOR`` is on (``sanitize_separators``): a single
    point followed by other than three digits, where the point groups thousands, is a decimal
    point ("1500000000.50" as the import and the spreadsheets write it), never left out, unless
    a decimal comma follows it: "250.000,00" is the form's own way of showing 250,000; and
    separators that do not group thousands are kept, for the field to refuse."""
    separator = get_format("THOUSAND_SEPARATOR")
    whole = text.split(get_format("DECIMAL_SEPARATOR"), 1)[0]
    if separator == "." and whole.count(".") == 1 and len(whole.split(".")[-1]) != 3:
        return text
    for each in {separator, unicodedata.normalize("NFKD", separator)}:
        groups = text.split(get_format("DECIMAL_SEPARATOR"), 1)[0].split(each)
        if len(groups) > 1 and not (
            1 <= len(groups[0].lstrip("+-")) <= 3 and all(len(group) == 3 for group in groups[1:])
        ):
            # Not thousands ("1.500.000.000.50", "1,5" in English): left as typed, so it is
            # refused, never read as an amount a hundred times too large, or as 15.
            return text
        text = text.replace(each, "")
    return text


class GroupedDecimalField(forms.DecimalField):
    """A decimal typed and shown grouped in thousands in the reader's language; the decimal
    separator is read by Django's localized field (``localize``), typed either way."""

    default_error_messages = {
        "invalid": gettext_lazy("Tulis angka, misalnya %(example)s."),
    }

    def __init__(self, **kwargs):
        kwargs["localize"] = True
        super().__init__(**kwargs)
        # A text input (a number input takes no separators); the keyboard of digits on a phone.
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value):
        # As the status page shows the amount: "1.500.000.000,00".
        if isinstance(value, decimal.Decimal | int):
            return grouped(value, self.decimal_places)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = ungrouped(value.strip())
        return super().to_python(value)

    def clean(self, value):
        # Not a number, or not a finite one ("NaN"): said with an example of the reader's way.
        try:
            return super().clean(value)
        except forms.ValidationError as error:
            if getattr(error, "code", None) == "invalid":
                raise forms.ValidationError(
                    self.error_messages["invalid"],
                    code="invalid",
                    params={"example": grouped(EXAMPLE)},
                ) from None
            raise
