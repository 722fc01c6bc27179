"""The MCP tools as plain functions: each validates its input with the REST API's own
FilterSet or input serializer, calls the same selector or service, and returns the API's
output serializer data. Errors become `ToolFailure` carrying the API's error body
(`{"error": {"code", "message", "fields"}}` plus the HTTP status it would have had).

No MCP import here: the functions run (and are tested) without the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework.exceptions import ValidationError

from catalog import selectors as catalog_selectors
from catalog.api import ModelDetailOut, ModelListOut, model_list_values
from catalog.filters import ModelFilter
from catalog.services.hub_fetch import model_get_or_fetch
from config.api import exception_handler
from config.errors import AtlasError
from planner.answers import inputs_from_answers
from planner.api import PlanIn, PlanOut, answers_from_body, plan_out
from planner.seats_service import plan_create_for_answers
from planner.services import PlanInvalid
from planner.site import all_errors
from pricing.api import cost_estimate_answer

T = TypeVar("T")
MAX_LIMIT = 50


class ToolFailure(Exception):
    """A tool call the API would have refused: `body` is the API's error body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(json.dumps(body))
        self.status = status
        self.body = body

    def text(self) -> str:
        return json.dumps({"status": self.status, **self.body}, default=str)


def _call(fn: Callable[[], T]) -> T:
    """Run one tool body; map its errors through the API's one exception handler."""
    try:
        return fn()
    except (AtlasError, ValidationError, DjangoValidationError, Http404) as exc:
        response = exception_handler(exc, {})
        if response is None:  # pragma: no cover - the handler maps all three
            raise
        raise ToolFailure(response.status_code, _json(response.data)) from exc


def _json(data: Any) -> Any:
    """DRF output (Decimals, ordered dicts) as plain JSON values."""
    return json.loads(json.dumps(data, default=str))


def search_models(
    *,
    query: str = "",
    task: str | None = None,
    organization: str | None = None,
    open_weights: bool | None = None,
    provider: str | None = None,
    min_context_tokens: int | None = None,
    params_max: int | None = None,
    ordering: str | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Catalog models matching the filters of `GET /api/models/` (ModelFilter), at most
    `limit` (1-50); most downloaded first unless `ordering` says otherwise."""

    def run() -> dict[str, Any]:
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError({"limit": [f"Use 1 to {MAX_LIMIT}."]})
        params = {
            "q": query, "task": task, "organization": organization,
            "open_weights": None if open_weights is None else str(open_weights).lower(),
            "provider": provider, "min_context_tokens": min_context_tokens,
            "params_max": params_max, "ordering": ordering,
        }  # fmt: skip
        data = {k: v for k, v in params.items() if v not in (None, "")}
        filterset = ModelFilter(data=data, queryset=catalog_selectors.model_list())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        qs = filterset.qs
        if not ordering:
            qs = qs.order_by("-downloads", "id")
        rows = list(model_list_values(qs)[:limit])
        return {"count": len(rows), "models": _json(ModelListOut(rows, many=True).data)}

    return _call(run)


def model_facts(*, repo_id: str) -> dict[str, Any]:
    """One model's facts as `GET /api/models/<repo_id>/` gives them."""

    def run() -> dict[str, Any]:
        model = (
            catalog_selectors.model_detail_list()
            .prefetch_related("aliases")
            .filter(repo_id=repo_id)
            .first()
        )
        if model is None:
            # As the API detail does: one the catalog lacks is fetched from the Hub
            # (a 404 naming it when the Hub has none).
            fetched = model_get_or_fetch(repo_id=repo_id)
            model = (
                catalog_selectors.model_detail_list()
                .prefetch_related("aliases")
                .get(repo_id=fetched.repo_id)
            )
        return _json(ModelDetailOut(model).data)

    return _call(run)


def price_usage(
    *,
    model: str,
    requests_per_day: int,
    input_tokens: int,
    output_tokens: int,
    cache_hit_share: Decimal | float | str = 0,
    batch_ok: bool = False,
    days: int = 30,
    accelerator: str | None = None,
    accelerator_count: int | None = None,
    precision: str = "bf16",
    concurrency: int = 8,
    utilization: float = 0.5,
) -> dict[str, Any]:
    """A workload's monthly cost on every current API offer and self-hosted, as
    `POST /api/estimate/cost/` (pricing.api.cost_estimate_answer)."""

    def run() -> dict[str, Any]:
        return _json(
            cost_estimate_answer(
                {
                    "model": model, "requests_per_day": requests_per_day,
                    "input_tokens": input_tokens, "output_tokens": output_tokens,
                    "cache_hit_share": str(cache_hit_share), "batch_ok": batch_ok,
                    "days": days, "accelerator": accelerator,
                    "accelerator_count": accelerator_count, "precision": precision,
                    "concurrency": concurrency, "utilization": utilization,
                }
            )
        )  # fmt: skip

    return _call(run)


def plan(**answers: Any) -> dict[str, Any]:
    """Rank models and deployments and save the plan, as `POST /api/plans/` (PlanIn, the
    wizard's validation, plan_create). Keyword arguments are PlanIn's fields."""

    def run() -> dict[str, Any]:
        body = PlanIn(data={k: v for k, v in answers.items() if v is not None})
        body.is_valid(raise_exception=True)
        flat = answers_from_body(dict(body.validated_data))
        errors = all_errors(answers=flat)
        parsed = inputs_from_answers(flat)
        if errors or parsed.inputs is None:
            raise PlanInvalid("The plan inputs are not valid.", fields=errors or parsed.errors)
        saved = plan_create_for_answers(answers=flat, inputs=parsed.inputs)
        return _json(PlanOut(plan_out(saved)).data)

    return _call(run)


def what_runs_on(
    *,
    accelerator: str,
    count: int = 1,
    precision: str = "bf16",
    task: str | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Catalog models whose weights and KV cache (8k context, batch 1) fit on `count` ×
    `accelerator` at `precision`: `GET /api/models/?fits=&fits_count=&fits_precision=`
    (the precomputed requirement rows), most downloaded first."""

    def run() -> dict[str, Any]:
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError({"limit": [f"Use 1 to {MAX_LIMIT}."]})
        data = {"fits": accelerator, "fits_count": count, "fits_precision": precision}
        if task:
            data["task"] = task
        filterset = ModelFilter(data=data, queryset=catalog_selectors.model_list())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        rows = list(model_list_values(filterset.qs.order_by("-downloads", "id"))[:limit])
        return {
            "accelerator": accelerator, "count": count, "precision": precision,
            "models": _json(ModelListOut(rows, many=True).data),
        }  # fmt: skip

    return _call(run)
