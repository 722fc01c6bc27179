"""Screenshots of the main pages at phone and desktop width, for docs and closing notes.

    python scripts/screenshots.py --base http://127.0.0.1:8000 --out docs/screenshots/after

Point it at a running site (`make run`); it drives Debian's chromium through Playwright
(never a downloaded browser) and writes one JPEG per page × width × theme (the top of the
page plus what fits in 2.5 screens, so the files stay small enough to keep in the repo).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM_ARGS, chromium_path  # noqa: E402

PAGES = {
    "home": "/",
    "model": "/models/Qwen/Qwen3-8B/",
    "providers": "/providers/",
    "compare": "/compare/?models=Qwen/Qwen3-8B,meta-llama/Llama-3.1-8B-Instruct",
    "plan": "/plan/demochat/",
}
WIDTHS = {"phone": (390, 844), "desktop": (1400, 900)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "test-artifacts" / "screenshots"))
    parser.add_argument("--page", action="append", default=[], help="name=/path (repeatable)")
    parser.add_argument("--themes", default="light", help="light,dark for both")
    args = parser.parse_args()
    pages = dict(PAGES)
    for item in args.page:
        name, _, path = item.partition("=")
        pages[name] = path
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for theme in args.themes.split(","):
            for wname, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=theme
                )
                page = context.new_page()
                for name, path in pages.items():
                    response = page.goto(args.base + path, wait_until="networkidle")
                    status = response.status if response else 0
                    full = page.evaluate("document.documentElement.scrollHeight")
                    clip_h = min(full, int(height * 2.5))
                    page.set_viewport_size({"width": width, "height": clip_h})
                    target = out / f"{name}-{wname}-{theme}.jpg"
                    page.screenshot(path=str(target), type="jpeg", quality=60)
                    page.set_viewport_size({"width": width, "height": height})
                    print(f"{status} {path} -> {target}")
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
