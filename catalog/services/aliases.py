"""Link feed names to catalog models through ModelAlias (shared by every feed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from catalog.matching import AliasIndex, CatalogEntry
from catalog.models import AliasReview, Model, ModelAlias, Organization


@dataclass(frozen=True, slots=True)
class FeedName:
    """A model as a feed names it, with whatever hints the feed gives."""

    name: str
    organization_hint: str = ""
    hub_repo_id: str = ""
    # For names that match nothing: create an API-only catalog model when set.
    display_name: str = ""
    task_slug: str = ""
    open_weights: bool = False
    context_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class AliasResolution:
    linked: dict[str, int]  # feed name -> catalog model id
    created_models: int
    ambiguous: list[str]
    unmatched: list[str]


def alias_index_build() -> AliasIndex:
    """One query: every catalog model as a CatalogEntry."""
    rows = Model.objects.values_list(
        "id", "repo_id", "organization__slug", "base_model_repo_id", "source"
    )
    return AliasIndex.build(
        CatalogEntry(
            id=pk,
            repo_id=repo_id,
            organization=org or "",
            is_derivative=bool(base) or source == Model.Source.FEED,
        )
        for pk, repo_id, org, base, source in rows
    )


@transaction.atomic
def aliases_resolve(
    *,
    source: str,
    names: Sequence[FeedName],
    create_missing: bool = False,
    index: AliasIndex | None = None,
) -> AliasResolution:
    """Map each feed name to a catalog model id, storing every new link as a ModelAlias.

    Known aliases are read in one query and reused (a reviewed, manual link always
    wins). New names are matched by `catalog.matching`; ambiguous ones get an
    AliasReview row and stay unlinked. With `create_missing`, a name that matches
    nothing becomes an API-only catalog model ("<org>/<name>", open_weights False).
    Idempotent: a second call with the same names writes nothing.
    """
    wanted = {n.name: n for n in names}
    linked: dict[str, int] = dict(
        ModelAlias.objects.filter(source=source, alias__in=list(wanted)).values_list(
            "alias", "model_id"
        )
    )
    pending = [n for name, n in wanted.items() if name not in linked]
    if not pending:
        return AliasResolution(linked=linked, created_models=0, ambiguous=[], unmatched=[])
    index = index or alias_index_build()
    new_aliases: list[ModelAlias] = []
    reviews: dict[str, tuple[int, ...]] = {}
    missing: list[FeedName] = []
    for item in pending:
        result = index.match(
            item.name, organization_hint=item.organization_hint, hub_repo_id=item.hub_repo_id
        )
        if result.model_id is not None:
            linked[item.name] = result.model_id
            new_aliases.append(
                ModelAlias(
                    source=source, alias=item.name, model_id=result.model_id, rule=result.rule
                )
            )
        elif result.rule == "ambiguous":
            reviews[item.name] = result.candidates
        else:
            missing.append(item)
    created = 0
    if create_missing and missing:
        created_ids = _api_models_create(missing)
        created = sum(1 for _, was_new in created_ids.values() if was_new)
        for item in missing:
            model_id, _ = created_ids[item.name]
            linked[item.name] = model_id
            new_aliases.append(
                ModelAlias(
                    source=source, alias=item.name, model_id=model_id, rule=ModelAlias.Rule.CREATED
                )
            )
        missing = []
    ModelAlias.objects.bulk_create(new_aliases, batch_size=1000, ignore_conflicts=True)
    _reviews_open(source=source, reviews=reviews)
    return AliasResolution(
        linked=linked,
        created_models=created,
        ambiguous=sorted(reviews),
        unmatched=sorted(m.name for m in missing),
    )


def _api_models_create(items: Sequence[FeedName]) -> dict[str, tuple[int, bool]]:
    """Create API-only models keyed on "<org>/<name>"; returns name -> (id, created)."""
    from catalog.matching import strip_provider_prefix  # local: keeps import list short

    def repo_for(item: FeedName) -> tuple[str, str]:
        org = (item.organization_hint or "unknown").strip().lower().replace(" ", "-")
        short = strip_provider_prefix(item.name)
        return f"{org}/{short}", org

    repos = {item.name: repo_for(item) for item in items}
    orgs = {org for _, org in repos.values()}
    existing_orgs = set(Organization.objects.filter(slug__in=orgs).values_list("slug", flat=True))
    Organization.objects.bulk_create(
        [Organization(slug=o, name=o.replace("-", " ").title()) for o in orgs - existing_orgs],
        ignore_conflicts=True,
    )
    org_ids = dict(Organization.objects.filter(slug__in=orgs).values_list("slug", "id"))
    existing = dict(
        Model.objects.filter(repo_id__in=[r for r, _ in repos.values()]).values_list(
            "repo_id", "id"
        )
    )
    from catalog.models import Task

    task_slugs = {i.task_slug for i in items if i.task_slug}
    task_ids = dict(Task.objects.filter(slug__in=task_slugs).values_list("slug", "id"))
    to_create: dict[str, Model] = {}
    for item in items:
        repo, org = repos[item.name]
        if repo in existing or repo in to_create:
            continue
        to_create[repo] = Model(
            repo_id=repo,
            name=item.display_name or repo.rsplit("/", 1)[-1],
            organization_id=org_ids.get(org),
            task_id=task_ids.get(item.task_slug),
            source=Model.Source.FEED,
            open_weights=item.open_weights,
            context_tokens=item.context_tokens,
        )
    Model.objects.bulk_create(list(to_create.values()), batch_size=1000, ignore_conflicts=True)
    ids = dict(
        Model.objects.filter(repo_id__in=[r for r, _ in repos.values()]).values_list(
            "repo_id", "id"
        )
    )
    return {name: (ids[repo], repo in to_create) for name, (repo, _) in repos.items()}


def _reviews_open(*, source: str, reviews: dict[str, tuple[int, ...]]) -> None:
    if not reviews:
        return
    existing = set(
        AliasReview.objects.filter(source=source, alias__in=list(reviews)).values_list(
            "alias", flat=True
        )
    )
    fresh = [AliasReview(source=source, alias=a) for a in reviews if a not in existing]
    AliasReview.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    if not fresh:
        return
    ids = dict(
        AliasReview.objects.filter(source=source, alias__in=[r.alias for r in fresh]).values_list(
            "alias", "id"
        )
    )
    through = AliasReview.candidates.through
    through.objects.bulk_create(
        [
            through(aliasreview_id=ids[r.alias], model_id=mid)
            for r in fresh
            for mid in reviews[r.alias]
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def alias_review_resolve(*, review_id: int, model_id: int) -> ModelAlias:
    """A person picked the model for an ambiguous name: store a manual alias."""
    review = AliasReview.objects.select_for_update().get(pk=review_id)
    alias, _ = ModelAlias.objects.update_or_create(
        source=review.source,
        alias=review.alias,
        defaults={"model_id": model_id, "rule": ModelAlias.Rule.MANUAL},
    )
    review.status = AliasReview.Status.RESOLVED
    review.resolved_model_id = model_id
    review.save(update_fields=["status", "resolved_model", "updated_at"])
    return alias
