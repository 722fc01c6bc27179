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
from collections import defaultdict, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby, starmap

import numpy as np
from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce

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
from planner.tables import ApiOfferTable, CandidateTable
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

    models: CandidateTable = field(default_factory=lambda: CandidateTable.from_models(()))
    model_dims: dict[int, object] = field(default_factory=dict)  # selfhost id -> ModelDims
    selfhost_ids: list[int] = field(default_factory=list)  # open-weight models with dims
    offers: ApiOfferTable = field(default_factory=lambda: ApiOfferTable.from_rows(()))


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
_EXTRA = ("qi_value", "languages_text", "qi_sources_text")
# Rows as named tuples (values_list + _make: no model instance, no dict per row); the
# field names are the Model's, so model_dims() reads a top row as it reads a Model.
_TopRow = namedtuple("_TopRow", (*_MODEL_FIELDS, *_EXTRA))
_PricedRow = namedtuple(
    "_PricedRow", (*_CANDIDATE_FIELDS, *_EXTRA, *_DIMS_FIELDS), defaults=(None,) * len(_DIMS_FIELDS)
)


def _with_index(qs, task: TaskSpec):
    """The task's QualityIndex value and sources joined (one index row per model and task)."""
    index = Q(quality_indexes__task=task.quality_task)
    return qs.annotate(
        qi=FilteredRelation("quality_indexes", condition=index),
        qi_value=F("qi__value"),
        languages_text=Cast("languages", TextField()),
        qi_sources_text=Cast("qi__sources", TextField()),
    )


_ORDER = (F("qi_value").desc(nulls_last=True), "-downloads", "id")


def _top_ids(task: TaskSpec, max_models: int) -> list[int]:
    """The task's top `max_models` model ids by quality index, then downloads, then id.
    Two index-ordered reads that stop at the bound (qualityindex_task_value, then
    model_task_downloads for the models without an index) instead of sorting every model
    of the task with its index joined."""
    indexed = list(
        QualityIndex.objects.filter(
            task=task.quality_task, model__task__slug__in=task.catalog_tasks
        )
        .order_by("-value", "-model__downloads", "model_id")
        .values_list("model_id", flat=True)[:max_models]
    )
    if len(indexed) < max_models:
        has_index = QualityIndex.objects.filter(model=OuterRef("pk"), task=task.quality_task)
        indexed += (
            Model.objects.filter(task__slug__in=task.catalog_tasks)
            .filter(~Exists(has_index))
            .order_by("-downloads", "id")
            .values_list("id", flat=True)[: max_models - len(indexed)]
        )
    return indexed


def plan_candidates(
    *, task: TaskSpec, max_models: int = MAX_MODELS, focus: Model | None = None
) -> tuple[list[_TopRow | _PricedRow], ApiOfferTable]:
    """Candidate models of a task and their current API offers: the top `max_models`
    models by quality index then downloads, plus the task's models with a current offer
    (at most MAX_OFFER_MODELS, best first). With `focus`, only the focus model and its
    family (same family name, its base model, models built on it or on its base).
    At most 5 queries: the top ids (1 or 2, see _top_ids), their rows, the offers, the
    priced models outside the top (none when every priced model is in the top).

    Model rows are named tuples with the Model's field names plus `qi_value` (the task's
    QualityIndex value, None without one), `languages_text` and `qi_sources_text` (the
    JSON columns as text, parsed by the caller only when not empty). The priced rows beyond
    the top ones are API candidates: their estimator dims (num_layers, ..., family,
    base_model_id) are not read and are None. Offers come ordered by model, provider, id."""
    if focus is None:
        members = Model.objects.filter(task__slug__in=task.catalog_tasks)
        top_ids = _top_ids(task, max_models)
        position = {model_id: i for i, model_id in enumerate(top_ids)}
        top_qs = _with_index(Model.objects.filter(id__in=top_ids), task).order_by()
        top = sorted(
            map(_TopRow._make, top_qs.values_list(*_read(_MODEL_FIELDS), *_EXTRA)),
            key=lambda r: position[r.id],
        )
        offers = _offers(task, Q(model__task__slug__in=task.catalog_tasks))
    else:
        family = Q(pk=focus.pk) | Q(base_model_id=focus.pk)
        if focus.family:
            family |= Q(family=focus.family)
        if focus.base_model_id:
            family |= Q(pk=focus.base_model_id) | Q(base_model_id=focus.base_model_id)
        members = Model.objects.filter(family)
        top_qs = _with_index(members, task).order_by(*_ORDER)[:max_models]
        top = list(map(_TopRow._make, top_qs.values_list(*_read(_MODEL_FIELDS), *_EXTRA)))
        offers = _offers(task, Q(model_id__in=members.values("id")))
    seen = {m.id for m in top}
    # The offers name the priced models. Within the bound every one is a candidate: read
    # them (driven by the current offers) and order them here; beyond it, the database
    # orders them and stops at the bound.
    priced_ids = set(offers.model_id.tolist())
    if not priced_ids - seen:
        return top, offers
    fields = (*_read(_CANDIDATE_FIELDS), *_EXTRA)
    current = Offer.objects.filter(valid_to__isnull=True, unit__in=task.units)
    priced_qs = _with_index(members.filter(id__in=current.values("model_id")), task)
    if len(priced_ids) <= MAX_OFFER_MODELS:
        found = starmap(_PricedRow, priced_qs.order_by().values_list(*fields))
        return top + sorted((r for r in found if r.id not in seen), key=_order_key), offers
    best = priced_qs.order_by(*_ORDER)[:MAX_OFFER_MODELS]
    models = top + [r for r in starmap(_PricedRow, best.values_list(*fields)) if r.id not in seen]
    wanted = {m.id for m in models}
    return models, offers.take(np.isin(offers.model_id, list(wanted)))


