"""Demo snapshot step: the reviewed seat plans (pricing/data/subscriptions.yaml), linked to
the catalog models the price feeds created. Runs after "pricing"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def run(shared: Path, log: Callable[[str], None]) -> None:
    from pricing.services.subscriptions import subscriptions_load

    result = subscriptions_load()
    log(
        f"seat plans: created={result.created} unchanged={result.unchanged} "
        f"closed={result.closed} rejected={result.rejected} linked_models={result.linked_models}"
    )
    for error in result.errors:
        log(f"rejected: {error}")
