"""hub_sync against the fake Hub: the real huggingface_hub client, a real database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.hub import HubClient
from catalog.models import Feed, FeedRun, Model, Organization, SyncRun, Task
from catalog.services.hub import hub_feed, hub_model_refresh, hub_sync
from catalog.services.runs import FeedAlreadyRunning, feed_run_start
from tests.catalog.conftest import listing_fixture, synthetic_models
from tests.fakes.hub import FakeHub
from tests.fakes.server import Response

pytestmark = pytest.mark.django_db
N_FIXTURE = 12


def _config_requests(hub: FakeHub) -> int:
    return sum(1 for r in hub.server.requests if "/resolve/" in r.path and r.method == "GET")


def _client(hub: FakeHub, sleeps: list[float] | None = None, **kwargs) -> HubClient:
    return HubClient(
        endpoint=hub.server.base_url,
        max_backoff_s=kwargs.pop("max_backoff_s", 60.0),
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
        **kwargs,
    )


def test_first_sync_creates_every_model_with_dims_and_links(fake_hub: FakeHub) -> None:
    run = hub_sync(limit=100, page_size=5)
    assert (run.status, run.created, run.updated, run.unchanged, run.failed) == (
        FeedRun.Status.SUCCESS,
        N_FIXTURE,
        0,
        0,
        0,
    )
    assert run.pages_done == 3
    assert run.cursor == ""
    llama = Model.objects.get(repo_id="meta-llama/Llama-3.1-8B-Instruct")
    assert (llama.num_layers, llama.num_kv_heads, llama.context_tokens) == (32, 8, 131072)
    assert llama.base_model.repo_id == "meta-llama/Llama-3.1-8B"
    assert (llama.gated, llama.gated_mode, llama.license) == (True, "manual", "llama3.1")
    assert llama.organization.slug == "meta-llama"
    assert llama.task.name == "Text generation"
    # The GGUF quantization sits on another page than its parent: linked across pages.
    gguf = Model.objects.get(repo_id="bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert (gguf.base_model_id, gguf.base_model_relation) == (llama.id, "quantized")
    moe = Model.objects.get(repo_id="Qwen/Qwen3-30B-A3B")
    assert (moe.num_experts, moe.experts_per_token, moe.params_active) == (128, 8, 3_353_032_704)
    sdxl = Model.objects.get(repo_id="stabilityai/stable-diffusion-xl-base-1.0")
    assert (sdxl.model_type, sdxl.architectures) == ("diffusers", ["StableDiffusionXLPipeline"])
    assert Task.objects.count() == 6
    assert Organization.objects.filter(slug="deepseek-ai").exists()
    assert SyncRun.objects.count() == 1


def test_resync_of_the_same_listing_changes_nothing_and_fetches_no_config(
    fake_hub: FakeHub,
) -> None:
    hub_sync(limit=100, page_size=5)
    fetched = _config_requests(fake_hub)
    before = dict(Model.objects.values_list("repo_id", "updated_at"))
    run = hub_sync(limit=100, page_size=5)
    assert (run.created, run.updated, run.unchanged, run.failed) == (0, 0, N_FIXTURE, 0)
    assert _config_requests(fake_hub) == fetched
    assert dict(Model.objects.values_list("repo_id", "updated_at")) == before


def test_changed_counts_update_without_config_fetch_and_new_sha_refetches(
    fake_hub: FakeHub,
) -> None:
    hub_sync(limit=100)
    fetched = _config_requests(fake_hub)
    models = listing_fixture()
    models[0] = {**models[0], "downloads": 1}  # same sha: listing fields only
    models[1] = {**models[1], "sha": "f" * 40}  # new commit: config read again
    fake_hub.set_models(models)
    run = hub_sync(limit=100)
    assert (run.created, run.updated, run.unchanged) == (0, 2, N_FIXTURE - 2)
    assert _config_requests(fake_hub) == fetched + 1
    assert Model.objects.get(repo_id=models[0]["id"]).downloads == 1
    changed = Model.objects.get(repo_id=models[1]["id"])
    assert (changed.config_sha, changed.num_layers) == ("f" * 40, 32)


def _sync_queries(hub: FakeHub, n: int) -> int:
    hub.set_models(synthetic_models(n))
    hub_sync(limit=10_000, page_size=1000)  # first sync, one page
    with CaptureQueriesContext(connection) as ctx:
        run = hub_sync(limit=10_000, page_size=1000)
    assert run.unchanged == n
    return len(ctx.captured_queries)


def test_resync_query_count_does_not_grow_with_models(fake_hub: FakeHub) -> None:
    # feed get, stale-run update, last run, run insert (+savepoint pair), existing
    # fingerprints of the page, run save (+savepoint pair), cursor save, finish, feed update.
    small = _sync_queries(fake_hub, 5)
    Model.objects.all().delete()
    large = _sync_queries(fake_hub, 60)
    assert small == large
    assert small <= 16


def test_first_sync_query_count_per_page_does_not_grow_with_models(fake_hub: FakeHub) -> None:
    # 15 rows: SQLite splits a bulk INSERT by its bound-parameter limit (999 // 58 fields
    # = 17 rows), PostgreSQL never does; within one statement the count is fixed.
    counts = []
    hub_feed()
    for n in (5, 15):
        Model.objects.all().delete()
        fake_hub.set_models(synthetic_models(n, start=n * 1000))
        with CaptureQueriesContext(connection) as ctx:
            run = hub_sync(limit=10_000, page_size=1000)
        assert run.created == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_gated_config_keeps_listing_data_marks_gated_and_leaves_a_line(
    fake_hub: FakeHub,
) -> None:
    fake_hub.refused["Qwen/Qwen3-30B-A3B"] = 403
    fake_hub.refused["deepseek-ai/DeepSeek-V3"] = 401
    run = hub_sync(limit=100)
    assert run.status == FeedRun.Status.PARTIAL
    assert (run.created, run.failed) == (N_FIXTURE, 2)
    qwen = Model.objects.get(repo_id="Qwen/Qwen3-30B-A3B")
    assert (qwen.gated, qwen.params_total, qwen.num_layers) == (True, 30_532_122_624, None)
    assert any("Qwen/Qwen3-30B-A3B: config.json" in e and "403" in e for e in run.errors)
    assert any("deepseek-ai/DeepSeek-V3: config.json" in e and "gated" in e for e in run.errors)


def test_config_that_is_not_json_leaves_a_line_and_keeps_the_model(fake_hub: FakeHub) -> None:
    fake_hub.files[("google/gemma-2-9b", "config.json")] = b"<html>not json</html>"
    run = hub_sync(limit=100)
    assert run.created == N_FIXTURE
    assert run.failed == 1
    assert any("google/gemma-2-9b: config.json is not JSON" in e for e in run.errors)
    assert Model.objects.get(repo_id="google/gemma-2-9b").downloads == 150000


def test_missing_config_of_an_advertised_repo_leaves_a_line(fake_hub: FakeHub) -> None:
    del fake_hub.files[("openai/whisper-large-v3", "config.json")]
    run = hub_sync(limit=100)
    assert any("openai/whisper-large-v3: config.json: not found" in e for e in run.errors)
    assert Model.objects.filter(repo_id="openai/whisper-large-v3").exists()


def test_429_on_a_page_honours_retry_after_then_continues(fake_hub: FakeHub) -> None:
    fake_hub.faults["page:1"] = [Response(429, b"slow down", {"Retry-After": "7"})]
    sleeps: list[float] = []
    run = hub_sync(limit=100, page_size=5, client=_client(fake_hub, sleeps))
    assert run.status == FeedRun.Status.SUCCESS
    assert run.created == N_FIXTURE
    assert sleeps == [7.0]


def test_retry_after_is_capped_by_max_backoff(fake_hub: FakeHub) -> None:
    fake_hub.faults["page:0"] = [Response(429, b"", {"Retry-After": "3600"})]
    sleeps: list[float] = []
    hub_sync(limit=100, client=_client(fake_hub, sleeps, max_backoff_s=2.0))
    assert sleeps == [2.0]


def test_server_errors_on_model_info_retry_then_record_a_line(fake_hub: FakeHub) -> None:
    fake_hub.faults["info:google/gemma-2-9b"] = [Response(500, b"boom")] * 10
    fake_hub.faults["info:openai/whisper-large-v3"] = [Response(503, b"busy")]
    sleeps: list[float] = []
    run = hub_sync(limit=100, full=True, client=_client(fake_hub, sleeps, max_retries=2))
    assert run.created == N_FIXTURE
    assert run.failed == 1
    assert any("google/gemma-2-9b: model_info: server error (500)" in e for e in run.errors)
    assert len(sleeps) == 3  # gemma: 2 retries; whisper: 1 retry then success
    assert Model.objects.get(repo_id="google/gemma-2-9b").num_layers == 42


def test_model_info_of_a_missing_repo_leaves_a_line(fake_hub: FakeHub) -> None:
    fake_hub.faults["info:google-bert/bert-base-uncased"] = [
        Response(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
    ]
    run = hub_sync(limit=100, full=True)
    assert any("google-bert/bert-base-uncased: model_info: not found" in e for e in run.errors)
    assert Model.objects.get(repo_id="google-bert/bert-base-uncased").num_layers == 12


def test_malformed_page_fails_the_run_but_keeps_earlier_pages(fake_hub: FakeHub) -> None:
    fake_hub.faults["page:1"] = [Response(200, b'[{"id": "x/y", ', {"Content-Type": "json"})]
    run = hub_sync(limit=100, page_size=5)
    assert run.status == FeedRun.Status.FAILED
    assert "malformed JSON" in run.errors[0]
    assert Model.objects.count() == 5
    assert run.cursor  # the failed page, for the next run to resume from


def test_malformed_entries_are_counted_and_the_rest_of_the_page_loads(
    fake_hub: FakeHub,
) -> None:
    fake_hub.set_models([*listing_fixture(), {"downloads": 5, "sha": "abc"}])
    run = hub_sync(limit=100)
    assert (run.created, run.failed) == (N_FIXTURE, 1)
    assert any("has no 'id'" in e for e in run.errors)


def test_interrupted_sync_resumes_from_its_cursor(fake_hub: FakeHub) -> None:
    fake_hub.faults["page:2"] = [Response(502, b"bad gateway")] * 50
    first = hub_sync(limit=100, page_size=5, client=_client(fake_hub, max_retries=1))
    assert first.status == FeedRun.Status.FAILED
    assert Model.objects.count() == 10
    assert "server error (502)" in first.errors[0]
    fake_hub.faults.clear()
    pages_before = sum(1 for r in fake_hub.server.requests if r.path == "/api/models")
    resumed = hub_sync(limit=100, page_size=5)
    assert resumed.pk == first.pk
    assert (resumed.status, resumed.created, resumed.pages_done) == (
        FeedRun.Status.SUCCESS,
        N_FIXTURE,
        3,
    )
    pages_after = sum(1 for r in fake_hub.server.requests if r.path == "/api/models")
    assert pages_after - pages_before == 1  # only the missing page was fetched
    assert Model.objects.count() == N_FIXTURE


def test_no_resume_starts_from_the_first_page(fake_hub: FakeHub) -> None:
    fake_hub.faults["page:1"] = [Response(500, b"")] * 50
    first = hub_sync(limit=100, page_size=5, client=_client(fake_hub, max_retries=0))
    fake_hub.faults.clear()
    run = hub_sync(limit=100, page_size=5, resume=False)
    assert run.pk != first.pk
    assert (run.created, run.unchanged) == (N_FIXTURE - 5, 5)


def test_a_second_concurrent_run_is_refused(fake_hub: FakeHub) -> None:
    feed_run_start(feed=hub_feed())
    with pytest.raises(FeedAlreadyRunning):
        hub_sync(limit=10)
    assert Model.objects.count() == 0


def test_limit_and_filters_are_honoured(fake_hub: FakeHub) -> None:
    run = hub_sync(task="text-generation", author="meta-llama", limit=1)
    assert run.created == 1
    assert list(Model.objects.values_list("repo_id", flat=True)) == [
        "meta-llama/Llama-3.1-8B-Instruct"
    ]
    hub_sync(search="qwen", limit=50, resume=False)
    assert set(Model.objects.filter(repo_id__startswith="Qwen/").values_list("repo_id", flat=True))
    assert Feed.objects.get(slug="hub").kind == Feed.Kind.HUB


def test_model_refresh_reads_one_model(fake_hub: FakeHub) -> None:
    model = hub_model_refresh(repo_id="mistralai/Mixtral-8x7B-v0.1")
    assert (model.num_experts, model.params_active) == (8, 12_879_925_248)
    assert model.task.slug == "text-generation"


@pytest.mark.shared
@pytest.mark.slow
def test_sync_of_the_shared_hub_reference_data(shared_dir, fake_server) -> None:
    from tests.fakes.hub_shared import build_models

    models, infos, files = build_models(shared_dir)
    FakeHub(fake_server, models=models, infos=infos, files=files)
    run = hub_sync(limit=5000, page_size=250, client=HubClient(endpoint=fake_server.base_url))
    assert (run.status, run.failed) == (FeedRun.Status.SUCCESS, 0), run.errors[:5]
    assert run.created == len(models) >= 648
    assert Task.objects.filter(models__isnull=False).distinct().count() >= 8
    v3 = Model.objects.get(repo_id="deepseek-ai/DeepSeek-V3")
    assert (v3.num_experts, v3.experts_per_token, v3.kv_lora_rank) == (256, 8, 512)
    gemma4 = Model.objects.get(repo_id="google/gemma-4-26B-A4B")
    assert (gemma4.num_experts, gemma4.experts_per_token) == (128, 8)
    llama = Model.objects.get(repo_id="meta-llama/Llama-3.1-8B-Instruct")
    assert (llama.params_total, llama.license, llama.gated_mode) == (
        8_030_261_248,
        "llama3.1",
        "manual",
    )


def test_gated_model_info_keeps_listing_data_and_marks_gated(fake_hub: FakeHub) -> None:
    fake_hub.faults["info:openai/whisper-large-v3"] = [
        Response(401, {"error": "gated"}, {"X-Error-Code": "GatedRepo"})
    ]
    run = hub_sync(limit=100, full=True)
    assert any("openai/whisper-large-v3: model_info: gated repo (401)" in e for e in run.errors)
    whisper = Model.objects.get(repo_id="openai/whisper-large-v3")
    assert (whisper.gated, whisper.downloads) == (True, 4_000_000)


def test_a_dropped_connection_is_retried(fake_hub: FakeHub) -> None:
    fake_hub.faults["page:0"] = [Response(drop=True)]
    sleeps: list[float] = []
    run = hub_sync(limit=100, client=_client(fake_hub, sleeps))
    assert (run.status, run.created) == (FeedRun.Status.SUCCESS, N_FIXTURE)
    assert len(sleeps) == 1


def test_client_list_models_follows_the_link_header_with_huggingface_hub(
    fake_hub: FakeHub,
) -> None:
    # huggingface_hub's own paginator walks the fake Hub's Link headers (4 pages of 2).
    fake_hub.max_page = 2
    client = _client(fake_hub)
    found = list(client.list_models(task="text-generation", limit=100))
    assert len(found) == 7
    assert sum(1 for r in fake_hub.server.requests if r.path == "/api/models") == 4
    assert found[0].id == "meta-llama/Llama-3.1-8B-Instruct"  # sorted by downloads
    assert found[0].safetensors.total == 8_030_261_248
    assert [m.id for m in client.list_models(author="Qwen", search="vl")] == [
        "Qwen/Qwen3-VL-8B-Instruct"
    ]
    page = client.listing_page(client.listing_url(task="fill-mask", page_size=1))
    assert [m["id"] for m in page.items] == ["google-bert/bert-base-uncased"]
    assert page.next_url is None


def test_a_run_left_running_by_a_killed_worker_is_resumed_once_stale(fake_hub: FakeHub) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client = _client(fake_hub)
    params = {"task": None, "author": None, "search": None, "limit": 100, "full": False}
    killed = feed_run_start(feed=hub_feed(), params=params)
    killed.cursor = client.listing_url(page_size=5)
    killed.save()
    with pytest.raises(FeedAlreadyRunning):  # still fresh: it may be alive
        hub_sync(limit=100, page_size=5, client=client)
    FeedRun.objects.filter(pk=killed.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    run = hub_sync(limit=100, page_size=5, client=client)
    assert (run.pk, run.status, run.created) == (killed.pk, FeedRun.Status.SUCCESS, N_FIXTURE)


class _BrokenOnPageTwo(HubClient):
    """A client with a bug after the first page (not an HTTP failure)."""

    def listing_page(self, url: str):
        if "cursor=" in url:
            raise RuntimeError("bug in page two")
        return super().listing_page(url)


def test_an_unexpected_error_fails_the_run_keeps_pages_and_propagates(
    fake_hub: FakeHub,
) -> None:
    broken = _BrokenOnPageTwo(endpoint=fake_hub.server.base_url)
    with pytest.raises(RuntimeError, match="bug in page two"):
        hub_sync(limit=100, page_size=5, client=broken)
    run = FeedRun.objects.get()
    assert run.status == FeedRun.Status.FAILED
    assert run.errors[0].startswith("sync stopped: RuntimeError")
    assert Model.objects.count() == 5
    resumed = hub_sync(limit=100, page_size=5)
    assert (resumed.pk, resumed.status, resumed.created) == (
        run.pk,
        FeedRun.Status.SUCCESS,
        N_FIXTURE,
    )
