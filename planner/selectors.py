"""Planner reads: catalog models, offers, accelerators, instance prices and measured runs
turned into the engine's plain records (`planner.records`), in a fixed number of queries.

Task mapping (wizard task -> catalog Task slugs, pricing Offer units, quality index task):

    chat            text-generation, image-text-to-text, text2text-generation   token  chat
    code            text-generation, text2text-generation                       token  code
    summarization   summarization, text-generation, text2text-generation        token  chat
    embeddings      feature-extraction, sentence-similarity                     token  embeddings
    text-to-image   text-to-image                                               image  text-to-image
    speech-to-text  automatic-speech-recognition                        audio  speech-to-text

(audio: audio_minute and audio_second offers, seconds priced × 60 per minute.)

The pricing feeds map API modes onto the same Task slugs (chat/completion/responses ->
text-generation, embedding -> feature-extraction, image_generation -> text-to-image,
audio_transcription -> automatic-speech-recognition), so API-only models land in these
tasks too. Summarization has no leaderboard of its own: it uses the chat index.

Quality signal: `QualityIndex.value` of the model for the index task (0..100, measured
leaderboard scores, see quality/index.py); models without one get the engine's stated
popularity-and-size proxy.

Bounds: at most `max_models` (default MAX_MODELS = 300) self-hostable models, the top of
the task by quality index then downloads, plus every model of the task with a current
API offer (at most MAX_OFFER_MODELS) as API-only candidates. Cloud instance prices are
reduced to the cheapest region per (cloud, accelerator, count) for the chosen pricing
(on-demand or spot), since the other regions of the same shape cost more for the same
speed.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, F, FilteredRelation, FloatField, Max, Q, TextField
from django.db.models.functions import Cast

from benchmarks.estimate import (
    DEFAULT_EFFICIENCY,
    PRECISIONS,
    Efficiency,
    MeasuredRun,
    calibrate_efficiency,
)
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services.accelerators import accelerator_spec, model_dims
from catalog.models import FeedRun, Model
from planner.records import ApiOffer, CandidateModel
from pricing.models import InstancePrice, Offer, Unit
from quality.models import QualityIndex

MAX_MODELS = 300
MAX_OFFER_MODELS = 2000
MAX_RUNS = 2000  # trusted benchmark runs read for calibration and measured overrides


@dataclass(frozen=True, slots=True)
class TaskSpec:
    slug: str
    label: str
    catalog_tasks: tuple[str, ...]
    units: tuple[str, ...]
    quality_task: str
    tokens: bool = True  # token workloads can be self-hosted with the token estimator


TASKS: dict[str, TaskSpec] = {
    t.slug: t
    for t in (
        TaskSpec(
            "chat",
            "Chat / text generation",
            ("text-generation", "image-text-to-text", "text2text-generation"),
            (Unit.TOKEN,),
            "chat",
        ),
        TaskSpec(
            "code", "Code", ("text-generation", "text2text-generation"), (Unit.TOKEN,), "code"
        ),
        TaskSpec(
            "summarization",
            "Summarization",
            ("summarization", "text-generation", "text2text-generation"),
            (Unit.TOKEN,),
            "chat",
        ),
        TaskSpec(
            "embeddings",
            "Embeddings",
            ("feature-extraction", "sentence-similarity"),
            (Unit.TOKEN,),
            "embeddings",
        ),
        TaskSpec(
            "text-to-image",
            "Text to image",
            ("text-to-image",),
            (Unit.IMAGE,),
            "text-to-image",
            tokens=False,
        ),
        TaskSpec(
            "speech-to-text",
            "Speech to text",
            ("automatic-speech-recognition",),
            (Unit.AUDIO_MINUTE, Unit.AUDIO_SECOND),
            "speech-to-text",
            tokens=False,
        ),
    )
}

# Licenses (Hub license ids) that allow commercial use, possibly with conditions (the
# Llama and Gemma licenses cap very large users or add use policies). Anything else with
# a license is "not known to allow"; API-only (closed) models are commercial services.
COMMERCIAL_LICENSES = frozenset(
    {
        "apache-2.0", "mit", "bsd", "bsd-2-clause", "bsd-3-clause", "bsl-1.0", "isc",
        "mpl-2.0", "unlicense", "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-3.0",
        "artistic-2.0", "zlib", "openrail", "openrail++", "creativeml-openrail-m",
        "bigscience-openrail-m", "bigcode-openrail-m", "llama2", "llama3", "llama3.1",
        "llama3.2", "llama3.3", "llama4", "gemma", "deepseek", "openmdw-1.0",
    }
)  # fmt: skip
NON_COMMERCIAL_LICENSES = frozenset(
    {"cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0", "cc-by-nc-2.0", "cc-by-nc-3.0"}
)


def commercial_ok(*, license: str, open_weights: bool) -> bool | None:
    lic = (license or "").strip().lower()
    if lic in COMMERCIAL_LICENSES:
        return True
    if lic in NON_COMMERCIAL_LICENSES:
        return False
    if not open_weights:
        return True
    return None


def _f(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class CatalogRows:
    """What plan_inputs_build read, before the self-host grid."""

    models: list[CandidateModel] = field(default_factory=list)
    model_dims: dict[int, object] = field(default_factory=dict)  # selfhost id -> ModelDims
    selfhost_ids: list[int] = field(default_factory=list)  # open-weight models with dims
    offers: list[ApiOffer] = field(default_factory=list)


# what a CandidateModel needs ("languages" is read as text, parsed only when not empty)
_CANDIDATE_FIELDS = (
    "id", "repo_id", "name", "open_weights", "license", "context_tokens", "params_total",
    "params_active", "downloads", "likes",
)  # fmt: skip
# + what the estimator's ModelDims needs (self-host candidates: the top rows only)
_DIMS_FIELDS = (
    "num_layers", "hidden_size", "num_heads", "num_kv_heads", "head_dim", "kv_lora_rank",
    "qk_rope_head_dim", "sliding_window", "num_experts", "experts_per_token", "family",
    "base_model_id",
)  # fmt: skip
_MODEL_FIELDS = (*_CANDIDATE_FIELDS, *_DIMS_FIELDS)
_NO_DIMS = dict.fromkeys(_DIMS_FIELDS)


def _model_rows(qs, fields: tuple[str, ...], extra: dict) -> list[SimpleNamespace]:
    out = []
    for r in qs.values(
        *fields, "qi_value",
        languages_text=Cast("languages", TextField()),
        qi_sources_text=Cast("qi__sources", TextField()),
    ):  # fmt: skip
        text, sources = r.pop("languages_text"), r.pop("qi_sources_text")
        r["languages"] = json.loads(text) if text and text != "[]" else []
        r["qi_sources"] = json.loads(sources) if sources and sources != "[]" else []
        out.append(SimpleNamespace(**r, **extra))
    return out


def plan_models(
    *, task: TaskSpec, max_models: int = MAX_MODELS, focus: Model | None = None
) -> list[SimpleNamespace]:
    """Candidate models of a task: top `max_models` by quality index then downloads, plus
    the task's models with a current API offer. With `focus`, only the focus model and its
    family (same family name, its base model, models built on it or on its base). 2 queries.

    Rows come back as plain namespaces with the Model's field names (`.values()`: no model
    instances, so thousands of rows cost milliseconds, not tenths of a second), plus
    `qi_value` and `qi_sources` (the task's QualityIndex value and sources, None and []
    without one; one index row per model and task, read by a LEFT JOIN). The priced rows
    beyond the top ones are API candidates: their estimator dims (num_layers, ..., family,
    base_model_id) are not read and are None."""
    if focus is not None:
        family = Q(pk=focus.pk) | Q(base_model_id=focus.pk)
        if focus.family:
            family |= Q(family=focus.family)
        if focus.base_model_id:
            family |= Q(pk=focus.base_model_id) | Q(base_model_id=focus.base_model_id)
        qs = Model.objects.filter(family)
    else:
        qs = Model.objects.filter(task__slug__in=task.catalog_tasks)
    task_index = Q(quality_indexes__task=task.quality_task)
    qs = qs.annotate(
        qi=FilteredRelation("quality_indexes", condition=task_index), qi_value=F("qi__value")
    )
    order = (F("qi_value").desc(nulls_last=True), "-downloads", "id")
    top = _model_rows(qs.order_by(*order)[:max_models], _MODEL_FIELDS, {})
    seen = {m.id for m in top}
    # driven by the current offers (a few thousand) rather than an EXISTS per model
    priced_ids = Offer.objects.filter(valid_to__isnull=True, unit__in=task.units).values("model_id")
    priced = _model_rows(
        qs.filter(id__in=priced_ids).order_by(*order)[:MAX_OFFER_MODELS],
        _CANDIDATE_FIELDS, _NO_DIMS,
    )  # fmt: skip
    return top + [m for m in priced if m.id not in seen]


# (task slug, max_models) -> (monotonic time stored, catalog version, rows)
_CATALOG_CACHE: dict[tuple[str, int], tuple[float, tuple, CatalogRows]] = {}
_CATALOG_CACHE_SIZE = 8


def catalog_version() -> tuple:
    """A fingerprint of what plan_catalog_rows reads: row counts, newest ids and writes of
    models, current offers and quality indexes, and the latest feed run. 4 queries."""
    return (
        tuple(Model.objects.aggregate(n=Count("id"), t=Max("updated_at"), i=Max("id")).values()),
        tuple(
            Offer.objects.filter(valid_to__isnull=True)
            .aggregate(n=Count("id"), t=Max("updated_at"), i=Max("id"))
            .values()
        ),
        tuple(QualityIndex.objects.aggregate(n=Count("id"), t=Max("updated_at")).values()),
        tuple(FeedRun.objects.aggregate(i=Max("id"), t=Max("updated_at")).values()),
    )


def catalog_cache_clear() -> None:
    _CATALOG_CACHE.clear()


def plan_catalog_rows(
    *, task: TaskSpec, max_models: int = MAX_MODELS, focus: Model | None = None
) -> CatalogRows:
    """Candidate models (with quality index and sources) and their current API offers.
    3 queries: models (2, quality index joined), offers joined to providers.

    With settings.PLANNER_CATALOG_CACHE_SECONDS > 0 (and no focus model) the rows are kept
    in this process for that long per (task, max_models) and reused while
    catalog_version() is unchanged: 4 cheap aggregate queries instead of the 3 reads and
    the records built from them. Callers must not modify the returned lists."""
    ttl = getattr(settings, "PLANNER_CATALOG_CACHE_SECONDS", 0)
    if ttl <= 0 or focus is not None:
        return _catalog_rows(task=task, max_models=max_models, focus=focus)
    key, version, now = (task.slug, max_models), catalog_version(), time.monotonic()
    hit = _CATALOG_CACHE.get(key)
    if hit is not None and hit[1] == version and now - hit[0] <= ttl:
        return hit[2]
    rows = _catalog_rows(task=task, max_models=max_models, focus=None)
    if len(_CATALOG_CACHE) >= _CATALOG_CACHE_SIZE and key not in _CATALOG_CACHE:
        _CATALOG_CACHE.pop(min(_CATALOG_CACHE, key=lambda k: _CATALOG_CACHE[k][0]))
    _CATALOG_CACHE[key] = (now, version, rows)
    return rows


def _catalog_rows(*, task: TaskSpec, max_models: int, focus: Model | None) -> CatalogRows:
    rows = CatalogRows()
    found = plan_models(task=task, max_models=max_models, focus=focus)
    ids = [m.id for m in found]
    commercial: dict[tuple[str, bool], bool | None] = {}  # (license, open weights) -> ok
    for position, m in enumerate(found):
        value, sources = m.qi_value, m.qi_sources
        boards = (
            tuple(
                dict.fromkeys(
                    str(s.get("leaderboard") or s.get("board") or "")
                    if isinstance(s, dict) else str(s)
                    for s in sources
                )
            )
            if sources else ()
        )  # fmt: skip
        key = (m.license, m.open_weights)
        if key not in commercial:
            commercial[key] = commercial_ok(license=m.license, open_weights=m.open_weights)
        rows.models.append(
            CandidateModel(
                id=m.id, repo_id=m.repo_id, name=m.name or m.repo_id, task=task.slug,
                open_weights=m.open_weights, license=m.license or "",
                commercial_ok=commercial[key],
                context_tokens=m.context_tokens,
                languages=tuple(m.languages or ()) if isinstance(m.languages, list) else (),
                params_total=m.params_total, params_active=m.params_active,
                downloads=m.downloads or 0, likes=m.likes or 0,
                quality_index=value, quality_sources=tuple(b for b in boards if b),
            )
        )  # fmt: skip
        # self-host options for the top `max_models` only: the priced models beyond
        # them are API candidates (bounds the grid at max_models × hosts × 4)
        if m.open_weights and task.tokens and position < max_models:
            dims = model_dims(m)
            if dims is not None:
                rows.model_dims[m.id] = dims
                rows.selfhost_ids.append(m.id)
    rows.offers = list(_offers(task, ids, by_task=focus is None))
    return rows


class _FloatCast(Cast):
    """CAST(x AS a float): both SQLite (REAL) and PostgreSQL (double precision) hand back
    Python floats, so no per-value converter (Django adds float() for FloatField
    expressions; thousands of offers × 8 prices)."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, FloatField())

    @property
    def convert_value(self):
        return self._convert_value_noop


