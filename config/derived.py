"""Refresh every derived catalog column and count after bulk data arrives (a snapshot
load): the maintained counts (catalog), each model's cheapest price (pricing), its best
quality index (quality) and the provider pages' grouping (pricing). The syncs refresh
their own; this is the all-in-one."""

from __future__ import annotations


def derived_refresh(*, counts_only: bool = False) -> dict[str, int]:
    """Run the refresh services; returns rows written by each. `counts_only`: just the
    maintained counts (the per-model columns came with the data)."""
    from catalog.services.counts import catalog_counts_refresh
    from pricing.services.model_prices import model_prices_refresh
    from pricing.services.provider_pages import provider_pages_refresh
    from quality.services import quality_best_refresh

    done = {"catalog counts": catalog_counts_refresh()}
    if not counts_only:
        done["model prices"] = model_prices_refresh()
        done["quality best"] = quality_best_refresh()
    done["provider pages"] = provider_pages_refresh()  # never in a snapshot's older files
    return done
