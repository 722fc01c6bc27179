# Model Atlas. Quick start: `make run` (serve the demo on 127.0.0.1:8000), `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/atlas
MANAGE := $(BIN)/python manage.py

.PHONY: install install-test run serve chaos migrate test test-sqlite test-postgres lint fmt snapshot clean vendor chromium

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test chromium

## chromium: Debian's chromium for the browser tests (never `playwright install`); they skip without it
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			apt-get install -y chromium || { apt-get update && apt-get install -y chromium; } \
				|| echo "chromium install failed: browser tests will skip"; \
		else echo "chromium missing and apt-get unavailable or not root: browser tests will skip"; fi; }

## vendor: copy htmx and Chart.js from npm into static/vendor/ (versioned names; committed)
HTMX_VERSION := 2.0.11
CHARTJS_VERSION := 4.6.1
vendor:
	@tmp=$$(mktemp -d) && \
	npm install --silent --no-audit --no-fund --prefix $$tmp htmx.org@$(HTMX_VERSION) chart.js@$(CHARTJS_VERSION) && \
	mkdir -p static/vendor && \
	cp $$tmp/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx-$(HTMX_VERSION).min.js && \
	cp $$tmp/node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart-$(CHARTJS_VERSION).umd.min.js && \
	sed -i '/^\/\/# sourceMappingURL=/d' static/vendor/chart-$(CHARTJS_VERSION).umd.min.js && \
	cp $$tmp/node_modules/htmx.org/LICENSE static/vendor/htmx-LICENSE.txt && \
	cp $$tmp/node_modules/chart.js/LICENSE.md static/vendor/chart-LICENSE.md && \
	rm -rf $$tmp && ls -l static/vendor

migrate: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput

## run: install, migrate SQLite, load the bundled demo snapshot, serve on 127.0.0.1:8000
run: migrate
	DJANGO_DEBUG=1 $(MANAGE) load_snapshot --if-empty
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## test: lint, migrations check, the suite on SQLite, then on PostgreSQL when reachable
test: lint
	ATLAS_TESTING=1 $(MANAGE) makemigrations --check --dry-run
	$(MAKE) test-sqlite
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		$(MAKE) test-postgres; \
	else echo "PostgreSQL not reachable at 127.0.0.1:5432: skipping the PostgreSQL run"; fi

test-sqlite: install-test
	ATLAS_TESTING=1 $(BIN)/pytest

test-postgres: install-test
	ATLAS_TESTING=1 DATABASE_URL=$(PG_URL) $(BIN)/pytest

## serve: production shape (PostgreSQL, Redis, gunicorn x4, Celery worker + gpu worker + beat)
serve: install
	./scripts/serve.sh

## chaos: only the fault and abuse tests (tests/ops; also part of `make test`)
chaos: install-test
	ATLAS_TESTING=1 $(BIN)/pytest tests/ops
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		ATLAS_TESTING=1 DATABASE_URL=$(PG_URL) $(BIN)/pytest tests/ops; fi

## snapshot: rebuild data/demo_snapshot.json.gz from ../shared with the project's importers
snapshot: install-test
	ATLAS_TESTING=1 $(BIN)/python scripts/build_snapshot.py

clean:
	rm -rf $(VENV) atlas.sqlite3 staticfiles var
