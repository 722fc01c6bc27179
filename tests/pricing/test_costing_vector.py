# ruff: noqa: E501  (the hand cases read best one usage per line)
"""The vectorised cost function (pricing.costing.vector) equals the exact one on hand cases:
every per-token case of the hand-computed table, tiers either side of the threshold,
5-minute and 1-hour cache writes, batch rows and the batch multiplier, service tiers,
per-request fees, feed prices with float artifacts (many decimals), and huge counts
(priced by the exact path)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from pricing.costing import OfferPricing, PriceComponent, Usage, price_request
from pricing.costing.vector import TokenUsages, price_pairs
from tests.pricing.test_costing import CASES, CLAUDE, GPT, UNITS

D = Decimal
P = PriceComponent

FEE = OfferPricing((P("input", D("0.1")), P("output", D("0.4")), P("request", D("0.005"))))
# Databricks-style prices as LiteLLM's float text spells them (16-17 decimals per 1M)
ARTIFACTS = OfferPricing(
    (
        P("input", D("2.9999900000000002")),
        P("output", D("15.000020000000002")),
        P("cache_read", D("0.30002")),
        P("cache_write", D("3.74997")),
        P("input", D("0.40000000000000003"), batch=True),
    )
)
NO_OUTPUT = OfferPricing((P("input", D("1")),))  # output tokens unpriced: left out, as exact


def _vector_total(usage: Usage, offer: OfferPricing, requests: int) -> Decimal:
    costs = price_pairs([offer], np.zeros(1, dtype=np.int64), TokenUsages.from_usages([usage]),
                        requests)  # fmt: skip
    return costs.total(0)


def _token_shaped(usage: Usage) -> bool:
    try:
        TokenUsages.from_usages([usage])
    except ValueError:
        return False
    return True


TABLE = [c for c in CASES if _token_shaped(c[2])]


def test_table_has_the_token_cases() -> None:
    names = {c[0] for c in TABLE}
    assert len(TABLE) >= 10
    assert {"cache write 1h", "tier: 200,001 input bills all at tier", "batch rows"} <= names


@pytest.mark.parametrize(("name", "offer", "usage", "requests", "expected"), TABLE,
                         ids=[c[0] for c in TABLE])  # fmt: skip
def test_hand_table(name, offer, usage, requests, expected) -> None:
    expected += D("0.005") * requests if offer is UNITS else 0  # the table adds UNITS' fee apart
    assert _vector_total(usage, offer, requests) == expected
    assert _vector_total(usage, offer, requests) == price_request(usage, offer, requests).total


HAND = [
    # tiers: all of a request's tokens at the tier its input reaches (per request)
    ("tier 199,999 with cache", CLAUDE,
     Usage(input_tokens=199_999, cache_read_tokens=1000, cache_write_tokens=500, output_tokens=100), 3,
     (D(198_499) * 3 + D(1000) * D("0.3") + D(500) * D("3.75") + D(100) * 15) * 3 / 10**6),
    ("tier 200,001 with cache", CLAUDE,
     Usage(input_tokens=200_001, cache_read_tokens=1000, cache_write_tokens=500, output_tokens=100), 3,
     (D(198_501) * 6 + D(1000) * D("0.6") + D(500) * D("7.5") + D(100) * D("22.5")) * 3 / 10**6),
    ("5m and 1h writes", CLAUDE,
     Usage(input_tokens=10_000, cache_write_tokens=3000, cache_write_1h_tokens=2000, output_tokens=100), 1000,
     (D(5000) * 3 + D(3000) * D("3.75") + D(2000) * 6 + D(100) * 15) * 1000 / 10**6),
    ("batch rows", CLAUDE, Usage(input_tokens=1000, output_tokens=500, batch=True), 1000,
     (D(1000) * D("1.5") + D(500) * D("7.5")) * 1000 / 10**6),
    ("batch multiplier", GPT, Usage(input_tokens=1000, output_tokens=500, batch=True), 7,
     (D(1000) * D("1.25") + D(500) * 10) * D("0.5") * 7 / 10**6),
    ("priority", GPT, Usage(input_tokens=1000, output_tokens=500, service_tier="priority"), 1,
     (D(1000) * D("2.5") + D(500) * 20) / 10**6),
    ("flex", GPT, Usage(input_tokens=1000, output_tokens=500, service_tier="flex"), 1,
     (D(1000) * D("0.625") + D(500) * 5) / 10**6),
    ("standard is the plain tier", GPT,
     Usage(input_tokens=1000, output_tokens=500, service_tier="standard"), 1,
     (D(1000) * D("1.25") + D(500) * 10) / 10**6),
    ("audio, image and reasoning tokens", GPT,
     Usage(input_tokens=1000, audio_input_tokens=400, image_input_tokens=100, output_tokens=2000,
           reasoning_tokens=600, audio_output_tokens=200, image_output_tokens=300), 1,
     (D(500) * D("1.25") + D(400) * 32 + D(100) * 5 + D(900) * 10 + D(600) * 12 + D(200) * 64
      + D(300) * 40) / 10**6),
    ("per-request fee", FEE, Usage(input_tokens=1000, output_tokens=500), 1000,
     (D(1000) * D("0.1") + D(500) * D("0.4")) * 1000 / 10**6 + D("0.005") * 1000),
    ("fee alone (no tokens)", FEE, Usage(), 3, D("0.005") * 3),
    ("float-artifact prices", ARTIFACTS,
     Usage(input_tokens=300_000, cache_read_tokens=100_000, cache_write_tokens=50_000,
           output_tokens=100_000), 1000,
     (D(150_000) * D("2.9999900000000002") + D(100_000) * D("0.30002")
      + D(50_000) * D("3.74997") + D(100_000) * D("15.000020000000002")) * 1000 / 10**6),
    ("batch row beside the default half price", ARTIFACTS,
     Usage(input_tokens=1000, output_tokens=10, batch=True), 1,
     (D(1000) * D("0.40000000000000003") + D(10) * D("15.000020000000002") * D("0.5")) / 10**6),
    ("unpriced output left out", NO_OUTPUT, Usage(input_tokens=1000, output_tokens=500), 2,
     D(1000) * 1 * 2 / 10**6),
]  # fmt: skip


@pytest.mark.parametrize(("name", "offer", "usage", "requests", "expected"), HAND,
                         ids=[c[0] for c in HAND])  # fmt: skip
def test_hand_cases(name, offer, usage, requests, expected) -> None:
    assert price_request(usage, offer, requests).total == expected
    assert _vector_total(usage, offer, requests) == expected


def test_many_pairs_at_once_equal_the_exact_function() -> None:
    offers = [CLAUDE, GPT, FEE, ARTIFACTS, NO_OUTPUT]
    usages = [c[2] for c in HAND]
    pairs = [(o, u) for o in range(len(offers)) for u in range(len(usages))]
    index = np.array([o for o, _ in pairs], dtype=np.int64)
    batch = TokenUsages.from_usages([usages[u] for _, u in pairs])
    costs = price_pairs(offers, index, batch, 250)
    assert not costs.fallback
    exact = [price_request(usages[u], offers[o], 250).total for o, u in pairs]
    assert [costs.total(i) for i in range(len(pairs))] == exact
    assert np.allclose(costs.floats(), [float(x) for x in exact], rtol=1e-12, atol=0)


def test_huge_counts_take_the_exact_path() -> None:
    usages = [
        Usage(input_tokens=3 * 10**9, output_tokens=10**9),  # over 2^31 tokens a request
        Usage(input_tokens=2**62, output_tokens=2**62),  # their int64 sum would wrap
    ]
    costs = price_pairs([CLAUDE], np.zeros(2, dtype=np.int64), TokenUsages.from_usages(usages))
    assert set(costs.fallback) == {0, 1}
    assert costs.total(0) == D(3 * 10**9) * 6 / 10**6 + D(10**9) * D("22.5") / 10**6
    assert costs.total(1) == D(2**62) * 6 / 10**6 + D(2**62) * D("22.5") / 10**6


def test_negative_counts_and_prices_take_the_exact_path() -> None:
    negative = OfferPricing((P("input", D("-1")), P("output", D("2"))))  # a credit, say
    usages = TokenUsages.from_usages([Usage(input_tokens=1000, output_tokens=10)] * 2)
    usages.output_tokens[1] = -10  # built by hand: from_usages refuses negative counts
    costs = price_pairs([negative, CLAUDE], np.array([0, 1]), usages)
    assert set(costs.fallback) == {0, 1}
    assert costs.total(0) == (D(1000) * -1 + D(10) * 2) / 10**6
    assert costs.total(1) == price_request(usages.usage(1), CLAUDE).total


@pytest.mark.parametrize(
    "usage",
    [
        Usage(input_tokens=-1),
        Usage(input_tokens=10, images=1),
        Usage(input_tokens=10, audio_seconds=3),
        Usage(input_tokens=10, web_searches=1),
        Usage(input_tokens=10, region="eu"),
        Usage(input_tokens=D("10.5")),
    ],
    ids=["negative", "images", "seconds", "searches", "region", "fractional tokens"],
)
def test_other_shapes_are_refused(usage: Usage) -> None:
    with pytest.raises(ValueError, match="price it with price_request"):
        TokenUsages.from_usages([usage])


def test_no_pairs() -> None:
    costs = price_pairs([CLAUDE], np.zeros(0, dtype=np.int64), TokenUsages.from_usages([]))
    assert len(costs) == 0
    assert costs.floats().shape == (0,)
