"""Hub sync, load half: bulk upserts of catalog models from parsed Hub records.

Each function writes inside the caller's transaction (one per listing page); statement
counts do not depend on the number of rows.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import slugify

from catalog.hub_parse import ArchDims, ModelRecord, estimate_active_params
from catalog.hub_tasks import task_name
from catalog.models import Model, Organization, Task

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


@dataclass(frozen=True, slots=True)
class HubRow:
    record: ModelRecord
    dims: ArchDims | None  # None: keep the stored dims (sha unchanged or config unreadable)


def in_values(values: list[str]) -> list[str] | RawSQL:
    """An IN right-hand side. On PostgreSQL one array parameter (`unnest(%s)`): psycopg
    splits a query text per placeholder, which costs ~25 ms for a 1000-id IN list."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", [values])
    return values


@functools.lru_cache(maxsize=65536)
def _org_slug(author: str) -> str:
    """Organization slug of a Hub author (cached: slugify is regex-heavy, authors repeat)."""
    return slugify(author)[:120]


def orgs_and_tasks(rows: Sequence[HubRow]) -> tuple[dict[str, int], dict[str, int]]:
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


def models_upsert(rows: Sequence[HubRow]) -> None:
    """Bulk upsert on repo_id (two statements: with and without new dims), then link
    base models both ways (this page's children and this page's parents)."""
    orgs, tasks = orgs_and_tasks(rows)
    now = timezone.now()
    with_dims: list[Model] = []
    listing_only: list[Model] = []
    for row in rows:
        model = model_build(row, orgs=orgs, tasks=tasks, now=now)
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
        targets = targets.filter(repo_id__in=in_values(list(repo_ids)))
    else:  # only rows whose parent now exists, so unlinkable rows are not rewritten
        targets = targets.filter(
            Exists(Model.objects.filter(repo_id=OuterRef("base_model_repo_id"))),
            base_model__isnull=True,
        )
    return targets.update(base_model=Subquery(parent))


def model_build(
    row: HubRow, *, orgs: dict[str, int], tasks: dict[str, int], now: datetime
) -> Model:
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
        gated_mode=r.gated_mode[:10],
        downloads=r.downloads,
        likes=min(r.likes, 2**31 - 1),
        hub_created_at=r.created_at,
        hub_modified_at=r.modified_at,
        sha=r.sha[:64],
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
        model.config_sha = r.sha[:64]
    return model
