"""Fresh planner statistics after a bulk write to the register.

PostgreSQL chooses each query's plan from the statistics ANALYZE keeps of every table. After a
write of many rows (an import, a generated register) they describe a register that is no more,
until autovacuum comes round to it, and plans chosen on them can be far off: an export of one
region ran for a minute on stale statistics and for seconds on fresh ones. Whatever writes many
rows at once analyses the register's tables as it finishes.
"""

from django.db import connections

from agreements.models import Agreement, Document, Milestone
from partners.models import Partner

# An import that writes fewer agreements than this leaves the statistics to autovacuum: they
# hardly move, and analysing costs a second at national scale.
BULK_ROWS = 100


# What the database keeps beside them, moved on by its triggers (PostgreSQL only): the counts
# (migration 0016), the cooperations that may turn dormant (0027), each province's planned
# steps (0045) and each agreement's pairs (0046).
KEPT_TABLES = [
    "agreements_tally",
    "agreements_tally_dormant",
    "agreements_tally_province_step",
    "agreements_tally_pairs",
]


def register_tables():
    """The tables a bulk write fills: agreements, their parties, milestones and documents, and
    partners (an import makes new ones)."""
    many = [Agreement.regions, Agreement.partners, Agreement.sectors]
    models = [Agreement, *(field.through for field in many), Milestone, Document, Partner]
    return [model._meta.db_table for model in models]


def refresh_planner_statistics(using="default"):
    """ANALYZE the register's tables (PostgreSQL; other databases plan without statistics)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        tables = [*register_tables(), *KEPT_TABLES]
        cursor.execute("ANALYZE " + ", ".join(quote(table) for table in tables))
