"""Open ASR leaderboard, English short-form (open_asr_leaderboard scripts/data/en_shortform.csv).

Columns: model (HF repo id for open models, "vendor/product" for APIs), Avg. WER,
RTFx (-1 = not measured), Model size (B), License (Open | Proprietary), then
"<set> WER" per English test set. Records: metric "wer" (category "" = the average,
else the test set) in % (0..100, lower is better) and metric "rtfx" (seconds of
audio per second of compute) when measured. The average WER carries a 95% interval
computed here from the spread of the model's per-set WERs (quality.feeds.intervals).
"""

from __future__ import annotations

import csv
import io

from quality.feeds import (
    BadValue,
    FeedFormatError,
    ParseOutput,
    ScoreRecord,
    decode_text,
    model_name,
    named_model,
    number,
)
from quality.feeds.intervals import interval, mean_se, residual_sd

REQUIRED = {"model", "Avg. WER", "RTFx"}
WER_MAX = 100.0  # a WER above 100% is possible in theory, never on this board


def parse_open_asr(
    data: bytes, *, board: str = "open-asr-en"
) -> tuple[list[ScoreRecord], list[str]]:
    text = decode_text(data, source="open_asr")
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    if not set(fields) >= REQUIRED:
        raise FeedFormatError(
            "open_asr: expected columns model, Avg. WER, RTFx (not an Open ASR leaderboard)"
        )
    sets = [c for c in fields if c.endswith(" WER") and c != "Avg. WER"]
    out = ParseOutput()
    parsed: list[tuple[str, str, dict, float, float, dict[str, float]]] = []
    for line_no, row in enumerate(reader, start=2):
        where = f"open_asr line {line_no}"
        if None in row or any(v is None for v in row.values()):
            out.errors.append(f"{where}: wrong number of cells (truncated?); row rejected")
            continue
        try:
            name = model_name(row["model"])
            where = f"{where} model '{name}'"
            avg = number(row["Avg. WER"], what="Avg. WER", low=0.0, high=WER_MAX)
            rtfx = number(row["RTFx"], what="RTFx", low=-1.0)
            per_set = {
                c[: -len(" WER")]: number(row[c], what=c, low=0.0, high=WER_MAX)
                for c in sets
                if (row.get(c) or "").strip()
            }
        except BadValue as exc:
            out.errors.append(f"{where}: {exc}; row rejected")
            continue
        if not out.first_row_of(name, where=where):
            continue
        open_weights = (row.get("License") or "").strip().lower() == "open"
        common = {"board": board, **named_model(name, open_weights=open_weights)}
        parsed.append((where, name, common, avg, rtfx, per_set))
    sigma = residual_sd({name: per_set for _, name, _, _, _, per_set in parsed})
    for where, _, common, avg, rtfx, per_set in parsed:
        se = mean_se(sigma, [1.0 / len(per_set)] * len(per_set)) if per_set else None
        out.add(ScoreRecord(metric="wer", value=avg, **interval(avg, se), **common), where=where)
        for test_set, value in per_set.items():
            out.add(
                ScoreRecord(metric="wer", value=value, category=test_set, **common), where=where
            )
        if rtfx > 0:  # -1 = not measured (API models)
            out.add(ScoreRecord(metric="rtfx", value=rtfx, **common), where=where)
    return out.result()
