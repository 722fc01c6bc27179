"""Pricing's sections on catalog's pages (registered through `catalog.page_hooks`).

model_detail: current offers grouped per provider × variant (1 query) and the price
history chart (1 query).
home: cheapest offers (1 query) and recent price changes (2 queries).
compare: cheapest input/output offer per model (1 query).
model_list: the price-range filter controls, the listed models' cheapest price (1 query).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Min
from django.utils import timezone

from catalog import page_hooks
from catalog.models import Model
from catalog.templatetags.atlas import money
from pricing import selectors
from pricing.models import Offer, Provider, Unit
from pricing.offer_groups import OfferGroup
from pricing.offer_pricing import reference_costs

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


def price_range(offers: Sequence[Offer]) -> dict[str, Any] | None:
    """The model header's price range over current token offers: the lowest and highest
    paid input and output price per 1M tokens; $0 offers (free tiers) are counted apart,
    never shown as the cheapest price. None without a token offer."""
    if not offers:
        return None
    paid_in = [o.usd_per_mtok_input for o in offers if o.usd_per_mtok_input]
    paid_out = [o.usd_per_mtok_output for o in offers if o.usd_per_mtok_output]
    free = sum(1 for o in offers if o.usd_per_mtok_input == 0 and not o.usd_per_mtok_output)
    providers = len({o.provider_id for o in offers})
    return {
        "input_low": min(paid_in) if paid_in else None,
        "input_high": max(paid_in) if paid_in else None,
        "output_low": min(paid_out) if paid_out else None,
        "output_high": max(paid_out) if paid_out else None,
        "free": free,
        "providers": providers,
    }


def unit_tables(groups: Sequence[OfferGroup]) -> list[dict[str, Any]]:
    """Groups split into one table per unit, in the order given: {"unit", "label",
    "price_label", "groups", "has_image_options"} (the unit goes in the table header)."""
    tables: dict[str, dict[str, Any]] = {}
    for g in groups:
        unit = g.offer.unit
        table = tables.setdefault(
            unit,
            {
                "unit": unit,
                "label": Unit(unit).label if unit in Unit.values else unit,
                "price_label": UNIT_PRICE_LABELS.get(unit, "Price"),
                "groups": [],
                "has_image_options": False,
            },
        )
        table["groups"].append(g)
        g.price = _unit_price(g.offer)
        if unit == Unit.IMAGE and g.offer.image_options:
            table["has_image_options"] = True
    return list(tables.values())


UNIT_PRICE_LABELS = {
    Unit.IMAGE: "USD per image",
    Unit.AUDIO_SECOND: "USD per audio second",
    Unit.AUDIO_MINUTE: "USD per audio minute",
    Unit.VIDEO_SECOND: "USD per video second",
    Unit.CHARACTER: "USD per character",
    Unit.REQUEST: "USD per request",
    Unit.PAGE: "USD per page",
}


def _unit_price(o: Offer) -> Decimal | None:
    for f in (
        "usd_per_image",
        "usd_per_audio_second",
        "usd_per_audio_minute",
        "usd_per_request",
        "usd_per_unit",
    ):
        value = getattr(o, f)
        if value is not None:
            return value
    return None


def _mark_cheapest(groups: Sequence[OfferGroup]) -> None:
    """The cheapest paid token offer from a seller the planner would use (no free tier,
    reseller or subscription) gets the "cheapest" chip."""
    excluded = {str(k) for k in Provider.EXCLUDED_FROM_PLANS}
    paid = [
        g
        for g in groups
        if g.offer.usd_per_mtok_input
        and g.offer.provider.kind not in excluded
        and g.offer.provider.reviewed
    ]
    if len(groups) > 1 and paid:
        min(paid, key=lambda g: g.offer.usd_per_mtok_input).cheapest = True


def model_detail(*, model: Model, **_: Any) -> dict[str, Any]:
    groups = selectors.offer_groups_for_model(model_id=model.id)
    token_groups = [g for g in groups if g.offer.unit == Unit.TOKEN]
    reference_costs([g.offer for g in token_groups])  # the one cost function (pricing.costing)
    other_groups = [g for g in groups if g.offer.unit != Unit.TOKEN]
    _mark_cheapest(token_groups)
    history = price_history_chart(
        rows=list(selectors.offer_history_for_model(model_id=model.id)), now=timezone.now()
    )
    context: dict[str, Any] = {}
    if groups:
        context["offers"] = token_groups
        context["other_offer_tables"] = unit_tables(other_groups)
        context["offers_any"] = True
        context["offer_providers"] = len({g.offer.provider_id for g in groups})
        token_offers = [g.offer for g in token_groups]
        context["price_range"] = price_range(token_offers)
        stated = [o.context_tokens for o in token_offers if o.context_tokens]
        if stated:
            context["offer_context_max"] = max(stated)
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
    successors = selectors.offer_successors(closed)
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

# Seat plans on the model page (issue 21 §2): their own module registers its hook.
from pricing import subscription_web  # noqa: E402, F401
