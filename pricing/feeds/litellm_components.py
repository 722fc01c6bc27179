"""LiteLLM price keys -> the cost engine's price rows (pure).

LiteLLM combines dimensions in its key names:

    <base>[_above_<N>[k]_tokens][_<flex|priority|balanced|ultrafast|batches>]

e.g. `input_cost_per_token_above_272k_tokens_priority`,
`cache_creation_input_token_cost_above_1hr_above_100k_tokens` (a 1-hour cache write in the
>100k tier). Per-token prices become USD per 1M tokens by shifting the decimal point
(exact). `search_context_cost_per_query` ({search_context_size_low: ...}) becomes web
search rows by context size; `tiered_pricing` ranges become tier rows; `off_peak_pricing`
becomes window rows; regional uplift multipliers become multiplier rows. Keys that name a
price this model cannot hold are returned by name so the parser can list them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pricing.costing.offers import dedupe_components
from pricing.costing.records import PriceComponent
from pricing.feeds.base import RecordRejected, to_decimal

# base key -> (component, modality, cache TTL, per-token?)
BASES: dict[str, tuple[str, str, str, bool]] = {
    "input_cost_per_token": ("input", "text", "", True),
    "output_cost_per_token": ("output", "text", "", True),
    "cache_read_input_token_cost": ("cache_read", "text", "", True),
    "cache_creation_input_token_cost": ("cache_write", "text", "", True),
    "cache_creation_input_token_cost_above_1hr": ("cache_write", "text", "1h", True),
    "cache_creation_input_token_cost_above_12hr": ("cache_write", "text", "12h", True),
    "input_cost_per_audio_token": ("input", "audio", "", True),
    "output_cost_per_audio_token": ("output", "audio", "", True),
    "cache_read_input_audio_token_cost": ("cache_read", "audio", "", True),
    "cache_creation_input_audio_token_cost": ("cache_write", "audio", "", True),
    "cache_read_input_image_token_cost": ("cache_read", "image", "", True),
    "input_cost_per_image_token": ("input", "image", "", True),
    "output_cost_per_image_token": ("output", "image", "", True),
    "output_cost_per_reasoning_token": ("reasoning", "text", "", True),
    "input_cost_per_video_token": ("input", "video", "", True),
    "output_cost_per_video_token": ("output", "video", "", True),
    "input_cost_per_character": ("character", "text", "", False),
    "input_cost_per_image": ("input_image", "image", "", False),
    "output_cost_per_image": ("image", "image", "", False),
    "input_cost_per_pixel": ("pixel", "image", "", False),
    "input_cost_per_second": ("audio_second", "audio", "", False),
    "input_cost_per_audio_per_second": ("audio_second", "audio", "", False),
    "input_cost_per_video_per_second": ("video_second", "video", "", False),
    "output_cost_per_video_per_second": ("video_second", "video", "", False),
    "input_cost_per_query": ("web_search", "text", "", False),
    "input_cost_per_request": ("request", "text", "", False),
    "ocr_cost_per_page": ("page", "text", "", False),
}
_SUFFIXES = ("flex", "priority", "balanced", "ultrafast", "batches")
_KEY_RE = re.compile(
    r"^(?P<base>" + "|".join(sorted(map(re.escape, BASES), key=len, reverse=True)) + r")"
    r"(?:_above_(?P<n>\d+)(?P<k>k?)_tokens)?(?:_(?P<sfx>" + "|".join(_SUFFIXES) + r"))?$"
)
_VIDEO_RES_RE = re.compile(r"^output_cost_per_second_(\d+p|\dk)$")
_IMAGE_SIZE_RE = re.compile(r"^output_cost_per_image_(\d+(?:\.\d+)?K|\d+)$")
# Keys that are not prices of a request (metadata, or costs of other products).
NOT_PRICES = frozenset(
    {"input_dbu_cost_per_token", "output_dbu_cost_per_token", "input_cost_per_token_cache_hit"}
)


def _price_key(key: str) -> bool:
    return "cost" in key or key in ("tiered_pricing", "off_peak_pricing")


# Providers whose long-context prices apply from the threshold on (input >= N tokens)
# rather than above it: LiteLLM's _INCLUSIVE_THRESHOLD_PROVIDERS (xAI bills its higher
# tier once the prompt reaches the threshold). The engine's rows apply above
# `above_input_tokens`, so these rows carry N - 1 (exact for whole token counts).
INCLUSIVE_TIER_PROVIDERS = frozenset({"xai"})

# LiteLLM modes whose entries price generated images (default_image_cost_calculator)
IMAGE_MODES = frozenset({"image_generation", "image_edit"})

# Fireworks bills cached input at half the input price unless a model states its own
# cache price (fireworks.ai/pricing; LiteLLM applies the same rule in code).
FIREWORKS_CACHE_READ_RATIO = Decimal("0.5")


def litellm_components(entry: dict[str, Any]) -> tuple[tuple[PriceComponent, ...], list[str]]:
    """(price rows, price keys that could not be mapped) for one LiteLLM entry."""
    rows: list[PriceComponent] = []
    unheld: list[str] = []
    mode = str(entry.get("mode") or "")
    inclusive = entry.get("litellm_provider") in INCLUSIVE_TIER_PROVIDERS
    for key, value in entry.items():
        if value is None or not _price_key(key) or key in NOT_PRICES:
            continue
        m = _KEY_RE.match(key)
        if m:
            rows.extend(_simple(m, key, value, inclusive=inclusive))
        elif key == "search_context_cost_per_query" and isinstance(value, dict):
            for size, price in value.items():
                amount = exact(price, what=f"{key}.{size}")
                if amount is not None:
                    ctx = str(size).removeprefix("search_context_size_")
                    rows.append(PriceComponent("web_search", amount, resolution=ctx))
        elif (
            key == "output_cost_per_second"
            and "video" not in mode
            and ("input_cost_per_second" in entry or "input_cost_per_audio_per_second" in entry)
        ):
            pass  # transcription: LiteLLM bills the input per-second price, this one never
        elif key == "output_cost_per_second":
            rows.extend(_second(mode, key, value, ""))
        elif m2 := _VIDEO_RES_RE.match(key):
            rows.extend(_second(mode, key, value, m2.group(1)))
        elif m3 := _IMAGE_SIZE_RE.match(key):
            amount = exact(value, what=key)
            if amount is not None:
                rows.append(PriceComponent("image", amount, "image", resolution=m3.group(1)))
        elif key == "tiered_pricing" and isinstance(value, list):
            rows.extend(_tiered(value))
        elif key == "off_peak_pricing" and isinstance(value, dict):
            windows = _windows(value.get("windows"), value.get("hours_utc"))
            if windows is None:
                unheld.append(key)
                continue
            rows.extend(_off_peak(value, windows))
        elif key == "regional_endpoint_uplift_multiplier":
            rows.append(PriceComponent("multiplier", _dec(value, key), region="vertex-regional"))
        elif key.startswith("regional_processing_uplift_multiplier_"):
            region = key.removeprefix("regional_processing_uplift_multiplier_")
            rows.append(PriceComponent("multiplier", _dec(value, key), region=region))
        elif key == "fedramp_uplift_multiplier":
            rows.append(PriceComponent("multiplier", _dec(value, key), region="fedramp"))
        else:
            unheld.append(key)
    if entry.get("litellm_provider") == "fireworks_ai" and not any(
        r.component == "cache_read" for r in rows
    ):
        rows.extend(
            replace(r, component="cache_read", price=r.price * FIREWORKS_CACHE_READ_RATIO)
            for r in rows
            if r.component == "input" and r.modality == "text"
        )
    if mode in IMAGE_MODES and not any(r.component == "image" for r in rows):
        # an image model's `input_cost_per_image` is what each generated image costs:
        # LiteLLM's default_image_cost_calculator bills it × n images (dall-e-3, grok
        # imagine), as the offer's per-image column says; not a price per image sent in
        rows = [replace(r, component="image") if r.component == "input_image" else r for r in rows]
    image_out = [r for r in rows if r.component == "output" and r.modality == "image"]
    if image_out and not any(
        r.component == "output" and r.modality == "text" and r.price for r in rows
    ):  # LiteLLM bills an image model's output tokens at its image-token price then
        rows = [r for r in rows if not (r.component == "output" and r.modality == "text")]
        rows.extend(replace(r, modality="text") for r in image_out)
    kept, conflicts = dedupe_components(rows)
    unheld.extend(f"{c.component}/{c.modality} (two prices for one row)" for c in conflicts)
    return kept, unheld


def exact(value: Any, *, what: str) -> Decimal | None:
    """The feed's number exactly as written (to_decimal checks it; no rounding here:
    3.75e-08 per token must stay 0.0375 per 1M, not 0.038)."""
    if to_decimal(value, what=what) is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value.strip() if isinstance(value, str) else value)


def _dec(value: Any, what: str) -> Decimal:
    amount = exact(value, what=what)
    if amount is None:
        raise RecordRejected(f"{what} is empty")
    return amount


def _simple(m: re.Match, key: str, value: Any, *, inclusive: bool) -> list[PriceComponent]:
    component, modality, ttl, per_token = BASES[m.group("base")]
    amount = exact(value, what=key)
    if amount is None:
        return []
    if per_token:
        amount = amount.scaleb(6)
    above = int(m.group("n")) * (1000 if m.group("k") else 1) if m.group("n") else 0
    if above and inclusive:
        above -= 1  # billed from the threshold on: input > N - 1
    sfx = m.group("sfx") or ""
    return [
        PriceComponent(
            component, amount, modality, above_input_tokens=above,
            service_tier="" if sfx in ("", "batches") else sfx, batch=sfx == "batches",
            cache_ttl=ttl,
        )
    ]  # fmt: skip


def _second(mode: str, key: str, value: Any, resolution: str) -> list[PriceComponent]:
    amount = exact(value, what=key)
    if amount is None:
        return []
    if "video" in mode or resolution:
        return [PriceComponent("video_second", amount, "video", resolution=resolution)]
    return [PriceComponent("audio_second", amount, "audio")]


_TIER_KEYS = {
    "input_cost_per_token": ("input", "text"),
    "output_cost_per_token": ("output", "text"),
    "cache_read_input_token_cost": ("cache_read", "text"),
    "cache_creation_input_token_cost": ("cache_write", "text"),
    "output_cost_per_reasoning_token": ("reasoning", "text"),
}


def _tiered(tiers: list[Any]) -> list[PriceComponent]:
    """Dashscope-style ranges: all-or-nothing by the request's input; a tier's missing
    cache prices are its input price (LiteLLM's rule)."""
    rows = []
    for tier in tiers:
        rng = tier.get("range") if isinstance(tier, dict) else None
        if not isinstance(rng, list) or len(rng) != 2 or "input_cost_per_token" not in tier:
            continue
        above = int(float(rng[0]))
        for key, (component, modality) in _TIER_KEYS.items():
            value = tier.get(key)
            if value is None and component in ("cache_read", "cache_write"):
                value = tier["input_cost_per_token"]
            amount = exact(value, what=f"tiered_pricing.{key}")
            if amount is not None:
                rows.append(PriceComponent(component, amount.scaleb(6), modality,
                                           above_input_tokens=above))  # fmt: skip
    return rows


def _windows(windows: Any, hours: Any) -> str | None:
    """LiteLLM off-peak windows as the engine's window string; None if unreadable."""

    def listed(value: Any) -> list[str]:
        return [value] if isinstance(value, str) else [str(v) for v in value or []]

    parts = listed(hours)
    for w in windows or []:
        if not isinstance(w, dict) or w.get("weekday_timezone") not in (None, "UTC"):
            return None
        prefix = "".join(str(int(d)) for d in w.get("weekdays") or [])
        parts.extend(f"{prefix}@{h}" if prefix else h for h in listed(w.get("hours_utc")))
    return ",".join(parts) or None


def _off_peak(block: dict[str, Any], window: str) -> list[PriceComponent]:
    rows = []
    for key, (component, modality) in _TIER_KEYS.items():
        amount = exact(block.get(key), what=f"off_peak_pricing.{key}")
        if amount is not None:
            rows.append(PriceComponent(component, amount.scaleb(6), modality, window=window))
    return rows
