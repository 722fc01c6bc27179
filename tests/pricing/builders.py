"""Small builders for pricing tests: accelerators, catalog models, fixture paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.models import Accelerator
from catalog.models import Model

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)


def make_accelerator(
    slug: str = "h100-sxm", name: str = "NVIDIA H100 SXM 80GB", **kw
) -> Accelerator:
    defaults = {"vendor": "nvidia", "kind": "datacenter", "memory_gib": 80, "bandwidth_gbps": 3350}
    defaults.update(kw)
    return Accelerator.objects.create(slug=slug, name=name, **defaults)


def make_hub_model(repo_id: str, **kw) -> Model:
    return Model.objects.create(repo_id=repo_id, name=repo_id.rsplit("/", 1)[-1], **kw)


def write_json(tmp_path: Path, name: str, doc) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def litellm_doc(n: int = 3, *, input_cost: float = 1e-06, prefix: str = "acme-model") -> dict:
    """n chat models of one provider, each priced `input_cost` per input token."""
    return {
        f"{prefix}-{i}": {
            "litellm_provider": "openai",
            "mode": "chat",
            "input_cost_per_token": input_cost,
            "output_cost_per_token": 2e-06,
        }
        for i in range(n)
    }
