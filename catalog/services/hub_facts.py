"""Resolve each Hub model's facts (parameters, dims, release date) from its sources, with
the provenance of every fact (catalog.facts.resolve_facts).

Two ways in, the same rules:
- `page_facts(rows)`: the fact columns of a Hub page, computed before the page is
  written, so both load paths (COPY and bulk) write them with the page (no second
  write). Reads the page's stored rows, their base models and, where needed, family
  peers and derivatives: at most 4 SELECTs whatever the page size.
- `models_facts_resolve(ids=...)`: re-resolve stored rows (a base that arrived later,
  the llmfit ingest, on-demand fetches, `manage.py resolve_facts`) and write those that
  changed: 1 UPDATE.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from catalog.facts import (
    DIM_FIELDS,
    FAMILY_CONFIGS,
    Dims,
    FactRow,
    Related,
    family_key,
    quantized,
    resolve_facts,
    safetensors_params,
)
from catalog.models import Model
from catalog.services.hub_rows import in_values

# What resolve reads of a row (its sources and what it keeps) and what it writes.
SOURCE_FIELDS = (
    "id",
    "repo_id",
    "source",
    "gated",
    "tags",
    "base_model_id",
    "base_model_repo_id",
    "base_model_relation",
    "params_by_dtype",
    "config_params_total",
    "config_params_active",
    "quant_method",
    "hub_created_at",
    "hub_modified_at",
    "llmfit_facts",
    "params_source",
    "params_total",
    "params_active",
    "params_estimated",
    "dims_source",
    *DIM_FIELDS,
    "release_date",
    "is_test_repo",
    "family",
    "facts_provenance",
)
WRITTEN_FIELDS = (
    "params_total",
    "params_active",
    "params_source",
    "params_estimated",
    "dims_source",
    *DIM_FIELDS,
    "release_date",
    "is_test_repo",
    "family",
    "facts_provenance",
)
_OK_PARAMS = frozenset({"safetensors", "config", "base_model", "llmfit", "manual"})
_OK_DIMS = frozenset({"config", "base_model", "llmfit"})
MAX_DEPTH = 4  # base-model chains: quantization of a fine-tune of a base ...


def _dims(row: dict[str, Any]) -> Dims:
    values = {name: row[name] for name in DIM_FIELDS}
    values["layer_kinds"] = tuple(row["layer_kinds"] or ())
    values["model_type"] = values["model_type"] or ""
    return Dims(**values)


def fact_row(row: dict[str, Any]) -> FactRow:
    by_dtype = row["params_by_dtype"] or {}
    tags = row["tags"] or ()
    return FactRow(
        repo_id=row["repo_id"],
        tags=tuple(t for t in tags if isinstance(t, str)),
        base_model_relation=row["base_model_relation"],
        params_by_dtype=by_dtype
        if all(isinstance(v, int) for v in by_dtype.values())
        else {k: v for k, v in by_dtype.items() if isinstance(v, int)},
        config_params_total=row["config_params_total"],
        config_params_active=row["config_params_active"],
        quant_method=row["quant_method"],
        dims_source=row["dims_source"],
        dims=_dims(row),
        hub_created_at=row["hub_created_at"],
        hub_modified_at=row["hub_modified_at"],
        llmfit=row["llmfit_facts"] or {},
        params_source=row["params_source"],
        params_total=row["params_total"],
        params_active=row["params_active"],
        release_date=row["release_date"],
        provenance=row["facts_provenance"] or {},
    )


def _related(row: dict[str, Any]) -> Related:
    params_ok = row["params_source"] in _OK_PARAMS and row["params_total"]
    dims_ok = row["dims_source"] in _OK_DIMS and row["num_layers"]
    modified = row["hub_modified_at"]
    return Related(
        repo_id=row["repo_id"],
        params_total=row["params_total"] if params_ok else None,
        params_active=row["params_active"] if params_ok else None,
        params_source=row["params_source"] if params_ok else "",
        dims_source=row["dims_source"] if dims_ok else "",
        dims=_dims(row) if dims_ok else Dims(),
        as_of=modified.date().isoformat() if isinstance(modified, datetime) else "",
    )


def _values(row: dict[str, Any], result: Any) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(result.dims, name) for name in DIM_FIELDS}
    values["layer_kinds"] = list(result.dims.layer_kinds)
    values["model_type"] = (result.dims.model_type or "")[:60]
    values.update(
        params_total=result.params_total,
        params_active=result.params_active,
        params_source=result.params_source,
        params_estimated=result.params_source not in ("safetensors", "manual", ""),
        dims_source=result.dims_source,
        release_date=result.release_date,
        is_test_repo=result.is_test_repo,
        family=result.family or "",
        facts_provenance=result.provenance,
    )
    return values


def facts_changed(row: dict[str, Any], values: dict[str, Any]) -> bool:
    for name, value in values.items():
        stored = row.get(name)
        if name == "layer_kinds":
            stored = list(stored or [])
        if stored != value:
            return True
    return False


def fetch_rows(q: Q) -> list[dict[str, Any]]:
    return list(Model.objects.filter(q).values(*SOURCE_FIELDS))


def resolve_batch(
    rows: dict[str, dict[str, Any]], others: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The fact columns of `rows` (by repo id), bases in the batch resolved first;
    `others`: stored rows of bases outside the batch (by repo id)."""
    facts = {key: fact_row(row) for key, row in rows.items()}
    needs = _needs(rows, others, facts)
    derivatives, peers, params_peers = _helpers(needs, rows, others)
    pending = dict(rows)
    done: dict[str, dict[str, Any]] = {}
    for _ in range(MAX_DEPTH + 1):
        if not pending:
            break
        ready = {
            key: r
            for key, r in pending.items()
            if r["base_model_repo_id"] not in pending or r["base_model_repo_id"] == key
        } or pending  # a cycle in bad data: resolve it as it stands
        for repo_id, row in ready.items():
            base = row["base_model_repo_id"]
            base_row = None if base == repo_id else (done.get(base) or others.get(base))
            key = family_key(repo_id)
            result = resolve_facts(
                facts[repo_id] if row is rows.get(repo_id) else fact_row(row),
                base=_related(base_row) if base_row else None,
                derivative=derivatives.get(repo_id),
                peer=peers.get(key) if key else None,
                params_peer=params_peers.get(key) if key else None,
                family_config=FAMILY_CONFIGS.get(key) if key else None,
            )
            done[repo_id] = {**row, **_values(row, result)}
            del pending[repo_id]
    return {key: {name: done[key][name] for name in WRITTEN_FIELDS} for key in done}


