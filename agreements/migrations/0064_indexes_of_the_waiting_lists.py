"""Indexes of the lists of those waiting on a party, and on nobody named yet, in the list's
default order (newest signing first).

Those waiting are mostly texts not yet signed (a draft waiting on the DPRD, a proposal on the
Foreign Ministry): with no signing date they sort last, so the list of ``?waits_on=dprd`` walked
in the signing order's index (``agreement_newest_signed``) found its first page past nearly
every agreement: 480–770 ms at 100,000 agreements, for one of the list's quick questions. Above
``READ_APART_UP_TO`` matches (``caching``) it is not read apart. In these, a party's (or
nobody's) rows lie together in that order, and a page is read where it begins: about 1 ms, as
``agreement_status_newest_signed`` (migration 0047) does for a status.

PostgreSQL only, as migration 0047: SQLite's embedded registers are small. The conditions are
those of ``AgreementQuerySet.waiting_on`` (``tests/test_views_list.py`` checks the list reads
them).
"""

from django.db import migrations

HAS_NEXT_STEP = "NOT (next_milestone_id IS NULL AND next_stage = '')"
INDEXES = {
    "agreement_waiting_newest_signed": (
        "agreements_agreement (waits_on, signed_on DESC NULLS LAST, id DESC) WHERE waits_on <> ''"
    ),
    "agreement_nobody_newest_signed": (
        "agreements_agreement (signed_on DESC NULLS LAST, id DESC) "
        f"WHERE waits_on = '' AND {HAS_NEXT_STEP}"
    ),
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
    dependencies = [("agreements", "0063_register_tally_waiting_on_nobody_named")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
