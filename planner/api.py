"""Planner API: `POST /api/plans/` ranks and saves a plan, `GET /api/plans/{slug}/` reads it.

POST is open to anonymous clients (planning is a read-like use of the catalog: it writes
only the plan itself); it runs under the same per-client throttles as every API call
(`API_THROTTLE_ANON` / `API_THROTTLE_USER`). The body mirrors the wizard's fields
(`planner.answers`); invalid answers give 400 with `{"error": {"fields": {name: message}}}`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import ErrorOut
from planner import site
from planner.answers import inputs_from_answers
from planner.models import Plan
from planner.selectors import TASKS
from planner.services import PlanInvalid, plan_create

BIG = 1e12


class OwnedIn(serializers.Serializer):
    accelerator = serializers.SlugField(help_text="Accelerator slug, e.g. `rtx-4090`.")
    count = serializers.IntegerField(min_value=1, max_value=1024, default=1)


def _num(help_text: str, *, required: bool = False, max_value: float = BIG, **kw: Any):
    return serializers.FloatField(
        required=required, allow_null=not required, min_value=kw.pop("min_value", 0),
        max_value=max_value, help_text=help_text, **kw,
    )  # fmt: skip


class PlanIn(serializers.Serializer):
    """The wizard's answers. Omitted fields take the wizard's defaults."""

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


class CostOut(serializers.Serializer):
    monthly_usd = serializers.FloatField()
    requests_per_month = serializers.FloatField()
    input_usd = serializers.FloatField()
    cached_input_usd = serializers.FloatField()
    output_usd = serializers.FloatField()
    image_usd = serializers.FloatField()
    audio_usd = serializers.FloatField()
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
    assumptions = serializers.ListField(child=serializers.CharField())
    breakeven = BreakevenOut(allow_null=True)


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
        "excluded": [{"reason": r, "count": n} for r, n in result.get("excluded", [])],
        "assumptions": result.get("assumptions", []),
        "breakeven": result.get("breakeven"),
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


@extend_schema_view(
    create=extend_schema(
        summary="Rank models and deployments for a project and save the plan",
        description=__doc__,
        request=PlanIn,
        responses={201: PlanOut, 400: ErrorOut},
    ),
    retrieve=extend_schema(summary="One saved plan with its ranked rows", responses=PlanOut),
)
class PlanViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanOut
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9]+"
    queryset = Plan.objects.none()  # for the schema; retrieve reads by slug

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = PlanIn(data=request.data)
        body.is_valid(raise_exception=True)
        answers = answers_from_body(dict(body.validated_data))
        errors = site.all_errors(answers=answers)
        parsed = inputs_from_answers(answers)
        if errors or parsed.inputs is None:
            raise PlanInvalid("The plan inputs are not valid.", fields=errors or parsed.errors)
        plan = plan_create(inputs=parsed.inputs, user=request.user)
        return Response(PlanOut(plan_out(plan)).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        plan = site.plan_get(slug=str(kwargs["slug"]))  # Http404 -> the API's 404 body
        return Response(PlanOut(plan_out(plan)).data)


def register(router) -> None:
    router.register("plans", PlanViewSet, basename="plan")
