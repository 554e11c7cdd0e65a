"""Pages of a region, a partner, a partner country and a sector: what each is party to, through
the same filters, chips, sorting and pagination as the list."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import party_views
from agreements.dates import KnownDate
from agreements.models import Agreement, Potential, PotentialSurvey, Scope
from partners.models import Partner
from tests.factories import (
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    RegencyFactory,
    SectorFactory,
    SubdivisionFactory,
    make_official,
)
from tests.helpers import page_problems, titles_in

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def balikpapan(kaltim):
    return RegencyFactory(code="64.71", name="Kota Balikpapan", level="city", province=kaltim)


@pytest.fixture
def education():
    return SectorFactory(slug="education", name_id="Pendidikan", name_en="Education")


@pytest.fixture
def tourism():
    return SectorFactory(slug="tourism", name_id="Pariwisata", name_en="Tourism")


@pytest.fixture
def anhui():
    china = CountryFactory(code="CN")
    return PartnerFactory(
        name="Pemerintah Provinsi Anhui",
        name_local="安徽省人民政府",
        country=china,
        subdivision=SubdivisionFactory(country=china, code="CN-AH", name="Anhui Sheng"),
    )


@pytest.fixture
def hefei(anhui):
    return PartnerFactory(
        name="Kota Hefei", kind=Partner.Kind.FOREIGN_CITY, country=anhui.country, parent=anhui
    )


@pytest.fixture
def register(kaltim, samarinda, balikpapan, bali, anhui, hefei, education, tourism):
    """Kaltim and its cities with Anhui and Hefei, Bali on its own, and one internal record."""
    return {
        "province": AgreementFactory(
            title="Provinsi kembar Kaltim–Anhui",
            lead_region=kaltim,
            partners=[anhui],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.SISTER_PROVINCE,
            sectors=[education, tourism],
        ),
        "city": AgreementFactory(
            title="Kota kembar Samarinda–Hefei",
            lead_region=samarinda,
            partners=[hefei],
            scope=Scope.KSDPL,
            kind=Agreement.Kind.SISTER_CITY,
            sectors=[education],
            signed_on=datetime.date(2025, 3, 1),
            in_force_from=datetime.date(2025, 3, 1),
        ),
        "bali": AgreementFactory(
            title="Pariwisata Bali", lead_region=bali, regions=[kaltim], sectors=[tourism]
        ),
        "internal": AgreementFactory(
            title="Catatan internal Balikpapan–Anhui",
            lead_region=balikpapan,
            partners=[anhui],
            scope=Scope.KSDPL,
            sectors=[education],
            visibility=Agreement.Visibility.INTERNAL,
        ),
    }


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


# -- region ----------------------------------------------------------------------------------


def test_province_page_lists_its_own_and_its_cities_agreements(client, register, kaltim):
    response = page(client, kaltim.get_absolute_url())
    assert set(titles_in(response)) == {
        "Provinsi kembar Kaltim–Anhui",
        "Kota kembar Samarinda–Hefei",
        "Pariwisata Bali",  # Kaltim is a party, not the lead
    }
    assert "3 kerja sama ditemukan" in response.content.decode()


def test_region_page_lists_and_counts_a_dormant_mou_and_its_addendum_once(
    client, kaltim, samarinda
):
    """On a province's list of the dormant, an MoU and its addendum ending with it, both in
    force for a year with nothing done, are one cooperation, listed and counted once under
    the MoU (on PostgreSQL counted from the rows kept for the province); a city's addendum
    ending before its MoU lies dormant on its own."""
    today = timezone.localdate()
    year_ago = today - 366 * ONE_DAY

    def quiet(title, lead_region, follows=None, **kwargs):
        kwargs.setdefault("expires_on", today + 300 * ONE_DAY)
        if follows is not None:
            kwargs.update(kind=Agreement.Kind.AMENDMENT, relation=Agreement.Relation.AMENDS)
        return AgreementFactory(
            title=title,
            lead_region=lead_region,
            follows=follows,
            signed_on=year_ago,
            in_force_from=year_ago,
            **kwargs,
        )

    mou = quiet("MoU Kaltim–Anhui", kaltim)
    quiet("Adendum MoU Kaltim–Anhui", kaltim, follows=mou)
    city = quiet("MoU Samarinda–Hefei", samarinda)
    quiet("Adendum Samarinda berakhir lebih awal", samarinda, city, expires_on=today + ONE_DAY)

    response = page(client, kaltim.get_absolute_url(), dormant="yes")
    assert set(titles_in(response)) == {
        "MoU Kaltim–Anhui",
        "MoU Samarinda–Hefei",
        "Adendum Samarinda berakhir lebih awal",
    }
    assert "3 kerja sama ditemukan" in response.content.decode()


def test_city_page_lists_only_the_citys_agreements(client, register, samarinda):
    response = page(client, samarinda.get_absolute_url())
    assert titles_in(response) == ["Kota kembar Samarinda–Hefei"]
    html = response.content.decode()
    assert 'href="/regions/64/"' in html  # its province, in the breadcrumbs


def test_province_page_links_to_its_regencies_and_cities(client, register, kaltim):
    html = page(client, kaltim.get_absolute_url()).content.decode()
    assert 'href="/regions/64.72/"' in html and "Kota Samarinda" in html
    assert 'href="/regions/64.71/"' in html and "Kota Balikpapan" in html


def test_region_page_shows_the_potentials_it_offers(client, register, kaltim, samarinda, tourism):
    Potential.objects.create(region=kaltim, sector=tourism, title="Wisata Derawan")
    Potential.objects.create(region=samarinda, sector=tourism, title="Wisata Sungai Mahakam")
    province = page(client, kaltim.get_absolute_url()).content.decode()
    assert "Wisata Derawan" in province
    assert "Wisata Sungai Mahakam" in province  # a province shows its cities' potential too
    city = page(client, samarinda.get_absolute_url()).content.decode()
    assert "Wisata Sungai Mahakam" in city
    assert "Wisata Derawan" not in city


@pytest.fixture
def rakor(kaltim, samarinda, balikpapan, tourism, education):
    """A survey Kaltim hosted with its cities, and what it found in each."""
    survey = PotentialSurvey.objects.create(
        title="Rakor Identifikasi Potensi Ekonomi Daerah",
        held_on=datetime.date(2021, 6, 8),
        host_region=kaltim,
        organiser="Pusat Fasilitasi Kerja Sama Kemendagri",
    )
    survey.participants.set([kaltim, samarinda, balikpapan])
    Potential.objects.create(
        region=samarinda, sector=tourism, title="Wisata Sungai Mahakam", survey=survey
    )
    Potential.objects.create(
        region=balikpapan, sector=education, title="Politeknik migas", survey=survey
    )
    Potential.objects.create(region=kaltim, sector=tourism, title="Wisata Derawan")
    return survey


def potential_section(response):
    html = response.content.decode()
    return html.split('id="potentials-heading"')[1].split("</section>")[0]


def test_province_page_shows_its_survey_and_what_it_found_in_each_city(client, kaltim, rakor):
    section = potential_section(page(client, kaltim.get_absolute_url()))
    survey = section.split("<article")[1].split("</article>")[0]
    assert "Rakor Identifikasi Potensi Ekonomi Daerah" in survey
    assert "8 Juni 2021" in survey
    assert "Pusat Fasilitasi Kerja Sama Kemendagri" in survey
    assert "3 daerah" in survey and "Kota Balikpapan" in survey
    assert "Wisata Sungai Mahakam" in survey and "Politeknik migas" in survey
    # Recorded outside the survey: listed after it, not under it.
    assert "Wisata Derawan" not in survey
    assert "Potensi lain yang dicatat" in section and "Wisata Derawan" in section


def test_city_page_shows_the_survey_with_the_citys_own_findings(client, samarinda, rakor):
    section = potential_section(page(client, samarinda.get_absolute_url()))
    assert "Rakor Identifikasi Potensi Ekonomi Daerah" in section
    assert "Wisata Sungai Mahakam" in section
    assert "Politeknik migas" not in section  # Balikpapan's


def test_region_page_filters_potentials_by_sector(client, kaltim, rakor):
    response = page(client, kaltim.get_absolute_url(), potential_sector="education")
    section = potential_section(response)
    assert "Politeknik migas" in section
    assert "Wisata Sungai Mahakam" not in section and "Wisata Derawan" not in section
    assert '<option value="education" selected>' in section
    # The agreement list on the same page is not filtered by it.
    assert response.context["chips"] == []


def test_region_page_filters_applied_keep_the_sector_its_potentials_are_narrowed_to(
    client, kaltim, rakor
):
    """Narrowed to education's potentials, the page's agreement filters, applied, listed every
    sector's potentials again: the filter form dropped ``potential_sector``, where the
    potentials' form keeps the list's filters."""
    html = page(
        client, kaltim.get_absolute_url(), potential_sector="education", kind="mou"
    ).content.decode()
    form = html.split('<form class="filter-form"')[1].split("</form>")[0]

    assert '<input type="hidden" name="potential_sector" value="education">' in form
    assert 'name="kind" value="mou"' in form and 'type="hidden" name="kind"' not in form


def test_region_page_answers_an_unknown_potential_sector_with_400(client, kaltim, rakor):
    response = client.get(kaltim.get_absolute_url(), {"potential_sector": "astrologi"})
    assert response.status_code == 400
    section = potential_section(response)
    assert "Bidang potensi: Tidak ada bidang “astrologi”; pilih salah satu dari daftar." in section
    assert "Wisata Sungai Mahakam" not in section


def test_region_page_answers_a_potential_sector_given_twice_with_400(client, kaltim, rakor):
    response = client.get(kaltim.get_absolute_url(), {"potential_sector": ["tourism", ""]})
    assert response.status_code == 400
    section = potential_section(response)
    assert (
        "Bidang potensi: Isian ini menerima satu nilai saja, tetapi diberi 2 nilai: pilih satu."
        in section
    )
    assert "Wisata Sungai Mahakam" not in section


def test_region_page_download_holds_the_potentials_its_page_shows(client, kaltim, rakor):
    """The page's download links carry its query string, ``potential_sector`` with it: the
    page listed one potential, the file every potential of the province, and its name did not
    say which."""
    section = potential_section(
        page(client, kaltim.get_absolute_url(), potential_sector="education")
    )
    download = client.get(
        reverse("region-export", kwargs={"code": kaltim.code, "file_format": "json"}),
        {"potential_sector": "education"},
    )
    held = json.loads(b"".join(download.streaming_content))

    assert "Politeknik migas" in section and "Wisata Derawan" not in section

    assert [row["title"] for row in held["potentials"]] == ["Politeknik migas"]
    assert "-potensi-education-" in download["Content-Disposition"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_region_page_download_refuses_a_potential_sector_its_page_refuses(
    client, kaltim, rakor, file_format
):
    response = client.get(
        reverse("region-export", kwargs={"code": kaltim.code, "file_format": file_format}),
        {"potential_sector": "astrologi"},
    )

    assert response.status_code == 400
    assert "Bidang potensi: Tidak ada bidang “astrologi”" in response.content.decode()


def test_region_page_filters_sorts_and_shows_chips_like_the_list(
    client, register, kaltim, education
):
    response = page(client, kaltim.get_absolute_url(), sector="education", sort="title")
    assert titles_in(response) == ["Kota kembar Samarinda–Hefei", "Provinsi kembar Kaltim–Anhui"]
    assert [chip["label"] for chip in response.context["chips"]] == ["Bidang"]
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    # The region is the page itself: no region filter to contradict it.
    assert 'name="region"' not in html


def test_region_page_answers_a_bad_filter_with_400(client, register, kaltim):
    response = client.get(kaltim.get_absolute_url(), {"signed_to": "31-02-2024x"})
    assert response.status_code == 400
    assert "Masukkan tanggal yang valid" in response.content.decode()


def test_region_page_paginates(client, samarinda):
    for n in range(27):
        AgreementFactory(title=f"Kegiatan {n:02d}", lead_region=samarinda)
    response = page(client, samarinda.get_absolute_url(), page="2")
    assert len(titles_in(response)) == 2


def test_unknown_region_is_not_found(client, db):
    assert client.get(reverse("region-detail", args=["99"])).status_code == 404


# -- partner ---------------------------------------------------------------------------------


def test_partner_page_lists_its_agreements_and_who_it_is(client, register, anhui, hefei):
    response = page(client, anhui.get_absolute_url())
    assert titles_in(response) == ["Provinsi kembar Kaltim–Anhui"]
    html = response.content.decode()
    assert "安徽省人民政府" in html
    assert "Anhui Sheng (CN-AH)" in html
    assert 'href="/countries/CN/"' in html
    assert hefei.get_absolute_url() in html  # a city of this partner


def test_partner_page_of_a_city_links_to_its_parent(client, register, anhui, hefei):
    html = page(client, hefei.get_absolute_url()).content.decode()
    assert anhui.get_absolute_url() in html


def text_of(response):
    """What a reader sees of a page: its text, spaces as they read."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def xiangyang(samarinda):
    """A city renamed: Xiangfan (襄樊) became Xiangyang in 2010."""
    partner = PartnerFactory(
        name="Pemerintah Kota Xiangyang",
        name_local="襄阳市人民政府",
        former_names="Kota Xiangfan\n襄樊市",
        kind=Partner.Kind.FOREIGN_CITY,
        country=CountryFactory(code="CN"),
    )
    AgreementFactory(
        title="Kota kembar Samarinda dan Xiangfan",
        lead_region=samarinda,
        partners=[partner],
        scope=Scope.KSDPL,
    )
    return partner


