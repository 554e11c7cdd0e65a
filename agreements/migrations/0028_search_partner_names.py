"""Trigram indexes on the partners' names, so that a search word finds its partners from them.

A search word names a partner by a part of its name or of its name in local script, or by a
near spelling of its name (``agreements.search``). Each of these tested every partner: at
national scale, 5,000 of them, about 30 ms per word, most of it the word similarity. With these
indexes each test reads the few partners it matches (``icontains`` is written by Django as
``UPPER(…) LIKE UPPER(…)``; the near spelling is ``word <% name``, which reads the threshold
that ``coopdb.settings`` gives every connection).

On SQLite this migration does nothing; search there is a substring match.
"""

from django.db import migrations

# The expression Django writes for ``name__icontains`` and ``name_local__icontains``.
FORWARD = [
    *(
        f"CREATE INDEX partner_{column}_trgm ON partners_partner "
        f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        for column in ("name", "name_local")
    ),
    "CREATE INDEX partner_name_words_trgm ON partners_partner USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS partner_name_words_trgm",
    "DROP INDEX IF EXISTS partner_name_local_trgm",
    "DROP INDEX IF EXISTS partner_name_trgm",
]


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
        ("agreements", "0027_register_tally_dormant"),
        ("partners", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
