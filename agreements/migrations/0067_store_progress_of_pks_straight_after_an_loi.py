from django.db import migrations


def forward(apps, schema_editor):
    """Store again where every agreement stands where a PKS (or an amendment) follows an LoI as
    its follow-up: it carries out no text the DPRD and the ministries approved (signing an LoI
    passes exploration and intent only), so its path is that of its scope, with the plan, the
    TKKSD and the DPRD (and, abroad, the ministries, initialling and full powers) before its
    drafting, and its next step, whom it waits on and its target change for those."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    straight_after_an_loi = Agreement.objects.filter(
        relation="implements", kind__in=["pks", "amendment"], follows__kind="loi"
    )
    if straight_after_an_loi.exists():
        store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0066_drop_index_of_nobody_named_superseded")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
