"""The admin base every app's admin builds on: a record's history in words, no restoring of
past versions, links typed without a scheme taken as https, and bad input or a refused action
answered with a 4xx, never a 500 or a 200."""

import copy
import dataclasses
import datetime
import functools
import logging
import posixpath
import re
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.contrib.admin import SimpleListFilter, helpers
from django.contrib.admin.exceptions import (
    DisallowedModelAdminLookup,
    DisallowedModelAdminToField,
    NotRegistered,
)
from django.contrib.admin.options import TO_FIELD_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    IGNORED_PARAMS,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    ChangeList,
)
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.core.exceptions import (
    BadRequest,
    EmptyResultSet,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connections,
    models,
    router,
    transaction,
)
from django.db.models.constants import LOOKUP_SEP
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst, smart_split
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from common.admin_delete import DeletionAsSeen
from common.admin_list import QuickRows, empty_last
from common.admin_markup import (
    OneMediaPerInline,
    PlainSelects,
    ValidAutocompletes,
    ValidAutocompleteSelect,
    innermost,
)
from common.numbers import grouped
from common.one_value import one_value
from common.text import longer_than

# What the admin shows for a value not recorded, everywhere: a cell of a list, a read-only field,
# a filter's choice, a value in the history (the public pages write "—" too). Django's own is
# "-", which the columns the register draws itself ("—") sat beside (``coopdb/urls.py`` makes
# it the site's).
EMPTY = "—"

# The longest text the admin's lists and autocompletes search for: a title (300 characters)
# pasted whole, and more. Thousands of words held the database for its whole statement timeout
# (the partners' list) and a worker for minutes (the agreements' and steps').
SEARCH_MAX_LENGTH = 1000


def search_too_long(search_term):
    """What to tell whoever searched for ``search_term``, if the admin does not search for so
    long a text; else None."""
    return longer_than(
        search_term,
        SEARCH_MAX_LENGTH,
        gettext_lazy(
            "Kata kunci pencarian ini %(length)s karakter, paling banyak %(limit)s. Persingkat "
            "kata kuncinya."
        ),
    )


# Beyond this many words a search is a paragraph, not a search: the rest are not read, as the
# register's own search reads no more (``agreements.search.MAX_WORDS``). Django's search ANDs a
# condition on every searched field for each word; five hundred one-letter words held the
# partners' list for four seconds at national scale.
SEARCH_MAX_WORDS = 8


def searched_words(search_term):
    """``search_term`` as Django's search reads it (``smart_split``: words, and phrases in
    quotes), each word once, at most ``SEARCH_MAX_WORDS`` of them."""
    words = []
    for word in smart_split(search_term):
        if word.casefold() not in (seen.casefold() for seen in words):
            words.append(word)
    return " ".join(words[:SEARCH_MAX_WORDS])


def refuse_long_search(search_term):
    """Refuse (400) a search the admin does not make (``search_too_long``)."""
    message = search_too_long(search_term)
    if message is not None:
        raise BadRequest(message)


# Longer than any value a record holds (a summary is a text of a few paragraphs): no change
# of the history is shortened.
WHOLE = 10**9


class ReadableChanges(HistoricalRecordContextHelper):
    """Word a recorded change the way the form shows it.

    A choice appears as its label, a date in the reader's format and an amount grouped in
    thousands, so the history reads "Berlaku → Berakhir" rather than "in_force → expired" and
    "1.500.000.000,00" rather than "1500000000.00"; an empty value is a dash; the parties
    of a many-to-many field are listed alphabetically. A long value is told whole: the
    library's shortening cut it mid-word with an English "[47 chars]".
    """

    def __init__(self, model, historical_record, **kwargs):
        kwargs.setdefault("max_displayed_delta_change_chars", WHOLE)
        super().__init__(model, historical_record, **kwargs)

    def context_for_delta_changes(self, delta):
        """A date kept with its precision beside it (``<name>_precision``, on a model that
        says how it is known with ``known(name)``, as ``agreements.dates.KnownDates`` does) is
        one change in the words the pages use: "Maret 2025 → 10 Maret 2025", not the 1st of
        March it is stored as with the precision on a line of its own."""
        known = getattr(self.model, "known", None)
        names = {field.name for field in self.model._meta.concrete_fields}
        if known is None:
            return super().context_for_delta_changes(delta)
        shown, dated = [], set()
        for change in delta.changes:
            name = change.field.removesuffix("_precision")
            if f"{name}_precision" not in names or name not in names:
                shown.extend(super().context_for_delta_changes(_only(delta, change)))
                continue
            if name in dated:
                continue
            dated.add(name)
            old, new = (
                known(record.instance, name) for record in (delta.old_record, delta.new_record)
            )
            shown.append(
                {
                    "field": capfirst(self.model._meta.get_field(name).verbose_name),
                    "old": EMPTY if old is None else str(old),
                    "new": EMPTY if new is None else str(new),
                }
            )
        return shown

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return EMPTY
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.date):
            return formats.localize(value)
        if isinstance(field, models.DecimalField):  # an amount, as its form shows it
            return grouped(value, field.decimal_places)
        if isinstance(field, models.FileField):  # the file as uploaded, not its folder
            return posixpath.basename(str(value))
        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, list):  # many-to-many: the related objects, alphabetically
            return sorted(value, key=str)
        return value


def _only(delta, change):
    """``delta`` with ``change`` as its one change."""
    return dataclasses.replace(delta, changes=[change], changed_fields=[change.field])


