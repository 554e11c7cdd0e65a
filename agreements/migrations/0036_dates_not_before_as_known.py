"""Dates against each other as they are known: a date known to its month or year stands for
that whole period (``agreements.dates.not_before``). Signed on 10 March 2024, an agreement may
end "2024"; the constraints compared the year's stored first day and refused it."""

import agreements.dates
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0035_agreement_kind_index'),
        ('partners', '0002_partner_duplicate_message'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='agreement',
            name='agreement_not_expiring_before_signed',
        ),
        migrations.RemoveConstraint(
            model_name='agreement',
            name='agreement_not_in_force_before_signed',
        ),
        migrations.RemoveConstraint(
            model_name='agreement',
            name='agreement_not_signed_before_proposed',
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('expires_on__isnull', True), ('signed_on__isnull', True), django.db.models.lookups.GreaterThanOrEqual(agreements.dates.PeriodEnd('expires_on'), models.F('signed_on')), _connector='OR'), name='agreement_not_expiring_before_signed'),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('in_force_from__isnull', True), ('signed_on__isnull', True), django.db.models.lookups.GreaterThanOrEqual(agreements.dates.PeriodEnd('in_force_from'), models.F('signed_on')), _connector='OR'), name='agreement_not_in_force_before_signed'),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('signed_on__isnull', True), ('proposed_on__isnull', True), django.db.models.lookups.GreaterThanOrEqual(agreements.dates.PeriodEnd('signed_on'), models.F('proposed_on')), _connector='OR'), name='agreement_not_signed_before_proposed'),
        ),
    ]
