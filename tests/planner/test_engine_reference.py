"""rank() agrees with a brute-force reference (sort every candidate) on random inputs.

The engine streams candidates through bounded heaps with shortcuts in its hot loop; this
reference spells out the rule plainly: feasible candidates in input order (offers, then
self-host options), sorted by (over budget, −quality, cost, input order), or by
(cost, −quality, input order) when nothing fits; Pareto = undominated (cost, quality).
"""

from __future__ import annotations

import random

import pytest

from planner.engine import (
    DEFAULT_ASSUMPTIONS,
    monthly_api_cost,
    monthly_selfhost_cost,
    quality_signal,
    rank,
)
from planner.records import ApiOffer, Budget, Constraints, HardwareChoice
from tests.planner.builders import make_4090, make_model, make_offer, make_option, make_workload


def _random_case(seed: int):
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    models = [
        make_model(i, quality_index=rng.choice([None, 40.0, 55.0, 70.0]), downloads=i * 97)
        for i in range(1, 13)
    ]
    offers = [
        make_offer(
            o,
            rng.randint(1, 12),
            usd_per_mtok_input=rng.choice([0.1, 0.5, 1.0]),
            usd_per_mtok_output=rng.choice([0.2, 1.5, 3.0]),
        )
        for o in range(1, 15)
    ]
    options = []
    for _ in range(60):
        mid = rng.randint(1, 12)
        if rng.random() < 0.3:
            options.append(make_4090(mid, decode_tokens_per_s_total=rng.choice([300.0, 900.0])))
        else:
            options.append(
                make_option(
                    mid,
                    hourly_usd=rng.choice([0.01, 0.03, 0.05, 0.5, 2.0]),
                    decode_tokens_per_s_total=rng.choice([200.0, 1200.0]),
                    fits=rng.random() < 0.8,
                )
            )
    workload = make_workload(requests_per_day=rng.choice([100, 1000, 20_000]))
    budget = Budget(monthly_usd=rng.choice([None, 5.0, 40.0, 400.0]))
    return models, offers, options, workload, budget


def _reference(models, offers, options, workload, budget, result_quality):
    rows = [(o, _cost(workload, o)) for o in offers]
    rows += [(o, _cost(workload, o)) for o in options if o.fits]
    limit = budget.monthly_usd
    keyed = [
        (cost, result_quality[subject.model_id], seq, subject)
        for seq, (subject, cost) in enumerate(rows)
    ]
    nothing = limit is not None and all(c > limit for c, *_ in keyed)
    if nothing:
        keyed.sort(key=lambda k: (k[0], -k[1], k[2]))
    else:
        keyed.sort(key=lambda k: (limit is not None and k[0] > limit, -k[1], k[0], k[2]))
    front = {
        id(s)
        for c, q, _, s in keyed
        if not any((c2 <= c and q2 >= q and (c2 < c or q2 > q)) for c2, q2, _, _ in keyed)
    }
    return [k[3] for k in keyed], front


def _cost(workload, subject) -> float:
    if isinstance(subject, ApiOffer):
        return monthly_api_cost(workload, subject).monthly_usd
    return monthly_selfhost_cost(workload, subject).monthly_usd


def _key(row_or_subject) -> tuple:
    d = getattr(row_or_subject, "deployment", None)
    if d is not None:
        return (row_or_subject.model_id, d.offer_id, d.accelerator_slug, d.cloud)
    s = row_or_subject
    if isinstance(s, ApiOffer):
        return (s.model_id, s.id, "", "")
    return (s.model_id, None, s.accelerator_slug, s.cloud)


@pytest.mark.parametrize("seed", range(40))
def test_rank_matches_brute_force_reference(seed: int) -> None:
    models, offers, options, workload, budget = _random_case(seed)
    hardware = HardwareChoice(owned=(("rtx-4090", 4),))
    result = rank(workload, budget, hardware, Constraints(), models, offers, options, limit=7)
    quality = {m.id: quality_signal(m, DEFAULT_ASSUMPTIONS).score for m in models}
    expected, front = _reference(models, offers, options, workload, budget, quality)
    assert result.candidates == len(expected)
    assert [_key(r) for r in result.rows] == [_key(s) for s in expected[:7]]
    assert [r.monthly_usd for r in result.rows] == pytest.approx(
        [_cost(workload, s) for s in expected[:7]]
    )
    # Pareto: the engine keeps one row per (cost, quality) point; the reference keeps all.
    want = {(round(_cost(workload, s), 6), quality[s.model_id]) for s in expected if id(s) in front}
    assert {(round(r.monthly_usd, 6), r.quality.score) for r in result.pareto} == want


def test_reference_cases_cover_over_budget_and_eviction() -> None:
    nothing = sum(
        rank(
            w, b, HardwareChoice(owned=(("rtx-4090", 4),)), Constraints(), m, o, s, limit=7
        ).nothing_within_budget
        for m, o, s, w, b in map(_random_case, range(40))
    )
    assert 0 < nothing < 40
