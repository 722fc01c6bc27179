"""Benchmark tables: accelerators (specs) and measured benchmark runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.db import TimeStampedModel


class Accelerator(TimeStampedModel):
    """A GPU / accelerator / CPU baseline with the specs the estimator needs.

    Specs are vendor figures for dense math (no sparsity). Floats, not Decimal: these
    are physical quantities feeding estimates, not money.
    """

    class Kind(models.TextChoices):
        DATACENTER = "datacenter", "Datacenter GPU"
        CONSUMER = "consumer", "Consumer GPU"
        WORKSTATION = "workstation", "Workstation GPU"
        APPLE = "apple", "Apple unified memory"
        UNIFIED = "unified", "Unified-memory system (GB10, Strix Halo)"
        ACCELERATOR = "accelerator", "Other accelerator"
        CPU = "cpu", "CPU only"

    slug = models.SlugField(max_length=60, unique=True)  # "h100-sxm", "rtx-4090"
    name = models.CharField(max_length=120)  # "NVIDIA H100 SXM 80GB"
    vendor = models.CharField(max_length=40)  # nvidia, amd, intel, apple, google
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Architecture family ("nvidia-ada", "apple-m4", "amd-rdna3"): calibration groups by it.
    family = models.CharField(max_length=40, blank=True, default="", db_default="")
    memory_gib = models.FloatField()
    bandwidth_gbps = models.FloatField()  # GB/s memory bandwidth
    bf16_tflops = models.FloatField(null=True, blank=True)  # dense bf16/fp16 tensor
    fp8_tflops = models.FloatField(null=True, blank=True)
    int8_tops = models.FloatField(null=True, blank=True)
    tdp_watts = models.IntegerField(null=True, blank=True)
    release_year = models.IntegerField(null=True, blank=True)
    # Names clouds and feeds use for it ("H100", "H100-80GB", "NVIDIA H100 80GB HBM3").
    aliases = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)  # where the figures come from
    # List (launch) price per device from benchmarks/data/list_prices.json: what owned
    # hardware is amortised at when the user enters no purchase price.
    list_price_usd = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    list_price_date = models.DateField(null=True, blank=True)
    list_price_source = models.CharField(max_length=300, blank=True, default="", db_default="")

    class Meta:
        ordering = ["vendor", "-memory_gib", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(memory_gib__gt=0) & Q(bandwidth_gbps__gt=0),
                name="accelerator_positive_specs",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BenchmarkRunQuerySet(models.QuerySet):
    def trusted(self) -> BenchmarkRunQuerySet:
        """Runs whose figures may calibrate and override estimates: trusted or community
        trust, not flagged, not a scaled-down model, on identified hardware (a known
        accelerator, not a stand-in row)."""
        return self.filter(
            trust__in=(BenchmarkRun.Trust.TRUSTED, BenchmarkRun.Trust.COMMUNITY),
            flagged=False, scaled_down=False, accelerator_assumed=False,
            accelerator__isnull=False,
        )  # fmt: skip


class BenchmarkRun(TimeStampedModel):
    """One measured run: model × accelerator × count under one engine, precision and load.

    `run_key` (sha256 of the identifying fields and figures) is the natural key, so
    importing the same result file twice adds nothing. Runs whose figures exceed the
    roofline bound by more than 1.5× are stored with `flagged` set, never dropped.
    """

    class Source(models.TextChoices):
        RUNNER = "runner", "manage.py run_benchmark"
        STANDALONE = "standalone", "Standalone GPU runner result file"
        VLLM = "vllm", "vLLM bench serve import"
        LLAMA_BENCH = "llama-bench", "llama.cpp llama-bench import"
        API = "api", "Submitted through the API"
        COMMUNITY = "community", "llmfit community submission"
        PUBLISHED = "published", "Published measurement (curated, with its source)"

    class Trust(models.TextChoices):
        TRUSTED = "trusted", "Trusted: our runner on identified hardware, or a curated source"
        COMMUNITY = "community", "Community submission: calibrates, proves no fit on Ollama"
        UNTRUSTED = "untrusted", "Untrusted: unknown hardware or unreviewed submission"

    model = models.ForeignKey(
        "catalog.Model", on_delete=models.PROTECT, related_name="benchmark_runs"
    )
    # NULL: the device string matched no accelerator (stored as unknown, never trusted).
    accelerator = models.ForeignKey(
        Accelerator, on_delete=models.PROTECT, related_name="benchmark_runs",
        null=True, blank=True,
    )  # fmt: skip
    device_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    accelerator_count = models.PositiveIntegerField(default=1)
    engine = models.CharField(max_length=40)  # transformers, vllm, llama.cpp
    engine_version = models.CharField(max_length=60, blank=True)
    precision = models.CharField(max_length=20)  # a key of estimate.PRECISIONS where known
    batch_size = models.PositiveIntegerField(default=1)
    concurrency = models.PositiveIntegerField(default=1)
    input_tokens = models.PositiveIntegerField()
    output_tokens = models.PositiveIntegerField()
    ttft_ms = models.FloatField(null=True, blank=True)
    tpot_ms = models.FloatField(null=True, blank=True)  # per output token, one stream
    prefill_tokens_per_s = models.FloatField(null=True, blank=True)
    decode_tokens_per_s = models.FloatField(null=True, blank=True)  # all streams together
    peak_memory_gib = models.FloatField(null=True, blank=True)
    environment = models.JSONField(default=dict, blank=True)
    environment_fingerprint = models.CharField(max_length=64, blank=True)
    raw_result = models.JSONField(default=dict, blank=True)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benchmark_runs",
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    # The run used a model scaled down from the catalog model's dims (CPU smoke runs).
    scaled_down = models.BooleanField(default=False)
    # The runner could not identify the hardware (a CPU host without --accelerator): the
    # accelerator row is a stand-in, so the figures cannot calibrate that row.
    accelerator_assumed = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)
    flag_reason = models.TextField(blank=True)
    trust = models.CharField(
        max_length=12, choices=Trust.choices, default=Trust.TRUSTED, db_default=Trust.TRUSTED
    )
    # An engine that offloads to the CPU instead of failing (Ollama) ran it: no proof of fit.
    proves_fit = models.BooleanField(default=True, db_default=True)
    model_name = models.CharField(max_length=300, blank=True, default="", db_default="")
    source_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    submitter_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    measured_at = models.DateTimeField()
    run_key = models.CharField(max_length=64, unique=True)

    objects = BenchmarkRunQuerySet.as_manager()

    class Meta:
        ordering = ["-measured_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accelerator_count__gte=1) & Q(concurrency__gte=1),
                name="benchmarkrun_counts_positive",
            ),
        ]
        indexes = [
            # benchmark_run_list(model=...) on the model page and the API's model filter
            models.Index(fields=["model", "-measured_at"], name="benchmarkrun_model_measured"),
            # the API's accelerator filter
            models.Index(
                fields=["accelerator", "-measured_at"], name="benchmarkrun_accel_measured"
            ),
            # default ordering of the public list
            models.Index(fields=["-measured_at", "-id"], name="benchmarkrun_measured"),
        ]

    def __str__(self) -> str:
        where = self.accelerator_id or self.device_name or "unknown"
        return f"{self.model_id} on {self.accelerator_count}x{where} ({self.engine})"

    @property
    def decode_tokens_per_s_per_stream(self) -> float | None:
        if self.tpot_ms:
            return 1000.0 / self.tpot_ms
        if self.decode_tokens_per_s:
            return self.decode_tokens_per_s / self.concurrency
        return None


class ModelRequirement(TimeStampedModel):
    """Precomputed memory need of one catalog model at one precision (estimator output).

    Filled by `benchmarks.services.model_requirements_refresh` (snapshot step, daily
    Celery task, `manage.py refresh_requirements`) so the catalog's `fits` filter is an
    indexed EXISTS instead of running the estimator per row. `total_gib` is at
    `context_tokens` (8k) and batch 1, bf16 KV cache, on one device.
    """

    model = models.ForeignKey(
        "catalog.Model", on_delete=models.CASCADE, related_name="requirements"
    )
    precision = models.CharField(max_length=20)  # a key of estimate.PRECISIONS
    weights_gib = models.FloatField()
    kv_gib_per_1k_tokens = models.FloatField(null=True, blank=True)  # NULL: unknown
    overhead_gib = models.FloatField()
    total_gib = models.FloatField()
    context_tokens = models.PositiveIntegerField(default=8192)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model", "precision"], name="modelrequirement_model_precision"
            ),
        ]
        indexes = [
            # catalog ModelFilter `fits`: EXISTS (model, precision, total_gib <= limit)
            models.Index(
                fields=["model", "precision", "total_gib"], name="modelreq_model_prec_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_id} {self.precision}: {self.total_gib:.1f} GiB"