def test_partner_page_says_what_the_partner_was_called_before(
    client, xiangyang, django_assert_num_queries
):
    # As many queries as a partner without former names: they are a column of its row.
    with django_assert_num_queries(10):
        response = page(client, xiangyang.get_absolute_url())
    text = text_of(response)
    assert "Pemerintah Kota Xiangyang 襄阳市人民政府 dahulu: Kota Xiangfan; 襄樊市 Negara" in text
    assert titles_in(response) == ["Kota kembar Samarinda dan Xiangfan"]
    assert page_problems(response.content.decode()) == []


def test_partner_page_without_former_names_says_nothing_of_them(client, register, anhui):
    assert "dahulu" not in text_of(page(client, anhui.get_absolute_url()))


def test_partner_page_shows_former_names_as_changed_and_as_text_never_as_markup(client, xiangyang):
    assert "dahulu: Kota Xiangfan; 襄樊市" in text_of(page(client, xiangyang.get_absolute_url()))
    xiangyang.former_names = "<b>Kota Xiangfan</b> & Co"
    xiangyang.save()
    html = page(client, xiangyang.get_absolute_url()).content.decode()
    assert "dahulu: &lt;b&gt;Kota Xiangfan&lt;/b&gt; &amp; Co" in html


def test_former_names_of_a_partner_of_internal_agreements_only_are_kept_from_the_public(
    client, kaltim, django_user_model
):
    """Partners are public records, but one named only by internal agreements is as hidden as
    they are (``PartnerQuerySet.visible_to``): its page, and so its former names, too."""
    merged = PartnerFactory(
        name="Universitas Negeri Gorontalo",
        former_names="IKIP Negeri Gorontalo",
        kind=Partner.Kind.UNIVERSITY,
        country=CountryFactory(code="ID"),
    )
    AgreementFactory(
        title="Rencana beasiswa guru",
        lead_region=kaltim,
        partners=[merged],
        scope=Scope.KSDPK,
        visibility=Agreement.Visibility.INTERNAL,
    )

    response = client.get(merged.get_absolute_url())
    assert response.status_code == 404
    assert "IKIP" not in response.content.decode()
    client.force_login(make_official(django_user_model))
    assert "dahulu: IKIP Negeri Gorontalo" in text_of(page(client, merged.get_absolute_url()))


