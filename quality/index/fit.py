"""Linear equating of a task's board views onto one latent scale (pure, numpy).

Each view j gets a line x = (s − a_j) / c_j that maps its (signed, higher = better)
scores s onto the task's scale θ, fitted on the models it shares with the other views:
linear equating for a single-group design (Kolen & Brennan, "Test Equating, Scaling,
and Linking", 3rd ed. 2014, §2.1: the shared models are the group that took both
tests), which sets the view's mean and standard deviation over the shared models equal
to those of the scale; Epoch AI's Capabilities Index stitches its benchmarks on the
models they share in the same spirit (epoch.ai/data/eci-documentation/methodology).

1. The view with most models fixes the unit: its line is its own mean and sd.
2. Every other view, in order of how many models it shares with the views equated so
   far, is equated to their composite on the models they share (at least MIN_SHARED,
   positively correlated; else it is left out, with the reason).
3. A model's position is the precision-weighted mean of its equated scores,
   θ_m = Σ_j w_mj x_mj / Σ_j w_mj,  w_mj = 1 / (σ_mj² / c_j² + τ²),
   σ_mj the score's standard error (inputs.py) and τ how much views disagree beyond
   their noise: the method of moments on the models with two or more views,
   Σ (x_mj − θ_m)² = Σ (σ_mj²/c_j² + τ² − 1/W_m), W_m = Σ_j w_mj.
   Its standard error is 1 / √W_m: a model seen on fewer or noisier boards has a
   wider interval.
4. Steps 2-3 repeat, each view re-equated to the composite of the *other* views, until
   the lines settle (a few passes); θ is then standardized (mean 0, sd 1).

Every step is equivariant under s → p·s + q (p > 0) of one view with σ → p·σ (means,
sds and their ratios), so θ and its SE do not change when a board rescales its scores
(issue 18 §1 property (b)); a logistic IRT on raw percent, as the ECI fits, would not
have that property.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_SHARED = 3
MAX_PASSES = 50
TOLERANCE = 1e-7  # change of the lines between passes, in θ units
TAU2_FLOOR = 1e-6  # θ units²
TAU2_MAX = 16.0


@dataclass(frozen=True, slots=True)
class ViewData:
    """One view's scores over its models (ids sorted), higher = better."""

    ids: np.ndarray
    signed: np.ndarray
    se: np.ndarray  # NaN = unknown (then only τ)


@dataclass(slots=True)
class ScaleFit:
    ids: np.ndarray  # models on the scale (sorted)
    theta: np.ndarray
    se: np.ndarray  # NaN where no noise is known at all (one view without intervals)
    a: np.ndarray  # per view (NaN for views left out)
    c: np.ndarray
    tau: float
    passes: int
    left_out: dict[int, str] = field(default_factory=dict)  # view index -> reason

    def on_scale(self, view: int, signed: np.ndarray) -> np.ndarray:
        """A view's (signed) scores mapped onto θ by its line."""
        return (signed - self.a[view]) / self.c[view]


def scale_fit(views: Sequence[ViewData]) -> ScaleFit:
    """Fit the task's scale (module docstring)."""
    k = len(views)
    left_out: dict[int, str] = {}
    used = [j for j in range(k) if len(views[j].ids)]
    a, c = np.full(k, np.nan), np.full(k, np.nan)
    if not used:
        empty = np.zeros(0)
        return ScaleFit(np.zeros(0, np.int64), empty, empty, a, c, 0.0, 0, left_out)
    ids = np.unique(np.concatenate([views[j].ids for j in used]))
    m = len(ids)
    present = np.zeros((m, k), dtype=bool)
    s = np.zeros((m, k))
    var = np.zeros((m, k))  # measurement variance, board units (0 when unknown)
    for j in used:
        rows = np.searchsorted(ids, views[j].ids)
        present[rows, j] = True
        s[rows, j] = views[j].signed
        var[rows, j] = np.nan_to_num(views[j].se ** 2, nan=0.0)
    known = np.zeros(m, dtype=bool)
    for j in used:
        known[np.searchsorted(ids, views[j].ids)] |= ~np.isnan(views[j].se)
    ref = max(used, key=lambda j: (len(views[j].ids), -j))
    on = present[:, ref]
    a[ref] = float(np.mean(s[on, ref]))
    c[ref] = float(np.std(s[on, ref])) or 1.0
    equated = [ref]
    order = [j for j in used if j != ref]
    tau2 = 0.0
    passes = 0
    for passes in range(1, MAX_PASSES + 1):  # noqa: B007 (reported)
        before = np.concatenate([a, c])
        for j in sorted(order, key=lambda j: -_shared(present, j, equated)):
            if j in left_out:
                continue
            target = _composite(s, var, present, a, c, [e for e in equated if e != j], tau2)
            shared = present[:, j] & ~np.isnan(target)
            why = _equate(s[shared, j], target[shared], j, a, c)
            if why:
                left_out[j] = why
                a[j] = c[j] = np.nan
            elif j not in equated:
                equated.append(j)
        tau2 = _tau2(s, var, present, a, c, equated, tau2)
        after = np.concatenate([a, c])
        same_views = np.array_equal(np.isnan(before), np.isnan(after))
        # change of the lines in θ units (invariant under rescaling a board)
        change = np.abs(after - before) / np.concatenate([c, c])
        if len(equated) == 1 or (same_views and np.nanmax(change, initial=0.0) < TOLERANCE):
            break
    keep = present[:, equated].any(axis=1)
    w = _weights(var, present, c, equated, tau2)
    theta = _composite(s, var, present, a, c, equated, tau2, w)[keep]
    total = w[keep].sum(axis=1)
    se = np.where(total > 0, 1.0 / np.sqrt(np.where(total > 0, total, 1.0)), np.nan)
    if len(equated) == 1 or tau2 <= 0:  # one view: the view is the scale, only its noise
        se = np.where(known[keep], se, np.nan)
    mu = float(theta.mean())
    sd = float(np.sqrt(((theta - mu) ** 2).mean())) or 1.0
    out_a, out_c = a + c * mu, c * sd
    dropped = ~np.isin(np.arange(k), equated)
    out_a[dropped] = out_c[dropped] = np.nan
    return ScaleFit(
        ids[keep], (theta - mu) / sd, se / sd, out_a, out_c, float(np.sqrt(tau2)) / sd, passes,
        left_out,
    )  # fmt: skip


