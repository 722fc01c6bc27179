"""Issue 16 §3: cheap requests that answered 500 now answer 400 in the API's error shape
(`{"error": {"code", "message", "fields"}}`), one test per case; CSV exports escape
formula cells; unknown names in a body are a 400 naming the field, in a path a 404."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest

from benchmarks.models import Accelerator
from catalog.models import ModelAlias
from config.exports import csv_cell
from planner.models import Plan
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db

DEEP = b"[" * 5000 + b"]" * 5000  # 10 KB, nested 5,000 deep
DEEP_OBJECT = b'{"a":' * 5000 + b"1" + b"}" * 5000


def _error(response, status: int = 400) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def _cursor(token: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode()


@pytest.mark.parametrize("path", ["/api/plans/", "/api/estimate/cost/"])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_deeply_nested_json_is_a_400(client, path: str, body: bytes) -> None:
    error = _error(client.post(path, data=body, content_type="application/json"))
    assert error["code"] == "parse_error"
    assert "nested" in error["message"]


def test_json_nested_past_the_limit_but_parseable_is_a_400(client) -> None:
    body = b'{"task": "chat", "modes": ' + b"[" * 40 + b"]" * 40 + b"}"
    error = _error(client.post("/api/plans/", data=body, content_type="application/json"))
    assert error["code"] == "parse_error"


@pytest.mark.parametrize(
    "token",
    [
        {"v": "x", "k": "y"},  # key of the wrong type
        {"v": [1], "k": 1},  # value a list
        {"v": {"a": 1}, "k": 1},  # value an object
        {"v": "x", "k": 10**30},  # key past bigint
        {"v": 10**30, "k": 1},  # value past bigint
        {"v": "99999999999999999999999", "k": 1},  # a string that parses past bigint
        {"v": True, "k": 1},
        {"v": "x", "k": True},
        ["v", "k"],
    ],
    ids=["k-str", "v-list", "v-dict", "k-huge", "v-huge", "v-str-huge", "v-bool", "k-bool", "list"],
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/models/",
        "/api/models/?ordering=-params_total",
        "/api/models/?ordering=-downloads",
        "/api/models/?ordering=-hub_modified_at",
        "/api/models/?ordering=-cheapest",
        "/api/offers/",
    ],
)
def test_forged_cursor_with_wrong_value_types_is_a_400(client, path: str, token: object) -> None:
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}cursor={_cursor(token)}")
    if response.status_code == 200:  # any string is a valid key on a text ordering (repo_id)
        assert isinstance(token, dict), token
        assert isinstance(token["v"], str), token
        assert type(token["k"]) is int, token
        assert abs(token["k"]) < 2**63, token
        return
    assert _error(response)["fields"] == {"cursor": ["Invalid cursor."]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("batch_size", 2147483648),
        ("concurrency", 2**40),
        ("input_tokens", 2**31),
        ("output_tokens", 10**30),
        ("accelerator_count", 10**6),
    ],
)
def test_integer_fields_are_bounded_to_the_column(admin_client, field: str, value: int) -> None:
    make_world()
    body = {
        "model": "meta-llama/Llama-3.1-8B-Instruct", "accelerator": "rtx-4090",
        "engine": "vllm", "precision": "bf16", "input_tokens": 512, "output_tokens": 128,
        field: value,
    }  # fmt: skip
    response = admin_client.post("/api/benchmark-runs/", body, content_type="application/json")
    assert field in _error(response)["fields"]


def test_every_integer_in_a_request_body_has_a_maximum() -> None:
    """Schema-wide: no integer body field is unbounded (a DataError waiting to happen)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    unbounded: list[str] = []

    def walk(node: dict, where: str, seen: frozenset[str]) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], where, seen | {name})
            return
        for key in ("allOf", "oneOf", "anyOf"):
            for sub in node.get(key, []):
                walk(sub, where, seen)
        if node.get("type") == "integer" and node.get("maximum", 2**63) > 2**63 - 1:
            unbounded.append(where)
        for name, sub in (node.get("properties") or {}).items():
            walk(sub, f"{where}.{name}", seen)
        if "items" in node:
            walk(node["items"], f"{where}[]", seen)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                walk(content["application/json"]["schema"], f"{method} {path}", frozenset())
    assert not unbounded, unbounded


@pytest.mark.parametrize(
    "value", ["2024-13-45T00:00:00Z", "yesterday", "0000-01-01", "99999-01-01T00:00:00Z", "1"]
)
def test_bad_dates_are_a_400(client, admin_client, value: str) -> None:
    _error(client.get(f"/api/offers/?valid_at={value}"))
    make_world()
    body = {
        "model": "meta-llama/Llama-3.1-8B-Instruct", "accelerator": "rtx-4090",
        "engine": "vllm", "precision": "bf16", "input_tokens": 512, "output_tokens": 128,
        "measured_at": value,
    }  # fmt: skip
    response = admin_client.post("/api/benchmark-runs/", body, content_type="application/json")
    assert "measured_at" in _error(response)["fields"]


