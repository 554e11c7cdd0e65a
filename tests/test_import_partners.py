"""Importing a register as bureaus keep it: partners found however they are written or created,
rows that look like a stored agreement held for a decision, codes that disagree with names."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from agreements.import_previews import ImportPreview
from agreements.imports import CREATE, DUPLICATE, REJECT, UNCHANGED, UPDATE, AgreementImport
from agreements.models import Agreement, Milestone
from partners.models import Partner
from tests.factories import (
    CountryFactory,
    PartnerFactory,
    ProvinceFactory,
    RegencyFactory,
    SubdivisionFactory,
)
from tests.test_import import IMPORT_URL, confirm_token, csv_bytes, plan_for

COLUMNS = [
    "reference",
    "title",
    "kind",
    "scope",
    "status",
    "lead_region_code",
    "lead_region_name",
    "partner_ids",
    "partners",
    "partner_names_local",
    "partner_countries",
    "partner_subdivisions",
    "signed_on",
]


@pytest.fixture
def register(db):
    """Kalimantan Timur with Samarinda and Balikpapan; Guangzhou and Guangdong in China."""
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    samarinda = RegencyFactory(code="64.72", name="Kota Samarinda", level="city", province=kaltim)
    RegencyFactory(code="64.71", name="Kota Balikpapan", level="city", province=kaltim)
    china = CountryFactory(code="CN")
    CountryFactory(code="JP")
    guangdong_code = SubdivisionFactory(code="CN-GD", country=china, name="Guangdong Sheng")
    SubdivisionFactory(code="CN-YN", country=china, name="Yunnan Sheng")
    guangzhou = PartnerFactory(
        name="Pemerintah Kota Guangzhou",
        name_local="广州市人民政府",
        kind=Partner.Kind.FOREIGN_CITY,
        country=china,
        subdivision=guangdong_code,
    )
    sister = Agreement.objects.create(
        reference="SC/2010/1",
        title="Kota kembar Samarinda – Guangzhou",
        kind=Agreement.Kind.SISTER_CITY,
        scope="ksdpl",
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2010, 6, 1),  # in force means signed (the database asks it)
        lead_region=samarinda,
    )
    sister.regions.set([samarinda])
    sister.partners.set([guangzhou])
    return {"kaltim": kaltim, "samarinda": samarinda, "guangzhou": guangzhou, "sister": sister}


def sister_row(**changes):
    values = {
        "reference": "",
        "title": "Kota kembar Balikpapan – Guangzhou",
        "kind": "sister_city",
        "scope": "ksdpl",
        "status": "signed",
        "lead_region_code": "64.71",
        "lead_region_name": "Kota Balikpapan",
        "partner_ids": "",
        "partners": "Guangzhou",
        "partner_names_local": "",
        "partner_countries": "CN",
        "partner_subdivisions": "",
        "signed_on": "2015-05-04",
    }
    values.update(changes)
    return values


def plan(rows, **kwargs):
    return plan_for(rows, columns=COLUMNS, **kwargs)


@pytest.mark.parametrize(
    "changes, how",
    [
        ({"partners": "Guangzhou"}, "menurut nama"),
        ({"partners": "City of  GUANGZHOU"}, "menurut nama"),
        ({"partners": "", "partner_names_local": "广州市"}, "menurut nama aksara asli"),
        ({"partners": "Guangzou", "partner_subdivisions": "CN-GD"}, "nama mirip"),
    ],
    ids=["short name", "English prefix and case", "local script", "typo"],
)
def test_a_partner_written_another_way_is_matched_and_the_row_says_how(register, changes, how):
    result = plan([sister_row(**changes)]).apply()

    row = result.rows[0]
    assert row.action == CREATE, row.errors
    assert row.partner_notes[0].endswith(f"({how}).") or how in row.partner_notes[0]
    assert "cocok dengan Pemerintah Kota Guangzhou · 广州市人民政府 (CN-GD)" in row.partner_notes[0]
    agreement = Agreement.objects.get(title="Kota kembar Balikpapan – Guangzhou")
    assert list(agreement.partners.all()) == [register["guangzhou"]]
    assert Partner.objects.count() == 1


@pytest.fixture
def xiangyang(register):
    """A city renamed: Xiangfan (襄樊) became Xiangyang in 2010."""
    return PartnerFactory(
        name="Pemerintah Kota Xiangyang",
        name_local="襄阳市人民政府",
        former_names="Kota Xiangfan\n襄樊市",
        kind=Partner.Kind.FOREIGN_CITY,
        country=CountryFactory(code="CN"),
    )


@pytest.mark.parametrize(
    "changes, how",
    [
        ({"partners": "Xiangfan"}, "menurut nama terdahulu"),
        ({"partners": "Pemerintah Kota Xiangfan"}, "menurut nama terdahulu"),
        ({"partners": "", "partner_names_local": "襄樊市人民政府"}, "menurut nama terdahulu"),
        ({"partners": "Xianfan"}, "nama terdahulu mirip, 55%"),
    ],
    ids=["former name", "with its government's prefix", "in its own script", "typo"],
)
def test_an_old_sheet_naming_a_partner_by_its_former_name_finds_it_and_says_so(
    register, xiangyang, changes, how
):
    """A sheet from before the rename names the partner as it was then: the row is matched to
    the partner recorded under its new name, never to a new partner of the old name."""
    result = plan([sister_row(title="Kota kembar Balikpapan – Xiangfan", **changes)]).apply()

    row = result.rows[0]
    assert row.action == CREATE, row.errors
    assert row.partner_notes == [
        f"“{changes['partners'] or changes.get('partner_names_local')}”: cocok dengan "
        f"Pemerintah Kota Xiangyang · 襄阳市人民政府 (CN) ({how})."
    ]
    agreement = Agreement.objects.get(title="Kota kembar Balikpapan – Xiangfan")
    assert list(agreement.partners.all()) == [xiangyang]
    assert Partner.objects.count() == 2


def test_a_name_a_partner_bears_now_wins_over_the_same_name_another_bore_before(
    register, xiangyang
):
    """Were a partner called Xiangfan today, a row naming Xiangfan would be that partner."""
    xiangfan = PartnerFactory(
        name="Pemerintah Kota Xiangfan", kind=Partner.Kind.FOREIGN_CITY, country=xiangyang.country
    )

    row = plan([sister_row(partners="Xiangfan")]).apply().rows[0]

    assert row.action == CREATE, row.errors
    assert row.partner_notes[0].endswith("(menurut nama).")
    assert list(Agreement.objects.get(title=sister_row()["title"]).partners.all()) == [xiangfan]


def test_a_former_name_is_not_found_in_another_country(register, xiangyang):
    """Narrowed by the row's country as a name is: a Japanese Xiangfan would be a new partner."""
    row = plan([sister_row(partners="Xiangfan", partner_countries="JP")]).apply().rows[0]

    assert row.action == CREATE, row.errors
    assert row.partner_notes[0].startswith("akan dibuat: Xiangfan (JP")


