"""What the management commands share."""

import argparse
import datetime


def iso_day(value):
    """The ``type`` of a command's option taking a day: a YYYY-MM-DD date. Anything else is
    refused by the command's parser, as it refuses an unknown option: the command's usage and
    the option with what was wrong, exit status 2, no traceback."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"bukan tanggal YYYY-MM-DD: {value!r}") from error
