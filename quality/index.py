"""Per-task quality index in [0, 100] from leaderboard scores (pure: no Django).

For each task, the index of a model is the weighted mean of the normalized scores of
the components that apply to the task and that the model has:

    index(model, task) = Σ_c w_c · n_c(model) / Σ_c w_c      over components c with a score

Components (TASK_COMPONENTS) and their normalization n_c, all to 0..100:
  chat            LMArena text (style control) overall ("minmax") + LiveBench global average
                  ("identity", already 0..100)
  code            LMArena text "coding" category ("minmax") + Aider polyglot pass_rate_2 (%)
                  + LiveBench "Coding" category average
  vision          LMArena vision (style control) overall ("minmax")
  embeddings      MTEB(eng, v2) mean over tasks ("identity"), only rows with all 41 tasks
  speech-to-text  Open ASR average WER: n = clip(100 − wer_scale · WER%, 0, 100), wer_scale=2
                  (so 0% WER -> 100, 50% WER -> 0)
  text-to-image   LMArena text-to-image overall ("minmax")

  identity:  n = clip(v, 0, 100)
  minmax:    n = 100 · (v − min) / (max − min) over every model of that board snapshot
             (Elo-like arena scores have no absolute scale; 100 = the best model on the
             board, 0 = the worst; a board of one model gives 100)

A model run in several settings (reasoning effort, thinking, edit format) contributes
its best setting per component. Every index value carries its sources (board, metric,
category, date of the data, raw and normalized value). When no component of a task has
a score for a model, there is no index value: the index is missing, never replaced by
popularity or any other signal.

The core (`task_index`) works on a (models × components) numpy matrix with NaN for
missing scores, so it computes millions of model-task values per second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

IDENTITY = "identity"
MINMAX = "minmax"
WER = "wer"
DEFAULT_WER_SCALE = 2.0


@dataclass(frozen=True, slots=True)
class Component:
    board: str
    metric: str
    category: str = ""
    scale: str = IDENTITY
    weight: float = 1.0
    higher_is_better: bool = True
    min_samples: int | None = None  # MTEB: only rows run on every task


TASK_COMPONENTS: dict[str, tuple[Component, ...]] = {
    "chat": (
        Component("lmarena-text-style-control", "arena_score", scale=MINMAX),
        Component("livebench", "score"),
    ),
    "code": (
        Component("lmarena-text-style-control", "arena_score", "coding", scale=MINMAX),
        Component("aider-polyglot", "pass_rate_2"),
        Component("livebench", "score", "Coding"),
    ),
    "vision": (Component("lmarena-vision-style-control", "arena_score", scale=MINMAX),),
    "embeddings": (Component("mteb-eng-v2", "mean_task", min_samples=41),),
    "speech-to-text": (Component("open-asr-en", "wer", scale=WER, higher_is_better=False),),
    "text-to-image": (Component("lmarena-image", "arena_score", scale=MINMAX),),
}


@dataclass(frozen=True, slots=True)
class ScoreInput:
    model_id: int
    board: str
    metric: str
    value: float
    category: str = ""
    data_date: date | None = None
    samples: int | None = None


@dataclass(frozen=True, slots=True)
class IndexSource:
    board: str
    metric: str
    category: str
    data_date: date | None
    raw: float
    normalized: float

    def as_json(self) -> dict:
        return {
            "board": self.board,
            "metric": self.metric,
            "category": self.category,
            "date": self.data_date.isoformat() if self.data_date else None,
            "raw": self.raw,
            "normalized": round(self.normalized, 2),
        }


@dataclass(frozen=True, slots=True)
class IndexValue:
    model_id: int
    task: str
    value: float
    sources: tuple[IndexSource, ...]


def normalize(
    values: np.ndarray,
    scale: str,
    *,
    low: float | None = None,
    high: float | None = None,
    wer_scale: float = DEFAULT_WER_SCALE,
) -> np.ndarray:
    """Map raw scores to 0..100 (NaN stays NaN). `low`/`high`: minmax bounds (default: data)."""
    v = np.asarray(values, dtype=np.float64)
    if scale == IDENTITY:
        return np.clip(v, 0.0, 100.0)
    if scale == WER:
        return np.clip(100.0 - wer_scale * v, 0.0, 100.0)
    if scale == MINMAX:
        if not np.any(~np.isnan(v)):
            return v.copy()
        lo = np.nanmin(v) if low is None else low
        hi = np.nanmax(v) if high is None else high
        if hi <= lo:
            return np.where(np.isnan(v), np.nan, 100.0)
        return np.clip(100.0 * (v - lo) / (hi - lo), 0.0, 100.0)
    raise ValueError(f"unknown scale {scale!r}")


def combine(normalized: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Weighted mean over the non-NaN columns of each row; NaN where a row has none."""
    m = np.asarray(normalized, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    present = ~np.isnan(m)
    total_w = present @ w
    summed = np.where(present, m, 0.0) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total_w > 0, summed / total_w, np.nan)


