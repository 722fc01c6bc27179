"""Snapshot step: the project's own accelerator file (benchmarks/data/accelerators.json),
then the precomputed model requirement rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def run(shared: Path, log: Callable[[str], None]) -> None:
    from benchmarks.services import accelerators_load, model_requirements_refresh

    counts = accelerators_load()
    log(f"accelerators: created={counts.created} updated={counts.updated}")
    # After the Hub step: every model's memory need per precision (the `fits` filter).
    log(f"model requirements: rows={model_requirements_refresh()}")