def test_a_partner_not_in_the_register_is_created_with_country_subdivision_local_name_and_kind(
    register,
):
    rows = [
        sister_row(
            title="Kota kembar Balikpapan – Kunming",
            partners="Kunming",
            partner_names_local="昆明市",
            partner_subdivisions="CN-YN",
            partner_countries="",
        ),
        # A second row naming the same new partner another way uses the same one.
        sister_row(
            title="Kota kembar Samarinda – Kunming",
            lead_region_code="64.72",
            lead_region_name="Kota Samarinda",
            partners="Pemerintah Kota Kunming",
            partner_countries="CN",
        ),
    ]

    result = plan(rows).apply()

    assert result.is_valid, [r.errors for r in result.rows]
    assert "akan dibuat: Kunming · 昆明市 (CN-YN, Kota asing)." in result.rows[0].partner_notes
    assert "mitra baru dari baris 2" in result.rows[1].partner_notes[0]
    kunming = Partner.objects.get(name="Kunming")
    assert (kunming.country_id, kunming.subdivision_id, kunming.name_local, kunming.kind) == (
        "CN",
        "CN-YN",
        "昆明市",
        Partner.Kind.FOREIGN_CITY,
    )
    assert kunming.history.count() == 1
    assert set(Agreement.objects.filter(partners=kunming).values_list("title", flat=True)) == {
        "Kota kembar Balikpapan – Kunming",
        "Kota kembar Samarinda – Kunming",
    }


def test_a_name_two_partners_share_is_ambiguous_and_lists_the_candidates(register):
    japan = CountryFactory(code="JP")
    PartnerFactory(name="Pemerintah Kota Guangzhou", country=japan, kind="foreign_city")

    result = plan([sister_row(partner_countries="")]).apply()

    row = result.rows[0]
    assert row.action == REJECT
    assert "ambigu" in row.errors[0]
    assert "(CN-GD)" in row.errors[0] and "(JP)" in row.errors[0]
    assert not Agreement.objects.filter(title=sister_row()["title"]).exists()