# A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


# A column of a list's sort (``?o=2.-1``), by its place among the list's columns.
SORT_COLUMN = re.compile(r"-?[0-9]+")


class AddressRefused(IncorrectLookupParameters):
    """A parameter of a list's address the list cannot read, with what to tell its reader
    (``message``): ``SoundInputOnly`` answers it with a 400 saying so, where Django's admin
    went back to the whole list (``?e=1``) as if the address had asked for it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def named(parameter, value):
    """A parameter of an address as the reader typed it: “p=abc”."""
    return f"“{parameter}={value}”"


class ListUnreadable(Exception):
    """A list's address it cannot read (``message``), out of the reach of Django's view, which
    answers its own ``IncorrectLookupParameters`` by going back to the whole list."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def filters_given(request):
    """The parameters of ``request``'s address that a change list reads as filters, each as
    typed (“signed_on__year=99999”)."""
    return [
        named(name, value)
        for name, values in request.GET.lists()
        if name not in IGNORED_PARAMS and name not in (PAGE_VAR, ERROR_FLAG)
        for value in values
    ]


def names_a_field(model, lookup):
    """Whether ``lookup`` starts with the name of a field of ``model`` (or ``pk``)."""
    first = lookup.split(LOOKUP_SEP, 1)[0]
    if first == "pk":
        return True
    try:
        model._meta.get_field(first)
    except FieldDoesNotExist:
        return False
    return True


class BoundedDatesChangeList(ChangeList):
    """A change list that refuses a date its drill-down or a lookup cannot reach
    (``?signed_on__year=`` with twenty digits, or 9999, whose following year is past the
    calendar): Django's admin turns a bad date into a return to the list with ``?e=1``, but lets
    a year past any calendar through as an ``OverflowError``, and the last year's end as a
    ``ValueError``.

    So are a page that is no whole number from 1 up (``?p=x``, ``?p=0``) or past the last
    (``?p=99999``, a list of one page included), the whole of a list longer than it shows
    whole (``?all=``, which Django answered with its first page), and a sort its column
    headers do not offer (``?o=x``, a column past the last or one that cannot be sorted by),
    each given once: Django's showed the first page, or the list in its own order, as if the
    address had asked for that. Each is refused naming the parameter and why
    (``AddressRefused``).

    A column it cannot sort by (the rows' own names, ``__str__``, which Django's header
    offered to sort by and its list then ignored) offers no sort in its header either."""

    @property
    def sortable_by(self):
        return [
            name
            for name in (self.list_display if self._sortable_by is None else self._sortable_by)
            if name == "action_checkbox" or self.get_ordering_field(name)
        ]

    @sortable_by.setter
    def sortable_by(self, names):
        self._sortable_by = names

    def get_results(self, request):
        try:
            number = one_value(request.GET, PAGE_VAR)
        except ValidationError as error:
            raise AddressRefused(self.unreadable(PAGE_VAR, request, error)) from error
        if number and not (number.isascii() and number.isdigit() and int(number) >= 1):
            raise AddressRefused(
                self.unreadable(PAGE_VAR, request, _("Nomor halaman harus bilangan bulat positif."))
            )
        try:
            super().get_results(request)
        except IncorrectLookupParameters as error:  # a page past the last of several
            pages = self.model_admin.get_paginator(
                request, self.queryset, self.list_per_page
            ).num_pages
            raise AddressRefused(self.past_the_last(request, pages)) from error
        # Django lists a list of one page whatever page is asked for.
        if self.page_num > self.paginator.num_pages:
            raise AddressRefused(self.past_the_last(request, self.paginator.num_pages))
        # And a page of a list too long to show whole (``?all=``), as if it had been asked for.
        if self.show_all and not self.can_show_all:
            raise AddressRefused(
                self.unreadable(
                    ALL_VAR,
                    request,
                    _(
                        "daftar ini memuat %(count)s baris, lebih dari %(limit)s yang dapat "
                        "ditampilkan sekaligus; bukalah per halaman."
                    )
                    % {
                        "count": formats.number_format(self.result_count, force_grouping=True),
                        "limit": formats.number_format(self.list_max_show_all, force_grouping=True),
                    },
                )
            )

    def past_the_last(self, request, pages):
        return self.unreadable(
            PAGE_VAR,
            request,
            _("Halaman %(number)s tidak ada; hasil ini ada %(pages)s halaman.")
            % {"number": self.page_num, "pages": pages},
        )

    @staticmethod
    def unreadable(parameter, request, problem):
        """What to tell of ``parameter`` of ``request``'s address, refused for ``problem``."""
        if isinstance(problem, ValidationError):
            problem = " ".join(problem.messages)
        given = request.GET.getlist(parameter)
        return _("Parameter %(parameter)s pada alamat ini tidak dapat dibaca: %(problem)s") % {
            "parameter": ", ".join(named(parameter, value) for value in given),
            "problem": problem,
        }

    def get_ordering(self, request, queryset):
        try:
            order = one_value(request.GET, ORDER_VAR)
        except ValidationError as error:
            raise AddressRefused(self.unreadable(ORDER_VAR, request, error)) from error
        for column in order.split(".") if order else []:
            if not SORT_COLUMN.fullmatch(column) or int(column.lstrip("-")) >= len(
                self.list_display
            ):
                raise AddressRefused(self.unsorted(request, column))
            name = self.list_display[int(column.lstrip("-"))]
            if not self.get_ordering_field(name) or (
                self.sortable_by is not None and name not in self.sortable_by
            ):
                raise AddressRefused(self.unsorted(request, column))
        return [empty_last(self.model, item) for item in super().get_ordering(request, queryset)]

    def unsorted(self, request, column):
        return self.unreadable(
            ORDER_VAR,
            request,
            _(
                "daftar ini tidak dapat diurutkan menurut kolom “%(column)s”; pilih urutan "
                "dengan mengklik judul kolom."
            )
            % {"column": column},
        )

    def get_filters(self, request):
        try:
            filters = super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
        self.bound_by_days(filters[2])
        self.known_to_the_unit(filters[2])
        return filters

    def drilled_unit(self):
        """The unit the date drill-down names ("day", "month"), or None (a year, or none)."""
        name = self.date_hierarchy
        if not name or f"{name}{LOOKUP_SEP}year" not in self.params:
            return None
        for unit in ("day", "month"):
            if f"{name}{LOOKUP_SEP}{unit}" in self.params:
                return unit
        return None

    def precision_of_hierarchy(self):
        """``<date>_precision`` of the drill-down's date, on a model that says which precisions a
        date known to a unit has (``known_to``, as ``agreements.dates.KnownDates`` does)."""
        name = f"{self.date_hierarchy}_precision"
        if getattr(self.model, "known_to", None) is None:
            return None
        if name not in {field.name for field in self.model._meta.concrete_fields}:
            return None
        return name

    def known_to_the_unit(self, lookup_params):
        """A month of the drill-down lists the rows dated in it to the month or the day, a day
        those dated to that day: a step due "2026" is due in no month of it, nor one due "Juni
        2025" on the 1st of June, the days they are stored on."""
        unit, precision = self.drilled_unit(), self.precision_of_hierarchy()
        if unit and precision:
            lookup_params[f"{precision}{LOOKUP_SEP}in"] = [self.model.known_to(unit)]

    def bound_by_days(self, lookup_params):
        """The date drill-down of a date (not a moment) bounded by days. Django bounds it by
        midnights in the reader's time zone, which a date field reads back in the site's: to a
        reader in WITA or WIT the 1st of June became the 31st of May, so "Juni 2024" listed a
        text signed on 31 May and left out one signed on 30 June, listed under July (beside a
        "30 Juni" that led to nothing). Read in the reader's zone, the midnights are the days
        the drill-down names."""
        if not self.date_hierarchy:
            return
        field = get_fields_from_path(self.model, self.date_hierarchy)[-1]
        if isinstance(field, models.DateTimeField) or not isinstance(field, models.DateField):
            return
        for bound in ("gte", "lt"):
            name = f"{self.date_hierarchy}{LOOKUP_SEP}{bound}"
            if name in lookup_params:
                lookup_params[name] = [
                    timezone.localtime(moment).date()
                    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment)
                    else moment
                    for moment in lookup_params[name]
                ]

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        # Any date field's lookup may be typed into the address (?done_on__year= with twenty
        # digits): Django checks it only as far as the filter, and it fails when its SQL is
        # written, on the page's count. Written now, it is refused as the drill-down is.
        try:
            queryset.query.sql_with_params()
        except EmptyResultSet:  # a filter nothing can match: a list of nothing
            pass
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


