"""The latest sign of life of a public amendment's line as a reader of internal records reads it.

An amendment is part of the text it amends: whatever keeps that text alive keeps it alive. A
public addendum of an internal MoU active last month was alive on the status page of an
official, who reads that activity, and dormant in the same official's lists and counts, which
read the line stored as the public reads it (migration 0049). Each agreement now stores, beside
it, the day the latest sign of life of its line counts from as a reader of internal records
reads it, where that is later (``inside_sign_of_life_on``; none for every other agreement), and
every surface of such a reader reads it (``Agreement.last_sign_of_life_read``,
``AgreementQuerySet.dormant``). The counts the database keeps count what is stored for every
reader, as before; those of a reader of internal records take away, in the same statement, the
few public amendments dormant only as the public reads them, from the index of the rows that
store one (``dormant_to_the_public_alone``). Stored here for the register as it stands, where it
records public amendments and internal texts; undone, the column goes with what it held.
"""

from django.db import migrations, models


def forward(apps, schema_editor):
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    # An internal text may lie anywhere along a public amendment's line (the MoU above the PKS
    # it amends): where both are recorded, every chain is stored again.
    public_amendments = Agreement.objects.filter(relation="amends", visibility="public")
    if public_amendments.exists() and Agreement.objects.filter(visibility="internal").exists():
        store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0069_search_folds_accents")]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="inside_sign_of_life_on",
            field=models.DateField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="kegiatan atau monitoring dan evaluasi terakhir",
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("inside_sign_of_life_on__isnull", False)),
                fields=["inside_sign_of_life_on"],
                name="agreement_alive_inside",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
