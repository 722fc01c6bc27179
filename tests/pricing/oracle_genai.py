"""genai-prices 0.2.3 as an oracle for the cost engine (issue 15 §4).

genai-prices is loaded with the shared data.json (`set_custom_snapshot`), not its bundled
data. Atlas prices the same usages with the rows `parse_genai_prices` maps from that file
(the record current at the request time). genai-prices has no batch or service tiers, so
its standard set is the LiteLLM one without batch/priority/flex.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from pricing.costing import OfferPricing, price_request
from pricing.feeds.genai_prices import parse_genai_prices
from tests.pricing.oracle_litellm import PEAK, Case, agree, standard_usages

PEER_ONLY = ("batch", "priority", "flex")


def genai_usage(u) -> object:
    from genai_prices.types import Usage as GUsage

    values = {
        "input_tokens": u.input_tokens, "output_tokens": u.output_tokens,
        "cache_read_tokens": u.cache_read_tokens,
        "cache_write_tokens": u.cache_write_tokens + u.cache_write_1h_tokens,
        "cache_write_1h_tokens": u.cache_write_1h_tokens,
        "input_audio_tokens": u.audio_input_tokens, "output_audio_tokens": u.audio_output_tokens,
        "input_image_tokens": u.image_input_tokens, "output_image_tokens": u.image_output_tokens,
        "output_reasoning_tokens": u.reasoning_tokens,
    }  # fmt: skip
    return GUsage(**{k: int(v) for k, v in values.items() if v})


def compare(path: Path) -> dict[str, list[str]]:
    """{provider/model: [disagreeing cases]} for every model priced in the file."""
    from genai_prices.data_snapshot import DataSnapshot, set_custom_snapshot
    from genai_prices.types import _providers_from_raw

    providers = _providers_from_raw(json.loads(path.read_bytes()))
    set_custom_snapshot(DataSnapshot(providers, from_auto_update=False))
    models = {(p.id.lower(), m.id): (p, m) for p in providers for m in p.models}
    records, _ = parse_genai_prices(path.read_bytes())
    current: dict[tuple[str, str], object] = {}
    for r in sorted(records, key=lambda r: (r.valid_from is not None, r.valid_from or PEAK)):
        if r.valid_from is None or r.valid_from <= PEAK:
            current[(r.provider, r.model_name)] = r
    out: dict[str, list[str]] = {}
    for key, r in current.items():
        provider, model = models[key]
        offer = OfferPricing(r.components)
        thresholds = [c.above_input_tokens for c in r.components if c.above_input_tokens]
        bad = []
        for case in standard_usages(thresholds):
            if case.name in PEER_ONLY:
                continue
            bad.extend(_check(case, offer, provider, model))
        out["/".join(key)] = bad
    return out


def _check(case: Case, offer: OfferPricing, provider, model) -> list[str]:
    ours = price_request(replace(case.usage, at=PEAK), offer).total
    try:
        theirs = model.calc_price(
            genai_usage(case.usage), provider, genai_request_timestamp=PEAK
        ).total_price
    except ValueError as exc:  # the peer refuses a usage its units cannot split
        return [f"{case.name}: genai-prices raised {exc}"]
    return [] if agree(ours, Decimal(theirs)) else [f"{case.name}: atlas {ours} genai {theirs}"]
