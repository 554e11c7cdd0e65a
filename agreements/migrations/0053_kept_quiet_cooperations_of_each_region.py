"""The cooperations in force of each region, with the day each turns dormant, kept where a
count of the region's dormant cooperations reads them.

The register's dormant cooperations (*mati suri*) are counted from the counts the database keeps
(migrations 0027, 0049); a region's were counted row by row: at 100,000 agreements the largest
province and its largest regency are each party to 56,000 of them, and
``?region=<region>&dormant=yes`` read every agreement of the register (100-300 ms), the list and
the region's page alike.

Kept here instead, on PostgreSQL, in the same transaction as every write:
``agreements_tally_region_quiet``, a row for each row of ``agreements_tally_dormant`` (an
agreement in force, or signed with a day it comes into force, with the day it turns dormant,
``quiet_until``, and the last day its expiry covers, ``expires_by``) and each region party to
it, and each province one of whose regions (the province itself, its regencies and cities) is,
as ``AgreementQuerySet.in_region`` reads a province. A region's dormant cooperations on a day are
its rows quiet by then and not lapsed before it: a range of its index.

An agreement's rows are written again whenever its row of ``agreements_tally_dormant`` is
written (its status, dates, visibility or latest sign of life changed), its party regions
change, or the province of one of them does; once per statement, for each agreement the
statement changed. The rebuild (``agreements_tally_rebuild``) writes every row of
``agreements_tally_dormant`` again, and so these.
"""

from django.db import migrations

TABLE = "agreements_tally_region_quiet"

REFRESH = f"""
    CREATE FUNCTION {TABLE}_refresh(aids bigint[])
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {TABLE} WHERE agreement_id = ANY(aids);
        INSERT INTO {TABLE} (agreement_id, region_id, visibility, quiet_until, expires_by)
        SELECT DISTINCT d.agreement_id, r.region_id, d.visibility, d.quiet_until, d.expires_by
        FROM agreements_tally_dormant d
        JOIN agreements_agreement_regions l ON l.agreement_id = d.agreement_id
        JOIN partners_region g ON g.id = l.region_id
        -- The party region itself, and its province.
        CROSS JOIN LATERAL (VALUES (g.id), (g.province_id)) r(region_id)
        WHERE d.agreement_id = ANY(aids) AND r.region_id IS NOT NULL;
    END
    $$
"""

# Per statement, each agreement once: the rebuild writes every agreement's dormant row in one
# statement, and Django adds or removes an agreement's party regions in one.
ON_CHANGE = f"""
    CREATE FUNCTION {TABLE}_on_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {TABLE}_refresh(ARRAY(SELECT DISTINCT agreement_id FROM changed));
        RETURN NULL;
    END
    $$
"""

ON_REGION = f"""
    CREATE FUNCTION {TABLE}_on_region() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.province_id IS DISTINCT FROM NEW.province_id THEN
            PERFORM {TABLE}_refresh(ARRAY(
                SELECT agreement_id FROM agreements_agreement_regions WHERE region_id = NEW.id
            ));
        END IF;
        RETURN NULL;
    END
    $$
"""

WATCHED = [
    ("agreements_tally_dormant", "INSERT", "NEW"),
    ("agreements_tally_dormant", "UPDATE", "NEW"),
    ("agreements_tally_dormant", "DELETE", "OLD"),
    ("agreements_agreement_regions", "INSERT", "NEW"),
    ("agreements_agreement_regions", "DELETE", "OLD"),
]

FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        agreement_id bigint NOT NULL,
        region_id bigint NOT NULL,
        visibility text NOT NULL,
        quiet_until date,
        expires_by date,
        PRIMARY KEY (agreement_id, region_id)
    )
    """,
    # A region's cooperations by who may read them and the day each turns dormant, with the
    # day each lapses, which its count reads too.
    f"""
    CREATE INDEX {TABLE}_quiet ON {TABLE} (region_id, visibility, quiet_until)
    INCLUDE (expires_by)
    """,
    REFRESH,
    ON_CHANGE,
    ON_REGION,
    *(
        f"""
        CREATE TRIGGER {TABLE}_{event.lower()} AFTER {event} ON {table}
        REFERENCING {rows} TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_on_change()
        """
        for table, event, rows in WATCHED
    ),
    f"""
    CREATE TRIGGER {TABLE} AFTER UPDATE OF province_id ON partners_region
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_region()
    """,
    f"SELECT {TABLE}_refresh(ARRAY(SELECT agreement_id FROM agreements_tally_dormant))",
    f"ANALYZE {TABLE}",  # its first plans read statistics of the rows just written
]

BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE} ON partners_region",
    *(f"DROP TRIGGER IF EXISTS {TABLE}_{event.lower()} ON {table}" for table, event, _ in WATCHED),
    f"DROP FUNCTION IF EXISTS {TABLE}_on_region()",
    f"DROP FUNCTION IF EXISTS {TABLE}_on_change()",
    f"DROP FUNCTION IF EXISTS {TABLE}_refresh(bigint[])",
    f"DROP TABLE IF EXISTS {TABLE}",
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
    dependencies = [("agreements", "0052_list_by_the_day_each_cooperation_ends")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
