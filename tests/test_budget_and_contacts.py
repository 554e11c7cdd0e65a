"""The budget of a cooperation and the contact persons of its parties: recorded in the admin,
read by officials and staff on the status page, and never shown to the public: not on the page,
not in an export, not in a feed."""

import decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Contact
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

EMAIL = "lina.kerjasama@kaltimprov.go.id"


@pytest.fixture
def funded(kaltim):
    agreement = AgreementFactory(
        title="Kerja sama beasiswa Kalimantan Timur",
        lead_region=kaltim,
        regions=[kaltim],
        budget_amount=decimal.Decimal("1250000000.00"),
        budget_currency="IDR",
        budget_source="apbd",
    )
    Contact.objects.create(
        agreement=agreement,
        party="Biro Pemerintahan Setda Kaltim",
        name="Lina Marlina",
        office="Analis Kerja Sama",
        email=EMAIL,
        phone="+62 541 733333",
    )
    return agreement


def page_text(client, agreement):
    response = client.get(agreement.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_official_reads_the_budget_and_the_contact_persons(funded, official):
    client = Client()
    client.force_login(official)
    html = page_text(client, funded)
    assert "Anggaran dan narahubung" in html
    assert "1.250.000.000,00" in html or "1,250,000,000.00" in html
    assert "APBD" in html
    assert "Lina Marlina, Analis Kerja Sama (Biro Pemerintahan Setda Kaltim)" in html
    assert f'href="mailto:{EMAIL}"' in html


def test_the_public_never_sees_the_budget_or_the_contact_persons_on_the_page(funded):
    html = page_text(Client(), funded)
    assert "Anggaran dan narahubung" not in html
    assert "1.250.000.000" not in html and "1250000000" not in html
    assert "Lina Marlina" not in html and EMAIL not in html


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_no_export_holds_the_budget_or_the_contact_persons(funded, file_format, analyst):
    anonymous, analyst_client = Client(), Client()
    analyst_client.force_login(analyst)
    for client in (anonymous, analyst_client):
        response = client.get(reverse("agreement-export", args=[file_format]))
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "Kerja sama beasiswa Kalimantan Timur" in text
        assert "1250000000" not in text
        assert "Lina Marlina" not in text and EMAIL not in text


def test_no_feed_holds_the_budget_or_the_contact_persons(funded):
    response = Client().get("/feeds/agreements.atom")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kerja sama beasiswa Kalimantan Timur" in text
    assert "1250000000" not in text and "1.250.000.000" not in text
    assert "Lina Marlina" not in text and EMAIL not in text


def test_staff_record_the_budget_and_contacts_in_the_change_form(staff_client, funded):
    html = staff_client.get(
        reverse("admin:agreements_agreement_change", args=[funded.pk])
    ).content.decode()
    for name in ("budget_amount", "budget_currency", "budget_source"):
        assert f'name="{name}"' in html
    assert f'value="{EMAIL}"' in html
    assert "PP 28/2018: kerja sama daerah didanai dari APBD" in html


def test_a_negative_budget_or_an_unknown_currency_is_refused_by_the_database(funded):
    for values in ({"budget_amount": decimal.Decimal("-1")}, {"budget_currency": "idr"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.filter(pk=funded.pk).update(**values)
