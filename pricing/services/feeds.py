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
from catalog.services.counts import catalog_counts_refresh
from catalog.services.runs import (
    RunCounts,
    db_connection_recover,
    feed_ensure,
    feed_run_finish,
    feed_run_start,
)
from config.errors import NotFound
from pricing.feeds.base import FeedFormatError
from pricing.feeds.custom import parse_custom
from pricing.feeds.genai_prices import parse_genai_prices
from pricing.feeds.litellm import parse_litellm
from pricing.feeds.modelsdev import parse_modelsdev
from pricing.feeds.openrouter import parse_openrouter
from pricing.feeds.skypilot import parse_aws_gpu_instances, parse_skypilot
from pricing.services.feed_guard import (
    DocumentSize,
    FeedRefused,
    document_check,
    empty_document_check,
    max_close_share,
)
from pricing.services.fetch import FeedFetchError, FeedTransientError, feed_fetch
from pricing.services.instances import instance_prices_load
from pricing.services.model_prices import model_prices_refresh
from pricing.services.model_tasks import model_tasks_fill
from pricing.services.offers import offers_load
from pricing.services.provider_pages import provider_pages_refresh

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
    allow_mass_close: bool = False,
) -> FeedRun:
    """Sync one pricing feed and return its FeedRun (success / partial / failed / refused).

    Fetches `file`, else `url`, else the feed's URL; parses it (pure); loads it in one
    durable transaction (offers_load / instance_prices_load). A fetch or parse failure
    finishes the run as failed and writes nothing else; so does any crash inside the run
    (the run never stays "running"). A document that looks like a wipe (empty, much
    smaller than the last good one, or closing more than FEED_MAX_CLOSE_SHARE of the
    current rows: pricing.services.feed_guard) is refused and writes nothing unless
    `allow_mass_close`. Rejected records are counted with one error line each.
    Idempotent: the same document twice -> 0 created, 0 changed. A run of this feed
    left "running" past FEED_RUN_STALE_AFTER_S (a killed worker) is failed first.
    Raises FeedAlreadyRunning if a live run holds the feed, UnknownFeed for an unknown
    slug, and (with `raise_transient`, for the Celery retry) the FeedTransientError of a
    failed fetch after recording it."""
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
        return _run(spec, feed, run, file, url, now, progress, raise_transient, allow_mass_close)
    except BaseException as exc:
        # A bug, a database error, a soft time limit, an interrupt: the run ends failed.
        db_connection_recover()
        run.refresh_from_db(fields=["status"])
        if run.status == FeedRun.Status.RUNNING:
            logger.exception("feed run crashed feed=%s", spec.slug)
            feed_run_finish(run=run, counts=RunCounts(), failed_reason=f"crashed: {exc!r}"[:500])
        if isinstance(exc, Exception) and not isinstance(exc, FeedTransientError):
            return run
        raise


def _run(spec, feed, run, file, url, now, progress, raise_transient, allow_mass_close) -> FeedRun:
    try:
        data = feed_fetch(file=file, url=url or feed.url, timeout_s=settings.FEED_TIMEOUT_S)
        if not allow_mass_close:
            empty_document_check(data)
        records, errors = spec.parse(data)
    except (FeedFetchError, FeedFormatError) as exc:
        logger.warning("feed run failed feed=%s reason=%s", spec.slug, exc)
        feed_run_finish(run=run, counts=RunCounts(), failed_reason=str(exc))
        if raise_transient and isinstance(exc, FeedTransientError):
            raise
        return run
    except FeedRefused as exc:
        return _refuse(spec, run, exc)
    size = DocumentSize(bytes=len(data), records=len(records), rejected=len(errors))
    # kept with the run (saved when it finishes): the next run's size check compares
    run.params = {**run.params, "bytes": size.bytes, "records": size.records}
    gpu = spec.kind == Feed.Kind.GPU_PRICING
    load = instance_prices_load if gpu else offers_load
    kwargs = {"max_close_share": max_close_share(allow_mass_close=allow_mass_close)}
    if not gpu:
        kwargs["close_missing"] = spec.close_missing
    try:
        if not allow_mass_close:
            document_check(feed=feed, size=size, full_listing=spec.close_missing)
        with transaction.atomic(durable=True):
            counts = load(
                feed=feed, records=records, errors=errors, now=now, progress=progress, **kwargs
            )
    except FeedRefused as exc:
        return _refuse(spec, run, exc)
    except Exception as exc:  # boundary: the load rolled back; record why
        logger.exception("feed load failed feed=%s", spec.slug)
        feed_run_finish(run=run, counts=RunCounts(), failed_reason=f"load failed: {exc!r}")
        return run
    counts.rejected += len(errors)
    counts.errors[:0] = [str(e) for e in errors]
    feed_run_finish(run=run, counts=counts)
    if not gpu:
        if model_tasks_fill():  # every priced model has a task and modalities
            catalog_counts_refresh()
        model_prices_refresh()  # the catalog's cheapest-price columns follow the prices
        provider_pages_refresh()  # and the provider pages' grouping
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


def _refuse(spec: FeedSpec, run: FeedRun, exc: FeedRefused) -> FeedRun:
    logger.warning("feed run refused feed=%s reason=%s", spec.slug, exc)
    return feed_run_finish(run=run, counts=RunCounts(), refused_reason=str(exc))
