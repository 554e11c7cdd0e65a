from django.db import migrations


def forward(apps, schema_editor):
    """Store again where every agreement stands: the furthest stage a document reached is now
    under way, not passed, while another step of it is still planned (the next step, with
    whom it waits on and its target, changes for those)."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0028_search_partner_names"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