def test_unknown_partner_is_not_found(client, db):
    assert client.get(reverse("partner-detail", args=[999])).status_code == 404


# -- country ---------------------------------------------------------------------------------


def test_country_page_lists_agreements_with_its_partners_and_the_partners(client, register):
    response = page(client, reverse("country-detail", args=["CN"]))
    assert set(titles_in(response)) == {
        "Provinsi kembar Kaltim–Anhui",
        "Kota kembar Samarinda–Hefei",
    }
    html = response.content.decode()
    assert "Tiongkok" in html
    assert "Pemerintah Provinsi Anhui" in html and "Kota Hefei" in html


def test_country_code_is_case_insensitive(client, register):
    assert client.get(reverse("country-detail", args=["cn"])).status_code == 200


def test_country_page_filters_by_partner_within_the_country(client, register, hefei):
    response = page(client, reverse("country-detail", args=["CN"]), partner=hefei.pk)
    assert titles_in(response) == ["Kota kembar Samarinda–Hefei"]


def test_country_page_names_no_partner_known_only_from_internal_agreements(client, register):
    secret = PartnerFactory(name="Mitra Rahasia Jepang", country=CountryFactory(code="JP"))
    register["internal"].partners.add(secret)
    html = page(client, reverse("country-detail", args=["JP"])).content.decode()
    assert "Mitra Rahasia Jepang" not in html


def test_unknown_country_is_not_found(client, db):
    assert client.get(reverse("country-detail", args=["XX"])).status_code == 404


def korea_with_partners(count, secret=False):
    """Korea with ``count`` partners, "Kota Korea 000" onwards, all party to one public
    agreement; with ``secret``, one more ("Kota Korea Rahasia") party only to an internal
    one."""
    korea = CountryFactory(code="KR", name_id="Korea Selatan")
    partners = [PartnerFactory(name=f"Kota Korea {n:03}", country=korea) for n in range(count)]
    AgreementFactory(title="Jejaring kota Korea", partners=partners)
    if secret:
        AgreementFactory(
            title="Catatan internal Korea",
            partners=[PartnerFactory(name="Kota Korea Rahasia", country=korea)],
            visibility=Agreement.Visibility.INTERNAL,
        )
    return korea


def partner_names(response):
    """The names in a country page's list of partners (not those in its agreements' rows)."""
    listed = re.search(r'<ul class="columns-list">(.*?)</ul>', response.content.decode(), re.S)
    return re.findall(r'<a href="/partners/\d+/">([^<]*)</a>', listed[1]) if listed else []


