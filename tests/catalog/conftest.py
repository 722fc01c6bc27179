"""Catalog test fixtures: a fake Hub serving the small fixture listing and configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.hub import FakeHub
from tests.fakes.server import FakeServer

FIXTURES = Path(__file__).parent / "fixtures"


def listing_fixture() -> list[dict]:
    return json.loads((FIXTURES / "listing.json").read_text())


def synthetic_models(n: int, *, start: int = 0) -> list[dict]:
    """n listing entries in the Hub's shape, no config (so no config fetch)."""
    return [
        {
            "id": f"synth-org-{i % 7}/model-{i:06d}",
            "author": f"synth-org-{i % 7}",
            "sha": f"{i:040x}",
            "pipeline_tag": "text-generation" if i % 2 else "fill-mask",
            "library_name": "transformers",
            "tags": ["transformers", "en", "license:mit"],
            "downloads": 1_000_000 - i,
            "likes": i % 100,
            "createdAt": "2024-01-01T00:00:00.000Z",
            "lastModified": "2024-06-01T00:00:00.000Z",
            "safetensors": {"parameters": {"BF16": 1000 + i}, "total": 1000 + i},
        }
        for i in range(start, start + n)
    ]


@pytest.fixture
def fake_hub(fake_server: FakeServer, settings) -> FakeHub:
    configs = json.loads((FIXTURES / "configs.json").read_text())
    hub = FakeHub(
        fake_server,
        models=listing_fixture(),
        configs=configs,
        files={
            ("stabilityai/stable-diffusion-xl-base-1.0", "model_index.json"): (
                FIXTURES / "sdxl_model_index.json"
            ).read_bytes()
        },
    )
    settings.HF_ENDPOINT = fake_server.base_url
    settings.HF_TOKEN = None
    return hub
