"""Hub sync, load half on PostgreSQL: each page is COPYed into a temporary staging table as
plain tuples built straight from the records, then one `INSERT ... SELECT ... ON CONFLICT
(repo_id) DO UPDATE` per dims group moves it into catalog_model. No model instances; the
same values as the bulk path of catalog.services.hub_load (a test compares them)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from catalog.hub_tasks import task_name
from catalog.models import Model
from catalog.sanitize import sanitize_html
from catalog.services.hub_facts import WRITTEN_FIELDS as FACT_FIELDS
from catalog.services.hub_rows import (
    DIMS_FIELDS,
    LISTING_FIELDS,
    HubRow,
    config_values,
    models_link_base,
    org_slug,
    text_array,
)

# Columns a new row starts with and the Hub never updates: feed-side facts (h-identity's
# feeds fill them) and llmfit's statement (catalog.services.hub_llmfit).
NEW_ROW_FIELDS = (
    "input_modalities",
    "output_modalities",
    "knowledge_cutoff",
    "deprecation_date",
    "retirement_date",
    "llmfit_facts",
)
_NEW_ROW_VALUES = ("[]", "[]", "", None, None, "{}")
_JSON_FACTS = frozenset({"layer_kinds", "facts_provenance"})


# -- PostgreSQL: COPY into a staging table, then INSERT ... SELECT ... ON CONFLICT ---------
# Every concrete column but id, in the order `_row_tuple` builds them (a test checks that
# this covers Model's fields, so a new column cannot be silently left out).
COPY_COLUMNS = (
    "repo_id",
    "name",
    "organization_id",
    "task_id",
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
    "base_model_id",
    "base_model_repo_id",
    "base_model_relation",
    "description",
    "params_by_dtype",
    "fingerprint",
    *FACT_FIELDS,  # resolved before the write (catalog.services.hub_facts_page)
    *NEW_ROW_FIELDS,  # written on insert only (not in LISTING_FIELDS' update set)
    "created_at",
    "updated_at",
    *DIMS_FIELDS,  # last: rows without a config fill them with _NO_DIMS
)
# DIMS_FIELDS when a row has none (the has_dims = false rows never write them).
_NO_DIMS = ("[]", "", "", None, None, "")
_STAGE = "hub_stage_" + hashlib.sha1(",".join(COPY_COLUMNS).encode()).hexdigest()[:10]  # noqa: S324
_COLUMN_LIST = ", ".join(COPY_COLUMNS)
_LISTING_SET = ", ".join(
    f"{Model._meta.get_field(name).column} = EXCLUDED.{Model._meta.get_field(name).column}"
    for name in LISTING_FIELDS
)
_DIMS_SET = ", ".join(f"{name} = EXCLUDED.{name}" for name in DIMS_FIELDS)
_FACTS_SET = ", ".join(
    f"{Model._meta.get_field(name).column} = EXCLUDED.{Model._meta.get_field(name).column}"
    for name in FACT_FIELDS
)
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
    sets = [_LISTING_SET, _FACTS_SET, _DESCRIPTION_SET, _BASE_SET]
    sets += [_DIMS_SET] if has_dims else []
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


def _fact_values(facts: dict[str, Any]) -> tuple:
    return tuple(_json(facts[name]) if name in _JSON_FACTS else facts[name] for name in FACT_FIELDS)


def _row_tuple(
    row: HubRow,
    *,
    orgs: dict[str, int],
    tasks: dict[str, int],
    ids: dict[str, int],
    facts: dict[str, dict[str, Any]],
    now: datetime,
) -> tuple:
    """The COPY row of one record: COPY_COLUMNS then has_dims (same values as model_build);
    base_model_id from `ids` (repo_id -> id of the rows already in the catalog), the fact
    columns from `facts` (repo_id -> resolved values)."""
    r = row.record
    repo_id = r.repo_id
    listing = (
        repo_id,
        repo_id.rsplit("/", 1)[-1],
        orgs.get(org_slug(r.author)) if r.author else None,
        tasks.get(r.task) if r.task else None,
        "hub",
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
        _json(r.params_by_dtype),
        r.fingerprint,
        *_fact_values(facts[repo_id]),
        *_NEW_ROW_VALUES,
        now,
        now,
    )
    if row.dims is None:
        return (*listing, *_NO_DIMS, False)
    config = config_values(row)
    config["architectures"] = _json(config["architectures"])
    return (*listing, *(config[name] for name in DIMS_FIELDS), True)


def models_upsert_copy(
    rows: Sequence[HubRow], *, known: dict[str, int] | None, facts: dict[str, dict[str, Any]]
) -> None:
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
                target = f"catalog_model ({_COLUMN_LIST})"
                _copy_rows(target, new_rows, orgs, tasks, ids, facts, now)
        except IntegrityError:
            known_rows = list(rows)  # someone inserted one of them: merge them all
    if known_rows:
        _merge_rows(known_rows, orgs, tasks, ids, facts, now)
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
    facts: dict[str, dict[str, Any]],
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
            values = _row_tuple(row, orgs=orgs, tasks=tasks, ids=ids, facts=facts, now=now)
            copy.write_row(values if staging else values[:-1])


def _merge_rows(
    rows: Sequence[HubRow],
    orgs: dict[str, int],
    tasks: dict[str, int],
    ids: dict[str, int],
    facts: dict[str, dict[str, Any]],
    now: datetime,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} AS "  # noqa: S608 - fixed identifiers
            f"SELECT {_COLUMN_LIST}, true AS has_dims FROM catalog_model WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {_STAGE}")
    _copy_rows(f"{_STAGE} ({_COLUMN_LIST}, has_dims)", rows, orgs, tasks, ids, facts, now)
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
    org_names = {org_slug(r.record.author): r.record.author for r in rows if r.record.author}
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
