"""Parameter counts from config.json (pure: no Django, no I/O).

    count = count_params(config)          # ParamCount(total, active, detail) or None

Most Hub listings carry no safetensors metadata, and quantized repos' totals count
packed integers, not parameters; config.json gives the count for the architectures
below (formulas in `decoder` and `encoders`). Norm weights and biases are counted
where the architecture has them. Checked against the published or safetensors totals
of every model in ../shared/hub/configs (tests/catalog/test_param_count.py: within 2 %
total, 3 % active). A config of an unknown type or with missing dims gives None:
unknown, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import layer_kinds, layer_mixers, model_type, text_config
from .decoder import count_decoder
from .encoders import (
    BERT_LIKE,
    count_bart,
    count_bert,
    count_clip,
    count_gpt2,
    count_vit,
    count_whisper,
)

__all__ = ["ParamCount", "count_params", "layer_kinds", "layer_mixers", "text_config"]


@dataclass(frozen=True, slots=True)
class ParamCount:
    total: int
    active: int | None = None  # parameters used per token (mixture of experts only)
    detail: str = ""


def count_params(config: Any) -> ParamCount | None:
    """Total (and for MoE, active) parameters of a transformers config; None if unknown."""
    if not isinstance(config, dict):
        return None
    top = model_type(config)
    if top == "clip":
        total = count_clip(config)
        return ParamCount(total, None, "clip: text + vision towers") if total else None
    if top == "gpt2":
        total = count_gpt2(config)
        return ParamCount(total, None, "gpt2") if total else None
    if top in ("bart", "mbart"):
        total = count_bart(config)
        return ParamCount(total, None, f"{top}: encoder-decoder") if total else None
    if top == "whisper":
        total = count_whisper(config)
        return ParamCount(total, None, "whisper: encoder-decoder") if total else None
    if top in BERT_LIKE:
        total = count_bert(config)
        return ParamCount(total, None, f"{top}: encoder") if total else None
    cfg = text_config(config)
    counted = count_decoder(cfg)
    if counted is None:
        return None
    total, active, detail = counted
    vision = config.get("vision_config")
    if isinstance(vision, dict) and cfg is not config:
        text_hidden = cfg.get("hidden_size") if isinstance(cfg.get("hidden_size"), int) else None
        tower = count_vit(vision, text_hidden=text_hidden)
        if tower is None:
            return None  # a VLM whose vision tower we cannot size: the total would be short
        total += tower
        detail += " + vision tower"
    return ParamCount(total, active, detail)
