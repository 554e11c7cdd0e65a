"""Test data and page checks shared by the tests of the public pages (``test_views_*``,
``test_search``, ``test_e2e``)."""

import re
from html.parser import HTMLParser

from django.contrib.auth.models import Group
from django.db import connection

from access.models import Role


def make_official(django_user_model, username="pejabat"):
    """An official (Pejabat role): reads internal records, changes nothing, not staff."""
    user = django_user_model.objects.create_user(username=username, password="a-long-password")
    group, _created = Group.objects.get_or_create(name=Role.VIEWER)
    user.groups.add(group)
    return user


def on_postgresql():
    return connection.vendor == "postgresql"


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
