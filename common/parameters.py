"""The parameters a page's address may name, and the refusal of any other.

A parameter no page reads (``?regoin=64``, a misspelt filter; ``?periode=2024`` on the report)
would answer the page, its download or its feed as though it had not been given: the whole
register in place of the selection asked for, the report's form in place of the report, with
no word why. Every page reading a query string names what it reads, and refuses the rest here
(``unknown_parameters``, ``refuse_unknown``), or through ``KnownParameters`` in a form: a 400
naming each parameter it does not know.

What others add to a link to count its visits (a campaign's ``utm_…``, a social network's or
an advertiser's click id) asks for nothing: no page reads it, and none refuses a link for it.
A cached page sends such an address on to the one without it (``without_tracking``), as a list
page does an address naming an empty filter: each of its values would otherwise be one more
copy of the same page in the cache.
"""

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

TRACKING_PARAMETERS = ("fbclid", "gclid", "msclkid")

# Said by a page that is no list of filters (the report, a country's partners).
UNKNOWN_PARAMETERS = _(
    "Alamat ini memuat parameter yang tidak dikenali halaman ini: %(parameters)s. "
    "Hapus dari alamat."
)


def is_tracking_parameter(name):
    return name.startswith("utm_") or name in TRACKING_PARAMETERS


def without_tracking(data):
    """``data`` (a ``QueryDict``) less the parameters a link's tracking adds: a copy, or
    ``data`` itself when it holds none."""
    if not any(is_tracking_parameter(name) for name in data):
        return data
    kept = QueryDict(mutable=True)
    for name, values in data.lists():
        if not is_tracking_parameter(name):
            kept.setlist(name, values)
    return kept


def unknown_parameters(data, known):
    """The names ``data`` (a query string's ``QueryDict``, or a mapping) gives that are not in
    ``known`` nor a link's tracking, in the order it gives them."""
    return [name for name in data if name not in known and not is_tracking_parameter(name)]


def refuse_unknown(data, known, message=UNKNOWN_PARAMETERS):
    """Raise ``ValidationError`` (``message``, code ``unknown``) naming each parameter of
    ``data`` not in ``known`` (``unknown_parameters``); nothing when there is none."""
    unknown = unknown_parameters(data, known)
    if unknown:
        raise ValidationError(
            message,
            code="unknown",
            params={"parameters": ", ".join(f"“{name}”" for name in unknown)},
        )


class KnownParameters:
    """A form mixin: its data naming a parameter not in ``known_parameters`` is refused, a
    problem of no field, in ``unknown_message`` (``refuse_unknown``). ``known_parameters`` None
    knows any parameter."""

    known_parameters = None
    unknown_message = UNKNOWN_PARAMETERS

    def clean(self):
        cleaned = super().clean()
        if self.known_parameters is not None:
            try:
                refuse_unknown(self.data, self.known_parameters, self.unknown_message)
            except ValidationError as refused:
                self.add_error(None, refused)
        return cleaned
