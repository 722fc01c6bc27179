"""Deploy bundles (pure): engine commands pass the engines' own argument lists
(planner/deploy/engine_flags, extracted from the pinned sources) and carry the plan's
values; SkyPilot, compose and LiteLLM files parse and hold the same values."""

from __future__ import annotations

import ast
from dataclasses import replace

import pytest
import yaml

from planner.deploy import flags
from planner.deploy.api_files import endpoint_for, provider_model_id
from planner.deploy.bundle import build_bundle
from planner.deploy.engines import QUANTIZATION, UnsupportedPrecision, max_model_len
from planner.deploy.targets import ApiTarget, SelfHostTarget

CLOUD = SelfHostTarget(
    repo_id="meta-llama/Llama-3.1-70B-Instruct", model_name="Llama-3.1-70B-Instruct",
    kind="cloud", accelerator_slug="h100-sxm", accelerator_name="NVIDIA H100 SXM 80GB",
    accelerator_kind="datacenter", accelerator_vendor="nvidia", skypilot_accelerator="H100",
    count=4, precision="fp8", context_tokens=5100, max_num_seqs=16, replicas=2,
    model_context_tokens=131072, cloud="aws", region="us-east-1", instance="p5.48xlarge",
)  # fmt: skip
OWNED = replace(
    CLOUD, kind="owned", accelerator_slug="rtx-4090", accelerator_name="NVIDIA RTX 4090",
    accelerator_kind="consumer", skypilot_accelerator="RTX4090", count=1,
    precision="int4-awq", replicas=1, max_num_seqs=4, cloud="", region="", instance="",
)  # fmt: skip
APPLE = replace(
    OWNED, accelerator_slug="m3-max", accelerator_name="Apple M3 Max",
    accelerator_kind="apple", accelerator_vendor="apple", precision="bf16",
)  # fmt: skip
CPU = replace(OWNED, accelerator_kind="cpu", accelerator_vendor="intel", precision="int8")
API = ApiTarget(
    repo_id="meta-llama/Llama-3.1-8B-Instruct", model_name="Llama-3.1-8B-Instruct",
    provider_slug="together_ai", provider_name="Together AI",
    provider_model_id="meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
    base_url="https://api.together.xyz/v1", api_key_env="TOGETHER_API_KEY",
    litellm_provider="together_ai",
)  # fmt: skip


def parsed(engine: str, argv) -> tuple[flags.EngineFlags, flags.ParsedCommand]:
    spec = flags.load_engine_flags(engine)
    result = flags.parse_command(spec, argv if isinstance(argv, str) else list(argv))
    assert result.ok, result.problems
    return spec, result


@pytest.mark.parametrize("precision", sorted(QUANTIZATION))
@pytest.mark.parametrize("count", [1, 2, 4, 8])
def test_vllm_command_passes_vllms_argument_list_and_carries_the_plan(precision, count) -> None:
    target = replace(CLOUD, precision=precision, count=count)
    bundle = build_bundle(target)
    spec, cmd = parsed("vllm", bundle.command)
    value = lambda name: flags.flag_value(spec, cmd, name)  # noqa: E731
    assert bundle.engine == "vllm"
    assert cmd.positionals == [CLOUD.repo_id]
    assert int(value("--tensor-parallel-size")) == count  # TP = the plan's GPU count
    assert int(value("--max-model-len")) >= target.context_tokens
    assert int(value("--max-model-len")) <= target.model_context_tokens
    assert value("--quantization") == QUANTIZATION[precision]
    if precision == "bf16":
        assert value("--dtype") == "bfloat16"
    if precision == "fp16":  # the planner's 16-bit rows on GPUs without bfloat16
        assert value("--dtype") == "float16"
    assert float(value("--gpu-memory-utilization")) == target.gpu_memory_utilization
    assert int(value("--max-num-seqs")) == target.max_num_seqs
    assert bundle.values["tensor_parallel_size"] == count
    serve = bundle.file("serve.sh").content
    assert serve.startswith("#!/usr/bin/env bash")
    assert flags.parse_command(spec, serve.split("exec ", 1)[1].replace("\\\n", " ")).ok


def test_max_model_len_rounds_up_and_never_goes_below_the_plans_context() -> None:
    assert max_model_len(replace(CLOUD, context_tokens=1100)) == 2048
    assert max_model_len(replace(CLOUD, context_tokens=2048)) == 2048
    # the model's own limit caps the rounding when it still covers the plan
    assert max_model_len(replace(CLOUD, context_tokens=8000, model_context_tokens=8100)) == 8100
    short = replace(CLOUD, context_tokens=9000, model_context_tokens=8192)
    assert max_model_len(short) >= 9000
    assert any("above the model's limit" in n for n in build_bundle(short).notes)


def test_skypilot_task_holds_accelerator_cloud_region_spot_command_and_service() -> None:
    for spot in (False, True):
        bundle = build_bundle(replace(CLOUD, spot=spot))
        task = yaml.safe_load(bundle.file("sky.yaml").content)
        r = task["resources"]
        assert r["accelerators"] == "H100:4"
        assert (r["cloud"], r["region"], r["instance_type"]) == ("aws", "us-east-1", "p5.48xlarge")
        assert r["use_spot"] is spot
        assert r["ports"] == 8000
        assert task["service"]["replicas"] == 2
        assert task["service"]["readiness_probe"]["path"] == "/v1/models"
        parsed("vllm", task["run"].replace("\\\n", " ").split())
    owned = yaml.safe_load(build_bundle(OWNED).file("sky.yaml").content)
    assert owned["resources"]["infra"].startswith("ssh/")
    assert "cloud" not in owned["resources"]


