"""Hub sync, load half: bulk upserts of catalog models from parsed Hub records.

Each function writes inside the caller's transaction (one per listing page); statement
counts do not depend on the number of rows.

Two paths with the same result (a test compares them row by row on PostgreSQL):
- PostgreSQL: each page is COPYed into a temporary staging table as plain tuples built
  straight from the records, then one `INSERT ... SELECT ... ON CONFLICT (repo_id) DO
  UPDATE` per dims group moves it into catalog_model. No model instances.
- Other databases (SQLite): `bulk_create(update_conflicts=True)` of Model instances.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import slugify

from catalog.hub_parse import ArchDims, ModelRecord, estimate_active_params
from catalog.hub_tasks import task_name
from catalog.models import Model, Organization, Task
from catalog.sanitize import sanitize_html

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
    "params_estimated",
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


_SEP = "\x1f"  # ASCII unit separator: never in a Hub repo id, slug or name


def text_array(values: Sequence[str]) -> tuple[str, str | list[str]]:
    """(SQL, parameter) for a PostgreSQL text[] of `values`.

    One joined string split server-side (`string_to_array`): psycopg dumps a list
    parameter element by element in Python (~5 µs per string, 5 ms for a page of repo
    ids); a list is sent for fewer than 2 values or when a value holds the separator.
    """
    joined = _SEP.join(values)
    # A list below 2 values: string_to_array('') is {} where [""] means {""}.
    if len(values) < 2 or joined.count(_SEP) != len(values) - 1:
        return "%s::text[]", list(values)
    return "string_to_array(%s, chr(31))", joined


def in_values(values: list[str]) -> list[str] | RawSQL:
    """An IN right-hand side. On PostgreSQL one parameter (`unnest(...)`): psycopg
    splits a query text per placeholder, which costs ~25 ms for a 1000-id IN list."""
    if connection.vendor == "postgresql":
        sql, param = text_array(values)
        return RawSQL(f"SELECT unnest({sql})", [param])  # noqa: S611 - fixed SQL forms
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
        _models_upsert_copy(rows, known=known)
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


# -- PostgreSQL: COPY into a staging table, then INSERT ... SELECT ... ON CONFLICT ---------
# Every concrete column but id, in the order `_row_tuple` builds them (a test checks that
# this covers Model's fields, so a new column cannot be silently left out).
COPY_COLUMNS = (
    "repo_id",
    "name",
    "organization_id",
    "task_id",
    "source",
    "family",
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
    "base_model_id",
    "base_model_repo_id",
    "base_model_relation",
    "description",
    "params_total",
    "params_estimated",
    "params_by_dtype",
    "fingerprint",
    "created_at",
    "updated_at",
    *DIMS_FIELDS,  # last: rows without a config fill them with _NO_DIMS
)
_NO_DIMS = (None, "", "[]", *([None] * 13), "", "")  # DIMS_FIELDS when a row has none
_STAGE = "hub_stage_" + hashlib.sha1(",".join(COPY_COLUMNS).encode()).hexdigest()[:10]  # noqa: S324
_COLUMN_LIST = ", ".join(COPY_COLUMNS)
_LISTING_SET = ", ".join(
    f"{Model._meta.get_field(name).column} = EXCLUDED.{Model._meta.get_field(name).column}"
    for name in LISTING_FIELDS
)
_DIMS_SET = ", ".join(f"{name} = EXCLUDED.{name}" for name in DIMS_FIELDS)
# An empty incoming description keeps the stored one (the Hub listing carries no card text).
_DESCRIPTION_SET = (
    "description = CASE WHEN EXCLUDED.description <> '' "
    "THEN EXCLUDED.description ELSE catalog_model.description END"
)


# A child gets its parent's id (resolved before the write) or NULL; a row that names no
# base model keeps its link, as models_link_base(repo_ids=...) on the bulk path does.
_BASE_SET = (
    "base_model_id = CASE WHEN EXCLUDED.base_model_repo_id <> '' "
    "THEN EXCLUDED.base_model_id ELSE catalog_model.base_model_id END"
)


def _upsert_sql(*, has_dims: bool) -> str:
    sets = [_LISTING_SET, _DESCRIPTION_SET, _BASE_SET] + ([_DIMS_SET] if has_dims else [])
    where = "has_dims" if has_dims else "NOT has_dims"
    return (
        f"INSERT INTO catalog_model ({_COLUMN_LIST}) "  # noqa: S608 - fixed identifiers
        f"SELECT {_COLUMN_LIST} FROM {_STAGE} WHERE {where} "
        f"ON CONFLICT (repo_id) DO UPDATE SET {', '.join(sets)}"
    )


_UPSERT_WITH_DIMS = _upsert_sql(has_dims=True)
_UPSERT_LISTING_ONLY = _upsert_sql(has_dims=False)


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _row_tuple(
    row: HubRow,
    *,
    orgs: dict[str, int],
    tasks: dict[str, int],
    ids: dict[str, int],
    now: datetime,
) -> tuple:
    """The COPY row of one record: COPY_COLUMNS then has_dims (same values as model_build);
    base_model_id from `ids` (repo_id -> id of the rows already in the catalog)."""
    r = row.record
    repo_id = r.repo_id
    listing = (
        repo_id,
        repo_id.rsplit("/", 1)[-1],
        orgs.get(_org_slug(r.author)) if r.author else None,
        tasks.get(r.task) if r.task else None,
        "hub",
        "",
        r.library[:60],
        r.license[:80],
        _json(list(r.tags)),
        _json(list(r.languages)),
        True,
        r.gated,
        r.gated_mode[:10],
        r.downloads,
        min(r.likes, 2**31 - 1),
        r.created_at,
        r.modified_at,
        r.sha[:64],
        ids.get(r.base_model_repo_id[:200]) if r.base_model_repo_id else None,
        r.base_model_repo_id[:200],
        r.base_model_relation[:20],
        sanitize_html(r.description) if r.description else "",
        r.params_total,
        False,  # a count from the Hub is never an estimate (see services/params.py)
        _json(r.params_by_dtype),
        r.fingerprint,
        now,
        now,
    )
    d = row.dims
    if d is None:
        return (*listing, *_NO_DIMS, False)
    return (
        *listing,
        estimate_active_params(params_total=r.params_total, dims=d),
        d.model_type[:60],
        _json(list(d.architectures)),
        d.num_layers,
        d.hidden_size,
        d.num_heads,
        d.num_kv_heads,
        d.head_dim,
        d.intermediate_size,
        d.vocab_size,
        d.context_tokens,
        d.num_experts,
        d.experts_per_token,
        d.kv_lora_rank,
        d.qk_rope_head_dim,
        d.sliding_window,
        d.dtype[:20],
        r.sha[:64],
        True,
    )


def _models_upsert_copy(rows: Sequence[HubRow], *, known: dict[str, int] | None) -> None:
    """The PostgreSQL write of one page, 5 to 10 statements whatever its size.

    One lookup gives the ids of this page's rows and of its base models already in the
    catalog. New rows are COPYed straight into catalog_model (the fast path: one write per
    row, base_model_id resolved in Python); should one appear meanwhile (a concurrent
    insert) the savepoint rolls back and they go the staging way too. Known rows are
    COPYed into a temporary staging table (created once per connection, emptied per page)
    and merged with INSERT ... SELECT ... ON CONFLICT (repo_id) DO UPDATE. Last, children
    whose parent is a new row of this same page are linked with one UPDATE.
    """
    if not rows:
        return
    orgs, tasks = _orgs_and_tasks_pg(rows)
    now = timezone.now()
    page = {row.record.repo_id for row in rows}
    wanted = {row.record.base_model_repo_id[:200] for row in rows}
    if known is None:
        wanted |= page
        ids: dict[str, int] = {}
    else:
        ids = {repo_id: known[repo_id] for repo_id in page if repo_id in known}
        wanted -= page
    wanted.discard("")
    if wanted:
        sql, param = text_array(list(wanted))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT repo_id, id FROM catalog_model WHERE repo_id = ANY({sql})",  # noqa: S608
                [param],
            )
            ids.update(cursor.fetchall())
    new_rows = [row for row in rows if row.record.repo_id not in ids]
    known_rows = [row for row in rows if row.record.repo_id in ids]
    if new_rows:
        try:
            with transaction.atomic():
                _copy_rows(f"catalog_model ({_COLUMN_LIST})", new_rows, orgs, tasks, ids, now)
        except IntegrityError:
            known_rows = list(rows)  # someone inserted one of them: merge them all
    if known_rows:
        _merge_rows(known_rows, orgs, tasks, ids, now)
    # Children whose parent arrived on this page (its id was unknown at COPY time).
    late = [
        row.record.repo_id
        for row in rows
        if row.record.base_model_repo_id[:200] in page
        and row.record.base_model_repo_id[:200] not in ids
    ]
    if late:
        models_link_base(repo_ids=late)


def _copy_rows(
    target: str,
    rows: Sequence[HubRow],
    orgs: dict[str, int],
    tasks: dict[str, int],
    ids: dict[str, int],
    now: datetime,
) -> None:
    """COPY rows into `target` ("table (columns)"); the last tuple item (has_dims) is
    written only to the staging table."""
    staging = target.startswith(_STAGE)
    # psycopg's copy() bypasses Django's cursor wrapper: map its errors (UniqueViolation
    # -> IntegrityError) the way Django does for execute().
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy,
    ):
        for row in rows:
            values = _row_tuple(row, orgs=orgs, tasks=tasks, ids=ids, now=now)
            copy.write_row(values if staging else values[:-1])


def _merge_rows(
    rows: Sequence[HubRow],
    orgs: dict[str, int],
    tasks: dict[str, int],
    ids: dict[str, int],
    now: datetime,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} AS "  # noqa: S608 - fixed identifiers
            f"SELECT {_COLUMN_LIST}, true AS has_dims FROM catalog_model WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {_STAGE}")
    _copy_rows(f"{_STAGE} ({_COLUMN_LIST}, has_dims)", rows, orgs, tasks, ids, now)
    with connection.cursor() as cursor:
        if any(row.dims is None for row in rows):
            cursor.execute(_UPSERT_LISTING_ONLY)
        if any(row.dims is not None for row in rows):
            cursor.execute(_UPSERT_WITH_DIMS)


_ORGS_UPSERT = """
WITH input(slug, name) AS (SELECT * FROM unnest({}, {})),
inserted AS (
    INSERT INTO catalog_organization (slug, name, homepage, created_at, updated_at)
    SELECT slug, name, '', %s, %s FROM input ON CONFLICT (slug) DO NOTHING
    RETURNING slug, id
)
SELECT slug, id FROM inserted
UNION ALL SELECT o.slug, o.id FROM catalog_organization o JOIN input USING (slug)
"""
_TASKS_UPSERT = """
WITH input(slug, name, category) AS (SELECT * FROM unnest({}, {}, {})),
inserted AS (
    INSERT INTO catalog_task (slug, name, category, created_at, updated_at)
    SELECT slug, name, category, %s, %s FROM input ON CONFLICT (slug) DO NOTHING
    RETURNING slug, id
)
SELECT slug, id FROM inserted
UNION ALL SELECT t.slug, t.id FROM catalog_task t JOIN input USING (slug)
"""


def _orgs_and_tasks_pg(rows: Sequence[HubRow]) -> tuple[dict[str, int], dict[str, int]]:
    """orgs_and_tasks in two statements (insert-missing + read-all each), no instances."""
    org_names = {_org_slug(r.record.author): r.record.author for r in rows if r.record.author}
    org_names.pop("", None)
    task_slugs = sorted({r.record.task for r in rows if r.record.task})
    now = timezone.now()
    orgs: dict[str, int] = {}
    tasks: dict[str, int] = {}
    with connection.cursor() as cursor:
        if org_names:
            slugs = text_array(list(org_names))
            names = text_array([name[:200] for name in org_names.values()])
            cursor.execute(_ORGS_UPSERT.format(slugs[0], names[0]), [slugs[1], names[1], now, now])
            orgs = dict(cursor.fetchall())
        if task_slugs:
            labels = [task_name(slug) for slug in task_slugs]
            arrays = [
                text_array(task_slugs),
                text_array([n for n, _ in labels]),
                text_array([c for _, c in labels]),
            ]
            cursor.execute(
                _TASKS_UPSERT.format(*(sql for sql, _ in arrays)),
                [*(param for _, param in arrays), now, now],
            )
            tasks = dict(cursor.fetchall())
    return orgs, tasks


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
