"""Two journeys in a real Chromium against the live site, each leaving screenshots.

Screenshots go to ``test-artifacts/screenshots/`` (ignored by git), so a test run leaves the
tree clean; ``make screenshots`` writes them to ``docs/screenshots/`` for the README.

1. An official opens the dashboard, goes to the list, filters by a province and a sector,
   opens a status page and switches to English.
2. An editor logs in to the admin, adds an agreement with a milestone, saves it, comes back to
   its change form and finds it on the public list.
"""

import datetime
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from agreements.models import Agreement
from tests.factories import make_official

SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name, full_page=False):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def demo_register():
    """The reference data and the demo register (the seed stories and generated records)."""
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)


def log_in_browser_as(page, user, live_server):
    """Put a session for ``user`` in the browser, as if they had logged in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_official_filters_the_list_opens_a_status_page_and_reads_it_in_english(
    page, live_server, demo_register, django_user_model, browser
):
    log_in_browser_as(page, make_official(django_user_model), live_server)

    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Dasbor kerja sama daerah"
    shoot(page, "dashboard")

    page.get_by_role("link", name="Daftar kerja sama", exact=True).first.click()
    page.wait_for_url(re.compile(r".*/agreements/$"))
    page.select_option("#id_region", "64")  # Kalimantan Timur, its regencies and cities
    page.locator('input[name="sector"][value="education"]').check()
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url(re.compile(r".*[?&]sector=education(&|$)"))
    # The URL holds the whole selection, to share, and only it: not every field left empty.
    applied = urlsplit(page.url)
    assert sorted(parse_qsl(applied.query, keep_blank_values=True)) == [
        ("region", "64"),
        ("sector", "education"),
    ]
    assert applied.fragment == "results"

    count = page.locator(".result-count").inner_text()
    assert re.search(r"\d+ kerja sama ditemukan", count), count
    chips = page.locator(".chip").all_inner_texts()
    assert any("Kalimantan Timur" in chip for chip in chips)
    assert any("Pendidikan" in chip for chip in chips)
    shoot(page, "list-filtered")

    # The same selection on a phone: cards instead of a table, nothing wider than the screen.
    phone = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844})
    phone_page = phone.new_page()
    phone_page.goto(page.url)
    phone_page.locator("#results").scroll_into_view_if_needed()
    assert no_horizontal_scroll(phone_page)
    shoot(phone_page, "list-phone")
    phone.close()

    title = page.locator(".agreement-table tbody th a").first.inner_text()
    page.locator(".agreement-table tbody th a").first.click()
    page.wait_for_url(re.compile(r".*/agreements/\d+/$"))
    assert page.locator("h1").inner_text() == title
    glance = page.locator(".glance").inner_text()
    assert "Langkah berikutnya".upper() in glance.upper()
    assert "Menunggu".upper() in glance.upper()
    shoot(page, "status-page")

    url = page.url
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.url == url  # back on the same page
    assert page.locator("html").get_attribute("lang") == "en"
    shoot(page, "status-page-en")


def test_official_finds_kaltims_foreign_cooperations_waiting_on_the_dprd_or_a_ministry(
    page, live_server, demo_register, django_user_model
):
    """ "Which foreign cooperations of Kalimantan Timur and its regencies wait on the DPRD or a
    ministry?" in three actions from the list page, with the count; then one chain's status
    page (the screenshot of the README)."""
    from agreements.models import Agreement, Scope
    from partners.models import Region
    from tests.factories import AgreementFactory, MilestoneFactory

    # The demo's own Kaltim records wait on the bureau or on nobody named; these wait on
    # someone the question is about (a regency's and the province's), and two do not count:
    # one waits on the bureau, one is of another province.
    def waiting(lead, scope, party, title):
        agreement = AgreementFactory(
            title=title,
            kind="sister_city" if scope == Scope.KSDPL else "mou",
            scope=scope,
            status="preparation",
            lead_region=lead,
            signed_on=None,
            in_force_from=None,
            expires_on=None,
        )
        MilestoneFactory(
            agreement=agreement,
            kind="dprd" if party == "dprd" else "drafting",
            title=f"Menunggu {party}",
            due_on=timezone.localdate() + datetime.timedelta(days=20),
            waits_on=party,
        )

    kutai = Region.objects.get(code="64.02")
    waiting(kutai, Scope.KSDPL, "dprd", "Kota kembar Kutai Kartanegara (contoh uji)")
    waiting(Region.objects.get(code="64"), Scope.KSDLL, "kemlu", "MoU Kaltim (contoh uji)")
    waiting(kutai, Scope.KSDPL, "bureau", "Kota kembar lain (contoh uji)")
    waiting(Region.objects.get(code="51"), Scope.KSDPL, "dprd", "Kota kembar Bali (contoh uji)")

    log_in_browser_as(page, make_official(django_user_model), live_server)
    page.goto(live_server.url + "/agreements/")

    page.select_option("#id_region", "64")  # 1. Kalimantan Timur, its regencies and cities
    page.get_by_role("button", name="Terapkan").click()  # 2.
    page.wait_for_url(re.compile(r".*[?&]region=64(&|#|$)"))
    page.get_by_role(  # 3.
        "link", name="Kerja sama luar negeri yang menunggu DPRD atau kementerian"
    ).click()
    page.wait_for_url(re.compile(r".*waits_on=kemlu"))

    expected = (
        Agreement.objects.in_region(Region.objects.get(code="64"))
        .filter(scope__in=[Scope.KSDPL, Scope.KSDLL])
        .waiting_on(["dprd", "kemendagri", "kemlu"])
    )
    count = page.locator(".result-count").inner_text()
    assert count.startswith(f"{expected.count()} kerja sama ditemukan"), count
    assert expected.count() >= 2
    titles = page.locator(".agreement-table tbody th a").all_inner_texts()
    assert "Kota kembar Kutai Kartanegara (contoh uji)" in titles
    assert "MoU Kaltim (contoh uji)" in titles
    assert "Kota kembar lain (contoh uji)" not in titles
    assert "Kota kembar Bali (contoh uji)" not in titles
    waiting = page.locator('.agreement-table td[data-label="Menunggu"]').all_inner_texts()
    assert waiting and set(waiting) <= {
        "DPRD",
        "Kementerian Dalam Negeri",
        "Kementerian Luar Negeri",
    }
    chips = " ".join(page.locator(".chip").all_inner_texts())
    for shown in ("Kalimantan Timur", "KSDPL", "KSDLL", "DPRD", "Kementerian Luar Negeri"):
        assert shown in chips, shown
    shoot(page, "list-waiting-on")

    # One cooperation told by two documents: the sister-province text after the LoI.
    sister = Agreement.objects.get(title__startswith="Provinsi kembar (sister province) Nusa")
    page.goto(live_server.url + sister.get_absolute_url())
    glance = page.locator(".glance").inner_text()
    assert "Penyusunan naskah" in glance and "Kementerian Luar Negeri" in glance
    chain = page.locator(".chain").inner_text()
    assert "Letter of Intent" in chain and "(halaman ini)" in chain
    shoot(page, "status-page-chain", full_page=True)


def pick(page, field, text, option=None):
    """Type ``text`` into the admin's autocomplete (select2) box for ``field`` and choose the
    result named ``option`` exactly (by default ``text`` itself).

    On a loaded machine a box has been seen to show no result within 30 s: the page is then
    photographed (``pick-<field>.png``, with what the box said) and the text typed again, which
    makes select2 ask once more. A box that never finds the option still fails the test."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.wait_for()
    exact = re.compile(rf"^\s*{re.escape(option or text)}\s*$")
    result = page.locator(".select2-results__option", has_text=exact)
    search.fill(text)
    try:
        result.wait_for(timeout=15_000)
    except PlaywrightTimeoutError:
        shoot(page, f"pick-{field}", full_page=True)
        search.fill("")
        search.fill(text)
        result.wait_for()
    result.click()


