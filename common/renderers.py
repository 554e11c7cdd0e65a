"""The form renderer of the site: Django's own, with its one-line inputs written straight.

Django draws every ``<input>`` through two templates (the input and its attributes), and the
admin's date field through a third around them. An agreement's change form holds some hundred
of them (each milestone, document and signatory row brings a hidden id, dates, a title, a
delete box, and the empty row of each inline again): drawn through templates they cost a fifth
of the page. ``PlainInputsRenderer`` writes the markup those templates write, from the same
widget context, and leaves every other template to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString

from common.widgets import attributes, escaped

# Templates that are nothing but ``django/forms/widgets/input.html`` for their widget.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "date",
        "datetime",
        "time",
        "number",
        "email",
        "url",
        "password",
        "search",
        "tel",
        "checkbox",
    )
)
ADMIN_DATE = "admin/widgets/date.html"


def input_markup(widget):
    """``django/forms/widgets/input.html`` for a widget's context: its value as ``%s``, its
    attributes as ``attrs.html`` writes them, each escaped as the template's autoescaping
    does (unless already marked safe)."""
    value = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
    return (
        f'<input type="{escaped(widget["type"])}" '
        f'name="{escaped(widget["name"])}"{value}{attributes(widget["attrs"])}>'
    )


class PlainInputsRenderer(DjangoTemplates):
    """Django's form renderer, writing its one-line inputs straight (``INPUT_TEMPLATES``,
    and the admin's date field around one)."""

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return SafeString(input_markup(context["widget"]))
        if template_name == ADMIN_DATE:
            # The blank lines are those the included templates end with.
            return SafeString(f'<p class="date">\n  {input_markup(context["widget"])}\n\n\n</p>')
        return super().render(template_name, context, request=request)
