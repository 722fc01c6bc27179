"""Pure parsing of llmfit's Hub model catalog (hf_models.json) into facts records.

llmfit (AlexsJones/llmfit, MIT) scrapes the Hub API for ~1,850 repos: parameter counts
(safetensors metadata), MoE fields, some config dims, context length, a release date
for a few. The catalog keeps them as a secondary source with provenance "llmfit",
never as safetensors or config. Most entries carry pipeline tag "unknown"; a repo is
kept only when its task can be established (`llmfit_task`).

    records, errors = parse_llmfit(json_bytes_or_obj, as_of="2026-05-12")
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


class LlmfitFormatError(ValueError):
    """The document is not llmfit's model list at all."""


# Architectures (config model_type as llmfit records it) by the task they establish.
VLM_ARCHITECTURES = frozenset(
    """qwen2_vl qwen2_5_vl qwen3_vl qwen3_vl_moe llava llava_next llava_onevision internvl
    internvl_chat minicpmv paligemma gemma3 gemma3n gemma4 mistral3 idefics3 smolvlm lfm2_vl
    deepseek_vl_v2 florence2 kimi_vl glm4v glm4v_moe mllama llama4 phi4_multimodal molmo
    aria ovis qwen3_5 qwen3_5_moe""".split()  # noqa: SIM905
)
CAUSAL_LM_ARCHITECTURES = frozenset(
    """llama qwen qwen2 qwen2_moe qwen3 qwen3_moe qwen3_next mistral mixtral gemma gemma2
    gemma3_text phi phi3 phimoe gpt2 gpt_neox gptj gpt_bigcode gpt_oss opt bloom falcon
    falcon_mamba falcon_h1 mamba mamba2 jamba bamba lfm2 lfm2_moe deepseek deepseek_v2
    deepseek_v3 deepseek_v4 kimi_k2 nemotron nemotron_h minimax minimax_m2 granite
    granitemoe granitemoehybrid internlm internlm2 internlm3 olmo olmo2 olmo3 olmoe cohere
    cohere2 stablelm glm glm4 glm4_moe glm4_moe_lite glm_moe_dsa ernie4_5 ernie4_5_moe
    seed_oss mimo exaone exaone4 smollm3 hunyuan_v1_dense hunyuan_v1_moe arcee apertus
    starcoder2 codegen mpt baichuan chatglm dbrx minicpm minicpm3 dots1 bailing_moe
    xverse yi""".split()  # noqa: SIM905
)
SEQ2SEQ_ARCHITECTURES = frozenset({"t5", "mt5", "t5gemma", "t5gemma2", "bart", "mbart"})
EMBEDDING_USE_CASES = ("embedding",)
# llmfit reads safetensors totals; for these formats they count packed integer words.
PACKED_FORMATS = frozenset({"awq", "gptq", "autoround"})
_PARAM_WORD = re.compile(r"^(\d+(?:\.\d+)?)([KMBT])$")
_SCALE = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


@dataclass(frozen=True, slots=True)
class LlmfitRecord:
    repo_id: str
    task: str  # established task slug, "" when it cannot be established
    license: str = ""
    downloads: int = 0
    likes: int = 0
    # stored as Model.llmfit_facts: params_total/params_active/is_moe/num_experts/
    # experts_per_token/context_tokens/release_date/architecture/dims/as_of
    facts: dict[str, Any] = field(default_factory=dict)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    number = int(value)
    return number if 0 < number < 2**63 else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def llmfit_task(entry: dict[str, Any]) -> str:
    """The task an llmfit entry establishes: its pipeline tag when it has one; an
    embedding use case; a vision-language architecture (or the "vision" capability on a
    causal LM); a causal LM architecture; a seq2seq one. "" otherwise (encoders without an
    embedding use case, audio and unknown architectures stay out)."""
    tag = _text(entry.get("pipeline_tag"))
    if tag and tag != "unknown":
        return tag
    architecture = _text(entry.get("architecture")).lower()
    use_case = _text(entry.get("use_case")).lower()
    capabilities = entry.get("capabilities") if isinstance(entry.get("capabilities"), list) else []
    if any(word in use_case for word in EMBEDDING_USE_CASES):
        return "feature-extraction"
    if architecture in VLM_ARCHITECTURES:
        return "image-text-to-text"
    if architecture in CAUSAL_LM_ARCHITECTURES or architecture.endswith("_moe"):
        return "image-text-to-text" if "vision" in capabilities else "text-generation"
    if architecture in SEQ2SEQ_ARCHITECTURES:
        return "text2text-generation"
    return ""


