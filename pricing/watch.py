"""Price watches: Atom feeds of price changes for all offers, one model or one provider
(`django.contrib.syndication`). Thin: the changes come from pricing.watch_selectors.

    /prices/feed.atom                          every offer
    /prices/models/<repo id>/feed.atom         one catalog model
    /prices/providers/<provider slug>/feed.atom
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from catalog.formatting import money_text
from catalog.models import Model
from pricing.models import Provider
from pricing.watch_selectors import WITHDRAWN, PriceChange, price_changes

ENTRIES = 50


def _subject(change: PriceChange) -> str:
    model = change.old.model.repo_id if change.old.model_id else change.old.model_name
    return f"{change.old.provider.name} · {model}"


class PriceChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Model Atlas: API price changes"
    subtitle = (
        "Every provider's price changes and withdrawals, newest first, from the offers' "
        "history (a changed price closes the old row and opens a new one)."
    )

    def link(self) -> str:
        return reverse("pricing:provider-list")

    def items(self) -> list[PriceChange]:
        return price_changes(limit=ENTRIES)

    def item_title(self, item: PriceChange) -> str:
        if item.kind == WITHDRAWN:
            return f"{_subject(item)}: price withdrawn ({item.old.get_unit_display()})"
        first = item.fields[0]
        more = f" (+{len(item.fields) - 1} more)" if len(item.fields) > 1 else ""
        return (
            f"{_subject(item)}: {first.label} {money_text(first.old)} → "
            f"{money_text(first.new)}{more}"
        )

    def item_description(self, item: PriceChange) -> str:
        lines = [
            f"{f.label}: {money_text(f.old)} → {money_text(f.new)}"
            if item.kind != WITHDRAWN
            else f"{f.label}: {money_text(f.old)} (no longer listed)"
            for f in item.fields
        ]
        source = f"Feed: {item.old.feed.name}; the feed's id: {item.old.model_name}."
        return "; ".join(lines) + ". " + source

    def item_link(self, item: PriceChange) -> str:
        if item.old.model_id:
            url = reverse("catalog:model-detail", args=[item.old.model.repo_id])
        else:
            url = reverse("pricing:provider-detail", args=[item.old.provider.slug])
        return f"{url}#{item.key}"

    def item_guid(self, item: PriceChange) -> str:
        return f"model-atlas:price-change:{item.old.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: PriceChange) -> Any:
        return item.changed_at

    def item_updateddate(self, item: PriceChange) -> Any:
        return item.changed_at


class ModelPriceChangesFeed(PriceChangesFeed):
    def get_object(self, request: HttpRequest, repo_id: str) -> Model:
        model = Model.objects.filter(repo_id=repo_id).only("id", "repo_id").first()
        if model is None:
            raise Http404(f"No model {repo_id!r}.")
        return model

    def title(self, obj: Model) -> str:
        return f"Model Atlas: price changes of {obj.repo_id}"

    def link(self, obj: Model) -> str:
        return reverse("catalog:model-detail", args=[obj.repo_id])

    def items(self, obj: Model) -> list[PriceChange]:
        return price_changes(model_id=obj.id, limit=ENTRIES)


class ProviderPriceChangesFeed(PriceChangesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Provider:
        provider = Provider.objects.filter(slug=slug).first()
        if provider is None:
            raise Http404(f"No provider {slug!r}.")
        return provider

    def title(self, obj: Provider) -> str:
        return f"Model Atlas: price changes at {obj.name}"

    def link(self, obj: Provider) -> str:
        return reverse("pricing:provider-detail", args=[obj.slug])

    def items(self, obj: Provider) -> list[PriceChange]:
        return price_changes(provider_id=obj.id, limit=ENTRIES)