def can_be_key(key, candidate, using=DEFAULT_DB_ALIAS):
    """Whether ``candidate`` (as posted) is a value the model field ``key`` can hold: of its
    type, and for an integer within its column's range (past it, a lookup fails: an
    OverflowError on SQLite), and no text holding a NUL byte (a country's code: PostgreSQL
    refuses one in any string it is sent; a form posted as an upload passes
    ``RefuseNulMiddleware``)."""
    if isinstance(candidate, str) and "\x00" in candidate:
        return False
    try:
        value = key.to_python(candidate)
    except ValidationError:
        return False
    if isinstance(value, int) and isinstance(key, models.IntegerField):
        low, high = connections[using].ops.integer_field_range(key.get_internal_type())
        return (low is None or value >= low) and (high is None or value <= high)
    return True


class ValidKeysOnly:
    """An autocomplete that shows again only the values its related key can hold.

    A form posted back with an error shows what was chosen; Django's autocomplete looks each
    posted value up, and a value that is no key (``lead_region=abc``) would fail that query
    instead of being left out. The field itself reports it as an invalid choice.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        using = self.db or DEFAULT_DB_ALIAS
        return super().optgroups(name, [v for v in value if can_be_key(key, v, using)], attr)


class KeysInRange:
    """A choice of related rows that refuses, as an invalid choice, a posted key no row can
    have, before looking it up: Django's own field looks it up and fails on SQLite."""

    def clean(self, value):
        model = self.queryset.model
        key = model._meta.get_field(self.to_field_name or model._meta.pk.name)
        for each in value if isinstance(value, list | tuple) else [value]:
            if each not in self.empty_values and not can_be_key(key, each, self.queryset.db):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": each},
                )
        return super().clean(value)


class KeysInRangeChoiceField(KeysInRange, forms.ModelChoiceField):
    pass


class KeysInRangeMultipleChoiceField(KeysInRange, forms.ModelMultipleChoiceField):
    pass


class ValidKeysAutocompleteSelect(ValidKeysOnly, ValidAutocompleteSelect):
    pass


class ValidKeysAutocompleteSelectMultiple(ValidKeysOnly, AutocompleteSelectMultiple):
    pass


