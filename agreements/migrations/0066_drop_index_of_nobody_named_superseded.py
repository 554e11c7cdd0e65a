"""The list of those whose next step names nobody yet (``?waits_on=none``) no longer reads
``agreement_waiting_on_nobody`` (migration 0063): on PostgreSQL it reads its first page from
``agreement_nobody_newest_signed`` (migration 0064), of the same rows in the list's order, and
its counts from the tallies. Every change of whom a cooperation waits on kept both up to date;
one is enough. SQLite's embedded registers are small enough to read without either.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("agreements", "0065_milestone_admin_steps_to_do_first")]

    operations = [
        migrations.RemoveIndex(model_name="agreement", name="agreement_waiting_on_nobody"),
    ]
