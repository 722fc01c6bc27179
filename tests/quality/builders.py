"""Small builders for quality tests: catalog models and fixture folders."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from catalog.models import Model, Organization

FIX = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


def make_hub_model(repo_id: str) -> Model:
    org, _ = Organization.objects.get_or_create(
        slug=repo_id.split("/")[0].lower(), defaults={"name": repo_id.split("/")[0]}
    )
    return Model.objects.create(repo_id=repo_id, name=repo_id.split("/")[1], organization=org)


def source_copy(tmp_path: Path, source: str) -> Path:
    """A writable copy of one source's fixture folder."""
    target = tmp_path / source
    shutil.copytree(FIX / source, target)
    return target


ASR_HEADER = (
    "model,Avg. WER,RTFx,Model size (B),License,AMI WER,Earnings22 WER,Gigaspeech WER,"
    "LS Clean WER,LS Other WER,SPGISpeech WER,Tedlium WER,Voxpopuli WER\n"
)


def asr_rows(n: int) -> str:
    """n open-weight ASR rows named org/asr-<i>."""
    return "".join(f"org/asr-{i},{5 + i / 100:.2f},100,1,Open,1,1,1,1,1,1,1,1\n" for i in range(n))