def test_country_page_lists_its_first_partners_by_name_and_leads_to_them_all(client):
    shown = party_views.PARTNERS_SHOWN
    korea_with_partners(shown + 2)
    response = page(client, reverse("country-detail", args=["KR"]))
    assert partner_names(response) == [f"Kota Korea {n:03}" for n in range(shown)]
    html = response.content.decode()
    assert f"Menampilkan {shown} pertama menurut abjad dari {shown + 2} mitra." in html
    assert f'<a href="{reverse("country-partners", args=["KR"])}">' in html
    # The agreements are still listed below.
    assert titles_in(response) == ["Jejaring kota Korea"]


def test_country_page_with_no_more_partners_than_it_shows_lists_them_all_without_a_link(client):
    shown = party_views.PARTNERS_SHOWN
    korea_with_partners(shown)
    response = page(client, reverse("country-detail", args=["KR"]))
    assert len(partner_names(response)) == shown
    html = response.content.decode()
    assert "pertama menurut abjad" not in html
    assert reverse("country-partners", args=["KR"]) not in html


def test_country_partner_list_pages_through_all_of_them(client, monkeypatch):
    monkeypatch.setattr(party_views, "PARTNERS_PAGE_SIZE", 25)
    korea_with_partners(62)
    url = reverse("country-partners", args=["KR"])
    first = page(client, url)
    html = first.content.decode()
    assert "<h1>Mitra dari Korea Selatan</h1>" in html
    assert "62 mitra, menurut abjad." in html and "Menampilkan 1–25." in html
    assert 'aria-label="Halaman hasil"' in html and "page=3" in html
    names = partner_names(first) + partner_names(page(client, url, page=2))
    last = page(client, url, page=3)
    assert "Menampilkan 51–62." in last.content.decode()
    assert names + partner_names(last) == [f"Kota Korea {n:03}" for n in range(62)]


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("4", "Halaman 4 tidak ada; hasil ini ada 3 halaman."),
        ("0", "Halaman 0 tidak ada; hasil ini ada 3 halaman."),
        ("-1", "Halaman -1 tidak ada; hasil ini ada 3 halaman."),
        ("999", "Halaman 999 tidak ada; hasil ini ada 3 halaman."),
        ("99999999999999999999", "Halaman 99999999999999999999 tidak ada"),
        ("dua", "Nomor halaman harus bilangan bulat positif."),
        ("abc", "Nomor halaman harus bilangan bulat positif."),
        (["2", "3"], "Isian ini menerima satu nilai saja, tetapi diberi 2 nilai: pilih satu."),
    ],
)
def test_country_partner_list_page_that_is_not_one_is_refused_as_on_the_list(
    client, monkeypatch, number, says
):
    """A bare 404 said nothing; the list of agreements says what is wrong with the number."""
    monkeypatch.setattr(party_views, "PARTNERS_PAGE_SIZE", 25)
    korea_with_partners(62)
    url = reverse("country-partners", args=["KR"])
    response = client.get(url, {"page": number})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Halaman: {says}" in html
    assert f'href="{url}"' in html  # back to the first page
    assert "Belum ada mitra" not in html


def test_country_partner_list_of_an_unknown_country_is_not_found(client, db):
    assert client.get(reverse("country-partners", args=["XX"])).status_code == 404


def test_country_partner_list_of_a_country_without_partners_says_so(client, db):
    CountryFactory(code="KR")
    html = page(client, reverse("country-partners", args=["kr"])).content.decode()
    assert "Belum ada mitra dari negara ini." in html


def test_public_never_sees_a_partner_known_only_from_internal_agreements_nor_counts_it(
    client, django_user_model
):
    shown = party_views.PARTNERS_SHOWN
    korea_with_partners(shown, secret=True)
    country = reverse("country-detail", args=["KR"])
    partners = reverse("country-partners", args=["KR"])
    # The public: exactly as many as the country page shows, so no count and no link.
    html = page(client, country).content.decode()
    assert "Kota Korea Rahasia" not in html and partners not in html
    html = page(client, partners).content.decode()
    assert "Kota Korea Rahasia" not in html and f"{shown} mitra, menurut abjad." in html
    # An official knows of it, and of one more partner than the page shows.
    client.force_login(make_official(django_user_model))
    html = page(client, country).content.decode()
    assert f"Menampilkan {shown} pertama menurut abjad dari {shown + 1} mitra." in html
    assert partners in html
    html = page(client, partners).content.decode()
    assert "Kota Korea Rahasia" in html and f"{shown + 1} mitra, menurut abjad." in html


# -- sector ----------------------------------------------------------------------------------


def test_sector_page_lists_its_agreements(client, register, education):
    response = page(client, education.get_absolute_url())
    assert set(titles_in(response)) == {
        "Provinsi kembar Kaltim–Anhui",
        "Kota kembar Samarinda–Hefei",
    }


def test_sector_page_combines_with_a_province(client, register, tourism):
    response = page(client, tourism.get_absolute_url(), region="51")
    assert titles_in(response) == ["Pariwisata Bali"]


def test_sector_name_follows_the_language(client, register, education):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = page(client, education.get_absolute_url()).content.decode()
    assert "<h1>Education</h1>" in html


def test_sector_page_download_holds_the_potentials_its_page_shows(client, education, rakor):
    """The sector page lists the regions' potentials in its sector; its download held every
    sector's (the tourism of Samarinda and Derawan in the file of the education page)."""
    html = page(client, education.get_absolute_url()).content.decode()
    download = client.get(
        reverse("sector-export", kwargs={"slug": education.slug, "file_format": "json"})
    )
    held = json.loads(b"".join(download.streaming_content))

    assert "Politeknik migas" in html and "Wisata Derawan" not in html
    assert [row["title"] for row in held["potentials"]] == ["Politeknik migas"]


