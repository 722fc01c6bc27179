"""Time the quality index refresh against reading the scores it uses (issue 19 §5).

    .venv/bin/python bench/quality.py [--db both|sqlite|postgres] [--scales 1,10,30]
                                      [--repeat 5] [--feeds] [--real]
    .venv/bin/python bench/quality.py --smoke   # SQLite, scale 0.1, once: crashes only

Goal: refreshing the whole index (the fit plus writing it) takes at most 3x the time of
reading the scores it uses. Timed is the production path: `quality_index_refresh()`
(read + fit + write, one transaction) against `index_score_rows()` (the read it
starts with: its two queries, rows fetched), each the best of --repeat runs after a
warm-up; fit + write = refresh - read. "full" deletes the index rows first (untimed),
so every row is inserted; "unchanged" refreshes again over an index already current.
Also printed: the fit alone (rows to columns, `quality_indexes_compute`).

Data: synthetic boards shaped like the real ones (the same nine boards, metrics and
categories; LMArena-like CIs, Aider-like Wilson intervals, LiveBench/MTEB/ASR item
rows), with s x today's board sizes (s=1: ~300 chat models; s may be a fraction); models
on boards get the scores of a latent ability through a line and noise per board;
LMArena's style-control view correlates ~0.98 with the plain one and about a third of
LiveBench's models are on LMArena too (demo data: 0.984, and 13 of 67 linked). --real
adds the demo: the catalog of data/demo_snapshot.json.gz with the leaderboards loaded
again from ../shared/quality. --feeds adds the old feed-load table (records/s, queries
per page of 1000 records, load and unchanged reload).

Each backend runs in its own process on a database it creates and drops: a temporary
SQLite file, or PostgreSQL `atlas_quality_bench_<pid>` at --pg (never another name).
Settings are the production ones (DEBUG off); the load average is printed per row.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 3.0
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432"


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-serving")
    os.environ.pop("ATLAS_TESTING", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _label(scale: float) -> str:
    return f"{scale:g}"


def _fill(scale: float, seed: int = 11) -> int:
    """Synthetic catalog models and scores on the nine boards; returns score rows."""
    from django.utils import timezone

    from catalog.models import Model, Organization, Task
    from quality.feeds.aider import wilson_interval_pct
    from quality.feeds.boards import BOARDS
    from quality.models import LeaderboardSnapshot, Score
    from quality.services import leaderboards_upsert

    rng = random.Random(seed)
    now = timezone.now()
    org = Organization.objects.create(slug=f"synth-{_label(scale)}", name="Synthetic")
    task = Task.objects.get_or_create(slug="text-generation", defaults={"name": "Text"})[0]
    boards = leaderboards_upsert(specs=list(BOARDS.values()))
    snaps = {
        slug: LeaderboardSnapshot.objects.create(leaderboard=b, data_date=now.date())
        for slug, b in boards.items()
    }
    rows: list[Score] = []

    def add(m: int, board: str, metric: str, value: float, cat: str = "", half=None, n=None):
        rows.append(
            Score(
                snapshot=snaps[board], model_id=m, source_name=f"m{m}", metric=metric,
                category=cat, value=value, samples=n,
                ci_low=None if half is None else value - half,
                ci_high=None if half is None else value + half,
            )
        )  # fmt: skip

    def models(n: float, prefix: str) -> list[tuple[int, float]]:
        made = Model.objects.bulk_create(
            [
                Model(repo_id=f"synth/{prefix}-{_label(scale)}-{i}", name=f"{prefix} {i}",
                      organization=org, task=task)
                for i in range(max(1, round(n)))
            ],
            batch_size=2000,
        )  # fmt: skip
        return [(m.pk, rng.gauss(0, 1)) for m in made]

    for m, t in models(300 * scale, "chat"):
        arena = rng.random() < 0.8
        if arena:  # style control: the same votes, a style term removed (corr ~0.98)
            for cat in ("", "coding", "math", "creative_writing", "hard_prompts"):
                text = 1300 + 120 * t + rng.gauss(0, 20)
                half = rng.uniform(4, 12)
                add(m, "lmarena-text", "arena_score", text, cat, half)
                style = 1300 + 0.8 * (text - 1300) + rng.gauss(0, 25)
                add(m, "lmarena-text-style-control", "arena_score", style, cat, half)
        if rng.random() < (0.15 if arena else 0.6):  # LiveBench: newer models, some on both
            add(m, "livebench", "score", 50 + 12 * t + rng.gauss(0, 4), "", 4.5)
            for c in ("Coding", "Math", "Reasoning", "Language", "Data", "IF", "Agentic"):
                add(m, "livebench", "score", 55 + 14 * t + rng.gauss(0, 6), c, 6.0)
                for k in range(3):
                    add(m, "livebench", "score", 55 + 14 * t + rng.gauss(0, 9), f"{c}/t{k}")
        if t > 0 and rng.random() < 0.35:
            rate = min(99.0, max(1.0, 45 + 25 * t + rng.gauss(0, 6)))
            low, high = wilson_interval_pct(rate, 225)
            half = (high - low) / 2
            add(m, "aider-polyglot", "pass_rate_2", rate, "", half, 225)
            add(m, "aider-polyglot", "pass_rate_1", rate / 2, "", half / 2, 225)
    for m, t in models(60 * scale, "vision"):
        for board in ("lmarena-vision", "lmarena-vision-style-control"):
            add(m, board, "arena_score", 1150 + 60 * t + rng.gauss(0, 15), "", rng.uniform(5, 15))
    for m, t in models(20 * scale, "embed"):
        add(m, "mteb-eng-v2", "mean_task", 60 + 4 * t + rng.gauss(0, 1), "", 1.2, 41)
        for k in range(41):
            add(m, "mteb-eng-v2", "main_score", 60 + 4 * t + rng.gauss(0, 8), f"T/{k}", None, 41)
    for m, t in models(20 * scale, "asr"):
        add(m, "open-asr-en", "wer", max(2.0, 8 - 1.5 * t + rng.gauss(0, 0.3)), "", 0.7)
        for k in range(8):
            add(m, "open-asr-en", "wer", max(0.5, 8 - 1.5 * t + rng.gauss(0, 2)), f"set{k}")
    for m, t in models(10 * scale, "image"):
        for cat in ("", "photorealistic", "art"):
            add(m, "lmarena-image", "arena_score", 1100 + 60 * t + rng.gauss(0, 10), cat, 8.0)
    Score.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _fill_real() -> int:
    from config.snapshot import snapshot_load
    from quality.models import LeaderboardSnapshot, Score
    from quality.services import leaderboard_sync
    from scripts.snapshot_steps.quality import DATA_DATES

    snapshot_load(path=ROOT / "data" / "demo_snapshot.json.gz")
    Score.objects.all().delete()
    LeaderboardSnapshot.objects.all().delete()
    for source, day in DATA_DATES.items():
        leaderboard_sync(source=source, file=ROOT.parent / "shared" / "quality" / source,
                         data_date=day)  # fmt: skip
    return Score.objects.count()


def _best(fn, repeat: int, before=None) -> float:
    fn()  # warm-up (imports, caches, page cache)
    times = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def _measure(label: str, repeat: int) -> dict:
    from quality.index import columns_from_db_rows, quality_indexes_compute, required_components
    from quality.models import QualityIndex, Score
    from quality.selectors import index_score_rows
    from quality.services import quality_index_refresh

    read = index_score_rows()
    rows = read.rows
    read_s = _best(index_score_rows, repeat)
    fit_s = _best(
        lambda: quality_indexes_compute(
            columns_from_db_rows(read.rows, read.snapshots, required_components())
        ),
        repeat,
    )
    full_s = _best(
        quality_index_refresh, repeat, before=lambda: QualityIndex.objects.all().delete()
    )
    same_s = _best(quality_index_refresh, repeat)
    return {
        "data": label, "scores_in_table": Score.objects.count(), "scores_read": len(rows),
        "index_rows": QualityIndex.objects.count(), "read_s": read_s, "fit_s": fit_s,
        "full_s": full_s, "unchanged_s": same_s, "load": os.getloadavg()[0],
    }  # fmt: skip


def child(args: argparse.Namespace) -> None:
    """One backend: fill, measure each scale, print JSON lines."""
    from django.db import connection

    if args.real and (ROOT / "data" / "demo_snapshot.json.gz").exists():
        _fill_real()
        print(
            json.dumps({"vendor": connection.vendor, **_measure("demo (real boards)", args.repeat)})
        )
        _wipe()
    for scale in [float(s) for s in args.scales.split(",") if s]:
        _fill(scale)
        label = f"synthetic x{_label(scale)}"
        print(json.dumps({"vendor": connection.vendor, **_measure(label, args.repeat)}))
        _wipe()
    if args.feeds:
        _feeds(connection.vendor)


def _wipe() -> None:
    from catalog.models import Model, Organization
    from quality.models import LeaderboardSnapshot, QualityIndex, Score

    QualityIndex.objects.all().delete()
    Score.objects.all().delete()
    LeaderboardSnapshot.objects.all().delete()
    Model.objects.filter(repo_id__startswith="synth/").delete()
    Organization.objects.filter(slug__startswith="synth-").delete()


def _feeds(vendor: str) -> None:
    """Load the five sources from ../shared twice (load, unchanged reload)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quality.feeds.boards import SOURCES
    from quality.fetch import source_read
    from quality.services import leaderboard_sync

    shared = ROOT.parent / "shared" / "quality"
    for label in ("load", "reload (unchanged)"):
        for source in SOURCES:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                run = leaderboard_sync(source=source, file=shared / source)
            secs = time.perf_counter() - started
            read = source_read(source=source, path=shared / source)
            records = len(read.records) + len(read.errors)
            print(json.dumps({"vendor": vendor, "feed": label, "source": source, "records": records,
                              "created": run.created, "s": secs,
                              "queries": len(ctx.captured_queries)}))  # fmt: skip


