"""Estimate a dense transformer's parameter count from its config dims (pure).

Most Hub listings carry no safetensors metadata, so the catalog would know the size
of only a few models. For dense decoder (and encoder) transformers the count follows
from config.json:

    attention per layer = hidden × heads × head_dim          (q)
                        + 2 × hidden × kv_heads × head_dim   (k, v; GQA via kv_heads)
                        + heads × head_dim × hidden          (o)
    MLP per layer       = m × hidden × intermediate          (m = 3 gated: gate/up/down,
                                                              m = 2 plain: up/down)
    embeddings          = vocab × hidden × (1 if tied else 2)
    total               = layers × (attention + MLP) + embeddings

Norms and biases (< 0.1 %) are left out. Checked against published totals:
Llama-3.1-8B → 8.03 B (tied=False), Qwen2.5-7B → 7.6 B, Mistral-7B → 7.2 B.
Mixture-of-experts models are NOT estimated (expert width is not in the catalog):
the function returns None for them, as for any model with missing dims.
"""

from __future__ import annotations

from dataclasses import dataclass

# model_type values whose MLP is gated (SwiGLU/GeGLU: three matrices).
GATED_MLP_TYPES = frozenset(
    {
        "llama",
        "mistral",
        "qwen2",
        "qwen3",
        "gemma",
        "gemma2",
        "gemma3",
        "gemma3_text",
        "phi3",
        "olmo",
        "olmo2",
        "mimo",
        "granite",
        "internlm2",
        "cohere",
        "exaone",
        "smollm3",
    }
)
# Types that tie input and output embeddings by default.
TIED_EMBEDDING_TYPES = frozenset({"gemma", "gemma2", "gemma3", "gemma3_text", "gpt2", "bert"})
PLAIN_MLP_TYPES = frozenset({"gpt2", "bert", "roberta", "starcoder2", "gpt_neox", "falcon"})


@dataclass(frozen=True, slots=True)
class DenseDims:
    model_type: str
    num_layers: int | None
    hidden_size: int | None
    num_heads: int | None
    num_kv_heads: int | None
    head_dim: int | None
    intermediate_size: int | None
    vocab_size: int | None
    num_experts: int | None = None
    tied_embeddings: bool | None = None  # None: by model type


def estimate_dense_params(dims: DenseDims) -> int | None:
    """Total parameters of a dense transformer from its dims (formula in the docstring)."""
    if dims.num_experts and dims.num_experts > 1:
        return None
    gated = dims.model_type in GATED_MLP_TYPES
    if not gated and dims.model_type not in PLAIN_MLP_TYPES:
        return None
    needed = (
        dims.num_layers,
        dims.hidden_size,
        dims.num_heads,
        dims.intermediate_size,
        dims.vocab_size,
    )
    if any(not v or v <= 0 for v in needed):
        return None
    hidden = dims.hidden_size
    heads = dims.num_heads
    head_dim = dims.head_dim or hidden // heads
    kv_heads = dims.num_kv_heads or heads
    attention = 2 * hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim
    mlp = (3 if gated else 2) * hidden * dims.intermediate_size
    tied = (
        dims.tied_embeddings
        if dims.tied_embeddings is not None
        else dims.model_type in TIED_EMBEDDING_TYPES
    )
    embeddings = dims.vocab_size * hidden * (1 if tied else 2)
    return dims.num_layers * (attention + mlp) + embeddings
