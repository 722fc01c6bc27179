"""Speed of the models that do not generate text (pure: standard library only).

Units: FLOPs, TFLOP/s (1e12 FLOP/s), seconds, bytes. Every figure here is an estimate to
plan with; each function's docstring says what it rests on.

Text to image (diffusion). One image costs `steps` × `passes` forwards of the denoiser at
the latent resolution (`passes` = 2 with classifier-free guidance, 1 for guidance-distilled
pipelines such as FLUX.1); the text encoders run once and the VAE decode once, both small
next to the loop (left out). Diffusion inference is compute-bound (Iyengar et al., "Energy
Scaling Laws for Diffusion Models", arXiv:2511.17031, 2025: energy follows FLOPs across
A100 / A4000 / A6000), so

    FLOPs per step ≈ 2 × denoiser params × latent tokens             (one forward pass)
    seconds per image = steps × passes × FLOPs per step ÷ (peak 16-bit FLOP/s × MFU)

Latent tokens at side² pixels: the VAE downsamples 8×; a DiT (SD3, FLUX, PixArt, Sana)
patches 2×2 latents into one token, (side/16)² = 4096 at 1024²; a UNet (SD 1.x, SDXL)
holds most of its parameters (the transformer blocks) at its deepest level, 4× below the
latent, (side/32)² = 1024 at 1024². Cross-check: a 20B-parameter DiT (Qwen-Image) at
1024², 50 steps with guidance needs "roughly 17,200 TFLOPs" per image
(vetional.github.io/2026/diffusion-acceleration-interactive-explainers, from vLLM-Omni's
diffusion notes); 2 × 20e9 × 4096 × 50 × 2 = 16,400 TFLOPs (the rest: prompt tokens).
The MFU (`DIFFUSION_MFU`) is not calibrated: every diffusion figure is labelled
"uncalibrated" until measured image runs exist.

Speech to text. The Open ASR leaderboard's RTFx (seconds of audio per second of compute)
is measured, on an NVIDIA A100-SXM4-80GB at the batch size of the board's scripts
(huggingface/open_asr_leaderboard README: "All evaluations were run using an NVIDIA
A100-SXM4-80GB GPU"). On that card it is used as is; on another it is scaled by the
ratio of 16-bit FLOP/s (batched ASR is compute-bound; uncalibrated). A model without an
RTFx is estimated from its size: an encoder sees 50 audio frames per second (Whisper:
1,500 frames per 30 s window), 2 × params FLOPs per frame, at `ASR_MFU`, the median of
RTFx × 2 × params × 50 ÷ 312e12 over the 69 rows of the board (en_shortform.csv,
2026-05-22) with both an RTFx and a size (the rows spread from 0.001 to 0.65: ±10×).

Embeddings. An encoder's forward pass costs 2 × params FLOPs per token and a batch of
inputs is compute-bound: tokens/s = peak FLOP/s × N × MFU ÷ (2 × params). The planner's
host grid computes this as its prefill rate (planner.engine.options.host_grid, prefill
MFU of the engine's efficiency factors), which `encoder_tokens_per_s` restates.

Several devices of one instance serve independent copies (data parallel): N × one.
"""

from __future__ import annotations

from dataclasses import dataclass

