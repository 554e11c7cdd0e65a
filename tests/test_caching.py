"""Pages cached until the register changes (``agreements.caching``).

These tests commit their data (``transaction=True``), as a running site does: inside a
transaction nothing is cached at all, so the other tests of the pages never see a cached one.
"""

import datetime
import os
import re
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.core.cache.backends.base import BaseCache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import RegionAssignment, Role
from agreements import caching
from agreements.caching import cached_count, register_version
from agreements.models import Agreement, Milestone
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    MilestoneFactory,
    PartnerFactory,
    SectorFactory,
    make_official,
)
from tests.helpers import (
    agreement_form_data,
    logged_in,
    pdf_links,
    pdf_text,
    public_addendum_of_an_internal_mou,
)

pytestmark = pytest.mark.django_db(transaction=True)

LIST = reverse("agreement-list")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def agreement(kaltim):
    return AgreementFactory(title="Beasiswa guru Kalimantan Timur", lead_region=kaltim)


@pytest.fixture
def internal(kaltim):
    return AgreementFactory(
        title="Rancangan kerja sama rahasia",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )


@pytest.fixture
def official_client(django_user_model):
    official = Client()
    official.force_login(make_official(django_user_model))
    return official


def test_a_second_visit_is_served_from_the_cache(client, agreement, django_assert_num_queries):
    client.get(LIST)
    # Only the register version is read: no agreement, count or filter list.
    with django_assert_num_queries(1):
        response = client.get(LIST)
    assert response.status_code == 200
    assert "Beasiswa guru Kalimantan Timur" in response.content.decode()


class UnansweringCache(BaseCache):
    """A cache server that does not answer (its host down or cut off): every call fails, as
    Redis's client fails once its timeout has passed, and is counted."""

    calls = 0

    def __init__(self, location, params):
        super().__init__(params)

    def _unanswered(self, *args, **kwargs):
        type(self).calls += 1
        raise TimeoutError("Timeout reading from socket")

    get = set = add = delete = get_many = touch = _unanswered


def test_a_cache_that_does_not_answer_is_left_alone_rather_than_waited_on_by_every_page(
    client, agreement, settings, monkeypatch
):
    """Each call to a Redis that does not answer waits for its timeout, a second: the list
    made eight and took eight seconds, every time, for as long as Redis was unreachable."""
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnansweringCache"}}
    UnansweringCache.calls = 0

    for page in (LIST, reverse("agreement-detail", args=[agreement.pk]), LIST):
        response = client.get(page)
        assert response.status_code == 200
        assert "Beasiswa guru Kalimantan Timur" in response.content.decode()
    assert UnansweringCache.calls == 1

    # Half a minute later the cache is asked again, so pages are kept again once it is back.
    now = caching.time.monotonic()
    monkeypatch.setattr(caching.time, "monotonic", lambda: now + caching.CACHE_RETRY_SECONDS)
    assert client.get(LIST).status_code == 200
    assert UnansweringCache.calls == 2


def test_an_upgrade_never_serves_a_page_the_release_before_it_kept(
    client, agreement, settings, tmp_path, monkeypatch
):
    """Every key names the release (``caching.RELEASE``): with the register as it was, the next
    release's list is drawn by its own templates, not served as the release before kept it."""
    assert "Beasiswa guru Kalimantan Timur" in client.get(LIST).text
    # The next release draws the list with a template of its own ...
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "agreement_list.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Daftar rilis berikutnya</h1>{% endblock %}'
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    # ... which the page this release kept does not show ...
    assert "Daftar rilis berikutnya" not in client.get(LIST).text
    # ... and a server started with the next release's files serves at once.
    monkeypatch.setattr(caching, "RELEASE", caching.release_digest(caching.release_folders()))
    assert "Daftar rilis berikutnya" in client.get(LIST).text


