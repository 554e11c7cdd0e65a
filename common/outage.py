"""What says the database connection failed."""

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections


def connection_errors(using=DEFAULT_DB_ALIAS):
    """The errors a failed database connection raises: Django's, and the driver's own, which
    reach the code unwrapped where Django closes a server-side cursor (``cursor_iter``): a
    download being read when PostgreSQL stops ends there."""
    database = connections[using].Database
    return (OperationalError, InterfaceError, database.OperationalError, database.InterfaceError)
