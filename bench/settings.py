"""The site's own settings, plus the framework-floor page the benchmark compares every page with.

Only ``bench/run.py`` uses these; nothing else differs from ``coopdb.settings``.
"""

import os

from coopdb.settings import *  # noqa: F403
from coopdb.settings import ALLOWED_HOSTS, BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# The in-process client calls itself "testserver"; the servers listen on 127.0.0.1.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver", "127.0.0.1"]

# ``BENCH_CACHE=none``: no cache at all, so every page is built afresh (``bench/afresh.py``).
if os.environ.get("BENCH_CACHE") == "none":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
