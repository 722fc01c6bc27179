"""Small builders for API tests: catalog rows written in bulk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from catalog.models import Feed, FeedRun, Model, ModelAlias, Organization, Task

BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)


def make_org(slug: str = "meta-llama") -> Organization:
    return Organization.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]


def make_task(slug: str = "text-generation") -> Task:
    return Task.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ")})[0]


def make_models(
    n: int, *, start: int = 0, org: str = "acme", task: str = "text-generation", **fields
) -> list[Model]:
    """n models `acme/model-<i>` with distinct downloads/params so every ordering is total."""
    organization, task_row = make_org(org), make_task(task)
    rows = [
        Model(
            repo_id=f"{org}/model-{i:05d}",
            name=f"model-{i:05d}",
            organization=organization,
            task=task_row,
            downloads=1000 - i,
            likes=i % 7,
            params_total=(i + 1) * 1_000_000,
            context_tokens=4096 * (1 + i % 4),
            hub_modified_at=BASE_TIME + timedelta(days=i),
            tags=["transformers", f"tag{i % 3}"],
            license="apache-2.0" if i % 2 == 0 else "mit",
            library="transformers",
            **fields,
        )
        for i in range(start, start + n)
    ]
    return Model.objects.bulk_create(rows)


def make_model(repo_id: str, **fields) -> Model:
    org_slug = repo_id.split("/")[0]
    defaults = {"name": repo_id.split("/")[-1], "organization": make_org(org_slug)}
    defaults.update(fields)
    return Model.objects.create(repo_id=repo_id, **defaults)


def make_alias(model: Model, *, source: str = "litellm", alias: str | None = None) -> ModelAlias:
    return ModelAlias.objects.create(
        model=model, source=source, alias=alias or model.repo_id, rule=ModelAlias.Rule.EXACT_REPO
    )


def make_feed_with_runs(slug: str = "litellm", runs: int = 1) -> Feed:
    feed = Feed.objects.create(slug=slug, name=slug.title(), kind=Feed.Kind.PRICING)
    FeedRun.objects.bulk_create(
        FeedRun(
            feed=feed,
            status=FeedRun.Status.SUCCESS,
            started_at=BASE_TIME + timedelta(hours=i),
            finished_at=BASE_TIME + timedelta(hours=i, minutes=1),
            created=i,
        )
        for i in range(runs)
    )
    return feed
