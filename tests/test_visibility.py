"""An anonymous reader finds no trace of an internal agreement, its milestones or its documents on
any surface of the site, while the public agreement beside it is there (so each test can fail).
An official, for contrast, reads both where the surface depends on the reader."""

import csv
import datetime
import html
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from agreements.imports import AgreementImport
from agreements.models import Agreement
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CountryFactory,
    DocumentFactory,
    MilestoneFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
    SectorFactory,
)
from tests.helpers import agreement_form_data, change_url, form_errors, logged_in, page_problems

pytestmark = pytest.mark.django_db

PUBLIC_TITLE = "Festival budaya terbuka Bali"
INTERNAL_TITLE = "Eksplorasi tambang rahasia Samarinda"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def register(kaltim, samarinda, bali):
    """One public agreement of Bali and one internal agreement of Samarinda, each with its own
    sector, partner (and partner country), an overdue milestone and a document."""
    open_sector = SectorFactory(slug="culture", name_id="Kebudayaan", name_en="Culture")
    closed_sector = SectorFactory(slug="mining", name_id="Pertambangan", name_en="Mining")
    open_partner = PartnerFactory(name="Provinsi Anhui", country=CountryFactory(code="CN"))
    closed_partner = PartnerFactory(name="Prefektur Osaka", country=CountryFactory(code="JP"))
    public = AgreementFactory(
        title=PUBLIC_TITLE,
        lead_region=bali,
        scope="ksdpl",
        partners=[open_partner],
        sectors=[open_sector],
        expires_on=days(60),
    )
    internal = AgreementFactory(
        title=INTERNAL_TITLE,
        lead_region=samarinda,
        scope="ksdpl",
        partners=[closed_partner],
        sectors=[closed_sector],
        signed_on=datetime.date(2023, 5, 2),
        in_force_from=datetime.date(2023, 5, 2),
        expires_on=days(45),
        visibility=Agreement.Visibility.INTERNAL,
    )
    return {
        "public": public,
        "internal": internal,
        "open_sector": open_sector,
        "closed_sector": closed_sector,
        "open_partner": open_partner,
        "closed_partner": closed_partner,
        "public_step": MilestoneFactory(agreement=public, title="Rapat terbuka", due_on=days(-10)),
        "internal_step": MilestoneFactory(
            agreement=internal, title="Rapat tertutup", due_on=days(-10)
        ),
        "public_document": DocumentFactory(agreement=public, title="Naskah terbuka"),
        "internal_document": DocumentFactory(agreement=internal, title="Draf tertutup"),
    }


@pytest.fixture
def official_client(official):
    return logged_in(official)


def text(response):
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def assert_public_only(page):
    assert PUBLIC_TITLE in page
    assert INTERNAL_TITLE not in page


# -- pages ----------------------------------------------------------------------------------------


def test_agreement_list_leaves_out_the_internal_agreement_and_its_count(
    client, official_client, register
):
    response = client.get(reverse("agreement-list"))
    assert_public_only(text(response))
    assert response.context["page_obj"].paginator.count == 1

    assert official_client.get(reverse("agreement-list")).context["page_obj"].paginator.count == 2


def test_search_finds_nothing_of_the_internal_agreement(client, official_client, register):
    assert INTERNAL_TITLE not in text(client.get(reverse("agreement-list"), {"q": "tambang"}))
    assert PUBLIC_TITLE in text(client.get(reverse("agreement-list"), {"q": "festival"}))
    assert INTERNAL_TITLE in text(official_client.get(reverse("agreement-list"), {"q": "tambang"}))


def test_dashboard_counts_and_lists_nothing_of_the_internal_agreement(client, register):
    response = client.get(reverse("dashboard"))
    page = text(response)

    assert response.context["total"] == 1
    assert response.context["expiring_count"] == 1
    assert response.context["overdue_count"] == 1
    assert_public_only(page)
    assert "Rapat terbuka" in page and "Rapat tertutup" not in page


def test_dashboard_charts_draw_nothing_of_the_internal_agreement(client, official_client, register):
    page = text(client.get(reverse("dashboard")))
    assert "Kebudayaan" in page and "Tiongkok" in page
    assert "Pertambangan" not in page and "Jepang" not in page
    assert ">2023<" not in page  # the internal one's signing year has no column

    official_page = text(official_client.get(reverse("dashboard")))
    assert "Pertambangan" in official_page and "Jepang" in official_page


def test_internal_status_page_is_not_found_not_forbidden(client, official_client, register):
    assert client.get(register["internal"].get_absolute_url()).status_code == 404
    assert client.get(register["public"].get_absolute_url()).status_code == 200
    assert official_client.get(register["internal"].get_absolute_url()).status_code == 200


def test_internal_document_download_is_not_found(client, register):
    public_doc, internal_doc = register["public_document"], register["internal_document"]

    def download(document):
        response = client.get(
            reverse("document-download", args=[document.agreement_id, document.pk])
        )
        if response.streaming:
            response.close()
        return response.status_code

    assert download(internal_doc) == 404
    assert download(public_doc) == 200
    assert client.get(f"/media/{internal_doc.file.name}").status_code == 404