def test_partner_named_by_id(register):
    guangzhou = register["guangzhou"]

    result = plan([sister_row(partners="", partner_ids=str(guangzhou.pk))]).apply()

    assert result.rows[0].action == CREATE
    assert "menurut id" in result.rows[0].partner_notes[0]


def test_a_row_like_a_stored_agreement_waits_for_a_decision_and_is_shown_beside_it(register):
    sister = register["sister"]
    like = sister_row(
        title="Sister city Samarinda–Guangzhou",
        lead_region_code="64.72",
        lead_region_name="Kota Samarinda",
        signed_on="2010-11-20",
    )

    result = plan([like]).apply()

    assert result.rows[0].action == DUPLICATE
    assert result.rows[0].lookalikes == [sister]
    assert not result.is_valid
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize("decision", ["update", "create"])
def test_a_decided_lookalike_updates_the_stored_agreement_or_creates_a_new_one(register, decision):
    sister = register["sister"]
    like = sister_row(
        title="Sister city Samarinda–Guangzhou",
        lead_region_code="64.72",
        lead_region_name="Kota Samarinda",
        signed_on="2010-11-20",
    )
    decisions = {2: sister.pk if decision == "update" else "create"}

    importer = AgreementImport.from_file(
        io.BytesIO(csv_bytes([like], columns=COLUMNS)), "x.csv", decisions=decisions
    )
    result = importer.apply()

    assert result.is_valid, result.rows[0].errors
    if decision == "update":
        assert result.rows[0].action == UPDATE
        sister.refresh_from_db()
        assert sister.reference == "SC/2010/1"  # an empty reference keeps the stored one
        assert str(sister.signed_on) == "2010-11-20"
        assert Agreement.objects.count() == 1
        # The same file again: the row is that agreement, unchanged.
        again = plan([like]).apply()
        assert again.rows[0].action == UNCHANGED
        assert again.rows[0].lookalike == sister
    else:
        assert result.rows[0].action == CREATE
        assert Agreement.objects.count() == 2


def test_a_code_that_names_another_region_than_its_name_is_refused_once(register):
    row = sister_row(lead_region_code="64.72", lead_region_name="Kota Balikpapan")

    result = plan([row]).apply()

    errors = result.rows[0].errors
    assert result.rows[0].action == REJECT
    assert errors == [
        "Kode 64.72 adalah Kota Samarinda, tetapi namanya ditulis “Kota Balikpapan” (64.71). "
        "Perbaiki kode atau namanya."
    ]


def test_an_unknown_code_in_lead_and_party_columns_is_said_once(register):
    columns = [*COLUMNS, "region_codes"]
    row = {**sister_row(lead_region_code="64.99", lead_region_name=""), "region_codes": "64.99"}

    result = plan_for([row], columns=columns)
    errors = result.plan().rows[0].errors

    assert errors.count("Daerah “64.99” tidak dikenal.") == 1


def test_command_reports_lookalikes_and_writes_them_as_told(register, tmp_path, capsys):
    like = sister_row(
        title="Sister city Samarinda–Guangzhou",
        lead_region_code="64.72",
        lead_region_name="Kota Samarinda",
    )
    path = tmp_path / "kota-kembar.csv"
    path.write_bytes(csv_bytes([like], columns=COLUMNS))

    with pytest.raises(CommandError, match="1 mirip yang sudah ada"):
        call_command("import_agreements", str(path))
    assert "SC/2010/1" in capsys.readouterr().err

    call_command("import_agreements", str(path), duplicates="update")
    assert Agreement.objects.get().title == "Sister city Samarinda–Guangzhou"


# -- the admin ----------------------------------------------------------------------------------


