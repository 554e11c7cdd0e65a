"""A cooperation turns dormant (*mati suri*) a year after the LAST day its start and its latest
sign of life may have been, not the first.

A date known only to its month or its year is stored as the period's first day
(``agreements.dates``). The rule read that day: a cooperation signed "Desember 2025" showed as
dormant from 1 December 2026, though it may have been signed on 31 December 2025, and one whose
last activity was done "2025" from January 2026, though the activity may have been in
December. It now reads, as an expiry is read (migration 0033), the last day the period covers
(``agreements.models.quiet_from``, ``KnownDate.end``), of the start (its entry into force, else
its signing) and of the sign of life alike:

- ``Agreement.last_sign_of_life_on`` stores that day of the latest sign of life along the
  agreement's line (``store_progress``); stored here again for every agreement, where a sign of
  life is known only to its month or year.
- ``agreements_tally_dormant_refresh`` (migration 0049) reads the start to the last day its
  precision covers; the agreement's dormant trigger runs when the precision of its signing or
  of its entry into force changes too.
- The rebuild (``agreements_tally_rebuild``, migration 0054) reads it likewise, and counts
  everything again; each region's rows (``agreements_tally_region_quiet``, migration 0053)
  follow the rows it writes.

Backwards, the functions of migrations 0049 and 0054 come back and everything is counted again;
the signs of life stay stored as their last day.
"""

import importlib

from django.db import migrations

AS_KNOWN = importlib.import_module("agreements.migrations.0033_register_tally_expiry_as_known")
SIGNS = importlib.import_module("agreements.migrations.0049_dormant_along_the_line")
REGENCIES = importlib.import_module("agreements.migrations.0054_kept_steps_and_pairs_of_each_regency")

DORMANT_AFTER_DAYS = SIGNS.DORMANT_AFTER_DAYS


def last_day(date):
    """The last day the date column ``date`` of an agreement ``a`` covers, by the precision
    beside it (``KnownDate.end``); NULL for no date."""
    return AS_KNOWN.EXPIRES_BY.format(precision=f"{date}_precision", expires=date)


# The day its start counts from: the last day its entry into force covers, else its signing's.
STARTED = f"coalesce({last_day('a.in_force_from')}, {last_day('a.signed_on')})"
QUIET = f"greatest({STARTED}, a.last_sign_of_life_on)"

OLD_QUIET = "greatest(coalesce(a.in_force_from, a.signed_on), a.last_sign_of_life_on)"
OLD_COLUMNS = """
        SELECT status, visibility, signed_on, in_force_from, expires_on, expires_on_precision,
               last_sign_of_life_on
"""
NEW_COLUMNS = """
        SELECT status, visibility, signed_on, in_force_from, expires_on, expires_on_precision,
               last_sign_of_life_on, signed_on_precision, in_force_from_precision
"""
for old in (OLD_QUIET, OLD_COLUMNS):
    assert SIGNS.DORMANT_REFRESH.count(old) == 1, old
DORMANT_REFRESH = SIGNS.DORMANT_REFRESH.replace(OLD_COLUMNS, NEW_COLUMNS).replace(OLD_QUIET, QUIET)

SIGN_CHECK = (
    "           AND OLD.last_sign_of_life_on IS NOT DISTINCT FROM NEW.last_sign_of_life_on\n"
)
assert SIGNS.DORMANT_ON_AGREEMENT.count(SIGN_CHECK) == 1
DORMANT_ON_AGREEMENT = SIGNS.DORMANT_ON_AGREEMENT.replace(
    SIGN_CHECK,
    SIGN_CHECK
    + "           AND OLD.signed_on_precision = NEW.signed_on_precision\n"
    + "           AND OLD.in_force_from_precision = NEW.in_force_from_precision\n",
)

assert REGENCIES.REBUILD.count(OLD_QUIET) == 1
REBUILD = REGENCIES.REBUILD.replace(OLD_QUIET, QUIET)

FORWARD = [DORMANT_REFRESH, DORMANT_ON_AGREEMENT, REBUILD, "SELECT agreements_tally_rebuild()"]

BACKWARD = [
    SIGNS.DORMANT_REFRESH,
    SIGNS.DORMANT_ON_AGREEMENT,
    REGENCIES.REBUILD,
    "SELECT agreements_tally_rebuild()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


def store_signs_of_life(apps, schema_editor):
    """Store again the day each agreement's latest sign of life counts from (the service every
    write path calls, ``store_progress``), where a sign of life is known only to its month or
    its year: a register with none is left as it is. The counts follow it, by the agreement's
    trigger (the functions above)."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    known_to_a_period = Milestone.objects.filter(
        kind__in=("activity", "evaluation"),
        done_on__isnull=False,
        done_on_precision__in=("month", "year"),
    )
    if known_to_a_period.exists():
        store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0058_store_progress_of_steps_set_aside_or_known_to_a_period"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
        migrations.RunPython(store_signs_of_life, migrations.RunPython.noop, elidable=True),
    ]
