"""Parse LiteLLM's model_prices_and_context_window.json (pure).

Shape: {"<model key>": {"litellm_provider": "openai", "mode": "chat",
"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
"cache_read_input_token_cost": ..., "cache_creation_input_token_cost": ...,
"input_cost_per_token_batches": ..., "input_cost_per_token_above_128k_tokens": ...,
"output_cost_per_image": ..., "input_cost_per_second": ..., "max_input_tokens": ...}}.

Costs are USD per token (converted to per 1M) or per image / second / character /
query / page. The unit of a record is the first that applies: token prices, then
image, then seconds (video for video modes, audio otherwise), characters, queries,
pages. Entries with no price at all ("sample_spec", "-latest" aliases) are skipped
silently; they are documentation, not offers. A key that appears twice in the
document is rejected (json.loads would silently keep the last one).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from pricing.feeds.base import (
    FeedFormatError,
    OfferRecord,
    RecordError,
    RecordRejected,
    per_million,
    to_decimal,
    to_int,
    unheld_errors,
)
from pricing.feeds.litellm_components import litellm_components

_TIER_RE = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|"
    r"cache_creation_input_token_cost)_above_(\d+)k_tokens$"
)
_TIER_FIELD = {
    "input_cost_per_token": "usd_per_mtok_input",
    "output_cost_per_token": "usd_per_mtok_output",
    "cache_read_input_token_cost": "usd_per_mtok_cache_read",
    "cache_creation_input_token_cost": "usd_per_mtok_cache_write",
}
_SIZE_RE = re.compile(r"(?:^|/)(\d+)-x-(\d+)(?:/|$)")
_QUALITY_RE = re.compile(r"(?:^|/)(hd|standard|low|medium|high)(?:/|$)")
_STEPS_RE = re.compile(r"(?:^|/)(\d+|max)-steps(?:/|$)")
_VIDEO_SECOND_KEYS = (
    "output_cost_per_second",
    "output_cost_per_video_per_second",
    "output_cost_per_second_720p",
    "output_cost_per_second_1080p",
    "cost_per_second",
)
_TASKS = {
    "chat": "text-generation",
    "completion": "text-generation",
    "responses": "text-generation",
    "embedding": "feature-extraction",
    "image_generation": "text-to-image",
    "audio_transcription": "automatic-speech-recognition",
    "audio_speech": "text-to-speech",
}


def parse_litellm(data: bytes) -> tuple[list[OfferRecord], list[RecordError]]:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    if not data or not data.strip():
        raise FeedFormatError("litellm: the document is empty")
    try:
        doc = json.loads(data, object_pairs_hook=pairs, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedFormatError(f"litellm: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise FeedFormatError(
            f"litellm: expected an object of model entries, got {type(doc).__name__}"
        )
    entries = {k: v for k, v in doc.items() if isinstance(v, dict) and k != "sample_spec"}
    if doc and not entries:
        raise FeedFormatError("litellm: no model entries (values are not objects)")
    errors: list[RecordError] = []
    dupes = {d for d in duplicates if d in entries}
    records: list[OfferRecord] = []
    unheld: dict[str, list[str]] = {}
    for name, entry in entries.items():
        provider = str(entry.get("litellm_provider") or "").strip().lower()
        if name in dupes:
            errors.append(
                RecordError(f"{provider}/{name}", "duplicate key in the document: rejected")
            )
            continue
        if not provider:
            continue  # "-latest" aliases and notes: no provider, no price
        try:
            record = _record(name, provider, entry, unheld)
        except RecordRejected as exc:
            errors.append(RecordError(f"{provider}/{name}", str(exc)))
            continue
        if record is not None:
            records.append(record)
    errors.extend(unheld_errors("litellm", unheld))
    return records, errors


def _record(
    name: str, provider: str, e: dict[str, Any], unheld: dict[str, list[str]]
) -> OfferRecord | None:
    def mtok(key: str) -> Decimal | None:
        return per_million(e.get(key), what=key)

    def each(key: str) -> Decimal | None:
        return to_decimal(e.get(key), what=key)

    mode = str(e.get("mode") or "")
    fields: dict[str, Any] = {
        "usd_per_mtok_input": mtok("input_cost_per_token"),
        "usd_per_mtok_output": mtok("output_cost_per_token"),
        "usd_per_mtok_cache_read": mtok("cache_read_input_token_cost"),
        "usd_per_mtok_cache_write": mtok("cache_creation_input_token_cost"),
        "usd_per_mtok_batch_input": mtok("input_cost_per_token_batches"),
        "usd_per_mtok_batch_output": mtok("output_cost_per_token_batches"),
        "usd_per_image": each("output_cost_per_image") or each("input_cost_per_image"),
    }
    seconds = each("input_cost_per_second") or each("input_cost_per_audio_per_second")
    video_seconds = next((v for k in _VIDEO_SECOND_KEYS if (v := each(k)) is not None), None)
    per_char = each("input_cost_per_character")
    per_query = each("input_cost_per_query") or each("input_cost_per_request")
    per_page = each("ocr_cost_per_page")
    if fields["usd_per_mtok_input"] is not None or fields["usd_per_mtok_output"] is not None:
        unit = "token"
    elif fields["usd_per_image"] is not None:
        unit = "image"
    elif "video" in mode and video_seconds is not None:
        unit, fields["usd_per_unit"] = "video_second", video_seconds
    elif seconds is not None or video_seconds is not None:
        unit, fields["usd_per_audio_second"] = "audio_second", seconds or video_seconds
    elif per_char is not None:
        unit, fields["usd_per_unit"] = "character", per_char
    elif per_query is not None:
        unit, fields["usd_per_request"] = "request", per_query
    elif per_page is not None:
        unit, fields["usd_per_unit"] = "page", per_page
    else:
        return None
    tiers: dict[int, dict[str, str]] = {}
    for key, value in e.items():
        m = _TIER_RE.match(key)
        if m:
            price = per_million(value, what=key)
            if price is not None:
                tier = tiers.setdefault(int(m.group(2)) * 1000, {})
                tier[_TIER_FIELD[m.group(1)]] = format(price.normalize(), "f")
    components, keys = litellm_components(e)
    for key in keys:
        unheld.setdefault(key, []).append(f"{provider}/{name}")
    options: dict[str, str] = {}
    if unit == "image":
        if m := _SIZE_RE.search(name):
            options["size"] = f"{m.group(1)}x{m.group(2)}"
        if m := _QUALITY_RE.search(name):
            options["quality"] = m.group(1)
        if m := _STEPS_RE.search(name):
            options["steps"] = m.group(1)
    return OfferRecord(
        provider=provider,
        model_name=name,
        unit=unit,
        mode=mode,
        display_name="",
        organization_hint=provider,
        image_options=options,
        tiers=tuple({"above_tokens": t, **tiers[t]} for t in sorted(tiers)),
        context_tokens=to_int(e.get("max_input_tokens")),
        max_output_tokens=to_int(e.get("max_output_tokens")),
        components=components,
        **fields,
    )


def litellm_task_slug(mode: str) -> str:
    return _TASKS.get(mode, "")
