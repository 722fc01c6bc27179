"""Candidate models of a task (top by quality index, plus every priced model) and their
current offers, as the engine's columns; the per-process catalog cache."""

from __future__ import annotations

import json
import time
from collections import namedtuple
from dataclasses import dataclass, field
from itertools import groupby, starmap

import numpy as np
from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast

from benchmarks.estimate.support import checkpoint_format, plan_precision_mask
from benchmarks.services.accelerators import model_dims
from catalog.models import FeedRun, Model
from planner.engine.columns import ApiOfferTable, CandidateTable
from planner.engine.options import PLAN_PRECISIONS, DimsColumns
from planner.selectors.sql import FloatCast, FloatCoalesce, IntCast
from planner.selectors.tasks import TaskSpec, commercial_ok
from pricing.models import Offer
from pricing.offer_pricing import pricing_for_offers
from quality.models import QualityIndex

# No popularity cut (issue 18 §4): every sized open-weight model of the task is a
# self-host candidate. A number bounds them to the best by quality index then downloads.
MAX_MODELS: int | None = None
MAX_OFFER_MODELS = 2000


@dataclass
class CatalogRows:
    """What plan_inputs_build read, before the self-host grid."""

    models: CandidateTable = field(default_factory=lambda: CandidateTable.from_models(()))
    model_dims: dict[int, object] = field(default_factory=dict)  # selfhost id -> ModelDims
    selfhost_ids: list[int] = field(default_factory=list)  # open-weight models with dims
    offers: ApiOfferTable = field(default_factory=lambda: ApiOfferTable.from_rows(()))
    # the self-host models' estimator inputs as arrays, in selfhost_ids order (host_grid)
    dims_columns: DimsColumns = field(default_factory=lambda: DimsColumns.from_dims(()))
    selfhost_index: dict[int, int] = field(default_factory=dict)  # id -> dims_columns row
    # id -> a small int, equal for equal dims and stored format (undominated's key: each
    # ModelDims hashed once per catalog read, not once per plan)
    dims_class: dict[int, int] = field(default_factory=dict)
    # per dims_columns row × PLAN_PRECISIONS: the precisions its checkpoint can be served at
    # (a pre-quantized repo only in its own format; benchmarks.estimate.support)
    precision_ok: np.ndarray = field(default_factory=lambda: np.ones((0, 0), dtype=bool))


