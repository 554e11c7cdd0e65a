"""A link that names the site's language (``?lang=en``, ``common.languages``): the link in an
English mail opens the page in English in a browser that never chose a language, and the
reader goes on in English; the address they land on is the page's own."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from common.languages import opened_in
from reminders.digest import preferences_url
from reminders.models import ReminderPreference
from tests.factories import AgreementFactory
from tests.helpers import html_lang

LIST = reverse("agreement-list")


def test_a_link_in_the_default_language_is_left_as_it_is():
    assert opened_in("https://x.invalid/agreements/5/", "id") == "https://x.invalid/agreements/5/"
    assert opened_in("https://x.invalid/agreements/5/", "en") == (
        "https://x.invalid/agreements/5/?lang=en"
    )
    # Beside a query string, and before the fragment the browser keeps.
    assert opened_in("https://x.invalid/agreements/?region=64#list", "en") == (
        "https://x.invalid/agreements/?region=64&lang=en#list"
    )


def test_the_named_language_is_kept_and_the_page_is_served_at_its_own_address(kaltim):
    AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim)
    client = Client()

    response = client.get(LIST, {"region": "64", "lang": "en", "status": "in_force"})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?region=64&status=in_force"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["httponly"]  # as set_language sets it
    assert "no-store" in response["Cache-Control"]  # no proxy keeps it for someone else
    page = client.get(response["Location"])
    assert html_lang(page) == "en"
    assert "<h1>Agreements</h1>" in page.content.decode()
    # The switcher on that page sends back to an address that no longer names English.
    switched = client.post(
        reverse("set_language"), {"language": "id", "next": response["Location"]}, follow=True
    )
    assert html_lang(switched) == "id"


def test_a_language_the_site_does_not_speak_is_refused_saying_which_it_does(db):
    """A link naming a language the site does not speak (a mistyped ``?lang=fr``) is a 400
    that says so, in the language the reader reads, with the page in each language the site
    speaks and without one: not a redirect that drops it without a word."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(LIST, {"region": "64", "lang": "fr"})

    assert response.status_code == 400
    page = response.content.decode()
    assert html_lang(response) == "en"
    assert "lang=fr" in page
    assert f'href="{LIST}?region=64&amp;lang=id"' in page
    assert f'href="{LIST}?region=64&amp;lang=en"' in page
    assert f'href="{LIST}?region=64"' in page
    assert "no-cache" in response["Cache-Control"]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert html_lang(client.get(LIST)) == "en"


def test_a_language_named_by_markup_or_at_length_is_refused_as_written_never_run(db):
    response = Client().get(LIST, {"lang": "<script>x</script>" + "a" * 5000})

    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>x" not in page
    assert "&lt;script&gt;x" in page
    assert len(page) < 10000


def test_a_form_posted_to_an_address_naming_a_language_is_answered_as_posted(
    django_user_model,
):
    """A mail program's one-click unsubscribe posts to the link the mail gave it."""
    editor = django_user_model.objects.create_user(username="kaltim", email="k@example.invalid")
    link = preferences_url(editor).split("://", 1)[1]
    path = link[link.index("/") :]

    response = Client(enforce_csrf_checks=True).post(
        f"{path}?lang=en", {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert not ReminderPreference.objects.for_user(editor).active


def test_an_address_that_would_read_as_another_host_stays_on_the_site(db):
    response = Client().get("//evil.invalid/", {"lang": "en"})

    assert response.status_code == 302
    assert not response["Location"].startswith("//")