class ForwardingAutocompleteSelect(ValidKeysAutocompleteSelect):
    """An autocomplete whose searches carry the values of other fields of its form, each as a
    parameter of the same name (``data-forward``: their names, read by
    ``static/js/admin-autocomplete-forward.js``), for the related model's admin to read in its
    ``get_search_results`` (``forwarded``): a partner's subdivision is searched among those of
    the country chosen beside it. When a field it carries changes while a choice is made, the
    box asks its own search for the key chosen under the new values, and clears the choice
    where the answer leaves it out: a subdivision of the country chosen before, or one chosen
    before any country that does not lie in the one chosen after it. The related admin's
    search must find a row by its key (a subdivision's ``code``); one it cannot find so is
    cleared at every such change."""

    @property
    def media(self):
        # After Django's autocomplete.js, whose djangoAdminSelect2 the script extends: each
        # list of a Media is an order of its own, so the pair is named together.
        return super().media + forms.Media(
            js=["admin/js/autocomplete.js", "js/admin-autocomplete-forward.js"]
        )


def forwarding(field, *names):
    """Make the autocomplete of the form field ``field`` carry the fields ``names`` of its form
    into its searches (``ForwardingAutocompleteSelect``); ``field`` is returned."""
    widget = innermost(field.widget)
    widget.__class__ = ForwardingAutocompleteSelect
    widget.attrs["data-forward"] = " ".join(names)
    return field


def forwarded(request, name):
    """The value of the field ``name`` an admin autocomplete's search carries
    (``ForwardingAutocompleteSelect``), "" when it carries none; given twice, refused (400)."""
    try:
        return one_value(request.GET, name).strip()
    except ValidationError as error:
        raise BadRequest(" ".join(error.messages)) from error


class OwnRowsFormSet(BaseInlineFormSet):
    """An inline's formset whose saved rows are its own record's only.

    Django checks a posted row's key against every row of the model: a row posted with the key
    of another record's row (another agreement's milestone) passed that check, matched none of
    this record's rows and was left out of the save without a word, while the rest was saved.
    Here such a key is an invalid choice, as a key no row has is, and the row says so where it
    is shown (its key is a hidden input, whose own errors the admin does not show): nothing is
    saved.

    A row the form adds carries no key at all. The form tells its saved rows from the rows it
    adds by the count it posts beside them (``…-INITIAL_FORMS``); posted lower by hand, a saved
    row came back as a row to add, its key with it, and was saved again as a copy of itself.
    Its key is refused likewise.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        key = form.fields.get(self._pk_field.name)
        if isinstance(key, forms.ModelChoiceField):
            added = index is None or index >= self.initial_form_count()
            key.queryset = self.get_queryset().none() if added else self.get_queryset()
        record = self.instance
        if record.pk is not None and getattr(form.instance, self.fk.attname, None) == record.pk:
            # A saved row knows its record as the form holds it, not by key alone: what the row
            # shows of it (a document's download name) reads it once, not once a row.
            setattr(form.instance, self.fk.name, record)

    def full_clean(self):
        super().full_clean()
        for form in self.forms:
            if self._pk_field.name in form.errors:
                form.add_error(
                    None,
                    _(
                        "Baris ini tidak ditemukan di antara baris yang tersimpan; muat ulang "
                        "halaman, lalu ulangi perubahan Anda."
                    ),
                )


# The admin's autocompletes, by the class a form field was given, and what they become.
KEYS_CHECKED = {
    AutocompleteSelect: ValidKeysAutocompleteSelect,
    ValidAutocompleteSelect: ValidKeysAutocompleteSelect,
    AutocompleteSelectMultiple: ValidKeysAutocompleteSelectMultiple,
}


class OfferedActionsOnly:
    """A bulk action posted by someone the list does not offer it to is refused (403).

    Django's admin leaves an action the user may not run out of the list, but answers a post
    naming it with the list again (200), as though it might have run.
    """

    def changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        if action and action not in self.get_actions(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def response_action(self, request, queryset):
        """A ticked key no row can have ("abc", forged) is no row, as a row deleted meanwhile
        is: left out of the selection, which Django's lookup would fail on. Nothing ticked
        left, the list says so."""
        ticked = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        keys = [key for key in ticked if can_be_key(self.model._meta.pk, key, queryset.db)]
        if len(keys) != len(ticked):
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, keys)
        return super().response_action(request, queryset)


# Django's choices of related rows, and what they become.
KEYS_IN_RANGE = {
    forms.ModelChoiceField: KeysInRangeChoiceField,
    forms.ModelMultipleChoiceField: KeysInRangeMultipleChoiceField,
}


class CheckedKeys:
    """An admin (or inline) whose choices of related rows refuse a posted value no key can
    hold as an invalid choice (``KeysInRange``), and whose autocompletes then show again only
    the values that can be keys (``ValidKeysOnly``): never a failed lookup."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = innermost(getattr(field, "widget", None))
        checked = KEYS_CHECKED.get(type(widget))
        if checked is not None:
            widget.__class__ = checked
        in_range = KEYS_IN_RANGE.get(type(field))
        if in_range is not None:
            field.__class__ = in_range
        return field


# The most rows one inline table of an admin form holds (an agreement's milestones or
# documents, a survey's potentials, a user's regions). Django builds every row a form's
# ``…-TOTAL_FORMS`` declares, up to ``absolute_max``, which its admin leaves at ``max_num`` +
# 1,000: a forged post of thousands must cost no more than this. The largest agreement of the
# demo holds a few dozen steps; 200 rows of eight fields is also about the most a post may
# carry (``DATA_UPLOAD_MAX_NUMBER_FIELDS``).
INLINE_MAX_ROWS = 200


