"""Model dimensions, how a format's bytes split over a model's tensors, and the KV cache (pure).

Weights (bytes) = Σ over tensor classes of params × bits / 8 (formats.py):
- embedding and LM head: vocab × hidden each (one table when the model ties them);
- routed experts (MoE): with T total and A active parameters, E experts of which k are
  used per token, one expert holds e = (T − A) / (E − k) parameters, so experts = E × e
  and the dense rest (attention, shared experts, router) = A − k × e;
- per-layer embeddings (Gemma 3n / Gemma 4 "E" models: one table per layer, looked up a
  row per token, not streamed) and multimodal towers (not run for text): for those model
  types, whatever the parameters exceed the text decoder (blocks + one tied table) by,
  when that is over a tenth of the total (Gemma 4 E2B: 5.1B total, ~1.6B read per token);
- repeating: everything else.
Bytes read per decoded token = dense rest + the experts touched + the LM head; with b
sequences in a step each layer touches E × (1 − (1 − k/E)^b) distinct experts.

KV cache bytes for one sequence of n tokens = Σ over layers of tokens held × bytes per
token of that layer, per the layer's attention kind (`layer_kinds`, one per layer):
- "full": n tokens; "sliding": min(n, sliding_window); "chunked": min(n, chunk) (Llama 4
  local layers); "linear": none (state-space / linear attention layers keep a fixed state,
  counted as 0 growing bytes);
- bytes per token of a layer = 2 × kv_heads × head_dim × bytes per element (K and V;
  GQA through kv_heads), or (kv_lora_rank + qk_rope_head_dim) × bytes for MLA (DeepSeek).
Without `layer_kinds`, every layer is "full", or "sliding" for `sliding_window_layers`
of them when a window is set. Without the dims that give bytes per token (layers, heads)
the KV cache is unknown: `kv_cache_bytes` returns None, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.estimate.formats import Precision, precision_get

GIB = 2**30
LAYER_KINDS = ("full", "sliding", "chunked", "linear")
# Experts and top-k assumed for a MoE model whose config is unknown (Qwen3 MoE, gemma-4
# 26B-A4B and Nemotron 3 route 128 experts, 6-8 per token).
DEFAULT_ROUTING = (128, 8)
# KV cache element types: bits per element (llama.cpp -ctk/-ctv types use ggml block sizes).
KV_BITS = {
    "bf16": 16.0,
    "fp16": 16.0,
    "f16": 16.0,
    "fp32": 32.0,
    "f32": 32.0,
    "fp8": 8.0,
    "fp8_e4m3": 8.0,
    "fp8_e5m2": 8.0,
    "q8_0": 8.5,
    "q5_1": 6.0,
    "q5_0": 5.5,
    "q4_1": 5.0,
    "q4_0": 4.5,
    "iq4_nl": 4.5,
    "auto": 16.0,
}


def kv_bits(name: str | None) -> float:
    """Bits per KV element for a cache type name (16 for unknown or "auto")."""
    return KV_BITS.get((name or "bf16").strip().lower(), 16.0)


@dataclass(frozen=True, slots=True)
class ModelDims:
    params_total: int
    params_active: int | None = None  # MoE: parameters used per token
    num_layers: int | None = None
    hidden_size: int | None = None
    num_heads: int | None = None
    num_kv_heads: int | None = None  # GQA; None = num_heads
    head_dim: int | None = None  # None = hidden_size / num_heads
    kv_lora_rank: int | None = None  # MLA
    qk_rope_head_dim: int | None = None
    sliding_window: int | None = None
    context_tokens: int | None = None  # the model's maximum context
    num_experts: int | None = None
    experts_per_token: int | None = None
    sliding_window_layers: int | None = None  # without layer_kinds: layers using the window
    vocab_size: int | None = None
    intermediate_size: int | None = None
    layer_kinds: tuple[str, ...] = ()
    attention_chunk_tokens: int | None = None
    tied_embeddings: bool | None = None  # None: judged from the dims (weight_split)
    model_type: str = ""  # config model_type: picks a default layer layout (layer_kinds_of)

    @property
    def active(self) -> int:
        return self.params_active or self.params_total

    @property
    def routing(self) -> tuple[int, int]:
        """(routed experts, experts per token); (0, 0) for a dense model. A model known to be
        MoE only by its active parameter count (or without its top-k) gets DEFAULT_ROUTING's
        values, which matter only for how many distinct experts a batch touches."""
        e, k = self.num_experts or 0, self.experts_per_token or 0
        if e > k > 0:
            return e, k
        if e > 1:
            return e, max(1, min(DEFAULT_ROUTING[1], e // 4))
        if self.params_active and self.params_active < self.params_total:
            return DEFAULT_ROUTING
        return 0, 0

    @property
    def is_moe(self) -> bool:
        return self.routing[0] > 1

    @property
    def resolved_head_dim(self) -> int | None:
        if self.head_dim:
            return self.head_dim
        if self.hidden_size and self.num_heads:
            return self.hidden_size // self.num_heads
        return None


# Architectures whose config counts every mixer as a layer (Nemotron-H: a Mamba-2, MLP, MoE or
# attention block each, hybrid_override_pattern above) rather than attention + FFN per layer:
# two of their layers launch what one transformer layer does, so the per-layer costs (τ, the
# tensor-parallel all-reduces) count num_layers / 2 (speed.overhead_layers).
ONE_MIXER_PER_LAYER_TYPES = ("nemotron_h",)

PER_LAYER_EMBEDDING_TYPES = ("gemma3n", "gemma3n_text", "gemma4", "gemma4_text")


@dataclass(frozen=True, slots=True)
class WeightSplit:
    """Parameters per tensor class (module docstring)."""

    embedding: float
    output: float  # 0 when tied to the embedding (the head then reads the embedding)
    experts: float
    expert_size: float  # one routed expert (all layers)
    repeating: float
    tied: bool
    lookup: float = 0.0  # resident, not streamed per token (per-layer embeddings, towers)

    @property
    def head(self) -> float:
        """Parameters of the LM head matrix read per token."""
        return self.embedding if self.tied else self.output


def _layer_params(dims: ModelDims) -> float | None:
    """Dense attention + gated FFN parameters of all blocks, from the config's dims."""
    head_dim = dims.resolved_head_dim
    if not (dims.num_layers and dims.hidden_size and dims.num_heads and head_dim):
        return None
    if not dims.intermediate_size or dims.is_moe:
        return None
    q = dims.num_heads * head_dim
    kv = (dims.num_kv_heads or dims.num_heads) * head_dim
    attn = dims.hidden_size * (q + 2 * kv) + q * dims.hidden_size
    return dims.num_layers * (attn + 3 * dims.hidden_size * dims.intermediate_size)


