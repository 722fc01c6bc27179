"""The provider pages' grouping, stored on the offers (Offer.page_group / page_rank).

A provider's page shows its current offers grouped per model × unit × variant
(pricing.offer_groups), cheapest first per unit, 50 groups a page. Computing that from
the rows on every request reads all of the provider's rows: 20,000 at a million models,
about a second. The price syncs call `provider_pages_refresh` after loading (as they
refresh each model's cheapest price), so a page reads a count and its own groups' rows.
The grouping is the one function the page used (pricing.selectors
.offer_group_heads_for_provider); rows a sync wrote before the refresh have no
page_group, and the page computes from the rows until they do.
"""

from __future__ import annotations

import logging

from catalog.services.counts import columns_set
from pricing.models import Offer, Provider

logger = logging.getLogger(__name__)

FIELDS = ["page_group", "page_rank"]


def provider_pages_refresh(*, provider_ids: list[int] | None = None) -> int:
    """Recompute the stored grouping of every provider with current offers (or those in
    `provider_ids`); writes only the rows that change. Idempotent; returns rows written."""
    from pricing.selectors import offer_group_heads_for_provider

    current = Offer.objects.current()
    if provider_ids is not None:
        current = current.filter(provider_id__in=provider_ids)
    with_offers = current.values("provider_id").distinct().order_by()
    written = 0
    for provider in Provider.objects.filter(id__in=with_offers).order_by("id"):
        desired: dict[int, dict[str, object]] = {}
        heads = offer_group_heads_for_provider(provider=provider, cap=None)
        for rank, group in enumerate(heads):
            for row in group.sources:
                desired[row.id] = {"page_group": group.offer.id, "page_rank": None}
            desired[group.offer.id]["page_rank"] = rank
        stored = Offer.objects.current().filter(provider_id=provider.id).values_list("id", *FIELDS)
        changes = {
            pk: desired[pk]
            for pk, group, rank in stored
            if pk in desired and desired[pk] != {"page_group": group, "page_rank": rank}
        }
        written += columns_set(Offer, values=changes, fields=FIELDS)
    logger.info("provider pages refreshed written=%d", written)
    return written
