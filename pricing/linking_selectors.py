"""How well price offers are linked to models (issue 14's "Done when" figures).

    python manage.py linking_report        # prints the three figures with goal and PASS/FAIL

- hub: of the current offers whose feed states a Hub id or open weights, the share
  linked to their Hub repo (the stated repo id, else any Hub-sourced model); goal >= 95%.
- parked: current offers with no model (unmatched or in the review list) as a share of
  all current offers; goal <= 3%.
- duplicates: feed-created models whose name resolves to another catalog model (or to
  another feed model of the same vendor and identity key); goal 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from catalog.hub_repos import known_hub_repo
from catalog.matching import AliasIndex, CatalogEntry, MatchResult
from catalog.models import Model
from catalog.names import CLOSED_VENDORS, parse_feed_id
from catalog.services.linking import stated_aliases
from pricing.models import Offer

HUB_GOAL = 0.95
PARKED_GOAL = 0.03


@dataclass(slots=True)
class LinkingReport:
    offers: int = 0
    hub_stated: int = 0
    hub_linked: int = 0
    parked: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (feed model, target)
    not_hub_linked: list[str] = field(default_factory=list)  # samples

    @property
    def hub_share(self) -> float:
        return self.hub_linked / self.hub_stated if self.hub_stated else 1.0

    @property
    def parked_share(self) -> float:
        return self.parked / self.offers if self.offers else 0.0

    def lines(self) -> list[str]:
        def verdict(ok: bool) -> str:
            return "PASS" if ok else "FAIL"

        return [
            f"offers stating a Hub id or open weights linked to their Hub repo: "
            f"{self.hub_linked}/{self.hub_stated} = {100 * self.hub_share:.1f}% "
            f"(goal >= {100 * HUB_GOAL:.0f}%) {verdict(self.hub_share >= HUB_GOAL)}",
            f"offers parked unlinked or in review: {self.parked}/{self.offers} = "
            f"{100 * self.parked_share:.2f}% (goal <= {100 * PARKED_GOAL:.0f}%) "
            f"{verdict(self.parked_share <= PARKED_GOAL)}",
            f"duplicate feed models for a name resolving to a catalog model: "
            f"{len(self.duplicates)} (goal 0) {verdict(not self.duplicates)}",
        ]


def linking_report(*, samples: int = 20) -> LinkingReport:
    """Three queries: current offers with their model, every model, nothing else."""
    report = LinkingReport()
    rows = Offer.objects.filter(valid_to__isnull=True).values_list(
        "model_name", "hub_repo_id", "open_weights", "model__repo_id", "model__source"
    )
    for name, hub, open_weights, repo, source in rows.iterator(chunk_size=5000):
        report.offers += 1
        if repo is None:
            report.parked += 1
        if not hub and not open_weights:
            continue
        report.hub_stated += 1
        ok = repo is not None and source == Model.Source.HUB and (not hub or _same_repo(repo, hub))
        if ok:
            report.hub_linked += 1
        elif len(report.not_hub_linked) < samples:
            report.not_hub_linked.append(f"{name} (hub={hub or '-'}) -> {repo or 'unlinked'}")
    report.duplicates = feed_model_duplicates()
    return report


def _same_repo(repo: str, hub: str) -> bool:
    """The stated Hub repo, or the same maker's repo under its new name (the Hub
    redirects "meta-llama/Meta-Llama-3.1-8B-Instruct" to "meta-llama/Llama-3.1-8B-Instruct")."""
    if repo.lower() == hub.lower():
        return True
    a, b = parse_feed_id(repo), parse_feed_id(hub)
    same_org = repo.split("/")[0].lower() == hub.split("/")[0].lower()
    return same_org and a.dated_key == b.dated_key and not a.variant


def feed_model_duplicates() -> list[tuple[str, str]]:
    """Feed models whose repo id resolves to another model: a non-feed one by the
    matcher, or a feed one with the same vendor and identity key."""
    models = list(
        Model.objects.filter(~Q(source=Model.Source.FEED) | Q(source=Model.Source.FEED))
        .values_list("id", "repo_id", "organization__slug", "source", "base_model_repo_id")
        .order_by("id")
    )
    index = AliasIndex.build(
        CatalogEntry(
            id=pk,
            repo_id=repo,
            organization=org or "",
            is_derivative=bool(base),
            is_hub=source == Model.Source.HUB,
        )
        for pk, repo, org, source, base in models
        if source != Model.Source.FEED
    )
    for _source, alias, model_id in stated_aliases():
        index.add_stated(alias, model_id)
    names = {pk: repo for pk, repo, *_ in models}
    out: list[tuple[str, str]] = []
    same_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for _pk, repo, org, source, _ in models:
        if source != Model.Source.FEED:
            continue
        found = index.match(repo, organization_hint=org or "")
        known = index.by_repo.get(known_hub_repo(repo).lower() or "-")
        if found.model_id is None and known is not None:
            found = MatchResult(known.id, "hub_repo")
        if found.model_id is not None:
            out.append((repo, names[found.model_id]))
            continue
        # the grouping models are created by: vendor (else the id's org) x identity key,
        # dated only for vendors whose dated ids are releases of their own
        parsed = parse_feed_id(repo)
        vendor = parsed.vendor or repo.split("/", 1)[0].lower()
        key = parsed.key if vendor in CLOSED_VENDORS else parsed.dated_key
        same_key[(vendor, key)].append(repo)
    for repos in same_key.values():
        out.extend((extra, repos[0]) for extra in repos[1:])
    return out
