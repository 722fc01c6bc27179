"""ModelRequirement rows: the service, its command, Celery task and beat entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from benchmarks.models import ModelRequirement
from benchmarks.schedule import BEAT_SCHEDULE
from benchmarks.services import REQUIREMENT_PRECISIONS as PRECISIONS
from benchmarks.services import model_requirements_refresh
from benchmarks.tasks import model_requirements_refresh_task
from tests.api.builders import make_model
from tests.benchmarks.builders import LLAMA_8B_DIMS

pytestmark = pytest.mark.django_db


def test_refresh_writes_one_row_per_precision_and_drops_models_without_params() -> None:
    model = make_model("meta/8b", **LLAMA_8B_DIMS)
    make_model("x/unknown")
    assert model_requirements_refresh() == len(PRECISIONS)
    row = ModelRequirement.objects.get(model=model, precision="bf16")
    assert round(row.weights_gib, 2) == 14.96  # 8.03e9 × 2 bytes
    assert round(row.kv_gib_per_1k_tokens, 3) == 0.122  # 128 KiB per token
    assert row.total_gib == pytest.approx(row.weights_gib + 1.0 + row.overhead_gib, abs=0.01)
    model.params_total = None
    model.save(update_fields=["params_total"])
    assert model_requirements_refresh(model_ids=[model.id]) == 0
    assert not ModelRequirement.objects.exists()


def test_command_task_and_schedule(capsys) -> None:
    make_model("meta/8b", **LLAMA_8B_DIMS)
    call_command("refresh_requirements")
    assert f"rows={len(PRECISIONS)}" in capsys.readouterr().out
    assert model_requirements_refresh_task.run() == len(PRECISIONS)
    entry = BEAT_SCHEDULE["benchmarks-model-requirements-refresh"]
    assert entry["task"] == model_requirements_refresh_task.name