_OFFER_PRICES = (
    "usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_cache_read",
    "usd_per_mtok_batch_input", "usd_per_mtok_batch_output", "usd_per_image",
    "usd_per_audio_minute", "usd_per_audio_second",
)  # fmt: skip


def _offers(task: TaskSpec, ids: list[int], *, by_task: bool = False) -> Iterable[ApiOffer]:
    """Current offers of the candidates `ids`, prices read as floats by the database (no
    Decimal per value). With `by_task` (the ids are models of the task's catalog tasks)
    offers are selected by a join on the model's task and kept when in `ids`."""
    if not ids:
        return
    qs = Offer.objects.filter(valid_to__isnull=True, unit__in=task.units)
    if by_task:
        qs = qs.filter(model__task__slug__in=task.catalog_tasks)
    else:
        qs = qs.filter(model_id__in=ids)
    prices = {f"{name}_f": _FloatCast(name) for name in _OFFER_PRICES}
    qs = (
        qs.annotate(**prices)
        .order_by("model_id", "provider__slug", "id")
        .values_list("id", "model_id", "provider__slug", "provider__name", *prices,
                     "context_tokens")
    )  # fmt: skip
    wanted = set(ids)
    for oid, mid, slug, name, p_in, p_out, p_cached, b_in, b_out, img, a_min, a_sec, ctx in qs:
        if mid not in wanted:
            continue
        per_minute = a_min
        if per_minute is None and a_sec is not None:
            per_minute = a_sec * 60.0
        yield ApiOffer(
            id=oid, model_id=mid, provider_slug=slug, provider_name=name,
            usd_per_mtok_input=p_in, usd_per_mtok_output=p_out,
            usd_per_mtok_cached_input=p_cached, usd_per_mtok_batch_input=b_in,
            usd_per_mtok_batch_output=b_out, usd_per_image=img,
            usd_per_audio_minute=per_minute, context_tokens=ctx,
        )  # fmt: skip


