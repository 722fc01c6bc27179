"""Every page renders, filters through the shared ModelFilter, and runs a bounded number
of queries that does not grow with the catalog."""

from __future__ import annotations

import re

import pytest

from catalog import page_hooks
from catalog.filters import ModelFilter
from catalog.models import Model
from tests.web.builders import make_demo_catalog, make_model, make_models, make_task

pytestmark = pytest.mark.django_db


def _repo_ids(response) -> list[str]:
    return re.findall(r'class="model-name" href="/models/([^"]+)/"', response.content.decode())


@pytest.fixture
def demo():
    return make_demo_catalog()


# --- query counts at two sizes --------------------------------------------------------

# The "fits on my GPU" control (and its accelerator query) shows once ModelFilter has `fits`.
GPU_CONTROL = int("fits" in ModelFilter.base_filters)
PAGES = {
    # home: maintained counts (none yet: counted live, so stats (3: models, tasks,
    # organizations) and task counts), popular models, pricing hook: cheapest offers,
    # closed price rows (their successors only when any). tests/web/test_scale_reads.py
    # has the counts once the maintained counts exist.
    "/": 8,
    # model list: maintained counts (none yet: facets counted live: tasks, organizations,
    # licenses, libraries), count (capped), page, hooks: the listed models' cheapest price
    # (pricing) and best quality index (quality); accelerators for the "fits on my GPU"
    # control (benchmarks, once ModelFilter has `fits`)
    "/models/": 9 + GPU_CONTROL,
    "/models/?task=text-generation&params_max=100&sort=params&q=acme": 9 + GPU_CONTROL,
    # compare: the named models, the picker's suggestions; hooks: cheapest offers
    # (pricing), measured runs (benchmarks), quality index (quality)
    "/compare/?models=acme/model-a,acme/model-b": 5,
    "/guides/": 0,
    # one guide: its model list
    "/guides/diffusion/": 1,
    "/guides/vaes/": 1,
    "/guides/choosing/": 1,
    # foundation vs fine-tuned: its models, foundation list, fine-tuned list
    "/guides/foundation-vs-fine-tuned/": 3,
}


@pytest.mark.parametrize(("url", "queries"), PAGES.items())
def test_page_query_count_does_not_grow_with_the_catalog(
    client, django_assert_num_queries, url, queries
) -> None:
    make_model("acme/model-a")
    make_model("acme/model-b")
    make_models(2)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    make_models(30, task=make_task("text-to-image"))
    make_models(30, organization=None, license="mit")
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_model_detail_query_count_does_not_grow_with_the_catalog(
    client, django_assert_num_queries
) -> None:
    base = make_model("acme/base")
    model = make_model("acme/ft", base_model=base, base_model_repo_id="acme/base")
    make_models(3)
    # 1: the model with organization, task and base model; 2: similar models;
    # hooks: offers + price history + seat plans that include it (pricing), runs +
    # accelerators + the calibration set's state (benchmarks; its cached rebuild adds one
    # after runs change: warmed here), scores + quality index (quality)
    client.get(f"/models/{model.repo_id}/")
    with django_assert_num_queries(10):
        assert client.get(f"/models/{model.repo_id}/").status_code == 200
    make_models(40)
    with django_assert_num_queries(10):
        assert client.get(f"/models/{model.repo_id}/").status_code == 200


def test_htmx_rows_query_count_does_not_grow(client, django_assert_num_queries) -> None:
    make_models(3)
    # count, page (no facets for the rows fragment); the rows' prices and quality (hooks)
    with django_assert_num_queries(4):
        client.get("/models/?task=text-generation", HTTP_HX_REQUEST="true")
    make_models(60)
    with django_assert_num_queries(4):
        client.get("/models/?task=text-generation", HTTP_HX_REQUEST="true")


# --- templates ---------------------------------------------------------------------------

ALL_URLS = [
    "/",
    "/models/",
    "/models/meta-llama/Llama-3.1-8B-Instruct/",
    "/models/openai/gpt-4o/",
    "/compare/?models=meta-llama/Llama-3.1-8B,qwen/Qwen3-30B-A3B",
    "/compare/",
    "/guides/",
    *[f"/guides/{slug}/" for slug in
      ("llms", "diffusion", "gans", "vaes", "pricing", "foundation-vs-fine-tuned", "choosing")],
]  # fmt: skip


