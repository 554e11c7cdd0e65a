"""Following a selection: a signed-in reader saves a filter of the list and is mailed what
changed in it, daily or weekly, in their language, only what they may see, each change once;
one link in the mail stops it."""

import datetime
import io
import re
import threading
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from partners.models import Region
from reminders import follow
from reminders.models import Subscription
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CountryFactory,
    MilestoneFactory,
    PartnerFactory,
    RegencyFactory,
    make_official,
)
from tests.helpers import html_lang, opened_afresh, run_at_once


def save(agreement, **changes):
    for name, value in changes.items():
        setattr(agreement, name, value)
    agreement.save()


@pytest.fixture
def register(kaltim, bali):
    china = CountryFactory(code="CN")
    anhui = PartnerFactory(name="Anhui", country=china)
    return {
        "chinese": AgreementFactory(
            title="MoU Kaltim–Anhui", lead_region=kaltim, scope="ksdpl", partners=[anhui]
        ),
        "internal": AgreementFactory(
            title="Rancangan Kaltim–Anhui",
            lead_region=kaltim,
            scope="ksdpl",
            partners=[anhui],
            visibility="internal",
        ),
        "other": AgreementFactory(title="MoU Bali", lead_region=bali),
    }


@pytest.fixture
def reader(django_user_model):
    """A signed-in member of the public: no role, sees public records only."""
    return django_user_model.objects.create_user(
        username="warga", email="warga@example.invalid", password="a-long-test-password"
    )


def follow_selection(client, query, frequency="daily"):
    return client.post("/ikuti/", {"query": query, "frequency": frequency})


def run_digest(at):
    call_command("send_follow_digests", f"--now={at.isoformat()}", stdout=io.StringIO())


def later(**delta):
    return timezone.now() + datetime.timedelta(**delta)


def test_the_list_offers_signed_in_readers_to_follow_what_it_shows(client, register, reader):
    html = client.get("/regions/64/", {"country": "CN", "page": "1"}).content.decode()
    assert "Masuk untuk mengikuti pilihan ini" in html
    client.force_login(reader)
    html = client.get("/regions/64/", {"country": "CN", "page": "1"}).content.decode()
    assert 'name="query" value="country=CN&amp;region=64"' in html
    assert "Ikuti pilihan ini" in html


def test_following_saves_the_selection_once_without_page_or_sort(client, register, reader):
    client.force_login(reader)
    response = follow_selection(client, "country=CN&page=2&sort=title")
    assert response.status_code == 302
    follow_selection(client, "country=CN", frequency="weekly")

    [subscription] = Subscription.objects.filter(user=reader)
    assert subscription.query == "country=CN"
    assert subscription.frequency == "weekly"
    assert "Negara mitra" in subscription.name
    page = client.get("/ikuti/").content.decode()
    assert subscription.name in page and "Mingguan" in page


def test_a_day_typed_as_a_letter_writes_it_is_the_same_selection_as_the_lists_field_sends_it(
    client, reader
):
    """``31/12/2027`` typed into an address and ``2027-12-31`` from the list's date field are
    one selection: followed both ways, it is followed once, and mailed once."""
    client.force_login(reader)
    follow_selection(client, "expires_before=31/12/2027&q=%20Anhui%20")
    follow_selection(client, "q=Anhui&expires_before=2027-12-31", frequency="weekly")

    [subscription] = Subscription.objects.all()
    assert subscription.query == "expires_before=2027-12-31&q=Anhui"
    assert subscription.frequency == "weekly"
    assert client.get(subscription.get_list_url()).status_code == 200


def test_a_bad_selection_or_a_reader_without_address_is_refused(client, register, reader):
    client.force_login(reader)
    response = follow_selection(client, "year=abc")
    assert response.status_code == 400
    assert "tidak valid" in response.content.decode()
    assert follow_selection(client, "country=CN", frequency="hourly").status_code == 400
    reader.email = ""
    reader.save()
    response = follow_selection(client, "country=CN")
    assert response.status_code == 400
    assert "alamat surel" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_selection_keeps_only_the_lists_filters_and_refuses_one_too_long_to_keep(
    client, register, reader
):
    """What the list does not read is left out (a link's tracking; anything else the list
    refuses), a value of a filter of several repeated is kept once; a selection past what a
    subscription holds is refused with the reason, not a 500 (or cut short)."""
    client.force_login(reader)
    response = follow_selection(client, "zzz=a&country=CN")
    assert response.status_code == 400
    response = follow_selection(
        client, "utm_source=" + "a" * 2000 + "&country=CN&kind=mou&kind=mou"
    )
    assert response.status_code == 302
    assert Subscription.objects.get(user=reader).query == "country=CN&kind=mou"

    # A keyword within its 200 characters, written out in the address (as %C3%A9 each).
    response = follow_selection(client, "q=" + "%C3%A9" * 190)
    assert response.status_code == 400
    assert "terlalu banyak filter" in response.content.decode()
    assert Subscription.objects.filter(user=reader).count() == 1


