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

When no key matches, three readings are tried, in this order:
6. the Hub repo a feed states for another spelling of the same identity (strict key;
   an undated name also by the undated key), when exactly one (AliasIndex.add_stated);
7. towards Hub repos only, the name without a seller's serving tier ("-highspeed",
   "-lightning", "-high-throughput", "-ultraspeed", "-fast", "-flex");
8. towards Hub repos only, a MoE named by its total size ("qwen3.5-397b") is the repo
   with that total and any active size ("Qwen3.5-397B-A17B"), tie-broken as above.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from catalog.names import canonical_key, parse_feed_id, vendor_of, version_tail_split

_PREFIX_RE = re.compile(
    r"^(?:[a-z0-9_@.-]+/)*"  # path-like prefixes: "openrouter/meta-llama/", "@cf/meta/"
)
_REGION_RE = re.compile(r"^(?:us|eu|apac|global|jp|au)\.(?=[a-z])")
_VENDOR_DOT_RE = re.compile(
    r"^(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|qwen|openai|writer|twelvelabs)\."
)
# "-base" is not among them: a base model never links to its instruct tune.
_LOOSE_SUFFIX_RE = re.compile(r"(?:-(?:instruct|chat|it|hf))+$")


def _clean(name: str) -> str:
    return canonical_key(name)


def strip_provider_prefix(name: str) -> str:
    """'bedrock/us.meta.llama3-1-8b' -> 'llama3-1-8b'; 'openai/gpt-4o' -> 'gpt-4o'."""
    s = name.strip().lower()
    s = _PREFIX_RE.sub("", s)
    s = _REGION_RE.sub("", s)
    s = _VENDOR_DOT_RE.sub("", s)
    return s


