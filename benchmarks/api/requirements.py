"""/api/models/<repo>/requirements/: memory, fit and speed per accelerator, with provenance.

Every speed is a figure object: `value`, `low`/`high` (the error band), `basis`
("measured" | "calibrated" | "roofline" | "unknown"), `band_pct`, `runs`, `group`,
`run_id` and a one-line `label` (benchmarks.estimate.figures).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.api.runs import catalog_model
from benchmarks.estimate import ENGINES, KV_BITS, PRECISIONS
from benchmarks.estimate.figures import Figure
from benchmarks.models import Accelerator
from benchmarks.selectors.calibration import calibrations
from benchmarks.selectors.estimates import Cell, Query, memory_figure, model_requirements
from config.api import ErrorOut

GIB = 2**30


class FigureOut(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="value − band")
    high = serializers.FloatField(allow_null=True, help_text="value + band")
    basis = serializers.CharField(help_text="measured | calibrated | roofline | unknown")
    band_pct = serializers.FloatField(allow_null=True, help_text="± error band in percent")
    runs = serializers.IntegerField(help_text="Runs the calibration or measurement rests on.")
    group = serializers.CharField(help_text="Calibration group (engine × accelerator family).")
    run_id = serializers.IntegerField(allow_null=True, help_text="The measured run's id.")
    label = serializers.CharField(help_text="What the figure is, in words.")
    note = serializers.CharField()


def figure_data(f: Figure) -> dict:
    return {
        "value": f.value,
        "low": f.low,
        "high": f.high,
        "basis": f.basis,
        "band_pct": None if f.band is None else round(f.band * 100, 1),
        "runs": f.runs,
        "group": f.group,
        "run_id": f.run_id,
        "label": f.label,
        "note": f.note,
    }


class AcceleratorRequirementOut(serializers.Serializer):
    accelerator = serializers.CharField(help_text="Accelerator slug.")
    name = serializers.CharField()
    kind = serializers.CharField()
    memory_gib = serializers.FloatField()
    engine = serializers.CharField(allow_null=True, help_text="Engine the figures are for.")
    count = serializers.IntegerField(
        allow_null=True, help_text="Devices: the stated count, else the fewest that hold it."
    )
    fits = serializers.BooleanField()
    fit_reason = serializers.CharField(help_text="Why it does not fit; empty when it fits.")
    proves_fit = serializers.BooleanField(
        help_text="False for engines that offload to the CPU instead of failing (Ollama)."
    )
    needed_gib_per_device = serializers.FloatField(allow_null=True)
    usable_gib_per_device = serializers.FloatField(allow_null=True)
    offload_fraction = serializers.FloatField(
        help_text="Share of the weights in host memory when a llama.cpp-style engine spills "
        "(llama.cpp moves MoE experts there first; Ollama whole layers)."
    )
    accelerators_needed = serializers.IntegerField(
        allow_null=True, help_text="Devices that hold the model (≤ 8); null: none."
    )
    decode_tokens_per_s_per_stream = serializers.FloatField(allow_null=True)
    decode_tokens_per_s_total = serializers.FloatField(allow_null=True)
    bound = serializers.CharField(allow_null=True, help_text="memory or compute")
    decode = FigureOut(help_text="Decode tokens/s of one stream.")
    throughput = FigureOut(help_text="Output tokens/s of all streams at the concurrency.")
    prefill = FigureOut(help_text="Prefill tokens/s.")
    ttft_s = FigureOut(help_text="Time to first token, seconds.")


class MemoryOut(serializers.Serializer):
    weights_gib = serializers.FloatField()
    kv_cache_gib = serializers.FloatField(allow_null=True, help_text="null: KV cache unknown")
    overhead_gib = serializers.FloatField(help_text="Engine buffers and driver context.")
    total_gib = serializers.FloatField()
    total_is_lower_bound = serializers.BooleanField(help_text="True when the KV cache is unknown.")
    estimate = FigureOut(help_text="The total as a figure with its provenance and band.")


class RequirementsOut(serializers.Serializer):
    model = serializers.CharField()
    precision = serializers.CharField()
    engine = serializers.CharField(allow_null=True)
    context_tokens = serializers.IntegerField()
    batch = serializers.IntegerField()
    prompt_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    concurrency = serializers.IntegerField()
    weights_gib = serializers.FloatField()
    kv_cache_gib = serializers.FloatField(allow_null=True, help_text="null: KV cache unknown")
    overhead_gib = serializers.FloatField()
    total_gib = serializers.FloatField()
    kv_known = serializers.BooleanField(help_text="False: the dims lack layers/heads.")
    memory = MemoryOut()
    accelerators = AcceleratorRequirementOut(many=True)


class RequirementsIn(serializers.Serializer):
    precision = serializers.ChoiceField(
        choices=list(PRECISIONS),
        default="bf16",
        help_text="Weight format: bf16, fp8, int4-awq, q4_k_m, iq4_xs, mlx-4bit, nvfp4 ...",
    )
    context = serializers.IntegerField(
        min_value=1, max_value=10_000_000, default=8192, help_text="Tokens per sequence."
    )
    batch = serializers.IntegerField(
        min_value=1, max_value=4096, default=1, help_text="Sequences held in the KV cache."
    )
    engine = serializers.ChoiceField(
        choices=list(ENGINES),
        required=False,
        allow_null=True,
        default=None,
        help_text="Engine; default: llama.cpp for GGUF, MLX for MLX, vLLM (MLX on Apple) else.",
    )
    accelerator = serializers.SlugField(
        max_length=60,
        required=False,
        default="",
        allow_blank=True,
        help_text="Answer for this accelerator only (the one you own).",
    )
    count = serializers.IntegerField(
        min_value=1,
        max_value=64,
        required=False,
        allow_null=True,
        default=None,
        help_text="Devices you have; the answer is for exactly that, fit or not.",
    )
    prompt = serializers.IntegerField(
        min_value=0, max_value=100_000_000, required=False, allow_null=True, default=None
    )
    output = serializers.IntegerField(
        min_value=1, max_value=100_000_000, required=False, allow_null=True, default=None
    )
    concurrency = serializers.IntegerField(min_value=1, max_value=4096, default=1)
    kv = serializers.ChoiceField(
        choices=list(KV_BITS), default="bf16", help_text="KV cache element type."
    )


def cell_data(cell: Cell) -> dict:
    a = cell.accelerator
    return {
        "accelerator": a.slug,
        "name": a.name,
        "kind": a.kind,
        "memory_gib": a.memory_gib,
        "engine": cell.engine,
        "count": cell.count,
        "fits": cell.fits,
        "fit_reason": cell.reason,
        "proves_fit": cell.proves_fit,
        "needed_gib_per_device": cell.needed_gib_per_device,
        "usable_gib_per_device": cell.usable_gib_per_device,
        "offload_fraction": cell.offload_fraction,
        "accelerators_needed": cell.count if cell.fits else None,
        "decode_tokens_per_s_per_stream": cell.decode.value,
        "decode_tokens_per_s_total": cell.throughput.value,
        "bound": cell.bound,
        "decode": figure_data(cell.decode),
        "throughput": figure_data(cell.throughput),
        "prefill": figure_data(cell.prefill),
        "ttft_s": figure_data(cell.ttft_s),
    }


class ModelRequirementsView(APIView):
    """The estimator's memory breakdown for one model and, per accelerator (or the one
    asked for, at the device count asked for), fit and speed with their provenance."""

    @extend_schema(
        summary="A model's memory need, fit and speed per accelerator (calibrated, measured)",
        parameters=[RequirementsIn],
        responses={200: RequirementsOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    )
    def get(self, request: Request, repo_id: str) -> Response:
        params = RequirementsIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        model = catalog_model(repo_id)
        accelerators = None
        if v["accelerator"]:
            accelerator = Accelerator.objects.filter(slug=v["accelerator"]).first()
            if accelerator is None:
                raise serializers.ValidationError(
                    {"accelerator": [f"Unknown accelerator {v['accelerator']!r}."]}
                )
            accelerators = [accelerator]
        query = Query(
            precision=v["precision"],
            context_tokens=v["context"],
            batch=v["batch"],
            engine=v["engine"],
            count=v["count"],
            prompt_tokens=v["prompt"],
            output_tokens=v["output"],
            concurrency=v["concurrency"],
            kv_precision=v["kv"],
        )
        cals = calibrations()
        memory, cells = model_requirements(
            model=model, query=query, accelerators=accelerators, cals=cals
        )
        mem = {
            "weights_gib": memory.weights_gib,
            "kv_cache_gib": memory.kv_cache_gib,
            "overhead_gib": memory.overhead_bytes / GIB,
            "total_gib": memory.total_gib,
            "total_is_lower_bound": not memory.kv_known,
            "estimate": figure_data(memory_figure(memory, cals)),
        }
        body = {
            "model": model.repo_id,
            "precision": query.precision,
            "engine": memory.engine,
            "context_tokens": query.context_tokens,
            "batch": query.batch,
            "prompt_tokens": query.prompt,
            "output_tokens": query.output,
            "concurrency": query.concurrency,
            "weights_gib": memory.weights_gib,
            "kv_cache_gib": memory.kv_cache_gib,
            "overhead_gib": memory.overhead_bytes / GIB,
            "total_gib": memory.total_gib,
            "kv_known": memory.kv_known,
            "memory": mem,
            "accelerators": [cell_data(c) for c in cells],
        }
        return Response(RequirementsOut(body).data)