def test_sector_page_narrowed_to_a_province_lists_and_downloads_its_potentials(
    client, education, rakor, bali
):
    """Narrowed to Kalimantan Timur, the sector page listed Bali's potential beside its cities'
    though its download, as the list's region filter does, held only Kalimantan Timur's."""
    Potential.objects.create(region=bali, sector=education, title="Sekolah seni tari")
    html = page(client, education.get_absolute_url(), region="64").content.decode()
    download = client.get(
        reverse("sector-export", kwargs={"slug": education.slug, "file_format": "json"}),
        {"region": "64"},
    )
    held = json.loads(b"".join(download.streaming_content))

    assert "Politeknik migas" in html and "Sekolah seni tari" not in html
    assert [row["title"] for row in held["potentials"]] == ["Politeknik migas"]


def test_unknown_sector_is_not_found(client, db):
    assert client.get(reverse("sector-detail", args=["tidak-ada"])).status_code == 404


# -- visibility on every subject page --------------------------------------------------------


def subject_urls(register, kaltim, balikpapan, anhui, education):
    return [
        kaltim.get_absolute_url(),
        balikpapan.get_absolute_url(),
        anhui.get_absolute_url(),
        reverse("country-detail", args=["CN"]),
        education.get_absolute_url(),
    ]


def test_anonymous_reader_sees_no_internal_agreement_on_any_subject_page(
    client, register, kaltim, balikpapan, anhui, education
):
    for url in subject_urls(register, kaltim, balikpapan, anhui, education):
        html = page(client, url).content.decode()
        assert "Catatan internal Balikpapan–Anhui" not in html, url
    # Balikpapan's only agreement is internal: the public count is zero.
    assert "0 kerja sama ditemukan" in page(client, balikpapan.get_absolute_url()).content.decode()


def test_official_sees_internal_agreements_on_subject_pages(
    client, register, kaltim, balikpapan, anhui, education, django_user_model
):
    client.force_login(make_official(django_user_model))
    for url in subject_urls(register, kaltim, balikpapan, anhui, education):
        assert "Catatan internal Balikpapan–Anhui" in page(client, url).content.decode(), url


# -- page quality and queries ----------------------------------------------------------------


def test_subject_pages_are_well_formed_and_accessible(
    client, register, kaltim, balikpapan, anhui, education, tourism
):
    Potential.objects.create(region=kaltim, sector=tourism, title="Wisata Derawan")
    for url in [
        *subject_urls(register, kaltim, balikpapan, anhui, education),
        reverse("country-partners", args=["CN"]),
    ]:
        assert page_problems(page(client, url).content.decode()) == [], url


def build(rows, kaltim, samarinda, anhui, education):
    for _n in range(rows):
        AgreementFactory(
            lead_region=samarinda,
            regions=[kaltim],
            partners=[anhui],
            scope=Scope.KSDPL,
            sectors=[education],
        )


@pytest.mark.parametrize("rows", [1, 15])
def test_region_page_queries_do_not_grow_with_rows(
    client, kaltim, samarinda, anhui, education, tourism, rows, django_assert_num_queries
):
    build(rows, kaltim, samarinda, anhui, education)
    for n in range(rows):
        survey = PotentialSurvey.objects.create(
            title=f"Rakor {n}", held_on=datetime.date(2021, 6, 8), host_region=kaltim
        )
        survey.participants.set([kaltim, samarinda])
        Potential.objects.create(region=samarinda, sector=tourism, title=f"P{n}", survey=survey)
        Potential.objects.create(region=kaltim, sector=tourism, title=f"Wisata {n}")
    today = timezone.localdate()
    for n, agreement in enumerate(Agreement.objects.all()):
        MilestoneFactory(agreement=agreement, title=f"Rapat terlambat {n}", due_on=today - ONE_DAY)
        MilestoneFactory(agreement=agreement, title=f"Rapat mendatang {n}", due_on=today + ONE_DAY)
    # Every one of them expiring within 30 days, listed as needing attention.
    Agreement.objects.update(expires_on=today + 30 * ONE_DAY)
    # 1 the region with its province; 2 sectors, 3 partners, 4 countries, 5 agencies for the
    # form (no region list: the page fixes the region); 6 the ids of the province and its
    # regencies and cities, which the party filter names as numbers; 7 COUNT, 8 page of
    # agreements, 9–11 their regions, partners and sectors; 12 the sectors of the potentials'
    # filter; 13 its potentials; 14 the surveys it hosted or took part in, with their hosts,
    # 15 their participants; 16 its regencies and cities; what needs attention, each list's
    # nearest read with how many there are in all: 17 the agreements expiring soon (by their
    # SQL compiled once a day, ``read_compiled_once``), 18 their lead regions, 19 the steps
    # late and those coming due, together, numbered by their ids, 20 the first of each read
    # whole with their agreements; 21 the provinces, 22 agreements per province and 23 per
    # outline, for the map.
    with django_assert_num_queries(23):
        response = client.get(kaltim.get_absolute_url())
    assert len(titles_in(response)) == rows
    assert len(response.context["surveys"]) == rows
    shown = min(rows, 10)
    text = response.content.decode()
    assert text.count("Rapat terlambat") == text.count("Rapat mendatang") == shown
    if rows > shown:
        assert f"Menampilkan {shown} yang paling lama dari {rows} tahapan terlambat" in text
    assert "Berakhir dalam 30 hari" in text
    # A chosen sector is checked: one query more.
    with django_assert_num_queries(24):
        response = client.get(kaltim.get_absolute_url(), {"potential_sector": "tourism"})
    assert len(response.context["potentials"]) == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_partner_page_queries_do_not_grow_with_rows(
    client, kaltim, samarinda, anhui, education, rows, django_assert_num_queries
):
    build(rows, kaltim, samarinda, anhui, education)
    # 1 the partner with country, subdivision and parent; 2 sectors, 3 regions and 4 agencies
    # for the form (the partner and country lists are left out: the page fixes them); 5 COUNT,
    # 6 page, 7–9 prefetches; 10 the partner's children.
    with django_assert_num_queries(10):
        response = client.get(anhui.get_absolute_url())
    assert len(titles_in(response)) == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_country_page_queries_do_not_grow_with_rows(
    client, kaltim, samarinda, anhui, education, rows, django_assert_num_queries
):
    build(rows, kaltim, samarinda, anhui, education)
    # 1 the country; 2 sectors, 3 regions, 4 partners, 5 agencies for the form; 6 COUNT,
    # 7 page, 8–10 prefetches; 11 agreements per partner country (the map); 12 the country's
    # first partners, each with how many there are in all.
    with django_assert_num_queries(12):
        response = client.get(reverse("country-detail", args=["CN"]))
    assert len(titles_in(response)) == rows


