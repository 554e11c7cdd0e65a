"""The counts that depend on today keep, beside their months, the days of each month, so that
today's month is read from a few kept counts instead of from its rows.

The status, waiting-on, overdue-step and dormant counts are kept by month (migrations 0024,
0025, 0027, 0033): a month before today's has passed and a later one has not, but today's month
is part past, part to come, and was read from the rows: the agreements expiring this month, the
steps due this month and those of cooperations lapsing this month. At national scale those are
thousands of rows, more as the register grows. Here each count is also kept by day, in a
dimension of its own keyed ``<YYYY-MM-DD>|<what>``: the day first, so that one month's keys are
one range of the index. The dashboard reads the months before and after today's from the month
keys and today's month from its days, at most 31 days of each (``AgreementQuerySet``'s
``_tallied_by_expiry``, ``overdue_step_count`` and ``dormant_count``):

- ``status_day`` and ``waits_day``: the last day a signed or in-force agreement's expiry
  covers, with its stored status or whom it waits on.
- ``overdue_day``: for a planned step, the last day its target covers (``due``: overdue from the
  day after, unless its cooperation lapsed first); for one whose cooperation lapses in the
  month it is due, that lapse too (``gone``: no longer overdue from the day after); for one due
  in a month before its cooperation lapses, that lapse (``lapse``: counted by month as lapsed
  with its month, still overdue through its last day).
- ``dormant_day``: likewise the day a cooperation in force turns dormant (``quiet``), and its
  lapse (``gone`` in the same month, ``lapse`` in a later one).

The triggers write both in the same transaction, and TRUNCATE counts both again
(``agreements_tally_rebuild``). Backwards, the functions of migration 0033 come back and the
counts are made again without the days.
"""

import importlib

from django.db import migrations

DORMANT = importlib.import_module("agreements.migrations.0027_register_tally_dormant")
STILL_TO_DO = importlib.import_module("agreements.migrations.0032_register_tally_steps_still_to_do")
AS_KNOWN = importlib.import_module("agreements.migrations.0033_register_tally_expiry_as_known")

SIGNED = STILL_TO_DO.SIGNED
PASSED_BY_SIGNING = STILL_TO_DO.PASSED_BY_SIGNING
DUE_MONTH = STILL_TO_DO.DUE_MONTH
EXPIRY_MONTH = AS_KNOWN.EXPIRY_MONTH
MONTH = AS_KNOWN.MONTH


def last_day(date, precision):
    """The last day a date known to ``precision`` covers, as ``YYYY-MM-DD``."""
    return f"to_char({AS_KNOWN.EXPIRES_BY.format(precision=precision, expires=date)}, 'YYYY-MM-DD')"


# The day an agreement lapses after, for the day keys: only a signed or in-force one lapses.
DAY = (
    "CASE WHEN {row}.status IN ('signed', 'in_force') AND {row}.expires_on IS NOT NULL THEN "
    + last_day("{row}.expires_on", "{row}.expires_on_precision")
    + " ELSE '' END"
)

ON_EXPIRY = f"""
    CREATE OR REPLACE FUNCTION agreements_tally_on_expiry() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        old_month text;
        new_month text;
        old_day text;
        new_day text;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            old_month := {MONTH.format(row="OLD")};
            old_day := {DAY.format(row="OLD")};
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            new_month := {MONTH.format(row="NEW")};
            new_day := {DAY.format(row="NEW")};
        END IF;
        IF TG_OP = 'UPDATE'
           AND OLD.status = NEW.status
           AND OLD.waits_on = NEW.waits_on
           AND OLD.visibility = NEW.visibility
           AND old_day = new_day
        THEN
            RETURN NULL;  -- nothing counted here changed (the day gives the month)
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM agreements_tally_add(
                'status', OLD.status || '|' || old_month, OLD.visibility, -1
            );
            IF old_day <> '' THEN
                PERFORM agreements_tally_add(
                    'status_day', old_day || '|' || OLD.status, OLD.visibility, -1
                );
            END IF;
            IF OLD.waits_on <> '' THEN
                PERFORM agreements_tally_add(
                    'waits', OLD.waits_on || '|' || old_month, OLD.visibility, -1
                );
                IF old_day <> '' THEN
                    PERFORM agreements_tally_add(
                        'waits_day', old_day || '|' || OLD.waits_on, OLD.visibility, -1
                    );
                END IF;
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            PERFORM agreements_tally_add(
                'status', NEW.status || '|' || new_month, NEW.visibility, 1
            );
            IF new_day <> '' THEN
                PERFORM agreements_tally_add(
                    'status_day', new_day || '|' || NEW.status, NEW.visibility, 1
                );
            END IF;
            IF NEW.waits_on <> '' THEN
                PERFORM agreements_tally_add(
                    'waits', NEW.waits_on || '|' || new_month, NEW.visibility, 1
                );
                IF new_day <> '' THEN
                    PERFORM agreements_tally_add(
                        'waits_day', new_day || '|' || NEW.waits_on, NEW.visibility, 1
                    );
                END IF;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
"""

