"""Stage 2, options: how each model could be served (pure: standard library and numpy).

API offers arrive as an `ApiOfferTable`; self-host options (owned or rented) as a
`SelfHostTable`, which the Django side builds from `host_grid`: the speed and fit of
models × hosts × precisions in one numpy pass.

A "host" is one instance shape: an accelerator spec × a device count, with the efficiency
factors calibrated for the engine that serves it there (vLLM on GPUs, tensor parallel
over the devices; MLX on Apple silicon, one device) and the label of that calibration.
The formulas are benchmarks.estimate's (memory.py, speed.py), broadcast over arrays:

- weights, LM head and expert bytes per model × precision (dims.weight_bytes); KV bytes
  per sequence at the workload's context and at its mean (dims.kv_cache_bytes; a model
  whose KV cache is unknown is served one sequence at a time);
- fits: weights / N + KV of one sequence / N + the engine's buffers ≤ the pool of each
  device (vLLM `gpu_memory_utilization` 0.9; Apple: the wired fraction, one device only);
- largest batch: (pool × N − N × buffers − weights) / KV per sequence;
  concurrency = clip(min(peak streams, largest batch, max_concurrency), 1);
- decode step = max((dense + head + experts touched by C tokens + C × mean KV) /
  (bandwidth × η × N), C × 2 × active / (FLOP/s × decode MFU × N)) + layers × τ × (MoE
  factor) + [N > 1] layers × 2 all-reduces; stream tokens/s = 1 / step, total = C / step;
- prefill tokens/s = FLOP/s × prefill MFU × N / (2 × active); TTFT = prompt / prefill.

`tests/planner/test_selfhost.py` checks cells against benchmarks.estimate.decode_step.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from benchmarks.estimate import (
    DEFAULT_EFFICIENCY,
    GIB,
    AcceleratorSpec,
    Efficiency,
    ModelDims,
    engine_get,
    media,
    precision_get,
    usable_gib,
)
from benchmarks.estimate.dims import (
    DEFAULT_WINDOWS,
    kv_bits,
    kv_bytes_per_token_layer,
    layer_kinds_of,
    weight_split,
)
from benchmarks.estimate.memory import engine_buffers_bytes
from benchmarks.estimate.speed import layers_of
from benchmarks.estimate.support import served_precision, supported
from planner.engine.candidates import Passing
from planner.engine.columns import SelfHostTable
from planner.records import SelfHostOption

PLAN_PRECISIONS = ("bf16", "fp8", "int8", "int4-awq")


@dataclass(frozen=True, slots=True)
class Host:
    spec: AcceleratorSpec
    count: int
    efficiency: Efficiency = DEFAULT_EFFICIENCY
    estimate: str = "roofline estimate (uncalibrated)"  # what the speed figures rest on

    @property
    def engine(self) -> str:
        return "mlx" if self.spec.kind == "apple" else "vllm"


@dataclass(frozen=True, slots=True)
class HostGrid:
    """Arrays indexed [model, host, precision]."""

    fits: np.ndarray  # bool
    memory_needed_gib: np.ndarray  # all devices together, one sequence at the context
    concurrency: np.ndarray  # streams one instance serves at once
    max_streams: np.ndarray  # the most streams one instance can hold (memory, the cap)
    decode_tokens_per_s_total: np.ndarray
    stream_tokens_per_s: np.ndarray
    prefill_tokens_per_s: np.ndarray
    ttft_s: np.ndarray


_KV_BYTES = kv_bits("bf16") / 8
_OTHER_KINDS = ("sliding", "chunked", "linear")


@dataclass(frozen=True)
class DimsColumns:
    """What host_grid reads of each model, as arrays indexed by model (the workload and
    the hosts aside): weight_bytes per precision (total, dense + head, one expert), the
    KV cache's bytes per token and layer with its layer kinds counted (the formula of
    dims.kv_cache_bytes at any context), the sizes, and the engines' buffers (per engine ×
    unified memory, computed when first asked). Built once per catalog read (the planner
    caches it with the catalog rows); `take` selects models."""

    dims: tuple[ModelDims, ...]
    precisions: tuple[str, ...]
    weights: np.ndarray  # (M, P)
    dense_head: np.ndarray  # (M, P)
    expert: np.ndarray  # (M, P)
    kv_per: np.ndarray  # KV bytes per token and layer, 0 where unknown
    kv_known: np.ndarray  # bool: a KV size (or none needed: linear attention only)
    n_sliding: np.ndarray
    window: np.ndarray  # the sliding window (inf: the whole context)
    n_chunked: np.ndarray
    chunk: np.ndarray  # the attention chunk (inf: the whole context)
    n_full: np.ndarray  # layers holding every token
    active: np.ndarray
    layers: np.ndarray
    moe: np.ndarray
    n_exp: np.ndarray
    k_exp: np.ndarray
    total: np.ndarray
    _buffers: dict = field(default_factory=dict, compare=False, repr=False)
    # taken from: (the columns, the index), so buffers are computed once on those
    _source: tuple | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_dims(
        cls, dims: Sequence[ModelDims], precisions: Sequence[str] = PLAN_PRECISIONS
    ) -> DimsColumns:
        m, p = len(dims), len(precisions)
        precs = [precision_get(name) for name in precisions]
        weights, dense_head, expert = np.zeros((m, p)), np.zeros((m, p)), np.zeros((m, p))
        kv = np.zeros((m, 7))  # per, known, sliding, window, chunked, chunk, full
        for i, d in enumerate(dims):
            # weight_bytes(d, p): each model's weight_split once
            split = weight_split(d)
            for j, prec in enumerate(precs):
                if split.tied:
                    emb = split.embedding * max(prec.embedding_bits, prec.output_bits) / 8
                    head, out = emb, 0.0
                else:
                    emb = split.embedding * prec.embedding_bits / 8
                    out = split.output * prec.output_bits / 8
                    head = out
                dense = split.repeating * prec.bits_per_weight / 8
                experts = split.experts * prec.expert_bits / 8
                lookup = split.lookup * prec.embedding_bits / 8
                weights[i, j] = emb + out + dense + experts + lookup
                dense_head[i, j] = dense + head
                expert[i, j] = split.expert_size * prec.expert_bits / 8
            # kv_cache_bytes(d, t) (bf16, one sequence), the layer kinds counted once
            per = kv_bytes_per_token_layer(d, _KV_BYTES)
            kinds = layer_kinds_of(d)
            if per is None or kinds is None:
                linear = bool(d.layer_kinds) and all(k == "linear" for k in d.layer_kinds)
                kv[i] = (0.0, linear, 0.0, math.inf, 0.0, math.inf, 0.0)
                continue
            n = Counter(kinds)
            window = d.sliding_window or DEFAULT_WINDOWS.get(d.model_type) or math.inf
            chunk = d.attention_chunk_tokens or (
                8192 if d.model_type.startswith("llama4") else math.inf
            )
            full = sum(v for k, v in n.items() if k not in _OTHER_KINDS)
            kv[i] = (per, True, n["sliding"], window, n["chunked"], chunk, full)
        routing = [d.routing for d in dims]
        return cls(
            dims=tuple(dims), precisions=tuple(precisions),
            weights=weights, dense_head=dense_head, expert=expert,
            kv_per=kv[:, 0], kv_known=kv[:, 1].astype(bool), n_sliding=kv[:, 2],
            window=kv[:, 3], n_chunked=kv[:, 4], chunk=kv[:, 5], n_full=kv[:, 6],
            active=np.array([d.active for d in dims], dtype=np.float64),
            layers=np.array([layers_of(d) for d in dims], dtype=np.float64),
            moe=np.array([d.is_moe for d in dims], dtype=bool),
            n_exp=np.array([r[0] for r in routing], dtype=np.float64),
            k_exp=np.array([r[1] for r in routing], dtype=np.float64),
            total=np.array([d.params_total for d in dims], dtype=np.float64),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.dims)

    def kv_bytes(self, tokens: int) -> np.ndarray:
        """kv_cache_bytes(d, tokens) of every model (0 where unknown: see kv_known)."""
        t = float(tokens)
        held = self.n_sliding * np.minimum(t, self.window)
        held += self.n_chunked * np.minimum(t, self.chunk)
        held += self.n_full * t
        return self.kv_per * held

    def buffers(self, engine: str, unified: bool) -> np.ndarray:
        """engine_buffers_bytes of every model for one engine and memory kind."""
        key = (engine, unified)
        if key not in self._buffers and self._source is not None:
            source, at = self._source
            self._buffers[key] = source.buffers(engine, unified)[at]
        elif key not in self._buffers:
            spec = engine_get(engine)
            self._buffers[key] = np.array(
                [engine_buffers_bytes(d, spec, apple=unified) for d in self.dims],
                dtype=np.float64,
            )
        return self._buffers[key]

    def take(self, index: Sequence[int] | np.ndarray) -> DimsColumns:
        """The models at `index`, in that order (buffers computed on these columns, once)."""
        at = np.asarray(index, dtype=np.int64)
        arrays = {
            f.name: getattr(self, f.name)[at]
            for f in fields(self)
            if f.name not in ("dims", "precisions", "_buffers", "_source")
        }
        dims = tuple(self.dims[i] for i in at.tolist())
        return DimsColumns(
            dims=dims, precisions=self.precisions, _source=(self, at), **arrays
        )  # fmt: skip


def host_grid(
    dims: Sequence[ModelDims] | DimsColumns,
    hosts: Sequence[Host],
    precisions: Sequence[str] = PLAN_PRECISIONS,
    *,
    prompt_tokens: int,
    output_tokens: int,
    peak_concurrency: int,
    max_concurrency: int = 256,
) -> HostGrid:
    """Fit and speed of every model on every host at every precision (module docstring).
    `dims`: the models' ModelDims, or their DimsColumns (at `precisions`)."""
    k, p = len(hosts), len(precisions)
    precs = [precision_get(name) for name in precisions]
    prompt = max(int(prompt_tokens), 1)
    context = prompt + max(int(output_tokens), 0)
    mean_ctx = prompt + max(int(output_tokens), 0) // 2
    cols = dims if isinstance(dims, DimsColumns) else DimsColumns.from_dims(dims, precisions)
    if cols.precisions != tuple(precisions):
        raise ValueError(f"columns at {cols.precisions}, grid asked at {tuple(precisions)}")
    m = len(cols)
    kv_known = cols.kv_known
    kv_seq = cols.kv_bytes(context)
    kv_mean = cols.kv_bytes(mean_ctx)
    active, layers, moe = cols.active, cols.layers, cols.moe
    n_exp, k_exp, total = cols.n_exp, cols.k_exp, cols.total

    count = np.array([h.count for h in hosts], dtype=np.float64)
    single = np.array([engine_get(h.engine).parallel == "single" for h in hosts])
    pool = np.array([usable_gib(h.spec, engine_get(h.engine)) * GIB for h in hosts])
    bandwidth = np.array([h.spec.bandwidth_gbps * 1e9 * h.efficiency.bandwidth for h in hosts])
    flops = np.array(
        [[h.spec.tflops_for(x.compute_dtype) * 1e12 for x in precs] for h in hosts]
    ).reshape(k, p)
    # per model × host: the engine's buffers depend on the model's dims (computed once per
    # model × (engine, unified memory), then spread over the hosts)
    kinds: dict[tuple[str, bool], int] = {}
    kind_of = [kinds.setdefault((h.engine, h.spec.unified), len(kinds)) for h in hosts]
    per_kind = (
        np.stack([cols.buffers(e, unified) for e, unified in kinds], axis=1).reshape(m, len(kinds))
        if kinds
        else np.zeros((m, 0))
    )
    buffers = per_kind[:, np.array(kind_of, dtype=np.int64)].reshape(m, k)
    tau = np.array([h.efficiency.layer_overhead_us * 1e-6 for h in hosts])
    moe_factor = np.array([1 + engine_get(h.engine).moe_layer_factor for h in hosts])
    allreduce = np.array([engine_get(h.engine).allreduce_us * 1e-6 for h in hosts])

    c3 = count[None, :, None]
    weights = cols.weights[:, None, :]  # (M, 1, P)
    per_device = (weights + kv_seq[:, None, None]) / c3 + buffers[:, :, None]
    fits = per_device <= pool[None, :, None]
    fits &= ((count == 1) | ~single)[None, :, None]
    fits &= (total > 0)[:, None, None]
    free = (pool[None, :, None] - buffers[:, :, None]) * c3 - weights
    with np.errstate(divide="ignore", invalid="ignore"):
        conc = np.floor(free / kv_seq[:, None, None])
    conc = np.where(kv_known[:, None, None] & (kv_seq[:, None, None] > 0), conc, 1.0)
    max_streams = np.clip(np.minimum(conc, max_concurrency), 1, None)
    conc = np.clip(np.minimum(conc, min(peak_concurrency, max_concurrency)), 1, None)

    # experts a batch of `conc` tokens touches: MoE rows only (the power over every cell
    # of a dense catalog was the grid's costliest operation, for zeros)
    routed = np.flatnonzero(n_exp > k_exp)
    step_bytes = np.broadcast_to(cols.dense_head[:, None, :], conc.shape).copy()
    if len(routed):
        e = n_exp[routed][:, None, None]
        touched = e * (1 - (1 - k_exp[routed][:, None, None] / e) ** conc[routed])
        step_bytes[routed] += cols.expert[routed][:, None, :] * touched
    step_bytes = step_bytes + conc * kv_mean[:, None, None]
    memory_s = step_bytes / (bandwidth[None, :, None] * c3)
    decode_mfu = np.array([h.efficiency.decode_mfu for h in hosts])[None, :, None]
    peak = flops[None, :, :] * c3
    compute_s = conc * 2 * active[:, None, None] / (peak * decode_mfu)
    overhead = layers[:, None] * tau[None, :] * np.where(moe[:, None], moe_factor[None, :], 1.0)
    overhead = overhead + np.where(count[None, :] > 1, layers[:, None] * 2 * allreduce[None, :], 0)
    step = np.maximum(memory_s, compute_s) + overhead[:, :, None]
    prefill_mfu = np.array([h.efficiency.prefill_mfu for h in hosts])[None, :, None]
    safe_active = np.where(active > 0, active, 1.0)[:, None, None]
    prefill = peak * prefill_mfu / (2 * safe_active)
    memory = (weights + kv_seq[:, None, None] + buffers[:, :, None] * c3) / GIB
    return HostGrid(
        fits=fits,
        memory_needed_gib=memory,
        concurrency=conc,
        max_streams=max_streams,
        decode_tokens_per_s_total=conc / step,
        stream_tokens_per_s=1.0 / step,
        prefill_tokens_per_s=prefill,
        ttft_s=prompt / prefill,
    )


