"""The agreement admin's list: its rows drawn for less (``common.admin_list``), as are the rows
of the change forms' tables (``common.admin_form``); and the date hierarchy of the agreements'
and the milestones' lists without a pass over the register.

Django's own date hierarchy first asks for the first and last date of the list and every
distinct year in it, each a scan of every matching row (and of every party row, when a search
joins them): seconds at national scale. Here the years offered are those in which the reader
may see a row dated (an agreement signed, a milestone due: ``common.years.years_with_rows``,
the index's two ends and a probe per year), and a year once chosen is drilled into by Django's
own tag, over that year's rows only.
"""

import copy

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode

from agreements.export_columns import download_note
from agreements.models import change_reason_shown
from common.admin_form import fieldset_markup, tabular_rows
from common.admin_list import list_filter, result_list
from common.years import years_with_rows

register = template.Library()


@register.tag(name="quick_result_list")
def quick_result_list(parser, token):
    """Django's ``result_list`` tag, the same template, rows from ``common.admin_list``."""
    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


@register.simple_tag
def quick_list_filter(cl, spec):
    """Django's ``admin_list_filter`` tag, the filter written by ``common.admin_list``."""
    return list_filter(cl, spec)


@register.simple_tag(takes_context=True)
def plain_tabular_rows(context, inline_admin_formset):
    """The rows of a tabular inline (``admin/edit_inline/plain_tabular.html``), written by
    ``common.admin_form``."""
    request = context.get("request")
    return tabular_rows(inline_admin_formset, current_app=getattr(request, "current_app", None))


@register.simple_tag
def plain_fieldset(fieldset, heading_level, prefix, id_prefix, id_suffix):
    """A change form's fieldset (``admin/change_form.html``), written by
    ``common.admin_form`` as Django's ``admin/includes/fieldset.html`` writes it."""
    return fieldset_markup(fieldset, heading_level, prefix, id_prefix, id_suffix)


@register.inclusion_tag("admin/date_hierarchy.html")
def register_date_hierarchy(cl, request):
    field_name = cl.date_hierarchy
    if any(f"{field_name}__{part}" in cl.params for part in ("year", "month", "day")):
        return date_hierarchy(offering_known_periods(cl))
    years = years_with_rows(cl.model_admin.get_queryset(request), field_name)
    return {
        "show": True,
        "back": None,
        "choices": [
            {
                "link": cl.get_query_string(
                    {f"{field_name}__year": str(year)}, [f"{field_name}__"]
                ),
                "title": str(year),
            }
            for year in years
        ],
    }


def offering_known_periods(cl):
    """``cl`` whose drill-down offers within a year the months its rows are dated to (a date
    known to its year is in none), and within a month the days (``known_to``)."""
    precision = cl.precision_of_hierarchy()
    unit = {None: "month", "month": "day"}.get(cl.drilled_unit())
    if precision is None or unit is None:
        return cl
    offered = copy.copy(cl)
    offered.queryset = cl.queryset.filter(**{f"{precision}__in": cl.model.known_to(unit)})
    return offered


@register.inclusion_tag("admin/agreements/export_note.html")
def export_note(user):
    """Beside the list's actions: what the export actions' files hold and leave out for
    ``user``, in the sentences every list page says beside its downloads."""
    return {"download_note": download_note(user)}


@register.filter
def change_reason(reason):
    """A version's kept reason in the reader's language (``change_reason_shown``)."""
    return change_reason_shown(reason)
