"""Name linking you can trust: one feed name -> one model, by the order of evidence.

For a name with no alias yet (or one pointing at a stand-in feed model):
0. the Hub repo another feed links this very name to by its stated Hub id (OpenRouter
   states "deepseek-ai/DeepSeek-V3-0324" for "deepseek/deepseek-chat-v3-0324", which
   models.dev's OpenRouter and Kilo rows name without one; rule "hub_repo");
1. the Hub repo id the feed states, when the catalog has it (rule "exact_repo"); else
   the repo the reviewed table catalog/data/hub_repos.yaml gives for the name
   ("mistral-small-2506" -> "mistralai/Mistral-Small-3.2-24B-Instruct-2506"; step 3's
   fetch or creation under that id when the catalog lacks it; "hub_repo");
2. the normalized name against every non-feed model (catalog.matching; "normalized");
   several candidates with no tie-breaker -> the review list, never a guess; else, for
   an open model, the feed's display name read the same way;
   a chat offer of a provider that serves only chat models under bare names (Cerebras
   "llama3.1-8b", catalog.chat_served) that matches a base repo links to its instruct
   sibling when the catalog has one (meta-llama/Llama-3.1-8B-Instruct); a re-check
   moves such a name's earlier base link there, with a LinkChange;
3. the Hub repo id the feed states, the "org/Name" repo id the name holds
   ("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct"), or for a model the feed marks
   open weights "<vendor's Hub org>/<name>" ("microsoft/phi-4-mini"), fetched from
   HF_ENDPOINT (catalog.services.hub_fetch); a stated id, or a Hub-org repo id of an
   open-weights model, that the Hub could not be asked about (LINKING_HUB_FETCH off,
   unreachable, over LINKING_HUB_FETCH_MAX) becomes a model under that id, to be filled
   by a Hub sync; an id the Hub says it does not have is never used ("hub_repo");
4. an existing feed model of the same vendor and identity ("normalized");
5. with `create_missing`: a new model under its vendor identity ("google/gemini-2.5-
   flash", never "gemini/..." beside "google/...", never a reseller's name), one per
   vendor x identity key however many spellings the feeds use ("created").

Re-resolving: an alias pointing at a feed-created model is checked again on every
load; when steps 1-3 find a better target, the alias and every row naming the old
model move to it, a LinkChange row records old, new and why, and the stand-in model
is deleted once nothing refers to it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from catalog.chat_served import instruct_sibling
from catalog.hub_repos import known_hub_repo
from catalog.matching import AliasIndex, CatalogEntry, MatchResult
from catalog.models import LinkChange, Model, ModelAlias
from catalog.names import CLOSED_VENDORS, VENDOR_HUB_ORGS, original_case, parse_feed_id

logger = logging.getLogger(__name__)
Rule = ModelAlias.Rule


@dataclass(slots=True)
class LinkIndex:
    """Non-feed models (Hub, hand-curated) and feed-created ones, indexed apart."""

    primary: AliasIndex
    standins: AliasIndex
    repo_of: dict[int, str]
    source_of: dict[int, str]

    @classmethod
    def build(cls, stated: Sequence[tuple[str, str, int]] = ()) -> LinkIndex:
        """Every model; `stated`: (source, alias, Hub model id) of the names feeds link
        to a Hub repo by a stated id or by hand (AliasIndex.add_stated)."""
        rows = list(
            Model.objects.values_list(
                "id", "repo_id", "organization__slug", "base_model_repo_id", "source"
            )
        )
        hub, feed = [], []
        for pk, repo, org, base, source in rows:
            entry = CatalogEntry(
                id=pk,
                repo_id=repo,
                organization=org or "",
                is_derivative=bool(base),
                is_hub=source == Model.Source.HUB,
            )
            (feed if source == Model.Source.FEED else hub).append(entry)
        primary = AliasIndex.build(hub)
        for _source, alias, model_id in stated:
            primary.add_stated(alias, model_id)
        return cls(
            primary=primary,
            standins=AliasIndex.build(feed),
            repo_of={pk: repo for pk, repo, *_ in rows},
            source_of={pk: source for pk, *_, source in rows},
        )

    def add(self, pk: int, repo: str, source: str, org: str = "") -> None:
        entry = CatalogEntry(id=pk, repo_id=repo, organization=org, is_hub=source == "hub")
        target = self.standins if source == Model.Source.FEED else self.primary
        target.add(entry)
        self.repo_of[pk] = repo
        self.source_of[pk] = source


@dataclass(slots=True)
class Decision:
    model_id: int | None
    rule: str
    candidates: tuple[int, ...] = ()
    why: str = ""  # a reason beyond the rule, for the LinkChange of a re-link


@dataclass(slots=True)
class HubFetcher:
    """Fetches repos from HF_ENDPOINT at most `limit` times a load; stops at the first
    failure to reach the Hub (one timeout per load, not one per name)."""

    enabled: bool
    limit: int
    used: int = 0
    reachable: bool = True
    client: object | None = None
    missing: set[str] = field(default_factory=set)

    def fetch(self, repo_id: str) -> str:
        """ "ok", "missing" or "unasked" (disabled, over the limit, Hub unreachable)."""
        from catalog.services.hub_fetch import hub_model_fetch, is_repo_id

        if not is_repo_id(repo_id):
            return "missing"
        if repo_id.lower() in self.missing:
            return "missing"
        if not (self.enabled and self.reachable) or self.used >= self.limit:
            return "unasked"
        if self.client is None:
            from catalog.hub import HubClient

            self.client = HubClient.from_settings()
        self.used += 1
        try:
            with transaction.atomic():  # a failed fetch must not break the feed's load
                outcome = hub_model_fetch(repo_id=repo_id, client=self.client)
        except Exception as exc:
            logger.warning("linking: hub fetch of %s failed: %s", repo_id, exc)
            outcome = str(exc)
        if outcome == "missing":
            self.missing.add(repo_id.lower())
        elif outcome != "ok":
            self.reachable = False
            return "unasked"
        return outcome

    def close(self) -> None:
        if self.client is not None:
            self.client.close()  # type: ignore[attr-defined]


def hub_fetcher(enabled: bool) -> HubFetcher:
    return HubFetcher(
        enabled=enabled and getattr(settings, "LINKING_HUB_FETCH", True),
        limit=getattr(settings, "LINKING_HUB_FETCH_MAX", 50),
    )


def decide(
    index: LinkIndex,
    *,
    name: str,
    organization_hint: str = "",
    hub_repo_id: str = "",
    closed: bool = False,
    open_weights: bool = False,
    fetcher: HubFetcher | None = None,
    stated_elsewhere: int | None = None,
    display_name: str = "",
    chat_served: bool = False,
) -> Decision:
    """Steps 1-4 of the module docstring for one name (step 3 may write a Model).
    `stated_elsewhere`: the Hub model another feed links this very name to by a stated
    Hub id (catalog.services.aliases.stated_elsewhere), used when this feed states none.
    `chat_served`: a chat offer of a provider that serves only chat models under bare
    names (catalog.chat_served): a name match to a base repo becomes its instruct sibling."""
    if stated_elsewhere is not None and not hub_repo_id and not closed:
        return Decision(stated_elsewhere, Rule.HUB_REPO, (stated_elsewhere,))
    # (also for a name the feed calls closed: models.dev marks Vercel's "meta/llama-3.1-8b",
    # "Llama 3.1 8B Instruct", not open weights; the name still matches the base repo)
    chat_served = chat_served and not hub_repo_id
    known = known_hub_repo(name) if not hub_repo_id else ""
    if known:
        # the reviewed table (catalog/data/hub_repos.yaml): the repo, else fetched or
        # created under that id (never for a name the feed calls closed)
        entry = index.primary.by_repo.get(known.lower())
        if entry is not None:
            return Decision(entry.id, Rule.HUB_REPO, (entry.id,))
        found = None if closed else _from_hub(index, known, stated=True, fetcher=fetcher)
        if found is not None:
            return Decision(found, Rule.HUB_REPO, (found,))
    if hub_repo_id and not closed:
        # A stated Hub id wins over any name match: the repo itself, the same maker's repo
        # under its new name ("Meta-Llama-3.1-8B-Instruct" -> "Llama-3.1-8B-Instruct"),
        # else the repo fetched from the Hub (or kept as the identity).
        stated = index.primary.match(hub_repo_id, hub_repo_id=hub_repo_id)
        target = index.repo_of.get(stated.model_id or 0, "")
        if target and target.split("/")[0].lower() == hub_repo_id.split("/")[0].lower():
            return Decision(stated.model_id, stated.rule, stated.candidates)
        found = _from_hub(index, hub_repo_id, stated=True, fetcher=fetcher)
        if found is not None:
            return Decision(found, Rule.HUB_REPO, (found,))
    result: MatchResult = index.primary.match(
        name, organization_hint=organization_hint, hub_repo_id=hub_repo_id
    )
    if result.model_id is not None:
        decision = Decision(result.model_id, result.rule, result.candidates)
        return _chat_sibling(index, decision) if chat_served else decision
    if result.rule == "ambiguous":
        return Decision(None, "ambiguous", result.candidates)
    if display_name and not closed:
        # the feed's own name for the model ("Ministral 3 14B Instruct" for DigitalOcean's
        # "mistral-3-14B", "DeepSeek V3.2" for "deepseek-3.2"), read like an id
        shown = index.primary.match(display_name, organization_hint=organization_hint)
        if shown.model_id is not None:
            decision = Decision(shown.model_id, shown.rule, shown.candidates)
            return _chat_sibling(index, decision) if chat_served else decision
    if not closed:
        parsed = parse_feed_id(name)
        for repo in (hub_repo_id, parsed.repo_id, _vendor_repo(parsed, open_weights)):
            if not repo:
                continue
            # A Hub id the feed states, or a Hub-org repo id ("moonshotai/Kimi-K2.6") of a
            # model the feed marks open weights, is kept when the Hub cannot be asked.
            stated = repo == hub_repo_id or (open_weights and repo == parsed.repo_id)
            found = _from_hub(index, repo, stated=stated, fetcher=fetcher)
            if found is not None:
                return Decision(found, Rule.HUB_REPO, (found,))
    result = index.standins.match(
        name, organization_hint=organization_hint, hub_repo_id=hub_repo_id
    )
    if result.model_id is not None:
        return Decision(result.model_id, result.rule, result.candidates)
    return Decision(None, "none")


def chat_sibling_of(index: LinkIndex, model_id: int) -> int | None:
    """The catalog's instruct sibling of a base Hub model ("meta-llama/Llama-3.1-8B" ->
    "meta-llama/Llama-3.1-8B-Instruct"), else None."""
    if index.source_of.get(model_id) != Model.Source.HUB:
        return None
    repo = index.repo_of.get(model_id, "")

    def repo_of(lower: str) -> str | None:
        entry = index.primary.by_repo.get(lower)
        return entry.repo_id if entry is not None else None

    sibling = instruct_sibling(repo, repo_of) if repo else ""
    return index.primary.by_repo[sibling.lower()].id if sibling else None


def _chat_sibling(index: LinkIndex, decision: Decision) -> Decision:
    """A chat-only provider's bare name matched a base repo: its instruct sibling."""
    sibling = chat_sibling_of(index, decision.model_id or 0)
    if sibling is None:
        return decision
    return Decision(
        sibling,
        Rule.NORMALIZED,
        (sibling,),
        why=f"a chat-only provider serves the instruct model, not the base "
        f"{index.repo_of.get(decision.model_id or 0, '?')} its name reads as",
    )


