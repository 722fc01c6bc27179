"""The model page's header (issue 20 §3): the facts people look for first, each with its
source, "unknown" with a reason (never 0); the price range without a $0 free tier as its
low end; quality ± uncertainty; each board's headline score with its sub-categories one
click away; similar models from the same series, task and size band."""

from __future__ import annotations

import re

import pytest

from quality.models import QualityIndex, Score
from tests.web.builders import make_model, make_offer, make_provider, make_quality, make_task

pytestmark = pytest.mark.django_db


def _head(client, repo_id: str) -> dict[str, str]:
    """{label: text} of the key-facts header."""
    response = client.get(f"/models/{repo_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    head = html[
        html.index('aria-label="Key facts"') : html.index(
            "</section>", html.index('aria-label="Key facts"')
        )
    ]
    out = {}
    for dt_, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", head, re.S):
        out[dt_] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dd)).strip()
    return out


def test_header_says_unknown_with_a_reason_and_labels_weaker_sources(client) -> None:
    model = make_model(
        "meta-llama/Llama-3.1-70B-Instruct", params_total=None, params_by_dtype={},
        context_tokens=None, license="", num_layers=None, hub_created_at=None,
    )  # fmt: skip
    make_offer(model, make_provider("groq"), "0.59", "0.79", context_tokens=131072)
    make_offer(model, make_provider("together"), "0.88", "0.88")
    make_offer(model, make_provider("freebie"), "0", "0")
    head = _head(client, model.repo_id)
    assert head["Parameters"] == "≈70.0B (from name, approximate)"
    assert head["Active per token"].startswith("unknown (")
    assert head["Context"] == "128k tokens (stated by a provider)"
    assert head["License"] == "unknown (no licence recorded from the Hub)"
    assert head["Released"] == "unknown (no date recorded)"
    # the free tier is counted apart, never the low end of the range
    assert head["Price per 1M tokens"].startswith("$0.59–$0.88 in · $0.79–$0.88 out")
    assert "plus 1 free tier" in head["Price per 1M tokens"]
    assert head["Quality"].startswith("unknown")
    for text in head.values():
        assert text not in ("0", "$0", "0 tokens")


def test_header_shows_recorded_facts_and_quality_with_uncertainty(client) -> None:
    model = make_model("acme/dense-8b", release_date="2025-04-01",
                       input_modalities=["text", "image"], output_modalities=["text"])  # fmt: skip
    make_quality(model, "chat", 61.5, board="arena-text", score=1234.5)
    QualityIndex.objects.filter(model=model).update(uncertainty=2.2)
    head = _head(client, model.repo_id)
    assert head["Parameters"] == "8.0B"
    assert head["Active per token"] == "all (dense)"
    assert head["Context"] == "128k tokens"
    assert head["License"] == "apache-2.0"
    assert head["Released"] == "2025-04-01"
    assert head["Modalities"] == "text, image → text"
    assert head["Quality"].startswith("61.5 ± 2.2")
    assert "(chat)" in head["Quality"]
    assert head["Price per 1M tokens"].startswith("unknown")


def test_board_headline_scores_with_sub_categories_one_click_away(client) -> None:
    model = make_model("acme/chatty-8b")
    make_quality(model, "chat", 61.5, board="arena-text", score=1234.5)
    snapshot = Score.objects.get(model=model).snapshot
    for i, category in enumerate(("coding", "math", "hard_prompts")):
        Score.objects.create(snapshot=snapshot, model=model, source_name=model.repo_id,
                             metric="score", category=category, value=1200.0 + i)  # fmt: skip
    html = client.get(f"/models/{model.repo_id}/").content.decode()
    headline = html[html.index('class="responsive board-scores"') :]
    headline = headline[: headline.index("</table>")]
    assert "1234.50" in headline
    assert "coding" not in headline
    details = html[html.index('class="board-categories"') :]
    details = details[: details.index("</details>")]
    assert "Arena-Text: 3 sub-categories" in details
    for category in ("coding", "math", "hard_prompts"):
        assert category in details


def test_similar_models_come_from_the_series_task_and_size_band(client) -> None:
    tg = make_task("text-generation")
    big = make_model("meta-llama/Llama-3.1-70B-Instruct", task=tg, params_total=None)
    sibling = make_model("meta-llama/Meta-Llama-3.1-70B", task=tg,
                         params_total=70_600_000_000, downloads=1)  # fmt: skip
    peer = make_model("qwen/Qwen2.5-72B-Instruct", task=tg, params_total=72_700_000_000,
                      downloads=10**9)  # fmt: skip
    small_sibling = make_model("meta-llama/Llama-3.1-8B-Instruct", task=tg)
    gpt2 = make_model("openai-community/gpt2", task=tg, params_total=137_000_000,
                      downloads=10**10)  # fmt: skip
    html = client.get(f"/models/{big.repo_id}/").content.decode()
    similar = html[html.index('id="similar-h"') :]
    similar = similar[: similar.index("</section>")]
    names = re.findall(r'class="model-name small" href="/models/([^"]+)/"', similar)
    # same series and size first, then other models of that size; no gpt2, no 8B
    assert names == [sibling.repo_id, peer.repo_id]
    assert gpt2.repo_id not in similar
    assert small_sibling.repo_id not in similar
    assert "same series, similar size" in similar


def test_a_free_tier_offer_is_never_tagged_cheapest(client) -> None:
    model = make_model("acme/offered-8b")
    make_offer(model, make_provider("freebie"), "0", "0")
    make_offer(model, make_provider("cheapo"), "0.05", "0.08")
    html = client.get(f"/models/{model.repo_id}/").content.decode()
    offers = html[html.index('id="offers-h"') :]
    free = next(r for r in offers.split("<tr") if "/providers/freebie/" in r)
    assert "cheapest" not in free