STEP = f"""
    CREATE OR REPLACE FUNCTION agreements_tally_step(
        due date, due_precision text, kind text,
        status text, expires date, expires_precision text, vis text, d bigint
    ) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        due_month text;
        lapses text;
        due_day text;
        lapses_day text;
    BEGIN
        IF due IS NULL OR status IN ('cancelled', 'terminated', 'expired') THEN
            RETURN;
        END IF;
        IF status IN {SIGNED} AND kind IN {PASSED_BY_SIGNING} THEN
            RETURN;  -- a stage passed by signing: no one's work any more
        END IF;
        due_month := {DUE_MONTH.format(due="due", precision="due_precision")};
        due_day := {last_day("due", "due_precision")};
        IF status IN {SIGNED} AND expires IS NOT NULL THEN
            lapses := {EXPIRY_MONTH.format(expires="expires", precision="expires_precision")};
            lapses_day := {last_day("expires", "expires_precision")};
        ELSE
            lapses := '';
            lapses_day := '';
        END IF;
        IF lapses_day = '' OR due_day < lapses_day THEN
            -- Overdue from the day after its target, in its month read by day.
            PERFORM agreements_tally_add('overdue_day', due_day || '|due', vis, d);
            IF due_month = lapses THEN
                PERFORM agreements_tally_add('overdue_day', lapses_day || '|gone', vis, d);
            END IF;
        END IF;
        IF lapses <> '' AND due_month >= lapses THEN
            RETURN;  -- overdue, if ever, only in the month it is due: read by day
        END IF;
        PERFORM agreements_tally_add('overdue', 'due|' || due_month, vis, d);
        IF lapses <> '' THEN
            PERFORM agreements_tally_add('overdue', 'exp|' || lapses, vis, d);
            -- Lapsed with its month by month; overdue through its last day, read by day.
            PERFORM agreements_tally_add('overdue_day', lapses_day || '|lapse', vis, d);
        END IF;
    END
    $$
"""

DORMANT_COUNT = """
    CREATE OR REPLACE FUNCTION agreements_tally_dormant_count(
        quiet date, expires date, vis text, d bigint
    ) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        quiet_month text := coalesce(to_char(quiet, 'YYYY-MM'), '');
        lapses text := coalesce(to_char(expires, 'YYYY-MM'), '');
        quiet_day text := coalesce(to_char(quiet, 'YYYY-MM-DD'), '');
        lapses_day text := coalesce(to_char(expires, 'YYYY-MM-DD'), '');
    BEGIN
        IF quiet_day <> '' AND (lapses_day = '' OR quiet_day <= lapses_day) THEN
            -- Dormant from that day, in its month read by day.
            PERFORM agreements_tally_add('dormant_day', quiet_day || '|quiet', vis, d);
            IF quiet_month = lapses THEN
                PERFORM agreements_tally_add('dormant_day', lapses_day || '|gone', vis, d);
            END IF;
        END IF;
        IF lapses <> '' AND quiet_month >= lapses THEN
            RETURN;  -- dormant, if ever, only in the month it lapses: read by day
        END IF;
        PERFORM agreements_tally_add('dormant', 'quiet|' || quiet_month, vis, d);
        IF lapses <> '' THEN
            PERFORM agreements_tally_add('dormant', 'exp|' || lapses, vis, d);
            PERFORM agreements_tally_add('dormant_day', lapses_day || '|lapse', vis, d);
        END IF;
    END
    $$
"""