def test_region_pages_leave_out_the_internal_agreement(client, register):
    # Samarinda leads it, and Kalimantan Timur's page includes Samarinda's agreements.
    for code in ("64.72", "64"):
        assert INTERNAL_TITLE not in text(client.get(reverse("region-detail", args=[code])))
    assert PUBLIC_TITLE in text(client.get(reverse("region-detail", args=["51"])))


def test_partner_pages_leave_out_the_internal_agreement(client, register):
    closed = client.get(register["closed_partner"].get_absolute_url())
    assert closed.status_code == 404 and INTERNAL_TITLE not in closed.content.decode()
    assert PUBLIC_TITLE in text(client.get(register["open_partner"].get_absolute_url()))


def test_country_pages_leave_out_the_internal_agreement_and_its_partner(client, register):
    japan = text(client.get(reverse("country-detail", args=["JP"])))
    assert INTERNAL_TITLE not in japan
    assert "Prefektur Osaka" not in japan
    china = text(client.get(reverse("country-detail", args=["CN"])))
    assert PUBLIC_TITLE in china and "Provinsi Anhui" in china


def test_sector_pages_leave_out_the_internal_agreement(client, register):
    assert INTERNAL_TITLE not in text(client.get(register["closed_sector"].get_absolute_url()))
    assert PUBLIC_TITLE in text(client.get(register["open_sector"].get_absolute_url()))


def test_login_page_is_well_formed(client, db):
    assert page_problems(text(client.get(reverse("login")))) == []


# -- files and feeds -------------------------------------------------------------------------------


def exported_titles(response, file_format):
    assert response.status_code == 200
    data = b"".join(response.streaming_content)  # read whole, the test client closes it
    if file_format == "csv":
        return {row["title"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
    if file_format == "json":
        payload = json.loads(data)
        rows = payload["agreements"] if isinstance(payload, dict) else payload
        return {row["title"] for row in rows}
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("title")
    return {row[column] for row in rows[1:]}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_exports_leave_out_the_internal_agreement(client, register, file_format):
    response = client.get(reverse("agreement-export", args=[file_format]))
    assert exported_titles(response, file_format) == {PUBLIC_TITLE}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_subject_page_exports_leave_out_the_internal_agreement(client, register, file_format):
    response = client.get(reverse("region-export", args=["64", file_format]))
    assert exported_titles(response, file_format) == set()
    response = client.get(reverse("region-export", args=["51", file_format]))
    assert exported_titles(response, file_format) == {PUBLIC_TITLE}


def test_atom_feed_leaves_out_the_internal_agreement_whoever_asks(
    client, official_client, register
):
    for reader in (client, official_client):
        root = ET.fromstring(text(reader.get(reverse("feed-agreements"))))
        titles = {entry.findtext("{http://www.w3.org/2005/Atom}title") for entry in root}
        assert PUBLIC_TITLE in titles
        assert INTERNAL_TITLE not in titles


def calendar_summaries(response):
    calendar = Calendar.from_ical(text(response))
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def test_region_calendars_leave_out_the_internal_agreement_and_its_milestones(client, register):
    kaltim = " ".join(calendar_summaries(client.get(reverse("calendar-region", args=["64"]))))
    assert "Rapat tertutup" not in kaltim and INTERNAL_TITLE not in kaltim
    bali = " ".join(calendar_summaries(client.get(reverse("calendar-region", args=["51"]))))
    assert "Rapat terbuka" in bali


def test_internal_agreement_calendar_is_not_found(client, register):
    internal, public = register["internal"], register["public"]
    assert client.get(reverse("calendar-agreement", args=[internal.pk])).status_code == 404
    assert client.get(reverse("calendar-agreement", args=[public.pk])).status_code == 200


# -- sitemap -------------------------------------------------------------------------------------


def sitemap_paths(reader):
    """The paths every sitemap of the index ``/sitemap.xml`` lists."""
    index = ET.fromstring(text(reader.get(reverse("sitemap"))))
    paths = set()
    for sitemap in index.iter(f"{SITEMAP}loc"):
        root = ET.fromstring(text(reader.get(sitemap.text)))
        paths |= {loc.text.removeprefix("http://testserver") for loc in root.iter(f"{SITEMAP}loc")}
    return paths


def test_sitemap_lists_public_agreements_and_the_pages_that_list_them(client, register):
    paths = sitemap_paths(client)

    assert register["public"].get_absolute_url() in paths
    assert reverse("region-detail", args=["51"]) in paths
    assert register["open_partner"].get_absolute_url() in paths
    assert reverse("country-detail", args=["CN"]) in paths
    assert register["open_sector"].get_absolute_url() in paths


def test_sitemap_names_nothing_only_the_internal_agreement_leads_to(
    client, official_client, register
):
    for reader in (client, official_client):
        paths = sitemap_paths(reader)
        assert register["internal"].get_absolute_url() not in paths
        assert reverse("region-detail", args=["64.72"]) not in paths
        assert reverse("region-detail", args=["64"]) not in paths
        assert register["closed_partner"].get_absolute_url() not in paths
        assert reverse("country-detail", args=["JP"]) not in paths
        assert register["closed_sector"].get_absolute_url() not in paths


def test_sitemap_includes_the_province_of_a_city_with_a_public_agreement(client, db):
    java = ProvinceFactory(code="33", name="Jawa Tengah")
    solo = RegencyFactory(province=java, code="33.72", name="Kota Surakarta", level="city")
    AgreementFactory(lead_region=solo)

    paths = sitemap_paths(client)

    assert {reverse("region-detail", args=["33"]), reverse("region-detail", args=["33.72"])} <= (
        paths
    )


# -- what only an internal agreement reveals ---------------------------------------------------


def exported_follows(response, file_format):
    """{title: (follows, relation)} of an export."""
    data = b"".join(response.streaming_content)
    if file_format == "csv":
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        return {row["title"]: (row["follows"], row["relation"]) for row in rows}
    if file_format == "json":
        return {
            row["title"]: (row["follows"], row["relation"])
            for row in json.loads(data)["agreements"]
        }
    rows = list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].values)
    title, follows = rows[0].index("title"), rows[0].index("follows")
    relation = rows[0].index("relation")
    return {row[title]: (row[follows] or "", row[relation] or "") for row in rows[1:]}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_exports_name_no_internal_predecessor(client, register, analyst, file_format):
    # An editor may make a public agreement continue an internal one.
    public = register["public"]
    public.follows, public.relation = register["internal"], Agreement.Relation.EXTENDS
    public.save()

    # Neither its name nor how the public one relates to it: that would tell there is one.
    response = client.get(reverse("agreement-export", args=[file_format]))
    assert exported_follows(response, file_format) == {PUBLIC_TITLE: ("", "")}

    # An analyst exports the internal one too, so may read what the public one continues.
    response = logged_in(analyst).get(reverse("agreement-export", args=[file_format]))
    assert exported_follows(response, file_format)[PUBLIC_TITLE] == (INTERNAL_TITLE, "extends")


