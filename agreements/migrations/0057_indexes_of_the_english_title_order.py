"""Indexes of the list sorted by title on English pages.

An English reader sees the English title where one is filled, else the Indonesian
(``Agreement.shown_title``), and the list sorted by title ("Title, A–Z", either way) sorts by
that title (``agreements.filters.SORTS_IN_ENGLISH``), where it sorted by the Indonesian one:
"Sister city Samarinda – Anhui" stood among the "Kota kembar" titles. These two hold that
order, as migrations 0007 (``agreement_title_order``) and 0047 (``agreement_kind_title``) hold
the Indonesian one: the whole list, and one kind's, read a page from an index rather than
sorting the register.

PostgreSQL only: SQLite's embedded registers are small. The expression is that of
``SORTS_IN_ENGLISH`` (``tests/test_views_list.py`` checks that the list's order still reads
it).
"""

from django.db import migrations

SHOWN_TITLE = "LOWER(COALESCE(NULLIF(title_en, ''), title))"
INDEXES = {
    "agreement_english_title_order": f"agreements_agreement (({SHOWN_TITLE}), id)",
    "agreement_kind_english_title": f"agreements_agreement (kind, ({SHOWN_TITLE}), id)",
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
    dependencies = [("agreements", "0056_store_progress_of_public_texts_carrying_out_internal_ones")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
