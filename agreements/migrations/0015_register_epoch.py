"""A random name for this database's run of register versions.

Pages are cached under the register version (``agreements.caching``), and since the cache may
be shared (Redis) and outlive a database, a version number alone is not enough: a database
created again (a test run, a restore from backup, a second site on the same Redis) counts its
versions from zero again, and would be served the pages another one cached under the same
numbers. Every key names this epoch too, drawn once, when the table is made.
"""

from django.db import migrations

STATEMENTS = {
    "postgresql": (
        [
            "CREATE TABLE coopdb_register_epoch (epoch text NOT NULL)",
            "INSERT INTO coopdb_register_epoch (epoch) "
            "VALUES (md5(random()::text || clock_timestamp()::text))",
        ],
        ["DROP TABLE IF EXISTS coopdb_register_epoch"],
    ),
    "sqlite": (
        [
            "CREATE TABLE coopdb_register_epoch (epoch text NOT NULL)",
            "INSERT INTO coopdb_register_epoch (epoch) VALUES (lower(hex(randomblob(16))))",
        ],
        ["DROP TABLE IF EXISTS coopdb_register_epoch"],
    ),
}


def forward(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0014_budget_and_contacts")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
