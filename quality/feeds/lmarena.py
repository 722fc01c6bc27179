"""LMArena leaderboard JSON (github.com/lmarena/arena-catalog data/leaderboard-*.json).

Shape: {category: {model_key: {"rating", "rating_q025", "rating_q975"}}}; "full" is the
overall board, every other key a category. q025/q975 are the 95% bootstrap interval.
Metadata (optional): leaderboard_table_<date>.csv maps key -> display name,
organization and a Link that is a huggingface.co URL for open-weight models;
scatterplot-data.json maps model_api_name -> organization.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from quality.feeds import (
    BadValue,
    FeedFormatError,
    ParseOutput,
    ScoreRecord,
    check_interval,
    decode_text,
    hub_repo_from_url,
    model_name,
    number,
)

# Arena scores sit around 800..1600; anything outside 0..4000 is a broken row.
RATING_MIN = 0.0
RATING_MAX = 4000.0

FILE_BOARDS = {
    "leaderboard-text.json": "lmarena-text",
    "leaderboard-text-style-control.json": "lmarena-text-style-control",
    "leaderboard-vision.json": "lmarena-vision",
    "leaderboard-vision-style-control.json": "lmarena-vision-style-control",
    "leaderboard-image.json": "lmarena-image",
}


@dataclass(frozen=True, slots=True)
class ArenaMeta:
    display_name: str = ""
    organization: str = ""
    hub_repo_id: str = ""
    open_weights: bool = False


def parse_lmarena_metadata(data: bytes) -> dict[str, ArenaMeta]:
    """leaderboard_table_<date>.csv -> key -> ArenaMeta (rows without a key skipped)."""
    text = decode_text(data, source="lmarena metadata")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"key", "Organization", "Link"} <= set(reader.fieldnames):
        raise FeedFormatError("lmarena metadata: expected columns key, Organization, Link")
    out: dict[str, ArenaMeta] = {}
    for row in reader:
        key = (row.get("key") or "").strip()
        if not key:
            continue
        repo = hub_repo_from_url((row.get("Link") or "").strip())
        out[key] = ArenaMeta(
            display_name=(row.get("Model") or "").strip(),
            organization=(row.get("Organization") or "").strip(),
            hub_repo_id=repo,
            open_weights=bool(repo),
        )
    return out


def parse_lmarena_orgs(data: bytes) -> dict[str, ArenaMeta]:
    """scatterplot-data.json -> model_api_name -> ArenaMeta(organization, display name)."""
    try:
        rows = json.loads(decode_text(data, source="lmarena prices"))
    except json.JSONDecodeError as exc:
        raise FeedFormatError(f"lmarena prices: invalid JSON ({exc})") from exc
    if not isinstance(rows, list):
        raise FeedFormatError("lmarena prices: expected a JSON list")
    out: dict[str, ArenaMeta] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("model_api_name"), str):
            licence = str(row.get("license") or "")
            out[row["model_api_name"]] = ArenaMeta(
                display_name=str(row.get("name") or ""),
                organization=str(row.get("organization") or ""),
                open_weights=bool(licence) and licence.lower() != "proprietary",
            )
    return out


def parse_lmarena(
    data: bytes, *, board: str, metadata: dict[str, ArenaMeta] | None = None
) -> tuple[list[ScoreRecord], list[str]]:
    """One leaderboard-*.json -> arena_score records for "full" (category "") and each category."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        seen: dict[str, object] = {}
        for k, v in items:
            if k in seen:  # json.loads would silently keep the last one
                duplicates.append(k)
                continue
            seen[k] = v
        return seen

    try:
        doc = json.loads(decode_text(data, source="lmarena"), object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise FeedFormatError(f"lmarena: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("full"), dict):
        raise FeedFormatError(
            "lmarena: expected an object of categories with a 'full' board "
            "({category: {model: {rating, rating_q025, rating_q975}}})"
        )
    sample = next(iter(doc["full"].values()), None)
    if sample is not None and not (isinstance(sample, dict) and "rating" in sample):
        raise FeedFormatError("lmarena: 'full' rows have no 'rating' (not an LMArena file)")
    metadata = metadata or {}
    out = ParseOutput()
    out.errors.extend(
        f"lmarena {board}: duplicate row for model '{k}'; the first row was kept"
        for k in duplicates
    )
    for category, rows in doc.items():
        if not isinstance(rows, dict):
            out.errors.append(f"lmarena {board} category '{category}': not an object; skipped")
            continue
        cat = "" if category == "full" else str(category)
        for raw_key, row in rows.items():
            where = f"lmarena {board} category '{category}' model '{raw_key}'"
            try:
                key = model_name(raw_key)
                if not isinstance(row, dict):
                    raise BadValue("row is not an object")
                value = number(row.get("rating"), what="rating", low=RATING_MIN, high=RATING_MAX)
                low = _optional(row.get("rating_q025"), "rating_q025")
                high = _optional(row.get("rating_q975"), "rating_q975")
                check_interval(value, low, high)
            except BadValue as exc:
                out.errors.append(f"{where}: {exc}; row rejected")
                continue
            meta = metadata.get(key, ArenaMeta())
            out.add(
                ScoreRecord(
                    board=board,
                    source_name=key,
                    metric="arena_score",
                    value=value,
                    category=cat,
                    ci_low=low,
                    ci_high=high,
                    hub_repo_id=meta.hub_repo_id,
                    organization_hint=meta.organization,
                    display_name=meta.display_name,
                    open_weights=meta.open_weights,
                ),
                where=where,
            )
    return out.result()


def _optional(raw: object, what: str) -> float | None:
    if raw is None:
        return None
    return number(raw, what=what, low=RATING_MIN, high=RATING_MAX)