def accelerators_by_slug(*, slugs: Iterable[str]) -> dict[str, Accelerator]:
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    return {a.slug: a for a in Accelerator.objects.filter(slug__in=wanted)}


@dataclass(frozen=True, slots=True)
class CloudShape:
    """The cheapest current price of one (cloud, accelerator, count) instance shape."""

    accelerator: Accelerator
    count: int
    cloud: str
    region: str
    instance: str
    usd_per_hour: float


def cloud_shapes(
    *, clouds: Iterable[str] = (), regions: Iterable[str] = (), spot: bool = False,
    excluded: Iterable[str] = (),
) -> list[CloudShape]:  # fmt: skip
    """Current instance prices linked to an accelerator, cheapest region per shape. 1 query."""
    price = "usd_per_hour_spot" if spot else "usd_per_hour_on_demand"
    qs = InstancePrice.objects.filter(
        valid_to__isnull=True, accelerator__isnull=False, **{f"{price}__isnull": False}
    ).select_related("accelerator", "provider")
    # timestamps are never read here: skip converting them (the planner's hot path)
    qs = qs.defer(
        "created_at", "updated_at", "valid_from", "valid_to", "accelerator__created_at",
        "accelerator__updated_at", "provider__created_at", "provider__updated_at",
    )  # fmt: skip
    if clouds := list(clouds):
        qs = qs.filter(provider__slug__in=clouds)
    if regions := list(regions):
        qs = qs.filter(region__in=regions)
    if excluded := list(excluded):
        qs = qs.exclude(provider__slug__in=excluded)
    best: dict[tuple[str, int, int], CloudShape] = {}
    for ip in qs.order_by(price, "id"):
        count = int(ip.accelerator_count)
        if count < 1 or count != ip.accelerator_count:
            continue  # fractional GPUs (0.5 on some clouds) have no estimate yet
        key = (ip.provider.slug, ip.accelerator_id, count)
        if key not in best:
            best[key] = CloudShape(
                ip.accelerator, count, ip.provider.slug, ip.region, ip.instance_type,
                float(getattr(ip, price)),
            )  # fmt: skip
    return list(best.values())


