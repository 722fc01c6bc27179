"""A real HTTP server on 127.0.0.1 that serves recorded responses (no mocks).

    with FakeServer() as server:
        server.route("/api/models", body=b"[]", headers={"Content-Type": "application/json"})
        server.route("/slow", handler=lambda req: Response(200, b"ok", delay_s=2))
        url = server.url("/api/models")

Unknown paths answer 404 with a body naming the path, so a missing recording fails
loudly. Handlers receive a `Request` (method, path, query, headers, body) and return a
`Response`; a list of responses is served in turn (then the last one repeats), which
is how a 429-then-200 sequence is recorded.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False  # close the connection without answering

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        self.headers.setdefault("Content-Type", "application/json")
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Response]


class FakeServer:
    def __init__(self) -> None:
        self._routes: dict[str, Handler] = {}
        self._sequences: dict[str, list[Response]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                with fake._lock:
                    fake.requests.append(req)
                resp = fake._respond(req)
                if resp.delay_s:
                    time.sleep(resp.delay_s)
                if resp.drop:
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(2)
                    return
                payload = resp.encoded()
                # A client killed while it waited (the fault tests' SIGKILLed workers)
                # has hung up: nothing to answer, and no traceback on stderr.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(resp.status)
                    for key, value in resp.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = do_PUT = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- routes ---------------------------------------------------------------------------
    def route(
        self,
        path: str,
        *,
        body: bytes | str | Any = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        handler: Handler | None = None,
        sequence: list[Response] | None = None,
    ) -> None:
        if sequence is not None:
            self._sequences[path] = list(sequence)
            self._routes.pop(path, None)
            return
        if handler is None:
            fixed = Response(status=status, body=body, headers=dict(headers or {}))

            def handler(_req: Request, _r: Response = fixed) -> Response:
                return Response(_r.status, _r.body, dict(_r.headers), _r.delay_s, _r.drop)

        self._routes[path] = handler
        self._sequences.pop(path, None)

    def route_prefix(self, prefix: str, handler: Handler) -> None:
        self._routes[prefix.rstrip("/") + "/*"] = handler

    def _respond(self, req: Request) -> Response:
        with self._lock:
            seq = self._sequences.get(req.path)
            if seq:
                return seq.pop(0) if len(seq) > 1 else seq[0]
        handler = self._routes.get(req.path)
        if handler is None:
            best = ""
            for key in self._routes:
                if key.endswith("/*") and req.path.startswith(key[:-1]) and len(key) > len(best):
                    best = key
            handler = self._routes.get(best) if best else None
        if handler is None:
            return Response(404, {"error": f"fake server has no recording for {req.path}"})
        return handler(req)

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "") -> str:
        return self.base_url + path

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
