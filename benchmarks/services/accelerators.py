"""Accelerator specs: load the project's data file; specs and dims for the estimator."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from benchmarks.estimate import AcceleratorSpec, ModelDims
from benchmarks.models import Accelerator
from catalog.models import Model
from config.errors import AtlasError

logger = logging.getLogger(__name__)

ACCELERATORS_PATH = Path(__file__).resolve().parent.parent / "data" / "accelerators.json"
LIST_PRICES_PATH = ACCELERATORS_PATH.with_name("list_prices.json")
LIST_PRICE_FIELDS = ("list_price_usd", "list_price_date", "list_price_source")
ACCELERATOR_FIELDS = (
    "name",
    "vendor",
    "kind",
    "family",
    "memory_gib",
    "bandwidth_gbps",
    "bf16_tflops",
    "fp8_tflops",
    "int8_tops",
    "tdp_watts",
    "release_year",
    "aliases",
    "notes",
    "source",
)


class AcceleratorFileError(AtlasError):
    code = "accelerator_file_invalid"


@dataclass(frozen=True, slots=True)
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    renamed: int = 0


def _read(source: Path) -> tuple[dict[str, dict], dict[str, str]]:
    try:
        doc = json.loads(Path(source).read_text())
        wanted = {r["slug"]: {f: r.get(f) for f in ACCELERATOR_FIELDS} for r in doc["accelerators"]}
        renamed = {str(k): str(v) for k, v in (doc.get("renamed") or {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AcceleratorFileError(f"cannot read accelerators from {source}: {exc}") from exc
    for slug, values in wanted.items():
        if not values["memory_gib"] or not values["bandwidth_gbps"]:
            raise AcceleratorFileError(f"{source}: {slug} lacks memory or bandwidth")
        values["aliases"] = values["aliases"] or []
        for key in ("notes", "source", "family"):
            values[key] = values[key] or ""
    return wanted, renamed


def _read_list_prices(source: Path, slugs: set[str]) -> dict[str, dict]:
    """slug -> list-price fields from the list-price file (every row needs a positive price,
    an ISO date and a source; a slug the accelerator file lacks is an error)."""
    try:
        rows = json.loads(Path(source).read_text())["prices"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AcceleratorFileError(f"cannot read list prices from {source}: {exc}") from exc
    prices: dict[str, dict] = {}
    for i, row in enumerate(rows):
        try:
            slug = str(row["slug"])
            usd = Decimal(str(row["usd"])).quantize(Decimal("0.01"))
            date = dt.date.fromisoformat(str(row["date"]))
            cited = str(row["source"]).strip()
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise AcceleratorFileError(f"{source}: price row {i + 1}: {exc!r}") from exc
        if slug not in slugs:
            raise AcceleratorFileError(f"{source}: price row {i + 1}: unknown accelerator {slug}")
        if usd <= 0 or not cited:
            raise AcceleratorFileError(f"{source}: {slug}: needs a positive price and a source")
        if slug in prices:
            raise AcceleratorFileError(f"{source}: {slug} is priced twice")
        note = str(row.get("note") or "").strip()
        prices[slug] = {
            "list_price_usd": usd,
            "list_price_date": date,
            "list_price_source": (f"{cited}: {note}" if note else cited)[:300],
        }
    return prices


def accelerators_load(
    *, path: Path | None = None, list_prices_path: Path | None = None
) -> LoadCounts:
    """Upsert accelerators from the project's JSON file, keyed on `slug`, with the list
    prices (price, date, source) of `list_prices_path`, else the list_prices.json beside the
    file, else the project's list_prices.json. A row without a list price has none.

    Slugs the file lists under "renamed" (old -> new) are renamed in place first, so runs
    and prices that point at the old row follow it. Idempotent: a second load of the same
    file reports everything unchanged. Rows not in the file are left alone (runs and prices
    point at them). Raises AcceleratorFileError when the file is unreadable or a row misses
    a required field; nothing is written then.
    """
    wanted, renamed = _read(path or ACCELERATORS_PATH)
    beside = (path or ACCELERATORS_PATH).with_name(LIST_PRICES_PATH.name)
    priced = _read_list_prices(
        list_prices_path or (beside if beside.exists() else LIST_PRICES_PATH), set(wanted)
    )
    for slug, values in wanted.items():
        values.update(priced.get(slug) or dict.fromkeys(LIST_PRICE_FIELDS))
        values["list_price_source"] = values["list_price_source"] or ""
    with transaction.atomic():
        moved = 0
        for old, new in renamed.items():
            if not Accelerator.objects.filter(slug=new).exists():
                moved += Accelerator.objects.filter(slug=old).update(slug=new)
        existing = {a.slug: a for a in Accelerator.objects.filter(slug__in=wanted)}
        new_rows, changed = [], []
        for slug, values in wanted.items():
            row = existing.get(slug)
            if row is None:
                new_rows.append(Accelerator(slug=slug, **values))
            elif any(getattr(row, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(row, f, v)
                changed.append(row)
        Accelerator.objects.bulk_create(new_rows)
        Accelerator.objects.bulk_update(
            changed, [*ACCELERATOR_FIELDS, *LIST_PRICE_FIELDS, "updated_at"]
        )
    counts = LoadCounts(
        len(new_rows), len(changed), len(wanted) - len(new_rows) - len(changed), moved
    )
    logger.info(
        "accelerators loaded created=%d updated=%d renamed=%d",
        counts.created,
        counts.updated,
        counts.renamed,
    )
    return counts


def accelerator_spec(accel: Accelerator) -> AcceleratorSpec:
    return AcceleratorSpec(
        slug=accel.slug,
        name=accel.name,
        memory_gib=accel.memory_gib,
        bandwidth_gbps=accel.bandwidth_gbps,
        bf16_tflops=accel.bf16_tflops or 0.0,
        fp8_tflops=accel.fp8_tflops,
        int8_tops=accel.int8_tops,
        tdp_watts=accel.tdp_watts,
        kind=accel.kind,
        vendor=accel.vendor,
        family=accel.family,
    )


DIM_FIELDS = (
    "params_total",
    "params_active",
    "num_layers",
    "hidden_size",
    "num_heads",
    "num_kv_heads",
    "head_dim",
    "kv_lora_rank",
    "qk_rope_head_dim",
    "sliding_window",
    "context_tokens",
    "num_experts",
    "experts_per_token",
    "vocab_size",
    "intermediate_size",
    "layer_kinds",
    "attention_chunk_tokens",
    "model_type",
)


_LAYER_KINDS = frozenset(("full", "sliding", "chunked", "linear"))


def dims_from_values(values: dict) -> ModelDims | None:
    """ModelDims from a catalog row's fields (a dict with DIM_FIELDS); None without a
    parameter count. Layer kinds outside the contract's four make the layout unknown."""
    if not values.get("params_total"):
        return None
    kinds = tuple(values.get("layer_kinds") or ())
    if kinds and not _LAYER_KINDS.issuperset(kinds):
        kinds = ()
    return ModelDims(
        params_total=values["params_total"],
        params_active=values.get("params_active"),
        num_layers=values.get("num_layers"),
        hidden_size=values.get("hidden_size"),
        num_heads=values.get("num_heads"),
        num_kv_heads=values.get("num_kv_heads"),
        head_dim=values.get("head_dim"),
        kv_lora_rank=values.get("kv_lora_rank"),
        qk_rope_head_dim=values.get("qk_rope_head_dim"),
        sliding_window=values.get("sliding_window"),
        context_tokens=values.get("context_tokens"),
        num_experts=values.get("num_experts"),
        experts_per_token=values.get("experts_per_token"),
        vocab_size=values.get("vocab_size"),
        intermediate_size=values.get("intermediate_size"),
        layer_kinds=kinds,
        attention_chunk_tokens=values.get("attention_chunk_tokens"),
        model_type=values.get("model_type") or "",
    )


def model_dims(model: Model) -> ModelDims | None:
    """The catalog model's dims for the estimator; None without a parameter count."""
    return dims_from_values({f: getattr(model, f, None) for f in DIM_FIELDS})


def accelerator_resolve(*, name: str, field: str = "accelerator", in_path: bool = False):
    """The Accelerator a client named: slug, then case-insensitive slug, name or alias.

    A miss is a 400 naming `field` (a 404 with `in_path=True`)."""
    from config.errors import unknown_name

    name = (name or "").strip()
    found = (
        Accelerator.objects.filter(slug=name).first()
        or Accelerator.objects.filter(slug__iexact=name).first()
        or Accelerator.objects.filter(name__iexact=name).first()
    ) if name else None  # fmt: skip
    if found is None and name:
        lowered = name.lower()
        for acc in Accelerator.objects.exclude(aliases=[]).only("slug", "aliases"):
            if any(str(a).lower() == lowered for a in acc.aliases or ()):
                found = acc
                break
    if found is None:
        raise unknown_name("accelerator", name, field=field, in_path=in_path)
    return found
