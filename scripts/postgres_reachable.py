"""Exit 0 when the PostgreSQL server of the URL given answers, 1 (saying why) when it does not.

``make test`` runs the PostgreSQL export's byte-equality test only where this succeeds.
"""

import sys

import dj_database_url
import psycopg2

settings = dj_database_url.parse(sys.argv[1])
try:
    psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        connect_timeout=3,
    ).close()
except psycopg2.OperationalError as error:
    print(f"PostgreSQL: {str(error).strip()}", file=sys.stderr)
    sys.exit(1)
