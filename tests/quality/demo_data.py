"""The demo's leaderboard scores without a database: ../shared/quality through the project's
parsers, linked to catalog models by the aliases the demo snapshot stores, one row per
model and view as the loader keeps them (quality.feeds.variants)."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from quality.feeds import ScoreRecord
from quality.feeds.boards import BOARDS, SOURCES
from quality.feeds.variants import fold_variants
from quality.fetch import source_read
from quality.index import ScoreInput
from tests.conftest import REPO_ROOT, SHARED

SNAPSHOT = REPO_ROOT / "data" / "demo_snapshot.json.gz"


@dataclass(frozen=True)
class DemoScores:
    rows: list[ScoreInput]
    aliases: dict[tuple[str, str], int]  # (source, feed name) -> model id
    names: dict[int, str]  # model id -> repo id


def demo_available() -> str:
    """'' when the demo data is here, else why not."""
    if not (SHARED / "quality").is_dir():
        return "../shared/quality is absent"
    if not SNAPSHOT.exists():
        return f"no demo snapshot at {SNAPSHOT}"
    return ""


def demo_scores(shared: Path = SHARED, snapshot: Path = SNAPSHOT) -> DemoScores:
    tables = json.loads(gzip.decompress(snapshot.read_bytes()))["tables"]
    aliases = _table(tables, "catalog.modelalias", ("source", "alias", "model_id"))
    names = _table(tables, "catalog.model", ("id", "repo_id"))
    alias_map = {(s, a): m for s, a, m in aliases}
    rows: list[ScoreInput] = []
    for source in SOURCES:
        read = source_read(source=source, path=shared / "quality" / source)
        by_board: dict[str, list[ScoreRecord]] = defaultdict(list)
        for r in read.records:
            by_board[r.board].append(r)
        for board, records in by_board.items():
            spec = BOARDS[board]
            pairs = [
                (r, alias_map[(source, r.name_to_link)])
                for r in records
                if (source, r.name_to_link) in alias_map
            ]
            for k in fold_variants(
                pairs, headline_metric=spec.metric, higher_is_better=spec.higher_is_better
            ):
                r = k.record
                rows.append(
                    ScoreInput(
                        k.model_id, board, r.metric, r.value, r.category, r.data_date,
                        r.samples, r.ci_low, r.ci_high,
                    )
                )  # fmt: skip
    return DemoScores(rows, alias_map, dict(names))


def _table(tables: dict, name: str, fields: tuple[str, ...]) -> list[tuple]:
    table = tables[name]
    at = [table["fields"].index(f) for f in fields]
    return [tuple(row[i] for i in at) for row in table["rows"]]