def test_editor_adds_an_agreement_with_a_milestone_and_finds_it_on_the_public_list(
    page, live_server, django_user_model
):
    call_command("load_reference_data", verbosity=0)
    django_user_model.objects.create_superuser(
        username="editor", email="editor@example.invalid", password="a-long-test-password"
    )
    page.goto(live_server.url + "/admin/agreements/agreement/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-test-password")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/agreements/agreement/add/")

    title = "Kerja sama pengembangan UMKM Kalimantan Timur dan Bali"
    page.fill("#id_title", title)
    page.select_option("#id_kind", "mou")
    page.select_option("#id_status", "exploration")
    page.fill("#id_summary", "Penjajakan kerja sama pemasaran produk UMKM kedua provinsi.")
    pick(page, "sectors", "UMKM", "Usaha mikro, kecil dan menengah (UMKM)")
    page.select_option("#id_scope", "ksdd")
    pick(page, "lead_region", "Kalimantan Timur")
    pick(page, "regions", "Bali")

    due = timezone.localdate() + datetime.timedelta(days=30)
    page.select_option("#id_milestones-0-kind", "exploration")
    page.fill("#id_milestones-0-title", "Kunjungan penjajakan ke Bali")
    page.fill("#id_milestones-0-due_on", due.isoformat())
    page.select_option("#id_milestones-0-waits_on", "partner")
    shoot(page, "admin-add-agreement", full_page=True)

    page.locator("input[name=_save]").first.click()
    page.wait_for_url("**/admin/agreements/agreement/")
    assert page.locator(".messagelist .success").count() == 1

    # The saved agreement's change form, as staff come back to it: it fits the screen.
    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(re.compile(r".*/admin/agreements/agreement/\d+/change/$"))
    assert page.locator("#id_milestones-0-title").input_value() == "Kunjungan penjajakan ke Bali"
    assert no_horizontal_scroll(page)
    shoot(page, "admin-change-form", full_page=True)

    page.goto(live_server.url + "/agreements/?q=UMKM+Bali")
    link = page.get_by_role("link", name=title)
    assert link.count() == 1
    shoot(page, "list-after-admin")
    link.click()
    page.wait_for_url(re.compile(r".*/agreements/\d+/$"))
    glance = page.locator(".glance").inner_text()
    assert "Kunjungan penjajakan ke Bali" in glance or "Rencana kerja sama" in glance
    assert "Mitra" in glance  # whom the next step waits on
    parties = page.locator(".glance-item", has_text="Para pihak").inner_text()
    assert "Kalimantan Timur" in parties and "Bali" in parties


