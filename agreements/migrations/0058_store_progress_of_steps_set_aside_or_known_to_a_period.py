from django.db import migrations


def forward(apps, schema_editor):
    """Store again where every agreement stands, where one of two rules changes it:

    - an activity or an evaluation the bureau recorded as skipped or not required is no sign
      of life, so a cooperation whose only evaluation of the year was skipped is dormant like
      one with none (``agreements.models.is_sign_of_life``);
    - of its planned steps, the next is the one due first by the last day its target covers
      (``agreements.models.due_first``), so a step due "November 2026" and late comes before
      one due "2026", whose year began before it; the list's "Menunggu" column, its
      ``waits_on`` filter and the dashboard read what is stored.

    Once, for both: a register with no such step is left as it is."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    set_aside = Milestone.objects.filter(kind__in=("activity", "evaluation")).exclude(mark="")
    known_to_a_period = Milestone.objects.filter(
        done_on__isnull=True, due_on_precision__in=("month", "year")
    )
    if set_aside.exists() or known_to_a_period.exists():
        store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0057_indexes_of_the_english_title_order")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
