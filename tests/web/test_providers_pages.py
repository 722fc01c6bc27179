"""The providers pages (issue 20 §2, issue 14 §7): grouped by kind with search and sort,
links, one table per unit with image size and quality; the model page's grouped offers."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.web.builders import T0, make_feed, make_model, make_offer, make_provider

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def market():
    llama = make_model("meta-llama/Llama-3.1-8B-Instruct")
    other = make_model("acme/other")
    together = make_provider("together", kind="inference_host", name="Together AI")
    together.homepage, together.pricing_url = (
        "https://www.together.ai/",
        "https://www.together.ai/pricing",
    )
    together.save()
    groq = make_provider("groq", kind="inference_host", name="Groq")
    router = make_provider("openrouter", kind="router", name="OpenRouter")
    lab = make_provider("openai", kind="first_party", name="OpenAI")
    litellm, models_dev = make_feed("litellm"), make_feed("models-dev")
    make_offer(llama, together, "0.20", feed=litellm, model_name="together_ai/llama-8b")
    make_offer(llama, together, "0.18", feed=models_dev, model_name="llama-8b",
               valid_from=T0 + dt.timedelta(days=1))  # fmt: skip
    make_offer(llama, together, "0.10", feed=litellm, model_name="llama-8b-Turbo")
    make_offer(other, together, "0.50", feed=litellm)
    make_offer(llama, groq, "0.05", feed=litellm)
    make_offer(llama, router, "0.06", feed=litellm)
    image = {"size": "1024x1024", "quality": "hd"}
    make_offer(None, lab, "0", feed=litellm, unit="image", usd_per_image="0.04",
               image_options=image, model_name="dall-e-3")  # fmt: skip
    return llama


def test_providers_are_grouped_by_kind_with_links(client, market) -> None:
    html = _text(client.get("/providers/"))
    heads = re.findall(r'<h2 id="kind-([a-z_]+)-h">', html)
    assert heads == ["first_party", "inference_host", "router"]
    assert 'href="https://www.together.ai/pricing"' in html
    # most models first inside a kind: Together prices 2 models, Groq 1
    section = html[html.index('id="kind-inference_host-h"') :]
    assert section.index("Together AI") < section.index("Groq")


def test_provider_search_and_sort_by_price_for_a_model(client, market) -> None:
    assert "Groq" not in _text(client.get("/providers/?q=togeth"))
    html = _text(client.get(f"/providers/?model={market.repo_id}&sort=price"))
    assert "OpenAI" not in html  # does not price that model
    names = re.findall(r'href="/providers/([a-z-]+)/"', html)
    assert names == ["groq", "openrouter", "together"]  # one ranking across kinds
    assert "$0.05" in html
    by_kind = _text(client.get(f"/providers/?model={market.repo_id}&sort=models"))
    assert re.findall(r'<h2 id="kind-([a-z_]+)-h">', by_kind) == ["inference_host", "router"]
    assert _text(client.get("/providers/?sort=nonsense&kind=nope"))


def test_provider_page_one_table_per_unit(client, market) -> None:
    html = _text(client.get("/providers/openai/"))
    assert "Priced per image" in html
    assert "USD per image" in html
    assert "1024x1024" in html
    assert "hd" in html
    together = _text(client.get("/providers/together/"))
    assert "Priced per 1M tokens" in together
    assert together.count('<th scope="row">') == 3  # llama, llama turbo, other


def test_model_page_offers_one_row_per_provider_and_variant(client, market) -> None:
    html = _text(client.get(f"/models/{market.repo_id}/"))
    section = html[html.index('id="offers-h"') : html.index("All providers")]
    rows = section.count('<th scope="row">')
    assert rows == 4  # groq, openrouter, together turbo, together
    assert "turbo" in section
    assert "differs" in section  # litellm 0.20 vs models.dev 0.18
    assert "$0.18" in section
    assert "$0.20" not in section
    assert section.count("chip-ok") == 1  # the cheapest paid offer (Groq)
