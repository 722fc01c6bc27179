"""Time the planner: the pure rank at full size, plan_run through the database, and one
catalog list request (`GET /api/models/`) in the same run, on the same database.

    .venv/bin/python bench/planner.py                      # 10k models × 40 acc × 4 prec
    .venv/bin/python bench/planner.py --models 1000 --repeat 5
    .venv/bin/python bench/planner.py --skip-db            # the pure rank only
    .venv/bin/python bench/planner.py --demo               # + plan_run on the demo snapshot
    .venv/bin/python bench/planner.py --records --skip-db  # pure rank on records, not columns

1. Pure rank. Synthetic catalog: `--models` open-weight models of one task (1B..400B
   params), each self-hostable on every accelerator × precision as a cloud instance
   (about half fit in memory), plus the same on two owned accelerators, and `--offers`
   API offers spread over the models. rank gets the options as a SelfHostTable and the
   offers as an ApiOfferTable (numpy columns, what plan_inputs_build hands it); --records
   passes the records (rank then converts them first). Prints plans/s.
2. Database (a scratch SQLite file, or --database-url): the same sizes as rows: `--models`
   text-generation models with architecture dims (30% with a quality index), the bundled
   accelerators plus synthetic ones up to `--accelerators`, one on-demand price per
   accelerator in each of `--clouds` clouds, `--offers` current API offers. Times one
   catalog list request two ways: in process through the Django test client (best of
   N; the "× list" column) and as real HTTP requests to gunicorn on 127.0.0.1 serving
   the same database (p50 of --http-requests, for /api/models/?ordering=-downloads —
   the "× http" column — and the website /models/). Then `plan_run` end to end over every
   sized model of the task (no popularity cut, issue 18 §4), without and with the
   per-process catalog cache (PLANNER_CATALOG_CACHE_SECONDS; the warm line says it is a
   cache hit), against the in-process list; and POST /api/plans/ over HTTP (p50, the
   server runs with the catalog cache off; then a server with it on, as production runs
   it) against the HTTP list (issue 19 §4: ≤ 10× each, like with like). Every POST has
   its own workload: identical inputs would return the saved plan (a cache hit).
3. `--demo`: plan_run on data/demo_snapshot.json.gz loaded into another scratch database
   (with the bundled accelerators and synthetic cloud prices when the snapshot has none).
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Verdicts, serve_env
from planner.engine import SelfHostTable, rank
from planner.engine.columns import ApiOfferTable
from planner.records import (
    ApiOffer,
    Budget,
    CandidateModel,
    Constraints,
    HardwareChoice,
    SelfHostOption,
    Workload,
)

ROOT = Path(__file__).resolve().parent.parent
TASK = "text-generation"
PRECISIONS = [("bf16", 2.0), ("fp8", 1.0), ("int8", 1.0), ("int4", 0.5)]
CLOUDS = [("aws", "us-east-1"), ("gcp", "europe-west4"), ("azure", "eastus"), ("lambda", "us-tx")]


def make_data(n_models: int, n_acc: int, n_prec: int, n_offers: int, seed: int = 7):
    rng = random.Random(seed)
    models = []
    for i in range(n_models):
        params = int(10 ** rng.uniform(9, 11.6))
        models.append(
            CandidateModel(
                id=i,
                repo_id=f"org-{i % 500}/model-{i}",
                name=f"Model {i}",
                task=TASK,
                open_weights=True,
                license="apache-2.0",
                commercial_ok=rng.random() < 0.8,
                context_tokens=rng.choice([4096, 8192, 32768, 131072]),
                languages=("en",),
                params_total=params,
                params_active=params,
                downloads=int(10 ** rng.uniform(1, 7)),
                likes=int(10 ** rng.uniform(0, 4)),
                quality_index=rng.uniform(20, 90) if rng.random() < 0.3 else None,
                quality_sources=("lmarena",),
            )
        )
    accelerators = [
        (
            f"acc-{a}",
            f"Accelerator {a}",
            rng.choice([16, 24, 48, 80, 141, 192]),
            rng.uniform(500, 8000),
            rng.uniform(0.3, 12.0),
        )
        for a in range(n_acc)
    ]
    owned = {"acc-0", "acc-1"}
    options = []
    for m in models:
        for a, (slug, name, mem_gib, bandwidth_gbps, hourly) in enumerate(accelerators):
            cloud, region = CLOUDS[a % len(CLOUDS)]
            for precision, bytes_per_param in PRECISIONS[:n_prec]:
                weights_gib = m.params_total * bytes_per_param / 2**30
                fits = weights_gib * 1.2 < mem_gib
                total = 0.6 * bandwidth_gbps * 1e9 / (m.params_active * bytes_per_param) * 16
                options.extend(
                    SelfHostOption(
                        model_id=m.id,
                        accelerator_slug=slug,
                        accelerator_name=name,
                        count=1,
                        precision=precision,
                        memory_total_gib=mem_gib,
                        fits=fits,
                        decode_tokens_per_s_total=total,
                        stream_tokens_per_s=total / 16,
                        ttft_s=0.3,
                        throughput_source="estimated",
                        hourly_usd=0.07 if is_owned else hourly,
                        owned=is_owned,
                        cloud="" if is_owned else cloud,
                        region="" if is_owned else region,
                        instance="" if is_owned else f"{slug}-x1",
                    )
                    for is_owned in ((False, True) if slug in owned else (False,))
                )
    offers = [
        ApiOffer(
            id=o,
            model_id=rng.randrange(n_models),
            provider_slug=f"provider-{o % 40}",
            usd_per_mtok_input=rng.uniform(0.05, 5),
            usd_per_mtok_output=rng.uniform(0.1, 15),
            usd_per_mtok_cached_input=rng.uniform(0.01, 0.5),
        )
        for o in range(n_offers)
    ]
    return models, offers, options


def _setup_django(database_url: str) -> None:
    """Configure Django on a fresh scratch database (SQLite files are deleted first; a
    server database is flushed: point --database-url at a scratch database)."""
    os.environ.update(serve_env(database_url))  # make serve's settings, caches and throttles off
    if database_url.startswith("sqlite:///"):
        atexit.register(Path(database_url.removeprefix("sqlite:///")).unlink, missing_ok=True)
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # a server database: empty it


def _fill(n_models: int, n_acc: int, n_clouds: int, n_offers: int, seed: int = 7) -> None:
    """The synthetic catalog as rows, written in bulk."""
    from decimal import Decimal

    from django.utils import timezone

    from benchmarks.models import Accelerator
    from benchmarks.services import accelerators_load
    from catalog.models import Feed, Model, Organization, Task
    from pricing.models import InstancePrice, Offer, Provider
    from quality.models import QualityIndex

    rng = random.Random(seed)
    now = timezone.now()
    accelerators_load()
    known = Accelerator.objects.count()
    Accelerator.objects.bulk_create(
        Accelerator(
            slug=f"synth-acc-{i}", name=f"Synthetic {i}", vendor="synth", kind="datacenter",
            memory_gib=rng.choice([24, 48, 80, 141]), bandwidth_gbps=rng.uniform(800, 8000),
            bf16_tflops=rng.uniform(100, 2000), tdp_watts=500,
        )
        for i in range(max(n_acc - known, 0))
    )  # fmt: skip
    org = Organization.objects.create(slug="synth", name="Synthetic")
    task = Task.objects.create(slug="text-generation", name="Text generation")
    rows = []
    for i in range(n_models):
        params = int(10 ** rng.uniform(9, 11.6))
        layers = max(16, int(params ** (1 / 3) / 40))
        rows.append(
            Model(
                repo_id=f"synth/model-{i:05d}", name=f"Model {i}", organization=org, task=task,
                license=rng.choice(["apache-2.0", "mit", "llama3.1", "other"]),
                downloads=int(10 ** rng.uniform(1, 7)), likes=int(10 ** rng.uniform(0, 4)),
                params_total=params, num_layers=layers, hidden_size=4096, num_heads=32,
                num_kv_heads=8, head_dim=128, context_tokens=rng.choice([8192, 32768, 131072]),
            )
        )  # fmt: skip
    models = Model.objects.bulk_create(rows, batch_size=2000)
    QualityIndex.objects.bulk_create(
        [
            QualityIndex(model=m, task="chat", value=rng.uniform(20, 90), computed_at=now,
                         sources=[{"board": "synthetic"}])
            for m in models if rng.random() < 0.3
        ],
        batch_size=2000,
    )  # fmt: skip
    feed = Feed.objects.create(slug="bench", name="Bench", kind="pricing")
    providers = Provider.objects.bulk_create(
        [
            Provider(
                slug=f"provider-{i}", name=f"Provider {i}", kind="inference_host", reviewed=True
            )
            for i in range(40)
        ]
        + [
            Provider(
                slug=f"cloud-{i}",
                name=f"Cloud {i}",
                kind="gpu_cloud",
                service="cloud",
                reviewed=True,
            )
            for i in range(n_clouds)
        ]
    )
    Offer.objects.bulk_create(
        [
            Offer(
                feed=feed, provider=providers[o % 40], model=rng.choice(models),
                model_name=f"m-{o}", unit="token", valid_from=now, fingerprint=str(o),
                usd_per_mtok_input=Decimal(f"{rng.uniform(0.05, 5):.4f}"),
                usd_per_mtok_output=Decimal(f"{rng.uniform(0.1, 15):.4f}"),
            )
            for o in range(n_offers)
        ],
        batch_size=2000,
    )  # fmt: skip
    InstancePrice.objects.bulk_create(
        InstancePrice(
            feed=feed, provider=providers[40 + c], region="region-1",
            instance_type=f"{a.slug}-x1", accelerator=a, accelerator_name=a.name,
            accelerator_count=Decimal(1), valid_from=now, fingerprint=f"{c}-{a.slug}",
            usd_per_hour_on_demand=Decimal(f"{rng.uniform(0.3, 12):.4f}"),
        )
        for c in range(n_clouds)
        for a in Accelerator.objects.all()[:n_acc]
    )  # fmt: skip


def _best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http_p50(database_url: str, paths: list, n: int, **env_overrides: str) -> dict[str, float]:
    """p50 seconds of `n` real HTTP requests per path against gunicorn on 127.0.0.1: a
    path is a GET (expects 200), or (label, path, JSON body, n) a POST (expects 201).

    One sync worker serving the same database (what a user meets, minus the network):
    the request goes through the socket, WSGI, middleware, view, template or serializer.
    """
    import http.client
    import json
    import subprocess

    port = _free_port()
    env = serve_env(database_url, **env_overrides)  # make serve's settings (bench/common.py)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            except OSError as err:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {server.stderr.read()!r}") from err
                time.sleep(0.2)
        out = {}
        for item in paths:
            label, path, body, count = (item, item, None, n) if isinstance(item, str) else item
            headers = {} if body is None else {"Content-Type": "application/json"}
            times = []
            for i in range(count + 3):  # the first 3 warm the worker up
                # Every POST its own workload (requests per day + i): identical inputs on the
                # same data return the saved plan (planner.lifecycle), a cache hit.
                data = None if body is None else json.dumps(_unique_body(body))
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                t = time.perf_counter()
                conn.request("GET" if body is None else "POST", path, data, headers)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - t
                conn.close()
                expected = 200 if body is None else 201
                assert response.status == expected, (path, response.status)
                if i >= 3:
                    times.append(elapsed)
            out[label] = statistics.median(times)
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def _workload_answers() -> dict:
    return {
        "task": "chat", "requests_per_day": "50000", "avg_input_tokens": "800",
        "avg_output_tokens": "300", "cacheable_input_share": "0.3", "peak_concurrency": "32",
        "max_ttft_s": "2", "budget_monthly_usd": "2000", "modes": ["api", "owned", "cloud"],
        "owned": "rtx-4090:2, h100-sxm:1", "min_context_tokens": "8192",
    }  # fmt: skip


def db_bench(args: argparse.Namespace, rank_s: float) -> None:
    _setup_django(args.database_url)
    t0 = time.perf_counter()
    _fill(args.models, args.accelerators, args.clouds, args.offers)
    print(f"\ndatabase {args.database_url}: filled in {time.perf_counter() - t0:.1f} s")
    from django.test import Client

    from planner.answers import inputs_from_answers
    from planner.services import plan_inputs_build, plan_run

    client = Client()
    client.get("/api/models/")  # warm up (URL resolver, first queries)
    list_s, response = _best_of(lambda: client.get("/api/models/"), max(args.repeat, 5))
    assert response.status_code == 200, response.status_code
    http = {}
    api_path = "/api/models/?ordering=-downloads"
    plan_label = "POST /api/plans/ (every sized model)"
    if args.http_requests:
        plan_post = (plan_label, "/api/plans/", _plan_body(), max(3, args.http_requests // 10))
        http = _http_p50(args.database_url, [api_path, plan_post], args.http_requests)
        # the same POSTs to a server with the per-process catalog cache on, as production
        # runs it (PLANNER_CATALOG_CACHE_SECONDS=60: catalog rows reused while the catalog
        # version is unchanged; each plan is still computed, no saved plan is reused)
        warm = (plan_label + ", catalog cache on", *plan_post[1:])
        http |= _http_p50(
            args.database_url, [warm], args.http_requests, PLANNER_CATALOG_CACHE_SECONDS="60"
        )
    inputs = inputs_from_answers(_workload_answers()).inputs
    # Like with like (issue 19 §4): an in-process plan (plan_run) against an in-process
    # list request (the test client, best of N), and a plan over HTTP (POST /api/plans/
    # to gunicorn, p50) against a list over HTTP (GET /api/models/, p50).
    print(f"{'measure':<66} {'s':>8} {'× list':>8} {'plans/s':>8}")

    def line(label, seconds, plans=True, base=None):
        rate = f"{1 / seconds:>8.2f}" if plans else ""
        return f"{label:<66} {seconds:>8.4f} {seconds / (base or list_s):>8.1f} {rate}"

    print(line("list: GET /api/models/ in-process test client (best)", list_s, False))
    for path, seconds in http.items():
        name = path if path.startswith("POST") else f"GET {path}"
        print(f"{'HTTP ' + name + ' gunicorn p50':<66} {seconds:>8.4f}")
    verdicts = Verdicts(smoke=args.smoke)
    print(line("pure rank, full size (part 1)", rank_s))
    result = None
    from django.conf import settings

    from planner.selectors import catalog_cache_clear

    for label, bound in (("plan_run, every sized model (default, no cut)", None),):
        kw = {} if bound is None else {"max_models": bound}
        for cached in (False, True):
            # cold: no catalog cache (every read and record built); warm: the per-process
            # catalog cache (PLANNER_CATALOG_CACHE_SECONDS) filled by an earlier plan
            settings.PLANNER_CATALOG_CACHE_SECONDS = 60 if cached else 0
            catalog_cache_clear()
            plan_run(inputs=inputs, **kw)
            plan_s, result = _best_of(lambda kw=kw: plan_run(inputs=inputs, **kw), args.repeat)
            # the list again, right after: on a shared machine the load moves between
            # series (the faster of the two list figures: a slow one never flatters a ratio)
            near_s = _best_of(lambda: client.get("/api/models/"), max(args.repeat, 5))[0]
            near_s = min(near_s, list_s)
            built = plan_inputs_build(inputs=inputs, **kw)
            sizes = (f"{len(built.models):,} models, {len(built.offers):,} offers, "
                     f"{len(built.options):,} self-host options")  # fmt: skip
            tag = ", catalog cache warm" if cached else ", no catalog cache"
            ratio = plan_s / near_s
            print(line(label + tag, plan_s, base=near_s)
                  + f"   ({sizes}; list {near_s:.4f} s, best of before and after)")  # fmt: skip
            verdicts.check(f"{label}{tag} vs in-process list", f"{ratio:.1f}x", "<= 10x",
                           ratio <= 10)  # fmt: skip
    settings.PLANNER_CATALOG_CACHE_SECONDS = 0
    print(f"top: {result.message}")
    for label in (plan_label, plan_label + ", catalog cache on"):
        if label not in http:
            continue
        ratio = http[label] / http[api_path]
        print(f"{'HTTP: ' + label + ' p50 / GET ' + api_path + ' p50':<66} {ratio:>8.1f}x")
        verdicts.check(f"HTTP {label} vs HTTP list", f"{ratio:.1f}x", "<= 10x", ratio <= 10)
    verdicts.print("planner (issue 19 §4: plan vs list, in-process and over HTTP)")


_POSTS = itertools.count()  # across servers too: no two POSTs of a run alike


def _unique_body(body: dict) -> dict:
    return {**body, "requests_per_day": body["requests_per_day"] + next(_POSTS)}


def _plan_body() -> dict:
    """_workload_answers as the API's JSON body."""
    a = _workload_answers()
    owned = [
        {"accelerator": part.split(":")[0].strip(), "count": int(part.split(":")[1])}
        for part in a.pop("owned").split(",")
    ]
    return {k: (float(v) if k != "task" and isinstance(v, str) else v) for k, v in a.items()} | {
        "owned": owned
    }


