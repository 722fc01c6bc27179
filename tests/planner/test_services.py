"""plan_run / plan_create on a small database built with the real loaders."""

from __future__ import annotations

import pytest

from planner.answers import inputs_from_answers
from planner.codec import inputs_from_data, result_from_data
from planner.models import Plan
from planner.records import MODE_API, MODE_OWNED, PlanInputs
from planner.selectors import commercial_ok
from planner.services import PlanInvalid, plan_create, plan_inputs_build, plan_run
from tests.planner.db import make_hub_model, make_world

pytestmark = pytest.mark.django_db


def inputs(**answers) -> PlanInputs:
    base = {
        "task": "chat", "requests_per_day": "10000", "avg_input_tokens": "800",
        "avg_output_tokens": "300", "budget_monthly_usd": "1000", "peak_concurrency": "8",
    }  # fmt: skip
    parsed = inputs_from_answers({**base, **answers})
    assert parsed.errors == {}
    return parsed.inputs


def test_cheapest_good_answer_is_an_api_offer() -> None:
    world = make_world()
    result = plan_run(inputs=inputs(modes=["api", "cloud"]))
    top = result.rows[0]
    assert top.model_id == world["mini"].id
    assert top.deployment.kind == MODE_API
    # 10k/day × 30 days × (800 × $0.15 + 300 × $0.60) / 1e6 = $90.00
    assert top.monthly_usd == pytest.approx(90.0)
    assert top.within_budget
    assert top.quality.kind == "quality_index"


def test_owned_rtx_4090_wins_for_open_weights() -> None:
    world = make_world()
    result = plan_run(  # "@0": already paid for
        inputs=inputs(modes=["owned", "cloud"], owned="rtx-4090:1@0", open_weights_only="1")
    )
    top = result.rows[0]
    assert top.model_id == world["small"].id
    assert top.deployment.kind == MODE_OWNED
    assert top.deployment.accelerator_slug == "rtx-4090"
    # power only: 450 W × 0.8 utilization / 1000 × $0.15/kWh × 720 h = $38.88
    assert top.monthly_usd == pytest.approx(38.88)
    # one precision per model × host: the widest one that needs the fewest instances
    owned_rows = [r for r in result.rows if r.deployment.kind == MODE_OWNED]
    assert [r.deployment.precision for r in owned_rows] == ["bf16"]


def test_owned_hardware_without_a_price_amortises_its_list_price_and_says_so() -> None:
    world = make_world()
    result = plan_run(inputs=inputs(modes=["owned"], owned="rtx-4090:1", open_weights_only="1"))
    top = result.rows[0]
    assert (top.model_id, top.deployment.kind) == (world["small"].id, MODE_OWNED)
    # power $38.88 + the RTX 4090's $1,599 launch price over 36 months of 720 h
    assert top.monthly_usd == pytest.approx(38.88 + 1599 / 36)
    note = " ".join(top.assumptions)
    assert "$1,599 per accelerator, list price, Epoch AI" in note
    assert "2022-09-20" in note
    # an entered price wins over the list price
    result = plan_run(
        inputs=inputs(modes=["owned"], owned="rtx-4090:1@1800", open_weights_only="1")
    )
    assert result.rows[0].monthly_usd == pytest.approx(38.88 + 1800 / 36)
    assert "$1,800 per accelerator, entered" in " ".join(result.rows[0].assumptions)


def test_nothing_within_budget_says_so() -> None:
    make_world()
    result = plan_run(inputs=inputs(budget_monthly_usd="1"))
    assert result.nothing_within_budget
    assert "Nothing fits the $1.00/month budget" in result.message
    assert not any(r.within_budget for r in result.rows)


def test_focus_model_restricts_candidates_to_its_family() -> None:
    world = make_world()
    result = plan_run(inputs=inputs(model=world["small"].repo_id, modes=["api", "cloud"]))
    assert {r.model_id for r in result.rows} == {world["small"].id}


def test_cloud_prices_keep_the_cheapest_region_per_shape() -> None:
    make_world()
    built = plan_inputs_build(inputs=inputs(modes=["cloud"]))
    p5 = {(o.cloud, o.region) for o in built.options if o.count == 8}
    assert p5 == {("aws", "us-east-1")}


def test_estimated_options_use_four_precisions_and_fit_in_memory() -> None:
    world = make_world()
    built = plan_inputs_build(inputs=inputs(modes=["cloud"], peak_concurrency="1"))
    large_on_h100 = [
        o for o in built.options if o.model_id == world["large"].id and o.count == 1
        and o.accelerator_slug == "h100-sxm"
    ]  # fmt: skip
    # 70B at bf16 (≈139 GiB) does not fit one H100; fp8 (≈70 GiB) fits but decodes
    # ≈33 tok/s, so 10k requests/day × 300 tokens need 2 instances; int4 needs 1
    assert [o.precision for o in large_on_h100] == ["int4-awq"]
    assert all(o.memory_needed_gib <= o.memory_total_gib for o in built.options)


