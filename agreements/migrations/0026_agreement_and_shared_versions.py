"""A version per agreement, and one for the small shared tables, kept by the database.

The register version (migration 0006) moves on with every change anywhere, so one save renewed
every cached page for every reader. What shows one agreement (its status page, its admin change
form) depends only on that agreement's own rows, on the agreements of its chain shown beside it,
and on the small tables every agreement names (sectors, agencies, countries, regions, partners).
So the database keeps, in the same transaction as the change, as the register version is kept:

* ``coopdb_agreement_version``: a counter per agreement, moved on by any change to a row of
  ``AGREEMENT_TABLES`` naming it (its own row, its parties, milestones, documents, signatories,
  contact persons, agencies and the history records of all that), whether the change comes
  from a form, the importer, a bulk ``update()`` or raw SQL;
* ``coopdb_shared_version``: counter slots, as the register's, moved on by any change to
  ``SHARED_TABLES``, and by emptying (TRUNCATE) a table of agreements' rows, which says
  nothing of which agreements it touched.

These pages are cached under both (``agreements.caching.agreement_version``); every other page
stays on the register version, which these tables keep moving on as before.

PostgreSQL: statement-level triggers reading the statement's rows (transition tables): a bulk
write bumps each agreement it touched once, in the order of their ids, so two bulk writes never
wait on each other's counters in opposite orders. Each version names this database's epoch and
both counter tables' OIDs, which a restore creates anew (``agreements.caching``).

SQLite: row-level triggers. A restored file cannot be told from the original (migration 0023),
and the register's epoch, renewed by every change there, would renew every agreement's version
with any save; so each change sets its counter to a new random number instead of adding one,
and the shared counter starts at one: a number, once moved past, never comes back, in this file
or a restored copy, and no other database has drawn the same.
"""

from django.db import migrations

# Each table holding an agreement's own rows, with the column naming the agreement.
AGREEMENT_TABLES = {
    "agreements_agreement": "id",
    "agreements_agreement_regions": "agreement_id",
    "agreements_agreement_partners": "agreement_id",
    "agreements_agreement_sectors": "agreement_id",
    "agreements_agreement_agencies": "agreement_id",
    "agreements_milestone": "agreement_id",
    "agreements_document": "agreement_id",
    "agreements_signatory": "agreement_id",
    "agreements_contact": "agreement_id",
    "agreements_historicalagreement": "id",
    "agreements_historicalagreement_regions": "agreement_id",
    "agreements_historicalagreement_partners": "agreement_id",
    "agreements_historicalagreement_sectors": "agreement_id",
    "agreements_historicalagreement_agencies": "agreement_id",
}
SHARED_TABLES = [
    "agreements_sector",
    "agreements_agency",
    "partners_country",
    "partners_subdivision",
    "partners_region",
    "partners_partner",
]
SLOTS = 16

_BUMP = (
    "INSERT INTO coopdb_agreement_version AS version (agreement_id, changes) "
    "SELECT agreement_id, 1 FROM ({rows}) AS changed(agreement_id) ORDER BY agreement_id "
    "ON CONFLICT (agreement_id) DO UPDATE SET changes = version.changes + 1"
)

