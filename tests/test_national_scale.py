"""What keeps pages fast at national scale must not change what they show: counts without
DISTINCT, the filter lists' markup written by hand, cached filter choices and counts."""

import pytest

from agreements.filters import PlainSelect
from agreements.models import Agreement
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def test_a_filter_that_joins_party_regions_still_counts_each_agreement_once(kaltim, samarinda):
    AgreementFactory(lead_region=kaltim, regions=[samarinda], signed_on="2024-01-15")
    # Joined to both its party regions: two rows for one agreement.
    joined = Agreement.objects.filter(regions__in=[kaltim, samarinda])
    assert joined.count() == 2

    assert joined.counts_by_kind() == {"mou": 1}
    assert joined.counts_by_status()[Agreement.Status.IN_FORCE] == 1
    assert joined.counts_by_signing_year() == {2024: 1}


def test_the_dashboard_counts_read_each_agreement_once_without_a_join(kaltim, bali):
    AgreementFactory(lead_region=kaltim)
    AgreementFactory(lead_region=bali, kind=Agreement.Kind.PKS)

    agreements = Agreement.objects.public()
    assert agreements.counts_by_kind() == {"mou": 1, "pks": 1}
    assert sum(agreements.counts_by_status().values()) == 2


def test_a_plain_select_marks_only_the_chosen_option_and_escapes_every_label():
    select = PlainSelect(
        choices=[
            ("", "Semua daerah"),
            (
                "Kalimantan Timur",
                [("64", "Seluruh Kalimantan Timur"), ("64.72", "Kota <Samarinda>")],
            ),
            ("51", 'Bali "Dewata"'),
        ]
    )

    html = select.render("region", "64.72", attrs={"id": "id_region"})

    assert html == (
        '<select name="region" id="id_region"><option value="">Semua daerah</option>'
        '<optgroup label="Kalimantan Timur"><option value="64">Seluruh Kalimantan Timur</option>'
        '<option value="64.72" selected>Kota &lt;Samarinda&gt;</option></optgroup>'
        '<option value="51">Bali &quot;Dewata&quot;</option></select>'
    )
