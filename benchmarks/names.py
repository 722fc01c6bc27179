"""Model names as runs spell them -> (catalog repo id, weight format), by exact lookup (pure).

Runs name models three ways:
- a GGUF file: "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "microsoft_Phi-4-mini-instruct-
  Q4_K_M.gguf" (bartowski's "org_Name"), "gpt-oss-20b-MXFP4.gguf": the first dash-separated
  part that is a llama.cpp file type is the format, what precedes it the model's name;
- an MLX conversion: "Llama-3.2-1B-Instruct-4bit", "mlx-community/gpt-oss-20b-MXFP4-Q8":
  a trailing "-4bit"/"-8bit"/"-MXFP4..." is the format (except on vLLM / SGLang /
  TensorRT-LLM, which load "-NVFP4" / "-AWQ" / "-FP8" Hub checkpoints: "Qwen3.6-35B-A3B-
  NVFP4-Fast" there is Qwen3.6-35B-A3B in NVFP4);
- an Ollama tag: "llama3.1:8b", "qwen3:8b": looked up in the Ollama library table
  ("hf.co/<org>/<Name>-GGUF:<type>" tags pull a Hub GGUF repo: Name and type are read off)
  (benchmarks/data/ollama_library.json: tag -> repo and the tag's default format, which
  Ollama ships as Q4_K_M unless the table says otherwise).

The name then matches a catalog repo whose name part equals it (case-insensitive); when
several repos share it, the one whose organisation the name carried wins, else the most
downloaded. Meta's renamed repos ("Meta-Llama-3.1-8B-Instruct" -> "Llama-3.1-8B-
Instruct") are tried both ways. No substring or fuzzy matching: a name that matches no
repo exactly stays unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from benchmarks.estimate.formats import precision_key

_MLX_SUFFIX = re.compile(r"^(?P<name>.+?)-(?P<fmt>(?:mxfp4|nvfp4|mxfp8)(?:-q\d)?|\d+bit)$", re.I)
_ORG_PREFIX = re.compile(r"^(?P<org>[A-Za-z0-9][A-Za-z0-9.\-]*)_(?P<name>[A-Za-z0-9].*)$")
_HF_TAG = re.compile(r"^hf\.co/(?P<org>[^/]+)/(?P<name>[^:]+):(?P<quant>.+)$", re.I)
_MLX_FORMATS = {"mxfp4": "mlx-mxfp4", "nvfp4": "mlx-nvfp4", "mxfp8": "mlx-mxfp8"}
# Servers that load Hub checkpoints in their own quantization formats: an "-NVFP4" repo there
# is a ModelOpt / compressed-tensors NVFP4 checkpoint (vLLM docs, "NVFP4" quantization;
# nvidia/*-NVFP4 model cards: FP4 weights with FP8 scales per 16 values), not an MLX
# conversion, and a trailing word after the format ("-NVFP4-Fast") is the publisher's label.
TENSOR_SERVERS = ("vllm", "sglang", "tensorrt-llm")


@dataclass(frozen=True, slots=True)
class ParsedName:
    name: str  # the model's name part ("Llama-3.2-1B-Instruct")
    org: str = ""  # an organisation the name carried ("microsoft")
    precision: str | None = None  # our format key, None when the name does not say
    raw_format: str = ""


def parse_gguf_name(filename: str) -> ParsedName:
    """ "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf" -> ("Meta-Llama-3.1-8B-Instruct", q4_k_m)."""
    stem = filename.rsplit("/", 1)[-1]
    stem = re.sub(r"\.gguf$", "", stem, flags=re.I)
    dotted = re.match(r"(?P<name>.+)\.(?P<fmt>[A-Za-z0-9_]+)$", stem)  # "starcoder2-3b.Q4_K_M"
    if dotted and (key := precision_key(dotted.group("fmt"), gguf=True)):
        return _with_org(dotted.group("name"), key, dotted.group("fmt"))
    parts = stem.split("-")
    for i in range(1, len(parts)):  # the first file-type part: "...-Q4_K_M-fp16" is Q4_K_M
        for width in (2, 1):  # "UD-Q4_K_XL" spans two parts
            raw = "-".join(parts[i : i + width])
            key = precision_key(raw, gguf=True)
            if key and (key.startswith(("q", "iq", "mxfp4", "gguf-")) or width == 2):
                return _with_org("-".join(parts[:i]), key, raw)
    return _with_org(stem, None, "")


def parse_mlx_name(name: str) -> ParsedName:
    """ "Llama-3.2-1B-Instruct-4bit" -> ("Llama-3.2-1B-Instruct", mlx-4bit)."""
    org, _, base = name.rpartition("/")
    match = _MLX_SUFFIX.match(base)
    if not match:
        return ParsedName(base, org)
    raw = match.group("fmt").lower()
    kind = raw.split("-")[0]
    key = _MLX_FORMATS.get(kind) or precision_key(f"mlx-{raw}")
    return ParsedName(match.group("name"), org, key, raw)


def _with_org(name: str, key: str | None, raw: str) -> ParsedName:
    match = _ORG_PREFIX.match(name)
    if match and "-" in match.group("name"):
        return ParsedName(match.group("name"), match.group("org"), key, raw)
    return ParsedName(name, "", key, raw)


@dataclass
class RepoIndex:
    """Catalog repo ids by lower-cased name part, most downloaded first."""

    by_name: dict[str, list[str]]

    @classmethod
    def build(cls, repos: Iterable[tuple[str, int]]) -> RepoIndex:
        """`repos`: (repo id, downloads)."""
        by_name: dict[str, list[tuple[int, str]]] = {}
        for repo_id, downloads in repos:
            name = repo_id.rsplit("/", 1)[-1].lower()
            by_name.setdefault(name, []).append((-(downloads or 0), repo_id))
        return cls({k: [r for _, r in sorted(v)] for k, v in by_name.items()})

    def find(self, parsed: ParsedName) -> str | None:
        name = parsed.name.lower()
        candidates = list(self.by_name.get(name, ()))
        if not candidates and name.startswith("meta-llama-"):
            candidates = list(self.by_name.get(name.removeprefix("meta-"), ()))
        if not candidates and name.startswith("llama-3"):
            candidates = list(self.by_name.get("meta-" + name, ()))
        if not candidates:
            return None
        if parsed.org:
            for repo in candidates:
                if repo.split("/", 1)[0].lower() == parsed.org.lower():
                    return repo
        return candidates[0]


@dataclass(frozen=True, slots=True)
class ResolvedName:
    repo_id: str | None
    precision: str | None
    parsed: ParsedName


def resolve_run_model(
    raw: str, *, engine: str, index: RepoIndex, ollama: Mapping[str, Mapping[str, str]]
) -> ResolvedName:
    """The catalog repo and weight format a run's model name denotes (module docstring)."""
    hub = _HF_TAG.match(raw)
    if hub:  # Ollama pulling a Hub GGUF repo: "hf.co/unsloth/Qwen3-8B-GGUF:Q4_K_M"
        parsed = ParsedName(
            re.sub(r"-gguf$", "", hub.group("name"), flags=re.I),
            "",
            precision_key(hub.group("quant"), gguf=True),
            hub.group("quant"),
        )
        return ResolvedName(index.find(parsed), parsed.precision, parsed)
    if engine == "ollama" or (":" in raw and "/" not in raw and not raw.endswith(".gguf")):
        entry = ollama.get(raw) or ollama.get(raw.lower())
        parsed = ParsedName(raw, "", None, "")
        if not entry:
            return ResolvedName(None, None, parsed)
        repo = entry.get("repo")
        return ResolvedName(repo, entry.get("precision") or "q4_k_m", parsed)
    if raw.lower().endswith(".gguf"):
        parsed = parse_gguf_name(raw)
    elif engine == "mlx" or (
        engine not in TENSOR_SERVERS and re.search(r"-\d+bit$|mxfp4|nvfp4", raw, re.I)
    ):
        parsed = parse_mlx_name(raw)
    else:
        org, _, name = raw.rpartition("/")
        parsed = _with_format_suffix(name, org)
    return ResolvedName(index.find(parsed), parsed.precision, parsed)


_QUANT_SUFFIX = re.compile(
    r"^(?P<name>.+?)-(?P<fmt>awq(?:-int4)?|gptq(?:-int[48])?|nvfp4|mxfp4|fp8(?:-dynamic)?|int4|w4a16)"
    r"(?:-[a-z]+)?$",
    re.I,
)


def _with_format_suffix(name: str, org: str) -> ParsedName:
    """ "Qwen2.5-Coder-32B-Instruct-AWQ" -> (Qwen2.5-Coder-32B-Instruct, int4-awq); a trailing
    word after the format ("-NVFP4-Fast") is the publisher's label, not the model's."""
    match = _QUANT_SUFFIX.match(name)
    if not match:
        return ParsedName(name, org)
    raw = match.group("fmt").lower().replace("-", "_")
    key = precision_key({"int4": "gptq", "w4a16": "gptq"}.get(raw, raw).split("_int")[0])
    return ParsedName(match.group("name"), org, key, match.group("fmt"))
