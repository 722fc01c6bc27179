"""Demo catalog: sync ../shared/hub through the fake Hub with the project's own Hub sync.

The fake Hub serves what tests/fakes/hub_shared.py builds from ../shared/hub (listing,
model-info bodies with safetensors totals, config.json and model_index.json files).
Every pipeline tag is synced, one hub_sync per tag; then every model's facts are
resolved across pages (base models that arrived with another tag).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from catalog.hub import HubClient
from catalog.services.hub import hub_sync
from catalog.services.hub_facts import models_facts_resolve_all
from tests.fakes.hub import FakeHub
from tests.fakes.hub_shared import build_models
from tests.fakes.server import FakeServer


def run(shared: Path, log: Callable[[str], None]) -> None:
    models, infos, files = build_models(shared)
    tasks = sorted({m["pipeline_tag"] for m in models if m.get("pipeline_tag")})
    log(f"serving {len(models)} models, {len(files)} config files, {len(tasks)} tasks")
    with FakeServer() as server:
        FakeHub(server, models=models, infos=infos, files=files)
        with HubClient(endpoint=server.base_url, max_backoff_s=1.0) as client:
            for task in tasks:
                result = hub_sync(task=task, limit=5000, page_size=200, resume=False, client=client)
                log(
                    f"{task}: {result.status} created={result.created} "
                    f"updated={result.updated} failed={result.failed}"
                )
                for line in result.errors[:5]:
                    log(f"  {line}")
    log(f"facts resolved across pages: {models_facts_resolve_all()} rows changed")
