"""Hub sync: listing pages -> ModelRecord/ArchDims -> bulk upsert of catalog models.

One transaction per listing page; the page's next-URL is stored in FeedRun.cursor in
that same transaction, so an interrupted run resumes after its last committed page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import slugify

from catalog.hub import HubClient, HubError
from catalog.hub_parse import (
    ArchDims,
    HubFormatError,
    ModelRecord,
    entry_repo_id,
    estimate_active_params,
    fingerprint_entry,
    parse_config,
    parse_model,
    task_name,
)
from catalog.models import Feed, FeedRun, Model, Organization, Task
from catalog.services.runs import (
    RunCounts,
    feed_ensure,
    feed_run_finish,
    feed_run_start,
)

logger = logging.getLogger(__name__)

FEED_SLUG = "hub"
STALE_AFTER = timedelta(minutes=30)  # no page committed for this long: the run was killed

LISTING_FIELDS = [
    "name",
    "organization",
    "task",
    "source",
    "library",
    "license",
    "tags",
    "languages",
    "open_weights",
    "gated",
    "gated_mode",
    "downloads",
    "likes",
    "hub_created_at",
    "hub_modified_at",
    "sha",
    "base_model_repo_id",
    "base_model_relation",
    "params_total",
    "params_by_dtype",
    "fingerprint",
    "updated_at",
]
DIMS_FIELDS = [
    "params_active",
    "model_type",
    "architectures",
    "num_layers",
    "hidden_size",
    "num_heads",
    "num_kv_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "context_tokens",
    "num_experts",
    "experts_per_token",
    "kv_lora_rank",
    "qk_rope_head_dim",
    "sliding_window",
    "config_dtype",
    "config_sha",
]
CONFIG_FILES = {"transformers": "config.json", "diffusers": "model_index.json"}


@dataclass(frozen=True, slots=True)
class _Row:
    record: ModelRecord
    dims: ArchDims | None  # None: keep the stored dims (sha unchanged or config unreadable)


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
    """A run that committed no page for STALE_AFTER was killed (worker lost, process
    stopped): fail it, keeping its cursor, so it can be resumed. Each page commit
    refreshes updated_at."""
    return FeedRun.objects.filter(
        feed=feed, status=FeedRun.Status.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
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
            page_counts = _page_load(
                run=run, items=items, client=client, full=full, next_url=next_url or ""
            )
            counts.add(page_counts)
            seen += len(items)
            if progress:
                progress(len(items))
            url = page.next_url
    finally:
        if own_client:
            client.close()
    with transaction.atomic():
        models_link_base()
        run.cursor = ""
        run.save(update_fields=["cursor", "updated_at"])
        run = feed_run_finish(run=run, counts=counts)
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
    *, run: FeedRun, items: Sequence[Any], client: HubClient, full: bool, next_url: str
) -> RunCounts:
    counts = RunCounts()
    repo_ids = [k for k in {entry_repo_id(item) for item in items} if k]
    # 1 query: what we already hold for this page.
    existing = {
        repo_id: (pk, fingerprint, config_sha)
        for repo_id, pk, fingerprint, config_sha in Model.objects.filter(
            repo_id__in=_in_values(repo_ids)
        ).values_list("repo_id", "id", "fingerprint", "config_sha")
    }
    rows: list[_Row] = []
    for index, item in enumerate(items):
        repo_id = entry_repo_id(item)
        known = existing.get(repo_id)
        # Unchanged models cost one hash: no parse, no fetch, no write.
        if known is not None and known[1] == fingerprint_entry(item):
            counts.unchanged += 1
            continue
        try:
            record = parse_model(item)
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
    with transaction.atomic():
        if rows:
            _models_upsert(rows)
        run.pages_done += 1
        run.cursor = next_url
        run.created += counts.created
        run.updated += counts.updated
        run.unchanged += counts.unchanged
        run.failed += counts.failed
        run.errors = [*run.errors, *counts.errors][-500:]
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
    return counts


def _in_values(values: list[str]) -> list[str] | RawSQL:
    """An IN right-hand side. On PostgreSQL one array parameter (`unnest(%s)`): psycopg
    splits a query text per placeholder, which costs ~25 ms for a 1000-id IN list."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", [values])
    return values


def _model_fetch(
    *, record: ModelRecord, client: HubClient, full: bool, config_sha: str
) -> tuple[_Row, list[str]]:
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
    return _Row(record=replace(record, fingerprint=listing_fingerprint), dims=dims), problems


def _merge(listing: ModelRecord, info: ModelRecord) -> ModelRecord:
    """model_info fills what the listing left empty (cardData license, safetensors...)."""
    changes: dict[str, Any] = {}
    for name in ModelRecord.__slots__:
        if name == "fingerprint":
            continue
        if not getattr(listing, name) and getattr(info, name):
            changes[name] = getattr(info, name)
    return replace(listing, **changes)


@functools.lru_cache(maxsize=65536)
def _org_slug(author: str) -> str:
    """Organization slug of a Hub author (cached: slugify is regex-heavy, authors repeat)."""
    return slugify(author)[:120]


