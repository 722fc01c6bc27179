"""Planner website views (thin): the step-by-step wizard, the result page, exports.

The wizard carries every answer along: as hidden fields in each step's form, and in the
query string of each step's URL, so a step URL works (and can be shared) without JS.
With htmx the form swaps only the wizard panel and pushes the step URL.
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from config.exports import csv_row
from config.throttles import site_throttle
from planner import answers as A
from planner import site
from planner.lifecycle import plan_mark_viewed
from planner.models import Plan
from planner.seats_service import plan_create_for_answers


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _step_url(step: str, answers: dict[str, Any]) -> str:
    return f"{reverse('planner:step', args=[step])}?{site.answers_query(answers)}"


def _render_step(
    request: HttpRequest, step: str, answers: dict[str, Any], errors: dict[str, str],
    *, push_url: str | None = None,
) -> HttpResponse:  # fmt: skip
    context = site.step_context(step=step, answers=answers, errors=errors)
    if _htmx(request):
        response = render(request, "planner/partials/step.html", context)
        if push_url:
            response["HX-Push-Url"] = push_url
    else:
        response = render(request, "planner/wizard.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def wizard(request: HttpRequest) -> HttpResponse:
    """`/plan/`: the first step (`?model=<repo_id>` preselects a model and its task)."""
    return step(request, "task")


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in A.STEPS:
        raise Http404("No such step.")
    data = request.POST if request.method == "POST" else request.GET
    answers = site.answers_from_request(data)
    if request.method == "GET":
        return _render_step(request, step, answers, {})
    index = A.STEPS.index(step)
    if request.POST.get("nav") == "back":
        target = A.STEPS[max(index - 1, 0)]
        return _go(request, target, answers)
    errors = site.step_errors(step=step, answers=answers)
    if errors:
        return _render_step(request, step, answers, errors)
    if step == "task":
        answers = A.answers_for_task(answers)
    if step != "review":
        return _go(request, A.STEPS[index + 1], answers)
    parsed = A.inputs_from_answers(answers)  # step_errors("review") checked every field
    if (throttled := site_throttle(request)) is not None:
        return throttled
    plan = plan_create_for_answers(answers=answers, inputs=parsed.inputs, user=request.user)
    url = reverse("planner:plan-detail", args=[plan.slug])
    if _htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _go(request: HttpRequest, target: str, answers: dict[str, Any]) -> HttpResponse:
    url = _step_url(target, answers)
    if _htmx(request):
        return _render_step(request, target, answers, {}, push_url=url)
    return HttpResponse(status=303, headers={"Location": url})  # POST -> GET of the next step


def _viewed(slug: str) -> Plan:
    plan = site.plan_get(slug=slug)
    plan_mark_viewed(plan, now=timezone.now())  # for the expiry task (planner.lifecycle)
    return plan


def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = site.plan_context(slug=slug, plan=_viewed(slug))
    return render(request, "planner/plan_detail.html", context)


@require_POST
def plan_rerank(request: HttpRequest, slug: str) -> HttpResponse:
    """Edited assumptions: a new plan from the old answers with the posted values."""
    answers = site.answers_for_rerank(slug=slug, data=request.POST)
    parsed = A.inputs_from_answers(answers)
    errors = site.all_errors(answers=answers) if parsed.inputs is not None else parsed.errors
    if errors:
        context = site.plan_context(slug=slug)
        context.update(edit_answers=answers, edit_errors=errors)
        return render(request, "planner/plan_detail.html", context, status=400)
    if (throttled := site_throttle(request)) is not None:
        return throttled
    plan = plan_create_for_answers(answers=answers, inputs=parsed.inputs, user=request.user)
    return redirect("planner:plan-detail", slug=plan.slug)


def plan_json(request: HttpRequest, slug: str) -> JsonResponse:
    _viewed(slug)
    response = JsonResponse(site.plan_export(slug=slug), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'inline; filename="plan-{slug}.json"'
    return response


def plan_csv(request: HttpRequest, slug: str) -> HttpResponse:
    _viewed(slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{slug}.csv"'
    writer = csv.writer(response)
    for row in site.plan_csv_rows(slug=slug):
        writer.writerow(csv_row(row))
    return response
