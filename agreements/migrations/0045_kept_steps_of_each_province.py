"""The planned steps of each province's agreements, kept where its page reads them.

A province's page lists its late steps, the longest late first, and those coming due, with how
many there are of each (``attention.nearest_late_and_coming``). They were read from the
milestones of every agreement any region of the province is party to, each joined to its
agreement for its status and expiry: at 100,000 agreements the largest province holds 48,000
of them and 19,000 late steps, and numbering them took 180 ms, ten times what it took at 10,000.

Kept here instead, on PostgreSQL, in the same transaction as every write:
``agreements_tally_province_step``, a row per step still to do that has a target, for each
province whose regions (the province itself, its regencies and cities) are party to its
agreement, with what decides whether it is late or coming on a given day:

- ``due_on``, ``due_precision`` and ``due_by``: its target, as known, and the last day the
  target covers (a step due "Maret 2026" is late from 1 April);
- ``lapses_by``: the last day its cooperation's expiry covers, where the cooperation is signed
  or in force and lapses by a date; after it the step is no one's work;
- its agreement's visibility.

Which steps are kept is the rule of ``MilestoneQuerySet.still_to_do`` as far as it does not
depend on today (as the counts of migration 0032): not done, of a cooperation not cancelled,
terminated or expired, and not a stage its signed document passed. The rest
(``lapses_by``) is read with the day.

An agreement's rows are written again whenever a write changes what they depend on: one of
its steps, its status, expiry or visibility, its party regions, or the province of one of
them. Each row is counted, as it comes and goes, by the month its target passes and the
month its cooperation lapses (dimension ``province_overdue|<province>`` of
``agreements_tally``), so that a province's late steps are counted as the register's are: by
month before today's, from the rows in today's month. TRUNCATE makes every row again
(``agreements_tally_rebuild``).
"""

import importlib

from django.db import migrations

STILL_TO_DO = importlib.import_module("agreements.migrations.0032_register_tally_steps_still_to_do")
AS_KNOWN = importlib.import_module("agreements.migrations.0033_register_tally_expiry_as_known")
BY_DAY = importlib.import_module("agreements.migrations.0039_register_tally_this_month_by_day")

SIGNED = STILL_TO_DO.SIGNED
PASSED_BY_SIGNING = STILL_TO_DO.PASSED_BY_SIGNING

DUE_BY = AS_KNOWN.EXPIRES_BY.format(precision="m.due_on_precision", expires="m.due_on")
LAPSES_BY = AS_KNOWN.EXPIRES_BY.format(precision="a.expires_on_precision", expires="a.expires_on")

# Every row kept: each step still to do with a target, once for each province of its agreement.
ROWS = f"""
    SELECT p.province, m.id, a.id, a.visibility, m.due_on, m.due_on_precision, {DUE_BY},
           CASE WHEN a.status IN {SIGNED} AND a.expires_on IS NOT NULL THEN {LAPSES_BY} END
    FROM agreements_agreement a
    JOIN agreements_milestone m ON m.agreement_id = a.id
    JOIN (
        SELECT DISTINCT l.agreement_id, coalesce(g.province_id, g.id) AS province
        FROM agreements_agreement_regions l JOIN partners_region g ON g.id = l.region_id
    ) p ON p.agreement_id = a.id
    WHERE m.done_on IS NULL AND m.due_on IS NOT NULL
      AND a.status NOT IN ('cancelled', 'terminated', 'expired')
      AND NOT (a.status IN {SIGNED} AND m.kind IN {PASSED_BY_SIGNING})
"""

COLUMNS = (
    "(province_id, milestone_id, agreement_id, visibility, due_on, due_precision, due_by, "
    "lapses_by)"
)

REFRESH = f"""
    CREATE FUNCTION agreements_tally_province_steps_refresh(aid bigint, step bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF step IS NULL THEN
            DELETE FROM agreements_tally_province_step WHERE agreement_id = aid;
        ELSE
            DELETE FROM agreements_tally_province_step WHERE milestone_id = step;
        END IF;
        INSERT INTO agreements_tally_province_step {COLUMNS}
        {ROWS} AND a.id = aid AND p.agreement_id = aid AND (step IS NULL OR m.id = step);
    END
    $$
"""

