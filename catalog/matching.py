"""Match a feed's model name to a catalog model (pure: no Django imports).

Feeds name models their own way: "bedrock/us.meta.llama3-1-8b-instruct-v1:0",
"openai/gpt-4o-2024-08-06", "Meta-Llama-3.1-8B-Instruct-Turbo". We compare names
through a normalization that removes what does not identify the model:

1. case and separators ("_", ".", ":", " ", "/") -> lower case, "-";
2. provider prefixes ("openai/", "bedrock/us.", "together_ai/", "@cf/meta/") -> dropped;
3. date suffixes ("-20240620", "-2024-08-06", "@20240620", "-0613") and version
   suffixes ("-v1:0", "-latest", "-001") -> dropped;
4. then, as a looser key, "-instruct" / "-chat" / "-it" / "-hf" are dropped.

Each key is tried from strictest to loosest. A key that maps to exactly one catalog
model is a link (rule "normalized"); among several, the one whose own name is the key
wins ("gpt-4o" over its snapshot "gpt-4o-2024-08-06"); a key that maps to several, with
no tie-breaker (organization hint, exactly one original among derivatives), is
*ambiguous* and goes to the review list instead of guessing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_PREFIX_RE = re.compile(
    r"^(?:[a-z0-9_@.-]+/)*"  # path-like prefixes: "openrouter/meta-llama/", "@cf/meta/"
)
_REGION_RE = re.compile(r"^(?:us|eu|apac|global|jp|au)\.(?=[a-z])")
_VENDOR_DOT_RE = re.compile(
    r"^(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|qwen|openai|writer|twelvelabs)\."
)
_DATE_RE = re.compile(r"(?:[-@](?:20\d{2}-?\d{2}-?\d{2}|\d{4}))$")
_VERSION_RE = re.compile(r"(?:-v\d+(?:-\d+)?|-latest|-\d{3})$")
_LOOSE_SUFFIX_RE = re.compile(r"(?:-(?:instruct|chat|it|hf|base))+$")
_SEP_RE = re.compile(r"[\s_.:/]+")
_DASHES_RE = re.compile(r"-{2,}")


def _clean(name: str) -> str:
    s = name.strip().lower()
    s = _SEP_RE.sub("-", s)
    s = _DASHES_RE.sub("-", s)
    return s.strip("-")


def strip_provider_prefix(name: str) -> str:
    """'bedrock/us.meta.llama3-1-8b' -> 'llama3-1-8b'; 'openai/gpt-4o' -> 'gpt-4o'."""
    s = name.strip().lower()
    s = _PREFIX_RE.sub("", s)
    s = _REGION_RE.sub("", s)
    s = _VENDOR_DOT_RE.sub("", s)
    return s


def name_keys(name: str) -> list[str]:
    """Keys for one name, strictest first, without duplicates."""
    base = _clean(strip_provider_prefix(name))
    keys = [base]
    undated = base
    for _ in range(3):  # "-20240620-v1-0" style stacks
        nxt = _VERSION_RE.sub("", _DATE_RE.sub("", undated))
        if nxt == undated:
            break
        undated = nxt
        keys.append(undated)  # each step: "x-20241022-v1-0" -> "x-20241022" -> "x"
    keys.append(_LOOSE_SUFFIX_RE.sub("", undated))
    out: list[str] = []
    for k in keys:
        if k and k not in out:
            out.append(k)
    return out


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    id: int
    repo_id: str
    organization: str = ""
    is_derivative: bool = False  # fine-tune / quantization of another catalog model


@dataclass(frozen=True, slots=True)
class MatchResult:
    model_id: int | None
    rule: str  # "exact_repo", "normalized", "ambiguous", "none"
    candidates: tuple[int, ...] = ()


@dataclass(slots=True)
class AliasIndex:
    """Lookup tables built once per load: repo id -> entry, name key -> entries."""

    by_repo: dict[str, CatalogEntry] = field(default_factory=dict)
    by_key: dict[str, list[CatalogEntry]] = field(default_factory=lambda: defaultdict(list))
    # entry id -> the strictest key of its short name ("gpt-4o-2024-08-06" for a dated id)
    strict: dict[int, str] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[CatalogEntry]) -> AliasIndex:
        index = cls()
        for entry in entries:
            index.by_repo[entry.repo_id.lower()] = entry
            seen: set[str] = set()
            short = entry.repo_id.rsplit("/", 1)[-1]
            index.strict[entry.id] = name_keys(short)[0] if name_keys(short) else ""
            for key in (*name_keys(short), *name_keys(entry.repo_id)):
                if key not in seen:
                    seen.add(key)
                    index.by_key[key].append(entry)
        return index

    def match(
        self, name: str, *, organization_hint: str = "", hub_repo_id: str = ""
    ) -> MatchResult:
        """Find the catalog model a feed's name refers to (see module docstring)."""
        for repo in (hub_repo_id, name):
            exact = self.by_repo.get(repo.strip().lower()) if repo else None
            if exact is not None:
                return MatchResult(exact.id, "exact_repo", (exact.id,))
        hint = _clean(organization_hint)
        for key in name_keys(name):
            found = self.by_key.get(key)
            if not found:
                continue
            unique = {e.id: e for e in found}
            if len(unique) == 1:
                only = next(iter(unique.values()))
                return MatchResult(only.id, "normalized", (only.id,))
            # "gpt-image-2" matches both "openai/gpt-image-2" and its dated snapshot
            # "openai/gpt-image-2-2026-04-21" (through the snapshot's undated key): the
            # one whose own name *is* the key is the model itself, the others variants.
            named = [e for e in unique.values() if self.strict.get(e.id) == key]
            if len(named) == 1:
                return MatchResult(named[0].id, "normalized", tuple(sorted(unique)))
            chosen = _tie_break(named or list(unique.values()), hint)
            if chosen is not None:
                return MatchResult(chosen.id, "normalized", tuple(sorted(unique)))
            return MatchResult(None, "ambiguous", tuple(sorted(unique)))
        return MatchResult(None, "none")


def _tie_break(entries: Sequence[CatalogEntry], org_hint: str) -> CatalogEntry | None:
    """Pick among same-named models only when one is clearly the original."""
    pool = list(entries)
    if org_hint:
        by_org = [e for e in pool if _clean(e.organization) == org_hint]
        if len(by_org) == 1:
            return by_org[0]
        if by_org:
            pool = by_org
    originals = [e for e in pool if not e.is_derivative]
    if len(originals) == 1:
        return originals[0]
    return None