def test_a_date_at_the_edge_of_the_calendar_is_a_400_not_an_overflow(admin_client) -> None:
    make_world()
    body = {
        "model": "meta-llama/Llama-3.1-8B-Instruct", "accelerator": "rtx-4090",
        "engine": "vllm", "precision": "bf16", "input_tokens": 512, "output_tokens": 128,
        "measured_at": "0001-01-01T00:00:00+05:00",
    }  # fmt: skip
    response = admin_client.post("/api/benchmark-runs/", body, content_type="application/json")
    assert response.status_code in (201, 400), response.content[:300]


# --- unknown names ----------------------------------------------------------------------
def test_unknown_model_in_a_plan_body_is_a_400_naming_the_field(client) -> None:
    make_world()
    response = client.post(
        "/api/plans/", {"task": "chat", "model": "no/such"}, content_type="application/json"
    )
    error = _error(response)
    assert list(error["fields"]) == ["model"]
    assert "no/such" in error["fields"]["model"][0]
    assert not Plan.objects.exists()


def test_unknown_model_that_is_not_a_repo_id_is_a_400_without_a_hub_call(client) -> None:
    response = client.post(
        "/api/plans/", {"task": "chat", "model": "not a repo id"}, content_type="application/json"
    )
    assert list(_error(response)["fields"]) == ["model"]


def test_a_model_named_by_an_alias_or_another_case_resolves(client) -> None:
    world = make_world()
    model = world["small"]
    ModelAlias.objects.create(source="litellm", alias="llama-8b-chat", model=model, rule="manual")
    for name in ("llama-8b-chat", model.repo_id.upper()):
        response = client.post(
            "/api/plans/", {"task": "chat", "model": name}, content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]
        assert response.json()["inputs"]["constraints"]["focus_repo_id"] == model.repo_id


def test_unknown_model_in_the_cost_estimate_body_is_a_400(client) -> None:
    body = {"model": "no/such", "requests_per_day": 10, "input_tokens": 10, "output_tokens": 10}
    error = _error(client.post("/api/estimate/cost/", body, content_type="application/json"))
    assert list(error["fields"]) == ["model"]


def test_unknown_accelerator_in_a_body_is_a_400_naming_it(client, admin_client) -> None:
    world = make_world()
    body = {
        "model": world["small"].repo_id, "requests_per_day": 10, "input_tokens": 10,
        "output_tokens": 10, "accelerator": "no-such-gpu",
    }  # fmt: skip
    error = _error(client.post("/api/estimate/cost/", body, content_type="application/json"))
    assert list(error["fields"]) == ["accelerator"]
    run = {
        "model": world["small"].repo_id, "accelerator": "no-such-gpu", "engine": "vllm",
        "precision": "bf16", "input_tokens": 512, "output_tokens": 128,
    }  # fmt: skip
    error = _error(admin_client.post("/api/benchmark-runs/", run, content_type="application/json"))
    assert list(error["fields"]) == ["accelerator"]
    assert Accelerator.objects.filter(slug="rtx-4090").exists()


def test_unknown_names_in_a_path_are_a_404(client) -> None:
    for path in ("/api/models/no/such/", "/api/models/no/such/offers/", "/plan/nosuchplan/"):
        assert client.get(path).status_code == 404, path


# --- CSV ------------------------------------------------------------------------------
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_start_a_formula_are_escaped(start: str) -> None:
    assert csv_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"
    assert csv_cell("plain") == "plain"
    assert csv_cell(-5) == -5  # numbers stay numbers


def test_plan_csv_escapes_a_provider_named_like_a_formula(client) -> None:
    make_world()
    response = client.post(
        "/api/plans/", {"task": "chat", "requests_per_day": 1000}, content_type="application/json"
    )
    plan = Plan.objects.get(slug=response.json()["slug"])
    result = plan.result
    result["rows"][0]["model_name"] = '=HYPERLINK("http://evil.test","x")'
    result["rows"][0]["deployment"]["label"] = "@SUM(1)"
    Plan.objects.filter(pk=plan.pk).update(result=result)
    rows = list(csv.reader(io.StringIO(client.get(f"/plan/{plan.slug}.csv").content.decode())))
    cells = [c for row in rows[1:] for c in row]
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells), rows[1]
    assert "'=HYPERLINK" in rows[1][1] or any(c.startswith("'=HYPERLINK") for c in rows[1])
