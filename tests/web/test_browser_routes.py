"""Every public page of the site, enumerated from the URLconf, in a real browser at a phone
width (390 px) and a desktop width (1400 px), in the light and the dark theme: the page
answers 200, the document does not scroll sideways (scrollWidth <= innerWidth), the
console shows no error (CSP refusals, failed loads and script errors all land there) and
axe-core finds no serious or critical accessibility violation. Screenshots of every page
land in test-artifacts/routes/.

Time is bounded: one chromium for the session, one page per width × theme that navigates
from URL to URL, axe injected as an init script. Each route's first URL is checked at both
widths in both themes; a route's further URLs (the other guides, a closed model's page)
once, at phone width in the light theme.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser import ARTIFACTS, AXE_PATH, axe_violations, horizontal_overflow_px
from tests.web.world import SiteWorld, make_site_world, page_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1400, "height": 900}}
THEMES = ("light", "dark")
# Routes that are not pages a person reads, by URL name or path prefix, and why.
NOT_PAGES = {
    "admin/": "the Django admin",
    "api/": "the JSON API and its docs (schemathesis and the API tests cover them)",
    "healthz": "plain-text health check",
    "readyz": "plain-text readiness check",
    "metrics": "Prometheus text",
    "favicon": "an image (tests/web/test_shell.py)",
    "catalog:compare-suggest": "an htmx fragment: <option>s for compare's datalist",
    "planner:plan-json": "a download (JSON)",
    "planner:plan-csv": "a download (CSV)",
    "planner:plan-rerank": "a POST form target that redirects to a plan page",
    "planner:plan-deploy-file": "a download (one bundle file)",
    "planner:plan-deploy-zip": "a download (the bundle as a zip)",
    "pricing:price-feed-all": "an Atom feed (tests/pricing/test_price_watch.py)",
    "pricing:price-feed-model": "an Atom feed (tests/pricing/test_price_watch.py)",
    "pricing:price-feed-provider": "an Atom feed (tests/pricing/test_price_watch.py)",
}


def _routes(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(path pattern, URL name) of every route in the URLconf, namespaces applied."""
    found: list[tuple[str, str]] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, (namespace, p.namespace)))
            found += _routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = ":".join(filter(None, (namespace, p.name))) if p.name else ""
            found.append((prefix + str(p.pattern), name))
    return found


def _not_a_page(path: str, name: str) -> bool:
    prefixes = [k for k in NOT_PAGES if k.endswith("/")]
    return name in NOT_PAGES or any(path.startswith(k) for k in prefixes)


def test_every_route_in_the_urlconf_is_a_checked_page_or_a_named_exception() -> None:
    pages = page_urls(SiteWorld("a/b", ("c/d", "e/f"), "p", "abc"))
    routes = [(path, name) for path, name in _routes() if not _not_a_page(path, name)]
    missing = [(path, name) for path, name in routes if name not in pages]
    assert missing == [], f"routes with no page in tests/web/world.py page_urls(): {missing}"
    assert not [n for n in pages if n not in {name for _, name in routes}]  # no stale entry
    assert len(routes) >= 19


def _artifact_name(url: str, width: str, theme: str) -> str:
    slug = url.strip("/").split("?")[0].replace("/", "_") or "home"
    return f"{slug[:100]}-{width}-{theme}.png"


def _check(page, errors: list[str], url: str) -> list[str]:
    errors.clear()
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        return [f"HTTP {response.status if response else 'no response'}"]
    problems = []
    if (px := horizontal_overflow_px(page)) > 0:
        problems.append(f"scrolls sideways by {px}px")
    problems += [f"console: {e}" for e in errors]
    problems += [
        f"axe {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in axe_violations(page)
    ]
    return problems


@pytest.mark.parametrize("theme", THEMES)
def test_every_page_fits_logs_no_error_and_passes_axe(live_server, browser, theme) -> None:
    routes = page_urls(make_site_world())
    out = ARTIFACTS / "routes"
    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for width, viewport in WIDTHS.items():
        phone = width == "phone"
        context = browser.new_context(viewport=viewport, color_scheme=theme, is_mobile=phone,
                                      has_touch=phone)  # fmt: skip
        context.add_init_script(path=str(AXE_PATH))  # via DevTools: outside the page's CSP
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(f"uncaught {e}"))
        try:
            for urls in routes.values():
                extra = urls[1:] if phone and theme == "light" else []
                for url in [urls[0], *extra]:
                    found = _check(page, errors, live_server.url + url)
                    failures += [f"{url} [{width}, {theme}] {p}" for p in found]
                    page.screenshot(path=str(out / _artifact_name(url, width, theme)),
                                    full_page=True)  # fmt: skip
        finally:
            context.close()
    assert failures == [], "\n".join(failures)
