"""Parse models.dev's api.json (pure).

Shape: {"<provider id>": {"id", "name", "doc", "api"?, "models": {"<model id>": {"id",
"name", "open_weights": bool, "modalities": {"input": [...], "output": [...]},
"cost": {"input": 2.5, "output": 10, "cache_read": 1.25, "cache_write": ...,
"tiers": [{"tier": {"size": 200000}, "input": ..., "output": ...}],
"context_over_200k": {...}}, "limit": {"context": 128000, "output": 16384}}}}}.

Costs are already USD per 1M tokens. `tiers` (newer schema) wins over the older
`context_over_200k`. Models without a `cost` object are not offers and are skipped.
"""

from __future__ import annotations

from typing import Any

from pricing.feeds.base import (
    FeedFormatError,
    OfferRecord,
    RecordError,
    RecordRejected,
    load_json,
    reject_duplicates,
    to_decimal,
    to_int,
)

_FIELDS = {
    "input": "usd_per_mtok_input",
    "output": "usd_per_mtok_output",
    "cache_read": "usd_per_mtok_cache_read",
    "cache_write": "usd_per_mtok_cache_write",
}


def parse_modelsdev(data: bytes) -> tuple[list[OfferRecord], list[RecordError]]:
    doc = load_json(data, feed="models.dev")
    if not isinstance(doc, dict) or not all(isinstance(p, dict) for p in doc.values()):
        raise FeedFormatError('models.dev: expected {provider id: {..., "models": {...}}}')
    if doc and not any(isinstance(p.get("models"), dict) for p in doc.values()):
        raise FeedFormatError('models.dev: no provider has a "models" object')
    records: list[OfferRecord] = []
    errors: list[RecordError] = []
    for provider_id, provider in doc.items():
        models = provider.get("models")
        if not isinstance(models, dict):
            continue
        slug = str(provider.get("id") or provider_id).lower()
        for model_id, model in models.items():
            if not isinstance(model, dict):
                errors.append(RecordError(f"{slug}/{model_id}", "model entry is not an object"))
                continue
            cost = model.get("cost")
            if cost is None:
                continue
            try:
                records.append(_record(slug, provider, str(model.get("id") or model_id), model))
            except RecordRejected as exc:
                errors.append(RecordError(f"{slug}/{model_id}", str(exc)))
    return reject_duplicates(records, errors), errors


def _record(slug: str, provider: dict[str, Any], model_id: str, m: dict[str, Any]) -> OfferRecord:
    cost = m["cost"]
    if not isinstance(cost, dict):
        raise RecordRejected(f"cost is not an object: {cost!r}")
    prices = {f: to_decimal(cost.get(k), what=f"cost.{k}") for k, f in _FIELDS.items()}
    tiers = []
    raw_tiers = cost.get("tiers")
    if isinstance(raw_tiers, list):
        for t in raw_tiers:
            size = to_int(((t or {}).get("tier") or {}).get("size"))
            if size:
                tiers.append({"above_tokens": size, **_tier_prices(t)})
    elif isinstance(cost.get("context_over_200k"), dict):
        tiers.append({"above_tokens": 200_000, **_tier_prices(cost["context_over_200k"])})
    limit = m.get("limit") or {}
    open_weights = m.get("open_weights")
    modalities = m.get("modalities") or {}
    return OfferRecord(
        provider=slug,
        provider_name=str(provider.get("name") or slug),
        model_name=model_id,
        unit="token",
        open_weights=open_weights if isinstance(open_weights, bool) else None,
        organization_hint=model_id.split("/", 1)[0] if "/" in model_id else slug,
        display_name=str(m.get("name") or ""),
        mode="+".join(modalities.get("input") or [])
        + "->"
        + "+".join(modalities.get("output") or [])
        if modalities
        else "",
        tiers=tuple(tiers),
        context_tokens=to_int(limit.get("context")),
        max_output_tokens=to_int(limit.get("output")),
        **prices,
    )


def _tier_prices(t: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, field_name in _FIELDS.items():
        price = to_decimal(t.get(key), what=f"tier.{key}")
        if price is not None:
            out[field_name] = format(price.normalize(), "f")
    return out
