"""What a Hub repo's name says about it (pure): a parameter count "from name,
approximate", the family key shared by a model's fine-tunes and quantizations, and
whether it is a tiny-random / test repo.

    size = params_from_name("Qwen/Qwen3-30B-A3B-Instruct-2507")  # NameSize(30e9, 3e9, ...)
    family_key("unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit")     # "llama-3.1-8b"
    is_test_repo("stas/tiny-random-llama-2")                      # True
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .shapes import MOE_EXPERT_SHAPES, NAME_SHAPES

_ANY_SHAPE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, *_ in NAME_SHAPES))


@dataclass(frozen=True, slots=True)
class NameSize:
    total: int
    active: int | None
    detail: str


_UNIT = {"m": 10**6, "b": 10**9, "t": 10**12}  # no "k": "4k"/"128k" name a context
# "8B", "0.5b", "1.5B", "135M", "1T": a number and a unit, not part of a longer token
# ("v2b", "e4b" = Gemma 3n *effective* 4B, "A3B" = active are handled apart).
_SIZE = re.compile(r"(?<![a-z0-9.])(\d+(?:[.p]\d+)?)([mbt])(?![a-z0-9])")
_SIZE_BLOOM = re.compile(r"(?<![a-z0-9.])(\d+)([bm])(\d)(?![a-z0-9])")  # bloom-7b1 = 7.1B
_ACTIVE = re.compile(r"(?<![a-z0-9.])a(\d+(?:[.p]\d+)?)([bm])(?![a-z0-9])")
_EXPERTS = re.compile(r"(?<![a-z0-9.])(\d+)x(\d+(?:\.\d+)?)([bm])(?![a-z0-9])")


def _number(text: str, unit: str) -> int:
    return round(float(text.replace("p", ".").replace("_", ".")) * _UNIT[unit])


def params_from_name(repo_id: str) -> NameSize | None:
    """Parameters stated or implied by a repo name, approximate.

    Known shapes first (catalog.facts.shapes: "bert-base" 110M, "t5-small" 60M ...), then
    "<N>x<M>B" mixtures (Mixtral 8x7B is 46.7B total, 12.9B active: experts share
    attention and embeddings; only known expert shapes are sized), then "<X>B-A<Y>B"
    (Qwen3-30B-A3B: 30B total, 3B active), then a plain "<X>B"/"<X>M". None when the
    name states no size."""
    name = repo_id.rsplit("/", 1)[-1].lower()
    if _ANY_SHAPE.search(name):  # one search; the ordered loop only for the few that match
        for pattern, total, active, label in NAME_SHAPES:
            if pattern.search(name):
                return NameSize(total, active, label)
    experts = _EXPERTS.search(name)
    if experts:
        count, size, unit = int(experts.group(1)), experts.group(2), experts.group(3)
        shape = MOE_EXPERT_SHAPES.get(f"{size}{unit}")
        if shape is None or count < 2:
            return None
        dense, expert, top_k = shape
        total = dense + (count - 1) * expert
        return NameSize(
            total, dense + (min(top_k, count) - 1) * expert, f"{count}x{size}{unit} mixture"
        )
    first = _SIZE.search(name)
    bloom = _SIZE_BLOOM.search(name)
    if first is not None:
        total = _number(first.group(1), first.group(2))
    elif bloom is not None:
        total = _number(f"{bloom.group(1)}.{bloom.group(3)}", bloom.group(2))
        first = bloom
    else:
        return None
    if total <= 0:
        return None
    active_match = _ACTIVE.search(name)
    active = _number(active_match.group(1), active_match.group(2)) if active_match else None
    if active is not None and active >= total:
        active = None
    return NameSize(total, active, f"{first.group(0).upper()} in the name")


# Name tokens that do not change the architecture: instruction tuning, chat, quantized
# and file formats, packagers' tags, release dates ("2507"). Versions ("v0.1" vs "v0.3")
# stay: Mistral 7B v0.1 and v0.3 differ in vocabulary and attention window.
_NOISE = frozenset(
    """meta instruct chat it base hf sft dpo orpo rlhf gguf ggml awq gptq exl2 mlx onnx fp8
    fp16 bf16 int4 int8 w4a16 w8a16 w8a8 4bit 8bit bnb nf4 unsloth dynamic quantized turbo
    preview latest original pt q2 q3 q4 q5 q6 q8 k m s l xs 0""".split()  # noqa: SIM905
)


@functools.lru_cache(maxsize=65536)
def family_key(repo_id: str) -> str:
    """The family a repo belongs to, from its name: "Meta-Llama-3.1-8B-Instruct" and
    "unsloth/Llama-3.1-8B-Instruct-bnb-4bit" are both "llama-3.1-8b". Only names that
    state a size get a key (a size is what makes two repos share dims)."""
    tokens = repo_id.rsplit("/", 1)[-1].lower().replace("_", "-").split("-")
    kept = [t for t in tokens if t and t not in _NOISE and not re.fullmatch(r"\d{4}", t)]
    name = "-".join(kept)
    if not _SIZE.search(name) and not _EXPERTS.search(name) and not _SIZE_BLOOM.search(name):
        return ""
    return name[:80]


_TEST_ORGS = re.compile(
    r"(^|-)(internal-testing|testing|test)$|^(hf-internal-testing|tiny-random)$"
)
_TEST_NAME = re.compile(
    r"(^|[-_.])(tiny[-_]?random|random[-_]?tiny|tiny[-_]?dummy|dummy|unit[-_]?test|ci[-_]random|"
    r"testing|test\d*)([-_.]|$)"
)


def is_test_repo(repo_id: str) -> bool:
    """A repo made for CI or unit tests (random weights, toy sizes): tiny-random-*,
    *-internal-testing orgs, dummy / unit-test / ci-random names, sshleifer's tiny-*."""
    org, _, name = repo_id.lower().rpartition("/")
    if org and _TEST_ORGS.search(org):
        return True
    if org == "sshleifer" and name.startswith("tiny-"):
        return True
    return bool(_TEST_NAME.search(name))
