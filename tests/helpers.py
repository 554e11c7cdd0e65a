"""Helpers shared by the tests: a client per named user and what the admin's agreement change
form posts (roles, visibility, audit, concurrency); the titles a page lists and the problems in
its HTML (the public pages, search, end-to-end); rows written once for a module's tests; the
rows of a chart's data table (the dashboard, the report); the text of a PDF (the report); a
link in a mail followed by a browser that never chose a language (reminders, follows)."""

import datetime
import os
import re
import shutil
import subprocess
import threading
import zlib
from contextlib import contextmanager, suppress
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements.forms import AgreementAdminForm

INLINE_PREFIXES = ("milestones", "signatories", "documents", "contacts")


@contextmanager
def rows_kept_for_the_scope(django_db_blocker):
    """A transaction that the tests of a module or class run inside, rolled back after them.

    What is written in the block (inside ``django_db_blocker.unblock()``) is there for each test,
    as ``TestCase.setUpTestData`` does: each test's own transaction nests in this one (a
    savepoint), so its changes are undone after it and the next test finds the rows as written.
    Only for tests that do not commit (not ``transaction=True``, no live server): pytest-django
    runs those after the others, once this transaction is over.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def written_once_per_module(build):
    """A module-scoped fixture of ``build()``'s records, written once inside
    ``rows_kept_for_the_scope``; a test takes copies of them (``copy.deepcopy``) to change."""

    @pytest.fixture(scope="module")
    def written(django_db_setup, django_db_blocker):
        with rows_kept_for_the_scope(django_db_blocker):
            with django_db_blocker.unblock():
                records = build()
            yield records

    return written


def run_at_once(*targets):
    """Run each of ``targets`` in a thread of its own, all at once, each with its own database
    connection, and wait for them (30 s at most each).

    Django keeps an in-memory SQLite database's connection open on ``close()`` (closing the only
    one would drop the database). The threads' connections are not the only ones, and left open
    they would be collected with a ResourceWarning (Python 3.13 on): they are closed here.
    """
    used = []

    def run(target):
        try:
            target()
        finally:
            used.append(connections[DEFAULT_DB_ALIAS])
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for used_connection in used:
        if used_connection.vendor == "sqlite" and used_connection.connection is not None:
            used_connection.connection.close()


def no_inline_rows():
    """What the agreement form's inlines post when they have no rows: their management forms."""
    return {
        f"{prefix}-{name}": value
        for prefix in INLINE_PREFIXES
        for name, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }


def logged_in(user):
    """A client of its own for ``user``, so two users can work side by side in one test."""
    client = Client()
    client.force_login(user)
    return client


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def admin_url(obj, page):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])


def _value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _known(record, name):
    """The date ``name`` of ``record`` as its form shows it: as it is known ("06/2024")."""
    known = record.known(name)
    return "" if known is None else known.typed


def agreement_form_data(agreement, **changes):
    """What the change form of ``agreement`` posts when saved as loaded, with ``changes``.

    Carries the version the form was loaded with (``loaded_version``) and no inline rows; add
    some with ``with_new_milestone``. Each date is posted as the form shows it, with its
    precision beside it.
    """
    data = {}
    for name in AgreementAdminForm.Meta.fields:
        field = agreement._meta.get_field(name)
        if field.many_to_many:
            saved = agreement.pk is not None
            data[name] = [obj.pk for obj in getattr(agreement, name).all()] if saved else []
        elif name in agreement.DATE_FIELDS:
            data[name] = _known(agreement, name)
            data[f"{name}_precision"] = getattr(agreement, f"{name}_precision")
        else:
            data[name] = _value(getattr(agreement, field.attname))
    data["loaded_version"] = agreement.version
    data.update(no_inline_rows())
    data.update(changes)
    return data


def with_new_milestone(data, **milestone):
    """``data`` with one new milestone row in the inline."""
    return with_new_row(data, "milestones", **milestone)


def with_new_row(data, inline, **values):
    """``data`` with one new row in the inline ``inline`` (``INLINE_PREFIXES``)."""
    index = int(data[f"{inline}-TOTAL_FORMS"])
    data[f"{inline}-TOTAL_FORMS"] = str(index + 1)
    for field, value in values.items():
        data[f"{inline}-{index}-{field}"] = value
    return data