class BoundedInline(CheckedKeys):
    """An inline that builds at most ``INLINE_MAX_ROWS`` forms (fewer where the model allows
    fewer: a one-to-one row, one), whatever a POST declares, and refuses a post declaring
    more with Django's "submit at most" message at its table, writing nothing; changes only
    rows of its own record, whatever keys a POST names (``OwnRowsFormSet``); and refuses a
    related key that is none as an invalid choice (``CheckedKeys``)."""

    max_num = INLINE_MAX_ROWS
    formset = OwnRowsFormSet

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", INLINE_MAX_ROWS)
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)


# The lookups the admin's own filters, date drill-down and links write into a list's address
# (``kind__exact``, ``sectors__id__exact``, ``signed_on__gte``, ``signed_on__year``, ``id__in``).
# Django's admin takes any lookup on a field of the list's model; some others, typed by hand, the
# database refuses when it runs them: a pattern it cannot read (``title__regex=(``), a range of
# one value (``id__range=1``).
LIST_LOOKUPS = frozenset(
    {
        *("exact", "iexact", "in", "isnull", "gt", "gte", "lt", "lte"),
        *("year", "month", "day", "contains", "icontains", "startswith", "istartswith"),
        "isempty",  # the admin's filter of empty values (``EmptyFieldListFilter``)
    }
)
# What an ``isnull`` lookup may be given: the admin's links write True or False.
ISNULL_VALUES = frozenset({"true", "false", "1", "0"})
# Of those, the ones that compare the field with the value as its column holds it.
COMPARING = frozenset({"exact", "iexact", "in", "gt", "gte", "lt", "lte"})
# Of those, the ones that match a text, each as the database does, read in Python against the
# values a field of choices holds (``kind__contains=zz``).
TEXT_MATCHES = {
    "iexact": lambda held, value: held.lower() == value.lower(),
    "contains": lambda held, value: value in held,
    "icontains": lambda held, value: value.lower() in held.lower(),
    "startswith": lambda held, value: held.startswith(value),
    "istartswith": lambda held, value: held.lower().startswith(value.lower()),
}
# The parts of a date a lookup reads, and the numbers each may be (``signed_on__month=13``).
DATE_PARTS = {"month": range(1, 13), "day": range(1, 32)}


def list_lookup_sound(model, lookup, value, rows_seen=None):
    """Whether a change list of ``model`` can filter by ``lookup=value`` from its address: a
    lookup the admin's links write (``LIST_LOOKUPS``), compared with a value its field can
    hold (not "x" for an IP address, which PostgreSQL refuses when the list is counted), and a
    relation's key naming a row the reader sees (``all_related_rows``, ``rows_seen``). A name
    that is no field's (a list filter's own parameter) is left to that filter."""
    opts, field, parts, relation = model._meta, None, lookup.split(LOOKUP_SEP), None
    while parts:
        try:
            field = opts.pk if parts[0] == "pk" else opts.get_field(parts[0])
        except FieldDoesNotExist:
            break
        parts.pop(0)
        if not field.is_relation or field.related_model is None:
            break
        relation, opts = field, field.related_model._meta
    if field is None:
        return True
    if len(parts) > 1 or (parts and parts[0] not in LIST_LOOKUPS):
        return False
    if parts == ["isnull"]:
        # Django reads any value but "", "false" and "0" as true (``kind__isnull=maybe``
        # listed the rows of no kind); the admin's links write True or False.
        return value.lower() in ISNULL_VALUES
    compared_by = parts[0] if parts else "exact"
    if compared_by in DATE_PARTS:
        return value.isascii() and value.isdigit() and int(value) in DATE_PARTS[compared_by]
    if compared_by in TEXT_MATCHES and compared_by != "iexact":
        if field.is_relation or field == getattr(relation, "target_field", None):
            # A key is named whole, as the admin's relation filters write it: a partner's
            # country by its code, not by a part of its name (``country__code__startswith=Ti``).
            return False
        if field.choices:
            return any(
                TEXT_MATCHES[compared_by](str(choice), value)
                for choice, _label in field.flatchoices
            )
    if compared_by not in COMPARING:
        return True
    if field.is_relation:  # the relation itself (``lead_region=5``): compared by its key
        field = field.target_field
    offered = {str(choice) for choice, _label in field.flatchoices} if field.choices else None
    keys = set()
    try:
        for each in value.split(",") if parts == ["in"] else [value]:
            held = field.to_python(each)
            if held not in field.empty_values:
                field.run_validators(held)
                # A field of choices holds none other (``status__exact=bogus`` listed nothing,
                # unexplained, as if no agreement had that status).
                if offered is not None and not any(
                    TEXT_MATCHES.get(compared_by, str.__eq__)(choice, str(held))
                    for choice in offered
                ):
                    return False
                keys.add(held)
    except ValidationError:
        return False
    return parts[:1] == ["iexact"] or not keys or all_related_rows(relation, field, keys, rows_seen)


