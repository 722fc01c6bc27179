"""Speculative decoding (pure): a drafter proposes tokens, the target verifies them at once.

One verify step of the target checks the k drafted tokens (plus the one it emits itself)
of each sequence in one forward pass; the step then yields E tokens (Leviathan, Kalman &
Matias 2023, "Fast Inference from Transformers via Speculative Decoding", eq. 1):

    E = (1 − α^(k+1)) / (1 − α)      α: the chance a drafted token is accepted, i.i.d.
    E = 1 + r × k                     r: a stated accepted / drafted ratio (llama.cpp and
                                        vLLM print it as the "draft acceptance rate")

    tokens/s = E / (t_verify + t_draft + ω × t_plain)

- t_verify: one target step over k + 1 tokens of the sequence (speed.decode_step with
  `tokens_per_sequence`): the weights and the KV cache are read once, but a MoE layer
  reads every distinct expert the k + 1 tokens route to, so drafting buys a MoE model
  much less than a dense one (Qwen3.6-35B-A3B: 4 tokens touch ~4× the experts of one);
- t_draft, per method (the drafter's bytes at the engine's bandwidth efficiency, plus
  the engine's per-layer overhead τ for each drafter layer run):
  "mtp"    a multi-token-prediction head: one target-sized layer + the LM head, run k
           times in sequence (DeepSeek-V3, Qwen3.5/3.6, GLM; llama.cpp `--spec-type mtp`);
  "eagle"  EAGLE-3: one target-sized layer + the LM head, k times;
  "dflash" DFlash block diffusion: one forward of a DFLASH_LAYERS-layer BF16 drafter + the
           LM head drafts the whole block of k tokens at once;
  "draft"  a separate draft model (`-md`, vLLM `"model": ...`): k of its own decode steps;
  "ngram"  prompt lookup: no model, no cost.

- ω × t_plain: what a verify step costs beyond its reads (drafting and verifying graphs,
  sampling k + 1 positions, saving and restoring recurrent state on rejection), as a share
  of one plain decode step; fitted on trusted runs (`fit_step_overhead`: the median of
  each run's implied ω), DEFAULT_STEP_OVERHEAD without any.

Acceptance when the run does not state it (assumptions, not fitted here): mtp 0.8
(DeepSeek-V3 technical report §5.4.3: the second MTP token is accepted 85–90% of the time;
chains of k > 1 compound lower), eagle 0.75 (EAGLE-3 paper: ~6 tokens per verify at 7–8
drafted, chat), dflash 0.8 at block 16 (z-lab DFlash: up to 6.2× on Qwen3-8B at greedy),
draft 0.7 (Leviathan et al.: α 0.5–0.9 over model pairs), ngram 0.5. Drafted tokens per
step when unstated: mtp 2, eagle 3, dflash 16, draft 8, ngram 4. Acceptance depends on the
text (code and greedy sampling accept more): the estimate's band says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from benchmarks.estimate.dims import ModelDims, weight_bytes
from benchmarks.estimate.engines import Efficiency, engine_get
from benchmarks.estimate.memory import AcceleratorSpec, device_class
from benchmarks.estimate.speed import decode_step, layers_of

Method = Literal["mtp", "eagle", "dflash", "draft", "ngram"]
METHODS: tuple[str, ...] = ("mtp", "eagle", "dflash", "draft", "ngram")
DEFAULT_ACCEPTANCE: dict[str, float] = {
    "mtp": 0.8,
    "eagle": 0.75,
    "dflash": 0.8,
    "draft": 0.7,
    "ngram": 0.5,
}
DEFAULT_DRAFT_TOKENS: dict[str, int] = {"mtp": 2, "eagle": 3, "dflash": 16, "draft": 8, "ngram": 4}
DEFAULT_STEP_OVERHEAD = 0.3  # ω without trusted runs (a third of a plain step)
DFLASH_LAYERS = 5  # z-lab DFlash drafters: a few target-width layers (Qwen3.6-27B's: 3.5 GB BF16)


@dataclass(frozen=True, slots=True)
class Speculation:
    """How a run speculates (module docstring); unknown fields take the method's defaults."""

    method: Method
    draft_tokens: int | None = None  # k drafted per verify step (the block size for dflash)
    acceptance: float | None = None  # per-token α
    accepted_ratio: float | None = None  # stated accepted / drafted (wins over α)
    verify_tokens: int | None = None  # tokens per verify (a tree's budget); default k + 1
    draft_dims: ModelDims | None = None  # "draft": the draft model
    draft_precision: str | None = None

    @property
    def k(self) -> int:
        return max(int(self.draft_tokens or DEFAULT_DRAFT_TOKENS[self.method]), 1)

    @property
    def alpha(self) -> float:
        a = self.acceptance if self.acceptance is not None else DEFAULT_ACCEPTANCE[self.method]
        return min(max(a, 0.0), 0.999)

    @property
    def assumed(self) -> bool:
        """True when the acceptance is the method's default, not the run's own figure."""
        return self.acceptance is None and self.accepted_ratio is None


