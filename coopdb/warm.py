"""What every server process would otherwise do on its first requests, done once before it starts.

gunicorn loads the site in its master process and forks the workers from it (``preload_app`` in
``gunicorn.conf.py``), and replaces each worker after ``max_requests``. A worker forked from a
cold master read the translation catalogues, built the URL resolver and compiled every template
on its first requests, about 0.4 s before its first page and tens of milliseconds before each new
kind of page, while readers waited. ``warm`` does that work in the master, so each worker starts
with it done, the cache's client library loaded too. It opens no database or cache
connection: a connection made before the fork would be shared by every worker.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.template import Context, TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.loader_tags import ExtendsNode
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = {".html", ".txt", ".xml", ".ics"}


def template_names(backend):
    """Every template the backend can find (its folders and the installed apps'), by the name
    pages ask for it."""
    names = set()
    for directory in backend.template_dirs:
        root = Path(directory)
        if root.is_dir():
            names.update(
                path.relative_to(root).as_posix()
                for path in root.rglob("*")
                if path.suffix in TEMPLATE_SUFFIXES and path.is_file()
            )
    return sorted(names)


def warm():
    """Load the catalogues of every language, build the URL resolver, load the caches' client
    libraries and compile every template into the template loaders' cache. Returns how many
    templates were compiled."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")
    get_resolver().reverse_dict  # noqa: B018 (building it is the point)
    _load_cache_clients()
    compiled = 0
    for backend in engines.all():
        for name in template_names(backend):
            try:
                _find_parents(backend.get_template(name).template)
            except (TemplateSyntaxError, TemplateDoesNotExist):
                # A template of an installed app meant for a setting this site does not use
                # (a tag library or a parent it leaves out): pages never ask for it.
                logger.debug("template %s not compiled ahead", name, exc_info=True)
            else:
                compiled += 1
    return compiled


def _load_cache_clients():
    """Make each cache's client. Django's Redis backend imports redis-py when its client is
    first made, 0.15 s that a worker's first reader would wait; the client's connection pools
    connect on first use, in each worker."""
    for alias in settings.CACHES:
        getattr(caches[alias], "_cache", None)


def _find_parents(template):
    """Find, and so compile, the templates ``template`` extends, as rendering it would: one that
    extends a template of its own name (the site's ``admin/base_site.html``) finds the parent
    skipping itself, which the loader keeps under a name of its own."""
    context = Context()
    context.template = template
    while extends := template.nodelist.get_nodes_by_type(ExtendsNode):
        parent = extends[0].parent_name.resolve(context)
        if not isinstance(parent, str) or not parent:
            return  # chosen by the page's context: found when a page names it
        template = extends[0].find_template(parent, context)
