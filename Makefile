# One-word entry points. `make run` and `make test` are the two commands of the README.
# The interpreter the virtual environment is made with: any Python from 3.11 on
# (`make install PYTHON=python3.13 VENV=.venv-3.13`).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The demo's address: where it is served, the admin it prints, and where its mails link
# (SITE_URL of the server and of the mail commands run from here).
DEMO_URL := http://$(HOST):$(PORT)
PYTEST_ARGS ?=

.PHONY: install python-matches checkers run test lint imports-check format migrations-check messages demo-data reminders screenshots

# An environment keeps the Python it was made with: brought up to date after a change to
# pyproject.toml, never made again over itself with another one.
$(VENV)/.installed: pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

# Asked on the command line for another Python than the environment's, stop and say so rather
# than go on with the one it has.
python-matches:
	@if [ "$(origin PYTHON)" = "command line" ] && [ -x $(PY) ]; then \
		made="$$($(PY) -c 'import sys; print(sys.version)')"; \
		asked="$$($(PYTHON) -c 'import sys; print(sys.version)' 2>&1)" || \
			{ echo "!! $(PYTHON) does not run: $$asked" >&2; exit 1; }; \
		if [ "$$made" != "$$asked" ]; then \
			echo "!! $(VENV) was made with Python $${made%% *}, not $(PYTHON)'s $${asked%% *}:" >&2; \
			echo "!! give that one an environment of its own (VENV=...), or delete $(VENV) first" >&2; \
			exit 1; \
		fi; \
	fi

install: python-matches $(VENV)/.installed

# The checkers the tests hold the pages to, pinned in package.json: axe-core (accessibility, in
# the test browser) and the Nu HTML checker (vnu-jar, run with Java). --ignore-scripts: vnu-jar's
# install script would fetch a Java of its own; the machine's is used. Without npm the tests
# that need them are skipped (CI installs npm and fails instead).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "!! npm not found: the accessibility and HTML-validity tests will be skipped"; \
	fi

checkers: node_modules/.installed

# The site on SQLite with the reference data and the demo register, on http://$(HOST):$(PORT)/
run: install demo-data
	SITE_URL=$(DEMO_URL) $(PY) manage.py runserver $(HOST):$(PORT)

demo-data: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py setup_roles
	$(PY) manage.py seed_demo --url $(DEMO_URL)/

# The demo's daily jobs, as cron runs them in production: where the chains stand stored again
# for the texts ended by their date (refresh_progress), then the mails (reminders, then the
# digests of followed selections), linking to the demo where `make run` serves it: give the
# same HOST and PORT. Printed on the console unless EMAIL_HOST is set.
reminders: install
	$(PY) manage.py refresh_progress
	SITE_URL=$(DEMO_URL) $(PY) manage.py send_reminders
	SITE_URL=$(DEMO_URL) $(PY) manage.py send_follow_digests

# Every test: migrations in step with the models, lint, then the suite (SQLite, or PostgreSQL
# when DATABASE_URL points there). On SQLite the PostgreSQL export is not exercised, so its
# byte-equality test then runs against POSTGRES_URL too, whenever that server answers.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/coopdb
POSTGRES_EXPORT_CHECK ?= yes
test: install checkers migrations-check lint imports-check
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL" ] || [ "$(POSTGRES_EXPORT_CHECK)" != yes ]; then exit 0; fi; \
	if $(PY) scripts/postgres_reachable.py "$(POSTGRES_URL)"; then \
		echo "== The PostgreSQL export, byte for byte (tests/test_export_text.py on $(POSTGRES_URL))"; \
		DATABASE_URL="$(POSTGRES_URL)" $(VENV)/bin/pytest tests/test_export_text.py; \
	else \
		echo "!! PostgreSQL is not reachable at $(POSTGRES_URL): the byte-equality test of the"; \
		echo "!! PostgreSQL export (tests/test_export_text.py) did NOT run. Start PostgreSQL or set"; \
		echo "!! POSTGRES_URL, or run the suite with DATABASE_URL pointing at PostgreSQL."; \
	fi

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The import arrows between the apps (the contracts in pyproject.toml).
imports-check: install
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the translation catalogues after changing user-facing text. Every environment
# (.venv, .venv-3.13 …) is left alone: compilemessages would compile the catalogues of the
# Django installed in it.
messages: install
	$(PY) manage.py makemessages -l id -l en --ignore='.venv*'
	$(PY) manage.py compilemessages --ignore='.venv*'

# Refresh the README's screenshots from the end-to-end journeys (needs Chromium).
screenshots: install
	SCREENSHOT_DIR=docs/screenshots $(VENV)/bin/pytest tests/test_e2e.py tests/test_e2e_follow.py