def exported_cells(response, file_format, *names):
    """{title: (cell of each of ``names``)} of an export, "" for an empty cell."""
    data = b"".join(response.streaming_content)
    if file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    elif file_format == "json":
        rows = json.loads(data)["agreements"]
    else:
        values = list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].values)
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    return {row["title"]: tuple(row[name] or "" for name in names) for row in rows}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_an_analysts_export_marks_the_internal_predecessor_it_names(
    client, register, analyst, file_format
):
    """A public PKS following an internal MoU: the analyst's file named the MoU in ``follows``
    as if it were public; ``follows_visibility``, right after it, says it is internal. The
    public's file names neither the MoU nor its visibility."""
    public = register["public"]
    public.follows, public.relation = register["internal"], Agreement.Relation.IMPLEMENTS
    public.save()
    successor = AgreementFactory(
        title="PKS lanjutan terbuka",
        lead_region=public.lead_region,
        follows=public,
        relation=Agreement.Relation.IMPLEMENTS,
    )
    columns = ("follows", "follows_visibility")

    response = logged_in(analyst).get(reverse("agreement-export", args=[file_format]))
    assert exported_cells(response, file_format, *columns) == {
        PUBLIC_TITLE: (INTERNAL_TITLE, "internal"),
        INTERNAL_TITLE: ("", ""),
        successor.title: (PUBLIC_TITLE, "public"),
    }

    response = client.get(reverse("agreement-export", args=[file_format]))
    assert exported_cells(response, file_format, *columns) == {
        PUBLIC_TITLE: ("", ""),
        successor.title: (PUBLIC_TITLE, "public"),
    }


def test_follows_visibility_comes_right_after_follows(client, register):
    data = b"".join(client.get(reverse("agreement-export", args=["csv"])).streaming_content)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[header.index("follows") + 1] == "follows_visibility"


def test_the_change_log_tells_no_relation_to_an_internal_predecessor(client, register):
    public = register["public"]
    public.follows, public.relation = register["internal"], Agreement.Relation.EXTENDS
    public.save()
    for address in (public.get_absolute_url(), reverse("change-log"), "/perubahan/feed.atom"):
        page = text(client.get(address))
        assert PUBLIC_TITLE in page, address
        assert "Perpanjangan" not in page and "Hubungan" not in page, address


def test_a_public_document_shows_no_step_of_an_internal_one_carrying_it_out(client, register):
    """What a public agreement waits for is never an internal document's step: not on its
    page, the list's "waiting on" filter, the dashboard's counts or its exports."""
    public = register["public"]
    public.milestones.all().delete()
    Agreement.objects.filter(pk=public.pk).refresh_progress()
    pks = AgreementFactory(
        title="Rencana aksi tertutup",
        kind="pks",
        lead_region=public.lead_region,
        follows=public,
        relation=Agreement.Relation.IMPLEMENTS,
        visibility=Agreement.Visibility.INTERNAL,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
    )
    MilestoneFactory(
        agreement=pks,
        kind="dprd",
        title="Rapat rahasia Osaka",
        due_on=days(5),
        done_on=None,
        waits_on="dprd",
    )
    Agreement.objects.filter(pk=pks.pk).refresh_progress()

    page = text(client.get(public.get_absolute_url()))
    assert "Rapat rahasia Osaka" not in page
    assert PUBLIC_TITLE not in text(client.get(reverse("agreement-list"), {"waits_on": "dprd"}))
    for file_format in ("csv", "json"):
        exported = text(client.get(reverse("agreement-export", args=[file_format])))
        assert "Rapat rahasia Osaka" not in exported and "dprd" not in exported, file_format
    # Made public, the document carrying it out tells what the cooperation waits for.
    Agreement.objects.filter(pk=pks.pk).update(visibility=Agreement.Visibility.PUBLIC)
    Agreement.objects.filter(pk=pks.pk).refresh_progress()
    assert "Rapat rahasia Osaka" in text(client.get(public.get_absolute_url()))