def _needs(
    rows: dict[str, dict[str, Any]],
    others: dict[str, dict[str, Any]],
    facts: dict[str, FactRow],
) -> dict[str, tuple[bool, bool]]:
    """repo_id -> (needs dims, needs a count) from beyond the row and its base."""
    needs: dict[str, tuple[bool, bool]] = {}
    for repo_id, row in rows.items():
        base = rows.get(row["base_model_repo_id"]) or others.get(row["base_model_repo_id"])
        related = _related(base) if base and base["repo_id"] != repo_id else None
        own_dims = row["dims_source"] == "config" and row["num_layers"]
        fact = facts[repo_id]
        own_count = (
            safetensors_params(fact.params_by_dtype)[0] or row["config_params_total"]
        ) and not quantized(fact)
        dims = not own_dims and not (related and related.dims_source)
        count = not own_count and not (related and related.params_total)
        if dims or count:
            needs[repo_id] = (dims, count)
    return needs


def _helpers(
    needs: dict[str, tuple[bool, bool]],
    rows: dict[str, dict[str, Any]],
    others: dict[str, dict[str, Any]],
) -> tuple[dict[str, Related], dict[str, Related], dict[str, Related]]:
    """Ungated derivatives of gated rows lacking dims (stored children with a config),
    family peers with config dims, family peers with an unquantized safetensors or
    config count: at most 2 SELECTs."""
    with_config = Q(dims_source="config", num_layers__isnull=False)
    derivatives: dict[str, Related] = {}
    gated = {
        rows[r]["id"]: r
        for r, (dims, _count) in needs.items()
        if dims and rows[r]["gated"] and rows[r].get("id")
    }
    if gated:
        children = fetch_rows(with_config & Q(base_model_id__in=list(gated)))
        for child in sorted(children, key=lambda r: r["repo_id"]):
            derivatives.setdefault(gated[child["base_model_id"]], _related(child))
    keys = {family_key(r) for r in needs} - {""}
    peers: dict[str, Related] = {}
    params_peers: dict[str, Related] = {}
    if not keys:
        return derivatives, peers, params_peers
    counted = Q(params_source__in=["safetensors", "config"])
    candidates = [*rows.values(), *others.values()]
    candidates += fetch_rows((with_config | counted) & Q(family__in=in_values(sorted(keys))))
    for peer in sorted(candidates, key=lambda r: r["repo_id"]):
        key = family_key(peer["repo_id"])
        if key not in keys:
            continue
        if peer["dims_source"] == "config" and peer["num_layers"]:
            peers.setdefault(key, _related(peer))
        if peer["params_source"] in ("safetensors", "config") and not quantized(fact_row(peer)):
            params_peers.setdefault(key, _related(peer))
    return derivatives, peers, params_peers