ON_STEP = """
    CREATE FUNCTION agreements_tally_province_steps_on_step() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.kind = NEW.kind
           AND OLD.due_on IS NOT DISTINCT FROM NEW.due_on
           AND OLD.due_on_precision = NEW.due_on_precision
           AND OLD.done_on IS NOT DISTINCT FROM NEW.done_on
           AND OLD.agreement_id = NEW.agreement_id
        THEN
            RETURN NULL;  -- nothing kept changed
        END IF;
        IF TG_OP = 'DELETE' THEN
            DELETE FROM agreements_tally_province_step WHERE milestone_id = OLD.id;
        ELSE
            PERFORM agreements_tally_province_steps_refresh(NEW.agreement_id, NEW.id);
        END IF;
        RETURN NULL;
    END
    $$
"""

ON_AGREEMENT = """
    CREATE FUNCTION agreements_tally_province_steps_on_agreement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM agreements_tally_province_step WHERE agreement_id = OLD.id;
            RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE'
           AND OLD.status = NEW.status
           AND OLD.visibility = NEW.visibility
           AND OLD.expires_on IS NOT DISTINCT FROM NEW.expires_on
           AND OLD.expires_on_precision = NEW.expires_on_precision
        THEN
            RETURN NULL;  -- nothing kept changed
        END IF;
        PERFORM agreements_tally_province_steps_refresh(NEW.id, NULL);
        RETURN NULL;
    END
    $$
"""

# Per statement, each agreement once: Django adds or removes an agreement's party regions in
# one statement, and a trigger per row wrote its steps again for every one of them.
ON_PARTY = """
    CREATE FUNCTION agreements_tally_province_steps_on_party() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM agreements_tally_province_steps_refresh(c.agreement_id, NULL)
        FROM (SELECT DISTINCT agreement_id FROM changed) c;
        RETURN NULL;
    END
    $$
"""

ON_REGION = """
    CREATE FUNCTION agreements_tally_province_steps_on_region() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.province_id IS NOT DISTINCT FROM NEW.province_id THEN
            RETURN NULL;
        END IF;
        PERFORM agreements_tally_province_steps_refresh(l.agreement_id, NULL)
        FROM agreements_agreement_regions l WHERE l.region_id = NEW.id;
        RETURN NULL;
    END
    $$
"""

# Each kept row counted by the month its target passes and the month its cooperation lapses,
# under ``province_overdue|<province>``, as the register's overdue steps are (migrations 0032
# and 0033): the steps late since before today's month are those due before it less those
# lapsed by its end (``AgreementQuerySet.kept_late_and_coming`` reads today's month from the
# rows). One lapsing in the month it is due, or before, is late, if ever, only in that month:
# not counted here.
COUNT = """
    CREATE FUNCTION agreements_tally_province_steps_count() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        r agreements_tally_province_step;
        d bigint;
        due_month text;
        lapses text;
    BEGIN
        IF TG_OP = 'DELETE' THEN r := OLD; d := -1; ELSE r := NEW; d := 1; END IF;
        due_month := to_char(r.due_by, 'YYYY-MM');
        lapses := coalesce(to_char(r.lapses_by, 'YYYY-MM'), '');
        IF lapses <> '' AND due_month >= lapses THEN
            RETURN NULL;
        END IF;
        PERFORM agreements_tally_add(
            'province_overdue|' || r.province_id, 'due|' || due_month, r.visibility, d
        );
        IF lapses <> '' THEN
            PERFORM agreements_tally_add(
                'province_overdue|' || r.province_id, 'exp|' || lapses, r.visibility, d
            );
        END IF;
        RETURN NULL;
    END
    $$
"""

# The rows kept, with their two months (as ``agreements_tally_province_steps_count``).
KEPT_MONTHS = """
    SELECT province_id, visibility, to_char(due_by, 'YYYY-MM') AS due_month,
           coalesce(to_char(lapses_by, 'YYYY-MM'), '') AS lapses
    FROM agreements_tally_province_step
"""

# TRUNCATE, not DELETE: the rows go without a count each; all are counted again below.
KEPT_ROWS = f"""
        TRUNCATE agreements_tally_province_step;
        INSERT INTO agreements_tally_province_step {COLUMNS}
        {ROWS.strip()};
        DELETE FROM agreements_tally;"""

