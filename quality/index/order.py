"""Dominance order: a model that beats another on every board both appear on ranks higher.

A dominates B when they share at least one of the task's boards and on every shared
board A's score minus its stated 95% half-width exceeds B's score plus B's (lo_A > hi_B).
The fitted scale can break this (a model whose other boards are weaker, or whose boards
weigh differently, falls below one it beats wherever they meet), so the positions are
made order-consistent:

1. Pool the violators (the pool-adjacent-violators algorithm generalized to a partial
   order; Barlow, Bartholomew, Bremner & Brunk 1972, "Statistical Inference under
   Order Restrictions"; Robertson, Wright & Dykstra 1988, ch. 1): while some A
   dominates some B with x_A < x_B, merge their blocks; a block's position is the
   precision-weighted mean (1/SE²) of its members' fitted θ. Each round merges blocks,
   so it ends within n rounds.
2. Genuine cycles (A > B > C > A through different boards: a strongly connected
   component of the relation, found among tied models) cannot all hold; their inner
   pairs are set aside, the cycle is reported, and step 1 is run again.
3. Tied models (a pooled block) are spread by ε (far below the gap to the next value)
   in the order of their level (the longest chain of tied models they dominate), then of
   their fitted θ, so every dominated pair outside a cycle ends strictly ordered.

Reversed pairs are found without comparing all pairs (dominance.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from quality.index.dominance import pairings, reversed_pairs

EPSILON_MAX = 1e-4  # θ units (sd of the fitted scale)
CHUNK = 2048


@dataclass(frozen=True, slots=True)
class OrderView:
    """One board over the task's models: score ± stated half-width; absent rows ignored."""

    lo: np.ndarray
    hi: np.ndarray
    present: np.ndarray


@dataclass(frozen=True, slots=True)
class OrderResult:
    x: np.ndarray
    cycles: tuple[tuple[int, ...], ...]  # model positions of each genuine cycle
    rounds: int


def order_enforce(theta: np.ndarray, se: np.ndarray, views: Sequence[OrderView]) -> OrderResult:
    """Order-consistent positions for `theta` (module docstring)."""
    n = len(theta)
    if n < 2 or not views:
        return OrderResult(theta.astype(np.float64).copy(), (), 0)
    weight = _weights(se)
    prefix = pairings(views, n)
    cycle = np.arange(n)  # cycle label: models of one genuine cycle share it
    doms: dict[bytes, np.ndarray] = {}  # dominance within each tied group met
    rounds = 0
    while True:
        x, r = _pool(theta, weight, views, prefix, cycle)
        rounds += r
        groups = _tied_groups(x)
        if not _merge_cycles(views, groups, cycle, doms):
            break
    x = _spread(x, theta, views, groups, cycle, doms)
    labels, counts = np.unique(cycle, return_counts=True)
    cycles = tuple(tuple(np.flatnonzero(cycle == c).tolist()) for c in labels[counts > 1])
    return OrderResult(x, cycles, rounds)


def dominance_matrix(views: Sequence[OrderView], idx: np.ndarray) -> np.ndarray:
    """D[i, j]: model idx[i] dominates model idx[j] (dense; for tied groups and tests)."""
    k = len(idx)
    shared = np.zeros((k, k), dtype=np.int32)
    beats = np.zeros((k, k), dtype=np.int32)
    for v in views:
        both = v.present[idx][:, None] & v.present[idx][None, :]
        shared += both
        beats += both & (v.lo[idx][:, None] > v.hi[idx][None, :])
    return (shared > 0) & (beats == shared)


def _dominance(views, members: np.ndarray, doms: dict) -> np.ndarray:
    """dominance_matrix of a tied group, kept by its members: a pooling run again after
    a cycle finds most groups again, and the spread reads the last ones once more."""
    key = members.tobytes()
    dom = doms.get(key)
    if dom is None:
        dom = doms[key] = dominance_matrix(views, members)
    return dom


