"""Array helpers of the engine's stages (pure: numpy): each model's cheapest candidate,
dense ids, NaN for None."""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import attrgetter

import numpy as np


def _float(value: float) -> float | None:
    return None if math.isnan(value) else value


def _nan_column(records: Sequence, name: str) -> np.ndarray:
    """The float field `name` of every record, None as NaN (one C-level pass)."""
    values = map(attrgetter(name), records)
    return np.fromiter(
        (math.nan if v is None else v for v in values), dtype=np.float64, count=len(records)
    )


def _int(value: float) -> int | None:
    return None if math.isnan(value) else int(value)


def cheapest_per_model(model_id: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Indices of each model's cheapest candidate (the first in order among equal costs),
    sorted. One pass over runs when `model_id` is grouped (non-decreasing); models whose
    cost is NaN have none."""
    n = len(cost)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n > 1 and not bool(np.all(model_id[1:] >= model_id[:-1])):
        return _cheapest_general(model_id, cost)
    starts = np.concatenate(([0], np.flatnonzero(model_id[1:] != model_id[:-1]) + 1))
    ends = np.append(starts[1:], n)
    lowest = np.minimum.reduceat(cost, starts)
    at_min = np.flatnonzero(cost <= np.repeat(lowest, ends - starts))
    if len(at_min) == 0:
        return at_min
    pos = np.searchsorted(at_min, starts)  # the first candidate at the minimum of each run
    first = at_min[np.minimum(pos, len(at_min) - 1)]
    return first[(pos < len(at_min)) & (first < ends)]


def _cheapest_general(model_id: np.ndarray, cost: np.ndarray) -> np.ndarray:
    inverse = dense_ids(model_id)
    lowest = np.full(int(inverse.max()) + 1, np.inf)
    with np.errstate(invalid="ignore"):  # NaN costs: the model has no cheapest
        np.minimum.at(lowest, inverse, cost)
    at_min = np.flatnonzero(cost <= lowest[inverse])
    _, first = np.unique(inverse[at_min], return_index=True)
    return np.sort(at_min[first])


def dense_ids(values: np.ndarray) -> np.ndarray:
    """Small non-negative integers with the same equalities as `values` (ids)."""
    if len(values) and values.min() >= 0 and values.max() < 4 * len(values) + 1_000_000:
        lut = np.zeros(int(values.max()) + 1, dtype=bool)
        lut[values] = True
        dense = np.cumsum(lut) - 1
        return dense[values]
    return np.unique(values, return_inverse=True)[1]
