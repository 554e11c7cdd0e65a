"""Indexes of an agreement's links to its regions, partners and sectors, by the region, partner
or sector first, with the agreement beside it.

The links are indexed by agreement and by region (partner, sector) already, each index made
for its foreign key; reading a region's agreements from the second visits the table for each
link. These hold both columns: a region's (a province's) agreements, a partner's and a
sector's are read from the index alone, and so is whether a region has any agreement of a
selection (``AgreementQuerySet.linked``, probed per region for the filters of a sector's page).
Written as SQL, as migration 0007, since the tables are the ones Django makes for the
many-to-many fields; they change nothing of what the models mean.
"""

from django.db import migrations

INDEXES = {
    "agreement_regions_by_region": "agreements_agreement_regions (region_id, agreement_id)",
    "agreement_partners_by_partner": "agreements_agreement_partners (partner_id, agreement_id)",
    "agreement_sectors_by_sector": "agreements_agreement_sectors (sector_id, agreement_id)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {definition};")


def backward(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0041_store_whom_a_scheduled_step_waits_on")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
