"""`feed_sync`: fetch -> pure parse -> one-transaction load, recorded as a FeedRun.

The registry below names every pricing feed: its slug (the Feed row and the
ModelAlias source), format, default URL and schedule, and its parser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Feed, FeedRun
from catalog.services.runs import RunCounts, feed_ensure, feed_run_finish, feed_run_start
from config.errors import NotFound
from pricing.feeds.base import FeedFormatError
from pricing.feeds.custom import parse_custom
from pricing.feeds.genai_prices import parse_genai_prices
from pricing.feeds.litellm import parse_litellm
from pricing.feeds.modelsdev import parse_modelsdev
from pricing.feeds.openrouter import parse_openrouter
from pricing.feeds.skypilot import parse_aws_gpu_instances, parse_skypilot
from pricing.services.fetch import FeedFetchError, FeedTransientError, feed_fetch
from pricing.services.instances import instance_prices_load
from pricing.services.offers import offers_load

logger = logging.getLogger(__name__)
SKYPILOT_URL = "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v8/{cloud}/vms.csv"
SKYPILOT_CLOUDS = ("gcp", "azure", "lambda", "vast", "nebius", "hyperbolic", "runpod")


@dataclass(frozen=True, slots=True)
class FeedSpec:
    slug: str
    name: str
    kind: str
    format: str
    url: str
    schedule: str
    parse: Callable[[bytes], tuple[list, list]]
    close_missing: bool = True  # a full listing: keys it no longer names are closed


FEEDS: dict[str, FeedSpec] = {
    spec.slug: spec
    for spec in (
        FeedSpec(
            "litellm",
            "LiteLLM cost map",
            Feed.Kind.PRICING,
            "litellm-json",
            "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
            "hourly",
            parse_litellm,
        ),
        FeedSpec(
            "openrouter",
            "OpenRouter models API",
            Feed.Kind.PRICING,
            "openrouter-json",
            "https://openrouter.ai/api/v1/models",
            "hourly",
            parse_openrouter,
        ),
        FeedSpec(
            "models-dev",
            "models.dev api.json",
            Feed.Kind.PRICING,
            "modelsdev-json",
            "https://models.dev/api.json",
            "hourly",
            parse_modelsdev,
        ),
        FeedSpec(
            "genai-prices",
            "pydantic genai-prices",
            Feed.Kind.PRICING,
            "genai-prices-json",
            "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json",
            "hourly",
            parse_genai_prices,
        ),
        FeedSpec(
            "custom",
            "Hand-curated offers",
            Feed.Kind.PRICING,
            "atlas-json-csv",
            "",
            "",
            parse_custom,
            close_missing=False,  # a curator's file adds prices; it is not a full listing
        ),
        FeedSpec(
            "aws-gpu-instances",
            "AWS GPU instances (instances.vantage.sh)",
            Feed.Kind.GPU_PRICING,
            "aws-gpu-json",
            "",
            "daily",
            parse_aws_gpu_instances,
        ),
        *(
            FeedSpec(
                f"skypilot-{cloud}",
                f"SkyPilot catalog: {cloud}",
                Feed.Kind.GPU_PRICING,
                "skypilot-csv",
                SKYPILOT_URL.format(cloud=cloud),
                "daily",
                partial(parse_skypilot, cloud=cloud),
            )
            for cloud in SKYPILOT_CLOUDS
        ),
    )
}


class UnknownFeed(NotFound):
    code = "feed_not_found"


def feed_spec_get(slug: str) -> FeedSpec:
    try:
        return FEEDS[slug]
    except KeyError:
        raise UnknownFeed(f"no pricing feed '{slug}' (known: {', '.join(sorted(FEEDS))})") from None


def feed_sync(
    *,
    feed_slug: str,
    file: str | Path | None = None,
    url: str | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    raise_transient: bool = False,
) -> FeedRun:
    """Sync one pricing feed and return its FeedRun (status success / partial / failed).

    Fetches `file`, else `url`, else the feed's URL; parses it (pure); loads it in one
    durable transaction (offers_load / instance_prices_load). A fetch or parse failure
    finishes the run as failed and writes nothing else. Rejected records are counted
    with one error line each. Idempotent: the same document twice -> 0 created, 0
    changed. Raises FeedAlreadyRunning if the feed is already running, UnknownFeed for
    an unknown slug, and (with `raise_transient`, for the Celery retry) the
    FeedTransientError of a failed fetch after recording it."""
    spec = feed_spec_get(feed_slug)
    now = now or timezone.now()
    feed = feed_ensure(
        slug=spec.slug,
        name=spec.name,
        kind=spec.kind,
        format=spec.format,
        url=spec.url,
        schedule=spec.schedule,
    )
    source = str(file) if file else (url or feed.url)
    run = feed_run_start(feed=feed, params={"source": source}, now=now)
    try:
        data = feed_fetch(file=file, url=url or feed.url, timeout_s=settings.FEED_TIMEOUT_S)
        records, errors = spec.parse(data)
    except (FeedFetchError, FeedFormatError) as exc:
        logger.warning("feed run failed feed=%s reason=%s", spec.slug, exc)
        feed_run_finish(run=run, counts=RunCounts(), failed_reason=str(exc))
        if raise_transient and isinstance(exc, FeedTransientError):
            raise
        return run
    load = instance_prices_load if spec.kind == Feed.Kind.GPU_PRICING else offers_load
    kwargs = {} if spec.kind == Feed.Kind.GPU_PRICING else {"close_missing": spec.close_missing}
    try:
        with transaction.atomic(durable=True):
            counts = load(
                feed=feed, records=records, errors=errors, now=now, progress=progress, **kwargs
            )
    except Exception as exc:  # boundary: the load rolled back; record why
        logger.exception("feed load failed feed=%s", spec.slug)
        feed_run_finish(run=run, counts=RunCounts(), failed_reason=f"load failed: {exc!r}")
        return run
    counts.rejected += len(errors)
    counts.errors[:0] = [str(e) for e in errors]
    feed_run_finish(run=run, counts=counts)
    logger.info(
        "feed run finished feed=%s created=%d updated=%d unchanged=%d closed=%d rejected=%d",
        spec.slug,
        counts.created,
        counts.updated,
        counts.unchanged,
        counts.closed,
        counts.rejected,
    )
    return run
