"""Round-2 pages in a real browser: offers and the price history chart on the model page,
the requirements context selector (htmx), an accelerator page, compare's cheapest offer,
the scatter charts; screenshots at desktop and phone width in test-artifacts/."""

from __future__ import annotations

import pytest

from tests.web.builders import (
    make_accelerator,
    make_demo_catalog,
    make_instance_price,
    make_offer,
    make_price_history,
    make_provider,
    make_quality,
    make_run,
)
from tests.web.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MODEL = "meta-llama/Llama-3.1-8B-Instruct"


@pytest.fixture
def world(transactional_db):
    models = make_demo_catalog()
    instruct, big, mistral = models["instruct"], models["big"], models["mistral"]
    groq, together, deep = (
        make_provider("groq"),
        make_provider("together"),
        make_provider("deepinfra"),
    )
    make_price_history(instruct, together, ["0.30", "0.22", "0.18"])
    make_price_history(instruct, deep, ["0.06", "0.03"])
    make_offer(instruct, groq, "0.05", "0.08", context_tokens=131072)
    make_offer(big, together, "0.88", "0.88")
    make_offer(mistral, deep, "0.04", "0.10")
    make_offer(models["moe"], groq, "0.12", "0.40")
    gpu = make_accelerator("rtx-4090")
    h100 = make_accelerator(
        "h100-sxm",
        name="NVIDIA H100 SXM 80GB",
        kind="datacenter",
        memory_gib=80,
        bandwidth_gbps=3350,
        bf16_tflops=989,
        fp8_tflops=1979,
    )
    make_accelerator("l4", name="NVIDIA L4", kind="datacenter", memory_gib=24, bandwidth_gbps=300,
                     bf16_tflops=121)  # fmt: skip
    cloud = make_provider("lambda", kind="cloud", name="Lambda")
    make_instance_price(cloud, gpu, "0.69", instance_type="gpu_1x_4090")
    make_instance_price(cloud, h100, "23.92", count="8", instance_type="gpu_8x_h100_sxm5")
    make_run(instruct, gpu, decode_tokens_per_s=61.0)
    make_run(instruct, h100, decode_tokens_per_s=152.0, engine="vllm")
    for model, q in ((instruct, 55.0), (big, 72.0), (mistral, 48.0)):
        make_quality(model, "chat", q, board="arena-text", score=1000 + q * 5)
    make_quality(models["moe"], "chat", 66.0)
    return models


def _chart_ready(page, canvas_id: str) -> None:
    page.wait_for_function(
        f"() => {{ const c = document.getElementById('{canvas_id}');"
        " return c && c.chart && c.chart.data.datasets.length > 0; }"
    )
    box = page.locator(f"#{canvas_id}").bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 150


def test_model_page_shows_offers_and_draws_the_price_history(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/models/{MODEL}/")
    offers = page.locator("#offers")
    rows = offers.locator("tbody tr").all_inner_texts()
    assert rows[0].startswith("Deepinfra")  # $0.03, cheapest first
    assert "cheapest" in rows[0]
    assert "Groq" in rows[1]
    _chart_ready(page, "price-history-chart")
    labels = page.evaluate(
        "document.getElementById('price-history-chart').chart.data.datasets.map(d => d.label)"
    )
    assert sorted(labels) == ["Deepinfra", "Groq", "Together"]
    stepped = page.evaluate(
        "document.getElementById('price-history-chart').chart.data.datasets.every(d => d.stepped)"
    )
    assert stepped
    assert "measured" in page.locator(".fit-table").inner_text()
    shot(page, "model-detail-round2-desktop")


def test_requirements_context_selector_swaps_the_table(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/models/{MODEL}/")
    page.evaluate("window.__marker = 'same-document'")
    before = page.locator(".req-table").inner_text()
    assert "1.00 GiB" in before  # KV at 8k
    page.select_option("#req-context", "131072")
    page.wait_for_function(
        "() => document.querySelector('.req-table').innerText.includes('16.00 GiB')"
    )
    assert page.evaluate("window.__marker") == "same-document"
    assert page.locator("#req-context").input_value() == "131072"


def test_accelerator_page_lists_models_that_fit(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/accelerators/")
    page.click("text=NVIDIA GeForce RTX 4090")
    page.wait_for_url(f"{live_server.url}/accelerators/rtx-4090/")
    table = page.locator(".fit-table tbody").inner_text()
    assert MODEL in table
    assert "Llama-3.1-70B" not in table
    assert "$0.69" in page.locator("#gpu-h + .table-wrap").inner_text()
    # the GET form: four devices, a shorter context
    page.select_option("#gpu-count", "4")
    page.select_option("#gpu-context", "2048")
    page.click("text=Show what fits")
    page.wait_for_url("**/accelerators/rtx-4090/?*count=4*")
    assert "context=2048" in page.url
    row = page.locator(".fit-table tbody tr", has_text="Llama-3.1-70B").inner_text()
    assert "4×" in row
    assert page.locator("#gpu-count").input_value() == "4"
    shot(page, "accelerator-desktop")


def test_compare_shows_the_cheapest_offer(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/compare/?models={MODEL},meta-llama/Llama-3.1-70B")
    body = page.locator(".compare-table tbody").inner_text()
    assert "$0.03 (Deepinfra)" in body
    assert "$0.88 (Together)" in body
    assert "152 tok/s" in body
    shot(page, "compare-round2-desktop")


def test_quality_vs_price_and_insights_draw_their_scatters(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/leaderboards/quality-vs-price/?task=chat")
    _chart_ready(page, "quality-price-chart")
    front = page.evaluate(
        "document.getElementById('quality-price-chart').chart.data.datasets[0].data.length"
    )
    assert front >= 2
    shot(page, "quality-vs-price-desktop")
    page.goto(f"{live_server.url}/insights/")
    _chart_ready(page, "params-price-chart")
    shot(page, "insights-desktop")


def test_round2_pages_fit_a_phone_screen(live_server, phone_page, world) -> None:
    urls = {
        "model-detail-round2": f"/models/{MODEL}/",
        "compare-round2": f"/compare/?models={MODEL},meta-llama/Llama-3.1-70B",
        "providers": "/providers/",
        "provider": "/providers/together/",
        "accelerators": "/accelerators/",
        "accelerator": "/accelerators/rtx-4090/",
        "feeds": "/feeds/",
        "quality-vs-price": "/leaderboards/quality-vs-price/?task=chat",
        "home-round2": "/",
        "catalog-round2": "/models/",
    }
    for name, url in urls.items():
        phone_page.goto(f"{live_server.url}{url}")
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
        shot(phone_page, f"{name}-phone")


def test_round2_desktop_screenshots(live_server, page, world) -> None:
    for name, url in {
        "home-round2": "/",
        "catalog-round2": "/models/",
        "providers": "/providers/",
        "provider": "/providers/together/",
        "accelerators": "/accelerators/",
        "feeds": "/feeds/",
        "leaderboards": "/leaderboards/",
    }.items():
        page.goto(f"{live_server.url}{url}")
        assert page.locator("h1").count() == 1
        shot(page, f"{name}-desktop")
