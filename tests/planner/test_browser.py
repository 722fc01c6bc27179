"""The planner wizard end to end in a real browser (Debian's chromium via Playwright)."""

from __future__ import annotations

import re

import pytest

from tests.browser import shot
from tests.planner.db import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _next(page, step: str) -> None:
    page.click("button[name=nav][value=next]")
    page.wait_for_selector(f"form[data-step={step}]")


def test_walking_the_wizard_ends_on_a_ranked_plan_with_charts(live_server, page) -> None:
    make_world()
    page.goto(f"{live_server.url}/plan/")
    page.evaluate("window.__marker = 'same-document'")
    assert page.locator("input[name=task][value=chat]").is_checked()
    _next(page, "workload")
    assert re.search(r"/plan/step/workload/\?", page.url)
    page.fill("#id_requests_per_day", "-5")
    page.click("button[name=nav][value=next]")
    page.wait_for_selector("#err-requests_per_day")
    assert page.locator("#err-requests_per_day").inner_text() == "Cannot be negative."
    shot(page, "plan-wizard-workload-error")
    page.fill("#id_requests_per_day", "10000")
    _next(page, "budget")
    page.fill("#id_budget_monthly_usd", "1000")
    page.click("button[name=nav][value=back]")
    page.wait_for_selector("form[data-step=workload]")
    assert page.input_value("#id_requests_per_day") == "10000"
    _next(page, "budget")
    assert page.input_value("#id_budget_monthly_usd") == "1000"
    _next(page, "hardware")
    page.check("input[name=modes][value=owned]")
    page.fill("#id_owned", "rtx-4090:1")
    _next(page, "constraints")
    _next(page, "review")
    assert page.evaluate("window.__marker") == "same-document"  # htmx swapped the steps
    page.click("button[name=nav][value=next]")
    page.wait_for_url(re.compile(r"/plan/[a-z0-9]+/$"))

    assert 1 <= page.locator(".plan-card").count() <= 4
    assert "gpt-4o-mini" in page.locator(".plan-card").first.inner_text()
    assert page.locator(".plan-table tbody tr").count() >= 5
    why = page.locator(".plan-table tbody tr").first.locator("details.why")
    assert not why.locator("p").is_visible()  # the reasoning is one click away
    why.locator("summary").click()
    assert why.locator("p").is_visible()
    page.wait_for_function(
        "() => { const c = document.getElementById('pareto-chart');"
        " return c && c.chart && c.chart.data.datasets[0].data.length > 0; }"
    )
    page.wait_for_function(
        "() => { const c = document.getElementById('breakeven-chart');"
        " return c && c.chart && c.chart.data.datasets.length === 2; }"
    )
    box = page.locator("#pareto-chart").bounding_box()
    assert box is not None
    assert box["width"] > 100
    shot(page, "plan-result-desktop")

    page.fill("#edit_budget_monthly_usd", "50")
    first_url = page.url
    page.click("text=Re-rank with these assumptions")
    page.wait_for_url(lambda url: url != first_url and re.search(r"/plan/[a-z0-9]+/$", url))
    assert "$50.00/month budget" in page.locator("#plan-message").inner_text()