def weight_split(dims: ModelDims) -> WeightSplit:
    """Split params_total over embedding, LM head, routed experts and the rest.

    Tied or not: `tied_embeddings` when known; else, for dense models whose config gives
    the FFN size, whichever of 1 or 2 vocab × hidden tables the parameters left after the
    blocks are closer to; else tied below 4B parameters (Llama 3.2 1B/3B, Qwen 0.5–4B,
    Gemma tie; the 7B+ models of those families do not)."""
    total = float(dims.params_total)
    table = (
        float(dims.vocab_size * dims.hidden_size) if dims.vocab_size and dims.hidden_size else 0.0
    )
    table = min(table, total / 2)
    tied = dims.tied_embeddings
    blocks = _layer_params(dims) if table else None
    lookup = 0.0
    if dims.model_type in PER_LAYER_EMBEDDING_TYPES and blocks is not None:
        extra = total - blocks - table
        if extra > 0.1 * total:
            lookup, tied = extra, True
    if tied is None and table:
        if blocks is not None:
            rest = total - blocks
            tied = abs(rest - table) <= abs(rest - 2 * table)
        else:
            tied = total < 4e9
    tied = bool(tied)
    output = 0.0 if tied else table
    experts = expert = 0.0
    e_total, k = dims.routing
    if e_total > k > 0 and dims.params_active and dims.params_active < total:
        expert = (total - dims.params_active) / (e_total - k)
        experts = expert * e_total
    repeating = max(total - table - output - experts - lookup, 0.0)
    return WeightSplit(table, output, experts, expert, repeating, tied, lookup)


@dataclass(frozen=True, slots=True)
class WeightBytes:
    total: float  # resident bytes
    read_per_token: float  # bytes one decoded token reads (batch 1)
    dense: float  # repeating-layer bytes (read every step)
    head: float  # LM head bytes (read every step)
    expert_bytes: float  # one routed expert, all layers
    num_experts: int
    experts_per_token: int


def weight_bytes(dims: ModelDims, precision: str | Precision) -> WeightBytes:
    """Resident and per-token bytes of a model's weights in a format (module docstring)."""
    prec = precision if isinstance(precision, Precision) else precision_get(precision)
    split = weight_split(dims)
    emb = split.embedding * prec.embedding_bits / 8
    if split.tied:
        # One table serves both: formats that store the head wider keep it at that width.
        emb = split.embedding * max(prec.embedding_bits, prec.output_bits) / 8
        head = emb
        out = 0.0
    else:
        out = split.output * prec.output_bits / 8
        head = out
    dense = split.repeating * prec.bits_per_weight / 8
    expert = split.expert_size * prec.expert_bits / 8
    experts = split.experts * prec.expert_bits / 8
    e_total, k = dims.routing if split.experts else (0, 0)
    read = dense + head + expert * k
    return WeightBytes(
        total=emb + out + dense + experts + split.lookup * prec.embedding_bits / 8,
        read_per_token=read,
        dense=dense,
        head=head,
        expert_bytes=expert,
        num_experts=e_total,
        experts_per_token=k,
    )