# Every counted planned step with its months and days (as ``agreements_tally_step``).
STEPS = f"""
    SELECT a.visibility,
           {DUE_MONTH.format(due="m.due_on", precision="m.due_on_precision")} AS due_month,
           {last_day("m.due_on", "m.due_on_precision")} AS due_day,
           {MONTH.format(row="a")} AS lapses,
           {DAY.format(row="a")} AS lapses_day
    FROM agreements_milestone m JOIN agreements_agreement a ON a.id = m.agreement_id
    WHERE m.done_on IS NULL AND m.due_on IS NOT NULL
      AND a.status NOT IN ('cancelled', 'terminated', 'expired')
      AND NOT (a.status IN {SIGNED} AND m.kind IN {PASSED_BY_SIGNING})
"""

# Every cooperation kept as may turn dormant, with its months and days.
QUIET = """
    SELECT visibility,
           coalesce(to_char(quiet_until, 'YYYY-MM'), '') AS quiet_month,
           coalesce(to_char(quiet_until, 'YYYY-MM-DD'), '') AS quiet_day,
           coalesce(to_char(expires_by, 'YYYY-MM'), '') AS lapses,
           coalesce(to_char(expires_by, 'YYYY-MM-DD'), '') AS lapses_day
    FROM agreements_tally_dormant
"""

# The rebuild of migration 0033, the days added.
ADDED_TO_REBUILD = f"""
        UNION ALL
        SELECT 'status_day', {DAY.format(row="a")} || '|' || a.status, a.visibility, count(*)
        FROM agreements_agreement a
        WHERE a.status IN {SIGNED} AND a.expires_on IS NOT NULL GROUP BY 2, 3
        UNION ALL
        SELECT 'waits_day', {DAY.format(row="a")} || '|' || a.waits_on, a.visibility, count(*)
        FROM agreements_agreement a
        WHERE a.status IN {SIGNED} AND a.expires_on IS NOT NULL AND a.waits_on <> ''
        GROUP BY 2, 3
        UNION ALL
        SELECT 'overdue_day', s.due_day || '|due', s.visibility, count(*) FROM ({STEPS}) s
        WHERE s.lapses_day = '' OR s.due_day < s.lapses_day GROUP BY 2, 3
        UNION ALL
        SELECT 'overdue_day', s.lapses_day || '|gone', s.visibility, count(*) FROM ({STEPS}) s
        WHERE s.lapses_day <> '' AND s.due_day < s.lapses_day AND s.due_month = s.lapses
        GROUP BY 2, 3
        UNION ALL
        SELECT 'overdue_day', s.lapses_day || '|lapse', s.visibility, count(*) FROM ({STEPS}) s
        WHERE s.lapses <> '' AND s.due_month < s.lapses GROUP BY 2, 3
        UNION ALL
        SELECT 'dormant_day', k.quiet_day || '|quiet', k.visibility, count(*) FROM ({QUIET}) k
        WHERE k.quiet_day <> '' AND (k.lapses_day = '' OR k.quiet_day <= k.lapses_day)
        GROUP BY 2, 3
        UNION ALL
        SELECT 'dormant_day', k.lapses_day || '|gone', k.visibility, count(*) FROM ({QUIET}) k
        WHERE k.quiet_day <> '' AND k.quiet_day <= k.lapses_day AND k.quiet_month = k.lapses
        GROUP BY 2, 3
        UNION ALL
        SELECT 'dormant_day', k.lapses_day || '|lapse', k.visibility, count(*) FROM ({QUIET}) k
        WHERE k.lapses <> '' AND k.quiet_month < k.lapses GROUP BY 2, 3
    $$
"""
REBUILD = AS_KNOWN.REBUILD.rstrip().removesuffix("$$") + ADDED_TO_REBUILD.lstrip("\n")
assert REBUILD != AS_KNOWN.REBUILD

FORWARD = [ON_EXPIRY, STEP, DORMANT_COUNT, REBUILD, "SELECT agreements_tally_rebuild()"]

BACKWARD = [
    AS_KNOWN.ON_EXPIRY,
    AS_KNOWN.STEP.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    DORMANT.COUNT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    AS_KNOWN.REBUILD,
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
    dependencies = [("agreements", "0038_chain_deleted_together")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
