"""gunicorn settings for coopdb: `gunicorn coopdb.wsgi` reads this file from the project folder.

The values below read GUNICORN_* environment variables (GUNICORN_BIND, GUNICORN_WORKERS,
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_FORWARDED_ALLOW_IPS; see
docs/deploying.md); any other gunicorn option can be given in gunicorn's own GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One worker per core: the app is CPU-bound between short database round trips.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
# Threaded workers: a worker's main thread keeps telling the master it is alive while a request
# runs, so a long download (the full XLSX export of a national register streams for tens of
# seconds) is never killed as a hung worker after ``timeout``; and a second thread goes on
# answering pages meanwhile. What bounds a request is the database's statement timeout
# (``STATEMENT_TIMEOUT``, ``EXPORT_STATEMENT_TIMEOUT`` in the settings). Each thread holds its own
# database connection: workers × threads of them.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Django is imported once, in the master, before the workers are forked: a recycled worker
# starts answering at once instead of importing the project first, with the translations read
# and the templates compiled (coopdb/warm.py), and the pages it serves come from the shared
# cache, REDIS_URL, not an empty one of its own.
preload_app = True
# Restart workers now and then so a slow leak can never take a server down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Behind a reverse proxy that sets X-Forwarded-For / X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
