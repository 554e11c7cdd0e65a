"""Choices shared by the apps' models."""


def choice_values(choices, only=None):
    """The stored values of a ``TextChoices`` (those in ``only``, when given): what its field's
    CHECK constraint allows."""
    return [value for value, _label in choices.choices if only is None or value in only]
