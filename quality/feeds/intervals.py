"""Intervals for boards that publish none but average item scores (pure).

LiveBench (23 tasks in 7 categories), MTEB (41 tasks) and Open ASR (8 test sets)
publish a mean over items and no interval. Their noise is how much a model's relative
standing moves from item to item: with item difficulty removed (each item's mean over
the board's models, μ_t) and the model's own level removed (its mean offset δ_m), the
residuals e_mt = s_mt − μ_t − δ_m have a pooled standard deviation

    σ = √( Σ_m Σ_t e_mt² / Σ_m (T_m − 1) )

and a headline Σ_t w_t s_t (weights summing to 1) has standard error σ · √(Σ_t w_t²):
σ / √T for a plain mean. The 95% interval is headline ± 1.96 SE (rounded outwards to
0.0001). This is the clustered standard error of an eval score over its items (Miller
2024, "Adding Error Bars to Evals: A Statistical Approach to Language Model Evaluations",
arXiv:2411.00640, §2-3), pooled over models so that a model with few items still gets a
stable figure. The board's description says the interval is computed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

Z_95 = 1.959964


def residual_sd(table: Mapping[str, Mapping[str, float]]) -> float | None:
    """Pooled σ of {model: {item: score}} (module docstring); None with no spare degree
    of freedom (every model has at most one item)."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for items in table.values():
        for item, value in items.items():
            sums[item] = sums.get(item, 0.0) + value
            counts[item] = counts.get(item, 0) + 1
    mu = {item: sums[item] / counts[item] for item in sums}
    squares = 0.0
    dof = 0
    for items in table.values():
        if len(items) < 2:
            continue
        d = [value - mu[item] for item, value in items.items()]
        delta = sum(d) / len(d)
        squares += sum((x - delta) ** 2 for x in d)
        dof += len(d) - 1
    return math.sqrt(squares / dof) if dof else None


def mean_se(sigma: float | None, weights: Iterable[float]) -> float | None:
    """Standard error of Σ w_t s_t given the residual σ."""
    if sigma is None:
        return None
    return sigma * math.sqrt(sum(w * w for w in weights))


def interval(value: float, se: float | None) -> dict[str, float]:
    """{"ci_low", "ci_high"}: value ± 1.96 se rounded outwards ({} without an se)."""
    if se is None or not math.isfinite(se):
        return {}
    half = Z_95 * se
    return {
        "ci_low": min(value, math.floor((value - half) * 10000) / 10000),
        "ci_high": max(value, math.ceil((value + half) * 10000) / 10000),
    }
