"""What the management commands share."""

import datetime

from django.core.management.base import CommandError


def date_option(option):
    """The ``type`` of a command's ``option`` taking a day: a YYYY-MM-DD date, else an error
    naming the option."""

    def parse(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"{option}: bukan tanggal YYYY-MM-DD: {value!r}") from error

    return parse