def test_a_release_is_named_by_its_files_not_by_where_or_when_they_were_installed(tmp_path):
    def install(where, template="<p>Daftar</p>"):
        (where / "agreements" / "__pycache__").mkdir(parents=True)
        (where / "agreements" / "views.py").write_text("PAGE_SIZE = 25\n")
        (where / "agreements" / "__pycache__" / "views.pyc").write_bytes(os.urandom(16))
        (where / "templates").mkdir()
        (where / "templates" / "list.html").write_text(template)
        return [where / "agreements", where / "templates"]

    release = caching.release_digest(install(tmp_path / "server-1"))
    # Another server of the same release, its bytecode compiled apart: the same.
    assert caching.release_digest(install(tmp_path / "server-2")) == release
    # One template changed: another release.
    assert caching.release_digest(install(tmp_path / "next", "<p>Daftar kerja sama</p>")) != release


def test_a_changed_title_shows_at_once(client, agreement):
    client.get(LIST)
    # A bulk update sends no signal: the database itself moves the version on.
    Agreement.objects.filter(pk=agreement.pk).update(title="Beasiswa dosen Kalimantan Timur")

    page = client.get(LIST).content.decode()

    assert "Beasiswa dosen Kalimantan Timur" in page
    assert "Beasiswa guru Kalimantan Timur" not in page


def test_a_new_agreement_is_counted_at_once(client, agreement, kaltim):
    assert "1 kerja sama ditemukan" in client.get(LIST).content.decode()

    AgreementFactory(title="Kerja sama kedua", lead_region=kaltim)

    assert "2 kerja sama ditemukan" in client.get(LIST).content.decode()


def test_a_deleted_agreement_leaves_the_status_page_at_once(client, agreement):
    url = agreement.get_absolute_url()
    assert client.get(url).status_code == 200

    with connection.cursor() as cursor:  # even behind Django's back
        cursor.execute("DELETE FROM agreements_agreement_regions")
        cursor.execute("DELETE FROM agreements_agreement")

    assert client.get(url).status_code == 404


def test_a_done_milestone_shows_on_the_cached_status_page(client, agreement):
    milestone = MilestoneFactory(agreement=agreement, title="Evaluasi tahunan")
    url = agreement.get_absolute_url()
    assert "Evaluasi tahunan" in client.get(url).content.decode()

    Milestone.objects.filter(pk=milestone.pk).update(title="Evaluasi tahunan selesai")

    assert "Evaluasi tahunan selesai" in client.get(url).content.decode()


def test_a_sector_added_to_an_agreement_shows_on_the_cached_list(client, agreement):
    client.get(LIST)

    agreement.sectors.add(SectorFactory(slug="education", name_id="Pendidikan"))

    assert "Pendidikan" in client.get(LIST).content.decode()


def test_the_public_never_gets_a_page_cached_for_an_official(client, official_client, internal):
    # The official's page, with the internal agreement, is cached first.
    assert "Rancangan kerja sama rahasia" in official_client.get(LIST).content.decode()

    public_page = client.get(LIST).content.decode()

    assert "Rancangan kerja sama rahasia" not in public_page
    assert "0 kerja sama ditemukan" in public_page


def test_an_official_never_gets_a_page_cached_for_the_public(client, official_client, internal):
    assert "Rancangan kerja sama rahasia" not in client.get(LIST).content.decode()

    assert "Rancangan kerja sama rahasia" in official_client.get(LIST).content.decode()


def test_the_public_cannot_reach_an_internal_status_page_an_official_opened(
    client, official_client, internal
):
    url = internal.get_absolute_url()
    assert official_client.get(url).status_code == 200

    assert client.get(url).status_code == 404


def test_signed_in_readers_never_share_a_cached_page(official_client, internal, django_user_model):
    official_client.get(LIST)
    other = Client()
    other.force_login(make_official(django_user_model, username="pejabat-lain"))

    # Built for this reader (a page names who is signed in), not taken from the other's copy:
    # it reads the agreements rather than only the register version and the reader.
    with CaptureQueriesContext(connection) as captured:
        page = other.get(LIST).content.decode()

    assert any("agreements_agreement" in query["sql"] for query in captured)
    assert "Rancangan kerja sama rahasia" in page


