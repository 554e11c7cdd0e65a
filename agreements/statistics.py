"""Fresh planner statistics after a bulk write to the register.

PostgreSQL chooses each query's plan from the statistics ANALYZE keeps of every table. After a
write of many rows (an import, a generated register) they describe a register that is no more,
until autovacuum comes round to it, and plans chosen on them can be far off: an export of one
region ran for a minute on stale statistics and for seconds on fresh ones. Whatever writes many
rows at once analyses the register's tables as it finishes.
"""

from django.db import connections

# An import that writes fewer agreements than this leaves the statistics to autovacuum: they
# hardly move, and analysing costs a second at national scale.
BULK_ROWS = 100

REGISTER_TABLES = [
    "agreements_agreement",
    "agreements_agreement_regions",
    "agreements_agreement_partners",
    "agreements_agreement_sectors",
    "agreements_milestone",
    "agreements_document",
    "partners_partner",
]


def refresh_planner_statistics(using="default"):
    """ANALYZE the register's tables (PostgreSQL; other databases plan without statistics)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(REGISTER_TABLES))
