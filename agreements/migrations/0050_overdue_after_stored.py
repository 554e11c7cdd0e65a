"""The late filter reads the earliest target of each agreement's steps still to do.

``?late=yes`` (``AgreementQuerySet.with_overdue_steps``) read every overdue step of the
register and hashed the agreements against them: a sixth of half a million milestones at
100,000 agreements, 280 ms for the list's count, ten times what it cost at 10,000.

- ``Agreement.overdue_after``: the last day of the earliest target among its steps still to
  do (``agreements.models.overdue_after``), stored with where it stands
  (``AgreementQuerySet.refresh_progress``, which every write path calls in its transaction);
  stored here for every agreement. A target passing needs no write: the filter compares it
  with today, and leaves out those ended by their date as it did.
- ``agreement_overdue_after``: those with one, by it, with what tells whether they are still
  going (an index-only read on PostgreSQL).
"""

from django.db import migrations, models


def store_overdue_after(apps, schema_editor):
    """Store the earliest target still to do of each agreement, with where it stands (the
    service every write path calls, ``store_progress``)."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)
    if schema_editor.connection.vendor == "postgresql":
        # Every agreement with a step still to do was written again: the planner's statistics
        # are read afresh, or the lists' plans follow the table as it was.
        schema_editor.execute("ANALYZE agreements_agreement")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0049_dormant_along_the_line")]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="overdue_after",
            field=models.DateField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="batas target tahapan terdekat yang belum terlaksana",
            ),
        ),
        migrations.RunPython(store_overdue_after, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("overdue_after__isnull", False)),
                fields=["overdue_after"],
                include=("id", "visibility", "status", "expires_on"),
                name="agreement_overdue_after",
            ),
        ),
    ]
