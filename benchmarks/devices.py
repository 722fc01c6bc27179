"""Device and cloud-instance names -> accelerator slug, by exact table lookup (pure).

A device string (what `nvidia-smi`, `torch.cuda.get_device_name`, llama.cpp, MLX, vLLM or a
benchmark site prints) resolves to exactly one accelerator slug or to UNKNOWN. There are no
substring rules: "Apple M4" never becomes the desktop CPU row, "RTX 3090 Ti" never "RTX 3090".

Normalizing a name (`normalize_device`) only folds spelling: case, "(R)"/"(TM)" marks and
punctuation become spaces, and the leading vendor word NVIDIA, AMD or Intel is dropped. A
trailing memory size ("RTX 5090 (32 GB)", "Apple M4 Max 128GB") is split off as a hint.
Then:
1. the whole normalized name is looked up among every accelerator's aliases;
2. else the name without the memory hint is; a memory hint that disagrees with that
   accelerator's memory (more than MEMORY_TOLERANCE apart) makes the answer UNKNOWN;
3. else the name is looked up among the device groups (one marketing name for several
   memory variants: "NVIDIA GeForce RTX 3060" is the 12 GB or the 8 GB card, "Apple M4 Max"
   any of its memory sizes); the memory hint picks the member, and without one (or with
   one that matches no member) the answer is UNKNOWN.

Cloud instances (`resolve_instance`) are looked up the same way, in the order: the exact
instance type of that cloud (Lambda `gpu_1x_h100_pcie` is an H100 PCIe), the GPU token of
Vast's instance names (`2x-H100_NVL-32-65536`: its "H100" accelerator name does not say
SXM, PCIe or NVL, nor "RTX3060" Ti), the instance family of AWS (`p4de.24xlarge` ->
`p4de`), the accelerator name the cloud's catalog uses
(GCP `H100` is the a3 SXM part), a TPU slice name (`tpu-v5litepod-8` -> TPU v5e), then the
device tables above with the per-GPU memory from the catalog. The tables live in
`benchmarks/data/instance_types.json` with a source per cloud.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

UNKNOWN = "unknown"
MEMORY_TOLERANCE = 0.08  # reported memory (GiB vs GB, driver reserve) vs the table's figure
_MARKS = re.compile(r"\((?:r|tm|c)\)|®|™", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^a-z0-9.]+")
_MEMORY_SUFFIX = re.compile(r"^(?P<name>.*?)\s*(?P<gb>\d+(?:\.\d+)?)\s*(?:gb|gib|g)$")
_VENDOR_WORDS = ("nvidia", "amd", "intel")
_TPU_SLICE = re.compile(r"^tpu-(?P<gen>v[0-9][a-z0-9]*)-(?P<size>\d+)$")
_GPU_TOKEN = re.compile(r"^\d+x-(?P<gpu>.+)-\d+-\d+$")  # Vast: "2x-A100_PCIE-32-65536"


@dataclass(frozen=True, slots=True)
class DeviceName:
    """A normalized device string and the memory size it carried, if any."""

    key: str
    memory_gib: float | None = None


def normalize_device(name: str) -> DeviceName:
    """Fold case, marks and punctuation; drop a leading vendor word; split off a trailing
    memory size. "NVIDIA GeForce RTX 5090 (32 GB)" -> ("geforce rtx 5090", 32.0)."""
    text = _MARKS.sub(" ", name.lower())
    text = _NON_ALNUM.sub(" ", text).strip(" .")
    words = [w.strip(".") for w in text.split() if w.strip(".")]
    while words and words[0] in _VENDOR_WORDS:
        words = words[1:]
    key = " ".join(words)
    match = _MEMORY_SUFFIX.match(key)
    if match and match.group("name"):
        return DeviceName(match.group("name").strip(), float(match.group("gb")))
    return DeviceName(key)


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    slug: str
    memory_gib: float


@dataclass
class DeviceTable:
    """Exact alias -> accelerator, and group name -> memory variants."""

    aliases: dict[str, DeviceEntry] = field(default_factory=dict)
    groups: dict[str, list[DeviceEntry]] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)  # slug -> GiB
    conflicts: set[str] = field(default_factory=set)  # aliases two accelerators claim

    @classmethod
    def build(
        cls,
        accelerators: Iterable[tuple[str, float, Iterable[str]]],
        groups: Mapping[str, Iterable[str]] = (),  # type: ignore[assignment]
    ) -> DeviceTable:
        """`accelerators`: (slug, memory GiB, names); each slug and name becomes an exact
        alias. `groups`: marketing name -> member slugs told apart by memory. An alias two
        accelerators claim resolves to nothing (and is listed in `conflicts`)."""
        table = cls()
        memory: dict[str, float] = {}
        for slug, memory_gib, names in accelerators:
            memory[slug] = float(memory_gib)
            entry = DeviceEntry(slug, float(memory_gib))
            for raw in (slug, *names):
                key = normalize_device(raw)
                full = _join(key)
                for k in {full, key.key} if key.memory_gib is None else {full}:
                    prev = table.aliases.get(k)
                    if prev is not None and prev.slug != slug:
                        table.conflicts.add(k)
                    table.aliases[k] = entry
        for k in table.conflicts:
            table.aliases.pop(k, None)
        table.memory = memory
        for name, slugs in dict(groups).items():
            members = [DeviceEntry(s, memory[s]) for s in slugs if s in memory]
            if members:
                table.groups[normalize_device(name).key] = members
        return table

    def resolve(self, name: str, memory_gib: float | None = None) -> str:
        """The accelerator slug `name` denotes, or UNKNOWN (module docstring)."""
        parsed = normalize_device(name or "")
        if not parsed.key:
            return UNKNOWN
        hint = memory_gib if memory_gib else parsed.memory_gib
        entry = self.aliases.get(_join(parsed))
        if entry is not None and parsed.memory_gib is not None:
            return entry.slug
        entry = self.aliases.get(parsed.key)
        if entry is not None:
            return entry.slug if hint is None or _close(hint, entry.memory_gib) else UNKNOWN
        members = self.groups.get(parsed.key)
        if members and hint is not None:
            fits = [m for m in members if _close(hint, m.memory_gib)]
            if len({m.slug for m in fits}) == 1:
                return fits[0].slug
        return UNKNOWN


def _join(name: DeviceName) -> str:
    if name.memory_gib is None:
        return name.key
    return f"{name.key} {name.memory_gib:g}gb"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= MEMORY_TOLERANCE * max(a, b)


@dataclass
class InstanceTable:
    """Per-cloud exact tables (see `benchmarks/data/instance_types.json`)."""

    instance_types: dict[str, dict[str, str]] = field(default_factory=dict)  # cloud -> type
    families: dict[str, dict[str, str]] = field(default_factory=dict)  # cloud -> family
    accelerator_names: dict[str, dict[str, str]] = field(default_factory=dict)  # cloud -> name
    tpu_generations: dict[str, str] = field(default_factory=dict)  # "v5litepod" -> slug
    # cloud -> the GPU token of its instance names -> slug, or slugs told apart by memory
    gpu_tokens: dict[str, dict[str, str | list[str]]] = field(default_factory=dict)
    total_memory_clouds: frozenset[str] = frozenset()  # GpuInfo memory is for all GPUs

    @classmethod
    def from_document(cls, doc: Mapping) -> InstanceTable:
        return cls(
            instance_types={c: dict(t) for c, t in doc.get("instance_types", {}).items()},
            families={c: dict(t) for c, t in doc.get("families", {}).items()},
            accelerator_names={c: dict(t) for c, t in doc.get("accelerator_names", {}).items()},
            tpu_generations=dict(doc.get("tpu_generations", {})),
            gpu_tokens={c: dict(t) for c, t in doc.get("gpu_tokens", {}).items()},
            total_memory_clouds=frozenset(doc.get("total_memory_clouds", ())),
        )


def resolve_instance(
    devices: DeviceTable,
    instances: InstanceTable,
    *,
    cloud: str,
    instance_type: str,
    accelerator_name: str,
    accelerator_count: float | None = None,
    gpu_memory_mib: int | None = None,
) -> str:
    """The accelerator slug a cloud's instance row carries, or UNKNOWN (module docstring).

    A table entry of "unknown" is deliberate: the catalog's name is ambiguous there
    (Vast's "H100" is sold as SXM and as PCIe) or contradicts the cloud's own docs."""
    cloud = cloud.lower()
    by_type = instances.instance_types.get(cloud, {})
    if instance_type in by_type:
        return by_type[instance_type]
    memory = None
    if gpu_memory_mib:
        memory = gpu_memory_mib / 1024
        if cloud in instances.total_memory_clouds and accelerator_count and accelerator_count >= 1:
            memory /= accelerator_count
    token = _GPU_TOKEN.match(instance_type)
    tokens = instances.gpu_tokens.get(cloud, {})
    if token and token.group("gpu") in tokens:
        entry = tokens[token.group("gpu")]
        if isinstance(entry, str):
            return entry
        matches = [
            slug
            for slug in entry
            if memory is not None
            and slug in devices.memory
            and _close(memory, devices.memory[slug])
        ]
        return matches[0] if len(matches) == 1 else UNKNOWN
    family = instance_type.split(".", 1)[0]
    by_family = instances.families.get(cloud, {})
    if family in by_family:
        return by_family[family]
    by_name = instances.accelerator_names.get(cloud, {})
    if accelerator_name in by_name:
        return by_name[accelerator_name]
    tpu = _TPU_SLICE.match(accelerator_name.strip().lower())
    if tpu:
        return instances.tpu_generations.get(tpu.group("gen"), UNKNOWN)
    return devices.resolve(accelerator_name, memory)
