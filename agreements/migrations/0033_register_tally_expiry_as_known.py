"""The tallies read an agreement's expiry to the last day its known period covers, as they read
a step's target (migration 0032).

An agreement "Berakhir pada Desember 2026" is stored as 1 December 2026 with precision month,
one "Berakhir pada 2026" as 1 January 2026 with precision year (``agreements.dates``). Both are
in force through 31 December 2026 and show as expired from 1 January 2027
(``Agreement.expires_by``, ``agreements.dates.ended_before``); the counts kept by month of
expiry read the stored day, so a year-known expiry counted as lapsed from February. Here the
month an agreement lapses after is the month of that last day: a day's or a month's own, a
year's December (``EXPIRY_MONTH``), as a step's target is keyed. It is what

- ``agreements_tally_on_expiry`` (migration 0024) keys the status and waiting-on counts by;
- ``agreements_tally_step`` (migrations 0025, 0032) keys a planned step's cooperation's lapse
  by: it takes the expiry's precision beside the date, and both step triggers pass it;
- ``agreements_tally_dormant`` (migration 0027) keeps, as ``expires_by``, the last day itself
  (its ``expires_on`` renamed): ``AgreementQuerySet.dormant_count`` compares it with today.

The agreement's triggers move the counts when only the expiry's precision changes too. The
counts and the dormant rows are made again from the rows; backwards, the functions of
migration 0032 come back and are made again likewise.
"""

import importlib

from django.db import migrations

BY_EXPIRY = importlib.import_module("agreements.migrations.0024_register_tally_by_expiry")
DORMANT = importlib.import_module("agreements.migrations.0027_register_tally_dormant")
STILL_TO_DO = importlib.import_module("agreements.migrations.0032_register_tally_steps_still_to_do")

SIGNED = STILL_TO_DO.SIGNED
PASSED_BY_SIGNING = STILL_TO_DO.PASSED_BY_SIGNING
SIGNS_OF_LIFE = DORMANT.SIGNS_OF_LIFE
DORMANT_AFTER_DAYS = DORMANT.DORMANT_AFTER_DAYS

# The last day an expiry covers (``KnownDate.end``): the day, the last of its month or year.
EXPIRES_BY = (
    "CASE {precision} "
    "WHEN 'year' THEN (date_trunc('year', {expires}) + interval '1 year - 1 day')::date "
    "WHEN 'month' THEN (date_trunc('month', {expires}) + interval '1 month - 1 day')::date "
    "ELSE {expires} END"
)

# The month after which an expiry has lapsed: its own, or its year's December.
EXPIRY_MONTH = (
    "CASE WHEN {precision} = 'year' THEN to_char({expires}, 'YYYY') || '-12' "
    "ELSE to_char({expires}, 'YYYY-MM') END"
)

# The month an agreement lapses after, for the keys of migration 0024: only a signed or
# in-force one lapses by date.
MONTH = (
    "CASE WHEN {row}.status IN ('signed', 'in_force') AND {row}.expires_on IS NOT NULL "
    "THEN "
    + EXPIRY_MONTH.format(precision="{row}.expires_on_precision", expires="{row}.expires_on")
    + " ELSE '' END"
)
assert BY_EXPIRY.ON_AGREEMENT.count(BY_EXPIRY.MONTH.format(row="OLD")) == 1
assert BY_EXPIRY.ON_AGREEMENT.count(BY_EXPIRY.MONTH.format(row="NEW")) == 1
ON_EXPIRY = (
    BY_EXPIRY.ON_AGREEMENT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    .replace(BY_EXPIRY.MONTH.format(row="OLD"), MONTH.format(row="OLD"))
    .replace(BY_EXPIRY.MONTH.format(row="NEW"), MONTH.format(row="NEW"))
)

STEP = f"""
    CREATE FUNCTION agreements_tally_step(
        due date, due_precision text, kind text,
        status text, expires date, expires_precision text, vis text, d bigint
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
        due_month := {STILL_TO_DO.DUE_MONTH.format(due="due", precision="due_precision")};
        lapses := CASE WHEN status IN {SIGNED} AND expires IS NOT NULL
                       THEN {EXPIRY_MONTH.format(expires="expires", precision="expires_precision")}
                       ELSE '' END;
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
            SELECT status, expires_on, expires_on_precision, visibility INTO a
            FROM agreements_agreement WHERE id = OLD.agreement_id;
            IF FOUND THEN  -- otherwise it was uncounted with its agreement
                PERFORM agreements_tally_step(
                    OLD.due_on, OLD.due_on_precision, OLD.kind,
                    a.status, a.expires_on, a.expires_on_precision, a.visibility, -1
                );
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.done_on IS NULL THEN
            SELECT status, expires_on, expires_on_precision, visibility INTO a
            FROM agreements_agreement WHERE id = NEW.agreement_id;
            IF FOUND THEN  -- otherwise it is counted with its agreement
                PERFORM agreements_tally_step(
                    NEW.due_on, NEW.due_on_precision, NEW.kind,
                    a.status, a.expires_on, a.expires_on_precision, a.visibility, 1
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
           AND OLD.expires_on_precision = NEW.expires_on_precision
        THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM agreements_tally_step(
                m.due_on, m.due_on_precision, m.kind,
                OLD.status, OLD.expires_on, OLD.expires_on_precision, OLD.visibility, -1
            )
            FROM agreements_milestone m WHERE m.agreement_id = OLD.id AND m.done_on IS NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            PERFORM agreements_tally_step(
                m.due_on, m.due_on_precision, m.kind,
                NEW.status, NEW.expires_on, NEW.expires_on_precision, NEW.visibility, 1
            )
            FROM agreements_milestone m WHERE m.agreement_id = NEW.id AND m.done_on IS NULL;
        END IF;
        RETURN NULL;
    END
    $$
"""

