"""Price feed load speed: first load, unchanged reload, reload with 5% of prices changed.

    .venv/bin/python bench/prices.py [--shared ../shared] [--sqlite]

Loads the full LiteLLM, OpenRouter and models.dev copies from ../shared into a fresh
database (PostgreSQL at DATABASE_URL / 127.0.0.1:5432 when reachable, else SQLite; the
table says which) and prints records/s and the queries each run issued
(CaptureQueriesContext). Target: an unchanged reload issues O(1) queries per page of
1000 records, not one per record.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEEDS = [
    ("litellm", "feeds/litellm/model_prices_and_context_window.json"),
    ("openrouter", "feeds/openrouter/api-v1-models.all-modalities.2026-08-18.json"),
    ("models-dev", "feeds/models.dev/api.derived-from-HEAD-f3fc692.json"),
]


def _change_5_percent(slug: str, data: bytes) -> bytes:
    """Raise the input price of every 20th priced record by 10%."""
    doc = json.loads(data)
    n = 0
    if slug == "litellm":
        for entry in doc.values():
            if isinstance(entry, dict) and entry.get("input_cost_per_token"):
                n += 1
                if n % 20 == 0:
                    entry["input_cost_per_token"] *= 1.1
    elif slug == "openrouter":
        for item in doc["data"]:
            price = float(item["pricing"].get("prompt") or 0)
            if price > 0:
                n += 1
                if n % 20 == 0:
                    item["pricing"]["prompt"] = repr(price * 1.1)
    else:
        for provider in doc.values():
            for model in provider.get("models", {}).values():
                cost = model.get("cost") or {}
                if cost.get("input"):
                    n += 1
                    if n % 20 == 0:
                        cost["input"] *= 1.1
    return json.dumps(doc).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PG is up")
    args = parser.parse_args()
    shared = Path(args.shared)
    pg_up = (
        not args.sqlite
        and subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
        ).returncode
        == 0
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-prices-"))
    if pg_up:
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atlas")
        os.environ["TEST_DATABASE_NAME"] = f"bench_prices_{os.getpid()}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["TEST_DATABASE_NAME"] = str(tmp / "bench_test.sqlite3")
    os.environ.setdefault("ATLAS_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pricing.services.feeds import feed_sync

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    vendor = connection.vendor
    rows = []
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    try:
        for slug, rel in FEEDS:
            path = shared / rel
            if not path.exists():
                print(f"{slug}: {path} absent, skipped")
                continue
            changed = tmp / f"{slug}.changed.json"
            changed.write_bytes(_change_5_percent(slug, path.read_bytes()))
            for i, (label, file) in enumerate(
                [("first load", path), ("unchanged reload", path), ("5% changed", changed)]
            ):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    run = feed_sync(feed_slug=slug, file=file, now=t0 + timedelta(days=i))
                    elapsed = time.perf_counter() - started
                records = run.created + run.updated + run.unchanged + run.rejected
                rows.append(
                    (
                        slug,
                        label,
                        records,
                        elapsed,
                        records / elapsed,
                        len(ctx.captured_queries),
                        f"{run.created}/{run.updated}/{run.unchanged}/{run.rejected}",
                    )
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"database: {vendor}")
    header = ("feed", "run", "records", "seconds", "records/s", "queries", "new/chg/same/rej")
    print(
        f"{header[0]:12s} {header[1]:17s} {header[2]:>8s} {header[3]:>8s} {header[4]:>10s} "
        f"{header[5]:>8s}  {header[6]}"
    )
    for slug, label, n, secs, rate, queries, counts in rows:
        print(f"{slug:12s} {label:17s} {n:8d} {secs:8.2f} {rate:10.0f} {queries:8d}  {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
