"""The planner engine's plain-data inputs and outputs (pure: standard library and the
cost engine's records, pricing.costing).

Money here is float USD: every figure is a planning estimate (ARCHITECTURE allows floats
in pure estimate modules); the Django side converts stored Decimals at the boundary.
Ids are the catalog / pricing primary keys. `planner/codec.py` turns all of these into
JSON-safe dicts and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pricing.costing.records import OfferPricing

ENGINE_VERSION = "5"  # 2: proxy ceiling, rows per model; 3: provider kinds, free-tier list;
# 4: self-hosting beyond text generation (images, speech), billing always-on / per second;
# 5: API offers priced from their price rows (tiers, per-request fees reach plans)

MODE_API = "api"
MODE_OWNED = "owned"
MODE_CLOUD = "cloud"
MODE_ANY = "any"
MODES = (MODE_API, MODE_OWNED, MODE_CLOUD)

# Provider kinds (pricing.models.Provider.Kind values). A plan leaves out free tiers (listed
# apart, "to try for free"), gateways and resellers, and unreviewed providers unless the
# constraints let them in; subscriptions, tool APIs and local runtimes are not
# pay-as-you-go offers and are always left out. Within 5% of the same price, first-party
# labs and hyperscalers rank first. "" = not stated (records built without a registry).
KIND_FIRST_PARTY = "first_party"
KIND_HYPERSCALER = "hyperscaler"
KIND_FREE_TIER = "free_tier"
KINDS_RESELLER = frozenset({"gateway", "reseller"})
KINDS_NOT_PAYG = frozenset({"subscription", "tool", "local"})
KINDS_PREFERRED = frozenset({KIND_FIRST_PARTY, KIND_HYPERSCALER})
PREFERRED_PRICE_MARGIN = 0.05

# Self-host work units (issue 18 §6): an option's throughput is in the task's unit: images
# per second for text-to-image, seconds of audio per second for speech-to-text (the
# inverse real-time factor), tokens per second otherwise (output tokens; the input tokens
# through the prefill rate, the whole work of an embedding model).
TASK_IMAGE = "text-to-image"
TASK_SPEECH = "speech-to-text"
TASK_EMBEDDINGS = "embeddings"
# Work that can wait in a queue: rented hosts are also offered billed per second of use
# (the instance runs only while there is work) unless HardwareChoice.per_second says no.
QUEUED_TASKS = frozenset({TASK_IMAGE, TASK_SPEECH, TASK_EMBEDDINGS})
BILLING_ALWAYS_ON = "always-on"
BILLING_PER_SECOND = "per-second"

QUALITY_INDEX = "quality_index"
QUALITY_PROXY = "proxy"


@dataclass(frozen=True, slots=True)
class Workload:
    """What the project asks of a model, on average and at peak.

    `requests_per_month`, when given, wins over `requests_per_day` × days per month.
    Images / audio minutes per request price image and speech tasks per unit.
    """

    task: str
    requests_per_day: float = 0.0
    requests_per_month: float | None = None
    avg_input_tokens: float = 0.0
    avg_output_tokens: float = 0.0
    images_per_request: float = 0.0
    audio_minutes_per_request: float = 0.0
    cacheable_input_share: float = 0.0  # 0..1 of input tokens served from the prompt cache
    peak_concurrency: int = 1  # streams in flight at the busiest moment
    max_ttft_s: float | None = None  # latency target: time to first token
    min_stream_tokens_per_s: float | None = None  # latency target: decode speed per stream
    batch_ok: bool = False  # async batch APIs are acceptable


@dataclass(frozen=True, slots=True)
class Budget:
    monthly_usd: float | None = None
    hardware_capex_usd: float | None = None  # one-off hardware spend limit (no buy options yet)


@dataclass(frozen=True, slots=True)
class HardwareChoice:
    """Where the model may run. `modes` holds api / owned / cloud, or "any" for all three."""

    modes: tuple[str, ...] = (MODE_ANY,)
    owned: tuple[tuple[str, int], ...] = ()  # (accelerator slug, how many the user owns)
    # (accelerator slug, purchase USD per accelerator): amortised into the owned cost
    owned_prices: tuple[tuple[str, float], ...] = ()
    power_usd_per_kwh: float = 0.15  # used by the Django side to price owned hardware
    clouds: tuple[str, ...] = ()  # empty: any cloud
    regions: tuple[str, ...] = ()  # empty: any region
    spot: bool = False  # rent spot instances instead of on-demand
    # rented hosts billed per second of use as well as always-on: None = the task's
    # default (QUEUED_TASKS), True = for every task, False = always-on only
    per_second: bool | None = None

    def per_second_for(self, task: str) -> bool:
        return task in QUEUED_TASKS if self.per_second is None else self.per_second

    def allows(self, mode: str) -> bool:
        return MODE_ANY in self.modes or mode in self.modes


@dataclass(frozen=True, slots=True)
class Constraints:
    open_weights_only: bool = False
    commercial_only: bool = False
    min_context_tokens: int | None = None
    languages: tuple[str, ...] = ()  # every one must be listed by the model (when it lists any)
    excluded_providers: tuple[str, ...] = ()  # API provider or cloud slugs
    quality_floor: float | None = None  # on the 0..100 quality index; needs a measured index
    # A catalog repo id: the Django side then picks candidates from this model's family
    # only ("Plan with this model"); the engine itself ignores it.
    focus_repo_id: str = ""
    # Offers left out by default (one switch each): free tiers (listed apart instead),
    # gateways / resellers, providers nobody has reviewed yet.
    include_free_tiers: bool = False
    include_resellers: bool = False
    include_unreviewed: bool = False


@dataclass(frozen=True, slots=True)
class Assumptions:
    """The numbers the plan assumes; the result lists them and the wizard can edit them.

    Quality proxy (only when a model has no quality index), on 0..proxy_ceiling:
    ceiling × (w_downloads × s(downloads, downloads_full) + w_likes × s(likes, likes_full)
               + w_size × s(params_total, params_full)),
    s(x, full) = min(1, log10(1+x)/log10(1+full)). The ceiling (50 by default, the index is
    0..100) keeps a popular but unmeasured model below the measured models of the upper half.
    """

    days_per_month: float = 30.0
    max_utilization: float = 0.8  # share of an instance's throughput the average load may use
    proxy_downloads_full: float = 1e7
    proxy_likes_full: float = 1e4
    proxy_params_full: float = 1e12
    proxy_weight_downloads: float = 0.5
    proxy_weight_likes: float = 0.2
    proxy_weight_size: float = 0.3
    proxy_ceiling: float = 50.0
    breakeven_points: int = 25
    amortize_months: float = 36.0  # owned hardware with a purchase price: paid off over these
    # rented hosts billed per second of use start once a day to drain the day's queue;
    # each start (image pull, weights load) is billed this long
    startup_s_per_day: float = 300.0

    @property
    def hours_per_month(self) -> float:
        return self.days_per_month * 24.0


@dataclass(frozen=True, slots=True)
class CandidateModel:
    id: int
    repo_id: str
    name: str
    task: str
    open_weights: bool = True
    license: str = ""
    commercial_ok: bool | None = None  # None: unknown
    context_tokens: int | None = None
    languages: tuple[str, ...] = ()
    params_total: int | None = None
    params_active: int | None = None
    downloads: int = 0
    likes: int = 0
    quality_index: float | None = None  # 0..100, from quality/index.py when scores exist
    quality_sources: tuple[str, ...] = ()  # leaderboards behind the index


@dataclass(frozen=True, slots=True)
class ApiOffer:
    """One provider's current price for one model (USD per 1M tokens / per unit).

    `pricing`: the offer's price rows (pricing.OfferPrice as the cost engine's
    OfferPricing: tiers, cache writes, per-request fees, ...), what the planner prices
    the offer with; None (records built by hand) prices the summary columns above."""

    id: int
    model_id: int
    provider_slug: str
    provider_name: str = ""
    usd_per_mtok_input: float | None = None
    usd_per_mtok_output: float | None = None
    usd_per_mtok_cached_input: float | None = None  # cache read
    usd_per_mtok_batch_input: float | None = None
    usd_per_mtok_batch_output: float | None = None
    usd_per_image: float | None = None
    usd_per_audio_minute: float | None = None
    context_tokens: int | None = None  # the provider's limit, when it differs from the model's
    ttft_s: float | None = None  # measured by the provider feed, when known
    stream_tokens_per_s: float | None = None
    provider_kind: str = ""  # pricing Provider.Kind; "" = not stated
    provider_reviewed: bool | None = None  # None = not stated
    pricing: OfferPricing | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SelfHostOption:
    """One model on one instance (accelerator × count at a precision), owned or rented.

    Throughputs are in the task's work unit (TASK_IMAGE: images, TASK_SPEECH: seconds
    of audio, else tokens). `per_second`: billed per second of use (the instance runs only
    while there is work), else always-on (every hour of the month).

    decode_tokens_per_s_total: aggregate decode tokens/s one instance sustains at
    min(peak concurrency, the largest batch that fits); stream_tokens_per_s: what each
    stream sees then. prefill_tokens_per_s (optional) charges input tokens for capacity.
    hourly_usd: the instance price (cloud), or power for owned hardware
    (tdp_watts × count × utilization / 1000 × USD per kWh).
    """

    model_id: int
    accelerator_slug: str
    accelerator_name: str
    count: int
    precision: str
    memory_total_gib: float
    fits: bool
    decode_tokens_per_s_total: float
    stream_tokens_per_s: float
    ttft_s: float
    throughput_source: str  # "measured" | "estimated"
    hourly_usd: float
    owned: bool = False
    cloud: str = ""
    region: str = ""
    instance: str = ""
    spot: bool = False
    prefill_tokens_per_s: float | None = None
    memory_needed_gib: float | None = None
    purchase_usd: float | None = None  # owned: price per accelerator, amortised in hourly_usd
    # owned: where purchase_usd comes from ("entered", or the accelerator's list price,
    # its source and date); empty when there is no price
    purchase_source: str = ""
    engine: str = ""  # the engine that would serve it (vLLM, MLX), checked on support
    max_streams: float | None = None  # the most streams one instance holds (memory, cap)
    per_second: bool = False  # billed per second of use, not always-on


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Monthly cost and where it comes from. API: the token/unit lines; self-host: compute."""

    monthly_usd: float
    requests_per_month: float
    input_usd: float = 0.0
    cached_input_usd: float = 0.0
    output_usd: float = 0.0
    image_usd: float = 0.0
    audio_usd: float = 0.0
    fees_usd: float = 0.0  # API: per-request fees and other per-unit charges
    compute_usd: float = 0.0
    instances: int = 0
    hourly_usd: float = 0.0
    hours: float = 0.0
    batch_applied: bool = False
    capex_usd: float = 0.0  # one-off hardware spend the plan needs (owned: already paid, 0)
    notes: tuple[str, ...] = ()

    @property
    def usd_per_request(self) -> float:
        return self.monthly_usd / self.requests_per_month if self.requests_per_month else 0.0


