"""Load llmfit's Hub model catalog as a secondary facts source (provenance "llmfit").

    run = llmfit_sync(path=Path(".../hf_models.json"), as_of="2026-05-12")

Every parsed repo's statement goes to Model.llmfit_facts; catalog rows that do not
exist yet are created (as Hub models, refreshed by the next Hub sync) only when the
repo's task can be established (catalog.llmfit.llmfit_task); facts are then resolved,
so llmfit's count shows only where the Hub (safetensors, config, base model) has none.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from catalog.hub_tasks import task_name
from catalog.llmfit import LlmfitFormatError, LlmfitRecord, parse_llmfit
from catalog.models import Feed, FeedRun, Model, Organization, Task
from catalog.services.hub_facts import models_facts_resolve
from catalog.services.hub_rows import in_values, org_slug
from catalog.services.runs import RunCounts, feed_ensure, feed_run_finish, feed_run_start

logger = logging.getLogger(__name__)
FEED_SLUG = "llmfit"
BATCH = 1000


def llmfit_feed() -> Feed:
    return feed_ensure(
        slug=FEED_SLUG, name="llmfit Hub model catalog", kind=Feed.Kind.HUB, format="llmfit-json"
    )


def llmfit_sync(*, path: Path, as_of: str, now: datetime | None = None) -> FeedRun:
    """Read, parse and load one hf_models.json file; a run records the counts.

    created: new catalog rows; updated: rows whose llmfit statement changed; unchanged;
    rejected: entries that are not Hub repos. Repos whose task cannot be established and
    that are not in the catalog are skipped (one line in the run's errors). A file that
    cannot be read or parsed fails the run and changes nothing. Idempotent.
    """
    now = now or timezone.now()
    run = feed_run_start(feed=llmfit_feed(), params={"path": path.name, "as_of": as_of}, now=now)
    try:
        records, errors = parse_llmfit(path.read_bytes(), as_of=as_of)
    except (OSError, LlmfitFormatError) as exc:
        return feed_run_finish(run=run, counts=RunCounts(), failed_reason=f"{path.name}: {exc}")
    counts = llmfit_load(records=records, now=now)
    counts.rejected += len(errors)
    counts.errors = errors + counts.errors
    return feed_run_finish(run=run, counts=counts)


@transaction.atomic
def llmfit_load(*, records: Sequence[LlmfitRecord], now: datetime | None = None) -> RunCounts:
    """Upsert llmfit statements (Model.llmfit_facts, keyed on repo_id), create the
    catalog rows of repos with an established task, resolve the touched rows' facts."""
    now = now or timezone.now()
    counts = RunCounts()
    by_repo = {r.repo_id: r for r in records}
    stored = {
        repo_id: (pk, facts, task_id)
        for repo_id, pk, facts, task_id in Model.objects.filter(
            repo_id__in=in_values(list(by_repo))
        ).values_list("repo_id", "id", "llmfit_facts", "task_id")
    }
    new = [r for r in records if r.repo_id not in stored and r.task]
    skipped = [r.repo_id for r in records if r.repo_id not in stored and not r.task]
    if skipped:
        counts.errors.append(
            f"{len(skipped)} repos not in the catalog skipped: task unknown "
            f"(e.g. {', '.join(skipped[:5])})"
        )
    tasks = _tasks({r.task for r in records if r.task})
    changed: list[Model] = []
    for repo_id, (pk, facts, task_id) in stored.items():
        record = by_repo[repo_id]
        new_task = tasks.get(record.task) if task_id is None and record.task else task_id
        if facts == record.facts and new_task == task_id:
            counts.unchanged += 1
            continue
        counts.updated += 1
        changed.append(Model(id=pk, llmfit_facts=record.facts, task_id=new_task, updated_at=now))
    Model.objects.bulk_update(changed, ["llmfit_facts", "task_id", "updated_at"], batch_size=BATCH)
    orgs = _orgs({r.repo_id.split("/", 1)[0] for r in new})
    Model.objects.bulk_create(
        [
            Model(
                repo_id=r.repo_id,
                name=r.repo_id.rsplit("/", 1)[-1],
                organization_id=orgs.get(org_slug(r.repo_id.split("/", 1)[0])),
                task_id=tasks.get(r.task),
                source=Model.Source.HUB,
                license=r.license,
                downloads=r.downloads,
                likes=r.likes,
                open_weights=True,
                llmfit_facts=r.facts,
                created_at=now,
                updated_at=now,
            )
            for r in new
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    counts.created = len(new)
    touched = [m.id for m in changed] + list(
        Model.objects.filter(repo_id__in=in_values([r.repo_id for r in new])).values_list(
            "id", flat=True
        )
    )
    for start in range(0, len(touched), BATCH):
        models_facts_resolve(ids=touched[start : start + BATCH], now=now)
    logger.info(
        "llmfit load created=%d updated=%d unchanged=%d skipped=%d",
        counts.created,
        counts.updated,
        counts.unchanged,
        len(skipped),
    )
    return counts


def _tasks(slugs: set[str]) -> dict[str, int]:
    Task.objects.bulk_create(
        [Task(slug=s, name=task_name(s)[0], category=task_name(s)[1]) for s in sorted(slugs)],
        ignore_conflicts=True,
    )
    return dict(Task.objects.filter(slug__in=sorted(slugs)).values_list("slug", "id"))


def _orgs(authors: set[str]) -> dict[str, int]:
    names = {org_slug(a): a for a in authors if org_slug(a)}
    Organization.objects.bulk_create(
        [Organization(slug=s, name=n[:200]) for s, n in names.items()], ignore_conflicts=True
    )
    return dict(Organization.objects.filter(slug__in=list(names)).values_list("slug", "id"))