def instances_needed(
    grid: HostGrid,
    *,
    requests_per_s: float,
    output_tokens: float,
    prefill_tokens: float,
    peak_concurrency: int,
    min_stream_tokens_per_s: float | None,
    max_utilization: float,
) -> np.ndarray:
    """Instances each cell needs: planner.engine.costs.selfhost_instances broadcast over the grid,
    max(1, ⌈peak × stream ÷ total⌉, ⌈R/s × (out ÷ total + prefill ÷ prefill/s) ÷ util⌉)."""
    total = np.where(grid.decode_tokens_per_s_total > 0, grid.decode_tokens_per_s_total, np.inf)
    stream = (
        grid.stream_tokens_per_s if min_stream_tokens_per_s is None else min_stream_tokens_per_s
    )
    need = peak_concurrency * stream / total  # peak streams (same operation order, in place)
    seconds = output_tokens / total
    prefill = np.where(grid.prefill_tokens_per_s > 0, grid.prefill_tokens_per_s, np.inf)
    np.divide(prefill_tokens, prefill, out=prefill)
    seconds += prefill
    avg_need = np.multiply(requests_per_s, seconds, out=seconds)
    avg_need /= max_utilization
    np.maximum(need, avg_need, out=need)
    need -= 1e-9
    np.ceil(need, out=need)
    return np.maximum(need, 1).astype(np.int64)