def _order_key(row: _TopRow | _PricedRow) -> tuple:
    """_ORDER in Python: quality index high first (none last), downloads, id."""
    value = row.qi_value
    return (value is None, -(value or 0.0), -(row.downloads or 0), row.id)


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
    """Candidate models (with quality index and sources) and their current API offers (as
    columns). At most 5 queries (see plan_candidates).

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
    found, rows.offers = plan_candidates(task=task, max_models=max_models, focus=focus)
    rows.models = _candidate_table(found, task.slug)
    # self-host options for the top `max_models` only: the priced models beyond them are
    # API candidates (bounds the grid at max_models × hosts × 4)
    if task.tokens:
        for m in found[:max_models]:
            if m.open_weights and (dims := model_dims(m)) is not None:
                rows.model_dims[m.id] = dims
                rows.selfhost_ids.append(m.id)
    return rows


class _Memo(dict):
    """value = memo[key]: computed by `make(key)` once per distinct key."""

    def __init__(self, make, known: dict) -> None:
        super().__init__(known)
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def _candidate_table(found: list[_TopRow | _PricedRow], slug: str) -> CandidateTable:
    """The candidate models of the rows, as columns (one pass per field). Languages and
    quality sources are parsed once per distinct text (empty and "[]" need none);
    commercial_ok is worked out once per (license, open weights)."""
    columns: dict[str, list] = {name: [] for name in (*_CANDIDATE_FIELDS, *_EXTRA)}
    for kind, group in groupby(found, key=type):  # _TopRow, then _PricedRow
        at = kind._fields
        for name, values in zip(at, zip(*group, strict=True), strict=True):
            if name in columns:
                columns[name].extend(values)
    repo_ids, names, licenses = columns["repo_id"], columns["name"], columns["license"]
    open_weights = columns["open_weights"]
    if None in names or "" in names:
        names = [name or repo_id for name, repo_id in zip(names, repo_ids, strict=True)]
    commercial = _Memo(
        lambda key: commercial_ok(license=key[0], open_weights=key[1]), {}
    )  # (license, open weights) -> ok
    no_names: dict = {None: (), "": (), "[]": ()}
    languages = _Memo(_languages, no_names)  # languages JSON -> languages
    boards = _Memo(lambda text: _board_names(json.loads(text)), no_names)  # sources JSON

    def zero(values: list) -> list:  # `value or 0`
        return [v or 0 for v in values] if None in values else values

    return CandidateTable.from_columns(
        id=columns["id"], repo_id=repo_ids, name=names, task=(slug,) * len(repo_ids),
        open_weights=open_weights,
        license=[lic or "" for lic in licenses] if None in licenses else licenses,
        commercial_ok=list(map(commercial.__getitem__, zip(licenses, open_weights, strict=True))),
        context_tokens=columns["context_tokens"],
        languages=list(map(languages.__getitem__, columns["languages_text"])),
        params_total=columns["params_total"], params_active=columns["params_active"],
        downloads=zero(columns["downloads"]), likes=zero(columns["likes"]),
        quality_index=columns["qi_value"],
        quality_sources=list(map(boards.__getitem__, columns["qi_sources_text"])),
    )  # fmt: skip


def _languages(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else ()


def _board_names(sources: object) -> tuple[str, ...]:
    """The leaderboards named by a QualityIndex's sources, once each, in order."""
    if not isinstance(sources, list):
        return ()
    names = (
        str(s.get("leaderboard") or s.get("board") or "") if isinstance(s, dict) else str(s)
        for s in sources
    )
    return tuple(name for name in dict.fromkeys(names) if name)