ADDED_TO_REBUILD = f"""
        UNION ALL
        SELECT 'province_overdue|' || k.province_id, 'due|' || k.due_month, k.visibility, count(*)
        FROM ({KEPT_MONTHS}) k WHERE k.lapses = '' OR k.due_month < k.lapses GROUP BY 1, 2, 3
        UNION ALL
        SELECT 'province_overdue|' || k.province_id, 'exp|' || k.lapses, k.visibility, count(*)
        FROM ({KEPT_MONTHS}) k WHERE k.lapses <> '' AND k.due_month < k.lapses GROUP BY 1, 2, 3
    $$
"""

assert BY_DAY.REBUILD.count("\n        DELETE FROM agreements_tally;") == 1
REBUILD = (
    BY_DAY.REBUILD.replace("\n        DELETE FROM agreements_tally;", KEPT_ROWS)
    .rstrip()
    .removesuffix("$$")
    + ADDED_TO_REBUILD.lstrip("\n")
)

TABLE = "agreements_tally_province_step"

FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        province_id bigint NOT NULL,
        milestone_id bigint NOT NULL,
        agreement_id bigint NOT NULL,
        visibility text NOT NULL,
        due_on date NOT NULL,
        due_precision text NOT NULL,
        due_by date NOT NULL,
        lapses_by date,
        PRIMARY KEY (milestone_id, province_id)
    )
    """,
    # A province's steps in the order its page lists them, with what tells late from coming.
    f"""
    CREATE INDEX {TABLE}_listed ON {TABLE} (province_id, due_on, milestone_id)
    INCLUDE (visibility, due_precision, due_by, lapses_by)
    """,
    f"CREATE INDEX {TABLE}_agreement ON {TABLE} (agreement_id)",
    # Today's month, read from the rows: those due in it, and those lapsing in it.
    f"CREATE INDEX {TABLE}_due ON {TABLE} (province_id, due_by) INCLUDE (visibility, lapses_by)",
    f"""
    CREATE INDEX {TABLE}_lapses ON {TABLE} (province_id, lapses_by) INCLUDE (visibility, due_by)
    """,
    COUNT,
    f"""
    CREATE TRIGGER {TABLE}_count AFTER INSERT OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_province_steps_count()
    """,
    REFRESH,
    ON_STEP,
    ON_AGREEMENT,
    ON_PARTY,
    ON_REGION,
    f"""
    CREATE TRIGGER {TABLE} AFTER INSERT OR UPDATE OR DELETE ON agreements_milestone
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_province_steps_on_step()
    """,
    f"""
    CREATE TRIGGER {TABLE} AFTER INSERT OR UPDATE OR DELETE ON agreements_agreement
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_province_steps_on_agreement()
    """,
    *(
        f"""
        CREATE TRIGGER {TABLE}_{event.lower()} AFTER {event} ON agreements_agreement_regions
        REFERENCING {rows} TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION agreements_tally_province_steps_on_party()
        """
        for event, rows in (("INSERT", "NEW"), ("DELETE", "OLD"))
    ),
    f"""
    CREATE TRIGGER {TABLE} AFTER UPDATE OF province_id ON partners_region
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_province_steps_on_region()
    """,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
    f"ANALYZE {TABLE}",  # its first plans read statistics of the rows just written
]

BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE} ON partners_region",
    f"DROP TRIGGER IF EXISTS {TABLE}_insert ON agreements_agreement_regions",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete ON agreements_agreement_regions",
    f"DROP TRIGGER IF EXISTS {TABLE} ON agreements_agreement",
    f"DROP TRIGGER IF EXISTS {TABLE} ON agreements_milestone",
    BY_DAY.REBUILD,
    "DROP FUNCTION IF EXISTS agreements_tally_province_steps_on_region()",
    "DROP FUNCTION IF EXISTS agreements_tally_province_steps_on_party()",
    "DROP FUNCTION IF EXISTS agreements_tally_province_steps_on_agreement()",
    "DROP FUNCTION IF EXISTS agreements_tally_province_steps_on_step()",
    "DROP FUNCTION IF EXISTS agreements_tally_province_steps_refresh(bigint, bigint)",
    f"DROP TABLE IF EXISTS {TABLE}",
    "DROP FUNCTION IF EXISTS agreements_tally_province_steps_count()",
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
    dependencies = [("agreements", "0044_trigram_indexes_of_milestone_and_document_titles")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
