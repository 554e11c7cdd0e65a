"""A trigram index on the partners' former names, as migration 0028 gave their names.

A search word names a partner by a part of a name it was known by before (``agreements.search``,
the admin's search of partners): ``UPPER("former_names"::text) LIKE UPPER('%word%')``, as Django
writes ``former_names__icontains``. Without the index each word read every partner's former
names beside the indexed names. PostgreSQL only: on SQLite search is a substring match.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX partner_former_names_trgm ON partners_partner "
    'USING gin ((UPPER("former_names"::text)) gin_trgm_ops)',
]
BACKWARD = ["DROP INDEX IF EXISTS partner_former_names_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0054_kept_steps_and_pairs_of_each_regency"),
        ("partners", "0004_partner_former_names"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
