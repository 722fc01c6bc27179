"""LiveBench tables (github.com/LiveBench/livebench.github.io public/table_<release>.csv).

table_<release>.csv: `model` then one column per task, score 0..100, empty = not run.
categories_<release>.json: {category: [task columns]}. As on the site
(src/Table/Averaging.js): category average = mean of the non-empty task scores of the
category; global average = mean of the category averages (emitted only when every
category has a score). The means carry a 95% interval computed here from the spread of
the model's task scores (quality.feeds.intervals). model_links.json gives organization,
display name, openweight and an HF URL for many open models.

Model keys carry settings as suffixes ("gpt-5-mini-high", "claude-opus-4-5-20251101-
thinking-64k-high-effort"); those are split off into `settings`, the rest is the name
that is linked to the catalog. Suffixes that name a distinct product ("kimi-k2-thinking",
"grok-4-1-fast-reasoning") are kept in the name.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date

from quality.feeds import (
    BadValue,
    FeedFormatError,
    ParseOutput,
    ScoreRecord,
    decode_text,
    hub_repo_from_url,
    model_name,
    number,
    settings_tuple,
)
from quality.feeds.intervals import interval, mean_se, residual_sd

_EFFORT_RE = re.compile(r"-(xhigh|high|medium|low|minimal)(?:-effort)?$")
_THINKING_RE = re.compile(r"-thinking-(\d+k|auto)$")
_THINK_WORD_RE = re.compile(r"-(highthinking|nothinking)$")
_BASE_RE = re.compile(r"(?<=\d{8})-base$")  # "claude-4-1-opus-20250805-base": thinking off


def split_settings(key: str) -> tuple[str, dict[str, str]]:
    """'gpt-5.1-2025-11-13-high' -> ('gpt-5.1-2025-11-13', {'reasoning_effort': 'high'})."""
    name, settings = key, {}
    for _ in range(4):
        if m := _EFFORT_RE.search(name):
            settings.setdefault("reasoning_effort", m.group(1))
        elif m := _THINKING_RE.search(name):
            settings.setdefault("thinking", m.group(1))
        elif m := _THINK_WORD_RE.search(name):
            settings.setdefault("thinking", "high" if m.group(1) == "highthinking" else "off")
        elif m := _BASE_RE.search(name):
            settings.setdefault("thinking", "off")
        else:
            break
        name = name[: m.start()]
    return name, settings


def parse_livebench_categories(data: bytes) -> dict[str, list[str]]:
    try:
        doc = json.loads(decode_text(data, source="livebench categories"))
    except json.JSONDecodeError as exc:
        raise FeedFormatError(f"livebench categories: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in doc.values()
    ):
        raise FeedFormatError("livebench categories: expected {category: [task, ...]}")
    return {str(k): list(v) for k, v in doc.items()}


def parse_livebench_links(data: bytes) -> dict[str, dict]:
    try:
        doc = json.loads(decode_text(data, source="livebench model links"))
    except json.JSONDecodeError as exc:
        raise FeedFormatError(f"livebench model links: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise FeedFormatError("livebench model links: expected {model key: {...}}")
    return {k: v for k, v in doc.items() if isinstance(v, dict)}


def parse_livebench(
    data: bytes,
    *,
    categories: dict[str, list[str]],
    links: dict[str, dict] | None = None,
    release: date | None = None,
    board: str = "livebench",
) -> tuple[list[ScoreRecord], list[str]]:
    """Per task, per category and global-average `score` records (see module docstring)."""
    text = decode_text(data, source="livebench")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    all_tasks = {t for tasks in categories.values() for t in tasks}
    if not header or header[0].strip() != "model":
        raise FeedFormatError("livebench: the first column must be 'model' (not a LiveBench table)")
    columns = [c.strip() for c in header[1:]]
    known = [c for c in columns if c in all_tasks]
    if not known:
        raise FeedFormatError("livebench: no column is a task of the categories file")
    out = ParseOutput()
    unknown = [c for c in columns if c not in all_tasks]
    if unknown:
        out.errors.append(f"livebench: columns not in any category ignored: {', '.join(unknown)}")
    links = links or {}
    parsed: list[tuple[str, dict, dict[str, float]]] = []
    for line_no, row in enumerate(reader, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        where = f"livebench line {line_no}"
        try:
            key = model_name(row[0])
        except BadValue as exc:
            out.errors.append(f"{where}: {exc}; row rejected")
            continue
        where = f"{where} model '{key}'"
        if not out.first_row_of(key, where=where):
            continue
        if len(row) != len(header):
            out.errors.append(
                f"{where}: {len(row)} cells for {len(header)} columns (truncated?); row rejected"
            )
            continue
        scores: dict[str, float] = {}
        bad = []
        for column, cell in zip(columns, row[1:], strict=True):
            if column not in all_tasks or not cell.strip():
                continue
            try:
                scores[column] = number(cell, what=f"task {column}", low=0.0, high=100.0)
            except BadValue as exc:
                bad.append(str(exc))
        if bad:
            out.errors.append(f"{where}: {'; '.join(bad)}; row rejected")
            continue
        base, settings = split_settings(key)
        link = links.get(key) or links.get(base) or {}
        common = {
            "board": board,
            "source_name": key,
            "metric": "score",
            "link_name": base,
            "settings": settings_tuple(settings),
            "hub_repo_id": hub_repo_from_url(link.get("url")),
            "organization_hint": str(link.get("organization") or ""),
            "display_name": str(link.get("displayName") or ""),
            "open_weights": bool(link.get("openweight")),
            "data_date": release,
        }
        parsed.append((where, common, scores))
    sigma = {
        category: residual_sd(
            {str(c["source_name"]): {t: sc[t] for t in tasks if t in sc} for _, c, sc in parsed}
        )
        for category, tasks in categories.items()
    }
    for where, common, scores in parsed:
        _emit(out, where, common, scores, categories, sigma)
    return out.result()


def _emit(
    out: ParseOutput,
    where: str,
    common: dict,
    scores: dict[str, float],
    categories: dict[str, list[str]],
    sigma: dict[str, float | None],
) -> None:
    """Task, category-mean and global-mean records of one row. The means carry the
    interval of intervals.py with each category's own task residual σ_g (a category
    mean of n tasks: SE = σ_g / √n; the global mean of G category means: SE =
    √(Σ_g SE_g²) / G), so a model's profile across categories is signal, not noise."""
    cat_means: dict[str, float] = {}
    variances: list[float] = []
    for category, tasks in categories.items():
        present = [scores[t] for t in tasks if t in scores]
        for task in tasks:
            if task in scores:
                out.add(
                    ScoreRecord(value=scores[task], category=f"{category}/{task}", **common),
                    where=where,
                )
        if present:
            cat_means[category] = sum(present) / len(present)
            value = round(cat_means[category], 4)
            se = mean_se(sigma[category], [1.0 / len(present)] * len(present))
            if se is not None:
                variances.append(se * se)
            out.add(
                ScoreRecord(value=value, category=category, **interval(value, se), **common),
                where=where,
            )
    if cat_means and len(cat_means) == len(categories):
        value = round(sum(cat_means.values()) / len(cat_means), 4)
        known = len(variances) == len(cat_means)
        se = math.sqrt(sum(variances)) / len(cat_means) if known else None
        out.add(ScoreRecord(value=value, category="", **interval(value, se), **common), where=where)