def best_precision(fits: np.ndarray, ok: np.ndarray, instances: np.ndarray) -> np.ndarray:
    """One precision per (model, host): among the cells that fit and meet the latency
    target, the fewest instances, ties to the widest precision (first in the precision
    axis); where none meets the target, the widest that fits (the engine then counts it as
    missing the target). The others cost the same or more at lower precision, so they are
    left out before ranking. Returns the mask of kept cells."""
    big = np.iinfo(np.int64).max
    good = fits & ok
    score = np.where(good, instances, big)
    pick = np.argmin(score, axis=2)  # first minimum: the widest precision among equals
    has_ok = good.any(axis=2)
    first_fit = np.argmax(fits, axis=2)
    pick = np.where(has_ok, pick, first_fit)
    keep = pick[:, :, None] == np.arange(fits.shape[2])  # one cell per (model, host)
    return keep & fits


def records_prefilter(
    options: Iterable[SelfHostOption], passing: Passing, counts: dict[str, int]
) -> list[SelfHostOption]:
    """The records worth converting to columns: of a passing model, fitting, self-hostable
    (the first three checks of the rank, counted the same way; one cheap pass each)."""
    known = [o for o in options if o.model_id in passing]
    fit = [o for o in known if o.fits]
    counts["self-host: does not fit in memory"] = len(known) - len(fit)
    ok = [o for o in fit if passing[o.model_id][3]]
    if len(ok) < len(fit):
        closed = sum(
            1 for o in fit if not passing[o.model_id][3] and not passing[o.model_id][0].open_weights
        )
        counts["self-host: weights not open"] = closed
        counts["self-host: context shorter than required"] = len(fit) - len(ok) - closed
    return ok


