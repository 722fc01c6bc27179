"""Dependencies point one way (ARCHITECTURE.md); pure modules import no Django."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["catalog", "benchmarks", "quality", "pricing", "planner"]
# What each app may import of ours.
ALLOWED = {
    "catalog": {"catalog", "config"},
    "benchmarks": {"benchmarks", "catalog", "config"},
    "quality": {"quality", "catalog", "config"},
    "pricing": {"pricing", "catalog", "benchmarks", "config"},
    "planner": {"planner", "catalog", "benchmarks", "quality", "pricing", "config"},
}
PURE_MODULES = [
    "catalog/matching.py",
    "catalog/names.py",
    "catalog/vendors.py",
    "catalog/formatting.py",
    "catalog/licences.py",
    "catalog/hub_parse.py",
    "catalog/hub_config.py",
    "benchmarks/estimate.py",
    "pricing/cost.py",
    "pricing/seats.py",
    "pricing/subscription_data.py",
    "planner/records.py",
    "planner/plan_page.py",
    "planner/codec.py",
    "planner/validate.py",
    "planner/answers.py",
    "planner/reprice.py",
    "planner/deploy/flags.py",
    "planner/seats_plan.py",
]
PURE_PACKAGES = [
    "catalog/param_count",
    "catalog/facts",
    "pricing/feeds",
    "pricing/costing",
    "benchmarks/importers",
    "benchmarks/estimate",
    "quality/feeds",
    "quality/index",
    "planner/deploy",
    "planner/engine",
]
FORBIDDEN_IN_PURE = {"django", "rest_framework", "django_filters", "celery", *APPS, "config"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", APPS)
def test_app_imports_only_apps_below_it(app: str) -> None:
    bad = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        upward = (_imports(path) & set(APPS)) - ALLOWED[app]
        if upward:
            bad.append(f"{path.relative_to(ROOT)} imports {sorted(upward)}")
    assert not bad, "\n".join(bad)


def _pure_files() -> list[Path]:
    files = [ROOT / p for p in PURE_MODULES if (ROOT / p).exists()]
    for pkg in PURE_PACKAGES:
        p = ROOT / pkg
        if p.is_dir():
            files.extend(sorted(p.rglob("*.py")))
        elif p.exists():
            files.append(p)
    return files


def _full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def test_pure_modules_import_no_django_and_only_other_pure_modules() -> None:
    files = _pure_files()
    assert files, "expected at least one pure module"
    pure_names = {_module_name(f) for f in files}
    bad = []
    for f in files:
        for mod in _full_imports(f):
            top = mod.split(".")[0]
            if top in FORBIDDEN_IN_PURE and not any(
                mod == p or mod.startswith(p + ".") for p in pure_names
            ):
                bad.append(f"{f.relative_to(ROOT)} imports {mod}")
    assert not bad, "\n".join(bad)