def with_existing_milestone(data, milestone, **changes):
    """``data`` with ``milestone`` as an existing row of the inline, changed by ``changes``."""
    index = int(data["milestones-TOTAL_FORMS"])
    data["milestones-TOTAL_FORMS"] = str(index + 1)
    data["milestones-INITIAL_FORMS"] = str(int(data["milestones-INITIAL_FORMS"]) + 1)
    values = {
        "id": milestone.pk,
        "agreement": milestone.agreement_id,
        "kind": milestone.kind,
        "title": milestone.title,
        "due_on": _known(milestone, "due_on"),
        "done_on": _known(milestone, "done_on"),
        "waits_on": milestone.waits_on,
        "rating": _value(milestone.rating),
        "findings": milestone.findings,
        "notes": milestone.notes,
        **changes,
    }
    for field, value in values.items():
        data[f"milestones-{index}-{field}"] = value
    return data


def form_errors(response):
    """Every error the admin form and its inlines show, as one list of strings."""
    errors = []
    context = response.context
    if context is None or "adminform" not in context:
        return errors
    form = context["adminform"].form
    for messages in form.errors.values():
        errors.extend(str(message) for message in messages)
    for inline in context.get("inline_admin_formsets", []):
        for form_errors_ in inline.formset.errors:
            for messages in form_errors_.values():
                errors.extend(str(message) for message in messages)
        errors.extend(str(message) for message in inline.formset.non_form_errors())
    return errors


def on_postgresql():
    return connection.vendor == "postgresql"


def words_tested(captured):
    """The SQL of the queries of a search's page that test its words: the one reading the keys
    of its first matches (``paging.SearchPaginator.first_keys``; the rows are then read by
    those keys), not the questions of how common each word is, asked of its index alone
    (``SELECT EXISTS``, ``SELECT 1``)."""
    return [
        q["sql"]
        for q in captured
        if ("@@" in q["sql"] or "LIKE" in q["sql"])
        and not q["sql"].startswith(("SELECT EXISTS", 'SELECT 1 AS "a"'))
    ]


def titles_in(response):
    """The agreement titles a list page shows, in order."""
    return [row.title for row in response.context["agreements"]]


# -- page checks -------------------------------------------------------------------------------


class PageStructure(HTMLParser):
    """Collects what the structure checks need: landmarks, headings, controls and labels,
    tables, and every resource the page loads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.mains = 0
        self.headings = []
        self.ids = set()
        self.duplicate_ids = set()
        self.labels_for = set()
        self.controls = []  # (tag, attrs) of inputs, selects and textareas that need a label
        self.tables = []  # per table: {"caption": bool, "ths_without_scope": int}
        self.resources = []  # src/href of scripts, stylesheets, images, iframes, fonts
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            if attrs["id"] in self.ids:
                self.duplicate_ids.add(attrs["id"])
            self.ids.add(attrs["id"])
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "main":
            self.mains += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if attrs.get("type") not in ("hidden", "submit", "button", "reset"):
                self.controls.append((tag, attrs))
        elif tag == "table":
            self.tables.append({"caption": False, "ths_without_scope": 0})
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        elif tag == "th" and self.tables and "scope" not in attrs:
            self.tables[-1]["ths_without_scope"] += 1
        if tag in ("script", "img", "iframe", "audio", "video", "source") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.resources.append(attrs["href"])


def page_problems(html):
    """What is wrong with a page's structure, as a list of sentences (empty when all is well).

    One ``<main>``; one ``<h1>`` and headings that never skip a level going down; every form
    control labelled; every table with a caption and scoped header cells; nothing loaded from
    another site; no id used twice; ``<html lang>`` set.
    """
    page = PageStructure()
    page.feed(html)
    problems = []
    if page.mains != 1:
        problems.append(f"{page.mains} <main> elements")
    if page.headings.count(1) != 1:
        problems.append(f"{page.headings.count(1)} <h1> elements")
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading level jumps from h{before} to h{after}")
    for tag, attrs in page.controls:
        labelled = attrs.get("id") in page.labels_for or attrs.get("aria-label")
        if not labelled:
            problems.append(f"<{tag} name={attrs.get('name')!r}> has no label")
    for index, table in enumerate(page.tables):
        if not table["caption"]:
            problems.append(f"table {index} has no caption")
        if table["ths_without_scope"]:
            problems.append(f"table {index} has <th> without scope")
    for resource in page.resources:
        if re.match(r"^(https?:)?//", resource):
            problems.append(f"external resource {resource}")
    for duplicate in sorted(page.duplicate_ids):
        problems.append(f"id {duplicate!r} used more than once")
    if not page.html_lang:
        problems.append("<html> has no lang")
    for match in re.finditer(r'aria-describedby="([^"]+)"', html):
        for target in match.group(1).split():
            if target not in page.ids:
                problems.append(f"aria-describedby points to missing id {target}")
    return problems


def chart_table(html, chart_id):
    """The rows of a chart's data table, as (label, number) pairs as the reader sees them."""
    start = html.index(f'id="chart-{chart_id}"')
    table = html[start : html.index("</table>", start)] if "<table" in html[start:] else ""
    table = table.split("</details>")[0]
    rows = re.findall(
        r'<th scope="row">(?:<a href="[^"]*">)?(.*?)(?:</a>)?</th><td class="num">(.*?)</td>',
        table,
    )
    return [(unescape(label), unescape(number)) for label, number in rows]