def test_a_reader_following_as_many_as_an_account_may_is_refused_a_new_one_not_an_old_one(
    client, register, reader
):
    """Each follow costs every digest run a reading of its selection: an account follows at
    most ``FOLLOWS_AT_MOST``, and is told so. Following one of them again still sets it."""
    client.force_login(reader)
    assert follow_selection(client, "country=CN").status_code == 302
    Subscription.objects.bulk_create(
        Subscription(user=reader, query=f"year={year}", name=str(year), covered_until=later())
        for year in range(1927, 2026)
    )

    response = follow_selection(client, "kind=pks")

    assert response.status_code == 400
    assert "Anda sudah mengikuti 100 pilihan, batas untuk satu akun" in response.content.decode()
    assert follow_selection(client, "country=CN", frequency="weekly").status_code == 302
    assert Subscription.objects.get(user=reader, query="country=CN").frequency == "weekly"
    assert not Subscription.objects.filter(query="kind=pks").exists()


ONE_VALUE_ONLY = "Isian ini menerima satu nilai saja, tetapi diberi 2 nilai: pilih satu."


@pytest.mark.parametrize(
    ("posted", "says"),
    [
        # How often, twice: the last one was saved, with no word.
        ({"query": "country=CN", "frequency": ["weekly", "daily"]}, f"Frekuensi: {ONE_VALUE_ONLY}"),
        ({"query": "country=CN", "frequency": ["daily", "daily"]}, f"Frekuensi: {ONE_VALUE_ONLY}"),
        ({"query": ["country=CN", "country=JP"], "frequency": "daily"}, ONE_VALUE_ONLY),
        # A filter of one value twice in the selection, as the list refuses it.
        ({"query": "country=CN&country=", "frequency": "daily"}, "Filter pilihan ini tidak valid"),
    ],
)
def test_following_with_a_value_given_twice_is_refused_saying_so(
    client, register, reader, posted, says
):
    client.force_login(reader)
    response = client.post("/ikuti/", posted)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_search_with_a_right_to_left_override_is_neither_listed_nor_followed(
    client, register, reader
):
    """A search typed with an invisible override was kept in the followed selection's name,
    where it turned the text around it backwards on the reader's page of follows and in every
    digest. The list refuses it, naming it, as the change forms refuse such a character; following
    it is refused as any selection the list refuses is."""
    listed = client.get("/agreements/", {"q": "\u202eAnhui"})
    assert listed.status_code == 400
    assert "U+202E" in listed.content.decode()

    client.force_login(reader)
    response = follow_selection(client, "q=%E2%80%AEAnhui")
    assert response.status_code == 400
    assert "Filter pilihan ini tidak valid" in response.content.decode()
    assert not Subscription.objects.exists()


def test_anonymous_readers_are_sent_to_log_in(client, register):
    assert follow_selection(client, "country=CN").status_code == 302
    assert not Subscription.objects.exists()


def test_an_analyst_is_sent_to_the_sites_login_and_back_to_what_they_follow(client, analyst):
    """Not the admin's login, which refuses whoever is not staff."""
    response = client.get("/ikuti/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/ikuti/"

    page = client.get(response["Location"])
    assert "bukan akun staf" not in page.content.decode()
    logged_in = client.post(
        response["Location"],
        {"username": analyst.get_username(), "password": "a-long-test-password"},
    )
    assert logged_in["Location"] == "/ikuti/"
    assert client.get("/ikuti/").status_code == 200


def test_the_digest_tells_what_changed_in_the_selection_once(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "country=CN")
    save(register["chinese"], status="terminated")
    save(register["other"], title="MoU Bali diubah")  # outside the selection
    save(register["internal"], title="Rahasia")  # in it, but not for this reader

    run_digest(later(days=1))

    [email] = mail.outbox
    assert email.to == ["warga@example.invalid"]
    assert "MoU Kaltim–Anhui" in email.body
    assert "Status: Berlaku → Diakhiri" in email.body
    assert "Bali" not in email.body and "Rahasia" not in email.body
    assert "Rancangan" not in email.body
    # A second run tells nothing again.
    run_digest(later(days=2, hours=1))
    assert len(mail.outbox) == 1


def test_the_digest_tells_an_agreement_that_left_the_selection_and_why(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "status=in_force")
    save(register["chinese"], status="terminated")  # no longer in force: out of the selection

    run_digest(later(days=1))

    [email] = mail.outbox
    assert email.subject == "Status: Berlaku (1 perubahan)"  # one change, told with its departure
    assert "Status: Berlaku → Diakhiri" in email.body
    told = email.body.split("Tidak lagi termasuk pilihan ini:")[1]
    assert "MoU Kaltim–Anhui · status kini: Diakhiri" in told
    assert f"/agreements/{register['chinese'].pk}/" in told
    assert "Bali" not in told  # still in force: still in the selection
    html = email.alternatives[0].content
    assert "Tidak lagi termasuk pilihan ini:" in html and "status kini: Diakhiri" in html
    # Told once: the next digest compares with the selection as it is now.
    run_digest(later(days=2, hours=1))
    assert len(mail.outbox) == 1


def test_an_agreement_past_its_expiry_leaves_those_in_force_with_no_change_saved(
    client, register, reader
):
    client.force_login(reader)
    follow_selection(client, "status=in_force")
    # The days passing, as the register reads them: an expiry now behind, no version saved.
    Agreement.objects.filter(pk=register["chinese"].pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )

    run_digest(later(days=1))

    [email] = mail.outbox
    assert email.subject == "Status: Berlaku (1 perubahan)"
    assert "MoU Kaltim–Anhui · status kini: Berakhir" in email.body


def test_a_digest_planned_for_a_later_day_reads_the_selection_on_that_day(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "status=in_force")
    # Ends in three days, nothing saved; the digest is planned for five days on (``--now``).
    Agreement.objects.filter(pk=register["chinese"].pk).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=3)
    )

    run_digest(later(days=5))

    [email] = mail.outbox
    assert email.subject == "Status: Berlaku (1 perubahan)"
    told = email.body.split("Tidak lagi termasuk pilihan ini:")[1]
    assert "MoU Kaltim–Anhui · status kini: Berakhir" in told
    assert "MoU Bali" not in told


