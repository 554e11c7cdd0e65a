"""On SQLite, a new epoch with every change of the register.

A backup restored in place brings back its epoch and its change counters (migrations 0006,
0015), so the edits after it would count through version numbers whose pages were cached from
data the restore undid. On PostgreSQL the version also names the counter table, which every
restore creates anew (``agreements.caching.register_version``). An SQLite backup is a copy of
the file, which nothing in it tells from the original; so there every change of the counters
draws a new epoch. A restored file keeps the epoch of its own data, whose cached pages are
still right, and its first change draws one never seen: no version is reused for other data.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER coopdb_register_epoch_renewed
    AFTER UPDATE ON coopdb_register_version
    BEGIN
        UPDATE coopdb_register_epoch SET epoch = lower(hex(randomblob(16)));
    END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS coopdb_register_epoch_renewed"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0022_register_tally_outlines")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
