"""Quality's sections on catalog's pages (registered through `catalog.page_hooks`).

model_detail: the model's newest scores per leaderboard and its quality per task, measured
(value ± 95% interval) or unknown (2 queries). compare: quality per task (1 query).
model_list: the quality floor control and the listed models' best index (1 query).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog import page_hooks
from catalog.models import Model
from quality import selectors


def model_detail(*, model: Model, **_: Any) -> dict[str, Any]:
    """The model's quality per task (measured ± interval, or unknown) and its newest
    scores. A model of a task we keep a scale for is shown even without a score, so its
    unknown quality is said rather than left blank; other models without scores: nothing."""
    scores = selectors.score_list_current_for_model(model_id=model.id)
    boards = {s.snapshot.leaderboard.slug for s in scores}
    tasks = selectors.model_quality(model=model, scored_boards=boards)
    if not scores and not tasks:
        return {}
    measured = [t for t in tasks if t.status == "measured"]
    best = max(measured, key=lambda t: t.value) if measured else None
    return {
        "scores": scores,
        "score_boards": boards_with_categories(scores),
        "quality_tasks": tasks,
        "quality_any": True,
        "quality_headline": best,
        "quality_unknown_note": next((t.note for t in tasks if t.status != "measured"), ""),
    }


def boards_with_categories(scores: Sequence[Any]) -> list[dict[str, Any]]:
    """The model's newest scores per board: each board's headline (overall) rows, and its
    sub-category rows apart (the page puts those one click away). Boards in the order
    their first score came."""
    boards: dict[int, dict[str, Any]] = {}
    for score in scores:
        board = score.snapshot.leaderboard
        entry = boards.setdefault(
            board.id, {"board": board, "snapshot": score.snapshot, "headline": [], "categories": []}
        )
        entry["categories" if score.category else "headline"].append(score)
    for entry in boards.values():
        if not entry["headline"] and entry["categories"]:  # no overall row: lift the first
            entry["headline"].append(entry["categories"].pop(0))
    return list(boards.values())


def _cell(value: float, uncertainty: float | None) -> str:
    return f"{value:.1f} ± {uncertainty:.1f}" if uncertainty is not None else f"{value:.1f}"


def compare(*, models: Sequence[Model], **_: Any) -> dict[str, Any]:
    if not models:
        return {}
    rows = list(selectors.quality_index_for_models(model_ids=[m.id for m in models]))
    if not rows:
        return {}
    by_task: dict[str, dict[int, str]] = {}
    for row in rows:
        by_task.setdefault(row.task, {})[row.model_id] = _cell(row.value, row.uncertainty)
    return {
        "compare_quality_rows": [
            {
                "label": f"Quality index, {task} (0–100 task scale, ± 95%)",
                "cells": [values.get(m.id, "unknown") for m in models],
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
        best: dict[int, tuple[float, float | None, str]] = {}
        for row in selectors.quality_index_for_models(model_ids=ids):
            if row.model_id not in best or row.value > best[row.model_id][0]:
                best[row.model_id] = (row.value, row.uncertainty, row.task)
        context["row_badges_quality"] = {
            model_id: [{"text": f"quality {_badge(value, unc)} · {task}", "tone": ""}]
            for model_id, (value, unc, task) in best.items()
        }
    return context


def _badge(value: float, uncertainty: float | None) -> str:
    return f"{value:.0f} ± {uncertainty:.0f}" if uncertainty is not None else f"{value:.0f}"


page_hooks.register("model_detail", model_detail)
page_hooks.register("compare", compare)
page_hooks.register("model_list", model_list)
