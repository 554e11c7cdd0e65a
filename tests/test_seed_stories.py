"""The demo register: the five seed stories entered as told, and the generated records around them.

The register is loaded and seeded once per class (inside a transaction rolled back afterwards,
as Django's ``setUpTestData`` does); each test then runs in its own savepoint. These tests fail
if a seed story loses a party, a date or a milestone.
"""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from agreements import demo
from agreements.models import (
    Agency,
    Agreement,
    Milestone,
    Potential,
    PotentialSurvey,
    Sector,
    Signatory,
)
from partners.models import Partner, Region
from tests.helpers import assert_parties_fit_their_scope, rows_kept_for_the_scope

d = datetime.date

KALTIM_ANHUI = "Kerja sama Provinsi Kalimantan Timur dan Provinsi Anhui (Tiongkok)"
SAMARINDA_ANHUI = "Kota kembar Kota Samarinda dengan kota di Provinsi Anhui (Tiongkok)"
BALIKPAPAN_ANHUI = "Kota kembar Kota Balikpapan dengan kota di Provinsi Anhui (Tiongkok)"
KALTENG_BALI = (
    "Nota kesepahaman Gubernur Kalimantan Tengah dan Gubernur Bali tentang kerja sama "
    "pembangunan dan pengembangan potensi daerah"
)
NTT_JIANGXI_LOI = "Letter of Intent Provinsi Nusa Tenggara Timur dan Provinsi Jiangxi (Tiongkok)"
NTT_JIANGXI = "Provinsi kembar (sister province) Nusa Tenggara Timur dan Jiangxi (Tiongkok)"
MUARA_ENIM_MOU = "Nota kesepahaman Kabupaten Muara Enim dengan lembaga dan instansi di Jepang"
MUARA_ENIM_SISTER_CITY = "Kota kembar (sister city) Kabupaten Muara Enim dengan kota di Jepang"
STORY_TITLES = [
    KALTIM_ANHUI,
    SAMARINDA_ANHUI,
    BALIKPAPAN_ANHUI,
    KALTENG_BALI,
    NTT_JIANGXI_LOI,
    NTT_JIANGXI,
    MUARA_ENIM_MOU,
    MUARA_ENIM_SISTER_CITY,
]


def seed(**kwargs):
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """Reference data and the demo register, once for the class, rolled back after it."""
    with rows_kept_for_the_scope(django_db_blocker):
        with django_db_blocker.unblock():
            call_command("load_reference_data", stdout=StringIO())
            output = seed()
        yield output


def story(title):
    return Agreement.objects.get(title=title)


def region_codes(agreement):
    return {r.code for r in agreement.regions.all()}


def subdivision_codes(agreement):
    return {p.subdivision_id for p in agreement.partners.all()}


def sector_slugs(agreement):
    return {s.slug for s in agreement.sectors.all()}


def milestones(agreement):
    """(kind, done_on, due_on, waits_on) of each milestone, in timeline order."""
    return [(m.kind, m.done_on, m.due_on, m.waits_on) for m in agreement.milestones.all()]


def generated():
    return Agreement.objects.filter(summary__startswith=demo.DEMO_MARK)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Agreement, Milestone, Partner, PotentialSurvey, Potential, Region, Sector)
    } | {
        "regions": Agreement.regions.through.objects.count(),
        "partners": Agreement.partners.through.objects.count(),
        "sectors": Agreement.sectors.through.objects.count(),
        "agencies": Agreement.agencies.through.objects.count(),
        "agency list": Agency.objects.count(),
        "signatories": Signatory.objects.count(),
        "participants": PotentialSurvey.participants.through.objects.count(),
        "users": get_user_model().objects.count(),
    }