def _key_levels(name: str) -> tuple[str, str, str]:
    """(base, undated, loose) keys of one name; loose == undated when no suffix was dropped.

    base keeps the snapshot ("gpt-4o-20240806"), undated drops it and a trailing model
    version after instruct/size ("mistral-7b-instruct-v0.3"), loose drops "-instruct"."""
    parsed = parse_feed_id(name)
    base = parsed.dated_key
    undated = version_tail_split(parsed.key)
    suffix = _LOOSE_SUFFIX_RE.search(undated)
    if suffix is None or suffix.group(0) == "-hf":
        # "-hf" alone is packaging: "Llama-2-7b-hf" is the base model, never "...-chat"
        return base, undated, undated
    return base, undated, undated[: suffix.start()]


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
    # A Hub repo: a dated feed name ("deepseek-v3-0324") never links to its undated
    # Hub repo ("DeepSeek-V3"), since dated open-weights releases are repos of their own.
    is_hub: bool = False


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
    entries: dict[int, CatalogEntry] = field(default_factory=dict)
    # The strict keys of names feeds state a Hub repo id for ("mistralai/ministral-3b-2512"
    # -> Ministral-3-3B-Instruct-2512 on OpenRouter): other spellings of that identity.
    by_stated_key: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # ...and their undated keys, for names without a date ("mistral-small-latest").
    by_stated_undated: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Hub MoE repos' keys without the active size ("qwen-3-5-397b" for Qwen3.5-397B-A17B).
    by_total_key: dict[str, list[CatalogEntry]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, entries: Iterable[CatalogEntry]) -> AliasIndex:
        index = cls()
        for entry in entries:
            index.add(entry)
        return index

    def add(self, entry: CatalogEntry) -> None:
        """Index one more catalog model (a model created or fetched during a load)."""
        self.by_repo[entry.repo_id.lower()] = entry
        self.entries[entry.id] = entry
        seen: set[str] = set()
        seen_loose: set[str] = set()
        short = entry.repo_id.rsplit("/", 1)[-1]
        levels = [_key_levels(name) for name in (short, entry.repo_id)]
        self.strict[entry.id] = levels[0][0]
        bases = {lv[0] for lv in levels}
        for base, undated, loose in levels:
            if base != undated:
                sig = _suffix_signature(base, undated)
                for k in (undated, loose):
                    if k not in bases:
                        self.dated[(k, entry.id)] = sig
            for key in (base, undated):
                if key and key not in seen:
                    seen.add(key)
                    self.by_key[key].append(entry)
            if loose and loose != undated and loose not in seen_loose:
                seen_loose.add(loose)
                self.by_loose_key[loose].append(entry)
        if entry.is_hub:
            total = _ACTIVE_SIZE_RE.sub("", levels[0][1])
            if total != levels[0][1] and entry not in self.by_total_key[total]:
                self.by_total_key[total].append(entry)

    def add_stated(self, name: str, entry_id: int) -> None:
        """A feed states this entry's Hub repo id for `name`: names of the same identity
        (strict key: vendor prefixes, routes, variants dropped; date kept) may link to it."""
        if entry_id in self.entries:
            base, undated, _ = _key_levels(name)
            if base:
                self.by_stated_key[base].add(entry_id)
                self.by_stated_undated[undated].add(entry_id)

    def match(
        self, name: str, *, organization_hint: str = "", hub_repo_id: str = ""
    ) -> MatchResult:
        """Find the catalog model a feed's name refers to (see module docstring), else
        the Hub repo a feed states for another spelling of the same identity, else the
        open-weights Hub repo it names less fully (see `_hub_fallback`)."""
        result = self._match(name, organization_hint=organization_hint, hub_repo_id=hub_repo_id)
        if result.model_id is not None or result.rule == "ambiguous":
            return result
        if self.by_stated_key:
            # a dated name only by its own date; an undated one as _match links an
            # undated name to a dated model ("mistral-small" -> the stated 2603 release)
            base, undated, _ = _key_levels(name)
            stated = self.by_stated_key.get(base)
            if not stated and base == undated:
                stated = self.by_stated_undated.get(undated)
            if stated and len(stated) == 1:
                only = next(iter(stated))
                return MatchResult(only, "normalized", (only,))
        return self._hub_fallback(name, organization_hint) or result

    def _hub_fallback(self, name: str, organization_hint: str) -> MatchResult | None:
        """Two readings tried only when nothing matched, and only towards Hub repos:
        - a serving tier after the model's own name ("MiniMax-M2.7-highspeed",
          "glm-5.2-fast", "kimi-k2.6-flex", "kimi-k2.5-lightning") is the same weights
          served faster or cheaper: the name without it;
        - a MoE model named by its total size only ("qwen3.5-397b") is the one Hub repo
          with that total ("Qwen3.5-397B-A17B"), when exactly one has it."""
        tier = _SERVING_TIER_RE.search(name)
        if tier and _DIGIT_RE.search(name[: tier.start()].rsplit("/", 1)[-1]):
            found = self._match(name[: tier.start()], organization_hint=organization_hint)
            if found.model_id is None:
                found = self._hub_fallback(name[: tier.start()], organization_hint) or found
            if found.model_id is not None and self.entries[found.model_id].is_hub:
                return found
        undated = version_tail_split(parse_feed_id(name).key)
        if _ACTIVE_SIZE_RE.search(undated) or not _TOTAL_SIZE_RE.search(undated):
            return None
        plain = [e for e in self.by_total_key.get(undated, []) if not _is_quant_copy(e.repo_id)]
        hint = vendor_of(organization_hint) or parse_feed_id(name).vendor
        chosen = _tie_break(plain, hint) if plain else None
        if chosen is not None:
            return MatchResult(chosen.id, "normalized", tuple(sorted({e.id for e in plain})))
        return None

    def _match(
        self, name: str, *, organization_hint: str = "", hub_repo_id: str = ""
    ) -> MatchResult:
        for repo in (hub_repo_id, name):
            exact = self.by_repo.get(repo.strip().lower()) if repo else None
            if exact is not None:
                return MatchResult(exact.id, "exact_repo", (exact.id,))
        hint = (
            vendor_of(organization_hint) or parse_feed_id(name).vendor or _clean(organization_hint)
        )
        base, undated, loose = _key_levels(name)
        lookups = [(base, self.by_key), (undated, self.by_key)]
        if loose != undated:
            lookups.append((loose, self.by_loose_key))
        feed_sig = _suffix_signature(base, undated) if base != undated else ""
        for key, table in lookups:
            found = table.get(key) if key else None
            if found and feed_sig and key != base:
                found = [
                    e
                    for e in found
                    if self.dated.get((key, e.id), "" if e.is_hub else feed_sig) == feed_sig
                ]
            # a quantized copy ("...-NVFP4", "-AWQ", "-GGUF") is reached by its repo id
            # only: a feed's name means the model, its serving variant is the offer's
            found = [e for e in found if not _is_quant_copy(e.repo_id)] if found else found
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


