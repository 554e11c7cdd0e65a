"""The demo register read in a real Chromium by an official, as a person reads it: the visible
text of a status page's key dates beside its stage path."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from agreements.models import Agreement
from tests.factories import make_official
from tests.test_e2e import log_in_browser_as
from tests.test_seed_stories import SAMARINDA_ANHUI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_register():
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)


def test_an_official_reads_the_sister_citys_proposal_beside_its_path(
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
