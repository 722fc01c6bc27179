"""Every priced model gets a task and modalities (issue 14 §4).

`model_tasks_fill` runs after each offers load: for catalog models with a current offer
and no task, the task is decided from the modes and units of all their current offers
(pricing.offer_tasks); models without modalities get them from their offers, or from
their task. A task a model already has (the Hub's pipeline tag) is never replaced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from catalog.hub_tasks import task_name
from catalog.models import Model, Task
from pricing.models import Offer
from pricing.offer_tasks import TASK_MODALITIES, TASK_NAMES, decide, guess, modalities_for_task

BATCH = 1000


def _needs_filling() -> Q:
    return Q(task__isnull=True) | Q(input_modalities=[]) | Q(output_modalities=[])


def model_tasks_fill(*, model_ids: Iterable[int] | None = None) -> int:
    """Fill task / modalities of priced models that lack them; returns models written.

    Three queries plus one UPDATE per batch of changed models."""
    current = Offer.objects.filter(model_id=OuterRef("pk"), valid_to__isnull=True)
    todo = Model.objects.filter(_needs_filling()).filter(Exists(current))
    if model_ids is not None:
        todo = todo.filter(id__in=list(model_ids))
    models = {
        m["id"]: m
        for m in todo.values("id", "task_id", "task__slug", "input_modalities", "output_modalities")
    }
    if not models:
        return 0
    offers: dict[int, list] = defaultdict(list)
    rows = Offer.objects.filter(valid_to__isnull=True, model_id__in=list(models))
    for model_id, mode, unit in rows.values_list("model_id", "mode", "unit"):
        offers[model_id].append(guess(mode, unit))
    decided = {mid: decide(gs) for mid, gs in offers.items()}
    tasks = _tasks_ensure({d.task for d in decided.values() if d is not None})
    changed: list[Model] = []
    for mid, m in models.items():
        d = decided.get(mid)
        task_id, task_slug = m["task_id"], m["task__slug"]
        if task_id is None and d is not None:
            task_id, task_slug = tasks[d.task], d.task
        if d is not None and (task_slug == d.task or m["task_id"] is None):
            inputs, outputs = d.inputs, d.outputs
        else:
            inputs, outputs = modalities_for_task(task_slug or "")
            if not (inputs or outputs) and d is not None:
                inputs, outputs = d.inputs, d.outputs  # a tag we have no modalities for
        new = Model(
            id=mid,
            task_id=task_id,
            input_modalities=m["input_modalities"] or list(inputs),
            output_modalities=m["output_modalities"] or list(outputs),
        )
        if (new.task_id, new.input_modalities, new.output_modalities) != (
            m["task_id"],
            m["input_modalities"],
            m["output_modalities"],
        ):
            changed.append(new)
    Model.objects.bulk_update(
        changed, ["task", "input_modalities", "output_modalities"], batch_size=BATCH
    )
    return len(changed)


def _tasks_ensure(slugs: set[str]) -> dict[str, int]:
    """slug -> Task id, creating the missing Task rows (named like the Hub's tags)."""
    existing = dict(Task.objects.filter(slug__in=slugs).values_list("slug", "id"))
    missing = [s for s in slugs if s not in existing]
    if missing:
        Task.objects.bulk_create(
            [
                Task(slug=s, name=TASK_NAMES.get(s, task_name(s))[0], category=_category(s))
                for s in missing
            ],
            ignore_conflicts=True,
        )
        existing = dict(Task.objects.filter(slug__in=slugs).values_list("slug", "id"))
    return existing


def _category(slug: str) -> str:
    return TASK_NAMES.get(slug, task_name(slug))[1]


def model_modalities_from_tasks() -> int:
    """Models (priced or not) without modalities get their task's (one UPDATE per task);
    for the modality filters on Hub models no feed prices. Returns rows written."""
    written = 0
    for slug, (inputs, outputs) in TASK_MODALITIES.items():
        written += Model.objects.filter(
            task__slug=slug, input_modalities=[], output_modalities=[]
        ).update(input_modalities=list(inputs), output_modalities=list(outputs))
    return written


def priced_models_without_task() -> list[str]:
    """Repo ids of models with a current offer and no task (the snapshot check: 0)."""
    return list(
        Model.objects.filter(offers__valid_to__isnull=True, task__isnull=True)
        .distinct()
        .order_by("repo_id")
        .values_list("repo_id", flat=True)
    )
