"""Benchmarks website views: the model page's requirements table at another context."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from benchmarks import web_context
from catalog import selectors as catalog_selectors
from catalog.models import Model

MAX_CONTEXT_TOKENS = 10_000_000


def model_requirements(request: HttpRequest, repo_id: str) -> HttpResponse:
    """`/requirements/<repo_id>/?context_tokens=N&accelerator=SLUG&count=N`: the
    requirements table (htmx fragment, or a small page of its own without JavaScript),
    with the visitor's own accelerator × count answered on its own row. 4 queries + the
    cached calibration set."""
    try:
        model = catalog_selectors.model_get(repo_id=repo_id)
    except Model.DoesNotExist as exc:
        raise Http404(f"No model {repo_id!r} in the catalog.") from exc
    try:
        context_tokens = int(request.GET.get("context_tokens", ""))
    except ValueError:
        context_tokens = web_context.default_context_for(model)
    context_tokens = min(max(context_tokens, 1), MAX_CONTEXT_TOKENS)
    try:
        count = int(request.GET.get("count", "1"))
    except ValueError:
        count = 1
    context = web_context.requirements_for_model(
        model=model, context_tokens=context_tokens,
        mine_slug=request.GET.get("accelerator", "")[:60], mine_count=count,
    )  # fmt: skip
    if "requirements" not in context:
        raise Http404(f"{repo_id!r} has no parameter count: nothing to estimate.")
    context["model"] = model
    template = (
        "benchmarks/partials/requirements.html"
        if request.htmx
        else "benchmarks/model_requirements.html"
    )
    return render(request, template, context)
