"""Time planner.engine.rank on synthetic data and print plans/s.

    .venv/bin/python bench/planner.py                      # 10k models × 40 acc × 4 prec
    .venv/bin/python bench/planner.py --models 1000 --repeat 5

Synthetic catalog: `--models` open-weight models of one task (1B..400B params), each
self-hostable on every accelerator × precision as a cloud instance (about half fit in
memory), plus the same on two owned accelerators, and `--offers` API offers spread over
the models. The engine is pure, so no database is involved; the catalog-list request
comparison of issue 7 comes with the Django service (round 2).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.engine import rank
from planner.records import (
    ApiOffer,
    Budget,
    CandidateModel,
    Constraints,
    HardwareChoice,
    SelfHostOption,
    Workload,
)

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--accelerators", type=int, default=40)
    parser.add_argument("--precisions", type=int, default=4, choices=[1, 2, 3, 4])
    parser.add_argument("--offers", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()

    t0 = time.perf_counter()
    models, offers, options = make_data(
        args.models, args.accelerators, args.precisions, args.offers
    )
    build_s = time.perf_counter() - t0
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
        f"+ 2 owned) built in {build_s:.1f} s"
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


if __name__ == "__main__":
    main()
