"""Pure parsing of Hugging Face Hub JSON into normalized records (no Django, no I/O).

    record = parse_model(listing_or_model_info_dict)      # -> ModelRecord
    dims = parse_config(config_json_dict)                  # -> ArchDims
    active = estimate_active_params(params_total=..., dims=dims)

Parsers raise `HubFormatError` only when a document is not the expected shape at all
(not an object, no repo id); missing or odd optional fields become None / empty.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from .hub_config import (
    ArchDims,
    HubFormatError,
    estimate_active_params,
    parse_config,
    quant_method_of,
)

__all__ = [
    "ArchDims",
    "HubFormatError",
    "ModelRecord",
    "estimate_active_params",
    "parse_config",
    "parse_model",
]


# ISO 639-1 codes: a Hub tag equal to one of these is a language tag ("en", "fr").
_ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu""".split()  # noqa: SIM905 - a readable table of codes
)
BASE_MODEL_RELATIONS = ("finetune", "quantized", "adapter", "merge")
MAX_REPO_ID_CHARS = 200


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """One Hub repo as the listing / model_info describes it (normalized)."""

    repo_id: str
    author: str = ""
    task: str = ""  # pipeline_tag
    library: str = ""
    license: str = ""
    tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    gated: bool = False
    gated_mode: str = ""  # "auto" / "manual" / ""
    downloads: int = 0
    likes: int = 0
    created_at: datetime | None = None
    modified_at: datetime | None = None
    sha: str = ""
    base_model_repo_id: str = ""
    base_model_relation: str = ""
    params_total: int | None = None
    params_by_dtype: dict[str, int] = field(default_factory=dict)
    # The reduced `config` the listing gives ({"model_type", "architectures"} or
    # {"diffusers": {...}}): tells the sync whether a config file is worth fetching.
    config_hint: str = ""  # "transformers", "diffusers" or ""
    quant_method: str = ""  # the listing config's quantization_config.quant_method
    # Card text (HTML-ish, untrusted). The listing and model_info carry none; a README
    # fetch is out of scope, so this stays "" from the Hub. The load sanitizes it.
    description: str = ""
    fingerprint: str = ""


# -- helpers ------------------------------------------------------------------------------
def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if abs(value) < 2**63 else None  # beyond BIGINT: not a real count
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _first_int(cfg: dict, *keys: str) -> int | None:
    for key in keys:
        value = _int(cfg.get(key))
        if value is not None:
            return value
    return None


