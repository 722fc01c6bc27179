"""How many Hub models have each fact, per provenance (a read: the coverage report of
`manage.py facts_coverage` and the snapshot build)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from catalog.models import Model


@dataclass(frozen=True, slots=True)
class Coverage:
    label: str
    models: int
    with_params: int
    by_source: dict[str, int]  # params_source -> models ("" = unknown)

    @property
    def share(self) -> float:
        return self.with_params / self.models if self.models else 0.0


def _coverage(label: str, qs: QuerySet[Model]) -> Coverage:
    rows = dict(
        qs.values("params_source").annotate(n=Count("id")).values_list("params_source", "n")
    )
    total = sum(rows.values())
    known = qs.filter(params_total__isnull=False).count()
    return Coverage(label, total, known, dict(sorted(rows.items(), key=lambda kv: -kv[1])))


def facts_coverage() -> dict[str, object]:
    """Parameter counts per provenance for all Hub models, the text-generation ones, and
    the same without test repos and without rows created from llmfit alone; dims per
    provenance; MoE models with a config and both counts; release dates."""
    hub = Model.objects.filter(source=Model.Source.HUB)
    textgen = hub.filter(task__slug="text-generation")
    from_hub = hub.exclude(fingerprint="")  # rows a Hub listing described (not llmfit-only)
    moe_config = hub.filter(num_experts__gt=1, dims_source="config")
    return {
        "params": [
            _coverage("all Hub models", hub),
            _coverage("Hub text-generation", textgen),
            _coverage("all Hub, without test repos", hub.filter(is_test_repo=False)),
            _coverage("Hub listing rows (not llmfit-only)", from_hub),
            _coverage("Hub listing text-generation", from_hub.filter(task__slug="text-generation")),
        ],
        "dims": dict(
            hub.values("dims_source").annotate(n=Count("id")).values_list("dims_source", "n")
        ),
        "moe_with_config": moe_config.count(),
        "moe_with_config_total_and_active": moe_config.filter(
            params_total__isnull=False, params_active__isnull=False
        ).count(),
        "release_date": hub.filter(release_date__isnull=False).count(),
        "test_repos": hub.filter(is_test_repo=True).count(),
        "models": hub.count(),
        "layer_kinds": hub.filter(~Q(layer_kinds=[])).count(),
    }


def facts_coverage_lines() -> list[str]:
    """The report as text lines (one table)."""
    report = facts_coverage()
    lines = [f"{'set':38s} {'models':>7s} {'params':>7s} {'share':>6s}  by provenance"]
    for cov in report["params"]:  # type: ignore[attr-defined]
        sources = ", ".join(f"{k or 'unknown'} {v}" for k, v in cov.by_source.items())
        lines.append(
            f"{cov.label:38s} {cov.models:7d} {cov.with_params:7d} {cov.share:6.1%}  {sources}"
        )
    dims = ", ".join(f"{k or 'unknown'} {v}" for k, v in sorted(report["dims"].items()))  # type: ignore[attr-defined]
    lines.append(f"dims by provenance: {dims}")
    lines.append(f"layer kinds known: {report['layer_kinds']} of {report['models']}")
    lines.append(
        f"MoE models with a config: {report['moe_with_config']}, with total and active: "
        f"{report['moe_with_config_total_and_active']}"
    )
    lines.append(f"release date known: {report['release_date']} of {report['models']}")
    lines.append(f"test repos flagged: {report['test_repos']}")
    return lines
