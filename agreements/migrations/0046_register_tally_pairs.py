"""How many agreements each province, partner country and sector shares with each region,
partner and partner country, kept with the other counts (migration 0016).

A subject's page (a province's, a country's, a sector's) offers in its filters only the
regions, partners and countries party to one of its agreements (``AgreementFilter._offered``).
For the whole register those come from the counts kept; for a subject they were collected from
its agreements' party rows: at 100,000 agreements 36-66 ms for each list of the largest
subjects, ten times their cost at 10,000. They are counted here as pairs, under a dimension
for each subject, ``<subject>.<party>|<subject key>`` (``province.partner|37``), keyed by the
party as the whole register's counts are (a partner's id):

- ``province.partner``, ``province.country``;
- ``country.region``, ``country.partner``;
- ``sector.region``, ``sector.partner``, ``sector.country``.

A pair counts an agreement once however many of its regions are in the province or of its
partners are in the country, as the counts of provinces and countries do. So that no trigger
has to work out what a write added and what it took away, each agreement's pairs are kept
whole, sorted, in ``agreements_tally_pairs``, beside its visibility. A write that changes
what they depend on (a party row, its visibility, a region's province, a partner's country)
makes them again and counts the difference: the same answer however often it runs. The party
tables' triggers run it once per statement, for each agreement the statement changed.
TRUNCATE counts everything again (``agreements_tally_rebuild``).
"""

import importlib

from django.db import migrations

KEPT_STEPS = importlib.import_module("agreements.migrations.0045_kept_steps_of_each_province")


def pairs(where):
    """Each agreement's pairs, ``<dimension>:<key>``, a row each: those of the agreements
    whose party rows ``where`` selects (of ``l``), ``true`` for every agreement."""
    return f"""
    WITH parties AS (
        SELECT l.agreement_id, 'region' AS party, l.region_id::text AS key,
               'province' AS subject, coalesce(g.province_id, g.id)::text AS subject_key
        FROM agreements_agreement_regions l JOIN partners_region g ON g.id = l.region_id
        WHERE {where}
        UNION ALL
        SELECT l.agreement_id, 'partner', l.partner_id::text, 'country', p.country_id
        FROM agreements_agreement_partners l JOIN partners_partner p ON p.id = l.partner_id
        WHERE {where}
        UNION ALL
        SELECT l.agreement_id, 'country', p.country_id, NULL, NULL
        FROM agreements_agreement_partners l JOIN partners_partner p ON p.id = l.partner_id
        WHERE {where}
        UNION ALL
        SELECT l.agreement_id, NULL, NULL, 'sector', l.sector_id::text
        FROM agreements_agreement_sectors l WHERE {where}
    ),
    -- Each subject and each party once (a country of many partners is one), then paired: a
    -- pairing of the rows themselves grew with the square of an agreement's partners.
    subjects AS (
        SELECT DISTINCT agreement_id, subject, subject_key FROM parties WHERE subject IS NOT NULL
    ),
    others AS (
        SELECT DISTINCT agreement_id, party, key FROM parties WHERE party IS NOT NULL
    )
    SELECT s.agreement_id,
           s.subject || '.' || o.party || '|' || s.subject_key || ':' || o.key AS pair
    FROM subjects s JOIN others o ON o.agreement_id = s.agreement_id
    WHERE (s.subject, o.party) IN (
          ('province', 'partner'), ('province', 'country'),
          ('country', 'region'), ('country', 'partner'),
          ('sector', 'region'), ('sector', 'partner'), ('sector', 'country')
      )
    """


COUNT = """
    CREATE FUNCTION agreements_tally_pairs_count(kept text[], vis text, d bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM agreements_tally_add(split_part(e, ':', 1), split_part(e, ':', 2), vis, d)
        FROM unnest(kept) e;
    END
    $$
"""

REFRESH = f"""
    CREATE FUNCTION agreements_tally_pairs_refresh(aid bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        kept record;
        was_kept boolean;
        vis text;
        now_kept text[];
    BEGIN
        SELECT visibility, pairs INTO kept FROM agreements_tally_pairs WHERE agreement_id = aid;
        was_kept := FOUND;
        SELECT visibility INTO vis FROM agreements_agreement WHERE id = aid;
        IF FOUND THEN
            now_kept := ARRAY(
                SELECT k.pair FROM ({pairs("l.agreement_id = aid")}) k ORDER BY k.pair
            );
        ELSE
            now_kept := '{{}}';  -- deleted: nothing counted
        END IF;
        IF was_kept AND kept.visibility = vis AND kept.pairs = now_kept THEN
            RETURN;  -- counted as it is
        END IF;
        IF was_kept AND kept.visibility = vis THEN
            PERFORM agreements_tally_pairs_count(
                ARRAY(SELECT unnest(kept.pairs) EXCEPT SELECT unnest(now_kept)), vis, -1
            );
            PERFORM agreements_tally_pairs_count(
                ARRAY(SELECT unnest(now_kept) EXCEPT SELECT unnest(kept.pairs)), vis, 1
            );
        ELSE
            IF was_kept THEN
                PERFORM agreements_tally_pairs_count(kept.pairs, kept.visibility, -1);
            END IF;
            IF vis IS NOT NULL THEN
                PERFORM agreements_tally_pairs_count(now_kept, vis, 1);
            END IF;
        END IF;
        IF vis IS NULL OR now_kept = '{{}}' THEN
            DELETE FROM agreements_tally_pairs WHERE agreement_id = aid;
        ELSE
            INSERT INTO agreements_tally_pairs (agreement_id, visibility, pairs)
            VALUES (aid, vis, now_kept)
            ON CONFLICT (agreement_id) DO UPDATE
            SET visibility = excluded.visibility, pairs = excluded.pairs;
        END IF;
    END
    $$
"""