LEFT_OUT = "Kerja sama internal yang tampil di halaman ini tidak ikut diunduh"


def test_a_reader_whose_role_changed_is_not_served_the_page_kept_for_their_old_role(
    internal, django_user_model
):
    # An analyst downloads internal records: their page says nothing of leaving them out.
    reader = make_official(django_user_model)
    reader.groups.set([Group.objects.get_or_create(name=Role.ANALYST)[0]])
    client = logged_in(reader)
    assert LEFT_OUT not in client.get(LIST).content.decode()

    # Made an official, with the register as it was: their downloads now hold public records
    # only, and the page they read says so beside the internal agreement it lists.
    reader.groups.set([Group.objects.get(name=Role.OFFICIAL)])

    page = client.get(LIST).content.decode()
    assert "Rancangan kerja sama rahasia" in page
    assert LEFT_OUT in page


def composed_at(pdf):
    """The hour and minute the report's PDF says it was composed ("Disusun 6 Desember 2026,
    08.35")."""
    composed = re.search(r"Disusun\s+\d+\s+\w+\s+\d{4},\s+(\d{2})\.(\d{2})", pdf_text(pdf))
    hour, minute = composed.groups()
    return int(hour), int(minute)


def test_a_report_kept_for_a_reader_in_wib_is_not_handed_to_one_in_wita(client, editor_kaltim):
    query = {"region": "64", "period": "2024"}
    assert client.get("/laporan/laporan.pdf", query).status_code == 200  # kept, in WIB

    # The editor of Kalimantan Timur reads times in WITA (an hour after WIB), in the files too.
    wita = zoneinfo.ZoneInfo("Asia/Makassar")
    before = timezone.localtime(timezone=wita).replace(second=0, microsecond=0)
    pdf = logged_in(editor_kaltim).get("/laporan/laporan.pdf", query).content
    after = timezone.localtime(timezone=wita)

    hour, minute = composed_at(pdf)
    shown = before.replace(hour=hour, minute=minute)
    assert before <= shown <= after or before <= shown + datetime.timedelta(days=1) <= after


def test_a_report_kept_for_an_official_is_not_handed_to_the_public(client, official_client, kaltim):
    """An official downloads the public records, each read as they read it: a public addendum
    of an internal MoU active last month is alive with its MoU to them, not *mati suri*. The
    PDF an official asked for first was kept for every reader of public downloads, and handed
    to the public: its list of the dormant left out the addendum its public page says lies
    dormant, telling of the internal MoU's activity. And the other way round."""
    today = timezone.localdate()
    mou, _addendum = public_addendum_of_an_internal_mou(kaltim)
    query = {"region": "64", "period": str(today.year)}

    def dormant(reader):
        text = " ".join(pdf_text(reader.get("/laporan/laporan.pdf", query).content).split())
        listed = text[text.index("Mati suri Berlaku") :]
        return "Adendum MoU Kaltim–Bali" in listed[: listed.index("Monitoring dan evaluasi,")]

    assert dormant(official_client) is False
    assert dormant(client) is True
    # Kept apart the other way round too, once the register moved on.
    MilestoneFactory(
        agreement=mou, kind="activity", due_on=None, done_on=today - datetime.timedelta(days=20)
    )
    assert dormant(client) is True
    assert dormant(official_client) is False


