"""Pricing's figures for the knowledge guides (registered through `catalog.page_hooks`,
page "guide"): live counts and prices, never typed-in numbers.

pricing (access models side by side): per unit (tokens, images, audio seconds) how many
current offers, from how many providers, how many at $0, the cheapest paid price and the
median (2 queries a unit), the cheapest paid token offer (1), GPU rentals (1) with the
cheapest hour per accelerator (1), providers per kind (1).
running-locally: the cheapest cloud hour of each local device, to rent before buying (1).
faq: when the newest price took effect (1). Other guides: nothing, no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery

from benchmarks.guide_context import LOCAL_KINDS
from benchmarks.models import Accelerator
from catalog import page_hooks
from pricing.models import InstancePrice, Offer, Provider, Unit

GPU_ROWS = 8
# (unit, price field, what one price buys, row title, when this way of paying wins)
UNIT_PRICE_FIELDS = (
    (Unit.TOKEN, "usd_per_mtok_input", "per 1M input tokens", "Per token",
     "Traffic is low or spiky: you pay only for what you send"),
    (Unit.IMAGE, "usd_per_image", "per image", "Per image",
     "You generate images on demand rather than in bulk"),
    (Unit.AUDIO_SECOND, "usd_per_audio_second", "per second of audio", "Per second of audio",
     "You transcribe or speak occasionally"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UnitSummary:
    unit: str
    label: str  # what one price is for: "per image"
    title: str
    wins: str
    offers: int
    providers: int
    free: int  # offers at $0 (free tiers)
    cheapest: Decimal | None  # the lowest price above $0
    median: Decimal | None  # the median price above $0


def unit_summary(
    *, unit: str, field: str, label: str, title: str = "", wins: str = ""
) -> UnitSummary:
    """Current offers of `unit` priced in `field` (2 queries)."""
    qs = Offer.objects.current().filter(unit=unit, **{f"{field}__isnull": False})
    paid = qs.filter(**{f"{field}__gt": 0})
    counts = qs.aggregate(
        offers=Count("id"),
        providers=Count("provider", distinct=True),
        free=Count("id", filter=Q(**{field: 0})),
        paid=Count("id", filter=Q(**{f"{field}__gt": 0})),
        cheapest=Min(field, filter=Q(**{f"{field}__gt": 0})),
    )
    median = None
    if counts["paid"]:  # the middle row of the paid prices in order (the upper one of two)
        median = paid.order_by(field, "id").values_list(field, flat=True)[counts["paid"] // 2]
    return UnitSummary(
        unit=unit, label=label, title=title, wins=wins, offers=counts["offers"],
        providers=counts["providers"], free=counts["free"], cheapest=counts["cheapest"],
        median=median,
    )  # fmt: skip


def cheapest_token_offer() -> Offer | None:
    """The cheapest paid current token offer linked to a model, with its provider (1 query)."""
    return (
        Offer.objects.current()
        .filter(unit=Unit.TOKEN, usd_per_mtok_input__gt=0, model__isnull=False)
        .select_related("provider", "model")
        .order_by("usd_per_mtok_input", "id")
        .first()
    )


def gpu_rental_counts() -> dict[str, int]:
    """Current GPU instance prices and the clouds they come from (1 query)."""
    return InstancePrice.objects.current().aggregate(
        prices=Count("id"), clouds=Count("provider", distinct=True)
    )


def cheapest_hours(*, kinds: Sequence[str] = (), limit: int = GPU_ROWS) -> list[Accelerator]:
    """Accelerators (of `kinds`, all when empty) with their cheapest current on-demand
    instance hour and that instance's device count, largest memory first (1 query). Only
    accelerators with a price."""
    cheapest = (
        InstancePrice.objects.current()
        .filter(accelerator=OuterRef("pk"), usd_per_hour_on_demand__isnull=False)
        .order_by("usd_per_hour_on_demand", "id")
    )
    qs = Accelerator.objects.filter(kind__in=kinds) if kinds else Accelerator.objects.all()
    return list(
        qs.annotate(
            cheapest_hour=Subquery(cheapest.values("usd_per_hour_on_demand")[:1]),
            cheapest_count=Subquery(cheapest.values("accelerator_count")[:1]),
        )
        .filter(cheapest_hour__isnull=False)
        .order_by("-memory_gib", "name")[:limit]
    )


def providers_per_kind() -> list[tuple[str, int]]:
    """(kind label, providers) for every provider kind in use (1 query)."""
    labels = dict(Provider._meta.get_field("kind").flatchoices)
    rows = Provider.objects.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    return [(str(labels.get(r["kind"], r["kind"])), r["n"]) for r in rows]


def guide(*, guide: str, **_: Any) -> dict[str, Any]:
    if guide == "pricing":
        return {
            "unit_summaries": [
                unit_summary(unit=u, field=f, label=label, title=title, wins=wins)
                for u, f, label, title, wins in UNIT_PRICE_FIELDS
            ],
            "cheapest_token_offer": cheapest_token_offer(),
            "gpu_rentals": gpu_rental_counts(),
            "cheapest_hours": cheapest_hours(),
            "providers_per_kind": providers_per_kind(),
        }
    if guide == "running-locally":
        return {"local_rentals": cheapest_hours(kinds=LOCAL_KINDS)}
    if guide == "faq":
        newest = Offer.objects.current().aggregate(newest=Max("valid_from"))["newest"]
        return {"newest_price_from": newest}
    return {}


page_hooks.register("guide", guide)
