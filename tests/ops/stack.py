"""`make serve`'s real stack for process-level tests: scripts/serve.sh under supervisord.

    stack = ServeStack(database_url=..., redis_url=...).start()
    stack.get("/healthz")            # through nginx
    stack.pid("web"); stack.info("worker")["statename"]
    stack.stop()

Free ports for nginx and gunicorn, its own var/ directory (temp), the production
settings (DEBUG off, NUM_PROXIES=1, Redis cache and broker), no snapshot: the database
keeps whatever the tests write. supervisord is asked over its unix socket (XML-RPC).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import xmlrpc.client
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ("web", "web2", "worker", "gpu", "beat", "nginx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_available() -> bool:
    return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())


class ServeStack:
    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        web_workers: int = 2,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.port_web = free_port()
        self.port_web2 = free_port()
        self.var = Path(tempfile.mkdtemp(prefix="atlas-stack-"))
        self.log = self.var / "serve.log"
        self.base = f"http://127.0.0.1:{self.port}"
        drop = {"ATLAS_TESTING", "DJANGO_DEBUG", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in drop},
            "PATH": f"{REPO_ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}:/usr/sbin",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CACHE_URL": redis_url,
            "PORT": str(self.port),
            "PORT_WEB": str(self.port_web),
            "PORT_WEB2": str(self.port_web2),
            "WEB_CONCURRENCY": str(web_workers),
            "ATLAS_VAR": str(self.var),
            # static files survive between runs: collectstatic then only compares
            "STATIC_ROOT": str(REPO_ROOT / "var" / "test-static"),
            "SNAPSHOT_PATH": str(self.var / "no-snapshot"),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "LOG_FORMAT": "plain",
            "LOG_LEVEL": "WARNING",
            "NGINX_ACCESS_LOG": "off",
            "CELERY_VISIBILITY_TIMEOUT_S": "5",  # a killed worker's task comes back soon
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    # --- lifecycle ----------------------------------------------------------------
    def start(self, *, timeout_s: float = 240) -> ServeStack:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(REPO_ROOT / "scripts" / "serve.sh")],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make serve exited:\n{self.output()[-4000:]}")
            if self._all_running() and self.healthy() and self.worker_ready():
                return self
            time.sleep(0.5)
        output = self.output()[-4000:]
        self.stop()
        raise TimeoutError(f"stack not up in {timeout_s}s:\n{output}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)  # supervisord stops every program
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(90)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for name in PROGRAMS:  # leftovers of SIGKILLed programs (their own groups)
            with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
                os.killpg(int((self.var / "run" / f"{name}.pgid").read_text()), signal.SIGKILL)
        shutil.rmtree(self.var, ignore_errors=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    # --- supervisord --------------------------------------------------------------
    def _rpc(self) -> Any:
        from supervisor.xmlrpc import SupervisorTransport

        socket_path = self.var / "run" / "supervisor.sock"
        transport = SupervisorTransport(None, None, f"unix://{socket_path}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    def info(self, name: str) -> dict[str, Any]:
        return self._rpc().supervisor.getProcessInfo(name)

    def pid(self, name: str) -> int:
        return int(self.info(name)["pid"])

    def _all_running(self) -> bool:
        try:
            states = {p["name"]: p["statename"] for p in self._rpc().supervisor.getAllProcessInfo()}
        except (OSError, xmlrpc.client.Error):
            return False
        return all(states.get(name) == "RUNNING" for name in PROGRAMS)

    def wait_restarted(self, name: str, old_pid: int, *, timeout_s: float = 30) -> float:
        """Seconds until `name` runs again under a new pid."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            with contextlib.suppress(OSError, xmlrpc.client.Error):
                info = self.info(name)
                if info["statename"] == "RUNNING" and info["pid"] not in (0, old_pid):
                    return time.monotonic() - started
            time.sleep(0.1)
        raise TimeoutError(f"{name} not restarted in {timeout_s}s:\n{self.output()[-3000:]}")

    # --- HTTP ---------------------------------------------------------------------
    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
        method: str | None = None, timeout: float = 10,
    ) -> tuple[int, bytes, dict[str, str]]:  # fmt: skip
        req = urllib.request.Request(
            self.base + path, data=data, headers=headers or {}, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def get(self, path: str, **kw: Any) -> tuple[int, bytes, dict[str, str]]:
        return self.request(path, **kw)

    def healthy(self, *, base: str | None = None) -> bool:
        try:
            with urllib.request.urlopen(f"{base or self.base}/healthz", timeout=3) as resp:
                return resp.status == 200
        except (OSError, http.client.HTTPException):  # refused, reset, cut mid-answer
            return False

    def wait_healthy(self, *, timeout_s: float = 30, port: int | None = None) -> float:
        """Seconds until /healthz answers 200: through nginx, or on a gunicorn `port`."""
        base = f"http://127.0.0.1:{port}" if port else None
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if self.healthy(base=base):
                return time.monotonic() - started
            time.sleep(0.1)
        raise TimeoutError(f"/healthz not answering in {timeout_s}s:\n{self.output()[-3000:]}")

    def worker_ready(self) -> bool:
        return self.output().count(" ready.") >= 2  # the celery and gpu workers
