"""What changed between a saved plan and the same inputs re-run on today's prices (pure).

`diff_results(saved, fresh)` pairs the ranked rows of two PlanResults by deployment
identity: the model and where it runs (API provider; or accelerator × count, precision,
cloud, region, instance, spot, owned). The offer id is not part of the identity: a new
price row gets a new id but is the same deployment. Each pair is added, removed (left the
top rows), changed (cost or rank moved) or unchanged; costs compare within half a cent.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.records import PlanResult, PlanRow

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
UNCHANGED = "unchanged"
CENT_TOLERANCE_USD = 0.005


@dataclass(frozen=True, slots=True)
class RowChange:
    key: str
    status: str  # added | removed | changed | unchanged
    model_name: str
    repo_id: str
    deployment_kind: str
    deployment_label: str
    old_rank: int | None
    new_rank: int | None
    old_monthly_usd: float | None
    new_monthly_usd: float | None
    delta_usd: float | None  # new − old
    delta_share: float | None  # (new − old) / old; None when old is 0 or absent
    old_within_budget: bool | None
    new_within_budget: bool | None

    @property
    def direction(self) -> str:
        """ "+" dearer, "−" cheaper, "" same or not comparable (for display)."""
        if self.delta_usd is None or abs(self.delta_usd) < CENT_TOLERANCE_USD:
            return ""
        return "+" if self.delta_usd > 0 else "−"

    @property
    def abs_delta_usd(self) -> float | None:
        return None if self.delta_usd is None else abs(self.delta_usd)

    @property
    def abs_delta_share(self) -> float | None:
        return None if self.delta_share is None else abs(self.delta_share)


@dataclass(frozen=True, slots=True)
class PlanDiff:
    rows: tuple[RowChange, ...]  # fresh rank order, then the removed rows by old rank
    added: int
    removed: int
    changed: int
    unchanged: int
    top_changed: bool
    old_top: str  # "model · deployment" of the saved best row ("" without rows)
    new_top: str
    old_candidates: int
    new_candidates: int
    engine_changed: bool
    summary: str


def row_key(row: PlanRow) -> str:
    d = row.deployment
    parts = (
        str(row.model_id), d.kind, d.provider_slug, d.accelerator_slug, str(d.count),
        d.precision, d.cloud, d.region, d.instance, "spot" if d.spot else "",
    )  # fmt: skip
    return "|".join(parts)


def _top(result: PlanResult) -> tuple[str, str]:
    if not result.rows:
        return "", ""
    best = result.rows[0]
    return row_key(best), f"{best.model_name} · {best.deployment.label}"


def _change(old: PlanRow | None, new: PlanRow | None) -> RowChange:
    row = new or old
    assert row is not None  # noqa: S101 - one side is always given
    old_usd = old.monthly_usd if old else None
    new_usd = new.monthly_usd if new else None
    delta = share = None
    if old_usd is not None and new_usd is not None:
        delta = new_usd - old_usd
        share = delta / old_usd if old_usd else None
    if old is None:
        status = ADDED
    elif new is None:
        status = REMOVED
    elif abs(delta or 0.0) >= CENT_TOLERANCE_USD or old.rank != new.rank:
        status = CHANGED
    else:
        status = UNCHANGED
    return RowChange(
        key=row_key(row),
        status=status,
        model_name=row.model_name,
        repo_id=row.repo_id,
        deployment_kind=row.deployment.kind,
        deployment_label=row.deployment.label,
        old_rank=old.rank if old else None,
        new_rank=new.rank if new else None,
        old_monthly_usd=old_usd,
        new_monthly_usd=new_usd,
        delta_usd=delta,
        delta_share=share,
        old_within_budget=old.within_budget if old else None,
        new_within_budget=new.within_budget if new else None,
    )


def diff_results(saved: PlanResult, fresh: PlanResult) -> PlanDiff:
    """Row-by-row differences of `fresh` against `saved` (see the module docstring)."""
    old_rows = {row_key(r): r for r in saved.rows}
    new_rows = {row_key(r): r for r in fresh.rows}
    changes = [_change(old_rows.get(k), r) for k, r in new_rows.items()]
    changes += [_change(r, None) for k, r in old_rows.items() if k not in new_rows]
    counts = {s: sum(1 for c in changes if c.status == s) for s in (ADDED, REMOVED, CHANGED)}
    unchanged = len(changes) - sum(counts.values())
    (old_key, old_top), (new_key, new_top) = _top(saved), _top(fresh)
    engine_changed = saved.engine_version != fresh.engine_version
    if not any(counts.values()):
        summary = "Nothing changed: every row has the same cost and rank on today's prices."
    else:
        summary = (
            f"{counts[CHANGED]} rows changed, {counts[ADDED]} new, {counts[REMOVED]} left the "
            "top rows."
        )
        summary += (
            f" The best option is now {new_top} (was {old_top})."
            if old_key != new_key
            else " The best option is the same."
        )
    if engine_changed:
        summary += (
            f" The plan was saved by engine {saved.engine_version} and re-run by engine "
            f"{fresh.engine_version}: some differences come from the engine, not prices."
        )
    return PlanDiff(
        rows=tuple(changes),
        added=counts[ADDED],
        removed=counts[REMOVED],
        changed=counts[CHANGED],
        unchanged=unchanged,
        top_changed=old_key != new_key,
        old_top=old_top,
        new_top=new_top,
        old_candidates=saved.candidates,
        new_candidates=fresh.candidates,
        engine_changed=engine_changed,
        summary=summary,
    )
