"""gunicorn settings for coopdb: `gunicorn coopdb.wsgi` reads this file from the project folder.

The values below read GUNICORN_* environment variables (GUNICORN_BIND, GUNICORN_WORKERS,
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_FORWARDED_ALLOW_IPS; see
docs/deploying.md); any other gunicorn option can be given in gunicorn's own GUNICORN_CMD_ARGS.
"""

import gc
import logging
import multiprocessing
import os
import sys

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


def pre_fork(server, worker):
    """What the master holds, the whole site as loaded, is left out of the garbage collector's
    rounds: a worker's collections would otherwise write to every object it shares with the
    master, and copy each page of them (Python's ``gc.freeze``)."""
    gc.freeze()


def worker_exit(server, worker):
    """A worker leaving with nothing left to answer ends its process at once.

    A worker replaced after ``max_requests`` (or stopped) would otherwise tear its interpreter
    down object by object, each page of memory it shares with the master copied to be freed,
    about 0.4 s of a national register's site in which the master has not yet started its
    successor and the other workers answer for it (``bench/README.md``, worker recycling). Its
    status is the one it was leaving with, 0; the log is written out first. Its database and
    Redis connections close with the process, which both servers take as a client leaving.
    A worker leaving on an error, or with a request still open, exits as usual."""
    leaving = sys.exception()
    if not isinstance(leaving, SystemExit) or leaving.code not in (0, None):
        return
    if getattr(worker, "nr_conns", 0):
        return
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
