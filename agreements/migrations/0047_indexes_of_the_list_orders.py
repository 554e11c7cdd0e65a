"""Indexes of the list's orders: by expiry, on the last day each term covers; by signing within
a status; by title within a kind.

The list sorted by expiry ("Tanggal berakhir, terdekat dulu", and the other way) orders by the
last day the expiry covers (``agreements.dates.PeriodEnd``): an expiry known only as "Juni
2027" ends on 30 June. Since dates could be known to the month or the year, that order read no
index (``agreement_soonest_expiry`` of migration 0007 orders by the stored first day): at
100,000 agreements each page of it read and sorted the whole register, 150 ms, spilling to
disk. These two hold it, one each way, with no expiry last both ways as the list puts them:
soonest first as the calendar's last day (``period_end_or_never``), which also lets the list of
those signed or in force start at today (``AgreementFilter.filter_queryset``); latest first
``NULLS LAST``. A page is read from the index, about 1 ms.

``agreement_status_newest_signed``: the list of one status, newest signing first (the list's
default order). Those never signed (in preparation, exploration, cancelled) have no signing date
and sort last: walked in the signing order's index, their first page was found past every
signed agreement, 150 ms at 100,000; read in this index, under 2 ms.

``agreement_kind_title``: the list of one kind by title, either way. A title names its kind
("Nota Kesepahaman …", "Perjanjian Kerja Sama …"), so a kind's titles lie together in the title
order: walked in the title index, the first page of the letters of intent was found past the
other kinds' titles (200 ms at 100,000).

PostgreSQL only: SQLite's embedded registers are small. The expressions are those of
``PeriodEnd`` and ``period_end_or_never`` (``tests/test_views_list.py`` checks that the list's
order still reads them).
"""

from django.db import migrations

PERIOD_END = (
    "CASE expires_on_precision"
    " WHEN 'year' THEN (expires_on + interval '1 year - 1 day')::date"
    " WHEN 'month' THEN (expires_on + interval '1 month - 1 day')::date"
    " ELSE expires_on END"
)
INDEXES = {
    "agreement_expiry_order": (
        f"agreements_agreement ((COALESCE({PERIOD_END}, '9999-12-31'::date)), id)"
    ),
    "agreement_expiry_order_desc": (
        f"agreements_agreement (({PERIOD_END}) DESC NULLS LAST, id DESC)"
    ),
    "agreement_status_newest_signed": (
        "agreements_agreement (status, signed_on DESC NULLS LAST, id DESC)"
    ),
    "agreement_kind_title": "agreements_agreement (kind, LOWER(title), id)",
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
    dependencies = [("agreements", "0046_register_tally_pairs")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
