"""The agreement's contact persons (migration 0014) are shown on its cached admin change form:
a change to them moves the register version on too, as for every table a cached page reads
(``agreements.caching.watched_tables``; ``tests/test_fresh_pages.py`` found this one)."""

from django.db import migrations

WATCHED = ["agreements_contact"]

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
    dependencies = [("agreements", "0016_register_tally")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
