# One-word entry points. `make run` and `make test` are the two commands of the README.
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint format migrations-check messages demo-data screenshots

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The site on SQLite with the reference data and the demo register, on http://$(HOST):$(PORT)/
run: install demo-data
	$(PY) manage.py runserver $(HOST):$(PORT)

demo-data: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py setup_roles
	$(PY) manage.py seed_demo --url http://$(HOST):$(PORT)/

# Every test: migrations in step with the models, lint, then the suite (SQLite, or PostgreSQL
# when DATABASE_URL points there).
test: install migrations-check lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the translation catalogues after changing user-facing text.
messages: install
	$(PY) manage.py makemessages -l id -l en --ignore=.venv
	$(PY) manage.py compilemessages --ignore=.venv

# Refresh the README's screenshots from the end-to-end journeys (needs Chromium).
screenshots: install
	SCREENSHOT_DIR=docs/screenshots $(VENV)/bin/pytest tests/test_e2e.py