def _vendor_repo(parsed, open_weights: bool) -> str:
    """For a name the feed marks open weights: "<vendor's Hub org>/<name as written>"
    ("microsoft/phi-3-medium-128k-instruct"), a candidate the Hub must confirm."""
    org = VENDOR_HUB_ORGS.get(parsed.vendor, "") if open_weights else ""
    if not org or parsed.repo_id:
        return ""
    last = parsed.raw.rsplit("/", 1)[-1]
    return f"{org}/{original_case(last, parsed.name)}" if parsed.name else ""


def _from_hub(
    index: LinkIndex, repo: str, *, stated: bool, fetcher: HubFetcher | None
) -> int | None:
    """A catalog id for a Hub repo id: fetched from the Hub, or (a stated id the Hub could
    not be asked about) created under that id; None when the Hub has no such repo."""
    outcome = fetcher.fetch(repo) if fetcher is not None else "unasked"
    if outcome == "ok":
        row = (
            Model.objects.filter(repo_id=repo).values_list("id", "repo_id", "source").first()
            or Model.objects.filter(repo_id__iexact=repo)
            .values_list("id", "repo_id", "source")
            .first()
        )
        if row is not None:
            index.add(row[0], row[1], row[2])
            return row[0]
        return None
    if outcome == "missing" or not stated:
        return None
    existing = (
        Model.objects.filter(repo_id__iexact=repo).values_list("id", "source", "repo_id").first()
    )
    if existing is not None:
        if existing[1] == Model.Source.FEED:  # a stand-in named right: the feed confirms it
            Model.objects.filter(pk=existing[0]).update(
                repo_id=repo, source=Model.Source.HUB, open_weights=True
            )
            LinkChange.objects.create(
                source="hub",
                alias=repo,
                old_model_id=existing[0],
                old_repo_id=existing[2],
                new_model_id=existing[0],
                reason=f"stand-in {existing[2]} confirmed as Hub repo {repo} by a feed",
            )
        index.add(existing[0], repo, Model.Source.HUB)
        return existing[0]
    from catalog.services.aliases import organizations_ensure

    org = repo.split("/", 1)[0]
    org_ids = organizations_ensure({org.lower(): org})
    model = Model.objects.create(
        repo_id=repo,
        name=repo.split("/", 1)[1],
        organization_id=org_ids.get(org.lower()),
        source=Model.Source.HUB,
        open_weights=True,
    )
    index.add(model.pk, repo, Model.Source.HUB, org.lower())
    return model.pk


