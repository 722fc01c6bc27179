"""Peers as oracles (issue 15 §4): Atlas's cost for a standard set of usages equals
LiteLLM 1.110.2's `cost_per_token` on LiteLLM's own map and genai-prices' `calc_price` on
its own data.json, within 1e-9 relative.

Every disagreement must be explained by a rule below: logic that lives in the peer's code
rather than its data, recomputed on Atlas's rows to the peer's own figure. The test prints
the agreement figures:
    pytest -s tests/pricing/test_oracles.py

LiteLLM: 3853/3945 models (97.67%) agree on every case; the other 92 differ only by the
four rules (47 Fireworks models with priority prices LiteLLM never reads, 25 image-token
models whose batch output LiteLLM bills at $0, 19 Perplexity-hosted models priced by
Perplexity's own calculator, deepseek-chat read from another entry). Reaching 99% would
mean copying those peer-code behaviours into Atlas, so the bar stays at 97.5% here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest

# Before anything imports litellm: its packaged map, never the network.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

LITELLM_FILE = "feeds/litellm/model_prices_and_context_window.json"
GENAI_FILE = "feeds/genai-prices/data.json"

from pricing.costing import OfferPricing, Usage, price_request  # noqa: E402
from tests.pricing.oracle_litellm import PEAK, Miss, agree, atlas_usd  # noqa: E402


def _image_priced_only(entry: dict) -> bool:
    return "output_cost_per_image_token" in entry and not entry.get("output_cost_per_token")


@dataclass(frozen=True)
class Run:
    """What a rule may read: LiteLLM's map entries and Atlas's offers, by model key."""

    entries: dict[str, dict]
    offers: dict[str, OfferPricing]

    def provider(self, model: str) -> str:
        return self.entries[model]["litellm_provider"]

    def litellm_key(self, model: str) -> str:
        """The map entry litellm.cost_calculator.cost_per_token prices `model` from, called
        with its provider: a repeated "{provider}/" prefix is stripped, then
        "{provider}/{model}" is looked up before the key itself (its Options 2, 1, 3)."""
        prefix = self.provider(model) + "/"
        key = model
        while key.startswith(prefix) and key[len(prefix) :].startswith(prefix):
            key = key[len(prefix) :]
        with_provider = key if key.startswith(prefix) else prefix + key
        parts = key.split("/", 1)
        relative = with_provider == prefix + key and with_provider in self.entries
        without = key if len(parts) == 1 or relative else parts[1]
        return next((k for k in (with_provider, key, without) if k in self.entries), key)

    def priced_as(self, model: str) -> OfferPricing:
        """Atlas's offer for the entry LiteLLM really reads for `model`."""
        return self.offers.get(self.litellm_key(model), self.offers[model])


# Disagreements are explained only by LiteLLM's own code: each rule says where it applies
# and recomputes the case the way the cited LiteLLM function does, on Atlas's rows; a case
# is explained only when that figure equals LiteLLM's (within 1e-9). Anything else fails.
@dataclass(frozen=True)
class Rule:
    name: str
    applies: Callable[[Run, str, Miss], bool]
    peer_usd: Callable[[Run, str, Miss], Decimal]
    reason: str


def _standard_tier(run: Run, model: str, miss: Miss) -> Decimal:
    return atlas_usd(run.priced_as(model), replace(miss.usage, service_tier=""))


def _perplexity(run: Run, model: str, miss: Miss) -> Decimal:
    u = miss.usage
    base = OfferPricing(tuple(
        r for r in run.priced_as(model).components
        if r.component in ("input", "cache_read", "output", "reasoning") and r.modality == "text"
        and not (r.above_input_tokens or r.service_tier or r.batch or r.region or r.window)
    ))  # fmt: skip
    flat = Usage(input_tokens=u.input_tokens, output_tokens=u.output_tokens,
                 cache_read_tokens=min(u.cache_read_tokens, u.input_tokens),
                 reasoning_tokens=u.reasoning_tokens)  # fmt: skip
    return atlas_usd(base, flat)


def _text_output_free(run: Run, model: str, miss: Miss) -> Decimal:
    lines = price_request(replace(miss.usage, at=PEAK), run.priced_as(model)).lines
    return sum(
        (x.usd for x in lines
         if x.component not in ("request", "web_search")
         and not (x.component == "output" and x.modality == "text")),
        Decimal(0),
    )  # fmt: skip


LITELLM_EXPLAINED = [
    Rule("fireworks service tier",
         lambda run, m, miss: run.provider(m) == "fireworks_ai" and bool(miss.usage.service_tier),
         _standard_tier,
         "litellm.cost_calculator.cost_per_token sends fireworks_ai to "
         "llms/fireworks_ai/cost_calculator.cost_per_token(model, usage), which calls "
         "generic_cost_per_token without service_tier: the map's *_priority prices are never "
         "read, priority requests are billed at standard prices"),
    Rule("perplexity calculator",
         lambda run, m, miss: run.provider(m) == "perplexity",
         _perplexity,
         "llms/perplexity/cost_calculator.cost_per_token (its fallback when the response "
         "carries no cost): (prompt - cached) x input_cost_per_token + cached x "
         "cache_read_input_token_cost + completion x output_cost_per_token (reasoning apart "
         "only when priced); it reads no long-context tier, cache-write, audio or image price"),
    Rule("batch output of image-token models",
         lambda run, m, miss: miss.usage.batch and _image_priced_only(run.entries[m]),
         _text_output_free,
         "litellm.cost_calculator.batch_cost_calculator bills text output tokens at "
         "_batch_or_half(output_cost_per_token_batches, output_cost_per_token) = 0.0 when the "
         "entry has neither, while its non-batch path (_get_token_base_cost) bills them at "
         "output_cost_per_image_token, as Atlas does in both"),
    Rule("another entry of the map",
         lambda run, m, miss: run.litellm_key(m) != m,
         lambda run, m, miss: atlas_usd(run.priced_as(m), miss.usage),
         "litellm.cost_calculator.cost_per_token strips a repeated '{provider}/' prefix and "
         "looks f'{custom_llm_provider}/{model}' up before the key itself (its 'Option 2'): "
         "deepseek-chat is billed from the deepseek/deepseek-chat entry, "
         "perplexity/perplexity/sonar from perplexity/sonar (Run.litellm_key)"),
]  # fmt: skip


