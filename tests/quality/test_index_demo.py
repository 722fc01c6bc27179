"""Issue 18 §1 properties of the quality index over the whole demo data (no database).

(a) a model that beats another on every board of the task both appear on, by more than
the boards' stated half-widths, has the higher index, except inside genuine cycles,
which are listed; (b) an affine change of any board's raw scores changes no value;
(c) every value carries an uncertainty.
"""

from __future__ import annotations

import numpy as np
import pytest

from quality.feeds.boards import BOARDS
from quality.index import TASKS, IndexResult, columns_collect, quality_indexes_compute
from quality.index.compute import _order_view
from quality.index.order import dominance_matrix, strongly_connected
from tests.quality.demo_data import DemoScores, demo_available, demo_scores

pytestmark = pytest.mark.skipif(bool(demo_available()), reason=demo_available() or "-")

# Genuine cycles (A > B > C > A through different boards) in the demo data, per task:
# the pairs inside them cannot all hold. None today; a new one shows up here by name.
KNOWN_CYCLES: dict[str, list[list[str]]] = {task: [] for task in TASKS}


@pytest.fixture(scope="module")
def demo() -> DemoScores:
    return demo_scores()


@pytest.fixture(scope="module")
def result(demo: DemoScores) -> IndexResult:
    return quality_indexes_compute(demo.rows)


def _dominance(demo: DemoScores, result: IndexResult, task: str):
    """(model ids, values, D[i, j] = i dominates j) over the task's boards."""
    spec = TASKS[task]
    values = {v.model_id: v.value for v in result.tasks[task].values}
    ids = np.array(sorted(values), dtype=np.int64)
    columns = columns_collect(demo.rows, spec.order_views())
    views = [_order_view(columns[c.key], ids) for c in spec.order_views()]
    return (
        ids,
        np.array([values[m] for m in ids.tolist()]),
        dominance_matrix(views, np.arange(len(ids))),
    )


def test_the_boards_of_each_task_are_its_leaderboards_headline_views() -> None:
    for task, spec in TASKS.items():
        own = {(b.slug, b.metric, "") for b in BOARDS.values() if b.task == task}
        assert {c.key for c in spec.order_views()} == own, task


@pytest.mark.parametrize("task", list(TASKS))
def test_a_model_ahead_on_every_shared_board_ranks_higher_outside_genuine_cycles(
    demo: DemoScores, result: IndexResult, task: str
) -> None:
    ids, values, dom = _dominance(demo, result, task)
    assert dom.any(), f"{task}: no dominated pair to check"
    same = strongly_connected(dom)
    reversed_ = dom & (values[:, None] <= values[None, :])
    outside = np.argwhere(reversed_ & ~same)
    name = demo.names.get
    assert not len(outside), [
        f"{name(ids[i])} ({values[i]:.2f}) beats {name(ids[j])} ({values[j]:.2f}) everywhere"
        for i, j in outside.tolist()[:10]
    ]
    cycles = sorted(
        sorted(name(ids[k]) for k in np.flatnonzero(same[i]))
        for i in range(len(ids))
        if same[i].sum() > 1 and i == np.flatnonzero(same[i])[0]
    )
    assert cycles == KNOWN_CYCLES[task]
    reported = sorted(sorted(name(m) for m in c) for c in result.tasks[task].cycles)
    assert reported == cycles


@pytest.mark.parametrize("board", sorted(BOARDS))
def test_an_affine_change_of_a_boards_raw_scores_leaves_every_value_unchanged(
    demo: DemoScores, result: IndexResult, board: str
) -> None:
    p, q = 3.7, -1234.5

    def move(v: float | None) -> float | None:
        return None if v is None else p * v + q

    moved = [
        r._replace(value=move(r.value), ci_low=move(r.ci_low), ci_high=move(r.ci_high))
        if r.board == board
        else r
        for r in demo.rows
    ]
    after = {(v.model_id, v.task): v for v in quality_indexes_compute(moved).values}
    before = {(v.model_id, v.task): v for v in result.values}
    assert after.keys() == before.keys()
    for key, v in before.items():
        assert after[key].value == pytest.approx(v.value, abs=1e-6), key
        assert after[key].uncertainty == pytest.approx(v.uncertainty, abs=1e-6), key


def test_every_value_carries_an_uncertainty_from_its_boards(result: IndexResult) -> None:
    assert len(result.values) > 500
    for v in result.values:
        assert v.uncertainty is not None, (v.model_id, v.task)
        assert 0 < v.uncertainty < 100, (v.model_id, v.task, v.uncertainty)
        assert v.sources, (v.model_id, v.task)
        assert all(s.se is not None for s in v.sources), (v.model_id, v.task)


def test_a_model_ahead_on_both_chat_boards_is_not_ranked_below(
    demo: DemoScores, result: IndexResult
) -> None:
    # Issue 18: Claude Sonnet 4.5 is above Gemini 2.5 Flash on every board both are on.
    sonnet = demo.aliases[("lmarena", "claude-sonnet-4-5-20250929")]
    flash = demo.aliases[("lmarena", "gemini-2.5-flash")]
    chat = {v.model_id: v.value for v in result.tasks["chat"].values}
    assert chat[sonnet] > chat[flash]
