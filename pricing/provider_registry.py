"""The provider registry file (pricing/data/providers.yaml): parse and check it.

Pure: no Django imports. One row per company or service:

    - slug: together                  # canonical slug (also an alias)
      name: Together AI               # display name
      kind: inference_host            # see KINDS
      service: api                    # api (token prices) or cloud (GPU hours); default api
      homepage: https://www.together.ai/
      pricing_url: https://www.together.ai/pricing
      docs_url: https://docs.together.ai/
      upstream: novita                # router listings: the provider they resell
      aliases: [together_ai, togetherai, "genai-prices:together", Together AI]
      source: models.dev togetherai; genai-prices together   # default source of every field
      sources: {pricing_url: genai-prices together}          # per-field overrides
      note: free text

An alias "feed:slug" means this provider only in that feed (genai-prices' "aws" is
Bedrock; the GPU list's "aws" is EC2). Aliases match after `alias_key` normalization
(lower case, letters and digits only), so "fireworks_ai" and "fireworks-ai" are one key.
Two rows that claim the same (scope, key) make the file invalid, with a line naming both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

KINDS = (
    "first_party",
    "hyperscaler",
    "inference_host",
    "gpu_cloud",
    "router",
    "gateway",
    "free_tier",
    "subscription",
    "tool",
    "local",
)
SERVICES = ("api", "cloud")
URL_FIELDS = ("homepage", "pricing_url", "docs_url")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class RegistryError(ValueError):
    """The registry file is invalid; `lines` names each bad row."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def alias_key(text: str) -> str:
    """The form aliases are compared in: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def split_alias(alias: str) -> tuple[str, str]:
    """Split "genai-prices:aws" into ("genai-prices", "aws"); "aws" into ("", "aws")."""
    scope, sep, rest = alias.partition(":")
    if sep and scope and " " not in scope and rest:
        return scope.strip().lower(), rest.strip()
    return "", alias.strip()


@dataclass(frozen=True, slots=True)
class RegistryRow:
    slug: str
    name: str
    kind: str
    service: str = "api"
    homepage: str = ""
    pricing_url: str = ""
    docs_url: str = ""
    upstream: str = ""
    note: str = ""
    # (scope, key, as written)
    aliases: tuple[tuple[str, str, str], ...] = ()
    sources: dict[str, str] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "service": self.service,
            "homepage": self.homepage,
            "pricing_url": self.pricing_url,
            "docs_url": self.docs_url,
            "upstream": self.upstream,
            "note": self.note,
            "sources": dict(self.sources),
        }


def parse_registry(text: str) -> list[RegistryRow]:
    """Rows of the registry; RegistryError naming every bad row (nothing is half-loaded)."""
    doc = yaml.safe_load(text) or []
    if not isinstance(doc, list):
        raise RegistryError(["the registry must be a list of provider rows"])
    rows: list[RegistryRow] = []
    problems: list[str] = []
    for i, raw in enumerate(doc, start=1):
        try:
            rows.append(_row(raw))
        except ValueError as exc:
            slug = raw.get("slug") if isinstance(raw, dict) else None
            problems.append(f"row {i} ({slug or '?'}): {exc}")
    problems.extend(_collisions(rows))
    if problems:
        raise RegistryError(problems)
    return rows


def _row(raw: Any) -> RegistryRow:
    if not isinstance(raw, dict):
        raise ValueError("not a mapping")
    slug = str(raw.get("slug") or "")
    if not SLUG_RE.match(slug):
        raise ValueError(f"bad slug {slug!r}")
    name = str(raw.get("name") or "").strip()
    if not name:
        raise ValueError("no name")
    kind = str(raw.get("kind") or "")
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    service = str(raw.get("service") or "api")
    if service not in SERVICES:
        raise ValueError(f"service {service!r} is not api or cloud")
    urls = {f: str(raw.get(f) or "") for f in URL_FIELDS}
    for f, url in urls.items():
        if url and not url.startswith(("https://", "http://")):
            raise ValueError(f"{f} {url!r} is not a URL")
    default_source = str(raw.get("source") or "").strip()
    overrides = raw.get("sources") or {}
    if not isinstance(overrides, dict):
        raise ValueError("sources must be a mapping of field -> source")
    sources: dict[str, str] = {}
    for f in ("name", "kind", *URL_FIELDS, "upstream"):
        if f in ("name", "kind") or raw.get(f):
            src = str(overrides.get(f) or default_source).strip()
            if not src:
                raise ValueError(f"no source for {f}")
            sources[f] = src
    aliases: list[tuple[str, str, str]] = [("", alias_key(slug), slug)]
    written = raw.get("aliases") or []
    if not isinstance(written, list):
        raise ValueError("aliases must be a list")
    for a in [name, *map(str, written)]:
        scope, text = split_alias(a)
        key = alias_key(text)
        if not key:
            raise ValueError(f"alias {a!r} normalizes to nothing")
        entry = (scope, key, a)
        if all((s, k) != (scope, key) for s, k, _ in aliases):
            aliases.append(entry)
    return RegistryRow(
        slug=slug,
        name=name,
        kind=kind,
        service=service,
        upstream=str(raw.get("upstream") or ""),
        note=str(raw.get("note") or "").strip(),
        aliases=tuple(aliases),
        sources=sources,
        **urls,
    )


def _collisions(rows: list[RegistryRow]) -> list[str]:
    problems: list[str] = []
    seen_slug: dict[str, str] = {}
    owner: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        if row.slug in seen_slug:
            problems.append(f"slug {row.slug!r} appears twice")
        seen_slug[row.slug] = row.slug
        for scope, key, written in row.aliases:
            prev = owner.get((scope, key))
            if prev and prev[0] != row.slug:
                problems.append(
                    f"alias {written!r} (key {scope + ':' if scope else ''}{key}) of row "
                    f"{row.slug!r} collides with {prev[1]!r} of row {prev[0]!r}"
                )
            owner.setdefault((scope, key), (row.slug, written))
    return problems


def resolve_key(
    index: dict[tuple[str, str], str], *, feed: str, slug: str, name: str = ""
) -> tuple[str | None, str]:
    """The registry slug a feed's (slug, display name) names, or (None, reason).

    `index` maps (scope, key) -> provider slug. A feed-scoped alias of the slug is
    decisive. Otherwise the slug and the display name are both looked up: if they name
    two different providers the row is rejected (reason names both); if only one of them
    matches, that one wins; if neither does, (None, "no alias")."""
    slug_key, name_key = alias_key(slug), alias_key(name)
    if not slug_key:
        return None, "empty provider slug"
    scoped = index.get((feed, slug_key))
    if scoped:
        return scoped, ""
    by_slug = index.get(("", slug_key))
    by_name = (index.get((feed, name_key)) or index.get(("", name_key))) if name_key else None
    if by_slug and by_name and by_slug != by_name:
        return None, (
            f"provider slug {slug!r} is registry row {by_slug!r} but its name {name!r} is "
            f"registry row {by_name!r}: rejected, add a {feed}:{slug} alias to one of them"
        )
    hit = by_slug or by_name
    return (hit, "") if hit else (None, "no alias")