ON_AGREEMENT = """
    CREATE FUNCTION agreements_tally_pairs_on_agreement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM agreements_tally_pairs_refresh(OLD.id);
        ELSIF TG_OP = 'UPDATE' AND OLD.visibility <> NEW.visibility THEN
            PERFORM agreements_tally_pairs_refresh(NEW.id);
        END IF;
        RETURN NULL;  -- inserted, it has no party yet: its party rows count it
    END
    $$
"""

# Per statement, each agreement once: Django adds an agreement's partners in one statement,
# and a trigger per row made its pairs again for every one of them (an agreement with 250
# partners, 250 times).
ON_PARTY = """
    CREATE FUNCTION agreements_tally_pairs_on_party() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM agreements_tally_pairs_refresh(c.agreement_id)
        FROM (SELECT DISTINCT agreement_id FROM changed) c;
        RETURN NULL;
    END
    $$
"""

ON_REGION = """
    CREATE FUNCTION agreements_tally_pairs_on_region() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.province_id IS DISTINCT FROM NEW.province_id THEN
            PERFORM agreements_tally_pairs_refresh(l.agreement_id)
            FROM agreements_agreement_regions l WHERE l.region_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
"""

ON_PARTNER = """
    CREATE FUNCTION agreements_tally_pairs_on_partner() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.country_id IS DISTINCT FROM NEW.country_id THEN
            PERFORM agreements_tally_pairs_refresh(l.agreement_id)
            FROM agreements_agreement_partners l WHERE l.partner_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
"""

KEPT_ROWS = f"""
        DELETE FROM agreements_tally_pairs;
        INSERT INTO agreements_tally_pairs (agreement_id, visibility, pairs)
        SELECT a.id, a.visibility, array_agg(k.pair ORDER BY k.pair)
        FROM ({pairs("true")}) k JOIN agreements_agreement a ON a.id = k.agreement_id
        GROUP BY a.id, a.visibility;
        DELETE FROM agreements_tally;"""

ADDED_TO_REBUILD = """
        UNION ALL
        SELECT split_part(e, ':', 1), split_part(e, ':', 2), k.visibility, count(*)
        FROM agreements_tally_pairs k, unnest(k.pairs) e GROUP BY 1, 2, 3
    $$
"""

assert KEPT_STEPS.REBUILD.count("\n        DELETE FROM agreements_tally;") == 1
REBUILD = (
    KEPT_STEPS.REBUILD.replace("\n        DELETE FROM agreements_tally;", KEPT_ROWS)
    .rstrip()
    .removesuffix("$$")
    + ADDED_TO_REBUILD.lstrip("\n")
)

TABLE = "agreements_tally_pairs"

FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        agreement_id bigint PRIMARY KEY,
        visibility text NOT NULL,
        pairs text[] NOT NULL
    )
    """,
    COUNT,
    REFRESH,
    ON_AGREEMENT,
    ON_PARTY,
    ON_REGION,
    ON_PARTNER,
    f"""
    CREATE TRIGGER {TABLE} AFTER UPDATE OR DELETE ON agreements_agreement
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_pairs_on_agreement()
    """,
    *(
        f"""
        CREATE TRIGGER {TABLE}_{event.lower()} AFTER {event} ON agreements_agreement_{parties}
        REFERENCING {rows} TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION agreements_tally_pairs_on_party()
        """
        for parties in ("regions", "partners", "sectors")
        for event, rows in (("INSERT", "NEW"), ("DELETE", "OLD"))
    ),
    f"""
    CREATE TRIGGER {TABLE} AFTER UPDATE OF province_id ON partners_region
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_pairs_on_region()
    """,
    f"""
    CREATE TRIGGER {TABLE} AFTER UPDATE OF country_id ON partners_partner
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_pairs_on_partner()
    """,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
    f"ANALYZE {TABLE}, agreements_tally",  # its first plans read statistics of the rows written
]

BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE} ON partners_partner",
    f"DROP TRIGGER IF EXISTS {TABLE} ON partners_region",
    *(
        f"DROP TRIGGER IF EXISTS {TABLE}_{event} ON agreements_agreement_{parties}"
        for parties in ("regions", "partners", "sectors")
        for event in ("insert", "delete")
    ),
    f"DROP TRIGGER IF EXISTS {TABLE} ON agreements_agreement",
    KEPT_STEPS.REBUILD,
    "DROP FUNCTION IF EXISTS agreements_tally_pairs_on_partner()",
    "DROP FUNCTION IF EXISTS agreements_tally_pairs_on_region()",
    "DROP FUNCTION IF EXISTS agreements_tally_pairs_on_party()",
    "DROP FUNCTION IF EXISTS agreements_tally_pairs_on_agreement()",
    "DROP FUNCTION IF EXISTS agreements_tally_pairs_refresh(bigint)",
    "DROP FUNCTION IF EXISTS agreements_tally_pairs_count(text[], text, bigint)",
    f"DROP TABLE IF EXISTS {TABLE}",
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
    dependencies = [("agreements", "0045_kept_steps_of_each_province")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