def all_related_rows(relation, field, keys, rows_seen=None):
    """Whether ``keys`` each name a row of ``relation``'s model that the reader sees, when
    ``field`` is the key it is compared by (``country=ZZ``, ``lead_region__code__exact=99``, as
    a relation filter's link writes it): a key that names no row, or a row the reader's lists
    do not hold (another region's agreement, to an editor), listed nothing, unexplained, as if
    no row were related to it. ``rows_seen`` gives the rows of a model the reader sees (else
    all of them). One query; ``True`` for any other field."""
    if relation is None or field != getattr(relation, "target_field", None):
        return True
    seen = field.model._base_manager.all() if rows_seen is None else rows_seen(field.model)
    rows = seen.filter(**{f"{field.name}__in": keys}).order_by()
    return rows.count() == len(keys)


class OfferedValuesOnly(SimpleListFilter):
    """A list filter of the admin's own making (``?dormant=yes``) that refuses, as the admin
    refuses a field's filter given a value its field does not hold (``list_lookup_sound``), a
    value it does not offer, or a value given more than once: Django's own reads the last value
    given and leaves the filtering to the filter, which listed everything (``?dormant=maybe``,
    as though the filter were not there) or nothing (``?shown_status=bogus``, as though no row
    had that status), without a word why. Refused while the list is built, the page says the
    list does not offer that filter (400, ``SoundInputOnly.lookup_refused``)."""

    def __init__(self, request, params, model, model_admin):
        given = params.get(self.parameter_name)
        super().__init__(request, params, model, model_admin)
        if given is None:
            return
        offered = {str(value) for value, _label in self.lookup_choices}
        if isinstance(given, str):
            given = [given]
        if len(given) != 1 or given[0] not in offered:
            raise RefusedLookup(self.parameter_name)


class RefusedLookup(DisallowedModelAdminLookup):
    """A parameter of a list's address that the list does not filter by (``parameter``, as the
    address names it): refused naming it (``SoundInputOnly.lookup_refused``)."""

    def __init__(self, parameter):
        super().__init__(f"Filtering by {parameter} not allowed")
        self.parameter = parameter


# How often an admin save or delete met by another at the same moment is made (below).
WRITE_ATTEMPTS = 3


def sqlstate(error):
    """The SQLSTATE PostgreSQL answered ``error`` (a Django ``DatabaseError``) with, or None."""
    cause = error.__cause__
    return getattr(cause, "pgcode", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)


def is_unique_violation(error):
    """Whether ``error`` (an ``IntegrityError``) is the database refusing a value a unique
    constraint holds once: PostgreSQL's SQLSTATE 23505, SQLite's "UNIQUE constraint failed"."""
    return sqlstate(error) == "23505" or str(error).startswith("UNIQUE constraint failed")


def met_another_write(error):
    """Whether the database stopped a write because another, at the same moment, wanted what it
    held: two saves moving the kept counts of the same sectors, parties or kinds
    (``agreements_tally``) in opposite orders each wait for the other, and PostgreSQL ends one
    of them (deadlock, SQLSTATE 40P01; a serialization failure, 40001). Nothing of it is
    written; made again, it waits for the other and passes."""
    return isinstance(error, OperationalError) and sqlstate(error) in ("40P01", "40001")


def written_again_when_met(request, write):
    """``write()``, an admin page's view that saves or deletes in one transaction, made again
    when a post of it is stopped by another write of the same moment (at most
    ``WRITE_ATTEMPTS`` times in all): the database refused it, and its transaction rolled
    back, inline rows included.

    - Another save of the same unique value (a colleague adding the same agency, a form sent
      twice) was written between this form's check and its save: checked again, the form says
      what is already there, as it would a moment later.
    - A deadlock with another save (``met_another_write``): made again, it is written after it.

    The messages the stopped attempt queued for the clerk are dropped with what it wrote."""
    storage = getattr(request, "_messages", None)
    queued = list(getattr(storage, "_queued_messages", []))
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            return write()
        except (IntegrityError, OperationalError) as error:
            again = is_unique_violation(error) or met_another_write(error)
            if request.method != "POST" or attempt == WRITE_ATTEMPTS or not again:
                raise
            if storage is not None and hasattr(storage, "_queued_messages"):
                storage._queued_messages[:] = queued