def test_a_report_kept_for_every_reader_prints_no_message_waiting_for_one(
    client, agreement, internal, django_user_model
):
    """The PDF is kept for every reader of the same words, zone and downloads: a message still
    waiting for the reader who first asked for it, which may name what only they may read (the
    partner of an internal agreement they just followed), is printed neither in their file nor
    in the one the public downloads, and still waits for its reader."""
    internal.partners.add(PartnerFactory(name="Mitra khusus naskah internal"))
    official = make_official(django_user_model)
    official.email = "pejabat@kaltimprov.go.id"
    official.save()
    reader = logged_in(official)
    partner = internal.partners.get()
    # Answered with a redirect to /ikuti/, which the reader has not opened yet.
    followed = reader.post("/ikuti/", {"query": f"partner={partner.pk}", "frequency": "daily"})
    assert followed.status_code == 302
    query = {"region": "64", "period": "2024"}
    assert "Mitra khusus naskah internal" not in pdf_text(
        reader.get("/laporan/laporan.pdf", query).content
    )

    text = pdf_text(client.get("/laporan/laporan.pdf", query).content)
    assert "Beasiswa guru Kalimantan Timur" in text or "Laporan kerja sama daerah" in text
    assert "Mitra khusus naskah internal" not in text
    follows = reader.get("/ikuti/").content.decode()
    assert "Anda mengikuti: Mitra: Mitra khusus naskah internal" in follows


def test_a_report_kept_as_pdf_is_handed_over_without_reading_the_register_again(
    client, agreement, internal, analyst, official
):
    """The kept PDF is looked for before the report is read: a second download of the same
    report reads the register's version and the region, not the region's agreements again
    (it read every list of the report, 0.6 s of a province's, to hand over a kept file).
    The file is still kept apart for a reader downloading other records."""
    query = {"region": "64", "period": str(timezone.localdate().year)}
    first = client.get("/laporan/laporan.pdf", query)
    assert "Beasiswa guru Kalimantan Timur" in pdf_text(first.content)

    with CaptureQueriesContext(connection) as read:
        again = client.get("/laporan/laporan.pdf", query)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert not [query for query in read if "agreements_agreement" in query["sql"]]
    assert len(read) <= 2

    # An analyst downloads internal records too; an official, the public ones only.
    analysts = pdf_text(logged_in(analyst).get("/laporan/laporan.pdf", query).content)
    assert "Rancangan kerja sama rahasia" in analysts
    officials = pdf_text(logged_in(official).get("/laporan/laporan.pdf", query).content)
    assert "Rancangan kerja sama rahasia" not in officials
    assert "Beasiswa guru Kalimantan Timur" in officials
    # In another language, another file.
    english = client.get("/laporan/laporan.pdf", query, HTTP_ACCEPT_LANGUAGE="en").content
    assert "Regional cooperation report" in pdf_text(english)


def test_a_report_asked_at_another_of_the_sites_names_links_there_and_is_kept_apart(
    client, agreement, settings
):
    """The PDF links each province's list by its absolute address, on the host and scheme it
    was asked at: the file kept for a request through another of the site's names (its Host
    header) is not handed to a reader asking at this one, whose links would lead there."""
    settings.ALLOWED_HOSTS = ["testserver", "kerjasama.contoh.go.id"]
    query = {"region": "64", "period": "2024"}
    other = client.get("/laporan/laporan.pdf", query, HTTP_HOST="kerjasama.contoh.go.id")
    assert pdf_links(other.content)
    assert all(
        link.startswith("http://kerjasama.contoh.go.id/") for link in pdf_links(other.content)
    )

    links = pdf_links(client.get("/laporan/laporan.pdf", query).content)
    assert links
    assert all(link.startswith("http://testserver/") for link in links)


