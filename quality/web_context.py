"""Quality's sections on catalog's pages (registered through `catalog.page_hooks`).

model_detail: the model's newest scores per leaderboard and its quality index per task
(2 queries). compare: quality index per task (1 query). model_list: the quality floor
control and the listed models' best index (1 query).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog import page_hooks
from catalog.models import Model
from quality import selectors


def model_detail(*, model: Model, **_: Any) -> dict[str, Any]:
    scores = selectors.score_list_current_for_model(model_id=model.id)
    index = list(selectors.quality_index_for_models(model_ids=[model.id]))
    if not scores and not index:
        return {}
    return {"scores": scores, "quality_index": index, "quality_any": True}


def compare(*, models: Sequence[Model], **_: Any) -> dict[str, Any]:
    if not models:
        return {}
    rows = list(selectors.quality_index_for_models(model_ids=[m.id for m in models]))
    if not rows:
        return {}
    by_task: dict[str, dict[int, float]] = {}
    for row in rows:
        by_task.setdefault(row.task, {})[row.model_id] = row.value
    return {
        "compare_quality_rows": [
            {
                "label": f"Quality index, {task} (0–100)",
                "cells": [f"{values[m.id]:.1f}" if m.id in values else "—" for m in models],
            }
            for task, values in sorted(by_task.items())
        ]
    }


def model_list(*, models: Sequence[Model] = (), **_: Any) -> dict[str, Any]:
    """The quality-floor control, and each listed model's best quality index (1 query)."""
    context: dict[str, Any] = {
        "quality_filter": {"template": "quality/partials/quality_filter.html"}
    }
    ids = [m.id for m in models]
    if ids:
        best: dict[int, tuple[float, str]] = {}
        for row in selectors.quality_index_for_models(model_ids=ids):
            if row.model_id not in best or row.value > best[row.model_id][0]:
                best[row.model_id] = (row.value, row.task)
        context["row_badges_quality"] = {
            model_id: [{"text": f"quality {value:.0f} · {task}", "tone": ""}]
            for model_id, (value, task) in best.items()
        }
    return context


page_hooks.register("model_detail", model_detail)
page_hooks.register("compare", compare)
page_hooks.register("model_list", model_list)
