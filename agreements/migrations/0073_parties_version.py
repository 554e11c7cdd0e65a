"""A version of which parties each selection of agreements has, kept by the database.

The filter form of every list offers the regions, partners, countries and agencies party to an
agreement of the page's selection (``AgreementFilter.offer_choices``). They were kept under the
register version, so any save (a title corrected, a step recorded as done) read them all again
for every list, region, partner, country and sector page, a fifth of the cost of drawing such a
page again after a save. What they are read from changes far less often:

* the links of agreements to their regions, partners, sectors and agencies;
* which agreements there are, and which of them the public may read (``visibility``): every
  selection a list offers choices for is what a reader may see of the register, or of one
  region's, partner's, country's or sector's agreements, which those links decide
  (``export_views.SUBJECTS``);
* the counts the database keeps of them (``agreements_tally``), read for the whole register
  and for each subject: a count that reaches zero, or leaves it;
* and the shared tables (names, a region's province, a partner's country), which have their
  own version (migration 0026).

``coopdb_parties_version`` is moved on, in the same transaction, by any change to the first
three: counter slots as the shared tables' (migration 0026). ``agreements.caching.parties_version``
reads it with the shared tables' version and what names this database.

PostgreSQL: statement-level triggers on the links, and on the agreements for what is added,
removed or emptied; row-level triggers, each with its condition, for a change of an agreement's
visibility and for a count crossing zero (PostgreSQL allows no transition tables on a trigger
naming columns). The version names this database's epoch and the counter table's OID, which a
restore creates anew (``agreements.caching``).

SQLite: row-level triggers; each change sets the counter to a new random number, as the shared
tables' counter is there (migration 0026). SQLite keeps no counts.
"""

from django.db import migrations

LINK_TABLES = [
    "agreements_agreement_regions",
    "agreements_agreement_partners",
    "agreements_agreement_sectors",
    "agreements_agreement_agencies",
]
SLOTS = 16

POSTGRES_FORWARD = [
    "CREATE TABLE coopdb_parties_version (slot smallint PRIMARY KEY, changes bigint NOT NULL)",
    f"""
    CREATE FUNCTION coopdb_parties_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO coopdb_parties_version AS version (slot, changes)
        VALUES (mod(pg_backend_pid(), {SLOTS}), 1)
        ON CONFLICT (slot) DO UPDATE SET changes = version.changes + 1;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER coopdb_parties_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION coopdb_parties_changed()
        """
        for table in LINK_TABLES
    ),
    """
    CREATE TRIGGER coopdb_parties_changed
    AFTER INSERT OR DELETE OR TRUNCATE ON agreements_agreement
    FOR EACH STATEMENT EXECUTE FUNCTION coopdb_parties_changed()
    """,
    """
    CREATE TRIGGER coopdb_parties_visibility_changed
    AFTER UPDATE OF visibility ON agreements_agreement
    FOR EACH ROW WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility)
    EXECUTE FUNCTION coopdb_parties_changed()
    """,
    """
    CREATE TRIGGER coopdb_parties_counted
    AFTER INSERT OR DELETE OR TRUNCATE ON agreements_tally
    FOR EACH STATEMENT EXECUTE FUNCTION coopdb_parties_changed()
    """,
    """
    CREATE TRIGGER coopdb_parties_count_crossed_zero
    AFTER UPDATE ON agreements_tally
    FOR EACH ROW WHEN ((OLD.n > 0) IS DISTINCT FROM (NEW.n > 0)
        OR OLD.dimension IS DISTINCT FROM NEW.dimension OR OLD.key IS DISTINCT FROM NEW.key
        OR OLD.visibility IS DISTINCT FROM NEW.visibility)
    EXECUTE FUNCTION coopdb_parties_changed()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS coopdb_parties_count_crossed_zero ON agreements_tally",
    "DROP TRIGGER IF EXISTS coopdb_parties_counted ON agreements_tally",
    "DROP TRIGGER IF EXISTS coopdb_parties_visibility_changed ON agreements_agreement",
    "DROP TRIGGER IF EXISTS coopdb_parties_changed ON agreements_agreement",
    *(f"DROP TRIGGER IF EXISTS coopdb_parties_changed ON {table}" for table in LINK_TABLES),
    "DROP FUNCTION IF EXISTS coopdb_parties_changed()",
    "DROP TABLE IF EXISTS coopdb_parties_version",
]

_SQLITE_BUMP = "UPDATE coopdb_parties_version SET changes = random() WHERE slot = 0;"

SQLITE_FORWARD = [
    "CREATE TABLE coopdb_parties_version (slot integer PRIMARY KEY, changes integer NOT NULL)",
    "INSERT INTO coopdb_parties_version (slot, changes) VALUES (0, random())",
    *(
        f"""
        CREATE TRIGGER coopdb_parties_changed_{table}_{event.lower()}
        AFTER {event} ON {table}
        BEGIN
            {_SQLITE_BUMP}
        END
        """
        for table in LINK_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    *(
        f"""
        CREATE TRIGGER coopdb_parties_changed_agreements_agreement_{event.lower()}
        AFTER {event} ON agreements_agreement
        BEGIN
            {_SQLITE_BUMP}
        END
        """
        for event in ("INSERT", "DELETE")
    ),
    f"""
    CREATE TRIGGER coopdb_parties_changed_agreements_agreement_visibility
    AFTER UPDATE OF visibility ON agreements_agreement
    WHEN OLD.visibility IS NOT NEW.visibility
    BEGIN
        {_SQLITE_BUMP}
    END
    """,
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS coopdb_parties_changed_{table}_{event}"
        for table in LINK_TABLES
        for event in ("insert", "update", "delete")
    ),
    "DROP TRIGGER IF EXISTS coopdb_parties_changed_agreements_agreement_insert",
    "DROP TRIGGER IF EXISTS coopdb_parties_changed_agreements_agreement_delete",
    "DROP TRIGGER IF EXISTS coopdb_parties_changed_agreements_agreement_visibility",
    "DROP TABLE IF EXISTS coopdb_parties_version",
]

STATEMENTS = {
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def forward(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0072_unsigned_agreements_listed_last_on_every_database")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
