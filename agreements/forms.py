from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement

PARTY_FIELDS = ("scope", "lead_region", "regions", "partners")


def formfield(db_field, **kwargs):
    # A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class AgreementAdminForm(forms.ModelForm):
    """The agreement as bureau staff edit it.

    The database cannot check the parties against the scope (they are many-to-many), so this form
    does, through ``Agreement.party_errors``; date order and status are checked by
    ``Agreement.clean()``.
    """

    class Meta:
        model = Agreement
        formfield_callback = formfield
        fields = [
            "title",
            "reference",
            "kind",
            "status",
            "summary",
            "sectors",
            "scope",
            "lead_region",
            "regions",
            "partners",
            "proposed_on",
            "signed_on",
            "in_force_from",
            "expires_on",
            "follows",
            "relation",
            "visibility",
            "source_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "regions" in self.fields:
            # The lead region is added in clean(), so a one-region record needs no second pick.
            self.fields["regions"].required = False
            self.fields["regions"].help_text = _(
                "Semua daerah Indonesia yang menjadi pihak. Daerah pengampu ditambahkan "
                "otomatis bila belum dipilih."
            )

    def clean(self):
        cleaned_data = super().clean()
        lead_region = cleaned_data.get("lead_region")
        regions = list(cleaned_data.get("regions") or [])
        partners = list(cleaned_data.get("partners") or [])
        if lead_region is not None and lead_region not in regions:
            regions.append(lead_region)
            cleaned_data["regions"] = regions
        if any(name in self.errors for name in PARTY_FIELDS):
            # Judging the scope from a half-read list of parties would only add noise.
            return cleaned_data
        errors = Agreement.party_errors(cleaned_data.get("scope"), lead_region, regions, partners)
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned_data
