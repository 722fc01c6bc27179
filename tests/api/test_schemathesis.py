"""Issue 16 §4: schemathesis against the live OpenAPI schema, every check on.

Each operation gets SCHEMATHESIS_MAX_EXAMPLES generated cases (positive and negative),
sent through Django's WSGI app with the fake Hub up (tests/conftest.py); every response
must be documented and conform (status code, content type, body schema), valid requests
must be accepted and invalid ones rejected. PostgreSQL pass only (marked `postgres`),
capped at SCHEMATHESIS_BUDGET_S of wall clock for the whole module (later operations are
skipped, never failed, when the budget is spent).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application

# The deliberate exceptions (at most 5), each switching off one check on named operations.
UNKNOWN_NAMES = (
    "Schema-valid strings that name nothing in the catalog (model `0`, accelerator `x`) are "
    "a 400 naming the field, by design (issue 16 §3): a schema cannot list the catalog."
)
FILTER_BOUNDS = (
    "django-filter bounds (min_memory_gib <= 1e50, fits_count >= 1) and choices are "
    "enforced with a 400 but drf-spectacular does not carry them into the query "
    "parameters' schemas, so in-schema values outside them are rejected."
)
DECIMAL_STRINGS = (
    "DRF decimals are documented by drf-spectacular as strings with a digits pattern that "
    "also admits '' and values outside min_value/max_value, which the serializer rejects "
    "with a 400 (the seat-plan comparison's interactions, USD and days per month)."
)
FORGED_CURSORS = (
    "A cursor is documented as an opaque string, but only the ones the server issued "
    "decode: any other is a 400 by design (issue 16 §3, forged cursors)."
)
EXCEPTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "/api/estimate/cost/"): ("positive_data_acceptance", UNKNOWN_NAMES),
    ("POST", "/api/plans/"): ("positive_data_acceptance", UNKNOWN_NAMES),
    ("POST", "/api/benchmark-runs/"): ("positive_data_acceptance", UNKNOWN_NAMES),
    ("GET", "/api/accelerators/"): ("positive_data_acceptance", FILTER_BOUNDS),
    ("GET", "/api/models/"): ("positive_data_acceptance", FILTER_BOUNDS),
    ("GET", "/api/benchmark-runs/"): ("positive_data_acceptance", FILTER_BOUNDS),
    ("GET", "/api/instance-prices/"): ("positive_data_acceptance", FILTER_BOUNDS),
    ("GET", "/api/offers/"): ("positive_data_acceptance", FORGED_CURSORS),
    ("POST", "/api/subscriptions/compare/"): ("positive_data_acceptance", DECIMAL_STRINGS),
}
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
BUDGET_S = float(os.environ.get("SCHEMATHESIS_BUDGET_S", "90"))
_STARTED: list[float] = []

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Raw WSGI calls fire request_started/finished, whose close_old_connections would
    close the test's transaction; Django's test Client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case) -> None:
    if not _STARTED:
        _STARTED.append(time.monotonic())
    if time.monotonic() - _STARTED[0] > BUDGET_S:
        pytest.skip(f"schemathesis budget of {BUDGET_S:.0f}s spent")
    exception = EXCEPTIONS.get((case.method.upper(), case.path))
    excluded = [getattr(schemathesis.checks, exception[0])] if exception else []
    case.call_and_validate(excluded_checks=excluded)


def test_there_are_at_most_five_named_exceptions() -> None:
    assert len({reason for _, reason in EXCEPTIONS.values()}) <= 5
