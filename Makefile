# PIC Meetings. `make run` serves the demo; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint format bench migrate assets messages clean system-packages test-backup

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

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	sh scripts/system-packages.sh test
	$(BIN)/pytest -n 2 --dist loadfile -ra

# Backup and restore on the local PostgreSQL (PGADMIN_URL): scratch databases, dropped after.
test-backup: $(VENV)/.runtime
	sh scripts/test_backup_restore.sh

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks

migrate: $(VENV)/.runtime
	$(FLASK) db upgrade

# Front-end assets come from the npm package and are committed (no CDN: venues have poor Wi-Fi).
assets:
	npm install --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js pic_events/static/vendor/bootstrap/
	cp node_modules/html5-qrcode/html5-qrcode.min.js node_modules/html5-qrcode/LICENSE pic_events/static/vendor/html5-qrcode/

# The badge and document font (DejaVu Sans, Bitstream Vera licence) from Debian's package.
fonts:
	sh scripts/system-packages.sh run
	apt-get install -y -qq fonts-dejavu-core
	cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf pic_events/static/fonts/
	cp /usr/share/doc/fonts-dejavu-core/copyright pic_events/static/fonts/LICENSE-DejaVu.txt

# Extract the strings to translate (French comes next).
messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -o pic_events/translations/messages.pot .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
