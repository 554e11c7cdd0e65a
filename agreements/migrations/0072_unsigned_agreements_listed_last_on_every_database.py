"""The agreements' own order puts those not yet signed last on every database.

``-signed_on`` left the place of an empty signing date to the database: PostgreSQL lists it
first in a descending order, SQLite last, so the admin's list of agreements began with the
unsigned ones on one and ended with them on the other. The order now says it, as the public
list's "-signed" does and as the index of migration 0004 was made for. Nothing in the tables
changes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0071_versions_name_whose_save_set_them_off'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='agreement',
            options={'ordering': [models.OrderBy(models.F('signed_on'), descending=True, nulls_last=True), '-id'], 'verbose_name': 'kerja sama', 'verbose_name_plural': 'kerja sama'},
        ),
    ]
