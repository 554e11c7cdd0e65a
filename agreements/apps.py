from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = pgettext_lazy("aplikasi", "Kerja sama")

    def ready(self):
        from agreements.sqlite_triggers import restore_triggers

        post_migrate.connect(restore_triggers, sender=self)
