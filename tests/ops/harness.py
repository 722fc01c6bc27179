"""Fault-injection harness over the real services (no mocks).

- `CeleryWorker`: a real `celery -A config worker` subprocess on Redis DB 2 (its own
  process group, so SIGKILL takes the pool children too), plus `client_app()` to send
  tasks by name from the test process (whose own Celery config is eager).
- `redis_kill_clients()`: `CLIENT KILL` every normal client on our Redis DB.
- `terminate_backend_after()`: `pg_terminate_backend` on this connection's PostgreSQL
  backend right before its Nth matching statement: a load dies mid-transaction, at a
  chosen point, on any code path (hub sync, price load, snapshot load).
- `route_slow()` / `route_drop()`: FakeServer routes that hang or drop the connection.
- `table_counts()`: rows per table of every snapshot table, for before/after checks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from celery import Celery
from django.conf import settings
from django.db import connection

from tests.fakes.server import FakeServer, Request, Response

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ATLAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


# --- row counts ----------------------------------------------------------------------
def table_counts() -> dict[str, int]:
    from config.snapshot import snapshot_models

    return {m._meta.label_lower: m._base_manager.count() for m in snapshot_models()}


# --- PostgreSQL -----------------------------------------------------------------------
def database_url() -> str:
    """A URL for the database the tests use (the test database), for subprocesses."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db.get("USER") or "postgres"
        auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
        host = db.get("HOST") or "127.0.0.1"
        return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _admin_connection() -> Any:
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=True,
    )


def pg_terminate(pid: int) -> bool:
    with _admin_connection() as admin:
        row = admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def terminate_backend_after(statements: int, *, match: str = "INSERT") -> Iterator[dict[str, int]]:
    """Kill this connection's backend just before its `statements`-th SQL matching `match`.

    The statement then fails with OperationalError, as it would if PostgreSQL were
    restarted or an admin ended the session. Yields a dict with `seen` and `killed_pid`.
    """
    state = {"seen": 0, "killed_pid": 0}

    def wrapper(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        if match.upper() in sql.upper():
            state["seen"] += 1
            if state["seen"] == statements and not state["killed_pid"]:
                pid = connection.connection.info.backend_pid
                state["killed_pid"] = pid
                pg_terminate(pid)
                time.sleep(0.2)  # let the backend go before the client writes to it
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield state


# --- Redis ----------------------------------------------------------------------------
def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(REDIS_URL)


def redis_available() -> bool:
    try:
        return bool(redis_client().ping())
    except Exception:
        return False


def redis_kill_clients() -> int:
    """`CLIENT KILL` each normal client connected to our Redis DB (not other DBs' users:
    the server is shared, so a bare `CLIENT KILL TYPE normal` would hit other clients)."""
    client = redis_client()
    db = client.connection_pool.connection_kwargs.get("db", 0)
    me = client.client_id()
    killed = 0
    for info in client.client_list(_type="normal"):
        if int(info.get("db", -1)) == db and int(info["id"]) != me:
            with contextlib.suppress(Exception):
                killed += client.client_kill_filter(_id=info["id"])
    return killed


# --- Celery ---------------------------------------------------------------------------
def client_app() -> Celery:
    """A Celery client on REDIS_URL for sending tasks by name (`send_task`)."""
    # set_as_current=False: shared_task proxies elsewhere in the suite must keep using
    # the project app (eager without a broker), not this Redis client.
    app = Celery("atlas-fault-tests", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        broker_connection_retry_on_startup=True,
        task_acks_late=True,
    )
    return app


class CeleryWorker:
    """A real worker subprocess: `start()`, `kill()` (SIGKILL, whole group), `stop()`."""

    def __init__(
        self,
        *,
        queues: str = "celery",
        concurrency: int = 1,
        visibility_timeout_s: int = 3,
        include: str = "tests.ops.celery_tasks",
        env: dict[str, str] | None = None,
    ) -> None:
        self.queues = queues
        self.concurrency = concurrency
        self.include = include
        self.env = {
            **os.environ,
            "ATLAS_TESTING": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_RESULT_BACKEND": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT_S": str(visibility_timeout_s),
            "HF_ENDPOINT": getattr(settings, "HF_ENDPOINT", ""),
            "PYTHONPATH": str(REPO_ROOT),
            "LOG_FORMAT": "plain",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="atlas-worker-", suffix=".log")[1])

    def start(self, *, timeout_s: float = 90) -> CeleryWorker:
        cmd = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-Q", self.queues, "-c", str(self.concurrency), "--include", self.include,
            "--hostname", f"fault-{os.getpid()}-{time.monotonic_ns()}@%h",
            "--without-gossip", "--without-mingle", "--loglevel", "INFO",
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited at start:\n{self.output()}")
            if " ready." in self.output():
                return self
            time.sleep(0.2)
        raise TimeoutError(f"worker not ready in {timeout_s}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no warm or cold shutdown at all."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


# --- fake upstream --------------------------------------------------------------------
def route_slow(server: FakeServer, path: str, *, delay_s: float, body: Any = b"{}") -> None:
    """Answer `path` only after `delay_s` seconds (a slow or hanging upstream)."""
    server.route(path, handler=lambda _req: Response(200, body, delay_s=delay_s))


def route_drop(
    server: FakeServer, path: str, *, times: int | None = None, body: Any = b"{}"
) -> None:
    """Close the connection without answering (`times` times, then answer normally)."""
    left = {"n": times}

    def handler(_req: Request) -> Response:
        if left["n"] is None or left["n"] > 0:
            if left["n"] is not None:
                left["n"] -= 1
            return Response(drop=True)
        return Response(200, body)

    server.route(path, handler=handler)
