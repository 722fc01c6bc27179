"""Seat plans and price watches on the site: the model page's section (a
`catalog.page_hooks` hook, imported by pricing/web_context.py), the provider page's
context and the /subscriptions/ list page (thin views over the selectors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from catalog import page_hooks
from catalog.models import Model
from pricing.models import Provider
from pricing.subscription_selectors import subscription_closed_versions, subscription_list


def model_detail(*, model: Model, **_: Any) -> dict[str, Any]:
    """Seat plans that include the model (2 queries) and its price-changes feed URL."""
    context: dict[str, Any] = {
        "price_feed_url": reverse("pricing:price-feed-model", args=[model.repo_id])
    }
    plans = list(subscription_list(model_id=model.id))
    if plans:
        context["subscription_plans"] = plans
    return context


def provider_context(*, provider: Provider) -> dict[str, Any]:
    """A provider page's seat plans (2 queries) and its price-changes feed URL."""
    return {
        "subscription_plans": list(subscription_list(provider=provider.slug)),
        "price_feed_url": reverse("pricing:price-feed-provider", args=[provider.slug]),
    }


def subscription_list_page(request: HttpRequest) -> HttpResponse:
    """`/subscriptions/`: every current seat plan, cheapest seat first, with its earlier
    prices (3 queries: plans, their linked models, their closed versions)."""
    plans = list(subscription_list())
    earlier = subscription_closed_versions(slugs=[p.slug for p in plans]) if plans else {}
    for plan in plans:
        plan.earlier_versions = earlier.get(plan.slug, [])
    return render(request, "pricing/subscription_list.html", {"subscription_plans": plans})


page_hooks.register("model_detail", model_detail)
