"""The overdue steps kept in the tallies (migration 0025): only steps still to do, late only
once the whole of their target has passed.

A signed document has passed every stage on the way to signing; a step of one of them left
open from before (a visit, a ministry's approval, the signing itself planned and never ticked
off) is no one's work any more (``agreements.models.passed_by_signing``): never its next step,
and now never due or overdue. ``agreements_tally_step`` takes the step's kind and leaves such a
step out while its cooperation is signed or in force.

A step due "Maret 2026" is late from 1 April, one due "2026" from 1 January 2027
(``agreements.dates.ended_before``). A month is counted under its own month, as a day is; a
year under its December, the month after which it is late.

The step trigger moves the counts when a step's kind or the precision of its target changes
too; the agreement's trigger already moves all its planned steps when its status changes. The
counts are made again from the rows.
"""

import importlib

from django.db import migrations

OVERDUE = importlib.import_module("agreements.migrations.0025_register_tally_overdue_steps")
DORMANT = importlib.import_module("agreements.migrations.0027_register_tally_dormant")

# ``stages.ALL_STAGES`` and ``SIGNED_STATUSES`` (agreements) as they are written here.
PASSED_BY_SIGNING = (
    "('dprd', 'drafting', 'exploration', 'full_powers', 'initialling', 'initiative', 'loi', "
    "'ministry', 'plan', 'signing', 'tkksd')"
)
SIGNED = "('signed', 'in_force')"

# The month after which a step is late: its own, or its year's December.
DUE_MONTH = (
    "CASE WHEN {precision} = 'year' THEN to_char({due}, 'YYYY') || '-12' "
    "ELSE to_char({due}, 'YYYY-MM') END"
)

STEP = f"""
    CREATE FUNCTION agreements_tally_step(
        due date, due_precision text, kind text, status text, expires date, vis text, d bigint
    ) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        due_month text;
        lapses text;
    BEGIN
        IF due IS NULL OR status IN ('cancelled', 'terminated', 'expired') THEN
            RETURN;
        END IF;
        IF status IN {SIGNED} AND kind IN {PASSED_BY_SIGNING} THEN
            RETURN;  -- a stage passed by signing: no one's work any more
        END IF;
        due_month := {DUE_MONTH.format(due="due", precision="due_precision")};
        lapses := CASE WHEN status IN {SIGNED} AND expires IS NOT NULL
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
    CREATE OR REPLACE FUNCTION agreements_tally_on_step() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        a record;
    BEGIN
        IF TG_OP = 'UPDATE'
           AND (OLD.done_on IS NULL) = (NEW.done_on IS NULL)
           AND OLD.due_on IS NOT DISTINCT FROM NEW.due_on
           AND OLD.agreement_id = NEW.agreement_id
           AND OLD.kind = NEW.kind
           AND OLD.due_on_precision = NEW.due_on_precision
        THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.done_on IS NULL THEN
            SELECT status, expires_on, visibility INTO a
            FROM agreements_agreement WHERE id = OLD.agreement_id;
            IF FOUND THEN  -- otherwise it was uncounted with its agreement
                PERFORM agreements_tally_step(
                    OLD.due_on, OLD.due_on_precision, OLD.kind,
                    a.status, a.expires_on, a.visibility, -1
                );
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.done_on IS NULL THEN
            SELECT status, expires_on, visibility INTO a
            FROM agreements_agreement WHERE id = NEW.agreement_id;
            IF FOUND THEN  -- otherwise it is counted with its agreement
                PERFORM agreements_tally_step(
                    NEW.due_on, NEW.due_on_precision, NEW.kind,
                    a.status, a.expires_on, a.visibility, 1
                );
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
"""

ON_AGREEMENT = """
    CREATE OR REPLACE FUNCTION agreements_tally_on_steps_agreement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.status = NEW.status
           AND OLD.visibility = NEW.visibility
           AND OLD.expires_on IS NOT DISTINCT FROM NEW.expires_on
        THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM agreements_tally_step(
                m.due_on, m.due_on_precision, m.kind,
                OLD.status, OLD.expires_on, OLD.visibility, -1
            )
            FROM agreements_milestone m WHERE m.agreement_id = OLD.id AND m.done_on IS NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            PERFORM agreements_tally_step(
                m.due_on, m.due_on_precision, m.kind,
                NEW.status, NEW.expires_on, NEW.visibility, 1
            )
            FROM agreements_milestone m WHERE m.agreement_id = NEW.id AND m.done_on IS NULL;
        END IF;
        RETURN NULL;
    END
    $$
"""

OWN_MONTH = "to_char(m.due_on, 'YYYY-MM') AS due_month"
assert OVERDUE.COUNTED_STEPS.count(OWN_MONTH) == 1
COUNTED_STEPS = (
    OVERDUE.COUNTED_STEPS.replace(
        OWN_MONTH, DUE_MONTH.format(due="m.due_on", precision="m.due_on_precision") + " AS due_month"
    ).rstrip()
    + f"\n      AND NOT (a.status IN {SIGNED} AND m.kind IN {PASSED_BY_SIGNING})\n"
)
assert DORMANT.REBUILD.count(OVERDUE.COUNTED_STEPS) == 2
REBUILD = DORMANT.REBUILD.replace(OVERDUE.COUNTED_STEPS, COUNTED_STEPS)

OLD_STEP = "agreements_tally_step(date, text, date, text, bigint)"

FORWARD = [
    f"DROP FUNCTION {OLD_STEP}",
    STEP,
    ON_STEP,
    ON_AGREEMENT,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    "DROP FUNCTION agreements_tally_step(date, text, text, text, date, text, bigint)",
    OVERDUE.STEP,
    OVERDUE.ON_STEP.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    OVERDUE.ON_AGREEMENT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    DORMANT.REBUILD,
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
    dependencies = [("agreements", "0031_constraint_messages_at_their_fields")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
