"""The wizard, the result page and the exports."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from planner.models import Plan
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
STEPS = ["task", "workload", "budget", "hardware", "constraints", "review"]


@pytest.mark.parametrize("step", STEPS)
def test_each_step_renders_as_a_full_page_and_as_an_htmx_partial(client, step) -> None:
    make_world()
    full = client.get(f"/plan/step/{step}/")
    assert full.status_code == 200
    assert b"<html" in full.content
    assert b'id="wizard"' in full.content
    assert f'data-step="{step}"'.encode() in full.content
    partial = client.get(f"/plan/step/{step}/", **HX)
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert f'data-step="{step}"'.encode() in partial.content


def test_plan_root_is_the_first_step_with_defaults(client) -> None:
    html = client.get("/plan/").content.decode()
    assert 'data-step="task"' in html
    assert 'name="task" value="chat" checked' in html
    assert 'name="requests_per_day" value="10000"' in html  # carried as a hidden default


def test_next_redirects_to_the_next_step_carrying_the_answers(client) -> None:
    response = client.post(
        "/plan/step/workload/",
        {"task": "code", "requests_per_day": "50000", "avg_input_tokens": "1200", "nav": "next"},
    )
    assert response.status_code == 303
    url = urlsplit(response["Location"])
    assert url.path == "/plan/step/budget/"
    query = parse_qs(url.query)
    assert query["task"] == ["code"]
    assert query["requests_per_day"] == ["50000"]
    page = client.get(response["Location"]).content.decode()
    assert 'name="avg_input_tokens" value="1200"' in page


def test_validation_messages_sit_next_to_their_fields(client) -> None:
    response = client.post(
        "/plan/step/workload/",
        {"task": "chat", "requests_per_day": "lots", "cacheable_input_share": "2", "nav": "next"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="err-requests_per_day" class="errorlist">Enter a number.' in html
    assert 'aria-describedby="err-requests_per_day"' in html
    assert 'name="requests_per_day" type="number"' in html
    assert "lots" in html  # the answer given stays in the field


def test_step_errors_do_not_block_on_other_steps_fields(client) -> None:
    response = client.post(
        "/plan/step/budget/", {"task": "chat", "budget_monthly_usd": "100", "nav": "next"}
    )
    assert response.status_code == 303


def test_back_keeps_the_answers(client) -> None:
    response = client.post(
        "/plan/step/budget/", {"task": "chat", "budget_monthly_usd": "777", "nav": "back"}
    )
    assert response.status_code == 303
    assert urlsplit(response["Location"]).path == "/plan/step/workload/"
    forward = client.get(response["Location"].replace("/workload/", "/budget/"))
    assert 'name="budget_monthly_usd" type="number" step="any" inputmode="decimal"\n' \
        '         value="777"' in forward.content.decode()  # fmt: skip


def test_htmx_next_returns_the_next_step_partial_and_pushes_its_url(client) -> None:
    response = client.post("/plan/step/task/", {"task": "embeddings", "nav": "next"}, **HX)
    assert response.status_code == 200
    assert b'data-step="workload"' in response.content
    assert b"<html" not in response.content
    assert response["HX-Push-Url"].startswith("/plan/step/workload/?")
    assert "task=embeddings" in response["HX-Push-Url"]


def test_unchecking_every_mode_is_an_error_on_the_hardware_step(client) -> None:
    response = client.post("/plan/step/hardware/", {"task": "chat", "modes": [""], "nav": "next"})
    assert response.status_code == 200
    assert "Choose at least one way to run the model." in response.content.decode()


def test_model_parameter_preselects_the_model_and_its_task(client) -> None:
    world = make_world()
    html = client.get(f"/plan/?model={world['small'].repo_id}").content.decode()
    assert "Planning with <strong>Llama-3.1-8B-Instruct</strong>" in html
    assert 'name="task" value="chat" checked' in html


def test_review_creates_the_plan_and_redirects_to_its_page(client) -> None:
    make_world()
    response = client.post(
        "/plan/step/review/",
        {"task": "chat", "modes": ["", "api", "owned", "cloud"], "owned": "rtx-4090:1",
         "nav": "next"},
    )  # fmt: skip
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert response["Location"] == f"/plan/{plan.slug}/"
    htmx = client.post("/plan/step/review/", {"task": "chat", "nav": "next"}, **HX)
    assert htmx.status_code == 204
    assert htmx["HX-Redirect"].startswith("/plan/")


def _plan(client, **answers) -> Plan:
    data = {"task": "chat", "modes": ["", "api", "owned", "cloud"], "owned": "rtx-4090:1",
            "nav": "next", **answers}  # fmt: skip
    client.post("/plan/step/review/", data)
    return Plan.objects.order_by("-id").first()


def test_result_page_shows_cards_table_charts_and_assumptions(client) -> None:
    make_world()
    plan = _plan(client)
    html = client.get(f"/plan/{plan.slug}/").content.decode()
    # top-pick cards (best overall, cheapest, best quality within budget, fastest; a row
    # that wins several is one card), then the compact table with the reasoning a click away
    assert 1 <= html.count('class="card plan-card"') <= 4
    first = html[html.index('class="card plan-card"') :]
    first = first[: first.index("</article>")]
    assert "Best overall" in first
    assert "gpt-4o-mini" in first
    assert 'class="spec-table plan-table responsive"' in html
    table = html[html.index('class="spec-table plan-table responsive"') :]
    assert '<details class="why"><summary>Why</summary>' in table
    for column in ("$/month", "$/1M tokens", "Tokens/s", "Quality", "Badges"):
        assert f">{column}</th>" in table
    assert "requests/day" in html  # entered per day: said per day, and costs per month
    assert "Costs are per month" in html
    assert 'id="pareto-chart"' in html
    assert 'id="pareto-data" type="application/json"' in html
    assert 'id="breakeven-chart"' in html
    assert "js/planner.js" in html
    assert "instances run 720 hours a month" in html
    assert 'id="edit_max_utilization"' in html
    assert 'id="edit_proxy_ceiling"' in html
    assert "popularity and size proxy scaled to 0–50" in html
    assert "<script>" not in html  # CSP: data blocks and files only


def test_editing_an_assumption_reranks_into_a_new_plan(client) -> None:
    make_world()
    plan = _plan(client)
    response = client.post(
        f"/plan/{plan.slug}/rerank/", {"budget_monthly_usd": "50", "max_utilization": "0.5"}
    )
    new = Plan.objects.order_by("-id").first()
    assert new.slug != plan.slug
    assert response["Location"] == f"/plan/{new.slug}/"
    assert new.inputs["budget"]["monthly_usd"] == 50
    assert new.inputs["assumptions"]["max_utilization"] == 0.5
    assert new.inputs["assumptions"]["proxy_ceiling"] == 50  # untouched: the default
    assert new.inputs["hardware"]["owned"] == [["rtx-4090", 1]]  # the other answers stay


def test_bad_assumption_shows_the_message_and_saves_nothing(client) -> None:
    make_world()
    plan = _plan(client)
    response = client.post(f"/plan/{plan.slug}/rerank/", {"max_utilization": "3"})
    assert response.status_code == 400
    assert (
        'id="err-max_utilization" class="errorlist">Between 0 and 1.' in response.content.decode()
    )
    assert Plan.objects.count() == 1


def test_json_and_csv_exports(client) -> None:
    make_world()
    plan = _plan(client)
    data = client.get(f"/plan/{plan.slug}.json").json()
    assert data["slug"] == plan.slug
    assert data["result"]["rows"][0]["repo_id"] == "openai/gpt-4o-mini"
    response = client.get(f"/plan/{plan.slug}.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["rank", "model", "repo_id", "deployment_kind"]
    assert rows[1][:6] == ["1", "gpt-4o-mini", "openai/gpt-4o-mini", "api", "OpenAI API", "90.00"]
    assert len(rows) == len(data["result"]["rows"]) + 1


def test_unknown_plan_and_step_are_404(client) -> None:
    assert client.get("/plan/nosuchplan/").status_code == 404
    assert client.get("/plan/nosuchplan.csv").status_code == 404
    assert client.get("/plan/step/nope/").status_code == 404


def test_result_page_query_count_does_not_depend_on_rows(client, django_assert_num_queries):
    make_world()
    plan = _plan(client)
    # the plan row (session/auth add none for an anonymous client)
    with django_assert_num_queries(1):
        assert client.get(f"/plan/{plan.slug}/").status_code == 200


def test_choosing_an_image_task_switches_the_request_unit_to_images(client) -> None:
    response = client.post("/plan/step/task/", {"task": "text-to-image", "nav": "next"})
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["images_per_request"] == ["1"]
    assert query["avg_input_tokens"] == ["0"]
    back = client.post(
        "/plan/step/task/", {**{k: v[-1] for k, v in query.items()}, "task": "chat", "nav": "next"}
    )
    query = parse_qs(urlsplit(back["Location"]).query)
    assert (query["images_per_request"], query["avg_input_tokens"]) == (["0"], ["800"])


def test_cards_are_the_best_row_of_each_of_the_first_models() -> None:
    from types import SimpleNamespace

    from planner.site import plan_cards

    rows = [SimpleNamespace(model_id=m, rank=i) for i, m in enumerate((7, 7, 2, 7, 2, 9, 4), 1)]
    assert [(r.model_id, r.rank) for r in plan_cards(rows)] == [(7, 1), (2, 3), (9, 6)]
    assert plan_cards(rows[:2]) == [rows[0]]


def test_result_header_states_the_workload_the_way_it_was_entered(client) -> None:
    make_world()
    per_day = _plan(client, requests_per_day="10000")
    html = client.get(f"/plan/{per_day.slug}/").content.decode()
    assert "10,000 requests/day (≈300,000/month at 30 days)" in html
    per_month = _plan(client, requests_per_month="250000")
    html = client.get(f"/plan/{per_month.slug}/").content.decode()
    head = html[html.index('class="muted plan-workload"') :]
    head = head[: head.index("</p>")]
    assert "250,000 requests/month" in head
    assert "requests/day" not in head
