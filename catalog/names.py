"""Read the model id forms real price feeds use (pure: no Django imports).

    parse_feed_id("bedrock/us.meta.llama3-1-8b-instruct-v1:0")
    -> FeedId(vendor="meta-llama", name="llama3-1-8b-instruct", key="llama-3-1-8b-instruct")

A feed id says three things that must not be confused:
- **which model** (the identity: `key`, compared with the catalog's names),
- **which snapshot** of it (`snapshot`: a date "20241022", Vertex's "001"/"default"),
- **how it is served** (`variant`: "fp8", "int4", "turbo", "q4_k_m", "free").
Only the identity decides a link; snapshot and variant stay attributes of the offer.

Forms read (each from a real feed row; tests/catalog/linking_table.csv holds >= 150):
- reseller / provider paths: "openrouter/", "nano-gpt/", "deepinfra/meta-llama/...",
  "accounts/fireworks/models/...", Cloudflare "@cf/meta/...", "@hf/...";
- Bedrock: inference-profile prefixes ("us.", "eu.", "apac.", "global.", "jp.", "au."),
  vendor dots ("meta.", "anthropic."), API versions ("-v1:0"; "-v0:2" is Mistral's
  model version v0.2; "-v2:0" without a date is a model version: titan-embed-text-v2);
- Vertex "@default", "@latest", "@001", "@20240620";
- Fireworks "llama-v3p1" (3.1; "llama-v3" is 3, never 3.1), "qwen2p5" (2.5);
- Together "Meta-Llama-3.1-...-Instruct-Turbo" ("Meta-" before "Llama" is dropped on
  both sides, "-Turbo" after instruct/size/version is a serving variant);
- Ollama tags "llama3.1:8b-instruct-q4_K_M" (size joined, quant a variant);
  OpenRouter ":free" / ":thinking" / ":nitro" tags (variants);
- dated snapshots "-2024-08-06", "-20241022", "-0613", "-2407";
- sellers' prefixes before a family ("zai-org-glm-4.7", "coding-xiaomi-mimo-v2.5",
  "cerebras-llama-4-..."), MLX / GGUF quant tags ("-6bit", "-IQ4_XS"), Clarifai
  paths ("<org>/chat-completion/models/<model>"), Fireworks "routers/";
- Cohere's Hub "c4ai-" prefix, and Llama 4 Maverick / Scout without their one expert
  count ("llama4-maverick-17b-instruct" is the 128E model).

The key keeps what tells near misses apart: version (3 vs 3.1), size (8b vs 70b),
"coder", "mini", "instruct", "vision" all stay in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from catalog.vendors import (
    CLOSED_VENDORS,
    HUB_ORGS,
    NAME_VENDORS,
    VENDOR_HUB_ORGS,
    VENDORS,
)

__all__ = ["CLOSED_VENDORS", "HUB_ORGS", "VENDORS", "VENDOR_HUB_ORGS", "FeedId", "parse_feed_id"]

# Path parts that name a route to the model, never its vendor.
_PATH_NOISE = frozenset(
    {
        "accounts",
        "models",
        "@cf",
        "@hf",
        "fireworks",
        "deployments",
        "routers",
        "completion",
        "chat-completion",
    }
)
# A last path part that names no model by itself ("fal-ai/recraft/v3", ".../flux/dev").
_GENERIC_LAST_RE = re.compile(
    r"^(?:v?\d[\w.-]*|dev|schnell|pro|max|ultra|fast|lite|standard|hd|edit|image|video"
    r"|text-to-image|image-to-image|text-to-video|image-to-video|text-to-speech)$"
)
_REGION_RE = re.compile(r"^(?:us-gov|us|eu|apac|global|regional|jp|au|ca)\.(?=[a-z])")
# A seller or vendor joined to the name with "-": "databricks-claude-opus-4-7",
# "openai-gpt-4o", "cohere-command-r-plus" ("snowflake-llama..." is Snowflake's own tune).
_NAME_PREFIX_RE = re.compile(
    r"^(?:(?:databricks|anthropic|openai|google|azure|cohere|xai|amazon)-"
    r"(?=claude|gpt|o\d|gemini|gemma|llama|meta-llama|command|embed|grok|nova|titan|dbrx"
    r"|mixtral|mistral|qwen|deepseek)|open-(?=mistral|mixtral|codestral))"
)
# Sellers and makers joined to an open model's name with "-", possibly several:
# Venice "zai-org-glm-4.7", Cerebras "zai-glm-4.7", DigitalOcean "alibaba-qwen3-32b",
# AIHubMix "coding-xiaomi-mimo-v2.5" / "alicloud-glm-5.1", Umans "umans-glm-5.1", the
# Llama API's "cerebras-llama-4-maverick-...", DigitalOcean's "arcee-trinity-large-thinking";
# only before a model family they sell.
_SELLER_PREFIX_RE = re.compile(
    r"^(?:(?:zai-org|z-ai|zai|alibaba|alicloud|xiaomi|moonshot|cerebras|groq|coding|umans"
    r"|arcee)-)+(?=glm-|kimi-|mimo-|minimax-|qwen|deepseek-|llama-|trinity-)"
)
_FIRST_VERSION_RE = re.compile(r"-v1$")  # "nova-pro-v1" is Bedrock's "nova-pro-v1:0"
_VENDOR_DOT_RE = re.compile(r"^([a-z][a-z0-9]*(?:-[a-z]+)*)\.(?=[a-z])")
_BEDROCK_VERSION_RE = re.compile(r"-v(\d+):(\d+)$")
_BARE_COLON_VERSION_RE = re.compile(r"-\d+:\d+$")
_AT_RE = re.compile(r"^(.+?)@([a-z0-9._-]+)$")
_SIZE_TAG_RE = re.compile(r"^\d+(?:\.\d+)?[bmk](?:[-_].*)?$")
# Tags and suffixes that say how a model is served, not which model it is.
_COLON_VARIANTS = frozenset(
    {"free", "beta", "thinking", "extended", "nitro", "floor", "online", "exacto", "latest"}
)
_QUANT = (
    r"(?:fp8|fp16|bf16|fp4|nvfp4|mxfp4|int4|int8|w4a16|w8a8|awq|gptq|gguf|mlx"
    r"|i?q\d(?:_[a-z0-9]+)*|\d+-?bit)"
)
_VARIANT_RE = re.compile(
    rf"-({_QUANT}|free|maas|reference|cloud|latest|tee|tput|nothink|nothinking|think)$"
)
_TURBO_RE = re.compile(
    rf"(-(?:instruct|chat|it|\d+(?:\.\d+)?b|v\d+(?:\.\d+)?|{_QUANT}))-(turbo|lite|fast)$"
)
_DATE_RE = re.compile(r"-(20\d{2}-\d{2}-\d{2}|20\d{6}|\d{2}-20\d{2}|\d{2}-\d{2}|[0-3]\d[0-3]\d)$")
_GEMINI_SNAPSHOT_RE = re.compile(r"^(gemini-.*)-(00\d)$")  # Vertex "gemini-1.5-pro-002"
_FIREWORKS_P_RE = re.compile(r"(?<=\d)p(?=\d)")
_LLAMA_V_RE = re.compile(r"\bllama-v(\d)")
_SEP_RE = re.compile(r"[\s_.:/@]+")
_ALPHA_DIGIT_RE = re.compile(r"(?<=[a-z])(?=\d)")
_DASHES_RE = re.compile(r"-{2,}")
_META_LLAMA_RE = re.compile(r"^meta-(?=llama)")
# Cohere's Hub repos carry "c4ai-" ("CohereLabs/c4ai-command-r7b-12-2024"); its API not.
_C4AI_RE = re.compile(r"^c-4ai-")
# Llama 4 Maverick and Scout were released with one expert count each (128E, 16E):
# Bedrock's "llama4-maverick-17b-instruct" is "Llama-4-Maverick-17B-128E-Instruct".
_LLAMA4_EXPERTS = {"maverick": "128e", "scout": "16e"}
_LLAMA4_EXPERTS_RE = re.compile(r"^llama-4-(maverick|scout)-17b(?!-\d+e)")


@dataclass(frozen=True, slots=True)
class FeedId:
    raw: str
    vendor: str  # canonical vendor ("meta-llama", "google"); "" when the id does not say
    org: str  # the org part as written ("meta-llama", "Qwen"), when it is a known vendor
    name: str  # the model part, lower case, without routes, snapshot and variant
    key: str  # identity key compared with the catalog ("llama-3-1-8b-instruct")
    dated_key: str = ""  # the key with its snapshot ("gpt-4o-2024-08-06")
    snapshot: str = ""  # "20241022", "001", "default"
    variant: str = ""  # "fp8", "turbo", "q4_k_m", "free" (several joined by "+")
    repo_id: str = ""  # "meta-llama/Meta-Llama-3.1-8B-Instruct" when the id holds one


EMPTY = FeedId(raw="", vendor="", org="", name="", key="")
# A version after instruct/chat/size ("Mistral-7B-Instruct-v0.3"): compared like a date.
_VERSION_TAIL_RE = re.compile(r"^(.*(?:instruct|chat|\db))-v-\d+(?:-\d+)?$")


def version_tail_split(key: str) -> str:
    """ "mistral-7b-instruct-v-0-3" -> "mistral-7b-instruct"; other keys unchanged."""
    m = _VERSION_TAIL_RE.match(key)
    return m.group(1) if m else key


def canonical_key(name: str) -> str:
    """The identity key of one already-stripped name: "Llama-3.1-8B" -> "llama-3-1-8b".

    Lower case; Fireworks' "3p1" -> "3.1"; separators -> "-"; a letter followed by a
    digit split ("llama3" -> "llama-3", never "8b"); "meta-" before "llama" dropped."""
    s = name.strip().lower()
    s = _FIREWORKS_P_RE.sub(".", s)
    s = _SEP_RE.sub("-", s)
    s = _LLAMA_V_RE.sub(r"llama-\1", s)
    s = _ALPHA_DIGIT_RE.sub("-", s)
    s = _DASHES_RE.sub("-", s).strip("-")
    s = _C4AI_RE.sub("", _META_LLAMA_RE.sub("", s))
    return _LLAMA4_EXPERTS_RE.sub(lambda m: f"{m.group(0)}-{_LLAMA4_EXPERTS[m.group(1)]}", s)


_NAME_VENDOR_RE = re.compile("|".join(f"({re.escape(p)})" for p, _ in NAME_VENDORS))
_NAME_VENDOR_OF = [vendor for _, vendor in NAME_VENDORS]


@lru_cache(maxsize=65536)
def vendor_of(org: str, name: str = "") -> str:
    """The canonical vendor for an org as a feed spells it, else from the name."""
    if org:
        slug = _SEP_RE.sub("-", org.strip().lower()).strip("-")
        if slug in VENDORS:
            return VENDORS[slug]
    m = _NAME_VENDOR_RE.match(name.strip().lower()) if name else None
    return _NAME_VENDOR_OF[m.lastindex - 1] if m and m.lastindex else ""


@lru_cache(maxsize=262144)
def parse_feed_id(raw: str) -> FeedId:
    """Split a feed's model id into vendor, identity key, snapshot and variant."""
    text = (raw or "").strip()
    if not text:
        return EMPTY
    parts = [p for p in text.split("/") if p]
    last = parts[-1] if parts else ""
    if not last or last.lower() in _PATH_NOISE:
        return EMPTY
    org_raw = ""
    inner = [p for p in parts[:-1] if p.lower() not in _PATH_NOISE]
    if inner and len(parts) >= 3 and _GENERIC_LAST_RE.match(last.lower()):
        last = f"{inner.pop()}-{last}"  # "fal-ai/flux-pro/v1.1-ultra" -> "flux-pro-v1.1-ultra"
        parts = [*parts[:-2], last]
    for p in reversed(parts[:-1]):
        if p.lower() not in _PATH_NOISE:
            org_raw = p
            break
    name = last.lower()
    variants: list[str] = []
    if name.startswith("ft:"):  # OpenAI's fine-tuning price of a base model
        name = name[3:]
        variants.append("ft")
    snapshot = ""
    dot_vendor = ""
    name = _REGION_RE.sub("", name)
    m = _VENDOR_DOT_RE.match(name)
    if m and (m.group(1) in VENDORS or m.group(1) in {"twelvelabs", "luma", "writer"}):
        dot_vendor = m.group(1)
        name = name[m.end() :]
        if dot_vendor == "deepseek" and re.match(r"[rv]\d", name):
            name = f"deepseek-{name}"
    name, snap, variant_tags = _strip_tags(name)
    snapshot = snap or snapshot
    variants += variant_tags
    name, more_variants = _strip_variants(name)
    variants += more_variants
    name = _NAME_PREFIX_RE.sub("", name)
    name = _SELLER_PREFIX_RE.sub("", name)
    name = _FIRST_VERSION_RE.sub("", name)
    date = _DATE_RE.search(name)
    gemini = _GEMINI_SNAPSHOT_RE.match(name)
    undated = name
    if date and not _is_size_or_version(name, date):
        snapshot = date.group(1).replace("-", "")
        # "chatgpt-4o-latest-20250326": a variant before the date is one too
        undated, before_date = _strip_variants(name[: date.start()])
        variants += before_date
    elif gemini:
        undated, snapshot = gemini.group(1), gemini.group(2)
    org_is_vendor = bool(org_raw) and vendor_of(org_raw) != ""
    # The org of a Hub repo id names the maker ("nvidia/Llama-3.1-Nemotron-70B"); a
    # cloud's or router's org does not ("google/claude-opus-4-7" on Vertex): the name does.
    by_name = vendor_of("", undated) if org_raw.lower() not in HUB_ORGS else ""
    vendor = by_name or (vendor_of(org_raw) if org_is_vendor else vendor_of(dot_vendor, undated))
    repo_id = ""
    if org_raw.lower() in HUB_ORGS and not dot_vendor:
        repo_id = f"{org_raw}/{original_case(last, name)}"
    return FeedId(
        raw=text,
        vendor=vendor,
        org=org_raw if org_is_vendor else "",
        name=_LLAMA_V_RE.sub(r"llama-\1", _FIREWORKS_P_RE.sub(".", undated)),
        key=(key := canonical_key(undated)),
        dated_key=canonical_key(f"{undated}-{snapshot}") if snapshot else key,
        snapshot=snapshot,
        variant="+".join(variants),
        repo_id=repo_id,
    )


