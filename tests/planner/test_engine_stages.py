"""The engine's stages import one way (issue 18 §8): each only the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "planner" / "engine"
STAGES = [
    "arrays", "columns", "candidates", "options", "checks", "costs", "ranking", "explain",
    "breakeven",
]  # fmt: skip


def _engine_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("planner.engine."):
            found.add(node.module.split(".")[2])
    return found


def test_every_module_is_a_stage() -> None:
    names = {p.stem for p in ENGINE.glob("*.py")} - {"__init__"}
    assert names == set(STAGES)


def test_stages_import_only_earlier_stages() -> None:
    bad = []
    for i, stage in enumerate(STAGES):
        later = _engine_imports(ENGINE / f"{stage}.py") - set(STAGES[:i])
        if later:
            bad.append(f"{stage} imports {sorted(later)}")
    assert not bad, bad


def test_the_pipeline_fits_on_a_screen() -> None:
    source = (ENGINE / "__init__.py").read_text()
    tree = ast.parse(source)
    rank = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "rank")
    body = rank.body[1:]  # after the docstring
    assert body[-1].end_lineno - body[0].lineno < 30
