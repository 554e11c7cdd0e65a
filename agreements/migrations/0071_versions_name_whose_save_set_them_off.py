"""Whose save set off a version the register wrote by its own rule.

A status the register raises after a clerk's save (``store_progress``) is kept as a version of
no one's (``history_user`` empty), and the change log told it "oleh sistem (impor atau
perintah)", as though no one had touched the record. The version now names, apart, whose save
set it off (``SetOffBy``), and the change log says it followed that save; one written by a
command names no one. Versions written before stay as they were.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0070_amendments_alive_inside_their_internal_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalagreement',
            name='history_set_off_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='mengikuti perubahan oleh'),
        ),
    ]
