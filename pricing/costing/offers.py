"""An offer's price rows as the engine's `OfferPricing` (pure).

An offer carries its prices two ways: price rows (`pricing.OfferPrice`, one per
dimension combination the feed states) and the older summary columns on the offer
(`usd_per_mtok_input`, `tiers`, ...), which pages and sorting read. `offer_pricing` uses
the rows when the offer has any and derives rows from the columns otherwise (offers
written before the rows existed, or by hand), so every offer is priced by one function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from pricing.costing.records import OfferPricing, PriceComponent

# summary column -> (component, modality, batch)
TOKEN_COLUMNS = {
    "usd_per_mtok_input": ("input", False),
    "usd_per_mtok_output": ("output", False),
    "usd_per_mtok_cache_read": ("cache_read", False),
    "usd_per_mtok_cache_write": ("cache_write", False),
    "usd_per_mtok_batch_input": ("input", True),
    "usd_per_mtok_batch_output": ("output", True),
}
_TIER_KEYS = {
    "usd_per_mtok_input": "input",
    "usd_per_mtok_output": "output",
    "usd_per_mtok_cache_read": "cache_read",
    "usd_per_mtok_cache_write": "cache_write",
}
_UNIT_COMPONENT = {
    "video_second": "video_second",
    "character": "character",
    "page": "page",
    "request": "request",
    "image": "image",
    "audio_second": "audio_second",
    "audio_minute": "audio_minute",
}
ROW_FIELDS = (
    "component", "price", "modality", "above_input_tokens", "service_tier", "batch",
    "cache_ttl", "resolution", "quality", "region", "window",
)  # fmt: skip


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def columns_components(columns: Mapping[str, Any]) -> tuple[PriceComponent, ...]:
    """Price rows implied by an offer's summary columns (and `tiers`, `unit`)."""
    rows: list[PriceComponent] = []
    for column, (component, batch) in TOKEN_COLUMNS.items():
        price = _dec(columns.get(column))
        if price is not None:
            rows.append(PriceComponent(component, price, batch=batch))
    for tier in columns.get("tiers") or []:
        try:
            above = int(tier["above_tokens"])
        except (KeyError, TypeError, ValueError):
            continue  # a malformed tier never makes a price up; the base price stands
        for key, component in _TIER_KEYS.items():
            try:
                price = _dec(tier.get(key))
            except ArithmeticError:
                continue
            if price is not None:
                rows.append(PriceComponent(component, price, above_input_tokens=above))
    options = columns.get("image_options") or {}
    size, quality = str(options.get("size") or ""), str(options.get("quality") or "")
    for column, component in (
        ("usd_per_image", "image"),
        ("usd_per_audio_second", "audio_second"),
        ("usd_per_audio_minute", "audio_minute"),
        ("usd_per_request", "request"),
    ):
        price = _dec(columns.get(column))
        if price is not None:
            rows.append(PriceComponent(component, price))
    unit_price = _dec(columns.get("usd_per_unit"))
    component = _UNIT_COMPONENT.get(str(columns.get("unit") or ""))
    if unit_price is not None and component:
        rows.append(PriceComponent(component, unit_price))
    if size or quality:
        rows = [
            PriceComponent("image", r.price, "image", resolution=size, quality=quality)
            if r.component == "image" else r
            for r in rows
        ]  # fmt: skip
    return tuple(rows)


def row_component(row: Mapping[str, Any]) -> PriceComponent:
    """A stored price row (a `values()` dict of pricing.OfferPrice) as a PriceComponent."""
    return PriceComponent(
        component=row["component"], price=_dec(row["price"]) or Decimal(0),
        modality=row.get("modality") or "text",
        above_input_tokens=int(row.get("above_input_tokens") or 0),
        service_tier=row.get("service_tier") or "", batch=bool(row.get("batch")),
        cache_ttl=row.get("cache_ttl") or "", resolution=row.get("resolution") or "",
        quality=row.get("quality") or "", region=row.get("region") or "",
        window=row.get("window") or "",
    )  # fmt: skip


def offer_pricing(
    columns: Mapping[str, Any],
    rows: Iterable[Mapping[str, Any] | PriceComponent] = (),
    *,
    label: str = "",
) -> OfferPricing:
    """The offer's rows when it has any, else the rows its columns imply."""
    components = tuple(r if isinstance(r, PriceComponent) else row_component(r) for r in rows)
    return OfferPricing(components or columns_components(columns), label=label)


def extra_components(
    components: Iterable[PriceComponent], columns: Mapping[str, Any]
) -> tuple[PriceComponent, ...]:
    """The rows the summary columns cannot express (sorted): what a fingerprint must add."""
    implied = {(*r.dims, r.price.normalize()) for r in columns_components(columns)}
    extra = [r for r in components if (*r.dims, r.price.normalize()) not in implied]
    return tuple(sorted(extra, key=lambda r: (r.dims, r.price)))


def component_row(c: PriceComponent) -> dict[str, Any]:
    """A PriceComponent as pricing.OfferPrice field values (price as exact text)."""
    return {
        "component": c.component, "price": format(c.price.normalize(), "f"),
        "modality": c.modality, "above_input_tokens": c.above_input_tokens,
        "service_tier": c.service_tier, "batch": c.batch, "cache_ttl": c.cache_ttl,
        "resolution": c.resolution, "quality": c.quality, "region": c.region,
        "window": c.window,
    }  # fmt: skip


def dedupe_components(
    components: Iterable[PriceComponent],
) -> tuple[tuple[PriceComponent, ...], list[PriceComponent]]:
    """(rows with one row per dimensions, rows dropped because another row has the same
    dimensions and a different price). Equal duplicates are merged silently."""
    seen: dict[tuple, PriceComponent] = {}
    conflicts = []
    for c in components:
        first = seen.setdefault(c.dims, c)
        if first is not c and first.price != c.price:
            conflicts.append(c)
    return tuple(seen.values()), conflicts
