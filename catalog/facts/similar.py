"""What makes two catalog models similar (pure): the same series (the name up to its size:
"Llama-3.1-70B-Instruct" and "Meta-Llama-3.1-8B" are both series "llama-3.1"), the same
task and a size within a factor of two. Used by catalog.selectors.model_similar."""

from __future__ import annotations

import re

from catalog.facts.names import params_from_name

SIZE_BAND = 2.0  # similar size: within ×/÷ 2
MIN_STEM = 3  # shorter stems ("gp", "t5") match too much
_SIZE_TOKEN = re.compile(r"[-_.](\d+(?:[.p]\d+)?|\d+x\d+(?:\.\d+)?)[mbt](?![a-z])")
_LEADING_ORG = re.compile(r"^(meta-)")  # "Meta-Llama-3.1-8B" is series "llama-3.1"


def series_stem(repo_id: str) -> str | None:
    """The name before its size token, lower case ("llama-3.1"); None when the name
    states no size or the stem is too short to mean a family."""
    name = repo_id.rsplit("/", 1)[-1].lower()
    match = _SIZE_TOKEN.search(name)
    if match is None:
        return None
    stem = _LEADING_ORG.sub("", name[: match.start()]).strip("-_.")
    return stem if len(stem) >= MIN_STEM else None


def size_for_band(params_total: int | None, repo_id: str) -> int | None:
    """The size to compare against: the recorded count, else the one the name states."""
    if params_total:
        return params_total
    named = params_from_name(repo_id)
    return named.total if named else None


def size_band(size: int) -> tuple[int, int]:
    return int(size / SIZE_BAND), int(size * SIZE_BAND)
