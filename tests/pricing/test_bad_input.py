"""Bad feeds: the run fails or the record is rejected with a line naming it and why,
and the last good prices stay current (nothing half-written)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.models import FeedRun
from pricing.models import InstancePrice, Offer
from pricing.services.feeds import feed_sync
from tests.fakes.server import Response
from tests.pricing.builders import FIXTURES, T0, T1, litellm_doc, write_json

pytestmark = pytest.mark.django_db
GOOD = litellm_doc(3)  # acme-model-0..2 at 1 USD / 2 USD per 1M tokens


def _current_litellm() -> dict[str, tuple]:
    return {
        o.model_name: (o.usd_per_mtok_input, o.usd_per_mtok_output, o.valid_from)
        for o in Offer.objects.current().filter(feed__slug="litellm")
    }


@pytest.fixture
def good_litellm(tmp_path) -> dict[str, tuple]:
    run = feed_sync(feed_slug="litellm", file=write_json(tmp_path, "good.json", GOOD), now=T0)
    assert run.status == FeedRun.Status.SUCCESS
    before = _current_litellm()
    assert set(before) == {"acme-model-0", "acme-model-1", "acme-model-2"}
    return before


def _with(model: str, **fields) -> bytes:
    doc = json.loads(json.dumps(GOOD))
    doc[model].update(fields)
    return json.dumps(doc).encode()


WHOLE_DOCUMENT_FAILURES = [
    ("not JSON", b"<html><body>Bad gateway</body></html>", "litellm: not valid JSON"),
    ("wrong shape", b'[{"gpt-4o": {}}]', "litellm: expected an object of model entries"),
    # An empty document (b"", whitespace, {}, []) is now refused, not failed (issue 15 §6):
    # tests/pricing/test_feed_safety.py.
    ("truncated file", json.dumps(GOOD).encode()[:120], "litellm: not valid JSON"),
    ("values not objects", b'{"a": 1, "b": [2]}', "litellm: no model entries"),
]


@pytest.mark.parametrize(("case", "data", "message"), WHOLE_DOCUMENT_FAILURES)
def test_unreadable_document_fails_the_run_and_changes_nothing(
    good_litellm, tmp_path, case, data, message
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    rows = Offer.objects.count()
    run = feed_sync(feed_slug="litellm", file=path, now=T1)
    assert run.status == FeedRun.Status.FAILED
    assert run.errors[0].startswith(message)
    assert Offer.objects.count() == rows
    assert _current_litellm() == good_litellm
    run.feed.refresh_from_db()
    assert run.feed.last_good_run_id != run.id


RECORD_REJECTIONS = [
    (
        "negative price",
        _with("acme-model-1", input_cost_per_token=-1e-06),
        "openai/acme-model-1: input_cost_per_token is negative: -0.000001",  # read as Decimal
    ),
    (
        "non-numeric price",
        _with("acme-model-1", output_cost_per_token="two dollars"),
        "openai/acme-model-1: output_cost_per_token is not a number: 'two dollars'",
    ),
    (
        "NaN price",
        json.dumps(GOOD)
        .replace('"output_cost_per_token": 2e-06}', '"output_cost_per_token": NaN}', 1)
        .encode(),
        "openai/acme-model-0: output_cost_per_token is not a finite number: nan",
    ),
    (
        "2000x jump",  # now held for review (issue 15 §6): test_price_reviews.py
        _with("acme-model-1", input_cost_per_token=2e-03),
        "openai/acme-model-1 (token): usd_per_mtok_input rose from 1 to 2000 (2000x, > 100x)",
    ),
    (
        "duplicate keys",
        json.dumps(GOOD)[:-1].encode()
        + b', "acme-model-1": {"litellm_provider": "openai", "input_cost_per_token": 5e-06}}',
        "openai/acme-model-1: duplicate key in the document: rejected",
    ),
]


@pytest.mark.parametrize(("case", "data", "message"), RECORD_REJECTIONS)
def test_bad_record_is_rejected_with_a_line_and_keeps_its_last_good_price(
    good_litellm, tmp_path, case, data, message
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    run = feed_sync(feed_slug="litellm", file=path, now=T1)
    assert run.status == FeedRun.Status.PARTIAL
    assert run.rejected == 1
    assert any(line.startswith(message) for line in run.errors), run.errors
    assert _current_litellm() == good_litellm  # neither closed nor replaced
    assert (run.created, run.updated, run.closed) == (0, 0, 0)


def test_unknown_unit_in_the_custom_format_is_rejected(tmp_path) -> None:
    feed_sync(feed_slug="custom", file=FIXTURES / "custom.json", now=T0)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "provider,model,unit,usd_per_mtok_input\n"
        "acme-cloud,meta-llama/Llama-3.1-8B-Instruct,per_banana,9\n"
    )
    run = feed_sync(feed_slug="custom", file=bad, now=T1)
    assert run.status == FeedRun.Status.PARTIAL
    assert run.errors[0].startswith(
        "acme-cloud/meta-llama/Llama-3.1-8B-Instruct: row 1: unknown unit 'per_banana'"
    )
    llama = Offer.objects.current().get(model_name="meta-llama/Llama-3.1-8B-Instruct")
    assert llama.usd_per_mtok_input == Decimal("0.1")


@pytest.mark.parametrize(
    ("case", "response", "message"),
    [
        ("HTTP 500", Response(500, b"oops"), "answered HTTP 500"),
        ("HTTP 404", Response(404, b"gone"), "answered HTTP 404"),
        ("hang", Response(200, json.dumps(GOOD).encode(), delay_s=2.0), "timed out"),
        ("connection dropped", Response(200, b"", drop=True), "failed"),
    ],
)
def test_http_failure_fails_the_run_and_changes_nothing(
    good_litellm, fake_server, settings, case, response, message
) -> None:
    settings.FEED_TIMEOUT_S = 0.3
    fake_server.route("/prices.json", handler=lambda _req: response)
    run = feed_sync(feed_slug="litellm", url=fake_server.url("/prices.json"), now=T1)
    assert run.status == FeedRun.Status.FAILED
    assert message in run.errors[0]
    assert run.errors[0].startswith("GET http://127.0.0.1:")
    assert _current_litellm() == good_litellm


def _good_lambda() -> None:
    run = feed_sync(feed_slug="skypilot-lambda", file=FIXTURES / "lambda_vms.csv", now=T0)
    assert run.created == 2


def test_a_json_file_given_to_a_csv_feed_fails_the_run(tmp_path) -> None:
    _good_lambda()
    run = feed_sync(feed_slug="skypilot-lambda", file=FIXTURES / "aws.json", now=T1)
    assert run.status == FeedRun.Status.FAILED
    assert run.errors[0].startswith("skypilot-lambda: not a SkyPilot catalog CSV (missing columns")
    assert InstancePrice.objects.current().count() == 2


def test_a_truncated_csv_rejects_the_cut_row_and_keeps_its_price(tmp_path) -> None:
    _good_lambda()
    text = (FIXTURES / "lambda_vms.csv").read_text()
    cut = tmp_path / "vms.csv"
    cut.write_text(text[: text.index("gpu_8x") + 30])  # the A100 row is cut mid-line
    run = feed_sync(feed_slug="skypilot-lambda", file=cut, now=T1)
    assert run.status == FeedRun.Status.PARTIAL
    assert "lambda/*/gpu_8x_a100_80gb_sxm4: line 4: truncated row" in run.errors[0]
    assert run.closed == 0
    assert InstancePrice.objects.current().count() == 2


def test_missing_file_fails_the_run(good_litellm) -> None:
    run = feed_sync(feed_slug="litellm", file=Path("/nonexistent/prices.json"), now=T1)
    assert run.status == FeedRun.Status.FAILED
    assert run.errors[0].startswith("cannot read /nonexistent/prices.json")
    assert _current_litellm() == good_litellm
