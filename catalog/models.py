"""Catalog tables: what models exist, who makes them, and the generic feed run records.

The feed records (`Feed`, `FeedRun`) and the alias machinery (`ModelAlias`,
`AliasReview`) live here, at the bottom of the dependency graph, because every
ingesting app (catalog's Hub sync, pricing, benchmarks/quality) shares them.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q

from config.db import TimeStampedModel

# Database-side defaults, so raw INSERTs and COPY (catalog/services/hub_copy.py) that do not
# name the newer fact columns still write valid rows.
_EMPTY_LIST = models.Value([], output_field=models.JSONField())
_EMPTY_DICT = models.Value({}, output_field=models.JSONField())


class Organization(TimeStampedModel):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    homepage = models.URLField(blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Task(TimeStampedModel):
    """A Hub pipeline tag (text-generation, text-to-image, ...) or an API mode (chat, embedding)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=40, blank=True)  # text, vision, audio, multimodal

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class SearchDocument(models.Func):
    """The `q` search document of a model, computed by the database on every write (a
    stored generated column, so no loader has to remember it and COPY fills it too).

    PostgreSQL: to_tsvector('simple', repo id, name and tags with every run of
    non-alphanumerics turned into one space), so "Llama-3.1-8B" is found by "llama 3.1";
    GIN-indexed (migration 0003). SQLite (tests, no full-text index): the same three
    columns lowercased, searched with LIKE."""

    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("repo_id"), F("name"), F("tags"))

    def _joined(self, compiler, connection, cast: str) -> tuple[str, list]:
        parts, params = [], []
        for index, expression in enumerate(self.source_expressions):
            sql, p = compiler.compile(expression)
            sql = f"{sql}{cast}" if index == 2 else sql
            parts.append(f"COALESCE({sql}, '')")
            params.extend(p)
        return " || ' ' || ".join(parts), params

    def as_sql(self, compiler, connection, **extra):  # SQLite and others
        text, params = self._joined(compiler, connection, "")
        return f"lower({text})", params

    def as_postgresql(self, compiler, connection, **extra):
        text, params = self._joined(compiler, connection, "::text")
        return (
            f"to_tsvector('simple'::regconfig, regexp_replace({text}, '[^[:alnum:]]+', ' ', 'g'))",
            params,
        )


class ModelQuerySet(models.QuerySet):
    def open_weights(self) -> ModelQuerySet:
        return self.filter(open_weights=True)

    def for_task(self, slug: str) -> ModelQuerySet:
        return self.filter(task__slug=slug)