def test_admin_preview_says_per_row_what_each_partner_is_and_asks_about_lookalikes(
    staff_client, register
):
    rows = [
        sister_row(),
        sister_row(
            title="Sister city Samarinda–Guangzhou",
            lead_region_code="64.72",
            lead_region_name="Kota Samarinda",
        ),
    ]

    file = SimpleUploadedFile("kota-kembar.csv", csv_bytes(rows, columns=COLUMNS))
    response = staff_client.post(reverse(IMPORT_URL), {"file": file})

    page = response.content.decode()
    assert response.status_code == 200
    assert "“Guangzhou”: cocok dengan Pemerintah Kota Guangzhou · 广州市人民政府 (CN-GD)" in page
    assert re.search(r'<tr class="duplicate">\s*<td>3</td>', page)
    assert "SC/2010/1 · Kota kembar Samarinda – Guangzhou" in page
    token = confirm_token(response)
    assert ImportPreview.objects.filter(pk=token).exists()

    # Confirmed without choosing: asked again, nothing written.
    again = staff_client.post(reverse(IMPORT_URL), {"token": token})
    assert again.status_code == 400
    assert Agreement.objects.count() == 1

    sister = register["sister"]
    done = staff_client.post(reverse(IMPORT_URL), {"token": token, "decide-3": str(sister.pk)})
    assert done.status_code == 302
    sister.refresh_from_db()
    assert sister.title == "Sister city Samarinda–Guangzhou"
    assert Agreement.objects.count() == 2
    assert not ImportPreview.objects.exists()


def test_admin_preview_says_a_partner_was_found_by_its_former_name(
    staff_client, register, xiangyang
):
    row = sister_row(title="Kota kembar Balikpapan – Xiangfan", partners="Xiangfan")
    file = SimpleUploadedFile("kota-kembar.csv", csv_bytes([row], columns=COLUMNS))

    response = staff_client.post(reverse(IMPORT_URL), {"file": file})

    assert response.status_code == 200
    assert (
        "“Xiangfan”: cocok dengan Pemerintah Kota Xiangyang · 襄阳市人民政府 (CN) "
        "(menurut nama terdahulu)." in response.content.decode()
    )


def samarinda_sister_file():
    row = sister_row(
        title="Sister city Samarinda–Guangzhou",
        lead_region_code="64.72",
        lead_region_name="Kota Samarinda",
    )
    return SimpleUploadedFile("kota-kembar.csv", csv_bytes([row], columns=COLUMNS))


def test_a_lookalike_row_decided_new_is_created_beside_the_stored_one(staff_client, register):
    """Choosing "create a new agreement" for a row like a stored one writes it: the preview
    read the stored one's version, which the new row does not touch, so it is not refused as
    changed or deleted since."""
    token = confirm_token(staff_client.post(reverse(IMPORT_URL), {"file": samarinda_sister_file()}))

    done = staff_client.post(reverse(IMPORT_URL), {"token": token, "decide-2": "create"})

    assert done.status_code == 302
    assert Agreement.objects.filter(title="Sister city Samarinda–Guangzhou").count() == 1
    assert Agreement.objects.count() == 2


@pytest.mark.parametrize(
    "answers", [{"decide-2": ["create", "update"]}, {"decide-all": ["update", "create"]}]
)
def test_a_lookalike_row_answered_twice_is_asked_again_and_nothing_is_written(
    staff_client, register, answers
):
    """The last answer was taken and the other dropped: which was meant is not for the site
    to guess."""
    token = confirm_token(staff_client.post(reverse(IMPORT_URL), {"file": samarinda_sister_file()}))

    again = staff_client.post(reverse(IMPORT_URL), {"token": token, **answers})

    assert again.status_code == 400
    assert "Pilih untuk setiap baris yang mirip" in again.content.decode()
    assert Agreement.objects.count() == 1
    done = staff_client.post(reverse(IMPORT_URL), {"token": token, "decide-2": "create"})
    assert done.status_code == 302
    assert Agreement.objects.count() == 2


def test_one_answer_confirms_every_lookalike_row_of_a_large_file(staff_client, register):
    """A file of thousands of rows like stored agreements is confirmed with one answer for all
    of them: a field per row would pass the fields a form may post, and the confirmation would
    be refused unread."""
    response = staff_client.post(reverse(IMPORT_URL), {"file": samarinda_sister_file()})
    page = response.content.decode()
    assert 'name="decide-all" value="create"' in page
    token = confirm_token(response)

    done = staff_client.post(reverse(IMPORT_URL), {"token": token, "decide-all": "create"})

    assert done.status_code == 302
    assert Agreement.objects.filter(title="Sister city Samarinda–Guangzhou").count() == 1
    assert Agreement.objects.count() == 2


