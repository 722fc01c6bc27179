"""A transformers `config.json` -> ModelDims (pure), for models the catalog lacks dims for.

Reads the text config (`text_config` of multimodal configs), the attention layout
(`layer_types`: "full_attention", "sliding_attention", "chunked_attention",
"linear_attention" / "mamba" / "conv"), MLA (`kv_lora_rank`, `qk_rope_head_dim`), MoE
(`num_experts` / `num_local_experts` / `n_routed_experts`, `num_experts_per_tok`) and
`tie_word_embeddings`. Parameter counts come from the caller (safetensors or a published
size): a config does not state them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchmarks.estimate.dims import ModelDims

_KINDS = {
    "full_attention": "full",
    "global": "full",
    "attention": "full",
    "sliding_attention": "sliding",
    "local": "sliding",
    "sliding_window": "sliding",
    "chunked_attention": "chunked",
    "linear_attention": "linear",
    "mamba": "linear",
    "conv": "linear",
    "recurrent": "linear",
    "ssm": "linear",
    "delta_net": "linear",
}


def _int(cfg: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def text_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    inner = config.get("text_config") or config.get("language_config") or config.get("llm_config")
    return inner if isinstance(inner, Mapping) else config


def layer_kinds_from_config(cfg: Mapping[str, Any], layers: int | None) -> tuple[str, ...]:
    types = cfg.get("layer_types")
    if isinstance(types, list) and types and all(isinstance(t, str) for t in types):
        kinds = tuple(_KINDS.get(t.lower(), "full") for t in types)
        return kinds if layers is None or len(kinds) == layers else ()
    pattern = cfg.get("hybrid_override_pattern")  # Nemotron-H: "M" mamba, "*" attention
    if isinstance(pattern, str) and pattern and layers and len(pattern) == layers:
        return tuple("full" if c == "*" else "linear" for c in pattern)
    return ()


def dims_from_config(
    config: Mapping[str, Any], *, params_total: int, params_active: int | None = None
) -> ModelDims:
    cfg = text_config(config)
    layers = _int(cfg, "num_hidden_layers", "n_layer", "num_layers")
    heads = _int(cfg, "num_attention_heads", "n_head")
    kinds = layer_kinds_from_config(cfg, layers)
    window = _int(cfg, "sliding_window") if kinds or cfg.get("use_sliding_window") else None
    if not kinds and window and cfg.get("use_sliding_window") is False:
        window = None
    tie = cfg.get("tie_word_embeddings", config.get("tie_word_embeddings"))
    experts = _int(cfg, "num_experts", "num_local_experts", "n_routed_experts")
    return ModelDims(
        params_total=params_total,
        params_active=params_active,
        num_layers=layers,
        hidden_size=_int(cfg, "hidden_size", "n_embd", "d_model"),
        num_heads=heads,
        num_kv_heads=_int(cfg, "num_key_value_heads", "num_kv_heads") or heads,
        head_dim=_int(cfg, "head_dim"),
        kv_lora_rank=_int(cfg, "kv_lora_rank"),
        qk_rope_head_dim=_int(cfg, "qk_rope_head_dim"),
        sliding_window=window,
        context_tokens=_int(cfg, "max_position_embeddings"),
        num_experts=experts if experts and experts > 1 else None,
        experts_per_token=_int(cfg, "num_experts_per_tok", "moe_topk", "top_k_experts"),
        vocab_size=_int(cfg, "vocab_size"),
        intermediate_size=_int(cfg, "intermediate_size") if not experts else None,
        layer_kinds=kinds,
        attention_chunk_tokens=_int(cfg, "attention_chunk_size"),
        tied_embeddings=tie if isinstance(tie, bool) else None,
        model_type=str(cfg.get("model_type") or config.get("model_type") or ""),
    )
