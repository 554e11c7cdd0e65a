"""The admin's change forms drawn for less (``common.admin_form``): every fieldset and every row
of a tabular inline is the markup Django's own templates write, but for the blank space between
tags, on every change form of the register, as staff who change it and as an official who only
reads it, and with the errors of a refused save."""

import datetime
import re

import pytest
from django.contrib.admin.utils import quote
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from agreements.templatetags import register_admin
from common.admin_markup import LabelledTabularInline
from tests.factories import AgreementFactory, DocumentFactory, MilestoneFactory
from tests.test_admin import (  # noqa: F401 (fixtures)
    MODELS,
    agreement_form,
    anhui,
    change_url,
    one_of_each,
    with_milestone,
)

pytestmark = pytest.mark.django_db


def djangos_fieldset(fieldset, heading_level, prefix, id_prefix, id_suffix):
    return render_to_string(
        "admin/includes/fieldset.html",
        {
            "fieldset": fieldset,
            "heading_level": heading_level,
            "prefix": prefix,
            "id_prefix": id_prefix,
            "id_suffix": id_suffix,
        },
    )


def markup(response):
    """The page as a browser reads it: blank space between tags dropped, any other run of it
    one space; the form's one-time token left out."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
    return re.sub(r"> <", "><", re.sub(r"\s+", " ", text))


def same_as_djangos(monkeypatch, client, method, url, data=None):
    """The page ``client`` gets at ``url`` (``data`` posted, for ``post``), drawn as the site
    draws it and again through Django's own fieldset and tabular templates; both returned."""
    ours = getattr(client, method)(url, data)
    with monkeypatch.context() as patched:
        patched.setattr(LabelledTabularInline, "template", "admin/edit_inline/tabular.html")
        patched.setattr(register_admin, "fieldset_markup", djangos_fieldset)
        djangos = getattr(client, method)(url, data)
    assert ours.status_code == djangos.status_code
    return ours, djangos


@pytest.fixture
def busy_agreement(kaltim):
    """An agreement whose every inline has rows, with text that must be escaped."""
    agreement = AgreementFactory(
        lead_region=kaltim,
        title='Kerja sama "A" <b>&</b>',
        proposed_on=datetime.date(2020, 2, 3),
    )
    MilestoneFactory(agreement=agreement, kind="evaluation", title="Evaluasi <i>'1'</i>", rating=4)
    MilestoneFactory(agreement=agreement, kind="signing", notes="Catatan & <hal>")
    DocumentFactory(agreement=agreement, title="Naskah <MoU>")
    agreement.signatories.create(party="Pemprov <Kaltim>", name="A & B", office="Gubernur")
    agreement.contacts.create(party="Biro", name="C", office="Kabag", email="c@example.id")
    return agreement


@pytest.mark.parametrize("model", MODELS)
def test_every_change_form_is_the_markup_djangos_templates_write(
    staff_client,
    one_of_each,  # noqa: F811
    model,
    monkeypatch,
):
    app_label, model_name = model.split(".")
    obj = one_of_each[model]
    for url in (
        reverse(f"admin:{app_label}_{model_name}_add"),
        reverse(f"admin:{app_label}_{model_name}_change", args=[quote(obj.pk)]),
    ):
        ours, djangos = same_as_djangos(monkeypatch, staff_client, "get", url)
        assert ours.status_code == 200, url
        assert markup(ours) == markup(djangos), url


def test_an_agreement_with_rows_in_every_table_is_drawn_as_django_draws_it(
    staff_client, busy_agreement, monkeypatch
):
    ours, djangos = same_as_djangos(monkeypatch, staff_client, "get", change_url(busy_agreement))
    assert markup(ours) == markup(djangos)
    page = ours.content.decode()
    # The rows are there, escaped, with their change links and delete boxes.
    assert "Evaluasi &lt;i&gt;&#x27;1&#x27;&lt;/i&gt;" in page
    assert 'class="inlinechangelink"' in page
    assert 'name="milestones-0-DELETE"' in page
    assert 'id="milestones-empty"' in page and 'class="form-row  empty-form"' in page
    assert "A &amp; B" in page and "Naskah &lt;MoU&gt;" in page


def test_a_refused_save_shows_its_errors_where_django_shows_them(
    staff_client, kaltim, busy_agreement, monkeypatch
):
    # An expiry before the signing, and a step with neither kind nor title.
    data = with_milestone(
        agreement_form(kaltim, signed_on="2024-03-01", expires_on="2023-01-01"),
        kind="",
        title="",
        due_on="bukan tanggal",
    )
    ours, djangos = same_as_djangos(
        monkeypatch, staff_client, "post", change_url(busy_agreement), data
    )
    assert ours.status_code == 200  # the form again, not a save
    assert markup(ours) == markup(djangos)
    page = ours.content.decode()
    # The expiry refused at its own box, beside the signing on the same line; each field of
    # the step refused in its own cell.
    assert 'class="flex-container fieldBox field-expires_on errors"' in page
    for name in ("kind", "title", "due_on"):
        assert f'<ul class="errorlist" id="id_milestones-0-{name}_error">' in page


def test_an_official_reads_every_field_and_row_as_django_shows_them(
    official, busy_agreement, monkeypatch
):
    client = Client()
    client.force_login(official)
    url = change_url(busy_agreement)
    ours, djangos = same_as_djangos(monkeypatch, client, "get", url)
    assert ours.status_code == 200
    assert markup(ours) == markup(djangos)
    page = ours.content.decode()
    # Read only: contents, not inputs, and the rows link to their own pages to be read.
    assert '<div class="readonly">' in page
    assert 'name="title"' not in page
    assert 'class="inlineviewlink"' in page


@pytest.mark.parametrize("rows", [1, 8])
@pytest.mark.parametrize("kind, scope", [("mou", "ksdd"), ("loi", "ksdpl")])
def test_the_change_form_built_afresh_runs_the_same_queries_whatever_its_rows(
    staff_client, kaltim, rows, kind, scope, django_assert_num_queries
):
    """One row or eight in every table of the form: the page costs the same queries (its
    rows are read one query a table, and drawn without asking for more). A KSDPL LoI's
    follow-up link reads its lead region's level from the agreement's own query."""
    agreement = AgreementFactory(lead_region=kaltim, kind=kind, scope=scope)
    for number in range(rows):
        MilestoneFactory(agreement=agreement, title=f"Langkah {number}")
        DocumentFactory(agreement=agreement, title=f"Naskah {number}")
        agreement.signatories.create(party=f"Pihak {number}", name="A", office="B")
        agreement.contacts.create(party=f"Pihak {number}", name="C", office="D")
    staff_client.get(change_url(agreement))  # the session and the shared tables' versions
    cache.clear()
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        response = staff_client.get(change_url(agreement))
    assert response.status_code == 200
    assert response.content.decode().count('class="form-row has_original"') == 4 * rows


# The session and its user, the register's versions, the agreement, its chain, its parties,
# sectors and agencies, and each table of the form: counted once by
# ``test_the_change_form_built_afresh_runs_the_same_queries_whatever_its_rows``.
CHANGE_FORM_QUERIES = 13
