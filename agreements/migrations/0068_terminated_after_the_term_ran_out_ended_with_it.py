"""A terminated cooperation whose term ran out before its termination was recorded ended with
its term: the day stored as its end (``Agreement.ends_by``, ``ends_by_of``) is the last day its
expiry covers, not the later termination day, which moved it out of the list's "Berakhir paling
lambat" and sorted it years after its term. Stored again here for the few terminated rows whose
stored end is after their expiry; every save stores it so from now on."""

from django.db import migrations


def forward(apps, schema_editor):
    from agreements.dates import PeriodEnd

    Agreement = apps.get_model("agreements", "Agreement")
    Agreement.objects.filter(
        status="terminated", expires_on__isnull=False, ends_by__gt=PeriodEnd("expires_on")
    ).update(ends_by=PeriodEnd("expires_on"))


class Migration(migrations.Migration):
    dependencies = [("agreements", "0067_store_progress_of_pks_straight_after_an_loi")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
