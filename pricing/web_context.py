"""Pricing's sections on catalog's pages (registered through `catalog.page_hooks`).

model_detail: current offers (1 query) and the price history chart (1 query).
home: cheapest offers (1 query) and recent price changes (2 queries).
compare: cheapest input/output offer per model (1 query).
model_list: the price-range filter controls, the listed models' cheapest price (1 query).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone

from catalog import page_hooks
from catalog.models import Model
from catalog.templatetags.atlas import money
from pricing import selectors
from pricing.models import Offer, Unit

HISTORY_MAX_SERIES = 10
HOME_ROWS = 8


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def price_history_chart(*, rows: Sequence[Offer], now: datetime) -> dict[str, Any] | None:
    """Chart.js datasets, one stepped line per provider price key (token input price).

    Each row contributes a point at its `valid_from`; the key's line ends at the current
    row's `now` (or the last row's `valid_to`, after which the price was withdrawn).
    x is epoch milliseconds (a linear axis: no date adapter needed)."""
    series: dict[tuple, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r.valid_from):
        if row.unit != Unit.TOKEN or row.usd_per_mtok_input is None:
            continue
        key = (row.provider_id, row.feed_id, row.model_name)
        entry = series.setdefault(
            key, {"provider": row.provider.name, "feed": row.feed.name, "points": [], "end": None}
        )
        entry["points"].append({"x": _ms(row.valid_from), "y": float(row.usd_per_mtok_input)})
        entry["end"] = row.valid_to
    if not series:
        return None
    provider_counts: dict[str, int] = {}
    for entry in series.values():
        provider_counts[entry["provider"]] = provider_counts.get(entry["provider"], 0) + 1
    datasets = []
    for entry in series.values():
        points = entry["points"]
        end = entry["end"] or now
        points.append({"x": _ms(end), "y": points[-1]["y"]})
        label = entry["provider"]
        if provider_counts[label] > 1:
            label = f"{label} ({entry['feed']})"
        datasets.append({"label": label, "data": points})
    # The cheapest current prices first; the chart stays readable.
    datasets.sort(key=lambda d: (d["data"][-1]["y"], d["label"]))
    return {"datasets": datasets[:HISTORY_MAX_SERIES], "y_label": "USD per 1M input tokens"}


def model_detail(*, model: Model, **_: Any) -> dict[str, Any]:
    offers = list(selectors.offer_list_current_for_model(model_id=model.id))
    token_offers = [o for o in offers if o.unit == Unit.TOKEN]
    other_offers = [o for o in offers if o.unit != Unit.TOKEN]
    history = price_history_chart(
        rows=list(selectors.offer_history_for_model(model_id=model.id)), now=timezone.now()
    )
    context: dict[str, Any] = {}
    if offers:
        context["offers"] = token_offers
        context["other_offers"] = other_offers
        context["offers_any"] = True
    if history:
        context["price_history"] = history
    return context


def _cheapest_current_offers(limit: int) -> list[Offer]:
    """The cheapest paid token offer of each model, cheapest models first (1 query)."""
    rows = (
        selectors.offer_list(unit=Unit.TOKEN, min_usd_per_mtok_input=Decimal("0.000000001"))
        .filter(model__isnull=False)
        .select_related("model")[: limit * 6]
    )
    seen: set[int] = set()
    picked = []
    for offer in rows:
        if offer.model_id in seen:
            continue
        seen.add(offer.model_id)
        picked.append(offer)
        if len(picked) == limit:
            break
    return picked


def price_changes_recent(*, limit: int = HOME_ROWS) -> list[dict[str, Any]]:
    """The newest price changes of linked token offers: the closed row and the row that
    replaced it (2 queries). A withdrawn price (no successor) is not a change."""
    closed = list(
        Offer.objects.filter(valid_to__isnull=False, model__isnull=False, unit=Unit.TOKEN)
        .select_related("model", "provider")
        .order_by("-valid_to", "-id")[: limit * 2]
    )
    if not closed:
        return []
    match = Q()
    for row in closed:
        match |= Q(
            feed_id=row.feed_id,
            provider_id=row.provider_id,
            model_name=row.model_name,
            unit=row.unit,
            valid_from=row.valid_to,
        )
    successors = {
        (o.feed_id, o.provider_id, o.model_name, o.unit, o.valid_from): o
        for o in Offer.objects.filter(match)
    }
    changes = []
    for row in closed:
        new = successors.get((row.feed_id, row.provider_id, row.model_name, row.unit, row.valid_to))
        if new is None or new.usd_per_mtok_input == row.usd_per_mtok_input:
            continue
        changes.append(
            {
                "model": row.model,
                "provider": row.provider,
                "old_price": row.usd_per_mtok_input,
                "new_price": new.usd_per_mtok_input,
                "changed_at": row.valid_to,
            }
        )
        if len(changes) == limit:
            break
    return changes


def home(**_: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    cheapest = _cheapest_current_offers(HOME_ROWS)
    if cheapest:
        context["cheapest_offers"] = cheapest
    changes = price_changes_recent()
    if changes:
        context["price_changes"] = changes
    return context


def compare(*, models: Sequence[Model], **_: Any) -> dict[str, Any]:
    if not models:
        return {}
    offers = list(
        Offer.objects.current()
        .filter(model_id__in=[m.id for m in models], unit=Unit.TOKEN)
        .exclude(usd_per_mtok_input__isnull=True)
        .select_related("provider")
        .order_by("usd_per_mtok_input", "provider__slug", "id")
    )
    cheapest: dict[int, Offer] = {}
    for offer in offers:
        cheapest.setdefault(offer.model_id, offer)
    counts: dict[int, int] = {}
    for offer in offers:
        counts[offer.model_id] = counts.get(offer.model_id, 0) + 1
    rows = [
        {
            "label": "Cheapest input / 1M tokens",
            "cells": [
                f"{money(o.usd_per_mtok_input)} ({o.provider.name})"
                if (o := cheapest.get(m.id))
                else "No offer"
                for m in models
            ],
        },
        {
            "label": "Its output / 1M tokens",
            "cells": [
                money(o.usd_per_mtok_output) if (o := cheapest.get(m.id)) else "—" for m in models
            ],
        },
        {"label": "API offers", "cells": [str(counts.get(m.id, 0)) for m in models]},
    ]
    return {"compare_price_rows": rows}


def model_list(*, models: Sequence[Model] = (), **_: Any) -> dict[str, Any]:
    """The price-range control, and each listed model's cheapest input price (1 query)."""
    context: dict[str, Any] = {"price_filter": {"template": "pricing/partials/price_filter.html"}}
    ids = [m.id for m in models]
    if ids:
        rows = (
            Offer.objects.current()
            .filter(model_id__in=ids, unit=Unit.TOKEN, usd_per_mtok_input__isnull=False)
            .values("model_id")
            .annotate(cheapest=Min("usd_per_mtok_input"))
            .order_by()
        )
        context["row_badges_price"] = {
            r["model_id"]: [{"text": f"from {money(r['cheapest'])} / 1M in", "tone": "ok"}]
            for r in rows
        }
    return context


page_hooks.register("model_detail", model_detail)
page_hooks.register("home", home)
page_hooks.register("compare", compare)
page_hooks.register("model_list", model_list)
