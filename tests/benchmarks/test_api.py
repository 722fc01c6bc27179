"""/api/accelerators/ and /api/benchmark-runs/: public reads, token-authenticated submits."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from benchmarks.models import BenchmarkRun
from benchmarks.services import benchmark_run_record
from tests.benchmarks.builders import load_accelerators, make_model, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def token_client() -> APIClient:
    user = get_user_model().objects.create_user("runner-bot", password="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def make_runs(n: int) -> None:
    accels = load_accelerators()
    for i in range(n):
        benchmark_run_record(model=make_model(), accelerator=accels["l4" if i % 2 else "h100-sxm"],
                             record=make_record(tpot_ms=20.0 + i), source="vllm")  # fmt: skip


def test_accelerator_list_and_detail_by_slug(api):
    load_accelerators()
    body = api.get("/api/accelerators/?vendor=amd&min_memory_gib=190").json()
    assert {a["slug"] for a in body} == {"mi300x", "mi325x", "mi355x", "cpu-server-ddr5-2s"}
    detail = api.get("/api/accelerators/h100-sxm/").json()
    assert (detail["memory_gib"], detail["bandwidth_gbps"], detail["family"]) == (
        80, 3350, "nvidia-hopper",
    )  # fmt: skip
    assert "NVIDIA H100 80GB HBM3" in detail["aliases"]
    assert api.get("/api/accelerators/nope/").status_code == 404


def test_accelerator_list_query_count_does_not_grow(api, django_assert_num_queries):
    load_accelerators()
    # 1: all accelerators (no pagination, no relations)
    with django_assert_num_queries(1):
        assert api.get("/api/accelerators/").status_code == 200


def test_benchmark_run_list_query_count_does_not_grow_with_rows(api, django_assert_num_queries):
    make_runs(3)
    # 1: COUNT for the page; 2: the page joined to model, accelerator, submitter
    with django_assert_num_queries(2):
        assert len(api.get("/api/benchmark-runs/").json()["results"]) == 3
    make_runs(30)
    with django_assert_num_queries(2):
        assert len(api.get("/api/benchmark-runs/").json()["results"]) == 33


def test_benchmark_run_list_filters_by_accelerator_and_model(api):
    make_runs(4)
    body = api.get("/api/benchmark-runs/?accelerator=l4").json()
    assert body["count"] == 2
    assert {r["accelerator"] for r in body["results"]} == {"l4"}
    repo = BenchmarkRun.objects.first().model.repo_id
    assert api.get(f"/api/benchmark-runs/?model={repo}").json()["count"] == 1
    assert api.get("/api/benchmark-runs/?flagged=maybe").status_code == 400


SUBMIT = {
    "model": "meta-llama/Llama-3.1-8B", "accelerator": "h100-sxm", "engine": "vllm",
    "engine_version": "0.9.1", "precision": "bf16", "concurrency": 1, "input_tokens": 512,
    "output_tokens": 128, "ttft_ms": 25.0, "tpot_ms": 7.9, "decode_tokens_per_s": 126.0,
    "environment": {"gpu_name": "NVIDIA H100 80GB HBM3", "gpu_count": 1},
}  # fmt: skip


def test_submit_needs_a_token(api):
    load_accelerators()
    make_model("meta-llama/Llama-3.1-8B")
    response = api.post("/api/benchmark-runs/", SUBMIT, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_submitted_plausible_run_is_stored_with_submitter_and_unflagged(token_client):
    load_accelerators()
    make_model("meta-llama/Llama-3.1-8B")
    response = token_client.post("/api/benchmark-runs/", SUBMIT, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["submitter"], body["flagged"]) == ("api", "runner-bot", False)
    assert len(body["environment_fingerprint"]) == 64


def test_submitted_run_beyond_the_roofline_is_stored_flagged(token_client):
    load_accelerators()
    make_model("meta-llama/Llama-3.1-8B")
    # 8B bf16 on one H100 cannot decode 1000 tok/s per stream (roofline ≈ 208).
    response = token_client.post("/api/benchmark-runs/", {**SUBMIT, "tpot_ms": 1.0}, format="json")
    assert response.status_code == 201
    assert response.json()["flagged"] is True
    assert "roofline" in response.json()["flag_reason"]


def test_submit_with_unknown_model_or_bad_fields_is_an_error_body(token_client):
    load_accelerators()
    response = token_client.post("/api/benchmark-runs/", SUBMIT, format="json")
    # an unknown model in a body is a 400 naming the field (issue 16), not a 404
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["model"]
    bad = token_client.post("/api/benchmark-runs/", {**SUBMIT, "concurrency": 0}, format="json")
    assert bad.status_code == 400
    assert "concurrency" in bad.json()["error"]["fields"]
