"""Every admin page of the register at 1280 and 1024 pixels, in a real Chromium: nothing wider
than the screen, and no accessibility violation of serious or critical impact to axe-core.

axe-core comes from the npm registry (``package.json``, installed by ``make install``) and is
injected into each page; the browser context bypasses the Content-Security-Policy for that
script alone (the admin's own scripts run as they always do).
"""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from partners.models import Partner
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
)
from tests.test_admin import MODELS, anhui, one_of_each  # noqa: F401 (fixtures)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [1280, 1024]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def required(path):
    """``path``, which ``make install`` puts there; CI fails without it, a laptop skips."""
    if not path.exists():
        message = f"{path.relative_to(settings.BASE_DIR)} is missing: run make install (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def admin_page_problems(page, url):
    """What is wrong with the admin page at ``url`` as the browser shows it, as sentences."""
    page.goto(url)
    # The script that names the autocomplete boxes has run (static/js/admin-a11y.js).
    page.wait_for_function("document.documentElement.dataset.boxesNamed === 'true'")
    problems = []
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width[0] > width[1]:
        problems.append(f"{url}: {width[0]} px wide in a {width[1]} px window")
    # Each table of rows (the milestones, the contact persons) shows every column: a table wider
    # than its group hid its last columns (how a step is recorded, its delete box) behind a
    # sideways scroll bar at the foot of a table of twenty steps.
    cut = page.evaluate(
        """[...document.querySelectorAll(".inline-group")]
            .filter(group => group.scrollWidth > group.clientWidth)
            .map(group => `${group.id} ${group.scrollWidth} px in ${group.clientWidth} px`)"""
    )
    problems.extend(f"{url}: the table {table} cuts its last columns" for table in cut)
    # A record's name above its form is read in full: the tools beside it (History, View on
    # site) do not cover its end.
    covered = page.evaluate(
        """() => {
            const title = document.querySelector("#content > h2");
            const tools = document.querySelector(".object-tools");
            if (!title || !tools) return false;
            const text = document.createRange();
            text.selectNodeContents(title);
            const b = tools.getBoundingClientRect();
            return [...text.getClientRects()].some(
                a => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
            );
        }"""
    )
    if covered:
        problems.append(f"{url}: the tools cover the end of the record's name")
    problems.extend(f"{url}: {violation}" for violation in serious_violations(page))
    return problems


def problems_at_every_width(browser, live_server, user, urls, locales=("id-ID",)):
    """``admin_page_problems`` of each of ``urls``, read by ``user`` logged in, at each of
    ``WIDTHS`` and in each of ``locales``."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    problems = []
    for width in WIDTHS:
        for locale in locales:
            context = browser.new_context(
                locale=locale, viewport={"width": width, "height": 800}, bypass_csp=True
            )
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
            page = context.new_page()
            for url in urls:
                problems.extend(admin_page_problems(page, live_server.url + url))
            context.close()
    return problems


def serious_violations(page):
    """axe-core's violations of serious or critical impact on the page the browser shows, each
    as a line naming its rule, how many elements and the first of them."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.impact} ${v.id} ×${v.nodes.length}: ${v.nodes[0].target.join(" ")}`)"""
    )


@pytest.mark.parametrize("model", MODELS)
def test_every_admin_page_fits_the_screen_and_passes_axe(
    browser,
    live_server,
    staff_user,
    one_of_each,  # noqa: F811
    model,
):
    required(AXE)
    app_label, model_name = model.split(".")
    obj = one_of_each[model]
    urls = [
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        reverse(f"admin:{app_label}_{model_name}_add"),
        reverse(f"admin:{app_label}_{model_name}_change", args=[quote(obj.pk)]),
    ]
    assert problems_at_every_width(browser, live_server, staff_user, urls) == []


