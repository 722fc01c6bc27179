"""Cost formulas, checked by hand (no database): API costs through the one cost function
(pricing.costing; more cases in test_costing.py) and the self-hosted $/1M formula."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from pricing.cost import self_hosted_usd_per_mtok
from pricing.costing import OfferPricing, PriceComponent, Usage, price_request

D = Decimal
P = PriceComponent
GPT = OfferPricing((
    P("input", D("2.5")), P("output", D("10")), P("cache_read", D("1.25")),
    P("input", D("1.25"), batch=True), P("output", D("5"), batch=True),
))  # fmt: skip
TIERED = OfferPricing((
    P("input", D("1.25")), P("output", D("10")),
    P("input", D("2.5"), above_input_tokens=200_000),
    P("output", D("15"), above_input_tokens=200_000),
))  # fmt: skip
MONTH = 1000 * 30  # 1000 requests a day for 30 days


def monthly(offer, usage, requests, batch_share):
    """A month of requests, `batch_share` of them through the batch API."""
    batch = requests * batch_share
    return (
        price_request(usage, offer, requests - batch).total
        + price_request(replace(usage, batch=True), offer, batch).total
    )


@pytest.mark.parametrize(
    ("offer", "usage", "requests", "batch_share", "expected"),
    [
        # 1000 req/day x 30 days x (1000 in x 2.5 + 500 out x 10) / 1e6 = 30000 x 0.0075 = 225
        (GPT, Usage(input_tokens=1000, output_tokens=500), MONTH, D(0), D("225")),
        # half the input cached: 500 x 2.5 + 500 x 1.25 + 500 x 10 = 6875 -> 30000 x 0.006875
        (GPT, Usage(input_tokens=1000, cache_read_tokens=500, output_tokens=500), MONTH, D(0),
         D("206.25")),
        # all through batch: 1000 x 1.25 + 500 x 5 = 3750 -> 30000 x 0.00375 = 112.5
        (GPT, Usage(input_tokens=1000, output_tokens=500), MONTH, D(1), D("112.5")),
        # half batch: (225 + 112.5) / 2
        (GPT, Usage(input_tokens=1000, output_tokens=500), MONTH, D("0.5"), D("168.75")),
        # no batch prices published: 50% off the list prices -> same as above here
        (OfferPricing((P("input", D("2.5")), P("output", D("10")))),
         Usage(input_tokens=1000, output_tokens=500), MONTH, D(1), D("112.5")),
        # below the tier threshold: 100 req x 30 x (100000 x 1.25 + 1000 x 10) / 1e6 = 405
        (TIERED, Usage(input_tokens=100_000, output_tokens=1000), 3000, D(0), D("405")),
        # above it, the whole request at tier prices: 3000 x (300000 x 2.5 + 1000 x 15) / 1e6
        (TIERED, Usage(input_tokens=300_000, output_tokens=1000), 3000, D(0), D("2295")),
        # one day only: 10 x 1M x 2.5 / 1e6
        (GPT, Usage(input_tokens=1_000_000), 10, D(0), D("25")),
        # no cache price: cached tokens cost the full input price
        (OfferPricing((P("input", D(2)), P("output", D(0)))),
         Usage(input_tokens=1_000_000, cache_read_tokens=900_000), 1, D(0), D("2")),
    ],
)  # fmt: skip
def test_monthly_api_cost(offer, usage, requests, batch_share, expected) -> None:
    assert monthly(offer, usage, requests, batch_share) == expected


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
