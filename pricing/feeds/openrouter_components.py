"""OpenRouter `pricing` -> the cost engine's price rows (pure).

Per-token strings (USD per token, shifted exactly to per 1M): prompt, completion,
input_cache_read, input_cache_write (5 min), input_cache_write_1h, internal_reasoning,
audio (input audio tokens), input_audio_cache, audio_output, image_token (input image
tokens), image_output (output image tokens). Per unit: image (per input image), request,
web_search (per search). `overrides` carry a long-context tier (`min_prompt_tokens`) or a
UTC time-of-day window (`utc_start`/`utc_end` as HHMM) with their own prices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pricing.costing.offers import dedupe_components
from pricing.costing.records import PriceComponent
from pricing.feeds.base import to_decimal, to_int

# key -> (component, modality, cache TTL, per token?)
KEYS: dict[str, tuple[str, str, str, bool]] = {
    "prompt": ("input", "text", "", True),
    "completion": ("output", "text", "", True),
    "input_cache_read": ("cache_read", "text", "", True),
    "input_cache_write": ("cache_write", "text", "", True),
    "input_cache_write_1h": ("cache_write", "text", "1h", True),
    "internal_reasoning": ("reasoning", "text", "", True),
    "audio": ("input", "audio", "", True),
    "input_audio_cache": ("cache_read", "audio", "", True),
    "audio_output": ("output", "audio", "", True),
    "image_token": ("input", "image", "", True),
    "image_output": ("output", "image", "", True),
    "image": ("input_image", "image", "", False),
    "request": ("request", "text", "", False),
    "web_search": ("web_search", "text", "", False),
}
IGNORED = frozenset({"discount", "overrides"})


def _exact(value: Any, what: str) -> Decimal | None:
    if to_decimal(value, what=what) is None:  # validates
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())


def _hhmm(value: Any) -> str:
    n = to_int(value) or 0
    return f"{n // 100 % 24:02d}:{n % 100:02d}"


def _rows(prices: dict[str, Any], where: str, **dims: Any) -> tuple[list, list[str]]:
    rows, unheld = [], []
    for key, value in prices.items():
        if key in IGNORED or key in ("min_prompt_tokens", "utc_start", "utc_end"):
            continue
        if key not in KEYS:
            unheld.append(key)
            continue
        component, modality, ttl, per_token = KEYS[key]
        amount = _exact(value, f"{where}{key}")
        if amount is None:
            continue
        if per_token:
            amount = amount.scaleb(6)
        rows.append(PriceComponent(component, amount, modality, cache_ttl=ttl, **dims))
    return rows, unheld


def openrouter_components(pricing: dict[str, Any]) -> tuple[tuple[PriceComponent, ...], list[str]]:
    """(price rows, price keys that could not be mapped) for one OpenRouter pricing object."""
    rows, unheld = _rows(pricing, "pricing.")
    for override in pricing.get("overrides") or []:
        if not isinstance(override, dict):
            continue
        if "min_prompt_tokens" in override:
            # "min_prompt_tokens": from that many tokens on, i.e. above one fewer
            above = max((to_int(override["min_prompt_tokens"]) or 0) - 1, 0)
            more, keys = _rows(override, "overrides.", above_input_tokens=above)
        elif "utc_start" in override and "utc_end" in override:
            window = f"{_hhmm(override['utc_start'])}-{_hhmm(override['utc_end'])}"
            more, keys = _rows(override, "overrides.", window=window)
        else:
            more, keys = [], ["overrides (neither a tier nor a time window)"]
        rows += more
        unheld += keys
    kept, conflicts = dedupe_components(rows)
    unheld.extend(f"{c.component}/{c.modality} (two prices for one row)" for c in conflicts)
    return kept, unheld