# A title as long as the bureau writes them, one the admin's pages must wrap, not scroll past.
LONG_TITLE = (
    "Nota Kesepahaman antara Pemerintah Provinsi Kalimantan Timur dan Deutsche Gesellschaft "
    "für Internationale Zusammenarbeit (GIZ) tentang Peningkatan Mutu Pendidikan"
)


def test_a_long_title_is_read_in_full_beside_the_change_forms_tools(
    browser, live_server, staff_user, kaltim
):
    agreement = AgreementFactory(
        lead_region=kaltim,
        title=LONG_TITLE,
    )
    milestone = MilestoneFactory(agreement=agreement, title="Penandatanganan " * 8)
    urls = [
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        reverse("admin:agreements_milestone_change", args=[milestone.pk]),
    ]
    locales = ("id-ID", "en-GB")
    assert problems_at_every_width(browser, live_server, staff_user, urls, locales) == []


def test_date_fields_carry_no_time_zone_note_for_a_reader_whose_clock_differs(
    browser, live_server, staff_user
):
    """A date has no time of day: a browser in WIT reading a register in WIB gets no note."""
    client = Client()
    client.force_login(staff_user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        locale="id-ID", viewport={"width": 1280, "height": 800}, timezone_id="Asia/Jayapura"
    )
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:agreements_agreement_add"))
    page.locator("#id_signed_on").wait_for()
    # The admin did note the difference (two hours) on each date field ...
    assert page.locator(".date .timezonewarning").count() >= 4
    # ... and none of those notes is shown.
    assert page.locator(".timezonewarning:visible").count() == 0
    assert "server" not in page.locator("#content-main").inner_text()
    context.close()


def test_a_form_with_a_contact_person_and_a_signatory_fits_the_screen(
    browser, live_server, staff_user, kaltim
):
    """A saved contact person's row gains its delete box: five text boxes beside it made the
    whole form wider than a 1280-pixel screen, the page scrolling sideways for every field."""
    from agreements.models import Contact, Signatory

    required(AXE)
    agreement = AgreementFactory(lead_region=kaltim)
    Contact.objects.create(
        agreement=agreement,
        party="Biro Pemerintahan Setda Kaltim",
        name="Siti Rahmawati",
        office="Analis Kerja Sama",
        email="siti@kaltimprov.go.id",
        phone="+62 812 5555 1234",
    )
    Signatory.objects.create(
        agreement=agreement, party="Pemerintah Provinsi Kalimantan Timur", name="Gubernur"
    )
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    assert problems_at_every_width(browser, live_server, staff_user, [url]) == []


# The columns each change list shows at each width: the agreements' list shows all nine from
# 1501 pixels, the narrowest of them, and gives up when each was last changed at 1500 and below
# (a laptop of 1366 or 1440 pixels has the room of 1280 for the eight others), then the text's
# number, its kind and lead region at 1024 (its title names these); the steps' list its kind at
# 1024 (its title says it).
LIST_WIDTHS = [1501, *WIDTHS]
LIST_COLUMNS = {
    ("agreement", 1501): [
        "title",
        "reference_shown",
        "kind",
        "shown_status",
        "lead_region",
        "partner_names",
        "signed_on_known",
        "ends_known",
        "updated_at_shown",
    ],
    ("agreement", 1280): [
        "title",
        "reference_shown",
        "kind",
        "shown_status",
        "lead_region",
        "partner_names",
        "signed_on_known",
        "ends_known",
    ],
    ("agreement", 1024): [
        "title",
        "shown_status",
        "partner_names",
        "signed_on_known",
        "ends_known",
    ],
    ("milestone", 1280): [
        "title",
        "agreement",
        "kind",
        "due_on_known",
        "done_on_known",
        "waited_on",
        "overdue",
    ],
    ("milestone", 1024): [
        "title",
        "agreement",
        "due_on_known",
        "done_on_known",
        "waited_on",
        "overdue",
    ],
    ("document", 1280): ["title", "agreement", "kind", "language", "uploaded_at_shown"],
    ("document", 1024): ["title", "agreement", "kind", "language", "uploaded_at_shown"],
}
LIST_COLUMNS.update(
    {(model, 1501): LIST_COLUMNS[model, 1280] for model in ("milestone", "document")}
)