# -- without reference data -------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_before_the_reference_data_is_loaded():
    with pytest.raises(CommandError, match="load_reference_data"):
        seed()
    assert Agreement.objects.count() == 0
    assert Partner.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_writes_in_bulk_not_a_query_per_record(django_assert_max_num_queries):
    call_command("load_reference_data", stdout=StringIO())
    # About 200 agreements and 1,300 milestones: a few dozen statements, not thousands.
    # (and the stored progress of them all: a read and a few batched updates; the agencies
    # of every province, the agreements' links to them and the signatories: a dozen more;
    # the statuses raised to their paths, with a version each: a dozen more; SQLite writes
    # in smaller batches than PostgreSQL, a few statements more there)
    with django_assert_max_num_queries(160):
        seed()
    assert Agreement.objects.count() > 200


# -- the seed stories ---------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
class TestSeedStories:
    def test_kaltim_and_anhui_explore_a_cooperation_abroad(self):
        agreement = story(KALTIM_ANHUI)
        assert agreement.lead_region.code == "64"
        assert region_codes(agreement) == {"64"}
        assert subdivision_codes(agreement) == {"CN-AH"}
        assert (agreement.kind, agreement.scope, agreement.status) == (
            "other",
            "ksdpl",
            "exploration",
        )
        assert agreement.proposed_on == d(2023, 12, 1)
        assert agreement.signed_on is None
        assert "Desember 2023 (hanya bulannya yang diketahui)" in agreement.summary

    def test_kaltim_anhui_covers_the_sectors_the_delegation_named(self):
        assert sector_slugs(story(KALTIM_ANHUI)) == {
            "education",
            "trade",
            "investment",
            "tourism",
            "food-security",
            "industry",
            "village-empowerment",
        }

    def test_kaltim_anhui_timeline_runs_from_the_offer_to_the_june_2024_signing(self):
        agreement = story(KALTIM_ANHUI)
        assert milestones(agreement) == [
            ("initiative", d(2023, 12, 1), None, ""),
            ("loi", d(2023, 12, 1), None, ""),
            ("exploration", d(2024, 4, 23), None, ""),
            ("signing", None, d(2024, 6, 1), ""),
        ]
        visit = agreement.milestones.get(kind="exploration")
        assert "Puguh Harjanto" in visit.notes
        assert "Pemberdayaan Masyarakat Desa" in visit.notes
        # Where the story names only a month, the date is known to the month.
        for kind in ("initiative", "loi", "signing"):
            milestone = agreement.milestones.get(kind=kind)
            assert str(milestone.known(milestone.done_on and "done_on" or "due_on")) in {
                "Desember 2023",
                "Juni 2024",
            }

    def test_the_anhui_partner_is_its_provincial_government(self):
        anhui = Partner.objects.get(name="Pemerintah Provinsi Anhui")
        assert (anhui.kind, anhui.country_id, anhui.subdivision_id) == (
            "foreign_region",
            "CN",
            "CN-AH",
        )
        assert anhui.name_local == "安徽省人民政府"

    @pytest.mark.parametrize(
        ("title", "city"), [(SAMARINDA_ANHUI, "64.72"), (BALIKPAPAN_ANHUI, "64.71")]
    )
    def test_samarinda_and_balikpapan_sister_cities_follow_from_kaltim_anhui(self, title, city):
        agreement = story(title)
        assert agreement.lead_region.code == city
        assert region_codes(agreement) == {city}
        assert (agreement.kind, agreement.scope, agreement.status) == (
            "sister_city",
            "ksdpl",
            "initiative",
        )
        assert agreement.follows == story(KALTIM_ANHUI)
        assert agreement.relation == "spawns"
        assert milestones(agreement) == [("initiative", d(2024, 4, 23), None, "")]

    def test_the_anhui_cities_are_honestly_not_yet_named(self):
        (partner,) = story(SAMARINDA_ANHUI).partners.all()
        assert list(story(BALIKPAPAN_ANHUI).partners.all()) == [partner]
        assert "belum ditentukan" in partner.name
        assert (partner.kind, partner.subdivision_id) == ("foreign_city", "CN-AH")
        assert partner.parent.name == "Pemerintah Provinsi Anhui"

    def test_kalteng_and_bali_explore_an_mou_between_regions(self):
        agreement = story(KALTENG_BALI)
        assert agreement.lead_region.code == "62"
        assert region_codes(agreement) == {"62", "51"}
        assert not agreement.partners.exists()
        assert (agreement.kind, agreement.scope, agreement.status) == ("mou", "ksdd", "exploration")
        assert agreement.signed_on is None
        assert sector_slugs(agreement) == {
            "tourism",
            "culture",
            "msme",
            "trade",
            "village-empowerment",
            "marine-fisheries",
            "agriculture-livestock",
            "forestry-plantations",
            "transmigration",
            "human-resources",
        }

    def test_kalteng_bali_met_on_24_march_and_planned_the_governors_visit_for_the_26th(self):
        agreement = story(KALTENG_BALI)
        assert milestones(agreement) == [
            ("exploration", d(2022, 3, 24), None, ""),
            ("exploration", None, d(2022, 3, 26), ""),
            ("signing", None, d(2022, 3, 26), ""),
        ]
        meeting = agreement.milestones.get(done_on=d(2022, 3, 24))
        assert "Nuryakin" in meeting.notes and "Dewa Made Indra" in meeting.notes

    def test_ntt_and_jiangxi_signed_a_letter_of_intent_on_an_unstated_day(self):
        loi = story(NTT_JIANGXI_LOI)
        assert loi.lead_region.code == "53"
        assert region_codes(loi) == {"53"}
        assert subdivision_codes(loi) == {"CN-JX"}
        assert (loi.kind, loi.scope, loi.status) == ("loi", "ksdpl", "signed")
        assert loi.signed_on is None
        assert "tanggal penandatanganan tidak disebutkan" in loi.summary
        assert "studi banding" in loi.summary

    def test_the_jiangxi_partner_is_its_provincial_government(self):
        jiangxi = Partner.objects.get(name="Pemerintah Provinsi Jiangxi")
        assert (jiangxi.kind, jiangxi.country_id, jiangxi.subdivision_id) == (
            "foreign_region",
            "CN",
            "CN-JX",
        )
        assert jiangxi.name_local == "江西省人民政府"

    def test_ntt_jiangxi_sister_province_is_prepared_following_the_loi(self):
        agreement = story(NTT_JIANGXI)
        assert agreement.lead_region.code == "53"
        assert subdivision_codes(agreement) == {"CN-JX"}
        assert (agreement.kind, agreement.scope, agreement.status) == (
            "sister_province",
            "ksdpl",
            "preparation",
        )
        assert agreement.follows == story(NTT_JIANGXI_LOI)
        assert agreement.relation == "implements"
        expected = {
            "investment",
            "agriculture-livestock",
            "marine-fisheries",
            "tourism",
            "culture",
            "industry",
        }
        assert sector_slugs(agreement) == sector_slugs(story(NTT_JIANGXI_LOI)) == expected

    def test_ntt_jiangxi_finalisation_waits_on_the_foreign_ministry_early_2026(self):
        agreement = story(NTT_JIANGXI)
        assert milestones(agreement) == [("drafting", None, d(2026, 3, 31), "kemlu")]
        assert "awal 2026" in agreement.milestones.get().notes

    def test_muara_enim_explores_an_mou_with_institutions_in_japan_first(self):
        mou = story(MUARA_ENIM_MOU)
        assert mou.lead_region.code == "16.03"
        assert region_codes(mou) == {"16.03"}
        (partner,) = mou.partners.all()
        assert (partner.kind, partner.country_id) == ("other", "JP")
        assert "belum ditentukan" in partner.name
        assert (mou.kind, mou.scope, mou.status) == ("mou", "ksdll", "exploration")
        assert milestones(mou) == [("exploration", d(2018, 4, 9), None, "")]
        assert sector_slugs(mou) == {
            "urban-development",
            "agriculture-livestock",
            "education",
            "technology",
            "human-resources",
        }

    def test_muara_enim_sister_city_follows_the_mou(self):
        sister_city = story(MUARA_ENIM_SISTER_CITY)
        assert sister_city.lead_region.code == "16.03"
        (partner,) = sister_city.partners.all()
        assert (partner.kind, partner.country_id) == ("foreign_city", "JP")
        assert "belum ditentukan" in partner.name
        # Recorded as an idea, it is exploring with the MoU whose visit it follows.
        assert (sister_city.kind, sister_city.scope, sister_city.status) == (
            "sister_city",
            "ksdpl",
            "exploration",
        )
        assert sister_city.follows == story(MUARA_ENIM_MOU)
        assert sister_city.relation == "implements"
        assert milestones(sister_city) == [("initiative", d(2018, 4, 9), None, "")]

    def test_kaltim_hosted_the_2021_potential_survey_with_its_ten_regencies_and_cities(self):
        survey = PotentialSurvey.objects.get()
        assert survey.held_on == d(2021, 6, 8)
        assert survey.host_region.code == "64"
        assert "Pusat Fasilitasi Kerja Sama" in survey.organiser
        assert "Kementerian Dalam Negeri" in survey.organiser
        participants = {r.code for r in survey.participants.all()}
        assert len(participants) == 11
        assert {"64", "64.71", "64.72", "64.74"} <= participants
        # The story lists no potentials, so none are recorded as its findings.
        assert not survey.potentials.exists()

    def test_a_story_agreements_first_history_entry_holds_its_parties(self):
        agreement = story(KALTIM_ANHUI)
        (first,) = agreement.history.all()  # one entry: the demo wrote it once
        assert {r.region_id for r in first.regions.all()} == {r.pk for r in agreement.regions.all()}
        assert {p.partner_id for p in first.partners.all()} == {
            p.pk for p in agreement.partners.all()
        }
        assert {s.sector_id for s in first.sectors.all()} == {s.pk for s in agreement.sectors.all()}
        assert first.regions.exists() and first.partners.exists() and first.sectors.exists()

    def test_every_demo_agreement_starts_its_history_with_its_parties(self):
        from agreements.parties import record_parties

        # What the first entries hold now is what recording them again would write.
        before = {
            name: set(
                getattr(Agreement.history.model, name).model.objects.values_list(
                    "history_id", f"{name[:-1]}_id"
                )
            )
            for name in ("regions", "partners", "sectors")
        }
        assert all(before.values())
        record_parties(Agreement.objects.values_list("pk", flat=True))
        for name, rows in before.items():
            copies = getattr(Agreement.history.model, name).model.objects
            assert set(copies.values_list("history_id", f"{name[:-1]}_id")) == rows

    def test_a_first_edit_of_a_demo_agreements_title_changes_only_the_title(
        self, client, django_user_model
    ):
        from tests.helpers import agreement_form_data, change_url, form_errors

        client.force_login(django_user_model.objects.create_superuser("kepala.biro"))
        agreement = story(NTT_JIANGXI)
        loaded_version = agreement.version
        data = agreement_form_data(agreement, title=f"{NTT_JIANGXI} (diperbarui)")
        response = client.post(change_url(agreement), data)
        assert response.status_code == 302, form_errors(response)

        latest = agreement.history.latest()
        assert latest.diff_against(latest.prev_record).changed_fields == ["title"]
        # What the lost-update message would name for someone who loaded it before.
        conflict = Agreement.objects.get(pk=agreement.pk).changes_since(loaded_version)
        assert conflict.field_names == ["title"]
        # And the admin's history page says so, in words.
        history = client.get(f"/admin/agreements/agreement/{agreement.pk}/history/")
        html = history.content.decode()
        assert "Daerah pihak" not in html and "Mitra" not in html.split("change-history")[-1]
        assert "(diperbarui)" in html

    def test_the_kaltim_region_page_shows_the_2021_rakor(self, client):
        response = client.get("/regions/64/")
        assert response.status_code == 200
        section = response.content.decode().split('id="potentials-heading"')[1]
        section = section.split("</section>")[0]
        assert "Rakor Identifikasi Potensi Ekonomi Daerah Provinsi Kalimantan Timur" in section
        assert "8 Juni 2021" in section
        assert "Pusat Fasilitasi Kerja Sama, Kementerian Dalam Negeri" in section
        assert "11 daerah" in section  # the province and its ten regencies and cities
        assert "Kota Samarinda" in section
        assert "Identifikasi ini belum mencatat potensi di daerah ini." in section
        # And on the page of a city that took part.
        city = client.get("/regions/64.72/").content.decode()
        assert "Rakor Identifikasi Potensi Ekonomi Daerah Provinsi Kalimantan Timur" in city
        # Not on the page of a region that had no part in it.
        bali = client.get("/regions/51/").content.decode()
        assert "Rakor Identifikasi Potensi Ekonomi" not in bali

    def test_story_records_are_public_name_no_source_and_are_not_marked_as_generated(self):
        for title in STORY_TITLES:
            agreement = story(title)
            assert agreement.visibility == "public"
            assert agreement.source_url == ""
            assert not agreement.summary.startswith(demo.DEMO_MARK)


