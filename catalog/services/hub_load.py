"""Hub sync, load half: bulk upserts of catalog models from parsed Hub records.

Each function writes inside the caller's transaction (one per listing page); statement
counts do not depend on the number of rows.

Two paths with the same result (a test compares them row by row on PostgreSQL):
- PostgreSQL: COPY into a staging table, then INSERT ... SELECT ... ON CONFLICT
  (catalog.services.hub_copy). No model instances.
- Other databases (SQLite): `bulk_create(update_conflicts=True)` of Model instances.
The rows, field lists and base-model linking both share are in catalog.services.hub_rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection
from django.utils import timezone

from catalog.hub_parse import estimate_active_params
from catalog.hub_tasks import task_name
from catalog.models import Model, Organization, Task
from catalog.sanitize import sanitize_html
from catalog.services.hub_copy import COPY_COLUMNS, models_upsert_copy
from catalog.services.hub_rows import (
    DIMS_FIELDS,
    LISTING_FIELDS,
    HubRow,
    in_values,
    models_link_base,
    org_slug,
    text_array,
)

__all__ = [  # the rows and helpers of hub_rows / hub_copy are imported from here too
    "COPY_COLUMNS",
    "DIMS_FIELDS",
    "LISTING_FIELDS",
    "HubRow",
    "in_values",
    "model_build",
    "models_link_base",
    "models_upsert",
    "orgs_and_tasks",
    "text_array",
]


def orgs_and_tasks(rows: Sequence[HubRow]) -> tuple[dict[str, int], dict[str, int]]:
    org_names = {org_slug(r.record.author): r.record.author for r in rows if r.record.author}
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


def models_upsert(
    rows: Sequence[HubRow], *, method: str | None = None, known: dict[str, int] | None = None
) -> None:
    """Upsert `rows` on repo_id and link base models (each child of this page to its
    parent, or to nothing when the parent is not in the catalog).

    method: "copy" (PostgreSQL only) or "bulk"; default: "copy" on PostgreSQL. Both
    write the same values: listing fields always, dims only for rows that carry dims,
    description only when the record has one; created_at is kept on update.
    known: repo_id -> id of the catalog rows the caller already looked up for this page
    (the copy path then only looks up base models); as with any lookup, a row deleted
    meanwhile can fail the page, which the sync records and resumes.
    """
    method = method or ("copy" if connection.vendor == "postgresql" else "bulk")
    if method == "copy":
        models_upsert_copy(rows, known=known)
        return
    if method != "bulk":
        raise ValueError(f"unknown upsert method {method!r}")
    _models_upsert_bulk(rows)
    children = [row.record.repo_id for row in rows if row.record.base_model_repo_id]
    if children:
        models_link_base(repo_ids=children)


def _models_upsert_bulk(rows: Sequence[HubRow]) -> None:
    """bulk_create(update_conflicts) per (dims, description) group: the reference path."""
    orgs, tasks = orgs_and_tasks(rows)
    now = timezone.now()
    groups: dict[tuple[bool, bool], list[Model]] = {}
    for row in rows:
        model = model_build(row, orgs=orgs, tasks=tasks, now=now)
        groups.setdefault((row.dims is not None, bool(model.description)), []).append(model)
    for (has_dims, has_description), models in sorted(groups.items()):
        Model.objects.bulk_create(
            models,
            update_conflicts=True,
            unique_fields=["repo_id"],
            update_fields=LISTING_FIELDS
            + (DIMS_FIELDS if has_dims else [])
            + (["description"] if has_description else []),
        )


def model_build(
    row: HubRow, *, orgs: dict[str, int], tasks: dict[str, int], now: datetime
) -> Model:
    r = row.record
    model = Model(
        repo_id=r.repo_id,
        name=r.repo_id.rsplit("/", 1)[-1],
        organization_id=orgs.get(org_slug(r.author)) if r.author else None,
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
        params_estimated=False,
        params_by_dtype=r.params_by_dtype,
        fingerprint=r.fingerprint,
        description=sanitize_html(r.description) if r.description else "",
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
