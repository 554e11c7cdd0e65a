"""A register version that every change to the register's tables moves on, kept by the database.

Pages built from the register are cached under this version (``agreements.caching``): a cached
page is used only while the version it was built at is still the current one, in every server
process at once, because each request reads the version from the database. The database bumps
it in the same transaction as the change, with triggers, so nothing can change the register
without moving it on: not a form, not the importer, not a bulk ``update()`` or ``bulk_create``,
not raw SQL or ``loaddata``.

PostgreSQL: one statement-level trigger per table (a bulk write bumps once). The version is the
sum of a few counter rows, one per slot; a transaction bumps the slot of its server process, so
two editors saving at once seldom wait on the same row. SQLite (the embedded default) has only
row-level triggers and one writer at a time: one counter row.

The table is not a Django model, so ``flush`` (and transactional tests) never reset it: a
version number, once seen, is never reused for another state of the register. A table added
later that pages read must be added to ``WATCHED`` by a migration of its own.
"""

from django.db import migrations

WATCHED = [
    "agreements_agreement",
    "agreements_agreement_regions",
    "agreements_agreement_partners",
    "agreements_agreement_sectors",
    "agreements_milestone",
    "agreements_document",
    "agreements_sector",
    "agreements_potential",
    "agreements_potentialsurvey",
    "agreements_potentialsurvey_participants",
    "partners_country",
    "partners_subdivision",
    "partners_region",
    "partners_partner",
]
SLOTS = 16

POSTGRES_FORWARD = [
    """
    CREATE TABLE coopdb_register_version (
        slot smallint PRIMARY KEY,
        changes bigint NOT NULL
    )
    """,
    f"""
    CREATE FUNCTION coopdb_register_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO coopdb_register_version AS version (slot, changes)
        VALUES (mod(pg_backend_pid(), {SLOTS}), 1)
        ON CONFLICT (slot) DO UPDATE SET changes = version.changes + 1;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER coopdb_register_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION coopdb_register_changed()
        """
        for table in WATCHED
    ),
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS coopdb_register_changed ON {table}" for table in WATCHED),
    "DROP FUNCTION IF EXISTS coopdb_register_changed()",
    "DROP TABLE IF EXISTS coopdb_register_version",
]

SQLITE_FORWARD = [
    "CREATE TABLE coopdb_register_version (slot integer PRIMARY KEY, changes integer NOT NULL)",
    "INSERT INTO coopdb_register_version (slot, changes) VALUES (0, 0)",
    *(
        f"""
        CREATE TRIGGER coopdb_register_changed_{table}_{event.lower()}
        AFTER {event} ON {table}
        BEGIN
            UPDATE coopdb_register_version SET changes = changes + 1 WHERE slot = 0;
        END
        """
        for table in WATCHED
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS coopdb_register_changed_{table}_{event}"
        for table in WATCHED
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS coopdb_register_version",
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
    dependencies = [
        ("agreements", "0005_agreement_version_and_protected_chain"),
        ("partners", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
