"""Helpers shared by the tests of roles, visibility, audit and concurrency: a client per named
user, and what the admin's agreement change form posts."""

import datetime

from django.test import Client
from django.urls import reverse

from agreements.forms import AgreementAdminForm

INLINE_PREFIXES = ("milestones", "documents")


def logged_in(user):
    """A client of its own for ``user``, so two users can work side by side in one test."""
    client = Client()
    client.force_login(user)
    return client


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def admin_url(obj, page):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])


def _value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def agreement_form_data(agreement, **changes):
    """What the change form of ``agreement`` posts when saved as loaded, with ``changes``.

    Carries the version the form was loaded with (``loaded_version``) and no inline rows; add
    some with ``with_new_milestone``.
    """
    data = {}
    for name in AgreementAdminForm.Meta.fields:
        field = agreement._meta.get_field(name)
        if field.many_to_many:
            saved = agreement.pk is not None
            data[name] = [obj.pk for obj in getattr(agreement, name).all()] if saved else []
        else:
            data[name] = _value(getattr(agreement, field.attname))
    data["loaded_version"] = agreement.version
    for prefix in INLINE_PREFIXES:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


def with_new_milestone(data, **milestone):
    """``data`` with one new milestone row in the inline."""
    index = int(data["milestones-TOTAL_FORMS"])
    data["milestones-TOTAL_FORMS"] = str(index + 1)
    for field, value in milestone.items():
        data[f"milestones-{index}-{field}"] = value
    return data


def with_existing_milestone(data, milestone, **changes):
    """``data`` with ``milestone`` as an existing row of the inline, changed by ``changes``."""
    index = int(data["milestones-TOTAL_FORMS"])
    data["milestones-TOTAL_FORMS"] = str(index + 1)
    data["milestones-INITIAL_FORMS"] = str(int(data["milestones-INITIAL_FORMS"]) + 1)
    values = {
        "id": milestone.pk,
        "agreement": milestone.agreement_id,
        "kind": milestone.kind,
        "title": milestone.title,
        "due_on": _value(milestone.due_on),
        "done_on": _value(milestone.done_on),
        "waits_on": milestone.waits_on,
        "rating": _value(milestone.rating),
        "findings": milestone.findings,
        "notes": milestone.notes,
        **changes,
    }
    for field, value in values.items():
        data[f"milestones-{index}-{field}"] = value
    return data


def form_errors(response):
    """Every error the admin form and its inlines show, as one list of strings."""
    errors = []
    context = response.context
    if context is None or "adminform" not in context:
        return errors
    form = context["adminform"].form
    for messages in form.errors.values():
        errors.extend(str(message) for message in messages)
    for inline in context.get("inline_admin_formsets", []):
        for form_errors_ in inline.formset.errors:
            for messages in form_errors_.values():
                errors.extend(str(message) for message in messages)
        errors.extend(str(message) for message in inline.formset.non_form_errors())
    return errors
