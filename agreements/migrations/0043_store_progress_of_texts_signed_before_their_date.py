from django.db import migrations


def forward(apps, schema_editor):
    """Store again where each cooperation stands: a text whose path is passed to its signing
    (the signing ticked off before the signed date is recorded) now has as its next step the
    soonest activity, evaluation or other step planned, as after signing, where it had none and
    waited on nobody (``next_step_of``). Its list row, whom it waits on and the counts of the
    dashboard read what is stored."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0042_indexes_of_links_by_party"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