@dataclass(slots=True)
class Relink:
    alias: str
    old_model_id: int
    new_model_id: int
    reason: str


def relinks_apply(*, source: str, relinks: Sequence[Relink], index: LinkIndex) -> dict[int, int]:
    """Move each alias to its better target, record why, and retire stand-ins that
    nothing refers to any more (their offers, scores, runs move with the alias).
    Returns {retired stand-in id: the model that replaced it}."""
    if not relinks:
        return {}
    LinkChange.objects.bulk_create(
        [
            LinkChange(
                source=source,
                alias=r.alias,
                old_model_id=r.old_model_id,
                old_repo_id=index.repo_of.get(r.old_model_id, "")[:200],
                new_model_id=r.new_model_id,
                reason=r.reason[:300],
            )
            for r in relinks
        ]
    )
    for r in relinks:
        ModelAlias.objects.filter(source=source, alias=r.alias).update(
            model_id=r.new_model_id, rule=Rule.NORMALIZED
        )
    moves: dict[int, int] = {}
    for r in relinks:
        moves.setdefault(r.old_model_id, r.new_model_id)
    return {
        old: new
        for old, new in moves.items()
        if standin_retire(old_id=old, new_id=new, source=source, index=index)
    }


def standin_retire(*, old_id: int, new_id: int, source: str, index: LinkIndex) -> bool:
    """When every alias of a feed-created model now points elsewhere, move whatever still
    refers to it (offers, scores, runs; any app) to `new_id` and delete it."""
    if index.source_of.get(old_id) != Model.Source.FEED:
        return False
    if ModelAlias.objects.filter(model_id=old_id).exists():
        return False
    for rel in Model._meta.related_objects:
        if not rel.one_to_many or rel.related_model is LinkChange:
            continue
        try:
            with transaction.atomic():
                rel.related_model._base_manager.filter(**{rel.field.name: old_id}).update(
                    **{rel.field.name: new_id}
                )
        except IntegrityError:
            logger.info("linking: %s rows of model %s stay", rel.related_model.__name__, old_id)
    LinkChange.objects.create(
        source=source,
        alias=index.repo_of.get(old_id, "")[:300],
        old_model_id=old_id,
        old_repo_id=index.repo_of.get(old_id, "")[:200],
        new_model_id=new_id,
        reason="stand-in feed model retired: every name now links to the better target",
    )
    try:
        with transaction.atomic():
            Model.objects.filter(pk=old_id).delete()
    except (ProtectedError, IntegrityError) as exc:
        logger.info("linking: stand-in %s kept: %s", old_id, exc)
        return False
    return True


