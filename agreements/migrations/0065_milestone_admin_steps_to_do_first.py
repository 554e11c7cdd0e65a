"""The index of the admin's list of steps in its order: the steps still to do first, the
soonest due first, then those done, the latest first (``MilestoneAdmin.ordering``).

Half a million milestones at national scale: without an index of that order, each page of the
list sorted every one of them. ``milestone_admin_order`` (migration 0008) holds the model's own
order, done ones first, which the list no longer opens on; it stays for what reads the
milestones in the model's order.

PostgreSQL only, as migration 0064: an index's NULLS FIRST is PostgreSQL's, and SQLite's
embedded registers are small.
"""

from django.db import migrations

INDEXES = {
    # DESC puts the steps not done (done_on NULL) first, as the list does.
    "milestone_admin_to_do_first": "agreements_milestone (done_on DESC NULLS FIRST, due_on, id)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {definition};")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0064_indexes_of_the_waiting_lists")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