def test_a_digest_tried_ahead_of_time_leaves_what_is_saved_after_it_to_the_next(
    client, register, reader
):
    """``send_follow_digests --now`` tries a digest planned for a later moment: what is saved
    after the try, before that moment, is in the next digest, not passed over as mailed."""
    client.force_login(reader)
    follow_selection(client, "region=64")
    save(register["chinese"], title="MoU Kaltim–Anhui (naskah akhir)")
    run_digest(later(days=1))  # the try: tells the change saved before it
    [tried] = mail.outbox
    assert "MoU Kaltim–Anhui (naskah akhir)" in tried.body
    mail.outbox.clear()

    save(register["chinese"], title="MoU Kaltim–Anhui (ditandatangani)")
    run_digest(later(days=2))

    [email] = mail.outbox
    assert email.subject == "Daerah: Kalimantan Timur (1 perubahan)"
    assert "Judul: MoU Kaltim–Anhui (naskah akhir) → MoU Kaltim–Anhui (ditandatangani)" in (
        email.body
    )


def test_the_subject_counts_each_change_once_the_one_that_took_an_agreement_out_too(
    client, register, reader
):
    client.force_login(reader)
    follow_selection(client, "status=in_force")
    save(register["chinese"], status="terminated")  # a change that takes it out
    # Past its expiry with nothing saved: out of the selection, no change told but that.
    Agreement.objects.filter(pk=register["other"].pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )

    run_digest(later(days=1))

    [email] = mail.outbox
    assert email.subject == "Status: Berlaku (2 perubahan)"
    assert email.body.count("Status: Berlaku → Diakhiri") == 1
    told = email.body.split("Tidak lagi termasuk pilihan ini:")[1]
    assert "MoU Kaltim–Anhui · status kini: Diakhiri" in told
    assert "MoU Bali · status kini: Berakhir" in told


def test_an_agreement_leaving_the_selection_for_the_internal_is_not_told_to_the_public(
    client, register, reader
):
    client.force_login(reader)
    follow_selection(client, "country=CN")
    save(register["chinese"], visibility="internal")

    run_digest(later(days=1))

    assert mail.outbox == []


def test_the_digest_tells_a_new_step_and_keeps_quiet_about_what_the_reader_is_not_shown(
    client, register, reader
):
    client.force_login(reader)
    follow_selection(client, "country=CN")
    chinese = register["chinese"]
    save(chinese, budget_amount=Decimal("250000000"))  # the budget: never for the public
    save(chinese)
    MilestoneFactory(agreement=chinese, title="Monev tahunan")  # saved with that version

    run_digest(later(days=1))

    [email] = mail.outbox
    assert email.subject == "Negara mitra: Tiongkok (1 perubahan)"
    assert "Tahapan: — → Monev tahunan" in email.body
    # The budget in any way it could be written (an id or a token may hold "250" too).
    for written in ("250000000", "250.000.000", "250,000,000", "250 juta"):
        assert written not in email.body
    assert "Disimpan" not in email.body


def test_a_follow_by_the_budget_is_not_mailed_once_its_reader_may_no_longer_select_by_it(
    client, register, django_user_model
):
    """An official follows the agreements paid from the APBD, then loses the role: read without
    the budget's source, which only officials and staff select by, the selection is every
    agreement, which is not what they follow; no digest tells of the others under its name."""
    official = make_official(django_user_model)
    official.email = "pejabat@example.invalid"
    official.save()
    client.force_login(official)
    follow_selection(client, "budget_source=apbd")
    assert Subscription.objects.get().name == "Sumber anggaran: APBD"
    official.groups.clear()
    save(register["other"], budget_source="apbn", title="MoU Bali diperbarui")

    run_digest(later(days=1))

    assert mail.outbox == []


