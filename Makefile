# DigiOne Hub. `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/digione_test
export FLASK_APP := wsgi

.PHONY: run install translations db demo test test-sqlite test-postgres check reliability clean messages bench screenshots

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

translations: install
	$(VENV)/bin/pybabel compile -f -d app/translations

db: translations
	DIGIONE_ENV=$${DIGIONE_ENV:-development} $(FLASK) db upgrade

demo: db
	DIGIONE_ENV=$${DIGIONE_ENV:-development} $(FLASK) demo load

run: demo
	@echo "Serving DigiOne Hub on http://127.0.0.1:$(PORT)"
	DIGIONE_ENV=$${DIGIONE_ENV:-development} $(FLASK) run --host 127.0.0.1 --port $(PORT)

AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json
	@if command -v npm >/dev/null; then \
		npm install --no-audit --no-fund --no-package-lock --loglevel=error && touch $@; \
	else echo "npm not found: browser tests will be skipped (CI fails instead)"; fi

test: translations $(AXE)
	$(PY) -m tests.run_suite

test-sqlite: translations
	$(PY) -m pytest

test-postgres: translations
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest

# Reliability checks that are not unit tests (about 4 minutes): bandit (any high-severity finding
# fails), the load test (50 clients for 60 s on SQLite and on PostgreSQL: any error or lost write
# fails), then docs/reliability.md from these and the figures of the last `make test`.
check: translations
	$(PY) scripts/bandit_check.py
	$(PY) -m bench.load --database sqlite
	@if $(PY) -c "import sys; from tests.pg import ensure_database; sys.exit(1 if ensure_database('$(TEST_DATABASE_URL)') else 0)"; then \
		$(PY) -m bench.load --database postgresql; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL unreachable in CI"; exit 1; \
	else echo "NOTE: PostgreSQL not reachable: the load test ran on SQLite only"; fi
	$(PY) scripts/reliability_report.py

# docs/reliability.md from a full run: the whole suite on both databases, then `make check`.
reliability: test check

# Benchmarks (bench/run.py): about 20-30 minutes; rewrites docs/benchmarks.md. Needs PostgreSQL on
# 127.0.0.1:5432 and installs wrk (apt) and Datasette (PyPI) when missing.
bench: translations
	$(PY) -m pip install --quiet -e '.[bench]'
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench.run

# PNG screenshots of the main pages for the README (needs Debian's chromium).
screenshots: translations
	$(PY) scripts/screenshots.py

messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot \
		--no-location --sort-output --ignore-dirs='.venv node_modules' .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching \
		--width 100
	$(PY) scripts/fill_english.py

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
