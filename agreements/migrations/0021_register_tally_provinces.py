"""How many agreements each province has, kept with the other counts (migration 0016).

The map of Indonesia on the dashboard and on every region page shaded each province by the
agreements any of its regions (the province itself, its regencies and cities) is party to,
counting them by passing over every party row: the dearest query of both pages at national
scale. A province now counts an agreement once however many of its regions are party to it,
moved on by the same triggers as the other counts:

- a region party row added or removed moves its province's count unless another region of the
  same province is party to the agreement (as a partner's country does for partners);
- an agreement inserted, deleted or changing visibility moves the counts of its provinces;
- a region moved to another province moves its agreements from one province to the other;
- TRUNCATE counts everything again.

The key is the province's id as text, as for regions.
"""

import importlib

from django.db import migrations

TALLY = importlib.import_module("agreements.migrations.0016_register_tally")

AGREEMENT = """
    CREATE OR REPLACE FUNCTION agreements_tally_agreement(
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
        PERFORM agreements_tally_add('province', p.province::text, vis, d)
            FROM (
                SELECT DISTINCT coalesce(g.province_id, g.id) AS province
                FROM agreements_agreement_regions l
                JOIN partners_region g ON g.id = l.region_id
                WHERE l.agreement_id = agreement
            ) p;
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
"""

PARTY = """
    CREATE OR REPLACE FUNCTION agreements_tally_on_party() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        r record;
        d bigint;
        vis text;
        country text;
        province bigint;
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
            ELSIF TG_ARGV[0] = 'region' THEN
                SELECT coalesce(g.province_id, g.id) INTO province
                FROM partners_region g WHERE g.id = r.region_id;
                -- The province counts once per agreement, as a country does.
                IF NOT EXISTS (
                    SELECT 1 FROM agreements_agreement_regions l
                    JOIN partners_region g ON g.id = l.region_id
                    WHERE l.agreement_id = r.agreement_id
                      AND coalesce(g.province_id, g.id) = province
                      AND l.region_id <> r.region_id
                ) THEN
                    PERFORM agreements_tally_add('province', province::text, vis, d);
                END IF;
            END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END
    $$
"""

REGION = """
    CREATE FUNCTION agreements_tally_on_region() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        before bigint := coalesce(OLD.province_id, OLD.id);
        after bigint := coalesce(NEW.province_id, NEW.id);
    BEGIN
        IF before = after THEN
            RETURN NULL;
        END IF;
        -- Each agreement of this region leaves the old province unless another of its regions
        -- is there, and joins the new one unless another already was.
        PERFORM agreements_tally_add('province', before::text, a.visibility, -1)
            FROM agreements_agreement_regions l
            JOIN agreements_agreement a ON a.id = l.agreement_id
            WHERE l.region_id = NEW.id AND NOT EXISTS (
                SELECT 1 FROM agreements_agreement_regions o
                JOIN partners_region g ON g.id = o.region_id
                WHERE o.agreement_id = l.agreement_id AND o.region_id <> NEW.id
                  AND coalesce(g.province_id, g.id) = before
            );
        PERFORM agreements_tally_add('province', after::text, a.visibility, 1)
            FROM agreements_agreement_regions l
            JOIN agreements_agreement a ON a.id = l.agreement_id
            WHERE l.region_id = NEW.id AND NOT EXISTS (
                SELECT 1 FROM agreements_agreement_regions o
                JOIN partners_region g ON g.id = o.region_id
                WHERE o.agreement_id = l.agreement_id AND o.region_id <> NEW.id
                  AND coalesce(g.province_id, g.id) = after
            );
        RETURN NULL;
    END
    $$
"""

REBUILD = """
    CREATE OR REPLACE FUNCTION agreements_tally_rebuild() RETURNS void LANGUAGE sql AS $$
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
        SELECT 'province', coalesce(g.province_id, g.id)::text, a.visibility, count(DISTINCT a.id)
        FROM agreements_agreement_regions l
        JOIN agreements_agreement a ON a.id = l.agreement_id
        JOIN partners_region g ON g.id = l.region_id
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
"""

FORWARD = [
    AGREEMENT,
    PARTY,
    REGION,
    REBUILD,
    """
    CREATE TRIGGER agreements_tally AFTER UPDATE OF province_id ON partners_region
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_region()
    """,
    "SELECT agreements_tally_rebuild()",
]


def _replacing(statement):
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


# Back to migration 0016's functions, and its counts without provinces.
BACKWARD = [
    "DROP TRIGGER IF EXISTS agreements_tally ON partners_region",
    "DROP FUNCTION IF EXISTS agreements_tally_on_region()",
    *(
        _replacing(statement)
        for statement in TALLY.FORWARD
        if any(
            f"CREATE FUNCTION {name}(" in statement
            for name in (
                "agreements_tally_agreement",
                "agreements_tally_on_party",
                "agreements_tally_rebuild",
            )
        )
    ),
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
    dependencies = [("agreements", "0020_register_watches_agencies_and_signatories")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
