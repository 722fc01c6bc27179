"""A demo-like site for the all-routes browser tests: the planner's world (real loaders:
accelerators, offers, GPU prices, quality index) plus what the other pages show (a price
history, a $0 free tier, a measured run, a leaderboard with scores, a feed run, a saved
plan), and the URL of every public page built from it with reverse()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from catalog.guides import GUIDES
from catalog.models import FeedRun
from planner.answers import inputs_from_answers
from planner.services import plan_create
from tests.planner.db import make_world
from tests.web.builders import (
    make_feed,
    make_offer,
    make_price_history,
    make_provider,
    make_quality,
    make_run,
)

BOARD = "arena-text"
ACCELERATOR = "h100-sxm"


@dataclass(frozen=True)
class SiteWorld:
    repo_id: str  # an open-weights model with offers, history, a run and scores
    other_ids: tuple[str, ...]  # two more: a larger open model and a closed API model
    provider: str
    plan_slug: str


def make_site_world() -> SiteWorld:
    from benchmarks.models import Accelerator

    models = make_world()
    small, large, mini = models["small"], models["large"], models["mini"]
    make_price_history(small, make_provider("deepinfra", name="DeepInfra"), ["0.09", "0.06"])
    make_offer(large, make_provider("free-host", name="Free Host"), "0", "0")  # a $0 free tier
    make_run(small, Accelerator.objects.get(slug=ACCELERATOR), decode_tokens_per_s=152.0)
    make_quality(small, "code", 55.0, board=BOARD, score=1210.0)
    make_quality(large, "code", 68.0, board=BOARD, score=1275.0)
    feed = make_feed("litellm")
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    FeedRun.objects.create(feed=feed, status="success", started_at=now, finished_at=now,
                           created=3, updated=0, unchanged=0)  # fmt: skip
    answers = {"task": "chat", "requests_per_day": "10000", "avg_input_tokens": "800",
               "avg_output_tokens": "300", "budget_monthly_usd": "1000",
               "peak_concurrency": "8", "modes": ["api", "cloud"],
               "include_free_tiers": True}  # fmt: skip
    parsed = inputs_from_answers(answers)
    assert parsed.errors == {}, parsed.errors
    plan = plan_create(inputs=parsed.inputs)
    return SiteWorld(
        repo_id=small.repo_id,
        other_ids=(large.repo_id, mini.repo_id),
        provider="together",
        plan_slug=plan.slug,
    )


def page_urls(world: SiteWorld) -> dict[str, list[str]]:
    """URL name -> the page URLs that exercise it (parameters filled from `world`)."""
    compare = ",".join((world.repo_id, *world.other_ids))
    return {
        "home": [reverse("home")],
        "catalog:model-list": [reverse("catalog:model-list")],
        "catalog:model-detail": [
            reverse("catalog:model-detail", args=[world.repo_id]),
            reverse("catalog:model-detail", args=[world.other_ids[1]]),  # closed, API only
        ],
        "catalog:compare": [f"{reverse('catalog:compare')}?models={compare}"],
        "catalog:feed-status": [reverse("catalog:feed-status")],
        "catalog:guide-list": [reverse("catalog:guide-list")],
        "catalog:guide-detail": [reverse("catalog:guide-detail", args=[g.slug]) for g in GUIDES],
        "pricing:provider-list": [reverse("pricing:provider-list")],
        "pricing:provider-detail": [reverse("pricing:provider-detail", args=[world.provider])],
        "pricing:accelerator-list": [reverse("pricing:accelerator-list")],
        "pricing:accelerator-detail": [
            reverse("pricing:accelerator-detail", args=[ACCELERATOR]),
            f"{reverse('pricing:accelerator-detail', args=[ACCELERATOR])}"
            "?task=any&count=2&context=131072",  # the what-runs form's other answers
        ],
        "pricing:insights": [reverse("pricing:insights")],
        "pricing:subscription-list": [reverse("pricing:subscription-list")],
        "quality:leaderboard-list": [reverse("quality:leaderboard-list")],
        "quality:index-list": [f"{reverse('quality:index-list')}?task=chat"],
        "quality:quality-vs-price": [f"{reverse('quality:quality-vs-price')}?task=chat"],
        "quality:leaderboard-detail": [reverse("quality:leaderboard-detail", args=[BOARD])],
        "benchmarks:model-requirements": [
            reverse("benchmarks:model-requirements", args=[world.repo_id])
        ],
        "planner:wizard": [reverse("planner:wizard")],
        "planner:step": [reverse("planner:step", args=["workload"])],
        "planner:plan-detail": [reverse("planner:plan-detail", args=[world.plan_slug])],
        "planner:plan-reprice": [reverse("planner:plan-reprice", args=[world.plan_slug])],
        "planner:plan-deploy": [reverse("planner:plan-deploy", args=[world.plan_slug, 1])],
    }
