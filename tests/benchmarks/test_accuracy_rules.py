"""The rules bench/estimate_accuracy.py reads benchmark rows with (no database).

Each snippet is a real command line or note from the scored rows
(../shared/hardware/llmfit/benchmark_cache.json), shortened.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench.estimate_accuracy_cache import _end_to_end
from bench.estimate_accuracy_flags import cpu_moe_layers, parallel_slots, speculation
from bench.estimate_accuracy_memory import flat_series, memory_class, utilization
from bench.estimate_accuracy_predict import resolve_end_to_end


@pytest.mark.parametrize(
    ("snippet", "model", "flags", "expected"),
    [
        ("llama-server --spec-type mtp --spec-draft-n-max 1 -ngl 99 MTP enabled with "
         "--spec-draft-n-max 1. Acceptance rate 87.18%.", "unsloth/Qwen3.6-35B-A3B-MTP-GGUF",
         {"specDecoding": True}, ("mtp", 1, 0.8718)),
        ("llama-server --spec-type draft-mtp --spec-draft-n-max 3 Draft acceptance rate "
         "0.58244, 325 accepted / 558 generated.", "unsloth/Qwen3.6-27B-MTP-GGUF", {},
         ("mtp", 3, 0.58244)),
        ("vllm serve Qwen3.6-35B-A3B --speculative-config '{\"method\":\"dflash\","
         "\"num_speculative_tokens\":4}'", "Qwen/Qwen3.6-35B-A3B", {"specDecoding": True},
         ("dflash", 4, None)),
        ("vllm serve gemma --speculative-config '{\"model\": \"/opt/models/gemma-4-26B-A4B-it-"
         "eagle3\", \"num_speculative_tokens\": 3}'", "google/gemma-4-26B-A4B-it", {},
         ("eagle", 3, None)),
        ("llama-server -m gemma-4-12B-it-qat-UD-Q4_K_XL.gguf -md mtp-gemma-4-12B-it.gguf "
         "--spec-type draft-mtp --spec-draft-n-max 4 MTP spec decode, 46% draft acceptance.",
         "unsloth/gemma-4-12B-it-qat-GGUF", {"specDecoding": True}, ("mtp", 4, 0.46)),
        ("llama-server ... MTP active: 66/64 draft acceptance (97%)", "x", {"specDecoding": True},
         ("mtp", None, 0.97)),
    ],
)  # fmt: skip
def test_speculative_runs_are_read_off_the_command_and_notes(snippet, model, flags, expected):
    found = speculation(snippet, model, flags)
    assert (found.method, found.draft_tokens, found.accepted_ratio) == expected


def test_plain_decoding_is_not_speculative_whatever_the_file_is_named():
    plain = "llama-bench -m Qwen3.6-35B-A3B-APEX-MTP-I-Mini.gguf -p 512"
    assert speculation(plain, "x", {}) is None
    baseline = "./dflash_spec_demo --target q.mq4 --draft d.hf4 --ar-baseline"
    assert speculation(baseline, "x", {"specDecoding": True}) is None


def test_server_flags():
    assert parallel_slots("llama-server -m m.gguf -c 512 -np 64 -t 8") == 64
    assert parallel_slots("llama-bench -m m.gguf") is None
    assert cpu_moe_layers("llama-server -ngl 99 --n-cpu-moe 26 -c 150000") == 26
    assert utilization("vllm serve m --gpu-memory-utilization 0.940 --x", 0.9) == 0.94
    assert utilization("vllm serve m", 0.9) == 0.9


def test_readings_the_notes_call_whole_machine_are_classified():
    assert memory_class("Total usage with everything (model + OS): ~15.2GB VRAM")
    assert memory_class("Windows eats 2Gb Vram on default")
    assert not memory_class("Peak VRAM and max sampled GPU power recorded during the run")


def _res(key, reading, predicted):
    row = SimpleNamespace(key=key, memory=reading, model="m", count=2, precision="q4_k_m",
                          accel=SimpleNamespace(slug="rtx-3060-12gb"),
                          extra={"submitter": "s"})  # fmt: skip
    return {"row": row, "memory": predicted}


def test_a_flat_series_whose_allocation_moves_is_not_the_process_peak():
    # llama-bench -p 512 … 16384: the KV cache the series allocates grows 30x, reading stays
    flat = [_res("a", 6.1, 1.0), _res("b", 6.1, 1.4), _res("c", 6.1, 1.8)]
    assert flat_series(flat) == {"a", "b", "c"}
    moving = [_res("a", 6.1, 1.0), _res("b", 7.0, 1.4), _res("c", 8.2, 1.8)]
    assert flat_series(moving) == set()


def test_a_decode_figure_is_end_to_end_only_where_the_row_or_the_physics_says_so():
    # tokSTotal = tokSOut × (P + O) / O with a TTFT that the decode reading does not fit
    assert _end_to_end(60.0, 60.0 * 1280 / 256, 3000.0, 1024, 256) is True
    # with a TTFT that fits the decode reading: (P + O) / (TTFT + O / out)
    assert _end_to_end(100.0, 1280 / (0.5 + 2.56), 500.0, 1024, 256) is False
    # the relation without a TTFT: the leaderboard fills tokSTotal that way (None: undecided)
    assert _end_to_end(88.0, 34503.3, None, 50054, 128) is None
    assert _end_to_end(88.0, 99.0, None, 50054, 128) is False


def _e2e_row(measured, prompt):
    from bench.estimate_accuracy_rows import Row
    from benchmarks.estimate import AcceleratorSpec, ModelDims

    rtx5090 = AcceleratorSpec("rtx-5090", "RTX 5090", 32, 1792, 209.5, 419, 838, 575,
                              "consumer", "nvidia", "nvidia-blackwell")  # fmt: skip
    dims = ModelDims(params_total=27_000_000_000, num_layers=64, hidden_size=5120,
                     num_heads=24, num_kv_heads=4, head_dim=256)  # fmt: skip
    return Row("bench-cache", "k", "RTX 5090", rtx5090, 1, "vllm", "nvfp4", "m", dims, prompt,
               128, prompt + 128, decode=measured, e2e=True,
               extra={"e2e_unstated": True})  # fmt: skip


def test_an_undecided_figure_above_the_end_to_end_roofline_is_the_decode_rate():
    # 27B, 60k-token prompt on one RTX 5090: the prefill alone takes > 7 s at peak FLOP/s
    decode = _e2e_row(76.6, 60054)
    resolve_end_to_end(decode)
    assert decode.e2e is False
    # 5 tok/s over the same prompt is possible end to end: kept as stated
    e2e = _e2e_row(5.0, 60054)
    resolve_end_to_end(e2e)
    assert e2e.e2e is True
