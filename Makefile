# Model Atlas. Quick start: `make run` (serve the demo on 127.0.0.1:8000), `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/atlas
MANAGE := $(BIN)/python manage.py

.PHONY: install install-test run serve chaos migrate test test-sqlite test-postgres lint fmt snapshot clean vendor chromium nginx bench-smoke

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test,bench,mcp]"
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

## nginx: Debian's nginx (and wrk, for bench/load.py) for `make serve`'s proxy
nginx:
	@{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 && command -v wrk >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			apt-get install -y nginx-light wrk || { apt-get update && apt-get install -y nginx-light wrk; } \
				|| echo "nginx install failed: make serve needs nginx"; \
		else echo "nginx missing and apt-get unavailable or not root: install nginx (and wrk)"; fi; }

## vendor: copy htmx, Chart.js and axe-core (browser tests' accessibility checks) from npm into
## static/vendor/ (versioned names; committed)
HTMX_VERSION := 2.0.11
CHARTJS_VERSION := 4.6.1
AXE_VERSION := 4.14.1
vendor:
	@tmp=$$(mktemp -d) && \
	npm install --silent --no-audit --no-fund --prefix $$tmp htmx.org@$(HTMX_VERSION) chart.js@$(CHARTJS_VERSION) axe-core@$(AXE_VERSION) && \
	mkdir -p static/vendor && \
	cp $$tmp/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx-$(HTMX_VERSION).min.js && \
	cp $$tmp/node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart-$(CHARTJS_VERSION).umd.min.js && \
	sed -i '/^\/\/# sourceMappingURL=/d' static/vendor/chart-$(CHARTJS_VERSION).umd.min.js && \
	cp $$tmp/node_modules/htmx.org/LICENSE static/vendor/htmx-LICENSE.txt && \
	cp $$tmp/node_modules/chart.js/LICENSE.md static/vendor/chart-LICENSE.md && \
	cp $$tmp/node_modules/axe-core/axe.min.js static/vendor/axe-core-$(AXE_VERSION).min.js && \
	cp $$tmp/node_modules/axe-core/LICENSE static/vendor/axe-core-LICENSE.txt && \
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
	$(MAKE) bench-smoke

## bench-smoke: every bench in bench/ at a tiny size (a crashing bench fails `make test`)
bench-smoke: install-test
	$(BIN)/python bench/smoke.py

test-sqlite: install-test
	ATLAS_TESTING=1 $(BIN)/pytest

test-postgres: install-test
	ATLAS_TESTING=1 DATABASE_URL=$(PG_URL) $(BIN)/pytest

## serve: production shape under supervisord: nginx on 127.0.0.1:8000 -> gunicorn x4,
## Celery worker + gpu worker + beat; PostgreSQL and Redis (docs/production.md)
serve: install nginx
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
