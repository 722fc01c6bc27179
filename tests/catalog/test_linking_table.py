"""The hand-checked table (tests/catalog/data/linking_table.csv): >= 150 real feed ids
with the model each names, and >= 40 near misses that must not link (issue 14).

Pure: the catalog is the table's own Hub targets plus, when ../shared is present, the
demo Hub listing (648 repos, so near-miss repos compete). The check that every id is
really in its feed file skips without ../shared."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest

from catalog.chat_served import instruct_sibling, served_as_chat
from catalog.hub_repos import hub_repo_table, known_hub_repo
from catalog.matching import AliasIndex, CatalogEntry
from catalog.names import CLOSED_VENDORS, canonical_key, parse_feed_id

TABLE = Path(__file__).parent / "data" / "linking_table.csv"
SHARED = Path(__file__).resolve().parents[3] / "shared"
FEEDS = SHARED / "feeds"


def _rows() -> list[tuple[str, str, str, str]]:
    with TABLE.open(newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return [tuple(r) for r in csv.reader(lines)]  # type: ignore[misc]


ROWS = _rows()
VENDOR_TARGETS = {t for k, _, _, t in ROWS if k == "vendor"}


@cache
def _index() -> tuple[AliasIndex, dict[str, int]]:
    repos = {t for k, _, _, t in ROWS if k in {"link", "not"} and t not in VENDOR_TARGETS}
    repos |= set(hub_repo_table().values())  # the reviewed table's repos are in the catalog
    repos = {r for r in repos if r.split("/", 1)[0] not in CLOSED_VENDORS}
    listing = SHARED / "hub" / "listing" / "models.json"
    if listing.exists():
        repos |= {m["id"] for m in json.loads(listing.read_text())}
    ids = {repo: i for i, repo in enumerate(sorted(repos), start=1)}
    index = AliasIndex.build(
        CatalogEntry(i, repo, repo.split("/", 1)[0], is_hub=True) for repo, i in ids.items()
    )
    return index, ids


def _identity(name: str) -> tuple[str, str]:
    parsed = parse_feed_id(name)
    return parsed.vendor, parsed.key


def _vendor_target(target: str) -> tuple[str, str]:
    vendor, short = target.split("/", 1)
    return vendor, canonical_key(short)


def test_the_table_is_big_enough() -> None:
    kinds = [k for k, *_ in ROWS]
    assert len(ROWS) >= 150
    assert kinds.count("not") >= 40
    assert set(kinds) <= {"link", "vendor", "not"}


def _resolve(feed_id: str) -> str:
    """As catalog.services.linking.decide orders it for a name without a stated Hub id:
    the reviewed Hub repo table (catalog/data/hub_repos.yaml), then the name match; for
    a chat-only provider (the id's first part: litellm's and the other feeds' provider
    slug; catalog.chat_served), the instruct sibling of the base repo matched."""
    index, ids = _index()
    known = known_hub_repo(feed_id)
    if known:
        return known
    result = index.match(feed_id)
    repo = next((r for r, i in ids.items() if i == result.model_id), result.rule)
    if result.model_id is not None and served_as_chat(feed_id.split("/", 1)[0]):
        entry_of = index.by_repo.get
        sibling = instruct_sibling(repo, lambda low: (e := entry_of(low)) and e.repo_id)
        return sibling or repo
    return repo


@pytest.mark.parametrize(("kind", "feed", "feed_id", "target"), ROWS)
def test_each_id_links_to_its_hand_checked_target(kind, feed, feed_id, target) -> None:
    if kind == "link":
        got = _resolve(feed_id)
        assert got == target, f"{feed_id} -> {got}, expected {target}"
    elif kind == "vendor":
        assert _identity(feed_id) == _vendor_target(target)
    elif target in VENDOR_TARGETS or target.split("/", 1)[0] in CLOSED_VENDORS:
        assert _identity(feed_id) != _vendor_target(target)
    else:
        assert _resolve(feed_id) != target, f"{feed_id} linked to {target}"


@cache
def _feed_ids(feed: str) -> frozenset[str]:
    if feed == "litellm":
        data = json.loads((FEEDS / "litellm" / "model_prices_and_context_window.json").read_text())
        return frozenset(data)
    if feed == "openrouter":
        path = FEEDS / "openrouter" / "api-v1-models.all-modalities.2026-08-18.json"
        return frozenset(m["id"] for m in json.loads(path.read_text())["data"])
    if feed == "models.dev":
        data = json.loads((FEEDS / "models.dev" / "api.derived-from-HEAD-f3fc692.json").read_text())
        return frozenset(f"{p}/{m}" for p, v in data.items() for m in v.get("models", {}))
    data = json.loads((FEEDS / "genai-prices" / "data.json").read_text())
    providers = data if isinstance(data, list) else data.get("providers", [])
    return frozenset(f"{p['id']}/{m['id']}" for p in providers for m in p.get("models", []))


@pytest.mark.skipif(not FEEDS.is_dir(), reason="../shared/feeds is absent")
@pytest.mark.parametrize(("feed", "feed_id"), sorted({(f, i) for _, f, i, _ in ROWS}))
def test_each_id_is_copied_from_its_feed(feed, feed_id) -> None:
    assert feed_id in _feed_ids(feed)
