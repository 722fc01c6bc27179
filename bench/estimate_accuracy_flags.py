"""What a benchmark_cache row's command line and notes say about how it ran (no Django).

For bench/estimate_accuracy_cache.py: speculative decoding (method, drafted tokens, a stated
acceptance, the draft model's file), llama-server parallel slots, and MoE experts kept on
the CPU (`--n-cpu-moe`). Only what the row states is read; everything else is the
estimator's stated default (benchmarks/estimate/speculative.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC_TYPE = re.compile(r"--spec-type[\s=]+([\w-]+)")
_N_MAX = re.compile(r"--(?:spec-draft-n-max|draft-max|draft-n-max|draft)[\s=]+(\d+)(?!\S)")
_NUM_SPEC = re.compile(r"num_speculative_tokens\W{0,3}\s*[:=]?\s*(\d+)")
_MTP_K = re.compile(r"(?i)\bMTP k\s*=\s*(\d+)")
_SPEC_JSON = re.compile(r"--speculative-config\s+'?(\{[^}]*\})")
_MODEL_DRAFT = re.compile(r"(?:^|\s)(?:-md|--model-draft)[\s=]+(\S+)")
_BUDGET = re.compile(r"--(?:ddtree-budget|budget)[\s=]+(\d+)")
_PCT = re.compile(
    r"(?i)(?:(\d+(?:\.\d+)?)\s*%\s*(?:draft\s+)?acceptance"
    r"|acceptance(?:\s+rate)?\s*:?\s*(\d+(?:\.\d+)?)\s*%"
    r"|acceptance\s*\((\d+(?:\.\d+)?)\s*%\)"
    r"|acceptance(?:\s+rate)?\s*:?\s*(0\.\d+))"
)
_RATIO = re.compile(r"(?i)(\d+)\s*/\s*(\d+)\s+draft acceptance")
_NP = re.compile(r"(?:^|\s)(?:-np|--parallel)[\s=]+(\d+)")
_CPU_MOE = re.compile(r"--n-cpu-moe[\s=]+(\d+)")
_DFLASH = re.compile(r"(?i)dflash")
_EAGLE = re.compile(r"(?i)eagle")


@dataclass(frozen=True, slots=True)
class SpecFlags:
    method: str
    draft_tokens: int | None
    accepted_ratio: float | None
    verify_tokens: int | None
    draft_file: str


def speculation(snippet: str, model_id: str, flags: dict) -> SpecFlags | None:
    """The speculative decoding a row ran, or None when it ran plain decoding.

    A row speculates when its flags say so (specDecoding, mtpEnabled) or its command does
    (`--spec-type`, `-md`, `--speculative-config`, a DFlash binary) and it is not the
    autoregressive baseline (`--ar-baseline`). A model name alone ("...-MTP-GGUF") proves
    nothing: those files also serve plain decoding."""
    text = snippet or ""
    if "--ar-baseline" in text:
        return None
    stype = _SPEC_TYPE.search(text)
    jcfg = _SPEC_JSON.search(text)
    draft = _MODEL_DRAFT.search(text)
    binary = "dflash_spec_demo" in text or "test_dflash" in text or "DFLASH" in text
    notes_on = re.search(r"(?i)MTP (?:active|enabled)|num_speculative_tokens", text)
    if not (
        flags.get("specDecoding")
        or flags.get("mtpEnabled")
        or stype
        or jcfg
        or draft
        or binary
        or notes_on
    ):
        return None
    method = _method(stype.group(1) if stype else "", jcfg.group(1) if jcfg else "", text, model_id)
    k = None
    for pattern in (_N_MAX, _NUM_SPEC, _MTP_K):
        found = pattern.search(text)
        if found:
            k = int(found.group(1))
            break
    budget = _BUDGET.search(text)
    if method == "dflash" and budget and "ddtree" not in text:
        k = int(budget.group(1))  # lucebox `--budget`: the drafted block
    verify = int(budget.group(1)) if budget and "ddtree" in text else None
    return SpecFlags(method, k, _accepted(text), verify, draft.group(1) if draft else "")


def _method(stype: str, jcfg: str, text: str, model_id: str) -> str:
    s = stype.lower()
    if "mtp" in s:
        return "mtp"
    if s in ("dflash", "eagle", "eagle3", "ngram", "draft"):
        return {"eagle3": "eagle", "ngram": "ngram"}.get(s, s)
    if s.startswith("ngram"):
        return "ngram"
    method = re.search(r'"method"\s*:\s*"(\w+)"', jcfg)
    if method:
        m = method.group(1).lower()
        if m.startswith("eagle"):
            return "eagle"
        return m if m in ("mtp", "dflash", "ngram") else "draft"
    if jcfg:
        return "eagle" if _EAGLE.search(jcfg) else "dflash" if _DFLASH.search(jcfg) else "draft"
    if _DFLASH.search(text) or _DFLASH.search(model_id):
        return "dflash"
    if re.search(r"(?i)\bmtp\b|-mtp\b", text + " " + model_id) or "MTP" in model_id:
        return "mtp"
    return "mtp" if re.search(r"(?i)qwen3\.[56]|deepseek-v[34]", model_id) else "draft"


def _accepted(text: str) -> float | None:
    ratio = _RATIO.search(text)
    pct = _PCT.search(text)
    if pct:
        value = next(g for g in pct.groups() if g)
        v = float(value)
        return v / 100 if v > 1 else v
    if ratio and int(ratio.group(2)):
        return min(int(ratio.group(1)) / int(ratio.group(2)), 1.0)
    return None


def parallel_slots(snippet: str) -> int | None:
    """llama-server `-np N` (parallel slots), or None."""
    found = _NP.search(snippet or "")
    return int(found.group(1)) if found else None


def cpu_moe_layers(snippet: str) -> int:
    """llama.cpp `--n-cpu-moe N`: the routed experts of N layers run on the CPU."""
    found = _CPU_MOE.search(snippet or "")
    return int(found.group(1)) if found else 0
