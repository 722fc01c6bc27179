"""The demo snapshot's plans step writes three shareable plans, and re-runs replace them."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.models import Plan
from scripts.snapshot_steps import plans
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db


def test_plans_step_writes_three_sample_plans_with_fixed_slugs(client) -> None:
    make_world()
    lines: list[str] = []
    plans.run(Path("/nonexistent"), lines.append)
    plans.run(Path("/nonexistent"), lines.append)
    assert sorted(Plan.objects.values_list("slug", flat=True)) == [
        "demo4090", "demochat", "democode",
    ]  # fmt: skip
    assert len(lines) == 6
    owned = Plan.objects.get(slug="demo4090").result["rows"][0]["deployment"]
    assert (owned["kind"], owned["accelerator_slug"]) == ("owned", "rtx-4090")
    for slug in plans.SAMPLES:
        assert client.get(f"/plan/{slug}/").status_code == 200
