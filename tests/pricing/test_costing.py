# ruff: noqa: E501  (the table of cases reads best one case per line pair)
"""The one cost function, checked by hand: one case per price kind (issue 15 §2/§3).

Every expected figure is written out as the arithmetic that produces it; token prices
are USD per 1M tokens, so tokens × price / 1e6."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pricing.costing import OfferPricing, PriceComponent, Usage, price_request
from pricing.costing.offers import columns_components, offer_pricing

D = Decimal
P = PriceComponent


def offer(*rows: PriceComponent) -> OfferPricing:
    return OfferPricing(rows)


CLAUDE = offer(
    P("input", D("3")), P("output", D("15")), P("cache_read", D("0.3")),
    P("cache_write", D("3.75")), P("cache_write", D("6"), cache_ttl="1h"),
    P("input", D("6"), above_input_tokens=200_000), P("output", D("22.5"), above_input_tokens=200_000),
    P("cache_read", D("0.6"), above_input_tokens=200_000),
    P("cache_write", D("7.5"), above_input_tokens=200_000),
    P("cache_write", D("12"), cache_ttl="1h", above_input_tokens=200_000),
    P("input", D("1.5"), batch=True), P("output", D("7.5"), batch=True),
)  # fmt: skip
GPT = offer(
    P("input", D("1.25")), P("output", D("10")), P("cache_read", D("0.125")),
    P("input", D("2.5"), service_tier="priority"), P("output", D("20"), service_tier="priority"),
    P("input", D("0.625"), service_tier="flex"), P("output", D("5"), service_tier="flex"),
    P("input", D("32"), modality="audio"), P("output", D("64"), modality="audio"),
    P("input", D("5"), modality="image"), P("output", D("40"), modality="image"),
    P("reasoning", D("12")), P("web_search", D("0.01"), resolution="low"),
    P("web_search", D("0.025"), resolution="high"),
    P("multiplier", D("1.1"), region="eu"), P("multiplier", D("0.5"), batch=True),
)  # fmt: skip
DEEPSEEK = offer(
    P("input", D("0.27")), P("output", D("1.1")), P("cache_read", D("0.07")),
    P("input", D("0.135"), window="16:30-00:30"), P("output", D("0.55"), window="16:30-00:30"),
)  # fmt: skip
UNITS = offer(
    P("image", D("0.04"), "image", resolution="1024x1024", quality="standard"),
    P("image", D("0.08"), "image", resolution="1024x1024", quality="hd"),
    P("image", D("0.12"), "image", resolution="1792x1024", quality="hd"),
    P("input_image", D("0.001315"), "image"), P("audio_second", D("0.0001"), "audio"),
    P("audio_minute", D("0.006"), "audio"), P("video_second", D("0.4"), "video", resolution="720p"),
    P("video_second", D("0.5"), "video", resolution="1080p"), P("character", D("0.000015")),
    P("page", D("0.001")), P("pixel", D("2.384185791015625e-08"), "image"), P("request", D("0.005")),
)  # fmt: skip

CASES = [
    # --- tokens -------------------------------------------------------------------
    (
        "input+output",
        CLAUDE,
        Usage(input_tokens=1000, output_tokens=500),
        1,
        D(1000) * 3 / 10**6 + D(500) * 15 / 10**6,
    ),  # 0.003 + 0.0075 = 0.0105
    (
        "cache read",
        CLAUDE,
        Usage(input_tokens=10_000, cache_read_tokens=8000),
        1,
        D(2000) * 3 / 10**6 + D(8000) * D("0.3") / 10**6,
    ),  # 0.006 + 0.0024
    (
        "cache write 5m",
        CLAUDE,
        Usage(input_tokens=10_000, cache_write_tokens=10_000),
        1,
        D(10_000) * D("3.75") / 10**6,
    ),  # 0.0375
    (
        "cache write 1h",
        CLAUDE,
        Usage(input_tokens=10_000, cache_write_1h_tokens=4000),
        1,
        D(6000) * 3 / 10**6 + D(4000) * 6 / 10**6,
    ),  # 0.018 + 0.024
    (
        "tier: 199,999 input stays base",
        CLAUDE,
        Usage(input_tokens=199_999, output_tokens=1),
        1,
        D(199_999) * 3 / 10**6 + D(1) * 15 / 10**6,
    ),
    (
        "tier: 200,001 input bills all at tier",
        CLAUDE,
        Usage(input_tokens=200_001, output_tokens=1),
        1,
        D(200_001) * 6 / 10**6 + D(1) * D("22.5") / 10**6,
    ),
    (
        "tier applies to cache read and writes",
        CLAUDE,
        Usage(
            input_tokens=300_000,
            cache_read_tokens=100_000,
            cache_write_tokens=50_000,
            cache_write_1h_tokens=50_000,
        ),
        1,
        D(100_000) * 6 / 10**6
        + D(100_000) * D("0.6") / 10**6
        + D(50_000) * D("7.5") / 10**6
        + D(50_000) * 12 / 10**6,
    ),  # 0.6 + 0.06 + 0.375 + 0.6
    (
        "tiers are per request, not per total",
        CLAUDE,
        Usage(input_tokens=150_000),
        10,
        D(150_000) * 10 * 3 / 10**6,
    ),  # 1.5M input tokens in all, each request under 200k
    (
        "batch rows",
        CLAUDE,
        Usage(input_tokens=1000, output_tokens=1000, batch=True),
        1,
        D(1000) * D("1.5") / 10**6 + D(1000) * D("7.5") / 10**6,
    ),
    (
        "batch without rows: multiplier",
        GPT,
        Usage(input_tokens=1000, output_tokens=1000, batch=True),
        1,
        (D(1000) * D("1.25") + D(1000) * 10) / 10**6 * D("0.5"),
    ),
    (
        "priority",
        GPT,
        Usage(input_tokens=1000, output_tokens=100, service_tier="priority"),
        1,
        D(1000) * D("2.5") / 10**6 + D(100) * 20 / 10**6,
    ),
    (
        "flex",
        GPT,
        Usage(input_tokens=1000, output_tokens=100, service_tier="flex"),
        1,
        D(1000) * D("0.625") / 10**6 + D(100) * 5 / 10**6,
    ),
    (
        "priority falls back to standard rows",
        GPT,
        Usage(input_tokens=1000, cache_read_tokens=1000, service_tier="priority"),
        1,
        D(1000) * D("0.125") / 10**6,
    ),  # no priority cache-read row: the standard one
    (
        "reasoning priced apart",
        GPT,
        Usage(output_tokens=1000, reasoning_tokens=600),
        1,
        D(400) * 10 / 10**6 + D(600) * 12 / 10**6,
    ),
    (
        "reasoning at output price",
        CLAUDE,
        Usage(output_tokens=1000, reasoning_tokens=600),
        1,
        D(1000) * 15 / 10**6,
    ),
    (
        "audio tokens in/out",
        GPT,
        Usage(
            input_tokens=1000, audio_input_tokens=400, output_tokens=300, audio_output_tokens=200
        ),
        1,
        D(600) * D("1.25") / 10**6
        + D(400) * 32 / 10**6
        + D(100) * 10 / 10**6
        + D(200) * 64 / 10**6,
    ),
    (
        "image tokens in/out",
        GPT,
        Usage(
            input_tokens=1000, image_input_tokens=1000, output_tokens=4000, image_output_tokens=4000
        ),
        1,
        D(1000) * 5 / 10**6 + D(4000) * 40 / 10**6,
    ),
    (
        "audio tokens without an audio price bill as text",
        CLAUDE,
        Usage(input_tokens=1000, audio_input_tokens=1000),
        1,
        D(1000) * 3 / 10**6,
    ),
    (
        "regional uplift",
        GPT,
        Usage(input_tokens=1000, output_tokens=100, region="eu"),
        1,
        (D(1000) * D("1.25") + D(100) * 10) / 10**6 * D("1.1"),
    ),
    (
        "off-peak window",
        DEEPSEEK,
        Usage(input_tokens=1000, output_tokens=1000, at=datetime(2026, 12, 2, 18, 0, tzinfo=UTC)),
        1,
        D(1000) * D("0.135") / 10**6 + D(1000) * D("0.55") / 10**6,
    ),
    (
        "window wraps midnight",
        DEEPSEEK,
        Usage(input_tokens=1000, at=datetime(2026, 12, 2, 0, 15, tzinfo=UTC)),
        1,
        D(1000) * D("0.135") / 10**6,
    ),
    (
        "peak hours: list price",
        DEEPSEEK,
        Usage(input_tokens=1000, at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
        1,
        D(1000) * D("0.27") / 10**6,
    ),
    (
        "web search by context size",
        GPT,
        Usage(web_searches=3, search_context="high"),
        1,
        3 * D("0.025"),
    ),
    # --- units --------------------------------------------------------------------
    (
        "image by size and quality",
        UNITS,
        Usage(images=2, image_size="1792x1024", image_quality="hd"),
        1,
        2 * D("0.12"),
    ),
    ("input images", UNITS, Usage(input_images=3), 1, 3 * D("0.001315")),
    (
        "audio seconds and minutes",
        UNITS,
        Usage(audio_seconds=90),
        1,
        90 * D("0.0001") + D(90) / 60 * D("0.006"),
    ),  # 0.009 + 0.009 (+ the request fee below)
    (
        "video seconds by resolution",
        UNITS,
        Usage(video_seconds=8, video_resolution="1080p"),
        1,
        8 * D("0.5"),
    ),
    ("characters", UNITS, Usage(characters=1000), 1, 1000 * D("0.000015")),
    ("pages", UNITS, Usage(pages=12), 1, 12 * D("0.001")),
    (
        "pixels (23 decimals kept)",
        UNITS,
        Usage(pixels=1024 * 1024),
        1,
        1024 * 1024 * D("2.384185791015625e-08"),
    ),  # = 0.025 exactly
    ("per request fee", UNITS, Usage(), 7, D(0)),  # the fee alone: 7 × 0.005, added below
]


@pytest.mark.parametrize(("offer", "usage", "requests", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_hand_computed(offer, usage, requests, expected) -> None:
    fee = D("0.005") * requests if offer is UNITS else D(0)  # UNITS has a per-request fee
    got = price_request(usage, offer, requests)
    assert got.missing == ()
    assert got.total == expected + fee


def test_pixel_price_is_exact() -> None:
    assert price_request(Usage(pixels=1024 * 1024), UNITS).total == D("0.025") + D("0.005")


def test_breakdown_lines_add_up_and_missing_units_are_named() -> None:
    got = price_request(Usage(input_tokens=10, output_tokens=10, pages=1), CLAUDE, 3)
    assert got.missing == ("pages",)
    assert sum(line.usd for line in got.lines) == got.total
    assert got.by_component() == {"input": D("0.00009"), "output": D("0.00045")}


def test_columns_of_an_offer_without_rows_price_the_same() -> None:
    columns = {
        "usd_per_mtok_input": D("3"), "usd_per_mtok_output": D("15"),
        "usd_per_mtok_cache_read": D("0.3"), "usd_per_mtok_cache_write": D("3.75"),
        "tiers": [{"above_tokens": 200000, "usd_per_mtok_input": "6"}], "unit": "token",
    }  # fmt: skip
    assert len(columns_components(columns)) == 5
    usage = Usage(input_tokens=250_000, cache_write_tokens=50_000)
    # 200,000 × 6 + 50,000 × 3.75 (no tier row for cache writes: base write price)
    expected = (D(200_000) * 6 + D(50_000) * D("3.75")) / 10**6
    assert price_request(usage, offer_pricing(columns)).total == expected


def test_custom_feed_rows_by_dimension_join_the_columns() -> None:
    import json

    from pricing.feeds.custom import parse_custom

    doc = {"offers": [{
        "provider": "acme", "model": "m", "unit": "token", "usd_per_mtok_input": "3",
        "usd_per_mtok_output": "15",
        "prices": [{"component": "cache_write", "price": "6", "cache_ttl": "1h"},
                   {"component": "input", "price": "6", "service_tier": "priority"}],
    }]}  # fmt: skip
    records, errors = parse_custom(json.dumps(doc).encode())
    assert errors == []
    usage = Usage(input_tokens=1000, cache_write_1h_tokens=1000, output_tokens=0)
    # 1000 1h-written tokens × 6 / 1e6 (no text input left)
    assert price_request(usage, offer_pricing({}, records[0].components)).total == D("0.006")
    priority = Usage(input_tokens=1000, service_tier="priority")
    assert price_request(priority, offer_pricing({}, records[0].components)).total == D("0.006")
    bad = {"offers": [{**doc["offers"][0], "prices": [{"component": "nope", "price": "1"}]}]}
    assert "unknown component" in parse_custom(json.dumps(bad).encode())[1][0].reason


def test_free_tier_prices_zero_not_missing() -> None:
    free = OfferPricing((P("input", D(0)), P("output", D(0))))
    got = price_request(Usage(input_tokens=1000, output_tokens=1000), free, 100)
    # 100 × (1000 × 0 + 1000 × 0) / 1e6: free, and priced (nothing missing)
    assert (got.total, got.missing, len(got.lines)) == (D(0), (), 2)
