"""Price feed load speed: first load, unchanged reload, reload with 5% of prices changed;
and the one cost function's speed (cost evaluations/s over usage × offer pairs).

    .venv/bin/python bench/prices.py [--shared ../shared] [--sqlite] [--pairs N] [--cost-only]

Cost: every token offer of the shared LiteLLM file (price rows from parse_litellm) ×
the standard usages of the oracle tests (cache reads and writes, tiers ±1, reasoning,
audio and image tokens, batch, priority, flex) with randomly scaled token counts, cycled
to --pairs pairs (default 1M), each for 1,000 requests, through the vectorised form of
the one cost function (pricing.costing.vector.price_pairs: exact integers in numpy).
Goal: COST_GOAL evaluations/s; prints PASS/FAIL with the load average (a busy machine is
slower). The exact Decimal path (price_request) is the reference: it prices
--exact-pairs of the pairs (default 20,000; its evaluations/s are printed too) and every
one must equal the vectorised total (PASS/FAIL; exit status 1 on a difference).

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
sys.path.insert(0, str(ROOT))
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


COST_GOAL = 20_000  # evaluations/s on one core
REQUESTS = 1000


def _cost_pairs(offers: list, n: int, seed: int = 15):
    """n (offer index, usage) pairs: offers cycled × the oracle tests' standard usages, each
    usage's token counts scaled by a random factor in [0.5, 2) (the tier ±1 cases keep
    their input exactly) plus 0-999 more output tokens, so the pairs are all different."""
    import numpy as np

    from pricing.costing.vector import TOKEN_FIELDS, TokenUsages
    from tests.pricing.oracle_litellm import standard_usages

    cases = standard_usages([128_000, 200_000, 272_000])
    templates = TokenUsages.from_usages([c.usage for c in cases])
    tiered = np.array([c.name.startswith("tier") for c in cases])
    i = np.arange(n, dtype=np.int64)
    offer_index = i % len(offers)
    template = (i // len(offers)) % len(cases)
    rng = np.random.default_rng(seed)
    factor = np.where(tiered[template], 1.0, rng.uniform(0.5, 2.0, n))
    base = templates.take(template)
    columns = {
        name: np.floor(getattr(base, name) * factor).astype(np.int64) for name in TOKEN_FIELDS
    }
    columns["output_tokens"] += rng.integers(0, 1000, n)
    usages = TokenUsages(**columns, service_tier=base.service_tier, batch=base.batch)
    return offer_index, usages


def cost_bench(shared: Path, pairs: int, exact_pairs: int, judge: bool = True) -> bool:
    """Cost evaluations/s of the pure function over `pairs` usage × offer pairs, vectorised
    (pricing.costing.vector.price_pairs, goal COST_GOAL/s), with the exact Decimal path
    (price_request) timed on `exact_pairs` of them as the reference: the two must give
    equal totals on every one of those. Returns whether they all agree."""
    import random

    from pricing.costing import OfferPricing, price_request
    from pricing.costing.vector import price_pairs
    from pricing.feeds.litellm import parse_litellm

    path = shared / FEEDS[0][1]
    records, _ = parse_litellm(path.read_bytes())
    token_records = [r for r in records if r.unit == "token"]
    offer_index, usages = _cost_pairs(token_records, pairs)
    sample = sorted(random.Random(15).sample(range(pairs), min(exact_pairs, pairs)))
    # Exact reference: fresh offers (no cached plans), Usage objects built beforehand.
    offers = [OfferPricing(r.components) for r in token_records]
    work = [(usages.usage(i), offers[offer_index[i]]) for i in sample]
    started = time.perf_counter()
    exact = [price_request(usage, offer, REQUESTS).total for usage, offer in work]
    exact_s = time.perf_counter() - started
    # Vectorised: fresh offers again, every pair.
    offers = [OfferPricing(r.components) for r in token_records]
    started = time.perf_counter()
    costs = price_pairs(offers, offer_index, usages, REQUESTS)
    vector_s = time.perf_counter() - started
    mismatches = sum(1 for i, want in zip(sample, exact, strict=True) if costs.total(i) != want)
    rate = pairs / vector_s
    load = os.getloadavg()[0]
    verdict = ("PASS" if rate >= COST_GOAL else "FAIL") if judge else "not judged at smoke size"
    print(f"cost engine, exact (price_request, Decimal): {len(sample):,} pairs in {exact_s:.2f} s "
          f"= {len(sample) / exact_s:,.0f} evaluations/s (reference)")  # fmt: skip
    print(f"cost engine, vectorised (price_pairs, int64 numpy): {pairs:,} usage x offer pairs "
          f"({len(offers)} offers, {len(costs.fallback)} pairs by the exact path) in "
          f"{vector_s:.2f} s = {rate:,.0f} evaluations/s; goal >= {COST_GOAL:,}/s: "
          f"{verdict} (load average {load:.1f})")  # fmt: skip
    print(f"vectorised = exact on {len(sample):,} sampled pairs ({REQUESTS} requests each): "
          f"{len(sample) - mismatches:,}/{len(sample):,} equal: "
          f"{'PASS' if not mismatches else 'FAIL'}")  # fmt: skip
    return not mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PG is up")
    parser.add_argument("--smoke", action="store_true", help="one feed, one load: crashes only")
    parser.add_argument("--pairs", type=int, default=1_000_000, help="cost evaluations to time")
    parser.add_argument(
        "--exact-pairs", type=int, default=20_000, help="pairs also priced by the exact path"
    )
    parser.add_argument("--cost-only", action="store_true", help="the cost bench alone")
    args = parser.parse_args()
    cost_ok = True
    if (Path(args.shared) / FEEDS[0][1]).exists():
        cost_ok = cost_bench(
            Path(args.shared),
            5_000 if args.smoke else args.pairs,
            300 if args.smoke else args.exact_pairs,
            judge=not args.smoke,
        )
    if args.cost_only:
        return 0 if cost_ok else 1
    feeds = FEEDS[:1] if args.smoke else FEEDS
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
        from bench.common import unique_name

        os.environ["TEST_DATABASE_NAME"] = unique_name("prices")  # this run's own, dropped
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["TEST_DATABASE_NAME"] = str(tmp / "bench_test.sqlite3")
    os.environ.setdefault("ATLAS_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"  # production settings: no per-query log in memory
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
        for slug, rel in feeds:
            path = shared / rel
            if not path.exists():
                print(f"{slug}: {path} absent, skipped")
                continue
            changed = tmp / f"{slug}.changed.json"
            changed.write_bytes(_change_5_percent(slug, path.read_bytes()))
            runs = [("first load", path), ("unchanged reload", path), ("5% changed", changed)]
            for i, (label, file) in enumerate(runs[:1] if args.smoke else runs):
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
    return 0 if cost_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
