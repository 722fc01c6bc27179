"""Score rows -> one column per board view, with each score's noise (pure).

A score's noise is its standard error in the board's units, from the board's 95%
interval: SE = (ci_high − ci_low) / (2 · 1.96). LMArena states a bootstrap interval;
for Aider (Wilson, over its exercises) and for LiveBench, MTEB and Open ASR (spread over
their items) the parsers compute one (quality.feeds.aider, quality.feeds.intervals).
Without an interval the noise is unknown (NaN) and the dominance margin is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np

from quality.index.spec import Component

Z_95 = 1.959964


class ScoreInput(NamedTuple):
    """One Score row (positional layout is what the refresh reads from the database)."""

    model_id: int
    board: str
    metric: str
    value: float
    category: str = ""
    data_date: date | None = None
    samples: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True, slots=True)
class ScoreColumns:
    """Score rows as columns: row i is view `keys[key[i]]` of model `model[i]`. What the
    refresh reads from the database; `columns_from_rows` builds it from ScoreInput rows."""

    keys: tuple[tuple[str, str, str], ...]  # (board, metric, category) per key id
    key: np.ndarray  # int64 key id per row
    model: np.ndarray  # int64
    value: np.ndarray  # float64
    ci_low: np.ndarray  # float64, NaN where none
    ci_high: np.ndarray  # float64, NaN where none
    samples: np.ndarray  # float64, NaN where none
    dates: dict[tuple[str, str, str], date | None]  # data date of each key's snapshot


@dataclass(frozen=True, slots=True)
class Column:
    """One view's scores: model ids (sorted, unique) and aligned arrays."""

    component: Component
    ids: np.ndarray  # int64
    value: np.ndarray  # raw, board units
    half: np.ndarray  # stated 95% half-width, 0 where none (dominance margin)
    se: np.ndarray  # measurement standard error, NaN where unknown
    ci_low: np.ndarray
    ci_high: np.ndarray
    data_date: date | None

    @property
    def signed(self) -> np.ndarray:
        """Values with higher = better."""
        return self.value if self.component.higher_is_better else -self.value


def nan_floats(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def columns_from_rows(rows: Iterable[Sequence], components: Sequence[Component]) -> ScoreColumns:
    """ScoreInput-shaped rows (model_id, board, metric, value, category, data_date,
    samples, ci_low, ci_high) of the components' views -> ScoreColumns (others dropped)."""
    keys = tuple(dict.fromkeys(c.key for c in components))
    key_id = {k: i for i, k in enumerate(keys)}
    picked = [r for r in rows if (r[1], r[2], r[4]) in key_id]
    dates: dict[tuple[str, str, str], date | None] = {}
    for r in picked:
        dates.setdefault((r[1], r[2], r[4]), _get(r, 5))
    return ScoreColumns(
        keys=keys,
        key=np.array([key_id[(r[1], r[2], r[4])] for r in picked], dtype=np.int64),
        model=np.array([r[0] for r in picked], dtype=np.int64),
        value=np.array([r[3] for r in picked], dtype=np.float64),
        ci_low=nan_floats([_get(r, 7) for r in picked]),
        ci_high=nan_floats([_get(r, 8) for r in picked]),
        samples=nan_floats([_get(r, 6) for r in picked]),
        dates=dates,
    )


def columns_from_db_rows(
    rows: Sequence[Sequence],
    snapshots: dict[int, tuple[str, date | None]],
    components: Sequence[Component],
) -> ScoreColumns:
    """Rows as the refresh reads them, (snapshot_id, metric, category, model_id, value,
    ci_low, ci_high, samples), with each snapshot's (board, data date) -> ScoreColumns.
    Rows of other views are an error (the read asks only for these)."""
    keys = tuple(dict.fromkeys(c.key for c in components))
    code: dict[tuple[int, str, str], int] = {}
    dates: dict[tuple[str, str, str], date | None] = {}
    for j, (board, metric, category) in enumerate(keys):
        for snap_id, (slug, day) in snapshots.items():
            if slug == board:
                code[(snap_id, metric, category)] = j
                dates[(board, metric, category)] = day
    if not rows:
        empty = np.zeros(0)
        return ScoreColumns(keys, np.zeros(0, np.int64), np.zeros(0, np.int64), empty, empty,
                            empty, empty, dates)  # fmt: skip
    snap, metric, category, model, value, low, high, samples = zip(*rows, strict=True)
    key = np.fromiter(map(code.__getitem__, zip(snap, metric, category, strict=True)), np.int64,
                      len(rows))  # fmt: skip
    return ScoreColumns(
        keys=keys,
        key=key,
        model=np.array(model, dtype=np.int64),
        value=np.array(value, dtype=np.float64),
        ci_low=nan_floats(low),
        ci_high=nan_floats(high),
        samples=nan_floats(samples),
        dates=dates,
    )


def _get(row: Sequence, i: int) -> object:
    return row[i] if len(row) > i else None


def columns_split(
    scores: ScoreColumns, components: Sequence[Component]
) -> dict[tuple[str, str, str], Column]:
    """One Column per component (a model's best value when a view lists it twice)."""
    key_id = {k: i for i, k in enumerate(scores.keys)}
    order = np.argsort(scores.key, kind="stable")
    bounds = np.searchsorted(scores.key[order], np.arange(len(scores.keys) + 1))
    out: dict[tuple[str, str, str], Column] = {}
    for c in components:
        j = key_id.get(c.key)
        rows = order[bounds[j] : bounds[j + 1]] if j is not None else order[:0]
        if c.min_samples is not None:
            rows = rows[np.nan_to_num(scores.samples[rows], nan=0.0) >= c.min_samples]
        sign = 1.0 if c.higher_is_better else -1.0
        rows = rows[np.lexsort((-sign * scores.value[rows], scores.model[rows]))]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = scores.model[rows][1:] != scores.model[rows][:-1]
        rows = rows[first]  # sorted by model id, best value per model
        low, high = scores.ci_low[rows], scores.ci_high[rows]
        stated = ~(np.isnan(low) | np.isnan(high))
        out[c.key] = Column(
            component=c,
            ids=scores.model[rows],
            value=scores.value[rows],
            half=np.where(stated, (high - low) / 2.0, 0.0),
            se=np.where(stated, (high - low) / (2.0 * Z_95), np.nan),
            ci_low=low,
            ci_high=high,
            data_date=scores.dates.get(c.key),
        )
    return out


def columns_collect(
    rows: Iterable[Sequence], components: Sequence[Component]
) -> dict[tuple[str, str, str], Column]:
    """ScoreInput rows -> one Column per component."""
    return columns_split(columns_from_rows(rows, components), components)
