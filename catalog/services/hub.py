"""Hub sync: listing pages -> ModelRecord/ArchDims -> bulk upsert of catalog models.

One transaction per listing page; the page's next-URL is stored in FeedRun.cursor in
that same transaction, so an interrupted run resumes after its last committed page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from catalog.hub import HubClient, HubError
from catalog.hub_parse import (
    ArchDims,
    HubFormatError,
    ModelRecord,
    entry_repo_id,
    fingerprint_entry,
    parse_config,
    parse_model,
)
from catalog.models import Feed, FeedRun, Model
from catalog.services.counts import catalog_counts_refresh
from catalog.services.hub_facts import models_facts_resolve, models_facts_resolve_children
from catalog.services.hub_load import (
    HubRow,
    in_values,
    models_upsert,
    text_array,
)
from catalog.services.hub_rows import models_link_base_pending
from catalog.services.runs import (
    RunCounts,
    db_connection_recover,
    feed_ensure,
    feed_run_finish,
    feed_run_start,
)

logger = logging.getLogger(__name__)

FEED_SLUG = "hub"
# A page with nothing to write (a re-sync's unchanged models) is not committed on its own:
# its cursor and counts ride with the next written page, or with the run's save after at
# most DEFER_PAGES such pages / DEFER_S seconds. A kill loses only that re-hashing work.
DEFER_PAGES = 20
DEFER_S = 10.0
CONFIG_FILES = {"transformers": "config.json", "diffusers": "model_index.json"}


def hub_feed() -> Feed:
    return feed_ensure(
        slug=FEED_SLUG, name="Hugging Face Hub", kind=Feed.Kind.HUB, schedule="daily"
    )


def _run_counts(run: FeedRun) -> RunCounts:
    return RunCounts(
        created=run.created,
        updated=run.updated,
        unchanged=run.unchanged,
        failed=run.failed,
        errors=list(run.errors),
    )


def _runs_fail_stale(*, feed: Feed) -> int:
    """A run that committed no page for HUB_RUN_STALE_AFTER_S was killed (worker lost,
    process stopped): fail it, keeping its cursor, so it can be resumed. Each page commit
    refreshes updated_at."""
    stale_after = timedelta(seconds=settings.HUB_RUN_STALE_AFTER_S)
    return FeedRun.objects.filter(
        feed=feed, status=FeedRun.Status.RUNNING, updated_at__lt=timezone.now() - stale_after
    ).update(status=FeedRun.Status.FAILED, finished_at=timezone.now())


def _resumable_run(*, feed: Feed, params: dict[str, Any]) -> FeedRun | None:
    """The latest interrupted run with the same params and a cursor, reopened as running."""
    run = FeedRun.objects.filter(feed=feed).order_by("-started_at", "-id").first()
    if run is None or run.status != FeedRun.Status.FAILED or not run.cursor:
        return None
    if run.params != params:
        return None
    with transaction.atomic():
        reopened = FeedRun.objects.filter(pk=run.pk, status=FeedRun.Status.FAILED).update(
            status=FeedRun.Status.RUNNING, finished_at=None
        )
    if not reopened:
        return None
    run.refresh_from_db()
    return run


def hub_sync(
    *,
    task: str | None = None,
    author: str | None = None,
    search: str | None = None,
    limit: int = 500,
    full: bool = False,
    resume: bool = True,
    page_size: int = 500,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    client: HubClient | None = None,
) -> FeedRun:
    """Sync up to `limit` Hub models (filtered by task/author/search) into the catalog.

    Writes Organization, Task and Model rows, upserted on slug / repo_id, one transaction
    per listing page together with the run's counts and cursor. A model whose listing
    fingerprint is unchanged is skipped; config.json is fetched only for new models and
    changed shas. `full` also calls model_info for each changed model. Per-model
    problems (gated, missing, 429/5xx after retries, malformed JSON) leave a line in
    run.errors and count as `failed`; the listing data is kept. A listing page that
    cannot be fetched finishes the run as failed with its cursor kept: with `resume`
    the next call continues from there. Idempotent: a re-sync of the same data writes
    only the run. Raises FeedAlreadyRunning when a run is in progress.
    """
    now = now or timezone.now()
    feed = hub_feed()
    params = {
        "task": task,
        "author": author,
        "search": search,
        "limit": limit,
        "full": full,
    }
    _runs_fail_stale(feed=feed)
    run = _resumable_run(feed=feed, params=params) if resume else None
    if run is None:
        run = feed_run_start(feed=feed, params=params, now=now)
    own_client = client is None
    client = client or HubClient.from_settings()
    counts = _run_counts(run)
    seen = counts.created + counts.updated + counts.unchanged + counts.failed
    url: str | None = run.cursor or client.listing_url(
        task=task, author=author, search=search, page_size=min(page_size, max(limit, 1))
    )
    deferred, saved_at = 0, time.monotonic()
    fact_changed: list[int] = []  # stored models whose facts changed: their derivatives follow
    try:
        while url and seen < limit:
            try:
                page = client.listing_page(url)
            except HubError as exc:
                logger.warning("hub sync page failed run=%s error=%s", run.pk, exc)
                run.cursor = url
                run.save(update_fields=["cursor", "updated_at"])
                return feed_run_finish(run=run, counts=counts, failed_reason=str(exc))
            items = page.items[: limit - seen]
            next_url = page.next_url if len(items) == len(page.items) else url
            page_counts, saved, changed = _page_load(
                run=run,
                items=items,
                client=client,
                full=full,
                next_url=next_url or "",
                defer=deferred < DEFER_PAGES and time.monotonic() - saved_at < DEFER_S,
            )
            if saved:
                deferred, saved_at = 0, time.monotonic()
            else:
                deferred += 1
            counts.add(page_counts)
            fact_changed += changed
            seen += len(items)
            if progress:
                progress(len(items))
            url = page.next_url
    except Exception as exc:
        # A bug or a database error: the committed pages stay, the run records why it
        # stopped (resumable from its last committed cursor), and the error propagates.
        logger.exception("hub sync stopped run=%s", run.pk)
        db_connection_recover()  # a terminated backend: record the failure on a fresh one
        run.refresh_from_db()
        feed_run_finish(run=run, counts=_run_counts(run), failed_reason=f"sync stopped: {exc!r}")
        raise
    finally:
        if own_client:
            client.close()
    with transaction.atomic():
        # Derivatives whose base arrived on a later page (now linked) or whose base's
        # facts changed take their facts again (bases first, then their derivatives).
        linked = models_link_base_pending()
        for start in range(0, len(linked), 1000):
            fact_changed += models_facts_resolve(ids=linked[start : start + 1000])
        models_facts_resolve_children(parents=fact_changed)
        run.cursor = ""
        run.save(update_fields=["cursor", "updated_at"])
        run = feed_run_finish(run=run, counts=counts)
    if run.created or run.updated:
        catalog_counts_refresh()  # the facets and totals the pages show
    logger.info(
        "hub sync finished run=%s created=%d updated=%d unchanged=%d failed=%d",
        run.pk,
        run.created,
        run.updated,
        run.unchanged,
        run.failed,
    )
    return run


def _page_load(
    *,
    run: FeedRun,
    items: Sequence[Any],
    client: HubClient,
    full: bool,
    next_url: str,
    defer: bool = False,
) -> tuple[RunCounts, bool, list[int]]:
    """Load one listing page; returns its counts, whether the run was saved and the ids
    of stored models whose facts changed. With
    `defer`, a page with nothing to write (all unchanged) only advances the run in
    memory: the next saved page commits its cursor and counts together with its own."""
    counts = RunCounts()
    repo_ids = [k for k in {entry_repo_id(item) for item in items} if k]
    existing = _page_known(repo_ids)
    rows: list[HubRow] = []
    for index, item in enumerate(items):
        repo_id = entry_repo_id(item)
        known = existing.get(repo_id)
        fingerprint = fingerprint_entry(item) if isinstance(item, dict) else None
        # Unchanged models cost one hash: no parse, no fetch, no write.
        if known is not None and known[1] == fingerprint:
            counts.unchanged += 1
            continue
        try:
            record = parse_model(item, fingerprint=fingerprint)
        except HubFormatError as exc:
            counts.failed += 1
            counts.errors.append(f"listing entry {run.pages_done}:{index}: {exc}")
            continue
        row, problems = _model_fetch(
            record=record, client=client, full=full, config_sha=known[2] if known else ""
        )
        if problems:
            counts.failed += 1
            counts.errors.extend(problems)
        if known is None:
            counts.created += 1
        else:
            counts.updated += 1
        rows.append(row)
    run.pages_done += 1
    run.cursor = next_url
    run.created += counts.created
    run.updated += counts.updated
    run.unchanged += counts.unchanged
    run.failed += counts.failed
    run.errors = [*run.errors, *counts.errors][-500:]
    if defer and not rows and not counts.failed:
        return counts, False, []  # nothing to write: saved with a later page (see hub_sync)
    changed: list[int] = []
    with transaction.atomic():
        if rows:
            known = {repo_id: row[0] for repo_id, row in existing.items()}
            changed = models_upsert(rows, known=known)
        run.save(
            update_fields=[
                "pages_done",
                "cursor",
                "created",
                "updated",
                "unchanged",
                "failed",
                "errors",
                "updated_at",
            ]
        )
    return counts, True, changed


def _page_known(repo_ids: list[str]) -> dict[str, tuple[int, str, str]]:
    """1 query: repo_id -> (id, fingerprint, config_sha) of this page's stored models."""
    if connection.vendor == "postgresql":  # one parameter, an index scan
        sql, param = text_array(repo_ids)
        with connection.cursor() as cursor:
            query = f"SELECT repo_id, id, fingerprint, config_sha FROM catalog_model WHERE repo_id = ANY({sql})"  # noqa: S608, E501 - sql: one of two fixed forms
            cursor.execute(query, [param])
            rows = cursor.fetchall()
    else:
        rows = Model.objects.filter(repo_id__in=in_values(repo_ids)).values_list(
            "repo_id", "id", "fingerprint", "config_sha"
        )
    return {repo_id: (pk, fingerprint, config_sha) for repo_id, pk, fingerprint, config_sha in rows}


