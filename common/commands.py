"""What the management commands share."""

import argparse
import datetime

from django.utils import timezone


def iso_day(value):
    """The ``type`` of a command's option taking a day: a YYYY-MM-DD date. Anything else is
    refused by the command's parser, as it refuses an unknown option: the command's usage and
    the option with what was wrong, exit status 2, no traceback."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"bukan tanggal YYYY-MM-DD: {value!r}") from error


def iso_moment(value):
    """The ``type`` of a command's option taking a moment: YYYY-MM-DDTHH:MM, in the site's time
    zone unless it names its own. Anything else is refused by the parser, as ``iso_day`` is."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"bukan waktu YYYY-MM-DDTHH:MM: {value!r}") from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
