"""Link feed names to catalog models through ModelAlias (shared by every feed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from catalog.matching import AliasIndex, CatalogEntry
from catalog.models import AliasReview, Model, ModelAlias, Organization
from catalog.names import identity_name, parse_feed_id, vendor_of
from catalog.services.linking import STATED_RULES


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
    # A chat offer of a provider that serves only chat models under bare names
    # (catalog.chat_served): linked to the instruct sibling of the base repo it reads as.
    chat_served: bool = False


@dataclass(frozen=True, slots=True)
class AliasResolution:
    linked: dict[str, int]  # feed name -> catalog model id
    created_models: int
    ambiguous: list[str]
    unmatched: list[str]
    # Names that are empty or normalize to nothing: "<name>: why", never linked.
    rejected: list[str] = field(default_factory=list)
    relinked: int = 0


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
            is_hub=source == Model.Source.HUB,
        )
        for pk, repo_id, org, base, source in rows
    )


def name_rejection(name: str) -> str:
    """Why a feed's model id cannot be linked at all ("" when it can)."""
    if not name.strip():
        return "empty model id: rejected"
    if not parse_feed_id(name).key:
        return f"model id {name!r} normalizes to nothing: rejected"
    return ""


@transaction.atomic
def aliases_resolve(
    *,
    source: str,
    names: Sequence[FeedName],
    create_missing: bool = False,
    index: AliasIndex | None = None,
    closed: Callable[[FeedName], bool] | None = None,
    hub_fetch: bool = False,
) -> AliasResolution:
    """Map each feed name to a catalog model id, storing every new link as a ModelAlias.

    Known aliases are read in one query and reused (a reviewed, manual link always
    wins); aliases pointing at a feed-created stand-in are checked again and moved,
    with a LinkChange, when a better target appears. New names are linked by
    `catalog.services.linking` (Hub repo id, normalized name, Hub fetch when
    `hub_fetch`, existing feed model); ambiguous ones get an AliasReview row and stay
    unlinked. With `create_missing`, a name that matches nothing becomes a model under
    its vendor identity ("google/gemini-2.5-flash"; open_weights as the feed says).
    `closed(name)` says which names are closed models (never looked up on the Hub).
    Names that are empty or normalize to nothing are rejected (`rejected`).
    Idempotent: a second call with the same names writes nothing.
    """
    from catalog.services.linking import (
        Decision,
        LinkIndex,
        Relink,
        chat_sibling_of,
        decide,
        hub_fetcher,
        relinks_apply,
        standins_orphaned_retire,
        standins_reresolve,
    )

    rejected = [f"{n.name!r}: {why}" for n in names if (why := name_rejection(n.name))]
    wanted = {n.name: n for n in names if not name_rejection(n.name)}
    known: dict[str, tuple[int, str, str]] = {}
    others: list[tuple[str, str, int, str, str]] = []  # the same names in other feeds
    stated: list[tuple[str, str, int]] = []  # every name linked by a stated Hub id
    rows = ModelAlias.objects.filter(
        Q(alias__in=list(wanted)) | Q(rule__in=STATED_RULES, model__source=Model.Source.HUB)
    ).values_list("source", "alias", "model_id", "rule", "model__source")
    for row in rows:
        if row[3] in STATED_RULES and row[4] == Model.Source.HUB:
            stated.append(row[:3])
        if row[1] not in wanted:
            continue
        if row[0] == source:
            known[row[1]] = row[2:]
        else:
            others.append(row)
    linked: dict[str, int] = {a: v[0] for a, v in known.items()}
    recheck = {
        a
        for a, (_, rule, model_source) in known.items()
        if model_source == Model.Source.FEED and rule != ModelAlias.Rule.MANUAL
    }
    # a chat-served name linked by its name to a Hub repo: moved to that repo's instruct
    # sibling when the catalog has one (only that move, see below)
    chat_recheck = {
        a
        for a, (_, rule, model_source) in known.items()
        if wanted[a].chat_served
        and not wanted[a].hub_repo_id
        and model_source == Model.Source.HUB
        and rule == ModelAlias.Rule.NORMALIZED
    }
    recheck |= chat_recheck
    pending = [n for name, n in wanted.items() if name not in known or name in recheck]
    if not pending:
        return AliasResolution(linked, 0, [], [], rejected)
    links = LinkIndex.build(stated)
    if index is not None:  # a caller's own index (tests): its entries are the catalog
        links.primary = index
    elsewhere = stated_elsewhere(others)
    fetcher = hub_fetcher(hub_fetch)
    is_closed = closed or (lambda _n: False)
    new_aliases: list[ModelAlias] = []
    relinks: list[Relink] = []
    reviews: dict[str, tuple[int, ...]] = {}
    missing: list[FeedName] = []
    try:
        for item in pending:
            decision: Decision = decide(
                links,
                name=item.name,
                organization_hint=item.organization_hint,
                hub_repo_id=item.hub_repo_id,
                closed=is_closed(item),
                open_weights=item.open_weights,
                fetcher=fetcher if item.name not in recheck or item.hub_repo_id else None,
                stated_elsewhere=elsewhere.get(item.name),
                display_name=item.display_name,
                chat_served=item.chat_served,
            )
            old = known.get(item.name)
            if old is not None:
                new_id = decision.model_id
                if item.name in chat_recheck and new_id != chat_sibling_of(links, old[0]):
                    continue  # a Hub link moves only to its own instruct sibling
                if new_id is not None and new_id != old[0] and _better(links, new_id):
                    relinks.append(
                        Relink(item.name, old[0], new_id, _reason(links, decision, item))
                    )
                    linked[item.name] = new_id
                continue
            if decision.model_id is not None:
                linked[item.name] = decision.model_id
                new_aliases.append(
                    ModelAlias(
                        source=source,
                        alias=item.name,
                        model_id=decision.model_id,
                        rule=decision.rule,
                    )
                )
            elif decision.rule == "ambiguous":
                reviews[item.name] = decision.candidates
            else:
                missing.append(item)
    finally:
        fetcher.close()
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
    retired = relinks_apply(source=source, relinks=relinks, index=links)
    moved, more = standins_reresolve(
        index=links, skip={(source, r.alias) for r in relinks}, stated_rows=stated
    )
    retired.update(more)
    if relinks or moved:  # a stand-in whose last alias moved in an earlier pass
        retired.update(standins_orphaned_retire(index=links))
    for src, r in moved:
        if src == source and r.alias in linked:
            linked[r.alias] = r.new_model_id
    for name, model_id in linked.items():  # a stand-in retired after this name chose it
        while model_id in retired:
            model_id = retired[model_id]
        linked[name] = model_id
    return AliasResolution(
        linked=linked,
        created_models=created,
        ambiguous=sorted(reviews),
        unmatched=sorted(m.name for m in missing),
        rejected=rejected,
        relinked=len(relinks) + len(moved),
    )


