"""Query plans kept on the database connection, so a page asked again is not planned again.

PostgreSQL plans every statement it is sent, and the site's larger reads (the dashboard's late and
coming steps, what lies dormant, a region's page) took longer to plan than to run: at 10,000
agreements the dashboard's queries planned for 56 ms and ran for 16. A statement prepared on the
connection (``PREPARE``) is planned once and then only executed (``EXECUTE``), for as long as the
connection lasts.

Each statement is prepared with its values written into it, exactly the text the driver would
have sent, so it has no parameters and its plan is the one PostgreSQL would have made for it
anyway. Nothing but the plan is kept: every execution reads the tables as they stand, and
PostgreSQL plans again by itself when a table it reads is altered or its statistics are
renewed (``ANALYZE``).

Only reads long enough to be worth it are prepared (``SHORTEST``), and each connection keeps the
``KEEP_QUERY_PLANS`` used last (a setting), releasing the oldest (``DEALLOCATE``) in the same round
trip as the next. Each holds 0.3 to 1.1 MB in the server's process for that connection (its
parsed statement and its plan; measured at 100,000 agreements), so the number is a trade of the
database server's memory against planning time.
Named cursors (the exports' server-side cursors) are left as they are.

It needs each statement and its ``EXECUTE`` to reach the same server session: behind a pool
that hands out server connections per transaction (pgbouncer in transaction mode) it must be
off, ``KEEP_QUERY_PLANS=0`` (``docs/deploying.md``).
"""

import hashlib
import weakref
from collections import OrderedDict

import psycopg2
from django.conf import settings
from psycopg2.errors import FeatureNotSupported
from psycopg2.extensions import TRANSACTION_STATUS_IDLE
from psycopg2.extensions import cursor as DriverCursor

# Statements shorter than this plan in a fraction of a millisecond: not worth a name.
SHORTEST = 1500

# Per driver connection: the statements prepared on it, by their text's digest, oldest first,
# and how many it has prepared (each gets a name never used before on that connection).
_prepared = weakref.WeakKeyDictionary()


class _Kept(OrderedDict):
    made = 0


class PlanKeepingCursor(DriverCursor):
    """psycopg2's cursor, preparing long reads on its connection and executing them by name.

    ``query`` still gives the statement as written (Django's query log and the tests read it),
    not the ``EXECUTE`` that ran it.
    """

    _written = None

    @property
    def query(self):
        return self._written if self._written is not None else super().query

    def execute(self, query, vars=None):
        if self.name is not None:  # a server-side cursor: DECLARE … CURSOR FOR the statement
            self._written = None
            return super().execute(query, vars)
        statement = self._written = self.mogrify(query, vars)
        if len(statement) < SHORTEST or statement.lstrip()[:4].upper() not in (b"SELE", b"WITH"):
            return super().execute(statement)
        kept = _prepared.get(self.connection)
        if kept is None:
            kept = _prepared[self.connection] = _Kept()
        digest = hashlib.blake2b(statement, digest_size=16).digest()
        name = kept.get(digest)
        if name is not None:
            kept.move_to_end(digest)
            sent = b"EXECUTE " + name
        else:
            kept.made += 1
            name = b"kept_%d" % kept.made
            sent = b"PREPARE " + name + b" AS " + statement + b"; EXECUTE " + name
            while len(kept) >= settings.KEEP_QUERY_PLANS:
                sent = b"DEALLOCATE " + kept.popitem(last=False)[1] + b"; " + sent
        try:
            result = super().execute(sent)
        except psycopg2.Error as error:
            # Whether it is prepared now is not known (the error may have come after the
            # PREPARE): it is prepared afresh next time, under a new name.
            kept.pop(digest, None)
            if (
                sent.startswith(b"EXECUTE ")
                and isinstance(error, FeatureNotSupported)
                and self.connection.get_transaction_status() == TRANSACTION_STATUS_IDLE
            ):
                # A table a kept plan reads was altered since it was planned ("cached plan must
                # not change result type", a migration run while the site serves): outside a
                # transaction, nothing was done and it is prepared again, once.
                return self.execute(query, vars)
            raise
        kept[digest] = name
        return result
