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
from typing import Any

from django.db import connection
from django.utils import timezone

from catalog.hub_tasks import task_name
from catalog.models import Model, Organization, Task
from catalog.sanitize import sanitize_html
from catalog.services.hub_copy import COPY_COLUMNS, models_upsert_copy
from catalog.services.hub_facts import WRITTEN_FIELDS as FACT_FIELDS
from catalog.services.hub_facts_page import page_facts
from catalog.services.hub_rows import (
    DIMS_FIELDS,
    LISTING_FIELDS,
    HubRow,
    config_values,
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
) -> list[int]:
    """Upsert `rows` on repo_id with their resolved facts (catalog.services.hub_facts_page:
    computed before the write, from the page and what is stored) and link base models
    (each child of this page to its parent, or to nothing when the parent is not in the
    catalog). Returns the ids of stored rows whose facts changed (their derivatives may
    need resolving again).

    method: "copy" (PostgreSQL only) or "bulk"; default: "copy" on PostgreSQL. Both
    write the same values: listing and fact fields always, config fields only for rows
    that carry dims, description only when the record has one; created_at is kept.
    known: repo_id -> id of the catalog rows the caller already looked up for this page
    (the copy path then only looks up base models); as with any lookup, a row deleted
    meanwhile can fail the page, which the sync records and resumes.
    """
    if not rows:
        return []
    method = method or ("copy" if connection.vendor == "postgresql" else "bulk")
    if method not in ("copy", "bulk"):
        raise ValueError(f"unknown upsert method {method!r}")
    facts = page_facts(rows)
    if method == "copy":
        models_upsert_copy(rows, known=known, facts=facts.values)
    else:
        _models_upsert_bulk(rows, facts.values)
        children = [row.record.repo_id for row in rows if row.record.base_model_repo_id]
        if children:
            models_link_base(repo_ids=children)
    return facts.changed_ids


def _models_upsert_bulk(rows: Sequence[HubRow], facts: dict[str, dict[str, Any]]) -> None:
    """bulk_create(update_conflicts) per (dims, description) group: the reference path."""
    orgs, tasks = orgs_and_tasks(rows)
    now = timezone.now()
    groups: dict[tuple[bool, bool], list[Model]] = {}
    for row in rows:
        model = model_build(row, orgs=orgs, tasks=tasks, facts=facts, now=now)
        groups.setdefault((row.dims is not None, bool(model.description)), []).append(model)
    for (has_dims, has_description), models in sorted(groups.items()):
        Model.objects.bulk_create(
            models,
            update_conflicts=True,
            unique_fields=["repo_id"],
            update_fields=LISTING_FIELDS
            + list(FACT_FIELDS)
            + (DIMS_FIELDS if has_dims else [])
            + (["description"] if has_description else []),
        )


def model_build(
    row: HubRow,
    *,
    orgs: dict[str, int],
    tasks: dict[str, int],
    facts: dict[str, dict[str, Any]],
    now: datetime,
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
        params_by_dtype=r.params_by_dtype,
        fingerprint=r.fingerprint,
        description=sanitize_html(r.description) if r.description else "",
        created_at=now,
        updated_at=now,
        **facts[r.repo_id],
    )
    if row.dims is not None:
        for name, value in config_values(row).items():
            setattr(model, name, value)
    return model