def test_a_public_document_shows_nothing_an_internal_one_before_it_passed(client, register):
    """An internal LoI's exploration, skipped with a note: the public MoU carrying it out
    shows neither the note nor its date, nor a stage waived after an LoI."""
    loi = AgreementFactory(
        title="LoI tertutup",
        kind="loi",
        scope="ksdpl",
        lead_region=register["public"].lead_region,
        visibility=Agreement.Visibility.INTERNAL,
    )
    MilestoneFactory(
        agreement=loi,
        kind="exploration",
        done_on=datetime.date(2024, 1, 3),
        mark="skipped",
        notes="Catatan rahasia penjajakan",
    )
    public = register["public"]
    public.follows, public.relation = loi, Agreement.Relation.IMPLEMENTS
    public.save()
    Agreement.objects.filter(pk=public.pk).refresh_progress()

    page = text(client.get(public.get_absolute_url()))
    path = page.split('<ol class="stage-path">', 1)[1].split("</ol>", 1)[0]
    assert "Catatan rahasia penjajakan" not in path
    assert "dilewati" not in path and "setelah" not in path


def stage_names(page):
    """The stages a status page's path lists, in its order."""
    path = page.split('<ol class="stage-path">', 1)[1].split("</ol>", 1)[0]
    return [name.split("</span>", 1)[0] for name in path.split('<span class="stage-name">')[1:]]


def test_a_public_text_carrying_out_an_internal_one_shows_the_path_of_one_standing_alone(
    client, register
):
    """A PKS carrying out an MoU skips the stages the MoU passed: its path is drafting and
    signing alone. Carrying out an internal MoU, the public PKS showed that short path, which
    told the public there was an earlier text it may not see; it shows the path of a PKS
    standing alone, as the public sees its chain."""
    bali = register["public"].lead_region
    mou = AgreementFactory(
        title="Nota kesepahaman tertutup",
        lead_region=bali,
        visibility=Agreement.Visibility.INTERNAL,
    )
    unsigned = {"status": "preparation", "signed_on": None, "in_force_from": None}
    carrying_out = AgreementFactory(
        title="PKS terbuka",
        kind="pks",
        lead_region=bali,
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
        expires_on=None,
        **unsigned,
    )
    alone = AgreementFactory(
        title="PKS berdiri sendiri", kind="pks", lead_region=bali, expires_on=None, **unsigned
    )
    Agreement.objects.filter(pk__in=[mou.pk, carrying_out.pk, alone.pk]).refresh_progress()

    path = stage_names(text(client.get(carrying_out.get_absolute_url())))
    assert path == stage_names(text(client.get(alone.get_absolute_url())))
    assert "Pembahasan TKKSD" in path
    # Made public, the MoU is there for the public to see, and the PKS skips what it passed.
    Agreement.objects.filter(pk=mou.pk).update(visibility=Agreement.Visibility.PUBLIC)
    Agreement.objects.filter(pk=mou.pk).refresh_progress()
    path = stage_names(text(client.get(carrying_out.get_absolute_url())))
    assert path == ["Penyusunan naskah", "Penandatanganan"]


def test_status_page_names_no_internal_predecessor_or_successor(client, register):
    public, internal = register["public"], register["internal"]
    public.follows, public.relation = internal, Agreement.Relation.IMPLEMENTS
    public.save()
    AgreementFactory(
        title="Rencana aksi tertutup",
        follows=public,
        relation=Agreement.Relation.IMPLEMENTS,
        visibility=Agreement.Visibility.INTERNAL,
    )
    page = text(client.get(public.get_absolute_url()))
    assert INTERNAL_TITLE not in page and "Rencana aksi tertutup" not in page


def test_partner_of_internal_agreements_only_is_not_found(client, official_client, register):
    closed = register["closed_partner"].get_absolute_url()
    assert client.get(closed).status_code == 404
    assert "Prefektur Osaka" in text(official_client.get(closed))


def test_nothing_beside_the_page_of_a_partner_of_internal_agreements_only_names_it(
    client, official_client, register
):
    """Its feed, calendar and downloads are not found either, as its page: each would give
    its name (in a title, a calendar's name, a file name)."""
    closed = register["closed_partner"].get_absolute_url()
    beside = ["feed.atom", "calendar.ics", "export.csv", "export.json", "export.xlsx"]
    for address in beside:
        response = client.get(closed + address)
        assert response.status_code == 404, address
        assert "Osaka" not in response.content.decode(errors="replace"), address
        assert "osaka" not in response.get("Content-Disposition", ""), address
    # An official reads the internal agreement: its calendar and downloads are there for them
    # (the feed is the public's, whoever reads it).
    assert official_client.get(closed + "feed.atom").status_code == 404
    for address in beside[1:]:
        response = official_client.get(closed + address)
        assert response.status_code == 200, address
    assert "osaka" in response["Content-Disposition"]


