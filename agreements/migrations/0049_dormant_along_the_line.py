"""A cooperation is dormant (*mati suri*) by the signs of life of its line, not of one document.

An addendum was counted dormant while the MoU it amends recorded an activity every month, and
so was an MoU whose activities are all recorded on the PKS carrying it out. A sign of life (an
activity or an evaluation done) now counts for the document it is done on, for what that
follows and for what follows it, hop by hop where a document carries out the one it follows
(``agreements.models.lines_of``; a spawned cooperation, and a sister PKS, are not on the line).

- ``Agreement.last_sign_of_life_on``: the latest sign of life done along the agreement's line,
  stored with where its chain stands (``AgreementQuerySet.refresh_progress``, which every write
  path calls in its transaction, for every agreement of the chains it touched); stored here for
  every agreement.
- ``agreements_tally_dormant_refresh`` (migrations 0027, 0033) reads it in place of the
  agreement's own steps: a cooperation turns dormant a year after the later of its start and
  it. The agreement's dormant trigger runs when it changes too. The steps' dormant trigger is
  dropped: a step's write reaches the counts through the agreements whose stored sign of life
  it changes.
- The rebuild (``agreements_tally_rebuild``, migration 0046) reads it likewise, and counts
  everything again.

Backwards, the functions and the trigger of migration 0033 come back and the counts are made
again from each agreement's own steps.
"""

import importlib

from django.db import migrations, models

DORMANT = importlib.import_module("agreements.migrations.0027_register_tally_dormant")
AS_KNOWN = importlib.import_module("agreements.migrations.0033_register_tally_expiry_as_known")
PAIRS = importlib.import_module("agreements.migrations.0046_register_tally_pairs")

DORMANT_AFTER_DAYS = DORMANT.DORMANT_AFTER_DAYS

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
        SELECT status, visibility, signed_on, in_force_from, expires_on, expires_on_precision,
               last_sign_of_life_on
        INTO a
        FROM agreements_agreement WHERE id = aid;
        IF FOUND AND (a.status = 'in_force'
                      OR (a.status = 'signed' AND a.in_force_from IS NOT NULL)) THEN
            -- The later of its start and the latest sign of life along its line, a year on.
            quiet := greatest(coalesce(a.in_force_from, a.signed_on), a.last_sign_of_life_on)
                     + {DORMANT_AFTER_DAYS};
            last_day := {AS_KNOWN.A_EXPIRES_BY};
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

PRECISION_CHECK = "           AND OLD.expires_on_precision = NEW.expires_on_precision\n"
assert AS_KNOWN.DORMANT_ON_AGREEMENT.count(PRECISION_CHECK) == 1
DORMANT_ON_AGREEMENT = AS_KNOWN.DORMANT_ON_AGREEMENT.replace(
    PRECISION_CHECK,
    PRECISION_CHECK
    + "           AND OLD.last_sign_of_life_on IS NOT DISTINCT FROM NEW.last_sign_of_life_on\n",
)

# The rebuild of migration 0046, the dormant rows read from the sign of life stored.
OWN_STEPS = """
        LEFT JOIN (
            SELECT agreement_id, max(done_on) AS last FROM agreements_milestone
            WHERE kind IN ('activity', 'evaluation') GROUP BY agreement_id
        ) l ON l.agreement_id = a.id"""
OWN_LAST = "greatest(coalesce(a.in_force_from, a.signed_on), l.last)"
for old in (OWN_STEPS, OWN_LAST):
    assert PAIRS.REBUILD.count(old) == 1, old
REBUILD = PAIRS.REBUILD.replace(OWN_STEPS, "").replace(
    OWN_LAST, "greatest(coalesce(a.in_force_from, a.signed_on), a.last_sign_of_life_on)"
)

(STEP_TRIGGER,) = [
    statement
    for statement in DORMANT.FORWARD
    if "CREATE TRIGGER agreements_tally_dormant" in statement
    and "ON agreements_milestone" in statement
]

FORWARD = [
    "DROP TRIGGER agreements_tally_dormant ON agreements_milestone",
    "DROP FUNCTION agreements_tally_dormant_on_step()",
    DORMANT_REFRESH,
    DORMANT_ON_AGREEMENT,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    AS_KNOWN.DORMANT_REFRESH,
    AS_KNOWN.DORMANT_ON_AGREEMENT,
    DORMANT.ON_STEP,
    STEP_TRIGGER,
    PAIRS.REBUILD,
    "SELECT agreements_tally_rebuild()",
]


def store_signs_of_life(apps, schema_editor):
    """Store the latest sign of life along each agreement's line, with where it stands (the
    service every write path calls, ``store_progress``), before the counts read it."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)
        # Every agreement was written again above: the planner's statistics are read afresh,
        # or the lists' plans follow the table as it was (a list of 100,000 took 270 ms).
        schema_editor.execute("ANALYZE agreements_agreement")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0048_index_of_the_newest_documents")]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="last_sign_of_life_on",
            field=models.DateField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="kegiatan atau monitoring dan evaluasi terakhir",
            ),
        ),
        migrations.RunPython(store_signs_of_life, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(forward, backward, elidable=False),
    ]
