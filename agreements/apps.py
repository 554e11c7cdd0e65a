from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = pgettext_lazy("aplikasi", "Kerja sama")