def test_public_partner_lists_no_sub_partner_of_internal_agreements_only(
    client, official_client, register
):
    osaka_city = PartnerFactory(
        name="Kota Osaka",
        country=register["closed_partner"].country,
        parent=register["open_partner"],
    )
    register["internal"].partners.add(osaka_city)
    child = PartnerFactory(name="Kota Hefei", parent=register["open_partner"])
    register["public"].partners.add(child)

    page = text(client.get(register["open_partner"].get_absolute_url()))
    assert "Kota Hefei" in page and "Kota Osaka" not in page
    official_page = text(official_client.get(register["open_partner"].get_absolute_url()))
    assert "Kota Osaka" in official_page


def test_public_partner_page_names_no_parent_of_internal_agreements_only(client, register):
    register["open_partner"].parent = register["closed_partner"]
    register["open_partner"].save()
    page = text(client.get(register["open_partner"].get_absolute_url()))
    assert "Prefektur Osaka" not in page


def test_partner_filter_chip_names_no_partner_of_internal_agreements_only(
    client, official_client, register
):
    query = {"partner": register["closed_partner"].pk}
    response = client.get(reverse("agreement-list"), query)
    assert response.status_code == 400
    assert "Prefektur Osaka" not in response.content.decode()
    assert "Prefektur Osaka" in text(official_client.get(reverse("agreement-list"), query))


def offered(page, field):
    """The labels of the options of the form's select ``field`` (without its empty one)."""
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no {field} select on the page"
    labels = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select.group(1))
    return [html.unescape(label) for _value, label in labels]


def test_the_filter_form_marks_partners_and_agencies_known_only_from_internal_agreements(
    client, official_client, analyst, register, kaltim, bali
):
    """An official's and an analyst's partner and agency lists offer those of internal
    agreements too: each the public may not know of is marked "Internal" in its option, as the
    site's other lists mark it; the public is offered none of them, nor any of their names."""
    register["public"].agencies.add(AgencyFactory(region=bali, name="Dinas Pariwisata Bali"))
    register["internal"].agencies.add(AgencyFactory(region=kaltim, name="Dinas ESDM Kaltim"))
    url = reverse("agreement-list")

    for reader in (official_client, logged_in(analyst)):
        page = text(reader.get(url))
        assert offered(page, "partner") == [
            "Prefektur Osaka (JP) · Internal",
            "Provinsi Anhui (CN)",
        ]
        # Grouped by region, Bali (51) before Kalimantan Timur (64).
        assert offered(page, "agency") == ["Dinas Pariwisata Bali", "Dinas ESDM Kaltim · Internal"]

    page = text(client.get(url))
    assert offered(page, "partner") == ["Provinsi Anhui (CN)"]
    assert offered(page, "agency") == ["Dinas Pariwisata Bali"]
    assert "Prefektur Osaka" not in page and "Dinas ESDM" not in page
    # Served from the cache to the official again, each reader still gets their own lists.
    assert offered(text(official_client.get(url)), "partner")[0].endswith(" · Internal")
    assert "Internal" not in " ".join(offered(text(client.get(url)), "partner"))