def tokens_per_step(spec: Speculation) -> float:
    """Expected tokens one verify step yields (module docstring)."""
    if spec.accepted_ratio is not None:
        return 1 + min(max(spec.accepted_ratio, 0.0), 1.0) * spec.k
    a = spec.alpha
    return (1 - a ** (spec.k + 1)) / (1 - a)


def _layer_bytes(dims: ModelDims, precision: str) -> tuple[float, float]:
    """(one average repeating layer incl. the experts one token reads, LM head) bytes."""
    w = weight_bytes(dims, precision)
    per_layer = (w.dense + w.expert_bytes * w.experts_per_token) / layers_of(dims)
    return per_layer, w.head


def draft_seconds(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    spec: Speculation,
    *,
    engine: str,
    count: int,
    context_tokens: int,
    kv_precision: str,
    efficiency: Efficiency,
) -> float:
    """Seconds the drafter spends per verify step (module docstring)."""
    eng = engine_get(engine)
    bw = accel.bandwidth_gbps * 1e9 * efficiency.bandwidth
    if eng.parallel == "tensor":
        bw *= max(count, 1)
    tau = efficiency.layer_overhead_us * 1e-6
    layer, head = _layer_bytes(dims, precision)
    if spec.method in ("mtp", "eagle"):
        return spec.k * ((layer + head) / bw + tau)
    if spec.method == "dflash":
        bf16_layer, _ = _layer_bytes(dims, "bf16")
        return (DFLASH_LAYERS * bf16_layer + head) / bw + DFLASH_LAYERS * tau
    if spec.method == "draft" and spec.draft_dims is not None:
        step = decode_step(
            spec.draft_dims,
            spec.draft_precision or precision,
            accel,
            engine=engine,
            count=count,
            context_tokens=context_tokens,
            kv_precision=kv_precision,
            efficiency=efficiency,
        )
        return spec.k * step.step_s
    if spec.method == "draft":  # unnamed draft model: a tenth of the target, k steps
        w = weight_bytes(dims, precision)
        return spec.k * (w.read_per_token / 10 / bw + layers_of(dims) / 2 * tau)
    return 0.0


def speculative_tokens_per_s(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    spec: Speculation,
    *,
    engine: str = "llama.cpp",
    count: int = 1,
    batch: int = 1,
    context_tokens: int = 512,
    kv_precision: str = "bf16",
    efficiency: Efficiency | None = None,
    offload_fraction: float = 0.0,
    cpu_moe_layers: int = 0,
    host_expert_fraction: float = 0.0,
    step_overhead: float = DEFAULT_STEP_OVERHEAD,
) -> float:
    """Decode tokens/s of one stream under speculative decoding (module docstring)."""
    verify, draft, plain = step_seconds(
        dims,
        precision,
        accel,
        spec,
        engine=engine,
        count=count,
        batch=batch,
        context_tokens=context_tokens,
        kv_precision=kv_precision,
        efficiency=efficiency,
        offload_fraction=offload_fraction,
        cpu_moe_layers=cpu_moe_layers,
        host_expert_fraction=host_expert_fraction,
    )
    return tokens_per_step(spec) / (verify + draft + step_overhead * plain)


def step_seconds(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    spec: Speculation,
    *,
    engine: str = "llama.cpp",
    count: int = 1,
    batch: int = 1,
    context_tokens: int = 512,
    kv_precision: str = "bf16",
    efficiency: Efficiency | None = None,
    offload_fraction: float = 0.0,
    cpu_moe_layers: int = 0,
    host_expert_fraction: float = 0.0,
) -> tuple[float, float, float]:
    """(verify, draft, plain decode) seconds of one step (module docstring)."""
    eng = engine_get(engine)
    eff = efficiency or eng.defaults_for(device_class(accel))
    steps = [
        decode_step(
            dims,
            precision,
            accel,
            engine=engine,
            count=count,
            batch=batch,
            context_tokens=context_tokens,
            kv_precision=kv_precision,
            efficiency=eff,
            offload_fraction=offload_fraction,
            tokens_per_sequence=tokens,
            cpu_moe_layers=cpu_moe_layers,
            host_expert_fraction=host_expert_fraction,
        ).step_s
        for tokens in (spec.verify_tokens or spec.k + 1, 1)
    ]
    draft = draft_seconds(
        dims,
        precision,
        accel,
        spec,
        engine=engine,
        count=count,
        context_tokens=context_tokens,
        kv_precision=kv_precision,
        efficiency=eff,
    )
    return steps[0], draft, steps[1]


def implied_step_overhead(
    measured_tokens_per_s: float, spec: Speculation, parts: tuple[float, float, float]
) -> float:
    """The ω one measured run implies: (E / measured − verify − draft) / plain."""
    verify, draft, plain = parts
    return (tokens_per_step(spec) / measured_tokens_per_s - verify - draft) / plain


def fit_step_overhead(implied: list[float]) -> float:
    """ω from trusted runs: the median of their implied ω, in [0, 3]; the default without
    any."""
    if not implied:
        return DEFAULT_STEP_OVERHEAD
    ordered = sorted(implied)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return min(max(median, 0.0), 3.0)


def with_acceptance(spec: Speculation, alpha: float) -> Speculation:
    """The same speculation at another per-token acceptance (for bands and tests)."""
    return replace(spec, acceptance=alpha, accepted_ratio=None)
