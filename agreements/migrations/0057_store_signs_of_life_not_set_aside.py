from django.db import migrations


def forward(apps, schema_editor):
    """Store again the latest sign of life along every agreement's line: an activity or an
    evaluation the bureau recorded as skipped or not required is no sign of life, so a
    cooperation whose only evaluation of the year was skipped is dormant like one with none
    (``agreements.models.is_sign_of_life``)."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    set_aside = Milestone.objects.filter(kind__in=("activity", "evaluation")).exclude(mark="")
    chains = Agreement.objects.filter(pk__in=set_aside.values("agreement_id"))
    if chains.exists():
        store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0056_store_progress_of_public_texts_carrying_out_internal_ones")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