def test_a_follow_by_the_budget_keeps_its_name_when_its_former_official_changes_its_language(
    client, register, django_user_model
):
    """Renamed in English without the filter its reader may no longer select by, it would be
    called "All agreements" on /ikuti/, which it is not."""
    official = make_official(django_user_model)
    official.email = "pejabat@example.invalid"
    official.save()
    client.force_login(official)
    follow_selection(client, "budget_source=apbd")
    official.groups.clear()
    subscription = Subscription.objects.get()

    client.post(settings_path(subscription), {"frequency": "weekly", "language": "en"})

    subscription.refresh_from_db()
    assert (subscription.language, subscription.frequency) == ("en", "weekly")
    assert subscription.name == "Sumber anggaran: APBD"
    assert "All agreements" not in client.get("/ikuti/").content.decode()


def test_a_budget_in_the_address_of_a_list_the_public_reads_without_it_is_not_followed(
    client, register, reader
):
    """The public's list reads no budget filter in its address: following it follows what the
    page showed, every agreement, mailed as such."""
    client.force_login(reader)
    follow_selection(client, "budget_source=apbd")
    save(register["other"], title="MoU Bali diperbarui")

    run_digest(later(days=1))

    [email] = mail.outbox
    assert email.subject == "Semua kerja sama (1 perubahan)"
    assert "MoU Bali diperbarui" in email.body
    assert "budget_source" not in email.body


def test_the_digest_comes_in_the_language_the_reader_followed_in(client, register, reader):
    client.force_login(reader)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    follow_selection(client, "country=CN")
    save(register["chinese"], status="terminated")

    run_digest(later(days=1))

    [email] = mail.outbox
    assert "What changed" in email.body or "Status: In force → Terminated" in email.body
    assert "Status: In force → Terminated" in email.body


def test_officials_are_told_of_internal_records_too(client, register, django_user_model):
    official = make_official(django_user_model)
    official.email = "pejabat@example.invalid"
    official.save()
    client.force_login(official)
    follow_selection(client, "country=CN")
    save(register["internal"], title="Rancangan kedua")

    run_digest(later(days=1))

    [email] = mail.outbox
    assert "Rancangan kedua" in email.body


def test_an_officials_digest_marks_the_changes_of_internal_records(
    client, register, django_user_model
):
    """The changes of a record internal today are marked "Internal" beside its title, in the
    mail's text and its HTML alike, as /perubahan/ marks them; a public record's are not."""
    official = make_official(django_user_model)
    official.email = "pejabat@example.invalid"
    official.save()
    client.force_login(official)
    follow_selection(client, "country=CN")
    save(register["internal"], title="Rancangan kedua")
    save(register["chinese"], status="terminated")

    run_digest(later(days=1))

    [email] = mail.outbox
    # Each entry's first line names its agreement; the lines of its changes follow.
    lines = email.body.splitlines()
    secret = next(line for line in lines if "Rancangan kedua" in line)
    assert "Rancangan kedua · Internal · oleh" in secret
    public = next(line for line in lines if register["chinese"].title in line)
    assert "Internal" not in public
    html = email.alternatives[0][0]
    head = next(li for li in html.split("<li>") if "Rancangan kedua" in li).split("</p>", 1)[0]
    assert "Rancangan kedua · Internal ·" in " ".join(re.sub(r"<[^>]+>", " ", head).split())
    head = next(li for li in html.split("<li>") if register["chinese"].title in li)
    assert "Internal" not in head.split("</p>", 1)[0]


def test_a_weekly_selection_waits_for_its_week(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "country=CN", frequency="weekly")
    save(register["chinese"], status="terminated")

    run_digest(later(days=1))
    assert mail.outbox == []
    run_digest(later(days=7))
    assert len(mail.outbox) == 1


def test_one_link_in_the_mail_stops_following(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "country=CN")
    save(register["chinese"], status="terminated")
    run_digest(later(days=1))
    link = re.search(r"http://\S+/ikuti/berhenti/\S+/", mail.outbox[0].body).group(0)
    assert mail.outbox[0].extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    client.logout()
    path = link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])
    # A link scanner or a mail preview fetches the link: it asks, and stops nothing.
    assert client.head(path).status_code == 200
    asked = client.get(path)
    assert asked.status_code == 200
    assert "Berhenti mengikuti “" in asked.content.decode()
    assert Subscription.objects.exists()
    # The button, or a mail program's one-click POST (without the page's CSRF token), stops it.
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "tidak lagi mengikuti" in response.content.decode()
    assert not Subscription.objects.exists()
    forged = client.get("/ikuti/berhenti/not-a-token/")
    assert forged.status_code == 400


def test_the_digest_names_its_selection_in_the_subject_and_in_the_readers_language(
    client, register, reader
):
    """A reader following several selections tells the mails apart in the inbox; one who
    follows again in English gets the name in English, its date as the page writes it."""
    client.force_login(reader)
    follow_selection(client, "country=CN&expires_before=2030-06-30")
    assert Subscription.objects.get().name == (
        "Negara mitra: Tiongkok; Berakhir paling lambat: 30 Juni 2030"
    )
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    follow_selection(client, "country=CN&expires_before=2030-06-30")
    save(register["chinese"], status="terminated")

    run_digest(later(days=1))

    [email] = mail.outbox
    name = "Partner country: China; Expires by: 30 June 2030"
    assert email.subject == f"{name} (1 change)"
    html = email.alternatives[0][0]
    assert '<html lang="en">' in html
    for body in (email.body, html):
        assert f"What changed in the selection you follow ({name}):" in body
        assert "2030-06-30" not in body.split("http")[0]
        assert "Negara mitra" not in body


