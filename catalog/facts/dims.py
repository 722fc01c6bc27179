"""Architecture dims as a catalog row shows them, and the dims llmfit or a reviewed
family config give (pure)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ..param_count import layer_kinds, layer_mixers


@dataclass(frozen=True, slots=True)
class Dims:
    """The architecture columns a row shows (all from one source)."""

    model_type: str = ""
    num_layers: int | None = None
    hidden_size: int | None = None
    num_heads: int | None = None
    num_kv_heads: int | None = None
    head_dim: int | None = None
    intermediate_size: int | None = None
    vocab_size: int | None = None
    context_tokens: int | None = None
    num_experts: int | None = None
    experts_per_token: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    sliding_window: int | None = None
    layer_kinds: tuple[str, ...] = ()
    attention_chunk_tokens: int | None = None


DIM_FIELDS = tuple(f.name for f in fields(Dims))


def dims_from_config(config: dict[str, Any]) -> Dims:
    mixers, window, chunk = layer_mixers(config)
    return Dims(
        model_type=str(config.get("model_type", "")),
        num_layers=config.get("num_hidden_layers"),
        hidden_size=config.get("hidden_size"),
        num_heads=config.get("num_attention_heads"),
        num_kv_heads=config.get("num_key_value_heads"),
        head_dim=config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"],
        intermediate_size=config.get("intermediate_size"),
        vocab_size=config.get("vocab_size"),
        context_tokens=config.get("max_position_embeddings"),
        sliding_window=window,
        layer_kinds=layer_kinds(mixers),
        attention_chunk_tokens=chunk,
    )


# Architectures whose configs define no sliding window, chunking or linear layers: every
# layer is full attention (MLA included), so llmfit's dims (which carry no window) give
# their layer kinds too. Others (Gemma, gpt-oss, Mistral v0.1, hybrids) stay unknown.
ALL_FULL_ATTENTION = frozenset(
    """llama qwen2 qwen2_moe qwen3 qwen3_moe mixtral deepseek_v2 deepseek_v3 kimi_k2 gpt2
    gpt_neox gptj opt bloom falcon phi internlm2 internlm3 olmo olmo2 olmo3 olmoe granite
    granitemoe cohere stablelm glm glm4 glm4_moe minimax_m2 ernie4_5 ernie4_5_moe exaone
    baichuan yi qwen""".split()  # noqa: SIM905
)


def llmfit_dims(llmfit: dict[str, Any]) -> Dims | None:
    dims = llmfit.get("dims")
    if not isinstance(dims, dict) or not dims.get("num_layers"):
        return None
    known = {k: v for k, v in dims.items() if k in DIM_FIELDS and k != "layer_kinds"}
    if known.get("model_type") in ALL_FULL_ATTENTION and isinstance(known["num_layers"], int):
        known["layer_kinds"] = ("full",) * known["num_layers"]
    return Dims(**known)


def has_dims(dims: Dims) -> bool:
    return bool(dims.num_layers)
