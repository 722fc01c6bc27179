"""Which engine can serve which precision on which accelerator (pure): the support table.

One table per pinned engine version; a precision is either run by native kernels or
weight-only (weights stored narrow, computed at 16 bits), and each row cites the engine's
own documentation. The planner checks every self-host option against it
(`supported`), so a plan never offers a format the engine cannot run on that card.

vLLM (pinned: the v0.10 docs), sources:
- "Supported Hardware" table of Features › Quantization
  (docs.vllm.ai/en/latest/features/quantization/supported_hardware.html): AWQ needs
  Turing or newer (compute capability ≥ 7.5; Volta ✗); INT8 W8A8 needs ≥ 7.5; FP8 W8A8
  runs natively on Ada / Hopper (≥ 8.9) and weight-only through the Marlin kernels on
  Ampere (≥ 8.0); GPTQ runs on Volta (≥ 7.0). On AMD Instinct (ROCm): FP8 on MI300
  (CDNA3) and newer, INT8 W8A8 on CDNA2+, AWQ not listed.
- Installation › GPU: bfloat16 needs compute capability ≥ 8.0; older GPUs (V100 7.0,
  T4 7.5) serve the same 16-bit weights as float16 (`--dtype half`), which the table
  names "fp16".
- A measured vLLM AWQ run on 4× T4 (7.5) is in ../shared/hardware/llmfit/community/.
MLX (Apple silicon): bf16/fp16 and its own 4- and 8-bit group quantization (served for
the planner's int4 / int8 rows); no FP8 kernels (ml-explore/mlx docs, "Quantization").

PyTorch engines (diffusers pipelines, transformers ASR), 16-bit only: bfloat16 needs
compute capability ≥ 8.0 (Ampere; PyTorch `torch.cuda.is_bf16_supported`), float16
tensor cores ≥ 7.0 (Volta); ROCm builds run both on CDNA2+ and RDNA3+.

Compute capability per accelerator family (NVIDIA CUDA GPUs list,
developer.nvidia.com/cuda-gpus): the lowest member of the family, which is what the rules
above compare against.
"""

from __future__ import annotations

import re

# family -> compute capability (lowest member)
COMPUTE_CAPABILITY = {
    "nvidia-kepler": 3.7,
    "nvidia-maxwell": 5.2,
    "nvidia-pascal": 6.0,
    "nvidia-volta": 7.0,
    "nvidia-turing": 7.5,
    "nvidia-ampere": 8.0,
    "nvidia-ada": 8.9,
    "nvidia-hopper": 9.0,
    "nvidia-blackwell": 10.0,
}
VLLM_VERSION = "0.10"
VLLM_DOCS = "vLLM v0.10 docs, Quantization › Supported Hardware; Installation › GPU"

# vLLM on NVIDIA: precision -> (min compute capability, how it runs)
_VLLM_NVIDIA = {
    "bf16": (8.0, "native"),
    "fp16": (7.0, "native"),
    "fp8": (8.0, "weight-only below 8.9 (Marlin), native from 8.9"),
    "int8": (7.5, "native W8A8"),
    "int4-awq": (7.5, "weight-only (AWQ kernels)"),
    "int4-gptq": (7.0, "weight-only (GPTQ kernels)"),
}
# vLLM on AMD Instinct / Radeon (ROCm): family -> precisions it runs
_VLLM_AMD = {
    "amd-cdna2": {"bf16", "fp16", "int8"},
    "amd-cdna3": {"bf16", "fp16", "fp8", "int8"},
    "amd-cdna4": {"bf16", "fp16", "fp8", "int8"},
    "amd-rdna3": {"bf16", "fp16"},
    "amd-rdna4": {"bf16", "fp16"},
}
_MLX = {"bf16", "fp16", "int8", "int4-awq"}  # int8/int4 as MLX 8-/4-bit groups
TORCH_ENGINES = frozenset({"diffusers", "transformers"})
_TORCH_NVIDIA = {"bf16": 8.0, "fp16": 7.0}
_TORCH_AMD = ("amd-cdna2", "amd-cdna3", "amd-cdna4", "amd-rdna3", "amd-rdna4")


def supported(engine: str, vendor: str, family: str, precision: str) -> tuple[bool, str]:
    """(whether `engine` serves `precision` on an accelerator of that vendor and family,
    why not / how). AMD families vLLM's ROCm build does not target are ruled out; other
    accelerators the table does not know get 16-bit only; engines it has no table for
    are not ruled out."""
    if engine == "mlx":
        ok = precision in _MLX
        return ok, "MLX" if ok else f"MLX has no {precision} kernels"
    if engine in TORCH_ENGINES:
        return _torch(engine, family, precision)
    if engine != "vllm":
        return True, "not in the support table"
    if family in COMPUTE_CAPABILITY:
        cc = COMPUTE_CAPABILITY[family]
        need = _VLLM_NVIDIA.get(precision)
        if need is None:
            return True, "not in the support table"
        if cc >= need[0]:
            return True, f"vLLM {VLLM_VERSION}: {need[1]} (compute capability {cc:g})"
        return False, (
            f"vLLM {VLLM_VERSION} runs {precision} from compute capability {need[0]:g}; "
            f"{family.split('-')[-1].title()} is {cc:g}"
        )
    if family in _VLLM_AMD:
        ok = precision in _VLLM_AMD[family]
        return ok, f"vLLM {VLLM_VERSION} on ROCm ({family})" + ("" if ok else ": not listed")
    if family.startswith("amd-"):  # GCN, RDNA1/2: not among vLLM's ROCm targets
        return False, f"vLLM {VLLM_VERSION} on ROCm does not list {family}"
    # other accelerators (TPU, Gaudi, Neuron, Intel): 16-bit only until the table has a row
    ok = precision in ("bf16", "fp16")
    return ok, "not in the support table: 16-bit only" if ok else f"{precision}: not in the table"


