"""ApiOfferTable (the columnar API offers) and the vectorized offer checks and costs:
the same records, reasons and floats as the record-at-a-time formulas."""

from __future__ import annotations

import random

import numpy as np
import pytest

from planner.engine import api_offer_missing_prices, latency_ok
from planner.engine.columns import ApiOfferTable
from planner.engine.costs import monthly_api_usd, monthly_api_usd_columns
from planner.engine.ranking import api_candidates as rank_offers
from planner.records import ApiOffer
from tests.planner.builders import make_offer, make_workload


def _price(rng: random.Random) -> float | None:
    return None if rng.random() < 0.25 else round(rng.uniform(0.0, 20.0), 4)


def _random_offers(seed: int, n: int = 200) -> list[ApiOffer]:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    return [
        ApiOffer(
            id=i,
            model_id=rng.randint(1, 30),
            provider_slug=rng.choice("abcde"),
            provider_name=rng.choice(["", "Name"]),
            usd_per_mtok_input=_price(rng),
            usd_per_mtok_output=_price(rng),
            usd_per_mtok_cached_input=_price(rng),
            usd_per_mtok_batch_input=_price(rng),
            usd_per_mtok_batch_output=_price(rng),
            usd_per_image=_price(rng),
            usd_per_audio_minute=_price(rng),
            context_tokens=rng.choice([None, 4096, 8192, 131072]),
            ttft_s=rng.choice([None, 0.3, 1.5, 4.0]),
            stream_tokens_per_s=rng.choice([None, 20.0, 80.0]),
        )
        for i in range(1, n + 1)
    ]


def test_table_round_trips_records_and_rows() -> None:
    offers = _random_offers(1, 40)
    table = ApiOfferTable.from_offers(offers)
    assert list(table) == offers
    assert table[3] == offers[3]
    assert table[2:5] == offers[2:5]
    assert ApiOfferTable.from_offers(table) is table
    assert list(table.take(np.array([5, 1]))) == [offers[5], offers[1]]
    # rows as the planner's offer query reads them (no ttft / stream figures)
    plain = [
        ApiOffer(o.id, o.model_id, o.provider_slug, o.provider_name, o.usd_per_mtok_input,
                 o.usd_per_mtok_output, o.usd_per_mtok_cached_input, o.usd_per_mtok_batch_input,
                 o.usd_per_mtok_batch_output, o.usd_per_image, o.usd_per_audio_minute,
                 o.context_tokens)
        for o in offers
    ]  # fmt: skip
    rows = [tuple(getattr(o, f) for f in ApiOffer.__slots__[:12]) for o in plain]
    assert list(ApiOfferTable.from_rows(rows)) == plain
    assert list(ApiOfferTable.from_rows([])) == []
    assert isinstance(table[0].context_tokens, int | None)