class _FloatCast(Cast):
    """CAST(x AS a float): both SQLite (REAL) and PostgreSQL (double precision) hand back
    Python floats, so no per-value converter (Django adds float() for FloatField
    expressions; thousands of offers × 8 prices)."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, FloatField())

    @property
    def convert_value(self):
        return self._convert_value_noop


class _IntCast(Cast):
    """CAST(x AS integer) handed back as the database's int (no per-row converter)."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, IntegerField())

    @property
    def convert_value(self):
        return self._convert_value_noop


def _read(fields: tuple[str, ...]) -> list:
    """values_list arguments for model `fields`: open_weights read as 0/1 (SQLite would
    convert every row's value to bool in Python; 0/1 is as good for the rows' uses)."""
    return [_IntCast("open_weights") if name == "open_weights" else name for name in fields]


class _FloatCoalesce(Coalesce):
    """COALESCE of float casts, handed back as the database's floats (see _FloatCast)."""

    @property
    def convert_value(self):
        return self._convert_value_noop


# ApiOffer's positional fields up to context_tokens, as the offers query reads them
_OFFER_COLUMNS = (
    "id", "model_id", "provider__slug", "provider__name",
    _FloatCast("usd_per_mtok_input"), _FloatCast("usd_per_mtok_output"),
    _FloatCast("usd_per_mtok_cache_read"), _FloatCast("usd_per_mtok_batch_input"),
    _FloatCast("usd_per_mtok_batch_output"), _FloatCast("usd_per_image"),
    # per audio minute: the minute price, else the second price × 60
    _FloatCoalesce(
        _FloatCast("usd_per_audio_minute"),
        _FloatCast("usd_per_audio_second") * Value(60.0),
        output_field=FloatField(),
    ),
    "context_tokens",
)  # fmt: skip


def _offers(task: TaskSpec, scope: Q) -> ApiOfferTable:
    """Current offers of the task's units for the models in `scope` (a Q on Offer),
    ordered by model, provider, id, as columns; prices read as floats by the database (no
    Decimal per value), in ApiOffer's field order. 1 query."""
    rows = (
        Offer.objects.filter(scope, valid_to__isnull=True, unit__in=task.units)
        .order_by("model_id", "provider__slug", "id")
        .values_list(*_OFFER_COLUMNS)
    )
    return ApiOfferTable.from_rows(list(rows))


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
    """Current instance prices linked to an accelerator, cheapest region per shape.
    2 queries: the prices as tuples (thousands of rows: no model instances), then the few
    accelerators they name."""
    price = "usd_per_hour_spot" if spot else "usd_per_hour_on_demand"
    qs = InstancePrice.objects.filter(
        valid_to__isnull=True, accelerator__isnull=False, **{f"{price}__isnull": False}
    )
    if clouds := list(clouds):
        qs = qs.filter(provider__slug__in=clouds)
    if regions := list(regions):
        qs = qs.filter(region__in=regions)
    if excluded := list(excluded):
        qs = qs.exclude(provider__slug__in=excluded)
    rows = qs.order_by(price, "id").values_list(
        "provider__slug", "accelerator_id", _FloatCast("accelerator_count"), "region",
        "instance_type", _FloatCast(price),
    )  # fmt: skip
    best: dict[tuple[str, int, int], tuple] = {}
    for cloud, accelerator_id, count, region, instance, usd_per_hour in rows:
        whole = int(count)
        if whole < 1 or whole != count:
            continue  # fractional GPUs (0.5 on some clouds) have no estimate yet
        key = (cloud, accelerator_id, whole)
        if key not in best:
            best[key] = (region, instance, usd_per_hour)
    if not best:
        return []
    accelerators = Accelerator.objects.in_bulk({accelerator_id for _, accelerator_id, _ in best})
    return [
        CloudShape(accelerators[accelerator_id], count, cloud, region, instance, usd_per_hour)
        for (cloud, accelerator_id, count), (region, instance, usd_per_hour) in best.items()
    ]


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
