""" "What runs on my GPU" (`/accelerators/<slug>/`): a GET form (task, device count,
context length) over benchmarks.selectors.gpu_fit, and what an hour of the accelerator
costs on each cloud. Thin: parse input, call selectors, render."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from benchmarks import selectors as bench_selectors
from benchmarks.models import Accelerator
from benchmarks.selectors.gpu_fit import what_runs
from catalog.facts.generation import GENERATIVE_TASKS
from catalog.models import Model, Task
from pricing import selectors

PAGE_SIZE = 50
COUNTS = (1, 2, 4, 8)
CONTEXTS = (512, 2048, 8192, 32768, 131072)
ENCODER_CONTEXT = 512  # the default for tasks that do not generate (BERT: 512 tokens)
DEFAULT_CONTEXT = 8192
DEFAULT_TASK = "text-generation"
ANY_TASK = "any"
SHOWN = 20


def _int_choice(raw: str, choices: tuple[int, ...], default: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value in choices else default


def task_choices() -> list[tuple[str, str]]:
    """Tasks that have an open-weights model with a known size (1 query)."""
    sized = Model.objects.filter(
        task=OuterRef("pk"), open_weights=True, params_total__gt=0, is_test_repo=False
    )
    return list(Task.objects.filter(Exists(sized)).order_by("name").values_list("slug", "name"))


def accelerator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """What runs on `count` × the accelerator for a task at a context length, ranked by
    quality, its GPU-hour prices and their history (7 queries + the calibration set's
    state)."""
    try:
        accelerator = bench_selectors.accelerator_get(slug=slug)
    except Accelerator.DoesNotExist as exc:
        raise Http404(f"No accelerator {slug!r}.") from exc
    single = accelerator.kind in ("apple", "cpu")
    counts = (1,) if single else COUNTS
    count = _int_choice(request.GET.get("count", "1"), counts, 1)
    tasks = task_choices()
    slugs = {s for s, _ in tasks}
    task = request.GET.get("task", DEFAULT_TASK if DEFAULT_TASK in slugs else ANY_TASK)
    if task not in slugs:
        task = ANY_TASK
    default_context = (
        DEFAULT_CONTEXT if task == ANY_TASK or task in GENERATIVE_TASKS else ENCODER_CONTEXT
    )
    context_tokens = _int_choice(request.GET.get("context", ""), CONTEXTS, default_context)
    answer = what_runs(
        accelerator=accelerator, count=count, context_tokens=context_tokens,
        task_slug="" if task == ANY_TASK else task, shown=SHOWN,
    )  # fmt: skip
    prices = list(selectors.instance_price_list(accelerator_id=accelerator.id)[:PAGE_SIZE])
    for price in prices:
        price.usd_per_device_hour = (
            price.usd_per_hour_on_demand / price.accelerator_count
            if price.usd_per_hour_on_demand is not None
            else None
        )
    return render(
        request,
        "pricing/accelerator_detail.html",
        {
            "accelerator": accelerator,
            "count": count,
            "counts": counts,
            "context_tokens": context_tokens,
            "contexts": CONTEXTS,
            "task": task,
            "tasks": tasks,
            "task_label": dict(tasks).get(task, ""),
            "any_task": ANY_TASK,
            "fit": answer,
            "gpu_prices": prices,
            # closed rows and their successors: how the hour's price changed (issue 15 §5)
            "gpu_price_history": selectors.instance_price_history(accelerator_id=accelerator.id),
        },
    )
