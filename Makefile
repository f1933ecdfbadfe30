# DigiOne Hub. `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
# The newest Python 3.11 or later on PATH (python3.20 ... python3.11, then python3), unless named:
# `make run PYTHON=/opt/python3.13/bin/python3`.
NEW_ENOUGH := -c 'import sys; sys.exit(sys.version_info < (3, 11))'
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell for v in 20 19 18 17 16 15 14 13 12 11; do \
	python3.$$v $(NEW_ENOUGH) >/dev/null 2>&1 && { echo python3.$$v; exit; }; done; \
	python3 $(NEW_ENOUGH) >/dev/null 2>&1 && echo python3)
endif
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/digione_test
export FLASK_APP := wsgi

.PHONY: run install install-test print-python translations db demo test test-sqlite test-postgres check lint format reliability \
	clean messages bench screenshots lock

# Installs come from the lock files under requirements/ (pinned, with hashes): `make lock` updates them.
$(PY):
	@test -n "$(PYTHON)" || { echo "DigiOne Hub needs Python 3.11 or newer and found none on PATH."; \
		echo "Install one (Debian/Ubuntu: apt install python3 python3-venv; or pyenv install 3.13),"; \
		echo "or name it: make run PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) $(NEW_ENOUGH) || { echo "$(PYTHON) is older than Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# What serving needs, and nothing else (`make run`).
$(VENV)/.installed: $(PY) requirements/runtime.txt pyproject.toml
	$(PY) -m pip install --quiet --require-hashes -r requirements/runtime.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# The test, lint and lock tools on top (`make test`, `make lint`, `make check`).
$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements/test.txt
	touch $@

install: $(VENV)/.installed

print-python:
	@echo $(PYTHON)
install-test: $(VENV)/.installed-test

# Re-resolve the lock files from pyproject.toml's ranges, keeping today's pins where they still fit;
# `make lock UPGRADE=--upgrade` moves every pin to the newest release the ranges allow, and
# `make lock UPGRADE="--upgrade-package stripe"` one package.
LOCK := $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(UPGRADE) pyproject.toml
lock: install-test
	$(LOCK) -o requirements/runtime.txt
	$(LOCK) --extra test --extra dev -c requirements/runtime.txt -o requirements/test.txt
	$(LOCK) --extra test --extra dev --extra bench -c requirements/test.txt -o requirements/bench.txt

translations: install
	$(VENV)/bin/pybabel compile -f -d app/translations

db: translations
	DIGIONE_ENV=$${DIGIONE_ENV:-development} $(FLASK) db upgrade

demo: db
	DIGIONE_ENV=$${DIGIONE_ENV:-development} $(FLASK) demo load

# The development server and, beside it, the jobs worker (mail, rules, reminders); both stop together.
run: demo
	@echo "Serving DigiOne Hub on http://127.0.0.1:$(PORT), with its jobs worker"
	@export DIGIONE_ENV=$${DIGIONE_ENV:-development}; \
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json
	@if command -v npm >/dev/null; then \
		npm install --no-audit --no-fund --no-package-lock --loglevel=error && touch $@; \
	else echo "npm not found: browser tests will be skipped (CI fails instead)"; fi

test: translations install-test $(AXE)
	$(PY) -m tests.run_suite

test-sqlite: translations install-test
	$(PY) -m pytest

test-postgres: translations install-test
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest

# Reliability checks that are not unit tests (about 3 minutes): bandit (any high-severity finding
# fails), the load test (50 clients for 60 s on SQLite and on PostgreSQL: any error or lost write
# fails), the several-hosts run (bench/multihost.py: PostgreSQL and Redis, two hosts, two job
# workers, one killed), then docs/reliability.md from these and the figures of the last `make test`.
check: translations install-test lint
	$(PY) scripts/bandit_check.py
	$(PY) -m bench.load --database sqlite
	@if $(PY) -c "import sys; from tests.pg import ensure_database; sys.exit(1 if ensure_database('$(TEST_DATABASE_URL)') else 0)"; then \
		$(PY) -m bench.load --database postgresql; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL unreachable in CI"; exit 1; \
	else echo "NOTE: PostgreSQL not reachable: the load test ran on SQLite only"; fi
	$(PY) -m bench.multihost
	$(PY) scripts/reliability_report.py

# The code's rules: ruff (lint and format, pyproject.toml) and the layering contracts of import-linter
# (.importlinter). `make format` rewrites what `ruff format --check` refuses.
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# docs/reliability.md from a full run: the whole suite on both databases, then `make check`.
reliability: test check

# Benchmarks (bench/run.py): about 20-30 minutes; rewrites docs/benchmarks.md. Needs PostgreSQL on
# 127.0.0.1:5432 and installs wrk (apt) and Datasette (PyPI) when missing.
bench: translations
	$(PY) -m pip install --quiet --require-hashes -r requirements/bench.txt
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench.run

# PNG screenshots of the main pages for the README (needs Debian's chromium).
screenshots: translations install-test
	$(PY) scripts/screenshots.py

messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot \
		--no-location --sort-output --ignore-dirs='.venv node_modules' .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching \
		--width 100
	$(PY) scripts/fill_english.py

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