def _params(entry: dict[str, Any]) -> int | None:
    raw = _int(entry.get("parameters_raw"))
    if raw:
        return raw
    match = _PARAM_WORD.match(_text(entry.get("parameter_count")))
    return round(float(match.group(1)) * _SCALE[match.group(2)]) if match else None


def _facts(entry: dict[str, Any], as_of: str) -> dict[str, Any]:
    total = _params(entry)
    is_moe = entry.get("is_moe") is True
    active = _int(entry.get("active_parameters")) if is_moe else None
    layers = _int(entry.get("num_hidden_layers"))
    facts: dict[str, Any] = {"as_of": as_of}
    if total:
        facts["params_total"] = total
    if _text(entry.get("format")).lower() in PACKED_FORMATS:
        facts["packed"] = True  # its count is of packed 4/8-bit words, not parameters
    if is_moe:
        facts["is_moe"] = True
        if active and total and active <= total:
            facts["params_active"] = active
    architecture = _text(entry.get("architecture"))
    if architecture and architecture != "unknown":
        facts["architecture"] = architecture[:60]
    release = _text(entry.get("release_date"))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", release):
        facts["release_date"] = release
    if layers:
        dims = {
            "num_layers": layers,
            "hidden_size": _int(entry.get("hidden_size")),
            "num_heads": _int(entry.get("num_attention_heads")),
            "num_kv_heads": _int(entry.get("num_key_value_heads")),
            "head_dim": _int(entry.get("head_dim")),
            "vocab_size": _int(entry.get("vocab_size")),
            # llmfit fills context_length for every entry (4096 when unknown); it is
            # read from config.json only where the dims were
            "context_tokens": _int(entry.get("context_length")),
            "num_experts": _int(entry.get("num_experts")) if is_moe else None,
            "experts_per_token": _int(entry.get("active_experts")) if is_moe else None,
        }
        if architecture and architecture != "unknown":
            dims["model_type"] = architecture[:60]
        facts["dims"] = {k: v for k, v in dims.items() if v is not None}
    return facts


def parse_llmfit(data: Any, *, as_of: str) -> tuple[list[LlmfitRecord], list[str]]:
    """hf_models.json (bytes, str or the decoded list) -> (records, per-entry errors).

    Raises LlmfitFormatError when the document is not a JSON list. Entries without a
    repo-shaped name are rejected with a line naming them; duplicates keep the first."""
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise LlmfitFormatError(f"not JSON: {exc}") from exc
    if not isinstance(data, list):
        raise LlmfitFormatError(f"expected a JSON list of models, got {type(data).__name__}")
    records: list[LlmfitRecord] = []
    errors: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            errors.append(f"entry {index}: not an object")
            continue
        name = _text(entry.get("name"))
        if name.count("/") != 1 or not all(name.split("/")) or len(name) > 200:
            errors.append(f"entry {index}: name {name!r} is not a Hub repo id")
            continue
        if name in seen:
            errors.append(f"entry {index}: {name} listed twice (first kept)")
            continue
        seen.add(name)
        records.append(
            LlmfitRecord(
                repo_id=name,
                task=llmfit_task(entry),
                license=_text(entry.get("license")).lower()[:80],
                downloads=_int(entry.get("hf_downloads")) or 0,
                likes=min(_int(entry.get("hf_likes")) or 0, 2**31 - 1),
                facts=_facts(entry, as_of),
            )
        )
    return records, errors
