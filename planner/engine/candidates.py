"""Stage 1, candidates: the models of the task that pass the model checks, with their
quality score (pure: standard library and numpy).

`passing` keeps the models of the workload's task that pass the constraints (open weights
only, commercial use only, languages, quality floor) and gives each a quality score: the
measured index, else the stated popularity-and-size proxy. Each model left out is counted
once, under the first check it fails in that order. For a `CandidateTable` this is done
on the columns (`passing_table`) and the records are built only for the models of the
shown rows (`TablePassing`). A model id listed twice: the last entry that passes counts.
`quality_scores` is `quality_score` for many models at once (the same floats);
`quality_scores_columns` the same on columns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

import numpy as np

from planner.engine.columns import CandidateTable
from planner.records import Assumptions, CandidateModel, Constraints, Workload

# model id -> (model, quality score, context ok, self-hostable)
Passing = Mapping[int, tuple[CandidateModel, float, bool, bool]]


@dataclass(frozen=True)
class PassingModels:
    """The passing models as arrays sorted by id (unique)."""

    ids: np.ndarray
    score: np.ndarray
    hostable: np.ndarray
    ctx_ok: np.ndarray
    open_weights: np.ndarray


class TablePassing(Mapping[int, tuple[CandidateModel, float, bool, bool]]):
    """model id -> (model, quality score, context ok, self-hostable) for the passing
    models of a CandidateTable; the record is built on access."""

    def __init__(self, table: CandidateTable, models: PassingModels, rows: np.ndarray) -> None:
        self.table, self.models, self.rows = table, models, rows  # rows: table positions

    @cached_property
    def _at(self) -> dict[int, int]:
        return dict(zip(self.models.ids.tolist(), range(len(self.rows)), strict=True))

    def __getitem__(self, model_id: int) -> tuple[CandidateModel, float, bool, bool]:
        k, ms = self._at[model_id], self.models
        return (
            self.table[int(self.rows[k])], float(ms.score[k]), bool(ms.ctx_ok[k]),
            bool(ms.hostable[k]),
        )  # fmt: skip

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._at

    def __iter__(self) -> Iterator[int]:
        return iter(self.models.ids.tolist())

    def __len__(self) -> int:
        return len(self.rows)


def _task_mask(table: CandidateTable, task: str) -> np.ndarray:
    n = len(table)
    same = table.task.count(task)  # the usual case: every model or none is of the task
    if same in (0, n):
        return np.full(n, same == n and n > 0, dtype=bool)
    return np.fromiter((t == task for t in table.task), dtype=bool, count=n)


def passing_table(
    workload: Workload,
    constraints: Constraints,
    table: CandidateTable,
    assumptions: Assumptions,
    excluded: dict[str, int],
) -> tuple[TablePassing, PassingModels]:
    """engine._passing for a CandidateTable: the same counts in `excluded`, the same
    passing models, scores and flags."""
    alive = _task_mask(table, workload.task)
    c = constraints

    def drop(reason: str, failed: np.ndarray) -> None:
        nonlocal alive
        hit = alive & failed
        if k := int(np.count_nonzero(hit)):
            excluded[reason] = excluded.get(reason, 0) + k
            alive = alive & ~hit

    if c.open_weights_only:
        drop("model: weights not open", ~table.open_weights)
    if c.commercial_only:
        drop("model: license not known to allow commercial use", table.commercial_ok != 1)
    if c.languages:
        failed = np.zeros(len(table), dtype=bool)
        languages = table.languages
        for i in np.flatnonzero(alive).tolist():
            if listed := languages[i]:  # only models that list languages can fail
                known = set(listed)
                failed[i] = any(lang not in known for lang in c.languages)
        drop("model: language not supported", failed)
    if c.quality_floor is not None:
        quality = table.quality_index
        unknown = np.isnan(quality)
        drop("model: no quality index to check the floor", unknown)
        drop("model: below the quality floor", ~unknown & (quality < c.quality_floor))
    rows = np.flatnonzero(alive)
    ids = table.id[rows]
    sort = np.argsort(ids, kind="stable")
    ids = ids[sort]
    if len(ids) > 1 and bool(np.any(ids[1:] == ids[:-1])):  # a model id twice: the last
        last = np.append(ids[1:] != ids[:-1], True)
        sort, ids = sort[last], ids[last]
    rows = rows[sort]
    min_ctx = c.min_context_tokens
    if min_ctx is None:
        ctx_ok = np.ones(len(rows), dtype=bool)
    else:
        ctx_ok = table.context_tokens[rows] >= min_ctx  # NaN (unknown): False
    open_weights = table.open_weights[rows]
    score = quality_scores_columns(
        table.quality_index[rows], table.downloads[rows], table.likes[rows],
        table.params_total[rows], assumptions,
    )  # fmt: skip
    ms = PassingModels(ids, score, ctx_ok & open_weights, ctx_ok, open_weights)
    return TablePassing(table, ms, rows), ms


def _model_gate(model: CandidateModel, constraints: Constraints, excluded: dict[str, int]) -> bool:
    def out(reason: str) -> bool:
        excluded[reason] = excluded.get(reason, 0) + 1
        return False

    if constraints.open_weights_only and not model.open_weights:
        return out("model: weights not open")
    if constraints.commercial_only and model.commercial_ok is not True:
        return out("model: license not known to allow commercial use")
    if constraints.languages and model.languages:
        listed = set(model.languages)
        if any(lang not in listed for lang in constraints.languages):
            return out("model: language not supported")
    if constraints.quality_floor is not None:
        if model.quality_index is None:
            return out("model: no quality index to check the floor")
        if model.quality_index < constraints.quality_floor:
            return out("model: below the quality floor")
    return True


def _gated(constraints: Constraints) -> bool:
    """Whether _model_gate can leave a model out (else every model passes it)."""
    c = constraints
    return bool(c.open_weights_only or c.commercial_only or c.languages) or (
        c.quality_floor is not None
    )


def passing(
    workload: Workload,
    constraints: Constraints,
    models: Iterable[CandidateModel],
    assumptions: Assumptions,
    excluded: dict[str, int],
) -> tuple[Passing, PassingModels]:
    """model id -> (model, quality score, context ok, self-hostable: open weights and
    context ok), for the models of the task that pass the model checks; the same as
    arrays sorted by id. A CandidateTable is checked on its columns (the records are
    built on access, for the shown rows only)."""
    if isinstance(models, CandidateTable):
        return passing_table(workload, constraints, models, assumptions, excluded)
    kept = [m for m in models if m.task == workload.task]
    if _gated(constraints):
        kept = [m for m in kept if _model_gate(m, constraints, excluded)]
    min_ctx = constraints.min_context_tokens
    ctx = [
        min_ctx is None or (m.context_tokens is not None and m.context_tokens >= min_ctx)
        for m in kept
    ]
    hostable = [ok and m.open_weights for ok, m in zip(ctx, kept, strict=True)]
    scores = quality_scores(kept, assumptions)
    ids = list(map(attrgetter("id"), kept))
    entries = zip(kept, scores, ctx, hostable, strict=True)
    found = dict(zip(ids, entries, strict=True))
    if len(found) < len(kept):  # a model id twice: the last one counts
        values = found.values()
        ids, scores = list(found), [e[1] for e in values]
        hostable, kept = [e[3] for e in values], [e[0] for e in values]
        ctx = [e[2] for e in values]
    id_array = np.array(ids, dtype=np.int64)
    sort = np.argsort(id_array, kind="stable")
    ms = PassingModels(
        ids=id_array[sort],
        score=np.array(scores, dtype=np.float64)[sort],
        hostable=np.array([bool(h) for h in hostable], dtype=bool)[sort],
        ctx_ok=np.array([bool(c) for c in ctx], dtype=bool)[sort],
        open_weights=np.array([bool(m.open_weights) for m in kept], dtype=bool)[sort],
    )
    return found, ms


def _shares(values: list | np.ndarray, full: float) -> np.ndarray:
    # min(1, log10(1 + max(x, 0)) / log10(1 + full)), with math.log10 as rows._share does
    if isinstance(values, np.ndarray):
        x = values.astype(np.float64)
    else:
        x = np.fromiter(values, dtype=np.float64, count=len(values))
    plus = (1.0 + np.maximum(x, 0.0)).tolist()
    logs = np.fromiter(map(math.log10, plus), dtype=np.float64, count=len(plus))
    share = logs / math.log10(1.0 + full)
    return np.where(share < 1.0, share, 1.0)  # min(1.0, share)


def quality_scores(models: Sequence[CandidateModel], assumptions: Assumptions) -> list[float]:
    """[quality_score(m, assumptions) for m in models], the same floats, in fewer calls."""
    scores: list[float] = [
        0.0 if q is None else float(q) for q in map(attrgetter("quality_index"), models)
    ]
    proxy = [i for i, m in enumerate(models) if m.quality_index is None]
    if not proxy:
        return scores
    a = assumptions
    sub = [models[i] for i in proxy]
    downloads = _shares([m.downloads for m in sub], a.proxy_downloads_full)
    likes = _shares([m.likes for m in sub], a.proxy_likes_full)
    size = _shares([m.params_total or 0 for m in sub], a.proxy_params_full)
    score = a.proxy_ceiling * (
        a.proxy_weight_downloads * downloads
        + a.proxy_weight_likes * likes
        + a.proxy_weight_size * size
    )
    for i, value in zip(proxy, round_3(score), strict=True):
        scores[i] = value
    return scores


def quality_scores_columns(
    quality_index: np.ndarray, downloads: np.ndarray, likes: np.ndarray,
    params_total: np.ndarray, assumptions: Assumptions,
) -> np.ndarray:  # fmt: skip
    """quality_scores on columns (NaN: None), the same floats: the measured index, else the
    proxy from downloads, likes and params_total (NaN counts as 0)."""
    scores = quality_index.astype(np.float64)  # a copy
    proxy = np.flatnonzero(np.isnan(scores))
    if len(proxy) == 0:
        return scores
    a = assumptions
    params = params_total[proxy]
    score = a.proxy_ceiling * (
        a.proxy_weight_downloads * _shares(downloads[proxy], a.proxy_downloads_full)
        + a.proxy_weight_likes * _shares(likes[proxy], a.proxy_likes_full)
        + a.proxy_weight_size
        * _shares(np.where(np.isnan(params), 0.0, params), a.proxy_params_full)
    )
    scores[proxy] = round_3(score)
    return scores


def round_3(x: np.ndarray) -> list[float]:
    """[round(v, 3) for v in x]: Python's round is correctly rounded (the double nearest
    the decimal); rint(x * 1000) / 1000 is the same double unless x * 1000 lies near a
    half (the product's error is far smaller than the margin), where Python rounds."""
    p = x * 1000.0
    out = (np.rint(p) / 1000.0).tolist()
    with np.errstate(invalid="ignore"):
        unsure = np.abs(p - np.floor(p) - 0.5) < 1e-6
    unsure |= ~(np.abs(x) < 1e9)  # large or not finite
    for i in np.flatnonzero(unsure).tolist():
        out[i] = round(float(x[i]), 3)
    return out


def _share(x: float, full: float) -> float:
    return min(1.0, math.log10(1.0 + max(x, 0.0)) / math.log10(1.0 + full))


def quality_score(model: CandidateModel, assumptions: Assumptions) -> float:
    """quality_signal(...).score without building the signal (the rank's hot path)."""
    if model.quality_index is not None:
        return float(model.quality_index)
    a = assumptions
    score = a.proxy_ceiling * (
        a.proxy_weight_downloads * _share(model.downloads, a.proxy_downloads_full)
        + a.proxy_weight_likes * _share(model.likes, a.proxy_likes_full)
        + a.proxy_weight_size * _share(model.params_total or 0, a.proxy_params_full)
    )
    return round(score, 3)


def undominated(
    ids: Sequence[int], dims: Mapping[int, object], models: PassingModels, keep: set[int]
) -> tuple[list[int], int]:
    """(the self-host candidates worth a grid, how many were pruned). The only prune is exact
    dominance: a model whose dims are the same as a better-or-equal one's (the same fit,
    speed and cost on every host; ties: the first in `ids`) and with no measured run of its
    own (`keep`) adds no option the other does not beat. Models that fail the model checks
    or cannot be self-hosted (closed weights, context too short) get no grid."""
    at = dict(zip(models.ids.tolist(), range(len(models.ids)), strict=True))
    hostable, score = models.hostable.tolist(), models.score.tolist()
    ok = [i for i in ids if i in at and hostable[at[i]]]
    best: dict[object, tuple[float, int]] = {}
    for model_id in ok:
        if model_id in keep:
            continue
        key, value = dims[model_id], score[at[model_id]]
        if key not in best or value > best[key][0]:
            best[key] = (value, model_id)
    winners = {model_id for _, model_id in best.values()}
    kept = [i for i in ok if i in keep or i in winners]
    return kept, len(ok) - len(kept)