def test_english_and_indonesian_pages_are_kept_apart(client, agreement):
    indonesian = client.get(LIST, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    english = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'lang="id"' in indonesian
    assert 'lang="en"' in english


def test_a_link_naming_english_is_never_served_the_indonesian_page_kept(agreement):
    """The link of an English mail, opened where the Indonesian page is kept: the reader is
    served the English page (kept apart from it); a visitor after them, the Indonesian one."""
    page = agreement.get_absolute_url()
    Client().get(page)
    Client().get(LIST, {"region": "64"})

    english = Client()
    for address in (page, f"{LIST}?region=64"):
        with CaptureQueriesContext(connection) as built:
            opened = english.get(f"{address}{'&' if '?' in address else '?'}lang=en", follow=True)
        assert opened.redirect_chain == [(address, 302)]
        assert '<html lang="en">' in opened.content.decode()
        # Kept in English in turn: the next English visit is served it, reading only versions.
        with CaptureQueriesContext(connection) as served:
            again = english.get(address).content.decode()
        assert '<html lang="en">' in again
        assert len(served) < len(built)
        assert '<html lang="id">' in Client().get(address).content.decode()


def test_each_visitor_of_a_cached_page_gets_a_csrf_token_of_their_own(agreement):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(LIST)
    page = second.get(LIST)  # from the cache

    token = TOKEN.search(page.content.decode()).group(1)
    switched = second.post(
        reverse("set_language"),
        {"language": "en", "next": LIST, "csrfmiddlewaretoken": token},
    )

    assert switched.status_code == 302


def test_staff_pages_are_always_built_afresh(staff_client, agreement):
    staff_page = staff_client.get(agreement.get_absolute_url()).content.decode()
    public_page = Client().get(agreement.get_absolute_url()).content.decode()

    change = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    assert change in staff_page
    assert change not in public_page


def test_nothing_is_cached_inside_a_transaction(client, agreement):
    with transaction.atomic():
        assert register_version() is None
        client.get(LIST)
        Agreement.objects.filter(pk=agreement.pk).update(title="Judul yang dibatalkan")
        assert "Judul yang dibatalkan" in client.get(LIST).content.decode()
        transaction.set_rollback(True)

    assert "Judul yang dibatalkan" not in client.get(LIST).content.decode()


def test_a_cached_count_follows_the_register(agreement, kaltim):
    assert cached_count(Agreement.objects.all()) == 1

    AgreementFactory(lead_region=kaltim)

    assert cached_count(Agreement.objects.all()) == 2
    assert cached_count(Agreement.objects.filter(pk=agreement.pk)) == 1


def test_a_new_partner_is_offered_in_the_filter_at_once(client, agreement):
    client.get(LIST)
    agreement.partners.add(PartnerFactory(name="Pemerintah Provinsi Anhui"))

    assert "Pemerintah Provinsi Anhui" in client.get(f"{LIST}?sort=title").content.decode()


def test_the_public_is_never_offered_a_partner_of_an_internal_agreement(
    client, official_client, internal
):
    internal.partners.add(PartnerFactory(name="Mitra rahasia"))
    # The official's filter lists (with the internal agreement's partner) are read first.
    assert "Mitra rahasia" in official_client.get(f"{LIST}?sort=title").content.decode()

    assert "Mitra rahasia" not in client.get(f"{LIST}?sort=title").content.decode()


def test_paging_through_a_selection_counts_it_once(client, kaltim):
    for n in range(30):
        AgreementFactory(title=f"Kerja sama {n}", lead_region=kaltim)
    client.get(LIST)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"{LIST}?page=2").content.decode()

    assert "30 kerja sama ditemukan" in page
    assert not any("COUNT(" in query["sql"] for query in captured)


def test_a_save_renews_the_pages_showing_that_agreement_and_keeps_the_others(
    staff_client, agreement, kaltim, django_assert_num_queries
):
    """An agreement's status page is kept until it, an agreement of its chain or a shared table
    changes (``agreement_version``), not until anything in the register does."""
    client = Client()  # an anonymous visitor, beside the editor
    extension = AgreementFactory(
        title="Perpanjangan beasiswa guru",
        lead_region=kaltim,
        follows=agreement,
        relation=Agreement.Relation.EXTENDS,
    )
    other = AgreementFactory(title="Festival budaya Samarinda", lead_region=kaltim)
    for shown in (agreement, extension, other):
        assert client.get(shown.get_absolute_url()).status_code == 200

    # Saved as an editor saves it: the change form, with its history and inlines.
    data = agreement_form_data(agreement, title="Beasiswa dosen Kalimantan Timur")
    saved = staff_client.post(admin_change(agreement), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]

    # The other agreement's page comes from the cache: its version alone is read.
    with django_assert_num_queries(1):
        kept = client.get(other.get_absolute_url()).content.decode()
    assert "Festival budaya Samarinda" in kept
    # The saved agreement's page (its history now tells the old title from the new) and the
    # page showing it in its chain are built again.
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "<td>Beasiswa guru Kalimantan Timur</td><td>Beasiswa dosen Kalimantan Timur</td>" in page
    page = client.get(extension.get_absolute_url()).content.decode()
    assert "Beasiswa dosen Kalimantan Timur" in page
    assert "Beasiswa guru Kalimantan Timur" not in page


