"""The English catalogue: the labels a reader meets on every page, the pages in both languages,
and the completeness check that keeps the catalogue whole (scripts/check_translations.py)."""

import datetime
import importlib.util
import io
import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.utils import is_ignored_path
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import Agreement, Milestone, Scope, Sector
from partners.models import Partner, Region
from tests.factories import AgreementFactory, MilestoneFactory

BASE_DIR = Path(settings.BASE_DIR)
LIST = reverse("agreement-list")


def load_checker():
    spec = importlib.util.spec_from_file_location(
        "check_translations", BASE_DIR / "scripts" / "check_translations.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_english(text):
    with translation.override("en"):
        return str(text)


def english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# -- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "english"),
    [
        (Agreement.Status.INITIATIVE, "Initiative"),
        (Agreement.Status.EXPLORATION, "Exploration"),
        # Not "Drafting": the stage of drafting the text is one step of this status.
        (Agreement.Status.PREPARATION, "Text in preparation"),
        (Agreement.Status.SIGNED, "Signed"),
        (Agreement.Status.IN_FORCE, "In force"),
        (Agreement.Status.EXPIRED, "Expired"),
        (Agreement.Status.TERMINATED, "Terminated"),
        (Agreement.Status.CANCELLED, "Cancelled"),
    ],
)
def test_every_status_has_an_english_label(status, english):
    assert in_english(status.label) == english


@pytest.mark.parametrize(
    ("kind", "english"),
    [
        (Agreement.Kind.LOI, "Letter of Intent (LoI)"),
        (Agreement.Kind.MOU, "Memorandum of Understanding (MoU)"),
        (Agreement.Kind.PKS, "Cooperation agreement (PKS)"),
        (Agreement.Kind.SISTER_CITY, "Sister city"),
        (Agreement.Kind.SISTER_PROVINCE, "Sister province"),
    ],
)
def test_every_kind_has_an_english_label(kind, english):
    assert in_english(kind.label) == english


def test_scopes_keep_their_acronyms_with_an_english_gloss():
    assert in_english(Scope.KSDPL.label) == "KSDPL — with a regional government abroad"


def test_milestones_name_the_ministries_in_english():
    assert in_english(Milestone.WaitsOn.KEMLU.label) == "Ministry of Foreign Affairs"
    assert in_english(Milestone.WaitsOn.KEMENDAGRI.label) == "Ministry of Home Affairs"


def test_model_names_are_english_and_lowercase():
    assert in_english(Agreement._meta.verbose_name) == "agreement"
    # Indonesian has one form for both; the English plural may stay singular, but is English.
    assert in_english(Agreement._meta.verbose_name_plural).startswith("agreement")
    assert in_english(Milestone._meta.verbose_name) == "milestone"
    assert in_english(Sector._meta.verbose_name) == "sector"
    assert in_english(Region._meta.verbose_name) == "region"
    assert in_english(Partner._meta.verbose_name) == "partner"


def test_indonesian_labels_are_the_source_text():
    with translation.override("id"):
        assert str(Agreement.Status.IN_FORCE.label) == "Berlaku"
        assert str(Agreement._meta.verbose_name_plural) == "kerja sama"


# -- pages -------------------------------------------------------------------------------------


