"""An index of the agreements by kind, for a search word that names a kind.

A word of a kind's name ("sister city", "kota kembar", "MoU") finds the agreements of that kind
(``agreements.search.kinds_named``). Where those are few, their ids are read as one more source
of the word's ``UNION ALL``; without this index that read every agreement of the register.

A plain B-tree on one short column: built in well under a second at 100,000 agreements, during
which writes to the agreements wait (as for the indexes of migration 0007).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0034_status_never_behind_the_path"),
        ("partners", "0002_partner_duplicate_message"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["kind"], name="agreement_kind"),
        ),
    ]