def expert_bytes_read(weights: WeightBytes, batch: int) -> float:
    """Routed-expert bytes one step of `batch` sequences reads (distinct experts touched)."""
    e, k = weights.num_experts, weights.experts_per_token
    if not (weights.expert_bytes and e > k > 0):
        return 0.0
    touched = e * (1 - (1 - k / e) ** max(batch, 1))
    return weights.expert_bytes * touched


def kv_bytes_per_token_layer(dims: ModelDims, kv_bytes: float) -> float | None:
    """KV bytes one token adds in one attention layer, or None when the dims lack it."""
    if dims.kv_lora_rank:
        return (dims.kv_lora_rank + (dims.qk_rope_head_dim or 0)) * kv_bytes
    head_dim = dims.resolved_head_dim
    kv_heads = dims.num_kv_heads or dims.num_heads
    if not (kv_heads and head_dim):
        return None
    return 2 * kv_heads * head_dim * kv_bytes


# Layer layouts of architectures whose config defaults fix them (transformers config classes),
# used when a model's own `layer_kinds` is unknown: (period, kinds within one period).
# Qwen3-Next / Qwen3.5: `full_attention_interval` 4 (three Gated DeltaNet layers, then one
# attention layer); Gemma 2: local and global attention alternate; Gemma 3/4: five local
# (sliding) layers then one global; gpt-oss: sliding (128) and full attention alternate;
# Llama 4: three chunked-attention layers then one global (NoPE) layer.
# Nemotron-H / Nemotron 3 (`nemotron_h`): one mixer per layer (`hybrid_override_pattern`: "M"
# Mamba-2, "-" MLP, "E" MoE, "*" attention); about one layer in twelve attends
# (nvidia/Nemotron-H-56B-Base-8K config: 10 "*" in 118 layers, the first at layer 8, then
# every 12th; Nemotron-H paper, arXiv:2504.03624: ~8% self-attention layers, evenly spread).
# Mamba-2, MLP and MoE layers keep no growing KV cache ("linear").
DEFAULT_LAYOUTS: dict[str, tuple[str, ...]] = {
    "nemotron_h": ("linear",) * 8 + ("full",) + ("linear",) * 3,
    "qwen3_next": ("linear", "linear", "linear", "full"),
    "qwen3_5": ("linear", "linear", "linear", "full"),
    "qwen3_5_moe": ("linear", "linear", "linear", "full"),
    "gemma2": ("sliding", "full"),
    "gemma3": ("sliding",) * 5 + ("full",),
    "gemma3_text": ("sliding",) * 5 + ("full",),
    "gemma4": ("sliding",) * 5 + ("full",),
    "gemma4_text": ("sliding",) * 5 + ("full",),
    "gpt_oss": ("sliding", "full"),
    "llama4": ("chunked", "chunked", "chunked", "full"),
    "llama4_text": ("chunked", "chunked", "chunked", "full"),
}
# Their windows when the config value is unknown (the released checkpoints' configs).
DEFAULT_WINDOWS = {
    "gemma2": 4096,
    "gemma3": 1024,
    "gemma3_text": 1024,
    "gemma4": 1024,
    "gemma4_text": 1024,
    "gpt_oss": 128,
}


def layer_kinds_of(dims: ModelDims) -> tuple[str, ...] | None:
    """The per-layer attention kinds, or None when the layer count is unknown."""
    if dims.layer_kinds:
        return tuple(dims.layer_kinds)
    if not dims.num_layers:
        return None
    layers = dims.num_layers
    period = DEFAULT_LAYOUTS.get(dims.model_type)
    if period:
        return tuple(period[i % len(period)] for i in range(layers))
    if dims.sliding_window:
        sw = (
            layers
            if dims.sliding_window_layers is None
            else min(dims.sliding_window_layers, layers)
        )
        return ("sliding",) * sw + ("full",) * (layers - sw)
    return ("full",) * layers


def kv_tokens_held(dims: ModelDims, tokens: int) -> float | None:
    """Σ over layers of the tokens each layer keeps for a sequence of `tokens`."""
    kinds = layer_kinds_of(dims)
    if kinds is None:
        return None
    window = dims.sliding_window or DEFAULT_WINDOWS.get(dims.model_type) or tokens
    chunk = dims.attention_chunk_tokens or (
        8192 if dims.model_type.startswith("llama4") else tokens
    )
    held = 0.0
    for kind in kinds:
        if kind == "sliding":
            held += min(tokens, window)
        elif kind == "chunked":
            held += min(tokens, chunk)
        elif kind != "linear":
            held += tokens
    return held


def kv_cache_bytes(
    dims: ModelDims, tokens: int, batch: int = 1, kv_precision: str = "bf16"
) -> float | None:
    """KV cache bytes for `batch` sequences of `tokens`; None when unknown (never 0)."""
    per = kv_bytes_per_token_layer(dims, kv_bits(kv_precision) / 8)
    held = kv_tokens_held(dims, tokens)
    if per is None or held is None:
        if dims.layer_kinds and all(k == "linear" for k in dims.layer_kinds):
            return 0.0
        return None
    return per * held * batch