def _explaining_rule(run: Run, model: str, miss: Miss) -> Rule | None:
    for rule in LITELLM_EXPLAINED:
        if rule.applies(run, model, miss) and agree(rule.peer_usd(run, model, miss), miss.theirs):
            return rule
    return None


@pytest.fixture
def litellm_result(shared_dir):
    pytest.importorskip("litellm")
    from tests.pricing.oracle_litellm import compare

    path = shared_dir / LITELLM_FILE
    import litellm

    packaged = Path(litellm.__file__).parent / "model_prices_and_context_window_backup.json"
    # LITELLM_LOCAL_MODEL_COST_MAP=True makes LiteLLM read this packaged copy: the same bytes
    assert (
        hashlib.sha256(packaged.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
    )
    return path, *compare(path)


def test_litellm_agrees(litellm_result) -> None:
    path, result, unpriced, offers = litellm_result
    run = Run(json.loads(path.read_bytes()), offers)
    unexplained: dict[str, list[str]] = {}
    explained: dict[str, list[str]] = {}
    by_rule: Counter[str] = Counter()
    for model, misses in result.items():
        rules = [_explaining_rule(run, model, miss) for miss in misses]
        by_rule.update(r.name for r in rules if r)
        if any(r is None for r in rules):
            unexplained[model] = [str(m) for m, r in zip(misses, rules, strict=True) if r is None]
        elif misses:
            explained[model] = [str(m) for m in misses]
    agree_n = sum(1 for cases in result.values() if not cases)
    share = agree_n / len(result)
    print(  # noqa: T201 - the figure the issue asks for
        f"\nLiteLLM 1.110.2: {agree_n}/{len(result)} models agree on every case ({share:.2%}); "
        f"{len(explained)} differ only where LiteLLM's own code explains it "
        f"({dict(by_rule)} cases); {len(unexplained)} unexplained; "
        f"{len(unpriced)} (model, case) pairs LiteLLM does not price"
    )
    assert not unexplained, json.dumps(dict(list(unexplained.items())[:20]), indent=1)
    assert share >= 0.975
    assert (agree_n + len(explained)) / len(result) == 1


def test_genai_prices_agrees(shared_dir) -> None:
    pytest.importorskip("genai_prices")
    from tests.pricing.oracle_genai import compare

    result = compare(shared_dir / GENAI_FILE)
    bad = {k: v for k, v in result.items() if v}
    share = 1 - len(bad) / len(result)
    print(  # noqa: T201 - the figure the issue asks for
        f"\ngenai-prices 0.2.3: {len(result) - len(bad)}/{len(result)} models agree ({share:.2%})"
    )
    assert len(result) > 1200
    assert share >= 0.99, json.dumps(dict(list(bad.items())[:20]), indent=1)


def test_litellm_image_generation_prices_per_generated_image(shared_dir) -> None:
    """Every image-generation entry of the shared map priced per image by one key
    (input_cost_per_image or output_cost_per_image; no per-pixel or per-size price):
    Atlas's cost of n generated images equals LiteLLM's default_image_cost_calculator on its
    own map (it bills input_cost_per_image × n: the price of a generated image, not of an
    image sent in). Entries with both keys are left out: LiteLLM bills the first key it
    finds, even at $0 (amazon.titan-image-generator-v1: input 0, output $0.008)."""
    pytest.importorskip("litellm")
    from decimal import Decimal

    from litellm.cost_calculator import default_image_cost_calculator

    from pricing.costing import OfferPricing, Usage, price_request
    from pricing.feeds.litellm_components import IMAGE_MODES, litellm_components

    entries = json.loads((shared_dir / LITELLM_FILE).read_text())
    checked = 0
    for name, entry in entries.items():
        if not isinstance(entry, dict) or entry.get("mode") not in IMAGE_MODES:
            continue
        keys = {"input_cost_per_image", "output_cost_per_image"} & set(entry)
        if (
            len(keys) != 1
            or "input_cost_per_pixel" in entry
            or any(k.startswith("output_cost_per_image_") for k in entry)
        ):
            continue  # per-pixel or per-size prices: LiteLLM's calculators need the size
        rows, _ = litellm_components(entry)
        ours = price_request(Usage(images=3), OfferPricing(rows)).total
        # "[quality/]WxH/model" names: LiteLLM finds them from the request's size, quality
        m = re.match(r"^(?:(?P<quality>[a-z]+)/)?(?P<size>\d+-x-\d+)/(?P<model>.+)$", name)
        if m:
            theirs = default_image_cost_calculator(
                model=m["model"], quality=m["quality"], size=m["size"], n=3
            )
        elif re.search(r"/\d+-x-\d+/", name):
            continue  # a provider before the size: found under another name first
        else:
            theirs = default_image_cost_calculator(model=name, n=3)
        assert ours == pytest.approx(Decimal(repr(theirs)), rel=Decimal("1e-9")), name
        checked += 1
    assert checked > 150
