"""The catalog's FilterSets, shared by the API and the website (STYLE §7, §8).

Parameter bounds are in billions of parameters (`params_max=8` means at most 8B),
because that is how people talk about model size and what they type into a URL.

Every filter and ordering here is backed by an index (catalog/models.py and the
`add_api_indexes` migration). Invalid values make the FilterSet invalid, which the API
answers with 400 and the error body, never with an empty list.
"""

from __future__ import annotations

import copy
import re

import django_filters as filters
from django import forms
from django.apps import apps
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import QueryDict

from catalog.models import Model

PARAMS_PER_BILLION = 1_000_000_000
# The website's select menus for the two booleans ("" = either).
OPEN_CHOICES = [("", "Open or closed"), ("true", "Open weights"), ("false", "Closed / API only")]
GATED_CHOICES = [("", "Gated or not"), ("true", "Gated"), ("false", "Not gated")]
# Modalities as pricing.offer_tasks and the Hub facts store them on Model.
MODALITY_CHOICES = [
    ("text", "Text"),
    ("image", "Image"),
    ("audio", "Audio"),
    ("video", "Video"),
    ("pdf", "PDF / file"),
    ("embedding", "Embedding"),
    ("score", "Relevance score"),
    ("label", "Label"),
]

# ordering parameter -> (field, descending). Each has a (field, id) index: the keyset.
MODEL_ORDERINGS: dict[str, tuple[str, bool]] = {}
for _field in ("repo_id", "downloads", "likes", "params_total", "context_tokens"):
    MODEL_ORDERINGS[_field] = (_field, False)
    MODEL_ORDERINGS[f"-{_field}"] = (_field, True)
MODEL_ORDERINGS["hub_modified_at"] = ("hub_modified_at", False)
MODEL_ORDERINGS["-hub_modified_at"] = ("hub_modified_at", True)
# Cross-app keys, denormalized onto Model by the apps above catalog (pricing writes the
# cheapest price for its reference usage, quality the best index), each on a (key, id)
# index. With `quality_task` the quality key is an annotation (that task's index row).
MODEL_ORDERINGS["cheapest"] = ("cheapest_usd_per_mtok_blended", False)
MODEL_ORDERINGS["-cheapest"] = ("cheapest_usd_per_mtok_blended", True)
MODEL_ORDERINGS["quality"] = ("quality_index_best", False)
MODEL_ORDERINGS["-quality"] = ("quality_index_best", True)
QUALITY_TASK_KEY = "quality_task_value"
MODEL_ANNOTATED_KEYS = {QUALITY_TASK_KEY}
MODEL_DEFAULT_ORDERING = "repo_id"
# The estimator's precision keys (benchmarks.estimate.PRECISIONS; catalog may not import
# it: tests/api/test_model_cross_filters.py checks the two stay equal).
FITS_PRECISIONS = ("fp32", "bf16", "fp16", "fp8", "int8", "int4-awq", "int4-gptq", "q8_0",
                   "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")  # fmt: skip
# Share of an accelerator's memory a model may fill (KV growth, fragmentation).
FITS_USABLE_FRACTION = 0.9
UNSPLIT_KINDS = ("apple", "cpu")  # unified memory: one machine, never tensor-parallel
# The text search configuration of catalog.models.SearchDocument (the stored column).
SEARCH_CONFIG = "simple"
_TERM = re.compile(r"[^\W_]+")


def model_search(queryset: QuerySet[Model], q: str) -> QuerySet[Model]:
    """Every word of `q` must prefix-match a word of repo id, name or tags.

    Both read the stored `search_document` column (catalog.models.SearchDocument).
    PostgreSQL: full-text prefix search on its GIN index. SQLite (no full-text index):
    substring match of each word on the lowercased text."""
    terms = [t.lower() for t in _TERM.findall(q)][:10]
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(
            " & ".join(f"{t}:*" for t in terms), search_type="raw", config=SEARCH_CONFIG
        )
        return queryset.filter(search_document=query)
    for term in terms:
        queryset = queryset.filter(search_document__contains=term)
    return queryset


def _related(name: str):
    """The table behind a reverse relation of Model (pricing's "offers", quality's
    "quality_indexes", benchmarks' "requirements"): catalog reaches the apps above it
    through the ORM, never by importing them."""
    return Model._meta.get_field(name).related_model


def _quality_rows(task: str | None) -> QuerySet:
    rows = _related("quality_indexes").objects.filter(model_id=OuterRef("pk"))
    return rows.filter(task=task) if task else rows


