"""How many cooperations are dormant (*mati suri*), kept with the other counts (migrations 0016
to 0025).

A cooperation is dormant on a day when it shows as in force that day, has been in force for
over a year and has had no sign of life (an activity or an evaluation done) in the last year
(``AgreementQuerySet.dormant``). Both conditions move against today, so the dashboard passed
over every cooperation in force on each build. Two things are kept here, on PostgreSQL, in the
same transaction as every write:

* ``agreements_tally_dormant``: a row per cooperation that is, or will be, in force (stored
  status in force, or signed with a date of entry into force), with its visibility, its expiry
  date and ``quiet_until``: the day it turns dormant if nothing happens, a year after the later
  of its start (entry into force, else signing) and its last sign of life; empty when it has
  neither, which makes it dormant for as long as it is in force;
* dimension ``dormant`` of ``agreements_tally``: each of those rows counted under the month of
  ``quiet_until`` (``quiet|YYYY-MM``, ``quiet|`` for none) and, if it lapses by a date, under
  the month it lapses (``exp|YYYY-MM``). One that would turn dormant in the month it lapses,
  or later, can only be dormant in that month and is left out (as the overdue steps are).

So those dormant before today's month and still in force after it are the ``quiet`` of the
months before today's less the ``exp`` up to today's; those turning dormant or lapsing in
today's month are read from the rows kept (``AgreementQuerySet.dormant_count``), by their two
indexes.

The triggers recompute a cooperation's row whenever a write changes what it depends on: its
status, visibility and dates, or the kind, date done or cooperation of one of its steps. A step
written before its cooperation (a bulk load) is read when the cooperation is. TRUNCATE counts
everything again (``agreements_tally_rebuild``).
"""

import importlib

from django.db import migrations

OVERDUE = importlib.import_module("agreements.migrations.0025_register_tally_overdue_steps")

# ``SIGNS_OF_LIFE`` and ``DORMANT_AFTER`` (agreements.models) as they are written here.
SIGNS_OF_LIFE = "('activity', 'evaluation')"
DORMANT_AFTER_DAYS = 365

COUNT = """
    CREATE FUNCTION agreements_tally_dormant_count(quiet date, expires date, vis text, d bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        quiet_month text := coalesce(to_char(quiet, 'YYYY-MM'), '');
        lapses text := coalesce(to_char(expires, 'YYYY-MM'), '');
    BEGIN
        IF lapses <> '' AND quiet_month >= lapses THEN
            RETURN;  -- dormant, if ever, only in the month it lapses: read from the rows
        END IF;
        PERFORM agreements_tally_add('dormant', 'quiet|' || quiet_month, vis, d);
        IF lapses <> '' THEN
            PERFORM agreements_tally_add('dormant', 'exp|' || lapses, vis, d);
        END IF;
    END
    $$
"""

REFRESH = f"""
    CREATE FUNCTION agreements_tally_dormant_refresh(aid bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        kept record;
        was_kept boolean;
        a record;
        quiet date;
    BEGIN
        SELECT visibility, quiet_until, expires_on INTO kept
        FROM agreements_tally_dormant WHERE agreement_id = aid;
        was_kept := FOUND;
        SELECT status, visibility, signed_on, in_force_from, expires_on INTO a
        FROM agreements_agreement WHERE id = aid;
        IF FOUND AND (a.status = 'in_force'
                      OR (a.status = 'signed' AND a.in_force_from IS NOT NULL)) THEN
            SELECT greatest(coalesce(a.in_force_from, a.signed_on), max(m.done_on))
                   + {DORMANT_AFTER_DAYS}
            INTO quiet
            FROM agreements_milestone m
            WHERE m.agreement_id = aid AND m.kind IN {SIGNS_OF_LIFE};
            IF was_kept AND kept.visibility = a.visibility
               AND kept.quiet_until IS NOT DISTINCT FROM quiet
               AND kept.expires_on IS NOT DISTINCT FROM a.expires_on
            THEN
                RETURN;  -- counted as it was
            END IF;
            IF was_kept THEN
                PERFORM agreements_tally_dormant_count(
                    kept.quiet_until, kept.expires_on, kept.visibility, -1
                );
            END IF;
            INSERT INTO agreements_tally_dormant AS t
                (agreement_id, visibility, quiet_until, expires_on)
            VALUES (aid, a.visibility, quiet, a.expires_on)
            ON CONFLICT (agreement_id) DO UPDATE SET visibility = excluded.visibility,
                quiet_until = excluded.quiet_until, expires_on = excluded.expires_on;
            PERFORM agreements_tally_dormant_count(quiet, a.expires_on, a.visibility, 1);
        ELSIF was_kept THEN
            PERFORM agreements_tally_dormant_count(
                kept.quiet_until, kept.expires_on, kept.visibility, -1
            );
            DELETE FROM agreements_tally_dormant WHERE agreement_id = aid;
        END IF;
    END
    $$
"""