def test_every_link_of_an_english_digest_opens_its_page_in_english_in_a_fresh_browser(
    client, register, reader, monkeypatch
):
    """The reader follows in English, then opens the mail on a phone that never chose a
    language: the change's status page, the rest of the change log, the selection and the
    link that stops it all open in English, each at its own address."""
    monkeypatch.setattr(follow, "DIGEST_LENGTH", 1)  # so the mail links the change log too
    client.force_login(reader)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    follow_selection(client, "country=CN")
    save(register["chinese"], status="terminated")
    save(register["chinese"], title="MoU Kaltim–Anhui (diubah)")

    run_digest(later(days=1))

    [email] = mail.outbox
    links = re.findall(r"http://\S+", email.body)
    html = email.alternatives[0][0]
    assert all(f'href="{link.replace("&", "&amp;")}"' in html for link in links)
    status, changes, selection, unfollow = links
    # The token names the follow (it is signed with the second it was made in, so one made
    # again here may differ).
    token = unfollow.split("/ikuti/berhenti/", 1)[1].split("/", 1)[0]
    assert follow.subscription_of_token(token) == Subscription.objects.get().pk
    assert email.extra_headers["List-Unsubscribe"] == f"<{unfollow}>"
    for link, address, heading in [
        (status, register["chinese"].get_absolute_url(), "Change history</h2>"),
        (changes, "/perubahan/?country=CN", "<h1>Change history</h1>"),
        (selection, "/agreements/?country=CN", "<h1>Agreements</h1>"),
        (unfollow, reverse("unfollow", args=[token]), "<h1>Stop following</h1>"),
    ]:
        opened = opened_afresh(link)
        assert opened.status_code == 200, link
        assert html_lang(opened) == "en", link
        assert heading in opened.content.decode(), link
        assert opened.redirect_chain == [(address, 302)], link
    assert Subscription.objects.exists()  # opening the link stopped nothing


def test_an_indonesian_digest_links_each_page_at_its_own_address(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "country=CN")
    save(register["chinese"], status="terminated")

    run_digest(later(days=1))

    links = re.findall(r"http://\S+", mail.outbox[0].body)
    assert len(links) == 3
    for link in links:
        assert "lang=" not in link
        opened = opened_afresh(link)
        assert html_lang(opened) == "id" and opened.redirect_chain == []


def test_the_digest_gives_each_time_in_the_readers_zone_and_names_it(client, register, reader):
    """An official in Papua reads 15.55 WIT, not the server's 13.55 with no zone."""
    from access.models import WorkSetting
    from agreements.models import Agreement

    WorkSetting.objects.create(user=reader, time_zone="Asia/Jayapura")
    client.force_login(reader)
    follow_selection(client, "country=CN")
    save(register["chinese"], status="terminated")
    # Saved an hour after the reader began to follow (both put back in time: a digest tells
    # what was saved by the time it runs).
    followed = Subscription.objects.get().covered_until - datetime.timedelta(hours=2)
    Subscription.objects.update(covered_until=followed)
    saved = followed.replace(microsecond=0) + datetime.timedelta(hours=1)
    Agreement.history.model.objects.filter(
        history_id=Agreement.history.filter(id=register["chinese"].pk).latest().history_id
    ).update(history_date=saved)

    run_digest(later(days=1))

    [email] = mail.outbox
    local = saved.astimezone(zoneinfo.ZoneInfo("Asia/Jayapura"))
    shown = f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H.%M} WIT"
    assert shown in email.body
    assert shown in email.alternatives[0][0]


MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


class SlowBackend:
    """A mail backend that takes its time, so that a second run starts while the first sends."""

    sending = threading.Event()
    sent = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        SlowBackend.sending.set()
        threading.Event().wait(1.0)
        SlowBackend.sent.extend(messages)
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_digest_once(kaltim, django_user_model):
    reader = django_user_model.objects.create_user(username="warga", email="w@example.invalid")
    agreement = AgreementFactory(title="MoU", lead_region=kaltim)
    Subscription.objects.create(
        user=reader,
        query="region=64",
        name="Kaltim",
        frequency="daily",
        covered_until=timezone.now(),
    )
    save(agreement, status="terminated")
    at = later(days=1)
    SlowBackend.sending.clear()
    SlowBackend.sent = []
    results = []

    def first():
        results.append(follow.send_due(at, SlowBackend()))

    def second():
        SlowBackend.sending.wait(10)
        results.append(follow.send_due(at, SlowBackend()))

    run_at_once(first, second)

    assert len(SlowBackend.sent) == 1
    assert sorted(sent for sent, *_rest in results) == [0, 1]
    # Covered up to the run, which is before the moment it was planned for (``covered_until``).
    assert Subscription.objects.get().covered_until > agreement.updated_at


