from django.db import migrations


def forward(apps, schema_editor):
    """Store again where every agreement stands: of its planned steps, the next is the one due
    first by the last day its target covers (``agreements.models.due_first``), so a step due
    "November 2026" and late comes before one due "2026", whose year began before it; the list's
    "Menunggu" column, its ``waits_on`` filter and the dashboard read what is stored."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    if Milestone.objects.filter(done_on__isnull=True).filter(due_on_precision__in=("month", "year")).exists():
        store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0057_store_signs_of_life_not_set_aside")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
