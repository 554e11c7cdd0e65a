"""The list and report pages as a reader sees them, in a real browser."""

import pytest

from tests.factories import build_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_filter_checkbox_sits_beside_its_label(page, live_server):
    """A box of a several-value filter (kind, scope, status, waits on, sector) is a box, not a
    field as wide as the panel: its label starts right after it, so a reader sees which word
    each box ticks."""
    build_register()
    page.goto(live_server.url + "/agreements/")

    for name in ("kind", "scope", "status", "waits_on", "sector"):
        box = page.locator(f'input[type="checkbox"][name="{name}"]').first
        label = page.locator(f'label.choice[for="{box.get_attribute("id")}"]')
        box_area, label_area = box.bounding_box(), label.bounding_box()
        assert box_area["width"] < 30, (name, box_area)
        # The box is the label's first thing: on its left edge, not centred in a wide field.
        assert box_area["x"] - label_area["x"] < 5, (name, box_area, label_area)


@pytest.mark.parametrize("width", [800])
def test_a_list_wider_than_its_column_scrolls_in_its_box_not_the_page(page, live_server, width):
    """Where the table of agreements is wider than the results column (a tablet's screen, wider
    than a phone's, where the rows are not yet cards), it scrolls in its own box; the page itself
    never scrolls sideways (the sort links' hidden words once escaped the box and widened the
    page)."""
    register = build_register()
    page.set_viewport_size({"width": width, "height": 900})
    for url in ("/agreements/", register["education"].get_absolute_url()):
        page.goto(live_server.url + url)
        wide = page.evaluate(
            "() => { const t = document.querySelector('.agreement-table');"
            " return t.scrollWidth > t.closest('.table-wrap').clientWidth; }"
        )
        assert wide, url  # the case in question: a table wider than its column
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_the_lists_table_fits_its_column_on_a_desktop_screen(browser, live_server, width):
    """On a desktop screen the list's every column is in view, its last date whole: its headers,
    kept on one line each, made the table wider than the page's column, its last column cut
    off mid-date behind a scrollbar at the foot of the table."""
    build_register()
    context = browser.new_context(locale="id-ID", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/agreements/")
    table = page.locator(".table-wrap").first
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), table.evaluate(
        "t => [t.scrollWidth, t.clientWidth]"
    )
    context.close()


def test_the_report_fits_a_phone(page, live_server):
    """An official opening the periodic report on a phone reads it without scrolling sideways:
    the summary table's long column headings wrap."""
    build_register()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/laporan/?region=64&period=2024")
    assert page.locator(".report-table").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_dashboards_lists_read_as_cards_on_a_phone(page, live_server):
    """On a phone each row of the dashboard's lists (expiring, late, coming due) names its
    agreement or step across the whole width, not one word a line beside its date; the date
    and the rest follow under it, each after its heading."""
    build_register()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    rows = page.locator(".dashboard-list tbody tr")
    assert rows.count() > 0
    for index in range(rows.count()):
        row = rows.nth(index)
        table = row.locator("xpath=ancestor::table").bounding_box()
        named = row.locator("th").bounding_box()
        assert named["width"] > 0.9 * table["width"], (index, named, table)
        for cell in row.locator("td").all():
            label = cell.evaluate("c => getComputedStyle(c, '::before').content")
            assert label.strip('"').endswith(": "), (index, label)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
