"""Parse the project's own import format for hand-curated offers (pure).

JSON: {"offers": [{...}, ...]} (or a bare list); CSV: one offer per row with a header.
Fields (README, "Pricing import format"): provider, model, unit (required); optional
provider_name, hub_repo_id, open_weights, mode, context_tokens, max_output_tokens,
valid_from (ISO date or datetime, UTC), and the price columns named like Offer's
(usd_per_mtok_input, usd_per_mtok_output, usd_per_mtok_cache_read, ...). JSON rows may
also carry "tiers": [{"above_tokens": 200000, "usd_per_mtok_input": 6, ...}] and
"image_options": {"size": "1024x1024"}, and "prices": price rows by dimension
(pricing.costing.PriceComponent: [{"component": "cache_write", "price": "6",
"cache_ttl": "1h"}, {"component": "input", "price": "2.5", "service_tier": "priority"}];
token prices per 1M tokens, others per unit; in CSV a JSON string). The format is
sniffed: a document starting with "{" or "[" is JSON, anything else CSV.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pricing.costing.offers import columns_components, dedupe_components
from pricing.costing.records import COMPONENTS, PriceComponent
from pricing.feeds.base import (
    OFFER_PRICE_FIELDS,
    UNITS,
    FeedFormatError,
    OfferRecord,
    RecordError,
    RecordRejected,
    load_json,
    reject_duplicates,
    to_decimal,
    to_int,
)

REQUIRED = ("provider", "model", "unit")
ROW_DIMENSIONS = (
    "component", "modality", "above_input_tokens", "service_tier", "batch", "cache_ttl",
    "resolution", "quality", "region", "window",
)  # fmt: skip


def parse_custom(data: bytes) -> tuple[list[OfferRecord], list[RecordError]]:
    if not data or not data.strip():
        raise FeedFormatError("custom: the document is empty")
    if data.lstrip()[:1] in (b"{", b"["):
        doc = load_json(data, feed="custom")
        rows = doc.get("offers") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise FeedFormatError('custom: expected {"offers": [...]} or a list of offers')
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FeedFormatError(f"custom: not a UTF-8 CSV file ({exc})") from exc
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise FeedFormatError(f"custom: CSV header lacks {', '.join(missing)}")
        rows = list(reader)
    records: list[OfferRecord] = []
    errors: list[RecordError] = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append(RecordError(f"row {i}", "not an object"))
            continue
        ref = f"{row.get('provider')}/{row.get('model')}"
        if None in row.values() or None in row:
            errors.append(RecordError(ref, f"row {i}: truncated row (wrong field count)"))
            continue
        try:
            records.append(_record(row))
        except RecordRejected as exc:
            errors.append(RecordError(ref, f"row {i}: {exc}"))
    return reject_duplicates(records, errors), errors


def _record(row: dict[str, Any]) -> OfferRecord:
    for name in REQUIRED:
        if not str(row.get(name) or "").strip():
            raise RecordRejected(f"missing {name}")
    unit = str(row["unit"]).strip()
    if unit not in UNITS:
        raise RecordRejected(f"unknown unit {unit!r} (known: {', '.join(sorted(UNITS))})")
    valid_from = None
    if row.get("valid_from"):
        try:
            valid_from = datetime.fromisoformat(str(row["valid_from"]))
        except ValueError:
            raise RecordRejected(f"valid_from is not a date: {row['valid_from']!r}") from None
        if valid_from.tzinfo is None:
            valid_from = valid_from.replace(tzinfo=UTC)
    open_weights = row.get("open_weights")
    if isinstance(open_weights, str):
        open_weights = {"true": True, "1": True, "false": False, "0": False}.get(
            open_weights.strip().lower()
        )
    tiers = row.get("tiers") or []
    if isinstance(tiers, str):
        try:
            tiers = json.loads(tiers, parse_float=Decimal) if tiers.strip() else []
        except ValueError:
            raise RecordRejected(f"tiers is not JSON: {tiers[:40]!r}") from None
    if not isinstance(tiers, list) or not all(isinstance(t, dict) for t in tiers):
        raise RecordRejected("tiers is not a list of objects")
    clean_tiers = []
    for t in tiers:
        tier: dict[str, Any] = {"above_tokens": to_int(t.get("above_tokens"))}
        for f in ("usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_cache_read"):
            price = to_decimal(t.get(f), what=f"tiers.{f}")
            if price is not None:
                tier[f] = format(price.normalize(), "f")
        clean_tiers.append(tier)
    provider = str(row["provider"]).strip().lower()
    model = str(row["model"]).strip()
    prices = {f: to_decimal(row.get(f), what=f) for f in OFFER_PRICE_FIELDS}
    components = _components(row.get("prices"))
    if all(v is None for v in prices.values()) and not components:
        raise RecordRejected("no price given")
    if components:  # the columns' rows too; an explicit row wins on the same dimensions
        columns = {**prices, "tiers": clean_tiers, "unit": unit,
                   "image_options": dict(row.get("image_options") or {})}  # fmt: skip
        components = dedupe_components((*components, *columns_components(columns)))[0]
    return OfferRecord(
        provider=provider,
        provider_name=str(row.get("provider_name") or ""),
        model_name=model,
        unit=unit,
        hub_repo_id=str(row.get("hub_repo_id") or "").strip(),
        open_weights=open_weights if isinstance(open_weights, bool) else None,
        organization_hint=model.split("/", 1)[0] if "/" in model else provider,
        mode=str(row.get("mode") or ""),
        image_options=dict(row.get("image_options") or {}),
        tiers=tuple(clean_tiers),
        context_tokens=to_int(row.get("context_tokens")),
        max_output_tokens=to_int(row.get("max_output_tokens")),
        valid_from=valid_from,
        components=components,
        **prices,
    )


def _components(raw: Any) -> tuple[PriceComponent, ...]:
    """The row's "prices" list as price rows; RecordRejected names a bad one."""
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip() else []
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise RecordRejected("prices is not a list of price rows")
    rows = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("component") not in COMPONENTS:
            raise RecordRejected(f"prices[{i}]: unknown component {item!r}")
        unknown = set(item) - {"price", *ROW_DIMENSIONS}
        if unknown:
            raise RecordRejected(f"prices[{i}]: unknown fields {sorted(unknown)}")
        price = to_decimal(item.get("price"), what=f"prices[{i}].price")
        if price is None:
            raise RecordRejected(f"prices[{i}]: no price")
        exact = Decimal(str(item["price"]).strip())  # to_decimal checked it
        dims = {k: item[k] for k in ROW_DIMENSIONS if k in item and k != "component"}
        try:
            rows.append(PriceComponent(item["component"], exact, **dims))
        except TypeError as exc:
            raise RecordRejected(f"prices[{i}]: {exc}") from None
    kept, conflicts = dedupe_components(rows)
    if conflicts:
        raise RecordRejected(f"prices: two prices for one row: {conflicts[0].dims}")
    return kept
