"""API load bench: COPY N synthetic models into PostgreSQL, serve with gunicorn, drive with wrk.

    .venv/bin/python bench/api.py                    # 1M models vs 10k models
    .venv/bin/python bench/api.py --n 200000 --duration 10

For each size (--small, then --n) it creates the database `atlas_bench_api_<size>`,
migrates it, fills organizations, tasks and models with COPY (non-constraint indexes are
dropped during the COPY and rebuilt after, FK triggers are off for the session), and
ANALYZEs. Offers: --offers rows at --n models (the same share at the small size: two
offers per priced model, 50 providers, a closed history row per 10) are COPYed into
pricing_provider / pricing_offer. It then serves `bench.settings_bench` (the site + a bare
/bench/hello/ view) with gunicorn on 127.0.0.1, throttling off (locmem throttles are
per process; production uses a shared cache), persistent DB connections, and runs wrk
for each endpoint, printing req/s and p50/p95/p99 (ms). Targets checked at the end:
list/filter p95 at N <= 2x p95 at the small size; list req/s >= 40% of hello's.
Needs PostgreSQL (postgres superuser at --pg) and Debian's wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
FAMILIES = [
    "llama",
    "qwen",
    "mistral",
    "gemma",
    "phi",
    "falcon",
    "bert",
    "whisper",
    "sdxl",
    "deepseek",
    "olmo",
    "granite",
    "t5",
    "clip",
    "yolo",
    "stablelm",
    "mpt",
    "bloom",
    "pythia",
    "starcoder",
]
SIZES = ["0.5b", "1b", "3b", "7b", "8b", "13b", "14b", "32b", "70b", "405b"]
TASKS = [
    "text-generation",
    "text-to-image",
    "feature-extraction",
    "automatic-speech-recognition",
    "image-classification",
    "text-classification",
    "translation",
    "summarization",
    "fill-mask",
    "object-detection",
    "image-to-text",
    "text-to-speech",
]
LICENSES = ["apache-2.0", "mit", "llama3.1", "other", "cc-by-4.0", "gemma", "openrail"]
LIBRARIES = ["transformers", "diffusers", "gguf", "sentence-transformers", "timm", "mlx"]
WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def db_url(pg: str, name: str) -> str:
    return pg.rsplit("/", 1)[0] + "/" + name


def env_for(url: str, cache_seconds: int = 0) -> dict[str, str]:
    return {
        "API_LIST_CACHE_SECONDS": str(cache_seconds),
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production",
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_USER": "off",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }


def create_database(pg: str, name: str) -> None:
    with psycopg.connect(db_url(pg, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PY, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=env_for(db_url(pg, name))
    )


def tsv(rows: list[tuple]) -> str:
    return "".join("\t".join("\\N" if v is None else str(v) for v in row) + "\n" for row in rows)


def copy_rows(cur: psycopg.Cursor, table: str, columns: list[str], rows) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buf: list[tuple] = []
        for row in rows:
            buf.append(row)
            if len(buf) == 20_000:
                copy.write(tsv(buf))
                buf.clear()
        if buf:
            copy.write(tsv(buf))


MODEL_COLUMNS = [
    "created_at",
    "updated_at",
    "repo_id",
    "name",
    "organization_id",
    "task_id",
    "source",
    "family",
    "library",
    "license",
    "tags",
    "languages",
    "open_weights",
    "gated",
    "gated_mode",
    "downloads",
    "likes",
    "hub_modified_at",
    "sha",
    "base_model_repo_id",
    "base_model_relation",
    "description",
    "params_total",
    "params_by_dtype",
    "model_type",
    "architectures",
    "num_layers",
    "hidden_size",
    "num_heads",
    "num_kv_heads",
    "context_tokens",
    "config_dtype",
    "config_sha",
    "fingerprint",
]


def model_rows(n: int, n_orgs: int, n_tasks: int, rng: random.Random):
    now = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    base = datetime(2022, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        family, size = FAMILIES[i % len(FAMILIES)], SIZES[rng.randrange(len(SIZES))]
        org = rng.randrange(n_orgs) + 1
        params = int(float(size[:-1]) * 1e9)
        tags = json.dumps(
            [family, LIBRARIES[i % len(LIBRARIES)], f"region:{'us' if i % 2 else 'eu'}"]
        )
        yield (
            now,
            now,
            f"org-{org}/{family}-{size}-v{i}",
            f"{family}-{size}-v{i}",
            org,
            (i % n_tasks) + 1,
            "hub",
            family,
            LIBRARIES[i % len(LIBRARIES)],
            LICENSES[i % len(LICENSES)],
            tags,
            '["en"]',
            "t",
            "t" if i % 11 == 0 else "f",
            "",
            int(rng.paretovariate(1.2) * 10) - 10,
            rng.randrange(500),
            (base + timedelta(minutes=i)).isoformat(),
            "",
            "",
            "",
            "",
            params,
            json.dumps({"BF16": params}),
            family,
            json.dumps(["ForCausalLM"]),
            32,
            4096,
            32,
            8,
            rng.choice([2048, 4096, 8192, 32768, 131072]),
            "bfloat16",
            "",
            "",
        )


def fill(pg: str, name: str, n: int, n_offers: int) -> None:
    rng = random.Random(7)
    n_orgs = max(10, min(50_000, n // 20))
    started = time.perf_counter()
    with psycopg.connect(db_url(pg, name)) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers during COPY
        cur.execute("SET maintenance_work_mem = '512MB'")
        now = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
        copy_rows(
            cur,
            "catalog_organization",
            ["created_at", "updated_at", "slug", "name", "homepage"],
            ((now, now, f"org-{i}", f"Org {i}", "") for i in range(1, n_orgs + 1)),
        )
        copy_rows(
            cur,
            "catalog_task",
            ["created_at", "updated_at", "slug", "name", "category"],
            ((now, now, t, t.replace("-", " "), "") for t in TASKS),
        )
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'catalog_model' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cur.fetchall()
        for index_name, _ in indexes:
            cur.execute(f'DROP INDEX "{index_name}"')
        copy_rows(cur, "catalog_model", MODEL_COLUMNS, model_rows(n, n_orgs, len(TASKS), rng))
        for _, indexdef in indexes:
            cur.execute(indexdef)
        note = fill_offers(cur, n, n_offers, rng)
        conn.commit()
        cur.execute("ANALYZE")
    print(
        f"  filled {name}: {n} models, {n_orgs} orgs{note} in {time.perf_counter() - started:.0f}s"
    )


def fill_offers(cur: psycopg.Cursor, n_models: int, n_offers: int, rng: random.Random) -> str:
    """COPY n_offers current token offers (50 providers, one feed) over every 5th model,
    plus one closed history row per 10 offers; refresh nothing else (no requirements)."""
    if not n_offers:
        return ", no offers"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    stamp = now.isoformat()
    copy_rows(
        cur,
        "catalog_feed",
        ["created_at", "updated_at", "slug", "name", "kind", "format", "url", "schedule",
         "enabled"],
        [(stamp, stamp, "bench-feed", "Bench feed", "pricing", "json", "", "", "t")],
    )  # fmt: skip
    cur.execute("SELECT id FROM catalog_feed WHERE slug = 'bench-feed'")
    feed_id = cur.fetchone()[0]
    copy_rows(
        cur,
        "pricing_provider",
        ["created_at", "updated_at", "slug", "name", "kind", "homepage"],
        ((stamp, stamp, f"provider-{i}", f"Provider {i}", "api", "") for i in range(1, 51)),
    )
    cur.execute("SELECT min(id) FROM pricing_provider")
    first_provider = cur.fetchone()[0]
    step = max(1, n_models // max(1, n_offers // 2))  # two offers per priced model

    def rows():
        old = (now - timedelta(days=60)).isoformat()
        for i in range(n_offers):
            model_id = (i // 2) * step % n_models + 1
            provider = first_provider + i % 50
            price_in, price_out = rng.uniform(0.05, 15), rng.uniform(0.1, 60)
            base = (stamp, stamp, feed_id, provider, model_id, f"m{model_id}-{i}", "", "chat",
                    "token", "{}", "[]")  # fmt: skip
            if i % 10 == 0:  # a closed older price
                yield (*base, f"{price_in * 2:.6f}", f"{price_out * 2:.6f}", old, stamp, "old")
            yield (*base, f"{price_in:.6f}", f"{price_out:.6f}", stamp, None, "new")

    copy_rows(
        cur,
        "pricing_offer",
        ["created_at", "updated_at", "feed_id", "provider_id", "model_id", "model_name",
         "hub_repo_id", "mode", "unit", "image_options", "tiers", "usd_per_mtok_input",
         "usd_per_mtok_output", "valid_from", "valid_to", "fingerprint"],
        rows(),
    )  # fmt: skip
    return f", {n_offers} offers (+{(n_offers + 9) // 10} history rows)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, seconds: int, connections: int, script: str) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    requests, duration_us, p50, p95, p99, errors = (int(v) for v in line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "errors": errors,
    }


def bench_size(pg: str, n: int, args: argparse.Namespace, script: str) -> dict[str, dict]:
    name = f"atlas_bench_api_{n}"
    url = db_url(pg, name)
    print(f"== {n} models ({name})", flush=True)
    if not args.reuse:
        create_database(pg, name)
        fill(pg, name, n, args.offers * n // args.n)  # the same share of priced models
    with psycopg.connect(url) as conn:
        detail_repo = conn.execute(
            "SELECT repo_id FROM catalog_model WHERE id = %s", [n // 2]
        ).fetchone()[0]
    endpoints = {
        "hello (bare Django)": "/bench/hello/",
        "list": "/api/models/",
        "list ?ordering=-downloads": "/api/models/?ordering=-downloads",
        "filtered list": "/api/models/?task=text-generation&min_context_tokens=32768"
        "&ordering=-downloads",
        "search ?q=llama 70b": "/api/models/?q=llama%2070b",
        "detail": f"/api/models/{detail_repo}/",
        "offers list": "/api/offers/",
        "offers ?provider&input_max": "/api/offers/?provider=provider-7&input_max=5",
        "models ?has_offers=true": "/api/models/?has_offers=true",
        "models ?ordering=cheapest": "/api/models/?ordering=cheapest",
        "models ?price_max=1&ordering=-downloads": "/api/models/?price_max=1&ordering=-downloads",
    }
    cached = {f"{k} [cache 60s]": v for k, v in endpoints.items() if k.startswith(("list", "filt"))}
    results: dict[str, dict] = {}
    try:
        serve_and_drive(url, endpoints, 0, args, script, results)
        serve_and_drive(url, cached, 60, args, script, results)
    finally:
        if not args.keep:
            with psycopg.connect(db_url(pg, "postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return results


def serve_and_drive(
    url: str,
    endpoints: dict[str, str],
    cache_seconds: int,
    args: argparse.Namespace,
    script: str,
    results: dict[str, dict],
) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env_for(url, cache_seconds),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                subprocess.run(
                    ["curl", "-sf", "-o", "/dev/null", base + "/bench/hello/"], check=True
                )
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        for label, path in endpoints.items():
            subprocess.run(["curl", "-sf", "-o", "/dev/null", base + path], check=True)  # warm up
            results[label] = wrk(base + path, args.duration, args.connections, script)
            r = results[label]
            print(
                f"  {label:<40} {r['rps']:8.0f} req/s  p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f}"
                f"  p99 {r['p99']:7.1f} ms  errors {r['errors']}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="models in the large run")
    parser.add_argument("--small", type=int, default=10_000, help="models in the small run")
    parser.add_argument(
        "--offers", type=int, default=200_000, help="offers (if pricing tables exist)"
    )
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true", help="reuse filled databases (with --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
    small = bench_size(args.pg, args.small, args, f.name)
    large = bench_size(args.pg, args.n, args, f.name)
    print(
        f"\n== targets ({args.n} vs {args.small} models; {args.workers} gunicorn workers, "
        f"wrk -c{args.connections} -d{args.duration}s)"
    )
    for label in large:
        if label.startswith("hello"):
            continue
        ratio_p95 = large[label]["p95"] / max(small[label]["p95"], 0.001)
        share = large[label]["rps"] / large["hello (bare Django)"]["rps"]
        verdicts = ""
        if label.startswith(("list", "filtered", "offers", "models")):
            verdicts = (
                f"p95 {'OK' if ratio_p95 <= 2 else 'MISSED'}, "
                f"req/s {'OK' if share >= 0.4 else 'MISSED'}"
            )
        print(
            f"  {label:<40} p95 {args.n}/{args.small} = {ratio_p95:4.2f}x   "
            f"req/s = {share:4.0%} of hello   {verdicts}"
        )


if __name__ == "__main__":
    main()
