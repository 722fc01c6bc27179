"""export_snapshot -> empty database -> load_snapshot gives every row back, equal.

Generic over `snapshot_models()`: tables other branches add are compared too. The
first test fills this branch's tables through their services; the second round-trips
the bundled demo snapshot (all capabilities' tables) when it exists.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from benchmarks.models import Accelerator
from catalog.models import AliasReview, Model, Organization, Task
from catalog.services.aliases import FeedName, aliases_resolve
from catalog.services.runs import RunCounts, feed_ensure, feed_run_finish, feed_run_start
from config.snapshot import snapshot_is_empty, snapshot_load, snapshot_models


def _all_rows() -> dict[str, list[tuple]]:
    return {
        m._meta.label_lower: list(
            m._base_manager.order_by("pk").values_list(
                *[f.attname for f in m._meta.concrete_fields]
            )
        )
        for m in snapshot_models()
    }


def _empty_our_tables() -> None:
    with transaction.atomic():  # Feed <-> FeedRun refer to each other: deferred FK checks
        for m in reversed(snapshot_models()):
            m._base_manager.all()._raw_delete(m._base_manager.db)
    assert snapshot_is_empty()


def _round_trip(tmp_path: Path) -> dict[str, list[tuple]]:
    before = _all_rows()
    path = tmp_path / "export.json.gz"
    call_command("export_snapshot", "--output", str(path), verbosity=0)
    _empty_our_tables()
    call_command("load_snapshot", str(path), verbosity=0)
    after = _all_rows()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after the round trip"
    assert set(after) == set(before)
    return before


def _fill_this_branch() -> None:
    text = Task.objects.create(slug="text-generation", name="Text generation", category="text")
    meta = Organization.objects.create(slug="meta-llama", name="Meta", homepage="https://x.test")
    base = Model.objects.create(
        repo_id="meta-llama/Llama-3.1-8B",
        name="Llama 3.1 8B",
        organization=meta,
        task=text,
        license="llama3.1",
        tags=["text-generation", "llama"],
        languages=["en", "de"],
        gated=True,
        gated_mode="manual",
        downloads=123_456_789,
        hub_created_at=timezone.now() - timedelta(days=400, microseconds=7),
        params_total=8_030_261_248,
        params_by_dtype={"BF16": 8_030_261_248},
        model_type="llama",
        architectures=["LlamaForCausalLM"],
        num_layers=32,
        hidden_size=4096,
        num_heads=32,
        num_kv_heads=8,
        head_dim=128,
        intermediate_size=14336,
        vocab_size=128256,
        context_tokens=131072,
        config_dtype="bfloat16",
        description="<b>escaped</b> “unicode” ✓",
    )
    Model.objects.create(
        repo_id="meta-llama/Llama-3.1-8B-Instruct",
        name="Llama 3.1 8B Instruct",
        organization=meta,
        task=text,
        base_model=base,
        base_model_repo_id=base.repo_id,
        base_model_relation="finetune",
        num_experts=None,
        sliding_window=4096,
    )
    Model.objects.create(repo_id="acme/llama-3.1-8b", name="acme llama", organization=meta)
    # "llama-..." names Meta's repo (issue 14); two makers' same-named repos stay ambiguous
    Model.objects.create(repo_id="acme/orca-mini-7b", name="acme orca", organization=meta)
    Model.objects.create(repo_id="zeta/orca-mini-7b", name="zeta orca", organization=meta)
    aliases_resolve(
        source="litellm",
        names=[
            FeedName(name="meta-llama/Llama-3.1-8B", hub_repo_id="meta-llama/Llama-3.1-8B"),
            FeedName(name="orca-mini-7b"),  # ambiguous: an AliasReview with candidates
            FeedName(name="acme-ultra", organization_hint="acme", display_name="Acme Ultra"),
        ],
        create_missing=True,
    )
    feed = feed_ensure(slug="litellm", name="LiteLLM", kind="pricing", url="https://x.test/f.json")
    ok = feed_run_start(feed=feed, params={"limit": 10})
    feed_run_finish(run=ok, counts=RunCounts(created=3, rejected=1, errors=["row 4: bad price"]))
    bad = feed_run_start(feed=feed)
    feed_run_finish(run=bad, counts=RunCounts(), failed_reason="HTTP 500")
    Accelerator.objects.create(
        slug="h100-sxm",
        name="NVIDIA H100 SXM 80GB",
        vendor="nvidia",
        kind=Accelerator.Kind.DATACENTER,
        memory_gib=80.0,
        bandwidth_gbps=3350.0,
        bf16_tflops=989.4,
        fp8_tflops=1978.9,
        tdp_watts=700,
        aliases=["H100", "H100-80GB"],
    )


@pytest.mark.django_db(transaction=True)
def test_export_then_load_into_empty_database_gives_equal_rows(tmp_path: Path) -> None:
    _fill_this_branch()
    assert AliasReview.objects.filter(candidates__isnull=False).exists()
    before = _round_trip(tmp_path)
    ours = [
        "catalog.organization",
        "catalog.task",
        "catalog.model",
        "catalog.modelalias",
        "catalog.aliasreview",
        "catalog.aliasreview_candidates",
        "catalog.feed",
        "catalog.feedrun",
        "benchmarks.accelerator",
    ]
    empty = [label for label in ours if not before[label]]
    assert not empty, f"the fixture left tables empty: {empty}"
    # --replace over a database holding other data gives the file's rows exactly.
    Organization.objects.create(slug="stray", name="Stray")
    call_command("load_snapshot", str(tmp_path / "export.json.gz"), "--replace", verbosity=0)
    assert _all_rows() == before
    # Sequences were reset: new rows get fresh ids, not ones the load used.
    new = Organization.objects.create(slug="new-org", name="New")
    assert new.pk > max(row[0] for row in before["catalog.organization"])


@pytest.mark.django_db(transaction=True)
def test_demo_snapshot_round_trips(tmp_path: Path) -> None:
    demo = Path(settings.SNAPSHOT_PATH)
    if not demo.exists():
        pytest.skip(f"no demo snapshot at {demo} on this branch")
    snapshot_load(path=demo)
    before = _round_trip(tmp_path)
    assert sum(len(rows) for rows in before.values()) > 0
    assert Decimal  # money columns compare as Decimal, exactly