# -- the whole demo register --------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
class TestDemoRegister:
    def test_running_seed_demo_again_changes_no_count(self):
        before = counts()
        output = seed()
        assert counts() == before
        assert "0 kerja sama" in output

    def test_demo_regions_keep_lists_of_agencies_and_cooperations_name_theirs(self):
        kaltim = set(Agency.objects.filter(region__code="64").values_list("short_name", flat=True))
        assert {"Bappeda", "Disdikbud", "DPMPD", "DPMPTSP"} <= kaltim
        # Every province keeps a list, so generated cooperations of any province name theirs.
        assert Agency.objects.filter(region__code="73", short_name="Bappeda").exists()
        # Only the agencies a story names: none for NTT, two for Kaltim.
        assert not story(NTT_JIANGXI_LOI).agencies.exists()
        assert {a.short_name for a in story(KALTIM_ANHUI).agencies.all()} == {
            "DPMPD",
            "Biro Pemotda",
        }
        generated_with_agencies = Agreement.objects.filter(
            summary__startswith=demo.DEMO_MARK, agencies__isnull=False
        )
        assert generated_with_agencies.distinct().count() > 50

    def test_the_ntt_loi_names_the_governor_who_signed_it(self):
        signatory = story(NTT_JIANGXI_LOI).signatories.get()
        assert (signatory.name, signatory.office) == (
            "Viktor Bungtilu Laiskodat",
            "Gubernur Nusa Tenggara Timur",
        )

    def test_local_demo_has_one_user_per_role_and_the_editors_hold_their_regions(self):
        from django.contrib.auth import get_user_model

        names = demo.ensure_demo_role_users(debug=True)
        assert demo.ensure_demo_role_users(debug=True) == names  # a second run adds nobody
        users = get_user_model().objects.filter(username__in=names)
        assert users.count() == 4
        editor = users.get(username="editor_kaltim")
        assert editor.check_password(demo.DEMO_ADMIN_PASSWORD)
        editable = Agreement.objects.editable_by(editor)
        assert editable.filter(lead_region__code="64").exists()
        assert not editable.filter(lead_region__code="51").exists()
        assert users.get(username="pejabat").groups.get().name == "Pejabat"

    def test_seeding_again_gives_a_demo_user_back_the_role_it_lost_and_keeps_what_was_added(
        self, settings, client
    ):
        """The users printed are what the README says they are: an editor of Kalimantan Timur
        whose group, staff flag and region were taken away edits it again after a second run;
        a group given to them meanwhile stays."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        settings.DEBUG = True
        seed()
        users = get_user_model().objects
        editor = users.get(username="editor_kaltim")
        extra = Group.objects.create(name="Tamu")
        editor.groups.set([extra])
        editor.region_assignments.all().delete()
        users.filter(pk=editor.pk).update(is_staff=False)
        users.get(username="pejabat").groups.clear()

        output = seed()

        assert "editor_kaltim, editor_bali, pejabat, analis" in output
        assert set(editor.groups.values_list("name", flat=True)) == {"Editor", "Tamu"}
        assert users.get(username="pejabat").groups.get().name == "Pejabat"
        client.force_login(editor)  # the admin lets in staff only
        change = client.get(f"/admin/agreements/agreement/{story(KALTIM_ANHUI).pk}/change/")
        assert change.status_code == 200
        assert 'name="_save"' in change.content.decode()
        # A third run changes nothing more: one row per group and region.
        seed()
        assert editor.groups.count() == 2
        assert editor.region_assignments.count() == 1

    def test_a_real_site_gets_no_demo_users(self):
        assert demo.ensure_demo_role_users(debug=False) == []

    def test_a_later_day_still_adds_nothing(self):
        before = counts()
        demo.seed_demo(today=timezone.localdate() + datetime.timedelta(days=200))
        assert counts() == before

    def test_every_agreement_passes_full_clean_and_its_parties_fit_its_scope(self):
        agreements = Agreement.objects.prefetch_related("regions", "partners")
        assert agreements.count() > 200
        for agreement in agreements:
            agreement.full_clean()
        assert_parties_fit_their_scope(agreements)

    def test_every_milestone_passes_its_validation_and_none_is_done_in_the_future(self):
        # The database enforces the milestone constraints itself; clean() and the field checks
        # are what a form would add. (Skipping the agreement lookup keeps this at one query.)
        for milestone in Milestone.objects.all():
            milestone.clean_fields(exclude=["agreement"])
            milestone.clean()
        assert not Milestone.objects.filter(done_on__gt=timezone.localdate()).exists()

    def test_generated_records_say_they_are_demo_data(self):
        assert 190 <= generated().count() <= 220
        assert generated().count() + len(STORY_TITLES) == Agreement.objects.count()

    def test_generated_records_span_provinces_kinds_scopes_statuses_and_years(self):
        agreements = list(generated().select_related("lead_region"))
        provinces = {a.lead_region.province_id or a.lead_region_id for a in agreements}
        assert len(provinces) >= 30
        assert {a.lead_region.level for a in agreements} == {"province", "regency", "city"}
        assert {a.kind for a in agreements} >= {
            "loi",
            "mou",
            "pks",
            "sister_city",
            "sister_province",
            "amendment",
        }
        assert {a.scope for a in agreements} == {"ksdd", "ksdpk", "ksdpl", "ksdll"}
        assert {a.status for a in agreements} == {
            "initiative",
            "exploration",
            "preparation",
            "signed",
            "in_force",
            "expired",
            "terminated",
            "cancelled",
        }
        years = {a.signed_on.year for a in agreements if a.signed_on}
        assert min(years) <= 2016
        assert max(years) >= timezone.localdate().year - 1

    def test_about_a_tenth_of_generated_records_are_internal(self):
        internal = generated().filter(visibility="internal").count()
        assert 0.05 <= internal / generated().count() <= 0.2

    @pytest.mark.parametrize("days", [30, 90, 180])
    def test_some_agreements_expire_within(self, days):
        assert generated().expiring_within(days).exists()

    def test_some_agreements_past_expiry_are_still_recorded_in_force_and_show_expired(self):
        today = timezone.localdate()
        lapsed = generated().filter(status="in_force", expires_on__lt=today)
        assert lapsed.count() >= 3
        assert all(a.shown_status == "expired" for a in lapsed)

    def test_some_agreements_in_force_are_dormant(self):
        # In force, yet nothing done or evaluated along their line for over a year (mati
        # suri), as the dashboard counts them.
        assert generated().dormant().count() >= 5

    def test_there_are_overdue_milestones_waiting_on_someone(self):
        overdue = Milestone.objects.overdue().filter(agreement__in=generated())
        assert overdue.count() >= 10
        assert set(overdue.values_list("waits_on", flat=True)) >= {"partner", "bureau", "tkksd"}

    def test_there_are_planned_milestones_still_ahead(self):
        ahead = Milestone.objects.planned().filter(due_on__gt=timezone.localdate())
        assert ahead.filter(agreement__in=generated()).count() >= 10

    def test_evaluations_are_rated_with_findings(self):
        evaluations = Milestone.objects.done().filter(kind="evaluation", agreement__in=generated())
        assert evaluations.count() >= 50
        assert set(evaluations.values_list("rating", flat=True)) == {1, 2, 3, 4, 5}
        assert not evaluations.filter(findings="").exists()

    def test_chains_run_from_loi_to_mou_to_pks_and_on_to_extensions(self):
        pks_of_a_loi = generated().filter(
            kind="pks", relation="implements", follows__follows__kind="loi"
        )
        assert pks_of_a_loi.exists()
        assert generated().filter(relation="extends").count() >= 3
        assert generated().filter(kind="amendment", relation="amends").exists()

    def test_foreign_partners_carry_their_iso_subdivision(self):
        foreign = Partner.objects.foreign().filter(kind__in=Partner.GOVERNMENT_KINDS)
        assert foreign.count() >= 50
        codes = dict(foreign.values_list("name", "subdivision_id"))
        assert codes["Pemerintah Daerah Otonom Guangxi Zhuang"] == "CN-GX"
        assert codes["Pemerintah Provinsi Fujian"] == "CN-FJ"
        assert codes["Pemerintah Prefektur Osaka"] == "JP-27"
        assert codes["Pemerintah Kota Metropolitan Busan"] == "KR-26"
        assert codes["Pemerintah Negara Bagian Queensland"] == "AU-QLD"
        assert codes["Pemerintah Negeri Johor"] == "MY-01"
        for city in foreign.filter(parent__isnull=False).select_related("parent"):
            assert city.subdivision_id == city.parent.subdivision_id, city.name

    def test_domestic_third_parties_and_international_organisations_are_there(self):
        domestic = Partner.objects.domestic()
        assert domestic.count() >= 15
        assert {p.kind for p in domestic} == {"university", "company", "ngo"}
        assert Partner.objects.filter(kind="international").count() >= 3
        assert generated().filter(scope="ksdpk").exists()
        assert generated().filter(scope="ksdll").exists()

    def test_a_few_regions_offer_potentials_marked_as_demo_data(self):
        potentials = Potential.objects.all()
        assert potentials.count() >= 5
        assert all(p.description.startswith(demo.DEMO_MARK) for p in potentials)
        assert not potentials.filter(region__code="64").exists()

    def test_without_debug_no_demo_admin_is_created(self, settings):
        settings.DEBUG = False
        output = seed()
        assert not get_user_model().objects.exists()
        assert "password coopdb-demo" not in output

    def test_with_debug_the_demo_admin_is_created_and_the_login_is_printed(self, settings):
        settings.DEBUG = True
        output = seed()
        admin = get_user_model().objects.get(is_superuser=True)
        assert admin.username == "admin"
        assert admin.check_password("coopdb-demo")
        assert (
            "Admin: http://127.0.0.1:8000/admin/  (username admin, password coopdb-demo)" in output
        )

    def test_the_admin_address_printed_is_the_one_the_site_is_served_on(self, settings):
        settings.DEBUG = True
        output = seed(url="http://127.0.0.1:8810/")
        assert "Admin: http://127.0.0.1:8810/admin/  (username admin" in output
        assert ":8000" not in output

    def test_the_first_send_reminders_of_a_demo_prints_the_editors_digests(self, settings, capsys):
        # As on a fresh demo: no EMAIL_HOST, so messages go to the console.
        settings.DEBUG = True
        settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
        seed()
        capsys.readouterr()
        call_command("send_reminders", stdout=StringIO())
        console = capsys.readouterr().out
        assert "To: editor.kaltim@demo.coopdb.invalid" in console
        assert "Kalimantan Timur" in console

    def test_demo_users_made_before_they_had_addresses_get_one(self, settings):
        settings.DEBUG = True
        seed()
        User = get_user_model()
        User.objects.filter(username="editor_bali").update(email="")
        seed()
        assert User.objects.get(username="editor_bali").email == "editor.bali@demo.coopdb.invalid"

    def test_an_existing_superuser_is_left_alone(self, settings, django_user_model):
        settings.DEBUG = True
        django_user_model.objects.create_superuser("kepala-biro", "", "a-long-password")
        output = seed()
        superusers = django_user_model.objects.filter(is_superuser=True)
        assert list(superusers.values_list("username", flat=True)) == ["kepala-biro"]
        assert "password coopdb-demo" not in output

    def test_generated_records_are_the_same_whatever_the_day(self):
        regions = list(Region.objects.all())
        slugs = set(Sector.objects.values_list("slug", flat=True))

        def shape(today):
            return [
                (p.title, p.lead, p.kind, p.relation, p.partners, p.regions, p.sectors)
                for p in demo.Generator(today, regions, slugs).plans()
            ]

        today = timezone.localdate()
        assert shape(today) == shape(today + datetime.timedelta(days=400))


def test_make_run_on_another_port_seeds_and_serves_on_that_port():
    import shutil
    import subprocess
    from pathlib import Path

    if not shutil.which("make"):
        pytest.fail("make is needed: the README's commands are make targets")
    root = Path(__file__).resolve().parent.parent
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=8810"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert "seed_demo --url http://127.0.0.1:8810/" in plan
    assert "runserver 127.0.0.1:8810" in plan


def test_make_refuses_another_python_for_an_environment_made_with_one(tmp_path):
    """``make run PYTHON=python3.13`` beside a ``.venv`` made with another Python went on with
    that one, saying nothing; and a Python that does not run (pyenv's ``python3.13`` where 3.13
    is not in use) is said to be so, not taken for another version."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    if not shutil.which("make"):
        pytest.fail("make is needed: the README's commands are make targets")
    root = Path(__file__).resolve().parent.parent
    environment = tmp_path / "venv"
    (environment / "bin").mkdir(parents=True)
    (environment / "bin" / "python").symlink_to(sys.executable)
    (environment / ".installed").touch()  # made after pyproject.toml: nothing to install
    another = tmp_path / "python3.99"
    another.write_text("#!/bin/sh\necho '3.99.0 (main) [another]'\n")
    another.chmod(0o755)
    broken = tmp_path / "python3.98"
    broken.write_text("#!/bin/sh\necho 'pyenv: python3.98: command not found' >&2\nexit 127\n")
    broken.chmod(0o755)

    def install(*arguments):
        return subprocess.run(
            ["make", "install", f"VENV={environment}", *arguments],
            cwd=root,
            capture_output=True,
            text=True,
        )

    refused, failing, same, unnamed = (
        install(f"PYTHON={another}"),
        install(f"PYTHON={broken}"),
        install(f"PYTHON={sys.executable}"),
        install(),
    )

    version = ".".join(map(str, sys.version_info[:3]))
    assert refused.returncode != 0
    assert f"was made with Python {version}, not {another}'s 3.99.0" in refused.stderr
    assert failing.returncode != 0
    assert f"{broken} does not run: pyenv: python3.98: command not found" in failing.stderr
    assert same.returncode == 0, same.stderr
    assert unnamed.returncode == 0, unnamed.stderr
