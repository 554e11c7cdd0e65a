"""Every public page, and the admin's agreement change form, is valid HTML to the Nu HTML
checker (vnu-jar from the npm registry, installed by ``make install``; it needs Java).

The pages are those of the demo register, read as an anonymous visitor would (the reminder
preferences page as an editor opens it from their mail, without logging in: as offered, saved
and refused), the follows pages as a logged-in reader meets them, and the change form as bureau
staff see it. The checker runs once over all of
them. A new public page is one more entry in ``pages``.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from partners.models import Partner
from reminders.digest import preferences_url
from reminders.follow import unfollow_token
from reminders.models import Subscription

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.django_db


def checker():
    """The command that runs the Nu checker; CI fails without it, a laptop skips."""
    missing = []
    if not VNU.exists():
        missing.append("node_modules/vnu-jar (make install runs npm ci)")
    if not shutil.which("java"):
        missing.append("java (apt-get install default-jre-headless)")
    if missing:
        message = "the Nu HTML checker needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json"]


def nu_errors(pages, folder):
    """{page name: [error messages]} for each page of ``pages`` ({name: html}) with errors."""
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
    result = subprocess.run(
        [*checker(), *(str(folder / f"{name}.html") for name in pages)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = {}
    for message in json.loads(result.stderr or result.stdout)["messages"]:
        name = Path(message.get("url", "?")).stem
        where = f"line {message.get('lastLine')}: " if message.get("lastLine") else ""
        errors.setdefault(name, []).append(where + message["message"])
    return errors


def get(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404), url
    return response.content.decode()


def post(client, url, data, status):
    response = client.post(url, data)
    assert response.status_code == status, url
    return response.content.decode()


def follow_pages(client):
    followed = client.post("/ikuti/", {"query": "kind=mou", "frequency": "daily"})
    assert followed.status_code == 302
    subscription = Subscription.objects.get()
    # One the list refuses now, said so at its row.
    Subscription.objects.create(
        user=subscription.user,
        query="year=1899",
        name="Tahun 1899",
        covered_until=subscription.covered_until,
    )
    change = reverse("follow-settings", args=[subscription.pk])
    return {
        "follows": get(client, reverse("follows")),
        "follows-refused": post(client, change, {"frequency": "hourly", "language": "en"}, 400),
        "follow-refused": post(client, "/ikuti/", {"query": "kind=mou", "frequency": "x"}, 400),
        "unfollow": get(client, reverse("unfollow", args=[unfollow_token(subscription)])),
    }


def test_every_public_page_and_the_change_form_are_valid_html(staff_client, staff_user, tmp_path):
    client = Client()  # an anonymous visitor (``staff_client`` is logged in)
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    agreement = Agreement.objects.public().filter(milestones__isnull=False).first()
    partner = Partner.objects.filter(agreements__visibility="public").first()
    sector = Agreement.objects.public().covered_sectors().first()
    preferences = "/" + preferences_url(staff_user).split("://", 1)[1].split("/", 1)[1]
    pages = {
        "dashboard": get(client, reverse("dashboard")),
        "list": get(client, reverse("agreement-list")),
        "list-filtered": get(client, reverse("agreement-list") + "?region=64&kind=mou&q=kerja"),
        "list-page-2": get(client, reverse("agreement-list") + "?page=2&sort=-expires"),
        "status-page": get(client, agreement.get_absolute_url()),
        "region": get(client, reverse("region-detail", args=["64"]) + "?potential_sector=tourism"),
        "partner": get(client, partner.get_absolute_url()),
        "country": get(client, reverse("country-detail", args=[partner.country_id])),
        "sector": get(client, sector.get_absolute_url()),
        "data-dictionary": get(client, reverse("data-dictionary")),
        "login": get(client, reverse("login")),
        "changes": get(client, reverse("change-log")),
        "report": get(client, reverse("report") + "?region=64&period=2024"),
        "reminder-preferences": get(client, preferences),
        "reminder-preferences-saved": post(client, preferences, {"language": "en"}, 200),
        "reminder-preferences-refused": post(client, preferences, {"language": "fr"}, 400),
        "not-found": get(client, "/agreements/999999999/"),
        # Following a selection, logged in: the follows page as offered, as a change of one
        # is refused at its row, and as following is refused; and the page stopping a follow.
        **follow_pages(staff_client),
        "admin-change-form": get(
            staff_client, reverse("admin:agreements_agreement_change", args=[agreement.pk])
        ),
    }
    assert nu_errors(pages, tmp_path) == {}