def task_index(
    raw: np.ndarray,
    components: Sequence[Component],
    *,
    wer_scale: float = DEFAULT_WER_SCALE,
) -> tuple[np.ndarray, np.ndarray]:
    """(models × components) raw scores -> (index per model, normalized matrix)."""
    raw = np.asarray(raw, dtype=np.float64)
    norm = np.empty_like(raw)
    for j, comp in enumerate(components):
        norm[:, j] = normalize(raw[:, j], comp.scale, wer_scale=wer_scale)
    return combine(norm, [c.weight for c in components]), norm


def quality_indexes_compute(
    scores: Iterable[ScoreInput],
    *,
    components: Mapping[str, Sequence[Component]] = TASK_COMPONENTS,
    wer_scale: float = DEFAULT_WER_SCALE,
) -> list[IndexValue]:
    """Index values for every model and task that has at least one applicable score.

    `scores` are the current snapshot's scores of every board (several rows per model
    and component are allowed: the best one counts).
    """
    wanted: dict[tuple[str, str, str], list[Component]] = defaultdict(list)
    for comps in components.values():
        for comp in comps:
            wanted[(comp.board, comp.metric, comp.category)].append(comp)
    # (board, metric, category) -> model -> best (value, date)
    best: dict[tuple[str, str, str], dict[int, tuple[float, date | None]]] = defaultdict(dict)
    for s in scores:
        key = (s.board, s.metric, s.category)
        comps = wanted.get(key)
        if not comps:
            continue
        comp = comps[0]
        if comp.min_samples is not None and (s.samples or 0) < comp.min_samples:
            continue
        seen = best[key].get(s.model_id)
        better = seen is None or (s.value > seen[0] if comp.higher_is_better else s.value < seen[0])
        if better:
            best[key][s.model_id] = (s.value, s.data_date)
    out: list[IndexValue] = []
    for task, comps in components.items():
        keys = [(c.board, c.metric, c.category) for c in comps]
        model_ids = np.array(sorted({m for k in keys for m in best.get(k, {})}), dtype=np.int64)
        if not len(model_ids):
            continue
        raw = np.full((len(model_ids), len(comps)), np.nan)
        for j, k in enumerate(keys):
            col = best.get(k)
            if col:
                ids = np.fromiter(col.keys(), dtype=np.int64, count=len(col))
                vals = np.fromiter((v for v, _ in col.values()), dtype=np.float64, count=len(col))
                raw[np.searchsorted(model_ids, ids), j] = vals
        values, norm = task_index(raw, comps, wer_scale=wer_scale)
        present = ~np.isnan(raw)
        raw_l, norm_l, present_l = raw.tolist(), norm.tolist(), present.tolist()
        rounded = np.round(values, 2).tolist()
        cols = [best.get(k, {}) for k in keys]
        for i, mid in enumerate(model_ids.tolist()):
            value = rounded[i]
            if value != value:  # NaN: no component applies
                continue
            row_present = present_l[i]
            sources = tuple(
                IndexSource(
                    c.board, c.metric, c.category, cols[j][mid][1], raw_l[i][j], norm_l[i][j]
                )
                for j, c in enumerate(comps)
                if row_present[j]
            )
            out.append(IndexValue(mid, task, value, sources))
    return out
