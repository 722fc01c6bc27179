"""Providers: created on first sight by the feeds that name them."""

from __future__ import annotations

from collections.abc import Mapping

from pricing.models import Provider

CLOUD_NAMES = {
    "aws": "Amazon Web Services",
    "gcp": "Google Cloud",
    "azure": "Microsoft Azure",
    "lambda": "Lambda",
    "vast": "Vast.ai",
    "nebius": "Nebius",
    "hyperbolic": "Hyperbolic",
    "runpod": "RunPod",
}


def providers_ensure(*, names: Mapping[str, str], kind: str) -> dict[str, int]:
    """slug -> id for every slug in `names` (slug -> display name), creating missing ones.

    Two queries whatever the count; existing providers keep their name and kind."""
    Provider.objects.bulk_create(
        [
            Provider(slug=slug[:80], name=(name or slug)[:160], kind=kind)
            for slug, name in names.items()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return dict(Provider.objects.filter(slug__in=[s[:80] for s in names]).values_list("slug", "id"))
