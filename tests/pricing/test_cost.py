"""Cost formulas, checked by hand (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.cost import (
    ApiWorkload,
    PriceTier,
    TokenPrices,
    monthly_api_cost,
    self_hosted_usd_per_mtok,
)

D = Decimal
GPT = TokenPrices(
    usd_per_mtok_input=D("2.5"),
    usd_per_mtok_output=D("10"),
    usd_per_mtok_cache_read=D("1.25"),
    usd_per_mtok_batch_input=D("1.25"),
    usd_per_mtok_batch_output=D("5"),
)
TIERED = TokenPrices(
    usd_per_mtok_input=D("1.25"),
    usd_per_mtok_output=D("10"),
    tiers=(
        PriceTier(above_tokens=200_000, usd_per_mtok_input=D("2.5"), usd_per_mtok_output=D("15")),
    ),
)


@pytest.mark.parametrize(
    ("prices", "workload", "expected"),
    [
        # 1000 req/day x 30 days x (1000 in x 2.5 + 500 out x 10) / 1e6 = 30000 x 0.0075 = 225
        (GPT, ApiWorkload(1000, 1000, 500), D("225")),
        # half the input cached: 500 x 2.5 + 500 x 1.25 + 500 x 10 = 6875 -> 30000 x 0.006875
        (GPT, ApiWorkload(1000, 1000, 500, cache_hit_share=D("0.5")), D("206.25")),
        # all through batch: 1000 x 1.25 + 500 x 5 = 3750 -> 30000 x 0.00375 = 112.5
        (GPT, ApiWorkload(1000, 1000, 500, batch_share=D(1)), D("112.5")),
        # half batch: (225 + 112.5) / 2
        (GPT, ApiWorkload(1000, 1000, 500, batch_share=D("0.5")), D("168.75")),
        # no batch prices published: 50% discount on list prices -> same as above here
        (
            TokenPrices(usd_per_mtok_input=D("2.5"), usd_per_mtok_output=D("10")),
            ApiWorkload(1000, 1000, 500, batch_share=D(1)),
            D("112.5"),
        ),
        # below the tier threshold: 100 req x 30 x (100000 x 1.25 + 1000 x 10) / 1e6 = 405
        (TIERED, ApiWorkload(100, 100_000, 1000), D("405")),
        # above it, the whole request at tier prices: 3000 x (300000 x 2.5 + 1000 x 15) / 1e6
        (TIERED, ApiWorkload(100, 300_000, 1000), D("2295")),
        # one day only
        (GPT, ApiWorkload(10, 1_000_000, 0, days=1), D("25")),
        # no cache price: cached tokens cost the full input price
        (
            TokenPrices(usd_per_mtok_input=D(2), usd_per_mtok_output=D(0)),
            ApiWorkload(1, 1_000_000, 0, cache_hit_share=D("0.9"), days=1),
            D("2"),
        ),
    ],
)
def test_monthly_api_cost(prices, workload, expected) -> None:
    assert monthly_api_cost(prices, workload) == expected


@pytest.mark.parametrize(
    ("usd_per_hour", "tokens_per_s", "utilization", "instances", "expected"),
    [
        # 3.6 $/h at 1000 tok/s: 3.6 / 3.6M tokens per hour x 1e6 = 1 $/1M
        (D("3.6"), 1000, 1.0, 1, D("1")),
        # at 50% utilization it costs twice as much
        (D("3.6"), 1000, 0.5, 1, D("2")),
        # two instances each doing 1000 tok/s reported as total 1000: twice the cost
        (D("3.6"), 1000, 1.0, 2, D("2")),
        # H100 at 2.99 $/h, 2500 tok/s: 2.99 / 9e6 x 1e6 = 0.3322...
        (D("2.99"), 2500, 1.0, 1, D("2.99") / D(9)),
    ],
)
def test_self_hosted_usd_per_mtok(
    usd_per_hour, tokens_per_s, utilization, instances, expected
) -> None:
    got = self_hosted_usd_per_mtok(
        usd_per_hour=usd_per_hour,
        tokens_per_s=tokens_per_s,
        utilization=utilization,
        instances=instances,
    )
    assert got.quantize(D("0.000001")) == expected.quantize(D("0.000001"))


@pytest.mark.parametrize(("tokens_per_s", "utilization"), [(0, 1.0), (100, 0), (100, 1.5)])
def test_self_hosted_rejects_impossible_inputs(tokens_per_s, utilization) -> None:
    with pytest.raises(ValueError, match="must be"):
        self_hosted_usd_per_mtok(
            usd_per_hour=D(1), tokens_per_s=tokens_per_s, utilization=utilization
        )
