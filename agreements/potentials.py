"""Regional potential as a region's page shows it: each survey that found it, filterable by sector.

A survey (seed 004: the Kaltim Rakor of 8 June 2021) belongs on the page of the region that
hosted it, of every region that took part, and of their provinces; its potentials are listed
under it, and potentials recorded outside any survey after them.
"""

import django_filters
from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from agreements.models import Potential, PotentialSurvey, Sector
from common.one_value import OneValueEach
from common.widgets import PlainSelect
from partners.models import Region


class PotentialFilterForm(OneValueEach, forms.Form):
    """The potentials' filters as a form: a sector given more than once is refused."""


class PotentialFilter(django_filters.FilterSet):
    """The filters of a region page's potentials. Its parameter names do not clash with the
    agreement list's on the same page (``potential_sector``, not ``sector``)."""

    potential_sector = django_filters.ModelChoiceFilter(
        label=_("Bidang potensi"),
        field_name="sector",
        to_field_name="slug",
        queryset=Sector.objects.all(),
        empty_label=_("Semua bidang"),
        widget=PlainSelect,
        error_messages={
            "invalid_choice": _("Tidak ada bidang “%(value)s”; pilih salah satu dari daftar.")
        },
    )

    class Meta:
        model = Potential
        fields = []
        form = PotentialFilterForm


def regional_potential(region, data):
    """The surveys and potentials of ``region`` (a province with its regencies and cities).

    Returns ``(context, errors)``. ``errors`` lists each bad parameter with its message; then no
    potentials are read. Queries: one for the sector list of the filter form (and one to check a
    chosen sector), one for the potentials, one for the surveys with their hosts and one for
    their participants; the same for any number of rows.
    """
    filterset = PotentialFilter(data, queryset=Potential.objects.offered_in(region))
    form = filterset.form
    # The page's other parameters (the agreement list's filters), kept when the sector changes.
    kept = [
        (key, value)
        for key, values in data.lists()
        if key not in ("potential_sector", "page")
        for value in values
    ]
    # Read once here, so that rendering the select queries nothing.
    form.fields["potential_sector"].widget.choices = [("", _("Semua bidang"))] + [
        (sector.slug, sector.name) for sector in Sector.objects.all()
    ]
    if not filterset.is_valid():
        errors = [
            {"label": form.fields[name].label, "message": message, "anchor": form[name].auto_id}
            for name, messages in form.errors.items()
            for message in messages
        ]
        return {
            "potential_form": form,
            "potential_kept": kept,
            "surveys": [],
            "potentials": [],
        }, errors
    potentials = list(
        filterset.qs.select_related("region", "sector").order_by(
            "region__code", "sector__position", "title"
        )
    )
    surveys = list(
        PotentialSurvey.objects.concerning(Region.objects.within(region))
        .select_related("host_region")
        .prefetch_related(Prefetch("participants", queryset=Region.objects.order_by("code")))
        .order_by("-held_on", "title")
    )
    found = {survey.pk: [] for survey in surveys}
    unsurveyed = []
    for potential in potentials:
        found.get(potential.survey_id, unsurveyed).append(potential)
    return {
        "potential_form": form,
        "potential_kept": kept,
        "potential_sector": filterset.form.cleaned_data.get("potential_sector"),
        "surveys": [(survey, found[survey.pk]) for survey in surveys],
        "potentials": unsurveyed,
    }, []