def demo_bench(args: argparse.Namespace) -> None:
    """plan_run on the demo snapshot (a second scratch SQLite database)."""
    url = "sqlite:////tmp/atlas-bench-planner-demo.sqlite3"
    from django.db import connections

    from config.snapshot import snapshot_load

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = url.removeprefix("sqlite:///")
    Path(connections["default"].settings_dict["NAME"]).unlink(missing_ok=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    snapshot_load(path=ROOT / "data" / "demo_snapshot.json.gz")
    from benchmarks.services import accelerators_load
    from planner.answers import inputs_from_answers
    from planner.services import plan_run

    accelerators_load()
    # the demo's Hub rows often lack a context length: no minimum context here
    inputs = inputs_from_answers({**_workload_answers(), "min_context_tokens": ""}).inputs
    plan_s, result = _best_of(lambda: plan_run(inputs=inputs), args.repeat)
    print(f"\ndemo snapshot: plan_run {plan_s:.3f} s ({1 / plan_s:.1f} plans/s); {result.message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-db", action="store_true", help="only the pure rank")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:////tmp/atlas-bench-planner-{os.getpid()}.sqlite3",
        help="a scratch database: it is flushed (default: a SQLite file of this run's own)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, judge nothing")
    parser.add_argument("--clouds", type=int, default=2, help="clouds pricing each accelerator")
    parser.add_argument("--demo", action="store_true", help="also time plan_run on the demo")
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--accelerators", type=int, default=40)
    parser.add_argument("--precisions", type=int, default=4, choices=[1, 2, 3, 4])
    parser.add_argument("--offers", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument(
        "--records", action="store_true", help="pure rank on records, not a SelfHostTable"
    )
    parser.add_argument(
        "--http-requests", type=int, default=50,
        help="real HTTP requests per list page to gunicorn (0: skip)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.smoke:
        args.models, args.accelerators, args.offers, args.repeat = 40, 4, 40, 1
        args.http_requests = 0

    t0 = time.perf_counter()
    models, offers, options = make_data(
        args.models, args.accelerators, args.precisions, args.offers
    )
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    records = options
    # Columns once (what plan_inputs_build hands rank); --records times rank on records.
    if not args.records:
        options = SelfHostTable.from_options(records)
        offers = ApiOfferTable.from_offers(offers)
    table_s = time.perf_counter() - t0
    workload = Workload(
        task=TASK,
        requests_per_day=50_000,
        avg_input_tokens=800,
        avg_output_tokens=300,
        cacheable_input_share=0.3,
        peak_concurrency=32,
        max_ttft_s=2.0,
    )
    hardware = HardwareChoice(owned=(("acc-0", 2), ("acc-1", 1)))
    budget = Budget(monthly_usd=2_000)
    constraints = Constraints(min_context_tokens=8192)

    times, cpu, result = [], [], None
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        result = rank(
            workload, budget, hardware, constraints, models, offers, options, limit=args.limit
        )
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert result is not None
    best = min(times)
    print(
        f"input: {len(models):,} models, {len(offers):,} offers, {len(options):,} self-host "
        f"options ({args.accelerators} accelerators × {args.precisions} precisions, cloud "
        f"+ 2 owned) built in {build_s:.1f} s; "
        + ("ranked as records" if args.records else f"as a SelfHostTable in {table_s:.1f} s")
    )
    print(
        f"ranked {result.candidates:,} feasible candidates, {result.within_budget:,} within "
        f"budget, {len(result.rows)} rows, Pareto front {len(result.pareto)}"
    )
    # Wall time is what a user waits; CPU time is steadier on a shared machine.
    print(
        f"{'runs':>6} {'best s':>9} {'median s':>9} {'best cpu s':>10} {'plans/s':>9} "
        f"{'µs/option':>10}"
    )
    print(
        f"{len(times):>6} {best:>9.3f} {statistics.median(times):>9.3f} {min(cpu):>10.3f} "
        f"{1 / best:>9.2f} {best / max(len(options), 1) * 1e6:>10.3f}"
    )
    print(f"top: {result.message}")
    if args.skip_db:
        return
    db_bench(args, best)
    if args.demo:
        demo_bench(args)


if __name__ == "__main__":
    main()
