"""The demo register read in a real Chromium by an official, as a person reads it: the visible
text of a status page's key dates beside its stage path, and a region page naming its dormant
cooperations and leading to them all on its list."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, translation

from agreements.attention import longest_quiet_first
from agreements.models import Agreement
from tests.factories import make_official
from tests.test_e2e import log_in_browser_as
from tests.test_seed_stories import SAMARINDA_ANHUI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_register():
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)


def test_an_official_reads_the_sister_citys_proposal_and_a_regions_dormant_cooperations(
    page, live_server, demo_register, django_user_model
):
    log_in_browser_as(page, make_official(django_user_model), live_server)

    # Samarinda's sister city: put forward during the delegation's visit of 23 April 2024.
    samarinda = Agreement.objects.get(title=SAMARINDA_ANHUI)
    page.goto(live_server.url + reverse("agreement-detail", args=[samarinda.pk]))
    dates = page.locator("section[aria-labelledby=dates-heading]").inner_text()
    path = page.locator("ol.stage-path").inner_text()
    assert re.search(r"Prakarsa\s+dilalui 23 April 2024", path), path
    assert re.search(r"Diusulkan\s+23 April 2024", dates), dates

    # A province with a dormant cooperation: its page names it among what needs attention.
    dormant = Agreement.objects.dormant().select_related("lead_region__province").first()
    assert dormant is not None
    province = dormant.lead_region.province or dormant.lead_region
    page.goto(live_server.url + province.get_absolute_url())
    attention = page.locator("section.needs-attention").inner_text()
    assert "Mati suri" in attention
    quiet = attention.split("Mati suri", 1)[1]
    listed = longest_quiet_first(Agreement.objects.dormant().in_region(province))
    first = listed.first()
    assert f"{first.shown_title} ({first.lead_region.name})" in quiet, quiet
    shown = listed.count()
    page.get_by_role("link", name="Lihat kerja sama yang mati suri di daftar").click()
    page.wait_for_url(re.compile(r".*[?&]dormant=yes"))
    count = page.locator(".result-count").inner_text()
    with translation.override("id"):
        assert f"{formats.number_format(shown)} kerja sama ditemukan" in count, count
