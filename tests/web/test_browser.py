"""The site in a real browser (Debian's chromium via Playwright): htmx, charts, layout.

Screenshots of every page at desktop and phone width land in test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from tests.web.builders import make_demo_catalog
from tests.web.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(transactional_db):
    return make_demo_catalog()


def test_filtering_the_catalog_updates_the_list_and_the_url_without_a_reload(
    live_server, page, catalog
) -> None:
    page.goto(f"{live_server.url}/models/")
    page.evaluate("window.__marker = 'same-document'")
    assert page.locator("#model-rows li").count() == 9
    page.select_option("#id_task", "text-to-image")
    page.wait_for_url(re.compile(r"/models/\?task=text-to-image$"))  # empty fields left out
    page.wait_for_function("document.querySelectorAll('#model-rows li').length === 1")
    assert "stable-diffusion-xl" in page.locator("#model-rows").inner_text()
    # htmx swapped the rows: the page (and our marker) survived.
    assert page.evaluate("window.__marker") == "same-document"
    shot(page, "catalog-filtered-desktop")


def test_search_and_sort_keep_each_other_in_the_url(live_server, page, catalog) -> None:
    page.goto(f"{live_server.url}/models/?task=text-generation")
    page.select_option("#id_sort", "params")
    page.wait_for_url(re.compile(r"sort=params"))
    assert "task=text-generation" in page.url
    page.wait_for_function("document.querySelector('#model-rows li a').textContent.includes('70B')")
    page.fill("#id_q", "llama")
    page.wait_for_url(re.compile(r"q=llama"))
    page.wait_for_function("document.querySelectorAll('#model-rows li').length === 3")
    assert "sort=params" in page.url


def test_opening_a_model_shows_its_summary_and_draws_the_dtype_chart(
    live_server, page, catalog
) -> None:
    page.goto(f"{live_server.url}/models/?q=Qwen3")
    page.click("text=qwen/Qwen3-30B-A3B")
    page.wait_for_url(re.compile(r"/models/qwen/Qwen3-30B-A3B/$"))
    assert page.locator("h1").inner_text() == "qwen/Qwen3-30B-A3B"
    assert "30.5B" in page.locator(".head-facts .specs").inner_text()
    assert "3.3B" in page.locator(".head-facts .specs").inner_text()
    page.wait_for_function(
        "() => { const c = document.getElementById('dtype-chart');"
        " return c && c.chart && c.chart.data.labels.length === 2; }"
    )
    box = page.locator("#dtype-chart").bounding_box()
    assert box is not None
    assert box["width"] > 100
    assert box["height"] > 100
    plan = page.locator("a", has_text="Plan with this model")
    assert plan.get_attribute("href") == "/plan/?model=qwen/Qwen3-30B-A3B"
    shot(page, "model-detail-desktop")


def test_model_card_script_is_not_executed(live_server, page, catalog) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_server.url}/models/meta-llama/Llama-3.1-8B-Instruct/")
    assert "Instruction tuned." in page.locator(".model-card-text").inner_text()
    assert dialogs == []


def test_comparing_two_models_with_the_picker(live_server, page, catalog) -> None:
    page.goto(f"{live_server.url}/models/meta-llama/Llama-3.1-8B/")
    page.locator(".model-actions").get_by_role("link", name="Compare").click()
    page.locator("#compare-add").press_sequentially("qwen3")
    page.wait_for_function(
        "() => { const o = document.querySelectorAll('#compare-suggestions option');"
        " return o.length === 1 && o[0].value === 'qwen/Qwen3-30B-A3B'; }"
    )
    page.fill("#compare-add", "qwen/Qwen3-30B-A3B")
    page.click("text=Add to comparison")
    page.wait_for_url(re.compile(r"models=meta-llama/Llama-3.1-8B,qwen/Qwen3-30B-A3B"))
    headers = page.locator(".compare-table thead th[scope=col]").all_inner_texts()
    assert any("Llama-3.1-8B" in h for h in headers)
    assert any("Qwen3-30B-A3B" in h for h in headers)
    assert "128" in page.locator(".compare-table tbody").inner_text()  # experts
    shot(page, "compare-desktop")


def test_pages_fit_a_phone_screen_without_sideways_scrolling(
    live_server, phone_page, catalog
) -> None:
    urls = {
        "home": "/",
        "catalog": "/models/",
        "model-detail": "/models/meta-llama/Llama-3.1-8B-Instruct/",
        "compare": "/compare/?models=meta-llama/Llama-3.1-8B,qwen/Qwen3-30B-A3B",
        "guide": "/guides/diffusion/",
    }
    for name, url in urls.items():
        phone_page.goto(f"{live_server.url}{url}")
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
        shot(phone_page, f"{name}-phone")


def test_desktop_screenshots_of_home_and_guides(live_server, page, catalog) -> None:
    for name, url in {
        "home": "/",
        "guides": "/guides/",
        "guide": "/guides/diffusion/",
        "catalog": "/models/",
    }.items():
        page.goto(f"{live_server.url}{url}")
        assert page.locator("h1").count() == 1
        shot(page, f"{name}-desktop")


def test_dark_mode_screenshots(live_server, browser, catalog) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    try:
        for name, url in {"home": "/", "model-detail": "/models/qwen/Qwen3-30B-A3B/"}.items():
            page.goto(f"{live_server.url}{url}")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(11, 17, 32)"
            shot(page, f"{name}-dark")
    finally:
        context.close()
