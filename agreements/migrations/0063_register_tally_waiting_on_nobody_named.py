"""The counts of whom cooperations wait on (dimensions ``waits`` and ``waits_day``, migrations
0024 and 0039) count those whose next step names nobody yet too, under ``none``.

The dashboard's "Menunggu siapa" read them and left out every cooperation with a next step
that names no one (``waits_on`` empty): the report of a region counts those as "Belum
ditentukan", and an official saw fewer on the dashboard than in the report, with no way to
reach the rest. They are kept here as a party of their own, ``none`` (``WAITS_ON_NOBODY``, the
value of the list's ``?waits_on=none``): an agreement with a next step stored, a stage or a
milestone (``Agreement.has_next_step_q``), and nobody named for it. One with no next step
waits on nothing and is counted nowhere, as before.

The expiry trigger (``agreements_tally_on_expiry``) counts the row under whom it waits on, or
``none``, and runs when the stored next step changes as well; the rebuild
(``agreements_tally_rebuild``, migration 0059) counts the same, and counts everything again,
so an existing register's counts hold them once migrated. Backwards, the functions of
migrations 0039 and 0059 come back and everything is counted again.

The list's ``?waits_on=none`` reads them from a partial index of their own
(``agreement_waiting_on_nobody``), as a party's read ``agreement_waiting``.
"""

import importlib

from django.db import migrations, models

BY_DAY = importlib.import_module("agreements.migrations.0039_register_tally_this_month_by_day")
LAST_DAY = importlib.import_module(
    "agreements.migrations.0059_dormant_from_the_last_day_a_date_covers"
)

# Whom ``row`` is counted as waiting on: the party it names, else ``none`` where a next step is
# stored (``Agreement.has_next_step_q``), else '' (not counted).
WAITED = (
    "CASE WHEN {row}.waits_on <> '' THEN {row}.waits_on"
    " WHEN {row}.next_stage <> '' OR {row}.next_milestone_id IS NOT NULL THEN 'none'"
    " ELSE '' END"
)

# The trigger of migration 0039, reading whom each row waits on so.
DECLARED = """
        old_day text;
        new_day text;
"""
OLD_READ = """
            old_day := {day};
""".format(day=BY_DAY.DAY.format(row="OLD"))
NEW_READ = """
            new_day := {day};
""".format(day=BY_DAY.DAY.format(row="NEW"))
for part in (DECLARED, OLD_READ, NEW_READ):
    assert BY_DAY.ON_EXPIRY.count(part) == 1, part
for row in ("OLD", "NEW"):
    assert BY_DAY.ON_EXPIRY.count(f"{row}.waits_on") == 4, row
ON_EXPIRY = (
    BY_DAY.ON_EXPIRY.replace("OLD.waits_on", "old_waits")
    .replace("NEW.waits_on", "new_waits")
    .replace(DECLARED, DECLARED + "        old_waits text;\n        new_waits text;\n")
    .replace(OLD_READ, OLD_READ + f"            old_waits := {WAITED.format(row='OLD')};\n")
    .replace(NEW_READ, NEW_READ + f"            new_waits := {WAITED.format(row='NEW')};\n")
)

# The rebuild of migration 0059, counting the same.
REBUILT = {
    "SELECT 'waits', a.waits_on || '|'": "SELECT 'waits', {waited} || '|'",
    "FROM agreements_agreement a WHERE a.waits_on <> '' GROUP BY 2, 3": (
        "FROM agreements_agreement a WHERE {waited} <> '' GROUP BY 2, 3"
    ),
    "|| '|' || a.waits_on, a.visibility": "|| '|' || {waited}, a.visibility",
    "AND a.expires_on IS NOT NULL AND a.waits_on <> ''": (
        "AND a.expires_on IS NOT NULL AND {waited} <> ''"
    ),
}
REBUILD = LAST_DAY.REBUILD
for old, new in REBUILT.items():
    assert REBUILD.count(old) == 1, old
    REBUILD = REBUILD.replace(old, new.format(waited=WAITED.format(row="a")))
assert "a.waits_on <> ''" not in REBUILD.replace(WAITED.format(row="a"), "")

FORWARD = [ON_EXPIRY, REBUILD, "SELECT agreements_tally_rebuild()"]

BACKWARD = [BY_DAY.ON_EXPIRY, LAST_DAY.REBUILD, "SELECT agreements_tally_rebuild()"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0062_amendments_in_force_by_the_day_they_end")]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
        # The list's ``?waits_on=none`` and its count read these few from an index of their
        # own, as a party's read ``agreement_waiting``.
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(
                    ("waits_on", ""),
                    models.Q(("next_milestone__isnull", True), ("next_stage", ""), _negated=True),
                ),
                fields=["status"],
                name="agreement_waiting_on_nobody",
            ),
        ),
    ]
