"""Parse pydantic/genai-prices data.json (v2) (pure).

Shape: [{"id": "anthropic", "name": "Anthropic", "pricing_urls": [...], "models":
[{"id": "claude-opus-4-6", "name": ..., "context_window": 200000, "prices": P}]}]
where P is one price object or a list of them, each {"constraint"?: {"start_date":
"2026-03-13"} | {"start_time", "end_time"}, "prices": {"input_mtok": 5,
"output_mtok": {"base": 5, "tiers": [{"start": 200000, "price": 10}]},
"cache_read_mtok", "cache_write_mtok", "requests_kcount", ...}}.

A list with `start_date` constraints is a price history: the unconstrained entry
applied before the first start date, each dated entry from its date on. Each becomes
one record with that `valid_from` (None for the undated entry), and the loader chains
them into closed history rows and one current row.

Time-of-day windows (`start_time`/`end_time`, DeepSeek): genai-prices lists the
off-peak price unconstrained and the peak price with its window. The list price (the
columns, and the rows without a window) is the windowed entry; the unconstrained entry
becomes rows valid in the complement window ("16:30-00:30"), so a request without a time
is billed the list price and one in the off-peak window the discount.

Every price key becomes a price row (`components`); keys the price model cannot hold are
listed in the run's errors.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
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
    unheld_errors,
)
from pricing.feeds.genai_components import genai_components

_FIELDS = {
    "input_mtok": "usd_per_mtok_input",
    "output_mtok": "usd_per_mtok_output",
    "cache_read_mtok": "usd_per_mtok_cache_read",
    "cache_write_mtok": "usd_per_mtok_cache_write",
}


def parse_genai_prices(data: bytes) -> tuple[list[OfferRecord], list[RecordError]]:
    doc = load_json(data, feed="genai-prices")
    if not isinstance(doc, list) or not all(
        isinstance(p, dict) and isinstance(p.get("models"), list) for p in doc
    ):
        raise FeedFormatError('genai-prices: expected a list of providers with "models" lists')
    records: list[OfferRecord] = []
    errors: list[RecordError] = []
    unheld: dict[str, list[str]] = {}
    for provider in doc:
        slug = str(provider.get("id") or "").lower()
        for model in provider["models"]:
            ref = f"{slug}/{(model or {}).get('id')}"
            try:
                records.extend(_records(slug, provider, model, unheld))
            except RecordRejected as exc:
                errors.append(RecordError(ref, str(exc)))
    errors.extend(unheld_errors("genai-prices", unheld))
    return reject_duplicates(records, errors), errors


def _window_point(points: list[Any]) -> tuple[dict[str, Any], str] | None:
    """(the price entry with a time-of-day window, its "HH:MM-HH:MM" window) or None."""
    for p in points:
        c = (p or {}).get("constraint") or {} if isinstance(p, dict) else {}
        if "start_time" in c and "end_time" in c and isinstance(p.get("prices"), dict):
            start, end = str(c["start_time"]), str(c["end_time"])
            return p, f"{start.rstrip('Z')[:5]}-{end.rstrip('Z')[:5]}"
    return None


def complement(window: str) -> str:
    """ "00:30-16:30" -> "16:30-00:30" (the rest of the day)."""
    start, _, end = window.partition("-")
    return f"{end}-{start}"


def _records(
    slug: str, provider: dict[str, Any], model: Any, unheld: dict[str, list[str]]
) -> list[OfferRecord]:
    if not isinstance(model, dict) or not model.get("id"):
        raise RecordRejected("model entry without an id")
    points = model.get("prices")
    if isinstance(points, dict):
        points = [{"prices": points}]
    if not isinstance(points, list):
        raise RecordRejected(f"prices is neither an object nor a list: {points!r}")
    out = []
    for point in points:
        if not isinstance(point, dict) or not isinstance(point.get("prices"), dict):
            raise RecordRejected("price entry without a prices object")
        constraint = point.get("constraint") or {}
        if "start_time" in constraint or "end_time" in constraint:
            continue  # folded into the unconstrained point below (see the module doc)
        start = constraint.get("start_date")
        valid_from = None
        if start:
            try:
                valid_from = datetime.fromisoformat(str(start)).replace(tzinfo=UTC)
            except ValueError:
                raise RecordRejected(f"start_date is not a date: {start!r}") from None
        fields: dict[str, Any] = {}
        tiers: dict[int, dict[str, str]] = {}
        for key, field_name in _FIELDS.items():
            base, key_tiers = _price(point["prices"].get(key), what=key)
            fields[field_name] = base
            for start_tokens, price in key_tiers:
                tiers.setdefault(start_tokens, {})[field_name] = format(price.normalize(), "f")
        requests_k, _ = _price(point["prices"].get("requests_kcount"), what="requests_kcount")
        if requests_k is not None:
            fields["usd_per_request"] = (requests_k / 1000).quantize(Decimal("0.000000001"))
        if all(v is None for v in fields.values()):
            continue
        components, keys = genai_components(point["prices"])
        window_point = _window_point(points) if not start else None
        if window_point is not None:  # off-peak discount: list price is the window entry
            peak, window = window_point
            peak_components, more = genai_components(peak["prices"])
            keys += more
            off_peak = complement(window)
            components = peak_components + tuple(replace(c, window=off_peak) for c in components)
            for key, field_name in _FIELDS.items():
                fields[field_name], _ = _price(peak["prices"].get(key), what=key)
            tiers = {}
        for key in keys:
            unheld.setdefault(key, []).append(f"{slug}/{model['id']}")
        out.append(
            OfferRecord(
                provider=slug,
                provider_name=str(provider.get("name") or slug),
                model_name=str(model["id"]),
                unit="token",
                organization_hint=slug,
                display_name=str(model.get("name") or ""),
                tiers=tuple({"above_tokens": t, **tiers[t]} for t in sorted(tiers)),
                context_tokens=to_int(model.get("context_window")),
                valid_from=valid_from,
                components=components,
                **fields,
            )
        )
    return out


def _price(value: Any, *, what: str) -> tuple[Decimal | None, list[tuple[int, Decimal]]]:
    if isinstance(value, dict):
        tiers = []
        for t in value.get("tiers") or []:
            price = to_decimal((t or {}).get("price"), what=f"{what}.tiers.price")
            start = to_int((t or {}).get("start"))
            if price is not None and start:
                tiers.append((start, price))
        return to_decimal(value.get("base"), what=f"{what}.base"), tiers
    return to_decimal(value, what=what), []
