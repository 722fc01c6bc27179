"""Start a `make serve` process once PostgreSQL and Redis answer (supervisord's wrapper).

    python scripts/wait_for.py --group var/run/web.pgid -- gunicorn config.wsgi ...

supervisord orders starts (priorities) but cannot wait for readiness, so each program
runs through this: it waits (up to WAIT_FOR_TIMEOUT_S, default 60) until the database
in DATABASE_URL (when PostgreSQL) and the Redis in CELERY_BROKER_URL / CACHE_URL answer
(pg_isready's and PING's answers, spoken with the standard library: no driver import, so
a restart on a busy host spends its CPU on the program, not on the check), then execs
the command in its place (same pid: supervisord's signals reach it).

With --group FILE it first SIGKILLs the process group recorded there by the previous
start: a gunicorn master or Celery worker killed with SIGKILL leaves its workers or pool
children running (holding the port, the task, DB connections), and the restarted
program must not run beside them. supervisord starts each program in its own process
group, so the group id is this process's pid.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def postgres_ready(url: str, *, timeout_s: float = 2.0) -> bool:
    """pg_isready's answer (libpq's PQping), in one startup packet: the server is up
    unless it does not answer or refuses with 57P03 (starting up, shutting down, in
    recovery). An authentication request, a missing database or "too many clients" all
    mean it is up: that is the program's business, and waiting would not change it."""
    parts = urlsplit(url)
    user = unquote(parts.username or "postgres")
    dbname = unquote(parts.path.lstrip("/") or user)
    params = f"user\0{user}\0database\0{dbname}\0\0".encode()
    startup = struct.pack("!ii", 8 + len(params), 196608) + params  # protocol 3.0
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 5432), timeout_s
        ) as sock:
            sock.settimeout(timeout_s)
            sock.sendall(startup)
            kind, length = struct.unpack("!ci", _recv_exact(sock, 5))
            if kind == b"R":  # authentication request (or AuthenticationOk): accepting
                with contextlib.suppress(OSError):
                    sock.sendall(b"X\0\0\0\4")  # Terminate
                return True
            if kind != b"E":
                return False
            fields = _recv_exact(sock, min(max(length - 4, 0), 4096)).split(b"\0")
            codes = [f[1:] for f in fields if f[:1] == b"C"]
            return codes != [b"57P03"]
    except (OSError, struct.error):
        return False


def redis_ready(url: str, *, timeout_s: float = 2.0) -> bool:
    """Redis answers PING (an auth error also means it is up); not while it is still
    loading its data set (-LOADING) or stuck in a script (-BUSY)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout_s
        ) as sock:
            sock.settimeout(timeout_s)
            sock.sendall(b"PING\r\n")
            line = sock.recv(256)
    except OSError:
        return False
    return bool(line) and not line.startswith((b"-LOADING", b"-BUSY", b"-MASTERDOWN"))


def _reachable(url: str) -> bool:
    if url.startswith("postgres"):
        return postgres_ready(url)
    if url.startswith("redis"):
        return redis_ready(url)
    return True


def services() -> list[str]:
    urls = []
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres", "redis")) and url not in urls:
            urls.append(url)
    return urls


def wait(urls: list[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for url in urls:
        shown = urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()
        while not _reachable(url):
            if time.monotonic() > deadline:
                print(f"wait_for: {shown} not reachable after {timeout_s:.0f}s", file=sys.stderr)
                sys.exit(75)  # EX_TEMPFAIL: supervisord retries
            time.sleep(0.2)


def kill_stale_group(path: Path) -> None:
    """SIGKILL what is left of the group the previous start recorded in `path`."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        old = int(path.read_text().strip())
        if old not in (os.getpgrp(), os.getpgid(os.getppid())):  # never our own or parent's
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(old, signal.SIGKILL)
                print(f"wait_for: killed the previous start's leftovers (group {old})")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(os.getpgrp()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", type=Path, help="file holding the previous process group")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    if args.group:
        kill_stale_group(args.group)
    wait(services(), float(os.environ.get("WAIT_FOR_TIMEOUT_S", "60")))
    sys.stdout.flush()
    os.execvp(command[0], command)  # noqa: S606 - supervisord's own command line


if __name__ == "__main__":
    main()
