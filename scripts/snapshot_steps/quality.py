"""Demo snapshot step: load the five leaderboards from ../shared/quality, then the index
(one latent scale per task; a line per task with its size, typical interval and how many
values the dominance order moved).

Only derived scores (with each board's licence and attribution) end up in the
snapshot; the raw leaderboard files are never copied into the project. Prints the link
rate per source: distinct model names linked to a catalog model, by rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

# Dates of the data where the files carry none (from each folder's SOURCE.txt);
# LiveBench dates come from the table's file name, Aider's from its rows.
DATA_DATES = {
    "lmarena": date(2025, 12, 11),
    "livebench": None,
    "aider": None,
    "mteb": date(2026, 8, 20),
    "open_asr": date(2026, 5, 22),
}


def link_rates(shared: Path) -> dict[str, tuple[int, int, Counter]]:
    """source -> (linked names, all names, links by rule)."""
    from catalog.models import ModelAlias
    from quality.fetch import source_read

    out = {}
    for source in DATA_DATES:
        read = source_read(source=source, path=shared / "quality" / source)
        names = {r.name_to_link for r in read.records}
        rules = Counter(
            ModelAlias.objects.filter(source=source, alias__in=names).values_list("rule", flat=True)
        )
        out[source] = (sum(rules.values()), len(names), rules)
    return out


def index_summary() -> list[str]:
    """Per task: models on the scale, median 95% half-width, values the order moved."""
    from statistics import median

    from quality.models import QualityIndex

    out = []
    tasks = QualityIndex.objects.order_by("task").values_list("task", flat=True).distinct()
    for task in tasks:
        rows = list(QualityIndex.objects.filter(task=task).values_list("uncertainty", "adjustment"))
        widths = [u for u, _ in rows if u is not None]
        moved = sum(abs(a) >= 0.05 for _, a in rows)
        out.append(
            f"index {task}: {len(rows)} models, median ±{median(widths):.1f} points, "
            f"{moved} moved by the dominance order"
            if widths
            else f"index {task}: {len(rows)} models"
        )
    return out


def run(shared: Path, log: Callable[[str], None]) -> None:
    from quality.services import leaderboard_sync, quality_index_refresh

    for source, data_date in DATA_DATES.items():
        result = leaderboard_sync(
            source=source, file=shared / "quality" / source, data_date=data_date
        )
        log(
            f"{source}: {result.status} scores={result.created} unchanged={result.unchanged} "
            f"rejected={result.rejected}"
        )
        for line in result.errors[:5]:
            log(f"  {line}")
    log(f"quality index: {quality_index_refresh()} model-task values")
    for line in index_summary():
        log(line)
    for source, (linked, total, rules) in link_rates(shared).items():
        rate = 100.0 * linked / total if total else 0.0
        by_rule = ", ".join(f"{k}={v}" for k, v in sorted(rules.items()))
        log(f"link rate {source}: {linked}/{total} names ({rate:.0f}%) [{by_rule}]")
