"""The amendments by the day each ends.

An amendment ending with the text it amends is part of that text, not a cooperation beside it:
what ends soon, is in force or is dormant lists and counts the cooperation once, under its text
(``AgreementQuerySet.each_cooperation_once``). The dashboard's count of what ends within 180
days, read from the counts the database keeps by day of expiry (migration 0039), takes away
those amendments within the window; the list's "Berakhir paling lambat" leaves them out. Both
read them here, the few amendments by the day each ends, not every row of the window.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0059_dormant_from_the_last_day_a_date_covers"),
        ("partners", "0004_partner_former_names"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("relation", "amends")),
                fields=["ends_by"],
                name="agreement_amendment_end",
            ),
        ),
    ]