class SavingBackend:
    """A mail backend during whose sending an editor terminates an agreement."""

    agreement = None

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        save(SavingBackend.agreement, status="terminated")
        return len(messages)


def test_an_agreement_that_leaves_while_a_digest_is_sent_is_told_by_the_next(
    client, register, reader
):
    client.force_login(reader)
    follow_selection(client, "status=in_force")
    # Followed two days ago: the digest is due now, and is sent as the clock reads it.
    Subscription.objects.update(covered_until=later(days=-2))
    save(register["other"], title="MoU Bali diperbarui")  # something to send
    SavingBackend.agreement = register["chinese"]

    follow.send_due(timezone.now(), SavingBackend())
    assert mail.outbox == []
    run_digest(later(days=1, hours=1))

    [email] = mail.outbox
    assert email.subject == "Status: Berlaku (1 perubahan)"
    assert "Status: Berlaku → Diakhiri" in email.body
    told = email.body.split("Tidak lagi termasuk pilihan ini:")[1]
    assert "MoU Kaltim–Anhui · status kini: Diakhiri" in told
    # Told once.
    run_digest(later(days=3, hours=2))
    assert len(mail.outbox) == 1


# -- changing how often and in which language, on /ikuti/ ----------------------------------------


def settings_path(subscription):
    return reverse("follow-settings", args=[subscription.pk])


def test_a_follows_frequency_and_language_change_in_its_row(client, register, reader):
    """The change made before the switch is not lost: the next digest, a week on and in
    English, tells it, under the selection's English name."""
    client.force_login(reader)
    follow_selection(client, "country=CN", frequency="daily")
    subscription = Subscription.objects.get()
    page = client.get("/ikuti/").content.decode()
    form = re.search(
        rf'<form id="follow-{subscription.pk}-form" method="post" action="([^"]+)"', page
    )
    assert form.group(1) == settings_path(subscription)
    assert 'name="csrfmiddlewaretoken"' in page.split(form.group(0), 1)[1].split("</form>")[0]
    assert re.search(r'<option value="daily" selected>Harian</option>', page)
    save(register["chinese"], status="terminated")

    response = client.post(settings_path(subscription), {"frequency": "weekly", "language": "en"})

    assert response.status_code == 302 and response["Location"] == "/ikuti/"
    page = client.get("/ikuti/").content.decode()
    assert (
        "Tersimpan: perubahan pada “Partner country: China” dikirim mingguan dalam English." in page
    )
    assert re.search(r'<option value="weekly" selected>Mingguan</option>', page)
    assert re.search(r'<option value="en" lang="en" selected>English</option>', page)
    run_digest(later(days=1))
    assert mail.outbox == []  # weekly now
    run_digest(later(days=7))
    [email] = mail.outbox
    assert "Status: In force → Terminated" in email.body
    assert email.subject.startswith("Partner country: China (1 ")


@pytest.mark.parametrize(
    ("chosen", "field", "message"),
    [
        ({"frequency": "hourly", "language": "en"}, "frequency", "Pilih seberapa sering"),
        ({"language": "en"}, "frequency", "Pilih seberapa sering"),
        ({"frequency": "weekly", "language": "fr"}, "language", "Pilih bahasa surel"),
    ],
)
def test_a_choice_that_cannot_be_used_is_said_at_its_field(
    client, register, reader, chosen, field, message
):
    """The page comes back with what was chosen where it could be used, and a summary that
    leads to the field whose message is read with it; nothing is changed."""
    client.force_login(reader)
    follow_selection(client, "country=CN", frequency="daily")
    subscription = Subscription.objects.get()

    response = client.post(settings_path(subscription), chosen)

    assert response.status_code == 400
    html = response.content.decode()
    control = f"follow-{subscription.pk}-{field}"
    select = re.search(rf'<select id="{control}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in select
    described = re.search(r'aria-describedby="([^"]+)"', select).group(1)
    said = re.search(rf'<p class="field-error" id="{described}">([^<]*)</p>', html).group(1)
    assert said.startswith(message)
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'href="#{control}"' in summary and said in summary
    if field == "frequency":  # the language chosen is shown as chosen
        assert re.search(r'<option value="en" lang="en" selected>', html)
    else:
        assert re.search(r'<option value="weekly" selected>', html)
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.language) == ("daily", "id")