# Serving tiers sellers append to an open model's name (never part of a Hub repo's name
# here; "-turbo" is not one: GLM-5-Turbo is a model of its own).
_SERVING_TIER_RE = re.compile(
    r"[-_](?:highspeed|high-throughput|lightning|ultraspeed|fast|flex)$", re.IGNORECASE
)
_DIGIT_RE = re.compile(r"\d")
_ACTIVE_SIZE_RE = re.compile(r"-a-\d+(?:-\d+)?b(?=-|$)")
_TOTAL_SIZE_RE = re.compile(r"-\d+b(?=-|$)")
_DATE_TOKEN_RE = re.compile(r"20\d{2}-?\d{2}-?\d{2}|(?<![a-z0-9])\d{4}(?![0-9])")


def _suffix_signature(base: str, undated: str) -> str:
    """What identifies a dropped suffix: its dates ("-20241022-v2-0" -> "20241022"),
    else the suffix itself ("-v2")."""
    suffix = base[len(undated) :]
    dates = [d.replace("-", "") for d in _DATE_TOKEN_RE.findall(suffix)]
    return ",".join(dates) if dates else suffix


_FULL_PRECISION = frozenset({"bf16", "fp16", "fp32"})


def _is_quant_copy(repo_id: str) -> bool:
    """A repo whose name carries a quantization ("Qwen3-32B-AWQ"); a BF16 repo is the
    model itself ("NVIDIA-Nemotron-3-Nano-30B-A3B-BF16")."""
    variant = parse_feed_id(repo_id).variant
    return bool(variant) and not set(variant.split("+")) <= _FULL_PRECISION


def _tie_break(entries: Sequence[CatalogEntry], org_hint: str) -> CatalogEntry | None:
    """Pick among same-named models only when one is clearly the original: not a
    serving copy ("Qwen3-32B-FP8", "-AWQ", "-GGUF"), the vendor's own, not a derivative;
    within one org, the shortest id ("Llama-3.1-8B" over its old "Meta-Llama-3.1-8B")."""
    pool = list(entries)
    plain = [e for e in pool if not parse_feed_id(e.repo_id).variant]
    if len(plain) == 1:
        return plain[0]
    if plain:
        pool = plain
    if org_hint:
        by_org = [
            e
            for e in pool
            if _clean(e.organization) == org_hint or vendor_of(e.organization) == org_hint
        ]
        if len(by_org) == 1:
            return by_org[0]
        if by_org:
            pool = by_org
    originals = [e for e in pool if not e.is_derivative]
    if len(originals) == 1:
        return originals[0]
    orgs = {e.repo_id.split("/", 1)[0].lower() for e in originals}  # the repos' owner
    if originals and len(orgs) == 1 and (not org_hint or vendor_of(next(iter(orgs))) == org_hint):
        return min(originals, key=lambda e: (len(e.repo_id), e.repo_id))
    return None