@pytest.mark.parametrize("partners", [3, 250])
def test_country_pages_queries_do_not_grow_with_its_partners(
    client, partners, monkeypatch, django_assert_num_queries
):
    korea_with_partners(partners)
    monkeypatch.setattr(party_views, "PARTNERS_PAGE_SIZE", 100)
    # As above, with one agreement listed: 12 queries however many partners it has.
    with django_assert_num_queries(12):
        response = client.get(reverse("country-detail", args=["KR"]))
    assert len(partner_names(response)) == min(partners, party_views.PARTNERS_SHOWN)
    # 1 the country, 2 how many partners it has, 3 the page's partners: on any page.
    url = reverse("country-partners", args=["KR"])
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(partner_names(response)) == min(partners, 100)
    if partners > 200:
        with django_assert_num_queries(3):
            response = client.get(url, {"page": 3})
        assert len(partner_names(response)) == partners - 200


@pytest.mark.parametrize("rows", [1, 15])
def test_sector_page_queries_do_not_grow_with_rows(
    client, kaltim, samarinda, anhui, education, rows, django_assert_num_queries
):
    build(rows, kaltim, samarinda, anhui, education)
    # 1 the sector; 2 regions, 3 partners, 4 countries, 5 agencies for the form; 6 COUNT,
    # 7 page, 8–10 prefetches; 11 potentials in the sector.
    with django_assert_num_queries(11):
        response = client.get(education.get_absolute_url())
    assert len(titles_in(response)) == rows


def test_region_page_shows_what_needs_attention_as_the_digest_does(client, kaltim, samarinda, bali):
    import datetime

    from django.utils import timezone

    from tests.factories import AgreementFactory, MilestoneFactory

    today = timezone.localdate()
    signed = today.replace(year=today.year - 2)

    def expiring(region, title, days, **extra):
        return AgreementFactory(
            lead_region=region,
            title=title,
            signed_on=signed,
            in_force_from=None,
            expires_on=today + datetime.timedelta(days=days),
            **extra,
        )

    soon = expiring(samarinda, "Kerja sama Samarinda berakhir", 80)
    overdue = today - datetime.timedelta(days=5)
    MilestoneFactory(agreement=soon, title="Evaluasi tertunda", due_on=overdue)
    hidden = expiring(kaltim, "Kerja sama internal berakhir", 20, visibility="internal")
    expiring(bali, "Kerja sama Bali berakhir", 20)

    html = client.get(kaltim.get_absolute_url()).content.decode()
    attention = html.split('id="needs-attention-title"')[1].split("</section>")[0]
    assert "Berakhir dalam 90 hari" in attention and soon.title in attention
    assert "Evaluasi tertunda" in attention
    # Under its list's heading, a late step says once, in words, how late it is.
    (late,) = [item for item in attention.split("<li>") if "Evaluasi tertunda" in item]
    assert re.sub(r"<[^>]+>|\s+", " ", late).lower().count("terlambat") == 1
    assert "terlambat 5 hari" in " ".join(re.sub(r"<[^>]+>", " ", late).split())
    assert hidden.title not in attention  # internal: not for the public
    assert "Kerja sama Bali berakhir" not in attention  # another province


def test_a_region_page_lists_its_ten_longest_late_steps_and_leads_to_the_rest(client, samarinda):
    """However many steps are late, the page lists the ten longest late, says how many there
    are, and leads to its own list of the cooperations with a step late."""
    from django.utils import timezone

    from tests.factories import MilestoneFactory

    today = timezone.localdate()
    agreement = AgreementFactory(lead_region=samarinda, title="Kerja sama yang banyak terlambat")
    for n in range(12):
        MilestoneFactory(
            agreement=agreement,
            title=f"Langkah terlambat {n:02d}",
            due_on=today - datetime.timedelta(days=100 - n),
        )
    html = client.get(samarinda.get_absolute_url()).content.decode()
    attention = html.split('id="needs-attention-title"')[1].split("</section>")[0]
    assert [f"Langkah terlambat {n:02d}" in attention for n in range(12)] == [True] * 10 + [
        False
    ] * 2
    assert "Menampilkan 10 yang paling lama dari 12 tahapan terlambat." in attention
    assert 'href="?late=yes"' in attention
    listed = client.get(samarinda.get_absolute_url(), {"late": "yes"})
    assert titles_in(listed) == [agreement.title]


def test_a_region_page_lists_ten_of_the_late_and_ten_of_the_coming_each_counted(client, samarinda):
    """Twelve steps late and eleven coming due, read together: each list holds its own ten
    nearest (the longest late, the soonest due) and says how many it has; a step due past the
    notice window and one already done are in neither."""
    from django.utils import timezone

    from tests.factories import MilestoneFactory

    today = timezone.localdate()
    agreement = AgreementFactory(lead_region=samarinda, title="Kerja sama yang sibuk")
    for n in range(12):
        MilestoneFactory(
            agreement=agreement,
            title=f"Terlambat {n:02d}",
            due_on=today - datetime.timedelta(days=50 - n),
        )
    for n in range(11):
        MilestoneFactory(
            agreement=agreement, title=f"Segera {n:02d}", due_on=today + datetime.timedelta(days=n)
        )
    MilestoneFactory(agreement=agreement, title="Nanti saja", due_on=today + datetime.timedelta(40))
    MilestoneFactory(
        agreement=agreement,
        title="Sudah selesai",
        due_on=today - datetime.timedelta(days=90),
        done_on=today - datetime.timedelta(days=60),
    )
    html = client.get(samarinda.get_absolute_url()).content.decode()
    attention = html.split('id="needs-attention-title"')[1].split("</section>")[0]
    assert [f"Terlambat {n:02d}" in attention for n in range(12)] == [True] * 10 + [False] * 2
    assert [f"Segera {n:02d}" in attention for n in range(11)] == [True] * 10 + [False]
    assert attention.index("Terlambat 09") < attention.index("Segera 00")
    assert "Menampilkan 10 yang paling lama dari 12 tahapan terlambat." in attention
    assert "Menampilkan 10 yang paling dekat dari 11 tahapan yang jatuh tempo." in attention
    assert "Nanti saja" not in attention and "Sudah selesai" not in attention
    # Each step names its cooperation's lead region, as the expiring do; a step coming due
    # says in how many days.
    items = {
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in attention.split("<li>")[1:]
        if "Terlambat 00" in item or "Segera 03" in item
    }
    assert all("(Kota Samarinda)" in item for item in items) and len(items) == 2
    assert any("Segera 03" in item and "3 hari lagi" in item for item in items)


