"""Parse OpenRouter's GET /api/v1/models response (pure).

Shape: {"data": [{"id": "qwen/qwen3-32b", "hugging_face_id": "Qwen/Qwen3-32B",
"name": "Qwen: Qwen3 32B", "context_length": 40960, "architecture": {"modality":
"text->text", "input_modalities": [...], "output_modalities": [...]}, "pricing":
{"prompt": "0.0000001", "completion": "0.0000003", "input_cache_read": ...,
"input_cache_write": ..., "image": ..., "request": ..., "overrides":
[{"min_prompt_tokens": 128000, "prompt": ..., "completion": ...}]},
"top_provider": {"context_length": ..., "max_completion_tokens": ...}}]}.

Prices are strings in USD per token (converted to per 1M); "image" is per input
image and "request" per request. `overrides` with `min_prompt_tokens` become tiers;
time-of-day overrides (utc_start/utc_end) are not list prices: they become window rows
(pricing.feeds.openrouter_components, which maps every price key to price rows). A
non-empty `hugging_face_id` marks the model open-weight and is used for the exact
Hub link. The seller is OpenRouter itself (provider "openrouter").
"""

from __future__ import annotations

from typing import Any

from pricing.feeds.base import (
    FeedFormatError,
    OfferRecord,
    RecordError,
    RecordRejected,
    load_json,
    per_million,
    reject_duplicates,
    to_decimal,
    to_int,
    unheld_errors,
)
from pricing.feeds.openrouter_components import openrouter_components

_TIER_FIELDS = {
    "prompt": "usd_per_mtok_input",
    "completion": "usd_per_mtok_output",
    "input_cache_read": "usd_per_mtok_cache_read",
    "input_cache_write": "usd_per_mtok_cache_write",
}


def parse_openrouter(data: bytes) -> tuple[list[OfferRecord], list[RecordError]]:
    doc = load_json(data, feed="openrouter")
    items = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise FeedFormatError('openrouter: expected {"data": [...]} (a list of models)')
    records: list[OfferRecord] = []
    errors: list[RecordError] = []
    unheld: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            errors.append(RecordError("", f"openrouter: entry without an id: {str(item)[:80]}"))
            continue
        try:
            records.append(_record(item, unheld))
        except RecordRejected as exc:
            errors.append(RecordError(f"openrouter/{item['id']}", str(exc)))
    errors.extend(unheld_errors("openrouter", unheld))
    return reject_duplicates(records, errors), errors


def _record(item: dict[str, Any], unheld: dict[str, list[str]]) -> OfferRecord:
    pricing = item.get("pricing")
    if not isinstance(pricing, dict):
        raise RecordRejected("no pricing object")
    model_id = item["id"]
    components, keys = openrouter_components(pricing)
    for key in keys:
        unheld.setdefault(key, []).append(f"openrouter/{model_id}")
    tiers = []
    for override in pricing.get("overrides") or []:
        if not isinstance(override, dict) or "min_prompt_tokens" not in override:
            continue
        tier: dict[str, Any] = {"above_tokens": to_int(override["min_prompt_tokens"])}
        for key, field_name in _TIER_FIELDS.items():
            price = per_million(override.get(key), what=f"overrides.{key}")
            if price is not None:
                tier[field_name] = format(price.normalize(), "f")
        tiers.append(tier)
    top = item.get("top_provider") or {}
    hub = str(item.get("hugging_face_id") or "").strip()
    name = str(item.get("name") or "")
    return OfferRecord(
        provider="openrouter",
        provider_name="OpenRouter",
        model_name=model_id,
        unit="token",
        hub_repo_id=hub,
        open_weights=True if hub else None,
        organization_hint=model_id.split("/", 1)[0] if "/" in model_id else "",
        display_name=name.split(": ", 1)[-1],
        mode=str((item.get("architecture") or {}).get("modality") or ""),
        usd_per_mtok_input=per_million(pricing.get("prompt"), what="pricing.prompt"),
        usd_per_mtok_output=per_million(pricing.get("completion"), what="pricing.completion"),
        usd_per_mtok_cache_read=per_million(
            pricing.get("input_cache_read"), what="pricing.input_cache_read"
        ),
        usd_per_mtok_cache_write=per_million(
            pricing.get("input_cache_write"), what="pricing.input_cache_write"
        ),
        usd_per_image=to_decimal(pricing.get("image"), what="pricing.image"),
        usd_per_request=to_decimal(pricing.get("request"), what="pricing.request"),
        tiers=tuple(sorted(tiers, key=lambda t: t["above_tokens"] or 0)),
        components=components,
        context_tokens=to_int(item.get("context_length")) or to_int(top.get("context_length")),
        max_output_tokens=to_int(top.get("max_completion_tokens")),
    )