DIFFUSION_MFU = 0.4  # share of peak 16-bit FLOP/s a diffusers denoising loop sustains
ASR_MFU = 0.08  # Open ASR board median, see the module docstring
ASR_FRAMES_PER_S = 50.0
ASR_REFERENCE = "a100-sxm-80gb"  # the card behind the board's RTFx
ASR_REFERENCE_TFLOPS = 312.0  # A100 dense bf16 (NVIDIA A100 datasheet)
DEFAULT_SIDE = 1024
ACTIVATION_SHARE = 0.2  # diffusion / ASR memory above the weights (activations, buffers)
CONTEXT_GIB = 1.0  # CUDA context and allocator slack per device


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A diffusion pipeline as the estimate sees it."""

    kind: str  # "dit" | "unet"
    denoiser_params: float
    total_params: float  # every component held in memory (text encoders, VAE, denoiser)
    steps: int
    passes: int  # 2: classifier-free guidance; 1: guidance-distilled
    side: int = DEFAULT_SIDE
    source: str = ""  # where the figures come from


# Known pipelines (diffusers defaults for steps; parameter counts from the model cards /
# the papers). Keyed by Hugging Face repo id, lower case.
KNOWN_PIPELINES: dict[str, Pipeline] = {
    "black-forest-labs/flux.1-dev": Pipeline(
        "dit", 12e9, 16.9e9, 28, 1, source="FLUX.1 [dev] card: 12B transformer, T5-XXL + CLIP"
    ),
    "black-forest-labs/flux.1-schnell": Pipeline(
        "dit", 12e9, 16.9e9, 4, 1, source="FLUX.1 [schnell] card: 12B, 1-4 steps"
    ),
    "stabilityai/stable-diffusion-3.5-large": Pipeline(
        "dit", 8.1e9, 13.0e9, 28, 2, source="SD 3.5 Large card: 8.1B MMDiT"
    ),
    "stabilityai/stable-diffusion-3.5-medium": Pipeline(
        "dit", 2.5e9, 7.4e9, 40, 2, source="SD 3.5 Medium card: 2.5B MMDiT-X"
    ),
    "stabilityai/stable-diffusion-3-medium-diffusers": Pipeline(
        "dit", 2.0e9, 7.0e9, 28, 2, source="SD3 Medium card: 2B MMDiT"
    ),
    "stabilityai/stable-diffusion-xl-base-1.0": Pipeline(
        "unet", 2.6e9, 3.5e9, 50, 2, source="SDXL paper (arXiv:2307.01952): 2.6B UNet"
    ),
    "stabilityai/sdxl-turbo": Pipeline(
        "unet", 2.6e9, 3.5e9, 1, 1, side=512, source="SDXL-Turbo card: 1 step, 512², no CFG"
    ),
    "stable-diffusion-v1-5/stable-diffusion-v1-5": Pipeline(
        "unet", 0.86e9, 1.07e9, 50, 2, side=512, source="SD 1.5: 860M UNet, 512²"
    ),
    "compvis/stable-diffusion-v1-4": Pipeline(
        "unet", 0.86e9, 1.07e9, 50, 2, side=512, source="SD 1.4: 860M UNet, 512²"
    ),
    "stabilityai/stable-diffusion-2-1": Pipeline(
        "unet", 0.87e9, 1.3e9, 50, 2, side=768, source="SD 2.1: 865M UNet, 768²"
    ),
    "runwayml/stable-diffusion-v1-5": Pipeline(
        "unet", 0.86e9, 1.07e9, 50, 2, side=512, source="SD 1.5: 860M UNet, 512²"
    ),
}
DEFAULT_STEPS = 28
DEFAULT_PASSES = 2


def pipeline_for(repo_id: str, params_total: float) -> Pipeline:
    """The known pipeline of `repo_id`, else a DiT whose denoiser is the whole parameter
    count (an upper bound: text encoders counted in), 28 steps with guidance, 1024²."""
    known = KNOWN_PIPELINES.get(repo_id.lower())
    if known is not None:
        return known
    return Pipeline(
        "dit", params_total, params_total, DEFAULT_STEPS, DEFAULT_PASSES,
        source="derived from the parameter count (DiT, 28 steps, guidance, 1024²)",
    )  # fmt: skip


def latent_tokens(kind: str, side: int) -> float:
    """Tokens the denoiser's parameters see per forward at side² pixels (module doc)."""
    return (side / 32.0) ** 2 if kind == "unet" else (side / 16.0) ** 2


def diffusion_step_flops(pipeline: Pipeline) -> float:
    """FLOPs of one denoiser forward: 2 × params × latent tokens."""
    return 2.0 * pipeline.denoiser_params * latent_tokens(pipeline.kind, pipeline.side)


def diffusion_image_flops(pipeline: Pipeline) -> float:
    """FLOPs of one image: steps × passes × one forward."""
    return pipeline.steps * pipeline.passes * diffusion_step_flops(pipeline)


def diffusion_seconds_per_image(
    pipeline: Pipeline, tflops: float, count: int = 1, mfu: float = DIFFUSION_MFU
) -> float:
    """Seconds of one instance (`count` devices serving copies) per image."""
    return diffusion_image_flops(pipeline) / (tflops * 1e12 * mfu * max(count, 1))


def weights_gib(params: float, bytes_per_param: float = 2.0) -> float:
    """Memory one copy needs: weights + ACTIVATION_SHARE + the CUDA context (GiB)."""
    return params * bytes_per_param * (1.0 + ACTIVATION_SHARE) / 2**30 + CONTEXT_GIB


def asr_audio_seconds_per_s(
    *,
    params: float,
    tflops: float,
    count: int = 1,
    rtfx: float | None = None,
    accelerator_slug: str = "",
    mfu: float = ASR_MFU,
) -> tuple[float, str]:
    """(seconds of audio one instance transcribes per second, what it rests on)."""
    n = max(count, 1)
    if rtfx and rtfx > 0:
        if accelerator_slug == ASR_REFERENCE:
            return rtfx * n, "measured: Open ASR leaderboard RTFx (A100-SXM4-80GB)"
        scaled = rtfx * tflops / ASR_REFERENCE_TFLOPS * n
        return scaled, (
            "Open ASR leaderboard RTFx (measured on A100-SXM4-80GB) scaled by 16-bit "
            "FLOP/s (uncalibrated)"
        )
    per_audio_s = 2.0 * params * ASR_FRAMES_PER_S
    return tflops * 1e12 * mfu * n / per_audio_s, (
        f"estimated from size: 2 × params × {ASR_FRAMES_PER_S:g} frames/s at "
        f"{mfu:.0%} of peak (uncalibrated)"
    )


def encoder_tokens_per_s(params: float, tflops: float, count: int = 1, mfu: float = 0.5) -> float:
    """Embedding tokens/s of one instance: peak × N × MFU ÷ (2 × params)."""
    return tflops * 1e12 * max(count, 1) * mfu / (2.0 * params)
