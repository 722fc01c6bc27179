"""The catalog's FilterSets, shared by the API and the website (STYLE §7, §8).

Parameter bounds are in billions of parameters (`params_max=8` means at most 8B),
because that is how people talk about model size and what they type into a URL.

Every filter and ordering here is backed by an index (catalog/models.py and the
`add_api_indexes` migration). Invalid values make the FilterSet invalid, which the API
answers with 400 and the error body, never with an empty list.
"""

from __future__ import annotations

import re

import django_filters as filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat

from catalog.models import Model

PARAMS_PER_BILLION = 1_000_000_000
# The website's select menus for the two booleans ("" = either).
OPEN_CHOICES = [("", "Open or closed"), ("true", "Open weights"), ("false", "Closed / API only")]
GATED_CHOICES = [("", "Gated or not"), ("true", "Gated"), ("false", "Not gated")]

# ordering parameter -> (field, descending). Each has a (field, id) index: the keyset.
MODEL_ORDERINGS: dict[str, tuple[str, bool]] = {}
for _field in ("repo_id", "downloads", "likes", "params_total", "context_tokens"):
    MODEL_ORDERINGS[_field] = (_field, False)
    MODEL_ORDERINGS[f"-{_field}"] = (_field, True)
MODEL_ORDERINGS["hub_modified_at"] = ("hub_modified_at", False)
MODEL_ORDERINGS["-hub_modified_at"] = ("hub_modified_at", True)
MODEL_DEFAULT_ORDERING = "repo_id"
# Must stay identical to the expression of the `model_search` GIN index (migration 0002).
SEARCH_CONFIG = "simple"
_TERM = re.compile(r"[^\W_]+")


def model_search_document() -> SearchVector:
    """to_tsvector('simple', regexp_replace(repo_id || ' ' || name || ' ' || tags::text,
    '[^[:alnum:]]+', ' ', 'g')): punctuation splits words, so "Llama-3.1-8B" is found by
    "llama 3.1"."""
    text = Concat(
        F("repo_id"),
        Value(" "),
        F("name"),
        Value(" "),
        Cast(F("tags"), TextField()),
        output_field=TextField(),
    )
    normalized = Func(
        text,
        Value("[^[:alnum:]]+"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    return SearchVector(normalized, config=SEARCH_CONFIG)


def model_search(queryset: QuerySet[Model], q: str) -> QuerySet[Model]:
    """Every word of `q` must prefix-match a word of repo id, name or tags.

    PostgreSQL: full-text search on the GIN-indexed document. SQLite (no full-text
    index): case-insensitive substring match of each word on the same three columns."""
    terms = [t.lower() for t in _TERM.findall(q)][:10]
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(
            " & ".join(f"{t}:*" for t in terms), search_type="raw", config=SEARCH_CONFIG
        )
        return queryset.alias(search_document=model_search_document()).filter(search_document=query)
    for term in terms:
        queryset = queryset.filter(
            Q(repo_id__icontains=term) | Q(name__icontains=term) | Q(tags__icontains=term)
        )
    return queryset


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
    min_context_tokens = filters.NumberFilter(
        label="Min context (tokens)",
        field_name="context_tokens",
        lookup_expr="gte",
        min_value=0,
        help_text="Context window of at least this many tokens.",
    )
    ordering = filters.ChoiceFilter(
        choices=[(k, k) for k in MODEL_ORDERINGS],
        method="filter_ordering",
        empty_label=None,
        help_text="Sort key; `-` for descending. Default `repo_id`. Ties break on id. "
        "Ordering by a nullable key (params_total, context_tokens, hub_modified_at) "
        "lists only the models that have it.",
    )

    class Meta:
        model = Model
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Model], name: str, value: str) -> QuerySet[Model]:
        return model_search(queryset, value)

    def filter_params_min(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(params_total__gte=int(value * PARAMS_PER_BILLION))

    def filter_params_max(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(params_total__lte=int(value * PARAMS_PER_BILLION))

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
        if Model._meta.get_field(field).null:
            queryset = queryset.filter(**{f"{field}__isnull": False})
        direction = "-" if descending else ""
        return queryset.order_by(f"{direction}{field}", f"{direction}id")
