"""A contact person's phone is a phone number (``validators.validate_phone``): checked by the
admin's form and the import; nothing changes in the database."""

import agreements.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0060_amendments_by_the_day_they_end'),
    ]

    operations = [
        migrations.AlterField(
            model_name='contact',
            name='phone',
            field=models.CharField(blank=True, max_length=40, validators=[agreements.validators.validate_phone], verbose_name='telepon'),
        ),
        migrations.AlterField(
            model_name='historicalcontact',
            name='phone',
            field=models.CharField(blank=True, max_length=40, validators=[agreements.validators.validate_phone], verbose_name='telepon'),
        ),
    ]
