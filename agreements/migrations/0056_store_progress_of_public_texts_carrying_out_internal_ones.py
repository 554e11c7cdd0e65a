from django.db import migrations


def forward(apps, schema_editor):
    """Store again where every agreement stands:

    - a public document carrying out an internal one is worked out as a document standing alone,
      as the public sees its chain (its short path, drafting and signing, told there was a text
      before it), so its next step, whom it waits on and its target change for those;
    - a status before signing never passes a document's own signing: an LoI recorded as
      "Penyiapan naskah" with its signing not yet recorded has its LoI stage, its signing,
      next, where the list and the dashboard read "nothing pending" from what was stored;
    - an extension terminated no longer extends its text: the talks of extending a text whose
      only extension was terminated are open again.
    """
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0055_search_partner_former_names")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
