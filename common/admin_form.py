"""The admin's change forms, drawn for less: their fieldsets and the rows of their tabular
inlines in the markup of Django's ``admin/includes/fieldset.html`` and
``admin/edit_inline/tabular.html``, written from the same helpers without those templates.

An agreement's change form has some forty fields in seven fieldsets, and its milestones,
documents, signatories and contacts, each row a dozen cells, with each inline's empty row
again. Drawn through the templates, every field looks up, through the template engine,
whether it is read only, hidden, a checkbox, has errors or help, and what its name is: more
of the page than its widgets. Here each field asks the same helpers (``Fieldset``,
``Fieldline``, ``AdminField``, ``InlineAdminForm``) in Python, and every value is escaped as
the templates escape it. ``tests/test_admin_form.py`` holds both to the markup Django's
templates write (but for the blank space between tags).
"""

from django.contrib.admin.templatetags.admin_modify import cell_count
from django.contrib.admin.templatetags.admin_urls import admin_urlname, admin_urlquote
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from common.widgets import escaped


def _errors(bound_field):
    """``{{ field.errors.as_ul }}``: nothing where there are none (Django renders the
    error list's template to find that out)."""
    errors = bound_field.errors
    return errors.as_ul() if errors else ""


def _cell(field):
    """One field's cell, as the template's innermost loop writes it."""
    if field.is_readonly:
        # ``field.field`` is a dict for a read-only field: its name and whether it is hidden.
        name, hidden = field.field["name"], field.field.get("is_hidden")
        content = f"<p>{escaped(field.contents())}</p>"
    else:
        bound = field.field
        name, hidden = bound.name, bound.is_hidden
        content = f"{_errors(bound)}\n{bound}"
    classes = (f"field-{escaped(name)}" if name else "") + (" hidden" if hidden else "")
    return f'<td class="{classes}">\n{content}\n</td>'


def _original(inline_admin_formset, inline_admin_form, current_app):
    """The row's first cell: the saved object, its change link and its page on the site,
    then its hidden key and the key of the object it belongs to."""
    original = inline_admin_form.original
    parts = []
    if original or inline_admin_form.show_url:
        parts.append("<p>")
        if original:
            parts.append(escaped(str(original)))
            model_admin = inline_admin_form.model_admin
            if model_admin.show_change_link and model_admin.has_registered_model:
                url = reverse(
                    admin_urlname(model_admin.opts, "change"),
                    args=[admin_urlquote(original.pk)],
                    current_app=current_app,
                )
                if inline_admin_formset.has_change_permission:
                    link_class, text = "inlinechangelink", gettext("Change")
                else:
                    link_class, text = "inlineviewlink", gettext("View")
                parts.append(f'<a href="{escaped(url)}" class="{link_class}">{escaped(text)}</a>')
        if inline_admin_form.show_url:
            parts.append(
                f'<a href="{escaped(inline_admin_form.absolute_url)}">'
                f"{escaped(gettext('View on site'))}</a>"
            )
        parts.append("</p>")
    if inline_admin_form.needs_explicit_pk_field():
        parts.append(str(inline_admin_form.pk_field().field))
    fk_field = inline_admin_form.fk_field()
    if fk_field:
        parts.append(str(fk_field.field))
    return '<td class="original">\n' + "\n".join(parts) + "\n</td>"


def tabular_rows(inline_admin_formset, current_app=None):
    """The ``<tr>`` of every row of a tabular inline, its empty row last (where rows may be
    added), as ``admin/edit_inline/tabular.html`` writes them in its ``<tbody>``."""
    formset = inline_admin_formset.formset
    prefix = escaped(formset.prefix)
    forms = list(inline_admin_formset)
    adds = inline_admin_formset.has_add_permission
    deletes = formset.can_delete and inline_admin_formset.has_delete_permission
    rows = []
    for index, inline_admin_form in enumerate(forms):
        empty = adds and index == len(forms) - 1
        non_field_errors = inline_admin_form.form.non_field_errors()
        if non_field_errors:
            rows.append(
                f'<tr class="row-form-errors"><td colspan="{cell_count(inline_admin_form)}">'
                f"{non_field_errors}</td></tr>"
            )
        saved = inline_admin_form.original or inline_admin_form.show_url
        row_class = (
            "form-row " + ("has_original" if saved else "") + (" empty-form" if empty else "")
        )
        cells = [_original(inline_admin_formset, inline_admin_form, current_app)]
        cells.extend(
            _cell(field) for fieldset in inline_admin_form for line in fieldset for field in line
        )
        delete = (
            str(inline_admin_form.deletion_field().field)
            if deletes and inline_admin_form.original
            else ""
        )
        cells.append(f'<td class="delete">{delete}</td>')
        rows.append(
            f'<tr class="{row_class}" id="{prefix}-{"empty" if empty else index}">\n'
            + "\n".join(cells)
            + "\n</tr>"
        )
    # Every value above is escaped or is markup Django's forms wrote.
    return SafeString("\n".join(rows))


