"""``{{ field|plain_choices }}``: a group of checkboxes written straight from its choices.

The list's filter form has some fifty checkboxes (kind, scope, status, whom it waits on,
sectors). Drawn through Django's widget templates, three templates per box, they cost more than
every query of a list page built afresh; this writes the same markup, each value escaped.
"""

import html

from django import template
from django.utils.safestring import SafeString

from common.widgets import attributes, escaped

register = template.Library()


@register.filter
def plain_choices(field):
    """Each choice of a bound multiple-choice field as ``<label class="choice" for="…"><input
    …> label</label>``, the markup ``filter_fields.filter_field`` writes around each box."""
    parts = []
    for choice in field.subwidgets:
        data = choice.data
        value = "" if data["value"] is None else f' value="{html.escape(str(data["value"]))}"'
        box = (
            f'<input type="{html.escape(data["type"])}" name="{html.escape(data["name"])}"{value}'
            f"{attributes(data['attrs'])}>"
        )
        label_for = html.escape(data["attrs"].get("id") or "")
        parts.append(
            f'<label class="choice" for="{label_for}">{box} {escaped(data["label"])}</label>'
        )
    return SafeString("".join(parts))