def pdf_links(content):
    """The addresses the PDF ``content`` links to (its link annotations), in the order written:
    read from the file itself and from its compressed streams."""
    chunks = [content]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        with suppress(zlib.error):  # a stream not compressed (an image's, a font's)
            chunks.append(zlib.decompress(stream.group(1)))
    return [
        link.decode()
        for chunk in chunks
        for link in re.findall(rb"/URI\s*\(((?:[^()\\]|\\.)*)\)", chunk)
    ]


def pdf_text(content):
    """The text of the PDF ``content`` as poppler-utils' ``pdftotext`` reads it, page by page in
    reading order. Skipped, saying so, where it is missing, except in CI (.ci/run installs it),
    which must fail rather than skip."""
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("pdftotext is required in CI (apt-get install poppler-utils)")
        pytest.skip("no pdftotext to read the report's PDF (apt-get install poppler-utils)")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=content,
        check=True,
        capture_output=True,
    ).stdout.decode()


def opened_afresh(link, method="get"):
    """What a browser that never chose a language on the site (no cookie, no session) is shown
    for ``link``, a full address in a mail: redirects followed, the fragment left to the
    browser."""
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    try:
        return getattr(Client(), method)(path, follow=True)
    finally:
        translation.deactivate()  # the page's language is not left active for later tests


def html_lang(response):
    return re.search(r'<html[^>]* lang="([^"]+)"', response.content.decode()).group(1)


def more_matches_than_listed(monkeypatch, region):
    """Three agreements a search for "nelayan" finds, signed 2019, 2021 and 2023, where a
    search lists at most two (``paging.SEARCH_LISTS_AT_MOST``): past the limit, the page lists
    the most recently signed."""
    from agreements import paging
    from tests.factories import AgreementFactory

    monkeypatch.setattr(paging, "SEARCH_LISTS_AT_MOST", 2)
    for year in (2019, 2021, 2023):
        AgreementFactory(
            title=f"Pelatihan nelayan {year}",
            lead_region=region,
            signed_on=datetime.date(year, 1, 1),
            in_force_from=datetime.date(year, 1, 1),
        )


def assert_parties_fit_their_scope(agreements):
    """Every one of ``agreements`` (their regions and partners prefetched) names the parties its
    scope asks for (``Agreement.party_errors``)."""
    from agreements.models import Agreement

    for agreement in agreements:
        errors = Agreement.party_errors(
            agreement.scope,
            agreement.lead_region,
            agreement.regions.all(),
            agreement.partners.all(),
        )
        assert errors == {}, agreement.title


def public_addendum_of_an_internal_mou(region):
    """A public addendum of an internal MoU of ``region``, both in force for years, the MoU
    active last month: alive with it to whoever reads internal records, dormant to the public,
    which may not read that activity (``AgreementQuerySet.reads_inside``). Returns the MoU and
    the addendum."""
    from django.utils import timezone

    from agreements.models import Agreement
    from tests.factories import AgreementFactory, MilestoneFactory

    today = timezone.localdate()

    def days(n):
        return today + datetime.timedelta(days=n)

    mou = AgreementFactory(
        title="MoU Kaltim–Bali rahasia",
        lead_region=region,
        signed_on=days(-900),
        in_force_from=days(-900),
        expires_on=days(1000),
        visibility=Agreement.Visibility.INTERNAL,
    )
    addendum = AgreementFactory(
        title="Adendum MoU Kaltim–Bali",
        lead_region=region,
        kind="amendment",
        follows=mou,
        relation="amends",
        signed_on=days(-800),
        in_force_from=days(-800),
        expires_on=days(1000),
    )
    MilestoneFactory(agreement=mou, kind="activity", due_on=None, done_on=days(-30))
    Agreement.objects.all().refresh_progress()
    return mou, addendum
