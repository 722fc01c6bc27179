"""Rebuild the bundled demo snapshot from ../shared with the project's own importers.

    make snapshot      # == python scripts/build_snapshot.py [--output PATH]

Runs every step in scripts/snapshot_steps (Hub sync against a local fake Hub serving
../shared/hub, accelerators, price feeds, leaderboards, benchmark imports, sample
plans) into a fresh SQLite database, then exports it with the snapshot format.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", default=str(ROOT / "data" / "demo_snapshot.json.gz"))
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--only", nargs="*", help="run only these steps")
    args = parser.parse_args()
    shared = Path(args.shared)
    if not shared.is_dir():
        print(f"no reference data at {shared}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="atlas-snapshot-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'snapshot.sqlite3'}"
    os.environ.setdefault("ATLAS_TESTING", "1")
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from config.snapshot import snapshot_export
    from scripts.snapshot_steps import STEP_ORDER

    call_command("migrate", verbosity=0)
    for name in STEP_ORDER:
        if args.only and name not in args.only:
            continue
        try:
            step = importlib.import_module(f"scripts.snapshot_steps.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"scripts.snapshot_steps.{name}":
                raise
            print(f"[{name}] no step module: skipped")
            continue
        started = time.perf_counter()
        step.run(shared, lambda msg, _n=name: print(f"[{_n}] {msg}"))
        print(f"[{name}] done in {time.perf_counter() - started:.1f}s")
    # What the syncs and the beat task keep current (each model's cheapest price and best
    # quality index, the provider pages' grouping), refreshed after the last step: a later
    # step may link offers to models (two models' cheapest price and 561 offers' page
    # grouping were stale without this).
    from config.derived import derived_refresh

    refreshed = derived_refresh()
    print("[derived] " + ", ".join(f"{k}: {v}" for k, v in refreshed.items()))
    counts = snapshot_export(path=Path(args.output))
    for table, n in counts.items():
        if n:
            print(f"  {table:40s} {n:7d}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
