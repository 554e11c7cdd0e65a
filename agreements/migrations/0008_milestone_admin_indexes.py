"""Indexes for the admin's list of milestones at national scale (half a million of them).

- ``milestone_admin_order``: the list in the model's order (done ones by date, then planned ones
  by due date), read from the index instead of sorting every milestone for each page.
- ``milestone_due_on``: the first and last due date that the list's date hierarchy starts from.
"""

from django.db import migrations

INDEXES = {
    "milestone_admin_order": "agreements_milestone (done_on, due_on, id)",
    "milestone_due_on": "agreements_milestone (due_on)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor in {"postgresql", "sqlite"}:
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX {name} ON {definition};")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor in {"postgresql", "sqlite"}:
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0007_indexes_for_national_scale")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
