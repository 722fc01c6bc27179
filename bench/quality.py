"""Time the quality feeds and the quality index.

    .venv/bin/python bench/quality.py [--shared ../shared] [--snapshot FILE]
                                      [--models 100000] [--tasks 10] [--full-models 10000]

1. Loads the five leaderboards from ../shared/quality into a fresh SQLite database
   (optionally after loading a catalog snapshot), then reloads them unchanged; prints
   records/s and SQL queries per page of 1000 records for each pass.
2. Computes the quality index over synthetic models x tasks with the vectorized core
   (`task_index`) and prints model-task values/s; then the full record path
   (`quality_indexes_compute`, sources attached) on a smaller set.
Targets: unchanged reload O(1) queries per page; index >= 1M model-task values/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PAGE = 1000


def _django(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("ATLAS_TESTING", "1")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("quality").setLevel(logging.WARNING)


def bench_feeds(shared: Path, snapshot: str | None) -> list[tuple]:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quality.feeds.boards import SOURCES
    from quality.fetch import source_read
    from quality.services import leaderboard_sync

    call_command("migrate", verbosity=0)
    if snapshot:
        call_command("load_snapshot", snapshot, verbosity=0)
    rows = []
    for label in ("load", "reload (unchanged)"):
        for source in SOURCES:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                run = leaderboard_sync(source=source, file=shared / "quality" / source)
            elapsed = time.perf_counter() - started
            read = source_read(source=source, path=shared / "quality" / source)
            records = len(read.records) + len(read.errors)
            pages = max(1, -(-records // PAGE))
            rows.append(
                (
                    label,
                    source,
                    records,
                    run.created,
                    elapsed,
                    records / elapsed,
                    len(ctx.captured_queries),
                    len(ctx.captured_queries) / pages,
                )
            )
    return rows


def bench_index(n_models: int, n_tasks: int, full_models: int) -> list[tuple]:
    from quality.index import (
        MINMAX,
        WER,
        Component,
        ScoreInput,
        quality_indexes_compute,
        task_index,
    )

    rng = np.random.default_rng(0)
    scales = ["identity", MINMAX, WER]
    tasks = {
        f"task{t}": tuple(
            Component(f"board{t}-{c}", "m", scale=scales[(t + c) % 3]) for c in range(1 + t % 3)
        )
        for t in range(n_tasks)
    }
    matrices = {}
    for task, comps in tasks.items():
        raw = rng.uniform(0, 100, size=(n_models, len(comps)))
        raw[rng.random(raw.shape) < 0.3] = np.nan  # 30% of scores missing
        matrices[task] = raw
    started = time.perf_counter()
    computed = 0
    for task, comps in tasks.items():
        values, _ = task_index(matrices[task], comps)
        computed += int(np.count_nonzero(~np.isnan(values)))
    core_s = time.perf_counter() - started
    total = n_models * n_tasks
    out = [("vectorized task_index", n_models, n_tasks, total, computed, core_s, total / core_s)]

    scores = [
        ScoreInput(m, comp.board, "m", float(matrices[task][m, j]))
        for task, comps in tasks.items()
        for j, comp in enumerate(comps)
        for m in range(full_models)
        if not np.isnan(matrices[task][m, j])
    ]
    started = time.perf_counter()
    values = quality_indexes_compute(scores, components=tasks)
    full_s = time.perf_counter() - started
    full_total = full_models * n_tasks
    out.append(
        (
            "quality_indexes_compute (records + sources)",
            full_models,
            n_tasks,
            full_total,
            len(values),
            full_s,
            full_total / full_s,
        )
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--snapshot", help="catalog snapshot to load first (link rates)")
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--full-models", type=int, default=10_000)
    parser.add_argument("--skip-feeds", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-quality-"))
    _django(tmp / "bench.sqlite3")
    if not args.skip_feeds:
        print(
            "| pass | source | records | scores written | seconds | records/s | queries "
            "| queries/page of 1000 |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for label, source, rec, created, secs, rate, q, qpp in bench_feeds(
            Path(args.shared), args.snapshot
        ):
            print(
                f"| {label} | {source} | {rec} | {created} | {secs:.2f} | {rate:,.0f} | {q} "
                f"| {qpp:.1f} |"
            )
        print()
    print("| index path | models | tasks | model-task values | with a value | seconds | values/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, models, tasks, total, computed, secs, rate in bench_index(
        args.models, args.tasks, args.full_models
    ):
        print(
            f"| {name} | {models:,} | {tasks} | {total:,} | {computed:,} | {secs:.3f} "
            f"| {rate:,.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