@pytest.fixture
def in_force(db):
    return AgreementFactory(
        title="Nota Kesepahaman Kaltim–Anhui",
        status=Agreement.Status.IN_FORCE,
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_the_menu_reads_in_english(client, in_force):
    html = english_client(client).get(reverse("dashboard")).content.decode()
    assert '<html lang="en"' in html
    assert ">Dashboard</a>" in html
    assert ">Agreements</a>" in html
    assert "Register of Regional Cooperation Agreements" in html


def test_agreement_list_reads_in_english(client, in_force):
    html = english_client(client).get(LIST).content.decode()
    assert "<h1>Agreements</h1>" in html
    assert "1 agreement found." in html
    for heading in ("Status", "Parties", "Sector", "Signed"):
        assert heading in html
    assert "In force" in html
    for indonesian in ("Daftar kerja sama", "Para pihak", "ditemukan", "Berlaku", "Terapkan"):
        assert indonesian not in html


@pytest.mark.parametrize("page", ["list", "region"])
def test_the_quick_questions_read_in_english(client, in_force, page):
    url = LIST if page == "list" else in_force.lead_region.get_absolute_url()
    html = english_client(client).get(url).content.decode()
    assert "Quick questions:" in html
    assert "Foreign cooperations waiting on the DPRD or a ministry" in html
    assert "Dormant ones" in html
    for indonesian in ("Kerja sama luar negeri yang menunggu", "Yang mati suri"):
        assert indonesian not in html


def test_agreement_list_counts_in_the_english_plural(client, in_force):
    AgreementFactory()
    html = english_client(client).get(LIST).content.decode()
    assert "2 agreements found." in html


def test_agreement_list_reads_in_indonesian_by_default(client, in_force):
    html = client.get(LIST).content.decode()
    assert '<html lang="id"' in html
    assert "Daftar kerja sama" in html
    assert "1 kerja sama ditemukan." in html
    assert "Para pihak" in html
    assert "Berlaku" in html
    assert "Agreements" not in html


def test_status_page_reads_in_english(client, in_force):
    MilestoneFactory(agreement=in_force, due_on=timezone.localdate() - datetime.timedelta(days=3))
    html = english_client(client).get(in_force.get_absolute_url()).content.decode()
    for text in ("At a glance", "Next step", "expires in 10 days", "Key dates"):
        assert text in html
    assert "3\xa0days overdue" in html  # the timeline: its target, then how late
    assert "Milestone timeline" in html
    # The title is data and stays as it was written.
    assert "Nota Kesepahaman Kaltim–Anhui" in html
    for indonesian in ("Tanggal penting", "Linimasa tahapan", "Langkah berikutnya"):
        assert indonesian not in html


@pytest.mark.parametrize("page", ["user", "role"])
def test_the_permissions_of_a_user_or_a_role_are_named_in_the_readers_language(
    staff_client, staff_user, page
):
    """Django stores a permission's name in the language it was made in ("Can add penugasan
    daerah"); the lists a user's or a role's permissions are picked from name each one again,
    wholly in the reader's language."""
    url = (
        reverse("admin:auth_user_change", args=[staff_user.pk])
        if page == "user"
        else reverse("admin:auth_group_add")
    )
    indonesian = staff_client.get(url).content.decode()
    english = english_client(staff_client).get(url).content.decode()

    assert "Dapat menambah penugasan daerah</option>" in indonesian
    assert "Can add penugasan daerah" not in indonesian
    assert "region assignment | " in english and "penugasan daerah" not in english
    # The history tables too: django-simple-history names them "historical …" in every
    # language, and the history of a many-to-many field by its class (HistoricalAgreement_regions).
    assert "Kerja sama | riwayat tahapan | Dapat melihat riwayat tahapan</option>" in indonesian
    assert "Dapat melihat riwayat daerah pihak kerja sama</option>" in indonesian
    assert "historical" not in indonesian.lower()


def test_the_pickers_of_a_role_tell_how_to_choose_in_indonesian(staff_client):
    """The role page's two-box picker of permissions is drawn by the admin's script, in the
    words of Django's Indonesian script catalogue, which told the clerk to press the "Choose"
    arrow and called removing "Pindahkan" (move). The register's own catalogue words them."""
    catalogue = staff_client.get(reverse("admin:jsi18n")).content.decode()

    def said(text):  # as the catalogue writes it, in JSON
        return json.dumps(text)[1:-1] in catalogue

    assert said("Pilih %s dengan menandainya, lalu klik tombol panah “Pilih”.")
    assert said("Keluarkan %s yang ditandai")
    assert not said('tombol panah "Choose"') and not said("Pindahkan")


# -- the completeness check --------------------------------------------------------------------


def test_committed_english_catalogue_is_complete_and_compiled():
    assert load_checker().problems("en") == []


def test_make_messages_leaves_the_catalogues_of_every_environment_alone():
    """``make messages`` in a second environment (``VENV=.venv-3.13``, as the README offers)
    compiled the catalogues of the Django installed in it and of the one in ``.venv`` beside
    it too, some 40 s more, written into both. Each command of the plan names the folders it
    leaves out as Django's gettext commands read them (``is_ignored_path``)."""
    plan = subprocess.run(
        ["make", "-n", "messages", "VENV=.venv-3.13"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = [
        shlex.split(line)
        for line in plan.splitlines()
        if "makemessages" in line or "compilemessages" in line
    ]

    assert len(commands) == 2
    for command in commands:
        ignored = [word.removeprefix("--ignore=") for word in command if "--ignore=" in word]
        for environment in (".venv", ".venv-3.13"):
            assert is_ignored_path(environment, ignored), (command, environment)
        assert not is_ignored_path("locale", ignored)


PO_HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""


def write_catalogue(locale_dir, body):
    po = locale_dir / "en" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO_HEADER + body, encoding="utf-8")
    return po


def test_check_names_fuzzy_and_untranslated_messages(tmp_path):
    write_catalogue(
        tmp_path,
        """#: agreements/models.py:1
#, fuzzy
msgid "Berlaku"
msgstr "In force"

#: templates/base.html:2
msgid "Dasbor"
msgstr ""

#: templates/x.html:3
msgid "%(days)s hari"
msgid_plural "%(days)s hari"
msgstr[0] "%(days)s day"
msgstr[1] ""
""",
    )

    found = load_checker().problems("en", locale_dir=tmp_path)

    assert any("fuzzy (agreements/models.py:1): 'Berlaku'" in line for line in found)
    assert any("untranslated (templates/base.html:2): 'Dasbor'" in line for line in found)
    assert any("untranslated (templates/x.html:3): '%(days)s hari'" in line for line in found)
    assert any("django.mo: missing" in line for line in found)


def test_check_notices_a_catalogue_changed_but_not_compiled(tmp_path):
    real = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
    po = write_catalogue(tmp_path, "")
    po.write_text(
        (real / "django.po")
        .read_text(encoding="utf-8")
        .replace('msgstr "In force"', 'msgstr "Valid"'),
        encoding="utf-8",
    )
    shutil.copy(real / "django.mo", po.with_suffix(".mo"))

    found = load_checker().problems("en", locale_dir=tmp_path)

    assert found == [
        f"{po.with_suffix('.mo')}: not compiled from the current django.po; run compilemessages"
    ]


def test_a_search_past_what_the_list_holds_says_so_in_english(client, in_force, monkeypatch):
    from agreements import paging

    monkeypatch.setattr(paging, "SEARCH_LISTS_AT_MOST", 2)
    for copy in ("kedua", "ketiga"):
        AgreementFactory(title=f"{in_force.title} {copy}", lead_region=in_force.lead_region)

    html = english_client(client).get(LIST, {"q": in_force.title}).content.decode()

    assert "More than 2 agreements found; the 2 most recently signed are listed." in html
    assert "Lebih dari" not in html


def test_djangos_messages_editors_meet_most_are_in_the_sites_words(staff_client, kaltim):
    """Django's Indonesian catalogue wrote "Field ini tidak boleh kosong" and "dibawah"; the
    site's own catalogue says them as its forms do (``common/django_words.py``)."""
    from agreements.imports import AgreementImport

    csv_file = b"title,kind,scope,lead_region_code\r\n ,mou,ksdd,64\r\n"
    plan = AgreementImport.from_file(io.BytesIO(csv_file), "kerjasama.csv").plan()
    assert any("Isian ini wajib diisi." in error for error in plan.rows[0].errors)
    assert not any("Field ini" in error for error in plan.rows[0].errors)

    page = staff_client.post(reverse("admin:agreements_agreement_add"), {}).content.decode()
    assert "Perbaiki kesalahan di bawah ini." in page
    assert "dibawah" not in page


def test_the_admin_index_names_its_column_of_links_in_the_sites_words(staff_client):
    """Django's Indonesian catalogue heads the admin index's column of links "Rubah atau
    tampilkan tautan kunjungan"; the site's own catalogue says what the column holds."""
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "Ubah atau lihat daftar" in page
    assert "Rubah atau tampilkan" not in page
