"""The rank's model checks on a CandidateTable (pure: standard library and numpy).

`planner.engine.rank` keeps the models of the workload's task that pass the constraints
(open weights only, commercial use only, languages, quality floor) and gives each a
quality score. For a `CandidateTable` this is done on the columns: each model left out is
counted once, under the first check it fails in that order (as `engine._model_gate`
counts), and the records are built only for the models of the shown rows
(`TablePassing`). A model id listed twice: the last entry that passes the checks counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from planner.rank_table import quality_scores_columns
from planner.records import Assumptions, CandidateModel, Constraints, Workload
from planner.tables import CandidateTable


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
