#!/usr/bin/env bash
# `make serve`: the production shape on this machine (PostgreSQL + Redis + gunicorn +
# Celery worker, gpu-queue worker and beat, from the Procfile via honcho).
#
# DJANGO_SECRET_KEY: taken from the environment; otherwise generated once into the
# gitignored file .env.serve (mode 600) and reused on every later start.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/atlas}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
export DJANGO_DEBUG=0
# Plain http://127.0.0.1: no HTTPS redirect, no Secure cookies, no HSTS (see README).
export ATLAS_BEHIND_TLS="${ATLAS_BEHIND_TLS:-false}"
export LOG_FORMAT="${LOG_FORMAT:-json}"
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}"

if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  if [ ! -s .env.serve ]; then
    (umask 077; python -c 'import secrets; print("DJANGO_SECRET_KEY=" + secrets.token_urlsafe(50))' > .env.serve)
    echo "serve: generated DJANGO_SECRET_KEY into .env.serve (kept for later starts)"
  fi
  set -a; . ./.env.serve; set +a
fi

# Create the database when it is missing (connects to the server's `postgres` database).
python - <<'PY'
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme.startswith("postgres"):
    name = url.path.lstrip("/")
    admin = urlunsplit(url._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"serve: created database {name}")
PY

mkdir -p var
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
python manage.py migrate --noinput
python manage.py collectstatic --noinput -v 0
if [ -f "${SNAPSHOT_PATH:-data/demo_snapshot.json.gz}" ]; then
  python manage.py load_snapshot --if-empty
else
  echo "serve: no demo snapshot at ${SNAPSHOT_PATH:-data/demo_snapshot.json.gz}: starting empty"
fi
exec honcho start -f Procfile "$@"
