"""Quality's figures for the FAQ guide (registered through `catalog.page_hooks`, page
"guide"): how many leaderboards we read and how many models have a quality index (2 queries).
Other guides: nothing, no query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from catalog import page_hooks
from quality.models import Leaderboard, QualityIndex


def quality_counts() -> dict[str, int]:
    return {
        "leaderboards": Leaderboard.objects.count(),
        **QualityIndex.objects.aggregate(indexed_models=Count("model", distinct=True)),
    }


def guide(*, guide: str, **_: Any) -> dict[str, Any]:
    if guide == "faq":
        return {"quality_counts": quality_counts()}
    return {}


page_hooks.register("guide", guide)
