"""Widgets written straight from their data, for the forms drawn most often.

Django draws a select through a template for the select and two more for each option (the option
and its attributes). That is right for a handful of options, and costly for the thousands of a
national register's filter lists, or the few hundred of an agreement's change form (its
milestones, documents and signatories each bring their own selects). These write the markup
Django's templates would, straight from the same data.
"""

import html

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escaped(value):
    """``conditional_escape(value)`` as text: markup already marked safe kept, anything else
    escaped as Django's ``escape`` does (``html.escape``), without the lazy-argument wrapper
    Django puts around each call, which costs more than the escaping of a short value. The
    selects and inputs below escape a few thousand values a page."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def attributes(attrs):
    """A widget's attributes as ``django/forms/widgets/attrs.html`` writes them: in order,
    ``False`` left out, ``True`` as a bare name, every value escaped unless already marked
    safe (as the template's autoescaping does: the admin's action box names its row with
    ``format_html``)."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A select whose options are written straight from its choices, escaped one by one: the
    markup of Django's ``Select`` without its templates.

    The region and partner lists run to thousands of options at national scale (5,000 partners
    at 100,000 agreements). Rendered through a template per option, or even through Django's
    option dictionaries, they cost more than every query of the page together; this writes the
    same markup in a few milliseconds.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        found = False

        def option(option_value, label):
            nonlocal found
            text = "" if option_value is None else str(option_value)
            selected = not found and text in chosen
            found = found or selected
            return (
                f'<option value="{html.escape(text)}"{" selected" if selected else ""}>'
                f"{escaped(label)}</option>"
            )

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                inner = "".join(option(value, text) for value, text in label)
                parts.append(f'<optgroup label="{escaped(option_value)}">{inner}</optgroup>')
            else:
                parts.append(option(option_value, label))
        # Every name, value and label above is escaped, and the markup around them is our own.
        attrs = attributes(self.build_attrs(self.attrs, attrs))
        return SafeString(
            f'<select name="{html.escape(str(name))}"{attrs}>{"".join(parts)}</select>'
        )