def test_invalid_inputs_raise_with_field_messages() -> None:
    bad = inputs_from_answers({"task": "chat", "requests_per_day": "-5"}).inputs
    with pytest.raises(PlanInvalid) as err:
        plan_run(inputs=bad)
    assert err.value.fields == {"workload.requests_per_day": "Cannot be negative."}


def test_plan_create_saves_inputs_result_and_breakeven() -> None:
    world = make_world()
    plan = plan_create(inputs=inputs(modes=["api", "cloud"], model=world["small"].repo_id))
    saved = Plan.objects.get(slug=plan.slug)
    assert inputs_from_data(saved.inputs).constraints.focus_repo_id == world["small"].repo_id
    assert result_from_data(saved.result).rows
    even = saved.result["breakeven"]
    assert even is not None
    assert even["model_id"] == world["small"].id
    assert len(even["points"]) == 25


def test_query_count_of_plan_run_does_not_grow_with_the_catalog(
    django_assert_num_queries,
) -> None:
    make_world()
    chosen = inputs(modes=["api", "owned", "cloud"], owned="rtx-4090:1")
    # top 2 = the 2 models with the best quality index: 4 catalog reads (top ids with a
    # quality index, their rows, offers, the priced models outside the top), the
    # calibration set's state, trusted runs, accelerators (owned and cloud), cloud
    # instance prices (the calibration set is rebuilt once after runs change: +1, warmed
    # here; the offers' price rows are read once per offer and kept, pricing.offer_pricing)
    plan_run(inputs=chosen, max_models=2)
    with django_assert_num_queries(8):
        small = plan_run(inputs=chosen, max_models=2)
    for i in range(30):
        make_hub_model(f"more/model-{i}", quality=20 + i)
    make_world_extra()
    # + the new offers' price rows and (their records state none) summary columns
    with django_assert_num_queries(8 + 2):
        large = plan_run(inputs=chosen, max_models=2)
    assert large.candidates > small.candidates
    # top 300: the models without an index are read too (top ids without one), but every
    # priced model is in the top, so no read of the priced models outside it
    with django_assert_num_queries(8):
        plan_run(inputs=chosen)


def make_world_extra() -> None:
    from tests.planner.db import load_gpu_prices, load_offers, token_offer

    load_offers(
        [token_offer("fireworks", f"more/model-{i}", "0.1", "0.1", hub_repo_id=f"more/model-{i}",
                     open_weights=True) for i in range(30)],
        feed="openrouter",
    )  # fmt: skip
    load_gpu_prices([("gcp", f"r-{i}", "a2-highgpu-1g", "A100", 1, "3.67") for i in range(10)])


@pytest.mark.parametrize(
    ("license", "open_weights", "expected"),
    [("apache-2.0", True, True), ("cc-by-nc-4.0", True, False), ("other", True, None),
     ("", False, True), ("llama3.1", True, True)],
)  # fmt: skip
def test_commercial_use_comes_from_the_license_allowlist(license, open_weights, expected):
    assert commercial_ok(license=license, open_weights=open_weights) is expected


def test_image_task_prices_api_offers_per_image() -> None:
    from decimal import Decimal

    from catalog.models import Task
    from pricing.feeds.base import OfferRecord
    from tests.planner.db import load_offers

    make_world()
    Task.objects.create(slug="text-to-image", name="Text to image")
    load_offers([
        OfferRecord(provider="openai", model_name="dall-e-3", unit="image",
                    mode="image_generation", organization_hint="openai",
                    usd_per_image=Decimal("0.04")),
    ])  # fmt: skip
    parsed = inputs_from_answers(
        {"task": "text-to-image", "requests_per_day": "1000", "budget_monthly_usd": "5000"}
    )
    result = plan_run(inputs=parsed.inputs)
    top = result.rows[0]
    assert top.repo_id == "openai/dall-e-3"
    # 1000/day × 30 × 1 image × $0.04 = $1,200
    assert top.monthly_usd == pytest.approx(1200.0)


def _measured_8b_on_rtx_4090(world: dict):
    """A trusted vLLM run of the 8B at bf16 on one RTX 4090: 30 ms per output token per
    stream at 8 streams, 300 ms TTFT."""
    from benchmarks.models import Accelerator
    from benchmarks.services.runs import benchmark_run_record
    from tests.benchmarks.builders import make_record

    record = make_record(
        precision="bf16", concurrency=8, tpot_ms=30.0, decode_tokens_per_s=270.0,
        ttft_ms=300.0, prefill_tokens_per_s=None,
    )  # fmt: skip
    rtx = Accelerator.objects.get(slug="rtx-4090")
    run, _ = benchmark_run_record(
        model=world["small"], accelerator=rtx, record=record, source="vllm"
    )
    return run


def test_trusted_measured_run_overrides_the_estimate() -> None:
    world = make_world()
    run = _measured_8b_on_rtx_4090(world)
    assert not run.flagged
    built = plan_inputs_build(
        inputs=inputs(modes=["owned"], owned="rtx-4090:1", peak_concurrency="8")
    )
    option = next(
        o for o in built.options
        if o.model_id == world["small"].id and o.accelerator_slug == "rtx-4090"
    )  # fmt: skip
    assert (option.precision, option.throughput_source) == ("bf16", "measured")
    assert option.stream_tokens_per_s == pytest.approx(1000 / 30)
    assert option.ttft_s == pytest.approx(0.3)