def test_an_agreement_joining_a_chain_shows_on_the_cached_page_of_the_first(
    client, agreement, kaltim
):
    url = agreement.get_absolute_url()
    assert "Addendum jadwal" not in client.get(url).content.decode()

    addendum = AgreementFactory(title="Addendum jadwal", lead_region=kaltim)
    with connection.cursor() as cursor:  # behind Django's back: the addendum's row alone
        cursor.execute(
            "UPDATE agreements_agreement SET follows_id = %s, relation = %s WHERE id = %s",
            [agreement.pk, Agreement.Relation.AMENDS, addendum.pk],
        )

    assert "Addendum jadwal" in client.get(url).content.decode()


def test_a_renamed_sector_shows_on_the_cached_status_page(client, agreement):
    education = SectorFactory(slug="education", name_id="Pendidikan")
    agreement.sectors.add(education)
    url = agreement.get_absolute_url()
    assert "Pendidikan" in client.get(url).content.decode()

    type(education).objects.filter(pk=education.pk).update(name_id="Pendidikan tinggi")

    assert "Pendidikan tinggi" in client.get(url).content.decode()


# -- the admin ----------------------------------------------------------------------------------

ADMIN_LIST = reverse("admin:agreements_agreement_changelist")


def admin_change(agreement):
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def test_a_second_visit_to_an_admin_list_is_served_from_the_cache(
    staff_client, agreement, django_assert_num_queries
):
    staff_client.get(ADMIN_LIST)

    # The session, its user and the register version: nothing else is read.
    with django_assert_num_queries(3):
        page = staff_client.get(ADMIN_LIST).content.decode()
    assert "Beasiswa guru Kalimantan Timur" in page


def test_a_save_renews_the_change_forms_showing_that_agreement_and_keeps_the_others(
    staff_client, agreement, kaltim, django_assert_num_queries
):
    extension = AgreementFactory(
        title="Perpanjangan beasiswa guru",
        lead_region=kaltim,
        follows=agreement,
        relation=Agreement.Relation.EXTENDS,
    )
    other = AgreementFactory(title="Festival budaya Samarinda", lead_region=kaltim)
    for shown in (agreement, extension, other):
        assert staff_client.get(admin_change(shown)).status_code == 200

    Agreement.objects.filter(pk=agreement.pk).update(title="Beasiswa dosen Kalimantan Timur")

    # The session, its user and the other agreement's version: nothing else is read.
    with django_assert_num_queries(3):
        kept = staff_client.get(admin_change(other)).content.decode()
    assert "Festival budaya Samarinda" in kept
    # The form of the agreement, and the one naming it as what it follows, are built again.
    for shown in (agreement, extension):
        page = staff_client.get(admin_change(shown)).content.decode()
        assert "Beasiswa dosen Kalimantan Timur" in page
        assert "Beasiswa guru Kalimantan Timur" not in page


def test_a_change_made_anywhere_shows_on_the_cached_admin_pages(staff_client, agreement):
    staff_client.get(ADMIN_LIST)
    staff_client.get(admin_change(agreement))

    Agreement.objects.filter(pk=agreement.pk).update(title="Beasiswa dosen Kalimantan Timur")

    for url in (ADMIN_LIST, admin_change(agreement)):
        page = staff_client.get(url).content.decode()
        assert "Beasiswa dosen Kalimantan Timur" in page
        assert "Beasiswa guru Kalimantan Timur" not in page


