"""Parse the project's own import format for hand-curated offers (pure).

JSON: {"offers": [{...}, ...]} (or a bare list); CSV: one offer per row with a header.
Fields (README, "Pricing import format"): provider, model, unit (required); optional
provider_name, hub_repo_id, open_weights, mode, context_tokens, max_output_tokens,
valid_from (ISO date or datetime, UTC), and the price columns named like Offer's
(usd_per_mtok_input, usd_per_mtok_output, usd_per_mtok_cache_read, ...). JSON rows may
also carry "tiers": [{"above_tokens": 200000, "usd_per_mtok_input": 6, ...}] and
"image_options": {"size": "1024x1024"}. The format is sniffed: a document starting
with "{" or "[" is JSON, anything else CSV.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

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
        tiers = json.loads(tiers) if tiers.strip() else []
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
    if all(v is None for v in prices.values()):
        raise RecordRejected("no price given")
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
        **prices,
    )
