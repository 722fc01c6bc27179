"""Score rows -> per task: the fitted scale, the order, and the 0..100 index (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np

from quality.index.fit import ScaleFit, ViewData, scale_fit
from quality.index.inputs import Column, ScoreColumns, columns_from_rows, columns_split
from quality.index.order import OrderResult, OrderView, order_enforce
from quality.index.spec import TASKS, Component, TaskSpec

Z_95 = 1.959964


class IndexSource(NamedTuple):
    """One board view behind an index value: the raw score, its interval, its standard
    error, and where the view's line puts it on the task's 0..100 scale."""

    board: str
    metric: str
    category: str
    data_date: date | None
    raw: float
    on_scale: float
    se: float | None = None  # board units
    ci_low: float | None = None
    ci_high: float | None = None

    def as_json(self) -> dict:
        return {
            "board": self.board,
            "metric": self.metric,
            "category": self.category,
            "date": self.data_date.isoformat() if self.data_date else None,
            "raw": self.raw,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "se": None if self.se is None else round(self.se, 4),
            "on_scale": round(self.on_scale, 2),
        }


class IndexValue(NamedTuple):
    """A model's index for a task: `value` on the task's 0..100 scale, `uncertainty` the
    half-width of its 95% interval in index points (None: no noise known), and
    `adjustment` how far the dominance order moved it (index points)."""

    model_id: int
    task: str
    value: float
    sources: tuple[IndexSource, ...]
    uncertainty: float | None = None
    adjustment: float = 0.0


@dataclass(slots=True)
class TaskResult:
    values: list[IndexValue] = field(default_factory=list)
    cycles: tuple[tuple[int, ...], ...] = ()  # model ids of each genuine dominance cycle
    left_out: dict[str, str] = field(default_factory=dict)  # "board metric category" -> why
    tau: float = 0.0  # boards' disagreement with the scale, in index points
    order_rounds: int = 0


@dataclass(slots=True)
class IndexResult:
    tasks: dict[str, TaskResult] = field(default_factory=dict)

    @property
    def values(self) -> list[IndexValue]:
        return [v for t in self.tasks.values() for v in t.values]


def required_components(tasks: Mapping[str, TaskSpec] = TASKS) -> list[Component]:
    """Every view the index reads (for the refresh's query)."""
    seen: dict[tuple[str, str, str], Component] = {}
    for spec in tasks.values():
        for c in spec.components():
            seen.setdefault(c.key, c)
    return list(seen.values())


def quality_indexes_compute(
    scores: ScoreColumns | Iterable[Sequence], *, tasks: Mapping[str, TaskSpec] = TASKS
) -> IndexResult:
    """The index of every model and task with a score on a fitted view of the task.

    `scores`: each board's current snapshot, as ScoreColumns or as rows laid out as
    `ScoreInput` (model_id, board, metric, value, category, data_date, samples, ci_low,
    ci_high). A model with no
    score on a task's fitted views gets no value: its quality there is unknown.
    """
    components = required_components(tasks)
    if not isinstance(scores, ScoreColumns):
        scores = columns_from_rows(scores, components)
    columns = columns_split(scores, components)
    result = IndexResult()
    for task, spec in tasks.items():
        result.tasks[task] = task_compute(task, spec, columns)
    return result


def task_compute(
    task: str, spec: TaskSpec, columns: Mapping[tuple[str, str, str], Column]
) -> TaskResult:
    fit_cols = [columns[c.key] for c in spec.fit]
    fit = scale_fit([ViewData(col.ids, col.signed, col.se) for col in fit_cols])
    out = TaskResult(
        left_out={" ".join(fit_cols[j].component.key): r for j, r in fit.left_out.items()}
    )
    if not len(fit.ids):
        return out
    if _order_holds(spec, fit):
        order = OrderResult(fit.theta, (), 0)
    else:
        views = [_order_view(columns[c.key], fit.ids) for c in spec.order_views()]
        order = order_enforce(fit.theta, fit.se, views)
    x = order.x
    lo, hi = float(x.min()), float(x.max())
    span = hi - lo
    scale = 100.0 / span if span > 0 else 0.0

    def to_index(theta: np.ndarray) -> np.ndarray:
        return (theta - lo) * scale if span > 0 else np.full(np.shape(theta), 50.0)

    values = np.clip(to_index(x), 0.0, 100.0).tolist()
    shift = ((x - fit.theta) * scale).tolist()
    half = (Z_95 * fit.se * scale).tolist() if span > 0 else [math.nan] * len(x)
    sources = _sources(fit, fit_cols, to_index)
    ids = fit.ids.tolist()
    out.values = [
        IndexValue(m, task, v, src, u if u == u else None, sh)  # NaN: no noise known
        for m, v, src, u, sh in zip(ids, values, sources, half, shift, strict=True)
    ]
    out.cycles = tuple(tuple(ids[i] for i in c) for c in order.cycles)
    out.tau = float(fit.tau * scale)
    out.order_rounds = order.rounds
    return out


def _order_holds(spec: TaskSpec, fit: ScaleFit) -> bool:
    """True when the fitted scale is one view that is also one of the order's boards:
    θ is then an increasing line of that board's score and every model is on it, so a
    model that beats another on every shared board (this one included) is above it."""
    used = [c for j, c in enumerate(spec.fit) if j not in fit.left_out and not np.isnan(fit.c[j])]
    return len(used) == 1 and used[0].key in {c.key for c in spec.order_views()}


def _order_view(col: Column, ids: np.ndarray) -> OrderView:
    n = len(ids)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    present = np.zeros(n, dtype=bool)
    pos = np.searchsorted(ids, col.ids)
    pos = np.minimum(pos, max(n - 1, 0))
    on = (ids[pos] == col.ids) if n else np.zeros(0, dtype=bool)
    signed = col.signed
    lo[pos[on]] = signed[on] - col.half[on]
    hi[pos[on]] = signed[on] + col.half[on]
    present[pos[on]] = True
    return OrderView(lo, hi, present)


def _sources(fit: ScaleFit, cols: list[Column], to_index) -> list[tuple[IndexSource, ...]]:
    per_model: list[list[IndexSource]] = [[] for _ in range(len(fit.ids))]
    for j, col in enumerate(cols):
        if j in fit.left_out or not len(col.ids):
            continue
        comp = col.component
        head = (comp.board, comp.metric, comp.category, col.data_date)
        rows = zip(
            np.searchsorted(fit.ids, col.ids).tolist(),
            col.value.tolist(),
            to_index(fit.on_scale(j, col.signed)).tolist(),
            col.se.tolist(),
            col.ci_low.tolist(),
            col.ci_high.tolist(),
            strict=True,
        )
        for p, raw, v, e, lo, hi in rows:
            per_model[p].append(
                IndexSource(
                    *head, raw, v, None if e != e else e, None if lo != lo else lo,
                    None if hi != hi else hi,
                )
            )  # fmt: skip
    return [tuple(s) for s in per_model]
