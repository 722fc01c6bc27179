"""MTEB(eng, v2) per-model summary (mteb_eng_v2_summary.csv, derived from the results repo).

Columns: model (HF repo id, or vendor/model for API models), n_tasks, complete,
mean_task, mean_tasktype, mean_<TaskType>, open_weights, then one column per task
(scores x100). Records: metric "mean_task" (category "" overall, "<TaskType>" per
type), "mean_tasktype", and "main_score" per task (category "<TaskType>/<Task>" when
the task type map is given, else the task). `samples` holds n_tasks: only rows with
all 41 tasks are comparable to the published leaderboard. "mean_task" overall carries
a 95% interval computed here from the spread of the model's task scores
(quality.feeds.intervals).
"""

from __future__ import annotations

import csv
import io
import json

from quality.feeds import (
    BadValue,
    FeedFormatError,
    ParseOutput,
    ScoreRecord,
    decode_text,
    model_name,
    named_model,
    number,
    settings_tuple,
)
from quality.feeds.intervals import interval, mean_se, residual_sd

REQUIRED = {"model", "mean_task", "mean_tasktype", "n_tasks"}
TASKS_IN_BENCHMARK = 41


def parse_mteb_task_types(data: bytes) -> dict[str, str]:
    try:
        doc = json.loads(decode_text(data, source="mteb task types"))
    except json.JSONDecodeError as exc:
        raise FeedFormatError(f"mteb task types: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise FeedFormatError("mteb task types: expected {task: type}")
    return {str(k): str(v) for k, v in doc.items()}


def parse_mteb(
    data: bytes, *, task_types: dict[str, str] | None = None, board: str = "mteb-eng-v2"
) -> tuple[list[ScoreRecord], list[str]]:
    text = decode_text(data, source="mteb")
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    if not set(fields) >= REQUIRED:
        raise FeedFormatError(
            f"mteb: expected columns {', '.join(sorted(REQUIRED))} (not an MTEB summary)"
        )
    type_cols = [c for c in fields if c.startswith("mean_") and c not in REQUIRED]
    task_types = task_types or {}
    meta_cols = {
        *REQUIRED,
        *type_cols,
        "main_revision",
        "revisions_used",
        "complete",
        "n_parameters",
        "embed_dim",
        "max_tokens",
        "memory_usage_mb",
        "license",
        "open_weights",
        "release_date",
        "reference",
    }
    task_cols = [c for c in fields if c not in meta_cols]
    out = ParseOutput()
    parsed: list[tuple[str, str, dict, float, float, dict, dict]] = []
    for line_no, row in enumerate(reader, start=2):
        where = f"mteb line {line_no}"
        if None in row or any(v is None for v in row.values()):
            out.errors.append(f"{where}: wrong number of cells (truncated?); row rejected")
            continue
        try:
            name = model_name(row["model"])
            where = f"{where} model '{name}'"
            n_tasks = int(number(row["n_tasks"], what="n_tasks", low=0, high=1000))
            mean_task = number(row["mean_task"], what="mean_task", low=0.0, high=100.0)
            mean_tt = number(row["mean_tasktype"], what="mean_tasktype", low=0.0, high=100.0)
            per_type = {
                c[len("mean_") :]: number(row[c], what=c, low=0.0, high=100.0)
                for c in type_cols
                if (row.get(c) or "").strip()
            }
            per_task = {
                c: number(row[c], what=f"task {c}", low=0.0, high=100.0)
                for c in task_cols
                if (row.get(c) or "").strip()
            }
        except BadValue as exc:
            out.errors.append(f"{where}: {exc}; row rejected")
            continue
        if not out.first_row_of(name, where=where):
            continue
        open_weights = (row.get("open_weights") or "").strip().lower() == "true"
        common = {
            "board": board,
            "samples": n_tasks,
            "settings": settings_tuple({}),
            **named_model(name, open_weights=open_weights),
        }
        parsed.append((where, name, common, mean_task, mean_tt, per_type, per_task))
    sigma = residual_sd({name: per_task for _, name, _, _, _, _, per_task in parsed})
    for where, _, common, mean_task, mean_tt, per_type, per_task in parsed:
        se = mean_se(sigma, [1.0 / len(per_task)] * len(per_task)) if per_task else None
        out.add(
            ScoreRecord(metric="mean_task", value=mean_task, **interval(mean_task, se), **common),
            where=where,
        )
        out.add(ScoreRecord(metric="mean_tasktype", value=mean_tt, **common), where=where)
        for task_type, value in per_type.items():
            out.add(
                ScoreRecord(metric="mean_task", value=value, category=task_type, **common),
                where=where,
            )
        for task, value in per_task.items():
            category = f"{task_types[task]}/{task}" if task in task_types else task
            out.add(
                ScoreRecord(metric="main_score", value=value, category=category, **common),
                where=where,
            )
    return out.result()