def _strip_tags(name: str) -> tuple[str, str, list[str]]:
    """Bedrock API versions, Vertex "@..." and Ollama / OpenRouter ":tag" suffixes."""
    snapshot = ""
    variants: list[str] = []
    bedrock = _BEDROCK_VERSION_RE.search(name) if ":" in name else None
    if bedrock:
        major, minor = int(bedrock.group(1)), int(bedrock.group(2))
        head = name[: bedrock.start()]
        if major == 0:  # Mistral on Bedrock: "-v0:2" is the model's own v0.2
            name = f"{head}-v0.{minor}"
        elif minor:  # "claude-v2:1" is Claude 2.1
            name = f"{head}-v{major}.{minor}"
        elif major == 1 or _DATE_RE.search(head):
            name = head  # an API version ("-v1:0"; a dated id's "-v2:0")
        else:
            name = f"{head}-v{major}"  # "titan-embed-text-v2:0": the model's v2
    elif ":" in name:
        name = _BARE_COLON_VERSION_RE.sub("", name)
    at = _AT_RE.match(name) if "@" in name else None
    if at:
        name, tag = at.group(1), at.group(2)
        if tag not in {"default", "latest"}:
            snapshot = tag.replace("-", "")
    if ":" in name:
        head, _, tag = name.partition(":")
        if _SIZE_TAG_RE.match(tag):
            name = f"{head}-{tag}"
        else:
            name = head
            if tag:
                variants.append(tag)
    return name, snapshot, variants


