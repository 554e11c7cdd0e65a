from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Hak akses")

    def ready(self):
        # The time zone is put in the session at login (``remember_time_zone``).
        from access import middleware  # noqa: F401
