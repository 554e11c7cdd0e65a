"""The public pages an editor opens from a mail, in a real Chromium on a phone (390 pixels) and
a desk (1280): nothing wider than the screen, no accessibility violation of serious or critical
impact to axe-core (injected as in ``test_admin_screen``), and a keyboard that meets the form's
controls in the order they are read.

A page reached without logging in, from a link in a mail, is often read on a phone and first
met by whoever reads that mail: these are held to the phone's width too.
"""

import pytest

from reminders.digest import preferences_url
from tests.test_admin_screen import AXE, required, serious_violations

WIDTHS = [390, 1280]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_problems(page, label):
    """What is wrong with the page the browser shows, as sentences naming ``label``."""
    problems = []
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width[0] > width[1]:
        problems.append(f"{label}: {width[0]} px wide in a {width[1]} px window")
    problems.extend(f"{label}: {violation}" for violation in serious_violations(page))
    return problems


def focused(page):
    return page.evaluate(
        "(() => { const e = document.activeElement; return e.id || e.textContent.trim(); })()"
    )


def test_the_reminder_preferences_page_on_a_phone_and_a_desk(browser, live_server, staff_user):
    required(AXE)
    url = live_server.url + "/" + preferences_url(staff_user).split("://", 1)[1].split("/", 1)[1]
    problems = []
    for width in WIDTHS:
        context = browser.new_context(
            locale="id-ID", viewport={"width": width, "height": 800}, bypass_csp=True
        )
        page = context.new_page()
        page.goto(url)
        problems.extend(page_problems(page, f"the form at {width} px"))

        # From the language, the keyboard goes to the box, then to the button.
        page.focus("#reminder-language")
        order = []
        for _ in range(2):
            page.keyboard.press("Tab")
            order.append(focused(page))
        assert order == ["reminder-active", "Simpan"], width

        # A forged language: the error is read with the field it is about.
        page.evaluate("document.querySelector('#reminder-language option').value = 'xx'")
        page.click("button:text('Simpan')")
        problems.extend(page_problems(page, f"the refused form at {width} px"))
        description = page.evaluate(
            """(() => { const s = document.querySelector('#reminder-language');
                return document.getElementById(s.getAttribute('aria-describedby')).textContent;
            })()"""
        )
        assert description == "Pilih bahasa surel: Bahasa Indonesia atau English."
        page.click(".error-summary a")
        assert focused(page) == "reminder-language"
        context.close()
    assert problems == []
