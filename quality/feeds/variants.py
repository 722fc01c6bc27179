"""One score per model, metric and category of a board: fold settings into variants (pure).

A board often lists one catalog model several times: run in several settings (Aider's
"gpt-5 (high)", "(medium)", "(low)"; LiveBench's "-xhigh" / "-high" suffixes) or under
several dated names that link to the same model (LMArena's "gemini-1.5-pro-002" and
"-001"). A leaderboard compares *models*, so each model gets one row per metric and
category: the rows of its best run on the board's headline metric (overall category),
and every other run's value is kept on that row as a variant (shown on the model page),
never dropped. Choosing one run per model also makes "the model's score on a board"
one number for the quality index and for the consistency checks that read the board.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from quality.feeds import ScoreRecord


@dataclass(frozen=True, slots=True)
class KeptScore:
    """A record stored as the model's row, with the other runs' values as variants."""

    record: ScoreRecord
    model_id: int
    variants: tuple[dict, ...] = ()


def variant_of(record: ScoreRecord) -> dict:
    """The JSON kept on the model's row for a run that is not its chosen one."""
    return {
        "source_name": record.source_name,
        "setting": record.setting,
        "value": record.value,
        "ci_low": record.ci_low,
        "ci_high": record.ci_high,
        "samples": record.samples,
        "total_cost_usd": None if record.total_cost_usd is None else str(record.total_cost_usd),
    }


def fold_variants(
    linked: Iterable[tuple[ScoreRecord, int]], *, headline_metric: str, higher_is_better: bool
) -> list[KeptScore]:
    """(record, model id) pairs of one board -> one KeptScore per (model, metric, category).

    A model's chosen run (source name + setting) is the one with the best headline value
    in the overall category (the first such run on a tie, the first run when none has
    one). For each (model, metric, category) the chosen run's record is kept when it has
    one, else the first record in input order; the others become its variants, in input
    order. Deterministic for a given input order.
    """
    pairs = list(linked)
    best: dict[int, tuple[float, tuple[str, str]]] = {}
    first_run: dict[int, tuple[str, str]] = {}
    sign = 1.0 if higher_is_better else -1.0
    for record, model_id in pairs:
        run = (record.source_name, record.setting)
        first_run.setdefault(model_id, run)
        if record.metric == headline_metric and record.category == "":
            seen = best.get(model_id)
            if seen is None or sign * record.value > sign * seen[0]:
                best[model_id] = (record.value, run)
    chosen = {m: best[m][1] if m in best else run for m, run in first_run.items()}
    groups: dict[tuple[int, str, str], list[ScoreRecord]] = {}
    for record, model_id in pairs:
        groups.setdefault((model_id, record.metric, record.category), []).append(record)
    out: list[KeptScore] = []
    for (model_id, _, _), records in groups.items():
        run = chosen[model_id]
        keep = next((r for r in records if (r.source_name, r.setting) == run), records[0])
        others = tuple(variant_of(r) for r in records if r is not keep)
        out.append(KeptScore(keep, model_id, others))
    return out
