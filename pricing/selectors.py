"""Pricing reads shared by the API, the website and the planner (joins already applied)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from pricing.models import InstancePrice, Offer, Provider


def _offers() -> QuerySet[Offer]:
    return Offer.objects.select_related("provider", "model", "feed")


def offer_list_current_for_model(*, model_id: int) -> QuerySet[Offer]:
    """Every provider's current price for one model, cheapest input first."""
    return (
        _offers()
        .current()
        .filter(model_id=model_id)
        .order_by("unit", "usd_per_mtok_input", "provider__slug")
    )


def offer_history_for_model(*, model_id: int) -> QuerySet[Offer]:
    """Every price row (closed and current) of one model, per key newest first."""
    return (
        _offers()
        .filter(model_id=model_id)
        .order_by("provider__slug", "feed_id", "model_name", "unit", "-valid_from")
    )


def offer_list(
    *,
    provider: str | None = None,
    unit: str | None = None,
    min_usd_per_mtok_input: Decimal | None = None,
    max_usd_per_mtok_input: Decimal | None = None,
    valid_at: datetime | None = None,
) -> QuerySet[Offer]:
    """Offers filtered by provider slug, unit, input price range and the date they were
    valid at (default: current prices)."""
    qs = _offers()
    qs = qs.valid_at(valid_at) if valid_at is not None else qs.current()
    if provider:
        qs = qs.filter(provider__slug=provider)
    if unit:
        qs = qs.filter(unit=unit)
    if min_usd_per_mtok_input is not None:
        qs = qs.filter(usd_per_mtok_input__gte=min_usd_per_mtok_input)
    if max_usd_per_mtok_input is not None:
        qs = qs.filter(usd_per_mtok_input__lte=max_usd_per_mtok_input)
    return qs.order_by("usd_per_mtok_input", "id")


def cheapest_offer_subquery(field: str = "usd_per_mtok_input") -> Subquery:
    """A subquery giving, per catalog model (OuterRef("pk")), the lowest current token
    price in `field`; use it in any selector: `.annotate(cheapest=cheapest_offer_subquery())`."""
    return Subquery(
        Offer.objects.current()
        .filter(model_id=OuterRef("pk"), unit="token", **{f"{field}__isnull": False})
        .order_by(field)
        .values(field)[:1]
    )


def cheapest_offer_per_model(*, models: QuerySet | None = None) -> QuerySet:
    """Catalog models annotated with their cheapest current input and output price
    (per 1M tokens), only models that have one; cheapest first."""
    from catalog.models import Model

    qs = models if models is not None else Model.objects.all()
    return (
        qs.select_related("organization")
        .annotate(
            cheapest_usd_per_mtok_input=cheapest_offer_subquery("usd_per_mtok_input"),
            cheapest_usd_per_mtok_output=cheapest_offer_subquery("usd_per_mtok_output"),
        )
        .filter(cheapest_usd_per_mtok_input__isnull=False)
        .order_by("cheapest_usd_per_mtok_input", "id")
    )


def instance_price_list(
    *,
    provider: str | None = None,
    accelerator_id: int | None = None,
    region: str | None = None,
    valid_at: datetime | None = None,
) -> QuerySet[InstancePrice]:
    """GPU instance prices (current by default), cheapest on-demand first."""
    qs = InstancePrice.objects.select_related("provider", "accelerator", "feed")
    if valid_at is None:
        qs = qs.current()
    else:
        qs = qs.filter(valid_from__lte=valid_at).exclude(valid_to__lte=valid_at)
    if provider:
        qs = qs.filter(provider__slug=provider)
    if accelerator_id is not None:
        qs = qs.filter(accelerator_id=accelerator_id)
    if region:
        qs = qs.filter(region=region)
    return qs.order_by("usd_per_hour_on_demand", "id")


def provider_list(*, kind: str | None = None) -> QuerySet[Provider]:
    qs = Provider.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("slug")


def offer_link_rates() -> list[dict]:
    """Per pricing feed: current offers, how many link to a catalog model, how many to a
    model that existed before the feed (Hub or another feed; not created for it), and of
    the offers the feed marks open-weight, how many link to a Hub repo. One query."""
    from django.db.models import Count, Q

    from catalog.models import Model

    return list(
        Offer.objects.current()
        .values("feed__slug")
        .annotate(
            offers=Count("id"),
            linked=Count("id", filter=Q(model__isnull=False)),
            linked_hub=Count("id", filter=Q(model__source=Model.Source.HUB)),
            open_weight=Count("id", filter=Q(open_weights=True)),
            open_weight_hub=Count(
                "id", filter=Q(open_weights=True, model__source=Model.Source.HUB)
            ),
        )
        .order_by("feed__slug")
    )
