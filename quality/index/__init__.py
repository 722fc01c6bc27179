"""Per-task quality index: every board on one latent scale, with an uncertainty (pure).

Method (one scale per task: chat, code, vision, embeddings, speech-to-text,
text-to-image; views per task in spec.TASKS):

1. Inputs (inputs.py). Each board view (a board's metric in one category, signed so
   higher is better) gives each model one score and its standard error from the
   board's 95% interval: LMArena's bootstrap CI; Aider's Wilson interval over its 225
   exercises; for LiveBench, MTEB and Open ASR, the spread of the model's item scores
   around each item's mean (Miller 2024, "Adding Error Bars to Evals",
   arXiv:2411.00640), computed by the parsers since these boards publish none.
2. One scale (fit.py). Linear equating of the views on the models they share
   (single-group linear equating, Kolen & Brennan 2014, "Test Equating, Scaling, and
   Linking", §2.1: a view's line sets its mean and sd over the shared models to those
   of the scale; the board with most models fixes the unit, each other board is equated
   to the composite of the others, a few passes until the lines settle). This is how
   Epoch AI's Capabilities Index stitches benchmarks on the models they share
   (epoch.ai/data/eci-documentation/methodology; Ho et al. 2025, "A Rosetta Stone for
   AI Benchmarks"), with lines instead of its logistic curves: an affine change of any
   board's raw scores (s → p·s + q, p > 0, intervals alike) leaves every θ and SE
   unchanged, which a logistic fit on raw percent would not. A model's position is the
   precision-weighted mean of its equated scores, weights 1 / (σ²/c² + τ²), τ the
   boards' disagreement beyond their own noise (method of moments); SE = 1/√Σw, so a
   model seen on fewer or noisier boards has a wider interval.
3. Order (order.py, dominance.py). If A beats B on every one of the task's own
   leaderboards both appear on by more than the boards' half-widths, A must rank
   higher: violators of the fitted θ are pooled (pool-adjacent-violators on the
   dominance order; Robertson, Wright & Dykstra 1988), ties inside a pool broken by
   dominance; genuine cycles (A > B > C > A across boards) cannot all hold, are
   reported, and their inner pairs keep the fitted order.
4. Index (compute.py). value = 100 · (x − min x) / (max x − min x) over the task's
   measured models: 0 is the lowest-placed measured model of the task, 100 the highest.
   uncertainty = 1.96 · SE(θ) on that scale (a 95% half-width, "value ± uncertainty").
   adjustment = how far step 3 moved the value.

A model with no score on a task's boards has no value: unknown, never 0 and never a
popularity proxy. Sources list every board view behind a value with its raw score,
interval, SE and where the fitted line puts it on the scale.
"""

from quality.index.compute import (
    IndexResult,
    IndexSource,
    IndexValue,
    TaskResult,
    quality_indexes_compute,
    required_components,
    task_compute,
)
from quality.index.inputs import (
    ScoreColumns,
    ScoreInput,
    columns_collect,
    columns_from_db_rows,
    columns_from_rows,
    columns_split,
    nan_floats,
)
from quality.index.order import OrderView, dominance_matrix
from quality.index.spec import TASKS, Component, TaskSpec

__all__ = [
    "TASKS",
    "Component",
    "IndexResult",
    "IndexSource",
    "IndexValue",
    "OrderView",
    "ScoreColumns",
    "ScoreInput",
    "TaskResult",
    "TaskSpec",
    "columns_collect",
    "columns_from_db_rows",
    "columns_from_rows",
    "columns_split",
    "dominance_matrix",
    "nan_floats",
    "quality_indexes_compute",
    "required_components",
    "task_compute",
]
