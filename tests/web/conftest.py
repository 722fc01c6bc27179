"""Website tests: the Playwright fixtures (`browser`, `page`, `phone_page`) moved to
tests/conftest.py so other apps' browser tests share the one chromium of the session;
the helpers are in tests/browser.py (re-exported here for existing imports)."""

from __future__ import annotations

from tests.browser import ARTIFACTS, DESKTOP, PHONE, shot

__all__ = ["ARTIFACTS", "DESKTOP", "PHONE", "shot"]