@dataclass(frozen=True, slots=True)
class Deployment:
    kind: str  # api | owned | cloud
    label: str  # "OpenAI API", "2× RTX 4090 (owned, int4)", "aws us-east-1 p5.48xlarge ..."
    offer_id: int | None = None
    provider_slug: str = ""
    accelerator_slug: str = ""
    count: int = 0
    precision: str = ""
    cloud: str = ""
    region: str = ""
    instance: str = ""
    spot: bool = False
    throughput_source: str = ""  # measured | estimated (self-host)
    engine: str = ""  # self-host: the engine that would serve it (vLLM, MLX)
    provider_kind: str = ""  # api: the provider's kind (first_party, inference_host, ...)
    billing: str = ""  # self-host: always-on | per-second (BILLING_*)


@dataclass(frozen=True, slots=True)
class QualitySignal:
    score: float  # 0..100
    kind: str  # QUALITY_INDEX | QUALITY_PROXY
    label: str  # plain words: which signal this is
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SelfHostFigures:
    """How a self-hosted row runs and how fast (issue 18 §5). Speeds are per instance at
    the planned concurrency (streams in flight on one instance at peak); utilisation is
    the average load over the capacity bought; headroom is what the instances could carry
    beyond the binding need: min(streams they hold ÷ peak streams, capacity ÷ average
    load) − 1."""

    accelerator: str
    count: int  # accelerators per instance
    instances: int
    engine: str
    precision: str
    concurrency: float  # streams per instance at peak
    stream_tokens_per_s: float
    aggregate_tokens_per_s: float  # one instance at that concurrency
    ttft_s: float
    usd_per_mtok_output: float | None  # None: the workload has no output tokens
    utilization: float  # average load ÷ capacity (0..1)
    capacity_headroom_share: float | None
    estimate: str  # provenance: measured, or what the estimate rests on
    billing: str = BILLING_ALWAYS_ON  # always-on | per-second of use
    unit: str = "output token"  # the task's work unit: output token, input token, image,
    # audio minute
    units_per_s: float | None = None  # one instance's throughput in that unit
    usd_per_unit: float | None = None  # the row's monthly cost ÷ the units of the month


