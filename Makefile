# PIC Meetings. `make run` serves the demo; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint format bench migrate assets fonts messages translations translations-todo translations-fill check-translations chromium browser-test screenshots clean system-packages test-backup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Pango and HarfBuzz for the PDF documents (WeasyPrint), poppler-utils for the tests: apt
# installs what is missing on Debian (scripts/system-packages.sh).
system-packages:
	sh scripts/system-packages.sh run

run: $(VENV)/.runtime system-packages
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo
	@echo "  PIC Meetings on http://127.0.0.1:$(PORT)"
	@echo "  organiser: organiser@pic.example / organiser"
	@echo "  members:   member01@pic.example ... member60@pic.example / member"
	@echo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# pip-audit: the pinned requirements against PyPI's advisories (scripts/audit_requirements.py);
# fails when the service cannot be asked, unless PIP_AUDIT_OFFLINE_OK=1.
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/audit_requirements.py

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	sh scripts/system-packages.sh test
	$(BIN)/pytest -n 2 --dist loadfile -ra

# Debian's Chromium for the browser tests (root and apt; .ci/run calls it too).
chromium:
	scripts/install-chromium.sh

# The browser tests alone (make test runs them too).
browser-test: $(VENV)/.dev
	$(BIN)/pytest tests/browser -p no:randomly -ra

# docs/screenshots/*.png: the main pages at 390 and 1200 px, in English and French.
screenshots: $(VENV)/.dev
	$(BIN)/python scripts/screenshots.py
# Backup and restore on the local PostgreSQL (PGADMIN_URL): scratch databases, dropped after.
test-backup: $(VENV)/.runtime
	sh scripts/test_backup_restore.sh

# The load run needs wrk (Debian's package), PostgreSQL on 127.0.0.1:5432 and Redis.
bench: $(VENV)/.dev
	sh scripts/system-packages.sh bench
	$(BIN)/python -m benchmarks

migrate: $(VENV)/.runtime
	$(FLASK) db upgrade

# Front-end assets come from the npm package and are committed (no CDN: venues have poor Wi-Fi).
assets:
	npm install --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js pic_events/static/vendor/bootstrap/
	cp node_modules/html5-qrcode/html5-qrcode.min.js node_modules/html5-qrcode/LICENSE pic_events/static/vendor/html5-qrcode/
	mkdir -p pic_events/static/vendor/axe
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE pic_events/static/vendor/axe/

# The badge and document font (DejaVu Sans, Bitstream Vera licence) from Debian's package.
fonts:
	sh scripts/system-packages.sh run
	apt-get install -y -qq fonts-dejavu-core
	cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf pic_events/static/fonts/
	cp /usr/share/doc/fonts-dejavu-core/copyright pic_events/static/fonts/LICENSE-DejaVu.txt

# Translations: extract the strings (.pot), merge them into each language's .po, compile the
# .mo (committed: a fresh clone speaks French). New strings come in untranslated; fill their
# msgstr in pic_events/translations/fr/LC_MESSAGES/messages.po and run it again.
translations: $(VENV)/.runtime
	$(BIN)/python scripts/translations.py update

messages: translations

# After `make translations`: the strings still to translate, one a line (English TAB French),
# written to translations-todo.tsv; fill the French column, then `make translations-fill`.
translations-todo: $(VENV)/.runtime
	$(BIN)/python scripts/translations.py todo > translations-todo.tsv
	@echo "$$(wc -l < translations-todo.tsv) string(s) to translate in translations-todo.tsv"

translations-fill: $(VENV)/.runtime
	$(BIN)/python scripts/translations.py fill translations-todo.tsv

# Lists every missing, fuzzy or stale translation (tests/test_translations.py runs it too).
check-translations: $(VENV)/.runtime
	$(BIN)/python scripts/translations.py check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