def strongly_connected(dom: np.ndarray) -> np.ndarray:
    """same[i, j]: i and j lie on a common cycle of `dom`. Models with no dominance in
    or none out among the rest lie on no cycle and are peeled off first (level by level,
    as many at once as there are); Warshall's closure runs on what is left."""
    n = len(dom)
    same = np.zeros((n, n), dtype=bool)
    core = _cyclic_core(dom)
    if len(core) > 1:
        reach = dom[np.ix_(core, core)]
        for i in range(len(core)):
            reach |= reach[:, i : i + 1] & reach[i : i + 1, :]
        same[np.ix_(core, core)] = reach & reach.T
    np.fill_diagonal(same, True)
    return same


def _cyclic_core(dom: np.ndarray) -> np.ndarray:
    """The models left after repeatedly removing those with no edge in or no edge out
    among the remaining ones: every cycle of `dom` lies within them."""
    alive = np.ones(len(dom), dtype=bool)
    into = dom.sum(axis=0)
    out = dom.sum(axis=1)
    drop = (into == 0) | (out == 0)
    while drop.any():
        alive &= ~drop
        into = into - dom[drop].sum(axis=0)
        out = out - dom[:, drop].sum(axis=1)
        drop = alive & ((into == 0) | (out == 0))
    return np.flatnonzero(alive)


def _weights(se: np.ndarray) -> np.ndarray:
    se = np.asarray(se, dtype=np.float64)
    ok = np.isfinite(se) & (se > 0)
    fill = float(np.median(se[ok])) if ok.any() else 1.0
    return 1.0 / np.maximum(np.where(ok, se, fill), 1e-6) ** 2


def _pool(theta, weight, views, prefix, cycle) -> tuple[np.ndarray, int]:
    n = len(theta)
    parent = np.arange(n)
    x = theta.astype(np.float64).copy()
    rounds = 0
    while True:
        pairs = reversed_pairs(x, views, prefix, cycle)
        if not len(pairs):
            return x, rounds
        rounds += 1
        merged = False
        for a, b in pairs.tolist():
            ra, rb = _root(parent, a), _root(parent, b)
            if ra != rb:
                parent[rb] = ra
                merged = True
        if not merged:  # cannot happen with exact comparisons; never loop on it
            return x, rounds
        roots = parent
        while True:  # pointer jumping: every model's root
            up = roots[roots]
            if np.array_equal(up, roots):
                break
            roots = up
        parent = roots.copy()
        sums = np.bincount(roots, weight * theta, n)
        x = sums[roots] / np.bincount(roots, weight, n)[roots]


def _root(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _tied_groups(x: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(x, kind="stable")
    xs = x[order]
    same = xs[1:] == xs[:-1]
    if not same.any():
        return []
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    ends = np.concatenate([starts[1:], [len(x)]])
    return [order[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True) if b - a > 1]


def _merge_cycles(views, groups: list[np.ndarray], cycle: np.ndarray, doms: dict) -> bool:
    """Give the models of each cycle found among tied models one cycle label."""
    merged = False
    for members in groups:
        dom = _dominance(views, members, doms) & (cycle[members][:, None] != cycle[members])
        same = strongly_connected(dom)
        # one row per component (its first member) of two or more models: the other
        # rows name the same ring, whose labels are one by then
        first = np.argmax(same, axis=1) == np.arange(len(members))
        for i in np.flatnonzero(first & (same.sum(axis=1) > 1)).tolist():
            ring = members[same[i]]
            labels = np.unique(cycle[ring])
            if len(labels) > 1:
                cycle[np.isin(cycle, labels)] = labels.min()
                merged = True
    return merged


def _spread(x, theta, views, groups: list[np.ndarray], cycle, doms: dict) -> np.ndarray:
    if not groups:
        return x
    values = np.unique(x)
    gap = float(np.min(np.diff(values))) if len(values) > 1 else 1.0
    eps = min(EPSILON_MAX, gap / (2.0 * max(len(g) for g in groups)))
    out = x.copy()
    for members in groups:
        dom = _dominance(views, members, doms) & (cycle[members][:, None] != cycle[members])
        level = np.zeros(len(members), dtype=np.int64)
        for _ in range(len(members)):  # longest chain below (dom is acyclic here)
            new = np.maximum(level, np.where(dom, level[None, :] + 1, 0).max(axis=1))
            if np.array_equal(new, level):
                break
            level = new
        rank = np.empty(len(members))
        rank[np.lexsort((theta[members], level))] = np.arange(len(members))
        out[members] = x[members] + eps * (rank - (len(members) - 1) / 2.0)
    return out
