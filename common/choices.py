"""Choices shared by the apps' models."""


def choice_values(choices):
    """The stored values of a ``TextChoices``: what its field's CHECK constraint allows."""
    return [value for value, _label in choices.choices]
