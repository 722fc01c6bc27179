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

from decimal import Decimal
from typing import Any

from pricing.costing.offers import dedupe_components
from pricing.costing.records import PriceComponent
from pricing.feeds.base import (
    FeedFormatError,
    OfferRecord,
    RecordError,
    RecordRejected,
    load_json,
    reject_duplicates,
    to_decimal,
    to_int,
    unheld_errors,
)

# cost key -> (component, modality); USD per 1M tokens ("request": per request)
_COMPONENTS = {
    "input": ("input", "text"), "output": ("output", "text"),
    "cache_read": ("cache_read", "text"), "cache_write": ("cache_write", "text"),
    "reasoning": ("reasoning", "text"), "input_audio": ("input", "audio"),
    "output_audio": ("output", "audio"), "request": ("request", "text"),
    "cached_input": ("cache_read", "text"), "cached_write": ("cache_write", "text"),
}  # fmt: skip
_NOT_PRICES = frozenset({"tiers", "context_over_200k", "tier"})
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
    unheld: dict[str, list[str]] = {}
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
                record = _record(slug, provider, str(model.get("id") or model_id), model)
                for key in _unheld(model["cost"]):
                    unheld.setdefault(f"cost.{key}", []).append(record.ref)
                records.append(record)
            except RecordRejected as exc:
                errors.append(RecordError(f"{slug}/{model_id}", str(exc)))
    errors.extend(unheld_errors("models.dev", unheld))
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
        components=_components(cost),
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


def _exact(value: Any, what: str) -> Decimal | None:
    if to_decimal(value, what=what) is None:  # validates
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())


def _components(cost: dict[str, Any]) -> tuple[PriceComponent, ...]:
    """Every price key as a price row (tiers: above the tier's size, that key alone)."""
    points: list[tuple[int, dict[str, Any]]] = [(0, cost)]
    if isinstance(cost.get("tiers"), list):
        points += [
            (to_int(((t or {}).get("tier") or {}).get("size")) or 0, t or {}) for t in cost["tiers"]
        ]
    elif isinstance(cost.get("context_over_200k"), dict):
        points.append((200_000, cost["context_over_200k"]))
    rows = []
    for above, prices in points:
        if above == 0 and prices is not cost:
            continue  # a tier without a size
        for key, (component, modality) in _COMPONENTS.items():
            amount = _exact(prices.get(key), f"cost.{key}")
            if amount is not None:
                rows.append(PriceComponent(component, amount, modality, above_input_tokens=above))
    return dedupe_components(rows)[0]


def _unheld(cost: dict[str, Any]) -> list[str]:
    return [k for k in cost if k not in _COMPONENTS and k not in _NOT_PRICES]