def _field_name(field):
    """``field.field.name``: a read-only field's ``field`` is a dict, an editable one's a
    bound field."""
    return field.field["name"] if field.is_readonly else field.field.name


def _field_attribute(field, name):
    """``field.field.<name>`` as the template reads it: missing on a read-only field's dict
    reads as nothing."""
    if field.is_readonly:
        return field.field.get(name)
    return getattr(field.field, name)


def _field_box(field, alone):
    """One field of a line: its box with its label and widget (or read-only contents), and
    its help."""
    parts = ["<div>"]
    # Written on its own above the box where the line has more than one field.
    errors = "" if alone or field.is_readonly else str(field.errors())
    if errors:
        parts.append(errors)
    name = _field_name(field)
    classes = "flex-container"
    if not alone:
        classes += " fieldBox"
        if name:
            classes += f" field-{escaped(name)}"
        if errors:
            classes += " errors"
        if _field_attribute(field, "is_hidden"):
            classes += " hidden"
    if field.is_checkbox:
        classes += " checkbox-row"
        inner = f"{field.field}{field.label_tag()}"
    elif field.is_readonly:
        inner = f'{field.label_tag()}\n<div class="readonly">{escaped(field.contents())}</div>'
    else:
        inner = f"{field.label_tag()}\n{field.field}"
    parts.append(f'<div class="{classes}">\n{inner}\n</div>')
    help_text = _field_attribute(field, "help_text")
    if help_text:
        hidden = " hidden" if _field_attribute(field, "is_hidden") else ""
        label_id = _field_attribute(field, "id_for_label")
        described = f' id="{escaped(label_id)}_helptext"' if label_id else ""
        parts.append(f'<div class="help{hidden}"{described}>\n<div>{help_text}</div>\n</div>')
    parts.append("</div>")
    return "\n".join(parts)


def fieldset_markup(fieldset, heading_level="", prefix="", id_prefix="", id_suffix=""):
    """A fieldset of a change form (or of a stacked inline's row), as
    ``admin/includes/fieldset.html`` writes it with the same arguments."""
    heading_id = f"{escaped(prefix)}-{escaped(id_prefix)}-{escaped(id_suffix)}-heading"
    level = escaped(heading_level or 2)
    named = bool(fieldset.name)
    collapsible = named and fieldset.is_collapsible
    labelled = f' aria-labelledby="{heading_id}"' if named else ""
    parts = [f'<fieldset class="module aligned {escaped(fieldset.classes)}"{labelled}>']
    if named:
        heading = (
            f'<h{level} id="{heading_id}" class="fieldset-heading">'
            f"{escaped(fieldset.name)}</h{level}>"
        )
        parts.append(f"<details><summary>{heading}</summary>" if collapsible else heading)
    if fieldset.description:
        parts.append(f'<div class="description">{fieldset.description}</div>')
    for line in fieldset:
        fields = list(line)
        alone = len(line.fields) == 1
        # A line of one field writes its field's errors above it; one of several, each field's
        # above its own box (``_field_box``).
        errors = str(line.errors()) if alone else ""
        classes = "form-row"
        if errors:
            classes += " errors"
        if not line.has_visible_field:
            classes += " hidden"
        classes += "".join(f" field-{escaped(name)}" for name in map(_field_name, fields) if name)
        parts.append(f'<div class="{classes}">')
        parts.append(errors if alone else '<div class="flex-container form-multiline">')
        parts.extend(_field_box(field, alone) for field in fields)
        if not alone:
            parts.append("</div>")
        parts.append("</div>")
    if collapsible:
        parts.append("</details>")
    parts.append("</fieldset>")
    # Every value above is escaped, or is markup Django's helpers and forms wrote (a
    # fieldset's description and a field's help are written unescaped, as the template's
    # ``|safe`` writes them).
    return SafeString("\n".join(parts))