# -- stored rows ---------------------------------------------------------------------------
def models_facts_resolve(
    *, repo_ids: Sequence[str] | None = None, ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> list[int]:  # fmt: skip
    """Resolve the facts of the stored Hub models named (by repo id or id) and write
    those whose values changed (1 UPDATE). Returns the ids written. Reads the rows,
    their bases and the helpers (at most 4 SELECTs). Idempotent; feed rows untouched."""
    now = now or timezone.now()
    if repo_ids is not None:
        where = Q(repo_id__in=in_values(list(repo_ids)))
    else:
        where = Q(id__in=list(ids or ()))
    rows = {r["repo_id"]: r for r in fetch_rows(where & Q(source=Model.Source.HUB))}
    if not rows:
        return []
    bases = {r["base_model_id"] for r in rows.values() if r["base_model_id"]}
    bases -= {r["id"] for r in rows.values()}
    others = {r["repo_id"]: r for r in fetch_rows(Q(id__in=list(bases)))} if bases else {}
    resolved = resolve_batch(rows, others)
    changes = {
        rows[key]["id"]: values
        for key, values in resolved.items()
        if facts_changed(rows[key], values)
    }
    facts_write(changes, now=now)
    return sorted(changes)


def models_facts_resolve_children(
    *, parents: Iterable[int], now: datetime | None = None, batch_size: int = 1000
) -> int:
    """Re-resolve the derivatives of `parents` (models whose facts changed, or that a
    child was just linked to), then theirs, up to MAX_DEPTH levels, in batches.
    Returns the number of rows written."""
    written = 0
    parents = list(parents)
    for _ in range(MAX_DEPTH):
        children: list[int] = []
        for start in range(0, len(parents), batch_size):
            children += Model.objects.filter(
                base_model_id__in=parents[start : start + batch_size]
            ).values_list("id", flat=True)
        changed: list[int] = []
        for start in range(0, len(children), batch_size):
            changed += models_facts_resolve(ids=children[start : start + batch_size], now=now)
        written += len(changed)
        if not changed:
            break
        parents = changed
    return written


def models_facts_resolve_all(*, batch_size: int = 1000, now: datetime | None = None) -> int:
    """Resolve every Hub model in id batches, twice (so chains of bases settle).
    Returns the number of row writes."""
    written = 0
    for _ in range(2):
        last = 0
        while True:
            ids = list(
                Model.objects.filter(source=Model.Source.HUB, id__gt=last)
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            written += len(models_facts_resolve(ids=ids, now=now))
            last = ids[-1]
    return written


def facts_write(changes: dict[int, dict[str, Any]], *, now: datetime) -> None:
    """Write resolved values: one UPDATE ... FROM jsonb_to_recordset on PostgreSQL,
    bulk_update elsewhere (same values)."""
    if not changes:
        return
    if connection.vendor != "postgresql":
        objs = [Model(id=pk, updated_at=now, **values) for pk, values in changes.items()]
        Model.objects.bulk_update(objs, [*WRITTEN_FIELDS, "updated_at"], batch_size=500)
        return
    columns = [Model._meta.get_field(name) for name in (*WRITTEN_FIELDS, "updated_at")]
    types = ", ".join(f"{f.column} {f.db_type(connection)}" for f in columns)
    sets = ", ".join(f"{f.column} = x.{f.column}" for f in columns)
    records = [
        {
            "id": pk,
            **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()},
            "updated_at": now.isoformat(),
        }
        for pk, values in changes.items()
    ]
    sql = (
        f"UPDATE catalog_model AS m SET {sets} "  # noqa: S608 - fixed identifiers
        f"FROM jsonb_to_recordset(%s::jsonb) AS x(id bigint, {types}) WHERE m.id = x.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(records)])
