# ruff: noqa: E501  (the standard usages read best one case per line)
"""LiteLLM 1.110.2 as an oracle for the cost engine (issue 15 §4).

`compare()` prices the standard usages below with Atlas (`pricing.costing` over the rows
`parse_litellm` maps from the shared file) and with LiteLLM's own `cost_per_token` on its
own map (LITELLM_LOCAL_MODEL_COST_MAP=True: the packaged map, byte-identical to the shared
file, checked by the test), and returns per-model agreement.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pricing.costing import OfferPricing, Usage, price_request
from pricing.feeds.litellm import parse_litellm

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before litellm is imported anywhere

# A Monday 02:30 UTC: outside every off-peak window in the map (DeepSeek's are 16:30-00:30
# and weekday 10:00-00:00 / weekends), so both sides bill list prices.
PEAK = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
REL = Decimal("1e-9")


@dataclass(frozen=True)
class Case:
    name: str
    usage: Usage


def standard_usages(thresholds: list[int]) -> list[Case]:
    """The standard usage set: plain, cache read, 5m and 1h writes, reasoning, audio and
    image tokens, batch, priority, flex, and each tier threshold −1, exactly and +1 token
    (with cache): the exact threshold tells "above" from "from" (xAI bills its tier from
    the threshold on)."""
    base = [
        Case("plain", Usage(input_tokens=1000, output_tokens=500)),
        Case("cache read", Usage(input_tokens=10_000, cache_read_tokens=8000, output_tokens=100)),
        Case("cache write 5m", Usage(input_tokens=10_000, cache_write_tokens=3000, output_tokens=100)),
        Case("cache write 5m+1h",
             Usage(input_tokens=10_000, cache_write_tokens=3000, cache_write_1h_tokens=2000,
                   output_tokens=100)),
        Case("reasoning", Usage(input_tokens=100, output_tokens=1000, reasoning_tokens=600)),
        Case("audio tokens",
             Usage(input_tokens=1000, audio_input_tokens=400, output_tokens=300, audio_output_tokens=200)),
        Case("image tokens",
             Usage(input_tokens=1000, image_input_tokens=500, output_tokens=2000, image_output_tokens=1000)),
        Case("batch", Usage(input_tokens=1000, output_tokens=500, batch=True)),
        Case("priority", Usage(input_tokens=10_000, cache_read_tokens=2000, output_tokens=100,
                               service_tier="priority")),
        Case("flex", Usage(input_tokens=10_000, cache_read_tokens=2000, output_tokens=100,
                           service_tier="flex")),
    ]  # fmt: skip
    for t in sorted(set(thresholds)):
        for n in (t - 1, t, t + 1):
            base.append(Case(f"tier {n}", Usage(input_tokens=n, cache_read_tokens=1000,
                                                cache_write_tokens=500, output_tokens=100)))  # fmt: skip
    return base


def litellm_usage(u: Usage) -> Any:
    from litellm.types.utils import (
        CacheCreationTokenDetails,
        CompletionTokensDetailsWrapper,
        PromptTokensDetailsWrapper,
    )
    from litellm.types.utils import (
        Usage as LUsage,
    )

    writes = int(u.cache_write_tokens) + int(u.cache_write_1h_tokens)
    details = PromptTokensDetailsWrapper(
        cached_tokens=int(u.cache_read_tokens) or None,
        cache_creation_tokens=writes or None,
        cache_creation_token_details=CacheCreationTokenDetails(
            ephemeral_5m_input_tokens=int(u.cache_write_tokens),
            ephemeral_1h_input_tokens=int(u.cache_write_1h_tokens),
        ) if writes else None,
        audio_tokens=int(u.audio_input_tokens) or None,
        image_tokens=int(u.image_input_tokens) or None,
    )  # fmt: skip
    completion = None
    if u.reasoning_tokens or u.audio_output_tokens or u.image_output_tokens:
        completion = CompletionTokensDetailsWrapper(
            reasoning_tokens=int(u.reasoning_tokens) or None,
            audio_tokens=int(u.audio_output_tokens) or None,
            image_tokens=int(u.image_output_tokens) or None,
        )
    return LUsage(
        prompt_tokens=int(u.input_tokens), completion_tokens=int(u.output_tokens),
        total_tokens=int(u.input_tokens) + int(u.output_tokens),
        prompt_tokens_details=details, completion_tokens_details=completion,
    )  # fmt: skip


def litellm_cost(key: str, provider: str, u: Usage) -> Decimal:
    import litellm

    prompt, completion = litellm.cost_per_token(
        model=key, custom_llm_provider=provider, usage_object=litellm_usage(u),
        service_tier=u.service_tier or None,
        call_type="retrieve_batch" if u.batch else "completion",
    )  # fmt: skip
    return Decimal(repr(prompt)) + Decimal(repr(completion))


def token_usd(breakdown) -> Decimal:
    """The token lines only: LiteLLM's cost_per_token prices tokens; per-request and
    per-search fees are added elsewhere in LiteLLM (completion_cost), not compared here."""
    return sum((x.usd for x in breakdown.lines if x.component not in ("request", "web_search")),
               Decimal(0))  # fmt: skip


def agree(ours: Decimal, theirs: Decimal) -> bool:
    if ours == theirs:
        return True
    return abs(ours - theirs) <= REL * max(abs(ours), abs(theirs))


@dataclass(frozen=True)
class Miss:
    """One case where Atlas and LiteLLM disagree (token USD, the usage's one request)."""

    case: str
    usage: Usage
    ours: Decimal
    theirs: Decimal

    def __str__(self) -> str:
        return f"{self.case}: atlas {self.ours} litellm {self.theirs}"


def atlas_usd(offer: OfferPricing, u: Usage) -> Decimal:
    """Atlas's token USD for one request of `u` (at the peak hour, as compared)."""
    return token_usd(price_request(replace(u, at=PEAK), offer))


def compare(
    path: Path,
) -> tuple[dict[str, list[Miss]], list[tuple[str, str]], dict[str, OfferPricing]]:
    """({model key: [disagreeing cases]} for every token-priced model, [(model key, case)]
    that LiteLLM does not price (it raises or answers $0), {model key: Atlas's offer})."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm.litellm_core_utils.llm_cost_calc.utils as cost_utils

    cost_utils.current_billing_time = lambda: PEAK  # off-peak windows: list prices
    records, _ = parse_litellm(path.read_bytes())
    out: dict[str, list[Miss]] = {}
    unpriced: list[tuple[str, str]] = []
    offers = {r.model_name: OfferPricing(r.components) for r in records if r.unit == "token"}
    for r in records:
        if r.unit != "token":
            continue
        offer = offers[r.model_name]
        thresholds = [c.above_input_tokens for c in r.components if c.above_input_tokens]
        bad = []
        for case in standard_usages(thresholds):
            if case.usage.batch and r.provider == "github_copilot":
                continue  # no batch API; LiteLLM would try to log in over the network
            ours = atlas_usd(offer, case.usage)
            try:
                theirs = litellm_cost(r.model_name, r.provider, case.usage)
            except Exception:
                unpriced.append((r.model_name, case.name))
                continue
            if theirs == 0 and ours != 0:  # LiteLLM has no price for this usage
                unpriced.append((r.model_name, case.name))
                continue
            if not agree(ours, theirs):
                bad.append(Miss(case.name, case.usage, ours, theirs))
        out[r.model_name] = bad
    return out, unpriced, offers
