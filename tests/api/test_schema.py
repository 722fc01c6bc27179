"""The OpenAPI schema validates without warnings, and fuzzing it finds no 5xx."""

from __future__ import annotations

import pytest
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections

from benchmarks.services import model_requirements_refresh
from tests.api.builders import make_alias, make_feed_with_runs, make_model, make_models
from tests.api.pricing_builders import make_accelerator, make_instance_prices, make_offers
from tests.benchmarks.builders import LLAMA_8B_DIMS


def test_spectacular_schema_validates_without_warnings(tmp_path) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for needle in ("/api/models/{repo_id}/", "ErrorOut", "min_context_tokens", "cursor",
                   "/api/offers/", "/api/instance-prices/", "/api/estimate/cost/",
                   "CostEstimateIn", "CostEstimateOut", "/api/models/{repo_id}/requirements/",
                   "/api/models/{repo_id}/price-history/", "has_offers", "fits_precision",
                   "quality_min", "-cheapest"):  # fmt: skip
        assert needle in text


@pytest.mark.slow
@pytest.mark.django_db
def test_schemathesis_finds_no_server_errors(settings) -> None:
    from django.core.wsgi import get_wsgi_application
    from schemathesis.checks import not_a_server_error

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "off", "user": "off"},
    }
    cache.clear()
    make_models(5)
    llama = make_model("meta-llama/Llama-3.1-8B", tags=["chat"], **LLAMA_8B_DIMS)
    make_alias(llama)
    make_feed_with_runs("litellm", runs=2)
    make_offers(llama, 2, history=True)
    make_instance_prices(2, accelerator=make_accelerator("h100-sxm"))
    model_requirements_refresh()

    # The WSGI handler closes the DB connection after each request; the test's
    # transaction lives on it, so keep it open (as Django's test client does).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        failures, operations, calls = _fuzz(get_wsgi_application(), not_a_server_error)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert operations >= 20
    assert len(calls) > 10 * operations  # hypothesis really generated cases
    assert failures == []


def _fuzz(app, check) -> tuple[list[str], int, list[int]]:
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings

    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    failures: list[str] = []
    operations = 0
    calls: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=30,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            response = case.call()
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query}")
            case.validate_response(response, checks=[check])

        try:
            run()
        except Exception as exc:  # collected, reported below
            failures.append(f"{operation.label}: {exc}")
    return failures, operations, calls
