"""Snapshot step: the project's own accelerator file (benchmarks/data/accelerators.json)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def run(shared: Path, log: Callable[[str], None]) -> None:
    from benchmarks.services import accelerators_load

    counts = accelerators_load()
    log(f"accelerators: created={counts.created} updated={counts.updated}")