def _orgs_and_tasks(rows: Sequence[_Row]) -> tuple[dict[str, int], dict[str, int]]:
    org_names = {_org_slug(r.record.author): r.record.author for r in rows if r.record.author}
    org_names.pop("", None)
    task_slugs = {r.record.task for r in rows if r.record.task}
    if org_names:
        Organization.objects.bulk_create(
            [Organization(slug=s, name=n) for s, n in org_names.items()], ignore_conflicts=True
        )
    if task_slugs:
        Task.objects.bulk_create(
            [
                Task(slug=s, name=task_name(s)[0], category=task_name(s)[1])
                for s in sorted(task_slugs)
            ],
            ignore_conflicts=True,
        )
    orgs = dict(Organization.objects.filter(slug__in=list(org_names)).values_list("slug", "id"))
    tasks = dict(Task.objects.filter(slug__in=list(task_slugs)).values_list("slug", "id"))
    return orgs, tasks


def _models_upsert(rows: Sequence[_Row]) -> None:
    """Bulk upsert on repo_id (two statements: with and without new dims), then link
    base models both ways (this page's children and this page's parents)."""
    orgs, tasks = _orgs_and_tasks(rows)
    now = timezone.now()
    with_dims: list[Model] = []
    listing_only: list[Model] = []
    for row in rows:
        model = _model_build(row, orgs=orgs, tasks=tasks, now=now)
        (with_dims if row.dims is not None else listing_only).append(model)
    if listing_only:
        Model.objects.bulk_create(
            listing_only,
            update_conflicts=True,
            unique_fields=["repo_id"],
            update_fields=LISTING_FIELDS,
        )
    if with_dims:
        Model.objects.bulk_create(
            with_dims,
            update_conflicts=True,
            unique_fields=["repo_id"],
            update_fields=LISTING_FIELDS + DIMS_FIELDS,
        )
    children = [row.record.repo_id for row in rows if row.record.base_model_repo_id]
    if children:
        models_link_base(repo_ids=children)


def models_link_base(*, repo_ids: Sequence[str] | None = None) -> int:
    """Point base_model at the catalog row named by base_model_repo_id (one UPDATE).

    With repo_ids: those models (a page's derivatives). Without: every model still
    unlinked, which catches parents that arrived on a later page or in a later run.
    """
    parent = Model.objects.filter(repo_id=OuterRef("base_model_repo_id")).values("id")[:1]
    targets = Model.objects.exclude(base_model_repo_id="")
    if repo_ids is not None:
        targets = targets.filter(repo_id__in=_in_values(list(repo_ids)))
    else:  # only rows whose parent now exists, so unlinkable rows are not rewritten
        targets = targets.filter(
            Exists(Model.objects.filter(repo_id=OuterRef("base_model_repo_id"))),
            base_model__isnull=True,
        )
    return targets.update(base_model=Subquery(parent))


def _model_build(row: _Row, *, orgs: dict[str, int], tasks: dict[str, int], now: datetime) -> Model:
    r = row.record
    model = Model(
        repo_id=r.repo_id,
        name=r.repo_id.rsplit("/", 1)[-1],
        organization_id=orgs.get(_org_slug(r.author)) if r.author else None,
        task_id=tasks.get(r.task) if r.task else None,
        source=Model.Source.HUB,
        library=r.library[:60],
        license=r.license[:80],
        tags=list(r.tags),
        languages=list(r.languages),
        open_weights=True,
        gated=r.gated,
        gated_mode=r.gated_mode,
        downloads=r.downloads,
        likes=r.likes,
        hub_created_at=r.created_at,
        hub_modified_at=r.modified_at,
        sha=r.sha,
        base_model_repo_id=r.base_model_repo_id[:200],
        base_model_relation=r.base_model_relation[:20],
        params_total=r.params_total,
        params_by_dtype=r.params_by_dtype,
        fingerprint=r.fingerprint,
        created_at=now,
        updated_at=now,
    )
    d = row.dims
    if d is not None:
        model.params_active = estimate_active_params(params_total=r.params_total, dims=d)
        model.model_type = d.model_type[:60]
        model.architectures = list(d.architectures)
        model.num_layers = d.num_layers
        model.hidden_size = d.hidden_size
        model.num_heads = d.num_heads
        model.num_kv_heads = d.num_kv_heads
        model.head_dim = d.head_dim
        model.intermediate_size = d.intermediate_size
        model.vocab_size = d.vocab_size
        model.context_tokens = d.context_tokens
        model.num_experts = d.num_experts
        model.experts_per_token = d.experts_per_token
        model.kv_lora_rank = d.kv_lora_rank
        model.qk_rope_head_dim = d.qk_rope_head_dim
        model.sliding_window = d.sliding_window
        model.config_dtype = d.dtype[:20]
        model.config_sha = r.sha
    return model


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
        _models_upsert([row])
    return Model.objects.get(repo_id=record.repo_id)