class Model(TimeStampedModel):
    """A generative AI model: a Hub repo (open weights) or an API-only model (closed).

    `repo_id` is the natural key: the Hub repo id ("meta-llama/Llama-3.1-8B") or, for
    API-only models, "<provider>/<model>" as the feed names it.
    """

    class Source(models.TextChoices):
        HUB = "hub", "Hugging Face Hub"
        FEED = "feed", "Provider feed"
        MANUAL = "manual", "Hand-curated"

    repo_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="models", null=True, blank=True
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="models", null=True, blank=True
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.HUB)
    family = models.CharField(max_length=80, blank=True)
    library = models.CharField(max_length=60, blank=True)
    license = models.CharField(max_length=80, blank=True)
    tags = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    open_weights = models.BooleanField(default=True)
    gated = models.BooleanField(default=False)
    gated_mode = models.CharField(max_length=10, blank=True)  # "auto" / "manual" on the Hub
    downloads = models.BigIntegerField(default=0)
    likes = models.IntegerField(default=0)
    hub_created_at = models.DateTimeField(null=True, blank=True)
    hub_modified_at = models.DateTimeField(null=True, blank=True)
    sha = models.CharField(max_length=64, blank=True)
    base_model = models.ForeignKey(
        "self", on_delete=models.SET_NULL, related_name="derived_models", null=True, blank=True
    )
    base_model_repo_id = models.CharField(max_length=200, blank=True)
    base_model_relation = models.CharField(max_length=20, blank=True)  # finetune, quantized, ...
    description = models.TextField(blank=True)  # sanitized at ingest, never raw Hub HTML

    # Parameters: the resolved count (catalog.facts.resolve_facts; its source in
    # params_source) and the Hub's safetensors metadata per dtype.
    params_total = models.BigIntegerField(null=True, blank=True)
    params_active = models.BigIntegerField(null=True, blank=True)  # MoE: per token
    params_by_dtype = models.JSONField(default=dict, blank=True)
    # Deprecated (issue 14): True when params_source is not safetensors/manual. Kept in
    # step with params_source until a later migration drops it; read params_source.
    params_estimated = models.BooleanField(default=False)
    # Counted from config.json (catalog.param_count), whatever params_total shows.
    config_params_total = models.BigIntegerField(null=True, blank=True)
    config_params_active = models.BigIntegerField(null=True, blank=True)
    # quantization_config.quant_method of the config (awq, gptq, fp8, mxfp4 ...)
    quant_method = models.CharField(max_length=40, blank=True, db_default="")
    # The llmfit catalog's statement about this repo (catalog.llmfit), a facts source.
    llmfit_facts = models.JSONField(default=dict, blank=True, db_default=_EMPTY_DICT)

    # Architecture dims from config.json.
    model_type = models.CharField(max_length=60, blank=True)
    architectures = models.JSONField(default=list, blank=True)
    num_layers = models.IntegerField(null=True, blank=True)
    hidden_size = models.IntegerField(null=True, blank=True)
    num_heads = models.IntegerField(null=True, blank=True)
    num_kv_heads = models.IntegerField(null=True, blank=True)
    head_dim = models.IntegerField(null=True, blank=True)
    intermediate_size = models.IntegerField(null=True, blank=True)
    vocab_size = models.IntegerField(null=True, blank=True)
    context_tokens = models.IntegerField(null=True, blank=True)
    num_experts = models.IntegerField(null=True, blank=True)
    experts_per_token = models.IntegerField(null=True, blank=True)
    kv_lora_rank = models.IntegerField(null=True, blank=True)  # MLA (DeepSeek-V2/V3)
    qk_rope_head_dim = models.IntegerField(null=True, blank=True)
    sliding_window = models.IntegerField(null=True, blank=True)
    config_dtype = models.CharField(max_length=20, blank=True)
    config_sha = models.CharField(max_length=64, blank=True)  # repo sha config.json was read at

    # Facts and where each came from (issue 14). Unknown is empty/NULL, never 0.
    class FactSource(models.TextChoices):
        SAFETENSORS = "safetensors", "Hub safetensors metadata"
        CONFIG = "config", "config.json"
        BASE_MODEL = "base_model", "Base model"
        FAMILY = "family", "Model family"
        LLMFIT = "llmfit", "llmfit catalog"
        NAME = "name", "From name, approximate"
        FEED = "feed", "Provider feed"
        MANUAL = "manual", "Hand-curated"

    params_source = models.CharField(
        max_length=20, choices=FactSource.choices, blank=True, db_default=""
    )
    dims_source = models.CharField(
        max_length=20, choices=FactSource.choices, blank=True, db_default=""
    )
    # One entry per layer when num_layers is known: "full" (global attention), "sliding"
    # (window `sliding_window`), "chunked" (chunks of `attention_chunk_tokens`, Llama 4) or
    # "linear" (linear attention / state space: no growing KV cache). Empty: unknown.
    layer_kinds = models.JSONField(default=list, blank=True, db_default=_EMPTY_LIST)
    attention_chunk_tokens = models.IntegerField(null=True, blank=True)
    # {"params_total": {"source": "config", "detail": "...", "as_of": "2026-11-26"}, ...}
    facts_provenance = models.JSONField(default=dict, blank=True, db_default=_EMPTY_DICT)
    # tiny-random / test repos: kept in the catalog, never offered by the planner
    is_test_repo = models.BooleanField(default=False, db_default=False)
    # "text", "image", "audio", "video", "file"; what the model reads and writes
    input_modalities = models.JSONField(default=list, blank=True, db_default=_EMPTY_LIST)
    output_modalities = models.JSONField(default=list, blank=True, db_default=_EMPTY_LIST)
    release_date = models.DateField(null=True, blank=True)
    knowledge_cutoff = models.CharField(
        max_length=10, blank=True, db_default=""
    )  # "2024-10" or "2024-10-01"
    deprecation_date = models.DateField(null=True, blank=True)
    retirement_date = models.DateField(null=True, blank=True)

    # Derived by the apps above catalog, kept here so the catalog sorts and filters on an
    # index (issue 19): pricing.services.model_prices writes the cheapest current token
    # offer's input price and its USD for the reference usage (REFERENCE_USAGE there);
    # quality writes the best quality index over tasks. NULL: no price / no index.
    cheapest_usd_per_mtok_input = models.DecimalField(
        max_digits=20, decimal_places=9, null=True, blank=True
    )
    cheapest_usd_per_mtok_blended = models.DecimalField(
        max_digits=20, decimal_places=9, null=True, blank=True
    )
    quality_index_best = models.FloatField(null=True, blank=True)
    # No loader writes these (a new row starts NULL): only their owners' refresh services.
    DERIVED_FIELDS = (
        "cheapest_usd_per_mtok_input",
        "cheapest_usd_per_mtok_blended",
        "quality_index_best",
    )

    # Hash of the normalized synced fields: re-syncs skip rows whose fingerprint matches.
    fingerprint = models.CharField(max_length=64, blank=True)
    # The API's `q` search (catalog.filters.model_search): written by the database itself.
    search_document = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(), db_persist=True
    )

    objects = ModelQuerySet.as_manager()

    class Meta:
        ordering = ["repo_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(params_total__isnull=True) | Q(params_total__gte=0),
                name="model_params_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(params_active__isnull=True)
                | Q(params_total__isnull=True)
                | Q(params_active__lte=F("params_total")),
                name="model_active_le_total",
            ),
        ]
        indexes = [
            # catalog list default ordering and "sort by downloads"
            models.Index(fields=["-downloads", "id"], name="model_downloads"),
            # task facet + popularity ordering on the catalog page
            models.Index(fields=["task", "-downloads"], name="model_task_downloads"),
            models.Index(fields=["organization", "-downloads"], name="model_org_downloads"),
            # family dims lookup (catalog.services.facts) and the planner's family focus
            models.Index(fields=["family"], name="model_family"),
            # parameter-range filter and ordering
            models.Index(fields=["params_total"], name="model_params_total"),
            models.Index(fields=["context_tokens"], name="model_context_tokens"),
            models.Index(fields=["-likes", "id"], name="model_likes"),
            # The website's sorts by a nullable column put NULLs last (catalog.selectors.SORTS):
            # on PostgreSQL (hub_modified_at | params_total | context_tokens DESC NULLS LAST,
            # id), created by migration 0006 only there (SQLite cannot index NULLS LAST).
            # API keyset pagination: WHERE (key, id) > (%s, %s) ORDER BY key, id (both
            # directions), one per `ordering` of catalog.filters.MODEL_ORDERINGS.
            models.Index(fields=["downloads", "id"], name="model_keyset_downloads"),
            models.Index(fields=["likes", "id"], name="model_keyset_likes"),
            models.Index(fields=["params_total", "id"], name="model_keyset_params"),
            models.Index(fields=["context_tokens", "id"], name="model_keyset_context"),
            models.Index(fields=["hub_modified_at", "id"], name="model_keyset_modified"),
            # ordering=cheapest / quality (both directions) and the price range filter:
            # partial, only the priced / scored models are in them
            models.Index(
                fields=["cheapest_usd_per_mtok_blended", "id"],
                name="model_keyset_cheapest",
                condition=Q(cheapest_usd_per_mtok_blended__isnull=False),
            ),
            models.Index(
                fields=["quality_index_best", "id"],
                name="model_keyset_quality",
                condition=Q(quality_index_best__isnull=False),
            ),
            models.Index(
                fields=["cheapest_usd_per_mtok_input"],
                name="model_price_input",
                condition=Q(cheapest_usd_per_mtok_input__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.repo_id


class CatalogCount(TimeStampedModel):
    """A maintained count: catalog totals and models per task / organization / license /
    library (catalog.services.counts.catalog_counts_refresh rewrites them all; the pages
    read them instead of counting a million rows per request). `updated_at`: as of when."""

    class Kind(models.TextChoices):
        TOTAL = "total", "Total"
        TASK = "task", "Task"
        ORGANIZATION = "organization", "Organization"
        LICENSE = "license", "License"
        LIBRARY = "library", "Library"

    TOTAL_MODELS = "models"
    TOTAL_TASKS = "tasks"
    TOTAL_ORGANIZATIONS = "organizations"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)  # task / organization slug, license, library
    label = models.CharField(max_length=200)
    count = models.BigIntegerField()
    rank = models.IntegerField()  # 1 = the largest count of its kind (ties: by key)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="catalogcount_kind_key"),
        ]
        indexes = [  # the facets: the top N of each kind (50,000 organizations at 1M models)
            models.Index(fields=["kind", "rank"], name="catalogcount_kind_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}={self.count}"


class ModelAlias(TimeStampedModel):
    """One source's name for a catalog model, and the rule that made the link."""

    class Rule(models.TextChoices):
        EXACT_REPO = "exact_repo", "Exact Hub repo id"
        NORMALIZED = "normalized", "Normalized name"
        MANUAL = "manual", "Reviewed by hand"
        CREATED = "created", "Created as API-only model"
        HUB_REPO = "hub_repo", "The Hub repo id the feed states or names"

    source = models.CharField(max_length=40)  # feed slug: "litellm", "openrouter", "lmarena"
    alias = models.CharField(max_length=300)
    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="aliases")
    rule = models.CharField(max_length=20, choices=Rule.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "alias"], name="modelalias_source_alias"),
        ]
        indexes = [
            models.Index(fields=["model"], name="modelalias_model"),
            # one name across feeds (catalog.services.aliases.stated_elsewhere)
            models.Index(fields=["alias"], name="modelalias_alias"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.alias} -> {self.model_id}"


class LinkChange(models.Model):
    """One feed name re-linked to another model, and why: nothing moves without a trace."""

    source = models.CharField(max_length=40)
    alias = models.CharField(max_length=300)
    old_model = models.ForeignKey(
        Model, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    old_repo_id = models.CharField(max_length=200)  # kept when the old model is gone
    new_model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="link_changes")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["source", "alias"], name="linkchange_source_alias")]

    def __str__(self) -> str:
        return f"{self.source}:{self.alias} {self.old_repo_id} -> {self.new_model_id}"