def test_the_change_lists_fit_their_box_at_every_width_they_change_at(
    browser, live_server, staff_user, kaltim
):
    """A step's agreement is named by its title, as long as a title is: written on one line it
    made the list of steps 2,000 pixels wide, whether a step is late and whom it waits on out of
    sight behind a sideways scroll bar at the foot of a hundred rows. The agreements' nine
    columns drew a table 1,330 pixels wide in 930 at 1280 pixels: a text's number on one line,
    the moment it was last changed on one line, Django's spacing. Each list fits its box with
    the widest things its cells hold: a long title and partner, a long number, dates in
    September, the end of a terminated text, the longest status and region names, each date on
    one line: the nine columns need about 1,170 pixels with a title of 12em, 1,140 with 10em,
    so when each was last changed shows only past 1500 pixels."""
    partner = PartnerFactory(
        name="Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)",
        kind=Partner.Kind.INTERNATIONAL,
    )
    september = datetime.date(2025, 9, 26)
    agreement = AgreementFactory(
        lead_region=kaltim,
        title=LONG_TITLE,
        scope="ksdll",
        partners=[partner],
        reference="119/4567/B.PEM-HK/XII/2025",
        signed_on=september,
        in_force_from=september,
        expires_on=datetime.date(2030, 9, 25),
    )
    terminated = AgreementFactory(
        lead_region=kaltim,
        title="Perjanjian Kerja Sama yang diakhiri",
        kind=Agreement.Kind.PKS,
        status=Agreement.Status.TERMINATED,
        reference="KSDPK-KALTIM-PENGELOLAAN-SAMPAH-2021-0001",
    )
    MilestoneFactory(agreement=terminated, kind="termination", done_on=datetime.date(2025, 9, 30))
    # The widest status and region, each with a word that does not wrap ("Ditandatangani" by
    # Kota Padangsidimpuan).
    AgreementFactory(
        lead_region=RegencyFactory(
            code="12.77", name="Kota Padangsidimpuan", level="city", province=ProvinceFactory()
        ),
        status=Agreement.Status.SIGNED,
        in_force_from=None,
    )
    MilestoneFactory(
        agreement=agreement,
        kind="signing",
        title="Penandatanganan naskah",
        due_on=datetime.date(2025, 9, 20),
        done_on=september,
        waits_on="kemlu",
    )
    DocumentFactory(agreement=agreement)
    client = Client()
    client.force_login(staff_user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    for width in LIST_WIDTHS:
        context = browser.new_context(locale="id-ID", viewport={"width": width, "height": 800})
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        for model in ("agreement", "milestone", "document"):
            page.goto(live_server.url + reverse(f"admin:agreements_{model}_changelist"))
            widths = page.evaluate(
                """[document.querySelector("#result_list").getBoundingClientRect().width,
                    document.querySelector("#changelist .results").clientWidth]"""
            )
            assert widths[0] <= widths[1], f"{model} at {width}: {widths[0]} px in {widths[1]} px"
            shown = page.evaluate(
                """[...document.querySelectorAll("#result_list thead th[class*=column-]")]
                    .filter(th => th.offsetWidth > 0)
                    .map(th => th.className.match(/column-(\\S+)/)[1])"""
            )
            assert shown == LIST_COLUMNS[model, width], f"{model} at {width}"
        # Sorted by a column left out at this width (when each was last changed, kept from a
        # wide screen), the list says so where it shows.
        page.goto(live_server.url + reverse("admin:agreements_agreement_changelist") + "?o=-9")
        said = page.locator("#changelist .sort-order")
        assert said.is_visible(), f"sort order at {width}"
        assert said.inner_text() == "Diurutkan menurut terakhir diubah (terbaru dulu)."
        context.close()
