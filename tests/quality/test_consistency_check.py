"""../shared/checks/quality_consistency.py prints PASS on a database loaded with the demo.

The catalog comes from the demo snapshot; the leaderboards are loaded again from
../shared/quality with the project's services (as scripts/snapshot_steps/quality.py
does), so the check runs on the scores and index this branch writes.
"""

from __future__ import annotations

import contextlib
import io

import pytest

from config.snapshot import snapshot_load
from quality.models import LeaderboardSnapshot, QualityIndex, Score
from quality.services import leaderboard_sync, quality_index_refresh
from scripts.snapshot_steps.quality import DATA_DATES
from tests.conftest import SHARED
from tests.quality.demo_data import SNAPSHOT, demo_available

CHECK = SHARED / "checks" / "quality_consistency.py"


@pytest.mark.django_db(transaction=True)
def test_the_shared_consistency_check_passes_on_the_demo_database() -> None:
    if demo_available() or not CHECK.exists():
        pytest.skip(demo_available() or f"no {CHECK}")
    snapshot_load(path=SNAPSHOT)
    Score.objects.all().delete()
    LeaderboardSnapshot.objects.all().delete()
    for source, day in DATA_DATES.items():
        leaderboard_sync(source=source, file=SHARED / "quality" / source, data_date=day)
    assert quality_index_refresh() == QualityIndex.objects.count() > 500
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(CHECK.read_text(), str(CHECK), "exec"), {"__name__": "check"})  # noqa: S102
    verdict = out.getvalue().strip().splitlines()[-1]
    assert verdict.startswith("PASS"), out.getvalue()