def test_run_facts_reads_the_same_runs_for_thousands_of_candidates() -> None:
    """Beyond IN_LIST_MAX candidate ids the trusted runs are filtered in Python (no
    10k-parameter IN list): the same measured figures as the IN list."""
    from planner.selectors.hardware import IN_LIST_MAX, run_facts

    world = make_world()
    _measured_8b_on_rtx_4090(world)
    few = run_facts(model_ids=[world["small"].id])
    others = range(10**9, 10**9 + IN_LIST_MAX + 5)  # no such models
    many = run_facts(model_ids=[*others, world["small"].id])
    assert few.measured
    assert many.measured == few.measured
    assert not run_facts(model_ids=list(others)).measured


def test_a_plan_lists_at_most_three_deployments_of_one_model() -> None:
    from collections import Counter

    from planner.services import ROWS_PER_MODEL

    make_world()
    result = plan_run(inputs=inputs(modes=["api", "owned", "cloud"], owned="rtx-4090:4"))
    per_model = Counter(r.model_id for r in result.rows)
    assert max(per_model.values()) == ROWS_PER_MODEL == 3
    assert result.candidates > len(result.rows)


def test_one_gpu_shape_on_several_clouds_is_estimated_once_and_priced_per_cloud() -> None:
    from tests.planner.db import load_gpu_prices

    world = make_world()
    load_gpu_prices([("aws", "us-east-1", "p5.h100", "H100", 1, "4.00"),
                     ("lambda", "us-tx", "gpu_1x_h100_sxm5", "H100", 1, "2.50")])  # fmt: skip
    built = plan_inputs_build(inputs=inputs(modes=["cloud"]))
    h100 = [
        o for o in built.options
        if o.model_id == world["small"].id and o.accelerator_slug == "h100-sxm" and o.count == 1
    ]  # fmt: skip
    by_cloud = {o.cloud: o for o in h100}
    assert {"aws", "lambda"} <= set(by_cloud)
    aws, lam = by_cloud["aws"], by_cloud["lambda"]
    assert (aws.hourly_usd, lam.hourly_usd) == (4.0, 2.5)
    assert aws.precision == lam.precision
    assert aws.decode_tokens_per_s_total == lam.decode_tokens_per_s_total
    assert aws.ttft_s == lam.ttft_s


def test_a_pre_quantized_checkpoint_is_planned_only_in_its_own_format() -> None:
    world = make_world()
    # the same architecture as the 8B, stored as AWQ (name) and as FP8 (config)
    awq = make_hub_model("someone/Llama-3.1-8B-Instruct-AWQ", quality=50, downloads=1)
    fp8 = make_hub_model(
        "nvidia/Llama-3.1-8B-Instruct-FP8", quality=50, downloads=1, quant_method="fp8"
    )
    built = plan_inputs_build(
        inputs=inputs(modes=["owned"], owned="rtx-4090:1@0", open_weights_only="1")
    )
    options = list(built.options)
    precisions = {
        m.id: {o.precision for o in options if o.model_id == m.id}
        for m in (world["small"], awq, fp8)
    }
    assert precisions[awq.id] == {"int4-awq"}
    assert precisions[fp8.id] == {"fp8"}
    # the original is a candidate of its own (not dominated by its quantized copies)
    assert precisions[world["small"].id] == {"bf16"}
    assert built.not_stored > 0


def test_breakeven_adds_buy_vs_rent_when_the_plan_has_owned_and_rented_rows() -> None:
    from dataclasses import replace

    from planner.engine import monthly_selfhost_cost
    from planner.services import plan_run_breakeven

    world = make_world()
    plan_inputs = inputs(
        modes=["api", "owned", "cloud"], owned="h100-sxm:1", open_weights_only="1",
        model=world["small"].repo_id,
    )  # fmt: skip
    result, even = plan_run_breakeven(inputs=plan_inputs)
    assert even is not None
    assert even.points
    kinds = {r.deployment.kind for r in result.rows}
    assert {"owned", "cloud"} <= kinds
    # the other kind of self-hosting, priced by the one self-host cost function per volume
    assert even.alt_label.endswith(("owned", "rented"))
    assert len(even.alt_usd) == len(even.points)
    assert even.buy_vs_rent.startswith("Buying")
    assert all(v > 0 for v in even.alt_usd)
    assert list(even.alt_usd) != [p.selfhost_usd for p in even.points]
    # each value is the one self-host cost function at that point's volume
    built = plan_inputs_build(inputs=plan_inputs)
    label = even.alt_label
    alt = next(
        o for o in built.options
        if label.startswith(f"{o.count}× {o.accelerator_name} ({o.precision})")
        and o.owned == label.endswith("owned") and not o.per_second
    )  # fmt: skip
    for point, value in zip(even.points, even.alt_usd, strict=True):
        at = replace(plan_inputs.workload, requests_per_month=point.requests_per_month)
        assert value == monthly_selfhost_cost(at, alt).monthly_usd
