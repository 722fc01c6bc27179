"""Parameters of a decoder-only language model from its (text) config (pure).

    total  = embeddings (V × H, once more for an untied LM head)
           + Σ layers (sequence mixer + feed-forward + norms) + final norm
           + multi-token-prediction modules stored with the weights
    active = total − idle routed experts (E − k per MoE layer) − MTP modules

Sequence mixers: attention (q: H × nh·d, k/v: H × nkv·d, o: nh·d × H, biases where the
config says), MLA (DeepSeek-V2/V3, Kimi-K2, GLM-5: q_a/q_b low-rank query, kv_a to
kv_lora_rank + rope dims, kv_b back to nh·(nope + v) dims), Mamba-2 (Nemotron-H),
gated delta-net linear attention (Qwen3-Next) and LFM2's short convolution.
Feed-forward: gated (3 matrices) or plain (2); MoE layers hold E experts of width
moe_intermediate_size (else intermediate_size, as in Mixtral), a router, and shared
experts (DeepSeek n_shared_experts, Qwen2-MoE shared_expert_intermediate_size,
Llama 4's shared expert); leading dense layers (first_k_dense_replace) and
interleaved dense layers (Llama 4 interleave_moe_layer_step, Qwen decoder_sparse_step)
use the dense width. "Active" counts both embedding matrices, as Qwen, Mistral and
DeepSeek report it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import as_int, first_int, layer_mixers, model_type

GATED = frozenset(
    """llama mistral mixtral qwen2 qwen2_moe qwen3 qwen3_moe qwen3_next qwen3_vl_text
    qwen3_vl_moe_text qwen2_5_vl_text gemma gemma2 gemma3 gemma3_text gemma4_text phi3 phimoe
    olmo olmo2 olmo3 olmoe mimo granite granitemoe internlm2 internlm3 cohere cohere2 exaone
    exaone4 smollm3 deepseek_v2 deepseek_v3 kimi_k2 glm glm4 glm4_moe glm_moe_dsa minimax_m2
    llama4_text gpt_oss ernie4_5 ernie4_5_moe hunyuan_v1_dense seed_oss apertus arcee lfm2
    lfm2_moe stablelm baichuan yi dots1 bailing_moe""".split()  # noqa: SIM905
)
PLAIN = frozenset(
    [
        "gpt2",
        "gpt_bigcode",
        "gpt_neox",
        "gptj",
        "starcoder2",
        "falcon",
        "phi",
        "opt",
        "bloom",
        "nemotron_h",
    ]
)
UNTIED = frozenset(
    """llama mistral mixtral qwen2 qwen2_moe qwen3 qwen3_moe qwen3_next phi3 phimoe olmo olmo2
    olmo3 olmoe mimo granite internlm2 exaone deepseek_v2 deepseek_v3 kimi_k2 glm4_moe
    glm_moe_dsa minimax_m2 nemotron_h gpt_oss llama4_text gpt_neox opt falcon gptj
    qwen3_vl_text qwen2_5_vl_text""".split()  # noqa: SIM905
)
_QK_NORM_PER_HEAD = frozenset({"qwen3", "qwen3_moe", "qwen3_next", "gemma3", "gemma3_text"})
_QK_NORM_FULL = frozenset({"olmo2", "olmo3", "olmoe", "minimax_m2"})
_QKV_BIAS = frozenset({"qwen2", "qwen2_moe", "qwen2_5_vl_text"})


@dataclass(frozen=True, slots=True)
class Shape:
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    inter: int
    vocab: int


def _shape(cfg: dict) -> Shape | None:
    layers = first_int(cfg, "num_hidden_layers", "n_layer", "num_layers", "n_layers")
    hidden = first_int(cfg, "hidden_size", "n_embd", "d_model")
    heads = first_int(cfg, "num_attention_heads", "n_head", "n_heads")
    vocab = first_int(cfg, "vocab_size", "padded_vocab_size")
    inter = first_int(cfg, "intermediate_size", "n_inner", "ffn_hidden_size")
    if not all(v and v > 0 for v in (layers, hidden, heads, vocab)):
        return None
    kv = first_int(cfg, "num_key_value_heads", "num_kv_heads", "n_kv_heads") or heads
    if cfg.get("multi_query") is True:
        kv = 1
    head_dim = first_int(cfg, "head_dim", "attention_head_dim") or hidden // heads
    if inter is None and model_type(cfg) in ("gpt2", "gpt_bigcode", "gptj", "gpt_neox"):
        inter = 4 * hidden
    if inter is None or inter <= 0:
        return None
    return Shape(layers, hidden, heads, kv, head_dim, inter, vocab)


def _attention(cfg: dict, s: Shape, kind: str, *, heads: int, kv: int, hd: int) -> int:
    h = s.hidden
    q, kvdim = heads * hd, kv * hd
    k_eq_v = cfg.get("attention_k_eq_v") is True and kind == "global"
    params = h * q + h * kvdim * (1 if k_eq_v else 2) + q * h
    mtype = model_type(cfg)
    if mtype == "qwen3_next":
        params += h * q  # gated attention: the query projection also emits a gate
    if mtype in _QKV_BIAS or (mtype == "mimo" and cfg.get("attention_bias") is True):
        params += q + 2 * kvdim
    elif cfg.get("attention_bias") is True or cfg.get("use_bias") is True or mtype in PLAIN:
        params += q + 2 * kvdim + h
    if mtype == "gpt_oss":
        params += heads  # attention sinks
    if mtype in _QK_NORM_PER_HEAD:
        params += 2 * hd
    elif mtype in _QK_NORM_FULL or (cfg.get("use_qk_norm") is True and mtype != "llama4_text"):
        params += q + kvdim
    return params


def _mla(cfg: dict, s: Shape) -> int:
    h, heads = s.hidden, s.heads
    q_rank = as_int(cfg.get("q_lora_rank"))
    kv_rank = as_int(cfg.get("kv_lora_rank")) or 0
    nope = as_int(cfg.get("qk_nope_head_dim")) or 0
    rope = as_int(cfg.get("qk_rope_head_dim")) or 0
    v_dim = as_int(cfg.get("v_head_dim")) or nope
    q_head = nope + rope
    query = h * q_rank + q_rank + q_rank * heads * q_head if q_rank else h * heads * q_head
    kv = h * (kv_rank + rope) + kv_rank + kv_rank * heads * (nope + v_dim)
    out = heads * v_dim * h
    indexer = 0
    idx_heads, idx_dim = as_int(cfg.get("index_n_heads")), as_int(cfg.get("index_head_dim"))
    if idx_heads and idx_dim:  # GLM-5 / DeepSeek-V3.2 sparse-attention indexer
        indexer = (q_rank or h) * idx_heads * idx_dim + h * idx_dim + 2 * idx_dim + h * idx_heads
    return query + kv + out + indexer


def _mamba(cfg: dict, h: int) -> int:
    heads = as_int(cfg.get("mamba_num_heads")) or 0
    head_dim = as_int(cfg.get("mamba_head_dim")) or 0
    inner = heads * head_dim or (as_int(cfg.get("expand")) or 2) * h
    groups = as_int(cfg.get("n_groups")) or 1
    state = as_int(cfg.get("ssm_state_size")) or as_int(cfg.get("mamba_d_state")) or 128
    kernel = as_int(cfg.get("conv_kernel")) or as_int(cfg.get("mamba_d_conv")) or 4
    heads = heads or inner // 64
    conv_dim = inner + 2 * groups * state
    return h * (inner + conv_dim + heads) + conv_dim * (kernel + 1) + 3 * heads + inner + inner * h


def _delta_net(cfg: dict, h: int) -> int:
    nk = as_int(cfg.get("linear_num_key_heads")) or 16
    nv = as_int(cfg.get("linear_num_value_heads")) or 32
    dk = as_int(cfg.get("linear_key_head_dim")) or 128
    dv = as_int(cfg.get("linear_value_head_dim")) or 128
    kernel = as_int(cfg.get("linear_conv_kernel_dim")) or 4
    key, value = nk * dk, nv * dv
    return (
        h * (2 * key + 2 * value)
        + h * 2 * nv
        + (2 * key + value) * kernel
        + 2 * nv
        + dv
        + value * h
    )


def _conv(cfg: dict, h: int) -> int:
    kernel = as_int(cfg.get("conv_L_cache")) or 3
    return h * 3 * h + h * kernel + h * h


def _lfm2_ffn(cfg: dict, inter: int) -> int:
    ff = as_int(cfg.get("block_ff_dim")) or inter
    if cfg.get("block_auto_adjust_ff_dim") is True:
        ff = int(2 * ff / 3)
        multiplier = cfg.get("block_ffn_dim_multiplier")
        if isinstance(multiplier, (int, float)) and not isinstance(multiplier, bool):
            ff = int(multiplier * ff)
        multiple = as_int(cfg.get("block_multiple_of")) or 256
        ff = multiple * ((ff + multiple - 1) // multiple)
    return ff


@dataclass(frozen=True, slots=True)
class Experts:
    count: int
    top_k: int
    width: int
    per_expert: int
    shared: int  # shared-expert (and dense-block) params per MoE layer
    router: int


def _experts(cfg: dict, s: Shape, gated: bool) -> Experts | None:
    count = first_int(
        cfg, "num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"
    )
    top_k = first_int(
        cfg, "num_experts_per_tok", "num_experts_per_token", "experts_per_token", "top_k_experts",
        "moe_top_k",
    )  # fmt: skip
    if not count or count <= 1 or not top_k:
        return None
    h, mtype = s.hidden, model_type(cfg)
    width = first_int(cfg, "moe_intermediate_size", "expert_intermediate_size") or s.inter
    per_expert = (3 if gated else 2) * h * width
    if mtype == "gpt_oss":
        per_expert += 2 * width + h  # gate_up and down biases
    shared = 0
    n_shared = as_int(cfg.get("n_shared_experts")) or as_int(cfg.get("num_shared_experts")) or 0
    shared_width = as_int(cfg.get("shared_expert_intermediate_size"))
    if n_shared:
        shared = n_shared * 3 * h * width
    elif shared_width:
        shared = 3 * h * shared_width + h  # Qwen2-MoE: shared expert and its gate
    elif mtype == "llama4_text" or cfg.get("enable_moe_block") is True:
        shared = 3 * h * s.inter
    router = h * count + (count if mtype == "gpt_oss" else 0)
    return Experts(count, top_k, width, per_expert, shared, router)


def _moe_layer(cfg: dict, i: int, layers: int) -> bool:
    mtype = model_type(cfg)
    if mtype == "llama4_text":
        step = as_int(cfg.get("interleave_moe_layer_step")) or 1
        return (i + 1) % step == 0
    dense_first = as_int(cfg.get("first_k_dense_replace")) or 0
    if i < dense_first:
        return False
    freq = as_int(cfg.get("moe_layer_freq")) or 1
    if dense_first and (i % freq) != 0:
        return False
    sparse_step = as_int(cfg.get("decoder_sparse_step")) or 1
    only_mlp = cfg.get("mlp_only_layers")
    if isinstance(only_mlp, list) and i in only_mlp:
        return False
    return (i + 1) % sparse_step == 0


def count_decoder(cfg: dict) -> tuple[int, int | None, str] | None:
    """(total, active or None for dense, detail) of a decoder-only config, or None when
    its type or dims are not known well enough."""
    mtype = model_type(cfg)
    s = _shape(cfg)
    if s is None:
        return None
    gated = mtype in GATED or (mtype not in PLAIN and cfg.get("hidden_act") in ("silu", "swiglu"))
    if not gated and mtype not in PLAIN:
        return None
    mixers, _window, _chunk = layer_mixers(cfg)
    experts = _experts(cfg, s, gated)
    h = s.hidden
    tied = cfg.get("tie_word_embeddings")
    if not isinstance(tied, bool):
        tied = mtype not in UNTIED
    embeddings = s.vocab * h * (1 if tied else 2)
    mla = as_int(cfg.get("kv_lora_rank")) is not None
    bias = (mtype in PLAIN and mtype != "nemotron_h") or cfg.get("use_bias") is True
    dense_width = as_int(cfg.get("intermediate_size_mlp")) if mtype == "llama4_text" else None
    norms = (4 if mtype.startswith("gemma") else 2) * h * (2 if bias else 1)
    total = embeddings + h
    idle = 0
    global_heads = as_int(cfg.get("num_global_key_value_heads"))
    global_dim = as_int(cfg.get("global_head_dim"))
    for i, mixer in enumerate(mixers):
        if mixer in ("attention", "sliding", "chunked"):
            if mla:
                layer = _mla(cfg, s)
            elif mixer == "attention" and global_dim and global_heads:
                layer = _attention(cfg, s, "global", heads=s.heads, kv=global_heads, hd=global_dim)
            else:
                layer = _attention(cfg, s, mixer, heads=s.heads, kv=s.kv_heads, hd=s.head_dim)
        elif mixer == "mamba":
            layer = _mamba(cfg, h)
        elif mixer == "linear_attention":
            layer = _delta_net(cfg, h)
        elif mixer == "conv":
            layer = _conv(cfg, h)
        else:
            layer = 0
        if mtype == "nemotron_h":  # one block per layer: its mixer or its MLP, one norm
            if mixer == "mlp":
                layer = 2 * h * s.inter
            total += layer + h
            continue
        if experts and _moe_layer(cfg, i, s.layers):
            layer += experts.count * experts.per_expert + experts.shared + experts.router
            idle += (experts.count - experts.top_k) * experts.per_expert
        else:
            width = dense_width or (
                _lfm2_ffn(cfg, s.inter) if mtype.startswith("lfm2") else s.inter
            )
            layer += (3 if gated else 2) * h * width + ((width + h) if bias else 0)
        total += layer + norms
    mtp_layers = first_int(cfg, "num_nextn_predict_layers") or 0
    mtp = 0
    if mtp_layers and mixers:
        # DeepSeek-V3 stores each MTP module as a full decoder layer (its last MoE layer's
        # size) plus eh_proj, two norms and its own copies of the embedding and LM head.
        last = total - embeddings - h
        per_layer = last // len(mixers) if not experts else None
        if experts:
            per_layer = (
                (
                    _mla(cfg, s)
                    if mla
                    else _attention(
                        cfg, s, "attention", heads=s.heads, kv=s.kv_heads, hd=s.head_dim
                    )
                )
                + experts.count * experts.per_expert
                + experts.shared
                + experts.router
                + norms
            )
        copies = 2 * s.vocab * h if mtype in ("deepseek_v3", "glm_moe_dsa") else 0
        mtp = mtp_layers * (per_layer + 2 * h * h + 3 * h + copies)
    total += mtp
    detail = f"{mtype or 'decoder'}: {s.layers} layers"
    if experts:
        detail += f", {experts.count} experts (top {experts.top_k})"
        return total, total - idle - mtp, detail
    return total, None, detail
