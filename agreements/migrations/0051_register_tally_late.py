"""How many cooperations have a step overdue, kept with the other counts (migrations 0027 and
0039 keep the dormant ones likewise).

The list's ``late=yes`` (``AgreementQuerySet.with_overdue_steps``) reads the last day of each
agreement's earliest target still to do (``overdue_after``, migration 0050): late from the day
after it while the cooperation has not ended by its date. Its count read every agreement whose
day had passed, a quarter of the register at 100,000 agreements (7–15 ms, ten times its cost at
10,000). It is kept here, on PostgreSQL, in the same transaction as every write, as the dormant
count is: dimension ``late`` of ``agreements_tally`` counts each agreement with a day stored and
not ended (cancelled, terminated or expired) under the month it turns late (``late|YYYY-MM``,
the month after ``overdue_after``'s day) and, if it lapses by a date (signed or in force with an
expiry), under the month it lapses (``exp|YYYY-MM``); one that would turn late in the month it
lapses, or later, can only be late in that month and is left out of the months. Dimension
``late_day`` keeps the same by day (``<day>|late``, ``<day>|gone``, ``<day>|lapse``), so today's
month is read from its days (``AgreementQuerySet.late_count``).

Everything it depends on is a column of the agreement: the trigger counts the row as it was
out and as it is in, and nothing when none of them changed. TRUNCATE counts everything again
(``agreements_tally_rebuild``).
"""

import importlib

from django.db import migrations

AS_KNOWN = importlib.import_module("agreements.migrations.0033_register_tally_expiry_as_known")
SIGNS = importlib.import_module("agreements.migrations.0049_dormant_along_the_line")

SIGNED = "('signed', 'in_force')"
ENDED = "('cancelled', 'terminated', 'expired')"


def expires_by(row):
    """The last day ``row``'s expiry covers where it lapses by a date (signed or in force
    with an expiry), else NULL."""
    last = AS_KNOWN.EXPIRES_BY.format(
        precision=f"{row}.expires_on_precision", expires=f"{row}.expires_on"
    )
    return f"CASE WHEN {row}.status IN {SIGNED} AND {row}.expires_on IS NOT NULL THEN {last} END"


COUNT = """
    CREATE FUNCTION agreements_tally_late_count(late date, expires date, vis text, d bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        late_month text := to_char(late, 'YYYY-MM');
        lapses text := coalesce(to_char(expires, 'YYYY-MM'), '');
        late_day text := to_char(late, 'YYYY-MM-DD');
        lapses_day text := coalesce(to_char(expires, 'YYYY-MM-DD'), '');
    BEGIN
        IF lapses_day = '' OR late_day <= lapses_day THEN
            -- Late from that day, in its month read by day.
            PERFORM agreements_tally_add('late_day', late_day || '|late', vis, d);
            IF late_month = lapses THEN
                PERFORM agreements_tally_add('late_day', lapses_day || '|gone', vis, d);
            END IF;
        END IF;
        IF lapses <> '' AND late_month >= lapses THEN
            RETURN;  -- late, if ever, only in the month it lapses: read by day
        END IF;
        PERFORM agreements_tally_add('late', 'late|' || late_month, vis, d);
        IF lapses <> '' THEN
            PERFORM agreements_tally_add('late', 'exp|' || lapses, vis, d);
            PERFORM agreements_tally_add('late_day', lapses_day || '|lapse', vis, d);
        END IF;
    END
    $$
"""

ON_AGREEMENT = f"""
    CREATE FUNCTION agreements_tally_late_on_agreement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.overdue_after IS NOT DISTINCT FROM NEW.overdue_after
           AND OLD.status = NEW.status
           AND OLD.visibility = NEW.visibility
           AND OLD.expires_on IS NOT DISTINCT FROM NEW.expires_on
           AND OLD.expires_on_precision = NEW.expires_on_precision
        THEN
            RETURN NULL;  -- nothing it depends on changed
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.overdue_after IS NOT NULL
           AND OLD.status NOT IN {ENDED}
        THEN
            PERFORM agreements_tally_late_count(
                OLD.overdue_after + 1, {expires_by("OLD")}, OLD.visibility, -1
            );
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.overdue_after IS NOT NULL
           AND NEW.status NOT IN {ENDED}
        THEN
            PERFORM agreements_tally_late_count(
                NEW.overdue_after + 1, {expires_by("NEW")}, NEW.visibility, 1
            );
        END IF;
        RETURN NULL;
    END
    $$
"""

# Every agreement counted, with its months and days (as ``agreements_tally_late_count``).
LATE = f"""
    SELECT k.visibility,
           to_char(k.late, 'YYYY-MM') AS late_month,
           to_char(k.late, 'YYYY-MM-DD') AS late_day,
           coalesce(to_char(k.expires, 'YYYY-MM'), '') AS lapses,
           coalesce(to_char(k.expires, 'YYYY-MM-DD'), '') AS lapses_day
    FROM (
        SELECT a.visibility, a.overdue_after + 1 AS late, {expires_by("a")} AS expires
        FROM agreements_agreement a
        WHERE a.overdue_after IS NOT NULL AND a.status NOT IN {ENDED}
    ) k
"""

ADDED_TO_REBUILD = f"""
        UNION ALL
        SELECT 'late', 'late|' || k.late_month, k.visibility, count(*) FROM ({LATE}) k
        WHERE k.lapses = '' OR k.late_month < k.lapses GROUP BY 2, 3
        UNION ALL
        SELECT 'late', 'exp|' || k.lapses, k.visibility, count(*) FROM ({LATE}) k
        WHERE k.lapses <> '' AND k.late_month < k.lapses GROUP BY 2, 3
        UNION ALL
        SELECT 'late_day', k.late_day || '|late', k.visibility, count(*) FROM ({LATE}) k
        WHERE k.lapses_day = '' OR k.late_day <= k.lapses_day GROUP BY 2, 3
        UNION ALL
        SELECT 'late_day', k.lapses_day || '|gone', k.visibility, count(*) FROM ({LATE}) k
        WHERE k.late_day <= k.lapses_day AND k.late_month = k.lapses GROUP BY 2, 3
        UNION ALL
        SELECT 'late_day', k.lapses_day || '|lapse', k.visibility, count(*) FROM ({LATE}) k
        WHERE k.lapses <> '' AND k.late_month < k.lapses GROUP BY 2, 3
    $$
"""
REBUILD = SIGNS.REBUILD.rstrip().removesuffix("$$") + ADDED_TO_REBUILD.lstrip("\n")
assert REBUILD != SIGNS.REBUILD

FORWARD = [
    COUNT,
    ON_AGREEMENT,
    """
    CREATE TRIGGER agreements_tally_late AFTER INSERT OR UPDATE OR DELETE
    ON agreements_agreement FOR EACH ROW EXECUTE FUNCTION agreements_tally_late_on_agreement()
    """,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS agreements_tally_late ON agreements_agreement",
    "DROP FUNCTION IF EXISTS agreements_tally_late_on_agreement()",
    "DROP FUNCTION IF EXISTS agreements_tally_late_count(date, date, text, bigint)",
    SIGNS.REBUILD,
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
    dependencies = [("agreements", "0050_overdue_after_stored")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
