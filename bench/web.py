"""Website server time at 10k and 1M models, and on the demo snapshot.

    .venv/bin/python bench/web.py                      # 10k vs 1M models (~15 min)
    .venv/bin/python bench/web.py --n 200000 --requests 10
    .venv/bin/python bench/web.py --demo               # each page on the demo snapshot
    .venv/bin/python bench/web.py --smoke              # tiny sizes: crashes and statuses only

Scale mode: for each size a database of its own (bench/synth.py, COPY; same shares of
priced and scored models at both sizes, the production refresh services run after the
fill, as the syncs and the beat task run them), served by the Procfile's gunicorn
command with one sync worker in `make serve`'s environment (bench/common.py). Each page
is fetched --requests times per round, sequentially, every request with its own query
string (no cache can answer), over --rounds interleaved rounds; a non-200 fails the
bench. "Server time" is the time to the last byte of a real HTTP request on 127.0.0.1
(socket, WSGI, middleware, view, queries, template). Goal: every page's median at --n
<= 2x its median at --small. Demo mode: the same pages on data/demo_snapshot.json.gz
(`load_snapshot` into a database of its own) against the 150 ms median goal (issue 20).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench import synth
from bench.common import (
    DEFAULT_PG,
    PY,
    ROOT,
    BenchError,
    Gunicorn,
    Verdicts,
    describe_env,
    load_average,
    median_ms,
    run_django,
    scratch_database,
    serve_env,
    timed_gets,
)

DEMO_GOAL_MS = 150.0
SORTS = ("likes", "updated", "params", "params_asc", "context", "name", "cheapest", "quality")


def pages_for(url: str) -> dict[str, str]:
    """The pages to time, with a model, an organization and a provider that exist."""
    with psycopg.connect(url) as conn:
        model = conn.execute(
            "SELECT m.repo_id FROM catalog_model m WHERE EXISTS (SELECT 1 FROM pricing_offer o "
            "WHERE o.model_id = m.id AND o.valid_to IS NULL) ORDER BY m.downloads DESC, m.id "
            "LIMIT 1"
        ).fetchone()
        model = model or conn.execute("SELECT repo_id FROM catalog_model LIMIT 1").fetchone()
        org, task = conn.execute(
            "SELECT o.slug, t.slug FROM catalog_model m JOIN catalog_organization o ON "
            "o.id = m.organization_id JOIN catalog_task t ON t.id = m.task_id "
            "ORDER BY m.downloads DESC, m.id LIMIT 1"
        ).fetchone()
        provider = conn.execute(
            "SELECT p.slug FROM pricing_provider p JOIN pricing_offer o ON o.provider_id = p.id "
            "WHERE o.valid_to IS NULL GROUP BY p.slug ORDER BY count(*) DESC, p.slug LIMIT 1"
        ).fetchone()
        license_, library = conn.execute(
            "SELECT license, library FROM catalog_model WHERE license <> '' AND library <> '' "
            "ORDER BY downloads DESC LIMIT 1"
        ).fetchone()
    pages = {
        "home /": "/",
        "models /models/": "/models/",
        "models task": f"/models/?task={task}",
        "models organization": f"/models/?organization={org}",
        "models license": f"/models/?license={license_}",
        "models library": f"/models/?library={library}",
        "models open weights, not gated": "/models/?open_weights=true&gated=false",
        "models params 7-14B": "/models/?params_min=7&params_max=14",
    }
    for sort in SORTS:
        pages[f"models sort={sort}"] = f"/models/?sort={sort}"
    pages["models page 3"] = "/models/?page=3"
    pages["search q=llama"] = "/models/?q=llama"
    pages["search q=llama 70b task"] = f"/models/?q=llama+70b&task={task}"
    pages["model page"] = f"/models/{model[0]}/"
    if provider:
        pages["provider page"] = f"/providers/{provider[0]}/"
    pages["plan /plan/"] = "/plan/"
    with psycopg.connect(url) as conn:
        accelerator = conn.execute(
            "SELECT slug FROM benchmarks_accelerator ORDER BY (slug = 'rtx-4090') DESC, id LIMIT 1"
        ).fetchone()
        plan = conn.execute("SELECT slug FROM planner_plan ORDER BY id LIMIT 1").fetchone()
    if accelerator:  # what runs on my GPU: the default form, and another task, count, context
        pages["accelerator page"] = f"/accelerators/{accelerator[0]}/"
        pages["accelerator page, 2x 128k any task"] = (
            f"/accelerators/{accelerator[0]}/?task=any&count=2&context=131072"
        )
    if plan:
        pages["plan page"] = f"/plan/{plan[0]}/"
    return pages


def pages_selected(url: str, only: str) -> dict[str, str]:
    pages = pages_for(url)
    wanted = [p for p in only.split(",") if p]
    return {k: v for k, v in pages.items() if any(p in k for p in wanted)} if wanted else pages


def measure(servers: dict[str, tuple[str, dict[str, str]]], args) -> dict[str, dict]:
    """Median server time (ms) per server, page and round. The servers' requests alternate
    (one to each in turn), so a burst of load on this shared machine hits both alike."""
    medians: dict[str, dict[str, list[float]]] = {
        name: {label: [] for label in pages} for name, (_, pages) in servers.items()
    }
    labels = list(next(iter(servers.values()))[1])
    for round_no in range(args.rounds):
        for label in labels:
            times: dict[str, list[float]] = {name: [] for name in servers}
            warmup = 0 if args.smoke else 2
            for i in range(args.requests + warmup):  # the first ones warm up
                for name, (base, pages) in servers.items():
                    try:
                        elapsed = timed_gets(base, pages[label], 1, warmup=0, start=i)[0]
                    except BenchError as exc:
                        raise BenchError(f"{name}: {exc}") from exc
                    if i >= warmup:
                        times[name].append(elapsed)
            line = []
            for name in servers:
                medians[name][label].append(median_ms(times[name]))
                line.append(f"{name} {medians[name][label][-1]:7.1f} ms")
            print(f"  r{round_no + 1} {label:<32} {'  '.join(line)}  median of "
                  f"{args.requests}  ({load_average()})", flush=True)  # fmt: skip
    return medians


def summary(values: list[float]) -> tuple[float, str]:
    mid = statistics.median(values)
    noise = f"{(max(values) - min(values)) / mid:.0%}" if len(values) > 1 and mid else "-"
    return mid, noise


def scale(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        servers: dict[str, tuple[str, dict[str, str]]] = {}
        url = ""
        for name, n, reuse in (("small", args.small, args.reuse_small),
                               ("large", args.n, args.reuse_large)):  # fmt: skip
            print(f"\n== {name}: {n:,} models ({load_average()})", flush=True)
            if not (args.smoke and url):  # a smoke run serves one tiny database twice
                url = stack.enter_context(
                    scratch_database("web", str(n), pg=args.pg, keep=args.keep, reuse=reuse)
                )
                if not reuse:
                    print(f"  filled: {synth.fill(url, n)}", flush=True)
            env = serve_env(url)
            print(f"  {describe_env(env, 1)}", flush=True)
            server = stack.enter_context(Gunicorn(env, workers=1))
            servers[name] = (server.base, pages_selected(url, args.pages))
        medians = measure(servers, args)
    small, large = medians["small"], medians["large"]
    verdicts = Verdicts(smoke=args.smoke)
    print(f"\n== median server time, {args.n:,} vs {args.small:,} models "
          f"({args.rounds} rounds x {args.requests} requests, alternating between the two "
          f"servers; spread = (max-min)/median of the round medians)")  # fmt: skip
    print(f"  {'page':<32} {'small ms':>9} {'large ms':>9} {'ratio':>6} {'spread s/l':>11}")
    for label in large:
        (s, s_noise), (big, big_noise) = summary(small[label]), summary(large[label])
        ratio = big / s
        print(f"  {label:<32} {s:9.1f} {big:9.1f} {ratio:6.2f} {s_noise + '/' + big_noise:>11}")
        verdicts.check(label, f"{ratio:.2f}x ({big:.0f} ms)", "<= 2x", ratio <= 2)
    verdicts.print(f"website at {args.n:,} vs {args.small:,} models")
    return 1 if verdicts.failed else 0


def demo(args: argparse.Namespace) -> int:
    snapshot = Path(args.snapshot)
    if not snapshot.exists():
        print(f"no snapshot at {snapshot}: build one with scripts/build_snapshot.py")
        return 2
    verdicts = Verdicts(smoke=args.smoke)
    with scratch_database("web", "demo", pg=args.pg, keep=args.keep, reuse=args.reuse_demo) as url:
        if not args.reuse_demo:
            import subprocess

            subprocess.run(
                [PY, "manage.py", "load_snapshot", str(snapshot)],
                cwd=ROOT, env=serve_env(url), check=True, capture_output=True,
            )  # fmt: skip
            print(f"  loaded {snapshot.name}; {synth.derived_refresh(url)}", flush=True)
        print("  " + run_django(url, COUNTS).strip(), flush=True)
        env = serve_env(url)
        print(f"  {describe_env(env, 1)}", flush=True)
        with Gunicorn(env, workers=1) as server:
            pages = pages_selected(url, args.pages)
            medians = measure({"demo": (server.base, pages)}, args)["demo"]
    print(f"\n== demo snapshot: median server time per page ({args.rounds} rounds x "
          f"{args.requests} requests)")  # fmt: skip
    for label, values in medians.items():
        mid, noise = summary(values)
        verdicts.check(label, f"{mid:.1f} ms (spread {noise})", f"< {DEMO_GOAL_MS:.0f} ms",
                       mid < DEMO_GOAL_MS)  # fmt: skip
    verdicts.print(f"website on the demo snapshot ({snapshot.name})")
    return 1 if verdicts.failed else 0


COUNTS = """
from catalog.models import Model
from django.apps import apps
offers = apps.get_model("pricing", "Offer").objects.count()
print(f"demo data: {Model.objects.count():,} models, {offers:,} offer rows")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="models in the large run")
    parser.add_argument("--small", type=int, default=10_000, help="models in the small run")
    parser.add_argument("--requests", type=int, default=15, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="the demo snapshot, 150 ms goal")
    parser.add_argument("--snapshot", default=str(ROOT / "data" / "demo_snapshot.json.gz"))
    parser.add_argument("--pg", default=DEFAULT_PG, help="any database URL on the server")
    parser.add_argument("--keep", action="store_true", help="keep the databases it creates")
    parser.add_argument("--reuse-small", default="", help="an existing bench database name")
    parser.add_argument("--reuse-large", default="", help="an existing bench database name")
    parser.add_argument("--reuse-demo", default="", help="an existing bench database name")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, judge nothing")
    parser.add_argument(
        "--pages", default="", help="only pages whose label contains one of these (a,b,...)"
    )
    args = parser.parse_args()
    if args.smoke:
        args.n, args.small, args.requests, args.rounds = 100, 100, 1, 1
    return demo(args) if args.demo else scale(args)


if __name__ == "__main__":
    raise SystemExit(main())
