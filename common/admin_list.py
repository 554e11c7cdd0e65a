"""The admin's change lists, drawn for less: the same markup as Django's, with what is the same
for every row worked out once per page.

A list of a hundred rows is mostly its rows. For every cell Django looks up what the column is
(a field, a method of the admin), its classes, its empty value and whether it links, builds a
choice field's labels again, reverses the change page's address and merges the list's filters
into it; and it draws each row's selection checkbox through the form widget's template. Here a
column is looked up once per page, the change address is reversed once and each row's key put
into it, the checkbox is written directly, and each row's cells are joined once for the
template (``Row``). ``tests/test_admin_list.py`` holds every row to the markup of Django's own
``items_for_result`` and ``admin/change_list_results.html``.
"""

import datetime

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_list import (
    admin_list_filter as django_list_filter,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    NotRelationField,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    get_fields_from_path,
    lookup_field,
)
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import F, OrderBy
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.encoding import iri_to_uri
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.widgets import escaped

# Stands for a row's key in the change address reversed once per page (letters and digits
# only, so no URL quoting changes it).
KEY_MARK = "0rowkey0"


class QuickRows:
    """A ModelAdmin whose rows' selection checkboxes are written directly, as Django's widget
    writes them."""

    def action_checkbox(self, obj):
        # As ``format_html`` writes it, for less: the label's words are Django's, as they are.
        label = _("Select this object for an action - {}").format(escaped(str(obj)))
        return mark_safe(
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" '
            f'value="{escaped(str(obj.pk))}" class="action-select" aria-label="{label}">'
        )


def results(cl):
    """Django's ``results(cl)`` (``admin_list``): each row of the page as its cells' markup.

    A list with editable columns is left to Django, cell by cell."""
    if cl.formset:
        for result, form in zip(cl.result_list, cl.formset.forms, strict=False):
            yield Row(form, items_for_result(cl, result, form), joined=False)
        return
    columns = []
    first = True
    for index, field_name in enumerate(cl.list_display):
        linked = _links(first, field_name, cl)
        columns.append(_Column(cl, index, field_name, linked, first))
        first = first and not linked
    change_url = _ChangeUrl(cl)
    for result in cl.result_list:
        yield Row(None, [column.cell(result, change_url) for column in columns])


class Row(ResultList):
    """A row's cells, and (``joined``) their markup as one: ``admin/change_list_results.html``
    writes a row of a hundred-row page at once, where writing each cell through the template's
    loop cost a fifth to a third of the page's time (``bench/README.md``). A row of an
    editable list (None) is written cell by cell, its form's errors above it."""

    def __init__(self, form, cells, joined=True):
        super().__init__(form, cells)
        self.markup = mark_safe("".join(cells)) if joined else None


def _links(is_first, field_name, cl):
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return field_name in cl.list_display_links


