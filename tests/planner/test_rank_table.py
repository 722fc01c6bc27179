"""planner.engine (checks, costs, columns): the array helpers of the rank (reason codes,
blocks, Pareto points, quality scores), each against a plain reference."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from planner.engine import DEFAULT_ASSUMPTIONS, SelfHostTable, checks, costs, rank
from planner.engine.arrays import cheapest_per_model
from planner.engine.candidates import quality_score, quality_scores, round_3
from planner.engine.checks import ModelLookup
from planner.records import Budget, Constraints, HardwareChoice
from tests.planner.builders import make_4090, make_model, make_option, make_workload


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (test data, not secrets)


def test_quality_scores_equal_quality_score() -> None:
    rng = _rng(1)
    models = [
        make_model(
            i,
            quality_index=rng.choice([None, None, 55.5, 80, 0]),
            downloads=rng.choice([0, -3, 5, 10 ** rng.randint(0, 9), 2**60 + 1]),
            likes=rng.choice([0, 1, 10 ** rng.randint(0, 5)]),
            params_total=rng.choice([None, 0, 7 * 10**9, 10**13]),
        )
        for i in range(2000)
    ]
    assert quality_scores(models, DEFAULT_ASSUMPTIONS) == [
        quality_score(m, DEFAULT_ASSUMPTIONS) for m in models
    ]
    assert quality_scores([], DEFAULT_ASSUMPTIONS) == []


def test_round_3_is_pythons_round() -> None:
    rng = _rng(2)
    values = (
        [rng.uniform(-5, 105) for _ in range(20_000)]
        + [k / 2000 for k in range(-2000, 20_001)]  # exact and near halves
        + [k / 1000 + 0.0005 for k in range(10_000)]
        + [2.675, 0.0005, -0.0004, -0.0, 1e12 + 0.1234, math.inf, -math.inf, math.nan]
    )
    got = round_3(np.array(values))
    assert [repr(v) for v in got] == [repr(round(v, 3)) for v in values]


def _cheapest_reference(model_id: list[int], cost: list[float]) -> list[int]:
    best: dict[int, int] = {}
    for i, (m, c) in enumerate(zip(model_id, cost, strict=True)):
        if math.isnan(c):
            continue
        if m not in best or c < cost[best[m]]:
            best[m] = i
    nan_models = {m for m, c in zip(model_id, cost, strict=True) if math.isnan(c)}
    return sorted(i for m, i in best.items() if m not in nan_models)


@pytest.mark.parametrize("seed", range(10))
def test_cheapest_per_model_grouped_and_ungrouped(seed: int) -> None:
    rng = _rng(seed)
    model_id = sorted(rng.randint(0, 30) for _ in range(400))  # grouped: the one-pass path
    cost = [float(rng.choice([1, 2, 3, 5, 8])) for _ in model_id]  # many ties
    if seed % 3 == 0:
        cost[rng.randrange(len(cost))] = math.nan  # a model with a NaN cost has none
    expected = _cheapest_reference(model_id, cost)
    got = cheapest_per_model(np.array(model_id), np.array(cost))
    assert got.tolist() == expected
    order = list(range(len(model_id)))
    rng.shuffle(order)  # ungrouped: the general path
    shuffled_ids, shuffled_cost = [model_id[i] for i in order], [cost[i] for i in order]
    got = cheapest_per_model(np.array(shuffled_ids), np.array(shuffled_cost))
    assert got.tolist() == _cheapest_reference(shuffled_ids, shuffled_cost)
    assert cheapest_per_model(np.zeros(0, dtype=np.int64), np.zeros(0)).tolist() == []


@pytest.mark.parametrize(
    "ids", [[3, 5, 9, 40], [-7, 2, 10**15], [10**12, 10**12 + 5]], ids=["dense", "neg", "sparse"]
)
def test_model_lookup_dense_and_sparse(ids: list[int]) -> None:
    sorted_ids = np.array(ids, dtype=np.int64)
    code = np.arange(len(ids), dtype=np.uint8) + 2
    score = np.arange(len(ids)) * 1.5 + 0.25
    values = np.array([*ids, -1, 0, 4, 10**16, ids[0] - 1, ids[-1] + 1, *reversed(ids)])
    lookup = ModelLookup(sorted_ids, code, score, len(values))
    expected = {i: k for k, i in enumerate(ids)}
    assert lookup.codes(values).tolist() == [
        int(code[expected[v]]) if v in expected else checks.UNKNOWN for v in values.tolist()
    ]
    known = np.array([v for v in values.tolist() if v in expected], dtype=np.int64)
    assert lookup.scores(known).tolist() == [float(score[expected[v]]) for v in known.tolist()]


def test_each_option_counted_once_for_its_first_failed_check() -> None:
    """Options failing several checks at once: only the first (in the rank's order) counts."""
    models = [
        make_model(1),
        make_model(2, open_weights=False, context_tokens=1024),  # closed and short
        make_model(3, context_tokens=1024),  # short context only
    ]
    slow = {"ttft_s": 9.0}
    options = [
        make_option(1, fits=False, decode_tokens_per_s_total=0.0, **slow),  # no fit first
        make_option(2, fits=False),  # no fit before closed weights
        make_option(2, cloud="gcp", **slow),  # closed weights before the cloud and latency
        make_option(3, cloud="gcp"),  # short context before the cloud
        make_option(1, cloud="gcp", decode_tokens_per_s_total=0.0, **slow),  # wrong cloud
        make_option(1, spot=True, **slow),  # spot not asked for: wrong pricing
        make_option(1, cloud="azure", decode_tokens_per_s_total=0.0),  # banned, then none
        make_option(1, decode_tokens_per_s_total=math.nan, **slow),  # no throughput first
        make_option(1, **slow),  # latency only
        make_4090(1, count=8, **slow),  # not enough owned accelerators before latency
        make_4090(1, decode_tokens_per_s_total=1.0),  # owned, too few for the load
        make_option(99, fits=False),  # unknown model: not counted
        make_option(1),  # passes
    ]
    hardware = HardwareChoice(owned=(("rtx-4090", 1),), clouds=("aws", "azure"))
    constraints = Constraints(min_context_tokens=8192, excluded_providers=("azure",))
    workload = make_workload(max_ttft_s=1.0, requests_per_day=100_000)
    for opts in (options, SelfHostTable.from_options(options)):
        result = rank(workload, Budget(), hardware, constraints, models, [], opts)
        assert dict(result.excluded) == {
            "self-host: does not fit in memory": 2,
            "self-host: weights not open": 1,
            "self-host: context shorter than required": 1,
            "cloud: other cloud, region or pricing": 2,
            "cloud: provider excluded": 1,
            "self-host: no throughput figure": 1,
            "self-host: misses the latency target": 1,
            "owned: accelerator not owned (or too few)": 1,
            "owned: too few accelerators for the load": 1,
        }
        assert result.candidates == 1


def _grid(seed: int) -> tuple[list, list]:
    """Models × hosts × precisions, model-major, with distinct costs (no ties)."""
    rng = _rng(seed)
    models = [make_model(i, quality_index=rng.choice([None, 50.0, 70.0])) for i in range(1, 40)]
    options = []
    for m in models:
        for h in range(6):
            for p in ("bf16", "int4"):
                if h == 0:
                    where = {
                        "accelerator_slug": "rtx-4090",
                        "owned": True,
                        "cloud": "",
                        "region": "",
                        "instance": "",
                    }
                else:
                    where = {"accelerator_slug": f"acc-{h}", "cloud": rng.choice(["aws", "gcp"])}
                options.append(
                    make_option(
                        m.id, precision=p, fits=rng.random() < 0.8,
                        ttft_s=rng.choice([0.2, 0.2, 3.0]),
                        decode_tokens_per_s_total=rng.uniform(50, 3000),
                        prefill_tokens_per_s=rng.choice([None, 0.0, rng.uniform(1e3, 1e4)]),
                        hourly_usd=rng.uniform(0.1, 9.0), **where,
                    )
                )  # fmt: skip
    return models, options


def _summary(result) -> tuple:
    def key(r):
        return (r.model_id, r.deployment.label, r.monthly_usd, r.rank, r.pareto)

    return (
        [key(r) for r in result.rows],
        [key(r) for r in result.pareto],
        result.candidates,
        result.within_budget,
        result.excluded,
        result.message,
    )


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_table_and_small_blocks_give_the_same_result(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    models, options = _grid(seed)
    workload = make_workload(max_ttft_s=1.0, requests_per_day=20_000, peak_concurrency=8)
    hardware = HardwareChoice(owned=(("rtx-4090", 2),), clouds=("aws",))
    budget = Budget(monthly_usd=[None, 1.0, 3000.0][seed % 3])
    args = (workload, budget, hardware, Constraints(min_context_tokens=8192), models, [])
    grouped = rank(*args, SelfHostTable.from_options(options), limit=7)
    shuffled = list(options)
    _rng(seed + 100).shuffle(shuffled)
    assert _summary(rank(*args, SelfHostTable.from_options(shuffled), limit=7)) == _summary(grouped)
    monkeypatch.setattr(costs, "BLOCK", 5)  # many blocks, a model across two
    monkeypatch.setattr(costs.cost_options, "__defaults__", (5,))
    assert rank(*args, SelfHostTable.from_options(options), limit=7) == grouped
