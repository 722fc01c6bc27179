from django.contrib import admin

from benchmarks.models import Accelerator, BenchmarkRun


@admin.register(Accelerator)
class AcceleratorAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "vendor", "kind", "memory_gib", "bandwidth_gbps",
                    "bf16_tflops", "fp8_tflops", "release_year")  # fmt: skip
    list_filter = ("vendor", "kind")
    search_fields = ("slug", "name")


@admin.register(BenchmarkRun)
class BenchmarkRunAdmin(admin.ModelAdmin):
    list_display = (
        "model",
        "accelerator",
        "accelerator_count",
        "engine",
        "precision",
        "concurrency",
        "decode_tokens_per_s",
        "ttft_ms",
        "flagged",
        "measured_at",
    )
    list_filter = ("source", "engine", "flagged", "scaled_down", "accelerator")
    list_select_related = ("model", "accelerator")
    search_fields = ("model__repo_id", "engine")
    raw_id_fields = ("model", "submitter")
    readonly_fields = ("environment", "environment_fingerprint", "raw_result", "run_key",
                       "measured_at", "source")  # fmt: skip