class SoundInputOnly(CheckedKeys, OfferedActionsOnly):
    """Bad input to an admin page is a 4xx: an action not offered (403); a lookup typed into a
    list's address that no link of the admin writes, whose value its field cannot hold, or that
    names no field nor filter of the list (``?foo=1``), a page or a sort the list does not have,
    a date drill-down past the calendar (400, said on a page of the admin's naming the
    parameter, with the way back to the list: never Django's return to the whole list with
    ``?e=1``, nor its "Database error" page when the address already held ``e=1``); a related
    key that is none (an invalid choice)."""

    def get_changelist_instance(self, request):
        """The list, or ``ListUnreadable`` when its address cannot be read: Django's view
        answers an ``IncorrectLookupParameters`` by going back to the whole list, which
        ``changelist_view`` does not."""
        try:
            return super().get_changelist_instance(request)
        except AddressRefused as refused:
            raise ListUnreadable(refused.message) from refused
        except IncorrectLookupParameters as refused:
            # A lookup that passed ``lookup_allowed`` and still could not be read (a date
            # past the calendar): the filters the address gives, all of them.
            raise ListUnreadable(
                _("Filter pada alamat ini tidak dapat dibaca: %(parameters)s.")
                % {"parameters": ", ".join(filters_given(request))}
            ) from refused

    def get_changelist(self, request, **kwargs):
        return BoundedDatesChangeList

    def to_field_allowed(self, request, to_field):
        """A field to pick rows by (``_to_field``) is one of the model's own: a relation that
        points here from another model (a partner's ``agreements``) is none, and Django, which
        reads what it names as a field of the model's own, failed on it with a server error.
        Refused as any field no relation uses is (400)."""
        try:
            field = self.opts.get_field(to_field)
        except FieldDoesNotExist:
            return False
        if field.auto_created and not field.concrete:
            return False
        return super().to_field_allowed(request, to_field)

    def lookup_allowed(self, lookup, value, request):
        """Whether the list filters by ``lookup=value`` from its address; a lookup it does not
        is refused naming it (``RefusedLookup``), where Django's admin read a name that is no
        field's (``?foo=1``) as allowed, then failed to filter by it and went back to the
        whole list."""
        # A parameter of one of the list's own filters (``province``, though regions have a
        # field of that name) is that filter's to read (``OfferedValuesOnly``).
        own = {
            spec.parameter_name
            for spec in self.get_list_filter(request)
            if isinstance(spec, type) and issubclass(spec, SimpleListFilter)
        }
        if lookup in own:
            allowed = super().lookup_allowed(lookup, value, request)
        else:
            allowed = (
                names_a_field(self.model, lookup)
                and super().lookup_allowed(lookup, value, request)
                and list_lookup_sound(
                    self.model, lookup, value, functools.partial(self.rows_seen, request)
                )
            )
        if not allowed:
            raise RefusedLookup(lookup)
        return True

    def rows_seen(self, request, model):
        """The rows of ``model`` ``request``'s user sees in the admin: those its own admin's
        list holds for them (an editor's, their regions' agreements), else all of them."""
        try:
            model_admin = self.admin_site.get_model_admin(model)
        except NotRegistered:
            return model._base_manager.all()
        return model_admin.get_queryset(request)

    def get_search_results(self, request, queryset, search_term):
        # A list's search is refused on its page (``changelist_view``); an autocomplete's here.
        refuse_long_search(search_term)
        return super().get_search_results(request, queryset, searched_words(search_term))

    def changelist_view(self, request, extra_context=None):
        for search_term in request.GET.getlist(SEARCH_VAR):
            if search_too_long(search_term):
                return self.search_refused(request, search_too_long(search_term))
        # Refused while the list is built, before any action runs.
        try:
            response = super().changelist_view(request, extra_context)
        except (DisallowedModelAdminLookup, DisallowedModelAdminToField) as refused:
            return self.lookup_refused(request, refused)
        except ListUnreadable as refused:
            return self.address_refused(request, refused.message)
        return self.back_to_a_page_there_is(request, response)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = written_again_when_met(
            request,
            lambda: super(SoundInputOnly, self).changeform_view(
                request, object_id, form_url, extra_context
            ),
        )
        return self.back_to_a_page_there_is(request, response)

    def delete_view(self, request, object_id, extra_context=None):
        response = written_again_when_met(
            request,
            lambda: super(SoundInputOnly, self).delete_view(request, object_id, extra_context),
        )
        return self.back_to_a_page_there_is(request, response)

    def back_to_a_page_there_is(self, request, response):
        """After a save, a deletion or an action, the list it goes back to at a page it still
        has: the page the clerk came from (``?p=14``, carried in ``_changelist_filters``) may
        be past the last now that its rows are deleted or left the filter, which the list
        refuses when an address asks for it (``BoundedDatesChangeList``); it goes back to its
        last page instead. Read only after a post that goes back to a later page than the
        first."""
        if request.method != "POST" or not isinstance(response, HttpResponseRedirect):
            return response
        address = urlsplit(response["Location"])
        opts = self.model._meta
        changelist = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"
        )
        if address.path != changelist:
            return response
        query = QueryDict(address.query, mutable=True)
        page = query.get(PAGE_VAR, "")
        if not (page.isascii() and page.isdigit() and int(page) > 1):
            return response
        del query[PAGE_VAR]
        first = copy.copy(request)
        first.method, first.GET, first.POST = "GET", query, QueryDict()
        try:
            pages = self.get_changelist_instance(first).paginator.num_pages
        except (ListUnreadable, DisallowedModelAdminLookup, DisallowedModelAdminToField):
            return response  # the list refuses the address for another reason: say it there
        if int(page) <= pages:
            return response
        if pages > 1:
            query[PAGE_VAR] = str(pages)
        response["Location"] = urlunsplit(address._replace(query=query.urlencode()))
        return response

    def address_refused(self, request, message):
        """The page a list's address it cannot read gets (400): a page or a sort it does not
        have, a filter it cannot read, each named (``message``)."""
        logger = logging.getLogger("django.security.DisallowedModelAdminLookup")
        logger.error(str(message), extra={"status_code": 400, "request": request})
        opts = self.model._meta
        return self.list_refused(
            request,
            _("Alamat daftar tidak dapat dibaca"),
            message,
            _("Buka daftar %(name)s") % {"name": opts.verbose_name_plural},
        )

    def search_refused(self, request, message):
        """The page a list's search too long to make gets (400), saying how long it may be."""
        opts = self.model._meta
        return self.list_refused(
            request,
            _("Kata kunci terlalu panjang"),
            message,
            _("Buka daftar %(name)s tanpa kata kunci") % {"name": opts.verbose_name_plural},
        )

    def lookup_refused(self, request, refused):
        """The page a list's address with a lookup ``lookup_allowed`` refuses gets (400), or a
        field to pick rows by (``_to_field``) that no relation uses, rather than the bare page
        of an unreadable request. Logged where Django logs what it refuses."""
        kind = (
            DisallowedModelAdminToField
            if isinstance(refused, DisallowedModelAdminToField)
            else DisallowedModelAdminLookup
        )
        logger = logging.getLogger(f"django.security.{kind.__name__}")
        logger.error(str(refused), extra={"status_code": 400, "request": request})
        opts = self.model._meta
        parameter = (
            TO_FIELD_VAR
            if kind is DisallowedModelAdminToField
            else getattr(refused, "parameter", None)
        )
        # Refused by a rule of Django's own (no ``RefusedLookup``): every filter given.
        given = (
            [named(parameter, value) for value in request.GET.getlist(parameter)]
            if parameter
            else filters_given(request)
        )
        return self.list_refused(
            request,
            _("Filter tidak tersedia"),
            _(
                "Alamat halaman ini memuat filter %(parameter)s yang tidak ditawarkan daftar "
                "%(name)s, sehingga daftarnya tidak dapat ditampilkan."
            )
            % {"parameter": ", ".join(given), "name": opts.verbose_name_plural},
            _("Buka daftar %(name)s tanpa filter itu") % {"name": opts.verbose_name_plural},
        )

    def list_refused(self, request, title, message, back):
        """A list's page refused (400), in the admin's frame: ``title``, what was refused
        (``message``) and a link (``back``) to the list's own address."""
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": title,
            "message": message,
            "back": back,
            "changelist_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_changelist",
                current_app=self.admin_site.name,
            ),
        }
        return TemplateResponse(request, "admin/list_refused.html", context, status=400)


