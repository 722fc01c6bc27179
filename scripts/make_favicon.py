"""Rebuild static/favicon.ico from static/favicon.svg (run after changing the SVG).

Chromium (Debian's, through Playwright, as the browser tests use it) rasterizes the SVG at
16, 32 and 48 px; the PNGs are packed into one ICO file (PNG-in-ICO, Windows Vista+ and
every current browser). Usage: .venv/bin/python scripts/make_favicon.py
"""

from __future__ import annotations

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SIZES_PX = (16, 32, 48)


def rasterize(svg: str, sizes: tuple[int, ...]) -> list[bytes]:
    pngs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for n in sizes:
            page = browser.new_page(viewport={"width": n, "height": n})
            sized = svg.replace("<svg ", f'<svg width="{n}" height="{n}" ', 1)
            page.set_content(f'<body style="margin:0;background:transparent">{sized}</body>')
            pngs.append(page.screenshot(omit_background=True))
            page.close()
        browser.close()
    return pngs


def pack_ico(pngs: list[bytes], sizes: tuple[int, ...]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per image (width/height 0 means 256), then the PNGs."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for n, data in zip(sizes, pngs, strict=True):
        entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data),
                               offset + len(blobs))  # fmt: skip
        blobs += data
    return header + entries + blobs


def main() -> None:
    svg = (ROOT / "static" / "favicon.svg").read_text()
    ico = pack_ico(rasterize(svg, SIZES_PX), SIZES_PX)
    (ROOT / "static" / "favicon.ico").write_bytes(ico)
    print(f"static/favicon.ico: {len(ico)} bytes, sizes {SIZES_PX}")


if __name__ == "__main__":
    main()
