"""Pure parsing of a Hub config.json into architecture dims (no Django, no I/O).

    dims = parse_config(config_json_dict)                  # -> ArchDims
    active = estimate_active_params(params_total=..., dims=dims)

`parse_config` raises `HubFormatError` only when the document is not an object.
The parameter count and the kind of each layer come from `catalog.param_count`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .param_count import count_params, layer_kinds, layer_mixers
from .param_count.config import LAYER_KEYS, as_int, first_int, text_config


class HubFormatError(ValueError):
    """A Hub document that cannot be read as a model / config at all."""


@dataclass(frozen=True, slots=True)
class ArchDims:
    """Architecture dimensions read from config.json (or a diffusers model_index.json)."""

    model_type: str = ""
    architectures: tuple[str, ...] = ()
    num_layers: int | None = None
    hidden_size: int | None = None
    num_heads: int | None = None
    num_kv_heads: int | None = None
    head_dim: int | None = None
    intermediate_size: int | None = None
    moe_intermediate_size: int | None = None
    vocab_size: int | None = None
    context_tokens: int | None = None
    num_experts: int | None = None
    experts_per_token: int | None = None
    num_dense_layers: int = 0  # leading dense layers of a MoE (first_k_dense_replace)
    num_extra_moe_layers: int = 0  # multi-token-prediction layers stored with the weights
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    sliding_window: int | None = None  # window of the "sliding" layers
    dtype: str = ""
    # One of "full", "sliding", "chunked", "linear" per layer (empty: layer count unknown).
    layer_kinds: tuple[str, ...] = ()
    attention_chunk_tokens: int | None = None  # Llama 4's chunked-attention layers
    quant_method: str = ""  # quantization_config.quant_method: awq, gptq, fp8, mxfp4 ...
    # catalog.param_count from the whole config (None: architecture not counted).
    params_total: int | None = None
    params_active: int | None = None


def _str(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def quant_method_of(config: Any) -> str:
    """quantization_config.quant_method of a config (or of the Hub's reduced `config`)."""
    if not isinstance(config, dict):
        return ""
    quant = config.get("quantization_config")
    if not isinstance(quant, dict) and isinstance(config.get("text_config"), dict):
        quant = config["text_config"].get("quantization_config")
    if not isinstance(quant, dict):
        return ""
    method = _str(quant.get("quant_method")) or (
        "bitsandbytes" if quant.get("load_in_4bit") else ""
    )
    return method.lower()[:40]


def parse_config(data: Any) -> ArchDims:
    """config.json (or diffusers model_index.json) -> ArchDims.

    Naming variants: layers num_hidden_layers / n_layer / num_layers / decoder_layers
    (Whisper, BART); hidden hidden_size / n_embd / d_model; heads num_attention_heads /
    n_head / decoder_attention_heads; intermediate intermediate_size / n_inner / d_ff /
    ffn_dim / decoder_ffn_dim; context max_position_embeddings / n_positions / max_seq_len /
    seq_length / max_target_positions. VLMs and CLIP keep the language model in
    `text_config`, read when the top level has no layer count. head_dim is explicit or
    hidden / heads; kv heads default to heads (no GQA). Layer kinds, window and chunk:
    catalog.param_count.layer_mixers; parameters: catalog.param_count.count_params.
    """
    if not isinstance(data, dict):
        raise HubFormatError(f"config is a {type(data).__name__}, not an object")
    if "_class_name" in data and "_diffusers_version" in data:
        cls = _str(data.get("_class_name"))
        return ArchDims(model_type="diffusers", architectures=(cls,) if cls else ())
    archs_raw = data.get("architectures")
    archs = tuple(a for a in archs_raw if isinstance(a, str)) if isinstance(archs_raw, list) else ()
    model_type = _str(data.get("model_type"))
    cfg = text_config(data)
    layers = first_int(cfg, *LAYER_KEYS)
    hidden = first_int(cfg, "hidden_size", "n_embd", "d_model", "dim", "model_dim")
    heads = first_int(
        cfg, "num_attention_heads", "n_head", "n_heads", "num_heads", "decoder_attention_heads"
    )
    kv_heads = first_int(cfg, "num_key_value_heads", "num_kv_heads", "n_kv_heads")
    if cfg.get("multi_query") is True:  # GPT-BigCode style MQA
        kv_heads = 1
    if kv_heads is None:
        kv_heads = heads
    head_dim = first_int(cfg, "head_dim", "d_kv", "attention_head_dim")
    nope, rope = as_int(cfg.get("qk_nope_head_dim")), as_int(cfg.get("qk_rope_head_dim"))
    if head_dim is None and nope and rope:  # MLA: the query/key head is nope + rope wide
        head_dim = nope + rope
    if head_dim is None and hidden and heads:
        head_dim = hidden // heads
    experts = first_int(
        cfg, "num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"
    )
    per_token = first_int(
        cfg, "num_experts_per_tok", "num_experts_per_token", "top_k_experts", "moe_top_k",
        "experts_per_token",
    )  # fmt: skip
    if not experts or experts <= 1:
        experts = per_token = None
    mixers, window, chunk = layer_mixers(cfg)
    count = count_params(data)
    return ArchDims(
        model_type=model_type or _str(cfg.get("model_type")),
        architectures=archs,
        num_layers=layers,
        hidden_size=hidden,
        num_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        intermediate_size=first_int(
            cfg, "intermediate_size", "n_inner", "d_ff", "ffn_dim", "decoder_ffn_dim"
        ),
        moe_intermediate_size=first_int(cfg, "moe_intermediate_size", "expert_intermediate_size"),
        vocab_size=first_int(cfg, "vocab_size", "padded_vocab_size"),
        context_tokens=first_int(
            cfg,
            "max_position_embeddings",
            "n_positions",
            "max_seq_len",
            "max_sequence_length",
            "seq_length",
            "n_ctx",
            "max_target_positions",
        ),
        num_experts=experts,
        experts_per_token=per_token,
        num_dense_layers=(as_int(cfg.get("first_k_dense_replace")) or 0) if experts else 0,
        num_extra_moe_layers=(as_int(cfg.get("num_nextn_predict_layers")) or 0) if experts else 0,
        kv_lora_rank=as_int(cfg.get("kv_lora_rank")),
        qk_rope_head_dim=as_int(cfg.get("qk_rope_head_dim")),
        sliding_window=window,
        dtype=_str(cfg.get("torch_dtype") or cfg.get("dtype")),
        layer_kinds=layer_kinds(mixers),
        attention_chunk_tokens=chunk,
        quant_method=quant_method_of(data),
        params_total=count.total if count else None,
        params_active=count.active if count else None,
    )


def estimate_active_params(*, params_total: int | None, dims: ArchDims) -> int | None:
    """Parameters used per token by a mixture-of-experts model (None for dense or unknown).

    With a config count: active = params_total − (config total − config active), the
    idle routed experts and MTP modules counted exactly by catalog.param_count. Else
    active = total − L_moe × (E − k) × 3 × H × I_e
    where E experts, k experts per token, H hidden size, I_e the expert FFN width
    (moe_intermediate_size, else intermediate_size as in Mixtral), 3 matrices per gated
    FFN expert (gate, up, down) and L_moe = layers − leading dense layers + MTP layers
    stored in the checkpoint. Router, attention, embeddings and shared experts stay
    active. Checks: Mixtral-8x7B 46.7B -> 12.9B, Qwen3-30B-A3B 30.5B -> 3.3B.
    """
    if not params_total or not dims.num_experts or not dims.experts_per_token:
        return None
    if dims.params_total and dims.params_active:
        active = params_total - (dims.params_total - dims.params_active)
        return active if 0 < active <= params_total else None
    width = dims.moe_intermediate_size or dims.intermediate_size
    if not (dims.num_layers and dims.hidden_size and width):
        return None
    moe_layers = dims.num_layers - dims.num_dense_layers + dims.num_extra_moe_layers
    idle = dims.num_experts - dims.experts_per_token
    if moe_layers <= 0 or idle <= 0:
        return None
    active = params_total - moe_layers * idle * 3 * dims.hidden_size * width
    return active if 0 < active <= params_total else None