def _run_backend(url: str, args: argparse.Namespace) -> list[dict]:
    cmd = [sys.executable, __file__, "--child", "--scales", args.scales, "--repeat",
           str(args.repeat)]  # fmt: skip
    cmd += ["--real"] if args.real else []
    cmd += ["--feeds"] if args.feeds else []
    out = subprocess.run(cmd, env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                         text=True, check=False)  # fmt: skip
    if out.returncode:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"bench child failed on {url.split('@')[-1]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def _postgres(pg: str, args: argparse.Namespace) -> list[dict]:
    import psycopg

    name = f"atlas_quality_bench_{os.getpid()}"
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        return _run_backend(f"{pg}/{name}", args)
    finally:
        with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _print(results: list[dict], *, smoke: bool = False) -> int:
    print(
        "| db | data | scores in table | scores read | index rows | read ms | fit ms "
        "| refresh ms (full) | (fit+write)/read | goal | refresh ms (unchanged) | load |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    failed = 0
    for r in (r for r in results if "data" in r):
        ratio = (r["full_s"] - r["read_s"]) / r["read_s"]
        verdict = "(smoke)" if smoke else "PASS" if ratio <= GOAL else "FAIL"
        failed += verdict == "FAIL"
        print(f"| {r['vendor']} | {r['data']} | {r['scores_in_table']:,} | {r['scores_read']:,} "
              f"| {r['index_rows']:,} | {r['read_s'] * 1e3:.1f} | {r['fit_s'] * 1e3:.1f} "
              f"| {r['full_s'] * 1e3:.1f} | {ratio:.2f} | <= {GOAL:g} {verdict} "
              f"| {r['unchanged_s'] * 1e3:.1f} | {r['load']:.1f} |")  # fmt: skip
    feeds = [r for r in results if "feed" in r]
    if feeds:
        print("\n| db | pass | source | records | scores written | seconds | records/s | queries |")
        print("|---|---|---|---:|---:|---:|---:|---:|")
        for r in feeds:
            print(f"| {r['vendor']} | {r['feed']} | {r['source']} | {r['records']} "
                  f"| {r['created']} | {r['s']:.2f} | {r['records'] / r['s']:,.0f} "
                  f"| {r['queries']} |")  # fmt: skip
    if smoke:
        print("\nsmoke run: tiny sizes, not judged")
        return 0
    print("\nPASS" if not failed else f"\nFAIL ({failed} rows above the goal)")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["both", "sqlite", "postgres"], default="both")
    parser.add_argument("--pg", default=PG_DEFAULT, help="server URL, without a database name")
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--real", action="store_true", help="also the demo's real boards")
    parser.add_argument("--feeds", action="store_true", help="also the feed-load table")
    parser.add_argument(
        "--smoke", action="store_true", help="SQLite, scale 0.1, one run: crashes only"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.db, args.scales, args.repeat, args.real, args.feeds = "sqlite", "0.1", 1, False, False
    if args.child:
        _setup(os.environ["DATABASE_URL"])
        child(args)
        return 0
    results: list[dict] = []
    if args.db in ("both", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="atlas-bench-quality-") as tmp:
            results += _run_backend(f"sqlite:///{tmp}/bench.sqlite3", args)
    if args.db in ("both", "postgres"):
        results += _postgres(args.pg, args)
    return _print(results, smoke=args.smoke)


if __name__ == "__main__":
    raise SystemExit(main())