def _strip_variants(name: str) -> tuple[str, list[str]]:
    variants: list[str] = []
    for _ in range(4):
        m = _VARIANT_RE.search(name) or _TURBO_RE.search(name)
        if not m:
            break
        if m.re is _TURBO_RE:
            variants.append(m.group(2))
            name = name[: m.start()] + m.group(1)
        else:
            variants.append(m.group(1))
            name = name[: m.start()]
    return name, variants


def _is_size_or_version(name: str, date: re.Match[str]) -> bool:
    """ "-0613" is a date; "qwen3-coder-480b-a35b-instruct" has none. Four digits right
    after a name part that already is a number ("llama-3-1-2024"?) stay dates; three-
    or four-digit model numbers ("claude-2-1", "gemma-3n-e4b") never match _DATE_RE."""
    token = date.group(1)
    if len(token) == 4 and token.isdigit():
        yymm = 1 <= int(token[2:]) <= 12  # Mistral "2407"
        mmdd = 1 <= int(token[:2]) <= 12 and 1 <= int(token[2:]) <= 31  # OpenAI "0613"
        return not (yymm or mmdd)
    return False


def identity_name(parsed: FeedId) -> str:
    """The model part of a created model's id: without snapshot for closed vendors'
    models, with it otherwise ("qwen3-235b-a22b-instruct-2507")."""
    if not parsed.snapshot or parsed.vendor in CLOSED_VENDORS:
        return parsed.name
    return f"{parsed.name}-{parsed.snapshot}"


def original_case(last: str, lowered: str) -> str:
    """The original-case form of `lowered`, a prefix of last.lower() (Hub repo names)."""
    low = last.lower()
    idx = low.find(lowered)
    return last[idx : idx + len(lowered)] if idx >= 0 else lowered