@dataclass(frozen=True, slots=True)
class Measured:
    decode_tokens_per_s_total: float
    stream_tokens_per_s: float
    concurrency: int
    ttft_s: float | None
    prefill_tokens_per_s: float | None


@dataclass
class RunFacts:
    efficiency: dict[tuple[str, str], Efficiency]  # (vendor, kind) -> calibrated factors
    measured: dict[tuple[int, int, str, int], Measured]  # (model, accel id, precision, count)


def run_facts(*, model_ids: list[int]) -> RunFacts:
    """Trusted benchmark runs: efficiency calibrated per accelerator family (vendor + kind,
    as benchmarks.services.efficiency_for_accelerator does, over all trusted runs) and the
    newest measured figures per model × accelerator × precision × count among the
    candidates. 1 query (at most MAX_RUNS runs)."""
    runs = list(
        BenchmarkRun.objects.trusted()
        .select_related("model", "accelerator")
        .order_by("-measured_at", "-id")[:MAX_RUNS]
    )
    wanted = set(model_ids)
    by_family: dict[tuple[str, str], list[MeasuredRun]] = defaultdict(list)
    measured: dict[tuple[int, int, str, int], Measured] = {}
    for run in runs:
        dims = model_dims(run.model)
        if dims is not None and run.precision in PRECISIONS:
            by_family[(run.accelerator.vendor, run.accelerator.kind)].append(
                MeasuredRun(
                    dims=dims, precision=run.precision, accel=accelerator_spec(run.accelerator),
                    count=run.accelerator_count, concurrency=run.concurrency,
                    prompt_tokens=run.input_tokens, output_tokens=run.output_tokens,
                    decode_tokens_per_s_per_stream=run.decode_tokens_per_s_per_stream,
                    prefill_tokens_per_s=run.prefill_tokens_per_s,
                )
            )  # fmt: skip
        stream = run.decode_tokens_per_s_per_stream
        key = (run.model_id, run.accelerator_id, run.precision, run.accelerator_count)
        if run.model_id in wanted and stream and key not in measured:
            total = run.decode_tokens_per_s or stream * run.concurrency
            measured[key] = Measured(
                decode_tokens_per_s_total=total,
                stream_tokens_per_s=stream,
                concurrency=run.concurrency,
                ttft_s=run.ttft_ms / 1000.0 if run.ttft_ms else None,
                prefill_tokens_per_s=run.prefill_tokens_per_s,
            )
    efficiency = {fam: calibrate_efficiency(rs) for fam, rs in by_family.items()}
    return RunFacts(efficiency, measured)


def efficiency_for(facts: RunFacts, accelerator: Accelerator) -> Efficiency:
    return facts.efficiency.get((accelerator.vendor, accelerator.kind), DEFAULT_EFFICIENCY)
