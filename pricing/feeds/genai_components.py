"""genai-prices price keys -> the cost engine's price rows (pure).

Keys are `<unit>_mtok` (USD per 1M tokens) or `<unit>_kcount` (USD per 1,000), each a
number or {"base": n, "tiers": [{"start": tokens, "price": n}]} (a tier applies when the
request's input tokens exceed `start`, for that key alone). Numbers are kept exactly as
written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pricing.costing.offers import dedupe_components
from pricing.costing.records import PriceComponent
from pricing.feeds.base import to_decimal, to_int

# price key -> (component, modality, cache TTL, divisor to one unit)
KEYS: dict[str, tuple[str, str, str, int]] = {
    "input_mtok": ("input", "text", "", 1),
    "output_mtok": ("output", "text", "", 1),
    "cache_read_mtok": ("cache_read", "text", "", 1),
    "cache_write_mtok": ("cache_write", "text", "", 1),
    "cache_write_5m_mtok": ("cache_write", "text", "5m", 1),
    "cache_write_1h_mtok": ("cache_write", "text", "1h", 1),
    "input_audio_mtok": ("input", "audio", "", 1),
    "output_audio_mtok": ("output", "audio", "", 1),
    "cache_audio_read_mtok": ("cache_read", "audio", "", 1),
    "input_image_mtok": ("input", "image", "", 1),
    "output_image_mtok": ("output", "image", "", 1),
    "cache_image_read_mtok": ("cache_read", "image", "", 1),
    "input_video_mtok": ("input", "video", "", 1),
    "output_video_mtok": ("output", "video", "", 1),
    "output_reasoning_mtok": ("reasoning", "text", "", 1),
    "requests_kcount": ("request", "text", "", 1000),
    "web_searches_kcount": ("web_search", "text", "", 1000),
}


def _exact(value: Any, what: str) -> Decimal | None:
    if to_decimal(value, what=what) is None:  # validates (negative, NaN...)
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())


def genai_components(prices: dict[str, Any]) -> tuple[tuple[PriceComponent, ...], list[str]]:
    """(price rows, price keys that could not be mapped) for one genai-prices price set."""
    rows: list[PriceComponent] = []
    unheld: list[str] = []
    for key, value in prices.items():
        if key not in KEYS:
            unheld.append(key)
            continue
        component, modality, ttl, per = KEYS[key]
        points = [(0, value)]
        if isinstance(value, dict):
            points = [(0, value.get("base"))]
            points += [
                (to_int((t or {}).get("start")) or 0, (t or {}).get("price"))
                for t in value.get("tiers") or []
            ]
        for above, raw in points:
            amount = _exact(raw, f"{key}")
            if amount is None:
                continue
            rows.append(PriceComponent(component, amount / per if per != 1 else amount, modality,
                                       above_input_tokens=above, cache_ttl=ttl))  # fmt: skip
    kept, conflicts = dedupe_components(rows)
    unheld.extend(f"{c.component}/{c.modality} (two prices for one row)" for c in conflicts)
    return kept, unheld
