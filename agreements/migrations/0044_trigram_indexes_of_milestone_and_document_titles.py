"""Trigram indexes of the titles of milestones and documents, for the admin's search of them.

The admin finds a milestone or a document by a word of its title, in any case and anywhere in
it (``MilestoneQuerySet.search``, ``DocumentQuerySet.search``): ``UPPER(title) LIKE '%WORD%'``.
Half a million milestones at national scale were each read and compared; pg_trgm's GIN index
of the upper-cased title (the extension came with migration 0003) finds them. PostgreSQL only:
SQLite has no trigram index, and its embedded registers are small. Written as SQL, as migration
0007, since Django's ``GinIndex`` needs ``django.contrib.postgres`` in every database's models.
"""

from django.db import migrations

INDEXES = {
    "milestone_title_trigram": "agreements_milestone USING gin (UPPER(title) gin_trgm_ops)",
    "document_title_trigram": "agreements_document USING gin (UPPER(title) gin_trgm_ops)",
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
    dependencies = [("agreements", "0043_store_progress_of_texts_signed_before_their_date")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
