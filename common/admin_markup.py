"""The admin's HTML made accessible and valid where Django's is not.

Tables of inputs, named for screen readers.

A tabular inline, or a change list with editable columns, names its columns in the table header,
for the eye only: its inputs and selects have no label, so a screen reader announces "edit text"
for each. Every input of such a table carries its column's name as its ``aria-label`` here.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.utils.functional import cached_property
from django.utils.text import capfirst

from common.widgets import PlainSelect


def innermost(widget):
    """The widget that renders the input (the admin wraps related fields in another one)."""
    while hasattr(widget, "widget"):
        widget = widget.widget
    return widget


def name_inputs(form, labels=None):
    """Name each visible input of ``form`` by its field's label. ``labels`` keeps the names
    worked out, by field, for the other forms of the same formset."""
    labels = {} if labels is None else labels
    for name, field in form.fields.items():
        if not field.widget.is_hidden:
            if name not in labels:
                labels[name] = capfirst(str(field.label))
            innermost(field.widget).attrs["aria-label"] = labels[name]


class LabelledChangeList:
    """A ModelAdmin whose ``list_editable`` inputs are named."""

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)

        class LabelledForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                name_inputs(self)

        return LabelledForm


class PlainSelects:
    """A ModelAdmin or inline whose selects are written straight from their choices
    (``common.widgets.PlainSelect``), with the markup Django's templates would write.

    An agreement's change form has some fifty selects (each milestone, document and signatory
    row brings its own, and the empty row of each inline again), a few hundred options in all,
    each drawn through two templates by Django's own widget.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = innermost(getattr(field, "widget", None))
        if type(widget) is forms.Select:
            widget.__class__ = PlainSelect
        return field


class LabelledTabularInline(PlainSelects, admin.TabularInline):
    # Django's tabular template, its rows written by ``common.admin_form``.
    template = "admin/edit_inline/plain_tabular.html"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            @cached_property
            def _labels(self):
                return {}

            def add_fields(self, form, index):
                super().add_fields(form, index)
                name_inputs(form, self._labels)

            @cached_property
            def empty_form(self):
                """The inline's template row, built once. Django's formset builds it anew each
                time it is asked for, and the admin asks for it again and again while drawing
                one change form (each inline's media, its template row, its script's data): an
                agreement's four inlines built it some twenty times."""
                return super().empty_form

        return LabelledFormSet


class ValidAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete, as valid HTML.

    It renders only the chosen option, never an empty one, so ``required`` on it is invalid
    ("the first option of a required select must be empty"): the form still refuses an empty
    choice, and the admin's forms are ``novalidate`` anyway. The empty option it offers on an
    optional field carries a label, as an empty option must.
    """

    def use_required_attribute(self, initial):
        return False

    def create_option(self, name, value, label, *args, **kwargs):
        option = super().create_option(name, value, label, *args, **kwargs)
        if value == "" and not label:
            option["attrs"]["label"] = "—"
        return option


class RelatedFieldWidgetWrapperAsked(RelatedFieldWidgetWrapper):
    """The admin's wrapper of a related field, which asks the widget it wraps about
    ``required`` (Django's asks only itself)."""

    def use_required_attribute(self, initial):
        return self.widget.use_required_attribute(initial)


class ValidAutocompletes:
    """A ModelAdmin whose autocompletes are valid HTML (``ValidAutocompleteSelect``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if type(innermost(widget)) is AutocompleteSelect:
            innermost(widget).__class__ = ValidAutocompleteSelect
            if type(widget) is RelatedFieldWidgetWrapper:
                widget.__class__ = RelatedFieldWidgetWrapperAsked
        return field


class InlineMediaOnce(helpers.InlineAdminFormSet):
    """An inline whose scripts and styles are read once, not once per row.

    Django adds up the media of the inline, its formset and then every row again, merging the
    same lists of files each time (a tenth of an agreement's change form, with its milestones,
    documents and signatories). Every row is a form of the formset's one class, with the same
    widgets, and the formset's media is its first row's (or its template row's): the sum is
    the same.
    """

    @property
    def media(self):
        return self.opts.media + self.formset.media


class OneMediaPerInline:
    """A ModelAdmin whose inlines read their media once (``InlineMediaOnce``)."""

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            if type(inline_formset) is helpers.InlineAdminFormSet:
                inline_formset.__class__ = InlineMediaOnce
        return inline_formsets