ENGINE_LABELS = {"vllm": "vLLM", "mlx": "MLX"}


def supported_on(host: Host, precision: str) -> bool:
    served = served_precision(host.engine, host.spec.family, precision)
    return supported(host.engine, host.spec.vendor, host.spec.family, served)[0]


def measured_apply(grid: HostGrid, facts, ids: list[int], meta: list[tuple]) -> np.ndarray:
    """Overwrite estimated cells with trusted measured figures (model × accelerator ×
    precision × count); returns the mask of measured cells. A run measured at another
    concurrency keeps its per-stream speed; the total scales only down (fewer streams than
    measured, never up)."""
    measured = np.zeros_like(grid.fits)
    if not facts.measured:
        return measured
    row = {model_id: i for i, model_id in enumerate(ids)}
    hosts: dict[tuple[int, int], list[int]] = {}
    for ki, (acc, count, _, _) in enumerate(meta):
        hosts.setdefault((acc.id, count), []).append(ki)
    column = {p: i for i, p in enumerate(PLAN_PRECISIONS)}
    for (model_id, acc_id, precision, count), m in facts.measured.items():
        mi, pi = row.get(model_id), column.get(precision)
        if mi is None or pi is None:
            continue
        for ki in hosts.get((acc_id, count), ()):
            conc = float(grid.concurrency[mi, ki, pi])
            grid.stream_tokens_per_s[mi, ki, pi] = m.stream_tokens_per_s
            grid.decode_tokens_per_s_total[mi, ki, pi] = min(
                m.decode_tokens_per_s_total, m.stream_tokens_per_s * conc
            )
            if m.ttft_s is not None:
                grid.ttft_s[mi, ki, pi] = m.ttft_s
            if m.prefill_tokens_per_s:
                grid.prefill_tokens_per_s[mi, ki, pi] = m.prefill_tokens_per_s
            measured[mi, ki, pi] = True
    return measured


