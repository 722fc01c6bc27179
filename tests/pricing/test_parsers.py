"""Each pure parser on a small fixture, with hand-checked values (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pricing.feeds.base import FeedFormatError, to_decimal
from pricing.feeds.custom import parse_custom
from pricing.feeds.genai_prices import parse_genai_prices
from pricing.feeds.litellm import parse_litellm
from pricing.feeds.modelsdev import parse_modelsdev
from pricing.feeds.openrouter import parse_openrouter
from pricing.feeds.skypilot import parse_aws_gpu_instances, parse_skypilot

FIXTURES = Path(__file__).parent / "fixtures"
D = Decimal


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_name(records):
    return {r.model_name: r for r in records}


def test_litellm_converts_per_token_costs_to_per_million_and_picks_units() -> None:
    records, errors = parse_litellm(read("litellm.json"))
    assert errors == []
    got = by_name(records)
    assert set(got) == {
        "gpt-4o",
        "gemini/gemini-2.5-pro",
        "together_ai/meta-llama/Llama-3.1-8B-Instruct",
        "hd/1024-x-1792/dall-e-3",
        "whisper-1",
        "text-embedding-3-small",
    }
    gpt = got["gpt-4o"]
    assert (gpt.provider, gpt.unit, gpt.mode) == ("openai", "token", "chat")
    assert gpt.usd_per_mtok_input == D("2.5")
    assert gpt.usd_per_mtok_output == D("10")
    assert gpt.usd_per_mtok_cache_read == D("1.25")
    assert (gpt.usd_per_mtok_batch_input, gpt.usd_per_mtok_batch_output) == (D("1.25"), D("5"))
    assert (gpt.context_tokens, gpt.max_output_tokens) == (128000, 16384)
    assert got["text-embedding-3-small"].usd_per_mtok_input == D("0.02")


def test_litellm_reads_tiers_above_a_token_threshold() -> None:
    gemini = by_name(parse_litellm(read("litellm.json"))[0])["gemini/gemini-2.5-pro"]
    assert gemini.tiers == (
        {"above_tokens": 200000, "usd_per_mtok_input": "2.5", "usd_per_mtok_output": "15"},
    )
    assert gemini.usd_per_mtok_cache_write == D("0.375")


def test_litellm_xai_tiers_apply_from_the_threshold_on() -> None:
    """xAI bills its long-context price once the prompt reaches the threshold (LiteLLM's
    inclusive-threshold providers); other providers above it. 200,000 input tokens:
    xAI 200,000 × 2.5 / 1e6 = 0.5; Gemini (above) 200,000 × 1.25 / 1e6 = 0.25."""
    from pricing.costing import OfferPricing, Usage, price_request
    from pricing.feeds.litellm_components import litellm_components

    def priced(provider: str, tokens: int) -> Decimal:
        rows, unheld = litellm_components({
            "litellm_provider": provider, "input_cost_per_token": 1.25e-06,
            "input_cost_per_token_above_200k_tokens": 2.5e-06,
        })  # fmt: skip
        assert unheld == []
        return price_request(Usage(input_tokens=tokens), OfferPricing(rows)).total

    assert priced("xai", 199_999) == D(199_999) * D("1.25") / 10**6
    assert priced("xai", 200_000) == D(200_000) * D("2.5") / 10**6
    assert priced("gemini", 200_000) == D(200_000) * D("1.25") / 10**6
    assert priced("gemini", 200_001) == D(200_001) * D("2.5") / 10**6


def test_litellm_image_and_audio_units() -> None:
    got = by_name(parse_litellm(read("litellm.json"))[0])
    image = got["hd/1024-x-1792/dall-e-3"]
    assert (image.unit, image.usd_per_image) == ("image", D("0.12"))
    assert image.image_options == {"size": "1024x1792", "quality": "hd"}
    whisper = got["whisper-1"]
    assert (whisper.unit, whisper.usd_per_audio_second) == ("audio_second", D("0.0001"))


def test_openrouter_string_prices_hub_id_and_overrides() -> None:
    records, errors = parse_openrouter(read("openrouter.json"))
    assert [e.reason.split(":")[0] for e in errors] == ["openrouter"]  # issue 15: listed
    assert "overrides (neither a tier nor a time window)" in errors[0].reason
    got = by_name(records)
    llama = got["meta-llama/llama-3.1-8b-instruct"]
    assert llama.hub_repo_id == "meta-llama/Llama-3.1-8B-Instruct"
    assert llama.open_weights is True
    assert (llama.usd_per_mtok_input, llama.usd_per_mtok_output) == (D("0.02"), D("0.05"))
    assert (llama.context_tokens, llama.max_output_tokens) == (131072, 16384)
    gpt = got["openai/gpt-4o"]
    assert (gpt.open_weights, gpt.organization_hint) == (None, "openai")
    assert gpt.usd_per_mtok_cache_read == D("1.25")
    assert gpt.usd_per_image == D("0.003613")
    qwen = got["qwen/qwen-plus"]
    assert qwen.tiers == (
        {"above_tokens": 256000, "usd_per_mtok_input": "1.2", "usd_per_mtok_output": "3.6"},
    )


def test_modelsdev_per_million_costs_limits_and_open_weights() -> None:
    records, errors = parse_modelsdev(read("modelsdev.json"))
    assert errors == []
    got = {(r.provider, r.model_name): r for r in records}
    assert len(got) == 3  # the model without a cost is not an offer
    llama = got[("togetherai", "meta-llama/Llama-3.1-8B-Instruct")]
    assert (llama.open_weights, llama.usd_per_mtok_input) == (True, D("0.18"))
    assert (llama.context_tokens, llama.max_output_tokens) == (131072, 4096)
    claude = got[("anthropic", "claude-sonnet-4-5")]
    assert claude.open_weights is False
    assert claude.usd_per_mtok_cache_write == D("3.75")
    assert claude.tiers == (
        {"above_tokens": 200000, "usd_per_mtok_input": "6", "usd_per_mtok_output": "22.5"},
    )
    assert got[("openai", "gpt-4o")].mode == "text+image->text"


def test_genai_prices_start_dates_become_history_points() -> None:
    records, errors = parse_genai_prices(read("genai.json"))
    assert errors == []
    opus = sorted(
        (r for r in records if r.model_name == "claude-opus-4-6"),
        key=lambda r: r.valid_from or datetime.min.replace(tzinfo=UTC),
    )
    assert [r.valid_from for r in opus] == [None, datetime(2026, 3, 13, tzinfo=UTC)]
    assert opus[0].usd_per_mtok_input == D("5")
    assert opus[0].tiers == ({"above_tokens": 200000, "usd_per_mtok_input": "10"},)
    assert opus[1].usd_per_mtok_input == D("4")
    haiku = next(r for r in records if r.model_name == "claude-3-haiku")
    assert haiku.usd_per_request == D("0.01")  # 10 USD per 1000 requests
    deepseek = [r for r in records if r.provider == "deepseek"]
    assert len(deepseek) == 1
    # issue 15: the list price is the peak (windowed) entry; the off-peak discount is a
    # set of rows valid in the rest of the day (it used to be stored as the list price)
    assert deepseek[0].usd_per_mtok_input == D("0.27")
    off_peak = {c.component: c.price for c in deepseek[0].components if c.window}
    assert off_peak["input"] == D("0.135")
    assert {c.window for c in deepseek[0].components if c.window} == {"16:30-00:30"}


def test_skypilot_keeps_gpu_rows_and_the_cheapest_zone_per_region() -> None:
    records, errors = parse_skypilot(read("gcp_vms.csv"), cloud="gcp")
    assert errors == []
    got = {(r.region, r.accelerator_name, r.accelerator_count): r for r in records}
    assert len(got) == 3  # the CPU host VM row is not a GPU price
    h100 = got[("us-central1", "H100", D(1))]
    assert h100.instance_type == "gpu-attached"
    assert (h100.usd_per_hour_on_demand, h100.usd_per_hour_spot) == (D("4.1"), D("3.9"))
    assert h100.gpu_memory_mib == 81920
    assert got[("europe-west4", "L4", D(1))].usd_per_hour_spot is None


def test_skypilot_reads_columns_by_header_in_any_order() -> None:
    records, errors = parse_skypilot(read("lambda_vms.csv"), cloud="lambda")
    assert errors == []
    got = {r.instance_type: r for r in records}
    assert set(got) == {"gpu_1x_h100_sxm5", "gpu_8x_a100_80gb_sxm4"}
    a100 = got["gpu_8x_a100_80gb_sxm4"]
    assert (a100.accelerator_name, a100.accelerator_count) == ("A100-80GB", D(8))
    assert (a100.usd_per_hour_on_demand, a100.vcpus) == (D("14.32"), D(240))


def test_aws_gpu_instances_one_record_per_region() -> None:
    records, errors = parse_aws_gpu_instances(read("aws.json"))
    assert errors == []
    assert sorted(r.region for r in records) == ["us-east-1", "us-west-2"]
    assert records[0].accelerator_count == D(8)
    assert records[0].usd_per_hour_on_demand == D("98.32")
    assert records[0].memory_gib == D(2048)


def test_custom_json_and_csv_give_the_same_offer() -> None:
    json_records, json_errors = parse_custom(read("custom.json"))
    csv_records, csv_errors = parse_custom(read("custom.csv"))
    assert json_errors == csv_errors == []
    j = by_name(json_records)["meta-llama/Llama-3.1-8B-Instruct"]
    c = by_name(csv_records)["meta-llama/Llama-3.1-8B-Instruct"]
    assert (j.usd_per_mtok_input, j.usd_per_mtok_output) == (c.usd_per_mtok_input, D("0.2"))
    assert j.valid_from == c.valid_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert j.tiers == ({"above_tokens": 100000, "usd_per_mtok_input": "0.3"},)
    assert by_name(csv_records)["acme/listener"].usd_per_audio_minute == D("0.006")
    assert by_name(json_records)["acme/painter"].image_options == {"size": "1024x1024"}


def test_fingerprint_changes_only_with_prices() -> None:
    a = by_name(parse_litellm(read("litellm.json"))[0])["gpt-4o"]
    b = by_name(parse_litellm(read("litellm.json").replace(b"1e-05", b"2e-05"))[0])["gpt-4o"]
    assert a.fingerprint == by_name(parse_litellm(read("litellm.json"))[0])["gpt-4o"].fingerprint
    assert a.fingerprint != b.fingerprint


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1e-07, D("1E-7")), ("0.0000025", D("0.0000025")), (3, D(3)), (None, None), ("", None)],
)
def test_to_decimal_reads_feed_numbers_exactly(value, expected) -> None:
    assert to_decimal(value, what="x") == expected


@pytest.mark.parametrize(
    ("parser", "data", "message"),
    [
        (parse_litellm, b"", "empty"),
        (parse_litellm, b"<html>", "not valid JSON"),
        (parse_litellm, b"[1, 2]", "expected an object"),
        (parse_openrouter, b'{"models": []}', 'expected {"data"'),
        (parse_modelsdev, b"[]", "expected {provider id"),
        (parse_genai_prices, b"{}", "expected a list of providers"),
        (lambda d: parse_skypilot(d, cloud="gcp"), b'{"a": 1}', "not a SkyPilot catalog CSV"),
        (parse_custom, b"a,b\n1,2\n", "CSV header lacks provider, model, unit"),
    ],
)
def test_unreadable_documents_raise_feed_format_error(parser, data, message) -> None:
    with pytest.raises(FeedFormatError) as exc:
        parser(data)
    assert message in str(exc.value)
