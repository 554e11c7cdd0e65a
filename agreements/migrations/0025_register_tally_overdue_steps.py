"""How many planned steps are overdue, kept with the other counts (migrations 0016 to 0024).

A planned step is overdue when its due date has passed and its cooperation is still going: not
cancelled, terminated or expired, nor signed or in force past its expiry date
(``MilestoneQuerySet.overdue``). Both dates move against today, so the dashboard counted every
planned step of the register on each build. Here a step counts, as dimension ``overdue``, under
the month it is due (``due|YYYY-MM``) and, if its cooperation lapses by a date, under the month
it lapses (``exp|YYYY-MM``), for its cooperation's visibility. A step of a month before today's
whose cooperation lapses after today's month is overdue; one whose cooperation lapses in the
month it is due, or before, can only be overdue in that month and is left out. So the steps
overdue before this month are the ``due`` of the months before today's less the ``exp`` up to
today's (each such step was due before it lapsed); the steps due this month and those whose
cooperation lapses this month are read from the rows (``AgreementQuerySet.overdue_step_count``).

The triggers move the counts on every write of a step (its due date, whether it is done, its
agreement) and of an agreement (its status, expiry date or visibility, carrying all its planned
steps), in the same transaction; a step written before its agreement (a bulk load) is counted
with the agreement, as the party rows are; TRUNCATE counts everything again.
"""

import importlib

from django.db import migrations

BY_EXPIRY = importlib.import_module("agreements.migrations.0024_register_tally_by_expiry")

STEP = """
    CREATE FUNCTION agreements_tally_step(
        due date, status text, expires date, vis text, d bigint
    ) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        due_month text;
        lapses text;
    BEGIN
        IF due IS NULL OR status IN ('cancelled', 'terminated', 'expired') THEN
            RETURN;
        END IF;
        due_month := to_char(due, 'YYYY-MM');
        lapses := CASE WHEN status IN ('signed', 'in_force') AND expires IS NOT NULL
                       THEN to_char(expires, 'YYYY-MM') ELSE '' END;
        IF lapses <> '' AND due_month >= lapses THEN
            RETURN;  -- overdue, if ever, only in the month it is due: read from the rows
        END IF;
        PERFORM agreements_tally_add('overdue', 'due|' || due_month, vis, d);
        IF lapses <> '' THEN
            PERFORM agreements_tally_add('overdue', 'exp|' || lapses, vis, d);
        END IF;
    END
    $$
"""

ON_STEP = """
    CREATE FUNCTION agreements_tally_on_step() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        a record;
    BEGIN
        IF TG_OP = 'UPDATE'
           AND (OLD.done_on IS NULL) = (NEW.done_on IS NULL)
           AND OLD.due_on IS NOT DISTINCT FROM NEW.due_on
           AND OLD.agreement_id = NEW.agreement_id
        THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.done_on IS NULL THEN
            SELECT status, expires_on, visibility INTO a
            FROM agreements_agreement WHERE id = OLD.agreement_id;
            IF FOUND THEN  -- otherwise it was uncounted with its agreement
                PERFORM agreements_tally_step(
                    OLD.due_on, a.status, a.expires_on, a.visibility, -1
                );
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.done_on IS NULL THEN
            SELECT status, expires_on, visibility INTO a
            FROM agreements_agreement WHERE id = NEW.agreement_id;
            IF FOUND THEN  -- otherwise it is counted with its agreement
                PERFORM agreements_tally_step(
                    NEW.due_on, a.status, a.expires_on, a.visibility, 1
                );
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
"""

ON_AGREEMENT = """
    CREATE FUNCTION agreements_tally_on_steps_agreement() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.status = NEW.status
           AND OLD.visibility = NEW.visibility
           AND OLD.expires_on IS NOT DISTINCT FROM NEW.expires_on
        THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM agreements_tally_step(m.due_on, OLD.status, OLD.expires_on, OLD.visibility, -1)
            FROM agreements_milestone m WHERE m.agreement_id = OLD.id AND m.done_on IS NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            PERFORM agreements_tally_step(m.due_on, NEW.status, NEW.expires_on, NEW.visibility, 1)
            FROM agreements_milestone m WHERE m.agreement_id = NEW.id AND m.done_on IS NULL;
        END IF;
        RETURN NULL;
    END
    $$
"""

# The planned steps the tallies count, with their two months (as ``agreements_tally_step``).
COUNTED_STEPS = """
    SELECT a.visibility, to_char(m.due_on, 'YYYY-MM') AS due_month,
           CASE WHEN a.status IN ('signed', 'in_force') AND a.expires_on IS NOT NULL
                THEN to_char(a.expires_on, 'YYYY-MM') ELSE '' END AS lapses
    FROM agreements_milestone m JOIN agreements_agreement a ON a.id = m.agreement_id
    WHERE m.done_on IS NULL AND m.due_on IS NOT NULL
      AND a.status NOT IN ('cancelled', 'terminated', 'expired')
"""

ADDED_TO_REBUILD = f"""
        UNION ALL
        SELECT 'overdue', 'due|' || s.due_month, s.visibility, count(*)
        FROM ({COUNTED_STEPS}) s WHERE s.lapses = '' OR s.due_month < s.lapses GROUP BY 2, 3
        UNION ALL
        SELECT 'overdue', 'exp|' || s.lapses, s.visibility, count(*)
        FROM ({COUNTED_STEPS}) s WHERE s.lapses <> '' AND s.due_month < s.lapses GROUP BY 2, 3
    $$
"""
REBUILD = BY_EXPIRY.REBUILD.rstrip().removesuffix("$$") + ADDED_TO_REBUILD.lstrip("\n")
assert REBUILD != BY_EXPIRY.REBUILD

FORWARD = [
    STEP,
    ON_STEP,
    ON_AGREEMENT,
    """
    CREATE TRIGGER agreements_tally AFTER INSERT OR UPDATE OR DELETE ON agreements_milestone
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_step()
    """,
    """
    CREATE TRIGGER agreements_tally_steps AFTER INSERT OR UPDATE OR DELETE
    ON agreements_agreement FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_steps_agreement()
    """,
    """
    CREATE TRIGGER agreements_tally_truncate AFTER TRUNCATE ON agreements_milestone
    FOR EACH STATEMENT EXECUTE FUNCTION agreements_tally_on_truncate()
    """,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS agreements_tally_truncate ON agreements_milestone",
    "DROP TRIGGER IF EXISTS agreements_tally_steps ON agreements_agreement",
    "DROP TRIGGER IF EXISTS agreements_tally ON agreements_milestone",
    "DROP FUNCTION IF EXISTS agreements_tally_on_steps_agreement()",
    "DROP FUNCTION IF EXISTS agreements_tally_on_step()",
    "DROP FUNCTION IF EXISTS agreements_tally_step(date, text, date, text, bigint)",
    BY_EXPIRY.REBUILD,
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
    dependencies = [("agreements", "0024_register_tally_by_expiry")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
