"""A real Celery worker (subprocess, Redis broker DB 1) runs hub_sync_task.

PostgreSQL only: the worker is another process, so it must see the test database
through a committed, shared server. On SQLite pytest-django's test database is in
memory (invisible to a subprocess), so the test is skipped there; `make test` runs it
in its PostgreSQL pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from catalog.models import FeedRun, Model
from tests.fakes.hub import FakeHub

REPO_ROOT = Path(__file__).resolve().parents[2]
# Each checkout may use its own Redis DB; the worker listens on a per-test queue anyway.
BROKER = os.environ.get("ATLAS_TEST_BROKER_URL", "redis://127.0.0.1:6379/1")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_hub_sync_task(fake_hub: FakeHub) -> None:
    if not _redis_up():
        pytest.skip(f"Redis is not reachable at {BROKER}")
    queue = f"hubtest-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "ATLAS_TESTING": "1",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
        "HF_ENDPOINT": fake_hub.server.base_url,
        "HUB_MAX_BACKOFF_S": "0.05",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--loglevel=WARNING",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        sender = Celery(broker=BROKER, backend=BROKER)
        result = sender.send_task("catalog.tasks.hub_sync_task", kwargs={"limit": 100}, queue=queue)
        run_id = result.get(timeout=90)
        deadline = time.monotonic() + 10
        while Model.objects.count() < 12 and time.monotonic() < deadline:
            time.sleep(0.2)
        run = FeedRun.objects.get(pk=run_id)
        assert (run.status, run.created) == (FeedRun.Status.SUCCESS, 12)
        assert Model.objects.get(repo_id="Qwen/Qwen3-30B-A3B").num_experts == 128
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        if worker.returncode not in (0, -15):
            sys.stderr.write(output.decode(errors="replace")[-3000:])
