"""The list filters and sorts by the day each cooperation ends, a terminated one's termination day.

A terminated agreement ended on the day its termination step was done ("Diakhiri pada 2 Maret
2023"); its expiry stays the term first agreed. The list's "Berakhir paling lambat" and its sort
by expiry read the expiry: a cooperation terminated in 2023 whose first term ran to 2027 was not
among those ended before 2025, and sorted by expiry it sat in 2027 beside a row saying it ended
in 2023.

- ``Agreement.ends_by``: the last day the cooperation runs or ran (``agreements.models.ends_by_of``):
  a terminated one's termination day (the last of its month or year when known only so), else
  the last day its expiry covers. Set from the row's dates on every save, and stored with where
  it stands (``store_progress``, which every write path calls in its transaction); stored here
  for every agreement.
- The indexes of the list's order by expiry (migration 0047, on the last day the expiry covers)
  give way to the same two on ``ends_by``: soonest first with no end last
  (``agreements.filters.ENDS_OR_NEVER``, also the bound that starts those still running at
  today), latest first ``NULLS LAST``. The filter is a range of the second. PostgreSQL only, as
  in 0047.
"""

from django.db import migrations, models

# Migration 0047's, dropped and, backwards, made again.
PERIOD_END = (
    "CASE expires_on_precision"
    " WHEN 'year' THEN (expires_on + interval '1 year - 1 day')::date"
    " WHEN 'month' THEN (expires_on + interval '1 month - 1 day')::date"
    " ELSE expires_on END"
)
BY_EXPIRY = {
    "agreement_expiry_order": (
        f"agreements_agreement ((COALESCE({PERIOD_END}, '9999-12-31'::date)), id)"
    ),
    "agreement_expiry_order_desc": (
        f"agreements_agreement (({PERIOD_END}) DESC NULLS LAST, id DESC)"
    ),
}
BY_END = {
    "agreement_ends_order": (
        "agreements_agreement ((COALESCE(ends_by, '9999-12-31'::date)), id)"
    ),
    # Holding what the list's count of "Berakhir paling lambat" reads with it (who may see
    # it, its shown status), the count is read from it alone: without, it read every row.
    "agreement_ends_order_desc": (
        "agreements_agreement (ends_by DESC NULLS LAST, id DESC)"
        " INCLUDE (visibility, status, in_force_from, expires_on)"
    ),
}


def store_ends_by(apps, schema_editor):
    """Store the day each cooperation ends: the last day its expiry covers, in one statement,
    then with where it stands (the service every write path calls, ``store_progress``), which
    writes only what differs, the terminated ones' days. Left to ``store_progress`` alone, every
    row was written in batches of a thousand: 11 minutes at 100,000 agreements."""
    from agreements.dates import PeriodEnd
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    Agreement.objects.update(ends_by=PeriodEnd("expires_on"))
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


def swap(drop, create):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in drop:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name};")
        for name, definition in create.items():
            schema_editor.execute(f"CREATE INDEX {name} ON {definition};")
        # Every agreement was written again: the planner's statistics are read afresh, or
        # the lists' plans follow the table as it was.
        schema_editor.execute("ANALYZE agreements_agreement")

    return run


class Migration(migrations.Migration):
    dependencies = [("agreements", "0051_register_tally_late")]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="ends_by",
            field=models.DateField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="hari terakhir kerja sama berjalan",
            ),
        ),
        migrations.RunPython(store_ends_by, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(
            swap(BY_EXPIRY, BY_END), swap(BY_END, BY_EXPIRY), elidable=False
        ),
    ]
