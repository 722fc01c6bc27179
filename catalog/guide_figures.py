"""Catalog reads behind the knowledge guides (running locally, access, licences, FAQ).

Each function is one bounded query; the guides show what they return and never a
hard-coded count. Pricing, benchmarks and quality add their own figures through
`page_hooks` ("guide" page, `<app>/guide_context.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q

from catalog.licences import KINDS, LicenceKind, licence_kind
from catalog.models import Feed, FeedRun, Model


@dataclass(frozen=True, slots=True)
class LicenceRow:
    licence: str
    models: int
    kind: LicenceKind


@dataclass(frozen=True, slots=True)
class FeedFreshness:
    kind: str  # Feed.Kind label
    last_good_run: datetime | None


def catalog_counts() -> dict[str, int]:
    """How many models, open weights, API only, gated, and with each fact known (1 query)."""
    return Model.objects.aggregate(
        models=Count("id"),
        open_models=Count("id", filter=Q(open_weights=True)),
        api_only=Count("id", filter=Q(open_weights=False)),
        gated_models=Count("id", filter=Q(gated=True)),
        licence_known=Count("id", filter=Q(open_weights=True) & ~Q(license="")),
        licence_unknown=Count("id", filter=Q(open_weights=True, license="")),
        params_known=Count("id", filter=Q(params_total__isnull=False)),
        context_known=Count("id", filter=Q(context_tokens__isnull=False)),
        open_text_generation=Count("id", filter=Q(open_weights=True, task__slug="text-generation")),
    )


def licence_rows(*, limit: int = 12) -> list[LicenceRow]:
    """The most common licences of open-weights models, with what each allows (1 query)."""
    rows = (
        Model.objects.filter(open_weights=True)
        .exclude(license="")
        .values("license")
        .annotate(models=Count("id"))
        .order_by("-models", "license")[:limit]
    )
    return [LicenceRow(r["license"], r["models"], licence_kind(r["license"])) for r in rows]


def licence_kind_totals(rows: list[LicenceRow]) -> list[tuple[LicenceKind, int]]:
    """Models per licence kind among `rows`, in KINDS order (no query)."""
    totals = dict.fromkeys(KINDS, 0)
    for row in rows:
        totals[row.kind.key] += row.models
    return [(KINDS[k], n) for k, n in totals.items()]


def feed_freshness() -> list[FeedFreshness]:
    """Per feed kind, when its newest successful run finished (1 query)."""
    labels = dict(Feed.Kind.choices)
    rows = (
        FeedRun.objects.filter(status=FeedRun.Status.SUCCESS)
        .values("feed__kind")
        .annotate(last=Max("finished_at"))
        .order_by("feed__kind")
    )
    return [FeedFreshness(labels.get(r["feed__kind"], r["feed__kind"]), r["last"]) for r in rows]


def guide_figures(*, slug: str) -> dict[str, Any]:
    """The catalog's figures a guide shows (0 to 3 queries, by guide)."""
    if slug in ("running-locally", "pricing"):
        return {"counts": catalog_counts()}
    if slug == "licences":
        rows = licence_rows()
        return {
            "counts": catalog_counts(),
            "licence_rows": rows,
            "licence_kinds": licence_kind_totals(rows),
        }
    if slug == "faq":
        return {"counts": catalog_counts(), "feed_freshness": feed_freshness()}
    return {}