@pytest.mark.parametrize("url", ALL_URLS)
def test_page_renders_with_one_h1_a_skip_link_and_no_template_leaks(client, demo, url) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'href="#main"' in html
    for leak in ("{#", "#}", "{%", "{{"):
        assert leak not in html, f"template syntax leaked into {url}"
    assert "htmx-2.0.11.min.js" in html
    assert "X-CSRFToken" in html


def test_pages_render_with_an_empty_catalog(client) -> None:
    for url in ["/", "/models/", "/compare/", "/guides/", "/guides/llms/"]:
        assert client.get(url).status_code == 200


def test_unknown_model_and_guide_are_404(client) -> None:
    assert client.get("/models/nobody/nothing/").status_code == 404
    assert client.get("/guides/nothing/").status_code == 404


# --- catalog filters, sort, pagination, htmx -------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("task=text-to-image", ["stabilityai/stable-diffusion-xl-base-1.0"]),
        ("organization=mistralai", ["mistralai/Mistral-7B-v0.3"]),
        ("license=mit", ["baai/bge-small-en-v1.5"]),
        ("library=diffusers", ["stabilityai/stable-diffusion-xl-base-1.0"]),
        ("open_weights=false", ["openai/gpt-4o"]),
        ("gated=true", ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B"]),
        ("params_min=20", ["qwen/Qwen3-30B-A3B", "meta-llama/Llama-3.1-70B"]),
        ("params_max=0.5", ["baai/bge-small-en-v1.5"]),
        ("params_min=7&params_max=7.5", ["mistralai/Mistral-7B-v0.3"]),
        ("min_context_tokens=100000&task=text-generation&organization=qwen",
         ["qwen/Qwen3-30B-A3B"]),
        ("q=whisper", ["openai/whisper-large-v3"]),
        ("q=LLAMA-3.1-70", ["meta-llama/Llama-3.1-70B"]),
    ],
)  # fmt: skip
def test_catalog_filters(client, demo, query, expected) -> None:
    response = client.get(f"/models/?{query}")
    assert _repo_ids(response) == expected


def test_catalog_sorts(client, demo) -> None:
    by_params = _repo_ids(client.get("/models/?sort=params"))
    assert by_params[:2] == ["meta-llama/Llama-3.1-70B", "qwen/Qwen3-30B-A3B"]
    assert by_params[-1] == "openai/gpt-4o"  # no parameter count: last
    assert _repo_ids(client.get("/models/?sort=params_asc"))[0] == "baai/bge-small-en-v1.5"
    assert _repo_ids(client.get("/models/"))[0] == "meta-llama/Llama-3.1-8B-Instruct"
    assert _repo_ids(client.get("/models/?sort=name"))[0] == "baai/bge-small-en-v1.5"
    assert _repo_ids(client.get("/models/?sort=bogus")) == _repo_ids(client.get("/models/"))


def test_invalid_filter_values_show_an_error_instead_of_failing(client, demo) -> None:
    response = client.get("/models/?params_min=lots&open_weights=maybe")
    assert response.status_code == 200
    assert len(_repo_ids(response)) == 9


def test_catalog_paginates_and_keeps_filters_in_page_links(client) -> None:
    make_models(55)
    first = client.get("/models/?task=text-generation")
    assert len(_repo_ids(first)) == 50
    assert "page=2" in first.content.decode()
    assert "task=text-generation&amp;page=2" in first.content.decode()
    second = client.get("/models/?task=text-generation&page=2")
    assert len(_repo_ids(second)) == 5