def _str(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def parse_hub_datetime(value: Any) -> datetime | None:
    """'2023-08-23T21:15:42.000Z' -> aware UTC datetime (None when absent/unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# The Hub fields a ModelRecord is made of: the fingerprint covers exactly these.
FINGERPRINT_KEYS = (
    "id",
    "modelId",
    "author",
    "pipeline_tag",
    "library_name",
    "cardData",
    "tags",
    "gated",
    "downloads",
    "likes",
    "createdAt",
    "lastModified",
    "sha",
    "safetensors",
    "config",
)


def entry_repo_id(data: Any) -> str:
    """The repo id of a listing entry ("" when it has none)."""
    return _str(data.get("id") or data.get("modelId")) if isinstance(data, dict) else ""


_FINGERPRINT_JSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def fingerprint_entry(data: dict[str, Any]) -> str:
    """sha256 of the fields parse_model reads, canonically serialized (sorted keys).

    Computed from the entry itself, before parsing, so an unchanged model costs one
    hash on a re-sync; any change to a field the record is built from changes it.
    orjson (UTF-8, compact) gives the same bytes as json.dumps(sort_keys=True,
    separators=(",", ":")) for ASCII data, at ~3x the speed.
    """
    fields = [data.get(key) for key in FINGERPRINT_KEYS]
    try:
        blob = orjson.dumps(fields, default=str, option=_FINGERPRINT_JSON)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: the stdlib copes
        blob = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def _base_model(tags: list[str], card: dict) -> tuple[str, str]:
    relation_found = ""
    plain = ""
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        head, _, tail = rest.partition(":")
        if tail and head in BASE_MODEL_RELATIONS:
            if not relation_found:
                relation_found = f"{head}\n{tail}"
        elif not plain:
            plain = rest
    if relation_found:
        relation, repo = relation_found.split("\n", 1)
        return repo, relation
    card_base = _str(card.get("base_model"))
    relation = _str(card.get("base_model_relation"))
    if plain or card_base:
        return plain or card_base, relation
    return "", ""


def _languages(tags: list[str], card: dict) -> tuple[str, ...]:
    found: list[str] = []
    card_lang = card.get("language")
    if isinstance(card_lang, str):
        card_lang = [card_lang]
    if isinstance(card_lang, list):
        found.extend(x.strip().lower() for x in card_lang if isinstance(x, str) and x.strip())
    found.extend(t for t in tags if t in _ISO_639_1)
    return tuple(dict.fromkeys(found))


def _config_hint(config: Any) -> str:
    if not isinstance(config, dict) or not config:
        return ""
    if "diffusers" in config:
        return "diffusers"
    if config.get("model_type") or config.get("architectures"):
        return "transformers"
    return ""


# -- public parsers -----------------------------------------------------------------------
def parse_model(data: Any, *, fingerprint: str | None = None) -> ModelRecord:
    """A Hub listing entry or model_info body -> ModelRecord (with its fingerprint;
    pass `fingerprint` when fingerprint_entry(data) was already computed).

    license: cardData.license, else the first `license:xxx` tag. languages: cardData.language
    plus ISO 639-1 tags. base model: a `base_model:<relation>:<repo>` tag wins, then a plain
    `base_model:<repo>` tag, then cardData.base_model. gated: false / "auto" / "manual".
    """
    if not isinstance(data, dict):
        raise HubFormatError(f"model entry is a {type(data).__name__}, not an object")
    repo_id = _str(data.get("id") or data.get("modelId"))
    if not repo_id:
        raise HubFormatError("model entry has no 'id'")
    if len(repo_id) > MAX_REPO_ID_CHARS:
        raise HubFormatError(f"repo id longer than {MAX_REPO_ID_CHARS} characters")
    tags_raw = data.get("tags")
    tags = [t for t in tags_raw if isinstance(t, str)] if isinstance(tags_raw, list) else []
    card = data.get("cardData") if isinstance(data.get("cardData"), dict) else {}
    license_ = _str(card.get("license"))
    if not license_:
        license_ = next((t[len("license:") :] for t in tags if t.startswith("license:")), "")
    gated_raw = data.get("gated")
    gated_mode = gated_raw if gated_raw in ("auto", "manual") else ""
    gated = bool(gated_mode) or gated_raw is True
    base_repo, relation = _base_model(tags, card)
    safetensors = data.get("safetensors") if isinstance(data.get("safetensors"), dict) else {}
    by_dtype_raw = safetensors.get("parameters")
    by_dtype = (
        {str(k): n for k, v in by_dtype_raw.items() if (n := _int(v)) is not None}
        if isinstance(by_dtype_raw, dict)
        else {}
    )
    params_total = _int(safetensors.get("total"))
    if params_total is None and by_dtype:
        params_total = sum(by_dtype.values())
    author = _str(data.get("author")) or (repo_id.split("/", 1)[0] if "/" in repo_id else "")
    return ModelRecord(
        repo_id=repo_id,
        author=author,
        task=_str(data.get("pipeline_tag")),
        library=_str(data.get("library_name")),
        license=license_.lower(),
        tags=tuple(tags),
        languages=_languages(tags, card),
        gated=gated,
        gated_mode=gated_mode,
        downloads=_int(data.get("downloads")) or 0,
        likes=_int(data.get("likes")) or 0,
        created_at=parse_hub_datetime(data.get("createdAt")),
        modified_at=parse_hub_datetime(data.get("lastModified")),
        sha=_str(data.get("sha")),
        base_model_repo_id=base_repo if base_repo != repo_id else "",
        base_model_relation=relation if base_repo != repo_id else "",
        params_total=params_total,
        params_by_dtype=dict(sorted(by_dtype.items())),
        config_hint=_config_hint(data.get("config")),
        quant_method=quant_method_of(data.get("config")),
        fingerprint=fingerprint if fingerprint is not None else fingerprint_entry(data),
    )
