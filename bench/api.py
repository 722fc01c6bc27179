"""API at scale: every list, filter, ordering and search at 10k and 1M models, over HTTP.

    .venv/bin/python bench/api.py                         # 10k vs 1M models (~25 min)
    .venv/bin/python bench/api.py --n 200000 --duration 3
    .venv/bin/python bench/api.py --smoke                 # tiny sizes: crashes and statuses only

For each size it creates its own database (`atlas_bench_api_<size>_<pid>_<random>`),
fills it with bench/synth.py (PostgreSQL COPY; the same shares of priced and scored
models at both sizes), runs the production refresh services, and serves it with the
Procfile's gunicorn command in `make serve`'s environment (bench/common.py: DEBUG off,
ATLAS_BEHIND_TLS=false, CONN_MAX_AGE as scripts/serve.sh sets it, response caches off,
throttles off and printed) under `bench.settings_bench`, which adds one bare Django view
(/bench/hello/) behind the same middleware. wrk drives each endpoint with a unique query
string per request and fails the bench on any answer outside 2xx (3xx included).
Each endpoint runs --rounds times (interleaved); the table shows the median round and
the spread. Goals, each printed PASS/FAIL with the load average:
- every list, filter, ordering and search: p95 at --n <= 2x its p95 at --small;
- the model list: req/s >= 40% of the bare view's req/s on the same gunicorn.
Needs PostgreSQL (postgres superuser at $BENCH_PG_URL) and Debian's wrk (a Python
driver stands in for smoke runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench import synth
from bench.common import (
    DEFAULT_PG,
    Gunicorn,
    Verdicts,
    WrkResult,
    describe_env,
    get,
    load_average,
    python_load,
    scratch_database,
    serve_env,
    wrk,
    wrk_available,
)

HELLO = "hello (bare Django view)"
LIST = "models: list"


def endpoints(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        repo = conn.execute(
            "SELECT repo_id FROM catalog_model ORDER BY id OFFSET "
            "(SELECT count(*) / 2 FROM catalog_model) LIMIT 1"
        ).fetchone()[0]
    pages = {HELLO: "/bench/hello/", LIST: "/api/models/"}
    for key in ("-downloads", "-likes", "-params_total", "context_tokens", "-hub_modified_at",
                "cheapest", "-quality"):  # fmt: skip
        pages[f"models: ordering={key}"] = f"/api/models/?ordering={key}"
    filters = {
        "task": "task=text-generation&ordering=-downloads",
        "organization": "organization=org-7&ordering=-downloads",
        "license+library": "license=mit&library=gguf",
        "params+context": "params_min=7&params_max=14&min_context_tokens=32768&ordering=-downloads",
        "gated": "gated=true&ordering=-likes",
        "has_offers": "has_offers=true",
        "provider": "provider=provider-7&ordering=-downloads",
        "price_max": "price_max=1&ordering=-downloads",
        "quality_min": "quality_min=80",
        "quality_task ordering": "ordering=-quality&quality_task=code",
    }
    for label, query in filters.items():
        pages[f"models: filter {label}"] = f"/api/models/?{query}"
    pages["models: search q=llama"] = "/api/models/?q=llama"
    pages["models: search q=llama 70b"] = "/api/models/?q=llama%2070b&ordering=-downloads"
    pages["models: detail"] = f"/api/models/{repo}/"
    pages["offers: list"] = "/api/offers/"
    pages["offers: provider+input_max"] = "/api/offers/?provider=provider-7&input_max=5"
    pages["tasks: list"] = "/api/tasks/"
    return pages


def drive(url: str, args: argparse.Namespace) -> dict[str, list[WrkResult]]:
    env = serve_env(url, DJANGO_SETTINGS_MODULE="bench.settings_bench")
    pages = endpoints(url)
    results: dict[str, list[WrkResult]] = {label: [] for label in pages}
    print(f"  {describe_env(env, args.workers)}", flush=True)
    with Gunicorn(env, workers=args.workers) as server:
        for path in pages.values():  # warm up; any non-2xx fails here already
            get(server.base, path)
        for round_no in range(args.rounds):
            for label, path in pages.items():
                if args.smoke or not wrk_available():
                    r = python_load(server.base, path, args.duration, args.connections)
                else:
                    r = wrk(server.base + path, args.duration, args.connections)
                results[label].append(r)
                print(
                    f"  r{round_no + 1} {label:<42} {r.rps:8.0f} req/s  p50 {r.p50:7.1f}  "
                    f"p95 {r.p95:7.1f}  p99 {r.p99:7.1f} ms  ({r.requests} requests, "
                    f"{load_average()})",
                    flush=True,
                )
    return results


def median_round(rounds: list[WrkResult]) -> WrkResult:
    """The round with the median p95 (its req/s and percentiles, one real run)."""
    return sorted(rounds, key=lambda r: r.p95)[len(rounds) // 2]


def spread(values: list[float]) -> str:
    mid = statistics.median(values)
    return f"{(max(values) - min(values)) / mid:.0%}" if mid and len(values) > 1 else "-"


def bench_size(n: int, args: argparse.Namespace, reuse: str) -> dict[str, list[WrkResult]]:
    print(f"\n== {n:,} models ({load_average()})", flush=True)
    with scratch_database("api", str(n), pg=args.pg, keep=args.keep, reuse=reuse) as url:
        if not reuse:
            print(f"  filled: {synth.fill(url, n)}", flush=True)
        return drive(url, args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="models in the large run")
    parser.add_argument("--small", type=int, default=10_000, help="models in the small run")
    parser.add_argument("--duration", type=float, default=4, help="seconds per endpoint run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per endpoint (median)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pg", default=DEFAULT_PG, help="any database URL on the server")
    parser.add_argument("--keep", action="store_true", help="keep the databases it creates")
    parser.add_argument("--reuse-small", default="", help="an existing bench database name")
    parser.add_argument("--reuse-large", default="", help="an existing bench database name")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, judge nothing")
    args = parser.parse_args()
    if args.smoke:  # one tiny database serves as both sizes: only crashes and statuses count
        args.n, args.small, args.duration, args.rounds, args.connections = 100, 100, 0.2, 1, 1
        with scratch_database("api", "smoke", pg=args.pg) as url:
            print(f"  filled: {synth.fill(url, args.small)}", flush=True)
            small = drive(url, args)
            large = drive(url, args)
    else:
        small = bench_size(args.small, args, args.reuse_small)
        large = bench_size(args.n, args, args.reuse_large)

    verdicts = Verdicts(smoke=args.smoke)
    print(f"\n== {args.n:,} vs {args.small:,} models: median of {args.rounds} round(s); "
          f"wrk -c{args.connections}, {args.duration:g} s per round")  # fmt: skip
    print(f"  {'endpoint':<42} {'p95 small':>10} {'p95 large':>10} {'ratio':>6} "
          f"{'req/s large':>11} {'spread p95 s/l':>15}")  # fmt: skip
    hello = median_round(large[HELLO])
    for label in large:
        s, big = median_round(small[label]), median_round(large[label])
        ratio = big.p95 / max(s.p95, 0.001)
        noise = f"{spread([r.p95 for r in small[label]])}/{spread([r.p95 for r in large[label]])}"
        print(f"  {label:<42} {s.p95:10.1f} {big.p95:10.1f} {ratio:6.2f} {big.rps:11.0f} "
              f"{noise:>15}")  # fmt: skip
        if label != HELLO:
            verdicts.check(f"p95 {label}", f"{ratio:.2f}x ({big.p95:.1f} ms)", "<= 2x", ratio <= 2)
    share = median_round(large[LIST]).rps / hello.rps
    verdicts.check(
        "req/s models list vs bare view (large)",
        f"{share:.0%} ({median_round(large[LIST]).rps:.0f}/{hello.rps:.0f})",
        ">= 40%",
        share >= 0.4,
    )
    verdicts.print(f"API at {args.n:,} vs {args.small:,} models")
    return 1 if verdicts.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
