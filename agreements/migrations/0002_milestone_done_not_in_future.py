"""A milestone's done date is never in the future, enforced by the database itself.

Django's CheckConstraint cannot express this portably: SQLite forbids reading the clock in a
CHECK. PostgreSQL gets a real CHECK; SQLite gets triggers that abort the write. Both allow one
day of slack because the database clock is in UTC while the bureau's day is local (Asia/Jakarta
is seven hours ahead); Milestone.clean() checks the local date exactly.
"""

from django.db import migrations

POSTGRES_FORWARD = """
ALTER TABLE agreements_milestone ADD CONSTRAINT milestone_done_not_in_future
    CHECK (done_on IS NULL OR done_on <= CURRENT_DATE + 1);
"""
POSTGRES_BACKWARD = "ALTER TABLE agreements_milestone DROP CONSTRAINT milestone_done_not_in_future;"

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER milestone_done_not_in_future_{event.lower()}
BEFORE {event} ON agreements_milestone
WHEN NEW.done_on IS NOT NULL AND NEW.done_on > date('now', '+1 day')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: milestone_done_not_in_future');
END;
"""
    for event in ("INSERT", "UPDATE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER milestone_done_not_in_future_{event};" for event in ("insert", "update")
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