def standins_reresolve(
    *,
    index: LinkIndex,
    skip: set[tuple[str, str]] = frozenset(),
    stated_rows: Sequence[tuple[str, str, int]] | None = None,
) -> tuple[list[tuple[str, Relink]], dict[int, int]]:
    """Every alias (any source) pointing at a feed-created model, matched again against
    the non-feed models (and the Hub repo another feed states for the same name); moved
    with a LinkChange when one matches. Two queries when nothing moves. Returns the
    (source, relink) moves and the retired stand-ins."""
    rows = list(
        ModelAlias.objects.filter(model__source=Model.Source.FEED)
        .exclude(rule=Rule.MANUAL)
        .values_list("source", "alias", "model_id", "model__organization__slug")
    )
    stated: dict[str, set[tuple[str, int]]] = defaultdict(set)
    if rows:
        if stated_rows is None:
            stated_rows = stated_aliases()
        for source, alias, model_id in stated_rows:
            stated[alias].add((source, model_id))
    by_source: dict[str, list[Relink]] = defaultdict(list)
    for source, alias, model_id, org in rows:
        if (source, alias) in skip:
            continue
        other = {m for s, m in stated.get(alias, ()) if s != source} if "/" in alias else set()
        if len(other) == 1:
            target_id = next(iter(other))
            by_source[source].append(
                Relink(
                    alias,
                    model_id,
                    target_id,
                    f"better target {index.repo_of.get(target_id, '?')}: another feed "
                    "states this name's Hub repo id",
                )
            )
            continue
        known = index.primary.by_repo.get(known_hub_repo(alias).lower() or "-")
        if known is not None and known.id != model_id:
            by_source[source].append(
                Relink(
                    alias,
                    model_id,
                    known.id,
                    f"better target {known.repo_id}: the reviewed Hub repo table names it",
                )
            )
            continue
        found = index.primary.match(alias, organization_hint=org or "")
        if found.model_id is None or found.model_id == model_id:
            continue
        target = index.repo_of.get(found.model_id, "?")
        by_source[source].append(
            Relink(
                alias,
                model_id,
                found.model_id,
                f"better target {target} appeared: its normalized name matches a catalog model",
            )
        )
    retired: dict[int, int] = {}
    for source, relinks in by_source.items():
        retired.update(relinks_apply(source=source, relinks=relinks, index=index))
    return [(src, r) for src, rs in by_source.items() for r in rs], retired


