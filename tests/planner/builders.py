"""Small builders of planner engine records for tests (hand-checkable defaults)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from planner.records import ApiOffer, CandidateModel, SelfHostOption, Workload

TASK = "text-generation"


def make_workload(**kw: Any) -> Workload:
    base = Workload(task=TASK, requests_per_day=1000, avg_input_tokens=1000, avg_output_tokens=500)
    return replace(base, **kw)


def make_model(model_id: int, **kw: Any) -> CandidateModel:
    base = CandidateModel(
        id=model_id,
        repo_id=f"org/model-{model_id}",
        name=f"Model {model_id}",
        task=TASK,
        open_weights=True,
        license="apache-2.0",
        commercial_ok=True,
        context_tokens=32768,
        languages=("en",),
        params_total=8_000_000_000,
        params_active=8_000_000_000,
        downloads=1000,
        likes=10,
        quality_index=60.0,
        quality_sources=("lmarena",),
    )
    return replace(base, **kw)


def make_offer(offer_id: int, model_id: int, **kw: Any) -> ApiOffer:
    base = ApiOffer(
        id=offer_id,
        model_id=model_id,
        provider_slug=f"provider-{offer_id}",
        provider_name=f"Provider {offer_id}",
        usd_per_mtok_input=0.5,
        usd_per_mtok_output=1.5,
    )
    return replace(base, **kw)


def make_option(model_id: int, **kw: Any) -> SelfHostOption:
    """Cloud H100 by default: 1200 decode tok/s total, 40 tok/s per stream, $2/hour."""
    base = SelfHostOption(
        model_id=model_id,
        accelerator_slug="h100-sxm",
        accelerator_name="H100 SXM",
        count=1,
        precision="bf16",
        memory_total_gib=80.0,
        fits=True,
        decode_tokens_per_s_total=1200.0,
        stream_tokens_per_s=40.0,
        ttft_s=0.2,
        throughput_source="estimated",
        hourly_usd=2.0,
        owned=False,
        cloud="aws",
        region="us-east-1",
        instance="p5.xlarge",
    )
    return replace(base, **kw)


def make_4090(model_id: int, **kw: Any) -> SelfHostOption:
    """An owned RTX 4090 at int4: power 0.45 kW × $0.15/kWh = $0.0675/hour."""
    return make_option(
        model_id,
        accelerator_slug="rtx-4090",
        accelerator_name="RTX 4090",
        precision="int4",
        memory_total_gib=24.0,
        hourly_usd=0.45 * 0.15,
        owned=True,
        cloud="",
        region="",
        instance="",
        **kw,
    )
