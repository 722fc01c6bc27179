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
