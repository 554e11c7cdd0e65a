"""How many agreements each outline the map draws for several provinces has, kept with the
other counts (migrations 0016 and 0021).

The map of Indonesia still has the outlines of before 2022: Papua's stands for Papua, Papua
Selatan, Papua Tengah and Papua Pegunungan, Papua Barat's for Papua Barat and Papua Barat Daya
(``agreements.maps.OUTLINE_OF_PROVINCE``). Such an outline counts an agreement once however many
of its provinces it is party in, so its count is not the sum of theirs, and counting it from the
party rows passed over most of the register where Papua's regions are busy. It is kept here as
dimension ``outline``, keyed by the outline's code, moved on by the same triggers:

- a region party row added or removed moves its outline's count unless another region in the
  same outline is party to the agreement;
- an agreement inserted, deleted or changing visibility moves the counts of its outlines;
- a region given another province or code (a reorganisation, once in years) counts everything
  again, since it may move every agreement of its regencies from one outline to another;
- TRUNCATE counts everything again.

``agreements_tally_outline`` holds which provinces share an outline: a copy of the map's, as of
this migration (a new split would need a migration of its own, as it needs a new outline).
"""

import importlib

from django.db import migrations

PROVINCES = importlib.import_module("agreements.migrations.0021_register_tally_provinces")

# The outlines drawn for several provinces, and theirs (``agreements.maps.OUTLINE_OF_PROVINCE``).
SHARED_OUTLINES = {"ID-PA": ["91", "93", "94", "95"], "ID-PB": ["92", "96"]}

OUTLINE = (
    """
    CREATE FUNCTION agreements_tally_outline(province bigint) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT CASE """
    + " ".join(
        "WHEN g.code IN ({}) THEN '{}'".format(", ".join(f"'{c}'" for c in codes), outline)
        for outline, codes in SHARED_OUTLINES.items()
    )
    + """ END
        FROM partners_region g WHERE g.id = province
    $$
    """
)

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
        PERFORM agreements_tally_add('outline', o.outline, vis, d)
            FROM (
                SELECT DISTINCT agreements_tally_outline(coalesce(g.province_id, g.id)) AS outline
                FROM agreements_agreement_regions l
                JOIN partners_region g ON g.id = l.region_id
                WHERE l.agreement_id = agreement
            ) o
            WHERE o.outline IS NOT NULL;
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
        outline text;
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
                -- So does the outline a map draws several provinces in.
                outline := agreements_tally_outline(province);
                IF outline IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM agreements_agreement_regions l
                    JOIN partners_region g ON g.id = l.region_id
                    WHERE l.agreement_id = r.agreement_id
                      AND agreements_tally_outline(coalesce(g.province_id, g.id)) = outline
                      AND l.region_id <> r.region_id
                ) THEN
                    PERFORM agreements_tally_add('outline', outline, vis, d);
                END IF;
            END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
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
        SELECT 'outline', o.outline, o.visibility, count(DISTINCT o.id)
        FROM (
            SELECT agreements_tally_outline(coalesce(g.province_id, g.id)) AS outline,
                   a.visibility, a.id
            FROM agreements_agreement_regions l
            JOIN agreements_agreement a ON a.id = l.agreement_id
            JOIN partners_region g ON g.id = l.region_id
        ) o
        WHERE o.outline IS NOT NULL
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

# A region moved to another province, or a province given another code: counted again.
REGION = """
    CREATE OR REPLACE FUNCTION agreements_tally_on_region() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.province_id IS NOT DISTINCT FROM NEW.province_id AND OLD.code = NEW.code THEN
            RETURN NULL;
        END IF;
        PERFORM agreements_tally_rebuild();
        RETURN NULL;
    END
    $$
"""

FORWARD = [
    OUTLINE,
    AGREEMENT,
    PARTY,
    REBUILD,
    REGION,
    "DROP TRIGGER IF EXISTS agreements_tally ON partners_region",
    """
    CREATE TRIGGER agreements_tally AFTER UPDATE OF province_id, code ON partners_region
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_region()
    """,
    "SELECT agreements_tally_rebuild()",
]

# Back to migration 0021's functions, and its counts without outlines.
BACKWARD = [
    "DROP TRIGGER IF EXISTS agreements_tally ON partners_region",
    PROVINCES.AGREEMENT,
    PROVINCES.PARTY,
    PROVINCES.REBUILD,
    PROVINCES.REGION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    """
    CREATE TRIGGER agreements_tally AFTER UPDATE OF province_id ON partners_region
    FOR EACH ROW EXECUTE FUNCTION agreements_tally_on_region()
    """,
    "DROP FUNCTION IF EXISTS agreements_tally_outline(bigint)",
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
    dependencies = [("agreements", "0021_register_tally_provinces")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
