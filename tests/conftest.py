"""Project-wide fixtures. Test-only settings live here, not in another settings module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("ATLAS_TESTING", "1")

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, DESKTOP, PHONE, chromium_path
from tests.fakes.server import FakeServer

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def _empty_hub() -> Iterator[FakeServer]:
    """A Hub that has no models: what a test that sets up no fake Hub talks to, so an
    on-demand fetch (catalog.services.hub_fetch) answers "not on the Hub", never the
    internet."""
    from tests.fakes.hub import FakeHub

    with FakeServer() as server:
        FakeHub(server)
        yield server


@pytest.fixture(autouse=True)
def _fast_test_settings(settings, _empty_hub: FakeServer) -> None:
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HUB_MAX_BACKOFF_S = 0.05
    settings.HF_ENDPOINT = _empty_hub.base_url  # fake_hub fixtures point it elsewhere
    cache.clear()  # throttle windows and cached "not on the Hub" answers of other tests


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared reference data is absent")
    return SHARED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


# --- browser tests (Debian's chromium through Playwright; moved from tests/web) ---------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "browser tests need Debian's chromium: `apt-get install -y chromium` "
            "(make install-test does it when apt is available and we are root)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need playwright (pip install -e '.[test]')")
    # Playwright's sync API keeps an event loop on this thread; Django's ORM calls made by
    # the test body (building rows) must still be allowed.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:  # don't leak it into later tests' subprocesses (check --deploy refuses it)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser) -> Iterator[object]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
