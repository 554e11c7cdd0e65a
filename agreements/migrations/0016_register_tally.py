"""How many agreements each sector, region, partner, partner country, kind and signing year has,
kept by the database in the same transaction as every change (PostgreSQL).

The dashboard's charts and the list's filter lists counted or probed every agreement and every
party row on each build: their cost grew with the register. Here one row per (what, which one,
visibility) holds the number, and triggers move it on whatever writes (a form, the importer,
``update()``, ``bulk_create``, COPY, raw SQL):

- an agreement counts for its kind and signing year, and through its party rows for its
  sectors, regions, partners and their countries (an agreement with two partners from one
  country counts once for it);
- a party row added or removed moves its own counts, if its agreement exists at that moment
  (a party row is not updated in place: Django adds and removes them);
  an agreement inserted or deleted moves the counts of the party rows it has at that moment
  (so the order a bulk load or a cascade writes them in does not matter);
- an agreement whose visibility changes moves all its counts to the other visibility;
- a partner whose country changes moves its agreements from one country to the other;
- TRUNCATE counts everything again.

Readers: ``AgreementQuerySet.tallies`` (the dashboard, the filter lists). SQLite, the embedded
default for small registers, keeps no tally: there the counts are read from the rows.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE TABLE agreements_tally (
        dimension text NOT NULL,
        key text NOT NULL,
        visibility text NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (dimension, key, visibility)
    )
    """,
    """
    CREATE FUNCTION agreements_tally_add(dim text, k text, vis text, d bigint)
    RETURNS void LANGUAGE sql AS $$
        INSERT INTO agreements_tally AS t (dimension, key, visibility, n)
        VALUES (dim, k, vis, d)
        ON CONFLICT (dimension, key, visibility) DO UPDATE SET n = t.n + excluded.n
    $$
    """,
    # Everything one agreement counts for, with sign ``d``: its own columns and its party rows.
    """
    CREATE FUNCTION agreements_tally_agreement(
        agreement bigint, kind text, signed date, vis text, d bigint, with_parties boolean
    ) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM agreements_tally_add('kind', kind, vis, d);
        IF signed IS NOT NULL THEN
            PERFORM agreements_tally_add('year', extract(year FROM signed)::int::text, vis, d);
        END IF;
        IF NOT with_parties THEN
            RETURN;
        END IF;
        PERFORM agreements_tally_add('sector', l.sector_id::text, vis, d)
            FROM agreements_agreement_sectors l WHERE l.agreement_id = agreement;
        PERFORM agreements_tally_add('region', l.region_id::text, vis, d)
            FROM agreements_agreement_regions l WHERE l.agreement_id = agreement;
        PERFORM agreements_tally_add('partner', l.partner_id::text, vis, d)
            FROM agreements_agreement_partners l WHERE l.agreement_id = agreement;
        PERFORM agreements_tally_add('country', c.country_id, vis, d)
            FROM (
                SELECT DISTINCT p.country_id
                FROM agreements_agreement_partners l
                JOIN partners_partner p ON p.id = l.partner_id
                WHERE l.agreement_id = agreement
            ) c;
    END
    $$
    """,
    """
    CREATE FUNCTION agreements_tally_on_agreement() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.kind = NEW.kind
           AND OLD.visibility = NEW.visibility
           AND extract(year FROM OLD.signed_on) IS NOT DISTINCT FROM extract(year FROM NEW.signed_on)
        THEN
            RETURN NULL;  -- nothing counted changed (a title, a date within the year, ...)
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM agreements_tally_agreement(
                OLD.id, OLD.kind, OLD.signed_on, OLD.visibility, -1,
                TG_OP = 'DELETE' OR OLD.visibility <> NEW.visibility
            );
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            PERFORM agreements_tally_agreement(
                NEW.id, NEW.kind, NEW.signed_on, NEW.visibility, 1,
                TG_OP = 'INSERT' OR OLD.visibility <> NEW.visibility
            );
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # A party row of ``TG_ARGV[0]`` (sector, region or partner) about to be added (+1) or
    # removed (-1). Before, not after: a statement adding or removing several rows fires this
    # once per row, each seeing the rows handled before it and not those after, which is what
    # counting a country once per agreement needs.
    """
    CREATE FUNCTION agreements_tally_on_party() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        r record;
        d bigint;
        vis text;
        country text;
    BEGIN
        IF TG_OP = 'DELETE' THEN r := OLD; d := -1; ELSE r := NEW; d := 1; END IF;
        SELECT a.visibility INTO vis FROM agreements_agreement a WHERE a.id = r.agreement_id;
        IF FOUND THEN  -- otherwise it is counted, or uncounted, with its agreement
            PERFORM agreements_tally_add(TG_ARGV[0], to_jsonb(r) ->> (TG_ARGV[0] || '_id'), vis, d);
            IF TG_ARGV[0] = 'partner' THEN
                SELECT p.country_id INTO country FROM partners_partner p WHERE p.id = r.partner_id;
                -- The country counts once per agreement: its first partner there adds it, its
                -- last one removes it.
                IF NOT EXISTS (
                    SELECT 1 FROM agreements_agreement_partners l
                    JOIN partners_partner p ON p.id = l.partner_id
                    WHERE l.agreement_id = r.agreement_id AND p.country_id = country
                      AND l.partner_id <> r.partner_id
                ) THEN
                    PERFORM agreements_tally_add('country', country, vis, d);
                END IF;
            END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE FUNCTION agreements_tally_on_partner() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.country_id IS NOT DISTINCT FROM NEW.country_id THEN
            RETURN NULL;
        END IF;
        -- Each agreement of this partner leaves the old country unless another of its
        -- partners is from there, and joins the new one unless another already was.
        PERFORM agreements_tally_add('country', OLD.country_id, a.visibility, -1)
            FROM agreements_agreement_partners l
            JOIN agreements_agreement a ON a.id = l.agreement_id
            WHERE l.partner_id = NEW.id AND NOT EXISTS (
                SELECT 1 FROM agreements_agreement_partners o
                JOIN partners_partner p ON p.id = o.partner_id
                WHERE o.agreement_id = l.agreement_id AND o.partner_id <> NEW.id
                  AND p.country_id = OLD.country_id
            );
        PERFORM agreements_tally_add('country', NEW.country_id, a.visibility, 1)
            FROM agreements_agreement_partners l
            JOIN agreements_agreement a ON a.id = l.agreement_id
            WHERE l.partner_id = NEW.id AND NOT EXISTS (
                SELECT 1 FROM agreements_agreement_partners o
                JOIN partners_partner p ON p.id = o.partner_id
                WHERE o.agreement_id = l.agreement_id AND o.partner_id <> NEW.id
                  AND p.country_id = NEW.country_id
            );
        RETURN NULL;
    END
    $$
    """,
    # Everything counted again from the rows: after TRUNCATE, and to fill the table now.
    """
    CREATE FUNCTION agreements_tally_rebuild() RETURNS void LANGUAGE sql AS $$
        DELETE FROM agreements_tally;
        INSERT INTO agreements_tally (dimension, key, visibility, n)
        SELECT 'kind', kind, visibility, count(*) FROM agreements_agreement GROUP BY 2, 3
        UNION ALL
        SELECT 'year', extract(year FROM signed_on)::int::text, visibility, count(*)
        FROM agreements_agreement WHERE signed_on IS NOT NULL GROUP BY 2, 3
        UNION ALL
        SELECT 'sector', l.sector_id::text, a.visibility, count(*)
        FROM agreements_agreement_sectors l JOIN agreements_agreement a ON a.id = l.agreement_id
        GROUP BY 2, 3
        UNION ALL
        SELECT 'region', l.region_id::text, a.visibility, count(*)
        FROM agreements_agreement_regions l JOIN agreements_agreement a ON a.id = l.agreement_id
        GROUP BY 2, 3
        UNION ALL
        SELECT 'partner', l.partner_id::text, a.visibility, count(*)
        FROM agreements_agreement_partners l JOIN agreements_agreement a ON a.id = l.agreement_id
        GROUP BY 2, 3
        UNION ALL
        SELECT 'country', p.country_id, a.visibility, count(DISTINCT a.id)
        FROM agreements_agreement_partners l
        JOIN agreements_agreement a ON a.id = l.agreement_id
        JOIN partners_partner p ON p.id = l.partner_id
        GROUP BY 2, 3
    $$
    """,
    """
    CREATE FUNCTION agreements_tally_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM agreements_tally_rebuild();
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER agreements_tally AFTER INSERT OR UPDATE OR DELETE ON agreements_agreement
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_agreement()
    """,
    *(
        f"""
        CREATE TRIGGER agreements_tally BEFORE INSERT OR DELETE
        ON agreements_agreement_{table}
        FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_party('{party}')
        """
        for table, party in (("sectors", "sector"), ("regions", "region"), ("partners", "partner"))
    ),
    """
    CREATE TRIGGER agreements_tally AFTER UPDATE OF country_id ON partners_partner
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_partner()
    """,
    *(
        f"""
        CREATE TRIGGER agreements_tally_truncate AFTER TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION agreements_tally_on_truncate()
        """
        for table in (
            "agreements_agreement",
            "agreements_agreement_sectors",
            "agreements_agreement_regions",
            "agreements_agreement_partners",
            "partners_partner",
        )
    ),
    "SELECT agreements_tally_rebuild()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS agreements_tally ON agreements_agreement",
    *(
        f"DROP TRIGGER IF EXISTS agreements_tally ON agreements_agreement_{table}"
        for table in ("sectors", "regions", "partners")
    ),
    "DROP TRIGGER IF EXISTS agreements_tally ON partners_partner",
    *(
        f"DROP TRIGGER IF EXISTS agreements_tally_truncate ON {table}"
        for table in (
            "agreements_agreement",
            "agreements_agreement_sectors",
            "agreements_agreement_regions",
            "agreements_agreement_partners",
            "partners_partner",
        )
    ),
    "DROP FUNCTION IF EXISTS agreements_tally_on_truncate()",
    "DROP FUNCTION IF EXISTS agreements_tally_rebuild()",
    "DROP FUNCTION IF EXISTS agreements_tally_on_partner()",
    "DROP FUNCTION IF EXISTS agreements_tally_on_party()",
    "DROP FUNCTION IF EXISTS agreements_tally_on_agreement()",
    "DROP FUNCTION IF EXISTS agreements_tally_agreement(bigint, text, date, text, bigint, boolean)",
    "DROP FUNCTION IF EXISTS agreements_tally_add(text, text, text, bigint)",
    "DROP TABLE IF EXISTS agreements_tally",
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
    dependencies = [("agreements", "0015_register_epoch"), ("partners", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
