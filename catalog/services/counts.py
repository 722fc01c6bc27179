"""Maintained catalog counts: totals and per task / organization / license / library.

The website's facets and totals read these rows instead of counting a million-row table
on every request (issue 19 §2). `catalog_counts_refresh` recounts everything in one
transaction; the Hub sync, the snapshot load and a beat task call it, so the counts are
exact as of `CatalogCount.updated_at` (the pages say so).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from catalog.models import CatalogCount, Model, Task

logger = logging.getLogger(__name__)


def _rows(kind: str, values: list[tuple[str, str, int]], now) -> list[CatalogCount]:
    ranked = sorted((v for v in values if v[2]), key=lambda v: (-v[2], v[0]))
    return [
        CatalogCount(
            kind=kind, key=key, label=label, count=n, rank=rank, created_at=now, updated_at=now
        )
        for rank, (key, label, n) in enumerate(ranked, start=1)
    ]


@transaction.atomic
def catalog_counts_refresh() -> int:
    """Recount the catalog and replace every CatalogCount row (one transaction).

    Five aggregate queries over `catalog_model` (seconds at a million models, so never
    per request). Idempotent: the same catalog gives the same rows. Returns the number
    of rows written."""
    now = timezone.now()
    tasks = list(
        Model.objects.filter(task__isnull=False)
        .values("task__slug", "task__name")
        .annotate(n=Count("id"))
        .values_list("task__slug", "task__name", "n")
        .order_by()
    )
    orgs = list(
        Model.objects.filter(organization__isnull=False)
        .values("organization__slug", "organization__name")
        .annotate(n=Count("id"))
        .values_list("organization__slug", "organization__name", "n")
        .order_by()
    )
    fields = {}
    for field in ("license", "library"):
        fields[field] = [
            (value, value, n)
            for value, n in Model.objects.exclude(**{field: ""})
            .values_list(field)
            .annotate(n=Count("id"))
            .values_list(field, "n")
            .order_by()
        ]
    totals = [
        (CatalogCount.TOTAL_MODELS, "Models", Model.objects.count()),
        (CatalogCount.TOTAL_TASKS, "Tasks", Task.objects.count()),
        (CatalogCount.TOTAL_ORGANIZATIONS, "Organizations", len(orgs)),
    ]
    rows = [
        *_rows(CatalogCount.Kind.TOTAL, totals, now),
        *_rows(CatalogCount.Kind.TASK, tasks, now),
        *_rows(CatalogCount.Kind.ORGANIZATION, orgs, now),
        *_rows(CatalogCount.Kind.LICENSE, fields["license"], now),
        *_rows(CatalogCount.Kind.LIBRARY, fields["library"], now),
    ]
    CatalogCount.objects.all().delete()
    CatalogCount.objects.bulk_create(rows, batch_size=2000)
    if not any(r.key == CatalogCount.TOTAL_MODELS for r in rows):  # an empty catalog
        CatalogCount.objects.create(
            kind=CatalogCount.Kind.TOTAL,
            key=CatalogCount.TOTAL_MODELS,
            label="Models",
            count=0,
            rank=1,
        )
    logger.info("catalog counts refreshed rows=%d models=%d", len(rows), totals[0][2])
    return len(rows)


def model_columns_set(*, values: dict[int, dict[str, object]], fields: list[str]) -> int:
    """Write derived per-model columns (`fields`) for the models in `values`
    ({model id: {field: value}}), only where they differ; returns rows written.

    For apps above catalog that keep a denormalized column on Model (pricing's cheapest
    price, quality's best index)."""
    return columns_set(Model, values=values, fields=fields)


def columns_set(table: type, *, values: dict[int, dict[str, object]], fields: list[str]) -> int:
    """Write derived columns (`fields`) of the rows of `table` (a Django model) in
    `values` ({id: {field: value}}), only where they differ; returns rows written.
    PostgreSQL: one `UPDATE ... FROM unnest(arrays)`; elsewhere Django's bulk_update."""
    from django.db import connection

    if not values:
        return 0
    ids = list(values)
    if connection.vendor != "postgresql":
        objs = []
        for pk in ids:
            obj = table(id=pk)
            for f in fields:
                setattr(obj, f, values[pk].get(f))
            objs.append(obj)
        return table.objects.bulk_update(objs, fields, batch_size=500)
    qn = connection.ops.quote_name
    model_fields = [table._meta.get_field(f) for f in fields]
    arrays = [
        list(ids),
        *(
            [f.get_db_prep_save(values[pk].get(f.name), connection) for pk in ids]
            for f in model_fields
        ),
    ]
    types = ["bigint", *(f.db_type(connection) for f in model_fields)]
    columns = [qn(f.column) for f in model_fields]
    # unnest() of typed arrays: the planner expects few rows and probes the primary key per
    # row (a VALUES list of thousands of rows gets a hash join over a full table scan).
    source = ", ".join(f"%s::{t}[]" for t in types)
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    differs = " OR ".join(f"m.{c} IS DISTINCT FROM v.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(table._meta.db_table)} AS m SET {sets} "  # noqa: S608 - names quoted
            f"FROM unnest({source}) AS v(id, {', '.join(columns)}) "
            f"WHERE m.id = v.id AND ({differs})",
            arrays,
        )
        return cursor.rowcount


def model_column_values(*, fields: list[str]) -> dict[int, dict[str, object]]:
    """The models where any of `fields` is set: {id: {field: value}} (to diff against)."""
    from django.db.models import Q

    any_set = Q()
    for f in fields:
        any_set |= Q(**{f"{f}__isnull": False})
    return {
        row["id"]: {f: row[f] for f in fields}
        for row in Model.objects.filter(any_set).values("id", *fields)
    }


def model_columns_sync(*, fields: list[str], desired: dict[int, dict[str, object]]) -> int:
    """Make the derived `fields` of every model equal `desired` ({id: {field: value}});
    models absent from `desired` get NULL. Writes only the rows that change (one read of
    the models where a field is set, then `model_columns_set`). Returns rows written."""
    current = model_column_values(fields=fields)
    changes = {
        pk: row for pk, row in desired.items() if current.get(pk) != {f: row.get(f) for f in fields}
    }
    for pk in current.keys() - desired.keys():
        changes[pk] = dict.fromkeys(fields)
    return model_columns_set(values=changes, fields=fields)
