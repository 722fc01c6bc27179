"""The project's own snapshot format: every table of our apps, rows as JSON arrays.

    {"format": "model-atlas-snapshot", "version": 1, "exported_at": "...",
     "tables": {"catalog.model": {"fields": ["id", "repo_id", ...], "rows": [[...], ...]}}}

Tables are written in foreign-key order and read back with primary keys kept, so an
export loaded into an empty database gives equal rows (issue: round-trip the whole
knowledge base). Files ending in .gz are gzip-compressed. Generic over the app
registry, so each new table is included without code here.
"""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from config.errors import AtlasError

FORMAT = "model-atlas-snapshot"
VERSION = 1
APP_LABELS = ("catalog", "benchmarks", "quality", "pricing", "planner")
BATCH = 2000


class SnapshotError(AtlasError):
    code = "snapshot_invalid"


# Recomputed from the other tables after a load (load_snapshot runs config.derived), so
# never exported: a snapshot holds facts, not caches of them.
DERIVED_TABLES = {"catalog.catalogcount"}


def snapshot_models() -> list[type[models.Model]]:
    """Concrete tables of our apps (M2M through tables included), parents first."""
    found: list[type[models.Model]] = []
    for label in APP_LABELS:
        for m in apps.get_app_config(label).get_models(include_auto_created=True):
            if m._meta.proxy or not m._meta.managed or m._meta.label_lower in DERIVED_TABLES:
                continue
            found.append(m)
    order: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(m: type[models.Model], stack: tuple = ()) -> None:
        if m in seen or m in stack:
            return
        for f in m._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target in found and target is not m and not f.null:
                visit(target, (*stack, m))
        seen.add(m)
        order.append(m)

    for m in found:
        visit(m)
    return order


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot_export(*, path: Path) -> dict[str, int]:
    """Write every row of our apps to `path`; returns rows per table."""
    tables: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for m in snapshot_models():
        # Generated columns (catalog's search document) are the database's to compute.
        fields = [f.attname for f in m._meta.concrete_fields if not f.generated]
        rows = [
            [_encode(v) for v in row]
            for row in m._base_manager.order_by("pk").values_list(*fields).iterator(2000)
        ]
        tables[m._meta.label_lower] = {"fields": fields, "rows": rows}
        counts[m._meta.label_lower] = len(rows)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "tables": tables,
    }
    data = json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(data)
    return counts


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        doc = json.loads(raw)
    except (OSError, EOFError, gzip.BadGzipFile, json.JSONDecodeError) as exc:
        raise SnapshotError(f"cannot read snapshot {path}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotError(f"{path} is not a Model Atlas snapshot")
    if doc.get("version") != VERSION:
        raise SnapshotError(f"{path} has snapshot version {doc.get('version')}, expected {VERSION}")
    return doc


def snapshot_is_empty() -> bool:
    return not any(m._base_manager.exists() for m in snapshot_models())


@transaction.atomic(durable=True)
def snapshot_load(
    *, path: Path, replace: bool = False, fields_seen: dict[str, list[str]] | None = None
) -> dict[str, int]:
    """Load a snapshot into the database in one transaction; returns rows per table
    (and fills `fields_seen`, when given, with each loaded table's field names).

    Refuses a non-empty database unless `replace` (which deletes our tables first).
    Unknown tables or fields in the file are an error, so nothing half-loads.
    """
    doc = _read(path)
    order = snapshot_models()
    by_label = {m._meta.label_lower: m for m in order}
    unknown = set(doc["tables"]) - set(by_label)
    if unknown:
        raise SnapshotError(f"snapshot has tables this code does not know: {sorted(unknown)}")
    if not snapshot_is_empty():
        if not replace:
            raise SnapshotError("the database already has data; pass replace=True to overwrite")
        for m in reversed(order):
            m._base_manager.all()._raw_delete(m._base_manager.db)
    counts: dict[str, int] = {}
    for m in order:
        table = doc["tables"].get(m._meta.label_lower)
        if not table:
            continue
        fields = {f.attname: f for f in m._meta.concrete_fields if not f.generated}
        names = table["fields"]
        if fields_seen is not None:
            fields_seen[m._meta.label_lower] = list(names)
        missing = [n for n in names if n not in fields]
        if missing:
            raise SnapshotError(f"{m._meta.label_lower}: unknown fields {missing}")
        conv = [fields[n] for n in names]
        objs = (
            m(**{n: _decode(f, v) for n, f, v in zip(names, conv, row, strict=True)})
            for row in table["rows"]
        )
        with _auto_now_off(m):
            counts[m._meta.label_lower] = _bulk_insert(m, objs)
    _reset_sequences(order)
    return counts


def _decode(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField | models.DateField | models.DecimalField):
        return field.to_python(value)
    return value


@contextlib.contextmanager
def _auto_now_off(m: type[models.Model]) -> Iterator[None]:
    """bulk_create applies auto_now/auto_now_add; a load keeps the file's timestamps."""
    fields = [
        f
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _bulk_insert(m: type[models.Model], objs: Iterable[models.Model]) -> int:
    n = 0
    batch: list[models.Model] = []
    for obj in objs:
        batch.append(obj)
        if len(batch) >= BATCH:
            m._base_manager.bulk_create(batch)
            n += len(batch)
            batch = []
    if batch:
        m._base_manager.bulk_create(batch)
        n += len(batch)
    return n


def _reset_sequences(order: list[type[models.Model]]) -> None:
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), order)
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