# An agreement's, ``a``'s.
A_EXPIRES_BY = EXPIRES_BY.format(precision="a.expires_on_precision", expires="a.expires_on")

DORMANT_REFRESH = f"""
    CREATE OR REPLACE FUNCTION agreements_tally_dormant_refresh(aid bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        kept record;
        was_kept boolean;
        a record;
        quiet date;
        last_day date;  -- the last day its expiry covers
    BEGIN
        SELECT visibility, quiet_until, expires_by INTO kept
        FROM agreements_tally_dormant WHERE agreement_id = aid;
        was_kept := FOUND;
        SELECT status, visibility, signed_on, in_force_from, expires_on, expires_on_precision
        INTO a
        FROM agreements_agreement WHERE id = aid;
        IF FOUND AND (a.status = 'in_force'
                      OR (a.status = 'signed' AND a.in_force_from IS NOT NULL)) THEN
            SELECT greatest(coalesce(a.in_force_from, a.signed_on), max(m.done_on))
                   + {DORMANT_AFTER_DAYS}
            INTO quiet
            FROM agreements_milestone m
            WHERE m.agreement_id = aid AND m.kind IN {SIGNS_OF_LIFE};
            last_day := {A_EXPIRES_BY};
            IF was_kept AND kept.visibility = a.visibility
               AND kept.quiet_until IS NOT DISTINCT FROM quiet
               AND kept.expires_by IS NOT DISTINCT FROM last_day
            THEN
                RETURN;  -- counted as it was
            END IF;
            IF was_kept THEN
                PERFORM agreements_tally_dormant_count(
                    kept.quiet_until, kept.expires_by, kept.visibility, -1
                );
            END IF;
            INSERT INTO agreements_tally_dormant AS t
                (agreement_id, visibility, quiet_until, expires_by)
            VALUES (aid, a.visibility, quiet, last_day)
            ON CONFLICT (agreement_id) DO UPDATE SET visibility = excluded.visibility,
                quiet_until = excluded.quiet_until, expires_by = excluded.expires_by;
            PERFORM agreements_tally_dormant_count(quiet, last_day, a.visibility, 1);
        ELSIF was_kept THEN
            PERFORM agreements_tally_dormant_count(
                kept.quiet_until, kept.expires_by, kept.visibility, -1
            );
            DELETE FROM agreements_tally_dormant WHERE agreement_id = aid;
        END IF;
    END
    $$
"""

OLD_DORMANT_CHECK = "AND OLD.expires_on IS NOT DISTINCT FROM NEW.expires_on\n"
assert DORMANT.ON_AGREEMENT.count(OLD_DORMANT_CHECK) == 1
DORMANT_ON_AGREEMENT = DORMANT.ON_AGREEMENT.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
).replace(
    OLD_DORMANT_CHECK,
    OLD_DORMANT_CHECK + "           AND OLD.expires_on_precision = NEW.expires_on_precision\n",
)

# The rebuild of migration 0032, every expiry read to its last day.
REPLACED_IN_REBUILD = [
    # The dormant rows, with the last day their expiry covers.
    (
        "INSERT INTO agreements_tally_dormant (agreement_id, visibility, quiet_until, expires_on)",
        "INSERT INTO agreements_tally_dormant (agreement_id, visibility, quiet_until, expires_by)",
    ),
    (
        f"l.last) + {DORMANT_AFTER_DAYS},\n               a.expires_on\n",
        f"l.last) + {DORMANT_AFTER_DAYS},\n               {A_EXPIRES_BY}\n",
    ),
    (
        "coalesce(to_char(expires_on, 'YYYY-MM'), '') AS lapses",
        "coalesce(to_char(expires_by, 'YYYY-MM'), '') AS lapses",
    ),
    # The status and waiting-on keys (migration 0024).
    (BY_EXPIRY.MONTH.format(row="a"), MONTH.format(row="a")),
    # The month a planned step's cooperation lapses after (migration 0025).
    (
        "THEN to_char(a.expires_on, 'YYYY-MM') ELSE '' END AS lapses",
        "THEN "
        + EXPIRY_MONTH.format(precision="a.expires_on_precision", expires="a.expires_on")
        + " ELSE '' END AS lapses",
    ),
]
REBUILD = STILL_TO_DO.REBUILD
for old, new in REPLACED_IN_REBUILD:
    assert REBUILD.count(old) >= 1, old
    REBUILD = REBUILD.replace(old, new)
assert "expires_on, 'YYYY-MM'" not in REBUILD.replace(
    EXPIRY_MONTH.format(precision="a.expires_on_precision", expires="a.expires_on"), ""
)

OLD_STEP = "agreements_tally_step(date, text, text, text, date, text, bigint)"
NEW_STEP = "agreements_tally_step(date, text, text, text, date, text, text, bigint)"

FORWARD = [
    "ALTER TABLE agreements_tally_dormant RENAME COLUMN expires_on TO expires_by",
    ON_EXPIRY,
    f"DROP FUNCTION {OLD_STEP}",
    STEP,
    ON_STEP,
    ON_AGREEMENT,
    DORMANT_REFRESH,
    DORMANT_ON_AGREEMENT,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    "ALTER TABLE agreements_tally_dormant RENAME COLUMN expires_by TO expires_on",
    BY_EXPIRY.ON_AGREEMENT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    f"DROP FUNCTION {NEW_STEP}",
    STILL_TO_DO.STEP,
    STILL_TO_DO.ON_STEP,
    STILL_TO_DO.ON_AGREEMENT,
    DORMANT.REFRESH.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    DORMANT.ON_AGREEMENT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    STILL_TO_DO.REBUILD,
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
    dependencies = [("agreements", "0032_register_tally_steps_still_to_do")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
