"""Browser-test helpers shared by tests/web and tests/planner (the fixtures that use them,
`browser`, `page` and `phone_page`, live in tests/conftest.py: one chromium per session).

Never `playwright install`: we drive the distribution's chromium. Where it is missing
(no apt, not root), the browser tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    env_path = os.environ.get("ATLAS_CHROMIUM")
    if env_path:
        return env_path
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- shared page checks (tests/web/test_browser_routes.py and others) ------------------

AXE_PATH = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe-core-4.14.1.min.js"
# What axe reports: its WCAG 2.x A/AA rules and best practices; we fail on these impacts.
AXE_FAIL_IMPACTS = ("serious", "critical")
_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


def axe_violations(page, impacts: tuple[str, ...] = AXE_FAIL_IMPACTS) -> list[dict]:
    """Run the vendored axe-core on the loaded page; its serious/critical violations.

    The script is evaluated through the DevTools protocol, which the page's CSP (no inline
    scripts) does not govern, so the page keeps its real policy while being checked."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_PATH.read_text())
    return [v for v in page.evaluate(_AXE_RUN) if v["impact"] in impacts]


def horizontal_overflow_px(page) -> int:
    """How far the document is wider than the window (> 0: it scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