ON_AGREEMENT = """
    CREATE FUNCTION agreements_tally_dormant_on_agreement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM agreements_tally_dormant_refresh(OLD.id);
            RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE'
           AND OLD.status = NEW.status
           AND OLD.visibility = NEW.visibility
           AND OLD.signed_on IS NOT DISTINCT FROM NEW.signed_on
           AND OLD.in_force_from IS NOT DISTINCT FROM NEW.in_force_from
           AND OLD.expires_on IS NOT DISTINCT FROM NEW.expires_on
        THEN
            RETURN NULL;  -- nothing it depends on changed
        END IF;
        PERFORM agreements_tally_dormant_refresh(NEW.id);
        RETURN NULL;
    END
    $$
"""

ON_STEP = f"""
    CREATE FUNCTION agreements_tally_dormant_on_step() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.kind = NEW.kind
           AND OLD.done_on IS NOT DISTINCT FROM NEW.done_on
           AND OLD.agreement_id = NEW.agreement_id
        THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind IN {SIGNS_OF_LIFE}
           AND OLD.done_on IS NOT NULL
        THEN
            PERFORM agreements_tally_dormant_refresh(OLD.agreement_id);
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.kind IN {SIGNS_OF_LIFE}
           AND NEW.done_on IS NOT NULL
        THEN
            PERFORM agreements_tally_dormant_refresh(NEW.agreement_id);
        END IF;
        RETURN NULL;
    END
    $$
"""

# The rows, as ``agreements_tally_dormant_refresh`` writes them, for the rebuild.
KEPT_ROWS = f"""
        DELETE FROM agreements_tally_dormant;
        INSERT INTO agreements_tally_dormant (agreement_id, visibility, quiet_until, expires_on)
        SELECT a.id, a.visibility,
               greatest(coalesce(a.in_force_from, a.signed_on), l.last) + {DORMANT_AFTER_DAYS},
               a.expires_on
        FROM agreements_agreement a
        LEFT JOIN (
            SELECT agreement_id, max(done_on) AS last FROM agreements_milestone
            WHERE kind IN {SIGNS_OF_LIFE} GROUP BY agreement_id
        ) l ON l.agreement_id = a.id
        WHERE a.status = 'in_force' OR (a.status = 'signed' AND a.in_force_from IS NOT NULL);
        DELETE FROM agreements_tally;"""

# The rows kept, with their two months (as ``agreements_tally_dormant_count``).
KEPT_MONTHS = """
    SELECT visibility, coalesce(to_char(quiet_until, 'YYYY-MM'), '') AS quiet_month,
           coalesce(to_char(expires_on, 'YYYY-MM'), '') AS lapses
    FROM agreements_tally_dormant
"""

ADDED_TO_REBUILD = f"""
        UNION ALL
        SELECT 'dormant', 'quiet|' || k.quiet_month, k.visibility, count(*)
        FROM ({KEPT_MONTHS}) k WHERE k.lapses = '' OR k.quiet_month < k.lapses GROUP BY 2, 3
        UNION ALL
        SELECT 'dormant', 'exp|' || k.lapses, k.visibility, count(*)
        FROM ({KEPT_MONTHS}) k WHERE k.lapses <> '' AND k.quiet_month < k.lapses GROUP BY 2, 3
    $$
"""
assert OVERDUE.REBUILD.count("DELETE FROM agreements_tally;") == 1
REBUILD = (
    OVERDUE.REBUILD.replace("\n        DELETE FROM agreements_tally;", KEPT_ROWS)
    .rstrip()
    .removesuffix("$$")
    + ADDED_TO_REBUILD.lstrip("\n")
)
assert KEPT_ROWS in REBUILD

FORWARD = [
    """
    CREATE TABLE agreements_tally_dormant (
        agreement_id bigint PRIMARY KEY,
        visibility text NOT NULL,
        quiet_until date,
        expires_on date
    )
    """,
    "CREATE INDEX agreements_tally_dormant_quiet ON agreements_tally_dormant (quiet_until)",
    "CREATE INDEX agreements_tally_dormant_expiry ON agreements_tally_dormant (expires_on)",
    COUNT,
    REFRESH,
    ON_AGREEMENT,
    ON_STEP,
    """
    CREATE TRIGGER agreements_tally_dormant AFTER INSERT OR UPDATE OR DELETE
    ON agreements_agreement FOR EACH ROW EXECUTE FUNCTION agreements_tally_dormant_on_agreement()
    """,
    """
    CREATE TRIGGER agreements_tally_dormant AFTER INSERT OR UPDATE OR DELETE
    ON agreements_milestone FOR EACH ROW EXECUTE FUNCTION agreements_tally_dormant_on_step()
    """,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS agreements_tally_dormant ON agreements_milestone",
    "DROP TRIGGER IF EXISTS agreements_tally_dormant ON agreements_agreement",
    OVERDUE.REBUILD,
    "DROP FUNCTION IF EXISTS agreements_tally_dormant_on_step()",
    "DROP FUNCTION IF EXISTS agreements_tally_dormant_on_agreement()",
    "DROP FUNCTION IF EXISTS agreements_tally_dormant_refresh(bigint)",
    "DROP FUNCTION IF EXISTS agreements_tally_dormant_count(date, date, text, bigint)",
    "DROP TABLE IF EXISTS agreements_tally_dormant",
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
    dependencies = [("agreements", "0026_agreement_and_shared_versions")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
