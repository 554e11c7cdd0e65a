from django.db import migrations


def forward(apps, schema_editor):
    """Store again whom each cooperation's next step waits on: a step scheduled in place of the
    next stage that is not of that stage (a coordination meeting while the TKKSD review is
    next) waits on whom it names, as every list of steps says (``Milestone.waited_on``), not on
    the body that decides the stage. Only whom it waits on changes, for those; no status."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0040_store_progress_along_amendments_and_extensions"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
