"""Seat-plan reads shared by the pages, the API and the MCP tools (joins applied)."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from catalog.models import Model
from pricing.models import SubscriptionPlan


def _plans() -> QuerySet[SubscriptionPlan]:
    return SubscriptionPlan.objects.select_related("provider").prefetch_related(
        Prefetch("linked_models", queryset=Model.objects.only("id", "repo_id", "name"))
    )


def subscription_list(
    *, provider: str | None = None, model_id: int | None = None, history: bool = False
) -> QuerySet[SubscriptionPlan]:
    """Current seat plans (every version with `history`), by provider slug or linked
    model, cheapest seat first (unknown prices last). 2 queries (rows, linked models)."""
    qs = _plans()
    if not history:
        qs = qs.current()
    if provider:
        qs = qs.filter(provider__slug=provider)
    if model_id is not None:
        qs = qs.filter(linked_models__id=model_id)
    return qs.order_by(F("usd_per_seat_month").asc(nulls_last=True), "slug", "-valid_from")


def subscription_history(*, slug: str) -> QuerySet[SubscriptionPlan]:
    """Every version of one plan, newest first."""
    return _plans().filter(slug=slug).order_by("-valid_from")


def subscription_closed_versions(*, slugs: list[str]) -> dict[str, list[SubscriptionPlan]]:
    """The closed (earlier) versions of the given plans, newest first per slug (1 query)."""
    grouped: dict[str, list[SubscriptionPlan]] = {}
    rows = SubscriptionPlan.objects.filter(slug__in=slugs, valid_to__isnull=False).order_by(
        "slug", "-valid_from"
    )
    for row in rows:
        grouped.setdefault(row.slug, []).append(row)
    return grouped
