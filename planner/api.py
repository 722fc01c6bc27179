"""Planner API: `POST /api/plans/` ranks and saves a plan, `GET /api/plans/{slug}/` reads it.

POST is open to anonymous clients (planning is a read-like use of the catalog: it writes
only the plan itself); it runs under the same per-client throttles as every API call
(`API_THROTTLE_ANON` / `API_THROTTLE_USER`). The body mirrors the wizard's fields
(`planner.answers`); invalid answers give 400 with `{"error": {"fields": {name: message}}}`.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.services.resolve import model_resolve
from config.api import ErrorOut
from config.throttles import PlanCreateThrottle
from planner import site
from planner.answers import BILLING_CHOICES, inputs_from_answers
from planner.deploy_api import DeployActionMixin
from planner.lifecycle import plan_mark_viewed
from planner.models import Plan
from planner.reprice_api import RepriceActionMixin
from planner.seats_service import plan_create_for_answers
from planner.selectors import TASKS
from planner.services import PlanInvalid

BIG = 1e12


class OwnedIn(serializers.Serializer):
    accelerator = serializers.SlugField(help_text="Accelerator slug, e.g. `rtx-4090`.")
    count = serializers.IntegerField(min_value=1, max_value=1024, default=1)
    purchase_usd = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1e8,
        help_text=(
            "Purchase price per accelerator, amortised over the plan's months. Omitted: the "
            "accelerator's list price (source and date on /api/accelerators/) where it has "
            "one; 0: already paid for, power only."
        ),
    )  # fmt: skip


def _num(help_text: str, *, required: bool = False, max_value: float = BIG, **kw: Any):
    return serializers.FloatField(
        required=required, allow_null=not required, min_value=kw.pop("min_value", 0),
        max_value=max_value, help_text=help_text, **kw,
    )  # fmt: skip


class PlanIn(serializers.Serializer):
    """The wizard's answers. Omitted fields take the wizard's defaults."""

    seats = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1_000_000,
        help_text="Seats workload: people. The volume becomes seats × interactions per day, "
        "and the plan compares seat subscriptions with the API and self-hosted rows.",
    )  # fmt: skip
    interactions_per_seat_per_day = _num(
        "Seats workload: interactions per person per day.", max_value=100_000
    )
    task = serializers.ChoiceField(
        choices=[*TASKS, *site.TASK_OF_CATALOG],
        # Never echo the submitted value back (it may carry markup).
        error_messages={"invalid_choice": "Not a known task; see the schema for the choices."},
        help_text="What the model does: a planner task, or a catalog task slug mapped to one "
        "(text-generation -> chat, feature-extraction -> embeddings, ...).",
    )
    model = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="A catalog repo id: plan with this model and its family only.",
    )  # fmt: skip
    requests_per_day = _num("Requests per day.")
    requests_per_month = _num("Requests per month (wins over per day).")
    avg_input_tokens = _num("Average input tokens per request.", max_value=1e8)
    avg_output_tokens = _num("Average output tokens per request.", max_value=1e8)
    images_per_request = _num("Images per request (text-to-image).", max_value=1e4)
    audio_minutes_per_request = _num("Audio minutes per request (speech-to-text).", max_value=1e4)
    cacheable_input_share = _num("Share of input tokens served from the cache, 0..1.", max_value=1)
    peak_concurrency = serializers.IntegerField(
        required=False, min_value=1, max_value=100_000, help_text="Streams at the peak."
    )
    max_ttft_s = _num("Latency target: max time to first token (s).", max_value=3600)
    min_stream_tokens_per_s = _num("Latency target: min tokens/s per stream.", max_value=1e6)
    batch_ok = serializers.BooleanField(required=False, help_text="Async batch is acceptable.")
    budget_monthly_usd = _num("Monthly budget in USD (null: none).")
    hardware_capex_usd = _num("One-off hardware budget in USD.")
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=["api", "owned", "cloud", "any"]),
        required=False, max_length=4, help_text="Where the model may run.",
    )  # fmt: skip
    owned = OwnedIn(many=True, required=False, help_text="Accelerators you own.")
    power_usd_per_kwh = _num("Power price for owned hardware.", max_value=100)
    clouds = serializers.ListField(
        child=serializers.SlugField(), required=False, max_length=50, help_text="Allowed clouds."
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, max_length=200,
        help_text="Allowed regions.",
    )  # fmt: skip
    spot = serializers.BooleanField(required=False, help_text="Rent spot instances.")
    billing = serializers.ChoiceField(
        choices=list(BILLING_CHOICES), required=False,
        help_text="Rented hosts: always-on only, or also billed per second of use "
        "(auto: for embeddings, text-to-image and speech-to-text).",
    )  # fmt: skip
    open_weights_only = serializers.BooleanField(required=False)
    commercial_only = serializers.BooleanField(required=False)
    min_context_tokens = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000_000
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=50
    )
    excluded_providers = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, max_length=200
    )
    quality_floor = _num("Minimum quality index, 0..100.", max_value=100)
    include_free_tiers = serializers.BooleanField(
        required=False, help_text="Rank free tiers with the paid offers (default: listed apart)."
    )
    include_resellers = serializers.BooleanField(
        required=False, help_text="Rank gateways and resellers (default: left out)."
    )
    include_unreviewed = serializers.BooleanField(
        required=False, help_text="Rank providers not reviewed yet (default: left out)."
    )
    days_per_month = _num("Assumption: days in a month.", max_value=31)
    max_utilization = _num("Assumption: max average utilization of an instance.", max_value=1)
    proxy_ceiling = _num(
        "Assumption: top of the popularity-and-size quality proxy, 0..100 (default 50).",
        max_value=100,
    )


class DeploymentOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["api", "owned", "cloud"])
    label = serializers.CharField()
    offer_id = serializers.IntegerField(allow_null=True)
    provider_slug = serializers.CharField()
    accelerator_slug = serializers.CharField()
    count = serializers.IntegerField()
    precision = serializers.CharField()
    cloud = serializers.CharField()
    region = serializers.CharField()
    instance = serializers.CharField()
    spot = serializers.BooleanField()
    throughput_source = serializers.CharField()
    provider_kind = serializers.CharField(
        required=False, help_text="API: the provider's kind (first_party, inference_host, ...)."
    )
    billing = serializers.CharField(
        required=False, help_text="Self-host: always-on or per-second (of use)."
    )


class CostOut(serializers.Serializer):
    monthly_usd = serializers.FloatField()
    requests_per_month = serializers.FloatField()
    input_usd = serializers.FloatField()
    cached_input_usd = serializers.FloatField()
    output_usd = serializers.FloatField()
    image_usd = serializers.FloatField()
    audio_usd = serializers.FloatField()
    fees_usd = serializers.FloatField(
        required=False, help_text="API: per-request fees and other per-unit charges."
    )
    compute_usd = serializers.FloatField()
    instances = serializers.IntegerField()
    hourly_usd = serializers.FloatField()
    hours = serializers.FloatField()
    batch_applied = serializers.BooleanField()
    notes = serializers.ListField(child=serializers.CharField())


class QualityOut(serializers.Serializer):
    score = serializers.FloatField(help_text="0..100")
    kind = serializers.ChoiceField(choices=["quality_index", "proxy"])
    label = serializers.CharField(help_text="Which signal this is, in plain words.")
    sources = serializers.ListField(child=serializers.CharField())


class SelfHostFiguresOut(serializers.Serializer):
    accelerator = serializers.CharField()
    count = serializers.IntegerField(help_text="Accelerators per instance.")
    instances = serializers.IntegerField()
    engine = serializers.CharField()
    precision = serializers.CharField()
    concurrency = serializers.FloatField(help_text="Streams per instance at peak.")
    stream_tokens_per_s = serializers.FloatField()
    aggregate_tokens_per_s = serializers.FloatField(help_text="One instance, at concurrency.")
    ttft_s = serializers.FloatField()
    usd_per_mtok_output = serializers.FloatField(allow_null=True)
    utilization = serializers.FloatField(help_text="Average load ÷ capacity bought.")
    capacity_headroom_share = serializers.FloatField(allow_null=True)
    estimate = serializers.CharField(help_text="Measured, or what the estimate rests on.")
    billing = serializers.CharField(help_text="always-on, or per-second (of use).")
    unit = serializers.CharField(
        help_text="The task's work unit: output token, input token, image, audio minute."
    )
    units_per_s = serializers.FloatField(allow_null=True, help_text="One instance, in the unit.")
    usd_per_unit = serializers.FloatField(allow_null=True, help_text="Monthly cost ÷ units.")


class PlanRowOut(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    model_id = serializers.IntegerField()
    repo_id = serializers.CharField()
    model_name = serializers.CharField()
    deployment = DeploymentOut()
    cost = CostOut()
    within_budget = serializers.BooleanField()
    budget_headroom_usd = serializers.FloatField(allow_null=True)
    meets_latency_target = serializers.BooleanField(allow_null=True)
    capacity_headroom_share = serializers.FloatField(allow_null=True)
    memory_headroom_gib = serializers.FloatField(allow_null=True)
    quality = QualityOut()
    pareto = serializers.BooleanField()
    explanation = serializers.CharField()
    assumptions = serializers.ListField(child=serializers.CharField())
    selfhost = SelfHostFiguresOut(
        allow_null=True, required=False, help_text="Self-host rows: how it runs, how fast."
    )


class CurvePointOut(serializers.Serializer):
    requests_per_month = serializers.FloatField()
    api_usd = serializers.FloatField()
    selfhost_usd = serializers.FloatField()


class BreakevenOut(serializers.Serializer):
    model_id = serializers.IntegerField()
    offer_id = serializers.IntegerField()
    deployment_label = serializers.CharField()
    api_usd_per_request = serializers.FloatField()
    instance_monthly_usd = serializers.FloatField()
    requests_per_instance_month = serializers.FloatField(allow_null=True)
    breakeven_requests_per_month = serializers.FloatField(allow_null=True)
    breakeven_requests_per_day = serializers.FloatField(allow_null=True)
    points = CurvePointOut(many=True)
    explanation = serializers.CharField()
    alt_label = serializers.CharField(
        required=False, help_text="Buy vs rent: the other kind of self-hosting (owned/rented)."
    )
    alt_usd = serializers.ListField(
        child=serializers.FloatField(), required=False,
        help_text="Its monthly cost at each point's volume (empty: none in the plan).",
    )  # fmt: skip
    buy_vs_rent = serializers.CharField(required=False)


class ExcludedOut(serializers.Serializer):
    reason = serializers.CharField()
    count = serializers.IntegerField()


class PlanOut(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.CharField(help_text="The plan's page on the website.")
    created_at = serializers.DateTimeField()
    engine_version = serializers.CharField()
    inputs = serializers.DictField(help_text="The inputs the engine ranked (PlanInputs).")
    message = serializers.CharField()
    candidates = serializers.IntegerField()
    within_budget = serializers.IntegerField()
    nothing_within_budget = serializers.BooleanField()
    rows = PlanRowOut(many=True, help_text="Ranked rows, best first.")
    pareto = PlanRowOut(many=True, help_text="The cost-vs-quality front, cheapest first.")
    excluded = ExcludedOut(many=True, help_text="Candidates left out, by reason.")
    free_tier = PlanRowOut(
        many=True, help_text="Free tiers to try (rate-limited; never ranked with paid rows)."
    )
    assumptions = serializers.ListField(child=serializers.CharField())
    breakeven = BreakevenOut(allow_null=True)
    seats = serializers.DictField(
        allow_null=True,
        help_text="Seats workload: seat subscriptions against the plan's API and self-hosted "
        "choices (null without seats).",
    )


def plan_out(plan: Plan) -> dict[str, Any]:
    result = plan.result
    return {
        "slug": plan.slug,
        "url": f"/plan/{plan.slug}/",
        "created_at": plan.created_at,
        "engine_version": plan.engine_version,
        "inputs": plan.inputs,
        **{
            k: result.get(k)
            for k in ("message", "candidates", "within_budget", "nothing_within_budget")
        },
        "rows": result.get("rows", []),
        "pareto": result.get("pareto", []),
        "free_tier": result.get("free_tier", []),
        "excluded": [{"reason": r, "count": n} for r, n in result.get("excluded", [])],
        "assumptions": result.get("assumptions", []),
        "breakeven": result.get("breakeven"),
        "seats": result.get("seats"),
    }


def answers_from_body(data: dict[str, Any]) -> dict[str, Any]:
    """Validated PlanIn data -> the wizard's flat answers (None / omitted: the default)."""
    answers: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            answers[name] = ""
        elif name == "task":
            answers[name] = site.TASK_OF_CATALOG.get(value, value)
        elif name == "owned":
            answers[name] = [dict(v) for v in value]
        else:
            answers[name] = value
    if "budget_monthly_usd" in data and data["budget_monthly_usd"] is None:
        answers["budget_monthly_usd"] = ""
    return answers