@dataclass(frozen=True, slots=True)
class MediaModel:
    """A self-host candidate of an image or speech task: its size and, for speech, the
    Open ASR board's measured RTFx (None: not on the board)."""

    model_id: int
    repo_id: str
    params_total: float
    rtfx: float | None = None


@dataclass(frozen=True, slots=True)
class HostPrice:
    """One host as the table lists it: names, price per hour, owned or rented."""

    slug: str
    name: str
    cloud: str = ""
    region: str = ""
    instance: str = ""
    hourly_usd: float = 0.0
    owned: bool = False
    spot: bool = False
    purchase_usd: float | None = None
    purchase_source: str = ""  # where purchase_usd comes from (entered, list price ...)


MEDIA_ENGINES = {"text-to-image": "diffusers", "speech-to-text": "transformers"}
MEDIA_ENGINE_LABELS = {"diffusers": "diffusers", "transformers": "Transformers"}


def media_table(
    task: str,
    models: Sequence[MediaModel],
    hosts: Sequence[Host],
    prices: Sequence[HostPrice],
    *,
    units_per_request: float,
    peak_concurrency: int,
    max_batch: int = 64,
) -> tuple[SelfHostTable, int]:
    """Self-host options of a text-to-image or speech-to-text task (benchmarks.estimate.
    media): every model × host where one copy fits each device, at 16 bits (bf16, fp16
    below compute capability 8.0; the support table), the instance's devices serving
    copies. Returns the table and the model × host cells the engine cannot serve there.

    Rates are in the task's unit (images/s, audio seconds/s). Images: one image holds one
    device (stream = one device's rate, instance = N × that, concurrency N). Speech: the
    RTFx is a batched rate, shared by min(peak streams, max_batch) streams. TTFT is the
    time one request takes at that stream rate."""
    engine = MEDIA_ENGINES[task]
    cols: dict[str, list] = {k: [] for k in (
        "model_id", "host", "count", "precision", "memory_total", "memory_needed", "total",
        "stream", "ttft", "source", "max_streams",
    )}  # fmt: skip
    precisions = ("bf16", "fp16")
    sources: dict[str, int] = {}
    unsupported = 0
    for k, host in enumerate(hosts):
        spec = host.spec
        if spec.kind == "cpu":
            continue
        precision = served_precision(engine, spec.family, "bf16")
        if not supported(engine, spec.vendor, spec.family, precision)[0]:
            unsupported += len(models)
            continue
        tflops = spec.tflops_for("bf16")
        n = host.count
        for m in models:
            if task == "text-to-image":
                pipe = media.pipeline_for(m.repo_id, m.params_total)
                need = media.weights_gib(pipe.total_params)
                one = 1.0 / media.diffusion_seconds_per_image(pipe, tflops)
                total, stream, conc = one * n, one, float(n)
                label = f"diffusion FLOPs × steps, {pipe.source} (uncalibrated)"
            else:
                need = media.weights_gib(m.params_total)
                total, label = media.asr_audio_seconds_per_s(
                    params=m.params_total, tflops=tflops, count=n, rtfx=m.rtfx,
                    accelerator_slug=spec.slug,
                )  # fmt: skip
                conc = float(max(1, min(peak_concurrency, max_batch)))
                stream = total / conc
            if need > spec.memory_gib:
                continue
            cols["model_id"].append(m.model_id)
            cols["host"].append(k)
            cols["count"].append(n)
            cols["precision"].append(precisions.index(precision))
            cols["memory_total"].append(spec.memory_gib * n)
            cols["memory_needed"].append(need * n)
            cols["total"].append(total)
            cols["stream"].append(stream)
            cols["ttft"].append(units_per_request / stream if units_per_request > 0 else 0.0)
            cols["source"].append(sources.setdefault(label, len(sources)))
            cols["max_streams"].append(conc)
    size = len(cols["model_id"])

    def floats(name: str) -> np.ndarray:
        return np.array(cols[name], dtype=np.float64)

    host = np.array(cols["host"], dtype=np.int64)
    table = SelfHostTable(
        model_id=np.array(cols["model_id"], dtype=np.int64), host=host,
        hosts=tuple((p.slug, p.name, p.cloud, p.region, p.instance) for p in prices),
        device_count=np.array(cols["count"], dtype=np.int64),
        precision=np.array(cols["precision"], dtype=np.int64), precisions=precisions,
        memory_total_gib=floats("memory_total"), fits=np.ones(size, dtype=bool),
        decode_tokens_per_s_total=floats("total"), stream_tokens_per_s=floats("stream"),
        ttft_s=floats("ttft"), measured=np.array(
            [s.startswith("measured") for s in sources], dtype=bool
        )[np.array(cols["source"], dtype=np.int64)] if size else np.zeros(0, dtype=bool),
        hourly_usd=np.array([p.hourly_usd for p in prices], dtype=np.float64)[host],
        owned=np.array([p.owned for p in prices], dtype=bool)[host],
        spot=np.array([p.spot for p in prices], dtype=bool)[host],
        prefill_tokens_per_s=np.full(size, np.nan), memory_needed_gib=floats("memory_needed"),
        host_engines=(MEDIA_ENGINE_LABELS[engine],) * len(prices),
        max_streams=floats("max_streams"),
        host_purchase=tuple(p.purchase_usd for p in prices),
        host_purchase_source=tuple(p.purchase_source for p in prices),
        source=np.array(cols["source"], dtype=np.int64), sources=tuple(sources),
    )  # fmt: skip
    return table, unsupported