class AliasReview(TimeStampedModel):
    """A feed name that matched several catalog models: a person picks, nobody guesses."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        IGNORED = "ignored", "Ignored"

    source = models.CharField(max_length=40)
    alias = models.CharField(max_length=300)
    candidates = models.ManyToManyField(Model, related_name="alias_reviews", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_model = models.ForeignKey(
        Model, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "alias"], name="aliasreview_source_alias"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.alias} ({self.status})"


class Feed(TimeStampedModel):
    """A source we ingest: the Hub, a pricing feed, a leaderboard, a benchmark import."""

    class Kind(models.TextChoices):
        HUB = "hub", "Hub catalog"
        PRICING = "pricing", "API pricing"
        GPU_PRICING = "gpu_pricing", "Cloud GPU prices"
        QUALITY = "quality", "Quality leaderboard"
        BENCHMARK = "benchmark", "Benchmark results"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(max_length=40, blank=True)
    url = models.URLField(max_length=500, blank=True)
    schedule = models.CharField(max_length=40, blank=True)  # "hourly", "daily", "weekly"
    enabled = models.BooleanField(default=True)
    last_good_run = models.ForeignKey(
        "FeedRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class FeedRun(TimeStampedModel):
    """One run of one feed: counts, errors, duration. At most one running per feed."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCESS = "success", "Succeeded"
        PARTIAL = "partial", "Succeeded with rejected records"
        FAILED = "failed", "Failed"
        # The document looked like a wipe (empty, much smaller than the last good one, or
        # closing too many current rows): nothing was written (issue 15 §6).
        REFUSED = "refused", "Refused (would wipe prices)"

    feed = models.ForeignKey(Feed, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)  # e.g. {"task": ..., "limit": ...}
    created = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # ["record X: reason", ...]
    # Resume state: the page cursor after the last committed page.
    cursor = models.TextField(blank=True)
    pages_done = models.IntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed"],
                condition=Q(status="running"),
                name="feedrun_one_running_per_feed",
            ),
        ]
        indexes = [models.Index(fields=["feed", "-started_at"], name="feedrun_feed_started")]

    def __str__(self) -> str:
        return f"{self.feed_id} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SyncRunManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(feed__kind=Feed.Kind.HUB)


class SyncRun(FeedRun):
    """A Hub sync run: the FeedRun rows of the Hub feed."""

    objects = SyncRunManager()

    class Meta:
        proxy = True
