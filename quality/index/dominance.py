"""Finding reversed dominance pairs without comparing all pairs (pure, numpy).

A dominates B when they share at least one view and A's lo exceeds B's hi on every
shared view. Given positions x, a pair is reversed when A dominates B and x_A < x_B.

Models are grouped by the set of views they appear on. For two groups sharing the views
S, the first view v1 of S (the smallest board, where the fitted x disagrees most) makes
"A beats B on v1" a prefix of the other group sorted by hi on v1. With one shared view,
the prefix maximum of x answers "the highest B that A dominates" for every A at once.
With two or more, a merge-sort tree over that order, each node sorted by hi on the
second view v2, answers "the highest B that A beats on v1 and v2" (2-D dominance
maximum) in O(log n) blocks per A, all levels at once (the blocks each A asks about
are found when the tree is built); the candidate is checked on the remaining views, and
only where that fails are A's candidates checked (as one matrix per pairing).
Built once per task; each pooling round only recomputes one running maximum of x per
structure (A groups sharing the same views with a B group share one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CHUNK = 1 << 20  # candidate cells checked at once


@dataclass(frozen=True, slots=True)
class Tree:
    """The merge-sort tree over `b1`, all levels stacked, with every A's query at every
    level resolved at build time (they depend only on the views, not on x). Positions
    in the (levels, m) arrays are flat: level * m + position."""

    perm: np.ndarray  # (levels, m): positions of `b1`, sorted by (block, rank on v2)
    block: np.ndarray  # (levels, m): block of each entry of perm (float: the offset's factor)
    blk: np.ndarray  # (levels, A): the block of A's prefix at that level (float)
    last: np.ndarray  # (levels, A): flat position of that block's last entry below A on v2
    has: np.ndarray  # (levels, A): A asks at that level and the block has such an entry


@dataclass(frozen=True, slots=True)
class Pairing:
    """Group `a` against group `b1` (sorted by hi on the first shared view)."""

    a: np.ndarray
    k: np.ndarray  # how many of b1 each A beats on the first shared view
    b1: np.ndarray
    rest: tuple[int, ...]  # views checked per candidate
    tree: Tree | None = None  # with a second view: the 2-D dominance structure


def pairings(views: Sequence, n: int) -> list[Pairing]:
    """The detection structure for `n` models and their views (OrderView-like)."""
    pattern = np.zeros(n, dtype=np.int64)
    for bit, v in enumerate(views):
        pattern |= v.present.astype(np.int64) << bit
    size = [int(v.present.sum()) for v in views]
    groups = {int(p): np.flatnonzero(pattern == p) for p in np.unique(pattern) if p}
    # the A groups that share the same views with a B group are asked together: one
    # structure over B (and one running maximum a round) for all of them
    asking: dict[tuple[int, tuple[int, ...]], list[np.ndarray]] = {}
    for pa, a in groups.items():
        for pb in groups:
            shared = sorted(
                (i for i in range(len(views)) if (pa & pb) >> i & 1), key=size.__getitem__
            )
            if shared:
                asking.setdefault((pb, tuple(shared)), []).append(a)
    out: list[Pairing] = []
    for (pb, shared), parts in asking.items():
        a, b = np.concatenate(parts), groups[pb]
        v1 = views[shared[0]]
        b1 = b[np.argsort(v1.hi[b], kind="stable")]
        k = np.searchsorted(v1.hi[b1], v1.lo[a], side="left")
        keep = k > 0
        if not keep.any():
            continue
        if len(shared) == 1:
            out.append(Pairing(a[keep], k[keep], b1, ()))
            continue
        v2 = views[shared[1]]
        h2 = v2.hi[b1]
        order2 = np.argsort(h2, kind="stable")
        rank2 = np.empty(len(b1), dtype=np.int64)
        rank2[order2] = np.arange(len(b1))
        r2 = np.searchsorted(h2[order2], v2.lo[a[keep]], side="left")
        out.append(Pairing(a[keep], k[keep], b1, shared[2:], _tree(rank2, k[keep], r2)))
    return out


def _tree(rank2: np.ndarray, k: np.ndarray, r2: np.ndarray) -> Tree:
    """Levels of the merge-sort tree; query of A at level l: the block [base, base + 2^l)
    of its prefix of length k (when bit l of k is set), entries ranked below r2 on v2."""
    m = len(rank2)
    pos = np.arange(m)
    levels = max(1, int(m).bit_length())
    perm = np.empty((levels, m), dtype=np.int64)
    block = np.empty((levels, m), dtype=np.int64)
    blk = np.zeros((levels, len(k)), dtype=np.int64)
    last = np.zeros((levels, len(k)), dtype=np.int64)
    has = np.zeros((levels, len(k)), dtype=bool)
    for lvl in range(levels):
        perm[lvl] = np.lexsort((rank2, pos >> lvl))
        block[lvl] = perm[lvl] >> lvl
        keys = block[lvl] * (m + 1) + rank2[perm[lvl]]
        sel = np.flatnonzero((k >> lvl) & 1)
        blk[lvl, sel] = k[sel] >> (lvl + 1) << 1
        start = np.searchsorted(keys, blk[lvl, sel] * (m + 1), side="left")
        end = np.searchsorted(keys, blk[lvl, sel] * (m + 1) + r2[sel], side="left") - 1
        last[lvl, sel] = np.maximum(end, 0)
        has[lvl, sel] = end >= start
    last += np.arange(levels)[:, None] * m
    return Tree(perm, block.astype(np.float64), blk.astype(np.float64), last, has)


def reversed_pairs(x: np.ndarray, views: Sequence, found: list[Pairing], cycle) -> np.ndarray:
    """(A, B) pairs, A dominating B with x_A < x_B, not on one genuine cycle (`cycle`
    labels); for each A its highest such B."""
    out = []
    for p in found:
        top, top_b = _top(x, p)
        bad = x[p.a] < top
        if not bad.any():
            continue
        ok = bad & (cycle[p.a] != cycle[top_b])
        for i in p.rest:
            ok &= views[i].lo[p.a] > views[i].hi[top_b]
        redo = np.flatnonzero(bad & ~ok)
        if len(redo):
            b = _highest_dominated(x, views, p, redo, cycle)
            found_b = b >= 0
            top_b[redo[found_b]] = b[found_b]
            ok[redo[found_b]] = True
        if ok.any():
            out.append(np.stack([p.a[ok], top_b[ok]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


def _top(x: np.ndarray, p: Pairing) -> tuple[np.ndarray, np.ndarray]:
    """Highest x (and its model) among the B each A beats on the first one or two views."""
    xb = x[p.b1]
    if p.tree is None:
        running = np.maximum.accumulate(xb)
        at = np.maximum.accumulate(np.where(xb == running, np.arange(len(xb)), 0))
        return running[p.k - 1], p.b1[at[p.k - 1]]
    t = p.tree
    n = len(p.a)
    big = float(xb.max() - xb.min()) + 1.0
    y = np.take(xb, t.perm) + t.block * big  # each block offset above the ones before it
    running = np.maximum.accumulate(y, axis=1)
    value = np.where(t.has, np.take(running, t.last) - t.blk * big, -np.inf)
    # each A's answer: its first level (argmax: first maximum) reaching its best
    lvl = np.argmax(value, axis=0)
    cell = lvl * n + np.arange(n)
    best = np.take(value, cell)
    # where the running maximum was reached last, at or before the answer's position
    # (each level's first entry is such a place, so the search stays in its level)
    record = np.flatnonzero(y == running)
    last = np.take(t.last, cell)
    found = np.take(t.perm, record[np.searchsorted(record, last, side="right") - 1])
    top_b = np.take(p.b1, np.where(best > -np.inf, found, 0))
    # the offsets cost precision: report the exact x of the model found
    return np.where(np.isfinite(best), np.take(x, top_b), -np.inf), top_b


def _highest_dominated(x, views, p: Pairing, rows: np.ndarray, cycle) -> np.ndarray:
    """For each A = p.a[rows]: the highest B it dominates on every shared view, off its
    cycle, with x above its own (the first such in b1's order on ties); -1 when none.
    Candidates are checked as an (A, prefix of b1) matrix, CHUNK cells at a time."""
    a = p.a[rows]
    k = p.k[rows]
    # the groups are sets of models with the same views: b1[0] stands for all of b1
    shared = [v for v in views if v.present[a[0]] and v.present[p.b1[0]]]
    out = np.full(len(rows), -1, dtype=np.int64)
    step = max(1, CHUNK // max(1, int(k.max())))
    for s in range(0, len(rows), step):
        aa, kk = a[s : s + step], k[s : s + step]
        cands = p.b1[: int(kk.max())]
        xa, xc = x[aa][:, None], x[cands][None, :]
        keep = (np.arange(len(cands))[None, :] < kk[:, None]) & (xc > xa)
        keep &= cycle[cands][None, :] != cycle[aa][:, None]
        for v in shared:
            keep &= v.lo[aa][:, None] > v.hi[cands][None, :]
        best = np.argmax(np.where(keep, xc, -np.inf), axis=1)
        out[s : s + step] = np.where(keep.any(axis=1), cands[best], -1)
    return out