def with_per_second(table: SelfHostTable) -> SelfHostTable:
    """The table plus a copy of each rented option billed per second of use (owned
    hardware stays always-on: it is paid whether it works or not)."""
    rented = np.flatnonzero(~table.owned)
    if not len(rented):
        return table
    base = np.zeros(len(table), dtype=bool) if table.per_second is None else table.per_second
    names = (
        "model_id", "host", "device_count", "precision", "memory_total_gib", "fits",
        "decode_tokens_per_s_total", "stream_tokens_per_s", "ttft_s", "measured",
        "hourly_usd", "owned", "spot", "prefill_tokens_per_s", "memory_needed_gib",
    )  # fmt: skip
    joined = {f: np.concatenate([getattr(table, f), getattr(table, f)[rented]]) for f in names}
    for f in ("max_streams", "source"):
        column = getattr(table, f)
        joined[f] = None if column is None else np.concatenate([column, column[rented]])
    return SelfHostTable(
        **joined, hosts=table.hosts, precisions=table.precisions,
        host_estimates=table.host_estimates, host_engines=table.host_engines,
        host_purchase=table.host_purchase, host_purchase_source=table.host_purchase_source,
        sources=table.sources, per_second=np.concatenate([base, np.ones(len(rented), dtype=bool)]),
    )  # fmt: skip