def test_a_region_page_lists_its_ten_soonest_expiring_and_leads_to_them_all(client, samarinda):
    """Twelve agreements expiring within months: the page lists the ten soonest, says there
    are twelve, and its link lists all twelve on the page's own list, soonest first."""
    from django.utils import timezone

    today = timezone.localdate()
    for n in range(12):
        AgreementFactory(
            lead_region=samarinda,
            title=f"Berakhir segera {n:02d}",
            signed_on=today.replace(year=today.year - 3),
            in_force_from=None,
            expires_on=today + datetime.timedelta(days=20 + n),
        )
    html = client.get(samarinda.get_absolute_url()).content.decode()
    attention = html.split('id="needs-attention-title"')[1].split("</section>")[0]
    assert [f"Berakhir segera {n:02d}" in attention for n in range(12)] == [True] * 10 + [False] * 2
    assert "Menampilkan 10 yang paling dekat dari 12 kerja sama yang segera berakhir." in attention
    link = attention.split('<a href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    listed = client.get(f"{samarinda.get_absolute_url()}?{link}")
    assert titles_in(listed) == [f"Berakhir segera {n:02d}" for n in range(12)]


def test_a_region_page_needs_attention_once_for_an_mou_and_the_addendum_ending_with_it(
    client, samarinda
):
    """ "MoU X" and "Adendum MoU X", ending the same day, are one cooperation expiring: the page
    lists the MoU, counts it once, and its link lists the same rows."""
    from django.utils import timezone

    today = timezone.localdate()
    for n in range(11):
        AgreementFactory(
            lead_region=samarinda,
            title=f"Berakhir segera {n:02d}",
            signed_on=today.replace(year=today.year - 3),
            in_force_from=None,
            expires_on=today + datetime.timedelta(days=20 + n),
        )
    mou = AgreementFactory(
        lead_region=samarinda,
        title="MoU X",
        signed_on=today.replace(year=today.year - 3),
        in_force_from=None,
        expires_on=today + datetime.timedelta(days=10),
    )
    AgreementFactory(
        lead_region=samarinda,
        title="Adendum MoU X",
        kind="amendment",
        follows=mou,
        relation="amends",
        signed_on=today.replace(year=today.year - 1),
        in_force_from=None,
        expires_on=mou.expires_on,
    )
    html = client.get(samarinda.get_absolute_url()).content.decode()
    attention = html.split('id="needs-attention-title"')[1].split("</section>")[0]
    assert "MoU X" in attention
    assert "Adendum MoU X" not in attention
    assert "Menampilkan 10 yang paling dekat dari 12 kerja sama yang segera berakhir." in attention
    link = attention.split('<a href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    listed = client.get(f"{samarinda.get_absolute_url()}?{link}")
    assert titles_in(listed) == ["MoU X", *(f"Berakhir segera {n:02d}" for n in range(11))]


def test_a_region_page_says_today_of_what_expires_or_falls_due_today_as_the_dashboard_does(
    client, samarinda
):
    """Not "0 hari lagi": the dashboard and the status page say "hari ini"."""
    from tests.factories import MilestoneFactory

    today = timezone.localdate()
    agreement = AgreementFactory(
        lead_region=samarinda,
        title="Berakhir hari ini",
        signed_on=today.replace(year=today.year - 3),
        in_force_from=None,
        expires_on=today,
    )
    MilestoneFactory(agreement=agreement, title="Monev hari ini", due_on=today)

    html = client.get(samarinda.get_absolute_url()).content.decode()

    attention = html.split('id="needs-attention-title"')[1].split("</section>")[0]
    items = [
        " ".join(re.sub(r"<[^>]+>", " ", item.split("</li>")[0]).split())
        for item in attention.split("<li>")[1:]
    ]
    expiring = next(item for item in items if "Berakhir hari ini (Kota Samarinda)" in item)
    step = next(item for item in items if "Monev hari ini" in item)
    for item in (expiring, step):
        assert item.endswith("— hari ini"), item
        assert "0 hari lagi" not in item


def test_a_country_or_sector_page_offers_only_the_provinces_its_agreements_reach(
    client, kaltim, samarinda, bali
):
    """Each province offered in a subject page's region filter lists something: one is offered
    where it or one of its regencies and cities is party to the subject's agreements, with "the
    whole province" first, and no other (every province offered left most choices empty)."""
    china = CountryFactory(code="CN", name_id="Tiongkok")
    trade = SectorFactory(slug="perdagangan", name_id="Perdagangan")
    AgreementFactory(
        lead_region=samarinda,
        regions=[samarinda],
        partners=[PartnerFactory(country=china)],
        sectors=[trade],
    )
    AgreementFactory(lead_region=bali, regions=[bali])  # Bali's: neither China's nor trade's
    RegencyFactory(code="51.71", name="Kota Denpasar", province=bali, level="city")

    for url in (
        reverse("country-detail", args=["CN"]),
        reverse("sector-detail", args=["perdagangan"]),
    ):
        content = page(client, url).content.decode()
        assert '<option value="64">Seluruh Kalimantan Timur</option>' in content
        assert '<option value="64.72">Kota Samarinda</option>' in content
        assert "Seluruh Bali" not in content
        # The province chosen lists its regency's agreement.
        assert "1 kerja sama ditemukan." in page(client, url, region="64").content.decode()
        # A region chosen that the list would not offer (a shared link) is offered all the
        # same, under its own province.
        content = page(client, url, region="51.71").content.decode()
        assert re.search(
            r'<optgroup label="Bali"><option value="51">Seluruh Bali</option>'
            r'<option value="51.71"[^>]*>Kota Denpasar</option></optgroup>',
            content,
        )


def test_a_step_due_in_a_month_or_year_says_its_days_left_are_at_the_latest(client, samarinda):
    """A step due "this month" is listed among those due within two weeks from the month's
    first day, but the days it says are left run to the month's last day: "paling lambat 24 hari
    lagi", not "24 hari lagi" under a heading of 14 days. A step due on a day says its days."""
    from tests.factories import MilestoneFactory

    today = timezone.localdate()
    agreement = AgreementFactory(lead_region=samarinda, title="Kerja sama bertahap")
    MilestoneFactory(
        agreement=agreement,
        title="Monev bulan ini",
        due_on=today.replace(day=1),
        due_on_precision="month",
    )
    MilestoneFactory(
        agreement=agreement, title="Rapat tiga hari lagi", due_on=today + datetime.timedelta(3)
    )

    html = client.get(samarinda.get_absolute_url()).content.decode()

    attention = html.split('id="needs-attention-title"')[1].split("</section>")[0]
    items = [
        " ".join(re.sub(r"<[^>]+>", " ", item.split("</li>")[0]).split())
        for item in attention.split("<li>")[1:]
    ]
    in_month = next(item for item in items if "Monev bulan ini" in item)
    month_end = KnownDate(today.replace(day=1), "month").end
    left = (month_end - today).days
    said = "paling lambat hari ini" if left == 0 else f"paling lambat {left} hari lagi"
    assert said in in_month, in_month
    on_a_day = next(item for item in items if "Rapat tiga hari lagi" in item)
    assert "— 3 hari lagi" in on_a_day and "paling lambat" not in on_a_day


def empty_state(html):
    """The words a list shows where it has no row to list."""
    found = re.search(r'<p class="empty">(.*?)</p>', html.split('id="results"', 1)[1], re.S)
    return " ".join(found.group(1).split()) if found else None


def test_a_region_with_no_agreement_says_so_not_that_nothing_matches_a_filter(
    client, kaltim, balikpapan
):
    """A regency no agreement names, opened with nothing chosen: its page said "Tidak ada kerja
    sama yang cocok dengan filter ini" to a reader who had chosen no filter. It says there is
    none yet; a filter the reader chose that leaves nothing says so, as before."""
    AgreementFactory(lead_region=kaltim, title="Kerja sama provinsi")

    page = client.get(balikpapan.get_absolute_url()).content.decode()
    assert empty_state(page) == "Belum ada kerja sama."

    filtered = client.get(balikpapan.get_absolute_url(), {"status": "in_force"}).content.decode()
    assert empty_state(filtered) == "Tidak ada kerja sama yang cocok dengan filter ini."
    searched = client.get(reverse("agreement-list"), {"q": "zzzqqq"}).content.decode()
    assert empty_state(searched) == "Tidak ada kerja sama yang cocok dengan filter ini."


def test_the_change_log_of_a_register_with_no_change_says_none_is_recorded(client, kaltim):
    """Nothing recorded yet: the change log said no change matched a filter nobody chose."""
    page = client.get(reverse("change-log")).content.decode()
    assert empty_state(page) == "Belum ada perubahan yang tercatat."
    filtered = client.get(reverse("change-log"), {"status": "in_force"}).content.decode()
    assert empty_state(filtered) == "Tidak ada perubahan yang cocok dengan filter ini."


def test_an_officials_country_pages_mark_a_partner_known_only_from_internal_agreements(
    client, kaltim, django_user_model
):
    """The public's country page lists no partner named by internal agreements alone; an
    official's lists it, and said nothing of it: printed or passed on, the page named to the
    public a partner it may not know of. Their list of the country's partners, on its page and
    on the page of them all, marks it "Internal", as an internal agreement's row is marked."""
    australia = CountryFactory(code="AU")
    wa = PartnerFactory(name="Western Australia", country=australia)
    perth = PartnerFactory(name="Kota Perth", country=australia, parent=wa, kind="foreign_city")
    AgreementFactory(
        title="MoU Kaltim Western Australia", lead_region=kaltim, scope="ksdpl", partners=[wa]
    )
    AgreementFactory(
        title="Rancangan Kaltim Perth",
        lead_region=kaltim,
        scope="ksdpl",
        partners=[perth],
        visibility=Agreement.Visibility.INTERNAL,
    )

    def listed(response):
        items = re.search(r'<ul class="columns-list">(.*?)</ul>', response.content.decode(), re.S)
        return {
            re.search(r">([^<]*)</a>", item)[1]: "badge-internal" in item
            for item in re.findall(r"<li>(.*?)</li>", items[1], re.S)
        }

    official = make_official(django_user_model)
    for url in (reverse("country-detail", args=["AU"]), reverse("country-partners", args=["AU"])):
        assert listed(page(client, url)) == {"Western Australia": False}
        client.force_login(official)
        assert listed(page(client, url)) == {"Kota Perth": True, "Western Australia": False}
        # Published, it is marked no more, on the page kept since as on a fresh one.
        Agreement.objects.filter(title="Rancangan Kaltim Perth").update(visibility="public")
        Agreement.objects.filter(title="Rancangan Kaltim Perth").first().save()
        assert listed(page(client, url)) == {"Kota Perth": False, "Western Australia": False}
        Agreement.objects.filter(title="Rancangan Kaltim Perth").update(visibility="internal")
        Agreement.objects.filter(title="Rancangan Kaltim Perth").first().save()
        client.logout()
    # So does the list of the partners part of another, on that partner's page.
    client.force_login(official)
    html = page(client, wa.get_absolute_url()).content.decode()
    part = html.split("Bagian dari mitra ini", 1)[1].split("</dd>", 1)[0]
    assert 'Kota Perth</a> · <span class="badge badge-internal">Internal</span>' in part
    client.logout()
    assert "Kota Perth" not in page(client, wa.get_absolute_url()).content.decode()
