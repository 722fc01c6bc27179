"""Self-hosting beyond text generation (issue 18 §6), pure, no database: the diffusion,
speech and embedding speed formulas (benchmarks.estimate.media), the image / speech
option table (planner.engine.options.media_table), per-second billing (costs, columns,
breakeven) and the figures a row shows in the task's unit."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.estimate import media
from benchmarks.estimate.memory import AcceleratorSpec
from planner.engine import breakeven, monthly_selfhost_cost, rank
from planner.engine.columns import SelfHostTable
from planner.engine.costs import per_second_usd, sizing_of
from planner.engine.options import Host, HostPrice, MediaModel, media_table, with_per_second
from planner.records import (
    BILLING_PER_SECOND,
    Assumptions,
    Budget,
    CandidateModel,
    Constraints,
    HardwareChoice,
    SelfHostOption,
    Workload,
)
from tests.planner.builders import make_offer

H100 = AcceleratorSpec(
    "h100-sxm", "H100", 80, 3350, 989, kind="datacenter", vendor="nvidia", family="nvidia-hopper"
)
A100 = AcceleratorSpec(
    "a100-sxm-80gb", "A100 80GB", 80, 2039, 312, vendor="nvidia", family="nvidia-ampere"
)
V100 = AcceleratorSpec("v100", "V100", 16, 900, 125, vendor="nvidia", family="nvidia-volta")
P100 = AcceleratorSpec("p100", "P100", 16, 732, 18.7, vendor="nvidia", family="nvidia-pascal")


def test_diffusion_flops_follow_two_flops_per_param_per_latent_token() -> None:
    # a 20B DiT at 1024², 50 steps with guidance: "roughly 17,200 TFLOPs" per image (the
    # cited explainer); the denoiser alone gives 2 × 20e9 × 4096 × 50 × 2
    qwen = media.Pipeline("dit", 20e9, 20e9, 50, 2)
    assert media.diffusion_image_flops(qwen) == pytest.approx(16_384e12)
    flux = media.pipeline_for("black-forest-labs/FLUX.1-dev", 0)
    assert media.diffusion_step_flops(flux) == 2 * 12e9 * 4096
    # a UNet's parameters see the deepest level: (1024/32)² tokens
    sdxl = media.pipeline_for("stabilityai/stable-diffusion-xl-base-1.0", 0)
    assert media.latent_tokens("unet", 1024) == 1024
    seconds = media.diffusion_seconds_per_image(sdxl, 989)
    assert seconds == pytest.approx(50 * 2 * 2 * 2.6e9 * 1024 / (989e12 * media.DIFFUSION_MFU))
    # unknown repos: a DiT of the whole parameter count, 28 steps with guidance
    other = media.pipeline_for("someone/new-model", 3e9)
    assert (other.kind, other.steps, other.passes, other.denoiser_params) == ("dit", 28, 2, 3e9)
    assert "derived" in other.source


def test_asr_uses_the_boards_rtfx_on_its_card_and_scales_it_elsewhere() -> None:
    rate, source = media.asr_audio_seconds_per_s(
        params=1.55e9, tflops=312, count=2, rtfx=145.0, accelerator_slug="a100-sxm-80gb"
    )
    assert rate == 290.0
    assert source.startswith("measured: Open ASR")
    rate, source = media.asr_audio_seconds_per_s(
        params=1.55e9, tflops=989, rtfx=145.0, accelerator_slug="h100-sxm"
    )
    assert rate == pytest.approx(145.0 * 989 / 312)
    assert "scaled" in source
    assert "uncalibrated" in source
    rate, source = media.asr_audio_seconds_per_s(params=1.55e9, tflops=312)
    assert rate == pytest.approx(312e12 * media.ASR_MFU / (2 * 1.55e9 * 50))
    assert source.startswith("estimated from size")


def test_encoder_tokens_per_s_is_the_host_grids_prefill_rate() -> None:
    assert media.encoder_tokens_per_s(568e6, 989, 1, 0.5) == pytest.approx(
        989e12 * 0.5 / (2 * 568e6)
    )


def _prices(*specs: tuple[AcceleratorSpec, int, float]) -> tuple[list[Host], list[HostPrice]]:
    hosts = [Host(spec, n) for spec, n, _ in specs]
    prices = [HostPrice(s.slug, s.name, "aws", "us", "i", usd) for s, _, usd in specs]
    return hosts, prices


def test_media_table_fits_copies_at_16_bits_and_skips_what_cannot_serve() -> None:
    hosts, prices = _prices((H100, 1, 3.0), (V100, 2, 3.0), (P100, 1, 1.0))
    flux = MediaModel(1, "black-forest-labs/FLUX.1-schnell", 12e9)
    sd = MediaModel(2, "stabilityai/stable-diffusion-xl-base-1.0", 3.5e9)
    table, unsupported = media_table(
        "text-to-image", [flux, sd], hosts, prices, units_per_request=1, peak_concurrency=1
    )
    rows = list(table)
    # FLUX (16.9B params, ~38 GiB at 16 bits) fits the H100 only; SDXL fits both; P100
    # (Pascal) has no 16-bit tensor cores in the support table
    assert {(o.model_id, o.accelerator_slug) for o in rows} == {
        (1, "h100-sxm"), (2, "h100-sxm"), (2, "v100"),
    }  # fmt: skip
    assert unsupported == 2
    by = {(o.model_id, o.accelerator_slug): o for o in rows}
    assert by[(2, "v100")].precision == "fp16"  # bf16 needs compute capability 8.0
    assert by[(2, "h100-sxm")].precision == "bf16"
    v100 = by[(2, "v100")]
    one = 1 / media.diffusion_seconds_per_image(media.pipeline_for(sd.repo_id, 0), 125)
    assert v100.decode_tokens_per_s_total == pytest.approx(2 * one)  # two copies
    assert v100.stream_tokens_per_s == pytest.approx(one)
    assert v100.engine == "diffusers"
    assert "uncalibrated" in v100.throughput_source


def test_per_second_rows_copy_the_rented_options_and_cost_the_same_in_columns() -> None:
    hosts, prices = _prices((H100, 1, 3.0))
    prices.append(HostPrice("h100-sxm", "H100", owned=True, hourly_usd=0.2))
    hosts.append(Host(H100, 1))
    table, _ = media_table(
        "text-to-image", [MediaModel(1, "black-forest-labs/FLUX.1-schnell", 12e9)], hosts,
        prices, units_per_request=2, peak_concurrency=1,
    )  # fmt: skip
    both = with_per_second(table)
    assert len(both) == 3  # the owned option is not billed per second
    assert [o.per_second for o in both] == [False, False, True]
    workload = Workload(task="text-to-image", requests_per_month=5000, images_per_request=2)
    assumptions = Assumptions()
    option = both[2]
    cost = monthly_selfhost_cost(workload, option, assumptions)
    seconds = 2 / option.decode_tokens_per_s_total
    startup = 30 * 300.0
    assert cost.monthly_usd == (5000 * seconds + startup) * 3.0 / 3600
    column = per_second_usd(
        both.decode_tokens_per_s_total[2:], both.prefill_tokens_per_s[2:], both.hourly_usd[2:],
        sizing_of(workload, assumptions),
    )  # fmt: skip
    assert column[0] == cost.monthly_usd  # bit-identical
    always = monthly_selfhost_cost(workload, both[0], assumptions)
    assert always.monthly_usd == 3.0 * 720  # always-on: every hour of the month


def test_rank_prices_per_second_rows_with_the_cost_engine_and_names_the_unit() -> None:
    hosts, prices = _prices((H100, 1, 3.0))
    table, _ = media_table(
        "text-to-image", [MediaModel(1, "black-forest-labs/FLUX.1-schnell", 12e9)], hosts,
        prices, units_per_request=1, peak_concurrency=1,
    )  # fmt: skip
    options = with_per_second(table)
    workload = Workload(task="text-to-image", requests_per_month=10_000, images_per_request=1)
    model = CandidateModel(1, "black-forest-labs/FLUX.1-schnell", "FLUX", "text-to-image")
    offer = make_offer(1, 1, usd_per_mtok_input=None, usd_per_mtok_output=None)
    offer = replace(offer, usd_per_image=0.003)
    result = rank(workload, Budget(), HardwareChoice(), Constraints(), [model], [offer], options)
    own = [r for r in result.rows if r.deployment.kind == "cloud"]
    assert {r.deployment.billing for r in own} == {"always-on", BILLING_PER_SECOND}
    for row in own:
        option = next(o for o in options if o.per_second == (row.deployment.billing != "always-on"))
        assert row.monthly_usd == monthly_selfhost_cost(workload, option).monthly_usd
        assert row.selfhost.unit == "image"
        assert row.selfhost.usd_per_unit == pytest.approx(row.monthly_usd / 10_000)
        assert row.selfhost.units_per_s == option.decode_tokens_per_s_total


def test_per_second_breakeven_is_the_start_ups_over_the_saving_per_request() -> None:
    option = SelfHostOption(
        model_id=1, accelerator_slug="h100", accelerator_name="H100", count=1,
        precision="bf16", memory_total_gib=80, fits=True, decode_tokens_per_s_total=0.5,
        stream_tokens_per_s=0.5, ttft_s=2.0, throughput_source="estimated", hourly_usd=3.6,
        per_second=True,
    )  # fmt: skip
    workload = Workload(task="text-to-image", requests_per_month=10_000, images_per_request=1)
    offer = replace(make_offer(1, 1), usd_per_image=0.01)
    even = breakeven(workload, offer, option)
    own = 2.0 * 3.6 / 3600  # two seconds per image at $3.60/hour
    fixed = 30 * 300 * 3.6 / 3600
    assert even.breakeven_requests_per_month == pytest.approx(fixed / (0.01 - own))
    assert "per second of use" in even.explanation
    point = even.points[0]
    assert point.selfhost_usd == pytest.approx(fixed + own * point.requests_per_month)
    dear = breakeven(workload, replace(offer, usd_per_image=0.001), option)
    assert dear.breakeven_requests_per_month is None
    assert "never" in dear.explanation


def test_columns_keep_per_option_sources_and_billing() -> None:
    hosts, prices = _prices((A100, 1, 2.0), (H100, 1, 3.0))
    models = [MediaModel(1, "openai/whisper-large-v3", 1.55e9, 145.0), MediaModel(2, "x/y", 1e9)]
    table, _ = media_table(
        "speech-to-text", models, hosts, prices, units_per_request=60, peak_concurrency=4
    )
    got = {(o.model_id, o.accelerator_slug): o for o in with_per_second(table) if o.per_second}
    assert got[(1, "a100-sxm-80gb")].throughput_source.startswith("measured: Open ASR")
    assert got[(1, "a100-sxm-80gb")].decode_tokens_per_s_total == 145.0
    assert got[(1, "a100-sxm-80gb")].stream_tokens_per_s == 145.0 / 4  # a batch of 4
    assert "scaled" in got[(1, "h100-sxm")].throughput_source
    assert got[(2, "h100-sxm")].throughput_source.startswith("estimated from size")
    assert got[(1, "a100-sxm-80gb")].engine == "Transformers"
    # the table round-trips through records
    again = SelfHostTable.from_options(list(with_per_second(table)))
    assert again.per_second is not None
    assert int(np.count_nonzero(again.per_second)) == len(table)
    assert not math.isnan(float(again.decode_tokens_per_s_total.sum()))
