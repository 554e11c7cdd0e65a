"""The implementing agencies, an agreement's links to them and its signatories (migration 0019)
are shown on status pages, list filters and cached admin pages: a change to them moves the
register version on, as for every table a cached page reads
(``agreements.caching.watched_tables``)."""

from django.db import migrations

WATCHED = ["agreements_agency", "agreements_agreement_agencies", "agreements_signatory"]

POSTGRES_FORWARD = [
    f"""
    CREATE TRIGGER coopdb_register_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION coopdb_register_changed()
    """
    for table in WATCHED
]
POSTGRES_BACKWARD = [f"DROP TRIGGER IF EXISTS coopdb_register_changed ON {t}" for t in WATCHED]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER coopdb_register_changed_{table}_{event.lower()}
    AFTER {event} ON {table}
    BEGIN
        UPDATE coopdb_register_version SET changes = changes + 1 WHERE slot = 0;
    END
    """
    for table in WATCHED
    for event in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS coopdb_register_changed_{table}_{event}"
    for table in WATCHED
    for event in ("insert", "update", "delete")
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
    dependencies = [("agreements", "0019_agencies_and_signatories")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
