"""Aider polyglot leaderboard (github.com/Aider-AI/aider website/_data/polyglot_leaderboard.yml).

A YAML list, one mapping per benchmark run. Headline: `pass_rate_2` (% of the 225
exercises solved after one retry); `total_cost` is the USD cost of the whole run at the
provider's list price (0 = unknown, stored as None), so cost per solved task =
total_cost / pass_num_2. The machine id of the model is the `--model` argument of
`command` (LiteLLM naming); the `model` field is free text and names the row.
Settings that make rows of one model distinct: edit_format, reasoning_effort,
editor_model (architect pairs) and thinking_tokens.

Aider publishes no interval. A pass rate is a proportion of `test_cases` exercises, so
each rate gets the 95% Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001,
"Interval Estimation for a Binomial Proportion", Statistical Science 16(2)) in ci_low /
ci_high, rounded outwards to 0.01 points: the board's own sampling noise, which the
quality index and its consistency check use.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation

import yaml

from quality.feeds import (
    BadValue,
    FeedFormatError,
    ParseOutput,
    ScoreRecord,
    model_name,
    number,
    settings_tuple,
)

_MODEL_ARG_RE = re.compile(r"--model[= ]+(\S+)")
# LiteLLM provider prefixes that are not the model's maker.
_PROVIDER_ORGS = {"gemini": "google", "vertex_ai": "google", "xai": "xai", "x-ai": "xai"}
_ROUTERS = {"openrouter", "fireworks_ai", "together_ai", "groq", "azure", "bedrock"}
Z_95 = 1.959964


def wilson_interval_pct(rate_pct: float, n: int, *, z: float = Z_95) -> tuple[float, float]:
    """95% Wilson score interval of a pass rate (percent) over n cases, in percent:
    center = (p + z²/2n) / (1 + z²/n), half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²);
    bounds rounded outwards to 0.01 so the interval always contains the rate."""
    p = rate_pct / 100.0
    denom = 1.0 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = math.floor(max(0.0, center - half) * 10000) / 100
    high = math.ceil(min(1.0, center + half) * 10000) / 100
    return min(low, rate_pct), max(high, rate_pct)


def command_model_id(command: object) -> str:
    m = _MODEL_ARG_RE.search(command) if isinstance(command, str) else None
    return m.group(1).strip("'\"") if m else ""


def _organization(model_id: str) -> str:
    parts = [p for p in model_id.split("/")[:-1] if p not in _ROUTERS]
    if not parts:
        return ""
    return _PROVIDER_ORGS.get(parts[-1], parts[-1])


def parse_aider(
    data: bytes, *, board: str = "aider-polyglot"
) -> tuple[list[ScoreRecord], list[str]]:
    """pass_rate_2 (with total cost) and pass_rate_1 records, one pair per run."""
    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise FeedFormatError(f"aider: invalid YAML ({exc})") from exc
    if not isinstance(doc, list) or not doc:
        raise FeedFormatError("aider: expected a YAML list of benchmark runs")
    if not any(isinstance(r, dict) and "pass_rate_2" in r for r in doc):
        raise FeedFormatError("aider: no row has 'pass_rate_2' (not an Aider polyglot file)")
    out = ParseOutput()
    for i, row in enumerate(doc, start=1):
        where = f"aider row {i}"
        if not isinstance(row, dict):
            out.errors.append(f"{where}: not a mapping; row rejected")
            continue
        if row.get("dirname"):
            where = f"{where} ({row['dirname']})"
        try:
            name = model_name(row.get("model"))
            pass2 = number(row.get("pass_rate_2"), what="pass_rate_2", low=0.0, high=100.0)
            pass1 = (
                number(row["pass_rate_1"], what="pass_rate_1", low=0.0, high=100.0)
                if row.get("pass_rate_1") is not None
                else None
            )
            cost = _cost(row.get("total_cost"))
            cases = row.get("test_cases")
            samples = int(number(cases, what="test_cases", low=1)) if cases is not None else None
            day = row.get("date")
            if day is not None and not isinstance(day, date):
                day = date.fromisoformat(str(day))
        except (BadValue, ValueError) as exc:
            out.errors.append(f"{where}: {exc}; row rejected")
            continue
        model_id = command_model_id(row.get("command"))
        settings = settings_tuple(
            {
                "edit_format": row.get("edit_format"),
                "reasoning_effort": row.get("reasoning_effort"),
                "editor_model": row.get("editor_model"),
                "thinking_tokens": row.get("thinking_tokens"),
            }
        )
        common = {
            "board": board,
            "source_name": name,
            "link_name": model_id or name,
            "settings": settings,
            "samples": samples,
            "organization_hint": _organization(model_id),
            "display_name": name,
            "data_date": day,
        }
        kept = out.add(
            ScoreRecord(
                metric="pass_rate_2", value=pass2, total_cost_usd=cost, **_ci(pass2, samples),
                **common,
            ),
            where=where,
        )  # fmt: skip
        if kept and pass1 is not None:
            out.add(
                ScoreRecord(metric="pass_rate_1", value=pass1, **_ci(pass1, samples), **common),
                where=where,
            )
    return out.result()


def _ci(rate_pct: float, cases: int | None) -> dict[str, float]:
    if not cases:
        return {}
    low, high = wilson_interval_pct(rate_pct, cases)
    return {"ci_low": low, "ci_high": high}


def _cost(raw: object) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise BadValue(f"total_cost {raw!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise BadValue(f"total_cost {raw!r} is negative or not finite")
    return value.quantize(Decimal("0.0001")) if value else None  # 0 means "unknown"
