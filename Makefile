# Voix: two commands for a newcomer, `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test lint typecheck audit translations messages conformance demo worker clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the accessibility checks of the browser tests will skip"; fi

# Compile the .po files with Babel (pure Python: no GNU gettext needed on a fresh machine).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --domain django --directory locale --statistics 2>&1 | tail -n 2

# Refresh locale/fr/LC_MESSAGES/django.po from the code (needs GNU gettext's xgettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale fr --no-location --ignore ".venv/*" --ignore "node_modules/*"

run: $(VENV)/.installed translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then \
		echo "PostgreSQL + Redis: web server, Celery worker and beat (Ctrl-C stops all three)"; \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile start; \
	else \
		echo "Embedded defaults: SQLite, tasks in-process. Open http://127.0.0.1:8000"; \
		$(PY) manage.py runserver 127.0.0.1:8000; \
	fi

demo: $(VENV)/.installed
	$(PY) manage.py load_demo

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy .

# Known vulnerabilities (PyPI advisories) in the pinned requirements; fails on any found.
# pip-audit reads each pinned version's advisories from PyPI's JSON API; where the index does
# not serve it (a mirror), packages are "not audited": said loudly, since nothing was checked.
audit: $(VENV)/.installed
	@$(BIN)/pip-audit --progress-spinner off -r requirements-dev.txt > .audit.log 2>&1; \
	status=$$?; cat .audit.log; n=$$(grep -c "could not be audited" .audit.log); rm -f .audit.log; \
	if [ "$$n" -gt 0 ]; then echo "WARNING: pip-audit could not audit $$n packages: no advisory data reachable"; fi; \
	exit $$status

test: $(VENV)/.installed translations node_modules/.installed lint typecheck
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest

conformance: $(VENV)/.installed
	# "=" matters: with a space, pytest takes the existing report for a test path to collect.
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest --collect-only -q \
		--conformance-report=docs/conformance.md > /dev/null
	@echo "docs/conformance.md and docs/conformance.json written"

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
