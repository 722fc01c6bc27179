"""Quality index on one scale: hand-checked cases, no database."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from quality.index import (
    TASKS,
    Component,
    ScoreInput,
    TaskSpec,
    quality_indexes_compute,
)
from quality.index.fit import ViewData, scale_fit
from quality.index.order import OrderView, dominance_matrix, order_enforce

D = date(2025, 12, 11)
A = Component("a", "m")
B = Component("b", "m")
C = Component("c", "m")


def scores(board: str, values: dict[int, float], half: float | None = None) -> list:
    return [
        ScoreInput(
            m, board, "m", v, data_date=D,
            ci_low=None if half is None else v - half, ci_high=None if half is None else v + half,
        )
        for m, v in values.items()
    ]  # fmt: skip


def index(rows: list, spec: TaskSpec) -> dict[int, float]:
    result = quality_indexes_compute(rows, tasks={"t": spec})
    return {v.model_id: v.value for v in result.values}


def test_linear_equating_maps_a_rescaled_board_onto_the_reference() -> None:
    # board b = 2·a + 10 on the three shared models; model 5 is only on b
    a = {1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0}
    b = {1: 30.0, 2: 50.0, 3: 70.0, 5: 90.0}
    fit = scale_fit(
        [
            ViewData(np.array(list(a)), np.array(list(a.values())), np.full(4, np.nan)),
            ViewData(np.array(list(b)), np.array(list(b.values())), np.full(4, np.nan)),
        ]
    )
    # on a's unit, model 5 sits where a = 40: b's line is recovered exactly
    theta = dict(zip(fit.ids.tolist(), fit.theta.tolist(), strict=True))
    assert theta[5] == pytest.approx(theta[4])
    assert fit.c[1] / fit.c[0] == pytest.approx(2.0)
    assert fit.tau == pytest.approx(0.0, abs=2e-3)  # the boards agree exactly


def test_the_index_runs_0_to_100_over_the_tasks_measured_models() -> None:
    rows = scores("a", {1: 1000.0, 2: 1100.0, 3: 1200.0}, half=5.0)
    values = index(rows, TaskSpec(fit=(A,)))
    assert values == pytest.approx({1: 0.0, 2: 50.0, 3: 100.0})


def test_a_model_behind_on_every_shared_board_never_ranks_above() -> None:
    # 1 beats 2 on board a (the only board they share) by far more than the intervals,
    # but 1's board b score drags its fitted position below 2's: the order restores it.
    a = {1: 1300.0, 2: 1250.0, **{m: 1350.0 - 50 * m for m in range(3, 11)}}
    b = {1: 40.0, **{m: 120.0 - 10 * m for m in range(3, 11)}}
    rows = [*scores("a", a, half=5.0), *scores("b", b, half=1.0)]
    result = quality_indexes_compute(rows, tasks={"t": TaskSpec(fit=(A, B))})
    values = {v.model_id: v for v in result.values}
    assert values[1].value > values[2].value
    assert values[1].adjustment != 0.0  # moved by the order, and says so
    assert result.tasks["t"].cycles == ()


def test_a_genuine_cycle_across_boards_is_reported_and_its_pair_may_stay_reversed() -> None:
    # 1 > 2 on a, 2 > 3 on b, 3 > 1 on c: each pair shares one board only
    rows = [
        *scores("a", {1: 90.0, 2: 10.0}),
        *scores("b", {2: 90.0, 3: 10.0}),
        *scores("c", {3: 90.0, 1: 10.0}),
        # shared models so the boards can be equated
        *scores("a", {10: 20.0, 11: 50.0, 12: 80.0}),
        *scores("b", {10: 20.0, 11: 50.0, 12: 80.0}),
        *scores("c", {10: 20.0, 11: 50.0, 12: 80.0}),
    ]
    result = quality_indexes_compute(rows, tasks={"t": TaskSpec(fit=(A, B, C))})
    assert result.tasks["t"].cycles == ((1, 2, 3),)


@pytest.mark.parametrize(("scale", "shift"), [(2.0, 0.0), (0.01, 500.0), (37.0, -3.5)])
def test_an_affine_change_of_one_boards_scores_changes_no_index_value(
    scale: float, shift: float
) -> None:
    rng = np.random.default_rng(7)
    truth = rng.normal(size=60)
    rows = []
    for board, (p, q, noise, cover) in {
        "a": (100.0, 1300.0, 20.0, 0.9),
        "b": (15.0, 50.0, 4.0, 0.4),
        "c": (20.0, 40.0, 6.0, 0.3),
    }.items():
        for m, t in enumerate(truth):
            if rng.random() < cover:
                v = p * t + q + rng.normal(scale=noise)
                rows.append(ScoreInput(m, board, "m", v, ci_low=v - noise, ci_high=v + noise))
    spec = TaskSpec(fit=(A, B, C))
    before = {v.model_id: v for v in quality_indexes_compute(rows, tasks={"t": spec}).values}
    moved = [
        r._replace(value=r.value * scale + shift, ci_low=r.ci_low * scale + shift,
                   ci_high=r.ci_high * scale + shift) if r.board == "b" else r
        for r in rows
    ]  # fmt: skip
    after = {v.model_id: v for v in quality_indexes_compute(moved, tasks={"t": spec}).values}
    assert before.keys() == after.keys()
    for m, v in before.items():
        assert after[m].value == pytest.approx(v.value, abs=1e-6)
        assert after[m].uncertainty == pytest.approx(v.uncertainty, abs=1e-6)


def test_fewer_or_noisier_boards_give_a_wider_interval() -> None:
    rows = [
        *scores("a", {1: 1300.0, 2: 1200.0, 3: 1100.0, 4: 1000.0, 5: 1250.0}, half=8.0),
        *scores("b", {1: 80.0, 2: 60.0, 3: 40.0, 4: 30.0, 6: 70.0}, half=3.0),
    ]
    values = {
        v.model_id: v
        for v in quality_indexes_compute(rows, tasks={"t": TaskSpec(fit=(A, B))}).values
    }
    assert values[1].uncertainty < values[5].uncertainty  # both boards vs only a
    assert all(v.uncertainty > 0 for v in values.values())


def test_a_single_board_without_intervals_has_an_unknown_uncertainty_not_zero() -> None:
    rows = scores("a", {1: 10.0, 2: 20.0})
    (low, high) = quality_indexes_compute(rows, tasks={"t": TaskSpec(fit=(A,))}).values
    assert (low.uncertainty, high.uncertainty) == (None, None)


def test_models_without_a_score_have_no_value_and_speed_is_not_quality() -> None:
    rows = [ScoreInput(1, "open-asr-en", "rtfx", 140.0)]
    assert quality_indexes_compute(rows).values == []


def test_mteb_needs_every_task_and_asr_lower_wer_is_better() -> None:
    rows = [
        ScoreInput(1, "open-asr-en", "wer", 7.5, ci_low=7.0, ci_high=8.0),
        ScoreInput(2, "open-asr-en", "wer", 5.0, ci_low=4.5, ci_high=5.5),
        ScoreInput(3, "mteb-eng-v2", "mean_task", 62.5, samples=41),
        ScoreInput(4, "mteb-eng-v2", "mean_task", 70.0, samples=27),  # incomplete: ignored
    ]
    values = {(v.model_id, v.task): v.value for v in quality_indexes_compute(rows).values}
    assert values[(2, "speech-to-text")] > values[(1, "speech-to-text")]
    assert (3, "embeddings") in values
    assert (4, "embeddings") not in values


def test_sources_name_each_board_with_raw_score_interval_and_place_on_the_scale() -> None:
    board = "lmarena-text-style-control"
    rows = [
        ScoreInput(1, board, "arena_score", 1400.0, "", D, None, 1395.0, 1405.0),
        ScoreInput(2, board, "arena_score", 1200.0, "", D, None, 1195.0, 1205.0),
    ]
    result = quality_indexes_compute(rows, tasks={"chat": TASKS["chat"]})
    top = next(v for v in result.values if v.model_id == 1)
    (src,) = [s.as_json() for s in top.sources]
    assert src == {
        "board": "lmarena-text-style-control",
        "metric": "arena_score",
        "category": "",
        "date": "2025-12-11",
        "raw": 1400.0,
        "ci_low": 1395.0,
        "ci_high": 1405.0,
        "se": pytest.approx(5.0 / 1.959964, abs=1e-4),
        "on_scale": 100.0,
    }


def test_dominance_uses_the_stated_half_widths() -> None:
    views = [
        OrderView(
            lo=np.array([10.0, 9.0, 5.0]), hi=np.array([12.0, 11.0, 6.0]),
            present=np.array([True, True, True]),
        )
    ]  # fmt: skip
    dom = dominance_matrix(views, np.arange(3))
    assert dom.tolist() == [[False, False, True], [False, False, True], [False, False, False]]
    # 0 and 1 overlap: no constraint between them, so their fitted order stands
    result = order_enforce(np.array([0.0, 1.0, -1.0]), np.ones(3), views)
    assert result.x.tolist() == [0.0, 1.0, -1.0]
