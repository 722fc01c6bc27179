"""Weight formats (pure): bits per weight by tensor class, from each format's own tables.

A model's weights fall in four classes that formats treat differently:
- repeating: the linear layers of every block (attention and dense FFN / shared experts);
- experts: routed MoE expert FFNs (MXFP4 MoE files quantize only these to MXFP4);
- embedding: the token embedding table (only one row of it is read per token);
- output: the LM head (read in full for every token; tied models read the embedding).

GGUF (llama.cpp). Block sizes of the ggml types (`ggml/src/ggml-common.h` block structs):
Q4_0 18 B/32 = 4.5 bpw, Q4_1 5.0, Q5_0 5.5, Q5_1 6.0, Q8_0 8.5, Q2_K 84 B/256 = 2.625,
Q3_K 3.4375, Q4_K 4.5, Q5_K 5.5, Q6_K 6.5625, IQ4_XS 4.25, IQ4_NL 4.5, IQ3_S 3.4375,
MXFP4 17 B/32 = 4.25. A file type (`--ftype`) mixes types by tensor
(`src/llama-quant.cpp`, llama_tensor_get_type_impl): the output tensor is Q6_K (Q8_0 for
Q8_0 and MXFP4_MOE files, Q5_K for IQ1/IQ2/IQ3_XXS files), the embedding keeps the base
type except for IQ1/IQ2/IQ3_XXS files, and attn_v / ffn_down get more bits in some layers.
The repeating-layer bpw below is solved from llama.cpp's own size table
(`tools/quantize/quantize.cpp` QUANT_OPTIONS: "Q4_K_M 4.58G @ Llama-3-8B", GiB) after
taking out the embedding and output tensors (128256 × 4096 each): e.g. Q4_K_M
(4.58 × 2^30 − 525.3M × 4.5/8 − 525.3M × 6.5625/8) × 8 / 6.98G = 4.80 bpw, which predicts
the Llama-3-70B Q4_K_M file to 0.01 GiB (39.60). IQ types have no 8B size there; theirs
are solved the same way from the Llama-3-70B sizes of llama.cpp PR #6745 (dranger003).

MLX (`mlx.nn.quantize`, group size 64 by default): each group of 64 weights stores a
16-bit scale and a 16-bit bias, so b-bit weights cost b + 32/64 bpw; mlx-lm quantizes the
embedding and the LM head too. AWQ/GPTQ (group 128): 4 bits + (16-bit scale + 4-bit zero)
/ 128 = 4.156 bpw, embedding and LM head stay 16-bit. FP8 (W8A8, llm-compressor/vLLM):
8 bits + per-channel scales, LM head 16-bit. NVFP4: 4-bit E2M1 + one FP8 scale per 16
values = 4.5 bpw, LM head 16-bit. MXFP4 (OCP microscaling, gpt-oss): 4 bits + one 8-bit
scale per 32 = 4.25 bpw on the MoE experts, the rest BF16.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ComputeDtype = Literal["bf16", "fp8", "int8", "fp4"]

_Q6_K = 6.5625
_Q8_0 = 8.5
_Q5_K = 5.5


@dataclass(frozen=True, slots=True)
class Precision:
    """A weight format: bits per weight of each tensor class (module docstring).

    `bits_per_weight` is the repeating-layer figure (what most of a model costs);
    `compute_dtype` picks the accelerator's TFLOP/s column for prefill; `family` groups
    formats engines treat alike ("gguf", "mlx", "awq", "gptq", "float", "fp8", "fp4")."""

    name: str
    bits_per_weight: float
    label: str
    compute_dtype: ComputeDtype = "bf16"
    family: str = "float"
    bits_embedding: float | None = None  # None: as the repeating layers
    bits_output: float | None = None
    bits_experts: float | None = None
    source: str = ""

    @property
    def bytes_per_weight(self) -> float:
        return self.bits_per_weight / 8

    @property
    def embedding_bits(self) -> float:
        return self.bits_embedding if self.bits_embedding is not None else self.bits_per_weight

    @property
    def output_bits(self) -> float:
        return self.bits_output if self.bits_output is not None else self.bits_per_weight

    @property
    def expert_bits(self) -> float:
        return self.bits_experts if self.bits_experts is not None else self.bits_per_weight


_LLAMA = "llama.cpp QUANT_OPTIONS sizes @ Llama-3-8B, less embedding and output"
_PR6745 = "llama.cpp PR #6745 sizes @ Llama-3-70B, less embedding and output"


def _gguf(
    name: str,
    rep: float,
    label: str,
    emb: float,
    out: float = _Q6_K,
    src: str = _LLAMA,
    experts: float | None = None,
) -> Precision:
    return Precision(name, rep, label, "bf16", "gguf", emb, out, experts, src)


def _mlx(bits: int, group: int = 64) -> Precision:
    bpw = bits + 32 / group
    name = f"mlx-{bits}bit" + ("" if group == 64 else f"-g{group}")
    label = f"MLX {bits}-bit (group {group})"
    return Precision(
        name,
        bpw,
        label,
        "bf16",
        "mlx",
        bpw,
        bpw,
        None,
        "mlx.nn.quantize: b bits + 16-bit scale and bias per group",
    )


_AWQ_BITS = 4 + (16 + 4) / 128
_MX = "OCP microscaling: 4 or 8 bits + an 8-bit shared scale per 32 (NVFP4: FP8 per 16)"

PRECISIONS: dict[str, Precision] = {
    p.name: p
    for p in (
        Precision("fp32", 32.0, "FP32"),
        Precision("bf16", 16.0, "BF16"),
        Precision("fp16", 16.0, "FP16"),
        Precision("fp8", 8.0, "FP8 (W8A8)", "fp8", "fp8", 16.0, 16.0),
        Precision("int8", 8.0, "INT8 (W8A8)", "int8", "int8", 16.0, 16.0),
        Precision("int8-w8a16", 8.0, "INT8 weight-only", "bf16", "int8", 16.0, 16.0),
        Precision("int4-awq", _AWQ_BITS, "INT4 AWQ (g128)", "bf16", "awq", 16.0, 16.0),
        Precision("int4-gptq", _AWQ_BITS, "INT4 GPTQ (g128)", "bf16", "gptq", 16.0, 16.0),
        Precision("int8-gptq", 8 + (16 + 8) / 128, "INT8 GPTQ (g128)", "bf16", "gptq", 16.0, 16.0),
        Precision(
            "nvfp4",
            4.5,
            "NVFP4 (W4A4)",
            "fp4",
            "fp4",
            16.0,
            16.0,
            None,
            "NVIDIA NVFP4: E2M1 + FP8 scale per 16 values",
        ),
        Precision(
            "mxfp4",
            16.0,
            "MXFP4 experts + BF16",
            "bf16",
            "fp4",
            16.0,
            16.0,
            4.25,
            "OCP MX: 4 bits + 8-bit scale per 32, on the MoE experts (gpt-oss)",
        ),
        Precision(
            "bnb-nf4",
            4.127,
            "bitsandbytes NF4",
            "bf16",
            "bnb",
            16.0,
            16.0,
            None,
            "4 bits + 8-bit absmax per 64 with double quantization",
        ),
        Precision(
            "mq4",
            4.125,
            "hipfire MQ4 (4-bit, group 256)",
            "bf16",
            "hipfire",
            4.125,
            4.125,
            None,
            "hipfire HFQ4G256: 4 bits + FP16 scale and zero per 256 (from its kernel name)",
        ),
        _mlx(3),
        _mlx(4),
        _mlx(5),
        _mlx(6),
        _mlx(8),
        _mlx(4, 32),
        # MLX microscaled modes (mx.quantize mode="mxfp4" / "mxfp8" / "nvfp4"): every linear
        # and embedding weight, E2M1/E4M3 values + one E8M0 scale per 32 (NVFP4: FP8 per 16)
        Precision("mlx-mxfp4", 4.25, "MLX MXFP4", "bf16", "mlx", 4.25, 4.25, None, _MX),
        Precision("mlx-mxfp8", 8.25, "MLX MXFP8", "bf16", "mlx", 8.25, 8.25, None, _MX),
        Precision("mlx-nvfp4", 4.5, "MLX NVFP4", "bf16", "mlx", 4.5, 4.5, None, _MX),
        # GGUF file types (module docstring); the first number is the repeating-layer bpw.
        _gguf("q8_0", 8.517, "GGUF Q8_0", _Q8_0, _Q8_0),
        _gguf("q6_k", 6.569, "GGUF Q6_K", _Q6_K),
        _gguf("q5_k_m", 5.652, "GGUF Q5_K_M", 5.5),
        _gguf("q5_k_s", 5.504, "GGUF Q5_K_S", 5.5),
        _gguf("q5_1", 6.008, "GGUF Q5_1", 6.0),
        _gguf("q5_0", 5.504, "GGUF Q5_0", 5.5),
        _gguf("q4_k_m", 4.804, "GGUF Q4_K_M", 4.5),
        _gguf("q4_k_s", 4.546, "GGUF Q4_K_S", 4.5),
        _gguf("q4_1", 5.013, "GGUF Q4_1", 5.0),
        _gguf("q4_0", 4.509, "GGUF Q4_0", 4.5),
        _gguf("iq4_nl", 4.511, "GGUF IQ4_NL", 4.5, src=_PR6745),
        _gguf("iq4_xs", 4.264, "GGUF IQ4_XS", 4.25, src=_PR6745),
        _gguf("q3_k_l", 4.207, "GGUF Q3_K_L", 3.4375),
        _gguf("q3_k_m", 3.850, "GGUF Q3_K_M", 3.4375),
        _gguf("q3_k_s", 3.444, "GGUF Q3_K_S", 3.4375),
        _gguf("iq3_m", 3.579, "GGUF IQ3_M", 3.4375, src=_PR6745),
        _gguf("iq3_s", 3.459, "GGUF IQ3_S", 3.4375, src=_PR6745),
        _gguf("iq3_xs", 3.271, "GGUF IQ3_XS", 3.4375, src=_PR6745),
        _gguf("iq3_xxs", 3.073, "GGUF IQ3_XXS", 3.4375, _Q5_K, _PR6745),
        _gguf("q2_k", 2.951, "GGUF Q2_K", 2.625),
        _gguf("q2_k_s", 2.951, "GGUF Q2_K_S", 2.625),
        _gguf("iq2_m", 2.681, "GGUF IQ2_M", 3.4375, _Q5_K, _PR6745),
        _gguf("iq2_s", 2.462, "GGUF IQ2_S", 3.4375, _Q5_K, _PR6745),
        _gguf("iq2_xs", 2.346, "GGUF IQ2_XS", 2.625, _Q5_K, _PR6745),
        _gguf("iq2_xxs", 2.108, "GGUF IQ2_XXS", 2.625, _Q5_K, _PR6745),
        _gguf("iq1_m", 1.833, "GGUF IQ1_M", 2.625, _Q5_K, _PR6745),
        _gguf("iq1_s", 1.669, "GGUF IQ1_S", 2.625, _Q5_K, _PR6745),
        _gguf(
            "mxfp4_moe",
            _Q8_0,
            "GGUF MXFP4_MOE",
            _Q8_0,
            _Q8_0,
            "llama-quant.cpp: experts MXFP4, other tensors Q8_0",
            4.25,
        ),
        _gguf("gguf-f16", 16.0, "GGUF F16", 16.0, 16.0, "unquantized"),
        _gguf("gguf-bf16", 16.0, "GGUF BF16", 16.0, 16.0, "unquantized"),
    )
}

# Names files, engines and sites use -> our keys (lower-cased, "-" and "." as "_").
# Unsloth's dynamic "UD-Qn_K_XL" files are within a few percent of Qn_K_M in size.
_ALIASES = {
    "f32": "fp32",
    "float32": "fp32",
    "f16": "fp16",
    "float16": "fp16",
    "half": "fp16",
    "bfloat16": "bf16",
    "auto": "bf16",
    "fp8_dynamic": "fp8",
    "fp8_e4m3": "fp8",
    "w8a8": "int8",
    "w8a8_int8": "int8",
    "int8_w8a16": "int8-w8a16",
    "w8a16": "int8-w8a16",
    "awq": "int4-awq",
    "awq_marlin": "int4-awq",
    "awq_int4": "int4-awq",
    "int4_awq": "int4-awq",
    "gptq": "int4-gptq",
    "gptq4": "int4-gptq",
    "gptq_int4": "int4-gptq",
    "gptq_marlin": "int4-gptq",
    "int4_gptq": "int4-gptq",
    "autoround": "int4-gptq",
    "int4_autoround": "int4-gptq",
    "int4": "int4-gptq",
    "gptq8": "int8-gptq",
    "gptq_int8": "int8-gptq",
    "nf4": "bnb-nf4",
    "bnb_4bit": "bnb-nf4",
    "bnb_nf4": "bnb-nf4",
    "q4_k": "q4_k_m",
    "q5_k": "q5_k_m",
    "q3_k": "q3_k_m",
    "q4_k_xl": "q4_k_m",
    "q4_k_l": "q4_k_m",
    "q5_k_xl": "q5_k_m",
    "q6_k_xl": "q6_k",
    "q8_k_xl": "q8_0",
    "q3_k_xl": "q3_k_m",
    "q2_k_xl": "q2_k",
    "q2_k_l": "q2_k",
    # HauhauCS "K_P" files: llama.cpp K-quant mixes of the same bits, scored as their K_M
    "q2_k_p": "q2_k",
    "q3_k_p": "q3_k_m",
    "q4_k_p": "q4_k_m",
    "q5_k_p": "q5_k_m",
    "q6_k_p": "q6_k",
    "4bit": "mlx-4bit",
    "3bit": "mlx-3bit",
    "5bit": "mlx-5bit",
    "6bit": "mlx-6bit",
    "8bit": "mlx-8bit",
    "mlx_4bit": "mlx-4bit",
    "mlx_6bit": "mlx-6bit",
    "mlx_8bit": "mlx-8bit",
    "mxfp4": "mxfp4",
    "mq4_awq": "mq4",
    "nvfp4": "nvfp4",
    "fp4": "nvfp4",
}


class UnknownPrecision(ValueError):
    pass


def precision_get(name: str) -> Precision:
    try:
        return PRECISIONS[name]
    except KeyError:
        raise UnknownPrecision(f"unknown precision {name!r}; known: {sorted(PRECISIONS)}") from None


def precision_key(raw: str, *, gguf: bool = False) -> str | None:
    """Our key for a format name as a file, engine or site spells it ("Q4_K_M",
    "UD-Q4_K_XL", "AWQ", "bfloat16", "4bit"), or None. `gguf`: the name is a GGUF file
    type, so F16/BF16 are the GGUF rows and bare Q-names need no prefix."""
    key = raw.strip().lower().replace("-", "_").replace(".", "_").replace(" ", "_")
    for prefix in ("ud_", "gguf_"):
        key = key.removeprefix(prefix)
    if gguf and key in ("f16", "fp16"):
        return "gguf-f16"
    if gguf and key in ("bf16",):
        return "gguf-bf16"
    if gguf and key in ("mxfp4", "mxfp4_moe"):
        return "mxfp4_moe"
    dashed = key.replace("_", "-")
    for candidate in (key, dashed):
        if candidate in PRECISIONS:
            return candidate
    return _ALIASES.get(key)
