"""``{% filter_field field %}``: a field of the list's filter form, with its label, hint and
errors (``includes/filter_form.html``, a region's potentials).

Written here rather than through a template included once per field: the form has some twenty
fields, and the include's lookups cost 4 ms of every list page, more than its widgets. The
markup is the one the template wrote, every value escaped (``escaped``) as its autoescaping did.
"""

from django import template
from django.utils.safestring import mark_safe

from agreements.templatetags.plain_choices import plain_choices
from common.widgets import escaped

register = template.Library()


@register.simple_tag
def filter_field(field):
    """``field`` (a bound field): several values at once as a group of checkboxes named by its
    legend (``plain_choices``), any other as its widget under its label; each with its hint and
    its errors, which the group or the widget is described by."""
    name = escaped(field.name)
    errors = field.errors
    has_error = " has-error" if errors else ""
    hint = error = ""
    if field.help_text:
        hint = (
            f'<p class="hint" id="{escaped(field.auto_id)}_helptext">{escaped(field.help_text)}</p>'
        )
    if errors:
        said = "".join(f"{escaped(message)} " for message in errors)
        error = f'<p class="field-error" id="{escaped(field.auto_id)}_error">{said}</p>'
    if getattr(field.field.widget, "allow_multiple_selected", False):
        described = (
            f' aria-describedby="{escaped(field.auto_id)}_helptext"' if field.help_text else ""
        )
        return mark_safe(
            f'<fieldset class="field field-{name} field-several{has_error}"{described}>'
            f"<legend>{escaped(field.label)}</legend>{hint}{error}"
            f'<div class="choices">{plain_choices(field)}</div></fieldset>'
        )
    return mark_safe(
        f'<div class="field field-{name}{has_error}">'
        f'<label for="{escaped(field.id_for_label)}">{escaped(field.label)}</label>'
        f"{hint}{error}{escaped(field)}</div>"
    )