@pytest.mark.parametrize("batch_ok", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_column_costs_equal_the_scalar_formula_bit_for_bit(seed: int, batch_ok: bool) -> None:
    workload = make_workload(
        batch_ok=batch_ok, images_per_request=0.5, audio_minutes_per_request=0.25,
        cacheable_input_share=0.37,
    )  # fmt: skip
    offers = _random_offers(seed)
    table = ApiOfferTable.from_offers(offers)
    requests, share = 123_457.0, 0.37
    costs = monthly_api_usd_columns(workload, table, np.arange(len(offers)), requests, share)
    assert costs.tolist() == [monthly_api_usd(workload, o, requests, share) for o in offers]


def _reference(workload, offers, passing, banned, min_ctx):
    """The rank's former loop over records."""
    excluded: dict[str, int] = {}
    kept = []
    for o in offers:
        if o.model_id not in passing:
            continue
        reason = None
        if o.provider_slug in banned:
            reason = "api: provider excluded"
        elif not (
            (min_ctx is None or o.context_tokens >= min_ctx)
            if o.context_tokens is not None
            else passing[o.model_id]
        ):
            reason = "api: context shorter than required"
        elif api_offer_missing_prices(workload, o):
            reason = "api: no price for a unit the workload uses"
        elif latency_ok(workload, o.ttft_s, o.stream_tokens_per_s) is False:
            reason = "api: misses the latency target"
        if reason:
            excluded[reason] = excluded.get(reason, 0) + 1
        else:
            kept.append((o.id, monthly_api_usd(workload, o, 5000.0, 0.2), o))
    # one listing per (model, provider): the cheapest, the first in order among equals
    best: dict[tuple[int, str], tuple] = {}
    for entry in kept:
        key = (entry[2].model_id, entry[2].provider_slug)
        if key not in best or entry[1] < best[key][1]:
            best[key] = entry
    if dropped := len(kept) - len(best):
        excluded["api: the same provider's cheaper listing is ranked"] = dropped
    chosen = {e[0] for e in best.values()}  # offer ids
    return [(i, c) for i, c, _ in kept if i in chosen], excluded


@pytest.mark.parametrize("seed", range(8))
def test_checks_count_each_offer_once_under_its_first_failed_check(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    workload = make_workload(
        max_ttft_s=rng.choice([None, 1.0]), min_stream_tokens_per_s=rng.choice([None, 50.0]),
        images_per_request=rng.choice([0.0, 1.0]), cacheable_input_share=0.2,
    )  # fmt: skip
    offers = _random_offers(seed + 100)
    passing = {m: rng.random() < 0.7 for m in range(1, 31) if rng.random() < 0.8}
    banned = set(rng.sample("abcde", rng.randint(0, 2)))
    min_ctx = rng.choice([None, 8192])
    ids = np.array(sorted(passing), dtype=np.int64)
    ctx_ok = np.array([passing[i] for i in sorted(passing)], dtype=bool)
    excluded: dict[str, int] = {}

    def out(reason: str, n: int) -> None:
        excluded[reason] = excluded.get(reason, 0) + n

    table = ApiOfferTable.from_offers(offers)
    index, model, cost = rank_offers(
        workload, table, ids, ctx_ok, banned=banned, min_context_tokens=min_ctx,
        requests=5000.0, cache_share=0.2, out=out,
    )  # fmt: skip
    kept, expected = _reference(workload, offers, passing, banned, min_ctx)
    assert list(zip(table.id[index].tolist(), cost.tolist(), strict=True)) == kept
    assert ids[model].tolist() == table.model_id[index].tolist()
    assert excluded == expected


def test_no_offers_or_no_models() -> None:
    table = ApiOfferTable.from_offers([make_offer(1, 1)])
    empty = ApiOfferTable.from_offers([])
    ids, ok = np.array([1], dtype=np.int64), np.array([True])
    none = np.zeros(0, dtype=np.int64)
    for offers, model_ids, ctx in ((empty, ids, ok), (table, none, np.zeros(0, dtype=bool))):
        index, _, cost = rank_offers(
            make_workload(), offers, model_ids, ctx, banned=set(), min_context_tokens=None,
            requests=1.0, cache_share=0.0, out=lambda reason, n: None,
        )  # fmt: skip
        assert len(index) == 0
        assert len(cost) == 0


def test_one_row_per_provider_and_model_the_cheapest_listing() -> None:
    from planner.engine import rank
    from planner.records import Budget, Constraints, HardwareChoice
    from tests.planner.builders import make_model

    def listing(offer_id: int, model_id: int, slug: str, p_in: float) -> ApiOffer:
        return make_offer(offer_id, model_id, provider_slug=slug, usd_per_mtok_input=p_in)

    offers = [
        listing(1, 1, "openrouter", 0.9),  # three feeds list OpenRouter's price for model 1
        listing(2, 1, "openrouter", 0.5),
        listing(3, 1, "openrouter", 0.5),  # equal to offer 2: the first one stays
        listing(4, 1, "together", 0.7),
        listing(5, 2, "openrouter", 0.9),  # another model: its own row
    ]
    models = [make_model(1, quality_index=70.0), make_model(2, quality_index=60.0)]
    result = rank(make_workload(), Budget(), HardwareChoice(), Constraints(), models, offers, [])
    assert [r.deployment.offer_id for r in result.rows] == [2, 4, 5]
    assert result.candidates == 3
    assert dict(result.excluded)["api: the same provider's cheaper listing is ranked"] == 2