@dataclass(frozen=True, slots=True)
class PlanRow:
    rank: int | None  # None: a Pareto-front row outside the top rows
    model_id: int
    repo_id: str
    model_name: str
    deployment: Deployment
    cost: CostBreakdown
    within_budget: bool
    budget_headroom_usd: float | None  # budget − cost; None without a budget
    meets_latency_target: bool | None  # None: no target, or the provider's latency is unknown
    capacity_headroom_share: float | None  # spare share of capacity at peak (self-host)
    memory_headroom_gib: float | None
    quality: QualitySignal
    pareto: bool  # on the cost-vs-quality front (nothing cheaper is at least as good)
    explanation: str
    assumptions: tuple[str, ...] = ()
    stream_tokens_per_s: float | None = None  # decode speed of one stream (None: unknown)
    selfhost: SelfHostFigures | None = None  # self-host rows: how it runs and how fast

    @property
    def monthly_usd(self) -> float:
        return self.cost.monthly_usd


@dataclass(frozen=True, slots=True)
class PlanResult:
    rows: tuple[PlanRow, ...]  # the top `limit` ranked rows
    pareto: tuple[PlanRow, ...]  # the whole cost-vs-quality front, cheapest first
    candidates: int  # feasible (model × deployment) pairs that were ranked
    within_budget: int
    nothing_within_budget: bool
    message: str
    excluded: tuple[tuple[str, int], ...] = ()  # (reason, how many pairs/models) sorted
    assumptions: tuple[str, ...] = ()
    engine_version: str = ENGINE_VERSION
    # free-tier offers ("to try for free"): rate-limited, never ranked with the paid rows
    free_tier: tuple[PlanRow, ...] = ()


@dataclass(frozen=True, slots=True)
class CurvePoint:
    requests_per_month: float
    api_usd: float
    selfhost_usd: float


@dataclass(frozen=True, slots=True)
class Breakeven:
    model_id: int
    offer_id: int
    deployment_label: str
    api_usd_per_request: float
    instance_monthly_usd: float
    requests_per_instance_month: float | None  # one instance at max utilization; None: no limit
    breakeven_requests_per_month: float | None  # None: self-hosting never gets cheaper
    breakeven_requests_per_day: float | None
    points: tuple[CurvePoint, ...] = field(default=())
    explanation: str = ""
    # buy vs rent: the other kind of self-hosting for the same model at each point's volume
    alt_label: str = ""
    alt_usd: tuple[float, ...] = field(default=())
    buy_vs_rent: str = ""


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """The wizard's answers: everything `rank` needs besides the catalog data."""

    workload: Workload
    budget: Budget = field(default_factory=Budget)
    hardware: HardwareChoice = field(default_factory=HardwareChoice)
    constraints: Constraints = field(default_factory=Constraints)
    assumptions: Assumptions = field(default_factory=Assumptions)
