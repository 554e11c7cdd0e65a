"""Indexes that keep pages fast at national scale (100,000 agreements, 500,000 milestones).

Each one serves a query named beside it; ``bench/run.py`` measures the pages that use them. Written
as SQL, like migration 0004, because two need what Django's ``Index`` cannot say on every
database (``NULLS LAST``; an expression index on SQLite), and none of them changes what the
models mean.

- ``agreement_visible_counts``: every dashboard count and every "agreements the public may see"
  semi-join reads this narrow index instead of the wide table (each row of which carries its
  search vector and summary): an index-only scan of a few megabytes.
- ``agreement_admin_order``: the admin's agreement list in the model's order (newest signing
  first; PostgreSQL puts unsigned ones first in a descending order), and, read backwards, the
  list page sorted oldest signing first. Without it each admin page sorts the whole table.
- ``agreement_title_order``: the list page sorted by title, either way.
- ``agreement_soonest_expiry``: the list page sorted by expiry date, soonest first.
- ``milestone_open_overdue``: the dashboard's overdue steps with their agreements, read from the
  index alone, where ``milestone_open_by_due`` has to visit the table for each step.
"""

from django.db import migrations

POSTGRES = {
    "agreement_visible_counts": "agreements_agreement "
    "(visibility, status, kind, signed_on, in_force_from, expires_on, id)",
    "agreement_admin_order": "agreements_agreement (signed_on DESC, id DESC)",
    "agreement_title_order": "agreements_agreement (LOWER(title), id)",
    "agreement_soonest_expiry": "agreements_agreement (expires_on ASC NULLS LAST, id)",
    "milestone_open_overdue": "agreements_milestone (due_on, agreement_id) "
    "WHERE done_on IS NULL",
}
# SQLite sorts NULL first when ascending and takes no NULLS LAST in an index: the expiry order
# has no index there (the embedded database is a small one).
SQLITE = {
    "agreement_visible_counts": POSTGRES["agreement_visible_counts"],
    "agreement_admin_order": POSTGRES["agreement_admin_order"],
    "agreement_title_order": POSTGRES["agreement_title_order"],
    "milestone_open_overdue": POSTGRES["milestone_open_overdue"],
}
INDEXES = {"postgresql": POSTGRES, "sqlite": SQLITE}


def forward(apps, schema_editor):
    for name, definition in INDEXES.get(schema_editor.connection.vendor, {}).items():
        schema_editor.execute(f"CREATE INDEX {name} ON {definition};")


def backward(apps, schema_editor):
    for name in INDEXES.get(schema_editor.connection.vendor, {}):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_register_version")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
