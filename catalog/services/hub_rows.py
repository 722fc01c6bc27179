"""Hub sync, shared by both load paths: the rows a page loads, the field lists they write,
PostgreSQL array parameters, and base-model linking."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils.text import slugify

from catalog.facts import safetensors_params
from catalog.hub_parse import ArchDims, ModelRecord, estimate_active_params
from catalog.models import Model

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
    "params_by_dtype",
    "fingerprint",
    "updated_at",
]
# Written when config.json was read: what the config says beyond the dims (the dims
# are resolved facts, catalog.services.hub_facts.WRITTEN_FIELDS, written with every row).
DIMS_FIELDS = [
    "architectures",
    "config_dtype",
    "config_sha",
    "config_params_total",
    "config_params_active",
    "quant_method",
]


@dataclass(frozen=True, slots=True)
class HubRow:
    record: ModelRecord
    dims: ArchDims | None  # None: keep the stored dims (sha unchanged or config unreadable)


def config_values(row: HubRow) -> dict[str, Any]:
    """DIMS_FIELDS of a row with dims. A MoE config we cannot count still gets an active
    count, estimated against this row's safetensors total."""
    d = row.dims
    assert d is not None  # noqa: S101 - callers pass rows with dims
    active = d.params_active
    if d.params_total is None and d.num_experts:
        total = safetensors_params(row.record.params_by_dtype)[0] or row.record.params_total
        active = estimate_active_params(params_total=total, dims=d)
    return {
        "architectures": list(d.architectures),
        "config_dtype": d.dtype[:20],
        "config_sha": row.record.sha[:64],
        "config_params_total": d.params_total,
        "config_params_active": active,
        "quant_method": (d.quant_method or row.record.quant_method)[:40],
    }


def config_dims(d: ArchDims) -> dict[str, Any]:
    """The resolved-dims columns as config.json states them."""
    return {
        "model_type": d.model_type[:60],
        "num_layers": d.num_layers,
        "hidden_size": d.hidden_size,
        "num_heads": d.num_heads,
        "num_kv_heads": d.num_kv_heads,
        "head_dim": d.head_dim,
        "intermediate_size": d.intermediate_size,
        "vocab_size": d.vocab_size,
        "context_tokens": d.context_tokens,
        "num_experts": d.num_experts,
        "experts_per_token": d.experts_per_token,
        "kv_lora_rank": d.kv_lora_rank,
        "qk_rope_head_dim": d.qk_rope_head_dim,
        "sliding_window": d.sliding_window,
        "layer_kinds": list(d.layer_kinds),
        "attention_chunk_tokens": d.attention_chunk_tokens,
    }


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
def org_slug(author: str) -> str:
    """Organization slug of a Hub author (cached: slugify is regex-heavy, authors repeat)."""
    return slugify(author)[:120]


def models_link_base(*, repo_ids: Sequence[str] | None = None) -> int:
    """Point base_model at the catalog row named by base_model_repo_id (one UPDATE).

    With repo_ids: those models (a page's derivatives). Without: every model still
    unlinked, which catches parents that arrived on a later page or in a later run
    (models_link_base_pending returns those ids first).
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


def models_link_base_pending() -> list[int]:
    """Link every model whose base arrived since (see models_link_base); returns their
    ids, whose facts may now come from the base. 2 statements."""
    pending = list(
        Model.objects.exclude(base_model_repo_id="")
        .filter(
            Exists(Model.objects.filter(repo_id=OuterRef("base_model_repo_id"))),
            base_model__isnull=True,
        )
        .values_list("id", flat=True)
    )
    parent = Model.objects.filter(repo_id=OuterRef("base_model_repo_id")).values("id")[:1]
    for start in range(0, len(pending), 1000):
        Model.objects.filter(id__in=pending[start : start + 1000]).update(
            base_model=Subquery(parent)
        )
    return pending
