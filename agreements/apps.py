from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate
from django.utils.translation import pgettext_lazy


def no_statement_limit(using, **kwargs):
    """Migrating is maintenance, not a request: the statement limit every connection starts with
    (``STATEMENT_TIMEOUT``, 15 s) is lifted while it runs, as the deploying guide asks of any
    long command. A migration that rebuilds the kept counts or fills a new column reads every
    agreement, and at national scale stopped half way at that limit."""
    _set_statement_limit(using, "SET statement_timeout = 0")


def statement_limit_again(using, **kwargs):
    """The connection's own limit back once migrating is done (the tests, and any command that
    migrates first, go on with it)."""
    _set_statement_limit(using, "RESET statement_timeout")


def _set_statement_limit(using, sql):
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql)


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = pgettext_lazy("aplikasi", "Kerja sama")

    def ready(self):
        from agreements.models import Document, let_go_of_files
        from agreements.search import register_unaccent
        from agreements.sqlite_triggers import restore_triggers

        post_delete.connect(let_go_of_files, sender=Document)
        post_save.connect(let_go_of_files, sender=Document)
        pre_migrate.connect(no_statement_limit, sender=self)
        post_migrate.connect(restore_triggers, sender=self)
        post_migrate.connect(statement_limit_again, sender=self)
        # SQLite's ``coopdb_unaccent``, which the search folds accents with.
        connection_created.connect(register_unaccent)
