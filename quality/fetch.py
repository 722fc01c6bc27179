"""Read a source's files from a path the user supplies and run the pure parsers.

Sources without a redistribution licence (LMArena, LiveBench) are never bundled: the
user points `--file` at their own copy. A path may be the source's folder (as in
../shared/quality/<source>) or one data file; companion files (metadata, categories,
model links, task types) are looked up next to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from quality.feeds import FeedFormatError, ScoreRecord
from quality.feeds.aider import parse_aider
from quality.feeds.boards import SOURCES
from quality.feeds.livebench import (
    parse_livebench,
    parse_livebench_categories,
    parse_livebench_links,
)
from quality.feeds.lmarena import (
    FILE_BOARDS,
    ArenaMeta,
    parse_lmarena,
    parse_lmarena_metadata,
    parse_lmarena_orgs,
)
from quality.feeds.mteb import parse_mteb, parse_mteb_task_types
from quality.feeds.open_asr import parse_open_asr

DEFAULT_FILES = {
    "aider": "polyglot_leaderboard.yml",
    "mteb": "mteb_eng_v2_summary.csv",
    "open_asr": "en_shortform.csv",
}
_RELEASE_RE = re.compile(r"table_(\d{4})_(\d{2})_(\d{2})\.csv$")


@dataclass(slots=True)
class ReadResult:
    records: list[ScoreRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def source_read(*, source: str, path: Path) -> ReadResult:
    """Parse every board of `source` found at `path`; FeedFormatError when unreadable."""
    if source not in SOURCES:
        raise FeedFormatError(f"unknown quality source '{source}' (known: {', '.join(SOURCES)})")
    if not path.exists():
        raise FeedFormatError(f"{source}: no file or folder at {path}")
    reader = {
        "lmarena": _lmarena,
        "livebench": _livebench,
        "aider": _single(parse_aider),
        "mteb": _mteb,
        "open_asr": _single(parse_open_asr),
    }[source]
    return reader(source, path)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FeedFormatError(f"cannot read {path}: {exc}") from exc


def _single(parse):
    def read(source: str, path: Path) -> ReadResult:
        file = path / DEFAULT_FILES[source] if path.is_dir() else path
        records, errors = parse(_read(file))
        return ReadResult(records, errors, [str(file)])

    return read


def _lmarena(source: str, path: Path) -> ReadResult:
    folder = path if path.is_dir() else path.parent
    files = sorted(folder / name for name in FILE_BOARDS if (folder / name).exists())
    if not path.is_dir():
        files = [path]
    if not files:
        raise FeedFormatError(f"lmarena: no leaderboard-*.json file in {folder}")
    meta: dict[str, ArenaMeta] = {}
    prices = folder / "scatterplot-data.json"
    if prices.exists():
        meta.update(parse_lmarena_orgs(_read(prices)))
    for table in sorted(folder.glob("leaderboard_table_*.csv")):
        for key, m in parse_lmarena_metadata(_read(table)).items():
            meta[key] = ArenaMeta(
                display_name=m.display_name or meta.get(key, m).display_name,
                organization=m.organization or meta.get(key, m).organization,
                hub_repo_id=m.hub_repo_id,
                open_weights=m.open_weights or meta.get(key, m).open_weights,
            )
    out = ReadResult()
    for file in files:
        board = FILE_BOARDS.get(file.name)
        if board is None:
            raise FeedFormatError(
                f"lmarena: unknown file name {file.name} (expected one of {', '.join(FILE_BOARDS)})"
            )
        records, errors = parse_lmarena(_read(file), board=board, metadata=meta)
        out.records.extend(records)
        out.errors.extend(errors)
        out.files.append(str(file))
    return out


def _livebench(source: str, path: Path) -> ReadResult:
    if path.is_dir():
        tables = sorted(path.glob("table_*.csv"))
        if not tables:
            raise FeedFormatError(f"livebench: no table_<release>.csv in {path}")
        table = tables[-1]  # the newest release; releases are not comparable
    else:
        table = path
    m = _RELEASE_RE.search(table.name)
    release = date(int(m[1]), int(m[2]), int(m[3])) if m else None
    cats_name = table.name.replace("table_", "categories_").replace(".csv", ".json")
    cats_file = table.with_name(cats_name)
    if not cats_file.exists():
        raise FeedFormatError(f"livebench: missing categories file {cats_file.name}")
    categories = parse_livebench_categories(_read(cats_file))
    links_file = table.with_name("model_links.json")
    links = parse_livebench_links(_read(links_file)) if links_file.exists() else {}
    records, errors = parse_livebench(
        _read(table), categories=categories, links=links, release=release
    )
    return ReadResult(records, errors, [str(table)])


def _mteb(source: str, path: Path) -> ReadResult:
    file = path / DEFAULT_FILES["mteb"] if path.is_dir() else path
    types_file = file.with_name("mteb_eng_v2_task_types.json")
    types = parse_mteb_task_types(_read(types_file)) if types_file.exists() else {}
    records, errors = parse_mteb(_read(file), task_types=types)
    return ReadResult(records, errors, [str(file)])
