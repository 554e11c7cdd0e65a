"""The SQLite triggers that stand in for what PostgreSQL does with CHECKs and statement triggers.

SQLite cannot alter a table in place: Django's schema editor rebuilds it (create a copy, copy
the rows, drop the old one), and the triggers on the old table go with it. Any later migration
that adds a field or a constraint to a watched table would silently take away the done-date
rule (migration 0002) or the register version's bumps (migrations 0006, 0017, 0020). So after every
``migrate`` on SQLite the triggers the migrations define are made again where missing, from the
migrations' own statements: one definition, however many rebuilds follow.

A migration that makes SQLite triggers keeps its statements in a module-level ``SQLITE_FORWARD``
list, as those do; that is all its triggers need to survive later rebuilds.
"""

import importlib
import pkgutil
import re

import agreements.migrations

_CREATE_TRIGGER = re.compile(r"^\s*CREATE TRIGGER (?!IF NOT EXISTS)", re.IGNORECASE)


def trigger_statements():
    """Each ``CREATE TRIGGER`` of those migrations, made idempotent with ``IF NOT EXISTS``."""
    statements = []
    names = sorted(module.name for module in pkgutil.iter_modules(agreements.migrations.__path__))
    for name in names:
        migration = importlib.import_module(f"agreements.migrations.{name}")
        for statement in getattr(migration, "SQLITE_FORWARD", []):
            if _CREATE_TRIGGER.match(statement):
                statements.append(_CREATE_TRIGGER.sub("CREATE TRIGGER IF NOT EXISTS ", statement))
    return statements


def restore_triggers(sender, using, plan=None, **kwargs):
    """``post_migrate``: make again, on SQLite, any trigger a table rebuild dropped."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if not {"agreements_milestone", "coopdb_register_version"} <= tables:
            return  # migrated backwards past the migrations that made them
        for statement in trigger_statements():
            table = re.search(r"\bON (\w+)", statement).group(1)
            if table in tables:
                cursor.execute(statement)
