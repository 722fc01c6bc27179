"""planner.deploy.flags: engine command lines checked against the argument lists extracted
from the engines' sources (vLLM, llama.cpp's llama-server, mlx_lm.server). Pure."""

from __future__ import annotations

import json
import re

import pytest

from planner.deploy.flags import (
    DATA_DIR,
    ENGINES,
    EngineFlagsError,
    engine_flags_from_data,
    flag_value,
    load_engine_flags,
    parse_command,
    validate_command,
)

VLLM = (
    "vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size 4 "
    "--max-model-len 32k --quantization fp8 --gpu-memory-utilization 0.9 "
    "--max-num-seqs 64 --enable-prefix-caching --no-enable-log-requests --port 8000"
)
LLAMA = (
    "llama-server -m /models/llama-3.1-8b-instruct-q4_k_m.gguf -ngl 99 -c 16384 -np 4 "
    "--cont-batching --no-webui --host 0.0.0.0 --port 8080 -fa on"
)
MLX = "mlx_lm.server --model mlx-community/Llama-3.2-3B-Instruct-4bit --port 8080 --log-level INFO"


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_every_argument_list_cites_its_source_commit_and_has_unique_names(engine: str) -> None:
    data = json.loads((DATA_DIR / ENGINES[engine]).read_text())
    assert data["source"]["files"]
    for f in data["source"]["files"]:
        assert re.fullmatch(r"[0-9a-f]{40}", f["commit"]), f
    spec = load_engine_flags(engine)
    names = [n for f in spec.flags for n in (*f.names, *f.negations)]
    assert len(names) == len(set(names))
    assert len(spec.flags) >= 20


@pytest.mark.parametrize(
    ("engine", "command"), [("vllm", VLLM), ("llama.cpp", LLAMA), ("mlx-lm", MLX)]
)
def test_a_typical_serve_command_is_accepted(engine: str, command: str) -> None:
    assert validate_command(engine, command) == []


def test_values_can_be_checked_against_the_plan() -> None:
    spec = load_engine_flags("vllm")
    parsed = parse_command(spec, VLLM)
    assert parsed.positionals == ["meta-llama/Llama-3.1-70B-Instruct"]
    assert flag_value(spec, parsed, "-tp") == "4"  # = the plan's GPU count
    assert flag_value(spec, parsed, "--quantization") == "fp8"  # = the plan's precision
    assert flag_value(spec, parsed, "--enable-prefix-caching") is True
    assert flag_value(spec, parsed, "--enable-log-requests") is False
    llama = load_engine_flags("llama.cpp")
    parsed = parse_command(llama, LLAMA)
    assert flag_value(llama, parsed, "--n-gpu-layers") == "99"
    assert flag_value(llama, parsed, "--parallel") == "4"


@pytest.mark.parametrize(
    ("engine", "command", "message"),
    [
        ("vllm", "vllm serve m --tensor-paralel-size 2", "did you mean --tensor-parallel-size"),
        ("vllm", "vllm serve m --tensor-parallel-size two", "not an integer"),
        ("vllm", "vllm serve m --max-model-len 8q", "not an integer (1k"),
        ("vllm", "vllm serve m --gpu-memory-utilization lots", "not a number"),
        ("vllm", "vllm serve m --enforce-eager=yes", "takes no value"),
        ("vllm", "vllm serve m --speculative-config {bad", "not valid JSON"),
        ("vllm", "vllm serve m --uvicorn-log-level loud", "not one of"),
        ("vllm", "vllm serve m --port", "needs 1 value"),
        ("vllm", "python serve.py --port 1", "not a `vllm serve` command"),
        ("llama.cpp", "llama-server -m x.gguf --ctx-size=4096", "does not accept --flag=value"),
        ("llama.cpp", "llama-server -m x.gguf -fa maybe", "not one of"),
        ("llama.cpp", "llama-server -m x.gguf -p hello", "unknown flag -p"),  # not a server flag
        ("llama.cpp", "llama-server -m x.gguf extra", "unexpected argument"),
        ("mlx-lm", "mlx_lm.server --log-level LOUD", "not one of"),
    ],
)  # fmt: skip
def test_bad_commands_name_the_problem(engine: str, command: str, message: str) -> None:
    problems = validate_command(engine, command)
    assert problems, command
    assert message in problems[0].message


@pytest.mark.parametrize(
    ("engine", "command"),
    [
        ("vllm", "vllm serve m --max_model_len 4096"),  # `_` becomes `-` (FlexibleArgumentParser)
        ("vllm", "vllm serve m --max-model-len=4096 -O '{\"level\": 3}'"),
        ("vllm", "vllm serve m --served-model-name a b --api-key k1 k2"),  # lists
        ("vllm", "vllm serve m --hf-token --seed -1"),  # optional value; negative number value
        ("llama.cpp", "llama-server -m x.gguf --n_gpu_layers 10 --lora-scaled a.gguf 0.5"),
        ("llama.cpp", "llama-server -hf unsloth/phi-4-GGUF:q4_k_m -ctk q8_0 --no-mmap"),
        ("mlx-lm", "mlx_lm.server --model m --trust-remote-code --temp 0.7"),
    ],
)
def test_the_engines_own_syntax_is_accepted(engine: str, command: str) -> None:
    assert validate_command(engine, command) == []


def test_a_malformed_argument_list_is_refused() -> None:
    bad = {"engine": "x", "command": ["x"], "positional": [], "source": {"files": []},
           "flags": [{"names": ["--a"], "value": "blob"}]}  # fmt: skip
    with pytest.raises(EngineFlagsError):
        engine_flags_from_data(bad)
    with pytest.raises(EngineFlagsError):
        load_engine_flags("tgi")
