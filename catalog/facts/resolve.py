"""Which value of each fact a catalog row shows, and where it came from (pure).

    resolved = resolve_facts(row, base=..., derivative=..., peer=..., family_config=...)

Parameters, in order (the first source that has a count wins):
  plain repos:     safetensors → config → base model → llmfit → family → name
  quantized repos: base model → safetensors (unless packed) → config → family → llmfit
                   (unless packed) → name
  adapters:        base model → llmfit → family → name (their safetensors hold only the
                   adapter)
"family": a catalog model of the same family key (catalog.facts.names.family_key) that
is not quantized and has a safetensors or config count.
A hand-curated ("manual") or feed-stated count, dims or release date is never
replaced. safetensors counts leave out integer buffers (I64 position ids, BOOL masks);
"packed" means 4-bit weights stored in I32/U8 words (GPTQ, AWQ, bitsandbytes), whose
element counts are not parameters.
Active parameters (mixture of experts) follow the total's source: a safetensors or
config total minus the idle experts and MTP modules config.json describes; else the
base model's, llmfit's or the name's ("30B-A3B").

Architecture dims: the repo's own config.json → base model → an ungated derivative
(a fine-tune or quantization with a config) → llmfit → the family (a catalog model of
the same family key with a config, else catalog.facts.shapes.FAMILY_CONFIGS). Context
length comes with the dims. Release date: the Hub's createdAt, except 2022-03-02 (the
date the Hub's repos were migrated: unknown), else llmfit's release_date.

Every resolved fact gets a `facts_provenance` entry {"source", "detail", "as_of"}.
Idempotent: the same inputs give the same output (as_of dates are source dates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .dims import DIM_FIELDS, Dims, dims_from_config, has_dims, llmfit_dims
from .names import family_key, is_test_repo, params_from_name

HUB_MIGRATION_DAY = date(2022, 3, 2)
# Facts a feed stated or a person curated are kept as they are (h-identity's feeds and
# the admin write them); Hub-side sources never replace them.
KEPT_SOURCES = frozenset({"manual", "feed"})
QUANT_TAGS = frozenset(
    """awq gptq gguf 4-bit 8-bit bitsandbytes exl2 exl3 fp8 int4 int8 mlx compressed-tensors
    autoround hqq quanto aqlm nf4 mxfp4 nvfp4 w4a16 w8a8""".split()  # noqa: SIM905
)
QUANT_NAME_TOKENS = frozenset(
    [
        "awq",
        "gptq",
        "gguf",
        "ggml",
        "exl2",
        "4bit",
        "8bit",
        "bnb",
        "int4",
        "int8",
        "fp8",
        "nf4",
        "w4a16",
        "w8a8",
        "mlx",
    ]
)
_BUFFER_DTYPES = frozenset({"I64", "BOOL"})
_PACKED_DTYPES = frozenset({"I32", "U32", "U8", "I4", "U4"})


@dataclass(frozen=True, slots=True)
class Related:
    """Resolved facts of another catalog row (base model, derivative, family peer)."""

    repo_id: str
    params_total: int | None = None
    params_active: int | None = None
    params_source: str = ""
    dims_source: str = ""
    dims: Dims = field(default_factory=Dims)
    as_of: str = ""


@dataclass(frozen=True, slots=True)
class FactRow:
    """What one catalog row knows of itself (its stored source columns)."""

    repo_id: str
    tags: tuple[str, ...] = ()
    base_model_relation: str = ""
    params_by_dtype: dict[str, int] = field(default_factory=dict)
    config_params_total: int | None = None
    config_params_active: int | None = None
    quant_method: str = ""
    dims_source: str = ""
    dims: Dims = field(default_factory=Dims)
    hub_created_at: datetime | None = None
    hub_modified_at: datetime | None = None
    llmfit: dict[str, Any] = field(default_factory=dict)
    # kept when curated by hand
    params_source: str = ""
    params_total: int | None = None
    params_active: int | None = None
    release_date: date | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Resolved:
    params_total: int | None
    params_active: int | None
    params_source: str
    dims_source: str
    dims: Dims
    release_date: date | None
    is_test_repo: bool
    family: str
    provenance: dict[str, Any]


def _entry(source: str, detail: str = "", as_of: str = "") -> dict[str, str]:
    entry = {"source": source}
    if detail:
        entry["detail"] = detail
    if as_of:
        entry["as_of"] = as_of
    return entry


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def quantized(row: FactRow) -> bool:
    """A quantized repo: the Hub's relation, a quantization_config, a quantization tag
    or a name token (awq, gptq, gguf, 4bit, fp8 ...)."""
    if row.base_model_relation == "quantized" or row.quant_method:
        return True
    if not QUANT_TAGS.isdisjoint(map(str.lower, row.tags)):
        return True
    name = row.repo_id.rsplit("/", 1)[-1].lower().replace("_", "-")
    return not QUANT_NAME_TOKENS.isdisjoint(name.split("-"))


def safetensors_params(by_dtype: dict[str, int]) -> tuple[int | None, bool]:
    """(parameter count without integer buffers, packed 4-bit storage?)"""
    total = packed = 0
    for dtype, count in by_dtype.items():
        kind = dtype.upper()
        if kind in _BUFFER_DTYPES:
            continue
        total += count
        if kind in _PACKED_DTYPES:
            packed += count
    return (total or None), bool(total) and packed > 0.01 * total


def _llmfit_params(llmfit: dict[str, Any]) -> tuple[int | None, int | None]:
    if llmfit.get("packed"):
        return None, None  # an AWQ/GPTQ repo's total counts packed words
    total = llmfit.get("params_total")
    active = llmfit.get("params_active") if llmfit.get("is_moe") else None
    total = total if isinstance(total, int) and total > 0 else None
    active = active if isinstance(active, int) and total and 0 < active <= total else None
    return total, active


def _params(
    row: FactRow, base: Related | None, peer: Related | None
) -> tuple[int | None, int | None, dict, dict]:
    """(total, active, provenance of total, provenance of active)."""
    st_total, packed = safetensors_params(row.params_by_dtype)
    cfg_total, cfg_active = row.config_params_total, row.config_params_active
    modified = _day(row.hub_modified_at)
    candidates: dict[str, tuple[int | None, int | None, dict]] = {}
    if st_total:
        idle = (cfg_total - cfg_active) if cfg_total and cfg_active else None
        active = st_total - idle if idle is not None and st_total > idle else None
        if active is None and cfg_active and not cfg_total:
            active = cfg_active  # estimated against this same safetensors total at sync
        candidates["safetensors"] = (st_total, active, _entry("safetensors", "", modified))
    if cfg_total:
        candidates["config"] = (cfg_total, cfg_active, _entry("config", "", modified))
    if base is not None and base.params_total:
        detail = f"{row.base_model_relation or 'derived'} from {base.repo_id}"
        candidates["base_model"] = (
            base.params_total,
            base.params_active,
            _entry("base_model", detail, base.as_of),
        )
    if peer is not None and peer.params_total:
        detail = f"family {family_key(row.repo_id)}: {peer.repo_id} ({peer.params_source})"
        candidates["family"] = (
            peer.params_total,
            peer.params_active,
            _entry("family", detail, peer.as_of),
        )
    lf_total, lf_active = _llmfit_params(row.llmfit)
    if lf_total:
        as_of = str(row.llmfit.get("as_of", ""))
        candidates["llmfit"] = (lf_total, lf_active, _entry("llmfit", "", as_of))
    if row.base_model_relation == "adapter":
        order = ["base_model", "llmfit", "family", "name"]
    elif quantized(row):
        unpacked = [] if packed else ["safetensors"]
        order = ["base_model", *unpacked, "config", "family", "llmfit", "name"]
    else:
        order = ["safetensors", "config", "base_model", "llmfit", "family", "name"]
    usable = any(source in candidates for source in order)
    if not usable or (row.dims.num_experts and not (cfg_active or lf_active)):
        by_name = params_from_name(row.repo_id)  # read only when it may be used
        if by_name is not None:
            candidates["name"] = (
                by_name.total,
                by_name.active,
                _entry("name", f"approximate: {by_name.detail}"),
            )
    chosen = next((s for s in order if s in candidates), None)
    if chosen is None:
        return None, None, {}, {}
    total, active, source = candidates[chosen]
    active_source = dict(source)
    if active is None and chosen in ("safetensors", "config"):
        for fallback in ("llmfit", "name"):  # a MoE config we could not count
            if fallback in candidates and candidates[fallback][1] and row.dims.num_experts:
                active, active_source = candidates[fallback][1], dict(candidates[fallback][2])
                break
    if active is not None and active > total:
        active = None
    return total, active, source, (active_source if active is not None else {})


def _dims(
    row: FactRow,
    base: Related | None,
    derivative: Related | None,
    peer: Related | None,
    family_config: dict[str, Any] | None,
) -> tuple[Dims, str, dict]:
    if row.dims_source == "config" and has_dims(row.dims):
        return row.dims, "config", _entry("config", "", _day(row.hub_modified_at))
    if base is not None and has_dims(base.dims):
        detail = f"{row.base_model_relation or 'derived'} from {base.repo_id}"
        return base.dims, "base_model", _entry("base_model", detail, base.as_of)
    if derivative is not None and has_dims(derivative.dims):
        detail = f"same architecture as derivative {derivative.repo_id}"
        return derivative.dims, "base_model", _entry("base_model", detail, derivative.as_of)
    llmfit = llmfit_dims(row.llmfit)
    if llmfit is not None:
        return llmfit, "llmfit", _entry("llmfit", "", str(row.llmfit.get("as_of", "")))
    if peer is not None and has_dims(peer.dims):
        detail = f"family {family_key(row.repo_id)}: {peer.repo_id}"
        return peer.dims, "family", _entry("family", detail, peer.as_of)
    if family_config is not None:
        detail = f"family {family_key(row.repo_id)} (reviewed table)"
        return dims_from_config(family_config), "family", _entry("family", detail)
    if row.dims_source == "config":  # read, but no layer structure (diffusers ...)
        return row.dims, "config", _entry("config", "", _day(row.hub_modified_at))
    return row.dims, "", {}


def _release(row: FactRow) -> tuple[date | None, dict]:
    created = row.hub_created_at
    if created is not None and created.date() != HUB_MIGRATION_DAY:
        return created.date(), _entry("hub", "Hub createdAt")
    text = row.llmfit.get("release_date")
    if isinstance(text, str):
        try:
            return date.fromisoformat(text[:10]), _entry(
                "llmfit", "", str(row.llmfit.get("as_of", ""))
            )
        except ValueError:
            pass
    return None, {}


def resolve_facts(
    row: FactRow,
    *,
    base: Related | None = None,
    derivative: Related | None = None,
    peer: Related | None = None,
    params_peer: Related | None = None,
    family_config: dict[str, Any] | None = None,
) -> Resolved:
    """The facts a row shows and their provenance (rules in the module docstring)."""
    provenance = {
        k: v
        for k, v in row.provenance.items()
        if isinstance(v, dict) and v.get("source") in ("manual", "feed")
    }
    if row.params_source in KEPT_SOURCES:
        total, active, source = row.params_total, row.params_active, row.params_source
        provenance.setdefault("params_total", _entry(source, "curated by hand"))
    else:
        total, active, total_entry, active_entry = _params(row, base, params_peer)
        source = total_entry.get("source", "")
        if total_entry:
            provenance["params_total"] = total_entry
        if active_entry:
            provenance["params_active"] = active_entry
    if row.dims_source in KEPT_SOURCES:
        dims, dims_source, dims_entry = row.dims, row.dims_source, {}
    else:
        dims, dims_source, dims_entry = _dims(row, base, derivative, peer, family_config)
    if dims_entry:
        provenance["dims"] = dims_entry
        if dims.context_tokens:
            provenance["context_tokens"] = dims_entry
    if "release_date" in provenance:  # stated by a feed or by hand: kept
        release = row.release_date
    else:
        release, release_entry = _release(row)
        if release_entry:
            provenance["release_date"] = release_entry
    return Resolved(
        params_total=total,
        params_active=active,
        params_source=source,
        dims_source=dims_source,
        dims=dims,
        release_date=release,
        is_test_repo=is_test_repo(row.repo_id) or bool(row.llmfit.get("is_test_repo")),
        family=family_key(row.repo_id),
        provenance=dict(sorted(provenance.items())),
    )


__all__ = [
    "DIM_FIELDS",
    "Dims",
    "FactRow",
    "Related",
    "Resolved",
    "quantized",
    "resolve_facts",
    "safetensors_params",
]