class _ChangeUrl:
    """The change page of a row with the list's filters preserved: reversed and merged once,
    each row's key put in (an integer key; any other is reversed row by row)."""

    def __init__(self, cl):
        self.cl = cl
        self.template = None
        if isinstance(cl.lookup_opts.pk, models.AutoField | models.BigAutoField):
            try:
                url = reverse(
                    f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
                    args=(KEY_MARK,),
                    current_app=cl.model_admin.admin_site.name,
                )
            except NoReverseMatch:
                return
            self.template = self._preserving(url)

    def _preserving(self, url):
        context = {"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}
        return add_preserved_filters(context, url)

    def of(self, result):
        """The address, or None where the change page has none."""
        if self.template is not None:
            return self.template.replace(KEY_MARK, str(getattr(result, self.cl.pk_attname)), 1)
        try:
            return self._preserving(self.cl.url_for_result(result))
        except NoReverseMatch:
            return None


def _class_attribute(classes):
    return mark_safe(' class="{}"'.format(" ".join(classes)))


class _Column:
    """What ``items_for_result`` works out for every cell of a column, worked out once."""

    def __init__(self, cl, index, field_name, linked, first):
        self.cl = cl
        self.name = field_name
        self.linked = linked
        self.tag = "th" if linked and first else "td"
        self.empty = cl.model_admin.get_empty_value_display()
        self.classes = [f"field-{_coerce_field_name(field_name, index)}"]
        # A related row that is gone: the column's own class only, as Django writes it.
        self.row_class_missing = _class_attribute(self.classes[:1])
        self.field = self.attr = None
        self.boolean = None
        self.labels = self.date_format = None
        self.value_of = self._looked_up
        self.display = self._display_value
        try:
            field = _get_non_gfk_field(cl.lookup_opts, field_name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is not None and not field.auto_created:
            self._field_column(field)
        elif field is None and not callable(field_name) and field_name != "__str__":
            attr = getattr(cl.model_admin, field_name, None)
            if callable(attr):
                # A method of the admin: called with the row, as ``lookup_field`` calls it.
                self.attr = attr
                self.boolean = getattr(attr, "boolean", False)
                self.value_of = attr
                self.empty = getattr(attr, "empty_value_display", self.empty)
                if field_name == "action_checkbox":
                    self.classes = ["action-checkbox"]
        self.row_class = _class_attribute(self.classes)
        self.row_class_dated = _class_attribute([*self.classes, "nowrap"])

    def _field_column(self, field):
        self.field = field
        name = self.name
        self.value_of = lambda result: getattr(result, name)
        if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
            self.classes.append("nowrap")
        if isinstance(field.remote_field, models.ManyToOneRel):
            self.display = self._display_related
        elif getattr(field, "flatchoices", None):
            try:
                self.labels = dict(field.flatchoices)
            except TypeError:  # list-like choices: left to Django
                self.display = self._display_field
            else:
                self.display = self._display_choice
        elif isinstance(field, models.BooleanField):
            self.display = self._display_field
        elif isinstance(field, models.DateTimeField):
            self.date_format = get_format("DATETIME_FORMAT")
            self.display = self._display_datetime
        elif isinstance(field, models.DateField):
            self.date_format = get_format("DATE_FORMAT")
            self.display = self._display_date
        else:
            self.display = self._display_field

    # -- the value and its display, as ``items_for_result`` has them -------------------------

    def _looked_up(self, result):
        field, attr, value = lookup_field(self.name, result, self.cl.model_admin)
        self.attr = attr
        self.empty = getattr(attr, "empty_value_display", self.empty)
        return value

    def _display_value(self, result, value):
        if isinstance(value, Promise):  # a label to be translated: read once
            value = str(value)
        if isinstance(value, str) and value and not self.boolean:
            return value  # what ``display_for_value`` makes of a text that is not empty
        attr = self.attr
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        return display_for_value(value, self.empty, boolean)

    def _display_related(self, result, value):
        return self.empty if value is None else value

    def _display_choice(self, result, value):
        return self.labels.get(value, self.empty)

    def _display_date(self, result, value):
        if value in self.field.empty_values:
            return self.empty
        return dateformat.format(value, self.date_format)

    def _display_datetime(self, result, value):
        if value in self.field.empty_values:
            return self.empty
        return dateformat.format(timezone.template_localtime(value), self.date_format)

    def _display_field(self, result, value):
        return display_for_field(value, self.field, self.empty, avoid_link=self.linked)

    # -- the cell ---------------------------------------------------------------------------

    def cell(self, result, change_url):
        row_class = self.row_class
        try:
            value = self.value_of(result)
        except ObjectDoesNotExist:
            shown = self.empty
            row_class = self.row_class_missing
        else:
            if isinstance(value, str) and value.strip() == "":
                value = ""
            shown = self.display(result, value)
            if self.field is None and isinstance(value, datetime.date | datetime.time):
                row_class = self.row_class_dated
        if self.linked:
            url = change_url.of(result)
            if url is not None:
                popup = ""
                if self.cl.is_popup:
                    key = result.serializable_value(
                        str(self.cl.to_field) if self.cl.to_field else self.cl.pk_attname
                    )
                    popup = format_html(' data-popup-opener="{}"', key)
                shown = mark_safe(f'<a href="{escaped(url)}"{popup}>{escaped(shown)}</a>')
        return mark_safe(f"<{self.tag}{row_class}>{escaped(shown)}</{self.tag}>")


def list_filter(cl, spec):
    """A filter of the list's sidebar as Django's ``admin_list_filter`` draws it with
    ``admin/filter.html``, written here: the ten filters of the agreement list, 130 choices,
    cost 3 ms a page through the template. A filter with a template of its own is left to it."""
    if spec.template != "admin/filter.html":
        return django_list_filter(cl, spec)
    choices = []
    for choice in spec.choices(cl):
        selected = ' class="selected"' if choice["selected"] else ""
        choices.append(
            f'<li{selected}><a href="{escaped(iri_to_uri(choice["query_string"]))}">'
            f"{escaped(choice['display'])}</a></li>"
        )
    title = escaped(spec.title)
    return mark_safe(
        f'<details data-filter-title="{title}" open><summary>'
        f"{_(' By %(filter_title)s ') % {'filter_title': title}}</summary>"
        f"<ul>{''.join(choices)}</ul></details>"
    )


def sort_order(cl, headers):
    """The list's order in words, from its sorted columns' headers, or None where no column
    says it: "Diurutkan menurut terakhir diubah (terbaru dulu)."

    The sort's arrows are drawn in the sorted column's header alone, and a narrow screen leaves
    some columns out (``static/css/admin.css``): an address sorted by one of them (``?o=-9``,
    kept from a wide screen) listed its rows in an order nothing on the page showed. Said in
    a line above the table, the order shows at every width, and to a screen reader, which
    Django's arrows (links with no text) told nothing.

    Where the list's own order puts the rows with no value in a column first or last
    (``F("done_on").desc(nulls_first=True)``), the line says so, in the words the column's
    method gives them (its ``rows_without``, "yang belum terlaksana"): the steps still to do,
    listed first, had no done date, and "tanggal terlaksana (terbaru dulu)" told nothing of
    them."""
    columns = sorted(
        (
            (header["sort_priority"], field_name, header)
            for field_name, header in zip(cl.list_display, headers, strict=True)
            if header["sortable"] and header["sorted"]
        ),
        key=lambda column: column[0],
    )
    told = None
    for _priority, field_name, header in reversed(columns):
        if _is_dated(cl, field_name):
            way = (_("terbaru dulu"), _("terlama dulu"))[header["ascending"]]
        else:
            way = (_("menurun"), _("menaik"))[header["ascending"]]
        values = {"column": header["text"], "way": way}
        empty_first = _empty_first(cl, field_name)
        if empty_first is None:
            said = _("%(column)s (%(way)s)") % values
        else:
            values["empty"] = _rows_without(cl, field_name)
            if empty_first:
                said = _("%(column)s (%(empty)s dulu, lalu %(way)s)") % values
            else:
                said = _("%(column)s (%(way)s, lalu %(empty)s)") % values
        if told is not None:
            said = _("%(sorted)s, lalu %(then)s") % {"sorted": said, "then": told}
        told = said
    if told is None:
        return None
    return _("Diurutkan menurut %(order)s.") % {"order": told}


def empty_last(model, item):
    """``item`` of a list's order (``"signed_on"``, ``"-signed_on"``, an expression), with the
    rows that have no value in a field that may have none put last, whichever way it sorts,
    as the public list sorts them (``agreements.filters.SORTS``). The databases disagree where
    the order does not say: PostgreSQL puts an empty value first in a descending order,
    SQLite in an ascending one, so a list sorted by a header (or a model's order naming a
    field) listed the agreements not yet signed first on one and last on the other."""
    if not isinstance(item, str) or item.lstrip("-") in ("pk", "?"):
        return item
    name = item.lstrip("-")
    try:
        field = get_fields_from_path(model, name)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return item  # an annotation, or a lookup: left to the database
    if field.is_relation or not getattr(field, "null", False):
        return item  # a relation sorts by its model's own order, which Django reads
    column = F(name)
    return column.desc(nulls_last=True) if item.startswith("-") else column.asc(nulls_last=True)


def _empty_first(cl, field_name):
    """Whether the list's order puts the rows with no value in the column ``field_name``
    first (True) or last (False), or None where it does not say: its own order (no sort in
    the address), or the sort a header chose, which puts them last where the column's field
    may have none (``empty_last``)."""
    ordering_field = cl.get_ordering_field(field_name)
    if ORDER_VAR in cl.params:
        return False if _may_be_empty(cl, ordering_field) else None
    # Django's own default order, as ``ChangeList.get_ordering_field_columns`` reads it, as
    # the list reads it (``empty_last``).
    for item in cl.model_admin.ordering or cl.lookup_opts.ordering or ():
        item = empty_last(cl.model, item)
        if (
            isinstance(item, OrderBy)
            and isinstance(item.expression, F)
            and item.expression.name == ordering_field
        ):
            if item.nulls_first:
                return True
            if item.nulls_last:
                return False
            return None
    return None


def _may_be_empty(cl, ordering):
    """Whether a header's sort by ``ordering`` (a column's ``admin_order_field``) sorts by a
    field of the list's model that may have no value, whose empty rows go last; else None."""
    if not isinstance(ordering, str):
        return None
    try:
        field = get_fields_from_path(cl.model, ordering.removeprefix("-"))[-1]
    except (FieldDoesNotExist, NotRelationField):
        return None
    return (not field.is_relation and getattr(field, "null", False)) or None


def _rows_without(cl, field_name):
    """The rows with no value in the column ``field_name``, in words: those its method names
    (``rows_without``), else "yang kosong"."""
    attr = getattr(cl.model_admin, field_name, None)
    return getattr(attr, "rows_without", None) or _("yang kosong")


def _is_dated(cl, field_name):
    """Whether the column ``field_name`` of ``cl`` is sorted by a date or a moment."""
    ordering = cl.get_ordering_field(field_name)
    if not isinstance(ordering, str):
        return False
    try:
        field = get_fields_from_path(cl.model, ordering.removeprefix("-"))[-1]
    except (FieldDoesNotExist, NotRelationField):
        return False
    return isinstance(field, models.DateField)  # a DateTimeField is one


def result_list(cl):
    """The context of Django's ``result_list`` tag, its rows drawn by ``results``, and the
    list's order in words (``sort_order``)."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(results(cl)),
        "sort_order": sort_order(cl, headers),
    }