def test_an_expired_preview_cannot_be_confirmed_and_is_cleared(staff_client, register, capsys):
    file = SimpleUploadedFile("kota-kembar.csv", csv_bytes([sister_row()], columns=COLUMNS))
    token = confirm_token(staff_client.post(reverse(IMPORT_URL), {"file": file}))
    ImportPreview.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = staff_client.post(reverse(IMPORT_URL), {"token": token})

    assert response.status_code == 400
    assert "sudah tidak berlaku" in response.content.decode()
    assert Agreement.objects.count() == 1
    call_command("clear_import_previews")
    assert "1 pratinjau impor kedaluwarsa dihapus" in capsys.readouterr().out
    assert not ImportPreview.objects.exists()


def test_list_partner_filter_offers_each_partner_in_latin_and_local_script(client, register):
    response = client.get(reverse("agreement-list"))

    assert "Pemerintah Kota Guangzhou · 广州市人民政府 (CN)" in response.content.decode()


def test_admin_partner_autocomplete_finds_a_partner_by_its_local_name(staff_client, register):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "广州",
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "partners",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == ["Pemerintah Kota Guangzhou (CN)"]


@pytest.mark.parametrize(
    "stored_kind, row_kind, local",
    [
        (Partner.Kind.FOREIGN_REGION, "foreign_city", "大阪市"),
        (Partner.Kind.FOREIGN_CITY, "foreign_region", "大阪府"),
    ],
    ids=["a city beside its prefecture", "a prefecture beside its city"],
)
def test_a_city_is_not_taken_for_the_region_of_the_same_name(
    register, stored_kind, row_kind, local
):
    """Osaka city (大阪市) and Osaka prefecture (大阪府) share the name their government words
    leave: a row that says its partner is a city is not matched to the prefecture, nor the
    other way round; the partner it names is created."""
    japan = CountryFactory(code="JP")
    osaka = SubdivisionFactory(code="JP-27", country=japan, name="Osaka")
    stored = PartnerFactory(
        name="Pemerintah Prefektur Osaka"
        if stored_kind == Partner.Kind.FOREIGN_REGION
        else "Pemerintah Kota Osaka",
        name_local="大阪府" if stored_kind == Partner.Kind.FOREIGN_REGION else "大阪市",
        kind=stored_kind,
        country=japan,
        subdivision=osaka,
    )
    row = sister_row(
        title="Kota kembar Balikpapan – Osaka",
        partners="",
        partner_names_local=local,
        partner_countries="JP",
        partner_subdivisions="JP-27",
        partner_kinds=row_kind,
    )

    result = plan_for([row], columns=[*COLUMNS, "partner_kinds"]).apply()

    notes = result.rows[0].partner_notes
    assert result.rows[0].action == CREATE, result.rows[0].errors
    assert notes[0].startswith(f"akan dibuat: {local} (JP-27"), notes
    created = Agreement.objects.get(title="Kota kembar Balikpapan – Osaka").partners.get()
    assert created != stored and created.kind == row_kind


def test_a_city_row_still_finds_the_city_beside_a_region_of_the_same_name(register):
    japan = CountryFactory(code="JP")
    osaka = SubdivisionFactory(code="JP-27", country=japan, name="Osaka")
    PartnerFactory(
        name="Pemerintah Prefektur Osaka",
        name_local="大阪府",
        kind="foreign_region",
        country=japan,
        subdivision=osaka,
    )
    city = PartnerFactory(
        name="Pemerintah Kota Osaka",
        name_local="大阪市",
        kind="foreign_city",
        country=japan,
        subdivision=osaka,
    )
    row = sister_row(
        title="Kota kembar Balikpapan – Osaka",
        partners="Osaka City",
        partner_countries="JP",
        partner_kinds="foreign_city",
    )

    result = plan_for([row], columns=[*COLUMNS, "partner_kinds"]).apply()

    assert result.rows[0].action == CREATE, result.rows[0].errors
    assert list(Agreement.objects.get(title=row["title"]).partners.all()) == [city]


def test_a_new_partner_abroad_by_kind_but_in_indonesia_is_refused_at_its_row(register):
    """A row creating "Kota Hefei" as a foreign city in Indonesia is refused, saying why, as
    the partner form refuses it: written, its sister city would have been a KSDPK."""
    CountryFactory(code="ID")
    rows = [sister_row(partners="Kota Hefei", partner_countries="ID", partner_kinds="foreign_city")]

    result = plan_for(rows, columns=[*COLUMNS, "partner_kinds"]).apply()

    assert result.rows[0].action == REJECT
    assert any(
        "Kota Hefei: Jenis “Kota asing” untuk pemerintah di luar negeri" in error
        for error in result.rows[0].errors
    ), result.rows[0].errors
    assert not Partner.objects.filter(name="Kota Hefei").exists()


