"""Writes: refresh the materialized quality index from each board's newest snapshot."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import orjson
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from catalog.services.counts import model_columns_sync
from quality.index import (
    IndexResult,
    IndexValue,
    columns_from_db_rows,
    quality_indexes_compute,
    required_components,
)
from quality.models import QualityIndex
from quality.selectors import index_score_rows

logger = logging.getLogger(__name__)
UPSERT_ROWS = 500  # 9 parameters a row: 4,500 a statement (SQLite allows 32,766)


@transaction.atomic
def quality_index_refresh(*, now: datetime | None = None) -> int:
    """Recompute the quality index (model x task) from each board's newest snapshot.

    Reads the scores of the views the index uses (`index_score_rows`), fits every task's
    scale (quality.index), upserts every value on (model, task) stamped `now` and
    deletes the rows of models that lost every score of a task. Idempotent: the same
    scores give the same rows. Returns the number of index rows now stored.
    """
    now = now or timezone.now()
    read = index_score_rows()
    components = required_components()
    scores = columns_from_db_rows(read.rows, read.snapshots, components)
    result = quality_indexes_compute(scores)
    values = result.values
    quality_index_write(values=values, now=now)
    quality_best_refresh(values=values)
    _log(result)
    return len(result.values)


def quality_best_refresh(*, values: Sequence[IndexValue] | None = None) -> int:
    """Copy each model's best QualityIndex value (over tasks) onto
    `catalog.Model.quality_index_best`, the column the catalog sorts and filters on
    (NULL without an index). `values`: every row the index now holds, as the refresh
    just wrote them (no aggregate read then); else one aggregate read. Only changed
    rows are written."""
    if values is None:
        rows = QualityIndex.objects.values_list("model_id").annotate(best=Max("value"))
        best = dict(rows.order_by())
    else:
        best = {}
        for v in values:
            if v.model_id not in best or v.value > best[v.model_id]:
                best[v.model_id] = v.value
    desired = {pk: {"quality_index_best": b} for pk, b in best.items()}
    return model_columns_sync(fields=["quality_index_best"], desired=desired)


def quality_index_write(*, values: Sequence[IndexValue], now: datetime) -> tuple[int, int]:
    """Upsert every value on (model, task) and delete the rows no value replaced;
    returns (written, deleted). Rows go in as plain tuples (sources serialized once with
    orjson), not through bulk_create's per-field preparation, the refresh's largest
    cost before (bench/quality.py): on PostgreSQL by COPY into a temporary table and
    one INSERT ... SELECT ... ON CONFLICT DO UPDATE, elsewhere by multi-row INSERT ...
    ON CONFLICT DO UPDATE statements of UPSERT_ROWS rows; then one DELETE of the rows
    not stamped `now`. Comparing with the stored rows to skip unchanged ones cost more
    than writing them (reading the JSON sources back)."""
    dumps = orjson.dumps
    rows = [
        (v.model_id, v.task, v.value, v.uncertainty, v.adjustment,
         dumps([s.as_json() for s in v.sources]).decode(), now, now, now)
        for v in values
    ]  # fmt: skip
    if connection.vendor == "postgresql":
        _upsert_copy(rows)
    else:
        stamp = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), UPSERT_ROWS):
                batch = rows[start : start + UPSERT_ROWS]
                params = [v for row in batch for v in (*row[:6], stamp, stamp, stamp)]
                cursor.execute(_upsert_sql(f"VALUES {', '.join([_ROW] * len(batch))}"), params)
    deleted, _ = QualityIndex.objects.exclude(computed_at=now).delete()
    return len(rows), deleted


_NAMES = ("model", "task", "value", "uncertainty", "adjustment", "sources", "computed_at",
          "created_at", "updated_at")  # fmt: skip
_ROW = "(" + ", ".join(["%s"] * len(_NAMES)) + ")"


def _columns() -> list[str]:
    column = {f.name: f.column for f in QualityIndex._meta.concrete_fields}
    return [column[n] for n in _NAMES]


def _upsert_sql(source: str) -> str:
    """INSERT INTO the index table {source} ON CONFLICT (model, task) DO UPDATE; the
    table and column names come from the model's meta, never from input."""
    cols = _columns()
    keep = {cols[0], cols[1], cols[7]}  # model, task, created_at
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c not in keep)
    return (
        f"INSERT INTO {QualityIndex._meta.db_table} ({', '.join(cols)}) {source} "
        f"ON CONFLICT ({cols[0]}, {cols[1]}) DO UPDATE SET {update}"
    )


def _upsert_copy(rows: list[tuple]) -> None:
    """PostgreSQL: COPY the rows into a temporary table dropped at commit, then upsert."""
    cols = ", ".join(_columns())
    with connection.cursor() as cursor:
        # dropped at commit; inside a longer transaction a second refresh finds it
        cursor.execute("DROP TABLE IF EXISTS pg_temp.quality_index_new")
        cursor.execute(
            f"CREATE TEMP TABLE quality_index_new ON COMMIT DROP AS SELECT {cols} "  # noqa: S608
            f"FROM {QualityIndex._meta.db_table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY quality_index_new ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(_upsert_sql(f"SELECT {cols} FROM quality_index_new"))  # noqa: S608


def _log(result: IndexResult) -> None:
    for task, t in result.tasks.items():
        logger.info(
            "quality index task=%s values=%d tau=%.2f cycles=%d order_rounds=%d",
            task,
            len(t.values),
            t.tau,
            len(t.cycles),
            t.order_rounds,
        )
        for key, why in t.left_out.items():
            logger.warning("quality index task=%s left out %s: %s", task, key, why)
