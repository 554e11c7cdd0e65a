"""A real register brought in: 27 foreign sister cities and provinces of Indonesian regions, as a
bureau keeps them (``docs/examples/sister-cities.csv``), imported into the demo register through
the admin, with no partner made by hand."""

import html
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from agreements.models import Agreement
from partners.models import Partner
from tests.helpers import rows_kept_for_the_scope

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "sister-cities.csv"
IMPORT_URL = reverse("admin:agreements_agreement_import")
NTT_JIANGXI = "Provinsi kembar (sister province) Nusa Tenggara Timur dan Jiangxi (Tiongkok)"

# Row → the partner it names, as found in the demo register (how) or created.
MATCHED = {
    2: ("Pemerintah Metropolitan Tokyo", "menurut nama aksara asli"),
    4: ("Pemerintah Kota Khusus Seoul", "menurut nama aksara asli"),
    9: ("Pemerintah Kota Metropolitan Busan", "menurut nama aksara asli"),
    11: ("Pemerintah Kota Guangzhou", "menurut nama aksara asli"),
    13: ("Pemerintah Kota Kitakyushu", "nama mirip, 57%"),
    14: ("Pemerintah Kota Xiamen", "menurut nama aksara asli"),
    24: ("Pemerintah Negara Bagian Australia Barat", "pemerintah daerah subdivisi itu"),
    26: ("Pemerintah Kota Darwin", "menurut nama"),
    27: ("Pemerintah Kota Davao", "menurut nama"),
    28: ("Pemerintah Provinsi Jiangxi", "menurut nama aksara asli"),
}
CREATED = {
    3: "Beijing · 北京市 (CN-BJ, Kota asing)",
    5: "Berlin (DE-BE, Kota asing)",
    6: "Bangkok · กรุงเทพมหานคร (TH-10, Kota asing)",
    7: "Moscow · Москва (RU-MOW, Kota asing)",
    8: "Los Angeles (US-CA, Kota asing)",
    10: "Seattle (US-WA, Kota asing)",
    12: "Kochi · 高知市 (JP-39, Kota asing)",
    15: "Braunschweig (DE-NI, Kota asing)",
    16: "Hamamatsu · 浜松市 (JP-22, Kota asing)",
    17: "Suwon · 수원시 (KR-41, Kota asing)",
    18: "Fort Worth (US-TX, Kota asing)",
    19: "Ichikawa · 市川市 (JP-12, Kota asing)",
    20: "Gwangju · 광주광역시 (KR-29, Kota asing)",
    21: "Chengdu · 成都市 (CN-SC, Kota asing)",
    22: "Kyoto Prefecture · 京都府 (JP-26, Pemerintah daerah asing (provinsi/negara bagian))",
    23: "Gyeongsangbuk-do · 경상북도 (KR-47, Pemerintah daerah asing (provinsi/negara bagian))",
    25: "Brisbane (AU-QLD, Kota asing)",
}
DUPLICATE_ROW = 28  # NTT–Jiangxi: the demo holds it, in preparation


@pytest.fixture(scope="module")
def demo_register(django_db_setup, django_db_blocker):
    """Reference data and the demo register, once for the module, rolled back after it."""
    with rows_kept_for_the_scope(django_db_blocker):
        with django_db_blocker.unblock():
            call_command("load_reference_data", stdout=StringIO())
            call_command("seed_demo", stdout=StringIO())
        yield


@pytest.fixture
def admin_client(demo_register, db, client, django_user_model):
    user = django_user_model.objects.create_superuser(username="biro", password="x-long-pw-123")
    client.force_login(user)
    return client


