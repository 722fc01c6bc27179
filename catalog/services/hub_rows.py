"""Hub sync, shared by both load paths: the rows a page loads, the field lists they write,
PostgreSQL array parameters, and base-model linking."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils.text import slugify

from catalog.hub_parse import ArchDims, ModelRecord
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
def org_slug(author: str) -> str:
    """Organization slug of a Hub author (cached: slugify is regex-heavy, authors repeat)."""
    return slugify(author)[:120]


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