def in_one_transaction(action):
    """The admin action ``action``, its writes in one transaction (on the model's database)."""

    @functools.wraps(action)
    def run(modeladmin, request, queryset):
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return action(modeladmin, request, queryset)

    return run


class FilesChosenAgain:
    """A refused save asks again for each file it was sent, at its field: no browser fills a
    file input in again, so a scan attached beside a mistake elsewhere on the page was gone from
    the form that came back, without a word, and the record was saved later without it."""

    def render_change_form(self, request, context, *args, **kwargs):
        if request.method == "POST" and request.FILES:
            forms_shown = [context["adminform"].form] + [
                form
                for inline in context.get("inline_admin_formsets", ())
                for form in inline.formset.forms
            ]
            for form in forms_shown:
                for name, field in form.fields.items():
                    if (
                        isinstance(field, forms.FileField)
                        and form.add_prefix(name) in request.FILES
                        and not form.has_error(name)  # refused itself: its message says why
                    ):
                        form.add_error(
                            name,
                            _(
                                "Berkas ini belum tersimpan karena ada isian lain yang perlu "
                                "diperbaiki. Pilih berkasnya lagi sebelum menyimpan."
                            ),
                        )
        return super().render_change_form(request, context, *args, **kwargs)


class HistoryAdmin(
    DeletionAsSeen,
    FilesChosenAgain,
    QuickRows,
    SoundInputOnly,
    ValidAutocompletes,
    PlainSelects,
    OneMediaPerInline,
    SimpleHistoryAdmin,
):
    """Every change recorded per record, with who made it, when, and what changed (in words).

    A past version can be read but not restored from its history page: restoring would save
    past the checks of the change form (the agreement's version, its milestones and documents).
    Staff change the current record instead.
    """

    formfield_overrides = URL_FIELDS
    object_history_list_template = "admin/history_list.html"

    def get_actions(self, request):
        """The bulk delete runs in one transaction, as Django's delete page runs its delete: an
        admin's ``delete_queryset`` also saves a version of the rows' agreement and refreshes
        where its chain stands, and a failure half way must undo all of it. (The exports are
        left outside: they stream after the action returns.)"""
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            action, name, description = actions["delete_selected"]
            actions[name] = (in_one_transaction(action), name, description)
        return actions

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        self._not_found_unless_a_key(object_id)
        return super().history_view(request, object_id, extra_context)

    def _not_found_unless_a_key(self, object_id):
        """A record's history asked for by an id no record can have ("abc", "1.5") is not
        found, as a missing record's is: the history's lookup would fail on it."""
        if not can_be_key(self.model._meta.pk, unquote(object_id)):
            raise Http404(_("Data ini tidak ditemukan."))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        self._not_found_unless_a_key(object_id)
        # "abc", "1.5" or past the column: no such version, not a server error.
        if not can_be_key(self.model.history.model._meta.pk, version_id):
            raise Http404(_("Versi ini tidak ditemukan."))
        request.reading_past_version = True
        version = (
            self.model.history.filter(**{self.model._meta.pk.attname: object_id})
            .filter(history_id=version_id)
            .first()
        )
        if version is not None:
            when = formats.date_format(timezone.localtime(version.history_date), "DATETIME_FORMAT")
            title = _("“%(record)s” sebagaimana tercatat %(when)s (hanya dibaca)") % {
                "record": version.instance,
                "when": when,
            }
            extra_context = {"title": title, **(extra_context or {})}
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        """The change form; for a past version (``history_form_view``) every field shown but
        disabled: it is read, never typed into, and nothing of it can be saved."""
        form = super().get_form(request, obj, **kwargs)
        if not getattr(request, "reading_past_version", False):
            return form

        class PastVersionForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.disabled = True
                    # No link from a past version to add, change or delete a related record.
                    if isinstance(field.widget, RelatedFieldWidgetWrapper):
                        for can in ("add", "change", "delete", "view"):
                            setattr(field.widget, f"can_{can}_related", False)

        return PastVersionForm
