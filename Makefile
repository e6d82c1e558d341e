# Từng Nhà — the two commands a person needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app fieldapp

.PHONY: run test bench install assets translations db serve clean

run: install assets translations db serve

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

assets: static/vendor/.built

static/vendor/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	mkdir -p static/vendor/leaflet
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
		node_modules/leaflet/dist/images static/vendor/leaflet/
	mkdir -p static/vendor/test
	cp node_modules/axe-core/axe.min.js static/vendor/test/axe.min.js  # injected by the browser tests only
	cp node_modules/sortablejs/Sortable.min.js static/vendor/Sortable.min.js
	touch $@

translations: install
	$(BIN)/pybabel compile -d fieldapp/translations --statistics 2>&1 | tail -n 2

db: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty

# One job worker beside the web server; both stop together (Ctrl-C or SIGTERM). No control
# socket: another server on the same machine (another checkout, another port) never takes
# over this one's.
serve:
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/gunicorn --workers 2 --threads 4 --no-control-socket --bind 0.0.0.0:$(PORT) 'fieldapp:create_app()'

test: install assets translations
	bash scripts/ensure-chromium.sh
	source scripts/ensure-postgres.sh && $(BIN)/pytest $(PYTEST_ARGS)

bench: install assets translations $(VENV)/.bench-installed
	source scripts/ensure-postgres.sh && $(BIN)/python -m bench $(BENCH)

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# Refresh the message catalogues after adding user-facing strings (sorted, file-only
# locations, so branches that add strings merge cleanly; see .gitattributes).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-output \
		-o fieldapp/translations/messages.pot .
	$(BIN)/pybabel update -i fieldapp/translations/messages.pot -d fieldapp/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) node_modules static/vendor