def sister_updated_by_reference():
    """A row updating the stored sister-city agreement by its reference, with a new title."""
    return sister_row(
        reference="SC/2010/1",
        title="Kota kembar Samarinda – Guangzhou (diperbarui)",
        status="in_force",
        lead_region_code="64.72",
        lead_region_name="Kota Samarinda",
        signed_on="2010-06-01",
    )


@pytest.mark.parametrize("answers", [{"decide-3": "sister"}, {"decide-all": "update"}])
def test_a_lookalike_row_decided_as_the_agreement_another_row_updates_is_refused_by_row(
    staff_client, register, answers
):
    """A file that updates an agreement by its reference, and has another row like it that the
    clerk chose to update it with too: the confirm says which row already writes it, with a
    4xx and nothing written, rather than failing with a server error on the second write."""
    sister = register["sister"]
    rows = [
        sister_updated_by_reference(),
        sister_row(
            title="Sister city Samarinda–Guangzhou",
            lead_region_code="64.72",
            lead_region_name="Kota Samarinda",
        ),
    ]
    file = SimpleUploadedFile("kota-kembar.csv", csv_bytes(rows, columns=COLUMNS))
    token = confirm_token(staff_client.post(reverse(IMPORT_URL), {"file": file}))
    answers = {
        key: str(sister.pk) if value == "sister" else value for key, value in answers.items()
    }

    done = staff_client.post(reverse(IMPORT_URL), {"token": token, **answers})

    assert 400 <= done.status_code < 500
    page = done.content.decode()
    assert re.search(r"<td>3</td>.*Kerja sama yang sama sudah ada di baris 2\.", page, flags=re.S)
    sister.refresh_from_db()
    assert sister.title == "Kota kembar Samarinda – Guangzhou"
    assert Agreement.objects.count() == 1


def test_a_colleagues_save_landing_during_the_confirm_refuses_the_row_not_with_a_server_error(
    staff_client, register, monkeypatch
):
    """A colleague saves the agreement after the confirm has checked the preview's versions
    and before it writes the row (a moment apart): the row is refused, saying the agreement
    was changed after the preview, and nothing is written."""
    sister = register["sister"]
    row = sister_updated_by_reference()
    file = SimpleUploadedFile("kota-kembar.csv", csv_bytes([row], columns=COLUMNS))
    token = confirm_token(staff_client.post(reverse(IMPORT_URL), {"file": file}))
    create_partners = AgreementImport._create_partners

    def colleague_saves_first(importer, plan):
        theirs = Agreement.objects.get(pk=sister.pk)
        theirs.summary = "Diubah rekan."
        theirs.save_if_unchanged()
        return create_partners(importer, plan)

    monkeypatch.setattr(AgreementImport, "_create_partners", colleague_saves_first)

    done = staff_client.post(reverse(IMPORT_URL), {"token": token})

    assert done.status_code == 409
    assert "diubah" in done.content.decode()
    assert "setelah pratinjau" in done.content.decode()
    sister.refresh_from_db()
    assert sister.title == "Kota kembar Samarinda – Guangzhou"


def test_a_row_like_a_stored_agreement_whose_steps_its_dates_contradict_is_asked_about(
    staff_client, register
):
    """A new row (no reference) like a stored agreement, signed on another day than the stored
    one's signing step: the clerk is asked whether it updates that agreement or is a new one,
    not refused for steps of the stored agreement the file never named, and may create it."""
    from tests.factories import MilestoneFactory

    MilestoneFactory(
        agreement=register["sister"],
        kind=Milestone.Kind.SIGNING,
        title="Penandatanganan",
        due_on=None,
        done_on=datetime.date(2010, 6, 1),
    )
    row = sister_row(
        title="Sister city Samarinda–Guangzhou",
        lead_region_code="64.72",
        lead_region_name="Kota Samarinda",
    )
    file = SimpleUploadedFile("kota-kembar.csv", csv_bytes([row], columns=COLUMNS))

    response = staff_client.post(reverse(IMPORT_URL), {"file": file})

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<tr class="duplicate">\s*<td>2</td>', page)
    assert "Penandatanganan" not in page
    done = staff_client.post(
        reverse(IMPORT_URL), {"token": confirm_token(response), "decide-2": "create"}
    )
    assert done.status_code == 302
    assert Agreement.objects.count() == 2
