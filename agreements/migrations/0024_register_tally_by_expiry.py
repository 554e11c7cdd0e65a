"""How many agreements have each stored status, and how many wait on each party, by month of
expiry, kept with the other counts (migrations 0016, 0021 and 0022).

The dashboard's status chart and its "waiting on" counts depend on today's date: an agreement
signed or in force shows as expired once its expiry date has passed, and then waits on nobody.
Counting them grouped every agreement by a CASE of today's date on each build. Here they are
kept as two dimensions, keyed ``<value>|<YYYY-MM>``:

- ``status``: the stored status, and the month of expiry of a signed or in-force agreement
  (empty for the others, and for one with no expiry date: no date turns them into anything);
- ``waits``: whom the next step waits on (agreements waiting on nobody are left out), with the
  same month.

A month before today's has lapsed, a later one has not; only the agreements expiring in today's
month, and the few signed ones (which enter into force on a date of their own), are read from
the rows (``AgreementQuerySet.counts_by_status``, ``counts_by_waits_on``). The trigger moves the
counts on every insert, delete and update that changes one of these keys or the visibility, in
the same transaction; TRUNCATE counts everything again (``agreements_tally_rebuild``).
"""

import importlib

from django.db import migrations

OUTLINES = importlib.import_module("agreements.migrations.0022_register_tally_outlines")

# The month an agreement lapses in, for the keys: only a signed or in-force one lapses by date.
MONTH = (
    "CASE WHEN {row}.status IN ('signed', 'in_force') AND {row}.expires_on IS NOT NULL "
    "THEN to_char({row}.expires_on, 'YYYY-MM') ELSE '' END"
)

ON_AGREEMENT = f"""
    CREATE FUNCTION agreements_tally_on_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_month text;
        new_month text;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN old_month := {MONTH.format(row="OLD")}; END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN new_month := {MONTH.format(row="NEW")}; END IF;
        IF TG_OP = 'UPDATE'
           AND OLD.status = NEW.status
           AND OLD.waits_on = NEW.waits_on
           AND OLD.visibility = NEW.visibility
           AND old_month = new_month
        THEN
            RETURN NULL;  -- nothing counted here changed
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM agreements_tally_add(
                'status', OLD.status || '|' || old_month, OLD.visibility, -1
            );
            IF OLD.waits_on <> '' THEN
                PERFORM agreements_tally_add(
                    'waits', OLD.waits_on || '|' || old_month, OLD.visibility, -1
                );
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            PERFORM agreements_tally_add(
                'status', NEW.status || '|' || new_month, NEW.visibility, 1
            );
            IF NEW.waits_on <> '' THEN
                PERFORM agreements_tally_add(
                    'waits', NEW.waits_on || '|' || new_month, NEW.visibility, 1
                );
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
"""

# The rebuild of migration 0022, these two dimensions added.
ADDED_TO_REBUILD = f"""
        UNION ALL
        SELECT 'status', a.status || '|' || {MONTH.format(row="a")}, a.visibility, count(*)
        FROM agreements_agreement a GROUP BY 2, 3
        UNION ALL
        SELECT 'waits', a.waits_on || '|' || {MONTH.format(row="a")}, a.visibility, count(*)
        FROM agreements_agreement a WHERE a.waits_on <> '' GROUP BY 2, 3
    $$
"""
REBUILD = OUTLINES.REBUILD.rstrip().removesuffix("$$") + ADDED_TO_REBUILD.lstrip("\n")
assert REBUILD != OUTLINES.REBUILD

FORWARD = [
    ON_AGREEMENT,
    """
    CREATE TRIGGER agreements_tally_expiry AFTER INSERT OR UPDATE OR DELETE
    ON agreements_agreement FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_expiry()
    """,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS agreements_tally_expiry ON agreements_agreement",
    "DROP FUNCTION IF EXISTS agreements_tally_on_expiry()",
    OUTLINES.REBUILD,
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


class Migration(migrations.Migration):
    dependencies = [("agreements", "0023_register_epoch_renewed_on_sqlite")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