def _shared(present: np.ndarray, j: int, equated: list[int]) -> int:
    return int((present[:, j] & present[:, equated].any(axis=1)).sum())


def _equate(s_j: np.ndarray, target: np.ndarray, j: int, a, c) -> str:
    """Linear equating on the shared models: mean and sd of view j = those of target."""
    n = len(s_j)
    if n < MIN_SHARED:
        return f"shares fewer than {MIN_SHARED} models with the other boards"
    ms, mt = s_j.sum() / n, target.sum() / n
    ds, dt = s_j - ms, target - mt
    var_s, var_t, cov = (ds * ds).sum(), (dt * dt).sum(), (ds * dt).sum()
    if var_s <= 0 or var_t <= 0 or cov <= 0:
        return "its scores do not rise with the other boards' on the models they share"
    c[j] = float(np.sqrt(var_s / var_t))
    a[j] = float(ms - c[j] * mt)
    return ""


def _weights(var, present, c, views: list[int], tau2: float) -> np.ndarray:
    """w_mj = 1 / (σ_mj² / c_j² + τ²) on `views` where present, else 0."""
    on = np.zeros(present.shape, dtype=bool)
    on[:, views] = present[:, views]
    cv = np.where(np.isnan(c), 1.0, c)
    v = var / (cv * cv) + tau2
    return np.where(on, 1.0 / np.maximum(v, 1e-12), 0.0)


def _composite(s, var, present, a, c, views: list[int], tau2: float, w=None) -> np.ndarray:
    """Precision-weighted mean of the equated scores on `views`; NaN where none."""
    if not views:
        return np.full(len(s), np.nan)
    if w is None:
        w = _weights(var, present, c, views, tau2)
    x = (s - np.where(np.isnan(a), 0.0, a)) / np.where(np.isnan(c), 1.0, c)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * x).sum(axis=1) / total, np.nan)


def _tau2(s, var, present, a, c, views: list[int], previous: float) -> float:
    """Method of moments for τ² (module docstring, step 3): the gap between the observed
    and the expected squared residuals grows with τ², so its root is bracketed (from
    the previous pass's value when there is one) and found by regula falsi."""
    p = present[:, views]
    multi = p.sum(axis=1) >= 2
    if not multi.any():
        return 0.0
    p = p[multi]
    cv = c[views]
    x = np.where(p, (s[multi][:, views] - a[views]) / cv, 0.0)
    v = np.where(p, var[multi][:, views] / (cv * cv), 0.0)
    k = p.sum(axis=1)
    observed_v = v.sum()

    def gap(t2: float) -> float:
        w = np.where(p, 1.0 / (v + t2), 0.0)
        total = w.sum(axis=1)
        th = (w * x).sum(axis=1) / total
        u2 = (np.where(p, x - th[:, None], 0.0) ** 2).sum()
        return float(u2 - (observed_v + t2 * k.sum() - (k / total).sum()))

    if gap(TAU2_FLOOR) <= 0:
        return TAU2_FLOOR
    lo, hi = TAU2_FLOOR, max(previous * 2.0, 1e-3)
    g_lo, g_hi = gap(lo), gap(hi)
    while g_hi > 0 and hi < TAU2_MAX:
        lo, g_lo, hi = hi, g_hi, hi * 4.0
        g_hi = gap(hi)
    if g_hi > 0:
        return TAU2_MAX
    if previous > TAU2_FLOOR and previous / 2.0 > lo:
        mid = previous / 2.0
        g_mid = gap(mid)
        lo, g_lo = (mid, g_mid) if g_mid > 0 else (lo, g_lo)
    mid = lo
    for _ in range(60):  # Illinois variant of regula falsi
        mid = hi - g_hi * (hi - lo) / (g_hi - g_lo)
        g_mid = gap(mid)
        if hi - lo <= 1e-6 * hi or abs(g_mid) <= 1e-9 * abs(observed_v + 1.0):
            return mid
        if g_mid > 0:
            lo, g_lo = mid, g_mid
            g_hi /= 2
        else:
            hi, g_hi = mid, g_mid
            g_lo /= 2
    return mid