def chips(page):
    """The filter chips of a list page, each as its reader reads it ("Mitra: Provinsi Anhui")."""
    found = re.findall(r'<li class="chip">\s*<span>(.*?)</span>\s*<a ', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", chip)).split()) for chip in found]


def test_a_chosen_partner_or_agency_known_only_internally_is_marked_wherever_it_is_named(
    client, official_client, register, kaltim, bali
):
    """The form's options marked a partner or an agency the public may not know of "Internal",
    but not one chosen that the page did not offer (a partner of another sector than the
    sector page's, chosen by an official): it was added to the list as its bare name; nor did
    the chip above the results mark it. Both follow the options now; a partner the public
    knows of is named unmarked, and the public is never told the internal one's name."""
    closed, anhui = register["closed_partner"], register["open_partner"]
    secret_agency = AgencyFactory(region=kaltim, name="Dinas ESDM Kaltim")
    register["internal"].agencies.add(secret_agency)
    register["public"].agencies.add(AgencyFactory(region=bali, name="Dinas Pariwisata Bali"))
    culture = reverse("sector-detail", args=[register["open_sector"].slug])
    mining = reverse("sector-detail", args=[register["closed_sector"].slug])

    # Chosen on the page of a sector none of their agreements is of: not offered there.
    page = text(official_client.get(culture, {"partner": closed.pk, "agency": secret_agency.pk}))
    assert "Prefektur Osaka (JP) · Internal" in offered(page, "partner")
    assert "Dinas ESDM Kaltim · Internal" in offered(page, "agency")
    assert chips(page) == [
        "Perangkat daerah pelaksana: Dinas ESDM Kaltim — Kalimantan Timur · Internal",
        "Mitra: Prefektur Osaka · Internal",
    ]
    page = text(official_client.get(mining, {"partner": anhui.pk}))
    assert "Provinsi Anhui (CN)" in offered(page, "partner")
    assert chips(page) == ["Mitra: Provinsi Anhui"]
    # On the list, where it is offered, its chip says so too.
    page = text(official_client.get(reverse("agreement-list"), {"partner": closed.pk}))
    assert chips(page) == ["Mitra: Prefektur Osaka · Internal"]

    for address in (culture, reverse("agreement-list")):
        for query in ({"partner": closed.pk}, {"agency": secret_agency.pk}):
            response = client.get(address, query)
            assert response.status_code == 400, (address, query)
            page = response.content.decode()
            assert "Prefektur Osaka" not in page and "Dinas ESDM" not in page, (address, query)
    page = text(client.get(culture, {"partner": anhui.pk}))
    assert chips(page) == ["Mitra: Provinsi Anhui"]
    assert "Internal" not in page


def begin_in_2021(agreement):
    """Date ``agreement``'s beginning back to 4 March 2021, its row and its first version, as
    though the bureau had begun it then and kept it internal since; the moment it began."""
    began = timezone.make_aware(datetime.datetime(2021, 3, 4, 9, 0))
    Agreement.objects.filter(pk=agreement.pk).update(created_at=began)
    Agreement.history.model.objects.filter(id=agreement.pk).update(history_date=began)
    return began


def test_the_atom_feed_dates_a_draft_made_public_from_its_publication(client, register):
    """An unsigned draft kept internal since 2021 and then published: the feed's entry is
    published when the public could first read it, not when the bureau began the record."""
    draft = register["internal"]
    draft.status, draft.signed_on, draft.in_force_from, draft.expires_on = (
        "preparation",
        None,
        None,
        None,
    )
    draft.save()
    begin_in_2021(draft)
    draft.refresh_from_db()
    draft.visibility = Agreement.Visibility.PUBLIC
    draft.save()

    root = ET.fromstring(text(client.get(reverse("feed-agreements"))))
    atom = "{http://www.w3.org/2005/Atom}"
    published = {
        entry.findtext(f"{atom}title"): entry.findtext(f"{atom}published") for entry in root
    }
    shown = datetime.datetime.fromisoformat(published[INTERNAL_TITLE])
    assert shown > timezone.now() - datetime.timedelta(hours=1)


def test_the_atom_feed_names_a_draft_made_public_by_nothing_of_its_internal_time(client, register):
    """The entry's id is a tag URI with a date in it: the day the public could first read the
    draft, never the day in 2021 the bureau began it."""
    draft = register["internal"]
    begin_in_2021(draft)
    draft.refresh_from_db()
    draft.visibility = Agreement.Visibility.PUBLIC
    draft.save()

    root = ET.fromstring(text(client.get(reverse("feed-agreements"))))
    atom = "{http://www.w3.org/2005/Atom}"
    ids = {entry.findtext(f"{atom}title"): entry.findtext(f"{atom}id") for entry in root}
    assert "2021" not in ids[INTERNAL_TITLE]
    published = Agreement.objects.with_public_since().get(pk=draft.pk).public_since
    assert f",{published.astimezone(datetime.UTC):%Y-%m-%d}:" in ids[INTERNAL_TITLE]


def test_a_document_uploaded_while_its_agreement_was_internal_is_dated_from_the_publication(
    client, official_client, register
):
    """The signed text uploaded in March 2021 while the agreement was kept internal: the
    public reads it as there since the publication, on the status page and in the downloads,
    as a calendar stamps its steps; an official reads when it was uploaded."""
    internal = register["internal"]
    began = begin_in_2021(internal)
    register["internal_document"].__class__.objects.filter(
        pk=register["internal_document"].pk
    ).update(uploaded_at=began)
    internal.refresh_from_db()
    internal.visibility = Agreement.Visibility.PUBLIC
    internal.save()
    page = internal.get_absolute_url()

    assert "2021" not in text(client.get(page)).split('id="documents-heading"')[1]
    assert "4 Maret 2021" in text(official_client.get(page))
    export = json.loads(text(client.get(reverse("agreement-export", args=["json"]))))
    [uploaded] = [
        row["uploaded_at"] for row in export["documents"] if row["title"] == "Draf tertutup"
    ]
    assert not uploaded.startswith("2021")


def documents_sheet(response):
    """The documents sheet of an XLSX download, as {title: row (a dict by column)}."""
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book["documents"].values)
    return {row[rows[0].index("title")]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_a_document_uploaded_while_its_agreement_was_internal_is_named_without_its_year(
    client, official_client, register
):
    """Stored in March 2021 while its agreement was kept internal, the signed text lies under
    the folder of that year (``documents/2021/``): the public's downloads, which date it from
    the publication, name it without that folder, so its name does not tell the year either.
    An official's name the file where it is stored."""
    internal = register["internal"]
    began = begin_in_2021(internal)
    register["internal_document"].__class__.objects.filter(
        pk=register["internal_document"].pk
    ).update(uploaded_at=began, file="documents/2021/naskah-tertutup.pdf")
    internal.refresh_from_db()
    internal.visibility = Agreement.Visibility.PUBLIC
    internal.save()

    export = json.loads(text(client.get(reverse("agreement-export", args=["json"]))))
    [row] = [row for row in export["documents"] if row["title"] == "Draf tertutup"]
    assert "2021" not in json.dumps(row)
    assert row["file"] == "naskah-tertutup.pdf"
    sheet = documents_sheet(client.get(reverse("agreement-export", args=["xlsx"])))
    assert sheet["Draf tertutup"]["file"] == "naskah-tertutup.pdf"

    export = json.loads(text(official_client.get(reverse("agreement-export", args=["json"]))))
    [row] = [row for row in export["documents"] if row["title"] == "Draf tertutup"]
    assert row["file"] == "documents/2021/naskah-tertutup.pdf"


def test_a_calendar_stamps_no_step_before_its_agreement_was_public(client, register):
    """A step recorded in 2021 while its agreement was internal, the agreement published
    since: the step's event was not issued to the public before the publication."""
    internal = register["internal"]
    began = begin_in_2021(internal)
    step = register["internal_step"]
    step.history.update(history_date=began)
    internal.refresh_from_db()
    internal.visibility = Agreement.Visibility.PUBLIC
    internal.save()

    calendar = Calendar.from_ical(text(client.get(reverse("calendar-region", args=["64"]))))
    stamps = {str(event["SUMMARY"]): event.decoded("DTSTAMP") for event in calendar.walk("VEVENT")}
    [stamp] = [when for summary, when in stamps.items() if "Rapat tertutup" in summary]
    assert stamp > timezone.now() - datetime.timedelta(hours=1)


def test_a_page_built_for_a_signed_in_reader_is_kept_by_no_shared_cache(
    client, official_client, register
):
    """What an official reads (an internal agreement, the list and dashboard counting it, its
    calendar) is marked private to them, so an office's proxy keeps it for no one else; the
    public's pages say no such thing."""
    internal = register["internal"]
    for url in (
        internal.get_absolute_url(),
        reverse("agreement-list"),
        reverse("dashboard"),
        reverse("region-detail", args=[internal.lead_region.code]),
    ):
        response = official_client.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"], url
    public = client.get(register["public"].get_absolute_url())
    assert "private" not in public.get("Cache-Control", "")


def next_step_exported(client, title):
    """(next step, its target, whom it waits on) of the agreement ``title`` in the list's CSV."""
    rows = csv.DictReader(io.StringIO(text(client.get(reverse("agreement-export", args=["csv"])))))
    (row,) = [row for row in rows if row["title"] == title]
    return row["next_milestone"], row["next_milestone_due"], row["waits_on"]


def carrying_out(client, public, **fields):
    """A PKS in preparation carrying out the public MoU ``public`` (its own steps left out),
    with a step waiting on the DPRD in five days; while it is public, the MoU waits for it."""
    public.milestones.all().delete()
    pks = AgreementFactory(
        title="Rencana aksi bersama",
        kind="pks",
        lead_region=public.lead_region,
        follows=public,
        relation=Agreement.Relation.IMPLEMENTS,
        status="preparation",
        signed_on=None,
        in_force_from=None,
        expires_on=None,
        **fields,
    )
    MilestoneFactory(agreement=pks, kind="dprd", due_on=days(5), done_on=None, waits_on="dprd")
    Agreement.objects.filter(pk=pks.pk).refresh_progress()
    assert next_step_exported(client, PUBLIC_TITLE)[1:] == (days(5).isoformat(), "dprd")
    return pks


def test_the_step_of_a_text_moved_to_another_chain_and_kept_internal_is_not_told(
    client, staff_user, register
):
    """A public MoU waits for the step of the public PKS carrying it out. The PKS is then set
    to carry out another text, and later kept internal: the MoU tells nothing of that step any
    more, not on the list, the dashboard or the downloads (each reads the step stored on it)."""
    public = register["public"]
    pks = carrying_out(client, public, scope="ksdpl", partners=[register["open_partner"]])

    other = AgreementFactory(
        title="Nota kesepahaman lain", kind="mou", lead_region=public.lead_region
    )
    for changes in ({"follows": other.pk}, {"visibility": Agreement.Visibility.INTERNAL}):
        pks.refresh_from_db()
        response = logged_in(staff_user).post(change_url(pks), agreement_form_data(pks, **changes))
        assert response.status_code == 302, form_errors(response)

    assert next_step_exported(client, PUBLIC_TITLE) == ("", "", "")
    assert PUBLIC_TITLE not in text(client.get(reverse("agreement-list"), {"waits_on": "dprd"}))
    dashboard = client.get(reverse("dashboard"))
    assert {row["party"]: row["count"] for row in dashboard.context["waiting"]}["dprd"] == 0


def test_the_step_of_a_text_an_import_moves_to_another_chain_and_keeps_internal_is_not_told(
    client, register
):
    """The same, written by the import: one row sets the PKS to carry out another text and
    keeps it internal; the MoU it carried out tells nothing of its step any more."""
    public = register["public"]
    pks = carrying_out(client, public, reference="PKS/7/2025", scope="ksdd")
    AgreementFactory(reference="MOU/8/2025", lead_region=public.lead_region)

    out = io.StringIO()
    columns = ["reference", "title", "kind", "scope", "status", "lead_region_code"]
    columns += ["follows", "relation", "visibility"]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerow(
        {
            "reference": pks.reference,
            "title": pks.title,
            "kind": "pks",
            "scope": "ksdd",
            "status": "preparation",
            "lead_region_code": public.lead_region.code,
            "follows": "MOU/8/2025",
            "relation": "implements",
            "visibility": "internal",
        }
    )
    plan = AgreementImport.from_file(io.BytesIO(out.getvalue().encode()), "kerjasama.csv").apply()
    assert plan.is_valid, [row.errors for row in plan.rows]
    pks.refresh_from_db()
    assert pks.visibility == Agreement.Visibility.INTERNAL and pks.follows.reference == "MOU/8/2025"

    assert next_step_exported(client, PUBLIC_TITLE) == ("", "", "")
    assert PUBLIC_TITLE not in text(client.get(reverse("agreement-list"), {"waits_on": "dprd"}))


def test_the_chain_tells_no_relation_to_an_internal_text_between_two_public_ones(
    client, official_client, register
):
    """A public amendment of an internal extension of a public MoU hangs from the MoU on the
    public chain, with no gap; it is not called an amendment of the MoU, nor of anything: what
    it amends is kept from the public, as its downloads and the change log keep it."""
    public = register["public"]
    extension = AgreementFactory(
        title="Perpanjangan tertutup",
        lead_region=public.lead_region,
        follows=public,
        relation=Agreement.Relation.EXTENDS,
        visibility=Agreement.Visibility.INTERNAL,
    )
    AgreementFactory(
        title="Adendum terbuka",
        kind="pks",
        lead_region=public.lead_region,
        follows=extension,
        relation=Agreement.Relation.AMENDS,
    )
    for reader, shown in ((client, False), (official_client, True)):
        page = text(reader.get(public.get_absolute_url()))
        chain = page.split('<ol class="chain">', 1)[1].split("</ol>", 1)[0]
        assert "Adendum terbuka" in chain
        assert ("Perpanjangan tertutup" in chain) is shown
        assert ("Amendemen / adendum" in chain) is shown


def test_an_ended_text_goes_on_in_the_public_text_its_chain_hangs_from_it(
    client, official_client, kaltim
):
    """A public MoU whose term ran out, extended by an internal text that ran out too, whose
    own public extension is in force: the public chain hangs that extension from the MoU (as
    above), and the MoU's page says its cooperation goes on there, as it says to an official.
    Above that chain it said "Tidak ada: kerja sama ini sudah berakhir"."""
    mou = AgreementFactory(
        title="Nota kesepahaman lama",
        lead_region=kaltim,
        signed_on=datetime.date(2018, 1, 10),
        in_force_from=datetime.date(2018, 1, 10),
        expires_on=datetime.date(2021, 1, 9),
    )
    hidden = AgreementFactory(
        title="Perpanjangan tertutup",
        lead_region=kaltim,
        follows=mou,
        relation=Agreement.Relation.EXTENDS,
        signed_on=datetime.date(2020, 12, 1),
        in_force_from=datetime.date(2021, 1, 10),
        expires_on=datetime.date(2024, 1, 9),
        visibility=Agreement.Visibility.INTERNAL,
    )
    AgreementFactory(
        title="Perpanjangan terbuka",
        lead_region=kaltim,
        follows=hidden,
        relation=Agreement.Relation.EXTENDS,
        signed_on=datetime.date(2023, 12, 1),
        in_force_from=datetime.date(2024, 1, 10),
        expires_on=days(400),
    )
    # An internal text still going on is not passed through: the cooperation goes on there,
    # which the public may not be told, not in the public PKS after it that ran out.
    loi = AgreementFactory(
        title="Pernyataan kehendak terbuka", kind="loi", lead_region=kaltim, expires_on=None
    )
    running = AgreementFactory(
        title="Nota kesepahaman tertutup",
        lead_region=kaltim,
        follows=loi,
        relation=Agreement.Relation.IMPLEMENTS,
        expires_on=days(400),
        visibility=Agreement.Visibility.INTERNAL,
    )
    AgreementFactory(
        title="PKS terbuka",
        kind="pks",
        lead_region=kaltim,
        follows=running,
        relation=Agreement.Relation.IMPLEMENTS,
        expires_on=days(-30),
    )

    def glance(reader, agreement):
        page = text(reader.get(agreement.get_absolute_url()))
        return page.split('id="glance-heading"', 1)[1].split("</section>", 1)[0]

    for reader in (client, official_client):
        summary = glance(reader, mou)
        assert "kerja samanya berlanjut dalam" in summary
        assert "Perpanjangan terbuka" in summary
        assert "Tidak ada: kerja sama ini sudah berakhir" not in summary
        assert "sudah berakhir, dengan" not in glance(reader, loi)

    # A PKS carrying out the MoU within that extension's term runs past nothing, nor does it
    # carry out a text that has ended: the MoU's term goes on there.
    pks = AgreementFactory(
        title="PKS di bawah nota kesepahaman lama",
        kind="pks",
        lead_region=kaltim,
        follows=mou,
        relation=Agreement.Relation.IMPLEMENTS,
        signed_on=datetime.date(2020, 6, 1),
        in_force_from=datetime.date(2020, 6, 1),
        expires_on=days(300),
    )
    for reader in (client, official_client):
        carrying_out = glance(reader, pks)
        assert "melewati jangka waktu" not in carrying_out
        assert "Naskah yang dilaksanakannya sudah berakhir" not in carrying_out