POSTGRES_FORWARD = [
    "CREATE TABLE coopdb_agreement_version (agreement_id bigint PRIMARY KEY, changes bigint NOT NULL)",
    "CREATE TABLE coopdb_shared_version (slot smallint PRIMARY KEY, changes bigint NOT NULL)",
    f"""
    CREATE FUNCTION coopdb_shared_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO coopdb_shared_version AS version (slot, changes)
        VALUES (mod(pg_backend_pid(), {SLOTS}), 1)
        ON CONFLICT (slot) DO UPDATE SET changes = version.changes + 1;
        RETURN NULL;
    END
    $$
    """,
    # TG_ARGV[0]: the column naming the agreement. The statement's rows are read through the
    # transition tables each trigger names old_rows and new_rows.
    f"""
    CREATE FUNCTION coopdb_agreements_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        agreement text := quote_ident(TG_ARGV[0]);
        rows text;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            rows := 'SELECT DISTINCT ' || agreement || ' FROM new_rows';
        ELSIF TG_OP = 'DELETE' THEN
            rows := 'SELECT DISTINCT ' || agreement || ' FROM old_rows';
        ELSE
            rows := 'SELECT ' || agreement || ' FROM old_rows '
                || 'UNION SELECT ' || agreement || ' FROM new_rows';
        END IF;
        EXECUTE replace('{_BUMP}', '{{rows}}', rows);
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER coopdb_shared_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION coopdb_shared_changed()
        """
        for table in SHARED_TABLES
    ),
    *(
        statement
        for table, column in AGREEMENT_TABLES.items()
        for statement in (
            f"""
            CREATE TRIGGER coopdb_agreements_inserted AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION coopdb_agreements_changed('{column}')
            """,
            f"""
            CREATE TRIGGER coopdb_agreements_updated AFTER UPDATE ON {table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION coopdb_agreements_changed('{column}')
            """,
            f"""
            CREATE TRIGGER coopdb_agreements_deleted AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION coopdb_agreements_changed('{column}')
            """,
            f"""
            CREATE TRIGGER coopdb_shared_changed AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION coopdb_shared_changed()
            """,
        )
    ),
]
POSTGRES_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for table in AGREEMENT_TABLES
        for name in (
            "coopdb_agreements_inserted",
            "coopdb_agreements_updated",
            "coopdb_agreements_deleted",
            "coopdb_shared_changed",
        )
    ),
    *(f"DROP TRIGGER IF EXISTS coopdb_shared_changed ON {table}" for table in SHARED_TABLES),
    "DROP FUNCTION IF EXISTS coopdb_agreements_changed()",
    "DROP FUNCTION IF EXISTS coopdb_shared_changed()",
    "DROP TABLE IF EXISTS coopdb_shared_version",
    "DROP TABLE IF EXISTS coopdb_agreement_version",
]


def _sqlite_bump(value, condition=""):
    return (
        "INSERT INTO coopdb_agreement_version (agreement_id, changes) "
        f"SELECT {value}, random() WHERE {condition or 'true'} "
        "ON CONFLICT (agreement_id) DO UPDATE SET changes = random();"
    )


_SQLITE_BUMPS = {
    "INSERT": lambda column: _sqlite_bump(f"NEW.{column}"),
    "DELETE": lambda column: _sqlite_bump(f"OLD.{column}"),
    "UPDATE": lambda column: (
        _sqlite_bump(f"OLD.{column}")
        + _sqlite_bump(f"NEW.{column}", f"NEW.{column} IS NOT OLD.{column}")
    ),
}

SQLITE_FORWARD = [
    "CREATE TABLE coopdb_agreement_version "
    "(agreement_id integer PRIMARY KEY, changes integer NOT NULL)",
    "CREATE TABLE coopdb_shared_version (slot integer PRIMARY KEY, changes integer NOT NULL)",
    "INSERT INTO coopdb_shared_version (slot, changes) VALUES (0, random())",
    *(
        f"""
        CREATE TRIGGER coopdb_shared_changed_{table}_{event.lower()}
        AFTER {event} ON {table}
        BEGIN
            UPDATE coopdb_shared_version SET changes = random() WHERE slot = 0;
        END
        """
        for table in SHARED_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    *(
        f"""
        CREATE TRIGGER coopdb_agreements_changed_{table}_{event.lower()}
        AFTER {event} ON {table}
        BEGIN
            {bump(column)}
        END
        """
        for table, column in AGREEMENT_TABLES.items()
        for event, bump in _SQLITE_BUMPS.items()
    ),
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS coopdb_shared_changed_{table}_{event}"
        for table in SHARED_TABLES
        for event in ("insert", "update", "delete")
    ),
    *(
        f"DROP TRIGGER IF EXISTS coopdb_agreements_changed_{table}_{event}"
        for table in AGREEMENT_TABLES
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS coopdb_shared_version",
    "DROP TABLE IF EXISTS coopdb_agreement_version",
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
    dependencies = [("agreements", "0025_register_tally_overdue_steps")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
