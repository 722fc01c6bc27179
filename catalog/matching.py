"""Match a feed's model name to a catalog model (pure: no Django imports).

Feeds name models their own way: "bedrock/us.meta.llama3-1-8b-instruct-v1:0",
"openai/gpt-4o-2024-08-06", "Meta-Llama-3.1-8B-Instruct-Turbo". We compare names
through a normalization that removes what does not identify the model:

1. case and separators ("_", ".", ":", " ", "/") -> lower case, "-";
2. provider prefixes ("openai/", "bedrock/us.", "together_ai/", "@cf/meta/") -> dropped;
3. date suffixes ("-20240620", "-2024-08-06", "@20240620", "-0613") and version
   suffixes ("-v1:0", "-latest", "-001") -> dropped;
4. then, as a looser key, "-instruct" / "-chat" / "-it" / "-hf" are dropped. The loose
   key links two names only when BOTH carried such a suffix ("llama-2-7b-chat" ~
   "Llama-2-7b-chat-hf"): a bare name never links to a suffixed one, because "gpt-5"
   and "gpt-5-chat", or a base model and its instruct tune, are different models.
5. Likewise two names that both carry a date/version suffix link only when the suffixes
   are equal ("mistral-large-2407" is not "mistral-large-2402", "whisper-large-v2" is
   not "whisper-large-v3"); a name without one may still link to a dated model.

Each key is tried from strictest to loosest. A key that maps to exactly one catalog
model is a link (rule "normalized"); among several, a snapshot with the feed name's own
date wins, then the one whose own name is the key ("gpt-4o" over its snapshot
"gpt-4o-2024-08-06"); a key that maps to several, with no tie-breaker (organization
hint, exactly one original among derivatives), is *ambiguous* and goes to the review
list instead of guessing.
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
# How a provider serves a model, not which model it is ("-Turbo", "-FP8", ":free").
_SERVING_SUFFIX_RE = re.compile(r"(?:-(?:turbo|fp8|fp16|bf16|awq|gptq|gguf|int4|int8|free))+$")
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


def _key_levels(name: str) -> tuple[str, str, str]:
    """(base, undated, loose) keys of one name; loose == undated when no suffix was dropped."""
    base = _clean(strip_provider_prefix(name))
    undated = base
    for _ in range(3):  # "-20240620-v1-0" style stacks
        nxt = _VERSION_RE.sub("", _DATE_RE.sub("", _SERVING_SUFFIX_RE.sub("", undated)))
        if nxt == undated:
            break
        undated = nxt
    return base, undated, _LOOSE_SUFFIX_RE.sub("", undated)


def name_keys(name: str) -> list[str]:
    """Keys for one name, strictest first, without duplicates."""
    out: list[str] = []
    for k in _key_levels(name):
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
    # Loose keys of names that carried an "-instruct"/"-chat"/... suffix (see docstring).
    by_loose_key: dict[str, list[CatalogEntry]] = field(default_factory=lambda: defaultdict(list))
    # (key, entry id) -> the date/version suffix dropped to get the key (see docstring 5).
    dated: dict[tuple[str, int], str] = field(default_factory=dict)
    # entry id -> the strictest key of its short name ("gpt-4o-2024-08-06" for a dated id)
    strict: dict[int, str] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[CatalogEntry]) -> AliasIndex:
        index = cls()
        for entry in entries:
            index.by_repo[entry.repo_id.lower()] = entry
            seen: set[str] = set()
            seen_loose: set[str] = set()
            short = entry.repo_id.rsplit("/", 1)[-1]
            levels = [_key_levels(name) for name in (short, entry.repo_id)]
            index.strict[entry.id] = levels[0][0]
            bases = {lv[0] for lv in levels}
            for base, undated, loose in levels:
                if base != undated:
                    sig = _suffix_signature(base, undated)
                    for k in (undated, loose):
                        if k not in bases:
                            index.dated[(k, entry.id)] = sig
                for key in (base, undated):
                    if key and key not in seen:
                        seen.add(key)
                        index.by_key[key].append(entry)
                if loose and loose != undated and loose not in seen_loose:
                    seen_loose.add(loose)
                    index.by_loose_key[loose].append(entry)
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
        base, undated, loose = _key_levels(name)
        lookups = [(base, self.by_key), (undated, self.by_key)]
        if loose != undated:
            lookups.append((loose, self.by_loose_key))
        feed_sig = _suffix_signature(base, undated) if base != undated else ""
        for key, table in lookups:
            found = table.get(key) if key else None
            if found and feed_sig and key != base:
                found = [e for e in found if self.dated.get((key, e.id), feed_sig) == feed_sig]
            if not found:
                continue
            unique = {e.id: e for e in found}
            if len(unique) == 1:
                only = next(iter(unique.values()))
                return MatchResult(only.id, "normalized", (only.id,))
            everyone = tuple(sorted(unique))
            # A dated feed name prefers the snapshot carrying the same date
            # ("claude-3-5-haiku-20241022-v1:0" -> "claude-3-5-haiku-20241022")...
            if feed_sig and key != base:
                same = [e for e in unique.values() if self.dated.get((key, e.id)) == feed_sig]
                if len(same) == 1:
                    return MatchResult(same[0].id, "normalized", everyone)
            # ...and otherwise the model whose own name *is* the key wins over its dated
            # snapshots ("gpt-image-2" -> "gpt-image-2", not "gpt-image-2-2026-04-21").
            named = [e for e in unique.values() if self.strict.get(e.id) == key]
            if len(named) == 1:
                return MatchResult(named[0].id, "normalized", everyone)
            chosen = _tie_break(named or list(unique.values()), hint)
            if chosen is not None:
                return MatchResult(chosen.id, "normalized", everyone)
            return MatchResult(None, "ambiguous", everyone)
        return MatchResult(None, "none")


_DATE_TOKEN_RE = re.compile(r"20\d{2}-?\d{2}-?\d{2}|(?<![a-z0-9])\d{4}(?![0-9])")


def _suffix_signature(base: str, undated: str) -> str:
    """What identifies a dropped suffix: its dates ("-20241022-v2-0" -> "20241022"),
    else the suffix itself ("-v2")."""
    suffix = base[len(undated) :]
    dates = [d.replace("-", "") for d in _DATE_TOKEN_RE.findall(suffix)]
    return ",".join(dates) if dates else suffix


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