def stated_elsewhere(rows: Sequence[tuple[str, str, int, str, str]]) -> dict[str, int]:
    """Names another feed links to a Hub repo by a stated Hub id ("deepseek/deepseek-chat-
    v3-0324": OpenRouter's feed states deepseek-ai/DeepSeek-V3-0324 for that very id) or
    by hand: name -> that Hub model, when every such feed agrees. Only "org/name" ids,
    which two feeds spell alike. `rows`: (source, alias, model id, rule, model source)."""
    found: dict[str, set[int]] = {}
    for _source, alias, model_id, rule, model_source in rows:
        if "/" in alias and rule in STATED_RULES and model_source == Model.Source.HUB:
            found.setdefault(alias, set()).add(model_id)
    return {alias: next(iter(ids)) for alias, ids in found.items() if len(ids) == 1}


def _better(links, new_id: int) -> bool:
    """A stand-in's alias moves only to a model that is not itself feed-created."""
    return links.source_of.get(new_id) != Model.Source.FEED


def _reason(links, decision, item: FeedName) -> str:
    target = links.repo_of.get(decision.model_id, "?")
    how = {
        ModelAlias.Rule.EXACT_REPO: "the feed states its Hub repo id",
        ModelAlias.Rule.HUB_REPO: "its Hub repo was found on the Hub",
        ModelAlias.Rule.NORMALIZED: "its normalized name matches",
    }.get(decision.rule, decision.rule)
    if decision.why:
        return f"better target {target}: {decision.why}"
    return f"better target {target} appeared: {how}"


def organizations_ensure(orgs: dict[str, str]) -> dict[str, int]:
    """slug -> id for these organizations, creating the missing ones (name: display)."""
    existing = set(Organization.objects.filter(slug__in=orgs).values_list("slug", flat=True))
    Organization.objects.bulk_create(
        [
            Organization(slug=o, name=orgs[o] if orgs[o] != o else o.replace("-", " ").title())
            for o in set(orgs) - existing
        ],
        ignore_conflicts=True,
    )
    return dict(Organization.objects.filter(slug__in=orgs).values_list("slug", "id"))


def _api_models_create(items: Sequence[FeedName]) -> dict[str, tuple[int, bool]]:
    """Create models under their vendor identity: "<vendor>/<name>" without snapshot or
    serving variant, one per vendor x identity key; returns name -> (id, created)."""
    from catalog.matching import strip_provider_prefix  # local: keeps import list short
    from catalog.services.linking import vendor_groups

    def hint(item: FeedName) -> str:
        org = vendor_of(item.organization_hint) or item.organization_hint or "unknown"
        return org.strip().lower().replace(" ", "-").replace("_", "-")

    repos: dict[str, tuple[str, str]] = {}
    for (vendor, _key), group in vendor_groups(items, hint_of=hint).items():
        shorts = sorted(
            {identity_name(parse_feed_id(i.name)) or strip_provider_prefix(i.name) for i in group},
            key=lambda s: (s.count("-") - s.count("."), len(s), s),
        )
        for item in group:
            repos[item.name] = (f"{vendor}/{shorts[0]}"[:200], vendor)
    org_ids = organizations_ensure({org: org for _, org in repos.values()})
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
