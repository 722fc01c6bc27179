"""The shell's behaviour in a real browser: menu button, theme toggle remembered across
pages, "/" to search, copy-link buttons, stacked table cards on a phone, compare's frame,
charts that show $0 and draw one-point series; and the axe check itself finds a planted
violation (so a green route test means axe ran)."""

from __future__ import annotations

import re

import pytest

from tests.browser import AXE_PATH, axe_violations, shot
from tests.web.builders import make_models
from tests.web.world import make_site_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DARK_BG = "rgb(11, 17, 32)"
LIGHT_BG = "rgb(255, 255, 255)"


@pytest.fixture
def world(transactional_db):
    return make_site_world()


def _bg(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_axe_check_reports_a_planted_critical_violation(live_server, page) -> None:
    page.context.add_init_script(path=str(AXE_PATH))
    page.goto(f"{live_server.url}/guides/")
    assert axe_violations(page) == []
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    assert "image-alt" in [v["id"] for v in axe_violations(page)]


def test_theme_toggle_overrides_the_os_setting_and_is_remembered(live_server, browser) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/guides/")
        toggle = page.locator("[data-theme-toggle]")
        assert _bg(page) == DARK_BG  # no stored choice: the OS setting
        assert toggle.get_attribute("aria-pressed") == "true"
        toggle.click()
        assert _bg(page) == LIGHT_BG
        assert toggle.get_attribute("aria-pressed") == "false"
        assert page.evaluate("localStorage.getItem('atlas-theme')") == "light"
        page.goto(f"{live_server.url}/models/")  # the next page starts light: no flash
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        assert _bg(page) == LIGHT_BG
        page.locator("[data-theme-toggle]").click()
        assert _bg(page) == DARK_BG  # the chosen dark equals the OS dark
        assert page.evaluate("localStorage.getItem('atlas-theme')") == "dark"
    finally:
        context.close()


def test_menu_button_opens_the_nav_on_a_phone_and_escape_closes_it(live_server, browser) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        plan = page.locator("#site-nav a", has_text="Plan")
        assert not plan.is_visible()
        page.locator("[data-nav-toggle]").click()
        assert plan.is_visible()
        assert page.locator("[data-nav-toggle]").get_attribute("aria-expanded") == "true"
        assert page.locator("#site-nav a", has_text="Feeds").is_visible()
        assert page.locator("#header-q").is_visible()  # the search stays in the bar
        header = page.locator(".header-bar").bounding_box()
        assert header is not None
        shot(page, "shell-menu-open-phone")
        page.keyboard.press("Escape")
        assert not plan.is_visible()
    finally:
        context.close()


def test_desktop_header_is_one_row_and_slash_focuses_the_search(live_server, page) -> None:
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"{live_server.url}/guides/")
    assert page.locator("[data-nav-toggle]").is_hidden()
    bar = page.locator(".header-bar").bounding_box()
    assert bar is not None
    assert bar["height"] <= 57  # nav, search and toggle fit on one 56 px row
    nav = page.locator("#site-nav").bounding_box()
    search = page.locator(".header-search").bounding_box()
    assert nav["x"] + nav["width"] < search["x"]  # the links do not run under the search
    assert search["width"] >= 112
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "header-q"
    page.keyboard.type("llama")  # "/" itself was not typed into the box
    assert page.input_value("#header-q") == "llama"


def test_copy_link_copies_the_canonical_address(live_server, browser, world) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/plan/{world.plan_slug}/")
        page.get_by_role("button", name="Copy link to this plan").click()
        page.wait_for_function("document.querySelector('[data-copy-status]').textContent !== ''")
        assert page.locator("[data-copy-status]").inner_text() == "Link copied"
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{live_server.url}/plan/{world.plan_slug}/"
    finally:
        context.close()


def test_phone_tables_become_cards_and_compare_scrolls_in_its_frame(
    live_server, browser, world
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/models/{world.repo_id}/")
        cell = page.locator("#offers tbody tr").first.locator("td").first
        assert cell.get_attribute("data-label") == "Input / 1M tokens"
        assert page.locator("#offers thead").bounding_box()["height"] <= 1  # visually hidden
        row = page.locator("#offers tbody tr").first.bounding_box()
        assert row is not None
        assert row["width"] <= 390
        compare = ",".join((world.repo_id, *world.other_ids))
        page.goto(f"{live_server.url}/compare/?models={compare}")
        frame = page.locator(".compare-frame")
        assert frame.evaluate("e => e.scrollWidth > e.clientWidth")  # 3 models: it scrolls
        spec = page.locator(".compare-table tbody th").first
        before = spec.bounding_box()["x"]
        frame.evaluate("e => e.scrollBy(300, 0)")
        assert spec.bounding_box()["x"] == before  # the spec column stays put
        assert page.locator(".scroll-hint").is_visible()
        shot(page, "shell-compare-phone")
    finally:
        context.close()


def test_zero_dollar_options_sit_on_their_own_tick_not_the_axis_minimum(
    live_server, page, world
) -> None:
    page.goto(f"{live_server.url}/plan/{world.plan_slug}/")
    page.wait_for_function("() => { const c = document.getElementById('pareto-chart');"
                           " return c && c.chart; }")  # fmt: skip
    chart = "document.getElementById('pareto-chart').chart"
    raw = page.evaluate(f"{chart}.data.datasets.flatMap(d => d.data.map(p => p.px))")
    assert 0 in raw  # the world's free tier ranks as a $0/month option
    x = page.evaluate(f"(() => {{ const s = {chart}.scales.x;"
                      " return {min: s.min, labels: s.ticks.map(t => t.label).filter(Boolean),"
                      " zero: s.ticks[0].value}; })()")  # fmt: skip
    assert x["labels"][0] == "$0"
    assert x["min"] < x["zero"]  # $0 points sit on their tick, inside the axis, not on its edge
    placed = page.evaluate(f"{chart}.data.datasets.flatMap(d => d.data.filter(p => p.px === 0)"
                           ".map(p => p.x))")  # fmt: skip
    assert set(placed) == {x["zero"]}
    assert all(re.fullmatch(r"\$[\d,]+(\.\d+)?", label) for label in x["labels"])
    shot(page, "shell-plan-zero-dollars")


def test_quality_ticks_read_80_not_80_000(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/leaderboards/quality-vs-price/?task=chat")
    page.wait_for_function("() => { const c = document.getElementById('quality-price-chart');"
                           " return c && c.chart; }")  # fmt: skip
    quality = page.evaluate(
        "document.getElementById('quality-price-chart').chart.scales.y.ticks.map(t => t.label)"
    )
    assert quality
    assert all(re.fullmatch(r"\d+(\.\d)?", q) for q in quality), quality


def test_sticky_header_does_not_cover_the_catalog_filters(live_server, page, world) -> None:
    make_models(50)  # a results column taller than the filter panel, so the panel sticks
    page.set_viewport_size({"width": 1400, "height": 700})
    page.goto(f"{live_server.url}/models/")
    page.mouse.wheel(0, 1500)
    page.wait_for_function("window.scrollY > 1000")
    header = page.locator(".site-header").bounding_box()
    filters = page.locator(".filters").bounding_box()
    assert header["y"] == 0
    assert filters["y"] >= header["height"]  # stuck below the header, not under it
