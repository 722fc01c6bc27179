"""Load test through the production shape: wrk -> nginx -> gunicorn (`make serve`'s stack).

    .venv/bin/python bench/load.py                        # 64 connections, 60 s per run
    .venv/bin/python bench/load.py --duration 10          # a quicker check
    .venv/bin/python bench/load.py --database-url postgres://.../mydb --allow-existing
    .venv/bin/python bench/load.py --smoke                # 2 s runs on a scratch database

Starts scripts/serve.sh (supervisord: nginx, gunicorn, Celery, beat) on free ports with
the production settings: DEBUG off, throttles on (anonymous `--rate`, default 600/min,
counted in Redis across every worker), nginx and gunicorn access logs on. Two keep-alive
wrk runs on GET /api/models/:

1. throttled: anonymous. Expected 2xx = the rate per clock minute times the minutes the
   run touched; the measured 2xx count must match it within 10% (429 for the rest).
2. exempt: a staff token (throttles do not apply): 2xx req/s, p50/p99, 0 socket errors,
   0 non-2xx.

A plan POST with the API's real field names is checked once (201). The database
(default postgres://postgres@127.0.0.1:5432/atlas_load) is created when missing and
loaded with `--snapshot` (default the demo snapshot; `none` for an empty catalog); one
that already holds data is refused unless `--allow-existing`, and it is never dropped
(only `--smoke`'s own scratch database is). Needs PostgreSQL, Redis, nginx and wrk
(`make nginx`); prints the load average with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.stack import ServeStack, nginx_available  # noqa: E402 - after sys.path

PLAN_BODY = {
    "task": "chat",
    "requests_per_day": 10000,
    "avg_input_tokens": 1000,
    "avg_output_tokens": 300,
}
PATH = "/api/models/?page_size=5"


def _connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def database_state(url: str) -> str:
    """'missing', 'empty' or 'data' (a table with rows)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with _connect(admin) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return "missing"
    try:
        with _connect(url) as conn:
            rows = conn.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'catalog_model'"
            ).fetchone()
            if rows and conn.execute("SELECT 1 FROM catalog_model LIMIT 1").fetchone():
                return "data"
    except psycopg.Error:
        return "empty"
    return "empty"


def staff_token(url: str) -> str:
    key = secrets.token_hex(20)
    with _connect(url) as conn:
        user_id = conn.execute(
            "INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active, "
            "first_name, last_name, email, date_joined) VALUES (%s, '!', false, true, true, "
            "'', '', '', now()) RETURNING id",
            [f"load-{key[:8]}"],
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, now())",
            [key, user_id],
        )
    return key


def wrk(base: str, args: argparse.Namespace, *, auth: str = "") -> dict:
    env = {**os.environ, "WRK_METHOD": "GET", "WRK_BODY": "", "WRK_AUTH": auth}
    started = time.time()
    out = subprocess.run(
        ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s",
         "--timeout", "10s", "-s", str(ROOT / "bench" / "wrk_report.lua"), base + PATH],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["started"], result["ended"] = started, time.time()
    return result


def rate_per_minute(rate: str) -> int:
    count, period = rate.split("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    return round(int(count) * 60 / seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--rate", default="600/min", help="anonymous throttle for run 1")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/atlas_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--snapshot", default=str(ROOT / "data" / "demo_snapshot.json.gz"))
    parser.add_argument("--allow-existing", action="store_true", help="use a database with data")
    parser.add_argument("--smoke", action="store_true", help="2 s runs, scratch DB, no snapshot")
    args = parser.parse_args()
    missing = [t for t in ("wrk",) if not shutil.which(t)] + (
        [] if nginx_available() else ["nginx"]
    )
    if missing:
        print(f"skipped: {', '.join(missing)} not installed (`make nginx`)")
        return 0 if args.smoke else 2
    scratch = ""
    if args.smoke:
        args.duration, args.connections, args.workers = 2, 8, 2
        args.snapshot = "none"
        scratch = f"atlas_load_smoke_{os.getpid()}"
        args.database_url = args.database_url.rsplit("/", 1)[0] + "/" + scratch
    state = database_state(args.database_url)
    if state == "data" and not args.allow_existing:
        print(f"refused: {args.database_url} already holds data (pass --allow-existing)")
        return 2
    snapshot = "" if args.snapshot == "none" or state == "data" else args.snapshot
    stack = ServeStack(
        database_url=args.database_url, redis_url=args.redis_url, web_workers=args.workers,
        env={
            "API_THROTTLE_ANON": args.rate, "API_THROTTLE_USER": args.rate,
            "PLAN_CREATE_THROTTLE": "100000/min", "LOG_LEVEL": "INFO",
            "NGINX_ACCESS_LOG": "/dev/stdout", "LOG_FORMAT": "json",
            "SNAPSHOT_PATH": snapshot or "/nonexistent",
        },
    )  # fmt: skip
    try:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        stack.start(timeout_s=900)
        token = staff_token(args.database_url)
        status, _, _ = stack.request(
            "/api/plans/", data=json.dumps(PLAN_BODY).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        )  # fmt: skip
        print(
            f"nginx -> gunicorn {args.workers} workers; wrk {args.connections} connections, "
            f"{args.threads} threads, {args.duration}s per run; GET {PATH}; plan POST -> {status}"
        )
        if time.time() % 60 > 60 - min(args.duration, 50) - 2:
            time.sleep(61 - time.time() % 60)  # start the throttled run at a minute's start
        limited = wrk(stack.base, args)
        minutes = int(limited["ended"] // 60) - int(limited["started"] // 60) + 1
        expected = rate_per_minute(args.rate) * minutes
        got = limited["status_2xx"]
        share = limited["status_429"] / max(limited["requests"], 1)
        off = abs(got - expected) / expected
        print(
            f"throttled run: {limited['requests']} requests, {got} 2xx (expected {expected} = "
            f"{args.rate} x {minutes} min, off {off:.1%}), {limited['status_429']} 429 "
            f"({share:.1%}), socket errors {limited['socket_errors']}, 5xx {limited['status_5xx']}"
        )
        exempt = wrk(stack.base, args, auth=f"Token {token}")
        rps = exempt["status_2xx"] / (exempt["duration_us"] / 1e6)
        non_2xx = exempt["requests"] - exempt["status_2xx"]
        print(
            f"exempt run: {rps:.1f} 2xx req/s, p50 {exempt['p50_us'] / 1000:.1f} ms, "
            f"p99 {exempt['p99_us'] / 1000:.1f} ms, socket errors {exempt['socket_errors']}, "
            f"non-2xx {non_2xx}"
        )
        one, five, fifteen = os.getloadavg()
        print(f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs")
        ok = status == 201 and exempt["socket_errors"] == 0 and non_2xx == 0
        ok = ok and (args.smoke or off <= 0.10) and limited["status_5xx"] == 0
        print(f"targets (429 share within 10%, exempt 0 errors): {'met' if ok else 'MISSED'}")
        return 0 if ok else 1
    finally:
        stack.stop()
        if scratch:
            admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
            with _connect(admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