def test_a_double_click_on_save_records_the_agreement_once(page, live_server, django_user_model):
    """A clerk double-clicks "Simpan" on the add form (or clicks again while the page is on its
    way): the agreement is recorded once and the clerk is told so. Sent twice, the second
    request was answered with the add form again, saying an agreement of that title already
    existed: the one the first had just recorded."""
    call_command("load_reference_data", verbosity=0)
    editor = django_user_model.objects.create_superuser(
        username="editor", email="editor@example.invalid", password="a-long-test-password"
    )
    log_in_browser_as(page, editor, live_server)
    page.goto(live_server.url + "/admin/agreements/agreement/add/")
    title = "Kerja sama pengelolaan sampah Kalimantan Timur dan Bali"
    page.fill("#id_title", title)
    page.select_option("#id_kind", "mou")
    page.select_option("#id_status", "exploration")
    page.select_option("#id_scope", "ksdd")
    pick(page, "lead_region", "Kalimantan Timur")
    pick(page, "regions", "Bali")

    # Two clicks 150 ms apart, as a double click comes: the first request is on its way.
    page.evaluate(
        """() => {
            const save = document.querySelector("input[name=_save]");
            save.click();
            setTimeout(() => save.click(), 150);
        }"""
    )
    # Read from the address bar, not from a navigation: the second click aborts the first's.
    expect(page).to_have_url(re.compile(r".*/admin/agreements/agreement/$"))
    expect(page.locator(".messagelist .success")).to_have_count(1)
    assert page.locator(".errornote, .errorlist").count() == 0
    assert Agreement.objects.filter(title=title).count() == 1


