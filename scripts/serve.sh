#!/usr/bin/env bash
# `make serve`: the production shape on this machine. supervisord (config/supervisord.conf)
# runs nginx on $HOST:$PORT (default 127.0.0.1:8000) in front of two gunicorn masters on
# 127.0.0.1:$PORT_WEB (8001) and $PORT_WEB2 (8002), a Celery worker, the gpu-queue worker and beat; each is
# restarted when it dies and waits for PostgreSQL and Redis (scripts/wait_for.py).
# docs/production.md has the shape, the limits and a systemd unit.
#
# DJANGO_SECRET_KEY: taken from the environment; otherwise generated once into the
# gitignored file .env.serve (mode 600) and reused on every later start.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/atlas}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
# throttle counters and caches: Redis, shared by every worker (its own DB: a cache clear
# must never flush the broker's queues)
export CACHE_URL="${CACHE_URL:-redis://127.0.0.1:6379/1}"
export NUM_PROXIES=1  # nginx: the client address is the X-Forwarded-For entry it appends
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}" PORT_WEB="${PORT_WEB:-8001}"
export PORT_WEB2="${PORT_WEB2:-$((PORT_WEB + 1))}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-4}"
# two gunicorn masters (web on PORT_WEB, web2 on PORT_WEB2) share the workers, at least
# one each: one that dies leaves the other answering while supervisord restarts it
export WEB_WORKERS_A=$(( (WEB_CONCURRENCY + 1) / 2 ))
export WEB_WORKERS_B=$(( WEB_CONCURRENCY / 2 > 0 ? WEB_CONCURRENCY / 2 : 1 ))
export ATLAS_ROOT="$PWD"
export ATLAS_VAR="${ATLAS_VAR:-$PWD/var}"
export STATIC_ROOT="${STATIC_ROOT:-$PWD/staticfiles}"
export DJANGO_DEBUG=0
# Plain http://127.0.0.1: no HTTPS redirect, no Secure cookies, no HSTS (see README).
export ATLAS_BEHIND_TLS="${ATLAS_BEHIND_TLS:-false}"
export LOG_FORMAT="${LOG_FORMAT:-json}"
export CONN_MAX_AGE="${CONN_MAX_AGE:-600}"  # persistent DB connections (issue 19)
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$ATLAS_VAR/prometheus}"

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

command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
command -v nginx >/dev/null 2>&1 || { echo "serve: nginx is missing: run \`make nginx\`" >&2; exit 1; }
mkdir -p "$ATLAS_VAR/run" "$ATLAS_VAR/log"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
python manage.py migrate --noinput
python manage.py collectstatic --noinput -v 0
if [ -f "${SNAPSHOT_PATH:-data/demo_snapshot.json.gz}" ]; then
  python manage.py load_snapshot --if-empty
else
  echo "serve: no demo snapshot at ${SNAPSHOT_PATH:-data/demo_snapshot.json.gz}: starting empty"
fi
python scripts/render_nginx.py >/dev/null
echo "serve: http://$HOST:$PORT/ (nginx -> gunicorn 127.0.0.1:$PORT_WEB and :$PORT_WEB2, $WEB_WORKERS_A + $WEB_WORKERS_B workers)"
exec supervisord -c config/supervisord.conf "$@"
