"""Demo catalog: llmfit's Hub model catalog (../shared/hardware/llmfit/hf_models.json,
MIT, commit 5bdc9df9 of 2026-05-12) as a secondary facts source, then every Hub
model's facts resolved again, and the coverage per provenance printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from catalog.services.hub_coverage import facts_coverage_lines
from catalog.services.hub_facts import models_facts_resolve_all
from catalog.services.hub_llmfit import llmfit_sync

LLMFIT_AS_OF = "2026-05-12"  # the commit of hf_models.json named in its SOURCE.txt


def run(shared: Path, log: Callable[[str], None]) -> None:
    path = shared / "hardware" / "llmfit" / "hf_models.json"
    if not path.exists():
        log(f"no {path}: skipped")
        return
    result = llmfit_sync(path=path, as_of=LLMFIT_AS_OF)
    log(
        f"{result.status}: created={result.created} updated={result.updated} "
        f"unchanged={result.unchanged} rejected={result.rejected}"
    )
    for line in result.errors[:3]:
        log(f"  {line}")
    log(f"facts re-resolved: {models_facts_resolve_all()} rows changed")
    for line in facts_coverage_lines():
        log(line)
