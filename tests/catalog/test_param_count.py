"""Parameter counts and layer kinds from config.json (pure), checked against the known
totals of every model in ../shared/hub/configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.param_count import count_params, layer_kinds, layer_mixers, text_config

# fixtures/known_param_totals.json: total, active, active convention, source. Totals are Hub
# safetensors totals where one is on record (../shared/hub/model-info, or llmfit's
# hf_models.json, scraped from the Hub API), else the model card's figure.
# Published "active" counts follow the vendor's convention:
#   all: both embedding matrices count (Qwen, Mistral, Meta, DeepSeek-V3, Kimi, Gemma);
#   no_input_embedding: the input embedding (a lookup) does not (OpenAI's gpt-oss card
#       table: embed + unembed 1.16B total, 0.58B active); GLM-5 and DeepSeek-V2-Lite
#       state no convention, their figures match this one;
#   no_embeddings: neither (MiniMax states no convention; its figure matches this one).
# The catalog stores "all" (catalog.param_count.decoder); the test converts.
KNOWN = {
    row["repo"]: row
    for row in json.loads(
        (Path(__file__).parent / "fixtures" / "known_param_totals.json").read_text()
    )
}


def _configs(shared: Path) -> dict[str, dict]:
    return {
        path.stem.replace("--", "/", 1): json.loads(path.read_text())
        for path in sorted((shared / "hub" / "configs").glob("*--*.json"))
    }


def _active_in(convention: str, active: int, config: dict) -> float:
    cfg = text_config(config)
    embedding = cfg["vocab_size"] * cfg["hidden_size"]
    tied = cfg.get("tie_word_embeddings") is True
    if convention == "no_input_embedding" and not tied:
        return active - embedding
    if convention == "no_embeddings":
        return active - embedding * (1 if tied else 2)
    return active


@pytest.mark.shared
def test_config_totals_match_every_known_total(shared_dir: Path) -> None:
    configs = _configs(shared_dir)
    assert set(KNOWN) <= set(configs)
    off = []
    for repo, config in configs.items():
        if repo not in KNOWN:
            continue
        total, active = KNOWN[repo]["total"], KNOWN[repo].get("active")
        convention = KNOWN[repo].get("active_convention", "")
        count = count_params(config)
        assert count is not None, repo
        if abs(count.total - total) / total > 0.02:
            off.append(f"{repo}: total {count.total:,} vs {total:,.0f}")
        if active is not None:
            assert count.active is not None, repo
            ours = _active_in(convention, count.active, config)
            if abs(ours - active) / active > 0.03:
                off.append(f"{repo}: active {ours:,.0f} vs {active:,.0f}")
    assert not off, "\n".join(off)


@pytest.mark.shared
def test_every_moe_config_gets_a_total_and_an_active_count(shared_dir: Path) -> None:
    from catalog.hub_parse import parse_config

    moe = 0
    for repo, config in _configs(shared_dir).items():
        dims = parse_config(config)
        if dims.num_experts:
            moe += 1
            assert dims.params_total, repo
            assert dims.params_active, repo
            assert dims.params_active < dims.params_total, repo
    assert moe >= 14


LLAMA_3_1_8B = {
    "model_type": "llama",
    "num_hidden_layers": 32,
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "intermediate_size": 14336,
    "vocab_size": 128256,
    "tie_word_embeddings": False,
}


@pytest.mark.parametrize(
    ("config", "total"),
    [
        (LLAMA_3_1_8B, 8_030_261_248),
        # Llama-3.2-1B ties its embeddings: counted once (the Hub's 1,235,814,400)
        (
            {**LLAMA_3_1_8B, "num_hidden_layers": 16, "hidden_size": 2048, "head_dim": 64,
             "intermediate_size": 8192, "tie_word_embeddings": True},
            1_235_814_400,
        ),
        # BERT-base with pooler: bert-base-uncased's 109,482,240 (without its MLM head)
        (
            {"model_type": "bert", "num_hidden_layers": 12, "hidden_size": 768,
             "num_attention_heads": 12, "intermediate_size": 3072, "vocab_size": 30522},
            109_482_240,
        ),
    ],
)  # fmt: skip
def test_counts_of_small_configs(config: dict, total: int) -> None:
    count = count_params(config)
    assert count is not None
    assert count.total == total
    assert count.active is None


@pytest.mark.parametrize(
    "config",
    [
        {"model_type": "some-new-arch", "num_hidden_layers": 2, "hidden_act": "relu"},
        {**LLAMA_3_1_8B, "num_hidden_layers": None},
        {"model_type": "llava", "text_config": LLAMA_3_1_8B, "vision_config": {"foo": 1}},
        [],
    ],
)
def test_unknown_architectures_or_missing_dims_give_no_count(config: object) -> None:
    assert count_params(config) is None


def _kinds(config: dict) -> tuple[tuple[str, ...], int | None, int | None]:
    mixers, window, chunk = layer_mixers(text_config(config))
    return layer_kinds(mixers), window, chunk


MISTRAL_V01 = {
    "model_type": "mistral",
    "num_hidden_layers": 32,
    "sliding_window": 4096,
    "max_position_embeddings": 32768,
}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (MISTRAL_V01, (("sliding",) * 32, 4096, None)),
        ({**MISTRAL_V01, "sliding_window": None}, (("full",) * 32, None, None)),
        # Phi-3.5's window covers the whole context: full attention
        ({**MISTRAL_V01, "model_type": "phi3", "sliding_window": 262144,
          "max_position_embeddings": 131072}, (("full",) * 32, None, None)),
        ({"model_type": "gemma2", "num_hidden_layers": 4, "sliding_window": 4096},
         (("sliding", "full") * 2, 4096, None)),
        ({"model_type": "gemma3_text", "num_hidden_layers": 12, "sliding_window": 512,
          "sliding_window_pattern": 6},
         ((("sliding",) * 5 + ("full",)) * 2, 512, None)),
        ({"model_type": "gpt_oss", "num_hidden_layers": 4, "sliding_window": 128,
          "layer_types": ["sliding_attention", "full_attention"] * 2},
         (("sliding", "full") * 2, 128, None)),
        # Llama 4: chunked attention, every 4th layer global (NoPE)
        ({"model_type": "llama4", "text_config": {"model_type": "llama4_text",
          "num_hidden_layers": 8, "attention_chunk_size": 8192}},
         ((("chunked",) * 3 + ("full",)) * 2, None, 8192)),
        ({"model_type": "qwen3_next", "num_hidden_layers": 8, "full_attention_interval": 4},
         ((("linear",) * 3 + ("full",)) * 2, None, None)),
        ({"model_type": "qwen3_next", "num_hidden_layers": 2,
          "layer_types": ["linear_attention", "full_attention"]}, (("linear", "full"), None, None)),
        ({"model_type": "lfm2", "num_hidden_layers": 4, "full_attn_idxs": [1, 3]},
         (("linear", "full") * 2, None, None)),
        ({"model_type": "lfm2", "num_hidden_layers": 3,
          "layer_types": ["conv", "conv", "full_attention"]},
         (("linear", "linear", "full"), None, None)),
        ({"model_type": "nemotron_h", "num_hidden_layers": 4, "hybrid_override_pattern": "M-M*"},
         (("linear", "linear", "linear", "full"), None, None)),
        ({"model_type": "deepseek_v3", "num_hidden_layers": 3, "kv_lora_rank": 512},
         (("full",) * 3, None, None)),
        ({"model_type": "qwen3", "num_hidden_layers": 3, "sliding_window": 4096,
          "use_sliding_window": False}, (("full",) * 3, None, None)),
        ({"model_type": "llama"}, ((), None, None)),
    ],
)  # fmt: skip
def test_layer_kinds(config: dict, expected: tuple) -> None:
    assert _kinds(config) == expected


@pytest.mark.shared
@pytest.mark.parametrize(
    ("repo", "counts", "window"),
    [
        ("google/gemma-2-9b", {"sliding": 21, "full": 21}, 4096),
        ("google/gemma-3-1b-it", {"sliding": 22, "full": 4}, 512),
        ("openai/gpt-oss-120b", {"sliding": 18, "full": 18}, 128),
        ("bigcode/starcoder2-7b", {"sliding": 32}, 4096),
        ("nvidia/Nemotron-H-56B-Base-8K", {"linear": 108, "full": 10}, None),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", {"chunked": 36, "full": 12}, None),
        ("deepseek-ai/DeepSeek-V3", {"full": 61}, None),
    ],
)
def test_layer_kinds_of_real_configs(shared_dir: Path, repo: str, counts: dict, window) -> None:
    kinds, found_window, _chunk = _kinds(_configs(shared_dir)[repo])
    assert {k: kinds.count(k) for k in set(kinds)} == counts
    assert found_window == window