def test_an_editor_never_gets_an_admin_page_cached_for_another(
    agreement, bali, editor_kaltim, editor_bali
):
    AgreementFactory(title="Kerja sama pariwisata Bali", lead_region=bali)
    kaltim_page = logged_in(editor_kaltim).get(ADMIN_LIST).content.decode()
    assert "Beasiswa guru Kalimantan Timur" in kaltim_page

    bali_page = logged_in(editor_bali).get(ADMIN_LIST).content.decode()

    assert "Kerja sama pariwisata Bali" in bali_page
    assert "Beasiswa guru Kalimantan Timur" not in bali_page
    assert logged_in(editor_bali).get(admin_change(agreement)).status_code == 404


def test_a_region_given_to_an_editor_shows_on_their_next_admin_page(agreement, bali, editor_bali):
    editor = logged_in(editor_bali)
    assert "Beasiswa guru Kalimantan Timur" not in editor.get(ADMIN_LIST).content.decode()

    # Not a change to the register: what changed is what the editor may see.
    RegionAssignment.objects.create(user=editor_bali, region=agreement.lead_region)

    assert "Beasiswa guru Kalimantan Timur" in editor.get(ADMIN_LIST).content.decode()


def test_a_role_given_to_an_official_shows_on_their_next_admin_page(agreement, official):
    viewer = logged_in(official)
    assert 'name="_save"' not in viewer.get(admin_change(agreement)).content.decode()

    official.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))

    assert 'name="_save"' in viewer.get(admin_change(agreement)).content.decode()


def test_a_cached_change_form_saves_with_the_visitors_own_token(agreement, editor_kaltim):
    editor = Client(enforce_csrf_checks=True)
    editor.force_login(editor_kaltim)
    editor.get(admin_change(agreement))
    page = editor.get(admin_change(agreement)).content.decode()  # from the cache

    data = agreement_form_data(
        agreement,
        title="Beasiswa guru dan dosen Kalimantan Timur",
        loaded_version=re.search(r'name="loaded_version" value="(\d+)"', page).group(1),
        csrfmiddlewaretoken=TOKEN.search(page).group(1),
    )
    saved = editor.post(admin_change(agreement), data)

    assert saved.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Beasiswa guru dan dosen Kalimantan Timur"


def test_the_page_saying_saved_is_shown_once_and_never_cached(agreement, editor_kaltim):
    editor = logged_in(editor_kaltim)
    editor.get(ADMIN_LIST)
    data = agreement_form_data(agreement, title="Beasiswa guru Kaltim")

    after_saving = editor.post(admin_change(agreement), data, follow=True).content.decode()
    assert "berhasil diubah" in after_saving

    again = editor.get(ADMIN_LIST).content.decode()
    assert "Beasiswa guru Kaltim" in again
    assert "berhasil diubah" not in again