def test_compose_serves_the_same_command_on_the_plans_gpus() -> None:
    bundle = build_bundle(CLOUD)
    doc = yaml.safe_load(bundle.file("compose.yaml").content)
    service = doc["services"]["vllm"]
    assert service["entrypoint"] + service["command"] == list(bundle.command)
    devices = service["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 4, "capabilities": ["gpu"]}]
    assert service["ports"] == ["8000:8000"]


def test_owned_gpu_rows_add_a_llama_server_alternative_with_layers_context_and_slots() -> None:
    bundle = build_bundle(OWNED)
    assert bundle.engine == "vllm"
    script = bundle.file("llama-server.sh").content
    spec, cmd = parsed("llama.cpp", script.split("exec ", 1)[1].replace("\\\n", " "))
    value = lambda name: flags.flag_value(spec, cmd, name)  # noqa: E731
    assert value("-ngl") == "999"
    assert int(value("--parallel")) == OWNED.max_num_seqs
    # llama-server splits -c between the slots: each slot holds the plan's context
    assert int(value("-c")) // int(value("--parallel")) >= OWNED.context_tokens
    assert value("-m").endswith("Q4_K_M.gguf")
    gguf = build_bundle(replace(OWNED, gguf_repo_id="bartowski/Llama-3.1-70B-Instruct-GGUF"))
    script = gguf.file("llama-server.sh").content
    assert "-hf bartowski/Llama-3.1-70B-Instruct-GGUF:Q4_K_M" in script


def test_cpu_hosts_run_llama_server_and_apple_runs_mlx_without_compose() -> None:
    cpu = build_bundle(CPU)
    spec, cmd = parsed("llama.cpp", cpu.command)
    assert cpu.engine == "llama.cpp"
    assert flags.flag_value(spec, cmd, "--n-gpu-layers") == "0"
    assert "gpu" not in cpu.file("compose.yaml").content.split("image:")[1].split("\n")[0]
    apple = build_bundle(APPLE)
    spec, cmd = parsed("mlx-lm", apple.command)
    assert apple.engine == "mlx-lm"
    assert flags.flag_value(spec, cmd, "--model") == APPLE.repo_id
    assert int(flags.flag_value(spec, cmd, "--decode-concurrency")) == APPLE.max_num_seqs
    assert apple.file("compose.yaml") is None


def test_quantized_variants_are_served_and_unknown_precisions_refused() -> None:
    bundle = build_bundle(replace(OWNED, weights_repo_id="hugging-quants/Llama-3.1-70B-AWQ"))
    assert bundle.command[2] == "hugging-quants/Llama-3.1-70B-AWQ"
    assert not any("AWQ needs" in n for n in bundle.notes)
    assert any("AWQ needs" in n for n in build_bundle(OWNED).notes)
    with pytest.raises(UnsupportedPrecision):
        build_bundle(replace(CLOUD, precision="q4_k_m"))


def test_api_bundle_has_a_litellm_entry_and_an_openai_snippet() -> None:
    bundle = build_bundle(API)
    config = yaml.safe_load(bundle.file("config.yaml").content)
    entry = config["model_list"][0]
    assert entry["model_name"] == "llama-3.1-8b-instruct"
    params = entry["litellm_params"]
    assert params["model"] == "together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"
    assert params["api_key"] == "os.environ/TOGETHER_API_KEY"
    snippet = bundle.file("client.py").content
    ast.parse(snippet)
    assert "base_url='https://api.together.xyz/v1'" in snippet
    assert "model='meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo'" in snippet
    compat = build_bundle(replace(API, litellm_provider="", base_url="https://x.example/v1"))
    params = yaml.safe_load(compat.file("config.yaml").content)["model_list"][0]["litellm_params"]
    assert params["model"].startswith("openai/")
    assert params["api_base"] == "https://x.example/v1"
    embed = build_bundle(replace(API, task="embeddings")).file("client.py").content
    assert "client.embeddings.create" in embed


def test_endpoints_cover_feed_slugs_and_strip_litellm_prefixes() -> None:
    for slug in ("together_ai", "togetherai", "together"):
        assert endpoint_for(slug).base_url == "https://api.together.xyz/v1"
    assert endpoint_for("openai").litellm_provider == "openai"
    fireworks = endpoint_for("fireworks_ai")
    assert fireworks.base_url.startswith("https://api.fireworks.ai/inference/v1")
    nebius = endpoint_for("nebius")  # from models.dev's provider `api` field
    assert nebius.base_url.startswith("https://")
    assert "models.dev" in nebius.source
    assert endpoint_for("no-such-provider") is None
    assert provider_model_id("together_ai/meta-llama/X", "together_ai") == "meta-llama/X"
    assert provider_model_id("gpt-4o-mini", "openai", "openai") == "gpt-4o-mini"


def test_gcp_attached_gpus_name_no_instance_type_and_old_gpus_warn_on_fp8() -> None:
    gcp = replace(CLOUD, cloud="gcp", region="us-central1", instance="gpu-attached")
    task = yaml.safe_load(build_bundle(gcp).file("sky.yaml").content)
    assert "instance_type" not in task["resources"]
    assert task["resources"]["cloud"] == "gcp"
    t4 = replace(gcp, accelerator_name="NVIDIA T4", accelerator_family="nvidia-turing")
    assert any("needs an Ampere or newer" in n for n in build_bundle(t4).notes)
    half = build_bundle(replace(t4, precision="bf16"))
    assert not any("Ampere" in n for n in half.notes)
    assert half.command[-2:] == ("--dtype", "float16")  # no bfloat16 before Ampere
