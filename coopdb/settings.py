"""coopdb settings.

Everything that differs between a laptop and production comes from the environment. Without any
variable set the site runs in a safe local mode: SQLite in the project folder, DEBUG on, only
localhost allowed.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    """Read a yes/no variable; refuse anything that is not clearly one or the other."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    """Read a whole number, none below zero (a limit, a size, a count); refuse anything else
    rather than guess: a negative statement timeout made every connection fail."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip().replace("_", ""))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more, not {value!r}")
    return number


def envaddress(name, default):
    """Read the address readers open the site at: http or https with a host (and a port, a
    path), without a trailing slash; refuse anything else rather than write it into every
    link of a mail (a host without its scheme made each a link no mail program opens)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    address = value.strip().rstrip("/")
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 -- raises ValueError for a port that is no number
    except ValueError:  # that, or a bracket left open
        parts = None
    sound = (
        parts is not None
        and parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.query or parts.fragment)
    )
    if not sound:
        raise ImproperlyConfigured(
            f"{name} must be the address readers open the site at, with its scheme "
            f"(https://kerjasama.example.go.id), not {value!r}"
        )
    return address


def envlist(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-local-development-key-only-for-debug-mode"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# A form whose token no longer holds (logged in or out in another tab since) gets the site's page.
CSRF_FAILURE_VIEW = "access.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "django_filters",
    "simple_history",
    "partners",
    "agreements",
    "access",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions or the database are touched, so they are
    # served even while the database is down.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, and the language a link in a mail names (``?lang=en``).
    "common.languages.LocaleMiddleware",
    # Before anything reads the request's values: a NUL byte gets a 400, not a database error.
    "coopdb.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times in the reader's zone (WIB, WITA, WIT), kept in their session from login.
    "access.middleware.UserTimeZoneMiddleware",
    # A page built for a signed-in reader is marked private to them.
    "access.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns a lock-out signalled by the authentication backend into the lock-out page.
    "axes.middleware.AxesMiddleware",
    # Last, so it is the first to see an exception raised by a view: a database outage becomes
    # the styled 503 page rather than a 500.
    "coopdb.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "coopdb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's form renderer, its one-line inputs written straight (common/renderers.py).
FORM_RENDERER = "common.renderers.PlainInputsRenderer"

WSGI_APPLICATION = "coopdb.wsgi.application"

if os.environ.get("DATABASE_URL") is not None and not os.environ["DATABASE_URL"].strip():
    raise ImproperlyConfigured(
        "DATABASE_URL is set but empty: unset it for the local SQLite database, or give the "
        "server's address (postgres://user@host:5432/name)"
    )
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
        # A kept connection is checked before each request reuses it, so a restart of the
        # database server costs a reconnect, not an error page.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite builds the late filter's index (``agreement_overdue_after``) without the columns it
# covers on PostgreSQL, and Django warns of it at every ``migrate``, the first lines `make run`
# prints. The index serves the filter all the same on a laptop's register; PostgreSQL, which
# covers them, never raises it.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# No statement of a web request may run longer than this (milliseconds; 0 = no limit): a query
# gone wrong (stale planner statistics, an unforeseen filter) ends with an error page instead of
# holding a worker and the database for minutes, and it stops in PostgreSQL too. Exports set
# their own, longer limit for their one long query (``EXPORT_STATEMENT_TIMEOUT``).
STATEMENT_TIMEOUT = envint("STATEMENT_TIMEOUT", 15_000)
EXPORT_STATEMENT_TIMEOUT = envint("EXPORT_STATEMENT_TIMEOUT", 300_000)
# How many downloads of more than EXPORT_SLOT_ROWS agreements are made at once across the site
# (0: no limit); past them a large download answers 503 (``agreements.export_slots``).
EXPORT_SLOTS = envint("EXPORT_SLOTS", 1)
EXPORT_SLOT_ROWS = envint("EXPORT_SLOT_ROWS", 5_000)
# The word similarity at which a search finds a partner by a near spelling of its name through
# the name's trigram index (``agreements.search.TYPO_SIMILARITY``; pg_trgm's own default is 0.6).
TRIGRAM_WORD_SIMILARITY = 0.5
# PostgreSQL: the larger reads are planned once per connection and then only executed, the
# KEEP_QUERY_PLANS used last of each connection (``coopdb.kept_plans``). 0, off: behind a pool
# that hands out server connections per transaction (pgbouncer in transaction mode), where a
# statement and its next execution may reach different sessions.
KEEP_QUERY_PLANS = envint("KEEP_QUERY_PLANS", 50)
# No JIT compilation: a page's queries are short, and PostgreSQL compiles one whose estimated
# cost is high (a misjudged plan, a CASE of subqueries) for longer than it runs: the report of
# a province took 2 s at 100,000 agreements, 1.35 s of it compiling. Exports turn it off too.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={STATEMENT_TIMEOUT} "
        f"-c pg_trgm.word_similarity_threshold={TRIGRAM_WORD_SIMILARITY} "
        "-c jit=off"
    )
    # A server cut off or stalled does not refuse a connection: without a limit the driver
    # waits for its answer for ever, and so do the reader, the health check and, one after the
    # other, every thread of the site. Past it, the styled 503 page (``coopdb.middleware``). A
    # ``?connect_timeout=`` in DATABASE_URL is kept.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    if KEEP_QUERY_PLANS:
        from coopdb.kept_plans import PlanKeepingCursor

        DATABASES["default"]["OPTIONS"]["cursor_factory"] = PlanKeepingCursor

# The cache of pages, counts and filter lists (``agreements.caching``). In production it is
# Redis (REDIS_URL), shared by every worker: a new or recycled worker starts with the pages the
# others built, and a page is built once for all of them. Without REDIS_URL (``make run``) each
# process keeps its own, in memory. Every key names the register version it was built at, so
# neither can serve a page from before a change.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "coopdb"),
            # A Redis that is down or slow must not take the site with it: fail fast.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# Axes first: it refuses a locked-out username+address before a password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Indonesian first, English available on every page.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates with the month in full, in both languages (``coopdb/formats``).
FORMAT_MODULE_PATH = ["coopdb.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
# Uploaded documents: never under STATIC_ROOT, never published by the web server; they are
# downloaded through their agreement's page, which checks who may see them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Refused rather than trusted to the guide: the app serves every file under STATIC_ROOT (and,
# on the local demo, under the static folders) to anyone, at the address its stored name
# makes, so a document of an internal agreement there ("documents/2024/naskah.pdf") was one
# guess away from the public.
for _static in (STATIC_ROOT, *STATICFILES_DIRS):
    if MEDIA_ROOT.resolve().is_relative_to(_static.resolve()):
        raise ImproperlyConfigured(
            f"MEDIA_ROOT must lie outside {_static}, whose every file the site serves to "
            f"anyone: the uploaded documents under {MEDIA_ROOT} would be public"
        )
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
# The most agreements one import file may hold (a register's migration is split into files of
# this size); with the columns bounded by the importer, what one upload can make a worker read.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 50000)
# The most an XLSX import file (a zip) may unpack to, in MB: the register's own XLSX export of
# IMPORT_MAX_ROWS agreements, with their steps, documents and partners, unpacks to about 400 MB.
IMPORT_MAX_UNPACKED_MB = envint("IMPORT_MAX_UNPACKED_MB", 512)
# A form posting more fields than this is refused (400) unread. The largest form the site
# builds is an agreement's change form at its inlines' bound (``INLINE_MAX_ROWS``, 200): eight
# fields a milestone row, 1,600, besides some 80 of its own. Django's default, 1,000, refused
# the save of an agreement past about 115 milestones, a form the admin had shown.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production (DEBUG off) file names carry a hash of their content, so browsers may cache
    # them for a year, and gzip/brotli copies are made once by collectstatic. That storage needs
    # collectstatic to have run; on a laptop the plain storage serves straight from static/.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Every role logs in on the site (the admin's own login refuses whoever is not staff); pages of
# the admin send to the admin's login themselves.
LOGIN_URL = "login"
# Where the admin's login leads when the page it was asked to lead back to is none of the
# site's (``?next=`` empty, or another site's address); Django's own default,
# ``/accounts/profile/``, does not exist here. The site's login leads to the dashboard
# (``access.views.LoginView``).
LOGIN_REDIRECT_URL = "admin:index"

# -- security ---------------------------------------------------------------------------------

# HTTPS=true when the site is served over HTTPS (normally TLS ends at a reverse proxy, which must
# set X-Forwarded-Proto and overwrite any value a client sent). Off for a local first look over
# plain HTTP, where secure-only cookies would make logging in impossible.
HTTPS = envbool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# Load balancers poll the health check over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# The preload directive only consents to a listing; nothing is listed until the domain's owner
# submits it to the browsers' preload list.
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it: the language form posts to set_language
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere, so injected markup cannot run or restyle a page. The site's
# charts are server-drawn SVG styled from the site's stylesheet; the Django admin needs no
# inline script either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Lock-out after repeated failed logins (django-axes): the fifth wrong password for one username
# from one address locks that pair out for 30 minutes, even with the right password. Counting the
# pair keeps one office behind one NAT from locking out everyone after a few typos; the address
# alone is held to a higher limit (coopdb.lockout), so one address trying a password across many
# usernames is stopped too.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_HANDLER = "coopdb.lockout.PairAndAddressHandler"
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False  # no start-up banner on every management command; failures are still logged
# Behind a reverse proxy every request comes from the proxy's address; the client's is the last
# one the proxy appended to X-Forwarded-For (see coopdb.proxy).
AXES_CLIENT_IP_CALLABLE = "coopdb.proxy.client_ip"
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
# Addresses (or networks) the proxy connects from: X-Forwarded-For is read only on their
# connections (``coopdb.proxy.client_ip``).
TRUSTED_PROXY_ADDRESSES = envlist("TRUSTED_PROXY_ADDRESSES", ["127.0.0.1", "::1"])
try:
    TRUSTED_PROXY_NETWORKS = [
        ipaddress.ip_network(address, strict=False) for address in TRUSTED_PROXY_ADDRESSES
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_ADDRESSES: {error}") from error

# Mail (the reminder digests). Without EMAIL_HOST, messages are printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30  # a hung mail server must not hang the daily cron job
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coopdb <noreply@localhost>")
# Where links in e-mails point: the address readers open the site at.
SITE_URL = envaddress("SITE_URL", "http://127.0.0.1:8000")

# Every line goes to standard error once, through the root logger's handler. Django's own
# "django" logger would print its lines to the console too while DEBUG is on (its default
# configuration, ``django.utils.log.DEFAULT_LOGGING``), and they reach the root logger as well:
# it keeps only what it does besides, mailing errors to ``ADMINS`` while DEBUG is off, and passes
# every line on. Its level stays Django's, INFO. Configuring it resets its children, so
# "django.server" (runserver's line per request, with its time) is configured again as Django
# configures it, not passed on.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