def standins_orphaned_retire(*, index: LinkIndex) -> dict[int, int]:
    """Stand-ins whose every alias has moved, one feed at a time, to a better target
    (each move recorded by a LinkChange): retired towards their last recorded target.
    One query when there are none."""
    rows = (
        LinkChange.objects.filter(
            old_model__source=Model.Source.FEED, old_model__aliases__isnull=True
        )
        .order_by("old_model_id", "-id")
        .values_list("old_model_id", "new_model_id", "source")
    )
    last: dict[int, tuple[int, str]] = {}
    for old_id, new_id, source in rows:
        last.setdefault(old_id, (new_id, source))
    return {
        old_id: new_id
        for old_id, (new_id, source) in last.items()
        if old_id != new_id
        and standin_retire(old_id=old_id, new_id=new_id, source=source, index=index)
    }


STATED_RULES = (Rule.EXACT_REPO, Rule.HUB_REPO, Rule.MANUAL)


def stated_aliases() -> list[tuple[str, str, int]]:
    """(source, alias, model id) of every name linked to a Hub model by a stated or
    exact Hub repo id, or by hand. One query."""
    return list(
        ModelAlias.objects.filter(
            rule__in=STATED_RULES, model__source=Model.Source.HUB
        ).values_list("source", "alias", "model_id")
    )


def vendor_groups(items: Sequence, *, hint_of) -> dict[tuple[str, str], list]:
    """Names that would create a model, grouped by (vendor, identity key)."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for item in items:
        parsed = parse_feed_id(item.name)
        vendor = parsed.vendor or hint_of(item)
        key = parsed.key if vendor in CLOSED_VENDORS else parsed.dated_key
        groups[(vendor, key)].append(item)
    return groups