def test_official_on_a_phone_sees_which_stage_is_late_and_that_a_listed_step_is_pending(
    browser, live_server, demo_register, django_user_model
):
    """NTT–Jiangxi (seed 002): the drafting through the Foreign Ministry was due by the end of
    March 2026. On a phone the stage path, one card per line, says in words that it is late,
    as the summary box above it does; Kaltim–Anhui's row on the list does not read as if
    nothing were pending."""
    from agreements.models import Agreement

    phone = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    log_in_browser_as(page, make_official(django_user_model), live_server)
    sister = Agreement.objects.get(title__startswith="Provinsi kembar (sister province) Nusa")
    page.goto(live_server.url + sister.get_absolute_url())

    drafting = page.locator(".stage-path .stage", has_text="Penyusunan naskah")
    drafting.scroll_into_view_if_needed()
    text = " ".join(drafting.inner_text().split())
    assert timezone.localdate() > datetime.date(2026, 3, 31)  # the demo's today is the real one
    assert re.search(r"berikutnya · target 31 Maret 2026 · terlambat \d+", text), text
    assert "terlambat" in page.locator(".glance").inner_text()
    assert drafting.get_attribute("aria-current") == "step"
    assert drafting.is_visible() and no_horizontal_scroll(page)
    shoot(page, "stage-path-phone")

    page.goto(live_server.url + "/agreements/?q=Anhui")
    row = page.locator(".agreement-table tbody tr", has_text="Provinsi Kalimantan Timur dan")
    waiting = " ".join(row.locator('td[data-label="Menunggu"]').inner_text().split())
    assert waiting == "belum ditentukan · terlambat", waiting
    assert no_horizontal_scroll(page)
    phone.close()


def test_a_partners_subdivision_is_searched_among_those_of_its_country(
    page, live_server, django_user_model
):
    """The subdivision's autocomplete offered every country's: Anhui beside Osaka for a partner
    in Japan, which the form then refused. It offers those of the country chosen beside it, and
    a subdivision chosen is cleared when the country is changed for one it does not lie in,
    the first country chosen after it too."""
    from tests.factories import CountryFactory, SubdivisionFactory

    china = CountryFactory(code="CN", name_id="Tiongkok", name_en="China")
    japan = CountryFactory(code="JP", name_id="Jepang", name_en="Japan")
    SubdivisionFactory(code="CN-AH", name="Anhui Sheng", country=china)
    SubdivisionFactory(code="CN-SH", name="Shanghai Shi", country=china)
    SubdivisionFactory(code="JP-27", name="Osaka", country=japan)
    SubdivisionFactory(code="JP-13", name="Tokyo", country=japan)
    admin = django_user_model.objects.create_superuser(
        username="admin", email="admin@example.invalid", password="a-long-test-password"
    )
    log_in_browser_as(page, admin, live_server)
    page.goto(live_server.url + "/admin/partners/partner/add/")

    pick(page, "country", "Jepang")
    page.locator("#id_subdivision + .select2 .select2-selection").click()
    offered = page.locator(".select2-results__option")
    expect(offered).to_have_text(["Tokyo (JP-13)", "Osaka (JP-27)"])
    page.keyboard.press("Escape")

    pick(page, "subdivision", "Osaka", "Osaka (JP-27)")
    assert page.locator("#id_subdivision").input_value() == "JP-27"

    # Another country: the subdivision of the one before goes, and the search offers the new
    # country's.
    pick(page, "country", "Tiongkok")
    expect(page.locator("#id_subdivision")).to_have_value("")
    page.locator("#id_subdivision + .select2 .select2-selection").click()
    expect(offered).to_have_text(["Anhui Sheng (CN-AH)", "Shanghai Shi (CN-SH)"])
    page.keyboard.press("Escape")

    # A subdivision chosen before any country, among every country's: the country chosen
    # after it keeps it where it lies there, and clears it where it does not, as the form
    # would refuse it.
    page.goto(live_server.url + "/admin/partners/partner/add/")
    pick(page, "subdivision", "Osaka", "Osaka (JP-27)")
    pick(page, "country", "Jepang")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_subdivision")).to_have_value("JP-27")
    page.goto(live_server.url + "/admin/partners/partner/add/")
    pick(page, "subdivision", "Anhui", "Anhui Sheng (CN-AH)")
    pick(page, "country", "Jepang")
    expect(page.locator("#id_subdivision")).to_have_value("")
    page.locator("#id_subdivision + .select2 .select2-selection").click()
    expect(offered).to_have_text(["Tokyo (JP-13)", "Osaka (JP-27)"])
