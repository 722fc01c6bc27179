"""scripts/wait_for.py's readiness answers (pg_isready's and PING's), against the real
servers and against one-shot sockets that answer as a server that is not ready does."""

from __future__ import annotations

import importlib.util
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.ops.harness import REDIS_URL, REPO_ROOT, redis_available

_spec = importlib.util.spec_from_file_location("wait_for", REPO_ROOT / "scripts" / "wait_for.py")
wait_for = importlib.util.module_from_spec(_spec)  # a script, not a package
_spec.loader.exec_module(wait_for)


@contextmanager
def answering(reply: bytes) -> Iterator[int]:
    """A one-connection server on a free port: reads the request, sends `reply`."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.close()
        thread.join(5)


def pg_error(code: str) -> bytes:
    fields = b"SFATAL\0C" + code.encode() + b"\0Mthe database system is starting up\0\0"
    return b"E" + struct.pack("!i", 4 + len(fields)) + fields


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_postgres_not_ready_while_starting_up_ready_on_any_other_answer() -> None:
    with answering(pg_error("57P03")) as port:
        assert not wait_for.postgres_ready(f"postgres://u@127.0.0.1:{port}/db")
    # too many clients, a missing database: the server is up (libpq's PQping agrees)
    for code in ("53300", "3D000"):
        with answering(pg_error(code)) as port:
            assert wait_for.postgres_ready(f"postgres://u@127.0.0.1:{port}/db")
    with answering(b"R" + struct.pack("!ii", 8, 5) + b"salt") as port:  # md5 password asked
        assert wait_for.postgres_ready(f"postgres://u:pw@127.0.0.1:{port}/db")
    assert not wait_for.postgres_ready(f"postgres://u@127.0.0.1:{closed_port()}/db")


def test_redis_not_ready_while_loading_ready_when_it_answers() -> None:
    with answering(b"-LOADING Redis is loading the dataset in memory\r\n") as port:
        assert not wait_for.redis_ready(f"redis://127.0.0.1:{port}/0")
    with answering(b"-NOAUTH Authentication required.\r\n") as port:
        assert wait_for.redis_ready(f"redis://127.0.0.1:{port}/0")
    assert not wait_for.redis_ready(f"redis://127.0.0.1:{closed_port()}/0")


@pytest.mark.postgres
@pytest.mark.redis
def test_the_real_servers_are_ready() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    if not redis_available():
        pytest.skip("Redis is not reachable")
    db = connection.settings_dict
    url = f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
    url += f"{db.get('PORT') or 5432}/{db['NAME']}"
    assert wait_for.postgres_ready(url)
    assert wait_for.redis_ready(REDIS_URL)