# what a CandidateModel needs ("languages" is read as text, parsed only when not empty)
_CANDIDATE_FIELDS = (
    "id", "repo_id", "name", "open_weights", "license", "context_tokens", "params_total",
    "params_active", "downloads", "likes",
)  # fmt: skip
# + what the estimator's ModelDims needs (self-host candidates: the top rows only)
_DIMS_FIELDS = (
    "num_layers", "hidden_size", "num_heads", "num_kv_heads", "head_dim", "kv_lora_rank",
    "qk_rope_head_dim", "sliding_window", "num_experts", "experts_per_token", "family",
    "base_model_id", "quant_method",
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


def _sized(qs, prefix: str = ""):
    """Self-host candidates: open weights and a known parameter count."""
    return qs.filter(**{f"{prefix}open_weights": True, f"{prefix}params_total__isnull": False})


def _top_ids(task: TaskSpec, max_models: int | None) -> list[int]:
    """The task's sized open-weight model ids (self-host candidates; every one when
    `max_models` is None, in no order). With a bound: the top `max_models` by quality index,
    then downloads, then id, in two index-ordered reads that stop at the bound
    (qualityindex_task_value, then model_task_downloads for the models without an index)
    instead of sorting every model of the task with its index joined."""
    members = Model.objects.filter(task__slug__in=task.catalog_tasks, is_test_repo=False)
    if max_models is None:
        return list(_sized(members).values_list("id", flat=True))
    indexed = list(
        _sized(
            QualityIndex.objects.filter(
                task=task.quality_task,
                model__task__slug__in=task.catalog_tasks,
                model__is_test_repo=False,  # tiny-random / CI repos are never planned
            ),
            "model__",
        )
        .order_by("-value", "-model__downloads", "model_id")
        .values_list("model_id", flat=True)[:max_models]
    )
    if len(indexed) < max_models:
        has_index = QualityIndex.objects.filter(model=OuterRef("pk"), task=task.quality_task)
        indexed += (
            _sized(members)
            .filter(~Exists(has_index))
            .order_by("-downloads", "id")
            .values_list("id", flat=True)[: max_models - len(indexed)]
        )
    return indexed


def plan_candidates(
    *, task: TaskSpec, max_models: int | None = MAX_MODELS, focus: Model | None = None
) -> tuple[list[_TopRow | _PricedRow], ApiOfferTable]:
    """Candidate models of a task and their current API offers: every sized open-weight
    model (self-host candidates; with `max_models`, the top ones by quality index then
    downloads), plus the task's models with a current offer
    (at most MAX_OFFER_MODELS, best first). With `focus`, only the focus model and its
    family (same family name, its base model, models built on it or on its base).
    At most 6 queries: the top ids (1 or 2, see _top_ids), their rows, the offers and
    their price rows (offer_table; one more only for offers without price rows), the
    priced models outside the top (none when every priced model is in the top).

    Model rows are named tuples with the Model's field names plus `qi_value` (the task's
    QualityIndex value, None without one), `languages_text` and `qi_sources_text` (the
    JSON columns as text, parsed by the caller only when not empty). The priced rows beyond
    the top ones are API candidates: their estimator dims (num_layers, ..., family,
    base_model_id) are not read and are None. Offers come ordered by model, provider, id."""
    if focus is None:
        members = Model.objects.filter(task__slug__in=task.catalog_tasks, is_test_repo=False)
        top_ids = _top_ids(task, max_models)
        position = {model_id: i for i, model_id in enumerate(top_ids)}
        top_qs = _with_index(Model.objects.filter(id__in=top_ids), task).order_by()
        top = sorted(
            map(_TopRow._make, top_qs.values_list(*_read(_MODEL_FIELDS), *_EXTRA)),
            key=_order_key if max_models is None else (lambda r: position[r.id]),
        )
        offers = _offers(task, Q(model__task__slug__in=task.catalog_tasks))
    else:
        family = Q(pk=focus.pk) | Q(base_model_id=focus.pk)
        if focus.family:
            family |= Q(family=focus.family)
        if focus.base_model_id:
            family |= Q(pk=focus.base_model_id) | Q(base_model_id=focus.base_model_id)
        members = Model.objects.filter(family)
        top_qs = _with_index(_sized(members), task).order_by(*_ORDER)[:max_models]
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
_CATALOG_CACHE: dict[tuple[str, int | None], tuple[float, tuple, CatalogRows]] = {}
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
    *, task: TaskSpec, max_models: int | None = MAX_MODELS, focus: Model | None = None
) -> CatalogRows:
    """Candidate models (with quality index and sources) and their current API offers (as
    columns). At most 6 queries (see plan_candidates).

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


def _catalog_rows(*, task: TaskSpec, max_models: int | None, focus: Model | None) -> CatalogRows:
    rows = CatalogRows()
    found, rows.offers = plan_candidates(task=task, max_models=max_models, focus=focus)
    rows.models = _candidate_table(found, task.slug)
    # self-host options for the sized open-weight rows (the first ones: the priced models
    # beyond them are API candidates, read without dims)
    stored: dict[int, str | None] = {}
    if task.tokens:
        for m in found[: len(found) if max_models is None else max_models]:
            if m.open_weights and (dims := model_dims(m)) is not None:
                rows.model_dims[m.id] = dims
                rows.selfhost_ids.append(m.id)
                stored[m.id] = checkpoint_format(m.quant_method, m.repo_id)
    else:  # images, speech: the size is all the estimate needs (benchmarks.estimate.media)
        for m in found[: len(found) if max_models is None else max_models]:
            if m.open_weights and m.params_total:
                rows.selfhost_ids.append(m.id)
    # the estimator's inputs as arrays, once per catalog read (text tasks: the models with dims)
    with_dims = [i for i in rows.selfhost_ids if i in rows.model_dims]
    rows.dims_columns = DimsColumns.from_dims([rows.model_dims[i] for i in with_dims])
    rows.selfhost_index = {model_id: i for i, model_id in enumerate(with_dims)}
    classes: dict[object, int] = {}
    rows.dims_class = {
        i: classes.setdefault((rows.model_dims[i], stored.get(i)), len(classes)) for i in with_dims
    }
    rows.precision_ok = np.array(
        [plan_precision_mask(stored.get(i), PLAN_PRECISIONS) for i in with_dims], dtype=bool
    ).reshape(len(with_dims), len(PLAN_PRECISIONS))
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


def _read(fields: tuple[str, ...]) -> list:
    """values_list arguments for model `fields`: open_weights read as 0/1 (SQLite would
    convert every row's value to bool in Python; 0/1 is as good for the rows' uses)."""
    return [IntCast("open_weights") if name == "open_weights" else name for name in fields]


# ApiOffer's positional fields up to context_tokens, as the offers query reads them
_OFFER_COLUMNS = (
    "id", "model_id", "provider__slug", "provider__name",
    FloatCast("usd_per_mtok_input"), FloatCast("usd_per_mtok_output"),
    FloatCast("usd_per_mtok_cache_read"), FloatCast("usd_per_mtok_batch_input"),
    FloatCast("usd_per_mtok_batch_output"), FloatCast("usd_per_image"),
    # per audio minute: the minute price, else the second price × 60
    FloatCoalesce(
        FloatCast("usd_per_audio_minute"),
        FloatCast("usd_per_audio_second") * Value(60.0),
        output_field=FloatField(),
    ),
    "context_tokens",
    "provider__kind", "provider__reviewed",  # after ApiOffer's prices: the seller's kind
)  # fmt: skip


def _offers(task: TaskSpec, scope: Q) -> ApiOfferTable:
    """Current offers of the task's units for the models in `scope` (a Q on Offer)."""
    return offer_table(Offer.objects.filter(scope, valid_to__isnull=True, unit__in=task.units))


def offer_table(offers: QuerySet[Offer]) -> ApiOfferTable:
    """The offers of a queryset as the engine's columns, ordered by model, provider, id:
    the summary prices read as floats by the database (no Decimal per value), in
    ApiOffer's field order, and each offer's price rows as the cost engine's
    OfferPricing (what the planner prices it with: pricing.offer_pricing.
    pricing_for_offers; offers read before in this process are not read again).
    1 query, plus 1 per 2,000 offers not read before (2 when some have no price rows)."""
    rows = list(
        offers.order_by("model_id", "provider__slug", "id").values_list(
            *_OFFER_COLUMNS, Cast("created_at", TextField()), "fingerprint"
        )
    )
    pricing = pricing_for_offers([(r[0], r[-2], r[-1]) for r in rows])
    return ApiOfferTable.from_rows([r[:-2] for r in rows], [pricing.get(r[0]) for r in rows])
