"""The admin's change lists drawn for less (``common.admin_list``): every row is the markup
Django's own ``items_for_result`` writes, and the agreement list costs the same queries whatever
its rows and filter."""

import datetime
import re
from html import unescape as html_unescape
from pathlib import Path

import django.contrib.admin as django_admin
import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list as django_admin_list
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from common import admin_list
from tests.factories import (
    AgreementFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_agreement_changelist")


@pytest.fixture
def register(db):
    """Agreements with every kind of cell: a lead region, partners or none, dates or none, a
    status shown other than recorded, milestones (a boolean column on their list)."""
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    samarinda = RegencyFactory(code="64.72", name="Kota Samarinda", level="city", province=kaltim)
    anhui = PartnerFactory(name="Pemerintah Provinsi Anhui <安徽>")
    signed = datetime.date(2019, 5, 1)
    lapsed = AgreementFactory(
        title='Kerja sama "pendidikan" & <budaya>',
        kind="mou",
        lead_region=samarinda,
        partners=[anhui],
        status="in_force",
        signed_on=signed,
        in_force_from=signed,
        expires_on=datetime.date(2021, 5, 1),
    )
    AgreementFactory(
        title="Prakarsa tanpa tanggal",
        kind="pks",
        lead_region=kaltim,
        status="initiative",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(agreement=lapsed, due_on=datetime.date(2020, 1, 1))
    MilestoneFactory(agreement=lapsed, due_on=None, done_on=datetime.date(2019, 6, 1))
    return lapsed


def rows(cl, results):
    return [list(row) for row in results(cl)]


def changelists(staff_client, register, query):
    """(model, its change list) of every registered admin's list page that shows one, the
    agreement list read with ``query``."""
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        asked = query if model_admin is admin.site._registry.get(register.__class__) else {}
        response = staff_client.get(url, asked)
        if response.status_code == 200 and "cl" in (response.context or {}):
            yield model, response.context["cl"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kind__exact": "mou"},
        {"kind__exact": "mou", "o": "2"},
        {"_popup": "1", "_to_field": "id"},
    ],
)
def test_every_list_draws_the_rows_django_draws(staff_client, register, query):
    """Each registered admin's list, plain, filtered, sorted and as a popup: the same cells,
    classes, links (with the list's filters kept) and empty values as Django's own."""
    compared = 0
    for model, cl in changelists(staff_client, register, query):
        assert rows(cl, admin_list.results) == rows(cl, django_admin_list.results), model
        compared += bool(cl.result_list)
    assert compared >= 4  # agreements, milestones, regions, partners at least


def markup(html):
    """Markup with the blank space between and inside its tags' text set aside."""
    return re.sub(r"\s+", " ", re.sub(r">\s+|\s+<", lambda m: m.group().strip(), str(html)))


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("query", [{}, {"kind__exact": "mou", "sectors__isnull": "True"}])
def test_every_lists_filters_are_the_markup_django_draws(staff_client, register, language, query):
    """Each filter of every registered admin's sidebar, plain and with choices selected, in
    either language: what ``admin/filter.html`` draws, its titles, choices and links escaped."""
    compared = 0
    staff_client.cookies["django_language"] = language
    for model, cl in changelists(staff_client, register, query):
        with translation.override(language):
            for spec in cl.filter_specs:
                assert markup(admin_list.list_filter(cl, spec)) == markup(
                    django_admin_list.admin_list_filter(cl, spec)
                ), (model, spec.title)
                compared += 1
    assert compared >= 10


def test_every_list_page_is_drawn_by_the_quick_rows(staff_client, register, monkeypatch):
    """Every registered admin's list page, searched (its rows then link with the search kept),
    is drawn through ``templates/admin/change_list.html``: its rows written by
    ``common.admin_list``, none by Django's ``items_for_result``, which resolves a URL per row
    once the list has filters to keep."""
    drawn_by_django = []

    def cell_by_cell(*args, **kwargs):
        drawn_by_django.append(args[0].model)
        return []

    monkeypatch.setattr(django_admin_list, "items_for_result", cell_by_cell)
    drawn = 0
    for model, cl in changelists(staff_client, register, {}):
        response = staff_client.get(
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
            {"q": "a"} if cl.search_fields else {},
        )
        assert response.status_code == 200, model
        drawn += bool(response.context["cl"].result_list)
    assert drawn >= 4
    assert drawn_by_django == []


DJANGO_RESULTS = Path(django_admin.__file__).parent / "templates/admin/change_list_results.html"


@pytest.mark.parametrize("query", [{}, {"kind__exact": "mou", "o": "2"}, {"q": "a"}])
def test_every_list_page_writes_the_table_django_writes(staff_client, register, query):
    """Each registered admin's list page, plain, filtered and sorted, and searched: its table
    of rows, written a row at a time (``admin_list.Row``), is the markup Django's own
    ``admin/change_list_results.html`` writes of Django's own rows."""
    django_template = Template(DJANGO_RESULTS.read_text())
    compared = 0
    for model, cl in changelists(staff_client, register, query):
        if not cl.result_list:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = staff_client.get(url, query if model is Agreement else {})
        page = response.content.decode()
        drawn = page[page.index('<div class="results">') :]
        drawn = drawn[: drawn.index("</table>")]
        with translation.override("id"):
            django = django_template.render(
                Context(django_admin_list.result_list(response.context["cl"]))
            )
        django = django[django.index('<div class="results">') : django.index("</table>")]
        assert markup(drawn) == markup(django), model
        compared += 1
    assert compared >= 4


def test_the_selection_checkbox_is_the_widget_django_renders(register):
    model_admin = admin.site._registry[register.__class__]
    assert model_admin.action_checkbox(register) == admin.ModelAdmin.action_checkbox(
        model_admin, register
    )


def test_the_agreement_list_is_drawn_with_its_partners_and_shown_status(staff_client, register):
    page = staff_client.get(CHANGELIST, {"kind__exact": "mou"}).content.decode()
    change = reverse("admin:agreements_agreement_change", args=[register.pk])
    assert (
        f'<th class="field-title"><a href="{change}?_changelist_filters=kind__exact%3Dmou">'
        "Kerja sama &quot;pendidikan&quot; &amp; &lt;budaya&gt;</a></th>"
    ) in page
    assert '<td class="field-partner_names">Pemerintah Provinsi Anhui &lt;安徽&gt;</td>' in page
    assert '<td class="field-shown_status">Berakhir</td>' in page


def test_a_terminated_agreement_is_listed_ending_on_its_termination_as_on_the_site(
    staff_client, register
):
    """Beside its status "Diakhiri", the list says when it ended, as the agreement list on the
    site does, not the expiry first agreed; and sorts by that day."""
    signed = datetime.date(2020, 3, 1)
    ended = AgreementFactory(
        title="Kerja sama yang diakhiri",
        lead_region=register.lead_region,
        status="terminated",
        signed_on=signed,
        in_force_from=signed,
        expires_on=datetime.date(2030, 2, 28),
    )
    MilestoneFactory(
        agreement=ended, kind="termination", due_on=None, done_on=datetime.date(2023, 3, 2)
    )
    Agreement.objects.filter(pk=ended.pk).refresh_progress()
    AgreementFactory(
        title="Kerja sama sampai 2025",
        lead_region=register.lead_region,
        signed_on=signed,
        in_force_from=signed,
        expires_on=datetime.date(2025, 6, 30),
    )

    page = staff_client.get(CHANGELIST, {"q": "diakhiri"}).content.decode()
    by_end = staff_client.get(CHANGELIST, {"o": "8"}).content.decode()

    cell = re.search(r'<td class="field-ends_known">(.*?)</td>', page).group(1)
    assert cell == 'Diakhiri pada <time datetime="2023-03-02">2 Maret 2023</time>'
    assert "28 Februari 2030" not in page
    # Sorted by the day each ends: 2021, then 2023 (ended), then 2025; never by the 2030 agreed.
    order = [by_end.index(title) for title in ("pendidikan&quot;", "yang diakhiri", "sampai 2025")]
    assert order == sorted(order)


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("query", [{}, {"kind__exact": "mou"}])
def test_the_agreement_list_costs_the_same_queries_whatever_its_rows(staff_client, count, query):
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    for n in range(count):
        signed = datetime.date(2000 + n % 20, 1, 1)
        AgreementFactory(
            kind="mou",
            lead_region=kaltim,
            partners=[PartnerFactory()],
            signed_on=signed,
            in_force_from=signed,
        )
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(CHANGELIST, query)
    assert len(response.context["cl"].result_list) == count
    # The session and user, three filters' lists (sectors, provinces, partners' countries), the
    # count, the rows with their lead regions, their partners, and the years of the date
    # hierarchy (those the reader may see, whatever the filter: the first and last signing, then
    # a probe per year).
    assert len(captured) == 10


def test_the_years_of_a_narrower_selection_are_probed_year_by_year(db):
    """An editor's list, or any selection the tallies do not count: each year probed with the
    selection's own conditions, dates among them."""
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    for year, kind in ((2003, "mou"), (2007, "pks"), (2011, "mou"), (2015, "mou")):
        signed = datetime.date(year, 3, 1)
        AgreementFactory(
            kind=kind,
            lead_region=kaltim,
            signed_on=signed,
            in_force_from=signed,
            expires_on=signed + datetime.timedelta(days=365 * 5),
        )
    selection = Agreement.objects.filter(
        kind__in=["mou", "loi"], expires_on__gte=datetime.date(2010, 1, 1)
    )
    assert selection.signing_years() == [2011, 2015]
    assert Agreement.objects.filter(kind="pks").signing_years() == [2007]
    assert Agreement.objects.filter(kind="other").signing_years() == []


def test_the_sector_filter_names_the_agreements_of_no_sector(staff_client, register):
    """Beside each sector, the choice for agreements filed under none says so, and leads to
    them; Django's own "-" told a clerk nothing."""
    education = SectorFactory(slug="education", name_id="Pendidikan")
    register.sectors.set([education])
    html = staff_client.get(CHANGELIST).content.decode()
    sidebar = html.split('id="changelist-filter"', 1)[1]
    choice = re.search(r'<a href="([^"]*)">\s*Tanpa bidang\s*</a>', sidebar)
    assert choice is not None, "no choice for the agreements of no sector"
    assert ">-<" not in re.sub(r"\s+", "", sidebar.split("Pendidikan", 1)[0][-400:])
    listed = staff_client.get(CHANGELIST + html_unescape(choice.group(1))).content.decode()
    table = listed.split('id="result_list"', 1)[1].split("</table>", 1)[0]
    assert "Prakarsa tanpa tanggal" in table
    assert "&quot;pendidikan&quot;" not in table  # the agreement filed under education