def test_a_restore_in_place_followed_by_an_edit_serves_no_stale_page_on_sqlite(client, kaltim):
    """SQLite's side of the fault test on PostgreSQL (``tests/test_faults.py``, with pg_dump
    and pg_restore): the database put back as a backup had it, then one edit."""
    if connection.vendor != "sqlite":
        return  # tests/test_faults.py::test_a_restore_in_place_followed_by_an_edit_serves_…
    import sqlite3

    AgreementFactory(title="Festival budaya", lead_region=kaltim)
    hidden = AgreementFactory(
        title="Eksplorasi tambang rahasia",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    connection.ensure_connection()
    backup = sqlite3.connect(":memory:")
    connection.connection.backup(backup)  # every page of the database file, as it is now

    # Published after the backup; anonymous readers see it, and the page is kept.
    Agreement.objects.filter(pk=hidden.pk).update(visibility=Agreement.Visibility.PUBLIC)
    assert "Eksplorasi tambang rahasia" in client.get(LIST).content.decode()

    # The backup restored in place: internal again, and the change counters back where they were.
    backup.backup(connection.connection)
    backup.close()
    assert Agreement.objects.get(pk=hidden.pk).visibility == Agreement.Visibility.INTERNAL
    # One edit moves the counters on by as much as the publication did.
    Agreement.objects.filter(title="Festival budaya").update(summary="Diperbarui")

    page = client.get(LIST).content.decode()
    assert "Festival budaya" in page
    assert "Eksplorasi tambang rahasia" not in page


def test_a_restore_in_place_followed_by_an_edit_serves_no_stale_status_page_on_sqlite(
    client, kaltim
):
    """The agreement's own version after a restore in place (``agreement_version``): the edit
    after the restore must not land on the version of an edit the restore undid."""
    if connection.vendor != "sqlite":
        return  # tests/test_faults.py covers PostgreSQL's restore
    import sqlite3

    festival = AgreementFactory(title="Festival budaya", lead_region=kaltim)
    url = festival.get_absolute_url()
    assert "Festival budaya" in client.get(url).content.decode()
    connection.ensure_connection()
    backup = sqlite3.connect(":memory:")
    connection.connection.backup(backup)

    Agreement.objects.filter(pk=festival.pk).update(title="Festival tambang")
    assert "Festival tambang" in client.get(url).content.decode()

    backup.backup(connection.connection)
    backup.close()
    # One edit, as one as the one the restore undid.
    Agreement.objects.filter(pk=festival.pk).update(summary="Diperbarui")

    page = client.get(url).content.decode()
    assert "Festival budaya" in page
    assert "Festival tambang" not in page


def test_a_title_corrected_leaves_the_filter_lists_kept(client, agreement, staff_client):
    """What the filter form offers is kept until the agreements' parties change
    (``caching.parties_version``): a save of a title draws the list again, with the title it
    shows, but reads none of the form's lists again."""
    agreement.agencies.add(AgencyFactory(name="Dinas Pendidikan", region=agreement.lead_region))
    assert "Dinas Pendidikan" in client.get(LIST).content.decode()
    data = agreement_form_data(agreement, title="Beasiswa dosen Kalimantan Timur")
    assert staff_client.post(admin_change(agreement), data).status_code == 302

    with CaptureQueriesContext(connection) as captured:
        page = client.get(LIST).content.decode()

    assert "Beasiswa dosen Kalimantan Timur" in page
    assert "Dinas Pendidikan" in page
    assert not any('FROM "agreements_agency"' in query["sql"] for query in captured)


def test_an_agreement_made_internal_takes_its_parties_out_of_the_publics_filter_at_once(
    client, agreement, kaltim
):
    agreement.partners.add(PartnerFactory(name="Pemerintah Kota Kitakyushu"))
    agreement.agencies.add(AgencyFactory(name="Dinas Perhubungan", region=kaltim))
    page = client.get(LIST).content.decode()
    assert "Pemerintah Kota Kitakyushu" in page and "Dinas Perhubungan" in page

    Agreement.objects.filter(pk=agreement.pk).update(visibility=Agreement.Visibility.INTERNAL)

    page = client.get(LIST).content.decode()
    assert "Pemerintah Kota Kitakyushu" not in page
    assert "Dinas Perhubungan" not in page


def test_a_renamed_partner_is_offered_by_its_new_name_at_once(client, agreement):
    partner = PartnerFactory(name="Pemerintah Provinsi Anhui")
    agreement.partners.add(partner)
    assert "Pemerintah Provinsi Anhui" in client.get(LIST).content.decode()

    partner.name = "Pemerintah Rakyat Provinsi Anhui"
    partner.save()

    assert "Pemerintah Rakyat Provinsi Anhui" in client.get(LIST).content.decode()
