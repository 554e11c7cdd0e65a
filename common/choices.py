"""Choices shared by the apps' models."""

import functools

from django.utils.encoding import force_str


def choice_values(choices, only=None):
    """The stored values of a ``TextChoices`` (those in ``only``, when given): what its field's
    CHECK constraint allows."""
    return [value for value, _label in choices.choices if only is None or value in only]


class ChoiceLabels:
    """A model whose ``get_<field>_display()`` looks each value up in its field's labels, read
    once per field. Django's builds that dict on every call, hashing each choice's lazily
    translated label, which translates it: lists write a label or two a row, and a page of 25
    agreements spent 3 ms on it. The label is still translated when read, in the reader's
    language."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # a value no dict can key: as Django reads it
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


@functools.cache
def _labels(field):
    return dict(field.flatchoices)
