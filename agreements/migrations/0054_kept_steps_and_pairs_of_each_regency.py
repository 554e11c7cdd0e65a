"""The planned steps and the partners of each regency's and city's agreements, kept as each
province's are (migrations 0045 and 0046).

A regency's or a city's page lists its late steps and those coming due, with how many there are
of each, and offers in its filters the partners and countries of its agreements. Both were read
from the agreements it is party to, row by row: at 100,000 agreements the largest regency is
party to 56,000 of them, and its page took 440-800 ms, its late steps alone 170-470 ms.

- ``agreements_tally_province_step`` keeps a row per step still to do for each party region
  too, not only for each province of one (its ``province_id`` is then the regency's or the
  city's id), and so ``province_overdue|<id>`` counts the region's late steps by month, as a
  province's (``AgreementQuerySet.kept_late_and_coming``).
- ``agreements_tally_pairs`` pairs each regency and city party to an agreement with its
  partners and their countries, ``region.partner|<id>`` and ``region.country|<id>``, as a
  province's are (``TALLIED_PAIRS``).

A province party to an agreement is one row, as before. The triggers are those of migrations
0045 and 0046, their functions written again with the new rows; the rebuild
(``agreements_tally_rebuild``) likewise, which then counts everything again.
"""

import importlib

from django.db import migrations

KEPT_STEPS = importlib.import_module("agreements.migrations.0045_kept_steps_of_each_province")
PAIRS = importlib.import_module("agreements.migrations.0046_register_tally_pairs")
LATE = importlib.import_module("agreements.migrations.0051_register_tally_late")

# The steps' rows: one for each province of a party region, and now for the region itself.
STEP_REGIONS = (
    "SELECT DISTINCT l.agreement_id, coalesce(g.province_id, g.id) AS province\n"
    "        FROM agreements_agreement_regions l JOIN partners_region g ON g.id = l.region_id"
)
STEP_REGIONS_TOO = (
    "SELECT DISTINCT l.agreement_id, r.id AS province\n"
    "        FROM agreements_agreement_regions l JOIN partners_region g ON g.id = l.region_id\n"
    "        CROSS JOIN LATERAL (VALUES (coalesce(g.province_id, g.id)), (g.id)) r(id)"
)

# The pairs: each regency or city party to an agreement, a subject as its province is.
PARTNER_PARTIES = (
    "        UNION ALL\n"
    "        SELECT l.agreement_id, 'partner', l.partner_id::text, 'country', p.country_id"
)
SUBJECT_PAIRS = "('province', 'partner'), ('province', 'country'),"
SUBJECT_PAIRS_TOO = (
    "('province', 'partner'), ('province', 'country'),\n"
    "          ('region', 'partner'), ('region', 'country'),"
)


def regency_subjects(where):
    return f"""        UNION ALL
        SELECT l.agreement_id, NULL, NULL, 'region', g.id::text
        FROM agreements_agreement_regions l JOIN partners_region g ON g.id = l.region_id
        WHERE {where} AND g.province_id IS NOT NULL
"""


def with_regencies(statement, where):
    """``statement`` (a function of migrations 0045, 0046 or 0051) with the regencies' rows."""
    replaced = statement
    for old, new in (
        (STEP_REGIONS, STEP_REGIONS_TOO),
        (PARTNER_PARTIES, regency_subjects(where) + PARTNER_PARTIES),
        (SUBJECT_PAIRS, SUBJECT_PAIRS_TOO),
    ):
        if old in statement:
            assert replaced.count(old) == 1, old
            replaced = replaced.replace(old, new)
    assert replaced != statement
    return replaced.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def or_replace(statement):
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


STEPS_REFRESH = with_regencies(KEPT_STEPS.REFRESH, None)
PAIRS_REFRESH = with_regencies(PAIRS.REFRESH, "l.agreement_id = aid")
REBUILD = with_regencies(LATE.REBUILD, "true")

FORWARD = [
    STEPS_REFRESH,
    PAIRS_REFRESH,
    REBUILD,
    "SELECT agreements_tally_rebuild()",
    # Their first plans read statistics of the rows just written.
    "ANALYZE agreements_tally_province_step, agreements_tally_pairs, agreements_tally",
]

BACKWARD = [
    or_replace(KEPT_STEPS.REFRESH),
    or_replace(PAIRS.REFRESH),
    LATE.REBUILD,
    "SELECT agreements_tally_rebuild()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0053_kept_quiet_cooperations_of_each_region")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