def _model_fetch(
    *, record: ModelRecord, client: HubClient, full: bool, config_sha: str
) -> tuple[HubRow, list[str]]:
    """Network part for one changed model: model_info (full) and its config file."""
    problems: list[str] = []
    listing_fingerprint = record.fingerprint
    if full:
        try:
            info = parse_model(client.model_info(record.repo_id))
            record = _merge(record, info)
        except HubError as exc:
            problems.append(str(exc))
            if exc.kind == "gated":
                record = replace(record, gated=True)
        except HubFormatError as exc:
            problems.append(f"{record.repo_id}: model_info unreadable ({exc})")
    filename = CONFIG_FILES.get(record.config_hint)
    dims: ArchDims | None = None
    if filename and not (record.sha and record.sha == config_sha):
        try:
            dims = parse_config(
                client.config_file(record.repo_id, revision=record.sha or None, filename=filename)
            )
        except HubError as exc:
            problems.append(str(exc))
            if exc.kind == "gated":
                record = replace(record, gated=True)
        except HubFormatError as exc:
            problems.append(f"{record.repo_id}: {filename} unreadable ({exc})")
    # The stored fingerprint is the listing's, so the next identical listing is skipped.
    if record.fingerprint != listing_fingerprint:
        record = replace(record, fingerprint=listing_fingerprint)
    return HubRow(record=record, dims=dims), problems


def _merge(listing: ModelRecord, info: ModelRecord) -> ModelRecord:
    """model_info fills what the listing left empty (cardData license, safetensors...)."""
    changes: dict[str, Any] = {}
    for name in ModelRecord.__slots__:
        if name == "fingerprint":
            continue
        if not getattr(listing, name) and getattr(info, name):
            changes[name] = getattr(info, name)
    return replace(listing, **changes)


def hub_model_refresh(*, repo_id: str, client: HubClient | None = None) -> Model:
    """Re-read one model (model_info + config file) and upsert it, whatever its fingerprint.

    Raises HubError when model_info fails (nothing is written then).
    """
    own_client = client is None
    client = client or HubClient.from_settings()
    try:
        record = parse_model(client.model_info(repo_id))
        row, _problems = _model_fetch(record=record, client=client, full=False, config_sha="")
    finally:
        if own_client:
            client.close()
    with transaction.atomic():
        models_upsert([row])
    return Model.objects.get(repo_id=record.repo_id)
