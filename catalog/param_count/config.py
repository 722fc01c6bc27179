"""Reading config.json values for the parameter count and the per-layer attention kinds
(pure: no Django). Hub configs name the same thing several ways; these helpers pick the
first key present and ignore values of the wrong type."""

from __future__ import annotations

from typing import Any

LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "n_layers", "decoder_layers")


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if abs(value) < 2**63 else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def first_int(cfg: dict, *keys: str) -> int | None:
    for key in keys:
        value = as_int(cfg.get(key))
        if value is not None:
            return value
    return None


def text_config(config: dict) -> dict:
    """The language model's part of a config: VLMs (Qwen3-VL, Llama 4, Gemma 3/4) keep it
    in `text_config`; used when the top level has no layer count."""
    text = config.get("text_config")
    if isinstance(text, dict) and first_int(config, *LAYER_KEYS) is None:
        merged = dict(text)
        for key in ("torch_dtype", "dtype", "tie_word_embeddings", "quantization_config"):
            if key in config and key not in merged:
                merged[key] = config[key]
        merged.setdefault("model_type", config.get("model_type", ""))
        return merged
    return config


def model_type(cfg: dict) -> str:
    value = cfg.get("model_type")
    return value.strip().lower() if isinstance(value, str) else ""


# Mixers: what each layer does with the sequence. "attention", "sliding", "chunked" grow a
# KV cache (sliding/chunked up to their window); "mamba", "linear_attention", "conv" keep a
# fixed-size state; "mlp" / "moe" layers (Nemotron-H's "-" / "E") have no sequence mixer.
KIND_OF_MIXER = {
    "attention": "full",
    "sliding": "sliding",
    "chunked": "chunked",
    "mamba": "linear",
    "linear_attention": "linear",
    "conv": "linear",
    "mlp": "linear",
    "moe": "linear",
}
_LAYER_TYPE_NAMES = {
    "full_attention": "attention",
    "attention": "attention",
    "global": "attention",
    "global_attention": "attention",
    "sliding_attention": "sliding",
    "sliding": "sliding",
    "local": "sliding",
    "local_attention": "sliding",
    "chunked_attention": "chunked",
    "linear_attention": "linear_attention",
    "conv": "conv",
    "short_conv": "conv",
    "mamba": "mamba",
    "mamba2": "mamba",
}
_NEMOTRON_H = {"M": "mamba", "*": "attention", "-": "mlp", "E": "moe"}
# model types whose every layer uses `sliding_window` when it is set (and smaller than
# the context): Mistral v0.1, Starcoder2, Phi-3-4k ...
_WINDOW_EVERY_LAYER = frozenset({"mistral", "mixtral", "starcoder2", "phi3", "phimoe"})
_QWEN_WINDOW = frozenset({"qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "mimo"})


def _window(cfg: dict, layers: int) -> int | None:
    window = as_int(cfg.get("sliding_window"))
    if not window or window <= 0 or cfg.get("use_sliding_window") is False:
        return None
    context = first_int(cfg, "max_position_embeddings", "n_positions", "max_seq_len")
    if context and window >= context:
        return None  # Phi-3.5's 262144 window over a 131072 context: full attention
    return window


def layer_mixers(cfg: dict) -> tuple[tuple[str, ...], int | None, int | None]:
    """(mixer per layer, sliding window, attention chunk) of a (text) config.

    Sources, first match wins: `layer_types` (gpt-oss, Gemma 3/4, Qwen3-Next, LFM2,
    Granite-4-H ...); Nemotron-H `hybrid_override_pattern` (M mamba, * attention, - MLP,
    E MoE); LFM2 `full_attn_idxs`; Jamba `attn_layer_period`/`attn_layer_offset`;
    Qwen3-Next `full_attention_interval` (every 4th layer full); Llama 4
    `attention_chunk_size` with `no_rope_layers` (0 = NoPE global layer; default every
    4th layer); Gemma 2 (even layers sliding); Gemma 3 / Cohere2 `sliding_window_pattern`
    (layer i slides unless (i+1) % pattern == 0); Qwen2/3 `use_sliding_window` from
    `max_window_layers` on; Mistral v0.1 / Starcoder2 / Phi-3 a window on every layer.
    Otherwise every layer is full attention. Empty when the layer count is unknown.
    """
    layers = first_int(cfg, *LAYER_KEYS)
    if not layers or layers <= 0 or layers > 100_000:
        return (), None, None
    kind = model_type(cfg)
    window = _window(cfg, layers)
    chunk = as_int(cfg.get("attention_chunk_size"))
    mixers: list[str] | None = None
    layer_types = cfg.get("layer_types")
    pattern = cfg.get("hybrid_override_pattern")
    if isinstance(layer_types, list) and len(layer_types) == layers:
        names = [_LAYER_TYPE_NAMES.get(str(t).lower()) for t in layer_types]
        if all(names):
            mixers = [str(n) for n in names]
    elif isinstance(pattern, str) and len(pattern) == layers and set(pattern) <= set(_NEMOTRON_H):
        mixers = [_NEMOTRON_H[c] for c in pattern]
    elif isinstance(cfg.get("full_attn_idxs"), list):
        full = {as_int(i) for i in cfg["full_attn_idxs"]}
        mixers = ["attention" if i in full else "conv" for i in range(layers)]
    elif as_int(cfg.get("attn_layer_period")):
        period, offset = as_int(cfg["attn_layer_period"]), as_int(cfg.get("attn_layer_offset")) or 0
        mixers = ["attention" if i % period == offset else "mamba" for i in range(layers)]
    elif kind == "qwen3_next":
        interval = as_int(cfg.get("full_attention_interval")) or 4
        mixers = [
            "attention" if (i + 1) % interval == 0 else "linear_attention" for i in range(layers)
        ]
    elif chunk and chunk > 0:
        nope = cfg.get("no_rope_layers")
        if not (isinstance(nope, list) and len(nope) == layers):
            step = as_int(cfg.get("no_rope_layer_interval")) or 4
            nope = [int((i + 1) % step != 0) for i in range(layers)]
        mixers = ["chunked" if as_int(v) else "attention" for v in nope]
    elif window and kind == "gemma2":
        mixers = ["sliding" if i % 2 == 0 else "attention" for i in range(layers)]
    elif window and (
        kind in ("gemma3", "gemma3_text", "cohere2") or "sliding_window_pattern" in cfg
    ):
        every = as_int(cfg.get("sliding_window_pattern")) or (4 if kind == "cohere2" else 6)
        mixers = ["attention" if (i + 1) % every == 0 else "sliding" for i in range(layers)]
    elif window and kind in _QWEN_WINDOW:
        start = as_int(cfg.get("max_window_layers"))
        start = layers if start is None else start
        mixers = ["sliding" if i >= start else "attention" for i in range(layers)]
    elif window and kind in _WINDOW_EVERY_LAYER:
        mixers = ["sliding"] * layers
    if mixers is None:
        mixers = ["attention"] * layers
    if "sliding" not in mixers:
        window = None
    if "chunked" not in mixers:
        chunk = None
    return tuple(mixers), window, chunk


def layer_kinds(mixers: tuple[str, ...]) -> tuple[str, ...]:
    """Mixers -> the catalog's kinds: full, sliding, chunked or linear (no growing KV)."""
    return tuple(KIND_OF_MIXER[m] for m in mixers)
