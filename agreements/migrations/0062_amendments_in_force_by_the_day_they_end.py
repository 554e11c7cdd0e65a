"""The amendments by what they show and the day each ends.

An amendment dormant with the text it amends is part of that text, not a cooperation beside it:
what lies dormant lists and counts the cooperation once, under its text
(``AgreementQuerySet.dormant_cooperations``). The dashboard's count of the dormant, read from
the counts the database keeps (migrations 0027, 0039, 0049 and 0059), and a region's, read from
its rows kept (migration 0053), take away those amendments in the same statement
(``dormant_with_their_text``). They read them here, the few amendments in force of the register
or of what the public sees, by the day each ends: by the index of migration 0060 alone the
planner joined to it the index of every cooperation in force (33,000 entries at 100,000
agreements) to read fewer rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("agreements", "0061_contact_phone_is_a_phone_number")]

    operations = [
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("relation", "amends")),
                fields=["visibility", "status", "ends_by"],
                name="agreement_amendment_in_force",
            ),
        ),
    ]