def upload(client, content, name="kota-kembar.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


def rows_of(page):
    """{row number: (action, text of the row)} from the preview table, as a reader sees it."""
    found = {}
    for match in re.finditer(r'<tr class="(\w+)">\s*<td>(\d+)</td>(.*?)</tr>', page, re.S):
        text = html.unescape(re.sub(r"<[^>]+>", " ", match.group(3)))
        found[int(match.group(2))] = (match.group(1), " ".join(text.split()))
    return found


def token_of(page):
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_the_preview_says_which_rows_match_create_duplicate_or_disagree(admin_client):
    # A typo that is still a valid code: 12.72 (Pematangsiantar) for Medan, row 21.
    content = SAMPLE.read_bytes().replace(
        b"in_force,12.71,Kota Medan,Chengdu,", b"in_force,12.72,Kota Medan,Chengdu,"
    )
    assert content != SAMPLE.read_bytes()
    partners = Partner.objects.count()

    page = upload(admin_client, content).content.decode()

    rows = rows_of(page)
    assert sorted(rows) == list(range(2, 29))
    for number, (partner, how) in MATCHED.items():
        assert f"cocok dengan {partner}" in rows[number][1], number
        assert f"({how})" in rows[number][1], number
    for number, created in CREATED.items():
        assert f"akan dibuat: {created}." in rows[number][1], number
    assert {n for n, (action, _text) in rows.items() if action == "create"} == (
        set(MATCHED) | set(CREATED)
    ) - {21, DUPLICATE_ROW}
    assert rows[DUPLICATE_ROW][0] == "duplicate"
    assert f"Perbarui — · {NTT_JIANGXI} (Penyiapan naskah)" in rows[DUPLICATE_ROW][1]
    assert rows[21][0] == "reject"
    assert (
        "Kode 12.72 adalah Kota Pematangsiantar, tetapi namanya ditulis “Kota Medan” (12.71). "
        "Perbaiki kode atau namanya." in rows[21][1]
    )
    assert "Konfirmasi impor" not in page
    assert Partner.objects.count() == partners


def test_the_file_imports_with_no_partner_made_by_hand_and_a_second_import_changes_nothing(
    admin_client,
):
    partners, agreements = Partner.objects.count(), Agreement.objects.count()
    ntt = Agreement.objects.get(title=NTT_JIANGXI)

    preview = upload(admin_client, SAMPLE.read_bytes()).content.decode()
    confirmed = admin_client.post(
        IMPORT_URL, {"token": token_of(preview), f"decide-{DUPLICATE_ROW}": str(ntt.pk)}
    )

    assert confirmed.status_code == 302
    assert Partner.objects.count() == partners + len(CREATED)
    assert Agreement.objects.count() == agreements + 26
    ntt.refresh_from_db()
    assert ntt.title == "Provinsi kembar NTT – Jiangxi (Tiongkok)"
    assert ntt.status == Agreement.Status.PREPARATION
    tokyo = Agreement.objects.get(title="Provinsi kembar DKI Jakarta – Tokyo (Jepang)")
    assert [p.name for p in tokyo.partners.all()] == ["Pemerintah Metropolitan Tokyo"]
    assert (str(tokyo.known("signed_on")), tokyo.lead_region.code) == ("1964", "31")
    kyoto = Partner.objects.get(name="Kyoto Prefecture")
    assert (kyoto.country_id, kyoto.subdivision_id, kyoto.name_local, kyoto.kind) == (
        "JP",
        "JP-26",
        "京都府",
        "foreign_region",
    )
    status_page = admin_client.get(tokyo.get_absolute_url()).content.decode()
    assert '<time datetime="1964">1964</time>' in status_page

    history = Agreement.history.count(), Partner.history.count()
    again = upload(admin_client, SAMPLE.read_bytes()).content.decode()
    rows = rows_of(again)
    assert {action for action, _text in rows.values()} == {"unchanged"}
    assert "Tidak berubah: 27" in html.unescape(re.sub(r"<[^>]+>", "", again))
    admin_client.post(IMPORT_URL, {"token": token_of(again)})
    assert (Partner.objects.count(), Agreement.objects.count()) == (
        partners + len(CREATED),
        agreements + 26,
    )
    assert (Agreement.history.count(), Partner.history.count()) == history