def _torch(engine: str, family: str, precision: str) -> tuple[bool, str]:
    if precision not in _TORCH_NVIDIA:
        return False, f"{engine}: 16-bit only in the planner"
    if family in COMPUTE_CAPABILITY:
        cc, need = COMPUTE_CAPABILITY[family], _TORCH_NVIDIA[precision]
        ok = cc >= need
        return ok, f"PyTorch {precision} needs compute capability {need:g}; {family} is {cc:g}"
    if family.startswith("amd-"):
        ok = family in _TORCH_AMD
        return ok, f"PyTorch on ROCm ({family})" + ("" if ok else ": not a target")
    return True, "not in the support table: 16-bit"


def served_precision(engine: str, family: str, precision: str) -> str:
    """The name a 16-bit option is served under: vLLM on GPUs below compute capability 8.0
    runs bf16 weights as fp16 (--dtype half); every other precision keeps its name."""
    cc = COMPUTE_CAPABILITY.get(family)
    torch_or_vllm = engine == "vllm" or engine in TORCH_ENGINES
    if torch_or_vllm and precision == "bf16" and cc is not None and cc < 8.0:
        return "fp16"
    return precision


# --- pre-quantized checkpoints ----------------------------------------------------------
# A repo whose weights are already quantized is served in that format: vLLM loads the
# checkpoint's own quantization (config.json `quantization_config.quant_method`, else the
# format its name states) and does not widen it back to 16 bits or re-quantize it to
# another format (vLLM docs, Quantization: each method loads checkpoints made for it).
_QUANT_METHODS = {
    "fp8": "fp8",
    "fbgemm_fp8": "fp8",
    "awq": "int4-awq",
    "gptq": "int4-gptq",
    "mxfp4": "mxfp4",
    "bitsandbytes": "bnb-nf4",
    "exl2": "exl2",
    "hqq": "hqq",
}
_NAME_FORMATS = (  # (pattern over the repo's name, our key), first match wins
    (r"fp8", "fp8"),
    (r"awq", "int4-awq"),
    (r"gptq[-_]?int8", "int8-gptq"),
    (r"gptq|int4|w4a16", "int4-gptq"),
    (r"w8a8|int8", "int8"),
    (r"w8a16", "int8-w8a16"),
    (r"nvfp4|fp4", "nvfp4"),
    (r"mxfp4", "mxfp4"),
    (r"gguf", "gguf"),
    (r"bnb|nf4", "bnb-nf4"),
    (r"1\.58[-_]?bits?|bitnet", "bitnet"),
    (r"mlx|[2-8][-_]?bits?", "mlx"),
    (r"exl2|exl3", "exl2"),
)
_NAME_FORMAT_RE = [
    (re.compile(rf"(?:^|[-_.])(?:{pattern})(?:$|[-_.])", re.I), key)
    for pattern, key in _NAME_FORMATS
]


def checkpoint_format(quant_method: str, repo_id: str) -> str | None:
    """The format a repo's weights are stored in when it is a pre-quantized checkpoint
    (our precision key, or "gguf" / "mlx" / "exl2" / "bitnet" for files other engines load); None
    for a full-precision checkpoint. The config's quant_method wins; compressed-tensors
    and ModelOpt configs name no bit width, so the repo name decides for them."""
    method = (quant_method or "").strip().lower()
    if method in _QUANT_METHODS:
        return _QUANT_METHODS[method]
    name = repo_id.rsplit("/", 1)[-1]
    for pattern, key in _NAME_FORMAT_RE:
        if pattern.search(name):
            return key
    return None


def plan_precision_mask(stored: str | None, precisions: tuple[str, ...]) -> tuple[bool, ...]:
    """Which plan precisions a checkpoint can be served at: a full-precision one at all
    of them (16-bit as stored, FP8 by vLLM's online quantization, INT8/INT4 by quantizing
    it first, which the plan row names), a pre-quantized one only at its own format, and
    none when that format has no plan column (GPTQ, NVFP4, GGUF, MLX, bitsandbytes: the
    original repo is the candidate for those). MXFP4 is gpt-oss's original release format,
    so it is kept at every plan precision until MXFP4 gets a plan column."""
    if stored is None or stored == "mxfp4":
        return tuple(True for _ in precisions)
    return tuple(p == stored for p in precisions)
