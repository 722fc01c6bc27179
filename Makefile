# Model Atlas. Quick start: `make run` (serve the demo on 127.0.0.1:8000), `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/atlas
MANAGE := $(BIN)/python manage.py

.PHONY: install install-test run serve migrate test test-sqlite test-postgres lint fmt snapshot clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

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

## snapshot: rebuild data/demo_snapshot.json.gz from ../shared with the project's importers
snapshot: install-test
	ATLAS_TESTING=1 $(BIN)/python scripts/build_snapshot.py

clean:
	rm -rf $(VENV) atlas.sqlite3 staticfiles