def test_a_frequency_given_twice_is_refused_at_its_field(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "country=CN", frequency="daily")
    subscription = Subscription.objects.get()

    response = client.post(
        settings_path(subscription), {"frequency": ["weekly", "daily"], "language": "en"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    control = f"follow-{subscription.pk}-frequency"
    select = re.search(rf'<select id="{control}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in select
    assert ONE_VALUE_ONLY in html
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.language) == ("daily", "id")


def test_a_reader_without_an_address_is_told_so_as_when_following(client, register, reader):
    client.force_login(reader)
    follow_selection(client, "country=CN")
    reader.email = ""
    reader.save()

    response = client.post(
        settings_path(Subscription.objects.get()), {"frequency": "daily", "language": "id"}
    )

    assert response.status_code == 400
    assert "Akun Anda belum memiliki alamat surel" in response.content.decode()


def test_nobody_changes_someone_elses_follow(client, register, reader, django_user_model):
    client.force_login(reader)
    follow_selection(client, "country=CN", frequency="daily")
    subscription = Subscription.objects.get()
    path = settings_path(subscription)
    chosen = {"frequency": "weekly", "language": "en"}
    other = django_user_model.objects.create_user(username="lain", email="lain@example.invalid")
    stranger = Client()
    stranger.force_login(other)
    assert stranger.post(path, chosen).status_code == 404
    assert subscription.name not in stranger.get("/ikuti/").content.decode()
    anonymous = Client().post(path, chosen)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    # Without the page's CSRF token, the reader's own browser is refused too.
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(reader)
    assert forged.post(path, chosen).status_code == 403
    assert client.post(f"/ikuti/{10**30}/", chosen).status_code == 404
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.language) == ("daily", "id")
    # Opened as a page (the switcher's way back, a bookmark), it is the list of follows.
    assert client.get(path)["Location"] == "/ikuti/"


@pytest.mark.parametrize("follows", [1, 4])
def test_the_follows_page_runs_the_same_queries_however_many_are_followed(
    client, reader, follows, django_assert_num_queries
):
    for number in range(follows):
        Subscription.objects.create(
            user=reader,
            query=f"year={2000 + number}",
            name=f"Tahun {2000 + number}",
            covered_until=timezone.now(),
        )
    client.force_login(reader)

    with django_assert_num_queries(3):
        page = client.get("/ikuti/").content.decode()

    assert page.count('<select id="follow-') == 2 * follows


def test_a_follow_the_list_refuses_now_says_why_on_the_follows_page_and_is_not_mailed(
    client, register, reader, django_assert_num_queries
):
    """A follow of a regency removed since, one saved before its parameter was refused and one
    of a year the register no longer holds are mailed no more, and said nothing of it: the
    reader waited for digests that never came. ``/ikuti/`` says which, and why, beside the link
    that stops each; a follow that still works is mailed as before."""
    client.force_login(reader)
    RegencyFactory(
        code="64.02", name="Kabupaten Kutai Kartanegara", province=register["chinese"].lead_region
    )
    follow_selection(client, "region=64.02")
    follow_selection(client, "region=64")
    anhui = register["chinese"].partners.get()
    follow_selection(client, f"partner={anhui.pk}")
    Subscription.objects.create(
        user=reader, query="regoin=51", name="Bali", covered_until=timezone.now()
    )
    Subscription.objects.create(
        user=reader, query="year=1899", name="Tahun 1899", covered_until=timezone.now()
    )
    Region.objects.filter(code="64.02").delete()
    save(register["chinese"], title="MoU Kaltim–Anhui diperbarui")
    save(register["other"], title="MoU Bali diperbarui")

    # The regions all follows name are read together, one query however many follow one; so
    # are the partners, once for their names and whether the list reads them (with the
    # reader's roles, which tell which partners they may know of).
    with django_assert_num_queries(6):
        response = client.get("/ikuti/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ringkasan sebagian pilihan yang Anda ikuti tidak lagi dikirim" in page
    assert page.count("Pilihan ini tidak lagi dapat dibaca") == 3
    # The removed regency, in the list's words.
    assert "Daerah: Masukkan pilihan yang valid." in page
    # Named without the list's advice to remove it from an address the follower has not got.
    assert "Pilihan ini memuat parameter yang tidak dikenali daftar: “regoin”." in page
    assert "Hapus dari alamat" not in page
    assert "Tahun ditandatangani:" in page
    assert page.count("/ikuti/berhenti/") == 5
    out = io.StringIO()
    call_command("send_follow_digests", f"--now={later(days=1).isoformat()}", stdout=out)
    # The one who runs the command (cron mails what it prints) is told which went unsent: of
    # those due (the two saved by hand are weekly), the removed regency's.
    removed = Subscription.objects.get(query="region=64.02").pk
    assert f"1 pilihan tidak dikirim karena tidak lagi dapat dibaca daftar (nomor {removed})" in (
        out.getvalue()
    )
    # Only the follows that still work are mailed, and only with what they select.
    assert sorted(message.subject for message in mail.outbox) == [
        "Daerah: Kalimantan Timur (1 perubahan)",
        "Mitra: Anhui (1 perubahan)",
    ]
    assert all("MoU Bali" not in message.body for message in mail.outbox)


def test_the_digest_command_refuses_a_moment_that_is_none_naming_its_option():
    """A moment typed wrong into ``--now`` is refused by the command's parser, the option
    named, as the daily commands refuse a wrong day: no traceback in the cron mail."""
    with pytest.raises(
        CommandError, match="argument --now: bukan waktu YYYY-MM-DDTHH:MM: 'kemarin'"
    ):
        call_command("send_follow_digests", "--now", "kemarin", stdout=io.StringIO())


def test_the_digest_command_reads_a_moment_without_a_zone_in_the_sites(db):
    out = io.StringIO()
    call_command("send_follow_digests", "--now", "2026-12-06T07:30", stdout=out)
    assert out.getvalue().startswith("2026-12-06T07:30:00+07:00: 0 surel terkirim")


def test_a_follow_never_names_a_partner_its_reader_may_no_longer_see(client, django_user_model):
    """An official follows the agreements of a partner only internal agreements name; once
    their role is taken away, neither ``/ikuti/``, nor the page that changes how often it is
    mailed, nor the mail's link to stop it names that partner: the name it was saved with is
    no longer theirs to read."""
    kaltim = AgreementFactory.create(visibility="internal", partners=[]).lead_region
    secret = PartnerFactory(name="Mitra Rahasia Sekali")
    AgreementFactory(lead_region=kaltim, partners=[secret], visibility="internal")
    official = make_official(django_user_model)
    official.email = "pejabat@example.invalid"
    official.save()
    client.force_login(official)
    follow_selection(client, f"partner={secret.pk}")
    subscription = Subscription.objects.get()
    assert "Mitra Rahasia Sekali" in client.get("/ikuti/").content.decode()

    official.groups.clear()
    official = django_user_model.objects.get(pk=official.pk)
    client.force_login(official)

    page = client.get("/ikuti/").content.decode()
    assert "Mitra Rahasia Sekali" not in page
    assert "tidak lagi dapat Anda lihat" in page
    saved = client.post(settings_path(subscription), {"frequency": "weekly", "language": "id"})
    assert saved.status_code == 302
    assert "Mitra Rahasia Sekali" not in client.get("/ikuti/").content.decode()
    refused = client.post(settings_path(subscription), {"frequency": "hourly", "language": "id"})
    assert refused.status_code == 400
    assert "Mitra Rahasia Sekali" not in refused.content.decode()
    client.logout()
    asked = client.get(f"/ikuti/berhenti/{follow.unfollow_token(subscription)}/")
    assert "Mitra Rahasia Sekali" not in asked.content.decode()
    stopped = client.post(f"/ikuti/berhenti/{follow.unfollow_token(subscription)}/")
    assert "Mitra Rahasia Sekali" not in stopped.content.decode()
    assert not Subscription.objects.exists()


def test_a_follow_never_names_an_agency_only_internal_agreements_name_to_the_public(
    client, register, reader
):
    """An agency that carried out a public agreement is named by a follow of its agreements;
    once that agreement is made internal, its name is no longer the public reader's to read."""
    agency = AgencyFactory(name="Badan Rahasia Daerah", region=register["chinese"].lead_region)
    register["chinese"].agencies.add(agency)
    client.force_login(reader)
    follow_selection(client, f"agency={agency.pk}")
    assert "Badan Rahasia Daerah" in client.get("/ikuti/").content.decode()

    save(register["chinese"], visibility="internal")

    page = client.get("/ikuti/").content.decode()
    assert "Badan Rahasia Daerah" not in page
    assert "tidak lagi dapat Anda lihat" in page


def test_a_digest_listing_only_the_first_changes_says_in_its_subject_there_were_more(
    client, register, reader, monkeypatch
):
    """A digest lists at most ``DIGEST_LENGTH`` changes and says in its body there are more:
    its subject does not count them as if they were all."""
    monkeypatch.setattr(follow, "DIGEST_LENGTH", 1)
    client.force_login(reader)
    follow_selection(client, "country=CN")
    save(register["chinese"], status="terminated")
    save(register["chinese"], title="MoU Kaltim–Anhui (diubah)")

    run_digest(later(days=1))

    [email] = mail.outbox
    assert email.subject == "Negara mitra: Tiongkok (lebih dari 1 perubahan)"
    assert "Masih ada perubahan lain" in email.body


def test_the_admin_cannot_write_a_query_the_list_would_refuse_into_a_follow(
    staff_client, register, reader
):
    """A follow's query was a free text field of its admin form: ``regoin=64`` saved there was
    never mailed, with no word, and a query of another selection was mailed under the name
    of the one followed. What it selects, and whose it is, are the reader's: read only, with
    whether the list reads it now; how often and in which language it goes, staff may set."""
    subscription = Subscription.objects.create(
        user=reader, query="year=1899", name="Tahun 1899", covered_until=timezone.now()
    )
    page = reverse("admin:reminders_subscription_change", args=[subscription.pk])

    form = staff_client.get(page).content.decode()
    assert 'name="query"' not in form
    assert "Tidak: ringkasannya tidak dikirim." in form
    assert "Tahun ditandatangani: Pastikan nilai ini lebih besar" in form
    saved = staff_client.post(
        page,
        {
            "user": reader.pk,
            "query": "regoin=64",
            "name": "Kalimantan Timur",
            "frequency": "daily",
            "language": "en",
            "covered_until_0": "2026-01-01",
            "covered_until_1": "00:00:00",
        },
    )
    assert saved.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.query, subscription.name) == ("year=1899", "Tahun 1899")
    assert (subscription.frequency, subscription.language) == ("daily", "en")
    assert staff_client.get(reverse("admin:reminders_subscription_add")).status_code == 403