def test_htmx_request_gets_only_the_rows_fragment(client, demo) -> None:
    response = client.get("/models/?task=text-to-image", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="filters"' not in html
    assert _repo_ids(response) == ["stabilityai/stable-diffusion-xl-base-1.0"]


def test_filter_form_posts_to_the_catalog_with_htmx_and_push_url(client, demo) -> None:
    html = client.get("/models/").content.decode()
    assert 'hx-get="/models/"' in html
    assert 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert 'method="get" action="/models/"' in html  # works without JS


def test_model_filter_is_usable_on_its_own_as_the_api_would(demo) -> None:
    f = ModelFilter({"task": "text-generation", "params_max": "10"}, queryset=Model.objects.all())
    assert sorted(m.repo_id for m in f.qs) == [
        "meta-llama/Llama-3.1-8B",
        "meta-llama/Llama-3.1-8B-Instruct",
        "mistralai/Mistral-7B-v0.3",
    ]


# --- model page ------------------------------------------------------------------------


def test_model_page_shows_summary_links_and_sanitized_card(client, demo) -> None:
    html = client.get("/models/meta-llama/Llama-3.1-8B-Instruct/").content.decode()
    assert "8.0B" in html
    assert "128k" in html
    assert 'href="https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"' in html
    assert 'href="/plan/?model=meta-llama/Llama-3.1-8B-Instruct"' in html
    assert 'href="/models/meta-llama/Llama-3.1-8B/"' in html  # base model
    assert "<p>Instruction tuned.</p>" in html
    assert "alert(1)" not in html
    assert 'id="dtype-data"' in html


def test_similar_models_share_the_task_and_a_similar_size(client, demo) -> None:
    html = client.get("/models/meta-llama/Llama-3.1-8B/").content.decode()
    similar = html.split('id="similar-h"')[1]
    assert "Llama-3.1-8B-Instruct" in similar
    assert "Mistral-7B-v0.3" in similar
    assert "Llama-3.1-70B" not in similar  # too big
    assert "whisper" not in similar  # other task


@pytest.mark.parametrize("window", [2, 5, 300])
def test_similar_models_are_the_same_whatever_the_window(monkeypatch, window) -> None:
    """model_similar reads the band's most downloaded names first and falls back to the
    whole band when that window is full and short of the series: every window gives
    the straightforward ranking (series first, then downloads)."""
    from catalog import selectors

    task = make_task()
    me = make_model("meta-llama/Llama-3.1-8B", task=task, downloads=1)
    for i, (name, size) in enumerate(
        [("Llama-3.1-8B-Instruct", 8), ("Qwen3-8B", 8), ("Mistral-7B", 7), ("Llama-3.1-7B-x", 7),
         ("Gemma-9B", 9), ("Llama-3.1-70B", 70), ("Phi-4", 14), ("Llama-3.1-8B-fork", 8),
         ("olmo-8b", 8), ("Falcon-7B", 7)]
    ):  # fmt: skip
        make_model(f"org{i}/{name}", task=task, downloads=100 - 7 * i, params_total=size * 10**9)
    monkeypatch.setattr(selectors, "SIMILAR_WINDOW", window)
    got = [(m.name, m.similar_match) for m in selectors.model_similar(model=me, limit=4)]
    assert got == [
        ("Llama-3.1-8B-Instruct", "series and size"),
        ("Llama-3.1-7B-x", "series and size"),
        ("Llama-3.1-8B-fork", "series and size"),
        ("Qwen3-8B", "size"),
    ]


def test_api_only_model_has_no_hub_link(client, demo) -> None:
    html = client.get("/models/openai/gpt-4o/").content.decode()
    assert "huggingface.co/openai/gpt-4o" not in html


def test_round2_sections_render_nothing_until_a_hook_supplies_them(
    client, demo, monkeypatch
) -> None:
    url = "/models/meta-llama/Llama-3.1-8B/"
    assert "API offers" not in client.get(url).content.decode()
    hooks: dict = {p: [] for p in page_hooks.PAGES}
    monkeypatch.setattr(page_hooks, "_hooks", hooks)

    def offers(*, model, **_):
        offer = {"provider": {"name": "Acme Cloud", "slug": "acme"}, "usd_per_mtok_input": "0.15"}
        return {"offers_any": True, "offers": [offer]}

    page_hooks.register("model_detail", offers)
    html = client.get(url).content.decode()
    assert "API offers" in html
    assert "Acme Cloud" in html
    assert "$0.15" in html


def test_register_refuses_an_unknown_page() -> None:
    with pytest.raises(ValueError, match="unknown page"):
        page_hooks.register("nowhere", lambda **_: {})


# --- compare ---------------------------------------------------------------------------


def test_compare_shows_models_side_by_side_in_the_given_order(client, demo) -> None:
    html = client.get("/compare/?models=qwen/Qwen3-30B-A3B,meta-llama/Llama-3.1-8B").content
    html = html.decode()
    assert html.index("qwen/Qwen3-30B-A3B</a>") < html.index("meta-llama/Llama-3.1-8B</a>")
    assert "30.5B" in html
    assert "3.3B" in html


def test_compare_picker_adds_and_removes_with_a_redirect_to_the_canonical_url(client, demo) -> None:
    response = client.get("/compare/?models=meta-llama/Llama-3.1-8B&add=qwen/Qwen3-30B-A3B")
    assert response.status_code == 302
    assert response["Location"] == "/compare/?models=meta-llama/Llama-3.1-8B,qwen/Qwen3-30B-A3B"
    response = client.get(
        "/compare/?models=meta-llama/Llama-3.1-8B,qwen/Qwen3-30B-A3B&remove=meta-llama/Llama-3.1-8B"
    )
    assert response["Location"] == "/compare/?models=qwen/Qwen3-30B-A3B"


def test_compare_keeps_at_most_four_and_reports_unknown_ids(client, demo) -> None:
    ids = "meta-llama/Llama-3.1-8B,qwen/Qwen3-30B-A3B,openai/gpt-4o,baai/bge-small-en-v1.5"
    response = client.get(f"/compare/?models={ids}&add=mistralai/Mistral-7B-v0.3")
    assert response["Location"] == f"/compare/?models={ids}"
    html = client.get("/compare/?models=meta-llama/Llama-3.1-8B,nobody/nothing").content.decode()
    assert "Not in the catalog: nobody/nothing" in html


# --- home and guides -------------------------------------------------------------------


def test_home_has_search_counts_and_task_tiles_into_the_catalog(client, demo) -> None:
    html = client.get("/").content.decode()
    assert 'action="/models/"' in html
    assert ">9</b>" in html
    for query in ("task=text-generation", "task=text-to-image", "task=feature-extraction",
                  "task=automatic-speech-recognition", "task=chat", "q=code"):  # fmt: skip
        assert f'href="/models/?{query}"' in html
    assert "Cheapest offers" not in html  # round 2 partial: nothing without pricing


def test_diffusion_guide_links_to_and_lists_text_to_image_models(client, demo) -> None:
    html = client.get("/guides/diffusion/").content.decode()
    assert 'href="/models/?task=text-to-image"' in html
    assert "stabilityai/stable-diffusion-xl-base-1.0" in html
    assert "Llama" not in html.split('id="guide-models-h"')[1].split("</section>")[0]


def test_foundation_guide_splits_base_models_from_fine_tunes(client, demo) -> None:
    html = client.get("/guides/foundation-vs-fine-tuned/").content.decode()
    foundation = html.split('id="foundation-h"')[1].split("</section>")[0]
    finetuned = html.split('id="finetuned-h"')[1].split("</section>")[0]
    assert "meta-llama/Llama-3.1-8B/" in foundation
    assert "Llama-3.1-8B-Instruct" in finetuned
    assert "Llama-3.1-8B-Instruct" not in foundation


def test_active_filters_show_as_chips_that_remove_themselves(client, demo) -> None:
    html = client.get("/models/?task=text-generation&license=llama3.1&page=1").content.decode()
    assert "Task: text-generation" in html
    assert 'href="?license=llama3.1"' in html  # removing the task keeps the license
    assert 'href="?task=text-generation"' in html


def test_default_sort_submits_nothing_so_urls_stay_short(client, demo) -> None:
    html = client.get("/models/").content.decode()
    assert '<option value="" selected>Most downloaded</option>' in html
    html = client.get("/models/?sort=likes").content.decode()
    assert '<option value="likes" selected>Most liked</option>' in html


def test_htmx_history_restore_gets_the_full_page_and_responses_vary_on_hx_request(
    client, demo
) -> None:
    response = client.get(
        "/models/?task=text-to-image",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert 'id="filters"' in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_not_found_uses_the_site_layout(client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/models/nobody/nothing/")
    assert response.status_code == 404
    assert b"Browse models" in response.content


def test_compare_suggestions_match_the_typed_text(client, demo) -> None:
    html = client.get("/compare/suggest/?add=mistral").content.decode()
    assert html.strip() == '<option value="mistralai/Mistral-7B-v0.3"></option>'


def test_compare_suggestions_query_count_does_not_grow(client, django_assert_num_queries) -> None:
    make_models(3)
    with django_assert_num_queries(1):
        client.get("/compare/suggest/?add=acme")
    make_models(30)
    with django_assert_num_queries(1):
        client.get("/compare/suggest/?add=acme")


@pytest.mark.parametrize(
    ("query", "selected"),
    [("", '<option value="" selected>Open or closed'),
     ("open_weights=true", '<option value="true" selected>Open weights'),
     ("open_weights=false", '<option value="false" selected>Closed / API only')],
)  # fmt: skip
def test_boolean_filters_keep_their_selection(client, demo, query, selected) -> None:
    assert selected in client.get(f"/models/?{query}").content.decode()