class StrictBooleanField(forms.NullBooleanField):
    """true/false/1/0; anything else is invalid (django-filter's default ignores it)."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError("Use true or false.", code="invalid") from None

    def validate(self, value: object) -> None:
        return None


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class IntegerFilter(filters.NumberFilter):
    """A whole number (the schema says integer; `1.5` is a 400, not a silent match)."""

    field_class = forms.IntegerField


class ModelFilter(filters.FilterSet):
    q = filters.CharFilter(
        label="Search",
        method="filter_q",
        max_length=200,
        help_text="Full-text search over repo id, name and tags: every word must match "
        "(prefix match on PostgreSQL, substring match on SQLite).",
    )
    task = filters.CharFilter(
        label="Task", field_name="task__slug", help_text="Task slug, e.g. `text-generation`."
    )
    organization = filters.CharFilter(
        label="Organization",
        field_name="organization__slug",
        help_text="Organization slug, e.g. `meta-llama`.",
    )
    license = filters.CharFilter(
        label="License", help_text="License id as the Hub states it, e.g. `apache-2.0`."
    )
    library = filters.CharFilter(
        label="Library", help_text="Library, e.g. `transformers`, `diffusers`."
    )
    open_weights = StrictBooleanFilter(
        label="Open weights", help_text="Weights downloadable (true) or API-only."
    )
    gated = StrictBooleanFilter(label="Gated", help_text="The Hub repo asks for access approval.")
    source = filters.ChoiceFilter(
        label="Source", choices=Model.Source.choices, help_text="Where the row came from."
    )
    params_min = filters.NumberFilter(
        method="filter_params_min",
        min_value=0,
        label="Min params (B)",
        help_text="At least this many billion parameters (total), e.g. `7` or `0.5`.",
    )
    params_max = filters.NumberFilter(
        method="filter_params_max",
        min_value=0,
        label="Max params (B)",
        help_text="At most this many billion parameters (total), e.g. `8`.",
    )
    min_context_tokens = IntegerFilter(
        label="Min context (tokens)",
        field_name="context_tokens",
        lookup_expr="gte",
        min_value=0,
        help_text="Context window of at least this many tokens.",
    )
    input_modality = filters.ChoiceFilter(
        label="Input",
        choices=MODALITY_CHOICES,
        method="filter_modality",
        help_text="The model reads this modality, e.g. `image` (vision models).",
    )
    output_modality = filters.ChoiceFilter(
        label="Output",
        choices=MODALITY_CHOICES,
        method="filter_modality",
        help_text="The model writes this modality, e.g. `audio` (speech synthesis).",
    )
    has_offers = StrictBooleanFilter(
        label="Has offers",
        method="filter_has_offers",
        help_text="The model has (true) or lacks (false) a current price offer.",
    )
    provider = filters.CharFilter(
        label="Provider",
        method="filter_provider",
        max_length=80,
        help_text="Provider slug (e.g. `openai`): the model has a current offer from it.",
    )
    price_min = filters.NumberFilter(
        label="Min input price ($/1M)",
        method="filter_price_min",
        min_value=0,
        help_text="Cheapest current token offer costs at least this many USD per 1M input tokens.",
    )
    price_max = filters.NumberFilter(
        label="Max input price ($/1M)",
        method="filter_price_max",
        min_value=0,
        help_text="Cheapest current token offer costs at most this many USD per 1M input tokens.",
    )
    fits = filters.CharFilter(
        label="Fits on",
        method="filter_fits",
        max_length=60,
        help_text="Accelerator slug (e.g. `h100-sxm`): the model's estimated memory at "
        "`fits_precision`, 8k context, batch 1 is at most 90% of `fits_count` × its "
        "memory (Apple/CPU unified memory is never split). Unknown slug: 400.",
    )
    fits_count = filters.NumberFilter(
        label="Accelerator count",
        method="filter_noop",
        min_value=1,
        max_value=64,
        help_text="With `fits`: how many accelerators (default 1).",
    )
    fits_precision = filters.ChoiceFilter(
        label="Precision",
        method="filter_noop",
        choices=[(p, p) for p in FITS_PRECISIONS],
        help_text="With `fits`: weight precision (default `bf16`).",
    )
    quality_min = filters.NumberFilter(
        label="Min quality",
        method="filter_quality_min",
        min_value=0,
        max_value=100,
        help_text="Best quality index (0-100) at least this; with `quality_task`, the "
        "index for that task.",
    )
    quality_task = filters.CharFilter(
        label="Quality task",
        method="filter_noop",
        max_length=60,
        help_text="Quality index task for `quality_min` and `ordering=quality` (chat, code, "
        "vision, embeddings, speech-to-text, text-to-image); default: the best over tasks.",
    )
    ordering = filters.ChoiceFilter(
        choices=[(k, k) for k in MODEL_ORDERINGS],
        method="filter_ordering",
        empty_label=None,
        help_text="Sort key; `-` for descending. Default `repo_id`. Ties break on id. "
        "Ordering by a nullable key (params_total, context_tokens, hub_modified_at, "
        "cheapest = the cheapest current token offer's USD for 1M tokens blended 3:1 "
        "input:output (1,000 requests of 750 in + 250 out), quality = best quality index, "
        "or with `quality_task` that task's index) lists only the models that have it.",
    )

    class Meta:
        model = Model
        fields: list[str] = []

    _form_class: type | None = None

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        """django-filter's __init__, with a shallow copy of each filter: its deep copy of
        every filter (choices and all) was most of a filtered list request's Python time.
        Safe because a filter's per-request state (model, parent, its form field) is set
        on the copy, and nothing mutates the shared `extra` kwargs after class creation."""
        if queryset is None:
            queryset = Model.objects.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(f) for name, f in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:  # bind its FilterMethod to the copy, not the base
                filter_.method = filter_.method

    def get_form_class(self) -> type:
        """One form class per FilterSet class (its fields depend on nothing per request)."""
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_q(self, queryset: QuerySet[Model], name: str, value: str) -> QuerySet[Model]:
        return model_search(queryset, value)

    def filter_params_min(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(params_total__gte=int(value * PARAMS_PER_BILLION))

    def filter_params_max(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(params_total__lte=int(value * PARAMS_PER_BILLION))

    def filter_noop(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset  # read by filter_fits

    def filter_modality(self, queryset: QuerySet[Model], name: str, value: str) -> QuerySet[Model]:
        """JSON list membership: jsonb containment on PostgreSQL (GIN-indexed, catalog
        migration providers_modality_indexes); the list's text on SQLite."""
        field = "input_modalities" if name == "input_modality" else "output_modalities"
        if connection.vendor == "postgresql":
            return queryset.filter(**{f"{field}__contains": [value]})
        alias = f"{field}_text"
        return queryset.alias(**{alias: Cast(field, TextField())}).filter(
            **{f"{alias}__contains": f'"{value}"'}
        )

    def filter_has_offers(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        if value is None:
            return queryset
        offers = Exists(_related("offers").objects.filter(model_id=OuterRef("pk"), valid_to=None))
        return queryset.filter(offers if value else ~offers)

    def filter_provider(self, queryset: QuerySet[Model], name: str, value: str) -> QuerySet[Model]:
        offers = _related("offers").objects.filter(
            model_id=OuterRef("pk"), valid_to=None, provider__slug=value
        )
        return queryset.filter(Exists(offers))

    def filter_price_min(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(cheapest_usd_per_mtok_input__gte=value)

    def filter_price_max(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(cheapest_usd_per_mtok_input__lte=value)

    def filter_fits(self, queryset: QuerySet[Model], name: str, value: str) -> QuerySet[Model]:
        accelerator = (
            apps.get_model("benchmarks", "Accelerator")
            .objects.filter(slug=value)
            .values("memory_gib", "kind")
            .first()
        )
        if accelerator is None:
            raise ValidationError({"fits": [f"Unknown accelerator {value!r}."]})
        data = self.form.cleaned_data
        count = int(data.get("fits_count") or 1)
        if accelerator["kind"] in UNSPLIT_KINDS:
            count = 1
        limit = accelerator["memory_gib"] * count * FITS_USABLE_FRACTION
        rows = _related("requirements").objects.filter(
            model_id=OuterRef("pk"),
            precision=data.get("fits_precision") or "bf16",
            total_gib__lte=limit,
        )
        return queryset.filter(Exists(rows))

    def filter_quality_min(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        task = self.form.cleaned_data.get("quality_task") or None
        if task is None:  # the best index over tasks: the denormalized column
            return queryset.filter(quality_index_best__gte=float(value))
        return queryset.filter(Exists(_quality_rows(task).filter(value__gte=float(value))))

    @property
    def active(self) -> dict[str, object]:
        """The valid, non-empty filters (for "active filter" chips and empty states)."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {
            k: v
            for k, v in self.form.cleaned_data.items()
            if v not in (None, "") and k != "ordering"
        }

    def filter_ordering(self, queryset: QuerySet[Model], name: str, value: str) -> QuerySet[Model]:
        field, descending = MODEL_ORDERINGS[value]
        direction = "-" if descending else ""
        task = self.form.cleaned_data.get("quality_task") or None
        if field == "quality_index_best" and task:
            # That task's index row, joined (one row per model: unique on model, task).
            queryset = queryset.annotate(
                quality_for_task=FilteredRelation(
                    "quality_indexes", condition=Q(quality_indexes__task=task)
                ),
                **{QUALITY_TASK_KEY: F("quality_for_task__value")},
            ).filter(**{f"{QUALITY_TASK_KEY}__isnull": False})
            return queryset.order_by(f"{direction}{QUALITY_TASK_KEY}", f"{direction}id")
        if Model._meta.get_field(field).null:
            queryset = queryset.filter(**{f"{field}__isnull": False})
        return queryset.order_by(f"{direction}{field}", f"{direction}id")