def resolve_names(answers: dict[str, Any]) -> None:
    """An unknown model: catalog -> alias -> Hub, else a 400 naming the field (never a plan
    that silently ignores it). Owned accelerators are checked by `site.all_errors`."""
    if answers.get("model"):
        answers["model"] = model_resolve(name=answers["model"], field="model").repo_id


@extend_schema_view(
    create=extend_schema(
        summary="Rank models and deployments for a project and save the plan",
        description=__doc__,
        request=PlanIn,
        responses={201: PlanOut, 400: ErrorOut},
    ),
    retrieve=extend_schema(summary="One saved plan with its ranked rows", responses=PlanOut),
)
class PlanViewSet(
    RepriceActionMixin,  # GET /api/plans/{slug}/reprice/ (issue 21 §3)
    DeployActionMixin,  # GET /api/plans/{slug}/rows/{n}/deploy/ (issue 21 §1)
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlanOut
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9]+"
    queryset = Plan.objects.none()  # for the schema; retrieve reads by slug

    def get_throttles(self) -> list[Any]:
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(PlanCreateThrottle())
        return throttles

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = PlanIn(data=request.data)
        body.is_valid(raise_exception=True)
        answers = answers_from_body(dict(body.validated_data))
        resolve_names(answers)
        errors = site.all_errors(answers=answers)
        parsed = inputs_from_answers(answers)
        if errors or parsed.inputs is None:
            raise PlanInvalid("The plan inputs are not valid.", fields=errors or parsed.errors)
        plan = plan_create_for_answers(answers=answers, inputs=parsed.inputs, user=request.user)
        return Response(PlanOut(plan_out(plan)).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        plan = site.plan_get(slug=str(kwargs["slug"]))  # Http404 -> the API's 404 body
        plan_mark_viewed(plan, now=timezone.now())
        return Response(PlanOut(plan_out(plan)).data)


def register(router) -> None:
    router.register("plans", PlanViewSet, basename="plan")
