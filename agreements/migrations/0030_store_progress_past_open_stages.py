from django.db import migrations


def forward(apps, schema_editor):
    """Store again where every agreement stands: a signed document's next step is never a step
    of a stage on the way to signing left open from before (its path shows them all passed),
    and a public document's is never that of an internal document carrying it out (what is
    stored is shown to every reader), so the next step, whom it waits on and its target change
    for those."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0029_store_progress_with_stages_under_way"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
