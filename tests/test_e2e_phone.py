"""The public pages on a phone (390 pixels, as a phone's browser lays a page out), by keyboard
and as a screen reader reads them: what ``test_public_screen`` holds the mail pages to, for the
pages an official browses.
"""

import re

import pytest

from tests.factories import AgreementFactory, make_official
from tests.test_admin_screen import AXE, required, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_form_sent_after_logging_in_in_another_tab_gets_the_sites_page_on_a_phone(
    browser, live_server, kaltim, django_user_model
):
    """The list is open in one tab; the official logs in in another, which renews the form's
    token; back in the first tab they switch to English. Django's bare "403 Forbidden", laid
    out 980 pixels wide and half in English, said nothing of what to do: the site's page says
    nothing was changed and leads back to the list."""
    make_official(django_user_model)
    AgreementFactory(title="MoU Kaltim–Anhui", lead_region=kaltim)
    context = browser.new_context(locale="id-ID", **PHONE)
    listing = context.new_page()
    listing.goto(live_server.url + "/agreements/?region=64")
    login = context.new_page()
    login.goto(live_server.url + "/accounts/login/")
    login.fill("#id_username", "pejabat")
    login.fill("#id_password", "a-long-password")
    login.get_by_role("button", name="Masuk").click()
    login.wait_for_url(live_server.url + "/")

    listing.get_by_role("button", name="English").click()

    assert listing.locator("h1").inner_text() == "Formulir sudah tidak berlaku"
    assert "tidak ada yang diubah" in listing.locator("main").inner_text()
    assert listing.evaluate("document.documentElement.lang") == "id"
    assert page_width(listing) <= 390
    listing.get_by_role("link", name="Kembali ke halaman tadi").click()
    assert listing.url == live_server.url + "/agreements/?region=64"
    # From the page the form was on, sent again, it is taken.
    listing.get_by_role("button", name="English").click()
    assert listing.locator("h1").inner_text() == "Agreements"
    context.close()


def test_the_maps_links_are_read_by_a_screen_reader_as_they_are_reached_by_keyboard(
    browser, live_server, register
):
    """A province or country on a map is a link the keyboard reaches; the map was announced as
    one picture, whose links a screen reader then does not read (axe: nested-interactive)."""
    required(AXE)
    context = browser.new_context(locale="id-ID", bypass_csp=True, **PHONE)
    page = context.new_page()
    problems = []
    for url in ["/", "/regions/64/", "/countries/CN/"]:
        page.goto(live_server.url + url)
        problems.extend(f"{url}: {violation}" for violation in serious_violations(page))
        assert page_width(page) <= 390, url
    assert problems == []
    page.goto(live_server.url + "/")
    page.locator("svg a[href='/agreements/?region=64']").focus()
    assert page.evaluate("document.activeElement.closest('svg') !== null")
    context.close()


def test_the_data_dictionarys_wide_tables_scroll_by_keyboard_on_a_phone(browser, live_server, db):
    """On a phone each column table scrolls sideways inside its box; a reader without a mouse
    or touch could not reach the columns' rules past the screen's edge (axe:
    scrollable-region-focusable)."""
    required(AXE)
    context = browser.new_context(locale="id-ID", bypass_csp=True, **PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/data-dictionary/")
    assert serious_violations(page) == []
    assert page_width(page) <= 390
    table = page.get_by_role("table", name="agreements")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    table.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.activeElement.scrollLeft > 0", timeout=2000)
    context.close()


def test_the_reports_choices_are_large_enough_to_read_and_tap_on_a_phone(browser, live_server, db):
    """The report's two drop-downs were the browser's own, 19 pixels tall in small print on a
    phone: under the 24 pixels a finger needs (WCAG 2.5.8), beside the list's larger ones."""
    context = browser.new_context(locale="id-ID", **PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/laporan/")
    for name in ("Daerah", "Periode"):
        box = page.get_by_label(name).bounding_box()
        size = page.get_by_label(name).evaluate("s => parseFloat(getComputedStyle(s).fontSize)")
        assert box["height"] >= 24 and size >= 15, (name, box, size)
    assert page_width(page) <= 390
    context.close()


def test_a_status_page_fits_the_narrowest_phone(browser, live_server, register):
    """At 320 pixels (the narrowest phones, and WCAG's reflow width) the status page's facts
    and parties, side by side from 20rem each, pushed the page past the screen's edge."""
    context = browser.new_context(
        locale="id-ID", viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(live_server.url + register["anhui_mou"].get_absolute_url())
    assert page.locator(".two-columns").count() == 1
    assert page_width(page) <= 320
    context.close()


def test_a_screen_reader_reads_the_sort_links_by_their_words_not_their_arrows(
    page, live_server, register
):
    """The arrows beside a sortable column's name only draw what the words and aria-sort
    say; read aloud they were "up down arrow" and "black down-pointing triangle"."""
    page.goto(live_server.url + "/agreements/")
    header = page.get_by_role("row").first
    for name in ("Kerja sama", "Ditandatangani (urut turun)", "Berakhir pada"):
        assert header.get_by_role("link", name=name, exact=True).count() == 1, name


# Whether the focused element is on the screen and drawn where it is (not clipped away, not
# covered): what is at the middle of it is it.
SEEN_WHERE_IT_IS = """(() => {
  const e = document.activeElement;
  e.scrollIntoView({block: "center"});
  const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return r.width > 20 && r.height > 10 && hit !== null && (hit === e || e.contains(hit));
})()"""


def results_in_view(page):
    """Whether the list's results begin on the screen the page opened at (scrolled to them, a
    fraction of a pixel above its top edge, as the browser rounds the scroll)."""
    top = page.evaluate("document.getElementById('results').getBoundingClientRect().top")
    return -1 < top < page.viewport_size["height"] / 2


def test_a_phone_opens_the_results_after_filtering_sorting_or_paging(browser, live_server, kaltim):
    """On a phone the filters come first, two screens of them: applying them, sorting by a
    column, removing a chip or turning a page opened the new list at the top of the filters,
    its rows two screens further down. Each opens it at its results, where a keyboard's next
    Tab goes on from too. A column's sort link, in a header row the cards do not show, was
    reached by keyboard unseen: it shows while it has the focus."""
    for n in range(26):  # a second page
        AgreementFactory(title=f"Kerja sama Kaltim {n:02d}", lead_region=kaltim)
    context = browser.new_context(locale="id-ID", **PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/agreements/")
    assert not results_in_view(page)  # the filters first

    page.select_option("#id_region", "64")
    page.get_by_role("button", name="Terapkan").click()
    # Sent on to the address of the filter set alone, still opened at its results.
    page.wait_for_url(re.compile(r".*/agreements/\?region=64#results$"))
    assert results_in_view(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('results').contains(document.activeElement)")

    # A sortable column's name, reached by keyboard: shown where it has the focus (the cards
    # have no header row to show it in otherwise), it opens the sorted list at its results.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('sort-link')"):
            break
    assert page.evaluate(SEEN_WHERE_IT_IS), "the focused sort link is hidden"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*sort=title.*"))
    assert results_in_view(page)

    page.get_by_role("link", name="Berikutnya").first.click()
    page.wait_for_url(re.compile(r".*page=2.*"))
    assert results_in_view(page)
    assert page.locator(".agreement-table tbody tr").count() == 1

    page.get_by_role("link", name="Hapus filter Daerah: Kalimantan Timur").click()
    page.wait_for_url(re.compile(r".*/agreements/\?(?!.*region=64).*"))
    assert results_in_view(page)
    context.close()
